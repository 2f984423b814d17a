"""Keep coopctl's gettext catalogues current: extract the texts, merge them into each .po, compile the .mo.

    python scripts/compile_catalogues.py           # update coopctl/ui/locale/*/LC_MESSAGES/coopctl.{po,mo}
    python scripts/compile_catalogues.py --check   # exit 1 when a text has no translation or a .mo is stale

The texts are every string literal given to ``_()`` or ``N_()`` in coopctl/, and the headers and
constant titles of ``Column(...)`` and ``Table(...)``, and every ``extension._('...')`` of the Fava
extension's templates (coopctl/fava/templates/*.html), and the prose of every ``--help`` text of the
command line (paragraph by paragraph, examples left out). A new text enters each .po with an empty
translation, to be written by hand; a text no longer used is dropped.
"""

from __future__ import annotations

import ast
import datetime
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "coopctl"
LOCALES = PACKAGE / "ui" / "locale"


def extract() -> dict[str, list[tuple[str, int]]]:
    """Each text and where it is used (file, line)."""
    found: dict[str, list[tuple[str, int]]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            index = {"_": 0, "N_": 0, "Column": 1, "Table": 0}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                found.setdefault(arg.value, []).append((str(path.relative_to(ROOT)), node.lineno))
    for path in sorted((PACKAGE / "fava" / "templates").glob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_TEXT.finditer(text):
            found.setdefault(match.group(1) or match.group(2), []).append(
                (str(path.relative_to(ROOT)), text.count("\n", 0, match.start()) + 1)
            )
    for text in help_texts():
        found.setdefault(text, []).append(("coopctl/ui/cli.py", 1))
    return found


def help_texts() -> list[str]:
    """The prose of every ``--help`` text (the group's, each command's, each parameter's), paragraph by
    paragraph as ``coopctl.ui.i18n.help_text`` translates it; the examples are left out."""
    import typer.main

    sys.path.insert(0, str(ROOT))
    from coopctl.ui import i18n
    from coopctl.ui.cli import app, help_objects

    texts = []
    for command, params in help_objects(typer.main.get_command(app)):
        for text in [command.help, command.short_help, *(getattr(param, "help", None) for param in params)]:
            texts += [paragraph for paragraph, prose in i18n.help_paragraphs(text or "") if prose]
    return texts


# A label in a Fava template: extension._('text') or extension._("text") (no escapes inside).
TEMPLATE_TEXT = re.compile(r"""extension\._\((?:'([^']+)'|"([^"]+)")\)""")


def compiled(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def main() -> int:
    texts = extract()
    check = "--check" in sys.argv
    status = 0
    for po_path in sorted(LOCALES.glob("*/LC_MESSAGES/coopctl.po")):
        with po_path.open("rb") as handle:
            old = read_po(handle)
        fixed = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)  # the same bytes on every run
        catalog = Catalog(
            locale=old.locale,
            project="coopctl",
            version="",
            charset="utf-8",
            creation_date=fixed,
            revision_date=fixed,
            last_translator="coopctl developers",
            language_team="coopctl developers",
            msgid_bugs_address="",
        )
        for text in sorted(texts):
            previous = old.get(text)
            catalog.add(text, previous.string if previous is not None else "", locations=texts[text][:3])
        missing = [m.id for m in catalog if m.id and not m.string]
        mo_path = po_path.with_suffix(".mo")
        mo = compiled(catalog)
        if check:
            if missing:
                print(
                    f"{po_path.relative_to(ROOT)}: {len(missing)} texts without a translation, e.g. "
                    f"{missing[0]!r}"
                )
                status = 1
            if not mo_path.is_file() or mo_path.read_bytes() != mo:
                print(f"{mo_path.relative_to(ROOT)} is stale: run python scripts/compile_catalogues.py")
                status = 1
            continue
        buffer = io.BytesIO()
        write_po(buffer, catalog, width=120, omit_header=False, sort_output=True, include_lineno=False)
        po_path.write_bytes(buffer.getvalue())
        mo_path.write_bytes(mo)
        print(f"{po_path.relative_to(ROOT)}: {len(catalog) - 1} texts, {len(missing)} to translate")
    return status


if __name__ == "__main__":
    sys.exit(main())
