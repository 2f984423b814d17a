"""Cross-check with Beancount's own query language: BQL sums on the sample equal coopctl's numbers."""

from __future__ import annotations

from decimal import Decimal

import beanquery
from conftest import run_cli

from coopctl.adapter.ledger import load_books
from coopctl.store.configfile import load_cooperative


def bql_sum(connection, where: str) -> Decimal:
    rows = connection.execute(f"SELECT sum(number) AS total WHERE {where}").fetchall()
    return rows[0][0] if rows and rows[0][0] is not None else Decimal(0)


def test_every_activity_balance_and_the_months_contributions_agree_with_bql(sample_copy):
    coop = load_cooperative(sample_copy)
    books = load_books(coop)
    connection = beanquery.connect(
        "beancount:", entries=books.ledger.entries, options=books.ledger.options, errors=[]
    )
    members = run_cli(sample_copy, "members", "--as-of", "2026-10-31", "--format", "json").json()["members"]
    balances = {m["activity"]: Decimal(m["balance"]) for m in members}
    for activity in coop.activities:
        # the activity balance: minus every posting to its Income, Expenses and Equity accounts
        # (whole components)
        bql = -bql_sum(
            connection,
            f"account ~ '^(Income|Expenses|Equity):Activity:{activity.id}(:|$)' AND date <= 2026-10-31",
        )
        assert bql == balances[activity.id], activity.id
    report = run_cli(sample_copy, "report", "2026-09", "--format", "json").json()
    coopctl_contributions = {
        a["id"]: Decimal(a["contribution"]) for e in report["establishments"] for a in e["activities"]
    }
    for activity_id, amount in coopctl_contributions.items():
        bql = bql_sum(
            connection,
            f"account = 'Expenses:Activity:{activity_id}:Contribution' AND year = 2026 AND month = 9",
        )
        assert bql == amount, activity_id
    total = -bql_sum(connection, "account = 'Income:Coop:Contribution' AND year = 2026 AND month = 9")
    assert total == Decimal(report["totals"]["contribution"]) == sum(coopctl_contributions.values())
