"""Real local servers that speak the providers' wire formats, on 127.0.0.1.

- `HttpStandIn`: a threaded HTTP server; each test gives it a responder function.
- `twilio_responder`: Twilio's Messages REST resource (Basic auth, form body, JSON answers
  and Twilio's error JSON), SMS and WhatsApp alike, enough for the official client.
- `PushInbox`: a Web Push endpoint holding a browser's keys; it checks the VAPID token's
  ES256 signature and decrypts the aes128gcm payload with the subscription's private key.
- `smtp_server`: aiosmtpd with STARTTLS on a self-signed certificate and AUTH required.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import http_ece
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Reply = tuple[int, dict[str, str], bytes]
Responder = Callable[[Seen], Reply]


class HttpStandIn:
    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.seen: list[Seen] = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self._answer()

            def do_GET(self) -> None:
                self._answer()

            def do_DELETE(self) -> None:
                self._answer()

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                seen = Seen(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                stand_in.seen.append(seen)
                status, headers, body = stand_in.responder(seen)
                self.send_response(status)
                for name, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpStandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def json_reply(status: int, data: dict[str, Any], **headers: str) -> Reply:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(data).encode()


# --- Twilio -------------------------------------------------------------------------------

TWILIO_SID = "AC" + "7" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
DEAD_NUMBER = "+12135550111"  # the stand-in answers 21211 (invalid 'To') for it
BUSY_NUMBER = "+12135550122"  # … and 429 (too many requests) for this one
WHATSAPP = "whatsapp:"  # Twilio's prefix of a WhatsApp address


def twilio_error(status: int, code: int, message: str) -> Reply:
    return json_reply(
        status,
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
    )


def twilio_responder(seen: Seen) -> Reply:
    if seen.path != f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json" or seen.method != "POST":
        return twilio_error(404, 20404, "The requested resource was not found")
    expected = base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
    if seen.headers.get("authorization") != f"Basic {expected}":
        return twilio_error(401, 20003, "Authenticate")
    form = {k: v[0] for k, v in parse_qs(seen.body.decode()).items()}
    # One resource for SMS and WhatsApp: `whatsapp:` on both addresses, or on neither.
    if form["To"].startswith(WHATSAPP) != form["From"].startswith(WHATSAPP):
        return twilio_error(
            400, 21910, "Invalid From and To pair. From and To should be of the same channel"
        )
    number = form["To"].removeprefix(WHATSAPP)
    if number == DEAD_NUMBER:
        return twilio_error(
            400, 21211, f"The 'To' number {form['To']} is not a valid phone number."
        )
    if number == BUSY_NUMBER:
        return twilio_error(429, 20429, "Too Many Requests")
    sid = "SM" + os.urandom(16).hex()
    return json_reply(
        201,
        {
            "sid": sid,
            "account_sid": TWILIO_SID,
            "to": form["To"],
            "from": form["From"],
            "body": form.get("Body", ""),  # a template's text is Twilio's to fill in
            "status": "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": "Mon, 01 Jun 2026 17:00:00 +0000",
            "uri": f"/2010-04-01/Accounts/{TWILIO_SID}/Messages/{sid}.json",
        },
    )


# --- Web Push -----------------------------------------------------------------------------


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class PushInbox:
    """A browser's push subscription and the push service that holds messages for it."""

    now: Callable[[], dt.datetime]
    key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))
    received: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    origin: str = ""

    def subscription(self, endpoint: str) -> dict[str, Any]:
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}

    def __call__(self, seen: Seen) -> Reply:
        if seen.path.startswith("/gone/"):
            return 410, {}, b"subscription expired"
        problem = self.check_vapid(seen.headers.get("authorization", ""))
        if seen.headers.get("content-encoding") != "aes128gcm" or "ttl" not in seen.headers:
            problem = problem or "missing Content-Encoding or TTL"
        if problem:
            self.problems.append(problem)
            return 401, {}, problem.encode()
        plain = http_ece.decrypt(
            seen.body, private_key=self.key, auth_secret=self.auth, version="aes128gcm"
        )
        self.received.append({"ttl": int(seen.headers["ttl"]), **json.loads(plain)})
        return 201, {"Location": f"{self.origin}/messages/{len(self.received)}"}, b""

    def check_vapid(self, authorization: str) -> str | None:
        """RFC 8292: `vapid t=<JWT>, k=<public key>`; ES256 over header.payload."""
        if not authorization.startswith("vapid "):
            return "no VAPID authorization"
        fields = dict(part.strip().split("=", 1) for part in authorization[6:].split(","))
        header, claims, signature = fields["t"].split(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad VAPID signature"
        body = json.loads(unb64url(claims))
        if body.get("aud") != self.origin or body.get("exp", 0) <= self.now().timestamp():
            return f"bad VAPID claims {body}"
        return None


@contextmanager
def push_service_for(now: Callable[[], dt.datetime]) -> Iterator[tuple[PushInbox, HttpStandIn]]:
    """A browser's push subscription and the push service holding its messages, running."""
    inbox = PushInbox(now=now)
    with HttpStandIn(inbox) as service:
        inbox.origin = service.url
        yield inbox, service


# --- SMTP ---------------------------------------------------------------------------------

SMTP_USER = "vecinos"
SMTP_PASSWORD = "smtp-test-password"
BOUNCE = "bounce@example.org"  # the server refuses this mailbox with 550


def self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp.pem", folder / "smtp.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Envelope] = []
        self.logins: list[bytes] = []

    async def handle_RCPT(
        self,
        server: SMTPServer,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if address == BOUNCE:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def smtp_server(folder: Path) -> Iterator[tuple[Mailbox, int, Path]]:
    cert_file, key_file = self_signed(folder)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    mailbox = Mailbox()

    def authenticate(
        server: SMTPServer, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        good = isinstance(data, LoginPassword) and (data.login, data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if good:
            mailbox.logins.append(data.login)
        return AuthResult(success=good)

    port = free_port()
    controller = Controller(
        mailbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    try:
        yield mailbox, port, cert_file
    finally:
        controller.stop()
