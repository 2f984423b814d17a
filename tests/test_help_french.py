"""``--help`` speaks French when French is asked (``--lang fr``, COOPCTL_LANG, a French LANG), and stays
as it was in English (issue 15, item 4: "--help texts translated where Typer allows")."""

from __future__ import annotations

import re

import pytest
import typer.main
from conftest import run_cli

from coopctl.ui import i18n
from coopctl.ui.cli import app, help_objects

ENGLISH = {"COOPCTL_MEMBER": "", "COOPCTL_ROOT": "", "COOPCTL_LANG": "en", "LANG": "C.UTF-8", "LC_ALL": ""}
FRENCH_ENV = {**ENGLISH, "COOPCTL_LANG": "fr"}
COMMANDS = [name for name, command in typer.main.get_command(app).commands.items() if not command.hidden]


def flat(text: str) -> str:
    """The words of a help screen, without Rich's boxes and line breaks (wrapping cuts sentences)."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def english_prose(command_name: str | None) -> list[str]:
    """The English prose of the group's (None) or a command's help texts: each paragraph, flattened."""
    group = typer.main.get_command(app)
    for command, params in help_objects(group):
        if (command_name is None and command is group) or command.name == command_name:
            texts = [command.help, *(getattr(param, "help", None) for param in params)]
            return [
                " ".join(paragraph.split())
                for text in texts
                for paragraph, prose in i18n.help_paragraphs(text or "")
                if prose
            ]
    raise AssertionError(command_name)


def assert_no_english(output: str, command_name: str | None) -> None:
    words = flat(output)
    for sentence in english_prose(command_name) + ["Show this message and exit.", "[default:", "Commands"]:
        assert sentence not in words, f"untranslated: {sentence!r}"


def test_top_level_help_in_french_with_lang_option():
    run = run_cli(None, "--lang", "fr", "--help", env=ENGLISH)
    assert run.exit_code == 0, run.stderr
    words = flat(run.stdout)
    assert (
        "La comptabilité d'une coopérative d'activités et d'emploi (CAE), sur des journaux Beancount."
        in words
    )
    assert "Exemple : coopctl close-month --dry-run" in words  # the example's command line is untouched
    assert "Commandes" in words and "Afficher ce message et quitter." in words
    # each command's line in the list is French
    assert "close-month Clôturer un mois : prélever les contributions" in words
    assert "Langue des tableaux et des messages : en ou fr" in words
    assert "--lang" in words and "--root" in words  # option names untouched
    assert_no_english(run.stdout, None)


def test_close_month_help_in_french():
    run = run_cli(None, "--lang", "fr", "close-month", "--help", env=ENGLISH)
    assert run.exit_code == 0, run.stderr
    words = flat(run.stdout)
    assert (
        "Clôturer un mois : prélever les contributions, passer les salaires, signaler avances et alertes."
        in words
    )
    assert "Refuse, sans rien écrire, quand la configuration ou le journal a une erreur" in words
    assert "Exemples : coopctl close-month --dry-run coopctl close-month 2026-10 --format json" in words
    assert "Calculer et montrer la clôture ; ne rien écrire." in words
    assert "[par défaut : table]" in words
    assert "--dry-run -n" in words and "--format -f" in words
    assert_no_english(run.stdout, "close-month")


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_in_french_from_coopctl_lang(name):
    run = run_cli(None, name, "--help", env=FRENCH_ENV)
    assert run.exit_code == 0, run.stderr
    assert "Exemples :" in run.stdout and "coopctl " + name in run.stdout  # examples kept
    assert_no_english(run.stdout, name)


@pytest.mark.parametrize(
    "args, env",
    [
        (["--lang=fr", "--help"], ENGLISH),
        (["--help"], {**ENGLISH, "COOPCTL_LANG": "", "LANG": "fr_FR.UTF-8"}),
        (["--root", ".", "--lang", "fr", "report", "--help"], ENGLISH),  # --lang among other options
        ([], FRENCH_ENV),  # no arguments: the group's help, in French too
    ],
)
def test_other_ways_of_asking_french(args, env):
    run = run_cli(None, *args, env=env)
    assert run.exit_code == 0, run.stderr
    assert "Afficher ce message et quitter." in run.stdout
    assert "Show this message and exit." not in run.stdout


def test_english_help_unchanged_and_french_leaves_no_trace():
    before = run_cli(None, "close-month", "--help", env=ENGLISH).stdout
    top_before = run_cli(None, "--help", env=ENGLISH).stdout
    assert "Close a month: take contributions, book salaries, report advances and alerts." in before
    assert "Show this message and exit." in before and "[default: table]" in before
    run_cli(None, "--lang", "fr", "close-month", "--help", env=ENGLISH)
    run_cli(None, "--help", env=FRENCH_ENV)
    # Typer's words (panel titles, [default: ...]) and the app's texts are English again afterwards
    assert run_cli(None, "close-month", "--help", env=ENGLISH).stdout == before
    assert run_cli(None, "--help", env=ENGLISH).stdout == top_before
    assert "╭─ Commands" in top_before
