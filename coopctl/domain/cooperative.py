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


class Tutor(_Model):
    id: str
    name: str
    email: str | None = None


class Tier(_Model):
    """One bracket of a degressive contribution: a marginal rate up to a year-to-date revenue."""

    up_to: Money | None = None
    rate: Rate


class ContributionEntry(_Model):
    """A flat ``rate`` on the month's revenue, or marginal ``tiers`` on year-to-date revenue."""

    start: datetime.date = Field(alias="from")
    rate: Rate | None = None
    tiers: list[Tier] | None = None
    exempt_months: int = Field(default=0, ge=0, le=120)

    @model_validator(mode="after")
    def _one_rule(self) -> "ContributionEntry":
        if (self.rate is None) == (self.tiers is None):
            raise invalid("config.rate_or_tiers", N_("give either rate or tiers"))
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


class PayrollEntry(_Model):
    start: datetime.date = Field(alias="from")
    smic_hourly: Money
    employer_rate: Rate | None = None
    employer_rate_by_smic_ratio: list[RatioPoint] | None = None
    employee_rate: Rate

    @model_validator(mode="after")
    def _one_employer_rule(self) -> "PayrollEntry":
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
        if self.smic_hourly <= 0:
            raise invalid("config.smic_positive", N_("smic_hourly must be positive"))
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
            raise NotFound.of(
                "not_found.activity",
                N_("no activity {activity} in config/activities.yaml"),
                activity=repr(activity_id),
            )
        return found

    def member(self, member_id: str) -> Member:
        found = self._indexes()[1].get(member_id)
        if found is None:
            known = ", ".join(sorted(m.id for m in self.members)) or "none"
            if len(self.members) > 12:
                known = ", ".join(sorted(m.id for m in self.members)[:12]) + ", …"
            raise NotFound.of(
                "not_found.member",
                N_("no member {member} in config/members.yaml (members: {known})"),
                member=repr(member_id),
                known=known,
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
            err(
                M,
                here + ("activity",),
                "config.unknown_activity",
                N_("unknown activity {activity}; add it to config/activities.yaml"),
                activity=repr(member.activity),
            )
        if member.tutor is not None and member.tutor not in tutors:
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
