"""The ledger's transactions as plain values for the accountant's exports (FEC, VAT return).

Beancount's entries become ``core.fec.FecTxn`` (date, texts, postings as weights in the cooperative's
currency) and its ``open`` directives ``core.fec.OpenAccount`` (``pcg:`` metadata and where the directive
is). coopctl's own year-close entries are recognised by the file they are in (``ownfiles``), never by their
metadata.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from coopctl.adapter.ownfiles import YEAR_CLOSE, OwnFiles
from coopctl.core.fec import FecPosting, FecTxn, OpenAccount
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.money import ZERO
from coopctl.domain.problems import N_, Problem


def _rel(filename: str | None, root: Path) -> str | None:
    if not filename or filename.startswith("<"):
        return None
    try:
        return str(Path(filename).resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return filename


def _meta_text(meta: dict, key: str) -> str | None:
    value = meta.get(key)
    if value is None or isinstance(value, bool):
        return None
    return str(value)


def open_accounts(coop: Cooperative, entries: list) -> dict[str, OpenAccount]:
    """Each opened account with its ``pcg:`` and ``pcg_label:`` metadata and its directive's place."""
    from beancount.core import data

    found: dict[str, OpenAccount] = {}
    for entry in entries:
        if isinstance(entry, data.Open) and entry.account not in found:
            meta = entry.meta or {}
            found[entry.account] = OpenAccount(
                entry.account,
                _meta_text(meta, "pcg"),
                _meta_text(meta, "pcg_label"),
                _rel(meta.get("filename"), coop.root),
                meta.get("lineno"),
            )
    return found


def year_transactions(
    coop: Cooperative, entries: list, year: int
) -> tuple[list[FecTxn], dict[str, Decimal], list[Problem]]:
    """The year's transactions as plain values (Beancount's order), without coopctl's year-close entries
    of that year; every account's balance at the end of the year before (year-close entries included);
    and the problems met (a posting whose weight is not in the cooperative's currency)."""
    from beancount.core import convert, data

    currency = coop.coop.currency
    own = OwnFiles(coop.ledger_path.parent)
    start = datetime.date(year, 1, 1)
    txns: list[FecTxn] = []
    before: dict[str, Decimal] = {}
    problems: list[Problem] = []
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date.year > year:
            continue
        meta = entry.meta or {}
        filename = meta.get("filename")
        postings = []
        for posting in entry.postings:
            if posting.units is None or posting.units.number is None:
                continue
            weight = convert.get_weight(posting)
            if weight.currency != currency:
                problems.append(
                    Problem.of(
                        "fec.currency",
                        N_("posting to {account} weighs {currency}, not the cooperative's currency"),
                        file=_rel(filename, coop.root),
                        line=meta.get("lineno"),
                        account=posting.account,
                        currency=weight.currency,
                    )
                )
                continue
            foreign = posting.units.currency != currency
            postings.append(
                FecPosting(
                    posting.account,
                    weight.number,
                    posting.units.number if foreign else None,
                    posting.units.currency if foreign else None,
                )
            )
        if entry.date < start:
            for p in postings:
                before[p.account] = before.get(p.account, ZERO) + p.amount
            continue
        kind = own.kind(filename)
        if kind is not None and kind.kind == YEAR_CLOSE:
            continue  # the income and expenses carried into the reserves: not in the FEC
        piece = _meta_text(meta, "invoice") or _meta_text(meta, "piece")
        if piece is None and entry.links:
            piece = sorted(entry.links)[0]
        txns.append(
            FecTxn(
                entry.date,
                entry.narration or "",
                tuple(postings),
                entry.payee or None,
                _meta_text(meta, "journal"),
                piece,
                _rel(filename, coop.root),
                meta.get("lineno"),
            )
        )
    return txns, before, problems
