"""What coverage owes a person goes through the one outbox and the real delivery engine: the
reminders (the day before, an hour before, not checked in after the start), short-slot notices
and the volunteer broadcast; each exactly once, in the reader's language, contacts sealed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.servers import HttpStandIn, Mailbox
from tests.cast import Cast, Person
from tests.coverage.factories import (
    SCHOOL,
    leave_number,
    make_schedule,
    make_site,
    sign_up,
    slots_of,
)
from tests.coverage.sent import deliver, mails_to, queued, texts_to
from tests.dispatch.factories import add_responder, on_shift
from tests.geo.factories import BOYLE_HEIGHTS, EASTSIDE_WIDE, MARIACHI_PLAZA
from vecinos.alerts.outbox_models import DeliveryStatus
from vecinos.clock import FrozenClock
from vecinos.config import Settings
from vecinos.coverage.models import Slot
from vecinos.db import transaction
from vecinos.geo.zones import create_zone
from vecinos.worker.registry import load_jobs

ROSA_PHONE, ROSA_MAIL = "+12135550199", "rosa.reminders@example.org"
Clients = Callable[[Person], TestClient]
QUIET = {"languages": [], "wants_short_notices": False}


def run_reminders(sessions: sessionmaker[Session], settings: Settings, clock: FrozenClock) -> int:
    """The worker's registered job, run as the worker runs it: one transaction."""
    (job,) = [j for j in load_jobs() if j.name == "coverage.remind"]
    with transaction(sessions) as db:
        return job.run(db, clock.now(), settings)


def leave_contacts(
    client: TestClient, sms: tuple[str, str] | None, mail: tuple[str, str] | None
) -> None:
    for channel, given in (("sms", sms), ("email", mail)):
        if given is not None:
            body = {"contact": given[0], "language": given[1]}
            answer = client.put(f"/api/me/contacts/{channel}", json=body)
            assert answer.status_code == 204, answer.text


def school_watch_at_two(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, site: int | None = None
) -> Slot:
    """A two-person watch at the school, 14:00 on weekdays; the Monday slot (the clock stands
    on Monday at 10:00 in Los Angeles)."""
    site = site or make_site(sessions, cast, settings)
    schedule = make_schedule(sessions, cast, settings, site_id=site, start_time=time(14, 0))
    with transaction(sessions) as db:
        return slots_of(db, schedule)[0]


def at_local(slot: Slot, minutes: int) -> datetime:
    return slot.starts_at + timedelta(minutes=minutes)


def test_reminders_go_once_each_through_the_real_channels_in_the_members_languages(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    mailbox: tuple[Mailbox, int, Path],
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    slot = school_watch_at_two(sessions, cast, wired)
    signup_id = sign_up(sessions, cast, cast.rosa, slot.id)
    rosa = signed_in(cast.rosa)
    leave_contacts(rosa, ("(213) 555-0199", "es"), (ROSA_MAIL, "en"))
    # Short slots are the next test's; here only her own reminders.
    assert rosa.put("/api/me/coverage-preferences", json=QUIET).status_code == 204

    # Four hours ahead: "the day before" is due (24 to 1 hours before), once: one member
    # reached, by both channels she chose.
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert run_reminders(sessions, wired, cast.clock) == 0
    day = queued(db, "coverage.day")
    assert sorted(d.language for d in day) == ["en", "es"]
    for row in day:  # sealed on the row, not in clear
        assert row.contact_encrypted is not None and b"555" not in row.contact_encrypted
        assert row.message_encrypted is not None and b"School" not in row.message_encrypted
    assert deliver(sessions, wired, cast.clock) == 2
    assert deliver(sessions, wired, cast.clock) == 0
    (text,) = texts_to(twilio, ROSA_PHONE)
    assert "recordatorio, está de turno en School drop-off watch (Ninth Street School)" in text
    assert "el lunes 1 de junio a las 14:00" in text and f"/coverage#signup-{signup_id}" in text
    (mail,) = mails_to(mailbox[0], ROSA_MAIL)
    assert mail["Subject"] == "Your next shift"
    assert "you are on School drop-off watch (Ninth Street School) on Monday, June 1" in str(
        mail.get_content()
    )
    # Sent: the contact and the text are erased from the outbox.
    settled = {DeliveryStatus.SENT, DeliveryStatus.DELIVERED}
    for row in queued(db, "coverage.day"):
        assert row.status in settled
        assert (row.contact_encrypted, row.message_encrypted) == (None, None)

    cast.clock.set(at_local(slot, -50))
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert run_reminders(sessions, wired, cast.clock) == 0
    assert deliver(sessions, wired, cast.clock) == 2  # (one round each: lanes keep no order)
    cast.clock.set(at_local(slot, wired.coverage_late_minutes + 1))
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert run_reminders(sessions, wired, cast.clock) == 0
    assert deliver(sessions, wired, cast.clock) == 2
    _, hour_text, late_text = texts_to(twilio, ROSA_PHONE)
    assert "empieza a las 14:00, en una hora o menos" in hour_text
    assert "empezó a las 14:00 y usted no registró su entrada" in late_text
    subjects = [m["Subject"] for m in mails_to(mailbox[0], ROSA_MAIL)]
    assert subjects == ["Your next shift", "Your shift starts soon", "You have not checked in"]


def test_a_volunteer_who_checked_in_is_not_told_they_are_late(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    slot = school_watch_at_two(sessions, cast, wired)
    signup_id = sign_up(sessions, cast, cast.rosa, slot.id)
    rosa = signed_in(cast.rosa)
    leave_contacts(rosa, ("(213) 555-0199", "es"), None)
    assert rosa.put("/api/me/coverage-preferences", json=QUIET).status_code == 204
    assert run_reminders(sessions, wired, cast.clock) == 1  # the day before
    cast.clock.set(at_local(slot, -10))
    assert rosa.post(f"/api/signups/{signup_id}/check-in", json={}).status_code == 200
    # Already there: neither "an hour before" nor "late".
    assert run_reminders(sessions, wired, cast.clock) == 0
    cast.clock.set(at_local(slot, wired.coverage_late_minutes + 1))
    assert run_reminders(sessions, wired, cast.clock) == 0
    assert [d.purpose for d in queued(db, "coverage.day")] == ["coverage.day"]
    assert queued(db, "coverage.hour") == [] and queued(db, "coverage.late") == []


def test_a_place_handed_over_brings_its_reminders_to_the_new_holder_only(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
) -> None:
    slot = school_watch_at_two(sessions, cast, wired)
    signup_id = sign_up(sessions, cast, cast.rosa, slot.id)
    ana = add_responder(sessions, cast, "ana")
    rosa, ana_client = signed_in(cast.rosa), signed_in(ana)
    leave_contacts(rosa, ("(213) 555-0199", "es"), None)
    leave_contacts(ana_client, ("(213) 555-0177", "es"), None)
    for client in (rosa, ana_client):
        assert client.put("/api/me/coverage-preferences", json=QUIET).status_code == 204
    assert run_reminders(sessions, wired, cast.clock) == 1  # Rosa's "the day before"
    proposed = rosa.post(f"/api/signups/{signup_id}/swaps", json={"to_member_id": ana.member_id})
    assert proposed.status_code == 201, proposed.text
    accepted = ana_client.post(f"/api/swaps/{proposed.json()['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    # The place is Ana's now: she hears of it the day before too, once; Rosa not again.
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert run_reminders(sessions, wired, cast.clock) == 0
    assert deliver(sessions, wired, cast.clock) == 2  # Rosa's and Ana's
    cast.clock.set(at_local(slot, -50))
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert deliver(sessions, wired, cast.clock) == 1
    (rosa_day,) = texts_to(twilio, ROSA_PHONE)
    assert "recordatorio, está de turno" in rosa_day
    ana_day, ana_hour = texts_to(twilio, "+12135550177")
    assert "recordatorio, está de turno" in ana_day
    assert "empieza a las 14:00, en una hora o menos" in ana_hour


def test_a_short_slot_is_told_once_to_each_volunteer_who_could_fill_it(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    slot = school_watch_at_two(sessions, cast, wired)
    ana = add_responder(sessions, cast, "ana")
    leave_contacts(signed_in(ana), ("(213) 555-0177", "es"), None)
    rosa = signed_in(cast.rosa)
    leave_contacts(rosa, ("(213) 555-0199", "es"), None)
    assert rosa.put("/api/me/coverage-preferences", json=QUIET).status_code == 204

    # Only Monday's slot starts within the notice window; Ana hears of it, Rosa does not.
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert run_reminders(sessions, wired, cast.clock) == 0
    assert deliver(sessions, wired, cast.clock) == 1
    (text,) = texts_to(twilio, "+12135550177")
    assert "a School drop-off watch (Ninth Street School) del lunes 1 de junio" in text
    assert "le faltan 2 personas" in text and f"/coverage#slot-{slot.id}" in text
    assert texts_to(twilio, ROSA_PHONE) == []
    # A day later, Tuesday's slot is short in turn: a new notice, Monday's is not repeated.
    cast.clock.advance(days=1)
    assert run_reminders(sessions, wired, cast.clock) == 1
    assert len(queued(db, "coverage.short")) == 2


@pytest.mark.parametrize("sender", ["dario", "elena"])
def test_a_broadcast_reaches_the_volunteers_signed_up_for_the_site_now(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
    db: Session,
    sender: str,
) -> None:
    site_id = make_site(sessions, cast, wired)
    slot = school_watch_at_two(sessions, cast, wired, site_id)
    sign_up(sessions, cast, cast.rosa, slot.id)
    rosa = signed_in(cast.rosa)
    leave_contacts(rosa, ("(213) 555-0199", "es"), None)
    cast.clock.set(at_local(slot, -30))
    body = {"site_id": site_id, "text": "Radio 3 is down;   use channel 5."}
    url = f"/api/organizations/{cast.eastside}/broadcasts"
    assert rosa.post(url, json=body).status_code == 403  # volunteers do not broadcast
    sent = signed_in(getattr(cast, sender)).post(url, json=body)
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipients"] == 1
    assert deliver(sessions, wired, cast.clock) == 1
    (text,) = texts_to(twilio, ROSA_PHONE)
    assert text == "vecinos · Eastside Response: Radio 3 is down; use channel 5."
    # The audit log has who sent one, when, to which site and how many it reached; never the
    # text (what the coordinator wrote stays on the organization's own row).
    audit = signed_in(cast.elena).get(f"/api/organizations/{cast.eastside}/audit").json()
    (entry,) = [e for e in audit if e["action"] == "coverage.broadcast"]
    sender_id = getattr(cast, sender).member_id
    assert entry["actor_id"] == sender_id and entry["at"].startswith(
        cast.clock.now().date().isoformat()
    )
    assert entry["detail"] == {
        "broadcast_id": sent.json()["id"],
        "zone_id": None,
        "site_id": site_id,
        "recipients": 1,
    }
    assert "Radio" not in str(audit)


def test_a_broadcast_to_a_zone_reaches_those_on_shift_in_it_and_signed_up_for_it(
    sessions: sessionmaker[Session],
    wired: Settings,
    twilio: HttpStandIn,
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    with transaction(sessions) as tx:
        heights = create_zone(
            tx, cast.eastside, "Boyle Heights", BOYLE_HEIGHTS, now=cast.clock.now()
        )
        theirs = create_zone(
            tx, cast.westside, "Eastside Wide", EASTSIDE_WIDE, now=cast.clock.now()
        )
        zone_id, westside_zone = heights.id, theirs.id
    patrol = make_schedule(
        sessions, cast, wired, zone_id=zone_id, title="Boyle Heights patrol", start_time=time(14)
    )
    monday = slots_of(db, patrol)[0]
    bea = add_responder(sessions, cast, "bea")  # signed up for the zone, not checked in yet
    sign_up(sessions, cast, bea, monday.id)
    cast.clock.set(at_local(monday, -30))
    ana = add_responder(sessions, cast, "ana")  # on shift, but downtown, outside the zone
    cruz = add_responder(sessions, cast, "cruz", organization_id=cast.westside)
    on_shift(sessions, cast, cast.rosa, MARIACHI_PLAZA)
    on_shift(sessions, cast, ana, SCHOOL)
    on_shift(sessions, cast, cruz, MARIACHI_PLAZA, organization_id=cast.westside)
    phones = {"rosa": "+12135550199", "bea": "+12135550144", "ana": "+12135550177",
              "cruz": "+12135550133"}  # fmt: skip
    for name, phone in phones.items():
        leave_number(sessions, cast, wired, cast.people[name], phone)

    url = f"/api/organizations/{cast.eastside}/broadcasts"
    dario = signed_in(cast.dario)
    elsewhere = dario.post(url, json={"zone_id": westside_zone, "text": "hola"})
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (404, "zone_not_found")
    sent = dario.post(url, json={"zone_id": zone_id, "text": "Radio 3 is down; use channel 5."})
    assert sent.status_code == 201, sent.text
    assert sent.json()["recipients"] == 2
    assert deliver(sessions, wired, cast.clock) == 2
    said = "vecinos · Eastside Response: Radio 3 is down; use channel 5."
    assert texts_to(twilio, phones["rosa"]) == [said]
    assert texts_to(twilio, phones["bea"]) == [said]
    # Outside the zone, or on shift for another organization: not reached.
    assert texts_to(twilio, phones["ana"]) == texts_to(twilio, phones["cruz"]) == []
    audit = signed_in(cast.elena).get(f"/api/organizations/{cast.eastside}/audit").json()
    (entry,) = [e for e in audit if e["action"] == "coverage.broadcast"]
    assert entry["actor_id"] == cast.dario.member_id
    assert entry["detail"] == {
        "broadcast_id": sent.json()["id"],
        "zone_id": zone_id,
        "site_id": None,
        "recipients": 2,
    }


def test_a_broadcast_needs_a_zone_or_a_site_and_a_text(
    cast: Cast, signed_in: Clients, sessions: sessionmaker[Session], settings: Settings, db: Session
) -> None:
    site_id = make_site(sessions, cast, settings)
    url = f"/api/organizations/{cast.eastside}/broadcasts"
    dario = signed_in(cast.dario)
    both = dario.post(url, json={"site_id": site_id, "zone_id": 1, "text": "hola"})
    assert (both.status_code, both.json()["error"]["code"]) == (422, "zone_or_site")
    blank = dario.post(url, json={"site_id": site_id, "text": "   "})
    assert (blank.status_code, blank.json()["error"]["code"]) == (422, "invalid_message")
    other = dario.post(
        f"/api/organizations/{cast.westside}/broadcasts", json={"site_id": site_id, "text": "x"}
    )
    assert other.status_code == 403
    assert queued(db, "coverage.broadcast") == []
    audit = signed_in(cast.elena).get(f"/api/organizations/{cast.eastside}/audit").json()
    assert [e for e in audit if e["action"] == "coverage.broadcast"] == []  # nothing half-written


def test_workers_running_the_reminders_at_once_send_each_one_once(
    sessions: sessionmaker[Session],
    settings: Settings,
    cast: Cast,
    signed_in: Clients,
    db: Session,
) -> None:
    slot = school_watch_at_two(sessions, cast, settings)
    sign_up(sessions, cast, cast.rosa, slot.id)
    leave_contacts(signed_in(cast.rosa), ("(213) 555-0199", "es"), (ROSA_MAIL, "en"))
    ana = add_responder(sessions, cast, "ana")
    leave_contacts(signed_in(ana), ("(213) 555-0177", "es"), None)
    workers = 4
    start = threading.Barrier(workers)
    handled: list[int] = []

    def worker() -> None:
        start.wait()
        handled.append(run_reminders(sessions, settings, cast.clock))

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(handled) == 2 and len(handled) == workers  # Rosa's day before, Ana's short slot
    assert len(queued(db, "coverage.day")) == 2  # her two channels, once each
    assert len(queued(db, "coverage.short")) == 1
