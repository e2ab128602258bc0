"""Record-and-upload in Chromium with a fake camera and microphone: the connection drops in
the middle of a recording and comes back; the server ends up with every piece, once, in order,
and the whole file's hash on the incident's timeline."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, FilePayload, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.fixtures import CHROMIUM, CHROMIUM_ARGS, LiveServer, screenshot
from tests.cast import PASSWORD, Cast
from tests.dispatch.factories import client_for, make_incident, north, on_shift
from tests.evidence.helpers import photo_with_gps
from vecinos.config import Settings
from vecinos.evidence.models import Chunk, Media
from vecinos.evidence.storage import LocalStorage, read_all
from vecinos.incidents import timeline

pytestmark = pytest.mark.browser
# Chromium's own stand-ins for a camera and a microphone, and no permission prompt.
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture(scope="module")
def media_browser(browser: Browser) -> Iterator[Browser]:
    """A second Chromium, from the suite's Playwright, with the fake devices on."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=[*CHROMIUM_ARGS, *FAKE_MEDIA]
    )
    yield launched
    launched.close()


def assigned_incident(app: FastAPI, cast: Cast, sessions: sessionmaker[Session]) -> int:
    """Rosa on shift near an incident, sent there by Dario, and she accepted."""
    on_shift(sessions, cast, cast.rosa, north(200))
    incident_id = make_incident(sessions, cast)
    dario = client_for(app, cast, cast.dario)
    assert dario.post(f"/api/incidents/{incident_id}/dispatch", json={}).status_code == 201
    rosa = client_for(app, cast, cast.rosa)
    (offer,) = rosa.get("/api/offers").json()
    assert rosa.post(f"/api/offers/{offer['id']}/accept").status_code == 200
    return incident_id


def chunks_held(db: Session, media_id: int) -> list[Chunk]:
    db.expire_all()
    return list(db.scalars(select(Chunk).where(Chunk.media_id == media_id).order_by(Chunk.seq)))


def test_recording_survives_a_dropped_connection(
    media_browser: Browser,
    live_server: LiveServer,
    app: FastAPI,
    cast: Cast,
    sessions: sessionmaker[Session],
    settings: Settings,
    db: Session,
) -> None:
    incident_id = assigned_incident(app, cast, sessions)
    context = media_browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-US"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/signin?next=/responder")
    page.get_by_label("E-mail").fill(cast.rosa.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    recorder = page.locator("#recorder")
    expect(recorder).to_be_visible()
    expect(recorder).to_contain_text("safe distance")
    expect(page.locator("#record-incident option")).to_have_count(1)
    page.get_by_label("Video", exact=True).check()
    page.get_by_role("button", name="Start recording").click()
    status = page.locator("#record-status")
    expect(status).to_contain_text("Recording: 2 pieces", timeout=15000)
    media_id = int(recorder.get_attribute("data-media-id") or 0)

    context.set_offline(True)  # the connection drops while the recording goes on
    expect(status).to_contain_text("Connection lost", timeout=15000)
    held_while_offline = len(chunks_held(db, media_id))
    time.sleep(7)  # two or three more pieces wait on the phone
    assert len(chunks_held(db, media_id)) == held_while_offline
    screenshot(page, "responder-recording-offline")
    context.set_offline(False)
    expect(status).to_contain_text("Recording:", timeout=15000)
    page.get_by_role("button", name="Stop recording").click()
    expect(status).to_contain_text("Saved: all", timeout=20000)
    # The page looks for new assignments every 10 s and on focus; that must not wipe the line
    # that tells the volunteer the recording is safe before they have read it.
    choices = page.locator("#record-incident")
    choices.evaluate("(select) => (select.options[0].dataset.old = 'yes')")
    choices.focus()
    expect(choices.locator("option[data-old]")).to_have_count(0)  # the list was asked again
    expect(status).to_contain_text("Saved: all")
    screenshot(page, "responder-recording-saved")
    photo = FilePayload(name="photo.jpg", mimeType="image/jpeg", buffer=photo_with_gps())
    page.get_by_label("Or send a photo, video or audio file").set_input_files(photo)
    expect(status).to_contain_text("Sent: the file is on the server.")
    context.close()
    sent = db.scalars(select(Media).where(Media.kind == "photo")).one()
    assert sent.offer_id is not None and sent.incident_id == incident_id

    chunks = chunks_held(db, media_id)
    assert len(chunks) >= held_while_offline + 2  # the pieces made offline arrived later
    assert [c.seq for c in chunks] == list(range(len(chunks)))  # each once, in order
    storage = LocalStorage(settings.data_dir / "evidence")
    whole = b"".join(read_all(storage, c.storage_key) for c in chunks)
    media = db.get(Media, media_id)
    assert media is not None and media.state == "complete"
    assert media.content_type == "video/webm"
    assert media.sha256 == hashlib.sha256(whole).hexdigest()
    assert read_all(storage, media.storage_key) == whole
    events = timeline.events_of(db, incident_id)
    (last,) = [e for e in events if e.kind == "recording_finished"]
    assert last.payload["chunks"] == len(chunks)
    assert last.payload["chain"] == chunks[-1].chain
