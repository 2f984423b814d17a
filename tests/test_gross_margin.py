"""Contribution on gross margin plus a fixed monthly fee (issue 17, item 6).

A contribution phase may say ``base: gross_margin`` (revenue minus the month's postings to the activity's
``purchase_accounts`` sub-accounts, default Purchases, Supplies, Subcontracting) and ``fixed_monthly``.
Hand-worked cases go through Beancount and the CLI (``close-month --dry-run``); a hypothesis property
compares ``core.contribution.month_contribution`` with a small independent model written here.
"""

from __future__ import annotations

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from conftest import COOP_YAML, EXAMPLE_LEDGER, run_cli, snapshot, write_coop
from hypothesis import given
from hypothesis import strategies as st

from coopctl.core.contribution import month_contribution
from coopctl.domain.cooperative import Activity, Coop, Cooperative, Member
from coopctl.domain.figures import DayFigures, LedgerFigures
from coopctl.domain.months import Month

D = Decimal


def coop_yaml(contribution: str) -> str:
    """The conftest cooperative with another contribution schedule (YAML lines under ``contribution:``)."""
    head, rest = COOP_YAML.split("contribution:\n", 1)
    return head + "contribution:\n" + contribution + rest.split("\n", 1)[1]


def close_json(root: Path, month: str = "2026-10") -> dict[str, dict]:
    result = run_cli(root, "close-month", month, "--dry-run", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {a["id"]: a for a in result.json()["activities"]}


GM_FLAT = '  - {from: 2024-01-01, rate: "0.10", base: gross_margin, fixed_monthly: "30.00"}\n'


def test_flat_rate_on_gross_margin_plus_fixed_fee(tmp_path):
    """DESIGN's worked example under 10% of the gross margin + 30.00 a month. BoisNomade: revenue 4000.00,
    Supplies 350.00 (a default purchase account): margin 3650.00 → 365.00 + 30.00 = 395.00. AtelierCommun:
    2500.00, no purchases → 250.00 + 30.00 = 280.00. DanDesign: 333.25 → 33.325 → 33.33 (half-up) + 30.00 =
    63.33. The revenue-base close gives 400.00, 250.00 and 33.33."""
    root = write_coop(tmp_path / "c", coop=coop_yaml(GM_FLAT))
    got = close_json(root)
    assert {k: got[k]["contribution"] for k in got} == {
        "AtelierCommun": "280.00",
        "BoisNomade": "395.00",
        "DanDesign": "63.33",
    }
    plain = close_json(write_coop(tmp_path / "p"))
    assert plain["BoisNomade"]["contribution"] == "400.00"


def test_purchase_accounts_match_whole_components(tmp_path):
    """purchase_accounts [Supplies:Wood, Sub]: a posting of 100.00 to Supplies:Wood:Oak counts, 350.00 to
    Supplies (the parent) does not, nor 50.00 to Subcontracting (Sub is not its parent). Margin 4000.00 −
    100.00 = 3900.00 → 390.00, no fixed fee."""
    contribution = (
        "  - from: 2024-01-01\n"
        '    rate: "0.10"\n'
        "    base: gross_margin\n"
        "    purchase_accounts: [Supplies:Wood, Sub]\n"
    )
    ledger = EXAMPLE_LEDGER.replace(
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n",
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n"
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies:Wood:Oak EUR\n"
        "2020-01-01 open Expenses:Activity:BoisNomade:Subcontracting EUR\n",
    ) + (
        '\n2026-10-13 * "Supplier" "Oak"\n'
        "  Expenses:Activity:BoisNomade:Supplies:Wood:Oak  100.00 EUR\n"
        "  Expenses:Activity:BoisNomade:Subcontracting      50.00 EUR\n"
        "  Assets:Bank:Main                               -150.00 EUR\n"
    )
    root = write_coop(tmp_path / "c", coop=coop_yaml(contribution), ledger=ledger)
    assert close_json(root)["BoisNomade"]["contribution"] == "390.00"


def test_negative_gross_margin_pays_only_the_fixed_fee(tmp_path):
    """BoisNomade buys 5000.00 of Purchases for 4000.00 of revenue (plus 350.00 Supplies): margin −1350.00,
    so nothing on the margin (no refund) and the fixed fee alone, 30.00."""
    ledger = EXAMPLE_LEDGER.replace(
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n",
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n"
        "2020-01-01 open Expenses:Activity:BoisNomade:Purchases EUR\n",
    ) + (
        '\n2026-10-14 * "Wholesaler" "Stock"\n'
        "  Expenses:Activity:BoisNomade:Purchases  5000.00 EUR\n"
        "  Assets:Bank:Main                       -5000.00 EUR\n"
    )
    root = write_coop(tmp_path / "c", coop=coop_yaml(GM_FLAT), ledger=ledger)
    assert close_json(root)["BoisNomade"]["contribution"] == "30.00"


def test_tiers_on_gross_margin_year_to_date(tmp_path):
    """Tiers 10% up to 3000.00, then 5%, on the gross margin. BoisNomade: September revenue 2000.00 with
    500.00 Purchases (margin 1500.00; not closed, it is only the base before October). October margin
    3650.00: YTD 1500.00 → 5150.00; F(5150) = 300 + 2150 × 5% = 407.50; F(1500) = 150.00; October pays
    257.50 + 30.00 fee = 287.50."""
    contribution = (
        "  - from: 2024-01-01\n"
        "    base: gross_margin\n"
        '    fixed_monthly: "30.00"\n'
        '    tiers: [{up_to: "3000.00", rate: "0.10"}, {rate: "0.05"}]\n'
    )
    ledger = EXAMPLE_LEDGER.replace(
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n",
        "2020-01-01 open Expenses:Activity:BoisNomade:Supplies EUR\n"
        "2020-01-01 open Expenses:Activity:BoisNomade:Purchases EUR\n",
    ) + (
        '\n2026-09-10 * "Client" "September"\n'
        "  Assets:Bank:Main                  2000.00 EUR\n"
        "  Income:Activity:BoisNomade       -2000.00 EUR\n"
        '\n2026-09-11 * "Wholesaler" "Stock"\n'
        "  Expenses:Activity:BoisNomade:Purchases  500.00 EUR\n"
        "  Assets:Bank:Main                       -500.00 EUR\n"
    )
    root = write_coop(tmp_path / "c", coop=coop_yaml(contribution), ledger=ledger)
    assert close_json(root)["BoisNomade"]["contribution"] == "287.50"


def test_fixed_fee_prorated_in_a_partial_first_month_and_not_in_exempt_months(tmp_path):
    """dan joins 2026-10-11 (DanDesign's start). With no exemption, October's fee is 30.00 × 21 / 31 =
    20.3225… → 20.32, plus 10% of 333.25 = 33.33: 53.65. With exempt_months 1 October (partial) and November
    are exempt: nothing at all (no fee), and December pays 30.00 + 10% of its revenue."""
    members = (
        "members:\n"
        "  - {id: dan, name: Dan Moreau, activity: DanDesign, joined: 2026-10-11}\n"
        "  - {id: alice, name: Alice, activity: BoisNomade, joined: 2024-03-01}\n"
        "  - {id: bob, name: Bob, activity: AtelierCommun, joined: 2024-03-01}\n"
    )
    root = write_coop(tmp_path / "c", coop=coop_yaml(GM_FLAT), members=members)
    assert close_json(root)["DanDesign"]["contribution"] == "53.65"
    exempt = GM_FLAT.replace("}", ", exempt_months: 1}")
    root = write_coop(tmp_path / "e", coop=coop_yaml(exempt), members=members)
    got = close_json(root)["DanDesign"]
    assert (got["contribution"], got["contribution_rule"]) == ("0.00", "exempt")


def test_no_fixed_fee_once_every_member_has_left(tmp_path):
    """alice, BoisNomade's only member, left on 2026-09-15: October still takes 10% of its gross margin
    (3,650.00 → 365.00) but no fixed fee."""
    members = (
        "members:\n"
        "  - {id: alice, name: Alice, activity: BoisNomade, joined: 2024-03-01, left: 2026-09-15}\n"
        "  - {id: bob, name: Bob, activity: AtelierCommun, joined: 2024-03-01}\n"
        "  - {id: dan, name: Dan, activity: DanDesign, joined: 2024-03-01}\n"
    )
    root = write_coop(tmp_path / "c", coop=coop_yaml(GM_FLAT), members=members)
    got = close_json(root)
    assert (got["BoisNomade"]["contribution"], got["AtelierCommun"]["contribution"]) == ("365.00", "280.00")


def test_close_and_check_prove_a_gross_margin_closing(tmp_path):
    """A real close under the gross margin writes BoisNomade's 395.00, and check proves it by recomputation
    (exit 0); the cache (read by balance) holds the purchases the full load reads."""
    root = write_coop(tmp_path / "c", coop=coop_yaml(GM_FLAT))
    closed = run_cli(root, "close-month", "2026-10")
    assert closed.exit_code == 0, closed.stderr
    text = (root / "ledgers" / "closing" / "2026-10.beancount").read_text(encoding="utf-8")
    assert "Expenses:Activity:BoisNomade:Contribution" in text and "395.00 EUR" in text
    assert run_cli(root, "check").exit_code == 0
    from coopctl.store.cache import cached_figures, load_books_filling_cache
    from coopctl.store.configfile import load_cooperative

    coop = load_cooperative(root)
    full = load_books_filling_cache(coop).figures
    warm = cached_figures(coop)
    assert warm is not None
    for figures in (full, warm):
        assert figures.purchases("BoisNomade", Month(2026, 10), ["Supplies"]) == D("350.00")


def test_config_refuses_purchase_accounts_without_gross_margin(tmp_path):
    """purchase_accounts with the revenue base is a config error naming coop.yaml, exit 1; nothing
    written."""
    contribution = '  - {from: 2024-01-01, rate: "0.10", purchase_accounts: [Purchases]}\n'
    root = write_coop(tmp_path / "c", coop=coop_yaml(contribution))
    before = snapshot(root)
    result = run_cli(root, "close-month", "2026-10")
    assert result.exit_code == 1
    assert "config/coop.yaml" in result.stderr and "read only with base: gross_margin" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(root) == before


# --------------------------------------------------------------------------- property against a reference


CENT = Decimal("0.01")


def ref_round(x: Decimal) -> Decimal:
    return x.quantize(CENT, rounding=ROUND_HALF_UP)


def ref_F(bounds: list[Decimal], rates: list[Decimal], x: Decimal) -> Decimal:
    """Marginal brackets, written again: rates[i] applies between bounds[i-1] and bounds[i]."""
    if x < 0:
        return x * rates[0]
    total, low = Decimal(0), Decimal(0)
    for i, rate in enumerate(rates):
        high = bounds[i] if i < len(bounds) else None
        part = (x if high is None else min(x, high)) - low
        if part <= 0:
            break
        total += part * rate
        if high is None:
            break
        low = high
    return total


def ref_contributions(
    start: datetime.date,
    exempt: int,
    revenue: list[Decimal],
    purchases: list[Decimal],
    rate: Decimal | None,
    bounds: list[Decimal],
    rates: list[Decimal],
    fee: Decimal,
) -> list[Decimal]:
    """The twelve months of 2026, by the rules of the docs: the exempt months are the start month and the
    ``exempt`` whole months after it (when the start is on the 1st, the start month is the first whole
    one); base = max(0, revenue − purchases); the fee is charged from the start month on, prorated in it
    by its days."""
    first_whole = start.month if start.day == 1 else start.month + 1
    out, ytd = [], Decimal(0)
    for m in range(1, 13):
        is_exempt = exempt > 0 and start.month <= m <= first_whole + exempt - 1
        if is_exempt:
            out.append(Decimal(0))
            continue
        base = max(Decimal(0), revenue[m - 1] - purchases[m - 1])
        days = calendar.monthrange(2026, m)[1]
        if m < start.month:
            month_fee = Decimal(0)  # no member in the cooperative yet
        elif m == start.month:
            month_fee = ref_round(fee * (days - start.day + 1) / days)
        else:
            month_fee = fee
        if rate is not None:
            margin_part = ref_round(base * rate)
        else:
            margin_part = ref_round(ref_F(bounds, rates, ytd + base)) - ref_round(ref_F(bounds, rates, ytd))
            ytd += base
        out.append(margin_part + month_fee)
    return out


money = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)


@given(
    start=st.dates(min_value=datetime.date(2026, 1, 1), max_value=datetime.date(2026, 12, 28)),
    exempt=st.integers(min_value=0, max_value=3),
    revenue=st.lists(money, min_size=12, max_size=12),
    purchases=st.lists(money, min_size=12, max_size=12),
    flat=st.one_of(st.none(), st.sampled_from(["0.10", "0.075", "0"])),
    fee=st.sampled_from(["0", "30.00", "45.50"]),
)
def test_month_contribution_matches_a_reference_model(start, exempt, revenue, purchases, flat, fee):
    """Twelve months of revenue and purchases (booked on Purchases and Supplies:Glue), a start date, exempt
    months, a flat rate or tiers (10% to 10000, 6% to 30000, 4% beyond) on the gross margin, and a fee:
    each month's contribution is the reference model's."""
    bounds, rates = [D("10000"), D("30000")], [D("0.10"), D("0.06"), D("0.04")]
    entry: dict = {
        "from": "2024-01-01",
        "base": "gross_margin",
        "exempt_months": exempt,
        "fixed_monthly": fee,
    }
    if flat is None:
        entry["tiers"] = [
            {"up_to": "10000", "rate": "0.10"},
            {"up_to": "30000", "rate": "0.06"},
            {"rate": "0.04"},
        ]
    else:
        entry["rate"] = flat
    coop = Cooperative(
        root=Path("/nonexistent"),
        coop=Coop.model_validate(
            {
                "name": "T",
                "establishments": [{"id": "p", "name": "P"}],
                "contribution": [entry],
                "payroll": [
                    {
                        "from": "2024-01-01",
                        "smic_hourly": "12.02",
                        "employer_rate": "0.42",
                        "employee_rate": "0.22",
                    }
                ],
            }
        ),
        members=[
            Member.model_validate({"id": "m", "name": "M", "activity": "Act", "joined": start.isoformat()})
        ],
        activities=[Activity.model_validate({"id": "Act", "name": "A", "establishment": "p"})],
    )
    figures = LedgerFigures()
    for m in range(1, 13):
        day = datetime.date(2026, m, 15)
        figures.days["Act"][day] = DayFigures(revenue=revenue[m - 1], expenses=purchases[m - 1])
        half = (purchases[m - 1] / 2).quantize(CENT)
        figures.activity_expenses["Expenses:Activity:Act:Purchases"][day] = half
        figures.activity_expenses["Expenses:Activity:Act:Supplies:Glue"][day] = purchases[m - 1] - half
        figures.activity_expenses["Expenses:Activity:Act:Rent"][day] = D("999.00")  # not a purchase
    expected = ref_contributions(
        start, exempt, revenue, purchases, None if flat is None else D(flat), bounds, rates, D(fee)
    )
    got = [
        month_contribution(coop, figures, "Act", Month(2026, m), revenue[m - 1]).amount for m in range(1, 13)
    ]
    assert got == expected
