"""Fingerprints of a closed month: what its close was computed from.

A closed month's marker records one short fingerprint per source entry (every
entry dated in the month that close-month did not write), grouped by day, plus
a digest of them all and a digest of the config in force for the month. The
canonical form of an entry ignores file layout, line numbers, whitespace,
and the order of postings, so
moving an entry or reformatting a file changes nothing, while any change to
what an entry says changes its fingerprint.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from coopctl.domain.cooperative import ContributionEntry, Cooperative, in_force
from coopctl.domain.months import Month

FINGERPRINT_LENGTH = 10  # hex digits: 40 bits, collisions negligible for a month's entries


def _number(value: Any) -> str:
    return str(value)  # a number as written: "10" and "10.00" differ, as the text does


_SKIP_META = frozenset(("filename", "lineno"))


def _meta(meta: dict | None) -> tuple:
    if not meta:
        return ()
    return tuple(
        sorted((k, _number(v)) for k, v in meta.items() if k not in _SKIP_META and not k.startswith("__"))
    )


def _amount_text(amount) -> str:
    """``str(amount)`` of a Beancount Amount, without its display-context lookup: Beancount's default
    formatter is ``"{:f}"`` for every currency (tests check the two agree)."""
    number = amount.number
    if type(number) is Decimal:
        return f"{number:f} {amount.currency}"
    return str(amount)


def canonical_entry(entry) -> str:
    from beancount.core import data
    from beancount.parser import printer

    if isinstance(entry, data.Transaction):
        postings = sorted(
            (
                p.account,
                _amount_text(p.units),
                str(p.cost) if p.cost is not None else "",
                _amount_text(p.price) if p.price is not None else "",
                p.flag or "",
                _meta(p.meta),
            )
            for p in entry.postings
        )
        return repr(
            (
                "txn",
                entry.date.isoformat(),
                entry.flag,
                entry.payee or "",
                entry.narration or "",
                tuple(sorted(entry.tags or ())),
                tuple(sorted(entry.links or ())),
                _meta(entry.meta),
                tuple(postings),
            )
        )
    stripped = entry._replace(meta={k: v for k, v in (entry.meta or {}).items() if k not in _SKIP_META})
    return " ".join(printer.format_entry(stripped).split())


def entry_fingerprint(entry) -> str:
    return hashlib.sha256(canonical_entry(entry).encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


class SourceIndex:
    """The ledger's entries that coopctl did not write (``ownfiles``), bucketed by month (built once)."""

    def __init__(self, entries: list, closing_dir: Path) -> None:
        from coopctl.adapter.ownfiles import OwnFiles

        own_files = OwnFiles(closing_dir.parent)
        self.by_month: dict[Month, list] = defaultdict(list)
        for entry in entries:
            if own_files.is_source((entry.meta or {}).get("filename")):
                self.by_month[Month.of(entry.date)].append(entry)

    def month(self, month: Month) -> list:
        return self.by_month.get(month, [])


def month_sources(entries: list, month: Month, closing_dir: Path) -> list:
    """The entries dated in ``month`` that close-month did not write, read from the ledger's own files."""
    return SourceIndex(
        [e for e in entries if month.first_day <= e.date <= month.last_day], closing_dir
    ).month(month)


def full_fingerprints(entries: list) -> list[tuple[datetime.date, str]]:
    """Each entry's date and the whole SHA-256 of its canonical form, computed once for both uses below
    (the short fingerprint is its first characters)."""
    return [(e.date, hashlib.sha256(canonical_entry(e).encode("utf-8")).hexdigest()) for e in entries]


def fingerprints_by_day(
    entries: list, full: list[tuple[datetime.date, str]] | None = None
) -> dict[datetime.date, list[str]]:
    days: dict[datetime.date, list[str]] = defaultdict(list)
    for day, whole in full if full is not None else full_fingerprints(entries):
        days[day].append(whole[:FINGERPRINT_LENGTH])
    return {day: sorted(prints) for day, prints in sorted(days.items())}


def full_digest(entries: list, full: list[tuple[datetime.date, str]] | None = None) -> str:
    """SHA-256 over the full (not shortened) fingerprints of ``entries``: what a closing seals its sources
    with.

    The short fingerprints name entries in messages; 40 bits can be collided on purpose in seconds, so the
    seal itself uses every bit.
    """
    lines = sorted(
        f"{day.isoformat()} {whole}"
        for day, whole in (full if full is not None else full_fingerprints(entries))
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def sources_digest(by_day: dict[datetime.date, list[str]]) -> str:
    text = "\n".join(f"{day.isoformat()} {' '.join(prints)}" for day, prints in sorted(by_day.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _until(day, month: Month) -> str | None:
    """A date that matters to ``month``'s close only if it falls on or before the month's end."""
    return str(day) if day is not None and day <= month.last_day else None


def config_digest(coop: Cooperative, month: Month) -> str:
    """A digest of what the close of ``month`` takes from the config: rates, payroll, members' pay."""

    def dump(model) -> object:
        if model is None:
            return None
        found = model.model_dump(mode="json", by_alias=True)
        # the gross-margin keys (issue 17) at their defaults are left out: closings made before them keep
        # their digest
        for key, default in (("base", "revenue"), ("fixed_monthly", None), ("purchase_accounts", None)):
            if key in found and found[key] == default and isinstance(model, ContributionEntry):
                del found[key]
        return found

    members = [m for m in coop.members if m.joined <= month.last_day]
    active = {m.activity for m in members}
    doc = {
        "currency": coop.coop.currency,
        "cap": coop.coop.treasury.advance_cap_months,
        "contribution": dump(in_force(coop.coop.contribution, month.last_day)),
        "payroll": dump(in_force(coop.coop.payroll, month.last_day)),
        "activities": sorted(
            [
                a.id,
                str(a.contribution_rate) if a.contribution_rate is not None else None,
                dump(in_force(a.contribution, month.last_day)) if a.contribution else None,
                str(a.started),
            ]
            for a in coop.activities
            if a.id in active
        ),
        "members": sorted(
            [
                m.id,
                m.activity,
                str(m.joined),
                _until(m.cesa_from, month),
                _until(m.left, month),
                [[str(s.start), str(s.gross), str(s.hours)] for s in m.salary if s.start <= month.last_day],
                [[b.month, str(b.gross)] for b in m.bonuses if b.month <= str(month)],
            ]
            for m in members
        ),
    }
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:16]


def describe(entry) -> str:
    """A short human description of an entry: its date and narration (or type)."""
    from beancount.core import data

    if isinstance(entry, data.Transaction):
        who = f"{entry.payee} — " if entry.payee else ""
        return f'{entry.date} "{who}{entry.narration}"'
    account = getattr(entry, "account", None)  # open, close, balance, note, document: name the account
    return f"{entry.date} {type(entry).__name__.lower()}" + (
        f" {account}" if isinstance(account, str) else ""
    )
