"""The SSRF guard of every outgoing request: refuse private, loopback, link-local and other
non-public addresses, whether written in a URL or behind a name.

Push endpoints and partner webhooks are URLs strangers and coordinators give us; without this a
subscription pointing at 127.0.0.1, 10.0.0.1 or 169.254.169.254 would have the worker call into
the server's own network. The check sits where the connection is made (the HTTP client's
resolver, `GuardedResolver` in `vecinos.alerts.channels.http`, beside aiohttp, which only
the sending side loads), so a name that resolves to a public address when a subscription
is made and to a private one later (DNS rebinding) is refused too; an address written in the
URL never reaches a resolver, so `refuse_private_literal` judges it before the request, and
the client follows no redirect. `VECINOS_OUTBOUND_ALLOW_PRIVATE` lifts the guard for tests and
demos with local stand-ins.
"""

from __future__ import annotations

import ipaddress


class PrivateAddressError(OSError):
    """The host is, or resolves to, an address vecinos never calls."""


def is_public(address: str) -> bool:
    """A globally routable unicast address (IPv4 inside IPv6 judged as IPv4)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def is_private_literal(host: str) -> bool:
    """True for an IP address written in a URL that is not public (no DNS asked)."""
    try:
        return not is_public(host.strip("[]"))
    except ValueError:
        return False  # a name: judged when it is resolved, at connection time


def refuse_private_literal(host: str | None, *, allow_private: bool) -> None:
    if host and is_private_literal(host) and not allow_private:
        raise PrivateAddressError(f"{host} is not a public address")
