"""E-mail over SMTP with STARTTLS (certificate checked) and AUTH, through `smtplib`.

A refused recipient (5xx to RCPT) is permanent; a refused login, a 4xx or a dropped
connection is transient: the server or our settings are at fault, not the subscriber.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

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

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

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

    def send(self, message: OutboundMessage) -> SendResult:
        email = self.compose(message)
        try:
            self._deliver(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if all(code >= 500 for code in codes):
                raise PermanentSendError("recipient refused", code="smtp_recipient") from exc
            raise TransientSendError("recipient deferred", code="smtp_deferred") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientSendError(f"{type(exc).__name__}: {exc}", code="smtp") from exc
        return SendResult(provider_id=str(email["Message-ID"]))

    def _deliver(self, email: EmailMessage) -> None:
        s = self.settings
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.outbound_timeout_seconds) as smtp:
            if s.smtp_starttls:
                smtp.starttls(context=self.tls_context())
            if s.smtp_username:
                smtp.login(s.smtp_username, s.smtp_password.get_secret_value())
            smtp.send_message(email)
