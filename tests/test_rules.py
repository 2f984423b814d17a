"""Contribution brackets, exempt months, employer rate by salary level, bonuses, simulate: by hand."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from conftest import COOP_YAML, EXAMPLE_MEMBERS, run_cli, snapshot, write_coop
from hypothesis import given
from hypothesis import strategies as st

from coopctl.adapter.ledger import load_books
from coopctl.core.contribution import month_contribution, tiered_total
from coopctl.core.payroll import employer_rate_for
from coopctl.domain.cooperative import PayrollEntry
from coopctl.domain.money import round_cent
from coopctl.domain.months import Month
from coopctl.store.configfile import load_cooperative

TIERS = """  - from: 2024-01-01
    tiers:
      - {up_to: "35000.00", rate: "0.10"}
      - {up_to: "45000.00", rate: "0.08"}
      - {rate: "0.06"}
    exempt_months: EXEMPT
"""
ONE = 'activities:\n  - {id: Solo, name: "Solo", establishment: paris-11STARTED}\n'
HEAD = (
    'option "operating_currency" "EUR"\n2020-01-01 open Assets:Bank:Main\n'
    "2020-01-01 open Income:Activity:Solo\n"
)


def tiered_coop(
    tmp_path: Path, revenues: dict[str, str], exempt: int = 0, started: str | None = None
) -> Path:
    coop = COOP_YAML.replace('  - {from: 2024-01-01, rate: "0.10"}\n', TIERS.replace("EXEMPT", str(exempt)))
    ledger = HEAD + "".join(
        f'\n{day} * "Client" "Invoice"\n  Income:Activity:Solo  {-Decimal(amount)} EUR\n  Assets:Bank:Main\n'
        for day, amount in revenues.items()
    )
    activities = ONE.replace("STARTED", f", started: {started}" if started else "")
    return write_coop(tmp_path, coop=coop, members="members: []\n", activities=activities, ledger=ledger)


def october(folder: Path) -> dict:
    run = run_cli(folder, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()["activities"][0]


def test_a_month_crossing_a_bracket(tmp_path):
    # YTD 30,000 before October, 40,000 after: 5,000 at 10% + 5,000 at 8% = 500 + 400 = 900.00
    out = october(tiered_coop(tmp_path, {"2026-01-10": "30000.00", "2026-10-10": "10000.00"}))
    assert (out["contribution_rule"], out["contribution_rate"], out["contribution"]) == (
        "tiers",
        "0.08",
        "900.00",
    )


def test_a_credit_note_crossing_a_bracket_back(tmp_path):
    # YTD 40,000 before October; a credit note of 8,000 brings it to 32,000:
    # refunds 5,000 at 8% (400) and 3,000 at 10% (300) = -700.00
    out = october(
        tiered_coop(tmp_path, {"2026-01-10": "30000.00", "2026-09-10": "10000.00", "2026-10-10": "-8000.00"})
    )
    assert (out["revenue"], out["contribution"]) == ("-8000.00", "-700.00")


def test_a_year_of_closes_adds_up_to_the_yearly_formula(tmp_path):
    # 12 x 4,166.67 = 50,000.04; F = 3,500 + 800 + 5,000.04 x 6% = 4,600.0024 -> 4,600.00 for the year
    revenues = {f"2025-{m:02d}-15": "4166.67" for m in range(1, 13)} | {"2026-01-15": "1000.00"}
    folder = tiered_coop(tmp_path, revenues)
    contributions = []
    for m in range(1, 13):
        run = run_cli(folder, "close-month", f"2025-{m:02d}", "--format", "json")
        assert run.exit_code == 0, run.stderr
        contributions.append(Decimal(run.json()["activities"][0]["contribution"]))
    assert sum(contributions) == Decimal("4600.00")
    assert contributions[0] == Decimal("416.67")  # 4,166.67 at 10%
    # January of the next year starts a new year-to-date: back to 10%
    january = run_cli(folder, "close-month", "2026-01", "--dry-run", "--format", "json").json()["activities"][
        0
    ]
    assert (january["contribution_rate"], january["contribution"]) == ("0.10", "100.00")


def test_exempt_months_pay_nothing_and_do_not_count_in_the_base(tmp_path):
    # started 2026-03-15, 2 exempt months: March (partial), April and May are exempt.
    revenues = {
        "2026-03-20": "1000.00",
        "2026-04-10": "1000.00",
        "2026-05-10": "1000.00",
        "2026-06-10": "40000.00",
    }
    folder = tiered_coop(tmp_path, revenues, exempt=2, started="2026-03-15")
    for month in ("2026-03", "2026-04", "2026-05"):
        out = run_cli(folder, "close-month", month, "--format", "json").json()["activities"][0]
        assert (out["contribution_rule"], out["contribution"]) == ("exempt", "0.00"), month
    june = run_cli(folder, "close-month", "2026-06", "--format", "json").json()["activities"][0]
    # YTD before June is 0 (exempt revenue does not count): F(40,000) = 3,500 + 400 = 3,900.00
    assert (june["contribution_rule"], june["contribution"]) == ("tiers", "3900.00")


def test_flat_rate_with_exempt_months(tmp_path):
    coop = COOP_YAML.replace(
        '  - {from: 2024-01-01, rate: "0.10"}\n', '  - {from: 2024-01-01, rate: "0.10", exempt_months: 1}\n'
    )
    ledger = (
        HEAD + '\n2026-09-10 * "C" "I"\n  Income:Activity:Solo  -500.00 EUR\n  Assets:Bank:Main\n'
        '2026-10-10 * "C" "I"\n  Income:Activity:Solo  -500.00 EUR\n  Assets:Bank:Main\n'
    )
    folder = write_coop(
        tmp_path,
        coop=coop,
        members="members: []\n",
        activities=ONE.replace("STARTED", ", started: 2026-09-01"),
        ledger=ledger,
    )
    september = run_cli(folder, "close-month", "2026-09", "--format", "json").json()["activities"][0]
    assert (september["contribution_rule"], september["contribution"]) == ("exempt", "0.00")
    assert october(folder)["contribution"] == "50.00"


def test_an_activity_may_override_the_schedule_with_its_own_tiers(tmp_path):
    activities = (
        'activities:\n  - id: Solo\n    name: "Solo"\n    establishment: paris-11\n    contribution:\n'
        '      - from: 2026-01-01\n        tiers:\n          - {up_to: "1000.00", rate: "0.20"}\n'
        '          - {rate: "0.05"}\n'
    )
    ledger = HEAD + '\n2026-10-10 * "C" "I"\n  Income:Activity:Solo  -3000.00 EUR\n  Assets:Bank:Main\n'
    folder = write_coop(tmp_path, members="members: []\n", activities=activities, ledger=ledger)
    assert october(folder)["contribution"] == "300.00"  # 1,000 at 20% + 2,000 at 5%


PAYROLL = PayrollEntry.model_validate(
    {
        "from": "2026-01-01",
        "smic_hourly": "12.02",
        "employee_rate": "0.22",
        "employer_rate_by_smic_ratio": [{"ratio": "1.0", "rate": "0.05"}, {"ratio": "1.6", "rate": "0.42"}],
    }
)


def test_employer_rate_interpolated_at_and_between_points_and_flat_beyond():
    hours = Decimal("100")  # SMIC base 12.02 x 100 = 1,202.00
    assert employer_rate_for(PAYROLL, Decimal("1202.00"), hours) == Decimal("0.05")  # at the first point
    assert employer_rate_for(PAYROLL, Decimal("1562.60"), hours) == Decimal("0.235")  # ratio 1.3: halfway
    assert employer_rate_for(PAYROLL, Decimal("1923.20"), hours) == Decimal("0.42")  # at the last point
    assert employer_rate_for(PAYROLL, Decimal("3000.00"), hours) == Decimal("0.42")  # beyond the last
    assert employer_rate_for(PAYROLL, Decimal("1000.00"), hours) == Decimal("0.05")  # below the first
    # 1500 / 1202 = 1.247920133...; 0.05 + 0.37 x 0.247920133 / 0.6 = 0.2028840820...;
    # x 1500 = 304.326 -> 304.33
    assert round_cent(Decimal("1500.00") * employer_rate_for(PAYROLL, Decimal("1500.00"), hours)) == Decimal(
        "304.33"
    )


def test_employer_table_in_a_close(tmp_path):
    coop = COOP_YAML.replace(
        'employer_rate: "0.42", employee_rate: "0.22"}',
        'employee_rate: "0.22", employer_rate_by_smic_ratio: [{ratio: "1.0", rate: "0.05"}, {ratio: '
        '"1.6", rate: "0.42"}]}',
    )
    members = (
        'members:\n  - id: ana\n    name: "Ana"\n    activity: Solo\n    joined: 2025-01-01\n'
        "    cesa_from: 2025-01-01\n    salary:\n"
        '      - {from: 2025-01-01, gross: "1500.00", hours: "100"}\n'
    )
    folder = write_coop(
        tmp_path, coop=coop, members=members, activities=ONE.replace("STARTED", ""), ledger=HEAD
    )
    pay = october(folder)["members"][0]
    assert (
        pay["employer_rate"],
        pay["employer_contributions"],
        pay["employee_contributions"],
        pay["cost"],
    ) == ("0.2029", "304.33", "330.00", "1804.33")


BONUS = '    bonuses:\n      - {month: 2026-10, gross: "AMOUNT", note: "Prime"}\n'


def with_bonus(amount: str) -> str:
    return EXAMPLE_MEMBERS.replace(
        '      - {from: 2026-01-01, gross: "1900.00", hours: "151.67"}\n',
        '      - {from: 2026-01-01, gross: "1900.00", hours: "151.67"}\n' + BONUS.replace("AMOUNT", amount),
    )


def test_a_bonus_is_paid_on_top_of_the_salary(tmp_path):
    folder = write_coop(tmp_path, members=with_bonus("1000.00"))
    out = run_cli(folder, "close-month", "2026-10", "--format", "json")
    assert out.exit_code == 0, out.stderr
    alice = next(m for a in out.json()["activities"] for m in a["members"] if m["id"] == "alice")
    # gross 1900 + 1000 = 2900; employer 42% = 1218.00; employee 22% = 638.00; net 2262.00; cost 4118.00
    assert (
        alice["salary_gross"],
        alice["bonus"],
        alice["gross"],
        alice["employer_contributions"],
        alice["employee_contributions"],
        alice["net"],
        alice["cost"],
    ) == ("1900.00", "1000.00", "2900.00", "1218.00", "638.00", "2262.00", "4118.00")
    text = (folder / "ledgers" / "closing" / "2026-10.beancount").read_text(encoding="utf-8")
    assert (
        '  member: "alice"\n  bonus: "1000.00"\n'
        "  Expenses:Activity:BoisNomade:Salary:Gross      2900.00 EUR\n" in text
    )


def test_a_bonus_beyond_the_reserve_is_refused(tmp_path):
    # BoisNomade closes at 1,752.00 without a bonus; a bonus of 1,500 costs 1,500 x 1.42 = 2,130.00 -> -378.00
    folder = write_coop(tmp_path, members=with_bonus("1500.00"))
    before = snapshot(folder)
    run = run_cli(folder, "close-month", "2026-10")
    assert run.exit_code == 1
    assert run.stderr.strip() == (
        "error: alice: the bonus of 1500.00 in 2026-10 would leave BoisNomade at -378.00; a bonus is "
        "paid only out of "
        "the activity's own reserve, and 1752.00 is available (this bonus costs 2130.00 with employer "
        "contributions). "
        "Lower or move the bonus in config/members.yaml"
    )
    assert snapshot(folder) == before


def test_simulate_a_raise(example):
    run = run_cli(
        example, "simulate", "alice", "--gross", "2100.00", "--month", "2026-10", "--format", "json"
    )
    assert run.exit_code == 0, run.stderr
    out = run.json()
    # 2100 x 42% = 882.00; 2100 x 22% = 462.00; cost 2982.00 against 2698.00 today;
    # reserve 1200 + 4000 - 350 = 4850.00
    assert {
        k: out[k]
        for k in (
            "gross",
            "hours",
            "employer_contributions",
            "employee_contributions",
            "net",
            "cost",
            "current_cost",
            "change",
            "reserve",
            "months_covered",
            "minimum_gross",
        )
    } == {
        "gross": "2100.00",
        "hours": "151.67",
        "employer_contributions": "882.00",
        "employee_contributions": "462.00",
        "net": "1638.00",
        "cost": "2982.00",
        "current_cost": "2698.00",
        "change": "284.00",
        "reserve": "4850.00",
        "months_covered": "1.6",
        "minimum_gross": "1823.07",
    }
    table = run_cli(example, "simulate", "dan", "--gross", "1500", "--month", "2026-10").stdout
    assert "Below the minimum wage: 151.67 h a month need at least 1,823.07 gross." in table


def test_simulate_refuses_bad_amounts(example):
    for args in (["--gross", "abc"], ["--gross", "-5"], ["--gross", "2000", "--hours", "0"]):
        run = run_cli(example, "simulate", "alice", *args)
        assert run.exit_code == 2 and run.stderr.count("\n") == 1, run.stderr


def test_old_style_and_new_style_flat_configs_agree(tmp_path):
    # a one-point employer table is a flat rate: the worked example's numbers are unchanged
    coop = COOP_YAML.replace(
        'employer_rate: "0.42", employee_rate: "0.22"}',
        'employee_rate: "0.22", employer_rate_by_smic_ratio: [{ratio: "1", rate: "0.42"}]}',
    )
    old = run_cli(
        write_coop(tmp_path / "old"), "close-month", "2026-10", "--dry-run", "--format", "json"
    ).json()
    new = run_cli(
        write_coop(tmp_path / "new", coop=coop), "close-month", "2026-10", "--dry-run", "--format", "json"
    ).json()
    assert old["totals"] == new["totals"]


@given(st.lists(st.integers(-20_000_00, 30_000_00), min_size=12, max_size=12))
def test_a_years_monthly_contributions_sum_to_the_yearly_formula(cents):
    revenues = [Decimal(c) / 100 for c in cents]
    with tempfile.TemporaryDirectory() as tmp:
        folder = tiered_coop(Path(tmp), {f"2025-{m + 1:02d}-15": str(r) for m, r in enumerate(revenues) if r})
        coop = load_cooperative(folder)
        books = load_books(coop)
        total = Decimal(0)
        for m in range(1, 13):
            month = Month(2025, m)
            total += month_contribution(
                coop, books.figures, "Solo", month, books.figures.month_figures("Solo", month).revenue
            ).amount
        tiers = coop.coop.contribution[0].tiers
        assert total == round_cent(tiered_total(tiers, sum(revenues, Decimal(0))))
