"""What the core reads of a ledger: per activity and day, the change of its balance by kind, and the
months and years closed. Plain values, filled by ``adapter.ledger`` (or the cache) and read by the core.
"""

from __future__ import annotations

import bisect
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from coopctl.domain.money import ZERO
from coopctl.domain.months import Month

FINGERPRINTS_PER_LINE = 1000  # a day's fingerprints per marker line: 11 bytes each, far under the line limit


def marker_day_key(key: str) -> str | None:
    """``"dNN"`` for a close marker's key of day NN's fingerprints (``dNN``, then ``dNN_2``, ``dNN_3``…
    on a day with more than FINGERPRINTS_PER_LINE entries), else None."""
    if (
        len(key) >= 3
        and key[0] == "d"
        and key[1:3].isdigit()
        and (len(key) == 3 or (key[3] == "_" and key[4:].isdigit() and len(key) > 4))
    ):
        return key[:3]
    return None


@dataclass
class DayFigures:
    """Amounts of one activity on one day, each with the sign a treasurer reads."""

    revenue: Decimal = ZERO  # −Σ Income:Activity:A…
    expenses: Decimal = ZERO  # Σ Expenses:Activity:A… other than Contribution and Salary
    contribution: Decimal = ZERO  # Σ Expenses:Activity:A:Contribution…
    salary_cost: Decimal = ZERO  # Σ Expenses:Activity:A:Salary…
    equity: Decimal = ZERO  # −Σ Equity:Activity:A… (reserve brought in)

    @property
    def balance_change(self) -> Decimal:
        return self.revenue - self.expenses - self.contribution - self.salary_cost + self.equity

    def add(self, other: "DayFigures") -> None:
        self.revenue += other.revenue
        self.expenses += other.expenses
        self.contribution += other.contribution
        self.salary_cost += other.salary_cost
        self.equity += other.equity


@dataclass(frozen=True)
class CloseMarker:
    """The ``custom "coopctl-close"`` directive of a closed month, and what it recorded."""

    file: str | None
    line: int | None
    meta: dict[str, Any]

    @property
    def fingerprints(self) -> dict[str, list[str]] | None:
        """Recorded fingerprints by day, or None for a marker written without them."""
        if "sources" not in self.meta:
            return None
        days: dict[str, list[str]] = {}
        for key, value in self.meta.items():
            day = marker_day_key(key)
            if day is not None:
                days.setdefault(day, []).extend(str(value).split())
        return days  # keyed "dNN"; the caller knows the month

    @property
    def include_added(self) -> bool:
        return bool(self.meta.get("include_added"))


@dataclass(frozen=True)
class BookedSalary:
    member: str
    activity: str
    gross: Decimal
    employer: Decimal
    net: Decimal
    social: Decimal
    bonus: Decimal = ZERO


@dataclass
class LedgerFigures:
    """What the core reads from a ledger."""

    days: dict[str, dict[datetime.date, DayFigures]] = field(default_factory=lambda: defaultdict(dict))
    receivables: dict[str, dict[datetime.date, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    # the cooperative's own accounts (not an activity's), in the coop's currency, by day
    accounts: dict[str, dict[datetime.date, Decimal]] = field(default_factory=lambda: defaultdict(dict))
    activity_accounts: set[str] = field(
        default_factory=set
    )  # the activities' accounts seen (their amounts are in days)
    foreign: set[str] = field(default_factory=set)  # accounts with postings in another currency
    closed: dict[Month, CloseMarker] = field(default_factory=dict)
    closed_years: dict[int, CloseMarker] = field(default_factory=dict)
    # a year-scoped load (only the current year, opening from the reserves): the year it opens after,
    # and each activity's run of months in deficit at that year's end
    opened_after: int | None = None
    carried_deficit: dict[str, int] = field(default_factory=dict)
    booked_salaries: dict[Month, list[BookedSalary]] = field(default_factory=lambda: defaultdict(list))
    # each activity expense sub-account's postings by day (``Expenses:Activity:A:Purchases``...), other than
    # Contribution and Salary: what a gross-margin contribution subtracts (``purchases``)
    activity_expenses: dict[str, dict[datetime.date, Decimal]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    open_accounts: set[str] = field(default_factory=set)
    first_date: datetime.date | None = None
    last_date: datetime.date | None = None

    # Month-level aggregates: month-end questions (closes, reports, the treasury at a month's end)
    # never need the daily rows; a cache may provide them ready-made (``provided_monthly``).

    def _monthly_days(self, activity: str) -> tuple[list[int], list[DayFigures], list[Decimal]]:
        """Sorted month keys (year × 12 + month − 1), each month's figures, and the balance at each month's
        end."""
        cache = self.__dict__.setdefault("_monthly_cache", {})
        if ("days", activity) not in cache:
            provided = self.__dict__.get("provided_monthly")
            if provided is not None:
                rows = json.loads(provided["days"].get(activity) or "[]")
                keys, sums = [r[0] for r in rows], [DayFigures(*(Decimal(x) for x in r[1:])) for r in rows]
            else:
                by_month: dict[int, DayFigures] = {}
                for day, figures in self.days.get(activity, {}).items():
                    if not any(
                        (
                            figures.revenue,
                            figures.expenses,
                            figures.contribution,
                            figures.salary_cost,
                            figures.equity,
                        )
                    ):
                        continue  # a day of zeros: the cache keeps no row for it, nor does the month here
                    total = by_month.setdefault(day.year * 12 + day.month - 1, DayFigures())
                    total.add(figures)
                keys = sorted(by_month)
                sums = [by_month[k] for k in keys]
            running: list[Decimal] = []
            balance = ZERO
            for month_figures in sums:
                balance += month_figures.balance_change
                running.append(balance)
            cache[("days", activity)] = (keys, sums, running)
        found: tuple[list[int], list[DayFigures], list[Decimal]] = cache[("days", activity)]
        return found

    def _monthly_amounts(self, kind: str, key: str) -> tuple[list[int], list[Decimal]]:
        """For an account (kind "accounts") or an activity's receivables: month keys and the running total
        at each month's end."""
        cache = self.__dict__.setdefault("_monthly_cache", {})
        if (kind, key) not in cache:
            provided = self.__dict__.get("provided_monthly")
            if provided is not None:
                rows = json.loads(provided[kind].get(key) or "[]")
                keys, amounts = [r[0] for r in rows], [Decimal(r[1]) for r in rows]
            else:
                by_month: dict[int, Decimal] = {}
                for day, amount in getattr(self, kind).get(key, {}).items():
                    if not amount:
                        continue  # a day of zero: the cache keeps no row for it, nor does the month here
                    month_key = day.year * 12 + day.month - 1
                    by_month[month_key] = by_month.get(month_key, ZERO) + amount
                keys = sorted(by_month)
                amounts = [by_month[k] for k in keys]
            running: list[Decimal] = []
            total = ZERO
            for amount in amounts:
                total += amount
                running.append(total)
            cache[(kind, key)] = (keys, running)
        found: tuple[list[int], list[Decimal]] = cache[(kind, key)]
        return found

    @staticmethod
    def _is_month_end(day: datetime.date) -> bool:
        return (day + datetime.timedelta(days=1)).day == 1

    def _index(self, activity: str) -> tuple[list[datetime.date], list[Decimal]]:
        """Sorted days of an activity and the running balance after each (built once, for mid-month dates)."""
        cache = self.__dict__.setdefault("_index_cache", {})
        if activity not in cache:
            book = self.days.get(activity, {})
            days = sorted(book)
            running: list[Decimal] = []
            total = ZERO
            for day in days:
                total += book[day].balance_change
                running.append(total)
            cache[activity] = (days, running)
        found: tuple[list[datetime.date], list[Decimal]] = cache[activity]
        return found

    def month_figures(self, activity: str, month: Month, until: datetime.date | None = None) -> DayFigures:
        """The activity's figures summed over ``month`` (up to ``until`` when given)."""
        if until is None or until >= month.last_day:
            keys, sums, _ = self._monthly_days(activity)
            index = bisect.bisect_left(keys, month.year * 12 + month.month - 1)
            if index < len(keys) and keys[index] == month.year * 12 + month.month - 1:
                found = DayFigures()
                found.add(sums[index])
                return found
            return DayFigures()
        days, _ = self._index(activity)
        total = DayFigures()
        book = self.days.get(activity, {})
        for index in range(bisect.bisect_left(days, month.first_day), bisect.bisect_right(days, until)):
            total.add(book[days[index]])
        return total

    def balance(self, activity: str, as_of: datetime.date) -> Decimal:
        if self._is_month_end(as_of):
            keys, _, running = self._monthly_days(activity)
            index = bisect.bisect_right(keys, as_of.year * 12 + as_of.month - 1)
            return running[index - 1] if index else ZERO
        days, running = self._index(activity)
        index = bisect.bisect_right(days, as_of)
        return running[index - 1] if index else ZERO

    def _amount_at(self, kind: str, key: str, as_of: datetime.date) -> Decimal:
        if self._is_month_end(as_of):
            keys, running = self._monthly_amounts(kind, key)
            index = bisect.bisect_right(keys, as_of.year * 12 + as_of.month - 1)
            return running[index - 1] if index else ZERO
        return sum((amount for day, amount in getattr(self, kind).get(key, {}).items() if day <= as_of), ZERO)

    def receivable(self, activity: str, as_of: datetime.date) -> Decimal:
        return self._amount_at("receivables", activity, as_of)

    def account_balance(self, prefix: str, as_of: datetime.date) -> Decimal:
        """Σ up to ``as_of`` of the postings to ``prefix`` and its sub-accounts (whole components),
        for the cooperative's own accounts and the activities' receivables (what the treasury reads)."""
        cache = self.__dict__.setdefault("_prefix_cache", {})
        if as_of not in cache:
            totals: dict[str, Decimal] = {}

            def add(account: str, amount: Decimal) -> None:
                parts = account.split(":")
                for depth in range(1, len(parts) + 1):
                    key = ":".join(parts[:depth])
                    totals[key] = totals.get(key, ZERO) + amount

            for account in list(self.accounts.keys()):
                add(account, self._amount_at("accounts", account, as_of))
            for activity in list(self.receivables.keys()):
                add(f"Assets:Receivable:{activity}", self.receivable(activity, as_of))
            if len(cache) > 64:
                cache.clear()
            cache[as_of] = totals
        amount: Decimal = cache[as_of].get(prefix, ZERO)
        return amount

    def purchases(self, activity: str, month: Month, sub_accounts: tuple[str, ...] | list[str]) -> Decimal:
        """Σ in ``month`` of the postings to ``Expenses:Activity:<activity>:<sub>`` (and its sub-accounts,
        whole components) for each ``sub`` of ``sub_accounts``."""
        prefixes = [f"Expenses:Activity:{activity}:{sub}" for sub in sub_accounts]
        total = ZERO
        for account in list(self.activity_expenses.keys()):
            if not any(account == p or account.startswith(p + ":") for p in prefixes):
                continue
            for day, amount in self.activity_expenses[account].items():
                if month.first_day <= day <= month.last_day:
                    total += amount
        return total

    def first_month(self, activity: str) -> Month | None:
        days = self.days.get(activity)
        return Month.of(min(days)) if days else None

    @property
    def last_closed(self) -> Month | None:
        candidates = list(self.closed)
        candidates += [Month(year, 12) for year in self.closed_years]
        if self.opened_after is not None:
            candidates.append(Month(self.opened_after, 12))
        return max(candidates) if candidates else None

    def is_closed(self, month: Month) -> bool:
        """A closed month, including one of a year that a year-scoped load did not read."""
        return month in self.closed or (self.opened_after is not None and month.year <= self.opened_after)
