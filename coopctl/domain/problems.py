"""Errors as values with a source, and the one exception the CLI catches.

A ``Problem`` is one thing wrong, with where it is (file, line) when known; it
renders as one line of text or as a JSON object. Core functions return problems
in their results; the edges raise ``CoopctlError`` carrying them, and only the
CLI catches it and maps it to an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

EXIT_OK = 0
EXIT_DATA = 1  # config, ledger, refused close: the data is wrong or the action is refused
EXIT_USAGE = 2  # the command line itself is wrong


@dataclass(frozen=True)
class Problem:
    message: str
    file: str | None = None
    line: int | None = None
    severity: str = "error"  # "error" or "warning"

    @property
    def where(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        return self.file or ""

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.message}"

    def as_dict(self) -> dict:
        return {"severity": self.severity, "file": self.file, "line": self.line, "message": self.message}


@dataclass
class CoopctlError(Exception):
    """Base of every error coopctl reports to a user. Carries one or more problems."""

    problems: list[Problem] = field(default_factory=list)
    exit_code: int = EXIT_DATA

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)

    @classmethod
    def one(cls, message: str, file: str | None = None, line: int | None = None) -> "CoopctlError":
        return cls([Problem(message, file, line)])


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
