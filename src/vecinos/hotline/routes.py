"""The provider's webhooks: texts to our number (and, later, calls), signed by Twilio."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from vecinos.alerts import inbound
from vecinos.hotline import texting
from vecinos.web.deps import ContextDep, DbDep
from vecinos.web.limits import Limit, RateLimited
from vecinos.web.openapi import refusals
from vecinos.web.policy import PUBLIC

router = APIRouter(prefix="/api", tags=["hotline"])
Public = [PUBLIC.dependency()]


async def form_fields(request: Request) -> dict[str, str]:
    return {key: str(value) for key, value in (await request.form()).items()}


def signed_path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


@router.post("/alerts/sms/inbound", dependencies=Public, responses=refusals(403))
def inbound_sms(
    request: Request,
    form: Annotated[dict[str, str], Depends(form_fields)],
    db: DbDep,
    context: ContextDep,
    limit: Annotated[Limit, Depends(RateLimited("inbound-sms"))],
) -> Response:
    """Twilio's webhook for texts (SMS and WhatsApp) to our number; refused unless Twilio's
    signature matches. Answers in TwiML."""
    inbound.check_signature(
        context.settings, signed_path(request), form, request.headers.get(inbound.SIGNATURE_HEADER)
    )
    limit.check(form.get("From", ""))
    answer = texting.reply(db, form, now=context.clock.now(), settings=context.settings)
    return Response(inbound.twiml(answer), media_type="application/xml")
