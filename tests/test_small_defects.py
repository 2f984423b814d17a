"""Issue 13, item 6: smaller defects found by the same tests. Numbers worked out by hand in each docstring."""

from __future__ import annotations

from decimal import Decimal

from conftest import REPO, run_cli, write_coop

# ------------------------------------------------------------------- 1. statement of a member who joined late

JOINER_MEMBERS = """\
members:
  - id: ines
    name: "Inès Garnier"
    activity: Atelier
    joined: 2025-06-01
  - id: paul
    name: "Paul Lenoir"
    activity: Atelier
    joined: 2026-03-02
"""

JOINER_ACTIVITIES = """\
activities:
  - {id: Atelier, name: "Atelier partagé", establishment: paris-11}
"""

JOINER_LEDGER = """\
option "operating_currency" "EUR"

2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Equity:Activity:Atelier EUR
2020-01-01 open Equity:Coop:Opening EUR
2020-01-01 open Income:Activity:Atelier EUR
2020-01-01 open Expenses:Activity:Atelier:Supplies EUR

2025-12-31 * "Reserve brought forward"
  Equity:Activity:Atelier   -1000.00 EUR
  Equity:Coop:Opening        1000.00 EUR

2026-01-10 * "Client" "Invoice 1"
  Assets:Bank:Main           500.00 EUR
  Income:Activity:Atelier   -500.00 EUR

2026-02-11 * "Supplier" "Paint"
  Expenses:Activity:Atelier:Supplies  120.00 EUR
  Assets:Bank:Main                   -120.00 EUR

2026-02-20 * "Reserve brought in"
  Equity:Activity:Atelier    -50.00 EUR
  Assets:Bank:Main            50.00 EUR

2026-03-16 * "Client" "Invoice 2"
  Assets:Bank:Main           300.00 EUR
  Income:Activity:Atelier   -300.00 EUR
"""


def test_statement_of_a_member_who_joined_in_march_ends_at_the_balance(tmp_path):
    """Paul joins Atelier on 2026-03-02; Atelier's books (nothing closed, so no contribution or salary):

    reserve on 1 January 1000.00 (brought forward on 2025-12-31);
    January revenue 500.00; February expenses 120.00 and reserve brought in 50.00; March revenue 300.00.
    balance on 2026-12-31 = 1000.00 + 500.00 − 120.00 + 50.00 + 300.00 = 1730.00.
    The statement sums January and February in one row "2026-01..2026-02":
    revenue 500.00, expenses 120.00, reserve brought in 50.00, balance 1000.00 + 430.00 = 1430.00;
    then March: 1430.00 + 300.00 = 1730.00 = the reserve at the end = balance.
    (Before the fix the statement started at March from 1000.00 and ended at 1300.00, 430.00 short.)
    """
    folder = write_coop(
        tmp_path / "coop", members=JOINER_MEMBERS, activities=JOINER_ACTIVITIES, ledger=JOINER_LEDGER
    )
    balance = run_cli(folder, "balance", "paul", "--as-of", "2026-12-31", "--format", "json")
    assert balance.exit_code == 0, balance.stderr
    assert balance.json()["balance"] == "1730.00"
    run = run_cli(folder, "statement", "paul", "--year", "2026", "--format", "json")
    assert run.exit_code == 0, run.stderr
    out = run.json()
    assert out["reserve_start"] == "1000.00"
    assert out["reserve_end"] == "1730.00"
    before = out["before_joining"]
    assert (
        before["from"],
        before["to"],
        before["revenue"],
        before["expenses"],
        before["reserve_brought_in"],
        before["balance"],
    ) == ("2026-01", "2026-02", "500.00", "120.00", "50.00", "1430.00")
    assert [(m["month"], m["revenue"], m["balance"]) for m in out["months"]] == [
        ("2026-03", "300.00", "1730.00")
    ]
    assert (out["totals"]["revenue"], out["totals"]["expenses"], out["totals"]["reserve_brought_in"]) == (
        "800.00",
        "120.00",
        "50.00",
    )
    table = run_cli(folder, "statement", "paul", "--year", "2026")
    assert table.exit_code == 0, table.stderr
    assert "2026-01..2026-02  before joining" in table.stdout
    assert "paul joined Atelier on 2026-03-02" in table.stdout
    # Inès was there all year: no summary row, January to March.
    ines = run_cli(folder, "statement", "ines", "--year", "2026", "--format", "json").json()
    assert ines["before_joining"] is None and [m["month"] for m in ines["months"]] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    assert ines["reserve_end"] == "1730.00"
    page = tmp_path / "paul.html"
    assert run_cli(folder, "statement", "paul", "--year", "2026", "--html", str(page)).exit_code == 0
    assert "2026-01 – 2026-02" in page.read_text(encoding="utf-8") and "1\u202f730.00" in page.read_text(
        encoding="utf-8"
    )


def _adds_up(out: dict) -> Decimal:
    """reserve at start + each row's change, checked row by row against the row's balance; returns the end."""
    total = Decimal(out["reserve_start"])
    for row in ([out["before_joining"]] if out["before_joining"] else []) + out["months"]:
        total += (
            Decimal(row["revenue"])
            - Decimal(row["contribution"])
            - Decimal(row["expenses"])
            - Decimal(row["salary_cost"])
            + Decimal(row["reserve_brought_in"])
        )
        assert total == Decimal(row["balance"])
    assert total == Decimal(out["reserve_end"])
    for key in ("revenue", "contribution", "expenses", "salary_cost", "reserve_brought_in", "gross", "net"):
        rows = ([out["before_joining"]] if out["before_joining"] else []) + out["months"]
        assert sum(Decimal(r[key]) for r in rows) == Decimal(out["totals"][key])
    return total


def test_sample_statement_of_marc_ends_at_his_balance():
    """The sample: marc joined StudioBrume on 2026-03-02. StudioBrume's reserve on 1 January 3028.85;
    January and February change it by +897.60 (3926.45): the summary row ends at 3926.45, and the statement
    ends at 12148.84 = coopctl balance marc --as-of 2026-12-31 (without the summary row it would end
    897.60 short)."""
    out = run_cli(REPO, "statement", "marc", "--year", "2026", "--format", "json").json()
    balance = run_cli(REPO, "balance", "marc", "--as-of", "2026-12-31", "--format", "json").json()
    assert out["before_joining"]["balance"] == "3926.45"
    assert _adds_up(out) == Decimal(balance["balance"]) == Decimal("12148.84")
    for member in ("emma", "lea", "nora"):
        out = run_cli(REPO, "statement", member, "--year", "2026", "--format", "json").json()
        balance = run_cli(REPO, "balance", member, "--as-of", "2026-12-31", "--format", "json").json()
        assert _adds_up(out) == Decimal(balance["balance"]), member


# ----------------------------------------------------------------------- 2. amounts shown half-up, as in JSON

from conftest import EXAMPLE_LEDGER  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


def _reference_half_up(value: Decimal) -> tuple[int, int]:
    """(sign, cents) of ``value`` rounded half away from zero, in integer arithmetic on its digits only."""
    sign, digits, exponent = value.as_tuple()
    units = int("".join(map(str, digits)) or "0")  # |value| = units × 10^exponent
    if exponent >= -2:
        cents = units * 10 ** (exponent + 2)
    else:
        scale = 10 ** (-exponent - 2)  # units of 10^exponent in a cent
        cents = (2 * units + scale) // (2 * scale)  # floor(units / scale + 1/2): half-up on the magnitude
    return (1 if sign and cents else 0), cents


def _reference_text(value: Decimal, grouped: bool) -> str:
    sign, cents = _reference_half_up(value)
    whole = f"{cents // 100:,}" if grouped else f"{cents // 100}"
    return ("-" if sign else "") + f"{whole}.{cents % 100:02d}"


AMOUNTS = st.decimals(
    min_value=Decimal("-10000000"),
    max_value=Decimal("10000000"),
    places=3,
    allow_nan=False,
    allow_infinity=False,
) | st.decimals(
    min_value=Decimal("-1000"), max_value=Decimal("1000"), places=6, allow_nan=False, allow_infinity=False
)


@given(value=AMOUNTS)
def test_every_display_of_an_amount_is_the_json_half_up_value(value):
    """Each way coopctl shows an amount (JSON and CSV, a table cell, i18n.money in a message or an alert, in
    English and in French, the HTML statement, the Fava page) gives the half-up cent of an independent
    integer computation: 159.845 → 159.85 (Python's own f"{x:.2f}" says 159.84), −0.004 → 0.00,
    1234567.125 → 1,234,567.13."""
    from coopctl.domain.money import fmt_amount
    from coopctl.fava import Coopctl
    from coopctl.ui import i18n
    from coopctl.ui.render import _cell_text, _csv_text, to_json_value
    from coopctl.ui.statement_html import _money

    plain, grouped = _reference_text(value, False), _reference_text(value, True)
    assert to_json_value(value) == fmt_amount(value) == _csv_text(value, "money") == plain
    assert i18n.money(value) == grouped  # messages and alerts
    assert _cell_text(value, "money") == grouped  # table cells
    assert _money(value) == grouped.replace(",", "\u202f")  # the HTML statement
    assert Coopctl.money(value) == grouped  # the Fava page
    i18n.set_language("fr")
    try:
        french = i18n.money(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace("€", "")
        assert french.replace(",", ".").replace("\u2212", "-") == plain
    finally:
        i18n.set_language("en")


def test_reference_half_up_by_hand():
    """The reference itself, on values worked out by hand."""
    cases = {
        "159.845": "159.85",
        "33.325": "33.33",
        "-33.325": "-33.33",
        "0.005": "0.01",
        "-0.004": "0.00",
        "2.675": "2.68",
        "1234567.125": "1,234,567.13",
        "10": "10.00",
        "1E+3": "1,000.00",
        "0.0049999": "0.00",
    }
    for text, shown in cases.items():
        assert _reference_text(Decimal(text), True) == shown, text


def test_cap_alert_says_the_advance_the_json_says(tmp_path):
    """An advance of 6032.005 over a cap of 2 × 2982.00 = 5964.00: half-up, 6032.01 in JSON and in the alert,
    in English and French (half-even said 6,032.00 in the alert). Such an advance can no longer come from a
    ledger (an activity amount finer than the cent is refused: shown below), so the alert is built
    directly."""
    from decimal import Decimal

    from coopctl.core.close import cap_alerts
    from coopctl.ui import i18n

    (alert,) = cap_alerts("AtelierCommun", Decimal("6032.005"), 2, Decimal("2982.00"))
    assert (
        alert.message
        == "AtelierCommun: advance 6,032.01 is over its cap 5,964.00 (2 months of salary cost 2,982.00)"
    )
    assert alert.as_dict()["advance"] == "6032.01"
    i18n.set_language("fr")
    try:
        assert "6\u202f032,01" in i18n.word(alert)
    finally:
        i18n.set_language("en")
    ledger = (
        EXAMPLE_LEDGER
        + """
2020-01-01 open Expenses:Activity:AtelierCommun:Rent EUR

2026-10-28 * "Landlord" "Workshop rent"
  Expenses:Activity:AtelierCommun:Rent   5200.005 EUR
  Assets:Bank:Main                      -5200.005 EUR
"""
    )
    folder = write_coop(tmp_path / "coop", ledger=ledger)
    run = run_cli(folder, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert run.exit_code == 1 and "finer than the cent" in run.stderr


# --------------------------------------------------------------------------- 3. close-month rows add up

HAND_BOOKED = """
2020-01-01 open Equity:Activity:DanDesign EUR
2020-01-01 open Expenses:Activity:BoisNomade:Contribution EUR
2020-01-01 open Expenses:Activity:BoisNomade:Salary:Gross EUR
2020-01-01 open Income:Coop:Contribution EUR
2020-01-01 open Liabilities:Payroll:Net EUR

2026-10-02 * "Reserve brought in by Dan"
  Equity:Activity:DanDesign    -500.00 EUR
  Assets:Bank:Main              500.00 EUR

2026-10-25 * "Contribution taken by hand"
  Expenses:Activity:BoisNomade:Contribution   25.00 EUR
  Income:Coop:Contribution                   -25.00 EUR

2026-10-26 * "Advance on salary, booked by hand"
  Expenses:Activity:BoisNomade:Salary:Gross  100.00 EUR
  Liabilities:Payroll:Net                   -100.00 EUR
"""


def _row_adds_up(a: dict) -> bool:
    return (
        Decimal(a["opening_balance"])
        + Decimal(a["revenue"])
        - Decimal(a["expenses"])
        - Decimal(a["contribution"])
        - Decimal(a["salary_cost"])
        + Decimal(a["reserve_brought_in"])
        - Decimal(a["contribution_booked_by_hand"])
        - Decimal(a["salary_cost_booked_by_hand"])
    ) == Decimal(a["closing_balance"])


def test_close_month_rows_add_up_with_reserve_brought_in_and_hand_booked_postings(tmp_path):
    """DESIGN §5's worked example (2026-10) plus, in the ordinary ledger: 500.00 of reserve brought in to
    DanDesign (Equity:Activity:DanDesign), 25.00 of contribution and 100.00 of salary booked by hand to
    BoisNomade.

    BoisNomade: 1200.00 + 4000.00 − 350.00 − 400.00 − 2698.00 − 25.00 − 100.00 = 1627.00
    (the old row showed opening 1200.00, revenue 4000.00, expenses 350.00, contribution 400.00,
    salary 2698.00, which make 1752.00, beside a closing of 1627.00).
    DanDesign: 0.00 + 333.25 − 33.33 + 500.00 = 799.92 (the old row made 299.92 beside 799.92).
    AtelierCommun: −100.00 + 2500.00 − 250.00 − 2982.00 = −832.00, nothing by hand.
    """
    folder = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER + HAND_BOOKED)
    run = run_cli(folder, "close-month", "2026-10", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    rows = {a["id"]: a for a in run.json()["activities"]}
    keys = (
        "reserve_brought_in",
        "contribution_booked_by_hand",
        "salary_cost_booked_by_hand",
        "closing_balance",
    )
    assert tuple(rows["BoisNomade"][k] for k in keys) == ("0.00", "25.00", "100.00", "1627.00")
    assert tuple(rows["DanDesign"][k] for k in keys) == ("500.00", "0.00", "0.00", "799.92")
    assert tuple(rows["AtelierCommun"][k] for k in keys) == ("0.00", "0.00", "0.00", "-832.00")
    assert all(_row_adds_up(a) for a in rows.values())
    assert (
        rows["BoisNomade"]["contribution"] == "400.00" and rows["BoisNomade"]["salary_cost"] == "2698.00"
    )  # keep their meaning
    csv_lines = run_cli(folder, "close-month", "2026-10", "--dry-run", "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == (
        "id,opening_balance,revenue,expenses,contribution_rate,contribution,salary_cost,reserve_brought_in,"
        "contribution_booked_by_hand,salary_cost_booked_by_hand,closing_balance,advance"
    )
    assert "BoisNomade,1200.00,4000.00,350.00,0.10,400.00,2698.00,0.00,25.00,100.00,1627.00,0.00" in csv_lines
    assert "DanDesign,0.00,333.25,0.00,0.10,33.33,0.00,500.00,0.00,0.00,799.92,0.00" in csv_lines
    table = run_cli(folder, "close-month", "2026-10", "--dry-run").stdout
    assert "Reserve brought in" in table and "Contribution by hand" in table and "Salary by hand" in table
    # a month without either keeps the table as it was
    plain = run_cli(write_coop(tmp_path / "plain"), "close-month", "2026-10", "--dry-run").stdout
    assert "brought in" not in plain and "by hand" not in plain


# ------------------------------------------------------------ 4 and 5. review says what changed in the config

from test_git_review import make_repo  # noqa: E402


def _replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_review_describes_each_treasury_policy_key(sample_copy):
    """The sample's treasury policy is advance_cap_months 2 with the defaults pool_use_limit 0.50,
    min_coverage 1.00, deficit_months_alert 3. Setting pool_use_limit "0.60" and deficit_months_alert 4
    leaves the advance cap alone: review must name those two keys (it said "advance cap: 2 → 2 months"
    before)."""
    repo = make_repo(sample_copy)
    _replace(
        repo / "config/coop.yaml",
        "  advance_cap_months: 2 ",
        '  pool_use_limit: "0.60"\n  deficit_months_alert: 4\n  advance_cap_months: 2 ',
    )
    run = run_cli(repo, "review", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["config_changes"] == [
        "treasury: pool use limit (pool_use_limit) 0.50 → 0.60 (advances / (reserves + own funds))",
        "treasury: deficit alert after (deficit_months_alert) 3 → 4 closed months in a row",
    ]
    _replace(repo / "config/coop.yaml", "  advance_cap_months: 2 ", "  advance_cap_months: 3 ")
    _replace(repo / "config/coop.yaml", '  development_fund: "0.40"', '  development_fund: "0.35"')
    _replace(repo / "config/coop.yaml", '  workers_share: "0.45"', '  workers_share: "0.50"')
    changes = run_cli(repo, "review", "--format", "json").json()["config_changes"]
    assert "treasury: advance cap (advance_cap_months) 2 → 3 months of salary cost" in changes
    assert "surplus policy: development fund (development_fund) 0.40 → 0.35" in changes
    assert "surplus policy: workers share (workers_share) 0.45 → 0.50" in changes
    assert len(changes) == 5


def test_review_reports_renamed_members_tutors_activities_and_establishments(sample_copy):
    """Names and emails change no amount; review must still say so, in words, each before → after."""
    repo = make_repo(sample_copy)
    _replace(
        repo / "config/members.yaml",
        '    name: "Marc Vidal"\n    email: marc.vidal@exemple.org',
        '    name: "Marc Vidal-Roux"\n    email: marc@studiobrume.fr',
    )
    _replace(
        repo / "config/coop.yaml",
        '{id: kdiallo, name: "Karim Diallo", email: karim.diallo@coop-exemple.fr}',
        '{id: kdiallo, name: "Karim Diallo-Ba", email: karim.diallo@coop-exemple.fr}',
    )
    _replace(
        repo / "config/coop.yaml",
        '    name: "Montreuil"\n',
        '    name: "Montreuil — Croix de Chavaux"\n',
    )
    _replace(
        repo / "config/activities.yaml",
        'name: "Studio Brume — design sonore"',
        'name: "Studio Brume — son et musique"',
    )
    run = run_cli(repo, "review", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["config_changes"] == [
        "establishment montreuil: name 'Montreuil' → 'Montreuil — Croix de Chavaux'",
        "tutor kdiallo: name 'Karim Diallo' → 'Karim Diallo-Ba'",
        "activity StudioBrume: name 'Studio Brume — design sonore' → 'Studio Brume — son et musique'",
        "marc: name 'Marc Vidal' → 'Marc Vidal-Roux'",
        "marc: email 'marc.vidal@exemple.org' → 'marc@studiobrume.fr'",
    ]
    table = run_cli(repo, "review").stdout
    assert "config: marc: name 'Marc Vidal' → 'Marc Vidal-Roux'" in table


def test_report_rows_add_up_open_and_closed(tmp_path):
    """The same cooperative in `report 2026-10`. Open (projected), as close-month: BoisNomade 1627.00 with
    25.00 and 100.00 booked by hand, DanDesign 799.92 with 500.00 brought in; totals: opening 1100.00
    + 6833.25 − 350.00 − 683.33 − 5680.00 + 500.00 − 25.00 − 100.00 = 1594.92. Once closed, the booked
    contribution of BoisNomade is 400.00 + 25.00 = 425.00 and its salary cost 2698.00 + 100.00 = 2798.00
    (nothing left "by hand"), and DanDesign still shows its 500.00 brought in: the closings are the same."""
    folder = write_coop(tmp_path / "coop", ledger=EXAMPLE_LEDGER + HAND_BOOKED)
    out = run_cli(folder, "report", "2026-10", "--format", "json").json()
    rows = {a["id"]: a for e in out["establishments"] for a in e["activities"]}
    assert all(_row_adds_up(a) for a in rows.values()) and _row_adds_up(out["totals"])
    assert out["totals"]["closing_balance"] == "1594.92"
    assert run_cli(folder, "close-month", "2026-10").exit_code == 0
    out = run_cli(folder, "report", "2026-10", "--format", "json").json()
    assert out["closed"] is True
    rows = {a["id"]: a for e in out["establishments"] for a in e["activities"]}
    assert all(_row_adds_up(a) for a in rows.values()) and _row_adds_up(out["totals"])
    bois, dan = rows["BoisNomade"], rows["DanDesign"]
    assert (
        bois["contribution"],
        bois["salary_cost"],
        bois["contribution_booked_by_hand"],
        bois["closing_balance"],
    ) == ("425.00", "2798.00", "0.00", "1627.00")
    assert (dan["reserve_brought_in"], dan["closing_balance"]) == ("500.00", "799.92")
