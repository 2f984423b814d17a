"""Issue 14, hostile input: files and paths (h2).

The lock file never follows a symbolic link nor opens anything but a plain file of its own; ``--output``
and ``--html`` never write over the cooperative's own files nor into a FIFO, a device or a folder, and
never create a missing folder; a write that fails (disk full, file too large, read-only file system,
permission denied) is one line naming the file, exit 1, with the target untouched and no temporary file
left. The failures are real: a file-size limit (RLIMIT_FSIZE), /dev/full, a full or read-only tmpfs
(where the machine lets us mount one), root without its permission override.
"""

from __future__ import annotations

import ctypes
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, run_cli, snapshot, write_coop


@pytest.fixture
def closed(tmp_path: Path) -> Path:
    """The worked example with 2026-10 closed (payroll needs a closed month)."""
    folder = write_coop(tmp_path / "coop")
    assert run_cli(folder, "close-month", "2026-10").exit_code == 0
    return folder


def one_error_line(run, *needles: str) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# --------------------------------------------------------------------------- the lock


def _symlink_to_victim(folder: Path) -> Path:
    victim = folder.parent / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (folder / ".coopctl.lock").symlink_to(victim)
    return victim


def _dangling_symlink(folder: Path) -> Path:
    outside = folder.parent / "created-outside.txt"
    (folder / ".coopctl.lock").symlink_to(outside)
    return outside


def _hard_link_to_ledger(folder: Path) -> Path:
    os.link(folder / "ledgers" / "main.beancount", folder / ".coopctl.lock")
    return folder / "ledgers" / "main.beancount"


LOCK_TRAPS = {
    "symlink to a file outside": (_symlink_to_victim, "a symbolic link"),
    "dangling symlink": (_dangling_symlink, "a symbolic link"),
    "fifo": (lambda folder: os.mkfifo(folder / ".coopctl.lock"), "a FIFO"),
    "folder": (lambda folder: (folder / ".coopctl.lock").mkdir(), "a folder"),
    "hard link to the ledger": (_hard_link_to_ledger, "hard link"),
}


@pytest.mark.parametrize("trap", list(LOCK_TRAPS))
def test_the_lock_is_never_a_link_a_fifo_or_a_folder(trap, tmp_path):
    folder = write_coop(tmp_path / "coop")
    make, words = LOCK_TRAPS[trap]
    victim = make(folder)
    victim_before = victim.read_bytes() if isinstance(victim, Path) and victim.exists() else None
    before = snapshot(folder)
    run = run_cli(folder, "close-month", "2026-10")
    assert run.exit_code == 1, run.stderr
    one_error_line(run, ".coopctl.lock", words)
    assert snapshot(folder) == before, "nothing written"
    if victim_before is not None:
        assert victim.read_bytes() == victim_before, "the link's target was not touched"
    elif isinstance(victim, Path):
        assert not victim.exists(), "nothing created through the link"


def test_a_plain_lock_file_still_works(tmp_path):
    folder = write_coop(tmp_path / "coop")
    (folder / ".coopctl.lock").write_text("left by an old run\n", encoding="utf-8")
    assert run_cli(folder, "close-month", "2026-10").exit_code == 0


# --------------------------------------------------------------------------- --output and --html


def _targets(folder: Path, tmp: Path) -> dict[str, str]:
    link = tmp / "innocent.csv"
    link.symlink_to(folder / "config" / "members.yaml")
    return {
        "config file": str(folder / "config" / "coop.yaml"),
        "ledger file": str(folder / "ledgers" / "main.beancount"),
        "new file in the ledger folder": str(folder / "ledgers" / "paie.csv"),
        "new file in config": str(folder / "config" / "paie.csv"),
        "the lock": str(folder / ".coopctl.lock"),
        "a symlink to config": str(link),
        "a beancount file": str(folder / "extra.beancount"),
    }


@pytest.mark.parametrize("option", ["payroll", "statement"])
def test_an_output_never_replaces_the_cooperatives_own_files(option, closed, tmp_path):
    before = snapshot(closed)
    for what, target in _targets(closed, tmp_path).items():
        args = (
            ["payroll", "2026-10", "--output", target]
            if option == "payroll"
            else ["statement", "alice", "--year", "2026", "--html", target]
        )
        run = run_cli(closed, *args)
        assert run.exit_code == 2, (what, run.stderr)
        one_error_line(run, "one of the cooperative's own files")
        assert snapshot(closed) == before, what
    assert (tmp_path / "innocent.csv").is_symlink()


def _non_regular(tmp: Path) -> dict[str, tuple[Path, str]]:
    os.mkfifo(tmp / "fifo")
    (tmp / "folder").mkdir()
    (tmp / "link-to-fifo").symlink_to(tmp / "fifo")
    (tmp / "link-to-folder").symlink_to(tmp / "folder")
    targets = {
        "fifo": (tmp / "fifo", "a FIFO"),
        "folder": (tmp / "folder", "a folder"),
        "link to a fifo": (tmp / "link-to-fifo", "a FIFO"),
        "link to a folder": (tmp / "link-to-folder", "a folder"),
    }
    try:  # a device node of our own (never /dev/null itself: the code before this fix would replace it)
        os.mknod(tmp / "null", stat.S_IFCHR | 0o666, os.makedev(1, 3))
        targets["device"] = (tmp / "null", "a device")
    except OSError:
        pass
    return targets


@pytest.mark.parametrize("option", ["payroll", "statement"])
def test_an_output_must_be_a_regular_file(option, closed, tmp_path):
    targets = _non_regular(tmp_path)
    for what, (target, words) in targets.items():
        args = (
            ["payroll", "2026-10", "--output", str(target)]
            if option == "payroll"
            else ["statement", "alice", "--year", "2026", "--html", str(target)]
        )
        run = run_cli(closed, *args)
        assert run.exit_code == 2, (what, run.stderr)
        if not (option == "payroll" and words == "a folder"):  # typer itself refuses a folder for --output
            one_error_line(run, "not a regular file", words)
    assert not (tmp_path / "null").exists() or (tmp_path / "null").is_char_device()
    assert (
        (tmp_path / "fifo").is_fifo()
        and (tmp_path / "link-to-fifo").is_symlink()
        and (tmp_path / "folder").is_dir()
    )
    assert os.listdir(tmp_path / "folder") == []


@pytest.mark.parametrize("option", ["payroll", "statement"])
def test_a_missing_output_folder_is_an_error_naming_it(option, closed, tmp_path):
    missing = tmp_path / "exports" / "2026"
    plain = tmp_path / "plain.txt"
    plain.write_text("x", encoding="utf-8")
    for target, words in (
        (missing / "out.csv", f"the folder {missing} does not exist"),
        (plain / "out.csv", f"{plain} is not a folder"),
    ):
        args = (
            ["payroll", "2026-10", "--output", str(target)]
            if option == "payroll"
            else ["statement", "alice", "--year", "2026", "--html", str(target)]
        )
        run = run_cli(closed, *args)
        assert run.exit_code == 2, run.stderr
        one_error_line(run, words)
    assert not (tmp_path / "exports").exists(), "no folder created"


def test_an_output_to_a_plain_file_still_works(closed, tmp_path):
    target = tmp_path / "paie.csv"
    target.write_text("old\n", encoding="utf-8")
    assert run_cli(closed, "payroll", "2026-10", "--output", str(target)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("member_id,")


# --------------------------------------------------------------------------- failed writes, for real


def coopctl(
    folder: Path,
    *args: str,
    limit: int | None = None,
    caps_dropped: bool = False,
    stdout=subprocess.PIPE,
    env: dict | None = None,
) -> subprocess.CompletedProcess:
    """coopctl in a child process, with a file-size limit (bytes) or, as root, without the permission
    override."""

    def setup() -> None:
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        if caps_dropped:
            libc = ctypes.CDLL(None, use_errno=True)
            for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER: root obeys file modes
                if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
                    os._exit(97)

    full_env = {
        **os.environ,
        "PYTHONDONTWRITEBYTECODE": "1",
        "COOPCTL_MEMBER": "",
        "COOPCTL_ROOT": "",
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "coopctl", "--root", str(folder), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=setup,
        env=full_env,
        cwd=REPO,
        timeout=120,
    )


def one_line(proc: subprocess.CompletedProcess, *needles: str) -> None:
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.tmp")]


def test_file_too_large_on_an_export_is_one_line_and_the_old_file_stays(closed, tmp_path):
    target = tmp_path / "paie.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    proc = coopctl(closed, "payroll", "2026-10", "--output", str(target), limit=200)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    one_line(proc, str(target), "File too large")
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert temporaries(tmp_path) == []


def test_file_too_large_on_a_closing_file_is_one_line_and_nothing_changes(tmp_path):
    folder = write_coop(tmp_path / "coop")
    before = snapshot(folder)
    proc = coopctl(folder, "close-month", "2026-10", limit=300, env={"COOPCTL_NO_CACHE": "1"})
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    one_line(
        proc, "File too large", "nothing was changed"
    )  # the journal or the closing file, whichever is first
    assert snapshot(folder) == before
    assert temporaries(folder) == []


def test_a_cache_that_cannot_be_written_does_not_change_the_answer(tmp_path):
    folder = write_coop(tmp_path / "coop")
    cache = tmp_path / "cache"
    expected = coopctl(
        folder, "balance", "alice", "--as-of", "2026-10-31", "--format", "json", env={"COOPCTL_NO_CACHE": "1"}
    )
    proc = coopctl(
        folder,
        "balance",
        "alice",
        "--as-of",
        "2026-10-31",
        "--format",
        "json",
        limit=64,
        env={"COOPCTL_CACHE_DIR": str(cache)},
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, expected.stdout, "")
    assert temporaries(cache) == []


def test_standard_output_full_is_one_line(closed):
    with open("/dev/full", "w") as full:
        proc = coopctl(closed, "members", "--format", "csv", stdout=full)
    assert proc.returncode == 1, proc.stderr
    one_line(proc, "standard output", "No space left on device")


@pytest.fixture
def tiny_tmpfs():
    """A 64 KiB tmpfs of our own (only where we may mount one: root with CAP_SYS_ADMIN)."""
    point = Path(tempfile.mkdtemp(prefix="coopctl-tmpfs-"))
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(point)], capture_output=True
        ).returncode
        == 0
        if shutil.which("mount") and os.geteuid() == 0
        else False
    )
    if not mounted:
        point.rmdir()
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)
        point.rmdir()


def test_disk_full_on_an_export_is_one_line_and_the_old_file_stays(closed, tiny_tmpfs):
    target = tiny_tmpfs / "paie.csv"
    target.write_text("the previous export\n", encoding="utf-8")
    fd = os.open(tiny_tmpfs / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"x" * 1024):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    proc = coopctl(closed, "payroll", "2026-10", "--output", str(target))
    assert proc.returncode == 1, proc.stderr
    one_line(proc, str(target), "No space left on device")
    assert target.read_text(encoding="utf-8") == "the previous export\n"
    assert temporaries(tiny_tmpfs) == []


def test_read_only_file_system_on_an_export_is_one_line(closed, tiny_tmpfs):
    target = tiny_tmpfs / "statement.html"
    target.write_text("old page\n", encoding="utf-8")
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    proc = coopctl(closed, "statement", "alice", "--year", "2026", "--html", str(target))
    assert proc.returncode == 1, proc.stderr
    one_line(proc, str(target), "Read-only file system")
    assert target.read_text(encoding="utf-8") == "old page\n"


def test_permission_denied_on_a_closing_file_is_one_line_and_nothing_changes(tmp_path):
    folder = write_coop(tmp_path / "coop")
    (folder / "ledgers" / "closing").mkdir()
    os.chmod(folder / "ledgers" / "closing", 0o555)
    try:
        before = snapshot(folder)
        proc = coopctl(
            folder, "close-month", "2026-10", caps_dropped=os.geteuid() == 0, env={"COOPCTL_NO_CACHE": "1"}
        )
        if proc.returncode == 97:
            pytest.skip("cannot drop root's permission override here")
        assert proc.returncode == 1, proc.stderr
        one_line(proc, "2026-10.beancount", "Permission denied")
        assert snapshot(folder) == before
    finally:
        os.chmod(folder / "ledgers" / "closing", 0o755)
