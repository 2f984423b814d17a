"""The movements of the receivable accounts (``Assets:Receivable:*``), read from Beancount entries.

One ``core.receivables.ReceivableMove`` per transaction and receivable account (its postings there summed),
in the cooperative's currency; and, read apart, the balance of those accounts at a date: what the list of
open invoices must add up to.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from coopctl.core.receivables import ReceivableMove

RECEIVABLE = "Assets:Receivable"


def is_receivable(account: str) -> bool:
    return account == RECEIVABLE or account.startswith(RECEIVABLE + ":")


def activity_of(account: str) -> str:
    """The activity a receivable account is for (its third component), "" for ``Assets:Receivable``."""
    parts = account.split(":")
    return parts[2] if len(parts) > 2 else ""


def _relative(filename: str | None, root: Path) -> str | None:
    if not filename or filename.startswith("<"):
        return filename
    try:
        return str(Path(filename).resolve().relative_to(root.resolve()))
    except (ValueError, OSError):
        return filename


def receivable_moves(entries: list, currency: str, root: Path) -> list[ReceivableMove]:
    from beancount.core import data

    from coopctl.adapter.ledger import posting_line

    moves: list[ReceivableMove] = []
    shown: dict[str | None, str | None] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        sums: dict[str, Decimal] = {}
        for posting in entry.postings:
            units = posting.units
            if (
                is_receivable(posting.account)
                and units is not None
                and units.number is not None
                and units.currency == currency
            ):
                sums[posting.account] = sums.get(posting.account, Decimal(0)) + units.number
        if not sums:
            continue
        meta = entry.meta or {}
        invoice = meta.get("invoice")
        for account, amount in sums.items():
            if not amount:
                continue
            filename, line = posting_line(entry, account)
            if filename not in shown:  # a path resolved once per file, not per posting
                shown[filename] = _relative(filename, root)
            moves.append(
                ReceivableMove(
                    entry.date,
                    account,
                    activity_of(account),
                    amount,
                    str(invoice) if invoice is not None else None,
                    frozenset(entry.links or ()),
                    entry.narration or "",
                    shown[filename],
                    line,
                )
            )
    return moves


def receivable_balance(
    entries: list, currency: str, as_of: datetime.date, activities: set[str] | None
) -> Decimal:
    """Σ of the postings to the receivable accounts up to ``as_of`` (of ``activities`` only, if given)."""
    from beancount.core import data

    total = Decimal(0)
    for entry in entries:
        if not isinstance(entry, data.Transaction) or entry.date > as_of:
            continue
        for posting in entry.postings:
            units = posting.units
            if (
                is_receivable(posting.account)
                and units is not None
                and units.number is not None
                and units.currency == currency
                and (activities is None or activity_of(posting.account) in activities)
            ):
                total += units.number
    return total
