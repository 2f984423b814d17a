"""``coopctl fec YYYY``: the accountant's Fichier des écritures comptables (registered by cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from coopctl.ui.cli import FormatOption, _console, _loading, _parse_year, app, state
from coopctl.ui.render import Format, render


@app.command("fec")
def fec_command(
    year: Annotated[str, typer.Argument(metavar="YYYY", help="The year (1 January to 31 December).")],
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the FEC to FILE (atomically); into a folder, named SIRENFECAAAAMMJJ.txt.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The year's Fichier des écritures comptables (FEC, article A47 A-1 of the LPF), for the accountant.

    18 tab-separated columns (JournalCode … Idevise), UTF-8, one line per posting, the year's opening
    balances as journal AN. Account numbers from the French chart: pcg: metadata on open directives, else
    coopctl's default map (docs/fec.md). Refused, nothing written, if an account has no number.
    Without --output, the file goes to standard output; with it, a summary is shown (--format).

    Examples:

      coopctl fec 2026 > FEC2026.txt

      coopctl fec 2026 --output exports/
    """
    from coopctl.app import fec as fec_service
    from coopctl.ui.views_fec import fec_summary

    parsed = _parse_year(year)
    with _loading():
        result = fec_service.fec(state.root, parsed, output)
    if output is None:
        sys.stdout.write(result.text)
        return
    render(fec_summary(result), fmt, _console())
