"""The OpenAPI document is the contract: schemathesis sends what it allows to every route.

Each operation gets a few generated requests (a fixed, derandomized sequence), once as an
anonymous caller and once as a coordinator's API token scoped to her organization. Every
answer must be documented (status, content type, body) and no request the document calls
valid may be refused as invalid. Schemathesis' pytest plugin does not load on our pytest,
so the operations are walked here and each one's strategy is run by Hypothesis directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.schemas import BaseSchema
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.cast import Cast

EXAMPLES = 2
# Refusals of well-formed requests that depend on this deployment's data or on registries
# outside the document: where the service area lies, which places and zones exist, which
# push services are configured, which numbers the numbering plan assigns. The document says
# each in words; every other refusal of a schema-valid request fails the contract.
VALUE_RULES = frozenset(
    {
        "outside_service_area",
        "place_not_found",
        "zone_not_found",
        "push_service_refused",
        "invalid_phone",
        "invalid_email",
    }
)
ORG_PARAMETER = "org_id"
Case = schemathesis.Case[Any]
Adjust = Callable[[Case], None]


def findings(loaded: BaseSchema, adjust: Adjust) -> list[str]:
    found: list[str] = []
    for result in loaded.get_all_operations():
        assert isinstance(result, Ok), result  # every operation can be tested
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],  # report, don't shrink: the run stays short
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Case) -> None:
            adjust(case)
            answer = case.call()
            try:
                case.validate_response(answer)
            except (Failure, FailureGroup) as problem:  # every operation's findings, not the first
                failures = problem.exceptions if isinstance(problem, FailureGroup) else (problem,)
                found.extend(
                    f"{case.operation.label}: {_described(failure)} [{answer.status_code}:"
                    f" {answer.text[:160]}]"
                    for failure in failures
                    if not _refused_by_a_value_rule(failure, answer)
                )

        call()
    return found


def _described(failure: Failure) -> str:
    return f"{failure.title}: {' '.join(failure.message.split())[:200]}"


def _refused_by_a_value_rule(failure: Failure, answer: Any) -> bool:
    """A schema-valid request refused for a rule no JSON Schema can state (see VALUE_RULES)."""
    if not isinstance(failure, RejectedPositiveData) or answer.status_code != 422:
        return False
    return answer.json().get("error", {}).get("code") in VALUE_RULES


def loaded_from(app: FastAPI) -> OpenApiSchema:
    loaded = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    assert isinstance(loaded, OpenApiSchema)
    return loaded


def test_every_route_keeps_its_contract_for_an_anonymous_caller(app: FastAPI) -> None:
    found = findings(loaded_from(app), lambda case: None)
    assert not found, "\n".join(sorted(set(found)))


def test_every_route_keeps_its_contract_for_a_coordinators_token(
    app: FastAPI, client: TestClient, cast: Cast
) -> None:
    cast.sign_in(client, cast.elena)
    made = client.post(f"/api/organizations/{cast.eastside}/tokens", json={"name": "contract"})
    assert made.status_code == 201, made.text
    bearer = f"Bearer {made.json()['token']}"

    def as_elena_in_eastside(case: Case) -> None:
        case.headers["Authorization"] = bearer
        if case.path_parameters and ORG_PARAMETER in case.path_parameters:
            case.path_parameters[ORG_PARAMETER] = cast.eastside

    found = findings(loaded_from(app), as_elena_in_eastside)
    assert not found, "\n".join(sorted(set(found)))


def test_the_contract_fails_a_route_that_answers_an_undocumented_status(app: FastAPI) -> None:
    # The check can fail: take 401 out of what a staff-only route documents, and its
    # anonymous answer (401) is reported.
    document = app.openapi()  # the document the app serves, kept after its first making
    members = document["paths"]["/api/organizations/{org_id}/members"]["get"]
    del members["responses"]["401"]
    loaded = loaded_from(app)
    only = loaded.include(path="/api/organizations/{org_id}/members", method="GET")
    found = findings(only, lambda case: None)
    assert found and all("401" in line for line in found), found
