"""Sealed month states: what a whole load proved about the closed months, so that a close need not prove it
again while nothing it depends on changed.

A seal is written on this machine only after a whole load proved every closing (``check`` clean, or
``close-month`` once ``verify_closings`` found nothing; after a close, with the file it wrote): the config's
digest, the last closed month, the SHA-256 of every file the load read, which of them hold nothing dated
in a closed month ("open-month files"), and the SHA-256 of every file under ``closing/`` and ``openings/``.
It lives in the cache (JSON, owner-only, checksummed; never pickle) and proves nothing anywhere else: a
hash in the repository could be recomputed by anyone.

``broken(coop, last_closed)`` says why a seal cannot be trusted now, or None when it holds: the same
config, the same last closed month, the same ``closing/`` and ``openings/`` files, every sealed file
unchanged, or an open-month file then whose new bytes still hold nothing dated in a closed month (parsed
to see), and any new file likewise. Then the closed months, their closings and the year openings are
byte for byte those proven, and only the open months' entries can differ.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from coopctl.domain.months import Month
from coopctl.store import cache

if TYPE_CHECKING:
    from coopctl.adapter.ledger import Books
    from coopctl.domain.cooperative import Cooperative

SEAL = "month-seal.json"


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


def _first_dates(coop: Cooperative, entries: list) -> dict[str, int]:
    """Each file's earliest entry (ordinal day)."""
    by_name: dict[str, int] = {}
    for entry in entries:
        name = entry.meta.get("filename") if entry.meta else None
        if not name:
            continue
        day = entry.date.toordinal()
        if day < by_name.get(name, day + 1):
            by_name[name] = day
    first: dict[str, int] = {}
    for name, day in by_name.items():  # each file's path resolved once, not once an entry
        if not name.startswith("<"):
            rel = _rel(coop, name)
            first[rel] = min(day, first.get(rel, day))
    return first


def seal(
    coop: Cooperative, books: Books, last_closed: Month | None, written: dict[str, bytes] | None = None
) -> None:
    """Record what this whole, proven load read (``books``), closed up to ``last_closed``; ``written``: the
    files a close has just written since (relative path -> bytes), part of the sealed state."""
    if not cache.enabled() or books.year is not None or last_closed is None:
        return  # a year-scoped load did not read the earlier years: nothing to seal from it
    try:
        if not cache._private_folder(cache.cache_dir(coop)):
            return
        files = {_rel(coop, name): sha for name, sha in books.ledger.digests.items()}
        first = _first_dates(coop, books.ledger.entries)
        for rel, raw in (written or {}).items():
            files[rel] = hashlib.sha256(raw).hexdigest()
            first[rel] = 0  # a closing file: in the closed months
        last_day = last_closed.last_day.toordinal()
        doc = {
            "config": cache.config_key(coop),
            "last_closed": str(last_closed),
            "files": files,
            "open_month_files": sorted(rel for rel in files if first.get(rel, last_day + 1) > last_day),
            "own": _own_files(coop),
        }
        cache._write_sealed(_path(coop), json.dumps(doc, sort_keys=True).encode("utf-8"))
    except (OSError, ValueError):
        pass  # an optimisation only: the next close proves everything again


def forget(coop: Cooperative) -> None:
    try:
        _path(coop).unlink(missing_ok=True)
    except OSError:
        pass


def broken(coop: Cooperative, last_closed: Month | None) -> str | None:
    """Why the closed months cannot be taken as sealed now (a sentence), or None when they can."""
    if not cache.enabled():
        return "the cache is disabled"
    try:
        if not cache._trusted_folder(cache.cache_dir(coop)):
            return "no cache of coopctl's own"
        doc = json.loads(cache._read_sealed(_path(coop)))
    except (cache._Untrusted, OSError, ValueError):
        return "no seal on this machine (a whole load proves the closed months and seals them)"
    try:
        if doc["config"] != cache.config_key(coop):
            return "the config changed since the seal"
        if last_closed is None or doc["last_closed"] != str(last_closed):
            return f"the last closed month is {last_closed}, the seal's {doc['last_closed']}"
        if _own_files(coop) != doc["own"]:
            return "a file under closing/ or openings/ changed since the seal"
        index = json.loads(cache._read_sealed(cache.cache_dir(coop) / "index.json"))
        if index.get("config") != doc["config"]:
            return "the cache does not describe the sealed config"
        current = {rel: info["sha"] for rel, info in index["files"].items()}
        sealed = doc["files"]
        free = set(doc["open_month_files"])
        last_day = Month.parse(doc["last_closed"]).last_day
        for rel, sha in sealed.items():
            if current.get(rel) != sha and rel not in free:
                return f"{rel} changed since the seal and held entries of closed months"
        for rel, sha in current.items():
            if sealed.get(rel) != sha and not _only_after(coop.root / rel, last_day):
                return f"{rel} now holds entries dated in a closed month"
    except (KeyError, TypeError, ValueError, OSError):
        return "the seal could not be read"
    return None


def _only_after(path: Path, last_day) -> bool:
    """Whether the file holds nothing dated on or before ``last_day`` (and parses)."""
    from beancount.parser import parser

    entries, errors, _options = parser.parse_file(str(path))
    return not errors and all(entry.date > last_day for entry in entries)
