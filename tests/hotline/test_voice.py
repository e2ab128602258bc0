"""The hotline by phone: signed Twilio webhooks in, TwiML (parsed) out, every branch walked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.cast import Cast
from tests.dispatch.factories import client_for
from tests.hotline.conftest import CALLER, SID, Webhook, follow, says, webhook_path
from tests.hotline.factories import on_hotline_shift
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.hotline import operators
from vecinos.hotline.call_models import CallStatus, HotlineCall, HotlineOperator
from vecinos.rights.audio import megaphone_script
from vecinos.rights.kit import load_kit

DARIO_PHONE = "+12135550111"
WANDA_PHONE = "+13105550122"


@pytest.fixture
def dario(app: FastAPI, cast: Cast) -> Iterator[TestClient]:
    with client_for(app, cast, cast.dario) as client:
        yield client


def call_row(db: Session) -> HotlineCall:
    db.rollback()
    return db.scalars(select(HotlineCall)).one()


def test_the_language_menu_then_the_menu_in_spanish(
    hook: Webhook, db: Session, settings: Settings
) -> None:
    code, twiml = hook("incoming")
    gather = twiml.find("Gather")
    assert code == 200 and gather is not None and gather.get("numDigits") == "1"
    assert webhook_path(gather.get("action")) == "/api/hotline/voice/language"
    lines = says(gather)
    assert lines[0] == ("es-MX", "Para español, oprima 1.")
    assert lines[1] == ("en-US", "For English, press 2.")
    assert len(lines) > 2  # the rights kit's other languages Twilio can speak
    row = call_row(db)
    assert row.caller_index and row.caller_encrypted and CALLER.encode() not in row.caller_encrypted
    _, menu = hook("language", Digits="1")
    assert says(menu)[0][0] == "es-MX" and says(menu)[0][1].startswith("Oprima 1 si algo está")
    assert call_row(db).language == "es"
    _, again = hook("language", Digits="9")  # not offered: the language menu again
    assert says(again)[0] == ("es-MX", "Para español, oprima 1.")


def test_rights_repeat_and_digits_nobody_offered(
    hook: Webhook, db: Session, settings: Settings
) -> None:
    hook("incoming")
    hook("language", Digits="2")
    _, rights = hook("menu", Digits="3")
    assert says(rights)[0] == ("en-US", megaphone_script(load_kit(settings), "en"))
    assert rights.find("Gather") is not None  # then the menu again
    _, wrong = hook("menu", Digits="7")
    assert says(wrong)[0] == ("en-US", "That key is not an option.")
    _, repeat = hook("menu", Digits="0")
    assert says(repeat)[0][1].startswith("Press 1 if something is happening now.")
    assert call_row(db).choice == "rights"


def add_operators(
    dario: TestClient, sessions: sessionmaker[Session], cast: Cast, settings: Settings
) -> int:
    assert dario.post("/api/hotline/operator/duty", json={"on_duty": True}).status_code == 409
    declared = dario.put("/api/hotline/operator", json={"phone": "(213) 555-0111"})
    assert declared.json() == {
        "has_phone": True,
        "on_duty": False,
        "duty_since": None,
        "on_shift": False,
    }
    assert dario.post("/api/hotline/operator/duty", json={"on_duty": True}).status_code == 200
    assert "555" not in dario.get("/api/hotline/operator").text
    with transaction(sessions) as db:
        operators.set_phone(db, cast.wanda.member_id, WANDA_PHONE, settings, now=cast.clock.now())
        operators.set_duty(db, cast.wanda.member_id, True, cast.clock.now())
        operators.set_phone(
            db, cast.elena.member_id, "+12135550133", settings, now=cast.clock.now()
        )  # declared, off duty
    on_hotline_shift(sessions, cast, settings, cast.dario)
    on_hotline_shift(sessions, cast, settings, cast.wanda, cast.westside)
    on_hotline_shift(sessions, cast, settings, cast.elena)  # on shift, but off hotline duty
    with transaction(sessions) as db:
        return db.scalars(
            select(HotlineOperator.id).where(HotlineOperator.member_id == cast.dario.member_id)
        ).one()


def test_happening_now_rings_every_operator_on_duty_and_the_first_key_takes_it(
    hook: Webhook,
    client: TestClient,
    dario: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
) -> None:
    dario_op = add_operators(dario, sessions, cast, settings)
    sealed = db.scalars(select(HotlineOperator.phone_encrypted)).all()
    assert all(DARIO_PHONE.encode() not in value for value in sealed)
    hook("incoming")
    hook("language", Digits="1")
    _, ring = hook("menu", Digits="1")
    assert says(ring)[0] == ("es-MX", "Estamos llamando a un voluntario. Por favor no cuelgue.")
    dial = ring.find("Dial")
    assert dial is not None and dial.get("timeout") == str(settings.hotline_ring_seconds)
    numbers = {n.text: n.get("url") for n in dial.iter("Number")}
    assert set(numbers) == {DARIO_PHONE, WANDA_PHONE}  # not the operator off duty
    assert call_row(db).status == CallStatus.RINGING
    whisper = follow(client, numbers[DARIO_PHONE])
    gather = whisper.find("Gather")
    assert gather is not None and whisper.find("Hangup") is not None  # no key: leg ends
    assert says(whisper) == [
        ("es-MX", "Línea de vecinos, llamada en español. Oprima 1 para tomarla.")
    ]
    assert follow(client, gather.get("action")).find("Hangup") is not None  # no key pressed
    taken = follow(client, gather.get("action"), Digits="1")
    assert list(taken) == []  # an empty answer: Twilio puts this operator through
    wanda_whisper = follow(client, numbers[WANDA_PHONE])
    wanda_gather = wanda_whisper.find("Gather")
    assert wanda_gather is None  # already taken: told so
    assert "Otro voluntario" in says(wanda_whisper)[0][1]
    row = call_row(db)
    assert (row.status, row.answered_by_id) == (CallStatus.ANSWERED, cast.dario.member_id)
    assert dario_op > 0
    _, after = hook(f"dialed?call={row.id}", DialCallStatus="completed")
    assert after.find("Hangup") is not None and after.find("Record") is None


def test_nobody_answers_so_the_caller_leaves_a_message(
    hook: Webhook,
    dario: TestClient,
    db: Session,
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
) -> None:
    add_operators(dario, sessions, cast, settings)
    hook("incoming")
    hook("language", Digits="2")
    hook("menu", Digits="1")
    call_id = call_row(db).id
    _, message = hook(f"dialed?call={call_id}", DialCallStatus="no-answer")
    assert [line for _, line in says(message)][:1] == ["Nobody could answer right now."]
    record = message.find("Record")
    assert record is not None and record.get("maxLength") == str(settings.hotline_message_seconds)
    assert webhook_path(record.get("action")) == f"/api/hotline/voice/recorded?call={call_id}"
    _, thanks = hook(
        f"recorded?call={call_id}", RecordingSid="RE" + "c" * 32, RecordingDuration="34"
    )
    assert says(thanks)[0][1].startswith("Thank you.")
    row = call_row(db)
    assert (row.status, row.recording_seconds, row.choice) == (CallStatus.MESSAGE, 34, "now")


def test_menu_two_records_and_with_nobody_on_duty_one_goes_straight_to_a_message(
    hook: Webhook, db: Session
) -> None:
    hook("incoming")
    hook("language", Digits="1")
    _, now = hook("menu", Digits="1")
    assert now.find("Dial") is None and now.find("Record") is not None
    assert says(now)[0] == ("es-MX", "Nadie pudo contestar en este momento.")
    hook("incoming", sid="CA" + "d" * 32)
    hook("language", sid="CA" + "d" * 32, Digits="1")
    _, message = hook("menu", sid="CA" + "d" * 32, Digits="2")
    assert message.find("Record") is not None and says(message)[0][1].startswith("Después del tono")
    _, silent = hook(
        f"recorded?call={call_row_by(db, 'CA' + 'd' * 32)}",
        sid="CA" + "d" * 32,
        RecordingDuration="0",
    )
    assert says(silent)[0][1] == "No escuchamos ningún mensaje. Adiós."


def call_row_by(db: Session, sid: str) -> int:
    db.rollback()
    return db.scalars(select(HotlineCall.id).where(HotlineCall.call_sid == sid)).one()


def test_bad_requests_get_clear_errors(
    client: TestClient, hook: Webhook, clock: FrozenClock
) -> None:
    form = {"CallSid": SID, "From": CALLER}
    assert client.post("/api/hotline/voice/incoming", data=form).status_code == 403
    code, error = hook("incoming", sid="nonsense")
    assert (code, error.get("code")) == (422, "call_sid_missing")
    code, error = hook("menu", sid="CA" + "e" * 32, Digits="1")
    assert (code, error.get("code")) == (404, "call_not_found")
    hook("incoming")
    clock.advance(hours=5)  # a replay long after the call
    code, error = hook("menu", Digits="1")
    assert (code, error.get("code")) == (404, "call_not_found")


def test_a_withheld_number_is_served_but_kept_as_nothing(hook: Webhook, db: Session) -> None:
    code, twiml = hook("incoming", sender="anonymous")
    assert code == 200 and twiml.find("Gather") is not None
    row = call_row(db)
    assert row.caller_index is None and row.caller_encrypted is None


def test_a_coordinator_bans_a_caller_from_the_call_log(
    app: FastAPI, hook: Webhook, db: Session, cast: Cast, dario: TestClient
) -> None:
    hook("incoming")
    hook("incoming", sender="anonymous", sid="CA" + "f" * 32)
    log = dario.get("/api/hotline/calls")
    assert log.status_code == 200 and CALLER[2:] not in log.text
    first, withheld = sorted(log.json(), key=lambda c: c["id"])
    assert (first["withheld"], first["banned"], withheld["withheld"]) == (False, False, True)
    assert dario.post(f"/api/hotline/calls/{first['id']}/ban").status_code == 403  # dispatcher
    with client_for(app, cast, cast.elena) as elena:
        assert elena.post(f"/api/hotline/calls/{first['id']}/ban").status_code == 204
        refused = elena.post(f"/api/hotline/calls/{withheld['id']}/ban")
        assert refused.json()["error"]["code"] == "caller_withheld"
    _, goodbye = hook("incoming", sid="CA" + "9" * 32)
    assert says(goodbye)[0][1] == "Esta línea no puede tomar su llamada. Adiós."
    assert goodbye.find("Gather") is None
    assert dario.get("/api/hotline/calls").json()[-1]["banned"] is True


def test_one_number_calling_too_often_is_told_to_wait(hook: Webhook, settings: Settings) -> None:
    for n in range(settings.hotline_calls_per_caller_per_hour):
        _, menu = hook("incoming", sid=f"CA{n:032d}")
        assert menu.find("Gather") is not None
    _, refused = hook("incoming", sid="CA" + "7" * 32)
    assert says(refused)[0][1].startswith("Ha llamado muchas veces")
    _, other = hook("incoming", sender="+13235550188", sid="CA" + "8" * 32)
    assert other.find("Gather") is not None
