"""Languages of the interface, backed by Babel catalogs kept as `.po` files in this package.

Catalogs are compiled in memory on first use, so there is no build step and no stale `.mo`.
Each domain keeps its own catalog file (`locales/es/LC_MESSAGES/<domain>.po`); all files of a
language are merged into one catalog, so domains translate their strings side by side.
Mark a literal for extraction with `N_()` where it is defined and translate it with
`gettext(language, msgid)` where the language is known (a request, a subscriber).

The interface is in English and Spanish. A few strings go further: what the hotline says on the
phone is also kept for the rights kit's other languages (a folder per language, named as Babel
spells it: `zh_Hans`). Those languages translate what their catalogs hold and fall back to
English for the rest; they are not offered as interface languages.
"""

from __future__ import annotations

import gettext as _gettext
import re
from functools import cache, lru_cache
from importlib import resources
from io import BytesIO
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.localedata import locale_identifiers
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE_LANGUAGE = "en"
INTERFACE_LANGUAGES: dict[str, str] = {"en": "English", "es": "Español"}
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


@cache
def merged_catalog(language: str) -> Catalog:
    """Every domain's catalog file of one language, as one Babel catalog."""
    merged = Catalog(locale=_folder_of(language))
    folder = resources.files(__package__).joinpath("locales", _folder_of(language), "LC_MESSAGES")
    if not folder.is_dir():
        return merged
    for po_file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not po_file.name.endswith(".po"):
            continue
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale=_folder_of(language)):
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message
    return merged


def _folder_of(language: str) -> str:
    """ "zh-Hans" (as the rights kit and the phone name it) is Babel's "zh_Hans"."""
    return language.replace("-", "_")


def has_catalog(language: str) -> bool:
    """A language other than the source one with a folder of its own (a code, never a path)."""
    if language == SOURCE_LANGUAGE or not LANGUAGE_CODE.fullmatch(language):
        return False
    return resources.files(__package__).joinpath("locales", _folder_of(language)).is_dir()


@cache
def translations(language: str) -> _gettext.NullTranslations:
    if not has_catalog(language):
        return _gettext.NullTranslations()
    compiled = BytesIO()
    write_mo(compiled, merged_catalog(language))
    compiled.seek(0)
    return _gettext.GNUTranslations(compiled)


def gettext(language: str, message: str) -> str:
    return translations(language).gettext(message)


def ngettext(language: str, singular: str, plural: str, n: int) -> str:
    return translations(language).ngettext(singular, plural, n)


# Remembered: Babel looks for each candidate's locale data on disk (a `stat` per language),
# a tenth of the CPU of a public feed request. Phones send a handful of distinct headers.
@lru_cache(maxsize=512)
def negotiate(accept_language: str | None, default: str) -> str:
    """Pick the best interface language for an `Accept-Language` header."""
    if not accept_language:
        return default
    preferred = [
        part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")
    ]
    chosen = Locale.negotiate([p for p in preferred if p and p != "*"], list(INTERFACE_LANGUAGES))
    return str(chosen) if chosen else default


def document_language(schema: dict[str, Any]) -> None:
    """`json_schema_extra` for a language field: the codes `is_language` takes, as Babel
    spells them, so the OpenAPI document lists what the service accepts."""
    schema["enum"] = language_codes()


@cache
def language_codes() -> list[str]:
    return sorted(locale_identifiers())


def is_language(code: str) -> bool:
    """True for any language Babel knows (subscribers may pick languages we only partly cover)."""
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return False
    return True
