"""Light coercion of command-line values, for the Typer versions that coerce through Pydantic.

Typer >= 0.26 coerces each parameter's value through a Pydantic ``TypeAdapter``: importing Pydantic and
building the adapters costs about 50 ms a command, a third of a warm ``balance``. coopctl's parameters are
simple (text, a folder or file ``Path``, a ``str`` enum such as ``--format``): their values are coerced
here exactly as Typer does; anything else, and any value these do not accept (so that the error message is
Typer's), goes to Typer's own coercion. With a Typer that has no such mechanism nothing is changed.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Any


class _LightParam:
    """Stands for Typer's runtime parameter (``coerce(value, param=, ctx=)``)."""

    def __init__(self, descriptor: Any) -> None:
        self.descriptor = descriptor
        self.typer_param: Any = None

    def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
        annotation = self.descriptor.annotation
        several = param.multiple or param.nargs == -1
        if value is None:  # as Typer's RuntimeParam.coerce, before any adapter
            return () if several else None
        if not several:
            if annotation is str and isinstance(value, str):
                return value
            if (
                isinstance(annotation, type)
                and issubclass(annotation, enum.Enum)
                and issubclass(annotation, str)
            ):
                if isinstance(value, annotation):
                    return value
                if isinstance(value, str) and self.descriptor.parameter_info.case_sensitive:
                    for member in annotation:
                        if member.value == value:
                            return member
            if annotation is Path and isinstance(value, (str, Path)):
                try:
                    from typer._param_types import coerce_cli_path
                except ImportError:
                    pass
                else:  # Typer's own checks (exists, file or folder...), on a Path: no Pydantic
                    info = self.descriptor.parameter_info
                    return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        if self.typer_param is None:
            from typer._coercion import build_runtime_param

            self.typer_param = build_runtime_param(self.descriptor)
        return self.typer_param.coerce(value, param=param, ctx=ctx)


def lighten(command: Any) -> None:
    """Give each parameter of ``command`` and its subcommands the light coercion (when Typer has one to
    replace), the help option that each makes when asked included."""
    for param in getattr(command, "params", []):
        _lighten_param(param)
    if "get_help_option" not in vars(command) and hasattr(command, "get_help_option"):
        command.get_help_option = _lightened_help(command.get_help_option)
    for sub in (getattr(command, "commands", None) or {}).values():
        lighten(sub)


def _lighten_param(param: Any) -> None:
    if "_runtime_param" in vars(param) and param._runtime_param is None and hasattr(param, "type_descriptor"):
        param._runtime_param = _LightParam(param.type_descriptor)


def _lightened_help(original: Any) -> Any:
    def get_help_option(ctx: Any) -> Any:
        option = original(ctx)
        if option is not None:
            _lighten_param(option)
        return option

    return get_help_option
