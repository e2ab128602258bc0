"""Printable wallet cards (8 per sheet, front and back, cut marks, QR codes) and posters.

Rendered from HTML by WeasyPrint, whose Pango/HarfBuzz text layout shapes Farsi right to left
and picks the Simplified, Traditional or Korean glyphs of the Noto CJK fonts by language.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import segno

from vecinos.rights.errors import MissingTool
from vecinos.rights.fonts import require_fonts
from vecinos.rights.kit import Edition, RightsKit
from vecinos.rights.pages import environment


@dataclass(frozen=True)
class Sheet:
    """A sheet of 2 x 4 cards, centred; sizes in millimetres."""

    name: str
    width: float
    height: float
    card_width: float
    card_height: float
    columns: int = 2
    rows: int = 4

    @property
    def margin_x(self) -> float:
        return (self.width - self.columns * self.card_width) / 2

    @property
    def margin_y(self) -> float:
        return (self.height - self.rows * self.card_height) / 2

    def slots(self, *, back: bool) -> list[tuple[float, float]]:
        """Top-left corners of the cards. The back mirrors the columns, so after a
        long-edge duplex flip each back lands behind its own front."""
        slots = []
        for row in range(self.rows):
            for column in range(self.columns):
                shown = self.columns - 1 - column if back else column
                slots.append(
                    (
                        self.margin_x + shown * self.card_width,
                        self.margin_y + row * self.card_height,
                    )
                )
        return slots

    def cut_marks(self) -> list[dict[str, float]]:
        """Short lines in the margins, in line with every card edge (never across a card)."""
        gap, edge = 2.0, 3.0  # clear of the cards, clear of the paper's edge
        tall, wide = self.margin_y - gap - edge, self.margin_x - gap - edge
        marks = []
        for i in range(self.columns + 1):
            x = self.margin_x + i * self.card_width
            marks.append({"x": x, "y": edge, "w": 0, "h": tall})
            marks.append({"x": x, "y": self.height - self.margin_y + gap, "w": 0, "h": tall})
        for j in range(self.rows + 1):
            y = self.margin_y + j * self.card_height
            marks.append({"x": edge, "y": y, "w": wide, "h": 0})
            marks.append({"x": self.width - self.margin_x + gap, "y": y, "w": wide, "h": 0})
        return marks


SHEETS = {
    # US business-card size on Letter; ID-1-like wallet size on A4.
    "letter": Sheet("letter", 215.9, 279.4, 88.9, 50.8),
    "a4": Sheet("a4", 210.0, 297.0, 85.0, 54.0),
}


def qr_data_uri(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=0))


def _context(kit: RightsKit, code: str) -> dict[str, Any]:
    edition: Edition = kit.edition(code)
    lang = edition.code
    cited = {s for view in edition.card_topics() for s in view.topic.sources}
    return {
        "kit": kit,
        "edition": edition,
        "labels": edition.language.labels,
        "fonts": require_fonts(lang),
        "card_topics": edition.card_topics(),
        "subscribe_qr": qr_data_uri(kit.subscribe_url(lang)),
        "rights_qr": qr_data_uri(kit.page_url(lang)),
        "rights_url": kit.page_url(lang),
        "source_names": sorted({kit.sources[s].short for s in cited}),
        "sources": [kit.sources[s] for s in sorted(cited)],
    }


def card_html(kit: RightsKit, code: str, paper: str = "letter") -> str:
    sheet = SHEETS[paper]
    return (
        environment()
        .get_template("rights/card.html")
        .render(
            sheet=sheet,
            fronts=sheet.slots(back=False),
            backs=sheet.slots(back=True),
            marks=sheet.cut_marks(),
            **_context(kit, code),
        )
    )


def poster_html(kit: RightsKit, code: str, paper: str = "letter") -> str:
    sheet = SHEETS[paper]
    context = _context(kit, code)
    at_home = context["edition"].topic("at-home")
    return (
        environment()
        .get_template("rights/poster.html")
        .render(sheet=sheet, at_home=at_home, **context)
    )


@dataclass(frozen=True)
class Hanger:
    """A door hanger: a tall strip with a hole for the door knob; two per sheet."""

    width: float = 95.0
    height: float = 250.0
    hole: float = 36.0  # fits common door knobs and lever handles


HANGERS = {paper: Sheet(paper, s.width, s.height, 95.0, 250.0, 2, 1) for paper, s in SHEETS.items()}


def door_hanger_html(kit: RightsKit, code: str, paper: str = "letter") -> str:
    sheet = HANGERS[paper]
    context = _context(kit, code)
    return (
        environment()
        .get_template("rights/door_hanger.html")
        .render(
            sheet=sheet,
            hanger=Hanger(sheet.card_width, sheet.card_height),
            slots=sheet.slots(back=False),
            marks=sheet.cut_marks(),
            at_home=context["edition"].topic("at-home"),
            **context,
        )
    )


def write_pdf(html: str, target: Path) -> Path:
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint loads Pango through ctypes at import
        raise MissingTool("Pango (for WeasyPrint)", "libpango-1.0-0 libpangoft2-1.0-0") from exc
    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(target)
    return target


def write_card(kit: RightsKit, code: str, target: Path, paper: str = "letter") -> Path:
    """Two pages: eight card fronts, then eight backs (print duplex, flip on the long edge)."""
    return write_pdf(card_html(kit, code, paper), target)


def write_poster(kit: RightsKit, code: str, target: Path, paper: str = "letter") -> Path:
    """One page for a wall: the door, the rights, the statement, the hotline, the QR codes."""
    return write_pdf(poster_html(kit, code, paper), target)


def write_door_hanger(kit: RightsKit, code: str, target: Path, paper: str = "letter") -> Path:
    """Two door hangers on one sheet, with cut marks and the knob hole drawn dashed."""
    return write_pdf(door_hanger_html(kit, code, paper), target)
