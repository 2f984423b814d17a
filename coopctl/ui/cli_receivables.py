"""``coopctl receivables``: the unpaid invoices (registered on the app of ``coopctl.ui.cli``)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from coopctl.ui.cli import AsOfOption, FormatOption, _console, _loading, _parse_date, _today, app, state
from coopctl.ui.render import Format, render


@app.command("receivables")
def receivables_command(
    who: Annotated[
        Optional[str],
        typer.Argument(metavar="[ACTIVITY|MEMBER]", help="Only this activity's invoices, or this member's."),
    ] = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The unpaid invoices: amount due, date, age in days, activity; they add up to the receivables.

    An invoice is an entry with invoice: metadata that debits an Assets:Receivable account; a payment
    or a credit note settles it by the same invoice: metadata, a link (^F202610-001) or the reference
    in its narration. Receivable movements that name no invoice are listed apart.

    Examples:

      coopctl receivables --as-of 2026-10-31

      coopctl receivables BoisNomade --format json
    """
    from coopctl.app import receivables as service
    from coopctl.ui import views_receivables

    day = _parse_date(as_of) or _today()
    with _loading():
        result = service.receivables(state.root, day, who)
    render(views_receivables.receivables(result, who), fmt, _console())
