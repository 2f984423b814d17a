"""One function per command: load what it needs, call the core, write if it must.

This is the edge between the pure core and the world: it reads config and
ledger files, takes the lock, and writes. It never prints; it returns values or
raises ``CoopctlError``. The CLI (and tests) call these.
"""

from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .closing import WrittenClose, write_close
from .config import Cooperative, find_root, load_cooperative
from .core.close import ClosePlan, close_refusals, default_close_month, plan_close
from .core.reports import MemberBalance, MonthReport, member_balance, month_report, salary_floor_problems, unclosed_months
from .errors import CloseRefused, Problem, UsageError
from .ledger import Books, load_books, require_clean
from .months import Month
from .safe_io import command_line, cooperative_lock


def open_books(root: Path | None) -> Books:
    """Find the cooperative, load its config and ledger; raise on any error."""
    coop = load_cooperative(find_root(root))
    books = load_books(coop)
    require_clean(books)
    return books


@dataclass(frozen=True)
class CloseResult:
    plan: ClosePlan
    dry_run: bool
    written: WrittenClose | None


def close_month(root: Path | None, month: Month | None, dry_run: bool, today: datetime.date) -> CloseResult:
    """Plan the close of ``month`` (default: the first open one) and, unless dry_run, book it."""
    coop = load_cooperative(find_root(root))
    if dry_run:
        return _plan_or_refuse(coop, month, today, dry_run=True)
    with cooperative_lock(coop.root, command_line()):
        return _plan_or_refuse(coop, month, today, dry_run=False)


def _plan_or_refuse(coop: Cooperative, month: Month | None, today: datetime.date, dry_run: bool) -> CloseResult:
    books = load_books(coop)
    require_clean(books)
    month = month or default_close_month(books.figures, today)
    refusals = close_refusals(books.figures, month, today)
    if refusals:
        raise CloseRefused(refusals)
    plan = plan_close(coop, books.figures, month)
    if plan.problems:
        raise CloseRefused(list(plan.problems))
    floor = salary_floor_problems(coop)
    if floor:
        raise CloseRefused(floor)
    written = None if dry_run else write_close(coop, plan, books.figures.open_accounts)
    return CloseResult(plan, dry_run, written)


def report(root: Path | None, month: Month | None, today: datetime.date) -> MonthReport:
    books = open_books(root)
    if month is None:
        month = books.figures.last_closed or Month.of(today).previous()
    return month_report(books.coop, books.figures, month)


def who_am_i(coop: Cooperative) -> str:
    """The member running coopctl: COOPCTL_MEMBER, else the one whose email is git's user.email."""
    env = os.environ.get("COOPCTL_MEMBER")
    if env:
        return env
    try:
        email = subprocess.run(["git", "config", "user.email"], cwd=coop.root, capture_output=True, text=True,
                               timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        email = ""
    if email:
        for member in coop.members:
            if member.email and member.email.lower() == email.lower():
                return member.id
    raise UsageError.one("name a member (e.g. coopctl balance alice), set COOPCTL_MEMBER, "
                         "or set git's user.email to a member's email")


def balance(root: Path | None, member: str | None, as_of: datetime.date) -> MemberBalance:
    books = open_books(root)
    member_id = member or who_am_i(books.coop)
    return member_balance(books.coop, books.figures, member_id, as_of)


def check(root: Path | None, today: datetime.date) -> tuple[Books | None, list[Problem]]:
    """Every problem of config and ledger (errors and warnings); raises only when config cannot load."""
    coop = load_cooperative(find_root(root))
    books = load_books(coop)
    problems = list(books.problems) + salary_floor_problems(coop)
    on_disk = sorted(coop.closing_dir.glob("*.beancount")) if coop.closing_dir.is_dir() else []
    loaded = {str(path) for path in books.ledger.files}
    for path in on_disk:
        if str(path.resolve()) not in loaded:
            problems.append(Problem("closing file is not included by the main ledger; add "
                                    'include "closing/*.beancount" or remove it', str(path.relative_to(coop.root)),
                                    severity="warning"))
    for folder in {coop.ledger_path.parent, coop.closing_dir}:
        for leftover in sorted(folder.glob(".*.beancount.*.tmp")) if folder.is_dir() else []:
            problems.append(Problem("temporary file left by an interrupted write; the ledger is intact, "
                                    "you may delete it", str(leftover.relative_to(coop.root)), severity="warning"))
    for month in unclosed_months(books.figures, today):
        problems.append(Problem(f"{month} has ended and is not closed yet (coopctl close-month {month})", severity="warning"))
    return books, problems
