"""``python -m coopctl``: the same as the ``coopctl`` command."""

from .cli import main

main()
