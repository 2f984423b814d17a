"""A member's annual statement as one printable HTML page (no scripts, no external files)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from coopctl.core.reports import MemberStatement
from coopctl.domain.money import fmt_amount
from coopctl.ui import i18n
from coopctl.ui.i18n import _

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2.5rem; color: #1d2330; }
h1 { font-size: 1.4rem; margin: 0 0 .2rem; }
p.sub { color: #5a6272; margin: 0 0 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid #dde1e8; }
th { text-align: left; background: #f3f5f8; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; border-top: 2px solid #1d2330; }
td.neg { color: #b42318; }
.open { color: #8a6d00; font-style: italic; }
.summary { display: flex; gap: 2rem; margin: 1.5rem 0; }
.summary div { border: 1px solid #dde1e8; border-radius: 6px; padding: .7rem 1rem; }
.summary b { display: block; font-size: 1.2rem; }
footer { margin-top: 2rem; color: #5a6272; font-size: .8rem; }
@media print { body { margin: 1cm; } }
"""


def _money(value: Decimal) -> str:
    """An amount with narrow no-break spaces between thousands: ``1 234.56`` (``1 234,56`` in French)."""
    if i18n.language() == "en":
        return fmt_amount(value, grouped=True).replace(",", "\u202f")
    return escape(i18n.money(value, None))


def _text(text: str) -> str:
    """A translated text in HTML: ``&``, ``<`` and ``>`` escaped (quotes need none outside attributes)."""
    return escape(text, quote=False)


def _cell(value: Decimal) -> str:
    return f'<td class="n{" neg" if value < 0 else ""}">{_money(value)}</td>'


def statement_html(statement: MemberStatement) -> str:
    s = statement
    heads = [
        _("Revenue"),
        _("Contribution"),
        _("Expenses"),
        _("Salary cost"),
        _("Reserve brought in"),
        _("Your gross"),
        _("of which bonus"),
        _("Your net"),
        _("Balance"),
    ]
    rows = []
    for m in s.rows:
        status = "" if m.closed else f' <span class="open">{_text(_("(open)"))}</span>'
        label = str(m.month)
        if m.since is not None:  # the activity's months of the year before the member joined, summed
            label = f"{m.since} – {m.month}"
            status += f' <span class="open">{_text(_("(before you joined)"))}</span>'
        values = (
            m.revenue,
            m.contribution,
            m.expenses,
            m.salary_cost,
            m.equity,
            m.gross,
            m.bonus,
            m.net,
            m.closing_balance,
        )
        rows.append(f"<tr><td>{escape(label)}{status}</td>{''.join(_cell(v) for v in values)}</tr>")
    totals = s.totals()
    total_values = (
        totals["revenue"],
        totals["contribution"],
        totals["expenses"],
        totals["salary_cost"],
        totals["equity"],
        totals["gross"],
        totals["bonus"],
        totals["net"],
        s.reserve_end,
    )
    rows.append(f'<tr class="total"><td>{s.year}</td>{"".join(_cell(v) for v in total_values)}</tr>')
    shared = ""
    if s.shared_with:
        shared = "<p>{}</p>".format(
            _(  # the parameters are escaped; the text is written as is, as it was in English
                "{activity} is shared with {others}: revenue, expenses and salary cost are the activity's; "
                "your gross and net are yours."
            ).format(activity=escape(s.activity_id), others=escape(", ".join(s.shared_with)))
        )
    name, year = escape(s.member.name), s.year
    title = _("{name} — statement {year}").format(name=name, year=year)
    heading = _("{name} — annual statement {year}").format(name=name, year=year)
    summary = [
        (_("Reserve on 1 January"), s.reserve_start),
        (_("Revenue (excl. VAT)"), totals["revenue"]),
        (_("Your net salary"), totals["net"]),
        (_("Reserve at the end"), s.reserve_end),
    ]
    boxes = "\n".join(f"<div>{_text(label)}<b>{_money(value)}</b></div>" for label, value in summary)
    head_cells = "".join(f'<th class="n">{_text(h)}</th>' for h in heads)
    footer = _text(
        _(
            "Amounts in the cooperative's currency. Open months show what is booked so far; contribution "
            "and salary\nare booked when the month is closed. Written by coopctl statement."
        )
    )
    return f"""<!DOCTYPE html>
<html lang="{i18n.language()}">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{heading}</h1>
<p class="sub">{escape(s.activity_name)} ({escape(s.activity_id)})</p>
<div class="summary">
{boxes}
</div>
<table>
<thead><tr><th>{_text(_("Month"))}</th>{head_cells}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
{shared}
<footer>{footer}</footer>
</body>
</html>
"""
