"""Unpaid invoices: which client invoices an activity is still owed, and that they add up to its receivables.

Pure: from the movements of the ``Assets:Receivable:*`` accounts (``ReceivableMove``, read from the ledger
by ``coopctl.adapter.receivables``) to the open invoices at a date.

- An **invoice** is an entry with ``invoice:`` metadata that debits a receivable account; the first such
  entry for a reference defines it (its amount is the VAT-inclusive total on the receivable).
- Any other movement of a receivable account **settles** invoices it names: by its ``invoice:`` metadata,
  by a Beancount link (``^F202610-001``, or a link the invoice entry carries too), or by the invoice's
  reference written as a word of its narration ("Règlement F202610-001"). A credit note is such an entry
  that credits the receivable. Only invoices on the same receivable account are settled.
- A credit (payment, credit note) naming several invoices is spread over them oldest first, each up to
  what it still owes; any excess stays on the last one (an overpayment shows as a negative amount due).
  A debit naming an invoice (a refund of an overpayment, a correction) goes back on the first one named.
- A movement that names no invoice of its account is **unmatched**: listed as such, so that the open
  invoices plus the unmatched movements always add up to the receivable accounts' balance.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)
# a narration's words: references are matched whole ("F2026-1" does not settle "F2026-10")
_WORD_RE = re.compile(r"[^\s,;:()\[\]{}<>«»\"'!?]+")

NO_REFERENCE = "no_reference"  # the movement names no invoice at all
OTHER_ACCOUNT = "other_account"  # it names invoices, but of another receivable account


@dataclass(frozen=True)
class ReceivableMove:
    """One entry's net movement on one receivable account."""

    date: datetime.date
    account: str
    activity: str
    amount: Decimal  # positive: owed more (an invoice), negative: a payment or credit note
    invoice: str | None  # its ``invoice:`` metadata
    links: frozenset[str]
    narration: str
    file: str | None = None
    line: int | None = None


@dataclass
class OpenInvoice:
    invoice: str
    activity: str
    account: str
    date: datetime.date
    amount: Decimal  # as invoiced
    due: Decimal  # what is still owed
    age_days: int
    narration: str
    file: str | None = None
    line: int | None = None
    settled_by: list[tuple[datetime.date, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class Unmatched:
    move: ReceivableMove
    reason: str  # NO_REFERENCE | OTHER_ACCOUNT


@dataclass(frozen=True)
class Receivables:
    as_of: datetime.date
    invoices: list[OpenInvoice]  # open ones only (due != 0), by date then reference
    unmatched: list[Unmatched]
    total: Decimal  # Σ due of the open invoices + Σ unmatched movements
    receivable_balance: Decimal  # what the receivable accounts hold at as_of (read apart, from the ledger)

    @property
    def invoices_total(self) -> Decimal:
        return sum((i.due for i in self.invoices), ZERO)

    @property
    def unmatched_total(self) -> Decimal:
        return sum((u.move.amount for u in self.unmatched), ZERO)

    @property
    def adds_up(self) -> bool:
        return self.total == self.receivable_balance


def words(narration: str) -> list[str]:
    """A narration's words, as references are looked for in it (a final full stop dropped)."""
    return [w.rstrip(".") for w in _WORD_RE.findall(narration)]


def open_invoices(
    moves: list[ReceivableMove], as_of: datetime.date, receivable_balance: Decimal
) -> Receivables:
    """The invoices still owed at ``as_of`` (movements dated later are ignored), and the movements that name
    no invoice; ``receivable_balance`` is the receivable accounts' balance the result must add up to."""
    dated = [m for m in moves if m.date <= as_of]
    dated.sort(key=lambda m: m.date)  # stable: the ledger's order within a day
    invoices: dict[str, OpenInvoice] = {}
    by_link: dict[str, str] = {}
    defining: set[int] = set()
    for index, move in enumerate(dated):
        if move.invoice and move.amount > 0 and move.invoice not in invoices:
            invoices[move.invoice] = OpenInvoice(
                move.invoice,
                move.activity,
                move.account,
                move.date,
                move.amount,
                move.amount,
                (as_of - move.date).days,
                move.narration,
                move.file,
                move.line,
            )
            defining.add(index)
            for link in move.links:
                by_link.setdefault(link, move.invoice)
    unmatched: list[Unmatched] = []
    for index, move in enumerate(dated):
        if index in defining:
            continue
        named: list[str] = []
        if move.invoice and move.invoice in invoices:
            named.append(move.invoice)
        for link in sorted(move.links):
            ref = link if link in invoices else by_link.get(link)
            if ref is not None:
                named.append(ref)
        named += [w for w in words(move.narration) if w in invoices]
        named = list(dict.fromkeys(named))
        mine = [invoices[r] for r in named if invoices[r].account == move.account]
        if not mine:
            unmatched.append(Unmatched(move, OTHER_ACCOUNT if named else NO_REFERENCE))
            continue
        mine.sort(key=lambda i: (i.date, i.invoice))
        _settle(mine, move)
    still = sorted((i for i in invoices.values() if i.due != 0), key=lambda i: (i.date, i.invoice))
    total = sum((i.due for i in still), ZERO) + sum((u.move.amount for u in unmatched), ZERO)
    return Receivables(as_of, still, unmatched, total, receivable_balance)


def _settle(named: list[OpenInvoice], move: ReceivableMove) -> None:
    if move.amount >= 0:
        named[0].due += move.amount
        named[0].settled_by.append((move.date, move.amount))
        return
    left = -move.amount
    for position, invoice in enumerate(named):
        last = position == len(named) - 1
        part = left if last else min(left, max(invoice.due, ZERO))
        if part:
            invoice.due -= part
            invoice.settled_by.append((move.date, -part))
        left -= part
        if not left:
            break
