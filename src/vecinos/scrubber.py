"""The scrubber: public text never names, locates or contacts an individual (shared: alert
texts and the gazetteer's names both pass it).

Every public text staff write (alert edits, chosen cross streets, zone and landmark names)
passes through `check` before it is stored or sent; alert texts built from templates pass it
too. It refuses, in English and Spanish and whatever the case:

- a name after a title or honorific ("officer smith", "Sra. García", "AGENTE martinez");
- a house number anywhere ("near 1187 brooklyn ave", "frente al 1187", "calle soto 1234");
- phone numbers written with spaces, dots, dashes, words or look-alike letters
  ("323 555 0142", "three two three…", "tres dos tres…", "323-555-O142");
- e-mail addresses, also spelt out ("juan at gmail dot com", "juan arroba gmail punto com",
  "juan(at)gmail.com");
- licence plates, with spaces or dashes ("7ABC123", "7 abc 123", "ABC-1234");
- references to a specific home ("la casa de…", "the house of…", "Juan's house",
  "the blue house").

It says what it found and where (and the words themselves), so the editor can fix exactly
that part. It errs on the side of refusing: a dispatcher rewording a sentence costs seconds,
a published house number can cost a family. Cross streets ("Cesar Chavez Ave & Soto St"),
hundred blocks ("the 1200 block of Soto St"), freeway names ("I-710", "SR-60"), counts
("5 agents"), times ("10:30") and ZIP codes in parentheses ("(90033)") pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from vecinos.errors import InvalidInput
from vecinos.i18n import N_
from vecinos.scrubber_words import (
    COMMON_THREE_LETTER,
    DIGIT_WORDS,
    HOME_WORDS,
    HOUSE_MARKERS,
    MAIL_HOSTS,
    NOT_A_NAME,
    QUANTITY_WORDS,
    SPANISH_STREETS,
    STREET_SUFFIXES,
    TITLES,
    TOP_LEVEL_DOMAINS,
)


class FindingKind(StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"
    PLATE = "plate"
    HOME = "home"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int
    end: int

    def as_dict(self, text: str | None = None) -> dict[str, object]:
        """The finding for an editor; with `text`, the offending words themselves."""
        found: dict[str, object] = {"kind": self.kind.value, "start": self.start, "end": self.end}
        if text is not None:
            found["text"] = text[self.start : self.end]
        return found


class TextRefused(InvalidInput):
    code = "text_refused"

    def __init__(self, findings: list[Finding], text: str | None = None) -> None:
        kinds = ", ".join(sorted({f.kind.value for f in findings}))
        super().__init__(
            N_("Public text may not identify anyone; remove: {kinds}."),
            params={"kinds": kinds},
            details={"findings": [f.as_dict(text) for f in findings]},
        )
        self.findings = findings


def _alternatives(words: frozenset[str]) -> str:
    # Longest first, so "señorita" is tried before "señor".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


# A word: letters (any script's), apostrophes and hyphens inside.
WORD = r"[^\W\d_][\w'’-]*"
_I = re.IGNORECASE

# ---- names after titles -------------------------------------------------------------------
TITLE = re.compile(
    rf"(?<![\w'’])(?:{_alternatives(TITLES)})\.?[ \t]+(?P<name>(?:[^\W\d_]\.\s*)?{WORD}"
    rf"(?:[ \t]+{WORD})?)",
    _I,
)

# ---- houses and homes ---------------------------------------------------------------------
_SUFFIX = _alternatives(STREET_SUFFIXES)
_SPANISH = _alternatives(SPANISH_STREETS)
# "1187 brooklyn ave", "560 West Cesar Chavez Avenue": a number, up to four words, a suffix.
NUMBER_THEN_STREET = re.compile(
    rf"(?<![\w.:-])\d{{1,6}}[a-z]?(?P<words>(?:\s+[\w'.-]+){{0,4}}?)\s+(?:{_SUFFIX})\b\.?", _I
)
# "calle soto 1234", "Av. Cesar Chavez #1234", "Avenida Whittier núm. 45".
STREET_THEN_NUMBER = re.compile(
    rf"\b(?:{_SPANISH})\.?(?P<words>(?:\s+[\w'.-]+){{0,4}}?)\s+"
    rf"(?:#\s*|no\.?\s*|n[úu]m\.?\s*|n[úu]mero\s+|n[°º]\s*)?\d{{1,6}}\b(?![:.]\d)",
    _I,
)
# "1234 calle soto".
NUMBER_THEN_SPANISH = re.compile(rf"(?<![\w.:-])\d{{1,6}}\s+(?:{_SPANISH})\b\.?\s+{WORD}", _I)
# "#1187", "no. 45", "número 12", "apt 4", "frente al 1187".
MARKED_NUMBER = re.compile(
    rf"(?:#\s*|(?<![\w'’])(?:{_alternatives(HOUSE_MARKERS)})\.?\s*)\d{{1,6}}[a-z]?\b"
    r"(?![ .-]?\d)",  # "llame al 213-555-0142" is a phone number, found as one
    _I,
)
# "1187 brooklyn": three or more digits, then a word that is no count ("100 agents").
BARE_HOUSE_NUMBER = re.compile(rf"(?<![\w.:,(-])\d{{3,6}}[a-z]?\s+(?P<word>{WORD})", _I)
YEAR = re.compile(r"(?:19[89]|20[0-3])\d\s")
# A year is read as one only after a word that introduces a time ("in 1994", "desde 2024"):
# "1980 brooklyn" alone is a house, and a wrong refusal costs less than a home shown. Not after
# words that also introduce a place ("the 1980 brooklyn", "frente del 1980 brooklyn").
BEFORE_A_YEAR = re.compile(r"\b(?:in|since|during|en|desde|durante|año|year)\s+$", _I)
# … or before a word that a year qualifies ("CBP 2024 operation").
AFTER_A_YEAR = frozenset(
    {
        "operation",
        "operations",
        "operativo",
        "operativos",
        "raid",
        "raids",
        "redada",
        "redadas",
        "policy",
        "política",
        "law",
        "ley",
        "season",
        "temporada",
    }
)
_HOME = _alternatives(HOME_WORDS)
HOME_OF = re.compile(rf"\b(?:{_HOME})\s+(?:of|de|del)\b(?:\s+(?:la|el|los|las|the))?", _I)
POSSESSIVE_HOME = re.compile(rf"\b{WORD}['’]s\s+(?:{_HOME}|place|door)\b", _I)
DETERMINED_HOME = re.compile(
    rf"\b(?:the|a|his|her|their|my|your|la|el|una|un|su|sus|mi|tu)"
    rf"(?:\s+{WORD})?\s+(?:{_HOME})\b(?!\s+depot)",
    _I,
)

# ---- contacts -----------------------------------------------------------------------------
EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+")
_AT = r"\s*(?:[(\[{<]\s*(?:at|arroba|@)\s*[)\]}>]|\s(?:at|arroba)\s|@)\s*"
_DOT = r"\s*(?:[(\[{<]\s*(?:dot|punto|\.)\s*[)\]}>]|\s(?:dot|punto)\s|\.)\s*"
SPELT_EMAIL = re.compile(
    rf"\b[\w.+%-]+{_AT}(?:(?:{_alternatives(MAIL_HOSTS)})\b(?:{_DOT}\w+)*"
    rf"|[\w-]+(?:{_DOT}[\w-]+)*{_DOT}(?:{_alternatives(TOP_LEVEL_DOMAINS)})\b)",
    _I,
)
# A token that may be part of a phone number: digits (with O/o for 0 and l/I for 1 among
# them), a digit's name, or a joiner. A colon ends a run: "15:45" is a time.
PHONE_TOKEN = re.compile(
    rf"(?P<digits>\+?[\dOoIl]*\d[\dOoIl]*)|(?P<word>{WORD})|(?P<joiner>[\s.()/-]+)|.", re.DOTALL
)
LOOKALIKE = str.maketrans("OoIl", "0011")
# Dates and times are no phone numbers: "2026-06-01", "6/1/26", "15:45".
DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{1,2}:\d{2}\b")
PHONE_DIGITS = 7  # a local number; fewer digits are counts, times, ZIP codes

# ---- plates -------------------------------------------------------------------------------
# California and common US shapes: 7ABC123, ABC1234, 4AB1234, ABC 123, 123 ABC, with a space
# or dash between the parts; in lower case too.
PLATE = re.compile(
    r"(?<![\w-])(?:\d[ -]?(?P<a>[a-z]{3})[ -]?\d{3}|(?P<b>[a-z]{3})[ -]?\d{3,4}"
    r"|\d[ -]?[a-z]{2}[ -]?\d{4,5}|[a-z]{2}[ -]?\d{5}|\d{5}[ -]?[a-z]{1,2}|[a-z]\d{6,7}"
    r"|\d{3}[ -]?(?P<c>[a-z]{3}))(?![\w-])",
    _I,
)
PLATE_AFTER_WORD = re.compile(
    r"\b(?:plates?|placas?|matr[íi]cula|tag|licen[cs]e)\s*(?:#|no\.?|number|número|:)?\s*"
    r"(?=[A-Za-z0-9 -]*\d)(?=[A-Za-z0-9 -]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9-]{1,7}"
    r"(?:[ -][A-Za-z0-9]{1,4})?\b",
    _I,
)
# Road names that look like plates and are the usual coarse landmarks.
ROAD_NAME = re.compile(r"^(?:I|SR|US|CA|HWY)[ -]?\d{1,3}$", _I)
# "CBP 2024", "ICE 100": an agency with a number, not a plate.
AGENCY_NUMBER = re.compile(r"^(?:ICE|CBP|HSI|DHS|ERO|FBI|DEA|ATF|USMS)[ -]\d+$", _I)


def scan(text: str) -> list[Finding]:
    """Everything in `text` that may identify a person or a home, in order of position."""
    found = [
        *_names(text),
        *_regex(text, EMAIL, FindingKind.EMAIL),
        *_regex(text, SPELT_EMAIL, FindingKind.EMAIL),
        *_phones(text),
        *_addresses(text),
        *_homes(text),
        *_plates(text),
    ]
    return _without_nested(sorted(found, key=lambda f: (f.start, -f.end)))


def check(text: str) -> str:
    """`text` unchanged when it is safe to publish; `TextRefused` listing the findings if not."""
    findings = scan(text)
    if findings:
        raise TextRefused(findings, text)
    return text


def _regex(text: str, pattern: re.Pattern[str], kind: FindingKind) -> list[Finding]:
    return [Finding(kind, m.start(), m.end()) for m in pattern.finditer(text)]


def _names(text: str) -> Iterator[Finding]:
    for match in TITLE.finditer(text):
        words = match.group("name").split()
        first = words[0].rstrip(".").casefold()
        if len(first) > 1 and first in NOT_A_NAME:
            continue  # "officer said", "agente de ICE": a title, then an ordinary word
        end = match.end("name")
        if len(words) > 1 and words[-1].casefold() in NOT_A_NAME:
            end = match.start("name") + match.group("name").rfind(words[-1]) - 1
        yield Finding(FindingKind.NAME, match.start(), end)


def _addresses(text: str) -> Iterator[Finding]:
    for pattern in (NUMBER_THEN_STREET, STREET_THEN_NUMBER):
        for match in pattern.finditer(text):
            between = match.group("words").split()
            # "5 agents near Soto St": a count and ordinary words are no house number.
            if not any(w.casefold().strip(".,") in QUANTITY_WORDS for w in between):
                yield Finding(FindingKind.ADDRESS, match.start(), match.end())
    yield from _regex(text, NUMBER_THEN_SPANISH, FindingKind.ADDRESS)
    yield from _regex(text, MARKED_NUMBER, FindingKind.ADDRESS)
    for match in BARE_HOUSE_NUMBER.finditer(text):
        if YEAR.match(match.group()) and _reads_as_a_year(text, match):
            continue  # "the 2024 operation"
        if match.group("word").casefold() not in QUANTITY_WORDS | NOT_A_NAME:
            yield Finding(FindingKind.ADDRESS, match.start(), match.end())


def _reads_as_a_year(text: str, match: re.Match[str]) -> bool:
    follows = match.group("word").casefold() in AFTER_A_YEAR
    return follows or BEFORE_A_YEAR.search(text[: match.start()]) is not None


def _homes(text: str) -> Iterator[Finding]:
    for pattern in (HOME_OF, POSSESSIVE_HOME, DETERMINED_HOME):
        yield from _regex(text, pattern, FindingKind.HOME)


def _phones(text: str) -> Iterator[Finding]:
    # libphonenumber's matcher knows national formats and skips dates and times; POSSIBLE
    # leniency also catches the fictional 555 numbers people type as examples.
    matcher = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    yield from (Finding(FindingKind.PHONE, m.start, m.end) for m in matcher)
    yield from _spelt_phones(text)


def _spelt_phones(text: str) -> Iterator[Finding]:
    """Runs of digits, digit words and look-alike letters, joined by spaces, dots, dashes or
    brackets, that add up to a phone number's worth of digits."""
    start = end = count = 0
    undated = DATE.sub(lambda date: "x" * len(date.group()), text)
    for token in PHONE_TOKEN.finditer(undated):
        digits = _digits_in(token)
        if digits:
            if count == 0:
                start = token.start()
            count += digits
            end = token.end()
        elif token.group("joiner") is None:  # a word or other punctuation ends the run
            if count >= PHONE_DIGITS:
                yield Finding(FindingKind.PHONE, start, end)
            count = 0
    if count >= PHONE_DIGITS:
        yield Finding(FindingKind.PHONE, start, end)


def _digits_in(token: re.Match[str]) -> int:
    if token.group("digits"):
        return sum(c.isdigit() for c in token.group("digits").translate(LOOKALIKE))
    word = token.group("word")
    return 1 if word and word.casefold() in DIGIT_WORDS else 0


def _plates(text: str) -> Iterator[Finding]:
    for match in PLATE.finditer(text):
        letters = match.group("a") or match.group("b") or match.group("c") or ""
        if letters.casefold() in COMMON_THREE_LETTER:
            continue  # "and 100", "5 the 123": words, not plates
        if ROAD_NAME.match(match.group()) or AGENCY_NUMBER.match(match.group()):
            continue
        if not any(c.isupper() for c in match.group()) and not _squeezed(match.group()):
            continue  # lower case with spaces is too often words and numbers: "for 2000"
        yield Finding(FindingKind.PLATE, match.start(), match.end())
    yield from _regex(text, PLATE_AFTER_WORD, FindingKind.PLATE)


def _squeezed(token: str) -> bool:
    """Letters and digits run together ("7abc123"), or the leading digit a California plate
    starts with ("7 abc 123"): a plate even in lower case."""
    return (" " not in token and "-" not in token) or (token[0].isdigit() and len(token) >= 7)


def _without_nested(findings: list[Finding]) -> list[Finding]:
    """Drop a finding inside an earlier, longer one (a plate inside an address, say)."""
    kept: list[Finding] = []
    for finding in findings:
        if kept and finding.end <= kept[-1].end:
            continue
        kept.append(finding)
    return kept
