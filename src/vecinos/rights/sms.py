"""The reply to the rights keyword by SMS, and an exact count of the segments it costs.

GSM 03.38: a text made only of the GSM-7 alphabet costs 160 septets in one segment, 153 per
segment when split (the user data header takes the rest); characters of the extension table
(`{ } [ ] ~ \\ | ^ €` and form feed) take two septets, and a split never cuts an escape pair.
Any other character makes the whole message UCS-2: 70 UTF-16 units alone, 67 per segment when
split, and a character outside the Basic Multilingual Plane takes two units that stay together.
"""

from __future__ import annotations

from dataclasses import dataclass

from vecinos.config import Settings, load_settings
from vecinos.rights.errors import SmsTooLong
from vecinos.rights.kit import RightsKit, load_kit

MAX_SEGMENTS = 3

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def count_segments(text: str) -> SegmentCount:
    """How many SMS segments `text` takes, and in which encoding."""
    if is_gsm7(text):
        sizes = [2 if c in GSM7_EXTENSION else 1 for c in text]
        return SegmentCount("GSM-7", sum(sizes), _segments(sizes, single=160, multi=153))
    sizes = [2 if ord(c) > 0xFFFF else 1 for c in text]
    return SegmentCount("UCS-2", sum(sizes), _segments(sizes, single=70, multi=67))


def _segments(sizes: list[int], *, single: int, multi: int) -> int:
    """Fill segments greedily; a character's units (escape pair, surrogate pair) never split."""
    if sum(sizes) <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return segments


def compose(kit: RightsKit, code: str) -> str:
    """The reply: the rights summary, the hotline and the page in that language. When a long
    hotline or URL would pass the segment limit, the hotline's label goes first, then the link."""
    edition = kit.edition(code)
    language = edition.language
    body = " ".join(language.sms.split())
    link = kit.page_url(language.code)
    candidates = [f"{body} {link}", body]
    if kit.hotline:
        labelled = f"{language.labels.hotline}: {kit.hotline}"
        candidates = [
            f"{body} {labelled} {link}",
            f"{body} {kit.hotline} {link}",
            f"{body} {labelled}",
            f"{body} {kit.hotline}",
            *candidates,
        ]
    for text in candidates:
        if count_segments(text).segments <= MAX_SEGMENTS:
            return text
    raise SmsTooLong(code, count_segments(body).segments, MAX_SEGMENTS)


def rights_reply(language: str, settings: Settings | None = None) -> str:
    """What the SMS channel answers to the rights keyword, in `language`, within 3 segments.

    A language we have no material for gets the English reply (the SMS channel would rather
    send something true than nothing); a code that is not a language raises UnknownLanguage.
    """
    return compose(load_kit(settings or load_settings()), language)
