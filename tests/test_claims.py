"""Expense claims and mileage (issue 17, item 5): ``coopctl claims import FILE`` and ``coopctl claims``.

Each test writes the worked-example cooperative (tests/conftest.py) with the official car scale of 2025
(BOI-BAREME-000001: 5 CV: d × 0.636 up to 5,000 km, d × 0.357 + 1,395 up to 20,000, d × 0.427 beyond;
7 CV and more: d × 0.697, d × 0.394 + 1,515, d × 0.470), a claims CSV, and runs the CLI. Reserves on the
worked example: BoisNomade 1,200.00 brought in on 2026-09-30, +4,000.00 revenue on 10-05, −350.00 Timber on
10-12; DanDesign 0.00 until its invoice of 10-20.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import COOP_YAML, EXAMPLE_LEDGER, run_cli, snapshot, write_coop

from coopctl.core.claims import member_component, mileage_amount, scale_total
from coopctl.domain.cooperative import ClaimsPolicy

D = Decimal

SCALE = """\
claims:
  mileage:
    - from: 2024-01-01
      horsepower:
        - cv_up_to: 5
          distances:
            - {up_to: 5000, a: "0.636"}
            - {up_to: 20000, a: "0.357", b: "1395.00"}
            - {a: "0.427"}
        - distances:
            - {up_to: 5000, a: "0.697"}
            - {up_to: 20000, a: "0.394", b: "1515.00"}
            - {a: "0.470"}
"""
HEADER = "member,date,kind,amount,vat,km,cv,category,note\n"


def coop(tmp_path: Path, **more) -> Path:
    return write_coop(tmp_path / "coop", coop=COOP_YAML + SCALE, **more)


def claims_csv(root: Path, rows: str, name: str = "claims.csv") -> Path:
    path = root.parent / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def import_json(root: Path, path: Path, *more: str) -> dict:
    result = run_cli(root, "claims", "import", str(path), *more, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def month_file(root: Path, month: str = "2026-10") -> str:
    return (root / "ledgers" / "claims" / f"{month}.beancount").read_text(encoding="utf-8")


def test_an_expense_is_booked_net_with_its_vat_apart(tmp_path):
    """alice claims 120.00 with 20.00 VAT for a train ticket: 100.00 on BoisNomade's Deplacements (the
    travel category), 20.00 on Liabilities:VAT:Deductible, −120.00 owed to her on
    Liabilities:Payable:ExpenseClaims:Alice; the main ledger includes claims/*.beancount; check stays
    clean; her balance on 10-31 goes from 4,850.00 to 4,750.00 (the net)."""
    root = coop(tmp_path)
    before = run_cli(root, "balance", "alice", "--as-of", "2026-10-31", "--format", "json").json()["balance"]
    assert before == "4850.00"
    got = import_json(root, claims_csv(root, "alice,2026-10-08,expense,120.00,20.00,,,travel,Train\n"))
    (claim,) = got["claims"]
    assert (claim["amount"], claim["vat"], claim["net"], claim["status"]) == (
        "120.00",
        "20.00",
        "100.00",
        "approved",
    )
    text = month_file(root)
    assert "  Expenses:Activity:BoisNomade:Deplacements   100.00 EUR\n" in text
    assert "  Liabilities:VAT:Deductible                   20.00 EUR\n" in text
    assert "  Liabilities:Payable:ExpenseClaims:Alice    -120.00 EUR\n" in text
    assert 'include "claims/*.beancount"' in (root / "ledgers" / "main.beancount").read_text(encoding="utf-8")
    assert run_cli(root, "check").exit_code == 0
    after = run_cli(root, "balance", "alice", "--as-of", "2026-10-31", "--format", "json").json()["balance"]
    assert after == "4750.00"


def test_mileage_across_the_5000_km_threshold_over_two_imports(tmp_path):
    """5 CV. First import: 4,800 km → F(4800) = 4800 × 0.636 = 3,052.80. Second import: 400 km more; the
    year's kilometres go 4,800 → 5,200: F(5200) = 5200 × 0.357 + 1395 = 3,251.40, so the claim is worth
    3,251.40 − 3,052.80 = 198.60 (not 400 × 0.636 = 254.40). Together 3,251.40 = F(5,200)."""
    root = coop(tmp_path)
    first = import_json(root, claims_csv(root, "alice,2026-10-10,mileage,,,4800,5,,Chantiers\n", "a.csv"))
    second = import_json(root, claims_csv(root, "alice,2026-10-20,mileage,,,400,5,,\n", "b.csv"))
    assert first["claims"][0]["amount"] == "3052.80"
    assert (second["claims"][0]["km_before"], second["claims"][0]["amount"]) == (4800, "198.60")
    assert 'km_before: "4800"' in month_file(root)
    assert run_cli(root, "check").exit_code == 0


def test_mileage_rows_of_one_file_accumulate_in_order(tmp_path):
    """One file, 7 CV: 3,000 km then 3,000 km. F(3000) = 3000 × 0.697 = 2,091.00; F(6000) = 6000 × 0.394 +
    1515 = 3,879.00; the second row is worth 3,879.00 − 2,091.00 = 1,788.00. A January 2027 claim would start
    again from 0 (the year's kilometres)."""
    root = coop(tmp_path)
    got = import_json(
        root, claims_csv(root, "alice,2026-10-10,mileage,,,3000,8,,\nalice,2026-10-11,mileage,,,3000,8,,\n")
    )
    assert [c["amount"] for c in got["claims"]] == ["2091.00", "1788.00"]


def test_the_scale_beyond_20000_km():
    """5 CV, 19,900 km before, 200 more: F(20100) = 20100 × 0.427 = 8,582.70; F(19900) = 19900 × 0.357 +
    1395 = 8,499.30; the claim is worth 83.40."""
    policy = ClaimsPolicy.model_validate(
        {
            "mileage": [
                {
                    "from": "2024-01-01",
                    "horsepower": [
                        {
                            "cv_up_to": 5,
                            "distances": [
                                {"up_to": 5000, "a": "0.636"},
                                {"up_to": 20000, "a": "0.357", "b": "1395.00"},
                                {"a": "0.427"},
                            ],
                        },
                        {"distances": [{"a": "0.697"}]},
                    ],
                }
            ]
        }
    )
    entry = policy.mileage[0]
    assert scale_total(entry, 5, D(20100)) == D("8582.700")
    assert mileage_amount(entry, 5, D(19900), D(200)) == D("83.40")
    assert mileage_amount(entry, 4, D(0), D(5000)) == D("3180.00")  # 5,000 × 0.636: the bound is in the band


def test_a_claim_the_reserve_cannot_pay_is_pending_and_listed_not_paid(tmp_path):
    """dan's DanDesign holds 0.00 on 10-10 (its invoice comes on 10-20): his 50.00 claim is booked pending;
    alice's 60.00 the same day is approved (BoisNomade holds 5,200.00). ``coopctl claims`` lists dan's as
    pending (nothing paid) and his 50.00 in the member's pending total."""
    root = coop(tmp_path)
    got = import_json(
        root,
        claims_csv(
            root,
            "dan,2026-10-10,expense,50.00,,,,supplies,Papier\nalice,2026-10-10,expense,60.00,10.00,,,meals,\n",
        ),
    )
    assert [(c["member"], c["status"], c["reserve"]) for c in got["claims"]] == [
        ("dan", "pending", "0.00"),
        ("alice", "approved", "5200.00"),
    ]
    assert 'claim_status: "pending"' in month_file(root)
    listed = run_cli(root, "claims", "--format", "json").json()
    states = {c["member"]: (c["state"], c["paid"]) for c in listed["claims"]}
    assert states == {"dan": ("pending", "0.00"), "alice": ("to pay", "0.00")}
    dan = next(m for m in listed["members"] if m["member"] == "dan")
    assert (dan["claimed"], dan["pending"], dan["paid"], dan["outstanding"]) == (
        "50.00",
        "50.00",
        "0.00",
        "50.00",
    )
    table = run_cli(root, "claims")
    assert table.exit_code == 0 and "pending" in table.stdout


def test_reserve_counts_the_claims_of_the_same_import(tmp_path):
    """BoisNomade holds 5,200.00 on 10-10: a first claim of 5,000.00 is approved, a second of 300.00 the
    same day finds 200.00 left and is pending."""
    root = coop(tmp_path)
    got = import_json(
        root,
        claims_csv(
            root,
            "alice,2026-10-10,expense,5000.00,,,,supplies,\nalice,2026-10-10,expense,300.00,,,,supplies,\n",
        ),
    )
    assert [(c["status"], c["reserve"]) for c in got["claims"]] == [
        ("approved", "5200.00"),
        ("pending", "200.00"),
    ]


def test_a_payment_on_the_members_account_marks_claims_paid(tmp_path):
    """alice claims 120.00 then 30.00; the treasurer pays her 100.00 (a bank transfer on her claims
    account): payments go to the oldest approved claim first, so the 120.00 one has 100.00 paid and is
    still to pay, the 30.00 one nothing; she is owed 150.00 − 100.00 = 50.00. A second payment of 50.00
    pays both."""
    root = coop(tmp_path)
    import_json(
        root,
        claims_csv(
            root,
            "alice,2026-10-08,expense,120.00,20.00,,,travel,\nalice,2026-10-09,expense,30.00,,,,meals,\n",
        ),
    )
    with (root / "ledgers" / "main.beancount").open("a", encoding="utf-8") as ledger:
        ledger.write(
            '\n2026-10-25 * "Remboursement notes de frais"\n'
            "  Liabilities:Payable:ExpenseClaims:Alice   100.00 EUR\n"
            "  Assets:Bank:Main                         -100.00 EUR\n"
        )
    listed = run_cli(root, "claims", "--member", "alice", "--format", "json").json()
    assert [(c["state"], c["paid"]) for c in listed["claims"]] == [("to pay", "100.00"), ("to pay", "0.00")]
    (alice,) = listed["members"]
    assert (alice["claimed"], alice["paid"], alice["outstanding"]) == ("150.00", "100.00", "50.00")
    with (root / "ledgers" / "main.beancount").open("a", encoding="utf-8") as ledger:
        ledger.write(
            '\n2026-10-26 * "Remboursement notes de frais"\n'
            "  Liabilities:Payable:ExpenseClaims:Alice    50.00 EUR\n"
            "  Assets:Bank:Main                          -50.00 EUR\n"
        )
    listed = run_cli(root, "claims", "--member", "alice", "--format", "json").json()
    assert [c["state"] for c in listed["claims"]] == ["paid", "paid"]


def test_importing_the_same_file_twice_adds_nothing(tmp_path):
    """The second import of one file books nothing (each row's identity is in claim_id metadata) and says
    which lines it left; two identical rows in one file are two claims (their rank is in the identity)."""
    root = coop(tmp_path)
    path = claims_csv(
        root,
        "alice,2026-10-08,expense,12.00,2.00,,,meals,Café\nalice,2026-10-08,expense,12.00,2.00,,,meals,Café\n",
    )
    first = import_json(root, path)
    assert len(first["claims"]) == 2
    before = snapshot(root)
    again = import_json(root, path)
    assert (again["claims"], again["already_booked"], again["written"]) == ([], [2, 3], [])
    assert snapshot(root) == before
    assert month_file(root).count("claim_id:") == 2


def test_dry_run_writes_nothing(tmp_path):
    root = coop(tmp_path)
    path = claims_csv(root, "alice,2026-10-08,expense,12.00,2.00,,,meals,\n")
    before = snapshot(root)
    got = import_json(root, path, "--dry-run")
    assert got["dry_run"] is True and got["claims"][0]["amount"] == "12.00"
    assert snapshot(root) == before


def test_a_claim_in_a_closed_month_is_refused_with_file_and_line(tmp_path):
    """October closed: a claim dated 2026-10-15 is refused (exit 1, claims.csv:3, nothing written), even
    though the row before it, in November, is fine."""
    root = coop(tmp_path)
    assert run_cli(root, "close-month", "2026-10").exit_code == 0
    path = claims_csv(
        root, "alice,2026-11-02,expense,10.00,,,,meals,\nalice,2026-10-15,expense,10.00,,,,meals,\n"
    )
    before = snapshot(root)
    result = run_cli(root, "claims", "import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {path}:3: 2026-10-15 is in 2026-10, a closed month")
    assert snapshot(root) == before


def test_a_november_claim_after_october_closed_is_booked_and_check_proves_october(tmp_path):
    """October closed, then a November claim: the accounts are opened on 2026-11-01 (the first open month),
    so October's sources do not change and check still proves its closing."""
    root = coop(tmp_path)
    assert run_cli(root, "close-month", "2026-10").exit_code == 0
    import_json(root, claims_csv(root, "alice,2026-11-02,expense,10.00,,,,meals,\n"))
    assert "2026-11-01 open Liabilities:Payable:ExpenseClaims:Alice EUR" in month_file(root, "2026-11")
    checked = run_cli(root, "check")
    assert checked.exit_code == 0, checked.stderr + checked.stdout


@pytest.mark.parametrize(
    "row, expect",
    [
        ("zoe,2026-10-08,expense,12.00,,,,meals,", "claims.csv:2: unknown member 'zoe'"),
        (
            "alice,2026-10-08,expense,12.00,,,,lunch,",
            "claims.csv:2: category 'lunch' is not one of the categories",
        ),
        ("alice,08/10/2026,expense,12.00,,,,meals,", "claims.csv:2: date '08/10/2026' is not a date"),
        ("alice,2026-10-08,expense,12,15.00,,,meals,", "claims.csv:2: vat '15.00' is not an amount"),
        ("alice,2026-10-08,expense,12.001,,,,meals,", "claims.csv:2: amount '12.001' is not an amount"),
        ("alice,2026-10-08,mileage,,,-3,5,,", "claims.csv:2: km '-3' is not a whole number"),
        ("alice,2026-10-08,mileage,10.00,,30,5,,", "claims.csv:2: a mileage claim gives km and cv"),
        ("alice,2026-10-08,gift,1.00,,,,meals,", "claims.csv:2: kind 'gift' is neither expense nor mileage"),
        ('alice,2026-10-08,expense,1.00,,,,meals,"a\u202eb"', "claims.csv:2: column note contains"),
        (
            "dan,2026-04-08,expense,1.00,,,,meals,",
            "claims.csv:2: dan is not in the cooperative on 2026-04-08",
        ),
    ],
)
def test_a_bad_row_is_refused_with_file_line_and_nothing_written(tmp_path, row, expect):
    root = coop(tmp_path)
    path = claims_csv(root, row + "\n")
    before = snapshot(root)
    result = run_cli(root, "claims", "import", str(path))
    assert result.exit_code == 1, result.stderr
    assert expect in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_a_note_with_quotes_backslashes_and_beancount_text_reads_back_exactly(tmp_path):
    """A note that tries to end the string and add a posting stays one string: Beancount reads the
    narration back exactly, and the ledger has no posting to Income:Coop:Stolen."""
    root = coop(tmp_path)
    note = 'Taxi "x" \\ 2026-10-09 * "y"  Income:Coop:Stolen -5 EUR'
    path = root.parent / "claims.csv"
    path.write_text(
        HEADER + 'alice,2026-10-08,expense,10.00,,,,travel,"' + note.replace('"', '""') + '"\n',
        encoding="utf-8",
    )
    assert run_cli(root, "claims", "import", str(path)).exit_code == 0
    from beancount import loader

    entries, errors, _ = loader.load_file(str(root / "ledgers" / "main.beancount"))
    assert not errors
    (claim,) = [e for e in entries if hasattr(e, "narration") and (e.meta or {}).get("claim_id")]
    assert claim.narration == "Note de frais — " + note
    assert not any(p.account == "Income:Coop:Stolen" for e in entries for p in getattr(e, "postings", []))


def test_semicolon_csv_and_csv_output(tmp_path):
    """A French spreadsheet's CSV (semicolons) is read as well; ``coopctl claims --format csv`` writes the
    claims table."""
    root = coop(tmp_path)
    path = root.parent / "claims.csv"
    path.write_text(
        HEADER.replace(",", ";") + "alice;2026-10-08;expense;12.00;2.00;;;meals;Café\n", encoding="utf-8"
    )
    assert run_cli(root, "claims", "import", str(path)).exit_code == 0
    out = run_cli(root, "claims", "--format", "csv").stdout.splitlines()
    assert out[0].startswith("member,date,kind,category,km,amount,vat,paid,state,note")
    assert out[1].startswith("alice,2026-10-08,expense,meals,,12.00,2.00,0.00,to pay,")


def test_member_account_component():
    """Ids are lowercase; the account component starts with a capital, '_' written '-'."""
    assert member_component("alice") == "Alice"
    assert member_component("jean_luc") == "Jean-luc"
    assert member_component("a-2") == "A-2"


def test_a_missing_file_is_a_usage_error(tmp_path):
    root = coop(tmp_path)
    result = run_cli(root, "claims", "import", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "no file" in result.stderr


def test_claims_without_a_scale_refuse_mileage(tmp_path):
    """Without claims: mileage: in coop.yaml, a mileage row is refused (no scale in force)."""
    root = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER)
    path = claims_csv(root, "alice,2026-10-08,mileage,,,10,5,,\n")
    result = run_cli(root, "claims", "import", str(path))
    assert result.exit_code == 1 and "no mileage scale in force on 2026-10-08" in result.stderr


def test_future_dates_are_refused(tmp_path):
    root = coop(tmp_path)
    later = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    result = run_cli(
        root, "claims", "import", str(claims_csv(root, f"alice,{later},expense,1.00,,,,meals,\n"))
    )
    assert result.exit_code == 1 and "is in the future" in result.stderr


def test_a_ledger_that_would_not_load_after_the_import_is_left_as_it_was(tmp_path):
    """The ledger opens Liabilities:VAT:Deductible for USD only: the claim's EUR VAT would make it fail to
    load, so the whole group (the claims file, the main ledger's include) is undone: exit 1, every byte as
    before, no ledgers/claims folder left behind."""
    ledger = EXAMPLE_LEDGER.replace(
        "2020-01-01 open Liabilities:VAT:Collected EUR\n",
        "2020-01-01 open Liabilities:VAT:Collected EUR\n2020-01-01 open Liabilities:VAT:Deductible USD\n",
    )
    root = coop(tmp_path, ledger=ledger)
    path = claims_csv(root, "alice,2026-10-08,expense,12.00,2.00,,,meals,\n")
    before = snapshot(root)
    result = run_cli(root, "claims", "import", str(path))
    assert result.exit_code == 1
    assert "the ledger does not load cleanly with the claims; nothing was changed" in result.stderr
    assert snapshot(root) == before
    assert not (root / "ledgers" / "claims").exists()
