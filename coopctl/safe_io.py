"""Crash-safe writing: atomic file replacement and the cooperative's lock.

``atomic_write`` writes to a temporary file in the same folder, flushes and
fsyncs it, renames it over the target and fsyncs the folder, so a reader sees
the old bytes or the new ones, never a mix. ``cooperative_lock`` takes an
exclusive ``fcntl`` lock on ``<root>/.coopctl.lock``; a second writer fails at
once with a message naming the holder (process, user, host, command, time).
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import getpass
import os
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

from .errors import CoopctlError

LOCK_NAME = ".coopctl.lock"

# Fault injection for the crash test: COOPCTL_FAULT_PAUSE=seconds sleeps at every step of a write, so
# that a SIGKILL sent at a random moment can land between any two steps. Zero (no pause) by default.
_FAULT_PAUSE = float(os.environ.get("COOPCTL_FAULT_PAUSE", "0") or 0)


def _step() -> None:
    if _FAULT_PAUSE > 0:
        time.sleep(_FAULT_PAUSE)


class LockHeld(CoopctlError):
    """Another coopctl process is writing this cooperative."""


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, fault_points: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file, fsync, rename, fsync folder).

    ``fault_points``: a ledger write, where the crash test's pauses apply (COOPCTL_FAULT_PAUSE).
    """
    step = _step if fault_points else (lambda: None)
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            step()
            half = len(data) // 2
            handle.write(data[:half])
            handle.flush()
            step()
            handle.write(data[half:])
            handle.flush()
            os.fsync(handle.fileno())
        step()
        if mode is not None:
            os.chmod(temp, mode)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, path)
        step()
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_dir(folder)
    step()


def remove_file(path: Path) -> None:
    """Remove a file coopctl wrote, durably."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _fsync_dir(path.parent)


@contextlib.contextmanager
def cooperative_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the cooperative's write lock for the duration of the block."""
    lock_path = root / LOCK_NAME
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another process"
            raise LockHeld.one(f"the cooperative is locked by {holder}; wait for it to finish and try again", LOCK_NAME) from None
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name is not an error here
            user = "?"
        info = f"pid {os.getpid()} ({user}@{socket.gethostname()}, `{command}`, since {stamp})"
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def command_line() -> str:
    return " ".join(["coopctl", *sys.argv[1:]])[:200]
