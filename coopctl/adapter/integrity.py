"""Closed months stay closed: what changed in a month since its close. Pure.

Two comparisons share one diff: a ledger against the fingerprints its own
closing markers recorded (``coopctl check``), and one revision's entries
against another's (``coopctl review``). Entries added and removed on the same
day are paired as "changed".
"""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path

from coopctl.adapter.fingerprint import SourceIndex, config_digest, describe, entry_fingerprint, month_sources
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.figures import LedgerFigures, marker_day_key
from coopctl.domain.months import Month
from coopctl.domain.problems import ClosedMonthChange


def _rel(filename: str | None, root: Path) -> str | None:
    if not filename:
        return None
    try:
        return str(Path(filename).resolve().relative_to(root.resolve()))
    except ValueError:
        return filename


def diff_entries(
    month: Month, before: list[tuple[datetime.date, str, str]], after: list, root: Path
) -> list[ClosedMonthChange]:
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
            changes.append(
                ClosedMonthChange(
                    month,
                    "changed",
                    describe(entry),
                    _rel(entry.meta.get("filename"), root),
                    entry.meta.get("lineno"),
                )
            )
        else:
            changes.append(
                ClosedMonthChange(
                    month,
                    "removed",
                    descriptions.get((day, fp)) or f"an entry dated {day} (fingerprint {fp})",
                )
            )
    for index, (day, fp) in enumerate(added):
        if index in used_added:
            continue
        entry = next(e for d, f, e in after_prints if d == day and f == fp)
        changes.append(
            ClosedMonthChange(
                month,
                "added",
                describe(entry),
                _rel(entry.meta.get("filename"), root),
                entry.meta.get("lineno"),
                type(entry).__name__.lower(),
            )
        )
    return sorted(changes, key=lambda c: (str(c.month), c.entry, c.change))


def recorded_entries(month: Month, marker_meta: dict) -> list[tuple[datetime.date, str, str]] | None:
    if "sources" not in marker_meta:
        return None
    out = []
    for key, value in marker_meta.items():
        day_key = marker_day_key(key)
        if day_key is not None:
            day = datetime.date(month.year, month.month, int(day_key[1:]))
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
        assert sources is not None  # built whenever figures.closed has a month
        current = sources.month(month)
        changes += diff_entries(month, recorded, current, coop.root)
        if marker.meta.get("config") and marker.meta["config"] != config_digest(coop, month):
            changes.append(
                ClosedMonthChange(
                    month,
                    "config",
                    "the config in force (rates, salaries, phases) differs from the one its close used",
                    marker.file,
                    marker.line,
                )
            )
    return changes


def touched_closed_months(before, after) -> list[ClosedMonthChange]:
    """Changes between two loads (``Books``) to the months closed in the first: entries, reopening, config."""
    touched: list[ClosedMonthChange] = []
    for month in sorted(before.figures.closed):
        old = [
            (e.date, entry_fingerprint(e), describe(e))
            for e in month_sources(before.ledger.entries, month, before.coop.closing_dir)
        ]
        new = month_sources(after.ledger.entries, month, after.coop.closing_dir)
        touched += diff_entries(month, old, new, after.coop.root)
        if month not in after.figures.closed:
            touched.append(ClosedMonthChange(month, "reopened", "its closing was removed"))
        elif config_digest(before.coop, month) != config_digest(after.coop, month):
            touched.append(
                ClosedMonthChange(
                    month,
                    "config",
                    "the config in force (rates, salaries, phases) changes for this closed month",
                )
            )
    already = set(before.figures.closed)
    touched += [
        c
        for c in closed_month_changes(after.coop, after.ledger.entries, after.figures)
        if c.month not in already
    ]
    return touched
