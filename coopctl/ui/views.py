"""The views: each command's result dataclasses turned into one ``render.Report``.

A view owns a report's presentation: its JSON document (the machine contract of DESIGN §6), its tables
for people and CSV, its notes and alerts, worded through ``i18n``. The CLI parses, calls one ``app``
function, one view, and renders; the Fava page shows the same views' rows. A view never reads, writes,
prints or exits.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from coopctl.core.close import ClosePlan
from coopctl.core.reports import ActivityMonth
from coopctl.core.treasury import TreasuryState
from coopctl.domain.money import round_cent
from coopctl.domain.months import Month
from coopctl.ui import i18n
from coopctl.ui.i18n import N_, _, counted
from coopctl.ui.render import Chart, Column, Report, Series, Table

# --------------------------------------------------------------------------- treasury (shared)


def treasury_data(state: TreasuryState) -> dict[str, Any]:
    """The treasury's JSON: amounts as two-decimal strings, ratios as two-decimal strings (null without a
    base)."""

    def ratio(value):
        return None if value is None else f"{value:.2f}"

    return {
        "as_of": state.as_of.isoformat(),
        "cash": state.cash,
        "taxes_due": state.taxes_due,
        "salaries_due": state.salaries_due,
        "suppliers_due": state.suppliers_due,
        "reference_treasury": state.reference_treasury,
        "receivables": state.receivables,
        "future_treasury": state.future_treasury,
        "reserves": state.reserves,
        "advances": state.advances,
        "own_funds": state.own_funds,
        "coverage": ratio(state.coverage),
        "pool_use": ratio(state.pool_use),
        "activities": [
            {
                "id": a.id,
                "balance": a.balance,
                "advance": a.advance,
                "advance_cap": a.advance_cap,
                "receivables": a.receivables,
                "runway_months": None if a.runway_months is None else f"{a.runway_months:.1f}",
                "months_in_deficit": a.months_in_deficit,
            }
            for a in state.activities
        ],
        "alerts": [alert.as_dict() for alert in state.alerts],
    }


TREASURY_LINES = [
    ("cash", N_("Cash (Assets:Bank)")),
    ("taxes_due", N_("− Taxes and social contributions due")),
    ("salaries_due", N_("− Net salaries due")),
    ("suppliers_due", N_("− Suppliers due")),
    ("reference_treasury", N_("= Reference treasury")),
    ("receivables", N_("+ Receivables (invoices unpaid)")),
    ("future_treasury", N_("= Future treasury")),
    ("reserves", N_("Activities' reserves")),
    ("advances", N_("Advances carried by the pool")),
    ("own_funds", N_("Cooperative's own funds")),
    ("coverage", N_("Coverage (reference treasury / reserves)")),
    ("pool_use", N_("Pool use (advances / (reserves + own funds))")),
]


def runway_cell(runway: str | None) -> str | None:
    """A runway in months for people: a negative one is no runway at all, the activity is already short
    (its reserve is below zero and the pooled treasury is advancing its salaries)."""
    if runway is None:
        return None
    return _("already short") if runway.startswith("-") else runway


def treasury_summary_csv(data: dict[str, Any]) -> Table:
    """The pooled treasury's lines for CSV (in English, as every CSV): item (the JSON key), label,
    amount (two decimals; a ratio, or empty without a base)."""
    return Table(
        "Pooled treasury",
        [Column("item", "Item"), Column("label", "Line"), Column("amount", "Amount", "money")],
        [{"item": key, "label": label.lstrip("−=+ "), "amount": data[key]} for key, label in TREASURY_LINES],
    )


def treasury_summary_table(data: dict[str, Any], title: str) -> Table:
    def ratio(value):
        return _("n/a") if value is None else (value if i18n.language() == "en" else value.replace(".", ","))

    rows = [
        {"line": _(label), "amount": data[key] if isinstance(data[key], Decimal) else ratio(data[key])}
        for key, label in TREASURY_LINES
    ]
    return Table(title, [Column("line", "Treasury"), Column("amount", "Amount", "money")], rows)


# --------------------------------------------------------------------------- close-month


ADDING_UP = (
    (N_("Reserve brought in"), "reserve_brought_in"),
    (N_("Contribution by hand"), "contribution_booked_by_hand"),
    (N_("Salary by hand"), "salary_cost_booked_by_hand"),
)


def _adding_up_columns(rows: list[dict[str, Any]]) -> list[Column]:
    """Reserve brought in and contribution or salary booked by hand, shown when a row has any: so that each
    row adds up, opening + revenue − expenses − contribution − salary cost + brought in − booked by hand =
    closing."""
    return [Column(key, header, "money") for header, key in ADDING_UP if any(row[key] for row in rows)]


def close_report(
    plan: ClosePlan,
    dry_run: bool,
    written_path: str | None,
    treasury: TreasuryState,
    projection: bool = False,
) -> Report:
    activities: list[dict[str, Any]] = []
    for a in plan.activities:
        activities.append(
            {
                "id": a.activity_id,
                "establishment": a.establishment,
                "revenue": a.revenue,
                "expenses": a.expenses,
                "contribution_rate": f"{a.contribution_rate}",
                "contribution_rule": a.contribution_rule,
                "contribution": a.contribution,
                "opening_balance": a.opening_balance,
                "salary_cost": a.salary_cost,
                # closing = opening + revenue − expenses − contribution − salary_cost + reserve_brought_in
                #           − contribution_booked_by_hand − salary_cost_booked_by_hand
                "reserve_brought_in": a.equity,
                "contribution_booked_by_hand": a.hand_contribution,
                "salary_cost_booked_by_hand": a.hand_salary_cost,
                "closing_balance": a.closing_balance,
                "advance": a.advance,
                "advance_cap": a.advance_cap,
                "alerts": [alert.as_dict() for alert in a.alerts],
                "members": [
                    {
                        "id": m.member_id,
                        "phase": m.phase,
                        "days": m.days,
                        "gross": m.gross,
                        "salary_gross": m.salary_gross,
                        "bonus": m.bonus,
                        "employer_rate": f"{m.employer_rate:.4f}",
                        "employer_contributions": m.employer_contributions,
                        "employee_contributions": m.employee_contributions,
                        "net": m.net,
                        "cost": m.cost,
                    }
                    for m in a.members
                ],
            }
        )
    totals = plan.totals
    treasury_json = treasury_data(treasury)
    data = {
        "month": str(plan.month),
        "dry_run": dry_run,
        "projection": projection,
        "currency": plan.currency,
        "written": written_path,
        "activities": activities,
        "totals": totals,
        "treasury": treasury_json,
    }
    activity_table = Table(
        _("Close {month}").format(month=plan.month) + (_(" (dry run: nothing written)") if dry_run else ""),
        [
            Column("id", "Activity"),
            Column("opening_balance", "Opening", "money"),
            Column("revenue", "Revenue", "money"),
            Column("expenses", "Expenses", "money"),
            Column("contribution_rate", "Rate", "rate"),
            Column("contribution", "Contribution", "money"),
            Column("salary_cost", "Salary cost", "money"),
            *_adding_up_columns(activities),
            Column("closing_balance", "Closing", "money"),
            Column("advance", "Advance", "money"),
        ],
        [dict(row, contribution_rate=a.contribution_rate) for row, a in zip(activities, plan.activities)],
        {
            "id": "Total",
            "revenue": totals["revenue"],
            "contribution": totals["contribution"],
            "salary_cost": totals["salary_cost"],
            "advance": totals["advances"],
        },
    )
    member_rows = [dict(m, activity=a["id"]) for a in activities for m in a["members"]]
    member_table = Table(
        _("Salaries {month}").format(month=plan.month),
        [
            Column("id", "Member"),
            Column("activity", "Activity"),
            Column("days", "Days", "int"),
            Column("gross", "Gross", "money"),
            Column("employer_contributions", "Employer", "money"),
            Column("employee_contributions", "Employee", "money"),
            Column("net", "Net", "money"),
            Column("cost", "Cost", "money"),
        ],
        member_rows,
        {"id": "Total", "net": totals["net"], "cost": totals["salary_cost"]},
    )
    alerts = [i18n.word(alert) for a in plan.activities for alert in a.alerts]
    alerts += [
        _("treasury: {alert}").format(alert=i18n.word(alert))
        for alert in treasury.alerts
        if alert.code != "advance_over_cap"
    ]  # shown per activity above
    notes = [
        _("Net salaries due {net}; social contributions due {social}.").format(
            net=i18n.money(totals["net"], plan.currency), social=i18n.money(totals["social"], plan.currency)
        )
    ]
    if projection:
        notes.append(
            _(
                "Projection: {month} ends on {day}; entries posted until then change these figures. "
                "Close it from the day after: coopctl close-month {month}"
            ).format(month=plan.month, day=i18n.date(plan.month.last_day))
        )
    elif dry_run:
        notes.append(
            _("Dry run: nothing was written. To book it: coopctl close-month {month}").format(
                month=plan.month
            )
        )
    elif written_path:
        notes.append(_("Wrote {path}. Review it with git diff, then commit.").format(path=written_path))
    summary = treasury_summary_table(
        treasury_json, _("Pooled treasury on {day} after the close").format(day=i18n.date(treasury.as_of))
    )
    headings = [_("Projection — the month is not over; nothing written")] if projection else []
    if not activities:  # the activities' table (and its title) is not drawn: say what this is anyway
        headings += [
            activity_table.title,
            _(
                "No activity in config/activities.yaml yet: nothing to take or pay this month; "
                "the close records that the month is done."
            ),
        ]
    return Report(data, [activity_table, member_table, summary], notes, alerts, headings=headings)


def close_month(result, dry_run: bool) -> Report:
    """close-month: the close (or its dry run), the salaries, the pooled treasury after it."""
    written = None
    if result.written is not None:
        written = str(result.written.closing_file.relative_to(result.written.closing_file.parents[2]))
    return close_report(result.plan, dry_run, written, result.treasury, result.projection)


# --------------------------------------------------------------------------- balance


def balance(result, mine, day: datetime.date) -> Report:
    """balance: a member's activity, its history and its runway in words."""
    months = [
        {
            "month": str(h.month),
            "status": "closed" if h.closed else "open",
            "revenue": h.revenue,
            "expenses": h.expenses,
            "contribution": h.contribution,
            "salary_cost": h.salary_cost,
            "closing_balance": h.closing_balance,
        }
        for h in result.months
    ]
    data = {
        "member": result.member.id,
        "activity": result.activity_id,
        "as_of": day.isoformat(),
        "balance": result.balance,
        "advance": result.advance,
        "receivables": result.receivables,
        "monthly_salary_cost": mine.monthly_salary_cost,
        "advance_cap": mine.advance_cap,
        "runway_months": None if mine.runway_months is None else f"{mine.runway_months:.1f}",
        "months_in_deficit": mine.months_in_deficit,
        "months": months,
        **projection_data(result.projection),
    }
    table = Table(
        f"{result.member.name} — {result.activity_name} ({result.activity_id})",
        [
            Column("month", "Month"),
            Column("status", "Status", "label"),
            Column("revenue", "Revenue", "money"),
            Column("expenses", "Expenses", "money"),
            Column("contribution", "Contribution", "money"),
            Column("salary_cost", "Salary cost", "money"),
            Column("closing_balance", "Balance", "money"),
        ],
        months,
    )
    notes = [
        _("Balance of {activity} on {day}: {amount}.").format(
            activity=result.activity_id, day=i18n.date(day), amount=i18n.money(result.balance)
        )
    ]
    notes += runway_words(result.balance, mine)
    notes += projection_words(result.activity_id, result.projection)
    if result.receivables:
        notes.append(
            _("Invoices sent and not yet paid (VAT included): {amount}.").format(
                amount=i18n.money(result.receivables)
            )
        )
    if months and months[-1]["status"] == "open":
        notes.append(
            _(
                "Open months show what is booked so far; "
                "contribution and salary are booked when the month is closed."
            )
        )
    shown = result.months[-24:]  # two years at most on screen
    chart = Chart(
        N_("Month by month"),
        [str(h.month) for h in shown],
        [
            Series(N_("Revenue"), [h.revenue for h in shown], "green"),
            Series(N_("Salary cost"), [h.salary_cost for h in shown], "yellow"),
            Series(N_("Balance"), [h.closing_balance for h in shown], "cyan", scale="balance"),
        ],
    )
    return Report(data, [table], notes, charts=[chart])


def projection_data(projection) -> dict[str, Any]:
    """balance's keys for the open month as its close will book it (``core.projection``)."""
    if projection is None:
        return {"projected_month": None, "projected_closing": None, "projection": None}
    return {
        "projected_month": str(projection.month),
        "projected_closing": projection.closing_balance,
        "projection": {
            "month": str(projection.month),
            "opening_balance": projection.opening_balance,
            "revenue": projection.revenue,
            "expenses": projection.expenses,
            "contribution": projection.contribution,
            "salary_cost": projection.salary_cost,
            "other": projection.other,
            "closing_balance": projection.closing_balance,
        },
    }


def projection_words(activity: str, projection) -> list[str]:
    if projection is None:
        return []
    return [
        _(
            "Projected balance of {activity} once {month} is closed: {amount} "
            "(the contribution {contribution} on the revenue so far "
            "and the salary cost {salary} the close will book)."
        ).format(
            activity=activity,
            month=projection.month,
            amount=i18n.money(projection.closing_balance),
            contribution=i18n.money(projection.contribution),
            salary=i18n.money(projection.salary_cost),
        )
    ]


def runway_words(balance: Decimal, mine) -> list[str]:
    """The member's treasury, in words a member understands."""
    words = []
    if mine.runway_months is not None and balance > 0:
        words.append(
            _("Your reserve covers {months} months of salary (salary cost {cost} a month).").format(
                months=i18n.number(mine.runway_months, 1), cost=i18n.money(mine.monthly_salary_cost)
            )
        )
    elif balance > 0:
        words.append(_("Nobody is paid a salary from this activity: its reserve is kept for it."))
    if balance < 0:
        if mine.advance_cap:
            words.append(
                _(
                    "The cooperative's pooled treasury is advancing {amount} to your activity "
                    "until revenue comes in; "
                    "it may advance up to {cap} (its cap)."
                ).format(amount=i18n.money(-balance), cap=i18n.money(mine.advance_cap))
            )
        else:
            words.append(
                _(
                    "The cooperative's pooled treasury is advancing {amount} to your activity "
                    "until revenue comes in."
                ).format(amount=i18n.money(-balance))
            )
        if -balance > mine.advance_cap:
            words.append(_("The advance is over its cap: talk with your tutor about the months ahead."))
    if mine.months_in_deficit:
        words.append(
            _("The activity has been in deficit for {count} closed month(s) in a row.").format(
                count=mine.months_in_deficit
            )
        )
    return words


# --------------------------------------------------------------------------- simulate


def simulate(result) -> Report:
    """simulate: what a salary would cost, the net, how long the reserve pays it."""
    pay = result.pay
    data = {
        "member": pay.member_id,
        "activity": result.activity_id,
        "month": str(result.month),
        "gross": pay.gross,
        "hours": f"{pay.hours}",
        "employer_rate": f"{pay.employer_rate:.4f}",
        "employer_contributions": pay.employer_contributions,
        "employee_contributions": pay.employee_contributions,
        "net": pay.net,
        "cost": pay.cost,
        "current_cost": result.current_cost,
        "change": result.change,
        "reserve": result.reserve,
        "minimum_gross": result.minimum_gross,
        "months_covered": None if result.months_covered is None else f"{result.months_covered:.1f}",
        # the payroll phase's contribution lines and general reduction ([] and null with flat rates)
        "contributions": [
            {
                "code": line.code,
                "base": line.base,
                "base_amount": round_cent(line.base_amount) if line.base is not None else None,
                "employer": line.employer,
                "employee": line.employee,
            }
            for line in (pay.lines.lines if pay.lines is not None else ())
        ],
        "general_reduction": pay.lines.general_reduction if pay.lines is not None else None,
        "general_reduction_coefficient": (
            f"{pay.lines.reduction_coefficient:.4f}" if pay.lines is not None else None
        ),
    }
    rows = [
        {"line": label, "amount": data[key]}
        for key, label in [
            ("gross", _("Gross salary")),
            (
                "employer_contributions",
                _("+ Employer contributions ({rate})").format(
                    rate=i18n.percent(pay.employer_rate.quantize(Decimal("0.0001")))
                ),
            ),
            ("cost", _("= Cost to the activity, each month")),
            ("employee_contributions", _("Employee contributions")),
            ("net", _("Net salary")),
            ("current_cost", _("Salary cost today")),
            ("change", _("Change in cost")),
            ("reserve", _("Reserve of {activity} today").format(activity=result.activity_id)),
        ]
    ]
    notes = []
    if result.months_covered is not None:
        notes.append(
            _(
                "The reserve of {activity} would pay {months} months of this salary, before any new revenue."
            ).format(activity=result.activity_id, months=i18n.number(result.months_covered, 1))
        )
    else:
        notes.append(
            _(
                "{activity} has no reserve today: this salary would be paid from revenue to come, "
                "or advanced by the pooled treasury."
            ).format(activity=result.activity_id)
        )
    if pay.gross < result.minimum_gross:
        notes.append(
            _("Below the minimum wage: {hours} h a month need at least {amount} gross.").format(
                hours=i18n.number(pay.hours, 2), amount=i18n.money(result.minimum_gross)
            )
        )
    table = Table(
        _("Salary simulation for {member} ({month} rates)").format(member=pay.member_id, month=result.month),
        [Column("line", "Line"), Column("amount", "Amount", "money")],
        rows,
    )
    tables = [table]
    if pay.lines is not None:
        line_rows: list[dict[str, Any]] = [
            {
                "code": line.code,
                "base": line.base or "",
                "base_amount": round_cent(line.base_amount) if line.base is not None else None,
                "employer": line.employer,
                "employee": line.employee,
            }
            for line in pay.lines.lines
        ]
        line_rows.append(
            {
                "code": _("general reduction ({coefficient})").format(
                    coefficient=i18n.number(pay.lines.reduction_coefficient, 4)
                ),
                "base": "gross",
                "base_amount": pay.gross,
                "employer": -pay.lines.general_reduction,
                "employee": None,
            }
        )
        tables.append(
            Table(
                _("Contribution lines"),
                [
                    Column("code", "Contribution"),
                    Column("base", "Base"),
                    Column("base_amount", "Base amount", "money"),
                    Column("employer", "Employer", "money"),
                    Column("employee", "Employee", "money"),
                ],
                line_rows,
                {
                    "code": "Total",
                    "employer": pay.employer_contributions,
                    "employee": pay.employee_contributions,
                },
            )
        )
    return Report(data, tables, notes)


# --------------------------------------------------------------------------- tutor


def tutor(coop, lines, tutor: str | None, day: datetime.date) -> Report:
    """tutor: the portfolio lines (``core.lifecycle.tutor_portfolio``) of one tutor or all."""
    rows: list[dict[str, Any]] = [
        {
            "tutor": line.tutor,
            "member": line.member.id,
            "name": line.member.name,
            "phase": line.phase,
            "since": line.since.isoformat(),
            "associate": line.member.is_associate_on(day),
            "next_deadline": line.next_deadline[0] if line.next_deadline else None,
            "deadline": line.next_deadline[1].isoformat() if line.next_deadline else None,
            "months_to_deadline": line.months_to_deadline,
            "activity": line.member.activity,
            "balance": line.balance,
            "runway_months": None if line.runway_months is None else f"{line.runway_months:.1f}",
            "alerts": [i18n.word(p) for p in line.alerts],
        }
        for line in lines
    ]
    title = (
        _("Portfolio of {tutor} on {day}").format(tutor=coop.tutor_name(tutor), day=i18n.date(day))
        if tutor
        else _("Portfolios on {day}").format(day=i18n.date(day))
    )
    table = Table(
        title,
        [
            Column("tutor", "Tutor"),
            Column("member", "Member"),
            Column("phase", "Phase", "label"),
            Column("since", "Since", "date"),
            Column("next_deadline", "Next deadline", "label"),
            Column("deadline", "On", "date"),
            Column("months_to_deadline", "Months", "int"),
            Column("activity", "Activity"),
            Column("balance", "Balance", "money"),
            Column("runway_months", "Runway", "int"),
        ],
        [dict(r, tutor=coop.tutor_name(r["tutor"]) if r["tutor"] else "") for r in rows],
    )
    csv_table = Table(table.title, table.columns, table.rows)  # CSV keeps the runway as a number
    table = Table(
        table.title,
        table.columns,
        [dict(r, runway_months=runway_cell(r["runway_months"])) for r in table.rows],
    )
    return Report(
        {"as_of": day.isoformat(), "members": rows},
        [table],
        [],
        [alert for r in rows for alert in r["alerts"]],
        csv=csv_table,
    )


# --------------------------------------------------------------------------- payroll export

PAYROLL_COLUMNS = [
    Column("member_id", "Member"),
    Column("name", "Name"),
    Column("activity", "Activity"),
    Column("entry_date", "Entry", "date"),
    Column("exit_date", "Exit", "date"),
    Column("days_paid", "Days paid", "int"),
    Column("hours", "Hours", "int"),
    Column("gross", "Gross", "money"),
    Column("variable_pay", "Variable pay", "money"),
    Column("employer_contributions", "Employer", "money"),
    Column("employee_contributions", "Employee", "money"),
    Column("net", "Net", "money"),
    Column("cost", "Cost", "money"),
]


def payroll(parsed: Month, rows) -> Report:
    """payroll: the month's payroll variables, one row per paid member, and their totals."""
    data_rows: list[dict[str, Any]] = [
        {
            "member_id": r.member_id,
            "name": r.name,
            "activity": r.activity,
            "entry_date": r.entry_date.isoformat() if r.entry_date is not None else None,
            "exit_date": r.exit_date.isoformat() if r.exit_date is not None else None,
            "days_paid": r.days_paid,
            "hours": r.hours,
            "gross": r.gross,
            "variable_pay": r.variable_pay,
            "employer_contributions": r.employer_contributions,
            "employee_contributions": r.employee_contributions,
            "net": r.net,
            "cost": r.cost,
        }
        for r in rows
    ]
    totals = {
        key: sum((row[key] for row in data_rows), Decimal(0))
        for key in (
            "gross",
            "variable_pay",
            "employer_contributions",
            "employee_contributions",
            "net",
            "cost",
        )
    }
    report = Report(
        {
            "month": str(parsed),
            "rows": [dict(row, hours=f"{row['hours']}") for row in data_rows],
            "totals": totals,
        },
        [
            Table(
                _("Payroll {month}").format(month=parsed),
                PAYROLL_COLUMNS,
                data_rows,
                dict(totals, member_id="Total"),
            )
        ],
    )
    return report


# --------------------------------------------------------------------------- treasury


def treasury(state_: TreasuryState, day: datetime.date) -> Report:
    """treasury: the summary and each activity; the CSV is the activities' table."""
    data = treasury_data(state_)
    activities = Table(
        "Activities",
        [
            Column("id", "Activity"),
            Column("balance", "Balance", "money"),
            Column("advance", "Advance", "money"),
            Column("advance_cap", "Cap", "money"),
            Column("receivables", "Receivables", "money"),
            Column("runway_months", "Runway (months)", "int"),
            Column("months_in_deficit", "Months in deficit", "int"),
        ],
        data["activities"],
    )
    summary = treasury_summary_table(data, _("Pooled treasury on {day}").format(day=i18n.date(day)))
    shown = Table(
        activities.title,
        activities.columns,
        [dict(row, runway_months=runway_cell(row["runway_months"])) for row in activities.rows],
    )
    # CSV: the activities (numbers as they are), then, after an empty line, the pooled treasury's lines
    return Report(
        data,
        [summary, shown],
        [],
        [i18n.word(alert) for alert in state_.alerts],
        csv=activities,
        csv_sections=[treasury_summary_csv(data)],
    )


# --------------------------------------------------------------------------- report


def _activity_row(item: ActivityMonth) -> dict[str, Any]:
    return {
        "id": item.activity_id,
        "name": item.name,
        "establishment": item.establishment,
        "opening_balance": item.opening_balance,
        "revenue": item.revenue,
        "expenses": item.expenses,
        "contribution": item.contribution,
        "salary_cost": item.salary_cost,
        "reserve_brought_in": item.equity,
        "contribution_booked_by_hand": item.hand_contribution,
        "salary_cost_booked_by_hand": item.hand_salary_cost,
        "closing_balance": item.closing_balance,
        "advance": item.advance,
        "advance_cap": item.advance_cap,
        "alerts": [alert.as_dict() for alert in item.alerts],
    }


def _report_totals(totals: dict[str, Any]) -> dict[str, Any]:
    """A month report's totals under the row's names."""
    names = {
        "equity": "reserve_brought_in",
        "hand_contribution": "contribution_booked_by_hand",
        "hand_salary_cost": "salary_cost_booked_by_hand",
    }
    return {names.get(key, key): value for key, value in totals.items()}


MONEY_COLUMNS = [
    Column("opening_balance", "Opening", "money"),
    Column("revenue", "Revenue", "money"),
    Column("expenses", "Expenses", "money"),
    Column("contribution", "Contribution", "money"),
    Column("salary_cost", "Salary cost", "money"),
    Column("closing_balance", "Closing", "money"),
    Column("advance", "Advance", "money"),
]


def _money_columns(rows: list[dict[str, Any]]) -> list[Column]:
    return MONEY_COLUMNS[:5] + _adding_up_columns(rows) + MONEY_COLUMNS[5:]


def report(result, treasury: TreasuryState) -> Report:
    """report: the cooperative's month by establishment and activity, with the treasury."""
    status = _("closed") if result.closed else _("open (projected: what closing it now would book)")
    establishments: list[dict[str, Any]] = []
    for establishment, items in result.by_establishment().items():
        establishments.append(
            {
                "id": establishment,
                "name": result.establishment_name(establishment),
                "totals": _report_totals(result.totals(items)),
                "activities": [_activity_row(item) for item in items],
            }
        )
    rows = [dict(_activity_row(item)) for items in result.by_establishment().values() for item in items]
    for row in rows:
        row["establishment_name"] = result.establishment_name(row["establishment"])
    totals = _report_totals(result.totals())
    month_alerts = [
        alert for items in result.by_establishment().values() for item in items for alert in item.alerts
    ]
    month_alerts += [
        alert for alert in treasury.alerts if alert.code != "advance_over_cap"
    ]  # per activity above
    alerts = [i18n.word(alert) for alert in month_alerts]
    alerts += [_("members: {alert}").format(alert=i18n.word(alert)) for alert in result.lifecycle]
    treasury_json = treasury_data(treasury)
    data = {
        "month": str(result.month),
        "closed": result.closed,
        "establishments": establishments,
        "totals": totals,
        "alerts": [alert.as_dict() for alert in (*month_alerts, *result.lifecycle)],
        "treasury": treasury_json,
    }
    title = _("Month {month}: {status}").format(month=result.month, status=status)
    columns = [Column("establishment", "Establishment"), Column("id", "Activity"), *_money_columns(rows)]
    # people read the establishments' names; CSV (for programs) keeps their ids, as before
    table = Table(
        title,
        columns,
        [dict(row, establishment=row["establishment_name"]) for row in rows],
        dict(totals, establishment="Total"),
    )
    csv_table = Table(title, columns, rows, dict(totals, establishment="Total"))
    per_establishment = Table(
        "By establishment",
        [Column("id", "Establishment"), *_money_columns(rows)],
        [dict(e["totals"], id=e["name"]) for e in establishments],
    )
    summary = treasury_summary_table(
        treasury_json,
        _("Pooled treasury on {day}").format(day=i18n.date(treasury.as_of))
        + ("" if result.closed else _(" (projected)")),
    )
    chart = Chart(
        _("Revenue by establishment, {month}").format(month=result.month),
        [e["name"] for e in establishments],
        [
            Series(N_("Revenue"), [e["totals"]["revenue"] for e in establishments], "green"),
            Series(N_("Contribution"), [e["totals"]["contribution"] for e in establishments], "magenta"),
            Series(N_("Salary cost"), [e["totals"]["salary_cost"] for e in establishments], "yellow"),
        ],
    )
    return Report(data, [table, per_establishment, summary], [], alerts, charts=[chart], csv=csv_table)


# --------------------------------------------------------------------------- members


def members(members, lifecycle, day: datetime.date) -> Report:
    """members: phase, associate, tutor, activity, establishment, balance; lifecycle alerts."""
    rows = [
        {
            "id": r.member.id,
            "name": r.member.name,
            "phase": r.phase,
            "since": r.since.isoformat() if r.since else None,
            "associate": r.associate,
            "tutor": r.tutor,
            "activity": r.activity_id,
            "establishment": r.establishment,
            "establishment_name": r.establishment_name or r.establishment,
            "balance": r.balance,
        }
        for r in members
    ]
    title = _("Members on {day}").format(day=i18n.date(day))
    columns = [
        Column("id", "Id"),
        Column("name", "Name"),
        Column("phase", "Phase", "label"),
        Column("since", "Since", "date"),
        Column("associate", "Associate"),
        Column("tutor", "Tutor"),
        Column("activity", "Activity"),
        Column("establishment", "Establishment"),
        Column("balance", "Balance", "money"),
    ]
    shown = [dict(row, associate=_("yes") if row["associate"] else "") for row in rows]
    # people read the establishment's name; CSV (for programs) keeps its id, as before
    table = Table(title, columns, [dict(row, establishment=row["establishment_name"]) for row in shown])
    return Report(
        {"as_of": day.isoformat(), "members": rows, "alerts": [p.as_dict() for p in lifecycle]},
        [table],
        [],
        [i18n.word(p) for p in lifecycle],
        csv=Table(title, columns, shown),
    )


# --------------------------------------------------------------------------- check


def check(problems) -> Report:
    """check's JSON: ok when no problem is an error, and every problem."""
    errors = [p for p in problems if p.severity == "error"]
    return Report({"ok": not errors, "problems": [p.as_dict() for p in problems]})


def check_summary(books) -> str:
    """check's line for people when the books are clean."""
    figures = books.figures
    last = (
        _(", last closed {month}").format(month=figures.last_closed)
        if figures.last_closed
        else _(", no month closed yet")
    )
    return _("ok: config and ledger are clean ({entries}, {members}, {activities}{last})").format(
        entries=counted(len(books.ledger.entries), N_("{count} entry"), N_("{count} entries")),
        members=counted(len(books.coop.members), N_("{count} member"), N_("{count} members")),
        activities=counted(len(books.coop.activities), N_("{count} activity"), N_("{count} activities")),
        last=last,
    )


# --------------------------------------------------------------------------- close-year


PART_LABELS = {
    "legal_reserve": N_("Legal reserve (réserve légale)"),
    "development_fund": N_("Development fund (fonds de développement)"),
    "workers_share": N_("Workers' share (part travail)"),
    "dividends": N_("Dividends (dividendes)"),
}


def close_year(result) -> Report:
    """close-year: each activity's result into its reserve, the surplus split; the CSV is the proposal for
    the general assembly, its parts then each employee's share."""
    report = year_close_report(result)
    report.csv = surplus_csv_table(result)
    return report


def surplus_csv_table(result) -> Table:
    proposal = result.proposal
    rows = []
    if proposal is not None:
        rows += [
            {"line": "part", "id": name, "name": "", "rate": rate, "basis": None, "amount": amount}
            for name, rate, amount in proposal.parts
        ]
        rows += [
            {
                "line": "worker",
                "id": w.member_id,
                "name": w.name,
                "rate": None,
                "basis": w.basis,
                "amount": w.amount,
            }
            for w in proposal.workers
        ]
    return Table(
        "Surplus split",
        [
            Column("line", "Line"),
            Column("id", "Id"),
            Column("name", "Name"),
            Column("rate", "Rate", "rate"),
            Column("basis", "Basis", "money"),
            Column("amount", "Amount", "money"),
        ],
        rows,
    )


def year_close_report(result) -> Report:
    plan = result.plan
    rows = [
        {"activity": t.owner, "result": t.result, "reserve": plan.reserves.get(t.owner, Decimal(0))}
        for t in plan.activities
    ]
    reserves_only = sorted(set(plan.reserves) - {t.owner for t in plan.activities})
    rows += [
        {"activity": owner, "result": Decimal(0), "reserve": plan.reserves[owner]} for owner in reserves_only
    ]
    rows.sort(key=lambda r: r["activity"])
    proposal = result.proposal
    parts = (
        [{"part": name, "rate": rate, "amount": amount} for name, rate, amount in proposal.parts]
        if proposal
        else []
    )
    workers = (
        [
            {"member": w.member_id, "name": w.name, "basis": w.basis, "amount": w.amount}
            for w in proposal.workers
        ]
        if proposal
        else []
    )
    written = [
        str(p) for p in ((result.written.opening_file, result.written.closing_file) if result.written else ())
    ]
    data = {
        "year": plan.year,
        "dry_run": result.dry_run,
        "already_closed": result.already_closed,
        "coop_result": plan.coop_result,
        "activities": rows,
        "surplus": None
        if proposal is None
        else {"result": proposal.result, "basis": proposal.basis, "parts": parts, "workers": workers},
        "written": written,
        "surplus_file": str(result.surplus_file) if result.surplus_file else None,
        "notes": [p.message for p in result.notes],
    }
    tables = [
        Table(
            _("Year {year}: each activity's result, into its reserve").format(year=plan.year),
            [
                Column("activity", "Activity"),
                Column("result", "Result of the year", "money"),
                Column("reserve", "Reserve carried", "money"),
            ],
            rows,
            {
                "activity": "Total",
                "result": sum((r["result"] for r in rows), Decimal(0)),
                "reserve": sum((r["reserve"] for r in rows), Decimal(0)),
            },
        )
    ]
    if proposal:
        basis_label = _({"salary": "gross paid", "equal": "equal parts", "hours": "hours"}[proposal.basis])
        tables.append(
            Table(
                _("Surplus split proposal for the general assembly (result {amount})").format(
                    amount=i18n.money(proposal.result)
                ),
                [
                    Column("label", "Part"),
                    Column("rate", "Rate", "rate"),
                    Column("amount", "Amount", "money"),
                ],
                [
                    {"label": _(PART_LABELS[p["part"]]), "rate": p["rate"], "amount": p["amount"]}
                    for p in parts
                ],
                {"label": "Total", "amount": proposal.result},
            )
        )
        tables.append(
            Table(
                _("Workers' share by employee (basis: {basis})").format(basis=basis_label),
                [
                    Column("member", "Member"),
                    Column("name", "Name"),
                    Column(
                        "basis",
                        "Gross paid" if proposal.basis == "salary" else "Basis",
                        "money" if proposal.basis == "salary" else "text",
                    ),
                    Column("amount", "Share", "money"),
                ],
                [
                    dict(
                        w,
                        basis=w["basis"]
                        if proposal.basis == "salary"
                        else f"{w['basis']:.2f}".rstrip("0").rstrip("."),
                    )
                    for w in workers
                ],
                {"member": "Total", "amount": proposal.amount("workers_share")},
            )
        )
    notes = [
        _("The cooperative's own result for {year}: {amount} (into Equity:Coop:Result).").format(
            year=plan.year, amount=i18n.money(plan.coop_result)
        )
    ]
    notes += [p.message for p in result.notes]
    if result.already_closed and not result.surplus_file:
        notes.append(
            _("{year} is closed (ledgers/closing/{year}-year.beancount): shown as it was closed.").format(
                year=plan.year
            )
        )
    if result.dry_run:
        notes.append(_("Dry run: nothing was written."))
    elif result.written:
        notes.append(
            _(
                "Written: {closing} (the year's transfers) and openings/{opening} "
                "({next} opens from these balances)."
            ).format(
                closing=result.written.closing_file.name,
                opening=result.written.opening_file.name,
                next=plan.year + 1,
            )
        )
    if result.surplus_file:
        notes.append(_("Surplus split booked in {file}.").format(file=result.surplus_file.name))
    elif proposal and (not result.dry_run or result.already_closed):
        notes.append(
            _(
                "Nothing is booked for the split until the general assembly decides: then run "
                "coopctl close-year {year} --apply-surplus --date YYYY-MM-DD."
            ).format(year=plan.year)
        )
    return Report(data, tables, notes)


# --------------------------------------------------------------------------- statement


def _statement_row(m) -> dict[str, Any]:
    return {
        "month": str(m.month),
        "status": "closed" if m.closed else "open",
        "revenue": m.revenue,
        "contribution": m.contribution,
        "expenses": m.expenses,
        "salary_cost": m.salary_cost,
        "reserve_brought_in": m.equity,
        "gross": m.gross,
        "bonus": m.bonus,
        "net": m.net,
        "balance": m.closing_balance,
    }


def statement(result) -> Report:
    """statement: a member's year month by month, its totals and its reserve."""
    months = [_statement_row(m) for m in result.months]
    before = None
    if result.before_joining is not None:  # the year's months before the member joined, summed
        before = dict(
            _statement_row(result.before_joining),
            month=None,
            **{"from": str(result.before_joining.since), "to": str(result.before_joining.month)},
        )
    totals = result.totals()
    totals = {("reserve_brought_in" if key == "equity" else key): value for key, value in totals.items()}
    data = {
        "member": result.member.id,
        "name": result.member.name,
        "activity": result.activity_id,
        "year": result.year,
        "shared_with": list(result.shared_with),
        "reserve_start": result.reserve_start,
        "reserve_end": result.reserve_end,
        "totals": totals,
        "before_joining": None if before is None else {k: v for k, v in before.items() if k != "month"},
        "months": months,
    }
    rows = months
    if before is not None:
        rows = [dict(before, month=f"{before['from']}..{before['to']}", status=N_("before joining"))] + months
    table = Table(
        f"{result.member.name} — {result.activity_name} ({result.activity_id}), {result.year}",
        [
            Column("month", "Month"),
            Column("status", "Status", "label"),
            Column("revenue", "Revenue", "money"),
            Column("contribution", "Contribution", "money"),
            Column("expenses", "Expenses", "money"),
            Column("salary_cost", "Salary cost", "money"),
        ]
        + (
            [Column("reserve_brought_in", "Reserve brought in", "money")]
            if totals["reserve_brought_in"]
            else []
        )
        + [
            Column("gross", "Your gross", "money"),
            Column("bonus", "of which bonus", "money"),
            Column("net", "Your net", "money"),
            Column("balance", "Balance", "money"),
        ],
        rows,
        dict(totals, month="Year", balance=result.reserve_end),
    )
    notes = [
        _("Reserve of {activity} at the start of {year}: {start}; at the end: {end}.").format(
            activity=result.activity_id,
            year=result.year,
            start=i18n.money(result.reserve_start),
            end=i18n.money(result.reserve_end),
        )
    ]
    if before is not None:
        notes.append(
            _(
                "{member} joined {activity} on {day}: "
                "the first line sums the activity's months of {year} before that "
                "({first} to {last})."
            ).format(
                member=result.member.id,
                activity=result.activity_id,
                day=i18n.date(result.member.joined),
                year=result.year,
                first=before["from"],
                last=before["to"],
            )
        )
    if result.shared_with:
        notes.append(
            _(
                "{activity} is shared with {others}: revenue, expenses and salary cost are the activity's; "
                "your gross and net are yours."
            ).format(activity=result.activity_id, others=", ".join(result.shared_with))
        )
    if any(m["status"] == "open" for m in months):
        notes.append(
            _(
                "Open months show what is booked so far; "
                "contribution and salary are booked when the month is closed."
            )
        )
    return Report(data, [table], notes)


# --------------------------------------------------------------------------- review


def review(result) -> Report:
    """review: balances before and after, revenue and contribution by month, closed months touched."""
    r = result.review
    activities = [
        {"id": c.activity_id, "balance_before": c.before, "balance_after": c.after, "change": c.change}
        for c in r.activities
    ]
    months = [
        {
            "activity": m.activity_id,
            "month": str(m.month),
            "revenue_before": m.revenue_before,
            "revenue_after": m.revenue_after,
            "contribution_before": m.contribution_before,
            "contribution_after": m.contribution_after,
        }
        for m in r.months
    ]
    touched = [
        {"month": str(c.month), "entry": c.entry, "change": c.change, "file": c.file, "line": c.line}
        for c in r.closed_months_touched
    ]
    unproven = [p.as_dict() for p in result.unproven]
    data = {
        "from": result.from_label,
        "to": result.to_label,
        "activities": activities,
        "months": months,
        "closed_months_touched": touched,
        "errors": unproven,
        "config_changes": [change.message for change in r.config_changes],
    }
    tables = [
        Table(
            f"Balances: {result.from_label} → {result.to_label}",
            [
                Column("id", "Activity"),
                Column("balance_before", "Before", "money"),
                Column("balance_after", "After", "money"),
                Column("change", "Change", "money"),
            ],
            activities,
        ),
        Table(
            "Revenue and contribution by month",
            [
                Column("activity", "Activity"),
                Column("month", "Month"),
                Column("revenue_before", "Revenue before", "money"),
                Column("revenue_after", "Revenue after", "money"),
                Column("contribution_before", "Contribution before", "money"),
                Column("contribution_after", "Contribution after", "money"),
            ],
            months,
        ),
    ]
    alerts = [
        f"closed month {t['month']}: entry {t['change']}: {t['entry']}"
        + (f" ({t['file']}:{t['line']})" if t["file"] else "")
        for t in touched
    ]
    alerts += [i18n.worded(p) for p in result.unproven]
    notes = [_("config: {change}").format(change=i18n.word(change)) for change in r.config_changes]
    if not (activities or months or touched or unproven or r.config_changes):
        notes.append("No change to balances, closed months or config.")
    # CSV: the balances, then, after an empty line, what a reviewer must not miss (English, as all CSV)
    flagged = [
        {
            "kind": "closed_month_touched",
            "month": t["month"],
            "message": f"entry {t['change']}: {t['entry']}",
            "file": t["file"],
            "line": t["line"],
        }
        for t in touched
    ]
    flagged += [
        {"kind": "error", "month": None, "message": p.message, "file": p.file, "line": p.line}
        for p in result.unproven
    ]
    flagged += [
        {"kind": "config_change", "month": None, "message": change.message, "file": None, "line": None}
        for change in r.config_changes
    ]
    alert_table = Table(
        "Alerts",
        [
            Column("kind", "Kind"),
            Column("month", "Month"),
            Column("message", "Message"),
            Column("file", "File"),
            Column("line", "Line", "int"),
        ],
        flagged,
    )
    return Report(data, tables, notes, alerts, csv_sections=[alert_table])
