"""The include tree's one rule: what an ``include`` line of a ledger file reaches, and whether it may.

Used by the whole load (``adapter.ledger``), by the cache's freshness walk (``store.cache``) and by
close-month's question "does the main ledger include this closing file already?" (``app.closing``), so that
the three can never disagree. Patterns are Beancount's: globs relative to the including file's folder,
``**`` recursive, ``*`` and ``?`` within one path component and never matching a leading dot.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Expansion:
    """What one include pattern reaches: the files, or why it may not be followed."""

    files: list[Path] = field(default_factory=list)
    invalid: bool = False  # a NUL byte: not a path
    outside: Path | None = None  # where it leads out of the cooperative's folder (refused)
    matched: bool = True  # False: the pattern matches no file


def _full(pattern: str, including: Path) -> str:
    return pattern if os.path.isabs(pattern) else str(including.parent / pattern)


def expand(pattern: str, including: Path, root: Path) -> Expansion:
    """The files ``pattern`` (written in ``including``) reaches, sorted; refusing any way out of ``root``.

    The fixed start of the pattern (before any wildcard) is checked before anything is listed, so that
    ``include "/**/*"`` never walks the disk; each match is resolved (links followed) and checked again.
    """
    if "\x00" in pattern:
        return Expansion(invalid=True)
    full = _full(pattern, including)
    fixed = re.split(r"[*?\[]", full, maxsplit=1)[0]
    start = Path(
        full if fixed == full else (fixed if fixed.endswith(os.sep) else os.path.dirname(fixed)) or os.sep
    ).resolve()
    if not start.is_relative_to(root):
        return Expansion(outside=start)
    matches = sorted(glob.glob(full, recursive=True))
    if not matches:
        return Expansion(matched=False)
    files = []
    for match in matches:
        resolved = Path(match).resolve()
        if not resolved.is_relative_to(root):
            return Expansion(outside=resolved)
        if resolved.is_file():
            files.append(resolved)
    return Expansion(files)


def _components_match(patterns: list[str], names: list[str]) -> bool:
    if not patterns:
        return not names
    head, rest = patterns[0], patterns[1:]
    if head == "**":
        return any(
            _components_match(rest, names[i:])
            for i in range(len(names) + 1)
            if all(not n.startswith(".") for n in names[:i])
        )
    if not names:
        return False
    name = names[0]
    if name.startswith(".") and not head.startswith("."):
        return False  # as glob: a wildcard never matches a leading dot
    return fnmatch.fnmatchcase(name, head) and _components_match(rest, names[1:])


def reaches(pattern: str, including: Path, target: Path) -> bool:
    """Whether ``pattern`` (written in ``including``) would reach ``target``, even before it exists."""
    if "\x00" in pattern:
        return False
    full = Path(os.path.normpath(_full(pattern, including)))
    return _components_match(list(full.parts), list(Path(os.path.normpath(target)).parts))
