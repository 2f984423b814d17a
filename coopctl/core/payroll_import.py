"""The real payroll, reconciled: a payroll bureau's figures against what a close booked. Pure.

``parse_actual_csv`` reads the bureau's CSV (columns ``member,month,gross,employer_contributions,
employee_contributions,net``, in any order, one row per member, every row for the same month; amounts
with a dot and at most two decimals, never negative; net = gross − employee contributions, the net before
any income tax withheld, as coopctl's own net). ``reconcile`` checks each row against the ledger (the month
closed and not imported yet, the member known and paid that month) and computes the differences;
``correction_text`` writes them as Beancount transactions dated the first day of the first open month, one
per member (a member without difference gets a transaction without postings: the record that their
payslip was checked).

Every refusal is a ``Problem`` naming the CSV file and the row's line.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopctl.domain.cooperative import MAX_AMOUNT, Cooperative
from coopctl.domain.figures import BookedSalary, LedgerFigures
from coopctl.domain.money import ZERO, fmt_amount, plain_amount
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem

COLUMNS = ("member", "month", "gross", "employer_contributions", "employee_contributions", "net")
AMOUNTS = COLUMNS[2:]
META_KEY = "payroll_actual"  # the metadata naming the month a correction is for
MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}")


@dataclass(frozen=True)
class ActualRow:
    """One member's real payslip figures, from line ``line`` of the CSV."""

    line: int
    member: str
    month: Month
    gross: Decimal
    employer_contributions: Decimal
    employee_contributions: Decimal
    net: Decimal


@dataclass(frozen=True)
class Figures4:
    gross: Decimal
    employer_contributions: Decimal
    employee_contributions: Decimal
    net: Decimal

    @property
    def cost(self) -> Decimal:
        return self.gross + self.employer_contributions

    @property
    def social(self) -> Decimal:
        return self.employer_contributions + self.employee_contributions

    def minus(self, other: "Figures4") -> "Figures4":
        return Figures4(
            self.gross - other.gross,
            self.employer_contributions - other.employer_contributions,
            self.employee_contributions - other.employee_contributions,
            self.net - other.net,
        )


@dataclass(frozen=True)
class Difference:
    """A member's real figures, what the close booked, and the correction (real − booked)."""

    line: int
    member: str
    name: str
    activity: str
    booked: Figures4
    actual: Figures4

    @property
    def difference(self) -> Figures4:
        return self.actual.minus(self.booked)


@dataclass(frozen=True)
class Reconciliation:
    month: Month  # the month the payslips are for (closed)
    booked_in: Month  # the first open month, where the corrections are dated
    differences: tuple[Difference, ...]
    not_in_file: tuple[str, ...]  # members the close paid that the file does not list

    def totals(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for key in ("gross", "employer_contributions", "employee_contributions", "net", "cost"):
            out[key] = sum((getattr(d.difference, key) for d in self.differences), ZERO)
        return out


def _problem(code: str, template: str, file: str, line: int, **params: Any) -> Problem:
    return Problem.of(code, template, file=file, line=line, **params)


def parse_actual_csv(text: str, file: str) -> tuple[list[ActualRow], list[Problem]]:
    """The rows of a payroll bureau's CSV and the problems of its form (columns, amounts, months,
    duplicates); ``file`` names it in the problems."""
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return [], [
            _problem(
                "payroll_import.empty",
                N_("empty file: expected the header {columns}"),
                file,
                1,
                columns=",".join(COLUMNS),
            )
        ]
    except csv.Error as exc:
        return [], [_problem("payroll_import.csv", N_("not a CSV file: {reason}"), file, 1, reason=str(exc))]
    names = [name.strip() for name in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [n for n in names if n not in COLUMNS]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if missing or unknown or duplicated:
        return [], [
            _problem(
                "payroll_import.header",
                N_(
                    "the header must name the columns {columns} "
                    "(missing: {missing}; unknown: {unknown}; twice: {twice})"
                ),
                file,
                1,
                columns=",".join(COLUMNS),
                missing=", ".join(missing) or "none",
                unknown=", ".join(unknown) or "none",
                twice=", ".join(duplicated) or "none",
            )
        ]
    index = {name: names.index(name) for name in COLUMNS}
    rows: list[ActualRow] = []
    first_month: tuple[str, int] | None = None
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(names):
                problems.append(
                    _problem(
                        "payroll_import.cells",
                        N_("{count} cells where the header has {expected}"),
                        file,
                        line,
                        count=len(cells),
                        expected=len(names),
                    )
                )
                continue
            value = {name: cells[i].strip() for name, i in index.items()}
            row_problems = []
            member = value["member"]
            if not member:
                row_problems.append(_problem("payroll_import.no_member", N_("no member id"), file, line))
            elif member in seen:
                row_problems.append(
                    _problem(
                        "payroll_import.duplicate",
                        N_("{member} is listed twice (first on line {first})"),
                        file,
                        line,
                        member=member,
                        first=seen[member],
                    )
                )
            else:
                seen[member] = line
            month = None
            if not MONTH_RE.fullmatch(value["month"]):
                row_problems.append(
                    _problem(
                        "payroll_import.month",
                        N_("month {value} is not a month; write it as YYYY-MM, e.g. 2026-09"),
                        file,
                        line,
                        value=repr(value["month"]),
                    )
                )
            else:
                try:
                    month = Month.parse(value["month"])
                except ValueError:
                    row_problems.append(
                        _problem(
                            "payroll_import.month",
                            N_("month {value} is not a month; write it as YYYY-MM, e.g. 2026-09"),
                            file,
                            line,
                            value=repr(value["month"]),
                        )
                    )
                if month is not None:
                    if first_month is None:
                        first_month = (str(month), line)
                    elif str(month) != first_month[0]:
                        row_problems.append(
                            _problem(
                                "payroll_import.other_month",
                                N_(
                                    "a row for {month} in a file for {first} (line {first_line}): "
                                    "import one month at a time"
                                ),
                                file,
                                line,
                                month=str(month),
                                first=first_month[0],
                                first_line=first_month[1],
                            )
                        )
            amounts: dict[str, Decimal] = {}
            for column in AMOUNTS:
                amount = plain_amount(value[column], signed=False)
                if amount is not None and amount >= MAX_AMOUNT:
                    row_problems.append(
                        _problem(
                            "payroll_import.amount_large",
                            N_("amount {amount} is not plausible"),
                            file,
                            line,
                            amount=amount,
                        )
                    )
                elif amount is not None:
                    amounts[column] = amount
                else:
                    row_problems.append(
                        _problem(
                            "payroll_import.amount",
                            N_(
                                "{column} {value} is not an amount: write it with a dot and at most two "
                                "decimals, not negative, e.g. 1300.00"
                            ),
                            file,
                            line,
                            column=column,
                            value=repr(value[column]),
                        )
                    )
            if (
                len(amounts) == len(AMOUNTS)
                and amounts["net"] != amounts["gross"] - amounts["employee_contributions"]
            ):
                row_problems.append(
                    _problem(
                        "payroll_import.net",
                        N_(
                            "net {net} is not gross {gross} − employee contributions {employee} "
                            "(= {expected}): give the net before income tax withheld"
                        ),
                        file,
                        line,
                        net=fmt_amount(amounts["net"]),
                        gross=fmt_amount(amounts["gross"]),
                        employee=fmt_amount(amounts["employee_contributions"]),
                        expected=fmt_amount(amounts["gross"] - amounts["employee_contributions"]),
                    )
                )
            if row_problems:
                problems += row_problems
                continue
            assert month is not None
            rows.append(
                ActualRow(
                    line,
                    member,
                    month,
                    amounts["gross"],
                    amounts["employer_contributions"],
                    amounts["employee_contributions"],
                    amounts["net"],
                )
            )
    except csv.Error as exc:
        problems.append(
            _problem(
                "payroll_import.csv", N_("not a CSV file: {reason}"), file, reader.line_num, reason=str(exc)
            )
        )
    if not rows and not problems:
        problems.append(_problem("payroll_import.no_rows", N_("no rows after the header"), file, 1))
    return rows, problems


def _booked_figures(booked: BookedSalary) -> Figures4:
    return Figures4(booked.gross, booked.employer, booked.gross - booked.net, booked.net)


def reconcile(
    coop: Cooperative,
    figures: LedgerFigures,
    rows: list[ActualRow],
    file: str,
    imported: dict[Month, str],
) -> tuple[Reconciliation | None, list[Problem]]:
    """The differences of ``rows`` (one month, from ``parse_actual_csv``) against what the close of that
    month booked; ``imported``: the months already imported, each with where (a file)."""
    if not rows:
        return None, []
    problems: list[Problem] = []
    month, first_line = rows[0].month, rows[0].line
    if not figures.is_closed(month):
        problems.append(
            _problem(
                "payroll_import.open_month",
                N_("{month} is not closed: the real payroll corrects what a close booked; close it first"),
                file,
                first_line,
                month=str(month),
            )
        )
    elif month in imported:
        problems.append(
            _problem(
                "payroll_import.already",
                N_(
                    "the payroll of {month} is already imported ({where}); post any further correction "
                    "by hand in the open month"
                ),
                file,
                first_line,
                month=str(month),
                where=imported[month],
            )
        )
    if problems:
        return None, problems
    booked = {b.member: b for b in figures.booked_salaries.get(month, [])}
    known = {m.id: m for m in coop.members}
    differences = []
    for row in rows:
        if row.member not in known:
            close = difflib.get_close_matches(row.member, list(known), n=1)
            if close:
                problems.append(
                    _problem(
                        "payroll_import.unknown_member",
                        N_(
                            "unknown member {member} (not in config/members.yaml; did you mean {suggestion}?)"
                        ),
                        file,
                        row.line,
                        member=repr(row.member),
                        suggestion=close[0],
                    )
                )
            else:
                problems.append(
                    _problem(
                        "payroll_import.unknown_member",
                        N_("unknown member {member} (not in config/members.yaml)"),
                        file,
                        row.line,
                        member=repr(row.member),
                    )
                )
            continue
        if row.member not in booked:
            problems.append(
                _problem(
                    "payroll_import.not_paid",
                    N_("{member} was not paid in {month}: its close booked no salary for them"),
                    file,
                    row.line,
                    member=row.member,
                    month=str(month),
                )
            )
            continue
        salary = booked[row.member]
        actual = Figures4(row.gross, row.employer_contributions, row.employee_contributions, row.net)
        differences.append(
            Difference(
                row.line, row.member, known[row.member].name, salary.activity, _booked_figures(salary), actual
            )
        )
    if problems:
        return None, problems
    assert figures.last_closed is not None
    listed = {row.member for row in rows}
    return (
        Reconciliation(
            month,
            figures.last_closed.next(),
            tuple(differences),
            tuple(sorted(m for m in booked if m not in listed)),
        ),
        [],
    )


def correction_transactions(
    result: Reconciliation,
) -> list[tuple[str, list[tuple[str, str]], list[tuple[str, Decimal]]]]:
    """(narration, metadata, postings) of each member's correction, in the file's order (by member id)."""
    out = []
    for item in sorted(result.differences, key=lambda d: d.member):
        delta = item.difference
        act = item.activity
        postings = [
            (f"Expenses:Activity:{act}:Salary:Gross", delta.gross),
            (f"Expenses:Activity:{act}:Salary:Employer", delta.employer_contributions),
            ("Liabilities:Payroll:Net", -delta.net),
            ("Liabilities:Payroll:Social", -delta.social),
        ]
        postings = [(account, amount) for account, amount in postings if amount]
        what = "écart" if postings else "aucun écart"
        out.append(
            (
                f"Paie réelle {result.month} — {item.name} ({what})",
                [(META_KEY, str(result.month)), ("member", item.member), ("activity", act)],
                postings,
            )
        )
    return out
