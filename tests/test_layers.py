"""The layers show in the imports (issue 15): each package imports only what its docstring allows."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "coopctl"
# what each layer may import from coopctl (besides itself)
ALLOWED = {
    "domain": set(),
    "core": {"domain"},
    "adapter": {"domain", "core"},
    "store": {"domain", "adapter"},
    "app": {"domain", "core", "adapter", "store"},
    "ui": {"domain", "core", "app", "adapter", "store"},
    "fava": {"domain", "core", "app", "ui"},
}


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("coopctl"):
            found.add(node.module)
            if node.module == "coopctl":
                found |= {f"coopctl.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("coopctl")}
    return found


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((PACKAGE / layer).rglob("*.py")):
            for module in _imports(path):
                parts = module.split(".")
                if len(parts) < 2 or parts[1] in ("__version__",):
                    continue
                target = parts[1]
                if target != layer and target not in allowed and target in ALLOWED:
                    wrong.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert wrong == []


def test_the_core_imports_neither_beancount_nor_presentation():
    for path in sorted((PACKAGE / "core").rglob("*.py")) + sorted((PACKAGE / "domain").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        modules = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
            a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
        }
        assert not any(m.split(".")[0] in ("beancount", "rich", "typer", "babel", "yaml") for m in modules), (
            path
        )
