"""The README and docs/ (issue 15): every relative link resolves, the README stays a first read, and
scripts/update_readme.py keeps every generated block of README.md and docs/*.md current."""

from __future__ import annotations

import importlib.util
import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

FENCE = re.compile(r"^```.*?^```[^\n]*$", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\]\n]|\][^(\n])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)


def prose(text: str) -> str:
    """The text without fenced code blocks or code spans: links there are not links."""
    return CODE_SPAN.sub("", FENCE.sub("", text))


def links(text: str) -> list[str]:
    return LINK.findall(prose(text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lowercase, markup and punctuation dropped, spaces as dashes."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(text: str) -> set[str]:
    seen: dict[str, int] = {}
    out = set()
    for heading in HEADING.findall(FENCE.sub("", text)):
        base = slug(heading)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.add(base if count == 0 else f"{base}-{count}")
    return out


def broken_links(doc: Path, root: Path = REPO) -> list[str]:
    text = doc.read_text(encoding="utf-8")
    broken = []
    for target in links(text):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not a file of the repository
            continue
        path, _, anchor = target.partition("#")
        file = (doc.parent / path).resolve() if path else doc
        if not file.exists():
            broken.append(f"{target}: no file {file}")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading #{anchor} in {file.name}")
        elif not file.is_relative_to(root.resolve()):
            broken.append(f"{target}: outside the repository")
    return broken


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(REPO)) for d in DOCS])
def test_every_relative_link_resolves(doc):
    assert broken_links(doc) == []


def test_the_link_checker_sees_a_broken_file_and_a_broken_anchor(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "b.md").write_text(
        "# Safety\n\n## What `coopctl check` proves — closed months\n", encoding="utf-8"
    )
    doc = tmp_path / "a.md"
    doc.write_text(
        "[ok](docs/b.md#what-coopctl-check-proves--closed-months) [self](#top)\n# Top\n"
        "[gone](docs/c.md) [bad](docs/b.md#safety-1) `[code](nowhere.md)`\n"
        "```\n[fenced](nowhere.md)\n```\n[web](https://example.org/x.md)\n",
        encoding="utf-8",
    )
    assert [b.split(":")[0] for b in broken_links(doc, tmp_path)] == ["docs/c.md", "docs/b.md#safety-1"]


def test_the_readme_is_a_first_read_and_links_every_doc():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    first_blocks = re.findall(r"^```sh\n(.*?)\n```", readme, re.S | re.M)[:2]
    assert first_blocks == [
        "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/coopctl close-month --dry-run",
        'python3 -m venv .venv && .venv/bin/pip install -q ".[test]" && .venv/bin/python -m pytest',
    ]
    linked = {(REPO / target.partition("#")[0]).resolve() for target in links(readme)}
    for doc in (REPO / "docs").glob("*.md"):
        assert doc.resolve() in linked, f"README.md does not link {doc.name}"


def load_updater():
    spec = importlib.util.spec_from_file_location("update_readme", REPO / "scripts" / "update_readme.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_updater_keeps_the_readme_and_every_doc_and_the_reference():
    updater = load_updater()
    kept = set(updater.documents())
    assert {Path("README.md"), Path("docs/reference.md")} | {
        p.relative_to(REPO) for p in (REPO / "docs").glob("*.md")
    } <= kept
    reference = updater.reference()
    for name in ["close-month", "balance", "check", "review", "close-year", "statement", "payroll", "init"]:
        assert f"<!-- coopctl: {name} --help -->" in reference
    assert "<!-- coopctl: --help -->" in reference


def test_a_stale_block_in_a_doc_is_rewritten():
    updater = load_updater()
    stale = "<!-- coopctl: check --help -->\n```\n$ coopctl check --help\nsomething old\n```\n"
    fresh = updater.render(stale)
    assert fresh != stale and "Usage: coopctl check" in fresh
