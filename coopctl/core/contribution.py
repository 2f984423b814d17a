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

Gross margin and fixed fee (issue 17, item 6), per schedule entry:

- ``base: gross_margin``: the month's base is revenue − purchases, the purchases being the month's
  postings to the activity's ``purchase_accounts`` sub-accounts (default ``Purchases``, ``Supplies``,
  ``Subcontracting``, each with its own sub-accounts). A month whose gross margin is negative has a base
  of 0: it pays nothing on the margin (no refund) and adds nothing (takes nothing) from the year-to-date
  base of tiers. Rate, tiers and exempt months apply to this base as they do to revenue.
- ``fixed_monthly``: added to every month's contribution that is not exempt, from the activity's start
  month on; in a partial first month (the activity starts after the 1st) it is prorated by calendar days
  as a salary is (fee × days from the start to the month's end / days in the month, rounded once to
  the cent). Not charged in an exempt month, nor in a month no member of the activity is in the
  cooperative.
- ``base: revenue`` without ``fixed_monthly`` is the rule above, unchanged, to the cent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from coopctl.domain.cooperative import (
    DEFAULT_PURCHASE_ACCOUNTS,
    Activity,
    ContributionEntry,
    Cooperative,
    Tier,
    in_force,
)
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
    base: str = "revenue"  # "revenue" or "gross_margin"
    fixed: Decimal = ZERO  # the fixed monthly fee included in ``amount``


def month_base(
    figures: LedgerFigures, activity_id: str, entry: ContributionEntry, month: Month, revenue: Decimal
) -> Decimal:
    """The month's contribution base under ``entry``: the revenue, or the gross margin floored at 0."""
    if entry.base != "gross_margin":
        return revenue
    accounts = entry.purchase_accounts or list(DEFAULT_PURCHASE_ACCOUNTS)
    return max(ZERO, revenue - figures.purchases(activity_id, month, accounts))


def fixed_fee(coop: Cooperative, activity: Activity, entry: ContributionEntry, month: Month) -> Decimal:
    """The month's fixed fee (not exempt months: the caller checks), prorated in a partial first month."""
    if entry.fixed_monthly is None or not entry.fixed_monthly:
        return ZERO
    members = coop.members_of(activity.id)
    if members and not any(
        m.joined <= month.last_day and (m.left is None or m.left >= month.first_day) for m in members
    ):
        return ZERO
    start = activity_start(coop, activity)
    if start is None or Month.of(start) < month:
        return entry.fixed_monthly
    if Month.of(start) > month:
        return ZERO
    days = month.days - start.day + 1
    return round_cent(entry.fixed_monthly * days / month.days)


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
    fixed = fixed_fee(coop, activity, entry, month)
    base = month_base(figures, activity_id, entry, month, revenue)
    if entry.tiers is None:
        assert entry.rate is not None
        return Contribution(
            "rate", entry.rate, round_cent(base * entry.rate) + fixed, base=entry.base, fixed=fixed
        )
    before = ZERO
    current = Month(month.year, 1)
    while current < month:
        if not is_exempt(start, entry.exempt_months, current):
            earlier = figures.month_figures(activity_id, current).revenue
            before += month_base(figures, activity_id, entry, current, earlier)
        current = current.next()
    after = before + base
    amount = round_cent(tiered_total(entry.tiers, after)) - round_cent(tiered_total(entry.tiers, before))
    return Contribution(
        "tiers", marginal_rate(entry.tiers, after), amount + fixed, before, after, entry.base, fixed
    )
