"""``coopctl fec YYYY``: the year's Fichier des écritures comptables, built and written safely."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coopctl.adapter.ledger import load_books, require_clean
from coopctl.adapter.postings import open_accounts, year_transactions
from coopctl.app.commands import open_cooperative, write_export
from coopctl.core.fec import (
    FecFile,
    bad_pcg,
    build_fec,
    fec_file_name,
    fec_text,
    opening_txn,
    unbalanced,
    unmapped,
)
from coopctl.domain.problems import N_, LedgerError, UsageError


@dataclass(frozen=True)
class FecResult:
    fec: FecFile
    text: str
    written: Path | None  # the file written (with --output), else None


def fec(root: Path | None, year: int, output: Path | None = None) -> FecResult:
    """The FEC of ``year``; written atomically to ``output`` (a file, or a folder where it takes its legal
    name SIREN + "FEC" + closing date) when given. Refused, nothing written, when an account used has no
    chart number (each one named), an entry does not balance in the cooperative's currency, or the ledger
    has an error."""
    coop = open_cooperative(root)
    target = output
    if output is not None and output.is_dir():
        if not coop.coop.siren:
            raise UsageError.of(
                "fec.no_siren",
                N_(
                    "{folder} is a folder: the FEC's legal name needs the cooperative's SIREN "
                    '(siren: "123456789" in config/coop.yaml), or name the file'
                ),
                folder=str(output),
            )
        target = output / fec_file_name(coop.coop.siren, year)
    books = load_books(coop, year)
    require_clean(books)
    entries = books.ledger.entries
    opened = open_accounts(coop, entries)
    txns, before, problems = year_transactions(coop, entries, year)
    opening = opening_txn(year, before)
    if opening is not None:
        txns.insert(0, opening)
    activity_names = {a.id: a.name for a in coop.activities}
    member_names = {m.id: m.name for m in coop.members}
    problems += bad_pcg(opened) + unmapped(txns, opened, activity_names, member_names) + unbalanced(txns)
    if problems:
        raise LedgerError(problems)
    closed = {(m.year, m.month) for m in books.figures.closed}
    built = build_fec(year, txns, opened, activity_names, member_names, closed)
    text = fec_text(built)
    if target is not None:
        write_export(target, text, coop.root)
    return FecResult(built, text, target)
