"""``coopctl payroll import FILE.csv``: the real payroll's differences, booked in the first open month."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from coopctl.ui.cli import FormatOption, _console, _loading, payroll_app, state
from coopctl.ui.render import Format, render


@payroll_app.command("import")
def payroll_import_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.csv",
            help="The payroll bureau's figures of one closed month: columns member, month, gross, "
            "employer_contributions, employee_contributions, net.",
            dir_okay=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the differences; write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Reconcile a closed month with the real payroll: book, in the first open month, each member's \
difference between the payslip and what the close booked.

    The CSV has a header and one row per member, every row for the same closed month:
    member,month,gross,employer_contributions,employee_contributions,net (amounts with a dot and at
    most two decimals; net = gross − employee contributions, before income tax withheld). Writes
    ledgers/payroll/<open month>-actual-<month>.beancount (one transaction per member, with
    payroll_actual metadata, on the activity's Salary:Gross and Salary:Employer and on
    Liabilities:Payroll:Net and Social) and includes it from the main ledger. Refused, writing
    nothing: an open month, a month already imported, an unknown member or one not paid that month,
    a malformed amount, a row for another month, a member listed twice.

    Examples:

      coopctl payroll import paie-2026-09.csv --dry-run

      coopctl payroll import paie-2026-09.csv
    """
    from coopctl.app.payroll_import import payroll_import
    from coopctl.ui.views_payroll_import import payroll_import_report

    with _loading():
        result = payroll_import(state.root, file, dry_run)
    render(payroll_import_report(result), fmt, _console())
