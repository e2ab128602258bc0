"""Which Noto font prints which language, where Debian installs it, and which package has it.

WeasyPrint finds fonts through fontconfig by family name; we check the Debian file first so a
missing font is a clear error naming the package, not a page of empty boxes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vecinos.rights.errors import MissingTool

NOTO_CORE = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK = Path("/usr/share/fonts/opentype/noto")


@dataclass(frozen=True)
class Font:
    family: str
    file: Path
    package: str


LATIN = Font("Noto Sans", NOTO_CORE / "NotoSans-Regular.ttf", "fonts-noto-core")
FONTS: dict[str, Font] = {
    "zh-Hans": Font("Noto Sans CJK SC", NOTO_CJK / "NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    "zh-Hant": Font("Noto Sans CJK TC", NOTO_CJK / "NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    "ko": Font("Noto Sans CJK KR", NOTO_CJK / "NotoSansCJK-Regular.ttc", "fonts-noto-cjk"),
    "hy": Font("Noto Sans Armenian", NOTO_CORE / "NotoSansArmenian-Regular.ttf", "fonts-noto-core"),
    "fa": Font("Noto Naskh Arabic", NOTO_CORE / "NotoNaskhArabic-Regular.ttf", "fonts-noto-core"),
}


def fonts_for(code: str) -> list[Font]:
    """The language's own font first, then Noto Sans for Latin letters (links, numbers)."""
    own = FONTS.get(code)
    return [own, LATIN] if own else [LATIN]


def require_fonts(code: str) -> str:
    """The CSS font-family list for `code`; raises MissingTool naming the Debian package."""
    fonts = fonts_for(code)
    for font in fonts:
        if not font.file.exists():
            raise MissingTool(f"Font {font.family} ({font.file})", font.package)
    return ", ".join(f'"{font.family}"' for font in fonts)
