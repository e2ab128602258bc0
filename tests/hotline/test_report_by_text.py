"""REPORTE / REPORT by text: the whole conversation, its bad answers, expiry, and the status
line the sender gets once volunteers settle the incident."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.hotline.conftest import NUMBER, SMS_PATH, TOKEN, Texter
from vecinos.alerts import contacts, outbox
from vecinos.alerts.outbox_models import Delivery
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.db import transaction
from vecinos.hotline import conversation, followup
from vecinos.hotline.models import TextConversation, TextFollowUp
from vecinos.incidents import service
from vecinos.incidents.models import Incident, IncidentState
from vecinos.reports import sources
from vecinos.reports.models import LocationKind, Report, Source
from vecinos.vocabulary import Activity


def count(db: Session, model: type[object]) -> int:
    db.rollback()
    return int(db.scalar(select(func.count()).select_from(model)) or 0)


def test_a_whole_conversation_in_spanish_files_an_sms_report(
    text: Texter, db: Session, settings: Settings, clock: FrozenClock, places: dict[str, int]
) -> None:
    assert "1 agentes a pie" in text("REPORTE")
    assert "¿Dónde?" in text("2")
    assert count(db, Report) == 0  # nothing on the board half-way
    assert "¿Cuándo?" in text("boyle heights")
    receipt = text("1")
    report = db.scalars(select(Report)).one()
    assert f"reporte {report.id} recibido" in receipt and "NO está verificado" in receipt
    assert report.source == Source.SMS
    assert report.activity == Activity.VEHICLES_STAGED
    assert report.location_kind == LocationKind.ZONE and report.zone_id == places["heights"]
    assert report.source_hash == sources.source_hash(settings, NUMBER, clock.now())
    assert report.description is None and report.contact_ciphertext is None
    assert count(db, TextConversation) == 0
    sealed = db.scalars(select(TextFollowUp.contact_encrypted)).one()
    assert NUMBER.encode() not in sealed


def test_the_same_phone_is_one_source_all_day(
    text: Texter, db: Session, places: dict[str, int]
) -> None:
    for place in ("boyle heights", "mariachi plaza"):
        text("REPORT")
        text("1")
        text(place)
        assert "report" in text("1")
    hashes = set(db.scalars(select(Report.source_hash)))
    assert len(hashes) == 1 and count(db, Report) == 2


def test_bad_answers_are_asked_again_and_lose_nothing(
    text: Texter, db: Session, places: dict[str, int]
) -> None:
    text("REPORT")
    assert text("9") == "Please reply with a number from 1 to 6."
    assert text("agents") == "Please reply with a number from 1 to 6."
    assert text("1").startswith("Where?")
    assert text("Nowhere Springs Gulch").startswith("We do not know that place")
    assert text("x" * 101).startswith("That is too long")
    choices = text("los angeles")  # a landmark and the city's ZIP codes
    assert choices.startswith("Which one? 1 El Mercado de Los Ángeles, 2 ")
    assert text("4") == "Please reply with a number from 1 to 3."
    assert text("1").startswith("When?")
    assert text("0") == "Please reply with a number from 1 to 3."
    assert "received" in text("3")
    report = db.scalars(select(Report)).one()
    assert report.activity == Activity.AGENTS_ON_FOOT
    assert report.location_kind == LocationKind.LANDMARK


def test_an_expired_conversation_is_dropped_and_says_so(
    text: Texter,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    places: dict[str, int],
) -> None:
    text("REPORTE")
    text("1")
    clock.advance(minutes=settings.text_conversation_minutes)
    late = text("boyle heights")
    assert "no se terminó a tiempo" in late and "REPORTE" in late
    assert count(db, TextConversation) == 0 and count(db, Report) == 0
    assert "no hay un reporte en curso" in text("1")
    # Left alone, the worker's sweep deletes it instead.
    text("REPORT")
    clock.advance(minutes=settings.text_conversation_minutes + 1)
    with transaction(sessions) as session:
        assert conversation.purge_expired(session, clock.now(), settings) == 1
    assert count(db, TextConversation) == 0 and count(db, Report) == 0


def test_a_text_that_is_no_keyword_and_no_answer_gets_no_reply(text: Texter) -> None:
    assert text("hello there") == ""


def test_a_forged_report_starts_nothing(client: TestClient, db: Session) -> None:
    form = {"From": NUMBER, "Body": "REPORT"}
    assert client.post(SMS_PATH, data=form).status_code == 403
    forged = client.post(SMS_PATH, data=form, headers={"X-Twilio-Signature": TOKEN})
    assert forged.status_code == 403
    assert count(db, TextConversation) == 0


def settle(sessions: sessionmaker[Session], clock: FrozenClock, *states: IncidentState) -> None:
    with transaction(sessions) as session:
        incident = session.scalars(select(Incident)).one()
        for state in states:
            service.transition(session, incident, state, actor_id=None, now=clock.now())


def run_followups(sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> int:
    with transaction(sessions) as session:
        return followup.send_due(session, clock.now(), settings)


def test_the_texter_hears_once_that_volunteers_confirmed_it(
    text: Texter,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    places: dict[str, int],
) -> None:
    for answer in ("REPORTE", "1", "boyle heights", "1"):
        text(answer)
    report_id = db.scalars(select(Report.id)).one()
    assert run_followups(sessions, clock, settings) == 0  # not settled yet
    settle(sessions, clock, IncidentState.VERIFYING)
    assert run_followups(sessions, clock, settings) == 0
    settle(sessions, clock, IncidentState.CONFIRMED)
    assert run_followups(sessions, clock, settings) == 1
    assert run_followups(sessions, clock, settings) == 0  # once
    db.rollback()
    delivery = db.scalars(select(Delivery).where(Delivery.purpose == "status")).one()
    assert delivery.contact_encrypted is not None
    assert contacts.opened(delivery.contact_encrypted, settings) == NUMBER
    assert delivery.message_encrypted is not None
    line = outbox.open_message(delivery.message_encrypted, settings).text
    assert line == f"vecinos: reporte {report_id} revisado: voluntarios lo confirmaron."
    assert count(db, TextFollowUp) == 0


def test_an_unfounded_report_gets_found_nothing_and_an_unsettled_one_is_purged(
    text: Texter,
    db: Session,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: FrozenClock,
    places: dict[str, int],
) -> None:
    for answer in ("REPORT", "2", "mariachi plaza", "2"):
        text(answer)
    settle(sessions, clock, IncidentState.VERIFYING, IncidentState.UNFOUNDED)
    assert run_followups(sessions, clock, settings) == 1
    db.rollback()
    sealed = db.scalars(select(Delivery.message_encrypted)).one()
    assert sealed is not None
    assert "volunteers found nothing there" in outbox.open_message(sealed, settings).text
    for answer in ("REPORT", "3", "boyle heights", "1"):
        text(answer)
    clock.advance(hours=settings.contact_retention_hours)
    assert run_followups(sessions, clock, settings) == 1  # the purge, nothing queued
    assert count(db, TextFollowUp) == 0 and count(db, Delivery) == 1


def test_a_whatsapp_address_has_its_own_conversation(
    text: Texter, db: Session, settings: Settings, clock: FrozenClock, places: dict[str, int]
) -> None:
    text("REPORT", sender=f"whatsapp:{NUMBER}")
    assert "no hay un reporte en curso" in text("1")  # the same number by SMS is another sender
    assert text("1", sender=f"whatsapp:{NUMBER}").startswith("Where?")
    text("boyle heights", sender=f"whatsapp:{NUMBER}")
    receipt = text("1", sender=f"whatsapp:{NUMBER}")
    assert "received" in receipt
    report = db.scalars(select(Report)).one()
    assert report.source_hash == sources.source_hash(settings, NUMBER, clock.now())
    # No WhatsApp sender is configured here: no status line can follow, so none is promised
    # and the number is not kept (tests/hotline/test_whatsapp.py has the configured case).
    assert "text you" not in receipt
    assert count(db, TextFollowUp) == 0
