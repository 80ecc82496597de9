"""The shared YAML reader: every way PyYAML can fail becomes one ConfigError line with file and line.

Each loader of the platform (settings, strategy registry and files, research and Monte Carlo
configs) is exercised with a value PyYAML's constructors reject with ``ValueError`` — the defect
the reliability campaign found — so a loader that stops using the helper shows up here.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from jutsu.config.yaml_io import load_yaml_file, parse_yaml, parse_yaml_with_nodes
from jutsu.errors import ConfigError


def _laughs(levels: int) -> str:
    lines = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


BAD = [
    ("start: 0000-01-01\n", ":1: invalid YAML: cannot read '0000-01-01' as YAML timestamp"),
    ("a: 1\nend: 2024-02-30\n", ":2: invalid YAML: cannot read '2024-02-30'"),
    ("a: !!float abc\n", ":1: invalid YAML: cannot read 'abc' as YAML float"),
    ("a: !!int 0x\n", ":1: invalid YAML"),
    ("a: !!binary xx%\n", ":1: invalid YAML: failed to decode base64"),
    ("a: !!python/object/apply:os.system [ls]\n", ":1: invalid YAML: could not determine a constructor"),
    ("a: [unclosed\n", ":2: invalid YAML"),
    ("a: \x1f\n", ":1: invalid YAML: unacceptable character #x001f"),
    ("a: 1\n---\nb: 2\n", ":2: invalid YAML"),
    ("a: " + "[" * 20_000 + "\n", "invalid YAML: nested too deeply"),
    ("a: &x [*x]\n", "invalid YAML: an alias refers to a value that contains it"),
    (_laughs(8), "invalid YAML: aliases expand to more than"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_every_failure_is_one_config_error_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_yaml_file(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert expected in message
    assert "\n" not in message and len(message) < 400


def test_valid_documents_parse_as_safe_load_would(tmp_path: Path) -> None:
    import datetime as dt

    text = "a: &a [1, 2.5, 2024-01-02]\nb: [*a, *a]\nc: {d: null, e: yes}\n"
    assert parse_yaml(text, "x") == {
        "a": [1, 2.5, dt.date(2024, 1, 2)],
        "b": [[1, 2.5, dt.date(2024, 1, 2)]] * 2,
        "c": {"d": None, "e": True},
    }
    assert parse_yaml(_laughs(3), "x")["l2"][0][0] == ["x"] * 10  # a modest fan-out is fine
    assert parse_yaml("", "x") is None
    data, node = parse_yaml_with_nodes("a:\n  b: 1\n", "x")
    assert data == {"a": {"b": 1}} and node is not None and node.start_mark.line == 0


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: p / "missing.yaml", "file not found"),
        (lambda p: p, "is a directory"),
    ],
)
def test_unreadable_files(tmp_path: Path, make: Callable[[Path], Path], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_yaml_file(make(tmp_path))


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_bytes(b"a: \xff\xfe\n")
    with pytest.raises(ConfigError, match="not UTF-8 at byte 3"):
        load_yaml_file(path)


def _settings(path: Path) -> object:
    from jutsu.config import load_settings

    return load_settings(env={}, yaml_path=path)


def _registry(path: Path) -> object:
    from jutsu.strategies.registry import load_registry

    return load_registry(path, environ={})


def _strategy(path: Path) -> object:
    from jutsu.strategies.registry import load_strategy_file

    return load_strategy_file(path, environ={})


def _research(path: Path) -> object:
    from jutsu.research.config import load_research_config

    return load_research_config(path)


def _montecarlo(path: Path) -> object:
    from jutsu.research.montecarlo_config import load_montecarlo_config

    return load_montecarlo_config(path)


@pytest.mark.parametrize("load", [_settings, _registry, _strategy, _research, _montecarlo])
def test_every_loader_reports_a_date_out_of_range_with_file_and_line(
    tmp_path: Path, load: Callable[[Path], object]
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("# a comment\nstart: 0000-01-01\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load(path)
    assert str(info.value).startswith(f"{path}:2: invalid YAML: cannot read '0000-01-01'")
