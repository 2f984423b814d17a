"""French: labels, messages, numbers and dates; English by default; JSON and CSV the same in every
language."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from coopctl.ui import i18n

NNBSP, NBSP = "\u202f", "\xa0"  # Babel's French group separator, and the space before €


def test_french_number_and_date_formats():
    i18n.set_language("fr")
    assert i18n.money(Decimal("1234.56")) == f"1{NNBSP}234,56{NBSP}€"
    assert i18n.money(Decimal("-7705.86")) == f"-7{NNBSP}705,86{NBSP}€"
    assert i18n.date(datetime.date(2026, 10, 31)) == "31/10/2026"
    assert i18n.percent(Decimal("0.125")) == "12,5 %"
    i18n.set_language("en")
    assert (
        i18n.money(Decimal("1234.56")),
        i18n.date(datetime.date(2026, 10, 31)),
        i18n.percent(Decimal("0.125")),
    ) == ("1,234.56", "2026-10-31", "12.5 %")


def test_french_report_reads_as_a_french_treasurer_expects(sample_copy):
    run = run_cli(sample_copy, "--lang", "fr", "report", "2026-09")
    assert run.exit_code == 0, run.stderr
    out = run.stdout
    for words in (
        "Mois 2026-09 : clôturé",
        "Chiffre d'affaires",
        "Coût salarial",
        "Par établissement",
        "Trésorerie mutualisée au 30/09/2026",
        "= Trésorerie de référence",
        "Fonds propres de la coopérative",
    ):
        assert words in out, words
    assert f"3{NNBSP}058,00{NBSP}€" in out  # AtelierCommun's revenue in September
    assert f"alerte : JardinsPartages : avance de 6{NNBSP}809,46{NBSP}€ au-dessus de son plafond" in out
    assert "Revenue" not in out and "Treasury" not in out


def test_english_is_the_default_and_the_environment_can_ask_for_french(sample_copy):
    english = run_cli(
        sample_copy,
        "report",
        "2026-09",
        env={"COOPCTL_LANG": "", "LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""},
    )
    assert "Month 2026-09: closed" in english.stdout
    by_lang = run_cli(
        sample_copy,
        "report",
        "2026-09",
        env={"COOPCTL_LANG": "", "LC_ALL": "", "LC_MESSAGES": "", "LANG": "fr_FR.UTF-8"},
    )
    assert "Mois 2026-09 : clôturé" in by_lang.stdout
    by_coopctl = run_cli(sample_copy, "report", "2026-09", env={"COOPCTL_LANG": "fr"})
    assert "Mois 2026-09 : clôturé" in by_coopctl.stdout
    wrong = run_cli(sample_copy, "--lang", "de", "report")
    assert wrong.exit_code == 2 and "unknown language 'de'" in wrong.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("report", "2026-09", "--format", "json"),
        ("report", "2026-09", "--format", "csv"),
        ("balance", "alice", "--as-of", "2026-10-31", "--format", "json"),
        ("close-month", "--dry-run", "--format", "json"),
        ("payroll", "2026-09"),
    ],
)
def test_json_and_csv_keep_their_machine_format_in_french(sample_copy, args):
    english = run_cli(sample_copy, *args)
    french = run_cli(sample_copy, "--lang", "fr", *args)
    assert english.exit_code == french.exit_code == 0, french.stderr
    assert french.stdout == english.stdout


def test_errors_in_french(sample_copy):
    run = run_cli(sample_copy, "--lang", "fr", "close-month", "2026-09")
    assert run.exit_code == 1
    assert run.stderr.strip() == (
        "erreur : ledgers/closing/2026-09.beancount:4: 2026-09 est déjà clôturé ; "
        "passez toute correction dans le mois ouvert"
    )


def test_every_text_has_a_french_translation_and_the_catalogue_is_compiled():
    """scripts/compile_catalogues.py --check: no text without a translation, the .mo matches the .po."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "compile_catalogues.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_translations_keep_their_placeholders():
    import string

    from babel.messages.pofile import read_po

    with (Path(i18n.LOCALE_DIR) / "fr" / "LC_MESSAGES" / "coopctl.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        fields = {name for _, name, _, _ in string.Formatter().parse(message.id) if name}
        assert {name for _, name, _, _ in string.Formatter().parse(message.string) if name} == fields, (
            message.id
        )


def test_dates_typed_as_the_french_output_prints_them(sample_copy):
    """Under --lang fr, 30/09/2026 is the 30th of September (day first), as the French tables print it."""
    french = run_cli(
        sample_copy, "--lang", "fr", "balance", "alice", "--as-of", "30/09/2026", "--format", "json"
    )
    iso = run_cli(sample_copy, "balance", "alice", "--as-of", "2026-09-30", "--format", "json")
    assert french.exit_code == 0, french.stderr
    assert french.json() == iso.json()
    assert (
        run_cli(sample_copy, "balance", "alice", "--as-of", "30/09/2026").exit_code == 2
    )  # English: ISO only
    assert run_cli(sample_copy, "--lang", "fr", "balance", "alice", "--as-of", "31/09/2026").exit_code == 2
