"""``coopctl vat PERIOD``: the VAT return of a month, a quarter or a year (registered by cli.py)."""

from __future__ import annotations

from typing import Annotated

import typer

from coopctl.ui.cli import FormatOption, _console, _loading, app, state
from coopctl.ui.render import Format, render


@app.command("vat")
def vat_command(
    period: Annotated[
        str, typer.Argument(metavar="PERIOD", help="A month (2026-09), a quarter (2026-Q3) or a year (2026).")
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """The period's VAT: collected and deductible by rate, what is due or the credit, with the CA3 lines.

    Counts the VAT postings of the entries dated in the period that also post to an income or expense
    account; the settlement of an earlier return (VAT against the bank) is not counted. JSON: collected,
    deductible, due (negative for a credit), credit, lines, ca3, excluded.

    Examples:

      coopctl vat 2026-09

      coopctl vat 2026-Q3 --format json
    """
    from coopctl.app import vat as vat_service
    from coopctl.core.vat import parse_period
    from coopctl.ui import views_vat

    try:
        parsed = parse_period(period)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    with _loading():
        result = vat_service.vat(state.root, parsed)
    render(views_vat.vat(result), fmt, _console())
