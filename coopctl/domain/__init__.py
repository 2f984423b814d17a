"""The domain's values: money, months, problems, the cooperative's validated config, the ledger's figures.

Owns: ``money`` (``D``, ``ZERO``, half-up rounding to the cent, floats refused), ``months``, ``problems``
(``Problem`` values with a source, and the ``CoopctlError`` family the edges raise), ``cooperative`` (the
Pydantic models of config/*.yaml and dated schedules), ``figures`` (what the core reads of a ledger),
``accounts`` (how an account name says what it holds).
May import: nothing of coopctl outside ``domain``.
"""
