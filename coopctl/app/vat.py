"""``coopctl vat PERIOD``: the VAT collected and deductible of a month, a quarter or a year."""

from __future__ import annotations

from pathlib import Path

from coopctl.adapter.ledger import load_books, require_clean
from coopctl.adapter.postings import open_accounts, year_transactions
from coopctl.app.commands import open_cooperative
from coopctl.core.fec import ChartEntry, chart_entry
from coopctl.core.vat import Period, VatReturn, vat_return
from coopctl.domain.problems import LedgerError


def vat(root: Path | None, period: Period) -> VatReturn:
    coop = open_cooperative(root)
    books = load_books(coop, period.year)
    require_clean(books)
    entries = books.ledger.entries
    opened = open_accounts(coop, entries)
    txns, _before, problems = year_transactions(coop, entries, period.year)
    if problems:
        raise LedgerError(problems)
    activity_names = {a.id: a.name for a in coop.activities}
    member_names = {m.id: m.name for m in coop.members}
    chart: dict[str, ChartEntry | None] = {
        account: chart_entry(account, opened.get(account), activity_names, member_names)
        for account in {p.account for t in txns for p in t.postings}
    }
    return vat_return(period, txns, chart)
