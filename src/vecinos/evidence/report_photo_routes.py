"""A resident's optional photo with their report, sent after the report itself.

The report's status token (returned only to whoever sent the report) is the permission: no
account, no address kept. The original goes to the incident's evidence with its SHA-256 on
the timeline; only a copy re-encoded without EXIF or GPS is ever shown.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, status
from starlette.concurrency import run_in_threadpool

from vecinos.errors import NotFound
from vecinos.evidence import uploads
from vecinos.evidence.models import Media
from vecinos.evidence.storage import storage_for
from vecinos.i18n import N_
from vecinos.incidents.models import Incident
from vecinos.reports import sources
from vecinos.reports.models import Report
from vecinos.web.bodylimit import streams_body
from vecinos.web.deps import ClockDep, DbDep, SettingsDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/api/reports", tags=["reports"])
PHOTO_MAX_BYTES = 15 * 1024 * 1024  # a phone photo; video belongs to the responders' tools


@router.post(
    "/status/{token}/photo", status_code=status.HTTP_201_CREATED, dependencies=[PUBLIC.dependency()]
)
@streams_body
async def add_photo(
    token: str,
    request: Request,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    limit: Annotated[Limit, Depends(RateLimited("report-photo"))],
) -> dict[str, object]:
    report_id = sources.report_id_of(settings, token)
    report = await run_in_threadpool(db.get, Report, report_id) if report_id else None
    if report is None:
        raise NotFound(N_("This report link is not valid."), code="report_not_found")
    # Refused before a byte of the photo is read: a full report, then the rate limits.
    await run_in_threadpool(uploads.check_photo_room, db, report.id, settings.report_photos_max)
    limit.check(token)
    incident = await run_in_threadpool(db.get, Incident, report.incident_id)
    assert incident is not None
    organization_id, incident_id = incident.organization_id, incident.id
    await run_in_threadpool(db.commit)  # hold no database lock while the photo arrives
    incoming = settings.data_dir / "evidence-incoming"
    received = await uploads.receive(request.stream(), PHOTO_MAX_BYTES, incoming)

    def store() -> Media:
        # The report's row is held, so two uploads at once cannot both pass the count.
        db.get(Report, report.id, with_for_update=True)
        uploads.check_photo_room(db, report.id, settings.report_photos_max)
        return uploads.add_reporter_photo(
            db,
            storage_for(settings),
            incident_id,
            organization_id,
            received,
            report_id=report.id,
            now=clock.now(),
        )

    try:
        media = await run_in_threadpool(store)
    finally:
        received.path.unlink(missing_ok=True)
    return {"media_id": media.id, "sha256": media.sha256}
