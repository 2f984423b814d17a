"""Beancount's errors made helpful: what a newcomer meant, named where it is, and no flood.

- An account name with a component that starts with a lowercase letter (``Liabilities:ExpenseClaims:celine``,
  natural since member ids are lowercase) makes Beancount's lexer print "syntax error" and "Invalid token"
  lines; they become one problem per line that says the rule and the capitalised account.
- "Invalid reference to unknown account" names the nearest opened accounts (did you mean).
- A file whose parse errors flood (an HTML page or binary data saved as a ledger) shows its first
  ``FLOOD`` syntax errors, then how many more, after its likely cause when it is recognisable.
- The same problem found twice (same place, same words) is kept once.

May import: the domain (and Beancount's own error values, passed in).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from coopctl.domain.problems import N_, Problem, unique_problems
from coopctl.domain.suggest import did_you_mean, nearest

FLOOD = 5  # the syntax errors shown for one file; the rest are counted
ACCOUNT_CUTOFF = 0.85

UNKNOWN_ACCOUNT_RE = re.compile(r"Invalid reference to unknown account '([^']*)'")
# An account-like token: components joined by colons (quoted strings are removed from the line first).
ACCOUNT_TOKEN_RE = re.compile(r"(?<![\w:'\"-])([^\W_][\w-]*(?::[\w-]+)+)(?![\w:])")
QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"')


def _source_line(filename: str | None, lineno: int | None, lines: dict[str, list[str]]) -> str:
    if not filename or not lineno or filename.startswith("<"):
        return ""
    if filename not in lines:
        try:
            lines[filename] = Path(filename).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines[filename] = []
    text = lines[filename]
    return text[lineno - 1] if 0 < lineno <= len(text) else ""


def lowercase_account(line: str) -> tuple[str, str, str] | None:
    """(account, its first component starting with a lowercase letter, the account capitalised) for the
    first such account-like token of a ledger line (comments and quoted strings left out), or None."""
    code = QUOTED_RE.sub('""', line.split(";", 1)[0])
    for match in ACCOUNT_TOKEN_RE.finditer(code):
        account = match.group(1)
        parts = account.split(":")
        bad = [part for part in parts if part[:1].islower()]
        if bad and len(parts) >= 2:
            fixed = ":".join(part[:1].upper() + part[1:] for part in parts)
            return account, bad[0], fixed
    return None


def likely_cause(raw: bytes) -> str | None:
    """What a file that is no ledger probably is: "html", "binary", or None when nothing is recognisable."""
    head = raw[:4096]
    if b"\0" in head:
        return "binary"
    start = head.lstrip().lower()
    if start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<!--")) or (
        start.startswith(b"<") and b"<html" in start
    ):
        return "html"
    return None


CAUSES = {
    "html": (
        "ledger.looks_like_html",
        N_(
            "this file looks like an HTML page (a web page saved in place of the ledger?), not a Beancount "
            "ledger; put the ledger back (e.g. git checkout -- {path})"
        ),
    ),
    "binary": (
        "ledger.looks_binary",
        N_(
            "this file holds binary data (a spreadsheet, an archive or an image?), not a Beancount ledger's "
            "text; put the ledger back (e.g. git checkout -- {path})"
        ),
    ),
}


def cause_problem(cause: str, rel: str | None) -> Problem:
    code, template = CAUSES[cause]
    return Problem.of(code, template, file=rel, line=1, path=rel or "")


def readable(
    errors: list,
    parse_errors: list,
    entries: list,
    convert: Callable[[Any], Problem],
) -> list[Problem]:
    """Beancount's ``errors`` as coopctl's problems (``convert``), explained where a newcomer's mistake is
    recognisable, parse floods cut short, duplicates removed. ``parse_errors``: those of the parser."""
    from beancount.core import data

    parse_ids = {id(error) for error in parse_errors}
    opened: set[str] | None = None  # the accounts opened, gathered the first time they are needed
    lines: dict[str, list[str]] = {}
    problems: list[Problem] = []
    explained: set[tuple[str | None, int | None]] = set()
    shown: dict[str | None, int] = {}  # syntax errors shown per file
    hidden: dict[str | None, int] = {}  # and those counted only
    causes: dict[str | None, str | None] = {}
    last: dict[str | None, int] = {}  # where a file's "… and N more" goes: after its last syntax error shown
    for error in errors:
        problem = convert(error)
        if id(error) in parse_ids and problem.file is not None:
            source = getattr(error, "source", None) or {}
            filename = source.get("filename") if isinstance(source, dict) else None
            place = (problem.file, problem.line)
            if place in explained:
                continue
            found = lowercase_account(_source_line(filename, problem.line, lines))
            if found is not None:
                explained.add(place)
                account, component, fixed = found
                problems.append(
                    Problem.of(
                        "ledger.lowercase_account",
                        N_(
                            "{account}: each part of an account name must start with a capital letter or a "
                            "digit, and {component} does not; write {suggestion}"
                        ),
                        file=problem.file,
                        line=problem.line,
                        account=account,
                        component=repr(component),
                        suggestion=fixed,
                    )
                )
                continue
            if problem.file not in causes:
                try:
                    causes[problem.file] = likely_cause(Path(filename).read_bytes()) if filename else None
                except OSError:
                    causes[problem.file] = None
                if causes[problem.file] is not None:
                    problems.append(cause_problem(str(causes[problem.file]), problem.file))
            if shown.get(problem.file, 0) >= FLOOD:
                hidden[problem.file] = hidden.get(problem.file, 0) + 1
                continue
            shown[problem.file] = shown.get(problem.file, 0) + 1
            last[problem.file] = len(problems) + 1
        else:
            match = UNKNOWN_ACCOUNT_RE.fullmatch(problem.message)
            if match:
                account = match.group(1)
                if opened is None:
                    opened = {entry.account for entry in entries if isinstance(entry, data.Open)}
                near = nearest(account, opened, cutoff=ACCOUNT_CUTOFF)  # long names: a typo is close
                problem = (
                    Problem.of(
                        "ledger.unknown_account",
                        N_("Invalid reference to unknown account '{account}'; {hint} (or open it)"),
                        file=problem.file,
                        line=problem.line,
                        account=account,
                        hint=did_you_mean(near),
                        suggestions=near,
                    )
                    if near
                    else Problem.of(
                        "ledger.unknown_account",
                        N_("Invalid reference to unknown account '{account}'"),
                        file=problem.file,
                        line=problem.line,
                        account=account,
                    )
                )
        problems.append(problem)
    for file, count in sorted(hidden.items(), key=lambda item: -last[item[0]]):
        problems.insert(
            last[file],
            Problem.of(
                "ledger.more_syntax_errors",
                N_("… and {count} more syntax errors in this file"),
                file=file,
                count=count,
            ),
        )
    return unique_problems(problems)
