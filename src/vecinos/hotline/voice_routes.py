"""Twilio Programmable Voice webhooks: signed requests in, TwiML out.

incoming → language → menu → (1) ring on-shift operators, each whispered → accept; nobody →
dialed → record → recorded; (2) record; (3) the rights, then the menu. Every request must carry
Twilio's signature over the exact URL it was given, query and all.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from vecinos.alerts import inbound
from vecinos.db import MAX_ROW_ID
from vecinos.errors import InvalidInput
from vecinos.hotline import calls, voice
from vecinos.hotline import voice_words as said
from vecinos.hotline.routes import form_fields, signed_path
from vecinos.i18n import N_
from vecinos.web.deps import ContextDep, DbDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import PUBLIC

# Every webhook checks Twilio's signature first: 403 without it.
router = APIRouter(prefix="/api/hotline/voice", tags=["hotline"], responses=refusals(403))
Form = Annotated[dict[str, str], Depends(form_fields)]
CallId = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]
OperatorId = Annotated[int, Query(ge=1, le=MAX_ROW_ID)]


async def signed(
    request: Request,
    form: Form,
    context: ContextDep,
    limit: Annotated[Limit, Depends(RateLimited("hotline-voice"))],
) -> dict[str, str]:
    """The provider's form, once its signature is checked and the caller (or the operator's
    leg) is within the hotline's rate."""
    inbound.check_signature(
        context.settings, signed_path(request), form, request.headers.get(inbound.SIGNATURE_HEADER)
    )
    await limit.acheck(form.get("From") or form.get("CallSid", ""))
    return form


Signed = Annotated[dict[str, str], Depends(signed)]
Public = [PUBLIC.dependency()]


def twiml(body: str) -> Response:
    return Response(body, media_type="application/xml")


def call_sid(form: dict[str, str]) -> str:
    sid = form.get("CallSid", "")
    if not sid.startswith("CA") or len(sid) > 64:
        raise InvalidInput(N_("A call webhook needs its CallSid."), code="call_sid_missing")
    return sid


@router.post("/incoming", dependencies=Public)
def incoming(form: Signed, db: DbDep, context: ContextDep, again: int = 0) -> Response:
    """A call to the hotline: refused politely when banned or over its limit, else the
    language menu."""
    settings, now = context.settings, context.clock.now()
    caller = calls.caller_of(form.get("From", ""), settings)
    sid = call_sid(form)
    if calls.is_banned(db, caller):
        return twiml(voice.goodbye(settings.default_language, said.BANNED))
    if not again and calls.over_limit(db, caller, now=now, settings=settings):
        return twiml(voice.goodbye(settings.default_language, said.TOO_MANY))
    if not again and calls.saturated(db, now=now, settings=settings):
        return twiml(voice.saturated(settings))
    call = calls.start(db, sid, caller, now=now, settings=settings)
    if not again and calls.captcha_due(db, now=now, settings=settings):
        return twiml(voice.captcha(settings, calls.set_captcha(call, settings)))
    return twiml(voice.language_menu(settings, retry=bool(again)))


@router.post("/captcha", dependencies=Public)
def captcha(form: Signed, db: DbDep, context: ContextDep) -> Response:
    """The digits the caller heard: right, the language menu; wrong, goodbye."""
    settings = context.settings
    call = calls.by_sid(db, call_sid(form), context.clock.now())
    if not calls.passes_captcha(call, form.get("Digits", ""), settings):
        calls.ended(db, call, context.clock.now())
        return twiml(voice.goodbye(settings.default_language, said.CAPTCHA_WRONG))
    return twiml(voice.language_menu(settings))


@router.post("/language", dependencies=Public)
def language(form: Signed, db: DbDep, context: ContextDep) -> Response:
    settings, now = context.settings, context.clock.now()
    call = calls.by_sid(db, call_sid(form), now)
    if call.captcha_hash is not None:  # the menu is for callers who passed the test
        return twiml(voice.goodbye(settings.default_language, said.CAPTCHA_WRONG))
    offered = voice.phone_languages(settings)
    digit = form.get("Digits", "")
    if not (digit.isdigit() and 1 <= int(digit) <= len(offered)):
        return twiml(voice.language_menu(settings))
    call.language = offered[int(digit) - 1]
    return twiml(voice.main_menu(settings, call.language))


@router.post("/menu", dependencies=Public)
def menu(form: Signed, db: DbDep, context: ContextDep) -> Response:
    settings, now = context.settings, context.clock.now()
    call = calls.by_sid(db, call_sid(form), now)
    if call.captcha_hash is not None:
        return twiml(voice.goodbye(settings.default_language, said.CAPTCHA_WRONG))
    language = call.language or settings.default_language
    choice = voice.MENU_DIGITS.get(form.get("Digits", ""))
    if choice == "now":
        rings = calls.on_duty(db, settings, now)
        if rings:
            calls.ringing(db, call, now)
            return twiml(voice.ring(settings, language, call.id, rings))
        calls.recording(db, call, "now")
        return twiml(voice.record(settings, call.id, language, nobody=True))
    if choice == "message":
        calls.recording(db, call, "message")
        return twiml(voice.record(settings, call.id, language))
    if choice == "rights":
        call.choice = call.choice or "rights"
        return twiml(voice.rights(settings, language))
    if choice == "repeat":
        return twiml(voice.main_menu(settings, language))
    return twiml(voice.not_offered(settings, language))


@router.post("/whisper", dependencies=Public)
def whisper(form: Signed, db: DbDep, context: ContextDep, call: CallId, op: OperatorId) -> Response:
    """Played to an operator who picked up, before the caller is put through."""
    found = calls.by_id(db, call, context.clock.now())
    if found.answered_at is not None:
        return twiml(voice.taken(context.settings))
    language = found.language or context.settings.default_language
    return twiml(voice.whisper(context.settings, language, found.id, op))


@router.post("/accept", dependencies=Public)
def accept(form: Signed, db: DbDep, context: ContextDep, call: CallId, op: OperatorId) -> Response:
    """1 takes the call (the first to press wins); anything else ends this operator's leg."""
    now = context.clock.now()
    calls.by_id(db, call, now)
    if form.get("Digits") == "1" and calls.take(db, call, op, now):
        return twiml(voice.put_through())
    if form.get("Digits") == "1":
        return twiml(voice.taken(context.settings))
    return twiml(voice.hang_up())


@router.post("/dialed", dependencies=Public)
def dialed(form: Signed, db: DbDep, context: ContextDep, call: CallId) -> Response:
    """The parallel ring is over: talked (hang up) or nobody took it (leave a message)."""
    now = context.clock.now()
    found = calls.by_id(db, call, now)
    language = found.language or context.settings.default_language
    if found.answered_at is not None or form.get("DialCallStatus") == "completed":
        calls.ended(db, found, now)
        return twiml(voice.hang_up())
    calls.recording(db, found, "now")
    return twiml(voice.record(context.settings, found.id, language, nobody=True))


@router.post("/recorded", dependencies=Public)
def recorded(form: Signed, db: DbDep, context: ContextDep, call: CallId) -> Response:
    now = context.clock.now()
    found = calls.by_id(db, call, now)
    language = found.language or context.settings.default_language
    sid = form.get("RecordingSid", "")
    seconds = form.get("RecordingDuration", "0")
    if not sid.startswith("RE") or not seconds.isdigit() or int(seconds) == 0:
        calls.ended(db, found, now)
        return twiml(voice.goodbye(language, said.NO_MESSAGE))
    calls.recorded(db, found, sid, int(seconds), now)
    return twiml(voice.goodbye(language, said.MESSAGE_THANKS))


@router.post("/status", dependencies=Public)
def call_status(form: Signed, db: DbDep, context: ContextDep) -> Response:
    """Twilio's status callback: the call is over."""
    calls.status_reported(db, call_sid(form), form.get("CallStatus"), context.clock.now())
    return twiml(voice.hang_up())
