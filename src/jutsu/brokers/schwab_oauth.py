"""Schwab OAuth authorisation-code flow, shared by ``jutsu broker login`` and ``/api/schwab``.

1. :meth:`SchwabOAuthFlow.initiate` builds the authorisation URL with schwab-py's
   ``get_auth_context`` and stores its ``state`` in ``system_state`` for 10 minutes (the database,
   not process memory, so an API restart or a second worker can complete the flow).
2. The admin approves at Schwab; the browser lands on ``SCHWAB_CALLBACK_URL`` (which need not
   resolve) and the admin pastes that full URL back.
3. :meth:`SchwabOAuthFlow.complete` checks the ``state`` (unknown or expired → restart), exchanges
   the code at the token endpoint exactly as schwab-py's ``client_from_received_url`` does, and
   stores the wrapped token (``creation_timestamp`` = now) encrypted.

The exchange is done with an Authlib session we build ourselves instead of calling
``client_from_received_url``: that function posts to a hard-coded endpoint through a session we
cannot reach, so ``SCHWAB_BASE_URL`` could not redirect it to a test server.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from jutsu.brokers.schwab_client import SCHWAB_HOST, SchwabConfig, install_redirect
from jutsu.brokers.schwab_errors import call_schwab
from jutsu.brokers.schwab_tokens import SchwabTokenStore
from jutsu.data.repositories.broker_tokens import read_state, write_state
from jutsu.errors import BrokerError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import OAuth2Client
    from schwab.auth import TOKEN_ENDPOINT, get_auth_context

__all__ = ["STATE_KEY", "STATE_TTL", "AuthorizationStart", "SchwabOAuthFlow"]

log = logging.getLogger(__name__)

STATE_KEY = "schwab_oauth_states"
STATE_TTL = timedelta(minutes=10)


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class AuthorizationStart:
    authorization_url: str
    callback_url: str
    state: str
    instructions: str


class SchwabOAuthFlow:
    """Start and finish the OAuth flow; the token lands in ``store``."""

    def __init__(
        self,
        config: SchwabConfig,
        engine: Engine,
        store: SchwabTokenStore,
        *,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self._config = config
        self._engine = engine
        self._store = store
        self._clock = clock

    def initiate(self) -> AuthorizationStart:
        api_key, _ = self._config.require_credentials()
        context = get_auth_context(api_key, self._config.callback_url)
        url = str(context.authorization_url)
        if self._config.base_url:  # tests: the fake server also plays Schwab's login page
            base = httpx.URL(self._config.base_url)
            url = str(httpx.URL(url).copy_with(scheme=base.scheme, host=base.host, port=base.port))
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            states = _live_states(read_state(session, STATE_KEY), now)
            states[str(context.state)] = (now + STATE_TTL).isoformat()
            write_state(session, STATE_KEY, states, now=now)
        return AuthorizationStart(
            authorization_url=url,
            callback_url=self._config.callback_url,
            state=str(context.state),
            instructions=(
                "Open the authorization URL, log in at Schwab and approve access. Your browser then "
                f"lands on {self._config.callback_url} (the page may not load): copy the full URL from "
                "the address bar and submit it within 10 minutes."
            ),
        )

    def complete(self, received_url: str, *, created_by: int | None = None) -> datetime:
        """Exchange the code in ``received_url`` and store the token; returns its creation instant."""
        received_url = (received_url or "").strip()
        query = parse_qs(urlsplit(received_url).query)
        state = (query.get("state") or [""])[0]
        if not received_url or "code" not in query or not state:
            raise BrokerError("the callback URL has no code/state: paste the full URL your browser landed on")
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            states = _live_states(read_state(session, STATE_KEY), now)
            known = states.pop(state, None)
            write_state(session, STATE_KEY, states, now=now)
        if known is None:
            raise BrokerError("unknown or expired OAuth state: restart the Schwab authorisation flow")
        api_key, app_secret = self._config.require_credentials()
        session_client = OAuth2Client(
            api_key, client_secret=app_secret, redirect_uri=self._config.callback_url
        )
        install_redirect(session_client, self._config.base_url)
        session_client.timeout = self._config.timeout_seconds
        try:
            token: dict[str, Any] = call_schwab(
                "exchanging the authorisation code",
                lambda: session_client.fetch_token(
                    TOKEN_ENDPOINT,
                    authorization_response=received_url,
                    client_id=api_key,
                    auth=(api_key, app_secret),
                    state=state,
                ),
            )
        except BrokerError as exc:
            raise BrokerError(f"Schwab refused the authorisation code: {exc}") from None
        finally:
            session_client.close()
        if not token.get("access_token") or not token.get("refresh_token"):
            raise BrokerError("Schwab's token answer lacks an access or refresh token; restart the flow")
        creation = int(self._clock().timestamp())
        self._store.write({"creation_timestamp": creation, "token": dict(token)}, created_by=created_by)
        log.info("Schwab token stored (host %s)", SCHWAB_HOST)
        return datetime.fromtimestamp(creation, UTC)


def _live_states(value: Any, now: datetime) -> dict[str, str]:
    """Pending states that have not expired (bad entries are dropped)."""
    states: dict[str, str] = {}
    if isinstance(value, dict):
        for key, expires in value.items():
            try:
                if datetime.fromisoformat(str(expires)) > now:
                    states[str(key)] = str(expires)
            except ValueError:
                continue
    return states
