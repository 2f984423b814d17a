"""The monthly close (DESIGN §5): the plan of what is booked, and when to refuse.

``plan_close`` computes, for every activity, revenue, expenses, contribution,
salaries, closing balance and advance for one month. ``close_refusals`` says why
a month cannot be closed now. Both are pure; ``closing.write_close`` writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from coopctl.core.contribution import month_contribution
from coopctl.core.payroll import MemberPay, activity_overrides, pay_for_month
from coopctl.domain.cooperative import Cooperative, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO, fmt_amount
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem


def advance_of(balance: Decimal) -> Decimal:
    """The advance the pooled treasury carries for a balance: max(0, −balance) (DESIGN §5, step 7)."""
    return max(ZERO, -balance)


def advance_cap(cap_months: int, salary_cost: Decimal) -> Decimal:
    """How far an activity's advance may go: ``cap_months`` × its monthly salary cost."""
    return cap_months * salary_cost


ADVANCE_OVER_CAP = N_(
    "{activity}: advance {advance} is over its cap {cap} ({months} months of salary cost {cost})"
)


def cap_alerts(activity: str, advance: Decimal, cap_months: int, salary_cost: Decimal) -> list[Problem]:
    """The alert of an advance over its cap (cap months × the monthly salary cost); the salary is still
    paid."""
    cap = advance_cap(cap_months, salary_cost)
    if advance > cap:
        return [
            Problem.of(
                "advance_over_cap",
                ADVANCE_OVER_CAP,
                severity="warning",
                activity=activity,
                advance=advance,
                cap=cap,
                months=cap_months,
                cost=salary_cost,
            )
        ]
    return []


@dataclass(frozen=True)
class ActivityClose:
    activity_id: str
    name: str
    establishment: str
    revenue: Decimal
    expenses: Decimal
    contribution_rate: Decimal
    contribution: Decimal
    opening_balance: Decimal
    members: tuple[MemberPay, ...]
    cap_months: int
    contribution_rule: str = "rate"
    equity: Decimal = ZERO  # reserve brought in during the month (Equity:Activity), usually zero
    hand_contribution: Decimal = (
        ZERO  # contribution booked by hand in the month (not by a close), usually zero
    )
    hand_salary_cost: Decimal = ZERO  # salary booked by hand in the month (not by a close), usually zero

    @property
    def other_booked(self) -> Decimal:
        """Contribution and salary booked by hand in the month."""
        return self.hand_contribution + self.hand_salary_cost

    @property
    def salary_cost(self) -> Decimal:
        return sum((m.cost for m in self.members), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return (
            self.opening_balance
            + self.revenue
            - self.expenses
            - self.contribution
            - self.salary_cost
            + self.equity
            - self.other_booked
        )

    @property
    def advance(self) -> Decimal:
        return advance_of(self.closing_balance)

    @property
    def advance_cap(self) -> Decimal:
        return advance_cap(self.cap_months, self.salary_cost)

    @property
    def alerts(self) -> list[Problem]:
        return cap_alerts(self.activity_id, self.advance, self.cap_months, self.salary_cost)


@dataclass(frozen=True)
class ClosePlan:
    month: Month
    currency: str
    activities: tuple[ActivityClose, ...]
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def totals(self) -> dict[str, Decimal]:
        members = [m for a in self.activities for m in a.members]
        return {
            "revenue": sum((a.revenue for a in self.activities), ZERO),
            "contribution": sum((a.contribution for a in self.activities), ZERO),
            "salary_cost": sum((a.salary_cost for a in self.activities), ZERO),
            "net": sum((m.net for m in members), ZERO),
            "social": sum((m.social for m in members), ZERO),
            "advances": sum((a.advance for a in self.activities), ZERO),
        }


def _is_current(coop: Cooperative, activity_id: str, month: Month) -> bool:
    for member in coop.members_of(activity_id):
        if member.joined <= month.last_day and (member.left is None or member.left >= month.first_day):
            return True
    return False


def plan_close(coop: Cooperative, figures: LedgerFigures, month: Month) -> ClosePlan:
    """What closing ``month`` books, per activity. Pure; refusals are checked separately."""
    problems: list[Problem] = []
    payroll = in_force(coop.coop.payroll, month.last_day)
    activities = []
    for activity in sorted(coop.activities, key=lambda a: a.id):
        booked = figures.month_figures(activity.id, month)
        opening = figures.balance(activity.id, month.previous().last_day)
        pays: list[MemberPay] = []
        for member in sorted(coop.members_of(activity.id), key=lambda m: m.id):
            if payroll is None:
                if member.cesa_from is not None and member.cesa_from <= month.last_day:
                    problems.append(
                        Problem.of(
                            "close.no_payroll",
                            N_("no payroll rates in force on {day}; add a payroll entry in config/coop.yaml"),
                            day=month.last_day,
                        )
                    )
                continue
            pay = pay_for_month(
                member, payroll, month, overrides=activity_overrides(coop, activity.id, month.last_day)
            )
            if pay is not None:
                pays.append(pay)
        contribution = month_contribution(coop, figures, activity.id, month, booked.revenue)
        if not (
            pays
            or opening
            or booked.revenue
            or booked.expenses
            or booked.equity
            or _is_current(coop, activity.id, month)
        ):
            continue
        activities.append(
            ActivityClose(
                activity_id=activity.id,
                name=activity.name,
                establishment=activity.establishment,
                revenue=booked.revenue,
                expenses=booked.expenses,
                contribution_rate=contribution.rate,
                contribution=contribution.amount,
                contribution_rule=contribution.rule,
                opening_balance=opening,
                members=tuple(pays),
                cap_months=coop.coop.treasury.advance_cap_months,
                equity=booked.equity,
                hand_contribution=booked.contribution,
                hand_salary_cost=booked.salary_cost,
            )
        )
    return ClosePlan(month, coop.coop.currency, tuple(activities), tuple(problems))


def bonus_refusals(plan: ClosePlan) -> list[Problem]:
    """A bonus is paid only out of the activity's own reserve: refuse one that leaves it negative."""
    problems = []
    for activity in plan.activities:
        if activity.closing_balance >= 0:
            continue
        available = activity.closing_balance + sum((m.bonus_cost for m in activity.members), ZERO)
        for pay in activity.members:
            if pay.bonus:
                problems.append(
                    Problem.of(
                        "close.bonus_overdraws",
                        N_(
                            "{member}: the bonus of {bonus} in {month} would leave {activity} at "
                            "{closing}; a bonus is paid only out of the activity's own reserve, and "
                            "{available} is available (this bonus costs {cost} with employer "
                            "contributions). Lower or move the bonus in config/members.yaml"
                        ),
                        member=pay.member_id,
                        bonus=fmt_amount(pay.bonus),
                        month=str(plan.month),
                        activity=activity.activity_id,
                        closing=fmt_amount(activity.closing_balance),
                        available=fmt_amount(max(available, ZERO)),
                        cost=fmt_amount(pay.bonus_cost),
                    )
                )
    return problems


def default_close_month(figures: LedgerFigures, today: datetime.date) -> Month:
    """The first month still open: after the last closed one, else the ledger's first month."""
    if figures.last_closed is not None:
        return figures.last_closed.next()
    if figures.first_date is not None:
        return Month.of(figures.first_date)
    return Month.of(today).previous()


def close_refusals(figures: LedgerFigures, month: Month, today: datetime.date) -> list[Problem]:
    """Why ``month`` cannot be closed on ``today`` (empty when it can)."""
    if month in figures.closed:
        marker = figures.closed[month]
        return [
            Problem.of(
                "month_closed",
                N_("{month} is already closed; post any correction in the open month"),
                file=marker.file,
                line=marker.line,
                month=month,
            )
        ]
    if today <= month.last_day:
        return [
            Problem.of(
                "month_not_ended",
                N_("{month} has not ended yet (it ends on {day}); close it from the day after"),
                month=month,
                day=month.last_day,
            )
        ]
    last = figures.last_closed
    if last is not None:
        if month < last:
            return [
                Problem.of(
                    "month_before_last_closed",
                    N_("{month} is before the last closed month {last}; months close in order"),
                    month=month,
                    last=last,
                )
            ]
        if month != last.next():
            return [
                Problem.of(
                    "month_out_of_order",
                    N_("{open} is still open; months close in order, close {open} first"),
                    open=last.next(),
                )
            ]
    return []


@dataclass(frozen=True)
class PlannedTransaction:
    """One transaction a close books: its narration, metadata and postings (account, amount)."""

    narration: str
    meta: tuple[tuple[str, str], ...]
    postings: tuple[tuple[str, Decimal], ...]


def plan_transactions(plan: ClosePlan) -> list[PlannedTransaction]:
    """The transactions closing ``plan.month`` books, in the closing file's order."""
    month = str(plan.month)
    out = []
    for activity in plan.activities:
        act = activity.activity_id
        if activity.contribution:
            out.append(
                PlannedTransaction(
                    f"Contribution coopérative {month}",
                    (("close", month), ("activity", act)),
                    (
                        (f"Expenses:Activity:{act}:Contribution", activity.contribution),
                        ("Income:Coop:Contribution", -activity.contribution),
                    ),
                )
            )
        for pay in activity.members:
            meta = (("close", month), ("member", pay.member_id)) + (
                (("bonus", f"{pay.bonus:.2f}"),) if pay.bonus else ()
            )
            out.append(
                PlannedTransaction(
                    f"Salaire {month} — {pay.name}",
                    meta,
                    (
                        (f"Expenses:Activity:{act}:Salary:Gross", pay.gross),
                        (f"Expenses:Activity:{act}:Salary:Employer", pay.employer_contributions),
                        ("Liabilities:Payroll:Net", -pay.net),
                        ("Liabilities:Payroll:Social", -pay.social),
                    ),
                )
            )
    return out
