"""Build the sample cooperative at the repository root (config/ and ledgers/).

Deterministic: the same script gives the same bytes. It writes the config, then
each month's source ledger (invoices with VAT, client payments, supplier
expenses, the cooperative's own costs, a subsidy, a credit note, and the
payment of the previous month's salaries and social contributions), and closes
its months with coopctl itself: October to December 2025 (the cooperative moved
its books to coopctl in October 2025), then the year 2025 with close-year (2026
opens from the reserves), then January to September 2026. October 2026 stays open.

    python scripts/build_sample.py [--root DIR]
"""

from __future__ import annotations

import argparse
import datetime
import random
import shutil
from decimal import Decimal
from pathlib import Path

from coopctl.app import commands as service
from coopctl.app.claims import import_claims
from coopctl.domain.money import fmt_amount, round_cent
from coopctl.domain.months import Month

COOP = """\
# Coopérative Exemple: the sample cooperative shipped with coopctl.
name: "Coopérative Exemple — CAE d'Île-de-France"
currency: EUR
ledger: ledgers/main.beancount
establishments:                    # contribution_rates: the establishment's own rates of payroll lines, dated
  - id: paris-11
    name: "Paris 11e"
    contribution_rates:
      - {from: 2026-01-01, code: at_mp, employer: "0.009"}           # the rate notified for 2026
      - {from: 2026-01-01, code: versement_mobilite, employer: "0.032"}  # Paris
  - id: montreuil
    name: "Montreuil"
    contribution_rates:
      - {from: 2026-01-01, code: at_mp, employer: "0.0151"}
  - id: saint-denis
    name: "Saint-Denis"
    contribution_rates:
      - {from: 2026-01-01, code: at_mp, employer: "0.009"}
tutors:
  - {id: mlefevre, name: "Marie Lefèvre", email: marie.lefevre@coop-exemple.fr}
  - {id: kdiallo, name: "Karim Diallo", email: karim.diallo@coop-exemple.fr}
  - {id: snguyen, name: "Sophie Nguyen", email: sophie.nguyen@coop-exemple.fr}
contribution:                      # an activity may override it (contribution_rate, or its own schedule)
  - {from: 2024-01-01, rate: "0.10"}
  - from: 2026-01-01               # degressive brackets on the calendar year-to-date revenue (excl. VAT)
    tiers:                         # marginal rates; the last bracket has no bound
      - {up_to: "35000.00", rate: "0.10"}
      - {up_to: "45000.00", rate: "0.08"}
      - {rate: "0.06"}
    exempt_months: 2               # a new activity's first two whole months are free of contribution
payroll:
  - {from: 2024-01-01, smic_hourly: "11.65", employer_rate: "0.42", employee_rate: "0.22"}
  - {from: 2025-01-01, smic_hourly: "11.88", employer_rate: "0.42", employee_rate: "0.22"}
  # 2026: the payslip's contribution lines and the general reduction (RGDU), from docs/payroll-2026.yaml
  # (sources there). Each cooperative checks them against its own payslips: AT/MP rate (per establishment,
  # below), mutuelle, headcount-dependent rates (FNAL, training, versement mobilité, t_delta).
  - from: 2026-01-01
    smic_hourly: "12.02"                    # décret n° 2025-1228
    ceiling_monthly: "4005.00"              # plafond mensuel de la sécurité sociale, arrêté du 22/12/2025
    general_reduction: {t_min: "0.02", t_delta: "0.3781", exponent: "1.75"}   # under 50 employees
    contributions:
      - {code: maladie, base: gross, employer: "0.13"}
      - {code: csa, base: gross, employer: "0.003"}
      - {code: vieillesse_plafonnee, base: T1, employer: "0.0855", employee: "0.069"}
      - {code: vieillesse_deplafonnee, base: gross, employer: "0.0211", employee: "0.004"}
      - {code: allocations_familiales, base: gross, employer: "0.0525"}
      - {code: fnal, base: T1, employer: "0.001"}
      - {code: dialogue_social, base: gross, employer: "0.00016"}
      - {code: at_mp, base: gross, employer: "0.01"}          # each establishment sets its own below
      - {code: chomage, base: gross, employer: "0.04"}
      - {code: ags, base: gross, employer: "0.0025"}
      - {code: agirc_arrco_t1, base: T1, employer: "0.0601", employee: "0.0401"}
      - {code: agirc_arrco_t2, base: T2, employer: "0.1457", employee: "0.0972"}
      - {code: formation_professionnelle, base: gross, employer: "0.01"}
      - {code: taxe_apprentissage, base: gross, employer: "0.0068"}
      - {code: versement_mobilite, base: gross, employer: "0.0295"}
      - {code: csg_crds, base: csg, employee: "0.097"}
      - {code: mutuelle, employer_amount: "25.00", employee_amount: "25.00", in_csg_base: true}
treasury:
  advance_cap_months: 2            # an activity's advance may reach 2 months of its salary cost
surplus:                           # the split of the cooperative's own result, proposed at close-year
  legal_reserve: "0.15"            # at least 15%
  development_fund: "0.40"
  workers_share: "0.45"            # "part travail": at least 25%, shared among the year's employees
  dividends: "0.00"                # never more than the workers' share
  workers_share_basis: salary      # salary (gross paid in the year) | equal | hours
bank:                              # coopctl import bank: the statements of the cooperative's account
  account: Assets:Bank:Courant
  mapping: banque-coop             # the bank's own CSV export (e.g. samples/releve-2026-11.csv)
  mappings:
    banque-coop:
      encoding: latin-1
      delimiter: ";"
      skip_lines: 3                # the account's name, the period, a blank line
      date: "Date"
      date_format: "%d/%m/%Y"
      label: "Libellé"
      debit: "Débit"
      credit: "Crédit"
      decimal_comma: true
  rules:                           # the first that matches; other lines wait in Assets:Suspense
    - {contains: "LOYER", account: Expenses:Coop:Loyer}
    - {contains: "URSSAF", account: Liabilities:Payroll:Social}
    - {regex: "^VIR SALAIRES? EQUIPE", account: Expenses:Coop:Equipe}
claims:                            # members' expense claims (coopctl claims import, docs/claims.md)
  vat_account: Liabilities:VAT:Deductible
  categories:                      # the CSV's category -> the sub-account of Expenses:Activity:<A>
    travel: Deplacements
    meals: Repas
    supplies: Fournitures
    purchases: Achats
    software: Logiciels
    equipment: Materiel
    mileage: Deplacements
  mileage_category: mileage
  mileage:                         # barème kilométrique, cars (BOI-BAREME-000001): d x a + b, d the year's km
    - from: 2024-01-01             # the 2023 scale, reconducted for the incomes of 2024 and 2025
      horsepower:
        - cv_up_to: 3
          distances:
            - {up_to: 5000, a: "0.529"}
            - {up_to: 20000, a: "0.316", b: "1065.00"}
            - {a: "0.370"}
        - cv_up_to: 4
          distances:
            - {up_to: 5000, a: "0.606"}
            - {up_to: 20000, a: "0.340", b: "1330.00"}
            - {a: "0.407"}
        - cv_up_to: 5
          distances:
            - {up_to: 5000, a: "0.636"}
            - {up_to: 20000, a: "0.357", b: "1395.00"}
            - {a: "0.427"}
        - cv_up_to: 6
          distances:
            - {up_to: 5000, a: "0.665"}
            - {up_to: 20000, a: "0.374", b: "1457.00"}
            - {a: "0.447"}
        - distances:               # 7 CV and more
            - {up_to: 5000, a: "0.697"}
            - {up_to: 20000, a: "0.394", b: "1515.00"}
            - {a: "0.470"}
siren: "900001009"                     # names the FEC file (coopctl fec)
"""

MEMBERS = """\
# Les membres de la coopérative: phases (CAPE, CESA), sociétariat, avenants de salaire.
members:
  - id: alice
    name: "Alice Martin"
    email: alice.martin@exemple.org
    activity: BoisNomade
    tutor: mlefevre
    joined: 2024-03-01
    cesa_from: 2024-09-01
    associate_from: 2026-06-15
    salary:
      - {from: 2024-09-01, gross: "1500.00", hours: "120"}
      - {from: 2026-01-01, gross: "1900.00", hours: "151.67"}
    bonuses:
      - {month: 2026-10, gross: "800.00", note: "Prime exceptionnelle (chantier Café Le Zinc)"}
  - id: bob
    name: "Bob Durand"
    email: bob.durand@exemple.org
    activity: AtelierCommun
    tutor: kdiallo
    joined: 2024-10-01
    cesa_from: 2025-04-01
    salary:
      - {from: 2025-04-01, gross: "1300.00", hours: "100"}
  - id: chloe
    name: "Chloé Petit"
    email: chloe.petit@exemple.org
    activity: AtelierCommun
    tutor: kdiallo
    joined: 2024-10-01
    cesa_from: 2025-04-01
    associate_from: 2026-03-20
    salary:
      - {from: 2025-04-01, gross: "800.00", hours: "60"}
  - id: dan
    name: "Dan Moreau"
    email: dan.moreau@exemple.org
    activity: DanDesign
    tutor: mlefevre
    joined: 2026-05-04
  - id: emma
    name: "Emma Benali"
    email: emma.benali@exemple.org
    activity: TraductionsBenali
    tutor: snguyen
    joined: 2022-01-10
    cesa_from: 2022-07-01
    associate_from: 2024-05-15
    salary:
      - {from: 2022-07-01, gross: "1700.00", hours: "130"}
      - {from: 2025-01-01, gross: "2000.00", hours: "151.67"}
  - id: farid
    name: "Farid Haddad"
    email: farid.haddad@exemple.org
    activity: VeloCargo
    tutor: kdiallo
    joined: 2025-11-03
    cesa_from: 2026-04-15          # salarié à partir du 15 avril: avril est proratisé
    salary:
      - {from: 2026-04-15, gross: "1300.00", hours: "104"}
  - id: gaelle
    name: "Gaëlle Robin"
    email: gaelle.robin@exemple.org
    activity: JardinsPartages
    tutor: kdiallo
    joined: 2023-02-01
    cesa_from: 2023-09-01
    salary:
      - {from: 2023-09-01, gross: "1850.00", hours: "151.67"}
  - id: hugo
    name: "Hugo Lambert"
    email: hugo.lambert@exemple.org
    activity: StudioHugo
    tutor: mlefevre
    joined: 2023-01-09
    cesa_from: 2023-06-01
    left: 2026-06-19               # départ en cours d'année: juin est proratisé
    salary:
      - {from: 2023-06-01, gross: "1600.00", hours: "130"}
  - id: ines
    name: "Inès Fontaine"
    email: ines.fontaine@exemple.org
    activity: InesDev
    tutor: snguyen
    joined: 2021-09-01
    cesa_from: 2022-01-01
    associate_from: 2023-06-20
    salary:
      - {from: 2022-01-01, gross: "2300.00", hours: "151.67"}
      - {from: 2025-09-01, gross: "2600.00", hours: "151.67"}
    bonuses:                       # variable pay, paid out of the activity's own reserve
      - {month: 2026-06, gross: "1500.00", note: "Prime sur résultat du semestre"}
  - id: jules
    name: "Jules Mercier"
    email: jules.mercier@exemple.org
    activity: FormaJules
    tutor: snguyen
    joined: 2026-02-02
  - id: karima
    name: "Karima Saïdi"
    email: karima.saidi@exemple.org
    activity: KarimaTraiteur
    tutor: kdiallo
    joined: 2025-09-01
    cesa_from: 2026-07-01
    salary:
      - {from: 2026-07-01, gross: "1400.00", hours: "116"}
  - id: lea
    name: "Léa Garnier"
    email: lea.garnier@exemple.org
    activity: StudioBrume
    tutor: mlefevre
    joined: 2024-01-08
    cesa_from: 2024-06-01
    salary:
      - {from: 2024-06-01, gross: "1500.00", hours: "120"}
  - id: marc
    name: "Marc Vidal"
    email: marc.vidal@exemple.org
    activity: StudioBrume
    tutor: mlefevre
    joined: 2026-03-02
  - id: nora
    name: "Nora Aït-Ali"
    email: nora.aitali@exemple.org
    activity: NoraCeramique
    tutor: mlefevre
    joined: 2025-10-01
  - id: olivier
    name: "Olivier Roux"
    email: olivier.roux@exemple.org
    activity: ConseilOlivier
    tutor: snguyen
    joined: 2020-09-01
    cesa_from: 2021-01-01
    associate_from: 2022-01-01
    salary:
      - {from: 2021-01-01, gross: "2200.00", hours: "151.67"}
      - {from: 2026-07-01, gross: "2500.00", hours: "151.67"}   # avenant au 1er juillet
"""

ACTIVITIES = (
    """\
# Les activités (comptes analytiques) et leur établissement.
activities:
"""
    '  - {id: AtelierCommun, name: "Atelier Commun — couture et sérigraphie", establishment: montreuil, '
    'contribution_rate: "0.12"}\n'
    """\
  - {id: BoisNomade, name: "Bois Nomade — menuiserie", establishment: paris-11}
  - {id: ConseilOlivier, name: "Olivier Roux Conseil — RSE", establishment: saint-denis}
  - {id: DanDesign, name: "Dan Design — graphisme", establishment: paris-11}
  - {id: FormaJules, name: "Forma'Jules — formation bureautique", establishment: saint-denis}
  - {id: InesDev, name: "Inès Dev — développement web", establishment: saint-denis}
  - {id: JardinsPartages, name: "Jardins Partagés — paysagisme", establishment: montreuil}
  - {id: KarimaTraiteur, name: "Karima Traiteur — cuisine du Maghreb", establishment: montreuil}
  - {id: NoraCeramique, name: "Nora Céramique", establishment: paris-11}
  - {id: StudioBrume, name: "Studio Brume — design sonore", establishment: paris-11}
  - {id: StudioHugo, name: "Studio Hugo — photographie", establishment: paris-11}
  - {id: TraductionsBenali, name: "Traductions Benali", establishment: saint-denis}
  - {id: VeloCargo, name: "Vélo Cargo — réparation de vélos", establishment: montreuil}
"""
)

# activity: (opening reserve, revenue range per month (HT), first month, last month, expense range,
#            expense account, clients)
PROFILES = {
    "AtelierCommun": (
        "1500.00",
        (2400, 3900),
        1,
        10,
        (120, 380),
        "Achats",
        ["Ressourcerie Montreuil", "Mairie de Montreuil", "Boutique Les Fils"],
    ),
    "BoisNomade": (
        "4200.00",
        (3200, 5400),
        1,
        10,
        (250, 720),
        "Achats",
        ["M. et Mme Dupont", "Café Le Zinc", "Agence Habiter"],
    ),
    "ConseilOlivier": (
        "8300.00",
        (3600, 5200),
        1,
        10,
        (40, 160),
        "Deplacements",
        ["SCOP Énergie Citoyenne", "Mutuelle Solidaire", "Ville de Saint-Denis"],
    ),
    "DanDesign": (
        "0.00",
        (150, 900),
        5,
        10,
        (0, 60),
        "Logiciels",
        ["Librairie La Virgule", "Association Quartiers Vivants"],
    ),
    "FormaJules": (
        "0.00",
        (300, 1200),
        2,
        10,
        (20, 90),
        "Fournitures",
        ["Pôle Emploi Formation", "Cabinet Médical du Parc"],
    ),
    "InesDev": (
        "9800.00",
        (5200, 7400),
        1,
        10,
        (60, 240),
        "Logiciels",
        ["Biocoop Saint-Denis", "Collectif Ouvert", "Startup Lumen"],
    ),
    "JardinsPartages": (
        "600.00",
        (1900, 3000),
        1,
        10,
        (180, 520),
        "Achats",
        ["Bailleur Seine-Habitat", "Copropriété Les Tilleuls", "École Jules-Vallès"],
    ),
    "KarimaTraiteur": (
        "2100.00",
        (1500, 3400),
        1,
        10,
        (400, 900),
        "Achats",
        ["Comité d'entreprise Transilien", "Mariage Benhamou", "Théâtre de la Girandole"],
    ),
    "NoraCeramique": (
        "350.00",
        (250, 1100),
        1,
        10,
        (60, 220),
        "Achats",
        ["Marché de créateurs", "Restaurant Terre & Feu"],
    ),
    "StudioBrume": (
        "2600.00",
        (2100, 3600),
        1,
        10,
        (90, 300),
        "Materiel",
        ["Radio Fréquence Paris", "Compagnie Théâtre Nomade", "Podcast Les Communs"],
    ),
    "StudioHugo": (
        "5100.00",
        (1800, 3300),
        1,
        5,
        (80, 260),
        "Materiel",
        ["Magazine Urbain", "Mairie du 11e"],
    ),
    "TraductionsBenali": (
        "6400.00",
        (2600, 4200),
        1,
        10,
        (30, 120),
        "Logiciels",
        ["Éditions du Levant", "Cabinet Avocats Roche", "ONG Passerelles"],
    ),
    "VeloCargo": (
        "0.00",
        (600, 2600),
        1,
        10,
        (150, 480),
        "Pieces",
        ["La Poste Montreuil", "Coursiers Solidaires", "Particuliers"],
    ),
}

COOP_RESERVE = Decimal("45000.00")
VAT = Decimal("0.20")
SALES_VAT = {"KarimaTraiteur": Decimal("0.10")}  # h17: vat. Catering is sold at the reduced rate of 10 %


def money(value: Decimal) -> str:
    return fmt_amount(value)


def txn(
    date: datetime.date,
    payee: str,
    narration: str,
    postings: list[tuple[str, Decimal]],
    meta: dict | None = None,
    links: list[str] | None = None,
) -> str:
    width = max(len(a) for a, _ in postings)
    amounts = [money(x) for _, x in postings]
    nw = max(len(a) for a in amounts)
    tail = "".join(f" ^{link}" for link in links or [])
    lines = [f'{date.isoformat()} * "{payee}" "{narration}"{tail}']
    lines += [f'  {k}: "{v}"' for k, v in (meta or {}).items()]
    lines += [f"  {a:<{width}}  {x:>{nw}} EUR" for (a, _), x in zip(postings, amounts)]
    return "\n".join(lines) + "\n"


def accounts_text() -> str:
    opened = [
        "Assets:Bank:Courant",
        "Liabilities:VAT:Deductible",
        "Liabilities:VAT:Collected",
        "Liabilities:Payroll:Net",
        "Liabilities:Payroll:Social",
        "Equity:Coop:Reserves",
        "Income:Coop:Contribution",
        "Income:Coop:Subvention",
        "Expenses:Coop:Equipe",
        "Expenses:Coop:Loyer",
        "Expenses:Coop:Assurances",
    ]
    for act, profile in PROFILES.items():
        opened += [
            f"Assets:Receivable:{act}",
            f"Income:Activity:{act}",
            f"Equity:Activity:{act}",
            f"Expenses:Activity:{act}:{profile[5]}",
            f"Expenses:Activity:{act}:Contribution",
            f"Expenses:Activity:{act}:Salary:Gross",
            f"Expenses:Activity:{act}:Salary:Employer",
        ]
    body = "; Plan de comptes de la coopérative (voir docs/formats.md, conventions du grand livre).\n\n"
    body += "".join(
        f"2020-01-01 open {a} EUR\n" + (f'  pcg: "{SAMPLE_PCG[a]}"\n' if a in SAMPLE_PCG else "")
        for a in sorted(opened)
    )
    return body


# h17: fec. The French chart numbers of the accounts coopctl's default map (docs/fec.md) does not know.
SAMPLE_PCG = {
    "Expenses:Coop:Equipe": "641",
    "Expenses:Coop:Loyer": "6132",
    "Expenses:Coop:Assurances": "616",
    "Expenses:Activity:VeloCargo:Pieces": "6068",
}


MAIN = """\
; Grand livre de la Coopérative Exemple.
option "title" "Coopérative Exemple — CAE d'Île-de-France"
option "operating_currency" "EUR"

; The cooperative's page in Fava (members' balances, the month, the treasury): pip install "coopctl[fava]"
2020-01-01 custom "fava-extension" "coopctl.fava"

include "accounts.beancount"
include "2025/*.beancount"
"""
FIRST = Month(2025, 10)  # the first month kept with coopctl


def active(act: str, first: int, last: int, month: Month) -> bool:
    """Whether an activity invoices in ``month`` (its profile's months are those of 2026)."""
    if month.year == 2025:
        return first == 1 and (act != "VeloCargo" or month.month >= 11)
    return first <= month.month <= last


def month_text(
    month: Month, rng: random.Random, pending: list, vat: dict, payroll_due: tuple[Decimal, Decimal] | None
) -> str:
    entries: list[tuple[datetime.date, str]] = []
    m = month.month
    if month == FIRST:
        postings = [
            (f"Equity:Activity:{act}", -Decimal(p[0])) for act, p in PROFILES.items() if Decimal(p[0])
        ]
        postings.append(("Equity:Coop:Reserves", -COOP_RESERVE))
        total = -sum((x for _, x in postings), Decimal(0))
        postings.append(("Assets:Bank:Courant", total))
        entries.append(
            (
                month.first_day,
                txn(
                    month.first_day,
                    "Coopérative Exemple",
                    "Reprise des soldes au 30 septembre 2025 (réserves des activités)",
                    postings,
                ),
            )
        )
    number = 0
    collected = Decimal(0)
    deductible = Decimal(0)
    for act, (_reserve, (lo, hi), first, last, (elo, ehi), exp_account, clients) in PROFILES.items():
        if not active(act, first, last, month):
            continue
        seasonal = Decimal("0.45") if act == "JardinsPartages" and m in (1, 2, 11, 12) else Decimal(1)
        count = rng.choice((1, 2, 2, 3))
        target = Decimal(rng.randrange(lo * 100, hi * 100)) / 100 * seasonal
        parts = [round_cent(target / count)] * count
        for k in range(count):
            number += 1
            ht = (parts[k] / 5).quantize(Decimal("0.1")) * 5
            tva = round_cent(ht * SALES_VAT.get(act, VAT))
            day = month.first_day + datetime.timedelta(days=rng.randrange(0, month.days - 3))
            client = rng.choice(clients)
            ref = f"F{month.year}{m:02d}-{number:03d}"
            entries.append(
                (
                    day,
                    txn(
                        day,
                        client,
                        f"Facture {ref}",
                        [
                            (f"Assets:Receivable:{act}", ht + tva),
                            (f"Income:Activity:{act}", -ht),
                            ("Liabilities:VAT:Collected", -tva),
                        ],
                        {"invoice": ref},
                    ),
                )
            )
            collected += tva
            # paid 20 to 45 days later, except the last invoices of a slow payer
            pay_day = day + datetime.timedelta(days=rng.randrange(20, 46))
            pending.append((pay_day, act, client, ref, ht + tva))
        spent = Decimal(rng.randrange(elo * 100, ehi * 100 + 1)) / 100
        if spent:
            tva = round_cent(spent * VAT)
            day = month.first_day + datetime.timedelta(days=rng.randrange(0, month.days))
            entries.append(
                (
                    day,
                    txn(
                        day,
                        "Fournisseur",
                        f"{exp_account} — {act}",
                        [
                            (f"Expenses:Activity:{act}:{exp_account}", spent),
                            ("Liabilities:VAT:Deductible", tva),
                            ("Assets:Bank:Courant", -(spent + tva)),
                        ],
                    ),
                )
            )
            deductible += tva
    credited = next(
        (
            k
            for k, p in enumerate(pending)
            if p[1] == "BoisNomade" and p[4] > 540 and p[0] > datetime.date(2026, 5, 22)
        ),
        None,
    )
    # a credit note on an unpaid invoice: the client pays it less
    if month == Month(2026, 5) and credited is not None:
        due, act, client, ref, ttc = pending[credited]
        ht, tva = Decimal("450.00"), Decimal("90.00")
        day = datetime.date(2026, 5, 22)
        entries.append(
            (
                day,
                txn(
                    day,
                    client,
                    f"Avoir AV2026-001 sur facture {ref} (chantier réduit)",
                    [
                        ("Assets:Receivable:BoisNomade", -(ht + tva)),
                        ("Income:Activity:BoisNomade", ht),
                        ("Liabilities:VAT:Collected", tva),
                    ],
                    {"invoice": ref, "credit_note": "AV2026-001"},
                    [ref],
                ),
            )
        )
        collected -= tva
        pending[credited] = (due, act, client, ref, ttc - (ht + tva))
    elif month == Month(2026, 5):  # a credit note: part of an invoice refunded
        ht, tva = Decimal("450.00"), Decimal("90.00")
        day = datetime.date(2026, 5, 22)
        entries.append(
            (
                day,
                txn(
                    day,
                    "Agence Habiter",
                    "Avoir AV2026-001 sur facture (chantier réduit)",
                    [
                        ("Assets:Receivable:BoisNomade", -(ht + tva)),
                        ("Income:Activity:BoisNomade", ht),
                        ("Liabilities:VAT:Collected", tva),
                    ],
                    {"invoice": "AV2026-001"},
                ),
            )
        )
        collected -= tva
        pending.append(
            (
                datetime.date(2026, 5, 22),
                "BoisNomade",
                "Agence Habiter",
                "AV2026-001 (remboursement)",
                -(ht + tva),
            )
        )
    # client payments due this month (of this month's invoices or earlier ones)
    still = []
    for due, act, client, ref, ttc in pending:
        if due <= month.last_day:
            entries.append(
                (
                    due,
                    txn(
                        due,
                        client,
                        f"Règlement {ref}",
                        [("Assets:Bank:Courant", ttc), (f"Assets:Receivable:{act}", -ttc)],
                        links=[ref] if ref.startswith("F") else None,
                    ),
                )
            )
        else:
            still.append((due, act, client, ref, ttc))
    pending[:] = still
    # the cooperative's own costs
    d = datetime.date(month.year, m, 5)
    entries.append(
        (
            d,
            txn(
                d,
                "Coopérative Exemple",
                f"Salaires de l'équipe d'accompagnement {month}",
                [("Expenses:Coop:Equipe", Decimal("2900.00")), ("Assets:Bank:Courant", Decimal("-2900.00"))],
            ),
        )
    )
    d = datetime.date(month.year, m, 1)
    entries.append(
        (
            d,
            txn(
                d,
                "SCI Les Ateliers",
                f"Loyer des locaux {month}",
                [("Expenses:Coop:Loyer", Decimal("850.00")), ("Assets:Bank:Courant", Decimal("-850.00"))],
            ),
        )
    )
    if month == Month(2025, 11):
        d = datetime.date(2025, 11, 20)
        entries.append(
            (
                d,
                txn(
                    d,
                    "Département de la Seine-Saint-Denis",
                    "Subvention d'accompagnement 2025",
                    [
                        ("Assets:Bank:Courant", Decimal("9000.00")),
                        ("Income:Coop:Subvention", Decimal("-9000.00")),
                    ],
                ),
            )
        )
    if month == Month(2026, 1):
        d = datetime.date(2026, 1, 15)
        entries.append(
            (
                d,
                txn(
                    d,
                    "MAIF",
                    "Assurance responsabilité civile 2026",
                    [
                        ("Expenses:Coop:Assurances", Decimal("1450.00")),
                        ("Assets:Bank:Courant", Decimal("-1450.00")),
                    ],
                ),
            )
        )
    if month == Month(2026, 3):
        d = datetime.date(2026, 3, 18)
        entries.append(
            (
                d,
                txn(
                    d,
                    "Région Île-de-France",
                    "Subvention d'accompagnement à l'entrepreneuriat 2026",
                    [
                        ("Assets:Bank:Courant", Decimal("18000.00")),
                        ("Income:Coop:Subvention", Decimal("-18000.00")),
                    ],
                ),
            )
        )
    if payroll_due is not None:
        net, social = payroll_due
        prev = month.previous()
        d = datetime.date(month.year, m, 3)
        entries.append(
            (
                d,
                txn(
                    d,
                    "Coopérative Exemple",
                    f"Virement des salaires nets {prev}",
                    [("Liabilities:Payroll:Net", net), ("Assets:Bank:Courant", -net)],
                ),
            )
        )
        d = datetime.date(month.year, m, 15)
        entries.append(
            (
                d,
                txn(
                    d,
                    "URSSAF",
                    f"Cotisations sociales {prev}",
                    [("Liabilities:Payroll:Social", social), ("Assets:Bank:Courant", -social)],
                ),
            )
        )
    if vat.get("due"):
        d = datetime.date(month.year, m, 19)
        due = vat["due"]
        entries.append(
            (
                d,
                txn(
                    d,
                    "DGFiP",
                    f"TVA {month.previous()}",
                    [
                        ("Liabilities:VAT:Collected", due[0]),
                        ("Liabilities:VAT:Deductible", -due[1]),
                        ("Assets:Bank:Courant", -(due[0] - due[1])),
                    ],
                ),
            )
        )
    vat["due"] = (collected, deductible)
    entries.sort(key=lambda e: e[0])
    head = f"; Écritures de {month} (factures, règlements, dépenses, frais de la coopérative).\n\n"
    return head + "\n".join(text for _, text in entries)


def french_amount(value: Decimal) -> str:
    """1234.5 as a French bank writes it: 1 234,50."""
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + "," + cents


def statement_text(pending: list) -> bytes:
    """samples/releve-2026-11.csv: the bank's CSV export for 1-20 November 2026 (latin-1, ';', a decimal
    comma, debit and credit columns): clients paying October's invoices (one in part), the rent, the team's
    salaries, and a card payment nothing explains (it waits in suspense)."""
    rows: list[tuple[datetime.date, str, Decimal]] = [
        (datetime.date(2026, 11, 2), "PRLV SEPA SCI LES ATELIERS LOYER NOVEMBRE", Decimal("-850.00")),
        (datetime.date(2026, 11, 5), "VIR SALAIRES EQUIPE 2026-11", Decimal("-2900.00")),
        (datetime.date(2026, 11, 12), "CB BUREAU VALLEE PARIS 11 10/11", Decimal("-63.90")),
    ]
    due = sorted(p for p in pending if p[0] <= datetime.date(2026, 11, 20))
    for k, (day, _act, client, ref, ttc) in enumerate(due):
        if k == 0:  # a client pays half now
            rows.append((day, f"VIR SEPA {client.upper()} ACOMPTE {ref}", round_cent(ttc / 2)))
        else:
            rows.append((day, f"VIR SEPA {client.upper()} {ref}", ttc))
    rows.sort(key=lambda r: r[0])
    lines = [
        "Compte courant Coopérative Exemple;FR76 1234 5000 0100 0000 0000 097;;",
        "Relevé du 01/11/2026 au 20/11/2026;;;",
        ";;;",
        "Date;Libellé;Débit;Crédit",
    ]
    for day, label, amount in rows:
        debit, credit = (french_amount(-amount), "") if amount < 0 else ("", french_amount(amount))
        lines.append(f"{day:%d/%m/%Y};{label};{debit};{credit}")
    return ("\r\n".join(lines) + "\r\n").encode("latin-1")


def build(root: Path, today: datetime.date) -> None:
    for name in ("config", "ledgers"):
        if (root / name).exists():
            shutil.rmtree(root / name)
    (root / "config").mkdir(parents=True)
    (root / "ledgers" / "2025").mkdir(parents=True)
    (root / "config" / "coop.yaml").write_text(COOP, encoding="utf-8")
    (root / "config" / "members.yaml").write_text(MEMBERS, encoding="utf-8")
    (root / "config" / "activities.yaml").write_text(ACTIVITIES, encoding="utf-8")
    (root / "ledgers" / "main.beancount").write_text(MAIN, encoding="utf-8")
    (root / "ledgers" / "accounts.beancount").write_text(accounts_text(), encoding="utf-8")
    rng = random.Random(2026)
    pending: list = []
    vat: dict = {}
    payroll_due = None
    month = FIRST
    while month <= Month(2026, 10):
        folder = root / "ledgers" / str(month.year)
        (folder / f"{month}.beancount").write_text(
            month_text(month, rng, pending, vat, payroll_due), encoding="utf-8"
        )
        if month <= Month(2026, 9):
            result = service.close_month(root, month, dry_run=False, today=today)
            totals = result.plan.totals
            payroll_due = (totals["net"], totals["social"])
        if month == Month(2025, 12):  # 2025 into the reserves; this makes ledgers/2026/ and includes it
            service.close_year(root, 2025, dry_run=False, apply_surplus=False, surplus_date=None, today=today)
        month = month.next()
    (root / "samples").mkdir(exist_ok=True)
    (root / "samples" / "releve-2026-11.csv").write_bytes(statement_text(pending))
    # October's expense claims, booked as a treasurer would: coopctl claims import (ledgers/claims/)
    claims = Path(__file__).resolve().parents[1] / "examples" / "claims-2026-10.csv"
    import_claims(root, claims, "examples/claims-2026-10.csv", dry_run=False, today=today)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    build(args.root, datetime.date.today())
    print(f"sample cooperative written to {args.root}")


if __name__ == "__main__":
    main()
