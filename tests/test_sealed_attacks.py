"""Adversarial review of the close through the seal (issue 18): hand edits between commands that try to make
the sealed ``close-month`` (writing, and ``--dry-run``) answer or write what the whole load would not.

Each attack is run twice from the same state: in ``a`` with this machine's cache and seal (the fast path when
it holds), in a copy ``b`` with the cache disabled (the whole load). Both must print the same, exit the same
and leave every file byte for byte the same; ``check`` (which loads everything) must agree on both afterwards.
"""

from __future__ import annotations

import datetime
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli
from test_sealed_close import NO_CACHE, OCTOBER, SEPTEMBER, _append, _closed_coop, _invoice
from test_sealed_close_write import DECEMBER_15, _close_both

from coopctl.app import sealed
from coopctl.store import seals
from coopctl.ui import cli

MONTHS = "ledgers/months"


def _dry_both(a: Path, b: Path, *args: str) -> tuple[tuple, tuple, str | None]:
    sealed.last_fallback[0] = "not run"
    fast = run_cli(a, "close-month", "--dry-run", *args)
    why = sealed.last_fallback[0]
    slow = run_cli(b, "close-month", "--dry-run", *args, env=NO_CACHE)
    return (fast.exit_code, fast.stdout, fast.stderr), (slow.exit_code, slow.stdout, slow.stderr), why


def _attack(
    tmp_path: Path,
    monkeypatch,
    edit: Callable[[Path], None],
    month: str = "2026-10",
    today: datetime.date = DECEMBER_15,
    refresh: bool = True,
) -> tuple[tuple, str | None]:
    """September closed and sealed in ``a``; ``edit`` applied; the cache brought up to date by a read-only
    command (``refresh``); ``a`` copied to ``b``; then the dry run and the close of ``month`` in both."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: today)
    a = _closed_coop(tmp_path / "a")
    edit(a)
    if refresh:  # the cache follows the ledger when the ledger loads; a read-only answer is the whole load's
        first, whole, warm = (run_cli(a, "members", env=env) for env in (None, NO_CACHE, None))
        assert [(r.exit_code, r.stdout, r.stderr) for r in (first, warm)] == [
            (whole.exit_code, whole.stdout, whole.stderr)
        ] * 2
    b = tmp_path / "b"
    shutil.copytree(a, b, symlinks=True)
    dry_fast, dry_slow, dry_why = _dry_both(a, b, month)
    assert dry_fast == dry_slow, (dry_why, dry_fast, dry_slow)
    fast, slow, why = _close_both(a, b, month)
    assert fast == slow, (why, fast[:3], slow[:3])
    check_a = run_cli(a, "check", env=NO_CACHE)
    check_b = run_cli(b, "check", env=NO_CACHE)
    assert (check_a.exit_code, check_a.stdout, check_a.stderr) == (
        check_b.exit_code,
        check_b.stdout,
        check_b.stderr,
    )
    return fast, why


def _write(folder: Path, rel: str, text: str) -> None:
    (folder / rel).write_text(text, encoding="utf-8")


# ------------------------------------------------------------------ the first attacks: what the cache reads


def test_a_closed_file_edited_keeping_its_size_and_times(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        path = folder / SEPTEMBER
        st = path.stat()
        raw = path.read_bytes()
        assert b"Invoice" in raw or b'"' in raw
        index = raw.index(b'"', raw.index(b"*")) + 1  # the payee's first letter, in the closed September
        changed = raw[:index] + (b"Y" if raw[index : index + 1] != b"Y" else b"Z") + raw[index + 1 :]
        path.write_bytes(changed)
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))

    fast, why = _attack(tmp_path, monkeypatch, edit)
    assert why is not None and fast[0] == 1  # refused, as the whole load refuses it


def test_an_include_added_to_the_open_months_file_reaching_a_closed_month_entry(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _write(folder, "ledgers/extra.beancount", _invoice("2026-09-20", "DanDesign", 5000))
        _append(folder, OCTOBER, '\ninclude "../extra.beancount"\n')

    fast, why = _attack(tmp_path, monkeypatch, edit)
    assert why is not None and fast[0] == 1


def test_a_new_file_matched_by_the_glob_with_a_closed_month_entry(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _write(folder, f"{MONTHS}/2026-09-late.beancount", _invoice("2026-09-29", "BoisNomade", 700))

    fast, why = _attack(tmp_path, monkeypatch, edit)
    assert why is not None and fast[0] == 1


@pytest.mark.parametrize(
    "line",
    [
        'option "title" "Autre titre"',
        'option "render_commas" "TRUE"',
        'option "display_precision" "EUR:0.001"',
        'option "booking_method" "FIFO"',
        'option "inferred_tolerance_default" "EUR:1000"',
        'plugin "beancount.plugins.auto_accounts"',
        'plugin "beancount.plugins.noduplicates"',
    ],
)
@pytest.mark.parametrize("where", ["open month file", "main"])
def test_an_option_or_plugin_line_added(tmp_path, monkeypatch, line, where):
    def edit(folder: Path) -> None:
        rel = OCTOBER if where == "open month file" else "ledgers/main.beancount"
        _append(folder, rel, f"\n{line}\n")
        _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))

    _attack(tmp_path, monkeypatch, edit)


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-20 balance Assets:Bank:Main  0 EUR\n",
        "2026-10-20 pad Assets:Bank:Main Equity:Coop:Opening\n2026-10-25 balance Assets:Bank:Main  10 EUR\n",
        "2026-10-20 close Assets:Receivable:DanDesign\n",
        '2026-10-20 note Assets:Bank:Main "a note"\n',
        '2026-10-20 event "location" "Lyon"\n',
        "2026-10-20 commodity EUR\n",
        "2026-10-20 price USD 0.9 EUR\n",
        '2026-10-20 custom "coopctl-close" "2026-10"\n',
        '2026-10-20 query "q" "SELECT account"\n',
    ],
)
def test_a_directive_in_a_new_open_month_file(tmp_path, monkeypatch, text):
    def edit(folder: Path) -> None:
        _write(folder, f"{MONTHS}/2026-10-x.beancount", text)

    _attack(tmp_path, monkeypatch, edit)


def test_pushtag_and_pushmeta_in_a_new_file(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _write(
            folder,
            f"{MONTHS}/2026-10-tags.beancount",
            'pushtag #trip\npushmeta project: "x"\n'
            + _invoice("2026-10-12", "AtelierCommun", 9900)
            + "popmeta project:\npoptag #trip\n",
        )

    fast, why = _attack(tmp_path, monkeypatch, edit)
    assert why is None and fast[0] == 0  # the sealed close wrote it, the whole load's bytes


def test_an_unclosed_pushtag_in_a_new_file(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _write(
            folder,
            f"{MONTHS}/2026-10-tags.beancount",
            "pushtag #trip\n" + _invoice("2026-10-12", "DanDesign", 99),
        )

    _attack(tmp_path, monkeypatch, edit)


def test_a_date_beyond_the_accepted_years_in_an_open_month_file(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _append(folder, OCTOBER, _invoice("3001-01-02", "DanDesign", 4200))

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 1


def test_a_price_on_the_cooperatives_own_currency_in_an_open_month_file(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _append(
            folder,
            OCTOBER,
            '\n2026-10-21 * "Client" "weighs nothing"\n  Assets:Receivable:DanDesign  1.00 EUR\n'
            "  Income:Activity:DanDesign  -1000.00 EUR @ 0.001 EUR\n",
        )

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 1


def test_an_account_opened_in_another_currency_than_a_posting(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _write(
            folder,
            f"{MONTHS}/2026-10-usd.beancount",
            "2026-10-01 open Assets:Bank:Other USD\n"
            '2026-10-05 * "x"\n  Assets:Bank:Other  10.00 EUR\n  Assets:Bank:Main  -10.00 EUR\n',
        )

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 1
