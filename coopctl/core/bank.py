"""Bank statement lines: read from a CSV export, identified, and sent to an invoice, a rule's account or
suspense.

Pure: text in, values out (``coopctl.app.bank`` reads the file, writes the ledger).

- ``parse_statement`` reads a CSV export by a ``BankMapping`` (the generic ``date,label,amount`` or a bank's
  own columns); every bad line is a ``Problem`` naming the file and line.
- ``identify`` gives each line its identity, ``bank_id``: a hash of the bank account, date, amount, label
  and the occurrence of identical lines in the file (two identical coffees on one day stay two lines).
  A line whose identity is already in the ledger is not imported again.
- ``classify``: a line whose label names an open invoice (its reference as a word) settles it; else the
  first rule that matches gives the account; else the line waits in the suspense account.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopctl.core.receivables import OpenInvoice, words
from coopctl.domain.cooperative import MAX_AMOUNT, BankMapping, BankRule
from coopctl.domain.money import plain_amount
from coopctl.domain.policy import MAX_YEAR, MIN_YEAR
from coopctl.domain.problems import N_, Problem

MAX_LABEL = 1000  # characters: a longer label is refused (a bank's are under 150)
MAX_LINES = 50_000  # lines of one statement (a cooperative's month is a few hundred): split a longer one
MATCHED_LABEL = 140  # rules are tried on the label's first characters (a SEPA remittance text is at most 140)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")

INVOICE, RULE, SUSPENSE = "invoice", "rule", "suspense"


@dataclass(frozen=True)
class BankLine:
    date: datetime.date
    label: str
    amount: Decimal  # positive: money in
    line: int  # in the statement file
    bank_id: str = ""


@dataclass(frozen=True)
class Booking:
    """What a line becomes: the bank posting (+amount) balanced by ``postings``."""

    line: BankLine
    kind: str  # INVOICE | RULE | SUSPENSE
    postings: tuple[tuple[str, Decimal], ...]
    invoices: tuple[str, ...] = ()


def clean_label(raw: str) -> str:
    """A label as written to the ledger and matched: control and invisible characters (line breaks, tabs,
    direction overrides) become a space, runs of spaces one."""
    return " ".join(_CONTROL_RE.sub(" ", raw).split())


def _problem(code: str, template: str, file: str, line: int | None, **params: Any) -> Problem:
    return Problem.of(code, template, file=file, line=line, **params)


def parse_amount(text: str, decimal_comma: bool) -> Decimal | None:
    """A bank's amount: ``-1234.56``, or with ``decimal_comma`` ``-1 234,56`` or ``1.234,56``; else None."""
    value = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    if decimal_comma:
        value = value.replace(".", "").replace("'", "").replace(",", ".")
    return plain_amount(value)


def _index(column: str | int, names: dict[str, int] | None) -> int | None:
    if isinstance(column, int):
        return column - 1
    assert names is not None
    return names.get(column.strip().lower())


def parse_statement(text: str, mapping: BankMapping, file: str) -> tuple[list[BankLine], list[Problem]]:
    """The statement's lines (blank lines skipped), and a problem for each line that cannot be read."""
    problems: list[Problem] = []
    physical = text.splitlines(keepends=True)
    skipped = min(mapping.skip_lines, len(physical))
    delimiter = "\t" if mapping.delimiter == "tab" else mapping.delimiter
    reader = csv.reader(io.StringIO("".join(physical[skipped:])), delimiter=delimiter, strict=True)
    names: dict[str, int] | None = None
    width = first = 0  # the header's number of cells (else the first line's), and that line
    labels = mapping.label if isinstance(mapping.label, list) else [mapping.label]
    wanted: list[str | int] = [mapping.date, *labels]
    wanted += [mapping.debit, mapping.credit] if mapping.two_columns else [mapping.amount]  # type: ignore[list-item]
    indexes: dict[str | int, int] = {}
    lines: list[BankLine] = []
    try:
        for record in reader:
            number = skipped + reader.line_num
            if not any(cell.strip() for cell in record):
                continue
            if mapping.header and names is None:
                names = {}
                for position, name in enumerate(record):
                    names.setdefault(clean_label(name).lower(), position)
                missing = [str(c) for c in wanted if _index(c, names) is None]
                if missing:
                    problems.append(
                        _problem(
                            "bank.missing_column",
                            N_("no column {columns} in the header (columns: {found})"),
                            file,
                            number,
                            columns=missing,
                            found=[clean_label(n) for n in record],
                        )
                    )
                    return [], problems
                indexes = {c: _index(c, names) for c in wanted}  # type: ignore[misc]
                width = len(record)
                continue
            if names is None and not width:
                width, first = len(record), number  # no header: the first line sets the width
            if any(cell.strip() for cell in record[width:]):
                # e.g. 1,000.00 unquoted in a comma-separated file: its amount would be read as 1
                problems.append(
                    _problem(
                        "bank.extra_cells",
                        N_(
                            "{count} cells where the header names {expected} columns (an unquoted "
                            "separator in a label or an amount?)"
                        )
                        if names is not None
                        else N_(
                            "{count} cells where line {first} has {expected} (an unquoted separator in a "
                            "label or an amount?)"
                        ),
                        file,
                        number,
                        count=len(record),
                        expected=width,
                        first=first,
                    )
                )
                continue
            if not indexes:
                indexes = {c: _index(c, None) for c in wanted}  # type: ignore[misc]
            if len(lines) >= MAX_LINES:
                problems.append(
                    _problem(
                        "bank.too_many",
                        N_("more than {max} rows; split the file"),
                        file,
                        number,
                        max=MAX_LINES,
                    )
                )
                break
            found = _line(record, number, mapping, indexes, labels, file)
            if isinstance(found, Problem):
                problems.append(found)
            else:
                lines.append(found)
    except csv.Error as exc:
        problems.append(
            _problem(
                "bank.csv",
                N_("not a CSV line as expected: {error}"),
                file,
                skipped + reader.line_num,
                error=str(exc),
            )
        )
    return lines, problems


def _line(
    record: list[str],
    number: int,
    mapping: BankMapping,
    indexes: dict[str | int, int],
    labels: list[str | int],
    file: str,
) -> BankLine | Problem:
    def cell(column: str | int | None) -> str:
        index = indexes.get(column) if column is not None else None
        return record[index] if index is not None and index < len(record) else ""

    raw_date = cell(mapping.date).strip()
    try:
        day = datetime.datetime.strptime(raw_date, mapping.date_format).date()
    except ValueError:
        return _problem(
            "bank.date",
            N_("{value} is not a date in the format {format}"),
            file,
            number,
            value=repr(clean_label(raw_date)[:40]),
            format=mapping.date_format,
        )
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        return _problem("bank.date_range", N_("date {value} is out of range"), file, number, value=day)
    label = clean_label(" ".join(cell(column) for column in labels))
    if len(label) > MAX_LABEL:
        return _problem(
            "bank.label_long",
            N_("label of {length} characters (at most {most})"),
            file,
            number,
            length=len(label),
            most=MAX_LABEL,
        )
    if mapping.two_columns:
        debit_text, credit_text = cell(mapping.debit).strip(), cell(mapping.credit).strip()
        if bool(debit_text) == bool(credit_text):
            return _problem(
                "bank.debit_credit", N_("give a debit or a credit on each line (one of them)"), file, number
            )
        value = parse_amount(debit_text or credit_text, mapping.decimal_comma)
        amount = None if value is None else (-abs(value) if debit_text else abs(value))
        shown = debit_text or credit_text
    else:
        shown = cell(mapping.amount).strip()
        amount = parse_amount(shown, mapping.decimal_comma)
    if amount is None:
        example = "-1 234,56" if mapping.decimal_comma else "-1234.56"
        return _problem(
            "bank.amount",
            N_("{value} is not an amount (write it like {example}, at most two decimals)"),
            file,
            number,
            value=repr(clean_label(shown)[:40]),
            example=example,
        )
    if abs(amount) >= MAX_AMOUNT:
        return _problem(
            "bank.amount_large", N_("amount {amount} is not plausible"), file, number, amount=amount
        )
    if not amount:
        return _problem("bank.amount_zero", N_("amount is zero"), file, number)
    return BankLine(day, label, amount.quantize(Decimal("0.01")), number)


def identify(lines: list[BankLine], account: str) -> list[BankLine]:
    """Each line with its ``bank_id``: the same line of the same account gets the same id in every file."""
    seen: dict[tuple[datetime.date, Decimal, str], int] = {}
    out = []
    for line in lines:
        key = (line.date, line.amount, line.label)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        text = "\x1f".join(
            (account, line.date.isoformat(), f"{line.amount:.2f}", line.label, str(occurrence))
        )
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]
        out.append(BankLine(line.date, line.label, line.amount, line.line, digest))
    return out


def rule_account(label: str, rules: list[BankRule]) -> str | None:
    """The account of the first rule that matches ``label`` (its first ``MATCHED_LABEL`` characters)."""
    text = label[:MATCHED_LABEL]
    folded = text.casefold()
    for rule in rules:
        if rule.contains is not None:
            if rule.contains.casefold() in folded:
                return rule.account
        elif rule.regex is not None and re.search(rule.regex, text, re.IGNORECASE):
            return rule.account
    return None


def classify(
    lines: list[BankLine], invoices: list[OpenInvoice], rules: list[BankRule], suspense: str
) -> list[Booking]:
    """Each line's booking, in order. Lines settle open invoices in turn (what one line pays is no longer
    due for the next)."""
    due = {i.invoice: i for i in invoices}
    left = {i.invoice: i.due for i in invoices}
    bookings = []
    for line in lines:
        named = list(dict.fromkeys(w for w in words(line.label) if w in due and left[w] > 0))
        if named:
            named.sort(key=lambda ref: (due[ref].date, ref))
            postings: list[tuple[str, Decimal]] = []
            if line.amount < 0:  # money out naming an invoice: a refund to the client
                postings.append((due[named[0]].account, -line.amount))
                named = named[:1]
            else:
                remaining = line.amount
                for position, ref in enumerate(named):
                    part = remaining if position == len(named) - 1 else min(remaining, left[ref])
                    if part:
                        postings.append((due[ref].account, -part))
                        left[ref] -= part
                    remaining -= part
                    if not remaining:
                        named = named[: position + 1]
                        break
            bookings.append(Booking(line, INVOICE, tuple(postings), tuple(named)))
            continue
        account = rule_account(line.label, rules)
        if account is not None:
            bookings.append(Booking(line, RULE, ((account, -line.amount),)))
        else:
            bookings.append(Booking(line, SUSPENSE, ((suspense, -line.amount),)))
    return bookings
