"""One function per command: load what it needs, call the core, write if it must.

This is the edge between the pure core and the world: it reads config and
ledger files, takes the lock, and writes. It never prints; it returns values or
raises ``CoopctlError``. The CLI (and tests) call these.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from coopctl.adapter.fingerprint import describe, entry_fingerprint
from coopctl.adapter.integrity import closed_month_changes, touched_closed_months
from coopctl.adapter.ledger import Books, booked_postings, extract_figures, load_books, require_clean
from coopctl.adapter.ownfiles import YEAR_CLOSE, OwnFiles
from coopctl.app.closing import WrittenClose, closing_path, main_without_include, write_close
from coopctl.app.recompute import verify_closings
from coopctl.app.yearclose import ReopenedYear, WrittenYearClose, reopen_year, write_surplus, write_year_close
from coopctl.core.close import (
    ClosePlan,
    bonus_refusals,
    close_refusals,
    default_close_month,
    plan_close,
    plan_transactions,
)
from coopctl.core.lifecycle import lifecycle_alerts
from coopctl.core.projection import project_open_month
from coopctl.core.reports import (
    MemberBalance,
    MemberStatement,
    MonthReport,
    PayrollRow,
    member_balance,
    member_statement,
    members_list,
    month_report,
    payroll_rows,
    salary_floor_problems,
    unclosed_months,
)
from coopctl.core.review import Review, compare
from coopctl.core.simulate import Simulation, simulate_salary
from coopctl.core.treasury import ActivityTreasury, TreasuryState, activity_treasury, treasury_state
from coopctl.core.yearend import (
    SurplusProposal,
    YearClosePlan,
    plan_year_close,
    surplus_proposal,
    year_close_refusals,
    year_employees,
)
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.months import Month
from coopctl.domain.problems import (
    N_,
    ClosedMonthChange,
    CloseRefused,
    CoopctlError,
    LedgerError,
    NotFound,
    Problem,
    UsageError,
    unique_problems,
)
from coopctl.domain.suggest import did_you_mean, nearest
from coopctl.store import gitrev, journal
from coopctl.store.cache import cached_figures, load_books_filling_cache
from coopctl.store.configfile import find_root, load_cooperative
from coopctl.store.safe_io import LOCK_NAME, atomic_write, check_output, command_line, cooperative_lock


def finish_interrupted_write(root: Path) -> list[Path]:
    """Undo a group of writes that a killed coopctl left half done (``journal``), before anything is read."""
    if not journal.pending(root):
        return []
    with cooperative_lock(root, "coopctl (undoing an interrupted write)"):
        return journal.recover(root)


def open_cooperative(root: Path | None) -> Cooperative:
    """The cooperative at ``root`` (or upward from the current folder), an interrupted write undone."""
    found = find_root(root)
    finish_interrupted_write(found)
    return load_cooperative(found)


def open_figures(root: Path | None) -> tuple[Cooperative, LedgerFigures]:
    """For read-only commands: the config and the ledger's figures, from the cache when it is current."""
    coop = open_cooperative(root)
    figures = cached_figures(coop)
    if figures is None:
        books = load_books_filling_cache(coop)
        require_clean(books)
        figures = books.figures
    return coop, figures


@dataclass(frozen=True)
class CloseResult:
    plan: ClosePlan
    dry_run: bool
    written: WrittenClose | None
    treasury: TreasuryState  # after the close (for a dry run: as if it were written)
    projection: bool = False  # a dry run of the month in progress: what closing it now would book
    # why the closed months were loaded again instead of trusted as sealed, when worth telling (a warning)
    loaded_whole_because: Problem | None = None


def close_month(root: Path | None, month: Month | None, dry_run: bool, today: datetime.date) -> CloseResult:
    """Plan the close of ``month`` (default: the first open one) and, unless dry_run, book it."""
    coop = open_cooperative(root)
    if dry_run:
        from coopctl.app.sealed import last_reason, sealed_dry_run

        sealed = sealed_dry_run(coop, month, today)  # the closed months sealed: the open month's entries only
        if sealed is not None:
            return CloseResult(sealed[0], True, None, sealed[1])
        return _plan_or_refuse(coop, month, today, dry_run=True, because=last_reason[0])
    with cooperative_lock(coop.root, command_line()):
        from coopctl.app.sealed import last_reason, sealed_close

        done = sealed_close(coop, month, today)  # the closed months sealed: the written file verified alone
        if done is not None:
            return CloseResult(done[0], False, done[1], done[2])
        return _plan_or_refuse(coop, month, today, dry_run=False, because=last_reason[0])


def _opening_years(coop: Cooperative) -> list[int]:
    """The years close-year opened (``openings/YEAR.beancount``: the year before is closed), in order."""
    folder = coop.ledger_path.parent / "openings"
    return (
        sorted(int(p.stem) for p in folder.glob("*.beancount") if p.stem.isdigit()) if folder.is_dir() else []
    )


def _scope_year(coop: Cooperative, month: Month | None) -> int | None:
    """The year a close may load alone: the latest one close-year opened (when the month is in it), and only
    when a whole load on this machine proved, byte for byte, what such a load reads but cannot recompute:
    the opening, and the surplus splits of earlier years (else the whole ledger is loaded)."""
    from coopctl.store.cache import knows_earlier_years, proven_opening

    years = _opening_years(coop)
    if not years or (month is not None and month.year != years[-1]):
        return None
    evidence = _scope_evidence(coop, years[-1])
    if evidence is None or not proven_opening(coop, years[-1], evidence):
        return None
    # a cache that cannot record the year alone (no index knowing the earlier years): the whole load, once
    return years[-1] if knows_earlier_years(coop, years[-1]) else None


def _scope_evidence(coop: Cooperative, year: int, proven: tuple[bytes, Books] | None = None) -> bytes | None:
    """What a load of ``year`` alone trusts without recomputing it: its opening, earlier years' splits.
    ``proven``: the opening a whole load recomputed and that load; None (not proven) unless the files read
    now are those (a file saved since was not proven by it)."""
    import hashlib

    from coopctl.adapter.ownfiles import SURPLUS, on_disk

    read = {} if proven is None else {Path(n).resolve(): sha for n, sha in proven[1].ledger.digests.items()}
    try:
        parts = [(coop.ledger_path.parent / "openings" / f"{year}.beancount").read_bytes()]
        if proven is not None and parts[0] != proven[0]:
            return None
        own, _ = on_disk(coop.ledger_path.parent)
        for path, kind in sorted(own.items()):
            if kind.kind == SURPLUS and kind.year is not None and kind.year < year:
                parts += [path.name.encode(), path.read_bytes()]
                if proven is not None and hashlib.sha256(parts[-1]).hexdigest() != read.get(path.resolve()):
                    return None
    except OSError:
        return None
    return b"\0".join(parts)


def _remember_proofs(coop: Cooperative, proven: dict[int, bytes], books: Books) -> None:
    """After a whole load (``books``) proved every closing: what a later load of one year may trust
    (``_scope_year``), when the files are still those it proved."""
    from coopctl.store.cache import remember_proven_opening

    for year, opening in proven.items():
        evidence = _scope_evidence(coop, year, (opening, books))
        if evidence is not None:
            remember_proven_opening(coop, year, evidence)


def _date_ordered(coop: Cooperative, books: Books) -> Books:
    """``books`` with the figures' problems in the order ``load_books`` gives them (the whole extraction's, by
    date; ``load_books_filling_cache`` extracts file by file): what a refused command prints does not depend
    on whether it recorded the cache. Only when there are such problems (the extraction is done again)."""
    if len(books.problems) <= len(books.ledger.problems):
        return books
    figures, found = extract_figures(coop, books.ledger.entries)
    return Books(coop, books.ledger, figures, books.ledger.problems + found, books.year)


def _plan_or_refuse(
    coop: Cooperative,
    month: Month | None,
    today: datetime.date,
    dry_run: bool,
    because: Problem | None = None,
) -> CloseResult:
    from coopctl.store import seals

    seals.snapshot(coop)  # closing/ and openings/ as found before the load that may seal them
    # a dry run records its load in the cache when the ledger has closed years (the year alone, when the
    # cache knows the earlier years' files; else the whole ledger, once): the next close plans from the
    # seal without another command in between. A dry run of a ledger without closed years does not
    # (recording costs a fifth more time and memory than bean-check's load: issue 7's cold targets); a
    # writing close's verifying reload records the ledger as written (write_close)
    year = _scope_year(coop, month)
    books = (
        _date_ordered(coop, load_books_filling_cache(coop, year))
        if dry_run and (year is not None or _opening_years(coop))
        else load_books(coop, year=year)
    )
    require_clean(books)
    month = month or default_close_month(books.figures, today)
    refusals = close_refusals(books.figures, month, today)
    in_progress = month.first_day <= today <= month.last_day
    projection = dry_run and in_progress and [p.code for p in refusals] == ["month_not_ended"]
    if projection:
        # the month in progress, previewed: every other refusal still holds (as on the day after it ends)
        refusals = close_refusals(books.figures, month, month.last_day + datetime.timedelta(days=1))
    if refusals:
        raise CloseRefused(refusals)
    touched = closed_month_changes(coop, books.ledger.entries, books.figures)
    if touched:
        raise CloseRefused([change.problem() for change in touched])
    proven: dict[int, bytes] = {}
    unproven = verify_closings(coop, books, proven=proven)
    if any(p.severity == "error" for p in unproven):  # an older coopctl's closing: a warning
        raise CloseRefused(unproven)
    _remember_proofs(coop, proven, books)
    if not unproven:  # proven whole, with no warning: later closes may trust it
        seals.seal(coop, books, books.figures.last_closed)
    plan = plan_close(coop, books.figures, month)
    if plan.problems:
        raise CloseRefused(list(plan.problems))
    bonuses = bonus_refusals(plan)
    if bonuses:
        raise CloseRefused(bonuses)
    floor = salary_floor_problems(coop)
    if floor:
        raise CloseRefused(floor)
    written = None
    if not dry_run:
        written, reloaded = write_close(coop, plan, books)

        # sealed from the verifying reload (the ledger as written) when it read every other file as the
        # proven load did: a file edited during the close is proven by the next whole load, not sealed now
        # (the main ledger too: as the proven load read it, with the include when the close added it; and
        # the closing as written)
        def by_path(digests: dict[str, str]) -> dict[Path, str]:
            return {Path(name).resolve(): sha for name, sha in digests.items()}

        expected = by_path(books.ledger.digests)
        expected[coop.ledger_path.resolve()] = written.main_sha
        expected[written.closing_file.resolve()] = written.closing_sha
        if written.main_sha and by_path(reloaded.ledger.digests) == expected:
            seals.seal(coop, reloaded, month)
        else:
            seals.forget(coop)
        del reloaded
    pending = [posting for t in plan_transactions(plan) for posting in t.postings]
    treasury = treasury_state(coop, books.figures, month.last_day, pending, month)
    return CloseResult(plan, dry_run, written, treasury, projection, because)


def report(root: Path | None, month: Month | None, today: datetime.date) -> tuple[MonthReport, TreasuryState]:
    """The month's report and the treasury at its end (for an open month: as if it were closed now)."""
    coop, figures = open_figures(root)
    return _month_and_treasury(coop, figures, month or figures.last_closed or Month.of(today).previous())


def _month_and_treasury(
    coop: Cooperative, figures: LedgerFigures, month: Month
) -> tuple[MonthReport, TreasuryState]:
    """A month's report with its members' warnings, and the treasury at its end (open: as if closed)."""
    result = month_report(coop, figures, month)
    alerts = lifecycle_alerts(coop, figures, month.last_day, locate=False)
    result = dataclasses.replace(result, lifecycle=tuple(alerts))
    pending: list = []
    if not result.closed:
        pending = [p for t in plan_transactions(plan_close(coop, figures, month)) for p in t.postings]
    return result, treasury_state(coop, figures, month.last_day, pending, None if result.closed else month)


@dataclass(frozen=True)
class Overview:
    """The cooperative at a glance (Fava's page): members on a day, the last closed month, its treasury."""

    as_of: datetime.date
    members: list
    month: MonthReport
    treasury: TreasuryState
    alerts: tuple[Problem, ...]


def overview(root: Path, today: datetime.date) -> Overview:
    """One load of the figures for the members, the month and the treasury, as the CLI computes them."""
    coop, figures = open_figures(root)
    as_of = min(today, figures.last_date) if figures.last_date else today
    month, treasury = _month_and_treasury(coop, figures, figures.last_closed or Month.of(as_of).previous())
    alerts = tuple(treasury.alerts) + tuple(lifecycle_alerts(coop, figures, as_of, locate=False))
    return Overview(as_of, members_list(coop, figures, as_of), month, treasury, alerts)


def simulate(
    root: Path | None, member: str, gross, hours, month: Month | None, today: datetime.date
) -> Simulation:
    coop, figures = open_figures(root)
    coop.member(member, "argument")  # an unknown id: where it came from, and the nearest ids
    return simulate_salary(coop, figures, member, gross, hours, month or Month.of(today), today)


def payroll(root: Path | None, month: Month, today: datetime.date | None = None) -> list[PayrollRow]:
    coop, figures = open_figures(root)
    return payroll_rows(coop, figures, month, today)


def tutors(
    root: Path | None, tutor: str | None, as_of: datetime.date
) -> tuple[Cooperative, LedgerFigures, list[Problem]]:
    coop, figures = open_figures(root)
    known = {t.id for t in coop.coop.tutors}
    if tutor is not None and tutor not in known:
        near = nearest(tutor, known)
        if near:
            raise NotFound.of(
                "not_found.tutor",
                N_("no tutor {tutor} in config/coop.yaml; {hint}"),
                tutor=repr(tutor),
                hint=did_you_mean(near),
                suggestions=near,
            )
        raise NotFound.of(
            "not_found.tutor",
            N_("no tutor {tutor} in config/coop.yaml (tutors: {known})"),
            tutor=repr(tutor),
            known=", ".join(sorted(known)) or "none",
        )
    return coop, figures, lifecycle_alerts(coop, figures, as_of, locate=False)


def write_export(path: Path, text: str, root: Path | None = None) -> None:
    """Write an export atomically (temporary file, fsync, rename) to a file the user named.

    Refused (usage error, nothing written): the cooperative's own files (config/, the ledger folder,
    any .beancount file, the lock, .git and git's own files at the root), a target that is not a regular
    file, a missing folder.
    """
    coop = load_cooperative(find_root(root))
    protected = [coop.root / "config", coop.root / LOCK_NAME, coop.root / ".git"]
    # the repository's files that steer git and its hosting (attributes can hide a diff from review)
    protected += [coop.root / name for name in (".gitattributes", ".gitignore", ".gitmodules", ".github")]
    if coop.ledger_path.parent.resolve() != coop.root.resolve():
        protected.append(coop.ledger_path.parent)
    check_output(path, coop.root, [p.resolve() for p in protected] + protected)
    atomic_write(path, text.encode("utf-8"), create_folders=False)


def treasury(root: Path | None, as_of: datetime.date) -> TreasuryState:
    coop, figures = open_figures(root)
    return treasury_state(coop, figures, as_of)


def who_am_i(coop: Cooperative) -> str:
    """The member running coopctl: COOPCTL_MEMBER, else the one whose email is git's user.email."""
    return _who_am_i(coop)[0]


def member_named(coop: Cooperative, member: str | None) -> str:
    """The member named on the command line, else the one running coopctl (``who_am_i``): a known id, or
    NotFound naming where the id came from and the nearest ids."""
    member_id, source = (member, "argument") if member else _who_am_i(coop)
    coop.member(member_id, source)
    return member_id


def _who_am_i(coop: Cooperative) -> tuple[str, str]:
    """(the member's id, where it came from: ``suggest.SOURCES``)."""
    env = os.environ.get("COOPCTL_MEMBER")
    if env:
        return env, "COOPCTL_MEMBER"
    try:
        email = subprocess.run(
            ["git", "config", "user.email"],
            cwd=coop.root,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        email = ""
    if email:
        for member in coop.members:
            if member.email and member.email.lower() == email.lower():
                return member.id, "git"
        raise UsageError.of(
            "usage.who_email",
            N_(
                "git's user.email ({email}) is the email of no member in config/members.yaml; name a member "
                "(e.g. coopctl balance alice) or set COOPCTL_MEMBER"
            ),
            email=email,
        )
    raise UsageError.of(
        "usage.who",
        N_(
            "name a member (e.g. coopctl balance alice), set COOPCTL_MEMBER, or set "
            "git's user.email to a member's email"
        ),
    )


def balance(
    root: Path | None, member: str | None, as_of: datetime.date
) -> tuple[MemberBalance, ActivityTreasury]:
    coop, figures = open_figures(root)
    member_id = member_named(coop, member)
    result = member_balance(coop, figures, member_id, as_of)
    result = dataclasses.replace(
        result, projection=project_open_month(coop, figures, result.activity_id, as_of)
    )
    return result, activity_treasury(coop, figures, result.activity_id, as_of)


def members(root: Path | None, as_of: datetime.date) -> tuple[list, list[Problem]]:
    coop, figures = open_figures(root)
    return members_list(coop, figures, as_of), lifecycle_alerts(coop, figures, as_of, locate=False)


def check(root: Path | None, today: datetime.date) -> tuple[Books | None, list[Problem]]:
    """Every problem of config and ledger (errors and warnings): the checks of ``CHECKS``, run in order on
    one whole load (as Beancount's validations are); raises only when the config cannot load."""
    coop = open_cooperative(root)
    from coopctl.store import seals

    seals.snapshot(coop)  # closing/ and openings/ as found before the load that may seal them
    # recorded when clean: the closes that follow plan from the seal
    books = _date_ordered(coop, load_books_filling_cache(coop))
    problems = list(books.problems)
    for run_check in CHECKS:
        problems += run_check(coop, books, today)
    return books, unique_problems(problems)  # a problem two checks find is reported once


def _salary_floor(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    return salary_floor_problems(coop)


def _closed_periods(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    """Closed months unchanged and every closing recomputed (``recompute``); proofs remembered when clean."""
    changes = closed_month_changes(coop, books.ledger.entries, books.figures)
    problems = [change.problem() for change in _name_removed_entries(coop, changes)]
    proven: dict[int, bytes] = {}
    problems += verify_closings(coop, books, {change.month for change in changes}, proven)
    if not any(p.severity == "error" for p in [*books.problems, *problems]):
        _remember_proofs(coop, proven, books)
        if not problems:  # close-month refuses on any of them, warnings too (recompute.legacy): no seal
            problems += _seal_and_explain(coop, books)
    return problems


def _seal_and_explain(coop: Cooperative, books: Books) -> list[Problem]:
    """Seal the closed months this clean whole load proved, and say why a close could not trust the seal
    before (it can now), or why it still cannot (then close-month loads the whole ledger)."""
    from coopctl.store import seals

    last_closed = books.figures.last_closed
    if last_closed is None or books.year is not None:
        return []  # nothing closed, nothing to seal
    root = coop.root.resolve()
    current = {str(Path(name).resolve().relative_to(root)): sha for name, sha in books.ledger.digests.items()}
    before = seals.why(coop, last_closed, current)
    seals.seal(coop, books, last_closed)
    after = seals.why(coop, last_closed, current)
    if after is not None:
        return [
            Problem.of(
                "check.seal_unused",
                N_("close-month will load the whole ledger: {reason}"),
                severity="warning",
                reason=after,
            )
        ]
    if before is not None and before.code not in ("seal.none", "seal.no_cache"):
        return [
            Problem.of(
                "check.seal_renewed",
                N_(
                    "close-month could not trust the seal of the closed months ({reason}) and loaded the "
                    "whole ledger; this check proved them again and sealed them"
                ),
                severity="warning",
                reason=before,
            )
        ]
    return []


def _leftover_temporary_files(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    folder = coop.ledger_path.parent
    return [
        Problem.of(
            "check.temporary_file",
            N_("temporary file left by an interrupted write; the ledger is intact, you may delete it"),
            file=str(leftover.relative_to(coop.root)),
            severity="warning",
        )
        for leftover in (sorted(folder.rglob(".*.beancount.*.tmp")) if folder.is_dir() else [])
    ]


def _treasury_identity(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    last = books.figures.last_date or today
    state = treasury_state(coop, books.figures, last)
    if not state.unconventional_accounts or not state.identity_gap:  # "off by 0.00" is not off
        return []
    shown = ", ".join(state.unconventional_accounts[:8]) + (
        " …" if len(state.unconventional_accounts) > 8 else ""
    )
    return [
        Problem.of(
            "check.treasury_identity",
            N_(
                "the treasury identity (future treasury = activity balances + own funds) is off by "
                "{gap} on {day}: accounts outside the conventions: {accounts}"
            ),
            severity="warning",
            gap=state.identity_gap,
            day=last,
            accounts=shown,
        )
    ]


def _members_paths(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    return lifecycle_alerts(coop, books.figures, today)


def _periods_to_close(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    problems = [
        Problem.of(
            "check.month_to_close",
            N_("{month} has ended and is not closed yet (coopctl close-month {month})"),
            severity="warning",
            month=str(month),
        )
        for month in unclosed_months(books.figures, today)
    ]
    problems += [
        Problem.of(
            "check.year_to_close",
            N_("{year} has ended and its December is closed: close the year (coopctl close-year {year})"),
            severity="warning",
            year=str(month.year),
        )
        for month in sorted(books.figures.closed)
        if month.month == 12 and month.year not in books.figures.closed_years
    ]
    return problems


def _months_never_closed(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    """Months with an activity's revenue or expenses dated before the first close: they ended and were never
    closed (no contribution taken, no salary booked on them), which later closes cannot mend (months close
    in order after the first close). Fine for history before coopctl (then an opening balance is clearer);
    a mistake otherwise."""
    from beancount.core import data

    if not books.figures.closed:
        return []
    first = min(books.figures.closed)
    months = sorted(
        {
            Month.of(entry.date)
            for entry in books.ledger.entries
            if isinstance(entry, data.Transaction)
            and entry.date < first.first_day
            and any(p.account.startswith(("Income:Activity:", "Expenses:Activity:")) for p in entry.postings)
        }
    )
    if not months:
        return []
    return [
        Problem.of(
            "check.months_never_closed",
            N_(
                "{months} ended without a close before the first close ({first}): their revenue took no "
                "contribution and paid no salary; if coopctl should have closed them, reopen back to {first} "
                "(coopctl reopen, last month first), then close {earliest} and the months after it in order"
            ),
            severity="warning",
            months=[str(month) for month in months],
            first=str(first),
            earliest=str(months[0]),
        )
    ]


def _files_not_loaded(coop: Cooperative, books: Books) -> list[Problem]:
    """Ledger files that no include reaches: whatever they hold counts for nothing, silently (say so)."""
    ledger_dir = coop.ledger_path.parent.resolve()
    loaded = {str(path.resolve()) for path in books.ledger.files}
    skip = {ledger_dir / "openings", ledger_dir / "closing"}  # read alone / proven by verify_closings
    problems = []
    for path in sorted(ledger_dir.rglob("*.beancount")):
        if path.name.startswith(".") or path.parent in skip or str(path.resolve()) in loaded:
            continue
        problems.append(
            Problem.of(
                "check.file_not_loaded",
                N_(
                    "no include reaches this file: its entries count for nothing; include it from the main "
                    "ledger (or a file it includes), or move it out of the ledger's folder"
                ),
                file=str(path.relative_to(coop.root.resolve())),
                severity="warning",
            )
        )
    return problems


def _stale_openings(coop: Cooperative, books: Books) -> list[Problem]:
    """Why close-month cannot load a closed year's successor alone (it then loads the whole ledger: slower,
    as right).

    Per-year loads are an optimisation: they need each file to belong to one year (a folder per year, or a
    name
    starting with the year) and the closed years' files to be byte for byte those close-year sealed.
    """
    import re

    from coopctl.adapter.ledger import file_year, seal_digest

    folder = coop.ledger_path.parent / "openings"
    ledger_dir = coop.ledger_path.parent.resolve()
    problems = []
    for path in sorted(folder.glob("*.beancount")) if folder.is_dir() else []:
        if not path.stem.isdigit():
            continue
        year = int(path.stem)
        rel = str(path.relative_to(coop.root))
        mixed = _file_holding_two_years(books, ledger_dir, year)
        found = re.search(
            r'^\s+sealed: "([0-9a-f]{64})"', path.read_text(encoding="utf-8", errors="replace"), re.MULTILINE
        )
        files = [
            (str(f.relative_to(ledger_dir)), books.ledger.digests[str(f)])
            for f in books.ledger.files
            if f.is_relative_to(ledger_dir) and (file_year(f.relative_to(ledger_dir)) or 9999) < year
        ]
        if mixed is not None:
            problems.append(
                Problem.of(
                    "check.mixed_years",
                    N_(
                        "close-month loads the whole ledger, not {year} alone: {mixed} holds entries of "
                        "{previous} or before and is not a file of one year (a folder per year, or file "
                        "names starting with the year, let coopctl skip the closed years)"
                    ),
                    file=rel,
                    severity="warning",
                    year=str(year),
                    mixed=mixed,
                    previous=str(year - 1),
                )
            )
        elif found is None or found.group(1) == "0" * 64:
            problems.append(
                Problem.of(
                    "check.unsealed_years",
                    N_(
                        "close-month loads the whole ledger, not {year} alone: a file of {previous} "
                        "or before includes other files, so the closed years cannot be sealed"
                    ),
                    file=rel,
                    severity="warning",
                    year=str(year),
                    previous=str(year - 1),
                )
            )
        elif seal_digest(files) != found.group(1):
            problems.append(
                Problem.of(
                    "check.seal_broken",
                    N_(
                        "the files of {previous} and before changed after close-year: close-month "
                        "loads the whole ledger instead of {year} alone (reopen {previous} "
                        "and close it again to seal them anew)"
                    ),
                    file=rel,
                    severity="warning",
                    year=str(year),
                    previous=str(year - 1),
                )
            )
    return problems


def _file_holding_two_years(books: Books, ledger_dir: Path, year: int) -> str | None:
    """A file that a load of ``year`` alone reads (of no earlier year) and that holds earlier transactions."""
    from beancount.core import data

    from coopctl.adapter.ledger import file_year

    first_day = datetime.date(year, 1, 1)
    for entry in books.ledger.entries:
        if isinstance(entry, data.Transaction) and entry.date < first_day:
            filename = entry.meta.get("filename") or ""
            if filename.startswith("<"):
                continue
            path = Path(filename)
            attributed = file_year(path.relative_to(ledger_dir)) if path.is_relative_to(ledger_dir) else None
            if attributed is None or attributed >= year:
                return (
                    str(path.relative_to(books.coop.root.resolve()))
                    if path.is_relative_to(books.coop.root.resolve())
                    else filename
                )
    return None


def _name_removed_entries(coop: Cooperative, changes: list[ClosedMonthChange]) -> list[ClosedMonthChange]:
    """Give removed entries their date and narration, read from git's HEAD when the cooperative is in git."""
    if not any(c.change == "removed" for c in changes) or gitrev.toplevel(coop.root) is None:
        return changes
    try:
        with tempfile.TemporaryDirectory(prefix="coopctl-head-") as tmp:
            head = load_books(
                load_cooperative(gitrev.export(coop.root, gitrev.resolve(coop.root, "HEAD"), Path(tmp)))
            )
            known = {(e.date, entry_fingerprint(e)): describe(e) for e in head.ledger.entries}
    except CoopctlError:
        return changes
    named = []
    for change in changes:
        if change.change == "removed" and change.entry.startswith("an entry dated "):
            day = datetime.date.fromisoformat(change.entry.split()[3])
            fingerprint = change.entry.rsplit(" ", 1)[-1].rstrip(")")
            if (day, fingerprint) in known:
                change = ClosedMonthChange(
                    change.month, change.change, known[(day, fingerprint)] + " (as in HEAD)"
                )
        named.append(change)
    return named


CheckFunction = Callable[[Cooperative, Books, datetime.date], list[Problem]]

# What ``coopctl check`` runs after the whole load, in this order (each returns problems; none writes,
# but ``_closed_periods`` remembers proven openings in the cache).


def _suspense_lines(coop: Cooperative, books: Books, today: datetime.date) -> list[Problem]:
    from coopctl.app.bank import suspense_problems  # its module imports this one

    return suspense_problems(coop, books)


CHECKS: list[CheckFunction] = [
    _salary_floor,
    _closed_periods,
    _leftover_temporary_files,
    lambda coop, books, today: _files_not_loaded(coop, books),
    _treasury_identity,
    _members_paths,
    _months_never_closed,
    _periods_to_close,
    lambda coop, books, today: _stale_openings(coop, books),
    _suspense_lines,
]


# --------------------------------------------------------------------------- reopen


@dataclass(frozen=True)
class ReopenResult:
    month: Month
    removed: Path
    include_removed: bool


def reopen(root: Path | None, month: Month) -> ReopenResult:
    """Undo the close of the last closed month: the files return to their bytes before that close."""
    coop = open_cooperative(root)
    with cooperative_lock(coop.root, command_line()):
        books = load_books(coop)
        require_clean(books)
        figures = books.figures
        if month not in figures.closed:
            raise CloseRefused.of("reopen.not_closed", N_("{month} is not closed"), month=str(month))
        if month.year in figures.closed_years:
            raise CloseRefused.of(
                "reopen.year_closed",
                N_("{year} is closed: reopen the year first (coopctl reopen {year})"),
                year=month.year,
            )
        if month != figures.last_closed:
            raise CloseRefused.of(
                "reopen.not_last",
                N_("only the last closed month can be reopened: reopen {last} first"),
                last=str(figures.last_closed),
            )
        target = closing_path(coop, month)
        marker = figures.closed[month]
        if not target.is_file() or marker.file != str(target.relative_to(coop.root)):
            raise CloseRefused.of(
                "reopen.not_by_file",
                N_("{month} was not closed by a closing file at {path}"),
                file=marker.file,
                line=marker.line,
                month=str(month),
                path=str(target.relative_to(coop.root)),
            )
        main = coop.ledger_path
        main_before = main.read_bytes()
        others = [p for p in coop.closing_dir.glob("*.beancount") if p != target]
        stripped = main_without_include(main_before) if marker.include_added and not others else None
        strip = stripped is not None
        changes = [journal.Change(main, stripped)] if stripped is not None else []
        changes.append(
            journal.Change(target, None)
        )  # first the include (the month is then open), then the file

        def verify() -> None:
            if not others and coop.closing_dir.is_dir() and not any(coop.closing_dir.iterdir()):
                coop.closing_dir.rmdir()
            after = load_books(coop)
            errors = [p for p in after.problems if p.severity == "error"]
            if errors or month in after.figures.closed:
                raise LedgerError(
                    [
                        Problem.of(
                            "write.reopen_unclean",
                            N_(
                                "the ledger does not load cleanly after reopening {period}; "
                                "nothing was changed"
                            ),
                            period=str(month),
                        ),
                        *errors,
                    ]
                )

        journal.write_group(coop.root, changes, verify)
        return ReopenResult(month, target, strip)


# --------------------------------------------------------------------------- review


@dataclass(frozen=True)
class ReviewResult:
    from_label: str
    to_label: str
    review: Review
    unproven: tuple[Problem, ...] = ()  # closings that do not recompute, at either revision (check's errors)


def _parse_range(coop_root: Path, rev_range: str | None) -> tuple[str, str | None, str, str]:
    """(from commit, to commit or None for the working tree, from label, to label)."""
    if not rev_range:
        return gitrev.resolve(coop_root, "HEAD"), None, "HEAD", "working tree"
    if "..." in rev_range:
        a, b = rev_range.split("...", 1)
        a, b = a or "HEAD", b or "HEAD"
        to = gitrev.resolve(coop_root, b)
        return gitrev.merge_base(coop_root, gitrev.resolve(coop_root, a), to), to, f"merge-base({a}, {b})", b
    if ".." in rev_range:
        a, b = rev_range.split("..", 1)
        a, b = a or "HEAD", b or "HEAD"
        return gitrev.resolve(coop_root, a), gitrev.resolve(coop_root, b), a, b
    return gitrev.resolve(coop_root, rev_range), None, rev_range, "working tree"


def _load_at(label: str, root: Path, plugins: list[str] | None = None) -> Books:
    """The books at a revision; with ``plugins``, under that plugin policy instead of the revision's own."""
    try:
        coop = load_cooperative(root)
        if plugins is not None:
            coop = dataclasses.replace(
                coop, coop=coop.coop.model_copy(update={"ledger_plugins": list(plugins)})
            )
        return load_books(coop)
    except CoopctlError as exc:
        raise type(exc)([_at(label, p) for p in exc.problems]) from None


def review(root: Path | None, rev_range: str | None) -> ReviewResult:
    """Compare the cooperative at two revisions (default: HEAD and the working tree).

    Both are loaded under the base revision's plugin policy (its coop.yaml's ``ledger_plugins``): a change
    that lists a plugin in coop.yaml and uses it in a ledger does not get it run by its reviewer."""
    coop_root = find_root(root)
    if gitrev.toplevel(coop_root) is None:
        raise UsageError.of(
            "review.no_repository",
            N_("{root} is not in a git repository; review compares git revisions"),
            root=str(coop_root),
        )
    start, end, from_label, to_label = _parse_range(coop_root, rev_range)
    with tempfile.TemporaryDirectory(prefix="coopctl-review-") as tmp:
        before = _load_at(from_label, gitrev.export(coop_root, start, Path(tmp) / "from"))
        after = _load_at(
            to_label,
            coop_root if end is None else gitrev.export(coop_root, end, Path(tmp) / "to"),
            plugins=list(before.coop.coop.ledger_plugins),
        )
        unproven = [
            _at(label, p)
            for label, books in ((from_label, before), (to_label, after))
            for p in _closings_unproven(books)
        ]
        return ReviewResult(
            from_label,
            to_label,
            compare(
                before.coop, before.figures, after.coop, after.figures, touched_closed_months(before, after)
            ),
            tuple(unproven),
        )


def _at(label: str, problem: Problem) -> Problem:
    """A revision's problem, said at that revision (and worded in the user's language like any other)."""
    return Problem.of(
        problem.code or "review.at",
        N_("at {label}: {problem}"),
        file=problem.file,
        line=problem.line,
        severity=problem.severity,
        label=label,
        problem=problem,
    )


def _closings_unproven(books: Books) -> list[Problem]:
    """The errors ``check`` would give a revision: its ledger's own errors, changed sources of closed months,
    and closings that do not recompute."""
    changes = closed_month_changes(books.coop, books.ledger.entries, books.figures)
    errors = [p for p in books.problems if p.severity == "error"]
    return (
        errors
        + [c.problem() for c in changes]
        + verify_closings(books.coop, books, {c.month for c in changes})
    )


# --------------------------------------------------------------------------- year end


@dataclass(frozen=True)
class YearCloseResult:
    plan: YearClosePlan
    proposal: SurplusProposal | None
    notes: tuple[Problem, ...]  # why there is no proposal, or what it lacks
    dry_run: bool
    written: WrittenYearClose | None
    surplus_file: Path | None
    already_closed: bool  # --apply-surplus on a year closed earlier


def close_year(
    root: Path | None,
    year: int,
    dry_run: bool,
    apply_surplus: bool,
    surplus_date: datetime.date | None,
    today: datetime.date,
) -> YearCloseResult:
    """Close ``year`` into equity (or, with apply_surplus on a closed year, book the assembly's split)."""
    coop = open_cooperative(root)
    if dry_run:
        return _year_close(coop, year, True, apply_surplus, surplus_date, today)
    with cooperative_lock(coop.root, command_line()):
        return _year_close(coop, year, False, apply_surplus, surplus_date, today)


def _year_close(
    coop: Cooperative,
    year: int,
    dry_run: bool,
    apply_surplus: bool,
    surplus_date: datetime.date | None,
    today: datetime.date,
) -> YearCloseResult:
    books = load_books(coop)
    require_clean(books)
    figures = books.figures
    already = year in figures.closed_years
    if not (already and (apply_surplus or dry_run)):
        refusals = year_close_refusals(figures, year)
        if refusals:
            raise CloseRefused(refusals)
        touched = closed_month_changes(coop, books.ledger.entries, figures)
        if touched:
            raise CloseRefused([change.problem() for change in touched])
        unproven = verify_closings(coop, books)
        if any(p.severity == "error" for p in unproven):
            raise CloseRefused(unproven)
    own_files = OwnFiles(coop.ledger_path.parent)
    entries = [
        e
        for e in books.ledger.entries
        if not (k := own_files.kind((e.meta or {}).get("filename")))
        or not (k.kind == YEAR_CLOSE and k.year == year)
    ]
    plan, problems = plan_year_close(coop, booked_postings(entries), figures, year)
    if problems:
        raise CloseRefused(problems)
    proposal, notes = None, []
    policy = coop.coop.surplus
    if policy is None:
        notes.append(
            Problem.of(
                "surplus.no_policy",
                N_("no surplus policy in config/coop.yaml (surplus:): no split proposed"),
                severity="warning",
            )
        )
    else:
        employees = year_employees(coop, figures, year, policy.workers_share_basis)
        proposal, notes = surplus_proposal(policy, year, plan.coop_result, employees)
    if apply_surplus:
        if proposal is None:
            raise CloseRefused(
                notes or [Problem.of("surplus.none", N_("no surplus of {year} to book"), year=year)]
            )
        if notes:
            raise CloseRefused(notes)
        day = surplus_date or today
        if day <= datetime.date(year, 12, 31):
            raise CloseRefused.of(
                "surplus.too_early",
                N_("the general assembly decides after the year: date the split after {year}-12-31 (--date)"),
                year=year,
            )
        if figures.is_closed(Month.of(day)):
            raise CloseRefused.of(
                "surplus.closed_month",
                N_("{month} is closed: date the split in an open month (--date)"),
                month=str(Month.of(day)),
            )
    written = surplus_file = None
    if not dry_run:
        if not already:
            written = write_year_close(coop, plan, books)
        if apply_surplus:
            assert proposal is not None
            surplus_file = write_surplus(
                coop, proposal, surplus_date or today, load_books(coop) if written else books
            )
    return YearCloseResult(plan, proposal, tuple(notes), dry_run, written, surplus_file, already)


def reopen_closed_year(root: Path | None, year: int) -> ReopenedYear:
    coop = open_cooperative(root)
    with cooperative_lock(coop.root, command_line()):
        books = load_books(coop)
        require_clean(books)
        return reopen_year(coop, books, year)


def statement(root: Path | None, member: str | None, year: int) -> MemberStatement:
    coop, figures = open_figures(root)
    return member_statement(coop, figures, member_named(coop, member), year)
