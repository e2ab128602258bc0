"""What our number texts back, in the sender's language; every text fits two SMS segments
(`tests/hotline/test_words.py` checks each in every interface language)."""

from __future__ import annotations

from vecinos.config import Settings
from vecinos.i18n import N_, gettext
from vecinos.vocabulary import Activity

# The "what" menu, in the order people read it; a number picks the activity.
WHAT_CHOICES: tuple[Activity, ...] = (
    Activity.AGENTS_ON_FOOT,
    Activity.VEHICLES_STAGED,
    Activity.DOOR_KNOCKING,
    Activity.ARREST_IN_PROGRESS,
    Activity.CHECKPOINT,
    Activity.OTHER,
)
WHEN_MINUTES_AGO = (0, 15, 60)  # the "when" menu: now, about 15 minutes ago, about an hour ago

ASK_WHAT = N_(
    "{coalition}: what do you see? Reply 1 agents on foot, 2 vehicles, 3 knocking on doors,"
    " 4 an arrest, 5 a checkpoint, 6 other."
)
ASK_WHERE = N_(
    "Where? Reply a neighbourhood, a ZIP code or a place people know (a school, a park)."
)
ASK_PICK = N_("Which one? {choices}. Or reply another name.")
ASK_WHEN = N_("When? Reply 1 now, 2 about 15 minutes ago, 3 about an hour ago.")
RECEIPT = N_(
    "{coalition}: report {reference} received, thank you. It is NOT verified yet: volunteers"
    " will check, and we will text you what they find."
)
# When no status line can follow (WhatsApp without a WhatsApp sender): no promise of one.
RECEIPT_ONLY = N_(
    "{coalition}: report {reference} received, thank you. It is NOT verified yet: volunteers"
    " will check it."
)
UNKNOWN_CHOICE = N_("Please reply with a number from 1 to {count}.")
UNKNOWN_PLACE = N_(
    "We do not know that place. Reply a neighbourhood, a ZIP code or a school or park nearby."
)
TOO_LONG = N_("That is too long for this step. Please reply with a short answer.")
EXPIRED = N_(
    "{coalition}: your report was not finished in time, so nothing was kept. Text {keyword} to"
    " start again."
)
NOTHING_OPEN = N_("{coalition}: no report is in progress. Text {keyword} to report what you see.")
NOT_PLACED = N_("That place is outside our area. Reply a neighbourhood or ZIP code in our area.")

STATUS_CONFIRMED = N_("{coalition}: report {reference} checked: volunteers confirmed it.")
STATUS_UNFOUNDED = N_(
    "{coalition}: report {reference} checked: volunteers found nothing there. Thank you."
)
STATUS_EXPIRED = N_("{coalition}: report {reference} could not be checked in time.")

ALERTS_ON = N_(
    "{coalition}: alerts on for {area} (confirmed activity only). ZONES lists them, STOP ends."
)
ALERTS_HOW = N_("{coalition}: text ALERTS and a neighbourhood or ZIP code, e.g. ALERTS 90033.")
ZONES_NONE = N_("{coalition}: this number gets no alerts. Text ALERTS and a ZIP code to start.")
ZONES_LIST = N_("{coalition}: alerts for {areas}. Text STOP to end.")
AROUND = N_("{km} km around {place}")


def say(language: str, message: str, settings: Settings, **params: str) -> str:
    """`message` in `language`, with the coalition's name and `params` filled in."""
    return gettext(language, message).format(coalition=settings.coalition_name, **params)
