"""Adversarial review of the close after a close (issue 18): a close leaves the cache and the seal describing
the ledger it wrote (the whole load's close from its verifying reload, the sealed close from the file it
verified alone). Hand edits between and during commands try to make the next close, or the warm cache,
disagree with a whole load (``COOPCTL_NO_CACHE=1``): every file, stdout, stderr and exit code.
"""

from __future__ import annotations

from conftest import run_cli
from test_cache import split_coop
from test_sealed_close import NO_CACHE, _append, _invoice
from test_sealed_close_write import DECEMBER_15, _close_both

from coopctl.ui import cli

MAIN = "ledgers/main.beancount"


def test_the_main_ledger_edited_during_a_whole_load_close_is_not_sealed(tmp_path, monkeypatch):
    """The whole load's close seals from its verifying reload when that reload read every other file as the
    proven load did; the main ledger is left out of that comparison (the close may add the include to it).
    An editor saving the main ledger with an entry dated in the month being closed while the close runs: the
    reload reads it, nothing proved it (the closing was written from the first load), so the next close must
    not trust it: the whole load refuses the closed month changed, so must the close after it."""
    import coopctl.app.commands  # noqa: F401  (imported before the patch: it binds the function by name)
    from coopctl.store import cache as cache_module

    monkeypatch.setenv("COOPCTL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(cli, "_today", lambda: DECEMBER_15)
    a = split_coop(tmp_path / "a")
    b = split_coop(tmp_path / "b")
    reload = cache_module.load_books_filling_cache

    def edited_meanwhile(coop, *args, **kwargs):
        _append(coop.root, MAIN, _invoice("2026-09-28", "DanDesign", 4200))
        return reload(coop, *args, **kwargs)

    for folder, env in ((a, None), (b, NO_CACHE)):
        with monkeypatch.context() as patch:
            patch.setattr(cache_module, "load_books_filling_cache", edited_meanwhile)
            run = run_cli(folder, "close-month", "2026-09", env=env)
        assert run.exit_code == 0, run.stderr
    fast, slow, why = _close_both(a, b, "2026-10")
    assert fast == slow, (why, fast[:3], slow[:3])
    assert fast[0] == 1
