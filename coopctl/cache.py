"""A safe cache of ledger figures, so that read-only commands need not reload Beancount.

Where: ``$COOPCTL_CACHE_DIR`` or ``$XDG_CACHE_HOME/coopctl`` (default ``~/.cache/coopctl``), one
folder per cooperative (a hash of its path): outside the git tree, never committed.

What: JSON only, read back as data (never pickle, never code): an index (the config's digest,
every ledger file's SHA-256 and include patterns, the accounts' open dates, the merged figures)
and, content-addressed by SHA-256, each file's own figures.

When it is used (``balance``, ``report``, ``members``, ``treasury``, ``simulate``):

- the config files and every file of the include tree (walked again each time, so a new file
  matched by a glob or a removed file is seen) have the digests of the last full load: the
  merged figures are used as they are (warm);
- some ledger files changed: each changed file alone is parsed, booked and checked locally
  (transactions balance, accounts open at the date, no plugin, no ``balance``/``pad``
  directive, no unknown activity), and the figures are merged from every file's figures
  (incremental); anything that needs the whole ledger falls back to the full load;
- otherwise (config changed, a file refused, no cache): the full Beancount load, which then
  refreshes the cache.

``check``, ``close-month`` and ``reopen`` always load and validate the whole ledger as Beancount
does. Any unreadable or inconsistent cache is ignored and rewritten.
"""

from __future__ import annotations

import datetime
import glob
import hashlib
import json
import os
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from . import __version__
from .config import Cooperative, cache_folder
from .ledger import (BookedSalary, CloseMarker, DayFigures, LedgerFigures, LoadedLedger, extract_figures,
                     merge_figures)
from .months import Month
from .safe_io import atomic_write

FORMAT = 8


def cache_dir(coop: Cooperative) -> Path:
    return cache_folder(coop.root)


def enabled() -> bool:
    return os.environ.get("COOPCTL_NO_CACHE", "") in ("", "0")


def config_key(coop: Cooperative) -> str:
    digest = hashlib.sha256(__version__.encode())
    for name in ("coop", "members", "activities"):
        digest.update((coop.root / "config" / f"{name}.yaml").read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- figures <-> JSON


def _packed(rows: list) -> str:
    """Rows as one JSON string: the index is parsed fast, and a row list only when its activity is read."""
    return json.dumps(rows, separators=(",", ":"))


def figures_to_json(figures: LedgerFigures) -> dict:
    def rows(book: dict) -> list:
        return [[day.toordinal(), str(amount)] for day, amount in sorted(book.items()) if amount]

    return {
        "days": {act: _packed([[d.toordinal(), str(f.revenue), str(f.expenses), str(f.contribution), str(f.salary_cost), str(f.equity)]
                               for d, f in sorted(days.items()) if any((f.revenue, f.expenses, f.contribution, f.salary_cost, f.equity))])
                 for act, days in sorted(figures.days.items())},
        "receivables": {act: _packed(rows(book)) for act, book in sorted(figures.receivables.items())},
        "accounts": {account: _packed(rows(book)) for account, book in sorted(figures.accounts.items())},
        "closed": {str(m): [c.file, c.line, {k: (v if isinstance(v, (bool, int)) else str(v)) for k, v in c.meta.items()}]
                   for m, c in sorted(figures.closed.items())},
        "closed_years": {str(y): [c.file, c.line, {k: (v if isinstance(v, (bool, int)) else str(v)) for k, v in c.meta.items()}]
                         for y, c in sorted(figures.closed_years.items())},
        "opened_after": figures.opened_after,
        "carried_deficit": figures.carried_deficit,
        "booked": {str(m): sorted([s.member, s.activity, str(s.gross), str(s.employer), str(s.net), str(s.social), str(s.bonus)] for s in salaries)
                   for m, salaries in sorted(figures.booked_salaries.items())},
        "open": sorted(figures.open_accounts),
        "activity_accounts": sorted(figures.activity_accounts),
        "foreign": sorted(figures.foreign),
        "first": figures.first_date.toordinal() if figures.first_date else None,
        "last": figures.last_date.toordinal() if figures.last_date else None,
        "monthly": {
            "days": {act: _packed([[k, str(f.revenue), str(f.expenses), str(f.contribution), str(f.salary_cost), str(f.equity)]
                                   for k, f in zip(*figures._monthly_days(act)[:2])]) for act in sorted(figures.days)},
            "receivables": {act: _packed(_monthly_rows(figures, "receivables", act)) for act in sorted(figures.receivables)},
            "accounts": {account: _packed(_monthly_rows(figures, "accounts", account)) for account in sorted(figures.accounts)},
        },
    }


def _monthly_rows(figures: LedgerFigures, kind: str, key: str) -> list:
    keys, running = figures._monthly_amounts(kind, key)
    rows, previous = [], Decimal(0)
    for month_key, total in zip(keys, running):
        rows.append([month_key, str(total - previous)])
        previous = total
    return rows


class _LazyBooks(dict):
    """A mapping whose values are converted from JSON rows the first time they are read."""

    def __init__(self, raw: dict, convert) -> None:
        super().__init__({key: None for key in raw})
        self._raw, self._convert = raw, convert

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if value is None:
            try:
                value = self._convert(self._raw[key])
            except (OSError, ValueError, TypeError, IndexError, ArithmeticError):
                from .errors import LedgerError

                if isinstance(self._raw, _RowsView):  # forget this cache: the next run loads in full and rebuilds it
                    try:
                        (self._raw.rows.path.parent / "index.json").unlink()
                    except OSError:
                        pass
                raise LedgerError.one("coopctl's cache was damaged and has been cleared; run the command again") from None
            super().__setitem__(key, value)
        return value

    def get(self, key, default=None):
        return self[key] if key in self else default

    def items(self):
        return [(key, self[key]) for key in self.keys()]

    def values(self):
        return [self[key] for key in self.keys()]

    def __missing__(self, key):  # behave like the defaultdict it replaces
        value = {}
        super().__setitem__(key, value)
        return value


def _day_rows(packed: str) -> dict:
    return {datetime.date.fromordinal(r[0]): DayFigures(Decimal(r[1]), Decimal(r[2]), Decimal(r[3]), Decimal(r[4]), Decimal(r[5]))
            for r in json.loads(packed)}


def _amount_rows(packed: str) -> dict:
    return {datetime.date.fromordinal(r[0]): Decimal(r[1]) for r in json.loads(packed)}


def figures_from_json(doc: dict, rows: "_RowsFile | None" = None) -> LedgerFigures:
    """Figures from their JSON; with ``rows``, the daily rows are [offset, length] slices of that file."""
    figures = LedgerFigures()
    days, receivables = doc["days"], doc["receivables"]
    if rows is not None:
        days, receivables = rows.view(days), rows.view(receivables)
    figures.days = _LazyBooks(days, _day_rows)
    figures.receivables = _LazyBooks(receivables, _amount_rows)
    figures.accounts = _LazyBooks(doc["accounts"], _amount_rows)
    figures.closed = {Month.parse(m): CloseMarker(v[0], v[1], v[2]) for m, v in doc["closed"].items()}
    figures.closed_years = {int(y): CloseMarker(v[0], v[1], v[2]) for y, v in doc["closed_years"].items()}
    figures.opened_after = doc["opened_after"]
    figures.carried_deficit = dict(doc["carried_deficit"])
    figures.booked_salaries = defaultdict(list, {
        Month.parse(m): [BookedSalary(r[0], r[1], Decimal(r[2]), Decimal(r[3]), Decimal(r[4]), Decimal(r[5]), Decimal(r[6])) for r in rows]
        for m, rows in doc["booked"].items()})
    figures.open_accounts = set(doc["open"])
    figures.activity_accounts = set(doc["activity_accounts"])
    figures.foreign = set(doc["foreign"])
    figures.first_date = datetime.date.fromordinal(doc["first"]) if doc["first"] else None
    figures.last_date = datetime.date.fromordinal(doc["last"]) if doc["last"] else None
    figures.__dict__["provided_monthly"] = doc["monthly"]
    return figures


class _RowsFile:
    """The merged figures' daily rows, kept beside the index: each activity's packed rows is read (one
    seek) only when that activity is asked for, so a member's balance does not parse the whole ledger's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle = None

    def read(self, offset: int, length: int) -> str:
        if self._handle is None:
            self._handle = self.path.open("rb")
        self._handle.seek(offset)
        raw = self._handle.read(length)
        if len(raw) != length:
            raise ValueError("cache rows file is short")
        return raw.decode("utf-8")

    def view(self, slices: dict) -> dict:
        return _RowsView(self, slices)


class _RowsView(dict):
    """A mapping of key -> packed rows, read from the rows file on first access."""

    def __init__(self, rows: _RowsFile, slices: dict) -> None:
        super().__init__(slices)
        self.rows = rows

    def __getitem__(self, key):
        offset, length = super().__getitem__(key)
        return self.rows.read(offset, length)

    def get(self, key, default=None):
        return self[key] if key in self else default


def _split_rows(doc: dict) -> tuple[bytes, dict]:
    """Move the packed daily rows of ``doc`` (days, receivables) into one byte string; ``doc`` keeps slices."""
    chunks, offset, out = [], 0, dict(doc)
    for kind in ("days", "receivables"):
        slices = {}
        for key, packed in doc[kind].items():
            raw = packed.encode("utf-8")
            slices[key] = [offset, len(raw)]
            chunks.append(raw)
            offset += len(raw)
        out[kind] = slices
    return b"".join(chunks), out


def _write_index(folder: Path, index: dict, merged: LedgerFigures) -> None:
    """The rows file first (named by its content), then the index that names it; older rows files go."""
    raw, doc = _split_rows(figures_to_json(merged))
    name = f"rows-{hashlib.sha256(raw).hexdigest()[:20]}.bin"
    target = folder / name
    if not target.exists():
        atomic_write(target, raw)
    _write_json(folder / "index.json", {**index, "merged": doc, "rows": name})
    for old in folder.glob("rows-*.bin"):
        if old.name != name:
            try:
                old.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------- writing


def _write_json(path: Path, doc: dict) -> None:
    atomic_write(path, json.dumps(doc, separators=(",", ":")).encode("utf-8"))


def _rel(coop: Cooperative, path: str) -> str:
    return str(Path(path).resolve().relative_to(coop.root.resolve()))


def store_full_load(coop: Cooperative, ledger: LoadedLedger, per_file: dict[str, LedgerFigures], merged: LedgerFigures) -> None:
    """After a clean full load: record every file's digest and figures, and the merged figures."""
    if not enabled():
        return
    from beancount.core import data

    try:
        folder = cache_dir(coop)
        files = {_rel(coop, name): {"sha": sha, "includes": ledger.includes.get(name, []), "stat": _stat_key(Path(name))}
                 for name, sha in ledger.digests.items()}
        incremental = (not coop.coop.ledger_plugins and set(per_file) <= set(files)
                       and not any(isinstance(e, (data.Balance, data.Pad, data.Close)) for e in ledger.entries))
        opened = {e.account: e.date.toordinal() for e in ledger.entries if isinstance(e, data.Open)}
        for rel, info in files.items():
            target = folder / "files" / f"{info['sha']}.json"
            if not target.exists():
                _write_json(target, figures_to_json(per_file.get(rel, LedgerFigures())))
        _write_index(folder, {"format": FORMAT, "config": config_key(coop), "files": files,
                              "trusted_before_ns": ledger.started_ns - RACY_MARGIN_NS, "incremental": incremental,
                              "opened": opened}, merged)
    except OSError:
        pass  # a cache that cannot be written is only slower, never wrong


# --------------------------------------------------------------------------- reading


class _FullLoadNeeded(Exception):
    pass


RACY_MARGIN_NS = 2_000_000_000  # file times are coarser than the clock: trust a file's stat only if it changed 2 s before


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _unchanged(path: Path, cached: dict | None, trusted_before_ns: int) -> bool:
    """A file is taken as unchanged without reading it when size, times and inode are those recorded and it
    last changed well before the load that recorded it began (git's rule against racy timestamps). Its
    ctime cannot be set back by ``touch`` or an editor: any write after that load moves it forward."""
    if not cached or "stat" not in cached:
        return False
    key = _stat_key(path)
    return key == cached["stat"] and max(key[1], key[2]) < trusted_before_ns


def cached_figures(coop: Cooperative) -> LedgerFigures | None:
    """The ledger's figures from the cache (warm or incremental), or None when a full load is needed."""
    if not enabled():
        return None
    folder = cache_dir(coop)
    try:
        index = json.loads((folder / "index.json").read_bytes())
        if index.get("format") != FORMAT or index.get("config") != config_key(coop):
            return None
        started_ns = time.time_ns()
        current, parsed = _walk(coop, index["files"], index.get("trusted_before_ns", 0))
        if {rel: sha for rel, (sha, _) in current.items()} == {rel: v["sha"] for rel, v in index["files"].items()}:
            rows = _RowsFile(folder / index["rows"])
            merged = index["merged"]
            end = max((o + n for kind in ("days", "receivables") for o, n in merged[kind].values()), default=0)
            if rows.path.stat().st_size != end:
                return None  # a rows file that is not the one the index describes: load in full
            return figures_from_json(merged, rows)
        if not index.get("incremental"):
            return None
        return _incremental(coop, folder, index, current, parsed, started_ns)
    except (_FullLoadNeeded, OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        return None  # whatever is wrong with the cache, the full load is the answer


def _walk(coop: Cooperative, known: dict, trusted_before_ns: int = 0) -> tuple[dict[str, tuple[str, list[str]]], dict[str, tuple]]:
    """The current include tree: file -> (sha, include patterns); files whose content is new are parsed."""
    root = coop.root.resolve()
    current: dict[str, tuple[str, list[str]]] = {}
    parsed: dict[str, tuple] = {}
    stack = [coop.ledger_path.resolve()]
    while stack:
        path = stack.pop(0)
        rel = str(path.relative_to(root))
        if rel in current:
            continue
        cached = known.get(rel)
        if _unchanged(path, cached, trusted_before_ns):
            current[rel] = (cached["sha"], cached["includes"])
            _follow(path, cached["includes"], root, stack)
            continue
        raw = path.read_bytes()
        raw.decode("utf-8")  # a non-UTF-8 file: ValueError, full load reports it
        sha = hashlib.sha256(raw).hexdigest()
        if cached and cached["sha"] == sha:
            patterns = cached["includes"]
        else:
            from beancount.parser import parser

            entries, errors, options = parser.parse_file(str(path))
            parsed[rel] = (entries, errors, options)
            patterns = list(options["include"])
        current[rel] = (sha, patterns)
        _follow(path, patterns, root, stack)
    return current, parsed


def _follow(path: Path, patterns: list[str], root: Path, stack: list[Path]) -> None:
    """Push the files a file includes (globs expanded now: a new or removed file is seen)."""
    for pattern in patterns:
        full = pattern if os.path.isabs(pattern) else str(path.parent / pattern)
        matches = sorted(glob.glob(full, recursive=True))
        if not matches:
            raise _FullLoadNeeded
        for match in matches:
            resolved = Path(match).resolve()
            if not resolved.is_relative_to(root):
                raise _FullLoadNeeded
            if resolved.is_file():
                stack.append(resolved)


def _incremental(coop: Cooperative, folder: Path, index: dict, current: dict, parsed: dict, started_ns: int) -> LedgerFigures:
    from beancount.core import data
    from beancount.loader import aggregate_options_map
    from beancount.ops import validation
    from beancount.parser import booking

    opened = {account: datetime.date.fromordinal(day) for account, day in index["opened"].items()}
    top = aggregate_options_map(parsed[next(iter(current))][2], []) if next(iter(current)) in parsed else None
    parts = []
    new_files = {}
    for rel, (sha, _patterns) in current.items():
        stored = folder / "files" / f"{sha}.json"
        if rel not in parsed:
            parts.append(figures_from_json(json.loads(stored.read_bytes())))
            continue
        entries, errors, options = parsed[rel]
        if errors or options["plugin"] or options["plugin_processing_mode"] != "default":
            raise _FullLoadNeeded
        if any(isinstance(e, (data.Balance, data.Pad, data.Close)) for e in entries):
            raise _FullLoadNeeded
        if top is None:
            from beancount.parser import parser

            top = aggregate_options_map(parser.parse_file(str(coop.ledger_path))[2], [])
        booked, booking_errors = booking.book(sorted(entries, key=data.entry_sortkey), top)
        if booking_errors or validation.validate_check_transaction_balances(booked, top):
            raise _FullLoadNeeded
        for entry in booked:
            if isinstance(entry, data.Open):
                if entry.account in opened:
                    raise _FullLoadNeeded  # a second open of an account
                opened[entry.account] = entry.date
        for entry in booked:
            if isinstance(entry, data.Transaction):
                for posting in entry.postings:
                    if posting.account not in opened or opened[posting.account] > entry.date:
                        raise _FullLoadNeeded
        figures, problems = extract_figures(coop, booked)
        if problems:
            raise _FullLoadNeeded
        parts.append(figures)
        new_files[sha] = figures
    merged = merge_figures(parts)
    for sha, figures in new_files.items():
        _write_json(folder / "files" / f"{sha}.json", figures_to_json(figures))
    root = coop.root.resolve()
    files = {rel: {"sha": sha, "includes": patterns, "stat": _stat_key(root / rel)} for rel, (sha, patterns) in current.items()}
    kept = {k: v for k, v in index.items() if k not in ("merged", "rows")}
    _write_index(folder, {**kept, "files": files, "opened": {a: d.toordinal() for a, d in opened.items()},
                          "trusted_before_ns": started_ns - RACY_MARGIN_NS}, merged)
    return merged
