"""Payroll export for a payroll bureau, and a new cooperative in one command."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

from conftest import run_cli, snapshot

HEADER = [
    "member_id",
    "name",
    "activity",
    "entry_date",
    "exit_date",
    "days_paid",
    "hours",
    "gross",
    "variable_pay",
    "employer_contributions",
    "employee_contributions",
    "net",
    "cost",
]


def test_payroll_export_of_a_closed_month(sample_copy):
    run = run_cli(sample_copy, "payroll", "2026-06")
    assert run.exit_code == 0, run.stderr
    rows = list(csv.DictReader(io.StringIO(run.stdout)))
    assert list(rows[0]) == HEADER
    ines = next(r for r in rows if r["member_id"] == "ines")
    # salary 2,600 + bonus 1,500 = 4,100 gross, the sample's 2026 lines (Saint-Denis: AT/MP 0.9 %):
    # T1 4,005, T2 95; employer lines 1,874.68 (maladie 533.00, csa 12.30, vieillesse 342.43 + 86.51,
    # AF 215.25, fnal 4.01, dialogue social 0.66, at_mp 36.90, chômage 164.00, ags 10.25, Agirc-Arrco
    # 240.70 + 13.84, training 41.00, apprentissage 27.88, versement mobilité 120.95, mutuelle 25.00);
    # RGDU x = ½ (3 × 1,823.0734 / 4,100 − 1) = 0.166978, C = 0.02 + 0.3781 × x^1.75 (0.043615) = 0.0365,
    # 0.0365 × 4,100 = 149.65: employer 1,725.03; employee 276.35 + 16.40 + 160.60 + 9.23 + csg 393.17
    # (0.097 × (0.9825 × 4,100 + 25)) + 25.00 = 880.75; net 3,219.25; cost 5,825.03
    assert ines == {
        "member_id": "ines",
        "name": "Inès Fontaine",
        "activity": "InesDev",
        "entry_date": "2022-01-01",
        "exit_date": "",
        "days_paid": "30",
        "hours": "151.67",
        "gross": "4100.00",
        "variable_pay": "1500.00",
        "employer_contributions": "1725.03",
        "employee_contributions": "880.75",
        "net": "3219.25",
        "cost": "5825.03",
    }
    hugo = next(r for r in rows if r["member_id"] == "hugo")  # left on 19 June: 1,600 x 19 / 30
    assert (hugo["gross"], hugo["hours"]) == ("1013.33", "130")
    # the export is what the close booked: totals equal the month's report
    report = run_cli(sample_copy, "report", "2026-06", "--format", "json").json()
    assert sum(Decimal(r["cost"]) for r in rows) == Decimal(report["totals"]["salary_cost"])


def test_payroll_export_to_a_file_and_refusal_of_an_open_month(sample_copy, tmp_path):
    target = tmp_path / "paie.json"
    run = run_cli(sample_copy, "payroll", "2026-09", "--format", "json", "--output", str(target))
    assert run.exit_code == 0 and f"wrote {target}" in run.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["month"] == "2026-09" and len(data["rows"]) == 10
    before = snapshot(sample_copy)
    refused = run_cli(sample_copy, "payroll", "2026-10")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "error: 2026-10 is not closed: the payroll export reads what a close booked; "
        "run coopctl close-month 2026-10 first"
    )
    assert snapshot(sample_copy) == before


def test_init_creates_a_cooperative_that_passes_check(tmp_path):
    folder = tmp_path / "ma-cae"
    run = run_cli(None, "init", str(folder), "--name", "Coopérative Test")
    assert run.exit_code == 0, run.stderr
    for rel in (
        "config/coop.yaml",
        "config/members.yaml",
        "config/activities.yaml",
        "ledgers/main.beancount",
        ".gitignore",
        ".pre-commit-config.yaml",
    ):
        assert (folder / rel).is_file(), rel
    check = run_cli(folder, "check")
    assert check.exit_code == 0, check.stderr
    assert "ok: config and ledger are clean" in check.stdout
    # the commented example member, uncommented with an activity, is valid
    members = (folder / "config" / "members.yaml").read_text(encoding="utf-8")
    example = "\n".join(line[1:] for line in members.splitlines() if line.startswith("#  "))
    (folder / "config" / "members.yaml").write_text("members:\n" + example + "\n", encoding="utf-8")
    (folder / "config" / "activities.yaml").write_text(
        'activities:\n  - {id: BoisNomade, name: "Bois Nomade", establishment: siege}\n', encoding="utf-8"
    )
    assert run_cli(folder, "check").exit_code == 0, run_cli(folder, "check").stderr
    # a second init in the same folder is refused, nothing touched
    before = snapshot(folder)
    again = run_cli(None, "init", str(folder))
    assert again.exit_code == 2 and "is not empty" in again.stderr
    assert snapshot(folder) == before
