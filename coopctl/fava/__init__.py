"""A Fava extension: the cooperative's page (members' balances, the month's close, the treasury).

Enable it with one line in the main ledger::

    2020-01-01 custom "fava-extension" "coopctl.fava"

The page is computed by ``service.overview``, with the same core functions as the CLI (``members_list``,
``month_report``, ``treasury_state``) on the same figures (coopctl's cache when it is current), for the
cooperative whose ``config/coop.yaml`` is found from the ledger's folder upward, and shown through the
CLI's own views (``ui.views``: the tables of ``members``, ``report`` and ``treasury``, cells formatted as
the CLI's table formats them). A config or ledger error is
shown on the page, never raised into Fava.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from fava.ext import FavaExtensionBase

from coopctl.domain.problems import CoopctlError


@dataclass
class PageCell:
    text: str
    numeric: bool = False  # right-aligned
    negative: bool = False


@dataclass
class PageTable:
    """A view's table (``ui.views``) as the page shows it: cells worded and formatted as the CLI's table."""

    header: list[PageCell]
    rows: list[list[PageCell]]
    footer: list[PageCell] | None = None


@dataclass
class CoopPage:
    """What the page shows (``service.Overview``, and its tables from the CLI's views), or the errors that
    prevented it."""

    overview: object | None = None
    errors: list[str] = field(default_factory=list)
    tables: dict[str, PageTable] = field(default_factory=dict)


def page_table(table) -> PageTable:
    """A ``render.Table`` as the page's cells, through the renderer's own cell formats."""
    from decimal import Decimal

    from coopctl.ui.render import right_aligned, table_cells

    header, body, footer = table_cells(table)
    right = [right_aligned(column) for column in table.columns]

    def negative(value) -> bool:
        return isinstance(value, Decimal) and value < 0

    return PageTable(
        [PageCell(text, r) for text, r in zip(header, right)],
        [
            [
                PageCell(text, r, negative(row.get(column.key)))
                for text, r, column in zip(cells, right, table.columns)
            ]
            for cells, row in zip(body, table.rows)
        ],
        None
        if footer is None or table.totals is None
        else [
            PageCell(text, r, negative(table.totals.get(column.key)))
            for text, r, column in zip(footer, right, table.columns)
        ],
    )


def page_tables(overview) -> dict[str, PageTable]:
    """The members, the month and the treasury: the same views' tables as ``coopctl members``, ``report``
    and ``treasury`` print."""
    from coopctl.ui import views

    members = views.members(overview.members, [], overview.as_of).tables[0]
    month = views.report(overview.month, overview.treasury).tables[0]
    treasury = views.treasury_summary_table(views.treasury_data(overview.treasury), "")
    return {"members": page_table(members), "month": page_table(month), "treasury": page_table(treasury)}


def coop_page(ledger_file: Path, today: datetime.date) -> CoopPage:
    """The page for the cooperative holding ``ledger_file``, on ``today``."""
    from coopctl.app import commands as service

    folder = next(
        (
            f
            for f in (ledger_file.parent, *ledger_file.parent.parents)
            if (f / "config" / "coop.yaml").is_file()
        ),
        None,
    )
    if folder is None:
        return CoopPage(
            errors=[
                f"no config/coop.yaml in {ledger_file.parent} or above: "
                "coopctl finds the cooperative from the ledger's folder"
            ]
        )
    try:
        overview = service.overview(folder, today)
        return CoopPage(overview, tables=page_tables(overview))
    except CoopctlError as exc:
        from coopctl.ui import i18n

        return CoopPage(errors=[i18n.worded(problem) for problem in exc.problems])


class Coopctl(FavaExtensionBase):
    """The cooperative (coopctl): members' balances, the last closed month, the pooled treasury."""

    report_title = "Coopérative"

    def page(self) -> CoopPage:
        """The page, in the language coopctl would speak here (``COOPCTL_LANG``, else a French locale)."""
        from coopctl.ui import i18n

        lang = i18n.language_from_environment()
        i18n.set_language(lang if lang in i18n.LANGUAGES else "en")
        return coop_page(Path(self.ledger.beancount_file_path), datetime.date.today())

    @staticmethod
    def _(text: str):
        """A label of the page from coopctl's catalogue (``Coopctl.html`` calls ``extension._('...')``).

        The catalogue's texts are coopctl's own, never a user's: they are marked safe, so that Jinja does
        not escape their apostrophes; a ``.format`` on the result escapes its parameters."""
        from markupsafe import Markup

        from coopctl.ui import i18n

        return Markup(i18n._(text))

    @staticmethod
    def money(value) -> str:
        """An amount on the page, as the CLI's table shows it ("1,752.00", rounded half-up to the cent)."""
        from coopctl.ui.render import cell_text

        return cell_text(value, "money")

    @staticmethod
    def date(day) -> str:
        """A date on the page: ISO in English, 31/10/2026 in French."""
        from coopctl.ui import i18n

        return i18n.date(day)

    @staticmethod
    def word(alert) -> str:
        """An alert worded as the CLI words it (``ui.i18n.word``)."""
        from coopctl.ui import i18n

        return i18n.word(alert)
