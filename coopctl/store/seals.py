"""Sealed month states: what a whole load proved about the closed months, so that a close need not prove it
again while nothing it depends on changed.

A seal is written on this machine only after a whole load proved every closing (``check`` clean, or
``close-month`` once ``verify_closings`` found nothing; after a close, with the file it wrote): the config's
digest, the last closed month, the SHA-256 of every file the load read, which of them hold nothing dated
in a closed month ("open-month files"), and the SHA-256 of every file under ``closing/`` and ``openings/``.
It lives in the cache (JSON, owner-only, checksummed; never pickle) and proves nothing anywhere else: a
hash in the repository could be recomputed by anyone. After ``close-year``, a close may load its year
alone (``app.commands._scope_year``: only when a whole load on this machine proved the opening under the
same config, ``cache.proven_opening``); such a load seals too, the earlier years' files by the SHA-256 it
checked against close-year's seal, as files of the closed months (any edit of them breaks the seal).

``broken(coop, last_closed)`` says why a seal cannot be trusted now, or None when it holds: the same
config, the same last closed month, the same ``closing/`` and ``openings/`` files, every sealed file
unchanged, or an open-month file then whose new bytes still hold nothing dated in a closed month (parsed
to see), and any new file likewise. Then the closed months, their closings and the year openings are
byte for byte those proven, and only the open months' entries can differ. ``why`` says the same as a coded
warning (``check`` words it). The seal also keeps each file's first and last entry dates, so that a writing
close knows which files may hold the month it closes (``app.sealed.sealed_close``), and ``extend`` carries
the seal to the month such a close has just closed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from coopctl.domain.months import Month
from coopctl.domain.problems import N_, Problem
from coopctl.store import cache

if TYPE_CHECKING:
    from coopctl.adapter.ledger import Books
    from coopctl.domain.cooperative import Cooperative

SEAL = "month-seal.json"
FORMAT = 2  # 2: each file's first and last entry dates (what a writing close reads again)


def _path(coop: Cooperative) -> Path:
    return cache.cache_dir(coop) / SEAL


def _rel(coop: Cooperative, name: str | Path) -> str:
    return str(Path(name).resolve().relative_to(coop.root.resolve()))


def _own_files(coop: Cooperative) -> dict[str, str]:
    """Every file under ``closing/`` and ``openings/``, by SHA-256."""
    ledger_dir = coop.ledger_path.parent
    found = {}
    for folder in (ledger_dir / "closing", ledger_dir / "openings"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    found[_rel(coop, path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def _strangers(coop: Cooperative) -> bool:
    """Whether a file under ``closing/`` or ``openings/`` is not one coopctl writes."""
    from coopctl.adapter.ownfiles import on_disk

    return bool(on_disk(coop.ledger_path.parent)[1])


OWN_SEEN = "own_files_seen"  # on the Cooperative: ``snapshot``


def snapshot(coop: Cooperative) -> None:
    """Before a whole load that may seal: every file under ``closing/`` and ``openings/`` as this command
    found them, which the seal records (``seal``); one saved during the command was not proven by it."""
    if cache.enabled():
        coop.__dict__[OWN_SEEN] = _own_files(coop)


def _own_sealed(coop: Cooperative, files: dict[str, str]) -> dict[str, str]:
    """The files under ``closing/`` and ``openings/`` a seal records: as ``snapshot`` found them, and those
    the load read since (a closing the command wrote, with the bytes the load read); without a snapshot,
    as they are now."""
    seen = coop.__dict__.get(OWN_SEEN)
    if seen is None:
        return _own_files(coop)
    own = dict(seen)
    ledger_dir = coop.ledger_path.parent
    folders = tuple(_rel(coop, ledger_dir / name) + "/" for name in ("closing", "openings"))
    for rel, sha in files.items():
        if rel.startswith(folders) and rel not in own:
            own[rel] = sha
    return own


def _date_ranges(coop: Cooperative, entries: list) -> dict[str, tuple[int, int]]:
    """Each file's earliest and latest entry (ordinal days)."""
    by_name: dict[str, tuple[int, int]] = {}
    for entry in entries:
        name = entry.meta.get("filename") if entry.meta else None
        if not name:
            continue
        day = entry.date.toordinal()
        low, high = by_name.get(name, (day, day))
        by_name[name] = (min(low, day), max(high, day))
    ranges: dict[str, tuple[int, int]] = {}
    for name, (low, high) in by_name.items():  # each file's path resolved once, not once an entry
        if not name.startswith("<"):
            rel = _rel(coop, name)
            known = ranges.get(rel, (low, high))
            ranges[rel] = (min(low, known[0]), max(high, known[1]))
    return ranges


def _document(
    coop: Cooperative,
    last_closed: Month,
    files: dict[str, str],
    ranges: dict[str, tuple[int, int]],
    own: dict[str, str],
) -> dict:
    last_day = last_closed.last_day.toordinal()
    return {
        "format": FORMAT,
        "config": cache.config_key(coop),
        "last_closed": str(last_closed),
        "files": files,
        "open_month_files": sorted(rel for rel in files if ranges.get(rel, (last_day + 1, 0))[0] > last_day),
        "ranges": {rel: list(ranges[rel]) for rel in sorted(files) if rel in ranges},
        "own": own,
    }


def seal(
    coop: Cooperative, books: Books, last_closed: Month | None, written: dict[str, bytes] | None = None
) -> None:
    """Record what this whole, proven load read (``books``), closed up to ``last_closed``; ``written``: the
    files a close has just written since (relative path -> bytes), part of the sealed state.

    A year-scoped load (``books.year``, after ``close-year``) read its year alone: the earlier years' files
    are proven by close-year's seal (their SHA-256, checked by the load) and by a whole load on this machine
    (``proven_opening``, which the close requires before it loads a year alone). They are sealed too, by the
    SHA-256 the load checked, as files of the closed months: any edit of them breaks the seal. The year's
    opening (``openings/YEAR.beancount``) is not a ledger file; it is sealed with ``closing/`` and
    ``openings/`` (``_own_files``)."""
    if not cache.enabled() or last_closed is None:
        return
    try:
        if not cache._private_folder(cache.cache_dir(coop)):
            return
        files = {_rel(coop, name): sha for name, sha in books.ledger.digests.items()}
        ranges = _date_ranges(coop, books.ledger.entries)
        if books.year is not None:
            before = datetime.date(books.year, 1, 1).toordinal() - 1
            for name, sha in books.ledger.skipped.items():
                rel = _rel(coop, name)
                files[rel] = sha
                ranges[rel] = (0, before)  # an earlier year's file: in the closed months, never "open-month"
        for rel, raw in (written or {}).items():
            files[rel] = hashlib.sha256(raw).hexdigest()
            day = last_closed.last_day.toordinal()
            ranges[rel] = (0, day)  # a closing file: in the closed months
        doc = _document(coop, last_closed, files, ranges, _own_sealed(coop, files))
        cache._write_sealed(_path(coop), json.dumps(doc, sort_keys=True).encode("utf-8"))
    except (OSError, ValueError):
        pass  # an optimisation only: the next close proves everything again


def forget(coop: Cooperative) -> None:
    try:
        _path(coop).unlink(missing_ok=True)
    except OSError:
        pass


def read(coop: Cooperative) -> dict | None:
    """The seal on this machine (trusted: coopctl's own cache file, its checksum verified), or None."""
    try:
        if not cache.enabled() or not cache._trusted_folder(cache.cache_dir(coop)):
            return None
        doc = json.loads(cache._read_sealed(_path(coop)))
    except (cache._Untrusted, OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _why(code: str, template: str, **params) -> Problem:
    return Problem.of(code, template, severity="warning", **params)


def why(
    coop: Cooperative, last_closed: Month | None, current: dict[str, str] | None = None
) -> Problem | None:
    """Why the closed months cannot be taken as sealed now (a coded warning), or None when they can.
    ``current``: every ledger file's SHA-256 as a whole load just read them (else the cache's index, which
    ``cached_figures`` brought up to date)."""
    if not cache.enabled():
        return _why("seal.cache_disabled", N_("the cache is disabled (COOPCTL_NO_CACHE)"))
    if not cache._trusted_folder(cache.cache_dir(coop)):
        return _why("seal.no_cache", N_("no cache of coopctl's own on this machine"))
    doc = read(coop)
    if doc is None:
        return _why(
            "seal.none",
            N_("no seal on this machine (a whole load proves the closed months and seals them)"),
        )
    try:
        if doc["config"] != cache.config_key(coop):
            return _why("seal.config_changed", N_("the config changed since the seal"))
        if last_closed is None or doc["last_closed"] != str(last_closed):
            return _why(
                "seal.other_month",
                N_("the last closed month is {month}, the seal's {sealed}"),
                month=str(last_closed),
                sealed=str(doc["last_closed"]),
            )
        if _own_files(coop) != doc["own"] or _strangers(coop):
            # (a file not coopctl's there: the whole load refuses it, even one the seal recorded, saved
            # there while a close ran)
            return _why(
                "seal.own_files_changed", N_("a file under closing/ or openings/ changed since the seal")
            )
        if current is None:
            index = json.loads(cache._read_sealed(cache.cache_dir(coop) / "index.json"))
            if index.get("config") != doc["config"]:
                return _why("seal.cache_stale", N_("the cache does not describe the sealed config"))
            current = {rel: info["sha"] for rel, info in index["files"].items()}
        sealed = doc["files"]
        free = set(doc["open_month_files"])
        last_day = Month.parse(doc["last_closed"]).last_day
        for rel, sha in sealed.items():
            if current.get(rel) != sha and rel not in free:
                return _why(
                    "seal.closed_file_changed",
                    N_("{path} changed since the seal and held entries of closed months"),
                    file=rel,
                    path=rel,
                )
        for rel, sha in current.items():
            if sealed.get(rel) != sha and not _only_after(coop.root.resolve() / rel, last_day, sha):
                return _why(
                    "seal.closed_month_entries",
                    N_("{path} now holds entries dated in a closed month"),
                    file=rel,
                    path=rel,
                )
    except (cache._Untrusted, KeyError, TypeError, ValueError, OSError):
        return _why("seal.unreadable", N_("the seal could not be read"))
    return None


def broken(coop: Cooperative, last_closed: Month | None) -> str | None:
    """Why the closed months cannot be taken as sealed now (a sentence), or None when they can."""
    problem = why(coop, last_closed)
    return None if problem is None else problem.message


def extend(
    coop: Cooperative,
    doc: dict,
    month: Month,
    current: dict[str, str],
    ranges: dict[str, tuple[int, int] | None],
    written: dict[str, bytes],
) -> None:
    """After a close planned on the seal ``doc`` (which held) wrote ``written``: the seal of ``month``.
    ``current``: every ledger file's SHA-256 before the close; ``ranges``: the dates of the files read
    again since the seal, None for one without entries (the others keep theirs)."""
    try:
        if not cache._private_folder(cache.cache_dir(coop)):
            return
        known = {rel: (int(low), int(high)) for rel, (low, high) in doc.get("ranges", {}).items()}
        files = dict(current)
        for rel in list(known):
            if rel not in files:
                del known[rel]
        for rel, dates in ranges.items():
            if dates is None:
                known.pop(rel, None)  # read again: no entry in it now
            else:
                known[rel] = dates
        own = dict(doc["own"])  # as the close checked them (``why``), not as they are now
        for rel, raw in written.items():
            files[rel] = own[rel] = hashlib.sha256(raw).hexdigest()
            known[rel] = (0, month.last_day.toordinal())
        new = _document(coop, month, files, known, own)
        cache._write_sealed(_path(coop), json.dumps(new, sort_keys=True).encode("utf-8"))
    except (OSError, ValueError, TypeError, KeyError):
        forget(coop)  # an optimisation only: the next close proves everything again


def _only_after(path: Path, last_day, sha: str = "") -> bool:
    """Whether the file holds nothing dated on or before ``last_day`` (and parses)."""
    from beancount.parser import parser

    known = cache.read_in_this_process(path, sha)  # these bytes, parsed already by this command
    entries, errors, _options = (known[0], known[1], None) if known else parser.parse_file(str(path))
    return not errors and all(entry.date > last_day for entry in entries)
