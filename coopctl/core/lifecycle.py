"""Members' paths and their legal deadlines, as warnings for tutors and the treasurer. Pure.

- CAPE: a contract of 12 months from ``joined``, renewable twice (``cape_renewals``, 12 months each);
  warned the day after it ends without a renewal, and past 36 months in all.
- CESA: the member must become an associate within 3 years of ``cesa_from``, shortened by the time spent
  in CAPE (so: 3 years after ``joined``); warned the day after that deadline.
- An activity with no current member (CAPE or CESA) on the date, with its balance when it holds a
  reserve or an advance (the activity of members who left).
- A CESA member whose activity ended ``deficit_months_alert`` closed months in a row in deficit.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopctl.domain.cooperative import Cooperative, Member, YamlPath
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.problems import N_, Problem


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def cape_end(member: Member, as_of: datetime.date) -> datetime.date:
    """Last day of the CAPE contract in force on ``as_of`` (renewals recorded by then count)."""
    renewals = len([r for r in member.cape_renewals if r <= as_of])
    return add_months(member.joined, 12 * (1 + renewals)) - datetime.timedelta(days=1)


def associate_deadline(member: Member) -> datetime.date | None:
    """Last day to become an associate: 3 years after the CESA start, less the CAPE time."""
    if member.cesa_from is None:
        return None
    return add_months(member.cesa_from, 36) - (member.cesa_from - member.joined) - datetime.timedelta(days=1)


def lifecycle_alerts(
    coop: Cooperative, figures: LedgerFigures, as_of: datetime.date, locate: bool = True
) -> list[Problem]:
    """The warnings on ``as_of``; with ``locate``, each names the config line of the member or activity."""
    alerts: list[Problem] = []

    def where(file: str, path: YamlPath) -> tuple[str | None, int | None]:
        return coop.where(file, path) if locate else (None, None)

    def warn(index: int, code: str, template: str, **params: Any) -> None:
        file, line = where("config/members.yaml", ("members", index))
        alerts.append(Problem.of(code, template, file=file, line=line, severity="warning", **params))

    months_closed = [m for m in sorted(figures.closed) if m.last_day <= as_of]
    threshold = coop.coop.treasury.deficit_months_alert
    for index, member in enumerate(coop.members):
        phase = member.phase_on(as_of)
        if phase == "CAPE":
            end = cape_end(member, as_of)
            limit = add_months(member.joined, 36) - datetime.timedelta(days=1)
            if as_of > limit:
                warn(
                    index,
                    "cape_over_36_months",
                    N_(
                        "{member}: in CAPE for more than 36 months (since {day}); the CAPE cannot "
                        "be renewed again: a CESA contract or a departure is due"
                    ),
                    member=member.id,
                    day=member.joined,
                )
            elif as_of > end:
                warn(
                    index,
                    "cape_ended",
                    N_(
                        "{member}: CAPE contract ended on {day} with no renewal recorded "
                        "(add the renewal date under cape_renewals, or a cesa_from)"
                    ),
                    member=member.id,
                    day=end,
                )
        elif phase == "CESA":
            deadline = associate_deadline(member)
            if deadline is not None and not member.is_associate_on(as_of) and as_of > deadline:
                warn(
                    index,
                    "associate_overdue",
                    N_(
                        "{member}: not an associate although the deadline was {deadline} "
                        "(3 years after the CESA start {start}, less the CAPE time)"
                    ),
                    member=member.id,
                    deadline=deadline,
                    start=member.cesa_from,
                )
            deficit = 0
            for month in reversed(months_closed):
                if figures.balance(member.activity, month.last_day) < 0:
                    deficit += 1
                else:
                    break
            if deficit >= threshold:
                warn(
                    index,
                    "salaried_in_deficit",
                    N_(
                        "{member}: salaried while {activity} has been in deficit for {count} "
                        "closed months in a row (alert from {threshold}); review the salary "
                        "with the tutor"
                    ),
                    member=member.id,
                    activity=member.activity,
                    count=deficit,
                    threshold=threshold,
                )
    for position, activity in enumerate(coop.activities):
        current = [m for m in coop.members_of(activity.id) if m.phase_on(as_of) in ("CAPE", "CESA")]
        if current:
            continue
        balance = figures.balance(activity.id, as_of)
        departed = [m.id for m in coop.members_of(activity.id) if m.phase_on(as_of) == "left"]
        held = Problem("")
        if balance > 0:
            held = Problem.of("holds_reserve", N_("; it still holds a reserve of {amount}"), amount=balance)
        elif balance < 0:
            held = Problem.of("owes_advance", N_("; it still owes an advance of {amount}"), amount=-balance)
        who = (
            Problem.of("members_who_left", N_(" (members who left: {members})"), members=", ".join(departed))
            if departed
            else Problem("")
        )
        if held.message or not departed:
            file, line = where("config/activities.yaml", ("activities", position))
            alerts.append(
                Problem.of(
                    "activity_without_member",
                    N_("activity {activity} has no current member{who}{held}"),
                    file=file,
                    line=line,
                    severity="warning",
                    activity=activity.id,
                    who=who,
                    held=held,
                )
            )
    return alerts


def next_deadline(member: Member, as_of: datetime.date) -> tuple[str, datetime.date] | None:
    """The member's next legal deadline on ``as_of``: the end of the CAPE contract or the associate
    deadline."""
    phase = member.phase_on(as_of)
    if phase == "CAPE":
        return "end of CAPE contract", min(
            cape_end(member, as_of), add_months(member.joined, 36) - datetime.timedelta(days=1)
        )
    if phase == "CESA" and not member.is_associate_on(as_of):
        deadline = associate_deadline(member)
        return ("associate deadline", deadline) if deadline is not None else None
    return None


def months_until(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` has passed: whole months overdue)."""
    if end < start:
        return -months_until(end, start)
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return months


@dataclass(frozen=True)
class PortfolioLine:
    """One member a tutor follows, on a day: phase and since when, next legal deadline, activity's balance."""

    tutor: str | None
    member: Member
    phase: str
    since: datetime.date
    next_deadline: tuple[str, datetime.date] | None
    months_to_deadline: int | None
    balance: Decimal
    runway_months: Decimal | None
    alerts: tuple[Problem, ...]


def tutor_portfolio(
    coop: Cooperative, figures: LedgerFigures, tutor: str | None, as_of: datetime.date, alerts: list[Problem]
) -> list[PortfolioLine]:
    """The members in CAPE or CESA on ``as_of`` (of ``tutor``, or of every tutor), by tutor then id."""
    from coopctl.core.treasury import activity_treasury

    lines = []
    for member in sorted(coop.members, key=lambda m: (m.tutor or "", m.id)):
        phase = member.phase_on(as_of)
        if (tutor is not None and member.tutor != tutor) or phase not in ("CAPE", "CESA"):
            continue
        since = member.joined if phase == "CAPE" else member.cesa_from
        assert since is not None  # a member in CESA has a cesa_from
        deadline = next_deadline(member, as_of)
        treasury = activity_treasury(coop, figures, member.activity, as_of)
        lines.append(
            PortfolioLine(
                member.tutor,
                member,
                phase,
                since,
                deadline,
                months_until(as_of, deadline[1]) if deadline else None,
                treasury.balance,
                treasury.runway_months,
                tuple(p for p in alerts if p.parameters.get("member") == member.id),
            )
        )
    return lines
