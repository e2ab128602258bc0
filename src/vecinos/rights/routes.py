"""Public rights pages: one per language and topic, server-rendered, readable on a phone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from vecinos.rights.kit import RIGHTS_PATH, RightsKit, load_kit
from vecinos.rights.pages import language_page, topic_page
from vecinos.web.deps import ContextDep
from vecinos.web.openapi import answers_in
from vecinos.web.policy import Anyone

router = APIRouter(
    prefix=RIGHTS_PATH,
    tags=["rights"],
    default_response_class=HTMLResponse,
    responses=answers_in("text/html", "The page."),
)


@router.get("", summary="Rights material in the reader's language")
def rights_home(request: Request, context: ContextDep, _caller: Anyone) -> str:
    kit = load_kit(context.settings)
    code = _preferred(request.headers.get("accept-language"), kit)
    return language_page(kit, code or context.settings.default_language)


@router.get("/{language}", summary="Rights topics in one language")
def rights_language(language: str, context: ContextDep, _caller: Anyone) -> str:
    return language_page(load_kit(context.settings), language)


@router.get("/{language}/{topic}", summary="One rights topic in one language")
def rights_topic(language: str, topic: str, context: ContextDep, _caller: Anyone) -> str:
    return topic_page(load_kit(context.settings), language, topic)


def _preferred(accept_language: str | None, kit: RightsKit) -> str | None:
    """The first language of the header that we carry (`zh-TW` finds `zh-Hant`)."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip()
        if tag and tag != "*" and (code := kit.resolve(tag)):
            return code
    return None
