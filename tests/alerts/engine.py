"""The delivery engine as a worker runs it, and the stand-ins it sends to, for the tests of
sending (tests/alerts) and of its faults (tests/faults)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts import servers
from tests.alerts.outbox_factories import deliveries, incident, north, publish_now, subscriber
from tests.alerts.servers import HttpStandIn, Reply, Seen, json_reply
from tests.cast import Cast
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import DeliveryStatus
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock
from vecinos.config import Settings


def wire(settings: Settings, twilio: HttpStandIn) -> Settings:
    """The app's own settings object, pointed at the stand-ins (the app reads it per request)."""
    settings.twilio_base_url = twilio.url
    settings.twilio_account_sid = servers.TWILIO_SID
    settings.twilio_auth_token = SecretStr(servers.TWILIO_TOKEN)
    settings.twilio_from_number = "+12135550100"
    settings.outbound_allow_http = True
    settings.outbound_allow_private = True  # the stand-ins live on 127.0.0.1
    # The test clock stands still, so no rate bucket refills: room for every test's texts.
    settings.alert_sms_per_second = 1000.0
    return settings


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.02)


class Running:
    """A delivery engine running as a worker runs it, in a thread, until `stop`."""

    def __init__(self, engine: DeliveryEngine) -> None:
        self.engine = engine
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stopping: asyncio.Event | None = None
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self.loop, self.stopping = asyncio.get_running_loop(), asyncio.Event()
        self.ready.set()
        await self.engine.run(self.stopping)

    def __enter__(self) -> Running:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *_: object) -> None:
        assert self.loop is not None and self.stopping is not None
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(30)
        assert not self.thread.is_alive()


class Holding:
    """A partner webhook that answers only when the test lets it (or after `seconds`)."""

    def __init__(self, seconds: float = 60) -> None:
        self.release = threading.Event()
        self.seconds = seconds
        self.arrived = 0
        self.answered = 0

    def __call__(self, seen: Seen) -> Reply:
        self.arrived += 1
        self.release.wait(self.seconds)
        self.answered += 1
        return json_reply(200, {"ok": True})


def partner(url: str, n: int = 0) -> str:
    return f'{{"url": "{url}/hook/{n}", "secret": "partner-secret"}}'


def after(seconds: float, responder: Callable[[Seen], Reply]) -> Callable[[Seen], Reply]:
    """`responder`, answering `seconds` late: a provider's latency."""

    def late(seen: Seen) -> Reply:
        time.sleep(seconds)  # the stand-in's latency, not a test ordering anything
        return responder(seen)

    return late


def timed(responder: Callable[[Seen], Reply], arrivals: list[float]) -> Callable[[Seen], Reply]:
    """`responder`, noting when each request arrived."""

    def noted(seen: Seen) -> Reply:
        arrivals.append(time.monotonic())
        return responder(seen)

    return noted


@dataclass
class OneAlert:
    """An alert published to three partner webhooks and some residents' phones."""

    alert_id: int
    texted: list[int]

    def residents_told(self, db: Session) -> bool:
        rows = [d for d in deliveries(db, self.alert_id) if d.subscription_id in self.texted]
        return all(d.status == DeliveryStatus.SENT for d in rows)

    def all_sent(self, db: Session) -> bool:
        return all(d.status == DeliveryStatus.SENT for d in deliveries(db, self.alert_id))


def partners_and_residents(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    partner_url: str,
    numbers: Sequence[str],
) -> OneAlert:
    for n in range(3):
        contact = partner(partner_url, n)
        subscriber(
            sessions, settings, clock, north(50 + n), channel=ChannelKind.WEBHOOK, contact=contact
        )
    texted = [
        subscriber(sessions, settings, clock, north(100 + n), channel=ChannelKind.SMS, contact=c)
        for n, c in enumerate(numbers)
    ]
    return OneAlert(publish_now(sessions, settings, clock, incident(sessions, cast)), texted)
