"""Close what changed, not the year (issue 18), the rest: ``check`` says why a close cannot trust the seal of
the closed months, and the writing ``close-month`` plans from the seal, writes the same bytes as the whole
load through the same journaled write, and verifies the written file without reloading the year.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from conftest import run_cli
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_sealed_close import ACTIVITIES, NO_CACHE, OCTOBER, SEPTEMBER, _append, _closed_coop, _invoice

from coopctl.app import sealed


def _codes(folder: Path, env: dict | None = None) -> tuple[int, list[dict]]:
    run = run_cli(folder, "check", "--format", "json", env=env)
    problems = json.loads(run.stdout)["problems"]
    return run.exit_code, [p for p in problems if p["code"].startswith("check.seal")]


# ------------------------------------------------------------------ check explains a fallback


def test_check_says_nothing_when_the_seal_holds(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    assert _codes(folder) == (0, [])
    _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 1000))  # the open month: still sealed
    assert _codes(folder) == (0, [])


def test_check_says_a_closed_file_changed_and_seals_again(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    _append(folder, SEPTEMBER, "\n; a comment in the closed September\n")
    assert run_cli(folder, "members").exit_code == 0  # the cache follows the ledger
    code, said = _codes(folder)
    assert code == 0 and [p["code"] for p in said] == ["check.seal_renewed"]
    assert SEPTEMBER in said[0]["message"] and said[0]["severity"] == "warning"
    # proven and sealed again: the next dry run trusts the seal
    assert run_cli(folder, "close-month", "--dry-run").exit_code == 0
    assert sealed.last_fallback[0] is None
    assert _codes(folder) == (0, [])


def test_check_says_the_config_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    config = next((folder / "config").glob("*.yaml"))
    config.write_text(config.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    code, said = _codes(folder)
    assert code == 0 and [p["code"] for p in said] == ["check.seal_renewed"]
    assert "the config changed since the seal" in said[0]["message"]


def test_check_says_close_month_will_load_everything_without_a_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    code, said = _codes(folder, env=NO_CACHE)
    assert code == 0 and [p["code"] for p in said] == ["check.seal_unused"]
    assert "the cache is disabled" in said[0]["message"]
    run = run_cli(folder, "check", env={**NO_CACHE, "COOPCTL_LANG": "fr"})
    assert run.exit_code == 0 and "close-month chargera tout le grand livre" in run.stderr


def test_check_says_nothing_of_seals_before_any_close(tmp_path, monkeypatch):
    from test_cache import split_coop

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = split_coop(tmp_path / "coop")
    assert _codes(folder) == (0, [])
    assert _codes(folder, env=NO_CACHE) == (0, [])
