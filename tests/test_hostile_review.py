"""Found by a hostile tester on a fresh clone (issues 13 and 14): each class of attack, as a test."""

from __future__ import annotations

from beancount.parser import parser
from conftest import run_cli, snapshot, write_coop
from test_git_review import git, make_repo

from coopctl.adapter.fingerprint import entry_fingerprint

# Two entries whose 40-bit fingerprints collide (found in seconds by brute force over the `ref`).
COLLIDING = """2026-10-12 * "Fournisseur" "Achat materiel"
  ref: "{ref}"
  Expenses:Activity:InesDev:Logiciels   {amount} EUR
  Assets:Bank:Courant        -{amount} EUR
"""
HARMLESS, FORGED = (
    COLLIDING.format(ref="a319573", amount="100.00"),
    COLLIDING.format(ref="b2842242", amount="5000.00"),
)


def _one(text: str):
    entries, errors, _ = parser.parse_string(text)
    assert not errors
    return entries[0]


def test_a_deliberate_fingerprint_collision_in_a_closed_month_is_caught(sample_copy):
    """A member commits a harmless entry, the month is closed, then a pull request swaps it for another whose
    short fingerprint is the same: the full digest the closing recorded still differs, and check says so."""
    assert entry_fingerprint(_one(HARMLESS)) == entry_fingerprint(_one(FORGED))  # the collision is real
    month_file = sample_copy / "ledgers" / "2026" / "2026-10.beancount"
    month_file.write_text(month_file.read_text(encoding="utf-8") + "\n" + HARMLESS, encoding="utf-8")
    assert run_cli(sample_copy, "close-month", "2026-10").exit_code == 0
    month_file.write_text(month_file.read_text(encoding="utf-8").replace(HARMLESS, FORGED), encoding="utf-8")
    run = run_cli(sample_copy, "check")
    assert run.exit_code == 1
    assert (
        "error: ledgers/closing/2026-10.beancount:" in run.stderr and "changed after its close" in run.stderr
    )


def test_moving_the_main_ledger_away_from_its_closings_is_caught(sample_copy):
    """coop.yaml's ledger: pointed at a new main file that includes the month files but not the closings."""
    books = sample_copy / "books"
    books.mkdir()
    (books / "main.beancount").write_text(
        'option "title" "moved"\noption "operating_currency" "EUR"\ninclude "../ledgers/accounts.beancount"\n'
        'include "../ledgers/2025/*.beancount"\ninclude "../ledgers/2026/*.beancount"\n',
        encoding="utf-8",
    )
    coop = sample_copy / "config" / "coop.yaml"
    coop.write_text(
        coop.read_text(encoding="utf-8").replace(
            "ledger: ledgers/main.beancount", "ledger: books/main.beancount"
        ),
        encoding="utf-8",
    )
    run = run_cli(sample_copy, "check")
    assert run.exit_code == 1
    assert "error: ledgers/closing: closing files lie in ledgers/closing/" in run.stderr


def test_review_sees_a_file_the_pull_request_marks_export_ignore(sample_copy):
    """git archive would drop the file (the revision's own .gitattributes): review reads git's objects
    instead."""
    repo = make_repo(sample_copy)
    git(repo, "checkout", "-q", "-b", "pr")
    (repo / "ledgers" / "2026" / "2026-09-extra.beancount").write_text(
        '2026-09-15 * "Client" "Facture"\n  Assets:Bank:Courant  5000.00 EUR\n  Income:Activity:InesDev  '
        "-5000.00 EUR\n",
        encoding="utf-8",
    )
    (repo / ".gitattributes").write_text(
        "ledgers/2026/2026-09-extra.beancount export-ignore\n", encoding="utf-8"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "pr")
    run = run_cli(repo, "review", "main..pr", "--format", "json")
    assert run.exit_code == 1, run.stdout
    assert run.json()["closed_months_touched"], run.stdout


def test_review_reports_a_revision_that_does_not_load_cleanly(sample_copy):
    repo = make_repo(sample_copy)
    month = repo / "ledgers" / "2026" / "2026-10.beancount"
    month.write_text(
        month.read_text(encoding="utf-8") + '\n2026-10-20 * "x"\n  Income:Activity:Nope  -10.00 EUR\n'
        "  Assets:Bank:Courant  10.00 EUR\n",
        encoding="utf-8",
    )
    git(repo, "commit", "-qam", "broken")
    run = run_cli(repo, "review", "HEAD~1..HEAD", "--format", "json")
    assert run.exit_code == 1
    assert any("unknown activity 'Nope'" in p["message"] for p in run.json()["errors"])


def test_a_closing_folder_linked_outside_is_refused_in_one_line(tmp_path):
    folder = write_coop(tmp_path / "coop")
    outside = tmp_path / "outside"
    outside.mkdir()
    (folder / "ledgers" / "closing").symlink_to(outside)
    before = snapshot(folder)
    run = run_cli(folder, "close-month", "2026-10")
    assert run.exit_code == 1
    assert run.stderr.count("\n") == 1 and "outside the cooperative's folder" in run.stderr
    assert list(outside.iterdir()) == [] and snapshot(folder) == before


def test_renaming_a_member_leaves_closed_months_proven(sample_copy):
    """A name is text in a salary's narration, not money: every closed month still recomputes."""
    members = sample_copy / "config" / "members.yaml"
    members.write_text(
        members.read_text(encoding="utf-8").replace('"Bob Durand"', '"Bob Durand-Martin"'), encoding="utf-8"
    )
    run = run_cli(sample_copy, "check")
    assert run.exit_code == 0, run.stderr


def test_a_line_too_long_for_the_parser_is_refused_at_once(tmp_path):
    folder = write_coop(tmp_path / "coop")
    main = folder / "ledgers" / "main.beancount"
    main.write_text(main.read_text(encoding="utf-8") + "; " + "x" * 5_000_000 + "\n", encoding="utf-8")
    run = run_cli(folder, "check")
    assert run.exit_code == 1
    assert (
        run.stderr.startswith("error: ledgers/main.beancount:") and "longer than 20,000 bytes" in run.stderr
    )


def test_an_activity_amount_finer_than_the_cent_is_refused(tmp_path):
    """Beancount's tolerance lets -100.005 EUR balance against 100.00 EUR: half a cent an activity never
    had."""
    folder = write_coop(tmp_path / "coop")
    main = folder / "ledgers" / "main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8") + '\n2026-10-21 * "Client" "Half a cent"\n'
        "  Income:Activity:BoisNomade  -100.005 EUR\n  Assets:Bank:Main  100.00 EUR\n",
        encoding="utf-8",
    )
    run = run_cli(folder, "check")
    assert run.exit_code == 1 and "finer than the cent" in run.stderr
    fine = write_coop(tmp_path / "fine")
    main = fine / "ledgers" / "main.beancount"
    main.write_text(
        main.read_text(encoding="utf-8") + '\n2026-10-21 * "Client" "Three zeros"\n'
        "  Income:Activity:BoisNomade  -100.000 EUR\n  Assets:Bank:Main  100.00 EUR\n",
        encoding="utf-8",
    )
    assert run_cli(fine, "check").exit_code == 0


def test_control_characters_and_lookalike_ids_in_the_config_are_refused(tmp_path):
    folder = write_coop(tmp_path / "coop")
    members = folder / "config" / "members.yaml"
    members.write_text(
        members.read_text(encoding="utf-8").replace('"Alice Martin"', '"Alice\\e[31m Martin"'),
        encoding="utf-8",
    )
    run = run_cli(folder, "check")
    assert run.exit_code == 1 and "control character U+001B" in run.stderr
    other = write_coop(tmp_path / "other")
    coop = other / "config" / "coop.yaml"
    coop.write_text(
        coop.read_text(encoding="utf-8")
        .replace("{id: paris-11,", "{id: pari\\u0301s-11,")
        .replace("id: paris-11", "id: pari\u0301s-11"),
        encoding="utf-8",
    )
    activities = other / "config" / "activities.yaml"
    activities.write_text(
        activities.read_text(encoding="utf-8").replace("paris-11", "pari\u0301s-11"), encoding="utf-8"
    )
    run = run_cli(other, "check")
    assert run.exit_code == 1 and "is not an id" in run.stderr


def test_a_ledger_file_no_include_reaches_is_named(tmp_path):
    folder = write_coop(tmp_path / "coop")
    stray = folder / "ledgers" / "2027" / "2027-01.beancount"
    stray.parent.mkdir()
    stray.write_text(
        '2027-01-05 * "Client" "Facture"\n  Income:Activity:BoisNomade  -500.00 EUR\n'
        "  Assets:Bank:Main  500.00 EUR\n",
        encoding="utf-8",
    )
    run = run_cli(folder, "check")
    assert "warning: ledgers/2027/2027-01.beancount: no include reaches this file" in run.stderr


def _as_coopctl_0_1_wrote_them(folder):
    """The sample's closings as coopctl 0.1 wrote them: no full digest, no records of the months before the
    first close, no opening digest in the year's close."""
    import re

    for path in sorted((folder / "ledgers" / "closing").glob("*.beancount")):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r'^  (digest|p\d{4}-\d{2}|opening_sha256): "[^"]*"\n', "", text, flags=re.M)
        path.write_text(text, encoding="utf-8")


def test_closings_an_older_coopctl_wrote_still_prove_with_a_warning(sample_copy):
    _as_coopctl_0_1_wrote_them(sample_copy)
    run = run_cli(sample_copy, "check")
    assert run.exit_code == 0, run.stderr
    assert "were closed by an older coopctl" in run.stderr
    september = sample_copy / "ledgers" / "closing" / "2026-09.beancount"
    september.write_text(
        september.read_text(encoding="utf-8").replace(
            "Salary:Gross      1300.00", "Salary:Gross      1200.00"
        ),
        encoding="utf-8",
    )
    assert run_cli(sample_copy, "check").exit_code == 1  # still proven by recomputation
