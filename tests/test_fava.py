"""The Fava extension, through Fava's own application object (no mocks), and a screenshot in Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

fava_application = pytest.importorskip("fava.application")

from conftest import run_cli  # noqa: E402


def fava_client(main: Path):
    app = fava_application.create_app([str(main)], load=True)
    slug = app.config["LEDGERS"].first_slug()
    return app, app.test_client(), slug


def test_sample_opens_in_fava_without_error_and_the_page_answers(sample_copy):
    app, client, slug = fava_client(sample_copy / "ledgers" / "main.beancount")
    ledger = app.config["LEDGERS"][slug]
    assert [str(e) for e in ledger.errors] == []
    assert client.get(f"/{slug}/income_statement/").status_code == 200
    page = client.get(f"/{slug}/extension/Coopctl/")
    assert page.status_code == 200
    html = page.data.decode()
    # the same numbers as the CLI, from the same core functions
    members = run_cli(sample_copy, "members", "--as-of", "2026-10-31", "--format", "json").json()["members"]
    alice = next(m for m in members if m["id"] == "alice")
    assert "Members on 2026-10-31" in html
    assert re.search(
        r"<td>alice</td><td>Alice Martin</td>[^\n]*" + re.escape(f"{float(alice['balance']):,.2f}"), html
    )  # one row of the members' table (``ui.views.members``, as ``coopctl members`` prints it)
    report = run_cli(sample_copy, "report", "2026-09", "--format", "json").json()
    assert "Month 2026-09 — closed" in html
    assert f"{float(report['treasury']['reference_treasury']):,.2f}" in html


def test_the_page_says_what_is_wrong_instead_of_failing(sample_copy):
    members = sample_copy / "config" / "members.yaml"
    members.write_text(
        members.read_text(encoding="utf-8").replace("activity: BoisNomade", "activity: Nowhere", 1),
        encoding="utf-8",
    )
    _, client, slug = fava_client(sample_copy / "ledgers" / "main.beancount")
    page = client.get(f"/{slug}/extension/Coopctl/")
    assert page.status_code == 200
    assert "coopctl could not read the cooperative" in page.data.decode()
    assert "unknown activity &#39;Nowhere&#39;" in page.data.decode()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt install chromium)")
def test_screenshot_of_the_extension_page_in_headless_chromium(sample_copy, tmp_path):
    """Serve the sample with Fava's app on localhost and let Chromium render the page to a PNG."""
    from werkzeug.serving import make_server

    app, _client, slug = fava_client(sample_copy / "ledgers" / "main.beancount")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_server("127.0.0.1", port, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        shot = tmp_path / "coopctl-fava.png"
        from urllib.parse import quote

        url = f"http://127.0.0.1:{port}/{quote(slug)}/extension/Coopctl/"
        done = subprocess.run(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={tmp_path / 'profile'}",
                "--window-size=1400,1800",
                "--virtual-time-budget=8000",
                f"--screenshot={shot}",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert shot.is_file() and shot.stat().st_size > 20_000, done.stderr[-2000:]
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        keep = os.environ.get(
            "COOPCTL_SCREENSHOT_TO"
        )  # e.g. docs/fava-extension.png, to refresh the docs' copy
        if keep:
            shutil.copyfile(shot, keep)
    finally:
        server.shutdown()


def test_year_close_and_surplus_files_open_in_fava(tmp_path):
    """What close-year and --apply-surplus write opens in Fava without error too."""
    from test_year_end import closed_2025

    folder = closed_2025(tmp_path)
    assert run_cli(folder, "close-year", "2025").exit_code == 0
    assert run_cli(folder, "close-year", "2025", "--apply-surplus", "--date", "2026-06-20").exit_code == 0
    app, client, slug = fava_client(folder / "ledgers" / "main.beancount")
    assert [str(e) for e in app.config["LEDGERS"][slug].errors] == []
    assert client.get(f"/{slug}/balance_sheet/").status_code == 200
