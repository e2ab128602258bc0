"""What a file is, decided from its bytes (never its name), and public copies of images.

A public copy is re-encoded from the pixels alone: no EXIF, no GPS, no XMP, no ICC, no
comments survive, because the new image is built from raw pixel data, not from the original.
"""

from __future__ import annotations

import io
import threading
import warnings

import filetype
from PIL import Image, ImageOps

from vecinos.errors import AppError
from vecinos.evidence.models import MediaKind
from vecinos.i18n import N_

SNIFF_BYTES = 8192
PUBLIC_MAX_SIDE = 2048
# Pixels decoded at most for one public copy: a 24 MP photo (~100 MB in memory), and any JPEG,
# which decodes straight to a fraction of its size (draft mode). A file of a few hundred
# kilobytes can declare a 9400 x 9400 image; it is refused from its header, never decoded.
DECODE_MAX_PIXELS = 24_000_000
# Copies made at once in this process, so many uploads cannot add their budgets up.
_DECODING = threading.BoundedSemaphore(2)

IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})
VIDEO_TYPES = frozenset({"video/mp4", "video/quicktime", "video/webm", "video/x-matroska"})
AUDIO_TYPES = frozenset({"audio/mpeg", "audio/ogg", "audio/mp4", "audio/x-wav", "audio/x-flac"})
# Containers a browser's MediaRecorder writes; an audio-only recording is still "video/webm".
RECORDING_TYPES = frozenset({"video/webm", "video/mp4", "audio/ogg", "video/x-matroska"})


class UnsupportedMedia(AppError):
    status_code = 415
    code = "media_type_refused"


class TooLarge(AppError):
    status_code = 413
    code = "media_too_large"


def image_too_large() -> TooLarge:
    return TooLarge(
        N_("This image has too many pixels; send a smaller photo."),
        code="image_too_large",
        details={"max_pixels": DECODE_MAX_PIXELS},
    )


def sniff(head: bytes) -> tuple[str, MediaKind]:
    """The content type and kind of a file from its first bytes, or 415."""
    guess = filetype.guess(head)
    mime = guess.mime if guess else "unknown"
    if mime in IMAGE_TYPES:
        return mime, MediaKind.PHOTO
    if mime in VIDEO_TYPES:
        return mime, MediaKind.VIDEO
    if mime in AUDIO_TYPES:
        return mime, MediaKind.AUDIO
    raise UnsupportedMedia(
        N_("This file is not a photo, video or audio recording we accept (it looks like {type})."),
        params={"type": mime},
        details={"detected": mime},
    )


def sniff_recording(head: bytes, kind: MediaKind) -> str:
    """The container of a browser recording's first chunk, or 415."""
    guess = filetype.guess(head)
    mime = guess.mime if guess else "unknown"
    if mime not in RECORDING_TYPES:
        raise UnsupportedMedia(
            N_("This recording is not in a format we accept (it looks like {type})."),
            params={"type": mime},
            details={"detected": mime},
        )
    return mime if kind is MediaKind.VIDEO else mime.replace("video/", "audio/")


def public_copy(original: bytes) -> tuple[bytes, str]:
    """The image re-encoded from its pixels only (JPEG, or PNG when it has transparency)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(original)) as source, _DECODING:
                _check_decodable(source)
                upright = ImageOps.exif_transpose(source)  # keep it the right way up
                upright.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                pixels = upright.convert("RGBA" if has_alpha else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise image_too_large() from None
    except (OSError, ValueError):
        raise UnsupportedMedia(
            N_("This image cannot be read; it may be damaged or disguised."),
            code="image_unreadable",
        ) from None
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())  # no info carried over
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"


def _check_decodable(source: Image.Image) -> None:
    """Before a single pixel is decoded (`open` read the header only): a JPEG is set to decode
    at the smallest scale that still covers the public copy, then the pixels are counted."""
    if source.format == "JPEG":
        source.draft("RGB", (PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    width, height = source.size
    if width * height > DECODE_MAX_PIXELS:
        raise image_too_large()
