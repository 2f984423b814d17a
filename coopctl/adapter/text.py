"""How coopctl writes text into a Beancount file: every string it writes goes through ``quote``."""

from __future__ import annotations


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
