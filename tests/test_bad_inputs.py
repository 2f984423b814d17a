"""The bad-input catalogue: every bad input we tried and coopctl's answer.

Each case mutates the worked-example cooperative, runs one command and checks:
one line on standard error (with file:line where known), the exit code (1 data,
2 usage), no traceback, and not one byte written. ``docs/bad-inputs.md`` is
generated from these cases and their real answers:

    python tests/test_bad_inputs.py        # rewrites docs/bad-inputs.md
"""

from __future__ import annotations

import datetime
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import REPO, run_cli, snapshot, write_coop  # noqa: E402

from coopctl.core.bank import BankLine, identify  # noqa: E402

DOC = REPO / "docs" / "bad-inputs.md"


def replace(rel: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, (rel, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return apply


def write(rel: str, text: str | bytes) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))

    return apply


def append(rel: str, text: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        path = folder / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return apply


def remove(rel: str) -> Callable[[Path], None]:
    return lambda folder: (folder / rel).unlink()


def run_first(*args: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        result = run_cli(folder, *args)
        assert result.exit_code == 0, result.stderr

    return apply


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        for step in steps:
            step(folder)

    return apply


@dataclass
class Case:
    id: str
    area: str
    what: str
    mutate: Callable[[Path], None] | None
    expect: str
    args: list[str] = field(default_factory=lambda: ["close-month", "2026-10"])
    exit: int = 1


C, M, A, L = "config/coop.yaml", "config/members.yaml", "config/activities.yaml", "ledgers/main.beancount"
TXN = '\n2026-10-25 * "Extra"\n  Income:Activity:BoisNomade  -10.00 EUR\n  Assets:Bank:Main\n'

CASES = [
    # ---------------------------------------------------------------- YAML
    Case(
        "yaml-syntax",
        "config",
        "YAML syntax error (unclosed bracket)",
        replace(C, '{id: paris-11, name: "Paris 11e"}', '{id: paris-11, name: "Paris 11e"'),
        "config/coop.yaml:6: YAML syntax error",
    ),
    Case(
        "yaml-tab",
        "config",
        "a tab used for indentation",
        replace(M, '    name: "Alice Martin"', '\tname: "Alice Martin"'),
        "config/members.yaml:3: YAML syntax error",
    ),
    Case("empty-coop", "config", "empty coop.yaml", write(C, ""), "config/coop.yaml: file is empty"),
    Case(
        "empty-members",
        "config",
        "members.yaml with only a comment",
        write(M, "# nobody yet\n"),
        "config/members.yaml: file is empty",
    ),
    Case(
        "top-list",
        "config",
        "members.yaml is a list, not a mapping",
        write(M, "- id: alice\n"),
        "config/members.yaml:1: expected a mapping",
    ),
    Case(
        "unknown-key-coop",
        "config",
        "unknown key in coop.yaml (typo)",
        replace(C, "currency: EUR", "curency: EUR"),
        "config/coop.yaml:2: curency: unknown key",
    ),
    Case(
        "unknown-key-member",
        "config",
        "unknown key on a member",
        replace(M, "    tutor: mlefevre\n", "    tutor: mlefevre\n    salaire: x\n"),
        "config/members.yaml:7: members[0].salaire: unknown key",
    ),
    Case(
        "unquoted-money",
        "config",
        "money as a bare YAML number",
        replace(M, 'gross: "1900.00"', "gross: 1900.00"),
        "config/members.yaml:12: members[0].salary[1].gross: write money as a quoted decimal string, "
        'e.g. "1900.00"',
    ),
    Case(
        "unquoted-rate",
        "config",
        "a rate as a bare YAML number",
        replace(C, 'rate: "0.10"', "rate: 0.10"),
        'config/coop.yaml:9: contribution[0].rate: write a rate as a quoted decimal string, e.g. "0.10"',
    ),
    Case(
        "money-not-number",
        "config",
        "money that is not a number",
        replace(M, 'gross: "1900.00"', 'gross: "1 900,00"'),
        "members[0].salary[1].gross: '1 900,00' is not a decimal number",
    ),
    Case(
        "negative-money",
        "config",
        "a negative salary",
        replace(M, 'gross: "1900.00"', 'gross: "-1900.00"'),
        "members[0].salary[1].gross: amount -1900.00 is negative",
    ),
    Case(
        "absurd-money",
        "config",
        "an absurd salary",
        replace(M, 'gross: "1900.00"', 'gross: "190000000.00"'),
        "members[0].salary[1].gross: amount 190000000.00 is absurdly large",
    ),
    Case(
        "three-decimals",
        "config",
        "money with three decimals",
        replace(M, 'gross: "1900.00"', 'gross: "1900.005"'),
        "members[0].salary[1].gross: amount 1900.005 has more than two decimals",
    ),
    Case(
        "rate-above-one",
        "config",
        "a rate of 10 meaning 10%",
        replace(C, 'rate: "0.10"', 'rate: "10"'),
        'contribution[0].rate: rate 10 is outside [0, 1]; write 10% as "0.10"',
    ),
    Case(
        "negative-override",
        "config",
        "a negative contribution override",
        replace(A, "establishment: paris-11}", 'establishment: paris-11, contribution_rate: "-0.05"}'),
        "config/activities.yaml:2: activities[0].contribution_rate: rate -0.05 is outside [0, 1]",
    ),
    Case(
        "nan-rate",
        "config",
        "a rate written NaN",
        replace(C, 'employer_rate: "0.42"', 'employer_rate: "NaN"'),
        "payroll[0].employer_rate: 'NaN' is not a decimal number",
    ),
    Case(
        "wrong-type",
        "config",
        "establishments as a string",
        replace(C, 'establishments:\n  - {id: paris-11, name: "Paris 11e"}', 'establishments: "Paris 11e"'),
        "config/coop.yaml:4: establishments: Input should be a valid list",
    ),
    Case(
        "bad-date",
        "config",
        "an impossible date",
        replace(M, "joined: 2024-03-01", "joined: 2024-13-01"),
        "config/members.yaml:7: members[0].joined: Input should be a valid date",
    ),
    Case(
        "missing-key",
        "config",
        "a member without an activity",
        replace(M, "    activity: BoisNomade\n", ""),
        "config/members.yaml:2: members[0].activity: required key is missing",
    ),
    Case(
        "duplicate-id",
        "config",
        "two members with the same id",
        replace(M, "  - id: bob", "  - id: alice"),
        "config/members.yaml:13: members[1].id: duplicate id 'alice'",
    ),
    Case(
        "duplicate-key",
        "config",
        "the same key twice in a mapping",
        replace(M, "    tutor: mlefevre\n", "    tutor: mlefevre\n    tutor: mlefevre\n"),
        "config/members.yaml:7: members[0].tutor: duplicate key (first at line 6)",
    ),
    Case(
        "dangling-activity",
        "config",
        "a member of an unknown activity",
        replace(M, "activity: DanDesign", "activity: DanDezign"),
        "config/members.yaml:29: members[3].activity: unknown activity 'DanDezign'",
    ),
    Case(
        "dangling-tutor",
        "config",
        "a member with an unknown tutor",
        replace(M, "tutor: mlefevre", "tutor: mlefebvre"),
        "config/members.yaml:6: members[0].tutor: unknown tutor 'mlefebvre'",
    ),
    Case(
        "dangling-establishment",
        "config",
        "an activity in an unknown establishment",
        replace(
            A,
            '{id: DanDesign, name: "Dan Design", establishment: paris-11}',
            '{id: DanDesign, name: "Dan Design", establishment: lyon}',
        ),
        "config/activities.yaml:4: activities[2].establishment: unknown establishment 'lyon'",
    ),
    Case(
        "bad-activity-id",
        "config",
        "an activity id that is not an account component",
        both(
            replace(A, "id: DanDesign", "id: dan_design"),
            replace(M, "activity: DanDesign", "activity: dan_design"),
            remove(L),
            write(L, ""),
        ),
        "config/activities.yaml:4: activities[2].id: 'dan_design' is not a valid account component",
    ),
    Case(
        "bad-member-id",
        "config",
        "a member id with capitals",
        replace(M, "id: dan", "id: Dan"),
        "config/members.yaml:27: members[3].id: 'Dan' is not a member id",
    ),
    Case(
        "rates-out-of-order",
        "config",
        "rate schedule dates out of order",
        replace(
            C,
            '  - {from: 2024-01-01, rate: "0.10"}\n',
            '  - {from: 2024-01-01, rate: "0.10"}\n  - {from: 2023-01-01, rate: "0.12"}\n',
        ),
        "config/coop.yaml:10: contribution[1].from: dates must increase: 2023-01-01 is not after 2024-01-01",
    ),
    Case(
        "salary-out-of-order",
        "config",
        "salary amendments out of order",
        replace(M, '{from: 2026-01-01, gross: "1900.00"', '{from: 2024-01-01, gross: "1900.00"'),
        "config/members.yaml:12: members[0].salary[1].from: dates must increase",
    ),
    Case(
        "cesa-before-joining",
        "config",
        "CESA before joining",
        replace(M, "joined: 2024-03-01", "joined: 2024-10-01"),
        "config/members.yaml:8: members[0].cesa_from: CESA starts 2024-09-01, before joining on 2024-10-01",
    ),
    Case(
        "left-before-cesa",
        "config",
        "left before the CESA start",
        replace(M, "    associate_from: 2026-06-15\n", "    left: 2024-06-30\n"),
        "config/members.yaml:9: members[0].left: left 2024-06-30, before the CESA start 2024-09-01",
    ),
    Case(
        "associate-before-cesa",
        "config",
        "associate before CESA",
        replace(M, "associate_from: 2026-06-15", "associate_from: 2024-05-01"),
        "config/members.yaml:9: members[0].associate_from: an associate must be in the CESA phase first",
    ),
    Case(
        "cesa-without-salary",
        "config",
        "a CESA member without salary",
        replace(M, '    salary:\n      - {from: 2025-06-01, gross: "800.00", hours: "60"}\n', ""),
        "config/members.yaml:20: members[2].salary: a CESA member needs a salary schedule",
    ),
    Case(
        "below-smic",
        "config",
        "a salary below the minimum wage",
        replace(M, 'gross: "1900.00", hours: "151.67"', 'gross: "1500.00", hours: "151.67"'),
        "config/members.yaml:12: alice: gross 1500.00 for 151.67 h is below the minimum wage 1823.07",
    ),
    Case(
        "non-utf8",
        "config",
        "non-UTF-8 bytes (Latin-1 file)",
        write(M, 'members:\n  - id: chloe\n    name: "Chlo\xe9"\n'.encode("latin-1")),
        "config/members.yaml:3: not valid UTF-8",
    ),
    Case(
        "missing-file",
        "config",
        "activities.yaml missing",
        remove(A),
        "config/activities.yaml: file is missing",
    ),
    Case(
        "bad-currency",
        "config",
        "a currency that Beancount cannot write",
        replace(C, "currency: EUR", "currency: euro"),
        "config/coop.yaml:2: currency: 'euro' is not a Beancount currency",
    ),
    Case(
        "python-tag",
        "config",
        "a YAML tag that would run code",
        write(M, 'members: !!python/object/apply:os.system ["echo pwned"]\n'),
        "config/members.yaml:1: YAML error",
    ),
    Case(
        "negative-cap",
        "config",
        "a negative advance cap",
        replace(C, "advance_cap_months: 2", "advance_cap_months: -1"),
        "config/coop.yaml:13: treasury.advance_cap_months: Input should be greater than or equal to 0",
    ),
    Case(
        "hours-float",
        "config",
        "hours as a bare float",
        replace(M, 'hours: "151.67"', "hours: 151.67"),
        'members[0].salary[1].hours: write hours as a quoted decimal string, e.g. "151.67"',
    ),
    Case(
        "tiers-not-increasing",
        "config",
        "contribution brackets not increasing",
        replace(
            C,
            '  - {from: 2024-01-01, rate: "0.10"}\n',
            '  - from: 2024-01-01\n    tiers:\n      - {up_to: "45000.00", rate: "0.10"}\n'
            '      - {up_to: "35000.00", rate: "0.08"}\n      - {rate: "0.06"}\n',
        ),
        "config/coop.yaml:9: contribution[0]: tiers: up_to must be positive and increase from one "
        "bracket to the next",
    ),
    Case(
        "tiers-last-bounded",
        "config",
        "a last bracket with a bound",
        replace(
            C,
            '  - {from: 2024-01-01, rate: "0.10"}\n',
            '  - from: 2024-01-01\n    tiers:\n      - {up_to: "35000.00", rate: "0.10"}\n',
        ),
        "config/coop.yaml:9: contribution[0]: tiers: the last bracket has no up_to",
    ),
    Case(
        "rate-and-tiers",
        "config",
        "both rate and tiers in one entry",
        replace(
            C,
            '  - {from: 2024-01-01, rate: "0.10"}\n',
            '  - {from: 2024-01-01, rate: "0.10", tiers: [{rate: "0.06"}]}\n',
        ),
        "config/coop.yaml:9: contribution[0]: give either rate or tiers",
    ),
    Case(
        "tier-rate-outside",
        "config",
        "a bracket rate above 1",
        replace(
            C,
            '  - {from: 2024-01-01, rate: "0.10"}\n',
            '  - from: 2024-01-01\n    tiers:\n      - {up_to: "35000.00", rate: "1.5"}\n'
            '      - {rate: "0.06"}\n',
        ),
        "config/coop.yaml:11: contribution[0].tiers[0].rate: rate 1.5 is outside [0, 1]",
    ),
    Case(
        "ratio-points-not-increasing",
        "config",
        "employer table ratios not increasing",
        replace(
            C,
            'employer_rate: "0.42", employee_rate: "0.22"}',
            'employee_rate: "0.22", employer_rate_by_smic_ratio: [{ratio: "1.6", rate: "0.42"}, '
            '{ratio: "1.0", rate: "0.05"}]}',
        ),
        "config/coop.yaml:11: payroll[0]: employer_rate_by_smic_ratio: ratios must increase from one "
        "point to the next",
    ),
    Case(
        "two-employer-rules",
        "config",
        "both employer_rate and a table",
        replace(
            C,
            'employer_rate: "0.42", employee_rate: "0.22"}',
            'employer_rate: "0.42", employee_rate: "0.22", employer_rate_by_smic_ratio: [{ratio: '
            '"1.0", rate: "0.05"}]}',
        ),
        "config/coop.yaml:11: payroll[0]: give either employer_rate or employer_rate_by_smic_ratio",
    ),
    Case(
        "bonus-not-cesa",
        "config",
        "a bonus for a member in the CAPE phase",
        append(M, '    bonuses:\n      - {month: 2026-10, gross: "500.00"}\n'),
        "config/members.yaml:32: members[3].bonuses[0].month: a bonus in 2026-10, when dan is not in "
        "the CESA phase",
    ),
    Case(
        "bonus-bad-month",
        "config",
        "a bonus month written as a date",
        replace(
            M,
            '      - {from: 2026-01-01, gross: "1900.00", hours: "151.67"}\n',
            '      - {from: 2026-01-01, gross: "1900.00", hours: "151.67"}\n    bonuses:\n'
            '      - {month: 2026-10-01, gross: "500.00"}\n',
        ),
        "config/members.yaml:14: members[0].bonuses[0].month: write a month as YYYY-MM, e.g. 2026-12 "
        "(got the date 2026-10-01)",
    ),
    # ---------------------------------------------------------------- ledger
    Case(
        "ledger-syntax",
        "ledger",
        "a Beancount syntax error",
        append(L, '\n2026-10-26 * "Oops\n  Assets:Bank:Main 1 EUR\n'),
        "ledgers/main.beancount:",
    ),
    Case(
        "unbalanced",
        "ledger",
        "an unbalanced transaction",
        append(
            L,
            '\n2026-10-26 * "Oops"\n  Assets:Bank:Main  10.00 EUR\n  Income:Activity:BoisNomade  -9.00 EUR\n',
        ),
        "ledgers/main.beancount:42: Transaction does not balance: (1.00 EUR)",
    ),
    Case(
        "unopened-account",
        "ledger",
        "a posting to an account never opened",
        append(L, '\n2026-10-26 * "Oops"\n  Assets:Bank:Other  10.00 EUR\n  Assets:Bank:Main\n'),
        "ledgers/main.beancount:42: Invalid reference to unknown account 'Assets:Bank:Other'",
    ),
    Case(
        "unknown-activity",
        "ledger",
        "a posting to an activity the config does not know",
        append(
            L,
            '\n2020-01-01 open Income:Activity:Ghost\n2026-10-26 * "Oops"\n'
            "  Income:Activity:Ghost  -10.00 EUR\n  Assets:Bank:Main\n",
        ),
        "ledgers/main.beancount:44: posting to Income:Activity:Ghost: unknown activity 'Ghost'",
    ),
    Case(
        "wrong-currency",
        "ledger",
        "an activity posting in USD",
        append(
            L,
            "\n2020-01-01 open Income:Activity:BoisNomade:Export\n2020-01-01 open Assets:Cash\n"
            '2026-10-26 * "Oops"\n  Income:Activity:BoisNomade:Export  -10.00 USD\n  Assets:Cash\n',
        ),
        "ledgers/main.beancount:45: posting to Income:Activity:BoisNomade:Export in USD; activity "
        "amounts must be in EUR",
    ),
    Case(
        "missing-include",
        "ledger",
        "an include that matches no file",
        append(L, '\ninclude "2027/*.beancount"\n'),
        'ledgers/main.beancount:42: include "2027/*.beancount" matches no file',
    ),
    Case(
        "hand-edited-closing",
        "ledger",
        "a closing file edited by hand (one amount changed)",
        both(
            run_first("close-month", "2026-09"),
            replace("ledgers/closing/2026-09.beancount", "-1014.00 EUR", "-1004.00 EUR"),
        ),
        "ledgers/closing/2026-09.beancount:",
        args=["close-month", "2026-10"],
    ),
    Case(
        "ledger-missing",
        "ledger",
        "the ledger file named in coop.yaml is missing",
        replace(C, "ledger: ledgers/main.beancount", "ledger: ledgers/mian.beancount"),
        "config/coop.yaml: ledger file is missing (coop.yaml says ledger: ledgers/mian.beancount)",
    ),
    Case(
        "plugin",
        "ledger",
        "a plugin not listed in ledger_plugins",
        replace(L, 'option "title"', 'plugin "os"\noption "title"'),
        "ledgers/main.beancount:1: plugin 'os' is not allowed",
    ),
    Case(
        "raw-mode",
        "ledger",
        'option "plugin_processing_mode" "raw"',
        replace(L, 'option "title"', 'option "plugin_processing_mode" "raw"\noption "title"'),
        'ledgers/main.beancount:1: option "plugin_processing_mode" "raw" is refused',
    ),
    Case(
        "include-outside",
        "ledger",
        "an include outside the cooperative's folder",
        both(
            write("../outside.beancount", "2020-01-01 open Assets:Elsewhere\n"),
            append(L, '\ninclude "../../outside.beancount"\n'),
        ),
        "resolves outside the cooperative's folder",
    ),
    Case(
        "ledger-non-utf8",
        "ledger",
        "non-UTF-8 bytes in the ledger",
        write(L, b'2026-10-01 * "Caf\xe9"\n'),
        "ledgers/main.beancount:1: not valid UTF-8 (byte 0xe9 at position 17); save the file as UTF-8",
    ),
    Case(
        "closing-not-ours",
        "ledger",
        "a foreign file where the closing file goes",
        write("ledgers/closing/2026-10.beancount", "; my notes\n"),
        "ledgers/closing/2026-10.beancount: on disk but the main ledger does not include it",
    ),
    # ---------------------------------------------------------------- command line
    Case(
        "month-13",
        "command line",
        "month 13",
        None,
        "'2026-13' is not a month; write it as YYYY-MM",
        ["close-month", "2026-13"],
        2,
    ),
    Case(
        "month-word",
        "command line",
        "a month in words",
        None,
        "'octobre' is not a month",
        ["report", "octobre"],
        2,
    ),
    Case(
        "bad-date-arg",
        "command line",
        "an impossible --as-of date",
        None,
        "'2026-02-30' is not a date; write it as YYYY-MM-DD",
        ["balance", "alice", "--as-of", "2026-02-30"],
        2,
    ),
    Case(
        "unknown-member",
        "command line",
        "an unknown member",
        None,
        "no member 'zoe' (given on the command line) in config/members.yaml; coopctl members lists the "
        "members",
        ["balance", "zoe"],
    ),
    Case(
        "not-ended",
        "command line",
        "a month not ended yet",
        None,
        "9998-01 has not ended yet",
        ["close-month", "9998-01"],
    ),
    Case(
        "second-close",
        "command line",
        "closing a month twice",
        run_first("close-month", "2026-10"),
        "ledgers/closing/2026-10.beancount:15: 2026-10 is already closed",
    ),
    Case(
        "out-of-order",
        "command line",
        "closing a month while an earlier one is open",
        run_first("close-month", "2026-08"),
        "2026-09 is still open; months close in order, close 2026-09 first",
    ),
    Case(
        "unknown-command", "command line", "an unknown command", None, "No such command 'close'", ["close"], 2
    ),
    Case(
        "unknown-option",
        "command line",
        "an unknown option",
        None,
        "No such option: --month",
        ["close-month", "--month", "2026-10"],
        2,
    ),
    Case(
        "bad-format",
        "command line",
        "an unknown output format",
        None,
        "'xml' is not one of 'table', 'json', 'csv'",
        ["report", "--format", "xml"],
        2,
    ),
    Case(
        "year-before-december",
        "command line",
        "closing a year whose December is open",
        None,
        "close 2026-12 first: a year closes after its December (coopctl close-month 2026-12)",
        ["close-year", "2026"],
    ),
    Case(
        "year-word",
        "command line",
        "a year that is not one",
        None,
        "'26' is not a year; write it as YYYY",
        ["close-year", "26"],
        2,
    ),
    Case(
        "year-not-closed",
        "command line",
        "reopening a year that is not closed",
        None,
        "2025 is not closed",
        ["reopen", "2025"],
    ),
    Case(
        "surplus-against-the-law",
        "config",
        "a surplus split that breaks the law (dividends above the workers' share)",
        replace(
            C,
            "treasury:\n",
            'surplus: {legal_reserve: "0.15", development_fund: "0.30", workers_share: "0.25", '
            'dividends: "0.30"}\ntreasury:\n',
        ),
        "config/coop.yaml:12: surplus: dividends 0.30 exceed the workers' share 0.25",
        ["check"],
    ),
    Case(
        "unknown-language",
        "command line",
        "a language coopctl does not speak",
        None,
        "unknown language 'de': coopctl speaks en, fr",
        ["--lang", "de", "report"],
        2,
    ),
    Case(
        "statement-unknown-member",
        "command line",
        "a statement for an unknown member",
        None,
        "no member 'zoe' (given on the command line) in config/members.yaml",
        ["statement", "zoe", "--year", "2026"],
    ),
    # issue 14, hostile input: files and paths, the cache (h2)
    Case(
        "lock-symlink",
        "ledger",
        "a committed .coopctl.lock that is a symbolic link (to config/coop.yaml)",
        lambda folder: (folder / ".coopctl.lock").symlink_to(folder / "config" / "coop.yaml"),
        ".coopctl.lock: a symbolic link where coopctl's lock file should be",
    ),
    Case(
        "output-missing-folder",
        "command line",
        "an export into a folder that does not exist",
        run_first("close-month", "2026-10"),
        "cannot write /tmp/coopctl-no-such-folder/paie.csv: the folder /tmp/coopctl-no-such-folder "
        "does not exist; create it first",
        ["payroll", "2026-10", "--output", "/tmp/coopctl-no-such-folder/paie.csv"],
        2,
    ),
    Case(
        "output-folder",
        "command line",
        "a printable page written over a folder",
        None,
        "cannot write /tmp: it is a folder, not a regular file",
        ["statement", "alice", "--year", "2026", "--html", "/tmp"],
        2,
    ),
    Case(
        "cache-absurd-after-warm-run",
        "ledger",
        "an absurd amount added to a month's file after a run that filled the cache",
        both(
            append(L, 'include "months/*.beancount"\n'),
            write("ledgers/months/2026-11.beancount", ""),
            run_first("balance", "alice", "--as-of", "2026-10-31"),
            append(
                "ledgers/months/2026-11.beancount",
                '2026-11-02 * "Huge"\n  Income:Activity:BoisNomade  -1000000000000.00 EUR\n'
                "  Assets:Bank:Main\n",
            ),
        ),
        "ledgers/months/2026-11.beancount:2: amount -1000000000000.00 is absurd",
        ["balance", "alice", "--as-of", "2026-10-31"],
    ),
    Case(
        "cache-currency-after-warm-run",
        "ledger",
        "a posting in a currency its account does not allow, added after a run that filled the cache",
        both(
            append(L, 'include "months/*.beancount"\n2020-01-01 open Equity:Coop:Exchange\n'),
            write("ledgers/months/2026-11.beancount", ""),
            run_first("balance", "alice", "--as-of", "2026-10-31"),
            append(
                "ledgers/months/2026-11.beancount",
                '2026-11-02 * "Dollars"\n  Assets:Bank:Main  10.00 USD\n  Equity:Coop:Exchange\n',
            ),
        ),
        "Invalid currency USD for account 'Assets:Bank:Main'",
        ["balance", "alice", "--as-of", "2026-10-31"],
    ),
    # -------------------------------------------------------------- issue 14, hostile input when loading (h1)
    Case(
        "plugin-that-evals",
        "config",
        "coop.yaml lists a Beancount plugin that runs eval on its configuration",
        both(
            append(C, "ledger_plugins: [beancount.plugins.check_commodity]\n"),
            replace(
                L,
                'option "title"',
                'plugin "beancount.plugins.check_commodity" "__import__(\'os\').getcwd() or {}"\n'
                'option "title"',
            ),
        ),
        "config/coop.yaml:14: ledger_plugins[0]: 'beancount.plugins.check_commodity' is not a "
        "Beancount plugin coopctl has vetted",
    ),
    Case(
        "plugin-with-configuration",
        "ledger",
        "a vetted plugin given a configuration string",
        both(
            append(C, "ledger_plugins: [beancount.plugins.onecommodity]\n"),
            replace(L, 'option "title"', 'plugin "beancount.plugins.onecommodity" "(a+)+$"\noption "title"'),
        ),
        "ledgers/main.beancount:1: plugin 'beancount.plugins.onecommodity' with a configuration "
        "string is refused",
    ),
    Case(
        "tolerance-option",
        "ledger",
        "a tolerance option that lets an unbalanced transaction through",
        both(
            replace(L, 'option "title"', 'option "inferred_tolerance_default" "EUR:5"\noption "title"'),
            append(
                L,
                '\n2026-10-26 * "Oops"\n  Assets:Bank:Main  10.00 EUR\n'
                "  Income:Activity:BoisNomade  -9.00 EUR\n",
            ),
        ),
        'ledgers/main.beancount:1: option "inferred_tolerance_default" is refused: it lets an '
        "unbalanced transaction through",
    ),
    Case(
        "root-rename-option",
        "ledger",
        "an option renaming a root account (name_income)",
        replace(L, 'option "title"', 'option "name_income" "Revenue"\noption "title"'),
        'ledgers/main.beancount:1: option "name_income" is refused: it renames a root account',
    ),
    Case(
        "price-on-own-currency",
        "ledger",
        "revenue of 1,000.00 EUR priced @ 0.001 EUR so that 1.00 EUR reaches the bank",
        append(
            L,
            '\n2026-10-26 * "Client"\n  Income:Activity:BoisNomade  -1000.00 EUR @ 0.001 EUR\n'
            "  Assets:Bank:Main  1.00 EUR\n",
        ),
        "ledgers/main.beancount:43: posting to Income:Activity:BoisNomade: a price or cost on an "
        "amount in EUR is refused",
    ),
    Case(
        "documents-outside",
        "ledger",
        'option "documents" outside the folder (Beancount would walk it)',
        replace(L, 'option "title"', 'option "documents" "/"\noption "title"'),
        'ledgers/main.beancount:1: option "documents" "/" is outside the cooperative\'s folder; refused',
    ),
    Case(
        "document-outside",
        "ledger",
        "a document directive naming a file outside the folder",
        append(L, '\n2026-10-01 document Assets:Bank:Main "/etc/passwd"\n'),
        'ledgers/main.beancount:42: document "/etc/passwd" is outside the cooperative\'s folder; refused',
    ),
    Case(
        "yaml-alias",
        "config",
        "YAML aliases (the seed of a billion laughs)",
        both(replace(M, "  - id: bob\n", "  - &bob\n    id: bob\n"), append(M, "  - *bob\n")),
        "config/members.yaml:32: members[4]: YAML aliases (*name) and merge keys are not accepted",
        args=["check"],
    ),
    Case(
        "id-trailing-newline",
        "config",
        'a member id with a trailing newline ("dan\\n")',
        replace(M, "id: dan", 'id: "dan\\n"'),
        "config/members.yaml:27: members[3].id: contains the invisible or control character U+000A",
    ),
    Case(
        "config-date-range",
        "config",
        "a date in year 9999 in the config",
        replace(M, "joined: 2026-05-01", "joined: 9999-12-31"),
        "config/members.yaml:30: members[3].joined: date 9999-12-31 is out of range: coopctl accepts "
        "dates from 1900 to 2999",
    ),
    Case(
        "ledger-date-range",
        "ledger",
        "a transaction dated 9999-12-31",
        append(L, '\n9999-12-31 * "x"\n  Income:Activity:BoisNomade  -1.00 EUR\n  Assets:Bank:Main\n'),
        "ledgers/main.beancount:42: date 9999-12-31 is out of range: coopctl accepts dates from 1900 to 2999",
        ["balance", "alice"],
    ),
    Case(
        "as-of-range",
        "command line",
        "an --as-of date in year 9999",
        None,
        "'9999-12-31' is out of range: coopctl accepts dates from 1900 to 2999",
        ["treasury", "--as-of", "9999-12-31"],
        2,
    ),
    Case(
        "yaml-bom",
        "config",
        "members.yaml saved with a byte order mark",
        write(M, b"\xef\xbb\xbfmembers: []\n"),
        "config/members.yaml:1: starts with a byte order mark (BOM); save it as UTF-8 without BOM",
    ),
    Case(
        "ledger-bom",
        "ledger",
        "the ledger saved with a byte order mark",
        write(L, b'\xef\xbb\xbfoption "title" "x"\n'),
        "ledgers/main.beancount:1: starts with a byte order mark (BOM); save it as UTF-8 without BOM",
        ["check"],
    ),
    Case(
        "identical-lines",
        "ledger",
        "the same problem found twice (two postings to an unknown activity): printed once",
        append(
            L,
            '\n2020-01-01 open Income:Activity:Ghost\n2026-10-26 * "x"\n  Income:Activity:Ghost  -1.00 EUR\n'
            "  Income:Activity:Ghost  -1.00 EUR\n  Assets:Bank:Main\n",
        ),
        "ledgers/main.beancount:44: posting to Income:Activity:Ghost: unknown activity 'Ghost'",
        ["check"],
    ),
    # ---------------------------------------------------------------- payroll contribution lines (issue 16)
    Case(
        "payroll-line-float",
        "config",
        "a contribution line's rate written as a bare number",
        replace(
            C,
            'employer_rate: "0.42", employee_rate: "0.22"}',
            "contributions: [{code: maladie, base: gross, employer: 0.13}]}",
        ),
        "config/coop.yaml:11: payroll[0].contributions[0].employer: write a rate as a quoted decimal string",
    ),
    Case(
        "payroll-line-no-base",
        "config",
        "a contribution line with a rate and no base",
        replace(
            C,
            'employer_rate: "0.42", employee_rate: "0.22"}',
            'contributions: [{code: maladie, employer: "0.13"}]}',
        ),
        "config/coop.yaml:11: payroll[0].contributions[0]: a rate needs a base: gross, T1, T2 or csg",
    ),
    Case(
        "establishment-unknown-line",
        "config",
        "an establishment's rate for a contribution line no payroll phase has",
        both(
            replace(
                C,
                'employer_rate: "0.42", employee_rate: "0.22"}',
                'contributions: [{code: at_mp, base: gross, employer: "0.01"}]}',
            ),
            replace(
                C,
                '{id: paris-11, name: "Paris 11e"}',
                '{id: paris-11, name: "Paris 11e", contribution_rates: [{from: 2026-01-01, code: atmp, '
                'employer: "0.009"}]}',
            ),
        ),
        "config/coop.yaml:5: establishments[0].contribution_rates[0].code: unknown contribution line 'atmp'",
        ["check"],
    ),
    # h20: first week
    Case(
        "amount-decimal-comma-english",
        "command line",
        "an amount with a decimal comma in English (2,00: two euros or two hundred?)",
        None,
        "--gross '2,00' is not an amount coopctl can read without guessing",
        ["simulate", "alice", "--gross", "2,00", "--month", "2026-10"],
        2,
    ),
    Case(
        "amount-three-decimals",
        "command line",
        "an amount with three decimals",
        None,
        "--gross '2000.005': more than two decimals; write it to the cent",
        ["simulate", "alice", "--gross", "2000.005", "--month", "2026-10"],
        2,
    ),
    Case(
        "amount-mixed-separators",
        "command line",
        "an amount with a point and a comma (2.000,5)",
        None,
        "e.g. 2000.50 or 2,000.50",
        ["simulate", "alice", "--gross", "2.000,5", "--month", "2026-10"],
        2,
    ),
    Case(
        "open-in-closed-month",
        "ledger",
        "an account opened on a day of a closed month",
        both(
            run_first("close-month", "2026-10"),
            append(L, "\n2026-10-20 open Expenses:Activity:DanDesign:X EUR\n"),
        ),
        "date it in the month still open (an account need only be opened before its first entry), or reopen",
        ["check"],
    ),
    Case(
        "payroll-month-not-begun",
        "command line",
        "the payroll of a month that has not begun",
        None,
        "9998-06 has not begun",
        ["payroll", "9998-06"],
    ),
    Case(
        "dry-run-future-month",
        "command line",
        "a dry run of a month that has not begun (a projection is for the month in progress)",
        None,
        "9998-01 has not ended yet",
        ["close-month", "9998-01", "--dry-run"],
    ),
    Case(
        "root-without-folder",
        "command line",
        "--root after the command, without its folder",
        None,
        "--root needs a value, e.g. --root ./my-coop",
        ["balance", "alice", "--root"],
        2,
    ),
    # h14: issue 19 messages
    Case(
        "did-you-mean-member",
        "command line",
        "a mistyped member id: the nearest ids, and where the id came from",
        None,
        "no member 'alcie' (given on the command line) in config/members.yaml; did you mean 'alice'?",
        ["balance", "alcie"],
    ),
    Case(
        "did-you-mean-tutor",
        "command line",
        "a mistyped tutor id",
        None,
        "no tutor 'mlefevr' in config/coop.yaml; did you mean 'mlefevre'?",
        ["tutor", "mlefevr"],
    ),
    Case(
        "did-you-mean-key",
        "config",
        "a mistyped config key (cesa_form)",
        replace(M, "cesa_from: 2024-09-01", "cesa_form: 2024-09-01"),
        "config/members.yaml:8: members[0].cesa_form: unknown key; did you mean 'cesa_from'?",
        ["check"],
    ),
    Case(
        "did-you-mean-account",
        "ledger",
        "a mistyped account",
        append(
            L,
            '\n2026-10-21 * "Glue"\n  Expenses:Activity:BoisNomade:Supplis  10.00 EUR\n  Assets:Bank:Main\n',
        ),
        "did you mean 'Expenses:Activity:BoisNomade:Supplies'? (or open it)",
        ["check"],
    ),
    Case(
        "did-you-mean-activity",
        "ledger",
        "a mistyped activity in an account",
        append(
            L,
            "\n2020-01-01 open Income:Activity:BoisNomad EUR\n"
            '2026-10-22 * "Client"\n  Income:Activity:BoisNomad  -10.00 EUR\n  Assets:Bank:Main\n',
        ),
        "unknown activity 'BoisNomad' (not in config/activities.yaml); did you mean 'BoisNomade'?",
        ["check"],
    ),
    Case(
        "lowercase-account",
        "ledger",
        "an account component in lowercase (a member id)",
        append(
            L,
            "\n2020-01-01 open Liabilities:ExpenseClaims:Celine EUR\n"
            '2026-10-21 * "Train"\n  Expenses:Activity:BoisNomade:Supplies  10.00 EUR\n'
            "  Liabilities:ExpenseClaims:celine\n",
        ),
        "ledgers/main.beancount:45: Liabilities:ExpenseClaims:celine: each part of an account name must "
        "start "
        "with a capital letter or a digit, and 'celine' does not; write Liabilities:ExpenseClaims:Celine",
        ["check"],
    ),
    Case(
        "binary-ledger",
        "ledger",
        "a spreadsheet (binary) saved as the main ledger",
        write(L, b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 8),
        "ledgers/main.beancount:1: this file holds binary data (a spreadsheet, an archive or an image?)",
    ),
    # h18: receivables and bank import
    Case(
        "receivables-unknown",
        "command line",
        "receivables of a name that is neither an activity nor a member",
        None,
        "'Nobody' is neither an activity",
        ["receivables", "Nobody"],
    ),
    Case(
        "receivables-bad-date",
        "command line",
        "receivables --as-of that is not a date",
        None,
        "is not a date",
        ["receivables", "--as-of", "2026-02-30"],
        2,
    ),
    Case(
        "bank-no-account",
        "command line",
        "import bank without a bank account (no --account, no bank.account in the config)",
        write("releve.csv", "date,label,amount\n2026-10-27,CB,-1.00\n"),
        "name the bank account",
        ["import", "bank", "{coop}/releve.csv"],
        2,
    ),
    Case(
        "bank-unknown-mapping",
        "command line",
        "import bank with a mapping the config does not define",
        write("releve.csv", "date,label,amount\n2026-10-27,CB,-1.00\n"),
        "no mapping 'banque' under bank.mappings",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main", "--mapping", "banque"],
        2,
    ),
    Case(
        "bank-missing-statement",
        "command line",
        "import bank of a file that does not exist",
        None,
        "cannot read the statement",
        ["import", "bank", "{coop}/nowhere.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-bad-date",
        "ledger",
        "a bank statement line with an impossible date",
        write("releve.csv", "date,label,amount\n2026-10-27,CB,-1.00\n2026-10-32,CB,-2.00\n"),
        "releve.csv:3: '2026-10-32' is not a date in the format %Y-%m-%d",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-decimal-comma",
        "ledger",
        "a decimal comma in the generic CSV (the amount splits into two cells)",
        write("releve.csv", 'date,label,amount\n2026-10-27,CB,"-1,50"\n'),
        "releve.csv:2: '-1,50' is not an amount",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-missing-column",
        "ledger",
        "a statement without the amount column",
        write("releve.csv", "date;label;amount\n2026-10-27;CB;-1.00\n"),
        "releve.csv:1: no column date, label, amount in the header",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-not-utf8",
        "ledger",
        "a latin-1 statement read as UTF-8",
        write("releve.csv", "date,label,amount\n2026-10-27,CB CAFÉ,-1.00\n".encode("latin-1")),
        "releve.csv:2: not utf-8 text (byte 0xc9)",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-closed-month",
        "ledger",
        "a bank line dated in a closed month",
        both(
            run_first("close-month", "2026-10"),
            write("releve.csv", "date,label,amount\n2026-10-30,CB,-1.00\n"),
        ),
        "releve.csv:2: 2026-10-30 falls in 2026-10, which is closed",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-account-not-open",
        "ledger",
        "a bank account the ledger does not open",
        write("releve.csv", "date,label,amount\n2026-10-27,CB,-1.00\n"),
        "account Assets:Bank:Other is not open on 2026-10-27",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Other"],
    ),
    Case(
        "bank-rule-regex-backtracking",
        "config",
        "a bank rule whose regex could backtrack for ever on a hostile label",
        append(C, 'bank:\n  rules:\n    - {regex: "(a+)+$", account: Expenses:Coop:X}\n'),
        "a repetition of a group",
        ["check"],
    ),
    Case(
        "bank-mapping-debit-only",
        "config",
        "a bank mapping with a debit column and no credit column",
        append(C, "bank:\n  mappings:\n    banque: {debit: Débit}\n"),
        "give both debit and credit columns",
        ["check"],
    ),
    # h19: claims and gross margin (the claims CSVs are written outside the cooperative, whose bytes must not
    # change)
    Case(
        "claims-unknown-member",
        "ledger",
        "an expense claims CSV naming a member config does not know",
        write(
            "/tmp/coopctl-bad-claims/unknown-member.csv",
            "member,date,kind,amount,vat,km,cv,category,note\n"
            + "zoe,2026-10-08,expense,12.00,2.00,,,meals,Café\n",
        ),
        "/tmp/coopctl-bad-claims/unknown-member.csv:2: unknown member 'zoe'",
        ["claims", "import", "/tmp/coopctl-bad-claims/unknown-member.csv"],
    ),
    Case(
        "claims-closed-month",
        "ledger",
        "an expense claim dated in a closed month",
        both(
            run_first("close-month", "2026-10"),
            write(
                "/tmp/coopctl-bad-claims/closed-month.csv",
                "member,date,kind,amount,vat,km,cv,category,note\n"
                + "alice,2026-10-15,expense,12.00,2.00,,,meals,\n",
            ),
        ),
        "/tmp/coopctl-bad-claims/closed-month.csv:2: 2026-10-15 is in 2026-10, a closed month",
        ["claims", "import", "/tmp/coopctl-bad-claims/closed-month.csv"],
    ),
    Case(
        "claims-header",
        "ledger",
        "an expense claims CSV whose first line does not name the columns",
        write(
            "/tmp/coopctl-bad-claims/header.csv",
            "membre,date,type,montant\n" + "alice,2026-10-08,expense,12.00\n",
        ),
        "/tmp/coopctl-bad-claims/header.csv:1: the first line must name the columns",
        ["claims", "import", "/tmp/coopctl-bad-claims/header.csv"],
    ),
    Case(
        "claims-vat-over-amount",
        "ledger",
        "an expense claim whose VAT is not below its amount",
        write(
            "/tmp/coopctl-bad-claims/vat.csv",
            "member,date,kind,amount,vat,km,cv,category,note\n"
            + "alice,2026-10-08,expense,12.00,12.00,,,meals,\n",
        ),
        "/tmp/coopctl-bad-claims/vat.csv:2: vat '12.00' is not an amount from 0 up to less than the amount",
        ["claims", "import", "/tmp/coopctl-bad-claims/vat.csv"],
    ),
    Case(
        "claims-no-scale",
        "ledger",
        "a mileage claim with no mileage scale in the config",
        write(
            "/tmp/coopctl-bad-claims/no-scale.csv",
            "member,date,kind,amount,vat,km,cv,category,note\n" + "alice,2026-10-08,mileage,,,120,5,,\n",
        ),
        "/tmp/coopctl-bad-claims/no-scale.csv:2: no mileage scale in force on 2026-10-08",
        ["claims", "import", "/tmp/coopctl-bad-claims/no-scale.csv"],
    ),
    Case(
        "claims-bidi-note",
        "ledger",
        "an expense claim whose note hides a right-to-left override",
        write(
            "/tmp/coopctl-bad-claims/bidi.csv",
            "member,date,kind,amount,vat,km,cv,category,note\n"
            + "alice,2026-10-08,expense,12.00,,,,meals,Taxi\u202e\n",
        ),
        "/tmp/coopctl-bad-claims/bidi.csv:2: column note contains the invisible or control character U+202E",
        ["claims", "import", "/tmp/coopctl-bad-claims/bidi.csv"],
    ),
    Case(
        "claims-missing-file",
        "command line",
        "an expense claims file that does not exist",
        None,
        "no file /tmp/coopctl-no-such-claims.csv",
        ["claims", "import", "/tmp/coopctl-no-such-claims.csv"],
        2,
    ),
    Case(
        "gross-margin-purchase-accounts",
        "config",
        "purchase_accounts on a contribution whose base is the revenue",
        replace(
            C,
            '{from: 2024-01-01, rate: "0.10"}',
            '{from: 2024-01-01, rate: "0.10", purchase_accounts: [Achats]}',
        ),
        "config/coop.yaml:9: contribution[0]: purchase_accounts is read only with base: gross_margin",
    ),
    Case(
        "gross-margin-fixed-bare",
        "config",
        "a fixed monthly fee written as a bare number",
        replace(C, '{from: 2024-01-01, rate: "0.10"}', '{from: 2024-01-01, rate: "0.10", fixed_monthly: 30}'),
        "config/coop.yaml:9: contribution[0].fixed_monthly: write money as a quoted decimal string",
    ),
    Case(
        "gross-margin-base",
        "config",
        "a contribution base that is neither revenue nor gross_margin",
        replace(C, '{from: 2024-01-01, rate: "0.10"}', '{from: 2024-01-01, rate: "0.10", base: margin}'),
        "config/coop.yaml:9: contribution[0].base:",
    ),
    # h16: payroll import (the payroll bureau's CSV of September, the worked example's September closed)
    *[
        Case(
            f"payroll-import-{name}",
            "command line",
            what,
            both(
                *([run_first("close-month", "2026-09")] if closed else []),
                lambda folder, name=name, rows=rows: Path(
                    f"/tmp/coopctl-payroll-import-{name}.csv"
                ).write_text(
                    "member,month,gross,employer_contributions,employee_contributions,net\n" + rows,
                    encoding="utf-8",
                ),
                *(
                    [run_first("payroll", "import", f"/tmp/coopctl-payroll-import-{name}.csv")]
                    if twice
                    else []
                ),
            ),
            expect.replace("FILE", f"/tmp/coopctl-payroll-import-{name}.csv"),
            ["payroll", "import", f"/tmp/coopctl-payroll-import-{name}.csv"],
        )
        for name, what, closed, twice, rows, expect in [
            (
                "open-month",
                "the real payroll of a month not closed yet",
                False,
                False,
                "alice,2026-09,1900.00,798.00,418.00,1482.00\n",
                "FILE:2: 2026-09 is not closed: the real payroll corrects what a close booked",
            ),
            (
                "unknown-member",
                "a payslip of an unknown member (a typo)",
                True,
                False,
                "alcie,2026-09,1900.00,798.00,418.00,1482.00\n",
                "FILE:2: unknown member 'alcie' (not in config/members.yaml; did you mean alice?)",
            ),
            (
                "not-paid",
                "a payslip of a member the close did not pay (CAPE)",
                True,
                False,
                "dan,2026-09,100.00,42.00,22.00,78.00\n",
                "FILE:2: dan was not paid in 2026-09: its close booked no salary for them",
            ),
            (
                "already",
                "the same month imported twice",
                True,
                True,
                "alice,2026-09,1900.00,760.00,418.00,1482.00\n",
                "FILE:2: the payroll of 2026-09 is already imported "
                "(ledgers/payroll/2026-10-actual-2026-09.beancount:5)",
            ),
            (
                "amount",
                "an amount with three decimals",
                True,
                False,
                "alice,2026-09,1900.001,798.00,418.00,1482.00\n",
                "FILE:2: gross '1900.001' is not an amount: write it with a dot and at most two decimals",
            ),
            (
                "float",
                "an amount in scientific notation",
                True,
                False,
                "alice,2026-09,1.9e3,798.00,418.00,1482.00\n",
                "FILE:2: gross '1.9e3' is not an amount",
            ),
            (
                "other-month",
                "a row for another month than the others",
                True,
                False,
                "alice,2026-09,1900.00,798.00,418.00,1482.00\nbob,2026-08,1300.00,546.00,286.00,1014.00\n",
                "FILE:3: a row for 2026-08 in a file for 2026-09 (line 2): import one month at a time",
            ),
            (
                "duplicate",
                "the same member twice",
                True,
                False,
                "bob,2026-09,1300.00,546.00,286.00,1014.00\nbob,2026-09,1300.00,546.00,286.00,1014.00\n",
                "FILE:3: bob is listed twice (first on line 2)",
            ),
        ]
    ],
    # h17: fec and vat
    Case(
        "fec-unmapped-account",
        "ledger",
        "fec: an account used in the year has no French chart number (no pcg: metadata, no default)",
        None,
        "ledgers/main.beancount:11: account Equity:Coop:Opening has no French chart number (PCG)",
        ["fec", "2026"],
    ),
    Case(
        "fec-bad-pcg",
        "ledger",
        "fec: pcg: metadata that is not a French chart number",
        replace(L, "open Equity:Coop:Opening EUR\n", 'open Equity:Coop:Opening EUR\n  pcg: "capital"\n'),
        'ledgers/main.beancount:11: Equity:Coop:Opening: pcg: "capital" is not a French chart number',
        ["fec", "2026"],
    ),
    Case(
        "fec-bad-siren",
        "config",
        "a SIREN of 8 digits",
        append(C, 'siren: "12345678"\n'),
        "config/coop.yaml:14: siren: a SIREN is 9 digits",
        ["fec", "2026"],
    ),
    Case(
        "fec-bad-year",
        "command line",
        "fec: a year written with two digits",
        None,
        "'26' is not a year; write it as YYYY",
        ["fec", "26"],
        2,
    ),
    Case(
        "vat-bad-period",
        "command line",
        "vat: a month 13",
        None,
        "'2026-13' is not a period; write a month 2026-09, a quarter 2026-Q3 or a year 2026",
        ["vat", "2026-13"],
        2,
    ),
    # h22: hostile imports
    Case(
        "bank-thousands-comma",
        "ledger",
        "an unquoted thousands comma in a comma-separated statement (1,000.00 was read as 1.00)",
        write("releve.csv", "date,label,amount\n2026-10-27,Client,1,000.00\n"),
        "releve.csv:2: 4 cells where the header names 3 columns",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-fifo",
        "command line",
        "import bank of a FIFO (named pipe): it would wait forever",
        lambda folder: os.mkfifo(folder / "releve.csv"),
        "cannot read releve.csv: it is a FIFO (named pipe), not a regular file",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
        2,
    ),
    Case(
        "bank-arabic-digits",
        "ledger",
        "a bank amount written in Arabic-Indic digits",
        write("releve.csv", "date,label,amount\n2026-10-27,CB,\u0663.00\n"),
        "releve.csv:2: '\u0663.00' is not an amount",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "claims-exponent-amount",
        "ledger",
        "an expense claim's amount written 1e2 (it booked 100.00)",
        write(
            "/tmp/coopctl-bad-claims/exponent.csv",
            "member,date,kind,amount,vat,km,cv,category,note\n" + "alice,2026-10-08,expense,1e2,0,,,meals,\n",
        ),
        "/tmp/coopctl-bad-claims/exponent.csv:2: amount '1e2' is not an amount",
        ["claims", "import", "/tmp/coopctl-bad-claims/exponent.csv"],
    ),
    Case(
        "claims-superscript-km",
        "ledger",
        "a mileage claim's km with a superscript digit (it was a traceback)",
        write(
            "/tmp/coopctl-bad-claims/superscript.csv",
            "member,date,kind,amount,vat,km,cv,category,note\n" + "alice,2026-10-08,mileage,,,1\u00b2,5,,\n",
        ),
        "/tmp/coopctl-bad-claims/superscript.csv:2: km '1\u00b2' is not a whole number",
        ["claims", "import", "/tmp/coopctl-bad-claims/superscript.csv"],
    ),
    Case(
        "payroll-import-billion",
        "command line",
        "a payslip of a billion euros in the payroll bureau's CSV",
        both(
            run_first("close-month", "2026-09"),
            write(
                "/tmp/coopctl-payroll-import-billion.csv",
                "member,month,gross,employer_contributions,employee_contributions,net\n"
                + "alice,2026-09,999999999.99,798.00,418.00,1482.00\n",
            ),
        ),
        "/tmp/coopctl-payroll-import-billion.csv:2: amount 999,999,999.99 is not plausible",
        ["payroll", "import", "/tmp/coopctl-payroll-import-billion.csv"],
    ),
    Case(
        "bank-planted-id",
        "ledger",
        "a statement line whose bank_id an entry of another amount already carries (it was skipped for ever)",
        both(
            write("releve.csv", "date,label,amount\n2026-10-27,VIR CLIENT,5000.00\n"),
            lambda folder: append(
                L,
                '\n2026-10-27 * "VIR CLIENT"\n  bank_id: "'
                + identify(
                    [BankLine(datetime.date(2026, 10, 27), "VIR CLIENT", Decimal("5000.00"), 2)],
                    "Assets:Bank:Main",
                )[0].bank_id
                + '"\n  Assets:Bank:Main  1.00 EUR\n  Income:Activity:BoisNomade  -1.00 EUR\n',
            )(folder),
        ),
        "releve.csv:2: this line's bank_id is on the entry at ledgers/main.beancount:",
        ["import", "bank", "{coop}/releve.csv", "--account", "Assets:Bank:Main"],
    ),
    Case(
        "bank-encoding-rot13",
        "config",
        "a bank mapping whose encoding is a transform, not a text encoding (it traced back)",
        append(C, "bank:\n  mappings:\n    banque: {encoding: rot13}\n"),
        "unknown encoding 'rot13'",
        ["check"],
    ),
    # h24: adversarial review of the close through the seal
    Case(
        "display-precision-included",
        "ledger",
        "the display_precision option in an included file (Beancount traced back merging it)",
        both(
            write("ledgers/more.beancount", 'option "display_precision" "EUR:0.001"\n'),
            append(L, '\ninclude "more.beancount"\n'),
        ),
        'ledgers/more.beancount:1: option "display_precision" is accepted in the main ledger file only',
        ["check"],
    ),
    # h26: adversarial review of the close after a close
    Case(
        "ledger-filename-metadata",
        "ledger",
        "an entry whose filename: metadata names another file (Beancount takes it for the file it was read "
        "from)",
        append(
            L,
            '\n2026-10-25 * "Extra"\n  filename: "ledgers/other.beancount"\n'
            "  Income:Activity:BoisNomade  -10.00 EUR\n  Assets:Bank:Main\n",
        ),
        'ledgers/main.beancount:42: metadata "filename" is Beancount\'s own (the file an entry was read',
        ["check"],
    ),
]


def run_case(case: Case, base: Path) -> tuple[int, str, str, bool]:
    """(exit code, stderr, stdout, unchanged) for one case in a fresh cooperative under base."""
    folder = write_coop(base / case.id)
    if case.mutate:
        case.mutate(folder)
    before = snapshot(folder)
    args = [arg.replace("{coop}", str(folder)) for arg in case.args]  # a file inside the cooperative
    result = run_cli(folder, *args, env={"COOPCTL_MEMBER": "", "COOPCTL_ROOT": ""})
    stderr = result.stderr.replace(str(folder.resolve()), "<coop>").replace(str(base.resolve()), "<tmp>")
    return result.exit_code, stderr, result.stdout, snapshot(folder) == before


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gets_one_clear_line_and_nothing_written(case, tmp_path):
    code, stderr, stdout, unchanged = run_case(case, tmp_path)
    lines = stderr.strip().splitlines()
    assert code == case.exit, stderr
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), lines[0]
    assert case.expect in lines[0], lines[0]
    assert "Traceback" not in stderr + stdout
    assert unchanged, "a file was written"


def test_catalogue_is_large_enough_and_covers_every_area():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)
    assert {c.area for c in CASES} == {"config", "ledger", "command line"}


def test_safety_doc_states_the_catalogue_size():
    assert f"lists {len(CASES)} bad" in (REPO / "docs" / "safety.md").read_text(encoding="utf-8")


def catalogue_markdown(base: Path) -> str:
    rows = []
    for number, case in enumerate(CASES, 1):
        code, stderr, _stdout, _unchanged = run_case(case, base)
        answer = stderr.strip().replace("|", "\\|")
        rows.append(
            f"| {number} | {case.area} | {case.what} | `coopctl {' '.join(case.args)}` | {code} | "
            f"`{answer}` |"
        )
    head = (
        "# Bad inputs and coopctl's answers\n\n"
        "Every bad input we tried, the command run, its exit code (1 data error, 2 usage error) and "
        "coopctl's\n"
        "whole answer on standard error. Each row is a test in `tests/test_bad_inputs.py`, which also "
        "checks\n"
        "that no traceback is printed and that not one byte of the cooperative's files changed. This "
        "page is\n"
        "generated from those runs (`python tests/test_bad_inputs.py`) and a test keeps it current.\n\n"
        "Each case starts from the worked example of DESIGN §5 (`tests/conftest.py`).\n\n"
        "| # | area | bad input | command | exit | answer |\n| --- | --- | --- | --- | --- | --- |\n"
    )
    return head + "\n".join(rows) + "\n"


def test_catalogue_doc_is_current(tmp_path):
    assert DOC.read_text(encoding="utf-8") == catalogue_markdown(tmp_path), (
        "run: python tests/test_bad_inputs.py"
    )


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        DOC.write_text(catalogue_markdown(Path(tmp)), encoding="utf-8")
    print(f"wrote {DOC}")
    SAFETY = REPO / "docs" / "safety.md"
    SAFETY.write_text(
        re.sub(r"lists \d+ bad", f"lists {len(CASES)} bad", SAFETY.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
