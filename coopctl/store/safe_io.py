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
import errno
import fcntl
import getpass
import os
import socket
import stat
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

from coopctl.domain.problems import N_, CoopctlError, Problem, UsageError

LOCK_NAME = ".coopctl.lock"

# Fault injection for the crash test: COOPCTL_FAULT_PAUSE=seconds sleeps at every step of a write, so
# that a SIGKILL sent at a random moment can land between any two steps. Zero (no pause) by default.
_FAULT_PAUSE = float(os.environ.get("COOPCTL_FAULT_PAUSE", "0") or 0)


def _step() -> None:
    if _FAULT_PAUSE > 0:
        time.sleep(_FAULT_PAUSE)


class LockHeld(CoopctlError):
    """Another coopctl process is writing this cooperative."""


class UnsafeFile(CoopctlError):
    """A file coopctl would write is not a plain file of its own (a symbolic link, a FIFO, a device...)."""


class WriteFailed(CoopctlError, OSError):
    """A write failed (disk full, file too large, read-only file system, permission denied...).

    Nothing was changed: the temporary file is removed and the target keeps its bytes. It is also an
    ``OSError``, so that callers for whom a failed write is not an error (the caches) keep skipping it.
    """


def _kind(mode: int) -> Problem:
    """What a non-regular file is, in words (a phrase worded where it is shown)."""
    for test, code, word in (
        (stat.S_ISDIR, "kind.folder", N_("a folder")),
        (stat.S_ISLNK, "kind.symlink", N_("a symbolic link")),
        (stat.S_ISFIFO, "kind.fifo", N_("a FIFO (named pipe)")),
        (stat.S_ISCHR, "kind.device", N_("a device")),
        (stat.S_ISBLK, "kind.device", N_("a device")),
        (stat.S_ISSOCK, "kind.socket", N_("a socket")),
    ):
        if test(mode):
            return Problem.of(code, word)
    return Problem.of("kind.other", N_("not a regular file"))


LOCK_REFUSED = N_(
    "{what} where coopctl's lock file should be; coopctl never writes through it: "
    "remove it (a lock file is never committed)"
)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path,
    data: bytes,
    fault_points: bool = False,
    *,
    create_folders: bool = True,
    mode: int | None = None,
) -> None:
    """Replace ``path`` with ``data`` atomically (temporary file, fsync, rename, fsync folder).

    ``fault_points``: a ledger write, where the crash test's pauses apply (COOPCTL_FAULT_PAUSE).
    ``create_folders``: create missing folders (coopctl's own: closing/, openings/, its cache), never for a
    file the user named. ``mode``: the new file's permissions (default: the old file's, else 0666 less umask).
    Any failure (disk full, file too large, read-only, permission denied) raises ``WriteFailed`` naming
    ``path``, with the temporary file removed and ``path`` untouched.
    """
    try:
        _atomic_write(path, data, fault_points, create_folders, mode)
    except WriteFailed:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise WriteFailed.of(
            "write.failed", N_("cannot write ({reason}); nothing was changed"), file=str(path), reason=reason
        ) from None


def _atomic_write(
    path: Path, data: bytes, fault_points: bool, create_folders: bool, mode: int | None
) -> None:
    step = _step if fault_points else (lambda: None)
    folder = path.parent
    if create_folders:
        folder.mkdir(parents=True, exist_ok=True)
    if mode is None:
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


def check_output(path: Path, root: Path, protected: list[Path]) -> None:
    """Refuse, before anything is written, a file named by ``--output``/``--html`` that is not a plain
    file of the user's: one of the cooperative's own files or folders (``protected``: config/, the
    ledger folder, the lock, .git, any ``.beancount`` file in it), a folder, FIFO, device or socket (or
    a symbolic link to one), or a file whose folder is missing (never created silently)."""
    target = Path(os.path.abspath(path))
    parent = target.parent
    if not os.path.lexists(parent):
        raise UsageError.of(
            "write.no_folder",
            N_("cannot write {path}: the folder {parent} does not exist; create it first"),
            path=str(path),
            parent=str(parent),
        )
    if not parent.is_dir():
        raise UsageError.of(
            "write.not_folder",
            N_("cannot write {path}: {parent} is not a folder"),
            path=str(path),
            parent=str(parent),
        )
    try:
        mode = os.stat(target).st_mode  # through a symbolic link: what would be written
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError.of(
            "write.cannot", N_("cannot write {path}: {reason}"), path=str(path), reason=exc.strerror
        ) from None
    if mode is not None and not stat.S_ISREG(mode):
        raise UsageError.of(
            "write.not_regular",
            N_("cannot write {path}: it is {kind}, not a regular file"),
            path=str(path),
            kind=_kind(mode),
        )
    root = root.resolve()
    for candidate in (target, target.resolve()):
        own = candidate.is_relative_to(root) and candidate.suffix == ".beancount"
        if own or any(candidate == p or candidate.is_relative_to(p) for p in protected):
            raise UsageError.of(
                "write.own_file",
                N_(
                    "cannot write {path}: it is one of the cooperative's own files "
                    "(config, ledgers, lock); choose a file outside them"
                ),
                path=str(path),
            )


def read_input(path: Path, limit: int, shown: str, refusal: type[CoopctlError] = UsageError) -> bytes:
    """The bytes of a file the user hands to an import (a statement, a CSV), at most ``limit + 1`` of them
    (the caller refuses a longer file with its own words).

    A FIFO, device, socket or folder (or a symbolic link to one) is refused before any byte is read: a
    FIFO would block the command forever and ``/dev/zero`` never ends. ``O_NONBLOCK`` keeps the open
    itself from waiting on a FIFO's writer. Raises ``OSError`` when the file cannot be opened or read.
    """
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise refusal.of(
                "read.not_regular",
                N_("cannot read {path}: it is {kind}, not a regular file"),
                path=shown,
                kind=_kind(mode),
            )
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


MAX_LEDGER_FILE = 50_000_000  # bytes of one ledger file an import appends to


def read_ledger_file(path: Path, shown: str) -> str:
    """The text of a ledger file an import appends to (``ledgers/bank/2026-10.beancount``), read before the
    ledger includes it: a committed symbolic link to ``/dev/zero`` or a file that is not UTF-8 is one
    refusal naming it (exit 1), never a read without end or a traceback."""
    try:
        raw = read_input(path, MAX_LEDGER_FILE, shown, refusal=UnsafeFile)
    except OSError as exc:
        raise UnsafeFile.of(
            "read.cannot", N_("cannot read {path}: {reason}"), path=shown, reason=exc.strerror or str(exc)
        ) from None
    if len(raw) > MAX_LEDGER_FILE:
        raise UnsafeFile.of(
            "read.too_large", N_("larger than {max} bytes; split the file"), file=shown, max=MAX_LEDGER_FILE
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnsafeFile.of(
            "read.not_utf8",
            N_("not valid UTF-8 (byte {byte}); save the file as UTF-8"),
            file=shown,
            line=raw[: exc.start].count(b"\n") + 1,
            byte=f"0x{raw[exc.start]:02x}",
        ) from None


def remove_file(path: Path) -> None:
    """Remove a file coopctl wrote, durably."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    _fsync_dir(path.parent)


def _open_lock(lock_path: Path) -> int:
    """Open (or create) the lock file: never through a symbolic link, never a FIFO, device, folder or a
    file with other names (a hard link), since the lock is truncated and written."""
    try:
        st = os.lstat(lock_path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise WriteFailed.of(
            "lock.cannot_open", N_("cannot open the lock ({reason})"), file=LOCK_NAME, reason=exc.strerror
        ) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UnsafeFile.of("lock.unsafe", LOCK_REFUSED, file=LOCK_NAME, what=_kind(st.st_mode))
    try:  # no O_TRUNC; O_NONBLOCK: a FIFO swapped in meanwhile must not block the open
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafeFile.of(
                "lock.unsafe",
                LOCK_REFUSED,
                file=LOCK_NAME,
                what=Problem.of("kind.symlink", N_("a symbolic link")),
            ) from None
        raise WriteFailed.of(
            "lock.cannot_open", N_("cannot open the lock ({reason})"), file=LOCK_NAME, reason=exc.strerror
        ) from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        what = (
            _kind(st.st_mode)
            if not stat.S_ISREG(st.st_mode)
            else Problem.of(
                "kind.hard_link", N_("a file with {count} names (a hard link)"), count=st.st_nlink
            )
        )
        raise UnsafeFile.of("lock.unsafe", LOCK_REFUSED, file=LOCK_NAME, what=what)
    return fd


@contextlib.contextmanager
def cooperative_lock(root: Path, command: str) -> Iterator[None]:
    """Hold the cooperative's write lock for the duration of the block."""
    lock_path = root / LOCK_NAME
    fd = _open_lock(lock_path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 500, 0).decode("utf-8", "replace").strip() or "another process"
            raise LockHeld.of(
                "lock.held",
                N_("the cooperative is locked by {holder}; wait for it to finish and try again"),
                file=LOCK_NAME,
                holder=holder,
            ) from None
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        try:
            user = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name is not an error here
            user = "?"
        info = f"pid {os.getpid()} ({user}@{socket.gethostname()}, `{command}`, since {stamp})"
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, info.encode(), 0)
        except OSError as exc:
            raise WriteFailed.of(
                "lock.cannot_write",
                N_("cannot write the lock ({reason}); nothing was changed"),
                file=LOCK_NAME,
                reason=exc.strerror,
            ) from None
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def command_line() -> str:
    return " ".join(["coopctl", *sys.argv[1:]])[:200]
