"""Errors say their codes in words, in the reader's language."""

from __future__ import annotations


def test_codes_in_an_error_are_said_in_words() -> None:
    from vecinos.errors import Conflict

    refused = Conflict(
        "An incident that is {from_state} cannot become {to_state}.",
        params={"from_state": "ended", "to_state": "verifying"},
        words={"from_state": "state", "to_state": "state"},
    )
    assert refused.message_in("es") == (
        "Un incidente en estado «terminado» no puede pasar a «en verificación»."
    )
    assert refused.message_in("en") == "An incident that is ended cannot become being verified."
    assert refused.params == {"from_state": "ended", "to_state": "verifying"}  # codes kept
