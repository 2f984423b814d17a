"""A member's annual statement as one printable HTML page (no scripts, no external files)."""

from __future__ import annotations

from decimal import Decimal
from html import escape

from coopctl.core.reports import MemberStatement
from coopctl.domain.money import fmt_amount

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
    return fmt_amount(value, grouped=True).replace(",", "\u202f")


def _cell(value: Decimal) -> str:
    return f'<td class="n{" neg" if value < 0 else ""}">{_money(value)}</td>'


def statement_html(statement: MemberStatement) -> str:
    s = statement
    heads = [
        "Revenue",
        "Contribution",
        "Expenses",
        "Salary cost",
        "Reserve brought in",
        "Your gross",
        "of which bonus",
        "Your net",
        "Balance",
    ]
    rows = []
    for m in s.rows:
        status = "" if m.closed else ' <span class="open">(open)</span>'
        label = str(m.month)
        if m.since is not None:  # the activity's months of the year before the member joined, summed
            label = f"{m.since} – {m.month}"
            status += ' <span class="open">(before you joined)</span>'
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
        shared = (
            f"<p>{escape(s.activity_id)} is shared with {escape(', '.join(s.shared_with))}: "
            "revenue, expenses and "
            "salary cost are the activity's; your gross and net are yours.</p>"
        )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(s.member.name)} — statement {s.year}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{escape(s.member.name)} — annual statement {s.year}</h1>
<p class="sub">{escape(s.activity_name)} ({escape(s.activity_id)})</p>
<div class="summary">
<div>Reserve on 1 January<b>{_money(s.reserve_start)}</b></div>
<div>Revenue (excl. VAT)<b>{_money(totals["revenue"])}</b></div>
<div>Your net salary<b>{_money(totals["net"])}</b></div>
<div>Reserve at the end<b>{_money(s.reserve_end)}</b></div>
</div>
<table>
<thead><tr><th>Month</th>{"".join(f'<th class="n">{h}</th>' for h in heads)}</tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
{shared}
<footer>Amounts in the cooperative's currency. Open months show what is booked so far; contribution and salary
are booked when the month is closed. Written by coopctl statement.</footer>
</body>
</html>
"""
