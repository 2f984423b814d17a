"""``coopctl receivables``: the unpaid invoices at a date, of the cooperative, an activity or a member's."""

from __future__ import annotations

import datetime
from pathlib import Path

from coopctl.adapter.ledger import load_books, require_clean
from coopctl.adapter.receivables import receivable_balance, receivable_moves
from coopctl.app.commands import open_cooperative
from coopctl.core.receivables import Receivables, open_invoices
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.problems import N_, NotFound


def activities_named(coop: Cooperative, who: str | None) -> set[str] | None:
    """The activities ``who`` names: an activity id, or a member's activity; None for all."""
    if who is None:
        return None
    if any(a.id == who for a in coop.activities):
        return {who}
    if any(m.id == who for m in coop.members):
        return {coop.member(who).activity}
    raise NotFound.of(
        "not_found.activity_or_member",
        N_("{name} is neither an activity (config/activities.yaml) nor a member (config/members.yaml)"),
        name=repr(who),
    )


def receivables(root: Path | None, as_of: datetime.date, who: str | None) -> Receivables:
    coop = open_cooperative(root)
    chosen = activities_named(coop, who)
    books = load_books(coop)
    require_clean(books)
    return receivables_of(coop, books.ledger.entries, as_of, chosen)


def receivables_of(
    coop: Cooperative, entries: list, as_of: datetime.date, chosen: set[str] | None = None
) -> Receivables:
    currency = coop.coop.currency
    moves = receivable_moves(entries, currency, coop.root)
    if chosen is not None:
        moves = [m for m in moves if m.activity in chosen]
    return open_invoices(moves, as_of, receivable_balance(entries, currency, as_of, chosen))
