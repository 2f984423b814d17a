"""The contribution an activity pays for a month: a flat rate, or degressive tiers. Pure.

- ``rate``: round(revenue × rate), each month (DESIGN §5).
- ``tiers``: marginal rates on the calendar year-to-date revenue. With F the cumulative
  bracket function, a month pays round(F(YTD at month end)) − round(F(YTD at month start)),
  so a year's contributions add up to round(F(year's revenue)) and a credit note across a
  bracket boundary is refunded at the rates it was charged. A negative YTD uses the first rate.
- ``exempt_months``: the first N whole months after the activity's start pay nothing, and
  their revenue does not count in the year-to-date base. When the activity starts on the 1st,
  its first month is the first exempt month; otherwise the partial first month is exempt too.

An activity's ``contribution_rate`` overrides with a flat rate; its ``contribution`` schedule
overrides the cooperative's schedule.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopctl.domain.cooperative import Activity, ContributionEntry, Cooperative, Tier, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO, round_cent
from coopctl.domain.months import Month


def tiered_total(tiers: list[Tier], ytd: Decimal) -> Decimal:
    """F(ytd): the unrounded contribution on a year-to-date revenue under marginal tiers."""
    if ytd < 0:
        return ytd * tiers[0].rate
    total, lower = ZERO, ZERO
    for tier in tiers:
        upper = tier.up_to
        if upper is None or ytd <= upper:
            return total + (ytd - lower) * tier.rate
        total += (upper - lower) * tier.rate
        lower = upper
    return total


def marginal_rate(tiers: list[Tier], ytd: Decimal) -> Decimal:
    for tier in tiers:
        if tier.up_to is None or ytd <= tier.up_to:
            return tier.rate
    return tiers[-1].rate


def activity_start(coop: Cooperative, activity: Activity) -> datetime.date | None:
    if activity.started is not None:
        return activity.started
    joined = [m.joined for m in coop.members_of(activity.id)]
    return min(joined) if joined else None


def is_exempt(start: datetime.date | None, exempt_months: int, month: Month) -> bool:
    if start is None or exempt_months <= 0:
        return False
    first_whole = Month.of(start) if start.day == 1 else Month.of(start).next()
    last_exempt = first_whole
    for _ in range(exempt_months - 1):
        last_exempt = last_exempt.next()
    return Month.of(start) <= month <= last_exempt


@dataclass(frozen=True)
class Contribution:
    rule: str  # "rate", "tiers" or "exempt"
    rate: Decimal  # the flat rate, or the marginal rate where the year-to-date revenue ends
    amount: Decimal
    ytd_before: Decimal | None = None  # tiers only: the base at the month's start and end
    ytd_after: Decimal | None = None


def schedule_entry(coop: Cooperative, activity: Activity, month: Month) -> ContributionEntry | None:
    """The contribution rule in force for ``activity`` in ``month``: its own schedule's entry, or, before its
    own schedule starts (or without one), the cooperative's default."""
    own = in_force(activity.contribution, month.last_day) if activity.contribution is not None else None
    return own if own is not None else in_force(coop.coop.contribution, month.last_day)


def month_contribution(
    coop: Cooperative, figures: LedgerFigures, activity_id: str, month: Month, revenue: Decimal
) -> Contribution:
    """What ``activity_id`` pays for ``month`` on ``revenue`` (the month's revenue excl. VAT)."""
    activity = coop.activity(activity_id)
    if activity.contribution_rate is not None:
        return Contribution(
            "rate", activity.contribution_rate, round_cent(revenue * activity.contribution_rate)
        )
    entry = schedule_entry(coop, activity, month)
    if entry is None:
        return Contribution("rate", ZERO, ZERO)
    start = activity_start(coop, activity)
    if is_exempt(start, entry.exempt_months, month):
        return Contribution("exempt", ZERO, ZERO)
    if entry.tiers is None:
        assert entry.rate is not None
        return Contribution("rate", entry.rate, round_cent(revenue * entry.rate))
    before = ZERO
    current = Month(month.year, 1)
    while current < month:
        if not is_exempt(start, entry.exempt_months, current):
            before += figures.month_figures(activity_id, current).revenue
        current = current.next()
    after = before + revenue
    amount = round_cent(tiered_total(entry.tiers, after)) - round_cent(tiered_total(entry.tiers, before))
    return Contribution("tiers", marginal_rate(entry.tiers, after), amount, before, after)
