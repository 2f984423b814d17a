"""Issue 16, item 6: ``balance`` projects the open month as its close will book it (``projected_closing``).

Hand-worked on DESIGN §5's worked example (month 2026-10; its reserves brought forward are dated 1 October
so that October is the first open month): BoisNomade brings in 1200.00, earns 4000.00, spends 350.00,
pays a contribution of 400.00 (10 %) and alice's salary cost 2698.00 (1900.00 + 42 %):
1200.00 + 4000.00 − 350.00 − 400.00 − 2698.00 = 1752.00. AtelierCommun:
−100.00 + 2500.00 − 250.00 − (1846.00 + 1136.00) = −832.00. DanDesign (dan is CAPE, no salary):
333.25 − 33.33 = 299.92.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import EXAMPLE_LEDGER, run_cli, write_coop

LEDGER = EXAMPLE_LEDGER.replace(
    '2026-09-30 * "Reserves brought forward"', '2026-10-01 * "Reserves brought forward"'
)


@pytest.fixture
def example(tmp_path):
    return write_coop(tmp_path / "coop", ledger=LEDGER)


@pytest.mark.parametrize(
    "member, activity, expected",
    [("alice", "BoisNomade", "1752.00"), ("bob", "AtelierCommun", "-832.00"), ("dan", "DanDesign", "299.92")],
)
def test_projected_closing_of_the_worked_example(example, member, activity, expected):
    data = run_cli(example, "balance", member, "--format", "json").json()
    assert (data["projected_month"], data["projected_closing"]) == ("2026-10", expected)
    # the balance itself books no contribution or salary yet
    assert data["balance"] != expected
    # the same figure as report for that month
    report = run_cli(example, "report", "2026-10", "--format", "json").json()
    row = next(a for e in report["establishments"] for a in e["activities"] if a["id"] == activity)
    assert row["closing_balance"] == expected


def test_alice_projection_in_detail_and_in_words(example):
    data = run_cli(example, "balance", "alice", "--format", "json").json()
    assert data["projection"] == {
        "month": "2026-10",
        "opening_balance": "0.00",
        "revenue": "4000.00",
        "expenses": "350.00",
        "contribution": "400.00",
        "salary_cost": "2698.00",
        "other": "1200.00",
        "closing_balance": "1752.00",
    }
    table = run_cli(example, "balance", "alice")
    assert table.exit_code == 0, table.stderr
    assert (
        "Projected balance of BoisNomade once 2026-10 is closed: 1,752.00 (the contribution 400.00 on the "
        "revenue so far and the salary cost 2,698.00 the close will book)." in " ".join(table.stdout.split())
    )


def test_the_projection_is_what_the_close_then_books(example):
    projected = run_cli(example, "balance", "bob", "--format", "json").json()["projected_closing"]
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    after = run_cli(example, "balance", "bob", "--as-of", "2026-10-31", "--format", "json").json()
    assert after["balance"] == projected == "-832.00"
    # October closed, November open with no revenue: its close will book bob's and chloe's salaries again,
    # −832.00 − (1846.00 + 1136.00) = −3814.00
    data = run_cli(example, "balance", "bob", "--format", "json").json()
    assert (data["projected_month"], data["projected_closing"]) == ("2026-11", "-3814.00")


def test_a_day_in_a_closed_month_has_nothing_to_project(example):
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    data = run_cli(example, "balance", "alice", "--as-of", "2026-10-31", "--format", "json").json()
    assert data["projected_month"] is None and data["projected_closing"] is None
    assert "Projected balance" not in run_cli(example, "balance", "alice", "--as-of", "2026-10-31").stdout


def test_a_hand_posted_salary_counts_in_the_projection(example):
    """A salary correction posted by hand in the open month (e.g. a payroll import) is in the projection
    and in the report alike: 1752.00 − (100.00 + 42.00) = 1610.00."""
    main = example / "ledgers" / "main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8")
        + """
2026-10-20 * "Correction de paie"
  Expenses:Activity:BoisNomade:Salary:Gross      100.00 EUR
  Expenses:Activity:BoisNomade:Salary:Employer    42.00 EUR
  Liabilities:Payroll:Net                        -78.00 EUR
  Liabilities:Payroll:Social                     -64.00 EUR
""",
        encoding="utf-8",
    )
    main.write_text(
        main.read_text(encoding="utf-8").replace(
            "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n",
            "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n"
            "2020-01-01 open Expenses:Activity:BoisNomade:Salary:Gross EUR\n"
            "2020-01-01 open Expenses:Activity:BoisNomade:Salary:Employer EUR\n"
            "2020-01-01 open Liabilities:Payroll:Net EUR\n"
            "2020-01-01 open Liabilities:Payroll:Social EUR\n",
        ),
        encoding="utf-8",
    )
    data = run_cli(example, "balance", "alice", "--format", "json").json()
    assert data["projected_closing"] == "1610.00"
    assert data["projection"]["other"] == "1058.00"  # 1200.00 brought in − 142.00 booked by hand
    report = run_cli(example, "report", "2026-10", "--format", "json").json()
    row = next(a for e in report["establishments"] for a in e["activities"] if a["id"] == "BoisNomade")
    assert row["closing_balance"] == "1610.00"


def test_sample_every_member_projection_equals_the_report(sample_copy):
    report = run_cli(sample_copy, "report", "2026-10", "--format", "json").json()
    closing = {a["id"]: a["closing_balance"] for e in report["establishments"] for a in e["activities"]}
    members = run_cli(sample_copy, "members", "--format", "json").json()
    rows = members["members"] if isinstance(members, dict) else members
    checked = 0
    for row in rows:
        member = row.get("id") or row.get("member")
        data = run_cli(sample_copy, "balance", member, "--format", "json").json()
        assert data["projected_month"] == "2026-10"
        assert data["projected_closing"] == closing[data["activity"]], member
        checked += 1
    assert checked >= 10
    # BoisNomade, by hand: 16,520.40 + 3,460.50 − 432.21 − 276.84 − 3,578.63 = 15,693.22
    alice = run_cli(sample_copy, "balance", "alice", "--format", "json").json()
    assert Decimal(alice["projected_closing"]) == Decimal("15693.22")
