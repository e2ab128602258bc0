"""The scrubber: public text never names, locates or contacts an individual (shared: alert
texts and the gazetteer's names both pass it).

Every public text (alert, notice, feed entry) passes through `check` before it is stored or
sent. It refuses names after titles ("Officer Smith", "Sra. García"), phone numbers, e-mail
addresses, street addresses with a house number (English and Spanish forms) and licence
plates, and says what it found and where, so the editor can fix exactly that part.

It errs on the side of refusing: a dispatcher rewording a sentence costs seconds, a published
house number can cost a family. Cross streets ("Cesar Chavez Ave & Soto St"), hundred blocks
("the 1200 block of Soto St") and freeway names ("I-710", "SR-60") pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from vecinos.errors import InvalidInput
from vecinos.i18n import N_


class FindingKind(StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    PLATE = "plate"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int
    end: int

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind.value, "start": self.start, "end": self.end}


class TextRefused(InvalidInput):
    code = "text_refused"

    def __init__(self, findings: list[Finding]) -> None:
        kinds = ", ".join(sorted({f.kind.value for f in findings}))
        super().__init__(
            N_("Public text may not identify anyone; remove: {kinds}."),
            params={"kinds": kinds},
            details={"findings": [f.as_dict() for f in findings]},
        )
        self.findings = findings


_UPPER = "A-ZÁÉÍÓÚÜÑ"
_LOWER = "a-záéíóúüñ"
# Titles people are called by; a capitalised word after one is taken for a name.
_TITLES = (
    r"officer|agent|deputy|sergeant|sgt|detective|det|lieutenant|lt|captain|capt|inspector"
    r"|supervisor|trooper|marshal|mr|mrs|ms|miss|dr|sr|sra|srta|don|doña|señor|señora|señorita"
    r"|oficial|agente|alguacil|sargento|teniente|capitán|capitan|detective|comandante|jefe"
)
NAME_AFTER_TITLE = re.compile(
    rf"\b(?i:{_TITLES})\.?\s+[{_UPPER}][{_LOWER}'’-]+(?:\s+[{_UPPER}][{_LOWER}'’-]+)?"
)
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")

_SUFFIXES = (
    r"st|street|ave|av|avenue|blvd|boulevard|rd|road|dr|drive|ln|lane|way|pl|place|ct|court"
    r"|ter|terrace|pkwy|parkway|hwy|highway|cir|circle|sq|square|trl|trail|aly|alley"
)
_SPANISH_STREETS = (
    r"calle|avenida|av|avda|bulevar|boulevard|blvd|camino|paseo|carretera|callejón|callejon"
    r"|privada|cerrada|calzada|andador"
)
# "1234 E 1st St", "560 West Cesar Chavez Avenue": a number, capitalised words, a suffix.
# The words must be capitalised (or ordinals), so "5 agents at Main St" is not an address.
_STREET_WORD = rf"(?:[{_UPPER}0-9][\w'.-]*)"
ENGLISH_ADDRESS = re.compile(
    rf"\b\d{{1,6}}[A-Za-z]?\s+(?:{_STREET_WORD}\s+){{1,4}}?(?i:{_SUFFIXES})\b\.?"
)
# "Calle Soto 1234", "Av. Cesar Chavez #1234", "Avenida Whittier núm. 45", "1234 Calle Soto".
SPANISH_ADDRESS = re.compile(
    rf"\b(?i:{_SPANISH_STREETS})\.?\s+(?:{_STREET_WORD}\s+){{0,4}}?"
    r"(?i:#\s*|no\.?\s*|n[úu]m\.?\s*|n[úu]mero\s+)?\d{1,6}\b"
    rf"|\b\d{{1,6}}\s+(?i:{_SPANISH_STREETS})\b\.?\s+[{_UPPER}]"
)
# California and common US plate shapes, upper case: 7ABC123, ABC1234, ABC 123, 4AB1234.
PLATE = re.compile(
    r"\b(?:\d[A-Z]{3}\d{3}|[A-Z]{3}[ -]?\d{3,4}|\d[A-Z]{2}\d{4,5}|[A-Z]{2}\d{5}|\d{5}[A-Z]{1,2}"
    r"|[A-Z]\d{6,7}|\d{3}[ -]?[A-Z]{3})\b"
)
# After a word that announces a plate, any letters-and-digits token is one.
PLATE_AFTER_WORD = re.compile(
    r"\b(?i:plates?|placas?|matr[íi]cula|tag|licen[cs]e)\s*(?:#|no\.?|number|número|:)?\s*"
    r"(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9-]{3,8}\b"
)
# Road names that look like plates and are the usual coarse landmarks.
ROAD_NAME = re.compile(r"^(?:I|SR|US|CA|HWY)[ -]?\d{1,3}$")
# "CBP 2024", "ICE 100": an agency with a number, not a plate (a plate has no space there).
AGENCY_NUMBER = re.compile(r"^(?:ICE|CBP|HSI|DHS|ERO|FBI|DEA|ATF|USMS)[ -]\d+$")


def scan(text: str) -> list[Finding]:
    """Everything in `text` that may identify a person or a home, in order of position."""
    found = [
        *_regex(text, NAME_AFTER_TITLE, FindingKind.NAME),
        *_regex(text, EMAIL, FindingKind.EMAIL),
        *_phones(text),
        *_regex(text, ENGLISH_ADDRESS, FindingKind.ADDRESS),
        *_regex(text, SPANISH_ADDRESS, FindingKind.ADDRESS),
        *_plates(text),
    ]
    return _without_nested(sorted(found, key=lambda f: (f.start, -f.end)))


def check(text: str) -> str:
    """`text` unchanged when it is safe to publish; `TextRefused` listing the findings if not."""
    findings = scan(text)
    if findings:
        raise TextRefused(findings)
    return text


def _regex(text: str, pattern: re.Pattern[str], kind: FindingKind) -> list[Finding]:
    return [Finding(kind, m.start(), m.end()) for m in pattern.finditer(text)]


def _phones(text: str) -> list[Finding]:
    # libphonenumber's matcher knows national formats and skips dates and times; POSSIBLE
    # leniency also catches the fictional 555 numbers people type as examples.
    matcher = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    found = [Finding(FindingKind.PHONE, m.start, m.end) for m in matcher]
    # Seven-digit local numbers ("555-0142") are too short for the matcher without a region.
    found += _regex(text, re.compile(r"(?<![\d-])\d{3}[ .-]\d{4}(?![\d-])"), FindingKind.PHONE)
    return found


def _plates(text: str) -> list[Finding]:
    found = [
        Finding(FindingKind.PLATE, m.start(), m.end())
        for m in PLATE.finditer(text)
        if not (ROAD_NAME.match(m.group()) or AGENCY_NUMBER.match(m.group()))
    ]
    return found + _regex(text, PLATE_AFTER_WORD, FindingKind.PLATE)


def _without_nested(findings: list[Finding]) -> list[Finding]:
    """Drop a finding inside an earlier, longer one (a plate inside an address, say)."""
    kept: list[Finding] = []
    for finding in findings:
        if kept and finding.end <= kept[-1].end:
            continue
        kept.append(finding)
    return kept
