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
from coopctl.domain.problems import N_, ClosedMonthChange, Problem

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
    config_changes: list[Problem] = field(default_factory=list)  # severity "info", worded by the ui


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


def _word(text: str) -> Problem:
    """A word or phrase inside a change (a label, ``none``), worded in the reader's language."""
    return Problem.of("review.word", text)


NONE = _word(N_("none"))


def _change(code: str, template: str, **params: Any) -> Problem:
    return Problem.of("review." + code, template, severity="info", **params)


def _schedule_changes(
    label: Problem, old: Sequence[Any], new: Sequence[Any], render: Callable[[Any], Problem]
) -> list[Problem]:
    old_map = {e.start: render(e) for e in old}
    new_map = {e.start: render(e) for e in new}
    out = []
    for start in sorted(set(old_map) | set(new_map)):
        if start not in new_map:
            out.append(
                _change(
                    "schedule_removed",
                    N_("{label} from {start} removed (was {was})"),
                    label=label,
                    start=start,
                    was=old_map[start],
                )
            )
        elif start not in old_map:
            out.append(
                _change(
                    "schedule_added",
                    N_("{label} from {start} added: {now}"),
                    label=label,
                    start=start,
                    now=new_map[start],
                )
            )
        elif old_map[start] != new_map[start]:
            out.append(
                _change(
                    "schedule_changed",
                    N_("{label} from {start}: {before} → {after}"),
                    label=label,
                    start=start,
                    before=old_map[start],
                    after=new_map[start],
                )
            )
    return out


def describe_contribution(entry: ContributionEntry) -> Problem:
    text: Problem
    if entry.tiers is not None:
        text = Problem.of(
            "review.brackets",
            N_("brackets {brackets}"),
            brackets=[
                Problem.of("review.bracket", N_("{rate} up to {up_to}"), rate=str(t.rate), up_to=str(t.up_to))
                if t.up_to is not None
                else Problem.of("review.bracket", N_("{rate} beyond"), rate=str(t.rate))
                for t in entry.tiers
            ],
        )
    else:
        text = Problem(f"{entry.rate}")
    if entry.exempt_months:
        return Problem.of(
            "review.exempt", N_("{rule}, {months} exempt months"), rule=text, months=entry.exempt_months
        )
    return text


def describe_payroll(entry: PayrollEntry) -> Problem:
    if entry.contributions is not None:
        reduction = entry.general_reduction
        return Problem.of(
            "review.payroll_lines",
            N_("SMIC {smic} €/h, ceiling {ceiling}, {count} contribution lines ({codes}), {reduction}"),
            smic=str(entry.smic_hourly),
            ceiling=str(entry.ceiling_monthly) if entry.ceiling_monthly is not None else "-",
            count=len(entry.contributions),
            codes=", ".join(line.code for line in entry.contributions),
            reduction=Problem.of(
                "review.general_reduction",
                N_("general reduction t_min {t_min}, t_delta {t_delta}, exponent {exponent}"),
                t_min=str(reduction.t_min),
                t_delta=str(reduction.t_delta),
                exponent=str(reduction.exponent),
            )
            if reduction is not None
            else Problem.of("review.no_general_reduction", N_("no general reduction")),
        )
    if entry.employer_rate is not None:
        employer = Problem.of("review.employer", N_("employer {rate}"), rate=str(entry.employer_rate))
    else:
        employer = Problem.of(
            "review.employer",
            N_("employer by SMIC ratio {points}"),
            points=", ".join(f"{p.ratio}→{p.rate}" for p in entry.employer_rate_by_smic_ratio or []),
        )
    return Problem.of(
        "review.payroll",
        N_("SMIC {smic} €/h, {employer}, employee {employee}"),
        smic=str(entry.smic_hourly),
        employer=employer,
        employee=str(entry.employee_rate),
    )


def _or_default(rate: Decimal | None) -> Problem | str:
    return _word(N_("default")) if rate is None else str(rate)  # "0" is a real 0%, not the default


# Each key of the treasury policy in words: (label, unit after the values).
TREASURY_WORDS = {
    "advance_cap_months": (N_("advance cap"), N_(" months of salary cost")),
    "pool_use_limit": (N_("pool use limit"), N_(" (advances / (reserves + own funds))")),
    "min_coverage": (N_("minimum coverage"), N_(" (reference treasury / reserves)")),
    "deficit_months_alert": (N_("deficit alert after"), N_(" closed months in a row")),
}


def _policy_changes(
    label: Problem,
    old: BaseModel | None,
    new: BaseModel | None,
    words: dict[str, tuple[str, str]] | None = None,
) -> list[Problem]:
    """Each changed key of a policy (a pydantic model or None), by its own name, with its values before →
    after."""
    if old == new:
        return []
    if old is None or new is None:
        if old is None:
            return [_change("policy_added", N_("{label} added"), label=label)]
        return [_change("policy_removed", N_("{label} removed"), label=label)]
    out = []
    for key in type(old).model_fields:
        x, y = getattr(old, key), getattr(new, key)
        if x != y:
            name, unit = (
                (_word(words[key][0]), _word(words[key][1]))
                if words and key in words
                else (Problem(key.replace("_", " ")), "")
            )
            out.append(
                _change(
                    "policy_changed",
                    N_("{label}: {name} ({key}) {before} → {after}{unit}"),
                    label=label,
                    name=name,
                    key=key,
                    before=str(x),
                    after=str(y),
                    unit=unit,
                )
            )
    return out


def _named_changes(
    what: Problem, old: Sequence[Any], new: Sequence[Any], fields: tuple[str, ...]
) -> list[Problem]:
    """Items with an id (establishments, tutors) added, removed, or with a field changed."""
    before, after = {item.id: item for item in old}, {item.id: item for item in new}
    out = []
    for item_id in sorted(set(before) | set(after)):
        a, b = before.get(item_id), after.get(item_id)
        if b is None:
            assert a is not None
            out.append(
                _change(
                    "item_removed",
                    N_("{what} {id} removed (was {name})"),
                    what=what,
                    id=item_id,
                    name=repr(a.name),
                )
            )
        elif a is None:
            out.append(
                _change(
                    "item_added", N_("{what} {id} added ({name})"), what=what, id=item_id, name=repr(b.name)
                )
            )
        else:
            who = Problem.of("review.item", N_("{what} {id}"), what=what, id=item_id)
            out += _field_changes(who, a, b, fields)
    return out


def _shown(value: object) -> Problem | str:
    return NONE if value is None else repr(value) if isinstance(value, str) else str(value)


def _field_changes(who: Problem | str, a: object, b: object, fields: tuple[str, ...]) -> list[Problem]:
    return [
        _change(
            "field_changed",
            N_("{who}: {field} {before} → {after}"),
            who=who,
            field=field,
            before=_shown(getattr(a, field)),
            after=_shown(getattr(b, field)),
        )
        for field in fields
        if getattr(a, field) != getattr(b, field)
    ]


def config_changes(old: Cooperative, new: Cooperative) -> list[Problem]:
    """The config's changes, as coded notes (severity ``info``) the presentation layer words."""
    out: list[Problem] = []
    out += _field_changes(_word(N_("cooperative")), old.coop, new.coop, ("name", "currency"))
    out += _named_changes(
        _word(N_("establishment")), old.coop.establishments, new.coop.establishments, ("name",)
    )
    out += _named_changes(_word(N_("tutor")), old.coop.tutors, new.coop.tutors, ("name", "email"))
    out += _schedule_changes(
        _word(N_("contribution rate")), old.coop.contribution, new.coop.contribution, describe_contribution
    )
    out += _schedule_changes(_word(N_("payroll")), old.coop.payroll, new.coop.payroll, describe_payroll)
    out += _policy_changes(_word(N_("treasury")), old.coop.treasury, new.coop.treasury, TREASURY_WORDS)
    out += _policy_changes(_word(N_("surplus policy")), old.coop.surplus, new.coop.surplus)
    if old.coop.ledger_plugins != new.coop.ledger_plugins:
        out.append(
            _change(
                "plugins",
                N_("allowed ledger plugins: {before} → {after}"),
                before=str(old.coop.ledger_plugins),
                after=str(new.coop.ledger_plugins),
            )
        )
    old_acts = {a.id: a for a in old.activities}
    new_acts = {a.id: a for a in new.activities}
    for activity_id in sorted(set(old_acts) | set(new_acts)):
        a, b = old_acts.get(activity_id), new_acts.get(activity_id)
        if b is None:
            out.append(_change("activity_removed", N_("activity {id} removed"), id=activity_id))
        elif a is None:
            if b.contribution_rate is not None:
                out.append(
                    _change(
                        "activity_added",
                        N_("activity {id} added ({establishment}, contribution rate {rate})"),
                        id=activity_id,
                        establishment=b.establishment,
                        rate=str(b.contribution_rate),
                    )
                )
            else:
                out.append(
                    _change(
                        "activity_added",
                        N_("activity {id} added ({establishment})"),
                        id=activity_id,
                        establishment=b.establishment,
                    )
                )
        else:
            if a.contribution != b.contribution:
                out += [
                    _change("activity_changed", N_("activity {id}: {change}"), id=activity_id, change=change)
                    for change in _schedule_changes(
                        _word(N_("contribution")),
                        a.contribution or [],
                        b.contribution or [],
                        describe_contribution,
                    )
                ]
            if a.contribution_rate != b.contribution_rate:
                out.append(
                    _change(
                        "activity_rate",
                        N_("activity {id}: contribution rate {before} → {after}"),
                        id=activity_id,
                        before=_or_default(a.contribution_rate),
                        after=_or_default(b.contribution_rate),
                    )
                )
            if a.establishment != b.establishment:
                out.append(
                    _change(
                        "activity_establishment",
                        N_("activity {id}: establishment {before} → {after}"),
                        id=activity_id,
                        before=a.establishment,
                        after=b.establishment,
                    )
                )
            who = Problem.of("review.activity", N_("activity {id}"), id=activity_id)
            out += _field_changes(who, a, b, ("name", "started"))
    old_members = {m.id: m for m in old.members}
    new_members = {m.id: m for m in new.members}
    for member_id in sorted(set(old_members) | set(new_members)):
        om, nm = old_members.get(member_id), new_members.get(member_id)
        if nm is None:
            out.append(_change("member_removed", N_("member {id} removed"), id=member_id))
            continue
        if om is None:
            phase = (
                Problem.of("review.phase", N_("CESA from {day}"), day=nm.cesa_from)
                if nm.cesa_from
                else Problem.of("review.phase", N_("CAPE from {day}"), day=nm.joined)
            )
            out.append(
                _change(
                    "member_added",
                    N_("member {id} added ({activity}, {phase})"),
                    id=member_id,
                    activity=nm.activity,
                    phase=phase,
                )
            )
            continue
        out += _field_changes(member_id, om, nm, ("name", "email"))
        labels = {
            "activity": N_("activity"),
            "tutor": N_("tutor"),
            "joined": N_("joined"),
            "cesa_from": N_("CESA start"),
            "associate_from": N_("associate from"),
            "left": N_("left"),
        }
        for key, label in labels.items():
            x, y = getattr(om, key), getattr(nm, key)
            if x != y:
                out.append(
                    _change(
                        "member_changed",
                        N_("{member}: {label} {before} → {after}"),
                        member=member_id,
                        label=_word(label),
                        before=x if x is not None else NONE,
                        after=y if y is not None else NONE,
                    )
                )
        if om.cape_renewals != nm.cape_renewals:
            out.append(
                _change(
                    "member_renewals",
                    N_("{member}: CAPE renewals {before} → {after}"),
                    member=member_id,
                    before=om.cape_renewals or NONE,
                    after=nm.cape_renewals or NONE,
                )
            )
        out += [
            _change("member_salary", N_("{member}: {change}"), member=member_id, change=change)
            for change in _schedule_changes(
                _word(N_("salary")),
                om.salary,
                nm.salary,
                lambda e: Problem.of(
                    "review.salary", N_("{gross} for {hours} h"), gross=str(e.gross), hours=str(e.hours)
                ),
            )
        ]
        old_bonus = {x.month: x.gross for x in om.bonuses}
        new_bonus = {x.month: x.gross for x in nm.bonuses}
        for month in sorted(set(old_bonus) | set(new_bonus)):
            if old_bonus.get(month) != new_bonus.get(month):
                out.append(
                    _change(
                        "member_bonus",
                        N_("{member}: bonus in {month}: {before} → {after}"),
                        member=member_id,
                        month=month,
                        before=str(old_bonus[month]) if month in old_bonus else NONE,
                        after=str(new_bonus[month]) if month in new_bonus else NONE,
                    )
                )
    return out
