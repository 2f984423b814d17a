"""Hypothesis strategies: random cooperatives and ledgers, written as real files."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from conftest import write_coop
from hypothesis import strategies as st

ACTIVITY_IDS = ["Alpha", "Beta-2", "Gamma"]
MONTH_START = datetime.date(2026, 10, 1)


@dataclass
class RandomCoop:
    activities: list[tuple[str, str | None]]
    members: list[dict]
    postings: list[tuple[str, str, datetime.date, Decimal]]  # (activity, kind, date, amount)
    default_rate: str = "0.10"
    employer_rate: str = "0.42"
    employee_rate: str = "0.22"
    extra: dict = field(default_factory=dict)

    def write(self, folder: Path) -> Path:
        coop = (
            f"""\
name: "Random"
currency: EUR
establishments:
  - {{id: main, name: "Main"}}
contribution:
  - {{from: 2020-01-01, rate: "{self.default_rate}"}}
payroll:
"""
            '  - {from: 2020-01-01, smic_hourly: "12.02", '
            f'employer_rate: "{self.employer_rate}", employee_rate: "{self.employee_rate}"}}\n'
        )
        activities = "activities:\n" + "".join(
            f'  - {{id: {a}, name: "{a}", establishment: main'
            + (f', contribution_rate: "{rate}"' if rate is not None else "")
            + "}\n"
            for a, rate in self.activities
        )
        members = "members:\n" if self.members else "members: []\n"
        for m in self.members:
            members += (
                f'  - id: {m["id"]}\n    name: "{m["id"].title()}"\n    activity: {m["activity"]}\n'
                f"    joined: {m['joined']}\n"
            )
            if m.get("cesa_from"):
                members += f"    cesa_from: {m['cesa_from']}\n    salary:\n"
                for start, gross in m["salary"]:
                    members += f'      - {{from: {start}, gross: "{gross}", hours: "100"}}\n'
            if m.get("left"):
                members += f"    left: {m['left']}\n"
        ledger = 'option "operating_currency" "EUR"\n2020-01-01 open Assets:Bank:Main EUR\n'
        for a, _ in self.activities:
            ledger += f"2020-01-01 open Income:Activity:{a}\n2020-01-01 open Expenses:Activity:{a}:Costs\n"
        for index, (a, kind, day, amount) in enumerate(sorted(self.postings, key=lambda p: p[2])):
            account = f"Income:Activity:{a}" if kind == "revenue" else f"Expenses:Activity:{a}:Costs"
            signed = -amount if kind == "revenue" else amount
            ledger += f'\n{day} * "Random {index}"\n  {account}  {signed} EUR\n  Assets:Bank:Main\n'
        return write_coop(folder, coop=coop, members=members, activities=activities, ledger=ledger)


amounts = st.integers(min_value=-50_000_00, max_value=500_000_00).map(lambda c: Decimal(c) / 100)
rates = st.one_of(
    st.none(),
    st.sampled_from(["0", "0.05", "0.10", "0.125", "0.2", "1"]),
    st.integers(0, 1000).map(lambda n: str(Decimal(n) / 1000)),
)
days = st.dates(min_value=datetime.date(2026, 8, 1), max_value=datetime.date(2026, 10, 31))


@st.composite
def members_strategy(draw, activity_ids):
    count = draw(st.integers(0, 5))
    members = []
    for index in range(count):
        member = {
            "id": f"m{index}",
            "activity": draw(st.sampled_from(activity_ids)),
            "joined": datetime.date(2025, 1, 1),
        }
        kind = draw(st.sampled_from(["cape", "cesa", "cesa_starts", "cesa_ends", "left_before", "amended"]))
        gross = Decimal(draw(st.integers(1300_00, 6000_00))) / 100
        if kind != "cape":
            start = datetime.date(2025, 6, 1)
            if kind == "cesa_starts":
                start = MONTH_START + datetime.timedelta(days=draw(st.integers(0, 30)))
            member["cesa_from"] = start
            member["salary"] = [(start, gross)]
            if kind == "amended":
                member["salary"].append(
                    (
                        MONTH_START + datetime.timedelta(days=draw(st.integers(0, 30))),
                        gross + Decimal(draw(st.integers(1, 100_000))) / 100,
                    )
                )
            if kind == "cesa_ends":
                member["left"] = MONTH_START + datetime.timedelta(days=draw(st.integers(0, 30)))
            if kind == "left_before":
                member["left"] = datetime.date(2026, 9, 30)
        members.append(member)
    return members


@st.composite
def random_coops(draw):
    n = draw(st.integers(1, 3))
    activity_ids = ACTIVITY_IDS[:n]
    activities = [(a, draw(rates)) for a in activity_ids]
    postings = draw(
        st.lists(
            st.tuples(
                st.sampled_from(activity_ids),
                st.sampled_from(["revenue", "revenue", "expense"]),
                days,
                amounts.filter(lambda x: x != 0),
            ),
            max_size=12,
        )
    )
    return RandomCoop(
        activities,
        draw(members_strategy(activity_ids)),
        postings,
        default_rate=draw(st.sampled_from(["0.10", "0.08", "0.15"])),
        employer_rate=draw(st.sampled_from(["0.42", "0.38", "0.05"])),
        employee_rate=draw(st.sampled_from(["0.22", "0.21"])),
    )
