"""How many SMS segments a text costs: GSM-7 when every character is in the GSM 03.38
alphabet (160 septets in one segment, 153 per segment when split; an extension character such
as `€` or `[` takes two), UCS-2 otherwise (70 UTF-16 units alone, 67 per segment when split)."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import gsm0338  # noqa: F401  # registers the "gsm03.38" codec

GSM7 = "GSM-7"
UCS2 = "UCS-2"
SINGLE = {GSM7: 160, UCS2: 70}
SPLIT = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class Segments:
    encoding: str
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    count: int


def sms_segments(text: str) -> Segments:
    try:
        encoding, units = GSM7, len(text.encode("gsm03.38"))
    except UnicodeEncodeError:
        encoding, units = UCS2, len(text.encode("utf-16-le")) // 2
    count = 1 if units <= SINGLE[encoding] else ceil(units / SPLIT[encoding])
    return Segments(encoding, units, count)
