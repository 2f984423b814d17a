"""The command line: parse, call one service function, render, map errors to exit codes.

Exit codes: 0 success, 1 data error (config, ledger, refused close), 2 usage error.
Every error is one line on standard error, with file:line where known; never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import importlib
import io
import os
import re
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from coopctl import __version__
from coopctl.domain.months import Month
from coopctl.domain.policy import MAX_YEAR, MIN_YEAR
from coopctl.domain.problems import EXIT_DATA, EXIT_USAGE, CoopctlError
from coopctl.ui import i18n
from coopctl.ui.i18n import N_, _
from coopctl.ui.remembered import remembered
from coopctl.ui.render import Format, render

if TYPE_CHECKING:
    from types import ModuleType

    import click
    from rich.console import Console

    from coopctl.app import commands as service
    from coopctl.ui import render as rendering  # the views' Report type (cli.py builds none itself)
    from coopctl.ui import views
else:

    class _OnFirstUse:
        """A module imported when one of its names is first read: ``coopctl --version``, ``--help`` and
        shell completion import neither the services (Beancount, Pydantic) nor the views; a command
        imports what it uses when it runs (tests/test_import_weight.py keeps it so)."""

        def __init__(self, name: str) -> None:
            self._name = name

        def __getattr__(self, attr: str) -> Any:
            return getattr(importlib.import_module(self._name), attr)

    service = _OnFirstUse("coopctl.app.commands")
    views = _OnFirstUse("coopctl.ui.views")


def _click_classes(name: str) -> tuple[type, ...]:
    """The exception class ``name`` from the copy of click that recent Typer vendors, and from click itself
    when Typer uses it or something imported it (no exception of a module never imported can be raised)."""
    classes = []
    vendored: ModuleType | None
    try:
        from typer._click import exceptions as vendored  # Typer >= 0.25 ships its own click
    except ImportError:
        vendored = None
    if vendored is not None and hasattr(vendored, name):
        classes.append(getattr(vendored, name))
    if vendored is None or "click" in sys.modules:
        import click

        classes.append(getattr(click.exceptions, name))
    return tuple(classes)


def _stderr(line: str) -> None:
    sys.stderr.write(line.rstrip("\n") + "\n")


MAX_PROBLEM_LINES = 20


def _print_problems(problems) -> None:
    """Each problem once (identical lines are printed once), the first MAX_PROBLEM_LINES, then how many
    more."""
    i18n.set_language(i18n.user_language())  # standard error is for people: their language, even with JSON
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
        from coopctl.ui.params import lighten

        lighten(self)  # no Pydantic to coerce a command line (Typer >= 0.26 would import it)
        _tidy_help(self)
        args = _global_options_first(sys.argv[1:] if args is None else list(args))
        with _help_language(self, args):
            self._main(args, prog_name, complete_var, **extra)

    def _main(self, args, prog_name, complete_var, **extra):  # untyped like click's main
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
        except _click_classes("NoArgsIsHelpError") as exc:  # evaluated when raised
            typer.echo(exc.ctx.get_help() if exc.ctx else "", color=None)
            sys.exit(0)
        except _click_classes("UsageError") as exc:
            command = exc.ctx.command_path if exc.ctx else "coopctl"
            _stderr(f"error: {exc.format_message()} (see '{command} --help')")
            sys.exit(EXIT_USAGE)
        except _click_classes("ClickException") as exc:
            _stderr(f"error: {exc.format_message()}")
            sys.exit(exc.exit_code)
        except _click_classes("Abort"):
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


def _language_asked(args: list[str]) -> str:
    """The language of the command line (``--lang`` anywhere before ``--``, else the environment), read
    before click parses it so that ``--help`` can speak it too; an unknown language gives English here
    (the ``--lang`` callback reports it)."""
    explicit = None
    for index, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and index + 1 < len(args):
            explicit = args[index + 1]
        elif arg.startswith("--lang="):
            explicit = arg.partition("=")[2]
    lang = i18n.language_from_environment(explicit)
    return lang if lang in i18n.LANGUAGES else "en"


# Typer's own words in a --help screen (panel titles, default and required marks), by the names
# typer.rich_utils reads them under
HELP_WORDS = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
}
HELP_OPTION_TEXT = N_("Show this message and exit.")


def help_objects(group: "click.Command"):
    """The group, then each command, each with its parameters: the objects whose help texts ``--help``
    shows."""
    yield group, group.params
    for command in getattr(group, "commands", {}).values():
        yield from help_objects(command)  # a group's commands too (coopctl import bank)


GLOBAL_OPTIONS = ("--root", "--lang")


def _global_options_first(args: list[str]) -> list[str]:
    """``coopctl balance --root DIR`` as ``coopctl --root DIR balance``: the options of every command
    (``--root``, ``--lang``) are accepted after the command's name too (before any ``--``)."""
    front: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest += args[index:]
            break
        if arg in GLOBAL_OPTIONS:
            if index + 1 == len(args) or args[index + 1].startswith("-"):
                example = "--root ./my-coop" if arg == "--root" else "--lang fr"
                _stderr(f"error: {arg} needs a value, e.g. {example} (see 'coopctl --help')")
                sys.exit(EXIT_USAGE)
            front += args[index : index + 2]
            index += 2
            continue
        if arg.partition("=")[0] in GLOBAL_OPTIONS and "=" in arg:
            front.append(arg)
        else:
            rest.append(arg)
        index += 1
    return front + rest


def _tidy_help(group: "click.Command") -> None:
    """What ``--help`` shows of each parameter, for every command (those of other modules too): an optional
    argument's metavar once in brackets (``[YYYY-MM]``, not ``[[YYYY-MM]]``: recent Typer adds the brackets
    itself) and a flag without a value type (no ``<bool>``: a flag takes no value)."""
    from typer.core import TyperArgument

    brackets_added = hasattr(TyperArgument, "_usage_display_name")  # Typer >= 0.2x words [ARG] itself
    context = group.context_class(
        group, help_option_names=(group.context_settings or {}).get("help_option_names") or ["--help"]
    )
    pending = [group]
    while pending:
        command = pending.pop()
        pending.extend(getattr(command, "commands", {}).values())
        help_option = command.get_help_option(context)
        for param in [*command.params, *([help_option] if help_option is not None else [])]:
            metavar = param.metavar
            if getattr(param, "param_type_name", "") == "option":
                if getattr(param, "is_flag", False) and metavar is None:
                    param.metavar = ""
            elif (
                brackets_added
                and not param.required
                and metavar
                and metavar.startswith("[")
                and metavar.endswith("]")
            ):
                param.metavar = metavar[1:-1]


@contextlib.contextmanager
def _help_language(group: "click.Command", args: list[str]):
    """Translate the help texts of the app Typer has just built (``group``) into the language asked on
    the command line or in the environment; English leaves everything as it is."""
    lang = _language_asked(args)
    if lang == "en":
        yield
        return
    i18n.set_language(lang)
    from typer import rich_utils

    saved = {name: getattr(rich_utils, name) for name in HELP_WORDS if hasattr(rich_utils, name)}
    for name in saved:
        setattr(rich_utils, name, _(HELP_WORDS[name]))
    names = (group.context_settings or {}).get("help_option_names") or ["--help"]
    try:
        for command, params in help_objects(group):
            command.help = i18n.help_text(command.help)
            if command.short_help:
                command.short_help = i18n.help_text(command.short_help)
            for param in params:
                if getattr(param, "help", None):
                    param.help = i18n.help_text(param.help)  # type: ignore[attr-defined]
            help_option = command.get_help_option(group.context_class(command, help_option_names=names))
            if help_option is not None:
                help_option.help = _(HELP_OPTION_TEXT)
        yield
    finally:
        for name, value in saved.items():
            setattr(rich_utils, name, value)


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


# what makes Rich take standard output for a terminal although it is not one
RICH_TERMINAL_VARIABLES = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")


class _PlainConsole:
    """Standard output when it is not a terminal: tables are written as plain text (``render``) without
    importing Rich; anything else asked of it goes to the Rich console it stands for, made then."""

    is_terminal = False

    @property
    def file(self):  # read when written: CliRunner swaps sys.stdout
        return sys.stdout

    def __getattr__(self, name: str) -> Any:
        console = self.__dict__.get("console")
        if console is None:
            from rich.console import Console

            console = self.__dict__["console"] = Console(
                width=int(os.environ.get("COLUMNS", "0") or 0) or 160, no_color=True, highlight=False
            )
        return getattr(console, name)


def _console() -> "Console":
    """Standard output as a Rich console (imported only when standard output may be a terminal, or when
    something is printed through it: a pipe gets plain tables)."""
    if not _isatty(sys.stdout) and not any(os.environ.get(name) for name in RICH_TERMINAL_VARIABLES):
        return _PlainConsole()  # type: ignore[return-value]
    from rich.console import Console

    console = Console()
    if not console.is_terminal:
        console = Console(
            width=int(os.environ.get("COLUMNS", "0") or 0) or 160, no_color=True, highlight=False
        )
    return console


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


PROGRESS_AFTER = 1.0  # seconds: shorter work shows nothing
PROGRESS_STAGES = {
    "read": N_("Reading the ledger"),
    "book": N_("Booking"),
    "validate": N_("Validating"),
    "cache": N_("Filling the cache"),
}


def progress_wanted(on_terminal: bool, elapsed: float) -> bool:
    """Whether to draw the progress of a load: on a terminal only, once it has taken PROGRESS_AFTER."""
    return on_terminal and elapsed >= PROGRESS_AFTER


@contextlib.contextmanager
def _loading(message: str = N_("Loading the ledger…")):
    """A progress bar on standard error (files and transactions read, then booking, validation and the
    cache fill) when a load takes more than a second, on a terminal only: a pipe gets nothing."""
    if not _isatty(sys.stderr):
        yield
        return
    import time

    from coopctl.adapter import progress

    started = time.monotonic()
    seen: dict = {"stage": "", "files": 0, "transactions": 0, "bar": None}
    lock = threading.Lock()

    def draw() -> None:
        with lock:
            if seen["bar"] is None:
                if not progress_wanted(True, time.monotonic() - started):
                    return
                from rich.console import Console
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

                console = Console(stderr=True)
                if not console.is_terminal:
                    return
                bar = Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.fields[counts]}"),
                    TimeElapsedColumn(),
                    console=console,
                    transient=True,
                )
                seen["task"] = bar.add_task("", total=None, counts="")
                bar.start()
                seen["bar"] = bar
            counts = _("{files} files, {transactions} transactions read").format(
                files=f"{seen['files']:,}", transactions=f"{seen['transactions']:,}"
            )
            stage = PROGRESS_STAGES.get(seen["stage"])
            seen["bar"].update(seen["task"], description=_(stage or message), counts=counts)

    def listener(stage: str, files: int, transactions: int) -> None:
        seen.update(stage=stage, files=files, transactions=transactions)
        draw()

    timer = threading.Timer(PROGRESS_AFTER, draw)
    timer.daemon = True
    timer.start()
    try:
        with progress.listening(listener):
            yield
    finally:
        timer.cancel()
        with lock:
            if seen["bar"] is not None:
                seen["bar"].stop()


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
            "upward holding config/coop.yaml); also accepted after the command's name.",
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
    render(views.close_month(result, dry_run), fmt, _console())
    if result.loaded_whole_because is not None and _isatty(sys.stderr):
        # on a terminal, why this close was slow (a pipe gets the same output whichever path answered)
        from coopctl.domain.problems import Problem

        _print_problems(
            [
                Problem.of(
                    "close.loaded_whole",
                    N_("the closed months were read again in full, which takes longer: {reason}"),
                    severity="warning",
                    reason=result.loaded_whole_because,
                )
            ]
        )


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

    def build() -> "rendering.Report":
        with _loading():
            result, mine = service.balance(state.root, member, day)
        return views.balance(result, mine, day)

    if member is None and not os.environ.get("COOPCTL_MEMBER"):
        render(build(), fmt, _console())  # git's user.email names the member: asked to git each time
        return
    render(remembered(state.root, build, "balance", member, day, _today()), fmt, _console())


# --------------------------------------------------------------------------- simulate


def _parse_amount(value: Optional[str], what: str) -> Optional[Decimal]:
    """An amount typed for ``--gross``, ``--hours``…: the rule of coopctl.ui.amounts in the user's
    language; ambiguous or over-precise text is refused (exit 2), never guessed."""
    if value is None:
        return None
    from coopctl.ui.amounts import parse_amount

    amount = parse_amount(value, f"--{what}", i18n.user_language())
    if amount <= 0 or amount > Decimal("1000000"):
        raise typer.BadParameter(f"{what} must be a positive amount (got {value})")
    return amount


@app.command("simulate")
def simulate_command(
    member: Annotated[str, typer.Argument(metavar="MEMBER", help="The member whose salary to simulate.")],
    gross: Annotated[
        Optional[str],
        typer.Option(
            "--gross",
            metavar="AMOUNT",
            help="The monthly gross salary to simulate, e.g. 2100.00 or 2,100.00 (French: 2 100,00).",
        ),
    ] = None,
    hours: Annotated[
        Optional[str],
        typer.Option("--hours", metavar="H", help="Hours a month (default: the contract's, or 151.67)."),
    ] = None,
    month: Annotated[
        Optional[str],
        typer.Option("--month", metavar="YYYY-MM", help="The month whose rates apply (default: this month)."),
    ] = None,
    largest: Annotated[
        bool,
        typer.Option(
            "--max",
            help="Instead of --gross: the largest gross the activity can afford each month for --months "
            "months (its balance + months × its average margin of the last 3 closed months).",
        ),
    ] = False,
    months: Annotated[
        Optional[int],
        typer.Option(
            "--months", metavar="N", min=1, max=120, help="With --max: the months ahead (default: 6)."
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """What a salary (or a raise) would cost the activity each month, the net, and how long the \
reserve pays it; with --max, the largest salary the activity can afford.

    Examples:

      coopctl simulate alice --gross 2100.00

      coopctl simulate dan --gross 1850.00 --hours 151.67 --format json

      coopctl simulate alice --max --months 12
    """
    if largest == (gross is not None):
        raise typer.BadParameter("give either --gross AMOUNT or --max")
    if months is not None and not largest:
        raise typer.BadParameter("--months goes with --max")
    if largest:
        from coopctl.app.simulate_max import simulate_max
        from coopctl.ui.views_simulate_max import simulate_max as simulate_max_view

        with _loading():
            found, projection = simulate_max(
                state.root, member, months or 6, _parse_amount(hours, "hours"), _parse_month(month), _today()
            )
        render(simulate_max_view(found, projection), fmt, _console())
        return
    amount = _parse_amount(gross, "gross")
    with _loading():
        result = service.simulate(
            state.root, member, amount, _parse_amount(hours, "hours"), _parse_month(month), _today()
        )
    render(views.simulate(result), fmt, _console())


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
    lines = tutor_portfolio(coop, figures, tutor, day, alerts)
    render(views.tutor(coop, lines, tutor, day), fmt, _console())


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
    month_file = next((path for path in written if path.parent.name.isdigit()), None)
    if month_file is not None:
        console.print(
            f"Then add activities and members (config/), and post this month's entries in "
            f"{month_file.relative_to(folder)}: docs/first-month.md walks through a first month.",
            highlight=False,
        )


# --------------------------------------------------------------------------- payroll export


class PayrollGroup(TyperGroup):
    """``payroll MONTH`` is the export, as it was before ``payroll`` became a group; ``payroll import FILE``
    (``cli_payroll_import``) is a subcommand: a first word naming a subcommand goes to it, anything else is
    the export's arguments and options."""

    allow_interspersed_args = True

    def parse_args(self, ctx, args):  # untyped like click's (click or the copy Typer vendors)
        if args and args[0] in self.commands:
            super(TyperGroup, self).parse_args(ctx, [])  # the export's own parameters keep their defaults
            ctx._protected_args, ctx.args = args[:1], args[1:]
            return ctx.args
        rest = super(TyperGroup, self).parse_args(ctx, args)
        if rest:
            ctx.fail(f"Got unexpected extra argument(s) ({' '.join(rest)})")
        ctx.args = []
        return []

    def get_params(self, ctx):  # untyped like click's
        params = super().get_params(ctx)
        if ctx.command is not self:  # a subcommand's usage line: the export's month is not part of its path
            params = [p for p in params if getattr(p, "param_type_name", "") != "argument"]
        return params


payroll_app = typer.Typer(cls=PayrollGroup, rich_markup_mode="rich", subcommand_metavar="| import FILE.csv …")
app.add_typer(payroll_app, name="payroll")


@payroll_app.callback(invoke_without_command=True)
def payroll_command(
    ctx: typer.Context,
    month: Annotated[Optional[str], typer.Argument(metavar="YYYY-MM", help="A closed month.")] = None,
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

    The real payroll, reconciled: coopctl payroll import FILE.csv (see coopctl payroll import --help).
    """
    if ctx.invoked_subcommand is not None:
        return
    if month is None:
        ctx.fail("Missing argument 'YYYY-MM'.")
    parsed = _parse_month(month)
    assert parsed is not None
    with _loading():
        rows = service.payroll(state.root, parsed, _today())
    report = views.payroll(parsed, rows)
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

    def build() -> "rendering.Report":
        with _loading():
            state_ = service.treasury(state.root, day)
        return views.treasury(state_, day)

    render(remembered(state.root, build, "treasury", day, _today()), fmt, _console())


# --------------------------------------------------------------------------- report


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
    parsed, today = _parse_month(month), _today()

    def build() -> "rendering.Report":
        with _loading():
            result, treasury = service.report(state.root, parsed, today)
        return views.report(result, treasury)

    render(remembered(state.root, build, "report", parsed, today), fmt, _console())


# --------------------------------------------------------------------------- members


@app.command("members")
def members_command(as_of: AsOfOption = None, fmt: FormatOption = Format.table) -> None:
    """The members: phase (CAPE, CESA), associate, tutor, activity, establishment, balance.

    Examples:

      coopctl members

      coopctl members --as-of 2026-06-30 --format csv
    """
    day = _parse_date(as_of) or _today()

    def build() -> "rendering.Report":
        with _loading():
            members, lifecycle = service.members(state.root, day)
        return views.members(members, lifecycle, day)

    render(remembered(state.root, build, "members", day, _today()), fmt, _console())


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
        render(views.check(problems), fmt, _console())
    else:
        _print_problems(problems)
        if not errors and books is not None:
            _console().print(views.check_summary(books), highlight=False)
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
    render(views.close_year(result), fmt, _console())


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
    report = views.statement(result)
    if html is not None:
        from coopctl.ui.statement_html import statement_html

        service.write_export(html, statement_html(result), state.root)
        report.notes.append(_("Printable page written to {file}.").format(file=html))
    render(report, fmt, _console())


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
    render(views.review(result), fmt, _console())
    if result.review.closed_months_touched or result.unproven:
        raise typer.Exit(1)


# Command modules (coopctl/ui/cli_<feature>.py) are imported above this line, once each. They import the
# services, Beancount, Pydantic or Rich inside their command functions, never at their top:
# tests/test_import_weight.py fails when ``coopctl --version``, ``--help`` or a warm answer imports them.


def main() -> None:
    """Console-script entry point."""
    app()


from coopctl.ui import cli_bank as _cli_bank  # noqa: E402,F401  (registers import bank)
from coopctl.ui import cli_claims as _cli_claims  # noqa: E402,F401  (issue 17, item 5)
from coopctl.ui import (  # noqa: E402,F401  (h17: coopctl fec, coopctl vat)
    cli_fec,
    cli_payroll_import,  # noqa: E402,F401  (payroll import)
    cli_vat,
)
from coopctl.ui import cli_receivables as _cli_receivables  # noqa: E402,F401  (registers its command)
