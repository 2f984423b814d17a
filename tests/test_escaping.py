"""Text never becomes ledger syntax: every string coopctl writes into a Beancount file is escaped.

The class of attack: a member's name (or any text from the config) holding quotes, backslashes and line
breaks, which, written between quotes as it was, ends the string and writes entries of the attacker's
choosing into a closing file. The properties below feed any Unicode text through the writers and read
the result back with Beancount's own parser: the text comes back unchanged and no entry is added.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import yaml
from beancount.core import data
from beancount.parser import parser
from conftest import run_cli, snapshot, write_coop
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopctl.adapter.text import quote
from coopctl.app.closing import closing_text, marker_text
from coopctl.app.init import _one_line_char, init_cooperative
from coopctl.core.close import ActivityClose, ClosePlan, plan_transactions
from coopctl.core.payroll import MemberPay
from coopctl.domain.months import Month
from coopctl.store.configfile import load_cooperative

TEXT = st.text(min_size=0, max_size=60)  # any Unicode but surrogates (which UTF-8 cannot hold)
ONE_LINE = 'Alice" 2026-10-31 * "Injected" ; \\" x'  # quotes and backslashes, on one line
HOSTILE = [
    'x"\n2026-10-31 * "Injected"\n  Assets:Bank:Main  1000000.00 EUR\n  Income:Coop:Contribution\n; "',
    "back\\slash\\",
    '"',
    '\\"',
    "tab\tand\rreturn",
    "é — 😀",
    "",
]


@given(text=TEXT | st.sampled_from(HOSTILE))
@settings(max_examples=200, deadline=None)
def test_any_string_reads_back_unchanged_and_adds_no_entry(text):
    source = f"2026-10-31 * {quote(text)}\n  member: {quote(text)}\n  Assets:A  1.00 EUR\n  Assets:B\n"
    entries, errors, _ = parser.parse_string(source)
    assert errors == []
    assert len(entries) == 1
    assert entries[0].narration == text
    assert entries[0].meta["member"] == text


def _plan(name: str) -> ClosePlan:
    pay = MemberPay(
        member_id="alice",
        name=name,
        phase="CESA",
        days=31,
        hours=Decimal("151.67"),
        gross=Decimal("1900.00"),
        employer_contributions=Decimal("798.00"),
        employee_contributions=Decimal("418.00"),
        employer_rate=Decimal("0.42"),
    )
    activity = ActivityClose(
        "BoisNomade",
        name,
        "paris-11",
        Decimal("4000.00"),
        Decimal("350.00"),
        Decimal("0.10"),
        Decimal("400.00"),
        Decimal("1200.00"),
        (pay,),
        2,
    )
    return ClosePlan(Month(2026, 10), "EUR", (activity,))


@given(name=TEXT | st.sampled_from(HOSTILE))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_closing_file_holds_exactly_the_planned_entries_whatever_the_names(name):
    plan = _plan(name)
    text = closing_text(plan, set(), marker_text(plan, {}, "0" * 16, False))
    entries, errors, _ = parser.parse_string(text)
    assert errors == []
    transactions = [e for e in entries if isinstance(e, data.Transaction)]
    planned = plan_transactions(plan)
    assert len(transactions) == len(planned)
    assert [t.narration for t in transactions] == [p.narration for p in planned]
    assert sum(1 for e in entries if isinstance(e, data.Custom)) == 1
    assert {e.date for e in entries} == {datetime.date(2026, 10, 31)}


def test_a_hostile_member_name_goes_through_close_month_as_text(tmp_path):
    """End to end: the name travels from members.yaml into the closing file, and only as text."""
    folder = write_coop(tmp_path / "coop")
    members = folder / "config" / "members.yaml"
    doc = yaml.safe_load(members.read_text(encoding="utf-8"))
    doc["members"][0]["name"] = ONE_LINE
    members.write_text(
        yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )  # money stays quoted
    result = run_cli(folder, "close-month", "2026-10")
    assert result.exit_code == 0, result.stderr
    closing = (folder / "ledgers" / "closing" / "2026-10.beancount").read_text(encoding="utf-8")
    assert "Injected" in closing  # the text is there...
    entries, errors, _ = parser.parse_string(closing)
    assert errors == []
    assert not any(
        isinstance(e, data.Transaction) and e.narration == "Injected" for e in entries
    )  # ...as text only
    assert any(isinstance(e, data.Transaction) and e.narration.endswith(ONE_LINE) for e in entries)
    assert run_cli(folder, "check").exit_code == 0
    # a name spanning lines never reaches a writer: the config refuses it, at its line
    doc["members"][0]["name"] = HOSTILE[0]
    members.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    refused = run_cli(folder, "check")
    assert (
        refused.exit_code == 1
        and "members[0].name: contains the invisible or control character U+000A" in refused.stderr
    )


@given(
    name=st.text(min_size=1, max_size=40).filter(lambda s: s.strip() and all(_one_line_char(c) for c in s))
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_init_writes_any_name_so_that_it_reads_back(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp("init")
    init_cooperative(folder, name, datetime.date(2026, 11, 28))
    coop = load_cooperative(folder)
    assert coop.coop.name == name.strip()
    _entries, errors, options = parser.parse_file(str(folder / "ledgers" / "main.beancount"))
    assert errors == []
    assert options["title"] == name.strip()


def test_init_with_a_backslash_and_quotes_passes_check(tmp_path):
    folder = tmp_path / "coop"
    result = run_cli(tmp_path, "init", str(folder), "--name", 'La "Coop" \\ du coin')
    assert result.exit_code == 0, result.stderr
    before = snapshot(folder)
    check = run_cli(folder, "check")
    assert check.exit_code == 0, check.stderr
    assert snapshot(folder) == before


def test_init_refuses_a_name_that_is_not_one_line_of_text(tmp_path):
    for name in ("two\nlines", "a\x80b", "tab\there"):
        result = run_cli(tmp_path, "init", str(tmp_path / "c"), "--name", name)
        assert result.exit_code == 2 and "one line of text" in result.stderr
        assert not (tmp_path / "c").exists()
