"""Amounts typed on the command line: one documented rule per language, anything ambiguous refused.

The tables are worked by hand: each line is what a treasurer might type and what coopctl must read.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coopctl.domain.problems import UsageError
from coopctl.ui.amounts import parse_amount
from tests.conftest import run_cli, snapshot

ENGLISH_READ = [
    ("2000", "2000"),
    ("2000.5", "2000.5"),
    ("2000.50", "2000.50"),
    ("2,000", "2000"),  # a comma between groups of three is a thousands separator
    ("2,000.50", "2000.50"),
    ("1,234,567.89", "1234567.89"),
    (" 151.67 ", "151.67"),
    ("0.01", "0.01"),
]
ENGLISH_REFUSED = [
    ("2,00", "amount.syntax"),  # a decimal comma? refused in English
    ("2,0000", "amount.syntax"),
    ("20,00.50", "amount.syntax"),
    ("2.000,5", "amount.syntax"),
    ("2 000,50", "amount.syntax"),  # French, but --lang is English
    ("2000.005", "amount.decimals"),
    ("2,000.005", "amount.decimals"),
    ("2.000", "amount.decimals"),
    ("1e3", "amount.syntax"),
    ("NaN", "amount.syntax"),
    ("", "amount.syntax"),
    ("abc", "amount.syntax"),
    ("-5", "amount.negative"),
    ("2000.", "amount.syntax"),
    ("\u0661\u0662\u0660\u0660", "amount.syntax"),  # Arabic-Indic digits: Decimal would read 1200
    ("\uff12\uff10\uff10\uff10", "amount.syntax"),  # full-width digits
]
FRENCH_READ = [
    ("2000", "2000"),
    ("2000,50", "2000.50"),
    ("2000,5", "2000.5"),
    ("2 000,50", "2000.50"),  # a space
    ("2\u00a0000,50", "2000.50"),  # a no-break space
    ("2\u202f000,50", "2000.50"),  # a narrow no-break space, as French output prints it
    ("1 234 567", "1234567"),
    ("2000.50", "2000.50"),  # a point with two decimals, as JSON and CSV print it
]
FRENCH_REFUSED = [
    ("2,000", "amount.decimals"),  # 2 with three decimals in French: never read as two thousand
    ("2.000", "amount.syntax"),  # a point as a thousands separator: ambiguous
    ("2.000,5", "amount.syntax"),
    ("2,000.50", "amount.syntax"),  # English, but --lang is French
    ("2 00,50", "amount.syntax"),
    ("20 00", "amount.syntax"),
    ("2000,005", "amount.decimals"),
    ("-5", "amount.negative"),
]


@pytest.mark.parametrize(("text", "expected"), ENGLISH_READ)
def test_english_amounts_read(text, expected):
    assert parse_amount(text, "--gross", "en") == Decimal(expected)


@pytest.mark.parametrize(("text", "code"), ENGLISH_REFUSED)
def test_english_ambiguous_amounts_refused(text, code):
    with pytest.raises(UsageError) as refused:
        parse_amount(text, "--gross", "en")
    assert [p.code for p in refused.value.problems] == [code]
    if code != "amount.negative":
        assert "2000.50 or 2,000.50" in refused.value.problems[0].message


@pytest.mark.parametrize(("text", "expected"), FRENCH_READ)
def test_french_amounts_read(text, expected):
    assert parse_amount(text, "--gross", "fr") == Decimal(expected)


@pytest.mark.parametrize(("text", "code"), FRENCH_REFUSED)
def test_french_ambiguous_amounts_refused(text, code):
    with pytest.raises(UsageError) as refused:
        parse_amount(text, "--gross", "fr")
    assert [p.code for p in refused.value.problems] == [code]


def _gross(run) -> str:
    return run.json()["gross"]


def test_simulate_reads_thousands_as_the_english_output_prints_them(example):
    # was: "2,000" read as 2.00
    run = run_cli(example, "simulate", "alice", "--gross", "2,000", "--month", "2026-10", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert _gross(run) == "2000.00"


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--gross", "2000.005"], "--gross '2000.005': more than two decimals; write it to the cent"),
        (["--gross", "2,00"], "write it with a point before the cents"),
        (["--gross", "2.000,5"], "e.g. 2000.50 or 2,000.50"),
        (["--gross", "2000", "--hours", "151,67"], "--hours '151,67' is not an amount"),
    ],
)
def test_simulate_refuses_ambiguous_amounts_with_how_to_write_them(example, args, needle):
    before = snapshot(example)
    run = run_cli(example, "simulate", "alice", *args, "--month", "2026-10")
    assert run.exit_code == 2
    assert run.stderr.count("\n") == 1 and needle in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(example) == before


def test_french_amounts_under_lang_fr(example):
    run = run_cli(example, "--lang", "fr", "simulate", "alice", "--gross", "2 000,50", "--month", "2026-10")
    assert run.exit_code == 0, run.stderr
    assert "2\u202f000,50" in run.stdout
    refused = run_cli(example, "--lang", "fr", "simulate", "alice", "--gross", "2,000", "--month", "2026-10")
    assert refused.exit_code == 2
    assert "plus de deux décimales" in refused.stderr and "2 000,50 ou 2000,50" in refused.stderr


@pytest.mark.parametrize(
    ("text", "signed", "expected"),
    [
        ("24.90", True, "24.90"),
        ("-24.9", True, "-24.9"),
        ("+3", True, "3"),
        ("-24.90", False, None),  # a payslip amount is never negative
        ("1e2", True, None),
        ("1_0.00", True, None),
        ("1,000.00", True, None),
        ("1.200", True, None),  # a thousands dot, or three decimals: not guessed
        (".5", True, None),
        ("12.", True, None),
        ("NaN", True, None),
        ("\u0661\u0662", True, None),
        (" 12", True, None),
        ("", True, None),
    ],
)
def test_imported_files_amounts_are_plain(text, signed, expected):
    """The one reading of an amount in the files coopctl imports (bank statements, claims, payslips)."""
    from coopctl.domain.money import plain_amount

    found = plain_amount(text, signed=signed)
    assert found == (None if expected is None else Decimal(expected))
