"""Account names and what they hold (DESIGN §4): an activity's revenue, expenses, contribution, salary,
reserve or receivables, matched by whole components (``Income:Activity:Bois`` is not ``BoisNomade``'s)."""

from __future__ import annotations

import re

ACTIVITY_ACCOUNT_RE = re.compile(r"^(Income|Expenses|Equity|Assets|Liabilities):Activity:([^:]+)(?::(.*))?$")


def classify(account: str, known: set[str]) -> tuple[str | None, str | None]:
    """(role, activity) of an account: revenue, expenses, contribution, salary, equity, receivable,
    unknown (an activity config does not know), or (None, None) for the cooperative's own accounts."""
    if account.startswith("Assets:Receivable:"):
        activity = account.split(":")[2]
        return ("receivable", activity) if activity in known else (None, None)
    match = ACTIVITY_ACCOUNT_RE.match(account)
    if not match:
        return None, None
    kind, activity, rest = match.group(1), match.group(2), match.group(3) or ""
    if activity not in known:
        return "unknown", activity
    top = rest.split(":", 1)[0]
    if kind == "Income":
        return "revenue", activity
    if kind == "Expenses":
        return {"Contribution": "contribution", "Salary": "salary"}.get(top, "expenses"), activity
    if kind == "Equity":
        return "equity", activity
    return None, None  # Assets:Activity:X or Liabilities:Activity:X: known activity, no role in its balance


def balance_owner(account: str) -> str | None:
    """The activity whose balance a posting to ``account`` moves (Income, Expenses, Equity), else None."""
    match = ACTIVITY_ACCOUNT_RE.match(account)
    return match.group(2) if match and match.group(1) in ("Income", "Expenses", "Equity") else None
