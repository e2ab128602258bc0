"""Evidence API: upload media, record in chunks, see public copies and (some) originals."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos.accounts import audit
from vecinos.db import MAX_ROW_ID, RowId
from vecinos.errors import Forbidden, NotFound
from vecinos.evidence import access, recording, uploads
from vecinos.evidence.models import Media, MediaKind
from vecinos.evidence.schemas import ChunkOut, MediaOut, RecordingIn, RecordingStatus
from vecinos.evidence.storage import storage_for
from vecinos.i18n import N_
from vecinos.identity import Principal
from vecinos.web.bodylimit import streams_body
from vecinos.web.deps import ClockDep, DbDep, PathId, SettingsDep
from vecinos.web.policy import AnyOrgRole, SignedInMember

router = APIRouter(tags=["evidence"])
Uploader = Annotated[Principal, Depends(AnyOrgRole(*access.UPLOAD_ROLES))]
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def _refuse_declared_size(request: Request, limit: int) -> None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise uploads.too_large(limit)


async def _let_go(db: Session) -> None:
    """End the request's first transaction, so a slow upload holds no database lock."""
    await run_in_threadpool(db.commit)


@router.post("/api/incidents/{incident_id}/media", status_code=status.HTTP_201_CREATED)
@streams_body
async def upload(
    incident_id: PathId,
    request: Request,
    caller: Uploader,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
    offer_id: RowId | None = None,
) -> MediaOut:
    """The request body is the file itself (any Content-Type: the bytes decide).
    `offer_id`: the caller's assignment whose finding this documents."""
    limit = settings.evidence_max_bytes
    _refuse_declared_size(request, limit)
    await run_in_threadpool(access.for_upload, db, caller, incident_id)
    if offer_id is not None:
        await run_in_threadpool(uploads.check_offer, db, caller, incident_id, offer_id)
    await _let_go(db)
    incoming = settings.data_dir / "evidence-incoming"
    received = await uploads.receive(request.stream(), limit, incoming)
    try:
        media = await run_in_threadpool(
            lambda: uploads.add_media(
                db,
                storage_for(settings),
                caller,
                incident_id,
                received,
                now=clock.now(),
                offer_id=offer_id,
            )
        )
    finally:
        received.path.unlink(missing_ok=True)
    return MediaOut.of(media, may_see_original=access.may_see_original(caller, media))


@router.get("/api/incidents/{incident_id}/media")
def list_media(incident_id: PathId, caller: SignedInMember, db: DbDep) -> list[MediaOut]:
    access.for_viewing(db, caller, incident_id)
    rows = db.scalars(select(Media).where(Media.incident_id == incident_id).order_by(Media.id))
    return [MediaOut.of(m, may_see_original=access.may_see_original(caller, m)) for m in rows]


def _media(db: Session, caller: Principal, media_id: int) -> Media:
    media = db.get(Media, media_id)
    if media is None:
        raise NotFound(N_("No such media."), code="media_not_found")
    access.for_viewing(db, caller, media.incident_id)
    return media


@router.get("/api/media/{media_id}/public")
def public_copy(
    media_id: PathId, caller: SignedInMember, db: DbDep, settings: SettingsDep
) -> Response:
    """The image re-encoded without EXIF or GPS; video and audio have no public copy."""
    media = _media(db, caller, media_id)
    if not media.public_key:
        raise NotFound(N_("This media has no public copy."), code="no_public_copy")
    body = b"".join(storage_for(settings).read(media.public_key))
    return Response(body, media_type=media.public_content_type, headers=NO_STORE)


@router.get("/api/media/{media_id}/original")
def original(
    media_id: PathId, caller: SignedInMember, db: DbDep, clock: ClockDep, settings: SettingsDep
) -> StreamingResponse:
    """The original, byte for byte: legal and dispatchers of its organization. Audited.
    A recording still in progress gives the chunks that have arrived so far."""
    media = _media(db, caller, media_id)
    allowed = access.may_see_original(caller, media)
    action = "evidence.original_viewed" if allowed else "evidence.original_refused"
    audit.record(
        db, action, at=clock.now(), actor_id=caller.member_id,
        organization_id=media.organization_id, media_id=media.id, incident_id=media.incident_id,
    )  # fmt: skip
    if not allowed:
        db.commit()  # the refusal stays in the audit log
        raise Forbidden(
            N_("Only legal support and dispatchers of the organization may see originals."),
            code="original_forbidden",
        )
    blocks = recording.original_blocks(db, storage_for(settings), media)
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="media-{media.id}"'}
    return StreamingResponse(blocks, media_type=media.content_type, headers=headers)


# --- Record-and-upload --------------------------------------------------------------------


@router.post("/api/incidents/{incident_id}/recordings", status_code=status.HTTP_201_CREATED)
def start_recording(
    incident_id: PathId, body: RecordingIn, caller: Uploader, db: DbDep, clock: ClockDep
) -> RecordingStatus:
    media = recording.start(db, caller, incident_id, MediaKind(body.kind), now=clock.now())
    return RecordingStatus.of(recording.status(db, media))


@router.get("/api/recordings/{media_id}")
def recording_status(media_id: PathId, caller: Uploader, db: DbDep) -> RecordingStatus:
    """Which chunk the server holds last: a phone asks this after a dropped connection."""
    return RecordingStatus.of(recording.status(db, recording.own_recording(db, caller, media_id)))


@router.put("/api/recordings/{media_id}/chunks/{seq}")
@streams_body
async def put_chunk(
    media_id: PathId,
    seq: Annotated[int, Path(ge=0, le=MAX_ROW_ID)],
    request: Request,
    caller: Uploader,
    db: DbDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> ChunkOut:
    """Body: the chunk. `X-Previous-SHA256`: SHA-256 of chunk seq-1 (none for chunk 0);
    `X-Chunk-SHA256`, optional: this chunk's, checked on arrival."""
    limit = settings.evidence_chunk_max_bytes
    _refuse_declared_size(request, limit)
    await _let_go(db)
    data = await uploads.read_limited(request.stream(), limit)

    def store() -> ChunkOut:
        media = recording.own_recording(db, caller, media_id, lock=True)
        chunk = recording.add_chunk(
            db, storage_for(settings), media, seq, data,
            previous=request.headers.get("x-previous-sha256"),
            claimed_sha256=request.headers.get("x-chunk-sha256"),
            now=clock.now(),
        )  # fmt: skip
        return ChunkOut(
            media_id=media.id, seq=chunk.seq, size=chunk.size, sha256=chunk.sha256,
            chain=chunk.chain,
        )  # fmt: skip

    return await run_in_threadpool(store)


@router.post("/api/recordings/{media_id}/finish")
def finish_recording(
    media_id: PathId, caller: Uploader, db: DbDep, clock: ClockDep, settings: SettingsDep
) -> MediaOut:
    media = recording.own_recording(db, caller, media_id, lock=True)
    recording.finish(db, storage_for(settings), media, actor_id=caller.member_id, now=clock.now())
    return MediaOut.of(media, may_see_original=access.may_see_original(caller, media))
