"""The closing file of a month: its deterministic text, and writing it safely.

``closing_text`` renders a ``ClosePlan`` as Beancount text: a header comment,
``open`` directives for accounts the ledger does not open yet, the
``custom "coopctl-close"`` marker that says the month is closed, then per
activity (sorted by id) its contribution transaction and its members' salary
transactions (sorted by member id), one blank line between entries, amounts
aligned within each transaction. Same plan, same bytes.

The text is a pure function of the config and the month's sources (the entries people wrote), so
``check`` proves every closed month by writing its file again (``coopctl.app.recompute``).

``write_close`` writes it under the cooperative's lock as one journaled group (``coopctl.store.journal``):
the closing file and, only if the main ledger does not include ``closing/*.beancount`` yet, the main
ledger with that include appended. The ledger is then reloaded; any error, or an interruption at any
point, puts both files back as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from hashlib import sha256
from pathlib import Path

from coopctl.adapter.fingerprint import (
    SourceIndex,
    config_digest,
    fingerprints_by_day,
    full_digest,
    full_fingerprints,
    sources_digest,
)
from coopctl.adapter.ledger import CLOSE_MARKER, Books, main_includes
from coopctl.adapter.ownfiles import MONTH_CLOSE, YEAR_CLOSE, OwnFile, OwnFiles, on_disk
from coopctl.adapter.text import quote
from coopctl.core.close import ClosePlan, plan_transactions
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.figures import FINGERPRINTS_PER_LINE
from coopctl.domain.money import fmt_amount
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, CloseRefused, LedgerError, Problem
from coopctl.store.journal import Change, write_group

HEADER = (
    "; Written by coopctl close-month {month}. Do not edit by hand:\n"
    "; post any correction in the month still open.\n"
)
INCLUDE_LINE = 'include "closing/*.beancount"'
INCLUDE_COMMENT = "; Closed months, written by coopctl close-month"
INCLUDE_BLOCK = f"\n{INCLUDE_COMMENT}\n{INCLUDE_LINE}\n"


def main_with_include(main: bytes) -> bytes:
    """The main ledger with the closings' include: appended as INCLUDE_BLOCK, or, when a line of the
    block's comment is left without its include (the include removed by hand), the include right under
    that comment, so that closing again never writes the comment twice."""
    comment = f"\n{INCLUDE_COMMENT}\n".encode("utf-8")
    at = main.rfind(comment)
    if at >= 0 and not main[at + len(comment) :].startswith(INCLUDE_LINE.encode("utf-8")):
        cut = at + len(comment)
        return main[:cut] + INCLUDE_LINE.encode("utf-8") + b"\n" + main[cut:]
    return main + INCLUDE_BLOCK.encode("utf-8")


def main_without_include(main: bytes) -> bytes | None:
    """The main ledger without the block close-month added (None when it is not there as written): at the
    end, or where it is when lines were added after it since (e.g. the next month's include)."""
    block = INCLUDE_BLOCK.encode("utf-8")
    if main.endswith(block):
        return main[: -len(block)]
    at = main.rfind(block)
    return None if at < 0 else main[:at] + main[at + len(block) :]


def closing_path(coop: Cooperative, month) -> Path:
    return coop.closing_dir / f"{month}.beancount"


def _transaction(
    date: str, narration: str, meta: list[tuple[str, str]], postings: list[tuple[str, Decimal]], currency: str
) -> str:
    width = max(len(account) for account, _ in postings)
    amounts = [fmt_amount(amount) for _, amount in postings]
    number_width = max(len(a) for a in amounts)
    lines = [f"{date} * {quote(narration)}"]
    lines += [f"  {key}: {quote(value)}" for key, value in meta]
    lines += [
        f"  {account:<{width}}  {amount:>{number_width}} {currency}"
        for (account, _), amount in zip(postings, amounts)
    ]
    return "\n".join(lines) + "\n"


def marker_text(
    plan: ClosePlan,
    by_day: dict,
    config_digest: str,
    include_added: bool,
    before: dict[Month, tuple[str, int]] | None = None,
    digest: str = "",
) -> str:
    """The ``custom "coopctl-close"`` directive: the month is closed, and from what.

    ``before`` (the first close only): per earlier month, the digest and count of its entries, so that
    the months before the first close are sealed as well (``pYYYY-MM: "digest count"``).
    """
    day = plan.month.last_day.isoformat()
    lines = [
        f'{day} custom "{CLOSE_MARKER}" "{plan.month}"',
        f'  config: "{config_digest}"',
        f'  sources: "{sources_digest(by_day)}"',
        f"  entries: {sum(len(v) for v in by_day.values())}",
        *([f'  digest: "{digest}"'] if digest else []),
    ]
    if include_added:
        lines.append("  include_added: TRUE")
    lines += [f'  p{month}: "{digest} {count}"' for month, (digest, count) in sorted((before or {}).items())]
    for d, prints in sorted(by_day.items()):  # a busy day goes on over dNN_2, dNN_3… (no line too long)
        for part, start in enumerate(range(0, max(len(prints), 1), FINGERPRINTS_PER_LINE), start=1):
            key = f"d{d.day:02d}" + (f"_{part}" if part > 1 else "")
            lines.append(f'  {key}: "{" ".join(prints[start : start + FINGERPRINTS_PER_LINE])}"')
    return "\n".join(lines) + "\n"


def closing_text(plan: ClosePlan, open_accounts: set[str], marker: str) -> str:
    day, cur = plan.month.last_day.isoformat(), plan.currency
    transactions = plan_transactions(plan)
    blocks = [_transaction(day, t.narration, list(t.meta), list(t.postings), cur) for t in transactions]
    used = {account for t in transactions for account, _ in t.postings}
    to_open = sorted(account for account in used if account not in open_accounts)
    head = HEADER.format(month=plan.month)
    if to_open:
        head += "\n" + "".join(f"{day} open {account}\n" for account in to_open)
    head += "\n" + marker
    return "\n".join([head, *blocks])


def period_records(sources: SourceIndex, first: Month) -> dict[Month, tuple[str, int]]:
    """Digest and count of the entries of each month before ``first`` (the first closed month)."""
    records = {}
    for month, entries in sources.by_month.items():
        if month < first and entries:
            records[month] = (full_digest(entries), len(entries))
    return records


def accounts_open_on(entries: list, day, own_files: OwnFiles, skip: OwnFile | None = None) -> set[str]:
    """The accounts opened on or before ``day``, but by the file ``skip`` (a closing file's own opens)."""
    from beancount.core import data

    return {
        e.account
        for e in entries
        if isinstance(e, data.Open)
        and e.date <= day
        and (skip is None or own_files.kind(e.meta.get("filename")) != skip)
    }


def month_closing_bytes(
    coop: Cooperative,
    plan: ClosePlan,
    sources: SourceIndex,
    open_accounts: set[str],
    include_added: bool,
    first: bool,
    legacy: bool = False,
) -> bytes:
    """The closing file of ``plan.month``: a pure function of the plan, the month's sources and the config.

    ``legacy``: as coopctl 0.1 wrote it (no full digest, no records of the months before the first close),
    to prove the closings an older coopctl wrote (``check`` then says they are sealed less strongly).
    """
    entries = sources.month(plan.month)
    full = full_fingerprints(entries)  # each entry hashed once, for its short fingerprint and the digest
    by_day = fingerprints_by_day(entries, full)
    before = period_records(sources, plan.month) if first and not legacy else None
    marker = marker_text(
        plan,
        by_day,
        config_digest(coop, plan.month),
        include_added,
        before,
        "" if legacy else full_digest(entries, full),
    )
    return closing_text(plan, open_accounts, marker).encode("utf-8")


def included_by_main(coop: Cooperative, target: Path) -> bool:
    """Whether one of the main ledger's own include patterns reaches ``target`` (even before it exists),
    by the rule the load follows (``adapter.includes``)."""
    from coopctl.adapter.includes import reaches

    main = coop.ledger_path
    return any(reaches(pattern, main, target) for pattern in main_includes(main))


@dataclass(frozen=True)
class WrittenClose:
    closing_file: Path
    include_added: bool
    # the SHA-256 of the main ledger as the close left it, when that is the main ledger the close's load read
    # (with the include, when the close added it); "" when the main ledger changed meanwhile (``write_close``)
    main_sha: str = ""
    closing_sha: str = ""  # the SHA-256 of the closing file written


def later_closing_files(coop: Cooperative, month: Month) -> list[Path]:
    """Closing files on disk for ``month`` or a later month (or year), included by the ledger or not."""
    own, _strangers = on_disk(coop.ledger_path.parent)
    return sorted(
        path
        for path, kind in own.items()
        if (kind.kind == MONTH_CLOSE and kind.month is not None and kind.month >= month)
        or (kind.kind == YEAR_CLOSE and kind.year is not None and kind.year >= month.year)
    )


def refuse_later_files(coop: Cooperative, month: Month) -> None:
    """A closing file already on disk for ``month`` or a later one is never written over: refused."""
    existing = later_closing_files(coop, month)
    if existing:
        rel = str(existing[0].relative_to(coop.root))
        raise CloseRefused.of(
            "close.later_file_on_disk",
            N_(
                "{path} exists on disk although {month} is open: the ledger does not load it "
                "(is its include missing from the main ledger?); restore the include, or move the file "
                "away if it is not meant to be there; nothing was written"
            ),
            file=rel,
            path=rel,
            month=str(month),
        )


def write_close(coop: Cooperative, plan: ClosePlan, books: Books) -> tuple[WrittenClose, Books]:
    """Write the closing file (and the include, the first time) as one journaled group; verify the ledger.
    Returns what was written and the verifying reload (the ledger as written, proven).

    The caller holds the cooperative's lock and has checked the refusals. A closing file already on disk
    for this month or a later one is never written over: the close is refused. ``books.ledger.entries`` is
    emptied once the closing's text is made: the reload would otherwise hold a second ledger in memory (a
    federation's close peaked at 13 GiB); the caller keeps ``books.figures``.
    """
    target = closing_path(coop, plan.month)
    refuse_later_files(coop, plan.month)
    needs_include = not included_by_main(coop, target)
    own_files = OwnFiles(coop.ledger_path.parent)
    sources = SourceIndex(books.ledger.entries, coop.closing_dir)
    first = not books.figures.closed and books.figures.last_closed is None
    opened = accounts_open_on(books.ledger.entries, plan.month.last_day, own_files)
    text = month_closing_bytes(coop, plan, sources, opened, needs_include, first)
    del sources
    books.ledger.entries = []  # let the first load go before the verifying reload (see above)
    main = coop.ledger_path
    changes = [Change(target, text)]
    proven_main = next(
        (sha for name, sha in books.ledger.digests.items() if Path(name).resolve() == main.resolve()), ""
    )
    main_sha = proven_main
    if needs_include:
        main_before = main.read_bytes()
        changes.append(Change(main, main_with_include(main_before)))
        # the main ledger as the load read it, with the include: else an edit the closing was not made from
        main_sha = sha256(main_with_include(main_before)).hexdigest()
        if sha256(main_before).hexdigest() != proven_main:
            main_sha = ""
    reloaded: list[Books] = []

    def verify() -> None:
        # the reload (of the year alone after close-year), recorded in the cache as a read-only command
        # records it: the next command (a dry run, the next close through the seal) finds the cache
        # describing the ledger as written (a year alone: when the cache knows the earlier years, see
        # store_year_load)
        from coopctl.store.cache import load_books_filling_cache

        after = (
            load_books_filling_cache(coop)
            if books.year is None
            else load_books_filling_cache(coop, books.year)
        )
        reloaded.append(after)
        errors = [p for p in after.problems if p.severity == "error"]
        if plan.month not in after.figures.closed:
            errors.append(
                Problem.of(
                    "write.not_loaded",
                    N_("{name} was written but the main ledger does not load it"),
                    name=target.name,
                )
            )
        if errors:
            raise LedgerError(
                [
                    Problem.of(
                        "write.close_unclean",
                        N_("the ledger does not load cleanly after the close; nothing was changed"),
                    ),
                    *errors,
                ]
            )

    write_group(coop.root, changes, verify, new_folders=(coop.closing_dir,))
    return WrittenClose(target, needs_include, main_sha, sha256(text).hexdigest()), reloaded[-1]


def write_close_text(coop: Cooperative, target: Path, text: bytes, verify) -> WrittenClose:
    """Write a closing file already included by the main ledger, as the journaled group ``write_close``
    writes (``verify`` raising undoes it)."""
    write_group(coop.root, [Change(target, text)], verify, new_folders=(coop.closing_dir,))
    return WrittenClose(target, False)
