"""The validated config kept in the cache is never believed over config/*.yaml (issue 14, class 5)."""

from __future__ import annotations

import os

from conftest import run_cli, write_coop

from coopctl.store.configfile import cache_folder


def _answer(folder, env=None):
    run = run_cli(
        folder,
        "simulate",
        "alice",
        "--gross",
        "1900.00",
        "--month",
        "2026-10",
        "--format",
        "json",
        env={"COOPCTL_MEMBER": "", "COOPCTL_ROOT": "", **(env or {})},
    )
    return run.exit_code, run.stdout, run.stderr


def test_an_edited_config_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = write_coop(tmp_path / "coop")
    expected = _answer(folder)
    path = cache_folder(folder) / "config.json"
    assert path.is_file()
    raw = path.read_bytes()
    assert b'"0.42"' in raw
    path.write_bytes(raw.replace(b'"0.42"', b'"0.12"'))  # the same size: the employer rate in the cached copy
    assert _answer(folder) == expected


def test_a_config_cache_others_could_write_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = write_coop(tmp_path / "coop")
    expected = _answer(folder)
    path = cache_folder(folder) / "config.json"
    assert path.stat().st_mode & 0o077 == 0
    os.chmod(path, 0o666)
    os.chmod(path.parent, 0o777)
    digest, _, payload = path.read_bytes().partition(b"\n")
    # someone else rewrote it with a valid checksum of their own: still not believed,
    # the folder is not private
    from coopctl.store import cache

    forged = payload.replace(b'"0.42"', b'"0.12"')
    path.write_bytes(cache._digest(path.name, forged).encode() + b"\n" + forged)
    assert _answer(folder) == expected
