"""The shipped sample cooperative: loads clean, closes clean, regenerates byte for byte."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli, snapshot

from coopctl.app import commands as service
from coopctl.domain.months import Month
from coopctl.ui.cli import app

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


def bean_check(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BEAN_CHECK), str(folder / "ledgers" / "main.beancount")],
        capture_output=True,
        text=True,
        env={"BEANCOUNT_DISABLE_LOAD_CACHE": "1", "PATH": "/usr/bin:/bin"},
    )


def test_sample_passes_check(sample_copy):
    run = run_cli(sample_copy, "check")
    assert run.exit_code == 0, run.stderr
    assert "ok: config and ledger are clean" in run.stdout
    assert "15 members, 13 activities, last closed 2026-09" in run.stdout


def test_sample_passes_bean_check_before_and_after_close(sample_copy):
    before = bean_check(sample_copy)
    assert before.returncode == 0, before.stdout + before.stderr
    run = run_cli(sample_copy, "close-month", "2026-10")
    assert run.exit_code == 0, run.stderr
    after = bean_check(sample_copy)
    assert after.returncode == 0, after.stdout + after.stderr
    assert not list(sample_copy.rglob("*.picklecache"))


@pytest.mark.parametrize("year_alone", [True, False], ids=["2026-alone", "whole-ledger"])
def test_sample_closings_regenerate_identically(sample_copy, year_alone):
    """Delete 2026's closings; closing Jan-Sep again gives the same bytes, whether each close loads 2026
    alone (from openings/2026.beancount) or the whole ledger (the opening moved away)."""
    expected = snapshot(sample_copy)
    for path in (sample_copy / "ledgers" / "closing").glob("2026-*.beancount"):
        path.unlink()
    opening = sample_copy / "ledgers" / "openings" / "2026.beancount"
    kept = opening.read_bytes()
    if not year_alone:
        opening.unlink()
    for number in range(1, 10):
        service.close_month(
            sample_copy, Month(2026, number), dry_run=False, today=datetime.date(2026, 11, 28)
        )
    if not year_alone:
        opening.write_bytes(kept)
    assert snapshot(sample_copy) == expected


def test_sample_year_2025_closes_again_identically(sample_copy):
    """Reopen 2026's months and the year 2025, close them again: the same bytes (the 2026 folder stays, so
    close-year adds no include the second time: the main ledger is compared without that block)."""
    expected = snapshot(sample_copy)
    for number in range(9, 0, -1):
        service.reopen(sample_copy, Month(2026, number))
    service.reopen_closed_year(sample_copy, 2025)
    assert not (sample_copy / "ledgers" / "closing" / "2025-year.beancount").exists()
    assert not (sample_copy / "ledgers" / "openings").exists()
    service.close_year(
        sample_copy,
        2025,
        dry_run=False,
        apply_surplus=False,
        surplus_date=None,
        today=datetime.date(2026, 11, 28),
    )
    for number in range(1, 10):
        service.close_month(
            sample_copy, Month(2026, number), dry_run=False, today=datetime.date(2026, 11, 28)
        )
    again = snapshot(sample_copy)
    for name in ("ledgers/closing/2025-year.beancount",):
        assert again[name].replace(b'  folder_created: "2026"\n  include_added: TRUE\n', b"") == expected[
            name
        ].replace(b'  folder_created: "2026"\n  include_added: TRUE\n', b"")
    differ = {name for name in expected if expected[name] != again.get(name)}
    # the year's file differs only by the two lines above; its digest is sealed in the opening
    assert differ <= {"ledgers/closing/2025-year.beancount", "ledgers/openings/2026.beancount"}


def test_sample_has_what_the_issue_asks(sample_copy):
    out = run_cli(sample_copy, "members", "--as-of", "2026-10-31", "--format", "json").json()
    phases = {m["id"]: m["phase"] for m in out["members"]}
    assert {"CAPE", "CESA", "left"} <= set(phases.values())
    assert sum(m["associate"] for m in out["members"]) >= 3
    assert len(out["members"]) >= 12
    report = run_cli(sample_copy, "report", "2026-09", "--format", "json").json()
    assert len(report["establishments"]) == 3
    advances = [a for e in report["establishments"] for a in e["activities"] if a["advance"] != "0.00"]
    assert advances, "an activity carried by the pool"
    assert report["alerts"], "at least one alert in a closed month"


def test_close_month_dry_run_reports_october(sample_copy):
    before = snapshot(sample_copy)
    run = run_cli(sample_copy, "close-month", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["month"] == "2026-10"
    assert snapshot(sample_copy) == before


def test_balance_history_month_by_month(sample_copy):
    run = run_cli(sample_copy, "balance", "alice", "--as-of", "2026-10-31", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = run.json()
    assert (out["member"], out["activity"], out["as_of"]) == ("alice", "BoisNomade", "2026-10-31")
    assert [m["month"] for m in out["months"]] == ["2025-10", "2025-11", "2025-12"] + [
        f"2026-{n:02d}" for n in range(1, 11)
    ]
    # Each month's closing balance follows from the previous one and the month's figures.
    previous = None
    for month in out["months"]:
        if previous is not None and month["month"] != "2026-01":
            from decimal import Decimal as Dec

            change = (
                Dec(month["revenue"])
                - Dec(month["expenses"])
                - Dec(month["contribution"])
                - Dec(month["salary_cost"])
            )
            assert Dec(previous) + change == Dec(month["closing_balance"]), month
        previous = month["closing_balance"]
    assert out["months"][-1]["closing_balance"] == out["balance"]
    assert out["months"][0]["closing_balance"] != "0.00"  # January includes the 2025 reserve brought forward


def test_balance_finds_member_from_git_email(sample_copy):
    subprocess.run(["git", "init", "-q", str(sample_copy)], check=True)
    subprocess.run(
        ["git", "-C", str(sample_copy), "config", "user.email", "Ines.Fontaine@exemple.org"], check=True
    )
    run = run_cli(sample_copy, "balance", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["member"] == "ines"


def test_balance_without_member_is_a_usage_error(sample_copy):
    subprocess.run(["git", "init", "-q", str(sample_copy)], check=True)
    subprocess.run(["git", "-C", str(sample_copy), "config", "user.email", "nobody@nowhere"], check=True)
    run = run_cli(sample_copy, "balance")
    assert run.exit_code == 2
    assert "name a member" in run.stderr


def test_report_formats(sample_copy):
    csv_out = run_cli(sample_copy, "report", "2026-09", "--format", "csv").stdout.splitlines()
    assert csv_out[0].startswith("establishment,id,opening_balance,revenue")
    assert len(csv_out) == 1 + 13
    table = run_cli(sample_copy, "report", "2026-09").stdout
    assert "Month 2026-09: closed" in table and "By establishment" in table


COMMANDS = [
    "close-month",
    "balance",
    "report",
    "members",
    "check",
    "reopen",
    "review",
    "treasury",
    "simulate",
    "payroll",
    "init",
    "tutor",
    "close-year",
    "statement",
    "receivables",
    "fec",  # h17
    "vat",  # h17
    "import",  # import bank
    "claims",
]


def test_every_command_is_listed_and_has_help_with_an_example():
    registered = {command.name for command in app.registered_commands}
    registered |= {group.name for group in app.registered_groups}  # payroll is a group (payroll import)
    assert registered == set(COMMANDS)
    for name in COMMANDS:
        run = run_cli(None, name, "--help")
        assert run.exit_code == 0, name
        assert re.search(r"Examples?:", run.stdout), name
        assert "coopctl " + name in run.stdout, name


def test_top_level_help_and_version():
    assert "Example: coopctl" in run_cli(None, "--help").stdout
    assert run_cli(None, "--version").stdout.startswith("coopctl ")


def test_help_without_arguments_exits_zero():
    run = run_cli(None)
    assert run.exit_code == 0 and "close-month" in run.stdout


@pytest.mark.parametrize(
    "args", [["report", "2026-10"], ["members"], ["members", "--format", "csv"], ["balance", "gaelle"]]
)
def test_commands_run_on_sample(sample_copy, args):
    run = run_cli(sample_copy, *args)
    assert run.exit_code == 0, run.stderr
    assert run.stdout.strip()


def test_readme_outputs_are_current():
    """Every `<!-- coopctl: ... -->` block in README.md and docs/*.md is the real output, and
    docs/reference.md is what `coopctl --help` and each command's `--help` print (python
    scripts/update_readme.py)."""
    proc = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, (
        proc.stderr or "README.md or docs/ is stale: run python scripts/update_readme.py"
    )


def test_every_subcommand_has_help_with_an_example():
    """A group's own commands (payroll import, import bank, claims import) too."""
    import typer.main

    group = typer.main.get_command(app)
    subcommands = [
        (name, sub) for name, command in group.commands.items() for sub in getattr(command, "commands", {})
    ]
    assert ("payroll", "import") in subcommands and ("import", "bank") in subcommands
    for name, sub in subcommands:
        run = run_cli(None, name, sub, "--help")
        assert run.exit_code == 0, (name, sub)
        assert re.search(r"Examples?:", run.stdout), (name, sub)
        assert f"coopctl {name} {sub}" in run.stdout, (name, sub)
