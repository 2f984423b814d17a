"""Issue 14, hostile input: the cache is never believed over the ledger (h2).

Every answer a read-only command gives from the cache (warm or incremental) is the answer a full load
with the cache disabled gives: the same standard output, the same refusal, the same exit code. A cache
file damaged on disk (even at the same size) is ignored and rebuilt; a cache folder or file that someone
else owns, or that others may write, is ignored.
"""

from __future__ import annotations

import datetime
import os
import stat
import tempfile
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from test_cache import split_coop

from coopctl.store.cache import cache_dir, cached_figures
from coopctl.store.configfile import load_cooperative

NO_CACHE = {"COOPCTL_NO_CACHE": "1", "COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}
BALANCE = ("balance", "alice", "--as-of", "2026-10-31", "--format", "json")


def answer(folder: Path, *args: str, cache: bool = True) -> tuple[int, str, str]:
    run = run_cli(folder, *args, env=None if cache else NO_CACHE)
    assert "Traceback" not in run.stderr + run.stdout
    return run.exit_code, run.stdout, run.stderr


def same_answer(folder: Path, *args: str) -> tuple[int, str, str]:
    expected = answer(folder, *args, cache=False)
    assert answer(folder, *args) == expected, args
    return expected


# --------------------------------------------------------------------------- (a) every check of a full load


OCTOBER = "ledgers/months/2026-10.beancount"
ACCOUNTS = "ledgers/accounts.beancount"
EDITS = {
    "an absurd amount": (
        OCTOBER,
        "append",
        '\n2026-10-28 * "Huge"\n  Income:Activity:DanDesign  -1000000000000.00 EUR\n'
        "  Assets:Bank:Main  1000000000000.00 EUR\n",
    ),
    "a posting in a currency its account does not allow": (
        OCTOBER,
        "append",
        '\n2026-10-28 * "Dollars"\n  Assets:Bank:Main  10.00 USD\n  Equity:Coop:Opening  -10.00 USD\n',
    ),
    "a note on an account never opened": (
        OCTOBER,
        "append",
        '\n2026-10-28 note Assets:Bank:Nowhere "hello"\n',
    ),
    "an open directive deleted": (ACCOUNTS, "replace", ("2020-01-01 open Assets:Bank:Main EUR\n", "")),
    "an open directive moved later": (
        ACCOUNTS,
        "replace",
        ("2020-01-01 open Assets:Bank:Main EUR", "2026-10-30 open Assets:Bank:Main EUR"),
    ),
    "a posting at cost reducing a lot held elsewhere": (
        OCTOBER,
        "append",
        '\n2026-10-28 * "Sell"\n  Assets:Bank:Main  -1 SHARE {10.00 EUR}\n  Equity:Coop:Opening  10.00 EUR\n',
    ),
    "a duplicate close marker": (
        OCTOBER,
        "append",
        '\n2026-10-31 custom "coopctl-close" "2026-09"\n2026-10-31 custom "coopctl-close" "2026-09"\n',
    ),
    "an event, a price and a commodity": (
        OCTOBER,
        "append",
        '\n2026-10-28 event "x" "y"\n2026-10-28 price EUR 1.00 USD\n2026-10-28 commodity EUR\n'
        "2026-10-29 commodity EUR\n",
    ),
    "an option in an included file": (
        OCTOBER,
        "append",
        '\noption "booking_method" "FIFO"\noption "inferred_tolerance_default" "*:0.5"\n',
    ),
    "an unknown activity": (
        OCTOBER,
        "append",
        '\n2026-10-28 * "Ghost"\n  Income:Activity:Ghost  -10.00 EUR\n  Assets:Bank:Main\n',
    ),
}


def apply(folder: Path, rel: str, how: str, what) -> None:
    path = folder / rel
    text = path.read_text(encoding="utf-8")
    if how == "append":
        text += what
    else:
        assert what[0] in text, what
        text = text.replace(*what)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("edit", list(EDITS))
def test_after_a_warm_run_an_edit_gets_the_full_loads_answer(edit, tmp_path):
    folder = split_coop(tmp_path / "coop")
    assert answer(folder, *BALANCE)[0] == 0  # the cache is filled
    apply(folder, *EDITS[edit])
    for args in (
        BALANCE,
        ("report", "2026-10", "--format", "json"),
        ("members", "--as-of", "2026-10-31", "--format", "csv"),
    ):
        same_answer(folder, *args)


# --------------------------------------------------------------------------- (b) checksums


def _flip_digit(raw: bytes, start: int = 0) -> bytes:
    """The same bytes with one digit changed (same size: 1 -> 2, else -> 1) after ``start``."""
    for index in range(start, len(raw)):
        if raw[index : index + 1].isdigit() and raw[index - 1 : index] in (b'"', b"."):
            digit = b"2" if raw[index : index + 1] == b"1" else b"1"
            return raw[:index] + digit + raw[index + 1 :]
    raise AssertionError("no digit to change")


def _cache_files(folder: Path) -> Path:
    return cache_dir(load_cooperative(folder))


@pytest.mark.parametrize("damaged", ["rows", "index", "per-file"])
def test_a_same_size_edit_of_a_cache_file_is_ignored_and_rebuilt(damaged, tmp_path):
    folder = split_coop(tmp_path / "coop")
    expected = same_answer(folder, *BALANCE)
    cache = _cache_files(folder)
    if damaged == "rows":
        targets = list(cache.glob("rows-*.bin"))
    elif damaged == "index":
        targets = [cache / "index.json"]
    else:
        targets = list((cache / "files").glob("*.json"))
    flipped = 0
    for target in targets:
        raw = target.read_bytes()
        offset = raw.find(b'"BoisNomade"', raw.find(b'"monthly"')) if damaged == "index" else raw.find(b"\n")
        try:
            target.write_bytes(_flip_digit(raw, max(offset, 0)))
            flipped += 1
        except AssertionError:
            continue  # a file with no amount in it
    assert flipped
    if damaged == "per-file":  # per-file figures are read on the incremental path: change another file
        path = folder / "ledgers" / "months" / "2026-09.beancount"
        path.write_text(
            path.read_text(encoding="utf-8")
            + '\n2026-09-29 * "x"\n  Assets:Bank:Main  1.00 EUR\n  Equity:Coop:Opening  -1.00 EUR\n',
            encoding="utf-8",
        )
        expected = answer(folder, *BALANCE, cache=False)
    for _ in range(2):  # the damaged cache is ignored, then the rebuilt one is right
        assert answer(folder, *BALANCE) == expected
        for day in ("2026-10-20", "2026-10-31"):  # daily rows, monthly aggregates
            members = ("members", "--as-of", day, "--format", "csv")
            assert answer(folder, *members) == answer(folder, *members, cache=False)


# --------------------------------------------------------------------------- (c) owner-only


def test_the_cache_is_owner_only(tmp_path):
    folder = split_coop(tmp_path / "coop")
    answer(folder, *BALANCE)
    cache = _cache_files(folder)
    assert stat.S_IMODE(os.stat(cache).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(cache / "files").st_mode) == 0o700
    mine = [cache / "index.json", *cache.glob("rows-*.bin"), *(cache / "files").glob("*.json")]
    assert mine and {stat.S_IMODE(os.stat(p).st_mode) for p in mine} == {0o600}


@pytest.mark.parametrize(
    "how",
    [
        "folder writable by others",
        "index writable by group",
        "rows owned by another user",
        "index owned by another user",
        "index is a symlink",
    ],
)
def test_a_cache_others_could_write_is_ignored(how, tmp_path):
    folder = split_coop(tmp_path / "coop")
    answer(folder, *BALANCE)
    coop = load_cooperative(folder)
    assert cached_figures(coop) is not None
    cache = cache_dir(coop)
    if how == "folder writable by others":
        os.chmod(cache, 0o777)
    elif how == "index writable by group":
        os.chmod(cache / "index.json", 0o620)
    elif how == "index is a symlink":
        real = tmp_path / "index.json"
        os.replace(cache / "index.json", real)
        (cache / "index.json").symlink_to(real)
    else:
        if os.geteuid() != 0:
            pytest.skip("changing a file's owner needs root")
        target = cache / "index.json" if how.startswith("index") else next(cache.glob("rows-*.bin"))
        os.chown(target, 65534, 65534)
    figures = cached_figures(coop)
    if (
        how == "rows owned by another user"
    ):  # the rows are read when an activity is asked: then set aside and rebuilt
        assert figures is not None
        rows = next(cache.glob("rows-*.bin"))
        figures.balance("BoisNomade", datetime.date(2026, 10, 15))
        assert os.stat(rows).st_uid == os.geteuid(), "the foreign rows file was replaced"
    else:
        assert figures is None, how
    assert answer(folder, *BALANCE) == answer(folder, *BALANCE, cache=False)


# --------------------------------------------------------------------------- (d) differential, random actions


ACTIVITIES = ["BoisNomade", "AtelierCommun", "DanDesign"]
ACTION = st.one_of(
    st.tuples(st.just("append"), st.sampled_from(ACTIVITIES), st.integers(1, 28), st.integers(1, 500_000)),
    st.tuples(st.just("append"), st.sampled_from(ACTIVITIES), st.integers(1, 28), st.integers(1, 500_000)),
    st.tuples(st.just("new-file"), st.sampled_from(ACTIVITIES), st.integers(1, 500_000)),
    st.tuples(
        st.just("restore"),
    ),
    st.tuples(
        st.just("restore"),
    ),
    st.tuples(st.just("amount"), st.integers(0, 200), st.integers(1, 500_000)),
    st.tuples(st.just("absurd"), st.integers(1, 28)),
    st.tuples(st.just("unknown"), st.integers(1, 28)),
    st.tuples(
        st.just("delete-line"), st.sampled_from(["main", "accounts", "09", "10", "new"]), st.integers(0, 400)
    ),
    st.tuples(st.just("new-file"), st.sampled_from(ACTIVITIES), st.integers(1, 500_000)),
    st.tuples(st.just("foreign"), st.integers(1, 28)),
    st.tuples(st.just("balance"), st.integers(1, 28)),
)
COMMANDS = st.sampled_from(
    [
        BALANCE,
        ("balance", "bob", "--as-of", "2026-10-15"),
        ("report", "2026-10", "--format", "json"),
        ("members", "--as-of", "2026-10-31", "--format", "csv"),
        ("check",),
    ]
)
FILES = {
    "main": "ledgers/main.beancount",
    "accounts": ACCOUNTS,
    "09": "ledgers/months/2026-09.beancount",
    "10": OCTOBER,
    "new": "ledgers/months/2026-11.beancount",
}


def act(folder: Path, action: tuple, number: int, start: dict[str, bytes]) -> None:
    kind = action[0]
    october = folder / OCTOBER
    if kind == "restore":  # back to the first ledger (the files' bytes the first cache knew)
        for path in (folder / "ledgers").rglob("*.beancount"):
            path.unlink()
        for rel, raw in start.items():
            (folder / rel).write_bytes(raw)
    elif kind == "append":
        _, activity, day, cents = action
        october.write_text(
            october.read_text(encoding="utf-8") + f'\n2026-10-{day:02d} * "Sale {number}"\n'
            f"  Income:Activity:{activity}  -{cents / 100:.2f} EUR\n  Assets:Bank:Main\n",
            encoding="utf-8",
        )
    elif kind == "amount":
        _, index, cents = action
        lines = october.read_text(encoding="utf-8").split("\n")
        amounts = [i for i, line in enumerate(lines) if line.rstrip().endswith(" EUR")]
        if amounts:
            i = amounts[index % len(amounts)]
            head, _, _ = lines[i].rstrip()[:-4].rpartition(" ")
            lines[i] = f"{head} {cents / 100:.2f} EUR"
            october.write_text("\n".join(lines), encoding="utf-8")
    elif kind in ("absurd", "unknown", "foreign", "balance"):
        day = action[1]
        text = {
            "absurd": f'2026-10-{day:02d} * "Huge"\n  Income:Activity:DanDesign  -1000000000000.00 EUR\n'
            "  Assets:Bank:Main\n",
            "unknown": f'2026-10-{day:02d} * "Ghost"\n  Income:Activity:Ghost{day}  -10.00 EUR\n'
            "  Assets:Bank:Main\n",
            "foreign": f'2026-10-{day:02d} * "Dollars"\n  Assets:Bank:Main  10.00 USD\n'
            "  Equity:Coop:Opening  -10.00 USD\n",
            "balance": f"2026-10-{day:02d} balance Assets:Bank:Main  1650.00 EUR\n",
        }[kind]
        october.write_text(october.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    elif kind == "delete-line":
        _, which, index = action
        path = folder / FILES[which]
        if path.exists():
            lines = path.read_text(encoding="utf-8").split("\n")
            del lines[index % len(lines)]
            path.write_text("\n".join(lines), encoding="utf-8")
    elif kind == "new-file":
        _, activity, cents = action
        path = folder / FILES["new"]
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(
            old + f'\n2026-11-02 * "Sale {number}"\n  Income:Activity:{activity}  -{cents / 100:.2f} EUR\n'
            "  Assets:Bank:Main\n",
            encoding="utf-8",
        )


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])  # examples: the profile (ci: 25)
@given(st.lists(st.tuples(ACTION, COMMANDS), min_size=1, max_size=8))
def test_random_edits_and_commands_answer_as_a_full_load_without_cache(steps):
    with tempfile.TemporaryDirectory() as tmp:
        folder = split_coop(Path(tmp) / "coop")
        start = {
            str(p.relative_to(folder)): p.read_bytes() for p in (folder / "ledgers").rglob("*.beancount")
        }
        answer(folder, *BALANCE)  # a warm cache to start from
        for number, (action, command) in enumerate(steps):
            act(folder, action, number, start)
            from_cache = (
                cached_figures(load_cooperative(folder)) is not None
            )  # warm or incremental (then warm below)
            code, _out, _err = same_answer(folder, *command)
            event(f"{action[0]}: {'answer' if code == 0 else 'refusal'}")
            event("from the cache" if from_cache else "full load")
