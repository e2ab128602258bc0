"""A worker killed with SIGKILL in the middle of a fan-out loses nothing and doubles nothing.

The delivery engine runs in a subprocess with a channel that records every send to a file and
then stalls; the test kills it after some sends, and a restarted engine (here, in the test
process) finishes the job once the dead worker's claim has lapsed. Every recipient ends with exactly
one delivery, marked sent, and every recipient's message went out on the wire.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.outbox_factories import deliveries, incident, north, publish_now
from tests.alerts.outbox_factories import subscriber as add_subscriber
from tests.cast import Cast
from tests.conftest import TEST_SECRET
from vecinos.alerts.channels import Channels
from vecinos.alerts.channels.base import OutboundMessage, SendResult
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import DeliveryStatus
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock
from vecinos.config import Settings

RECIPIENTS = 40
SENDS_BEFORE_KILL = 15

WORKER = """
import asyncio, os, sys
from datetime import datetime
from vecinos.alerts.channels import Channels
from vecinos.alerts.channels.base import SendResult
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.sending import DeliveryEngine
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory

wire, stall_after = sys.argv[1], int(sys.argv[2])

class Stalling:
    kind = ChannelKind.LOG
    sent = 0
    async def send(self, message):
        with open(wire, "a") as out:
            out.write(message.idempotency_key + "\\n")
            out.flush()
            os.fsync(out.fileno())
        Stalling.sent += 1
        if Stalling.sent >= stall_after:
            await asyncio.sleep(3600)  # the provider hangs; the test kills us here
        await asyncio.sleep(0.03)
        return SendResult(provider_id="stall-" + message.idempotency_key)
    async def aclose(self):
        pass

# One message on the wire at a time, so outcomes are written while later ones still go.
settings = Settings(database_url=os.environ["CRASH_DB"], secret_key=os.environ["CRASH_SECRET"],
                    data_dir=os.environ["CRASH_DIR"], alert_push_in_flight=1)
clock = FrozenClock(datetime.fromisoformat(os.environ["CRASH_NOW"]))
sessions = make_session_factory(make_engine(settings.effective_database_url))
channels = Channels({ChannelKind.LOG: Stalling()})
DeliveryEngine(sessions, settings, clock, channels).drain_now()
"""


class Recording:
    """The restarted worker's channel: records to the same wire file, answers at once."""

    kind = ChannelKind.LOG

    def __init__(self, wire: Path) -> None:
        self.wire = wire

    async def send(self, message: OutboundMessage) -> SendResult:
        with self.wire.open("a") as out:
            out.write(message.idempotency_key + "\n")
        return SendResult(provider_id=f"rec-{message.idempotency_key}")

    async def aclose(self) -> None:
        """Nothing to close."""


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def start_worker(settings: Settings, clock: FrozenClock, wire: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CRASH_DB": settings.effective_database_url,
        "CRASH_SECRET": TEST_SECRET,
        "CRASH_DIR": str(settings.data_dir),
        "CRASH_NOW": clock.now().isoformat(),
    }
    command = [sys.executable, "-c", WORKER, str(wire), str(SENDS_BEFORE_KILL)]
    return subprocess.Popen(command, env=env)  # noqa: S603 - our own interpreter and script


def wait_for_sends(wire: Path, worker: subprocess.Popen[bytes], count: int) -> None:
    deadline = time.monotonic() + 60
    while len(lines(wire)) < count:
        assert worker.poll() is None, "the worker ended before it stalled"
        assert time.monotonic() < deadline, "the worker never got going"
        time.sleep(0.05)


def test_a_killed_worker_loses_and_doubles_nothing(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    cast: Cast,
    db: Session,
    tmp_path: Path,
) -> None:
    ids = [add_subscriber(sessions, settings, clock, north(10 * n)) for n in range(RECIPIENTS)]
    alert_id = publish_now(sessions, settings, clock, incident(sessions, cast))
    wire = tmp_path / "wire.txt"

    worker = start_worker(settings, clock, wire)
    try:
        wait_for_sends(wire, worker, SENDS_BEFORE_KILL)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(30)
    assert worker.returncode == -signal.SIGKILL
    recorded_before = [d for d in deliveries(db, alert_id) if d.status != DeliveryStatus.QUEUED]
    assert 0 < len(recorded_before) < SENDS_BEFORE_KILL  # some outcomes were written, not all

    # The restart: the dead worker's claim lapses, the rest goes out.
    restarted = DeliveryEngine(
        sessions, settings, clock, Channels({ChannelKind.LOG: Recording(wire)})
    )
    never_claimed = restarted.drain_now()  # the dead worker claimed only what it had in hand
    assert never_claimed > 0
    clock.advance(seconds=settings.alert_claim_seconds)
    lapsed = restarted.drain_now()  # what it held, unrecorded, is sent again once its lease lapsed
    assert lapsed > 0 and never_claimed + lapsed == RECIPIENTS - len(recorded_before)

    rows = deliveries(db, alert_id)
    assert sorted(d.subscription_id or 0 for d in rows) == sorted(ids)  # one row per recipient
    assert {d.status for d in rows} == {DeliveryStatus.SENT}
    assert all(d.claim_token is None for d in rows)
    on_the_wire = Counter(lines(wire))
    assert set(on_the_wire) == {d.idempotency_key for d in rows}  # nobody was skipped
    # Sent twice: only what the dead worker sent but had not yet written down, each with the
    # same idempotency key both times (a provider that honours it drops the second).
    doubled = [key for key, n in on_the_wire.items() if n > 1]
    assert all(n <= 2 for n in on_the_wire.values())
    assert len(doubled) <= SENDS_BEFORE_KILL - len(recorded_before)
