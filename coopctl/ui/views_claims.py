"""The reports of ``coopctl claims import`` and ``coopctl claims`` (issue 17, item 5)."""

from __future__ import annotations

from coopctl.app.claims import ClaimsImport, ClaimsList
from coopctl.ui.i18n import N_, _
from coopctl.ui.render import Column, Report, Table

# the states of a claim, words the table translates (Column kind "label")
STATES = (N_("approved"), N_("pending"), N_("paid"), N_("to pay"), N_("expense"), N_("mileage"))


def claims_import(result: ClaimsImport) -> Report:
    """What an import books (or would book, with --dry-run), claim by claim."""
    rows = [
        {
            "line": c.line.line,
            "claim_id": c.line.identity,
            "member": c.line.member,
            "activity": c.activity,
            "date": c.line.day.isoformat(),
            "kind": c.line.kind,
            "category": c.line.category,
            "account": c.account,
            "km": c.line.km,
            "cv": c.line.cv,
            "km_before": c.km_before,
            "amount": c.amount,
            "vat": c.vat,
            "net": c.net,
            "reserve": c.reserve,
            "status": c.status,
            "note": c.line.note,
        }
        for c in result.plan.claims
    ]
    table = Table(
        _("Claims of {file}").format(file=result.file),
        [
            Column("line", "Line", "int"),
            Column("member", "Member"),
            Column("date", "Date", "date"),
            Column("kind", "Kind", "label"),
            Column("category", "Category"),
            Column("km", "Km", "int"),
            Column("amount", "Amount", "money"),
            Column("vat", "VAT", "money"),
            Column("reserve", "Reserve before", "money"),
            Column("status", "Status", "label"),
        ],
        rows,
    )
    notes = []
    pending = [r for r in rows if r["status"] == "pending"]
    if pending:
        notes.append(
            _(
                "Pending claims: {count} (the activity's reserve cannot pay them; do not pay them yet)."
            ).format(count=len(pending))
        )
    if result.plan.already_booked:
        notes.append(
            _("Rows booked by an earlier import, left as they are: {count} (lines {lines}).").format(
                count=len(result.plan.already_booked),
                lines=", ".join(str(line.line) for line in result.plan.already_booked),
            )
        )
    if result.dry_run:
        notes.append(_("Dry run: nothing was written."))
    elif result.written:
        notes.append(
            _("Written: {files}.").format(files=", ".join(f"ledgers/claims/{p.name}" for p in result.written))
        )
    else:
        notes.append(_("Nothing new to book."))
    return Report(
        {
            "file": result.file,
            "dry_run": result.dry_run,
            "claims": rows,
            "already_booked": [line.line for line in result.plan.already_booked],
            "written": [f"ledgers/claims/{p.name}" for p in result.written],
        },
        [table],
        notes,
    )


def claims_list(result: ClaimsList) -> Report:
    """Every claim with its state (paid, to pay, pending), then each member's totals."""
    rows = [
        {
            "member": item.claim.member,
            "activity": item.claim.activity,
            "date": item.claim.day.isoformat(),
            "kind": item.claim.kind,
            "category": item.claim.category,
            "km": item.claim.km,
            "amount": item.claim.amount,
            "vat": item.claim.vat,
            "paid": item.paid,
            "state": item.state,
            "status": item.claim.status,
            "note": item.claim.note,
            "claim_id": item.claim.identity,
            "file": item.claim.file,
            "line": item.claim.line,
        }
        for item in result.claims
    ]
    members = [
        {
            "member": m.member,
            "activity": m.activity,
            "claimed": m.claimed,
            "pending": m.pending,
            "paid": m.paid,
            "outstanding": m.outstanding,
        }
        for m in result.members
    ]
    claims_table = Table(
        _("Expense claims"),
        [
            Column("member", "Member"),
            Column("date", "Date", "date"),
            Column("kind", "Kind", "label"),
            Column("category", "Category"),
            Column("km", "Km", "int"),
            Column("amount", "Amount", "money"),
            Column("vat", "VAT", "money"),
            Column("paid", "Paid", "money"),
            Column("state", "State", "label"),
            Column("note", "Note"),
        ],
        rows,
    )
    members_table = Table(
        _("Claims by member"),
        [
            Column("member", "Member"),
            Column("activity", "Activity"),
            Column("claimed", "Claimed", "money"),
            Column("pending", "Pending", "money"),
            Column("paid", "Paid", "money"),
            Column("outstanding", "Owed", "money"),
        ],
        members,
    )
    notes = [] if rows else [_("No expense claims booked.")]
    return Report(
        {"member": result.member, "claims": rows, "members": members}, [claims_table, members_table], notes
    )
