"""An alert's texts: the templates' (`texts.render`) for every language that will read it, the
dispatcher's edits on top, the unconfirmed label, and the scrubber's last word.

Texts are keyed by language tag. An edit of a base language (`es`) also speaks for its
regional variants (`es-MX`), so an edited Spanish text reaches every Spanish reader.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from vecinos import scrubber
from vecinos.alerts import texts
from vecinos.alerts.models import AlertKind
from vecinos.alerts.optin import interface_language
from vecinos.config import Settings
from vecinos.errors import InvalidInput
from vecinos.i18n import N_, gettext
from vecinos.incidents.models import Incident

UNCONFIRMED_LABEL = N_("UNCONFIRMED, being checked:")
MAX_TEXT = 1000  # an SMS alert is split by the provider; a wall of text helps no one
ALWAYS = frozenset({"en", "es"})  # English is every language's fallback; Spanish is complete


@dataclass(frozen=True)
class Composed:
    texts: dict[str, str]
    subjects: dict[str, str]


def compose(
    incident: Incident,
    kind: AlertKind,
    languages: Collection[str],
    edits: Mapping[str, str],
    *,
    settings: Settings,
    now: datetime,
) -> Composed:
    rendered = _render(incident, kind, set(languages) | ALWAYS, settings, now)
    edited = {lang: text.strip() for lang, text in edits.items()}
    # Defaults of a variant give way to an edit of its base language (es-MX to es).
    kept = {
        lang: t.text
        for lang, t in rendered.items()
        if lang in edited or lang.split("-")[0] not in edited
    }
    return Composed(
        texts=labelled(kind, {**kept, **edited}),
        subjects={lang: t.subject for lang, t in rendered.items()},
    )


def _render(
    incident: Incident, kind: AlertKind, languages: set[str], settings: Settings, now: datetime
) -> dict[str, texts.AlertText]:
    facts = texts.facts_of(incident, kind)
    try:
        return texts.render_all(facts, languages, settings=settings, now=now)
    except scrubber.TextRefused:
        # Cross streets a reporter typed may hold a house number: fall back to the coarse
        # point, so a confirmed alert still goes out on time.
        coarse = f"{incident.public_lat:.2f}, {incident.public_lon:.2f}"
        facts = dataclasses.replace(facts, place=coarse)
        return texts.render_all(facts, languages, settings=settings, now=now)


def labelled(kind: AlertKind, found: Mapping[str, str]) -> dict[str, str]:
    """An unconfirmed notice carries its label in its own language, whatever was typed."""
    if kind is not AlertKind.UNCONFIRMED:
        return dict(found)
    out = {}
    for lang, text in found.items():
        marker = texts.UNCONFIRMED_MARKERS.get(interface_language(lang), "UNCONFIRMED")
        label = gettext(interface_language(lang), UNCONFIRMED_LABEL)
        out[lang] = text if marker in text else f"{label} {text}"
    return out


def findings(found: Mapping[str, str]) -> dict[str, list[dict[str, object]]]:
    """The scrubber's findings per language; empty when every text may be published."""
    seen: dict[str, list[dict[str, object]]] = {}
    for lang, text in found.items():
        if hits := scrubber.scan(text):
            seen[lang] = [f.as_dict() for f in hits]
    return seen


def validate(found: Mapping[str, str]) -> None:
    if "en" not in found:
        raise InvalidInput(N_("An alert needs at least an English text."), code="alert_needs_en")
    if any(not t.strip() or len(t) > MAX_TEXT for t in found.values()):
        raise InvalidInput(
            N_("Each alert text needs 1 to {max} characters."),
            params={"max": MAX_TEXT},
            code="alert_text_length",
        )
    for lang, text in found.items():
        try:
            scrubber.check(text)
        except scrubber.TextRefused as refused:
            refused.details["language"] = lang
            raise
