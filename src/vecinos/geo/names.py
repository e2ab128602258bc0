"""How typed place names are compared: case and accents do not matter ("Boyle Hts" finds
"boyle heights", "Plaza Mexico" finds "Plaza México")."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, accents stripped, inner spaces collapsed: the key searches compare."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())
