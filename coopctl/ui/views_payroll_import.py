"""``payroll import``: each member's payslip against what the close booked, and the correction."""

from __future__ import annotations

from typing import Any

from coopctl.ui.i18n import _
from coopctl.ui.render import Column, Report, Table

KEYS = ("gross", "employer_contributions", "employee_contributions", "net", "cost")


def _four(figures) -> dict[str, Any]:
    return {key: getattr(figures, key) for key in KEYS}


def payroll_import_report(result) -> Report:
    r = result.reconciliation
    rows = []
    table_rows = []
    for item in sorted(r.differences, key=lambda d: (d.activity, d.member)):
        delta = item.difference
        rows.append(
            {
                "member": item.member,
                "activity": item.activity,
                "line": item.line,
                "booked": _four(item.booked),
                "actual": _four(item.actual),
                "difference": _four(delta),
            }
        )
        table_rows.append(
            {
                "member": item.member,
                "activity": item.activity,
                "booked_gross": item.booked.gross,
                "actual_gross": item.actual.gross,
                "gross": delta.gross,
                "employer_contributions": delta.employer_contributions,
                "employee_contributions": delta.employee_contributions,
                "net": delta.net,
                "cost": delta.cost,
            }
        )
    totals = r.totals()
    data = {
        "month": str(r.month),
        "booked_in": str(r.booked_in),
        "dry_run": result.dry_run,
        "file": result.file,
        "include_added": result.include_added,
        "members": rows,
        "not_in_file": list(r.not_in_file),
        "totals": totals,
    }
    table = Table(
        _("Real payroll {month} against the close (differences booked in {open})").format(
            month=r.month, open=r.booked_in
        ),
        [
            Column("member", "Member"),
            Column("activity", "Activity"),
            Column("booked_gross", "Booked gross", "money"),
            Column("actual_gross", "Real gross", "money"),
            Column("gross", "Δ Gross", "money"),
            Column("employer_contributions", "Δ Employer", "money"),
            Column("employee_contributions", "Δ Employee", "money"),
            Column("net", "Δ Net", "money"),
            Column("cost", "Δ Cost", "money"),
        ],
        table_rows,
        dict(totals, member="Total"),
    )
    notes = []
    if r.not_in_file:
        notes.append(
            _("Paid in {month} but not in the file (their booked figures stand): {members}.").format(
                month=r.month, members=", ".join(r.not_in_file)
            )
        )
    if result.dry_run:
        notes.append(_("Dry run: nothing was written. To book it: coopctl payroll import FILE.csv"))
    else:
        notes.append(
            _("Wrote {file}: one transaction per member, dated {day}.").format(
                file=result.file, day=r.booked_in.first_day.isoformat()
            )
        )
        if result.include_added:
            notes.append(_("The main ledger now includes payroll/*.beancount."))
    return Report(data, [table], notes)
