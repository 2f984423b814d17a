"""One include rule for the load, the cache and close-month (``adapter.includes``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopctl.adapter.includes import expand, reaches

MAIN = Path("/coop/ledgers/main.beancount")


@pytest.mark.parametrize(
    ("pattern", "target", "expected"),
    [
        ("closing/*.beancount", "/coop/ledgers/closing/2026-10.beancount", True),
        ("closing/*.beancount", "/coop/ledgers/closing/old/2026-10.beancount", False),  # * stays in a folder
        ("**/*.beancount", "/coop/ledgers/closing/old/2026-10.beancount", True),
        ("*.beancount", "/coop/ledgers/.hidden.beancount", False),  # no leading dot, as glob
        ("../ledgers/closing/*.beancount", "/coop/ledgers/closing/2026-10.beancount", True),
        ("/coop/ledgers/closing/2026-1?.beancount", "/coop/ledgers/closing/2026-10.beancount", True),
        ("closing/2026-0[1-9].beancount", "/coop/ledgers/closing/2026-10.beancount", False),
    ],
)
def test_reaches_follows_globs_rules(pattern, target, expected):
    assert reaches(pattern, MAIN, Path(target)) is expected


def test_reaches_agrees_with_the_expansion_on_files_that_exist(tmp_path):
    """Whatever exists, ``reaches`` says yes exactly for the files ``expand`` (glob) lists."""
    root = tmp_path / "coop"
    for rel in (
        "ledgers/2026/2026-01.beancount",
        "ledgers/2026/sub/x.beancount",
        "ledgers/closing/2026-01.beancount",
        "ledgers/.hidden.beancount",
        "ledgers/a.beancount",
    ):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    main = root / "ledgers" / "main.beancount"
    main.write_text("")
    everything = sorted(p.resolve() for p in root.rglob("*.beancount"))
    for pattern in (
        "*.beancount",
        "2026/*.beancount",
        "**/*.beancount",
        "closing/*.beancount",
        "2026/**/*.beancount",
    ):
        listed = set(expand(pattern, main.resolve(), root.resolve()).files)
        assert {p for p in everything if reaches(pattern, main.resolve(), p)} == listed, pattern


def test_expand_refuses_a_way_out_before_listing(tmp_path):
    main = tmp_path / "coop" / "ledgers" / "main.beancount"
    main.parent.mkdir(parents=True)
    assert expand("/**/*", main, (tmp_path / "coop").resolve()).outside == Path("/")
    assert expand("x\x00y", main, tmp_path).invalid
    assert not expand("nothing/*.beancount", main, (tmp_path / "coop").resolve()).matched
