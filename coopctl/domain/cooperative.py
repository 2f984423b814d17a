"""The cooperative's configuration as validated values: the models of ``config/coop.yaml``, ``members.yaml``,
``activities.yaml``, dated schedules (``in_force``), and the cross-file rules (``check_consistency``).

Pydantic models that refuse unknown keys. Money and rates must be quoted decimal strings; a bare YAML
number is refused with a message saying to quote it. Cross-file rules (unique ids, references, dates in
order) are checked here, so that the rest of coopctl only ever sees a consistent cooperative. Reading the
files (YAML, line numbers, the cached copy) is ``store.configfile``'s.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Callable, ClassVar, Iterable, Literal, Sequence, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from coopctl.domain.money import D
from coopctl.domain.problems import N_, NotFound, Problem
from coopctl.domain.suggest import did_you_mean, nearest, source_phrase

# Matched whole (fullmatch, and \Z rather than $, which also matches before a final newline: "alice\n").
ACTIVITY_ID_RE = re.compile(r"[A-Z][A-Za-z0-9-]*\Z")
SHORT_ID_RE = re.compile(r"[a-z0-9][a-z0-9_.-]*\Z")  # establishments, tutors
MEMBER_ID_RE = re.compile(r"[a-z][a-z0-9_-]*\Z")
CURRENCY_RE = re.compile(r"[A-Z][A-Z0-9'._-]{0,22}[A-Z0-9]\Z")
BOMS = (
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
)  # UTF-8, UTF-16 LE, UTF-16 BE (and UTF-32 LE starts like 16 LE)
BOM_MESSAGE = N_("starts with a byte order mark (BOM); save it as UTF-8 without BOM")
MAX_AMOUNT = Decimal("10000000")  # ten million: anything above is a typo, not a salary


# --------------------------------------------------------------------------- value parsers


def invalid(code: str, template: str, **params: Any) -> PydanticCustomError:
    """A config error as Pydantic carries it: ``code``, the English ``template`` (marked ``N_``) and its
    parameters; ``store.configfile`` makes it a coded ``Problem`` the presentation layer words. The
    template travels in the context too (``template``): Pydantic's error dicts give the message formatted."""
    return PydanticCustomError(code, template, {**params, "template": template})


def _what(text: str) -> Problem:
    """A phrase inside a config message (``money``, ``a rate``), worded in the user's language too."""
    return Problem.of("config.what", text)


def _decimal_from_quoted(value: Any, what: Problem, example: str) -> Decimal:
    if isinstance(value, bool) or isinstance(value, (int, float)):
        raise invalid(
            "config.bare_number",
            N_('write {what} as a quoted decimal string, e.g. "{example}" (got the bare number {value})'),
            what=what,
            example=example,
            value=repr(value),
        )
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise invalid(
            "config.not_quoted",
            N_('write {what} as a quoted decimal string, e.g. "{example}"'),
            what=what,
            example=example,
        )
    try:
        return D(value)
    except (ValueError, TypeError):
        raise invalid(
            "config.not_decimal",
            N_('{value} is not a decimal number; write {what} like "{example}"'),
            value=repr(value),
            what=what,
            example=example,
        ) from None


def _money(value: Any) -> Decimal:
    amount = _decimal_from_quoted(value, _what(N_("money")), "1900.00")
    if amount < 0:
        raise invalid("config.amount_negative", N_("amount {amount} is negative"), amount=str(amount))
    if amount > MAX_AMOUNT:
        raise invalid(
            "config.amount_absurd",
            N_("amount {amount} is absurdly large (over {max})"),
            amount=str(amount),
            max=str(MAX_AMOUNT),
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise invalid(
            "config.amount_decimals", N_("amount {amount} has more than two decimals"), amount=str(amount)
        )
    return amount


def _rate(value: Any) -> Decimal:
    rate = _decimal_from_quoted(value, _what(N_("a rate")), "0.10")
    if not Decimal(0) <= rate <= Decimal(1):
        raise invalid(
            "config.rate_range", N_('rate {rate} is outside [0, 1]; write 10% as "0.10"'), rate=str(rate)
        )
    return rate


def _hours(value: Any) -> Decimal:
    if isinstance(value, float):
        raise invalid(
            "config.bare_number",
            N_('write {what} as a quoted decimal string, e.g. "{example}" (got the bare number {value})'),
            what=_what(N_("hours")),
            example="151.67",
            value=repr(value),
        )
    hours = (
        _decimal_from_quoted(value, _what(N_("hours")), "151.67")
        if not isinstance(value, int) or isinstance(value, bool)
        else Decimal(value)
    )
    if not Decimal(0) < hours <= Decimal(300):
        raise invalid(
            "config.hours_range",
            N_("hours {hours} must be more than 0 and at most 300 a month"),
            hours=str(hours),
        )
    return hours


def _ratio(value: Any) -> Decimal:
    ratio = _decimal_from_quoted(value, _what(N_("a ratio")), "1.00")
    if not Decimal(0) <= ratio <= Decimal(100):
        raise invalid("config.ratio_range", N_("ratio {ratio} is outside [0, 100]"), ratio=str(ratio))
    return ratio


Money = Annotated[Decimal, BeforeValidator(_money)]
Rate = Annotated[Decimal, BeforeValidator(_rate)]
Hours = Annotated[Decimal, BeforeValidator(_hours)]


# Characters that are not text: C0/C1 controls (an escape sequence repaints a terminal) and the bidirectional
# overrides and isolates (they make "alice" read as something else); refused in every text of the config.
_NOT_TEXT = frozenset(
    chr(c)
    for c in [
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200B,
        0x200C,
        0x200D,
        0xFEFF,
    ]
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        if isinstance(value, str):
            bad = next((c for c in value if c in _NOT_TEXT), None)
            if bad is not None:
                raise invalid(
                    "config.control_character",
                    N_("contains the invisible or control character {char}; write plain text"),
                    char=f"U+{ord(bad):04X}",
                )
        return value


# --------------------------------------------------------------------------- coop.yaml


class Establishment(_Model):
    id: str
    name: str
    # Per-establishment rates of payroll contribution lines (the AT/MP rate is set per establishment)
    contribution_rates: list["RateOverride"] = Field(default_factory=list)


class Tutor(_Model):
    id: str
    name: str
    email: str | None = None


class Tier(_Model):
    """One bracket of a degressive contribution: a marginal rate up to a year-to-date revenue."""

    up_to: Money | None = None
    rate: Rate


# Gross-margin contributions (issue 17, item 6): the expense sub-accounts of an activity that count as its
# purchases when a contribution phase says ``base: gross_margin``, unless it lists its own.
DEFAULT_PURCHASE_ACCOUNTS = ("Purchases", "Supplies", "Subcontracting")
_SUB_ACCOUNT_RE = re.compile(r"[A-Z][A-Za-z0-9-]*(:[A-Z][A-Za-z0-9-]*)*\Z")


class ContributionEntry(_Model):
    """A flat ``rate`` on the month's base, or marginal ``tiers`` on the year-to-date base.

    ``base``: ``revenue`` (the default) or ``gross_margin`` (revenue minus the activity's expenses on the
    ``purchase_accounts`` sub-accounts); ``fixed_monthly``: a fee charged on top each month that is not
    exempt (prorated by days in the activity's partial first month)."""

    start: datetime.date = Field(alias="from")
    rate: Rate | None = None
    tiers: list[Tier] | None = None
    exempt_months: int = Field(default=0, ge=0, le=120)
    base: Literal["revenue", "gross_margin"] = "revenue"
    fixed_monthly: Money | None = None
    purchase_accounts: list[str] | None = None  # under Expenses:Activity:<A>; base gross_margin only

    @model_validator(mode="after")
    def _one_rule(self) -> "ContributionEntry":
        if (self.rate is None) == (self.tiers is None):
            raise invalid("config.rate_or_tiers", N_("give either rate or tiers"))
        if self.purchase_accounts is not None:
            if self.base != "gross_margin":
                raise invalid(
                    "config.purchase_accounts_base",
                    N_("purchase_accounts is read only with base: gross_margin"),
                )
            if not self.purchase_accounts:
                raise invalid("config.purchase_accounts_empty", N_("purchase_accounts: give at least one"))
            for name in self.purchase_accounts:
                if not _SUB_ACCOUNT_RE.fullmatch(name) or name.split(":", 1)[0] in ("Contribution", "Salary"):
                    raise invalid(
                        "config.purchase_account",
                        N_(
                            "purchase_accounts: {name} is not a sub-account of an activity's expenses "
                            "(components start with an uppercase letter, e.g. Purchases or Supplies:Wood; "
                            "not Contribution or Salary)"
                        ),
                        name=repr(name),
                    )
        if self.tiers is not None:
            if not self.tiers:
                raise invalid("config.tiers_empty", N_("tiers: give at least one bracket"))
            maybe_bounds = [t.up_to for t in self.tiers[:-1]]
            bounds = [b for b in maybe_bounds if b is not None]
            if len(bounds) != len(maybe_bounds):
                raise invalid("config.tiers_open", N_("tiers: only the last bracket may have no up_to"))
            if self.tiers[-1].up_to is not None:
                raise invalid(
                    "config.tiers_last", N_("tiers: the last bracket has no up_to (it has no upper bound)")
                )
            if any(b2 <= b1 for b1, b2 in zip(bounds, bounds[1:])) or (bounds and bounds[0] <= 0):
                raise invalid(
                    "config.tiers_order",
                    N_("tiers: up_to must be positive and increase from one bracket to the next"),
                )
        return self


def _positive_ratio(value: Any) -> Decimal:
    ratio = _decimal_from_quoted(value, _what(N_("a ratio")), "1.6")
    if not Decimal(0) < ratio <= Decimal(20):
        raise invalid(
            "config.smic_ratio_range",
            N_("ratio {ratio} must be more than 0 and at most 20"),
            ratio=str(ratio),
        )
    return ratio


class RatioPoint(_Model):
    ratio: Annotated[Decimal, BeforeValidator(_positive_ratio)]
    rate: Rate


# --------------------------------------------------------------------------- payroll contribution lines
# A payroll phase may list its contribution lines (bases gross, T1, T2, csg; fixed amounts) and the general
# reduction (RGDU, 2026) instead of flat rates; an establishment may override a line's rates, dated.

CONTRIBUTION_CODE_RE = re.compile(r"[a-z][a-z0-9_]*\Z")


def _exponent(value: Any) -> Decimal:
    exponent = _decimal_from_quoted(value, _what(N_("an exponent")), "1.75")
    if not Decimal(0) < exponent <= Decimal(10):
        raise invalid(
            "config.exponent_range",
            N_("exponent {exponent} must be more than 0 and at most 10"),
            exponent=str(exponent),
        )
    return exponent


class GeneralReduction(_Model):
    """The réduction générale dégressive unique (RGDU):
    C = t_min + t_delta × (½ × (3 × SMIC / gross − 1))^exponent."""

    t_min: Rate
    t_delta: Rate
    exponent: Annotated[Decimal, BeforeValidator(_exponent)]


class ContributionLine(_Model):
    """One line of the payslip: rates on a base, and/or fixed monthly amounts (prorated)."""

    code: str
    base: Literal["gross", "T1", "T2", "csg"] | None = None
    employer: Rate | None = None
    employee: Rate | None = None
    employer_amount: Money | None = None
    employee_amount: Money | None = None
    in_csg_base: bool = False  # the employer amount of this line is added to the CSG base

    @model_validator(mode="after")
    def _shape(self) -> "ContributionLine":
        if not CONTRIBUTION_CODE_RE.fullmatch(self.code):
            raise invalid(
                "config.bad_contribution_code",
                N_("{contribution} is not a contribution code: lowercase letters, digits or '_'"),
                contribution=repr(self.code),
            )
        has_rate = self.employer is not None or self.employee is not None
        has_amount = self.employer_amount is not None or self.employee_amount is not None
        if not has_rate and not has_amount:
            raise invalid(
                "config.contribution_empty",
                N_("give employer and/or employee rates (with a base), or employer_amount/employee_amount"),
            )
        if has_rate and self.base is None:
            raise invalid("config.contribution_no_base", N_("a rate needs a base: gross, T1, T2 or csg"))
        if self.base is not None and not has_rate:
            raise invalid("config.contribution_base_no_rate", N_("a base needs an employer or employee rate"))
        if self.in_csg_base and self.base == "csg":
            raise invalid(
                "config.contribution_csg_loop", N_("a line on the csg base cannot be part of the csg base")
            )
        return self


class RateOverride(_Model):
    """An establishment's own rates for a contribution line, from a date (e.g. its AT/MP rate)."""

    start: datetime.date = Field(alias="from")
    code: str
    employer: Rate | None = None
    employee: Rate | None = None

    @model_validator(mode="after")
    def _some_rate(self) -> "RateOverride":
        if self.employer is None and self.employee is None:
            raise invalid("config.override_empty", N_("give the employer and/or employee rate"))
        return self


Establishment.model_rebuild()


class PayrollEntry(_Model):
    start: datetime.date = Field(alias="from")
    smic_hourly: Money
    employer_rate: Rate | None = None
    employer_rate_by_smic_ratio: list[RatioPoint] | None = None
    employee_rate: Rate | None = None
    ceiling_monthly: Money | None = None  # plafond mensuel de la sécurité sociale (T1, T2)
    general_reduction: GeneralReduction | None = None
    contributions: list[ContributionLine] | None = None

    @model_validator(mode="after")
    def _one_employer_rule(self) -> "PayrollEntry":
        if self.smic_hourly <= 0:
            raise invalid("config.smic_positive", N_("smic_hourly must be positive"))
        if self.contributions is not None:
            if self.employer_rate is not None or self.employer_rate_by_smic_ratio is not None:
                raise invalid(
                    "config.lines_or_rates",
                    N_("give either contributions or employer_rate/employer_rate_by_smic_ratio, not both"),
                )
            if self.employee_rate is not None:
                raise invalid(
                    "config.lines_or_rates",
                    N_("give either contributions or employee_rate, not both"),
                )
            if not self.contributions:
                raise invalid("config.contributions_empty", N_("contributions: give at least one line"))
            codes = [line.code for line in self.contributions]
            duplicate = next((c for c in codes if codes.count(c) > 1), None)
            if duplicate is not None:
                raise invalid(
                    "config.contribution_duplicate",
                    N_("contributions: the code {contribution} appears twice"),
                    contribution=repr(duplicate),
                )
            if self.ceiling_monthly is None and any(line.base in ("T1", "T2") for line in self.contributions):
                raise invalid(
                    "config.ceiling_missing",
                    N_("ceiling_monthly (the monthly social security ceiling) is needed by T1 and T2 lines"),
                )
            if self.ceiling_monthly is not None and self.ceiling_monthly <= 0:
                raise invalid("config.ceiling_positive", N_("ceiling_monthly must be positive"))
            return self
        if self.general_reduction is not None or self.ceiling_monthly is not None:
            raise invalid(
                "config.reduction_without_lines",
                N_("general_reduction and ceiling_monthly go with contribution lines (contributions)"),
            )
        if self.employee_rate is None:
            raise invalid("config.employee_rate_missing", N_("give employee_rate (or contribution lines)"))
        if (self.employer_rate is None) == (self.employer_rate_by_smic_ratio is None):
            raise invalid(
                "config.employer_rule", N_("give either employer_rate or employer_rate_by_smic_ratio")
            )
        points = self.employer_rate_by_smic_ratio
        if points is not None:
            if not points:
                raise invalid(
                    "config.ratio_points_empty", N_("employer_rate_by_smic_ratio: give at least one point")
                )
            if any(b.ratio <= a.ratio for a, b in zip(points, points[1:])):
                raise invalid(
                    "config.ratio_points_order",
                    N_("employer_rate_by_smic_ratio: ratios must increase from one point to the next"),
                )
        return self


class TreasuryPolicy(_Model):
    advance_cap_months: int = Field(default=2, ge=0, le=120)
    pool_use_limit: Rate = Decimal("0.50")  # alert when advances / (reserves + own funds) is over it
    min_coverage: Annotated[Decimal, BeforeValidator(_ratio)] = Decimal(
        "1.00"
    )  # alert when reference treasury / reserves is under it
    deficit_months_alert: int = Field(
        default=3, ge=1, le=120
    )  # alert after this many closed months in deficit in a row


class SurplusPolicy(_Model):
    """How the cooperative's own result is split at year end (SCOP law: legal reserve, workers' share,
    dividends)."""

    legal_reserve: Rate  # at least 15%
    development_fund: Rate = Decimal("0")  # "fonds de développement", a reserve too
    workers_share: Rate  # "part travail", at least 25%
    dividends: Rate = Decimal("0")  # never more than the workers' share
    workers_share_basis: Literal["salary", "equal", "hours"] = "salary"

    @model_validator(mode="after")
    def _legal_bounds(self) -> "SurplusPolicy":
        if self.legal_reserve < Decimal("0.15"):
            raise invalid(
                "config.legal_reserve",
                N_("legal_reserve {rate} is below the legal minimum of 0.15"),
                rate=str(self.legal_reserve),
            )
        if self.workers_share < Decimal("0.25"):
            raise invalid(
                "config.workers_share",
                N_("workers_share {rate} is below the legal minimum of 0.25"),
                rate=str(self.workers_share),
            )
        if self.dividends > self.workers_share:
            raise invalid(
                "config.dividends",
                N_("dividends {dividends} exceed the workers' share {share}"),
                dividends=str(self.dividends),
                share=str(self.workers_share),
            )
        total = self.legal_reserve + self.development_fund + self.workers_share + self.dividends
        if total != 1:
            raise invalid("config.parts_sum", N_("the parts sum to {total}, not 1"), total=str(total))
        return self


# --------------------------------------------------------------------------- bank (coopctl import bank)

ACCOUNT_NAME_RE = re.compile(r"(Assets|Liabilities|Equity|Income|Expenses)(:[A-Z0-9][A-Za-z0-9-]*)+\Z")
MAX_RULE_PATTERN = 200  # characters of a rule's regex
MAX_RULE_REPEATS = 2  # repetitions (*, +, {m,n}) in a rule's regex: its worst case stays polynomial and small
_REPEATABLE = frozenset(("LITERAL", "NOT_LITERAL", "ANY", "IN", "CATEGORY"))
_REGEX_ATOMS = frozenset(("LITERAL", "NOT_LITERAL", "ANY", "IN", "CATEGORY", "AT"))


def _account_name(value: Any) -> Any:
    if isinstance(value, str) and not ACCOUNT_NAME_RE.match(value):
        raise invalid(
            "config.account_name",
            N_("{value} is not a Beancount account name (e.g. Assets:Bank:Courant)"),
            value=repr(value),
        )
    return value


AccountName = Annotated[str, BeforeValidator(_account_name)]
Column_ = str | int  # a column's name in the header, or its position counted from 1


def _safe_regex_problem(pattern: str) -> str | None:
    """Why ``pattern`` could make matching slow (catastrophic backtracking), or None when it cannot.

    A bank line's label is written by whoever sends the money, so a rule's regex meets hostile text.
    Allowed: characters, classes, anchors, alternatives and groups, with at most ``MAX_RULE_REPEATS``
    repetitions, each of one character or class (``\\d+``, ``.*``, ``[A-Z]{2,5}``); no repeated group, no
    back-reference, no look-around. Matching is then polynomial in the label's length, which is capped.
    """
    import re._constants as sre_constants  # noqa: F401 (the opcodes' names)
    import re._parser as sre_parse

    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        return str(exc)
    repeats = 0

    def walk(items: Any) -> str | None:
        nonlocal repeats
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                if arg[0] != arg[1]:  # a fixed count ({6}) never backtracks
                    repeats += 1
                body = list(arg[2])
                if len(body) != 1 or str(body[0][0]) not in _REPEATABLE:
                    return "a repetition of a group (e.g. (ab)+) is not allowed: repeat single characters"
            elif name == "SUBPATTERN":
                if (found := walk(arg[3])) is not None:
                    return found
            elif name == "BRANCH":
                for branch in arg[1]:
                    if (found := walk(branch)) is not None:
                        return found
            elif name not in _REGEX_ATOMS:
                return f"{name.lower()} is not allowed in a rule (no back-reference or look-around)"
        return None

    found = walk(parsed)
    if found is None and repeats > MAX_RULE_REPEATS:
        return f"at most {MAX_RULE_REPEATS} repetitions (*, +, ?, {{m,n}}) in a rule"
    return found


class BankMapping(_Model):
    """How to read one bank's own CSV export (``coopctl import bank FILE --mapping NAME``)."""

    encoding: str = "utf-8"  # e.g. latin-1, cp1252, utf-8-sig
    delimiter: str = ","  # one character, or "tab"
    skip_lines: int = Field(default=0, ge=0, le=1000)  # lines before the header (a bank's preamble)
    header: bool = True  # the first line read names the columns
    date: Column_ = "date"
    date_format: str = "%Y-%m-%d"  # strptime's format, e.g. "%d/%m/%Y"
    label: Column_ | list[Column_] = "label"  # several columns are joined by a space
    amount: Column_ | None = "amount"  # signed: positive into the bank
    debit: Column_ | None = None  # or two columns: money out, money in
    credit: Column_ | None = None
    decimal_comma: bool = False  # 1 234,56 (spaces, dots and apostrophes between thousands are dropped)

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        import codecs

        try:
            info = codecs.lookup(value)
        except LookupError:
            info = None
        # a text encoding, not a transform that bytes.decode refuses (rot13, zlib, base64: a traceback)
        if info is None or not getattr(info, "_is_text_encoding", True):
            raise invalid("config.encoding", N_("unknown encoding {value}"), value=repr(value))
        return value

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if value != "tab" and (len(value) != 1 or value in '"\r\n' or value.isalnum()):
            raise invalid(
                "config.delimiter",
                N_('delimiter must be one character such as "," or ";" (or "tab"), got {value}'),
                value=repr(value),
            )
        return value

    @model_validator(mode="after")
    def _amount_columns(self) -> "BankMapping":
        two = self.debit is not None or self.credit is not None
        if two and (self.debit is None or self.credit is None):
            raise invalid("config.debit_credit", N_("give both debit and credit columns, or amount alone"))
        columns: list[Column_ | None] = [
            self.date,
            *(self.label if isinstance(self.label, list) else [self.label]),
        ]
        columns += [self.debit, self.credit] if two else [self.amount]
        if not two and self.amount is None:
            raise invalid("config.amount_column", N_("give the amount column, or debit and credit columns"))
        for column in columns:
            if isinstance(column, int) and column < 1:
                raise invalid(
                    "config.column_index", N_("columns are counted from 1, got {value}"), value=column
                )
            if isinstance(column, str) and not self.header:
                raise invalid(
                    "config.column_name",
                    N_("column {value} is named but header is false: give its position (from 1)"),
                    value=repr(column),
                )
        return self

    @property
    def two_columns(self) -> bool:
        return self.debit is not None


class BankRule(_Model):
    """A label → account rule: ``contains`` (a case-insensitive substring) or ``regex`` (a restricted regular
    expression, searched case-insensitively); the first rule that matches wins."""

    contains: str | None = Field(default=None, min_length=1, max_length=MAX_RULE_PATTERN)
    regex: str | None = Field(default=None, min_length=1, max_length=MAX_RULE_PATTERN)
    account: AccountName

    @model_validator(mode="after")
    def _one_test(self) -> "BankRule":
        if (self.contains is None) == (self.regex is None):
            raise invalid("config.rule_test", N_("a rule has contains or regex (one of them)"))
        if self.regex is not None:
            why = _safe_regex_problem(self.regex)
            if why is not None:
                raise invalid(
                    "config.rule_regex", N_("regex {regex}: {why}"), regex=repr(self.regex), why=why
                )
        return self


class BankConfig(_Model):
    """``bank:`` in config/coop.yaml: where statement lines go (``coopctl import bank``)."""

    account: AccountName | None = None  # the bank account of the statements (or --account)
    suspense: AccountName = "Assets:Suspense"  # lines no invoice or rule explains wait here
    mapping: str = "generic"  # the default mapping (--mapping)
    mappings: dict[str, BankMapping] = Field(default_factory=dict)
    rules: list[BankRule] = Field(default_factory=list)

    def mapping_named(self, name: str) -> BankMapping | None:
        if name in self.mappings:
            return self.mappings[name]
        return GENERIC_BANK_CSV if name == "generic" else None


GENERIC_BANK_CSV = BankMapping()  # date,label,amount with a header line, ISO dates, a decimal point
# ----------------------------------------------------------------------- expense claims (issue 17, item 5)


def _per_km(value: Any) -> Decimal:
    rate = _decimal_from_quoted(value, _what(N_("a rate per kilometre")), "0.636")
    if not Decimal(0) <= rate <= Decimal(10):
        raise invalid(
            "config.per_km_range", N_("rate per kilometre {rate} is outside [0, 10]"), rate=str(rate)
        )
    return rate


class DistanceBand(_Model):
    """One line of the official scale [barème kilométrique]: for a yearly distance d up to ``up_to`` km
    (inclusive; none: no upper bound), the allowance is d × a + b."""

    up_to: int | None = Field(default=None, gt=0, le=1_000_000)
    a: Annotated[Decimal, BeforeValidator(_per_km)]
    b: Money = Decimal("0")


class HorsepowerBand(_Model):
    """The distance bands of vehicles up to ``cv_up_to`` fiscal horsepower (none: and more)."""

    cv_up_to: int | None = Field(default=None, gt=0, le=100)
    distances: list[DistanceBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _bands_in_order(self) -> "HorsepowerBand":
        bounds = [d.up_to for d in self.distances]
        if any(b is None for b in bounds[:-1]) or bounds[-1] is not None:
            raise invalid(
                "config.mileage_open_band", N_("distances: only the last band has no up_to, and it has none")
            )
        known = [b for b in bounds if b is not None]
        if any(b2 <= b1 for b1, b2 in zip(known, known[1:])):
            raise invalid("config.mileage_band_order", N_("distances: up_to must increase from band to band"))
        return self


class MileageEntry(_Model):
    """The scale in force from a date: per horsepower band (in increasing order, the last without bound)."""

    start: datetime.date = Field(alias="from")
    horsepower: list[HorsepowerBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _cv_in_order(self) -> "MileageEntry":
        bounds = [h.cv_up_to for h in self.horsepower]
        if any(b is None for b in bounds[:-1]) or bounds[-1] is not None:
            raise invalid(
                "config.mileage_open_cv",
                N_("horsepower: only the last band has no cv_up_to (it covers the most powerful vehicles)"),
            )
        known = [b for b in bounds if b is not None]
        if any(b2 <= b1 for b1, b2 in zip(known, known[1:])):
            raise invalid(
                "config.mileage_cv_order", N_("horsepower: cv_up_to must increase from band to band")
            )
        return self


class ClaimsPolicy(_Model):
    """How ``coopctl claims import`` books members' expense claims and mileage (docs/claims.md).

    ``categories``: the CSV's category word → the sub-account of ``Expenses:Activity:<A>`` it is booked
    on; ``mileage_category``: the category of a mileage claim that names none; ``vat_account``: where the
    deductible VAT of an expense goes; ``mileage``: the dated official scale."""

    vat_account: str = "Liabilities:VAT:Deductible"
    categories: dict[str, str] = Field(
        default_factory=lambda: {
            "travel": "Deplacements",
            "meals": "Repas",
            "supplies": "Fournitures",
            "purchases": "Achats",
            "software": "Logiciels",
            "equipment": "Materiel",
            "mileage": "Deplacements",
        }
    )
    mileage_category: str = "mileage"
    mileage: list[MileageEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _accounts(self) -> "ClaimsPolicy":
        if not re.fullmatch(r"(Assets|Liabilities)(:[A-Z][A-Za-z0-9-]*)+", self.vat_account):
            raise invalid(
                "config.claims_vat_account",
                N_("vat_account: {account} is not an Assets or Liabilities account"),
                account=repr(self.vat_account),
            )
        for word, sub in self.categories.items():
            if (
                not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", word)
                or not _SUB_ACCOUNT_RE.fullmatch(sub)
                or sub.split(":", 1)[0] in ("Contribution", "Salary")
            ):
                raise invalid(
                    "config.claims_category",
                    N_(
                        "categories: {word}: {sub} must map a lowercase word to a sub-account of an "
                        "activity's expenses (e.g. travel: Deplacements; not Contribution or Salary)"
                    ),
                    word=repr(word),
                    sub=repr(sub),
                )
        if self.mileage_category not in self.categories:
            raise invalid(
                "config.claims_mileage_category",
                N_("mileage_category {word} is not one of the categories"),
                word=repr(self.mileage_category),
            )
        if any(b.start <= a.start for a, b in zip(self.mileage, self.mileage[1:])):
            raise invalid("config.claims_mileage_order", N_("mileage: dates must increase"))
        return self


class Coop(_Model):
    name: str
    currency: str = "EUR"
    ledger: str = "ledgers/main.beancount"
    establishments: list[Establishment] = Field(min_length=1)
    tutors: list[Tutor] = Field(default_factory=list)
    contribution: list[ContributionEntry] = Field(min_length=1)
    payroll: list[PayrollEntry] = Field(min_length=1)
    treasury: TreasuryPolicy = Field(default_factory=TreasuryPolicy)
    surplus: SurplusPolicy | None = None
    ledger_plugins: list[str] = Field(default_factory=list)
    bank: BankConfig = Field(default_factory=BankConfig)
    claims: ClaimsPolicy = Field(default_factory=ClaimsPolicy)  # issue 17, item 5
    # h17: fec. The cooperative's SIREN (9 digits): names the FEC file (SIREN + "FEC" + closing date).
    siren: str | None = None

    @field_validator("siren")
    @classmethod
    def _siren(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 9 and value.isascii() and value.isdigit()):
            raise invalid("config.siren", N_('a SIREN is 9 digits, e.g. "123456789" (quoted)'))
        return value


# --------------------------------------------------------------------------- members.yaml


class SalaryEntry(_Model):
    start: datetime.date = Field(alias="from")
    gross: Money
    hours: Hours


def _month_text(value: Any) -> str:
    from coopctl.domain.months import Month

    if isinstance(value, datetime.date):
        raise invalid(
            "config.month_as_date",
            N_("write a month as YYYY-MM, e.g. 2026-12 (got the date {value})"),
            value=str(value),
        )
    try:
        return str(Month.parse(str(value)))
    except ValueError as exc:
        raise ValueError(str(exc)) from None


class Bonus(_Model):
    """Variable pay [prime], paid in one month's close on top of the salary."""

    month: Annotated[str, BeforeValidator(_month_text)]
    gross: Money
    note: str | None = None


class Member(_Model):
    id: str
    name: str
    email: str | None = None
    activity: str
    tutor: str | None = None
    joined: datetime.date
    cesa_from: datetime.date | None = None
    associate_from: datetime.date | None = None
    left: datetime.date | None = None
    salary: list[SalaryEntry] = Field(default_factory=list)
    bonuses: list[Bonus] = Field(default_factory=list)
    cape_renewals: list[datetime.date] = Field(
        default_factory=list, max_length=2
    )  # CAPE renewals (12 months each, twice at most)

    def phase_on(self, day: datetime.date) -> str:
        """ "CAPE", "CESA", "left" or "not yet joined" on a given day."""
        if day < self.joined:
            return "not yet joined"
        if self.left is not None and day > self.left:
            return "left"
        if self.cesa_from is not None and day >= self.cesa_from:
            return "CESA"
        return "CAPE"

    def is_associate_on(self, day: datetime.date) -> bool:
        return self.associate_from is not None and self.associate_from <= day and self.phase_on(day) == "CESA"


class MembersFile(_Model):
    members: list[Member] = Field(default_factory=list)


# --------------------------------------------------------------------------- activities.yaml


class Activity(_Model):
    id: str
    name: str
    establishment: str
    contribution_rate: Rate | None = None  # a flat override; "0" is a real 0%
    contribution: list[ContributionEntry] | None = None  # an override schedule (rate or tiers)
    started: datetime.date | None = None  # default: the earliest member's joining

    @model_validator(mode="after")
    def _one_override(self) -> "Activity":
        if self.contribution_rate is not None and self.contribution is not None:
            raise invalid(
                "config.contribution_override", N_("give either contribution_rate or contribution, not both")
            )
        return self


class ActivitiesFile(_Model):
    activities: list[Activity] = Field(default_factory=list)


# --------------------------------------------------------------------------- schedules

T = TypeVar("T")
YamlPath = tuple[str | int, ...]  # keys and list indexes from a file's top, as written


def in_force(schedule: Sequence[T], day: datetime.date) -> T | None:
    """The entry of a dated schedule (sorted by ``start``) in force on ``day``."""
    current = None
    for entry in schedule:
        if entry.start <= day:  # type: ignore[attr-defined]
            current = entry
        else:
            break
    return current


# --------------------------------------------------------------------------- the cooperative


@dataclass
class Cooperative:
    """A validated cooperative: its folder, its three config files, and where each item came from."""

    root: Path
    coop: Coop
    members: list[Member]
    activities: list[Activity]
    known_lines: dict[tuple[str, YamlPath], int] | None = None

    # How to find the YAML lines again when the config came from the cache (set by ``store.configfile``,
    # which reads files: the domain does not).
    line_reader: ClassVar[Callable[[Path], dict[tuple[str, YamlPath], int]] | None] = None

    @property
    def lines(self) -> dict[tuple[str, YamlPath], int]:
        """YAML path -> line, for messages; read again from the files when the config came from the cache."""
        if self.known_lines is None:
            reader = type(self).line_reader
            self.known_lines = reader(self.root) if reader is not None else {}
        return self.known_lines

    @property
    def ledger_path(self) -> Path:
        return (self.root / self.coop.ledger).resolve()

    @property
    def closing_dir(self) -> Path:
        return self.ledger_path.parent / "closing"

    def _indexes(self) -> tuple[dict[str, Activity], dict[str, Member], dict[str, list[Member]]]:
        cache = self.__dict__.get("_index_cache")
        if cache is None:
            by_activity: dict[str, list[Member]] = {}
            for member in self.members:
                by_activity.setdefault(member.activity, []).append(member)
            cache = ({a.id: a for a in self.activities}, {m.id: m for m in self.members}, by_activity)
            self.__dict__["_index_cache"] = cache
        return cache

    def activity(self, activity_id: str) -> Activity:
        found = self._indexes()[0].get(activity_id)
        if found is None:
            near = nearest(activity_id, self._indexes()[0])
            if near:
                raise NotFound.of(
                    "not_found.activity",
                    N_("no activity {activity} in config/activities.yaml; {hint}"),
                    activity=repr(activity_id),
                    hint=did_you_mean(near),
                    suggestions=near,
                )
            raise NotFound.of(
                "not_found.activity",
                N_("no activity {activity} in config/activities.yaml"),
                activity=repr(activity_id),
            )
        return found

    def member(self, member_id: str, source: str | None = None) -> Member:
        """The member ``member_id``; else NotFound with the nearest ids (never the whole list) and, when
        ``source`` is given (``suggest.SOURCES``), where the id came from."""
        found = self._indexes()[1].get(member_id)
        if found is None:
            near = nearest(member_id, self._indexes()[1])
            hint = (
                did_you_mean(near)
                if near
                else Problem.of("hint.list_members", N_("coopctl members lists the members"))
            )
            if source is not None:
                raise NotFound.of(
                    "not_found.member",
                    N_("no member {member} ({source}) in config/members.yaml; {hint}"),
                    member=repr(member_id),
                    source=source_phrase(source),
                    hint=hint,
                    suggestions=near,
                )
            raise NotFound.of(
                "not_found.member",
                N_("no member {member} in config/members.yaml; {hint}"),
                member=repr(member_id),
                hint=hint,
                suggestions=near,
            )
        return found

    def members_of(self, activity_id: str) -> list[Member]:
        return self._indexes()[2].get(activity_id, [])

    def establishment_name(self, establishment_id: str) -> str:
        for establishment in self.coop.establishments:
            if establishment.id == establishment_id:
                return establishment.name
        return establishment_id

    def tutor_name(self, tutor_id: str | None) -> str:
        for tutor in self.coop.tutors:
            if tutor.id == tutor_id:
                return tutor.name
        return tutor_id or ""

    def where(self, file: str, path: YamlPath) -> tuple[str, int | None]:
        """The file and line of a YAML path, for messages about config items."""
        return file, self.lines.get((file, path))


def _dotted(path: Iterable[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top)"


def _line_of(lines: dict[tuple[str, YamlPath], int], rel: str, path: YamlPath) -> int | None:
    while True:
        if (rel, path) in lines:
            return lines[(rel, path)]
        if not path:
            return None
        path = path[:-1]


def _dates(value: Any, path: YamlPath) -> Iterable[tuple[YamlPath, datetime.date]]:
    """Every date in a config item, with its YAML path (keys as written: ``from``, not ``start``)."""
    if isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            yield from _dates(getattr(value, name), path + (info.alias or name,))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _dates(item, path + (index,))
    elif isinstance(value, datetime.date):
        yield path, value


def field_problem(problem: Problem, path: YamlPath, file: str | None, line: int | None) -> Problem:
    """``field: message`` at a file's line; the message a coded problem (or a plain one), worded in turn."""
    return Problem.of(
        problem.code or "config.invalid",
        N_("{field}: {problem}"),
        file=file,
        line=line,
        field=_dotted(path),
        problem=problem,
    )


def check_consistency(coop: Cooperative) -> list[Problem]:
    """Cross-item rules: ids well-formed and unique, references resolved, dates in order."""
    problems: list[Problem] = []
    C, M, A = "config/coop.yaml", "config/members.yaml", "config/activities.yaml"

    def err(file: str, path: YamlPath, code: str, template: str, **params: Any) -> None:
        problems.append(
            field_problem(Problem.of(code, template, **params), path, file, _line_of(coop.lines, file, path))
        )

    if not CURRENCY_RE.fullmatch(coop.coop.currency):
        err(
            C,
            ("currency",),
            "config.currency",
            N_("{currency} is not a Beancount currency (e.g. EUR)"),
            currency=repr(coop.coop.currency),
        )

    from coopctl.domain.policy import MAX_YEAR, MIN_YEAR, VETTED_PLUGINS

    for index, name in enumerate(coop.coop.ledger_plugins):
        if name not in VETTED_PLUGINS:
            err(
                C,
                ("ledger_plugins", index),
                "config.plugin_not_vetted",
                N_(
                    "{name} is not a Beancount plugin coopctl has vetted; coop.yaml may "
                    "choose only among the vetted ones (docs/safety.md)"
                ),
                name=repr(name),
            )
    config_items: list[tuple[str, YamlPath, Sequence[BaseModel]]] = [
        (C, (), [coop.coop]),
        (M, ("members",), coop.members),
        (A, ("activities",), coop.activities),
    ]
    for file, top, items in config_items:
        for index, item in enumerate(items):
            for path, day in _dates(item, top + ((index,) if top else ())):
                if not MIN_YEAR <= day.year <= MAX_YEAR:
                    err(
                        file,
                        path,
                        "config.date_range",
                        N_("date {day} is out of range: coopctl accepts dates from {first} to {last}"),
                        day=day.isoformat(),
                        first=MIN_YEAR,
                        last=MAX_YEAR,
                    )

    def unique(items: Sequence[Any], file: str, top: str) -> set[str]:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.id in seen:
                err(
                    file, (top, index, "id"), "config.duplicate_id", N_("duplicate id {id}"), id=repr(item.id)
                )
            seen.add(item.id)
        return seen

    named: list[tuple[str, Sequence[Establishment | Tutor]]] = [
        ("establishments", coop.coop.establishments),
        ("tutors", coop.coop.tutors),
    ]
    for key, items_with_ids in named:
        for index, item in enumerate(items_with_ids):
            if not SHORT_ID_RE.fullmatch(item.id):
                err(
                    C,
                    (key, index, "id"),
                    "config.bad_id",
                    N_(
                        "{id} is not an id: lowercase letters, digits, '-', '_' or "
                        "'.' (no accents, so that two spellings of one name cannot be two ids)"
                    ),
                    id=repr(item.id),
                )
    establishments = unique(coop.coop.establishments, C, "establishments")
    tutors = unique(coop.coop.tutors, C, "tutors")
    activity_ids = unique(coop.activities, A, "activities")
    unique(coop.members, M, "members")

    schedules: list[tuple[str, Sequence[ContributionEntry] | Sequence[PayrollEntry]]] = [
        ("contribution", coop.coop.contribution),
        ("payroll", coop.coop.payroll),
    ]
    for top_key, schedule in schedules:
        for index in range(1, len(schedule)):
            if schedule[index].start <= schedule[index - 1].start:
                err(
                    C,
                    (top_key, index, "from"),
                    "config.dates_order",
                    N_("dates must increase: {day} is not after {previous}"),
                    day=schedule[index].start,
                    previous=schedule[index - 1].start,
                )

    # An establishment's contribution rates: each code a rated line of some payroll phase, dates in order.
    rated_codes = {
        line.code
        for entry in coop.coop.payroll
        for line in entry.contributions or []
        if line.employer is not None or line.employee is not None
    }
    for e_index, establishment in enumerate(coop.coop.establishments):
        last_start: dict[str, datetime.date] = {}
        for k, override in enumerate(establishment.contribution_rates):
            here_override = ("establishments", e_index, "contribution_rates", k)
            if override.code not in rated_codes:
                err(
                    C,
                    here_override + ("code",),
                    "config.unknown_contribution_code",
                    N_(
                        "unknown contribution line {contribution}: no payroll phase has a line with rates "
                        "under that code (known: {known})"
                    ),
                    contribution=repr(override.code),
                    known=", ".join(sorted(rated_codes)) or "none",
                )
            previous = last_start.get(override.code)
            if previous is not None and override.start <= previous:
                err(
                    C,
                    here_override + ("from",),
                    "config.dates_order",
                    N_("dates must increase: {day} is not after {previous}"),
                    day=override.start,
                    previous=previous,
                )
            last_start[override.code] = override.start

    for index, activity in enumerate(coop.activities):
        schedule = activity.contribution or []
        for k in range(1, len(schedule)):
            if schedule[k].start <= schedule[k - 1].start:
                err(
                    A,
                    ("activities", index, "contribution", k, "from"),
                    "config.dates_order",
                    N_("dates must increase: {day} is not after {previous}"),
                    day=schedule[k].start,
                    previous=schedule[k - 1].start,
                )
        if not ACTIVITY_ID_RE.fullmatch(activity.id):
            err(
                A,
                ("activities", index, "id"),
                "config.bad_activity_id",
                N_(
                    "{id} is not a valid account component: an uppercase letter, then letters, "
                    "digits or dashes"
                ),
                id=repr(activity.id),
            )
        if activity.establishment not in establishments:
            err(
                A,
                ("activities", index, "establishment"),
                "config.unknown_establishment",
                N_("unknown establishment {establishment} (known: {known})"),
                establishment=repr(activity.establishment),
                known=", ".join(sorted(establishments)),
            )

    for index, member in enumerate(coop.members):
        here = ("members", index)
        if not MEMBER_ID_RE.fullmatch(member.id):
            err(
                M,
                here + ("id",),
                "config.bad_member_id",
                N_("{id} is not a member id: lowercase letters, digits, '-' or '_'"),
                id=repr(member.id),
            )
        if member.activity not in activity_ids:
            near = nearest(member.activity, activity_ids)
            if near:
                err(
                    M,
                    here + ("activity",),
                    "config.unknown_activity",
                    N_("unknown activity {activity}; {hint} (or add it to config/activities.yaml)"),
                    activity=repr(member.activity),
                    hint=did_you_mean(near),
                    suggestions=near,
                )
            else:
                err(
                    M,
                    here + ("activity",),
                    "config.unknown_activity",
                    N_("unknown activity {activity}; add it to config/activities.yaml"),
                    activity=repr(member.activity),
                )
        if member.tutor is not None and member.tutor not in tutors:
            near = nearest(member.tutor, tutors)
            if near:
                err(
                    M,
                    here + ("tutor",),
                    "config.unknown_tutor",
                    N_("unknown tutor {tutor}; {hint} (or add it under tutors in config/coop.yaml)"),
                    tutor=repr(member.tutor),
                    hint=did_you_mean(near),
                    suggestions=near,
                )
            else:
                err(
                    M,
                    here + ("tutor",),
                    "config.unknown_tutor",
                    N_("unknown tutor {tutor}; add it under tutors in config/coop.yaml"),
                    tutor=repr(member.tutor),
                )
        if member.cesa_from is not None and member.cesa_from < member.joined:
            err(
                M,
                here + ("cesa_from",),
                "config.cesa_before_joining",
                N_("CESA starts {cesa_from}, before joining on {joined}"),
                cesa_from=member.cesa_from,
                joined=member.joined,
            )
        if member.associate_from is not None:
            if member.cesa_from is None or member.associate_from < member.cesa_from:
                err(
                    M,
                    here + ("associate_from",),
                    "config.associate_before_cesa",
                    N_("an associate must be in the CESA phase first (associate_from before cesa_from)"),
                )
        if member.left is not None:
            if member.left < member.joined:
                err(
                    M,
                    here + ("left",),
                    "config.left_before_joining",
                    N_("left {left}, before joining on {joined}"),
                    left=member.left,
                    joined=member.joined,
                )
            elif member.cesa_from is not None and member.left < member.cesa_from:
                err(
                    M,
                    here + ("left",),
                    "config.left_before_cesa",
                    N_("left {left}, before the CESA start {cesa_from}"),
                    left=member.left,
                    cesa_from=member.cesa_from,
                )
        for k in range(1, len(member.salary)):
            if member.salary[k].start <= member.salary[k - 1].start:
                err(
                    M,
                    here + ("salary", k, "from"),
                    "config.dates_order",
                    N_("dates must increase: {day} is not after {previous}"),
                    day=member.salary[k].start,
                    previous=member.salary[k - 1].start,
                )
        if member.cesa_from is not None:
            if not member.salary:
                err(
                    M,
                    here + ("salary",),
                    "config.cesa_no_salary",
                    N_("a CESA member needs a salary schedule"),
                )
            elif member.salary[0].start > member.cesa_from:
                err(
                    M,
                    here + ("salary", 0, "from"),
                    "config.no_salary_at_cesa",
                    N_("no salary in force when CESA starts on {cesa_from}"),
                    cesa_from=member.cesa_from,
                )
        elif member.salary:
            err(
                M,
                here + ("salary",),
                "config.cape_salary",
                N_("a salary without cesa_from: a CAPE member is not paid; add cesa_from"),
            )
        for k, renewal in enumerate(member.cape_renewals):
            if renewal < member.joined or (member.cesa_from is not None and renewal >= member.cesa_from):
                err(
                    M,
                    here + ("cape_renewals", k),
                    "config.renewal_outside_cape",
                    N_("a CAPE renewal on {day} must fall within the CAPE phase"),
                    day=renewal,
                )
        seen_bonus: set[str] = set()
        for k, bonus in enumerate(member.bonuses):
            from coopctl.domain.months import Month

            month = Month.parse(bonus.month)
            if bonus.month in seen_bonus:
                err(
                    M,
                    here + ("bonuses", k, "month"),
                    "config.second_bonus",
                    N_("a second bonus in {month}; write one bonus per month"),
                    month=bonus.month,
                )
            seen_bonus.add(bonus.month)
            in_cesa = (
                member.cesa_from is not None
                and member.cesa_from <= month.last_day
                and (member.left is None or member.left >= month.first_day)
            )
            if not in_cesa:
                err(
                    M,
                    here + ("bonuses", k, "month"),
                    "config.bonus_outside_cesa",
                    N_(
                        "a bonus in {month}, when {member} is not in the CESA phase; only a salaried "
                        "member is paid variable pay"
                    ),
                    month=bonus.month,
                    member=member.id,
                )
    return problems
