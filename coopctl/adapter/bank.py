"""Bank statement lines in the ledger: the text ``coopctl import bank`` writes, and what it reads back (the
identities already imported, the accounts open).

Each line is one transaction, its label as the narration (through ``quote``: a label can never end the
string or start a directive), its identity as ``bank_id:`` metadata; a line that settles an invoice carries
the invoice's link (``^F202610-001``) and, when it settles one invoice, ``invoice:`` metadata.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from coopctl.adapter.text import quote
from coopctl.core.bank import Booking
from coopctl.domain.money import fmt_amount

LINK_RE = re.compile(r"[A-Za-z0-9\-_/.]+\Z")  # what Beancount accepts after ^
HEADER = (
    "; Bank statement lines of {month}, written by coopctl import bank (bank_id: each line's identity;\n"
    "; importing a statement again adds only its new lines). A line left on {suspense} waits to be\n"
    "; classified: replace that account by the right one.\n"
)


def file_header(month: str, suspense: str) -> str:
    return HEADER.format(month=month, suspense=suspense)


def booking_text(booking: Booking, bank_account: str, currency: str) -> str:
    line = booking.line
    links = "".join(f" ^{ref}" for ref in booking.invoices if LINK_RE.match(ref))
    out = [f"{line.date.isoformat()} * {quote(line.label)}{links}", f"  bank_id: {quote(line.bank_id)}"]
    if len(booking.invoices) == 1:
        out.append(f"  invoice: {quote(booking.invoices[0])}")
    postings = [(bank_account, line.amount), *booking.postings]
    width = max(len(account) for account, _ in postings)
    amounts = [fmt_amount(amount) for _, amount in postings]
    number_width = max(len(a) for a in amounts)
    for (account, _), amount in zip(postings, amounts):
        out.append(f"  {account.ljust(width)}  {amount.rjust(number_width)} {currency}")
    return "\n".join(out) + "\n"


def open_text(day: datetime.date, account: str, currency: str) -> str:
    return f"{day.isoformat()} open {account} {currency}\n"


def imported_ids(entries: list) -> set[str]:
    """The ``bank_id`` of every transaction in the ledger."""
    from beancount.core import data

    return {
        str(entry.meta["bank_id"])
        for entry in entries
        if isinstance(entry, data.Transaction) and entry.meta and "bank_id" in entry.meta
    }


def imported_entries(entries: list) -> dict[str, object]:
    """The transaction of each ``bank_id`` in the ledger (the first, when two carry it)."""
    from beancount.core import data

    found: dict[str, object] = {}
    for entry in entries:
        if isinstance(entry, data.Transaction) and entry.meta and "bank_id" in entry.meta:
            found.setdefault(str(entry.meta["bank_id"]), entry)
    return found


def posts(entry, account: str, day: datetime.date, amount: Decimal) -> bool:
    """Whether ``entry`` is dated ``day`` and posts ``amount`` on ``account`` (what a bank line imported as
    it says)."""
    return entry.date == day and any(
        p.account == account and p.units is not None and p.units.number == amount for p in entry.postings
    )


def opened_accounts(entries: list) -> dict[str, datetime.date]:
    from beancount.core import data

    return {entry.account: entry.date for entry in entries if isinstance(entry, data.Open)}


def suspense_postings(entries: list, account: str) -> list[tuple[object, Decimal]]:
    """(entry, amount) of each posting to ``account``, in the ledger's order."""
    from beancount.core import data

    found: list[tuple[object, Decimal]] = []
    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                if (
                    posting.account == account
                    and posting.units is not None
                    and posting.units.number is not None
                ):
                    found.append((entry, posting.units.number))
    return found
