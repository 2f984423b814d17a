"""The monthly close's rules, each with numbers worked out by hand (DESIGN §5)."""

from __future__ import annotations

import pytest
from conftest import COOP_YAML, run_cli, snapshot, write_coop

ONE_ACTIVITY = """\
activities:
  - {id: Solo, name: "Solo", establishment: paris-11}
"""

SOLO_LEDGER_HEAD = """\
option "operating_currency" "EUR"
2020-01-01 open Assets:Bank:Main EUR
2020-01-01 open Income:Activity:Solo EUR
2020-01-01 open Expenses:Activity:Solo:Supplies EUR
2020-01-01 open Equity:Activity:Solo EUR
"""


def member(id_: str, extra: str) -> str:
    return f'  - id: {id_}\n    name: "{id_.title()}"\n    activity: Solo\n    joined: 2025-01-01\n' + extra


def close_json(folder, month="2026-10"):
    run = run_cli(folder, "close-month", month, "--dry-run", "--format", "json")
    assert run.exit_code == 0, run.stderr
    return run.json()


def pays(out):
    return {m["id"]: m for a in out["activities"] for m in a["members"]}


def test_cesa_starting_mid_month_is_prorated(tmp_path):
    # CESA from 2026-10-10: 22 of 31 days. 1550.00 x 22 / 31 = 1100.00; employer 42% = 462.00;
    # employee 22% = 242.00.
    members = "members:\n" + member(
        "ana",
        "    cesa_from: 2026-10-10\n    salary:\n"
        '      - {from: 2026-10-10, gross: "1550.00", hours: "100"}\n',
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    pay = pays(close_json(folder))["ana"]
    assert (
        pay["days"],
        pay["gross"],
        pay["employer_contributions"],
        pay["employee_contributions"],
        pay["net"],
        pay["cost"],
    ) == (22, "1100.00", "462.00", "242.00", "858.00", "1562.00")


def test_cesa_ending_mid_month_is_prorated(tmp_path):
    # left 2026-10-20 (last day worked): 20 of 31 days. 1860.00 x 20 / 31 = 1200.00.
    members = "members:\n" + member(
        "ben",
        "    cesa_from: 2025-06-01\n    left: 2026-10-20\n    salary:\n"
        '      - {from: 2025-06-01, gross: "1860.00", hours: "151.67"}\n',
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    pay = pays(close_json(folder))["ben"]
    assert (pay["days"], pay["gross"], pay["employer_contributions"]) == (20, "1200.00", "504.00")


def test_proration_rounds_once_half_up(tmp_path):
    # 1300.00 x 16 / 30 = 693.3333... -> 693.33 (September 2026 has 30 days; CESA from the 15th).
    members = "members:\n" + member(
        "cid",
        "    cesa_from: 2026-09-15\n    salary:\n"
        '      - {from: 2026-09-15, gross: "1300.00", hours: "104"}\n',
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    pay = pays(close_json(folder, "2026-09"))["cid"]
    # employer 693.33 x 0.42 = 291.1986 -> 291.20; employee 693.33 x 0.22 = 152.5326 -> 152.53
    assert (pay["gross"], pay["employer_contributions"], pay["employee_contributions"], pay["net"]) == (
        "693.33",
        "291.20",
        "152.53",
        "540.80",
    )


def test_member_who_left_before_the_month_is_not_paid(tmp_path):
    members = "members:\n" + member(
        "dee",
        "    cesa_from: 2025-06-01\n    left: 2026-09-30\n    salary:\n"
        '      - {from: 2025-06-01, gross: "1900.00", hours: "151.67"}\n',
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    assert pays(close_json(folder)) == {}


def test_cape_member_and_future_cesa_are_not_paid(tmp_path):
    members = (
        "members:\n"
        + member("eve", "")
        + member(
            "fay",
            "    cesa_from: 2026-11-01\n    salary:\n"
            '      - {from: 2026-11-01, gross: "1900.00", hours: "151.67"}\n',
        )
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    assert pays(close_json(folder)) == {}


def test_salary_amendment_on_the_first_pays_the_new_gross(tmp_path):
    members = "members:\n" + member(
        "gus",
        "    cesa_from: 2025-06-01\n    salary:\n"
        '      - {from: 2025-06-01, gross: "1900.00", hours: "151.67"}\n'
        '      - {from: 2026-10-01, gross: "2100.00", hours: "151.67"}\n',
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    assert pays(close_json(folder))["gus"]["gross"] == "2100.00"
    assert pays(close_json(folder, "2026-09"))["gus"]["gross"] == "1900.00"


def test_salary_amendment_mid_month_pays_each_day_at_its_rate(tmp_path):
    # 1550.00 for Oct 1-15 (15 days) + 1860.00 for Oct 16-31 (16 days): 750.00 + 960.00 = 1710.00.
    members = "members:\n" + member(
        "hal",
        "    cesa_from: 2025-06-01\n    salary:\n"
        '      - {from: 2025-06-01, gross: "1550.00", hours: "120"}\n'
        '      - {from: 2026-10-16, gross: "1860.00", hours: "151.67"}\n',
    )
    folder = write_coop(tmp_path, members=members, activities=ONE_ACTIVITY, ledger=SOLO_LEDGER_HEAD)
    assert pays(close_json(folder))["hal"]["gross"] == "1710.00"


def ledger_with(revenue_lines: str) -> str:
    return SOLO_LEDGER_HEAD + "\n" + revenue_lines


def test_half_up_rounding_where_half_even_differs(tmp_path):
    # 333.25 x 0.10 = 33.325 -> 33.33 half-up (half-even would give 33.32); 0.05 x 0.10 = 0.005 -> 0.01.
    folder = write_coop(
        tmp_path,
        members="members: []\n",
        activities=ONE_ACTIVITY,
        ledger=ledger_with(
            '2026-10-05 * "Client" "Invoice"\n  Assets:Bank:Main 333.25 EUR\n'
            "  Income:Activity:Solo -333.25 EUR\n"
        ),
    )
    assert close_json(folder)["activities"][0]["contribution"] == "33.33"
    folder2 = write_coop(
        tmp_path / "b",
        members="members: []\n",
        activities=ONE_ACTIVITY,
        ledger=ledger_with(
            '2026-10-05 * "Client" "Tip"\n  Assets:Bank:Main 0.05 EUR\n  Income:Activity:Solo -0.05 EUR\n'
        ),
    )
    assert close_json(folder2)["activities"][0]["contribution"] == "0.01"


def test_credit_note_gives_a_negative_contribution(tmp_path):
    # A credit note of 333.25 alone in the month: revenue -333.25, contribution -33.33 (half away from zero).
    folder = write_coop(
        tmp_path,
        members="members: []\n",
        activities=ONE_ACTIVITY,
        ledger=ledger_with(
            '2026-09-05 * "Client" "Invoice"\n  Assets:Bank:Main 1000.00 EUR\n'
            "  Income:Activity:Solo -1000.00 EUR\n"
            '2026-10-05 * "Client" "Credit note"\n  Assets:Bank:Main -333.25 EUR\n'
            "  Income:Activity:Solo 333.25 EUR\n"
        ),
    )
    activity = close_json(folder)["activities"][0]
    assert (
        activity["revenue"],
        activity["contribution"],
        activity["opening_balance"],
        activity["closing_balance"],
    ) == ("-333.25", "-33.33", "1000.00", "700.08")  # 1000.00 - 333.25 + 33.33
    assert run_cli(folder, "close-month", "2026-10").exit_code == 0
    text = (folder / "ledgers" / "closing" / "2026-10.beancount").read_text(encoding="utf-8")
    assert "Expenses:Activity:Solo:Contribution  -33.33 EUR" in text


def test_zero_percent_override_is_a_real_zero(tmp_path):
    activities = (
        'activities:\n  - {id: Solo, name: "Solo", establishment: paris-11, contribution_rate: "0"}\n'
    )
    folder = write_coop(
        tmp_path,
        members="members: []\n",
        activities=activities,
        ledger=ledger_with(
            '2026-10-05 * "Client" "Invoice"\n  Assets:Bank:Main 5000.00 EUR\n'
            "  Income:Activity:Solo -5000.00 EUR\n"
        ),
    )
    activity = close_json(folder)["activities"][0]
    assert (activity["contribution_rate"], activity["contribution"], activity["closing_balance"]) == (
        "0",
        "0.00",
        "5000.00",
    )
    assert run_cli(folder, "close-month", "2026-10").exit_code == 0
    text = (folder / "ledgers" / "closing" / "2026-10.beancount").read_text(encoding="utf-8")
    assert "Contribution coopérative" not in text  # nothing to book at 0%
    assert 'custom "coopctl-close" "2026-10"' in text


def test_rate_schedule_entry_in_force_on_the_last_day(tmp_path):
    coop = COOP_YAML.replace(
        '  - {from: 2024-01-01, rate: "0.10"}\n',
        '  - {from: 2024-01-01, rate: "0.10"}\n  - {from: 2026-10-31, rate: "0.12"}\n',
    )
    folder = write_coop(
        tmp_path,
        coop=coop,
        members="members: []\n",
        activities=ONE_ACTIVITY,
        ledger=ledger_with(
            '2026-10-05 * "Client" "Invoice"\n  Assets:Bank:Main 1000.00 EUR\n'
            "  Income:Activity:Solo -1000.00 EUR\n"
        ),
    )
    assert close_json(folder)["activities"][0]["contribution"] == "120.00"


def test_advance_over_cap_raises_an_alert(tmp_path):
    # Salary cost 2698.00, cap 2 months = 5396.00. Opening -3000.00, no revenue: closing -5698.00,
    # advance 5698.00 > cap.
    members = "members:\n" + member(
        "ivy",
        "    cesa_from: 2025-06-01\n    salary:\n"
        '      - {from: 2025-06-01, gross: "1900.00", hours: "151.67"}\n',
    )
    folder = write_coop(
        tmp_path,
        members=members,
        activities=ONE_ACTIVITY,
        ledger=ledger_with(
            '2026-09-05 * "Supplier" "Machine"\n  Expenses:Activity:Solo:Supplies 3000.00 EUR\n'
            "  Assets:Bank:Main -3000.00 EUR\n"
        ),
    )
    activity = close_json(folder)["activities"][0]
    assert (activity["advance"], activity["advance_cap"]) == ("5698.00", "5396.00")
    assert [(a["code"], a["message"]) for a in activity["alerts"]] == [
        (
            "advance_over_cap",
            "Solo: advance 5,698.00 is over its cap 5,396.00 (2 months of salary cost 2,698.00)",
        )
    ]
    # At exactly the cap there is no alert: opening -2698.00 gives advance 5396.00.
    folder2 = write_coop(
        tmp_path / "b",
        members=members,
        activities=ONE_ACTIVITY,
        ledger=ledger_with(
            '2026-09-05 * "Supplier" "Machine"\n  Expenses:Activity:Solo:Supplies 2698.00 EUR\n'
            "  Assets:Bank:Main -2698.00 EUR\n"
        ),
    )
    activity = close_json(folder2)["activities"][0]
    assert (activity["advance"], activity["alerts"]) == ("5396.00", [])


# --------------------------------------------------------------------------- refusals


def assert_refused(folder, args, message, code=1):
    before = snapshot(folder)
    run = run_cli(folder, *args)
    assert run.exit_code == code, (run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert message in lines[0], lines[0]
    assert "Traceback" not in run.stderr + run.stdout
    assert snapshot(folder) == before
    return lines[0]


def test_refuses_second_close(example):
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    line = assert_refused(example, ["close-month", "2026-10"], "2026-10 is already closed")
    assert line.startswith("error: ledgers/closing/2026-10.beancount:")


def test_refuses_out_of_order_close(example):
    assert run_cli(example, "close-month", "2026-08").exit_code == 0
    assert_refused(example, ["close-month", "2026-10"], "2026-09 is still open; months close in order")
    assert_refused(example, ["close-month", "2026-07"], "2026-07 is before the last closed month 2026-08")


def test_refuses_month_not_ended(example):
    assert_refused(example, ["close-month", "9998-12"], "9998-12 has not ended yet")


def test_refuses_malformed_month_as_usage_error(example):
    assert_refused(example, ["close-month", "2026-13"], "'2026-13' is not a month", code=2)
    assert_refused(example, ["close-month", "oct"], "'oct' is not a month", code=2)


def test_refuses_when_ledger_has_an_error(example):
    main = example / "ledgers" / "main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8")
        + '\n2026-10-25 * "Broken"\n  Assets:Bank:Main 10.00 EUR\n  Income:Activity:BoisNomade -9.00 EUR\n',
        encoding="utf-8",
    )
    line = assert_refused(example, ["close-month", "2026-10"], "ledgers/main.beancount:")
    assert "balance" in line.lower()


def test_refuses_when_config_has_an_error(example):
    path = example / "config" / "activities.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "establishment: paris-11}\n  - {id: AtelierCommun",
            "establishment: paris-11, colour: red}\n  - {id: AtelierCommun",
            1,
        ),
        encoding="utf-8",
    )
    assert_refused(
        example, ["close-month", "2026-10"], "config/activities.yaml:2: activities[0].colour: unknown key"
    )


def test_default_month_is_the_first_open_one(example):
    assert run_cli(example, "close-month", "2026-09").exit_code == 0
    out = run_cli(example, "close-month", "--dry-run", "--format", "json").json()
    assert out["month"] == "2026-10"


def test_closing_is_deterministic(tmp_path):
    first = write_coop(tmp_path / "a")
    second = write_coop(tmp_path / "b")
    for folder in (first, second):
        assert run_cli(folder, "close-month", "2026-10").exit_code == 0
    assert snapshot(first) == snapshot(second)


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_close_renders_in_every_format(example, fmt):
    run = run_cli(example, "close-month", "2026-10", "--dry-run", "--format", fmt)
    assert run.exit_code == 0
    assert "AtelierCommun" in run.stdout
    if fmt == "csv":
        header = run.stdout.splitlines()[0]
        assert header.startswith("id,opening_balance,revenue,expenses,contribution_rate,contribution")
        assert "BoisNomade,1200.00,4000.00,350.00,0.10,400.00,2698.00,1752.00,0.00" in run.stdout
