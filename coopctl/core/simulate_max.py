"""What can I pay myself? The largest monthly gross an activity can afford over the months ahead. Pure.

available = the activity's balance now + N × its average monthly margin, the margin of a month being
revenue − expenses − contribution, averaged over the last 3 closed months (fewer when fewer are closed,
none when none is: then the balance alone). The average is rounded half-up to the cent, so that
balance + N × average = available exactly.

The answer is the largest gross, to the cent, whose monthly cost (gross + employer contributions, as the
payroll computation of ``core.simulate.simulate_salary`` gives it for a whole month of the contract)
× N is at most ``available``. It is found by bisection on whole cents, keeping the invariant "the lower
bound is covered, the upper bound is not": the gross returned is covered and one cent more is not.
Every payroll rule coopctl knows gives a cost that rises with the gross (so the answer is the largest
covered); ``largest_covered`` checks it on a grid above the answer, and if a configuration makes the cost
fall there, it scans down from its upper bound cent by cent instead.

The answer is 0.00 when available ≤ 0. It is compared with the minimum wage for the contract's hours
(SMIC × hours) when the payroll rates in force give a SMIC; otherwise it cannot tell.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Callable

from coopctl.core.simulate import Simulation, simulate_salary
from coopctl.domain.cooperative import Cooperative, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import CENT, ZERO, round_cent
from coopctl.domain.months import Month

MARGIN_MONTHS = 3  # closed months averaged
MAX_GROSS = Decimal("1000000.00")  # as the CLI's --gross: beyond, an answer means nothing
SCAN_LIMIT = 2_000_000  # cents scanned down at most when the cost is not monotone


@dataclass(frozen=True)
class MarginMonth:
    month: Month
    revenue: Decimal
    expenses: Decimal
    contribution: Decimal

    @property
    def margin(self) -> Decimal:
        return self.revenue - self.expenses - self.contribution


@dataclass(frozen=True)
class MaxSalary:
    member_id: str
    activity_id: str
    month: Month  # the month whose payroll rates apply
    as_of: datetime.date
    months: int  # N
    hours: Decimal
    balance: Decimal  # the activity's balance on as_of
    margins: tuple[MarginMonth, ...]  # the closed months averaged, oldest first
    average_margin: Decimal
    available: Decimal
    max_gross: Decimal
    cost: Decimal  # the monthly cost of max_gross
    net: Decimal  # its net
    minimum_gross: Decimal | None  # SMIC × hours, or None when the rates give no SMIC
    monotone: bool = True  # False: the cost fell somewhere; the answer came from a scan down

    @property
    def under_minimum(self) -> bool | None:
        if self.minimum_gross is None:
            return None
        return self.max_gross < self.minimum_gross


def last_closed_months(figures: LedgerFigures, count: int = MARGIN_MONTHS) -> list[Month]:
    """The last ``count`` closed months with books (oldest first); fewer when fewer are closed."""
    found: list[Month] = []
    month = figures.last_closed
    first = Month.of(figures.first_date) if figures.first_date is not None else None
    while month is not None and len(found) < count and figures.is_closed(month):
        if first is not None and month < first:
            break
        found.append(month)
        month = month.previous()
    return list(reversed(found))


def largest_covered(
    cost: Callable[[Decimal], Decimal], months: int, available: Decimal
) -> tuple[Decimal, bool]:
    """(the largest gross g, to the cent, with cost(g) × months ≤ available; whether the cost was found to
    rise as it should). cost(0) is taken as 0 (no salary).

    Bisection between 0 (covered) and an upper bound that is not covered (available ÷ months, as the cost
    is at least the gross, doubled while covered). Then a check of the rising cost: 64 grosses spread
    between the answer and the upper bound must not be covered; if one is, the cost falls somewhere and
    the answer is found by scanning down from the upper bound, cent by cent (exact, slower). A dip
    narrower than a 64th of that range could go unseen: every payroll rule coopctl knows gives a cost
    that rises with the gross.
    """
    if available <= 0:
        return ZERO, True
    limit = int(MAX_GROSS / CENT)

    def covered(cents: int) -> bool:
        return cents == 0 or cost(Decimal(cents) * CENT) * months <= available

    top = int((available / months / CENT).to_integral_value(rounding=ROUND_FLOOR)) + 1
    top = min(max(top, 1), limit)
    while covered(top) and top < limit:
        top = min(top * 2, limit)
    if covered(top):  # even the largest gross coopctl accepts is covered
        return Decimal(top) * CENT, True
    lo, hi = 0, top
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if covered(mid):
            lo = mid
        else:
            hi = mid
    grid = sorted({hi + (top - hi) * k // 64 for k in range(1, 64)} - {hi, top})
    if not any(covered(cents) for cents in grid):
        return Decimal(lo) * CENT, True
    for cents in range(top - 1, max(top - 1 - SCAN_LIMIT, lo), -1):
        if covered(cents):
            return Decimal(cents) * CENT, False
    return Decimal(lo) * CENT, False


def max_salary(
    coop: Cooperative,
    figures: LedgerFigures,
    member_id: str,
    months: int,
    hours: Decimal | None,
    month: Month,
    as_of: datetime.date,
) -> MaxSalary:
    """The largest gross ``member_id``'s activity can afford each month for ``months`` months."""

    def simulated(gross: Decimal) -> Simulation:
        return simulate_salary(coop, figures, member_id, gross, hours, month, as_of)

    reference = simulated(Decimal("1000.00"))  # the contract's hours, the balance, the minimum wage
    activity = reference.activity_id
    margins = tuple(
        MarginMonth(m, booked.revenue, booked.expenses, booked.contribution)
        for m in last_closed_months(figures)
        for booked in (figures.month_figures(activity, m),)
    )
    average = round_cent(sum((m.margin for m in margins), ZERO) / len(margins)) if margins else ZERO
    balance = reference.reserve
    available = balance + months * average
    best, monotone = largest_covered(lambda gross: simulated(gross).pay.cost, months, available)
    pay = simulated(best).pay if best > 0 else None
    payroll = in_force(coop.coop.payroll, month.last_day)
    has_smic = payroll is not None and getattr(payroll, "smic_hourly", None) is not None
    return MaxSalary(
        member_id=reference.pay.member_id,
        activity_id=activity,
        month=month,
        as_of=as_of,
        months=months,
        hours=reference.pay.hours,
        balance=balance,
        margins=margins,
        average_margin=average,
        available=available,
        max_gross=best,
        cost=pay.cost if pay is not None else ZERO,
        net=pay.net if pay is not None else ZERO,
        minimum_gross=reference.minimum_gross if has_smic else None,
        monotone=monotone,
    )
