"""Writes of several files that land together or not at all: a write-ahead journal.

``close-month``, ``close-year``, ``reopen`` and the surplus each change several files (a closing file, an
opening, a new month file, the main ledger's includes). ``write_group`` first records, in a journal, every
file's bytes before the change and a digest of its bytes after; then it writes the files one by one
(each atomically), runs the caller's verification (the ledger must load cleanly), and only then deletes
the journal. If the process dies anywhere in between, the journal is still there, and the next coopctl
command, whatever it is, puts every file back as it was before (``recover``) before it reads anything:
the group is wholly applied or wholly undone.

The journal lives outside the cooperative's folder (``$XDG_STATE_HOME/coopctl``, or
``COOPCTL_STATE_DIR``), owner-only, one file per cooperative: a journal in the repository could be
committed by anyone and would let them choose what "restoring" writes. Recovery restores a file only
when its current bytes are exactly those the interrupted write could have left (before or after); any
other content means someone edited it since, and recovery stops with one line saying what to do.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from coopctl.domain.problems import N_, CoopctlError, Problem
from coopctl.store.safe_io import _step, atomic_write, remove_file

JOURNAL_VERSION = 1


class JournalError(CoopctlError):
    """An interrupted write cannot be undone safely."""


def state_folder() -> Path:
    base = os.environ.get("COOPCTL_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state"),
        "coopctl",
    )
    return Path(base)


def journal_path(root: Path) -> Path:
    return state_folder() / f"journal-{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]}.json"


def _sha(raw: bytes | None) -> str | None:
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Change:
    """One file of a group: its new bytes, or None to remove it."""

    path: Path
    after: bytes | None


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    info = folder.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise JournalError.of(
            "journal.folder_not_private",
            N_(
                "{folder} is not private to this user (owner or group/other write bits); "
                "coopctl keeps its write journal there: fix its permissions"
            ),
            folder=str(folder),
        )


def write_group(
    root: Path,
    changes: list[Change],
    verify: Callable[[], None] | None = None,
    new_folders: tuple[Path, ...] = (),
) -> None:
    """Apply ``changes`` as one group: journal, write each file, ``verify()``, then forget the journal.

    Any exception (from a write or from ``verify``) undoes the whole group before it propagates. The
    caller holds the cooperative's lock. ``new_folders``: folders the group creates (removed on undo
    when left empty).
    """
    root = root.resolve()
    for change in [*changes, *(Change(folder, None) for folder in new_folders)]:
        where = change.path.resolve()
        if not where.is_relative_to(root):
            raise JournalError.of(
                "journal.outside",
                N_(
                    "{path} resolves to {where}, outside the cooperative's folder (through a "
                    "symbolic link?): coopctl writes only inside it; replace the link by a folder"
                ),
                path=str(change.path),
                where=str(where),
            )
    new_folders = tuple(
        folder for folder in new_folders if not folder.exists()
    )  # only these are removed on undo
    befores = [(change.path, _read(change.path)) for change in changes]
    record = {
        "version": JOURNAL_VERSION,
        "root": str(root),
        "folders": [str(folder.resolve().relative_to(root)) for folder in new_folders],
        "files": [
            {
                "path": str(change.path.resolve().relative_to(root)),
                "before": None if before is None else base64.b64encode(before).decode("ascii"),
                "after": _sha(change.after),
            }
            for change, (_, before) in zip(changes, befores)
        ],
    }
    path = journal_path(root)
    _private_folder(path.parent)
    if path.exists():
        raise JournalError.of(
            "journal.pending",
            N_("an interrupted write is waiting to be undone ({path}); run coopctl check first"),
            path=str(path),
        )
    atomic_write(path, json.dumps(record).encode("utf-8"), fault_points=True)
    try:
        for folder in new_folders:
            folder.mkdir(parents=True, exist_ok=True)
        for change in changes:
            if change.after is None:
                remove_file(change.path)
                _step()
            else:
                atomic_write(change.path, change.after, fault_points=True)
        if verify is not None:
            verify()
    except BaseException:
        _undo(root, record)
        remove_file(path)
        raise
    remove_file(path)
    _step()


def _undo(root: Path, record: dict) -> list[Path]:
    """Put every file of the group back as it was; remove the folders the group created if empty."""
    restored = []
    for item in reversed(record["files"]):
        path = root / item["path"]
        before = None if item["before"] is None else base64.b64decode(item["before"])
        if _read(path) == before:
            continue
        if before is None:
            remove_file(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, before, fault_points=True)
        restored.append(path)
    for item in record["files"]:  # temporary files a killed atomic write left beside the group's files
        path = root / item["path"]
        if path.parent.is_dir():
            for leftover in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
                with contextlib.suppress(OSError):
                    leftover.unlink()
    for name in reversed(record.get("folders", [])):
        folder = root / name
        with contextlib.suppress(OSError):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
    return restored


def _problem(code: str, template: str, **params: Any) -> JournalError:
    return JournalError([Problem.of(code, template, **params)])


def pending(root: Path) -> bool:
    return journal_path(root).exists()


def recover(root: Path) -> list[Path]:
    """Undo the group an interrupted coopctl left half written (the caller holds the lock).

    Returns the files restored (empty when there was nothing to do).
    """
    root = root.resolve()
    path = journal_path(root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    info = path.stat()
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        raise _problem(
            "journal.not_private",
            N_(
                "the write journal {path} is not private to this user; remove it after checking the "
                "ledger by hand"
            ),
            path=str(path),
        )
    try:
        record = json.loads(raw)
        if record.get("version") != JOURNAL_VERSION or record.get("root") != str(root):
            raise ValueError("another version or cooperative")
        files = record["files"]
        for item in files:
            target = (root / item["path"]).resolve()
            if not target.is_relative_to(root):
                raise ValueError("a path outside the cooperative")
    except (ValueError, KeyError, TypeError) as exc:
        raise _problem(
            "journal.unreadable",
            N_(
                "the write journal {path} cannot be read ({reason}); check the ledger "
                "(git status, coopctl check), then remove it"
            ),
            path=str(path),
            reason=str(exc),
        ) from None
    for item in files:
        current = _read(root / item["path"])
        before = None if item["before"] is None else base64.b64decode(item["before"])
        if current != before and _sha(current) != item["after"]:
            raise _problem(
                "journal.changed_since",
                N_(
                    "{path} changed since an interrupted coopctl write, which coopctl must undo first: "
                    "put the file back as it was (git diff shows your edit; git stash or git checkout -- "
                    "{path}), "
                    "run coopctl check to let it undo its write, then make your edit again"
                ),
                path=item["path"],
            )
    restored = _undo(root, record)
    remove_file(path)
    return restored
