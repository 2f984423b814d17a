"""coopctl: the bookkeeping tool of a coopérative d'activités et d'emploi (CAE).

Package layout (each module says what it owns):

- ``money``, ``months``, ``errors``: the value types every other module uses.
- ``config``: the cooperative's YAML files, loaded into validated Pydantic models.
- ``ledger``: the Beancount ledger, loaded safely, reduced to per-activity figures.
- ``core``: the pure computations (monthly close, balances, reports); no I/O.
- ``closing``: the text of a closing file and the safe, locked, atomic write of it.
- ``render``: one renderer for every report (Rich table, JSON, CSV).
- ``cli``: the Typer command line; parses, calls one function, renders.
"""

__version__ = "0.1.0"
