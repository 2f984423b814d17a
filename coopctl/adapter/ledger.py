"""The Beancount ledger: loaded safely, then reduced to per-activity figures.

Safe loading (what Beancount's ``loader.load_file`` does not guarantee):

- no pickle cache is ever read, written or deleted: files are parsed with
  ``beancount.parser.parser.parse_file`` and the include tree is walked here;
- every included file must resolve (symlinks followed) inside the cooperative's folder;
- ``plugin`` lines must name a plugin vetted by coopctl (``ledger_policy.VETTED_PLUGINS``: none
  evaluates its configuration) that coop.yaml lists under ``ledger_plugins``, without a configuration
  string, checked in every file before any plugin is imported;
- only the options of ``ledger_policy.ACCEPTED_OPTIONS`` may be set (tolerances, booking, root
  account names… are refused); ``documents`` folders and ``document`` files must be inside the folder;
- dates before 1900 or after 2999 are refused, as is a price or cost on an amount in the
  cooperative's own currency (``-1000.00 EUR @ 0.001 EUR`` would book 1000 of revenue for 1 of cash);
- then Beancount's own booking, transformations and validation run as in ``bean-check``.

The figures (``LedgerFigures``) are what the core needs: per activity and day,
the change of its balance split into revenue, expenses, contribution, salary and
equity, plus the months that close-month has closed.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import json
import os
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from coopctl.adapter import progress
from coopctl.adapter.explain import cause_problem, likely_cause, readable
from coopctl.adapter.includes import expand
from coopctl.domain.accounts import ACTIVITY_ACCOUNT_RE, classify
from coopctl.domain.cooperative import BOM_MESSAGE, BOMS, Cooperative
from coopctl.domain.figures import BookedSalary, CloseMarker, DayFigures, LedgerFigures
from coopctl.domain.money import ZERO
from coopctl.domain.months import Month
from coopctl.domain.policy import ACCEPTED_OPTIONS, MAX_YEAR, MIN_YEAR, VETTED_PLUGINS, refused_plugin
from coopctl.domain.problems import N_, LedgerError, Problem
from coopctl.domain.suggest import did_you_mean, nearest

CENT = Decimal("0.01")
MAX_LEDGER_AMOUNT = Decimal(
    "1000000000000"
)  # a trillion: beyond it Decimal arithmetic at cent precision breaks
MAX_LINE_BYTES = (
    20_000  # no ledger line is that long; a 5 MB line takes Beancount's parser seconds, 50 MB minutes
)
CLOSE_MARKER = "coopctl-close"
YEAR_CLOSE_MARKER = "coopctl-close-year"  # in closing/YYYY-year.beancount: the year is closed
YEAR_OPENING_MARKER = "coopctl-year-opening"  # in openings/YYYY.beancount: where a year-scoped load starts
YEAR_FILE_RE = re.compile(r"^(\d{4})(?:$|[-_.])")


def _rel(path: str | Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(root))
    except (ValueError, OSError):
        return str(path)


def _drop_posting_locations(entries: list, transaction_type) -> None:
    """Replace each posting's ``{filename, lineno}`` metadata by None, in place.

    Beancount gives every posting a dict of its file and line: a quarter of a million dicts, about
    60 MiB, on a year of a large cooperative, and the largest part of the load's peak memory beyond the
    entries themselves. Nothing needs them: a posting's line is found again from its transaction's line
    when an error must name it (``posting_line``). Postings with metadata of their own keep it all.
    """
    make = tuple.__new__
    for entry in entries:
        if type(entry) is transaction_type:
            postings = entry.postings
            for index, posting in enumerate(postings):
                meta = posting[5]
                if meta is not None and len(meta) == 2 and "lineno" in meta and "filename" in meta:
                    postings[index] = make(type(posting), posting[:5] + (None,))


_FILE_LINES: dict[str, list[str]] = {}


def posting_line(entry, account: str) -> tuple[str | None, int | None]:
    """(file, line) of the first posting to ``account`` in ``entry`` (its own line when not found)."""
    meta = entry.meta or {}
    filename, lineno = meta.get("filename"), meta.get("lineno")
    if not filename or not lineno or filename.startswith("<"):
        return filename, lineno
    if filename not in _FILE_LINES:
        try:
            _FILE_LINES[filename] = Path(filename).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            _FILE_LINES[filename] = []
    lines = _FILE_LINES[filename]
    for number in range(lineno, min(len(lines), lineno + 200)):
        text = lines[number].strip()  # lines[number] is line number + 1
        if not text or not lines[number][:1].isspace():
            break
        if text.split(None, 1)[0].lstrip("!*") == account or text.startswith(account + " "):
            return filename, number + 1
    return filename, lineno


def _problem_from_beancount(error, root: Path) -> Problem:
    source = getattr(error, "source", None) or getattr(getattr(error, "entry", None), "meta", None) or {}
    filename = source.get("filename") if isinstance(source, dict) else None
    lineno = source.get("lineno") if isinstance(source, dict) else None
    if filename and filename.startswith("<"):
        filename, lineno = None, None
    text = str(error.message)
    if "Traceback (most recent call last)" in text:  # a plugin that failed: its exception, not its traceback
        head = text.split("Traceback (most recent call last)", 1)[0]
        text = head + (text.strip().splitlines() or [""])[-1].strip()
    message = " ".join(text.split())
    return Problem(message, _rel(filename, root), lineno or None)


def _line_of_text(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if needle in line:
                return number
    except OSError:
        return None
    return None


@dataclass
class LoadedLedger:
    entries: list
    problems: list[Problem]
    options: dict
    files: list[Path]
    digests: dict[str, str] = field(default_factory=dict)  # file -> SHA-256 of the bytes that were parsed
    includes: dict[str, list[str]] = field(default_factory=dict)  # file -> its include patterns, as written
    started_ns: int = (
        0  # when the load began reading files (a file changed since may differ from what was read)
    )
    # a year-scoped load: the earlier years' files it hashed (checked against close-year's seal) but did not
    # read, file -> SHA-256 (what a seal of this load must cover too)
    skipped: dict[str, str] = field(default_factory=dict)


def file_year(relative: Path) -> int | None:
    """The year a ledger file belongs to, by its path under the ledger folder: a folder named ``2026``
    or a file name starting ``2026-`` (``2026/2026-03.beancount``, ``closing/2026-03.beancount``);
    else None."""
    for part in relative.parts[:-1]:
        if len(part) == 4 and part.isdigit():
            return int(part)
    match = YEAR_FILE_RE.match(relative.name)
    return int(match.group(1)) if match else None


def seal_digest(files: list[tuple[str, str]]) -> str:
    """The digest of a closed year's files: (path under the ledger folder, SHA-256) pairs."""
    text = "".join(f"{name} {sha}\n" for name, sha in sorted(files))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def opening_path(coop: Cooperative, year: int) -> Path:
    return coop.ledger_path.parent / "openings" / f"{year}.beancount"


def load_ledger_safely(coop: Cooperative, year: int | None = None) -> LoadedLedger | None:
    """Parse, book, transform and validate the cooperative's ledger without running untrusted code.

    Refusals (unsafe includes, plugins) raise ``LedgerError`` before any plugin runs;
    ordinary ledger errors are returned as problems. Python's cyclic garbage collector is paused
    during the load: the load allocates about a million long-lived objects and no cycles worth
    collecting, and the collector's repeated passes over them cost about a fifth of the time.

    With ``year``: a year-scoped load, or None when it cannot be trusted (then load the whole).
    The files of earlier years are not parsed; ``openings/YEAR.beancount``, written by
    close-year, stands in for them. It is used only when the earlier files are byte for byte
    those that close-year sealed, and when the result is clean and starts with the year.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _load_ledger(coop, year)
    finally:
        if paused:
            gc.enable()


def _load_ledger(coop: Cooperative, scope_year: int | None = None) -> LoadedLedger | None:
    from beancount.core import data
    from beancount.loader import aggregate_options_map, run_transformations
    from beancount.ops import validation
    from beancount.parser import parser

    root = coop.root.resolve()
    main = coop.ledger_path
    _FILE_LINES.clear()  # lines read for error messages belong to one load
    started_ns = time.time_ns()
    if not main.is_file():
        raise LedgerError(
            [
                Problem.of(
                    "ledger.missing",
                    N_("ledger file is missing (coop.yaml says ledger: {ledger})"),
                    file="config/coop.yaml",
                    ledger=coop.coop.ledger,
                )
            ]
        )
    if not main.resolve().is_relative_to(root):
        raise LedgerError(
            [
                Problem.of(
                    "ledger.outside",
                    N_("the ledger {ledger} is outside the cooperative's folder"),
                    file="config/coop.yaml",
                    ledger=coop.coop.ledger,
                )
            ]
        )

    entries: list = []
    parse_errors: list = []
    refusals: list[Problem] = []
    ledger_dir = main.parent.resolve()
    skipped: list[tuple[str, str]] = []
    opening_entries: list = []
    if scope_year is not None:
        opening = opening_path(coop, scope_year)
        if not opening.is_file():
            return None
        opening_entries, opening_errors, _ = parser.parse_file(str(opening))
        seals = [
            str(e.meta.get("sealed", ""))
            for e in opening_entries
            if isinstance(e, data.Custom) and e.type == YEAR_OPENING_MARKER
        ]
        if opening_errors or len(seals) != 1 or len(seals[0]) != 64:
            return None
        if _policy_refusals(
            [], opening_entries, opening, root, set()
        ):  # edited by hand: load the whole ledger
            return None
    top_options = None
    other_options = []
    seen: set[str] = set()
    digests: dict[str, str] = {}
    includes: dict[str, list[str]] = {}
    stack: list[Path] = [main.resolve()]
    allowed = set(coop.coop.ledger_plugins) & set(VETTED_PLUGINS)
    read_transactions = 0
    while stack:
        filename = stack.pop(0)
        key = str(filename)
        if key in seen:
            continue
        seen.add(key)
        if scope_year is not None and filename.is_relative_to(ledger_dir):
            year = file_year(filename.relative_to(ledger_dir))
            if year is not None and year < scope_year:
                try:
                    skipped.append(
                        (
                            str(filename.relative_to(ledger_dir)),
                            hashlib.sha256(filename.read_bytes()).hexdigest(),
                        )
                    )
                except OSError:
                    return None
                continue
        try:
            raw = filename.read_bytes()
            digests[key] = hashlib.sha256(raw).hexdigest()
            if raw.startswith(BOMS):
                raise LedgerError([Problem.of("ledger.bom", BOM_MESSAGE, file=_rel(filename, root), line=1)])
            if len(raw) > MAX_LINE_BYTES and max(map(len, raw.split(b"\n"))) > MAX_LINE_BYTES:
                lengths = [len(line) for line in raw.split(b"\n")]
                number = next(i for i, n in enumerate(lengths, 1) if n > MAX_LINE_BYTES)
                raise LedgerError(
                    [
                        Problem.of(
                            "ledger.line_too_long",
                            N_(
                                "a line longer than {limit} bytes; coopctl refuses it (Beancount's parser "
                                "slows down with the square of a line's length): is this a ledger file?"
                            ),
                            file=_rel(filename, root),
                            line=number,
                            limit=f"{MAX_LINE_BYTES:,}",
                        )
                    ]
                )
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad_line = raw[: exc.start].count(b"\n") + 1
            cause = likely_cause(raw)
            raise LedgerError(
                [cause_problem(cause, _rel(filename, root))]
                if cause  # binary data: what it is, not how to save text
                else [
                    Problem.of(
                        "ledger.not_utf8",
                        N_("not valid UTF-8 (byte {byte} at position {position}); save the file as UTF-8"),
                        file=_rel(filename, root),
                        line=bad_line,
                        byte=f"0x{raw[exc.start]:02x}",
                        position=exc.start,
                    )
                ]
            ) from None
        except OSError as exc:
            raise LedgerError(
                [
                    Problem.of(
                        "ledger.unreadable",
                        N_("cannot read: {reason}"),
                        file=_rel(filename, root),
                        reason=exc.strerror or "",
                    )
                ]
            ) from None
        file_entries, file_errors, file_options, directives = _parse_recording(key)
        _drop_posting_locations(file_entries, data.Transaction)
        read_transactions += sum(1 for e in file_entries if type(e) is data.Transaction)
        progress.advance("read", len(digests), read_transactions)
        includes[key] = list(file_options["include"])
        entries.extend(file_entries)
        parse_errors.extend(file_errors)
        refusals.extend(_policy_refusals(directives, file_entries, filename, root, allowed))
        if top_options is not None:  # an included file: Beancount cannot merge its display_precision
            refusals.extend(
                Problem.of(
                    "ledger.option_main_only",
                    N_('option "display_precision" is accepted in the main ledger file only ({main})'),
                    file=_rel(filename, root),
                    line=lineno,
                    main=_rel(main, root),
                )
                for kind, lineno, name, _value in directives
                if kind == "option" and name == "display_precision"
            )
        if top_options is None:
            top_options = file_options
        else:
            other_options.append(file_options)
        include_lines: dict[str, int] = {}
        for kind, lineno, name, _value in directives:
            if kind == "include":
                include_lines.setdefault(name, lineno)
        for pattern in file_options["include"]:
            line: int | None = include_lines.get(pattern) or _line_of_text(filename, pattern)
            reached = expand(pattern, filename, root)
            if reached.invalid:
                refusals.append(
                    Problem.of(
                        "ledger.include_invalid",
                        N_("include {pattern} is not a valid path; refused"),
                        file=_rel(filename, root),
                        line=line,
                        pattern=_quoted(pattern),
                    )
                )
            elif reached.outside is not None:
                refusals.append(
                    Problem.of(
                        "ledger.include_outside",
                        N_(
                            'include "{pattern}" resolves outside the cooperative\'s folder ({where}); '
                            "refused"
                        ),
                        file=_rel(filename, root),
                        line=line,
                        pattern=pattern,
                        where=str(reached.outside),
                    )
                )
            elif not reached.matched:
                parse_errors.append(
                    _SimpleError(
                        {"filename": key, "lineno": line or 0}, f'include "{pattern}" matches no file'
                    )
                )
            else:
                stack.extend(reached.files)
    if refusals:
        raise LedgerError(refusals)

    huge = _absurd_amounts(entries, root)
    if huge:
        raise LedgerError(huge)

    if scope_year is not None:
        first_day = datetime.date(scope_year, 1, 1)
        if seal_digest(skipped) != seals[0] or any(
            isinstance(e, data.Transaction) and e.date < first_day for e in entries
        ):
            return None
        if not _opening_matches_its_close(coop, scope_year):
            return None
        entries.extend(opening_entries)
        seen -= {str(ledger_dir / name) for name, _ in skipped}

    assert top_options is not None
    top_options["include"] = sorted(seen)
    options_map = aggregate_options_map(top_options, other_options)
    options_map["pythonpath"] = []  # never extend sys.path from a ledger
    entries.sort(key=data.entry_sortkey)
    try:
        progress.advance("book", len(digests), read_transactions)
        entries, booking_errors = _book_draining(entries, options_map)
        entries, errors = run_transformations(entries, parse_errors + booking_errors, options_map, None)
        progress.advance("validate", len(digests), read_transactions)
        errors.extend(validation.validate(entries, options_map, None, None))
    except ArithmeticError as exc:  # decimal.InvalidOperation and friends, on numbers Beancount cannot handle
        raise LedgerError.of(
            "ledger.arithmetic",
            N_(
                "Beancount could not compute with the ledger's numbers ({error}); "
                "look for an absurd amount or price"
            ),
            file=_rel(main, root),
            error=type(exc).__name__,
        ) from None
    annotated = _own_currency_annotations(entries, coop.coop.currency, root)
    if annotated:
        raise LedgerError(annotated)
    problems = readable(errors, parse_errors, entries, lambda error: _problem_from_beancount(error, root))
    if scope_year is not None and any(p.severity == "error" for p in problems):
        return None  # the whole ledger's load will say what is wrong, where
    return LoadedLedger(
        entries,
        problems,
        options_map,
        [Path(name) for name in sorted(seen)],
        digests,
        includes,
        started_ns,
        {str(ledger_dir / name): sha for name, sha in skipped},
    )


def _opening_matches_its_close(coop: Cooperative, year: int) -> bool:
    """Whether ``openings/YEAR.beancount`` is, but for its seal, what the close of YEAR−1 recorded
    (``opening_sha256``): the seal proves the earlier files, this proves the balances read in their place."""
    from coopctl.adapter.text import opening_digest

    try:
        close = (coop.closing_dir / f"{year - 1}-year.beancount").read_text(encoding="utf-8")
        opening = opening_path(coop, year).read_bytes()
    except (OSError, UnicodeDecodeError):
        return False
    found = re.search(r'^  opening_sha256: "([0-9a-f]{64})"$', close, re.MULTILINE)
    return found is not None and found.group(1) == opening_digest(opening)


def _parse_recording(path: str) -> tuple[list, list, dict, list[tuple[str, int, str, object]]]:
    """``parser.parse_file``, also recording each option, plugin and include with its line:
    (kind, line, name, value) where value is the option's value or the plugin's configuration."""
    from beancount.parser import _parser, grammar  # type: ignore[attr-defined]

    class Recording(grammar.Builder):
        def __init__(self) -> None:
            super().__init__()
            self.directives: list[tuple[str, int, str, object]] = []

        def option(self, filename, lineno, key, value):
            self.directives.append(("option", lineno, key, value))
            return super().option(filename, lineno, key, value)

        def plugin(self, filename, lineno, plugin_name, plugin_config):
            self.directives.append(("plugin", lineno, plugin_name, plugin_config))
            return super().plugin(filename, lineno, plugin_name, plugin_config)

        def include(self, filename, lineno, include_filename):
            self.directives.append(("include", lineno, include_filename, None))
            return super().include(filename, lineno, include_filename)

    builder = Recording()
    with open(path, "rb") as file:
        _parser.Parser(builder).parse(file, filename=path, lineno=1)
    entries, errors, options = builder.finalize()
    return entries, errors, options, builder.directives


_OPTION_REASONS = {
    "inferred_tolerance_default": N_("it lets an unbalanced transaction through"),
    "tolerance_multiplier": N_("it lets an unbalanced transaction through"),
    "inferred_tolerance_multiplier": N_("it lets an unbalanced transaction through"),
    "infer_tolerance_from_cost": N_("it lets an unbalanced transaction through"),
    "booking_method": N_(
        "it changes how lots are matched, hence the amounts Beancount computes; "
        "write the method on the account's open directive instead"
    ),
    "account_rounding": N_("it changes the amounts Beancount interpolates"),
    "use_precise_interpolation": N_("it changes the amounts Beancount interpolates"),
    "insert_pythonpath": N_("it lets a ledger import Python code from its folder"),
    "plugin_processing_mode": N_("it disables Beancount's checks"),
}


def _quoted(value: object) -> str:
    """A ledger's text in double quotes, control characters escaped (a message stays one line)."""
    return json.dumps(str(value), ensure_ascii=False)


def _policy_refusals(
    directives: list, file_entries: list, filename: Path, root: Path, allowed: set[str]
) -> list[Problem]:
    """What a file asks that coopctl refuses: plugins, options, documents outside, dates out of range."""
    from beancount.core import data

    rel = _rel(filename, root)
    refusals = []
    for kind, lineno, name, value in directives:
        if kind == "plugin":
            if name not in VETTED_PLUGINS:
                refusals.append(refused_plugin(name, rel, lineno))
            elif name not in allowed:
                refusals.append(
                    Problem.of(
                        "ledger.plugin_not_listed",
                        N_(
                            "plugin {name} is not allowed; coopctl does not run ledger code unless "
                            "coop.yaml lists it under ledger_plugins"
                        ),
                        file=rel,
                        line=lineno,
                        name=repr(name),
                    )
                )
            elif value is not None:
                refusals.append(
                    Problem.of(
                        "ledger.plugin_configured",
                        N_(
                            "plugin {name} with a configuration string is refused: coopctl runs "
                            "plugins without configuration only"
                        ),
                        file=rel,
                        line=lineno,
                        name=repr(name),
                    )
                )
        elif kind == "option":
            if name == "plugin_processing_mode":
                if value != "default":
                    refusals.append(
                        Problem.of(
                            "ledger.option_refused",
                            N_('option "plugin_processing_mode" {value} is refused: {reason}'),
                            file=rel,
                            line=lineno,
                            value=_quoted(value),
                            reason=Problem.of("ledger.reason", _OPTION_REASONS[name]),
                        )
                    )
            elif name == "documents":
                try:
                    written = Path(str(value))
                    folder: Path | None = (
                        written if written.is_absolute() else filename.parent / written
                    ).resolve()
                except (OSError, ValueError):  # a NUL byte, a loop of links
                    folder = None
                if folder is None or not folder.is_relative_to(root):
                    refusals.append(
                        Problem.of(
                            "ledger.documents_outside",
                            N_('option "documents" {value} is outside the cooperative\'s folder; refused'),
                            file=rel,
                            line=lineno,
                            value=_quoted(value),
                        )
                    )
            elif name not in ACCEPTED_OPTIONS:
                reason = (
                    Problem.of("ledger.reason", _OPTION_REASONS[name])
                    if name in _OPTION_REASONS
                    else Problem.of(
                        "ledger.reason", N_("it renames a root account that coopctl's conventions read")
                    )
                    if name.startswith("name_")
                    else Problem.of(
                        "ledger.reason",
                        N_("coopctl accepts only the options {options}"),
                        options=", ".join(ACCEPTED_OPTIONS),
                    )
                )
                refusals.append(
                    Problem.of(
                        "ledger.option_refused",
                        N_("option {name} is refused: {reason}"),
                        file=rel,
                        line=lineno,
                        name=_quoted(name),
                        reason=reason,
                    )
                )
    for entry in file_entries:
        date = getattr(entry, "date", None)
        if isinstance(date, datetime.date) and not MIN_YEAR <= date.year <= MAX_YEAR:
            refusals.append(
                Problem.of(
                    "ledger.date_range",
                    N_("date {day} is out of range: coopctl accepts dates from {first} to {last}"),
                    file=rel,
                    line=entry.meta.get("lineno"),
                    day=date.isoformat(),
                    first=MIN_YEAR,
                    last=MAX_YEAR,
                )
            )
        elif isinstance(entry, data.Document):
            try:
                target = Path(entry.filename).resolve()
            except (OSError, ValueError):  # a NUL byte, a loop of links
                target = None
            if target is None or not target.is_relative_to(root):
                refusals.append(
                    Problem.of(
                        "ledger.document_outside",
                        N_("document {name} is outside the cooperative's folder; refused"),
                        file=rel,
                        line=entry.meta.get("lineno"),
                        name=_quoted(entry.filename),
                    )
                )
        if entry.meta and entry.meta.get("filename") != str(filename):
            # Beancount lets an entry's own metadata replace the file it was read from: what holds the entry
            # (the cache's figures of each file, the seal's dates of each file) would be another file
            refusals.append(
                Problem.of(
                    "ledger.filename_metadata",
                    N_(
                        'metadata "filename" is Beancount\'s own (the file an entry was read from) and '
                        "may not be written in the ledger; remove it"
                    ),
                    file=rel,
                    line=entry.meta.get("lineno"),
                )
            )
    return refusals


def _own_currency_annotations(entries: list, currency: str, root: Path) -> list[Problem]:
    """Postings in the cooperative's currency with a price or a cost: refused, for they change what the
    amount weighs (``-1000.00 EUR @ 0.001 EUR`` balances against 1.00 EUR of cash)."""
    from beancount.core import data

    problems = []
    for entry in entries:
        if type(entry) is data.Transaction:
            for posting in entry.postings:
                units = posting.units
                if (posting.price is not None or posting.cost is not None) and getattr(
                    units, "currency", None
                ) == currency:
                    filename, lineno = _posting_place(posting, entry)
                    problems.append(
                        Problem.of(
                            "ledger.own_currency_price",
                            N_(
                                "posting to {account}: a price or cost on an amount in {currency} "
                                "is refused (it changes what the amount weighs); write the {currency} that "
                                "really moves, and price the other currency (100.00 USD @ 0.90 {currency})"
                            ),
                            file=_rel(filename, root),
                            line=lineno,
                            account=posting.account,
                            currency=currency,
                        )
                    )
    return problems


class _Draining:
    """The parsed entries, handed to Beancount's booking one at a time and let go as they are booked.

    Booking makes a new entry of each parsed one; the parsed list would otherwise live until the end,
    and the two together are the load's peak memory. Iterable once only: a second pass raises, and
    ``_book_draining`` then books the ordinary way.
    """

    def __init__(self, entries: list) -> None:
        entries.reverse()
        self._entries: list | None = entries
        self.yielded = 0

    def __iter__(self):
        entries = self._entries
        if entries is None:
            raise _SecondPass
        self._entries = None
        while entries:
            self.yielded += 1
            yield entries.pop()


class _SecondPass(Exception):
    pass


def _book_draining(entries: list, options_map: dict) -> tuple[list, list]:
    """Beancount's ``booking.book``, feeding ``booking_full.book`` from a draining iterator."""
    from beancount.core import data
    from beancount.parser import booking, booking_full

    methods: dict = defaultdict(lambda: options_map["booking_method"])
    for entry in entries:
        if isinstance(entry, data.Open) and entry.booking:
            methods[entry.account] = entry.booking
    count = len(entries)
    saved = list(entries) if os.environ.get("COOPCTL_CHECK_DRAINING") else None  # tests: both ways agree
    draining = _Draining(entries)
    try:
        booked, errors = booking_full.book(draining, options_map, methods)
    except _SecondPass:  # a Beancount whose booking reads its input twice: the entries are gone, say so
        raise LedgerError.of(
            "ledger.beancount_version",
            N_(
                "this Beancount version's booking reads the ledger twice; coopctl needs Beancount 3 "
                "as it was tested (pip install 'beancount>=3,<4')"
            ),
        ) from None
    if draining.yielded != count:
        raise RuntimeError("Beancount's booking did not read every entry")
    errors = errors + booking.validate_missing_eliminated(booked, options_map)
    if saved is not None:
        expected, expected_errors = booking.book(saved, options_map)
        if expected != booked or len(expected_errors) != len(errors):
            raise RuntimeError("the draining booking differs from Beancount's booking.book")
    return booked, errors


def _absurd_amounts(entries: list, root: Path) -> list[Problem]:
    """Amounts so large (or so precise) that cent arithmetic would fail: refused with their place."""
    from beancount.core import data

    problems = []

    def absurd(number) -> bool:
        return (
            isinstance(number, Decimal)
            and number.is_finite()
            and (abs(number) >= MAX_LEDGER_AMOUNT or int(number.as_tuple().exponent) < -12)
        )

    def refuse(number, filename, lineno) -> None:
        problems.append(
            Problem.of(
                "ledger.absurd_amount",
                N_("amount {amount} is absurd (at most {max} and 12 decimals)"),
                file=_rel(filename, root),
                line=lineno,
                amount=str(number),
                max=f"{MAX_LEDGER_AMOUNT:,}",
            )
        )

    for entry in entries:
        if isinstance(entry, data.Transaction):
            for posting in entry.postings:
                number = getattr(posting.units, "number", None)
                if absurd(number):
                    refuse(number, *_posting_place(posting, entry))
        elif isinstance(entry, data.Balance):
            number = getattr(entry.amount, "number", None)
            if absurd(number):
                refuse(number, entry.meta.get("filename"), entry.meta.get("lineno"))
    return problems


class _SimpleError:
    def __init__(self, source: dict, message: str) -> None:
        self.source = source
        self.message = message
        self.entry = None


def _posting_place(posting, entry) -> tuple[str | None, int | None]:
    if posting.meta and "lineno" in posting.meta:
        return posting.meta.get("filename"), posting.meta.get("lineno")
    return posting_line(entry, posting.account)


def extract_figures(coop: Cooperative, entries: list) -> tuple[LedgerFigures, list[Problem]]:
    """Reduce booked entries to per-activity daily figures; report unknown activities and foreign
    currencies."""
    from beancount.core import data

    from coopctl.adapter.ownfiles import MONTH_CLOSE, OPENING, OWN_META_KEYS, YEAR_CLOSE, OwnFiles

    root = coop.root.resolve()
    known = {activity.id for activity in coop.activities}
    currency = coop.coop.currency
    figures = LedgerFigures()
    problems: list[Problem] = []
    kinds: dict[str, tuple[str | None, str | None]] = {}
    accounts = figures.accounts
    own_files = OwnFiles(coop.ledger_path.parent)
    for entry in entries:
        if isinstance(entry, data.Open):
            figures.open_accounts.add(entry.account)
            continue
        if isinstance(entry, data.Custom) and entry.type in (
            CLOSE_MARKER,
            YEAR_CLOSE_MARKER,
            YEAR_OPENING_MARKER,
        ):
            where = (_rel(entry.meta.get("filename"), root), entry.meta.get("lineno"))
            own = own_files.kind(entry.meta.get("filename"))
            value = str(entry.values[0].value) if entry.values else ""
            meta = {k: v for k, v in entry.meta.items() if k not in ("filename", "lineno")}
            if entry.type == CLOSE_MARKER:
                if own is None or own.kind != MONTH_CLOSE or str(own.month) != value:
                    problems.append(
                        Problem.of(
                            "ledger.foreign_close_marker",
                            N_(
                                'a custom "{marker}" marker is coopctl\'s own: it is valid only in the '
                                "closing file close-month writes (closing/{month}.beancount); "
                                "remove it (a month is closed with coopctl close-month)"
                            ),
                            file=where[0],
                            line=where[1],
                            marker=CLOSE_MARKER,
                            month=value or "YYYY-MM",
                        )
                    )
                    continue
                assert own.month is not None
                if own.month in figures.closed:
                    problems.append(
                        Problem.of(
                            "ledger.month_closed_twice",
                            N_("month {month} is closed twice"),
                            file=where[0],
                            line=where[1],
                            month=str(own.month),
                        )
                    )
                figures.closed[own.month] = CloseMarker(*where, meta)
                continue
            expected = YEAR_CLOSE if entry.type == YEAR_CLOSE_MARKER else OPENING
            if own is None or own.kind != expected or str(own.year) != value:
                place = (
                    f"closing/{value or 'YYYY'}-year.beancount"
                    if expected == YEAR_CLOSE
                    else f"openings/{value or 'YYYY'}.beancount"
                )
                problems.append(
                    Problem.of(
                        "ledger.foreign_year_marker",
                        N_(
                            'a custom "{marker}" marker is coopctl\'s own: it is valid only in {place}, '
                            "written by coopctl close-year; remove it"
                        ),
                        file=where[0],
                        line=where[1],
                        marker=entry.type,
                        place=place,
                    )
                )
                continue
            assert own.year is not None
            if entry.type == YEAR_CLOSE_MARKER:
                if own.year in figures.closed_years:
                    problems.append(
                        Problem.of(
                            "ledger.year_closed_twice",
                            N_("year {year} is closed twice"),
                            file=where[0],
                            line=where[1],
                            year=str(own.year),
                        )
                    )
                figures.closed_years[own.year] = CloseMarker(*where, meta)
            else:
                figures.opened_after = own.year - 1
                figures.carried_deficit = {
                    name: int(count)
                    for name, _, count in (
                        item.partition(":") for item in str(meta.get("deficit", "")).split()
                    )
                    if count.isdigit()
                }
            continue
        if not isinstance(entry, data.Transaction):
            continue
        own = own_files.kind(entry.meta.get("filename"))
        if own is None:
            for key in OWN_META_KEYS:
                if key in entry.meta:
                    problems.append(
                        Problem.of(
                            "ledger.own_metadata",
                            N_(
                                "metadata {key}: is coopctl's own (it marks the entries close-month and "
                                "close-year write, in their own files); remove it or use another key"
                            ),
                            file=_rel(entry.meta.get("filename"), root),
                            line=entry.meta.get("lineno"),
                            key=key,
                        )
                    )
        elif own.kind == YEAR_CLOSE:
            # a year-end transfer into equity: it changes no activity's balance and no month's figures
            continue
        date = entry.date
        if figures.first_date is None or date < figures.first_date:
            figures.first_date = date
        if figures.last_date is None or date > figures.last_date:
            figures.last_date = date
        for posting in entry.postings:
            units = posting.units
            if units is None:
                continue
            account = posting.account
            kind = kinds.get(account)
            if kind is None:
                kind = kinds[account] = classify(account, known)
            if units.currency != currency:
                figures.foreign.add(account)
                if kind[0] is not None:
                    filename, lineno = _posting_place(posting, entry)
                    problems.append(
                        Problem.of(
                            "ledger.foreign_currency",
                            N_("posting to {account} in {foreign}; activity amounts must be in {currency}"),
                            file=_rel(filename, root),
                            line=lineno,
                            account=account,
                            foreign=units.currency,
                            currency=currency,
                        )
                    )
                continue
            amount = units.number
            assert amount is not None  # booked: every posting has its number
            role, found_activity = kind
            activity: str = found_activity or ""
            if role is None:
                book = accounts[account]
                book[date] = book.get(date, ZERO) + amount
                continue
            figures.activity_accounts.add(account)
            if role != "unknown" and int(amount.as_tuple().exponent) < -2 and amount != amount.quantize(CENT):
                filename, lineno = _posting_place(posting, entry)
                problems.append(
                    Problem.of(
                        "ledger.finer_than_cent",
                        N_(
                            "amount {amount} {currency} on {account} is finer than the cent: an activity's "
                            "books keep cents (Beancount's tolerance would let the half cent through)"
                        ),
                        file=_rel(filename, root),
                        line=lineno,
                        amount=str(amount),
                        currency=currency,
                        account=account,
                    )
                )
            if role == "unknown":
                filename, lineno = _posting_place(posting, entry)
                near = nearest(activity, {a.id for a in coop.activities})
                problems.append(
                    Problem.of(
                        "ledger.unknown_activity",
                        N_(
                            "posting to {account}: unknown activity {activity} "
                            "(not in config/activities.yaml); {hint}"
                        ),
                        file=_rel(filename, root),
                        line=lineno,
                        account=account,
                        activity=repr(activity),
                        hint=did_you_mean(near),
                        suggestions=near,
                    )
                    if near
                    else Problem.of(
                        "ledger.unknown_activity",
                        N_(
                            "posting to {account}: unknown activity {activity} "
                            "(not in config/activities.yaml)"
                        ),
                        file=_rel(filename, root),
                        line=lineno,
                        account=account,
                        activity=repr(activity),
                    )
                )
                continue
            if role == "receivable":
                receivable = figures.receivables[activity]
                receivable[date] = receivable.get(date, ZERO) + amount
                continue
            day = figures.days[activity].get(date)
            if day is None:
                day = figures.days[activity][date] = DayFigures()
            if role == "revenue":
                day.revenue -= amount
            elif role == "expenses":
                day.expenses += amount
                if account.count(":") > 2:
                    parts = figures.activity_expenses[account]
                    parts[date] = parts.get(date, ZERO) + amount
            elif role == "contribution":
                day.contribution += amount
            elif role == "salary":
                day.salary_cost += amount
            elif role == "equity":
                day.equity -= amount
        close = entry.meta.get("close")
        member = entry.meta.get("member")
        if own is not None and own.kind == MONTH_CLOSE and close and member:
            try:
                month = Month.parse(str(close))
            except ValueError:
                continue
            amounts = {"Gross": ZERO, "Employer": ZERO, "Net": ZERO, "Social": ZERO}
            activity_id = ""
            for posting in entry.postings:
                last = posting.account.rsplit(":", 1)[-1]
                if last in amounts and posting.units is not None and posting.units.number is not None:
                    amounts[last] += posting.units.number
                match = ACTIVITY_ACCOUNT_RE.match(posting.account)
                if match:
                    activity_id = match.group(2)
            bonus = entry.meta.get("bonus")
            figures.booked_salaries[month].append(
                BookedSalary(
                    str(member),
                    activity_id,
                    amounts["Gross"],
                    amounts["Employer"],
                    -amounts["Net"],
                    -amounts["Social"],
                    Decimal(str(bonus)) if bonus is not None else ZERO,
                )
            )
    return figures, problems


def merge_figures(parts: list[LedgerFigures], signs: list[int] | None = None) -> LedgerFigures:
    """Σ of per-file figures (a sign of -1 takes a file's figures out)."""
    total = LedgerFigures()
    for part, sign in zip(parts, signs or [1] * len(parts)):
        add_figures(total, part, sign)
    return total


def add_figures(total: LedgerFigures, part: LedgerFigures, sign: int = 1) -> None:
    """Add a file's figures into ``total`` in place (``merge_figures`` of many). ``total``'s month-level
    aggregates, computed or provided by a cache, are forgotten: they are computed again from its days."""
    total.__dict__.pop("_monthly_cache", None)
    total.__dict__.pop("provided_monthly", None)
    for activity, days in part.days.items():
        target = total.days[activity]
        for day, figures in days.items():
            current = target.get(day)
            if current is None:
                current = target[day] = DayFigures()
            current.revenue += sign * figures.revenue
            current.expenses += sign * figures.expenses
            current.contribution += sign * figures.contribution
            current.salary_cost += sign * figures.salary_cost
            current.equity += sign * figures.equity
    for source, sink in (
        (part.receivables, total.receivables),
        (part.accounts, total.accounts),
        (part.activity_expenses, total.activity_expenses),
    ):
        for key, amounts_by_day in source.items():
            book = sink[key]
            for on_day, amount in amounts_by_day.items():
                book[on_day] = book.get(on_day, ZERO) + sign * amount
    if sign > 0:
        total.closed.update(part.closed)
        total.closed_years.update(part.closed_years)
        if part.opened_after is not None:
            total.opened_after, total.carried_deficit = part.opened_after, dict(part.carried_deficit)
        for month, salaries in part.booked_salaries.items():
            total.booked_salaries[month].extend(salaries)
        total.open_accounts |= part.open_accounts
        total.activity_accounts |= part.activity_accounts
        total.foreign |= part.foreign
        for edge in (part.first_date, part.last_date):
            if edge is not None:
                total.first_date = edge if total.first_date is None else min(total.first_date, edge)
                total.last_date = edge if total.last_date is None else max(total.last_date, edge)


def extract_by_file(coop: Cooperative, entries: list) -> tuple[dict[str, LedgerFigures], list[Problem]]:
    """Figures of each source file (keyed by its path relative to the cooperative), and the problems."""
    root = coop.root.resolve()
    groups: dict[str, list] = defaultdict(list)
    names: dict[str | None, str] = {}
    for entry in entries:
        filename = (entry.meta or {}).get("filename")
        name = names.get(filename)
        if name is None:
            name = names[filename] = _rel(filename, root) or "<none>"
        groups[name].append(entry)
    per_file, problems = {}, []
    for name, group in groups.items():
        figures, found = extract_figures(coop, group)
        per_file[name] = figures
        problems += found
    return per_file, problems


@dataclass
class Books:
    """A cooperative's config and ledger, loaded and checked: the input of every command."""

    coop: Cooperative
    ledger: LoadedLedger
    figures: LedgerFigures
    problems: list[Problem]
    year: int | None = None  # a year-scoped load: only this year was read


def load_books(coop: Cooperative, year: int | None = None) -> Books:
    """Load the whole ledger through Beancount (every check).

    With ``year``, only that year when close-year has sealed the earlier ones (see ``load_ledger_safely``);
    ``Books.year`` then says so. The figures then start from the reserves at the end of the year before.
    (``store.cache.load_books_filling_cache`` is the same whole load, recorded for the read-only commands.)
    """
    ledger = load_ledger_safely(coop, year) if year is not None else None
    if ledger is not None:
        figures, problems = extract_figures(coop, ledger.entries)
        return Books(coop, ledger, figures, ledger.problems + problems, year)
    whole = load_ledger_safely(coop)
    assert whole is not None  # a whole load never declines; only a year-scoped one may
    figures, problems = extract_figures(coop, whole.entries)
    return Books(coop, whole, figures, whole.problems + problems)


def load_books_by_file(coop: Cooperative) -> tuple[Books, dict[str, LedgerFigures]]:
    """The whole load, with each file's own figures (what the cache records)."""
    whole = load_ledger_safely(coop)
    assert whole is not None
    per_file, problems = extract_by_file(coop, whole.entries)
    return Books(coop, whole, merge_figures(list(per_file.values())), whole.problems + problems), per_file


def require_clean(books: Books) -> None:
    errors = [p for p in books.problems if p.severity == "error"]
    if errors:
        raise LedgerError(errors)


def main_includes(main: Path) -> list[str]:
    """The raw include patterns written in the main ledger file itself."""
    from beancount.parser import parser

    _entries, _errors, file_options = parser.parse_file(str(main))
    return list(file_options["include"])


def booked_postings(entries: list):
    """The transactions' postings as plain values (``core.yearend.BookedPosting``), for the year's close."""
    from beancount.core import data

    from coopctl.core.yearend import BookedPosting

    out = []
    for entry in entries:
        if not isinstance(entry, data.Transaction):
            continue
        for posting in entry.postings:
            if posting.units is None or posting.units.number is None:
                continue
            out.append(
                BookedPosting(
                    entry.date,
                    posting.account,
                    posting.units.currency,
                    posting.units.number,
                    posting.cost is not None,
                    entry.meta.get("filename"),
                    entry.meta.get("lineno"),
                )
            )
    return out
