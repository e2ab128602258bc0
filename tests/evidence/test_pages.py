"""The evidence page: what each person sees, and legal support's hold form."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.cast import Cast, Person
from tests.evidence.helpers import photo_with_gps, upload
from vecinos.evidence.models import LegalHold

SignedIn = Callable[[Person], TestClient]


def test_legal_sees_export_originals_and_places_a_hold(
    signed_in: SignedIn, cast: Cast, incident: int, db: Session
) -> None:
    media = upload(signed_in(cast.rosa), incident, photo_with_gps()).json()
    lucas = signed_in(cast.lucas)
    page = lucas.get(f"/evidence/incidents/{incident}")
    assert page.status_code == 200
    assert f"/api/incidents/{incident}/export" in page.text
    assert f"/api/media/{media['id']}/original" in page.text
    assert f"/api/media/{media['id']}/public" in page.text and media["sha256"] in page.text
    placed = lucas.post(
        f"/evidence/incidents/{incident}/hold",
        data={
            "action": "place",
            "reason": "case 24-113",
            "csrf_token": lucas.headers["X-CSRF-Token"],
        },
        headers={"X-CSRF-Token": ""},
        follow_redirects=False,
    )
    assert placed.status_code == 303, placed.text
    hold = db.get(LegalHold, incident)
    assert hold is not None and hold.reason == "case 24-113"
    assert "case 24-113" in lucas.get(f"/evidence/incidents/{incident}?lang=en").text


def test_others_see_less_or_nothing(signed_in: SignedIn, cast: Cast, incident: int) -> None:
    media = upload(signed_in(cast.rosa), incident, photo_with_gps()).json()
    for name in ("rosa", "elena"):
        page = signed_in(cast.people[name]).get(f"/evidence/incidents/{incident}")
        assert page.status_code == 200 and f"/api/media/{media['id']}/public" in page.text
        assert "/original" not in page.text and "/export" not in page.text
    dario = signed_in(cast.dario).get(f"/evidence/incidents/{incident}").text
    assert "/original" in dario and "/export" not in dario
    for name in ("wanda", "ada", "nadia"):
        assert (
            signed_in(cast.people[name]).get(f"/evidence/incidents/{incident}").status_code == 404
        )
    hold = signed_in(cast.dario).post(
        f"/evidence/incidents/{incident}/hold", data={"action": "place"}
    )
    assert hold.status_code == 403
