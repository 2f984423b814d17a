"""The pooled treasury, worked by hand; each alert at its threshold; the identity as a property."""

from __future__ import annotations

import dataclasses
import datetime
import tempfile
from decimal import Decimal
from pathlib import Path

from conftest import COOP_YAML, run_cli, write_coop
from hypothesis import given
from hypothesis import strategies as st
from strategies import random_coops

from coopctl.adapter.ledger import load_books
from coopctl.app import commands as service
from coopctl.core.treasury import ActivityTreasury, TreasuryState, _with_alerts, treasury_state
from coopctl.domain.months import Month
from coopctl.store.configfile import load_cooperative

MEMBERS = """\
members:
  - id: mia
    name: "Mia"
    activity: Alpha
    joined: 2025-01-01
    cesa_from: 2025-02-01
    salary:
      - {from: 2025-02-01, gross: "2000.00", hours: "151.67"}
  - id: noe
    name: "Noé"
    activity: Beta
    joined: 2026-01-01
"""
ACTIVITIES = """\
activities:
  - {id: Alpha, name: "Alpha", establishment: paris-11}
  - {id: Beta, name: "Beta", establishment: paris-11}
"""
LEDGER = """\
option "operating_currency" "EUR"
2020-01-01 open Assets:Bank:Main
2020-01-01 open Assets:Receivable:Alpha
2020-01-01 open Liabilities:VAT:Collected
2020-01-01 open Liabilities:Payable:Landlord
2020-01-01 open Liabilities:Tax:CFE
2020-01-01 open Liabilities:Payroll:Net
2020-01-01 open Liabilities:Payroll:Social
2020-01-01 open Equity:Activity:Alpha
2020-01-01 open Equity:Activity:Beta
2020-01-01 open Equity:Coop:Reserves
2020-01-01 open Income:Activity:Alpha
2020-01-01 open Income:Coop:Subsidy
2020-01-01 open Expenses:Coop:Rent
2020-01-01 open Expenses:Coop:Taxes
2020-01-01 open Expenses:Activity:Alpha:Salary:Gross
2020-01-01 open Expenses:Activity:Alpha:Salary:Employer

2026-01-01 * "Opening"
  Assets:Bank:Main          10000.00 EUR
  Equity:Activity:Alpha     -3000.00 EUR
  Equity:Activity:Beta        500.00 EUR
  Equity:Coop:Reserves      -7500.00 EUR

2026-09-30 * "Salary September"
  Expenses:Activity:Alpha:Salary:Gross     2000.00 EUR
  Expenses:Activity:Alpha:Salary:Employer   840.00 EUR
  Liabilities:Payroll:Net                 -1560.00 EUR
  Liabilities:Payroll:Social              -1280.00 EUR

2026-10-03 * "Net salaries paid"
  Liabilities:Payroll:Net   1560.00 EUR
  Assets:Bank:Main         -1560.00 EUR

2026-10-05 * "Invoice"
  Assets:Receivable:Alpha     1200.00 EUR
  Income:Activity:Alpha      -1000.00 EUR
  Liabilities:VAT:Collected   -200.00 EUR

2026-10-10 * "Rent bill"
  Expenses:Coop:Rent             300.00 EUR
  Liabilities:Payable:Landlord  -300.00 EUR

2026-10-12 * "Subsidy"
  Assets:Bank:Main       2000.00 EUR
  Income:Coop:Subsidy   -2000.00 EUR

2026-10-15 * "CFE"
  Expenses:Coop:Taxes   100.00 EUR
  Liabilities:Tax:CFE  -100.00 EUR
"""


def test_treasury_state_worked_by_hand(tmp_path):
    folder = write_coop(tmp_path, members=MEMBERS, activities=ACTIVITIES, ledger=LEDGER)
    run = run_cli(folder, "treasury", "--as-of", "2026-10-31", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = run.json()
    # cash 10000 + 2000 - 1560; taxes: VAT 200 + social 1280 + CFE 100; suppliers 300;
    # reference 10440 - 1580 - 0 - 300 = 8560; future 8560 + 1200 = 9760;
    # Alpha 3000 + 1000 - 2840 = 1160, Beta -500; own funds 2000 - 400 + 7500 = 9100;
    # coverage 8560 / 1160 = 7.379 -> 7.38; pool use 500 / (1160 + 9100) = 0.0487 -> 0.05.
    expected = {
        "as_of": "2026-10-31",
        "cash": "10440.00",
        "taxes_due": "1580.00",
        "salaries_due": "0.00",
        "suppliers_due": "300.00",
        "reference_treasury": "8560.00",
        "receivables": "1200.00",
        "future_treasury": "9760.00",
        "reserves": "1160.00",
        "advances": "500.00",
        "own_funds": "9100.00",
        "coverage": "7.38",
        "pool_use": "0.05",
    }
    assert {k: out[k] for k in expected} == expected
    # the identity: future treasury = Σ balances + own funds = 1160 - 500 + 9100
    assert Decimal(out["future_treasury"]) == Decimal(out["reserves"]) - Decimal(out["advances"]) + Decimal(
        out["own_funds"]
    )
    alpha, beta = out["activities"]
    # Alpha: salary cost in force 2000 + 840 = 2840; cap 2 x 2840; runway 1160 / 2840 = 0.408 -> 0.4
    assert alpha == {
        "id": "Alpha",
        "balance": "1160.00",
        "advance": "0.00",
        "advance_cap": "5680.00",
        "receivables": "1200.00",
        "runway_months": "0.4",
        "months_in_deficit": 0,
    }
    assert beta == {
        "id": "Beta",
        "balance": "-500.00",
        "advance": "500.00",
        "advance_cap": "0.00",
        "receivables": "0.00",
        "runway_months": None,
        "months_in_deficit": 0,
    }
    assert [a["message"] for a in out["alerts"]] == [
        "Beta: advance 500.00 is over its cap 0.00 (2 months of salary cost 0.00)"
    ]
    assert out["alerts"][0]["code"] == "advance_over_cap" and out["alerts"][0]["advance"] == "500.00"
    assert run_cli(folder, "check").exit_code == 0


def _state(**changes) -> TreasuryState:
    activity = ActivityTreasury(
        "Alpha", Decimal("1000.00"), Decimal("2840.00"), Decimal("5680.00"), Decimal(0), 0
    )
    base = TreasuryState(
        datetime.date(2026, 10, 31),
        cash=Decimal("5000.00"),
        taxes_due=Decimal(0),
        salaries_due=Decimal(0),
        suppliers_due=Decimal(0),
        receivables=Decimal(0),
        own_funds=Decimal("4000.00"),
        activities=(activity,),
        alerts=(),
        unconventional_accounts=(),
    )
    if "activity" in changes:
        base = dataclasses.replace(
            base, activities=(dataclasses.replace(activity, **changes.pop("activity")),)
        )
    return dataclasses.replace(base, **changes)


def alerts_for(state: TreasuryState, tmp_path) -> list[str]:
    coop = load_cooperative(write_coop(tmp_path, members=MEMBERS, activities=ACTIVITIES, ledger=LEDGER))
    return [alert.message for alert in _with_alerts(coop, state).alerts]


def test_no_alert_on_a_healthy_state(tmp_path):
    # coverage 5000 / 1000 = 5.00, pool use 0 / 5000 = 0.00
    assert alerts_for(_state(), tmp_path) == []


def test_cap_alert_above_the_cap_only(tmp_path):
    rich = {"own_funds": Decimal("100000.00"), "cash": Decimal("100000.00")}
    assert (
        alerts_for(_state(activity={"balance": Decimal("-5680.00")}, **rich), tmp_path) == []
    )  # exactly at the cap
    assert alerts_for(_state(activity={"balance": Decimal("-5680.01")}, **rich), tmp_path) == [
        "Alpha: advance 5,680.01 is over its cap 5,680.00 (2 months of salary cost 2,840.00)"
    ]


def test_deficit_months_alert_from_its_threshold(tmp_path):
    below = _state(activity={"balance": Decimal("-1.00"), "months_in_deficit": 2})
    at = _state(activity={"balance": Decimal("-1.00"), "months_in_deficit": 3})
    assert not any("in deficit" in a for a in alerts_for(below, tmp_path))
    assert "Alpha: in deficit for 3 closed months in a row (alert from 3)" in alerts_for(at, tmp_path)


def test_pool_use_alert_over_its_limit_only(tmp_path):
    # advances / (reserves + own funds): reserves 0 (the activity is in advance), own funds 1000
    at = _state(
        activity={"balance": Decimal("-500.00"), "advance_cap": Decimal("9999")}, own_funds=Decimal("1000.00")
    )
    over = _state(
        activity={"balance": Decimal("-510.00"), "advance_cap": Decimal("9999")}, own_funds=Decimal("1000.00")
    )
    assert at.pool_use == Decimal("0.50") and over.pool_use == Decimal("0.51")
    assert not any("pool use" in a for a in alerts_for(at, tmp_path))
    assert alerts_for(over, tmp_path) == [
        "pool use 0.51 is over its limit 0.50: advances 510.00 against reserves and own funds 1,000.00"
    ]


def test_coverage_alert_under_its_minimum_only(tmp_path):
    at = _state(cash=Decimal("1000.00"))  # 1000 / 1000 = 1.00
    under = _state(cash=Decimal("990.00"))  # 0.99
    assert alerts_for(at, tmp_path) == []
    assert alerts_for(under, tmp_path) == [
        "coverage 0.99 is under its minimum 1.00: reference treasury 990.00 for reserves of 1,000.00"
    ]


def test_negative_reference_treasury_alert(tmp_path):
    zero = _state(cash=Decimal("100.00"), taxes_due=Decimal("100.00"), activity={"balance": Decimal(0)})
    negative = _state(cash=Decimal("100.00"), taxes_due=Decimal("100.01"), activity={"balance": Decimal(0)})
    assert alerts_for(zero, tmp_path) == []
    assert alerts_for(negative, tmp_path) == [
        "reference treasury -0.01 is negative: the cash at hand does not cover what is due"
    ]


def test_policy_is_configurable(tmp_path):
    coop = COOP_YAML.replace(
        "  advance_cap_months: 2\n",
        '  advance_cap_months: 3\n  pool_use_limit: "0.40"\n  min_coverage: "0.80"\n'
        "  deficit_months_alert: 2\n",
    )
    folder = write_coop(tmp_path, coop=coop, members=MEMBERS, activities=ACTIVITIES, ledger=LEDGER)
    policy = load_cooperative(folder).coop.treasury
    assert (
        policy.advance_cap_months,
        policy.pool_use_limit,
        policy.min_coverage,
        policy.deficit_months_alert,
    ) == (3, Decimal("0.40"), Decimal("0.80"), 2)


def test_months_in_deficit_counts_consecutive_closed_months(tmp_path):
    # Beta has no revenue and starts at -500: every closed month ends in deficit.
    folder = write_coop(tmp_path, members=MEMBERS, activities=ACTIVITIES, ledger=LEDGER)
    for month in ("2026-07", "2026-08", "2026-09"):
        assert run_cli(folder, "close-month", month).exit_code == 0
    out = run_cli(folder, "treasury", "--as-of", "2026-09-30", "--format", "json").json()
    beta = next(a for a in out["activities"] if a["id"] == "Beta")
    assert beta["months_in_deficit"] == 3
    assert "Beta: in deficit for 3 closed months in a row (alert from 3)" in [
        a["message"] for a in out["alerts"]
    ]
    at_august = run_cli(folder, "treasury", "--as-of", "2026-08-31", "--format", "json").json()
    assert next(a for a in at_august["activities"] if a["id"] == "Beta")["months_in_deficit"] == 2
    # the dry run of October counts October as closed in its treasury summary
    dry = run_cli(folder, "close-month", "2026-10", "--dry-run", "--format", "json").json()
    assert next(a for a in dry["treasury"]["activities"] if a["id"] == "Beta")["months_in_deficit"] == 4


def test_check_warns_when_the_identity_does_not_hold(tmp_path):
    ledger = (
        LEDGER + '\n2020-01-01 open Assets:Cash\n2026-10-20 * "Petty cash"\n  Assets:Cash  50.00 EUR\n'
        "  Assets:Bank:Main  -50.00 EUR\n"
    )
    folder = write_coop(tmp_path, members=MEMBERS, activities=ACTIVITIES, ledger=ledger)
    run = run_cli(folder, "check")
    assert run.exit_code == 0
    assert (
        "warning: the treasury identity (future treasury = activity balances + own funds) is off by "
        "-50.00 on "
        "2026-10-20: accounts outside the conventions: Assets:Cash"
    ) in run.stderr


CONVENTIONAL_PAIRS = [
    ("Expenses:Coop:Staff", "Liabilities:Payable:Agency"),
    ("Assets:Receivable:Alpha", "Income:Activity:Alpha"),
    ("Liabilities:Payroll:Net", "Assets:Bank:Main"),
    ("Expenses:Coop:Rent", "Assets:Bank:Main"),
    ("Assets:Bank:Main", "Income:Coop:Subsidy"),
    ("Assets:Bank:Main", "Equity:Coop:Capital"),
    ("Liabilities:VAT:Collected", "Assets:Bank:Main"),
    ("Expenses:Activity:Gamma:Travel", "Liabilities:Tax:Other"),
]


@given(
    random_coops(),
    st.lists(st.tuples(st.sampled_from(CONVENTIONAL_PAIRS), st.integers(1, 10**8)), max_size=6),
)
def test_identity_holds_on_conventional_ledgers(coop, extras):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        main = folder / "ledgers" / "main.beancount"
        text = main.read_text(encoding="utf-8")
        accounts = sorted({a for (pair, _) in extras for a in pair} - {"Assets:Bank:Main"})
        text += "".join(f"2020-01-01 open {a}\n" for a in accounts if f"open {a}\n" not in text)
        for index, ((debit, credit), cents) in enumerate(extras):
            if ":Gamma" in debit and "Gamma" not in [a for a, _ in coop.activities]:
                debit = "Expenses:Coop:Travel"
                text += "2020-01-01 open Expenses:Coop:Travel\n" if "Expenses:Coop:Travel" not in text else ""
            if ":Alpha" in debit + credit and "Alpha" not in [a for a, _ in coop.activities]:
                continue
            amount = Decimal(cents) / 100
            text += (
                f'\n2026-10-{index + 1:02d} * "extra"\n  {debit}  {amount} EUR\n  {credit}  {-amount} EUR\n'
            )
        main.write_text(text, encoding="utf-8")
        service.close_month(folder, Month(2026, 10), dry_run=False, today=datetime.date(2026, 11, 28))
        books = load_books(load_cooperative(folder))
        assert [p for p in books.problems if p.severity == "error"] == []
        for day in (datetime.date(2026, 9, 30), datetime.date(2026, 10, 15), datetime.date(2026, 10, 31)):
            state = treasury_state(books.coop, books.figures, day)
            assert state.unconventional_accounts == ()
            assert state.identity_gap == 0
            assert state.future_treasury == state.reserves - state.advances + state.own_funds


def test_sample_shows_the_pool_carrying_an_activity_and_a_treasury_alert(sample_copy):
    out = run_cli(sample_copy, "report", "2026-09", "--format", "json").json()
    treasury = out["treasury"]
    assert any(a["advance"] != "0.00" for a in treasury["activities"])
    assert treasury["alerts"], "a treasury alert in a closed month"
    assert Decimal(treasury["future_treasury"]) == Decimal(treasury["reserves"]) - Decimal(
        treasury["advances"]
    ) + Decimal(treasury["own_funds"])


def test_balance_speaks_of_runway(sample_copy):
    run = run_cli(sample_copy, "balance", "alice", "--as-of", "2026-09-30")
    # 16,520.40 / (1,900.00 + 205.23 employer: the 2026 lines less the general reduction) = 7.85 -> 7.8
    assert "Your reserve covers 7.8 months of salary (salary cost 2,105.23 a month)." in run.stdout
    out = run_cli(sample_copy, "balance", "alice", "--as-of", "2026-09-30", "--format", "json").json()
    assert (out["runway_months"], out["advance_cap"], out["monthly_salary_cost"]) == (
        "7.8",
        "4210.46",
        "2105.23",
    )
    carried = run_cli(sample_copy, "balance", "gaelle", "--as-of", "2026-09-30").stdout
    assert (
        "pooled treasury is advancing 6,809.46 to your activity until revenue comes in; it may "
        "advance up to 4,021.88 (its cap)." in carried
    )
    assert "The advance is over its cap: talk with your tutor about the months ahead." in carried
    # in deficit since November 2025: 2 months of 2025, then January to September 2026
    assert "in deficit for 11 closed month(s) in a row" in carried
