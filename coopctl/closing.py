"""The closing file of a month: its deterministic text, and writing it safely.

``closing_text`` renders a ``ClosePlan`` as Beancount text: a header comment,
``open`` directives for accounts the ledger does not open yet, the
``custom "coopctl-close"`` marker that says the month is closed, then per
activity (sorted by id) its contribution transaction and its members' salary
transactions (sorted by member id), one blank line between entries, amounts
aligned within each transaction. Same plan, same bytes.

``write_close`` writes it under the cooperative's lock: first the closing file
(atomically), then, only if the main ledger does not include ``closing/*.beancount``
yet, the main ledger with that include appended (atomically). An interruption
before the second rename leaves the month open and the ledger loadable; after,
the month is wholly closed. The ledger is then reloaded, and any error rolls
both files back.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .config import Cooperative
from .core.close import ClosePlan, plan_transactions
from .errors import CloseRefused, LedgerError, Problem
from .fingerprint import config_digest, fingerprints_by_day, month_sources, sources_digest
from .ledger import CLOSE_MARKER, Books, load_books, main_includes
from .money import fmt_amount
from .safe_io import atomic_write, remove_file

HEADER = "; Written by coopctl close-month {month}. Do not edit by hand:\n; post any correction in the month still open.\n"
INCLUDE_LINE = 'include "closing/*.beancount"'
INCLUDE_BLOCK = f"\n; Closed months, written by coopctl close-month\n{INCLUDE_LINE}\n"


def closing_path(coop: Cooperative, month) -> Path:
    return coop.closing_dir / f"{month}.beancount"


def _transaction(date: str, narration: str, meta: list[tuple[str, str]], postings: list[tuple[str, Decimal]], currency: str) -> str:
    width = max(len(account) for account, _ in postings)
    amounts = [fmt_amount(amount) for _, amount in postings]
    number_width = max(len(a) for a in amounts)
    lines = [f'{date} * "{narration}"']
    lines += [f'  {key}: "{value}"' for key, value in meta]
    lines += [f"  {account:<{width}}  {amount:>{number_width}} {currency}" for (account, _), amount in zip(postings, amounts)]
    return "\n".join(lines) + "\n"


def marker_text(plan: ClosePlan, by_day: dict, config_digest: str, include_added: bool) -> str:
    """The ``custom "coopctl-close"`` directive: the month is closed, and from what."""
    day = plan.month.last_day.isoformat()
    lines = [f'{day} custom "{CLOSE_MARKER}" "{plan.month}"',
             f'  config: "{config_digest}"',
             f'  sources: "{sources_digest(by_day)}"',
             f"  entries: {sum(len(v) for v in by_day.values())}"]
    if include_added:
        lines.append("  include_added: TRUE")
    lines += [f'  d{d.day:02d}: "{" ".join(prints)}"' for d, prints in sorted(by_day.items())]
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


def included_by_main(coop: Cooperative, target: Path) -> bool:
    """Whether one of the main ledger's own include patterns matches ``target``."""
    folder = coop.ledger_path.parent
    for pattern in main_includes(coop.ledger_path):
        full = pattern if Path(pattern).is_absolute() else str(folder / pattern)
        if fnmatch.fnmatch(str(target), full):
            return True
    return False


@dataclass(frozen=True)
class WrittenClose:
    closing_file: Path
    include_added: bool


def write_close(coop: Cooperative, plan: ClosePlan, books: Books) -> WrittenClose:
    """Write the closing file (and the include, the first time); verify; roll back on error.

    The caller holds the cooperative's lock and has checked the refusals.
    """
    target = closing_path(coop, plan.month)
    needs_include = not included_by_main(coop, target)
    sources = month_sources(books.ledger.entries, plan.month, coop.closing_dir)
    marker = marker_text(plan, fingerprints_by_day(sources), config_digest(coop, plan.month), needs_include)
    if target.exists():
        existing = target.read_text(encoding="utf-8", errors="replace")
        if not existing.startswith("; Written by coopctl close-month"):
            raise CloseRefused.one(f"{target.name} exists and was not written by coopctl; move it away first",
                                   str(target.relative_to(coop.root)))
    main = coop.ledger_path
    main_before = main.read_bytes()
    text = closing_text(plan, books.figures.open_accounts, marker)
    atomic_write(target, text.encode("utf-8"), fault_points=True)
    include_added = False
    try:
        if needs_include:
            atomic_write(main, main_before + INCLUDE_BLOCK.encode("utf-8"), fault_points=True)
            include_added = True
        books = load_books(coop, year=books.year)
        errors = [p for p in books.problems if p.severity == "error"]
        if plan.month not in books.figures.closed:
            errors.append(Problem(f"{target.name} was written but the main ledger does not load it"))
        if errors:
            raise LedgerError([Problem("the ledger does not load cleanly after the close; nothing was changed"), *errors])
    except BaseException:
        if include_added:
            atomic_write(main, main_before, fault_points=True)
        remove_file(target)
        raise
    return WrittenClose(target, include_added)
