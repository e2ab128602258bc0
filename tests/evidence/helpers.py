"""Media for evidence tests: photos that carry EXIF and GPS, disguised files, recordings."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

GPS_IFD = 0x8825
MAKE, MODEL, SOFTWARE = 0x010F, 0x0110, 0x0131
# Where the photo says it was taken: the kind of detail a public copy must never carry.
GPS = {1: "N", 2: (34.0, 3.0, 8.0), 3: "W", 4: (118.0, 14.0, 37.0)}
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200
WINDOWS_EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 300
# The first bytes of a WebM file (EBML header, DocType "webm"), as MediaRecorder writes it.
WEBM_HEAD = bytes.fromhex("1a45dfa39f4286810142f7810142f2810442f381084282847765626d42878104")


def photo_with_gps(
    size: tuple[int, int] = (64, 48), image_format: str = "JPEG", mode: str = "RGB"
) -> bytes:
    image = Image.new(mode, size, (200, 30, 30, 128) if mode == "RGBA" else (200, 30, 30))
    exif = Image.Exif()
    exif[MAKE], exif[MODEL], exif[SOFTWARE] = "PhoneMaker", "Model X", "Camera 1.0"
    exif.get_ifd(GPS_IFD).update(GPS)
    out = io.BytesIO()
    image.save(out, format=image_format, exif=exif)
    return out.getvalue()


def exif_of(data: bytes) -> dict[str, Any]:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {"tags": dict(exif), "gps": dict(exif.get_ifd(GPS_IFD)), "info": dict(image.info)}


def webm_chunk(seq: int, size: int = 600) -> bytes:
    """Chunk 0 starts like a WebM file; later chunks are just more bytes of it."""
    body = bytes((seq * 7 + i) % 251 for i in range(size))
    return WEBM_HEAD + body if seq == 0 else body


def upload(client: TestClient, incident_id: int, data: bytes, name: str = "photo.jpg") -> Any:
    return client.post(
        f"/api/incidents/{incident_id}/media",
        content=data,
        headers={"Content-Type": "application/octet-stream", "X-Filename": name},
    )
