"""Remembered answers of read-only commands (issue 18): the same bytes as computing them, never stale,
never believed when damaged or someone else's; and the light coercion of command-line values behaves as
Typer's own."""

from __future__ import annotations

import datetime
import json
import os
from decimal import Decimal

import pytest
from conftest import run_cli

from coopctl.domain.months import Month
from coopctl.store import answers, cache
from coopctl.store.paths import cache_folder
from coopctl.ui import remembered
from coopctl.ui.render import Chart, Column, Report, Series, Table

QUESTIONS = (
    ("balance", "alice", "--as-of", "2026-10-31"),
    ("balance", "alice", "--as-of", "2026-10-31", "--format", "json"),
    ("report", "2026-09"),
    ("report", "2026-09", "--format", "csv"),
    ("members", "--as-of", "2026-10-31"),
    ("treasury", "--as-of", "2026-10-31", "--format", "json"),
)


def _run(folder, *args, **env):
    run = run_cli(folder, *args, env={"COOPCTL_MEMBER": "", "COOPCTL_ROOT": "", **env})
    assert run.exit_code == 0, run.stderr
    return run.stdout


def _answers(folder):
    return sorted((cache_folder(folder) / answers.ANSWERS).glob("*.json"))


def test_remembered_answers_are_the_computed_ones(sample_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    for args in QUESTIONS:
        computed = _run(sample_copy, *args, COOPCTL_NO_CACHE="1")
        assert _run(sample_copy, *args) == computed  # fills the cache, keeps the answer
        assert _run(sample_copy, *args) == computed  # read back
    assert len(_answers(sample_copy)) == 4  # one report per question, whatever the format it is shown in
    french = _run(sample_copy, "--lang", "fr", "balance", "alice", "--as-of", "2026-10-31")
    assert french != _run(sample_copy, "balance", "alice", "--as-of", "2026-10-31")  # the language is asked


def test_a_changed_ledger_or_config_is_never_answered_from_before(example, tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    args = ("balance", "alice", "--as-of", "2026-10-31", "--format", "json")
    before = _run(example, *args)
    assert _run(example, *args) == before and _answers(example)
    with (example / "ledgers" / "main.beancount").open("a", encoding="utf-8") as handle:
        handle.write(
            '\n2026-10-20 * "Client" "One more invoice"\n'
            "  Assets:Receivable:BoisNomade  120.00 EUR\n  Income:Activity:BoisNomade  -100.00 EUR\n"
            "  Liabilities:VAT:Collected  -20.00 EUR\n"
        )
    after = _run(example, *args)
    assert after != before and after == _run(example, *args, COOPCTL_NO_CACHE="1")
    table = args[:-2]
    assert "Alice Martin" in _run(example, *table) and "Alice Martin" in _run(example, *table)
    members = example / "config" / "members.yaml"
    members.write_text(members.read_text(encoding="utf-8").replace("Alice Martin", "Alice Martin-Roux"))
    renamed = _run(example, *table)
    assert "Alice Martin-Roux" in renamed and renamed == _run(example, *table, COOPCTL_NO_CACHE="1")


def test_a_damaged_or_foreign_answer_is_ignored(example, tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    args = ("balance", "alice", "--as-of", "2026-10-31", "--format", "json")
    expected = _run(example, *args)
    _run(example, *args)
    (path,) = _answers(example)
    digest, _, payload = path.read_bytes().partition(b"\n")
    doc = json.loads(payload)
    assert doc["answer"].count('"D":"') > 3
    forged = json.dumps({**doc, "answer": doc["answer"].replace('"D":"', '"D":"9', 1)}).encode()
    path.write_bytes(digest + b"\n" + forged)  # edited: the checksum no longer matches
    assert _run(example, *args) == expected
    path.write_bytes(cache._digest(path.name, forged).encode() + b"\n" + forged)  # a valid checksum...
    os.chmod(path.parent, 0o777)  # ...in a folder others could write: not ours alone
    assert _run(example, *args) == expected


def test_no_answer_is_kept_when_the_cache_is_off_or_the_member_comes_from_git(example, tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    _run(example, "balance", "alice", "--as-of", "2026-10-31", COOPCTL_NO_CACHE="1")
    assert _answers(example) == []
    run_cli(example, "balance", "--as-of", "2026-10-31", env={"COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""})
    run_cli(example, "balance", "--as-of", "2026-10-31", env={"COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""})
    assert _answers(example) == []  # who is asking is git's user.email: asked each time


def test_the_state_is_none_while_a_file_differs_from_the_index(example, tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    assert answers.ledger_state(example) is None  # no cache yet
    _run(example, "members")
    state = answers.ledger_state(example)
    assert state is not None and answers.ledger_state(example) == state
    extra = example / "ledgers" / "extra.beancount"
    extra.write_text("", encoding="utf-8")
    main = example / "ledgers" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + '\ninclude "extra.beancount"\n', encoding="utf-8")
    assert answers.ledger_state(example) is None


def test_reports_round_trip_exactly_through_their_json():
    report = Report(
        {
            "a": Decimal("1.50"),
            "d": datetime.date(2026, 10, 31),
            "m": Month(2026, 10),
            "t": (1, "x"),
            "n": None,
        },
        [Table("T", [Column("k", "K", "money")], [{"k": Decimal("-0.00")}, {"k": True}], {"k": "Total"})],
        ["note"],
        ["alert"],
        [Chart("C", ["l"], [Series("s", [Decimal("2")], "green", "amounts")])],
        Table("csv", [Column("x", "X")], [{"x": 1}]),
    )
    again = remembered.decode_report(remembered.encode_report(report))
    assert again == report and type(again.data["t"]) is tuple and str(again.tables[0].rows[0]["k"]) == "-0.00"
    with pytest.raises(TypeError):
        remembered.encode_report(Report({"f": 1.5}))  # a float would not come back exactly: not kept


# ----------------------------------------------------------------- light coercion of command-line values

ARGVS = (
    ("balance", "alice", "--as-of", "2026-10-31", "--format", "json"),
    ("balance", "alice", "--format", "xml"),
    ("balance", "alice", "-f", "CSV"),
    ("report", "2026-13"),
    ("report", "--format"),
    ("simulate", "alice", "--gross", "abc"),
    ("simulate", "alice", "--gross", "2100", "--format", "json", "--month", "2026-10"),
    ("payroll", "2026-09", "--output", "."),
    ("close-year", "20x5"),
    ("tutor", "--as-of", "31/10/2026"),
)


@pytest.mark.parametrize("argv", ARGVS)
def test_light_coercion_gives_what_typer_gives(example, tmp_path, monkeypatch, argv):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    env = {"COOPCTL_MEMBER": "", "COOPCTL_ROOT": "", "COOPCTL_NO_CACHE": "1"}
    light = run_cli(example, *argv, env=env)
    from coopctl.ui import params

    monkeypatch.setattr(params, "lighten", lambda command: None)
    typer_own = run_cli(example, *argv, env=env)
    assert (light.exit_code, light.stdout, light.stderr) == (
        typer_own.exit_code,
        typer_own.stdout,
        typer_own.stderr,
    )


def test_a_root_that_is_a_file_is_refused_as_typer_refuses_it(example, tmp_path):
    run = run_cli(example / "config" / "coop.yaml", "members")
    assert run.exit_code == 2 and "is a file" in run.stderr
    run = run_cli(None, "--root", str(tmp_path / "missing"), "members")
    assert run.exit_code == 1 and "no config/coop.yaml there" in run.stderr


def test_answers_kept_for_one_ledger_are_capped(example, tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(answers, "MAX_ANSWERS", 3)
    _run(example, "members")
    for day in range(20, 26):
        _run(example, "balance", "alice", "--as-of", f"2026-10-{day}")
    assert len(_answers(example)) == 3
