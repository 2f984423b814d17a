"""What a salary (or a raise) would cost: the question every member asks their tutor. Pure."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from coopctl.core.payroll import MemberPay, activity_overrides, contract_pay, smic_minimum
from coopctl.domain.cooperative import Cooperative, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, CoopctlError

DEFAULT_HOURS = Decimal("151.67")  # a full-time month (35 h a week)


@dataclass(frozen=True)
class Simulation:
    month: Month
    activity_id: str
    pay: MemberPay  # the simulated salary, a whole month
    current_cost: Decimal  # the salary cost in force now (zero for a CAPE member)
    reserve: Decimal  # the activity's balance on the day of the simulation
    minimum_gross: Decimal

    @property
    def change(self) -> Decimal:
        return self.pay.cost - self.current_cost

    @property
    def months_covered(self) -> Decimal | None:
        """How many months of this salary cost the current reserve pays (one decimal), None without
        reserve."""
        if self.reserve <= 0 or self.pay.cost <= 0:
            return None
        return (self.reserve / self.pay.cost).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def simulate_salary(
    coop: Cooperative,
    figures: LedgerFigures,
    member_id: str,
    gross: Decimal,
    hours: Decimal | None,
    month: Month,
    as_of: datetime.date,
) -> Simulation:
    member = coop.member(member_id)
    payroll = in_force(coop.coop.payroll, month.last_day)
    if payroll is None:
        raise CoopctlError.of(
            "simulate.no_payroll",
            N_("no payroll rates in force in {month}; add a payroll entry in config/coop.yaml"),
            month=str(month),
        )
    current = in_force(member.salary, month.last_day) if member.phase_on(month.last_day) == "CESA" else None
    hours = hours if hours is not None else (current.hours if current is not None else DEFAULT_HOURS)
    current_cost = ZERO
    overrides = activity_overrides(coop, member.activity, month.last_day)
    if current is not None:
        current_cost = contract_pay(
            member.id, member.name, payroll, current.gross, current.hours, overrides
        ).cost
    return Simulation(
        month=month,
        activity_id=member.activity,
        pay=contract_pay(member.id, member.name, payroll, gross, hours, overrides),
        current_cost=current_cost,
        reserve=figures.balance(member.activity, as_of),
        minimum_gross=smic_minimum(payroll, hours),
    )
