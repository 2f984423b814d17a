"""The pure core: plain functions from a validated cooperative and ledger figures to results.

Nothing here prints, exits, reads or writes files. Errors are returned as
``Problem`` values (or raised as ``CoopctlError`` for a refused request), so
that the CLI, tests and any other front end share the same computations.

- ``payroll``: a member's salary for a month (proration, contributions).
- ``close``: the monthly close plan and the reasons to refuse a close.
- ``reports``: balances and histories, the month's report, the members list, checks.
"""
