"""``close-month --dry-run`` on sealed month states: the open month's entries and the closed months' seal.

When the cache describes the ledger as it is (warm, or incremental: the changed files read and checked
alone, see ``store.cache``) and the seal of the closed months holds (``store.seals``: the config, every
closed month's sources, closing and opening files byte for byte those a whole load proved on this machine),
the close is planned from the cached figures, without loading the closed months through Beancount again.
Anything else (no seal, a refusal, a problem in the plan): None, and the whole load answers, with its
messages. The result is the whole load's, byte for byte (tests/test_sealed_close.py).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from coopctl.core.close import (
    bonus_refusals,
    close_refusals,
    default_close_month,
    plan_close,
    plan_transactions,
)
from coopctl.core.reports import salary_floor_problems
from coopctl.core.treasury import TreasuryState, treasury_state
from coopctl.domain.months import Month

if TYPE_CHECKING:
    from coopctl.core.close import ClosePlan
    from coopctl.domain.cooperative import Cooperative

# why the last dry run could not use the seal (for tests and benchmarks; None when it did)
last_fallback: list[str | None] = [None]


def sealed_dry_run(
    coop: Cooperative, month: Month | None, today: datetime.date
) -> tuple[ClosePlan, TreasuryState] | None:
    """The plan and treasury of a dry-run close from the sealed state, or None (load the whole ledger)."""
    from coopctl.store import seals
    from coopctl.store.cache import cached_figures

    figures = cached_figures(coop)
    if figures is None:
        last_fallback[0] = "the cache does not describe the ledger (a whole load is needed)"
        return None
    reason = seals.broken(coop, figures.last_closed)
    if reason is not None:
        last_fallback[0] = reason
        return None
    month = month or default_close_month(figures, today)
    if close_refusals(figures, month, today):
        last_fallback[0] = "a refusal: the whole load words it"
        return None
    plan = plan_close(coop, figures, month)
    if plan.problems or bonus_refusals(plan) or salary_floor_problems(coop):
        last_fallback[0] = "a refusal: the whole load words it"
        return None
    pending = [posting for t in plan_transactions(plan) for posting in t.postings]
    last_fallback[0] = None
    return plan, treasury_state(coop, figures, month.last_day, pending, month)
