"""Read YAML files so that no input, however broken or hostile, escapes as a stack trace.

PyYAML signals bad input in more ways than ``yaml.YAMLError``: its timestamp constructor raises
``ValueError`` for ``0000-01-01`` or ``2024-02-30``, ``!!float abc`` and ``!!int 0x`` raise
``ValueError`` too, a few thousand nested brackets exhaust the recursion limit, and aliases can
build a list that contains itself or a "billion laughs" tree whose walk never ends. Every loader
of the platform (settings, strategy registry and strategy files, research and Monte Carlo
configs) reads through this module, so each of those becomes one :class:`ConfigError` line
naming the file and, when PyYAML knows it, the line: ``<file>:<line>: invalid YAML: <problem>``.

Only the safe loader is used: tags that build Python objects are refused, as before.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from jutsu.errors import ConfigError

__all__ = ["load_yaml_file", "parse_yaml", "parse_yaml_with_nodes", "read_config_text"]

_SHORT_VALUE = 60
_MAX_EXPANDED_NODES = 1_000_000
"""Far above any real configuration; aliases that expand past it are an attack, not a config."""


class _CheckedLoader(yaml.SafeLoader):
    """The safe loader, turning a constructor's ``ValueError``/``TypeError``/``OverflowError`` into
    a ``ConstructorError`` that carries the offending node's position."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            kind = node.tag.rsplit(":", 1)[-1]
            value = node.value if isinstance(node, yaml.ScalarNode) else ""
            shown = value if len(value) <= _SHORT_VALUE else value[:_SHORT_VALUE] + "…"
            problem = f"cannot read {shown!r} as YAML {kind} ({exc})" if shown else f"bad YAML {kind} ({exc})"
            raise ConstructorError(None, None, problem, node.start_mark) from None


def _check_shape(data: Any, source: str | Path) -> None:
    """Refuse data that contains itself or whose aliases expand past ``_MAX_EXPANDED_NODES``.

    Every consumer walks the data (``${VAR}`` substitution, validation), so either would hang or
    blow the stack later, far from the file. Sizes are memoised per object: linear in the
    document, however many times an anchor is reused.
    """
    sizes: dict[int, int] = {}
    open_ids: set[int] = set()

    def size(value: Any) -> int:
        if not isinstance(value, dict | list):
            return 1
        key = id(value)
        if key in sizes:
            return sizes[key]
        if key in open_ids:
            raise ConfigError(f"{source}: invalid YAML: an alias refers to a value that contains it")
        open_ids.add(key)
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        total = 1 + sum(size(child) for child in children)
        open_ids.discard(key)
        if total > _MAX_EXPANDED_NODES:
            raise ConfigError(
                f"{source}: invalid YAML: aliases expand to more than {_MAX_EXPANDED_NODES} values"
            )
        sizes[key] = total
        return total

    size(data)


def _where(source: str | Path, exc: BaseException) -> str:
    mark = getattr(exc, "problem_mark", None)
    return f"{source}:{mark.line + 1}" if mark is not None else str(source)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def parse_yaml_with_nodes(text: str, source: str | Path) -> tuple[Any, yaml.Node | None]:
    """The data of the YAML document ``text`` and its node tree (for line numbers of keys).

    ``source`` names the file in messages. An empty document is ``(None, None)``.

    Raises:
        ConfigError: the text is not valid YAML, holds a value its tag cannot take (a date out
            of range, ``!!float abc``), an unsafe tag, or is nested too deep to read.
    """
    loader: _CheckedLoader | None = None
    try:
        loader = _CheckedLoader(text)  # the reader refuses control characters right here
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.reader.ReaderError as exc:  # carries an offset, not a mark
        line = text.count("\n", 0, exc.position) + 1
        problem = f"unacceptable character #x{exc.character:04x}: {exc.reason}"
        raise ConfigError(f"{source}:{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{_where(source, exc)}: invalid YAML: {_one_line(str(problem))}") from None
    except RecursionError:
        raise ConfigError(f"{source}: invalid YAML: nested too deeply to read") from None
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor outside any node
        raise ConfigError(f"{source}: invalid YAML: {_one_line(str(exc))}") from None
    finally:
        if loader is not None:
            loader.dispose()
    try:
        _check_shape(data, source)
    except RecursionError:
        raise ConfigError(f"{source}: invalid YAML: nested too deeply to read") from None
    return data, node


def parse_yaml(text: str, source: str | Path) -> Any:
    """The data of the YAML document ``text`` (``None`` when empty); see :func:`parse_yaml_with_nodes`."""
    return parse_yaml_with_nodes(text, source)[0]


def read_config_text(path: Path) -> str:
    """The UTF-8 text of a configuration file; ``ConfigError`` if missing, unreadable or not text."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a YAML file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not a text file (not UTF-8 at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None


def load_yaml_file(path: Path) -> object:
    """Read and parse the YAML file ``path``: its data, ``None`` when the file is empty.

    Raises:
        ConfigError: one line naming the file (and the line when known) for any problem.
    """
    return parse_yaml(read_config_text(path), path)
