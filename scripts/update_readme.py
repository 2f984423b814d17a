"""Fill the README's example outputs with real ones, run on the sample cooperative.

A block to fill is a fenced code block right after a line ``<!-- coopctl: ARGS -->``;
it becomes ``$ coopctl ARGS`` followed by what the command prints (and ``[exit N]``
when it fails). Outputs are taken 120 columns wide, without colour.

    python scripts/update_readme.py          # rewrite README.md
    python scripts/update_readme.py --check  # exit 1 if README.md is not current
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"^<!-- coopctl: ([^\n]*) -->\n```[a-z]*\n.*?^```\n", re.S | re.M)


def run(args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPCTL_")}
    env.update(COLUMNS="120", NO_COLOR="1", TERM="dumb", COOPCTL_LANG="en")
    proc = subprocess.run([sys.executable, "-m", "coopctl", *shlex.split(args)], cwd=ROOT, capture_output=True, text=True, env=env)
    out = "".join(line.rstrip() + "\n" for line in (proc.stdout + proc.stderr).splitlines())
    if proc.returncode:
        out += f"[exit {proc.returncode}]\n"
    return out


EXCERPT = re.compile(r"^<!-- excerpt: ([^\n]*) -->\n```[a-z]*\n.*?^```\n", re.S | re.M)


def excerpt(rel: str) -> str:
    """The head of a closing file: its marker with three days of fingerprints, then its first transactions."""
    lines = (ROOT / rel).read_text(encoding="utf-8").splitlines()
    if not any(line.startswith("  d") for line in lines):  # a year's close: its marker and first transfers
        first_txn = next(i for i, line in enumerate(lines) if " * " in line)
        return "\n".join(lines[: first_txn + 18]) + "\n"
    first_day = next(i for i, line in enumerate(lines) if line.startswith("  d"))
    first_txn = next(i for i, line in enumerate(lines) if " * " in line)
    head = lines[: first_day + 3] + ["  …   (one line of fingerprints per day with entries)", ""] + lines[first_txn: first_txn + 12]
    return "\n".join(head) + "\n"


def render(text: str) -> str:
    def fill(match: re.Match) -> str:
        args = match.group(1)
        return f"<!-- coopctl: {args} -->\n```\n$ coopctl {args}\n{run(args)}```\n"

    def fill_excerpt(match: re.Match) -> str:
        return f"<!-- excerpt: {match.group(1)} -->\n```beancount\n{excerpt(match.group(1))}```\n"

    return EXCERPT.sub(fill_excerpt, MARKER.sub(fill, text))


def main() -> int:
    readme = ROOT / "README.md"
    current = readme.read_text(encoding="utf-8")
    fresh = render(current)
    if "--check" in sys.argv:
        return 0 if fresh == current else 1
    readme.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
