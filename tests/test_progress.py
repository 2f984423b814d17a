"""Progress on long work (issue 18): a bar on a terminal after a second, nothing in a pipe."""

from __future__ import annotations

import io

from conftest import run_cli

from coopctl.adapter import progress
from coopctl.ui import cli


def test_progress_is_drawn_only_on_a_terminal_and_after_a_second():
    assert cli.progress_wanted(True, 1.0) and cli.progress_wanted(True, 12.5)
    assert not cli.progress_wanted(True, 0.99)
    assert not cli.progress_wanted(False, 1.0) and not cli.progress_wanted(False, 30.0)


def test_a_whole_load_tells_files_and_transactions_read(sample_copy, monkeypatch):
    monkeypatch.setenv("COOPCTL_NO_CACHE", "1")
    heard: list[tuple[str, int, int]] = []
    with progress.listening(lambda *event: heard.append(event)):
        assert run_cli(sample_copy, "check").exit_code == 0
    stages = [stage for stage, _files, _transactions in heard]
    assert stages.count("book") == 1 and stages.count("validate") == 1 and stages[0] == "read"
    reads = [event for event in heard if event[0] == "read"]
    assert [files for _s, files, _t in reads] == list(range(1, len(reads) + 1))  # one event a file
    assert reads[-1][2] > 100  # the sample's transactions, counted as they are read
    assert progress._listeners == []


def test_nothing_of_the_progress_reaches_a_pipe(sample_copy, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_AFTER", 0.0)  # even at once: standard error is not a terminal
    run = run_cli(sample_copy, "report", "2026-09")
    assert run.exit_code == 0 and run.stderr == ""
    assert "Reading the ledger" not in run.stdout and "transactions read" not in run.stdout


def test_on_a_terminal_the_bar_shows_files_and_transactions(sample_copy, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_AFTER", 0.0)
    monkeypatch.setenv("COOPCTL_NO_CACHE", "1")
    screen = io.StringIO()

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    import rich.console

    made = rich.console.Console

    def console(*args, **kwargs):
        kwargs.update(file=screen, force_terminal=True, width=120)
        kwargs.pop("stderr", None)
        return made(*args, **kwargs)

    monkeypatch.setattr(rich.console, "Console", console)
    monkeypatch.setattr(cli.sys, "stderr", Terminal())
    from coopctl.app import commands

    with cli._loading():
        commands.check(sample_copy, __import__("datetime").date(2026, 11, 2))
    drawn = screen.getvalue()
    assert "transactions read" in drawn and "files," in drawn
