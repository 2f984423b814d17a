"""What a change does to the cooperative: balances, months, closed months, config. Pure.

Compares two loaded cooperatives (two git revisions, or a revision and the
working tree) and says, in a reviewer's words, what moved.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Sequence

from pydantic import BaseModel

from coopctl.domain.cooperative import ContributionEntry, Cooperative, PayrollEntry
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.months import Month
from coopctl.domain.problems import ClosedMonthChange

END_OF_TIME = datetime.date(9998, 12, 31)


@dataclass(frozen=True)
class BalanceChange:
    activity_id: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class MonthChange:
    activity_id: str
    month: Month
    revenue_before: Decimal
    revenue_after: Decimal
    contribution_before: Decimal
    contribution_after: Decimal


@dataclass
class Review:
    activities: list[BalanceChange] = field(default_factory=list)
    months: list[MonthChange] = field(default_factory=list)
    closed_months_touched: list[ClosedMonthChange] = field(default_factory=list)
    config_changes: list[str] = field(default_factory=list)


def compare(
    before: Cooperative,
    before_figures: LedgerFigures,
    after: Cooperative,
    after_figures: LedgerFigures,
    touched: list[ClosedMonthChange],
) -> Review:
    """What moved between two states of the cooperative; ``touched``: the closed months' changes (adapter)."""
    review = Review()
    ids = sorted(
        {a.id for a in before.activities}
        | {a.id for a in after.activities}
        | set(before_figures.days)
        | set(after_figures.days)
    )
    for activity_id in ids:
        b = before_figures.balance(activity_id, END_OF_TIME)
        a = after_figures.balance(activity_id, END_OF_TIME)
        if a != b:
            review.activities.append(BalanceChange(activity_id, b, a))
        months = sorted(
            {Month.of(d) for d in before_figures.days.get(activity_id, {})}
            | {Month.of(d) for d in after_figures.days.get(activity_id, {})}
        )
        for month in months:
            fb, fa = (
                before_figures.month_figures(activity_id, month),
                after_figures.month_figures(activity_id, month),
            )
            if (fb.revenue, fb.contribution) != (fa.revenue, fa.contribution):
                review.months.append(
                    MonthChange(activity_id, month, fb.revenue, fa.revenue, fb.contribution, fa.contribution)
                )
    review.closed_months_touched = list(touched)
    review.config_changes = config_changes(before, after)
    return review


def _schedule_changes(
    label: str, old: Sequence[Any], new: Sequence[Any], render: Callable[[Any], str]
) -> list[str]:
    old_map = {e.start: render(e) for e in old}
    new_map = {e.start: render(e) for e in new}
    out = []
    for start in sorted(set(old_map) | set(new_map)):
        if start not in new_map:
            out.append(f"{label} from {start} removed (was {old_map[start]})")
        elif start not in old_map:
            out.append(f"{label} from {start} added: {new_map[start]}")
        elif old_map[start] != new_map[start]:
            out.append(f"{label} from {start}: {old_map[start]} → {new_map[start]}")
    return out


def describe_contribution(entry: ContributionEntry) -> str:
    if entry.tiers is not None:
        brackets = ", ".join(
            f"{t.rate} up to {t.up_to}" if t.up_to is not None else f"{t.rate} beyond" for t in entry.tiers
        )
        text = f"brackets {brackets}"
    else:
        text = f"{entry.rate}"
    return text + (f", {entry.exempt_months} exempt months" if entry.exempt_months else "")


def describe_payroll(entry: PayrollEntry) -> str:
    if entry.employer_rate is not None:
        employer = f"employer {entry.employer_rate}"
    else:
        employer = "employer by SMIC ratio " + ", ".join(
            f"{p.ratio}→{p.rate}" for p in entry.employer_rate_by_smic_ratio or []
        )
    return f"SMIC {entry.smic_hourly} €/h, {employer}, employee {entry.employee_rate}"


def _or_default(rate: Decimal | None) -> str:
    return "default" if rate is None else str(rate)  # "0" is a real 0%, not the default


# Each key of the treasury policy in words: (label, unit after the values).
TREASURY_WORDS = {
    "advance_cap_months": ("advance cap", " months of salary cost"),
    "pool_use_limit": ("pool use limit", " (advances / (reserves + own funds))"),
    "min_coverage": ("minimum coverage", " (reference treasury / reserves)"),
    "deficit_months_alert": ("deficit alert after", " closed months in a row"),
}


def _policy_changes(
    label: str, old: BaseModel | None, new: BaseModel | None, words: dict[str, tuple[str, str]] | None = None
) -> list[str]:
    """Each changed key of a policy (a pydantic model or None), by its own name, with its values before →
    after."""
    if old == new:
        return []
    if old is None or new is None:
        return [f"{label} {'added' if old is None else 'removed'}"]
    out = []
    for key in type(old).model_fields:
        x, y = getattr(old, key), getattr(new, key)
        if x != y:
            name, unit = (words or {}).get(key, (key.replace("_", " "), ""))
            out.append(f"{label}: {name} ({key}) {x} → {y}{unit}")
    return out


def _named_changes(what: str, old: Sequence[Any], new: Sequence[Any], fields: tuple[str, ...]) -> list[str]:
    """Items with an id (establishments, tutors) added, removed, or with a field changed."""
    before, after = {item.id: item for item in old}, {item.id: item for item in new}
    out = []
    for item_id in sorted(set(before) | set(after)):
        a, b = before.get(item_id), after.get(item_id)
        if b is None:
            assert a is not None
            out.append(f"{what} {item_id} removed (was {a.name!r})")
        elif a is None:
            out.append(f"{what} {item_id} added ({b.name!r})")
        else:
            out += _field_changes(f"{what} {item_id}", a, b, fields)
    return out


def _shown(value: object) -> str:
    return "none" if value is None else repr(value) if isinstance(value, str) else str(value)


def _field_changes(who: str, a: object, b: object, fields: tuple[str, ...]) -> list[str]:
    return [
        f"{who}: {field} {_shown(getattr(a, field))} → {_shown(getattr(b, field))}"
        for field in fields
        if getattr(a, field) != getattr(b, field)
    ]


def config_changes(old: Cooperative, new: Cooperative) -> list[str]:
    """The config's changes, in words."""
    out: list[str] = []
    out += _field_changes("cooperative", old.coop, new.coop, ("name", "currency"))
    out += _named_changes("establishment", old.coop.establishments, new.coop.establishments, ("name",))
    out += _named_changes("tutor", old.coop.tutors, new.coop.tutors, ("name", "email"))
    out += _schedule_changes(
        "contribution rate", old.coop.contribution, new.coop.contribution, describe_contribution
    )
    out += _schedule_changes("payroll", old.coop.payroll, new.coop.payroll, describe_payroll)
    out += _policy_changes("treasury", old.coop.treasury, new.coop.treasury, TREASURY_WORDS)
    out += _policy_changes("surplus policy", old.coop.surplus, new.coop.surplus)
    if old.coop.ledger_plugins != new.coop.ledger_plugins:
        out.append(f"allowed ledger plugins: {old.coop.ledger_plugins} → {new.coop.ledger_plugins}")
    old_acts = {a.id: a for a in old.activities}
    new_acts = {a.id: a for a in new.activities}
    for activity_id in sorted(set(old_acts) | set(new_acts)):
        a, b = old_acts.get(activity_id), new_acts.get(activity_id)
        if b is None:
            out.append(f"activity {activity_id} removed")
        elif a is None:
            out.append(
                f"activity {activity_id} added ({b.establishment}"
                + (f", contribution rate {b.contribution_rate}" if b.contribution_rate is not None else "")
                + ")"
            )
        else:
            if a.contribution != b.contribution:
                out += [
                    f"activity {activity_id}: {text}"
                    for text in _schedule_changes(
                        "contribution", a.contribution or [], b.contribution or [], describe_contribution
                    )
                ]
            if a.contribution_rate != b.contribution_rate:
                out.append(
                    f"activity {activity_id}: contribution rate {_or_default(a.contribution_rate)} → "
                    f"{_or_default(b.contribution_rate)}"
                )
            if a.establishment != b.establishment:
                out.append(f"activity {activity_id}: establishment {a.establishment} → {b.establishment}")
            out += _field_changes(f"activity {activity_id}", a, b, ("name", "started"))
    old_members = {m.id: m for m in old.members}
    new_members = {m.id: m for m in new.members}
    for member_id in sorted(set(old_members) | set(new_members)):
        om, nm = old_members.get(member_id), new_members.get(member_id)
        if nm is None:
            out.append(f"member {member_id} removed")
            continue
        if om is None:
            phase = f"CESA from {nm.cesa_from}" if nm.cesa_from else f"CAPE from {nm.joined}"
            out.append(f"member {member_id} added ({nm.activity}, {phase})")
            continue
        out += _field_changes(member_id, om, nm, ("name", "email"))
        labels = {
            "activity": "activity",
            "tutor": "tutor",
            "joined": "joined",
            "cesa_from": "CESA start",
            "associate_from": "associate from",
            "left": "left",
        }
        for key, label in labels.items():
            x, y = getattr(om, key), getattr(nm, key)
            if x != y:
                out.append(
                    f"{member_id}: {label} {x if x is not None else 'none'} → "
                    f"{y if y is not None else 'none'}"
                )
        if om.cape_renewals != nm.cape_renewals:
            out.append(
                f"{member_id}: CAPE renewals {', '.join(map(str, om.cape_renewals)) or 'none'} → "
                f"{', '.join(map(str, nm.cape_renewals)) or 'none'}"
            )
        out += [
            f"{member_id}: {text}"
            for text in _schedule_changes(
                "salary", om.salary, nm.salary, lambda e: f"{e.gross} for {e.hours} h"
            )
        ]
        old_bonus = {x.month: x.gross for x in om.bonuses}
        new_bonus = {x.month: x.gross for x in nm.bonuses}
        for month in sorted(set(old_bonus) | set(new_bonus)):
            if old_bonus.get(month) != new_bonus.get(month):
                out.append(
                    f"{member_id}: bonus in {month}: {old_bonus.get(month, 'none')} → "
                    f"{new_bonus.get(month, 'none')}"
                )
    return out
