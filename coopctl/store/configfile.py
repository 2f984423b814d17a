"""Reading the cooperative's config files: YAML (safe loader, no aliases), line numbers, the cached copy.

``load_cooperative`` reads ``config/*.yaml`` into the domain's models and reports every error as
``file:line: field: message``, using a map from YAML paths to line numbers. A validated copy is kept in
the cache (owner-only, checksummed), keyed by the files' exact bytes. ``find_root`` finds the cooperative.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from coopctl.domain.cooperative import (
    BOM_MESSAGE,
    BOMS,
    ActivitiesFile,
    Coop,
    Cooperative,
    MembersFile,
    _line_of,
    check_consistency,
    field_problem,
)
from coopctl.domain.problems import N_, ConfigError, Problem
from coopctl.domain.suggest import did_you_mean, nearest
from coopctl.store.paths import cache_folder, find_root  # noqa: F401 (their home before; light there)

# --------------------------------------------------------------------------- loading


_SafeBase = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml's C parser when present, same safe constructors


class _DataLoader(_SafeBase):  # type: ignore[misc, valid-type]
    """The safe loader, except that an impossible date (2024-13-01) stays text for validation to report."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_DataLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _yaml_error(exc: yaml.YAMLError, rel: str) -> ConfigError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return ConfigError(  # PyYAML's own words stay English, as Pydantic's
        [
            Problem.of(
                "config.yaml_syntax",
                N_("YAML syntax error: {problem}"),
                file=rel,
                line=mark.line + 1 if mark else None,
                problem=problem,
            )
        ]
    )


def _read_yaml(path: Path, rel: str, lines: dict[tuple[str, tuple], int]) -> Any:
    """Parse once (safe loader), map every path to its line, then build the data from the same nodes."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError([Problem.of("config.file_missing", N_("file is missing"), file=rel)]) from None
    except OSError as exc:
        raise ConfigError(
            [Problem.of("config.unreadable", N_("cannot read: {reason}"), file=rel, reason=exc.strerror)]
        ) from None
    if raw.startswith(BOMS):
        raise ConfigError([Problem.of("config.bom", BOM_MESSAGE, file=rel, line=1)])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            [
                Problem.of(
                    "config.not_utf8",
                    N_("not valid UTF-8 (byte {byte}); save the file as UTF-8"),
                    file=rel,
                    line=line,
                    byte=exc.start,
                )
            ]
        ) from None
    loader = _DataLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _yaml_error(exc, rel) from None
        if node is None:
            raise ConfigError([Problem.of("config.file_empty", N_("file is empty"), file=rel)])
        problems: list[Problem] = []
        _map_lines(node, (), rel, lines, problems)
        problems = [_alias_line(p, text) if p.code == "config.yaml_alias" else p for p in problems]
        if problems:
            raise ConfigError(problems)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as exc:  # e.g. an unknown tag such as !!python/object
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise ConfigError(
                [
                    Problem.of(
                        "config.yaml_error",
                        N_("YAML error: {problem}"),
                        file=rel,
                        line=mark.line + 1 if mark else None,
                        problem=problem,
                    )
                ]
            ) from None
    finally:
        loader.dispose()


ALIAS_MESSAGE = N_("YAML aliases (*name) and merge keys are not accepted; write the value out in full")


def _alias_line(problem: Problem, text: str) -> Problem:
    """The alias problem at the line of the first alias (the composed nodes only know where the anchor is)."""
    try:
        for event in yaml.parse(text, Loader=_SafeBase):
            if isinstance(event, yaml.AliasEvent):
                assert event.start_mark is not None  # the parser marks every event it yields
                return dataclasses.replace(problem, line=event.start_mark.line + 1)
    except yaml.YAMLError:
        pass
    return problem


def _map_lines(
    node: yaml.Node,
    path: tuple,
    rel: str,
    lines: dict,
    problems: list[Problem],
    visited: set[int] | None = None,
    line: int | None = None,
) -> None:
    """Map each YAML path to its line; report duplicate keys and aliases.

    An alias makes the composer reuse a node: a node met twice is refused (and not walked again), so
    that a "billion laughs" file (aliases of aliases) costs one pass over its text, not an exponential walk.
    """
    if visited is None:
        visited = set()
    if id(node) in visited:
        if not any(p.code == "config.yaml_alias" for p in problems):
            problems.append(
                field_problem(
                    Problem.of("config.yaml_alias", ALIAS_MESSAGE),
                    path,
                    rel,
                    line or node.start_mark.line + 1,
                )
            )
        return
    visited.add(id(node))
    lines[(rel, path)] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if not isinstance(key, str):  # a complex key ({a: 1}: x, [1]: y): never a config key
                problems.append(
                    field_problem(
                        Problem.of("config.complex_key", N_("a key must be a plain name")),
                        path,
                        rel,
                        key_node.start_mark.line + 1,
                    )
                )
                continue
            if key in seen:
                problems.append(
                    field_problem(
                        Problem.of(
                            "config.duplicate_key",
                            N_("duplicate key (first at line {first})"),
                            first=seen[key],
                        ),
                        path + (key,),
                        rel,
                        key_node.start_mark.line + 1,
                    )
                )
            seen[key] = key_node.start_mark.line + 1
            _map_lines(value_node, path + (key,), rel, lines, problems, visited, key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _map_lines(item, path + (index,), rel, lines, problems, visited, node.start_mark.line + 1)


def _validate(model: type[BaseModel], data: Any, rel: str, lines: dict) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(
            [
                Problem.of(
                    "config.not_mapping",
                    N_("expected a mapping of keys at the top of the file"),
                    file=rel,
                    line=1,
                )
            ]
        )
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                near = nearest(str(loc[-1]), _keys_at(model, loc[:-1])) if loc else []
                problem = (
                    Problem.of(
                        "config.unknown_key",
                        N_("unknown key; {hint}"),
                        hint=did_you_mean(near),
                        suggestions=near,
                    )
                    if near
                    else Problem.of("config.unknown_key", N_("unknown key"))
                )
            elif err["type"] == "missing":
                problem = Problem.of("config.missing_key", N_("required key is missing"))
            elif err["type"].startswith("config."):  # coopctl's own (domain.cooperative.invalid): coded
                params = dict(err.get("ctx", {}))
                problem = Problem.of(err["type"], params.pop("template"), **params)
            else:  # Pydantic's own wording ("Input should be a valid list"): English in every language
                problem = Problem(err["msg"].removeprefix("Value error, "))
            problems.append(field_problem(problem, loc, rel, _line_of(lines, rel, loc)))
        raise ConfigError(problems) from None


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The Pydantic models an annotation holds (through list, Optional, Union, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [model for arg in typing.get_args(annotation) for model in _models_in(arg)]


def _keys_at(model: type[BaseModel], path: tuple) -> set[str]:
    """The keys a mapping at ``path`` (a YAML path, list indexes included) may hold, as written."""
    models = [model]
    for part in path:
        if isinstance(part, int):
            continue  # a list's items: the models its annotation holds already
        models = [
            inner
            for current in models
            for name, info in current.model_fields.items()
            if part in (name, info.alias)
            for inner in _models_in(info.annotation)
        ]
    return {info.alias or name for current in models for name, info in current.model_fields.items()}


CONFIG_FILES = ("coop", "members", "activities")


def _config_cache(root: Path) -> tuple[Path, str] | None:
    """Where a validated copy of this exact config may be kept (JSON, keyed by the files' bytes), or None."""
    from coopctl import __version__
    from coopctl.store import cache

    if (
        not cache.enabled()
    ):  # one cache policy: store.cache's (COOPCTL_NO_CACHE, folder, owner-only, checksums)
        return None

    digest = hashlib.sha256(__version__.encode())
    try:
        for name in CONFIG_FILES:
            digest.update((root / "config" / f"{name}.yaml").read_bytes())
    except OSError:
        return None
    return cache_folder(root) / "config.json", digest.hexdigest()


# the config's digest (``cache.config_key``) of the bytes the models were built from, kept on the Cooperative:
# what a cache or seal written with it describes (a file saved since is not what the command computed with)
LOADED_KEY = "config_key"


def load_cooperative(root: Path) -> Cooperative:
    """Load and validate the three config files of the cooperative at ``root``.

    A validated copy is kept in the cache, keyed by the files' exact bytes: an unchanged config is read
    back as JSON (YAML parsing is most of the cost for thousands of members) and validated again.
    """
    cached = _config_cache(root)
    if cached is not None:
        path, key = cached
        from coopctl.store import cache

        try:
            if not cache._trusted_folder(path.parent):
                raise ValueError("a cache folder that is not ours alone")
            doc = json.loads(cache._read_sealed(path))  # owner-only, checksummed (as the ledger's cache)
            if doc.get("key") == key:
                cooperative = Cooperative(
                    root,
                    Coop.model_validate(doc["coop"]),
                    MembersFile.model_validate(doc["members"]).members,
                    ActivitiesFile.model_validate(doc["activities"]).activities,
                )
                if not check_consistency(cooperative):
                    cooperative.__dict__[LOADED_KEY] = key
                    return cooperative
        except (OSError, ValueError, KeyError, TypeError, ValidationError):
            pass
    cooperative = _load_from_yaml(root)
    if cached is not None:
        path, key = cached
        again = _config_cache(root)
        if again is None or again[1] != key:  # a file saved while it was read: these models are of neither
            cooperative.__dict__[LOADED_KEY] = "changed while read"
            return cooperative
        cooperative.__dict__[LOADED_KEY] = key
        doc = {
            "key": key,
            "coop": cooperative.coop.model_dump(mode="json", by_alias=True),
            "members": {"members": [m.model_dump(mode="json", by_alias=True) for m in cooperative.members]},
            "activities": {
                "activities": [a.model_dump(mode="json", by_alias=True) for a in cooperative.activities]
            },
        }
        from coopctl.store import cache

        try:
            if cache._private_folder(path.parent):
                cache._write_sealed(path, json.dumps(doc).encode("utf-8"))
        except OSError:
            pass
    return cooperative


def _load_from_yaml(root: Path) -> Cooperative:
    lines: dict[tuple[str, tuple], int] = {}
    files = {name: f"config/{name}.yaml" for name in ("coop", "members", "activities")}
    coop = _validate(Coop, _read_yaml(root / files["coop"], files["coop"], lines), files["coop"], lines)
    members = _validate(
        MembersFile, _read_yaml(root / files["members"], files["members"], lines), files["members"], lines
    )
    activities = _validate(
        ActivitiesFile,
        _read_yaml(root / files["activities"], files["activities"], lines),
        files["activities"],
        lines,
    )
    cooperative = Cooperative(root, coop, members.members, activities.activities, lines)
    problems = check_consistency(cooperative)
    if problems:
        raise ConfigError(problems)
    return cooperative


def _read_lines(root: Path) -> dict[tuple[str, tuple], int]:
    lines: dict[tuple[str, tuple], int] = {}
    for name in CONFIG_FILES:
        try:
            _read_yaml(root / "config" / f"{name}.yaml", f"config/{name}.yaml", lines)
        except ConfigError:
            pass
    return lines


Cooperative.line_reader = staticmethod(_read_lines)  # type: ignore[assignment]
