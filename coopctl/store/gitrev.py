"""Reading a cooperative as it was at a git revision, safely.

Revisions are resolved with ``git rev-parse --verify --end-of-options`` (so a
name like ``--output=x`` or ``-x`` is a revision to look up, never an option),
every git call gets its arguments as a list (no shell), and a revision's files
come out of git's objects (``ls-tree``, ``cat-file``), never through ``git archive``
(which obeys the revision's own ``.gitattributes``): no absolute paths, no ``..``,
no links out of the folder, no devices.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from coopctl.domain.problems import N_, CoopctlError, UsageError


def _git(root: Path, *args: str, binary: bool = False) -> bytes | str:
    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=120, check=False)
    except FileNotFoundError:
        raise CoopctlError.of("git.missing", N_("git is not installed")) from None
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        if not message:
            raise CoopctlError.of("git.failed", N_("git {command}: failed"), command=args[0])
        # git's own words (in git's language), passed through
        raise CoopctlError.of("git.error", N_("git {command}: {detail}"), command=args[0], detail=message[-1])
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
        raise UsageError.of(
            "git.unknown_revision", N_("unknown git revision {revision}"), revision=repr(revision)
        ) from None


def merge_base(root: Path, a: str, b: str) -> str:
    return str(_git(root, "merge-base", "--end-of-options", a, b)).strip()


def export(root: Path, commit: str, destination: Path) -> Path:
    """Write the cooperative's folder as it is at ``commit`` under ``destination``; return its root there.

    The files come from git's objects themselves (``ls-tree`` and ``cat-file``), not from ``git archive``:
    an archive obeys the revision's own ``.gitattributes`` (``export-ignore`` drops a file, ``export-subst``
    rewrites one), so a pull request could hide a change from its reviewer.
    """
    top = toplevel(root)
    if top is None:
        raise CoopctlError.of("git.no_repository", N_("{root} is not in a git repository"), root=str(root))
    prefix = root.resolve().relative_to(top.resolve())
    args = ["ls-tree", "-r", "-z", "--full-tree", "--end-of-options", commit]
    if str(prefix) != ".":
        args += ["--", str(prefix)]
    listing = _git(top, *args, binary=True)
    assert isinstance(listing, bytes)
    blobs: list[tuple[str, str, str]] = []  # (mode, object id, path)
    for record in listing.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        mode, kind, oid = head.decode("ascii").split(" ")
        path = name.decode("utf-8", "surrogateescape")
        parts = Path(path).parts
        if kind != "blob" or Path(path).is_absolute() or ".." in parts or ".git" in parts:
            continue  # submodules, and names no checkout would write
        blobs.append((mode, oid, path))
    contents = _cat_files(top, [oid for _, oid, _ in blobs])
    base = destination.resolve()
    for mode, oid, path in blobs:
        target = destination / path
        if not target.resolve().is_relative_to(base):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = contents[oid]
        if mode == "120000":  # a symbolic link: kept only when it points inside the exported folder
            link = data.decode("utf-8", "surrogateescape")
            if not Path(link).is_absolute() and (target.parent / link).resolve().is_relative_to(base):
                target.symlink_to(link)
            continue
        target.write_bytes(data)
    exported = destination / prefix
    if not (exported / "config" / "coop.yaml").is_file():
        raise CoopctlError.of(
            "git.no_cooperative",
            N_("no cooperative at {prefix} in revision {commit}"),
            prefix=str(prefix),
            commit=commit[:12],
        )
    return exported


def _cat_files(top: Path, oids: list[str]) -> dict[str, bytes]:
    """The bytes of each blob, in one ``git cat-file --batch`` call."""
    if not oids:
        return {}
    try:
        proc = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=top,
            input="\n".join(oids).encode() + b"\n",
            capture_output=True,
            timeout=300,
            check=False,
        )
    except FileNotFoundError:
        raise CoopctlError.of("git.missing", N_("git is not installed")) from None
    if proc.returncode != 0:
        raise CoopctlError.of("git.failed", N_("git {command}: failed"), command="cat-file")
    out, position, found = proc.stdout, 0, {}
    while position < len(out):
        end = out.index(b"\n", position)
        oid, kind, size = out[position:end].decode("ascii").split(" ")
        start = end + 1
        found[oid] = out[start : start + int(size)]
        position = start + int(size) + 1
    return found
