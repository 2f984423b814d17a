"""``coopctl payroll import FILE.csv``: book the real payroll's differences in the first open month.

The CSV is read and checked (``core.payroll_import``); then, under the cooperative's lock, one journaled
group (``store.journal``) writes ``ledgers/payroll/<open month>-actual-<month>.beancount`` and, the first
time, appends ``include "payroll/*.beancount"`` to the main ledger; the ledger is reloaded and any error
puts both files back. The file is named after the month it is dated in first, so that it belongs to that
year (``adapter.ledger.file_year``): a closed and sealed year never gains a file.

The file is an ordinary source file of the open month, not one of coopctl's own (``adapter.ownfiles``):
its figures come from the payroll bureau, so no recomputation could prove it. Like every entry a person
writes, it may be corrected by hand while its month is open; the next close seals it with the month's
other sources, and ``check`` then catches any later change to it like any other closed-month change.
A month is imported once: any entry with ``payroll_actual:`` metadata for it, or a file of it on disk,
refuses a second import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from coopctl.adapter.ledger import Books, load_books, require_clean
from coopctl.adapter.text import quote
from coopctl.app.closing import included_by_main
from coopctl.app.commands import open_cooperative
from coopctl.core.payroll_import import (
    META_KEY,
    Reconciliation,
    correction_transactions,
    parse_actual_csv,
    reconcile,
)
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.money import fmt_amount
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, CloseRefused, LedgerError, Problem
from coopctl.store.journal import Change, write_group
from coopctl.store.safe_io import command_line, cooperative_lock, read_input

FOLDER = "payroll"
INCLUDE_LINE = f'include "{FOLDER}/*.beancount"'
INCLUDE_BLOCK = f"\n; The real payroll's differences, written by coopctl payroll import\n{INCLUDE_LINE}\n"
FILE_RE = re.compile(r"(\d{4}-\d{2})-actual-(\d{4}-\d{2})\.beancount")
MAX_CSV_BYTES = 5_000_000


@dataclass(frozen=True)
class ImportResult:
    reconciliation: Reconciliation
    dry_run: bool
    file: str  # the file written (or that would be), relative to the cooperative's folder
    include_added: bool


def import_path(coop: Cooperative, booked_in: Month, month: Month) -> Path:
    return coop.ledger_path.parent / FOLDER / f"{booked_in}-actual-{month}.beancount"


def imported_months(coop: Cooperative, books: Books) -> dict[Month, str]:
    """The months already imported: by the entries' ``payroll_actual:`` metadata, and by the files on disk."""
    from beancount.core import data

    root = coop.root.resolve()
    found: dict[Month, str] = {}
    for entry in books.ledger.entries:
        if isinstance(entry, data.Transaction) and META_KEY in entry.meta:
            try:
                month = Month.parse(str(entry.meta[META_KEY]))
            except ValueError:
                continue
            filename = Path(str(entry.meta.get("filename", "")))
            where = str(filename.relative_to(root)) if filename.is_relative_to(root) else str(filename)
            found.setdefault(month, f"{where}:{entry.meta.get('lineno')}")
    folder = coop.ledger_path.parent / FOLDER
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            match = FILE_RE.fullmatch(path.name)
            if match:
                found.setdefault(Month.parse(match.group(2)), str(path.relative_to(coop.root)))
    return found


def read_csv(path: Path) -> str:
    """The CSV's text (UTF-8, a byte-order mark allowed), or one refusal naming the file."""
    try:
        raw = read_input(path, MAX_CSV_BYTES, str(path))
        if len(raw) > MAX_CSV_BYTES:
            raise CloseRefused.of(
                "payroll_import.too_big",
                N_("larger than {limit} bytes: is this a payroll CSV?"),
                file=str(path),
                limit=MAX_CSV_BYTES,
            )
    except OSError as exc:
        raise CloseRefused.of(
            "payroll_import.unreadable",
            N_("cannot read: {reason}"),
            file=str(path),
            reason=exc.strerror or str(exc),
        ) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CloseRefused.of(
            "payroll_import.not_utf8",
            N_("not valid UTF-8; save the file as UTF-8 (CSV UTF-8)"),
            file=str(path),
            line=raw[: exc.start].count(b"\n") + 1,
        ) from None


def import_text(result: Reconciliation, currency: str) -> str:
    """The file's text: a header, then one transaction per member (deterministic)."""
    day = result.booked_in.first_day.isoformat()
    blocks = [
        f"; Written by coopctl payroll import: the real payroll of {result.month} (the payroll bureau's\n"
        f"; figures) minus what the close of {result.month} booked, dated in {result.booked_in}, the first\n"
        "; open month. An ordinary ledger file: correct it by hand while its month is open if needed.\n"
    ]
    for narration, meta, postings in correction_transactions(result):
        lines = [f"{day} * {quote(narration)}"]
        lines += [f"  {key}: {quote(value)}" for key, value in meta]
        if postings:
            width = max(len(account) for account, _ in postings)
            amounts = [fmt_amount(amount) for _, amount in postings]
            number = max(len(a) for a in amounts)
            lines += [
                f"  {account:<{width}}  {amount:>{number}} {currency}"
                for (account, _), amount in zip(postings, amounts)
            ]
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def payroll_import(root: Path | None, csv_path: Path, dry_run: bool) -> ImportResult:
    """Check the CSV against the ledger and, unless ``dry_run``, book the differences."""
    coop = open_cooperative(root)
    text = read_csv(csv_path)
    rows, problems = parse_actual_csv(text, str(csv_path))
    if problems:
        raise CloseRefused(problems)
    if dry_run:
        return _import(coop, rows, str(csv_path), dry_run=True)
    with cooperative_lock(coop.root, command_line()):
        return _import(coop, rows, str(csv_path), dry_run=False)


def _import(coop: Cooperative, rows: list, file: str, dry_run: bool) -> ImportResult:
    books = load_books(coop)
    require_clean(books)
    result, problems = reconcile(coop, books.figures, rows, file, imported_months(coop, books))
    if problems:
        raise CloseRefused(problems)
    assert result is not None
    target = import_path(coop, result.booked_in, result.month)
    rel = str(target.relative_to(coop.root))
    needs_include = not included_by_main(coop, target)
    if dry_run:
        return ImportResult(result, True, rel, needs_include)
    main = coop.ledger_path
    changes = [Change(target, import_text(result, coop.coop.currency).encode("utf-8"))]
    if needs_include:
        changes.append(Change(main, main.read_bytes() + INCLUDE_BLOCK.encode("utf-8")))

    def verify() -> None:
        after = load_books(coop)
        errors = [p for p in after.problems if p.severity == "error"]
        loaded = [
            e
            for e in after.ledger.entries
            if (e.meta or {}).get(META_KEY) == str(result.month)
            and Path(str(e.meta.get("filename", ""))).resolve() == target.resolve()
        ]
        if len(loaded) != len(result.differences):
            errors.append(
                Problem.of(
                    "payroll_import.not_loaded",
                    N_("{file} was written but the main ledger does not load it"),
                    file=rel,
                )
            )
        if errors:
            after_import = N_("the ledger does not load cleanly after the import; nothing was changed")
            raise LedgerError([Problem.of("payroll_import.ledger_after", after_import), *errors])

    write_group(coop.root, changes, verify, new_folders=(target.parent,))
    return ImportResult(result, False, rel, needs_include)
