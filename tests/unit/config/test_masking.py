"""Every log line masks URL passwords, whatever logger, format or argument carried them."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

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


# -- webhook and token secrets (reliability campaign: httpx logged a webhook URL at INFO) ---------

SLACK = "https://hooks.slack.com/services/T0AAAA1/B0BBBB2/xoxSecretPart42"
DISCORD = "https://discord.com/api/webhooks/123456789012345678/Tok-en_Secret.99?wait=true"


@pytest.mark.parametrize(
    ("text", "expected", "secret"),
    [
        (
            f'HTTP Request: POST {SLACK} "HTTP/1.1 200 OK"',
            'HTTP Request: POST https://hooks.slack.com/services/**** "HTTP/1.1 200 OK"',
            "xoxSecretPart42",
        ),
        (
            f"POST {DISCORD}",
            "POST https://discord.com/api/webhooks/123456789012345678/****?wait=true",
            "Tok-en_Secret",
        ),
        ("url='http://127.0.0.1:9/hooks/whsec_abc123'", "url='http://127.0.0.1:9/hooks/****'", "whsec"),
        ("http://h/Webhook/abc/def?x=1", "http://h/Webhook/****?x=1", "abc/def"),
        (
            "GET https://api.example/v1/x?token=t0ps3cret&page=2",
            "GET https://api.example/v1/x?token=****&page=2",
            "t0ps3cret",
        ),
        ("cb?code=AUTHCODE1&ACCESS_TOKEN=zz9", "cb?code=****&ACCESS_TOKEN=****", "AUTHCODE1"),
        ("http://h/path?page=2&sort=asc", "http://h/path?page=2&sort=asc", ""),
    ],
)
def test_webhook_paths_and_query_tokens_are_masked(text: str, expected: str, secret: str) -> None:
    masked = mask_secrets_in_text(text)
    assert masked == expected
    assert not secret or secret not in masked
    assert mask_secrets_in_text(masked) == masked  # masking twice changes nothing


def test_configured_literals_hide_a_url_of_any_shape() -> None:
    from jutsu.config.masking import url_secret_literals

    url = "https://alerts.example.com/in/9f8e7d6c5b4a?team=ops"
    literals = url_secret_literals(url)
    assert mask_secrets_in_text(f"posting to {url}", literals) == "posting to ****"
    # httpx may print the host differently; the path alone is masked too
    out = mask_secrets_in_text("POST https://ALERTS.example.com/in/9f8e7d6c5b4a?team=ops", literals)
    assert "9f8e7d6c5b4a" not in out
    assert url_secret_literals("https://h/") == ["https://h/"]  # a bare host hides no path
    assert url_secret_literals("") == []


def test_configured_secret_literals_read_env_and_secret_files(tmp_path: Path) -> None:
    from jutsu.config.logsetup import configured_secret_literals

    (tmp_path / "notification_webhook_url").write_text("https://h/from-docker-secret-1\n")
    file_var = tmp_path / "url.txt"
    file_var.write_text("https://h/from-file-variable-2")
    found = configured_secret_literals(
        {
            "NOTIFICATION_WEBHOOK_URL": "https://h/from-env-value-3",
            "NOTIFICATION_WEBHOOK_URL_FILE": str(file_var),
        },
        secrets_dir=tmp_path,
    )
    for part in ("/from-docker-secret-1", "/from-file-variable-2", "/from-env-value-3"):
        assert part in found
    assert configured_secret_literals({}, secrets_dir=tmp_path / "none") == []


def test_filter_masks_exception_text_for_any_formatter() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))  # a plain formatter, as a dictConfig may set
    handler.addFilter(MaskingFilter(["my-literal-secret"]))
    log = logging.getLogger("jutsu.test.masking.exc")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise ConnectionError(f"cannot reach {SLACK} (my-literal-secret)")
        except ConnectionError:
            log.exception("delivery failed for %s", "my-literal-secret")
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert "xoxSecretPart42" not in output and "my-literal-secret" not in output
    assert "hooks.slack.com/services/****" in output and "ConnectionError" in output


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("log_format", ["text", "json"])
def test_configure_logging_quiets_http_clients_and_masks_the_configured_url(log_format: str) -> None:
    from jutsu.config import configure_logging, load_settings

    url = "https://alerts.example.com/in/9f8e7d6c5b4a"
    configure_logging(
        load_settings(env={"LOG_LEVEL": "DEBUG", "LOG_FORMAT": log_format}),
        env={"NOTIFICATION_WEBHOOK_URL": url},
    )
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() == logging.WARNING
    buffer = io.StringIO()
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(buffer)
    logging.getLogger("jutsu.test.logsetup").debug("sending to %s", url)
    logging.getLogger("httpx").warning("HTTP Request: POST %s", url)
    output = buffer.getvalue()
    assert "9f8e7d6c5b4a" not in output
    assert output.count("****") == 2


@pytest.mark.usefixtures("restore_logging")
def test_a_dictconfig_naming_httpx_keeps_its_level(tmp_path: Path) -> None:
    from jutsu.config import configure_logging, load_settings

    settings = load_settings(env={"LOG_LEVEL": "INFO"}).model_copy(
        update={
            "logging": {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {"console": {"class": "logging.StreamHandler"}},
                "root": {"handlers": ["console"], "level": "INFO"},
                "loggers": {"httpx": {"level": "DEBUG"}},
            }
        }
    )
    configure_logging(settings, secrets=[])
    assert logging.getLogger("httpx").level == logging.DEBUG
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert all(any(isinstance(f, MaskingFilter) for f in h.filters) for h in logging.getLogger().handlers)
