#!/usr/bin/env python3
"""The include graph points one way: src -> crawler -> runtime, and inside crawler/ down the
list of rooms below. Exits 1 naming every include that points the wrong way."""
import pathlib
import re
import sys

ROOMS = ["text", "url", "html", "sitemap", "fetch", "output", "parse", "input", "frontier", "state", "metrics", "crawl"]
INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^">]+)[">]', re.M)


def main(root: pathlib.Path) -> int:
    errors = []
    for path in sorted(root.glob("runtime/**/*.[ch]pp")) + sorted(root.glob("crawler/**/*.[ch]pp")):
        rel = path.relative_to(root)
        for target in INCLUDE.findall(path.read_text()):
            top = target.split("/")[0]
            if rel.parts[0] == "runtime":
                if top in ("crawler", "src", "bench", "fixtures", "CLI"):
                    errors.append(f"{rel}: runtime includes {target}")
                continue
            if top in ("src", "bench", "fixtures", "CLI"):
                errors.append(f"{rel}: crawler includes {target}")
                continue
            if top != "crawler" or len(rel.parts) < 3:
                continue  # runtime/, system headers, crawler/config.hpp's own includes
            room = rel.parts[1]
            parts = target.split("/")
            if len(parts) < 3:
                continue  # crawler/config.hpp: shared by every room
            if parts[1] not in ROOMS or room not in ROOMS:
                errors.append(f"{rel}: unknown room in {target}")
            elif ROOMS.index(parts[1]) > ROOMS.index(room):
                errors.append(f"{rel} ({room}) includes {target} ({parts[1]}): upward")
    for e in errors:
        print(e)
    if not errors:
        print(f"layering: every include points down ({' < '.join(ROOMS)})")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".")))
