"""The options `acrawl --help` lists (CLI11's format), shared by the documentation tests."""
import re
import subprocess
from dataclasses import dataclass, field

# "  -c,--concurrency UINT:INT in [1 - 100000]=50": names, then one space and the value's type
# (an option that takes a value) or two spaces and the description (a flag).
OPTION_LINE = re.compile(r"^  (-[^\s,]+(?:,-[^\s,]+)*)( \S)?")
DEFAULT = re.compile(r"=(\S+)(?: \.\.\.)?$")


@dataclass
class Option:
    names: list          # ["-c", "--concurrency"]
    valued: bool         # takes a value
    default: str | None  # as --help shows it ("50"), or None
    group: str           # the --help group ("Options", "Following links", ...)


@dataclass
class Command:
    options: list = field(default_factory=list)
    subcommands: list = field(default_factory=list)

    def names(self):
        return [n for o in self.options for n in o.names]


def parse_help(text):
    cmd = Command()
    group = None
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            group = line[:-1]
            if group == "Examples":
                break
            continue
        if group == "Subcommands":
            m = re.match(r"^  (\S+)", line)
            if m:
                cmd.subcommands.append(m.group(1))
            continue
        m = OPTION_LINE.match(line)
        if not m or group is None or group == "Positionals":
            continue
        valued = m.group(2) is not None
        default = None
        if valued:
            # The type and default end before the description (two spaces) or the line.
            spec = line[m.end(1) + 1:].split("  ")[0].strip()
            d = DEFAULT.search(spec)
            default = d.group(1) if d else None
        cmd.options.append(Option(m.group(1).split(","), valued, default, group))
    return cmd


def help_of(acrawl, *args):
    out = subprocess.run([acrawl, *args, "--help"], capture_output=True, text=True, check=True)
    cmd = parse_help(out.stdout)
    if not cmd.options:
        raise SystemExit(f"no options found in `acrawl {' '.join(args)} --help`")
    return cmd


def all_help(acrawl):
    """{"": main command, "export": ..., "bench": ...}"""
    main = help_of(acrawl)
    commands = {"": main}
    for sub in main.subcommands:
        commands[sub] = help_of(acrawl, sub)
    return commands
