"""Payroll as a French payslip computes it in 2026: contribution lines, the general reduction (RGDU),
per-establishment rates, and what simulate and the payroll export show of them.

The hand-worked cases use PHASE below (the issue's lines and a few more, so that the employer's lines exceed
the reduction at the SMIC as real payslips do) and the Paris establishment's AT/MP rate 0.9 % (the phase
says 1 %). Notation: f = paid fraction of the month; smic_base = 12.02 × hours × f; T1 = min(gross,
4005 × f); T2 = min(gross, 8 × 4005 × f) − 4005 × f (not below 0); csg = 0.9825 × gross + the mutuelle's
employer amount; "→" is half-up rounding (to the cent for amounts, to 4 decimals for C). C = 0.02 +
0.3773 × x^1.75 with x = ½ × (3 × smic_base / gross − 1), capped at 0.3973, 0 from 3 × smic_base.
The powers were worked with a calculator, not with coopctl's code.
"""

from __future__ import annotations

import csv
import io
import math
import textwrap
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import yaml
from conftest import COOP_YAML, EXAMPLE_ACTIVITIES, EXAMPLE_LEDGER, REPO, run_cli, snapshot, write_coop
from hypothesis import given, settings
from hypothesis import strategies as st

from coopctl.app.init import COOP as INIT_COOP
from coopctl.core.payroll import contract_pay, lines_pay, rate_overrides, reduction_coefficient
from coopctl.domain.cooperative import Establishment, GeneralReduction, PayrollEntry

PHASE = """\
  - from: 2026-01-01
    smic_hourly: "12.02"
    ceiling_monthly: "4005.00"
    general_reduction: {t_min: "0.02", t_delta: "0.3773", exponent: "1.75"}
    contributions:
      - {code: maladie, base: gross, employer: "0.13"}
      - {code: vieillesse_plafonnee, base: T1, employer: "0.0855", employee: "0.069"}
      - {code: vieillesse_deplafonnee, base: gross, employer: "0.0211", employee: "0.004"}
      - {code: allocations_familiales, base: gross, employer: "0.0525"}
      - {code: at_mp, base: gross, employer: "0.01"}
      - {code: chomage, base: gross, employer: "0.04"}
      - {code: agirc_arrco_t1, base: T1, employer: "0.0601", employee: "0.0401"}
      - {code: agirc_arrco_t2, base: T2, employer: "0.1457", employee: "0.0972"}
      - {code: csg_crds, base: csg, employee: "0.097"}
      - {code: mutuelle, employer_amount: "25.00", employee_amount: "25.00", in_csg_base: true}
"""
ESTABLISHMENTS = """\
establishments:
  - id: paris-11
    name: "Paris 11e"
    contribution_rates:
      - {from: 2026-01-01, code: at_mp, employer: "0.009"}
"""
COOP_2026 = COOP_YAML.replace(
    '  - {from: 2026-01-01, smic_hourly: "12.02", employer_rate: "0.42", employee_rate: "0.22"}\n', PHASE
).replace('establishments:\n  - {id: paris-11, name: "Paris 11e"}\n', ESTABLISHMENTS)
assert COOP_2026.count("contributions:") == 1 and "contribution_rates" in COOP_2026

ENTRY = PayrollEntry.model_validate(yaml.safe_load(PHASE)[0])
PARIS = Establishment.model_validate(yaml.safe_load(ESTABLISHMENTS)["establishments"][0])
FULL = Decimal("151.67")


def d(text: str) -> Decimal:
    return Decimal(text)


def lines_of(gross: str, hours: Decimal = FULL, fraction: Decimal = Decimal(1)):
    result = lines_pay(ENTRY, d(gross), hours, fraction, rate_overrides(PARIS, ENTRY.start))
    return {line.code: (line.employer, line.employee) for line in result.lines}, result


def check_payslip(gross, hours, expected_lines, coefficient, reduction, employer, employee, net, cost):
    shown, result = lines_of(gross, hours)
    assert shown == {code: (d(er), d(ee)) for code, (er, ee) in expected_lines.items()}
    assert list(shown) == [line.code for line in ENTRY.contributions or []]  # every line, in config order
    assert result.reduction_coefficient == d(coefficient)
    assert result.general_reduction == d(reduction)
    pay = contract_pay("x", "X", ENTRY, d(gross), hours, rate_overrides(PARIS, ENTRY.start))
    assert (pay.employer_contributions, pay.employee_contributions) == (d(employer), d(employee))
    assert (pay.net, pay.cost) == (d(net), d(cost))


# --------------------------------------------------------------------------- hand-worked payslips


def test_at_the_smic():
    """Full time, gross 1823.07 (12.02 × 151.67 = 1823.0734, the monthly SMIC to the cent).

    T1 = 1823.07, T2 = 0, csg = 0.9825 × 1823.07 + 25.00 = 1816.166275.
    maladie 1823.07 × 0.13 = 236.9991 → 237.00
    vieillesse_plafonnee 1823.07 × 0.0855 = 155.872485 → 155.87 | × 0.069 = 125.79183 → 125.79
    vieillesse_deplafonnee 1823.07 × 0.0211 = 38.466777 → 38.47 | × 0.004 = 7.29228 → 7.29
    allocations_familiales 1823.07 × 0.0525 = 95.711175 → 95.71
    at_mp (Paris 0.009) 1823.07 × 0.009 = 16.40763 → 16.41
    chomage 1823.07 × 0.04 = 72.9228 → 72.92
    agirc_arrco_t1 1823.07 × 0.0601 = 109.566507 → 109.57 | × 0.0401 = 73.105107 → 73.11
    agirc_arrco_t2 0 → 0.00 | 0.00
    csg_crds 1816.166275 × 0.097 = 176.168128… → 176.17
    mutuelle 25.00 | 25.00
    Σ employer lines 750.95; Σ employee 407.36.
    gross 1823.07 < smic_base 1823.0734: x = ½ × (3 × 1823.0734 / 1823.07 − 1) = 1.0000028 > 1, so
    C = 0.02 + 0.3773 × 1.0000049 = 0.3973018 is capped at 0.3973; reduction 0.3973 × 1823.07 = 724.305711
    → 724.31. Employer 750.95 − 724.31 = 26.64; net 1823.07 − 407.36 = 1415.71;
    cost 1823.07 + 26.64 = 1849.71.
    """
    check_payslip(
        "1823.07",
        FULL,
        {
            "maladie": ("237.00", "0.00"),
            "vieillesse_plafonnee": ("155.87", "125.79"),
            "vieillesse_deplafonnee": ("38.47", "7.29"),
            "allocations_familiales": ("95.71", "0.00"),
            "at_mp": ("16.41", "0.00"),
            "chomage": ("72.92", "0.00"),
            "agirc_arrco_t1": ("109.57", "73.11"),
            "agirc_arrco_t2": ("0.00", "0.00"),
            "csg_crds": ("0.00", "176.17"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.3973",
        "724.31",
        "26.64",
        "407.36",
        "1415.71",
        "1849.71",
    )


def test_at_1_1_smic():
    """Full time, gross 2005.38 (1.1 × 1823.0734 = 2005.38074).

    T1 = 2005.38, T2 = 0, csg = 0.9825 × 2005.38 + 25 = 1995.28585.
    maladie 260.6994 → 260.70; vieillesse_plafonnee 171.45999 → 171.46 | 138.37122 → 138.37;
    vieillesse_deplafonnee 42.313518 → 42.31 | 8.02152 → 8.02; allocations_familiales 105.28245 → 105.28;
    at_mp 18.04842 → 18.05; chomage 80.2152 → 80.22; agirc_arrco_t1 120.523338 → 120.52 | 80.415738 → 80.42;
    agirc_arrco_t2 0.00 | 0.00; csg_crds 1995.28585 × 0.097 = 193.542727 → 193.54; mutuelle 25.00 | 25.00.
    Σ employer 823.54; Σ employee 445.35.
    x = ½ × (3 × 1823.0734 / 2005.38 − 1) = 0.86363687; x^1.75 = 0.77371239;
    C = 0.02 + 0.3773 × 0.77371239 = 0.31192169 → 0.3119; reduction 0.3119 × 2005.38 = 625.478022 → 625.48.
    Employer 823.54 − 625.48 = 198.06; net 2005.38 − 445.35 = 1560.03; cost 2203.44.
    """
    check_payslip(
        "2005.38",
        FULL,
        {
            "maladie": ("260.70", "0.00"),
            "vieillesse_plafonnee": ("171.46", "138.37"),
            "vieillesse_deplafonnee": ("42.31", "8.02"),
            "allocations_familiales": ("105.28", "0.00"),
            "at_mp": ("18.05", "0.00"),
            "chomage": ("80.22", "0.00"),
            "agirc_arrco_t1": ("120.52", "80.42"),
            "agirc_arrco_t2": ("0.00", "0.00"),
            "csg_crds": ("0.00", "193.54"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.3119",
        "625.48",
        "198.06",
        "445.35",
        "1560.03",
        "2203.44",
    )


def test_at_1_5_smic():
    """Full time, gross 2734.61 (1.5 × 1823.0734 = 2734.6101).

    T1 = 2734.61, T2 = 0, csg = 0.9825 × 2734.61 + 25 = 2711.754325.
    maladie 355.4993 → 355.50; vieillesse_plafonnee 233.809155 → 233.81 | 188.68809 → 188.69;
    vieillesse_deplafonnee 57.700271 → 57.70 | 10.93844 → 10.94; allocations_familiales 143.567025 → 143.57;
    at_mp 24.61149 → 24.61; chomage 109.3844 → 109.38; agirc_arrco_t1 164.350061 → 164.35 | 109.657861 →
    109.66; agirc_arrco_t2 0.00 | 0.00; csg_crds 263.04017 → 263.04; mutuelle 25.00 | 25.00.
    Σ employer 1113.92; Σ employee 597.33.
    x = ½ × (3 × 1823.0734 / 2734.61 − 1) = 0.50000004; x^1.75 = 0.29730182;
    C = 0.02 + 0.3773 × 0.29730182 = 0.13217198 → 0.1322; reduction 0.1322 × 2734.61 = 361.515442 → 361.52.
    Employer 1113.92 − 361.52 = 752.40; net 2734.61 − 597.33 = 2137.28; cost 3487.01.
    """
    check_payslip(
        "2734.61",
        FULL,
        {
            "maladie": ("355.50", "0.00"),
            "vieillesse_plafonnee": ("233.81", "188.69"),
            "vieillesse_deplafonnee": ("57.70", "10.94"),
            "allocations_familiales": ("143.57", "0.00"),
            "at_mp": ("24.61", "0.00"),
            "chomage": ("109.38", "0.00"),
            "agirc_arrco_t1": ("164.35", "109.66"),
            "agirc_arrco_t2": ("0.00", "0.00"),
            "csg_crds": ("0.00", "263.04"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.1322",
        "361.52",
        "752.40",
        "597.33",
        "2137.28",
        "3487.01",
    )


def test_at_2_9_smic_above_the_ceiling():
    """Full time, gross 5286.91 (2.9 × 1823.0734 = 5286.91286): above the ceiling, still reduced.

    T1 = 4005.00, T2 = 5286.91 − 4005 = 1281.91, csg = 0.9825 × 5286.91 + 25 = 5219.389075.
    maladie 687.2983 → 687.30; vieillesse_plafonnee 4005 × 0.0855 = 342.4275 → 342.43 | 4005 × 0.069 =
    276.345 → 276.35; vieillesse_deplafonnee 111.553801 → 111.55 | 21.14764 → 21.15; allocations_familiales
    277.562775 → 277.56; at_mp 47.58219 → 47.58; chomage 211.4764 → 211.48; agirc_arrco_t1 4005 × 0.0601 =
    240.7005 → 240.70 | 4005 × 0.0401 = 160.6005 → 160.60; agirc_arrco_t2 1281.91 × 0.1457 = 186.774287 →
    186.77 | × 0.0972 = 124.601652 → 124.60; csg_crds 506.28074 → 506.28; mutuelle 25.00 | 25.00.
    Σ employer 2130.37; Σ employee 1113.98.
    x = ½ × (3 × 1823.0734 / 5286.91 − 1) = 0.01724166; x^1.75 = 0.00082038;
    C = 0.02 + 0.3773 × 0.00082038 = 0.02030953 → 0.0203; reduction 0.0203 × 5286.91 = 107.324273 → 107.32.
    Employer 2130.37 − 107.32 = 2023.05; net 5286.91 − 1113.98 = 4172.93; cost 7309.96.
    """
    check_payslip(
        "5286.91",
        FULL,
        {
            "maladie": ("687.30", "0.00"),
            "vieillesse_plafonnee": ("342.43", "276.35"),
            "vieillesse_deplafonnee": ("111.55", "21.15"),
            "allocations_familiales": ("277.56", "0.00"),
            "at_mp": ("47.58", "0.00"),
            "chomage": ("211.48", "0.00"),
            "agirc_arrco_t1": ("240.70", "160.60"),
            "agirc_arrco_t2": ("186.77", "124.60"),
            "csg_crds": ("0.00", "506.28"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.0203",
        "107.32",
        "2023.05",
        "1113.98",
        "4172.93",
        "7309.96",
    )


def test_at_3_1_smic_no_reduction():
    """Full time, gross 5651.53 (3.1 × 1823.0734 = 5651.52754) ≥ 3 × smic_base = 5469.2202: no reduction.

    T1 = 4005.00, T2 = 1646.53, csg = 0.9825 × 5651.53 + 25 = 5577.628225.
    maladie 734.6989 → 734.70; vieillesse_plafonnee 342.43 | 276.35; vieillesse_deplafonnee 119.247283 →
    119.25 | 22.60612 → 22.61; allocations_familiales 296.705325 → 296.71; at_mp 50.86377 → 50.86;
    chomage 226.0612 → 226.06; agirc_arrco_t1 240.70 | 160.60; agirc_arrco_t2 1646.53 × 0.1457 = 239.899421
    → 239.90 | × 0.0972 = 160.042716 → 160.04; csg_crds 541.029938 → 541.03; mutuelle 25.00 | 25.00.
    Σ employer 2275.61 = employer; Σ employee 1185.63; net 4465.90; cost 7927.14.
    """
    check_payslip(
        "5651.53",
        FULL,
        {
            "maladie": ("734.70", "0.00"),
            "vieillesse_plafonnee": ("342.43", "276.35"),
            "vieillesse_deplafonnee": ("119.25", "22.61"),
            "allocations_familiales": ("296.71", "0.00"),
            "at_mp": ("50.86", "0.00"),
            "chomage": ("226.06", "0.00"),
            "agirc_arrco_t1": ("240.70", "160.60"),
            "agirc_arrco_t2": ("239.90", "160.04"),
            "csg_crds": ("0.00", "541.03"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.0000",
        "0.00",
        "2275.61",
        "1185.63",
        "4465.90",
        "7927.14",
    )


def test_far_above_the_ceiling_t2_stops_at_8_ceilings():
    """Full time, gross 35000.00: T1 = 4005.00; T2 = min(35000, 8 × 4005 = 32040) − 4005 = 28035.00;
    csg = 0.9825 × 35000 + 25 = 34412.50.
    maladie 4550.00; vieillesse_plafonnee 342.43 | 276.35; vieillesse_deplafonnee 738.50 | 140.00;
    allocations_familiales 1837.50; at_mp 315.00; chomage 1400.00; agirc_arrco_t1 240.70 | 160.60;
    agirc_arrco_t2 28035 × 0.1457 = 4084.6995 → 4084.70 | × 0.0972 = 2725.002 → 2725.00;
    csg_crds 34412.5 × 0.097 = 3338.0125 → 3338.01; mutuelle 25.00 | 25.00.
    No reduction (≥ 3 SMIC). Employer 13533.83; employee 6664.96; net 28335.04; cost 48533.83.
    """
    check_payslip(
        "35000.00",
        FULL,
        {
            "maladie": ("4550.00", "0.00"),
            "vieillesse_plafonnee": ("342.43", "276.35"),
            "vieillesse_deplafonnee": ("738.50", "140.00"),
            "allocations_familiales": ("1837.50", "0.00"),
            "at_mp": ("315.00", "0.00"),
            "chomage": ("1400.00", "0.00"),
            "agirc_arrco_t1": ("240.70", "160.60"),
            "agirc_arrco_t2": ("4084.70", "2725.00"),
            "csg_crds": ("0.00", "3338.01"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.0000",
        "0.00",
        "13533.83",
        "6664.96",
        "28335.04",
        "48533.83",
    )


def test_part_time():
    """80 h a month, gross 1100.00: smic_base = 12.02 × 80 = 961.60 (the reduction follows the contract's
    hours), 1100 / 961.60 = 1.144 SMIC.
    T1 = 1100.00, csg = 0.9825 × 1100 + 25 = 1105.75.
    maladie 143.00; vieillesse_plafonnee 94.05 | 75.90; vieillesse_deplafonnee 23.21 | 4.40;
    allocations_familiales 57.75; at_mp 9.90; chomage 44.00; agirc_arrco_t1 66.11 | 44.11;
    agirc_arrco_t2 0.00 | 0.00; csg_crds 1105.75 × 0.097 = 107.25775 → 107.26; mutuelle 25.00 | 25.00.
    Σ employer 463.02; Σ employee 256.67.
    x = ½ × (2884.80 / 1100 − 1) = 0.81127273; x^1.75 = 0.69349292; C = 0.02 + 0.3773 × 0.69349292 =
    0.28165488 → 0.2817; reduction 0.2817 × 1100 = 309.87. Employer 463.02 − 309.87 = 153.15;
    net 1100 − 256.67 = 843.33; cost 1253.15.
    """
    check_payslip(
        "1100.00",
        Decimal("80"),
        {
            "maladie": ("143.00", "0.00"),
            "vieillesse_plafonnee": ("94.05", "75.90"),
            "vieillesse_deplafonnee": ("23.21", "4.40"),
            "allocations_familiales": ("57.75", "0.00"),
            "at_mp": ("9.90", "0.00"),
            "chomage": ("44.00", "0.00"),
            "agirc_arrco_t1": ("66.11", "44.11"),
            "agirc_arrco_t2": ("0.00", "0.00"),
            "csg_crds": ("0.00", "107.26"),
            "mutuelle": ("25.00", "25.00"),
        },
        "0.2817",
        "309.87",
        "153.15",
        "256.67",
        "843.33",
        "1253.15",
    )


def test_exactly_at_3_smic_the_reduction_stops():
    """100 h: smic_base = 12.02 × 100 = 1202.00, 3 × smic_base = 3606.00. At 3606.00 the reduction is 0 (the
    formula would give t_min = 0.02); one cent below, x = ½ × (3606 / 3605.99 − 1) = 0.0000013866, its power
    1.75 is about 4.6e-11, C = 0.0200 and the reduction is 0.02 × 3605.99 = 72.1198 → 72.12."""
    at = lines_pay(ENTRY, d("3606.00"), Decimal("100"))
    assert (at.reduction_coefficient, at.general_reduction) == (0, d("0.00"))
    below = lines_pay(ENTRY, d("3605.99"), Decimal("100"))
    assert (below.reduction_coefficient, below.general_reduction) == (d("0.0200"), d("72.12"))


MEMBERS_2026 = """\
members:
  - id: rose
    name: "Rose Vidal"
    activity: BoisNomade
    joined: 2026-01-01
    cesa_from: 2026-03-11
    salary:
      - {from: 2026-03-11, gross: "2200.00", hours: "151.67"}
  - id: sam
    name: "Sam Perret"
    activity: AtelierCommun
    joined: 2025-01-01
    cesa_from: 2025-06-01
    left: 2026-03-20
    salary:
      - {from: 2025-06-01, gross: "1100.00", hours: "80"}
"""


def coop_2026(tmp_path: Path, coop: str = COOP_2026) -> Path:
    return write_coop(tmp_path / "coop", coop=coop, members=MEMBERS_2026)


def test_a_prorated_month_through_the_close(tmp_path):
    """Rose starts on 11 March 2026: 21 days of 31 paid, f = 21/31, full-time contract at 2200.00.

    gross = 2200 × 21 / 31 = 1490.322580… → 1490.32; ceiling × f = 4005 × 21/31 = 2713.0645…, so
    T1 = 1490.32, T2 = 0; mutuelle 25.00 × 21/31 = 16.9354… → 16.94 each side;
    csg = 0.9825 × 1490.32 + 16.94 = 1481.1794.
    maladie 193.7416 → 193.74; vieillesse_plafonnee 127.42236 → 127.42 | 102.83208 → 102.83;
    vieillesse_deplafonnee 31.445752 → 31.45 | 5.96128 → 5.96; allocations_familiales 78.2418 → 78.24;
    at_mp 13.41288 → 13.41; chomage 59.6128 → 59.61; agirc_arrco_t1 89.568232 → 89.57 | 59.761832 → 59.76;
    agirc_arrco_t2 0.00 | 0.00; csg_crds 1481.1794 × 0.097 = 143.6744 → 143.67; mutuelle 16.94 | 16.94.
    Σ employer 610.38; Σ employee 329.16.
    smic_base = 12.02 × 151.67 × 21/31 = 1234.985206; x = ½ × (3 × 1234.985206 / 1490.32 − 1) = 0.74300674;
    x^1.75 = 0.5946170; C = 0.02 + 0.3773 × 0.5946170 = 0.24434899 → 0.2443;
    reduction 0.2443 × 1490.32 = 364.085176 → 364.09. Employer 610.38 − 364.09 = 246.29;
    net 1490.32 − 329.16 = 1161.16; cost 1736.61.
    """
    folder = coop_2026(tmp_path)
    run = run_cli(folder, "close-month", "2026-03", "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    members = {m["id"]: m for a in run.json()["activities"] for m in a["members"]}
    rose = members["rose"]
    assert (rose["days"], rose["gross"]) == (21, "1490.32")
    assert (rose["employer_contributions"], rose["employee_contributions"]) == ("246.29", "329.16")
    assert (rose["net"], rose["cost"]) == ("1161.16", "1736.61")


# --------------------------------------------------------------------------- establishments' rates


def test_an_establishment_rate_overrides_the_line_from_its_date(tmp_path):
    """at_mp is 1 % in the phase, 0.9 % for Paris from January, 1.2 % from June: on a 2000.00 salary the
    line is 20.00, 18.00 (March), 24.00 (October); the other establishment keeps 20.00."""
    coop = COOP_2026.replace(
        '      - {from: 2026-01-01, code: at_mp, employer: "0.009"}\n',
        '      - {from: 2026-01-01, code: at_mp, employer: "0.009"}\n'
        '      - {from: 2026-06-01, code: at_mp, employer: "0.012"}\n'
        '  - {id: montreuil, name: "Montreuil"}\n',
    )
    activities = EXAMPLE_ACTIVITIES.replace(
        'establishment: paris-11}\n  - {id: AtelierCommun, name: "Atelier Commun", establishment: paris-11}',
        'establishment: paris-11}\n  - {id: AtelierCommun, name: "Atelier Commun", establishment: montreuil}',
    )
    folder = write_coop(tmp_path / "coop", coop=coop, members=MEMBERS_2026, activities=activities)

    def at_mp(member: str, month: str) -> str:
        run = run_cli(folder, "simulate", member, "--gross", "2000.00", "--month", month, "--format", "json")
        assert run.exit_code == 0, run.stderr
        return next(line["employer"] for line in run.json()["contributions"] if line["code"] == "at_mp")

    assert at_mp("rose", "2026-03") == "18.00"
    assert at_mp("rose", "2026-10") == "24.00"
    assert at_mp("sam", "2026-03") == "20.00"  # Montreuil has no rate of its own


def test_an_unknown_code_on_an_establishment_is_refused_at_its_line(tmp_path):
    folder = coop_2026(tmp_path, COOP_2026.replace("code: at_mp, employer", "code: atmp, employer"))
    before = snapshot(folder)
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    line = next(n for n, text in enumerate(COOP_2026.splitlines(), 1) if "code: at_mp, employer" in text)
    assert (
        f"config/coop.yaml:{line}: establishments[0].contribution_rates[0].code: unknown contribution line "
        "'atmp'"
    ) in run.stderr
    assert "Traceback" not in run.stderr and snapshot(folder) == before


def test_a_float_rate_or_a_rate_without_base_is_refused(tmp_path):
    for old, new, expect in [
        ('employer: "0.13"}', "employer: 0.13}", "write a rate as a quoted decimal string"),
        ("{code: maladie, base: gross, ", "{code: maladie, ", "a rate needs a base"),
        ('general_reduction: {t_min: "0.02"', "general_reduction: {t_min: 0.02", "quoted decimal string"),
        ("in_csg_base: true}", "in_csg_base: true, surprise: 1}", "surprise"),
    ]:
        folder = coop_2026(tmp_path / new.replace(" ", "_").replace(":", "").replace('"', ""))
        path = folder / "config" / "coop.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        run = run_cli(folder, "check")
        assert run.exit_code == 1, (new, run.stdout)
        assert run.stderr.startswith("error: config/coop.yaml:"), run.stderr
        assert expect in run.stderr, run.stderr


# --------------------------------------------------------------------------- simulate and the export


def test_simulate_json_and_table_show_every_line_and_the_reduction(tmp_path):
    """The 1.1 SMIC payslip of test_at_1_1_smic, through the command line."""
    folder = coop_2026(tmp_path)
    run = run_cli(folder, "simulate", "rose", "--gross", "2005.38", "--month", "2026-04", "--format", "json")
    assert run.exit_code == 0, run.stderr
    data = run.json()
    assert [line["code"] for line in data["contributions"]] == [
        "maladie",
        "vieillesse_plafonnee",
        "vieillesse_deplafonnee",
        "allocations_familiales",
        "at_mp",
        "chomage",
        "agirc_arrco_t1",
        "agirc_arrco_t2",
        "csg_crds",
        "mutuelle",
    ]
    by_code = {line["code"]: line for line in data["contributions"]}
    assert by_code["agirc_arrco_t1"] == {
        "code": "agirc_arrco_t1",
        "base": "T1",
        "base_amount": "2005.38",
        "employer": "120.52",
        "employee": "80.42",
    }
    assert by_code["csg_crds"]["base_amount"] == "1995.29" and by_code["csg_crds"]["employee"] == "193.54"
    assert by_code["mutuelle"]["base"] is None and by_code["mutuelle"]["employer"] == "25.00"
    assert (data["general_reduction"], data["general_reduction_coefficient"]) == ("625.48", "0.3119")
    assert (data["employer_contributions"], data["employee_contributions"]) == ("198.06", "445.35")
    assert (data["net"], data["cost"]) == ("1560.03", "2203.44")
    table = run_cli(folder, "simulate", "rose", "--gross", "2005.38", "--month", "2026-04")
    assert table.exit_code == 0, table.stderr
    assert "Contribution lines" in table.stdout
    assert "general reduction (0.3119)" in table.stdout and "-625.48" in table.stdout
    assert "agirc_arrco_t2" in table.stdout and "193.54" in table.stdout
    french = run_cli(folder, "--lang", "fr", "simulate", "rose", "--gross", "2005.38", "--month", "2026-04")
    assert "Lignes de cotisations" in french.stdout and "réduction générale (0,3119)" in french.stdout


def test_simulate_with_flat_rates_has_no_lines(example):
    data = run_cli(example, "simulate", "alice", "--gross", "2000.00", "--format", "json").json()
    assert (data["contributions"], data["general_reduction"]) == ([], None)


def test_payroll_export_gains_entry_and_exit_dates_days_paid_and_hours(tmp_path):
    """Rose enters on 11 March (21 days paid), Sam leaves on 20 March (20 days paid, 80 h contract:
    gross 1100 × 20/31 = 709.677… → 709.68)."""
    folder = coop_2026(tmp_path)
    ledger = folder / "ledgers" / "main.beancount"
    ledger.write_text(
        EXAMPLE_LEDGER.replace("2026-09-30", "2026-02-28").replace("2026-10-", "2026-03-"), encoding="utf-8"
    )
    assert run_cli(folder, "close-month", "2026-03").exit_code == 0
    assert run_cli(folder, "check").exit_code == 0  # the closing is proved again by recomputation
    run = run_cli(folder, "payroll", "2026-03")
    assert run.exit_code == 0, run.stderr
    rows = {r["member_id"]: r for r in csv.DictReader(io.StringIO(run.stdout))}
    assert list(rows["rose"])[:7] == [
        "member_id",
        "name",
        "activity",
        "entry_date",
        "exit_date",
        "days_paid",
        "hours",
    ]
    assert [rows["rose"][k] for k in ("entry_date", "exit_date", "days_paid", "hours", "gross")] == [
        "2026-03-11",
        "",
        "21",
        "151.67",
        "1490.32",
    ]
    assert [rows["sam"][k] for k in ("entry_date", "exit_date", "days_paid", "hours", "gross")] == [
        "2025-06-01",
        "2026-03-20",
        "20",
        "80",
        "709.68",
    ]
    data = run_cli(folder, "payroll", "2026-03", "--format", "json").json()
    sam = next(r for r in data["rows"] if r["member_id"] == "sam")
    assert (sam["entry_date"], sam["exit_date"], sam["days_paid"]) == ("2025-06-01", "2026-03-20", 20)


# --------------------------------------------------------------------------- the shipped parameter sets


def test_the_shipped_parameter_sets_load_and_init_uses_the_2026_one(tmp_path):
    shipped = yaml.safe_load((REPO / "docs" / "payroll-2026.yaml").read_text(encoding="utf-8"))["payroll"]
    phases = [PayrollEntry.model_validate(p) for p in shipped]
    assert [str(p.start) for p in phases] == ["2025-01-01", "2026-01-01"]
    p2026 = phases[1]
    assert (p2026.smic_hourly, p2026.ceiling_monthly) == (d("12.02"), d("4005.00"))
    assert p2026.general_reduction == GeneralReduction(
        t_min=d("0.02"), t_delta=d("0.3781"), exponent=d("1.75")
    )
    init = yaml.safe_load(textwrap.dedent(INIT_COOP.format(yaml_name='"X"', year=2026)))
    assert PayrollEntry.model_validate(init["payroll"][0]) == p2026
    sample = yaml.safe_load((REPO / "config" / "coop.yaml").read_text(encoding="utf-8"))
    in_sample = PayrollEntry.model_validate(sample["payroll"][-1])
    assert in_sample == p2026


# --------------------------------------------------------------------------- property test


def reference_payslip(gross: Fraction, hours: Fraction, f: Fraction, at_mp: Fraction):
    """An independent model of PHASE: exact fractions, half-up rounding by floor(x × 100 + ½), the power
    in floating point. Returns (employer lines, employee lines, raw C before rounding or None)."""

    def cents(x: Fraction) -> Fraction:
        return Fraction(math.floor(x * 100 + Fraction(1, 2)), 100)

    ceiling = 4005 * f
    t1, t2 = min(gross, ceiling), max(Fraction(0), min(gross, 8 * ceiling) - ceiling)
    mutuelle = cents(25 * f)
    csg = Fraction(9825, 10000) * gross + mutuelle
    employer = [
        cents(gross * Fraction("0.13")),
        cents(t1 * Fraction("0.0855")),
        cents(gross * Fraction("0.0211")),
        cents(gross * Fraction("0.0525")),
        cents(gross * at_mp),
        cents(gross * Fraction("0.04")),
        cents(t1 * Fraction("0.0601")),
        cents(t2 * Fraction("0.1457")),
        mutuelle,
    ]
    employee = [
        cents(t1 * Fraction("0.069")),
        cents(gross * Fraction("0.004")),
        cents(t1 * Fraction("0.0401")),
        cents(t2 * Fraction("0.0972")),
        cents(csg * Fraction("0.097")),
        mutuelle,
    ]
    smic_base = Fraction("12.02") * hours * f
    raw = None
    if gross < 3 * smic_base:
        x = (3 * smic_base / gross - 1) / 2
        raw = 0.02 + 0.3773 * float(x) ** 1.75
    return sum(employer), sum(employee), raw


@settings(max_examples=300, deadline=None)
@given(
    cents=st.integers(min_value=1, max_value=4_000_000),
    hours=st.sampled_from(["151.67", "120", "80", "35", "169"]),
    days=st.integers(min_value=1, max_value=31),
    at_mp=st.sampled_from(["0.009", "0.0151", "0.04"]),
)
def test_the_payslip_agrees_with_an_independent_model(cents, hours, days, at_mp):
    gross = Decimal(cents) / 100
    fraction = Decimal(days) / Decimal(31)
    hours_d = Decimal(hours)
    overrides = {"at_mp": (Decimal(at_mp), None)}
    result = lines_pay(ENTRY, gross, hours_d, fraction, overrides)
    ref_employer, ref_employee, raw = reference_payslip(
        Fraction(gross), Fraction(hours_d), Fraction(fraction), Fraction(at_mp)
    )
    lines_employer = sum((line.employer for line in result.lines), Decimal(0))
    # the lines: exactly the reference model's, each rounded to the cent
    assert Fraction(lines_employer) == ref_employer
    assert Fraction(result.employee) == ref_employee
    assert result.employer == lines_employer - result.general_reduction  # lines sum
    reduction = result.general_reduction
    assert reduction >= 0 and result.employer >= 0  # the reduction never makes contributions negative
    assert reduction <= (Decimal("0.3973") * gross).quantize(Decimal("0.01")) + Decimal("0.01")
    if raw is None:  # at and above 3 SMIC (for the contract's hours, prorated)
        assert reduction == 0 and result.reduction_coefficient == 0
    else:
        expected = min(raw, 0.3973)
        assert abs(float(result.reduction_coefficient) - expected) <= 0.00005 + 1e-9
        assert result.reduction_coefficient >= Decimal("0.02")  # the minimum rate below 3 SMIC
        if gross * result.reduction_coefficient <= lines_employer:
            assert reduction == (result.reduction_coefficient * gross).quantize(
                Decimal("0.01"), "ROUND_HALF_UP"
            )


@settings(max_examples=200, deadline=None)
@given(
    low=st.integers(min_value=100_00, max_value=8_000_00), step=st.integers(min_value=1, max_value=100_000)
)
def test_the_coefficient_falls_as_the_salary_rises(low, step):
    reduction = ENTRY.general_reduction
    assert reduction is not None
    smic_base = Decimal("12.02") * FULL
    c_low = reduction_coefficient(reduction, smic_base, Decimal(low) / 100)
    c_high = reduction_coefficient(reduction, smic_base, Decimal(low + step) / 100)
    assert c_high <= c_low <= Decimal("0.3973")


def test_review_describes_a_phase_with_lines():
    from coopctl.core.review import describe_payroll

    text = str(describe_payroll(ENTRY))
    assert text.startswith("SMIC 12.02 €/h, ceiling 4005.00, 10 contribution lines (maladie, ")
    assert text.endswith("general reduction t_min 0.02, t_delta 0.3773, exponent 1.75")
