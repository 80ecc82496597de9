"""Pure security helpers: defaults, lockout arithmetic, client IP chain, event scrubbing, bandit."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest

from jutsu.api.security.client_ip import client_ip, parse_trusted_proxies
from jutsu.api.security.events import SEVERITY, SecurityEventType, scrub
from jutsu.api.security.lockout import MAX_FAILURES, lock_state, register_failure
from jutsu.api.security.passwords import PasswordHasher
from jutsu.api.security.totp import BACKUP_ALPHABET, generate_backup_codes, normalize_code
from jutsu.config import load_settings
from jutsu.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]


def test_security_defaults() -> None:
    s = load_settings(env={})
    assert s.bcrypt_rounds == 12
    assert (s.access_token_expire_minutes, s.refresh_token_expire_days) == (15, 7)
    assert (s.max_users, s.invitation_expiry_hours) == (20, 48)
    assert s.auth_required is True and s.login_rate_limit == "5/minute"
    hashed = PasswordHasher(s.bcrypt_rounds).hash("pw-for-cost-check")
    assert bcrypt.checkpw(b"pw-for-cost-check", hashed.encode()) and hashed.startswith("$2b$12$")


def test_password_rules() -> None:
    hasher = PasswordHasher(4)
    h = hasher.hash("correct horse")
    assert hasher.verify("correct horse", h) and not hasher.verify("wrong", h)
    assert not hasher.verify("plain", "plain")  # a non-bcrypt password hash never matches
    assert hasher.verify("PLAIN", "PLAIN", allow_plaintext=True)  # legacy backup codes only
    with pytest.raises(ValueError, match="72"):
        hasher.hash("x" * 73)


def test_lockout_arithmetic() -> None:
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)
    failed, until = 0, None
    for _ in range(MAX_FAILURES - 1):
        state = register_failure(failed, until, now)
        failed, until = state.failed_login_count, state.locked_until
        assert until is None
    state = register_failure(failed, until, now)
    assert state.just_locked and state.locked_until == now + timedelta(minutes=30)
    later = now + timedelta(minutes=31)
    assert lock_state(state.failed_login_count, state.locked_until, later).failed_login_count == 0


def test_client_ip_chain() -> None:
    trusted = parse_trusted_proxies("127.0.0.1/32, 10.0.0.0/8")
    spoof = {"x-forwarded-for": "1.2.3.4", "x-real-ip": "5.6.7.8", "cf-connecting-ip": "9.9.9.9"}
    assert client_ip("203.0.113.5", spoof, trusted) == "203.0.113.5"
    assert client_ip("10.0.0.2", spoof, trusted) == "9.9.9.9"
    assert (
        client_ip("10.0.0.2", {"x-forwarded-for": "1.2.3.4, 10.0.0.1", "x-real-ip": "5.6.7.8"}, trusted)
        == "1.2.3.4"
    )
    assert client_ip("10.0.0.2", {"x-real-ip": "5.6.7.8"}, trusted) == "5.6.7.8"
    assert client_ip("10.0.0.2", {"x-forwarded-for": "not-an-ip"}, trusted) == "10.0.0.2"
    with pytest.raises(ConfigError):
        parse_trusted_proxies("10.0.0.0/33")


def test_events_never_carry_secrets() -> None:
    clean = scrub(
        {"password": "p", "refresh_token": "t", "totp_code": "1", "reason": "x", "token_type": "access"}
    )
    assert clean == {"reason": "x", "token_type": "access"}
    assert set(SEVERITY) == set(SecurityEventType)
    assert set(SEVERITY.values()) <= {"LOW", "MEDIUM", "HIGH", "CRITICAL"}
    assert all(len(e.value) <= 32 for e in SecurityEventType)


def test_backup_code_format() -> None:
    codes = generate_backup_codes()
    assert len(codes) == 10
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(normalize_code(code)) <= set(BACKUP_ALPHABET)


@pytest.mark.skipif(
    shutil.which("bandit", path=str(Path(sys.executable).parent)) is None, reason="bandit missing"
)
def test_bandit_finds_nothing_at_medium_or_high() -> None:
    bandit = str(Path(sys.executable).parent / "bandit")
    result = subprocess.run(
        [bandit, "-r", str(ROOT / "src"), "-ll", "-q", "-x", str(ROOT / "src/jutsu/data/migrations")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
