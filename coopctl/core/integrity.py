"""Closed months stay closed: what changed in a month since its close. Pure.

Two comparisons share one diff: a ledger against the fingerprints its own
closing markers recorded (``coopctl check``), and one revision's entries
against another's (``coopctl review``). Entries added and removed on the same
day are paired as "changed".
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from coopctl.domain.cooperative import Cooperative
from coopctl.domain.problems import Problem
from coopctl.adapter.fingerprint import SourceIndex, config_digest, describe, entry_fingerprint
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.months import Month

HOW_TO_CORRECT = "post the correction in the open month, or reopen the month (coopctl reopen, last closed month first)"


@dataclass(frozen=True)
class ClosedMonthChange:
    month: Month
    change: str  # "added", "changed", "removed", "config"
    entry: str  # a description: date and narration
    file: str | None = None
    line: int | None = None

    def problem(self) -> Problem:
        if self.change == "config":
            return Problem(f"closed month {self.month}: {self.entry}; revert the config (git diff config/), or reopen {self.month}",
                           self.file, self.line)
        return Problem(f"closed month {self.month}: entry {self.change} after its close: {self.entry}; {HOW_TO_CORRECT}",
                       self.file, self.line)


def _rel(filename: str | None, root: Path) -> str | None:
    if not filename:
        return None
    try:
        return str(Path(filename).resolve().relative_to(root.resolve()))
    except ValueError:
        return filename


def diff_entries(month: Month, before: list[tuple[datetime.date, str, str]], after: list, root: Path) -> list[ClosedMonthChange]:
    """Compare (date, fingerprint, description) of the month's entries before with the entries after."""
    after_prints = [(e.date, entry_fingerprint(e), e) for e in after]
    before_count = Counter((d, fp) for d, fp, _ in before)
    after_count = Counter((d, fp) for d, fp, _ in after_prints)
    removed = list((before_count - after_count).elements())
    added = list((after_count - before_count).elements())
    descriptions = {(d, fp): text for d, fp, text in before}
    changes = []
    used_added: set[int] = set()
    for day, fp in sorted(removed):
        partner = next((i for i, (d, _) in enumerate(added) if d == day and i not in used_added), None)
        if partner is not None:
            used_added.add(partner)
            new_fp = added[partner][1]
            entry = next(e for d, f, e in after_prints if d == day and f == new_fp)
            changes.append(ClosedMonthChange(month, "changed", describe(entry), _rel(entry.meta.get("filename"), root), entry.meta.get("lineno")))
        else:
            changes.append(ClosedMonthChange(month, "removed", descriptions.get((day, fp)) or f"an entry dated {day} (fingerprint {fp})"))
    for index, (day, fp) in enumerate(added):
        if index in used_added:
            continue
        entry = next(e for d, f, e in after_prints if d == day and f == fp)
        changes.append(ClosedMonthChange(month, "added", describe(entry), _rel(entry.meta.get("filename"), root), entry.meta.get("lineno")))
    return sorted(changes, key=lambda c: (str(c.month), c.entry, c.change))


def recorded_entries(month: Month, marker_meta: dict) -> list[tuple[datetime.date, str, str]] | None:
    if "sources" not in marker_meta:
        return None
    out = []
    for key, value in marker_meta.items():
        if len(key) == 3 and key[0] == "d" and key[1:].isdigit():
            day = datetime.date(month.year, month.month, int(key[1:]))
            out += [(day, fp, "") for fp in str(value).split()]
    return out


def closed_month_changes(coop: Cooperative, entries: list, figures: LedgerFigures) -> list[ClosedMonthChange]:
    """Every change to a closed month since its close, by the fingerprints its marker recorded."""
    changes: list[ClosedMonthChange] = []
    sources = SourceIndex(entries, coop.closing_dir) if figures.closed else None
    for month, marker in sorted(figures.closed.items()):
        recorded = recorded_entries(month, marker.meta)
        if recorded is None:
            continue  # a marker written before fingerprints existed
        current = sources.month(month)
        changes += diff_entries(month, recorded, current, coop.root)
        if marker.meta.get("config") and marker.meta["config"] != config_digest(coop, month):
            changes.append(ClosedMonthChange(month, "config", "the config in force (rates, salaries, phases) differs from the one its close used",
                                             marker.file, marker.line))
    return changes
