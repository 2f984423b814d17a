"""A CESA member's salary for one month, to the cent.

Gross is prorated by calendar days when the CESA phase starts or ends inside the
month (``left`` is the last day worked), and, when a salary amendment takes
effect inside the month, each day is paid at the amendment in force that day:
gross = Σ amendment.gross × days / days in month, rounded once. A whole month
under one amendment is paid exactly its gross. Contributions are then rounded
half-up from the rounded gross: flat rates (or rates by SMIC ratio), or the payroll phase's contribution
lines (``lines_pay``) less the general reduction (RGDU), each line rounded to the cent.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Mapping

from coopctl.domain.cooperative import (
    Cooperative,
    Establishment,
    GeneralReduction,
    Member,
    PayrollEntry,
    in_force,
)
from coopctl.domain.money import ZERO, round_cent
from coopctl.domain.months import Month

ONE = Decimal(1)
CSG_SHARE = Decimal("0.9825")  # the CSG/CRDS base: 98.25% of gross (abattement pour frais professionnels)
T2_CEILINGS = 8  # tranche 2 runs from 1 to 8 ceilings
NO_CENTS = Decimal("0.00")
COEFFICIENT = Decimal("0.0001")  # the RGDU coefficient is rounded half-up to 4 decimals


@dataclass(frozen=True)
class LinePay:
    """One contribution line of a month's pay: its base and the employer's and employee's amounts."""

    code: str
    base: str | None  # gross, T1, T2, csg; None for a fixed amount
    base_amount: Decimal  # the base the rates apply to (unrounded); zero for a fixed amount
    employer_rate: Decimal | None
    employee_rate: Decimal | None
    employer: Decimal
    employee: Decimal


@dataclass(frozen=True)
class LinesPay:
    """The contribution lines of a month and the general reduction deducted from the employer's part."""

    lines: tuple[LinePay, ...]
    reduction_coefficient: Decimal
    general_reduction: Decimal

    @property
    def employer(self) -> Decimal:
        return sum((line.employer for line in self.lines), ZERO) - self.general_reduction

    @property
    def employee(self) -> Decimal:
        return sum((line.employee for line in self.lines), ZERO)


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
    lines: LinesPay | None = None  # the contribution lines, when the payroll phase lists them

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


RateOverrides = Mapping[str, tuple[Decimal | None, Decimal | None]]  # code -> (employer, employee)


def rate_overrides(
    establishment: Establishment | None, day: datetime.date
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """An establishment's own rates of contribution lines in force on ``day``:
    code -> (employer, employee)."""
    found: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    if establishment is None:
        return found
    for override in establishment.contribution_rates:
        if override.start <= day:
            found[override.code] = (override.employer, override.employee)
    return found


def activity_overrides(
    coop: Cooperative, activity_id: str, day: datetime.date
) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """The contribution rates of the establishment of an activity, in force on ``day``."""
    establishment_id = coop.activity(activity_id).establishment
    establishment = next((e for e in coop.coop.establishments if e.id == establishment_id), None)
    return rate_overrides(establishment, day)


def reduction_coefficient(reduction: GeneralReduction, smic_base: Decimal, gross: Decimal) -> Decimal:
    """The RGDU coefficient for a month: 0 at or above 3 × smic_base, else
    t_min + t_delta × (½ × (3 × smic_base / gross − 1))^exponent, capped at t_min + t_delta, rounded half-up
    to 4 decimals. The power of a non-integer exponent is computed with 50 significant digits, so the rounding
    to 4 decimals is stable."""
    if gross <= 0 or smic_base <= 0 or gross >= 3 * smic_base:
        return ZERO
    cap = reduction.t_min + reduction.t_delta
    with localcontext() as context:
        context.prec = 50
        x = (3 * smic_base / gross - 1) / 2
        coefficient = reduction.t_min + reduction.t_delta * x**reduction.exponent
        coefficient = min(coefficient, cap)
        return coefficient.quantize(COEFFICIENT, rounding=ROUND_HALF_UP)


def lines_pay(
    payroll: PayrollEntry,
    gross: Decimal,
    hours: Decimal,
    paid_fraction: Decimal = ONE,
    overrides: RateOverrides | None = None,
) -> LinesPay:
    """A month's contribution lines (the payroll phase lists them) and its general reduction.

    f = ``paid_fraction``: T1 = min(gross, ceiling × f); T2 = the part of gross above ceiling × f, up to
    8 × ceiling × f; csg = 0.9825 × gross + the employer amounts of the lines marked in_csg_base. Each
    amount is rounded half-up to the cent; fixed amounts are prorated by f. The reduction is C × gross,
    rounded to the cent, C computed on smic_base = smic_hourly × hours × f; it is never more than the
    employer's lines (it is deducted from contributions due, it cannot make them negative).
    """
    overrides = overrides or {}
    ceiling = (payroll.ceiling_monthly or ZERO) * paid_fraction
    bases = {
        "gross": gross,
        "T1": min(gross, ceiling),
        "T2": max(ZERO, min(gross, T2_CEILINGS * ceiling) - ceiling),
    }
    computed: dict[str, LinePay] = {}
    csg_extra = ZERO
    all_lines = payroll.contributions or []
    # the csg lines last: their base takes the employer amounts of the lines marked in_csg_base
    for line in sorted(all_lines, key=lambda line: line.base == "csg"):
        employer_rate, employee_rate = line.employer, line.employee
        if line.code in overrides:
            over_employer, over_employee = overrides[line.code]
            employer_rate = over_employer if over_employer is not None else employer_rate
            employee_rate = over_employee if over_employee is not None else employee_rate
        if line.base is None:
            base_amount = ZERO
        elif line.base == "csg":
            base_amount = CSG_SHARE * gross + csg_extra
        else:
            base_amount = bases[line.base]
        employer = round_cent(base_amount * employer_rate) if employer_rate is not None else NO_CENTS
        employee = round_cent(base_amount * employee_rate) if employee_rate is not None else NO_CENTS
        if line.employer_amount is not None:
            employer += round_cent(line.employer_amount * paid_fraction)
        if line.employee_amount is not None:
            employee += round_cent(line.employee_amount * paid_fraction)
        if line.in_csg_base:
            csg_extra += employer
        computed[line.code] = LinePay(
            line.code, line.base, base_amount, employer_rate, employee_rate, employer, employee
        )
    lines = tuple(computed[line.code] for line in all_lines)  # in the order of the config
    coefficient = ZERO
    reduction = NO_CENTS
    if payroll.general_reduction is not None:
        smic_base = payroll.smic_hourly * hours * paid_fraction
        coefficient = reduction_coefficient(payroll.general_reduction, smic_base, gross)
        employer_lines = sum((line.employer for line in lines), ZERO)
        reduction = min(round_cent(coefficient * gross), employer_lines)
    return LinesPay(lines, coefficient, reduction)


def _pay(
    member_id: str,
    name: str,
    payroll: PayrollEntry,
    gross: Decimal,
    hours: Decimal,
    days: int,
    paid_fraction: Decimal,
    overrides: RateOverrides | None,
    bonus: Decimal = ZERO,
) -> MemberPay:
    if payroll.contributions is not None:
        lines = lines_pay(payroll, gross, hours, paid_fraction, overrides)
        employer = lines.employer
        return MemberPay(
            member_id=member_id,
            name=name,
            phase="CESA",
            days=days,
            hours=hours,
            gross=gross,
            employer_contributions=employer,
            employee_contributions=lines.employee,
            employer_rate=employer / gross if gross else ZERO,
            bonus=bonus,
            lines=lines,
        )
    rate = employer_rate_for(payroll, gross, hours, paid_fraction)
    return MemberPay(
        member_id=member_id,
        name=name,
        phase="CESA",
        days=days,
        hours=hours,
        gross=gross,
        employer_contributions=round_cent(gross * rate),
        employee_contributions=round_cent(gross * (payroll.employee_rate or ZERO)),
        employer_rate=rate,
        bonus=bonus,
    )


def contract_pay(
    member_id: str,
    name: str,
    payroll: PayrollEntry,
    gross: Decimal,
    hours: Decimal,
    overrides: RateOverrides | None = None,
) -> MemberPay:
    """A whole month of a contract (no proration, no bonus): the basis of salary costs in force and
    simulations. ``overrides``: the rates of the establishment of the member's activity
    (``rate_overrides``)."""
    return _pay(member_id, name, payroll, gross, hours, 0, ONE, overrides)


def bonus_in(member: Member, month: Month) -> Decimal:
    return sum((b.gross for b in member.bonuses if b.month == str(month)), ZERO)


def pay_for_month(
    member: Member,
    payroll: PayrollEntry,
    month: Month,
    with_bonus: bool = True,
    overrides: RateOverrides | None = None,
) -> MemberPay | None:
    """A member's pay for a month: f = days paid ÷ days in the month prorates the SMIC base of the
    reduction, the ceiling and fixed amounts. ``overrides``: the establishment's rates
    (``rate_overrides``)."""
    gross_days = month_gross(member, month)
    if gross_days is None:
        return None
    salary, days, hours = gross_days
    bonus = bonus_in(member, month) if with_bonus else ZERO
    gross = salary + bonus
    fraction = Decimal(days) / Decimal(month.days)
    pay = _pay(member.id, member.name, payroll, gross, hours, days, fraction, overrides, bonus)
    if bonus:
        without = pay_for_month(member, payroll, month, with_bonus=False, overrides=overrides)
        assert without is not None
        pay = dataclasses.replace(pay, bonus_cost=pay.cost - without.cost)
    return pay


def smic_minimum(payroll: PayrollEntry, hours: Decimal) -> Decimal:
    """The minimum monthly gross for the contract's hours."""
    return round_cent(payroll.smic_hourly * hours)
