"""Public copies of images carry no EXIF and no GPS; originals keep every byte."""

from __future__ import annotations

import io
from collections.abc import Callable

from fastapi.testclient import TestClient
from PIL import Image

from tests.cast import Cast, Person
from tests.evidence.helpers import GPS, MAKE, exif_of, photo_with_gps, upload
from vecinos.evidence.media import public_copy

SignedIn = Callable[[Person], TestClient]


def test_public_copy_has_no_exif_or_gps_and_the_original_has_both(
    signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    photo = photo_with_gps()
    assert exif_of(photo)["gps"] == GPS  # the phone's photo says where it was taken
    media = upload(signed_in(cast.rosa), incident, photo).json()
    public = signed_in(cast.rosa).get(media["public_copy_url"])
    assert public.status_code == 200 and public.headers["content-type"] == "image/jpeg"
    assert public.headers["cache-control"] == "no-store"
    stripped = exif_of(public.content)
    assert stripped["tags"] == {} and stripped["gps"] == {}
    assert "exif" not in stripped["info"] and "xmp" not in stripped["info"]
    assert b"Exif" not in public.content and b"PhoneMaker" not in public.content
    original = signed_in(cast.lucas).get(f"/api/media/{media['id']}/original")
    assert original.status_code == 200 and original.content == photo
    kept = exif_of(original.content)
    assert kept["gps"] == GPS and kept["tags"][MAKE] == "PhoneMaker"


def test_png_and_webp_lose_their_metadata_too() -> None:
    for image_format in ("PNG", "WEBP"):
        photo = photo_with_gps(image_format=image_format)
        assert exif_of(photo)["gps"] == GPS
        copy, _content_type = public_copy(photo)
        assert exif_of(copy)["gps"] == {} and exif_of(copy)["tags"] == {}


def test_transparency_survives_as_png_and_pictures_stay_upright() -> None:
    copy, content_type = public_copy(photo_with_gps(image_format="PNG", mode="RGBA"))
    assert content_type == "image/png"
    with Image.open(io.BytesIO(copy)) as image:
        assert image.mode == "RGBA"
    # A phone's portrait photo: pixels stored sideways, EXIF orientation 6 says "turn it".
    sideways = Image.new("RGB", (80, 40), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    sideways.save(out, format="JPEG", exif=exif)
    copy, _ = public_copy(out.getvalue())
    with Image.open(io.BytesIO(copy)) as image:
        assert image.size == (40, 80)  # turned, and no orientation tag left to turn it again
        assert dict(image.getexif()) == {}


def test_video_and_audio_have_no_public_copy(
    signed_in: SignedIn, cast: Cast, incident: int
) -> None:
    mp3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\xff\xfb\x90\x00" * 200
    media = upload(signed_in(cast.rosa), incident, mp3, name="voice.mp3").json()
    assert media["kind"] == "audio" and media["public_copy_url"] is None
    answer = signed_in(cast.rosa).get(f"/api/media/{media['id']}/public")
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "no_public_copy"
