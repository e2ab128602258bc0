"""The SSRF guard of every outgoing request: resolve the host, refuse private, loopback,
link-local and other non-public addresses, and connect to an address that was checked.
`vetted_addresses` is the one function any client calls (today's `alerts/channels/http.Http`
through `GuardedBackend`, an async client through its resolver).

Push endpoints and partner webhooks are URLs strangers and coordinators give us; without this a
subscription pointing at 127.0.0.1, 10.0.0.1 or 169.254.169.254 would have the worker call into
the server's own network. The check sits where the connection is made (httpcore's network
backend), so a name that resolves to a public address when a subscription is made and to a
private one later (DNS rebinding) is refused too, and every redirect is refused anyway.
`VECINOS_OUTBOUND_ALLOW_PRIVATE` lifts it for tests and demos with local stand-ins.
"""

from __future__ import annotations

import ipaddress
import socket
import typing

import httpcore

SocketOption = typing.Any  # httpcore's own alias is private


class PrivateAddressError(httpcore.ConnectError):
    """The host resolves to an address vecinos never calls."""


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


def vetted_addresses(host: str, port: int, *, allow_private: bool) -> list[str]:
    """Every address `host` resolves to, or PrivateAddressError if any is not public: a name
    with one public and one private address could be made to land on the private one."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    refused = [a for a in addresses if not is_public(a)]
    if refused and not allow_private:
        raise PrivateAddressError(f"{host} resolves to a non-public address ({refused[0]})")
    return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's own sockets, opened only to addresses that passed `vetted_addresses`."""

    def __init__(self, *, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: typing.Iterable[SocketOption] | None = None,
    ) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in vetted_addresses(host, port, allow_private=self.allow_private):
            try:
                # TLS still checks the certificate against the host name (httpcore passes it
                # as server_hostname): only the address is ours.
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host}")
