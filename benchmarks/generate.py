"""Generate a deterministic synthetic cooperative for benchmarks (DESIGN's formats).

    python benchmarks/generate.py DIR [--members 400] [--activities 370] [--months 12]
                                      [--per-month 20] [--year 2025] [--years 1] [--closed N]

One ledger file per month (invoices with VAT, client payments, supplier expenses, a few
credit notes, the cooperative's own costs, salary payments), some collective activities
(two members), some activities in deficit, and the first ``--closed`` months (default:
all but the last) closed by coopctl itself. ``--members 10000`` gives a federation's scale
(activities default to 92.5% of members, as at Coopaname: 370 for 400).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

CLIENTS = [
    "Mairie",
    "Association",
    "SCOP",
    "Librairie",
    "Café",
    "Agence",
    "Particulier",
    "Collège",
    "Théâtre",
    "Biocoop",
]


def activity_id(i: int) -> str:
    return f"Act{i:05d}"


def write_config(
    root: Path, members: int, activities: int, year: int, rng: random.Random
) -> list[tuple[str, str, bool]]:
    """Write config/*.yaml; return (member id, activity id, salaried) for each member."""
    (root / "config").mkdir(parents=True, exist_ok=True)
    establishments = max(1, activities // 60)
    (root / "config" / "coop.yaml").write_text(
        f'name: "Coopérative synthétique ({members} membres)"\ncurrency: EUR\n'
        "ledger: ledgers/main.beancount\n"
        "establishments:\n"
        + "".join(f'  - {{id: etab-{e:02d}, name: "Établissement {e}"}}\n' for e in range(establishments))
        + "tutors:\n"
        + "".join(
            f'  - {{id: tutor{t:02d}, name: "Accompagnateur {t}"}}\n' for t in range(max(1, members // 40))
        )
        + f'contribution:\n  - {{from: {year - 1}-01-01, rate: "0.10"}}\n'
        + "payroll:\n"
        f'  - {{from: {year - 1}-01-01, smic_hourly: "12.02", employer_rate: "0.42", employee_rate: '
        '"0.22"}\n',
        encoding="utf-8",
    )
    acts = [
        f'  - {{id: {activity_id(i)}, name: "Activité {i}", establishment: etab-{i % establishments:02d}}}\n'
        for i in range(activities)
    ]
    (root / "config" / "activities.yaml").write_text("activities:\n" + "".join(acts), encoding="utf-8")
    out, lines = [], ["members:\n"]
    tutors = max(1, members // 40)
    for m in range(members):
        act = activity_id(
            m if m < activities else rng.randrange(activities)
        )  # the rest join existing activities
        salaried = rng.random() < 0.7
        member_id = f"m{m:05d}"
        lines.append(
            f'  - id: {member_id}\n    name: "Membre {m}"\n    email: {member_id}@example.org\n'
            f"    activity: {act}\n"
            f"    tutor: tutor{m % tutors:02d}\n    joined: {year - 2}-01-01\n"
        )
        if salaried:
            gross = 1850 + rng.randrange(0, 1200)
            lines.append(
                f"    cesa_from: {year - 1}-01-01\n    salary:\n"
                f'      - {{from: {year - 1}-01-01, gross: "{gross}.00", hours: "151.67"}}\n'
            )
        out.append((member_id, act, salaried))
    (root / "config" / "members.yaml").write_text("".join(lines), encoding="utf-8")
    return out


def txn(day: datetime.date, payee: str, narration: str, postings: list[tuple[str, Decimal]]) -> str:
    return f'{day} * "{payee}" "{narration}"\n' + "".join(f"  {a}  {x} EUR\n" for a, x in postings) + "\n"


def month_file(
    year: int, month: int, activities: int, per_month: int, deficit: set[int], rng: random.Random
) -> str:
    days = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    out = [f"; synthetic entries of {year}-{month:02d}\n\n"]
    invoices = max(1, per_month * 2 // 5)
    payments = max(1, per_month * 7 // 20)
    expenses = max(1, per_month - invoices - payments)
    for i in range(activities):
        act = activity_id(i)
        scale = 60 if i in deficit else 260
        for k in range(invoices):
            ht = Decimal(rng.randrange(scale, scale * 4) * 100 // 100) + Decimal(rng.randrange(0, 100)) / 100
            vat = (ht * Decimal("0.20")).quantize(Decimal("0.01"))
            day = datetime.date(year, month, rng.randrange(1, days + 1))
            credit = rng.random() < 0.01
            sign = -1 if credit else 1
            out.append(
                txn(
                    day,
                    rng.choice(CLIENTS),
                    ("Avoir" if credit else "Facture") + f" {act}-{month:02d}-{k}",
                    [
                        (f"Assets:Receivable:{act}", sign * (ht + vat)),
                        (f"Income:Activity:{act}", -sign * ht),
                        ("Liabilities:VAT:Collected", -sign * vat),
                    ],
                )
            )
        for k in range(payments):
            amount = Decimal(rng.randrange(scale, scale * 4)) * Decimal("1.2")
            day = datetime.date(year, month, rng.randrange(1, days + 1))
            out.append(
                txn(
                    day,
                    rng.choice(CLIENTS),
                    f"Règlement {act}-{k}",
                    [("Assets:Bank:Main", amount), (f"Assets:Receivable:{act}", -amount)],
                )
            )
        for k in range(expenses):
            ht = Decimal(rng.randrange(20, 200)) + Decimal(rng.randrange(0, 100)) / 100
            vat = (ht * Decimal("0.20")).quantize(Decimal("0.01"))
            day = datetime.date(year, month, rng.randrange(1, days + 1))
            out.append(
                txn(
                    day,
                    "Fournisseur",
                    f"Achats {act}-{k}",
                    [
                        (f"Expenses:Activity:{act}:Purchases", ht),
                        ("Liabilities:VAT:Deductible", vat),
                        ("Assets:Bank:Main", -(ht + vat)),
                    ],
                )
            )
    out.append(
        txn(
            datetime.date(year, month, 5),
            "Coopérative",
            "Équipe d'accompagnement",
            [
                ("Expenses:Coop:Staff", Decimal(activities * 90)),
                ("Assets:Bank:Main", -Decimal(activities * 90)),
            ],
        )
    )
    return "".join(out)


def generate(
    root: Path,
    members: int,
    activities: int,
    months: int,
    per_month: int,
    year: int,
    closed: int | None,
    years: int = 1,
) -> None:
    rng = random.Random(20261128)
    write_config(root, members, activities, year, rng)
    ledgers = root / "ledgers"
    years_list = [year + k for k in range(years)]
    for y in years_list:
        (ledgers / str(y)).mkdir(parents=True, exist_ok=True)
    opened = [
        "Assets:Bank:Main",
        "Liabilities:VAT:Collected",
        "Liabilities:VAT:Deductible",
        "Equity:Coop:Reserves",
        "Expenses:Coop:Staff",
        "Income:Coop:Contribution",
        "Liabilities:Payroll:Net",
        "Liabilities:Payroll:Social",
    ]
    for i in range(activities):
        act = activity_id(i)
        opened += [
            f"Assets:Receivable:{act}",
            f"Income:Activity:{act}",
            f"Equity:Activity:{act}",
            f"Expenses:Activity:{act}:Purchases",
            f"Expenses:Activity:{act}:Contribution",
            f"Expenses:Activity:{act}:Salary:Gross",
            f"Expenses:Activity:{act}:Salary:Employer",
        ]
    (ledgers / "accounts.beancount").write_text(
        "".join(f"{year - 2}-01-01 open {a} EUR\n" for a in opened), encoding="utf-8"
    )
    reserves = [(activity_id(i), Decimal(rng.randrange(0, 8000))) for i in range(activities)]
    opening = [(f"Equity:Activity:{a}", -r) for a, r in reserves] + [
        ("Equity:Coop:Reserves", Decimal("-100000"))
    ]
    opening.append(("Assets:Bank:Main", -sum((x for _, x in opening), Decimal(0))))
    # the opening belongs to the first year (its folder): a later year loads alone without it
    (ledgers / str(year) / f"{year}-00-opening.beancount").write_text(
        txn(datetime.date(year, 1, 1), "Coopérative", "Report à nouveau", opening), encoding="utf-8"
    )
    includes = "".join(f'include "{y}/*.beancount"\n' for y in years_list)
    (ledgers / "main.beancount").write_text(
        'option "title" "Coopérative synthétique"\noption "operating_currency" "EUR"\n\n'
        f'include "accounts.beancount"\n{includes}',
        encoding="utf-8",
    )
    deficit = set(rng.sample(range(activities), max(1, activities // 12)))
    for y in years_list:
        for month in range(1, months + 1):
            (ledgers / str(y) / f"{y}-{month:02d}.beancount").write_text(
                month_file(y, month, activities, per_month, deficit, rng), encoding="utf-8"
            )
    total = months * years
    closed = total - 1 if closed is None else closed
    if closed:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from coopctl.app import commands as service
        from coopctl.domain.months import Month

        for index in range(closed):
            y, month = years_list[index // months], index % months + 1
            started = time.perf_counter()
            service.close_month(root, Month(y, month), dry_run=False, today=datetime.date.today())
            print(f"closed {y}-{month:02d} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
            if month == 12 and months == 12:
                started = time.perf_counter()
                service.close_year(
                    root,
                    y,
                    dry_run=False,
                    apply_surplus=False,
                    surplus_date=None,
                    today=datetime.date.today(),
                )
                print(f"closed the year {y} in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--members", type=int, default=400)
    parser.add_argument("--activities", type=int, default=None)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--per-month", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument(
        "--years",
        type=int,
        default=1,
        help="years of ledger, each in its folder; each December "
        "closed is followed by close-year, so that the last year's closes load it alone",
    )
    parser.add_argument(
        "--closed", type=int, default=None, help="months to close (default: all but the last)"
    )
    args = parser.parse_args()
    activities = args.activities or max(1, round(args.members * 370 / 400))
    generate(
        args.root, args.members, activities, args.months, args.per_month, args.year, args.closed, args.years
    )
    print(
        f"generated {args.root}: {args.members} members, {activities} activities, {args.years} × "
        f"{args.months} months"
    )


if __name__ == "__main__":
    main()
