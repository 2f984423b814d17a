"""Fuzzing the loaders (issue 14): random bytes and random Unicode into every config field, random and
hostile lines into a month's ledger file. ``check`` and ``close-month --dry-run`` must answer cleanly:
exit 0, 1 or 2, no traceback, no exception escaping, error lines only (at most 21), no file written.

CI runs 30 examples per test; ``HYPOTHESIS_PROFILE=long`` runs 1,000 (see conftest).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from beancount.parser import options as beancount_options
from conftest import (
    COOP_YAML,
    EXAMPLE_ACTIVITIES,
    EXAMPLE_LEDGER,
    EXAMPLE_MEMBERS,
    run_cli,
    snapshot,
    write_coop,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopctl.domain.policy import REFUSED_PLUGINS, VETTED_PLUGINS

FUZZ = settings(
    max_examples=max(30, settings.default.max_examples),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

CONFIG = {
    "config/coop.yaml": COOP_YAML,
    "config/members.yaml": EXAMPLE_MEMBERS,
    "config/activities.yaml": EXAMPLE_ACTIVITIES,
}
MONTH_FILE = "ledgers/2026/2026-10.beancount"
_head, _body = EXAMPLE_LEDGER.split('\n2026-09-30 * "Reserves brought forward"', 1)
MAIN = _head + '\ninclude "2026/*.beancount"\n'
MONTH = '2026-09-30 * "Reserves brought forward"' + _body
COMMANDS = (["check"], ["close-month", "2026-10", "--dry-run"])
PLACEHOLDER = "FUZZ-PLACEHOLDER-7f3a"


def leaf_paths(value, path=()):
    """Every scalar of a YAML document, as a path of keys and indexes."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, path + (index,))
    else:
        yield path


DOCS = {rel: yaml.safe_load(text) for rel, text in CONFIG.items()}
FIELDS = [(rel, path) for rel, doc in DOCS.items() for path in leaf_paths(doc)]

UNICODE = st.text(st.characters(codec="utf-8"), max_size=30) | st.sampled_from(
    [
        "alice\n",
        "BoisNomade\n",
        "EUR\n",
        "\ufeffalice",
        "\u202ealice",
        "1\u00a0000,00",
        "١٢٣",
        "\x00",
        "𝟏𝟗𝟎𝟎.𝟎𝟎",
        "../../../etc/passwd",
        "{{7*7}}",
        "$(touch x)",
        "NaN",
        "-0",
        "1e999",
        "9999-12-31",
        "0001-01-01",
        "2026-02-30",
    ]
)
ANY_VALUE = st.one_of(
    UNICODE,
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.dates(),
    st.lists(UNICODE, max_size=3),
    st.dictionaries(UNICODE, UNICODE, max_size=2),
)


def assert_clean(run) -> None:
    assert run.exit_code in (0, 1, 2), (run.exit_code, run.stderr)
    assert "Traceback" not in run.stderr + run.stdout
    if run.exit_code:
        lines = run.stderr.strip().splitlines()
        assert lines and all(line.startswith(("error: ", "warning: ")) for line in lines), run.stderr
        assert len(lines) <= 21, len(lines)


def run_all(folder: Path) -> None:
    for args in COMMANDS:
        before = snapshot(folder)
        assert_clean(run_cli(folder, *args))  # run_cli re-raises any exception that is not a clean exit
        assert snapshot(folder) == before


def write_base(folder: Path) -> Path:
    return write_coop(folder, ledger=MAIN, extra_files={MONTH_FILE: MONTH})


def set_at(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@FUZZ
@given(
    st.sampled_from(FIELDS),
    st.one_of(ANY_VALUE.map(lambda v: ("value", v)), st.binary(max_size=30).map(lambda b: ("bytes", b))),
)
def test_random_values_in_every_config_field(field, value):
    rel, path = field
    kind, payload = value
    doc = yaml.safe_load(CONFIG[rel])
    set_at(doc, path, PLACEHOLDER if kind == "bytes" else payload)
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8", "surrogatepass")
    if kind == "bytes":  # raw bytes where the value was: maybe not UTF-8, maybe not YAML
        text = text.replace(PLACEHOLDER.encode(), payload)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_base(Path(tmp) / "coop")
        (folder / rel).write_bytes(text)
        run_all(folder)


def _option_line(draw) -> str:
    name = draw(st.sampled_from(sorted(beancount_options.OPTIONS)))
    return f'option "{name}" "{draw(UNICODE).replace(chr(34), "")}"'


HOSTILE_LINES = st.one_of(
    st.builds(
        lambda name, config: f'plugin "{name}"' + (f' "{config}"' if config is not None else ""),
        st.sampled_from(
            sorted(VETTED_PLUGINS) + sorted(REFUSED_PLUGINS) + ["os", "evil", "beancount.ops.pad"]
        ),
        st.none()
        | st.sampled_from(
            ["{}", "__import__('os').getcwd()", "(a+)+$", "0.01", "Income:Activity:BoisNomade"]
        ),
    ),
    st.builds(
        lambda year, annotation: (
            f'{year:04d}-10-26 * "x"\n  Income:Activity:BoisNomade  -1000.00 EUR{annotation}\n'
            "  Assets:Bank:Main"
        ),
        st.integers(1, 9999),
        st.sampled_from(["", " @ 0.001 EUR", " @@ 1 EUR", " {0.001 EUR}", " @ 1 USD"]),
    ),
    st.builds(
        lambda path: f'2026-10-01 document Assets:Bank:Main "{path}"',
        st.sampled_from(["/etc/passwd", "../../x", "statements/a.pdf", "\x00", ""]),
    ),
    st.builds(
        lambda pattern: f'include "{pattern}"',
        st.sampled_from(
            [
                "/etc/*",
                "/**/*",
                "../../*",
                "**/*.beancount",
                "2026-10.beancount",
                "*",
                "\x00/*",
                "[",
                "../*/../*",
            ]
        ),
    ),
)


@st.composite
def option_lines(draw):
    return _option_line(draw)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.integers(0, 10_000),
            st.one_of(
                UNICODE.map(lambda t: t.encode("utf-8", "surrogatepass")),
                st.binary(max_size=40),
                HOSTILE_LINES.map(str.encode),
                option_lines().map(lambda t: t.encode("utf-8", "surrogatepass")),
            ),
        ),
        min_size=1,
        max_size=4,
    ),
    st.booleans(),
)
def test_random_lines_in_a_month_file(insertions, append):
    lines = MONTH.encode("utf-8").splitlines(keepends=True)
    for index, line in insertions:
        if append:
            lines.append(b"\n" + line + b"\n")
        else:
            lines.insert(index % (len(lines) + 1), line + b"\n")
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_base(Path(tmp) / "coop")
        (folder / MONTH_FILE).write_bytes(b"".join(lines))
        run_all(folder)


def test_the_base_cooperative_is_clean():
    """The fuzzed cooperative starts clean, so that what the fuzz finds comes from its edits."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_base(Path(tmp) / "coop")
        for args in COMMANDS:
            run = run_cli(folder, *args)
            assert run.exit_code == 0, run.stderr
