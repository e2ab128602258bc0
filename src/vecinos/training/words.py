"""Duties and vetting levels in words, for every page that shows them."""

from __future__ import annotations

from vecinos.i18n import N_
from vecinos.training.models import Duty, VettingLevel

DUTY_WORDS = {
    Duty.LEGAL_OBSERVER: N_("Legal observer (arrests, observer requests)"),
    Duty.ACCOMPANIMENT: N_("Accompaniment to hearings and check-ins"),
    Duty.SITE_WATCH: N_("Watch at a fixed post"),
    Duty.HOTLINE: N_("Answering the hotline"),
}
LEVEL_WORDS = {
    VettingLevel.NEW: N_("New"),
    VettingLevel.VETTED: N_("Vetted"),
    VettingLevel.TRUSTED: N_("Trusted"),
}
