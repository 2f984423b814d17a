"""The write-ahead journal: a group of file writes lands whole or not at all, whatever stops it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import run_cli, snapshot, write_coop

from coopctl.domain.problems import CoopctlError, LedgerError, Problem
from coopctl.store import journal


@pytest.fixture(autouse=True)
def _state(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_STATE_DIR", str(tmp_path / "state"))


def test_a_failed_verification_puts_every_file_back(tmp_path):
    root = tmp_path / "coop"
    (root / "ledgers").mkdir(parents=True)
    main, new = root / "ledgers" / "main.beancount", root / "ledgers" / "closing" / "2026-10.beancount"
    main.write_bytes(b"before\n")

    def verify():
        assert main.read_bytes() == b"after\n" and new.read_bytes() == b"closing\n"
        raise LedgerError([Problem("does not load")])

    with pytest.raises(LedgerError):
        journal.write_group(
            root,
            [journal.Change(new, b"closing\n"), journal.Change(main, b"after\n")],
            verify,
            new_folders=(new.parent,),
        )
    assert main.read_bytes() == b"before\n"
    assert not new.exists() and not new.parent.exists()
    assert not journal.pending(root)


def test_the_journal_lives_outside_the_cooperative_and_is_private(tmp_path):
    root = tmp_path / "coop"
    root.mkdir()
    seen = {}

    def verify():
        path = journal.journal_path(root)
        seen["path"], seen["mode"] = path, path.stat().st_mode & 0o777
        seen["folder_mode"] = path.parent.stat().st_mode & 0o777

    journal.write_group(root, [journal.Change(root / "a.txt", b"x")], verify)
    assert not seen["path"].is_relative_to(root)
    assert seen["folder_mode"] & 0o077 == 0
    assert not journal.pending(root)


def _interrupted(root, changes):
    """A group whose process died after its writes: the journal is left behind."""
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom coopctl.store import journal\n"
        f"root = Path({str(root)!r})\n"
        "def verify():\n    os._exit(9)\n"
        f"journal.write_group(root, [journal.Change(Path(p), b) for p, b in {changes!r}], verify)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), capture_output=True)
    assert proc.returncode == 9, proc.stderr


def test_the_next_command_undoes_an_interrupted_group(tmp_path):
    folder = write_coop(tmp_path / "coop")
    before = snapshot(folder)
    main = folder / "ledgers" / "main.beancount"
    _interrupted(
        folder,
        [
            (str(folder / "ledgers" / "closing" / "2026-10.beancount"), b"; half a close\n"),
            (str(main), main.read_bytes() + b'\ninclude "closing/*.beancount"\n'),
        ],
    )
    assert journal.pending(folder) and snapshot(folder) != before
    result = run_cli(folder, "balance", "alice")  # any command, even a read-only one
    assert result.exit_code == 0, result.stderr
    assert not journal.pending(folder)
    assert {k: v for k, v in snapshot(folder).items() if "closing" not in k} == before


def test_recovery_refuses_to_undo_over_a_later_edit(tmp_path):
    folder = write_coop(tmp_path / "coop")
    main = folder / "ledgers" / "main.beancount"
    _interrupted(folder, [(str(main), main.read_bytes() + b"\n; coopctl's change\n")])
    main.write_bytes(main.read_bytes() + b"\n; someone's edit after the crash\n")
    edited = snapshot(folder)
    result = run_cli(folder, "check")
    assert result.exit_code == 1
    assert "changed since an interrupted coopctl write" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(folder) == edited


def test_a_journal_naming_a_file_outside_the_cooperative_is_refused(tmp_path):
    folder = write_coop(tmp_path / "coop")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    path = journal.journal_path(folder)
    path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "root": str(folder.resolve()),
                "folders": [],
                "files": [{"path": "../victim.txt", "before": "", "after": None}],
            }
        )
    )
    os.chmod(path, 0o600)
    with pytest.raises(CoopctlError, match="outside the cooperative"):
        journal.recover(folder)
    assert victim.read_text() == "keep me"


def test_an_activity_schedule_starting_later_leaves_the_default_rate_before_it(tmp_path):
    """Found by recomputation: an activity's own contribution schedule from 2026-11-01 (8%) made its earlier
    months pay 0%, silently rewriting closed months. Before its schedule starts, the cooperative's 10%
    applies: BoisNomade's October revenue 4000.00 × 10% = 400.00, and the closed October still recomputes."""
    from conftest import EXAMPLE_ACTIVITIES

    folder = write_coop(tmp_path / "coop")
    assert run_cli(folder, "close-month", "2026-10").exit_code == 0
    activities = folder / "config" / "activities.yaml"
    activities.write_text(
        EXAMPLE_ACTIVITIES.replace(
            "establishment: paris-11}",
            'establishment: paris-11, contribution: [{from: 2026-11-01, rate: "0.08"}]}',
            1,
        ),
        encoding="utf-8",
    )
    result = run_cli(folder, "report", "2026-10", "--format", "json")
    assert result.exit_code == 0, result.stderr
    row = next(a for e in result.json()["establishments"] for a in e["activities"] if a["id"] == "BoisNomade")
    assert row["contribution"] == "400.00"
    assert run_cli(folder, "check").exit_code == 0
