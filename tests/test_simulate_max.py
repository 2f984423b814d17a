"""Issue 16, item 5: ``coopctl simulate MEMBER --max [--months N]``.

Hand-worked on DESIGN §5's worked example (flat rates: employer 42 %, employee 22 %, contribution 10 %),
September and October 2026 closed (today is after both):

- BoisNomade (alice): September books only alice's salary cost 2698.00 on the 1200.00 brought in
  (−1498.00); October: + 4000.00 − 350.00 − 400.00 − 2698.00 = −946.00, the balance today.
  Margins: September 0.00, October 4000.00 − 350.00 − 400.00 = 3250.00; average over the 2 closed
  months 1625.00. Over 6 months: available = −946.00 + 6 × 1625.00 = 8804.00, so a month's cost may be
  1467.33: gross 1033.33 costs 1033.33 + 434.00 (433.9986) = 1467.33, × 6 = 8803.98 ≤ 8804.00; one cent
  more costs 1467.34 (434.0028 → 434.00), × 6 = 8804.04 > 8804.00. max_gross 1033.33, under alice's
  minimum 12.02 × 151.67 = 1823.07.
  Over 1 month: available = −946.00 + 1625.00 = 679.00; 478.17 + 200.83 (200.8314) = 679.00 ≤ 679.00;
  478.18 + 200.84 (200.8356) = 679.02 > 679.00. max_gross 478.17.
- AtelierCommun (bob): −100.00 − 2982.00 (September) + 2500.00 − 250.00 − 2982.00 = −3814.00; margins 0.00
  and 2250.00, average 1125.00. Over 1 month: −3814.00 + 1125.00 = −2689.00 ≤ 0: max_gross 0.00.
  Over 6 months: −3814.00 + 6750.00 = 2936.00: 344.60 + 144.73 (144.732) = 489.33, × 6 = 2935.98 ≤ 2936.00;
  344.61 + 144.74 (144.7362) = 489.35, × 6 = 2936.10 > 2936.00. max_gross 344.60.
- No month closed: available is alice's balance alone, 1200.00 + 4000.00 − 350.00 = 4850.00; over 6 months
  808.33 a month: 569.24 + 239.08 (239.0808) = 808.32, × 6 = 4849.92 ≤ 4850.00; 569.25 + 239.09 (239.085,
  half-up) = 808.34, × 6 = 4850.04 > 4850.00. max_gross 569.24.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from coopctl.core.payroll import contract_pay
from coopctl.core.simulate_max import largest_covered
from coopctl.domain.cooperative import PayrollEntry

D = Decimal


@pytest.fixture
def closed(example):
    for month in ("2026-09", "2026-10"):
        run = run_cli(example, "close-month", month)
        assert run.exit_code == 0, run.stderr
    return example


def _max(root, member, *extra):
    run = run_cli(root, "simulate", member, "--max", *extra, "--format", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()


def test_alice_over_six_months_by_hand(closed):
    data = _max(closed, "alice")
    assert data["months"] == 6
    assert (data["balance"], data["average_margin"], data["available"]) == ("-946.00", "1625.00", "8804.00")
    assert [(m["month"], m["margin"]) for m in data["margin_months"]] == [
        ("2026-09", "0.00"),
        ("2026-10", "3250.00"),
    ]
    # net: 1033.33 − 227.33 (0.22 × 1033.33 = 227.3326)
    assert (data["max_gross"], data["cost"], data["net"]) == ("1033.33", "1467.33", "806.00")
    assert (data["minimum_gross"], data["under_minimum"]) == ("1823.07", True)
    table = run_cli(closed, "simulate", "alice", "--max")
    assert table.exit_code == 0, table.stderr
    text = " ".join(table.stdout.split())
    assert "Only 2 closed month(s) to average the margin on" in text
    assert "Below the minimum wage: 151.67 h a month need at least 1,823.07 gross." in text
    assert "6 months of a gross of 1,033.33 cost 8,803.98, within the 8,804.00 available" in text


def test_alice_over_one_month_and_the_cent_above(closed):
    data = _max(closed, "alice", "--months", "1")
    assert (data["available"], data["max_gross"]) == ("679.00", "478.17")
    # independently, through simulate --gross: the answer is covered and one cent more is not
    for gross, covered in (("478.17", True), ("478.18", False)):
        cost = D(run_cli(closed, "simulate", "alice", "--gross", gross, "--format", "json").json()["cost"])
        assert (cost <= D("679.00")) is covered


def test_nothing_available_gives_zero_and_says_so(closed):
    data = _max(closed, "bob", "--months", "1")
    assert (data["available"], data["max_gross"], data["cost"]) == ("-2689.00", "0.00", "0.00")
    text = " ".join(run_cli(closed, "simulate", "bob", "--max", "--months", "1").stdout.split())
    assert "Nothing is available over 1 months (-2,689.00)" in text
    data = _max(closed, "bob", "--months", "6")
    assert (data["available"], data["max_gross"], data["minimum_gross"]) == ("2936.00", "344.60", "1202.00")


def test_no_closed_month_the_balance_alone(example):
    data = _max(example, "alice")
    assert data["margin_months"] == [] and data["average_margin"] == "0.00"
    assert (data["available"], data["max_gross"]) == ("4850.00", "569.24")
    text = " ".join(run_cli(example, "simulate", "alice", "--max").stdout.split())
    assert "No closed month yet: available is the balance alone." in text
    # nothing closed: the first open month is the ledger's first, September; --max says where it would stand
    assert data["projected_month"] == "2026-09"


def test_sample_three_closed_months_and_the_answer_checked_by_simulate(sample_copy):
    data = _max(sample_copy, "alice")
    # July, August, September 2026: 3380.14 + 3525.95 + 2682.41 = 9588.50, / 3 = 3196.17 (3196.1666…)
    assert [m["month"] for m in data["margin_months"]] == ["2026-07", "2026-08", "2026-09"]
    assert data["average_margin"] == "3196.17"
    assert D(data["available"]) == D(data["balance"]) + 6 * D("3196.17")
    available = D(data["available"])
    gross = D(data["max_gross"])

    def cost(value: Decimal) -> Decimal:
        run = run_cli(sample_copy, "simulate", "alice", "--gross", f"{value:.2f}", "--format", "json")
        return D(run.json()["cost"])

    assert cost(gross) * 6 <= available < cost(gross + D("0.01")) * 6
    assert data["under_minimum"] is False and data["projected_month"] == "2026-10"


@pytest.mark.parametrize(
    "args, message",
    [
        (["simulate", "alice"], "give either --gross AMOUNT or --max"),
        (["simulate", "alice", "--max", "--gross", "2000"], "give either --gross AMOUNT or --max"),
        (["simulate", "alice", "--gross", "2000", "--months", "3"], "--months goes with --max"),
        (["simulate", "alice", "--max", "--months", "0"], "--months"),
    ],
)
def test_usage_errors(example, args, message):
    run = run_cli(example, *args)
    assert run.exit_code == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_unknown_member_is_a_data_error(example):
    run = run_cli(example, "simulate", "zoe", "--max")
    assert run.exit_code == 1 and "no member 'zoe'" in run.stderr


# --------------------------------------------------------------------------- property: against brute force

FLAT = st.builds(
    lambda employer, employee: PayrollEntry.model_validate(
        {"from": "2026-01-01", "smic_hourly": "12.02", "employer_rate": employer, "employee_rate": employee}
    ),
    st.decimals("0", "0.6", places=4).map(str),
    st.decimals("0", "0.3", places=4).map(str),
)
TABLE = st.builds(
    lambda low, high: PayrollEntry.model_validate(
        {
            "from": "2026-01-01",
            "smic_hourly": "12.02",
            "employee_rate": "0.22",
            "employer_rate_by_smic_ratio": [{"ratio": "1.0", "rate": low}, {"ratio": "1.6", "rate": high}],
        }
    ),
    st.decimals("0", "0.2", places=3).map(str),
    st.decimals("0.2", "0.5", places=3).map(str),
)


def brute_force(cost, months: int, available: Decimal) -> Decimal:
    """The largest covered gross by trying every cent from available ÷ months down (the cost is at least the
    gross when rates are not negative, so nothing above can be covered)."""
    cents = int(available * 100 // months) if available > 0 else 0
    while cents > 0 and cost(D(cents) / 100) * months > available:
        cents -= 1
    return D(cents) / 100


@given(
    payroll=st.one_of(FLAT, TABLE),
    hours=st.sampled_from([D("35"), D("100"), D("151.67")]),
    months=st.integers(1, 4),
    available=st.decimals("-50", "300", places=2),
)
def test_largest_covered_is_the_brute_force_answer(payroll, hours, months, available):
    def cost(gross: Decimal) -> Decimal:
        return contract_pay("m", "M", payroll, gross, hours).cost

    found, monotone = largest_covered(cost, months, available)
    assert monotone
    assert found == brute_force(cost, months, available)
    if available > 0:
        assert cost(found) * months <= available or found == 0
        assert cost(found + D("0.01")) * months > available


def test_a_cost_that_falls_somewhere_is_scanned_down():
    """A made-up rule whose cost dips: 1.5 × gross, but only the gross between 25.00 and 30.00. With 30.00
    available over 1 month the bisection stops at 20.00 (cost 30.00, 20.01 costs 30.015); the grid above it
    finds the dip, and the scan down from 30.01 finds 30.00 (cost 30.00), the largest covered gross."""

    def cost(gross: Decimal) -> Decimal:
        return gross if D("25") <= gross <= D("30") else gross * D("1.5")

    assert largest_covered(cost, 1, D("30.00")) == (D("30.00"), False)
    assert brute_force(cost, 1, D("30.00")) == D("30.00")
