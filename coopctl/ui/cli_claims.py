"""``coopctl claims`` (the claims booked, per member) and ``coopctl claims import FILE`` (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from coopctl.ui.cli import FormatOption, _console, _loading, _today, app, state
from coopctl.ui.render import Format, render

claims_app = typer.Typer(no_args_is_help=False)


@claims_app.callback(invoke_without_command=True)
def claims_command(
    ctx: typer.Context,
    member: Annotated[
        Optional[str], typer.Option("--member", "-m", help="Only this member's claims.")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Members' expense claims and mileage: each claim booked with its state (paid, to pay, pending), and
    each member's totals; coopctl claims import FILE books a CSV.

    A pending claim is one the activity's reserve could not pay when it was imported: do not pay it yet.

    Examples:

      coopctl claims

      coopctl claims --member alice --format json
    """
    from coopctl.app import claims as service
    from coopctl.ui import views_claims

    if ctx.invoked_subcommand is not None:
        return
    with _loading():
        result = service.list_claims(state.root, member)
    render(views_claims.claims_list(result), fmt, _console())


@claims_app.command("import")
def claims_import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The claims CSV (columns: docs/claims.md).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Check and show the claims; write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Book members' expense claims and mileage from a CSV, one file per month under ledgers/claims/.

    Refuses the whole file, writing nothing, when a row names an unknown member or category, a date in a
    closed month, or a wrong amount. Rows booked by an earlier import are left as they are.

    Examples:

      coopctl claims import claims-2026-10.csv --dry-run

      coopctl claims import claims-2026-10.csv --format json
    """
    from coopctl.app import claims as service
    from coopctl.ui import views_claims

    with _loading():
        result = service.import_claims(state.root, file, str(file), dry_run, _today())
    render(views_claims.claims_import(result), fmt, _console())


app.add_typer(claims_app, name="claims")
