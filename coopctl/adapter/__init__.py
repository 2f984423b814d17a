"""The Beancount adapter: the ledger read safely and reduced to figures, and the text coopctl writes into it.

Owns: ``ledger`` (the safe load with its one include walker, extraction into ``domain.figures``),
``policy`` (the plugins and options a ledger may use), ``fingerprint`` (what a closed month was computed
from), ``ownfiles`` (the files coopctl writes, by where they are), ``text`` (every string and entry coopctl
writes into a Beancount file).
May import: ``domain``, ``core`` (to plan what it writes), Beancount; never ``store``, ``app`` or ``ui``.
"""
