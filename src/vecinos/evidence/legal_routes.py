"""Legal support's routes: the signed export of an incident, legal holds; and coordinators'
retention policies."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, status
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from vecinos.accounts import audit
from vecinos.accounts.models import Role
from vecinos.evidence import access, holds, retention
from vecinos.evidence.bundle import write_bundle
from vecinos.evidence.credentials import configured
from vecinos.evidence.models import RetentionPolicy
from vecinos.evidence.schemas import HoldIn, HoldOut, RetentionIn, RetentionOut
from vecinos.evidence.signing import signing_key
from vecinos.evidence.storage import storage_for
from vecinos.identity import Principal
from vecinos.web.deps import ClockDep, DbDep, LanguageDep, PathId, SettingsDep
from vecinos.web.policy import AnyOrgRole, Coordinator

router = APIRouter(tags=["evidence"])
Legal = Annotated[Principal, Depends(AnyOrgRole(Role.LEGAL))]


@router.get("/api/incidents/{incident_id}/export")
def export_bundle(
    incident_id: PathId, caller: Legal, db: DbDep, clock: ClockDep, settings: SettingsDep,
    language: LanguageDep,
) -> FileResponse:  # fmt: skip
    """The signed bundle (zip): incident, timeline, findings with observer reports, media
    originals, RFC 3161 time-stamps, a readable report.pdf (in the caller's language), manifest."""
    incident = access.for_legal(db, caller, incident_id)
    now = clock.now()
    folder = settings.data_dir / "evidence-exports"
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".zip", delete=False) as out:
        path = Path(out.name)
    try:
        manifest = write_bundle(
            db, storage_for(settings), signing_key(settings), incident, path, now=now,
            language=language, credentials=configured(settings),
        )  # fmt: skip
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    audit.record(
        db, "evidence.exported", at=now, actor_id=caller.member_id,
        organization_id=incident.organization_id, incident_id=incident.id,
        files=len(manifest["files"]), key_id=manifest["key_id"],
    )  # fmt: skip
    return FileResponse(
        path,
        media_type="application/zip",
        filename=f"incident-{incident.id}-evidence.zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.put("/api/incidents/{incident_id}/hold")
def place_hold(
    incident_id: PathId, body: HoldIn, caller: Legal, db: DbDep, clock: ClockDep
) -> HoldOut:
    incident = access.for_legal(db, caller, incident_id)
    assert incident.organization_id is not None  # for_legal refuses incidents nobody owns
    hold = holds.place(
        db, incident.id, incident.organization_id, body.reason, actor_id=caller.member_id,
        now=clock.now(),
    )  # fmt: skip
    return HoldOut(incident_id=hold.incident_id, placed_at=hold.placed_at, reason=hold.reason)


@router.delete("/api/incidents/{incident_id}/hold", status_code=status.HTTP_204_NO_CONTENT)
def release_hold(incident_id: PathId, caller: Legal, db: DbDep, clock: ClockDep) -> None:
    incident = access.for_legal(db, caller, incident_id)
    assert incident.organization_id is not None
    holds.release(
        db, incident.id, incident.organization_id, actor_id=caller.member_id, now=clock.now()
    )


@router.get("/api/organizations/{org_id}/retention")
def get_retention(org_id: PathId, caller: Coordinator, db: DbDep) -> RetentionOut:
    policy = db.get(RetentionPolicy, org_id)
    if policy is None:
        return RetentionOut(organization_id=org_id)
    return RetentionOut(
        organization_id=org_id, media_days=policy.media_days, incident_days=policy.incident_days
    )


@router.put("/api/organizations/{org_id}/retention")
def put_retention(
    org_id: PathId, body: RetentionIn, caller: Coordinator, db: DbDep, clock: ClockDep
) -> RetentionOut:
    """Delete media, and settled incidents, this many days old; null keeps them."""
    now = clock.now()
    retention.set_policy(
        db, org_id, media_days=body.media_days, incident_days=body.incident_days, now=now
    )
    audit.record(
        db, "evidence.retention_set", at=now, actor_id=caller.member_id, organization_id=org_id,
        media_days=body.media_days, incident_days=body.incident_days,
    )  # fmt: skip
    return RetentionOut(organization_id=org_id, **body.model_dump())
