"""Accompaniment: asked, offered to qualified volunteers, seen only by whom it concerns, and
deleted after the date plus the retention window."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.alerts.servers import HttpStandIn
from tests.cast import Cast, Person
from tests.coverage.factories import make_site
from tests.coverage.sent import deliver, texts_to
from tests.dispatch.factories import add_responder, client_for
from tests.training.factories import qualify
from vecinos import keyring
from vecinos.alerts.outbox_models import Delivery
from vecinos.config import Settings
from vecinos.coverage import accompaniment
from vecinos.coverage.models import (
    Accompaniment,
    AccompanimentKind,
    AccompanimentOffer,
    Site,
    SiteKind,
)
from vecinos.db import transaction
from vecinos.errors import AppError, InvalidInput
from vecinos.training.models import Duty

COURT = (34.0537, -118.2427)


@pytest.fixture
def court(sessions: sessionmaker[Session], cast: Cast, settings: Settings) -> int:
    site_id = make_site(
        sessions, cast, settings, "County Courthouse", kind=SiteKind.COURT, at=COURT
    )
    with transaction(sessions) as db:
        site = db.get(Site, site_id)
        assert site is not None
        return site.landmark_id


def body(landmark_id: int, cast: Cast, **changes: object) -> dict[str, object]:
    when = cast.clock.now() + timedelta(days=3)
    return {
        "kind": "hearing",
        "at": when.isoformat(),
        "place": {"kind": "landmark", "key": str(landmark_id)},
        "language": "es",
        "channel": "sms",
        "contact": "+1 213 555 0142",
        **changes,
    }


def count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(Accompaniment)) or 0


@pytest.fixture
def dario(app: FastAPI, cast: Cast) -> TestClient:
    return client_for(app, cast, cast.dario)


def test_staff_ask_on_someones_behalf_and_qualified_volunteers_are_offered_it(
    dario: TestClient,
    app: FastAPI,
    sessions: sessionmaker[Session],
    cast: Cast,
    court: int,
    db: Session,
) -> None:
    qualify(sessions, cast, cast.rosa, Duty.ACCOMPANIMENT)
    untrained = add_responder(sessions, cast, "ana")
    made = dario.post(f"/api/organizations/{cast.eastside}/accompaniments", json=body(court, cast))
    assert made.status_code == 201, made.text
    offered = [o.member_id for o in db.scalars(select(AccompanimentOffer))]
    assert offered == [cast.rosa.member_id]
    # The offered volunteer sees when and where, not the contact, until they accept.
    rosa = client_for(app, cast, cast.rosa)
    offers = rosa.get("/api/me/accompaniment-offers").json()
    assert [o["accompaniment"]["place"] for o in offers] == ["County Courthouse"]
    assert "contact" not in offers[0]["accompaniment"]
    request_id = made.json()["id"]
    assert rosa.get(f"/api/accompaniments/{request_id}").status_code == 404
    accepted = rosa.post(f"/api/accompaniment-offers/{offers[0]['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["contact"] == "+12135550142"
    assert rosa.get(f"/api/accompaniments/{request_id}").json()["state"] == "staffed"
    # Anyone else: as if it did not exist.
    ana = client_for(app, cast, untrained)
    assert ana.get(f"/api/accompaniments/{request_id}").status_code == 404
    elena = client_for(app, cast, cast.elena)
    assert elena.get(f"/api/accompaniments/{request_id}").status_code == 404
    wanda = client_for(app, cast, cast.wanda)  # another organization's coordinator
    assert wanda.get(f"/api/accompaniments/{request_id}").status_code == 404
    # Its organization's dispatchers see it, with the contact to reach the resident.
    seen = dario.get(f"/api/accompaniments/{request_id}")
    assert seen.status_code == 200 and seen.json()["contact"] == "+12135550142"
    for client in (rosa, ana, elena, wanda):
        client.close()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"at": "2026-05-01T10:00:00+00:00"}, "accompaniment_in_past"),
        ({"contact": "not a phone"}, "invalid_phone"),
        ({"language": "zz-qq"}, "unknown_language"),
        ({"channel": "fax"}, "unknown_channel"),
    ],
)
def test_bad_requests_are_refused_and_write_nothing(
    dario: TestClient,
    cast: Cast,
    court: int,
    db: Session,
    changes: dict[str, object],
    code: str,
) -> None:
    refused = dario.post(
        f"/api/organizations/{cast.eastside}/accompaniments", json=body(court, cast, **changes)
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == code
    assert count(db) == 0


def test_a_place_outside_the_service_area_is_refused(
    sessions: sessionmaker[Session], cast: Cast, settings: Settings, db: Session
) -> None:
    far = settings.model_copy(
        update={
            "service_area_geojson": '{"type": "Polygon", "coordinates": [[[-117.0, 33.0],'
            " [-116.9, 33.0], [-116.9, 33.1], [-117.0, 33.1], [-117.0, 33.0]]]}"
        }
    )
    site_id = make_site(
        sessions, cast, settings, "County Courthouse", kind=SiteKind.COURT, at=COURT
    )
    with transaction(sessions) as tx:
        landmark = tx.get(Site, site_id)
        assert landmark is not None
        ask = accompaniment.Ask(
            kind=AccompanimentKind.HEARING,
            at=cast.clock.now() + timedelta(days=1),
            place_kind="landmark",
            place_key=str(landmark.landmark_id),
            language="es",
            channel="email",
            contact="someone@example.org",
        )
        with pytest.raises(InvalidInput) as refused:
            accompaniment.request(
                tx, ask, organization_id=None, requested_by=None, now=cast.clock.now(),
                settings=far, sealer=keyring.accompaniments(settings),
            )  # fmt: skip
    assert refused.value.code == "outside_service_area"
    assert count(db) == 0


def test_requests_are_deleted_after_the_date_plus_the_retention_window(
    dario: TestClient,
    sessions: sessionmaker[Session],
    cast: Cast,
    settings: Settings,
    court: int,
    db: Session,
) -> None:
    assert (
        dario.post(
            f"/api/organizations/{cast.eastside}/accompaniments", json=body(court, cast)
        ).status_code
        == 201
    )
    (row,) = db.scalars(select(Accompaniment))
    vault = keyring.accompaniments(settings)
    copy = bytes(row.contact_encrypted)  # what a dead row, the log or a backup would keep
    key_id = vault.key_id_of(copy)
    assert key_id == vault.key_id_for(row.purge_at) and key_id in vault.key_ids()
    assert vault.open(copy) == "+12135550142"
    cast.clock.advance(days=3, hours=settings.accompaniment_retention_hours - 1)
    with transaction(sessions) as tx:
        assert accompaniment.purge(tx, cast.clock.now(), settings) == 0
    assert count(db) == 1 and key_id in vault.key_ids()
    cast.clock.advance(hours=1)
    with transaction(sessions) as tx:
        assert accompaniment.purge(tx, cast.clock.now(), settings) == 1
    assert count(db) == 0
    assert db.scalar(select(func.count()).select_from(AccompanimentOffer)) == 0
    # Its purge hour is over: the key goes too, and no copy of the contact opens any more.
    cast.clock.advance(hours=1, minutes=16)
    with transaction(sessions) as tx:
        assert accompaniment.purge(tx, cast.clock.now(), settings) == 0
    assert key_id not in vault.key_ids()
    with pytest.raises(keyring.KeyDestroyed):
        vault.open(copy)


def test_the_requester_hears_it_arrived_and_once_that_it_is_confirmed(
    dario: TestClient,
    app: FastAPI,
    sessions: sessionmaker[Session],
    cast: Cast,
    court: int,
    wired: Settings,
    twilio: HttpStandIn,
) -> None:
    qualify(sessions, cast, cast.rosa, Duty.ACCOMPANIMENT)
    rosa = client_for(app, cast, cast.rosa)
    mine = {"contact": "(213) 555-0199", "language": "es"}
    assert rosa.put("/api/me/contacts/sms", json=mine).status_code == 204
    made = dario.post(f"/api/organizations/{cast.eastside}/accompaniments", json=body(court, cast))
    assert made.status_code == 201, made.text
    assert deliver(sessions, wired, cast.clock) == 2
    (received,) = texts_to(twilio, "+12135550142")
    assert "recibimos su pedido de acompañamiento para el jueves 4 de junio a las 10:00" in received
    assert "County Courthouse" in received
    (offer,) = texts_to(twilio, "+12135550199")
    assert "¿puede acompañar a alguien (una audiencia en la corte)" in offer
    assert "en español?" in offer

    (offered,) = rosa.get("/api/me/accompaniment-offers").json()
    assert rosa.post(f"/api/accompaniment-offers/{offered['id']}/accept").status_code == 200
    again = rosa.post(f"/api/accompaniment-offers/{offered['id']}/accept")
    assert again.status_code == 409
    assert deliver(sessions, wired, cast.clock) == 1
    assert deliver(sessions, wired, cast.clock) == 0
    _, confirmed = texts_to(twilio, "+12135550142")
    assert "un voluntario le acompañará el jueves 4 de junio a las 10:00" in confirmed
    rosa.close()


def test_two_volunteers_accepting_the_last_place_at_once_exactly_one_wins(
    dario: TestClient,
    app: FastAPI,
    sessions: sessionmaker[Session],
    cast: Cast,
    court: int,
    settings: Settings,
    db: Session,
) -> None:
    racers = [cast.rosa, add_responder(sessions, cast, "marisol")]
    for person in racers:
        qualify(sessions, cast, person, Duty.ACCOMPANIMENT)
    made = dario.post(f"/api/organizations/{cast.eastside}/accompaniments", json=body(court, cast))
    assert made.status_code == 201, made.text
    offers = {o.member_id: o.id for o in db.scalars(select(AccompanimentOffer))}
    assert sorted(offers) == sorted(p.member_id for p in racers)
    opener = keyring.accompaniments(settings)
    start = threading.Barrier(len(racers))
    outcomes: dict[str, str] = {}

    def race(person: Person) -> None:
        start.wait()
        try:
            with transaction(sessions) as tx:
                accompaniment.accept(
                    tx, person.member_id, offers[person.member_id],
                    now=cast.clock.now(), settings=settings, opener=opener,
                )  # fmt: skip
            outcomes[person.email] = "accepted"
        except AppError as error:
            outcomes[person.email] = error.code

    threads = [threading.Thread(target=race, args=(p,)) for p in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes.values()) == ["accepted", "offer_withdrawn"]
    db.expire_all()
    (row,) = db.scalars(select(Accompaniment))
    assert (row.accepted, row.state) == (1, "staffed")
    states = {o.member_id: o.state for o in db.scalars(select(AccompanimentOffer))}
    assert sorted(states.values()) == ["accepted", "withdrawn"]
    # The requester is told once that it is confirmed (after the "received" message).
    purposes = db.scalars(select(Delivery.purpose).where(Delivery.alert_id.is_(None))).all()
    assert purposes.count("coverage.accompaniment") == 2
    # The one who lost sees, in her language, why, if she tries again.
    (loser,) = [p for p in racers if outcomes[p.email] != "accepted"]
    again = client_for(app, cast, loser).post(
        f"/api/accompaniment-offers/{offers[loser.member_id]}/accept",
        headers={"Accept-Language": "es"},
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "offer_withdrawn"
    assert "fue retirada" in again.json()["error"]["message"]
