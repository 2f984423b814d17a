"""A Fava extension: the cooperative's page (members' balances, the month's close, the treasury).

Enable it with one line in the main ledger::

    2020-01-01 custom "fava-extension" "coopctl.fava"

The page is computed by the same core functions as the CLI (``members_list``, ``month_report``,
``treasury_state``) on the same figures (coopctl's cache when it is current), for the cooperative
whose ``config/coop.yaml`` is found from the ledger's folder upward. A config or ledger error is
shown on the page, never raised into Fava.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path

from fava.ext import FavaExtensionBase

from ..core.close import plan_close, plan_transactions
from ..core.lifecycle import lifecycle_alerts
from ..core.reports import MemberRow, MonthReport, members_list, month_report
from ..core.treasury import TreasuryState, treasury_state
from ..errors import CoopctlError
from ..months import Month


@dataclass
class CoopPage:
    """What the page shows, or the errors that prevented it."""

    as_of: datetime.date | None = None
    members: list[MemberRow] = field(default_factory=list)
    month: MonthReport | None = None
    treasury: TreasuryState | None = None
    alerts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def coop_page(ledger_file: Path, today: datetime.date) -> CoopPage:
    """The page for the cooperative holding ``ledger_file``, on ``today`` (pure apart from loading)."""
    from .. import service

    folder = next((f for f in (ledger_file.parent, *ledger_file.parent.parents) if (f / "config" / "coop.yaml").is_file()), None)
    if folder is None:
        return CoopPage(errors=[f"no config/coop.yaml in {ledger_file.parent} or above: coopctl finds the cooperative from the ledger's folder"])
    try:
        coop, figures = service.open_figures(folder)
    except CoopctlError as exc:
        return CoopPage(errors=[str(problem) for problem in exc.problems])
    as_of = min(today, figures.last_date) if figures.last_date else today
    month = figures.last_closed or Month.of(as_of).previous()
    report = month_report(coop, figures, month)
    pending = [] if report.closed else [p for t in plan_transactions(plan_close(coop, figures, month)) for p in t.postings]
    treasury = treasury_state(coop, figures, month.last_day, pending, None if report.closed else month)
    alerts = list(treasury.alerts) + [p.message for p in lifecycle_alerts(coop, figures, as_of, locate=False)]
    return CoopPage(as_of, members_list(coop, figures, as_of), report, treasury, alerts)


class Coopctl(FavaExtensionBase):
    """The cooperative (coopctl): members' balances, the last closed month, the pooled treasury."""

    report_title = "Coopérative"

    def page(self) -> CoopPage:
        return coop_page(Path(self.ledger.beancount_file_path), datetime.date.today())
