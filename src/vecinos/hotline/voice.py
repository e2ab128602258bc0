"""The hotline's TwiML, built with Twilio's own `VoiceResponse`: what each step of a call says
and which webhook hears the next key press. No database here (calls.py keeps the log)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from babel import Locale
from twilio.twiml.voice_response import VoiceResponse

from vecinos.config import Settings
from vecinos.hotline import voice_words as said
from vecinos.i18n import gettext
from vecinos.rights.audio import megaphone_script
from vecinos.rights.kit import load_kit

BASE = "/api/hotline/voice"
GATHER_SECONDS = 6
WHISPER_SECONDS = 8
MENU_DIGITS = {"1": "now", "2": "message", "3": "rights", "0": "repeat"}


@dataclass(frozen=True)
class Ring:
    """One operator's leg of the parallel ring: their number (opened only for this) and id."""

    operator_id: int
    phone: str


def phone_languages(settings: Settings) -> list[str]:
    """Spanish, English, then the rights kit's other languages Twilio can speak; digit = place."""
    kit = load_kit(settings)
    others = [code for code in kit.languages if code in said.SAY_LANGUAGES]
    ordered = ["es", "en", *[code for code in others if code not in ("es", "en")]]
    return ordered[:9]


def url(settings: Settings, step: str, **query: int) -> str:
    """An absolute webhook URL (Twilio signs exactly what it is given)."""
    tail = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{settings.public_url.rstrip('/')}{BASE}/{step}" + (f"?{tail}" if tail else "")


def language_menu(settings: Settings, *, retry: bool = False) -> str:
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1, action=url(settings, "language"), method="POST", timeout=GATHER_SECONDS
    )
    for digit, code in enumerate(phone_languages(settings), start=1):
        gather.say(_choose_line(settings, code, digit), language=said.SAY_LANGUAGES[code])
    if retry:
        response.say(gettext("es", said.NO_CHOICE), language=said.SAY_LANGUAGES["es"])
        response.hangup()
    else:
        response.redirect(url(settings, "incoming", again=1), method="POST")
    return str(response)


def captcha(settings: Settings, digits: str) -> str:
    """Press the digits you hear, said in Spanish then English, before anything else."""
    response = VoiceResponse()
    gather = response.gather(
        num_digits=len(digits), action=url(settings, "captcha"), method="POST", timeout=10
    )
    spoken = ", ".join(digits)
    for code in ("es", "en"):
        line = gettext(code, said.CAPTCHA).format(digits=spoken)
        gather.say(line, language=said.SAY_LANGUAGES[code])
    response.say(gettext("es", said.CAPTCHA_WRONG), language=said.SAY_LANGUAGES["es"])
    response.hangup()
    return str(response)


def _choose_line(settings: Settings, code: str, digit: int) -> str:
    """ "For English, press 2." said in each language of its own, in its own voice: each
    catalog translates the line as "for <itself>"."""
    translated = gettext(code, said.CHOOSE_LANGUAGE)
    if code != "en" and translated == said.CHOOSE_LANGUAGE:  # no catalog yet: its own name
        return f"{load_kit(settings).languages[code].name}: {digit}."
    return translated.format(digit=digit)


def main_menu(settings: Settings, language: str, *, prefix: Sequence[str] = ()) -> str:
    response = VoiceResponse()
    voice = said.SAY_LANGUAGES[language]
    for line in prefix:
        response.say(line, language=voice)
    gather = response.gather(
        num_digits=1, action=url(settings, "menu"), method="POST", timeout=GATHER_SECONDS
    )
    gather.say(gettext(language, said.MENU), language=voice)
    response.say(gettext(language, said.NO_CHOICE), language=voice)
    response.hangup()
    return str(response)


def not_offered(settings: Settings, language: str) -> str:
    return main_menu(settings, language, prefix=[gettext(language, said.NOT_OFFERED)])


def rights(settings: Settings, language: str) -> str:
    """The rights kit's megaphone script, then the menu again."""
    script = megaphone_script(load_kit(settings), language)
    return main_menu(settings, language, prefix=[script])


def ring(settings: Settings, language: str, call_id: int, rings: Sequence[Ring]) -> str:
    """Every on-shift operator at once; each hears a whisper first and must press 1, so an
    operator's voicemail never takes the call. No answer in time: the `dialed` webhook."""
    response = VoiceResponse()
    response.say(gettext(language, said.CONNECTING), language=said.SAY_LANGUAGES[language])
    dial = response.dial(
        timeout=settings.hotline_ring_seconds,
        action=url(settings, "dialed", call=call_id),
        method="POST",
        answer_on_bridge=True,
    )
    for leg in rings:
        whisper = url(settings, "whisper", call=call_id, op=leg.operator_id)
        dial.number(leg.phone, url=whisper, method="POST")
    return str(response)


def whisper(settings: Settings, caller_language: str, call_id: int, operator_id: int) -> str:
    """What an operator hears before the caller is put through."""
    spoken = settings.default_language
    name = (
        Locale.parse(caller_language.replace("-", "_")).get_display_name(spoken) or caller_language
    )
    response = VoiceResponse()
    gather = response.gather(
        num_digits=1,
        action=url(settings, "accept", call=call_id, op=operator_id),
        method="POST",
        timeout=WHISPER_SECONDS,
    )
    line = gettext(spoken, said.WHISPER).format(coalition=settings.coalition_name, language=name)
    gather.say(line, language=said.SAY_LANGUAGES.get(spoken, "es-MX"))
    response.hangup()  # no key: this leg ends, the others keep ringing
    return str(response)


def put_through() -> str:
    """An empty answer to the whisper: Twilio bridges this operator to the caller."""
    return str(VoiceResponse())


def taken(settings: Settings) -> str:
    response = VoiceResponse()
    spoken = settings.default_language
    response.say(gettext(spoken, said.TAKEN), language=said.SAY_LANGUAGES.get(spoken, "es-MX"))
    response.hangup()
    return str(response)


def record(settings: Settings, call_id: int, language: str, *, nobody: bool = False) -> str:
    response = VoiceResponse()
    voice = said.SAY_LANGUAGES[language]
    if nobody:
        response.say(gettext(language, said.NOBODY_FREE), language=voice)
    response.say(gettext(language, said.LEAVE_MESSAGE), language=voice)
    response.record(
        max_length=settings.hotline_message_seconds,
        action=url(settings, "recorded", call=call_id),
        method="POST",
        play_beep=True,
        finish_on_key="#",
    )
    response.say(gettext(language, said.NO_MESSAGE), language=voice)
    response.hangup()
    return str(response)


def goodbye(language: str, message: str) -> str:
    response = VoiceResponse()
    response.say(gettext(language, message), language=said.SAY_LANGUAGES[language])
    response.hangup()
    return str(response)


def saturated(settings: Settings) -> str:
    """The line is full: said in the coalition's language, then in English (no language was
    chosen yet), and the call ends."""
    response = VoiceResponse()
    for language in dict.fromkeys([settings.default_language, "en"]):
        message = gettext(language, said.SATURATED)
        response.say(message, language=said.SAY_LANGUAGES[language])
    response.hangup()
    return str(response)


def hang_up() -> str:
    response = VoiceResponse()
    response.hangup()
    return str(response)
