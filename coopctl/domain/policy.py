"""What a ledger may ask of Beancount: the vetted plugins and the accepted options.

Threat model: members open pull requests and anyone may edit the ledgers and the config by hand.
Nothing written in a ledger or in coop.yaml may run code, reach outside the cooperative's folder,
or change what the books mean. So:

- **Plugins.** A ledger may name only a plugin of ``VETTED_PLUGINS`` (Beancount 3's own plugins whose
  source was read: none evaluates or imports anything from its configuration), only when coop.yaml
  lists it under ``ledger_plugins``, and never with a configuration string. Left out, on purpose:
  ``check_commodity``, ``commodity_attr`` and ``check_average_cost`` run Python's ``eval`` on their
  configuration; ``pedantic`` bundles ``check_commodity``; ``currency_accounts`` books postings into an
  account its configuration names (it could move money into an activity's accounts unseen);
  ``beancount.ops.*`` already run on every load. Anything else is refused before any import.
- **Options.** Only ``ACCEPTED_OPTIONS`` may be set; each of them changes how things are shown, never
  what balances: tolerances (an unbalanced transaction let through), ``booking_method``, ``account_rounding``,
  ``use_precise_interpolation`` (what an interpolated amount is), the ``name_*`` root accounts (coopctl's
  conventions read ``Income:Activity:…``), the ``account_*`` equity names, ``conversion_currency``,
  ``insert_pythonpath``, ``plugin_processing_mode`` and the deprecated syntax switches are refused.
  ``documents`` folders must lie inside the cooperative's folder.
"""

from __future__ import annotations

from coopctl.domain.problems import N_, Problem

VETTED_PLUGINS: dict[str, str] = {
    "beancount.plugins.auto_accounts": "opens an account at its first use",
    "beancount.plugins.auto": "auto_accounts and implicit_prices",
    "beancount.plugins.implicit_prices": "adds price entries from prices and costs written in postings",
    "beancount.plugins.check_closing": "a balance assertion after postings marked closing: TRUE",
    "beancount.plugins.check_drained": "balance assertions of zero when balance-sheet accounts close",
    "beancount.plugins.close_tree": "closing an account closes its sub-accounts",
    "beancount.plugins.coherent_cost": "a currency is held either at cost or without, not both",
    "beancount.plugins.leafonly": "postings only to accounts without sub-accounts",
    "beancount.plugins.noduplicates": "refuses duplicate transactions",
    "beancount.plugins.nounused": "refuses accounts opened and never used",
    "beancount.plugins.onecommodity": "one commodity per account",
    "beancount.plugins.sellgains": "sales at cost balance with their price",
    "beancount.plugins.unique_prices": "one price per commodity and day",
}

# Plugins left out, and why (said in the refusal).
REFUSED_PLUGINS: dict[str, str] = {
    "beancount.plugins.check_commodity": N_("it evaluates its configuration with Python's eval"),
    "beancount.plugins.commodity_attr": N_("it evaluates its configuration with Python's eval"),
    "beancount.plugins.check_average_cost": N_("it evaluates its configuration with Python's eval"),
    "beancount.plugins.pedantic": N_(
        "it runs check_commodity, which evaluates its configuration with Python's eval"
    ),
    "beancount.plugins.currency_accounts": N_("it books postings into an account its configuration names"),
}

# Options a ledger may set: each changes only how the books are shown (or, for documents, where
# Beancount looks for statements, inside the cooperative's folder). plugin_processing_mode may be
# written only with its default value.
ACCEPTED_OPTIONS: dict[str, str] = {
    "title": "the ledger's title",
    "operating_currency": "the currencies reports show first",
    "render_commas": "thousands separators when Beancount prints numbers",
    "display_precision": "how many decimals Beancount prints",
    "long_string_maxlines": "how many lines a text may span",
    "documents": "folders of statements; inside the cooperative's folder only",
}

MIN_YEAR, MAX_YEAR = 1900, 2999  # dates outside are typos (or attacks on date arithmetic), refused


def refused_plugin(name: str, file: str | None = None, line: int | None = None) -> Problem:
    """Why a plugin no ``ledger_plugins`` may name is refused, as a coded problem."""
    reason = REFUSED_PLUGINS.get(name)
    if reason:
        return Problem.of(
            "ledger.plugin_refused",
            N_("plugin {name} is refused: {reason}"),
            file=file,
            line=line,
            name=repr(name),
            reason=Problem.of("ledger.reason", reason),
        )
    return Problem.of(
        "ledger.plugin_not_vetted",
        N_(
            "plugin {name} is not allowed; coopctl runs only the Beancount plugins it has vetted, "
            "when coop.yaml lists them under ledger_plugins (docs/safety.md)"
        ),
        file=file,
        line=line,
        name=repr(name),
    )


def why_refused_plugin(name: str) -> str:
    return refused_plugin(name).message
