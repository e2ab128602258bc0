"""Every text our number sends back fits in two SMS segments, in every interface language,
with long names filled in (UCS-2 when a name or the language needs it)."""

from __future__ import annotations

import pytest

from vecinos.alerts.segments import sms_segments
from vecinos.hotline import words
from vecinos.i18n import INTERFACE_LANGUAGES, gettext

COALITION = "Red Comunitaria del Este"  # a coalition name of a usual length
FILLS = {
    "coalition": COALITION,
    "reference": "1234567",
    "count": "6",
    "keyword": "REPORTE",
    "choices": "1 El Mercado de Los Ángeles, 2 90001 Los Angeles, 3 90002 Los Angeles",
    "area": "El Mercado de Los Ángeles",
    "areas": "Boyle Heights, Lincoln Heights, El Sereno",
    "km": "2",
    "place": "Mariachi Plaza, Boyle Heights (90033)",
}
MESSAGES = {
    name: value for name, value in vars(words).items() if name.isupper() and isinstance(value, str)
}


@pytest.mark.parametrize("language", sorted(INTERFACE_LANGUAGES))
@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_each_reply_fits_two_segments(name: str, language: str) -> None:
    text = gettext(language, MESSAGES[name]).format(**FILLS)
    assert "{" not in text
    assert sms_segments(text).count <= 2, (name, language, text, sms_segments(text))


def test_the_menus_are_translated() -> None:
    assert "agentes a pie" in gettext("es", words.ASK_WHAT)
    assert gettext("es", words.ASK_WHEN) != words.ASK_WHEN
