"""Presentation: the command line, rendering (Rich table, JSON, CSV, HTML), words and languages.

Owns: ``cli`` (Typer: parse, call one ``app`` function and one view, render, map errors to exit codes),
``views`` (one function per report: an ``app`` result to a ``render.Report``, for the CLI and the Fava page),
``render`` (one renderer for every report), ``i18n`` (gettext catalogue, Babel number and date formats),
``statement_html``. The Fava extension (``coopctl.fava``) is presentation too.
May import: everything below it (``app``, ``domain``); nothing imports ``ui`` but ``fava`` and ``__main__``.
"""
