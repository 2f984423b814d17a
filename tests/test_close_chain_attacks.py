"""Adversarial review of the close after a close (issue 18): a close leaves the cache and the seal describing
the ledger it wrote (the whole load's close from its verifying reload, the sealed close from the file it
verified alone). Hand edits between and during commands try to make the next close, or the warm cache,
disagree with a whole load (``COOPCTL_NO_CACHE=1``): every file, stdout, stderr and exit code.
"""

from __future__ import annotations

import datetime
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from conftest import run_cli
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st
from test_cache import split_coop
from test_close_chain import NEXT_MARCH, _whole_load_figures
from test_sealed_attacks import _dry_both
from test_sealed_close import ACTIVITIES, NO_CACHE, _append, _invoice
from test_sealed_close_write import DECEMBER_15, _close_both

from coopctl.app import sealed
from coopctl.store import cache
from coopctl.store.configfile import load_cooperative
from coopctl.ui import cli

MAIN = "ledgers/main.beancount"


def test_the_main_ledger_edited_during_a_whole_load_close_is_not_sealed(tmp_path, monkeypatch):
    """The whole load's close seals from its verifying reload when that reload read every other file as the
    proven load did; the main ledger is left out of that comparison (the close may add the include to it).
    An editor saving the main ledger with an entry dated in the month being closed while the close runs: the
    reload reads it, nothing proved it (the closing was written from the first load), so the next close must
    not trust it: the whole load refuses the closed month changed, so must the close after it."""
    import coopctl.app.commands  # noqa: F401  (imported before the patch: it binds the function by name)
    from coopctl.store import cache as cache_module

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = split_coop(tmp_path / "a")
    b = split_coop(tmp_path / "b")
    reload = cache_module.load_books_filling_cache

    def edited_meanwhile(coop, *args, **kwargs):
        _append(coop.root, MAIN, _invoice("2026-09-28", "DanDesign", 4200))
        return reload(coop, *args, **kwargs)

    for folder, env in ((a, None), (b, NO_CACHE)):
        with monkeypatch.context() as patch:
            patch.setattr(cache_module, "load_books_filling_cache", edited_meanwhile)
            run = run_cli(folder, "close-month", "2026-09", env=env)
        assert run.exit_code == 0, run.stderr
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1


def test_a_zero_invoice_on_a_closed_day_keeps_the_whole_loads_figures_after_the_next_close(
    tmp_path, monkeypatch
):
    """A 0.00 invoice on the last day of October (a day the closing posts on): its file's own figures hold a
    day of zero amounts, which the cache used not to record; merged again with the closing's figures (the
    next close, the file unchanged) the day's revenue read 0 where a whole load reads 0.00."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    assert _close_both(a, b, "2026-09")[0][0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-31", "BoisNomade", 0))
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-02", "BoisNomade", 1000))
    fast, slow, why = _close_both(a, b, "2026-11")
    assert why is None and fast == slow and fast[0] == 0
    assert _warm(a) == _whole_load_figures(a)


def test_a_cache_refreshed_by_another_command_during_a_sealed_close_is_not_counted_twice(
    tmp_path, monkeypatch
):
    """A warm sealed close first reads the cache's daily rows when it adds the closing's figures to them
    (``record_written``). Another command (Fava reloading on the new file, a member's ``balance``) that
    loads the ledger whole meanwhile writes a new rows file and removes the old one: the rows then read as
    damaged, and their fallback, a whole load, already holds the closing, which the merge added again."""
    from coopctl.store import seals

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    assert run_cli(a, "close-month", "2026-09").exit_code == 0
    _append(a, "ledgers/months/2026-10.beancount", _invoice("2026-10-21", "DanDesign", 4200))
    assert run_cli(a, "close-month", "2026-10").exit_code == 0
    _append(a, "ledgers/months/2026-11.beancount", _invoice("2026-11-21", "DanDesign", 4200))
    assert run_cli(a, "members").exit_code == 0  # warm: the close reads the rows lazily
    extend = seals.extend

    def another_command_meanwhile(*args, **kwargs):
        cache.load_books_filling_cache(load_cooperative(a))  # the closing is on disk: a new rows file
        return extend(*args, **kwargs)

    monkeypatch.setattr(seals, "extend", another_command_meanwhile)
    sealed.last_fallback[0] = "not run"
    assert run_cli(a, "close-month", "2026-11").exit_code == 0
    assert sealed.last_fallback[0] is None
    monkeypatch.setattr(seals, "extend", extend)
    assert _warm(a) == _whole_load_figures(a)


def test_one_process_closing_two_cooperatives_in_turn_then_one_put_in_the_others_place(tmp_path, monkeypatch):
    """One process (Fava, CliRunner) closes two cooperatives in turn through their seals: what it keeps of
    the ledger it last described (``cache._DESCRIBED``, ``read_in_this_process``) must never serve the
    other. Then one cooperative's folder is replaced by the other's (a checkout of another branch): the
    cache folder and seal of that path now describe another ledger, and the close must see it."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    pairs = []
    for name, cents in (("x", 1000), ("y", 2000)):
        a, b = split_coop(tmp_path / name), tmp_path / f"{name}-whole"
        _append(a, "ledgers/months/2026-09.beancount", _invoice("2026-09-21", "DanDesign", cents))
        shutil.copytree(a, b)
        assert _close_both(a, b, "2026-09")[0][0] == 0
        pairs.append((a, b))
    for month, day in (("2026-10", "2026-10-22"), ("2026-11", "2026-11-03")):
        for number, (a, b) in enumerate(pairs):
            for folder in (a, b):
                _append(
                    folder, f"ledgers/months/{month}.beancount", _invoice(day, "BoisNomade", 300 + number)
                )
            fast, slow, why = _close_both(a, b, month)
            assert why is None and fast == slow and fast[0] == 0, (month, number, why)
            assert _warm(a) == _whole_load_figures(a)
    (x, x_whole), (y, y_whole) = pairs
    shutil.rmtree(x)
    shutil.copytree(y_whole, x)  # y's ledger at x's path: x's cache folder and seal describe another
    for folder in (x, y_whole):
        _append(folder, "ledgers/months/2026-12.beancount", _invoice("2026-12-04", "DanDesign", 77))
    fast, slow, why = _close_both(x, y_whole, "2026-12")
    assert fast[:3] == slow[:3] and fast[0] == 0, (why, fast[:3], slow[:3])
    assert fast[3] == slow[3]
    assert _warm(x) == _whole_load_figures(x)


@pytest.mark.parametrize("killed", ["before the seal", "before the cache"])
def test_a_sealed_close_killed_after_its_write_then_the_next_close_with_nothing_between(
    tmp_path, monkeypatch, killed
):
    """The journaled write of October's closing done, the process dies before the seal reaches October, or
    after it but before the cache records the closing (``record_written``); no command runs before the
    next close (nothing undoes a finished write): November's close answers as the whole load."""
    from coopctl.store import seals

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    assert _close_both(a, b, "2026-09")[0][0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-21", "DanDesign", 4200))
    with monkeypatch.context() as patch:
        patch.setattr(cache, "record_written", lambda *args, **kwargs: None)
        if killed == "before the seal":
            patch.setattr(seals, "extend", lambda *args, **kwargs: None)
        fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-21", "DanDesign", 4200))
    fast, slow, why = _close_both(a, b, "2026-11")
    assert fast == slow and fast[0] == 0, (why, fast[:3], slow[:3])
    assert _warm(a) == _whole_load_figures(a)


def _raise_the_rate(folder: Path) -> None:
    path = folder / "config" / "coop.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'rate: "0.10"' in text
    path.write_text(text.replace('rate: "0.10"', 'rate: "0.12"', 1), encoding="utf-8")


@pytest.mark.parametrize("path", ["sealed", "whole load"])
def test_the_config_edited_during_a_close_is_not_sealed(tmp_path, monkeypatch, path):
    """The contribution rate raised while October closes (after the close read the config, before it
    sealed): October's closing was made with the old rate, so a whole load now finds it does not match and
    refuses to close November. The seal (and the cache) must not record the new config as proven with it."""
    from coopctl.store import cache as cache_module

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    assert _close_both(a, b, "2026-09")[0][0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-21", "DanDesign", 4200))
    if path == "whole load":
        from coopctl.store import seals

        seals.forget(load_cooperative(a))
        reload = cache_module.load_books_filling_cache

        def edited(coop, *args, **kwargs):
            _raise_the_rate(coop.root)
            return reload(coop, *args, **kwargs)

        monkeypatch.setattr(cache_module, "load_books_filling_cache", edited)
    else:
        verify = sealed._verify_alone

        def edited(coop, *args, **kwargs):
            _raise_the_rate(coop.root)
            return verify(coop, *args, **kwargs)

        monkeypatch.setattr(sealed, "_verify_alone", edited)
    sealed.last_fallback[0] = "not run"
    assert run_cli(a, "close-month", "2026-10").exit_code == 0
    assert (sealed.last_fallback[0] is None) == (path == "sealed")
    monkeypatch.undo()
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    assert run_cli(b, "close-month", "2026-10", env=NO_CACHE).exit_code == 0
    _raise_the_rate(b)
    assert run_cli(a, "members").exit_code == 0  # the cache follows the ledger and the config
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-21", "DanDesign", 4200))
    fast, slow, why = _close_both(a, b, "2026-11")
    assert fast == slow, (why, fast[:3], slow[:3])


@pytest.mark.parametrize("path", ["sealed", "whole load"])
def test_a_file_put_under_closing_during_a_close_is_not_sealed(tmp_path, monkeypatch, path):
    """A file that is not coopctl's saved under closing/ while October closes (after the close checked
    the folder, before it sealed): a whole load refuses to close on while it is there
    (``recompute.foreign_file``), so the next close must not go through a seal that took it for one of
    coopctl's files."""
    from coopctl.store import cache as cache_module

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    assert _close_both(a, b, "2026-09")[0][0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-21", "DanDesign", 4200))

    def stray(folder: Path) -> None:
        (folder / "ledgers" / "closing" / "notes.txt").write_text("to do\n", encoding="utf-8")

    if path == "whole load":
        from coopctl.store import seals

        seals.forget(load_cooperative(a))
        reload = cache_module.load_books_filling_cache

        def edited(coop, *args, **kwargs):
            stray(coop.root)
            return reload(coop, *args, **kwargs)

        monkeypatch.setattr(cache_module, "load_books_filling_cache", edited)
    else:
        verify = sealed._verify_alone

        def edited(coop, *args, **kwargs):
            stray(coop.root)
            return verify(coop, *args, **kwargs)

        monkeypatch.setattr(sealed, "_verify_alone", edited)
    sealed.last_fallback[0] = "not run"
    assert run_cli(a, "close-month", "2026-10").exit_code == 0
    assert (sealed.last_fallback[0] is None) == (path == "sealed")
    monkeypatch.undo()
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    assert run_cli(b, "close-month", "2026-10", env=NO_CACHE).exit_code == 0
    stray(b)
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-21", "DanDesign", 4200))
    fast, slow, why = _close_both(a, b, "2026-11")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1


def test_an_opening_edited_while_a_whole_load_proves_it_is_not_remembered_as_proven(tmp_path, monkeypatch):
    """A whole load (``check``) proves the opening of 2026 by recomputing it, then remembers it as proven
    so that a close may load 2026 alone (``commands._scope_year``). An opening saved in between (a comment)
    must not be trusted, nor sealed: a whole load refuses the edited opening, so must the close (the load
    of 2026 alone recomputes it; the seal recorded it as it found it when sealing, and the close went
    through the seal)."""
    from coopctl.app import commands

    repo = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = tmp_path / "a"
    for name in ("config", "ledgers"):
        shutil.copytree(repo / name, a / name)
    _append(a, "ledgers/2026/2026-10.beancount", _invoice("2026-10-21", "BoisNomade", 4200))
    remember = commands._remember_proofs

    def edited_meanwhile(coop, *args):
        _append(coop.root, "ledgers/openings/2026.beancount", "\n; by hand\n")
        return remember(coop, *args)

    monkeypatch.setattr(commands, "_remember_proofs", edited_meanwhile)
    run_cli(a, "check")
    monkeypatch.setattr(commands, "_remember_proofs", remember)
    assert run_cli(a, "members").exit_code == 0  # the cache follows the ledger
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1


def test_an_opening_edited_during_a_sealed_close_is_not_sealed(tmp_path, monkeypatch):
    """The opening of 2026 (not a ledger file: only a load of 2026 alone reads it) saved while October
    closes through the seal: the seal carried to October must record the opening it checked, not the one
    on disk when it is written; a whole load refuses the edited opening, so must November's close."""
    repo = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = tmp_path / "a"
    for name in ("config", "ledgers"):
        shutil.copytree(repo / name, a / name)
    assert run_cli(a, "check").exit_code == 0
    _append(a, "ledgers/2026/2026-10.beancount", _invoice("2026-10-21", "BoisNomade", 4200))
    assert run_cli(a, "members").exit_code == 0
    b = tmp_path / "b"
    shutil.copytree(a, b)
    verify = sealed._verify_alone

    def edited(coop, *args, **kwargs):
        _append(coop.root, "ledgers/openings/2026.beancount", "\n; by hand\n")
        return verify(coop, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(sealed, "_verify_alone", edited)
        sealed.last_fallback[0] = "not run"
        assert run_cli(a, "close-month", "2026-10").exit_code == 0
        assert sealed.last_fallback[0] is None
    assert run_cli(b, "close-month", "2026-10", env=NO_CACHE).exit_code == 0
    _append(b, "ledgers/openings/2026.beancount", "\n; by hand\n")
    assert run_cli(a, "members").exit_code == 0
    fast, slow, why = _close_both(a, b, "2026-11")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1


def test_the_closing_edited_between_its_write_and_the_verifying_reload_is_not_sealed(tmp_path, monkeypatch):
    """The whole load's close seals from its verifying reload: a closing file saved by hand between the
    write and the reload was read by the reload, but the closing proven is the one written."""
    from coopctl.store import cache as cache_module

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    reload = cache_module.load_books_filling_cache

    def edited(coop, *args, **kwargs):
        _append(coop.root, "ledgers/closing/2026-09.beancount", "\n; by hand\n")
        return reload(coop, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(cache_module, "load_books_filling_cache", edited)
        assert run_cli(a, "close-month", "2026-09").exit_code == 0
    assert run_cli(b, "close-month", "2026-09", env=NO_CACHE).exit_code == 0
    _append(b, "ledgers/closing/2026-09.beancount", "\n; by hand\n")
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-21", "DanDesign", 4200))
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1


def test_a_surplus_split_edited_while_a_whole_load_proves_it_is_not_remembered_as_proven(
    tmp_path, monkeypatch
):
    """A load of 2026 alone (``commands._scope_year``) trusts, without recomputing them, the surplus splits
    of earlier years that a whole load proved on this machine. One saved after ``check`` recomputed it and
    before it remembered the proof must not be trusted: a whole load refuses it, so must the close."""
    from coopctl.app import commands

    repo = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = tmp_path / "a"
    for name in ("config", "ledgers"):
        shutil.copytree(repo / name, a / name)
    run = run_cli(a, "close-year", "2025", "--apply-surplus", "--date", "2026-10-15")
    assert run.exit_code == 0, run.stderr
    split = "ledgers/closing/2026-10-15-surplus-2025.beancount"
    remember = commands._remember_proofs

    def edited_meanwhile(coop, *args):
        _append(coop.root, split, "\n; by hand\n")
        return remember(coop, *args)

    monkeypatch.setattr(commands, "_remember_proofs", edited_meanwhile)
    run_cli(a, "check")
    monkeypatch.setattr(commands, "_remember_proofs", remember)
    assert run_cli(a, "members").exit_code in (0, 1)
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1


def test_a_config_saved_while_it_is_read_is_not_cached_under_the_bytes_before(tmp_path, monkeypatch):
    """The validated config is cached under the digest of the files' bytes. The contribution rate raised
    after that digest was taken and before the YAML was read: the models (at the new rate) must not be
    cached under the old bytes' digest, or putting the old file back would read the new rate."""
    from coopctl.store import configfile

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    a = split_coop(tmp_path / "a")
    before = (a / "config" / "coop.yaml").read_bytes()
    read = configfile._load_from_yaml

    def edited_meanwhile(root):
        _raise_the_rate(root)
        return read(root)

    with monkeypatch.context() as patch:
        patch.setattr(configfile, "_load_from_yaml", edited_meanwhile)
        configfile.load_cooperative(a)
    (a / "config" / "coop.yaml").write_bytes(before)  # the old rate back
    monkeypatch.setenv("COOPCTL_NO_CACHE", "1")
    whole = configfile.load_cooperative(a)
    monkeypatch.delenv("COOPCTL_NO_CACHE")
    assert configfile.load_cooperative(a).coop == whole.coop


def test_an_entry_whose_metadata_names_another_file(tmp_path, monkeypatch):
    """Beancount lets an entry's own ``filename:`` metadata replace the file it was read from. An October
    invoice in a file of its own that named the main ledger: the seal's dates of each file placed it in the
    main ledger, so the sealed close did not read its file again and wrote a closing without it (the whole
    load's has it). Such metadata is refused, by the whole load and the cache alike."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    assert run_cli(a, "close-month", "2026-09").exit_code == 0
    assert run_cli(a, "members").exit_code == 0  # warm: the next edit is read by the cache alone
    main = (a / MAIN).resolve()
    invoice = _invoice("2026-10-21", "DanDesign", 4200).replace(
        '"Invoice 4200"\n', f'"Invoice 4200"\n  filename: "{main}"\n'
    )
    (a / "ledgers/months/2026-10-extra.beancount").write_text(invoice, encoding="utf-8")
    for command in ("members", "check"):
        run = run_cli(a, command)
        assert run.exit_code == 1, (command, run.stdout)
        assert (
            'error: ledgers/months/2026-10-extra.beancount:2: metadata "filename" is Beancount\'s own'
        ) in run.stderr, run.stderr
    french = run_cli(a, "members", env={"COOPCTL_LANG": "fr"})
    assert "la métadonnée « filename » appartient à Beancount" in french.stderr
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow and fast[0] == 1, (why, fast[:3], slow[:3])


DURING = {
    "entry in the month being closed": lambda folder: _append(
        folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-30", "BoisNomade", 777)
    ),
    "new file in the month being closed": lambda folder: (
        folder / "ledgers/months/2026-10-z.beancount"
    ).write_text(_invoice("2026-10-29", "AtelierCommun", 555), encoding="utf-8"),
    "entry in the next month": lambda folder: _append(
        folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-02", "BoisNomade", 333)
    ),
    "earlier closing commented": lambda folder: _append(
        folder, "ledgers/closing/2026-09.beancount", "\n; by hand\n"
    ),
    "account opened": lambda folder: _append(
        folder, "ledgers/accounts.beancount", "\n2026-10-30 open Assets:Bank:Other EUR\n"
    ),
    "config comment": lambda folder: _append(folder, "config/members.yaml", "\n# by hand\n"),
    "include added": lambda folder: (
        (folder / "ledgers/extra.beancount").write_text(
            _invoice("2026-10-28", "DanDesign", 999), encoding="utf-8"
        ),
        _append(folder, MAIN, '\ninclude "extra.beancount"\n'),
    ),
}


@pytest.mark.parametrize("path", ["sealed", "whole load"])
@pytest.mark.parametrize("edit", sorted(DURING))
def test_an_edit_saved_while_october_closes_then_november_closes_as_the_whole_load(
    tmp_path, monkeypatch, path, edit
):
    """Whatever is saved while October closes (through the seal, while its closing is verified; or by the
    whole load, before its verifying reload), the close of November answers as the whole load on the same
    files (where the edit came after October's close), and the cache then holds a whole load's figures."""
    from coopctl.store import cache as cache_module
    from coopctl.store import seals

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: NEXT_MARCH)
    a = split_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    assert _close_both(a, b, "2026-09")[0][0] == 0
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-10.beancount", _invoice("2026-10-21", "DanDesign", 4200))
    with monkeypatch.context() as patch:
        if path == "whole load":
            seals.forget(load_cooperative(a))
            reload = cache_module.load_books_filling_cache

            def reloaded(coop, *args, **kwargs):
                DURING[edit](coop.root)
                return reload(coop, *args, **kwargs)

            patch.setattr(cache_module, "load_books_filling_cache", reloaded)
        else:
            verify = sealed._verify_alone

            def verified(coop, *args, **kwargs):
                DURING[edit](coop.root)
                return verify(coop, *args, **kwargs)

            patch.setattr(sealed, "_verify_alone", verified)
        sealed.last_fallback[0] = "not run"
        first = run_cli(a, "close-month", "2026-10")
        assert (sealed.last_fallback[0] is None) == (path == "sealed")
    second = run_cli(b, "close-month", "2026-10", env=NO_CACHE)
    DURING[edit](b)
    if first.exit_code != 0:  # the whole load's reload found the edit wrong: nothing written
        assert second.exit_code == 0
        return
    assert (first.stdout, first.stderr) == (second.stdout, second.stderr)
    for folder in (a, b):
        _append(folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-21", "DanDesign", 4200))
    fast, slow, why = _close_both(a, b, "2026-11")  # nothing run between
    assert fast == slow, (why, fast[:3], slow[:3])
    if fast[0] == 0:
        assert _warm(a) == _whole_load_figures(a)


# ----------------------------------------------------------- chains of closes, hand edits between, no refresh

CHAIN = ("2026-10", "2026-11", "2026-12", "2027-01")


def _last_day(month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    return (following - datetime.timedelta(days=1)).isoformat()


def _previous(month: str) -> str:
    return {"2026-10": "2026-09", "2026-11": "2026-10", "2026-12": "2026-11", "2027-01": "2026-12"}[month]


def _chain_edit(folder: Path, number: int, edit: tuple, month: str) -> None:
    """One hand edit before the close of ``month`` (the month before it was closed just now)."""
    kind, activity, day = edit
    closed = _previous(month)
    month_file = f"ledgers/months/{month}.beancount"
    when = f"{month}-{day:02d}"
    if kind == "invoice":
        _append(folder, month_file, _invoice(when, activity, 1000 + number))
    elif kind == "new file":
        (folder / f"ledgers/months/{month}-n{number}.beancount").write_text(
            _invoice(when, activity, 500 + number), encoding="utf-8"
        )
    elif kind == "zero at month end":
        _append(folder, month_file, _invoice(_last_day(month), activity, 0))
    elif kind == "credit note at month end":
        _append(
            folder,
            month_file,
            f'\n{_last_day(month)} * "Client" "credit note"\n  Assets:Receivable:{activity}  -12.00 EUR\n'
            f"  Income:Activity:{activity}  10.00 EUR\n  Liabilities:VAT:Collected  2.00 EUR\n",
        )
    elif kind == "in the closed month":
        _append(folder, f"ledgers/months/{closed}.beancount", _invoice(f"{closed}-{day:02d}", activity, 7))
    elif kind == "next month":
        following = CHAIN[min(CHAIN.index(month) + 1, len(CHAIN) - 1)]
        _append(
            folder, f"ledgers/months/{following}.beancount", _invoice(f"{following}-{day:02d}", activity, 9)
        )
    elif kind == "closing commented":
        _append(folder, f"ledgers/closing/{closed}.beancount", "\n; by hand\n")
    elif kind == "closing deleted":
        (folder / f"ledgers/closing/{closed}.beancount").unlink(missing_ok=True)
    elif kind == "closing renamed":
        path = folder / f"ledgers/closing/{closed}.beancount"
        if path.exists():
            path.rename(path.with_name(f"{closed}.beancount.bak"))
    elif kind == "file under closing":
        (folder / f"ledgers/closing/notes-{number}.beancount").write_text("; notes\n", encoding="utf-8")
    elif kind == "account the closing opens":
        (folder / f"ledgers/months/{month}-account-{number}.beancount").write_text(
            f"{month}-{day:02d} open Expenses:Activity:{activity}:Contribution EUR\n", encoding="utf-8"
        )
    elif kind == "account opened after":
        following = CHAIN[min(CHAIN.index(month) + 1, len(CHAIN) - 1)]
        (folder / f"ledgers/months/{following}-account-{number}.beancount").write_text(
            f"{following}-{day:02d} open Expenses:Activity:{activity}:Salary:Extra EUR\n", encoding="utf-8"
        )
    elif kind == "config comment":
        _append(folder, "config/coop.yaml", f"\n# edited {number}\n")
    elif kind == "include in main":
        (folder / f"ledgers/extra-{number}.beancount").write_text(
            _invoice(when, activity, 300 + number), encoding="utf-8"
        )
        _append(folder, MAIN, f'\ninclude "extra-{number}.beancount"\n')
    elif kind == "same size in the closed month":
        from test_sealed_attacks import _same_size_edit

        path = folder / f"ledgers/months/{closed}.beancount"
        if path.exists() and b"*" in path.read_bytes():
            _same_size_edit(path)
    elif kind == "closing edited then restored":
        path = folder / f"ledgers/closing/{closed}.beancount"
        if path.exists():
            raw = path.read_bytes()
            path.write_bytes(raw + b"; by hand\n")
            path.write_bytes(raw)
    # "nothing": a month with no entry of its own; "dry run", "reopen and close again": see ``_chain``


CHAIN_EDITS = st.tuples(
    st.sampled_from(
        [
            "invoice",
            "new file",
            "zero at month end",
            "credit note at month end",
            "in the closed month",
            "next month",
            "closing commented",
            "closing deleted",
            "closing renamed",
            "file under closing",
            "account the closing opens",
            "account opened after",
            "config comment",
            "include in main",
            "nothing",
            "same size in the closed month",
            "closing edited then restored",
            "dry run",
            "reopen and close again",
        ]
    ),
    st.sampled_from(ACTIVITIES),
    st.integers(1, 28),
)


def _warm(folder: Path) -> dict | None:
    """The cache's figures as a warm command reads them (None: the cache does not describe the ledger)."""
    from beancount.parser import parser

    from coopctl.adapter import ledger

    def no_parse(*args, **kwargs):
        raise AssertionError("the cache did not describe the ledger: a file was parsed again")

    with (
        mock.patch.object(parser, "parse_file", no_parse),
        mock.patch.object(ledger, "load_ledger_safely", no_parse),
    ):
        figures = cache.cached_figures(load_cooperative(folder))
    return None if figures is None else cache.figures_to_json(figures)


def _chain(scratch: Path, steps: list[list[tuple]]) -> None:
    a = split_coop(scratch / "a")
    b = scratch / "b"
    shutil.copytree(a, b)
    fast, slow, _why = _close_both(a, b, "2026-09")
    assert fast == slow and fast[0] == 0
    for month, edits in zip(CHAIN, steps):
        for number, edit in enumerate(edits):
            if edit[0] == "dry run":
                fast, slow, why = _dry_both(a, b, month)
                assert fast == slow, (month, edits, why, fast, slow)
            elif edit[0] == "reopen and close again":
                closed = _previous(month)
                runs = [run_cli(a, "reopen", closed), run_cli(b, "reopen", closed, env=NO_CACHE)]
                assert [(r.exit_code, r.stdout, r.stderr) for r in runs[:1]] == [
                    (r.exit_code, r.stdout, r.stderr) for r in runs[1:]
                ]
                fast, slow, why = _close_both(a, b, closed)
                assert fast == slow, (month, edits, why, fast[:3], slow[:3])
            for folder in (a, b):
                _chain_edit(folder, 10 * CHAIN.index(month) + number, edit, month)
        fast, slow, why = _close_both(a, b, month)
        event(f"{month}: " + ("sealed" if why is None else "whole load" if fast[0] == 0 else "refused"))
        assert fast == slow, (month, edits, why, fast[:3], slow[:3])
        if fast[0] != 0:
            return
        # the close left the cache describing the ledger it wrote, with a whole load's figures
        assert _warm(a) == _whole_load_figures(a), (month, edits, why)


@settings(
    max_examples=int(os.environ.get("H26_EXAMPLES", "12")),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(st.lists(st.lists(CHAIN_EDITS, max_size=3), min_size=2, max_size=4))
def test_chains_of_closes_with_hand_edits_between_them_close_as_the_whole_load(steps):
    saved = os.environ.get("COOPCTL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["COOPCTL_CACHE_DIR"] = str(Path(scratch) / "cache")
        try:
            with mock.patch.object(cli, "_today", lambda: NEXT_MARCH):
                _chain(Path(scratch), steps)
        finally:
            if saved is None:
                os.environ.pop("COOPCTL_CACHE_DIR", None)
            else:
                os.environ["COOPCTL_CACHE_DIR"] = saved
