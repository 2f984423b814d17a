"""``coopctl simulate MEMBER --max``: the largest gross the member's activity can afford
(``core.simulate_max``)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from coopctl.app.commands import open_figures
from coopctl.core.projection import Projection, project_open_month
from coopctl.core.simulate_max import MaxSalary, max_salary
from coopctl.domain.months import Month


def simulate_max(
    root: Path | None,
    member: str,
    months: int,
    hours: Decimal | None,
    month: Month | None,
    today: datetime.date,
) -> tuple[MaxSalary, Projection | None]:
    """The answer, and the open month as its close will book it (the balance does not carry it yet)."""
    coop, figures = open_figures(root)
    found = max_salary(coop, figures, member, months, hours, month or Month.of(today), today)
    return found, project_open_month(coop, figures, found.activity_id, today)
