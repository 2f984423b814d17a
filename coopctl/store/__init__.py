"""Storage: atomic writes and the lock, the write-ahead journal, the caches, git revisions.

Owns: ``safe_io`` (atomic replacement, the cooperative's lock), ``journal`` (groups of writes that land
whole or not at all), ``cache`` (figures and config kept outside the repository, owner-only, checksummed,
never believed over the ledger), ``gitrev`` (a revision exported without a shell).
May import: ``domain`` and ``adapter``; never ``app`` or ``ui``.
"""
