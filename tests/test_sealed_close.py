"""Close what changed, not the year (issue 18): ``close-month --dry-run`` on sealed month states.

After a whole load proved the closed months on this machine (a close, or ``check``), a dry-run close after
entries are added to the open month reads the open month's changed files alone (the cache) and trusts the
seal for the rest. Whatever the edits, its output is byte for byte the whole load's; an edit that touches a
closed month (or anything the seal does not cover) falls back to the whole load, which says what is wrong.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from conftest import run_cli
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_cache import split_coop

from coopctl.app import sealed
from coopctl.store import seals

ACTIVITIES = ("BoisNomade", "AtelierCommun", "DanDesign")
NO_CACHE = {"COOPCTL_NO_CACHE": "1", "COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}
OCTOBER = "ledgers/months/2026-10.beancount"
SEPTEMBER = "ledgers/months/2026-09.beancount"


def _invoice(day: str, activity: str, cents: int) -> str:
    amount = f"{cents / 100:.2f}"  # a test's own text: the amount is written as a string, never computed on
    vat = f"{cents // 5 / 100:.2f}"
    total = f"{(cents + cents // 5) / 100:.2f}"
    return (
        f'\n{day} * "Client" "Invoice {cents}"\n  Assets:Receivable:{activity}  {total} EUR\n'
        f"  Income:Activity:{activity}  -{amount} EUR\n  Liabilities:VAT:Collected  -{vat} EUR\n"
    )


def _append(folder: Path, rel: str, text: str) -> None:
    path = folder / rel
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _closed_coop(folder: Path) -> Path:
    """The worked example split by month, September closed by coopctl (sealed), the cache filled."""
    folder = split_coop(folder)
    assert run_cli(folder, "close-month", "2026-09").exit_code == 0
    assert run_cli(folder, "members").exit_code == 0
    return folder


def _both(folder: Path, *args: str) -> tuple[tuple, tuple, str | None]:
    fast = run_cli(folder, "close-month", "--dry-run", *args)
    why = sealed.last_fallback[0]
    slow = run_cli(folder, "close-month", "--dry-run", *args, env=NO_CACHE)
    return (fast.exit_code, fast.stdout, fast.stderr), (slow.exit_code, slow.stdout, slow.stderr), why


def test_a_dry_run_after_open_month_entries_uses_the_seal_and_equals_the_whole_load(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 123456))
    (folder / "ledgers" / "months" / "2026-10-b.beancount").write_text(
        _invoice("2026-10-22", "BoisNomade", 5000), encoding="utf-8"
    )
    for args in ((), ("--format", "json")):
        fast, slow, why = _both(folder, *args)
        assert why is None  # the sealed path answered
        assert fast == slow and fast[0] == 0


def test_an_edit_of_a_closed_month_falls_back_and_is_refused_as_before(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    _append(folder, OCTOBER, _invoice("2026-09-15", "DanDesign", 1000))  # dated in the closed September
    fast, slow, why = _both(folder)
    assert why is not None and fast == slow and fast[0] == 1


def test_a_seal_is_only_believed_from_our_own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    folder = _closed_coop(tmp_path / "coop")
    from coopctl.store.configfile import load_cooperative

    coop = load_cooperative(folder)
    assert seals.broken(coop, __import__("coopctl.domain.months").domain.months.Month(2026, 9)) is None
    path = seals._path(coop)
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b'"2026-09"', b'"2026-08"'))  # edited: its checksum no longer matches
    _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 1000))
    fast, slow, why = _both(folder)
    assert why is not None and "no seal" in why and fast == slow


EDITS = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.integers(1, 10**7)),
    st.tuples(st.just("new file"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.integers(1, 10**7)),
    st.tuples(st.just("closed"), st.sampled_from(ACTIVITIES), st.integers(1, 30), st.integers(1, 10**5)),
    st.tuples(st.just("balance"), st.sampled_from(ACTIVITIES), st.integers(1, 31), st.integers(1, 10**5)),
)


@settings(max_examples=8, deadline=None)
@given(st.lists(EDITS, min_size=1, max_size=3))
def test_sealed_dry_runs_equal_whole_loads_over_random_edits(edits):
    saved = os.environ.get("COOPCTL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["COOPCTL_CACHE_DIR"] = str(Path(scratch) / "cache")  # this example's own cache
        try:
            _random_edits(Path(scratch), edits)
        finally:
            if saved is None:
                os.environ.pop("COOPCTL_CACHE_DIR", None)
            else:
                os.environ["COOPCTL_CACHE_DIR"] = saved


def _random_edits(scratch: Path, edits: list) -> None:
    folder = _closed_coop(scratch / "coop")
    for number, (kind, activity, day, cents) in enumerate(edits):
        if kind == "open":
            _append(folder, OCTOBER, _invoice(f"2026-10-{day:02d}", activity, cents))
        elif kind == "new file":
            (folder / "ledgers" / "months" / f"2026-10-{number}.beancount").write_text(
                _invoice(f"2026-10-{day:02d}", activity, cents), encoding="utf-8"
            )
        elif kind == "closed":
            _append(folder, SEPTEMBER, _invoice(f"2026-09-{day:02d}", activity, cents))
        else:  # a balance assertion needs the whole ledger
            _append(folder, OCTOBER, f"\n2026-10-{day:02d} balance Assets:Bank:Main  {cents}.00 EUR\n")
        fast, slow, why = _both(folder, "--format", "json")
        event("sealed" if why is None else "whole load")
        assert fast == slow, (kind, fast, slow)
