"""Follow-up cases: open from an incident, read, update, close; purge when their time is up.

Every function takes a session and does not commit. Every read is audited here, next to the
read itself, so no route can forget it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.cases.models import CaseStatus, FollowUpCase
from vecinos.cases.partners import Directory
from vecinos.cases.private import Private, seal, unseal
from vecinos.cases.schemas import CaseIn, CaseOut, CaseUpdate
from vecinos.crypto import Encryptor
from vecinos.errors import Forbidden, InvalidInput, NotFound
from vecinos.geo.gazetteer import public_place
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.incidents.models import Incident

PRIVATE_FIELDS = ("name", "family_contact", "next_steps", "notes")


def _clean(text: str | None) -> str | None:
    return (text or "").strip() or None


def _incident_of(db: Session, organization_id: int, incident_id: int) -> Incident:
    incident = db.get(Incident, incident_id)
    if incident is None:
        raise NotFound(N_("No such incident."), code="incident_not_found")
    if incident.organization_id != organization_id:
        raise Forbidden(
            N_(
                "This incident is not one of your organization's;"
                " only its own legal support opens cases on it."
            ),
            code="incident_of_another_organization",
        )
    return incident


def _check_choices(
    directory: Directory, facility_key: str | None, referral_key: str | None
) -> None:
    if facility_key is not None and facility_key not in directory.facilities:
        raise InvalidInput(
            N_("Unknown facility; pick one from the list or write its name."),
            code="unknown_facility",
        )
    if referral_key is not None and referral_key not in directory.partners:
        raise InvalidInput(
            N_("Unknown referral; pick one of the coalition's partners."), code="unknown_partner"
        )


def place_of(db: Session, incident: Incident) -> str:
    """Where the arrest happened, for the lawyer: the cross streets, else the gazetteer's
    name for the place, with the exact position."""
    named = (
        incident.cross_streets
        or public_place(
            db, incident.lat, incident.lon, organization_id=incident.organization_id
        ).label()
    )
    position = f"{incident.lat:.5f}, {incident.lon:.5f}"
    return f"{named} ({position})" if named else position


def open_case(
    db: Session,
    principal: Principal,
    organization_id: int,
    body: CaseIn,
    *,
    directory: Directory,
    sealer: Encryptor,
    now: datetime,
) -> FollowUpCase:
    incident = _incident_of(db, organization_id, body.incident_id)
    _check_choices(directory, body.facility_key, body.referral_key)
    name = _clean(body.name)
    if name is None:
        raise InvalidInput(N_("Say how the person wishes to be named."), code="name_required")
    private = Private(
        name, _clean(body.family_contact), _clean(body.next_steps), _clean(body.notes)
    )
    case = FollowUpCase(
        organization_id=organization_id,
        incident_id=incident.id,
        arrested_at=body.arrested_at or incident.opened_at,
        place=place_of(db, incident),
        private_ciphertext=seal(private, sealer),
        facility_key=body.facility_key,
        facility_other=_clean(body.facility_other),
        referral_key=body.referral_key,
        status=CaseStatus.OPEN,
        opened_by_id=principal.member_id,
        opened_at=now,
        updated_at=now,
    )
    db.add(case)
    db.flush()
    audit.record(
        db, "cases.opened", at=now, actor_id=principal.member_id,
        organization_id=organization_id, case_id=case.id, incident_id=incident.id,
    )  # fmt: skip
    return case


def _find(db: Session, organization_id: int, case_id: int) -> FollowUpCase:
    case = db.get(FollowUpCase, case_id)
    if case is None or case.organization_id != organization_id:
        raise NotFound(N_("No such case."), code="case_not_found")
    return case


def read_case(
    db: Session, principal: Principal, organization_id: int, case_id: int, *, now: datetime,
    why: str = "viewed",
) -> FollowUpCase:  # fmt: skip
    """One case, and an audit record of who read it."""
    case = _find(db, organization_id, case_id)
    audit.record(
        db, f"cases.{why}", at=now, actor_id=principal.member_id,
        organization_id=organization_id, case_id=case.id,
    )  # fmt: skip
    return case


def list_cases(
    db: Session, principal: Principal, organization_id: int, *, now: datetime
) -> Sequence[FollowUpCase]:
    query = select(FollowUpCase).where(FollowUpCase.organization_id == organization_id)
    cases = db.scalars(query.order_by(FollowUpCase.opened_at.desc(), FollowUpCase.id.desc())).all()
    audit.record(
        db, "cases.listed", at=now, actor_id=principal.member_id,
        organization_id=organization_id, case_ids=[c.id for c in cases],
    )  # fmt: skip
    return cases


def update_case(
    db: Session,
    principal: Principal,
    organization_id: int,
    case_id: int,
    body: CaseUpdate,
    *,
    directory: Directory,
    sealer: Encryptor,
    retention_days: int,
    now: datetime,
) -> FollowUpCase:
    case = _find(db, organization_id, case_id)
    given = body.model_fields_set
    facility = body.facility_key if "facility_key" in given else case.facility_key
    referral = body.referral_key if "referral_key" in given else case.referral_key
    _check_choices(directory, facility, referral)
    if "name" in given and _clean(body.name) is None:
        raise InvalidInput(N_("Say how the person wishes to be named."), code="name_required")
    if given & set(PRIVATE_FIELDS):
        case.private_ciphertext = seal(
            _changed(unseal(case.private_ciphertext, sealer), body, given), sealer
        )

    case.facility_key, case.referral_key = facility, referral
    if "facility_other" in given:
        case.facility_other = _clean(body.facility_other)
    if body.status is not None:
        _set_status(case, body.status, retention_days=retention_days, now=now)
    case.updated_at = now
    audit.record(
        db, "cases.updated", at=now, actor_id=principal.member_id,
        organization_id=organization_id, case_id=case.id, fields=sorted(given),
    )  # fmt: skip
    return case


def _changed(private: Private, body: CaseUpdate, given: set[str]) -> Private:
    def pick(field: str, current: str | None) -> str | None:
        return _clean(getattr(body, field)) if field in given else current

    return Private(
        name=pick("name", private.name) or private.name,
        family_contact=pick("family_contact", private.family_contact),
        next_steps=pick("next_steps", private.next_steps),
        notes=pick("notes", private.notes),
    )


def _set_status(
    case: FollowUpCase, status: CaseStatus, *, retention_days: int, now: datetime
) -> None:
    """Closing starts the retention clock; reopening stops it."""
    if status is CaseStatus.CLOSED and case.status != CaseStatus.CLOSED:
        case.closed_at, case.purge_at = now, now + timedelta(days=retention_days)
    elif status is not CaseStatus.CLOSED:
        case.closed_at = case.purge_at = None
    case.status = status


def as_out(case: FollowUpCase, directory: Directory, sealer: Encryptor) -> CaseOut:
    private = unseal(case.private_ciphertext, sealer)
    facility = directory.facilities.get(case.facility_key or "")
    referral = directory.partners.get(case.referral_key or "")
    return CaseOut(
        id=case.id,
        organization_id=case.organization_id,
        incident_id=case.incident_id,
        name=private.name,
        family_contact=private.family_contact,
        arrested_at=case.arrested_at,
        place=case.place,
        facility_key=case.facility_key,
        facility=facility.name if facility else case.facility_other,
        referral_key=case.referral_key,
        referral=referral.name if referral else None,
        status=CaseStatus(case.status),
        next_steps=private.next_steps,
        notes=private.notes,
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
        purge_at=case.purge_at,
    )
