"""The files coopctl writes, recognised by where they are, never by what they say.

coopctl trusts an entry as its own (a close marker, a salary it booked, a year-end transfer) only when it
stands in one of the files below, under the ledger's folder, at the name coopctl gives it; ``check`` then
proves each of those files by writing it again (``coopctl.app.recompute``). The same marker or metadata
anywhere else is an error, never a way to make a month look closed.

- ``closing/YYYY-MM.beancount``: the close of a month (``close-month``);
- ``closing/YYYY-year.beancount``: the close of a year (``close-year``);
- ``closing/YYYY-MM-DD-surplus-YYYY.beancount``: the general assembly's split of a year's result;
- ``openings/YYYY.beancount``: the balances a year opens with (never included; read by year-scoped loads).

Any other file under ``closing/`` or ``openings/`` is an error: nobody but coopctl writes there.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path

from coopctl.domain.months import Month

MONTH_CLOSE, YEAR_CLOSE, SURPLUS, OPENING = "month-close", "year-close", "surplus", "opening"
# the metadata keys by which coopctl's own entries say what they are; refused on any other entry
OWN_META_KEYS = ("close", "close_year", "surplus", "opening")

_MONTH_RE = re.compile(r"(\d{4})-(\d{2})\.beancount")
_YEAR_RE = re.compile(r"(\d{4})-year\.beancount")
_SURPLUS_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})-surplus-(\d{4})\.beancount")
_OPENING_RE = re.compile(r"(\d{4})\.beancount")


@dataclass(frozen=True)
class OwnFile:
    """What a file coopctl writes is: its kind and the period it is for."""

    kind: str
    month: Month | None = None  # MONTH_CLOSE
    year: int | None = (
        None  # YEAR_CLOSE, SURPLUS (the year whose result is split), OPENING (the year it opens)
    )
    day: datetime.date | None = None  # SURPLUS: the general assembly's date


def classify(name: str, folder: str) -> OwnFile | None:
    """The kind of a file named ``name`` in ``folder`` ("closing" or "openings"), or None if it is not one."""
    if folder == "closing":
        if (m := _MONTH_RE.fullmatch(name)) and 1 <= int(m.group(2)) <= 12 and 1900 < int(m.group(1)) < 3000:
            return OwnFile(MONTH_CLOSE, month=Month(int(m.group(1)), int(m.group(2))))
        if (m := _YEAR_RE.fullmatch(name)) and 1900 < int(m.group(1)) < 3000:
            return OwnFile(YEAR_CLOSE, year=int(m.group(1)))
        if m := _SURPLUS_RE.fullmatch(name):
            try:
                day = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                return None
            if 1900 < int(m.group(4)) < 3000:
                return OwnFile(SURPLUS, year=int(m.group(4)), day=day)
        return None
    if folder == "openings" and (m := _OPENING_RE.fullmatch(name)) and 1900 < int(m.group(1)) < 3000:
        return OwnFile(OPENING, year=int(m.group(1)))
    return None


class OwnFiles:
    """Answers "is this file one coopctl writes, and which?" for the files of one cooperative (memoised)."""

    def __init__(self, ledger_dir: Path) -> None:
        self.ledger_dir = ledger_dir.resolve()
        self.closing = self.ledger_dir / "closing"
        self.openings = self.ledger_dir / "openings"
        self._known: dict[str, tuple[OwnFile | None, bool]] = {}

    def lookup(self, filename: str | None) -> tuple[OwnFile | None, bool]:
        """(what the file is, whether it lies in closing/ or openings/ at all) for an entry's ``filename``."""
        if not filename or filename.startswith("<"):
            return None, False
        found = self._known.get(filename)
        if found is None:
            path = Path(filename)
            try:
                path = path.resolve()
            except (OSError, RuntimeError):
                pass
            parent = path.parent
            if parent == self.closing:
                found = (classify(path.name, "closing"), True)
            elif parent == self.openings:
                found = (classify(path.name, "openings"), True)
            elif parent.is_relative_to(self.closing) or parent.is_relative_to(self.openings):
                found = (None, True)
            else:
                found = (None, False)
            self._known[filename] = found
        return found

    def kind(self, filename: str | None) -> OwnFile | None:
        return self.lookup(filename)[0]

    def is_source(self, filename: str | None) -> bool:
        """Whether an entry from ``filename`` is one a person wrote (not coopctl, not synthesised by
        Beancount)."""
        if not filename or filename.startswith("<"):
            return False
        return self.kind(filename) is None


def on_disk(ledger_dir: Path) -> tuple[dict[Path, OwnFile], list[Path]]:
    """The files under closing/ and openings/: coopctl's (by path) and anything else found there."""
    own: dict[Path, OwnFile] = {}
    strangers: list[Path] = []
    for folder_name in ("closing", "openings"):
        folder = ledger_dir / folder_name
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_dir() and not path.is_symlink():
                continue
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                continue  # a temporary file of an interrupted write: check warns about it elsewhere
            kind = (
                classify(path.name, folder_name)
                if path.parent == folder and path.is_file() and not path.is_symlink()
                else None
            )
            if kind is None:
                strangers.append(path)
            else:
                own[path] = kind
    return own, strangers
