"""Hints for a mistyped name: the nearest known names ("did you mean"), and where a name came from.

A hint is a phrase (a coded ``Problem``) given as a parameter of the problem it completes, so that it is
worded in the user's language where the problem is shown; the names it suggests are a parameter too
(``suggestions``, for programs). Never the whole list: at most three names, close enough to be a typo.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from coopctl.domain.problems import N_, Problem

MAX_SUGGESTIONS = 3


def nearest(name: str, known: Iterable[str], count: int = MAX_SUGGESTIONS, cutoff: float = 0.6) -> list[str]:
    """The known names closest to ``name`` (difflib's ratio of at least ``cutoff``), best first; a name
    that differs only in case comes first."""
    candidates = sorted({k for k in known if k and k != name})
    same_case = [k for k in candidates if k.lower() == name.lower()]
    close = difflib.get_close_matches(name, candidates, n=count, cutoff=cutoff)
    if not close:  # a capital letter off weighs a lot in a short name: compare in lower case too
        lower = {k.lower(): k for k in candidates}
        close = [
            lower[k] for k in difflib.get_close_matches(name.lower(), list(lower), n=count, cutoff=cutoff)
        ]
    return (same_case + [k for k in close if k not in same_case])[:count]


def did_you_mean(names: list[str]) -> Problem:
    """The phrase "did you mean a, b?" (its ``names`` a list)."""
    return Problem.of("hint.did_you_mean", N_("did you mean {names}?"), names=[repr(n) for n in names])


# Where an id typed by the user came from (a phrase of the problem that refuses it).
SOURCES = {
    "argument": ("source.argument", N_("given on the command line")),
    "COOPCTL_MEMBER": ("source.env_member", N_("taken from the COOPCTL_MEMBER environment variable")),
    "git": ("source.git_email", N_("taken from git's user.email")),
}


def source_phrase(source: str) -> Problem:
    code, template = SOURCES[source]
    return Problem.of(code, template)
