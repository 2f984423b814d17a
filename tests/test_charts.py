"""Terminal charts: drawn on a terminal, nothing in a pipe or in JSON/CSV."""

from __future__ import annotations

import io
from decimal import Decimal

from conftest import run_cli
from rich.console import Console

from coopctl.ui.render import Chart, Format, Report, Series, bar, render


def test_bars_are_exact_to_an_eighth():
    assert bar(Decimal(50), Decimal(100), 10) == "█████"
    assert bar(Decimal("12.5"), Decimal(100), 10) == "█▎"  # 10 eighths: one cell and two eighths
    assert bar(Decimal(-100), Decimal(100), 4) == "−░░░░"  # a negative amount: a minus sign, a light bar
    assert bar(Decimal(0), Decimal(100), 10) == "" and bar(Decimal(5), Decimal(0), 10) == ""


def test_a_chart_is_drawn_on_a_terminal_only():
    chart = Chart(
        "Month by month",
        ["2026-01", "2026-02"],
        [Series("Revenue", [Decimal("1000.00"), Decimal("500.00")], "green")],
    )
    report = Report({"x": 1}, [], ["a note"], charts=[chart])
    terminal = io.StringIO()
    render(report, Format.table, Console(file=terminal, force_terminal=True, width=100, color_system=None))
    drawn = terminal.getvalue()
    assert "Month by month" in drawn and "2026-01" in drawn and "1,000.00" in drawn
    first, second = [line for line in drawn.splitlines() if line.startswith("2026-")]
    assert (
        len(first.split()[1]) == 77 and second.split()[1] == "█" * 38 + "▌"
    )  # 1000 against 500: 77 cells and 38½
    pipe = io.StringIO()
    render(report, Format.table, Console(file=pipe, force_terminal=False, width=100))
    assert "█" not in pipe.getvalue() and "a note" in pipe.getvalue()


def test_balance_and_report_have_charts_only_on_a_terminal(sample_copy):
    for args in (("balance", "alice", "--as-of", "2026-10-31"), ("report", "2026-09")):
        run = run_cli(sample_copy, *args)  # CliRunner's output is not a terminal
        assert run.exit_code == 0 and "█" not in run.stdout
    from coopctl.ui import cli

    captured = io.StringIO()
    original = cli._console
    cli._console = lambda: Console(file=captured, force_terminal=True, width=140, color_system=None)
    try:
        assert run_cli(sample_copy, "report", "2026-09").exit_code == 0
        assert run_cli(sample_copy, "balance", "alice", "--as-of", "2026-10-31").exit_code == 0
    finally:
        cli._console = original
    out = captured.getvalue()
    assert "Revenue by establishment, 2026-09" in out and "Saint-Denis" in out
    assert "Month by month" in out and out.count("█") > 50
