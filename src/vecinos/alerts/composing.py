"""An alert's texts: the templates' (`texts.render`) for every language that will read it, the
dispatcher's edits on top, the unconfirmed label, and the scrubber's last word.

The facts come from the incident's structured fields and the gazetteer's name for its place
(`facts_of`); the reports' free text never does. Cross streets enter only when the dispatcher
chose them for this alert, and then through the scrubber.

Texts are keyed by language tag. An edit of a base language (`es`) also speaks for its
regional variants (`es-MX`), so an edited Spanish text reaches every Spanish reader.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from vecinos import scrubber
from vecinos.alerts import texts
from vecinos.alerts.models import AlertKind
from vecinos.alerts.optin import interface_language
from vecinos.alerts.texts import AlertText
from vecinos.config import Settings
from vecinos.crypto import blind_index, constant_time_equal
from vecinos.errors import Conflict, InvalidInput
from vecinos.geo.gazetteer import PublicPlace, public_place
from vecinos.i18n import INTERFACE_LANGUAGES, N_, gettext
from vecinos.incidents.models import Incident
from vecinos.reports.models import Report
from vecinos.vocabulary import Agency

UNCONFIRMED_LABEL = N_("UNCONFIRMED, being checked:")
ALWAYS = frozenset({"en", "es"})  # English is every language's fallback; Spanish is complete
CROSS_STREETS_MAX = 80
# The time a kind speaks of: a closing notice says when it closed, the others when last seen.
CLOSING = frozenset({AlertKind.RUMOUR_CONTROL, AlertKind.ALL_CLEAR})


@dataclass(frozen=True)
class Edits:
    """What a dispatcher changed: full and short texts by language, chosen cross streets."""

    texts: Mapping[str, str] = field(default_factory=dict)
    short_texts: Mapping[str, str] = field(default_factory=dict)
    cross_streets: str | None = None


DRAFT_PURPOSE = "alert-draft"


def draft_key(settings: Settings, incident_id: int, kind: AlertKind, edits: Edits) -> str:
    """What a preview vouches for: this incident, this kind, these edits. The composer sends
    it back with Publish, so text previewed for one incident is never published for another."""
    drafted = {
        "incident": incident_id,
        "kind": kind.value,
        "texts": dict(edits.texts),
        "short_texts": dict(edits.short_texts),
        "cross_streets": edits.cross_streets,
    }
    return blind_index(settings.secret, DRAFT_PURPOSE, json.dumps(drafted, sort_keys=True))


def check_draft_key(
    settings: Settings, incident_id: int, kind: AlertKind, edits: Edits, sent: str
) -> None:
    if not constant_time_equal(draft_key(settings, incident_id, kind, edits), sent):
        raise Conflict(
            N_("This text was not previewed for this incident and kind; preview it again."),
            code="draft_not_previewed",
        )


@dataclass(frozen=True)
class Composed:
    texts: dict[str, str]  # full forms
    short_texts: dict[str, str]
    place: PublicPlace
    cross_streets: str | None
    rendered: dict[str, AlertText]  # the templates' own, for the preview's details


def facts_of(
    db: Session, incident: Incident, kind: AlertKind, settings: Settings, cross_streets: str | None
) -> texts.AlertFacts:
    """The public facts: structured fields, the gazetteer's place, a chosen street pair."""
    place = public_place(
        db,
        incident.lat,
        incident.lon,
        landmark_radius_m=settings.place_landmark_radius_m,
        organization_id=incident.organization_id,
    )
    at = incident.state_changed_at if kind in CLOSING else incident.last_seen_at
    agency = marked_agency(db, incident.id)
    return texts.AlertFacts(kind, incident.activity, agency, place, at, cross_streets)


def marked_agency(db: Session, incident_id: int) -> str | None:
    """The agency the reports saw marked, when they agree on one; otherwise none is named."""
    seen = set(db.scalars(select(Report.agency).where(Report.incident_id == incident_id)))
    seen.discard(Agency.UNKNOWN.value)
    return str(seen.pop()) if len(seen) == 1 else None


def chosen_cross_streets(value: str | None) -> str | None:
    """A dispatcher's explicit street pair, checked on its own so the error names it."""
    if value is None:
        return None
    streets = " ".join(value.split())
    if not 3 <= len(streets) <= CROSS_STREETS_MAX:
        raise InvalidInput(
            N_("Cross streets chosen for an alert need 3 to {max} characters."),
            params={"max": CROSS_STREETS_MAX},
            code="invalid_cross_streets",
        )
    try:
        return scrubber.check(streets)
    except scrubber.TextRefused as refused:
        refused.details["field"] = "cross_streets"
        raise


def compose(
    db: Session,
    incident: Incident,
    kind: AlertKind,
    languages: Collection[str],
    edits: Edits,
    *,
    settings: Settings,
    now: datetime,
) -> Composed:
    streets = chosen_cross_streets(edits.cross_streets)
    facts = facts_of(db, incident, kind, settings, streets)
    rendered = texts.render_all(facts, set(languages) | ALWAYS, settings=settings, now=now)
    full = _with_edits({k: t.text for k, t in rendered.items()}, edits.texts)
    short = _with_edits({k: t.short for k, t in rendered.items()}, edits.short_texts)
    return Composed(labelled(kind, full), labelled(kind, short), facts.place, streets, rendered)


def _with_edits(defaults: Mapping[str, str], edits: Mapping[str, str]) -> dict[str, str]:
    edited = {lang: text.strip() for lang, text in edits.items()}
    # Defaults of a variant give way to an edit of its base language (es-MX to es).
    kept = {
        lang: text
        for lang, text in defaults.items()
        if lang in edited or lang.split("-")[0] not in edited
    }
    return {**kept, **edited}


def labelled(kind: AlertKind, found: Mapping[str, str]) -> dict[str, str]:
    """An unconfirmed notice carries its label in its own language, whatever was typed."""
    if kind is not AlertKind.UNCONFIRMED:
        return dict(found)
    out = {}
    for lang, text in found.items():
        marker = texts.templates()[texts.template_language(lang)].unconfirmed_marker
        own = interface_language(lang)
        label = gettext(own, UNCONFIRMED_LABEL) if own in INTERFACE_LANGUAGES else marker
        out[lang] = text if marker in text else f"{label} {text}"
    return out


def findings(found: Mapping[str, str]) -> dict[str, list[dict[str, object]]]:
    """The scrubber's findings per language, with the offending words; empty when every
    text may be published."""
    seen: dict[str, list[dict[str, object]]] = {}
    for lang, text in found.items():
        if hits := scrubber.scan(text):
            seen[lang] = [f.as_dict(text) for f in hits]
    return seen


def validate(made: Composed) -> None:
    """Every text present, within its form's limit, and passing the scrubber."""
    if "en" not in made.texts or "en" not in made.short_texts:
        raise InvalidInput(N_("An alert needs at least an English text."), code="alert_needs_en")
    for form, found in (("full", made.texts), ("short", made.short_texts)):
        for lang, text in found.items():
            _check_one(form, lang, text)


def _check_one(form: str, lang: str, text: str) -> None:
    if not text.strip():
        raise InvalidInput(
            N_("An alert text in {language} is empty."),
            params={"language": lang},
            details={"form": form, "language": lang},
            code="alert_text_empty",
        )
    if len(text) > texts.LIMITS[form]:
        raise texts.TextTooLong(
            N_("An alert text in {language} has {length} characters; this form takes {max}."),
            params={"language": lang, "length": len(text), "max": texts.LIMITS[form]},
            details={"form": form, "language": lang},
        )
    try:
        scrubber.check(text)
    except scrubber.TextRefused as refused:
        refused.details.update(language=lang, form=form)
        raise
