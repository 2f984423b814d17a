"""A CESA member's salary for one month, to the cent.

Gross is prorated by calendar days when the CESA phase starts or ends inside the
month (``left`` is the last day worked), and, when a salary amendment takes
effect inside the month, each day is paid at the amendment in force that day:
gross = Σ amendment.gross × days / days in month, rounded once. A whole month
under one amendment is paid exactly its gross. Contributions are then rounded
half-up from the rounded gross.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopctl.domain.cooperative import Member, PayrollEntry, in_force
from coopctl.domain.money import ZERO, round_cent
from coopctl.domain.months import Month


@dataclass(frozen=True)
class MemberPay:
    member_id: str
    name: str
    phase: str
    days: int
    hours: Decimal
    gross: Decimal  # the month's whole gross: salary (prorated) + bonus
    employer_contributions: Decimal
    employee_contributions: Decimal
    employer_rate: Decimal
    bonus: Decimal = ZERO
    bonus_cost: Decimal = ZERO  # what the bonus adds to the cost, employer contributions included

    @property
    def salary_gross(self) -> Decimal:
        return self.gross - self.bonus

    @property
    def net(self) -> Decimal:
        return self.gross - self.employee_contributions

    @property
    def cost(self) -> Decimal:
        return self.gross + self.employer_contributions

    @property
    def social(self) -> Decimal:
        return self.employer_contributions + self.employee_contributions


def cesa_days(member: Member, month: Month) -> tuple[datetime.date, datetime.date] | None:
    """First and last day of the month in the CESA phase, or None."""
    if member.cesa_from is None:
        return None
    start = max(member.cesa_from, month.first_day)
    end = month.last_day if member.left is None else min(member.left, month.last_day)
    return (start, end) if start <= end else None


def month_gross(member: Member, month: Month) -> tuple[Decimal, int, Decimal] | None:
    """(rounded gross, days paid, hours in force on the last paid day), or None when not paid."""
    span = cesa_days(member, month)
    if span is None:
        return None
    start, end = span
    days_paid = (end - start).days + 1
    total = ZERO
    day = start
    while day <= end:
        entry = in_force(member.salary, day)
        # the run of days under this same amendment
        following = [e.start for e in member.salary if day < e.start <= end]
        run_end = (min(following) - datetime.timedelta(days=1)) if following else end
        run_days = (run_end - day).days + 1
        if entry is not None:
            if run_days == month.days:
                total += entry.gross
            else:
                total += entry.gross * run_days / month.days
        day = run_end + datetime.timedelta(days=1)
    last_entry = in_force(member.salary, end)
    hours = last_entry.hours if last_entry is not None else ZERO
    return round_cent(total), days_paid, hours


def employer_rate_for(
    payroll: PayrollEntry, gross: Decimal, hours: Decimal, paid_fraction: Decimal = Decimal(1)
) -> Decimal:
    """The employer rate for a month's gross: flat, or interpolated on gross ÷ (SMIC × hours).

    ``paid_fraction`` (days paid ÷ days in the month) scales the SMIC base of a prorated month, so
    that a prorated salary keeps its contract's ratio. No intermediate rounding.
    """
    if payroll.employer_rate is not None:
        return payroll.employer_rate
    points = payroll.employer_rate_by_smic_ratio or []
    base = payroll.smic_hourly * hours * paid_fraction
    if base <= 0:
        return points[-1].rate
    ratio = gross / base
    if ratio <= points[0].ratio:
        return points[0].rate
    for low, high in zip(points, points[1:]):
        if ratio <= high.ratio:
            return low.rate + (high.rate - low.rate) * (ratio - low.ratio) / (high.ratio - low.ratio)
    return points[-1].rate


def contract_pay(
    member_id: str, name: str, payroll: PayrollEntry, gross: Decimal, hours: Decimal
) -> MemberPay:
    """A whole month of a contract (no proration, no bonus): the basis of salary costs in force and
    simulations."""
    rate = employer_rate_for(payroll, gross, hours)
    return MemberPay(
        member_id=member_id,
        name=name,
        phase="CESA",
        days=0,
        hours=hours,
        gross=gross,
        employer_contributions=round_cent(gross * rate),
        employee_contributions=round_cent(gross * payroll.employee_rate),
        employer_rate=rate,
    )


def bonus_in(member: Member, month: Month) -> Decimal:
    return sum((b.gross for b in member.bonuses if b.month == str(month)), ZERO)


def pay_for_month(
    member: Member, payroll: PayrollEntry, month: Month, with_bonus: bool = True
) -> MemberPay | None:
    gross_days = month_gross(member, month)
    if gross_days is None:
        return None
    salary, days, hours = gross_days
    bonus = bonus_in(member, month) if with_bonus else ZERO
    gross = salary + bonus
    rate = employer_rate_for(payroll, gross, hours, Decimal(days) / Decimal(month.days))
    pay = MemberPay(
        member_id=member.id,
        name=member.name,
        phase="CESA",
        days=days,
        hours=hours,
        gross=gross,
        employer_contributions=round_cent(gross * rate),
        employee_contributions=round_cent(gross * payroll.employee_rate),
        employer_rate=rate,
        bonus=bonus,
    )
    if bonus:
        without = pay_for_month(member, payroll, month, with_bonus=False)
        assert without is not None
        pay = dataclasses.replace(pay, bonus_cost=pay.cost - without.cost)
    return pay


def smic_minimum(payroll: PayrollEntry, hours: Decimal) -> Decimal:
    """The minimum monthly gross for the contract's hours."""
    return round_cent(payroll.smic_hourly * hours)
