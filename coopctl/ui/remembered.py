"""Warm answers of read-only commands: a report computed once for the ledger as it is, read back after.

``remembered(build, *question)`` returns the ``Report`` that ``build()`` makes, read back from the cache
(``store.answers``) when the same question was answered on the same config and ledger bytes, the same day
and in the same language; else it builds it and keeps it when the ledger did not change meanwhile. The
report is kept as tagged JSON (Decimal, date and month values round-trip exactly; any other type, and
nothing is kept). Rendering is done each time, for the terminal or pipe at hand.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from coopctl.domain.months import Month
from coopctl.ui import i18n
from coopctl.ui.render import Chart, Column, Report, Series, Table


class _NotKept(TypeError):
    """A value the tagged JSON does not carry exactly: the report is not kept."""


def _enc(value: Any) -> Any:
    if value is None or type(value) in (bool, int, str):  # exactly: a str enum would come back a str
        return value
    if isinstance(value, Decimal):
        return {"D": str(value)}
    if isinstance(value, datetime.datetime):
        raise _NotKept(type(value).__name__)
    if isinstance(value, datetime.date):
        return {"T": value.isoformat()}
    if isinstance(value, Month):
        return {"m": str(value)}
    if isinstance(value, list):
        return [_enc(item) for item in value]
    if isinstance(value, tuple):
        return {"U": [_enc(item) for item in value]}
    if isinstance(value, dict):
        return {"M": [[_enc(key), _enc(item)] for key, item in value.items()]}
    raise _NotKept(type(value).__name__)  # a float, a dataclass...: computed again each time


def _dec(value: Any) -> Any:
    if isinstance(value, list):
        return [_dec(item) for item in value]
    if not isinstance(value, dict):
        return value
    ((tag, inner),) = value.items()
    if tag == "D":
        return Decimal(inner)
    if tag == "T":
        return datetime.date.fromisoformat(inner)
    if tag == "m":
        return Month.parse(inner)
    if tag == "U":
        return tuple(_dec(item) for item in inner)
    if tag == "M":
        return {_dec(key): _dec(item) for key, item in inner}
    raise ValueError(f"unknown tag {tag!r}")


def _table(table: Table) -> dict:
    return {
        "title": table.title,
        "columns": [[c.key, c.header, c.kind] for c in table.columns],
        "rows": _enc(table.rows),
        "totals": _enc(table.totals),
    }


def _untable(doc: dict) -> Table:
    return Table(doc["title"], [Column(*c) for c in doc["columns"]], _dec(doc["rows"]), _dec(doc["totals"]))


def encode_report(report: Report) -> str:
    """The report as tagged JSON; _NotKept when a value would not come back identical."""
    return json.dumps(
        {
            "data": _enc(report.data),
            "tables": [_table(t) for t in report.tables],
            "notes": _enc(report.notes),
            "alerts": _enc(report.alerts),
            "charts": [
                {
                    "title": c.title,
                    "labels": _enc(c.labels),
                    "series": [[s.name, _enc(s.values), s.style, s.scale] for s in c.series],
                }
                for c in report.charts
            ],
            "csv": _table(report.csv) if report.csv is not None else None,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_report(text: str) -> Report:
    doc = json.loads(text)
    return Report(
        _dec(doc["data"]),
        [_untable(t) for t in doc["tables"]],
        _dec(doc["notes"]),
        _dec(doc["alerts"]),
        [
            Chart(c["title"], _dec(c["labels"]), [Series(n, _dec(v), st, sc) for n, v, st, sc in c["series"]])
            for c in doc["charts"]
        ],
        _untable(doc["csv"]) if doc["csv"] is not None else None,
    )


def remembered(root_option: Path | None, build: Callable[[], Report], *question: object) -> Report:
    """``build()``'s report, or the one kept for this question on the cooperative's current state."""
    from coopctl.domain.problems import CoopctlError
    from coopctl.store import answers
    from coopctl.store.paths import find_root

    try:
        root = find_root(root_option)
    except CoopctlError:
        return build()  # the command reports it
    asked = answers.question_of(*question, root, i18n.language(), i18n.user_language())
    before = answers.ledger_state(root)
    if before is not None:
        text = answers.recall(root, before, asked)
        if text is not None:
            try:
                return decode_report(text)
            except (ValueError, KeyError, TypeError, ArithmeticError):
                pass  # computed again, and kept again
    report = build()
    after = answers.ledger_state(root)
    if after is not None and before in (None, after):
        try:
            answers.remember(root, after, asked, encode_report(report))
        except (_NotKept, ValueError):
            pass
    return report
