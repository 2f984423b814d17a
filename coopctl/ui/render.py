"""One renderer for every report: a Rich table, JSON or CSV.

A command builds a ``Report`` once: its JSON document (the machine contract of
DESIGN §6) and its tables as plain rows of values. ``render`` prints it in the
format asked. Amounts are Decimals until here; JSON and CSV show them as
two-decimal strings, tables right-aligned with thousands separators.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from coopctl.domain.money import fmt_amount
from coopctl.ui import i18n
from coopctl.ui.i18n import _

if TYPE_CHECKING:  # Rich is imported when a table is drawn: after the ledger's memory is let go
    from rich.console import Console


class Format(str, enum.Enum):
    table = "table"
    json = "json"
    csv = "csv"


@dataclass
class Column:
    key: str
    header: str
    kind: str = (
        "text"  # text | money | rate | int | date (an ISO date) | label (a word to translate: open, CESA…)
    )


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None = None


@dataclass
class Series:
    name: str
    values: list[Decimal]
    style: str  # a Rich colour
    scale: str = "amounts"  # series with the same scale name are drawn to one scale


@dataclass
class Chart:
    """Bars for people at a terminal: one line per label, one bar per series (series sharing a scale
    compare)."""

    title: str
    labels: list[str]
    series: list[Series]


@dataclass
class Report:
    data: dict[str, Any]
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # plain sentences shown under the tables
    alerts: list[str] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)  # drawn on a terminal only, after the tables
    csv: Table | None = None  # the table CSV writes, when it is not the first
    # more tables CSV writes after the first one, each after an empty line and with its own header row
    csv_sections: list[Table] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)  # lines for people printed before the tables


def to_json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return fmt_amount(value)
    if isinstance(value, dict):
        return {key: to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    return value


def _cell_text(value: Any, kind: str) -> str:
    """A cell for people, in the language in use (``i18n``)."""
    if value is None:
        return ""
    if kind == "money" and isinstance(value, Decimal):
        return i18n.money(Decimal(fmt_amount(value)))
    if kind == "rate" and isinstance(value, Decimal):
        return i18n.percent(value)
    if kind == "date" and value:
        import datetime

        return i18n.date(
            value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
        )
    if kind == "label":
        return _(str(value))
    if kind == "int" and i18n.language() == "fr":  # counts, hours, months of runway: a decimal comma
        return str(value).replace(".", ",")
    return str(value)


def _footer_text(value: Any, kind: str) -> str:
    """A totals cell: its words ("Total", "Year") translated too."""
    return _(str(value)) if kind == "text" and isinstance(value, str) else _cell_text(value, kind)


def cell_text(value: Any, kind: str) -> str:
    """A table's cell for people: an amount, rate, date, count or word, in the language in use."""
    return _cell_text(value, kind)


def table_cells(table: Table) -> tuple[list[str], list[list[str]], list[str] | None]:
    """A table's header, rows and totals as the cells people read (the plain table's and the Fava page's)."""
    header = [_(column.header) for column in table.columns]
    body = [[_cell_text(row.get(column.key), column.kind) for column in table.columns] for row in table.rows]
    footer = (
        [_footer_text(table.totals.get(column.key), column.kind) for column in table.columns]
        if table.totals
        else None
    )
    return header, body, footer


def right_aligned(column: Column) -> bool:
    """Numbers (amounts, rates, counts) are right-aligned."""
    return column.kind in ("money", "rate", "int")


FORMULA_STARTS = (
    "=",
    "+",
    "-",
    "@",
    "\t",
    "\r",
)  # what a spreadsheet may run as a formula (OWASP: CSV injection)


def _csv_text(value: Any, kind: str) -> str:
    """A CSV cell. Numbers are written as they are (-12.50 stays -12.50); a text cell that a spreadsheet
    would run as a formula (starting with = + - @, a tab or a carriage return) gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        return fmt_amount(value) if kind == "money" and isinstance(value, Decimal) else f"{value}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_csv_text(item, "text") for item in value)
    text = str(value)
    if text.startswith(FORMULA_STARTS) and not (kind in ("money", "rate", "int") and _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        return Decimal(text).is_finite()
    except ArithmeticError:
        return False


def _render_plain(report: Report, console: Console) -> None:
    """Tables as plain fixed-width text: for pipes and files (fast, grep- and diff-friendly, no box
    drawing)."""
    out: list[str] = [*report.headings, ""] if report.headings else []
    for table in report.tables:
        header, body, footer = table_cells(table)
        widths = [
            max(len(cell) for cell in column) for column in zip(header, *body, *([footer] if footer else []))
        ]
        right = [right_aligned(column) for column in table.columns]

        def line(cells: list[str]) -> str:
            return "  ".join(
                cell.rjust(w) if r else cell.ljust(w) for cell, w, r in zip(cells, widths, right)
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        out += [_(table.title), "", line(header), rule, *[line(cells) for cells in body]]
        if footer:
            out += [rule, line(footer)]
        out.append("")
    out += [_("alert: {alert}").format(alert=alert) for alert in report.alerts] + [
        _(note) for note in report.notes
    ]
    console.file.write("\n".join(out) + "\n")


BLOCKS = " ▏▎▍▌▋▊▉█"


NEGATIVE = "░"


def bar(value: Decimal, scale: Decimal, width: int) -> str:
    """A horizontal bar of ``|value| / scale × width`` cells, to an eighth of a cell; a negative value is
    drawn apart, even without colour: a minus sign, then a light-shaded bar (whole cells, at least one)."""
    if scale <= 0 or not value:
        return ""
    eighths = int((abs(value) / scale * width * 8).to_integral_value())
    if value < 0:
        return "−" + NEGATIVE * max(1, (eighths + 4) // 8)
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def chart_renderable(chart: Chart, width: int):
    """The chart as a Rich table without borders: label, then per series its bar and amount."""
    from rich.table import Table as RichTable
    from rich.text import Text

    scales: dict[str, Decimal] = {}
    for series in chart.series:
        scales[series.scale] = max([scales.get(series.scale, Decimal(0)), *(abs(v) for v in series.values)])
    label_width = max((len(label) for label in chart.labels), default=0)
    bar_width = max(6, (width - label_width - len(chart.series) * 16) // max(1, len(chart.series)))
    grid = RichTable(title=_(chart.title), box=None, title_justify="left", pad_edge=False, show_edge=False)
    grid.add_column("")
    for series in chart.series:
        grid.add_column(Text(_(series.name), style=series.style), no_wrap=True)
    for index, label in enumerate(chart.labels):
        cells = [Text(label)]
        for series in chart.series:
            value = series.values[index]
            style = "red" if value < 0 else series.style
            cells.append(
                Text.assemble(
                    (bar(value, scales[series.scale], bar_width), style),
                    " ",
                    (i18n.money(value, None), "dim"),
                )
            )
        grid.add_row(*cells)
    return grid


def render(report: Report, fmt: Format, console: Console) -> None:
    if fmt is Format.json:
        console.file.write(json.dumps(to_json_value(report.data), ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.csv:
        buffer = io.StringIO()
        table = report.tables[0] if report.tables else Table("", [], [])
        if report.csv is not None:
            table = report.csv
        writer = csv.writer(buffer, lineterminator="\n")
        for index, section in enumerate([table, *report.csv_sections]):
            if index:
                buffer.write("\n")
            writer.writerow([column.key for column in section.columns])
            for row in section.rows:
                writer.writerow([_csv_text(row.get(column.key), column.kind) for column in section.columns])
        console.file.write(buffer.getvalue())
        return
    report = Report(
        report.data,
        [t for t in report.tables if t.rows],
        report.notes,
        report.alerts,
        report.charts,
        headings=report.headings,
    )  # no empty tables
    if not console.is_terminal:
        _render_plain(report, console)
        return
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    for heading in report.headings:
        console.print(Text(heading, style="bold"), highlight=False, soft_wrap=True)
    if report.headings:
        console.print()
    for table in report.tables:
        rich_table = RichTable(
            title=_(table.title),
            box=box.SIMPLE_HEAVY,
            title_justify="left",
            show_footer=table.totals is not None,
        )
        for column in table.columns:
            footer = _footer_text(table.totals.get(column.key), column.kind) if table.totals else ""
            rich_table.add_column(
                _(column.header),
                footer=footer,
                justify="right" if column.kind in ("money", "rate", "int") else "left",
            )
        for (
            row
        ) in table.rows:  # plain Text cells: no markup parsing, and a member's text is never read as markup
            rich_table.add_row(
                *[Text(_cell_text(row.get(column.key), column.kind)) for column in table.columns]
            )
        console.print(rich_table)
    for chart in report.charts:
        console.print(chart_renderable(chart, console.width))
        console.print()
    for alert in report.alerts:
        label, _sep, rest = _("alert: {alert}").partition("{alert}")[0].partition(":")
        console.print(
            Text.assemble((label.rstrip(), "bold red"), (_sep or ":") + rest + alert),
            highlight=False,
            soft_wrap=True,
        )
    for note in report.notes:
        console.print(Text(_(note)), highlight=False, soft_wrap=True)
