"""Reading a JSON request body ourselves: the size limit holds even for chunked uploads, and
each way a body can be wrong gets its own status and stable code."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from vecinos.errors import AppError, InvalidInput
from vecinos.i18n import N_

Model = TypeVar("Model", bound=BaseModel)
# Deeper than any body we accept needs; thousands deep, a parser recurses until it fails.
MAX_DEPTH = 32


class PayloadTooLarge(AppError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "unsupported_media_type"


async def read_json(request: Request, model: type[Model], max_bytes: int) -> Model:
    # One pass over the raw headers (a Headers lookup decodes them all, every time); the
    # first of a repeated header wins, as with Headers.get.
    headers = dict(reversed(request.scope["headers"]))
    content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
    if content_type != b"application/json":
        raise UnsupportedMediaType(N_("Send the request as JSON."))
    raw = await _read_limited(request, max_bytes, headers.get(b"content-length", b""))
    data = parse_json(raw)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc) from exc


def parse_json(raw: bytes) -> Any:
    """The body as JSON, or a 400 that says why: not JSON, or nested deeper than MAX_DEPTH."""
    try:
        data: Any = json.loads(raw)
    except RecursionError:
        raise _too_deep() from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            N_("The request body is not valid JSON."), code="malformed_json", status_code=400
        ) from exc
    # Counting brackets is C-speed and settles almost every body without walking it.
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _depth(data) > MAX_DEPTH:
        raise _too_deep()
    return data


def _depth(data: Any) -> int:
    """How deep lists and objects nest, without recursion (the input is what is suspect)."""
    deepest, waiting = 0, [(data, 1)]
    while waiting:
        value, depth = waiting.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            children = value.values() if isinstance(value, dict) else value
            waiting.extend((child, depth + 1) for child in children)
    return deepest


def _too_deep() -> InvalidInput:
    return InvalidInput(
        N_("The request body nests deeper than {max} levels."),
        params={"max": MAX_DEPTH},
        code="json_too_deep",
        status_code=400,
    )


async def _read_limited(request: Request, max_bytes: int, declared: bytes) -> bytes:
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(max_bytes: int) -> PayloadTooLarge:
    return PayloadTooLarge(N_("The request is larger than {max} bytes."), params={"max": max_bytes})


def _invalid(exc: ValidationError) -> InvalidInput:
    fields = [
        {"field": ".".join(str(p) for p in e["loc"]) or "body", "problem": e["msg"]}
        for e in exc.errors(include_url=False)
    ]
    unknown_category = any(e["type"] in ("enum", "literal_error") for e in exc.errors())
    summary = "; ".join(f"{f['field']}: {f['problem']}" for f in fields)
    return InvalidInput(
        N_("Some fields are wrong: {summary}"),
        params={"summary": summary},
        code="unknown_category" if unknown_category else "invalid_input",
        details={"fields": fields},
    )
