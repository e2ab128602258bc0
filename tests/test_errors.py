"""Errors keep their code, status, message and headers wherever they travel."""

from __future__ import annotations

import pickle

import pytest

from vecinos.errors import AppError, InvalidInput, NotFound, TooManyRequests


@pytest.mark.parametrize(
    "error",
    [
        NotFound("No such zone.", code="zone_not_found"),
        InvalidInput("Longer than {max} characters.", params={"max": 10}),
        # Its __init__ asks for `retry_after`, which plain exception pickling never passes.
        TooManyRequests("Try again in {seconds} seconds.", retry_after=30, code="rate_limited"),
    ],
)
def test_an_error_survives_pickling_whole(error: AppError) -> None:
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301  (our own bytes)
    assert type(copy) is type(error)
    assert (copy.code, copy.status_code, copy.message) == (
        error.code,
        error.status_code,
        error.message,
    )
    assert (copy.template, copy.params, copy.headers, copy.details) == (
        error.template,
        error.params,
        error.headers,
        error.details,
    )
    assert copy.args == error.args and copy.message_in("es") == error.message_in("es")


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
