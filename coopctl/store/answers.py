"""Answers of read-only commands, remembered while neither the config nor any ledger file changed.

A warm ``balance`` or ``report`` is a pure function of the config's bytes, every ledger file's bytes, the
command's arguments, the day and the language. When the cache (``store.cache``) describes the ledger as it
is now, its state is a digest of all of these inputs, and the answer computed for them once is read back
instead of importing Pydantic, Beancount and the computations again.

- The state (``ledger_state``): coopctl's version, the three config files' bytes, and the SHA-256 of every
  file of the include tree, walked again (a new or removed file is seen) by the cache's own rules: a file
  is taken as unchanged by its size, times and inode only when it last changed well before the load that
  recorded it (``cache._unchanged``), otherwise it is hashed. Any difference from the cache's index (or no
  index, another config, an interrupted write to undo): no state, the command computes as before.
- The answers: JSON (never pickle), one file per state and question, owner-only and checksummed like every
  cache file (``cache._read_sealed``); a damaged or foreign one is ignored and computed again. The
  answers of older states are removed when a new one is written.
- An answer is written only when the state was the same before and after computing it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from coopctl import __version__
from coopctl.store import cache, journal
from coopctl.store.paths import cache_folder

CONFIG_FILES = ("coop", "members", "activities")
ANSWERS = "answers"
MAX_ANSWERS = 64  # answers kept for one state of the ledger


def config_digest(root: Path) -> str:
    """The config's digest as the cache keys it (``cache.config_key``), from the files' bytes alone."""
    digest = hashlib.sha256(__version__.encode())
    for name in CONFIG_FILES:
        digest.update((root / "config" / f"{name}.yaml").read_bytes())
    return digest.hexdigest()


def ledger_state(root: Path) -> str | None:
    """A digest of everything a read-only answer depends on in the cooperative's files, or None when the
    cache does not describe them as they are now (then the command computes as usual)."""
    if not cache.enabled():
        return None
    folder = cache_folder(root)
    try:
        if not cache._trusted_folder(folder) or journal.pending(root):
            return None
        config = config_digest(root)
        index = json.loads(cache._read_sealed(folder / "index.json"))
        if index.get("format") != cache.FORMAT or index.get("config") != config:
            return None
        validated = json.loads(cache._read_sealed(folder / "config.json"))  # the config cache: its ledger
        if validated.get("key") != config:
            return None
        main = (root / validated["coop"]["ledger"]).resolve()
        files = _walk(root.resolve(), main, index["files"], index.get("trusted_before_ns", 0))
    except (cache._FullLoadNeeded, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if files is None:
        return None
    payload = json.dumps([config, sorted(files.items())], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _walk(root: Path, main: Path, known: dict, trusted_before_ns: int) -> dict[str, str] | None:
    """Every file of the include tree -> its SHA-256, when each is the one the index records, else None."""
    current: dict[str, str] = {}
    stack = [main]
    while stack:
        path = stack.pop(0)
        rel = str(path.relative_to(root))
        if rel in current:
            continue
        recorded = known.get(rel)
        if recorded is None:
            return None  # a file the index does not know: the cache's own paths read it
        if not cache._unchanged(path, recorded, trusted_before_ns):
            if hashlib.sha256(path.read_bytes()).hexdigest() != recorded["sha"]:
                return None
        current[rel] = recorded["sha"]
        cache._follow(path, recorded["includes"], root, stack)
    if set(current) != set(known):
        return None  # a file no longer reached
    return current


def _name(state: str, question: str) -> str:
    return f"{state[:24]}-{hashlib.sha256(question.encode()).hexdigest()[:24]}.json"


def recall(root: Path, state: str, question: str) -> str | None:
    """The answer remembered for this question on this state, or None."""
    folder = cache_folder(root) / ANSWERS
    try:
        if not cache._trusted_folder(folder):
            return None
        doc = json.loads(cache._read_sealed(folder / _name(state, question)))
    except (cache._Untrusted, OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("state") != state or doc.get("question") != question:
        return None
    answer = doc.get("answer")
    return answer if isinstance(answer, str) else None


def remember(root: Path, state: str, question: str, answer: str) -> None:
    """Keep ``answer`` for this question on this state; forget the answers of other states."""
    folder = cache_folder(root) / ANSWERS
    try:
        if not (cache._private_folder(folder.parent) and cache._private_folder(folder)):
            return
        kept = []
        for old in folder.glob("*.json"):
            if not old.name.startswith(state[:24] + "-"):
                old.unlink(missing_ok=True)
            else:
                kept.append((old.stat().st_mtime_ns, old))
        for _mtime, old in sorted(kept)[: max(0, len(kept) - MAX_ANSWERS + 1)]:
            old.unlink(missing_ok=True)  # the oldest first: many days asked of one ledger
        doc = {"state": state, "question": question, "answer": answer}
        cache._write_sealed(folder / _name(state, question), json.dumps(doc).encode("utf-8"))
    except OSError:
        pass  # an optimisation only


def question_of(*parts: object) -> str:
    """A question's canonical text: the command, its arguments, the day and language it was asked in."""
    return json.dumps([__version__, *[str(part) for part in parts], os.environ.get("COOPCTL_MEMBER", "")])
