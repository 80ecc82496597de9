"""Console log formats: ``time | module | level | message`` and JSON lines, both masking passwords."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from jutsu.config import configure_logging, load_settings
from jutsu.errors import ConfigError


@pytest.fixture(autouse=True)
def _restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _configure(tmp_path: Path, **env: str) -> None:
    configure_logging(load_settings(env=env, yaml_path=None, secrets_dir=tmp_path / "none"))


def test_text_format_is_time_module_level_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _configure(tmp_path)
    logging.getLogger("jutsu.ops.test").warning("connecting to %s", "postgresql://jutsu:pw123@db/jutsu")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    parts = line.split(" | ")
    assert len(parts) == 4, line
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}", parts[0])
    assert parts[1:3] == ["jutsu.ops.test", "WARNING"]
    assert parts[3] == "connecting to postgresql://jutsu:****@db/jutsu"


def test_json_format_is_one_valid_object_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _configure(tmp_path, LOG_FORMAT="json", LOG_LEVEL="DEBUG")
    log = logging.getLogger("jutsu.live")
    log.debug('quote "QQQ" at %s', 'postgresql://u:p@ss"w0rd@h/d')
    try:
        raise RuntimeError("lost postgresql://u:hunter2@h/d")
    except RuntimeError:
        log.exception("order failed")
    lines = capsys.readouterr().err.strip().splitlines()
    first, second = (json.loads(line) for line in lines[-2:])
    assert set(first) == {"time", "level", "module", "message"}
    assert first["level"] == "DEBUG"
    assert first["module"] == "jutsu.live"
    assert first["time"].endswith("+00:00")
    assert "w0rd" not in first["message"]
    assert first["message"].startswith('quote "QQQ" at postgresql://u:****@')
    assert second["level"] == "ERROR"
    assert "RuntimeError" in second["exception"]
    assert "hunter2" not in lines[-1]


def test_unknown_log_format_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="LOG_FORMAT"):
        load_settings(env={"LOG_FORMAT": "xml"}, yaml_path=None, secrets_dir=tmp_path)
