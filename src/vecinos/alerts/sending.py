"""The delivery engine: every channel sends at its provider's pace, on its own.

One *lane* per configured channel keeps up to that channel's `in_flight` messages on the wire
at once (a provider's latency, not our CPU, then sets the pace) and never more a second than
the channel's rate, a token bucket shared through the database by every worker of the
deployment (`vecinos.limits`). Lanes are independent: a partner webhook that does not answer
holds its own lane's slots for its time-out and nobody else's.

A lane claims deliveries in small batches as its slots free up (`delivery.claim_ids`: a lease,
`SKIP LOCKED` on PostgreSQL), sends each as its own task, writes outcomes every quarter of a
second in one short transaction, and extends the lease of whatever is still on the wire, so a
slow round is never taken over by another worker while it is still sending. With nothing due,
a lane sleeps until the outbox event (`events.Topic.OUTBOX`, emitted when an alert is
published) or the poll interval: a published alert's first message leaves within moments, and
a backlog is worked off without pauses.

Nothing is lost to a crash: a killed worker's leases run out and another worker takes the
deliveries again, with the same idempotency key. A halt (`holds`) is asked about before every
claim: what is already on the wire finishes, nothing more is claimed until `resume`, whose
outbox event wakes the lanes again.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from vecinos import events, limits
from vecinos.alerts import delivery, holds, outgoing
from vecinos.alerts.channels import Channels, channels_for
from vecinos.alerts.channels.base import Channel
from vecinos.alerts.delivery import Claimed, Outcome
from vecinos.alerts.models import ChannelKind
from vecinos.alerts.outbox_models import Alert, Delivery
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.db import transaction

log = logging.getLogger("vecinos.alerts.sending")

RECORD_SECONDS = 0.25  # outcomes are written this often: a crash re-sends at most this much
REFILL_SHARE = 4  # claim again once a quarter of the slots are free (fewer, larger claims)
ALERT_CACHE = 256  # alerts whose texts a lane keeps; they never change once published


@dataclass
class Batch:
    token: str
    rows: list[Claimed]
    alerts: dict[int, Alert]


@dataclass
class Lane:
    """One channel's sending: its slots, its rate, what is on the wire."""

    kind: ChannelKind
    channel: Channel
    capacity: int
    rate: float | None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    flying: dict[asyncio.Task[Outcome], tuple[int, str]] = field(default_factory=dict)
    finished: list[tuple[str, Outcome]] = field(default_factory=list)
    next_token_in: float = 0.0
    sent: int = 0


class DeliveryEngine:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        clock: Clock,
        channels: Channels | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self._channels = channels
        self._alerts: dict[int, Alert] = {}

    # ---- running ------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Send until `stop` is set; what is on the wire then finishes and is recorded."""
        await self._with_lanes(stop, until_idle=False)

    async def drain(self) -> int:
        """Send what is due now, as far as the channels' rates allow at this moment, then
        return how many the channels accepted (`vecinos worker --once`, tests)."""
        return await self._with_lanes(asyncio.Event(), until_idle=True)

    def drain_now(self) -> int:
        """`drain` from synchronous code, on an event loop in a thread of its own (the caller's
        thread may already run one: Playwright's, in the browser tests)."""
        result: list[int] = []
        thread = threading.Thread(target=lambda: result.append(asyncio.run(self.drain())))
        thread.start()
        thread.join()
        if not result:
            raise RuntimeError("the delivery engine failed; see the log")
        return result[0]

    async def _with_lanes(self, stop: asyncio.Event, *, until_idle: bool) -> int:
        settings = self.settings
        channels = self._channels or channels_for(settings, self.clock)
        lanes = [
            Lane(kind, channel, in_flight_of(kind, settings), delivery.rate_of(kind, settings))
            for kind, channel in channels.items()
        ]
        wake = events.hub.subscribe(events.Topic.OUTBOX)
        waker = asyncio.create_task(_relay(wake, lanes))
        try:
            async with asyncio.TaskGroup() as group:
                for lane in lanes:
                    group.create_task(self._run_lane(lane, stop, until_idle=until_idle))
        finally:
            waker.cancel()
            wake.close()
            if self._channels is None:
                await channels.aclose()
        return sum(lane.sent for lane in lanes)

    async def _run_lane(self, lane: Lane, stop: asyncio.Event, *, until_idle: bool) -> None:
        loop = asyncio.get_running_loop()
        recorded_at = leased_at = loop.time()
        lease_every = self.settings.alert_claim_seconds / 3
        while not stop.is_set():
            started = await self._fill(lane)
            if lane.flying:
                await asyncio.wait(
                    list(lane.flying), timeout=RECORD_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                _collect(lane)
            elif not started:
                await self._record(lane)
                if until_idle:
                    return
                await _sleep(lane, stop, lane.next_token_in or self.settings.worker_poll_seconds)
            if loop.time() - recorded_at >= RECORD_SECONDS:
                await self._record(lane)
                recorded_at = loop.time()
            if lane.flying and loop.time() - leased_at >= lease_every:
                await asyncio.to_thread(self._extend_leases, lane)
                leased_at = loop.time()
        await self._land(lane)

    async def _land(self, lane: Lane) -> None:
        """Stopping: let what is on the wire finish (each send has its time-out), record it."""
        if lane.flying:
            await asyncio.wait(list(lane.flying))
            _collect(lane)
        await self._record(lane)

    # ---- one lane's steps -----------------------------------------------------------------

    async def _fill(self, lane: Lane) -> bool:
        """Claim and start sending as many deliveries as the free slots and the rate allow."""
        room = lane.capacity - len(lane.flying)
        if room <= 0 or (lane.flying and room < lane.capacity // REFILL_SHARE):
            return False
        batch = await asyncio.to_thread(self._claim, lane, room)
        messages = outgoing.Messages(batch.alerts, self.settings)
        now = self.clock.now()
        for row in batch.rows:
            task = asyncio.create_task(
                delivery.send_one(lane.channel, row, messages, self.settings, now)
            )
            lane.flying[task] = (row.id, batch.token)
        return bool(batch.rows)

    def _claim(self, lane: Lane, room: int) -> Batch:
        now = self.clock.now()
        token = secrets.token_hex(16)
        with transaction(self.sessions) as db:
            if not holds.may_deliver(db):  # halted, or the volume alarm: claim nothing
                return Batch(token, [], {})
            granted = self._grant(db, lane, room, now)
            sending = [delivery_id for delivery_id, _ in list(lane.flying.values())]
            ids = delivery.claim_ids(
                db, lane.kind, token, now, self.settings, limit=granted, sending=sending
            )
            if lane.rate is not None and len(ids) < granted:  # unused: for the next alert
                limits.give_back(db, _bucket(lane), granted - len(ids), burst=_burst(lane))
            rows = delivery.claimed_rows(db, ids, token)
            alerts = self._alerts_of(db, {r.alert_id for r in rows if r.alert_id is not None})
        return Batch(token, rows, alerts)

    def _grant(self, db: Session, lane: Lane, room: int, now: datetime) -> int:
        """How many the channel's shared rate allows now (all of `room` for an unpaced one)."""
        lane.next_token_in = 0.0
        if lane.rate is None:
            return room
        granted, lane.next_token_in = limits.take(
            db, _bucket(lane), rate=lane.rate, burst=_burst(lane), want=room, now=now
        )
        return granted

    def _alerts_of(self, db: Session, ids: set[int]) -> dict[int, Alert]:
        missing = ids - self._alerts.keys()
        if missing:
            if len(self._alerts) > ALERT_CACHE:
                self._alerts.clear()
            for alert in db.scalars(select(Alert).where(Alert.id.in_(missing))):
                db.expunge(alert)  # detached: read from the event loop's thread later
                self._alerts[alert.id] = alert
        return {i: self._alerts[i] for i in ids if i in self._alerts}

    async def _record(self, lane: Lane) -> None:
        if not lane.finished:
            return
        finished, lane.finished = lane.finished, []
        lane.sent += sum(outcome.error is None for _, outcome in finished)
        await asyncio.to_thread(self._write_outcomes, finished)

    def _write_outcomes(self, finished: Sequence[tuple[str, Outcome]]) -> None:
        now = self.clock.now()
        by_token: dict[str, list[Outcome]] = {}
        for token, outcome in finished:
            by_token.setdefault(token, []).append(outcome)
        with transaction(self.sessions) as db:
            for token, outcomes in by_token.items():
                delivery.record(db, outcomes, token=token, now=now, settings=self.settings)

    def _extend_leases(self, lane: Lane) -> None:
        """Still sending: keep the claims, so no other worker takes these deliveries."""
        lease = self.clock.now() + timedelta(seconds=self.settings.alert_claim_seconds)
        by_token: dict[str, list[int]] = {}
        for delivery_id, token in list(lane.flying.values()):
            by_token.setdefault(token, []).append(delivery_id)
        with transaction(self.sessions) as db:
            for token, ids in by_token.items():
                db.execute(
                    update(Delivery)
                    .where(Delivery.id.in_(ids), Delivery.claim_token == token)
                    .values(claimed_until=lease)
                    .execution_options(synchronize_session=False)
                )


def in_flight_of(kind: ChannelKind, settings: Settings) -> int:
    """How many messages of a channel one worker keeps on the wire at once."""
    return {
        ChannelKind.SMS: settings.alert_sms_in_flight,
        ChannelKind.WHATSAPP: settings.alert_sms_in_flight,  # the same client and provider
        ChannelKind.EMAIL: settings.alert_email_in_flight,
        ChannelKind.PUSH: settings.alert_push_in_flight,
        ChannelKind.WEBHOOK: settings.alert_webhook_in_flight,
    }.get(kind, settings.alert_push_in_flight)  # the log channel: as fast as push


def _bucket(lane: Lane) -> str:
    return f"alerts.{lane.kind.value}"


def _burst(lane: Lane) -> float:
    """A second's worth: a provider's per-second limit is never exceeded in any second."""
    return max(1.0, lane.rate or 1.0)


def _collect(lane: Lane) -> None:
    for task in [t for t in lane.flying if t.done()]:
        _, token = lane.flying.pop(task)
        lane.finished.append((token, task.result()))


async def _sleep(lane: Lane, stop: asyncio.Event, seconds: float) -> None:
    """Until the outbox event wakes the lane, the worker stops, or `seconds` pass."""
    waits = [asyncio.create_task(lane.wake.wait()), asyncio.create_task(stop.wait())]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
        lane.wake.clear()


async def _relay(subscription: events.Subscription, lanes: Sequence[Lane]) -> None:
    """Every outbox event wakes every lane (an alert may go out on all channels)."""
    while True:
        if await subscription.get(timeout=3600) is not None:
            for lane in lanes:
                lane.wake.set()
