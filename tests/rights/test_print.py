"""Cards and posters for every language: rendered once, rasterised with pdftoppm, read back
with pdftotext and pdffonts. Needs poppler-utils, fonts-noto-core and fonts-noto-cjk."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.rights.conftest import HOTLINE, PUBLIC_URL
from vecinos.rights import fonts
from vecinos.rights.content import LANGUAGES
from vecinos.rights.errors import MissingTool
from vecinos.rights.kit import RightsKit
from vecinos.rights.pdf import (
    HANGERS,
    SHEETS,
    card_html,
    qr_data_uri,
    write_card,
    write_door_hanger,
    write_poster,
)

POPPLER = shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdffonts")
pytestmark = pytest.mark.skipif(not POPPLER, reason="needs poppler-utils")
EXPECTED_FONT = {
    "zh-Hans": "Noto-Sans-CJK-SC",
    "zh-Hant": "Noto-Sans-CJK-TC",
    "ko": "Noto-Sans-CJK-KR",
    "hy": "Noto-Sans-Armenian",
    "fa": "Noto-Naskh-Arabic",
}
BIDI_AND_SPACE = re.compile(r"[\s\u200c\u200d\u200e\u200f\u202a-\u202e\u2066-\u2069]+")


def run(*command: str) -> str:
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603


def squeeze(text: str) -> str:
    """Text without spaces, line breaks or bidi controls, so wrapped lines compare equal."""
    return BIDI_AND_SPACE.sub("", text)


def dark_share(pdf: Path, page: int) -> float:
    """Share of dark pixels on one page, rasterised in grey at 20 dpi."""
    out = pdf.with_name(f"{pdf.stem}-{page}")
    run(
        "pdftoppm",
        "-gray",
        "-r",
        "20",
        "-f",
        str(page),
        "-l",
        str(page),
        "-singlefile",
        str(pdf),
        str(out),
    )
    data = out.with_suffix(".pgm").read_bytes()
    pixels = data.split(b"\n", 3)[3]  # P5, size, maxval, then one byte per pixel
    return sum(1 for value in pixels if value < 128) / len(pixels)


@pytest.fixture(scope="session")
def printed(kit: RightsKit, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every language's card and poster, rendered once for all the tests below."""
    folder = tmp_path_factory.mktemp("print")
    made: dict[str, Path] = {}
    for code in LANGUAGES:
        made[f"card-{code}"] = write_card(kit, code, folder / f"card-{code}.pdf")
        made[f"poster-{code}"] = write_poster(kit, code, folder / f"poster-{code}.pdf")
    return made


@pytest.mark.parametrize("code", LANGUAGES)
def test_card_pages_are_printed_and_carry_the_language(
    kit: RightsKit, printed: dict[str, Path], code: str
) -> None:
    pdf = printed[f"card-{code}"]
    assert "Pages:           2" in run("pdfinfo", str(pdf))
    for page in (1, 2):
        assert 0.01 < dark_share(pdf, page) < 0.6, f"page {page} looks blank or solid"
    text = squeeze(run("pdftotext", str(pdf), "-"))
    language = kit.languages[code]
    for phrase in (
        language.labels.kit_title,
        language.topics["at-home"].card or "",
        language.statement,
        HOTLINE,
    ):
        assert squeeze(phrase) in text, phrase
    used = run("pdffonts", str(pdf))
    assert EXPECTED_FONT.get(code, "Noto-Sans") in used
    assert "DejaVu" not in used  # no silent fallback to a font without our script


@pytest.mark.parametrize("code", LANGUAGES)
def test_poster_is_printed_and_carries_the_language(
    kit: RightsKit, printed: dict[str, Path], code: str
) -> None:
    pdf = printed[f"poster-{code}"]
    assert "Pages:           1" in run("pdfinfo", str(pdf))
    assert 0.01 < dark_share(pdf, 1) < 0.6
    text = squeeze(run("pdftotext", str(pdf), "-"))
    language = kit.languages[code]
    for phrase in (language.labels.kit_title, language.topics["at-home"].summary, HOTLINE):
        assert squeeze(phrase) in text, phrase
    if language.review == "unreviewed":
        assert squeeze(language.labels.unreviewed) in text


@pytest.mark.parametrize(
    ("code", "paper"), [("es", "letter"), ("fa", "a4"), ("zh-Hant", "letter"), ("hy", "a4")]
)
def test_door_hangers(kit: RightsKit, tmp_path: Path, code: str, paper: str) -> None:
    pdf = write_door_hanger(kit, code, tmp_path / "hanger.pdf", paper)
    info = run("pdfinfo", str(pdf))
    assert "Pages:           1" in info
    assert ("(A4)" in info) == (paper == "a4")
    assert 0.01 < dark_share(pdf, 1) < 0.6
    text = squeeze(run("pdftotext", str(pdf), "-"))
    language = kit.languages[code]
    assert squeeze(language.labels.kit_title) in text
    # The last line too: nothing is cut off at the bottom of the strip.
    for phrase in (language.statement, language.labels.not_legal_advice):
        assert text.count(squeeze(phrase)) == 2, phrase  # two hangers per sheet
    assert EXPECTED_FONT.get(code, "Noto-Sans") in run("pdffonts", str(pdf))


def test_two_door_hangers_fit_a_sheet() -> None:
    for sheet in HANGERS.values():
        assert sheet.margin_x > 5 and sheet.margin_y > 5
        assert len(sheet.slots(back=False)) == 2


def test_a4_cards(kit: RightsKit, tmp_path: Path) -> None:
    pdf = write_card(kit, "ru", tmp_path / "card.pdf", paper="a4")
    assert "595.276 x 841.89 pts (A4)" in run("pdfinfo", str(pdf))


def test_card_qr_codes_point_at_subscribe_and_rights_pages(kit: RightsKit) -> None:
    assert kit.subscribe_url("es") == f"{PUBLIC_URL}/subscribe?lang=es"
    assert kit.page_url("es") == f"{PUBLIC_URL}/rights/es"
    html = card_html(kit, "es")
    assert html.count(qr_data_uri(kit.subscribe_url("es"))) == 8
    assert html.count(qr_data_uri(kit.page_url("es"))) == 8


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_eight_cards_fit_and_cut_marks_stay_in_the_margins(paper: str) -> None:
    sheet = SHEETS[paper]
    fronts, backs = sheet.slots(back=False), sheet.slots(back=True)
    assert len(fronts) == len(backs) == 8
    assert min(x for x, _ in fronts) > 5 and min(y for _, y in fronts) > 5
    assert max(x for x, _ in fronts) + sheet.card_width < sheet.width - 5
    # Duplex on the long edge: the back of the top-left card is top-right.
    assert backs[0] == fronts[1]
    marks = sheet.cut_marks()
    assert len(marks) == 2 * (sheet.columns + 1) + 2 * (sheet.rows + 1)
    inner = (
        sheet.margin_x,
        sheet.margin_y,
        sheet.width - sheet.margin_x,
        sheet.height - sheet.margin_y,
    )
    for mark in marks:
        x0, y0, x1, y1 = mark["x"], mark["y"], mark["x"] + mark["w"], mark["y"] + mark["h"]
        crosses_cards = x0 < inner[2] and x1 > inner[0] and y0 < inner[3] and y1 > inner[1]
        assert not crosses_cards or (mark["w"] == 0 and (y1 <= inner[1] or y0 >= inner[3]))


def test_a_missing_font_names_its_debian_package(
    kit: RightsKit, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gone = fonts.Font("Noto Sans CJK KR", tmp_path / "absent.ttc", "fonts-noto-cjk")
    monkeypatch.setitem(fonts.FONTS, "ko", gone)
    with pytest.raises(MissingTool, match="install the Debian package fonts-noto-cjk"):
        write_card(kit, "ko", tmp_path / "card.pdf")


def test_a_declared_missing_card_topic_prints_in_english_with_a_notice(kit: RightsKit) -> None:
    korean = kit.languages["ko"]
    topics = {k: v for k, v in korean.topics.items() if k != "witnesses"}
    partial = korean.model_copy(update={"topics": topics, "missing_topics": ("witnesses",)})
    html = card_html(dataclasses.replace(kit, languages={**kit.languages, "ko": partial}), "ko")
    english = kit.languages["en"].topics["witnesses"].card or ""
    assert html.count(f'<li lang="en">{english}</li>') == 8
    assert html.count(korean.labels.fallback.format(language="한국어")) == 8
