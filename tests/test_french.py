"""Complete French, from the same catalogue (issue 15, item 4).

Each of coopctl's own messages is a coded problem (or a text of the catalogue), worded in French under
``--lang fr``; the same command in English says byte for byte what it said before. Nothing here matches
a message to translate it: a French line proves the problem carried its template and parameters.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import run_cli, write_coop  # noqa: E402
from test_bad_inputs import CASES  # noqa: E402
from test_git_review import make_repo  # noqa: E402

NNBSP = "\u202f"  # Babel's French thousands separator
NBSP = "\u00a0"  # before the euro sign


def bad_input(case_id: str, base: Path, *lang: str):
    """A case of the bad-input catalogue run in a fresh cooperative, in the language asked."""
    case = next(c for c in CASES if c.id == case_id)
    folder = write_coop(base / case.id)
    if case.mutate:
        case.mutate(folder)
    return run_cli(folder, *lang, *case.args)


def one_line(run) -> str:
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    return lines[0]


# --------------------------------------------------------------------------- config and ledger errors

ERRORS = [
    # (case, the English line as before, the French line)
    (
        "unquoted-money",
        "error: config/members.yaml:12: members[0].salary[1].gross: write money as a quoted decimal string, "
        'e.g. "1900.00" (got the bare number 1900.0)',
        "erreur : config/members.yaml:12: members[0].salary[1].gross : écrivez un montant comme un nombre "
        'décimal entre guillemets, par ex. "1900.00" (reçu le nombre nu 1900.0)',
    ),
    (
        "non-utf8",
        "error: config/members.yaml:3: not valid UTF-8 (byte 38); save the file as UTF-8",
        "erreur : config/members.yaml:3: UTF-8 invalide (octet 38) ; enregistrez le fichier en UTF-8",
    ),
    (
        "surplus-against-the-law",
        "error: config/coop.yaml:12: surplus: dividends 0.30 exceed the workers' share 0.25",
        "erreur : config/coop.yaml:12: surplus : les dividendes 0.30 dépassent la part travail 0.25",
    ),
    (
        "cesa-before-joining",
        "error: config/members.yaml:8: members[0].cesa_from: CESA starts 2024-09-01, before joining on "
        "2024-10-01",
        "erreur : config/members.yaml:8: members[0].cesa_from : le CESA commence le 01/09/2024, avant "
        "l'entrée du 01/10/2024",
    ),
    (
        "dangling-activity",
        "error: config/members.yaml:29: members[3].activity: unknown activity 'DanDezign'; did you mean "
        "'DanDesign'? (or add it to config/activities.yaml)",
        "erreur : config/members.yaml:29: members[3].activity : activité 'DanDezign' inconnue ; vouliez-vous "
        "dire 'DanDesign' ? (ou ajoutez-la à config/activities.yaml)",
    ),
    (
        "duplicate-key",
        "error: config/members.yaml:7: members[0].tutor: duplicate key (first at line 6)",
        "erreur : config/members.yaml:7: members[0].tutor : clé en double (la première à la ligne 6)",
    ),
    (
        "unknown-activity",
        "error: ledgers/main.beancount:44: posting to Income:Activity:Ghost: unknown activity 'Ghost' "
        "(not in config/activities.yaml)",
        "erreur : ledgers/main.beancount:44: écriture sur Income:Activity:Ghost : activité 'Ghost' inconnue "
        "(absente de config/activities.yaml)",
    ),
    (
        "wrong-currency",
        "error: ledgers/main.beancount:45: posting to Income:Activity:BoisNomade:Export in USD; activity "
        "amounts must be in EUR",
        "erreur : ledgers/main.beancount:45: écriture sur Income:Activity:BoisNomade:Export en USD ; les "
        "montants d'une activité doivent être en EUR",
    ),
    (
        "raw-mode",
        'error: ledgers/main.beancount:1: option "plugin_processing_mode" "raw" is refused: it disables '
        "Beancount's checks",
        'erreur : ledgers/main.beancount:1: l\'option "plugin_processing_mode" "raw" est refusée : elle '
        "désactive les contrôles de Beancount",
    ),
]


@pytest.mark.parametrize("case_id, english, french", ERRORS, ids=[e[0] for e in ERRORS])
def test_config_and_ledger_errors_in_french_and_english_unchanged(case_id, english, french, tmp_path):
    assert one_line(bad_input(case_id, tmp_path / "en")) == english
    run = bad_input(case_id, tmp_path / "fr", "--lang", "fr")
    assert run.exit_code == 1
    assert one_line(run) == french


def test_pydantic_own_messages_stay_english_under_french(tmp_path):
    line = one_line(bad_input("wrong-type", tmp_path, "--lang", "fr"))
    assert line == "erreur : config/coop.yaml:4: establishments : Input should be a valid list"


def test_a_config_error_is_coded_in_json(tmp_path):
    """The problem carries its code and parameters: programs read them, never the message."""
    from coopctl.domain.problems import ConfigError
    from coopctl.store.configfile import load_cooperative

    case = next(c for c in CASES if c.id == "dangling-activity")
    folder = write_coop(tmp_path / "coop")
    assert case.mutate is not None
    case.mutate(folder)
    with pytest.raises(ConfigError) as caught:
        load_cooperative(folder)
    problem = caught.value.problems[0]
    assert problem.code == "config.unknown_activity"
    inner = problem.parameters["problem"]
    assert inner.code == "config.unknown_activity" and inner.parameters["activity"] == "'DanDezign'"
    assert inner.parameters["suggestions"] == ["DanDesign"]


# --------------------------------------------------------------------------- recompute


def test_recompute_mismatch_in_french(tmp_path):
    folder = write_coop(tmp_path / "coop")
    assert run_cli(folder, "close-month", "2026-09").exit_code == 0
    closing = folder / "ledgers/closing/2026-09.beancount"
    text = closing.read_text(encoding="utf-8")
    # a comment line changed: the books still balance, the bytes no longer match what coopctl computes
    lines = text.split("\n")
    lines[0] = lines[0] + " edited"
    closing.write_text("\n".join(lines), encoding="utf-8")
    english = run_cli(folder, "check")
    assert english.exit_code == 1
    assert (
        "ledgers/closing/2026-09.beancount:1: the closing file of 2026-09 differs from what coopctl computes "
        "from the config and the ledger (line 1: expected `" in english.stderr
    )
    assert (
        "restore it from git (git checkout -- ledgers/closing/2026-09.beancount) or reopen 2026-09 and "
        "close it again" in english.stderr
    )
    french = run_cli(folder, "--lang", "fr", "check")
    assert french.exit_code == 1
    assert (
        "ledgers/closing/2026-09.beancount:1: le fichier de clôture de 2026-09 diffère de ce que coopctl "
        "calcule à partir de la configuration et du grand livre (ligne 1 : attendu `" in french.stderr
    )
    assert (
        "restaurez-le depuis git (git checkout -- ledgers/closing/2026-09.beancount) ou rouvrez 2026-09 et "
        "clôturez-le à nouveau" in french.stderr
    )


# --------------------------------------------------------------------------- check's warnings


def test_check_warning_in_french(tmp_path):
    folder = write_coop(tmp_path / "coop")
    (folder / "ledgers" / ".main.beancount.abc.tmp").write_text("", encoding="utf-8")
    english = run_cli(folder, "check")
    assert (
        "warning: ledgers/.main.beancount.abc.tmp: temporary file left by an interrupted write; the ledger "
        "is intact, you may delete it" in english.stderr + english.stdout
    )
    french = run_cli(folder, "--lang", "fr", "check")
    assert (
        "avertissement : ledgers/.main.beancount.abc.tmp: fichier temporaire laissé par une écriture "
        "interrompue ; le grand livre est intact, vous pouvez le supprimer" in french.stderr + french.stdout
    )


def test_closed_month_change_in_french(tmp_path):
    folder = write_coop(tmp_path / "coop")
    assert run_cli(folder, "close-month", "2026-09").exit_code == 0
    main = folder / "ledgers/main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8")
        + '\n2026-09-20 * "Late"\n  Income:Activity:BoisNomade  -10.00 EUR\n  Assets:Bank:Main\n',
        encoding="utf-8",
    )
    english = run_cli(folder, "check")
    assert "closed month 2026-09: entry added after its close: " in english.stderr
    assert "post the correction in the open month, or reopen the month" in english.stderr
    french = run_cli(folder, "--lang", "fr", "check")
    assert "mois clôturé 2026-09 : écriture ajoutée après sa clôture : " in french.stderr
    assert "passez la correction dans le mois ouvert, ou rouvrez le mois" in french.stderr


# --------------------------------------------------------------------------- review's config changes

CONFIG_EDIT = (
    "config/members.yaml",
    '      - {from: 2026-07-01, gross: "2500.00", hours: "151.67"}',
    '      - {from: 2026-07-01, gross: "2500.00", hours: "151.67"}\n'
    '      - {from: 2026-11-01, gross: "2700.00", hours: "151.67"}',
)


def test_review_config_change_in_french(sample_copy):
    repo = make_repo(sample_copy)
    rel, old, new = CONFIG_EDIT
    path = repo / rel
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    english = run_cli(repo, "review")
    assert english.exit_code == 0, english.stderr
    assert "config: olivier: salary from 2026-11-01 added: 2700.00 for 151.67 h" in english.stdout
    assert run_cli(repo, "review", "--format", "json").json()["config_changes"] == [
        "olivier: salary from 2026-11-01 added: 2700.00 for 151.67 h"
    ]
    french = run_cli(repo, "--lang", "fr", "review")
    assert french.exit_code == 0, french.stderr
    assert (
        "configuration : olivier : salaire à partir du 01/11/2026 ajouté : 2700.00 pour 151.67 h"
        in french.stdout
    )


# --------------------------------------------------------------------------- the HTML statement


def test_html_statement_in_french_and_english(tmp_path):
    folder = write_coop(tmp_path / "coop")
    english_page = tmp_path / "en.html"
    assert run_cli(folder, "statement", "alice", "--year", "2026", "--html", str(english_page)).exit_code == 0
    html = english_page.read_text(encoding="utf-8")
    assert '<html lang="en">' in html
    assert "<div>Reserve on 1 January<b>" in html
    assert "<footer>Amounts in the cooperative's currency." in html
    assert re.search(r"<td class=\"n\">1\u202f\d{3}\.\d\d</td>", html)  # as before: 1 234.56
    french_page = tmp_path / "fr.html"
    run = run_cli(folder, "--lang", "fr", "statement", "alice", "--year", "2026", "--html", str(french_page))
    assert run.exit_code == 0, run.stderr
    html = french_page.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert "<div>Réserve au 1er janvier<b>" in html
    assert "<th>Mois</th>" in html
    assert "<footer>Montants dans la devise de la coopérative." in html
    assert re.search(r"<td class=\"n\">1" + NNBSP + r"\d{3},\d\d</td>", html)  # 1 234,56
    assert "Reserve" not in html.replace("Réserve", "")


# --------------------------------------------------------------------------- the Fava page


def test_fava_page_in_french(sample_copy, monkeypatch):
    fava_application = pytest.importorskip("fava.application")
    app = fava_application.create_app([str(sample_copy / "ledgers" / "main.beancount")], load=True)
    slug = app.config["LEDGERS"].first_slug()
    monkeypatch.setenv("COOPCTL_LANG", "en")
    english = app.test_client().get(f"/{slug}/extension/Coopctl/").data.decode()
    assert "<h3>Members on 2026-10-31</h3>" in english
    assert "<h3>Month 2026-09 — closed</h3>" in english
    assert "<td>Activities&#39; reserves</td>" in english  # the CLI's treasury table, escaped by Jinja
    monkeypatch.setenv("COOPCTL_LANG", "fr")
    french = app.test_client().get(f"/{slug}/extension/Coopctl/").data.decode()
    assert "<h3>Membres au 31/10/2026</h3>" in french
    assert "<h3>Mois 2026-09 — clôturé</h3>" in french
    assert "<h3>Alertes</h3>" in french
    assert "<th>Accompagnateur·rice</th>" in french
    assert "<td>Réserves des activités</td>" in french
    assert re.search(r'<td class="num">\d{1,3}' + NNBSP + r"\d{3},\d\d" + NBSP + "€</td>", french)


def test_refusals_raised_by_the_edges_are_french_too(sample_copy, tmp_path):
    """The unknown member, a missing export folder, a refused reopen: coded at the edge, French under
    --lang fr (also with --format csv: standard error is for people), unchanged in English."""
    run = run_cli(sample_copy, "--lang", "fr", "balance", "zoe")
    assert run.exit_code == 1 and run.stderr.startswith(
        "erreur : pas de membre 'zoe' (donné sur la ligne de commande) dans config/members.yaml"
    )
    assert run_cli(sample_copy, "balance", "zoe").stderr.startswith(
        "error: no member 'zoe' (given on the command line) in config/members.yaml"
    )
    run = run_cli(
        sample_copy, "--lang", "fr", "payroll", "2026-09", "--output", str(tmp_path / "nope" / "p.csv")
    )
    assert run.exit_code == 2 and "le dossier" in run.stderr and "n'existe pas" in run.stderr
    run = run_cli(sample_copy, "--lang", "fr", "reopen", "2026-05")
    assert (
        run.exit_code == 1
        and "seul le dernier mois clôturé peut être rouvert : rouvrez d'abord 2026-09" in run.stderr
    )
