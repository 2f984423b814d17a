"""Balances, histories, the month's report, the members list and config checks. Pure.

A closed month is reported from what the ledger booked; an open month from the
close plan (what closing it now would book), marked ``projected``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopctl.core.close import ActivityClose, advance_cap, advance_of, cap_alerts, close_refusals, plan_close
from coopctl.core.payroll import cesa_days, smic_minimum
from coopctl.core.projection import Projection
from coopctl.domain.cooperative import Cooperative, Member, in_force
from coopctl.domain.figures import DayFigures, LedgerFigures
from coopctl.domain.money import ZERO, fmt_amount
from coopctl.domain.months import Month, month_range
from coopctl.domain.problems import N_, CloseRefused, Problem


@dataclass(frozen=True)
class ActivityMonth:
    """One activity's month, whether closed (booked) or open (projected)."""

    activity_id: str
    name: str
    establishment: str
    opening_balance: Decimal
    revenue: Decimal
    expenses: Decimal
    contribution: Decimal
    salary_cost: Decimal
    closing_balance: Decimal
    advance: Decimal
    advance_cap: Decimal
    alerts: tuple[Problem, ...]
    # so that opening + revenue − expenses − contribution − salary_cost + equity − hand_* = closing: reserve
    # brought in, and (open months) contribution and salary booked by hand, which a closed month's booked
    # figures already hold
    equity: Decimal = ZERO
    hand_contribution: Decimal = ZERO
    hand_salary_cost: Decimal = ZERO


def _from_plan(item: ActivityClose) -> ActivityMonth:
    return ActivityMonth(
        item.activity_id,
        item.name,
        item.establishment,
        item.opening_balance,
        item.revenue,
        item.expenses,
        item.contribution,
        item.salary_cost,
        item.closing_balance,
        item.advance,
        item.advance_cap,
        tuple(item.alerts),
        item.equity,
        item.hand_contribution,
        item.hand_salary_cost,
    )


def booked_month(coop: Cooperative, figures: LedgerFigures, activity_id: str, month: Month) -> ActivityMonth:
    """An activity's month as the ledger has it."""
    activity = coop.activity(activity_id)
    booked = figures.month_figures(activity_id, month)
    opening = figures.balance(activity_id, month.previous().last_day)
    closing = opening + booked.balance_change
    advance = advance_of(closing)
    cap = advance_cap(coop.coop.treasury.advance_cap_months, booked.salary_cost)
    alerts = tuple(
        cap_alerts(activity.id, advance, coop.coop.treasury.advance_cap_months, booked.salary_cost)
    )
    return ActivityMonth(
        activity_id,
        activity.name,
        activity.establishment,
        opening,
        booked.revenue,
        booked.expenses,
        booked.contribution,
        booked.salary_cost,
        closing,
        advance,
        cap,
        alerts,
        booked.equity,
    )


@dataclass(frozen=True)
class MonthReport:
    month: Month
    closed: bool
    activities: tuple[ActivityMonth, ...]
    lifecycle: tuple[Problem, ...] = ()  # members' path warnings at the month's end
    establishment_names: tuple[tuple[str, str], ...] = ()  # (id, name): reports show names to people

    def establishment_name(self, establishment_id: str) -> str:
        return dict(self.establishment_names).get(establishment_id, establishment_id)

    def totals(self, items: tuple[ActivityMonth, ...] | None = None) -> dict[str, Decimal]:
        items = self.activities if items is None else items
        keys = (
            "opening_balance",
            "revenue",
            "expenses",
            "contribution",
            "salary_cost",
            "equity",
            "hand_contribution",
            "hand_salary_cost",
            "closing_balance",
            "advance",
        )
        return {key: sum((getattr(a, key) for a in items), ZERO) for key in keys}

    def by_establishment(self) -> dict[str, tuple[ActivityMonth, ...]]:
        groups: dict[str, list[ActivityMonth]] = {}
        for item in self.activities:
            groups.setdefault(item.establishment, []).append(item)
        return {key: tuple(value) for key, value in sorted(groups.items())}


def month_report(coop: Cooperative, figures: LedgerFigures, month: Month) -> MonthReport:
    names = tuple((e.id, e.name) for e in coop.coop.establishments)
    if month in figures.closed:
        plan_ids = [a.activity_id for a in plan_close(coop, figures, month).activities]
        items = tuple(booked_month(coop, figures, activity_id, month) for activity_id in plan_ids)
        return MonthReport(month, True, items, establishment_names=names)
    plan = plan_close(coop, figures, month)
    return MonthReport(
        month, False, tuple(_from_plan(item) for item in plan.activities), establishment_names=names
    )


# --------------------------------------------------------------------------- balance


@dataclass(frozen=True)
class HistoryMonth:
    month: Month
    closed: bool
    revenue: Decimal
    expenses: Decimal
    contribution: Decimal
    salary_cost: Decimal
    closing_balance: Decimal


@dataclass(frozen=True)
class MemberBalance:
    member: Member
    activity_id: str
    activity_name: str
    as_of: datetime.date
    balance: Decimal
    receivables: Decimal
    months: tuple[HistoryMonth, ...]
    projection: Projection | None = (
        None  # the open month as its close will book it (core.projection), set by the app
    )

    @property
    def advance(self) -> Decimal:
        return advance_of(self.balance)


def member_balance(
    coop: Cooperative, figures: LedgerFigures, member_id: str, as_of: datetime.date
) -> MemberBalance:
    """Where a member's activity stands on ``as_of``, with its month-by-month history.

    Months up to ``as_of``'s month, from the activity's first booked month (or the
    member's joining); the last month is cut at ``as_of``.
    """
    member = coop.member(member_id)
    activity = coop.activity(member.activity)
    first = figures.first_month(activity.id) or Month.of(min(member.joined, as_of))
    first = min(first, Month.of(as_of))
    history = []
    running = figures.balance(activity.id, first.previous().last_day)
    for month in month_range(first, Month.of(as_of)):
        booked = figures.month_figures(activity.id, month, until=as_of)
        running += booked.balance_change
        history.append(
            HistoryMonth(
                month,
                month in figures.closed,
                booked.revenue,
                booked.expenses,
                booked.contribution,
                booked.salary_cost,
                running,
            )
        )
    balance = figures.balance(activity.id, as_of)
    return MemberBalance(
        member,
        activity.id,
        activity.name,
        as_of,
        balance,
        figures.receivable(activity.id, as_of),
        tuple(history),
    )


# --------------------------------------------------------------------------- members


@dataclass(frozen=True)
class MemberRow:
    member: Member
    phase: str
    since: datetime.date | None
    associate: bool
    tutor: str
    activity_id: str
    establishment: str
    balance: Decimal
    establishment_name: str = ""  # what people read (the id when config has no name)


def members_list(coop: Cooperative, figures: LedgerFigures, as_of: datetime.date) -> list[MemberRow]:
    rows = []
    for member in sorted(coop.members, key=lambda m: m.id):
        phase = member.phase_on(as_of)
        since = {"CAPE": member.joined, "CESA": member.cesa_from, "left": member.left}.get(phase)
        activity = coop.activity(member.activity)
        rows.append(
            MemberRow(
                member,
                phase,
                since,
                member.is_associate_on(as_of),
                coop.tutor_name(member.tutor),
                activity.id,
                activity.establishment,
                figures.balance(activity.id, as_of),
                coop.establishment_name(activity.establishment),
            )
        )
    return rows


# --------------------------------------------------------------------------- checks


def salary_floor_problems(coop: Cooperative) -> list[Problem]:
    """Every CESA salary amendment below smic_hourly × hours, under each payroll entry it meets."""
    problems = []
    for index, member in enumerate(coop.members):
        if member.cesa_from is None:
            continue
        for k, entry in enumerate(member.salary):
            end = member.salary[k + 1].start if k + 1 < len(member.salary) else None
            start = max(entry.start, member.cesa_from)
            if member.left is not None and start > member.left:
                continue
            checkpoints = {start} | {
                p.start
                for p in coop.coop.payroll
                if start < p.start
                and (end is None or p.start < end)
                and (member.left is None or p.start <= member.left)
            }
            for day in sorted(checkpoints):
                payroll = in_force(coop.coop.payroll, day)
                if payroll is None:
                    continue
                minimum = smic_minimum(payroll, entry.hours)
                if entry.gross < minimum:
                    file, line = coop.where("config/members.yaml", ("members", index, "salary", k, "gross"))
                    problems.append(
                        Problem.of(
                            "check.below_smic",
                            N_(
                                "{member}: gross {gross} for {hours} h is below the minimum wage {minimum} "
                                "(SMIC {smic} €/h × {hours} h, in force on {day})"
                            ),
                            file=file,
                            line=line,
                            member=member.id,
                            gross=fmt_amount(entry.gross),
                            hours=str(entry.hours),
                            minimum=fmt_amount(minimum),
                            smic=str(payroll.smic_hourly),
                            day=day,
                        )
                    )
                    break
    return problems


def unclosed_months(figures: LedgerFigures, today: datetime.date) -> list[Month]:
    """Ended months after the last closed one (to remind the treasurer)."""
    if figures.last_closed is None:
        return []
    return [m for m in month_range(figures.last_closed.next(), Month.of(today).previous())]


# --------------------------------------------------------------------------- payroll export


@dataclass(frozen=True)
class PayrollRow:
    """One paid member of a closed month, as its closing booked it (for a payroll bureau)."""

    member_id: str
    name: str
    activity: str
    hours: Decimal
    gross: Decimal
    variable_pay: Decimal
    employer_contributions: Decimal
    employee_contributions: Decimal
    net: Decimal
    cost: Decimal
    entry_date: datetime.date | None = None  # the CESA start [date d'embauche]
    exit_date: datetime.date | None = None  # the last day in the cooperative, if they left
    days_paid: int = 0  # calendar days paid in the month (the proration)


def payroll_rows(
    coop: Cooperative, figures: LedgerFigures, month: Month, today: datetime.date | None = None
) -> list[PayrollRow]:
    """The salaries booked by the close of ``month``; refuses an open month (nothing is booked yet), with
    advice that close-month would follow on ``today``."""
    if month not in figures.closed:
        after_month = month.last_day + datetime.timedelta(days=1)
        order = close_refusals(figures, month, max(today or after_month, after_month))
        if order:  # an earlier month is still open
            raise CloseRefused.of(
                "payroll.not_closed_order",
                N_("{month} is not closed: the payroll export reads what a close booked; {reason}"),
                month=month,
                reason=order[0],
            )
        if today is not None and today < month.first_day:
            raise CloseRefused.of(
                "payroll.month_not_begun",
                N_(
                    "{month} has not begun: the payroll export reads what a close booked, "
                    "once the month is over"
                ),
                month=month,
            )
        if today is not None and today <= month.last_day:
            raise CloseRefused.of(
                "payroll.month_not_over",
                N_(
                    "{month} is not over (it ends on {day}): the payroll export reads what a close booked; "
                    "close it from the day after; to preview its salaries now: "
                    "coopctl close-month {month} --dry-run"
                ),
                month=month,
                day=month.last_day,
            )
        raise CloseRefused.of(
            "payroll.not_closed",
            N_(
                "{month} is not closed: the payroll export reads what a close booked; "
                "run coopctl close-month {month} first"
            ),
            month=month,
        )
    rows = []
    for booked in sorted(figures.booked_salaries.get(month, []), key=lambda b: (b.activity, b.member)):
        member = coop.member(booked.member) if booked.member in {m.id for m in coop.members} else None
        entry = in_force(member.salary, month.last_day) if member is not None else None
        if member is not None and member.left is not None and member.left < month.last_day:
            entry = in_force(member.salary, member.left)
        rows.append(
            PayrollRow(
                booked.member,
                member.name if member else booked.member,
                booked.activity,
                entry.hours if entry is not None else ZERO,
                booked.gross,
                booked.bonus,
                booked.employer,
                booked.gross - booked.net,
                booked.net,
                booked.gross + booked.employer,
                member.cesa_from if member is not None else None,
                member.left if member is not None else None,
                _days_paid(member, month),
            )
        )
    return rows


def _days_paid(member: Member | None, month: Month) -> int:
    span = cesa_days(member, month) if member is not None else None
    return 0 if span is None else (span[1] - span[0]).days + 1


# --------------------------------------------------------------------------- statement


@dataclass(frozen=True)
class StatementMonth:
    month: Month
    closed: bool
    revenue: Decimal
    contribution: Decimal
    expenses: Decimal
    salary_cost: Decimal  # the activity's (every member paid from it)
    equity: Decimal  # reserve brought in (an opening balance), usually zero
    gross: Decimal  # this member's, bonus included
    bonus: Decimal
    net: Decimal
    closing_balance: Decimal
    since: Month | None = (
        None  # a summary row: the months since..month summed (the year's months before joining)
    )


@dataclass(frozen=True)
class MemberStatement:
    member: Member
    activity_id: str
    activity_name: str
    shared_with: tuple[str, ...]  # the activity's other members
    year: int
    reserve_start: Decimal  # the activity's balance at the end of the year before
    reserve_end: Decimal
    months: tuple[StatementMonth, ...]
    before_joining: StatementMonth | None = (
        None  # the activity's months of the year before the member joined, summed
    )

    @property
    def rows(self) -> tuple[StatementMonth, ...]:
        """The rows shown, in order: the summary of the months before joining (if any), then each month."""
        return ((self.before_joining,) if self.before_joining is not None else ()) + self.months

    def totals(self) -> dict[str, Decimal]:
        """The year: the months before joining and every month shown; reserve_start + the change =
        reserve_end."""
        keys = ("revenue", "contribution", "expenses", "salary_cost", "equity", "gross", "bonus", "net")
        return {key: sum((getattr(m, key) for m in self.rows), ZERO) for key in keys}


def member_statement(coop: Cooperative, figures: LedgerFigures, member_id: str, year: int) -> MemberStatement:
    """A member's year, month by month: the activity's figures and the member's own pay (pure).

    The months are January (or the first month the books or the member have) to December, or to the
    last month with anything booked when the year is not over. The reserve at the end is the reserve at
    the start plus each month's revenue − contribution − expenses − salary cost + reserve brought in.
    A member who joined an activity after January sees the activity's months of the year before their
    joining summed in one row (``before_joining``), so that the rows still add up from the reserve on
    1 January to the reserve at the end, which is ``balance`` on the same day.
    """
    member = coop.member(member_id)
    activity = coop.activity(member.activity)
    first = Month(year, 1)
    if figures.first_date is not None:
        first = max(first, min(Month.of(figures.first_date), Month(year, 12)))
    first = max(first, min(Month.of(member.joined), Month(year, 12)))
    last = Month(year, 12)
    if figures.last_date is not None and figures.last_date.year == year:
        last = min(last, max(Month.of(figures.last_date), figures.last_closed or Month(year, 1)))
    start = figures.balance(activity.id, datetime.date(year - 1, 12, 31))
    running, before = start, None
    if first > Month(year, 1):  # the year's months before the books or the member start: one summary row
        earlier = month_range(Month(year, 1), first.previous())
        booked, mine = DayFigures(), []
        for month in earlier:
            booked.add(figures.month_figures(activity.id, month))
            mine += [s for s in figures.booked_salaries.get(month, []) if s.member == member_id]
        if any(
            (booked.revenue, booked.contribution, booked.expenses, booked.salary_cost, booked.equity, mine)
        ):
            running += booked.balance_change
            before = StatementMonth(
                earlier[-1],
                all(figures.is_closed(m) for m in earlier),
                booked.revenue,
                booked.contribution,
                booked.expenses,
                booked.salary_cost,
                booked.equity,
                sum((s.gross for s in mine), ZERO),
                sum((s.bonus for s in mine), ZERO),
                sum((s.net for s in mine), ZERO),
                running,
                since=earlier[0],
            )
    months = []
    for month in month_range(first, last):
        booked = figures.month_figures(activity.id, month)
        running += booked.balance_change
        mine = [s for s in figures.booked_salaries.get(month, []) if s.member == member_id]
        months.append(
            StatementMonth(
                month,
                figures.is_closed(month),
                booked.revenue,
                booked.contribution,
                booked.expenses,
                booked.salary_cost,
                booked.equity,
                sum((s.gross for s in mine), ZERO),
                sum((s.bonus for s in mine), ZERO),
                sum((s.net for s in mine), ZERO),
                running,
            )
        )
    others = tuple(m.id for m in coop.members_of(activity.id) if m.id != member_id)
    return MemberStatement(
        member, activity.id, activity.name, others, year, start, running, tuple(months), before
    )
