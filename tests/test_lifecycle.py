"""Lifecycle alerts: each at its deadline's next day, and not a day before."""

from __future__ import annotations

import datetime

from conftest import run_cli, write_coop

from coopctl.adapter.ledger import load_books
from coopctl.core.lifecycle import lifecycle_alerts
from coopctl.store.configfile import load_cooperative

ACTIVITIES = (
    'activities:\n  - {id: Solo, name: "Solo", establishment: paris-11}\n'
    '  - {id: Empty, name: "Empty", establishment: paris-11}\n'
)
LEDGER = (
    'option "operating_currency" "EUR"\n2020-01-01 open Assets:Bank:Main\n'
    "2020-01-01 open Equity:Activity:Empty\n"
    '2020-01-01 open Income:Activity:Solo\n\n2025-06-01 * "Reserve left behind"\n'
    "  Equity:Activity:Empty  -250.00 EUR\n  Assets:Bank:Main\n"
)


def alerts(tmp_path, members: str, day: str) -> list[str]:
    folder = write_coop(tmp_path, members="members:\n" + members, activities=ACTIVITIES, ledger=LEDGER)
    coop = load_cooperative(folder)
    return [
        p.message for p in lifecycle_alerts(coop, load_books(coop).figures, datetime.date.fromisoformat(day))
    ]


CAPE = '  - id: ana\n    name: "Ana"\n    activity: Solo\n    joined: 2025-10-01\n'


def test_cape_without_renewal_from_the_day_after_twelve_months(tmp_path):
    assert not any("ana" in a for a in alerts(tmp_path / "a", CAPE, "2026-09-30"))  # last day of the contract
    assert (
        "ana: CAPE contract ended on 2026-09-30 with no renewal recorded (add the renewal date under "
        "cape_renewals, or a cesa_from)" in alerts(tmp_path / "b", CAPE, "2026-10-01")
    )


def test_a_renewal_extends_the_cape_by_twelve_months_and_36_months_is_the_end(tmp_path):
    renewed = CAPE + "    cape_renewals: [2026-09-15, 2027-09-15]\n"
    assert not any("ana" in a for a in alerts(tmp_path / "a", renewed, "2027-09-30"))
    assert not any("ana" in a for a in alerts(tmp_path / "b", renewed, "2028-09-30"))  # last day of 36 months
    assert any(
        "ana: in CAPE for more than 36 months" in a for a in alerts(tmp_path / "c", renewed, "2028-10-01")
    )


CESA = (
    '  - id: ben\n    name: "Ben"\n    activity: Solo\n    joined: 2023-02-01\n    cesa_from: 2023-09-01\n'
    '    salary:\n      - {from: 2023-09-01, gross: "1900.00", hours: "151.67"}\n'
)


def test_associate_deadline_is_three_years_less_the_cape_time(tmp_path):
    # CESA 2023-09-01 + 3 years = 2026-09-01, less 212 days of CAPE: the last day is 2026-01-31
    assert not any("associate" in a for a in alerts(tmp_path / "a", CESA, "2026-01-31"))
    assert (
        "ben: not an associate although the deadline was 2026-01-31 (3 years after the CESA start "
        "2023-09-01, "
        "less the CAPE time)"
    ) in alerts(tmp_path / "b", CESA, "2026-02-01")
    associate = CESA + "    associate_from: 2026-01-20\n"
    assert not any("associate" in a for a in alerts(tmp_path / "c", associate, "2026-02-01"))


def test_an_activity_without_a_current_member_holding_a_reserve(tmp_path):
    left = (
        '  - id: cid\n    name: "Cid"\n    activity: Empty\n    joined: 2024-01-01\n    left: 2026-03-31\n'
        + CAPE
    )
    assert not any("Empty" in a for a in alerts(tmp_path / "a", left, "2026-03-31"))
    assert (
        "activity Empty has no current member (members who left: cid); it still holds a reserve of 250.00"
        in alerts(tmp_path / "b", left, "2026-04-01")
    )


def test_a_salaried_member_of_an_activity_in_deficit_for_the_alert_period(tmp_path):
    associate = CESA + "    associate_from: 2024-01-01\n"  # so that only the deficit alert concerns him
    folder = write_coop(tmp_path, members="members:\n" + associate, activities=ACTIVITIES, ledger=LEDGER)
    for month in ("2026-06", "2026-07"):
        assert run_cli(folder, "close-month", month).exit_code == 0
    coop = load_cooperative(folder)
    before = [p.message for p in lifecycle_alerts(coop, load_books(coop).figures, datetime.date(2026, 7, 31))]
    assert not any("deficit" in a for a in before)  # two months in deficit: not yet
    assert run_cli(folder, "close-month", "2026-08").exit_code == 0
    after = [p.message for p in lifecycle_alerts(coop, load_books(coop).figures, datetime.date(2026, 8, 31))]
    assert (
        "ben: salaried while Solo has been in deficit for 3 closed months in a row (alert from 3); "
        "review the salary with the tutor"
    ) in after


def test_alerts_reach_members_report_and_check(sample_copy):
    members = run_cli(sample_copy, "members", "--as-of", "2026-10-31", "--format", "json").json()
    assert any(
        a["code"] == "cape_ended"
        and a["member"] == "nora"
        and a["day"] == "2026-09-30"
        and a["message"].startswith("nora: CAPE contract ended on 2026-09-30")
        for a in members["alerts"]
    )
    check = run_cli(sample_copy, "check")
    assert check.exit_code == 0  # warnings, not errors
    assert "warning: config/members.yaml:" in check.stderr and "nora: CAPE contract ended" in check.stderr
    report = run_cli(sample_copy, "report", "2026-09", "--format", "json").json()
    assert any(
        a["code"] == "activity_without_member" and a["activity"] == "StudioHugo" for a in report["alerts"]
    )


def test_months_until_a_deadline():
    from coopctl.core.lifecycle import months_until

    d = datetime.date
    assert months_until(d(2026, 10, 31), d(2027, 5, 3)) == 6
    assert months_until(d(2026, 10, 31), d(2026, 9, 30)) == -1  # one whole month overdue
    assert months_until(d(2026, 1, 31), d(2026, 2, 28)) == 0  # not yet a whole month
    assert months_until(d(2026, 3, 1), d(2026, 3, 1)) == 0


def test_tutor_portfolio(sample_copy):
    run = run_cli(sample_copy, "tutor", "mlefevre", "--as-of", "2026-10-31", "--format", "json")
    assert run.exit_code == 0, run.stderr
    rows = {r["member"]: r for r in run.json()["members"]}
    assert set(rows) == {"alice", "dan", "lea", "marc", "nora"}  # hugo left in June: no longer followed
    assert (
        rows["nora"]["phase"],
        rows["nora"]["next_deadline"],
        rows["nora"]["deadline"],
        rows["nora"]["months_to_deadline"],
    ) == ("CAPE", "end of CAPE contract", "2026-09-30", -1)
    assert rows["nora"]["alerts"] == [
        "nora: CAPE contract ended on 2026-09-30 with no renewal recorded "
        "(add the renewal date under cape_renewals, or a cesa_from)"
    ]
    assert (rows["dan"]["deadline"], rows["dan"]["months_to_deadline"]) == ("2027-05-03", 6)
    assert rows["alice"]["next_deadline"] is None  # an associate since 2026-06-15
    unknown = run_cli(sample_copy, "tutor", "nobody")
    assert unknown.exit_code == 1 and "no tutor 'nobody'" in unknown.stderr
