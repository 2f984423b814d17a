"""The monthly close against a small independent reference model (issue 15, item 5).

The model below is written from DESIGN §5 and the README's documented decisions, not from coopctl's code:
integer cents and ``Fraction`` rates, its own calendar (days counted one by one), its own half-up rounding by
integer arithmetic, its own brackets on the year-to-date revenue, exempt months, bonuses, reserves brought in
(equity), hand-booked contribution and salary, joins and departures. Hypothesis draws small random
cooperatives (1–4 activities, 0–4 members each, 1–12 months of figures) and, month after month, checks that
``core.close.plan_close`` on in-memory figures (which include the earlier months' closes, as the ledger
would) gives exactly the model's contribution, each member's gross / employer / employee / net / cost, the
opening and closing balance and the advance, to the cent.

What the model covers, rule by rule (DESIGN §5 and README "The monthly close, and the decisions coopctl
makes",
"Contribution and payroll rules as cooperatives write them"):
- contribution = round(revenue × rate) with the activity's flat override, or the activity's own schedule's
  entry in force on the month's last day, else the cooperative's; or, with tiers, round(F(YTD after)) −
  round(F(YTD before)), F the marginal brackets,
  a negative YTD at the first rate, the calendar year's earlier non-exempt months in the base;
- exempt months: from the activity's start (``started``, else its earliest member's joining) to the
  ``exempt_months``-th whole month after it (the start's month is the first when it starts on the 1st);
- salary: each CESA day of the month (from ``cesa_from`` to ``left``, the last day worked) paid at the
  amendment in force that day, gross × days / days in month summed and rounded once; plus the month's bonus;
  employer and employee contributions rounded from the month's whole gross with the rates in force on the
  month's last day; net = gross − employee, cost = gross + employer; CAPE members unpaid;
- closing = opening + revenue − expenses − contribution − Σ cost + equity − hand-booked contribution and
  salary; advance = max(0, −closing).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopctl.core.close import plan_close
from coopctl.domain.cooperative import Activity, Coop, Cooperative, Member, check_consistency
from coopctl.domain.figures import CloseMarker, DayFigures, LedgerFigures
from coopctl.domain.months import Month

# -------------------- the reference model (independent)


def half_up(amount: Fraction) -> int:
    """An amount in euros rounded to whole cents, half away from zero, by integer arithmetic."""
    cents = amount * 100
    sign = -1 if cents < 0 else 1
    num, den = abs(cents.numerator), cents.denominator
    return sign * ((2 * num + den) // (2 * den))


def ym(day: datetime.date) -> int:
    """A month as one integer (year × 12 + month − 1)."""
    return day.year * 12 + day.month - 1


def month_days(m: int) -> list[datetime.date]:
    year, month = divmod(m, 12)
    return [datetime.date(year, month + 1, d) for d in range(1, calendar.monthrange(year, month + 1)[1] + 1)]


def dated(schedule: list[dict], day: datetime.date) -> dict | None:
    """The entry of a schedule (dicts with a ``start`` date, in order) in force on ``day``."""
    found = None
    for entry in schedule:
        if entry["start"] <= day:
            found = entry
    return found


def brackets(tiers: list[tuple[int | None, Fraction]], ytd_cents: int) -> Fraction:
    """F(ytd) in euros: marginal rates, each bracket up to its bound in cents; a negative YTD at the first
    rate."""
    if ytd_cents < 0:
        return Fraction(ytd_cents, 100) * tiers[0][1]
    total, low = Fraction(0), 0
    for bound, rate in tiers:
        top = ytd_cents if bound is None else min(ytd_cents, bound)
        if top > low:
            total += Fraction(top - low, 100) * rate
        if bound is None or ytd_cents <= bound:
            break
        low = bound
    return total


@dataclass
class RefMember:
    id: str
    activity: str
    joined: datetime.date
    cesa_from: datetime.date | None
    left: datetime.date | None
    salary: list[dict]  # {start, gross (cents)}
    bonuses: dict[int, int]  # month -> cents


@dataclass
class RefCoop:
    contribution: list[
        dict
    ]  # {start, rate: Fraction | None, tiers: [(bound cents | None, Fraction)] | None, exempt}
    payroll: list[dict]  # {start, employer: Fraction, employee: Fraction}
    activities: dict[
        str, dict
    ]  # id -> {override: Fraction | None, own: [entry] | None, started: date | None}
    members: list[RefMember]
    # activity -> month -> list of (day, kind, cents); kinds: revenue, expenses, equity, contribution, salary
    entries: dict[str, dict[int, list[tuple[datetime.date, str, int]]]] = field(default_factory=dict)
    before: dict[str, tuple[datetime.date, int]] = field(
        default_factory=dict
    )  # equity brought in before the months


def is_exempt_ref(start: datetime.date | None, exempt: int, m: int) -> bool:
    if start is None or exempt == 0:
        return False
    first_whole = ym(start) if start.day == 1 else ym(start) + 1
    return ym(start) <= m <= first_whole + exempt - 1


def month_sum(ref: RefCoop, act: str, m: int, kind: str) -> int:
    return sum(c for _, k, c in ref.entries.get(act, {}).get(m, []) if k == kind)


def ref_contribution(ref: RefCoop, act: str, m: int) -> int:
    revenue = month_sum(ref, act, m, "revenue")
    info = ref.activities[act]
    if info["override"] is not None:
        return half_up(Fraction(revenue, 100) * info["override"])
    last = month_days(m)[-1]
    entry = dated(info.get("own") or [], last) or dated(ref.contribution, last)
    if entry is None:
        return 0
    joined = [x.joined for x in ref.members if x.activity == act]
    start = info["started"] or (min(joined) if joined else None)
    if is_exempt_ref(start, entry["exempt"], m):
        return 0
    if entry["tiers"] is None:
        return half_up(Fraction(revenue, 100) * entry["rate"])
    january = (m // 12) * 12
    before = sum(
        month_sum(ref, act, k, "revenue")
        for k in range(january, m)
        if not is_exempt_ref(start, entry["exempt"], k)
    )
    return half_up(brackets(entry["tiers"], before + revenue)) - half_up(brackets(entry["tiers"], before))


def ref_pay(ref: RefCoop, member: RefMember, m: int) -> tuple[int, int, int, int, int] | None:
    """(gross, employer, employee, net, cost) in cents, or None when not paid in month ``m``."""
    if member.cesa_from is None:
        return None
    days = month_days(m)
    paid = [d for d in days if d >= member.cesa_from and (member.left is None or d <= member.left)]
    if not paid:
        return None
    salary = sum((Fraction(dated(member.salary, d)["gross"], 100) / len(days) for d in paid), Fraction(0))
    gross = half_up(salary) + member.bonuses.get(m, 0)
    rates = dated(ref.payroll, days[-1])
    employer = half_up(Fraction(gross, 100) * rates["employer"])
    employee = half_up(Fraction(gross, 100) * rates["employee"])
    return gross, employer, employee, gross - employee, gross + employer


def ref_month(ref: RefCoop, act: str, m: int, opening: int) -> dict:
    pays = {x.id: p for x in ref.members if x.activity == act and (p := ref_pay(ref, x, m)) is not None}
    contribution = ref_contribution(ref, act, m)
    closing = (
        opening
        + month_sum(ref, act, m, "revenue")
        - month_sum(ref, act, m, "expenses")
        - contribution
        - sum(p[4] for p in pays.values())
        + month_sum(ref, act, m, "equity")
        - month_sum(ref, act, m, "contribution")
        - month_sum(ref, act, m, "salary")
    )
    return {
        "contribution": contribution,
        "pays": pays,
        "opening": opening,
        "closing": closing,
        "advance": max(0, -closing),
    }


# -------------------- the same cooperative as coopctl reads it


def text(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def dec(cents: int) -> Decimal:
    return Decimal(text(cents))


def rate_text(rate: Fraction) -> str:
    return str(Decimal(rate.numerator) / Decimal(rate.denominator))


def entry_dict(entry: dict) -> dict:
    out = {"from": entry["start"].isoformat(), "exempt_months": entry["exempt"]}
    if entry["tiers"] is None:
        out["rate"] = rate_text(entry["rate"])
    else:
        out["tiers"] = [
            ({"up_to": text(b)} if b is not None else {}) | {"rate": rate_text(r)} for b, r in entry["tiers"]
        ]
    return out


def cooperative(ref: RefCoop) -> Cooperative:
    coop = Coop.model_validate(
        {
            "name": "Model",
            "establishments": [{"id": "e", "name": "E"}],
            "contribution": [entry_dict(e) for e in ref.contribution],
            "payroll": [
                {
                    "from": p["start"].isoformat(),
                    "smic_hourly": "12.02",
                    "employer_rate": rate_text(p["employer"]),
                    "employee_rate": rate_text(p["employee"]),
                }
                for p in ref.payroll
            ],
        }
    )
    activities = [
        Activity.model_validate(
            {
                "id": act,
                "name": act,
                "establishment": "e",
                **(
                    {"contribution_rate": rate_text(info["override"])} if info["override"] is not None else {}
                ),
                **({"contribution": [entry_dict(e) for e in info["own"]]} if info.get("own") else {}),
                **({"started": info["started"].isoformat()} if info["started"] else {}),
            }
        )
        for act, info in ref.activities.items()
    ]
    members = []
    for x in ref.members:
        members.append(
            Member.model_validate(
                {
                    "id": x.id,
                    "name": x.id,
                    "activity": x.activity,
                    "joined": x.joined.isoformat(),
                    **({"cesa_from": x.cesa_from.isoformat()} if x.cesa_from else {}),
                    **({"left": x.left.isoformat()} if x.left else {}),
                    "salary": [
                        {"from": s["start"].isoformat(), "gross": text(s["gross"]), "hours": "151.67"}
                        for s in x.salary
                    ],
                    "bonuses": [
                        {"month": f"{m // 12:04d}-{m % 12 + 1:02d}", "gross": text(c)}
                        for m, c in sorted(x.bonuses.items())
                    ],
                }
            )
        )
    return Cooperative(root=Path("/nonexistent"), coop=coop, members=members, activities=activities)


KIND_FIELD = {
    "revenue": "revenue",
    "expenses": "expenses",
    "equity": "equity",
    "contribution": "contribution",
    "salary": "salary_cost",
}


def ledger_figures(ref: RefCoop, closes: list[tuple[datetime.date, str, int, int]]) -> LedgerFigures:
    """The figures a ledger holding the drawn entries and the closes so far gives (contribution, salary
    cost)."""
    figures = LedgerFigures()

    def add(act: str, day: datetime.date, **amounts: Decimal) -> None:
        figures.days[act].setdefault(day, DayFigures()).add(DayFigures(**amounts))

    for act, (day, cents) in ref.before.items():
        add(act, day, equity=dec(cents))
    for act, months in ref.entries.items():
        for rows in months.values():
            for day, kind, cents in rows:
                add(act, day, **{KIND_FIELD[kind]: dec(cents)})
    for day, act, contribution, salary in closes:
        add(act, day, contribution=dec(contribution), salary_cost=dec(salary))
        figures.closed[Month.of(day)] = CloseMarker(None, None, {})
    return figures


# --------------------------------------------------------------------------- strategies

RATES = st.sampled_from(
    [
        Fraction(0),
        Fraction(1, 10),
        Fraction(5, 100),
        Fraction(125, 1000),
        Fraction(75, 1000),
        Fraction(1234, 10000),
        Fraction(333, 10000),
    ]
)
# Salaries often in quarters of a euro, so that gross × 42% or × 22% often ends in half a cent (a rounding
# tie).
GROSS = st.one_of(
    st.integers(30_000, 400_000), st.integers(1_200, 16_000).map(lambda quarters: quarters * 25)
)
PAY_RATES = st.sampled_from([Fraction(42, 100), Fraction(4175, 10000), Fraction(13, 100), Fraction(0)])
EMPLOYEE_RATES = st.sampled_from([Fraction(22, 100), Fraction(2185, 10000), Fraction(1, 10)])


@st.composite
def contribution_entry(draw, start: datetime.date) -> dict:
    exempt = draw(st.sampled_from([0, 1, 2, 3]))
    if draw(st.booleans()):
        return {"start": start, "rate": draw(RATES), "tiers": None, "exempt": exempt}
    count = draw(st.integers(1, 3))
    bounds = sorted(set(draw(st.lists(st.integers(1, 3_000_000), min_size=count - 1, max_size=count - 1))))
    rates = draw(st.lists(RATES, min_size=len(bounds) + 1, max_size=len(bounds) + 1))
    return {"start": start, "rate": None, "tiers": list(zip([*bounds, None], rates)), "exempt": exempt}


def day_in(draw, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=draw(st.integers(0, (last - first).days)))


@st.composite
def cooperatives(draw) -> tuple[RefCoop, list[int]]:
    first_month = 2026 * 12 + draw(st.integers(0, 11))
    months = list(range(first_month, first_month + draw(st.integers(1, 12))))
    window_first, window_last = month_days(months[0])[0], month_days(months[-1])[-1]
    far = window_first - datetime.timedelta(days=400)

    contribution = [draw(contribution_entry(datetime.date(2020, 1, 1)))]
    if draw(st.booleans()):
        contribution.append(draw(contribution_entry(day_in(draw, window_first, window_last))))
    payroll = [
        {"start": datetime.date(2020, 1, 1), "employer": draw(PAY_RATES), "employee": draw(EMPLOYEE_RATES)}
    ]
    if draw(st.booleans()):
        payroll.append(
            {
                "start": day_in(draw, window_first, window_last),
                "employer": draw(PAY_RATES),
                "employee": draw(EMPLOYEE_RATES),
            }
        )

    activities, members = {}, []
    for a in range(draw(st.integers(1, 4))):
        act = f"Act{a}"
        own = None if draw(st.integers(0, 3)) else [draw(contribution_entry(day_in(draw, far, window_last)))]
        activities[act] = {
            "override": None if own else draw(st.one_of(st.none(), st.none(), st.none(), RATES)),
            # the activity's own contribution schedule, in force from its date (the default before)
            "own": own,
            "started": draw(
                st.one_of(
                    st.none(),
                    st.dates(window_first - datetime.timedelta(days=90), window_last),
                    st.dates(far, window_last),
                )
            ),
        }
        for k in range(draw(st.integers(0, 4))):
            joined = day_in(
                draw, draw(st.sampled_from([far, window_first - datetime.timedelta(days=60)])), window_last
            )
            cesa_from = (
                day_in(draw, joined, joined + datetime.timedelta(days=200)) if draw(st.booleans()) else None
            )
            left = None
            if draw(st.integers(0, 2)) == 0:  # a departure, often inside the months drawn
                base = cesa_from or joined
                low = draw(st.sampled_from([base, max(base, window_first)]))
                left = day_in(draw, low, max(low, window_last) + datetime.timedelta(days=30))
            salary = []
            if cesa_from is not None:
                salary.append({"start": cesa_from, "gross": draw(GROSS)})
                if draw(st.booleans()):
                    salary.append(
                        {
                            "start": day_in(
                                draw,
                                cesa_from + datetime.timedelta(days=1),
                                cesa_from + datetime.timedelta(days=300),
                            ),
                            "gross": draw(GROSS),
                        }
                    )
            bonuses = {}
            if cesa_from is not None:
                paid = [
                    m
                    for m in months
                    if month_days(m)[-1] >= cesa_from and (left is None or left >= month_days(m)[0])
                ]
                for m in draw(st.lists(st.sampled_from(paid), max_size=2, unique=True)) if paid else []:
                    bonuses[m] = draw(st.integers(1, 200_000))
            members.append(RefMember(f"m{a}x{k}", act, joined, cesa_from, left, salary, bonuses))

    ref = RefCoop(contribution, payroll, activities, members)
    for act in activities:
        if draw(st.booleans()):
            ref.before[act] = (far, draw(st.integers(-500_000, 2_000_000)))
        for m in months:
            days = month_days(m)
            rows = []
            for kind, amounts in (
                ("revenue", st.one_of(st.integers(0, 1_500_000), st.integers(-100_000, 0))),
                ("expenses", st.integers(0, 400_000)),
                ("equity", st.integers(-100_000, 500_000)),
                ("contribution", st.integers(-10_000, 50_000)),
                ("salary", st.integers(0, 200_000)),
            ):
                chance = {"revenue": 4, "expenses": 3}.get(kind, 8)
                if draw(st.integers(0, chance - 1)) < (3 if kind == "revenue" else 1):
                    rows.append((draw(st.sampled_from(days)), kind, draw(amounts)))
            if rows:
                ref.entries.setdefault(act, {})[m] = rows
    return ref, months


# --------------------------------------------------------------------------- the property


def check_against_model(ref: RefCoop, months: list[int]) -> None:
    coop = cooperative(ref)
    assert check_consistency(coop) == []
    closes: list[tuple[datetime.date, str, int, int]] = []
    balances = {act: ref.before[act][1] if act in ref.before else 0 for act in ref.activities}
    for m in months:
        month = Month(m // 12, m % 12 + 1)
        plan = plan_close(coop, ledger_figures(ref, closes), month)
        assert plan.problems == ()
        planned = {a.activity_id: a for a in plan.activities}
        for act in ref.activities:
            want = ref_month(ref, act, m, balances[act])
            got = planned.get(act)
            if got is None:  # left out of the plan: nothing to book, and nothing to show
                assert want["contribution"] == 0 and not want["pays"] and want["opening"] == 0, (month, act)
            else:
                where = f"{month} {act}"
                assert got.opening_balance == dec(want["opening"]), where
                assert got.contribution == dec(want["contribution"]), where
                pays = {
                    p.member_id: (p.gross, p.employer_contributions, p.employee_contributions, p.net, p.cost)
                    for p in got.members
                }
                assert pays == {k: tuple(dec(c) for c in v) for k, v in want["pays"].items()}, where
                assert got.closing_balance == dec(want["closing"]), where
                assert got.advance == dec(want["advance"]), where
            balances[act] = want["closing"]
            salary = sum(p[4] for p in want["pays"].values())
            if want["contribution"] or salary:
                closes.append((month.last_day, act, want["contribution"], salary))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(cooperatives())
def test_plan_close_matches_the_reference_model(drawn):
    ref, months = drawn
    check_against_model(ref, months)


# -------------------- the model's own sanity (it must be right too)


def test_reference_model_rounding_and_brackets():
    assert half_up(Fraction(33325, 1000)) == 3333 and half_up(Fraction(-33325, 1000)) == -3333
    assert half_up(Fraction(33324, 1000)) == 3332 and half_up(Fraction(5, 1000)) == 1
    tiers = [(100_000, Fraction(1, 10)), (300_000, Fraction(5, 100)), (None, Fraction(2, 100))]
    assert (
        brackets(tiers, 230_000) == 165
        and brackets(tiers, 330_000) == 206
        and brackets(tiers, -50_000) == -50
    )
    assert is_exempt_ref(datetime.date(2026, 3, 10), 2, ym(datetime.date(2026, 5, 1)))
    assert not is_exempt_ref(datetime.date(2026, 3, 1), 2, ym(datetime.date(2026, 5, 1)))


def test_reference_model_on_the_worked_example():
    """DESIGN §5's example through the model and the code: 1752.00 / −832.00 / 299.92."""
    oct_ = 2026 * 12 + 9
    start = datetime.date(2024, 9, 1)
    ref = RefCoop(
        contribution=[
            {"start": datetime.date(2024, 1, 1), "rate": Fraction(1, 10), "tiers": None, "exempt": 0}
        ],
        payroll=[
            {"start": datetime.date(2024, 1, 1), "employer": Fraction(42, 100), "employee": Fraction(22, 100)}
        ],
        activities={
            a: {"override": None, "started": None} for a in ("BoisNomade", "AtelierCommun", "DanDesign")
        },
        members=[
            RefMember("alice", "BoisNomade", start, start, None, [{"start": start, "gross": 190_000}], {}),
            RefMember("bob", "AtelierCommun", start, start, None, [{"start": start, "gross": 130_000}], {}),
            RefMember("chloe", "AtelierCommun", start, start, None, [{"start": start, "gross": 80_000}], {}),
            RefMember("dan", "DanDesign", datetime.date(2026, 1, 5), None, None, [], {}),
        ],
    )
    ref.before = {
        "BoisNomade": (datetime.date(2026, 1, 1), 120_000),
        "AtelierCommun": (datetime.date(2026, 1, 1), -10_000),
    }
    ref.entries = {
        "BoisNomade": {
            oct_: [
                (datetime.date(2026, 10, 5), "revenue", 400_000),
                (datetime.date(2026, 10, 6), "expenses", 35_000),
            ]
        },
        "AtelierCommun": {oct_: [(datetime.date(2026, 10, 5), "revenue", 250_000)]},
        "DanDesign": {oct_: [(datetime.date(2026, 10, 5), "revenue", 33_325)]},
    }
    closings = {
        act: ref_month(ref, act, oct_, ref.before.get(act, (None, 0))[1])["closing"] for act in ref.activities
    }
    assert closings == {"BoisNomade": 175_200, "AtelierCommun": -83_200, "DanDesign": 29_992}
    check_against_model(ref, [oct_])
