"""Unit tests of the pure core on in-memory values (issue 15, item 5): no file is read or written.

The cooperative is built from plain dicts through the Pydantic models (``model_validate``), the ledger's
figures as ``LedgerFigures.days[activity][date] = DayFigures(...)``; then ``core.close.plan_close``,
``core.contribution.month_contribution``, ``core.payroll.pay_for_month``, ``core.treasury`` and
``core.reports`` are called directly. Every expected number is worked by hand in the test's docstring.
The end-to-end tests (tests/test_worked_example.py, ...) check the same rules through Beancount and the CLI.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from coopctl.core.close import bonus_refusals, plan_close
from coopctl.core.contribution import month_contribution
from coopctl.core.payroll import pay_for_month
from coopctl.core.reports import member_balance
from coopctl.core.treasury import activity_treasury, monthly_salary_cost
from coopctl.domain.cooperative import Activity, Coop, Cooperative, Member
from coopctl.domain.figures import CloseMarker, DayFigures, LedgerFigures
from coopctl.domain.months import Month

D = Decimal
OCT = Month(2026, 10)


# --------------------------------------------------------------------------- builders (in memory)


def make_coop(members=(), activities=(), contribution=None, payroll=None, cap=2) -> Cooperative:
    coop = Coop.model_validate(
        {
            "name": "Test",
            "establishments": [{"id": "paris-11", "name": "Paris 11e"}],
            "contribution": contribution or [{"from": "2024-01-01", "rate": "0.10"}],
            "payroll": payroll
            or [
                {
                    "from": "2024-01-01",
                    "smic_hourly": "12.02",
                    "employer_rate": "0.42",
                    "employee_rate": "0.22",
                }
            ],
            "treasury": {"advance_cap_months": cap},
        }
    )
    acts = [Activity.model_validate({"name": a["id"], "establishment": "paris-11", **a}) for a in activities]
    mems = [Member.model_validate({"name": m["id"].title(), **m}) for m in members]
    return Cooperative(root=Path("/nonexistent"), coop=coop, members=mems, activities=acts)


def cesa(member_id, activity, gross, hours="151.67", start="2024-09-01", **more) -> dict:
    return {
        "id": member_id,
        "activity": activity,
        "joined": "2024-03-01",
        "cesa_from": start,
        "salary": [{"from": start, "gross": gross, "hours": hours}],
        **more,
    }


def book(figures: LedgerFigures, activity: str, day: str, **amounts) -> None:
    """Add amounts (strings) to one activity's day, as the ledger's extraction would."""
    date = datetime.date.fromisoformat(day)
    row = figures.days[activity].setdefault(date, DayFigures())
    row.add(DayFigures(**{k: D(v) for k, v in amounts.items()}))


def book_close(figures: LedgerFigures, plan) -> LedgerFigures:
    """The figures after booking a plan's contribution and salaries on the month's last day, as the closing
    file does. A new ``LedgerFigures``: figures are built once and cache their monthly sums."""
    after = LedgerFigures()
    for activity, days in figures.days.items():
        for date, row in days.items():
            after.days[activity][date] = DayFigures()
            after.days[activity][date].add(row)
    after.closed.update(figures.closed)
    day = plan.month.last_day.isoformat()
    for activity in plan.activities:
        book(
            after,
            activity.activity_id,
            day,
            contribution=str(activity.contribution),
            salary_cost=str(activity.salary_cost),
        )
    after.closed[plan.month] = CloseMarker(None, None, {})
    return after


def pay_row(pay):
    return (pay.gross, pay.employer_contributions, pay.employee_contributions, pay.net, pay.cost)


def money(*values: str):
    return tuple(D(v) for v in values)


# --------------------------------------------------------------------------- DESIGN §5's worked example


def worked_example():
    coop = make_coop(
        members=[
            cesa("alice", "BoisNomade", "1900.00"),
            cesa("bob", "AtelierCommun", "1300.00", "100"),
            cesa("chloe", "AtelierCommun", "800.00", "60"),
            {"id": "dan", "activity": "DanDesign", "joined": "2026-01-05"},
        ],
        activities=[{"id": "BoisNomade"}, {"id": "AtelierCommun"}, {"id": "DanDesign"}],
    )
    figures = LedgerFigures()
    book(figures, "BoisNomade", "2026-01-01", equity="1200.00")  # opening 1200.00 (a reserve brought in)
    book(figures, "AtelierCommun", "2026-09-10", expenses="100.00")  # opening −100.00
    book(figures, "BoisNomade", "2026-10-05", revenue="4000.00")
    book(figures, "BoisNomade", "2026-10-20", expenses="350.00")
    book(figures, "AtelierCommun", "2026-10-12", revenue="2500.00")
    book(figures, "DanDesign", "2026-10-30", revenue="333.25")
    return coop, figures


def test_worked_example_in_memory():
    """DESIGN §5, month 2026-10: contribution 10%, employer 42%, employee 22%, cap 2 months.

    BoisNomade: 1200 + 4000 − 350 − 400 − 2698 = 1752.00; alice 1900 → employer 798, employee 418, net 1482.
    AtelierCommun: −100 + 2500 − 250 − (1846 + 1136) = −832.00, advance 832.00 ≤ 2 × 2982: no alert.
    DanDesign: 333.25 × 10% = 33.325 → 33.33 (half-up), closing 299.92; dan is CAPE, unpaid.
    Totals: revenue 6833.25, contribution 683.33, salary cost 5680.00, net 3120.00, social 2560.00,
    advances 832.00.
    """
    coop, figures = worked_example()
    plan = plan_close(coop, figures, OCT)
    assert plan.problems == ()
    acts = {a.activity_id: a for a in plan.activities}
    keys = (
        "opening_balance",
        "revenue",
        "expenses",
        "contribution",
        "salary_cost",
        "closing_balance",
        "advance",
    )
    assert tuple(getattr(acts["BoisNomade"], k) for k in keys) == money(
        "1200", "4000", "350", "400", "2698", "1752", "0"
    )
    assert tuple(getattr(acts["AtelierCommun"], k) for k in keys) == money(
        "-100", "2500", "0", "250", "2982", "-832", "832"
    )
    assert tuple(getattr(acts["DanDesign"], k) for k in keys) == money(
        "0", "333.25", "0", "33.33", "0", "299.92", "0"
    )
    pays = {p.member_id: p for a in plan.activities for p in a.members}
    assert set(pays) == {"alice", "bob", "chloe"}
    assert pay_row(pays["alice"]) == money("1900.00", "798.00", "418.00", "1482.00", "2698.00")
    assert pay_row(pays["bob"]) == money("1300.00", "546.00", "286.00", "1014.00", "1846.00")
    assert pay_row(pays["chloe"]) == money("800.00", "336.00", "176.00", "624.00", "1136.00")
    assert all(a.alerts == [] for a in plan.activities)
    assert plan.totals == dict(
        zip(
            ("revenue", "contribution", "salary_cost", "net", "social", "advances"),
            money("6833.25", "683.33", "5680.00", "3120.00", "2560.00", "832.00"),
        )
    )


def test_worked_example_after_booking_balances_and_treasury():
    """Once the close is booked, the balances are the plan's closing balances (1752.00, −832.00, 299.92),
    and AtelierCommun's treasury line: salary cost in force 1846 + 1136 = 2982.00, cap 2 × 2982 = 5964.00,
    advance 832.00, one closed month in deficit."""
    coop, figures = worked_example()
    plan = plan_close(coop, figures, OCT)
    figures = book_close(figures, plan)
    assert member_balance(coop, figures, "alice", OCT.last_day).balance == D("1752.00")
    bob = member_balance(coop, figures, "bob", OCT.last_day)
    assert (bob.balance, bob.advance) == (D("-832.00"), D("832.00"))
    assert bob.months[-1].closing_balance == D("-832.00") and bob.months[-1].salary_cost == D("2982.00")
    assert member_balance(coop, figures, "dan", OCT.last_day).balance == D("299.92")
    assert monthly_salary_cost(coop, "AtelierCommun", OCT.last_day) == D("2982.00")
    line = activity_treasury(coop, figures, "AtelierCommun", OCT.last_day)
    assert (line.balance, line.advance, line.advance_cap, line.months_in_deficit) == (
        D("-832.00"),
        D("832.00"),
        D("5964.00"),
        1,
    )
    # the next month opens at the booked closing balance
    nov = plan_close(coop, figures, Month(2026, 11))
    assert {a.activity_id: a.opening_balance for a in nov.activities} == {
        "BoisNomade": D("1752.00"),
        "AtelierCommun": D("-832.00"),
        "DanDesign": D("299.92"),
    }


# --------------------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("revenue", "expected"),
    [("333.25", "33.33"), ("-333.25", "-33.33"), ("333.24", "33.32"), ("0.05", "0.01"), ("-0.05", "-0.01")],
)
def test_contribution_rounds_half_up_away_from_zero(revenue, expected):
    """round(333.25 × 0.10) = round(33.325) = 33.33 (half-even would give 33.32); a credit note −333.25 gives
    −33.33 (half away from zero); 0.05 × 0.10 = 0.005 → 0.01."""
    coop = make_coop(activities=[{"id": "DanDesign"}])
    got = month_contribution(coop, LedgerFigures(), "DanDesign", OCT, D(revenue))
    assert (got.rule, got.rate, got.amount) == ("rate", D("0.10"), D(expected))


def test_activity_override_zero_rate_is_a_real_zero():
    """contribution_rate "0" on the activity overrides the 10% default: 4000.00 × 0 = 0.00."""
    coop = make_coop(activities=[{"id": "Libre", "contribution_rate": "0"}])
    got = month_contribution(coop, LedgerFigures(), "Libre", OCT, D("4000.00"))
    assert (got.rate, got.amount) == (D("0"), D("0.00"))


# -------------------- payroll: proration, departures, amendments


def test_cesa_start_on_the_15th_of_a_31_day_month_is_prorated():
    """CESA from 2026-10-15: days 15..31 = 17 of 31. gross = 1900 × 17 / 31 = 1041.935… → 1041.94;
    employer 1041.94 × 0.42 = 437.6148 → 437.61; employee × 0.22 = 229.2268 → 229.23;
    net 1041.94 − 229.23 = 812.71; cost 1041.94 + 437.61 = 1479.55. The next month is whole: 1900.00."""
    coop = make_coop(
        members=[cesa("alice", "BoisNomade", "1900.00", start="2026-10-15")],
        activities=[{"id": "BoisNomade"}],
    )
    payroll = coop.coop.payroll[0]
    pay = pay_for_month(coop.member("alice"), payroll, OCT)
    assert pay.days == 17
    assert pay_row(pay) == money("1041.94", "437.61", "229.23", "812.71", "1479.55")
    assert pay_for_month(coop.member("alice"), payroll, Month(2026, 9)) is None
    assert pay_for_month(coop.member("alice"), payroll, Month(2026, 11)).gross == D("1900.00")


def test_departure_mid_month_is_prorated_then_unpaid():
    """left 2026-11-10 (last day worked), November has 30 days: gross = 1900 × 10 / 30 = 633.333… → 633.33;
    employer 633.33 × 0.42 = 265.9986 → 266.00; employee × 0.22 = 139.3326 → 139.33; net 494.00; cost 899.33.
    December: nothing (and the activity, with nobody current and nothing booked, is left out of the plan)."""
    coop = make_coop(
        members=[cesa("alice", "BoisNomade", "1900.00", left="2026-11-10")], activities=[{"id": "BoisNomade"}]
    )
    figures = LedgerFigures()
    plan = plan_close(coop, figures, Month(2026, 11))
    (act,) = plan.activities
    (pay,) = act.members
    assert pay.days == 10
    assert pay_row(pay) == money("633.33", "266.00", "139.33", "494.00", "899.33")
    assert act.closing_balance == D("-899.33")
    assert plan_close(coop, LedgerFigures(), Month(2026, 12)).activities == ()


def test_salary_amendment_mid_month_pays_each_day_at_its_rate():
    """1500.00 until 2026-10-15, 1900.00 from 2026-10-16: (1500 × 15 + 1900 × 16) / 31 = 52900 / 31
    = 1706.451… → 1706.45 (rounded once); employer × 0.42 = 716.709 → 716.71; employee × 0.22 = 375.419 →
    375.42."""
    member = cesa("alice", "BoisNomade", "1500.00", start="2024-09-01")
    member["salary"].append({"from": "2026-10-16", "gross": "1900.00", "hours": "151.67"})
    coop = make_coop(members=[member], activities=[{"id": "BoisNomade"}])
    pay = pay_for_month(coop.member("alice"), coop.coop.payroll[0], OCT)
    assert pay_row(pay) == money("1706.45", "716.71", "375.42", "1331.03", "2423.16")


def test_cape_member_is_not_paid():
    """A CAPE member (no cesa_from) gets no salary."""
    coop = make_coop(
        members=[{"id": "dan", "activity": "DanDesign", "joined": "2026-01-05"}],
        activities=[{"id": "DanDesign"}],
    )
    assert pay_for_month(coop.member("dan"), coop.coop.payroll[0], OCT) is None


# -------------------- contribution: tiers and exemptions

TIERS = [
    {
        "from": "2024-01-01",
        "tiers": [
            {"up_to": "1000.00", "rate": "0.10"},
            {"up_to": "3000.00", "rate": "0.05"},
            {"rate": "0.02"},
        ],
    }
]


def test_tiers_on_year_to_date_revenue():
    """Brackets 10% to 1000, 5% to 3000, 2% beyond, on the calendar year-to-date revenue; F cumulative.

    Jan 800: F(800) = 80.00 → 80.00. Feb 1500: F(2300) = 100 + 1300 × 5% = 165.00 → 85.00.
    Mar 1000: F(3300) = 100 + 100 + 300 × 2% = 206.00 → 41.00. Apr credit note −500: F(2800) = 190.00 →
    −16.00.
    Next January starts again from zero: 800 → 80.00.
    """
    coop = make_coop(
        members=[{"id": "dan", "activity": "DanDesign", "joined": "2024-01-01"}],
        activities=[{"id": "DanDesign"}],
        contribution=TIERS,
    )
    figures = LedgerFigures()
    expected = {}
    for month, revenue, amount, rate in (
        ((2026, 1), "800.00", "80.00", "0.10"),
        ((2026, 2), "1500.00", "85.00", "0.05"),
        ((2026, 3), "1000.00", "41.00", "0.02"),
        ((2026, 4), "-500.00", "-16.00", "0.05"),
        ((2027, 1), "800.00", "80.00", "0.10"),
    ):
        m = Month(*month)
        book(figures, "DanDesign", m.first_day.isoformat(), revenue=revenue)
        expected[m] = (D(amount), D(rate))
    for m, (amount, rate) in expected.items():
        (act,) = plan_close(coop, figures, m).activities
        assert (act.contribution_rule, act.contribution, act.contribution_rate) == ("tiers", amount, rate), m


def test_tiers_round_each_cumulative_total_once():
    """Brackets 10% to 1000.05, 5% beyond. Jan 1000.05: F = 100.005 → 100.01 (half-up). Feb 0.10:
    F(1000.15) = 100.005 + 0.005 = 100.010 → 100.01, so Feb pays 100.01 − 100.01 = 0.00 (not round(0.005) =
    0.01)."""
    coop = make_coop(
        activities=[{"id": "DanDesign", "started": "2020-01-01"}],
        contribution=[
            {"from": "2024-01-01", "tiers": [{"up_to": "1000.05", "rate": "0.10"}, {"rate": "0.05"}]}
        ],
    )
    figures = LedgerFigures()
    book(figures, "DanDesign", "2026-01-10", revenue="1000.05")
    book(figures, "DanDesign", "2026-02-10", revenue="0.10")
    assert month_contribution(coop, figures, "DanDesign", Month(2026, 1), D("1000.05")).amount == D("100.01")
    assert month_contribution(coop, figures, "DanDesign", Month(2026, 2), D("0.10")).amount == D("0.00")


def test_exempt_months_after_a_start_mid_month():
    """Started 2026-03-10 with exempt_months 2: March (partial) and the two whole months April and May pay
    nothing; June pays 10% of its own revenue: 1234.50 × 10% = 123.45."""
    coop = make_coop(
        activities=[{"id": "New", "started": "2026-03-10"}],
        contribution=[{"from": "2024-01-01", "rate": "0.10", "exempt_months": 2}],
    )
    for month, rule, amount in (
        (3, "exempt", "0"),
        (4, "exempt", "0"),
        (5, "exempt", "0"),
        (6, "rate", "123.45"),
    ):
        got = month_contribution(coop, LedgerFigures(), "New", Month(2026, month), D("1234.50"))
        assert (got.rule, got.amount) == (rule, D(amount)), month


def test_exempt_months_from_the_first_and_out_of_the_tiers_base():
    """Activity starting with dan's joining on 2026-03-01, exempt_months 2: March and April are exempt; their
    revenue (900 + 900) is not in the year-to-date base. May 1500: F(1500) = 100 + 500 × 5% = 125.00 (with
    March and April in the base it would be F(3300) − F(1800) = 206 − 140 = 66.00)."""
    coop = make_coop(
        members=[{"id": "dan", "activity": "DanDesign", "joined": "2026-03-01"}],
        activities=[{"id": "DanDesign"}],
        contribution=[{**TIERS[0], "exempt_months": 2}],
    )
    figures = LedgerFigures()
    book(figures, "DanDesign", "2026-03-05", revenue="900.00")
    book(figures, "DanDesign", "2026-04-05", revenue="900.00")
    book(figures, "DanDesign", "2026-05-05", revenue="1500.00")
    rules = [
        (a.contribution_rule, a.contribution)
        for m in (3, 4, 5)
        for a in plan_close(coop, figures, Month(2026, m)).activities
    ]
    assert rules == [("exempt", D("0")), ("exempt", D("0")), ("tiers", D("125.00"))]


# --------------------------------------------------------------------------- bonus


def test_bonus_is_paid_on_top_with_rates_on_the_whole_gross():
    """alice 1900.00 + a 1000.00 bonus in 2026-12: gross 2900.00; employer 1218.00; employee 638.00;
    net 2262.00; cost 4118.00; the bonus costs 4118.00 − 2698.00 = 1420.00. With a reserve of 5000.00 and
    nothing else, the closing balance is 5000 − 4118 = 882.00: no refusal."""
    member = cesa("alice", "BoisNomade", "1900.00", bonuses=[{"month": "2026-12", "gross": "1000.00"}])
    coop = make_coop(members=[member], activities=[{"id": "BoisNomade"}])
    figures = LedgerFigures()
    book(figures, "BoisNomade", "2026-01-01", equity="5000.00")
    plan = plan_close(coop, figures, Month(2026, 12))
    (act,) = plan.activities
    (pay,) = act.members
    assert pay_row(pay) == money("2900.00", "1218.00", "638.00", "2262.00", "4118.00")
    assert (pay.bonus, pay.salary_gross, pay.bonus_cost) == money("1000.00", "1900.00", "1420.00")
    assert act.closing_balance == D("882.00") and bonus_refusals(plan) == []
    assert pay_for_month(coop.member("alice"), coop.coop.payroll[0], Month(2026, 11)).bonus == D("0")


def test_bonus_that_leaves_the_activity_negative_is_refused():
    """Reserve 3000.00: 3000 − 4118 = −1118.00 < 0, so the bonus is refused; available = −1118 + 1420 =
    302.00."""
    member = cesa("alice", "BoisNomade", "1900.00", bonuses=[{"month": "2026-12", "gross": "1000.00"}])
    coop = make_coop(members=[member], activities=[{"id": "BoisNomade"}])
    figures = LedgerFigures()
    book(figures, "BoisNomade", "2026-01-01", equity="3000.00")
    plan = plan_close(coop, figures, Month(2026, 12))
    (problem,) = bonus_refusals(plan)
    assert "alice" in problem.message and "302.00" in problem.message and "1420.00" in problem.message


# -------------------- equity and hand-booked amounts in the month


def test_equity_and_hand_booked_amounts_in_the_month():
    """In 2026-10 BoisNomade gets a reserve of 500.00 (Equity), and someone booked by hand a contribution of
    20.00 and a salary of 100.00. Opening 1200.00 (equity in January).
    closing = 1200 + 4000 − 350 − 400 (close's contribution) − 2698 (close's salary) + 500 − (20 + 100) =
    2132.00.
    The close still computes its contribution on the revenue alone (400.00) and pays alice in full."""
    coop, figures = worked_example()
    book(figures, "BoisNomade", "2026-10-15", equity="500.00", contribution="20.00", salary_cost="100.00")
    act = next(a for a in plan_close(coop, figures, OCT).activities if a.activity_id == "BoisNomade")
    assert (act.equity, act.hand_contribution, act.hand_salary_cost) == money("500.00", "20.00", "100.00")
    assert (act.contribution, act.salary_cost, act.closing_balance) == money("400.00", "2698.00", "2132.00")


def test_an_activity_with_only_equity_in_the_month_is_in_the_plan():
    """A reserve of 250.00 brought into an activity without members: it appears with closing 250.00."""
    coop = make_coop(activities=[{"id": "Dormant"}])
    figures = LedgerFigures()
    book(figures, "Dormant", "2026-10-31", equity="250.00")
    (act,) = plan_close(coop, figures, OCT).activities
    assert (act.opening_balance, act.closing_balance, act.advance) == money("0", "250.00", "0")


# --------------------------------------------------------------------------- advance and cap alert


def test_advance_over_the_cap_raises_one_alert_and_the_salary_is_still_paid():
    """alice costs 2698.00 a month; cap 2 months = 5396.00. Opening −3000.00, no revenue:
    closing = −3000 − 2698 = −5698.00, advance 5698.00 > 5396.00 → one alert; alice is still paid.
    With opening −2698.00: advance exactly 5396.00 = cap → no alert."""
    coop = make_coop(members=[cesa("alice", "BoisNomade", "1900.00")], activities=[{"id": "BoisNomade"}])
    for opening, alerts in (("3000.00", 1), ("2698.00", 0)):
        figures = LedgerFigures()
        book(figures, "BoisNomade", "2026-09-30", expenses=opening)
        (act,) = plan_close(coop, figures, OCT).activities
        assert act.members[0].cost == D("2698.00")
        assert (act.advance_cap, len(act.alerts)) == (D("5396.00"), alerts)
        assert act.advance == D(opening) + D("2698.00")


def test_nobody_paid_means_a_zero_cap():
    """An activity with only a CAPE member: salary cost 0, cap 0, so an advance of 0.01 raises the alert."""
    coop = make_coop(
        members=[{"id": "dan", "activity": "DanDesign", "joined": "2026-01-05"}],
        activities=[{"id": "DanDesign"}],
    )
    figures = LedgerFigures()
    book(figures, "DanDesign", "2026-10-03", expenses="0.01")
    (act,) = plan_close(coop, figures, OCT).activities
    assert (act.advance, act.advance_cap, len(act.alerts)) == (D("0.01"), D("0"), 1)
