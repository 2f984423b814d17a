"""Closed months stay closed; reopen restores bytes; review reads git revisions. Real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import run_cli, snapshot

MARCH = "ledgers/2026/2026-03.beancount"


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], check=True, capture_output=True, text=True
    ).stdout


def make_repo(folder: Path) -> Path:
    git(folder, "init", "-q", "-b", "main")
    git(folder, "config", "user.email", "tresorier@exemple.org")
    git(folder, "config", "user.name", "Trésorier")
    (folder / ".gitignore").write_text(".coopctl.lock\n", encoding="utf-8")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "sample")
    return folder


@pytest.fixture
def repo(sample_copy) -> Path:
    return make_repo(sample_copy)


def first_invoice(folder: Path, rel: str) -> tuple[int, str]:
    lines = (folder / rel).read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if '"Facture ' in line)
    return index + 1, lines[index]


def test_editing_an_amount_in_a_closed_month_is_caught(repo):
    path = repo / MARCH
    text = path.read_text(encoding="utf-8")
    line_no, header = first_invoice(repo, MARCH)
    lines = text.splitlines(keepends=True)
    # the invoice's three postings follow its header and metadata line: change HT and TTC by 100.00, keep VAT
    receivable, income = lines[line_no + 1], lines[line_no + 2]
    activity = income.split("Income:Activity:")[1].split()[0]

    def bump(line: str, delta: int) -> str:
        amount = line.split()[1]
        from decimal import Decimal

        return line.replace(amount, f"{Decimal(amount) + delta:.2f}".rjust(len(amount)))

    lines[line_no + 1] = bump(receivable, 100)
    lines[line_no + 2] = bump(income, -100)
    path.write_text("".join(lines), encoding="utf-8")

    check = run_cli(repo, "check")
    assert check.exit_code == 1
    errors = [line for line in check.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(
        f"error: {MARCH}:{line_no}: closed month 2026-03: entry changed after its close: 2026-03-"
    )
    assert "post the correction in the open month, or reopen the month" in errors[0]

    review = run_cli(repo, "review", "--format", "json")
    assert review.exit_code == 1
    out = review.json()
    assert (out["from"], out["to"]) == ("HEAD", "working tree")
    change = next(a for a in out["activities"] if a["id"] == activity)
    assert change["change"] == "100.00"
    assert out["closed_months_touched"] == [
        {
            "month": "2026-03",
            "entry": change_entry(repo, line_no),
            "change": "changed",
            "file": MARCH,
            "line": line_no,
        }
    ]
    march = next(m for m in out["months"] if m["activity"] == activity and m["month"] == "2026-03")
    from decimal import Decimal

    assert Decimal(march["revenue_after"]) - Decimal(march["revenue_before"]) == Decimal("100.00")
    # the contribution was booked at the close and does not move by itself
    assert march["contribution_after"] == march["contribution_before"]
    # close-month refuses to build on a rewritten closed month
    refused = run_cli(repo, "close-month", "2026-10", "--dry-run")
    assert refused.exit_code == 1 and "closed month 2026-03: entry changed" in refused.stderr


def change_entry(folder: Path, line_no: int) -> str:
    lines = (folder / MARCH).read_text(encoding="utf-8").splitlines()
    date, _star, rest = lines[line_no - 1].split(" ", 2)
    payee, narration = [part for part in rest.split('"') if part.strip()]
    return f'{date} "{payee} — {narration}"'


def test_adding_an_entry_to_a_closed_month_is_caught(repo):
    path = repo / MARCH
    before = path.read_text(encoding="utf-8")
    path.write_text(
        before + '\n2026-03-20 * "Client" "Facture oubliée"\n  Assets:Bank:Courant  120.00 EUR\n'
        "  Income:Activity:InesDev  -120.00 EUR\n",
        encoding="utf-8",
    )
    added_line = before.count("\n") + 2
    check = run_cli(repo, "check")
    assert check.exit_code == 1
    assert (
        f"error: {MARCH}:{added_line}: closed month 2026-03: entry added after its close: 2026-03-20 "
        '"Client — Facture oubliée"' in check.stderr
    )
    out = run_cli(repo, "review", "--format", "json").json()
    assert {
        "month": "2026-03",
        "change": "added",
        "file": MARCH,
        "line": added_line,
        "entry": '2026-03-20 "Client — Facture oubliée"',
    } in out["closed_months_touched"]
    assert {
        "id": "InesDev",
        "balance_before": out["activities"][0]["balance_before"],
        "balance_after": out["activities"][0]["balance_after"],
        "change": "120.00",
    } == out["activities"][0]


def test_removing_an_entry_from_a_closed_month_is_caught_with_its_narration(repo):
    path = repo / MARCH
    text = path.read_text(encoding="utf-8")
    start = text.index('2026-03-18 * "Région Île-de-France"')
    end = text.index("\n\n", start) + 2
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    check = run_cli(repo, "check")
    assert check.exit_code == 1
    assert (
        'error: closed month 2026-03: entry removed after its close: 2026-03-18 "Région Île-de-France — '
        "Subvention d'accompagnement à l'entrepreneuriat 2026\" (as in HEAD)"
    ) in check.stderr
    review = run_cli(repo, "review", "--format", "json")
    assert review.exit_code == 1
    touched = review.json()["closed_months_touched"]
    assert touched == [
        {
            "month": "2026-03",
            "change": "removed",
            "file": None,
            "line": None,
            "entry": "2026-03-18 \"Région Île-de-France — Subvention d'accompagnement à l'entrepreneuriat "
            '2026"',
        }
    ]
    assert (
        review.json()["activities"] == []
    )  # the subsidy is the cooperative's own: no activity balance moves


def test_an_entry_in_the_open_month_is_fine(repo):
    path = repo / "ledgers/2026/2026-10.beancount"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n2026-10-30 * "Client" "Facture F-NEW"\n  Assets:Receivable:DanDesign  600.00 EUR\n'
        "  Income:Activity:DanDesign  -500.00 EUR\n  Liabilities:VAT:Collected  -100.00 EUR\n",
        encoding="utf-8",
    )
    assert run_cli(repo, "check").exit_code == 0
    review = run_cli(repo, "review", "--format", "json")
    assert review.exit_code == 0
    out = review.json()
    assert [(a["id"], a["change"]) for a in out["activities"]] == [("DanDesign", "500.00")]
    assert [(m["activity"], m["month"]) for m in out["months"]] == [("DanDesign", "2026-10")]
    assert out["closed_months_touched"] == [] and out["config_changes"] == []


def test_review_across_a_commit_that_adds_an_invoice(repo):
    from decimal import Decimal

    path = repo / "ledgers/2026/2026-10.beancount"
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n2026-10-29 * "Client" "Facture F-42"\n  Assets:Receivable:BoisNomade  1234.56 EUR\n'
        "  Income:Activity:BoisNomade  -1028.80 EUR\n  Liabilities:VAT:Collected  -205.76 EUR\n",
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-am", "invoice F-42")
    before = run_cli(repo, "balance", "alice", "--as-of", "2026-10-31", "--format", "json").json()["balance"]
    for rng in ("HEAD~1..HEAD", "main~1..main", "HEAD~1...HEAD"):
        run = run_cli(repo, "review", rng, "--format", "json")
        assert run.exit_code == 0, run.stderr
        out = run.json()
        assert out["activities"] == [
            {
                "id": "BoisNomade",
                "balance_before": f"{Decimal(before) - Decimal('1028.80'):.2f}",
                "balance_after": before,
                "change": "1028.80",
            }
        ]
        assert out["months"][0]["revenue_after"] != out["months"][0]["revenue_before"]
    table = run_cli(repo, "review", "HEAD~1..HEAD").stdout
    assert "BoisNomade" in table and "1,028.80" in table


def test_config_changes_in_words(repo):
    for rel, old, new in [
        (
            "config/coop.yaml",
            "    exempt_months: 2 ",
            '    exempt_months: 2\n  - {from: 2027-01-01, rate: "0.11"}\n   ',
        ),
        (
            "config/members.yaml",
            '      - {from: 2026-07-01, gross: "2500.00", hours: "151.67"}',
            '      - {from: 2026-07-01, gross: "2500.00", hours: "151.67"}\n'
            '      - {from: 2026-11-01, gross: "2700.00", hours: "151.67"}',
        ),
        (
            "config/members.yaml",
            "    joined: 2026-05-04\n",
            "    joined: 2026-05-04\n    cesa_from: 2026-11-01\n    salary:\n"
            '      - {from: 2026-11-01, gross: "1850.00", hours: "151.67"}\n',
        ),
        (
            "config/activities.yaml",
            '{id: NoraCeramique, name: "Nora Céramique", establishment: paris-11}',
            '{id: NoraCeramique, name: "Nora Céramique", establishment: paris-11, contribution: '
            '[{from: 2026-11-01, rate: "0.08"}]}',
        ),
    ]:
        path = repo / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    run = run_cli(repo, "review", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["config_changes"] == [
        "contribution rate from 2027-01-01 added: 0.11",
        "activity NoraCeramique: contribution from 2026-11-01 added: 0.08",
        "dan: CESA start none → 2026-11-01",
        "dan: salary from 2026-11-01 added: 1850.00 for 151.67 h",
        "olivier: salary from 2026-11-01 added: 2700.00 for 151.67 h",
    ]


def test_an_undated_override_rewriting_closed_months_is_flagged_by_review(repo):
    path = repo / "config/activities.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '{id: DanDesign, name: "Dan Design — graphisme", establishment: paris-11}',
            '{id: DanDesign, name: "Dan Design — graphisme", establishment: paris-11, '
            'contribution_rate: "0"}',
        ),
        encoding="utf-8",
    )
    run = run_cli(repo, "review", "--format", "json")
    assert run.exit_code == 1
    out = run.json()
    assert (
        "activity DanDesign: contribution rate default → 0" in out["config_changes"]
    )  # a real 0%, not "default"
    assert [t["month"] for t in out["closed_months_touched"] if t["change"] == "config"] == [
        "2026-05",
        "2026-06",
        "2026-07",
        "2026-08",
        "2026-09",
    ]


def test_a_config_change_reaching_into_a_closed_month_is_caught(repo):
    path = repo / "config/members.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            '{from: 2026-07-01, gross: "2500.00"', '{from: 2026-06-01, gross: "2500.00"'
        ),
        encoding="utf-8",
    )
    check = run_cli(repo, "check")
    assert check.exit_code == 1
    months = [
        line.split("closed month ")[1][:7] for line in check.stderr.splitlines() if "closed month 20" in line
    ]
    assert months == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert "the config in force (rates, salaries, phases) differs from the one its close used" in check.stderr


@pytest.mark.parametrize(
    "revision",
    [
        "--output=/tmp/coopctl-pwned",
        "-x",
        "HEAD --output=/tmp/coopctl-pwned",
        "no such branch",
        "HEAD..--all",
    ],
)
def test_awkward_revisions_cannot_inject_arguments(repo, revision):
    marker = Path("/tmp/coopctl-pwned")
    marker.unlink(missing_ok=True)
    run = run_cli(repo, "review", "--", revision)  # after "--" even "-x" reaches git as a revision name
    assert run.exit_code == 2, (run.stdout, run.stderr)
    assert run.stderr.startswith("error: unknown git revision")
    assert run.stderr.count("\n") == 1
    assert not marker.exists()


def test_review_outside_git_is_a_usage_error(sample_copy):
    run = run_cli(sample_copy, "review")
    assert run.exit_code == 2 and "not in a git repository" in run.stderr


# --------------------------------------------------------------------------- reopen


def test_reopen_then_close_restores_every_byte(repo):
    before = snapshot(repo)
    run = run_cli(repo, "reopen", "2026-09")
    assert run.exit_code == 0, run.stderr
    assert not (repo / "ledgers/closing/2026-09.beancount").exists()
    assert run_cli(repo, "check").exit_code == 0
    assert run_cli(repo, "close-month", "2026-09").exit_code == 0
    assert snapshot(repo) == before
    assert git(repo, "status", "--porcelain") == ""


def test_close_then_reopen_restores_every_byte_including_the_first_include(example):
    before = snapshot(example)
    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    assert snapshot(example) != before
    run = run_cli(example, "reopen", "2026-10")
    assert run.exit_code == 0, run.stderr
    assert "closings include" in run.stdout
    assert snapshot(example) == before
    assert not (example / "ledgers" / "closing").exists()


def test_reopen_refusals(repo):
    before = snapshot(repo)
    for args, message in [
        (["reopen", "2026-08"], "only the last closed month can be reopened: reopen 2026-09 first"),
        (["reopen", "2026-10"], "2026-10 is not closed"),
        (["reopen", "2026-13"], "'2026-13' is not a month"),
    ]:
        run = run_cli(repo, *args)
        assert run.exit_code in (1, 2) and message in run.stderr and run.stderr.count("\n") == 1, run.stderr
    assert snapshot(repo) == before


def test_reopen_takes_the_lock(example):
    from coopctl.store.safe_io import cooperative_lock

    assert run_cli(example, "close-month", "2026-10").exit_code == 0
    with cooperative_lock(example, "coopctl close-month"):
        run = run_cli(example, "reopen", "2026-10")
    assert run.exit_code == 1 and "the cooperative is locked by pid" in run.stderr
