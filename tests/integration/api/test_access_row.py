"""The one-statement access check (user + jti blacklist + session family), SQLite and PostgreSQL,
and the pool options it relies on (SQLite file pool, warm pool)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from jutsu.data.database import SQLITE_FILE_POOL_OPTIONS, warm_pool
from jutsu.data.repositories import tokens as token_repo
from jutsu.data.repositories import users as user_repo
from jutsu.data.repositories.access import access_row

NOW = dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC)


def _setup(engine: Engine) -> tuple[int, int]:
    with Session(engine) as session, session.begin():
        alice = user_repo.create_user(
            session, username="alice", password_hash="x", role="viewer", email="a@example.com"
        )
        bob = user_repo.create_user(session, username="bob", password_hash="x", role="admin")
        token_repo.create_family(session, family_id="fam-alice", user_id=alice.id, auth_method="password")
        token_repo.create_family(session, family_id="fam-bob", user_id=bob.id, auth_method="password")
        return alice.id, bob.id


def test_valid_token_reads_user_and_family_in_one_row(db_engine: Engine) -> None:
    alice_id, _ = _setup(db_engine)
    with Session(db_engine) as session:
        row = access_row(session, username="alice", jti="jti-1", family="fam-alice")
    assert row is not None
    assert (row.user_id, row.username, row.role, row.email, row.is_active) == (
        alice_id,
        "alice",
        "viewer",
        "a@example.com",
        True,
    )
    assert not row.token_revoked
    assert row.family_found and row.family_user_id == alice_id and row.family_revoked_at is None


def test_blacklisted_jti_and_revoked_family_are_seen_at_once(db_engine: Engine) -> None:
    alice_id, _ = _setup(db_engine)
    with Session(db_engine) as session, session.begin():
        token_repo.blacklist(
            session,
            jti="jti-1",
            token_type="access",
            expires_at=NOW + dt.timedelta(hours=1),
            user_id=alice_id,
        )
        token_repo.revoke_family(session, "fam-alice", at=NOW, reason="logout")
    with Session(db_engine) as session:
        revoked = access_row(session, username="alice", jti="jti-1", family="fam-alice")
        other = access_row(session, username="alice", jti="jti-2", family="fam-alice")
    assert revoked is not None and revoked.token_revoked
    assert other is not None and not other.token_revoked
    assert other.family_revoked_at == NOW


def test_family_of_another_user_unknown_family_and_no_family(db_engine: Engine) -> None:
    alice_id, bob_id = _setup(db_engine)
    with Session(db_engine) as session:
        stolen = access_row(session, username="alice", jti="j", family="fam-bob")
        unknown = access_row(session, username="alice", jti="j", family="no-such-family")
        none = access_row(session, username="alice", jti="j", family=None)
    assert stolen is not None and stolen.family_found and stolen.family_user_id == bob_id != alice_id
    assert unknown is not None and not unknown.family_found
    assert none is not None and not none.family_found and none.user_id == alice_id


def test_unknown_user_is_none_and_disabled_user_is_inactive(db_engine: Engine) -> None:
    _setup(db_engine)
    with Session(db_engine) as session, session.begin():
        bob = user_repo.get_user_by_username(session, "bob")
        assert bob is not None
        user_repo.update_user(session, bob, is_active=False, password_changed_at=NOW)
    with Session(db_engine) as session:
        assert access_row(session, username="carol", jti="j", family=None) is None
        row = access_row(session, username="bob", jti="j", family="fam-bob")
    assert row is not None and not row.is_active and row.password_changed_at == NOW


def test_sqlite_file_pool_keeps_connections_and_warm_pool_opens_them(db_engine: Engine) -> None:
    pool = db_engine.pool
    assert isinstance(pool, QueuePool)
    if db_engine.dialect.name == "sqlite":
        assert pool.size() == SQLITE_FILE_POOL_OPTIONS["pool_size"]
    opened = warm_pool(db_engine, 3)
    assert pool.checkedin() >= 3
    assert opened <= 3
    assert warm_pool(db_engine, 3) == 0  # already warm: nothing more to open
