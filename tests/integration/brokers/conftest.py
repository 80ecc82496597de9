"""Fixtures for the Schwab tests: a fake Schwab server, settings pointing at it, a migrated DB."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Engine

from fakes.schwab_server import APP_KEY, APP_SECRET, FakeSchwab, fake_schwab
from jutsu.brokers.schwab_broker import SchwabBroker, open_schwab_broker
from jutsu.brokers.schwab_client import SchwabConfig
from jutsu.brokers.schwab_tokens import SchwabTokenStore, TokenCipher
from jutsu.data.database import create_db_engine
from jutsu.data.models import Base


@pytest.fixture
def schwab_server() -> Iterator[FakeSchwab]:
    with fake_schwab() as server:
        yield server


@pytest.fixture
def schwab_config(schwab_server: FakeSchwab) -> SchwabConfig:
    return SchwabConfig(
        api_key=APP_KEY,
        app_secret=APP_SECRET,
        account_number=schwab_server.account_number,
        base_url=schwab_server.base_url,
        encryption_keys=Fernet.generate_key().decode(),
        dashboard_url="https://jutsu.example",
        timeout_seconds=0.5,
        stale_quote_seconds=60,
    )


@pytest.fixture
def token_store(db_engine: Engine, schwab_config: SchwabConfig) -> SchwabTokenStore:
    return SchwabTokenStore(db_engine, TokenCipher(schwab_config.encryption_keys))


@pytest.fixture
def broker(
    db_engine: Engine, schwab_server: FakeSchwab, schwab_config: SchwabConfig, token_store: SchwabTokenStore
) -> SchwabBroker:
    token_store.write(schwab_server.issue_token())
    return open_schwab_broker(schwab_config, db_engine)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite schema built from the models (no migrations): for tests about HTTP, not storage."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fast.db'}")
    Base.metadata.create_all(engine)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def fast_broker(
    sqlite_engine: Engine, schwab_server: FakeSchwab, schwab_config: SchwabConfig
) -> SchwabBroker:
    SchwabTokenStore(sqlite_engine, TokenCipher(schwab_config.encryption_keys)).write(
        schwab_server.issue_token()
    )
    return open_schwab_broker(schwab_config, sqlite_engine)
