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

Never believed over the ledger (issue 14):

- the incremental path accepts a changed file only when every check of the full load can be run on it
  alone, and runs them (``_walk``, ``_incremental``): no byte order mark, no line too long, no parse
  error, no option, no plugin; only ``open`` and transaction directives (a ``balance``, ``pad``,
  ``close``, ``note``, ``document``, ``custom``, price, event... needs the whole ledger); no posting at
  cost (lots live in other files); no date outside the accepted years, no price on an amount in the
  cooperative's own currency (both refused by the whole load); no absurd amount
  (``ledger._absurd_amounts``); Beancount's booking, balance and data-type checks; every posting's account
  open at its date and in a currency its ``open`` allows; every ``open`` of the removed or changed files
  still there, unchanged; no unknown activity, no activity amount in another currency. Anything else:
  the full load. A new check in the full load must be added there, or make that path fall back;
- every cache file carries a SHA-256 (of its name and bytes; the rows file one per slice), verified on
  read: a mismatch is a cache ignored (a rows slice read late: set aside, and the full load answers);
- the folders are created 0700 and the files 0600; a folder or file owned by someone else, writable by
  group or others, or a symbolic link is ignored;
- a ledger with ``document`` directives or the ``documents`` option is not cached (its validity depends
  on files outside the ledger).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import time
from collections import defaultdict
from decimal import Decimal
from io import BufferedReader
from pathlib import Path
from typing import TYPE_CHECKING

from coopctl import __version__
from coopctl.domain.figures import BookedSalary, CloseMarker, DayFigures, LedgerFigures
from coopctl.domain.months import Month
from coopctl.store.paths import cache_folder
from coopctl.store.safe_io import atomic_write

if TYPE_CHECKING:  # imported when used: a warm answer (store.answers) needs neither Beancount nor Pydantic
    from coopctl.adapter.ledger import Books, LoadedLedger
    from coopctl.domain.cooperative import Cooperative

FORMAT = 10  # 10: the merged rows keep days of zero amounts, as a whole load holds them
FILES = "files"
FILE_FORMAT = 2  # 2: a file's days of zero amounts kept (``file_json``)


def _file_figures(folder: Path, sha: str) -> Path:
    """Where the cache keeps the figures of a file with these bytes (named for the format since their days of
    zero amounts are kept, ``file_json``: a file recorded by an older coopctl is recorded again)."""
    return folder / FILES / f"{sha}.{FILE_FORMAT}.json"


# ------------------------------------------------------------------- owner-only files, with a checksum


class _Untrusted(ValueError):
    """A cache file that is not ours alone, or whose bytes are not those written."""


def _trusted_stat(st: os.stat_result, kind) -> bool:
    return kind(st.st_mode) and st.st_uid == os.geteuid() and not st.st_mode & 0o022


def _private_folder(folder: Path) -> bool:
    """Create ``folder`` (0700) or make it so when it is ours; False when it is someone else's or a link."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(folder)
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.geteuid():
            return False
        if stat.S_IMODE(st.st_mode) != 0o700:
            os.chmod(folder, 0o700)
        return True
    except OSError:
        return False


def _trusted_folder(folder: Path) -> bool:
    try:
        return _trusted_stat(os.lstat(folder), stat.S_ISDIR)
    except OSError:
        return False


def _open_trusted(path: Path) -> BufferedReader:
    """A binary file object on a cache file that is ours alone (no link, owner-only writable), else
    _Untrusted."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise _Untrusted(f"{path}: {exc.strerror}") from None
    if not _trusted_stat(os.fstat(fd), stat.S_ISREG):
        os.close(fd)
        raise _Untrusted(f"{path} is not coopctl's own")
    return os.fdopen(fd, "rb")


def _digest(name: str, payload: bytes) -> str:
    return hashlib.sha256(name.encode() + b"\0" + payload).hexdigest()


def _read_sealed(path: Path) -> bytes:
    """The payload of a cache file written by ``_write_sealed``, verified (its name and bytes)."""
    with _open_trusted(path) as handle:
        raw = handle.read()
    digest, newline, payload = raw.partition(b"\n")
    if not newline or digest.decode("ascii", "replace") != _digest(path.name, payload):
        raise _Untrusted(f"{path}: checksum mismatch")
    return payload


def _write_sealed(path: Path, payload: bytes) -> None:
    atomic_write(path, _digest(path.name, payload).encode() + b"\n" + payload, mode=0o600)


def cache_dir(coop: Cooperative) -> Path:
    return cache_folder(coop.root)


def enabled() -> bool:
    return os.environ.get("COOPCTL_NO_CACHE", "") in ("", "0")


def config_key(coop: Cooperative) -> str:
    """The digest of the config: of the bytes ``coop`` was built from when known (``store.configfile``), so
    that a cache or seal never records a config saved since as the one its figures or closings came from."""
    known = coop.__dict__.get("config_key")
    if isinstance(known, str):
        return known
    digest = hashlib.sha256(__version__.encode())
    for name in ("coop", "members", "activities"):
        digest.update((coop.root / "config" / f"{name}.yaml").read_bytes())
    return digest.hexdigest()


def figures_key(coop: Cooperative) -> str:
    """The part of the config a file's own figures depend on (``ledger.extract_figures``: the currency, the
    ledger's place and the activities; not the members): a year-scoped load may take the earlier years' files'
    figures from an index written under another members list (``store_year_load``)."""
    digest = hashlib.sha256(__version__.encode() + b"\0figures")
    for name in ("coop", "activities"):
        digest.update((coop.root / "config" / f"{name}.yaml").read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- figures <-> JSON


def _packed(rows: list) -> str:
    """Rows as one JSON string: the index is parsed fast, and a row list only when its activity is read."""
    return json.dumps(rows, separators=(",", ":"))


def figures_to_json(figures: LedgerFigures, keep_zero: bool = False) -> dict:
    """``keep_zero``: the days of zero amounts too (a file's own figures: a sum with another file's same day
    keeps the exponent of its zero, 0.00 + 0 is 0.00, as in a whole load's merge)."""

    def rows(book: dict) -> list:
        return [[day.toordinal(), str(amount)] for day, amount in sorted(book.items()) if keep_zero or amount]

    return {
        "days": {
            act: _packed(
                [
                    [
                        d.toordinal(),
                        str(f.revenue),
                        str(f.expenses),
                        str(f.contribution),
                        str(f.salary_cost),
                        str(f.equity),
                    ]
                    for d, f in sorted(days.items())
                    if keep_zero or any((f.revenue, f.expenses, f.contribution, f.salary_cost, f.equity))
                ]
            )
            for act, days in sorted(figures.days.items())
        },
        "receivables": {act: _packed(rows(book)) for act, book in sorted(figures.receivables.items())},
        "accounts": {account: _packed(rows(book)) for account, book in sorted(figures.accounts.items())},
        "activity_expenses": {
            account: _packed(rows(book)) for account, book in sorted(figures.activity_expenses.items())
        },
        "closed": {
            str(m): [
                c.file,
                c.line,
                {k: (v if isinstance(v, (bool, int)) else str(v)) for k, v in c.meta.items()},
            ]
            for m, c in sorted(figures.closed.items())
        },
        "closed_years": {
            str(y): [
                c.file,
                c.line,
                {k: (v if isinstance(v, (bool, int)) else str(v)) for k, v in c.meta.items()},
            ]
            for y, c in sorted(figures.closed_years.items())
        },
        "opened_after": figures.opened_after,
        "carried_deficit": figures.carried_deficit,
        "booked": {
            str(m): sorted(
                [s.member, s.activity, str(s.gross), str(s.employer), str(s.net), str(s.social), str(s.bonus)]
                for s in salaries
            )
            for m, salaries in sorted(figures.booked_salaries.items())
        },
        "open": sorted(figures.open_accounts),
        "activity_accounts": sorted(figures.activity_accounts),
        "foreign": sorted(figures.foreign),
        "first": figures.first_date.toordinal() if figures.first_date else None,
        "last": figures.last_date.toordinal() if figures.last_date else None,
        "monthly": {
            "days": {
                act: _packed(
                    [
                        [
                            k,
                            str(f.revenue),
                            str(f.expenses),
                            str(f.contribution),
                            str(f.salary_cost),
                            str(f.equity),
                        ]
                        for k, f in zip(*figures._monthly_days(act)[:2])
                    ]
                )
                for act in sorted(figures.days)
            },
            "receivables": {
                act: _packed(_monthly_rows(figures, "receivables", act))
                for act in sorted(figures.receivables)
            },
            "accounts": {
                account: _packed(_monthly_rows(figures, "accounts", account))
                for account in sorted(figures.accounts)
            },
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
    """A mapping whose values are converted from JSON rows the first time they are read.

    ``fallback(kind, key)``: the value from a full load, when the cached rows cannot be trusted (damaged,
    not coopctl's own): the cache is set aside and the full load answers, and rebuilds it."""

    def __init__(self, raw: dict, convert, kind: str = "", fallback=None) -> None:
        super().__init__({key: None for key in raw})
        self._raw, self._convert, self._kind, self._fallback = raw, convert, kind, fallback

    def __getitem__(self, key):
        value = super().__getitem__(key)
        if value is None:
            try:
                value = self._convert(self._raw[key])
            except (OSError, ValueError, TypeError, IndexError, ArithmeticError):
                if self._fallback is not None:
                    value = self._fallback(self._kind, key)
                else:
                    from coopctl.domain.problems import N_, LedgerError

                    raise LedgerError.of(
                        "cache.damaged", N_("coopctl's cache was damaged; run the command again")
                    ) from None
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
    return {
        datetime.date.fromordinal(r[0]): DayFigures(
            Decimal(r[1]), Decimal(r[2]), Decimal(r[3]), Decimal(r[4]), Decimal(r[5])
        )
        for r in json.loads(packed)
    }


def _amount_rows(packed: str) -> dict:
    return {datetime.date.fromordinal(r[0]): Decimal(r[1]) for r in json.loads(packed)}


def figures_from_json(doc: dict, rows: "_RowsFile | None" = None, fallback=None) -> LedgerFigures:
    """Figures from their JSON; with ``rows``, the daily rows are [offset, length, digest] slices of that
    file."""
    figures = LedgerFigures()
    days, receivables = doc["days"], doc["receivables"]
    if rows is not None:
        days, receivables = rows.view(days), rows.view(receivables)
    figures.days = _LazyBooks(days, _day_rows, "days", fallback)
    figures.receivables = _LazyBooks(receivables, _amount_rows, "receivables", fallback)
    figures.accounts = _LazyBooks(doc["accounts"], _amount_rows, "accounts", fallback)
    figures.activity_expenses = _LazyBooks(
        doc["activity_expenses"], _amount_rows, "activity_expenses", fallback
    )
    figures.closed = {Month.parse(m): CloseMarker(v[0], v[1], v[2]) for m, v in doc["closed"].items()}
    figures.closed_years = {int(y): CloseMarker(v[0], v[1], v[2]) for y, v in doc["closed_years"].items()}
    figures.opened_after = doc["opened_after"]
    figures.carried_deficit = dict(doc["carried_deficit"])
    figures.booked_salaries = defaultdict(
        list,
        {
            Month.parse(m): [
                BookedSalary(
                    r[0], r[1], Decimal(r[2]), Decimal(r[3]), Decimal(r[4]), Decimal(r[5]), Decimal(r[6])
                )
                for r in rows
            ]
            for m, rows in doc["booked"].items()
        },
    )
    figures.open_accounts = set(doc["open"])
    figures.activity_accounts = set(doc["activity_accounts"])
    figures.foreign = set(doc["foreign"])
    figures.first_date = datetime.date.fromordinal(doc["first"]) if doc["first"] else None
    figures.last_date = datetime.date.fromordinal(doc["last"]) if doc["last"] else None
    figures.__dict__["provided_monthly"] = doc["monthly"]
    return figures


def _slice_digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()[:32]


class _RowsFile:
    """The merged figures' daily rows, kept beside the index: each activity's packed rows is read (one
    seek) only when that activity is asked for, so a member's balance does not parse the whole ledger's.
    Each slice is checked against its digest in the (checked) index."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: BufferedReader | None = None

    def read(self, offset: int, length: int, digest: str) -> str:
        if self._handle is None:
            self._handle = _open_trusted(self.path)
        self._handle.seek(offset)
        raw = self._handle.read(length)
        if len(raw) != length or _slice_digest(raw) != digest:
            raise _Untrusted("cache rows do not match their checksum")
        return raw.decode("utf-8")

    def view(self, slices: dict) -> dict:
        return _RowsView(self, slices)


class _RowsView(dict):
    """A mapping of key -> packed rows, read from the rows file on first access."""

    def __init__(self, rows: _RowsFile, slices: dict) -> None:
        super().__init__(slices)
        self.rows = rows

    def __getitem__(self, key):
        offset, length, digest = super().__getitem__(key)
        return self.rows.read(offset, length, digest)

    def get(self, key, default=None):
        return self[key] if key in self else default


def _split_rows(doc: dict) -> tuple[bytes, dict]:
    """Move the packed daily rows of ``doc`` (days, receivables) into one byte string; ``doc`` keeps
    slices."""
    chunks, offset, out = [], 0, dict(doc)
    for kind in ("days", "receivables"):
        slices = {}
        for key, packed in doc[kind].items():
            raw = packed.encode("utf-8")
            slices[key] = [offset, len(raw), _slice_digest(raw)]
            chunks.append(raw)
            offset += len(raw)
        out[kind] = slices
    return b"".join(chunks), out


def _write_index(folder: Path, index: dict, merged: LedgerFigures) -> None:
    """The rows file first (named by its content), then the index that names it; older rows files go."""
    raw, doc = _split_rows(figures_to_json(merged, keep_zero=True))  # as a whole load holds them
    name = f"rows-{hashlib.sha256(raw).hexdigest()[:20]}.bin"
    target = folder / name
    if not _ours(target) or target.stat().st_size != len(raw):
        atomic_write(target, raw, mode=0o600)
    _write_json(folder / "index.json", {**index, "merged": doc, "rows": name})
    for old in folder.glob("rows-*.bin"):
        if old.name != name:
            try:
                old.unlink()
            except OSError:
                pass


# --------------------------------------------------------------------------- writing


def file_json(figures: LedgerFigures) -> dict:
    """A file's own figures as the cache records them (``_file_figures``)."""
    return figures_to_json(figures, keep_zero=True)


def _write_json(path: Path, doc: dict) -> None:
    _write_sealed(path, json.dumps(doc, separators=(",", ":")).encode("utf-8"))


def _rel(coop: Cooperative, path: str) -> str:
    return str(Path(path).resolve().relative_to(coop.root.resolve()))


def _rel_once(coop: Cooperative, path: str, known: dict[str, str]) -> str:
    """``_rel``, each file name resolved once (a ledger opens thousands of accounts in a few files)."""
    rel = known.get(path)
    if rel is None:
        rel = known[path] = _rel(coop, path)
    return rel


def _ours(path: Path) -> bool:
    """An existing cache file that may be kept: ours alone (a damaged one is removed when it is read)."""
    try:
        return _trusted_stat(os.lstat(path), stat.S_ISREG)
    except OSError:
        return False


def _has_cost(entry) -> bool:
    return any(posting.cost is not None for posting in entry.postings)


def store_full_load(
    coop: Cooperative, ledger: LoadedLedger, per_file: dict[str, LedgerFigures], merged: LedgerFigures
) -> None:
    """After a clean full load: record every file's digest and figures, and the merged figures."""
    if not enabled():
        return
    from beancount.core import data

    if ledger.options.get("documents") or any(isinstance(e, data.Document) for e in ledger.entries):
        return  # its validity depends on files outside the ledger: always loaded in full
    try:
        folder = cache_dir(coop)
        if not (_private_folder(folder) and _private_folder(folder / FILES)):
            return  # someone else's folder: not written, not read
        files = {
            _rel(coop, name): {
                "sha": sha,
                "includes": ledger.includes.get(name, []),
                "stat": _stat_key(Path(name)),
            }
            for name, sha in ledger.digests.items()
        }
        incremental = (
            not coop.coop.ledger_plugins
            and set(per_file) <= set(files)
            and not any(
                isinstance(e, (data.Balance, data.Pad, data.Close))
                or (isinstance(e, data.Transaction) and _has_cost(e))
                for e in ledger.entries
            )
        )
        relative: dict[str, str] = {}
        opened = {
            e.account: list(_open_record(e, _rel_once(coop, e.meta["filename"], relative)))
            for e in ledger.entries
            if isinstance(e, data.Open)
            and e.meta
            and e.meta.get("filename")
            and not e.meta["filename"].startswith("<")  # a plugin's (auto_accounts): no file of the ledger
        }
        _record_load(coop, folder, ledger, files, per_file, incremental, opened, merged)
    except (OSError, ValueError):  # ValueError: a file name outside the cooperative (not recorded)
        pass  # a cache that cannot be written is only slower, never wrong


def _record_load(
    coop: Cooperative,
    folder: Path,
    ledger: LoadedLedger,
    files: dict,
    per_file: dict[str, LedgerFigures],
    incremental: bool,
    opened: dict,
    merged: LedgerFigures,
    recorded: dict | None = None,
) -> None:
    """Each file's figures not recorded yet (``recorded``: the files this load extracted; default all), then
    the index of a load that began reading at ``ledger.started_ns``."""
    for rel, info in (files if recorded is None else recorded).items():
        target = _file_figures(folder, str(info["sha"]))
        if not _ours(target):
            _write_json(target, file_json(per_file.get(rel, LedgerFigures())))
    _write_index(
        folder,
        {
            "format": FORMAT,
            "config": config_key(coop),
            "figures_config": figures_key(coop),
            "files": files,
            "trusted_before_ns": ledger.started_ns - RACY_MARGIN_NS,
            "incremental": incremental,
            "opened": opened,
        },
        merged,
    )


def _booking(entry) -> str:
    return entry.booking.name if entry.booking is not None else ""


def _open_record(entry, rel: str) -> tuple:
    """What the index keeps of an ``open``: its day, currencies, booking method and file."""
    return (entry.date.toordinal(), sorted(entry.currencies or []), _booking(entry), rel)


def _add_opens(opened: dict, entries: list, rel: str) -> None:
    """The ``open`` directives of the file ``rel`` into ``opened``; an account opened twice needs the whole
    load (which refuses it)."""
    from beancount.core import data

    for entry in entries:
        if isinstance(entry, data.Open):
            if entry.account in opened:
                raise _FullLoadNeeded
            opened[entry.account] = _open_record(entry, rel)


def _set_aside(folder: Path) -> None:
    """Forget the cache's index and rows (damaged, or not ours): the next full load writes them again."""
    for path in [folder / "index.json", *folder.glob("rows-*.bin")]:
        try:
            path.unlink()
        except OSError:
            pass


# --------------------------------------------------------------------------- reading


class _FullLoadNeeded(Exception):
    pass


RACY_MARGIN_NS = (
    2_000_000_000  # file times are coarser than the clock: trust a file's stat only if it changed 2 s before
)


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


def cached_figures(
    coop: Cooperative, vouched: dict | None = None, write_index: bool = True
) -> LedgerFigures | None:
    """The ledger's figures from the cache (warm or incremental), or None when a full load is needed.

    ``vouched``: files coopctl itself has just written and verified against the state this cache describes
    (a sealed close: ``app.sealed``), relative path -> (SHA-256, booked entries, figures): taken with those
    figures when their bytes are still those, although the incremental path would send their directives
    (a closing's markers) to the full load. The next command then finds the cache describing the ledger.

    ``write_index=False``: an incremental answer records each changed file's figures but not the index
    (``record_written`` will, with the file the command is about to write: one index write, not two)."""
    if not enabled():
        return None
    folder = cache_dir(coop)
    _DESCRIBED.pop(str(folder), None)  # described again below, or not at all
    try:
        if not _trusted_folder(folder):
            return None
        index = json.loads(_read_sealed(folder / "index.json"))
        if index.get("format") != FORMAT or index.get("config") != config_key(coop):
            return None
        started_ns = time.time_ns()
        current, parsed = _walk(coop, index["files"], index.get("trusted_before_ns", 0))
        if {rel: sha for rel, (sha, _) in current.items()} == {
            rel: v["sha"] for rel, v in index["files"].items()
        }:
            rows = _RowsFile(folder / index["rows"])
            merged = index["merged"]
            end = max(
                (o + n for kind in ("days", "receivables") for o, n, _digest in merged[kind].values()),
                default=0,
            )
            if rows.path.stat().st_size != end:
                return None  # a rows file that is not the one the index describes: load in full
            figures = figures_from_json(merged, rows, _full_load_fallback(coop, folder))
            _described(coop, {k: v for k, v in index.items() if k not in ("merged", "rows")}, figures)
            return figures
        if not index.get("incremental"):
            return None
        return _incremental(coop, folder, index, current, parsed, started_ns, vouched or {}, write_index)
    except (_FullLoadNeeded, OSError, ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        return None  # whatever is wrong with the cache, the full load is the answer


def _full_load_fallback(coop: Cooperative, folder: Path):
    """For rows found damaged (or not ours) when they are read: set the cache aside, load in full (once),
    and answer from that load; the full load writes the cache again."""
    loaded: list[LedgerFigures] = []

    def fallback(kind: str, key: str):
        if not loaded:
            from coopctl.adapter.ledger import require_clean

            _set_aside(folder)
            books = load_books_filling_cache(coop)
            require_clean(books)
            loaded.append(books.figures)
        return getattr(loaded[0], kind).get(key) or {}

    return fallback


def _set_aside_file(stored: Path):
    """For per-file figures found damaged when they are read (merged within ``_incremental``): remove the
    file and load in full, which writes it again (so the next run does not meet it)."""

    def fallback(kind: str, key: str):
        if _ours(stored) or stored.is_symlink():
            stored.unlink()
        raise _FullLoadNeeded

    return fallback


# what this process parsed (and booked) of a file, by its path and SHA-256: a file read again later in the
# same command (the seal's checks, a sealed close) need not be parsed again; never stored on disk
_READ: dict[tuple[str, str], tuple[list, list, list | None]] = {}


def _remember_read(path: str, sha: str, read: tuple[list, list, list | None]) -> None:
    if len(_READ) >= 16:  # a long-lived process (Fava) keeps only the last few
        _READ.clear()
    _READ[(path, sha)] = read


def read_in_this_process(path: Path, sha: str) -> tuple[list, list, list | None] | None:
    """(entries, parse errors, booked entries or None) of the file at ``path`` (resolved) with these bytes, as
    this process parsed it already, or None."""
    return _READ.get((str(path), sha))


def _walk(
    coop: Cooperative, known: dict, trusted_before_ns: int = 0
) -> tuple[dict[str, tuple[str, list[str]]], dict[str, tuple]]:
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
        if cached is not None and _unchanged(path, cached, trusted_before_ns):
            current[rel] = (cached["sha"], cached["includes"])
            _follow(path, cached["includes"], root, stack)
            continue
        raw = path.read_bytes()
        raw.decode("utf-8")  # a non-UTF-8 file: ValueError, full load reports it
        if _refused_before_parsing(raw):
            raise _FullLoadNeeded
        sha = hashlib.sha256(raw).hexdigest()
        if cached and cached["sha"] == sha:
            patterns = cached["includes"]
        else:
            from beancount.parser import parser

            entries, errors, options = parser.parse_file(str(path))
            parsed[rel] = (entries, errors, options)
            _remember_read(str(path), sha, (entries, errors, None))
            patterns = list(options["include"])
        current[rel] = (sha, patterns)
        _follow(path, patterns, root, stack)
    return current, parsed


def _refused_before_parsing(raw: bytes) -> bool:
    """What the whole load refuses before parsing a file: a byte order mark (``ledger.bom``), a line too
    long (``ledger.line_too_long``)."""
    from coopctl.adapter.ledger import MAX_LINE_BYTES
    from coopctl.domain.cooperative import BOMS

    too_long = len(raw) > MAX_LINE_BYTES and max(map(len, raw.split(b"\n"))) > MAX_LINE_BYTES
    return raw.startswith(BOMS) or too_long


def _follow(path: Path, patterns: list[str], root: Path, stack: list[Path]) -> None:
    """Push the files a file includes (globs expanded now: a new or removed file is seen), by the same rule as
    the whole load (``adapter.includes``); anything the load would refuse or report needs the full load."""
    from coopctl.adapter.includes import expand

    for pattern in patterns:
        reached = expand(pattern, path, root)
        if reached.invalid or reached.outside is not None or not reached.matched:
            raise _FullLoadNeeded
        stack.extend(reached.files)


IGNORED_OPTIONS = {
    "filename",
    "include",
    "dcontext",
    "input_hash",
    "commodities",
}  # set by any file's own content


def _incremental(
    coop: Cooperative,
    folder: Path,
    index: dict,
    current: dict,
    parsed: dict,
    started_ns: int,
    vouched: dict | None = None,
    write_index: bool = True,
) -> LedgerFigures:
    """The figures merged from every file's, the changed files read alone and checked as the full load would
    check them (see the module's docstring); _FullLoadNeeded whenever a check needs the whole ledger."""
    from beancount.core import data
    from beancount.loader import aggregate_options_map
    from beancount.ops import validation
    from beancount.parser import booking, parser

    from coopctl.adapter.ledger import (
        _absurd_amounts,
        _own_currency_annotations,
        extract_figures,
        merge_figures,
    )
    from coopctl.domain.policy import MAX_YEAR, MIN_YEAR

    if not _trusted_folder(folder / FILES):
        raise _FullLoadNeeded
    main = next(iter(current))
    if main in parsed:
        raise _FullLoadNeeded  # the main file: the whole ledger's options and includes
    root = coop.root.resolve()
    known = index["files"]
    changed = {rel for rel in known if rel not in current or current[rel][0] != known[rel]["sha"]}
    before = {account: tuple(v[:3]) + (v[3],) for account, v in index["opened"].items()}
    opened = {account: v for account, v in before.items() if v[3] not in changed}
    defaults = parser.parse_string("")[2]
    vouched = {
        rel: (booked, figures)
        for rel, (sha, booked, figures) in (vouched or {}).items()
        if rel in parsed and current[rel][0] == sha and not parsed[rel][1]
    }
    for rel, (booked, _figures) in vouched.items():
        _add_opens(opened, booked, rel)
    for rel, (entries, errors, options) in parsed.items():
        if rel in vouched:
            continue  # written and verified by this command (see cached_figures)
        if errors or any(options[k] != defaults[k] for k in defaults if k not in IGNORED_OPTIONS):
            raise _FullLoadNeeded  # a parse error, an option, a plugin
        for entry in entries:
            if not isinstance(entry, (data.Open, data.Transaction)) or (
                isinstance(entry, data.Transaction) and _has_cost(entry)
            ):
                # needs the whole ledger: balance, pad, close, note, custom, price, lots...
                raise _FullLoadNeeded
            if not MIN_YEAR <= entry.date.year <= MAX_YEAR:
                raise _FullLoadNeeded  # a date the whole load refuses (ledger.date_range)
            if entry.meta.get("filename") != str(root / rel):
                raise _FullLoadNeeded  # another file named by its metadata (ledger.filename_metadata)
        _add_opens(opened, entries, rel)  # a second open of an account: the whole load
        if _absurd_amounts(entries, root):
            raise _FullLoadNeeded
    for account, (day, currencies, method, _rel_file) in before.items():
        now = opened.get(account)
        if now is None or now[:3] != (day, currencies, method):
            raise _FullLoadNeeded  # an open removed or changed: other files' postings may need it
    top = aggregate_options_map(parser.parse_file(str(coop.ledger_path))[2], [])
    parts = []
    new_files = {}
    for rel, (sha, _patterns) in current.items():
        stored = _file_figures(folder, sha)
        if rel not in parsed:
            try:
                parts.append(
                    figures_from_json(json.loads(_read_sealed(stored)), None, _set_aside_file(stored))
                )
            except ValueError:
                if _ours(stored) or stored.is_symlink():
                    stored.unlink()
                raise _FullLoadNeeded from None
            continue
        if rel in vouched:
            parts.append(vouched[rel][1])
            new_files[sha] = vouched[rel][1]
            continue
        entries = parsed[rel][0]
        booked, booking_errors = booking.book(sorted(entries, key=data.entry_sortkey), top)
        if not booking_errors:
            _remember_read(str(root / rel), sha, (entries, [], booked))
        if (
            booking_errors
            or validation.validate_check_transaction_balances(booked, top)
            or validation.validate_data_types(booked, top)
            or _own_currency_annotations(booked, coop.coop.currency, root)  # a price on the own currency
        ):
            raise _FullLoadNeeded
        for entry in booked:
            if isinstance(entry, data.Transaction):
                for posting in entry.postings:
                    info = opened.get(posting.account)
                    if (
                        info is None
                        or info[0] > entry.date.toordinal()
                        or (info[1] and (posting.units is None or posting.units.currency not in info[1]))
                    ):
                        # an account not open at that date, or a currency its open refuses
                        raise _FullLoadNeeded
        figures, problems = extract_figures(coop, booked)
        if problems:
            raise _FullLoadNeeded  # an unknown activity, an activity amount in another currency
        parts.append(figures)
        new_files[sha] = figures
    merged = merge_figures(parts)
    for sha, figures in new_files.items():
        _write_json(_file_figures(folder, sha), file_json(figures))
    files = {
        rel: {"sha": sha, "includes": patterns, "stat": _stat_key(root / rel)}
        for rel, (sha, patterns) in current.items()
    }
    kept = {k: v for k, v in index.items() if k not in ("merged", "rows")}
    described = {
        **kept,
        "files": files,
        "opened": {a: list(v) for a, v in opened.items()},
        "trusted_before_ns": started_ns - RACY_MARGIN_NS,
    }
    if write_index:
        _write_index(folder, described, merged)
    _described(coop, described, merged)
    return merged


# the index (without its merged figures) and the figures of the ledger as this process last found it, by
# cache folder: what ``record_written`` adds a file to; never stored as such
_DESCRIBED: dict[str, tuple[dict, LedgerFigures]] = {}


def _described(coop: Cooperative, index: dict, figures: LedgerFigures) -> None:
    _DESCRIBED.clear()  # one ledger at a time (a long-lived process moves on)
    _DESCRIBED[str(cache_dir(coop))] = (index, figures)


def described_index(coop: Cooperative) -> dict | None:
    """The index (without its merged figures) of the ledger as ``cached_figures`` found it last in this
    process: every file's SHA-256 as read just now, even when the index on disk is not written yet."""
    known = _DESCRIBED.get(str(cache_dir(coop)))
    return None if known is None else known[0]


def _without_fallback(figures: LedgerFigures) -> None:
    """Daily rows not read yet that read as damaged now (another command wrote the cache since and removed
    the rows file): _FullLoadNeeded, not the whole load's figures, which hold the file just written."""

    def refuse(kind: str, key: str):
        raise _FullLoadNeeded

    for books in (figures.days, figures.receivables, figures.accounts, figures.activity_expenses):
        if isinstance(books, _LazyBooks):
            books._fallback = refuse


def record_written(coop: Cooperative, rel: str, raw: bytes, booked: list, figures: LedgerFigures) -> None:
    """After coopctl wrote the file ``rel`` (bytes ``raw``) and verified it alone against the ledger this
    process found the cache describing (``cached_figures``, just before; a sealed close): the index with it,
    its figures added to the merged figures (sums: adding the new file's to the merged figures equals
    merging every file's). The figures ``cached_figures`` returned ARE those merged figures, changed in place:
    the caller must be done with them. The next command then finds the cache describing the ledger.
    Nothing known of this ledger in this process, or anything unexpected: ``cached_figures`` with the file
    vouched for (it merges every file's figures again)."""

    from coopctl.adapter.ledger import add_figures

    sha = hashlib.sha256(raw).hexdigest()
    folder = cache_dir(coop)
    known = _DESCRIBED.pop(str(folder), None)
    try:
        if known is None or not _private_folder(folder) or not _private_folder(folder / FILES):
            raise _FullLoadNeeded
        index, merged = known
        if rel in index["files"] or (coop.root.resolve() / rel).read_bytes() != raw:
            raise _FullLoadNeeded
        _without_fallback(merged)
        opened = dict(index["opened"])
        _add_opens(opened, booked, rel)
        _write_json(_file_figures(folder, sha), file_json(figures))
        files = {
            **index["files"],
            rel: {"sha": sha, "includes": [], "stat": _stat_key(coop.root.resolve() / rel)},
        }
        add_figures(merged, figures)  # in place: the caller is done with them (see above)
        _write_index(folder, {**index, "files": files, "opened": opened}, merged)
    except (_FullLoadNeeded, OSError, ValueError, KeyError, TypeError):
        cached_figures(coop, vouched={rel: (sha, booked, figures)})


# --------------------------------------------------------------------------- proven openings


def _proofs_path(coop: Cooperative) -> Path:
    return cache_dir(coop) / "proven-openings.json"


def remember_proven_opening(coop: Cooperative, year: int, opening: bytes) -> None:
    """Remember that what a load of ``year`` alone trusts (``openings/YEAR.beancount`` and the earlier years'
    surplus splits: ``opening``, their bytes) was proven by a whole load: written by close-year, or recomputed
    byte for byte by ``check``/``close-month``. Only then may close-month read the year alone (a hash in the
    repository proves nothing: anyone can recompute it)."""
    if not enabled() or not _private_folder(cache_dir(coop)):
        return
    path = _proofs_path(coop)
    try:
        known = json.loads(_read_sealed(path))
    except (_Untrusted, ValueError, OSError):
        known = {}
    try:
        known[str(year)] = _proof(coop, year, opening)
        _write_sealed(path, json.dumps(known, sort_keys=True).encode())
    except OSError:
        pass  # an optimisation only: the next close loads the whole ledger


def proven_opening(coop: Cooperative, year: int, opening: bytes) -> bool:
    """Whether these bytes of ``openings/YEAR.beancount`` were proven by a whole load on this machine."""
    if not enabled() or not _trusted_folder(cache_dir(coop)):
        return False
    try:
        known = json.loads(_read_sealed(_proofs_path(coop)))
        return isinstance(known, dict) and known.get(str(year)) == _proof(coop, year, opening)
    except (_Untrusted, ValueError, OSError):
        return False


def _proof(coop: Cooperative, year: int, opening: bytes) -> str:
    """What a proof of ``year``'s opening is bound to: its bytes, and the config the earlier years' closings
    were proven under. A load of the year alone does not see the earlier years' closings, which the whole
    load recomputes under the config in force now: a config edit that changes one of them (a rate or a
    member's pay in force in an earlier month, an activity, the currency) makes the whole load refuse the
    ledger, so the year alone must not be loaded (nor sealed) until a whole load proves it again. Bound to
    ``coop.yaml`` and ``activities.yaml`` (``figures_key``; the year's close and opening depend on them) and
    to the config digest of every earlier closed month (the members' pay in force then): a member added since,
    or a rate from the current year, leaves the proof standing."""
    from coopctl.adapter.fingerprint import config_digest
    from coopctl.adapter.ownfiles import MONTH_CLOSE, on_disk

    own, _strangers = on_disk(coop.ledger_path.parent)
    months = sorted(
        kind.month
        for kind in own.values()
        if kind.kind == MONTH_CLOSE and kind.month is not None and kind.month.year < year
    )
    digest = hashlib.sha256(opening)
    digest.update(b"\0" + figures_key(coop).encode())
    for month in months:
        digest.update(f"\0{month} {config_digest(coop, month)}".encode())
    return digest.hexdigest()


def store_year_load(
    coop: Cooperative, books: Books, per_file: dict[str, LedgerFigures] | None = None
) -> bool:
    """After a clean year-scoped load (``books.year``): the cache as the whole load would record it, without
    reading the earlier years. Their files were hashed by the load (``LoadedLedger.skipped``) and are taken
    from an index this cache wrote before, when it knows each of them by the same SHA-256 (its include
    patterns, its ``open`` directives and its own figures in ``files/``), under the same currency, ledger and
    activities (``figures_key``). The year's files are recorded from this load, each file's figures extracted
    from its own booked entries as the whole load extracts them; the opening (``openings/YEAR.beancount``,
    which the whole ledger does not include) is left out. The merged figures are then every file's, as the
    whole load's.

    Only where that is the whole load's result by construction: no plugin, no ``pad`` and no lot in the year
    (their booking depends on the earlier years' entries), no ``document``; the earlier files include
    nothing, and the index that knew them had no ``balance``, ``pad``, ``close`` or lot (``incremental``):
    nothing of theirs constrains the year's entries beyond the ``open`` directives, checked here (an account
    opened in an earlier year and again in this one: the whole load refuses it, so nothing is recorded), and
    ``commodity`` declarations (none in the year: a second one is refused by the whole load). Every other
    check of the whole load is one file's or one entry's, and the year's load ran it on the year's files.
    ``per_file``: each file's figures as the load extracted them (else extracted here).
    Otherwise nothing is written (False), and the cache stays as it was."""
    if not enabled() or books.year is None or coop.coop.ledger_plugins:
        return False
    from beancount.core import data

    from coopctl.adapter.ledger import extract_by_file, merge_figures, opening_path

    ledger = books.ledger
    if ledger.options.get("documents") or any(
        # a commodity declared in the year: the whole load refuses a second declaration in an earlier year
        isinstance(e, (data.Document, data.Pad, data.Commodity))
        or (isinstance(e, data.Transaction) and _has_cost(e))
        for e in ledger.entries
    ):
        return False
    try:
        folder = cache_dir(coop)
        if not (_trusted_folder(folder) and _trusted_folder(folder / "files")):
            return False
        old = json.loads(_read_sealed(folder / "index.json"))
        if old.get("format") != FORMAT or old.get("incremental") is not True:
            return False
        if old.get("figures_config") != figures_key(coop) and old.get("config") != config_key(coop):
            return False
        opening = _rel(coop, str(opening_path(coop, books.year)))
        files = {
            _rel(coop, name): {
                "sha": sha,
                "includes": ledger.includes.get(name, []),
                "stat": _stat_key(Path(name)),
            }
            for name, sha in ledger.digests.items()
        }
        earlier: dict[str, str] = {}
        for name, sha in ledger.skipped.items():
            rel = _rel(coop, name)
            known = old["files"].get(rel)
            if not known or known["sha"] != sha or known["includes"] or not _ours(_file_figures(folder, sha)):
                return False
            files[rel] = {"sha": sha, "includes": [], "stat": _stat_key(Path(name))}
            earlier[rel] = sha
        if per_file is None:
            per_file, problems = extract_by_file(coop, ledger.entries)
            if problems:
                return False
        elif len(books.problems) > len(ledger.problems):
            return False  # the figures' problems (an unknown activity...)
        per_file = {rel: figures for rel, figures in per_file.items() if rel != opening}
        if not set(per_file) <= set(files):
            return False
        opened: dict[str, list] = {}
        relative: dict[str, str] = {}
        incremental = True
        for entry in ledger.entries:
            if isinstance(entry, (data.Balance, data.Close)):
                incremental = False  # as the whole load records it (the earlier years had none)
            if isinstance(entry, data.Open) and entry.meta and entry.meta.get("filename"):
                rel = _rel_once(coop, entry.meta["filename"], relative)
                if rel != opening:
                    opened[entry.account] = list(_open_record(entry, rel))
        for account, info in old["opened"].items():
            if info[3] in earlier:
                if account in opened:
                    return False  # opened in an earlier year and again: the whole load refuses it
                opened[account] = info
        parts = []
        for rel, info in files.items():
            if rel in earlier:
                stored = _file_figures(folder, str(info["sha"]))
                parts.append(
                    figures_from_json(json.loads(_read_sealed(stored)), None, _set_aside_file(stored))
                )
            else:
                parts.append(per_file.get(rel, LedgerFigures()))
        merged = merge_figures(parts)
        recorded = {rel: info for rel, info in files.items() if rel not in earlier}
        _record_load(coop, folder, ledger, files, per_file, incremental, opened, merged, recorded)
    except (_FullLoadNeeded, OSError, ValueError, KeyError, TypeError, IndexError, ArithmeticError):
        return False  # an optimisation only: the cache stays as it was, the next command loads in full
    return True


def knows_earlier_years(coop: Cooperative, year: int) -> bool:
    """Whether this cache has an index that may let a load of ``year`` alone be recorded
    (``store_year_load``): one of this format, under the same currency, ledger and activities, that knows
    files of earlier years. Without one, a close loads the whole ledger once and records it (the closes
    after it plan from the seal) rather than the year alone, which would leave the next close to load the
    year again."""
    from coopctl.adapter.ledger import file_year

    if not enabled():
        return True  # nothing is recorded anyway: the year alone is the cheapest load
    try:
        index = json.loads(_read_sealed(cache_dir(coop) / "index.json"))
        if index.get("format") != FORMAT:
            return False
        if index.get("figures_config") != figures_key(coop) and index.get("config") != config_key(coop):
            return False
        root, ledger_dir = coop.root.resolve(), coop.ledger_path.parent.resolve()
        for rel in index["files"]:
            path = root / rel
            if path.is_relative_to(ledger_dir):
                found = file_year(path.relative_to(ledger_dir))
                if found is not None and found < year:
                    return True
    except (_Untrusted, OSError, ValueError, KeyError, TypeError, AttributeError):
        return False
    return False


def load_books_filling_cache(coop: Cooperative, year: int | None = None) -> Books:
    """The whole ledger through Beancount (every check), recorded for the read-only commands when clean.

    With ``year``: that year alone when ``ledger.load_books`` would load it alone (``Books.year`` set),
    recorded as the whole ledger's state when the cache can know the earlier years without reading them
    (``store_year_load``); else the whole load."""
    from coopctl.adapter.ledger import load_books_by_file

    if year is not None:
        from coopctl.adapter.ledger import Books, extract_by_file, load_ledger_safely, merge_figures

        scoped = load_ledger_safely(coop, year)
        if scoped is not None:
            # each file's figures, merged: what load_books_by_file does for the whole ledger (one extraction)
            per_file, problems = extract_by_file(coop, scoped.entries)
            figures = merge_figures(list(per_file.values()))
            books = Books(coop, scoped, figures, scoped.problems + problems, year)
            if not any(p.severity == "error" for p in books.problems):
                store_year_load(coop, books, per_file)
            return books

    books, per_file = load_books_by_file(coop)
    if not any(p.severity == "error" for p in books.problems):
        from beancount.core import data

        from coopctl.adapter import progress

        transactions = sum(1 for e in books.ledger.entries if type(e) is data.Transaction)
        progress.advance("cache", len(books.ledger.digests), transactions)
        store_full_load(coop, books.ledger, per_file, books.figures)
    return books
