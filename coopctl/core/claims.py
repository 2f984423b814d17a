"""Members' expense claims and mileage [notes de frais, indemnités kilométriques] (issue 17, item 5). Pure.

A claims CSV (docs/claims.md) has one claim a row: ``member,date,kind,amount,vat,km,cv,category,note``.

- ``expense``: ``amount`` is what the member paid, VAT included (TTC), ``vat`` the deductible VAT in it;
  booked as ``amount − vat`` on ``Expenses:Activity:<A>:<sub-account of the category>``, ``vat`` on the
  config's ``claims.vat_account``, against ``Liabilities:Payable:ExpenseClaims:<Member>`` (what the
  cooperative owes the member).
- ``mileage``: ``km`` driven with a car of ``cv`` fiscal horsepower, at the official scale in force on
  the claim's date (``claims.mileage`` in coop.yaml). With F the scale's yearly allowance for a distance,
  a claim is worth round(F(km after)) − round(F(km before)), the member's kilometres of the calendar year
  booked before it (in booking order) and after it: so the year's claims add up to round(F(year's km))
  whatever their split, as contribution brackets do. No VAT.
- ``<Member>``: the member id as an account component: its first letter in capitals, each ``_`` written
  ``-`` (``jean_luc`` → ``Jean-luc``); two members whose ids give one component are refused.
- A claim is ``pending`` when the activity's reserve (its balance on the claim's date, as ``balance``
  shows it, less the claims of the same import booked before it) cannot pay it (amount with VAT): it is
  booked all the same (the expense is real) with ``claim_status: "pending"``, listed, and not to be paid
  until the reserve allows; otherwise ``approved`` (to pay).
- Each row's identity (a digest of its fields and of its rank among identical rows of the file) is kept
  as ``claim_id`` metadata: importing a file again books only the rows not booked yet.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopctl.domain.cooperative import Cooperative, MileageEntry, in_force
from coopctl.domain.figures import LedgerFigures
from coopctl.domain.money import ZERO, plain_amount, round_cent
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, CoopctlError, Problem

COLUMNS = ("member", "date", "kind", "amount", "vat", "km", "cv", "category", "note")
KINDS = ("expense", "mileage")
LIABILITY_ROOT = "Liabilities:Payable:ExpenseClaims"
MAX_CLAIM = Decimal("100000")
MAX_KM = 100_000
MAX_NOTE = 1000  # characters of a claim's note (it becomes the entry's narration)
_WHOLE_RE = re.compile(r"[0-9]{1,9}")  # km and cv: ASCII digits ("²".isdigit() is true)


class ClaimsRefused(CoopctlError):
    """A claims file with a wrong row: nothing is booked."""


def member_component(member_id: str) -> str:
    """A member id (``[a-z][a-z0-9_-]*``) as a Beancount account component: ``jean_luc`` → ``Jean-luc``."""
    text = member_id.replace("_", "-")
    return text[:1].upper() + text[1:]


def liability_account(member_id: str) -> str:
    return f"{LIABILITY_ROOT}:{member_component(member_id)}"


# --------------------------------------------------------------------------- the official scale


def scale_total(entry: MileageEntry, cv: int, km: Decimal) -> Decimal:
    """F(km): the yearly allowance of ``km`` kilometres with a ``cv`` horsepower car (unrounded)."""
    band = next(h for h in entry.horsepower if h.cv_up_to is None or cv <= h.cv_up_to)
    distance = next(d for d in band.distances if d.up_to is None or km <= d.up_to)
    return km * distance.a + (distance.b if km > 0 else ZERO)


def mileage_amount(entry: MileageEntry, cv: int, km_before: Decimal, km: Decimal) -> Decimal:
    """round(F(before + km)) − round(F(before)): a claim's worth on top of the year's earlier ones."""
    return round_cent(scale_total(entry, cv, km_before + km)) - round_cent(scale_total(entry, cv, km_before))


# --------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class ClaimLine:
    """A row of a claims CSV, checked."""

    line: int
    member: str
    day: datetime.date
    kind: str
    amount: Decimal | None  # expense: with VAT
    vat: Decimal
    km: int | None
    cv: int | None
    category: str
    note: str
    identity: str


@dataclass(frozen=True)
class BookedClaim:
    """A claim already in the ledger (read from its ``claim_id`` entry)."""

    identity: str
    member: str
    activity: str
    day: datetime.date
    kind: str
    category: str
    amount: Decimal  # owed to the member (with VAT)
    vat: Decimal
    km: int | None
    cv: int | None
    status: str  # "approved" or "pending"
    note: str
    file: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class PlannedClaim:
    line: ClaimLine
    activity: str
    account: str  # the expense account
    amount: Decimal  # owed to the member (with VAT)
    net: Decimal  # on the expense account
    vat: Decimal
    km_before: int | None  # mileage: the member's km of the year booked before it
    status: str  # "approved" or "pending"
    reserve: Decimal  # the activity's reserve before it (what was compared with the amount)

    @property
    def liability(self) -> str:
        return liability_account(self.line.member)


@dataclass(frozen=True)
class ClaimsPlan:
    claims: tuple[PlannedClaim, ...]
    already_booked: tuple[ClaimLine, ...]  # rows of the file booked by an earlier import


def _bad_text(text: str) -> str | None:
    """A control, format (bidirectional override...) or line-separator character in ``text``, if any."""
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            return f"U+{ord(ch):04X}"
    return None


def _money(text: str) -> Decimal | None:
    """A decimal written plainly (``24.90``): not ``1e2``, ``1_0.00`` or other digits than 0-9, which
    ``Decimal`` would read."""
    return plain_amount(text)


def parse_rows(
    rows: list[tuple[int, dict[str, str]]], file: str, coop: Cooperative, today: datetime.date
) -> tuple[list[ClaimLine], list[Problem]]:
    """The rows of a claims CSV (line number, column → text) checked against the config: every problem
    names ``file:line``."""
    lines: list[ClaimLine] = []
    problems: list[Problem] = []
    policy = coop.coop.claims
    seen: dict[str, int] = {}

    for number, row in rows:

        def bad(code: str, template: str, **params: Any) -> None:
            problems.append(Problem.of(code, template, file=file, line=number, **params))

        cells = {k: (row.get(k) or "").strip() for k in COLUMNS}
        found_bad = next(((k, c) for k, v in cells.items() if (c := _bad_text(v)) is not None), None)
        if found_bad is not None:
            bad(
                "claims.control_character",
                N_("column {column} contains the invisible or control character {char}; write plain text"),
                column=found_bad[0],
                char=found_bad[1],
            )
            continue
        if len(cells["note"]) > MAX_NOTE:  # else the ledger line it becomes is refused, far from this row
            bad(
                "claims.note_long",
                N_("note of {length} characters (at most {most})"),
                length=len(cells["note"]),
                most=MAX_NOTE,
            )
            continue
        member_id = cells["member"]
        member = next((m for m in coop.members if m.id == member_id), None)
        if member is None:
            bad(
                "claims.unknown_member",
                N_("unknown member {member}; members are listed in config/members.yaml"),
                member=repr(member_id),
            )
            continue
        try:
            day = datetime.date.fromisoformat(cells["date"])
        except ValueError:
            bad(
                "claims.bad_date",
                N_("date {value} is not a date; write YYYY-MM-DD"),
                value=repr(cells["date"]),
            )
            continue
        if day > today:
            bad("claims.future_date", N_("date {day} is in the future"), day=day)
            continue
        if member.phase_on(day) in ("not yet joined", "left"):
            bad(
                "claims.member_absent",
                N_("{member} is not in the cooperative on {day} ({phase})"),
                member=member_id,
                day=day,
                phase=member.phase_on(day),
            )
            continue
        kind = cells["kind"]
        if kind not in KINDS:
            bad("claims.bad_kind", N_("kind {kind} is neither expense nor mileage"), kind=repr(kind))
            continue
        category = cells["category"] or (policy.mileage_category if kind == "mileage" else "")
        if category not in policy.categories:
            bad(
                "claims.unknown_category",
                N_("category {category} is not one of the categories of config/coop.yaml (claims): {known}"),
                category=repr(category),
                known=", ".join(sorted(policy.categories)),
            )
            continue
        amount: Decimal | None = None
        vat = ZERO
        km: int | None = None
        cv: int | None = None
        if kind == "expense":
            if cells["km"] or cells["cv"]:
                bad("claims.expense_km", N_("an expense has no km or cv (those are for mileage)"))
                continue
            amount = _money(cells["amount"])
            if amount is None or not ZERO < amount <= MAX_CLAIM:
                bad(
                    "claims.bad_amount",
                    N_('amount {value} is not an amount with VAT above 0 and at most {max}, e.g. "24.90"'),
                    value=repr(cells["amount"]),
                    max=str(MAX_CLAIM),
                )
                continue
            vat_value = _money(cells["vat"] or "0")
            if vat_value is None or not ZERO <= vat_value < amount:
                bad(
                    "claims.bad_vat",
                    N_("vat {value} is not an amount from 0 up to less than the amount {amount}"),
                    value=repr(cells["vat"]),
                    amount=str(amount),
                )
                continue
            vat = vat_value
        else:
            if cells["amount"] or cells["vat"]:
                bad(
                    "claims.mileage_amount",
                    N_("a mileage claim gives km and cv, not an amount: the scale computes it"),
                )
                continue
            if not _WHOLE_RE.fullmatch(cells["km"]) or not 0 < int(cells["km"]) <= MAX_KM:
                bad(
                    "claims.bad_km",
                    N_("km {value} is not a whole number of kilometres above 0 and at most {max}"),
                    value=repr(cells["km"]),
                    max=MAX_KM,
                )
                continue
            if not _WHOLE_RE.fullmatch(cells["cv"]) or not 0 < int(cells["cv"]) <= 100:
                bad(
                    "claims.bad_cv",
                    N_("cv {value} is not the vehicle's fiscal horsepower (a whole number, 1 to 100)"),
                    value=repr(cells["cv"]),
                )
                continue
            km, cv = int(cells["km"]), int(cells["cv"])
            if in_force(policy.mileage, day) is None:
                bad(
                    "claims.no_scale",
                    N_("no mileage scale in force on {day}; add one (claims: mileage:) in config/coop.yaml"),
                    day=day,
                )
                continue
        fields = [
            member_id,
            day.isoformat(),
            kind,
            str(amount),
            str(vat),
            str(km),
            str(cv),
            category,
            cells["note"],
        ]
        key = "\x1f".join(fields)
        seen[key] = seen.get(key, 0) + 1
        identity = hashlib.sha256(f"{key}\x1e{seen[key]}".encode()).hexdigest()[:24]
        lines.append(
            ClaimLine(number, member_id, day, kind, amount, vat, km, cv, category, cells["note"], identity)
        )
    return lines, problems


# --------------------------------------------------------------------------- the plan


def _says(claim: BookedClaim, line: ClaimLine) -> bool:
    """Whether the booked ``claim`` is the row ``line``: same member, day and kind, and the same amount
    (an expense) or distance (mileage)."""
    same = (claim.member, claim.day, claim.kind) == (line.member, line.day, line.kind)
    return same and (claim.km == line.km if line.kind == "mileage" else claim.amount == line.amount)


def plan_claims(
    coop: Cooperative,
    figures: LedgerFigures,
    lines: list[ClaimLine],
    booked: list[BookedClaim],
    file: str,
) -> ClaimsPlan:
    """What importing ``lines`` books, given the claims ``booked`` already; refusals raise ClaimsRefused."""
    problems = []
    components: dict[str, str] = {}
    for member in coop.members:
        other = components.setdefault(member_component(member.id), member.id)
        if other != member.id and any(line.member in (other, member.id) for line in lines):
            problems.append(
                Problem.of(
                    "claims.component_clash",
                    N_(
                        "members {first} and {second} would share the account {account}; rename one "
                        "(their ids differ only by '_' and '-')"
                    ),
                    file="config/members.yaml",
                    first=other,
                    second=member.id,
                    account=liability_account(member.id),
                )
            )
    for line in lines:
        month = Month.of(line.day)
        if figures.is_closed(month):
            problems.append(
                Problem.of(
                    "claims.closed_month",
                    N_("{day} is in {month}, a closed month; date the claim in the open month"),
                    file=file,
                    line=line.line,
                    day=line.day,
                    month=str(month),
                )
            )
    if problems:
        raise ClaimsRefused(problems)
    by_identity = {claim.identity: claim for claim in booked}
    altered = [
        (line, by_identity[line.identity])
        for line in lines
        if line.identity in by_identity and not _says(by_identity[line.identity], line)
    ]
    if altered:  # a row counted as booked by an entry that does not say it would never be booked
        raise ClaimsRefused(
            [
                Problem.of(
                    "claims.altered",
                    N_(
                        "this row's claim_id is on the entry at {where}, which does not book it ({member}, "
                        "{day}): restore that entry, or remove its claim_id"
                    ),
                    file=file,
                    line=line.line,
                    where=f"{claim.file}:{claim.line}",
                    member=line.member,
                    day=line.day,
                )
                for line, claim in altered
            ]
        )
    known = set(by_identity)
    km_of_year: dict[tuple[str, int], int] = {}
    for claim in booked:
        if claim.kind == "mileage" and claim.km is not None:
            key = (claim.member, claim.day.year)
            km_of_year[key] = km_of_year.get(key, 0) + claim.km
    spent: dict[str, Decimal] = {}  # per activity: the claims of this import booked before
    planned, again = [], []
    for line in sorted(lines, key=lambda claim: (claim.day, claim.line)):
        if line.identity in known:
            again.append(line)
            continue
        known.add(line.identity)
        activity = coop.member(line.member).activity
        account = f"Expenses:Activity:{activity}:{coop.coop.claims.categories[line.category]}"
        km_before: int | None = None
        if line.kind == "mileage":
            assert line.km is not None and line.cv is not None
            entry = in_force(coop.coop.claims.mileage, line.day)
            assert entry is not None  # parse_rows refused a row without a scale
            key = (line.member, line.day.year)
            km_before = km_of_year.get(key, 0)
            km_of_year[key] = km_before + line.km
            amount = mileage_amount(entry, line.cv, Decimal(km_before), Decimal(line.km))
            net, vat = amount, ZERO
        else:
            assert line.amount is not None
            amount, vat = line.amount, line.vat
            net = amount - vat
        reserve = figures.balance(activity, line.day) - spent.get(activity, ZERO)
        status = "approved" if reserve >= amount else "pending"
        spent[activity] = spent.get(activity, ZERO) + amount
        planned.append(PlannedClaim(line, activity, account, amount, net, vat, km_before, status, reserve))
    return ClaimsPlan(tuple(planned), tuple(again))


# --------------------------------------------------------------------------- the listing


@dataclass(frozen=True)
class ListedClaim:
    claim: BookedClaim
    paid: Decimal  # how much of it the payments to the member cover (oldest approved claims first)

    @property
    def state(self) -> str:
        """``paid``, ``to pay`` (approved, not paid in full) or ``pending`` (the reserve could not pay it)."""
        if self.paid >= self.claim.amount:
            return "paid"
        return "to pay" if self.claim.status == "approved" else "pending"


@dataclass(frozen=True)
class MemberClaims:
    member: str
    activity: str
    claimed: Decimal
    pending: Decimal
    paid: Decimal
    outstanding: Decimal  # what the cooperative still owes (the liability account's balance)


def claims_listing(
    booked: list[BookedClaim], payments: dict[str, Decimal]
) -> tuple[list[ListedClaim], list[MemberClaims]]:
    """Each claim with what the member's payments cover (approved claims first, oldest first, then the
    pending ones), and each member's totals. ``payments``: per member, Σ paid to them on their claims'
    account (the debits of ``Liabilities:Payable:ExpenseClaims:<Member>`` by other entries)."""
    listed: list[ListedClaim] = []
    members: list[MemberClaims] = []
    by_member: dict[str, list[BookedClaim]] = {}
    for claim in booked:
        by_member.setdefault(claim.member, []).append(claim)
    for member_id in sorted(set(by_member) | set(payments)):
        claims = by_member.get(member_id, [])
        left = payments.get(member_id, ZERO)
        covered: dict[str, Decimal] = {}
        order = sorted(claims, key=lambda c: (c.status != "approved", c.day, c.identity))
        for claim in order:
            part = min(max(left, ZERO), claim.amount)
            covered[claim.identity] = part
            left -= part
        for claim in sorted(claims, key=lambda c: (c.day, c.file or "", c.line or 0, c.identity)):
            listed.append(ListedClaim(claim, covered[claim.identity]))
        total = sum((c.amount for c in claims), ZERO)
        paid = payments.get(member_id, ZERO)
        members.append(
            MemberClaims(
                member_id,
                claims[0].activity if claims else "",
                total,
                sum((c.amount - covered[c.identity] for c in claims if c.status == "pending"), ZERO),
                paid,
                total - paid,
            )
        )
    return listed, members
