"""coopctl receivables: unpaid invoices, worked by hand on small ledgers loaded through Beancount."""

from __future__ import annotations

from decimal import Decimal

from conftest import EXAMPLE_LEDGER, run_cli, snapshot, write_coop

HEAD = """\
option "title" "Coopérative Exemple"
option "operating_currency" "EUR"

2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Assets:Receivable:BoisNomade EUR
2020-01-01 open Assets:Receivable:AtelierCommun EUR
2020-01-01 open Assets:Receivable:DanDesign EUR
2020-01-01 open Liabilities:VAT:Collected EUR
2020-01-01 open Income:Activity:BoisNomade EUR
2020-01-01 open Income:Activity:AtelierCommun EUR
2020-01-01 open Income:Activity:DanDesign EUR
"""


def invoice(day: str, ref: str, act: str, ttc: str, link: str = "") -> str:
    ht = (Decimal(ttc) / Decimal("1.2")).quantize(Decimal("0.01"))
    tva = Decimal(ttc) - ht
    return f"""
{day} * "Client" "Facture {ref}"{link}
  invoice: "{ref}"
  Assets:Receivable:{act}   {ttc} EUR
  Income:Activity:{act}    -{ht} EUR
  Liabilities:VAT:Collected   -{tva} EUR
"""


def payment(day: str, narration: str, act: str, amount: str, meta: str = "", link: str = "") -> str:
    return f"""
{day} * "Client" "{narration}"{link}{meta}
  Assets:Bank:Main   {amount} EUR
  Assets:Receivable:{act}  -{amount} EUR
"""


# Hand-worked: F1 1200.00 (BoisNomade) paid 500.00 by its narration, then 300.00 by invoice: metadata;
# F2 600.00 (BoisNomade) paid in full by a link; F3 900.00 (AtelierCommun) with a credit note of 240.00;
# F4 120.00 (DanDesign) untouched; a payment of 50.00 on DanDesign naming nothing. On 2026-10-31:
# F1 owes 400.00, F3 owes 660.00, F4 owes 120.00; unmatched -50.00; the receivables hold 1130.00.
WORKED = (
    HEAD
    + invoice("2026-10-01", "F1", "BoisNomade", "1200.00")
    + invoice("2026-10-02", "F2", "BoisNomade", "600.00", " ^F2")
    + invoice("2026-10-03", "F3", "AtelierCommun", "900.00")
    + invoice("2026-10-04", "F4", "DanDesign", "120.00")
    + payment("2026-10-10", "Règlement partiel F1.", "BoisNomade", "500.00")
    + payment("2026-10-12", "Virement", "BoisNomade", "300.00", meta='\n  invoice: "F1"')
    + payment("2026-10-13", "Virement client", "BoisNomade", "600.00", link=" ^F2")
    + """
2026-10-20 * "Client" "Avoir AV1 sur F3"
  invoice: "F3"
  Assets:Receivable:AtelierCommun  -240.00 EUR
  Income:Activity:AtelierCommun     200.00 EUR
  Liabilities:VAT:Collected          40.00 EUR
"""
    + payment("2026-10-25", "Virement sans référence", "DanDesign", "50.00")
    + payment("2026-11-05", "Règlement F3", "AtelierCommun", "660.00")
)


def _coop(tmp_path, ledger=WORKED):
    return write_coop(tmp_path / "coop", ledger=ledger)


def test_hand_worked_partial_payment_credit_note_link_narration_and_unmatched(tmp_path):
    root = _coop(tmp_path)
    run = run_cli(root, "receivables", "--as-of", "2026-10-31", "--format", "json")
    assert run.exit_code == 0, run.stderr
    doc = run.json()
    got = {i["invoice"]: (i["activity"], i["date"], i["amount"], i["age_days"]) for i in doc["invoices"]}
    assert got == {
        "F1": ("BoisNomade", "2026-10-01", "400.00", 30),
        "F3": ("AtelierCommun", "2026-10-03", "660.00", 28),
        "F4": ("DanDesign", "2026-10-04", "120.00", 27),
    }
    assert [(u["amount"], u["reason"], u["line"] is not None) for u in doc["unmatched"]] == [
        ("-50.00", "no_reference", True)
    ]
    assert doc["invoices_total"] == "1180.00"
    assert doc["total"] == doc["receivable_balance"] == "1130.00"
    assert doc["adds_up"] is True


def test_as_of_counts_only_what_is_dated_by_then(tmp_path):
    root = _coop(tmp_path)
    early = run_cli(root, "receivables", "--as-of", "2026-10-11", "--format", "json").json()
    assert {i["invoice"]: i["amount"] for i in early["invoices"]} == {
        "F1": "700.00",
        "F2": "600.00",
        "F3": "900.00",
        "F4": "120.00",
    }
    assert early["receivable_balance"] == "2320.00" == early["total"]
    later = run_cli(root, "receivables", "--as-of", "2026-11-30", "--format", "json").json()
    assert [i["invoice"] for i in later["invoices"]] == ["F1", "F4"]  # F3 paid on 2026-11-05
    assert later["total"] == later["receivable_balance"] == "470.00"


def test_sum_equals_the_receivable_balance_per_activity_and_member(tmp_path):
    root = _coop(tmp_path)
    by_activity = run_cli(root, "receivables", "AtelierCommun", "--as-of", "2026-10-31", "--format", "json")
    assert [i["invoice"] for i in by_activity.json()["invoices"]] == ["F3"]
    assert by_activity.json()["receivable_balance"] == "660.00"
    # bob's activity is AtelierCommun; alice's BoisNomade
    assert (
        run_cli(root, "receivables", "bob", "--as-of", "2026-10-31", "--format", "json").json()["total"]
        == "660.00"
    )
    alice = run_cli(root, "receivables", "alice", "--as-of", "2026-10-31", "--format", "json").json()
    assert [i["invoice"] for i in alice["invoices"]] == ["F1"] and alice["adds_up"]


def test_one_payment_naming_two_invoices_is_spread_oldest_first(tmp_path):
    ledger = (
        HEAD
        + invoice("2026-10-01", "A-1", "BoisNomade", "100.00")
        + invoice("2026-10-02", "A-2", "BoisNomade", "200.00")
        + payment("2026-10-05", "Règlement A-2, A-1", "BoisNomade", "250.00")
    )
    doc = run_cli(_coop(tmp_path, ledger), "receivables", "--as-of", "2026-10-31", "--format", "json").json()
    assert [(i["invoice"], i["amount"]) for i in doc["invoices"]] == [("A-2", "50.00")]
    assert doc["adds_up"]


def test_a_reference_is_matched_as_a_whole_word(tmp_path):
    ledger = (
        HEAD
        + invoice("2026-10-01", "F1", "BoisNomade", "100.00")
        + invoice("2026-10-02", "F10", "BoisNomade", "100.00")
        + payment("2026-10-05", "Règlement F10", "BoisNomade", "100.00")
    )
    doc = run_cli(_coop(tmp_path, ledger), "receivables", "--as-of", "2026-10-31", "--format", "json").json()
    assert [i["invoice"] for i in doc["invoices"]] == ["F1"]


def test_a_payment_on_another_activitys_receivable_is_not_matched(tmp_path):
    ledger = (
        HEAD
        + invoice("2026-10-01", "F1", "BoisNomade", "100.00")
        + payment("2026-10-05", "Règlement F1", "DanDesign", "100.00")
    )
    doc = run_cli(_coop(tmp_path, ledger), "receivables", "--as-of", "2026-10-31", "--format", "json").json()
    assert [i["invoice"] for i in doc["invoices"]] == ["F1"]
    assert [u["reason"] for u in doc["unmatched"]] == ["other_account"]
    assert doc["total"] == doc["receivable_balance"] == "0.00"


def test_postings_without_invoice_reference_are_listed_and_the_sentence_says_so(tmp_path):
    root = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER)  # invoices without invoice: metadata
    run = run_cli(root, "receivables", "--as-of", "2026-10-31")
    assert run.exit_code == 0, run.stderr
    assert "Receivable movements without an invoice reference" in run.stdout
    assert "ledgers/main.beancount:" in run.stdout
    assert "and the 3 movements without an invoice reference (8,199.90) add up" in run.stdout


def test_table_and_csv(tmp_path):
    root = _coop(tmp_path)
    table = run_cli(root, "receivables", "--as-of", "2026-10-31")
    assert table.exit_code == 0
    assert "F1" in table.stdout and "add up to the receivable accounts' balance, 1,130.00" in table.stdout
    csv = run_cli(root, "receivables", "--as-of", "2026-10-31", "--format", "csv")
    assert csv.stdout.splitlines()[0] == "invoice,activity,date,age_days,invoiced,amount"
    assert "F1,BoisNomade,2026-10-01,30,1200.00,400.00" in csv.stdout


def test_unknown_name_is_refused_with_nothing_touched(tmp_path):
    root = _coop(tmp_path)
    before = snapshot(root)
    run = run_cli(root, "receivables", "Nobody")
    assert run.exit_code == 1
    assert "'Nobody' is neither an activity" in run.stderr and "Traceback" not in run.stderr
    assert snapshot(root) == before


def test_the_sample_adds_up(sample_copy):
    doc = run_cli(sample_copy, "receivables", "--as-of", "2026-10-31", "--format", "json").json()
    assert doc["adds_up"] and doc["invoices"]
    assert doc["unmatched"] == []
