"""The cache: warm and incremental figures equal the full computation; every change invalidates it."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from conftest import run_cli, write_coop
from hypothesis import event, given
from hypothesis import strategies as st
from strategies import random_coops

from coopctl.adapter.ledger import load_books
from coopctl.store.cache import (
    _read_sealed,
    _write_sealed,
    cache_dir,
    cached_figures,
    figures_to_json,
    load_books_filling_cache,
)
from coopctl.store.configfile import load_cooperative

SPLIT_MAIN = 'option "operating_currency" "EUR"\ninclude "accounts.beancount"\ninclude "months/*.beancount"\n'


def split_coop(folder: Path) -> Path:
    """The worked example, with its ledger split in one file per month as a cooperative keeps it."""
    from conftest import EXAMPLE_LEDGER

    folder = write_coop(folder)
    lines = EXAMPLE_LEDGER.split("\n\n")
    header, entries = lines[0] + "\n\n" + lines[1] + "\n", lines[2:]
    (folder / "ledgers" / "accounts.beancount").write_text(
        header.replace('option "title" "Coopérative Exemple"\noption "operating_currency" "EUR"\n', ""),
        encoding="utf-8",
    )
    (folder / "ledgers" / "months").mkdir()
    (folder / "ledgers" / "months" / "2026-09.beancount").write_text(entries[0] + "\n", encoding="utf-8")
    (folder / "ledgers" / "months" / "2026-10.beancount").write_text(
        "\n\n".join(entries[1:]), encoding="utf-8"
    )
    (folder / "ledgers" / "main.beancount").write_text(SPLIT_MAIN, encoding="utf-8")
    return folder


def full(folder: Path) -> dict:
    return figures_to_json(load_books_filling_cache(load_cooperative(folder)).figures)


def cached(folder: Path):
    figures = cached_figures(load_cooperative(folder))
    return None if figures is None else figures_to_json(figures)


def test_warm_figures_equal_the_full_load(tmp_path):
    folder = split_coop(tmp_path / "coop")
    assert cached(folder) is None  # nothing cached yet
    expected = full(folder)
    assert cached(folder) == expected


def test_appending_a_transaction_is_incremental_and_exact(tmp_path):
    folder = split_coop(tmp_path / "coop")
    full(folder)
    october = folder / "ledgers" / "months" / "2026-10.beancount"
    october.write_text(
        october.read_text(encoding="utf-8")
        + '\n2026-10-28 * "Client" "New"\n  Assets:Receivable:DanDesign  120.00 EUR\n'
        "  Income:Activity:DanDesign  -100.00 EUR\n  Liabilities:VAT:Collected  -20.00 EUR\n",
        encoding="utf-8",
    )
    incremental = cached(folder)
    assert incremental is not None, "an appended transaction is handled without a full load"
    assert incremental == full(folder)


def test_every_kind_of_change_invalidates_exactly(tmp_path):
    folder = split_coop(tmp_path / "coop")
    full(folder)
    months = folder / "ledgers" / "months"
    edits = [
        (
            "an edited amount",
            lambda: (months / "2026-10.beancount").write_text(
                (months / "2026-10.beancount")
                .read_text(encoding="utf-8")
                .replace("4000.00", "4100.00")
                .replace("4800.00", "4900.00"),
                encoding="utf-8",
            ),
        ),
        (
            "a new file matched by the include glob",
            lambda: (months / "2026-11.beancount").write_text(
                '2026-11-03 * "C" "I"\n  Assets:Receivable:BoisNomade  60.00 EUR\n'
                "  Income:Activity:BoisNomade  -50.00 EUR\n  Liabilities:VAT:Collected  -10.00 EUR\n",
                encoding="utf-8",
            ),
        ),
        ("a removed file", lambda: (months / "2026-11.beancount").unlink()),
        (
            "a deleted transaction",
            lambda: (months / "2026-10.beancount").write_text(
                (months / "2026-10.beancount").read_text(encoding="utf-8").split("\n\n2026-10-12")[0] + "\n",
                encoding="utf-8",
            ),
        ),
    ]
    for what, edit in edits:
        edit()
        assert cached(folder) == full(folder), what
    # a config change always goes back to the full load
    path = folder / "config" / "coop.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('rate: "0.10"', 'rate: "0.11"'), encoding="utf-8"
    )
    assert cached(folder) is None


def test_a_change_needing_the_whole_ledger_falls_back_to_the_full_load(tmp_path):
    folder = split_coop(tmp_path / "coop")
    full(folder)
    october = folder / "ledgers" / "months" / "2026-10.beancount"
    text = october.read_text(encoding="utf-8")
    for addition in [
        '\n2026-10-28 * "Oops"\n  Assets:Bank:Main  10.00 EUR\n'
        "  Income:Activity:DanDesign  -9.00 EUR\n",  # does not balance
        '\n2026-10-28 * "Oops"\n  Assets:Bank:Nowhere  10.00 EUR\n'
        "  Income:Activity:DanDesign  -10.00 EUR\n",  # account never opened
        "\n2026-10-28 balance Assets:Bank:Main  0.00 EUR\n",  # a balance assertion needs the whole ledger
        # unknown activity
        '\n2026-10-28 * "Oops"\n  Income:Activity:Ghost  -10.00 EUR\n  Assets:Bank:Main\n',
        'plugin "os"\n',
    ]:
        october.write_text(text + addition, encoding="utf-8")
        assert cached(folder) is None, addition
    october.write_text(text, encoding="utf-8")
    assert cached(folder) == full(folder)


def test_read_only_commands_answer_the_same_with_and_without_the_cache(sample_copy):
    for args in (
        ["report", "2026-09", "--format", "json"],
        ["balance", "alice", "--as-of", "2026-10-15", "--format", "json"],
        ["members", "--as-of", "2026-10-31", "--format", "json"],
        ["treasury", "--as-of", "2026-09-30", "--format", "json"],
        ["simulate", "alice", "--gross", "2000", "--month", "2026-10", "--format", "json"],
    ):
        cold = run_cli(
            sample_copy, *args, env={"COOPCTL_NO_CACHE": "1", "COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}
        )
        run_cli(sample_copy, "check")  # a full load refreshes the cache
        warm = run_cli(sample_copy, *args)
        assert cold.exit_code == warm.exit_code == 0, (cold.stderr, warm.stderr)
        assert cold.stdout == warm.stdout, args


def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path):
    folder = split_coop(tmp_path / "coop")
    expected = full(folder)
    index = cache_dir(load_cooperative(folder)) / "index.json"
    for junk in (
        b"\x80\x04\x95 not json (a pickle would start like this)",
        b"{}",
        b'{"format": 5, "config": "x"}',
        b"[]",
    ):
        index.write_bytes(junk)
        assert cached(folder) is None
    full(folder)
    assert cached(folder) == expected
    doc = json.loads(_read_sealed(index))
    assert doc["format"] == 10
    rows = index.parent / doc["rows"]
    rows.write_bytes(rows.read_bytes() + b"x")  # a rows file that is not the one the index describes
    assert cached(folder) is None
    rows.write_bytes(rows.read_bytes()[:-1].replace(b"[", b"{"))  # the right size, damaged inside
    run = run_cli(folder, "balance", "alice")
    expected_run = run_cli(
        folder, "balance", "alice", env={"COOPCTL_NO_CACHE": "1", "COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}
    )
    assert (run.exit_code, run.stdout) == (0, expected_run.stdout), (
        "damaged rows are set aside and the full load answers"
    )
    assert run_cli(folder, "balance", "alice").exit_code == 0


def test_the_cache_lives_outside_the_cooperative(tmp_path):
    folder = split_coop(tmp_path / "coop")
    full(folder)
    assert not cache_dir(load_cooperative(folder)).resolve().is_relative_to(folder.resolve())
    assert not [p for p in folder.rglob("*") if "cache" in p.name.lower()]
    os.environ["COOPCTL_NO_CACHE"] = "1"
    try:
        assert cached(folder) is None
    finally:
        del os.environ["COOPCTL_NO_CACHE"]


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["append", "edit", "delete", "new-file"]), st.integers(0, 50), st.integers(1, 99999)
    ),
    min_size=1,
    max_size=4,
)


@given(random_coops(), EDITS)
def test_incremental_equals_full_on_random_edits(coop, edits):
    with tempfile.TemporaryDirectory() as tmp:
        folder = coop.write(Path(tmp))
        main = folder / "ledgers" / "main.beancount"
        text = main.read_text(encoding="utf-8")
        head, _, body = text.partition("\n\n")
        (folder / "ledgers" / "months").mkdir()
        (folder / "ledgers" / "months" / "a.beancount").write_text(body or "\n", encoding="utf-8")
        main.write_text(head + '\ninclude "months/*.beancount"\n', encoding="utf-8")
        if load_books(load_cooperative(folder)).problems:
            return
        activity = coop.activities[0][0]
        for number, (kind, index, cents) in enumerate(edits):
            target = folder / "ledgers" / "months" / "a.beancount"
            blocks = [b for b in target.read_text(encoding="utf-8").split("\n\n") if b.strip()]
            new = (
                f'2026-10-{index % 28 + 1:02d} * "Edit {number}"\n'
                f"  Income:Activity:{activity}  -{cents / 100:.2f} EUR\n  Assets:Bank:Main\n"
            )
            if kind == "append":
                blocks.append(new)
            elif kind == "edit" and blocks:
                blocks[index % len(blocks)] = new
            elif kind == "delete" and blocks:
                del blocks[index % len(blocks)]
            else:
                (folder / "ledgers" / "months" / f"n{number}.beancount").write_text(new, encoding="utf-8")
            target.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
            result = cached(folder)
            expected = full(folder)
            event("incremental" if result is not None else "full load")
            if result is not None:
                assert result == expected


def test_the_config_cache_gives_the_same_cooperative_and_keeps_line_numbers(tmp_path):
    from coopctl.store.configfile import cache_folder

    folder = write_coop(tmp_path / "coop")
    first = load_cooperative(folder)  # from YAML; stores the validated copy
    assert (cache_folder(folder) / "config.json").is_file()
    second = load_cooperative(folder)  # from the cache
    assert second.known_lines is None  # lines not read yet
    assert (second.coop, second.members, second.activities) == (first.coop, first.members, first.activities)
    assert second.where("config/members.yaml", ("members", 1)) == (
        "config/members.yaml",
        13,
    )  # read on demand
    # any byte changed: the YAML is read again, errors keep their file:line
    path = folder / "config" / "members.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('gross: "1900.00"', "gross: 1900.00"), encoding="utf-8"
    )
    run = run_cli(folder, "check")
    assert run.exit_code == 1 and run.stderr.startswith(
        "error: config/members.yaml:12: members[0].salary[1].gross:"
    )


def test_files_long_unchanged_are_not_read_again_and_an_edit_is_still_seen(tmp_path, monkeypatch):
    """The warm path trusts a file's size, times and inode when it last changed before the recorded load
    began (less a margin); here the load is made to look later than the files, as on a real ledger."""
    import time

    folder = split_coop(tmp_path / "coop")
    expected = full(folder)
    index_path = cache_dir(load_cooperative(folder)) / "index.json"
    index = json.loads(_read_sealed(index_path))
    assert all("stat" in info for info in index["files"].values())
    index["trusted_before_ns"] = time.time_ns() + 10**9  # as if every file had changed long before the load
    _write_sealed(index_path, json.dumps(index).encode("utf-8"))
    read: list[str] = []
    original = Path.read_bytes

    def counting(self):
        if self.suffix == ".beancount":
            read.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    assert cached(folder) == expected
    assert read == [], "no ledger file was read to answer from the cache"
    october = folder / "ledgers" / "months" / "2026-10.beancount"
    text = october.read_text(encoding="utf-8")
    october.write_text(
        text.replace("4000.00", "4100.00").replace("-4800.00", "-4900.00").replace("4800.00", "4900.00"),
        encoding="utf-8",
    )
    monkeypatch.setattr(Path, "read_bytes", original)
    assert cached(folder) == full(folder) != expected, "same size, but its ctime moved: the edit is seen"


def test_a_day_of_zero_amounts_gives_the_full_loads_monthly_figures_through_the_cache(tmp_path):
    """A posting of 0.00 (the VAT of a one-cent invoice) makes a day of zero: the cache keeps no row for it,
    so a month holding only such days had a 0.00 monthly row in a full load and none through the cache once
    that file's figures were read back (another file changed). Neither has it now."""
    folder = split_coop(tmp_path / "coop")
    (folder / "ledgers" / "months" / "2027-01.beancount").write_text(
        '2027-01-21 * "Client" "Invoice"\n  Assets:Receivable:DanDesign  0.01 EUR\n'
        "  Income:Activity:DanDesign  -0.01 EUR\n  Liabilities:VAT:Collected  -0.00 EUR\n",
        encoding="utf-8",
    )
    assert full(folder)["monthly"]["accounts"]["Liabilities:VAT:Collected"].count("24324") == 0
    october = folder / "ledgers" / "months" / "2026-10.beancount"
    october.write_text(october.read_text(encoding="utf-8") + "\n; a comment\n", encoding="utf-8")
    assert cached(folder) == full(folder)
