"""Every log line masks URL passwords, whatever logger, format or argument carried them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from jutsu.config import MaskingFilter, MaskingFormatter, mask_secrets_in_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("connect postgresql://jutsu:s3cret@db:5432/x", "connect postgresql://jutsu:****@db:5432/x"),
        (
            "a=postgresql+psycopg://u:p@ss@h/d b=redis://:pw@r:6379",
            "a=postgresql+psycopg://u:****@h/d b=redis://:****@r:6379",
        ),
        ("no credentials http://host:8000/path", "no credentials http://host:8000/path"),
        ("sqlite:///data/jutsu.db", "sqlite:///data/jutsu.db"),
        ("postgresql://user@h/d", "postgresql://user@h/d"),
    ],
)
def test_mask_secrets_in_text(text: str, expected: str) -> None:
    assert mask_secrets_in_text(text) == expected


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    handler.addFilter(MaskingFilter())
    log = logging.getLogger("jutsu.test.masking")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    yield log, stream
    log.removeHandler(handler)


def test_filter_masks_arguments_and_messages(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, stream = logger
    log.info("engine %s ready", "postgresql://jutsu:topsecret@db/x")
    log.warning("retrying postgresql://a:b@c/d")
    output = stream.getvalue()
    assert "topsecret" not in output and ":b@" not in output
    assert "postgresql://jutsu:****@db/x" in output
    assert "postgresql://a:****@c/d" in output


def test_formatter_masks_exception_text() -> None:
    formatter = MaskingFormatter("%(message)s")
    try:
        raise RuntimeError("cannot reach postgresql://u:leak@h/d")
    except RuntimeError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = formatter.format(record)
    assert "leak" not in line
    assert "postgresql://u:****@h/d" in line
