"""coopctl vat PERIOD: the VAT collected and deductible of a month, quarter or year, worked by hand."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import run_cli, snapshot, write_coop

LEDGER = """\
option "operating_currency" "EUR"

2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Assets:Receivable:BoisNomade EUR
2020-01-01 open Assets:Fixed:Computers EUR
  pcg: "2183"
2020-01-01 open Liabilities:VAT:Collected EUR
2020-01-01 open Liabilities:VAT:Deductible EUR
2020-01-01 open Income:Activity:BoisNomade EUR
2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR

2026-07-10 * "Client" "F-1 at 20 %"
  Assets:Receivable:BoisNomade   1200.00 EUR
  Income:Activity:BoisNomade    -1000.00 EUR
  Liabilities:VAT:Collected      -200.00 EUR

2026-07-20 * "Supplier" "Timber"
  Expenses:Activity:BoisNomade:Supplies  300.00 EUR
  Liabilities:VAT:Deductible              60.00 EUR
  Assets:Bank:Main                      -360.00 EUR

2026-08-05 * "DGFiP" "VAT return 2026-07"
  Liabilities:VAT:Collected   200.00 EUR
  Liabilities:VAT:Deductible  -60.00 EUR
  Assets:Bank:Main           -140.00 EUR

2026-09-03 * "Restaurant" "F-2 catering at 10 %"
  Assets:Receivable:BoisNomade   550.00 EUR
  Income:Activity:BoisNomade    -500.00 EUR
  Liabilities:VAT:Collected      -50.00 EUR

2026-09-04 * "Bookshop" "F-3 books at 5.5 %"
  Assets:Receivable:BoisNomade   211.00 EUR
  Income:Activity:BoisNomade    -200.00 EUR
  Liabilities:VAT:Collected      -11.00 EUR

2026-09-10 * "Client" "F-4 two lines at 20 %"
  Assets:Receivable:BoisNomade   600.00 EUR
  Income:Activity:BoisNomade    -333.33 EUR
  Income:Activity:BoisNomade    -166.67 EUR
  Liabilities:VAT:Collected     -100.00 EUR

2026-09-15 * "Client" "Credit note on F-1"
  Assets:Receivable:BoisNomade  -120.00 EUR
  Income:Activity:BoisNomade     100.00 EUR
  Liabilities:VAT:Collected       20.00 EUR

2026-09-20 * "Shop" "Laptop"
  Assets:Fixed:Computers       1000.00 EUR
  Liabilities:VAT:Deductible    200.00 EUR
  Assets:Bank:Main            -1200.00 EUR

2026-09-25 * "Supplier" "Supplies"
  Expenses:Activity:BoisNomade:Supplies   50.00 EUR
  Liabilities:VAT:Deductible              10.00 EUR
  Assets:Bank:Main                       -60.00 EUR

2026-09-28 * "Odd" "VAT at no standard rate"
  Expenses:Activity:BoisNomade:Supplies  100.00 EUR
  Liabilities:VAT:Deductible               7.00 EUR
  Assets:Bank:Main                      -107.00 EUR

2026-10-02 * "Client" "F-5"
  Assets:Receivable:BoisNomade   1200.00 EUR
  Income:Activity:BoisNomade    -1000.00 EUR
  Liabilities:VAT:Collected      -200.00 EUR
"""


@pytest.fixture
def coop(tmp_path: Path) -> Path:
    return write_coop(tmp_path / "coop", ledger=LEDGER)


def vat(root: Path, period: str) -> dict:
    result = run_cli(root, "vat", period, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_a_month_by_rate_with_its_ca3_lines_and_a_credit(coop):
    # September, by hand. Collected: 10 % on 500.00 = 50.00 (line 9B); 5.5 % on 200.00 = 11.00 (line 09);
    # 20 %: F-4's two lines 333.33 + 166.67 = 500.00 → 100.00, less the credit note's 100.00 → 20.00:
    # 400.00 → 80.00 (line 08). Total collected 141.00 (line 16).
    # Deductible: the laptop, a fixed asset (2183): 200.00 (line 19); supplies 10.00 at 20 % and 7.00 at no
    # standard rate (line 20, 17.00 on 150.00). Total 217.00 (line 23). 141.00 − 217.00: a credit of 76.00.
    data = vat(coop, "2026-09")
    assert (data["period"], data["from"], data["to"]) == ("2026-09", "2026-09-01", "2026-09-30")
    assert (data["collected"], data["deductible"], data["due"], data["credit"]) == (
        "141.00",
        "217.00",
        "-76.00",
        "76.00",
    )
    assert [
        (x["side"], x["rate"], x["base"], x["vat"], x["ca3_line"], x["entries"]) for x in data["lines"]
    ] == [
        ("collected", "0.20", "400.00", "80.00", "08", 2),
        ("collected", "0.055", "200.00", "11.00", "09", 1),
        ("collected", "0.10", "500.00", "50.00", "9B", 1),
        ("deductible", "0.20", "1000.00", "200.00", "19", 1),
        ("deductible", "0.20", "50.00", "10.00", "20", 1),
        ("deductible", None, "100.00", "7.00", "20", 1),
    ]
    assert data["ca3"] == {
        "08": {"base": "400.00", "vat": "80.00"},
        "9B": {"base": "500.00", "vat": "50.00"},
        "09": {"base": "200.00", "vat": "11.00"},
        "16": {"vat": "141.00"},
        "19": {"base": "1000.00", "vat": "200.00"},
        "20": {"base": "150.00", "vat": "17.00"},
        "23": {"vat": "217.00"},
        "25": {"vat": "76.00"},
    }
    assert data["excluded"] == []
    assert [(x["date"], x["file"], x["line"]) for x in data["other_rate"]] == [
        ("2026-09-28", "ledgers/main.beancount", 58)
    ]


def test_the_settlement_of_an_earlier_return_is_not_part_of_the_period(coop):
    july = vat(coop, "2026-07")
    assert (july["collected"], july["deductible"], july["due"]) == ("200.00", "60.00", "140.00")
    assert july["ca3"]["28"] == {"vat": "140.00"}
    august = vat(coop, "2026-08")  # only the payment of July's return: VAT against the bank
    assert (august["collected"], august["deductible"], august["due"]) == ("0.00", "0.00", "0.00")
    assert [(x["date"], x["narration"], x["vat"]) for x in august["excluded"]] == [
        ("2026-08-05", "VAT return 2026-07", "140.00")
    ]


def test_a_quarter_and_a_year(coop):
    q3 = vat(coop, "2026-Q3")
    assert (q3["from"], q3["to"]) == ("2026-07-01", "2026-09-30")
    # July 200.00 and 60.00, September 141.00 and 217.00; August's payment not counted
    assert (q3["collected"], q3["deductible"], q3["due"], q3["credit"]) == (
        "341.00",
        "277.00",
        "64.00",
        "0.00",
    )
    assert q3["ca3"]["08"] == {"base": "1400.00", "vat": "280.00"}
    assert q3["ca3"]["20"] == {"base": "450.00", "vat": "77.00"}
    assert q3["ca3"]["28"] == {"vat": "64.00"}
    assert len(q3["excluded"]) == 1
    year = vat(coop, "2026")
    assert (year["collected"], year["deductible"], year["due"]) == ("541.00", "277.00", "264.00")
    assert vat(coop, "2026-q4")["collected"] == "200.00"


def test_the_table_says_what_is_due_or_the_credit_and_flags_the_odd_rate(coop):
    result = run_cli(coop, "vat", "2026-09")
    assert result.exit_code == 0, result.stderr
    assert "Credit: 76.00 (line 25)." in result.stdout
    assert "ledgers/main.beancount:58: the VAT of this entry matches no standard rate" in result.stdout
    assert "Taux réduit 10 %" in result.stdout
    q3 = run_cli(coop, "vat", "2026-Q3").stdout
    assert "Due: 64.00 (line 28)." in q3
    assert "Not counted: 1 entries moving VAT against no income or expense" in q3
    csv_out = run_cli(coop, "vat", "2026-09", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "side,rate,base,vat,ca3_line,entries"
    assert csv_out[1] == "collected,0.20,400.00,80.00,08,2"


@pytest.mark.parametrize("period", ["2026-13", "2026-Q5", "26-09", "2026/09", "september"])
def test_a_bad_period_is_a_usage_error_and_nothing_is_written(coop, period):
    before = snapshot(coop)
    result = run_cli(coop, "vat", period)
    assert result.exit_code == 2
    assert "is not a period; write a month 2026-09, a quarter 2026-Q3 or a year 2026" in result.stderr
    assert snapshot(coop) == before


def test_the_samples_monthly_vat_is_what_it_paid_the_next_month(sample_copy):
    # the sample pays each month's VAT return on the 19th of the next month (VAT against the bank):
    # that payment is exactly the month's VAT due, as coopctl computes it
    months = [f"2026-{m:02d}" for m in range(1, 10)]
    returns = {m: vat(sample_copy, m) for m in months}
    for month, following in zip(months, months[1:]):
        paid = returns[following]["excluded"]
        assert len(paid) == 1 and paid[0]["narration"] == f"TVA {month}"
        assert Decimal(paid[0]["vat"]) == Decimal(returns[month]["due"]) > 0
    rates = {x["rate"] for m in months for x in returns[m]["lines"] if x["side"] == "collected"}
    assert rates == {"0.20", "0.10"}  # catering (KarimaTraiteur) is invoiced at 10 %
