"""Amounts typed on the command line (``simulate --gross``, ``--hours``): one rule per language.

English: a point before the decimals; a comma only between groups of three digits, the last group
followed by the point or by the end: ``2000.50``, ``2,000.50``, ``2,000``.
French (``--lang fr``): a comma before the decimals; a space (or a no-break space, or a narrow no-break
space) between groups of three digits: ``2 000,50``, ``2000,50``. A point is read as the decimal mark
only with one or two decimals after it (``2000.50``, as JSON and CSV print it), never as a thousands
separator.

At most two decimals. Anything else — ``2,00`` in English, ``2.000,5``, ``2000.005``, ``2,000`` in
French (three decimals) — is refused with a message saying how to write it: an amount is never guessed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from coopctl.domain.problems import N_, UsageError

_SPACES = " \u00a0\u202f"  # digits are ASCII 0-9: \d would take every script's ("١٢٠٠")
_ENGLISH = (
    re.compile(r"(?P<int>[0-9]+)(?:\.(?P<dec>[0-9]+))?"),
    re.compile(r"(?P<int>[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<dec>[0-9]+))?"),
)
_FRENCH = (
    re.compile(r"(?P<int>[0-9]+)(?:[,.](?P<dec>[0-9]+))?"),
    re.compile(r"(?P<int>[0-9]{1,3}(?:[" + _SPACES + r"][0-9]{3})+)(?:,(?P<dec>[0-9]+))?"),
)
EXAMPLES = {"en": "2000.50 or 2,000.50", "fr": "2 000,50 ou 2000,50"}


def parse_amount(text: str, option: str, lang: str) -> Decimal:
    """The amount ``text`` typed for ``option`` in language ``lang`` ("en" or "fr"), at most two decimals.

    Raises UsageError (exit 2) naming the option and showing how to write it.
    """
    value = text.strip()
    french = lang == "fr"
    examples = EXAMPLES["fr" if french else "en"]
    if value.startswith("-"):
        raise UsageError.of(
            "amount.negative",
            N_("{option} must be a positive amount (got {value})"),
            option=option,
            value=text,
        )
    for pattern in _FRENCH if french else _ENGLISH:
        found = pattern.fullmatch(value)
        if not found:
            continue
        decimals = found.group("dec")
        if french and "." in value and decimals is not None and len(decimals) > 2:
            break  # "2.000": a point as a thousands separator is ambiguous
        if decimals is not None and len(decimals) > 2:
            raise UsageError.of(
                "amount.decimals",
                N_("{option} {value}: more than two decimals; write it to the cent, e.g. {examples}"),
                option=option,
                value=repr(text),
                examples=examples,
            )
        whole = re.sub("[," + _SPACES + "]", "", found.group("int"))  # the thousands separators
        return Decimal(whole + ("." + decimals if decimals else ""))
    if french:
        template = N_(
            "{option} {value} is not an amount coopctl can read without guessing; write it with a comma "
            "before the cents and spaces between thousands, e.g. {examples}"
        )
    else:
        template = N_(
            "{option} {value} is not an amount coopctl can read without guessing; write it with a point "
            "before the cents and commas only between groups of three digits, e.g. {examples} "
            "(French amounts such as 2 000,50 with --lang fr)"
        )
    raise UsageError.of("amount.syntax", template, option=option, value=repr(text), examples=examples)
