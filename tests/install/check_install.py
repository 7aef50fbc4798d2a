#!/usr/bin/python3
"""`cmake --install` puts exactly the program, its man page and its completions under the prefix
(also with DESTDIR); the installed man page is found by man and renders without a warning; bash
(through bash-completion's loader) and zsh complete from the installed files as they should.

usage: check_install.py BUILD_DIR"""
import os
import pathlib
import re
import subprocess
import sys
import tempfile

from help_options import all_help
from manifest import kept_manifest

EXPECTED = {"bin/acrawl", "share/man/man1/acrawl.1",
            "share/bash-completion/completions/acrawl", "share/zsh/vendor-completions/_acrawl"}
HERE = pathlib.Path(__file__).resolve().parent
BASH_COMPLETION = "/usr/share/bash-completion/bash_completion"

errors = []


def check(ok, message):
    if not ok:
        errors.append(message)


def run(*args, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=60, **kw)


def files_under(root):
    return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}


def install(build, tmp):
    prefix = tmp / "prefix"
    r = run("cmake", "--install", build, "--prefix", prefix)
    check(r.returncode == 0, f"cmake --install failed: {r.stderr}")
    got = files_under(prefix)
    check(got == EXPECTED, f"cmake --install --prefix: {sorted(got)}, expected {sorted(EXPECTED)}")
    stage = tmp / "stage"
    r = run("cmake", "--install", build, "--prefix", "/usr/local",
            env={**os.environ, "DESTDIR": str(stage)})
    check(r.returncode == 0, f"DESTDIR=... cmake --install failed: {r.stderr}")
    got = files_under(stage)
    want = {"usr/local/" + f for f in EXPECTED}
    check(got == want, f"DESTDIR install: {sorted(got)}, expected {sorted(want)}")
    return prefix


def check_man(prefix):
    page = prefix / "share/man/man1/acrawl.1"
    env = {**os.environ, "LC_ALL": "C.UTF-8", "MANWIDTH": "80", "MANPAGER": "cat",
           "MANPATH": str(prefix / "share/man")}
    r = run("man", "-w", "acrawl", env=env)
    check(r.stdout.strip() == str(page), f"man -w acrawl: {r.stdout.strip()!r}, not {page}")
    r = run("man", "--warnings", "-l", page, env=env)
    check(r.returncode == 0 and "EXIT STATUS" in r.stdout, f"man -l {page} failed: {r.stderr}")
    check(r.stderr == "", f"man -l {page} warns:\n{r.stderr}")
    r = run("groff", "-man", "-Tutf8", "-ww", "-z", page, env=env)
    check(r.returncode == 0 and r.stderr == "", f"groff -ww warns about {page}:\n{r.stderr}")


# Completes the words in "$@" (the last one being completed) with the completion that
# bash-completion's loader finds for acrawl, and prints its source file, then the words offered.
BASH_HARNESS = r"""
source "$BASH_COMPLETION" || exit 3
__load_completion acrawl || { echo "no completion found for acrawl"; exit 4; }
shopt -s extdebug
set -- $(declare -F _acrawl) "$@"
echo "$3"
shift 3
COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMP_LINE=$LINE COMP_POINT=${#LINE}
COMPREPLY=()
_acrawl acrawl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
if ((${#COMPREPLY[@]})); then printf '%s\n' "${COMPREPLY[@]}"; fi
"""


def bash_complete(prefix, cwd, line):
    # Split as readline does with COMP_WORDBREAKS: "=" is a word of its own.
    words = re.findall(r"=|[^\s=]+", line) + ([""] if line.endswith((" ", "=")) else [])
    env = {"PATH": os.environ["PATH"], "HOME": str(cwd), "LINE": line,
           "XDG_DATA_DIRS": str(prefix / "share"), "BASH_COMPLETION": BASH_COMPLETION,
           "BASH_COMPLETION_USER_DIR": str(cwd / "none")}
    r = run("bash", "--norc", "--noprofile", "-c", BASH_HARNESS, "harness", *words, env=env,
            cwd=cwd)
    lines = r.stdout.splitlines()
    want = str(prefix / "share/bash-completion/completions/acrawl")
    if r.returncode != 0 or not lines or lines[0] != want:
        errors.append(f"bash: the completion loaded is not {want}: {r.stdout}{r.stderr}")
        return set()
    return set(lines[1:])


def zsh_complete(prefix, cwd, line):
    r = run("zsh", "-f", HERE / "zsh_complete.zsh", line,
            prefix / "share/zsh/vendor-completions", cwd=cwd,
            env={"PATH": os.environ["PATH"], "HOME": str(cwd), "TERM": "dumb",
                 "ZCOMPDUMP": str(cwd.parent / "zcompdump")})
    parts = r.stdout.split("\0")
    if len(parts) < 3:
        errors.append(f"zsh: no completion for {line!r}: {r.stdout!r} {r.stderr!r}")
        return set()
    return {w.strip() for w in parts[1].splitlines() if w.strip() and not w.startswith("\x1b")}


def check_completion(name, complete, prefix, cwd, commands):
    def expect(line, want, exact=True):
        got = complete(prefix, cwd, line)
        if exact:
            check(got == set(want), f"{name}: `{line}<TAB>` offers {sorted(got)}, "
                                    f"expected {sorted(want)}")
        else:
            check(set(want) <= got, f"{name}: `{line}<TAB>` does not offer "
                                    f"{sorted(set(want) - got)}")

    expect("acrawl --mo", {"--mode"})
    expect("acrawl --mode ", {"async", "threads", "sync"})
    expect("acrawl --mode=t", {"threads"})
    expect("acrawl --format ", {"tsv", "jsonl", "csv"})
    expect("acrawl --scope ", {"host", "domain", "prefix", "any"})
    expect("acrawl ", {"urls.txt", "export", "bench"})
    expect("acrawl urls.txt ", {"urls.txt"})
    expect("acrawl -o u", {"urls.txt"})
    expect("acrawl --depth ", set())
    expect("acrawl ex", {"export"})
    expect("acrawl - ex", set())  # no subcommand after an input ("-": stdin)
    expect("acrawl export --format ", {"tsv", "jsonl", "csv"})
    expect("acrawl bench --modes ", {"async", "threads", "sync"})
    expect("acrawl -q export ", {"urls.txt"})
    for sub, cmd in commands.items():
        expect(f"acrawl {sub + ' ' if sub else ''}-", cmd.names(), exact=False)


def main(build):
    build = pathlib.Path(build).resolve()
    with tempfile.TemporaryDirectory(prefix="acrawl-install-") as t:
        tmp = pathlib.Path(t)
        with kept_manifest(build):
            prefix = install(build, tmp)
        if not errors:
            check_man(prefix)
            commands = all_help(str(prefix / "bin/acrawl"))
            cwd = tmp / "cwd"
            cwd.mkdir()
            (cwd / "urls.txt").write_text("http://127.0.0.1/\n")
            check_completion("bash", bash_complete, prefix, cwd, commands)
            check_completion("zsh", zsh_complete, prefix, cwd, commands)
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print("installed files, man page and completions as expected")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
