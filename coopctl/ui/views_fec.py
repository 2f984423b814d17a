"""The FEC's summary (``coopctl fec YYYY --output FILE``): its journals and totals."""

from __future__ import annotations

from typing import Any

from coopctl.core.fec import JOURNALS
from coopctl.ui import i18n
from coopctl.ui.i18n import N_, _
from coopctl.ui.render import Column, Report, Table

FEC_COLUMNS = [
    Column("code", N_("journal")),
    Column("label", N_("label")),
    Column("entries", N_("entries"), "int"),
    Column("debit", N_("debit"), "money"),
]


def fec_summary(result) -> Report:
    fec = result.fec
    rows: list[dict[str, Any]] = [
        {"code": code, "label": JOURNALS.get(code, code), "entries": count, "debit": debit}
        for code, (count, debit) in sorted(fec.journals.items())
    ]
    data = {
        "year": fec.year,
        "file": str(result.written) if result.written else None,
        "entries": fec.entries,
        "lines": len(fec.rows),
        "total_debit": fec.total_debit,
        "total_credit": fec.total_credit,
        "journals": rows,
        "months_not_closed": fec.not_closed,
    }
    table = Table(
        _("FEC {year}: entries by journal").format(year=fec.year),
        FEC_COLUMNS,
        rows,
        {"code": "Total", "entries": fec.entries, "debit": fec.total_debit},
    )
    notes = [
        _("Wrote {file}: {entries} entries, {lines} lines; debit and credit total {total} each.").format(
            file=result.written, entries=fec.entries, lines=len(fec.rows), total=i18n.money(fec.total_debit)
        )
    ]
    if fec.not_closed:
        notes.append(
            _("Months not closed yet (ValidDate is then the entry's own date): {months}.").format(
                months=", ".join(fec.not_closed)
            )
        )
    return Report(data, [table], notes)
