"""``python -m coopctl``: the same as the ``coopctl`` command."""

from coopctl.ui.cli import main

main()
