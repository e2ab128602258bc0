"""What goes wrong with rights material, each with a stable code and a sentence naming the cause."""

from __future__ import annotations

from vecinos.errors import AppError, InvalidInput, NotFound
from vecinos.i18n import N_


class UnknownLanguage(NotFound):
    code = "unknown_language"

    def __init__(self, language: str, known: list[str]) -> None:
        super().__init__(
            N_("Unknown language '{language}'. Rights material exists in: {known}."),
            params={"language": language, "known": ", ".join(known)},
        )


class UnknownTopic(NotFound):
    code = "unknown_topic"

    def __init__(self, topic: str, known: list[str]) -> None:
        super().__init__(
            N_("Unknown topic '{topic}'. Topics are: {known}."),
            params={"topic": topic, "known": ", ".join(known)},
        )


class RightsContentError(AppError):
    """A content or override file is broken; the message names the file and the field."""

    status_code = 500
    code = "rights_content_invalid"

    def __init__(self, file: str, field: str, problem: str) -> None:
        super().__init__(
            N_("{file}: field '{field}': {problem}"),
            params={"file": file, "field": field, "problem": problem},
        )


class MissingTool(AppError):
    """A program or font we render with is not installed; says which Debian package has it."""

    status_code = 500
    code = "missing_tool"

    def __init__(self, tool: str, package: str) -> None:
        super().__init__(
            N_("{tool} is missing; install the Debian package {package}."),
            params={"tool": tool, "package": package},
        )


class NoVoice(InvalidInput):
    code = "no_voice"

    def __init__(self, language: str) -> None:
        super().__init__(
            N_(
                "espeak-ng has no voice for '{language}'. Set 'voice' for it in the rights"
                " overrides, or record a volunteer reading the megaphone script."
            ),
            params={"language": language},
        )


class SmsTooLong(AppError):
    status_code = 500
    code = "sms_too_long"

    def __init__(self, language: str, segments: int, limit: int) -> None:
        super().__init__(
            N_(
                "The rights SMS in '{language}' needs {segments} segments; the limit is {limit}."
                " Shorten its 'sms' text or the hotline."
            ),
            params={"language": language, "segments": segments, "limit": limit},
        )
