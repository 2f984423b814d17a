"""Issue 14, hostile input: spreadsheets (h2).

A member's name (or a tutor's) is whatever config/members.yaml says: in a CSV export a text cell that a
spreadsheet would run as a formula gets a leading quote (OWASP, CSV injection); numbers, negative
ones included, are written as they are.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import COOP_YAML, EXAMPLE_MEMBERS, run_cli, write_coop

HOSTILE = {  # as written in YAML
    "Alice Martin": """'=HYPERLINK("http://x")'""",
    "Bob Durand": '"@SUM(1)"',
    "Chloé Petit": "\"+1+cmd|' /C calc'!A0\"",
    "Dan Moreau": '"-2+3"',
    "Marie Lefèvre": '"+TAB=1"',
}
NEUTRALISED = {
    "alice": '\'=HYPERLINK("http://x")',
    "bob": "'@SUM(1)",
    "chloe": "'+1+cmd|' /C calc'!A0",
    "dan": "'-2+3",
}


def hostile_coop(folder, names: dict[str, str]):
    members, coop = EXAMPLE_MEMBERS, COOP_YAML
    for old, new in names.items():
        members, coop = members.replace(f'"{old}"', new), coop.replace(f'"{old}"', new)
    assert members != EXAMPLE_MEMBERS and coop != COOP_YAML
    return write_coop(folder, members=members, coop=coop)


@pytest.fixture
def hostile(tmp_path):
    return hostile_coop(tmp_path / "coop", HOSTILE)


@pytest.fixture
def hostile_closed(tmp_path):
    """2026-10 closed (payroll reads a closed month); no double quote in a name (the closing file's
    narrations quote the name: that is the closing-file integrity task's, not this one's)."""
    folder = hostile_coop(tmp_path / "coop", {**HOSTILE, "Alice Martin": "'=HYPERLINK(1)'"})
    run = run_cli(folder, "close-month", "2026-10")
    assert run.exit_code == 0, run.stderr
    return folder


def rows(text: str) -> dict[str, dict[str, str]]:
    return {row.get("id") or row["member_id"]: row for row in csv.DictReader(io.StringIO(text))}


def test_members_csv_neutralises_formulas_and_keeps_negative_amounts(hostile):
    run = run_cli(hostile, "members", "--as-of", "2026-09-30", "--format", "csv")
    assert run.exit_code == 0, run.stderr
    table = rows(run.stdout)
    assert {member: row["name"] for member, row in table.items()} == NEUTRALISED
    assert table["alice"]["tutor"] == "'+TAB=1"
    assert table["bob"]["balance"] == "-100.00", "an amount is a number, never quoted"
    assert table["alice"]["balance"] == "1200.00"


def test_payroll_csv_neutralises_formulas_on_standard_output_and_in_a_file(hostile_closed, tmp_path):
    out = run_cli(hostile_closed, "payroll", "2026-10")
    target = tmp_path / "paie.csv"
    written = run_cli(hostile_closed, "payroll", "2026-10", "--output", str(target))
    assert out.exit_code == written.exit_code == 0, (out.stderr, written.stderr)
    for text in (out.stdout, target.read_text(encoding="utf-8")):
        table = rows(text)
        assert {member: row["name"] for member, row in table.items()} == {
            **{k: v for k, v in NEUTRALISED.items() if k != "dan"},
            "alice": "'=HYPERLINK(1)",
        }
        assert table["alice"]["net"] == "1482.00" and table["bob"]["hours"] == "100"


def test_json_and_tables_keep_the_names_as_written(hostile):
    run = run_cli(hostile, "members", "--as-of", "2026-10-31", "--format", "json")
    assert run.exit_code == 0
    assert '=HYPERLINK(\\"http://x\\")' in run.stdout and "'=" not in run.stdout
