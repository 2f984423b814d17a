"""Warm reads at the interpreter's floor (issue 18): what a command line imports, in a fresh interpreter.

``--version``, ``--help`` and shell completion import neither Beancount, Pydantic, YAML nor the services;
a warm read-only command (the cache current) imports neither Beancount nor Pydantic. A module added to the
CLI (``coopctl/ui/cli_<feature>.py``, imported at the end of cli.py) that imports heavy modules at its top
makes these tests fail: import them inside the command's function instead.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import write_coop

# never for --version, --help or completion
HEAVY = (
    "beancount",
    "pydantic",
    "pydantic_core",
    "yaml",
    "babel",
    "coopctl.app",
    "coopctl.adapter",
    "coopctl.core",
    "coopctl.domain.cooperative",
    "coopctl.store.configfile",
    "coopctl.ui.views",
)
# never for a warm read-only answer either
WARM_HEAVY = ("beancount", "pydantic", "pydantic_core", "yaml", "coopctl.app", "coopctl.domain.cooperative")

RUN = """
import json, sys
sys.argv = ["coopctl", *json.loads(sys.argv[1])]
from coopctl.ui.cli import main
try:
    main()
except SystemExit:
    pass
sys.__stderr__.write("\\nMODULES " + json.dumps(sorted(sys.modules)) + "\\n")
"""


def _modules(args: list[str], env: dict | None = None) -> tuple[set[str], str]:
    """The modules loaded by running ``coopctl ARGS`` in a new interpreter, and its standard output."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(args)],
        capture_output=True,
        text=True,
        env={**os.environ, "COOPCTL_MEMBER": "", "COOPCTL_ROOT": "", **(env or {})},
        timeout=120,
        check=False,
    )
    marker = proc.stderr.rfind("MODULES ")
    assert marker >= 0, proc.stderr
    return set(json.loads(proc.stderr[marker + len("MODULES ") :])), proc.stdout


def _heavy(modules: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


def test_importing_the_cli_imports_nothing_heavy():
    proc = subprocess.run(
        [sys.executable, "-c", "import json, sys, coopctl.ui.cli; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    modules = set(json.loads(proc.stdout))
    assert _heavy(modules, (*HEAVY, "rich")) == []
    assert "click" not in modules  # Typer's own copy of click is enough


def test_version_imports_nothing_heavy():
    modules, out = _modules(["--version"])
    assert out.startswith("coopctl ")
    assert _heavy(modules, (*HEAVY, "rich")) == []


def test_help_imports_neither_ledger_nor_config_machinery():
    for args in (["--help"], ["balance", "--help"], ["close-month", "--help"], ["--lang", "fr", "--help"]):
        modules, out = _modules(args)
        assert "Usage" in out or "Utilisation" in out, out
        assert _heavy(modules) == [], args


def test_completion_imports_nothing_heavy():
    modules, out = _modules(
        [], env={"_COOPCTL_COMPLETE": "complete_bash", "COMP_WORDS": "coopctl bal", "COMP_CWORD": "1"}
    )
    assert "balance" in out
    assert _heavy(modules, (*HEAVY, "rich")) == []


def test_a_warm_balance_and_report_import_neither_beancount_nor_pydantic(tmp_path: Path):
    folder = write_coop(tmp_path / "coop")
    env = {"COOPCTL_CACHE_DIR": str(tmp_path / "cache")}
    cold, _out = _modules(["--root", str(folder), "members"], env)
    assert "beancount" in cold  # the first run loads the ledger, and fills the cache
    for args in (["balance", "alice", "--as-of", "2026-10-31"], ["report", "2026-10", "--format", "json"]):
        argv = ["--root", str(folder), *args]
        _modules_first, first = _modules(argv, env)
        warm, again = _modules(argv, env)
        assert again == first and first.strip()
        assert _heavy(warm, WARM_HEAVY) == [], args
