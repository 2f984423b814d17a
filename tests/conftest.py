"""Shared test helpers: real cooperatives written to temporary folders, real Beancount files."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from coopctl.ui.cli import app

REPO = Path(__file__).resolve().parents[1]

# Tests keep coopctl's cache in a folder of their own, never in the user's ~/.cache.
# ...and their write journals too (coopctl.store.journal), never in ~/.local/state. Both folders are
# removed when the test run ends (they were left in /tmp, a thousand of them after a few sessions).
import atexit as _atexit  # noqa: E402
import os as _os  # noqa: E402
import tempfile as _tempfile  # noqa: E402

for _variable, _prefix in (
    ("COOPCTL_CACHE_DIR", "coopctl-test-cache-"),
    ("COOPCTL_STATE_DIR", "coopctl-test-state-"),
):
    if _variable not in _os.environ:
        _os.environ[_variable] = _tempfile.mkdtemp(prefix=_prefix)
        _atexit.register(shutil.rmtree, _os.environ[_variable], True)
# English unless a test asks otherwise, whatever the machine's LANG.
_os.environ["COOPCTL_LANG"] = "en"


@pytest.fixture(autouse=True)
def _english():
    """Each test starts in English (the language is a process-wide setting of coopctl.ui.i18n)."""
    from coopctl.ui import i18n

    i18n.set_language("en")
    yield
    i18n.set_language("en")


COOP_YAML = """\
name: "Coopérative Exemple"
currency: EUR
ledger: ledgers/main.beancount
establishments:
  - {id: paris-11, name: "Paris 11e"}
tutors:
  - {id: mlefevre, name: "Marie Lefèvre"}
contribution:
  - {from: 2024-01-01, rate: "0.10"}
payroll:
  - {from: 2026-01-01, smic_hourly: "12.02", employer_rate: "0.42", employee_rate: "0.22"}
treasury:
  advance_cap_months: 2
"""

# DESIGN §5's worked example: month 2026-10.
EXAMPLE_MEMBERS = """\
members:
  - id: alice
    name: "Alice Martin"
    email: alice@example.org
    activity: BoisNomade
    tutor: mlefevre
    joined: 2024-03-01
    cesa_from: 2024-09-01
    associate_from: 2026-06-15
    salary:
      - {from: 2024-09-01, gross: "1500.00", hours: "120"}
      - {from: 2026-01-01, gross: "1900.00", hours: "151.67"}
  - id: bob
    name: "Bob Durand"
    activity: AtelierCommun
    joined: 2025-01-01
    cesa_from: 2025-06-01
    salary:
      - {from: 2025-06-01, gross: "1300.00", hours: "100"}
  - id: chloe
    name: "Chloé Petit"
    activity: AtelierCommun
    joined: 2025-01-01
    cesa_from: 2025-06-01
    salary:
      - {from: 2025-06-01, gross: "800.00", hours: "60"}
  - id: dan
    name: "Dan Moreau"
    activity: DanDesign
    joined: 2026-05-01
"""

EXAMPLE_ACTIVITIES = """\
activities:
  - {id: BoisNomade, name: "Bois Nomade — menuiserie", establishment: paris-11}
  - {id: AtelierCommun, name: "Atelier Commun", establishment: paris-11}
  - {id: DanDesign, name: "Dan Design", establishment: paris-11}
"""

EXAMPLE_LEDGER = """\
option "title" "Coopérative Exemple"
option "operating_currency" "EUR"

2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Assets:Receivable:BoisNomade EUR
2020-01-01 open Assets:Receivable:AtelierCommun EUR
2020-01-01 open Assets:Receivable:DanDesign EUR
2020-01-01 open Liabilities:VAT:Collected EUR
2020-01-01 open Equity:Activity:BoisNomade EUR
2020-01-01 open Equity:Activity:AtelierCommun EUR
2020-01-01 open Equity:Coop:Opening EUR
2020-01-01 open Income:Activity:BoisNomade EUR
2020-01-01 open Income:Activity:AtelierCommun EUR
2020-01-01 open Income:Activity:DanDesign EUR
2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR

2026-09-30 * "Reserves brought forward"
  Equity:Activity:BoisNomade     -1200.00 EUR
  Equity:Activity:AtelierCommun    100.00 EUR
  Equity:Coop:Opening             -900.00 EUR
  Assets:Bank:Main                2000.00 EUR

2026-10-05 * "Client" "Invoice BN-1"
  Assets:Receivable:BoisNomade    4800.00 EUR
  Income:Activity:BoisNomade     -4000.00 EUR
  Liabilities:VAT:Collected       -800.00 EUR

2026-10-12 * "Supplier" "Timber"
  Expenses:Activity:BoisNomade:Supplies  350.00 EUR
  Assets:Bank:Main                      -350.00 EUR

2026-10-15 * "Client" "Invoice AC-1"
  Assets:Receivable:AtelierCommun  3000.00 EUR
  Income:Activity:AtelierCommun   -2500.00 EUR
  Liabilities:VAT:Collected        -500.00 EUR

2026-10-20 * "Client" "Invoice DD-1"
  Assets:Receivable:DanDesign      399.90 EUR
  Income:Activity:DanDesign       -333.25 EUR
  Liabilities:VAT:Collected        -66.65 EUR
"""


def write_coop(
    folder: Path,
    *,
    coop: str = COOP_YAML,
    members: str = EXAMPLE_MEMBERS,
    activities: str = EXAMPLE_ACTIVITIES,
    ledger: str = EXAMPLE_LEDGER,
    extra_files: dict[str, str] | None = None,
) -> Path:
    """Write a cooperative's folder (config and ledger) and return it."""
    (folder / "config").mkdir(parents=True, exist_ok=True)
    (folder / "ledgers").mkdir(parents=True, exist_ok=True)
    (folder / "config" / "coop.yaml").write_text(textwrap.dedent(coop), encoding="utf-8")
    (folder / "config" / "members.yaml").write_text(textwrap.dedent(members), encoding="utf-8")
    (folder / "config" / "activities.yaml").write_text(textwrap.dedent(activities), encoding="utf-8")
    (folder / "ledgers" / "main.beancount").write_text(textwrap.dedent(ledger), encoding="utf-8")
    for name, text in (extra_files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes under folder (to prove nothing was written)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".coopctl.lock"
    }


class Run:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.stdout)


def run_cli(root: Path | None, *args: str, env: dict | None = None) -> Run:
    runner = CliRunner()
    argv = (["--root", str(root)] if root is not None else []) + list(args)
    result = runner.invoke(
        app, argv, env=env or {"COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""}, catch_exceptions=True
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Run(result)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return write_coop(tmp_path / "coop")


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    """A copy of the repository's sample cooperative."""
    target = tmp_path / "sample"
    target.mkdir()
    shutil.copytree(REPO / "config", target / "config")
    shutil.copytree(REPO / "ledgers", target / "ledgers")
    return target


# Hypothesis: a bounded profile for CI, a long one on demand (HYPOTHESIS_PROFILE=long).
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "long",
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(__import__("os").environ.get("HYPOTHESIS_PROFILE", "ci"))
