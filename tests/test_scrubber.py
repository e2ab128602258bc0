"""The scrubber: a table of real-looking texts, then properties over generated ones."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vecinos.scrubber import FindingKind, TextRefused, check, scan

SAFE = [
    "Cesar Chavez Ave & Soto St",
    "Agents on foot near Whittier Blvd and Atlantic Blvd",
    "5 agents at Main St",
    "3 vehicles, 6 agents, since 10:30",
    "the 1200 block of Soto St",
    "I-710 and SR-60 interchange, US-101 southbound",
    "ICE agents near Soto St at 10:30 on 2026-06-01",
    "CBP 2024 operation reported, not confirmed",
    "Agent on foot near the market",
    "agentes de ICE en la Avenida Whittier y Calle Soto",
    "Vehículos cerca de Av. Cesar Chavez y Calle Lorena a las 7:45",
    "No abra la puerta sin una orden firmada por un juez.",
    "Do not open the door without a judicial warrant. Más información: https://vecinos.test/rights/es",
    "Checkpoint reported around Boyle Heights (H3 cell 8729a1)",
]

UNSAFE = [
    ("1234 E 1st St", FindingKind.ADDRESS),
    ("agents at 560 West Cesar Chavez Avenue now", FindingKind.ADDRESS),
    ("raid at 4410 Whittier Blvd.", FindingKind.ADDRESS),
    ("Calle Soto 1234", FindingKind.ADDRESS),
    ("en Av. Cesar Chavez #1234", FindingKind.ADDRESS),
    ("Avenida Whittier núm. 45", FindingKind.ADDRESS),
    ("frente al 1234 Calle Lorena", FindingKind.ADDRESS),
    ("Officer Smith is at the corner", FindingKind.NAME),
    ("Agent Brooks Halvorsen knocked", FindingKind.NAME),
    ("la Sra. García abrió la puerta", FindingKind.NAME),
    ("el Agente Martínez preguntó", FindingKind.NAME),
    ("Dr. Okafor's clinic", FindingKind.NAME),
    ("call 323-555-0142 for rides", FindingKind.PHONE),
    ("call (213) 555-0199", FindingKind.PHONE),
    ("text +1 818 555 0101", FindingKind.PHONE),
    ("llame al 555-0142", FindingKind.PHONE),
    ("write to tips@example.org", FindingKind.EMAIL),
    ("white van 7ABC123", FindingKind.PLATE),
    ("SUV plate ABC 1234", FindingKind.PLATE),
    ("placas 4XY9876 de California", FindingKind.PLATE),
    ("plate: 8KD3", FindingKind.PLATE),
]


@pytest.mark.parametrize("text", SAFE)
def test_safe_texts_pass(text: str) -> None:
    assert scan(text) == []
    assert check(text) == text


@pytest.mark.parametrize(("text", "kind"), UNSAFE)
def test_unsafe_texts_are_refused_with_what_and_where(text: str, kind: FindingKind) -> None:
    findings = scan(text)
    assert kind in {f.kind for f in findings}, findings
    with pytest.raises(TextRefused) as refused:
        check(text)
    assert refused.value.code == "text_refused" and refused.value.status_code == 422
    spans = refused.value.details["findings"]
    assert all(0 <= s["start"] < s["end"] <= len(text) for s in spans)


def test_the_span_points_at_the_offending_part() -> None:
    text = "Vans near Soto St. Contact 323-555-0142 or tips@example.org."
    found = {f.kind: text[f.start : f.end] for f in scan(text)}
    assert found == {FindingKind.PHONE: "323-555-0142", FindingKind.EMAIL: "tips@example.org"}


WORDS = st.sampled_from(
    ["agents", "near", "the", "market", "vans", "school", "de", "la", "cerca", "y", "at", "on"]
)
SAFE_TEXT = st.lists(WORDS, max_size=12).map(" ".join)
EMAILS = st.builds(
    "{}@{}.{}".format,
    st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z]", fullmatch=True),
    st.from_regex(r"[a-z]{2,10}", fullmatch=True),
    st.sampled_from(["org", "com", "net", "mx"]),
)
PHONES = st.builds(
    "({}) {}-{:04d}".format,
    st.sampled_from(["213", "323", "310", "626", "818"]),
    st.integers(200, 999),
    st.integers(0, 9999),
)
HOUSES = st.builds(
    "{} {} {}".format,
    st.integers(1, 99999),
    st.sampled_from(["E 1st", "Soto", "West Cesar Chavez", "N Broadway", "Whittier"]),
    st.sampled_from(["St", "Ave", "Blvd", "Street", "Avenue", "Dr"]),
)


@settings(deadline=None)  # phonenumbers' matcher is slow on a loaded CI machine
@given(SAFE_TEXT)
def test_plain_lowercase_words_always_pass(text: str) -> None:
    assert scan(text) == []


@settings(deadline=None)  # phonenumbers' matcher is slow on a loaded CI machine
@given(SAFE_TEXT, st.one_of(EMAILS, PHONES, HOUSES), SAFE_TEXT)
def test_a_contact_or_address_is_found_wherever_it_is_put(
    before: str, secret: str, after: str
) -> None:
    text = f"{before} {secret} {after}"
    start = len(before) + 1
    covering = [f for f in scan(text) if f.start <= start and start + len(secret) <= f.end]
    assert covering, (text, scan(text))


@settings(deadline=None)  # phonenumbers' matcher is slow on a loaded CI machine
@given(st.text(max_size=200))
def test_findings_are_ordered_disjoint_and_inside_the_text(text: str) -> None:
    findings = scan(text)
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
    for first, second in itertools.pairwise(findings):
        assert first.end <= second.start or first.start < second.start
