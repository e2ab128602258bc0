"""The hotline speaks the rights kit's other languages too: each offers itself in its own words
("한국어는 4번을 누르세요") and, once chosen, the menu and every step after it are said in that
language with its own voice. Webhooks signed with Twilio's RequestValidator, TwiML parsed."""

from __future__ import annotations

import re

import pytest

from tests.hotline.conftest import Webhook, says, webhook_path
from vecinos.config import Settings
from vecinos.hotline import voice_words as said
from vecinos.hotline.voice import phone_languages
from vecinos.i18n import gettext, merged_catalog
from vecinos.rights.audio import megaphone_script
from vecinos.rights.kit import load_kit

SPOKEN = [value for name, value in vars(said).items() if name.isupper() and isinstance(value, str)]
OTHERS = [code for code in said.SAY_LANGUAGES if code not in ("es", "en")]
ENGLISH_WORDS = re.compile(r"\b(press|call|please|goodbye|message|volunteer)\b", re.IGNORECASE)


def test_every_spoken_line_is_translated_in_every_language_the_phone_offers() -> None:
    for code in OTHERS:
        catalog = merged_catalog(code)
        for line in SPOKEN:
            found = catalog.get(line)
            assert found is not None and isinstance(found.string, str), (code, line)
            assert found.string and set(re.findall(r"{\w+}", found.string)) == set(
                re.findall(r"{\w+}", line)
            )


def test_each_language_offers_itself_in_its_own_words(hook: Webhook, settings: Settings) -> None:
    _, twiml = hook("incoming")
    lines = says(twiml.find("Gather"))  # type: ignore[arg-type]
    offered = phone_languages(settings)
    assert [voice for voice, _ in lines] == [said.SAY_LANGUAGES[code] for code in offered]
    spoken = dict(zip(offered, (text for _, text in lines), strict=True))
    digit = {code: offered.index(code) + 1 for code in offered}
    assert spoken["en"] == f"For English, press {digit['en']}."
    assert spoken["ko"] == f"한국어는 {digit['ko']}번을 누르세요."
    assert spoken["vi"] == f"Tiếng Việt, xin bấm số {digit['vi']}."
    assert spoken["zh-Hans"] == f"中文请按{digit['zh-Hans']}。"
    assert spoken["ru"] == f"Для русского языка нажмите {digit['ru']}."
    assert spoken["tl"] == f"Para sa Tagalog, pindutin ang {digit['tl']}."
    for code in OTHERS:
        assert not ENGLISH_WORDS.search(spoken[code]), spoken[code]


def not_english(text: str) -> bool:
    return not ENGLISH_WORDS.search(text) and all(text != line for line in SPOKEN)


@pytest.mark.parametrize(
    ("code", "voice", "menu_starts"),
    [("ko", "ko-KR", "지금 무슨 일이"), ("vi", "vi-VN", "Bấm số 1 nếu")],
)
def test_a_caller_walks_the_menu_in_their_language(
    hook: Webhook, settings: Settings, code: str, voice: str, menu_starts: str
) -> None:
    digit = str(phone_languages(settings).index(code) + 1)
    hook("incoming")
    _, menu = hook("language", Digits=digit)
    (said_voice, text), goodbye = says(menu)
    assert said_voice == voice and text.startswith(menu_starts) and not_english(text)
    assert goodbye == (voice, gettext(code, said.NO_CHOICE)) and not_english(goodbye[1])

    _, wrong = hook("menu", Digits="7")
    assert says(wrong)[0] == (voice, gettext(code, said.NOT_OFFERED))
    assert not_english(says(wrong)[0][1])

    _, rights = hook("menu", Digits="3")
    assert says(rights)[0] == (voice, megaphone_script(load_kit(settings), code))
    assert says(rights)[1][0] == voice and says(rights)[1][1].startswith(menu_starts)

    # Nobody is on hotline duty: "nobody could answer", then the message, in their language.
    _, message = hook("menu", Digits="1")
    lines = says(message)
    assert [v for v, _ in lines] == [voice] * 3
    assert [t for _, t in lines] == [
        gettext(code, said.NOBODY_FREE),
        gettext(code, said.LEAVE_MESSAGE),
        gettext(code, said.NO_MESSAGE),
    ]
    assert all(not_english(t) for _, t in lines)
    record = message.find("Record")
    assert record is not None
    assert webhook_path(record.get("action")).startswith("/api/hotline/voice/recorded")
