"""The OpenAPI document tells every error a route can answer, derived once from the route.

Routes describe what they return when things go well; what can go wrong follows from what the
route has: a policy that needs a member (401, 403), path parameters (404, 422), query
parameters (422), a request body (413, 415, 422), a rate limit (429), and a database that may
be away for a moment (503, on every route). All leave with the app's error body
(`vecinos.web.errors.error_body`). Codes that only a route knows (409 on a conflict) it
declares itself with FastAPI's `responses=`; those are kept and given the error body.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.routing import RouteContext

from vecinos.web.limits import limit_of
from vecinos.web.policy import SignedIn, api_routes, policy_of

ERROR_SCHEMA = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs."},
                "message": {"type": "string", "description": "For people, in their language."},
            },
            # Some errors say more: the fields that were wrong, seconds to wait.
            "additionalProperties": True,
        }
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending the request again.",
        "schema": {"type": "integer"},
    }
}
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "The request could not be understood.",
    401: "Sign in first (session cookie or `Authorization: Bearer` API token).",
    403: "Signed in, but this member may not do this (role, organization, two-factor, CSRF).",
    404: "Nothing by that identifier (or not visible to this caller).",
    409: "Conflicts with the current state (already done, idempotency key reused).",
    410: "No longer available.",
    413: "The request is too large.",
    415: "The request body is not in a media type this route accepts.",
    422: "Some fields are wrong; `error.fields` names them.",
    429: "Too many requests from this source, or from everyone together; see Retry-After.",
    503: "The service is busy for a moment (database unavailable); see Retry-After.",
}
BARE = "x-vecinos-bare"
LOCAL_DEFINITION = "#/$defs/"
COMPONENT = "#/components/schemas/"


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` add each operation's error responses (called by the app factory)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            # A copy: what FastAPI made may share dicts with the routes (`openapi_extra`),
            # which are not ours to change.
            document = copy.deepcopy(generate())
            add_error_responses(app, document)
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override


def add_error_responses(app: FastAPI, document: dict[str, Any]) -> None:
    document.setdefault("components", {}).setdefault("schemas", {})[ERROR_SCHEMA] = ERROR_BODY
    # Our validation errors are error bodies, not FastAPI's `detail` list.
    document["components"]["schemas"].pop("HTTPValidationError", None)
    document["components"]["schemas"].pop("ValidationError", None)
    paths: dict[str, dict[str, Any]] = document.get("paths", {})
    for operations in paths.values():
        _hoist_local_definitions(operations, document["components"]["schemas"])
    for route in api_routes(app):
        for method in route.methods or ():
            path = route.path or ""
            operation = paths.get(path, {}).get(method.lower())
            if operation is not None:
                _document(operation, errors_of(route, operation), _error_content(path))


def _hoist_local_definitions(operations: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Bodies a route reads itself are shown with the model's own JSON Schema (`openapi_extra`),
    whose `$defs` an OpenAPI reader cannot reach (references start at the document's root):
    they move to the components, where FastAPI keeps the other models."""
    for operation in operations.values():
        for media in operation.get("requestBody", {}).get("content", {}).values():
            moved = media.get("schema", {}).pop("$defs", {})
            schemas.update(moved)
            _point_at_components(media, set())
            _point_at_components(moved, set())


def _point_at_components(node: Any, seen: set[int]) -> None:
    if id(node) in seen:  # pydantic shares sub-schemas between models
        return
    seen.add(id(node))
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith(LOCAL_DEFINITION):
            node["$ref"] = COMPONENT + reference.removeprefix(LOCAL_DEFINITION)
        for value in node.values():
            _point_at_components(value, seen)
    elif isinstance(node, list):
        for item in node:
            _point_at_components(item, seen)


def errors_of(route: RouteContext, operation: dict[str, Any]) -> set[int]:
    """The error statuses this route can answer, from what it has."""
    codes = {503}
    if isinstance(policy_of(route), SignedIn):
        codes |= {401, 403}
    parameters = operation.get("parameters", ())
    where = {parameter.get("in") for parameter in parameters}
    if "path" in where:
        codes.add(404)
    if any(_checked_path_parameter(parameter) for parameter in parameters):
        codes.add(422)  # an integer out of range, say; any text is a well-formed token
    if where & {"query", "header", "cookie"}:
        codes.add(422)
    if "requestBody" in operation:
        codes |= {413, 415, 422}
    if limit_of(route) is not None:
        codes.add(429)
    return codes


def _checked_path_parameter(parameter: dict[str, Any]) -> bool:
    schema = parameter.get("schema", {})
    plain_text = schema.get("type") == "string" and not (schema.keys() & {"pattern", "maxLength"})
    return parameter.get("in") == "path" and not plain_text


def _error_content(path: str) -> dict[str, Any]:
    """Programs under /api get the error body; people elsewhere get a page (`wants_page`)."""
    body = {"application/json": {"schema": ERROR_REF}}
    return (
        body if path.startswith("/api/") else {"text/html": {"schema": {"type": "string"}}, **body}
    )


def _document(operation: dict[str, Any], codes: set[int], content: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if 422 not in codes and responses.get("422", {}).get("description") == "Validation Error":
        del responses["422"]  # FastAPI lists it for any parameter, even one nothing can fail
    declared = {int(status) for status in responses if status.isdigit() and int(status) >= 400}
    for status in sorted(codes | declared):
        response = responses.setdefault(str(status), {})
        if response.pop(BARE, False):  # the route answers this one without a body
            response.pop("content", None)
            continue
        response["description"] = response.get("description") or ERROR_DESCRIPTIONS.get(
            status, "Refused."
        )
        if response["description"] == "Validation Error":  # FastAPI's own, for its own body
            response["description"] = ERROR_DESCRIPTIONS[422]
        response["content"] = content
        if status in (429, 503):
            response["headers"] = RETRY_AFTER


def answers_in(media_type: str, description: str, **schema: Any) -> dict[int | str, Any]:
    """`responses=` for a route whose 200 is not JSON (feeds, streams, GeoJSON)."""
    return {
        200: {
            "description": description,
            "content": {media_type: {"schema": schema or {"type": "string"}}},
        }
    }


def refusals(*codes: int) -> dict[int | str, Any]:
    """`responses=` for errors only the route knows it raises (409 on a conflict, 404 on a
    code in the body); `document_errors` gives them the error body."""
    return {code: {"description": ERROR_DESCRIPTIONS[code]} for code in codes}


def bare(code: int, description: str) -> dict[int | str, Any]:
    """`responses=` for an error the route answers with no body at all (a missing map tile)."""
    return {code: {"description": description, BARE: True}}


SSE_EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "event": {"type": "string"},
        "data": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}


def events_stream(description: str) -> dict[int | str, Any]:
    """`responses=` for a server-sent events stream: each event as the document shows it."""
    return {
        200: {"description": description, "content": {"text/event-stream": {"schema": SSE_EVENT}}}
    }
