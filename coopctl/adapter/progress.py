"""Progress of long work (a whole load of the ledger, and the cache fill after it), told to whoever listens.

The loader calls ``advance`` as it goes (each file read, then booking and validation); the command line
listens while a command runs and draws a progress bar on a terminal (``ui.cli._loading``). Nobody
listening (a pipe, a test, Fava): nothing happens.
"""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator

Listener = Callable[[str, int, int], None]  # (stage, files read, transactions read)

_listeners: list[Listener] = []


@contextlib.contextmanager
def listening(listener: Listener) -> Iterator[None]:
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def advance(stage: str, files: int, transactions: int) -> None:
    for listener in list(_listeners):
        listener(stage, files, transactions)
