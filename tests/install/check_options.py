#!/usr/bin/python3
"""Every option `acrawl --help` (and `acrawl export|bench --help`) lists is documented in the man
page source, in the subsection of its --help group and with its default, and is known to the bash
and zsh completions (as taking a value or not, as it does); the generated man page has every
required section and every exit status the code defines.

usage: check_options.py ACRAWL SOURCE_DIR MAN_PAGE"""
import pathlib
import re
import subprocess
import sys

from help_options import all_help

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "OUTPUT", "METRICS",
            "EXIT STATUS", "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"]
# The man page's name for a --help group (the others are the same).
MAN_GROUP = {"Options": "General"}

errors = []


def check(ok, message):
    if not ok:
        errors.append(message)


def blocks(text, marker):
    """{heading: body} of the scdoc headings that start with marker ("# " or "## ")."""
    out = {}
    parts = re.split(rf"^{re.escape(marker)}(.+)$", text, flags=re.M)
    for i in range(1, len(parts), 2):
        out[parts[i].strip()] = parts[i + 1]
    return out


def entries(body):
    """{option: its entry's text}: an entry is a term line whose first word is an option
    (tab-indented under a command too), up to the next term line of the same indent."""
    out = {}
    lines = body.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^(\t*)\*-", line)
        if not m:
            continue
        indent = m.group(1)
        text = [line]
        for nxt in lines[i + 1:]:
            if re.match(rf"^{indent}\*", nxt) or (nxt and not nxt.startswith(indent + "\t")):
                break
            text.append(nxt)
        for name in re.findall(r"\*(-[^*\s]+)\*", line):
            out.setdefault(name, "\n".join(text))
    return out


def plain(scd):
    """scdoc markup removed: what the reader sees."""
    return re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_]", "", scd))


def check_man(commands, scd, version):
    sections = blocks(scd, "# ")
    for name in SECTIONS:
        check(name in sections, f"man page source: no section {name}")
    subsections = blocks(sections.get("OPTIONS", ""), "## ")
    for option in commands[""].options:
        group = MAN_GROUP.get(option.group, option.group)
        where = f"OPTIONS, {group}"
        if group not in subsections:
            check(False, f"man page: no subsection '{group}' under OPTIONS for {option.names}")
            continue
        check_entries(option, entries(subsections[group]), where, version)
    command_blocks = re.split(r"^\*acrawl (\S+)\*", sections.get("COMMANDS", ""), flags=re.M)
    by_command = dict(zip(command_blocks[1::2], command_blocks[2::2]))
    for sub, cmd in commands.items():
        if not sub:
            continue
        check(sub in by_command, f"man page: no entry for `acrawl {sub}` under COMMANDS")
        found = entries(by_command.get(sub, ""))
        for option in cmd.options:
            check_entries(option, found, f"COMMANDS, acrawl {sub}", version)


def check_entries(option, found, where, version):
    for name in option.names:
        check(name in found, f"man page: {name} has no entry under {where}")
    if option.default is not None and option.names[-1] in found:
        text = plain(found[option.names[-1]])
        want = "Default: " + option.default.replace(version, "VERSION")
        check(re.search(re.escape(want) + r"[.\s(]", text + "\n") is not None,
              f"man page: {option.names[-1]} does not say '{want}' (--help's default)")


def exit_statuses(source):
    codes = {}
    for path in ["src/cli.hpp", "crawler/crawl/interrupt.hpp"]:
        text = (source / path).read_text()
        for name, value in re.findall(r"constexpr int (kExit\w*) = (\d+);", text):
            codes[name] = value
    check(len(codes) >= 5, f"expected at least 5 exit statuses in the code, found {codes}")
    return sorted(set(codes.values()), key=int)


def check_metrics(scd, source):
    """Every metric family the exposition code writes is listed under METRICS."""
    code = (source / "crawler/metrics/exposition.cpp").read_text()
    families = re.findall(r'family\(\s*out,\s*"(\w+)"', code)
    check(len(families) >= 8, f"expected the metric families in exposition.cpp, found {families}")
    listed = plain(blocks(scd, "# ").get("METRICS", ""))
    for name in families:
        check(word_in(name, listed), f"man page: metric {name} is not listed under METRICS")


def check_roff(man, source):
    roff = man.read_text()
    for name in SECTIONS:
        check(re.search(rf'^\.SH "?{name}"?$', roff, re.M), f"{man}: no .SH {name}")
    status = roff.split(".SH EXIT STATUS", 1)[-1].split("\n.SH ", 1)[0]
    for code in exit_statuses(source):
        check(re.search(rf"^\\fB{code}\\fR$", status, re.M),
              f"{man}: exit status {code} (from the code) has no entry under EXIT STATUS")


def word_in(name, text):
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", text) is not None


def check_bash(commands, bash):
    m = re.search(r"takes_value='([^']*)'", bash)
    check(m, "bash completion: no takes_value list")
    takes_value = set(m.group(1).split()) if m else set()
    for sub, cmd in commands.items():
        for option in cmd.options:
            for name in option.names:
                check(word_in(name, bash), f"bash completion: {sub} {name} missing")
                if not sub:
                    check(option.valued == (name in takes_value),
                          f"bash completion: {name} {'takes' if option.valued else 'takes no'} "
                          f"value, but takes_value says otherwise")
    for sub in commands[""].subcommands:
        check(word_in(sub, bash), f"bash completion: subcommand {sub} missing")


def check_zsh(commands, zsh):
    m = re.search(r"local -a valued=\(([^)]*)\)", zsh)
    check(m, "zsh completion: no valued list")
    valued = set(m.group(1).split()) if m else set()
    funcs = dict(re.findall(r"^(_acrawl\w*)\(\) \{\n(.*?)^\}", zsh, re.M | re.S))
    for sub, cmd in commands.items():
        body = funcs.get("_acrawl" + ("_" + sub if sub else ""), "")
        check(body, f"zsh completion: no function for {sub or 'acrawl'}")
        for option in cmd.options:
            for name in option.names:
                # In an _arguments spec: --name=[, -n+ or --name= (a value), --name[ or -n, (none).
                spec = re.escape(name) + (r"(?:=|\+)" if option.valued else r"(?:\[|,|\})")
                check(re.search(rf"(?<![\w-]){spec}", body),
                      f"zsh completion: {sub} {name} missing or "
                      f"{'without' if option.valued else 'with'} a value")
                if not sub:
                    check(option.valued == (name in valued),
                          f"zsh completion: {name} and the valued list disagree")
    for sub in commands[""].subcommands:
        check(word_in(sub, zsh), f"zsh completion: subcommand {sub} missing")


def main(acrawl, source, man):
    source = pathlib.Path(source)
    commands = all_help(acrawl)
    version = subprocess.run([acrawl, "--version"], capture_output=True, text=True,
                             check=True).stdout.split()[-1]
    check_man(commands, (source / "docs/acrawl.1.scd").read_text(), version)
    check_metrics((source / "docs/acrawl.1.scd").read_text(), source)
    check_roff(pathlib.Path(man), source)
    check_bash(commands, (source / "completions/acrawl.bash").read_text())
    check_zsh(commands, (source / "completions/_acrawl").read_text())
    count = sum(len(c.names()) for c in commands.values())
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print(f"{count} option names of {len(commands)} commands documented and completed")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
