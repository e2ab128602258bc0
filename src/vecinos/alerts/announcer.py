"""The public alerts stream's fan-out inside one event loop, as cheap per open page as a bare
broadcast: ten thousand open alerts pages are one reader of the process's event hub, not ten
thousand.

Per event loop and app, one `Announcer` reads the hub's alerts events while any page
listens. For each alert it loads the alert once (in a thread) and writes its SSE event once
per language the listening pages asked for, then hands every page the finished bytes: a page
costs one queue put and one send, nothing is loaded, rendered or encoded per page, and no
timeout is armed per event (a page's stream ends by one timer set when it opened).

A page hears exactly the alerts the hub heard after it joined: an event already on its way
into this loop when the page joined was committed before the page's `ready`, so the page's
list (loaded on `ready`) has it.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterable

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from vecinos import events
from vecinos.alerts import feeds
from vecinos.web import sse

log = logging.getLogger("vecinos.alerts.announcer")
QUEUE_LIMIT = events.QUEUE_LIMIT  # a page that stops reading loses alerts rather than memory
READY = sse.READY.encode()  # events may have gone by unheard: the page reloads its list


class Listener:
    """One open page: the chunks to send it, in order, then None when its stream ends."""

    def __init__(self, owner: Announcer, language: str, joined_at: int, seconds: float) -> None:
        self.language = language
        self.joined_at = joined_at  # how many events this loop had heard when the page joined
        self._owner = owner
        self._queue: asyncio.Queue[bytes | None] = asyncio.Queue()
        # One timer for the stream's whole life (browsers reconnect at its end), instead of a
        # timeout armed and cancelled on every wait.
        self._ends = asyncio.get_running_loop().call_later(seconds, self._queue.put_nowait, None)

    def offer(self, chunk: bytes) -> None:
        if self._queue.qsize() < QUEUE_LIMIT:
            self._queue.put_nowait(chunk)

    async def next(self) -> bytes | None:
        return await self._queue.get()

    def leave(self) -> None:
        self._ends.cancel()
        self._owner.leave(self)


class Announcer:
    """The alerts pages of one app open on one event loop, and their one reader of the hub."""

    def __init__(self, sessions: sessionmaker[Session], key: _Key) -> None:
        self.sessions = sessions
        self._key = key
        self._listeners: dict[Listener, None] = {}  # in joining order
        self._heard = 0  # alerts events taken from the hub's queue so far
        self._subscription: events.Subscription | None = None
        self._relay: asyncio.Task[None] | None = None

    @property
    def listening(self) -> int:
        return len(self._listeners)

    def join(self, language: str, seconds: float) -> Listener:
        """A page starts listening; call from the loop that runs its stream."""
        if self._subscription is None:
            self._subscription = events.hub.subscribe(events.Topic.ALERTS)
            self._relay = asyncio.get_running_loop().create_task(
                self._run(self._subscription), name="vecinos-alerts-announcer"
            )
        # Events already waiting in the subscription's queue were committed before this page
        # joined: its list will have them, so it is not handed them again.
        heard = self._heard + self._subscription.queue.qsize()
        listener = Listener(self, language, heard, seconds)
        self._listeners[listener] = None
        return listener

    def leave(self, listener: Listener) -> None:
        self._listeners.pop(listener, None)
        if not self._listeners and self._subscription is not None:
            # Nobody listens here any more: stop reading the hub until a page joins again.
            self._subscription.close()
            self._subscription = None
            if self._relay is not None:
                self._relay.cancel()
                self._relay = None
            _announcers.pop(self._key, None)

    async def _run(self, subscription: events.Subscription) -> None:
        while True:
            event = await subscription.queue.get()
            self._heard += 1
            number = self._heard
            if event.payload == events.RESYNC:
                self._hand_out(number, lambda _: READY)
                continue
            alert_id = int(event.payload["alert_id"])
            languages = {listener.language for listener in self._listeners}
            try:
                written = await run_in_threadpool(_written, self.sessions, alert_id, languages)
            except Exception:  # the database may be away for a moment
                log.exception("alert %s could not be loaded; pages reload their lists", alert_id)
                self._hand_out(number, lambda _: READY)
                continue
            if written is not None:
                self._hand_out(number, written.__getitem__)

    def _hand_out(self, number: int, chunk_for: Callable[[str], bytes]) -> None:
        # Pages that joined while the alert was loading joined after it was heard: skipped.
        for listener in list(self._listeners):
            if listener.joined_at < number:
                listener.offer(chunk_for(listener.language))


def _written(
    sessions: sessionmaker[Session], alert_id: int, languages: Iterable[str]
) -> dict[str, bytes] | None:
    """The alert's SSE event in each language, or None when there is no such alert."""
    with sessions() as db:
        alert = feeds.one(db, alert_id)
        if alert is None:
            return None
        return {
            language: sse.event(
                "alert", json.dumps(feeds.public_dict(alert, language)), id=str(alert_id)
            ).encode()
            for language in languages
        }


# Per event loop and app; an announcer is kept only while pages listen through it.
_Key = tuple[asyncio.AbstractEventLoop, sessionmaker[Session]]
_announcers: dict[_Key, Announcer] = {}


def announcer(sessions: sessionmaker[Session]) -> Announcer:
    """This loop's announcer for the app whose sessions these are; call from that loop."""
    key = (asyncio.get_running_loop(), sessions)
    found = _announcers.get(key)
    if found is None:
        found = _announcers[key] = Announcer(sessions, key)
    return found
