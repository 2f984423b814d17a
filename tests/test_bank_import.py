"""coopctl import bank: statements into ledgers/bank/YYYY-MM.beancount, through real files and Beancount."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from conftest import COOP_YAML, EXAMPLE_LEDGER, run_cli, snapshot, write_coop

from coopctl.domain.cooperative import BankMapping, BankRule

BANK = """\
bank:
  account: Assets:Bank:Main
  rules:
    - {contains: "urssaf", account: Liabilities:Payroll:Social}
    - {regex: "^PRLV .*EDF", account: Expenses:Coop:Energie}
  mappings:
    banque-fr:
      encoding: latin-1
      delimiter: ";"
      skip_lines: 2
      date: "Date opération"
      date_format: "%d/%m/%Y"
      label: ["Libellé", "Détail"]
      debit: "Débit"
      credit: "Crédit"
      decimal_comma: true
    positions:
      header: false
      date: 1
      label: 3
      amount: 2
"""

LEDGER = (
    EXAMPLE_LEDGER
    + """
2020-01-01 open Liabilities:Payroll:Social EUR
2020-01-01 open Expenses:Coop:Energie EUR

2026-10-21 * "Client" "Facture F2026-7"
  invoice: "F2026-7"
  Assets:Receivable:DanDesign      240.00 EUR
  Income:Activity:DanDesign       -200.00 EUR
  Liabilities:VAT:Collected        -40.00 EUR
"""
)

STATEMENT = """\
date,label,amount
2026-11-02,VIR SEPA CLIENT F2026-7,100.00
2026-11-03,PRLV URSSAF COTISATIONS,-560.00
2026-11-04,PRLV SEPA EDF ENERGIE,-80.10
2026-11-05,CB BOULANGERIE,-4.50
2026-11-05,CB BOULANGERIE,-4.50
2026-12-01,VIR SEPA CLIENT F2026-7 SOLDE,140.00
"""


@pytest.fixture
def coop(tmp_path):
    root = write_coop(tmp_path / "coop", coop=COOP_YAML + BANK, ledger=LEDGER)
    (tmp_path / "releve.csv").write_text(STATEMENT, encoding="utf-8")
    return root


def _import(root, name="releve.csv", *args):
    return run_cli(root, "import", "bank", str(root.parent / name), *args)


def test_lines_go_to_the_invoice_the_rules_and_suspense_in_month_files(coop):
    run = _import(coop, "releve.csv", "--format", "json")
    assert run.exit_code == 0, run.stderr
    doc = run.json()
    assert [(line["kind"], line["account"]) for line in doc["lines"]] == [
        ("invoice", "Assets:Receivable:DanDesign"),
        ("rule", "Liabilities:Payroll:Social"),
        ("rule", "Expenses:Coop:Energie"),
        ("suspense", "Assets:Suspense"),
        ("suspense", "Assets:Suspense"),
        ("invoice", "Assets:Receivable:DanDesign"),
    ]
    assert doc["files"] == ["ledgers/bank/2026-11.beancount", "ledgers/bank/2026-12.beancount"]
    assert doc["include_added"] is True
    november = (coop / "ledgers" / "bank" / "2026-11.beancount").read_text(encoding="utf-8")
    assert '2026-11-02 * "VIR SEPA CLIENT F2026-7" ^F2026-7\n  bank_id: "' in november
    assert '  invoice: "F2026-7"\n  Assets:Bank:Main              100.00 EUR\n' in november
    assert "open Assets:Suspense EUR" in november
    assert 'include "bank/*.beancount"' in (coop / "ledgers" / "main.beancount").read_text(encoding="utf-8")
    # the invoice is settled by the two lines, in two months
    rec = run_cli(coop, "receivables", "DanDesign", "--as-of", "2026-11-30", "--format", "json").json()
    assert [(i["invoice"], i["amount"]) for i in rec["invoices"]] == [("F2026-7", "140.00")]
    assert rec["adds_up"]
    rec = run_cli(coop, "receivables", "DanDesign", "--as-of", "2026-12-31", "--format", "json").json()
    assert "F2026-7" not in [i["invoice"] for i in rec["invoices"]]


def test_importing_the_same_file_twice_adds_nothing(coop):
    assert _import(coop).exit_code == 0
    after_first = snapshot(coop)
    again = _import(coop, "releve.csv", "--format", "json")
    assert again.exit_code == 0, again.stderr
    assert again.json()["lines"] == [] and again.json()["already_imported"] == 6
    assert snapshot(coop) == after_first
    # a longer statement overlapping the first: only its new line is added
    (coop.parent / "longer.csv").write_text(STATEMENT + "2026-12-02,CB BOULANGERIE,-4.50\n", encoding="utf-8")
    more = _import(coop, "longer.csv", "--format", "json").json()
    assert [line["line"] for line in more["lines"]] == [8] and more["already_imported"] == 6


def test_identical_lines_stay_two_lines(coop):
    doc = _import(coop, "releve.csv", "--format", "json").json()
    ids = [line["bank_id"] for line in doc["lines"]]
    assert len(set(ids)) == len(ids) == 6


def test_dry_run_shows_the_text_and_writes_nothing(coop):
    before = snapshot(coop)
    run = _import(coop, "releve.csv", "--dry-run")
    assert run.exit_code == 0, run.stderr
    assert "Would write 6 lines" in run.stdout
    assert (
        '2026-11-03 * "PRLV URSSAF COTISATIONS"' in run.stdout
        and "; ledgers/bank/2026-12.beancount" in run.stdout
    )
    assert snapshot(coop) == before


def test_a_banks_own_export_through_its_mapping(coop):
    export = (
        "Compte courant 0001234;;;;\n"
        "Relevé du 01/11/2026 au 30/11/2026;;;;\n"
        "Date opération;Libellé;Détail;Débit;Crédit\n"
        "02/11/2026;VIR SEPA;CLIENT F2026-7;;1 200,00\n"
        "03/11/2026;PRLV URSSAF;Cotisations été;-1.234,56;\n"
    ).encode("latin-1")
    (coop.parent / "export.csv").write_bytes(export)
    run = _import(coop, "export.csv", "--mapping", "banque-fr", "--format", "json")
    assert run.exit_code == 0, run.stderr
    lines = run.json()["lines"]
    assert [(x["line"], x["date"], x["label"], x["amount"]) for x in lines] == [
        (4, "2026-11-02", "VIR SEPA CLIENT F2026-7", "1200.00"),
        (5, "2026-11-03", "PRLV URSSAF Cotisations été", "-1234.56"),
    ]
    # the invoice owed 240.00: the whole line settles it (an overpayment shows as -960.00 due)
    rec = run_cli(coop, "receivables", "DanDesign", "--as-of", "2026-11-30", "--format", "json").json()
    assert [(i["invoice"], i["amount"]) for i in rec["invoices"]] == [("F2026-7", "-960.00")]


def test_columns_by_position_without_header(coop):
    (coop.parent / "pos.csv").write_text("2026-11-02,-12.00,CB PAPETERIE\n", encoding="utf-8")
    run = _import(coop, "pos.csv", "--mapping", "positions", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert [(x["label"], x["amount"]) for x in run.json()["lines"]] == [("CB PAPETERIE", "-12.00")]


HOSTILE = [
    'VIR "FAKE" ; 2026-01-01 open Assets:Evil EUR',
    "A\nB",
    '2026-11-02 * "x"\n  Assets:Bank:Main 1000000 EUR',
    "TAB\tCR\rNUL\x00ESC\x1b[31m RLO\u202eEND",
    "ends with a backslash \\",
    'include "/etc/passwd"',
]


def test_hostile_labels_are_written_as_one_escaped_string(coop):
    body = "date,label,amount\n" + "".join(
        '2026-11-{:02d},"{}",-1.00\n'.format(i + 1, label.replace('"', '""'))
        for i, label in enumerate(HOSTILE)
    )
    (coop.parent / "hostile.csv").write_text(body, encoding="utf-8")
    run = _import(coop, "hostile.csv", "--format", "json")
    assert run.exit_code == 0, run.stderr
    text = (coop / "ledgers" / "bank" / "2026-11.beancount").read_text(encoding="utf-8")
    assert "\x00" not in text and "\x1b" not in text and "\u202e" not in text and "\r" not in text
    # every line of the file is a comment, a directive coopctl wrote, or a posting/metadata line
    for line in text.splitlines():
        assert line == "" or line.startswith((";", "  ", "2026-11-")), line
        if line.startswith("2026-11-") and " * " in line:
            assert line.count(" * ") >= 1 and line.rstrip().endswith('"')
    # Beancount reads the file back: six entries, no error, no account Assets:Evil, labels as cleaned
    check = run_cli(coop, "check", "--format", "json").json()
    assert check["ok"], check
    assert "Assets:Evil" not in {p.get("account") for p in check["problems"]}
    from beancount import loader

    entries, errors, _ = loader.load_file(str(coop / "ledgers" / "main.beancount"))
    assert not errors
    labels = [e.narration for e in entries if getattr(e, "meta", {}).get("bank_id")]
    assert labels[0] == 'VIR "FAKE" ; 2026-01-01 open Assets:Evil EUR'
    assert labels[1] == "A B"
    assert labels[3] == "TAB CR NUL ESC [31m RLO END"
    assert labels[4] == "ends with a backslash \\"
    assert not [e for e in entries if getattr(e, "account", "") == "Assets:Evil"]


def test_check_lists_suspense_lines_until_classified(coop):
    assert _import(coop).exit_code == 0
    run = run_cli(coop, "check")
    assert run.exit_code == 0
    waiting = [line for line in run.stderr.splitlines() if "waits in Assets:Suspense" in line]
    assert len(waiting) == 2
    assert waiting[0].startswith("warning: ledgers/bank/2026-11.beancount:")
    # classified: the treasurer replaces the suspense account in the bank file
    path = coop / "ledgers" / "bank" / "2026-11.beancount"
    text = path.read_text(encoding="utf-8")
    classified = re.sub(r"  Assets:Suspense( +)4.50 EUR", r"  Expenses:Coop:Energie 4.50 EUR", text)
    assert classified.count("Expenses:Coop:Energie 4.50 EUR") == 2
    path.write_text(classified, "utf-8")
    again = run_cli(coop, "check")
    assert again.exit_code == 0, again.stderr
    assert "waits in Assets:Suspense" not in again.stderr


def test_lines_in_a_closed_month_are_refused_and_nothing_is_written(coop):
    assert run_cli(coop, "close-month", "2026-10").exit_code == 0
    (coop.parent / "old.csv").write_text(
        "date,label,amount\n2026-11-02,CB A,-1.00\n2026-10-30,CB B,-2.00\n", encoding="utf-8"
    )
    before = snapshot(coop)
    run = _import(coop, "old.csv")
    assert run.exit_code == 1
    assert "old.csv:3: 2026-10-30 falls in 2026-10, which is closed" in run.stderr
    assert "nothing was written" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(coop) == before


def test_a_bad_line_refuses_the_whole_statement(coop):
    (coop.parent / "bad.csv").write_text(
        "date,label,amount\n2026-11-02,CB A,-1.00\n2026-11-03,CB B,12,5\n2026-13-01,CB C,1.00\n",
        encoding="utf-8",
    )
    before = snapshot(coop)
    run = _import(coop, "bad.csv")
    assert run.exit_code == 1
    assert "bad.csv:4: '2026-13-01' is not a date in the format %Y-%m-%d" in run.stderr
    assert snapshot(coop) == before


def test_an_account_the_ledger_does_not_open_is_refused(tmp_path):
    bank = BANK.replace("Expenses:Coop:Energie", "Expenses:Coop:Inconnu")
    root = write_coop(tmp_path / "coop", coop=COOP_YAML + bank, ledger=LEDGER)
    (tmp_path / "releve.csv").write_text(STATEMENT, encoding="utf-8")
    before = snapshot(root)
    run = _import(root)
    assert run.exit_code == 1
    assert "releve.csv:4: account Expenses:Coop:Inconnu is not open on 2026-11-04" in run.stderr
    assert snapshot(root) == before


def test_mapping_config_is_validated(tmp_path):
    for bad, message in [
        ("bank: {mappings: {x: {debit: D}}}", "give both debit and credit columns"),
        ("bank: {mappings: {x: {delimiter: ab}}}", "delimiter must be one character"),
        ("bank: {mappings: {x: {encoding: klingon}}}", "unknown encoding"),
        ("bank: {mappings: {x: {header: false}}}", "is named but header is false"),
        ("bank: {mappings: {x: {date: 0}}}", "columns are counted from 1"),
        ("bank: {mappings: {x: {colour: red}}}", "colour"),
        ("bank: {rules: [{contains: x, regex: y, account: Assets:X}]}", "contains or regex"),
        ("bank: {rules: [{contains: x, account: assets}]}", "not a Beancount account name"),
        ("bank: {rules: [{regex: '(a+)+$', account: Assets:X}]}", "repetition of a group"),
        ("bank: {rules: [{regex: '(a|aa)*b', account: Assets:X}]}", "repetition of a group"),
        ("bank: {rules: [{regex: '.*a.*b.*c', account: Assets:X}]}", "at most 2 repetitions"),
        ("bank: {rules: [{regex: '(x)\\1', account: Assets:X}]}", "back-reference"),
    ]:
        root = write_coop(tmp_path / f"c{abs(hash(bad))}", coop=COOP_YAML + bad + "\n")
        run = run_cli(root, "check")
        assert run.exit_code == 1, bad
        assert "config/coop.yaml" in run.stderr and message in run.stderr, (bad, run.stderr)


def test_a_hostile_label_cannot_make_an_allowed_rule_slow():
    rules = [BankRule(regex="^a*a*$", account="Assets:X"), BankRule(regex="x.*y.*z", account="Assets:Y")]
    from coopctl.core.bank import rule_account

    label = "a" * 135 + "!"  # within the characters rules are tried on
    started = time.perf_counter()
    assert rule_account(label, rules) is None
    assert rule_account("x" * 140, rules) is None
    assert time.perf_counter() - started < 2.0


def test_generic_mapping_is_the_documented_one():
    generic = BankMapping()
    assert (generic.date, generic.label, generic.amount, generic.delimiter, generic.decimal_comma) == (
        "date",
        "label",
        "amount",
        ",",
        False,
    )


def test_usage_errors(coop):
    assert _import(coop, "releve.csv", "--mapping", "nope").exit_code == 2
    run = _import(coop, "releve.csv", "--account", "bank")
    assert run.exit_code == 2 and "not a Beancount account name" in run.stderr
    missing = _import(coop, "missing.csv")
    assert missing.exit_code == 1 and "cannot read the statement" in missing.stderr


def test_the_samples_statement_imports_once_and_settles_its_invoices(sample_copy):
    from conftest import REPO

    statement = str(REPO / "samples" / "releve-2026-11.csv")
    before = run_cli(sample_copy, "receivables", "--as-of", "2026-11-30", "--format", "json").json()
    run = run_cli(sample_copy, "import", "bank", statement, "--format", "json")
    assert run.exit_code == 0, run.stderr
    kinds = [line["kind"] for line in run.json()["lines"]]
    assert kinds.count("suspense") == 1 and kinds.count("rule") == 2 and kinds.count("invoice") >= 10
    after = run_cli(sample_copy, "receivables", "--as-of", "2026-11-30", "--format", "json").json()
    assert after["adds_up"] and after["unmatched"] == []
    paid = sum(Decimal(x["amount"]) for x in run.json()["lines"] if x["kind"] == "invoice")
    assert Decimal(before["total"]) - Decimal(after["total"]) == paid
    again = run_cli(sample_copy, "import", "bank", statement, "--format", "json").json()
    assert again["lines"] == [] and again["already_imported"] == len(kinds)
    check = run_cli(sample_copy, "check")
    assert check.exit_code == 0, check.stderr
    assert "63.90 waits in Assets:Suspense since 2026-11-12 (CB BUREAU VALLEE PARIS 11 10/11)" in check.stderr


def test_a_ledger_error_after_writing_undoes_every_file_of_the_import(coop):
    # a December bank file left on disk, not included yet, opening the suspense account again: once the import
    # adds the include, the ledger has a duplicate open; the reload fails and the whole group is undone
    stray = coop / "ledgers" / "bank" / "2026-12.beancount"
    stray.parent.mkdir(parents=True)
    stray.write_text("2026-12-01 open Assets:Suspense EUR\n", encoding="utf-8")
    before = snapshot(coop)
    run = _import(coop)
    assert run.exit_code == 1
    assert "the ledger does not load cleanly after the import; nothing was changed" in run.stderr
    assert "Traceback" not in run.stderr
    assert snapshot(coop) == before
    assert not (coop / "ledgers" / "bank" / "2026-11.beancount").exists()
