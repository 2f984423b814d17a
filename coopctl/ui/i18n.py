"""Languages: English (the default) and French, for labels, messages, numbers and dates on screen.

The language is ``--lang``, else ``COOPCTL_LANG``, else French when ``LC_ALL``, ``LC_MESSAGES`` or
``LANG`` is French, else English. Texts are looked up in gettext catalogues kept in the package
(``coopctl/ui/locale/fr/LC_MESSAGES/coopctl.po``, compiled to ``coopctl.mo`` by
``scripts/compile_catalogues.py``); numbers and dates are formatted by Babel (``1 234,56 €``,
``31/10/2026`` in French). JSON and CSV never go through here: they keep their machine format in every
language.

``_`` translates a text (unknown texts come back unchanged); ``N_`` marks a text for the catalogue
where it is defined, to be translated where it is shown.
"""

from __future__ import annotations

import datetime
import gettext
import os
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from coopctl.domain.money import fmt_amount

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "fr")

_state: dict = {"lang": "en", "translations": gettext.NullTranslations()}


def language_from_environment(explicit: str | None = None) -> str:
    """The language asked for: the explicit one, COOPCTL_LANG, or a French locale in the environment."""
    for value in (explicit, os.environ.get("COOPCTL_LANG")):
        if value:
            return value.strip().lower()[:2]
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def set_language(lang: str, output_only: bool = False) -> None:
    """Use ``lang`` ("en" or "fr") from now on; an unknown language raises ValueError."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: coopctl speaks {', '.join(LANGUAGES)}")
    translations = (
        gettext.translation("coopctl", LOCALE_DIR, languages=[lang], fallback=True)
        if lang != "en"
        else gettext.NullTranslations()
    )
    _state.update(lang=lang, translations=translations)
    if not output_only:  # JSON and CSV are written in English; the user still reads and types in ``lang``
        _state["user"] = lang


def language() -> str:
    return _state["lang"]


def user_language() -> str:
    """The language the user reads and types in (``--lang`` or the environment), even while JSON or CSV is
    written in English: dates typed on the command line follow it."""
    return str(_state.get("user", _state["lang"]))


def _(message: str) -> str:
    return _state["translations"].gettext(message) if message else message


def N_(message: str) -> str:  # noqa: N802 (gettext's name)
    return message


def counted(count: int, one: str, many: str) -> str:
    """``one`` or ``many`` (catalogue texts with ``{count}``) by the plural rule of the language in use:
    English takes the singular for 1 only, French for 0 and 1 ("0 activité", "1 activité", "2 activités")."""
    singular = count in (0, 1) if language() == "fr" else count == 1
    return _(one if singular else many).format(count=count)


def _babel_locale() -> str:
    return {"fr": "fr_FR"}[_state["lang"]]


def money(value: Decimal, currency: str | None = "EUR") -> str:
    """An amount for people: ``1,234.56`` in English, ``1 234,56 €`` in French (Babel's French format)."""
    if _state["lang"] == "en":
        return fmt_amount(value, grouped=True)
    from babel.numbers import format_currency, format_decimal

    value = Decimal(
        fmt_amount(value)
    )  # half-up to the cent first, as JSON shows it (Babel would round half-even)
    if currency:
        return format_currency(value, currency, locale=_babel_locale())
    return format_decimal(value, format="#,##0.00", locale=_babel_locale())


def number(value: Decimal | int | float | str, places: int = 2) -> str:
    """A count, hours or months for people, rounded half-up to ``places`` decimals."""
    value = (
        Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) + 0
    )  # + 0: no "-0.0"
    if _state["lang"] == "en":
        return f"{value:,.{places}f}"
    from babel.numbers import format_decimal

    return format_decimal(
        value, format="#,##0." + "0" * places if places else "#,##0", locale=_babel_locale()
    )


def percent(rate: Decimal) -> str:
    """A rate as a percentage: ``10 %``, ``12.5 %`` (``12,5 %`` in French)."""
    text = f"{(rate * 100).normalize():f}"
    return f"{text.replace('.', ',') if _state['lang'] == 'fr' else text} %"


def date(day: datetime.date) -> str:
    """A date: ISO in English (``2026-10-31``), ``31/10/2026`` in French."""
    if _state["lang"] == "en":
        return day.isoformat()
    from babel.dates import format_date

    return format_date(day, "dd/MM/yyyy", locale=_babel_locale())


def word(problem) -> str:
    """A problem or alert in the current language: its template translated, its parameters formatted
    (amounts, dates, nested phrases); a problem without a template keeps its message."""
    if not getattr(problem, "template", ""):
        return problem.message

    def show(value):
        if hasattr(value, "template"):
            return word(value)
        if isinstance(value, Decimal):
            return money(value)
        if isinstance(value, datetime.date):
            return date(value)
        if isinstance(value, (list, tuple)):
            return ", ".join(show(item) for item in value)
        return str(value)

    return _(problem.template).format(**{key: show(value) for key, value in problem.params})


def worded(problem) -> str:
    """``word`` with the problem's place in front, as one line: ``file:line: message``."""
    return f"{problem.where}: {word(problem)}" if problem.where else word(problem)


# Words shown through a variable (a status, a phase, a total's label): here so the catalogue has them.
WORDS = (
    N_("closed"),
    N_("open"),
    N_("CAPE"),
    N_("CESA"),
    N_("left"),
    N_("Total"),
    N_("Year"),
    N_("error"),
    N_("warning"),
    N_("yes"),
    N_("gross paid"),
    N_("equal parts"),
    N_("hours"),
    N_("end of CAPE contract"),
    N_("associate deadline"),
)


# --------------------------------------------------------------------------- --help texts

EXAMPLE_LINE = ("coopctl ", "cd ")


def help_paragraphs(text: str) -> list[tuple[str, bool]]:
    """A ``--help`` text cut into paragraphs, each with whether it is prose to translate (examples, which
    are command lines, are kept as they are)."""
    import inspect

    paragraphs = []
    for paragraph in inspect.cleandoc(text or "").split("\n\n"):
        lines = [line.strip() for line in paragraph.splitlines() if line.strip()]
        prose = bool(lines) and not all(line.startswith(EXAMPLE_LINE) for line in lines)
        paragraphs.append((paragraph, prose))
    return paragraphs


def help_text(text: str | None) -> str | None:
    """A ``--help`` text in the current language: each paragraph of prose translated, the examples kept."""
    if not text:
        return text
    return "\n\n".join(_(paragraph) if prose else paragraph for paragraph, prose in help_paragraphs(text))
