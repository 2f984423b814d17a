"""``close-month --dry-run`` on sealed month states: the open month's entries and the closed months' seal.

When the cache describes the ledger as it is (warm, or incremental: the changed files read and checked
alone, see ``store.cache``) and the seal of the closed months holds (``store.seals``: the config, every
closed month's sources, closing and opening files byte for byte those a whole load proved on this machine),
the close is planned from the cached figures, without loading the closed months through Beancount again.
Anything else (no seal, a refusal, a problem in the plan): None, and the whole load answers, with its
messages. The result is the whole load's, byte for byte (tests/test_sealed_close.py).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from coopctl.core.close import (
    bonus_refusals,
    close_refusals,
    default_close_month,
    plan_close,
    plan_transactions,
)
from coopctl.core.reports import salary_floor_problems
from coopctl.core.treasury import TreasuryState, treasury_state
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem

if TYPE_CHECKING:
    from coopctl.app.closing import WrittenClose
    from coopctl.core.close import ClosePlan
    from coopctl.domain.cooperative import Cooperative

# why the last close could not use the seal (for tests and benchmarks; None when it did)
last_fallback: list[str | None] = [None]
# the same, as a coded warning worth telling the treasurer (``CloseResult.loaded_whole_because``); None when
# the seal was used, or for the everyday reasons: no cache or no seal yet, a refusal the whole load words
last_reason: list[Problem | None] = [None]

SILENT_SEAL_CODES = ("seal.none", "seal.no_cache", "seal.cache_disabled")


def _fall_back(text: str, reason: Problem | None = None) -> None:
    last_fallback[0] = text
    last_reason[0] = reason


def _used() -> None:
    last_fallback[0] = None
    last_reason[0] = None


def _seal_broken(coop: Cooperative, last_closed: Month | None, index: dict) -> bool:
    """Whether the seal cannot be trusted now (and the fallback said why). ``index``: the cache's index as
    ``cached_figures`` found the ledger just now (every file's SHA-256)."""
    from coopctl.store import seals

    current = {rel: info["sha"] for rel, info in index["files"].items()}
    problem = seals.why(coop, last_closed, current)
    if problem is None:
        return False
    _fall_back(problem.message, None if problem.code in SILENT_SEAL_CODES else problem)
    return True


WHOLE_TO_VERIFY = N_(
    "the ledger has balance assertions, pads, closed accounts, lots or plugins, which only the whole load "
    "verifies"
)


def sealed_dry_run(
    coop: Cooperative, month: Month | None, today: datetime.date
) -> tuple[ClosePlan, TreasuryState] | None:
    """The plan and treasury of a dry-run close from the sealed state, or None (load the whole ledger)."""
    sealed = _sealed_figures(coop, write_index=True)
    planned = None if sealed is None else _sealed_plan(coop, sealed[0], month, today)
    if sealed is None or planned is None:
        return None
    figures, plan = sealed[0], planned
    pending = [posting for t in plan_transactions(plan) for posting in t.postings]
    _used()
    return plan, treasury_state(coop, figures, plan.month.last_day, pending, plan.month)


def _sealed_figures(coop: Cooperative, write_index: bool):
    """The cache's figures and index (as ``cached_figures`` found the ledger just now) when the seal holds,
    else None (the fallback says why)."""
    from coopctl.store.cache import cached_figures, described_index

    figures = cached_figures(coop, write_index=write_index)
    index = described_index(coop)
    if figures is None or index is None:
        _fall_back("the cache does not describe the ledger (a whole load is needed)")
        return None
    if _seal_broken(coop, figures.last_closed, index):
        return None
    return figures, index


def _sealed_plan(coop: Cooperative, figures, month: Month | None, today: datetime.date) -> ClosePlan | None:
    """The close's plan from the sealed figures, or None on any refusal (the whole load words it)."""
    month = month or default_close_month(figures, today)
    if close_refusals(figures, month, today):
        _fall_back("a refusal: the whole load words it")
        return None
    plan = plan_close(coop, figures, month)
    if plan.problems or bonus_refusals(plan) or salary_floor_problems(coop):
        _fall_back("a refusal: the whole load words it")
        return None
    return plan


def sealed_close(
    coop: Cooperative, month: Month | None, today: datetime.date
) -> tuple[ClosePlan, WrittenClose, TreasuryState] | None:
    """``close-month`` (writing) from the sealed state, or None (load the whole ledger). The caller holds the
    cooperative's lock.

    Planned as ``sealed_dry_run`` plans; the closing file's text from the month's sources, read again from
    the files that may hold them (changed since the seal, or whose entries reached the month when sealed),
    each parsed and booked alone; written by the same journaled write as the whole load's close. Its
    verification reads the written file alone (``_verify_alone``): sound because the rest of the ledger is
    what the seal and the cache proved, and the ledger has no ``balance``, ``pad``, ``close``, lot or plugin
    that an added file could upset (else: the whole load). After it, the seal reaches the closed month.
    """

    from coopctl.app.closing import (
        closing_path,
        included_by_main,
        later_closing_files,
        month_closing_bytes,
        write_close_text,
    )
    from coopctl.store import cache, seals

    # the index is written once, with the closing file (cache.record_written); this process holds it
    sealed = _sealed_figures(coop, write_index=False)
    if sealed is None:
        return None
    figures, index = sealed
    doc = seals.read(coop)
    if doc is None:
        _fall_back("no seal")
        return None
    usable = (
        doc.get("format") == seals.FORMAT
        and index.get("incremental") is True
        and not coop.coop.ledger_plugins
        and isinstance(index.get("opened"), dict)
    )
    if not usable:
        # balance assertions, pads, closes, lots or plugins: an added file is verified by the whole load
        _fall_back(
            "the ledger needs the whole load to verify a close (balance, pad, lots, plugins)",
            Problem.of("seal.whole_to_verify", WHOLE_TO_VERIFY, severity="warning"),
        )
        return None
    plan = _sealed_plan(coop, figures, month, today)
    if plan is None:
        return None
    month = plan.month
    target = closing_path(coop, month)
    if not included_by_main(coop, target):
        _fall_back("the main ledger does not include closing/ yet")
        return None
    if later_closing_files(coop, month):
        _fall_back("a closing file of this month or a later one is on disk: the whole load refuses it")
        return None
    current = {rel: info["sha"] for rel, info in index["files"].items()}
    read = _month_sources(coop, doc, current, month, index)
    if read is None:
        _fall_back("a file with the month's entries does not read alone")
        return None
    sources, ranges, top = read
    last_day = month.last_day.toordinal()
    opened = {account for account, info in index["opened"].items() if info[0] <= last_day}
    text = month_closing_bytes(coop, plan, sources, opened, False, False)

    verified: list = []

    def verify() -> None:
        verified.append(_verify_alone(coop, target, text, month, index, top))

    try:
        written = write_close_text(coop, target, text, verify)
    except _NotAlone as exc:  # undone: the whole load closes again, and words what is wrong in its own terms
        _fall_back(f"the written file did not verify alone ({exc})")
        return None
    rel = str(target.resolve().relative_to(coop.root.resolve()))
    seals.extend(coop, doc, month, current, ranges, {rel: text})
    pending = [posting for t in plan_transactions(plan) for posting in t.postings]
    treasury = treasury_state(coop, figures, month.last_day, pending, month)
    # the cache with the written file, as verified: the next command (the next month's close) starts warm;
    # ``figures`` get the closing's added in place (done with them above)
    booked, written_figures = verified[-1]
    cache.record_written(coop, rel, text, booked, written_figures)
    _used()
    return plan, written, treasury


def _month_sources(coop: Cooperative, doc: dict, current: dict[str, str], month: Month, index: dict):
    """The sources of ``month`` (a SourceIndex), the date ranges of the files read (None: no entry), and the
    ledger's options; None when a file does not read and book alone."""
    import hashlib

    from beancount.core import data
    from beancount.loader import aggregate_options_map
    from beancount.parser import booking, parser

    from coopctl.adapter.fingerprint import SourceIndex
    from coopctl.adapter.ownfiles import OwnFiles
    from coopctl.store.cache import read_in_this_process

    root = coop.root.resolve()
    own = OwnFiles(coop.ledger_path.parent)
    first_day, last_day = month.first_day, month.last_day
    sealed_files, sealed_ranges = doc["files"], doc["ranges"]
    top = aggregate_options_map(parser.parse_file(str(coop.ledger_path))[2], [])
    entries: list = []
    ranges: dict[str, tuple[int, int] | None] = {}  # None: a file read again that holds no entry
    for rel, sha in current.items():
        path = root / rel
        if not own.is_source(str(path)):
            continue  # closing and opening files: not sources
        changed = sealed_files.get(rel) != sha
        if not changed and (
            rel not in sealed_ranges
            or sealed_ranges[rel][1] < first_day.toordinal()
            or sealed_ranges[rel][0] > last_day.toordinal()
        ):
            continue  # unchanged since the seal, nothing dated in the month (all before it, or all after)
        raw = path.read_bytes()
        if hashlib.sha256(raw).hexdigest() != sha:
            return None  # changed since the cache read it: the whole load reads it
        known = read_in_this_process(path, sha)  # these bytes, booked already by this command's cache
        if known is not None and known[2] is not None:
            booked = known[2]
        else:
            parsed, errors, _options = parser.parse_string(raw, report_filename=str(path))
            if errors:
                return None
            booked, booking_errors = booking.book(sorted(parsed, key=data.entry_sortkey), top)
            if booking_errors:
                return None
        days = [entry.date.toordinal() for entry in booked]
        ranges[rel] = (min(days), max(days)) if days else None
        entries += [entry for entry in booked if first_day <= entry.date <= last_day]
    return SourceIndex(entries, coop.closing_dir), ranges, top


class _NotAlone(Exception):
    """The written closing file does not verify alone: the write is undone and the whole load closes."""


def _verify_alone(coop: Cooperative, target, text: bytes, month: Month, index: dict, top: dict):
    """What the whole reload after a close would find wrong that this close could cause, checked on the
    written file alone: its bytes, parse, amounts (none absurd), booking and balance; its ``open`` directives
    for accounts opened nowhere else; every posting's account open at its date, in a currency its ``open``
    allows; the month closed by its marker; its figures without problems; the main ledger including it.
    Returns its booked entries and figures (what the cache records of it)."""
    from beancount.core import data
    from beancount.ops import validation
    from beancount.parser import booking, parser

    from coopctl.adapter.ledger import _absurd_amounts, _own_currency_annotations, extract_figures
    from coopctl.app.closing import included_by_main
    from coopctl.store.cache import _refused_before_parsing

    if target.read_bytes() != text:
        raise _NotAlone("its bytes are not those written")
    if _refused_before_parsing(text):
        raise _NotAlone("the whole load refuses its bytes")  # a marker line too long: a day of many entries
    entries, errors, _options = parser.parse_file(str(target))
    if errors:
        raise _NotAlone("it does not parse")
    root = coop.root.resolve()
    if _absurd_amounts(entries, root) or _own_currency_annotations(entries, coop.coop.currency, root):
        raise _NotAlone("an amount the whole load refuses")  # a month's sum above the largest amount
    booked, booking_errors = booking.book(sorted(entries, key=data.entry_sortkey), top)
    if (
        booking_errors
        or validation.validate_check_transaction_balances(booked, top)
        or validation.validate_data_types(booked, top)
    ):
        raise _NotAlone("a transaction does not balance")
    opened = {account: (info[0], info[1]) for account, info in index["opened"].items()}
    for entry in booked:
        if isinstance(entry, data.Open):
            if entry.account in opened:
                raise _NotAlone(f"{entry.account} is opened twice")
            opened[entry.account] = (entry.date.toordinal(), sorted(entry.currencies or []))
        elif not isinstance(entry, (data.Transaction, data.Custom)):
            raise _NotAlone("an unexpected directive")
    for entry in booked:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                info = opened.get(posting.account)
                if (
                    info is None
                    or info[0] > entry.date.toordinal()
                    or (info[1] and (posting.units is None or posting.units.currency not in info[1]))
                ):
                    raise _NotAlone(f"{posting.account} is not open on {entry.date}")
    figures, problems = extract_figures(coop, booked)
    if problems:
        raise _NotAlone("its figures have problems")
    if month not in figures.closed or not included_by_main(coop, target):
        raise _NotAlone("the month is not closed by it, or the main ledger does not include it")
    return booked, figures
