"""The client IP used for rate limits and the security log (platform.md §4.7).

Forwarding headers are believed only when the socket peer is a configured trusted proxy
(``TRUSTED_PROXIES``, CIDRs); otherwise anyone could dodge the login limit by sending a header.
Chain, first match wins: ``CF-Connecting-IP`` → first ``X-Forwarded-For`` entry → ``X-Real-IP`` →
socket peer. A header value that is not an IP address is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from jutsu.errors import ConfigError

__all__ = ["Network", "client_ip", "parse_trusted_proxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_trusted_proxies(text: str) -> tuple[Network, ...]:
    """Parse comma-separated CIDRs (a bare address means one host).

    Raises:
        ConfigError: an entry is not a network.
    """
    networks: list[Network] = []
    for part in text.split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(f"TRUSTED_PROXIES: {entry!r} is not an IP network") from None
    return tuple(networks)


def client_ip(peer: str | None, headers: Mapping[str, str], trusted: Iterable[Network]) -> str:
    """The client address for a request whose socket peer is ``peer``."""
    peer_ip = _parse(peer)
    if peer_ip is None:
        return peer or "unknown"
    if not any(peer_ip.version == net.version and peer_ip in net for net in trusted):
        return str(peer_ip)
    forwarded = headers.get("x-forwarded-for", "")
    for candidate in (
        headers.get("cf-connecting-ip"),
        forwarded.split(",")[0] if forwarded else None,
        headers.get("x-real-ip"),
    ):
        parsed = _parse(candidate)
        if parsed is not None:
            return str(parsed)
    return str(peer_ip)


def _parse(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not value:
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None
