"""The views of ``coopctl receivables`` and ``coopctl import bank``."""

from __future__ import annotations

from coopctl.core.receivables import NO_REFERENCE, Receivables
from coopctl.ui import i18n
from coopctl.ui.i18n import N_, _
from coopctl.ui.render import Column, Report, Table

REASONS = {
    NO_REFERENCE: N_("names no invoice"),
    "other_account": N_("names an invoice of another receivable account"),
}


def receivables(result: Receivables, who: str | None) -> Report:
    """The open invoices (oldest first), the receivable movements that name no invoice, and whether they add
    up to the receivable accounts' balance."""
    rows = [
        {
            "invoice": i.invoice,
            "activity": i.activity,
            "date": i.date.isoformat(),
            "amount": i.due,
            "invoiced": i.amount,
            "age_days": i.age_days,
            "file": i.file,
            "line": i.line,
        }
        for i in result.invoices
    ]
    unmatched = [
        {
            "date": u.move.date.isoformat(),
            "activity": u.move.activity,
            "account": u.move.account,
            "amount": u.move.amount,
            "narration": u.move.narration,
            "reason": u.reason,
            "file": u.move.file,
            "line": u.move.line,
        }
        for u in result.unmatched
    ]
    data = {
        "as_of": result.as_of.isoformat(),
        "of": who,
        "invoices": rows,
        "unmatched": unmatched,
        "invoices_total": result.invoices_total,
        "unmatched_total": result.unmatched_total,
        "total": result.total,
        "receivable_balance": result.receivable_balance,
        "adds_up": result.adds_up,
    }
    title = (
        _("Unpaid invoices of {who} on {day}").format(who=who, day=i18n.date(result.as_of))
        if who
        else _("Unpaid invoices on {day}").format(day=i18n.date(result.as_of))
    )
    table = Table(
        title,
        [
            Column("invoice", "Invoice"),
            Column("activity", "Activity"),
            Column("date", "Date", "date"),
            Column("age_days", "Age (days)", "int"),
            Column("invoiced", "Invoiced", "money"),
            Column("amount", "Due", "money"),
        ],
        rows,
        {"invoice": "Total", "amount": result.invoices_total},
    )
    tables = [table]
    if unmatched:
        tables.append(
            Table(
                _("Receivable movements without an invoice reference"),
                [
                    Column("date", "Date", "date"),
                    Column("account", "Account"),
                    Column("amount", "Amount", "money"),
                    Column("narration", "Narration"),
                    Column("where", "Where"),
                    Column("reason", "Reason"),
                ],
                [
                    dict(
                        row,
                        where=f"{row['file']}:{row['line']}" if row["file"] and row["line"] else row["file"],
                        reason=_(REASONS[str(row["reason"])]),
                    )
                    for row in unmatched
                ],
            )
        )
    if result.adds_up and not unmatched:
        note = _("The {count} open invoices add up to the receivable accounts' balance, {balance}.").format(
            count=len(rows), balance=i18n.money(result.receivable_balance)
        )
    elif result.adds_up:
        note = _(
            "The open invoices ({invoices}) and the {count} movements without an invoice reference "
            "({unmatched}) add up to the receivable accounts' balance, {balance}."
        ).format(
            invoices=i18n.money(result.invoices_total),
            count=len(unmatched),
            unmatched=i18n.money(result.unmatched_total),
            balance=i18n.money(result.receivable_balance),
        )
    else:
        note = _(
            "Does not add up: open invoices {invoices} and movements without an invoice reference "
            "{unmatched} make {total}, but the receivable accounts hold {balance}."
        ).format(
            invoices=i18n.money(result.invoices_total),
            unmatched=i18n.money(result.unmatched_total),
            total=i18n.money(result.total),
            balance=i18n.money(result.receivable_balance),
        )
    return Report(data, tables, [note], csv=table)


KINDS = {"invoice": N_("invoice"), "rule": N_("rule"), "suspense": N_("suspense")}


def bank_import(result) -> Report:
    """What an import wrote (or would write): one row per new line."""
    rows = [
        {
            "line": b.line.line,
            "date": b.line.date.isoformat(),
            "label": b.line.label,
            "amount": b.line.amount,
            "kind": b.kind,
            "account": ", ".join(dict.fromkeys(a for a, _ in b.postings)),
            "invoices": list(b.invoices),
            "bank_id": b.line.bank_id,
        }
        for b in result.bookings
    ]
    data = {
        "file": result.file,
        "account": result.account,
        "mapping": result.mapping,
        "dry_run": result.dry_run,
        "lines": rows,
        "already_imported": result.already,
        "files": sorted(result.texts),
        "include_added": result.include_added,
    }
    table = Table(
        _("Bank lines from {file}").format(file=result.file),
        [
            Column("line", "Line", "int"),
            Column("date", "Date", "date"),
            Column("label", "Label"),
            Column("amount", "Amount", "money"),
            Column("kind", "By", "label"),
            Column("account", "Account"),
        ],
        [dict(row, kind=KINDS[row["kind"]]) for row in rows],
    )
    waiting = sum(1 for b in result.bookings if b.kind == "suspense")
    if not rows:
        note = _("Nothing new: the {count} lines of the statement are already in the ledger.").format(
            count=result.already
        )
    else:
        sentence = (
            _("Would write {count} lines to {files} ({already} already imported, {waiting} in suspense).")
            if result.dry_run
            else _("Wrote {count} lines to {files} ({already} already imported, {waiting} in suspense).")
        )
        note = sentence.format(
            count=len(rows),
            files=", ".join(sorted(result.texts)),
            already=result.already,
            waiting=waiting,
        )
    return Report(data, [table], [note])
