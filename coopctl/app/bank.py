"""``coopctl import bank FILE``: a bank statement's new lines into ``ledgers/bank/YYYY-MM.beancount``.

Why not beangulp (Beancount's importer framework): its importers are classes written in Python per bank
and it drives its own command line (identify, extract, archive) that prints entries for a person to paste;
coopctl needs a bank's columns in its YAML config (validated, no code to run), errors naming the
statement's file and line, its own identities for idempotence, and its own safe writes. Reading a CSV
with the standard library is a few dozen lines (``coopctl.core.bank``); beangulp would add six
dependencies (lxml, python-magic, click, chardet, beautifulsoup4) for none of that.

The import runs under the cooperative's lock and writes one journaled group: each month's file (created
with a header, or the new lines appended), the suspense account's ``open`` when the ledger lacks it, and
``include "bank/*.beancount"`` in the main ledger the first time; then the ledger is loaded again and
any error undoes the whole group. Nothing is written when a line cannot be read, falls in a closed month
or needs an account the ledger does not open.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from coopctl.adapter.bank import (
    booking_text,
    file_header,
    imported_entries,
    imported_ids,
    open_text,
    opened_accounts,
    posts,
    suspense_postings,
)
from coopctl.adapter.ledger import Books, load_books, require_clean
from coopctl.adapter.receivables import _relative
from coopctl.app.closing import included_by_main
from coopctl.app.commands import open_cooperative
from coopctl.app.receivables import receivables_of
from coopctl.core.bank import Booking, classify, identify, parse_statement
from coopctl.domain.cooperative import ACCOUNT_NAME_RE, Cooperative
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, CoopctlError, LedgerError, Problem, UsageError
from coopctl.store.journal import Change, write_group
from coopctl.store.safe_io import command_line, cooperative_lock, read_input, read_ledger_file

MAX_STATEMENT_BYTES = 20 * 1024 * 1024
INCLUDE_LINE = 'include "bank/*.beancount"'
INCLUDE_BLOCK = f"\n; Bank statements, written by coopctl import bank\n{INCLUDE_LINE}\n"


class ImportRefused(CoopctlError):
    """The statement cannot be imported; nothing was written."""


@dataclass
class BankImport:
    file: str
    account: str
    mapping: str
    bookings: list[Booking]  # the new lines, in the statement's order
    already: int  # lines already in the ledger (skipped)
    dry_run: bool
    texts: dict[str, str] = field(default_factory=dict)  # file under the cooperative -> the text added
    include_added: bool = False


def bank_path(coop: Cooperative, month: Month) -> Path:
    return coop.ledger_path.parent / "bank" / f"{month}.beancount"


def _is_closed(books: Books, month: Month) -> bool:
    closed = books.figures.closed
    return (
        month in closed or month.year in books.figures.closed_years or bool(closed and month <= max(closed))
    )


def _opening_day(books: Books, day: datetime.date) -> datetime.date:
    """When to open the suspense account for a line of ``day``: the first day of the first open month (a
    line of any open month may use it), but not before the line's year (its file's year)."""
    closed = books.figures.closed
    first_open = max(closed).next().first_day if closed else Month.of(day).first_day
    return max(min(first_open, day), datetime.date(day.year, 1, 1))


def read_statement(path: Path, encoding: str, shown: str) -> str:
    try:
        raw = read_input(path, MAX_STATEMENT_BYTES, shown)
    except OSError as exc:
        raise ImportRefused.of(
            "bank.unreadable",
            N_("cannot read the statement: {error}"),
            file=shown,
            error=exc.strerror or str(exc),
        ) from None
    if len(raw) > MAX_STATEMENT_BYTES:
        raise ImportRefused.of(
            "bank.too_large", N_("the statement is over {size} MB; split it by month"), file=shown, size=20
        )
    if encoding.replace("_", "-").lower() in ("utf-8", "utf8") and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ImportRefused.of(
            "bank.encoding",
            N_("not {encoding} text (byte {byte}); set the mapping's encoding (e.g. latin-1)"),
            file=shown,
            line=line,
            encoding=encoding,
            byte=f"0x{raw[exc.start]:02x}",
        ) from None


def import_bank(
    root: Path | None, statement: Path, mapping_name: str | None, account: str | None, dry_run: bool
) -> BankImport:
    coop = open_cooperative(root)
    config = coop.coop.bank
    name = mapping_name or config.mapping
    mapping = config.mapping_named(name)
    if mapping is None:
        raise UsageError.of(
            "bank.no_mapping",
            N_("no mapping {name} under bank.mappings in config/coop.yaml (mappings: {known})"),
            name=repr(name),
            known=sorted({"generic", *config.mappings}),
        )
    bank_account = account or config.account
    if bank_account is None:
        raise UsageError.of(
            "bank.no_account",
            N_("name the bank account: --account Assets:Bank:… or bank.account in config/coop.yaml"),
        )
    if not ACCOUNT_NAME_RE.match(bank_account):
        raise UsageError.of(
            "bank.bad_account", N_("{account} is not a Beancount account name"), account=repr(bank_account)
        )
    shown = _relative(str(statement), coop.root) or str(statement)
    text = read_statement(statement, mapping.encoding, shown)
    lines, problems = parse_statement(text, mapping, shown)
    if problems:
        raise ImportRefused(problems)
    lines = identify(lines, bank_account)
    if dry_run:
        return _plan(coop, load_books(coop), lines, bank_account, name, shown, dry_run=True)
    with cooperative_lock(coop.root, command_line()):
        return _plan(coop, load_books(coop), lines, bank_account, name, shown, dry_run=False)


def _plan(
    coop, books: Books, lines, bank_account: str, mapping: str, shown: str, dry_run: bool
) -> BankImport:
    require_clean(books)
    entries = books.ledger.entries
    known = imported_entries(entries)
    altered = [
        (line, known[line.bank_id])
        for line in lines
        if line.bank_id in known and not posts(known[line.bank_id], bank_account, line.date, line.amount)
    ]
    if altered:  # a line counted as imported by an entry that does not say it: it would never be booked

        def entry_location(entry) -> str:
            meta = entry.meta or {}
            return f"{_relative(meta.get('filename'), coop.root) or '?'}:{meta.get('lineno')}"

        raise ImportRefused(
            [
                Problem.of(
                    "bank.altered",
                    N_(
                        "this line's bank_id is on the entry at {where}, which does not post {amount} on "
                        "{account} on {date}: restore that entry's date and amount, or remove its bank_id"
                    ),
                    file=shown,
                    line=line.line,
                    where=entry_location(entry),
                    amount=line.amount,
                    account=bank_account,
                    date=line.date,
                )
                for line, entry in altered
            ]
        )
    new = [line for line in lines if line.bank_id not in known]
    result = BankImport(shown, bank_account, mapping, [], len(lines) - len(new), dry_run)
    if not new:
        return result
    refusals = [
        Problem.of(
            "bank.closed_month",
            N_(
                "{date} falls in {month}, which is closed: cut the closed months' lines from the statement, "
                "or reopen {month} (coopctl reopen); nothing was written"
            ),
            file=shown,
            line=line.line,
            date=line.date,
            month=str(Month.of(line.date)),
        )
        for line in new
        if _is_closed(books, Month.of(line.date))
    ]
    if refusals:
        raise ImportRefused(refusals)
    config = coop.coop.bank
    invoices = receivables_of(coop, entries, max(line.date for line in new)).invoices
    bookings = classify(new, invoices, config.rules, config.suspense)
    opened = opened_accounts(entries)
    to_open: dict[str, datetime.date] = {}
    refused: set[str] = set()
    for booking in bookings:
        for account in [bank_account, *(a for a, _ in booking.postings)]:
            day = booking.line.date
            if account not in opened and account == config.suspense:
                to_open[account] = min(to_open.get(account, day), _opening_day(books, day))
            elif (account not in opened or opened[account] > day) and account not in refused:
                refused.add(account)  # named once, at its first line
                refusals.append(
                    Problem.of(
                        "bank.account_not_open",
                        N_(
                            "account {account} is not open on {date}: open it in the ledger (e.g. "
                            "2020-01-01 open {account} {currency})"
                        ),
                        file=shown,
                        line=booking.line.line,
                        account=account,
                        date=day,
                        currency=coop.coop.currency,
                    )
                )
    if refusals:
        raise ImportRefused(refusals)
    currency = coop.coop.currency
    by_month: dict[Month, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_month[Month.of(booking.line.date)].append(booking)
    changes: list[Change] = []
    for month in sorted(by_month):
        target = bank_path(coop, month)
        shown_target = str(target.relative_to(coop.root))
        before = read_ledger_file(target, shown_target) if target.exists() else ""
        chunks = [] if before else [file_header(str(month), config.suspense)]
        for account, day in to_open.items():
            if month == min(by_month):
                chunks.append(open_text(day, account, currency))
        ordered = sorted(by_month[month], key=lambda b: (b.line.date, b.line.line))
        chunks += [booking_text(b, bank_account, currency) for b in ordered]
        added = "\n".join(chunks)
        if before and not before.endswith("\n"):
            before += "\n"
        after = before + ("\n" if before else "") + added
        result.texts[str(target.relative_to(coop.root))] = added
        changes.append(Change(target, after.encode("utf-8")))
    result.bookings = bookings
    main = coop.ledger_path
    if not included_by_main(coop, bank_path(coop, min(by_month))):
        result.include_added = True
        changes.append(Change(main, main.read_bytes() + INCLUDE_BLOCK.encode("utf-8")))
    if dry_run:
        return result
    wanted = {b.line.bank_id for b in bookings}

    def verify() -> None:
        after = load_books(coop)
        errors = [p for p in after.problems if p.severity == "error"]
        if not wanted <= imported_ids(after.ledger.entries):
            errors.append(
                Problem.of(
                    "bank.not_loaded",
                    N_("the bank files were written but the main ledger does not load them"),
                )
            )
        if errors:
            after_import = N_("the ledger does not load cleanly after the import; nothing was changed")
            raise LedgerError([Problem.of("bank.ledger_after", after_import), *errors])

    write_group(coop.root, changes, verify, new_folders=(main.parent / "bank",))
    return result


def suspense_problems(coop: Cooperative, books: Books) -> list[Problem]:
    """For ``check``: each posting to the suspense account while that account does not sum to zero."""
    account = coop.coop.bank.suspense
    found = suspense_postings(books.ledger.entries, account)
    if not found or sum(amount for _, amount in found) == 0:
        return []
    from coopctl.adapter.ledger import posting_line

    problems = []
    for entry, amount in found:
        filename, line = posting_line(entry, account)
        problems.append(
            Problem.of(
                "bank.suspense",
                N_("{amount} waits in {account} since {date} ({label}): replace {account} by the right one"),
                file=_relative(filename, coop.root),
                line=line,
                severity="warning",
                amount=amount,
                account=account,
                date=entry.date,  # type: ignore[attr-defined]
                label=entry.narration,  # type: ignore[attr-defined]
            )
        )
    return problems
