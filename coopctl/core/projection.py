"""The open month, projected: where an activity stands once the next close has booked its month. Pure.

The projection is the close plan's own figure (``core.close.plan_close``), so it is by construction what
``coopctl report`` shows for that open month and what ``close-month`` will book if nothing else is posted:
opening balance + revenue so far − expenses − the contribution on that revenue − the salary cost the
close will book (+ reserve brought in − contribution and salary booked by hand in the month).

The month projected is the first one still open (the month ``close-month`` closes next), when the day
asked is in it or after it; a day in a closed month has nothing to project.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopctl.core.close import default_close_month, plan_close
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO
from coopctl.domain.months import Month


@dataclass(frozen=True)
class Projection:
    month: Month
    opening_balance: Decimal
    revenue: Decimal
    expenses: Decimal
    contribution: Decimal
    salary_cost: Decimal
    other: Decimal  # reserve brought in − contribution and salary booked by hand in the month
    closing_balance: Decimal


def project_open_month(
    coop: Cooperative, figures: LedgerFigures, activity_id: str, as_of: datetime.date
) -> Projection | None:
    """The projected closing of ``activity_id`` for the first open month, or None when ``as_of`` is in a
    closed month (or before the first open one)."""
    month = default_close_month(figures, as_of)
    if figures.is_closed(month) or as_of < month.first_day:
        return None
    for item in plan_close(coop, figures, month).activities:
        if item.activity_id == activity_id:
            return Projection(
                month,
                item.opening_balance,
                item.revenue,
                item.expenses,
                item.contribution,
                item.salary_cost,
                item.equity - item.other_booked,
                item.closing_balance,
            )
    # nothing to book for the activity this month: it closes where it opens
    opening = figures.balance(activity_id, month.previous().last_day)
    return Projection(month, opening, ZERO, ZERO, ZERO, ZERO, ZERO, opening)
