"""DESIGN §5's worked example, every number exact, through close-month --format json."""

from __future__ import annotations

from conftest import run_cli


def test_worked_example_dry_run(example):
    run = run_cli(example, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = run.json()
    assert out["month"] == "2026-10" and out["dry_run"] is True
    acts = {a["id"]: a for a in out["activities"]}
    expected = {
        "BoisNomade": ("1200.00", "4000.00", "350.00", "400.00", "2698.00", "1752.00", "0.00"),
        "AtelierCommun": ("-100.00", "2500.00", "0.00", "250.00", "2982.00", "-832.00", "832.00"),
        "DanDesign": ("0.00", "333.25", "0.00", "33.33", "0.00", "299.92", "0.00"),
    }
    keys = (
        "opening_balance",
        "revenue",
        "expenses",
        "contribution",
        "salary_cost",
        "closing_balance",
        "advance",
    )
    for activity_id, values in expected.items():
        assert tuple(acts[activity_id][k] for k in keys) == values, activity_id
        assert acts[activity_id]["establishment"] == "paris-11"
        assert acts[activity_id]["contribution_rate"] == "0.10"
    members = {m["id"]: m for a in out["activities"] for m in a["members"]}
    assert set(members) == {"alice", "bob", "chloe"}  # dan is CAPE: no salary
    mkeys = ("gross", "employer_contributions", "employee_contributions", "net", "cost")
    assert tuple(members["alice"][k] for k in mkeys) == ("1900.00", "798.00", "418.00", "1482.00", "2698.00")
    assert tuple(members["bob"][k] for k in mkeys) == ("1300.00", "546.00", "286.00", "1014.00", "1846.00")
    assert tuple(members["chloe"][k] for k in mkeys) == ("800.00", "336.00", "176.00", "624.00", "1136.00")
    assert all(m["phase"] == "CESA" for m in members.values())
    # AtelierCommun's advance 832.00 is within its cap of 2 x 2982.00: no alert.
    assert acts["AtelierCommun"]["alerts"] == []
    assert out["totals"] == {
        "revenue": "6833.25",
        "contribution": "683.33",
        "salary_cost": "5680.00",
        "net": "3120.00",
        "social": "2560.00",
        "advances": "832.00",
    }


def test_worked_example_close_writes_design_text(example):
    run = run_cli(example, "close-month", "2026-10")
    assert run.exit_code == 0, run.stderr
    text = (example / "ledgers" / "closing" / "2026-10.beancount").read_text(encoding="utf-8")
    assert (
        '2026-10-31 * "Contribution coopérative 2026-10"\n'
        '  close: "2026-10"\n'
        '  activity: "BoisNomade"\n'
        "  Expenses:Activity:BoisNomade:Contribution   400.00 EUR\n"
        "  Income:Coop:Contribution                   -400.00 EUR\n"
    ) in text
    assert (
        '2026-10-31 * "Salaire 2026-10 — Alice Martin"\n'
        '  close: "2026-10"\n'
        '  member: "alice"\n'
        "  Expenses:Activity:BoisNomade:Salary:Gross      1900.00 EUR\n"
        "  Expenses:Activity:BoisNomade:Salary:Employer    798.00 EUR\n"
        "  Liabilities:Payroll:Net                       -1482.00 EUR\n"
        "  Liabilities:Payroll:Social                    -1216.00 EUR\n"
    ) in text
    main = (example / "ledgers" / "main.beancount").read_text(encoding="utf-8")
    assert main.endswith('include "closing/*.beancount"\n')
    # After the close, the report reads the booked month back with the same numbers.
    report = run_cli(example, "report", "2026-10", "--format", "json").json()
    assert report["closed"] is True
    assert report["totals"]["closing_balance"] == "1219.92"  # 1752.00 - 832.00 + 299.92
    assert report["totals"]["contribution"] == "683.33"
