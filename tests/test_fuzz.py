"""Fuzzing: random cooperatives with hostile edits; every command succeeds with money conserved
or fails with one coopctl error line and exit 1 or 2 — never an uncaught exception.

CI runs a bounded profile (25 examples per test); ``HYPOTHESIS_PROFILE=long`` runs 1,000.
"""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from conftest import run_cli, snapshot
from hypothesis import given
from hypothesis import strategies as st
from strategies import random_coops

from coopctl.adapter.ledger import load_books
from coopctl.domain.months import Month
from coopctl.store.configfile import load_cooperative

HOSTILE_SCALARS = st.one_of(
    st.sampled_from(
        [
            '"NaN"',
            '"Infinity"',
            '"-0"',
            '"1e309"',
            '"1E+30"',
            '"1E-30"',
            '"0x10"',
            '"١٢٣"',
            '""',
            "''",
            "null",
            "~",
            "[]",
            "{}",
            "true",
            "1e400",
            "-1",
            "0",
            '"9999999999999999999999999999999.99"',
            "2026-02-30",
            "2026-13-01",
            "9999-12-31",
            "0001-01-01",
            '"\\x00"',
            "{",
            "- [",
            "&a",
            "*a",
            "!!binary AAAA",
            '"Alpha"',
            '"alpha"',
            '"main"',
            '"m0"',
            '"ghost"',
        ]
    ),
    st.text(max_size=20).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)

HOSTILE_AMOUNTS = st.sampled_from(
    [
        "1e30",
        "-1e30",
        "100000000000000000000000000000.00",
        "0.000000001",
        "0",
        "-0.00",
        "1/3",
        "NaN",
        "12,50",
        "1 000.00",
        "99999999999999.99",
        "-99999999999999.99",
    ]
)
HOSTILE_CURRENCIES = st.sampled_from(["EUR", "USD", "eur", "E", "EURO2", "€"])
HOSTILE_ACCOUNTS = st.sampled_from(
    [
        "Income:Activity:Alpha",
        "Income:Activity:Ghost",
        "Expenses:Activity:Alpha:Contribution",
        "Expenses:Activity:Alpha:Salary:Gross",
        "Equity:Activity:Gamma",
        "Assets:Activity:Beta-2",
        "Income:Activity:alpha",
        "Income:Coop:Contribution",
        "Liabilities:Payroll:Net",
        "Income:Activity:Alpha:Sub:Sub",
        "Assets:Receivable:Alpha",
    ]
)


@st.composite
def hostile_edits(draw):
    kind = draw(
        st.sampled_from(["yaml-value", "yaml-line", "ledger-txn", "ledger-line", "bytes", "drop-line"])
    )
    target = draw(
        st.sampled_from(
            ["config/coop.yaml", "config/members.yaml", "config/activities.yaml", "ledgers/main.beancount"]
        )
    )
    return (
        kind,
        target,
        draw(st.integers(0, 10_000)),
        draw(HOSTILE_SCALARS),
        draw(HOSTILE_AMOUNTS),
        draw(HOSTILE_CURRENCIES),
        draw(HOSTILE_ACCOUNTS),
        draw(st.binary(max_size=40)),
        draw(st.text(max_size=40)),
        draw(st.dates()),
    )


def apply_edit(folder: Path, edit) -> None:
    kind, target, index, scalar, amount, currency, account, raw, text, day = edit
    if kind.startswith("ledger"):
        target = "ledgers/main.beancount"
    elif kind.startswith("yaml") and target.endswith(".beancount"):
        target = "config/members.yaml"
    path = folder / target
    lines = path.read_text(encoding="utf-8", errors="surrogateescape").splitlines(keepends=True)
    if kind == "yaml-value":
        candidates = [i for i, line in enumerate(lines) if ": " in line]
        if candidates:
            i = candidates[index % len(candidates)]
            key = lines[i].split(": ", 1)[0]
            lines[i] = f"{key}: {scalar}\n"
    elif kind == "yaml-line":
        lines.insert(index % (len(lines) + 1), text + "\n")
    elif kind == "ledger-txn":
        lines.append(f'\n{day} * "fuzz"\n  {account}  {amount} {currency}\n  Assets:Bank:Main\n')
    elif kind == "ledger-line":
        lines.insert(index % (len(lines) + 1), text + "\n")
    elif kind == "drop-line" and lines:
        del lines[index % len(lines)]
    if kind == "bytes":
        path.write_bytes(raw)
    else:
        path.write_text("".join(lines), encoding="utf-8", errors="surrogateescape")


COMMANDS = [
    ["check"],
    ["close-month", "2026-10", "--dry-run", "--format", "json"],
    ["balance", "m0", "--as-of", "2026-10-31"],
    ["report", "2026-10", "--format", "csv"],
    ["members", "--format", "json"],
    ["close-month", "2026-10"],
]


def assert_clean_outcome(run) -> None:
    assert run.exit_code in (0, 1, 2), (run.exit_code, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    if run.exit_code:
        lines = run.stderr.strip().splitlines()
        assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), run.stderr


@given(random_coops(), st.lists(hostile_edits(), min_size=1, max_size=3))
def test_every_command_answers_cleanly_on_hostile_input(coop, edits):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        for edit in edits:
            apply_edit(folder, edit)
        for args in COMMANDS:
            before = snapshot(folder)
            run = run_cli(folder, *args)  # re-raises any exception that is not a clean exit
            assert_clean_outcome(run)
            if args == ["close-month", "2026-10"]:
                if run.exit_code == 0:
                    books = load_books(load_cooperative(folder))
                    assert [p for p in books.problems if p.severity == "error"] == []
                    assert Month(2026, 10) in books.figures.closed
                else:
                    assert snapshot(folder) == before  # a refused close writes nothing
            else:
                assert snapshot(folder) == before  # read-only commands never write


@given(random_coops())
def test_valid_random_cooperatives_close_with_money_conserved(coop):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        dry = run_cli(folder, "close-month", "2026-10", "--dry-run", "--format", "json")
        assert dry.exit_code == 0, dry.stderr
        out = dry.json()
        total_contribution = sum(Decimal(a["contribution"]) for a in out["activities"])
        assert total_contribution == Decimal(out["totals"]["contribution"])
        members = [m for a in out["activities"] for m in a["members"]]
        assert sum(Decimal(m["net"]) for m in members) + Decimal(out["totals"]["social"]) == Decimal(
            out["totals"]["salary_cost"]
        )
        for a in out["activities"]:
            assert Decimal(a["closing_balance"]) == (
                Decimal(a["opening_balance"])
                + Decimal(a["revenue"])
                - Decimal(a["expenses"])
                - Decimal(a["contribution"])
                - Decimal(a["salary_cost"])
            )
