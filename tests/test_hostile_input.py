"""Issue 14, hostile input: what a ledger or config may do when loaded.

Members open pull requests and anyone may edit config and ledgers by hand: nothing written there may
run code, reach outside the cooperative's folder, or change what the books mean. Each test is one
class of failure; each failed on the code before the fix.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import (
    COOP_YAML,
    EXAMPLE_ACTIVITIES,
    EXAMPLE_LEDGER,
    EXAMPLE_MEMBERS,
    REPO,
    run_cli,
    snapshot,
    write_coop,
)
from test_git_review import git, make_repo

from coopctl.domain.policy import ACCEPTED_OPTIONS, REFUSED_PLUGINS, VETTED_PLUGINS

UNOPENED = '\n2026-10-21 * "Misc"\n  Expenses:Activity:BoisNomade:Tools  10.00 EUR\n  Assets:Bank:Main\n'


def one_error(run, expected_start: str, code: int = 1) -> str:
    """The run failed with exactly one error line, starting as expected."""
    assert run.exit_code == code, (run.exit_code, run.stderr, run.stdout)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(expected_start), lines[0]
    assert "Traceback" not in run.stderr + run.stdout
    return lines[0]


def with_plugins(*names: str) -> str:
    return COOP_YAML + "ledger_plugins: [" + ", ".join(names) + "]\n"


# --------------------------------------------------------------------------- 1. plugins


@pytest.mark.parametrize("plugin", sorted(REFUSED_PLUGINS))
def test_a_plugin_that_evaluates_its_configuration_never_runs_even_when_coop_yaml_lists_it(plugin, tmp_path):
    """check_commodity, commodity_attr, check_average_cost (and pedantic, which runs check_commodity) give
    their configuration string to Python's eval: listing one in coop.yaml let any ledger line run code."""
    marker = tmp_path / "PWNED"
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('pwned') or {{}}"
    ledger = f'plugin "{plugin}" "{payload}"\n' + EXAMPLE_LEDGER
    folder = write_coop(tmp_path / "coop", coop=with_plugins(plugin), ledger=ledger)
    before = snapshot(folder)
    for args in (["check"], ["close-month", "2026-10", "--dry-run"]):
        run = run_cli(folder, *args)
        line = one_error(run, "error: config/coop.yaml:14: ledger_plugins[0]: ")
        assert f"{plugin!r} is not a Beancount plugin coopctl has vetted" in line
    assert not marker.exists()
    assert snapshot(folder) == before
    # not listed in coop.yaml, the ledger line alone says why the plugin is refused
    folder = write_coop(tmp_path / "coop2", ledger=ledger)
    line = one_error(
        run_cli(folder, "check"), f"error: ledgers/main.beancount:1: plugin {plugin!r} is refused: "
    )
    assert not marker.exists()


def test_a_vetted_plugin_with_a_configuration_is_refused(tmp_path):
    # onecommodity compiles its configuration as a regular expression: (a+)+$ on account names
    # backtracks without end
    plugin = "beancount.plugins.onecommodity"
    folder = write_coop(
        tmp_path, coop=with_plugins(plugin), ledger=EXAMPLE_LEDGER + f'plugin "{plugin}" "(a+)+$"\n'
    )
    one_error(
        run_cli(folder, "check"),
        f"error: ledgers/main.beancount:41: plugin {plugin!r} with a configuration string is refused",
    )


def test_vetted_plugins_are_installed_and_none_evaluates_or_imports_anything():
    """The vetted list is read against the installed Beancount: each module (and those it combines) exists
    and has no eval, exec or dynamic import; each plugin left out for eval really calls eval."""
    dangerous = re.compile(r"\b(eval|exec|__import__|import_module)\s*\(")

    def source(name: str) -> str:
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin, name
        return Path(spec.origin).read_text(encoding="utf-8")

    for name in VETTED_PLUGINS:
        text = source(name)
        assert "__plugins__" in text, name
        assert not dangerous.search(text), (name, dangerous.search(text))
        for combined in re.findall(r"from beancount\.plugins import (\w+)", text):
            assert f"beancount.plugins.{combined}" in VETTED_PLUGINS, (name, combined)
    for name, reason in REFUSED_PLUGINS.items():
        if "eval" in reason and "runs" not in reason:
            assert re.search(r"\beval\(", source(name)), name
    assert not set(VETTED_PLUGINS) & set(REFUSED_PLUGINS)


def test_review_loads_both_revisions_under_the_base_revisions_plugin_policy(tmp_path):
    """A pull request that lists a plugin in coop.yaml and uses it in a ledger does not get it run by the
    reviewer."""
    repo = make_repo(write_coop(tmp_path / "coop"))
    base = git(repo, "rev-parse", "HEAD").strip()
    plugin = "beancount.plugins.auto_accounts"
    (repo / "config" / "coop.yaml").write_text(with_plugins(plugin), encoding="utf-8")
    (repo / "ledgers" / "main.beancount").write_text(
        f'plugin "{plugin}"\n' + EXAMPLE_LEDGER + UNOPENED, encoding="utf-8"
    )
    assert run_cli(repo, "check").exit_code == 0  # the change is clean under its own policy
    expected = (
        f"error: ledgers/main.beancount:1: at working tree: plugin {plugin!r} is not allowed; coopctl "
        "does not run ledger code"
    )
    one_error(run_cli(repo, "review"), expected)
    git(repo, "commit", "-q", "-am", "a plugin")
    one_error(run_cli(repo, "review", f"{base}..HEAD"), expected.replace("working tree", "HEAD"))
    # once the base allows it, the change is reviewed as usual
    assert run_cli(repo, "review", "HEAD").exit_code == 0


# --------------------------------------------------------------------------- 2. options and annotations

UNBALANCED = (
    '\n2026-10-26 * "Off by one euro"\n  Assets:Bank:Main  10.00 EUR\n'
    "  Income:Activity:BoisNomade  -9.00 EUR\n"
)


@pytest.mark.parametrize(
    "option",
    [
        '"inferred_tolerance_default" "EUR:5"',
        '"inferred_tolerance_default" "*:5"',
        '"inferred_tolerance_multiplier" "1000"',
        '"tolerance_multiplier" "1000"',
        '"infer_tolerance_from_cost" "TRUE"',
    ],
)
def test_tolerance_options_are_refused(option, tmp_path):
    folder = write_coop(tmp_path, ledger=f"option {option}\n" + EXAMPLE_LEDGER + UNBALANCED)
    name = option.split()[0]
    line = one_error(run_cli(folder, "check"), f"error: ledgers/main.beancount:1: option {name} is refused")
    assert "unbalanced" in line


@pytest.mark.parametrize(
    "option",
    [
        '"booking_method" "FIFO"',
        '"name_income" "Revenue"',
        '"account_rounding" "Equity:Rounding"',
        '"use_precise_interpolation" "TRUE"',
        '"insert_pythonpath" "TRUE"',
        '"account_previous_balances" "Opening"',
        '"conversion_currency" "XXX"',
        '"allow_pipe_separator" "TRUE"',
        '"plugin_processing_mode" "raw"',
    ],
)
def test_options_that_change_what_the_books_mean_are_refused_in_every_file(option, tmp_path):
    folder = write_coop(
        tmp_path,
        ledger=EXAMPLE_LEDGER + 'include "extra.beancount"\n',
        extra_files={"ledgers/extra.beancount": f"; notes\noption {option}\n"},
    )
    name = option.split()[0]
    one_error(run_cli(folder, "check"), f"error: ledgers/extra.beancount:2: option {name}")


def test_accepted_options_load_and_the_readme_lists_them(tmp_path):
    options = [
        '"title" "Coop"',
        '"operating_currency" "EUR"',
        '"render_commas" "TRUE"',
        '"display_precision" "EUR:0.01"',
        '"long_string_maxlines" "128"',
        '"documents" "../documents"',
        '"plugin_processing_mode" "default"',
    ]
    assert {o.split()[0].strip('"') for o in options} == set(ACCEPTED_OPTIONS) | {"plugin_processing_mode"}
    folder = write_coop(tmp_path, ledger="".join(f"option {o}\n" for o in options) + EXAMPLE_LEDGER)
    (folder / "documents").mkdir()
    run = run_cli(folder, "check")
    assert run.exit_code == 0, run.stderr
    safety = (REPO / "docs" / "safety.md").read_text(encoding="utf-8").split("\n## ", 1)[0]
    for name in ACCEPTED_OPTIONS:
        assert f"`{name}`" in safety, name


@pytest.mark.parametrize(
    "annotation", ["@ 0.001 EUR", "@@ 1.00 EUR", "{0.001 EUR}", "{0.001 EUR} @ 0.001 EUR"]
)
def test_a_price_or_cost_on_an_amount_in_the_cooperatives_currency_is_refused(annotation, tmp_path):
    """1,000.00 EUR of revenue weighed at 0.001 balances against 1.00 EUR of cash: the activity's balance
    says 1,000.00 came in while the bank saw 1.00."""
    trick = (
        f'\n2026-10-26 * "Client" "Invoice"\n  Income:Activity:BoisNomade  -1000.00 EUR {annotation}\n'
        "  Assets:Bank:Main  1.00 EUR\n"
    )
    folder = write_coop(tmp_path, ledger=EXAMPLE_LEDGER + trick)
    for args in (["check"], ["close-month", "2026-10", "--dry-run"]):
        line = one_error(
            run_cli(folder, *args),
            "error: ledgers/main.beancount:43: posting to Income:Activity:BoisNomade: "
            "a price or cost on an amount in EUR is refused",
        )
        assert line


def test_a_foreign_currency_at_a_price_in_euros_is_still_accepted(tmp_path):
    ledger = EXAMPLE_LEDGER + (
        '\n2020-01-01 open Assets:Bank:Dollars USD\n2026-10-26 * "Change"\n'
        "  Assets:Bank:Dollars  100.00 USD @ 0.90 EUR\n  Assets:Bank:Main  -90.00 EUR\n"
    )
    run = run_cli(write_coop(tmp_path, ledger=ledger), "check")
    assert run.exit_code == 0, run.stderr


@pytest.mark.parametrize(
    "line",
    [
        'option "documents" "/"',
        'option "documents" "../.."',
        '2026-10-01 document Assets:Bank:Main "/etc/passwd"',
        '2026-10-01 document Assets:Bank:Main "../../outside.pdf"',
    ],
)
def test_documents_outside_the_cooperatives_folder_are_refused(line, tmp_path):
    (tmp_path / "outside.pdf").write_bytes(b"%PDF")
    folder = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER + line + "\n")
    one_error(run_cli(folder, "check"), "error: ledgers/main.beancount:41: ")
    assert "outside the cooperative's folder; refused" in run_cli(folder, "check").stderr


def test_a_document_inside_the_folder_is_accepted(tmp_path):
    folder = write_coop(
        tmp_path,
        ledger=EXAMPLE_LEDGER + '2026-10-01 document Assets:Bank:Main "statements/2026-10.pdf"\n',
        extra_files={"ledgers/statements/2026-10.pdf": "%PDF"},
    )
    run = run_cli(folder, "check")
    assert run.exit_code == 0, run.stderr


# --------------------------------------------------------------------------- 3. parsing limits


def test_a_billion_laughs_yaml_is_refused_at_once(tmp_path):
    laughs = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        laughs.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    members = "members: []\n" + "\n".join(laughs) + "\n"
    folder = write_coop(tmp_path, members=members)
    proc = subprocess.run(
        [sys.executable, "-m", "coopctl", "--root", str(folder), "check"],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ, COOPCTL_NO_CACHE="1"),
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.strip() == (
        "error: config/members.yaml:3: a1[0]: YAML aliases (*name) and merge keys are not accepted; "
        "write the value out in full"
    )


@pytest.mark.parametrize(
    "edit",
    [
        ("  - id: bob\n", "  - &bob\n    id: bob\n", "  - *bob\n"),
        ("    activity: AtelierCommun\n", "    <<: &common {activity: AtelierCommun}\n", ""),
    ],
)
def test_yaml_aliases_and_merge_keys_are_refused(edit, tmp_path):
    old, new, tail = edit
    members = EXAMPLE_MEMBERS.replace(old, new, 1) + tail
    if tail == "":
        members = members.replace("    activity: AtelierCommun\n", "    <<: *common\n", 1)
    line = one_error(run_cli(write_coop(tmp_path, members=members), "check"), "error: config/members.yaml:")
    assert line.endswith(
        "YAML aliases (*name) and merge keys are not accepted; write the value out in full"
    ), line


@pytest.mark.parametrize(
    "file,old,new,expected",
    [
        (
            "members",
            "id: dan",
            'id: "dan\\n"',
            "config/members.yaml:27: members[3].id: contains the invisible or control character U+000A",
        ),
        (
            "activities",
            "id: DanDesign",
            'id: "DanDesign\\n"',
            "config/activities.yaml:4: activities[2].id: contains the invisible or control character U+000A",
        ),
        (
            "coop",
            "currency: EUR",
            'currency: "EUR\\n"',
            "config/coop.yaml:2: currency: contains the invisible or control character U+000A",
        ),
    ],
)
def test_ids_are_matched_whole(file, old, new, expected, tmp_path):
    texts = {"coop": COOP_YAML, "members": EXAMPLE_MEMBERS, "activities": EXAMPLE_ACTIVITIES}
    texts[file] = texts[file].replace(old, new, 1)
    folder = write_coop(
        tmp_path, coop=texts["coop"], members=texts["members"], activities=texts["activities"]
    )
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    assert (
        run.stderr.splitlines()[0] == "error: " + expected + run.stderr.splitlines()[0].split(expected, 1)[1]
    )


@pytest.mark.parametrize(
    "where,text",
    [
        ("members", EXAMPLE_MEMBERS.replace("joined: 2026-05-01", "joined: 9999-12-31")),
        ("members", EXAMPLE_MEMBERS.replace("joined: 2026-05-01", "joined: 0001-01-01")),
        ("coop", COOP_YAML.replace("from: 2024-01-01", "from: 0001-01-01")),
        (
            "ledger",
            EXAMPLE_LEDGER
            + '\n9999-12-31 * "x"\n  Income:Activity:BoisNomade  -1.00 EUR\n  Assets:Bank:Main\n',
        ),
        ("ledger", EXAMPLE_LEDGER + "\n1899-12-31 price EUR 1.00 USD\n"),
    ],
)
def test_dates_out_of_range_in_files_get_one_line(where, text, tmp_path):
    folder = write_coop(tmp_path, **{where: text})
    for args in (["check"], ["close-month", "2026-10", "--dry-run"], ["balance", "alice"]):
        line = one_error(run_cli(folder, *args), "error: ")
        assert re.search(
            r"^error: (config/\w+\.yaml|ledgers/main\.beancount):\d+: .*date \d{4}-\d\d-\d\d is out "
            r"of range: "
            r"coopctl accepts dates from 1900 to 2999$",
            line,
        ), line


@pytest.mark.parametrize(
    "args",
    [
        ["balance", "alice", "--as-of"],
        ["treasury", "--as-of"],
        ["members", "--as-of"],
        ["tutor", "--as-of"],
        ["close-year", "2025", "--apply-surplus", "--date"],
    ],
)
@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_command_line_dates_out_of_range_are_usage_errors(args, day, example):
    line = one_error(run_cli(example, *args, day), "error: ", code=2)
    assert f"'{day}' is out of range: coopctl accepts dates from 1900 to 2999" in line


@pytest.mark.parametrize(
    "rel",
    [
        "config/coop.yaml",
        "config/members.yaml",
        "config/activities.yaml",
        "ledgers/main.beancount",
        "ledgers/extra.beancount",
    ],
)
def test_a_byte_order_mark_is_named(rel, tmp_path):
    folder = write_coop(
        tmp_path,
        ledger=EXAMPLE_LEDGER + 'include "extra.beancount"\n',
        extra_files={"ledgers/extra.beancount": "; notes\n"},
    )
    path = folder / rel
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    one_error(
        run_cli(folder, "check"),
        f"error: {rel}:1: starts with a byte order mark (BOM); save it as UTF-8 without BOM",
    )


def test_identical_error_lines_are_printed_once(tmp_path):
    ghost = (
        '2020-01-01 open Income:Activity:Ghost\n2026-10-21 * "x"\n  Income:Activity:Ghost  -1.00 EUR\n'
        "  Income:Activity:Ghost  -1.00 EUR\n  Assets:Bank:Main\n"
    )
    folder = write_coop(tmp_path, ledger=EXAMPLE_LEDGER + ghost)
    for args in (["check"], ["close-month", "2026-10", "--dry-run"]):
        one_error(
            run_cli(folder, *args),
            "error: ledgers/main.beancount:43: posting to Income:Activity:Ghost: unknown activity",
        )


def test_a_flood_of_errors_is_capped(tmp_path):
    flood = "".join(
        f'\n2026-10-21 * "x"\n  Assets:Nope{i}  1.00 EUR\n  Assets:Bank:Main\n' for i in range(50)
    )
    folder = write_coop(tmp_path, ledger=EXAMPLE_LEDGER + flood)
    for args in (["check"], ["close-month", "2026-10", "--dry-run"]):
        run = run_cli(folder, *args)
        assert run.exit_code == 1
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 21, run.stderr
        assert all(line.startswith("error: ledgers/main.beancount:") for line in lines[:20])
        assert re.fullmatch(r"error: … and \d+ more \(\d+ errors, \d+ warnings\)", lines[20]), lines[20]
    full = run_cli(folder, "check", "--format", "json").json()
    assert len([p for p in full["problems"] if p["severity"] == "error"]) == 50
