"""The application: one function per command, from a root folder to a result dataclass.

Owns: ``commands`` (load what a command needs, call the core, write when it must, return results),
``closing`` and ``yearclose`` (writing a month's or a year's close as one journaled group),
``recompute`` (proving every file coopctl wrote by writing it again), ``init`` (a new cooperative).
May import: ``domain``, ``core``, ``adapter``, ``store``; never ``ui``. Never prints or exits.
"""
