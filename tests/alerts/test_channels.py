"""Each channel against a real local server that speaks its provider's wire format."""

from __future__ import annotations

import email
import email.policy
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from py_vapid import Vapid02
from pydantic import SecretStr
from twilio.base.exceptions import TwilioRestException

from tests.alerts import servers
from tests.alerts.servers import HttpStandIn, PushInbox, json_reply
from tests.asyncio_helpers import send_once
from vecinos.alerts.channels import channels_for
from vecinos.alerts.channels.base import OutboundMessage, SendError
from vecinos.alerts.channels.email import EmailChannel
from vecinos.alerts.channels.http import Http
from vecinos.alerts.channels.log import LogChannel
from vecinos.alerts.channels.push import PushChannel
from vecinos.alerts.channels.sms import SmsChannel, classify
from vecinos.alerts.channels.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookChannel,
    verify,
)
from vecinos.alerts.channels.whatsapp import WhatsAppChannel
from vecinos.alerts.models import ChannelKind
from vecinos.clock import FrozenClock
from vecinos.config import Settings

TEXT = "vecinos CONFIRMED by volunteers: activity near Soto St & 1st St. Más: https://vecinos.test/rights/es"


@pytest.fixture
def http(settings: Settings) -> Http:
    # The stand-ins live on 127.0.0.1, which the guard refuses unless told (tests/security).
    return Http(settings.outbound_timeout_seconds, allow_private=True)


send = send_once


def form_of(seen: servers.Seen) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}


# --- SMS ----------------------------------------------------------------------------------


@pytest.fixture
def twilio() -> Iterator[HttpStandIn]:
    with HttpStandIn(servers.twilio_responder) as server:
        yield server


def sms_settings(settings: Settings, base_url: str, token: str = servers.TWILIO_TOKEN) -> Settings:
    return settings.model_copy(
        update={
            "twilio_base_url": base_url,
            "twilio_account_sid": servers.TWILIO_SID,
            "twilio_auth_token": SecretStr(token),
            "twilio_from_number": "+12135550100",
        }
    )


def test_sms_goes_through_the_official_client_to_the_configured_base_url(
    settings: Settings, http: Http, twilio: HttpStandIn
) -> None:
    channel = SmsChannel(sms_settings(settings, twilio.url), http)
    result = send(channel, OutboundMessage(to="+12135550142", text=TEXT))
    assert result.provider_id.startswith("SM") and result.status == "queued"
    (seen,) = twilio.seen
    assert form_of(seen) == {
        "To": "+12135550142",
        "From": "+12135550100",
        "Body": TEXT,
        "StatusCallback": "https://vecinos.test/api/alerts/sms/status",
    }
    assert seen.headers["user-agent"].startswith("twilio-python")


@pytest.mark.parametrize(
    ("to", "token", "permanent", "code"),
    [
        (servers.DEAD_NUMBER, servers.TWILIO_TOKEN, True, "twilio_21211"),
        (servers.BUSY_NUMBER, servers.TWILIO_TOKEN, False, "twilio_20429"),
        ("+12135550142", "wrong-token", False, "twilio_20003"),
    ],
)
def test_sms_errors_say_whether_the_number_is_dead(
    settings: Settings,
    http: Http,
    twilio: HttpStandIn,
    to: str,
    token: str,
    permanent: bool,
    code: str,
) -> None:
    channel = SmsChannel(sms_settings(settings, twilio.url, token), http)
    with pytest.raises(SendError) as failed:
        send(channel, OutboundMessage(to=to, text=TEXT))
    assert failed.value.permanent is permanent and failed.value.code == code


def test_an_unreachable_provider_is_transient(settings: Settings, http: Http) -> None:
    port = servers.free_port()  # nothing listens there
    channel = SmsChannel(sms_settings(settings, f"http://127.0.0.1:{port}"), http)
    with pytest.raises(SendError) as failed:
        send(channel, OutboundMessage(to="+12135550142", text=TEXT))
    assert failed.value.permanent is False and failed.value.code == "network"


# --- WhatsApp -----------------------------------------------------------------------------

WHATSAPP_SENDER = "+12135550199"


def whatsapp_settings(
    settings: Settings, base_url: str, token: str = servers.TWILIO_TOKEN
) -> Settings:
    return sms_settings(settings, base_url, token).model_copy(
        update={"twilio_whatsapp_from": WHATSAPP_SENDER}
    )


def test_whatsapp_goes_through_the_same_client_with_whatsapp_addresses(
    settings: Settings, http: Http, twilio: HttpStandIn
) -> None:
    channel = WhatsAppChannel(whatsapp_settings(settings, twilio.url), http)
    assert channel.kind is ChannelKind.WHATSAPP
    # The contact is stored as a bare E.164 number, like SMS's; the prefix is the wire's.
    result = send(channel, OutboundMessage(to="+12135550142", text=TEXT, subject="ignored"))
    assert result.provider_id.startswith("SM") and result.status == "queued"
    (seen,) = twilio.seen
    assert seen.path == f"/2010-04-01/Accounts/{servers.TWILIO_SID}/Messages.json"
    assert form_of(seen) == {
        "To": "whatsapp:+12135550142",
        "From": f"whatsapp:{WHATSAPP_SENDER}",
        "Body": TEXT,
        "StatusCallback": "https://vecinos.test/api/alerts/sms/status",
    }
    assert seen.headers["user-agent"].startswith("twilio-python")


def test_with_a_template_whatsapp_reaches_people_outside_the_24_hour_window(
    settings: Settings, http: Http, twilio: HttpStandIn
) -> None:
    templated = whatsapp_settings(settings, twilio.url).model_copy(
        update={"twilio_whatsapp_template_sid": "HX0123456789abcdef0123456789abcdef"}
    )
    send(WhatsAppChannel(templated, http), OutboundMessage(to="+12135550142", text=TEXT))
    (seen,) = twilio.seen
    sent = form_of(seen)
    assert "Body" not in sent  # a plain body is what WhatsApp refuses after 24 h
    assert sent["ContentSid"] == "HX0123456789abcdef0123456789abcdef"
    assert json.loads(sent["ContentVariables"]) == {"1": TEXT}
    assert sent["To"] == "whatsapp:+12135550142"


@pytest.mark.parametrize(
    ("to", "token", "permanent", "code"),
    [
        (servers.DEAD_NUMBER, servers.TWILIO_TOKEN, True, "twilio_21211"),
        (servers.BUSY_NUMBER, servers.TWILIO_TOKEN, False, "twilio_20429"),
        ("+12135550142", "wrong-token", False, "twilio_20003"),
    ],
)
def test_whatsapp_errors_are_mapped_as_sms_errors_are(
    settings: Settings,
    http: Http,
    twilio: HttpStandIn,
    to: str,
    token: str,
    permanent: bool,
    code: str,
) -> None:
    channel = WhatsAppChannel(whatsapp_settings(settings, twilio.url, token), http)
    with pytest.raises(SendError) as failed:
        send(channel, OutboundMessage(to=to, text=TEXT))
    assert failed.value.permanent is permanent and failed.value.code == code
    assert form_of(twilio.seen[0])["To"] == f"whatsapp:{to}"


def test_a_number_without_whatsapp_is_permanent_an_sms_only_code_is_not() -> None:
    no_account = TwilioRestException(400, "/Messages.json", "Channel could not find To", 63003)
    assert WhatsAppChannel.dead_codes >= SmsChannel.dead_codes
    assert classify(no_account, WhatsAppChannel.dead_codes).permanent is True
    assert classify(no_account).permanent is False  # by SMS the code means nothing


# --- E-mail -------------------------------------------------------------------------------


def smtp_settings(
    settings: Settings, port: int, ca: Path, password: str = servers.SMTP_PASSWORD
) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_username": servers.SMTP_USER,
            "smtp_password": SecretStr(password),
            "smtp_from": "alerts@vecinos.test",
            "smtp_ca_file": ca,
        }
    )


def test_email_uses_starttls_and_auth_on_a_real_smtp_server(
    settings: Settings, tmp_path: Path
) -> None:
    with servers.smtp_server(tmp_path) as (mailbox, port, ca):
        channel = EmailChannel(smtp_settings(settings, port, ca))
        message = OutboundMessage(
            to="resident@example.org",
            subject="Alerta confirmada",
            text=TEXT,
            language="es",
            idempotency_key="d-42",
            data={"unsubscribe_url": "https://vecinos.test/alerts/unsubscribe?token=su_x"},
        )
        result = send(channel, message)  # then the channel is closed
        assert open_connections_to(port) == 0  # closed for good, not left to the collector
    (envelope,) = mailbox.messages
    assert mailbox.logins == [servers.SMTP_USER.encode()]
    assert envelope.rcpt_tos == ["resident@example.org"]
    received = email.message_from_bytes(
        envelope.original_content or b"", policy=email.policy.default
    )
    assert (
        received["Subject"] == "Alerta confirmada" and received["Message-ID"] == result.provider_id
    )
    assert "d-42" in result.provider_id
    assert received["List-Unsubscribe"] == "<https://vecinos.test/alerts/unsubscribe?token=su_x>"
    assert received.get_content().strip() == TEXT


def test_a_refused_mailbox_is_permanent_a_refused_login_is_not(
    settings: Settings, tmp_path: Path
) -> None:
    with servers.smtp_server(tmp_path) as (mailbox, port, ca):
        with pytest.raises(SendError) as bounced:
            send(
                EmailChannel(smtp_settings(settings, port, ca)),
                OutboundMessage(to=servers.BOUNCE, text=TEXT),
            )
        # aiosmtpd stalls after a failed AUTH; a short time-out keeps the test quick.
        wrong = smtp_settings(settings, port, ca, password="wrong")
        wrong_login = EmailChannel(wrong.model_copy(update={"outbound_timeout_seconds": 1.0}))
        with pytest.raises(SendError) as refused:
            send(wrong_login, OutboundMessage(to="resident@example.org", text=TEXT))
    assert bounced.value.permanent is True and bounced.value.code == "smtp_recipient"
    assert refused.value.permanent is False
    assert mailbox.messages == []


def test_a_refused_login_closes_its_connection(settings: Settings, tmp_path: Path) -> None:
    """A session that never got past AUTH is not the pool's yet: the channel itself must close
    it, or its socket lingers until the garbage collector finds it."""
    with servers.smtp_server(tmp_path) as (_mailbox, port, ca):
        wrong = smtp_settings(settings, port, ca, password="wrong")
        channel = EmailChannel(wrong.model_copy(update={"outbound_timeout_seconds": 1.0}))
        with pytest.raises(SendError):
            send(channel, OutboundMessage(to="resident@example.org", text=TEXT))
        assert open_connections_to(port) == 0


def open_connections_to(port: int) -> int:
    """This process's TCP sockets whose far end is `port`, read from /proc: the sockets the
    process holds (its file descriptors) matched with the kernel's table of connections."""
    held = {
        link[len("socket:[") : -1]
        for fd in Path("/proc/self/fd").iterdir()
        if (link := _readlink(fd)).startswith("socket:[")
    }
    rows = Path("/proc/self/net/tcp").read_text().splitlines()[1:]
    far_ends = [(row.split()[2], row.split()[9]) for row in rows]  # rem_address, inode
    return sum(1 for remote, inode in far_ends if inode in held and int(remote[-4:], 16) == port)


def _readlink(fd: Path) -> str:
    try:
        return str(fd.readlink())
    except OSError:  # closed between listing and reading
        return ""


def test_email_refuses_a_server_whose_certificate_it_cannot_verify(
    settings: Settings, tmp_path: Path
) -> None:
    with servers.smtp_server(tmp_path) as (mailbox, port, _ca):
        unverified = smtp_settings(settings, port, _ca).model_copy(update={"smtp_ca_file": None})
        with pytest.raises(SendError) as failed:
            send(EmailChannel(unverified), OutboundMessage(to="resident@example.org", text=TEXT))
    assert failed.value.permanent is False and mailbox.messages == []


# --- Web Push -----------------------------------------------------------------------------


@pytest.fixture
def vapid_settings(settings: Settings) -> Settings:
    key = Vapid02()
    key.generate_keys()
    return settings.model_copy(
        update={
            "vapid_private_key": SecretStr(key.private_pem().decode()),
            "push_services": "127.0.0.1",  # the local push service stands in for the real ones
            "vapid_subject": "mailto:ops@vecinos.test",
        }
    )


def test_web_push_is_encrypted_to_the_subscription_and_vapid_signed(
    vapid_settings: Settings, http: Http, clock: FrozenClock
) -> None:
    inbox = PushInbox(now=clock.now)
    with HttpStandIn(inbox) as push_service:
        inbox.origin = push_service.url
        subscription = inbox.subscription(f"{push_service.url}/push/abc")
        message = OutboundMessage(
            to=json.dumps(subscription),
            subject="Alerta confirmada",
            text=TEXT,
            link="https://vecinos.test/rights/es",
            expires_at=clock.now() + timedelta(hours=2),
            data={"kind": "confirmed"},
        )
        result = send(PushChannel(vapid_settings, http, clock), message)
    assert inbox.problems == []
    assert inbox.received == [
        {
            "ttl": 7200,
            "title": "Alerta confirmada",
            "body": TEXT,
            "url": "https://vecinos.test/rights/es",
            "kind": "confirmed",
        }
    ]
    assert result.provider_id == f"{push_service.url}/messages/1"


def test_a_push_signed_with_another_key_is_refused_by_the_service(
    vapid_settings: Settings, http: Http, clock: FrozenClock
) -> None:
    inbox = PushInbox(now=clock.now)
    with HttpStandIn(inbox) as push_service:
        inbox.origin = "http://elsewhere.example"  # the token's audience no longer matches
        subscription = inbox.subscription(f"{push_service.url}/push/abc")
        with pytest.raises(SendError) as failed:
            send(
                PushChannel(vapid_settings, http, clock),
                OutboundMessage(to=json.dumps(subscription), text=TEXT),
            )
    assert inbox.received == [] and inbox.problems and failed.value.code == "http_401"


def test_an_expired_push_subscription_is_permanent(
    vapid_settings: Settings, http: Http, clock: FrozenClock
) -> None:
    inbox = PushInbox(now=clock.now)
    with HttpStandIn(inbox) as push_service:
        subscription = inbox.subscription(f"{push_service.url}/gone/abc")
        with pytest.raises(SendError) as failed:
            send(
                PushChannel(vapid_settings, http, clock),
                OutboundMessage(to=json.dumps(subscription), text=TEXT),
            )
    assert failed.value.permanent is True and failed.value.code == "gone"


# --- Webhook ------------------------------------------------------------------------------


def test_webhooks_are_signed_and_the_partner_can_verify_them(
    http: Http, clock: FrozenClock
) -> None:
    secret = "whsec_partner"
    verdicts: list[bool] = []

    def partner(seen: servers.Seen) -> servers.Reply:
        good = verify(
            secret,
            seen.body,
            seen.headers.get(TIMESTAMP_HEADER.lower()),
            seen.headers.get(SIGNATURE_HEADER.lower()),
            now=clock.now(),
        )
        verdicts.append(good)
        return json_reply(200 if good else 401, {"ok": good})

    with HttpStandIn(partner) as server:
        target = json.dumps({"url": f"{server.url}/hook", "secret": secret})
        message = OutboundMessage(
            to=target, text=TEXT, idempotency_key="d-7", data={"kind": "confirmed"}
        )
        send(WebhookChannel(http, clock), message)
        forged = json.dumps({"url": f"{server.url}/hook", "secret": "not-the-secret"})
        with pytest.raises(SendError) as refused:
            send(WebhookChannel(http, clock), OutboundMessage(to=forged, text=TEXT))
    assert verdicts == [True, False] and refused.value.code == "http_401"
    body = json.loads(server.seen[0].body)
    assert body == {"text": TEXT, "language": "en", "kind": "confirmed"}
    assert server.seen[0].headers["idempotency-key"] == "d-7"


def test_verify_refuses_stale_tampered_or_missing_signatures(clock: FrozenClock) -> None:
    from vecinos.alerts.channels.webhook import signature

    body, stamp = b'{"text": "hi"}', int(clock.now().timestamp())
    good = signature("s", stamp, body)
    assert verify("s", body, str(stamp), good, now=clock.now())
    assert not verify("s", body + b" ", str(stamp), good, now=clock.now())
    assert not verify("s", body, str(stamp), good, now=clock.now() + timedelta(minutes=6))
    assert not verify("s", body, None, good, now=clock.now())
    assert not verify("other", body, str(stamp), good, now=clock.now())


# --- Log and the registry -----------------------------------------------------------------


def test_the_log_channel_logs_the_text_but_never_the_contact(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="vecinos.alerts.log_channel"):
        result = send(
            LogChannel(), OutboundMessage(to="+12135550142", text=TEXT, idempotency_key="d-1")
        )
    assert result.provider_id == "log-d-1" and TEXT in caplog.text and "5550142" not in caplog.text


def test_only_configured_channels_are_built(
    settings: Settings, vapid_settings: Settings, clock: FrozenClock
) -> None:
    assert set(channels_for(settings, clock)) == {ChannelKind.LOG, ChannelKind.WEBHOOK}
    # An SMS number does not make a WhatsApp sender: each channel is configured on its own.
    sms_only = sms_settings(settings, "http://127.0.0.1:9")
    assert ChannelKind.WHATSAPP not in channels_for(sms_only, clock)
    full = whatsapp_settings(vapid_settings, "http://127.0.0.1:9").model_copy(
        update={"smtp_host": "127.0.0.1"}
    )
    assert set(channels_for(full, clock)) == set(ChannelKind)
