"""``coopctl claims import FILE`` and ``coopctl claims``: members' expense claims and mileage (issue 17,
item 5; the rules are ``core.claims``'s, the formats docs/claims.md's).

The import reads the CSV, checks every row (a wrong row: one line naming ``FILE:line``, nothing written),
loads the ledger, plans (``core.claims.plan_claims``) and, unless ``--dry-run``, writes under the
cooperative's lock, as one journaled group (``store.journal``): each month's file
``ledgers/claims/YYYY-MM.beancount`` (created, or the new entries appended) and, the first time, the
``include "claims/*.beancount"`` line of the main ledger; then the ledger must load cleanly, or every
file is put back. Every string written goes through ``adapter.text.quote``.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from coopctl.adapter.ledger import load_books, require_clean
from coopctl.adapter.text import quote
from coopctl.app.closing import included_by_main
from coopctl.app.commands import open_cooperative
from coopctl.core.claims import (
    COLUMNS,
    LIABILITY_ROOT,
    BookedClaim,
    ClaimLine,
    ClaimsPlan,
    ClaimsRefused,
    ListedClaim,
    MemberClaims,
    PlannedClaim,
    claims_listing,
    member_component,
    parse_rows,
    plan_claims,
)
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.money import ZERO, fmt_amount
from coopctl.domain.months import Month
from coopctl.domain.problems import N_, LedgerError, Problem, UsageError
from coopctl.store.journal import Change, write_group
from coopctl.store.safe_io import command_line, cooperative_lock, read_input, read_ledger_file

INCLUDE_LINE = 'include "claims/*.beancount"'
INCLUDE_BLOCK = f"\n; Members' expense claims, written by coopctl claims import\n{INCLUDE_LINE}\n"
HEADER = (
    "; Members' expense claims of {month}, written by coopctl claims import.\n"
    "; Correct a claim with an entry of your own in the open month.\n"
)
MAX_ROWS = 100_000
MAX_BYTES = 20_000_000  # a claims CSV larger than this is refused before it is decoded


def claims_dir(coop: Cooperative) -> Path:
    return coop.ledger_path.parent / "claims"


# --------------------------------------------------------------------------- reading the CSV


def read_claims_csv(path: Path, shown: str) -> list[tuple[int, dict[str, str]]]:
    """The rows of a claims CSV with their line numbers; a comma or semicolon separated UTF-8 file."""
    try:
        raw = read_input(path, MAX_BYTES, shown)
    except FileNotFoundError:
        raise UsageError.of("claims.no_file", N_("no file {path}"), path=shown) from None
    except OSError as exc:
        raise UsageError.of(
            "claims.unreadable",
            N_("cannot read {path}: {reason}"),
            path=shown,
            reason=exc.strerror or str(exc),
        ) from None
    if len(raw) > MAX_BYTES:
        raise ClaimsRefused.of(
            "claims.too_large", N_("larger than {max} bytes; split the file"), file=shown, max=MAX_BYTES
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ClaimsRefused.of(
            "claims.not_utf8", N_("not UTF-8 text; save the file as UTF-8 CSV"), file=shown, line=line
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = next(reader, None)
        if header is None:
            raise ClaimsRefused.of(
                "claims.empty", N_("the file is empty; its first line names the columns"), file=shown
            )
        names = [h.strip().lower() for h in header]
        unknown = [n for n in names if n not in COLUMNS]
        missing = [c for c in COLUMNS if c not in names]
        if unknown or missing or len(set(names)) != len(names):
            raise ClaimsRefused.of(
                "claims.header",
                N_("the first line must name the columns {columns} (missing: {missing}; unknown: {unknown})"),
                file=shown,
                line=1,
                columns=",".join(COLUMNS),
                missing=", ".join(missing) or "-",
                unknown=", ".join(unknown) or "-",
            )
        start = reader.line_num + 1
        for cells in reader:
            number, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(names):
                raise ClaimsRefused.of(
                    "claims.columns",
                    N_("{count} columns where the first line names {expected}"),
                    file=shown,
                    line=number,
                    count=len(cells),
                    expected=len(names),
                )
            rows.append((number, dict(zip(names, cells))))
            if len(rows) > MAX_ROWS:
                raise ClaimsRefused.of(
                    "claims.too_many", N_("more than {max} rows; split the file"), file=shown, max=MAX_ROWS
                )
    except csv.Error as exc:
        raise ClaimsRefused.of(
            "claims.csv", N_("not a CSV file: {reason}"), file=shown, line=reader.line_num, reason=str(exc)
        ) from None
    return rows


# --------------------------------------------------------------------------- reading the ledger


def _text(meta: dict, key: str) -> str:
    value = meta.get(key)
    return "" if value is None else str(value)


def booked_claims(coop: Cooperative, entries: list) -> tuple[list[BookedClaim], dict[str, Decimal]]:
    """The claims in the ledger (entries with ``claim_id`` metadata), and per member the payments on their
    claims' account (every other posting to it: positive, the cooperative paid)."""
    from beancount.core import data

    by_component = {member_component(m.id): m.id for m in coop.members}
    root = coop.root.resolve()
    claims: list[BookedClaim] = []
    payments: dict[str, Decimal] = {}
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        meta = entry.meta or {}
        identity = meta.get("claim_id")
        if identity is None:
            for posting in entry.postings:
                if posting.account.startswith(LIABILITY_ROOT + ":") and posting.units is not None:
                    member = by_component.get(posting.account.split(":", 3)[3])
                    if member is not None and posting.units.number is not None:
                        payments[member] = payments.get(member, ZERO) + posting.units.number
            continue
        owed = ZERO
        activity, category_account = "", ""
        vat = ZERO
        for posting in entry.postings:
            number = posting.units.number if posting.units is not None else None
            if number is None:
                continue
            if posting.account.startswith(LIABILITY_ROOT + ":"):
                owed -= number
            elif posting.account.startswith("Expenses:Activity:"):
                activity = posting.account.split(":")[2]
                category_account = posting.account
            else:
                vat += number
        km, cv = _text(meta, "km"), _text(meta, "cv")
        filename = meta.get("filename")
        try:
            rel: str | None = str(Path(filename).resolve().relative_to(root)) if filename else None
        except ValueError:
            rel = filename
        claims.append(
            BookedClaim(
                str(identity),
                _text(meta, "member"),
                activity,
                entry.date,
                _text(meta, "claim_kind") or "expense",
                _text(meta, "category") or category_account,
                owed,
                vat,
                int(km) if km.isascii() and km.isdigit() else None,  # "²".isdigit(): int() refuses it
                int(cv) if cv.isascii() and cv.isdigit() else None,
                _text(meta, "claim_status") or "approved",
                entry.narration or "",
                rel,
                meta.get("lineno"),
            )
        )
    return claims, payments


# --------------------------------------------------------------------------- writing


def _entry_text(coop: Cooperative, claim: PlannedClaim, source: str) -> str:
    line = claim.line
    member = coop.member(line.member)
    currency = coop.coop.currency
    if line.kind == "mileage":
        narration = f"Indemnités kilométriques — {line.km} km, {line.cv} CV"
    else:
        narration = "Note de frais"
    if line.note:
        narration += f" — {line.note}"
    meta = [
        ("claim_id", quote(line.identity)),
        ("member", quote(line.member)),
        ("claim_kind", quote(line.kind)),
        ("category", quote(line.category)),
        ("claim_status", quote(claim.status)),
        ("source", quote(f"{source}:{line.line}")),
    ]
    if line.kind == "mileage":
        meta += [
            ("km", quote(str(line.km))),
            ("cv", quote(str(line.cv))),
            ("km_before", quote(str(claim.km_before))),
        ]
    postings = [(claim.account, claim.net)]
    if claim.vat:
        postings.append((coop.coop.claims.vat_account, claim.vat))
    postings.append((claim.liability, -claim.amount))
    width = max(len(account) for account, _ in postings)
    amounts = [fmt_amount(amount) for _, amount in postings]
    number_width = max(len(a) for a in amounts)
    text = [f"{line.day.isoformat()} * {quote(member.name)} {quote(narration)}"]
    text += [f"  {key}: {value}" for key, value in meta]
    text += [
        f"  {account:<{width}}  {amount:>{number_width}} {currency}"
        for (account, _), amount in zip(postings, amounts)
    ]
    return "\n".join(text) + "\n"


def _open_day(figures, plan: ClaimsPlan) -> datetime.date:
    """When the accounts a claim needs are opened: the first day of the first open month (no claim can be
    dated earlier), else of the ledger's or the claims' first month."""
    if figures.last_closed is not None:
        return figures.last_closed.next().first_day
    days = [c.line.day for c in plan.claims] + ([figures.first_date] if figures.first_date else [])
    return Month.of(min(days)).first_day


def claims_changes(
    coop: Cooperative, books, plan: ClaimsPlan, source: str
) -> tuple[list[Change], list[Path]]:
    """The files the import writes: each month's claims file, and the main ledger's include if needed."""
    folder = claims_dir(coop)
    opened = set(books.figures.open_accounts)
    by_month: dict[Month, list[PlannedClaim]] = {}
    for claim in plan.claims:
        by_month.setdefault(Month.of(claim.line.day), []).append(claim)
    changes, targets = [], []
    open_day = _open_day(books.figures, plan) if plan.claims else None
    for month in sorted(by_month):
        target = folder / f"{month}.beancount"
        before = (
            read_ledger_file(target, str(target.relative_to(coop.root)))
            if target.exists()
            else HEADER.format(month=month)
        )
        needed = []
        for claim in by_month[month]:
            accounts = [claim.account, claim.liability] + (
                [coop.coop.claims.vat_account] if claim.vat else []
            )
            for account in accounts:
                if account not in opened:
                    opened.add(account)
                    needed.append(account)
        blocks = [_entry_text(coop, claim, source) for claim in by_month[month]]
        opens = "".join(f"{open_day} open {account} {coop.coop.currency}\n" for account in sorted(needed))
        text = (
            before.rstrip("\n") + "\n" + ("\n" + opens if opens else "") + "".join("\n" + b for b in blocks)
        )
        changes.append(Change(target, text.encode("utf-8")))
        targets.append(target)
    if targets and not included_by_main(coop, targets[0]):
        main = coop.ledger_path
        changes.append(Change(main, main.read_bytes() + INCLUDE_BLOCK.encode("utf-8")))
    return changes, targets


@dataclass(frozen=True)
class ClaimsImport:
    file: str
    plan: ClaimsPlan
    dry_run: bool
    written: tuple[Path, ...]
    include_added: bool


def import_claims(
    root: Path | None, path: Path, shown: str, dry_run: bool, today: datetime.date
) -> ClaimsImport:
    """Check, plan and (unless ``dry_run``) book a claims CSV. Nothing is written when any row is wrong."""
    coop = open_cooperative(root)
    rows = read_claims_csv(path, shown)
    lines, problems = parse_rows(rows, shown, coop, today)
    if problems:
        raise ClaimsRefused(problems)

    def plan_now():
        books = load_books(coop)
        require_clean(books)
        booked, _payments = booked_claims(coop, books.ledger.entries)
        return books, plan_claims(coop, books.figures, lines, booked, shown)

    if dry_run:
        _books, plan = plan_now()
        return ClaimsImport(shown, plan, True, (), False)
    with cooperative_lock(coop.root, command_line()):
        books, plan = plan_now()
        changes, targets = claims_changes(coop, books, plan, Path(shown).name)
        if changes:

            def verify() -> None:
                after = load_books(coop)
                errors = [p for p in after.problems if p.severity == "error"]
                if errors:
                    raise LedgerError(
                        [
                            Problem.of(
                                "claims.ledger_after",
                                N_("the ledger does not load cleanly with the claims; nothing was changed"),
                            ),
                            *errors,
                        ]
                    )

            write_group(coop.root, changes, verify, new_folders=(claims_dir(coop),))
        added = any(change.path == coop.ledger_path for change in changes)
        return ClaimsImport(shown, plan, False, tuple(targets), added)


@dataclass(frozen=True)
class ClaimsList:
    claims: list[ListedClaim]
    members: list[MemberClaims]
    member: str | None


def list_claims(root: Path | None, member: str | None) -> ClaimsList:
    """Every claim booked (or one member's), its state, and each member's totals."""
    coop = open_cooperative(root)
    if member is not None:
        coop.member(member)  # an unknown member: NotFound
    books = load_books(coop)
    require_clean(books)
    booked, payments = booked_claims(coop, books.ledger.entries)
    if member is not None:
        booked = [c for c in booked if c.member == member]
        payments = {k: v for k, v in payments.items() if k == member}
    listed, totals = claims_listing(booked, payments)
    return ClaimsList(listed, totals, member)


__all__ = ["ClaimLine", "ClaimsImport", "ClaimsList", "import_claims", "list_claims"]
