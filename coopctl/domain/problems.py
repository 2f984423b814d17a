"""Errors and alerts as values with a source, and the one exception the CLI catches.

A ``Problem`` is one thing wrong (an error) or worth a look (a warning, an alert), with where it is
(file, line) when known. Those the core raises carry a ``code``, the English ``template`` they are
worded from and its ``params`` (amounts as Decimal, dates as dates): the presentation layer words them
in the user's language (``ui.i18n.word``) and JSON carries ``{"code", "message", ...params}``; nothing
ever parses a message back. ``message`` is the English wording, for logs and tests. Core functions
return problems in their results; the edges raise ``CoopctlError`` carrying them, and only the CLI
catches it and maps it to an exit code.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Self

from coopctl.domain.money import fmt_amount
from coopctl.domain.months import Month


def N_(text: str) -> str:  # noqa: N802 (gettext's name)
    """Marks an English template for the translation catalogue; it is translated where it is shown (ui)."""
    return text


def english(value: Any) -> str:
    """A message parameter in English: amounts to the cent with thousands separators, ISO dates."""
    if isinstance(value, Problem):
        return value.message
    if isinstance(value, Decimal):
        return fmt_amount(value, grouped=True)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):  # a list of values or phrases, comma-separated
        return ", ".join(english(item) for item in value)
    return str(value)


EXIT_OK = 0
EXIT_DATA = 1  # config, ledger, refused close: the data is wrong or the action is refused
EXIT_USAGE = 2  # the command line itself is wrong


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"
    code: str = ""  # what it is, for programs (JSON) and for wording it (ui); "" for a plain message
    template: str = ""  # the English text with {placeholders}, also the translation catalogue's key
    params: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(
        cls,
        code: str,
        template: str,
        *,
        file: str | None = None,
        line: int | None = None,
        severity: str = "error",
        **params: Any,
    ) -> "Problem":
        """A coded problem; ``template`` is marked with ``N_`` where it is written."""
        return cls(
            template.format(**{k: english(v) for k, v in params.items()}),
            file,
            line,
            severity,
            code,
            template,
            tuple(params.items()),
        )

    @property
    def parameters(self) -> dict[str, Any]:
        return dict(self.params)

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        """For JSON: ``{"code", "message", ...params}`` (with severity, file and line when known)."""
        out: dict[str, Any] = {
            "code": self.code or None,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "message": self.message,
        }
        for key, value in self.params:
            if key not in out:
                out[key] = (
                    fmt_amount(value)
                    if isinstance(value, Decimal)
                    else value.isoformat()
                    if isinstance(value, datetime.date)
                    else value.message
                    if isinstance(value, Problem)
                    else value
                    if isinstance(value, (int, str, bool)) or value is None
                    else english(value)
                    if isinstance(value, (list, tuple))
                    else str(value)
                )
        return out


def unique_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Each problem once (same severity, place and words: the same thing found twice), in order."""
    seen: set[tuple[str, str | None, int | None, str]] = set()
    kept = []
    for problem in problems:
        key = (problem.severity, problem.file, problem.line, problem.message)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept


@dataclass
class CoopctlError(Exception):
    """Base of every error coopctl reports to a user. Carries one or more problems."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: int = EXIT_DATA

    def __post_init__(self) -> None:
        self.problems = unique_problems(self.problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)

    @classmethod
    def one(cls, message: str, file: str | None = None, line: int | None = None) -> Self:
        """One uncoded problem, shown as written in every language: only for text that is not coopctl's
        own. coopctl's own refusals use ``of`` (tests/test_french_refusals.py keeps this one out of the
        package)."""
        return cls([Problem(message, file, line)])

    @classmethod
    def of(
        cls, code: str, template: str, *, file: str | None = None, line: int | None = None, **params: Any
    ) -> Self:
        """One coded problem (``Problem.of``), worded in the user's language where it is shown."""
        return cls([Problem.of(code, template, file=file, line=line, **params)])


class ConfigError(CoopctlError):
    """The YAML config is wrong."""


class LedgerError(CoopctlError):
    """The Beancount ledger is wrong or unsafe to load."""


class CloseRefused(CoopctlError):
    """close-month (or another write) refused to run."""


class NotFound(CoopctlError):
    """A member, activity or cooperative named on the command line does not exist."""


class UsageError(CoopctlError):
    """The command line is malformed."""

    def __post_init__(self) -> None:
        self.exit_code = 2
        super().__post_init__()


HOW_TO_CORRECT = N_(
    "post the correction in the open month, or reopen the month (coopctl reopen, last closed month first)"
)


@dataclass(frozen=True)
class ClosedMonthChange:
    month: Month
    change: str  # "added", "changed", "removed", "config"
    entry: str  # a description: date and narration
    file: str | None = None
    line: int | None = None
    kind: str = ""  # the added entry's directive ("transaction", "open", "balance"…), when known

    def problem(self) -> Problem:
        if self.change == "added" and self.kind and self.kind != "transaction":
            # not a correction to post: a directive (an account's open…) dated in the wrong month
            return Problem.of(
                "closed.directive_added",
                N_(
                    "closed month {month}: {entry} dated in a month already closed; date it in the month "
                    "still open (an account need only be opened before its first entry), or reopen {month} "
                    "(coopctl reopen, last closed month first)"
                )
                if self.kind == "open"
                else N_(
                    "closed month {month}: {entry} dated in a month already closed; date it in the month "
                    "still open, or reopen {month} (coopctl reopen, last closed month first)"
                ),
                file=self.file,
                line=self.line,
                month=str(self.month),
                entry=self.entry,
            )
        if self.change == "config":
            return Problem.of(
                "closed.config_changed",
                N_("closed month {month}: {entry}; revert the config (git diff config/), or reopen {month}"),
                file=self.file,
                line=self.line,
                month=str(self.month),
                entry=self.entry,
            )
        return Problem.of(
            "closed.entry_" + self.change,
            CHANGE_TEMPLATES[self.change],
            file=self.file,
            line=self.line,
            month=str(self.month),
            entry=self.entry,
            how=Problem.of("closed.how_to_correct", HOW_TO_CORRECT),
        )


# One sentence per change, so that each is translated whole.
CHANGE_TEMPLATES = {
    "added": N_("closed month {month}: entry added after its close: {entry}; {how}"),
    "changed": N_("closed month {month}: entry changed after its close: {entry}; {how}"),
    "removed": N_("closed month {month}: entry removed after its close: {entry}; {how}"),
}
