"""Where the cooperative and its cache are: light on purpose (no YAML, no Pydantic, no Beancount), so that a
warm read-only command can find them before deciding whether it needs anything heavier."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from coopctl.domain.problems import N_, ConfigError


def find_root(start: Path | None = None) -> Path:
    """The cooperative's folder: ``--root``/``COOPCTL_ROOT``, or upward from the current folder."""
    env = os.environ.get("COOPCTL_ROOT")
    if start is None and env:
        start = Path(env)
        if not (start / "config" / "coop.yaml").is_file():
            raise ConfigError.of("root.env", N_("COOPCTL_ROOT={root}: no config/coop.yaml there"), root=env)
        return start.resolve()
    if start is not None:
        if not (start / "config" / "coop.yaml").is_file():
            raise ConfigError.of(
                "root.option",
                N_("{root}: no config/coop.yaml there; is this a cooperative's folder?"),
                root=str(start),
            )
        return start.resolve()
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "config" / "coop.yaml").is_file():
            return folder
    raise ConfigError.of(
        "root.none",
        N_("no cooperative found: no config/coop.yaml in {here} or above; use --root DIR or COOPCTL_ROOT"),
        here=str(here),
    )


def cache_folder(root: Path) -> Path:
    """coopctl's cache for the cooperative at ``root``: outside the git tree, one folder per cooperative."""
    base = os.environ.get("COOPCTL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "coopctl"
    )
    return Path(base) / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:20]
