"""Accompaniment to a hearing or an immigration check-in, asked by a resident or by staff on
their behalf, offered like an assignment to qualified volunteers, purged after the date.

Minimum data: the kind, when, a named public place (a court is a landmark of the gazetteer),
a language, and a way to confirm (sealed). Nobody is asked their immigration status and there
is no field for it. Only the organization's dispatchers and the volunteers who accepted see a
request; a volunteer who is only offered it sees what deciding needs (kind, when, where,
language), never the contact.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, literal, select, update
from sqlalchemy.orm import Session

from vecinos import keyring
from vecinos.accounts.models import Role, RoleGrant
from vecinos.alerts import contacts as checked
from vecinos.alerts.models import ChannelKind
from vecinos.config import Settings
from vecinos.coverage import messages
from vecinos.coverage.models import (
    Accompaniment,
    AccompanimentKind,
    AccompanimentOffer,
    AccompanimentState,
    MemberPreferences,
)
from vecinos.db import UTCDateTime
from vecinos.db.claims import rowcount
from vecinos.dispatch.models import OfferState
from vecinos.errors import Conflict, Gone, InvalidInput, NotFound
from vecinos.geo.gazetteer import NamedPlace, resolve_place
from vecinos.geo.models import Landmark, Zone
from vecinos.i18n import N_, is_language
from vecinos.identity import Principal
from vecinos.keyring import Vault
from vecinos.shapes import contains, prepared_area
from vecinos.training.qualification import ACCOMPANIMENT, qualified_clause, refuse_unless_qualified

NOTE_MAX = 500
MAX_DAYS_AHEAD = 180
MAX_NEEDED = 3
PURPOSE = "accompaniment"
# A purge hour's key outlives it this long: a purge running late in the hour has committed.
PURGE_GRACE = timedelta(minutes=15)


@dataclass(frozen=True)
class Ask:
    kind: AccompanimentKind
    at: datetime
    place_kind: str
    place_key: str
    language: str
    channel: str
    contact: str
    note: str | None = None
    needed: int = 1


def _check_time(at: datetime, now: datetime) -> None:
    if at.tzinfo is None:
        raise InvalidInput(N_("Give the time with its time zone."), code="naive_time")
    if at <= now:
        raise InvalidInput(N_("The date and time are in the past."), code="accompaniment_in_past")
    if at > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(
            N_("We plan accompaniment up to {days} days ahead."),
            params={"days": MAX_DAYS_AHEAD},
            code="accompaniment_too_far",
        )


def _place(db: Session, ask: Ask, settings: Settings) -> NamedPlace:
    place = resolve_place(db, ask.place_kind, ask.place_key)
    if not contains(prepared_area(settings.service_area_geojson), place.lon, place.lat):
        raise InvalidInput(
            N_("This place is outside the area this network serves."),
            code="outside_service_area",
        )
    return place


def serving_organization(db: Session, place: NamedPlace) -> int:
    """The organization of the landmark, or of the zone holding the place."""
    if place.kind == "landmark":
        owner = db.scalar(select(Landmark.organization_id).where(Landmark.id == int(place.key)))
        if owner is not None:
            return owner
    if place.zone_id is not None:
        owner = db.scalar(select(Zone.organization_id).where(Zone.id == place.zone_id))
        if owner is not None:
            return owner
    raise InvalidInput(
        N_("No organization of the network covers this place yet."), code="no_organization_here"
    )


def request(
    db: Session,
    ask: Ask,
    *,
    organization_id: int | None,
    requested_by: int | None,
    now: datetime,
    settings: Settings,
    sealer: Vault,
) -> Accompaniment:
    """Every check first, then one row and its offers, in the caller's transaction."""
    _check_time(ask.at, now)
    if not is_language(ask.language.replace("-", "_")):
        raise InvalidInput(
            N_("Unknown language '{language}'."), params={"language": ask.language},
            code="unknown_language",
        )  # fmt: skip
    if not 1 <= ask.needed <= MAX_NEEDED:
        raise InvalidInput(
            N_("Ask for 1 to {max} companions."), params={"max": MAX_NEEDED},
            code="invalid_headcount",
        )  # fmt: skip
    if ask.channel not in (ChannelKind.SMS.value, ChannelKind.EMAIL.value):
        raise InvalidInput(N_("We confirm by text message or e-mail."), code="unknown_channel")
    contact = checked.phone(ask.contact) if ask.channel == "sms" else checked.email(ask.contact)
    place = _place(db, ask, settings)
    organization = organization_id or serving_organization(db, place)
    note = (ask.note or "").strip()[:NOTE_MAX] or None
    purge_at = ask.at + timedelta(hours=settings.accompaniment_retention_hours)
    row = Accompaniment(
        organization_id=organization,
        kind=ask.kind,
        at=ask.at,
        place_name=place.name,
        lat=place.lat,
        lon=place.lon,
        language=ask.language.lower(),
        needed=ask.needed,
        accepted=0,
        state=AccompanimentState.OPEN,
        channel=ask.channel,
        contact_encrypted=sealer.seal(contact.value, until=purge_at),
        note_encrypted=sealer.seal(note, until=purge_at) if note else None,
        requested_by_id=requested_by,
        created_at=now,
        purge_at=purge_at,
    )
    db.add(row)
    db.flush()
    offers = offer_to_qualified(db, row, now=now)
    _tell_of_request(db, row, [o.member_id for o in offers], now=now, settings=settings,
                     opener=sealer)  # fmt: skip
    return row


def _tell_of_request(
    db: Session,
    row: Accompaniment,
    offered: Sequence[int],
    *,
    now: datetime,
    settings: Settings,
    opener: Vault,
) -> None:
    """The requester hears that the request arrived; each volunteer offered it, that it waits."""
    received = messages.about_request(row, messages.RECEIVED, settings)
    messages.tell_requester(db, row, received, opener=opener, now=now, settings=settings)
    offer = messages.about_request(row, messages.OFFERED, settings)
    messages.tell_members(
        db, offered, offer, purpose="coverage.offer", now=now, settings=settings,
        expires_at=row.at,
    )  # fmt: skip


def qualified_volunteers(db: Session, row: Accompaniment) -> list[int]:
    """Responders of the organization vetted and trained for accompaniment on the day, those
    who speak the language first (everyone qualified when nobody does)."""
    at = row.at
    members = list(
        db.scalars(
            select(RoleGrant.member_id)
            .where(
                RoleGrant.organization_id == row.organization_id,
                RoleGrant.role == Role.RESPONDER.value,
                qualified_clause(
                    RoleGrant.member_id,
                    RoleGrant.organization_id,
                    ACCOMPANIMENT,
                    literal(at, UTCDateTime()),
                ),
            )
            .order_by(RoleGrant.member_id)
        )
    )
    speakers = {
        p.member_id
        for p in db.scalars(
            select(MemberPreferences).where(MemberPreferences.member_id.in_(members))
        )
        if row.language.split("-")[0] in p.languages
    }
    return [m for m in members if m in speakers] or members


def offer_to_qualified(
    db: Session, row: Accompaniment, *, now: datetime
) -> list[AccompanimentOffer]:
    asked = set(
        db.scalars(
            select(AccompanimentOffer.member_id).where(
                AccompanimentOffer.accompaniment_id == row.id
            )
        )
    )
    made = [
        AccompanimentOffer(
            accompaniment_id=row.id, member_id=m, state=OfferState.OFFERED.value, offered_at=now
        )
        for m in qualified_volunteers(db, row)
        if m not in asked
    ]
    db.add_all(made)
    db.flush()
    return made


def my_offers(
    db: Session, member_id: int, now: datetime
) -> Sequence[tuple[AccompanimentOffer, Accompaniment]]:
    rows = db.execute(
        select(AccompanimentOffer, Accompaniment)
        .join(Accompaniment, Accompaniment.id == AccompanimentOffer.accompaniment_id)
        .where(
            AccompanimentOffer.member_id == member_id,
            AccompanimentOffer.state.in_([OfferState.OFFERED.value, OfferState.ACCEPTED.value]),
            Accompaniment.at > now - timedelta(hours=12),
        )
        .order_by(Accompaniment.at)
    )
    return list(rows)


def _my_offer(db: Session, member_id: int, offer_id: int) -> AccompanimentOffer:
    offer = db.get(AccompanimentOffer, offer_id)
    if offer is None or offer.member_id != member_id:
        raise NotFound(N_("No such offer."), code="offer_not_found")
    return offer


def _withdrawn() -> Conflict:
    return Conflict(
        N_("This offer was withdrawn; someone else has it or it was called off."),
        code="offer_withdrawn",
    )


def accept(
    db: Session,
    member_id: int,
    offer_id: int,
    *,
    now: datetime,
    settings: Settings,
    opener: Vault,
) -> Accompaniment:
    """Take one place; the acceptance that fills the last one confirms to the requester (once:
    only one transaction's conditional UPDATE reaches the headcount)."""
    offer = _my_offer(db, member_id, offer_id)
    row = db.get(Accompaniment, offer.accompaniment_id)
    assert row is not None
    if offer.state == OfferState.WITHDRAWN.value:
        raise _withdrawn()
    if offer.state != OfferState.OFFERED.value:
        raise Conflict(N_("You already answered this offer."), code="offer_already_answered")
    if row.at <= now:
        raise Gone(N_("This offer has expired."), code="offer_expired")
    refuse_unless_qualified(db, member_id, row.organization_id, ACCOMPANIMENT, row.at)
    taken = rowcount(
        db,
        update(Accompaniment)
        .where(
            Accompaniment.id == row.id,
            Accompaniment.state == AccompanimentState.OPEN.value,
            Accompaniment.accepted < Accompaniment.needed,
        )
        .values(accepted=Accompaniment.accepted + 1)
        .execution_options(synchronize_session=False),
    )
    if taken != 1:
        raise _withdrawn()
    offer.state, offer.answered_at = OfferState.ACCEPTED.value, now
    db.flush()
    db.refresh(row)
    if row.accepted >= row.needed:
        row.state = AccompanimentState.STAFFED
        db.execute(
            update(AccompanimentOffer)
            .where(
                AccompanimentOffer.accompaniment_id == row.id,
                AccompanimentOffer.state == OfferState.OFFERED.value,
            )
            .values(state=OfferState.WITHDRAWN.value, answered_at=now)
            .execution_options(synchronize_session=False)
        )
        confirmed = messages.about_request(row, messages.CONFIRMED, settings)
        messages.tell_requester(db, row, confirmed, opener=opener, now=now, settings=settings)
    return row


def decline(db: Session, member_id: int, offer_id: int, *, now: datetime) -> AccompanimentOffer:
    offer = _my_offer(db, member_id, offer_id)
    if offer.state != OfferState.OFFERED.value:
        raise Conflict(N_("You already answered this offer."), code="offer_already_answered")
    offer.state, offer.answered_at = OfferState.DECLINED.value, now
    return offer


def visible(db: Session, principal: Principal, accompaniment_id: int) -> Accompaniment:
    """The organization's dispatchers and the volunteers who accepted; anyone else: not found."""
    row = db.get(Accompaniment, accompaniment_id)
    if row is None:
        raise NotFound(N_("No such request."), code="accompaniment_not_found")
    if principal.has_role(row.organization_id, Role.DISPATCHER):
        return row
    accepted = db.scalar(
        select(AccompanimentOffer.id).where(
            AccompanimentOffer.accompaniment_id == row.id,
            AccompanimentOffer.member_id == principal.member_id,
            AccompanimentOffer.state == OfferState.ACCEPTED.value,
        )
    )
    if accepted is None:
        raise NotFound(N_("No such request."), code="accompaniment_not_found")
    return row


def of_organization(db: Session, organization_id: int) -> Sequence[Accompaniment]:
    query = select(Accompaniment).where(Accompaniment.organization_id == organization_id)
    return db.scalars(query.order_by(Accompaniment.at)).all()


def cancel(db: Session, row: Accompaniment, *, now: datetime) -> Accompaniment:
    row.state = AccompanimentState.CANCELLED
    db.execute(
        update(AccompanimentOffer)
        .where(
            AccompanimentOffer.accompaniment_id == row.id,
            AccompanimentOffer.state.in_([OfferState.OFFERED.value, OfferState.ACCEPTED.value]),
        )
        .values(state=OfferState.WITHDRAWN.value, answered_at=now)
        .execution_options(synchronize_session=False)
    )
    return row


def purge(db: Session, now: datetime, settings: Settings) -> int:
    """Worker job: requests past their date plus the retention window, contact and all; then
    the keys of purge hours that are over (after this transaction commits), so no copy of a
    deleted row's contact opens any more."""
    result = db.execute(delete(Accompaniment).where(Accompaniment.purge_at <= now))
    vault = keyring.accompaniments(settings)
    keyring.destroy_after_commit(db, vault, vault.ended(now, PURGE_GRACE))
    return int(getattr(result, "rowcount", 0) or 0)
