"""Untrusted ledgers and config: no code runs, no pickle is read, nothing escapes the folder."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLE_LEDGER, REPO, run_cli, snapshot, write_coop

HOSTILE_PLUGIN = """\
__plugins__ = ["attack"]
open({marker!r}, "w").write("pwned at import")

def attack(entries, options_map):
    open({marker!r}, "a").write("pwned at run")
    return entries, []
"""


def _plant_plugin(tmp_path: Path, marker: Path) -> Path:
    module_dir = tmp_path / "pymods"
    module_dir.mkdir()
    (module_dir / "evil_plugin.py").write_text(HOSTILE_PLUGIN.format(marker=str(marker)), encoding="utf-8")
    return module_dir


def test_plugin_not_allowed_is_refused_and_never_imported(tmp_path):
    marker = tmp_path / "PWNED"
    module_dir = _plant_plugin(tmp_path, marker)
    folder = write_coop(tmp_path / "coop", ledger='plugin "evil_plugin"\n' + EXAMPLE_LEDGER)
    before = snapshot(folder)
    env = dict(os.environ, PYTHONPATH=str(module_dir), COOPCTL_MEMBER="")
    for args in (["check"], ["close-month", "2026-10"], ["balance", "alice"], ["report"]):
        proc = subprocess.run(
            [sys.executable, "-m", "coopctl", "--root", str(folder), *args],
            capture_output=True,
            text=True,
            env=env,
        )
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.strip() == (
            "error: ledgers/main.beancount:1: plugin 'evil_plugin' is not allowed; coopctl runs only "
            "the Beancount plugins it has vetted, when coop.yaml lists them under ledger_plugins "
            "(docs/safety.md)"
        )
        assert "Traceback" not in proc.stderr
    assert not marker.exists()
    assert snapshot(folder) == before


def test_plugin_in_an_included_file_is_refused_too(tmp_path):
    folder = write_coop(
        tmp_path,
        ledger=EXAMPLE_LEDGER + 'include "extra.beancount"\n',
        extra_files={"ledgers/extra.beancount": 'plugin "os"\n'},
    )
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    assert "ledgers/extra.beancount:1: plugin 'os' is not allowed" in run.stderr


def test_allowed_beancount_plugin_runs(tmp_path):
    # auto_accounts opens accounts by itself: without it, the unopened account is an error.
    ledger = (
        EXAMPLE_LEDGER
        + '\n2026-10-21 * "Misc"\n  Expenses:Activity:BoisNomade:Tools  10.00 EUR\n  Assets:Bank:Main\n'
    )
    folder = write_coop(tmp_path / "a", ledger='plugin "beancount.plugins.auto_accounts"\n' + ledger)
    refused = run_cli(folder, "check")
    assert refused.exit_code == 1 and "beancount.plugins.auto_accounts' is not allowed" in refused.stderr
    coop_yaml = folder / "config" / "coop.yaml"
    coop_yaml.write_text(
        coop_yaml.read_text(encoding="utf-8") + "ledger_plugins: [beancount.plugins.auto_accounts]\n",
        encoding="utf-8",
    )
    allowed = run_cli(folder, "check")
    assert allowed.exit_code == 0, allowed.stderr


def test_raw_plugin_processing_mode_is_refused(tmp_path):
    folder = write_coop(tmp_path, ledger='option "plugin_processing_mode" "raw"\n' + EXAMPLE_LEDGER)
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    assert 'ledgers/main.beancount:1: option "plugin_processing_mode" "raw" is refused' in run.stderr


class _Boom:
    def __reduce__(self):
        return (open, (os.environ["COOPCTL_TEST_MARKER"], "w"))


def test_planted_pickle_cache_is_never_read_nor_deleted(tmp_path):
    marker = tmp_path / "UNPICKLED"
    folder = write_coop(tmp_path / "coop")
    cache = folder / "ledgers" / ".main.beancount.picklecache"
    os.environ["COOPCTL_TEST_MARKER"] = str(marker)
    try:
        payload = pickle.dumps(_Boom())
    finally:
        del os.environ["COOPCTL_TEST_MARKER"]
    cache.write_bytes(payload)
    for args in (
        ["check"],
        ["close-month", "2026-10", "--dry-run"],
        ["close-month", "2026-10"],
        ["balance", "alice"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "coopctl", "--root", str(folder), *args],
            capture_output=True,
            text=True,
            env=dict(os.environ, COOPCTL_TEST_MARKER=str(marker)),
        )
        assert proc.returncode == 0, proc.stderr
    assert not marker.exists()
    assert cache.read_bytes() == payload  # a user's file is never deleted or rewritten
    assert [p.name for p in (folder / "ledgers").glob("*picklecache*")] == [cache.name]


def test_include_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside.beancount"
    outside.write_text("2026-10-01 open Assets:Stolen EUR\n", encoding="utf-8")
    folder = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER + 'include "../../outside.beancount"\n')
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    line = run.stderr.strip()
    assert (
        line.startswith("error: ledgers/main.beancount:")
        and "resolves outside the cooperative's folder" in line
    )


def test_include_through_a_symlink_out_of_the_folder_is_refused(tmp_path):
    outside = tmp_path / "secrets"
    outside.mkdir()
    (outside / "x.beancount").write_text("", encoding="utf-8")
    folder = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER + 'include "link/*.beancount"\n')
    (folder / "ledgers" / "link").symlink_to(outside, target_is_directory=True)
    run = run_cli(folder, "check")
    assert run.exit_code == 1 and "resolves outside the cooperative's folder" in run.stderr


def test_yaml_python_tags_are_refused(tmp_path):
    marker = tmp_path / "YAMLPWN"
    members = f'members: !!python/object/apply:os.system ["touch {marker}"]\n'
    folder = write_coop(tmp_path / "coop", members=members)
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    assert run.stderr.startswith("error: config/members.yaml:1: YAML")
    assert not marker.exists()


def test_module_entry_point_exists():
    proc = subprocess.run(
        [sys.executable, "-m", "coopctl", "--version"], capture_output=True, text=True, cwd=REPO
    )
    assert proc.returncode == 0 and proc.stdout.startswith("coopctl ")


def test_no_traceback_even_on_unexpected_error_text():
    # The console script wraps every command; a bare `python -m coopctl` with a bad option is one line.
    proc = subprocess.run(
        [sys.executable, "-m", "coopctl", "report", "--bogus"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert textwrap.dedent(proc.stderr).count("\n") == 1


LOTS_LEDGER = """\
option "operating_currency" "EUR"
2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Assets:Shares SCOP "FIFO"
2020-01-01 open Income:Activity:BoisNomade EUR
2020-01-01 open Equity:Coop:Opening EUR
2026-01-02 * "Opening"
  Assets:Bank:Main   5000.00 EUR
  Equity:Coop:Opening
2026-02-01 * "Buy shares"
  Assets:Shares      10 SCOP {50.00 EUR}
  Assets:Bank:Main
2026-03-01 * "Buy more"
  Assets:Shares      5 SCOP {60.00 EUR}
  Assets:Bank:Main  -300.00 EUR
2026-04-01 * "Sell some (FIFO reduction)"
  Assets:Shares      -12 SCOP {}
  Assets:Bank:Main   620.00 EUR
  Income:Activity:BoisNomade
2026-05-01 * "Sell too many"
  Assets:Shares      -10 SCOP {}
  Assets:Bank:Main   500.00 EUR
  Income:Activity:BoisNomade
"""


@pytest.mark.parametrize("ledger", ["sample", "lots"])
def test_draining_booking_equals_beancounts_own(ledger, tmp_path, monkeypatch, sample_copy):
    """The load books entries as it lets the parsed ones go; Beancount's booking.book on the same entries
    gives equal entries and as many errors (interpolation, FIFO reductions, a reduction that fails)."""
    from coopctl.adapter.ledger import load_books
    from coopctl.store.configfile import load_cooperative

    monkeypatch.setenv("COOPCTL_CHECK_DRAINING", "1")
    folder = sample_copy if ledger == "sample" else write_coop(tmp_path / "lots", ledger=LOTS_LEDGER)
    books = load_books(load_cooperative(folder))  # the comparison is asserted inside the load
    if ledger == "lots":
        assert any(
            "reduc" in p.message.lower() or "not enough" in p.message.lower() for p in books.problems
        ), books.problems
