"""The phone simulator's signer signs the hotline's webhooks for staff in the demo, and
nothing else: it is no general signing oracle."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from twilio.request_validator import RequestValidator

from tests.cast import Cast
from tests.dispatch.factories import client_for
from tests.hotline.conftest import PUBLIC_URL, TOKEN
from vecinos.app.factory import create_app
from vecinos.clock import FrozenClock
from vecinos.config import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"demo_inbox": True})


@pytest.fixture
def app(settings: Settings, engine: Engine, clock: FrozenClock) -> FastAPI:
    return create_app(settings, engine=engine, clock=clock, allow_placeholder_secret=True)


def test_staff_get_the_providers_signature_for_hotline_webhooks_only(
    app: FastAPI, cast: Cast
) -> None:
    form = {"CallSid": "CA" + "1" * 32, "Digits": "1"}
    with client_for(app, cast, cast.rosa) as rosa:
        signed = rosa.post(
            "/demo/phone/sign", json={"path": "/api/hotline/voice/menu", "form": form}
        )
        expected = RequestValidator(TOKEN).compute_signature(
            f"{PUBLIC_URL}/api/hotline/voice/menu", form
        )
        assert signed.status_code == 200 and signed.json() == {"signature": expected}
        for path in (
            "/api/alerts/subscriptions",
            "/api/hotline/voice/../../alerts/x",
            "/api/hotline/voicemail",
        ):
            refused = rosa.post("/demo/phone/sign", json={"path": path, "form": form})
            assert refused.status_code == 403, path
            assert "signature" not in refused.text


def test_the_signer_is_for_signed_in_staff(client: TestClient) -> None:
    answer = client.post(
        "/demo/phone/sign",
        json={"path": "/api/hotline/voice/menu", "form": {}},
        follow_redirects=False,
    )
    assert answer.status_code in (303, 401, 403) and "signature" not in answer.text
