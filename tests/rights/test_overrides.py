"""A coalition's own material, without editing the package; broken files name file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rights.conftest import HOTLINE, kit_settings, write_override
from vecinos.rights.errors import RightsContentError
from vecinos.rights.kit import load_kit
from vecinos.rights.models import Review

REVIEWED_KOREAN = """
languages:
  ko:
    review: reviewed
    topics:
      local-clinics:
        title: 지역 법률 상담
        summary: 매주 화요일 무료 상담.
        points: [예약이 필요 없습니다.]
        sources: [coalition-guide]
sources:
  coalition-guide:
    short: Coalition
    name: Coalition legal guide
    url: https://coalition.example.org/guide
"""


def test_hotline_and_legal_partners_come_from_the_override(tmp_path: Path) -> None:
    kit = load_kit(kit_settings(tmp_path))
    assert kit.hotline == HOTLINE
    assert [p.name for p in kit.legal_partners] == ["Community Legal Aid Clinic"]


def test_a_directory_of_overrides_is_read_in_name_order(tmp_path: Path) -> None:
    settings = kit_settings(tmp_path)
    folder = settings.rights_overrides
    assert folder is not None
    write_override(folder.parent, REVIEWED_KOREAN, name="zz-korean.yaml")
    kit = load_kit(settings.model_copy(update={"rights_overrides": folder.parent}))
    korean = kit.edition("ko")
    assert kit.hotline == HOTLINE
    assert korean.language.review == Review.REVIEWED
    assert korean.notices == ()  # reviewed: no notice
    assert "local-clinics" in korean.topic_ids()
    assert korean.topic("local-clinics").topic.title == "지역 법률 상담"
    assert korean.topic("at-home").topic.card  # packaged topics stay


def test_an_edited_override_is_read_again(tmp_path: Path) -> None:
    settings = kit_settings(tmp_path)
    assert load_kit(settings).hotline == HOTLINE
    assert settings.rights_overrides is not None
    write_override(settings.rights_overrides.parent, 'hotline: "+1 800 555 0111"\n')
    assert load_kit(settings).hotline == "+1 800 555 0111"


@pytest.mark.parametrize(
    ("text", "field", "problem"),
    [
        ("hotline: call us maybe\n", "hotline", "should match pattern"),
        ("hotlines: '+1 213 555 0100'\n", "hotlines", "Extra inputs are not permitted"),
        ("legal_partners:\n  - phone: '+1 213 555 0199'\n", "legal_partners.0.name", "required"),
        ("languages:\n  ko:\n    review: maybe\n", "languages.ko.review", "'reviewed'"),
        ("languages:\n  fr:\n    review: reviewed\n", "languages.fr", "unknown language"),
        ("languages:\n  en:\n    review: reviewed\n", "languages.en.review", "only English"),
        (
            "languages:\n  es:\n    topics:\n      x:\n        title: X\n        summary: Y\n"
            "        points: [Z]\n        sources: [nowhere]\n",
            "languages.es.topics.x.sources",
            "unknown source 'nowhere'",
        ),
        ("hotline: [unclosed\n", "(whole file)", "not valid YAML"),
    ],
)
def test_a_broken_override_names_file_and_field(
    tmp_path: Path, text: str, field: str, problem: str
) -> None:
    with pytest.raises(RightsContentError) as caught:
        load_kit(kit_settings(tmp_path, text))
    message = caught.value.message
    assert str(tmp_path / "rights" / "coalition.yaml") in message
    assert f"field '{field}'" in message
    assert problem in message


def test_a_missing_override_path_is_named(tmp_path: Path) -> None:
    settings = kit_settings(tmp_path).model_copy(update={"rights_overrides": tmp_path / "nope"})
    with pytest.raises(RightsContentError, match="nope: field '\\(path\\)': does not exist"):
        load_kit(settings)
