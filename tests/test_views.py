"""Issue 15, item 1 (presentation): one view per report (coopctl.ui.views), shared by the CLI and the Fava
page. The CLI's outputs themselves are pinned byte for byte by test_sample, test_i18n and the README check."""

from __future__ import annotations

import ast
import datetime
import re
from pathlib import Path

import pytest
from conftest import run_cli

PACKAGE = Path(__file__).resolve().parents[1] / "coopctl"


def test_cli_builds_no_report_itself():
    """cli.py parses, calls one app function and one view, renders: it builds no table, column or report."""
    tree = ast.parse((PACKAGE / "ui" / "cli.py").read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "coopctl.ui.render"
        for alias in node.names
    }
    assert imported <= {"Format", "render"}
    built = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not built & {"Table", "Column", "Report", "Chart", "Series"}


def _cells(row) -> list[str]:
    return [cell.text for cell in row if cell.text]


def _assert_rows_printed(table, output: str) -> None:
    """Each row of the page's table is a line of the CLI's plain table: the same cells, in order."""
    for row in [*table.rows, *([table.footer] if table.footer else [])]:
        pattern = "[ ]{2,}".join(re.escape(text) for text in _cells(row))
        assert re.search(pattern, output), (_cells(row), output)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fava_page_shows_the_cli_tables_cells(sample_copy, lang):
    """Members, the month and the treasury on the Fava page are the CLI's views, with the CLI's table formats
    (amounts too), in the language in use."""
    pytest.importorskip("fava")
    from coopctl.fava import coop_page
    from coopctl.ui import i18n

    i18n.set_language(lang)
    page = coop_page(sample_copy / "ledgers" / "main.beancount", datetime.date(2026, 11, 15))
    assert page.errors == []
    overview = page.overview
    members = run_cli(sample_copy, "--lang", lang, "members", "--as-of", overview.as_of.isoformat())
    month = run_cli(sample_copy, "--lang", lang, "report", str(overview.month.month))
    assert members.exit_code == 0 and month.exit_code == 0
    i18n.set_language(lang)
    assert len(page.tables["members"].rows) == len(overview.members) > 0
    _assert_rows_printed(page.tables["members"], members.stdout)
    assert len(page.tables["month"].rows) == len(overview.month.activities) > 0
    _assert_rows_printed(page.tables["month"], month.stdout)
    _assert_rows_printed(page.tables["treasury"], month.stdout)
    # an amount is right-aligned and formatted as the CLI's table cells are
    alice = next(row for row in page.tables["members"].rows if row[0].text == "alice")
    assert alice[-1].numeric and alice[-1].text == i18n.money(
        next(m.balance for m in overview.members if m.member.id == "alice")
    )
    if lang == "fr":
        assert "€" in alice[-1].text and "," in alice[-1].text
