"""What a salary (or a raise) would cost: the question every member asks their tutor. Pure."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ..config import Cooperative, in_force
from ..errors import CoopctlError
from ..ledger import LedgerFigures
from ..money import ZERO, round_cent
from ..months import Month
from .payroll import employer_rate_for, smic_minimum

DEFAULT_HOURS = Decimal("151.67")  # a full-time month (35 h a week)


@dataclass(frozen=True)
class Simulation:
    member_id: str
    activity_id: str
    month: Month
    gross: Decimal
    hours: Decimal
    employer_rate: Decimal
    employer_contributions: Decimal
    employee_contributions: Decimal
    current_cost: Decimal  # the salary cost in force now (zero for a CAPE member)
    reserve: Decimal  # the activity's balance on the day of the simulation
    minimum_gross: Decimal

    @property
    def net(self) -> Decimal:
        return self.gross - self.employee_contributions

    @property
    def cost(self) -> Decimal:
        return self.gross + self.employer_contributions

    @property
    def change(self) -> Decimal:
        return self.cost - self.current_cost

    @property
    def months_covered(self) -> Decimal | None:
        """How many months of this salary cost the current reserve pays (one decimal), None without reserve."""
        if self.reserve <= 0 or self.cost <= 0:
            return None
        return (self.reserve / self.cost).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def simulate_salary(coop: Cooperative, figures: LedgerFigures, member_id: str, gross: Decimal,
                    hours: Decimal | None, month: Month, as_of: datetime.date) -> Simulation:
    member = coop.member(member_id)
    payroll = in_force(coop.coop.payroll, month.last_day)
    if payroll is None:
        raise CoopctlError.one(f"no payroll rates in force in {month}; add a payroll entry in config/coop.yaml")
    current = in_force(member.salary, month.last_day) if member.phase_on(month.last_day) == "CESA" else None
    hours = hours if hours is not None else (current.hours if current is not None else DEFAULT_HOURS)
    rate = employer_rate_for(payroll, gross, hours)
    current_cost = ZERO
    if current is not None:
        current_rate = employer_rate_for(payroll, current.gross, current.hours)
        current_cost = current.gross + round_cent(current.gross * current_rate)
    return Simulation(
        member_id=member.id, activity_id=member.activity, month=month, gross=gross, hours=hours,
        employer_rate=rate, employer_contributions=round_cent(gross * rate),
        employee_contributions=round_cent(gross * payroll.employee_rate), current_cost=current_cost,
        reserve=figures.balance(member.activity, as_of), minimum_gross=smic_minimum(payroll, hours))
