"""Words for codes: every state, kind, event, role, audit action and channel a person may read.

The database and the API speak in stable codes (`verifying`, `dispatch.en_route`); people read
words in their language. Templates use the `word` filter (`{{ incident.state | word("state") }}`)
and pages that draw with JavaScript get the tables they need as JSON (`words_json`).
A code without a word is shown as the code itself: the Spanish page test then finds it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from vecinos.i18n import N_, gettext
from vecinos.vocabulary import ACTIVITY_LABELS, AGENCY_LABELS

STATE = {
    "reported": N_("reported"),
    "verifying": N_("being verified"),
    "confirmed": N_("confirmed"),
    "unfounded": N_("unfounded"),
    "ended": N_("ended"),
    "expired": N_("expired"),
}
# What the badge on an incident says: unverified until a responder confirms it.
LABEL = {
    "unverified": N_("UNVERIFIED"),
    "confirmed": N_("CONFIRMED"),
    "unfounded": N_("UNFOUNDED"),
}
EVENT = {
    "opened": N_("First report"),
    "report_added": N_("Another report"),
    "state_changed": N_("State changed"),
    "alert.published": N_("Alert published"),
    "media_added": N_("File received"),
    "media_deleted": N_("File deleted (retention policy)"),
    "recording_started": N_("Recording started"),
    "recording_finished": N_("Recording finished"),
    "legal_hold_placed": N_("Legal hold placed"),
    "legal_hold_released": N_("Legal hold released"),
    "dispatch.requested": N_("Verification requested"),
    "dispatch.offered": N_("Responders were asked"),
    "dispatch.accepted": N_("Responder accepted"),
    "dispatch.declined": N_("Responder declined"),
    "dispatch.en_route": N_("Responder on the way"),
    "dispatch.on_scene": N_("Responder on scene"),
    "dispatch.finding": N_("Finding reported"),
    "dispatch.offer_expired": N_("Offer expired unanswered"),
    "dispatch.withdrawn": N_("Offers withdrawn"),
    "dispatch.widened": N_("Search widened"),
    "dispatch.escalated": N_("Escalated"),
    "dispatch.exhausted": N_("Nobody left to ask"),
    "dispatch.cancelled": N_("Verification cancelled"),
    "dispatch.closed": N_("Verification closed"),
}
ROLE = {
    "responder": N_("responder"),
    "dispatcher": N_("dispatcher"),
    "legal": N_("legal support"),
    "coordinator": N_("coordinator"),
    "coalition_admin": N_("coalition admin"),
}
AUDIT = {
    "api_token.created": N_("API token created"),
    "api_token.revoked": N_("API token revoked"),
    "evidence.exported": N_("Evidence exported"),
    "evidence.hold_placed": N_("Legal hold placed"),
    "evidence.hold_released": N_("Legal hold released"),
    "evidence.retention_set": N_("Retention policy set"),
    "evidence.original_viewed": N_("Original file opened"),
    "evidence.original_refused": N_("Original file refused"),
    "cases.opened": N_("Follow-up case opened"),
    "cases.viewed": N_("Follow-up case read"),
    "cases.updated": N_("Follow-up case changed"),
    "cases.exported": N_("Follow-up case exported"),
    "cases.export_recipient": N_("Export recipient set"),
    "cases.listed": N_("Follow-up cases listed"),
    "cases.refused": N_("Follow-up case refused"),
    "cases.purged": N_("Follow-up case purged"),
    "landmark.created": N_("Landmark added"),
    "landmark.changed": N_("Landmark changed"),
    "landmark.deleted": N_("Landmark removed"),
    "invite.accepted": N_("Invite accepted"),
    "invite.created": N_("Invite created"),
    "invite.revoked": N_("Invite revoked"),
    "login.failed": N_("Failed sign-in"),
    "login.password": N_("Signed in (password)"),
    "login.recovery_code": N_("Signed in with a recovery code"),
    "login.signed_out_everywhere": N_("Signed out everywhere"),
    "login.totp": N_("Two-factor code accepted"),
    "member.removed": N_("Member removed"),
    "member.roles_changed": N_("Roles changed"),
    "organization.created": N_("Organization created"),
    "organization.settings_changed": N_("Settings changed"),
    "totp.enrolled": N_("Two-factor set up"),
    "training.course_created": N_("Training course added"),
    "training.course_changed": N_("Training course changed"),
    "training.recorded": N_("Training recorded"),
    "training.removed": N_("Training record removed"),
    "training.vetting_set": N_("Vetting level set"),
    "coverage.broadcast": N_("Message to volunteers sent"),
}
CHANNEL = {
    "sms": N_("text message"),
    "whatsapp": N_("WhatsApp"),
    "email": N_("e-mail"),
    "push": N_("notification"),
    "webhook": N_("partner webhook"),
    "log": N_("log"),
}
SOURCE = {
    "web": N_("web form"),
    "hotline": N_("hotline"),
    "sms": N_("text message"),
    "api": N_("API"),
}
OFFER = {
    "offered": N_("asked"),
    "accepted": N_("accepted"),
    "declined": N_("declined"),
    "expired": N_("did not answer"),
    "withdrawn": N_("withdrawn"),
    "en_route": N_("on the way"),
    "on_scene": N_("on scene"),
    "reported": N_("reported a finding"),
}
FINDING = {
    "confirmed": N_("confirmed"),
    "not_found": N_("not found"),
    "different_activity": N_("different activity"),
}
MEDIA = {
    "photo": N_("photo"),
    "video": N_("video"),
    "audio": N_("audio"),
}
STAGE = {
    "near": N_("nearby"),
    "wider": N_("wider area"),
    "partners": N_("partner organizations"),
}
# What the scrubber found in a text meant for the public.
SCRUBBED = {
    "name": N_("a name"),
    "phone": N_("a phone number"),
    "email": N_("an e-mail address"),
    "address": N_("a house address"),
    "plate": N_("a licence plate"),
}
# What arrived in the demo inbox.
INBOX = {
    "optin": N_("Confirmation"),
    "alert": N_("Alert"),
    "texted": N_("Sent from this phone"),
    "reply": N_("Answer"),
    "notice": N_("Notice"),
}
LANGUAGE = {
    "en": N_("English"),
    "es": N_("Spanish"),
    "zh-Hans": N_("Chinese (Simplified)"),
    "zh-Hant": N_("Chinese (Traditional)"),
    "ko": N_("Korean"),
    "tl": N_("Tagalog"),
    "vi": N_("Vietnamese"),
    "hy": N_("Armenian"),
    "fa": N_("Farsi"),
    "ru": N_("Russian"),
}

# What kind of alert it is, as its banner says.
KIND_LABELS: dict[str, str] = {
    "confirmed": N_("CONFIRMED by volunteers"),
    "unconfirmed": N_("UNCONFIRMED — being checked"),
    "update": N_("Update"),
    "rumour_control": N_("RUMOUR CONTROL — not confirmed"),
    "all_clear": N_("ALL CLEAR"),
}
TABLES: dict[str, Mapping[str, str]] = {
    "state": STATE,
    "label": LABEL,
    "event": EVENT,
    "role": ROLE,
    "audit": AUDIT,
    "channel": CHANNEL,
    "source": SOURCE,
    "offer": OFFER,
    "finding": FINDING,
    "media": MEDIA,
    "stage": STAGE,
    "scrubbed": SCRUBBED,
    "inbox": INBOX,
    "language": LANGUAGE,
}


def tables() -> dict[str, Mapping[str, str]]:
    """Every table, with the activity and agency words of what reports saw."""
    return {
        **TABLES,
        "activity": {str(k): v for k, v in ACTIVITY_LABELS.items()},
        "agency": {str(k): v for k, v in AGENCY_LABELS.items()},
        "alert": KIND_LABELS,
    }


def word(language: str, table: str, code: object) -> str:
    """The word for `code` in `language`, or the code itself when nobody gave it one."""
    key = str(code)
    msgid = tables()[table].get(key)
    return gettext(language, msgid) if msgid else key


def words(language: str, *names: str) -> dict[str, dict[str, str]]:
    """Tables translated for a page's script."""
    every = tables()
    return {name: {k: gettext(language, v) for k, v in every[name].items()} for name in names}


def words_json(language: str, *names: str) -> str:
    return json.dumps(words(language, *names), ensure_ascii=False)
