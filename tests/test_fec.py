"""coopctl fec YYYY: the Fichier des écritures comptables (article A47 A-1 LPF), checked independently.

``validate`` below re-reads a FEC with the csv module and checks the legal layout without coopctl's code:
the 18 field names in their legal order, one line per posting, sequential entry numbers, balanced entries,
YYYYMMDD dates, amounts with a decimal comma in their own debit and credit columns. ``ledger_totals``
computes each account's movements of the year (opening balances included) with Beancount's query
language, to compare with the FEC's totals per chart number.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import beanquery
import pytest
from conftest import COOP_YAML, run_cli, snapshot, write_coop

from coopctl.adapter.ledger import load_books
from coopctl.store.configfile import load_cooperative

LEGAL_COLUMNS = [  # article A47 A-1 of the LPF, VII and VIII, in this order
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
AMOUNT = re.compile(r"\d+,\d\d")


def amount(text: str) -> Decimal:
    assert AMOUNT.fullmatch(text), text
    return Decimal(text.replace(",", "."))


def validate(text: str, year: int) -> list[dict[str, str]]:
    """The FEC's rows, after checking its layout the way an auditor's tool would."""
    assert "\r" not in text or text.count("\r") == text.count("\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == LEGAL_COLUMNS
    records = [dict(zip(LEGAL_COLUMNS, row)) for row in rows[1:]]
    assert all(len(row) == 18 for row in rows), "every line has the 18 fields"
    assert records, "at least one posting"
    numbers = [int(r["EcritureNum"]) for r in records]
    assert numbers[0] == 1
    assert all(b in (a, a + 1) for a, b in zip(numbers, numbers[1:])), "sequential, each entry contiguous"
    balance: dict[int, Decimal] = defaultdict(Decimal)
    heads: dict[str, tuple[str, str]] = {}
    for r in records:
        for key in ("EcritureDate", "PieceDate", "ValidDate"):
            day = datetime.datetime.strptime(r[key], "%Y%m%d").date()
            assert day.year == year or key != "EcritureDate", r
        debit, credit = amount(r["Debit"]), amount(r["Credit"])
        assert (debit == 0) != (credit == 0), r  # one side only, the other 0,00
        balance[int(r["EcritureNum"])] += debit - credit
        assert re.fullmatch(r"[1-8]\d\d\w*", r["CompteNum"]), r
        for key in ("JournalCode", "JournalLib", "CompteLib", "PieceRef", "EcritureLib"):
            assert r[key].strip(), (key, r)
        assert r["DateLet"] == "" or re.fullmatch(r"\d{8}", r["DateLet"])
        assert r["ValidDate"] >= r["EcritureDate"], r  # validated on or after its date
        heads.setdefault(r["EcritureNum"], (r["EcritureDate"], r["JournalCode"]))
        assert heads[r["EcritureNum"]] == (r["EcritureDate"], r["JournalCode"]), (
            "one date and journal per entry"
        )
    assert all(total == 0 for total in balance.values()), "every entry balances"
    return records


def fec_totals(records: list[dict[str, str]]) -> dict[tuple[str, str], Decimal]:
    """Debit − credit per (CompteNum, CompAuxNum)."""
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for r in records:
        totals[(r["CompteNum"], r["CompAuxNum"])] += amount(r["Debit"]) - amount(r["Credit"])
    return {key: value for key, value in totals.items() if value}


def ledger_totals(root: Path, year: int, number) -> dict[tuple[str, str], Decimal]:
    """Each account's balance-sheet balance at the end of the year before, plus every posting of the year
    except coopctl's year-close entries, summed by Beancount's query language, grouped by ``number(account)``
    (the test's own chart: (CompteNum, CompAuxNum))."""
    books = load_books(load_cooperative(root))
    connection = beanquery.connect(
        "beancount:", entries=books.ledger.entries, options=books.ledger.options, errors=[]
    )
    opening = connection.execute(
        f"SELECT account, sum(number) WHERE date < {year}-01-01 "
        "AND account ~ '^(Assets|Liabilities|Equity):' GROUP BY account"
    ).fetchall()
    moves = connection.execute(
        f"SELECT account, sum(number) WHERE year = {year} "
        f"AND NOT (entry.meta['filename'] ~ 'closing/{year}-year') GROUP BY account"
    ).fetchall()
    unallocated = sum(
        (
            total
            for _account, total in connection.execute(
                f"SELECT account, sum(number) WHERE date < {year}-01-01 AND account ~ '^(Income|Expenses):' "
                "GROUP BY account"
            ).fetchall()
        ),
        Decimal(0),
    )
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for account, total in opening + moves:
        totals[number(account)] += total
    if unallocated:
        totals[("120", "")] += unallocated
    return {key: value for key, value in totals.items() if value}


# ---------------------------------------------------------------- a small cooperative, worked by hand

SMALL_LEDGER = """\
option "operating_currency" "EUR"

2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Assets:Receivable:BoisNomade EUR
2020-01-01 open Liabilities:VAT:Collected EUR
2020-01-01 open Liabilities:VAT:Deductible EUR
2020-01-01 open Equity:Activity:BoisNomade EUR
2020-01-01 open Equity:Coop:Opening EUR
  pcg: "101"
2020-01-01 open Income:Activity:BoisNomade EUR
2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR

2025-12-31 * "Reserves brought forward"
  Equity:Activity:BoisNomade  -1200.00 EUR
  Equity:Coop:Opening          -800.00 EUR
  Assets:Bank:Main             2000.00 EUR

2026-10-05 * "Client" "Invoice BN-1"
  invoice: "BN-1"
  Assets:Receivable:BoisNomade   4800.00 EUR
  Income:Activity:BoisNomade    -4000.00 EUR
  Liabilities:VAT:Collected      -800.00 EUR

2026-10-12 * "Supplier" "Timber"
  Expenses:Activity:BoisNomade:Supplies  350.00 EUR
  Liabilities:VAT:Deductible              70.00 EUR
  Assets:Bank:Main                      -420.00 EUR
"""


def line(*fields: str) -> str:
    assert len(fields) == 18
    return "\t".join(fields)


AN, VT, HA = ("AN", "À-nouveaux"), ("VT", "Ventes"), ("HA", "Achats")
BN = ("BoisNomade", "Bois Nomade — menuiserie")
NO_AUX = ("", "")
# worked by hand: the opening balances of 1 January (bank, the activity's reserve, the opening equity),
# the invoice (customer 411 by activity, revenue 706, VAT collected 44571) and the purchase (supplies
# 6068, deductible VAT 44566, bank 512); October is not closed, so ValidDate is each entry's own date.
SMALL_FEC = (
    "\n".join(
        [
            "\t".join(LEGAL_COLUMNS),
            line(*AN, "1", "20260101", "512", "Banques", *NO_AUX, "AN2026", "20260101", "À-nouveaux 2026",
                 "2000,00", "0,00", "", "", "20260101", "", ""),
            line(*AN, "1", "20260101", "1068", "Autres réserves", *BN, "AN2026", "20260101",
                 "À-nouveaux 2026", "0,00", "1200,00", "", "", "20260101", "", ""),
            line(*AN, "1", "20260101", "101", "Capital", *NO_AUX, "AN2026", "20260101", "À-nouveaux 2026",
                 "0,00", "800,00", "", "", "20260101", "", ""),
            line(*VT, "2", "20261005", "411", "Clients", *BN, "BN-1", "20261005", "Client — Invoice BN-1",
                 "4800,00", "0,00", "", "", "20261005", "", ""),
            line(*VT, "2", "20261005", "706", "Prestations de services", *NO_AUX, "BN-1", "20261005",
                 "Client — Invoice BN-1", "0,00", "4000,00", "", "", "20261005", "", ""),
            line(*VT, "2", "20261005", "44571", "TVA collectée", *NO_AUX, "BN-1", "20261005",
                 "Client — Invoice BN-1", "0,00", "800,00", "", "", "20261005", "", ""),
            line(*HA, "3", "20261012", "6068", "Autres matières et fournitures", *NO_AUX, "3", "20261012",
                 "Supplier — Timber", "350,00", "0,00", "", "", "20261012", "", ""),
            line(*HA, "3", "20261012", "44566", "TVA déductible sur autres biens et services", *NO_AUX, "3",
                 "20261012", "Supplier — Timber", "70,00", "0,00", "", "", "20261012", "", ""),
            line(*HA, "3", "20261012", "512", "Banques", *NO_AUX, "3", "20261012", "Supplier — Timber",
                 "0,00", "420,00", "", "", "20261012", "", ""),
        ]
    )
    + "\n"
)  # fmt: skip

SMALL_CHART = {
    "Assets:Bank:Main": ("512", ""),
    "Assets:Receivable:BoisNomade": ("411", "BoisNomade"),
    "Liabilities:VAT:Collected": ("44571", ""),
    "Liabilities:VAT:Deductible": ("44566", ""),
    "Equity:Activity:BoisNomade": ("1068", "BoisNomade"),
    "Equity:Coop:Opening": ("101", ""),
    "Income:Activity:BoisNomade": ("706", ""),
    "Expenses:Activity:BoisNomade:Supplies": ("6068", ""),
}


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write_coop(tmp_path / "coop", ledger=SMALL_LEDGER)


def test_small_fec_is_the_hand_worked_file(small):
    result = run_cli(small, "fec", "2026")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == SMALL_FEC


def test_small_fec_validates_and_its_totals_are_the_ledgers(small):
    records = validate(run_cli(small, "fec", "2026").stdout, 2026)
    assert fec_totals(records) == ledger_totals(small, 2026, SMALL_CHART.__getitem__)
    assert fec_totals(records) == {
        ("512", ""): Decimal("1580.00"),
        ("1068", "BoisNomade"): Decimal("-1200.00"),
        ("101", ""): Decimal("-800.00"),
        ("411", "BoisNomade"): Decimal("4800.00"),
        ("706", ""): Decimal("-4000.00"),
        ("44571", ""): Decimal("-800.00"),
        ("6068", ""): Decimal("350.00"),
        ("44566", ""): Decimal("70.00"),
    }


def test_the_year_before_has_no_opening_and_its_entry_goes_to_the_bank_journal(small):
    records = validate(run_cli(small, "fec", "2025").stdout, 2025)
    assert {r["JournalCode"] for r in records} == {"BQ"}
    assert {r["EcritureNum"] for r in records} == {"1"}


def test_output_writes_the_same_bytes_atomically_and_a_folder_takes_the_legal_name(small, tmp_path):
    target = tmp_path / "FEC.txt"
    result = run_cli(small, "fec", "2026", "--output", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert target.read_text(encoding="utf-8") == SMALL_FEC
    summary = result.json()
    assert summary["entries"] == 3 and summary["lines"] == 9
    assert summary["total_debit"] == summary["total_credit"] == "7220.00"
    assert summary["months_not_closed"] == ["2026-10"]
    # a folder: the name of article A47 A-1, from the SIREN in coop.yaml
    folder = tmp_path / "exports"
    folder.mkdir()
    refused = run_cli(small, "fec", "2026", "--output", str(folder))
    assert refused.exit_code == 2 and "SIREN" in refused.stderr
    assert list(folder.iterdir()) == []
    (small / "config" / "coop.yaml").write_text(COOP_YAML + 'siren: "900001009"\n', encoding="utf-8")
    assert run_cli(small, "fec", "2026", "--output", str(folder)).exit_code == 0
    assert [p.name for p in folder.iterdir()] == ["900001009FEC20261231.txt"]
    assert (folder / "900001009FEC20261231.txt").read_text(encoding="utf-8") == SMALL_FEC


def test_a_siren_is_nine_digits(small):
    (small / "config" / "coop.yaml").write_text(COOP_YAML + 'siren: "90000100"\n', encoding="utf-8")
    result = run_cli(small, "fec", "2026")
    assert result.exit_code == 1
    assert "config/coop.yaml" in result.stderr and "SIREN is 9 digits" in result.stderr


def test_every_account_without_a_number_is_named_at_its_open_directive_and_nothing_is_written(
    small, tmp_path
):
    ledger = small / "ledgers" / "main.beancount"
    text = SMALL_LEDGER.replace('  pcg: "101"\n', "") + (
        "\n2020-01-01 open Expenses:Coop:Mystery EUR\n"
        '\n2026-11-02 * "Odd"\n  Expenses:Coop:Mystery  10.00 EUR\n  Assets:Bank:Main\n'
    )
    ledger.write_text(text, encoding="utf-8")
    target = tmp_path / "FEC.txt"
    before = snapshot(small)
    result = run_cli(small, "fec", "2026", "--output", str(target))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "error: ledgers/main.beancount:8: account Equity:Coop:Opening has no French chart number (PCG) "
        'for the FEC: add pcg: "NNN" to its open directive',
        "error: ledgers/main.beancount:28: account Expenses:Coop:Mystery has no French chart number (PCG) "
        'for the FEC: add pcg: "NNN" to its open directive',
    ]
    assert not target.exists()
    assert snapshot(small) == before


def test_pcg_metadata_its_label_and_a_bad_number(small):
    ledger = small / "ledgers" / "main.beancount"
    text = SMALL_LEDGER.replace(
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n",
        '2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n  pcg: "6064"\n',
    ).replace('  pcg: "101"\n', '  pcg: "1013"\n  pcg_label: "Capital des associés"\n')
    ledger.write_text(text, encoding="utf-8")
    records = validate(run_cli(small, "fec", "2026").stdout, 2026)
    by_number = {r["CompteNum"]: r["CompteLib"] for r in records}
    assert by_number["6064"] == "Fournitures administratives"
    assert by_number["1013"] == "Capital des associés"
    ledger.write_text(text.replace('pcg: "6064"', 'pcg: "Supplies"'), encoding="utf-8")
    result = run_cli(small, "fec", "2026")
    assert result.exit_code == 1
    assert 'ledgers/main.beancount:12: Expenses:Activity:BoisNomade:Supplies: pcg: "Supplies" is not' in (
        result.stderr
    )


def test_journal_metadata_wins_and_an_unclosed_years_result_is_brought_forward(tmp_path):
    ledger = SMALL_LEDGER + (
        '\n2025-06-01 * "Client" "Invoice 2025"\n  Assets:Bank:Main  120.00 EUR\n'
        "  Income:Activity:BoisNomade  -100.00 EUR\n  Liabilities:VAT:Collected  -20.00 EUR\n"
        '\n2026-11-03 * "Bank fees charged back"\n  journal: "BQ2"\n'
        "  Expenses:Activity:BoisNomade:Supplies  5.00 EUR\n"
        "  Assets:Bank:Main  -5.00 EUR\n"
    )
    root = write_coop(tmp_path / "coop", ledger=ledger)
    records = validate(run_cli(root, "fec", "2026").stdout, 2026)
    assert fec_totals(records) == ledger_totals(root, 2026, SMALL_CHART.__getitem__)
    opening = [r for r in records if r["JournalCode"] == "AN"]
    # 2025 was never closed with close-year: its result (100.00 of revenue) opens 2026 on account 120
    assert [(r["CompteNum"], r["Credit"]) for r in opening if r["CompteNum"] == "120"] == [("120", "100,00")]
    assert [r["JournalCode"] for r in records if r["EcritureLib"] == "Bank fees charged back"] == [
        "BQ2",
        "BQ2",
    ]


def test_a_closed_month_puts_salaries_in_the_payroll_journal_and_dates_their_validation(tmp_path):
    from conftest import EXAMPLE_LEDGER

    ledger = EXAMPLE_LEDGER.replace(
        "2020-01-01 open Equity:Coop:Opening EUR\n", '2020-01-01 open Equity:Coop:Opening EUR\n  pcg: "101"\n'
    )
    root = write_coop(tmp_path / "coop", ledger=ledger)
    assert run_cli(root, "close-month", "2026-10").exit_code == 0
    records = validate(run_cli(root, "fec", "2026").stdout, 2026)
    payroll = [r for r in records if r["JournalCode"] == "PA"]
    assert {r["CompteNum"] for r in payroll} == {"641", "645", "421", "431"}
    contributions = [r for r in records if r["CompteNum"] in ("658", "758")]
    assert {r["JournalCode"] for r in contributions} == {"OD"}
    october = [r for r in records if r["EcritureDate"].startswith("202610")]
    assert {r["ValidDate"] for r in october} == {"20261031"}  # October is closed: validated at its end
    assert {r["ValidDate"] for r in records if r["EcritureDate"] == "20260930"} == {"20260930"}


# ---------------------------------------------------------------- the sample cooperative

SAMPLE_RULES = [  # the test's own reading of docs/fec.md for the sample's accounts
    (r"Assets:Bank:", "512", False),
    (r"Assets:Receivable:(\w+)", "411", True),
    (r"Liabilities:VAT:Collected", "44571", False),
    (r"Liabilities:VAT:Deductible", "44566", False),
    (r"Liabilities:Payroll:Net", "421", False),
    (r"Liabilities:Payroll:Social", "431", False),
    (r"Equity:Activity:(\w+)", "1068", True),
    (r"Equity:Coop:Reserves", "106", False),
    (r"Equity:Coop:Result", "120", False),
    (r"Income:Activity:", "706", False),
    (r"Income:Coop:Contribution", "758", False),
    (r"Income:Coop:Subvention", "740", False),
    (r"Expenses:Activity:\w+:Contribution", "658", False),
    (r"Expenses:Activity:\w+:Salary:Gross", "641", False),
    (r"Expenses:Activity:\w+:Salary:Employer", "645", False),
    (r"Expenses:Activity:\w+:Achats", "607", False),
    (r"Expenses:Activity:\w+:Fournitures", "6068", False),
    (r"Expenses:Activity:\w+:Materiel", "6063", False),
    (r"Expenses:Activity:\w+:Logiciels", "651", False),
    (r"Expenses:Activity:\w+:Deplacements", "6251", False),
    (r"Expenses:Activity:\w+:Repas", "6256", False),
    (r"Liabilities:Payable:ExpenseClaims:([\w-]+)", "421", True),  # a member's claims (claims import)
    (r"Expenses:Activity:VeloCargo:Pieces", "6068", False),  # pcg: metadata in accounts.beancount
    (r"Expenses:Coop:Equipe", "641", False),
    (r"Expenses:Coop:Loyer", "6132", False),
    (r"Expenses:Coop:Assurances", "616", False),
]


def sample_number(account: str) -> tuple[str, str]:
    for pattern, number, aux in SAMPLE_RULES:
        match = re.match(pattern, account)
        if match:
            return number, match.group(1) if aux else ""
    raise AssertionError(f"the test knows no number for {account}")


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_samples_fec_validates_and_adds_up_to_the_ledger(sample_copy, year):
    result = run_cli(sample_copy, "fec", str(year))
    assert result.exit_code == 0, result.stderr
    records = validate(result.stdout, year)
    assert fec_totals(records) == ledger_totals(sample_copy, year, sample_number)
    journals = {r["JournalCode"] for r in records}
    assert {"VT", "HA", "BQ", "PA", "OD"} <= journals
    assert ("AN" in journals) == (year == 2026)  # the sample's books start in October 2025
    # the year-close entries (income and expenses carried into the reserves) are not in the FEC
    assert not any(r["EcritureLib"].startswith("Clôture") for r in records)
    if year == 2026:  # the opening entry is the one close-year wrote in openings/2026.beancount
        opening = [r for r in records if r["JournalCode"] == "AN"]
        written = (sample_copy / "ledgers" / "openings" / "2026.beancount").read_text(encoding="utf-8")
        amounts = re.findall(r"^  (\S+)\s+(-?[\d.]+) EUR$", written, re.M)
        assert len(opening) == len(amounts)
        assert sorted(amount(r["Debit"]) - amount(r["Credit"]) for r in opening) == sorted(
            Decimal(a) for _account, a in amounts
        )


def test_the_doc_lists_the_default_map_and_shows_the_hand_worked_file():
    from conftest import REPO

    from coopctl.core.fec import DEFAULT_CHART

    doc = (REPO / "docs" / "fec.md").read_text(encoding="utf-8")
    for pattern, number, label in DEFAULT_CHART:
        assert f"| `{pattern}` | {number} | {label} |" in doc, pattern
    assert "```text\n" + SMALL_FEC + "```\n" in doc


def test_the_cooperatives_own_files_are_refused_as_output(small):
    before = snapshot(small)
    for target in ("ledgers/FEC.beancount", "config/FEC.txt"):
        result = run_cli(small, "fec", "2026", "--output", str(small / target))
        assert result.exit_code == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(small) == before
