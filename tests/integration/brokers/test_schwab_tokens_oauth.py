"""Token expiry alerts once per level, encrypted token store, and the OAuth code flow end to end."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fakes.schwab_server import FakeSchwab
from fakes.webhook_receiver import webhook_receiver
from jutsu.brokers.schwab_broker import open_schwab_broker
from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.brokers.schwab_oauth import SchwabOAuthFlow
from jutsu.brokers.schwab_tokens import (
    NOTIFICATION_STATE_KEY,
    TOKEN_LIFETIME,
    SchwabTokenStore,
    TokenCipher,
    check_token_expiry,
)
from jutsu.data.repositories.broker_tokens import read_state
from jutsu.errors import BrokerError, ConfigError
from jutsu.notify.delivery import RetryPolicy
from jutsu.notify.webhook import WebhookNotifier

CREATED = datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
FAST = RetryPolicy(attempts=1, timeout_seconds=2.0, backoff_seconds=0.0)


def _store_token(store: SchwabTokenStore, created: datetime) -> None:
    store.write(
        {"creation_timestamp": int(created.timestamp()), "token": {"access_token": "a", "refresh_token": "r"}}
    )


def test_alerts_once_per_level_and_only_after_delivery(
    db_engine: Engine, token_store: SchwabTokenStore
) -> None:
    _store_token(token_store, CREATED)
    expiry = CREATED + TOKEN_LIFETIME
    steps = [
        (expiry - timedelta(days=6), None),
        (expiry - timedelta(days=4, hours=23), "info"),
        (expiry - timedelta(days=4), None),  # same level: not again
        (expiry - timedelta(days=1, hours=20), "warning"),
        (expiry - timedelta(hours=20), "critical"),
        (expiry - timedelta(hours=11), "critical"),
        (expiry - timedelta(hours=1), None),
        (expiry + timedelta(minutes=1), "critical"),
        (expiry + timedelta(days=1), None),  # expired is notified once
    ]
    with webhook_receiver() as rx:
        notifier = WebhookNotifier(rx.url(), FAST)
        sent = [
            check_token_expiry(db_engine, notifier, now=now, dashboard_url="https://jutsu.example")
            for now, _ in steps
        ]
    assert [a.severity if a else None for a in sent] == [want for _, want in steps]
    titles = [b["title"] for b in rx.bodies]
    assert len(titles) == 5 and titles[0].startswith("NOTICE") and titles[3].startswith("URGENT")
    assert titles[-1] == "Schwab token EXPIRED"
    assert all(b["action_url"] == "https://jutsu.example/config" for b in rx.bodies)
    with Session(db_engine) as session:
        state = read_state(session, NOTIFICATION_STATE_KEY)
    assert state["last_notification_level"] == "12h" and state["expired_notified"] is True


def test_failed_send_is_retried_and_new_token_resets(
    db_engine: Engine, token_store: SchwabTokenStore
) -> None:
    _store_token(token_store, CREATED)
    now = CREATED + TOKEN_LIFETIME - timedelta(days=3)
    with webhook_receiver() as rx:
        notifier = WebhookNotifier(rx.url(), FAST)
        rx.script = [(503, {})]
        assert check_token_expiry(db_engine, notifier, now=now) is None  # delivery failed: not recorded
        assert check_token_expiry(db_engine, notifier, now=now) is not None
        assert check_token_expiry(db_engine, notifier, now=now) is None
        renewed = CREATED + timedelta(days=1)
        _store_token(token_store, renewed)  # a new authorisation resets the state
        later = renewed + TOKEN_LIFETIME - timedelta(days=3)
        assert check_token_expiry(db_engine, notifier, now=later) is not None
    assert len(rx.bodies) == 3  # the failed attempt, the retry, the new token's notice


def test_store_encrypts_and_key_rotation(db_engine: Engine, schwab_config: SchwabConfig) -> None:
    old_key = schwab_config.encryption_keys or ""
    store = SchwabTokenStore(db_engine, TokenCipher(old_key))
    _store_token(store, CREATED)
    new_key = Fernet.generate_key().decode()
    rotated = SchwabTokenStore(db_engine, TokenCipher(f"{new_key},{old_key}"))
    assert rotated.read()["token"]["refresh_token"] == "r"
    with pytest.raises(BrokerError, match="cannot be decrypted"):
        SchwabTokenStore(db_engine, TokenCipher(new_key)).read()
    with pytest.raises(ConfigError, match="BROKER_TOKEN_ENCRYPTION_KEY"):
        TokenCipher("")
    with pytest.raises(ConfigError, match="not a valid Fernet key"):
        TokenCipher("short")
    assert store.delete() is True and store.load() is None and store.delete() is False


def test_oauth_flow_end_to_end(
    db_engine: Engine, schwab_config: SchwabConfig, token_store: SchwabTokenStore, schwab_server: FakeSchwab
) -> None:
    flow = SchwabOAuthFlow(schwab_config, db_engine, token_store)
    start = flow.initiate()
    assert start.callback_url == "https://127.0.0.1:8182" and start.state in start.authorization_url
    # the "browser": Schwab's login page answers with a redirect to the callback URL
    landed = httpx.get(start.authorization_url).headers["Location"]
    assert landed.startswith("https://127.0.0.1:8182")
    created = flow.complete(landed, created_by=1)
    assert [r["grant_type"] for r in schwab_server.state.token_requests] == ["authorization_code"]
    stored = token_store.load()
    assert stored is not None and stored.created_by == 1 and stored.created_at == created
    assert stored.token["token"]["access_token"] in schwab_server.state.access_tokens
    # the stored token drives a broker
    assert open_schwab_broker(schwab_config, db_engine).account_hash == schwab_server.account_hash
    with pytest.raises(BrokerError, match="unknown or expired OAuth state"):
        flow.complete(landed)  # a state is single-use


def test_oauth_errors(db_engine: Engine, schwab_config: SchwabConfig, token_store: SchwabTokenStore) -> None:
    now = [datetime.now(UTC)]
    flow = SchwabOAuthFlow(schwab_config, db_engine, token_store, clock=lambda: now[0])
    with pytest.raises(BrokerError, match="no code/state"):
        flow.complete("https://127.0.0.1:8182/")
    start = flow.initiate()
    now[0] += timedelta(minutes=11)
    with pytest.raises(BrokerError, match="unknown or expired"):
        flow.complete(f"https://127.0.0.1:8182/?code=x&state={start.state}")
    start = flow.initiate()
    with pytest.raises(BrokerError, match="Schwab refused the authorisation code"):
        flow.complete(f"https://127.0.0.1:8182/?code=forged&state={start.state}")
    assert token_store.load() is None
    no_keys = SchwabOAuthFlow(dataclasses.replace(schwab_config, api_key=None), db_engine, token_store)
    with pytest.raises(ConfigError, match="SCHWAB_API_KEY"):
        no_keys.initiate()
