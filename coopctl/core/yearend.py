"""The cooperative's year end: closing a year into equity, and the surplus split proposal. Pure.

``plan_year_close`` reads the booked entries up to 31 December and plans:

- per activity, one transaction moving the balance of each of its ``Income:Activity:A…`` and
  ``Expenses:Activity:A…`` accounts into ``Equity:Activity:A`` (the activity's reserve carries over
  exactly: its balance, −Σ Income, Expenses and Equity, does not change);
- one transaction moving every other income and expense account (the cooperative's own) into
  ``Equity:Coop:Result``; the amount moved is the cooperative's result for the year;
- the opening of the next year: every balance-sheet account's balance after those transfers,
  from which a load of the next year alone starts.

``surplus_proposal`` splits a positive result by the ``surplus`` policy of coop.yaml, and the
workers' share among the year's employees, each part rounded so the parts add up to the cent
(largest remainder).
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from coopctl.core.treasury import _balance_of, _months_in_deficit
from coopctl.domain.accounts import ACTIVITY_ACCOUNT_RE
from coopctl.domain.cooperative import Cooperative, SurplusPolicy, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem

COOP_RESULT_ACCOUNT = "Equity:Coop:Result"
SURPLUS_ACCOUNTS = {
    "legal_reserve": "Equity:Coop:Reserve:Legal",
    "development_fund": "Equity:Coop:Reserve:Development",
    "workers_share": "Liabilities:Payable:WorkersShare",
    "dividends": "Liabilities:Payable:Dividends",
}
CENT = Decimal("0.01")


@dataclass(frozen=True)
class YearTransfer:
    """One year-end transaction: the income and expense balances it zeroes, into one equity account."""

    owner: str  # an activity id, or "" for the cooperative's own accounts
    equity_account: str
    balances: tuple[tuple[str, Decimal], ...]  # (account, balance at 31 December), sorted by account

    @property
    def result(self) -> Decimal:
        """What the year left (revenue − expenses, as a treasurer reads it): what goes into equity."""
        return -sum((amount for _, amount in self.balances), ZERO)

    @property
    def postings(self) -> tuple[tuple[str, Decimal], ...]:
        return tuple((account, -amount) for account, amount in self.balances) + (
            (self.equity_account, -self.result),
        )


@dataclass(frozen=True)
class YearClosePlan:
    year: int
    currency: str
    activities: tuple[YearTransfer, ...]
    coop: YearTransfer | None
    opening: tuple[tuple[str, Decimal], ...]  # balance-sheet balances at the year's end, after the transfers
    deficit_runs: dict[str, int] = field(
        default_factory=dict
    )  # closed months in deficit in a row at year end

    @property
    def coop_result(self) -> Decimal:
        return self.coop.result if self.coop else ZERO

    @property
    def reserves(self) -> dict[str, Decimal]:
        """Each activity's reserve carried into the next year (its Equity:Activity balance)."""
        return {
            account.split(":")[2]: -amount
            for account, amount in self.opening
            if account.startswith("Equity:Activity:")
        }


def year_close_refusals(figures: LedgerFigures, year: int) -> list[Problem]:
    """Why ``year`` cannot be closed (empty when it can)."""
    if year in figures.closed_years:
        marker = figures.closed_years[year]
        return [
            Problem.of(
                "year_closed",
                N_("{year} is already closed (reopen it with coopctl reopen {year})"),
                file=marker.file,
                line=marker.line,
                year=year,
            )
        ]
    december = Month(year, 12)
    if december not in figures.closed:
        return [
            Problem.of(
                "december_open",
                N_("close {month} first: a year closes after its December (coopctl close-month {month})"),
                month=december,
            )
        ]
    return []


@dataclass(frozen=True)
class BookedPosting:
    """A posting of the ledger as the year's close reads it (the adapter makes these from Beancount
    entries)."""

    date: datetime.date
    account: str
    currency: str
    number: Decimal
    at_cost: bool = False
    file: str | None = None
    line: int | None = None


def _account_balances(
    postings: list[BookedPosting], until: datetime.date
) -> tuple[dict[tuple[str, str], Decimal], list[Problem]]:
    """Σ units by (account, currency) of the postings dated up to ``until``; positions at cost are refused.
    (The caller leaves the close of the year itself out, when it is booked already.)"""
    totals: dict[tuple[str, str], Decimal] = {}
    problems: list[Problem] = []
    for posting in postings:
        if posting.date > until:
            continue
        if posting.at_cost and posting.account.split(":")[0] in ("Assets", "Liabilities", "Equity"):
            problems.append(
                Problem.of(
                    "close_year.at_cost",
                    N_("{account} holds a position at cost; close-year carries plain amounts only"),
                    file=posting.file,
                    line=posting.line,
                    account=posting.account,
                )
            )
        key = (posting.account, posting.currency)
        totals[key] = totals.get(key, ZERO) + posting.number
    return totals, problems


def plan_year_close(
    coop: Cooperative, postings: list[BookedPosting], figures: LedgerFigures, year: int
) -> tuple[YearClosePlan, list[Problem]]:
    """The year-end transfers of ``year`` and the next year's opening balances (pure)."""
    known = {a.id for a in coop.activities}
    currency = coop.coop.currency
    end = datetime.date(year, 12, 31)
    before, problems = _account_balances(postings, datetime.date(year - 1, 12, 31))
    left_over = sorted(
        account
        for (account, _), amount in before.items()
        if amount and account.split(":")[0] in ("Income", "Expenses")
    )
    if left_over:
        problems.append(
            Problem.of(
                "close_year.earlier_open",
                N_(
                    "income and expenses before {year} are not closed into equity ({accounts}): close-year "
                    "{previous} first"
                ),
                year=year,
                accounts=left_over[0] + (" …" if len(left_over) > 1 else ""),
                previous=year - 1,
            )
        )
    totals, found = _account_balances(postings, end)
    problems += found
    by_owner: dict[str, list[tuple[str, Decimal]]] = {}
    for (account, unit), amount in sorted(totals.items()):
        if not amount or account.split(":")[0] not in ("Income", "Expenses"):
            continue
        if unit != currency:
            problems.append(
                Problem.of(
                    "close_year.foreign",
                    N_("{account} holds {amount} {unit}; close-year carries {currency} only"),
                    account=account,
                    amount=str(amount),
                    unit=unit,
                    currency=currency,
                )
            )
            continue
        match = ACTIVITY_ACCOUNT_RE.match(account)
        owner = match.group(2) if match and match.group(2) in known else ""
        by_owner.setdefault(owner, []).append((account, amount))
    activities = tuple(
        YearTransfer(owner, f"Equity:Activity:{owner}", tuple(rows))
        for owner, rows in sorted(by_owner.items())
        if owner
    )
    coop_rows = by_owner.get("")
    coop_transfer = YearTransfer("", COOP_RESULT_ACCOUNT, tuple(coop_rows)) if coop_rows else None
    after: dict[tuple[str, str], Decimal] = {
        k: v for k, v in totals.items() if k[0].split(":")[0] in ("Assets", "Liabilities", "Equity")
    }
    for transfer in (*activities, *([coop_transfer] if coop_transfer else [])):
        key = (transfer.equity_account, currency)
        after[key] = after.get(key, ZERO) - transfer.result
    sums: dict[str, Decimal] = {}
    for (account, unit), amount in after.items():
        sums[unit] = sums.get(unit, ZERO) + amount
        if unit != currency and amount:
            problems.append(
                Problem.of(
                    "close_year.foreign_at_end",
                    N_(
                        "{account} holds {amount} {unit} at the end of {year}; close-year carries "
                        "{currency} only"
                    ),
                    account=account,
                    amount=str(amount),
                    unit=unit,
                    year=year,
                    currency=currency,
                )
            )
    if any(sums.values()) and not problems:
        problems.append(
            Problem.of(
                "close_year.unbalanced",
                N_("the balance sheet at the end of {year} does not balance ({sums}); nothing to carry"),
                year=year,
                sums=str(sums),
            )
        )
    opening = tuple(
        (account, amount) for (account, unit), amount in sorted(after.items()) if amount and unit == currency
    )
    closed = [m for m in sorted(figures.closed) if m <= Month(year, 12)]
    runs = {
        a.id: _months_in_deficit(
            closed,
            functools.partial(_balance_of, figures.balance, a.id),
            figures.carried_deficit.get(a.id, 0),
        )
        for a in coop.activities
    }
    runs = {k: v for k, v in runs.items() if v}
    return YearClosePlan(year, currency, activities, coop_transfer, opening, runs), problems


# --------------------------------------------------------------------------- surplus


def split_to_cent(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """``total`` split in proportion to ``weights``, each part to the cent, the parts summing exactly to
    ``total``.

    Largest remainder: every part is first rounded towards zero, then the cents left go one each to the
    parts with the largest remainders (ties to the earlier part).
    """
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and not all zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [magnitude * w / whole for w in weights]
    parts = [e.quantize(CENT, rounding=ROUND_DOWN) for e in exact]
    left = int((magnitude - sum(parts, ZERO)) / CENT)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += CENT
    return [sign * p for p in parts]


@dataclass(frozen=True)
class WorkerShare:
    member_id: str
    name: str
    basis: Decimal  # gross paid, 1, or hours, by the policy's basis
    amount: Decimal


@dataclass(frozen=True)
class SurplusProposal:
    year: int
    result: Decimal
    basis: str
    parts: tuple[tuple[str, Decimal, Decimal], ...]  # (part, rate, amount) in coop.yaml's order
    workers: tuple[WorkerShare, ...]

    def amount(self, part: str) -> Decimal:
        return next((amount for name, _, amount in self.parts if name == part), ZERO)


def year_employees(
    coop: Cooperative, figures: LedgerFigures, year: int, basis: str
) -> list[tuple[str, str, Decimal]]:
    """The year's employees (a salary booked in one of its closed months) and each one's weight for
    ``basis``."""
    known = {m.id: m for m in coop.members}
    weights: dict[str, Decimal] = {}
    for month, salaries in figures.booked_salaries.items():
        if month.year != year:
            continue
        for pay in salaries:
            if basis == "salary":
                weight = pay.gross
            elif basis == "equal":
                weight = ZERO  # counted once below
            else:
                member = known.get(pay.member)
                entry = in_force(member.salary, month.last_day) if member else None
                if entry is None or not entry.gross:
                    weight = ZERO
                else:  # the contract's hours, prorated like the pay (a partial month pays part of them)
                    weight = entry.hours * min(Decimal(1), (pay.gross - pay.bonus) / entry.gross)
            weights[pay.member] = weights.get(pay.member, ZERO) + weight
    if basis == "equal":
        weights = {member_id: Decimal(1) for member_id in weights}
    return [
        (member_id, known[member_id].name if member_id in known else member_id, weights[member_id])
        for member_id in sorted(weights)
    ]


def surplus_proposal(
    policy: SurplusPolicy, year: int, result: Decimal, employees: list[tuple[str, str, Decimal]]
) -> tuple[SurplusProposal | None, list[Problem]]:
    """The split of a positive result for the general assembly; None (with the reason) when there is
    nothing to split."""
    if result <= 0:
        return None, [
            Problem.of(
                "surplus.no_surplus",
                N_("the cooperative's result for {year} is {result}: no surplus to split"),
                severity="warning",
                year=year,
                result=result,
            )
        ]
    names = ("legal_reserve", "development_fund", "workers_share", "dividends")
    rates = [getattr(policy, name) for name in names]
    amounts = split_to_cent(result, rates) if any(rates) else [ZERO] * 4
    parts = tuple(zip(names, rates, amounts))
    workers_total = amounts[2]
    eligible = [(m, n, w) for m, n, w in employees if w > 0]
    problems: list[Problem] = []
    workers: tuple[WorkerShare, ...] = ()
    if workers_total and not eligible:
        problems.append(
            Problem.of(
                "surplus.no_employee",
                N_("no employee was paid in {year}: the workers' share of {amount} has no one to go to"),
                year=year,
                amount=workers_total,
            )
        )
    elif workers_total:
        shares = split_to_cent(workers_total, [w for _, _, w in eligible])
        workers = tuple(WorkerShare(m, n, w, s) for (m, n, w), s in zip(eligible, shares))
    return SurplusProposal(year, result, policy.workers_share_basis, parts, workers), problems
