"""``coopctl init``: a new cooperative's repository that passes ``coopctl check`` at once."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from coopctl.adapter.text import quote
from coopctl.domain.problems import N_, UsageError
from coopctl.store.safe_io import atomic_write

COOP = """# The cooperative. Money and rates are quoted decimal strings ("0.10", "1900.00").
name: {yaml_name}
currency: EUR
ledger: ledgers/main.beancount
# An establishment may set its own payroll rates, e.g. its AT/MP rate, under contribution_rates:
#   contribution_rates: [{{from: {year}-01-01, code: at_mp, employer: "0.009"}}]
establishments:
  - {{id: siege, name: "Siège"}}
tutors: []                         # e.g. - {{id: mlefevre, name: "Marie Lefèvre"}}
contribution:                      # dated schedule; an activity may override it
  - {{from: {year}-01-01, rate: "0.10"}}
payroll:
  # The 2026 payslip lines and the general reduction (RGDU), with their sources in coopctl's
  # docs/payroll-2026.yaml. CHECK THEM AGAINST YOUR OWN PAYSLIPS: the AT/MP rate notified to each
  # establishment (set it under the establishment: contribution_rates), your mutuelle, and the rates that
  # depend on the headcount and the place (FNAL, training, versement mobilité, t_delta from 50 employees).
  - from: {year}-01-01
    smic_hourly: "12.02"
    ceiling_monthly: "4005.00"             # plafond mensuel de la sécurité sociale
    general_reduction: {{t_min: "0.02", t_delta: "0.3781", exponent: "1.75"}}   # under 50 employees
    contributions:
      - {{code: maladie, base: gross, employer: "0.13"}}
      - {{code: csa, base: gross, employer: "0.003"}}
      - {{code: vieillesse_plafonnee, base: T1, employer: "0.0855", employee: "0.069"}}
      - {{code: vieillesse_deplafonnee, base: gross, employer: "0.0211", employee: "0.004"}}
      - {{code: allocations_familiales, base: gross, employer: "0.0525"}}
      - {{code: fnal, base: T1, employer: "0.001"}}
      - {{code: dialogue_social, base: gross, employer: "0.00016"}}
      - {{code: at_mp, base: gross, employer: "0.01"}}
      - {{code: chomage, base: gross, employer: "0.04"}}
      - {{code: ags, base: gross, employer: "0.0025"}}
      - {{code: agirc_arrco_t1, base: T1, employer: "0.0601", employee: "0.0401"}}
      - {{code: agirc_arrco_t2, base: T2, employer: "0.1457", employee: "0.0972"}}
      - {{code: formation_professionnelle, base: gross, employer: "0.01"}}
      - {{code: taxe_apprentissage, base: gross, employer: "0.0068"}}
      - {{code: versement_mobilite, base: gross, employer: "0.0295"}}
      - {{code: csg_crds, base: csg, employee: "0.097"}}
      - {{code: mutuelle, employer_amount: "25.00", employee_amount: "25.00", in_csg_base: true}}
treasury:
  advance_cap_months: 2            # an activity's advance may reach 2 months of its salary cost
  deficit_months_alert: 3
  pool_use_limit: "0.50"
  min_coverage: "1.00"
ledger_plugins: []                 # Beancount plugins coopctl may run (none by default)
"""

MEMBERS = """# The members, their phases (CAPE, then CESA) and salary amendments. \
An example, to copy and adapt:
#
#  - id: alice
#    name: "Alice Martin"
#    email: alice@example.org      # coopctl balance finds the member by git's user.email
#    activity: BoisNomade
#    joined: {year}-03-01           # CAPE phase starts
#    cesa_from: {year}-09-01        # salaried from this day
#    salary:
#      - {{from: {year}-09-01, gross: "1900.00", hours: "151.67"}}
members: []
"""

ACTIVITIES = """# The activities: an id is a Beancount account component \
(an uppercase letter, then letters, digits, dashes).
#  - {id: BoisNomade, name: "Bois Nomade — menuiserie", establishment: siege}
activities: []
"""

MAIN = """; The cooperative's ledger. Activities post to Income:Activity:<ACT>, Expenses:Activity:<ACT>…
; (see coopctl's docs/formats.md, "Ledger conventions"). Closings are included by the first close-month.
option "title" {beancount_name}
option "operating_currency" "EUR"

include "accounts.beancount"

; One file per month in {year}/ ({year}-01.beancount … {year}-12.beancount): the line below includes every
; file created there. A new year needs its own line, include "{next_year}/*.beancount" (close-year adds it)
include "{year}/*.beancount"
"""

MONTH = """; Entries of {month}: invoices, payments, expenses, credit notes, expense claims.
; Templates: docs/first-month.md in coopctl's documentation. The next month goes in ledgers/{next_file}.
"""

ACCOUNTS = """; The cooperative's own accounts; open each activity's accounts here too.
{year}-01-01 open Assets:Bank:Main EUR
{year}-01-01 open Liabilities:VAT:Collected EUR
{year}-01-01 open Liabilities:VAT:Deductible EUR
{year}-01-01 open Equity:Coop:Reserves EUR
{year}-01-01 open Income:Coop:Subsidy EUR
{year}-01-01 open Expenses:Coop:Staff EUR
"""

GITIGNORE = """# coopctl's lock (its cache lives in ~/.cache/coopctl, outside the repository)
.coopctl.lock
*.picklecache
"""

PRE_COMMIT = """# pre-commit (https://pre-commit.com): \
refuse a commit that breaks the books or rewrites a closed month.
repos:
  - repo: local
    hooks:
      - id: coopctl-check
        name: coopctl check
        entry: coopctl check
        language: system
        pass_filenames: false
        files: ^(config/.*\\.ya?ml|ledgers/.*\\.beancount)$
"""


def _one_line_char(char: str) -> bool:
    """A character a one-line name may hold: printable in YAML (YAML 1.1, §5.1), and no line or tab break."""
    code = ord(char)
    return (
        0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or code >= 0x10000
    ) and char not in "\u2028\u2029"


def init_cooperative(folder: Path, name: str, today: datetime.date) -> list[Path]:
    """Create a cooperative's files in ``folder`` (new or empty); return them."""
    if folder.exists() and any(folder.iterdir()):
        raise UsageError.of(
            "init.not_empty",
            N_("{folder} is not empty; coopctl init creates a new cooperative in a new or empty folder"),
            folder=str(folder),
        )
    if not name.strip() or not all(_one_line_char(c) for c in name):
        raise UsageError.of(
            "init.name", N_('the name must be one line of text, e.g. --name "Coopérative Exemple"')
        )
    # Written as a YAML double-quoted scalar (JSON's escapes are YAML's) and a Beancount string: any text
    # reads back as typed.
    values = {
        "yaml_name": json.dumps(name.strip(), ensure_ascii=False),
        "beancount_name": quote(name.strip()),
        "year": today.year,
        "next_year": today.year + 1,
    }
    month = f"{today.year}-{today.month:02d}"
    following = today.replace(day=28) + datetime.timedelta(days=4)
    next_month = f"{following.year}-{following.month:02d}"
    files = {
        "config/coop.yaml": COOP.format(**values),
        "config/members.yaml": MEMBERS.format(**values),
        "config/activities.yaml": ACTIVITIES,
        "ledgers/main.beancount": MAIN.format(**values),
        "ledgers/accounts.beancount": ACCOUNTS.format(**values),
        f"ledgers/{today.year}/{month}.beancount": MONTH.format(
            month=month, next_file=f"{next_month}.beancount"
        ),
        ".gitignore": GITIGNORE,
        ".pre-commit-config.yaml": PRE_COMMIT,
    }
    written = []
    for rel, text in files.items():
        path = folder / rel
        atomic_write(path, text.encode("utf-8"))
        written.append(path)
    return written
