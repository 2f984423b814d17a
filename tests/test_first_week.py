"""A new treasurer's first week (issue 19): the stumbles found walking it, each pinned by a test."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import typer.main

from coopctl.ui.cli import app
from tests.conftest import run_cli


def _command_paths():
    group = typer.main.get_command(app)
    paths = [[]]
    pending = [([], group)]
    while pending:
        prefix, command = pending.pop()
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            pending.append(([*prefix, name], sub))
    return paths


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_help_of_every_command_has_plain_metavars(lang):
    paths = _command_paths()
    assert len(paths) > 10
    for path in paths:
        run = run_cli(None, "--lang", lang, *path, "--help")
        assert run.exit_code == 0, (path, run.stderr)
        assert "[[" not in run.stdout and "]]" not in run.stdout, (path, run.stdout)
        assert "<bool>" not in run.stdout, (path, run.stdout)
    usage = run_cli(None, "close-month", "--help").stdout
    assert "Usage: coopctl close-month [OPTIONS] [YYYY-MM]" in usage


# --------------------------------------------------------------------------- reports


def test_negative_balances_are_drawn_apart_from_positive_ones():
    import io
    from decimal import Decimal

    from rich.console import Console

    from coopctl.ui.render import Chart, Format, Report, Series, render

    chart = Chart(
        "Balances",
        ["Plus", "Minus"],
        [Series("Balance", [Decimal("1000.00"), Decimal("-1000.00")], "cyan")],
    )
    terminal = io.StringIO()
    render(
        Report({}, [], [], charts=[chart]),
        Format.table,
        Console(file=terminal, force_terminal=True, width=60, color_system=None),
    )
    lines = {line.split()[0]: line for line in terminal.getvalue().splitlines() if line.strip()}
    assert "█" in lines["Plus"] and "░" not in lines["Plus"] and "−" not in lines["Plus"]
    # without colour too: a minus sign, then a light bar as long as the positive one's, and the amount
    minus = lines["Minus"].split()
    assert minus[1] == "−" + "░" * (len(lines["Plus"].split()[1])) and minus[2] == "-1,000.00"
    assert "█" not in lines["Minus"]


def test_reports_show_establishment_names_where_people_read_them(sample_copy):
    table = run_cli(sample_copy, "report", "2026-09").stdout
    assert "Paris 11e" in table and "Saint-Denis" in table and "paris-11" not in table
    members = run_cli(sample_copy, "members", "--as-of", "2026-09-30").stdout
    assert "Paris 11e" in members and "paris-11" not in members
    # programs keep the ids (CSV unchanged), JSON adds the names
    assert "\nmontreuil,AtelierCommun," in run_cli(sample_copy, "report", "2026-09", "-f", "csv").stdout
    assert ",BoisNomade,paris-11," in run_cli(sample_copy, "members", "-f", "csv").stdout
    data = run_cli(sample_copy, "report", "2026-09", "-f", "json").json()
    assert [(e["id"], e["name"]) for e in data["establishments"]][:1] == [("montreuil", "Montreuil")]
    row = run_cli(sample_copy, "members", "--as-of", "2026-09-30", "-f", "json").json()["members"][0]
    assert (row["establishment"], row["establishment_name"]) == ("paris-11", "Paris 11e")


def test_a_negative_runway_is_worded_as_already_short(sample_copy):
    table = run_cli(sample_copy, "treasury", "--as-of", "2026-09-30").stdout
    line = next(line for line in table.splitlines() if line.startswith("JardinsPartages"))
    assert "already short" in line and "-3." not in line
    french = run_cli(sample_copy, "--lang", "fr", "treasury", "--as-of", "2026-09-30").stdout
    assert "déjà à court" in next(line for line in french.splitlines() if line.startswith("JardinsPartages"))
    tutor = run_cli(sample_copy, "tutor", "--as-of", "2026-09-30").stdout
    assert "already short" in next(line for line in tutor.splitlines() if "gaelle" in line)
    # machines keep the number
    data = run_cli(sample_copy, "treasury", "--as-of", "2026-09-30", "-f", "json").json()
    jardins = next(a for a in data["activities"] if a["id"] == "JardinsPartages")
    assert jardins["runway_months"].startswith("-")
    csv_line = next(
        line
        for line in run_cli(sample_copy, "treasury", "--as-of", "2026-09-30", "-f", "csv").stdout.splitlines()
        if line.startswith("JardinsPartages")
    )
    assert ",-3." in csv_line or ",-2." in csv_line or ",-4." in csv_line


def test_treasury_csv_includes_the_pooled_treasury(sample_copy):
    import csv as csvlib

    text = run_cli(sample_copy, "treasury", "--as-of", "2026-09-30", "-f", "csv").stdout
    activities, summary = text.split("\n\n")
    header = "id,balance,advance,advance_cap,receivables,runway_months,months_in_deficit\n"
    assert activities.startswith(header)
    rows = list(csvlib.DictReader(summary.splitlines()))
    assert [r["item"] for r in rows][:5] == [
        "cash",
        "taxes_due",
        "salaries_due",
        "suppliers_due",
        "reference_treasury",
    ]
    data = run_cli(sample_copy, "treasury", "--as-of", "2026-09-30", "-f", "json").json()
    for row in rows:
        assert row["amount"] == (data[row["item"]] or ""), row
        assert not row["label"].startswith(("'", "=", "+", "−"))
    assert {"item": "reference_treasury", "label": "Reference treasury"}.items() <= rows[4].items()


# ------------------------------------------------------------- closing an empty cooperative, re-closing


def _init(tmp_path, name="coop"):
    run = run_cli(None, "init", str(tmp_path / name))
    assert run.exit_code == 0, run.stderr
    return tmp_path / name


def test_a_close_on_an_empty_cooperative_prints_a_heading(tmp_path):
    coop = _init(tmp_path)
    run = run_cli(coop, "close-month", "2025-12", "--dry-run")
    assert run.exit_code == 0, run.stderr
    first = run.stdout.splitlines()[:2]
    assert first[0] == "Close 2025-12 (dry run: nothing written)"
    assert first[1].startswith("No activity in config/activities.yaml yet")


def test_close_reopen_close_gives_the_main_ledger_the_same_bytes(tmp_path):
    coop = _init(tmp_path)
    main = coop / "ledgers" / "main.beancount"
    before = main.read_bytes()
    assert run_cli(coop, "close-month", "2025-11").exit_code == 0
    closed = main.read_bytes()
    assert closed.count(b"; Closed months") == 1
    assert run_cli(coop, "reopen", "2025-11").exit_code == 0
    assert main.read_bytes() == before
    assert run_cli(coop, "close-month", "2025-11").exit_code == 0
    assert main.read_bytes() == closed


def test_reopen_then_close_when_lines_were_added_after_the_closings_include(tmp_path):
    # the first close appends the closings' include; the treasurer then adds the next year's month files
    coop = _init(tmp_path)
    main = coop / "ledgers" / "main.beancount"
    assert run_cli(coop, "close-month", "2025-11").exit_code == 0
    (coop / "ledgers" / "later").mkdir()
    (coop / "ledgers" / "later" / "x.beancount").write_text("; later\n", encoding="utf-8")
    with main.open("a", encoding="utf-8") as out:
        out.write('include "later/*.beancount"\n')
    edited = main.read_bytes()
    run = run_cli(coop, "reopen", "2025-11")
    assert run.exit_code == 0, run.stderr  # was: the closings' include matched no file, reopen refused
    assert b"closing/" not in main.read_bytes() and main.read_bytes().endswith(
        b'include "later/*.beancount"\n'
    )
    assert run_cli(coop, "close-month", "2025-11").exit_code == 0
    text = main.read_bytes()
    assert text.count(b"; Closed months") == 1 and text.count(b'include "closing/*.beancount"') == 1
    assert len(text) == len(edited)


def test_closing_again_after_the_include_was_removed_by_hand_keeps_one_comment():
    from coopctl.app.closing import INCLUDE_BLOCK, main_with_include, main_without_include

    base = b'option "title" "X"\n'
    leftover = base + b"\n; Closed months, written by coopctl close-month\n"
    assert main_with_include(leftover) == base + INCLUDE_BLOCK.encode()
    assert main_with_include(base) == base + INCLUDE_BLOCK.encode()
    assert main_without_include(base + INCLUDE_BLOCK.encode()) == base
    later = base + INCLUDE_BLOCK.encode() + b'include "2027/*.beancount"\n'
    assert main_without_include(later) == base + b'include "2027/*.beancount"\n'
    assert main_without_include(base) is None


# --------------------------------------------------------------------------- the month in progress


@pytest.fixture
def mid_october(monkeypatch):
    import datetime

    from coopctl.ui import cli

    monkeypatch.setattr(cli, "_today", lambda: datetime.date(2026, 10, 15))


def test_dry_run_of_the_month_in_progress_is_a_projection(example, mid_october):
    from tests.conftest import snapshot

    before = snapshot(example)
    run = run_cli(example, "close-month", "2026-10", "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.splitlines()[0] == "Projection — the month is not over; nothing written"
    assert "Projection: 2026-10 ends on 2026-10-31" in run.stdout
    assert "Dry run: nothing was written. To book it" not in run.stdout  # it could not be booked today
    data = run_cli(example, "close-month", "2026-10", "--dry-run", "-f", "json").json()
    assert (
        data["projection"] is True and data["dry_run"] is True and data["totals"]["contribution"] == "683.33"
    )
    french = run_cli(example, "--lang", "fr", "close-month", "2026-10", "--dry-run")
    assert french.stdout.startswith("Projection — le mois n'est pas terminé ; rien n'a été écrit")
    # the real close still waits for the month's end; nothing was written
    refused = run_cli(example, "close-month", "2026-10")
    assert refused.exit_code == 1 and "2026-10 has not ended yet" in refused.stderr
    # a month not begun is no projection
    future = run_cli(example, "close-month", "2026-11", "--dry-run")
    assert future.exit_code == 1 and "has not ended yet" in future.stderr
    assert snapshot(example) == before


def test_a_dry_run_of_an_ended_month_is_not_a_projection(example):
    data = run_cli(example, "close-month", "2026-10", "--dry-run", "-f", "json").json()
    assert data["projection"] is False
    assert "Projection" not in run_cli(example, "close-month", "2026-10", "--dry-run").stdout


def test_payroll_advises_only_commands_that_are_accepted(example, mid_october):
    run = run_cli(example, "payroll", "2026-10")
    assert run.exit_code == 1
    assert run.stderr.strip() == (
        "error: 2026-10 is not over (it ends on 2026-10-31): the payroll export reads what a close booked; "
        "close it from the day after; to preview its salaries now: coopctl close-month 2026-10 --dry-run"
    )
    advised = run.stderr.strip().rsplit(": ", 1)[1].split()[1:]
    assert run_cli(example, *advised).exit_code == 0
    future = run_cli(example, "payroll", "2026-12")
    assert (
        future.exit_code == 1 and "2026-12 has not begun" in future.stderr and "coopctl" not in future.stderr
    )


def test_payroll_advises_the_month_to_close_first(example):
    # a later month while an earlier one is open: the advice is the earlier month
    assert run_cli(example, "close-month", "2026-09").exit_code == 0
    later = run_cli(example, "payroll", "2026-11")
    assert later.exit_code == 1
    assert "2026-10 is still open; months close in order, close 2026-10 first" in later.stderr
    assert run_cli(example, "close-month", "2026-10").exit_code == 0  # the advice is accepted


# --------------------------------------------------------------------------- check and closed months


def _append(coop, text):
    with (coop / "ledgers" / "main.beancount").open("a", encoding="utf-8") as out:
        out.write(text)


def test_check_names_the_months_that_ended_without_a_close_before_the_first_close(example):
    _append(
        example,
        '\n2026-08-10 * "Client" "Invoice DD-0"\n'
        "  Assets:Receivable:DanDesign   120.00 EUR\n"
        "  Income:Activity:DanDesign    -100.00 EUR\n"
        "  Liabilities:VAT:Collected     -20.00 EUR\n",
    )
    assert run_cli(example, "check").stderr.count("without a close") == 0  # nothing closed yet
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    run = run_cli(example, "check")
    assert run.exit_code == 0, run.stderr
    lines = [line for line in run.stderr.splitlines() if "without a close" in line]
    # 2026-09 holds only an opening reserve (Equity): not an activity month
    assert lines == [
        "warning: 2026-08 ended without a close before the first close (2026-10): their revenue took no "
        "contribution and paid no salary; if coopctl should have closed them, reopen back to 2026-10 "
        "(coopctl reopen, last month first), then close 2026-08 and the months after it in order"
    ]
    data = run_cli(example, "check", "-f", "json").json()
    assert any(p.get("code") == "check.months_never_closed" for p in data["problems"]), data


def test_an_open_dated_in_a_closed_month_says_to_date_it_in_the_open_month(example):
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    _append(example, "\n2026-10-20 open Expenses:Activity:DanDesign:Supplies EUR\n")
    run = run_cli(example, "check")
    assert run.exit_code == 1
    error = next(line for line in run.stderr.splitlines() if "2026-10-20 open" in line)
    assert error.startswith("error: ledgers/main.beancount:")
    assert error.endswith(
        "closed month 2026-10: 2026-10-20 open Expenses:Activity:DanDesign:Supplies dated in a month already "
        "closed; date it in the month still open (an account need only be opened before its first entry), "
        "or reopen 2026-10 (coopctl reopen, last closed month first)"
    )
    assert "post the correction" not in error
    refused = run_cli(example, "close-month", "2026-11", "--dry-run")
    assert refused.exit_code == 1 and "date it in the month still open" in refused.stderr
    # done as it says: dated in the open month, everything is clean again
    main = example / "ledgers" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8").replace("2026-10-20 open", "2026-11-01 open"), "utf-8")
    assert run_cli(example, "check").exit_code == 0


# --------------------------------------------------------------------------- from an earlier tester


def test_root_after_the_command_works(example, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = run_cli(example, "balance", "alice", "--as-of", "2026-10-31")
    after = run_cli(None, "balance", "alice", "--root", str(example), "--as-of", "2026-10-31")
    assert after.exit_code == 0, after.stderr
    assert after.stdout == before.stdout
    equals = run_cli(None, "balance", f"--root={example}", "alice", "--as-of", "2026-10-31", "--lang", "fr")
    assert equals.exit_code == 0 and "Solde" in equals.stdout, equals.stderr
    missing = run_cli(None, "balance", "alice", "--root")
    assert missing.exit_code == 2
    assert missing.stderr == "error: --root needs a value, e.g. --root ./my-coop (see 'coopctl --help')\n"


def test_review_csv_includes_the_alerts(example):
    import csv as csvlib
    import subprocess

    def git(*args):
        subprocess.run(["git", "-C", str(example), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "t@example.org")
    git("config", "user.name", "T")
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    git("add", "-A")
    git("commit", "-q", "-m", "october closed")
    _append(
        example,
        '\n2026-10-25 * "Client" "Late invoice"\n'
        "  Assets:Receivable:DanDesign   120.00 EUR\n"
        "  Income:Activity:DanDesign    -100.00 EUR\n"
        "  Liabilities:VAT:Collected     -20.00 EUR\n",
    )
    run = run_cli(example, "review", "--format", "csv")
    assert run.exit_code == 1
    balances, alerts = run.stdout.split("\n\n")
    assert balances.startswith("id,balance_before,balance_after,change\nDanDesign,")
    rows = list(csvlib.DictReader(alerts.splitlines()))
    assert rows and rows[0]["kind"] == "closed_month_touched" and rows[0]["month"] == "2026-10"
    assert "Late invoice" in rows[0]["message"] and rows[0]["file"] == "ledgers/main.beancount"


# ------------------------------------------------------------------- the first-month walk-through, run

FIRST_MONTH = Path(__file__).resolve().parents[1] / "docs" / "first-month.md"


def walkthrough_steps(text: str) -> list[tuple[str, str, str]]:
    """(action, target, body) of each ``<!-- first-month: ACTION TARGET -->`` marker and the code block under
    it: write FILE, append FILE, output COMMAND (lines the command's output must hold)."""
    steps = []
    for match in re.finditer(r"<!-- first-month: (\w+) (.+?) -->\n```[a-z]*\n(.*?)```", text, re.S):
        steps.append((match.group(1), match.group(2), match.group(3)))
    return steps


def _at(monkeypatch, day):
    import datetime

    from coopctl.ui import cli

    monkeypatch.setattr(cli, "_today", lambda: datetime.date.fromisoformat(day))


def test_the_first_month_walkthrough_runs_as_written(tmp_path, monkeypatch):
    steps = walkthrough_steps(FIRST_MONTH.read_text(encoding="utf-8"))
    assert [a for a, _t, _b in steps].count("write") == 3 and len(steps) >= 10
    entries = "\n".join(body for action, _t, body in steps if action == "append")
    for template in (
        "Invoice F-",
        "Payment of F-",
        "Timber",
        "Credit note",
        "paid by Alice",
        "claim paid back",
    ):
        assert template in entries, template
    monkeypatch.chdir(tmp_path)
    _at(monkeypatch, "2026-10-05")
    run = run_cli(None, "init", "ma-cae", "--name", "Coopérative Exemple")
    assert run.exit_code == 0, run.stderr
    coop = tmp_path / "ma-cae"
    assert (coop / "ledgers" / "2026" / "2026-10.beancount").is_file()  # init's month file, included

    def apply(action, target, body):
        path = coop / target
        if action == "write":
            path.write_text(body, encoding="utf-8")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as out:
                out.write("\n" + body)

    october = [s for s in steps if "2026-11" not in s[1] and s[0] != "output"]
    november = [s for s in steps if "2026-11" in s[1]]
    for step in october:
        apply(*step)
    check = run_cli(coop, "check")
    assert check.exit_code == 0 and check.stderr == "", check.stderr  # not even a warning
    # Alice's expense claim, before it is paid back, is owed like a supplier's invoice
    treasury = run_cli(coop, "treasury", "--as-of", "2026-10-20", "-f", "json").json()
    assert treasury["suppliers_due"] == "45.00"
    assert run_cli(coop, "treasury", "--as-of", "2026-10-31", "-f", "json").json()["suppliers_due"] == "0.00"
    _at(monkeypatch, "2026-10-31")
    preview = run_cli(coop, "close-month", "2026-10", "--dry-run")
    assert preview.exit_code == 0 and preview.stdout.startswith("Projection"), preview.stderr
    _at(monkeypatch, "2026-11-02")
    closed = run_cli(coop, "close-month", "2026-10")
    assert closed.exit_code == 0, closed.stderr
    assert "Wrote ledgers/closing/2026-10.beancount" in closed.stdout
    for action, command, body in steps:
        if action == "output":
            out = run_cli(coop, *command.split())
            assert out.exit_code == 0, out.stderr
            for line in body.strip().splitlines():
                assert line in out.stdout.splitlines(), (command, line, out.stdout)
    assert run_cli(coop, "payroll", "2026-10").exit_code == 0
    for step in november:
        apply(*step)
    _at(monkeypatch, "2026-12-01")
    second = run_cli(coop, "close-month")
    assert second.exit_code == 0 and "Close 2026-11" in second.stdout, second.stderr
    final = run_cli(coop, "check")
    assert final.exit_code == 0 and "error" not in final.stderr, final.stderr
    assert "last closed 2026-11" in final.stdout
    # the net salaries paid in November are those October's close booked
    payroll = run_cli(coop, "payroll", "2026-10", "-f", "json").json()
    net = sum(Decimal(row["net"]) for row in payroll["rows"])
    assert f"Liabilities:Payroll:Net   {net:.2f} EUR" in entries


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "entries, 0 members, 0 activities, no month closed yet)"),
        ("fr", "écritures, 0 membre, 0 activité, aucun mois clôturé)"),
    ],
)
def test_checks_summary_counts_in_the_languages_plural(tmp_path, lang, expected):
    """A new cooperative has no activity yet: "0 activities" in English, "0 activité" in French (the
    singular for 0 and 1), never "1 activities"."""
    root = _init(tmp_path)
    run = run_cli(root, "--lang", lang, "check")
    assert run.exit_code == 0, run.stderr
    assert expected in run.stdout, run.stdout


def test_one_activity_is_singular(tmp_path):
    from coopctl.ui import i18n

    i18n.set_language("en")
    assert i18n.counted(1, "{count} activity", "{count} activities") == "1 activity"
    assert i18n.counted(2, "{count} activity", "{count} activities") == "2 activities"
    i18n.set_language("fr")
    try:
        assert i18n.counted(1, "{count} activity", "{count} activities") == "1 activité"
        assert i18n.counted(0, "{count} activity", "{count} activities") == "0 activité"
        assert i18n.counted(3, "{count} activity", "{count} activities") == "3 activités"
    finally:
        i18n.set_language("en")
