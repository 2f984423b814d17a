"""Issue 13, hostile review: every way to make a closed month say something else, each turned into a test.

Each attack CLASS below tampers with a cooperative (a small inline one, or a copy of the sample closed
through 2026-09 with 2025 closed by close-year) and proves that ``coopctl check`` exits 1 with an
``error:`` line naming the file (and the line where it makes sense) and saying how to repair, and,
where a close could be fooled, that ``close-month`` refuses with nothing written.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import COOP_YAML, EXAMPLE_LEDGER, run_cli, snapshot, write_coop

REPAIR_WORDS = ("restore", "git checkout", "reopen", "remove", "move", "post ", "close it again")
MAIN = "ledgers/main.beancount"
SEPT = "ledgers/closing/2026-09.beancount"


@pytest.fixture(autouse=True)
def _private_state(tmp_path, monkeypatch):
    """coopctl's write journal in a folder of this test's own (never the user's ~/.local/state)."""
    state = tmp_path / "state"
    monkeypatch.setenv("COOPCTL_STATE_DIR", str(state))
    return state


# --------------------------------------------------------------------------- helpers


def errors_of(run) -> list[str]:
    return [line for line in run.stderr.splitlines() if line.startswith("error:")]


def check_fails(root: Path, file: str, line: int | None = None, *, words: tuple[str, ...] = ()) -> str:
    """``coopctl check`` exits 1 with an error line naming ``file`` (at ``line``) that says how to repair."""
    run = run_cli(root, "check")
    assert run.exit_code == 1, (run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    where = f"error: {file}:{line}:" if line is not None else f"error: {file}"
    found = [e for e in errors_of(run) if e.startswith(where)]
    assert found, f"no error naming {where!r} in:\n{run.stderr}"
    assert any(any(w in e for w in REPAIR_WORDS) for e in found), f"no repair hint in {found}"
    for word in words:
        assert any(word in e for e in found), f"{word!r} not in {found}"
    return "\n".join(found)


def refuses(root: Path, *args: str) -> str:
    """The command exits 1, one error line, nothing written."""
    before = snapshot(root)
    run = run_cli(root, *args)
    assert run.exit_code == 1, (args, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    assert errors_of(run), run.stderr
    assert snapshot(root) == before, f"{args} wrote files although it refused"
    return run.stderr


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of ``path`` containing ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, (old, path)
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text))


def balance_before(root: Path, account: str, day: str) -> Decimal:
    """The account's balance at the start of ``day``, read by Beancount (a balance assertion that holds)."""
    import datetime

    from beancount import loader
    from beancount.core import data

    entries, _errors, _options = loader.load_file(str(root / MAIN))
    limit = datetime.date.fromisoformat(day)
    return sum(
        (
            p.units.number
            for e in entries
            if isinstance(e, data.Transaction) and e.date < limit
            for p in e.postings
            if p.account == account
        ),
        Decimal(0),
    )


@pytest.fixture
def closed_example(tmp_path: Path) -> Path:
    """DESIGN's worked example with 2026-10 closed."""
    root = write_coop(tmp_path / "coop")
    run = run_cli(root, "close-month", "2026-10")
    assert run.exit_code == 0, run.stderr
    return root


@pytest.fixture
def sample(sample_copy: Path) -> Path:
    run = run_cli(sample_copy, "check")
    assert run.exit_code == 0, run.stderr  # the untouched sample is clean
    return sample_copy


# --------------------------------------------------------------------------- 1. the include, the main ledger


def test_include_line_removed_from_the_main_ledger(sample):
    replace_in(sample / MAIN, 'include "closing/*.beancount"', "")
    check_fails(sample, "ledgers/closing/2025-10.beancount", words=('include "closing/*.beancount"',))
    check_fails(sample, SEPT)
    # every month now looks open: closing any of them again must refuse, writing nothing
    for month in ("2025-10", "2026-09", "2026-10"):
        refuses(sample, "close-month", month)
    refuses(sample, "close-month")


def test_include_line_removed_from_the_worked_example(closed_example):
    closing = closed_example / "ledgers/closing/2026-10.beancount"
    replace_in(closed_example / MAIN, 'include "closing/*.beancount"', "; (removed)")
    check_fails(closed_example, "ledgers/closing/2026-10.beancount", words=("include",))
    refuses(closed_example, "close-month", "2026-10")
    assert closing.is_file()


def test_main_ledger_emptied(sample):
    closing = sample / SEPT
    closed_bytes = closing.read_bytes()
    (sample / MAIN).write_text("", encoding="utf-8")
    check_fails(sample, SEPT)
    # close-month of an already-closed month refuses and does not overwrite its closing file;
    # a failed close deletes nothing
    for args in (
        ("close-month", "2026-09"),
        ("close-month", "2026-10"),
        ("close-month",),
        ("close-year", "2026"),
    ):
        refuses(sample, *args)
    assert closing.read_bytes() == closed_bytes


# --------------------------------------------------------------------------- 2. closing files


def _contribution_edit(sample: Path) -> tuple[str, str]:
    path = sample / SEPT
    replace_in(path, "   366.96 EUR", "   266.96 EUR")
    replace_in(path, "-366.96 EUR", "-266.96 EUR")
    return SEPT, "   266.96 EUR"


def _salary_edit(sample: Path) -> tuple[str, str]:
    # Bob's gross and net lowered together: the transaction still balances
    path = sample / SEPT
    replace_in(path, "Salary:Gross      1300.00 EUR", "Salary:Gross      1200.00 EUR")
    replace_in(
        path,
        "Liabilities:Payroll:Net                          -1014.00 EUR",
        "Liabilities:Payroll:Net                           -914.00 EUR",
    )
    return SEPT, "Salary:Gross      1200.00 EUR"


def _marker_sources(sample: Path) -> tuple[str, str]:
    path = sample / SEPT
    recorded = re.search(r'sources: "[0-9a-f]{16}"', path.read_text(encoding="utf-8"))
    assert recorded is not None
    replace_in(path, recorded.group(0), 'sources: "0000000000000000"')
    return SEPT, 'sources: "0000000000000000"'


def _marker_day(sample: Path) -> tuple[str, str]:
    path = sample / SEPT
    replace_in(path, 'd12: "16be4b5d29"', 'd12: "16be4b5d28"')
    return SEPT, 'd12: "16be4b5d28"'


def _marker_day_removed(sample: Path) -> tuple[str, str]:
    path = sample / SEPT
    line = line_of(path, 'd12: "16be4b5d29"')
    replace_in(path, '  d12: "16be4b5d29"\n', "")
    return SEPT, f"#{line}"


@pytest.mark.parametrize(
    "tamper",
    [_contribution_edit, _salary_edit, _marker_sources, _marker_day, _marker_day_removed],
    ids=["contribution", "gross-and-net", "marker-sources", "marker-dNN", "marker-dNN-removed"],
)
def test_closing_file_edited(sample, tamper):
    file, text = tamper(sample)
    line = int(text[1:]) if text.startswith("#") else line_of(sample / file, text)
    check_fails(sample, file, line, words=("git checkout",))
    refuses(sample, "close-month", "2026-10")


def test_extra_file_in_closing_moves_money_in_a_closed_month(sample):
    extra = "ledgers/closing/2026-09-fix.beancount"
    append(
        sample / extra,
        """\
        2026-09-30 * "Virement interne"
          Assets:Bank:Courant          -500.00 EUR
          Equity:Activity:BoisNomade    500.00 EUR
        """,
    )
    check_fails(sample, extra, words=("closing/",))
    refuses(sample, "close-month", "2026-10")


def test_extra_file_named_like_a_closing_in_a_subfolder(sample):
    extra = "ledgers/closing/old/2026-09.beancount"
    append(
        sample / extra,
        """\
        2026-09-30 * "Virement interne"
          Assets:Bank:Courant          -500.00 EUR
          Equity:Activity:BoisNomade    500.00 EUR
        """,
    )
    check_fails(sample, extra)


def test_closing_file_in_the_middle_deleted(sample):
    (sample / "ledgers/closing/2026-05.beancount").unlink()
    check_fails(sample, "ledgers/closing/2026-05.beancount", words=("git checkout",))
    refuses(sample, "close-month", "2026-05")
    refuses(sample, "close-month", "2026-10")


def test_last_closing_file_deleted_then_close_writes_it_again(sample):
    """Deleting the last closing file is reopening (documented): the close writes the same bytes again."""
    path = sample / SEPT
    original = path.read_bytes()
    path.unlink()
    assert run_cli(sample, "close-month", "2026-09").exit_code == 0
    assert path.read_bytes() == original


# --------------------------------------------------------------------------- 3. a hand-written close marker


@pytest.mark.parametrize(
    "file,month",
    [
        ("ledgers/2026/2026-10.beancount", "2026-10"),
        ("ledgers/2026/2026-09.beancount", "2026-09"),
        ("ledgers/accounts.beancount", "2026-10"),
    ],
)
def test_hand_written_close_marker(sample, file, month):
    path = sample / file
    last = "31" if month.endswith("10") else "30"
    append(path, f'\n{month}-{last} custom "coopctl-close" "{month}"\n')
    check_fails(sample, file, line_of(path, 'custom "coopctl-close"'))
    refuses(sample, "close-month", "2026-10")


def test_hand_written_close_marker_in_the_worked_example(tmp_path):
    root = write_coop(
        tmp_path / "coop", ledger=EXAMPLE_LEDGER + '\n2026-10-31 custom "coopctl-close" "2026-10"\n'
    )
    check_fails(root, MAIN, line_of(root / MAIN, "coopctl-close"))
    refuses(root, "close-month", "2026-10")
    refuses(root, "close-month", "2026-11")


def test_hand_written_year_close_marker(sample):
    path = sample / "ledgers/2026/2026-10.beancount"
    append(path, '\n2026-10-31 custom "coopctl-close-year" "2026"\n')
    check_fails(sample, "ledgers/2026/2026-10.beancount", line_of(path, "coopctl-close-year"))


# ------------------------------------------------------------------ 4. coopctl's metadata on a person's entry


@pytest.mark.parametrize(
    "meta",
    [
        ['close: "2026-09"'],
        ['close: "2026-10"', 'member: "alice"'],
        ['close_year: "2025"'],
        ['close_year: "2025"', 'activity: "BoisNomade"'],
        ['surplus: "2025"'],
        ['opening: "2026"'],
    ],
    ids=["close", "close+member", "close_year", "close_year+activity", "surplus", "opening"],
)
def test_coopctl_metadata_on_an_ordinary_transaction(sample, meta):
    path = sample / "ledgers/2026/2026-10.beancount"
    lines = "".join(f"  {m}\n" for m in meta)
    append(
        path,
        f'\n2026-10-15 * "Salaire octobre"\n{lines}'
        "  Expenses:Activity:BoisNomade:Salary:Gross   1900.00 EUR\n"
        "  Liabilities:Payroll:Net                    -1900.00 EUR\n",
    )
    key = meta[0].split(":")[0]
    check_fails(
        sample,
        "ledgers/2026/2026-10.beancount",
        line_of(path, '2026-10-15 * "Salaire octobre"'),
        words=(key,),
    )
    refuses(sample, "close-month", "2026-10")


def test_coopctl_metadata_in_the_worked_example(tmp_path):
    ledger = EXAMPLE_LEDGER + textwrap.dedent("""\

        2026-10-20 * "Contribution coopérative 2026-10"
          close: "2026-10"
          activity: "BoisNomade"
          Equity:Activity:BoisNomade   1.00 EUR
          Assets:Bank:Main            -1.00 EUR
        """)
    root = write_coop(tmp_path / "coop", ledger=ledger)
    check_fails(root, MAIN, line_of(root / MAIN, '2026-10-20 * "Contribution'), words=("close",))
    refuses(root, "close-month", "2026-10")


# --------------------------------------------------------------------------- 5. entries in sealed periods


BEFORE_FIRST = """\
    2025-09-15 * "Facture oubliée"
      Assets:Receivable:BoisNomade    1200.00 EUR
      Income:Activity:BoisNomade     -1200.00 EUR
    """


def test_entry_before_the_first_close_in_a_new_file(sample):
    append(sample / "ledgers/2025/2025-09.beancount", BEFORE_FIRST)
    out = check_fails(sample, "ledgers/closing/2025-10.beancount", words=("2025-09",))
    assert "before the first closed month" in out
    refuses(sample, "close-month", "2026-10")


def test_entry_before_the_first_close_in_an_existing_file(sample):
    append(sample / "ledgers/2025/2025-10.beancount", "\n" + textwrap.dedent(BEFORE_FIRST))
    check_fails(sample, "ledgers/closing/2025-10.beancount", words=("2025-09",))
    refuses(sample, "close-month", "2026-10")


def test_entry_before_the_first_close_in_the_worked_example(closed_example):
    append(
        closed_example / "ledgers/extra.beancount",
        """\
        2026-09-10 * "Facture oubliée"
          Assets:Receivable:BoisNomade   100.00 EUR
          Income:Activity:BoisNomade    -100.00 EUR
        """,
    )
    append(closed_example / MAIN, '\ninclude "extra.beancount"\n')
    check_fails(closed_example, "ledgers/closing/2026-10.beancount", words=("2026-09",))
    refuses(closed_example, "close-month", "2026-11")


IN_CLOSED = {
    "transaction": """\
        2026-09-15 * "Virement"
          Assets:Bank:Courant           -500.00 EUR
          Equity:Activity:BoisNomade     500.00 EUR
        """,
    "open": """\
        2026-09-10 open Assets:Bank:Secondaire EUR
        """,
    "balance": """\
        2026-09-15 balance Assets:Bank:Courant  {amount} EUR
        """,
}


@pytest.mark.parametrize("kind", ["transaction", "open", "balance"])
@pytest.mark.parametrize("where", ["new-included-file", "open-month-file"])
def test_entry_inside_a_closed_month(sample, kind, where):
    text = IN_CLOSED[kind].replace(
        "{amount}", str(balance_before(sample, "Assets:Bank:Courant", "2026-09-15"))
    )
    if where == "new-included-file":
        file = "ledgers/2026/2026-09-bis.beancount"
    else:
        file = "ledgers/2026/2026-10.beancount"
        text = "\n" + textwrap.dedent(text)
    append(sample / file, text)
    check_fails(sample, file, line_of(sample / file, textwrap.dedent(text).strip().split("\n")[0]))
    refuses(sample, "close-month", "2026-10")


# --------------------------------------------------------------------------- 6. the opening of a year


def test_opening_file_edited(sample, tmp_path):
    untouched = run_cli(sample, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert untouched.exit_code == 0, untouched.stderr
    path = sample / "ledgers/openings/2026.beancount"
    replace_in(
        path,
        "Assets:Bank:Courant                   93734.74 EUR",
        "Assets:Bank:Courant                   83734.74 EUR",
    )
    replace_in(
        path,
        "Equity:Activity:BoisNomade            -7918.24 EUR",
        "Equity:Activity:BoisNomade             2081.76 EUR",
    )
    check_fails(sample, "ledgers/openings/2026.beancount", line_of(path, "83734.74"))
    _close_ignores_the_tampered_opening(sample, untouched)


def _close_ignores_the_tampered_opening(sample: Path, untouched) -> None:
    """close-month 2026-10 either computes exactly what it computes on the untouched sample (the whole ledger,
    not the tampered balances) or refuses, naming the opening or the year's close, writing nothing."""
    before = snapshot(sample)
    tampered = run_cli(sample, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert "Traceback" not in tampered.stderr
    if tampered.exit_code == 0:
        assert tampered.json() == untouched.json()  # the close must not use the tampered balances
        return
    assert tampered.exit_code == 1, tampered.stderr
    assert any(
        e.startswith(("error: ledgers/openings/2026.beancount", "error: ledgers/closing/2025-year.beancount"))
        for e in errors_of(tampered)
    ), tampered.stderr
    refuses(sample, "close-month", "2026-10")  # and the close itself refuses, writing nothing
    assert snapshot(sample) == before


def test_opening_forged_with_its_seals_recomputed(sample):
    import hashlib

    from coopctl.adapter.ledger import file_year, seal_digest
    from coopctl.adapter.text import opening_digest

    untouched = run_cli(sample, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert untouched.exit_code == 0, untouched.stderr
    ledgers = sample / "ledgers"
    opening = ledgers / "openings/2026.beancount"
    replace_in(
        opening,
        "Assets:Bank:Courant                   93734.74 EUR",
        "Assets:Bank:Courant                   83734.74 EUR",
    )
    replace_in(
        opening,
        "Equity:Activity:BoisNomade            -7918.24 EUR",
        "Equity:Activity:BoisNomade             2081.76 EUR",
    )
    year_close = ledgers / "closing/2025-year.beancount"
    year_close.write_text(
        re.sub(
            r'opening_sha256: "[0-9a-f]{64}"',
            f'opening_sha256: "{opening_digest(opening.read_bytes())}"',
            year_close.read_text(encoding="utf-8"),
        ),
        encoding="utf-8",
    )
    sealed = [
        (str(p.relative_to(ledgers)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(ledgers.rglob("*.beancount"))
        if p.parent.name != "openings" and (file_year(p.relative_to(ledgers)) or 9999) < 2026
    ]
    opening.write_text(
        re.sub(
            r'sealed: "[0-9a-f]{64}"', f'sealed: "{seal_digest(sealed)}"', opening.read_text(encoding="utf-8")
        ),
        encoding="utf-8",
    )
    check_fails(sample, "ledgers/closing/2025-year.beancount", line_of(year_close, "opening_sha256"))
    _close_ignores_the_tampered_opening(sample, untouched)


def test_opening_file_added_for_a_year_not_closed(sample):
    path = sample / "ledgers/openings/2027.beancount"
    path.write_bytes((sample / "ledgers/openings/2026.beancount").read_bytes().replace(b"2026", b"2027"))
    check_fails(sample, "ledgers/openings/2027.beancount")


def test_config_changed_for_closed_months_names_a_file(sample):
    replace_in(sample / "config/members.yaml", 'gross: "1900.00"', 'gross: "1950.00"')
    run = run_cli(sample, "check")
    assert run.exit_code == 1
    assert all(re.match(r"error: (config/|ledgers/closing/)", e) for e in errors_of(run)), run.stderr
    refuses(sample, "close-month", "2026-10")


# ------------------------------------------------------------------------ 7. the close of a year, the surplus


def test_year_close_file_edited(sample):
    path = sample / "ledgers/closing/2025-year.beancount"
    replace_in(
        path,
        "Expenses:Activity:AtelierCommun:Achats            -758.71 EUR",
        "Expenses:Activity:AtelierCommun:Achats            -658.71 EUR",
    )
    replace_in(
        path,
        "Equity:Activity:AtelierCommun                     1352.63 EUR",
        "Equity:Activity:AtelierCommun                     1252.63 EUR",
    )
    check_fails(sample, "ledgers/closing/2025-year.beancount", line_of(path, "-658.71"), words=("2025",))
    refuses(sample, "close-month", "2026-10")


def test_year_close_marker_edited(sample):
    path = sample / "ledgers/closing/2025-year.beancount"
    replace_in(path, 'result: "7747.52"', 'result: "1.00"')
    check_fails(sample, "ledgers/closing/2025-year.beancount", line_of(path, 'result: "1.00"'))


def test_surplus_file_forged(sample):
    path = sample / "ledgers/closing/2026-10-15-surplus-2025.beancount"
    append(
        path,
        """\
        2026-10-15 open Equity:Coop:Reserves:Dividends

        2026-10-15 * "Affectation du résultat 2025 (assemblée générale)"
          surplus: "2025"
          basis: "salary"
          Equity:Coop:Result               7747.52 EUR
          Equity:Coop:Reserves:Dividends  -7747.52 EUR
        """,
    )
    check_fails(sample, "ledgers/closing/2026-10-15-surplus-2025.beancount")
    refuses(sample, "close-month", "2026-10")


def test_surplus_applied_then_check_is_clean(sample):
    run = run_cli(sample, "close-year", "2025", "--apply-surplus", "--date", "2026-10-15")
    assert run.exit_code == 0, run.stderr
    run = run_cli(sample, "check")
    assert errors_of(run) == [], run.stderr


def test_surplus_file_edited_after_apply(sample):
    run = run_cli(sample, "close-year", "2025", "--apply-surplus", "--date", "2026-10-15")
    assert run.exit_code == 0, run.stderr
    path = sample / "ledgers/closing/2026-10-15-surplus-2025.beancount"
    assert errors_of(run_cli(sample, "check")) == []
    text = path.read_text(encoding="utf-8")
    amounts = re.findall(r"(-\d+\.\d\d) EUR", text)
    assert len(amounts) >= 2
    first, second = amounts[0], amounts[1]
    shifted = {
        first: Decimal(first) + 1,
        second: Decimal(second) - 1,
    }  # one euro moved from one part to the other
    for old, new in shifted.items():
        text = text.replace(f"{old} EUR", f"{new:.2f} EUR", 1)
    path.write_text(text, encoding="utf-8")
    check_fails(sample, "ledgers/closing/2026-10-15-surplus-2025.beancount", words=("differs",))


# ------------------------------------------------------------------------- 8. one journal file for every year

ONE_FILE_COOP = COOP_YAML.replace("{from: 2026-01-01, smic_hourly", "{from: 2025-01-01, smic_hourly")
ONE_FILE_MEMBERS = """\
members:
  - id: dan
    name: "Dan Moreau"
    activity: DanDesign
    joined: 2025-05-01
    cesa_from: 2025-06-01
    salary:
      - {from: 2025-06-01, gross: "500.00", hours: "40"}
"""
ONE_FILE_ACTIVITIES = """\
activities:
  - {id: DanDesign, name: "Dan Design", establishment: paris-11}
"""
# every year in ledgers/main.beancount: no per-year folders, no per-month files
ONE_FILE_LEDGER = """\
option "title" "Un seul journal pour toutes les années"
option "operating_currency" "EUR"

2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Assets:Receivable:DanDesign EUR
2020-01-01 open Liabilities:VAT:Collected EUR
2020-01-01 open Equity:Activity:DanDesign EUR
2020-01-01 open Equity:Coop:Opening EUR
2020-01-01 open Income:Activity:DanDesign EUR
2020-01-01 open Expenses:Activity:DanDesign:Supplies EUR

2025-10-31 * "Apport"
  Assets:Bank:Main          5000.00 EUR
  Equity:Coop:Opening      -5000.00 EUR

2025-11-05 * "Client" "Facture 1"
  Assets:Receivable:DanDesign    1200.00 EUR
  Income:Activity:DanDesign     -1000.00 EUR
  Liabilities:VAT:Collected      -200.00 EUR

2025-12-10 * "Client" "Facture 2"
  Assets:Receivable:DanDesign    2400.00 EUR
  Income:Activity:DanDesign     -2000.00 EUR
  Liabilities:VAT:Collected      -400.00 EUR

2025-12-12 * "Fournisseur" "Papier"
  Expenses:Activity:DanDesign:Supplies   100.00 EUR
  Assets:Bank:Main                      -100.00 EUR

2026-01-08 * "Client" "Facture 3"
  Assets:Receivable:DanDesign     600.00 EUR
  Income:Activity:DanDesign      -500.00 EUR
  Liabilities:VAT:Collected      -100.00 EUR
"""


def one_file_coop(folder: Path) -> Path:
    """A two-year cooperative kept in one journal file, every month of its first year (2025) closed."""
    root = write_coop(
        folder,
        coop=ONE_FILE_COOP,
        members=ONE_FILE_MEMBERS,
        activities=ONE_FILE_ACTIVITIES,
        ledger=ONE_FILE_LEDGER,
    )
    for month in ("2025-10", "2025-11", "2025-12"):
        run = run_cli(root, "close-month", month)
        assert run.exit_code == 0, (month, run.stderr)
    return root


def test_close_year_on_one_journal_file(tmp_path):
    root = one_file_coop(tmp_path / "coop")
    run = run_cli(root, "close-year", "2025")
    assert run.exit_code == 0, run.stderr
    run = run_cli(root, "close-month", "2026-01")
    assert run.exit_code == 0, run.stderr
    run = run_cli(root, "check")
    assert run.exit_code == 0, run.stderr
    assert errors_of(run) == []
    # the year's close and January's are what coopctl computes again from the whole ledger
    assert (root / "ledgers/closing/2025-year.beancount").is_file()
    assert (root / "ledgers/closing/2026-01.beancount").is_file()
    # and reopening both gives back the ledger before them, byte for byte
    before = one_file_coop(tmp_path / "again")
    assert run_cli(root, "reopen", "2026-01").exit_code == 0
    assert run_cli(root, "reopen", "2025").exit_code == 0
    assert snapshot(root) == snapshot(before)


def test_check_says_later_closes_load_the_whole_ledger_when_years_share_a_file(tmp_path):
    root = one_file_coop(tmp_path / "coop")
    assert run_cli(root, "close-year", "2025").exit_code == 0
    assert run_cli(root, "close-month", "2026-01").exit_code == 0
    run = run_cli(root, "check")
    assert run.exit_code == 0, run.stderr
    notes = [line for line in run.stderr.splitlines() if "whole ledger" in line]
    assert notes, run.stderr


# -------------------------------------------------------------------- 9. SIGKILL during close-year and reopen


def _files(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in snapshot(folder).items() if not k.endswith(".tmp")}


def _start(folder: Path, pause: float, *args: str) -> subprocess.Popen:
    env = dict(os.environ, COOPCTL_FAULT_PAUSE=str(pause))
    return subprocess.Popen(
        [sys.executable, "-m", "coopctl", "--root", str(folder), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )


def _crash_runs(
    tmp_path: Path, name: str, start: Path, args: tuple[str, ...], runs: int, pause: float
) -> dict:
    """Kill ``coopctl ARGS`` at ``runs`` moments spread over its run; after each kill, ``coopctl check``
    undoes any half-done group, the state is wholly ``start`` or wholly done, and a retry ends byte for byte
    as a clean run."""
    import shutil

    from coopctl.store import journal

    before = _files(start)
    clean = tmp_path / f"{name}-clean"
    shutil.copytree(start, clean)
    assert run_cli(clean, *args).exit_code == 0
    done = _files(clean)
    assert done != before
    timing = tmp_path / f"{name}-timing"
    shutil.copytree(start, timing)
    started = time.monotonic()
    proc = _start(timing, pause, *args)
    assert proc.wait(timeout=60) == 0
    total = time.monotonic() - started
    assert _files(timing) == done
    outcomes = {"undone": 0, "done": 0, "journal left": 0, "temp file left": 0}
    for index in range(runs):
        folder = tmp_path / f"{name}{index}"
        shutil.copytree(start, folder)
        proc = _start(folder, pause, *args)
        time.sleep(total * (index + 0.5) / runs)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if journal.pending(folder):
            outcomes["journal left"] += 1
        if any(k.endswith(".tmp") for k in snapshot(folder)):
            outcomes["temp file left"] += 1
        run = run_cli(folder, "check")  # first command after the crash: undoes any half-done group
        assert run.exit_code == 0, (index, run.stderr)
        assert not journal.pending(folder), index
        state = _files(folder)
        assert state in (before, done), (index, sorted(set(state.items()) ^ set(before.items())))
        if state == before:
            outcomes["undone"] += 1
            retry = run_cli(folder, *args)
            assert retry.exit_code == 0, (index, retry.stderr)
            assert _files(folder) == done, index
        else:
            outcomes["done"] += 1
    print(name, "crash outcomes over", runs, "kills:", outcomes)
    return outcomes


def test_sigkill_during_close_year_and_reopen(tmp_path):
    """At least 50 SIGKILLs across close-year and reopen (year), each followed by check and a retry.

    The 2026 folder exists already here (a kill while close-year creates it is the next test)."""
    open_year = one_file_coop(tmp_path / "open-year")
    append(open_year / "ledgers/2026/2026-01.beancount", "; 2026\n")
    append(open_year / MAIN, '\ninclude "2026/*.beancount"\n')
    closed_year = tmp_path / "closed-year"
    import shutil

    shutil.copytree(open_year, closed_year)
    assert run_cli(closed_year, "close-year", "2025").exit_code == 0
    pause = 0.01
    closing = _crash_runs(tmp_path, "close-year", open_year, ("close-year", "2025"), 26, pause)
    reopening = _crash_runs(tmp_path, "reopen", closed_year, ("reopen", "2025"), 26, pause)
    for outcomes in (closing, reopening):
        assert outcomes["undone"] > 0 and outcomes["done"] > 0, outcomes
        assert outcomes["journal left"] > 0, outcomes  # some kills did land inside a journaled group


def test_sigkill_while_close_year_creates_the_new_year_folder(tmp_path):
    import shutil

    start = one_file_coop(tmp_path / "start")
    clean = tmp_path / "clean"
    shutil.copytree(start, clean)
    assert run_cli(clean, "close-year", "2025").exit_code == 0
    folder = tmp_path / "killed"
    shutil.copytree(start, folder)
    proc = _start(folder, 0.3, "close-year", "2025")
    deadline = time.monotonic() + 60
    while (
        not list((folder / "ledgers/2026").glob(".2026-01.beancount.*.tmp")) and time.monotonic() < deadline
    ):
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)  # inside atomic_write of ledgers/2026/2026-01.beancount
    proc.wait(timeout=60)
    assert run_cli(folder, "check").exit_code == 0
    assert _files(folder) == _files(start)
    assert run_cli(folder, "close-year", "2025").exit_code == 0
    assert _files(folder) == _files(clean)
