"""Reading a cooperative as it was at a git revision, safely.

Revisions are resolved with ``git rev-parse --verify --end-of-options`` (so a
name like ``--output=x`` or ``-x`` is a revision to look up, never an option),
every git call gets its arguments as a list (no shell), and a revision's files
come out of ``git archive`` through Python's tarfile with the ``data`` filter
(no absolute paths, no links out of the folder, no devices).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path

from coopctl.domain.problems import CoopctlError, UsageError


def _git(root: Path, *args: str, binary: bool = False) -> bytes | str:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise CoopctlError.one("git is not installed") from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CoopctlError.one(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return proc.stdout if binary else proc.stdout.decode("utf-8", "replace")


def toplevel(root: Path) -> Path | None:
    try:
        return Path(str(_git(root, "rev-parse", "--show-toplevel")).strip())
    except CoopctlError:
        return None


def resolve(root: Path, revision: str) -> str:
    """The commit id of ``revision``; a usage error when git does not know it."""
    try:
        return str(
            _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
        ).strip()
    except CoopctlError:
        raise UsageError.one(f"unknown git revision {revision!r}") from None


def merge_base(root: Path, a: str, b: str) -> str:
    return str(_git(root, "merge-base", "--end-of-options", a, b)).strip()


def export(root: Path, commit: str, destination: Path) -> Path:
    """Write the cooperative's folder as it is at ``commit`` under ``destination``; return its root there."""
    top = toplevel(root)
    if top is None:
        raise CoopctlError.one(f"{root} is not in a git repository")
    prefix = root.resolve().relative_to(top.resolve())
    args = ["archive", "--format=tar", commit]
    if str(prefix) != ".":
        args += ["--", str(prefix)]
    data = _git(top, *args, binary=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:  # type: ignore[arg-type]
        archive.extractall(destination, filter="data")
    exported = destination / prefix
    if not (exported / "config" / "coop.yaml").is_file():
        raise CoopctlError.one(f"no cooperative at {prefix} in revision {commit[:12]}")
    return exported
