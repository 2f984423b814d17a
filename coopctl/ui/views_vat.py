"""The VAT return of a period (``coopctl vat``): by side and rate, with the CA3 lines."""

from __future__ import annotations

from typing import Any

from coopctl.core.vat import CA3_LABELS, VatEntryRef, VatReturn
from coopctl.ui import i18n
from coopctl.ui.i18n import N_, _
from coopctl.ui.render import Column, Report, Table

VAT_COLUMNS = [
    Column("side", N_("VAT"), "label"),
    Column("rate", N_("rate"), "rate"),
    Column("base", N_("base excl. VAT"), "money"),
    Column("vat", N_("VAT amount"), "money"),
    Column("ca3_line", N_("CA3 line")),
    Column("entries", N_("entries"), "int"),
]
CA3_COLUMNS = [
    Column("line", N_("CA3 line")),
    Column("label", N_("label")),
    Column("base", N_("base excl. VAT"), "money"),
    Column("vat", N_("VAT amount"), "money"),
]
N_("collected")
N_("deductible")


def _ref(ref: VatEntryRef) -> dict[str, Any]:
    return {
        "date": ref.date.isoformat(),
        "narration": ref.narration,
        "vat": ref.vat,
        "file": ref.file,
        "line": ref.line,
    }


def vat(result: VatReturn) -> Report:
    rows: list[dict[str, Any]] = [
        {
            "side": line.side,
            "rate": line.rate,
            "base": line.base,
            "vat": line.vat,
            "ca3_line": line.ca3_line,
            "entries": line.entries,
        }
        for line in result.lines
    ]
    ca3 = result.ca3()
    data = {
        "period": result.period.label,
        "from": result.period.start.isoformat(),
        "to": result.period.end.isoformat(),
        "collected": result.collected,
        "deductible": result.deductible,
        "due": result.due,
        "credit": result.credit,
        "lines": [dict(row, rate=None if row["rate"] is None else f"{row['rate']}") for row in rows],
        "ca3": ca3,
        "excluded": [_ref(r) for r in result.excluded],
        "other_rate": [_ref(r) for r in result.other_rate],
    }
    table = Table(
        _("VAT {period} ({start} to {end})").format(
            period=result.period.label, start=result.period.start, end=result.period.end
        ),
        VAT_COLUMNS,
        rows,
    )
    ca3_rows = [
        {"line": line, "label": CA3_LABELS.get(line, ""), "base": slot.get("base"), "vat": slot["vat"]}
        for line, slot in ca3.items()
    ]
    ca3_table = Table(_("CA3 return (3310-CA3)"), CA3_COLUMNS, ca3_rows)
    notes = [
        _("Due: {amount} (line 28).").format(amount=i18n.money(result.due))
        if result.due >= 0
        else _("Credit: {amount} (line 25).").format(amount=i18n.money(result.credit))
    ]
    if result.excluded:
        notes.append(
            _(
                "Not counted: {count} entries moving VAT against no income or expense (settled returns)."
            ).format(count=len(result.excluded))
        )
    alerts = [
        _(
            "{file}:{line}: the VAT of this entry matches no standard rate (20, 10, 5.5, 2.1 %): check it"
        ).format(file=r.file, line=r.line)
        for r in result.other_rate
    ]
    return Report(data, [table, ca3_table], notes, alerts)
