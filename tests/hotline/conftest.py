"""Texts to our number as Twilio posts them, signed with Twilio's own RequestValidator."""

from __future__ import annotations

from collections.abc import Callable
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker
from twilio.request_validator import RequestValidator

from tests.cast import Cast
from tests.geo.factories import add_gazetteer
from vecinos.config import Settings

TOKEN = "twilio-hotline-test-token"
SMS_PATH = "/api/alerts/sms/inbound"
NUMBER = "+12135550142"
PUBLIC_URL = "https://vecinos.test"

Texter = Callable[..., str]
Webhook = Callable[..., tuple[int, Element]]
CALLER = "+13235550177"
SID = "CA" + "a" * 32


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"twilio_auth_token": SecretStr(TOKEN)})


@pytest.fixture
def places(sessions: sessionmaker[Session], cast: Cast, settings: Settings) -> dict[str, int]:
    return add_gazetteer(sessions, cast, settings)


def signed_post(client: TestClient, path: str, form: dict[str, str], token: str = TOKEN) -> str:
    """POST `form` as Twilio would (signed over our public URL and the fields); the body."""
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, form)
    answer = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    return answer.text


def reply_of(twiml: str) -> str:
    """The one <Message> of a TwiML answer, or "" when it has none."""
    root = ElementTree.fromstring(twiml)  # noqa: S314 - our own TwiML
    assert root.tag == "Response"
    messages = root.findall("Message")
    assert len(messages) <= 1
    return (messages[0].text or "") if messages else ""


@pytest.fixture
def text(client: TestClient) -> Texter:
    def send(body: str, sender: str = NUMBER) -> str:
        form = {"From": sender, "To": "+12135550100", "Body": body, "MessageSid": "SM" + "2" * 32}
        return reply_of(signed_post(client, SMS_PATH, form))

    return send


@pytest.fixture
def hook(client: TestClient) -> Webhook:
    """POST a signed voice webhook; its status and parsed TwiML (or the error body)."""

    def post(step: str, sender: str = CALLER, sid: str = SID, **fields: str) -> tuple[int, Element]:
        path = f"/api/hotline/voice/{step}"
        form = {"CallSid": sid, "From": sender, "To": "+12135550100", **fields}
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + path, form)
        answer = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
        if answer.status_code != 200:
            return answer.status_code, Element("error", code=answer.json()["error"]["code"])
        return 200, ElementTree.fromstring(answer.text)  # noqa: S314 - our own TwiML

    return post


def says(element: Element) -> list[tuple[str, str]]:
    return [(say.get("language", ""), say.text or "") for say in element.iter("Say")]


def webhook_path(url: str | None) -> str:
    assert url is not None and url.startswith(PUBLIC_URL)
    return url[len(PUBLIC_URL) :]


def follow(client: TestClient, url: str | None, **fields: str) -> Element:
    """Post to a URL the TwiML gave (a whisper, an accept), signed over it, query and all."""
    path = webhook_path(url)
    form = {"CallSid": "CA" + "b" * 32, **fields}
    signature = RequestValidator(TOKEN).compute_signature(PUBLIC_URL + path, form)
    answer = client.post(path, data=form, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200, answer.text
    return ElementTree.fromstring(answer.text)  # noqa: S314 - our own TwiML
