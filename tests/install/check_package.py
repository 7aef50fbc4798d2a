#!/usr/bin/python3
"""`cpack -G DEB` makes a Debian package whose control fields are right, whose Depends names the
package of every shared library the binary links (no more, no fewer), which holds exactly the
program (stripped), its gzipped man page and its completions, and whose program, extracted,
crawls a site on 127.0.0.1.

usage: check_package.py BUILD_DIR FIXTURE_SERVER"""
import ctypes
import os
import pathlib
import re
import select
import signal
import subprocess
import sys
import tempfile

from manifest import kept_manifest

FILES = {"./usr/bin/acrawl", "./usr/share/man/man1/acrawl.1.gz",
         "./usr/share/bash-completion/completions/acrawl",
         "./usr/share/zsh/vendor-completions/_acrawl"}
SITE_PAGES = 5

errors = []


def check(ok, message):
    if not ok:
        errors.append(message)
    return ok


def run(*args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, **kw)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}")
    return r.stdout


def build_package(build, out):
    run("cpack", "-G", "DEB", "--config", build / "CPackConfig.cmake", "-B", out, cwd=build)
    debs = list(out.glob("acrawl_*.deb"))
    if len(debs) != 1:
        raise SystemExit(f"cpack made {debs}, not one acrawl_*.deb")
    return debs[0]


def owner_package(path):
    """The installed package that holds path (tried as given, resolved, and across /usr merge)."""
    real = os.path.realpath(path)
    candidates = [path, real]
    for p in (path, real):
        candidates.append(p[4:] if p.startswith("/usr/") else "/usr" + p)
    for p in candidates:
        r = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if r.returncode == 0:
            return r.stdout.split(":")[0].strip()  # "libc6:amd64: /lib/..."
    raise SystemExit(f"no package holds {path}")


def linked_packages(binary):
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run("readelf", "-d", binary))
    paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", run("ldd", binary), re.M))
    packages = {}
    for soname in needed:
        if check(soname in paths, f"ldd does not resolve {soname}"):
            packages[owner_package(paths[soname])] = soname
    return packages


def provides(package):
    out = run("dpkg-query", "-W", "-f=${Provides}", package)
    return {re.sub(r"[\s(:].*", "", p.strip()) for p in out.split(",") if p.strip()}


def depends_names(depends):
    names = set()
    for item in depends.split(","):
        for alternative in item.split("|"):
            names.add(re.sub(r"[\s(:].*", "", alternative.strip()))
    return names


def check_control(deb, build):
    def field(name):
        return run("dpkg-deb", "-f", deb, name).strip()

    version = run(build / "src/acrawl", "--version").split()[-1]
    check(field("Package") == "acrawl", f"Package: {field('Package')}")
    check(field("Version") == version, f"Version: {field('Version')}, the program says {version}")
    arch = run("dpkg", "--print-architecture").strip()
    check(field("Architecture") == arch, f"Architecture: {field('Architecture')}, not {arch}")
    check(field("Section") == "web", f"Section: {field('Section')}")
    check(re.fullmatch(r".+ <[^@\s]+@[^@\s]+>", field("Maintainer")),
          f"Maintainer: {field('Maintainer')!r}")
    description = field("Description").splitlines()
    check(len(description) > 1 and all(len(line) <= 80 for line in description),
          f"Description: a summary and lines of at most 80 columns: {description}")
    # A library's shlibs may name a virtual package its package provides (libspdlog1.10
    # provides libspdlog1.10-fmt9): either name stands for it.
    names = {p: {p} | provides(p) for p in linked_packages(build / "src/acrawl")}
    depends = depends_names(field("Depends"))
    missing = sorted(p for p, n in names.items() if not n & depends)
    extra = sorted(d for d in depends if not any(d in n for n in names.values()))
    check(not missing and not extra,
          f"Depends: {field('Depends')}\nthe linked libraries come from {sorted(names)}; "
          f"not in Depends: {missing}, not linked: {extra}")
    return version, field("Depends")


def check_contents(deb, root, build):
    listing = run("dpkg-deb", "-c", deb).splitlines()
    files = {line.split()[-1] for line in listing if not line.startswith("d")}
    check(files == FILES, f"package files {sorted(files)}, expected {sorted(FILES)}")
    check(all(" root/root " in line for line in listing), "files not owned by root/root")
    run("dpkg-deb", "-x", deb, root)
    sections = run("readelf", "-S", "-W", root / "usr/bin/acrawl")
    check(".debug_info" not in sections and ".symtab" not in sections,
          "usr/bin/acrawl is not stripped")
    page = run("gzip", "-dc", root / "usr/share/man/man1/acrawl.1.gz")
    check(page == (build / "docs/acrawl.1").read_text(), "the packaged man page is not acrawl.1")


class PortFile:
    """Waits for the fixture server's --port-file to appear (it is renamed into place) with
    inotify: no polling."""

    def __init__(self, path):
        self.path = path
        libc = ctypes.CDLL(None, use_errno=True)
        self.fd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
        in_moved_to, in_close_write = 0x80, 0x08
        if self.fd < 0 or libc.inotify_add_watch(
                self.fd, str(path.parent).encode(), in_moved_to | in_close_write) < 0:
            raise OSError(ctypes.get_errno(), "inotify")

    def wait(self, server, timeout=30):
        try:
            while not self.path.exists():
                if server.poll() is not None:
                    raise SystemExit(f"the fixture server exited: {server.returncode}")
                if not select.select([self.fd], [], [], timeout)[0]:
                    raise SystemExit("the fixture server wrote no port file")
                os.read(self.fd, 65536)
            return int(self.path.read_text())
        finally:
            os.close(self.fd)


def check_crawl(acrawl, fixture_server, tmp):
    port_file = tmp / "port"
    waiter = PortFile(port_file)
    server = subprocess.Popen([fixture_server, "--site-pages", str(SITE_PAGES), "--port-file",
                               port_file], stdout=subprocess.DEVNULL)
    try:
        port = waiter.wait(server)
        site = f"http://127.0.0.1:{port}/site/"
        r = subprocess.run([acrawl, site, "--depth", "1", "-q", "--no-progress"],
                           capture_output=True, text=True, timeout=60)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    records = {line.split("\t")[0]: line.split("\t")[1:] for line in r.stdout.splitlines()}
    want = {site: ["200", "acrawl fixture site"]}
    for i in range(SITE_PAGES):
        want[f"{site}p/{i}.html"] = ["200", f"Page {i} · acrawl fixture site"]
    check(r.returncode == 0 and records == want,
          f"the packaged acrawl crawled {site} with exit {r.returncode}:\n{r.stdout}{r.stderr}")


def main(build, fixture_server):
    build = pathlib.Path(build).resolve()
    with tempfile.TemporaryDirectory(prefix="acrawl-package-") as t:
        tmp = pathlib.Path(t)
        with kept_manifest(build):
            deb = build_package(build, tmp / "out")
        version, depends = check_control(deb, build)
        root = tmp / "root"
        check_contents(deb, root, build)
        acrawl = root / "usr/bin/acrawl"
        out = run(acrawl, "--version").strip()
        check(out == f"acrawl {version}", f"packaged acrawl --version: {out!r}")
        check_crawl(acrawl, fixture_server, tmp)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print(f"{deb.name}: Depends: {depends}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
