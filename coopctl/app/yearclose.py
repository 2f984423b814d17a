"""The files a year's close writes, their deterministic text, and writing and undoing them safely.

``close-year 2025`` writes, under the cooperative's lock:

1. ``ledgers/openings/2026.beancount``: the balance-sheet balances at the end of 2025, with the
   ``open`` directives of the earlier files and a seal (the digest of every 2025-and-earlier file).
   The main ledger does not include it: it stands in for the earlier years when coopctl loads
   2026 alone (``close-month``), and only while the sealed files are unchanged;
2. ``ledgers/2026/2026-01.beancount`` (a header only) when the folder does not exist yet, and the
   include of ``2026/*.beancount`` in the main ledger when nothing includes it;
3. ``ledgers/closing/2025-year.beancount``: the ``custom "coopctl-close-year"`` marker and the
   transfers of every income and expense account into equity, dated 31 December.

The ledger is then reloaded (whole, and 2026 alone); any error rolls every file back. ``reopen 2025``
removes what the close added, so the bytes are those before it. The surplus, once the general
assembly has decided, is one more file: ``closing/DATE-surplus-2025.beancount``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from coopctl.adapter.ledger import (
    YEAR_CLOSE_MARKER,
    YEAR_OPENING_MARKER,
    Books,
    file_year,
    load_books,
    opening_path,
    seal_digest,
)
from coopctl.adapter.text import ZERO_SEAL, opening_digest
from coopctl.app.closing import _transaction, included_by_main
from coopctl.core.yearend import SURPLUS_ACCOUNTS, SurplusProposal, YearClosePlan
from coopctl.domain.cooperative import Cooperative
from coopctl.domain.problems import N_, CloseRefused, LedgerError, Problem
from coopctl.store.journal import Change, write_group

YEAR_HEADER = (
    "; Written by coopctl close-year {year}. Do not edit by hand:\n; undo it with coopctl reopen {year}.\n"
)
OPENING_HEADER = (
    "; Written by coopctl close-year {previous}: the balances at the end of {previous}, "
    "from which {year} opens.\n"
    "; The main ledger does not include this file (it holds {previous} in full): "
    "coopctl reads it instead of\n"
    "; the files of {previous} and before when it needs {year} alone, and only while those files are\n"
    "; unchanged (the seal below). Do not edit by hand.\n"
)
MONTH_HEADER = "; Écritures de {year}-01 (factures, règlements, dépenses, frais de la coopérative).\n"
SURPLUS_HEADER = (
    "; Written by coopctl close-year {year} --apply-surplus: "
    "the general assembly's split of {year}'s result.\n"
    "; Do not edit by hand.\n"
)


def year_closing_path(coop: Cooperative, year: int) -> Path:
    return coop.closing_dir / f"{year}-year.beancount"


def year_close_text(plan: YearClosePlan, open_accounts: set[str], meta: list[tuple[str, str]]) -> str:
    day = datetime.date(plan.year, 12, 31).isoformat()
    transfers = [*plan.activities, *([plan.coop] if plan.coop else [])]
    used = sorted({account for t in transfers for account, _ in t.postings} - open_accounts)
    head = YEAR_HEADER.format(year=plan.year)
    if used:
        head += "\n" + "".join(f"{day} open {account}\n" for account in used)
    marker = [f'{day} custom "{YEAR_CLOSE_MARKER}" "{plan.year}"']
    marker += [f"  {key}: {value}" for key, value in meta]
    blocks = []
    for transfer in transfers:
        if transfer.owner:
            narration, tags = (
                f"Clôture {plan.year} — réserve de {transfer.owner}",
                [("close_year", str(plan.year)), ("activity", transfer.owner)],
            )
        else:
            narration, tags = (
                f"Clôture {plan.year} — résultat de la coopérative",
                [("close_year", str(plan.year))],
            )
        blocks.append(_transaction(day, narration, tags, list(transfer.postings), plan.currency))
    return "\n".join([head + "\n" + "\n".join(marker) + "\n", *blocks])


def opening_text(plan: YearClosePlan, opens: list, seal: str, sealed_files: int) -> str:
    from beancount.parser import printer

    year = plan.year + 1
    day = datetime.date(plan.year, 12, 31).isoformat()
    head = OPENING_HEADER.format(previous=plan.year, year=year)
    if opens:
        head += "\n" + "".join(printer.format_entry(entry._replace(meta={})) for entry in opens)
    deficit = " ".join(f"{name}:{count}" for name, count in sorted(plan.deficit_runs.items()))
    marker = [
        f'{day} custom "{YEAR_OPENING_MARKER}" "{year}"',
        f'  sealed: "{seal}"',
        f"  files: {sealed_files}",
    ]
    if deficit:
        marker.append(f'  deficit: "{deficit}"')
    body = ""
    if plan.opening:
        body = "\n" + _transaction(
            day, f"Report à nouveau {plan.year}", [("opening", str(year))], list(plan.opening), plan.currency
        )
    return head + "\n" + "\n".join(marker) + "\n" + body


@dataclass(frozen=True)
class WrittenYearClose:
    closing_file: Path
    opening_file: Path
    created: tuple[Path, ...]  # the next year's folder and first file, when close-year made them
    include_added: bool


@dataclass(frozen=True)
class YearCloseFiles:
    closing: bytes
    opening: bytes
    opening_without_seal: bytes


def year_close_files(
    coop: Cooperative,
    plan: YearClosePlan,
    books: Books,
    opened: set[str],
    folder_created: bool,
    include_added: bool,
    legacy: bool = False,
) -> YearCloseFiles:
    """The bytes of ``closing/YEAR-year.beancount`` and ``openings/YEAR+1.beancount``: pure functions of the
    plan, the ledger's files up to the year and two facts of the close (did it create the next year's folder,
    its include)."""
    from beancount.core import data

    ledger_dir = coop.ledger_path.parent.resolve()
    year, following = plan.year, plan.year + 1
    target = year_closing_path(coop, year).resolve()
    opening = opening_path(coop, following)
    folder = coop.ledger_path.parent / str(following)
    sealed: list[tuple[str, str]] = []
    nested = False
    for path in books.ledger.files:
        if not path.is_relative_to(ledger_dir) or path.resolve() == target:
            continue
        relative = path.relative_to(ledger_dir)
        file_year_ = file_year(relative)
        if file_year_ is not None and file_year_ <= year:
            sealed.append((str(relative), books.ledger.digests[str(path)]))
            nested = nested or bool(books.ledger.includes.get(str(path)))
    sealed_names = {str(ledger_dir / name) for name, _ in sealed} | {str(target)}
    closed_accounts = {e.account for e in books.ledger.entries if isinstance(e, data.Close)}
    opens = {
        e.account: e._replace(meta={})
        for e in books.ledger.entries
        if isinstance(e, data.Open)
        and e.meta.get("filename") in sealed_names
        and e.account not in closed_accounts
    }
    for account in _new_accounts(plan, opened):
        opens.setdefault(account, _open_entry(account, year))
    ordered = sorted(opens.values(), key=lambda e: (e.date, e.account))
    count = len(sealed) + 1
    without_seal = opening_text(plan, ordered, ZERO_SEAL, count).encode("utf-8")
    meta = [
        ("result", f'"{plan.coop_result:.2f}"'),
        ("opening", f'"{opening.relative_to(ledger_dir)}"'),
        *([] if legacy else [("opening_sha256", f'"{_sha(without_seal)}"')]),  # legacy: as coopctl 0.1 wrote
    ]
    if folder_created:
        meta.append(("folder_created", f'"{folder.relative_to(ledger_dir)}"'))
    if include_added:
        meta.append(("include_added", "TRUE"))
    closing_bytes = year_close_text(plan, opened, meta).encode("utf-8")
    sealed.append((str(target.relative_to(ledger_dir)), _sha(closing_bytes)))
    seal = ZERO_SEAL if nested else seal_digest(sealed)  # a sealed file with includes: no year-scoped loads
    return YearCloseFiles(
        closing_bytes, opening_text(plan, ordered, seal, count).encode("utf-8"), without_seal
    )


def expected_year_close_bytes(
    coop: Cooperative, plan: YearClosePlan, books: Books, marker_meta: dict, own_files, path: Path
) -> tuple[bytes, YearCloseFiles]:
    """The close of ``plan.year`` written again, with the two facts its marker recorded (for ``check``)."""
    from coopctl.app.closing import accounts_open_on

    opened = accounts_open_on(
        books.ledger.entries, datetime.date(plan.year, 12, 31), own_files, skip=own_files.kind(str(path))
    )
    files = year_close_files(
        coop,
        plan,
        books,
        opened,
        bool(marker_meta.get("folder_created")),
        bool(marker_meta.get("include_added")),
        legacy="opening_sha256" not in marker_meta,
    )
    return files.closing, files


def expected_opening_bytes(files: YearCloseFiles, found: bytes) -> tuple[bytes, bool]:
    """(the opening as coopctl writes it now, whether ``found`` differs from it by the seal alone)."""
    seal_only = files.opening != found and opening_digest(found) == _sha(files.opening_without_seal)
    return files.opening, seal_only


def write_year_close(coop: Cooperative, plan: YearClosePlan, books: Books) -> WrittenYearClose:
    """Write the opening, the next year's folder, the year's closing file as one journaled group; verify.

    The caller holds the cooperative's lock and has checked the refusals. When the ledger's files cannot be
    told apart by year (one journal file for every year, say), the year still closes: later closes then
    load the whole ledger (``check`` says so).
    """
    from coopctl.adapter.ownfiles import OwnFiles
    from coopctl.app.closing import accounts_open_on

    year, following = plan.year, plan.year + 1
    target = year_closing_path(coop, year)
    opening = opening_path(coop, following)
    for path in (target, opening):
        if path.exists():
            raise CloseRefused.of(
                "close_year.file_exists",
                N_("{name} exists already; move it away first"),
                file=str(path.relative_to(coop.root)),
                name=path.name,
            )
    folder = coop.ledger_path.parent / str(following)
    first_file = folder / f"{following}-01.beancount"
    create_folder = not folder.exists()
    add_include = create_folder and not included_by_main(coop, first_file)
    include_block = (
        f'\n; {following}, opened by coopctl close-year {year}\ninclude "{following}/*.beancount"\n'
    )
    opened = accounts_open_on(
        books.ledger.entries, datetime.date(year, 12, 31), OwnFiles(coop.ledger_path.parent)
    )
    files = year_close_files(coop, plan, books, opened, create_folder, add_include)

    main = coop.ledger_path
    changes = [Change(opening, files.opening)]
    if create_folder:
        changes.append(Change(first_file, MONTH_HEADER.format(year=following).encode("utf-8")))
    changes.append(Change(target, files.closing))
    if add_include:
        changes.append(Change(main, main.read_bytes() + include_block.encode("utf-8")))

    def verify() -> None:
        from coopctl.store.cache import load_books_filling_cache

        after = load_books_filling_cache(coop)  # recorded: the year's closes that follow know these files
        errors = [p for p in after.problems if p.severity == "error"]
        if year not in after.figures.closed_years:
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
                        "write.close_year_unclean",
                        N_("the ledger does not load cleanly after closing {year}; nothing was changed"),
                        year=year,
                    ),
                    *errors,
                ]
            )

    write_group(
        coop.root,
        changes,
        verify,
        new_folders=(opening.parent, folder) if create_folder else (opening.parent,),
    )
    from coopctl.store.cache import remember_proven_opening

    remember_proven_opening(
        coop, following, files.opening
    )  # computed from the whole ledger, just now (no split yet)
    return WrittenYearClose(target, opening, (folder, first_file) if create_folder else (), add_include)


def _sha(raw: bytes) -> str:
    import hashlib

    return hashlib.sha256(raw).hexdigest()


def _new_accounts(plan: YearClosePlan, opened: set[str]) -> list[str]:
    transfers = [*plan.activities, *([plan.coop] if plan.coop else [])]
    return sorted({t.equity_account for t in transfers} - opened)


def _open_entry(account: str, year: int):
    from beancount.core import data

    # no currencies: None, as Beancount's parser itself writes for an open without any (its annotation
    # says list[str])
    return data.Open({}, datetime.date(year, 12, 31), account, None, None)  # type: ignore[arg-type]


def _remove_empty(folder: Path) -> None:
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


@dataclass(frozen=True)
class ReopenedYear:
    year: int
    removed: tuple[Path, ...]
    include_removed: bool


def reopen_year(coop: Cooperative, books: Books, year: int) -> ReopenedYear:
    """Undo close-year: remove what it wrote (while unchanged), restore the main ledger. Caller holds the
    lock."""
    ledger_dir = coop.ledger_path.parent
    marker = books.figures.closed_years.get(year)
    if marker is None:
        raise CloseRefused.of("reopen_year.not_closed", N_("{year} is not closed"), year=year)
    later = sorted(y for y in books.figures.closed_years if y > year)
    if later:
        raise CloseRefused.of(
            "reopen_year.not_last",
            N_("only the last closed year can be reopened: reopen {last} first"),
            last=later[-1],
        )
    target = year_closing_path(coop, year)
    if marker.file != str(target.relative_to(coop.root)):
        raise CloseRefused.of(
            "reopen_year.not_by_file",
            N_("{year} was not closed by a closing file at {path}"),
            file=marker.file,
            line=marker.line,
            year=year,
            path=str(target.relative_to(coop.root)),
        )
    applied = sorted(coop.closing_dir.glob(f"*-surplus-{year}.beancount"))
    if applied:
        raise CloseRefused.of(
            "reopen_year.surplus_booked",
            N_("the surplus of {year} is booked ({name}); remove it before reopening the year"),
            file=str(applied[0].relative_to(coop.root)),
            year=year,
            name=applied[0].name,
        )
    opening = opening_path(coop, year + 1)
    to_remove = [target] + ([opening] if opening.is_file() else [])
    first_file = ledger_dir / str(year + 1) / f"{year + 1}-01.beancount"
    created = str(marker.meta.get("folder_created") or "")
    untouched = (
        created
        and first_file.is_file()
        and len(list(first_file.parent.iterdir())) == 1
        and first_file.read_bytes() == MONTH_HEADER.format(year=year + 1).encode("utf-8")
    )
    if untouched:
        to_remove.append(first_file)
    main = coop.ledger_path
    main_before = main.read_bytes()
    block = f'\n; {year + 1}, opened by coopctl close-year {year}\ninclude "{year + 1}/*.beancount"\n'.encode(
        "utf-8"
    )
    strip = bool(untouched and marker.meta.get("include_added") and main_before.endswith(block))
    changes = [Change(main, main_before[: -len(block)])] if strip else []
    changes += [Change(path, None) for path in to_remove]

    def verify() -> None:
        if untouched:
            _remove_empty(first_file.parent)
        _remove_empty(opening.parent)
        after = load_books(coop)
        errors = [p for p in after.problems if p.severity == "error"]
        if errors or year in after.figures.closed_years:
            raise LedgerError(
                [
                    Problem.of(
                        "write.reopen_unclean",
                        N_("the ledger does not load cleanly after reopening {period}; nothing was changed"),
                        period=str(year),
                    ),
                    *errors,
                ]
            )

    write_group(coop.root, changes, verify)
    return ReopenedYear(year, tuple(to_remove), strip)


def surplus_path(coop: Cooperative, year: int, day: datetime.date) -> Path:
    return coop.closing_dir / f"{day.isoformat()}-surplus-{year}.beancount"


def surplus_text(
    proposal: SurplusProposal, day: datetime.date, currency: str, open_accounts: set[str]
) -> str:
    postings: list[tuple[str, Decimal]] = [("Equity:Coop:Result", proposal.result)]
    for part, _rate, amount in proposal.parts:
        if amount and part != "workers_share":
            postings.append((SURPLUS_ACCOUNTS[part], -amount))
    for worker in proposal.workers:
        if worker.amount:
            postings.append(
                (f"{SURPLUS_ACCOUNTS['workers_share']}:{_component(worker.member_id)}", -worker.amount)
            )
    used = sorted({account for account, _ in postings} - open_accounts)
    head = SURPLUS_HEADER.format(year=proposal.year)
    if used:
        head += "\n" + "".join(f"{day.isoformat()} open {account}\n" for account in used)
    meta = [("surplus", str(proposal.year)), ("basis", proposal.basis)]
    return (
        head
        + "\n"
        + _transaction(
            day.isoformat(),
            f"Affectation du résultat {proposal.year} (assemblée générale)",
            meta,
            postings,
            currency,
        )
    )


def _component(member_id: str) -> str:
    """A member id as a Beancount account component (an uppercase letter first, no '_')."""
    parts = [p for p in member_id.replace("_", "-").split("-") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or "X"


def expected_surplus_bytes(
    coop: Cooperative, proposal: SurplusProposal, day: datetime.date, entries: list, own_files, skip
) -> bytes:
    """The surplus split written again (for ``check``): the accounts open on its day but by itself."""
    from coopctl.app.closing import accounts_open_on

    return surplus_text(
        proposal, day, coop.coop.currency, accounts_open_on(entries, day, own_files, skip=skip)
    ).encode("utf-8")


def write_surplus(coop: Cooperative, proposal: SurplusProposal, day: datetime.date, books: Books) -> Path:
    from coopctl.adapter.ownfiles import OwnFiles
    from coopctl.app.closing import accounts_open_on

    target = surplus_path(coop, proposal.year, day)
    existing = sorted(coop.closing_dir.glob(f"*-surplus-{proposal.year}.beancount"))
    if existing:
        raise CloseRefused.of(
            "surplus.booked_already",
            N_("the surplus of {year} is booked already"),
            file=str(existing[0].relative_to(coop.root)),
            year=proposal.year,
        )
    opened = accounts_open_on(books.ledger.entries, day, OwnFiles(coop.ledger_path.parent))
    text = surplus_text(proposal, day, coop.coop.currency, opened)

    def verify() -> None:
        after = load_books(coop)
        errors = [p for p in after.problems if p.severity == "error"]
        if errors:
            raise LedgerError(
                [
                    Problem.of(
                        "write.surplus_unclean",
                        N_("the ledger does not load cleanly after booking the surplus; nothing was changed"),
                    ),
                    *errors,
                ]
            )

    write_group(coop.root, [Change(target, text.encode("utf-8"))], verify)
    return target
