"""Messages that help (issue 19): "did you mean", where an id came from, the capital letter of an
account, no flood and no duplicate.

Each refusal is checked through the CLI in English and in French (the hint is a parameter of the coded
problem, worded where it is shown), with its exit code and no traceback.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import COOP_YAML, EXAMPLE_LEDGER, EXAMPLE_MEMBERS, run_cli, snapshot, write_coop  # noqa: E402
from test_git_review import make_repo  # noqa: E402

NO_ENV = {"COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}


def lines_of(run) -> list[str]:
    assert "Traceback" not in run.stderr and "Traceback" not in run.stdout
    return run.stderr.strip().splitlines()


def only_line(run) -> str:
    lines = lines_of(run)
    assert len(lines) == 1, run.stderr
    return lines[0]


def both(folder: Path, *args: str, env: dict | None = None) -> tuple:
    """The same command in English and in French."""
    return run_cli(folder, *args, env=env), run_cli(folder, "--lang", "fr", *args, env=env)


# --------------------------------------------------------------------------- did you mean: members


def test_a_mistyped_member_argument_suggests_the_nearest(tmp_path):
    folder = write_coop(tmp_path / "coop")
    en, fr = both(folder, "balance", "alcie")
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == (
        "error: no member 'alcie' (given on the command line) in config/members.yaml; did you mean 'alice'?"
    )
    assert only_line(fr) == (
        "erreur : pas de membre 'alcie' (donné sur la ligne de commande) dans config/members.yaml ; "
        "vouliez-vous dire 'alice' ?"
    )


@pytest.mark.parametrize("command", [["simulate", "chloee", "--gross", "2000"], ["statement", "chloee"]])
def test_every_command_naming_a_member_says_where_the_id_came_from(tmp_path, command):
    folder = write_coop(tmp_path / "coop")
    en, fr = both(folder, *command)
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == (
        "error: no member 'chloee' (given on the command line) in config/members.yaml; did you mean 'chloe'?"
    )
    assert "(donné sur la ligne de commande)" in only_line(fr) and "vouliez-vous dire 'chloe' ?" in only_line(
        fr
    )


def test_a_mistyped_coopctl_member_names_the_variable(tmp_path):
    folder = write_coop(tmp_path / "coop")
    env = {"COOPCTL_MEMBER": "bobb", "COOPCTL_ROOT": ""}
    en, fr = both(folder, "balance", env=env)
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == (
        "error: no member 'bobb' (taken from the COOPCTL_MEMBER environment variable) in "
        "config/members.yaml; "
        "did you mean 'bob'?"
    )
    assert only_line(fr) == (
        "erreur : pas de membre 'bobb' (d'après la variable d'environnement COOPCTL_MEMBER) dans "
        "config/members.yaml ; vouliez-vous dire 'bob' ?"
    )


def test_a_git_email_of_no_member_is_named(tmp_path):
    folder = make_repo(write_coop(tmp_path / "coop"))  # user.email tresorier@exemple.org: no member's
    en, fr = both(folder, "balance", env=NO_ENV)
    assert en.exit_code == fr.exit_code == 2
    assert only_line(en) == (
        "error: git's user.email (tresorier@exemple.org) is the email of no member in config/members.yaml; "
        "name a member (e.g. coopctl balance alice) or set COOPCTL_MEMBER"
    )
    assert only_line(fr) == (
        "erreur : le user.email de git (tresorier@exemple.org) n'est l'adresse d'aucun membre de "
        "config/members.yaml ; nommez un membre (par ex. coopctl balance alice) ou définissez COOPCTL_MEMBER"
    )


def _many_members(count: int) -> str:
    entries = [
        f'  - {{id: member{index:03d}, name: "Member {index}", activity: AtelierCommun, joined: 2025-01-01}}'
        for index in range(count)
    ]
    return EXAMPLE_MEMBERS + "\n".join(entries) + "\n"


def test_four_hundred_members_are_never_listed(tmp_path):
    folder = write_coop(tmp_path / "coop", members=_many_members(400))
    near = only_line(run_cli(folder, "balance", "member1234"))
    assert near.startswith("error: no member 'member1234' (given on the command line)")
    assert near.count("'member") <= 1 + 3  # the id typed, then three suggestions at most
    far = run_cli(folder, "balance", "zoe")
    assert only_line(far) == (
        "error: no member 'zoe' (given on the command line) in config/members.yaml; "
        "coopctl members lists the members"
    )
    assert "member0" not in far.stderr


def test_the_suggestions_are_a_parameter_for_programs(tmp_path):
    from coopctl.domain.problems import NotFound
    from coopctl.store.configfile import load_cooperative

    folder = write_coop(tmp_path / "coop")
    coop = load_cooperative(folder)
    with pytest.raises(NotFound) as caught:
        coop.member("alcie", "argument")
    (problem,) = caught.value.problems
    assert problem.code == "not_found.member"
    assert problem.parameters["suggestions"] == ["alice"]
    assert problem.as_dict()["suggestions"] == "alice"


# --------------------------------------------------------------------------- did you mean: tutors, config


def test_a_mistyped_tutor_suggests_the_nearest(tmp_path):
    folder = write_coop(tmp_path / "coop")
    en, fr = both(folder, "tutor", "mlefevr")
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == "error: no tutor 'mlefevr' in config/coop.yaml; did you mean 'mlefevre'?"
    assert only_line(fr) == (
        "erreur : pas d'accompagnateur·rice 'mlefevr' dans config/coop.yaml ; vouliez-vous dire 'mlefevre' ?"
    )


@pytest.mark.parametrize(
    ("files", "english", "french"),
    [
        (
            {"members": EXAMPLE_MEMBERS.replace("cesa_from: 2024-09-01", "cesa_form: 2024-09-01")},
            "error: config/members.yaml:8: members[0].cesa_form: unknown key; did you mean 'cesa_from'?",
            "erreur : config/members.yaml:8: members[0].cesa_form : clé inconnue ; vouliez-vous dire "
            "'cesa_from' ?",
        ),
        (
            {"coop": COOP_YAML.replace("currency:", "curency:")},
            "error: config/coop.yaml:2: curency: unknown key; did you mean 'currency'?",
            "erreur : config/coop.yaml:2: curency : clé inconnue ; vouliez-vous dire 'currency' ?",
        ),
        (
            {"members": EXAMPLE_MEMBERS.replace("tutor: mlefevre", "tutor: mlefebvre")},
            "error: config/members.yaml:6: members[0].tutor: unknown tutor 'mlefebvre'; did you mean "
            "'mlefevre'? "
            "(or add it under tutors in config/coop.yaml)",
            "erreur : config/members.yaml:6: members[0].tutor : accompagnateur·rice 'mlefebvre' inconnu·e ; "
            "vouliez-vous dire 'mlefevre' ? (ou ajoutez-le·la sous tutors dans config/coop.yaml)",
        ),
    ],
    ids=["member-key", "top-level-key", "config-tutor"],
)
def test_a_mistyped_config_name_suggests_the_nearest(tmp_path, files, english, french):
    folder = write_coop(tmp_path / "coop", **files)
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == english
    assert only_line(fr) == french


def test_a_nested_key_is_matched_against_its_own_mapping(tmp_path):
    """``hour`` on a salary entry suggests ``hours`` (a key of the salary entry, not of the member)."""
    folder = write_coop(tmp_path / "coop", members=EXAMPLE_MEMBERS.replace('hours: "120"', 'hour: "120"'))
    lines = lines_of(run_cli(folder, "check"))
    assert (
        "error: config/members.yaml:11: members[0].salary[0].hour: unknown key; did you mean 'hours'?"
        in lines
    )


def test_an_unknown_key_far_from_any_says_only_that(tmp_path):
    folder = write_coop(tmp_path / "coop", coop=COOP_YAML + "zzzzzz: 1\n")
    assert only_line(run_cli(folder, "check")).endswith("zzzzzz: unknown key")


# --------------------------------------------------------------------------- did you mean: ledger


def test_a_mistyped_account_suggests_the_opened_one(tmp_path):
    ledger = EXAMPLE_LEDGER + (
        '\n2026-10-21 * "Glue"\n  Expenses:Activity:BoisNomade:Supplis  10.00 EUR\n  Assets:Bank:Main\n'
    )
    folder = write_coop(tmp_path / "coop", ledger=ledger)
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == (
        "error: ledgers/main.beancount:42: Invalid reference to unknown account "
        "'Expenses:Activity:BoisNomade:Supplis'; did you mean 'Expenses:Activity:BoisNomade:Supplies'? "
        "(or open it)"
    )
    assert only_line(fr) == (
        "erreur : ledgers/main.beancount:42: référence au compte inconnu "
        "'Expenses:Activity:BoisNomade:Supplis' "
        "; vouliez-vous dire 'Expenses:Activity:BoisNomade:Supplies' ? (ou ouvrez-le)"
    )


def test_a_mistyped_activity_in_an_account_suggests_the_activity(tmp_path):
    ledger = EXAMPLE_LEDGER + (
        "\n2020-01-01 open Income:Activity:BoisNomad EUR\n"
        '2026-10-22 * "Client"\n  Income:Activity:BoisNomad  -10.00 EUR\n  Assets:Bank:Main\n'
    )
    folder = write_coop(tmp_path / "coop", ledger=ledger)
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == (
        "error: ledgers/main.beancount:44: posting to Income:Activity:BoisNomad: unknown activity "
        "'BoisNomad' "
        "(not in config/activities.yaml); did you mean 'BoisNomade'?"
    )
    assert only_line(fr).endswith("(absente de config/activities.yaml) ; vouliez-vous dire 'BoisNomade' ?")


# --------------------------------------------------------------------------- the capital letter


LOWERCASE = EXAMPLE_LEDGER + textwrap.dedent(
    """
    2020-01-01 open Liabilities:ExpenseClaims:celine EUR

    2026-10-21 * "Train ticket"
      Expenses:Activity:BoisNomade:Supplies  10.00 EUR
      Liabilities:ExpenseClaims:celine
    """
)


def test_a_lowercase_account_component_is_explained(tmp_path):
    folder = write_coop(tmp_path / "coop", ledger=LOWERCASE)
    before = snapshot(folder)
    en, fr = both(folder, "close-month", "2026-10")
    assert en.exit_code == fr.exit_code == 1
    assert lines_of(en) == [
        f"error: ledgers/main.beancount:{line}: Liabilities:ExpenseClaims:celine: each part of an account "
        "name "
        "must start with a capital letter or a digit, and 'celine' does not; write "
        "Liabilities:ExpenseClaims:Celine"
        for line in (42, 46)
    ]
    assert lines_of(fr)[0] == (
        "erreur : ledgers/main.beancount:42: Liabilities:ExpenseClaims:celine : chaque partie d'un nom de "
        "compte "
        "doit commencer par une majuscule ou un chiffre, et 'celine' non ; écrivez "
        "Liabilities:ExpenseClaims:Celine"
    )
    assert "Invalid token" not in en.stderr and "syntax error" not in en.stderr
    assert snapshot(folder) == before


def test_the_lowercase_rule_ignores_strings_and_comments():
    from coopctl.adapter.explain import lowercase_account

    assert lowercase_account('2026-10-21 * "note: payee:lower" ; see Assets:bank') is None
    assert lowercase_account("  Assets:Bank:Main  10.00 EUR") is None
    assert lowercase_account("  Assets:2026:Fund  10.00 EUR") is None  # a digit is allowed
    assert lowercase_account("  assets:Bank  1 EUR") == ("assets:Bank", "assets", "Assets:Bank")


# --------------------------------------------------------------------------- no duplicate, no flood


def test_the_same_problem_is_reported_once_in_json_too(tmp_path):
    ledger = EXAMPLE_LEDGER + (
        '\n2020-01-01 open Income:Activity:Ghost\n2026-10-26 * "x"\n  Income:Activity:Ghost  -1.00 EUR\n'
        "  Income:Activity:Ghost  -1.00 EUR\n  Assets:Bank:Main\n"
    )
    folder = write_coop(tmp_path / "coop", ledger=ledger)
    run = run_cli(folder, "check", "--format", "json")
    assert run.exit_code == 1
    problems = json.loads(run.stdout)["problems"]
    assert [p["code"] for p in problems] == ["ledger.unknown_activity"]


HTML = (
    "<!DOCTYPE html>\n<html><head><title>GitHub</title></head>\n<body>\n"
    + ('<div class="x">hello world 1 2 3</div>\n' * 300)
    + "</body></html>\n"
)


def test_an_html_page_saved_as_the_ledger_shows_five_errors_and_the_cause(tmp_path):
    folder = write_coop(tmp_path / "coop", ledger=HTML)
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    lines = lines_of(en)
    assert lines[0] == (
        "error: ledgers/main.beancount:1: this file looks like an HTML page (a web page saved in place of "
        "the "
        "ledger?), not a Beancount ledger; put the ledger back (e.g. git checkout -- ledgers/main.beancount)"
    )
    assert len(lines) == 1 + 5 + 1
    assert all("Invalid token" in line for line in lines[1:6])
    assert lines[6].startswith("error: ledgers/main.beancount: … and ")
    assert lines[6].endswith(" more syntax errors in this file")
    assert int(lines[6].split("… and ")[1].split()[0]) > 1000
    french = lines_of(fr)
    assert french[0].startswith("erreur : ledgers/main.beancount:1: ce fichier ressemble à une page HTML")
    assert french[6].startswith("erreur : ledgers/main.beancount: … et ")
    assert french[6].endswith(" autres erreurs de syntaxe dans ce fichier")


def test_an_included_month_file_that_is_html_is_named(tmp_path):
    ledger = EXAMPLE_LEDGER + '\ninclude "2026/*.beancount"\n'
    folder = write_coop(
        tmp_path / "coop", ledger=ledger, extra_files={"ledgers/2026/2026-11.beancount": HTML}
    )
    lines = lines_of(run_cli(folder, "check"))
    assert lines[0].startswith("error: ledgers/2026/2026-11.beancount:1: this file looks like an HTML page")
    assert len(lines) == 7


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8, b"\x00" * 64 + b"plain text after zeros\n" * 50],
    ids=["zip-not-utf8", "nul-bytes-valid-utf8"],
)
def test_a_binary_file_saved_as_the_ledger_is_named(tmp_path, content):
    folder = write_coop(tmp_path / "coop")
    (folder / "ledgers" / "main.beancount").write_bytes(content)
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    lines = lines_of(en)
    assert lines[0] == (
        "error: ledgers/main.beancount:1: this file holds binary data (a spreadsheet, an archive or an "
        "image?), "
        "not a Beancount ledger's text; put the ledger back (e.g. git checkout -- ledgers/main.beancount)"
    )
    assert len(lines) <= 7
    assert lines_of(fr)[0].startswith(
        "erreur : ledgers/main.beancount:1: ce fichier contient des données binaires"
    )


def test_a_bom_is_named_in_both_languages(tmp_path):
    folder = write_coop(tmp_path / "coop")
    main = folder / "ledgers" / "main.beancount"
    main.write_bytes(b"\xef\xbb\xbf" + main.read_bytes())
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    assert only_line(en) == (
        "error: ledgers/main.beancount:1: starts with a byte order mark (BOM); save it as UTF-8 without BOM"
    )
    assert "BOM" in only_line(fr) and only_line(fr).startswith("erreur : ")


def test_a_flood_without_a_recognisable_cause_is_cut_short_too(tmp_path):
    """Meeting notes saved as a month file: five syntax errors, then how many more; no guessed cause."""
    notes = "".join(f"Notes of meeting {n} with the accountant: bring the receipts\n" for n in range(1, 40))
    ledger = EXAMPLE_LEDGER + '\ninclude "2026/*.beancount"\n'
    folder = write_coop(
        tmp_path / "coop", ledger=ledger, extra_files={"ledgers/2026/2026-10.beancount": notes}
    )
    en, fr = both(folder, "check")
    assert en.exit_code == fr.exit_code == 1
    lines = lines_of(en)
    assert len(lines) == 6, en.stderr
    assert all(line.startswith("error: ledgers/2026/2026-10.beancount:") for line in lines)
    assert lines[-1].startswith("error: ledgers/2026/2026-10.beancount: … and ")
    assert "HTML" not in en.stderr and "binary" not in en.stderr
    assert lines_of(fr)[-1].endswith(" autres erreurs de syntaxe dans ce fichier")
