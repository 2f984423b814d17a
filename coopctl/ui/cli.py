"""The command line: parse, call one service function, render, map errors to exit codes.

Exit codes: 0 success, 1 data error (config, ledger, refused close), 2 usage error.
Every error is one line on standard error, with file:line where known; never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import io
import os
import re
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import click
import typer
from typer.core import TyperGroup

from coopctl import __version__
from coopctl.app import commands as service
from coopctl.core.close import ClosePlan
from coopctl.core.reports import ActivityMonth
from coopctl.core.treasury import TreasuryState
from coopctl.domain.money import round_cent
from coopctl.domain.months import Month
from coopctl.domain.policy import MAX_YEAR, MIN_YEAR
from coopctl.domain.problems import EXIT_DATA, EXIT_USAGE, CoopctlError
from coopctl.ui import i18n
from coopctl.ui.i18n import N_, _
from coopctl.ui.render import Chart, Column, Format, Report, Series, Table, render

if TYPE_CHECKING:
    from types import ModuleType

    from rich.console import Console


def _click_classes(name: str) -> tuple[type, ...]:
    """The exception class ``name`` from click and from the copy of click that recent Typer vendors."""
    classes = [getattr(click.exceptions, name)]
    vendored: ModuleType | None
    try:
        from typer._click import exceptions as vendored  # Typer >= 0.25 ships its own click
    except ImportError:
        vendored = None
    if vendored is not None and hasattr(vendored, name):
        classes.append(getattr(vendored, name))
    return tuple(classes)


NO_ARGS_IS_HELP = _click_classes("NoArgsIsHelpError")
USAGE_ERROR = _click_classes("UsageError")
CLICK_EXCEPTION = _click_classes("ClickException")
ABORT = _click_classes("Abort")


def _stderr(line: str) -> None:
    sys.stderr.write(line.rstrip("\n") + "\n")


MAX_PROBLEM_LINES = 20


def _print_problems(problems) -> None:
    """Each problem once (identical lines are printed once), the first MAX_PROBLEM_LINES, then how many
    more."""
    lines: list[tuple[str, str]] = []
    seen: set[str] = set()
    for problem in problems:
        line = _("{severity}: {problem}").format(severity=_(problem.severity), problem=i18n.worded(problem))
        # one problem, one line: a newline or a control character (e.g. a right-to-left override) from a
        # file is escaped
        line = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in line)
        if line not in seen:
            seen.add(line)
            lines.append((problem.severity, line))
    for _severity, line in lines[:MAX_PROBLEM_LINES]:
        _stderr(line)
    hidden = lines[MAX_PROBLEM_LINES:]
    if hidden:
        errors = sum(1 for severity, _line in hidden if severity == "error")
        severity = "error" if errors else "warning"
        # not a catalogue text (the .mo is binary and merges badly): the problems themselves are English too
        _stderr(f"{_(severity)}: … and {len(hidden)} more ({errors} errors, {len(hidden) - errors} warnings)")


class CoopctlGroup(TyperGroup):
    """Runs every command with coopctl's error handling (also under typer's CliRunner)."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        paused = gc.isenabled()
        # a command is a short process over ~a million long-lived objects: no cycles worth collecting
        gc.disable()
        try:
            result = super().main(
                args=args,
                prog_name=prog_name or "coopctl",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except NO_ARGS_IS_HELP as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else "", color=None)
            sys.exit(0)
        except USAGE_ERROR as exc:
            command = exc.ctx.command_path if exc.ctx else "coopctl"
            _stderr(f"error: {exc.format_message()} (see '{command} --help')")
            sys.exit(EXIT_USAGE)
        except CLICK_EXCEPTION as exc:
            _stderr(f"error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except ABORT:
            _stderr("aborted")
            sys.exit(130)
        except CoopctlError as exc:
            _print_problems(exc.problems)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            _stderr("interrupted; nothing was left half-written")
            sys.exit(130)
        except OSError as exc:  # standard output full or closed, or a file that could not be read
            _output_failed(exc)
        finally:
            if paused:
                gc.enable()
        try:
            sys.stdout.flush()
        except OSError as exc:
            _output_failed(exc)
        sys.exit(result if isinstance(result, int) else 0)


def _output_failed(exc: OSError) -> None:
    """One line for a failed write to standard output (disk full, closed pipe) or another I/O error;
    exit 1."""
    where = exc.filename or "standard output"
    _stderr(
        f"error: {where}: cannot write ({exc.strerror or exc})"
        if where == "standard output"
        else f"error: {where}: {exc.strerror or exc}"
    )
    try:  # what is still buffered for standard output goes nowhere, so that Python's exit does not fail again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass
    sys.exit(EXIT_DATA)


app = typer.Typer(
    cls=CoopctlGroup,
    name="coopctl",
    help="Bookkeeping for a coopérative d'activités et d'emploi (CAE), on Beancount ledgers.\n\n"
    "Example: coopctl close-month --dry-run",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


# --------------------------------------------------------------------------- shared options


def _parse_month(value: Optional[str]) -> Optional[Month]:
    if value is None:
        return None
    try:
        return Month.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def _parse_date(value: Optional[str]) -> Optional[datetime.date]:
    if value is None:
        return None
    text = value.strip()
    french = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text) if i18n.user_language() == "fr" else None
    try:
        if french:  # as the French output prints dates: 31/10/2026 (day first)
            day = datetime.date(int(french.group(3)), int(french.group(2)), int(french.group(1)))
        else:
            day = datetime.date.fromisoformat(text)
    except ValueError:
        example = "2026-10-31 (or 31/10/2026)" if i18n.user_language() == "fr" else "2026-10-31"
        raise typer.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD, e.g. {example}") from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise typer.BadParameter(
            f"{value!r} is out of range: coopctl accepts dates from {MIN_YEAR} to {MAX_YEAR}"
        )
    return day


def _machine_format(value: Format) -> Format:
    """JSON and CSV are for programs: their texts (alerts, notes) are English in every language."""
    if value is not Format.table:
        i18n.set_language("en", output_only=True)
    return value


FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        callback=_machine_format,
        help="Output: table (default), json or csv (always in English).",
    ),
]
AsOfOption = Annotated[
    Optional[str], typer.Option("--as-of", metavar="YYYY-MM-DD", help="The date to look at (default: today).")
]


class State:
    root: Optional[Path] = None


state = State()


def _console() -> "Console":
    """Standard output as a Rich console (imported here: Rich is needed only once there is something to
    show)."""
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(
            width=int(os.environ.get("COLUMNS", "0") or 0) or 160, no_color=True, highlight=False
        )
    return console


@contextlib.contextmanager
def _loading(message: str = "Loading the ledger…"):
    """A spinner on standard error when a load takes more than a second, on a terminal only."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console

    console = Console(stderr=True)
    if not console.is_terminal:
        yield
        return
    status = console.status(message)
    timer = threading.Timer(1.0, status.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        status.stop()


def _today() -> datetime.date:
    return datetime.date.today()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"coopctl {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    root: Annotated[
        Optional[Path],
        typer.Option(
            "--root",
            metavar="DIR",
            help="The cooperative's folder (default: COOPCTL_ROOT, or the first folder "
            "upward holding config/coop.yaml).",
            file_okay=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    lang: Annotated[
        Optional[str],
        typer.Option(
            "--lang",
            metavar="LANG",
            help="Language of tables and messages: en or fr "
            "(default: COOPCTL_LANG, else French when LANG is French). "
            "JSON and CSV are the same in every language.",
        ),
    ] = None,
) -> None:
    """Bookkeeping for a coopérative d'activités et d'emploi (CAE), on Beancount ledgers.

    Example: coopctl --root ./my-coop close-month --dry-run
    """
    state.root = root
    try:
        i18n.set_language(i18n.language_from_environment(lang))
    except ValueError as exc:
        if lang:
            raise typer.BadParameter(str(exc), param_hint="'--lang'") from None
        i18n.set_language("en")  # an unknown COOPCTL_LANG or LANG: English


# --------------------------------------------------------------------------- treasury (shared)


def treasury_data(state: TreasuryState) -> dict[str, Any]:
    """The treasury's JSON: amounts as two-decimal strings, ratios as two-decimal strings (null without a
    base)."""

    def ratio(value):
        return None if value is None else f"{value:.2f}"

    return {
        "as_of": state.as_of.isoformat(),
        "cash": state.cash,
        "taxes_due": state.taxes_due,
        "salaries_due": state.salaries_due,
        "suppliers_due": state.suppliers_due,
        "reference_treasury": state.reference_treasury,
        "receivables": state.receivables,
        "future_treasury": state.future_treasury,
        "reserves": state.reserves,
        "advances": state.advances,
        "own_funds": state.own_funds,
        "coverage": ratio(state.coverage),
        "pool_use": ratio(state.pool_use),
        "activities": [
            {
                "id": a.id,
                "balance": a.balance,
                "advance": a.advance,
                "advance_cap": a.advance_cap,
                "receivables": a.receivables,
                "runway_months": None if a.runway_months is None else f"{a.runway_months:.1f}",
                "months_in_deficit": a.months_in_deficit,
            }
            for a in state.activities
        ],
        "alerts": [alert.as_dict() for alert in state.alerts],
    }


TREASURY_LINES = [
    ("cash", N_("Cash (Assets:Bank)")),
    ("taxes_due", N_("− Taxes and social contributions due")),
    ("salaries_due", N_("− Net salaries due")),
    ("suppliers_due", N_("− Suppliers due")),
    ("reference_treasury", N_("= Reference treasury")),
    ("receivables", N_("+ Receivables (invoices unpaid)")),
    ("future_treasury", N_("= Future treasury")),
    ("reserves", N_("Activities' reserves")),
    ("advances", N_("Advances carried by the pool")),
    ("own_funds", N_("Cooperative's own funds")),
    ("coverage", N_("Coverage (reference treasury / reserves)")),
    ("pool_use", N_("Pool use (advances / (reserves + own funds))")),
]


def treasury_summary_table(data: dict[str, Any], title: str) -> Table:
    def ratio(value):
        return _("n/a") if value is None else (value if i18n.language() == "en" else value.replace(".", ","))

    rows = [
        {"line": _(label), "amount": data[key] if isinstance(data[key], Decimal) else ratio(data[key])}
        for key, label in TREASURY_LINES
    ]
    return Table(title, [Column("line", "Treasury"), Column("amount", "Amount", "money")], rows)


# --------------------------------------------------------------------------- close-month


ADDING_UP = (
    (N_("Reserve brought in"), "reserve_brought_in"),
    (N_("Contribution by hand"), "contribution_booked_by_hand"),
    (N_("Salary by hand"), "salary_cost_booked_by_hand"),
)


def _adding_up_columns(rows: list[dict[str, Any]]) -> list[Column]:
    """Reserve brought in and contribution or salary booked by hand, shown when a row has any: so that each
    row adds up, opening + revenue − expenses − contribution − salary cost + brought in − booked by hand =
    closing."""
    return [Column(key, header, "money") for header, key in ADDING_UP if any(row[key] for row in rows)]


def close_report(
    plan: ClosePlan, dry_run: bool, written_path: Optional[str], treasury: TreasuryState
) -> Report:
    activities: list[dict[str, Any]] = []
    for a in plan.activities:
        activities.append(
            {
                "id": a.activity_id,
                "establishment": a.establishment,
                "revenue": a.revenue,
                "expenses": a.expenses,
                "contribution_rate": f"{a.contribution_rate}",
                "contribution_rule": a.contribution_rule,
                "contribution": a.contribution,
                "opening_balance": a.opening_balance,
                "salary_cost": a.salary_cost,
                # closing = opening + revenue − expenses − contribution − salary_cost + reserve_brought_in
                #           − contribution_booked_by_hand − salary_cost_booked_by_hand
                "reserve_brought_in": a.equity,
                "contribution_booked_by_hand": a.hand_contribution,
                "salary_cost_booked_by_hand": a.hand_salary_cost,
                "closing_balance": a.closing_balance,
                "advance": a.advance,
                "advance_cap": a.advance_cap,
                "alerts": [alert.as_dict() for alert in a.alerts],
                "members": [
                    {
                        "id": m.member_id,
                        "phase": m.phase,
                        "days": m.days,
                        "gross": m.gross,
                        "salary_gross": m.salary_gross,
                        "bonus": m.bonus,
                        "employer_rate": f"{m.employer_rate:.4f}",
                        "employer_contributions": m.employer_contributions,
                        "employee_contributions": m.employee_contributions,
                        "net": m.net,
                        "cost": m.cost,
                    }
                    for m in a.members
                ],
            }
        )
    totals = plan.totals
    treasury_json = treasury_data(treasury)
    data = {
        "month": str(plan.month),
        "dry_run": dry_run,
        "currency": plan.currency,
        "written": written_path,
        "activities": activities,
        "totals": totals,
        "treasury": treasury_json,
    }
    activity_table = Table(
        _("Close {month}").format(month=plan.month) + (_(" (dry run: nothing written)") if dry_run else ""),
        [
            Column("id", "Activity"),
            Column("opening_balance", "Opening", "money"),
            Column("revenue", "Revenue", "money"),
            Column("expenses", "Expenses", "money"),
            Column("contribution_rate", "Rate", "rate"),
            Column("contribution", "Contribution", "money"),
            Column("salary_cost", "Salary cost", "money"),
            *_adding_up_columns(activities),
            Column("closing_balance", "Closing", "money"),
            Column("advance", "Advance", "money"),
        ],
        [dict(row, contribution_rate=a.contribution_rate) for row, a in zip(activities, plan.activities)],
        {
            "id": "Total",
            "revenue": totals["revenue"],
            "contribution": totals["contribution"],
            "salary_cost": totals["salary_cost"],
            "advance": totals["advances"],
        },
    )
    member_rows = [dict(m, activity=a["id"]) for a in activities for m in a["members"]]
    member_table = Table(
        _("Salaries {month}").format(month=plan.month),
        [
            Column("id", "Member"),
            Column("activity", "Activity"),
            Column("days", "Days", "int"),
            Column("gross", "Gross", "money"),
            Column("employer_contributions", "Employer", "money"),
            Column("employee_contributions", "Employee", "money"),
            Column("net", "Net", "money"),
            Column("cost", "Cost", "money"),
        ],
        member_rows,
        {"id": "Total", "net": totals["net"], "cost": totals["salary_cost"]},
    )
    alerts = [i18n.word(alert) for a in plan.activities for alert in a.alerts]
    alerts += [
        _("treasury: {alert}").format(alert=i18n.word(alert))
        for alert in treasury.alerts
        if alert.code != "advance_over_cap"
    ]  # shown per activity above
    notes = [
        _("Net salaries due {net}; social contributions due {social}.").format(
            net=i18n.money(totals["net"], plan.currency), social=i18n.money(totals["social"], plan.currency)
        )
    ]
    if dry_run:
        notes.append(
            _("Dry run: nothing was written. To book it: coopctl close-month {month}").format(
                month=plan.month
            )
        )
    elif written_path:
        notes.append(_("Wrote {path}. Review it with git diff, then commit.").format(path=written_path))
    summary = treasury_summary_table(
        treasury_json, _("Pooled treasury on {day} after the close").format(day=i18n.date(treasury.as_of))
    )
    return Report(data, [activity_table, member_table, summary], notes, alerts)


@app.command("close-month")
def close_month_command(
    month: Annotated[
        Optional[str],
        typer.Argument(metavar="[YYYY-MM]", help="The month to close (default: the first one still open)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Compute and show the close; write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Close a month: take contributions, book salaries, report advances and alerts.

    Refuses, writing nothing, when the config or ledger has an error, the month is
    already closed, an earlier month is still open, or the month has not ended.

    Examples:

      coopctl close-month --dry-run

      coopctl close-month 2026-10 --format json
    """
    with _loading():
        result = service.close_month(state.root, _parse_month(month), dry_run, _today())
    written = None
    if result.written is not None:
        written = str(result.written.closing_file.relative_to(result.written.closing_file.parents[2]))
    render(close_report(result.plan, dry_run, written, result.treasury), fmt, _console())


# --------------------------------------------------------------------------- balance


@app.command("balance")
def balance_command(
    member: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[MEMBER]",
            help="Member id (default: COOPCTL_MEMBER, or the member whose email is git's user.email).",
        ),
    ] = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """A member's activity: its balance, any advance, and its month-by-month history.

    Examples:

      coopctl balance alice

      coopctl balance alice --as-of 2026-06-30 --format json
    """
    day = _parse_date(as_of) or _today()
    with _loading():
        result, mine = service.balance(state.root, member, day)
    months = [
        {
            "month": str(h.month),
            "status": "closed" if h.closed else "open",
            "revenue": h.revenue,
            "expenses": h.expenses,
            "contribution": h.contribution,
            "salary_cost": h.salary_cost,
            "closing_balance": h.closing_balance,
        }
        for h in result.months
    ]
    data = {
        "member": result.member.id,
        "activity": result.activity_id,
        "as_of": day.isoformat(),
        "balance": result.balance,
        "advance": result.advance,
        "receivables": result.receivables,
        "monthly_salary_cost": mine.monthly_salary_cost,
        "advance_cap": mine.advance_cap,
        "runway_months": None if mine.runway_months is None else f"{mine.runway_months:.1f}",
        "months_in_deficit": mine.months_in_deficit,
        "months": months,
    }
    table = Table(
        f"{result.member.name} — {result.activity_name} ({result.activity_id})",
        [
            Column("month", "Month"),
            Column("status", "Status", "label"),
            Column("revenue", "Revenue", "money"),
            Column("expenses", "Expenses", "money"),
            Column("contribution", "Contribution", "money"),
            Column("salary_cost", "Salary cost", "money"),
            Column("closing_balance", "Balance", "money"),
        ],
        months,
    )
    notes = [
        _("Balance of {activity} on {day}: {amount}.").format(
            activity=result.activity_id, day=i18n.date(day), amount=i18n.money(result.balance)
        )
    ]
    notes += runway_words(result.balance, mine)
    if result.receivables:
        notes.append(
            _("Invoices sent and not yet paid (VAT included): {amount}.").format(
                amount=i18n.money(result.receivables)
            )
        )
    if months and months[-1]["status"] == "open":
        notes.append(
            _(
                "Open months show what is booked so far; "
                "contribution and salary are booked when the month is closed."
            )
        )
    shown = result.months[-24:]  # two years at most on screen
    chart = Chart(
        N_("Month by month"),
        [str(h.month) for h in shown],
        [
            Series(N_("Revenue"), [h.revenue for h in shown], "green"),
            Series(N_("Salary cost"), [h.salary_cost for h in shown], "yellow"),
            Series(N_("Balance"), [h.closing_balance for h in shown], "cyan", scale="balance"),
        ],
    )
    render(Report(data, [table], notes, charts=[chart]), fmt, _console())


def runway_words(balance: Decimal, mine) -> list[str]:
    """The member's treasury, in words a member understands."""
    words = []
    if mine.runway_months is not None and balance > 0:
        words.append(
            _("Your reserve covers {months} months of salary (salary cost {cost} a month).").format(
                months=i18n.number(mine.runway_months, 1), cost=i18n.money(mine.monthly_salary_cost)
            )
        )
    elif balance > 0:
        words.append(_("Nobody is paid a salary from this activity: its reserve is kept for it."))
    if balance < 0:
        if mine.advance_cap:
            words.append(
                _(
                    "The cooperative's pooled treasury is advancing {amount} to your activity "
                    "until revenue comes in; "
                    "it may advance up to {cap} (its cap)."
                ).format(amount=i18n.money(-balance), cap=i18n.money(mine.advance_cap))
            )
        else:
            words.append(
                _(
                    "The cooperative's pooled treasury is advancing {amount} to your activity "
                    "until revenue comes in."
                ).format(amount=i18n.money(-balance))
            )
        if -balance > mine.advance_cap:
            words.append(_("The advance is over its cap: talk with your tutor about the months ahead."))
    if mine.months_in_deficit:
        words.append(
            _("The activity has been in deficit for {count} closed month(s) in a row.").format(
                count=mine.months_in_deficit
            )
        )
    return words


# --------------------------------------------------------------------------- simulate


def _parse_amount(value: Optional[str], what: str) -> Optional[Decimal]:
    if value is None:
        return None
    try:
        amount = Decimal(value.strip().replace(",", "."))
    except ArithmeticError:
        raise typer.BadParameter(f"{value!r} is not an amount; write it like 2100.00") from None
    if not amount.is_finite() or amount <= 0 or amount > Decimal("1000000"):
        raise typer.BadParameter(f"{what} must be a positive amount (got {value})")
    return round_cent(amount) if what == "gross" else amount


@app.command("simulate")
def simulate_command(
    member: Annotated[str, typer.Argument(metavar="MEMBER", help="The member whose salary to simulate.")],
    gross: Annotated[
        str,
        typer.Option("--gross", metavar="AMOUNT", help="The monthly gross salary to simulate, e.g. 2100.00."),
    ],
    hours: Annotated[
        Optional[str],
        typer.Option("--hours", metavar="H", help="Hours a month (default: the contract's, or 151.67)."),
    ] = None,
    month: Annotated[
        Optional[str],
        typer.Option("--month", metavar="YYYY-MM", help="The month whose rates apply (default: this month)."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """What a salary (or a raise) would cost the activity each month, the net, and how long the \
reserve pays it.

    Examples:

      coopctl simulate alice --gross 2100.00

      coopctl simulate dan --gross 1850.00 --hours 151.67 --format json
    """
    amount = _parse_amount(gross, "gross")
    with _loading():
        result = service.simulate(
            state.root, member, amount, _parse_amount(hours, "hours"), _parse_month(month), _today()
        )
    pay = result.pay
    data = {
        "member": pay.member_id,
        "activity": result.activity_id,
        "month": str(result.month),
        "gross": pay.gross,
        "hours": f"{pay.hours}",
        "employer_rate": f"{pay.employer_rate:.4f}",
        "employer_contributions": pay.employer_contributions,
        "employee_contributions": pay.employee_contributions,
        "net": pay.net,
        "cost": pay.cost,
        "current_cost": result.current_cost,
        "change": result.change,
        "reserve": result.reserve,
        "minimum_gross": result.minimum_gross,
        "months_covered": None if result.months_covered is None else f"{result.months_covered:.1f}",
    }
    rows = [
        {"line": label, "amount": data[key]}
        for key, label in [
            ("gross", _("Gross salary")),
            (
                "employer_contributions",
                _("+ Employer contributions ({rate})").format(
                    rate=i18n.percent(pay.employer_rate.quantize(Decimal("0.0001")))
                ),
            ),
            ("cost", _("= Cost to the activity, each month")),
            ("employee_contributions", _("Employee contributions")),
            ("net", _("Net salary")),
            ("current_cost", _("Salary cost today")),
            ("change", _("Change in cost")),
            ("reserve", _("Reserve of {activity} today").format(activity=result.activity_id)),
        ]
    ]
    notes = []
    if result.months_covered is not None:
        notes.append(
            _(
                "The reserve of {activity} would pay {months} months of this salary, before any new revenue."
            ).format(activity=result.activity_id, months=i18n.number(result.months_covered, 1))
        )
    else:
        notes.append(
            _(
                "{activity} has no reserve today: this salary would be paid from revenue to come, "
                "or advanced by the pooled treasury."
            ).format(activity=result.activity_id)
        )
    if pay.gross < result.minimum_gross:
        notes.append(
            _("Below the minimum wage: {hours} h a month need at least {amount} gross.").format(
                hours=i18n.number(pay.hours, 2), amount=i18n.money(result.minimum_gross)
            )
        )
    table = Table(
        _("Salary simulation for {member} ({month} rates)").format(member=pay.member_id, month=result.month),
        [Column("line", "Line"), Column("amount", "Amount", "money")],
        rows,
    )
    render(Report(data, [table], notes), fmt, _console())


# --------------------------------------------------------------------------- tutor


@app.command("tutor")
def tutor_command(
    tutor: Annotated[
        Optional[str], typer.Argument(metavar="[TUTOR]", help="A tutor's id (default: every tutor).")
    ] = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Each tutor's portfolio: members followed, phase and since when, months to the next legal deadline,
    activity balance and runway, alerts.

    Examples:

      coopctl tutor

      coopctl tutor mlefevre --format json
    """
    from coopctl.core.lifecycle import tutor_portfolio

    day = _parse_date(as_of) or _today()
    with _loading():
        coop, figures, alerts = service.tutors(state.root, tutor, day)
    rows: list[dict[str, Any]] = [
        {
            "tutor": line.tutor,
            "member": line.member.id,
            "name": line.member.name,
            "phase": line.phase,
            "since": line.since.isoformat(),
            "associate": line.member.is_associate_on(day),
            "next_deadline": line.next_deadline[0] if line.next_deadline else None,
            "deadline": line.next_deadline[1].isoformat() if line.next_deadline else None,
            "months_to_deadline": line.months_to_deadline,
            "activity": line.member.activity,
            "balance": line.balance,
            "runway_months": None if line.runway_months is None else f"{line.runway_months:.1f}",
            "alerts": [i18n.word(p) for p in line.alerts],
        }
        for line in tutor_portfolio(coop, figures, tutor, day, alerts)
    ]
    title = (
        _("Portfolio of {tutor} on {day}").format(tutor=coop.tutor_name(tutor), day=i18n.date(day))
        if tutor
        else _("Portfolios on {day}").format(day=i18n.date(day))
    )
    table = Table(
        title,
        [
            Column("tutor", "Tutor"),
            Column("member", "Member"),
            Column("phase", "Phase", "label"),
            Column("since", "Since", "date"),
            Column("next_deadline", "Next deadline", "label"),
            Column("deadline", "On", "date"),
            Column("months_to_deadline", "Months", "int"),
            Column("activity", "Activity"),
            Column("balance", "Balance", "money"),
            Column("runway_months", "Runway", "int"),
        ],
        [dict(r, tutor=coop.tutor_name(r["tutor"]) if r["tutor"] else "") for r in rows],
    )
    render(
        Report(
            {"as_of": day.isoformat(), "members": rows},
            [table],
            [],
            [alert for r in rows for alert in r["alerts"]],
        ),
        fmt,
        _console(),
    )


# --------------------------------------------------------------------------- init


@app.command("init")
def init_command(
    folder: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="A new or empty folder for the cooperative.", file_okay=False),
    ],
    name: Annotated[str, typer.Option("--name", help="The cooperative's name.")] = "Ma coopérative",
) -> None:
    """Create a new cooperative: config with one establishment, a ledger that loads, .gitignore, pre-commit.

    The result passes coopctl check at once; add activities and members, then post entries.

    Examples:

      coopctl init ma-cae --name "Coopérative Exemple"

      cd ma-cae && git init && coopctl check
    """
    from coopctl.app.init import init_cooperative

    written = init_cooperative(folder, name, _today())
    console = _console()
    for path in written:
        console.print(f"created {path}", highlight=False)
    console.print(f"Next: cd {folder} && git init && coopctl check", highlight=False)


# --------------------------------------------------------------------------- payroll export

PAYROLL_COLUMNS = [
    Column("member_id", "Member"),
    Column("name", "Name"),
    Column("activity", "Activity"),
    Column("hours", "Hours", "int"),
    Column("gross", "Gross", "money"),
    Column("variable_pay", "Variable pay", "money"),
    Column("employer_contributions", "Employer", "money"),
    Column("employee_contributions", "Employee", "money"),
    Column("net", "Net", "money"),
    Column("cost", "Cost", "money"),
]


@app.command("payroll")
def payroll_command(
    month: Annotated[str, typer.Argument(metavar="YYYY-MM", help="A closed month.")],
    fmt: FormatOption = Format.csv,
    output: Annotated[
        Optional[Path],
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write to FILE (atomically) instead of standard output.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """The month's payroll variables for a payroll bureau: one row per paid member, from a closed month.

    Columns (CSV header, in this order): member_id, name, activity, hours, gross, variable_pay,
    employer_contributions, employee_contributions, net, cost. Amounts with two decimals, a dot as
    decimal separator; gross includes the variable pay.

    Examples:

      coopctl payroll 2026-09

      coopctl payroll 2026-09 --format json --output paie-2026-09.json
    """
    parsed = _parse_month(month)
    assert parsed is not None
    with _loading():
        rows = service.payroll(state.root, parsed)
    data_rows: list[dict[str, Any]] = [
        {
            "member_id": r.member_id,
            "name": r.name,
            "activity": r.activity,
            "hours": r.hours,
            "gross": r.gross,
            "variable_pay": r.variable_pay,
            "employer_contributions": r.employer_contributions,
            "employee_contributions": r.employee_contributions,
            "net": r.net,
            "cost": r.cost,
        }
        for r in rows
    ]
    totals = {
        key: sum((row[key] for row in data_rows), Decimal(0))
        for key in (
            "gross",
            "variable_pay",
            "employer_contributions",
            "employee_contributions",
            "net",
            "cost",
        )
    }
    report = Report(
        {
            "month": str(parsed),
            "rows": [dict(row, hours=f"{row['hours']}") for row in data_rows],
            "totals": totals,
        },
        [
            Table(
                _("Payroll {month}").format(month=parsed),
                PAYROLL_COLUMNS,
                data_rows,
                dict(totals, member_id="Total"),
            )
        ],
    )
    if output is None:
        render(report, fmt, _console())
        return
    buffer = io.StringIO()
    from rich.console import Console

    render(report, fmt, Console(file=buffer, width=200, no_color=True, highlight=False))
    service.write_export(output, buffer.getvalue(), state.root)
    _stderr(f"wrote {output} ({len(rows)} members)")


# --------------------------------------------------------------------------- treasury


@app.command("treasury")
def treasury_command(as_of: AsOfOption = None, fmt: FormatOption = Format.table) -> None:
    """The pooled treasury: cash, what is due, reserves, advances, coverage, each activity's runway.

    Examples:

      coopctl treasury

      coopctl treasury --as-of 2026-09-30 --format json
    """
    day = _parse_date(as_of) or _today()
    with _loading():
        state_ = service.treasury(state.root, day)
    data = treasury_data(state_)
    activities = Table(
        "Activities",
        [
            Column("id", "Activity"),
            Column("balance", "Balance", "money"),
            Column("advance", "Advance", "money"),
            Column("advance_cap", "Cap", "money"),
            Column("receivables", "Receivables", "money"),
            Column("runway_months", "Runway (months)", "int"),
            Column("months_in_deficit", "Months in deficit", "int"),
        ],
        data["activities"],
    )
    summary = treasury_summary_table(data, _("Pooled treasury on {day}").format(day=i18n.date(day)))
    if fmt is Format.csv:
        render(Report(data, [activities]), fmt, _console())
        return
    render(
        Report(data, [summary, activities], [], [i18n.word(alert) for alert in state_.alerts]),
        fmt,
        _console(),
    )


# --------------------------------------------------------------------------- report


def _activity_row(item: ActivityMonth) -> dict[str, Any]:
    return {
        "id": item.activity_id,
        "name": item.name,
        "establishment": item.establishment,
        "opening_balance": item.opening_balance,
        "revenue": item.revenue,
        "expenses": item.expenses,
        "contribution": item.contribution,
        "salary_cost": item.salary_cost,
        "reserve_brought_in": item.equity,
        "contribution_booked_by_hand": item.hand_contribution,
        "salary_cost_booked_by_hand": item.hand_salary_cost,
        "closing_balance": item.closing_balance,
        "advance": item.advance,
        "advance_cap": item.advance_cap,
        "alerts": [alert.as_dict() for alert in item.alerts],
    }


def _report_totals(totals: dict[str, Any]) -> dict[str, Any]:
    """A month report's totals under the row's names."""
    names = {
        "equity": "reserve_brought_in",
        "hand_contribution": "contribution_booked_by_hand",
        "hand_salary_cost": "salary_cost_booked_by_hand",
    }
    return {names.get(key, key): value for key, value in totals.items()}


MONEY_COLUMNS = [
    Column("opening_balance", "Opening", "money"),
    Column("revenue", "Revenue", "money"),
    Column("expenses", "Expenses", "money"),
    Column("contribution", "Contribution", "money"),
    Column("salary_cost", "Salary cost", "money"),
    Column("closing_balance", "Closing", "money"),
    Column("advance", "Advance", "money"),
]


def _money_columns(rows: list[dict[str, Any]]) -> list[Column]:
    return MONEY_COLUMNS[:5] + _adding_up_columns(rows) + MONEY_COLUMNS[5:]


@app.command("report")
def report_command(
    month: Annotated[
        Optional[str], typer.Argument(metavar="[YYYY-MM]", help="The month (default: the last closed month).")
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """The cooperative's month: per establishment and activity, totals and alerts.

    A closed month shows what was booked; an open month shows what closing it would book.

    Examples:

      coopctl report

      coopctl report 2026-09 --format csv
    """
    with _loading():
        result, treasury = service.report(state.root, _parse_month(month), _today())
    status = _("closed") if result.closed else _("open (projected: what closing it now would book)")
    establishments: list[dict[str, Any]] = []
    for establishment, items in result.by_establishment().items():
        establishments.append(
            {
                "id": establishment,
                "totals": _report_totals(result.totals(items)),
                "activities": [_activity_row(item) for item in items],
            }
        )
    rows = [dict(_activity_row(item)) for items in result.by_establishment().values() for item in items]
    totals = _report_totals(result.totals())
    month_alerts = [
        alert for items in result.by_establishment().values() for item in items for alert in item.alerts
    ]
    month_alerts += [
        alert for alert in treasury.alerts if alert.code != "advance_over_cap"
    ]  # per activity above
    alerts = [i18n.word(alert) for alert in month_alerts]
    alerts += [_("members: {alert}").format(alert=i18n.word(alert)) for alert in result.lifecycle]
    treasury_json = treasury_data(treasury)
    data = {
        "month": str(result.month),
        "closed": result.closed,
        "establishments": establishments,
        "totals": totals,
        "alerts": [alert.as_dict() for alert in (*month_alerts, *result.lifecycle)],
        "treasury": treasury_json,
    }
    table = Table(
        _("Month {month}: {status}").format(month=result.month, status=status),
        [Column("establishment", "Establishment"), Column("id", "Activity"), *_money_columns(rows)],
        rows,
        dict(totals, establishment="Total"),
    )
    per_establishment = Table(
        "By establishment",
        [Column("id", "Establishment"), *_money_columns(rows)],
        [dict(e["totals"], id=e["id"]) for e in establishments],
    )
    summary = treasury_summary_table(
        treasury_json,
        _("Pooled treasury on {day}").format(day=i18n.date(treasury.as_of))
        + ("" if result.closed else _(" (projected)")),
    )
    chart = Chart(
        _("Revenue by establishment, {month}").format(month=result.month),
        [e["id"] for e in establishments],
        [
            Series(N_("Revenue"), [e["totals"]["revenue"] for e in establishments], "green"),
            Series(N_("Contribution"), [e["totals"]["contribution"] for e in establishments], "magenta"),
            Series(N_("Salary cost"), [e["totals"]["salary_cost"] for e in establishments], "yellow"),
        ],
    )
    render(Report(data, [table, per_establishment, summary], [], alerts, charts=[chart]), fmt, _console())


# --------------------------------------------------------------------------- members


@app.command("members")
def members_command(as_of: AsOfOption = None, fmt: FormatOption = Format.table) -> None:
    """The members: phase (CAPE, CESA), associate, tutor, activity, establishment, balance.

    Examples:

      coopctl members

      coopctl members --as-of 2026-06-30 --format csv
    """
    day = _parse_date(as_of) or _today()
    with _loading():
        members, lifecycle = service.members(state.root, day)
    rows = [
        {
            "id": r.member.id,
            "name": r.member.name,
            "phase": r.phase,
            "since": r.since.isoformat() if r.since else None,
            "associate": r.associate,
            "tutor": r.tutor,
            "activity": r.activity_id,
            "establishment": r.establishment,
            "balance": r.balance,
        }
        for r in members
    ]
    table = Table(
        _("Members on {day}").format(day=i18n.date(day)),
        [
            Column("id", "Id"),
            Column("name", "Name"),
            Column("phase", "Phase", "label"),
            Column("since", "Since", "date"),
            Column("associate", "Associate"),
            Column("tutor", "Tutor"),
            Column("activity", "Activity"),
            Column("establishment", "Establishment"),
            Column("balance", "Balance", "money"),
        ],
        [dict(row, associate=_("yes") if row["associate"] else "") for row in rows],
    )
    render(
        Report(
            {"as_of": day.isoformat(), "members": rows, "alerts": [p.as_dict() for p in lifecycle]},
            [table],
            [],
            [i18n.word(p) for p in lifecycle],
        ),
        fmt,
        _console(),
    )


# --------------------------------------------------------------------------- check


@app.command("check")
def check_command(fmt: FormatOption = Format.table) -> None:
    """Validate config and ledger; exit 0 when clean. For CI and pre-commit hooks.

    Errors (exit 1): config errors, Beancount errors, unknown activities, foreign
    currencies, salaries below the minimum wage. Warnings: months ended and not closed.

    Examples:

      coopctl check

      coopctl --root ./my-coop check --format json
    """
    with _loading():
        books, problems = service.check(state.root, _today())
    errors = [p for p in problems if p.severity == "error"]
    if fmt is Format.json:
        data = {"ok": not errors, "problems": [p.as_dict() for p in problems]}
        render(Report(data), fmt, _console())
    else:
        _print_problems(problems)
        if not errors and books is not None:
            figures = books.figures
            last = (
                _(", last closed {month}").format(month=figures.last_closed)
                if figures.last_closed
                else _(", no month closed yet")
            )
            _console().print(
                _(
                    "ok: config and ledger are clean "
                    "({entries} entries, {members} members, {activities} activities{last})"
                ).format(
                    entries=len(books.ledger.entries),
                    members=len(books.coop.members),
                    activities=len(books.coop.activities),
                    last=last,
                ),
                highlight=False,
            )
    if errors:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- reopen


@app.command("reopen")
def reopen_command(
    period: Annotated[
        str, typer.Argument(metavar="YYYY-MM|YYYY", help="The last closed month, or the last closed year.")
    ],
) -> None:
    """Reopen the last closed month (or year): remove its closing so it can be closed again.

    The files return byte for byte to what they were before that close.
    Only the last closed month can be reopened; reopen later months first.
    A year (YYYY) undoes close-year: its transfers into equity and the next year's opening.

    Examples:

      coopctl reopen 2026-09

      coopctl reopen 2026-09 && coopctl close-month 2026-09

      coopctl reopen 2025
    """
    console = _console()
    if period.strip().isdigit() and len(period.strip()) == 4:
        with _loading():
            done = service.reopen_closed_year(state.root, int(period))
        names = ", ".join(path.name for path in done.removed)
        console.print(
            f"Reopened {done.year}: removed {names}"
            + (" and the include close-year had added to the main ledger" if done.include_removed else "")
            + f". Close it again with: coopctl close-year {done.year}",
            highlight=False,
        )
        return
    parsed = _parse_month(period)
    assert parsed is not None
    with _loading():
        result = service.reopen(state.root, parsed)
    console.print(
        f"Reopened {result.month}: removed {result.removed.name}"
        + (" and the closings include it had added to the main ledger" if result.include_removed else "")
        + f". Close it again with: coopctl close-month {result.month}",
        highlight=False,
    )


# --------------------------------------------------------------------------- close-year


def _parse_year(value: str) -> int:
    text = value.strip()
    if not (len(text) == 4 and text.isdigit()) or not 1900 < int(text) < 3000:
        raise typer.BadParameter(f"{value!r} is not a year; write it as YYYY, e.g. 2025")
    return int(text)


PART_LABELS = {
    "legal_reserve": N_("Legal reserve (réserve légale)"),
    "development_fund": N_("Development fund (fonds de développement)"),
    "workers_share": N_("Workers' share (part travail)"),
    "dividends": N_("Dividends (dividendes)"),
}


@app.command("close-year")
def close_year_command(
    year: Annotated[
        str, typer.Argument(metavar="YYYY", help="The year to close (its December must be closed).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Compute and show the year's close; write nothing.")
    ] = False,
    apply_surplus: Annotated[
        bool,
        typer.Option(
            "--apply-surplus",
            help="Book the surplus split the general assembly decided (on a closed year too).",
        ),
    ] = False,
    date: Annotated[
        Optional[str],
        typer.Option(
            "--date", metavar="YYYY-MM-DD", help="With --apply-surplus: the assembly's date (default: today)."
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Close a year: carry each activity's result into its reserve, the cooperative's into its result.

    Writes ledgers/closing/YYYY-year.beancount (transfers into Equity:Activity:* and
    Equity:Coop:Result, dated 31 December), the next year's opening balances
    (ledgers/openings/), and the next year's folder. Prints the surplus split proposal
    for the general assembly; --apply-surplus books it once decided.

    Examples:

      coopctl close-year 2025 --dry-run

      coopctl close-year 2025

      coopctl close-year 2025 --apply-surplus --date 2026-06-20
    """
    parsed = _parse_year(year)
    day = _parse_date(date)
    if day is not None and not apply_surplus:
        raise typer.BadParameter("--date goes with --apply-surplus")
    with _loading():
        result = service.close_year(state.root, parsed, dry_run, apply_surplus, day, _today())
    report = year_close_report(result)
    if (
        fmt is Format.csv
    ):  # one CSV: the proposal for the general assembly, its parts then each employee's share
        report = Report(report.data, [surplus_csv_table(result)])
    render(report, fmt, _console())


def surplus_csv_table(result) -> Table:
    proposal = result.proposal
    rows = []
    if proposal is not None:
        rows += [
            {"line": "part", "id": name, "name": "", "rate": rate, "basis": None, "amount": amount}
            for name, rate, amount in proposal.parts
        ]
        rows += [
            {
                "line": "worker",
                "id": w.member_id,
                "name": w.name,
                "rate": None,
                "basis": w.basis,
                "amount": w.amount,
            }
            for w in proposal.workers
        ]
    return Table(
        "Surplus split",
        [
            Column("line", "Line"),
            Column("id", "Id"),
            Column("name", "Name"),
            Column("rate", "Rate", "rate"),
            Column("basis", "Basis", "money"),
            Column("amount", "Amount", "money"),
        ],
        rows,
    )


def year_close_report(result) -> Report:
    plan = result.plan
    rows = [
        {"activity": t.owner, "result": t.result, "reserve": plan.reserves.get(t.owner, Decimal(0))}
        for t in plan.activities
    ]
    reserves_only = sorted(set(plan.reserves) - {t.owner for t in plan.activities})
    rows += [
        {"activity": owner, "result": Decimal(0), "reserve": plan.reserves[owner]} for owner in reserves_only
    ]
    rows.sort(key=lambda r: r["activity"])
    proposal = result.proposal
    parts = (
        [{"part": name, "rate": rate, "amount": amount} for name, rate, amount in proposal.parts]
        if proposal
        else []
    )
    workers = (
        [
            {"member": w.member_id, "name": w.name, "basis": w.basis, "amount": w.amount}
            for w in proposal.workers
        ]
        if proposal
        else []
    )
    written = [
        str(p) for p in ((result.written.opening_file, result.written.closing_file) if result.written else ())
    ]
    data = {
        "year": plan.year,
        "dry_run": result.dry_run,
        "already_closed": result.already_closed,
        "coop_result": plan.coop_result,
        "activities": rows,
        "surplus": None
        if proposal is None
        else {"result": proposal.result, "basis": proposal.basis, "parts": parts, "workers": workers},
        "written": written,
        "surplus_file": str(result.surplus_file) if result.surplus_file else None,
        "notes": [p.message for p in result.notes],
    }
    tables = [
        Table(
            _("Year {year}: each activity's result, into its reserve").format(year=plan.year),
            [
                Column("activity", "Activity"),
                Column("result", "Result of the year", "money"),
                Column("reserve", "Reserve carried", "money"),
            ],
            rows,
            {
                "activity": "Total",
                "result": sum((r["result"] for r in rows), Decimal(0)),
                "reserve": sum((r["reserve"] for r in rows), Decimal(0)),
            },
        )
    ]
    if proposal:
        basis_label = _({"salary": "gross paid", "equal": "equal parts", "hours": "hours"}[proposal.basis])
        tables.append(
            Table(
                _("Surplus split proposal for the general assembly (result {amount})").format(
                    amount=i18n.money(proposal.result)
                ),
                [
                    Column("label", "Part"),
                    Column("rate", "Rate", "rate"),
                    Column("amount", "Amount", "money"),
                ],
                [
                    {"label": _(PART_LABELS[p["part"]]), "rate": p["rate"], "amount": p["amount"]}
                    for p in parts
                ],
                {"label": "Total", "amount": proposal.result},
            )
        )
        tables.append(
            Table(
                _("Workers' share by employee (basis: {basis})").format(basis=basis_label),
                [
                    Column("member", "Member"),
                    Column("name", "Name"),
                    Column(
                        "basis",
                        "Gross paid" if proposal.basis == "salary" else "Basis",
                        "money" if proposal.basis == "salary" else "text",
                    ),
                    Column("amount", "Share", "money"),
                ],
                [
                    dict(
                        w,
                        basis=w["basis"]
                        if proposal.basis == "salary"
                        else f"{w['basis']:.2f}".rstrip("0").rstrip("."),
                    )
                    for w in workers
                ],
                {"member": "Total", "amount": proposal.amount("workers_share")},
            )
        )
    notes = [
        _("The cooperative's own result for {year}: {amount} (into Equity:Coop:Result).").format(
            year=plan.year, amount=i18n.money(plan.coop_result)
        )
    ]
    notes += [p.message for p in result.notes]
    if result.already_closed and not result.surplus_file:
        notes.append(
            _("{year} is closed (ledgers/closing/{year}-year.beancount): shown as it was closed.").format(
                year=plan.year
            )
        )
    if result.dry_run:
        notes.append(_("Dry run: nothing was written."))
    elif result.written:
        notes.append(
            _(
                "Written: {closing} (the year's transfers) and openings/{opening} "
                "({next} opens from these balances)."
            ).format(
                closing=result.written.closing_file.name,
                opening=result.written.opening_file.name,
                next=plan.year + 1,
            )
        )
    if result.surplus_file:
        notes.append(_("Surplus split booked in {file}.").format(file=result.surplus_file.name))
    elif proposal and (not result.dry_run or result.already_closed):
        notes.append(
            _(
                "Nothing is booked for the split until the general assembly decides: then run "
                "coopctl close-year {year} --apply-surplus --date YYYY-MM-DD."
            ).format(year=plan.year)
        )
    return Report(data, tables, notes)


# --------------------------------------------------------------------------- statement


@app.command("statement")
def statement_command(
    member: Annotated[
        Optional[str],
        typer.Argument(metavar="[MEMBER]", help="Member id (default: COOPCTL_MEMBER, or git's user.email)."),
    ] = None,
    year: Annotated[
        Optional[str], typer.Option("--year", metavar="YYYY", help="The year (default: this year).")
    ] = None,
    html: Annotated[
        Optional[Path],
        typer.Option("--html", metavar="FILE", help="Also write a printable HTML page to FILE."),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """A member's annual statement: revenue, contributions, expenses, salary, reserve, month by month.

    Examples:

      coopctl statement alice --year 2026

      coopctl statement alice --year 2026 --html alice-2026.html

      coopctl statement alice --year 2026 --format csv
    """
    parsed = _parse_year(year) if year else _today().year
    with _loading():
        result = service.statement(state.root, member, parsed)
    report = statement_report(result)
    if html is not None:
        from coopctl.ui.statement_html import statement_html

        service.write_export(html, statement_html(result), state.root)
        report.notes.append(_("Printable page written to {file}.").format(file=html))
    render(report, fmt, _console())


def _statement_row(m) -> dict[str, Any]:
    return {
        "month": str(m.month),
        "status": "closed" if m.closed else "open",
        "revenue": m.revenue,
        "contribution": m.contribution,
        "expenses": m.expenses,
        "salary_cost": m.salary_cost,
        "reserve_brought_in": m.equity,
        "gross": m.gross,
        "bonus": m.bonus,
        "net": m.net,
        "balance": m.closing_balance,
    }


def statement_report(result) -> Report:
    months = [_statement_row(m) for m in result.months]
    before = None
    if result.before_joining is not None:  # the year's months before the member joined, summed
        before = dict(
            _statement_row(result.before_joining),
            month=None,
            **{"from": str(result.before_joining.since), "to": str(result.before_joining.month)},
        )
    totals = result.totals()
    totals = {("reserve_brought_in" if key == "equity" else key): value for key, value in totals.items()}
    data = {
        "member": result.member.id,
        "name": result.member.name,
        "activity": result.activity_id,
        "year": result.year,
        "shared_with": list(result.shared_with),
        "reserve_start": result.reserve_start,
        "reserve_end": result.reserve_end,
        "totals": totals,
        "before_joining": None if before is None else {k: v for k, v in before.items() if k != "month"},
        "months": months,
    }
    rows = months
    if before is not None:
        rows = [dict(before, month=f"{before['from']}..{before['to']}", status=N_("before joining"))] + months
    table = Table(
        f"{result.member.name} — {result.activity_name} ({result.activity_id}), {result.year}",
        [
            Column("month", "Month"),
            Column("status", "Status", "label"),
            Column("revenue", "Revenue", "money"),
            Column("contribution", "Contribution", "money"),
            Column("expenses", "Expenses", "money"),
            Column("salary_cost", "Salary cost", "money"),
        ]
        + (
            [Column("reserve_brought_in", "Reserve brought in", "money")]
            if totals["reserve_brought_in"]
            else []
        )
        + [
            Column("gross", "Your gross", "money"),
            Column("bonus", "of which bonus", "money"),
            Column("net", "Your net", "money"),
            Column("balance", "Balance", "money"),
        ],
        rows,
        dict(totals, month="Year", balance=result.reserve_end),
    )
    notes = [
        _("Reserve of {activity} at the start of {year}: {start}; at the end: {end}.").format(
            activity=result.activity_id,
            year=result.year,
            start=i18n.money(result.reserve_start),
            end=i18n.money(result.reserve_end),
        )
    ]
    if before is not None:
        notes.append(
            _(
                "{member} joined {activity} on {day}: "
                "the first line sums the activity's months of {year} before that "
                "({first} to {last})."
            ).format(
                member=result.member.id,
                activity=result.activity_id,
                day=i18n.date(result.member.joined),
                year=result.year,
                first=before["from"],
                last=before["to"],
            )
        )
    if result.shared_with:
        notes.append(
            _(
                "{activity} is shared with {others}: revenue, expenses and salary cost are the activity's; "
                "your gross and net are yours."
            ).format(activity=result.activity_id, others=", ".join(result.shared_with))
        )
    if any(m["status"] == "open" for m in months):
        notes.append(
            _(
                "Open months show what is booked so far; "
                "contribution and salary are booked when the month is closed."
            )
        )
    return Report(data, [table], notes)


# --------------------------------------------------------------------------- review


@app.command("review")
def review_command(
    rev_range: Annotated[
        Optional[str],
        typer.Argument(
            metavar="[REV_RANGE]",
            help="Git revisions: A..B, A...B, or A (against the working tree). "
            "Default: HEAD against the working tree.",
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """What a change does to the members' money, for reviewers. Exit 1 if it touches a closed month.

    Shows each activity whose balance changes, revenue and contribution changes by
    month, entries added, changed or removed in closed months, and config changes in words.

    Examples:

      coopctl review

      coopctl review origin/main..HEAD --format json
    """
    with _loading():
        result = service.review(state.root, rev_range)
    r = result.review
    activities = [
        {"id": c.activity_id, "balance_before": c.before, "balance_after": c.after, "change": c.change}
        for c in r.activities
    ]
    months = [
        {
            "activity": m.activity_id,
            "month": str(m.month),
            "revenue_before": m.revenue_before,
            "revenue_after": m.revenue_after,
            "contribution_before": m.contribution_before,
            "contribution_after": m.contribution_after,
        }
        for m in r.months
    ]
    touched = [
        {"month": str(c.month), "entry": c.entry, "change": c.change, "file": c.file, "line": c.line}
        for c in r.closed_months_touched
    ]
    unproven = [p.as_dict() for p in result.unproven]
    data = {
        "from": result.from_label,
        "to": result.to_label,
        "activities": activities,
        "months": months,
        "closed_months_touched": touched,
        "errors": unproven,
        "config_changes": [change.message for change in r.config_changes],
    }
    tables = [
        Table(
            f"Balances: {result.from_label} → {result.to_label}",
            [
                Column("id", "Activity"),
                Column("balance_before", "Before", "money"),
                Column("balance_after", "After", "money"),
                Column("change", "Change", "money"),
            ],
            activities,
        ),
        Table(
            "Revenue and contribution by month",
            [
                Column("activity", "Activity"),
                Column("month", "Month"),
                Column("revenue_before", "Revenue before", "money"),
                Column("revenue_after", "Revenue after", "money"),
                Column("contribution_before", "Contribution before", "money"),
                Column("contribution_after", "Contribution after", "money"),
            ],
            months,
        ),
    ]
    alerts = [
        f"closed month {t['month']}: entry {t['change']}: {t['entry']}"
        + (f" ({t['file']}:{t['line']})" if t["file"] else "")
        for t in touched
    ]
    alerts += [i18n.worded(p) for p in result.unproven]
    notes = [_("config: {change}").format(change=i18n.word(change)) for change in r.config_changes]
    if not (activities or months or touched or unproven or r.config_changes):
        notes.append("No change to balances, closed months or config.")
    render(Report(data, tables, notes, alerts), fmt, _console())
    if touched or result.unproven:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()
