"""Finding 4: Web Push endpoints only at known push services, size-limited and rate-limited
(tests/security/test_rate_limits.py), and an SSRF guard under every outgoing request: the
host is resolved and any private, loopback or link-local address is refused, even behind a
name. Only loopback is ever connected to here; the other addresses are judged, not called."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from py_vapid import Vapid02
from pydantic import SecretStr

from tests.alerts.factories import SUBSCRIBE, body
from tests.alerts.servers import HttpStandIn, Seen
from tests.asyncio_helpers import send_once
from tests.cast import Cast
from vecinos.alerts.channels.base import OutboundMessage, SendError
from vecinos.alerts.channels.http import Http
from vecinos.alerts.channels.push import PushChannel
from vecinos.alerts.channels.webhook import WebhookChannel
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.outbound import is_public

KEYS = {"p256dh": "B" * 87, "auth": "a" * 22}


def ok(_: Seen) -> tuple[int, dict[str, str], bytes]:
    return 200, {}, b"{}"


@pytest.fixture
def stand_in() -> Iterator[HttpStandIn]:
    with HttpStandIn(ok) as server:
        yield server


NOT_PUBLIC = [
    "127.0.0.1",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",  # noqa: S104 - an address judged, never bound
    "224.0.0.1",
    "::1",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_recognised(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "142.250.80.42", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public(address)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_worker_never_calls_a_loopback_address(
    stand_in: HttpStandIn, clock: FrozenClock, host: str
) -> None:
    url = stand_in.url.replace("127.0.0.1", host) + "/hook"
    channel = WebhookChannel(Http(5), clock)
    with pytest.raises(SendError) as refused:
        send_once(channel, OutboundMessage(to=json.dumps({"url": url, "secret": "s"}), text="hi"))
    assert refused.value.permanent and refused.value.code == "private_address"
    assert stand_in.seen == []  # refused before connecting


def test_the_explicit_test_setting_lets_local_stand_ins_through(
    stand_in: HttpStandIn, clock: FrozenClock, settings: Settings
) -> None:
    settings.outbound_allow_private = True
    send_once(
        WebhookChannel(Http.for_settings(settings), clock),
        OutboundMessage(to=json.dumps({"url": stand_in.url + "/hook", "secret": "s"}), text="hi"),
    )
    assert len(stand_in.seen) == 1


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://127.0.0.1/push",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.1/",
        "https://push.example.org/v1/abc",
        "https://fcm.googleapis.com.evil.example/x",
    ],
)
def test_push_endpoints_only_at_known_push_services(client: TestClient, endpoint: str) -> None:
    push = {"endpoint": endpoint, "keys": KEYS}
    answer = client.post(SUBSCRIBE, json=body(channel="push", contact=None, push_subscription=push))
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] in ("push_service_refused", "invalid_push")


@pytest.mark.parametrize(
    "push",
    [
        {
            "endpoint": "https://fcm.googleapis.com/fcm/send/x",
            "keys": {**KEYS, "p256dh": "B" * 5000},
        },
        {"endpoint": "https://fcm.googleapis.com/fcm/send/" + "x" * 3000, "keys": KEYS},
        {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": KEYS, "extra": "x" * 100},
    ],
)
def test_push_subscriptions_are_size_limited(client: TestClient, push: dict[str, Any]) -> None:
    answer = client.post(SUBSCRIBE, json=body(channel="push", contact=None, push_subscription=push))
    assert answer.status_code == 422, answer.text


def test_a_huge_request_is_refused_before_it_is_read(client: TestClient) -> None:
    push = {
        "endpoint": "https://fcm.googleapis.com/fcm/send/x",
        "keys": {**KEYS, "auth": "a" * 20_000_000},
    }
    answer = client.post(SUBSCRIBE, json=body(channel="push", contact=None, push_subscription=push))
    assert answer.status_code == 413, answer.text[:200]
    assert answer.json()["error"]["code"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it comes
        yield b'{"channel": "push", "contact": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    chunked = client.post(SUBSCRIBE, content=chunks(), headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413


def test_a_stored_endpoint_off_the_list_is_never_called(
    settings: Settings, clock: FrozenClock, stand_in: HttpStandIn
) -> None:
    key = Vapid02()
    key.generate_keys()
    settings.vapid_private_key = SecretStr(key.private_pem().decode())
    subscription = {"endpoint": stand_in.url + "/push", "keys": KEYS}
    with pytest.raises(SendError) as refused:
        send_once(
            PushChannel(settings, Http(5, allow_private=True), clock),
            OutboundMessage(to=json.dumps(subscription), text="hi"),
        )
    assert refused.value.permanent and refused.value.code == "push_service_refused"
    assert stand_in.seen == []


def test_a_partner_webhook_at_a_private_address_is_refused_when_registered(
    client: TestClient, cast: Cast
) -> None:
    cast.sign_in(client, cast.elena)
    path = f"/api/organizations/{cast.eastside}/alerts/webhooks"
    for url in ("https://10.0.0.1/hook", "https://[::1]/hook", "https://169.254.169.254/"):
        fields = body(url=url)
        del fields["channel"], fields["contact"]
        answer = client.post(path, json=fields)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["code"] == "invalid_webhook"
