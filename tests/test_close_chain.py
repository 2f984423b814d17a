"""Close what changed, month after month (issue 18): a close leaves the cache describing the ledger it wrote.

The treasurer's month is: entries added to the open month, then ``close-month``; next month the same, with no
other command in between. A close that wrote a closing file used to leave the cache without it (the
incremental path sends a closing's markers to the whole load), so every close after a close loaded the year
in full. Now the whole load's close records its verifying reload in the cache, and the sealed close records
the file it verified alone. Checked here: each close of a chain goes through the seal, writes what the whole
load writes, and leaves a cache whose figures are, field for field, those of a whole load.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from conftest import run_cli
from test_cache import split_coop
from test_sealed_close import OCTOBER, _invoice
from test_sealed_close_write import _close_both

from coopctl.app import sealed
from coopctl.store import cache
from coopctl.store.configfile import load_cooperative
from coopctl.ui import cli

NEXT_MARCH = datetime.date(2027, 3, 2)  # every month of the chain has ended


def _warm_figures(folder: Path, monkeypatch) -> dict:
    """The cache's figures, read as a warm command reads them: no file parsed, no whole load."""
    from beancount.parser import parser

    from coopctl.adapter import ledger

    def no_parse(*args, **kwargs):
        raise AssertionError("the cache did not describe the ledger: a file was parsed again")

    with monkeypatch.context() as patch:
        patch.setattr(parser, "parse_file", no_parse)
        patch.setattr(ledger, "load_ledger_safely", no_parse)
        figures = cache.cached_figures(load_cooperative(folder))
    assert figures is not None
    return cache.figures_to_json(figures)


def _whole_load_figures(folder: Path) -> dict:
    """The figures a whole load records in the cache (each file's, merged), without recording them."""
    from coopctl.adapter.ledger import load_books_by_file

    return cache.figures_to_json(load_books_by_file(load_cooperative(folder))[0].figures)


def test_a_chain_of_closes_goes_through_the_seal_with_no_command_in_between(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    # the first close: no seal, no cache; the whole load closes, and its reload fills the cache
    fast, slow, why = _close_both(a, b, "2026-09")
    assert why is not None and fast == slow and fast[0] == 0
    assert _warm_figures(a, monkeypatch) == _whole_load_figures(a)
    for month, amount in (("2026-10", 123456), ("2026-11", 5000), ("2026-12", 77700), ("2027-01", 1)):
        rel = OCTOBER if month == "2026-10" else f"ledgers/months/{month}.beancount"
        for folder in (a, b):  # the open month's entries, then straight to the close
            with (folder / rel).open("a", encoding="utf-8") as handle:
                handle.write(_invoice(f"{month}-21", "DanDesign", amount))
        sealed.last_fallback[0] = "not run"
        fast, slow, why = _close_both(a, b, month)
        assert why is None, (month, why)  # through the seal, without a whole load first
        assert fast == slow and fast[0] == 0, month
        assert f"ledgers/closing/{month}.beancount" in fast[3]
        # the cache describes the ledger as written, with the whole load's figures
        assert _warm_figures(a, monkeypatch) == _whole_load_figures(a), month
    # and a dry run of the next month, with nothing else run, is sealed too
    sealed.last_fallback[0] = "not run"
    assert run_cli(a, "close-month", "--dry-run", "2027-02").exit_code == 0
    assert sealed.last_fallback[0] is None


def test_a_vouched_file_whose_bytes_changed_since_is_read_as_any_other(tmp_path, monkeypatch):
    """What a close vouches for is its own bytes: a closing edited after it (here, before the cache is
    refreshed) is not taken with the close's figures; the incremental path refuses its markers and the
    whole load answers."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = split_coop(tmp_path / "a")
    assert run_cli(a, "close-month", "2026-09").exit_code == 0
    closing = a / "ledgers" / "closing" / "2026-09.beancount"
    coop = load_cooperative(a)
    before = cache.cached_figures(coop)
    assert before is not None
    closing.write_bytes(closing.read_bytes() + b"\n; edited by hand\n")
    # vouching for the old bytes changes nothing: the file is read, and its markers need the whole load
    figures = cache.cached_figures(coop, vouched={"ledgers/closing/2026-09.beancount": ("0" * 64, [], None)})
    assert figures is None


# ------------------------------------------------------------- a close that could not trust the seal says why


def test_a_dry_run_that_loads_the_closed_months_says_why_on_a_terminal_only(tmp_path, monkeypatch):
    from test_sealed_close import SEPTEMBER, _closed_coop

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = _closed_coop(tmp_path / "a")
    with (a / SEPTEMBER).open("a", encoding="utf-8") as handle:
        handle.write("\n; a comment in the closed September\n")
    piped = run_cli(a, "close-month", "--dry-run", "2026-10")
    assert (
        piped.exit_code == 0 and "read again in full" not in piped.stderr
    )  # a pipe: the same output either way
    with (a / SEPTEMBER).open("a", encoding="utf-8") as handle:
        handle.write("; another one\n")  # the dry run above sealed September again
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    shown = run_cli(a, "close-month", "--dry-run", "2026-10")
    assert shown.exit_code == 0
    assert (
        "warning: the closed months were read again in full, which takes longer: "
        f"{SEPTEMBER} changed since the seal and held entries of closed months"
    ) in shown.stderr
    # trusted again: the next dry run is sealed and says nothing
    again = run_cli(a, "close-month", "--dry-run", "2026-10")
    assert again.exit_code == 0 and "read again" not in again.stderr and sealed.last_fallback[0] is None
    # French, and the first run on a machine (no seal yet) is not worth a word
    with (a / SEPTEMBER).open("a", encoding="utf-8") as handle:
        handle.write("; a third one\n")
    french = run_cli(a, "close-month", "--dry-run", "2026-10", env={"COOPCTL_LANG": "fr"})
    assert "les mois clos ont été relus en entier, ce qui prend plus de temps" in french.stderr
    fresh = run_cli(
        a, "close-month", "--dry-run", "2026-10", env={"COOPCTL_CACHE_DIR": str(tmp_path / "new")}
    )
    assert fresh.exit_code == 0 and "read again" not in fresh.stderr


def test_a_close_of_a_ledger_with_an_account_closed_says_only_the_whole_load_verifies_it(
    tmp_path, monkeypatch
):
    from test_sealed_close import _closed_coop

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_isatty", lambda stream: True)
    a = _closed_coop(tmp_path / "a")
    with (a / "ledgers" / "accounts.beancount").open("a", encoding="utf-8") as handle:
        handle.write("\n2026-10-02 open Assets:Cash:Old EUR\n2026-10-20 close Assets:Cash:Old\n")
    assert run_cli(a, "check").exit_code == 0  # proven and sealed again
    assert run_cli(a, "members").exit_code == 0  # the cache follows the ledger
    run = run_cli(a, "close-month", "2026-10")
    assert "only the whole load verifies" in run.stderr, run.stderr


def test_a_file_edited_during_a_whole_load_close_is_not_sealed(tmp_path, monkeypatch):
    """The whole load's close seals from its verifying reload; a file that reload read with other bytes than
    the proven load (an editor saving while the close ran) leaves no seal: the next close proves it whole."""
    from coopctl.store import cache as cache_module

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = split_coop(tmp_path / "a")
    reload = cache_module.load_books_filling_cache

    def edited_meanwhile(coop):
        with (a / OCTOBER).open("a", encoding="utf-8") as handle:
            handle.write("\n; saved by an editor while the close ran\n")
        return reload(coop)

    monkeypatch.setattr(cache_module, "load_books_filling_cache", edited_meanwhile)
    assert run_cli(a, "close-month", "2026-09").exit_code == 0
    monkeypatch.setattr(cache_module, "load_books_filling_cache", reload)
    sealed.last_fallback[0] = "not run"
    assert run_cli(a, "close-month", "--dry-run", "2026-10").exit_code == 0
    assert (
        sealed.last_fallback[0]
        == "no seal on this machine (a whole load proves the closed months and seals them)"
    )
