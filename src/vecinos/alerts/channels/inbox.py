"""The demo's stand-in for SMS, e-mail and Web Push when no provider is configured: the
message goes to the demo inbox (`vecinos.alerts.inbox`), where staff read it."""

from __future__ import annotations

from functools import cache

from sqlalchemy.orm import Session, sessionmaker

from vecinos.alerts import inbox
from vecinos.alerts.channels.base import OutboundMessage, SendResult
from vecinos.alerts.models import ChannelKind
from vecinos.clock import Clock
from vecinos.config import Settings
from vecinos.db import make_engine, make_session_factory, transaction


@cache
def _sessions(url: str) -> sessionmaker[Session]:
    # Channels are built for every round; one engine serves them all.
    return make_session_factory(make_engine(url))


class InboxChannel:
    def __init__(self, kind: ChannelKind, settings: Settings, clock: Clock) -> None:
        self.kind = kind
        self.settings = settings
        self.clock = clock

    def send(self, message: OutboundMessage) -> SendResult:
        # Opt-in messages are keyed "optin-<id>" (optin_sender); everything else is an alert.
        is_opt_in = message.idempotency_key.startswith("optin-")
        kind = inbox.InboxKind.OPT_IN if is_opt_in else inbox.InboxKind.ALERT
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
