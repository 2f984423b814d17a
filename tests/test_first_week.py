"""A new treasurer's first week (issue 19): the stumbles found walking it, each pinned by a test."""

from __future__ import annotations

import pytest
import typer.main

from coopctl.ui.cli import app
from tests.conftest import run_cli


def _command_paths():
    group = typer.main.get_command(app)
    paths = [[]]
    pending = [([], group)]
    while pending:
        prefix, command = pending.pop()
        for name, sub in getattr(command, "commands", {}).items():
            paths.append([*prefix, name])
            pending.append(([*prefix, name], sub))
    return paths


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_help_of_every_command_has_plain_metavars(lang):
    paths = _command_paths()
    assert len(paths) > 10
    for path in paths:
        run = run_cli(None, "--lang", lang, *path, "--help")
        assert run.exit_code == 0, (path, run.stderr)
        assert "[[" not in run.stdout and "]]" not in run.stdout, (path, run.stdout)
        assert "<bool>" not in run.stdout, (path, run.stdout)
    usage = run_cli(None, "close-month", "--help").stdout
    assert "Usage: coopctl close-month [OPTIONS] [YYYY-MM]" in usage
