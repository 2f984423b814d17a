"""Issue 16, item 4: ``coopctl payroll import FILE.csv``, the real payroll reconciled with a close.

Hand-worked on DESIGN §5's worked example (flat rates 42 % / 22 %), September 2026 closed, so October is
the first open month. September's close booked alice 1900.00 gross, 798.00 employer, 418.00
employee, 1482.00 net; bob 1300.00, 546.00, 286.00, 1014.00; chloe 800.00, 336.00, 176.00, 624.00.
The payroll bureau's real payslips: alice's employer contributions are 760.00 (a reduction the flat rate
does not know): Δ employer −38.00, so Salary:Employer −38.00 and Social +38.00. Bob worked overtime: gross
1350.00, employer 567.00, employee 297.00, net 1053.00: Δ gross +50.00, Δ employer +21.00, Δ net +39.00,
Δ social (21.00 + 11.00) +32.00; 50.00 + 21.00 − 39.00 − 32.00 = 0. Chloe's payslip is what was booked.
Both corrections are dated 2026-10-01: BoisNomade's balance rises by 38.00, AtelierCommun's falls by 71.00.
"""

from __future__ import annotations

import csv
import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli, snapshot
from test_help_french import FRENCH_ENV, assert_no_english

HEADER = "member,month,gross,employer_contributions,employee_contributions,net\n"
REAL_SEPTEMBER = (
    HEADER
    + "alice,2026-09,1900.00,760.00,418.00,1482.00\n"
    + "bob,2026-09,1350.00,567.00,297.00,1053.00\n"
    + "chloe,2026-09,800.00,336.00,176.00,624.00\n"
)
EXPECTED_FILE = """\
; Written by coopctl payroll import: the real payroll of 2026-09 (the payroll bureau's
; figures) minus what the close of 2026-09 booked, dated in 2026-10, the first
; open month. An ordinary ledger file: correct it by hand while its month is open if needed.

2026-10-01 * "Paie réelle 2026-09 — Alice Martin (écart)"
  payroll_actual: "2026-09"
  member: "alice"
  activity: "BoisNomade"
  Expenses:Activity:BoisNomade:Salary:Employer  -38.00 EUR
  Liabilities:Payroll:Social                     38.00 EUR

2026-10-01 * "Paie réelle 2026-09 — Bob Durand (écart)"
  payroll_actual: "2026-09"
  member: "bob"
  activity: "AtelierCommun"
  Expenses:Activity:AtelierCommun:Salary:Gross      50.00 EUR
  Expenses:Activity:AtelierCommun:Salary:Employer   21.00 EUR
  Liabilities:Payroll:Net                          -39.00 EUR
  Liabilities:Payroll:Social                       -32.00 EUR

2026-10-01 * "Paie réelle 2026-09 — Chloé Petit (aucun écart)"
  payroll_actual: "2026-09"
  member: "chloe"
  activity: "AtelierCommun"
"""


@pytest.fixture
def closed(example):
    for month in ("2026-09",):
        run = run_cli(example, "close-month", month)
        assert run.exit_code == 0, run.stderr
    return example


def csv_file(folder: Path, text: str, name: str = "paie.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def balance(root: Path, member: str, day: str) -> Decimal:
    return Decimal(run_cli(root, "balance", member, "--as-of", day, "--format", "json").json()["balance"])


def test_dry_run_shows_the_differences_and_writes_nothing(closed, tmp_path):
    path = csv_file(tmp_path, REAL_SEPTEMBER)
    before = snapshot(closed)
    run = run_cli(closed, "payroll", "import", str(path), "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert (data["month"], data["booked_in"], data["dry_run"]) == ("2026-09", "2026-10", True)
    assert data["file"] == "ledgers/payroll/2026-10-actual-2026-09.beancount"
    by_member = {m["member"]: m for m in data["members"]}
    assert by_member["alice"]["booked"]["employer_contributions"] == "798.00"
    assert by_member["alice"]["difference"] == {
        "gross": "0.00",
        "employer_contributions": "-38.00",
        "employee_contributions": "0.00",
        "net": "0.00",
        "cost": "-38.00",
    }
    assert by_member["bob"]["difference"] == {
        "gross": "50.00",
        "employer_contributions": "21.00",
        "employee_contributions": "11.00",
        "net": "39.00",
        "cost": "71.00",
    }
    assert data["totals"]["cost"] == "33.00"  # −38.00 + 71.00 + 0.00
    assert snapshot(closed) == before
    table = run_cli(closed, "payroll", "import", str(path), "-n")
    assert table.exit_code == 0 and "Dry run: nothing was written" in table.stdout
    rows = list(
        csv.DictReader(io.StringIO(run_cli(closed, "payroll", "import", str(path), "-n", "-f", "csv").stdout))
    )
    assert [r["member"] for r in rows] == ["bob", "chloe", "alice"] and rows[0]["cost"] == "71.00"
    assert snapshot(closed) == before


def test_import_books_the_differences_in_the_first_open_month(closed, tmp_path):
    path = csv_file(tmp_path, REAL_SEPTEMBER)
    main_before = (closed / "ledgers" / "main.beancount").read_text(encoding="utf-8")
    alice, bob = balance(closed, "alice", "2026-10-31"), balance(closed, "bob", "2026-10-31")
    september = balance(closed, "alice", "2026-09-30")
    run = run_cli(closed, "payroll", "import", str(path))
    assert run.exit_code == 0, run.stderr
    written = closed / "ledgers" / "payroll" / "2026-10-actual-2026-09.beancount"
    assert written.read_text(encoding="utf-8") == EXPECTED_FILE
    assert (closed / "ledgers" / "main.beancount").read_text(encoding="utf-8") == main_before + (
        "\n; The real payroll's differences, written by coopctl payroll import\n"
        'include "payroll/*.beancount"\n'
    )
    assert "Wrote ledgers/payroll/2026-10-actual-2026-09.beancount" in " ".join(run.stdout.split())
    # the closed months are untouched: October's balance is what its close left
    assert balance(closed, "alice", "2026-09-30") == september
    assert balance(closed, "alice", "2026-10-31") == alice + Decimal("38.00")
    assert balance(closed, "bob", "2026-10-31") == bob - Decimal("71.00")
    check = run_cli(closed, "check")
    assert check.exit_code == 0, check.stderr
    # a second import of the month is refused, naming where the first one is
    again = run_cli(closed, "payroll", "import", str(path))
    assert again.exit_code == 1
    assert again.stderr.strip() == (
        f"error: {path}:2: the payroll of 2026-09 is already imported "
        "(ledgers/payroll/2026-10-actual-2026-09.beancount:5); post any further correction by hand in "
        "the open month"
    )


def test_the_next_close_carries_the_import_and_check_stays_green(closed, tmp_path):
    path = csv_file(tmp_path, REAL_SEPTEMBER)
    assert run_cli(closed, "payroll", "import", str(path)).exit_code == 0
    projected = run_cli(closed, "balance", "bob", "--format", "json").json()
    assert projected["projected_month"] == "2026-10" and projected["projection"]["other"] == "-71.00"
    close = run_cli(closed, "close-month", "2026-10")
    assert close.exit_code == 0, close.stderr
    assert balance(closed, "bob", "2026-10-31") == Decimal(projected["projected_closing"])
    check = run_cli(closed, "check")
    assert check.exit_code == 0, check.stderr
    # the import is now a source of a closed month: a hand edit of it is caught like any other
    written = closed / "ledgers" / "payroll" / "2026-10-actual-2026-09.beancount"
    written.write_text(
        written.read_text(encoding="utf-8")
        .replace("-38.00 EUR", "-38.01 EUR")
        .replace(" 38.00 EUR", " 38.01 EUR"),
        encoding="utf-8",
    )
    edited = run_cli(closed, "check")
    assert edited.exit_code == 1
    assert (
        "ledgers/payroll/2026-10-actual-2026-09.beancount:5: closed month 2026-10: entry changed"
        in edited.stderr
    )


def test_a_hand_edit_while_open_is_an_ordinary_source_edit(closed, tmp_path):
    assert run_cli(closed, "payroll", "import", str(csv_file(tmp_path, REAL_SEPTEMBER))).exit_code == 0
    written = closed / "ledgers" / "payroll" / "2026-10-actual-2026-09.beancount"
    written.write_text(
        written.read_text(encoding="utf-8")
        .replace("-38.00 EUR", "-40.00 EUR")
        .replace(" 38.00 EUR", " 40.00 EUR"),
        encoding="utf-8",
    )
    assert run_cli(closed, "check").exit_code == 0
    assert run_cli(closed, "close-month", "2026-10").exit_code == 0
    assert run_cli(closed, "check").exit_code == 0


def refused(root: Path, tmp_path: Path, text: str) -> str:
    path = csv_file(tmp_path, text)
    before = snapshot(root)
    run = run_cli(root, "payroll", "import", str(path))
    assert run.exit_code == 1, run.stdout
    assert "Traceback" not in run.stderr
    assert snapshot(root) == before
    return run.stderr.strip().replace(str(path), "paie.csv")


@pytest.mark.parametrize(
    "rows, expected",
    [
        (
            "alcie,2026-09,1900.00,760.00,418.00,1482.00\n",
            "error: paie.csv:2: unknown member 'alcie' (not in config/members.yaml; did you mean alice?)",
        ),
        (
            "dan,2026-09,100.00,42.00,22.00,78.00\n",
            "error: paie.csv:2: dan was not paid in 2026-09: its close booked no salary for them",
        ),
        (
            "alice,2026-09,1900.001,760.00,418.00,1482.00\n",
            "error: paie.csv:2: gross '1900.001' is not an amount: write it with a dot and at most two "
            "decimals, not negative, e.g. 1300.00",
        ),
        (
            "alice,2026-09,1.9e3,760.00,418.00,1482.00\n",
            "error: paie.csv:2: gross '1.9e3' is not an amount",
        ),
        (
            "alice,2026-09,1900.00,-760.00,418.00,1482.00\n",
            "error: paie.csv:2: employer_contributions '-760.00' is not an amount",
        ),
        (
            "alice,2026-09,1900.00,760.00,418.00,1482.00\nbob,2026-08,1300.00,546.00,286.00,1014.00\n",
            "error: paie.csv:3: a row for 2026-08 in a file for 2026-09 (line 2): import one month at a time",
        ),
        (
            "alice,2026-09,1900.00,760.00,418.00,1482.00\nalice,2026-09,1900.00,760.00,418.00,1482.00\n",
            "error: paie.csv:3: alice is listed twice (first on line 2)",
        ),
        (
            "alice,2026-09,1900.00,760.00,418.00,1480.00\n",
            "error: paie.csv:2: net 1480.00 is not gross 1900.00 − employee contributions 418.00 "
            "(= 1482.00): give the net before income tax withheld",
        ),
        (
            "alice,2026/10,1900.00,760.00,418.00,1482.00\n",
            "error: paie.csv:2: month '2026/10' is not a month; write it as YYYY-MM, e.g. 2026-09",
        ),
        ("alice,2026-09,1900.00,760.00,418.00\n", "error: paie.csv:2: 5 cells where the header has 6"),
        ("", "error: paie.csv:1: no rows after the header"),
    ],
)
def test_refusals_name_the_row_and_write_nothing(closed, tmp_path, rows, expected):
    answer = refused(closed, tmp_path, HEADER + rows)
    assert answer.startswith(expected), answer
    assert len(answer.splitlines()) == 1


def test_refusals_of_the_file_itself(closed, tmp_path):
    assert refused(closed, tmp_path, "member,month,gross,net\n") == (
        "error: paie.csv:1: the header must name the columns "
        "member,month,gross,employer_contributions,employee_contributions,net (missing: "
        "employer_contributions, employee_contributions; unknown: none; twice: none)"
    )
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "léa,2026-09,1.00,1.00,0.00,1.00\n").encode("latin-1"))
    run = run_cli(closed, "payroll", "import", str(path))
    assert run.exit_code == 1
    assert run.stderr.strip() == f"error: {path}:2: not valid UTF-8; save the file as UTF-8 (CSV UTF-8)"
    # a byte-order mark (Excel's "CSV UTF-8") is fine
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeff".encode() + REAL_SEPTEMBER.encode("utf-8"))
    assert run_cli(closed, "payroll", "import", str(bom), "--dry-run").exit_code == 0
    missing = run_cli(closed, "payroll", "import", str(tmp_path / "nope.csv"))
    assert missing.exit_code == 1 and "nope.csv: cannot read" in missing.stderr


def test_an_open_month_is_refused(example, tmp_path):
    assert refused(example, tmp_path, REAL_SEPTEMBER) == (
        "error: paie.csv:2: 2026-09 is not closed: the real payroll corrects what a close booked; "
        "close it first"
    )


def test_sample_import_of_september(sample_copy, tmp_path):
    """On the sample: September's real payroll, from its own export with two payslips changed; booked in
    October (the first open month), it shows in October's report and in the close that follows."""
    export = run_cli(sample_copy, "payroll", "2026-09")
    rows = list(csv.DictReader(io.StringIO(export.stdout)))
    lines = [HEADER.strip()]
    for r in rows:
        gross, employer, employee = (
            Decimal(r["gross"]),
            Decimal(r["employer_contributions"]),
            Decimal(r["employee_contributions"]),
        )
        if r["member_id"] == "alice":
            employer += Decimal("12.34")
        if r["member_id"] == "bob":
            gross, employer, employee = gross + 100, employer + 20, employee + 22
        lines.append(
            f"{r['member_id']},2026-09,{gross:.2f},{employer:.2f},{employee:.2f},{gross - employee:.2f}"
        )
    path = csv_file(tmp_path, "\n".join(lines) + "\n")
    report_before = run_cli(sample_copy, "report", "2026-10", "--format", "json").json()
    run = run_cli(sample_copy, "payroll", "import", str(path), "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert (data["month"], data["booked_in"], data["totals"]["cost"]) == ("2026-09", "2026-10", "132.34")
    assert data["not_in_file"] == []
    assert (sample_copy / "ledgers" / "payroll" / "2026-10-actual-2026-09.beancount").is_file()
    report = run_cli(sample_copy, "report", "2026-10", "--format", "json").json()
    assert Decimal(report["totals"]["closing_balance"]) == Decimal(
        report_before["totals"]["closing_balance"]
    ) - Decimal("132.34")
    assert report["totals"]["salary_cost_booked_by_hand"] == "132.34"
    # September itself is untouched: its export is what its close booked
    assert run_cli(sample_copy, "payroll", "2026-09").stdout == export.stdout
    assert run_cli(sample_copy, "check").exit_code == 0
    assert run_cli(sample_copy, "close-month", "2026-10").exit_code == 0
    assert run_cli(sample_copy, "check").exit_code == 0


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], check=True, capture_output=True, text=True
    ).stdout


def test_review_shows_the_effect_on_balances(closed, tmp_path):
    git(closed, "init", "-q", "-b", "main")
    git(closed, "config", "user.email", "tresorier@exemple.org")
    git(closed, "config", "user.name", "Trésorier")
    (closed / ".gitignore").write_text(".coopctl.lock\n", encoding="utf-8")
    git(closed, "add", "-A")
    git(closed, "commit", "-q", "-m", "closed")
    assert run_cli(closed, "payroll", "import", str(csv_file(tmp_path, REAL_SEPTEMBER))).exit_code == 0
    run = run_cli(closed, "review", "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    changes = {a["id"]: a["change"] for a in data["activities"]}
    assert changes == {"AtelierCommun": "-71.00", "BoisNomade": "38.00"}
    assert data["closed_months_touched"] == []


def test_payroll_is_still_the_export_and_a_group(sample_copy):
    assert run_cli(sample_copy, "payroll", "2026-09", "-f", "json").json()["month"] == "2026-09"
    missing = run_cli(sample_copy, "payroll")
    assert missing.exit_code == 2 and "Missing argument 'YYYY-MM'" in missing.stderr
    extra = run_cli(sample_copy, "payroll", "2026-09", "extra")
    assert extra.exit_code == 2 and "unexpected extra argument" in extra.stderr
    helped = run_cli(None, "payroll", "--help")
    assert helped.exit_code == 0 and "import" in helped.stdout and "YYYY-MM" in helped.stdout
    sub = run_cli(None, "payroll", "import", "--help")
    assert sub.exit_code == 0 and "employer_contributions" in sub.stdout and "--dry-run" in sub.stdout


def test_payroll_import_help_in_french():
    run = run_cli(None, "payroll", "import", "--help", env=FRENCH_ENV)
    assert run.exit_code == 0, run.stderr
    assert "Exemples :" in run.stdout
    assert_no_english(run.stdout, "import")


def test_a_held_lock_refuses_the_import_and_a_dry_run_needs_none(closed, tmp_path):
    from coopctl.store.safe_io import cooperative_lock

    path = csv_file(tmp_path, REAL_SEPTEMBER)
    before = snapshot(closed)
    with cooperative_lock(closed, "coopctl close-month 2026-10"):
        assert run_cli(closed, "payroll", "import", str(path), "--dry-run").exit_code == 0
        run = run_cli(closed, "payroll", "import", str(path))
    assert run.exit_code == 1 and "the cooperative is locked" in run.stderr
    assert snapshot(closed) == before


def test_a_ledger_that_no_longer_loads_after_the_write_puts_everything_back(closed, tmp_path):
    """A stray file already under ledgers/payroll/ is read once the include is added: it breaks the load,
    so the import's journaled group is undone (the main ledger and the new file), and the error says why."""
    stray = closed / "ledgers" / "payroll" / "notes.beancount"
    stray.parent.mkdir(parents=True)
    stray.write_text(
        '2026-10-02 * "Oops"\n  Assets:Nowhere  1.00 EUR\n  Assets:Bank:Main\n', encoding="utf-8"
    )
    before = snapshot(closed)
    run = run_cli(closed, "payroll", "import", str(csv_file(tmp_path, REAL_SEPTEMBER)))
    assert run.exit_code == 1
    assert "the ledger does not load cleanly after the import; nothing was changed" in run.stderr
    assert "ledgers/payroll/notes.beancount:1: Invalid reference to unknown account" in run.stderr
    assert snapshot(closed) == before
    assert run_cli(closed, "check").exit_code == 0


def test_the_file_belongs_to_the_year_it_is_dated_in(example):
    """December's payslips arrive in January: the file is named after January first, so that it belongs to
    the new year (a closed, sealed year never gains a file)."""
    from coopctl.adapter.ledger import file_year
    from coopctl.app.payroll_import import import_path
    from coopctl.domain.months import Month
    from coopctl.store.configfile import load_cooperative

    path = import_path(load_cooperative(example), Month(2027, 1), Month(2026, 12))
    assert path.name == "2027-01-actual-2026-12.beancount"
    assert file_year(path.relative_to(example / "ledgers")) == 2027
