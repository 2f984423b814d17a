"""How coopctl writes text into a Beancount file: every string it writes goes through ``quote``."""

from __future__ import annotations

import hashlib
import re


def quote(text: str) -> str:
    """``text`` as a Beancount string literal: it reads back as exactly ``text`` and can never end the
    string early (backslashes and quotes escaped; line breaks and tabs written as escapes, so that every
    entry coopctl writes stays on its own lines)."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


ZERO_SEAL = "0" * 64
_SEAL_RE = re.compile(rb'^(  sealed: ")([0-9a-f]{64})(")$', re.MULTILINE)


def opening_digest(opening: bytes) -> str:
    """SHA-256 of an opening with its seal zeroed: what the year's close records, so that a year-scoped
    load can trust the opening's balances (the seal itself covers the year's close)."""
    return hashlib.sha256(_SEAL_RE.sub(rb"\g<1>" + ZERO_SEAL.encode() + rb"\g<3>", opening)).hexdigest()
