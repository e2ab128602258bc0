"""E-mail over SMTP with STARTTLS (certificate checked) and AUTH, through `aiosmtplib`.

A few SMTP sessions are opened once and reused for message after message (a new session per
message costs a TCP handshake, a TLS handshake and a login); each session carries one message
at a time, so the pool's size is how many messages are on the wire at once. A session that
fails is closed and the next message opens a fresh one.

A refused recipient (5xx to RCPT) is permanent; a refused login, a 4xx or a dropped
connection is transient: the server or our settings are at fault, not the subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from vecinos.alerts.channels.base import (
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
)
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings


class EmailChannel:
    kind = ChannelKind.EMAIL

    def __init__(self, settings: Settings, sessions: int = 4) -> None:
        self.settings = settings
        self._idle: asyncio.Queue[aiosmtplib.SMTP | None] | None = None
        self._size = sessions

    def tls_context(self) -> ssl.SSLContext:
        ca_file = self.settings.smtp_ca_file
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    def compose(self, message: OutboundMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.smtp_from
        email["To"] = message.to
        email["Subject"] = message.subject or self.settings.coalition_name
        email["Date"] = formatdate(localtime=False)
        domain = self.settings.smtp_from.rpartition("@")[2] or None
        email["Message-ID"] = make_msgid(idstring=message.idempotency_key or None, domain=domain)
        email["Content-Language"] = message.language
        if unsubscribe := message.data.get("unsubscribe_url"):
            email["List-Unsubscribe"] = f"<{unsubscribe}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
        email.set_content(message.text)
        return email

    async def send(self, message: OutboundMessage) -> SendResult:
        email = self.compose(message)
        idle = self._pool()
        session = await idle.get()  # waits while every session carries a message
        try:
            session = session or await self._open()
            await session.send_message(email)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            await idle.put(session)  # the session itself is fine
            if all(refused.code >= 500 for refused in exc.recipients):
                raise PermanentSendError("recipient refused", code="smtp_recipient") from exc
            raise TransientSendError("recipient deferred", code="smtp_deferred") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            await _close(session)
            await idle.put(None)  # the next message opens a fresh session
            raise TransientSendError(f"{type(exc).__name__}: {exc}", code="smtp") from exc
        await idle.put(session)
        return SendResult(provider_id=str(email["Message-ID"]))

    def _pool(self) -> asyncio.Queue[aiosmtplib.SMTP | None]:
        if self._idle is None:  # on the loop that sends: None stands for "not open yet"
            self._idle = asyncio.Queue()
            for _ in range(self._size):
                self._idle.put_nowait(None)
        return self._idle

    async def _open(self) -> aiosmtplib.SMTP:
        s = self.settings
        session = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            timeout=s.outbound_timeout_seconds,
            start_tls=s.smtp_starttls,
            tls_context=self.tls_context() if s.smtp_starttls else None,
        )
        await session.connect()
        # Kept: a login that times out makes the session drop its own reference, after only
        # starting TLS's goodbye, which a stalled server never answers.
        transport = session.transport
        if s.smtp_username:
            try:
                await session.login(s.smtp_username, s.smtp_password.get_secret_value())
            except BaseException:
                _abort(transport)  # a refused login must not leave the connection open
                session.close()
                raise
        return session

    async def aclose(self) -> None:
        if self._idle is None:
            return
        while not self._idle.empty():
            await _close(self._idle.get_nowait())
        self._idle = None


async def _close(session: aiosmtplib.SMTP | None) -> None:
    """QUIT, then the socket closed at once: once the server has said goodbye, TLS's own
    goodbye would only keep the socket open until the server answers it, which may be after
    the event loop that owns the socket is gone."""
    if session is None or not session.is_connected:
        return
    transport = session.transport
    with contextlib.suppress(aiosmtplib.SMTPException, OSError, TimeoutError):
        await session.quit()  # and if it fails, closed below all the same
    _abort(transport)
    session.close()
    await asyncio.sleep(0)  # the transport's close callback runs on this loop


def _drop(session: aiosmtplib.SMTP) -> None:
    _abort(session.transport)
    session.close()


def _abort(transport: asyncio.BaseTransport | None) -> None:
    """Close at once, without TLS's goodbye: a server that stalled (as after a refused AUTH)
    never answers it, and the socket would outlive the event loop that owns it. Works on a
    transport whose graceful close has already begun."""
    if isinstance(transport, asyncio.WriteTransport):
        transport.abort()
