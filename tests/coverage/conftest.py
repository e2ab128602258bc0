"""Fixtures of this folder: a signed-in client per person of the cast, and the app's settings
pointed at the SMS, SMTP and Web Push stand-ins so coverage's messages go through the real
engine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from py_vapid import Vapid02
from pydantic import SecretStr

from tests.alerts import servers
from tests.alerts.engine import wire
from tests.alerts.servers import HttpStandIn, Mailbox, PushInbox
from tests.clients import signed_in
from vecinos.clock import FrozenClock
from vecinos.config import Settings

__all__ = ["signed_in"]


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    with servers.smtp_server(tmp_path) as running:
        yield running


@pytest.fixture
def wired(settings: Settings, twilio: HttpStandIn, mailbox: tuple[Mailbox, int, Path]) -> Settings:
    """The app's own settings object (read per request), sending through the stand-ins."""
    _, port, ca = mailbox
    wire(settings, twilio)  # texts; the frozen clock refills no bucket, so the rate is high
    settings.smtp_host, settings.smtp_port, settings.smtp_ca_file = "127.0.0.1", port, ca
    settings.smtp_username = servers.SMTP_USER
    settings.smtp_password = SecretStr(servers.SMTP_PASSWORD)
    return settings


@pytest.fixture
def push_service(clock: FrozenClock) -> Iterator[tuple[PushInbox, HttpStandIn]]:
    with servers.push_service_for(clock.now) as running:
        yield running


@pytest.fixture
def pushing(wired: Settings) -> Settings:
    """`wired`, and Web Push signed with a VAPID key of its own to the local push service."""
    vapid = Vapid02()
    vapid.generate_keys()
    wired.vapid_private_key = SecretStr(vapid.private_pem().decode())
    wired.vapid_subject = "mailto:ops@vecinos.test"
    wired.push_services = "127.0.0.1"
    return wired
