"""The pooled treasury [trésorerie mutualisée]: the cooperative's cash against what it owes and carries. Pure.

Lines (all from account balances at a date, as positive amounts where they are owed):

    cash               = Σ Assets:Bank
    taxes_due          = −Σ Liabilities:VAT, Liabilities:Payroll:Social, Liabilities:Tax
    salaries_due       = −Σ Liabilities:Payroll:Net
    suppliers_due      = −Σ Liabilities:Payable, Liabilities:ExpenseClaims (members' expense claims not
                         yet paid back: owed like a supplier's invoice)
    reference_treasury = cash − taxes_due − salaries_due − suppliers_due
    receivables        = Σ Assets:Receivable
    future_treasury    = reference_treasury + receivables
    reserves           = Σ positive activity balances;  advances = Σ negative ones, as a positive amount
    own_funds          = −Σ Income:Coop, Expenses:Coop, Equity:Coop
    coverage           = reference_treasury / reserves;  pool_use = advances / (reserves + own_funds)

When every account is one of those, double entry gives the identity
future_treasury = Σ activity balances + own_funds = reserves − advances + own_funds.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable, Sequence

from coopctl.core.close import advance_cap, advance_of, cap_alerts
from coopctl.core.payroll import activity_overrides, contract_pay
from coopctl.domain.accounts import balance_owner
from coopctl.domain.cooperative import Cooperative, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem

CONVENTIONAL_ACCOUNTS = (
    "Assets:Bank",
    "Assets:Receivable",
    "Liabilities:VAT",
    "Liabilities:Payroll:Social",
    "Liabilities:Payroll:Net",
    "Liabilities:Tax",
    "Liabilities:Payable",
    "Liabilities:ExpenseClaims",
    "Income:Activity",
    "Expenses:Activity",
    "Equity:Activity",
    "Income:Coop",
    "Expenses:Coop",
    "Equity:Coop",
)


def is_conventional(account: str) -> bool:
    return any(account == prefix or account.startswith(prefix + ":") for prefix in CONVENTIONAL_ACCOUNTS)


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A ratio to two decimals (half-up), or None when the denominator is not positive."""
    if denominator <= 0:
        return None
    return (numerator / denominator).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ActivityTreasury:
    id: str
    balance: Decimal
    monthly_salary_cost: Decimal
    advance_cap: Decimal
    receivables: Decimal
    months_in_deficit: int

    @property
    def advance(self) -> Decimal:
        return advance_of(self.balance)

    @property
    def runway_months(self) -> Decimal | None:
        if self.monthly_salary_cost <= 0:
            return None
        return (self.balance / self.monthly_salary_cost).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class TreasuryState:
    as_of: datetime.date
    cash: Decimal
    taxes_due: Decimal
    salaries_due: Decimal
    suppliers_due: Decimal
    receivables: Decimal
    own_funds: Decimal
    activities: tuple[ActivityTreasury, ...]
    alerts: tuple[Problem, ...]
    unconventional_accounts: tuple[str, ...]

    @property
    def reference_treasury(self) -> Decimal:
        return self.cash - self.taxes_due - self.salaries_due - self.suppliers_due

    @property
    def future_treasury(self) -> Decimal:
        return self.reference_treasury + self.receivables

    @property
    def reserves(self) -> Decimal:
        return sum((a.balance for a in self.activities if a.balance > 0), ZERO)

    @property
    def advances(self) -> Decimal:
        return sum((a.advance for a in self.activities), ZERO)

    @property
    def coverage(self) -> Decimal | None:
        return ratio(self.reference_treasury, self.reserves)

    @property
    def pool_use(self) -> Decimal | None:
        return ratio(self.advances, self.reserves + self.own_funds)

    @property
    def identity_gap(self) -> Decimal:
        """future_treasury − (Σ activity balances + own_funds): zero when the ledger follows the
        conventions."""
        return self.future_treasury - (self.reserves - self.advances + self.own_funds)


def monthly_salary_cost(coop: Cooperative, activity_id: str, day: datetime.date) -> Decimal:
    """The full monthly cost of the salaries in force on ``day`` (gross + employer contributions)."""
    payroll = in_force(coop.coop.payroll, day)
    total = ZERO
    overrides = activity_overrides(coop, activity_id, day)
    for member in coop.members_of(activity_id):
        if member.phase_on(day) != "CESA":
            continue
        entry = in_force(member.salary, day)
        if entry is None or payroll is None:
            continue
        total += contract_pay(member.id, member.name, payroll, entry.gross, entry.hours, overrides).cost
    return total


def _balance_of(
    balance: Callable[[str, datetime.date], Decimal], activity: str, day: datetime.date
) -> Decimal:
    return balance(activity, day)


def _months_in_deficit(
    closed: list[Month], balance_at: Callable[[datetime.date], Decimal], carried: int = 0
) -> int:
    """Closed months in deficit in a row up to the last; ``carried``: the run at the start of a year-scoped
    load."""
    count = 0
    for month in reversed(closed):
        if balance_at(month.last_day) < 0:
            count += 1
        else:
            return count
    return count + carried


def activity_treasury(
    coop: Cooperative, figures: LedgerFigures, activity_id: str, as_of: datetime.date
) -> ActivityTreasury:
    """One activity's treasury lines on ``as_of`` (what a member's balance shows), without the whole state."""
    cost = monthly_salary_cost(coop, activity_id, as_of)
    closed = [m for m in sorted(figures.closed) if m.last_day <= as_of]
    return ActivityTreasury(
        activity_id,
        figures.balance(activity_id, as_of),
        cost,
        advance_cap(coop.coop.treasury.advance_cap_months, cost),
        figures.receivable(activity_id, as_of),
        _months_in_deficit(
            closed, lambda day: figures.balance(activity_id, day), figures.carried_deficit.get(activity_id, 0)
        ),
    )


def treasury_state(
    coop: Cooperative,
    figures: LedgerFigures,
    as_of: datetime.date,
    pending: Sequence[tuple[str, Decimal]] = (),
    pending_month: Month | None = None,
) -> TreasuryState:
    """The treasury on ``as_of``; ``pending`` postings (a close not yet written, for ``pending_month``) are
    counted in."""
    extra: dict[str, Decimal] = {}
    extra_by_prefix: dict[str, Decimal] = {}  # pending amounts rolled up to every ancestor account, once
    for account, amount in pending:
        extra[account] = extra.get(account, ZERO) + amount
        parts = account.split(":")
        for depth in range(1, len(parts) + 1):
            key = ":".join(parts[:depth])
            extra_by_prefix[key] = extra_by_prefix.get(key, ZERO) + amount

    def balance(prefix: str) -> Decimal:
        return figures.account_balance(prefix, as_of) + extra_by_prefix.get(prefix, ZERO)

    pending_by_activity: dict[str, Decimal] = {}
    for account, amount in extra.items():
        owner = balance_owner(account)
        if owner is not None:
            pending_by_activity[owner] = pending_by_activity.get(owner, ZERO) + amount

    def activity_balance(activity_id: str, day: datetime.date) -> Decimal:
        value = figures.balance(activity_id, day)
        if day >= as_of:
            value -= pending_by_activity.get(activity_id, ZERO)
        return value

    closed = sorted(set(figures.closed) | ({pending_month} if pending_month else set()))
    closed = [m for m in closed if m.last_day <= as_of]
    policy = coop.coop.treasury
    activities = []
    for activity in sorted(coop.activities, key=lambda a: a.id):
        cost = monthly_salary_cost(coop, activity.id, as_of)
        deficit = _months_in_deficit(
            closed,
            functools.partial(_balance_of, activity_balance, activity.id),
            figures.carried_deficit.get(activity.id, 0),
        )
        activities.append(
            ActivityTreasury(
                activity.id,
                activity_balance(activity.id, as_of),
                cost,
                advance_cap(policy.advance_cap_months, cost),
                balance(f"Assets:Receivable:{activity.id}"),
                deficit,
            )
        )
    state = TreasuryState(
        as_of=as_of,
        cash=balance("Assets:Bank"),
        taxes_due=-(
            balance("Liabilities:VAT") + balance("Liabilities:Payroll:Social") + balance("Liabilities:Tax")
        ),
        salaries_due=-balance("Liabilities:Payroll:Net"),
        suppliers_due=-(balance("Liabilities:Payable") + balance("Liabilities:ExpenseClaims")),
        receivables=balance("Assets:Receivable"),
        own_funds=-(balance("Income:Coop") + balance("Expenses:Coop") + balance("Equity:Coop")),
        activities=tuple(activities),
        alerts=(),
        unconventional_accounts=tuple(
            sorted(
                a
                for a in set(figures.accounts) | figures.activity_accounts | figures.foreign
                if not is_conventional(a) or a in figures.foreign
            )
        ),
    )
    return _with_alerts(coop, state)


def _with_alerts(coop: Cooperative, state: TreasuryState) -> TreasuryState:
    policy = coop.coop.treasury
    alerts: list[Problem] = []
    for a in state.activities:
        alerts += cap_alerts(a.id, a.advance, policy.advance_cap_months, a.monthly_salary_cost)
        if a.months_in_deficit >= policy.deficit_months_alert:
            alerts.append(
                Problem.of(
                    "deficit_months",
                    N_("{activity}: in deficit for {count} closed months in a row (alert from {threshold})"),
                    severity="warning",
                    activity=a.id,
                    count=a.months_in_deficit,
                    threshold=policy.deficit_months_alert,
                )
            )
    if state.pool_use is not None and state.pool_use > policy.pool_use_limit:
        alerts.append(
            Problem.of(
                "pool_use_over_limit",
                N_(
                    "pool use {ratio} is over its limit {limit}: advances {advances} "
                    "against reserves and own funds {base}"
                ),
                severity="warning",
                ratio=str(state.pool_use),
                limit=str(policy.pool_use_limit),
                advances=state.advances,
                base=state.reserves + state.own_funds,
            )
        )
    if state.coverage is not None and state.coverage < policy.min_coverage:
        alerts.append(
            Problem.of(
                "coverage_under_minimum",
                N_(
                    "coverage {ratio} is under its minimum {minimum}: reference "
                    "treasury {treasury} for reserves of {reserves}"
                ),
                severity="warning",
                ratio=str(state.coverage),
                minimum=str(policy.min_coverage),
                treasury=state.reference_treasury,
                reserves=state.reserves,
            )
        )
    if state.reference_treasury < 0:
        alerts.append(
            Problem.of(
                "reference_treasury_negative",
                N_("reference treasury {amount} is negative: the cash at hand does not cover what is due"),
                severity="warning",
                amount=state.reference_treasury,
            )
        )
    return dataclasses.replace(state, alerts=tuple(alerts))
