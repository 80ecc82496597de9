"""Turn Schwab HTTP answers and transport failures into the platform's broker errors.

schwab-py returns raw ``httpx.Response`` objects and raises nothing, while the Authlib session
under it raises on token-refresh failures. Callers of the `Broker` protocol only see
`BrokerError` (refused: a human must act — the message says what) and `BrokerUnavailable`
(transient: retry later). Messages never contain tokens or full account numbers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import httpx
from authlib.common.errors import AuthlibBaseError

from jutsu.errors import BrokerError, BrokerUnavailable

__all__ = ["LOGIN_HINT", "call_schwab", "check_response", "error_text", "mask_account"]

T = TypeVar("T")

LOGIN_HINT = "re-authorise with `jutsu broker login` (or Configuration → Connect Schwab)"


def mask_account(number: str) -> str:
    """``12345678`` → ``****5678``: the only form of an account number put in messages."""
    return "****" + number[-4:] if len(number) > 4 else "****"


def error_text(response: httpx.Response) -> str:
    """Schwab's own reason from an error body (Trader ``message``/``errors``, Market Data
    ``errors[].detail``, OAuth ``error_description``), or the HTTP reason phrase."""
    try:
        body: Any = json.loads(response.content or b"null")
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            if isinstance(body.get(key), str) and body[key]:
                parts.append(body[key])
                break
        errors = body.get("errors")
        if isinstance(errors, list):
            for item in errors[:3]:
                if isinstance(item, dict):
                    text = item.get("detail") or item.get("title")
                    if text:
                        parts.append(str(text))
                elif isinstance(item, str):
                    parts.append(item)
    text = "; ".join(dict.fromkeys(parts))
    return text[:300] or response.reason_phrase or f"HTTP {response.status_code}"


def check_response(response: httpx.Response, action: str) -> httpx.Response:
    """Return ``response`` when it succeeded, else raise the matching broker error."""
    status = response.status_code
    if status < 400:
        return response
    reason = error_text(response)
    if status == 401:
        raise BrokerError(
            f"Schwab rejected the access token while {action} (401 {reason}): "
            f"the token is expired or invalid; {LOGIN_HINT}"
        )
    if status == 403:
        raise BrokerError(f"Schwab denied access while {action} (403 {reason}): check the app's permissions")
    if status == 429:
        raise BrokerUnavailable(f"Schwab rate limit hit while {action} (429); retry later")
    if status >= 500:
        raise BrokerUnavailable(f"Schwab is unavailable while {action} (HTTP {status} {reason}); retry later")
    if "account" in reason.lower():
        raise BrokerError(f"Schwab: invalid account while {action} ({reason}); check SCHWAB_ACCOUNT_NUMBER")
    raise BrokerError(f"Schwab refused {action} (HTTP {status}): {reason}")


def call_schwab(action: str, func: Callable[[], T]) -> T:
    """Run one schwab-py call, mapping transport and token-refresh failures to broker errors."""
    try:
        return func()
    except httpx.TimeoutException:
        raise BrokerUnavailable(f"Schwab did not answer in time while {action}; retry later") from None
    except httpx.HTTPStatusError as exc:  # Authlib raises these for a 5xx of the token endpoint
        code = exc.response.status_code
        if code >= 500:
            raise BrokerUnavailable(
                f"Schwab token endpoint unavailable while {action} (HTTP {code}); retry later"
            ) from None
        raise BrokerError(f"Schwab token refresh failed while {action} (HTTP {code}); {LOGIN_HINT}") from None
    except httpx.TransportError as exc:
        raise BrokerUnavailable(
            f"cannot reach Schwab while {action} ({type(exc).__name__}); retry later"
        ) from None
    except AuthlibBaseError as exc:
        raise BrokerError(
            f"Schwab token refresh failed while {action} ({exc.error or 'invalid token'}): "
            f"the refresh token is expired or revoked; {LOGIN_HINT}"
        ) from None
