"""The year's close over two years, the surplus split, the statement: numbers worked out by hand.

The cooperative: Solo (ana, CESA from 2025-11-01, 1000.00 gross) and Duo (ben, CESA from 2025-12-16,
1240.00 gross, so December is 16/31 of it); contribution 10%, employer 42%, employee 22%.

2025-11  Solo: opening reserve 500.00, revenue 3000.00, contribution 300.00, ana 1000.00 + 420.00 = 1420.00
         -> Solo 500 + 3000 - 300 - 1420 = 1780.00
2025-12  Solo: expenses 150.00, ana 1420.00 -> 210.00
         Duo: revenue 2000.00, contribution 200.00, ben 1240 x 16/31 = 640.00 + 268.80 = 908.80 -> 891.20
Coop 2025: contributions 500.00 + subsidy 400.00 - rent 200.00 = 700.00
Year close 2025: Solo's result -290.00 (3000 - 150 - 300 - 2000 - 840) into Equity:Activity:Solo
(-500.00 + 290.00 = reserve 210.00); Duo's 891.20; the cooperative's 700.00 into Equity:Coop:Result.
Surplus 700.00: legal 15% 105.00, development 40% 280.00, workers 45% 315.00; workers by gross paid in
2025: ana 2000.00, ben 640.00: 315 x 2000/2640 = 238.636..., 315 x 640/2640 = 76.363...; rounded down
238.63 + 76.36 = 314.99, the cent left goes to the largest remainder (ana): 238.64 and 76.36.
2026-01  Solo: revenue 1000.00, contribution 100.00, ana 1420.00 -> 210 + 1000 - 100 - 1420 = -310.00
         Duo: ben 1240.00 + 520.80 = 1760.80 -> 891.20 - 1760.80 = -869.60
"""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli, snapshot, write_coop
from hypothesis import given
from hypothesis import strategies as st

from coopctl.adapter.ledger import load_books
from coopctl.app import commands as service
from coopctl.core.yearend import split_to_cent
from coopctl.domain.months import Month
from coopctl.store.configfile import load_cooperative

COOP = """\
name: "Deux Ans"
currency: EUR
ledger: ledgers/main.beancount
establishments:
  - {id: lyon, name: "Lyon"}
contribution:
  - {from: 2024-01-01, rate: "0.10"}
payroll:
  - {from: 2025-01-01, smic_hourly: "11.88", employer_rate: "0.42", employee_rate: "0.22"}
  - {from: 2026-01-01, smic_hourly: "12.02", employer_rate: "0.42", employee_rate: "0.22"}
surplus:
  legal_reserve: "0.15"
  development_fund: "0.40"
  workers_share: "0.45"
  dividends: "0.00"
  workers_share_basis: salary
"""

MEMBERS = """\
members:
  - id: ana
    name: "Ana Lopes"
    activity: Solo
    joined: 2025-06-01
    cesa_from: 2025-11-01
    salary:
      - {from: 2025-11-01, gross: "1000.00", hours: "80"}
  - id: ben
    name: "Ben Okafor"
    activity: Duo
    joined: 2025-09-01
    cesa_from: 2025-12-16
    salary:
      - {from: 2025-12-16, gross: "1240.00", hours: "100"}
"""

ACTIVITIES = """\
activities:
  - {id: Solo, name: "Solo", establishment: lyon}
  - {id: Duo, name: "Duo", establishment: lyon}
"""

MAIN = """\
option "operating_currency" "EUR"
include "accounts.beancount"
include "2025/*.beancount"
"""

ACCOUNTS = """\
2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Income:Activity:Solo EUR
2020-01-01 open Income:Activity:Duo EUR
2020-01-01 open Expenses:Activity:Solo:Supplies EUR
2020-01-01 open Equity:Activity:Solo EUR
2020-01-01 open Income:Coop:Subsidy EUR
2020-01-01 open Expenses:Coop:Rent EUR
"""

NOVEMBER = """\
2025-11-01 * "Reserve brought forward"
  Equity:Activity:Solo  -500.00 EUR
  Assets:Bank:Main       500.00 EUR

2025-11-10 * "Client" "Invoice S1"
  Assets:Bank:Main       3000.00 EUR
  Income:Activity:Solo  -3000.00 EUR

2025-11-20 * "Landlord" "Rent"
  Expenses:Coop:Rent   200.00 EUR
  Assets:Bank:Main    -200.00 EUR
"""

DECEMBER = """\
2025-12-05 * "Client" "Invoice D1"
  Assets:Bank:Main      2000.00 EUR
  Income:Activity:Duo  -2000.00 EUR

2025-12-08 * "Supplier" "Supplies"
  Expenses:Activity:Solo:Supplies  150.00 EUR
  Assets:Bank:Main                -150.00 EUR

2025-12-15 * "Region" "Subsidy"
  Assets:Bank:Main      400.00 EUR
  Income:Coop:Subsidy  -400.00 EUR
"""

JANUARY = """\

2026-01-10 * "Client" "Invoice S2"
  Assets:Bank:Main      1000.00 EUR
  Income:Activity:Solo  -1000.00 EUR
"""


def two_years(tmp_path: Path, coop: str = COOP, november: str = NOVEMBER) -> Path:
    return write_coop(
        tmp_path / "coop",
        coop=coop,
        members=MEMBERS,
        activities=ACTIVITIES,
        ledger=MAIN,
        extra_files={
            "ledgers/accounts.beancount": ACCOUNTS,
            "ledgers/2025/2025-11.beancount": november,
            "ledgers/2025/2025-12.beancount": DECEMBER,
        },
    )


def close(folder: Path, month: str, today: str) -> None:
    service.close_month(folder, Month.parse(month), dry_run=False, today=datetime.date.fromisoformat(today))


def closed_2025(tmp_path: Path, coop: str = COOP) -> Path:
    folder = two_years(tmp_path, coop)
    close(folder, "2025-11", "2026-01-05")
    close(folder, "2025-12", "2026-01-05")
    return folder


def test_close_year_refused_before_december_is_closed(tmp_path):
    folder = two_years(tmp_path)
    close(folder, "2025-11", "2026-01-05")
    before = snapshot(folder)
    run = run_cli(folder, "close-year", "2025")
    assert run.exit_code == 1
    assert "close 2025-12 first: a year closes after its December (coopctl close-month 2025-12)" in run.stderr
    assert snapshot(folder) == before


def test_close_year_worked_by_hand(tmp_path):
    folder = closed_2025(tmp_path)
    run = run_cli(folder, "close-year", "2025", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = run.json()
    assert out["coop_result"] == "700.00"
    assert {a["activity"]: (a["result"], a["reserve"]) for a in out["activities"]} == {
        "Solo": ("-290.00", "210.00"),
        "Duo": ("891.20", "891.20"),
    }
    surplus = out["surplus"]
    assert [(p["part"], p["amount"]) for p in surplus["parts"]] == [
        ("legal_reserve", "105.00"),
        ("development_fund", "280.00"),
        ("workers_share", "315.00"),
        ("dividends", "0.00"),
    ]
    assert [(w["member"], w["basis"], w["amount"]) for w in surplus["workers"]] == [
        ("ana", "2000.00", "238.64"),
        ("ben", "640.00", "76.36"),
    ]
    text = (folder / "ledgers" / "closing" / "2025-year.beancount").read_text(encoding="utf-8")
    assert '2025-12-31 custom "coopctl-close-year" "2025"' in text
    assert re.search(r"\n  Equity:Activity:Solo +290\.00 EUR\n", text)
    assert re.search(r"\n  Equity:Coop:Result +-700\.00 EUR\n", text)
    # the next year's folder is started and included; the ledger passes bean-check
    assert (folder / "ledgers" / "2026" / "2026-01.beancount").is_file()
    assert 'include "2026/*.beancount"' in (folder / "ledgers" / "main.beancount").read_text(encoding="utf-8")
    check = subprocess.run(
        [sys.executable, "-m", "beancount.scripts.check", str(folder / "ledgers" / "main.beancount")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    # every income and expense account is at zero after the year's close (bean-query would say the same)
    books = load_books(load_cooperative(folder))
    from beancount.core import realization

    real = realization.realize(books.ledger.entries)
    for account in realization.iter_children(real):
        if account.account.split(":")[0] in ("Income", "Expenses"):
            assert account.balance.is_empty(), account.account


def test_next_year_closes_from_the_reserves_loading_only_its_own_year(tmp_path):
    folder = closed_2025(tmp_path)
    service.close_year(
        folder, 2025, dry_run=False, apply_surplus=False, surplus_date=None, today=datetime.date(2026, 1, 5)
    )
    with open(folder / "ledgers" / "2026" / "2026-01.beancount", "a", encoding="utf-8") as handle:
        handle.write(JANUARY)
    coop = load_cooperative(folder)
    alone = load_books(coop, year=2026)
    assert alone.year == 2026, "2026 loads alone from openings/2026.beancount"
    assert not any(
        str(path).endswith(("2025-11.beancount", "2025-12.beancount")) for path in alone.ledger.files
    )
    run = run_cli(folder, "close-month", "2026-01", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = {a["id"]: a for a in run.json()["activities"]}
    assert (
        out["Solo"]["opening_balance"],
        out["Solo"]["contribution"],
        out["Solo"]["closing_balance"],
        out["Solo"]["advance"],
    ) == ("210.00", "100.00", "-310.00", "310.00")
    assert (out["Duo"]["opening_balance"], out["Duo"]["salary_cost"], out["Duo"]["closing_balance"]) == (
        "891.20",
        "1760.80",
        "-869.60",
    )
    # the same close from the whole ledger (the opening moved away) gives the same bytes
    close(folder, "2026-01", "2026-02-05")
    written = (folder / "ledgers" / "closing" / "2026-01.beancount").read_bytes()
    service.reopen(folder, Month(2026, 1))
    opening = folder / "ledgers" / "openings" / "2026.beancount"
    kept = opening.read_bytes()
    opening.unlink()
    close(folder, "2026-01", "2026-02-05")
    assert (folder / "ledgers" / "closing" / "2026-01.beancount").read_bytes() == written
    opening.write_bytes(kept)
    # balances and history run across the year boundary
    balance = run_cli(folder, "balance", "ana", "--as-of", "2026-01-31", "--format", "json").json()
    assert [(m["month"], m["closing_balance"]) for m in balance["months"]] == [
        ("2025-11", "1780.00"),
        ("2025-12", "210.00"),
        ("2026-01", "-310.00"),
    ]


def test_an_edited_earlier_year_is_never_skipped(tmp_path):
    folder = closed_2025(tmp_path)
    service.close_year(
        folder, 2025, dry_run=False, apply_surplus=False, surplus_date=None, today=datetime.date(2026, 1, 5)
    )
    coop = load_cooperative(folder)
    assert load_books(coop, year=2026).year == 2026
    november = folder / "ledgers" / "2025" / "2025-11.beancount"
    november.write_text(november.read_text(encoding="utf-8") + "\n; a comment\n", encoding="utf-8")
    assert load_books(coop, year=2026).year is None, "the seal no longer matches: the whole ledger is loaded"
    november.write_text(november.read_text(encoding="utf-8").replace("3000.00", "3100.00"), encoding="utf-8")
    run = run_cli(folder, "close-month", "2026-01", "--dry-run")
    assert run.exit_code == 1
    assert "closed month 2025-11" in run.stderr or "2025-11" in run.stderr


def test_close_year_then_reopen_restores_the_bytes(tmp_path):
    folder = closed_2025(tmp_path)
    before = snapshot(folder)
    assert run_cli(folder, "close-year", "2025").exit_code == 0
    again = run_cli(folder, "close-year", "2025")
    assert again.exit_code == 1 and "2025 is already closed" in again.stderr
    refused = run_cli(folder, "reopen", "2025-12")
    assert refused.exit_code == 1 and "reopen the year first" in refused.stderr
    run = run_cli(folder, "reopen", "2025")
    assert run.exit_code == 0, run.stderr
    assert snapshot(folder) == before


@given(
    revenue=st.decimals(min_value=0, max_value=20000, places=2),
    rent=st.decimals(min_value=0, max_value=5000, places=2),
)
def test_year_close_conserves_money_and_reopens_to_the_same_bytes(tmp_path_factory, revenue, rent):
    """Any amounts: reserves carried = balances at the year's end, Σ transfers = 0, reopen restores the
    bytes."""
    tmp = tmp_path_factory.mktemp("year")
    november = NOVEMBER.replace("3000.00", f"{revenue:.2f}").replace("200.00", f"{rent:.2f}")
    folder = two_years(tmp, november=november)
    close(folder, "2025-11", "2026-01-05")
    close(folder, "2025-12", "2026-01-05")
    books = load_books(load_cooperative(folder))
    end = datetime.date(2025, 12, 31)
    balances = {a: books.figures.balance(a, end) for a in ("Solo", "Duo")}
    before = snapshot(folder)
    result = service.close_year(
        folder, 2025, dry_run=False, apply_surplus=False, surplus_date=None, today=datetime.date(2026, 1, 5)
    )
    assert result.plan.reserves == balances
    for transfer in (*result.plan.activities, result.plan.coop):
        assert sum(amount for _, amount in transfer.postings) == 0
    if result.proposal is not None:
        assert sum(amount for _, _, amount in result.proposal.parts) == result.plan.coop_result
        assert sum(w.amount for w in result.proposal.workers) == result.proposal.amount("workers_share")
    after = load_books(load_cooperative(folder))
    assert {a: after.figures.balance(a, end) for a in balances} == balances
    service.reopen_closed_year(folder, 2025)
    assert snapshot(folder) == before


def test_apply_surplus_books_the_assembly_decision(tmp_path):
    folder = closed_2025(tmp_path)
    assert run_cli(folder, "close-year", "2025").exit_code == 0
    early = run_cli(folder, "close-year", "2025", "--apply-surplus", "--date", "2025-12-31")
    assert early.exit_code == 1 and "after 2025-12-31" in early.stderr
    run = run_cli(folder, "close-year", "2025", "--apply-surplus", "--date", "2026-06-20", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["surplus_file"].endswith("2026-06-20-surplus-2025.beancount")
    books = load_books(load_cooperative(folder))
    assert not [p for p in books.problems if p.severity == "error"]
    from beancount.core import realization

    real = realization.realize(books.ledger.entries)
    assert realization.get(real, "Equity:Coop:Result").balance.is_empty(), "the whole result is allocated"
    text = (folder / "ledgers" / "closing" / "2026-06-20-surplus-2025.beancount").read_text(encoding="utf-8")
    for account, amount in (
        ("Equity:Coop:Result", "700.00"),
        ("Equity:Coop:Reserve:Legal", "-105.00"),
        ("Equity:Coop:Reserve:Development", "-280.00"),
        ("Liabilities:Payable:WorkersShare:Ana", "-238.64"),
        ("Liabilities:Payable:WorkersShare:Ben", "-76.36"),
    ):
        assert re.search(rf"\n  {account} +{amount} EUR\n", text), (account, text)
    twice = run_cli(folder, "close-year", "2025", "--apply-surplus", "--date", "2026-06-21")
    assert twice.exit_code == 1 and "booked already" in twice.stderr


POLICY = 'legal_reserve: "0.15"\n  development_fund: "0.40"\n  workers_share: "0.45"\n  dividends: "0.00"'


@pytest.mark.parametrize(
    "legal, development, workers, dividends, message",
    [
        ("0.15", "0.40", "0.45", "0.00", None),
        ("0.10", "0.45", "0.45", "0.00", "legal_reserve 0.10 is below the legal minimum of 0.15"),
        ("0.15", "0.40", "0.20", "0.25", "workers_share 0.20 is below the legal minimum of 0.25"),
        ("0.15", "0.30", "0.25", "0.30", "dividends 0.30 exceed the workers' share 0.25"),
        ("0.15", "0.40", "0.50", "0.00", "the parts sum to 1.05, not 1"),
    ],
)
def test_surplus_legal_bounds_are_enforced(tmp_path, legal, development, workers, dividends, message):
    policy = (
        f'legal_reserve: "{legal}"\n  development_fund: "{development}"\n  workers_share: "{workers}"\n'
        f'  dividends: "{dividends}"'
    )
    folder = two_years(tmp_path, COOP.replace(POLICY, policy))
    run = run_cli(folder, "check")
    if message is None:
        assert run.exit_code == 0, run.stderr
        return
    assert run.exit_code == 1
    lines = [line for line in run.stderr.splitlines() if message in line]
    assert lines and lines[0].startswith("error: config/coop.yaml:"), run.stderr


def test_statement_months_add_up_to_the_year(tmp_path):
    folder = closed_2025(tmp_path)
    out = run_cli(folder, "statement", "ben", "--year", "2025", "--format", "json").json()
    assert [m["month"] for m in out["months"]] == ["2025-11", "2025-12"]
    december = out["months"][1]
    assert (
        december["revenue"],
        december["contribution"],
        december["salary_cost"],
        december["gross"],
        december["net"],
        december["balance"],
    ) == ("2000.00", "200.00", "908.80", "640.00", "499.20", "891.20")
    for who in ("ana", "ben"):
        out = run_cli(folder, "statement", who, "--year", "2025", "--format", "json").json()
        total = Decimal(out["reserve_start"])
        for m in out["months"]:
            total += (
                Decimal(m["revenue"])
                - Decimal(m["contribution"])
                - Decimal(m["expenses"])
                - Decimal(m["salary_cost"])
                + Decimal(m["reserve_brought_in"])
            )
            assert total == Decimal(m["balance"])
        assert total == Decimal(out["reserve_end"])
        for key in ("revenue", "contribution", "expenses", "salary_cost", "gross", "net"):
            assert sum(Decimal(m[key]) for m in out["months"]) == Decimal(out["totals"][key])
    html = tmp_path / "ana.html"
    run = run_cli(folder, "statement", "ana", "--year", "2025", "--html", str(html))
    assert run.exit_code == 0, run.stderr
    page = html.read_text(encoding="utf-8")
    assert "<title>Ana Lopes — statement 2025</title>" in page and "1\u202f780.00" in page


@given(
    total=st.decimals(min_value=-100000, max_value=100000, places=2),
    weights=st.lists(st.decimals(min_value=0, max_value=10000, places=2), min_size=1, max_size=12),
)
def test_split_to_cent_adds_up_and_stays_within_a_cent(total, weights):
    if not any(weights):
        weights = weights[:-1] + [Decimal("1")]
    parts = split_to_cent(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights):
        assert abs(part - total * weight / whole) < Decimal("0.01")


def test_review_reads_across_the_year_boundary(tmp_path):
    """A close-year changes no activity's balance and touches no closed month: review says so."""
    from test_git_review import git, make_repo

    folder = closed_2025(tmp_path)
    make_repo(folder)
    assert run_cli(folder, "close-year", "2025").exit_code == 0
    out = run_cli(folder, "review", "--format", "json")
    assert out.exit_code == 0, out.stderr
    review = out.json()
    assert review["activities"] == [] and review["closed_months_touched"] == [] and review["months"] == []
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "close 2025")
    assert run_cli(folder, "review", "HEAD~1..HEAD", "--format", "json").json()["activities"] == []


def test_surplus_proposal_as_csv_adds_up(tmp_path):
    folder = closed_2025(tmp_path)
    run = run_cli(folder, "close-year", "2025", "--dry-run", "--format", "csv")
    assert run.exit_code == 0, run.stderr
    lines = [line.split(",") for line in run.stdout.strip().splitlines()]
    assert lines[0] == ["line", "id", "name", "rate", "basis", "amount"]
    parts = {row[1]: Decimal(row[5]) for row in lines[1:] if row[0] == "part"}
    workers = {row[1]: Decimal(row[5]) for row in lines[1:] if row[0] == "worker"}
    assert sum(parts.values()) == Decimal("700.00")
    assert (
        workers == {"ana": Decimal("238.64"), "ben": Decimal("76.36")}
        and sum(workers.values()) == parts["workers_share"]
    )
    assert not (folder / "ledgers" / "closing" / "2025-year.beancount").exists(), "a dry run writes nothing"
