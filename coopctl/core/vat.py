"""The VAT of a period (``coopctl vat 2026-09``, ``2026-Q3``, ``2026``), as the CA3 return wants it.

The period's VAT is the VAT postings of the entries dated in the period that also post to an income or an
expense account (or to a fixed asset, class 2): the invoices and the purchases. An entry that moves VAT
against the bank only (the settlement of an earlier return) or against another balance-sheet account is
not part of it; it is listed as excluded.

VAT accounts are known by their French chart number (``core.fec``: ``pcg:`` metadata or the default map):
4457… collected, 4456… deductible (44562, on fixed assets, goes to line 19; the others to line 20).

Each entry's rate is its VAT divided by its base (the income postings for collected VAT, the expense and
fixed-asset postings for deductible VAT), taken as the nearest standard French rate (20 %, 10 %, 5.5 %,
2.1 %) when base × rate is within a cent per base posting of the VAT; else "other" (listed, no CA3 line).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from coopctl.core.fec import ChartEntry, FecTxn
from coopctl.domain.money import CENT, ZERO

RATES = (Decimal("0.20"), Decimal("0.10"), Decimal("0.055"), Decimal("0.021"))
# CA3 lines of collected VAT by rate (2.1 % is declared on annex 3310-A, whose total goes to line 14)
COLLECTED_LINES = {
    Decimal("0.20"): "08",
    Decimal("0.10"): "9B",
    Decimal("0.055"): "09",
    Decimal("0.021"): "14",
}
LINE_FIXED_ASSETS, LINE_OTHER_GOODS = "19", "20"
LINE_GROSS_TOTAL, LINE_DEDUCTIBLE_TOTAL, LINE_CREDIT, LINE_DUE = "16", "23", "25", "28"
CA3_LABELS = {
    "08": "Taux normal 20 %",
    "9B": "Taux réduit 10 %",
    "09": "Taux réduit 5,5 %",
    "14": "Opérations imposables à un taux particulier (annexe 3310-A : 2,1 %)",
    "16": "Total de la TVA brute due",
    "19": "TVA déductible : biens constituant des immobilisations",
    "20": "TVA déductible : autres biens et services",
    "23": "Total TVA déductible",
    "25": "Crédit de TVA (ligne 23 - ligne 16)",
    "28": "TVA nette due (ligne 16 - ligne 23)",
}

_PERIOD_RE = re.compile(r"(\d{4})(?:-(\d{2})|-[Qq]([1-4]))?")


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime.date
    end: datetime.date  # included

    @property
    def year(self) -> int:
        return self.start.year


def parse_period(text: str) -> Period:
    """``2026-09`` (a month), ``2026-Q3`` (a quarter) or ``2026`` (a year); ValueError otherwise."""
    match = _PERIOD_RE.fullmatch(text.strip())
    year = int(match.group(1)) if match else 0
    if not match or not 1900 < year < 3000 or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
        raise ValueError(f"{text!r} is not a period; write a month 2026-09, a quarter 2026-Q3 or a year 2026")
    if match.group(2):
        first = int(match.group(2))
        last = first
        label = f"{year:04d}-{first:02d}"
    elif match.group(3):
        quarter = int(match.group(3))
        first, last = 3 * quarter - 2, 3 * quarter
        label = f"{year:04d}-Q{quarter}"
    else:
        first, last, label = 1, 12, f"{year:04d}"
    end = datetime.date(year + last // 12, last % 12 + 1, 1) - datetime.timedelta(days=1)
    return Period(label, datetime.date(year, first, 1), end)


@dataclass(frozen=True)
class VatLine:
    side: str  # "collected" | "deductible"
    rate: Decimal | None  # None: not a standard rate ("other")
    base: Decimal
    vat: Decimal
    ca3_line: str  # "" when the rate is not a standard one (collected)
    entries: int


@dataclass(frozen=True)
class VatEntryRef:
    date: datetime.date
    narration: str
    vat: Decimal  # its VAT postings' sum (collected negative, as Beancount writes liabilities)
    file: str | None
    line: int | None


@dataclass
class VatReturn:
    period: Period
    lines: list[VatLine]
    collected: Decimal
    deductible: Decimal
    excluded: list[VatEntryRef] = field(default_factory=list)  # VAT moved against no income or expense
    other_rate: list[VatEntryRef] = field(default_factory=list)  # entries whose rate is not a standard one

    @property
    def due(self) -> Decimal:
        """Collected − deductible: what is due, negative for a credit."""
        return self.collected - self.deductible

    @property
    def credit(self) -> Decimal:
        return max(ZERO, -self.due)

    def ca3(self) -> dict[str, dict[str, Decimal]]:
        """CA3 line -> {"base", "vat"} (the totals and the result have a "vat" only)."""
        out: dict[str, dict[str, Decimal]] = {}
        for line in self.lines:
            if not line.ca3_line:
                continue
            slot = out.setdefault(line.ca3_line, {"base": ZERO, "vat": ZERO})
            slot["base"] += line.base
            slot["vat"] += line.vat
        for slot in out.values():
            if not slot["base"]:
                del slot["base"]
        out[LINE_GROSS_TOTAL] = {"vat": self.collected}
        out[LINE_DEDUCTIBLE_TOTAL] = {"vat": self.deductible}
        if self.due >= 0:
            out[LINE_DUE] = {"vat": self.due}
        else:
            out[LINE_CREDIT] = {"vat": self.credit}
        order = ["08", "9B", "09", "14", "16", "19", "20", "23", "25", "28"]
        return {key: out[key] for key in order if key in out}


def standard_rate(base: Decimal, vat: Decimal, postings: int) -> Decimal | None:
    """The standard rate that base × rate matches within a cent per base posting, else None."""
    if not base:
        return None
    tolerance = CENT * max(1, postings)
    matches = [r for r in RATES if abs(base * r - vat) <= tolerance]
    return min(matches, key=lambda r: abs(base * r - vat)) if matches else None


def vat_return(period: Period, txns: list[FecTxn], chart: dict[str, ChartEntry | None]) -> VatReturn:
    """The period's VAT from ``txns`` (any dates: those outside the period are skipped); ``chart`` gives the
    French chart number of each account posted to (None when it has none)."""

    def number(account: str) -> str:
        entry = chart.get(account)
        return entry.number if entry is not None else ""

    groups: dict[tuple[str, Decimal | None, str], list[Decimal]] = {}
    collected_total = deductible_total = ZERO
    excluded: list[VatEntryRef] = []
    other: list[VatEntryRef] = []
    for txn in txns:
        if not period.start <= txn.date <= period.end or txn.opening:
            continue
        collected = [p for p in txn.postings if number(p.account).startswith("4457")]
        deductible = [p for p in txn.postings if number(p.account).startswith("4456")]
        if not collected and not deductible:
            continue
        income = [p for p in txn.postings if p.account.split(":", 1)[0] == "Income"]
        expenses = [
            p
            for p in txn.postings
            if p.account.split(":", 1)[0] == "Expenses" or number(p.account).startswith("2")
        ]
        vat_sum = sum((p.amount for p in collected + deductible), ZERO)
        ref = VatEntryRef(txn.date, txn.narration, vat_sum, txn.file, txn.line)
        if not income and not expenses:
            excluded.append(ref)
            continue
        if collected:
            vat = -sum((p.amount for p in collected), ZERO)
            base = -sum((p.amount for p in income), ZERO)
            rate = standard_rate(base, vat, len(income))
            if rate is None:
                other.append(ref)
            key = ("collected", rate, COLLECTED_LINES.get(rate, "") if rate is not None else "")
            slot = groups.setdefault(key, [ZERO, ZERO, ZERO])
            slot[0] += base
            slot[1] += vat
            slot[2] += 1
            collected_total += vat
        if deductible:
            vat = sum((p.amount for p in deductible), ZERO)
            base = sum((p.amount for p in expenses), ZERO)
            rate = standard_rate(base, vat, len(expenses))
            if rate is None and ref not in other:
                other.append(ref)
            fixed = any(number(p.account).startswith(("2", "44562")) for p in txn.postings)
            key = ("deductible", rate, LINE_FIXED_ASSETS if fixed else LINE_OTHER_GOODS)
            slot = groups.setdefault(key, [ZERO, ZERO, ZERO])
            slot[0] += base
            slot[1] += vat
            slot[2] += 1
            deductible_total += vat

    def order(key: tuple[str, Decimal | None, str]) -> tuple[bool, bool, str, Decimal]:
        side, rate, line = key
        return (side != "collected", line == "", line, -(rate if rate is not None else Decimal(-1)))

    lines = [
        VatLine(side, rate, values[0], values[1], line, int(values[2]))
        for (side, rate, line), values in sorted(groups.items(), key=lambda item: order(item[0]))
    ]
    return VatReturn(period, lines, collected_total, deductible_total, excluded, other)
