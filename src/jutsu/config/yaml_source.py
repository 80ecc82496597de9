"""Read ``config/config.yaml``: resolve ``${VAR}`` references, reject unknown keys with file and line.

Errors are :class:`~jutsu.errors.ConfigError` with one line naming the file, the dotted key and,
when known, the line number — the person editing the file must be able to fix it from that.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from jutsu.config.sections import YamlConfig
from jutsu.config.yaml_io import parse_yaml, read_config_text
from jutsu.errors import ConfigError

__all__ = ["DEFAULT_YAML", "load_yaml_config", "resolve_env_references"]

DEFAULT_YAML = Path("config/config.yaml")
_REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def load_yaml_config(path: Path | None, env: Mapping[str, str]) -> dict[str, Any]:
    """The validated contents of ``path`` as plain data (``{}`` when ``path`` is ``None``)."""
    if path is None:
        return {}
    text = read_config_text(path)
    raw = parse_yaml(text, path)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections, got {type(raw).__name__}")
    data: dict[str, Any] = resolve_env_references(raw, env, path)
    try:
        YamlConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path, text)) from None
    return data


def resolve_env_references(value: Any, env: Mapping[str, str], path: Path, key: str = "") -> Any:
    """Replace every ``${VAR}`` in string values with ``env[VAR]``; a missing variable is an error."""
    if isinstance(value, dict):
        return {
            k: resolve_env_references(v, env, path, f"{key}.{k}" if key else str(k)) for k, v in value.items()
        }
    if isinstance(value, list):
        return [resolve_env_references(v, env, path, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, str):

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in env:
                raise ConfigError(f"{path}: key {key}: environment variable ${{{name}}} is not set")
            return env[name]

        return _REFERENCE.sub(substitute, value)
    return value


def _describe(exc: ValidationError, path: Path, text: str) -> str:
    problems = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]]
        dotted = ".".join(loc)
        line = _line_of(text, loc)
        where = f"{path}" + (f" line {line}" if line else "")
        if error["type"] == "extra_forbidden":
            problems.append(f"{where}: unknown key '{dotted}'")
        else:
            problems.append(f"{where}: key '{dotted}': {error['msg']}")
    return "; ".join(problems)


def _line_of(text: str, keys: list[str]) -> int | None:
    """1-based line of the mapping key at ``keys`` in the YAML ``text`` (None when not found)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:  # pragma: no cover - text already parsed once
        return None
    line: int | None = None
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return line
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                line = key_node.start_mark.line + 1
                node = value_node
                break
        else:
            return line
    return line
