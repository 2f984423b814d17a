"""``coopctl import bank FILE`` (registered on the app of ``coopctl.ui.cli``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from coopctl.ui.cli import FormatOption, _console, _loading, _stderr, app, state
from coopctl.ui.render import Format, render

import_app = typer.Typer(
    name="import",
    help="Bring outside files into the ledger: bank statements.\n\nExamples:\n\n"
    "  coopctl import bank samples/releve-2026-11.csv --dry-run",
    no_args_is_help=True,
    rich_markup_mode="rich",
)
app.add_typer(import_app, name="import")


@import_app.command("bank")
def import_bank_command(
    statement: Annotated[Path, typer.Argument(metavar="FILE", help="The bank's CSV export.", dir_okay=False)],
    mapping: Annotated[
        Optional[str],
        typer.Option(
            "--mapping",
            "-m",
            help="A mapping of bank.mappings in config/coop.yaml (default: "
            "bank.mapping, else generic: date,label,amount).",
        ),
    ] = None,
    account: Annotated[
        Optional[str], typer.Option("--account", help="The bank account (default: bank.account).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Import a bank statement's new lines into ledgers/bank/YYYY-MM.beancount.

    The generic CSV has a header line date,label,amount: ISO dates (2026-11-03), a decimal point, the
    amount positive into the bank. A bank's own export is read by a mapping in config/coop.yaml (delimiter,
    encoding, date format, decimal comma, debit and credit columns, lines to skip). A line whose label
    names an open invoice settles it; bank.rules send other labels to accounts; the rest waits in the
    suspense account (Assets:Suspense), which coopctl check lists. Importing a statement again adds only
    the lines not imported yet; lines in a closed month are refused.

    Examples:

      coopctl import bank releve.csv --dry-run

      coopctl import bank export.csv --mapping banque-coop --account Assets:Bank:Courant
    """
    from coopctl.app import bank as service
    from coopctl.ui import views_receivables

    with _loading():
        result = service.import_bank(state.root, statement, mapping, account, dry_run)
    render(views_receivables.bank_import(result), fmt, _console())
    if dry_run and fmt is Format.table and result.texts:
        out = _console().file
        for name, text in result.texts.items():
            out.write(f"\n; {name}\n{text}")
    if not dry_run and result.texts:
        _stderr(
            f"wrote {', '.join(result.texts)}"
            + (" (and the include in the main ledger)" if result.include_added else "")
        )
