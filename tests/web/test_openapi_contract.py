"""The OpenAPI document is the contract: schemathesis sends what it allows to every route.

Each operation gets a few generated requests (a fixed, derandomized sequence), once as an
anonymous caller and once as a coordinator's API token scoped to her organization. Every
answer must be documented (status, content type, body) and no request the document calls
valid may be refused as invalid. Schemathesis' pytest plugin does not load on our pytest,
so the operations are walked here and each one's strategy is run by Hypothesis directly.
"""

from __future__ import annotations

from collections.abc import Callable

import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.schemas import OpenApiSchema

from tests.cast import Cast
from vecinos.web.openapi import add_error_responses

EXAMPLES = 2
ORG_PARAMETER = "org_id"


def findings(loaded: OpenApiSchema, adjust: Callable[[schemathesis.Case], None]) -> list[str]:
    found: list[str] = []
    for result in loaded.get_all_operations():
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
        def call(case: schemathesis.Case) -> None:
            adjust(case)
            try:
                case.call_and_validate()
            except (Failure, FailureGroup) as problem:  # every operation's findings, not the first
                found.extend(f"{case.operation.label}: {line}" for line in _described(problem))

        call()
    return found


def _described(problem: Failure | FailureGroup) -> list[str]:
    failures = problem.exceptions if isinstance(problem, FailureGroup) else (problem,)
    return [f"{f.title}: {' '.join(f.message.split())[:200]}" for f in failures]


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

    def as_elena_in_eastside(case: schemathesis.Case) -> None:
        case.headers = {**(case.headers or {}), "Authorization": bearer}
        if case.path_parameters and ORG_PARAMETER in case.path_parameters:
            case.path_parameters[ORG_PARAMETER] = cast.eastside

    found = findings(loaded_from(app), as_elena_in_eastside)
    assert not found, "\n".join(sorted(set(found)))


def test_the_contract_fails_a_route_that_answers_an_undocumented_status(app: FastAPI) -> None:
    # The check can fail: take 401 out of what a staff-only route documents, and its
    # anonymous answer (401) is reported.
    document = app.openapi()
    add_error_responses(app, document)  # idempotent: the same document again
    members = document["paths"]["/api/organizations/{org_id}/members"]["get"]
    del members["responses"]["401"]
    loaded = loaded_from(app)
    only = loaded.include(path="/api/organizations/{org_id}/members", method="GET")
    found = findings(only, lambda case: None)
    assert found and all("401" in line for line in found), found
