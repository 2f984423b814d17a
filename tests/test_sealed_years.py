"""Close what changed in a ledger whose earlier years are closed (issue 18, target 2).

After ``close-year``, ``close-month`` loads its year alone (``openings/YEAR.beancount`` stands in for the
earlier years, checked against close-year's seal). Such a load now seals the closed months too (the earlier
years' files by the SHA-256 the load checked) and records the cache as the whole load would (the earlier
years' files taken from an index that knows them by the same SHA-256: ``cache.store_year_load``); ``check``
records the cache as read-only commands do. So after any command (a close, a dry run, ``check``, a
read-only command) the next ``close-month --dry-run`` and ``close-month`` plan from the seal, and print and
write, byte for byte, what the whole load (``COOPCTL_NO_CACHE=1``) prints and writes.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from conftest import REPO, run_cli
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_sealed_close_write import _tree

from coopctl.adapter import ledger
from coopctl.app import sealed
from coopctl.store import cache, seals
from coopctl.store.configfile import load_cooperative
from coopctl.ui import cli

NO_CACHE = {"COOPCTL_NO_CACHE": "1", "COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}
SAMPLE_TODAY = datetime.date(2026, 12, 15)  # October and November 2026 have ended


_MADE: list = []  # the ledger loads made since cleared: None for a whole load, the year for a year alone


@pytest.fixture
def loads(monkeypatch) -> list:
    """The ledger loads this machine's commands made (``_dry_both`` and ``_close_both`` keep only theirs)."""
    real = ledger.load_ledger_safely

    def spy(coop, year=None):
        loaded = real(coop, year)
        _MADE.append(year if loaded is not None else "declined")
        return loaded

    monkeypatch.setattr(ledger, "load_ledger_safely", spy)
    _MADE.clear()
    return _MADE


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def _dry_both(a: Path, b: Path, *args: str) -> tuple[tuple, tuple, str | None]:
    sealed.last_fallback[0] = "not run"
    fast = run_cli(a, "close-month", "--dry-run", *args)
    why = sealed.last_fallback[0]
    mine = list(_MADE)
    slow = run_cli(b, "close-month", "--dry-run", *args, env=NO_CACHE)
    _MADE[:] = mine
    return (fast.exit_code, fast.stdout, fast.stderr), (slow.exit_code, slow.stdout, slow.stderr), why


def _close_both(a: Path, b: Path, *args: str) -> tuple[tuple, tuple, str | None]:
    sealed.last_fallback[0] = "not run"
    fast = run_cli(a, "close-month", *args)
    why = sealed.last_fallback[0]
    mine = list(_MADE)
    slow = run_cli(b, "close-month", *args, env=NO_CACHE)
    _MADE[:] = mine
    return (
        (fast.exit_code, fast.stdout, fast.stderr, _tree(a)),
        (slow.exit_code, slow.stdout, slow.stderr, _tree(b)),
        why,
    )


def _sample(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copytree(REPO / "config", folder / "config")
    shutil.copytree(REPO / "ledgers", folder / "ledgers")
    return folder


def _pair(tmp_path: Path) -> tuple[Path, Path]:
    a = _sample(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    return a, b


def _warm_figures(folder: Path) -> dict:
    """The cache's figures as a warm command reads them (no file parsed), as JSON."""
    from beancount.parser import parser

    def no_parse(*args, **kwargs):
        raise AssertionError("the cache does not describe the ledger: a file was parsed again")

    with (
        mock.patch.object(parser, "parse_file", no_parse),
        mock.patch.object(ledger, "load_ledger_safely", no_parse),
    ):
        figures = cache.cached_figures(load_cooperative(folder))
    assert figures is not None
    return cache.figures_to_json(figures)


def _whole_load_index(folder: Path) -> tuple[dict, dict, bool]:
    """What a whole load records (merged figures, accounts opened, the incremental flag), recorded in a
    scratch cache of its own."""
    saved = os.environ.get("COOPCTL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["COOPCTL_CACHE_DIR"] = scratch
        try:
            coop = load_cooperative(folder)
            books = cache.load_books_filling_cache(coop)
            index = json.loads(cache._read_sealed(cache.cache_dir(coop) / "index.json"))
            return cache.figures_to_json(books.figures), index["opened"], index["incremental"]
        finally:
            if saved is None:
                del os.environ["COOPCTL_CACHE_DIR"]
            else:
                os.environ["COOPCTL_CACHE_DIR"] = saved


def _cached_index(folder: Path) -> tuple[dict, dict, bool]:
    coop = load_cooperative(folder)
    index = json.loads(cache._read_sealed(cache.cache_dir(coop) / "index.json"))
    return _warm_figures(folder), index["opened"], index["incremental"]


# ------------------------------------------------------------------ the sample: 2025 closed by close-year


def test_after_check_the_next_dry_run_and_close_go_through_the_seal(tmp_path, monkeypatch, loads):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "check").exit_code == 0  # the whole load: proves, seals and now records the cache
    assert _cached_index(a) == _whole_load_index(a)
    loads.clear()
    fast, slow, why = _dry_both(a, b)
    assert why is None and loads == []  # sealed: no ledger loaded
    assert fast == slow and fast[0] == 0 and "Close 2026-10" in fast[1]
    loads.clear()
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and loads == []
    assert fast == slow and fast[0] == 0 and "ledgers/closing/2026-10.beancount" in fast[3]


def test_a_dry_run_that_loads_the_year_alone_leaves_the_next_one_sealed(tmp_path, monkeypatch, loads):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "check").exit_code == 0
    for folder in (a, b):  # the main ledger edited: the cache cannot follow it alone, nor the seal
        _append(folder / "ledgers" / "main.beancount", "\n; a comment\n")
    loads.clear()
    fast, slow, why = _dry_both(a, b)
    assert why is not None and loads == [2026]  # 2026 alone
    assert fast == slow and fast[0] == 0
    loads.clear()
    fast, slow, why = _dry_both(a, b)
    assert why is None and loads == [], why  # then sealed
    assert fast == slow and fast[0] == 0
    assert _cached_index(a) == _whole_load_index(a)  # the year's load recorded the whole ledger's figures
    loads.clear()
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and loads == [] and fast == slow and fast[0] == 0


def test_a_close_that_loads_the_year_alone_leaves_the_next_close_sealed(tmp_path, monkeypatch, loads):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "members").exit_code == 0  # a read-only command: the cache, no seal
    assert run_cli(a, "close-month", "--dry-run").exit_code == 0  # a whole load: proofs and seal
    for folder in (a, b):
        _append(folder / "ledgers" / "main.beancount", "\n; a comment\n")
    loads.clear()
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is not None and loads == [2026, 2026]  # the year, then its reload after the write
    assert fast == slow and fast[0] == 0
    assert _cached_index(a) == _whole_load_index(a)  # as written, with the whole load's figures
    for folder in (a, b):  # November's entries, then straight to its close
        _append(
            folder / "ledgers" / "2026" / "2026-11.beancount",
            '\n2026-11-20 * "Client" "Facture"\n  Assets:Receivable:DanDesign  120.00 EUR\n'
            "  Income:Activity:DanDesign  -100.00 EUR\n  Liabilities:VAT:Collected  -20.00 EUR\n",
        )
    loads.clear()
    fast, slow, why = _dry_both(a, b, "2026-11")
    assert why is None and loads == [] and fast == slow and fast[0] == 0
    loads.clear()
    fast, slow, why = _close_both(a, b, "2026-11")
    assert why is None and loads == [], why
    assert fast == slow and fast[0] == 0 and "ledgers/closing/2026-11.beancount" in fast[3]
    assert _cached_index(a) == _whole_load_index(a)


def test_the_seal_of_a_year_alone_covers_the_earlier_years_files(tmp_path, monkeypatch, loads):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "check").exit_code == 0
    _append(a / "ledgers" / "main.beancount", "\n; a comment\n")
    _append(b / "ledgers" / "main.beancount", "\n; a comment\n")
    loads.clear()
    assert run_cli(a, "close-month", "--dry-run").exit_code == 0 and loads == [2026]
    doc = seals.read(load_cooperative(a))
    assert doc is not None
    earlier = sorted(rel for rel in doc["files"] if rel.startswith("ledgers/2025/"))
    assert earlier == sorted(str(p.relative_to(a)) for p in (a / "ledgers" / "2025").glob("*.beancount"))
    assert "ledgers/closing/2025-year.beancount" in doc["files"]
    assert not set(doc["open_month_files"]) & set(earlier)  # an edit of them breaks the seal
    for folder in (a, b):  # a comment in a file of 2025: same dates, other bytes
        _append(folder / "ledgers" / "2025" / "2025-11.beancount", "\n; edited after close-year\n")
    loads.clear()
    fast, slow, why = _dry_both(a, b)
    assert why is not None and "2025-11.beancount" in why
    assert loads[0] in ("declined", None) and fast == slow


def test_a_year_alone_is_not_recorded_when_the_cache_does_not_know_the_earlier_years(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = _sample(tmp_path / "a")
    coop = load_cooperative(a)
    assert run_cli(a, "check").exit_code == 0
    year_books = cache.load_books_filling_cache(coop, 2026)
    assert year_books.year == 2026 and year_books.ledger.skipped
    index = cache.cache_dir(coop) / "index.json"
    before = index.read_bytes()
    doc = json.loads(cache._read_sealed(index))
    a_2025 = next(rel for rel in doc["files"] if rel.startswith("ledgers/2025/"))
    doc["files"][a_2025]["sha"] = "0" * 64  # the index knew another version of a file of 2025
    cache._write_json(index, doc)
    assert cache.store_year_load(coop, year_books) is False
    index.write_bytes(before)
    assert cache.store_year_load(coop, year_books) is True


def test_without_an_index_knowing_the_earlier_years_a_close_loads_the_whole_ledger_once(
    tmp_path, monkeypatch, loads
):
    """The proofs kept, the index lost (set aside as damaged): the year alone could not be recorded, so the
    whole load answers once and records it; the next dry run is sealed."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "check").exit_code == 0
    folder = cache.cache_dir(load_cooperative(a))
    cache._set_aside(folder)
    assert (folder / "proven-openings.json").is_file() and not (folder / "index.json").exists()
    loads.clear()
    fast, slow, why = _dry_both(a, b)
    assert why is not None and loads == [None] and fast == slow and fast[0] == 0
    loads.clear()
    fast, slow, why = _dry_both(a, b)
    assert why is None and loads == [] and fast == slow and fast[0] == 0


def test_a_config_edit_for_an_earlier_year_is_refused_as_the_whole_load_refuses_it(
    tmp_path, monkeypatch, loads
):
    """The 2025 contribution rate edited after close-year: the whole load finds 2025's closings made under
    another config and refuses. The year alone does not read them: its proof is bound to the config the
    earlier years were proven under, so it is not loaded (nor sealed) and every close says what the whole
    load says. (A member added since leaves the proof standing: the random sequences below.)"""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "check").exit_code == 0
    for folder in (a, b):
        config = folder / "config" / "coop.yaml"
        text = config.read_text(encoding="utf-8")
        assert '- {from: 2024-01-01, rate: "0.10"}' in text  # in force until 2026, which has its own
        config.write_text(text.replace('rate: "0.10"}', 'rate: "0.11"}', 1), encoding="utf-8")
    for _ in range(2):
        loads.clear()
        fast, slow, why = _dry_both(a, b)
        assert why is not None and loads == [None] and fast == slow
        assert fast[0] == 1 and "config in force" in fast[2]
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is not None and fast == slow and fast[0] == 1


def test_a_year_declaring_a_commodity_is_not_recorded_and_answers_as_the_whole_load(
    tmp_path, monkeypatch, loads
):
    """A ``commodity`` declared in the year: a second declaration in an earlier year would make the whole load
    refuse the ledger, which the year alone cannot see: the cache is not recorded from it."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a, b = _pair(tmp_path)
    assert run_cli(a, "check").exit_code == 0
    for folder in (a, b):
        (folder / "ledgers" / "2026" / "2026-10-b.beancount").write_text(
            '2026-10-01 commodity EUR\n  name: "Euro"\n', encoding="utf-8"
        )
    coop = load_cooperative(a)
    books = cache.load_books_filling_cache(coop, 2026)
    assert books.year == 2026 and not books.problems
    assert cache.store_year_load(coop, books) is False
    for _ in range(2):
        loads.clear()
        fast, slow, why = _dry_both(a, b)
        assert why is not None and loads == [2026] and fast == slow and fast[0] == 0


def test_a_refused_dry_run_words_the_ledgers_problems_as_the_writing_close_does(tmp_path, monkeypatch):
    """The dry run records its load in the cache (each file's figures); what it prints of the figures'
    problems stays in the whole extraction's order (by date), as the writing close prints them."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: SAMPLE_TODAY)
    a = _sample(tmp_path / "a")

    def posting(day: str, activity: str) -> str:
        return (
            f'\n2026-10-{day} * "Client" "Facture"\n  Assets:Bank:Courant  10.00 EUR\n'
            f"  Income:Activity:{activity}  -10.00 EUR\n"
        )

    (a / "ledgers" / "2026" / "2026-10-x.beancount").write_text(
        posting("03", "Nowhere") + posting("20", "Nowhere"), encoding="utf-8"
    )
    (a / "ledgers" / "2026" / "2026-10-y.beancount").write_text(posting("10", "Elsewhere"), encoding="utf-8")
    dry = run_cli(a, "close-month", "--dry-run", "2026-10", env=NO_CACHE)
    close = run_cli(a, "close-month", "2026-10", env=NO_CACHE)
    assert dry.exit_code == close.exit_code == 1
    lines = [line for line in dry.stderr.splitlines() if "unknown activity" in line]
    files = [line.split(":")[1].strip().rsplit("-", 1)[1] for line in lines]
    assert files == ["x.beancount", "y.beancount", "x.beancount"]  # the 3rd, the 10th, the 20th
    assert dry.stderr == close.stderr
    cached = run_cli(a, "close-month", "--dry-run", "2026-10")
    assert (cached.exit_code, cached.stderr) == (1, dry.stderr)


# ------------------------------------------------------------------ random edits on a two-year cooperative

_GENERATED: list[Path] = []


def _two_years() -> Path:
    """A small cooperative over 2025 and 2026 (benchmarks/generate.py): 2025 closed month by month then by
    close-year, 2026 closed up to February; made once per test session."""
    if not _GENERATED:
        spec = importlib.util.spec_from_file_location("h25_generate", REPO / "benchmarks" / "generate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        folder = Path(tempfile.mkdtemp(prefix="coopctl-two-years-")) / "coop"
        saved = os.environ.get("COOPCTL_CACHE_DIR")
        with tempfile.TemporaryDirectory() as scratch:
            os.environ["COOPCTL_CACHE_DIR"] = scratch
            try:
                module.generate(folder, 3, 3, 12, 2, 2025, 14, 2)
            finally:
                if saved is None:
                    del os.environ["COOPCTL_CACHE_DIR"]
                else:
                    os.environ["COOPCTL_CACHE_DIR"] = saved
        _GENERATED.append(folder)
    return _GENERATED[0]


@pytest.fixture(scope="module", autouse=True)
def _remove_generated():
    yield
    for folder in _GENERATED:
        shutil.rmtree(folder.parent, ignore_errors=True)
    _GENERATED.clear()


TWO_YEARS_TODAY = datetime.date(2027, 1, 15)  # every month of 2026 has ended
ACTS = ("Act00000", "Act00001", "Act00002")


def _invoice(day: str, activity: str, cents: int) -> str:
    amount = f"{cents / 100:.2f}"  # a test's own text: the amount is written as a string, never computed on
    vat = f"{cents // 5 / 100:.2f}"
    total = f"{(cents + cents // 5) / 100:.2f}"
    return (
        f'\n{day} * "Client" "Invoice {cents}"\n  Assets:Receivable:{activity}  {total} EUR\n'
        f"  Income:Activity:{activity}  -{amount} EUR\n  Liabilities:VAT:Collected  -{vat} EUR\n"
    )


EDITS = st.one_of(
    st.tuples(st.just("open"), st.sampled_from(ACTS), st.integers(1, 28), st.integers(1, 10**7)),
    st.tuples(st.just("new file"), st.sampled_from(ACTS), st.integers(1, 28), st.integers(1, 10**7)),
    st.tuples(st.just("closed"), st.sampled_from(ACTS), st.integers(1, 28), st.integers(1, 10**5)),
    st.tuples(
        st.sampled_from(["main comment", "earlier comment", "members comment", "nothing"]),
        st.just(""),
        st.just(0),
        st.just(0),
    ),
)
COMMANDS = st.sampled_from(["close", "close", "dry run", "check", "members", "nothing"])


def _edit(folder: Path, edit: tuple, month: str, closed: str) -> None:
    kind, activity, day, cents = edit
    ledgers = folder / "ledgers"
    if kind == "open":
        _append(ledgers / "2026" / f"{month}.beancount", _invoice(f"{month}-{day:02d}", activity, cents))
    elif kind == "new file":
        _append(ledgers / "2026" / f"{month}-b.beancount", _invoice(f"{month}-{day:02d}", activity, cents))
    elif kind == "closed":  # dated in the last closed month, in the open month's file: refused by both
        _append(ledgers / "2026" / f"{month}.beancount", _invoice(f"{closed}-{day:02d}", activity, cents))
    elif kind == "main comment":
        _append(ledgers / "main.beancount", "\n; an edit of the main ledger\n")
    elif kind == "earlier comment":
        _append(ledgers / "2025" / "2025-06.beancount", "\n; an edit of 2025, after close-year\n")
    elif kind == "members comment":
        _append(folder / "config" / "members.yaml", "\n# a comment\n")


@settings(max_examples=int(os.environ.get("H25_EXAMPLES", "6")), deadline=None)
@given(st.lists(st.tuples(st.lists(EDITS, max_size=2), COMMANDS), min_size=1, max_size=4))
def test_closes_of_a_two_year_cooperative_equal_the_whole_load_over_random_edits(steps):
    saved = os.environ.get("COOPCTL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["COOPCTL_CACHE_DIR"] = str(Path(scratch) / "cache")  # this example's own cache
        try:
            with mock.patch.object(cli, "_today", lambda: TWO_YEARS_TODAY):
                _random_steps(Path(scratch), steps)
        finally:
            if saved is None:
                del os.environ["COOPCTL_CACHE_DIR"]
            else:
                os.environ["COOPCTL_CACHE_DIR"] = saved


def _year_alone(c: Path, cache_c: Path, *args: str) -> tuple[tuple, list]:
    """``close-month`` in ``c`` with its own cache, its seal removed first: the close loads the year alone
    (the proofs and the index kept) unless it cannot; what it printed and wrote, and the loads it made."""
    env = {"COOPCTL_CACHE_DIR": str(cache_c), "COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}
    os.environ["COOPCTL_CACHE_DIR"] = str(cache_c)
    try:
        seals.forget(load_cooperative(c))
    finally:
        os.environ["COOPCTL_CACHE_DIR"] = str(cache_c.parent / "cache")
    made: list = []
    real = ledger.load_ledger_safely

    def spy(coop, year=None):
        loaded = real(coop, year)
        made.append(year if loaded is not None else "declined")
        return loaded

    with mock.patch.object(ledger, "load_ledger_safely", spy):
        run = run_cli(c, "close-month", *args, env=env)
    return (run.exit_code, run.stdout, run.stderr, _tree(c)), made


def _random_steps(scratch: Path, steps: list) -> None:
    a, b, c = scratch / "a", scratch / "b", scratch / "c"
    shutil.copytree(_two_years(), a)
    shutil.copytree(a, b)
    shutil.copytree(a, c)
    cache_c = scratch / "cache-c"  # c's own: its closes load the year alone, for a third comparison
    assert run_cli(a, "close-month", "--dry-run").exit_code == 0  # the first whole load on this machine
    assert _year_alone(c, cache_c, "--dry-run")[0][0] == 0  # the same in c: its proofs
    month, closed = datetime.date(2026, 3, 1), "2026-02"
    refused = False  # an entry dated in a closed month: every close is refused from then on
    for edits, command in steps:
        label = month.strftime("%Y-%m")
        quiet = True  # only the open month's entries changed since the last command
        for edit in edits:
            for folder in (a, b, c):
                _edit(folder, edit, label, closed)
            refused |= edit[0] == "closed"
            quiet &= edit[0] in ("open", "new file", "nothing")
        # the next dry run and close plan from the seal after any command, unless something the seal does
        # not cover changed since (then the whole load, or the year alone, answers, and records it)
        fast, slow, why = _dry_both(a, b)
        assert fast == slow, (fast, slow)
        alone, made = _year_alone(c, cache_c, "--dry-run")
        assert alone[:3] == slow, (alone, slow)
        event(f"year alone: {made}")
        if quiet and not refused:
            assert why is None, why
            event("dry run through the seal")
        if command == "close":
            fast_close, slow_close, why = _close_both(a, b, label)
            assert fast_close == slow_close
            assert fast_close[0] == (1 if refused else 0), fast_close[1:3]
            alone, made = _year_alone(c, cache_c, label)
            assert alone == slow_close
            if not refused:
                assert why is None, why  # the dry run just before was a command
                event("close through the seal")
                closed, month = label, (month + datetime.timedelta(days=31)).replace(day=1)
        elif command == "dry run":
            assert run_cli(a, "close-month", "--dry-run").exit_code == (1 if refused else 0)
        elif command in ("check", "members"):
            run_cli(a, command)
        if month.year > 2026:
            break  # 2027: the year of 2026 is not closed by close-year here
    if not refused:
        assert _cached_index(a) == _whole_load_index(a)
