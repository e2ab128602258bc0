"""Every user-facing string marked in the code has a Spanish translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir

import vecinos
from vecinos.i18n import gettext, merged_catalog, negotiate

SOURCE = Path(vecinos.__file__).parent
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]


def marked_messages() -> set[str | tuple[str, str]]:
    """Every marked msgid; a plural one as its (singular, plural) pair."""
    keywords = {"N_": None, "_": None, "gettext": (2,), "ngettext": (1, 2)}
    found = extract_from_dir(str(SOURCE), METHOD_MAP, keywords=keywords)
    return {
        message if isinstance(message, str) else (message[0], message[1])
        for _, _, message, _, _ in found
        if isinstance(message, str) or (isinstance(message, tuple) and len(message) >= 2)
    }


def marked_strings() -> set[str]:
    return {message for message in marked_messages() if isinstance(message, str)}


def test_every_marked_string_has_a_spanish_translation() -> None:
    spanish = merged_catalog("es")
    missing = sorted(m for m in marked_strings() if m not in spanish)
    assert missing == [], f"add these to a .po file under i18n/locales/es: {missing}"


def test_every_marked_plural_has_both_spanish_forms() -> None:
    spanish = merged_catalog("es")
    plurals = [m for m in marked_messages() if isinstance(m, tuple)]
    assert plurals, "the board's counts are plurals: extraction must find them"
    missing = []
    for singular, plural in plurals:
        found = spanish.get(singular)
        if found is None or not isinstance(found.string, tuple) or not all(found.string):
            missing.append((singular, plural))
    assert missing == [], f"add both plural forms to a .po file: {missing}"


def test_marked_strings_are_found() -> None:
    assert "Wrong e-mail or password." in marked_strings()


def test_translation_keeps_placeholders() -> None:
    translated = gettext("es", "Too many failed attempts. Try again in {seconds} seconds.")
    assert translated.format(seconds=30) == (
        "Demasiados intentos fallidos. Vuelva a intentarlo en 30 segundos."
    )


def test_language_negotiation() -> None:
    assert negotiate("es-MX,es;q=0.9,en;q=0.5", "en") == "es"
    assert negotiate("en-US", "es") == "en"
    assert negotiate("ko-KR", "es") == "es"
    assert negotiate(None, "en") == "en"
