"""Finding 1: a small file that decodes to a huge image is refused before it is decoded; a report
carries a few photos at most; photo uploads are rate-limited per report and for everyone."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.evidence.helpers import photo_with_gps
from tests.reports.test_photo import report
from vecinos.config import Settings
from vecinos.evidence import media
from vecinos.evidence.models import Media


def bomb(side: int = 9400) -> bytes:
    """A few hundred kilobytes of PNG that would be ~350 MB of pixels once decoded."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")
    return out.getvalue()


def photo(client: TestClient, token: str, data: bytes | None = None) -> object:
    return client.post(f"/api/reports/status/{token}/photo", content=data or photo_with_gps())


def test_a_decompression_bomb_is_refused_before_decoding(client: TestClient, db: Session) -> None:
    data = bomb()
    assert len(data) < 1_000_000
    refused = photo(client, report(client), data)
    assert refused.status_code == 413, refused.text  # type: ignore[attr-defined]
    assert refused.json()["error"]["code"] == "image_too_large"  # type: ignore[attr-defined]
    assert db.scalar(select(func.count()).select_from(Media)) == 0


def test_the_limit_is_on_pixels_not_on_a_photo_of_a_phone() -> None:
    out = io.BytesIO()
    Image.new("RGB", (4032, 3024), (90, 120, 30)).save(out, format="JPEG", quality=80)
    copy, content_type = media.public_copy(out.getvalue())
    with Image.open(io.BytesIO(copy)) as public:
        assert max(public.size) == media.PUBLIC_MAX_SIDE and content_type == "image/jpeg"


def test_a_report_carries_a_few_photos_at_most(
    client: TestClient, db: Session, settings: Settings
) -> None:
    token = report(client)
    answers = [photo(client, token).status_code for _ in range(settings.report_photos_max + 1)]  # type: ignore[attr-defined]
    assert answers == [201] * settings.report_photos_max + [409]
    last = photo(client, token)
    assert last.json()["error"]["code"] == "too_many_photos"  # type: ignore[attr-defined]
    assert db.scalar(select(func.count()).select_from(Media)) == settings.report_photos_max


def test_photo_uploads_have_a_ceiling_for_everyone(client: TestClient, settings: Settings) -> None:
    settings.report_photos_per_minute = 2
    answers = [photo(client, report(client)).status_code for _ in range(3)]  # type: ignore[attr-defined]
    assert answers == [201, 201, 429]
