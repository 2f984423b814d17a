"""``simulate MEMBER --max``: the largest affordable gross, how available is made, and what it means."""

from __future__ import annotations

from typing import Any

from coopctl.core.projection import Projection
from coopctl.core.simulate_max import MARGIN_MONTHS, MaxSalary
from coopctl.ui import i18n
from coopctl.ui.i18n import _
from coopctl.ui.render import Column, Report, Table


def simulate_max(result: MaxSalary, projection: Projection | None = None) -> Report:
    margins = [
        {
            "month": str(m.month),
            "revenue": m.revenue,
            "expenses": m.expenses,
            "contribution": m.contribution,
            "margin": m.margin,
        }
        for m in result.margins
    ]
    data: dict[str, Any] = {
        "member": result.member_id,
        "activity": result.activity_id,
        "month": str(result.month),
        "as_of": result.as_of.isoformat(),
        "months": result.months,
        "hours": f"{result.hours}",
        "balance": result.balance,
        "margin_months": margins,
        "average_margin": result.average_margin,
        "available": result.available,
        "max_gross": result.max_gross,
        "cost": result.cost,
        "net": result.net,
        "minimum_gross": result.minimum_gross,
        "under_minimum": result.under_minimum,
        "projected_month": None if projection is None else str(projection.month),
        "projected_closing": None if projection is None else projection.closing_balance,
    }
    n = result.months
    rows = [
        {
            "line": _("Balance of {activity} today").format(activity=result.activity_id),
            "amount": result.balance,
        },
        {
            "line": _("+ {months} × average monthly margin (revenue − expenses − contribution)").format(
                months=n
            ),
            "amount": n * result.average_margin,
        },
        {"line": _("= Available over {months} months").format(months=n), "amount": result.available},
        {"line": _("Largest monthly gross"), "amount": result.max_gross},
        {"line": _("Its monthly cost to the activity"), "amount": result.cost},
        {"line": _("Its net salary"), "amount": result.net},
    ]
    tables = [
        Table(
            _("What {member} can be paid over {months} months ({month} rates, {hours} h a month)").format(
                member=result.member_id, months=n, month=result.month, hours=i18n.number(result.hours, 2)
            ),
            [Column("line", "Line"), Column("amount", "Amount", "money")],
            rows,
        )
    ]
    if margins:
        tables.append(
            Table(
                _("Margin of the last closed months"),
                [
                    Column("month", "Month"),
                    Column("revenue", "Revenue", "money"),
                    Column("expenses", "Expenses", "money"),
                    Column("contribution", "Contribution", "money"),
                    Column("margin", "Margin", "money"),
                ],
                margins,
            )
        )
    notes = []
    if not result.margins:
        notes.append(_("No closed month yet: available is the balance alone."))
    elif len(result.margins) < MARGIN_MONTHS:
        notes.append(
            _("Only {count} closed month(s) to average the margin on (3 when there are).").format(
                count=len(result.margins)
            )
        )
    if result.available <= 0:
        notes.append(
            _(
                "Nothing is available over {months} months ({amount}): no salary can be paid from the "
                "activity's own money."
            ).format(months=n, amount=i18n.money(result.available))
        )
    else:
        notes.append(
            _(
                "{months} months of a gross of {gross} cost {total}, within the {available} available; "
                "one cent more would not be."
            ).format(
                months=n,
                gross=i18n.money(result.max_gross),
                total=i18n.money(n * result.cost),
                available=i18n.money(result.available),
            )
        )
    if projection is not None and projection.closing_balance != result.balance:
        notes.append(
            _(
                "{month} is not closed yet: the balance today does not carry its contribution and salaries; "
                "after its close {activity} would stand at {amount}."
            ).format(
                month=projection.month,
                activity=result.activity_id,
                amount=i18n.money(projection.closing_balance),
            )
        )
    if result.minimum_gross is None:
        notes.append(
            _(
                "The payroll rates in force give no SMIC: coopctl cannot tell whether this is above "
                "the minimum wage."
            )
        )
    elif result.under_minimum:
        notes.append(
            _("Below the minimum wage: {hours} h a month need at least {amount} gross.").format(
                hours=i18n.number(result.hours, 2), amount=i18n.money(result.minimum_gross)
            )
        )
    if not result.monotone:
        notes.append(
            _(
                "The salary cost does not rise with the gross everywhere under these rates: the answer was "
                "found by scanning down, cent by cent."
            )
        )
    return Report(data, tables, notes)
