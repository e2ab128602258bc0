"""SMS replies to the rights keyword: exact GSM-7 / UCS-2 segment counts, 3 segments at most."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.rights.conftest import HOTLINE, PUBLIC_URL, kit_settings
from vecinos.rights.errors import UnknownLanguage
from vecinos.rights.kit import RightsKit
from vecinos.rights.sms import MAX_SEGMENTS, compose, count_segments, rights_reply


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("{" * 81, "GSM-7", 162, 2),
        ("a" + "^" * 76 + "b" * 2, "GSM-7", 155, 1),
        ("Ñandú ¿sí?", "UCS-2", 10, 1),  # í is not in GSM-7, so the whole text is UCS-2
        ("ñ¿¡äöüà" * 20, "GSM-7", 140, 1),  # these are
        ("é" * 70, "GSM-7", 70, 1),
        ("á" * 70, "UCS-2", 70, 1),
        ("á" * 71, "UCS-2", 71, 2),
        ("á" * 134, "UCS-2", 134, 2),
        ("á" * 135, "UCS-2", 135, 3),
        ("🙂" * 35, "UCS-2", 70, 1),  # outside the BMP: two UTF-16 units each
        ("🙂" * 36, "UCS-2", 72, 2),
    ],
)
def test_segment_counts(text: str, encoding: str, units: int, segments: int) -> None:
    assert dataclasses.astuple(count_segments(text)) == (encoding, units, segments)


def test_an_escape_pair_is_never_split_across_segments() -> None:
    # 152 plain septets then "€": the pair cannot start at 153 and end in the next segment.
    text = "a" * 152 + "€" + "a" * 10
    assert count_segments(text).segments == 2
    assert count_segments("a" * 152 + "€" + "a" * 152).segments == 3


def test_a_surrogate_pair_is_never_split() -> None:
    assert count_segments("á" * 66 + "🙂" + "á" * 3).segments == 2
    assert count_segments("á" * 66 + "🙂" + "á" * 66).segments == 3


@pytest.mark.parametrize(
    "code", ["en", "es", "zh-Hans", "zh-Hant", "ko", "tl", "vi", "hy", "fa", "ru"]
)
def test_every_language_fits_three_segments_with_hotline_and_link(
    kit: RightsKit, code: str
) -> None:
    text = compose(kit, code)
    assert count_segments(text).segments <= MAX_SEGMENTS
    assert HOTLINE in text
    assert text.endswith(f"{PUBLIC_URL}/rights/{code}")
    assert " ".join(kit.languages[code].sms.split()) in text


def test_encodings_are_the_ones_each_language_needs(kit: RightsKit) -> None:
    assert count_segments(compose(kit, "en")).encoding == "GSM-7"
    assert count_segments(compose(kit, "tl")).encoding == "GSM-7"
    assert count_segments(compose(kit, "es")).encoding == "UCS-2"  # á, í, ó
    assert count_segments(compose(kit, "ko")).encoding == "UCS-2"


def test_a_long_url_drops_the_label_then_the_link_but_keeps_the_rights(kit: RightsKit) -> None:
    long = dataclasses.replace(kit, public_url="https://" + "x" * 60 + ".example.org")
    text = compose(long, "es")
    assert count_segments(text).segments <= MAX_SEGMENTS
    assert HOTLINE in text
    assert text.startswith("Sus derechos")


def test_rights_reply_reads_the_settings(tmp_path: Path) -> None:
    reply = rights_reply("es-MX", kit_settings(tmp_path))
    assert reply.startswith("Sus derechos: no abra la puerta")
    assert HOTLINE in reply


def test_a_language_without_material_gets_english(tmp_path: Path) -> None:
    assert rights_reply("fr", kit_settings(tmp_path)).startswith("Your rights:")


def test_a_code_that_is_no_language_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UnknownLanguage, match="'qq!'"):
        rights_reply("qq!", kit_settings(tmp_path))
