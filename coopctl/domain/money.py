"""Money and rates: Decimal only, never float.

``D()`` is the one way to make a Decimal from input; it refuses floats so that a
binary approximation can never enter a computation. ``round_cent`` is the one
rounding rule of the cooperative: to the cent, half-up ("arrondi commercial").
Every amount shown, in JSON, CSV, tables, messages and alerts, goes through ``fmt_amount``
(or ``i18n.money``, which rounds with ``round_cent`` first), so that a message never says 159.84
where the JSON says "159.85": Python's own ``f"{x:.2f}"`` of a Decimal rounds half-even.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")


def D(value: str | int | Decimal) -> Decimal:
    """Make a Decimal from a string, an int or a Decimal; refuse floats and junk."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"money must not be a float: {value!r}")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a decimal number: {value!r}") from None
    else:
        raise TypeError(f"not a decimal number: {value!r}")
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


_PLAIN_AMOUNT = re.compile(r"([+-]?)([0-9]{1,12})(\.[0-9]{1,2})?")  # ASCII digits: \d takes every script's


def plain_amount(text: str, signed: bool = True) -> Decimal | None:
    """An amount as files that coopctl imports write it (a bank statement, claims, payslips): ASCII digits,
    a point, at most two decimals, a sign only when ``signed``; None for anything else (``1e2``, ``1_0``,
    ``1,000``, ``١٢``, ``NaN``), never a guess."""
    match = _PLAIN_AMOUNT.fullmatch(text)
    if match is None or (match.group(1) and not signed):
        return None
    return Decimal(text)


def round_cent(value: Decimal) -> Decimal:
    """Round to the cent, half away from zero (33.325 -> 33.33, -33.325 -> -33.33)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_amount(value: Decimal, grouped: bool = False) -> str:
    """The two-decimal string used in JSON, CSV and ledger text ("1752.00"), rounded half-up to the cent.

    ``grouped`` adds thousands separators for people ("1,752.00"). A negative amount that rounds to
    zero shows as "0.00".
    """
    text = f"{round_cent(value):,.2f}" if grouped else f"{round_cent(value):.2f}"
    return "0.00" if text == "-0.00" else text
