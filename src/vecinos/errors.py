"""Errors that reach a client: a stable machine code plus a clear, human sentence.

Every domain raises `AppError` (or a subclass) from its services; the web layer turns it into
`{"error": {"code": ..., "message": ...}}` with the right status, in the caller's language.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        params: dict[str, Any] | None = None,
        code: str | None = None,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        words: dict[str, str] | None = None,
    ) -> None:
        self.template = message  # the msgid, marked with N_() where it is raised
        self.params = params or {}
        # Params that are codes (a state, an alert kind), by the word table that says them.
        self.words = words or {}
        self.message = message.format(**self.params)
        super().__init__(self.message)
        self.code = code or type(self).code
        self.status_code = status_code or type(self).status_code
        self.details = details or {}
        self.headers = headers or {}

    def message_in(self, language: str) -> str:
        from vecinos.i18n import gettext

        params = dict(self.params)
        if self.words:
            from vecinos.words import word  # codes become words where people read them

            for name, table in self.words.items():
                params[name] = word(language, table, params[name])
        return gettext(language, self.template).format(**params)


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"


class Forbidden(AppError):
    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    status_code = 404
    code = "not_found"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class Gone(AppError):
    status_code = 410
    code = "gone"


class InvalidInput(AppError):
    status_code = 422
    code = "invalid_input"


class RetryLater(AppError):
    """Refused for now: the answer says in how many seconds to try again."""

    def __init__(
        self,
        message: str,
        *,
        retry_after: int,
        params: dict[str, Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(
            message,
            params={"seconds": retry_after, **(params or {})},
            code=code,
            headers={"Retry-After": str(retry_after)},
            details={"retry_after_seconds": retry_after},
        )


class TooManyRequests(RetryLater):
    status_code = 429
    code = "too_many_requests"


class Busy(RetryLater):
    """The server is at a capacity it keeps on purpose; the client tries again shortly."""

    status_code = 503
    code = "busy"
