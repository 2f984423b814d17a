"""Presentation: the command line, rendering (Rich table, JSON, CSV, HTML), words and languages.

Owns: ``cli`` (Typer: parse, call one ``app`` function, render, map errors to exit codes), ``render``
(one renderer for every report), ``i18n`` (gettext catalogue, Babel number and date formats),
``statement_html``. The Fava extension (``coopctl.fava``) is presentation too.
May import: everything below it (``app``, ``domain``); nothing imports ``ui`` but ``fava`` and ``__main__``.
"""
