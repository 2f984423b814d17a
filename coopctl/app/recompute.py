"""Trust by recomputation: every file coopctl wrote is written again and compared, byte for byte.

A closed month's file is a pure function of the config and the month's sources (the entries people wrote,
sealed by the fingerprints its marker records); a year's close, its opening and its surplus split are pure
functions of the ledger up to the year's end and the config. ``verify_closings`` rebuilds each of them
and returns a ``Problem`` (an error, with the file and the first line that differs, and how to repair)
for every difference, every file under ``closing/`` or ``openings/`` that coopctl did not write, every
closing file the ledger does not load, every gap between closed months, and every change to the entries
dated before the first close. ``check``, ``close-month``, ``close-year`` and ``review`` run it.

What it cannot prove: that a closed month was closed at all (deleting the last closing file is the same
as reopening it; ``review`` shows it in the pull request), or who wrote a consistent closing file (a file
that recomputes exactly is, by construction, what coopctl would have written).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from pathlib import Path

from coopctl.adapter.fingerprint import SourceIndex
from coopctl.adapter.ledger import Books, booked_postings, extract_figures
from coopctl.adapter.ownfiles import MONTH_CLOSE, OPENING, SURPLUS, YEAR_CLOSE, OwnFile, OwnFiles, on_disk
from coopctl.app.closing import accounts_open_on, closing_path, month_closing_bytes, period_records
from coopctl.core.close import ClosePlan, plan_close
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.figures import DayFigures, LedgerFigures
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem

REPAIR = N_("restore it from git (git checkout -- {path}) or reopen {period} and close it again")


def _repair(rel: str, period: object) -> Problem:
    return Problem.of("recompute.repair", REPAIR, path=rel, period=str(period))


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def first_difference(expected: bytes, found: bytes) -> tuple[int, str, str]:
    """(line number, expected line, found line) of the first line that differs."""
    want = expected.decode("utf-8", "replace").split("\n")
    have = found.decode("utf-8", "replace").split("\n")
    for number, (a, b) in enumerate(zip(want, have), 1):
        if a != b:
            return number, a, b
    number = min(len(want), len(have)) + 1 if len(want) != len(have) else len(want)
    return (
        number,
        want[number - 1] if number <= len(want) else "(end of file)",
        have[number - 1] if number <= len(have) else "(end of file)",
    )


def _short(text: str, width: int = 70) -> str:
    text = text.strip()
    return text if len(text) <= width else text[: width - 1] + "…"


def mismatch(path: Path, root: Path, expected: bytes, found: bytes, what: Problem, period: str) -> Problem:
    """``what`` names the file (``the closing file of 2026-10``), worded as a phrase of its own."""
    line, want, have = first_difference(expected, found)
    rel = _rel(path, root)
    return Problem.of(
        "recompute.mismatch",
        N_(
            "{what} differs from what coopctl computes from the config and the ledger (line {number}: "
            "expected `{expected}`, found `{found}`); {repair}"
        ),
        file=rel,
        line=line,
        what=what,
        number=line,
        expected=_short(want),
        found=_short(have),
        repair=_repair(rel, period),
    )


def without_own_close(figures: LedgerFigures, own: LedgerFigures) -> LedgerFigures:
    """``figures`` less a closing file's own postings (all on the month's last day): what its close saw."""
    days = defaultdict(dict, figures.days)
    for activity, part in own.days.items():
        book = dict(figures.days.get(activity, {}))
        for day, amounts in part.items():
            current = book.get(day, DayFigures())
            book[day] = DayFigures(
                current.revenue - amounts.revenue,
                current.expenses - amounts.expenses,
                current.contribution - amounts.contribution,
                current.salary_cost - amounts.salary_cost,
                current.equity - amounts.equity,
            )
        days[activity] = book
    return dataclasses.replace(figures, days=days)


def with_recorded_names(plan: ClosePlan, entries: list) -> ClosePlan:
    """The plan with each member's name as its closing wrote it: a name is not money, and renaming a member
    (a marriage, a typo fixed) must not make every closed month fail to recompute. Only the text of the
    salary's narration comes from the file; every amount is computed again."""
    prefix = f"Salaire {plan.month} — "
    recorded = {}
    for entry in entries:
        member = (entry.meta or {}).get("member")
        narration = getattr(entry, "narration", None) or ""
        if member and narration.startswith(prefix):
            recorded[str(member)] = narration[len(prefix) :]
    activities = tuple(
        dataclasses.replace(
            activity,
            members=tuple(
                dataclasses.replace(pay, name=recorded.get(pay.member_id, pay.name))
                for pay in activity.members
            ),
        )
        for activity in plan.activities
    )
    return dataclasses.replace(plan, activities=activities)


def _group_by_own_file(entries: list, own_files: OwnFiles) -> dict[str, tuple[OwnFile, list]]:
    groups: dict[str, tuple[OwnFile, list]] = {}
    for entry in entries:
        filename = (entry.meta or {}).get("filename")
        kind = own_files.kind(filename)
        if kind is not None:
            assert filename is not None  # own_files knows no kind without a file name
            groups.setdefault(str(Path(filename).resolve()), (kind, []))[1].append(entry)
    return groups


def verify_closings(
    coop: Cooperative,
    books: Books,
    changed_months: set[Month] | frozenset = frozenset(),
    proven: dict[int, bytes] | None = None,
) -> list[Problem]:
    """Every way the files coopctl wrote differ from what it would write now (errors); see the module doc.

    ``changed_months``: closed months whose sources or config changed since their close (reported by the
    fingerprints already): their files, and the later ones, are not compared again. ``proven``, when given,
    receives the openings that recompute byte for byte (by year): a caller may remember them when the
    whole answer is clean (``cache.remember_proven_opening``).
    """
    root = coop.root.resolve()
    ledger_dir = coop.ledger_path.parent.resolve()
    own_files = OwnFiles(ledger_dir)
    problems: list[Problem] = []
    figures = books.figures
    loaded = {str(path.resolve()) for path in books.ledger.files}
    own_on_disk, strangers = on_disk(ledger_dir)
    for path in strangers:
        rel = _rel(path, root)
        problems.append(
            Problem.of(
                "recompute.foreign_file",
                N_(
                    "not a file coopctl writes; only coopctl writes under closing/ and openings/: "
                    "move it out (post its entries in the open month) or remove it"
                ),
                file=rel,
            )
        )

    problems += _closings_elsewhere(root, ledger_dir / "closing", coop)
    scoped = books.year  # a year-scoped load reads neither the earlier years' files nor their closings
    for path, kind in sorted(own_on_disk.items()):
        if kind.kind == OPENING:
            continue
        year = kind.month.year if kind.month else kind.year
        if scoped is not None and year is not None and year < scoped:
            continue
        if str(path.resolve()) not in loaded:
            rel = _rel(path, root)
            problems.append(
                Problem.of(
                    "recompute.not_included",
                    N_(
                        "on disk but the main ledger does not include it, so the period it closes "
                        'looks open: restore the line include "closing/*.beancount" in '
                        "{ledger} (git checkout), or, to reopen, use coopctl reopen"
                    ),
                    file=rel,
                    ledger=_rel(coop.ledger_path, root),
                )
            )

    groups = _group_by_own_file(books.ledger.entries, own_files)
    for filename, (kind, _entries) in groups.items():
        if kind.kind == MONTH_CLOSE and kind.month not in figures.closed:
            rel = _rel(Path(filename), root)
            problems.append(
                Problem.of(
                    "recompute.no_marker",
                    N_("no close marker for {month}; {repair}"),
                    file=rel,
                    month=str(kind.month),
                    repair=_repair(rel, kind.month),
                )
            )

    closed = sorted(figures.closed)
    if closed:
        month = closed[0]
        while month < closed[-1]:
            if month not in figures.closed:
                rel = _rel(closing_path(coop, month), root)
                problems.append(
                    Problem.of(
                        "recompute.gap",
                        N_(
                            "{month} is not closed although {first} and {last} are: {path} is missing; "
                            "restore it from git (git checkout -- {path})"
                        ),
                        file=rel,
                        month=str(month),
                        first=str(closed[0]),
                        last=str(closed[-1]),
                        path=rel,
                    )
                )
            month = month.next()
    for year, marker in sorted(figures.closed_years.items()):
        if Month(year, 12) not in figures.closed and (
            figures.opened_after is None or year > figures.opened_after
        ):
            problems.append(
                Problem.of(
                    "recompute.december_open",
                    N_("{year} is closed but its December is not"),
                    file=marker.file,
                    line=marker.line,
                    year=str(year),
                )
            )

    sources = SourceIndex(books.ledger.entries, coop.closing_dir)
    own_figures = {
        filename: extract_figures(coop, entries)[0]
        for filename, (kind, entries) in groups.items()
        if kind.kind == MONTH_CLOSE
    }
    first_changed = min(changed_months) if changed_months else None
    legacy_months: list[Month] = []
    for month in closed:
        if first_changed is not None and month > first_changed:
            break  # later months' openings depend on the changed one: repair it first
        marker = figures.closed[month]
        path = (root / marker.file) if marker.file else closing_path(coop, month)
        key = str(path.resolve())
        if key not in own_figures:
            continue
        seen = without_own_close(figures, own_figures[key])
        plan = with_recorded_names(plan_close(coop, seen, month), groups[key][1])
        own = own_files.kind(key)
        opened = accounts_open_on(books.ledger.entries, month.last_day, own_files, skip=own)
        first = month == closed[0] and figures.opened_after is None
        legacy = "digest" not in marker.meta  # written by coopctl 0.1: proven as it wrote it, and said
        expected = month_closing_bytes(coop, plan, sources, opened, marker.include_added, first, legacy)
        if legacy:
            legacy_months.append(month)
        found = path.read_bytes()
        if expected != found:
            if first:
                problems += _before_first_close(coop, sources, month, marker, path)
            if month in changed_months and _marker_consistent(month, marker.meta):
                # the entries (or the config) changed, as reported above; the closing file says what it said
                pass
            elif month in changed_months:
                line, want, have = first_difference(expected, found)
                rel = _rel(path, root)
                problems.append(
                    Problem.of(
                        "recompute.stale_close",
                        N_(
                            "the closing file of {month} no longer matches the month's entries and config "
                            "(line {number}: expected `{expected}`, found `{found}`): if this file was "
                            "edited, restore it from git "
                            "(git checkout -- {path}); if the entries or the config were, "
                            "see the errors above"
                        ),
                        file=rel,
                        line=line,
                        month=str(month),
                        number=line,
                        expected=_short(want),
                        found=_short(have),
                        path=rel,
                    )
                )
            elif (difference := first_difference(expected, found))[1].strip().startswith("digest:"):
                line = difference[0]
                rel = _rel(path, root)
                problems.append(
                    Problem.of(
                        "recompute.digest",
                        N_(
                            "an entry dated in {month} changed after its close: "
                            "the month's entries no longer "
                            "hash to the digest its closing recorded (line {number}), although their short "
                            "fingerprints still match (a deliberate collision?); compare the month's entries "
                            "with git (git log -p) and restore them, or restore {path} if it was edited"
                        ),
                        file=rel,
                        line=line,
                        month=str(month),
                        number=line,
                        path=rel,
                    )
                )
            else:
                problems.append(
                    mismatch(
                        path,
                        root,
                        expected,
                        found,
                        Problem.of("recompute.what", N_("the closing file of {month}"), month=str(month)),
                        str(month),
                    )
                )
    if legacy_months:
        problems.append(
            Problem.of(
                "recompute.legacy",
                N_(
                    "{count} closed month(s) ({first} to {last}) were closed by an older coopctl: "
                    "they recompute, but their entries are sealed by short fingerprints only (no full "
                    "digest), and the months before the first close are not sealed; reopen and close them "
                    "again to seal them fully"
                ),
                severity="warning",
                count=len(legacy_months),
                first=str(legacy_months[0]),
                last=str(legacy_months[-1]),
            )
        )
    if first_changed is None:
        problems += _verify_years(
            coop, books, groups, own_files, own_on_disk, proven if proven is not None else {}
        )
    return problems


def _marker_consistent(month: Month, meta: dict) -> bool:
    """Whether a close marker's recorded fingerprints still add up to its own digest and count (else it was
    edited)."""
    from coopctl.adapter.fingerprint import sources_digest
    from coopctl.adapter.integrity import recorded_entries

    recorded = recorded_entries(month, meta)
    if recorded is None:
        return False
    by_day: dict = {}
    for day, fingerprint, _ in recorded:
        by_day.setdefault(day, []).append(fingerprint)
    by_day = {day: sorted(prints) for day, prints in by_day.items()}
    return str(meta.get("sources")) == sources_digest(by_day) and str(meta.get("entries")) == str(
        len(recorded)
    )


def _closings_elsewhere(root: Path, closing: Path, coop: Cooperative) -> list[Problem]:
    """Closing files in a ``closing/`` folder that is not this ledger's (``coop.yaml``'s ``ledger:`` moved
    away from them, say): the periods they closed would look open, unchecked."""
    import os

    from coopctl.adapter.ownfiles import classify

    problems = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [
            d for d in subfolders if not d.startswith(".") and d not in ("node_modules", "__pycache__")
        ]
        here = Path(folder)
        if here.name != "closing" or here.resolve() == closing.resolve():
            continue
        if any(classify(name, "closing") for name in files):
            rel = _rel(here, root)
            problems.append(
                Problem.of(
                    "recompute.closings_elsewhere",
                    N_(
                        "closing files lie in {path}/ but the ledger ({ledger} in config/coop.yaml) "
                        "closes into {closing}/: the months they closed would look open; "
                        "restore the ledger: line of config/coop.yaml (git checkout), "
                        "or move the ledger back beside them"
                    ),
                    file=rel,
                    path=rel,
                    ledger=coop.coop.ledger,
                    closing=_rel(closing, root),
                )
            )
    return problems


def _before_first_close(
    coop: Cooperative, sources: SourceIndex, first: Month, marker, path: Path
) -> list[Problem]:
    """Name the months before the first close whose entries changed since it (from its ``pYYYY-MM``
    records)."""
    recorded: dict[Month, tuple[str, int]] = {}
    for key, value in marker.meta.items():
        if re.fullmatch(r"p\d{4}-\d{2}", key):
            digest, _, count = str(value).partition(" ")
            recorded[Month.parse(key[1:])] = (digest, int(count) if count.isdigit() else -1)
    current = period_records(sources, first)
    problems = []
    for month in sorted(set(recorded) | set(current)):
        then, now = recorded.get(month, ("", 0)), current.get(month, ("", 0))
        if then != now:
            problems.append(
                Problem.of(
                    "recompute.before_first_close",
                    N_(
                        "entries dated {month}, before the first closed month {first}, "
                        "changed after its close "
                        "({then} entries then, {now} now): closed periods are sealed, whatever the file; "
                        "restore them from git, or post the correction in the open month"
                    ),
                    file=_rel(path, coop.root),
                    line=marker.line,
                    month=str(month),
                    first=str(first),
                    then=then[1],
                    now=now[1],
                )
            )
    return problems


def _verify_years(
    coop: Cooperative,
    books: Books,
    groups: dict,
    own_files: OwnFiles,
    own_on_disk: dict,
    proven: dict[int, bytes],
) -> list[Problem]:
    """The year closes, their openings and the surplus splits, written again and compared."""
    from coopctl.app.yearclose import (
        expected_opening_bytes,
        expected_surplus_bytes,
        expected_year_close_bytes,
    )
    from coopctl.app.yearclose import year_closing_path as year_closing_file
    from coopctl.core.yearend import plan_year_close, surplus_proposal, year_employees

    root = coop.root.resolve()
    problems: list[Problem] = []
    figures = books.figures
    for filename, (kind, _entries) in sorted(groups.items()):
        path = Path(filename)
        if kind.kind == YEAR_CLOSE and kind.year is not None and kind.year in figures.closed_years:
            year = kind.year
            marker = figures.closed_years[year]
            entries = [
                e for e in books.ledger.entries if own_files.kind((e.meta or {}).get("filename")) != kind
            ]
            plan, plan_problems = plan_year_close(coop, booked_postings(entries), figures, year)
            if plan_problems:
                problems += [dataclasses.replace(p, file=p.file or _rel(path, root)) for p in plan_problems]
                continue
            expected_close, opening = expected_year_close_bytes(
                coop, plan, books, marker.meta, own_files, path
            )
            found = path.read_bytes()
            if expected_close != found:
                problems.append(
                    mismatch(
                        path,
                        root,
                        expected_close,
                        found,
                        Problem.of("recompute.what", N_("the close of {year}"), year=str(year)),
                        str(year),
                    )
                )
            opening_path = coop.ledger_path.parent / "openings" / f"{year + 1}.beancount"
            if opening_path.is_file() and opening is not None:
                expected, seal_only = expected_opening_bytes(opening, opening_path.read_bytes())
                if expected == opening_path.read_bytes() and expected_close == found:
                    proven[year + 1] = expected
                if not seal_only and expected != opening_path.read_bytes():
                    problems.append(
                        mismatch(
                            opening_path,
                            root,
                            expected,
                            opening_path.read_bytes(),
                            Problem.of("recompute.what", N_("the opening of {year}"), year=str(year + 1)),
                            str(year),
                        )
                    )
        elif kind.kind == SURPLUS and kind.year is not None and kind.day is not None:
            year = kind.year
            policy = coop.coop.surplus
            if books.year is not None and year < books.year:
                continue  # a year-scoped load cannot plan an earlier year; check (a whole load) proves it
            year_close = own_files.kind(str(year_closing_file(coop, year)))
            entries = [
                e
                for e in books.ledger.entries
                if own_files.kind((e.meta or {}).get("filename")) not in (kind, year_close)
            ]
            plan, _ = plan_year_close(coop, booked_postings(entries), figures, year)
            proposal = None
            if policy is not None:
                employees = year_employees(coop, figures, year, policy.workers_share_basis)
                proposal, _notes = surplus_proposal(policy, year, plan.coop_result, employees)
            rel = _rel(path, root)
            if proposal is None:
                problems.append(
                    Problem.of(
                        "recompute.no_split",
                        N_(
                            "the config proposes no split of {year} now (no surplus policy, or no "
                            "result to split); restore the policy, or remove the file if the split was not "
                            "decided"
                        ),
                        file=rel,
                        year=str(year),
                    )
                )
                continue
            expected = expected_surplus_bytes(coop, proposal, kind.day, books.ledger.entries, own_files, kind)
            found = path.read_bytes()
            if expected != found:
                problems.append(
                    mismatch(
                        path,
                        root,
                        expected,
                        found,
                        Problem.of("recompute.what", N_("the surplus split of {year}"), year=str(year)),
                        str(year),
                    )
                )
    for path, kind in sorted(own_on_disk.items()):
        if (
            kind.kind == OPENING
            and kind.year is not None
            and books.year is None
            and (kind.year - 1) not in figures.closed_years
        ):
            rel = _rel(path, root)
            problems.append(
                Problem.of(
                    "recompute.orphan_opening",
                    N_(
                        "{year} is not closed, so this opening belongs to no close; "
                        "restore closing/{year}-year.beancount from git, or remove it"
                    ),
                    file=rel,
                    year=str(kind.year - 1),
                )
            )
    return problems
