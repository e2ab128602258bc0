"""The demo's stand-in for SMS, WhatsApp, e-mail and Web Push when no provider is configured: the
message goes to the demo inbox (`vecinos.alerts.inbox`), where staff read it."""

from __future__ import annotations

import asyncio
from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from vecinos.alerts import inbox
from vecinos.alerts.channels.base import OutboundMessage, SendResult
from vecinos.alerts.models import ChannelKind
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory, transaction

# Reminders, short-slot notices, broadcasts, accompaniment (vecinos.coverage.messages).
NOTICE_PREFIX = "coverage."


@cache
def _sessions(url: str) -> sessionmaker[Session]:
    # Channels are built for every round; one engine serves them all.
    return make_session_factory(make_engine(url))


class InboxChannel:
    def __init__(self, kind: ChannelKind, settings: Settings, clock: Clock) -> None:
        self.kind = kind
        self.settings = settings
        self.clock = clock

    async def send(self, message: OutboundMessage) -> SendResult:
        return await asyncio.to_thread(self._record, message)

    async def aclose(self) -> None:
        """Nothing to close: the inbox is a table."""

    def _record(self, message: OutboundMessage) -> SendResult:
        # An alert's message carries its id; a direct message says what it is for.
        purpose = message.data.get("purpose", "alert")
        kind = {
            "optin": inbox.InboxKind.OPT_IN,
            "alert": inbox.InboxKind.ALERT,
        }.get(purpose, inbox.InboxKind.REPLY)
        if purpose.startswith(NOTICE_PREFIX):
            kind = inbox.InboxKind.NOTICE
        with transaction(_sessions(self.settings.effective_database_url)) as db:
            row = inbox.record(
                db,
                self.settings,
                channel=self.kind.value,
                kind=kind,
                contact=message.to,
                text=message.text,
                subject=message.subject,
                language=message.language,
                now=self.clock.now(),
            )
            return SendResult(provider_id=f"inbox-{row.id}", status="delivered")
