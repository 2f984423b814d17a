"""Close what changed, not the year (issue 18), the rest: ``check`` says why a close cannot trust the seal of
the closed months, and the writing ``close-month`` plans from the seal, writes the same bytes as the whole
load through the same journaled write, and verifies the written file without reloading the year.
"""

from __future__ import annotations

import datetime
import json
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from conftest import run_cli
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_sealed_close import ACTIVITIES, NO_CACHE, OCTOBER, SEPTEMBER, _append, _closed_coop, _invoice

from coopctl.app import sealed
from coopctl.ui import cli


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


# ------------------------------------------------------------------ the writing close through the seal

NOVEMBER = "ledgers/months/2026-11.beancount"
DECEMBER_15 = datetime.date(2026, 12, 15)  # November ended: it may be closed after October


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for name in ("config", "ledgers")
        for p in sorted((folder / name).rglob("*"))
        if p.is_file()
    }


def _close_both(a: Path, b: Path, *args: str) -> tuple[tuple, tuple, str | None]:
    """``close-month`` in ``a`` (the cache and seal of this machine) and in its copy ``b`` (no cache: the
    whole load); what each printed, its exit code and every file after it."""
    sealed.last_fallback[0] = "not run"  # the close below says which path it took
    fast = run_cli(a, "close-month", *args)
    why = sealed.last_fallback[0]
    slow = run_cli(b, "close-month", *args, env=NO_CACHE)
    return (
        (fast.exit_code, fast.stdout, fast.stderr, _tree(a)),
        (slow.exit_code, slow.stdout, slow.stderr, _tree(b)),
        why,
    )


def test_a_close_after_open_month_entries_uses_the_seal_and_writes_the_whole_loads_bytes(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = _closed_coop(tmp_path / "a")
    _append(a, OCTOBER, _invoice("2026-10-21", "DanDesign", 123456))
    (a / "ledgers" / "months" / "2026-10-b.beancount").write_text(
        _invoice("2026-10-22", "BoisNomade", 5000), encoding="utf-8"
    )
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None  # the sealed path wrote it
    assert fast == slow and fast[0] == 0 and "ledgers/closing/2026-10.beancount" in fast[3]
    # the seal now reaches October: once the cache follows the ledger, November closes through it too
    (a / NOVEMBER).write_text(_invoice("2026-11-03", "AtelierCommun", 77700), encoding="utf-8")
    shutil.copy(a / NOVEMBER, b / NOVEMBER)
    assert run_cli(a, "members").exit_code == 0
    fast, slow, why = _close_both(a, b, "2026-11")
    assert why is None and fast == slow and fast[0] == 0
    assert _codes(a) == (0, [])  # check agrees: sealed, nothing to say


def test_the_sealed_close_loads_no_whole_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = _closed_coop(tmp_path / "a")
    _append(a, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))
    from coopctl.adapter import ledger

    def no_whole_load(*args, **kwargs):
        raise AssertionError("the sealed close loaded the ledger whole")

    monkeypatch.setattr(ledger, "load_ledger_safely", no_whole_load)
    sealed.last_fallback[0] = "not run"
    run = run_cli(a, "close-month", "2026-10")
    assert run.exit_code == 0 and sealed.last_fallback[0] is None
    assert (a / "ledgers" / "closing" / "2026-10.beancount").is_file()


def test_a_closing_that_does_not_verify_alone_is_undone_and_the_whole_load_words_it(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = _closed_coop(tmp_path / "a")
    _append(a, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))
    # opened in November: October's closing opens it on 2026-10-31 too, a duplicate the reload would find
    (a / NOVEMBER).write_text("2026-11-02 open Income:Coop:Contribution EUR\n", encoding="utf-8")
    assert run_cli(a, "members").exit_code == 0
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is not None and why.startswith("the written file did not verify alone")
    assert fast == slow and fast[0] == 1 and "ledgers/closing/2026-10.beancount" not in fast[3]


def test_a_ledger_with_balance_assertions_closes_through_the_whole_load(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = _closed_coop(tmp_path / "a")
    _append(a, SEPTEMBER, "")  # unchanged
    _append(a, "ledgers/accounts.beancount", "\n2026-09-01 balance Assets:Bank:Main  0 EUR\n")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    run_cli(a, "check")  # whatever it says, the seal holds only for a proven ledger
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is not None and fast == slow


WRITE_EDITS = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.integers(1, 10**7)),
    st.tuples(st.just("new file"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.integers(1, 10**7)),
    st.tuples(st.just("closed"), st.sampled_from(ACTIVITIES), st.integers(1, 30), st.integers(1, 10**5)),
    st.tuples(st.just("balance"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.integers(1, 10**5)),
    st.tuples(st.just("account now"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.just(0)),
    st.tuples(st.just("account later"), st.sampled_from(ACTIVITIES), st.integers(1, 30), st.just(0)),
    st.tuples(st.sampled_from(["empty file", "comment in closed"]), st.just(""), st.just(0), st.just(0)),
)


@settings(max_examples=int(os.environ.get("H23_EXAMPLES", "8")), deadline=None)
@given(st.lists(WRITE_EDITS, min_size=1, max_size=3), st.lists(WRITE_EDITS, max_size=2))
def test_sealed_closes_write_what_whole_loads_write_over_random_edits(october, november):
    saved = os.environ.get("COOPCTL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["COOPCTL_CACHE_DIR"] = str(Path(scratch) / "cache")  # this example's own cache
        try:
            with mock.patch.object(cli, "_today", lambda: DECEMBER_15):
                _random_closes(Path(scratch), october, november)
        finally:
            if saved is None:
                os.environ.pop("COOPCTL_CACHE_DIR", None)
            else:
                os.environ["COOPCTL_CACHE_DIR"] = saved


def _edit(folder: Path, number: int, edit: tuple, month: str, closed: str) -> None:
    kind, activity, day, cents = edit
    if kind == "open":
        _append(folder, f"ledgers/months/{month}.beancount", _invoice(f"{month}-{day:02d}", activity, cents))
    elif kind == "new file":
        (folder / "ledgers" / "months" / f"{month}-{number}.beancount").write_text(
            _invoice(f"{month}-{day:02d}", activity, cents), encoding="utf-8"
        )
    elif kind == "closed":
        _append(
            folder, f"ledgers/months/{closed}.beancount", _invoice(f"{closed}-{day:02d}", activity, cents)
        )
    elif kind == "empty file":  # a file with no entry
        (folder / "ledgers" / "months" / f"{month}-empty-{number}.beancount").write_text("; nothing yet\n")
    elif kind == "comment in closed":  # the closed month's file changes, not its entries
        _append(folder, f"ledgers/months/{closed}.beancount", "\n; a comment\n")
    elif kind == "balance":  # a balance assertion needs the whole ledger
        _append(
            folder,
            f"ledgers/months/{month}.beancount",
            f"\n{month}-{day:02d} balance Assets:Bank:Main  {cents}.00 EUR\n",
        )
    else:  # an account the closing would open: opened in the month, or after it
        year, number_of_month = (int(part) for part in month.split("-"))
        when = (
            f"{month}-{day:02d}" if kind == "account now" else f"{year}-{number_of_month + 1:02d}-{day:02d}"
        )
        (folder / "ledgers" / "months" / f"{month}-account-{number}.beancount").write_text(
            f"{when} open Expenses:Activity:{activity}:Contribution EUR\n", encoding="utf-8"
        )


def _random_closes(scratch: Path, october: list, november: list) -> None:
    a = _closed_coop(scratch / "a")
    b = scratch / "b"
    for number, edit in enumerate(october):
        _edit(a, number, edit, "2026-10", "2026-09")
    assert run_cli(a, "members").exit_code in (0, 1)  # the cache follows the ledger (when it loads)
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    event("october: sealed" if why is None else "october: whole load")
    assert fast == slow, (october, fast[:3], slow[:3])
    if fast[0] != 0:
        return
    for number, edit in enumerate(november):
        _edit(a, 10 + number, edit, "2026-11", "2026-10")
        _edit(b, 10 + number, edit, "2026-11", "2026-10")
    run_cli(a, "members")
    fast, slow, why = _close_both(a, b, "2026-11")
    event("november: sealed" if why is None else "november: whole load")
    assert fast == slow, (november, fast[:3], slow[:3])


def test_sigkill_at_any_moment_of_a_sealed_close_leaves_october_wholly_closed_or_wholly_open(
    tmp_path, monkeypatch
):
    """As tests/test_crash_and_lock.py for the whole load's close: the sealed close writes through the same
    journal, so after a kill the next command undoes a half-done group, and the month is wholly open or
    wholly closed, every byte as an uninterrupted close."""
    import signal
    import subprocess
    import sys
    import time

    from conftest import snapshot

    from coopctl.store import journal

    monkeypatch.setenv("COOPCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))

    def prepared(name: str) -> Path:
        folder = _closed_coop(tmp_path / name)
        _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 123456))
        assert run_cli(folder, "members").exit_code == 0
        return folder

    def start(folder: Path, pause: float) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "coopctl", "--root", str(folder), "close-month", "2026-10"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ, COOPCTL_FAULT_PAUSE=str(pause), COOPCTL_MEMBER="", COOPCTL_ROOT=""),
        )

    reference = prepared("reference")
    original = {k: v for k, v in snapshot(reference).items() if k != ".coopctl.lock"}
    sealed.last_fallback[0] = "not run"
    assert run_cli(reference, "close-month", "2026-10").exit_code == 0
    assert sealed.last_fallback[0] is None  # this state closes through the seal
    closed = {k: v for k, v in snapshot(reference).items() if k != ".coopctl.lock"}
    pause = 0.05
    timing = prepared("timing")
    started = time.monotonic()
    start(timing, pause).wait(timeout=60)
    total = time.monotonic() - started
    runs = 16
    outcomes = {"closed": 0, "open": 0}
    for index in range(runs):
        folder = prepared(f"run{index}")
        proc = start(folder, pause)
        time.sleep(total * (index + 0.5) / runs)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        check = run_cli(folder, "check")  # the first command after the kill undoes any half-done group
        assert "error:" not in check.stderr, (index, check.stderr)
        assert not journal.pending(folder), index
        state = {k: v for k, v in snapshot(folder).items() if not k.endswith(".tmp") and k != ".coopctl.lock"}
        if "ledgers/closing/2026-10.beancount" in state:
            outcomes["closed"] += 1
            assert state == closed, index
        else:
            outcomes["open"] += 1
            assert state == original, index
            assert run_cli(folder, "close-month", "2026-10").exit_code == 0
            assert {
                k: v for k, v in snapshot(folder).items() if k == "ledgers/closing/2026-10.beancount"
            } == {"ledgers/closing/2026-10.beancount": closed["ledgers/closing/2026-10.beancount"]}
    print("sealed close crash outcomes over", runs, "kills:", outcomes)
    assert outcomes["closed"] > 0 and outcomes["open"] > 0, outcomes
