"""The Fichier des écritures comptables (FEC, article A47 A-1 of the Livre des procédures fiscales).

Pure functions from plain transactions (``FecTxn``, made from the Beancount ledger by ``app.fec``) to the
18 legal columns, one line per posting. Decisions (documented in docs/fec.md):

- account numbers (``CompteNum``) from the French chart (PCG): ``pcg:`` metadata on the account's ``open``
  directive, else ``DEFAULT_CHART`` below (coopctl's ledger conventions); an account used by the year's
  entries with neither is an error naming it, with its ``open`` directive's file and line;
- auxiliary accounts (``CompAuxNum``/``CompAuxLib``) for third parties only: customers per activity
  (411), suppliers (401), members (claims, capital, current accounts);
- journals: ``journal:`` metadata on the transaction, else by the chart numbers it posts to (``journal_of``);
  the year's opening balances are journal AN, dated 1 January;
- coopctl's year-close entries (income and expenses carried into the reserves) are not in the FEC: the
  administration wants the accounts of classes 6 and 7 to show the year's result. The surplus split
  decided by the general assembly is an ordinary entry (journal OD);
- ``EcritureNum`` runs 1, 2, 3… over the whole file in date order, AN first; ``ValidDate`` is the last
  day of the entry's month when that month is closed (close-month makes it final), else the entry's date.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from coopctl.domain.money import CENT, ZERO
from coopctl.domain.problems import N_, Problem

COLUMNS = (
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
)

JOURNALS = {
    "AN": "À-nouveaux",
    "VT": "Ventes",
    "HA": "Achats",
    "BQ": "Banque",
    "PA": "Paie",
    "OD": "Opérations diverses",
}

# What an account component stands for in a pattern of DEFAULT_CHART.
ACTIVITY, MEMBER, NAME = "<activity>", "<member>", "<name>"

# coopctl's conventions (DESIGN §4) and common sub-accounts, mapped to the French chart (PCG). A pattern's
# components match one account component each; ``<activity>``, ``<member>`` and ``<name>`` match any one
# component (an activity, a member, a third party's name) and give the auxiliary account; ``...`` at the end
# matches any further components. The first pattern that matches wins. ``pcg:`` metadata overrides it all.
DEFAULT_CHART: tuple[tuple[str, str, str], ...] = (
    ("Assets:Bank:...", "512", "Banques"),
    ("Assets:Cash:...", "530", "Caisse"),
    ("Assets:Receivable:<activity>:...", "411", "Clients"),
    ("Assets:Suspense:...", "471", "Compte d'attente"),
    ("Liabilities:Suspense:...", "471", "Compte d'attente"),
    ("Liabilities:VAT:Collected:...", "44571", "TVA collectée"),
    ("Liabilities:VAT:Deductible:Immobilisations", "44562", "TVA déductible sur immobilisations"),
    ("Liabilities:VAT:Deductible:...", "44566", "TVA déductible sur autres biens et services"),
    ("Liabilities:VAT:Credit", "44567", "Crédit de TVA à reporter"),
    ("Liabilities:VAT:Due", "44551", "TVA à décaisser"),
    ("Liabilities:Payroll:Net", "421", "Personnel - rémunérations dues"),
    ("Liabilities:Payroll:Social", "431", "Sécurité sociale"),
    ("Liabilities:Payable:ExpenseClaims:<member>", "421", "Personnel - rémunérations dues"),
    ("Liabilities:Payable:<name>:...", "401", "Fournisseurs"),
    ("Liabilities:Associates:<member>", "455", "Associés - comptes courants"),
    ("Equity:Capital:<member>", "1013", "Capital souscrit - appelé, versé"),
    ("Equity:Activity:<activity>", "1068", "Autres réserves"),
    ("Equity:Coop:Reserves", "106", "Réserves"),
    ("Equity:Coop:Result", "120", "Résultat de l'exercice"),
    ("Income:Activity:<activity>:...", "706", "Prestations de services"),
    ("Income:Coop:Contribution", "758", "Produits divers de gestion courante"),
    ("Income:Coop:Subvention", "740", "Subventions d'exploitation"),
    ("Income:Coop:Subventions", "740", "Subventions d'exploitation"),
    ("Expenses:Activity:<activity>:Contribution", "658", "Charges diverses de gestion courante"),
    ("Expenses:Activity:<activity>:Salary:Gross", "641", "Rémunérations du personnel"),
    ("Expenses:Activity:<activity>:Salary:Employer", "645", "Charges de sécurité sociale et de prévoyance"),
    ("Expenses:Activity:<activity>:Achats", "607", "Achats de marchandises"),
    ("Expenses:Activity:<activity>:Purchases", "607", "Achats de marchandises"),
    ("Expenses:Activity:<activity>:Fournitures", "6068", "Autres matières et fournitures"),
    ("Expenses:Activity:<activity>:Supplies", "6068", "Autres matières et fournitures"),
    ("Expenses:Activity:<activity>:Subcontracting", "604", "Achats d'études et prestations de services"),
    ("Expenses:Activity:<activity>:SousTraitance", "604", "Achats d'études et prestations de services"),
    ("Expenses:Activity:<activity>:Materiel", "6063", "Fournitures d'entretien et de petit équipement"),
    ("Expenses:Activity:<activity>:Logiciels", "651", "Redevances pour logiciels"),
    ("Expenses:Activity:<activity>:Software", "651", "Redevances pour logiciels"),
    ("Expenses:Activity:<activity>:Deplacements", "6251", "Voyages et déplacements"),
    ("Expenses:Activity:<activity>:Travel", "6251", "Voyages et déplacements"),
    ("Expenses:Activity:<activity>:Mileage", "6251", "Voyages et déplacements"),
    ("Expenses:Activity:<activity>:Repas", "6256", "Missions"),
    ("Expenses:Activity:<activity>:Meals", "6256", "Missions"),
)

# the numbers whose lines name an auxiliary account: customers (by activity), suppliers, members, reserves
AUX_NUMBERS = ("411", "401", "421", "455", "1013", "1068")

# labels of chart numbers that ``pcg:`` metadata may give (besides DEFAULT_CHART's); a longer number takes
# the label of its longest known prefix
PCG_LABELS = {
    "101": "Capital",
    "164": "Emprunts auprès des établissements de crédit",
    "2183": "Matériel de bureau et matériel informatique",
    "2154": "Matériel industriel",
    "401": "Fournisseurs",
    "404": "Fournisseurs d'immobilisations",
    "467": "Autres comptes débiteurs ou créditeurs",
    "601": "Achats stockés - matières premières",
    "604": "Achats d'études et prestations de services",
    "606": "Achats non stockés de matières et fournitures",
    "6061": "Fournitures non stockables (eau, énergie)",
    "6063": "Fournitures d'entretien et de petit équipement",
    "6064": "Fournitures administratives",
    "6068": "Autres matières et fournitures",
    "607": "Achats de marchandises",
    "611": "Sous-traitance générale",
    "613": "Locations",
    "6132": "Locations immobilières",
    "6135": "Locations mobilières",
    "615": "Entretien et réparations",
    "616": "Primes d'assurances",
    "622": "Rémunérations d'intermédiaires et honoraires",
    "6226": "Honoraires",
    "623": "Publicité, publications, relations publiques",
    "6251": "Voyages et déplacements",
    "626": "Frais postaux et de télécommunications",
    "627": "Services bancaires et assimilés",
    "641": "Rémunérations du personnel",
    "645": "Charges de sécurité sociale et de prévoyance",
    "706": "Prestations de services",
    "707": "Ventes de marchandises",
    "740": "Subventions d'exploitation",
}


def pcg_label(number: str) -> str | None:
    """The label of a chart number (or of its longest known prefix), from PCG_LABELS and DEFAULT_CHART."""
    known = dict(PCG_LABELS)
    for _pattern, default_number, label in DEFAULT_CHART:
        known.setdefault(default_number, label)
    for length in range(len(number), 2, -1):
        if number[:length] in known:
            return known[number[:length]]
    return None


PCG_RE = re.compile(r"[1-8][0-9]{2}[0-9A-Za-z]{0,17}")
# the accounts of the balance sheet (classes 1 to 5) are carried into the next year; 6 and 7 are not
BALANCE_SHEET_ROOTS = ("Assets", "Liabilities", "Equity")
RESULT_NUMBER, RESULT_LABEL = "120", "Résultat de l'exercice"


@dataclass(frozen=True)
class FecPosting:
    account: str
    amount: Decimal  # in the cooperative's currency (the posting's weight), debit positive
    foreign_amount: Decimal | None = None  # Montantdevise, when the posting's units are another currency
    foreign_currency: str | None = None


@dataclass(frozen=True)
class FecTxn:
    date: datetime.date
    narration: str
    postings: tuple[FecPosting, ...]
    payee: str | None = None
    journal: str | None = None  # ``journal:`` metadata
    piece: str | None = None  # ``invoice:`` (or ``piece:``) metadata, else a link
    file: str | None = None
    line: int | None = None
    opening: bool = False  # the year's opening balances (journal AN)


@dataclass(frozen=True)
class ChartEntry:
    number: str
    label: str
    aux_number: str = ""
    aux_label: str = ""


@dataclass(frozen=True)
class OpenAccount:
    """What an ``open`` directive says about an account: its ``pcg:`` metadata and where it is."""

    account: str
    pcg: str | None = None
    label: str | None = None  # ``pcg_label:`` metadata
    file: str | None = None
    line: int | None = None


@dataclass
class FecFile:
    year: int
    rows: list[str]  # one line per posting: its 18 fields (COLUMNS) joined by tabs
    entries: int
    journals: dict[str, tuple[int, Decimal]]  # code -> (entries, total debit)
    total_debit: Decimal
    total_credit: Decimal
    not_closed: list[str] = field(default_factory=list)  # months of the year with entries, not closed


def _match(pattern: str, account: str) -> dict[str, str] | None:
    want = pattern.split(":")
    have = account.split(":")
    rest = want[-1] == "..."
    if rest:
        want = want[:-1]
        if len(have) < len(want):
            return None
    elif len(have) != len(want):
        return None
    found: dict[str, str] = {}
    for w, h in zip(want, have):
        if w in (ACTIVITY, MEMBER, NAME):
            found[w] = h
        elif w != h:
            return None
    return found


def chart_entry(
    account: str,
    opened: OpenAccount | None,
    activity_names: dict[str, str],
    member_names: dict[str, str],
) -> ChartEntry | None:
    """The PCG number, label and auxiliary account of ``account``, or None when it has none."""
    default: tuple[str, str, dict[str, str]] | None = None
    for pattern, number, label in DEFAULT_CHART:
        found = _match(pattern, account)
        if found is not None:
            default = (number, label, found)
            break
    aux_number = aux_label = ""
    if default is not None:
        found = default[2]
        if ACTIVITY in found:
            aux_number, aux_label = found[ACTIVITY], activity_names.get(found[ACTIVITY], found[ACTIVITY])
        elif MEMBER in found:
            aux_number, aux_label = found[MEMBER], member_names.get(found[MEMBER], found[MEMBER])
        elif NAME in found:
            aux_number = aux_label = found[NAME]
        if default[0] not in AUX_NUMBERS:
            aux_number = aux_label = ""  # auxiliary accounts for third parties and the activities' reserves
    if opened is not None and opened.pcg:
        label = opened.label or pcg_label(opened.pcg) or account
        keep_aux = default is not None and opened.pcg[:3] == default[0][:3]
        return ChartEntry(opened.pcg, label, aux_number if keep_aux else "", aux_label if keep_aux else "")
    if default is None:
        return None
    return ChartEntry(default[0], default[1], aux_number, aux_label)


def bad_pcg(opened: dict[str, OpenAccount]) -> list[Problem]:
    """``pcg:`` metadata that is not a French chart number (three digits of a class 1 to 8, then up to 17
    digits or letters)."""
    return [
        Problem.of(
            "fec.bad_pcg",
            N_('{account}: pcg: "{pcg}" is not a French chart number (3 digits, then digits or letters)'),
            file=o.file,
            line=o.line,
            account=o.account,
            pcg=o.pcg,
        )
        for o in opened.values()
        if o.pcg is not None and not PCG_RE.fullmatch(o.pcg)
    ]


def journal_of(numbers: list[str]) -> str:
    """The journal of an entry by the chart numbers it posts to: payroll (64), sales (70), purchases (other
    charges of class 6, but 658, 68 and 69), bank (51, 53), else miscellaneous."""
    if any(n.startswith("64") for n in numbers):
        return "PA"
    if any(n.startswith("70") for n in numbers):
        return "VT"
    if any(n[:1] == "6" and n[:2] not in ("64", "68", "69") and n[:3] != "658" for n in numbers):
        return "HA"  # purchases and external charges (not the contributions between activity and coop)
    if any(n[:2] in ("51", "53") for n in numbers):
        return "BQ"
    return "OD"


def opening_txn(year: int, balances: dict[str, Decimal]) -> FecTxn | None:
    """The year's opening entry (AN), 1 January: each balance-sheet account's balance at the end of the year
    before; what income and expense accounts still hold (a year coopctl did not close) is brought forward
    as the result awaiting allocation (120)."""
    postings = [
        FecPosting(account, amount)
        for account, amount in sorted(balances.items())
        if amount and account.split(":", 1)[0] in BALANCE_SHEET_ROOTS
    ]
    unallocated = sum(
        (a for acc, a in balances.items() if acc.split(":", 1)[0] not in BALANCE_SHEET_ROOTS), ZERO
    )
    if unallocated:
        postings.append(FecPosting("", unallocated))  # "" stands for RESULT_NUMBER
    if not postings:
        return None
    return FecTxn(
        datetime.date(year, 1, 1),
        f"À-nouveaux {year}",
        tuple(postings),
        journal="AN",
        piece=f"AN{year}",
        opening=True,
    )


def fec_amount(value: Decimal) -> str:
    """1234.5 -> "1234,50": two decimals, a decimal comma, no thousands separator."""
    return f"{value.quantize(CENT):f}".replace(".", ",")


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]+")


def _text(value: str | None) -> str:
    """A field's text: no tab, carriage return or line feed (they separate fields and records), and no
    other control or invisible character (a NUL, a terminal escape, a direction override) from the ledger's
    strings: each becomes a space."""
    return " ".join(_CONTROL_RE.sub(" ", value or "").split())


def unmapped(
    txns: list[FecTxn],
    opened: dict[str, OpenAccount],
    activity_names: dict[str, str],
    member_names: dict[str, str],
) -> list[Problem]:
    """One problem per account used by ``txns`` that has no chart number, at its ``open`` directive."""
    used = sorted({p.account for t in txns for p in t.postings if p.account})
    problems = []
    for account in used:
        if chart_entry(account, opened.get(account), activity_names, member_names) is None:
            where = opened.get(account)
            problems.append(
                Problem.of(
                    "fec.unmapped",
                    N_(
                        "account {account} has no French chart number (PCG) for the FEC: "
                        'add pcg: "NNN" to its open directive'
                    ),
                    file=where.file if where else None,
                    line=where.line if where else None,
                    account=account,
                )
            )
    return problems


def unbalanced(txns: list[FecTxn]) -> list[Problem]:
    return [
        Problem.of(
            "fec.unbalanced",
            N_("this entry does not balance to the cent in the cooperative's currency ({rest})"),
            file=t.file,
            line=t.line,
            rest=f"{sum((p.amount.quantize(CENT) for p in t.postings), ZERO)}",
        )
        for t in txns
        if sum((p.amount.quantize(CENT) for p in t.postings), ZERO) != 0
    ]


def build_fec(
    year: int,
    txns: list[FecTxn],
    opened: dict[str, OpenAccount],
    activity_names: dict[str, str],
    member_names: dict[str, str],
    closed_months: set[tuple[int, int]],
) -> FecFile:
    """The FEC's lines (the 18 fields of ``COLUMNS`` joined by tabs), in order; ``txns`` are already checked
    (``unmapped``, ``unbalanced``) and sorted, the opening first."""
    rows: list[str] = []
    journals: dict[str, tuple[int, Decimal]] = {}
    total_debit = total_credit = ZERO
    not_closed: set[str] = set()
    number = 0
    known: dict[str, ChartEntry | None] = {"": ChartEntry(RESULT_NUMBER, RESULT_LABEL)}
    for txn in txns:
        postings = [p for p in txn.postings if p.amount.quantize(CENT)]
        if not postings:
            continue
        for p in postings:
            if p.account not in known:
                known[p.account] = chart_entry(p.account, opened.get(p.account), activity_names, member_names)
        entries = [known[p.account] for p in postings]
        assert all(e is not None for e in entries)
        charts = [e for e in entries if e is not None]
        # journal: metadata is text of the ledger's: a tab or a line break in it would shift the columns
        code = _text(txn.journal or journal_of([c.number for c in charts]))[:10]
        number += 1
        day = txn.date.strftime("%Y%m%d")
        closed = (txn.date.year, txn.date.month) in closed_months
        if not txn.opening and not closed:
            not_closed.add(txn.date.strftime("%Y-%m"))
        if closed and not txn.opening:
            next_month = datetime.date(txn.date.year + txn.date.month // 12, txn.date.month % 12 + 1, 1)
            valid = (next_month - datetime.timedelta(days=1)).strftime("%Y%m%d")
        else:
            valid = day
        label = _text(" — ".join(x for x in (txn.payee, txn.narration) if x)) or code
        piece = _text(txn.piece) or str(number)
        debit_sum = ZERO
        for posting, chart in zip(postings, charts):
            amount = posting.amount.quantize(CENT)
            debit, credit = (amount, ZERO) if amount > 0 else (ZERO, -amount)
            debit_sum += debit
            total_debit += debit
            total_credit += credit
            rows.append(
                "\t".join(
                    (
                        code,  # JournalCode
                        JOURNALS.get(code, code),  # JournalLib
                        str(number),  # EcritureNum
                        day,  # EcritureDate
                        chart.number,  # CompteNum
                        _text(chart.label),  # CompteLib
                        _text(chart.aux_number),  # CompAuxNum
                        _text(chart.aux_label),  # CompAuxLib
                        piece,  # PieceRef
                        day,  # PieceDate
                        label,  # EcritureLib
                        fec_amount(debit),  # Debit
                        fec_amount(credit),  # Credit
                        "",  # EcritureLet
                        "",  # DateLet
                        valid,  # ValidDate
                        fec_amount(abs(posting.foreign_amount))
                        if posting.foreign_amount is not None
                        else "",  # Montantdevise
                        posting.foreign_currency or "",  # Idevise
                    )
                )
            )
        count, total = journals.get(code, (0, ZERO))
        journals[code] = (count + 1, total + debit_sum)
    return FecFile(year, rows, number, journals, total_debit, total_credit, sorted(not_closed))


def fec_text(fec: FecFile) -> str:
    """The file: the header line of the 18 field names, then one line per posting; fields separated by a
    tab, records by a line feed (the article allows "Retour chariot et/ou Fin de ligne")."""
    return "\n".join(["\t".join(COLUMNS), *fec.rows]) + "\n"


def fec_file_name(siren: str, year: int) -> str:
    """The name article A47 A-1 gives the file: SIREN, "FEC", the closing date (AAAAMMJJ)."""
    return f"{siren}FEC{year}1231.txt"
