"""A call becomes a report: a voicemail waits on the board until a dispatcher writes it up;
an operator who took a call writes its prefilled report; nothing is written up twice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.cast import Cast
from tests.dispatch.factories import client_for
from tests.hotline.conftest import SID, Webhook
from vecinos.hotline.call_models import HotlineCall
from vecinos.reports.models import Report, Source

BOYLE_HEIGHTS = {"lat": 34.0469, "lon": -118.2195}


@pytest.fixture
def dario(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    with client_for(app, cast, cast.dario) as client:
        yield client


def leave_message(hook: Webhook, db: Session, sid: str = SID, seconds: str = "12") -> int:
    hook("incoming", sid=sid)
    hook("language", sid=sid, Digits="1")
    hook("menu", sid=sid, Digits="2")
    db.rollback()
    call_id = db.scalars(select(HotlineCall.id).where(HotlineCall.call_sid == sid)).one()
    hook(
        f"recorded?call={call_id}", sid=sid, RecordingSid="RE" + "7" * 32, RecordingDuration=seconds
    )
    return call_id


def report_of(key: str) -> dict[str, object]:
    return {
        "activity": "checkpoint",
        "location": BOYLE_HEIGHTS,
        "idempotency_key": key,
    }


def test_a_voicemail_waits_on_the_board_until_it_is_written_up(
    hook: Webhook, dario: TestClient, db: Session, cast: Cast
) -> None:
    call_id = leave_message(hook, db)
    lane = dario.get("/dispatch/voicemail", headers={"Accept-Language": "es"})
    assert lane.status_code == 200
    assert f"Llamada L-{call_id}" in lane.text and "español" in lane.text
    assert f'href="/dispatch/hotline/calls/{call_id}"' in lane.text
    page = dario.get(f"/dispatch/hotline/calls/{call_id}", headers={"Accept-Language": "es"})
    assert page.status_code == 200
    assert f"Llamada L-{call_id}" in page.text and "Idioma: español" in page.text
    assert 'id="caller_phone"' not in page.text  # the call knows its caller: nobody types one

    written = dario.post(f"/api/hotline/calls/{call_id}/report", json=report_of("call-key-1"))
    assert written.status_code == 201, written.text
    answer = written.json()
    assert answer["call_reference"] == f"L-{call_id}"
    db.rollback()
    report = db.get(Report, answer["report_id"])
    assert report is not None and report.source == Source.HOTLINE
    assert report.entered_by_id == cast.dario.member_id
    assert report.observed_at == cast.clock.now()  # the call's time, as the form prefills it
    assert db.get(HotlineCall, call_id).report_id == report.id  # type: ignore[union-attr]
    lane = dario.get("/dispatch/voicemail", headers={"Accept-Language": "es"})
    assert f"L-{call_id}" not in lane.text and "Ningún mensaje de voz en espera." in lane.text
    log = {call["id"]: call for call in dario.get("/api/hotline/calls").json()}
    assert log[call_id]["report_id"] == report.id

    retried = dario.post(f"/api/hotline/calls/{call_id}/report", json=report_of("call-key-1"))
    assert (retried.status_code, retried.json()["report_id"]) == (200, report.id)
    second = dario.post(f"/api/hotline/calls/{call_id}/report", json=report_of("call-key-2"))
    assert (second.status_code, second.json()["error"]["code"]) == (409, "call_already_reported")
    db.rollback()
    assert db.scalars(select(Report)).all() == [report]  # nothing written twice


def test_bad_write_ups_lose_nothing(hook: Webhook, dario: TestClient, db: Session) -> None:
    call_id = leave_message(hook, db)
    missing = dario.post("/api/hotline/calls/999999/report", json=report_of("call-key-3"))
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "call_not_found")
    nowhere = dario.post(
        f"/api/hotline/calls/{call_id}/report",
        json={"activity": "checkpoint", "location": {}, "idempotency_key": "call-key-4"},
    )
    assert nowhere.status_code == 422
    db.rollback()
    assert db.get(HotlineCall, call_id).report_id is None  # type: ignore[union-attr]
    lane = dario.get("/dispatch/voicemail", headers={"Accept-Language": "es"})
    assert f"L-{call_id}" in lane.text  # still waiting on the board
    assert dario.get("/dispatch/hotline/calls/999999").status_code == 404
