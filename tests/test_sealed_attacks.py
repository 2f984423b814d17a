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
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import pytest
from conftest import run_cli
from hypothesis import event, given, settings
from hypothesis import strategies as st
from test_cache import split_coop
from test_sealed_close import NO_CACHE, OCTOBER, SEPTEMBER, _append, _closed_coop, _invoice
from test_sealed_close_write import DECEMBER_15, _close_both

from coopctl.app import sealed
from coopctl.store import seals
from coopctl.ui import cli

MONTHS = "ledgers/months"
last_dry_run: list[str | None] = [None]  # why the last attack's dry run did not use the seal (None: it did)


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
    month: str | None = "2026-10",
    today: datetime.date = DECEMBER_15,
    refresh: bool = True,
    before: Callable[[Path], None] | None = None,
) -> tuple[tuple, str | None]:
    """September closed and sealed in ``a`` (after ``before``, a layout to seal); ``edit`` applied; the cache
    brought up to date by a read-only command (``refresh``); ``a`` copied to ``b``; then the dry run and the
    close of ``month`` (None: the default month) in both."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: today)
    if before is None:
        a = _closed_coop(tmp_path / "a")
    else:
        a = split_coop(tmp_path / "a")
        before(a)
        assert run_cli(a, "close-month", "2026-09").exit_code == 0
        assert run_cli(a, "members").exit_code == 0
    edit(a)
    if refresh:  # the cache follows the ledger when the ledger loads; a read-only answer is the whole load's
        first, whole, warm = (run_cli(a, "members", env=env) for env in (None, NO_CACHE, None))
        assert [(r.exit_code, r.stdout, r.stderr) for r in (first, warm)] == [
            (whole.exit_code, whole.stdout, whole.stderr)
        ] * 2
    b = tmp_path / "b"
    shutil.copytree(a, b, symlinks=True)
    args = () if month is None else (month,)
    dry_fast, dry_slow, dry_why = _dry_both(a, b, *args)
    assert dry_fast == dry_slow, (dry_why, dry_fast, dry_slow)
    last_dry_run[0] = dry_why
    fast, slow, why = _close_both(a, b, *args)
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


# ------------------------------------------------------------------ the second attacks: what the seal covers


def _same_size_edit(path: Path) -> None:
    """One letter of the first payee changed in place: same size, same inode, mtime set back."""
    st = path.stat()
    raw = path.read_bytes()
    index = raw.index(b'"', raw.index(b"*")) + 1
    path.write_bytes(raw[:index] + (b"Y" if raw[index : index + 1] != b"Y" else b"Z") + raw[index + 1 :])
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


@pytest.mark.parametrize("rel", [SEPTEMBER, OCTOBER])
def test_a_same_size_same_mtime_edit_is_seen_even_without_the_racy_margin(tmp_path, monkeypatch, rel):
    """Only the change time (which no editor can set back) tells; with the racy margin at zero the stat rule
    alone decides whether the file is read again."""
    from coopctl.store import cache

    monkeypatch.setattr(cache, "RACY_MARGIN_NS", 0)
    fast, why = _attack(tmp_path, monkeypatch, lambda folder: _same_size_edit(folder / rel))
    if rel == SEPTEMBER:
        assert why is not None and fast[0] == 1
    else:
        assert why is None and fast[0] == 0  # through the seal, the edited payee in the closing's marker


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "2020-01-01 open Assets:Receivable:DanDesign EUR",
            "2026-10-01 open Assets:Receivable:DanDesign EUR",
        ),
        ("2020-01-01 open Assets:Bank:Main EUR", "2020-01-01 open Assets:Bank:Main USD"),
        ("2020-01-01 open Assets:Bank:Main EUR", "2020-01-01 open Assets:Bank:Main EUR,USD"),
    ],
)
def test_an_open_directive_moved_or_constrained(tmp_path, monkeypatch, old, new):
    def edit(folder: Path) -> None:
        path = folder / "ledgers" / "accounts.beancount"
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    _attack(tmp_path, monkeypatch, edit)


def test_an_open_month_file_opens_again_an_account_the_closed_months_use(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _write(folder, f"{MONTHS}/2026-10-open.beancount", "2026-10-01 open Assets:Bank:Main EUR\n")

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 1


@pytest.mark.parametrize(
    ("rel", "old", "new"),
    [
        ("config/members.yaml", "joined: 2024-03-01", "joined: 2024-03-02"),
        ("config/activities.yaml", "establishment: paris-11}", "establishment: paris-11 }"),
        ("config/coop.yaml", "\n", "\n# a comment\n"),
    ],
)
def test_a_config_edit(tmp_path, monkeypatch, rel, old, new):
    def edit(folder: Path) -> None:
        path = folder / rel
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))

    _attack(tmp_path, monkeypatch, edit)
    # the config changed since the seal: the dry run's whole load proved the closings again (and sealed them)
    assert last_dry_run[0] == "the config changed since the seal"


@pytest.mark.parametrize(
    "edit",
    [
        lambda folder: _append(folder, "ledgers/closing/2026-09.beancount", "\n; by hand\n"),
        lambda folder: (
            (folder / "ledgers" / "openings").mkdir(exist_ok=True)
            or _write(folder, "ledgers/openings/2026.beancount", "; by hand\n")
        ),
        lambda folder: (folder / "ledgers" / "closing" / "2026-09.beancount").unlink(),
    ],
    ids=["closing edited", "opening added", "closing removed"],
)
def test_a_hand_edit_under_closing_or_openings(tmp_path, monkeypatch, edit):
    _fast, why = _attack(tmp_path, monkeypatch, edit)
    assert why is not None


def _move(folder: Path, source: str, target: str, date: str) -> None:
    """Move the first transaction dated ``date`` from ``source`` to ``target``."""
    path = folder / source
    blocks = path.read_text(encoding="utf-8").split("\n\n")
    moved = next(block for block in blocks if block.lstrip().startswith(date))
    path.write_text("\n\n".join(block for block in blocks if block is not moved), encoding="utf-8")
    _append(folder, target, "\n\n" + moved.strip("\n") + "\n")


def test_a_transaction_moved_between_files(tmp_path, monkeypatch):
    september_day = next(
        line[:10]
        for line in (split_coop(tmp_path / "probe") / SEPTEMBER).read_text(encoding="utf-8").splitlines()
        if line[:4] == "2026" and " * " in line
    )
    _attack(tmp_path, monkeypatch, lambda folder: _move(folder, SEPTEMBER, OCTOBER, september_day))


def test_an_open_month_transaction_moved_into_the_closed_months_file(tmp_path, monkeypatch):
    def edit(folder: Path) -> None:
        _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))
        _move(folder, OCTOBER, SEPTEMBER, "2026-10-21")

    _attack(tmp_path, monkeypatch, edit)


@pytest.mark.parametrize("rel", [OCTOBER, SEPTEMBER])
def test_a_ledger_file_the_seal_knew_is_deleted(tmp_path, monkeypatch, rel):
    fast, why = _attack(tmp_path, monkeypatch, lambda folder: (folder / rel).unlink())
    if rel == SEPTEMBER:
        assert why is not None and fast[0] == 1


def test_an_include_dropped_then_its_file_edited_with_a_closed_month_entry(tmp_path, monkeypatch):
    def before(folder: Path) -> None:
        _write(folder, "ledgers/extra.beancount", _invoice("2026-10-03", "BoisNomade", 1234))
        _append(folder, OCTOBER, '\ninclude "../extra.beancount"\n')

    def edit(folder: Path) -> None:
        path = folder / OCTOBER
        path.write_text(path.read_text(encoding="utf-8").replace('include "../extra.beancount"', ""))
        _append(folder, "ledgers/extra.beancount", _invoice("2026-09-03", "BoisNomade", 1))

    fast, why = _attack(tmp_path, monkeypatch, edit, before=before)
    assert why is None and fast[0] == 0  # no longer read by either path


def test_a_glob_in_the_open_months_file_matching_a_new_file(tmp_path, monkeypatch):
    def before(folder: Path) -> None:
        (folder / "ledgers" / "october").mkdir()
        _write(folder, "ledgers/october/a.beancount", _invoice("2026-10-03", "BoisNomade", 1234))
        _append(folder, OCTOBER, '\ninclude "../october/*.beancount"\n')

    def edit(folder: Path) -> None:
        _write(folder, "ledgers/october/b.beancount", _invoice("2026-10-04", "DanDesign", 777))

    fast, why = _attack(tmp_path, monkeypatch, edit, before=before)
    assert why is None and fast[0] == 0


def _linked_october(folder: Path) -> None:
    """The October file a symbolic link to ledgers/real/october.beancount."""
    (folder / "ledgers" / "real").mkdir()
    (folder / OCTOBER).rename(folder / "ledgers" / "real" / "october.beancount")
    (folder / OCTOBER).symlink_to("../real/october.beancount")


@pytest.mark.parametrize("closed_entry", [False, True])
@pytest.mark.parametrize("how", ["target edited", "link retargeted"])
def test_a_symlinked_ledger_file_whose_target_changes(tmp_path, monkeypatch, how, closed_entry):
    def edit(folder: Path) -> None:
        real = folder / "ledgers" / "real"
        extra = _invoice("2026-09-12" if closed_entry else "2026-10-12", "DanDesign", 4321)
        if how == "target edited":
            _append(folder, "ledgers/real/october.beancount", extra)
        else:
            (real / "other.beancount").write_text(
                (real / "october.beancount").read_text(encoding="utf-8") + extra, encoding="utf-8"
            )
            (folder / OCTOBER).unlink()
            (folder / OCTOBER).symlink_to("../real/other.beancount")

    fast, why = _attack(tmp_path, monkeypatch, edit, before=_linked_october)
    assert (why is None) == (not closed_entry) and fast[0] == (1 if closed_entry else 0)


@pytest.mark.parametrize("month", ["2026-10", None])
@pytest.mark.parametrize("today", [datetime.date(2026, 10, 31), datetime.date(2026, 11, 1)])
def test_the_day_boundary(tmp_path, monkeypatch, month, today):
    fast, why = _attack(
        tmp_path,
        monkeypatch,
        lambda folder: _append(folder, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200)),
        month=month,
        today=today,
    )
    assert fast[0] == (1 if today.month == 10 else 0)


def test_a_month_after_the_next_open_one(tmp_path, monkeypatch):
    fast, _why = _attack(tmp_path, monkeypatch, lambda folder: None, month="2026-11")
    assert fast[0] == 1


# ------------------------------------------------------------------ a crash between the write and the seal


@pytest.mark.parametrize("then", ["closed month edited", "next month added"])
def test_a_crash_before_the_seal_reaches_the_closed_month_then_a_hand_edit(tmp_path, monkeypatch, then):
    """The journaled write done, the process dies before ``seals.extend``: the seal still says September,
    the ledger October. A hand edit, then the close of November: both paths agree."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = _closed_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    with monkeypatch.context() as patch:
        patch.setattr(seals, "extend", lambda *args, **kwargs: None)
        fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0
    for folder in (a, b):
        if then == "closed month edited":
            _append(folder, OCTOBER, _invoice("2026-10-25", "DanDesign", 4200))
        else:
            _write(folder, "ledgers/months/2026-11.beancount", _invoice("2026-11-05", "DanDesign", 4200))
    run_cli(a, "members")
    fast, slow, why = _close_both(a, b, "2026-11")
    assert why is not None and fast == slow
    assert fast[0] == (1 if then == "closed month edited" else 0)


def test_a_reopened_month_closed_again_after_an_edit(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = _closed_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0
    for folder, env in ((a, None), (b, NO_CACHE)):
        run = run_cli(folder, "reopen", "2026-10", env=env)
        assert run.exit_code == 0, run.stderr
        _append(folder, OCTOBER, _invoice("2026-10-30", "AtelierCommun", 31000))
    run_cli(a, "members")
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow and fast[0] == 0


# ------------------------------------------------------------- what the whole load refuses before parsing


@pytest.mark.parametrize(
    "prefix",
    [b"\xef\xbb\xbf", b"\xef\xbb\xbf\n", b"; " + b"x" * 20_001 + b"\n"],
    ids=["bom", "bom then newline", "a line too long"],
)
def test_bytes_the_whole_load_refuses_in_an_open_month_file(tmp_path, monkeypatch, prefix):
    def edit(folder: Path) -> None:
        (folder / MONTHS / "2026-10-raw.beancount").write_bytes(
            prefix + _invoice("2026-10-12", "DanDesign", 4200).encode("utf-8")
        )

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 1


# ------------------------------------------------------------- the sample cooperative: a year closed before


def test_the_sample_cooperative_after_close_year_closes_through_the_seal_as_the_whole_load(
    tmp_path, monkeypatch
):
    """The README's cooperative: 2025 closed by close-year (openings/2026), 2026 closed to September. A
    ``check`` seals it; the close of October through the seal writes the whole load's bytes (and the
    year-scoped load's, the seal forgotten)."""
    repo = Path(__file__).resolve().parent.parent
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = tmp_path / "a"
    for name in ("config", "ledgers"):
        shutil.copytree(repo / name, a / name)
    assert run_cli(a, "check").exit_code == 0
    _append(a, "ledgers/2026/2026-10.beancount", _invoice("2026-10-21", "BoisNomade", 4200))
    assert run_cli(a, "members").exit_code == 0
    b, c = tmp_path / "b", tmp_path / "c"
    shutil.copytree(a, b)
    shutil.copytree(a, c)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0
    from coopctl.store.configfile import load_cooperative

    assert run_cli(c, "check").exit_code == 0  # proves the opening of 2026 on this machine, and seals
    assert run_cli(c, "members").exit_code == 0  # the cache describes the ledger
    seals.forget(load_cooperative(c))
    sealed.last_fallback[0] = "not run"
    scoped = run_cli(c, "close-month", "2026-10")
    assert str(sealed.last_fallback[0]).startswith("no seal")
    assert (scoped.exit_code, scoped.stdout, scoped.stderr) == fast[:3]


# ------------------------------------------------------------------ open-month entries of every shape

SHAPES = {
    "paid": '2026-10-25 * "Client" "paid"\n  Assets:Bank:Main  4800.00 EUR\n  Assets:Receivable:BoisNomade\n',
    "expense": '2026-10-26 * "Supplier" "glue"\n  Expenses:Activity:BoisNomade:Supplies  12.30 EUR\n'
    "  Assets:Bank:Main  -12.30 EUR\n",
    "credit note": '2026-10-27 * "Client" "credit note"\n  Assets:Receivable:DanDesign  -120.00 EUR\n'
    "  Income:Activity:DanDesign  100.00 EUR\n  Liabilities:VAT:Collected  20.00 EUR\n",
    "equity": '2026-10-28 * "transfer"\n  Equity:Activity:BoisNomade  50.00 EUR\n'
    "  Equity:Activity:AtelierCommun  -50.00 EUR\n",
    "tags, links, metadata": '2026-10-02 ! "Client" "tagged" #trip ^inv-9\n  ref: "A-1"\n'
    '  Assets:Receivable:AtelierCommun  12.00 EUR\n    line: "x"\n'
    "  Income:Activity:AtelierCommun  -10.00 EUR\n"
    "  Liabilities:VAT:Collected  -2.00 EUR\n",
    "foreign currency": "2026-10-01 open Assets:Bank:Usd USD\n"
    '2026-10-03 * "Client" "in dollars"\n  Assets:Bank:Usd  100.00 USD @ 0.90 EUR\n'
    "  Income:Activity:DanDesign  -90.00 EUR\n",
    "amounts as written": '2026-10-04 * "Client" "ten"\n  Assets:Receivable:DanDesign  12.0 EUR\n'
    "  Income:Activity:DanDesign  -10 EUR\n  Liabilities:VAT:Collected  -2.000 EUR\n",
    "next month": '2026-11-03 * "Client" "later"\n  Assets:Receivable:DanDesign  12.00 EUR\n'
    "  Income:Activity:DanDesign  -10.00 EUR\n  Liabilities:VAT:Collected  -2.00 EUR\n",
    "first day": '2026-10-01 * "Client" "first"\n  Assets:Receivable:DanDesign  12.00 EUR\n'
    "  Income:Activity:DanDesign  -10.00 EUR\n  Liabilities:VAT:Collected  -2.00 EUR\n",
}


@pytest.mark.parametrize("shape", [*SHAPES, "all"])
@pytest.mark.parametrize("where", ["open month file", "new file"])
def test_open_month_entries_of_every_shape_close_through_the_seal_as_the_whole_load(
    tmp_path, monkeypatch, shape, where
):
    text = "\n" + ("\n".join(SHAPES.values()) if shape == "all" else SHAPES[shape])

    def edit(folder: Path) -> None:
        if where == "new file":
            _write(folder, f"{MONTHS}/2026-10-shapes.beancount", text)
        else:
            _append(folder, OCTOBER, text)

    fast, why = _attack(tmp_path, monkeypatch, edit)
    assert why is None and fast[0] == 0


# ------------------------------------------------------------------ after a close through the seal


NOVEMBER_INVOICE = _invoice("2026-11-05", "DanDesign", 4200)
AFTER_A_SEALED_CLOSE = {
    "closed month edited": lambda folder: _append(folder, OCTOBER, _invoice("2026-10-25", "DanDesign", 1)),
    "next month in the closed month's file": lambda folder: _append(folder, OCTOBER, NOVEMBER_INVOICE),
    "next month in an older closed file": lambda folder: _append(folder, SEPTEMBER, NOVEMBER_INVOICE),
    "next month in a new file": lambda folder: _write(
        folder, f"{MONTHS}/2026-11.beancount", NOVEMBER_INVOICE
    ),
    "closed month's file emptied of its last entries": lambda folder: _move(
        folder, OCTOBER, f"{MONTHS}/2026-10-moved.beancount", "2026-10-20"
    ),
    "closing edited": lambda folder: _append(folder, "ledgers/closing/2026-10.beancount", "\n; by hand\n"),
}


@pytest.mark.parametrize("then", AFTER_A_SEALED_CLOSE)
def test_after_a_close_through_the_seal_an_edit_then_the_next_close(tmp_path, monkeypatch, then):
    """October closed through the seal (which then reaches October); an edit; November closed: both paths
    agree, and the edit of a closed month is refused by both."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = _closed_coop(tmp_path / "a")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0
    for folder in (a, b):
        AFTER_A_SEALED_CLOSE[then](folder)
    run_cli(a, "members")
    dry_fast, dry_slow, _dry_why = _dry_both(a, b, "2026-11")
    assert dry_fast == dry_slow
    fast, slow, why = _close_both(a, b, "2026-11")
    assert fast == slow, (why, fast[:3], slow[:3])
    if then in ("closed month edited", "closing edited"):
        assert fast[0] == 1
    elif then == "next month in a new file":
        assert why is None and fast[0] == 0


# ------------------------------------------------------------------ a closing an older coopctl wrote


def test_a_month_closed_by_an_older_coopctl(tmp_path, monkeypatch):
    """September closed as coopctl 0.1 wrote it (no full digest): ``verify_closings`` proves it with a
    warning (``recompute.legacy``). ``check`` seals it; the close of October must still answer as the whole
    load does."""
    from coopctl.app import closing

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = split_coop(tmp_path / "a")
    written = closing.month_closing_bytes
    with monkeypatch.context() as patch:
        patch.setattr(
            closing,
            "month_closing_bytes",
            lambda *args, **kwargs: written(*args, **{**kwargs, "legacy": True}),
        )
        assert run_cli(a, "close-month", "2026-09", env=NO_CACHE).exit_code == 0
    assert "digest:" not in (a / "ledgers" / "closing" / "2026-09.beancount").read_text(encoding="utf-8")
    check = run_cli(a, "check")
    assert "older coopctl" in check.stderr, check.stderr
    _append(a, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))
    run_cli(a, "members")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    dry_fast, dry_slow, _why = _dry_both(a, b, "2026-10")
    assert dry_fast == dry_slow
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 0, fast  # an older coopctl's closing is check's warning, not a refusal to close on


@pytest.mark.parametrize("command", ["check", "close-month"])
def test_a_closing_file_edited_while_a_whole_load_proves_it_is_not_sealed(tmp_path, monkeypatch, command):
    """The edit lands after the whole load read the closing of September and before the seal is written:
    the seal must not take the edited file as proven (it records the bytes the load read, so the next
    close finds the file changed)."""
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = split_coop(tmp_path / "a")
    assert run_cli(a, "close-month", "2026-09", env=NO_CACHE).exit_code == 0
    closing_file = a / "ledgers" / "closing" / "2026-09.beancount"
    own_files = seals._own_files

    def edited_first(coop):
        if closing_file.read_bytes().endswith(b"\n"):
            closing_file.write_bytes(closing_file.read_bytes() + b"; edited meanwhile")
        return own_files(coop)

    with monkeypatch.context() as patch:
        patch.setattr(seals, "_own_files", edited_first)
        args = ("close-month", "--dry-run", "2026-10") if command == "close-month" else ("check",)
        run_cli(a, *args)
    run_cli(a, "members")
    b = tmp_path / "b"
    shutil.copytree(a, b)
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is not None and fast == slow and fast[0] == 1


def test_a_month_whose_closing_would_post_an_absurd_amount(tmp_path, monkeypatch):
    """Each invoice below the ledger's largest amount, their month's contribution above it: the whole load's
    reload after writing refuses the closing file (``ledger.absurd_amount``), so must the sealed close."""

    def edit(folder: Path) -> None:
        _append(
            folder,
            OCTOBER,
            "".join(_invoice(f"2026-10-{day:02d}", "DanDesign", 8 * 10**13) for day in range(1, 29)),
        )

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 1


def test_a_day_with_thousands_of_entries_closes_on_both_paths(tmp_path, monkeypatch):
    """A closing's marker lists a day's fingerprints (11 bytes each); on one line, about 1,800 entries in a
    day passed the whole load's line limit (``ledger.line_too_long``) and such a month could never close.
    A busy day now goes on over ``dNN_2``, ``dNN_3``… (1,000 a line): 1,900 invoices on 30 October close,
    through the seal as through the whole load, byte for byte, and check proves the closing."""

    def edit(folder: Path) -> None:
        _write(
            folder,
            f"{MONTHS}/2026-10-bulk.beancount",
            "".join(_invoice("2026-10-30", "DanDesign", 100 + n) for n in range(1900)),
        )

    fast, _why = _attack(tmp_path, monkeypatch, edit)
    assert fast[0] == 0, fast
    closing = next(tmp_path.rglob("closing/2026-10.beancount")).read_text(encoding="utf-8")
    assert "\n  d30: " in closing and "\n  d30_2: " in closing
    assert max(len(line) for line in closing.splitlines()) < 20_000
    proof = run_cli(tmp_path / "a", "check", env=NO_CACHE)
    assert proof.exit_code == 0, proof.stderr


def test_a_cooperative_reached_through_a_symbolic_link(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    real = split_coop(tmp_path / "real")
    a = tmp_path / "a"
    a.symlink_to(real)
    assert run_cli(a, "close-month", "2026-09").exit_code == 0
    _append(a, OCTOBER, _invoice("2026-10-21", "DanDesign", 4200))
    _write(a, f"{MONTHS}/2026-10-b.beancount", _invoice("2026-10-22", "BoisNomade", 5000))
    assert run_cli(a, "members").exit_code == 0
    b = tmp_path / "b"
    shutil.copytree(real, b)
    dry_fast, dry_slow, _why = _dry_both(a, b, "2026-10")
    assert dry_fast == dry_slow
    fast, slow, why = _close_both(a, b, "2026-10")
    assert why is None and fast == slow and fast[0] == 0


# ------------------------------------------------------------------ the attacks mixed at random

MIXED = st.one_of(
    st.tuples(
        st.just("invoice"), st.sampled_from(["month file", "new file", "closed file"]), st.integers(1, 28)
    ),
    st.tuples(st.just("shape"), st.sampled_from(sorted(SHAPES)), st.integers(0, 0)),
    st.tuples(st.just("same size"), st.sampled_from(["month file", "closed file"]), st.integers(0, 0)),
    st.tuples(st.just("include"), st.sampled_from(["month", "closed"]), st.integers(1, 28)),
    st.tuples(
        st.just("option"),
        st.sampled_from(['option "title" "T"', 'option "render_commas" "TRUE"']),
        st.just(0),
    ),
    st.tuples(st.just("closing comment"), st.just(""), st.just(0)),
    st.tuples(st.just("moved"), st.just(""), st.just(0)),
)


def _mixed(folder: Path, number: int, edit: tuple, month: str, closed: str) -> None:
    kind, what, day = edit
    month_file, closed_file = f"{MONTHS}/{month}.beancount", f"{MONTHS}/{closed}.beancount"
    if not (folder / month_file).exists():
        _write(folder, month_file, "")
    if kind == "invoice":
        when = f"{closed if what == 'closed file' else month}-{day:02d}"
        rel = {"month file": month_file, "closed file": closed_file}.get(
            what, f"{MONTHS}/{month}-n{number}.beancount"
        )
        _append(folder, rel, _invoice(when, "DanDesign", 1000 + number))
    elif kind == "shape":
        _append(folder, month_file, "\n" + SHAPES[what].replace("2026-10", month).replace("2026-11", month))
    elif kind == "same size":
        path = folder / (month_file if what == "month file" else closed_file)
        if b"*" in path.read_bytes():
            _same_size_edit(path)
    elif kind == "include":
        target = f"ledgers/extra-{number}.beancount"
        _write(
            folder, target, _invoice(f"{month if what == 'month' else closed}-{day:02d}", "BoisNomade", 77)
        )
        _append(folder, month_file, f'\ninclude "../extra-{number}.beancount"\n')
    elif kind == "option":
        _append(folder, month_file, f"\n{what}\n")
    elif kind == "closing comment":
        _append(folder, f"ledgers/closing/{closed}.beancount", "\n; by hand\n")
    else:  # the month's first transaction moved to a new file
        text = (folder / month_file).read_text(encoding="utf-8")
        dates = [line[:10] for line in text.splitlines() if line.startswith(month) and " * " in line]
        if dates:
            _move(folder, month_file, f"{MONTHS}/{month}-moved-{number}.beancount", dates[0])


@settings(max_examples=int(os.environ.get("H24_EXAMPLES", "10")), deadline=None)
@given(st.lists(MIXED, min_size=1, max_size=3), st.lists(MIXED, max_size=2))
def test_mixed_attacks_close_as_the_whole_load(october, november):
    saved = os.environ.get("COOPCTL_CACHE_DIR")
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["COOPCTL_CACHE_DIR"] = str(Path(scratch) / "cache")
        try:
            with mock.patch.object(cli, "_today", lambda: DECEMBER_15):
                _mixed_closes(Path(scratch), october, november)
        finally:
            if saved is None:
                os.environ.pop("COOPCTL_CACHE_DIR", None)
            else:
                os.environ["COOPCTL_CACHE_DIR"] = saved


def _mixed_closes(scratch: Path, october: list, november: list) -> None:
    a, b = _closed_coop(scratch / "a"), scratch / "b"
    for number, edit in enumerate(october):
        _mixed(a, number, edit, "2026-10", "2026-09")
    run_cli(a, "members")
    shutil.copytree(a, b)
    dry_fast, dry_slow, _why = _dry_both(a, b, "2026-10")
    assert dry_fast == dry_slow, (october, dry_fast, dry_slow)
    fast, slow, why = _close_both(a, b, "2026-10")
    event("october: sealed" if why is None else "october: whole load")
    assert fast == slow, (october, why, fast[:3], slow[:3])
    if fast[0] != 0:
        return
    for number, edit in enumerate(november):
        for folder in (a, b):
            _mixed(folder, 10 + number, edit, "2026-11", "2026-10")
    run_cli(a, "members")
    fast, slow, why = _close_both(a, b, "2026-11")
    event("november: sealed" if why is None else "november: whole load")
    assert fast == slow, (november, why, fast[:3], slow[:3])
