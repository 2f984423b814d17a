"""Invariants of the monthly close on random cooperatives (Hypothesis), through real files."""

from __future__ import annotations

import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

from beancount.core import data
from hypothesis import given
from hypothesis import strategies as st
from strategies import random_coops

from coopctl.adapter.ledger import load_books
from coopctl.app import commands as service
from coopctl.domain.money import ZERO
from coopctl.domain.months import Month
from coopctl.store.configfile import load_cooperative

OCTOBER = Month(2026, 10)
TODAY = datetime.date(2026, 11, 28)


def month_sum(entries, account_prefix: str) -> Decimal:
    total = ZERO
    for entry in entries:
        if isinstance(entry, data.Transaction) and OCTOBER.first_day <= entry.date <= OCTOBER.last_day:
            for posting in entry.postings:
                if posting.account == account_prefix or posting.account.startswith(account_prefix + ":"):
                    total += posting.units.number
    return total


@given(random_coops())
def test_close_conserves_money(coop):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        result = service.close_month(folder, OCTOBER, dry_run=False, today=TODAY)
        plan = result.plan
        books = load_books(load_cooperative(folder))
        assert [p for p in books.problems if p.severity == "error"] == []
        assert OCTOBER in books.figures.closed
        entries = books.ledger.entries

        # Σ contributions = the month's Income:Coop:Contribution
        assert plan.totals["contribution"] == -month_sum(entries, "Income:Coop:Contribution")
        # Σ (net + social) = Σ salary cost, in the plan and in the ledger
        assert plan.totals["net"] + plan.totals["social"] == plan.totals["salary_cost"]
        assert -month_sum(entries, "Liabilities:Payroll") == plan.totals["salary_cost"]
        for activity in plan.activities:
            # closing = opening + revenue - expenses - contribution - salary cost
            assert activity.closing_balance == (
                activity.opening_balance
                + activity.revenue
                - activity.expenses
                - activity.contribution
                - activity.salary_cost
            )
            # ... and it is what the ledger now says
            assert books.figures.balance(activity.activity_id, OCTOBER.last_day) == activity.closing_balance
            assert activity.advance == max(ZERO, -activity.closing_balance)
            for pay in activity.members:
                assert pay.net + pay.social == pay.cost
                assert pay.gross == pay.gross.quantize(Decimal("0.01"))


@given(random_coops())
def test_dry_run_equals_close_and_writes_nothing(coop):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        dry = service.close_month(folder, OCTOBER, dry_run=True, today=TODAY)
        assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
        real = service.close_month(folder, OCTOBER, dry_run=False, today=TODAY)
        assert dry.plan == real.plan


@given(random_coops())
def test_close_then_reopen_restores_every_byte(coop):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        before = {
            str(p.relative_to(folder)): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file() and p.name != ".coopctl.lock"
        }
        service.close_month(folder, OCTOBER, dry_run=False, today=TODAY)
        service.reopen(folder, OCTOBER)
        after = {
            str(p.relative_to(folder)): p.read_bytes()
            for p in folder.rglob("*")
            if p.is_file() and p.name != ".coopctl.lock"
        }
        assert after == before
        assert not (folder / "ledgers" / "closing").exists()


@given(
    number=st.decimals(allow_nan=False, allow_infinity=False),
    currency=st.sampled_from(["EUR", "USD", "SCOP"]),
)
def test_fingerprint_amount_text_is_beancounts_own(number, currency):
    """Fingerprints write amounts as Beancount's str(Amount) does, without its slower formatter."""
    from beancount.core.amount import Amount

    from coopctl.adapter.fingerprint import _amount_text

    amount = Amount(number, currency)
    assert _amount_text(amount) == str(amount)
