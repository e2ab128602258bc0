"""The demo's phone simulator (staff only, absent outside `vecinos demo`): a dial pad and a
text box in the browser that send correctly signed provider webhooks to this app and show the
TwiML answers, so a person can walk a call or a text conversation without a provider.

The page asks this server to sign each request (it holds the provider token) and then posts
it itself to the real webhook, so the signature check and every handler run as for Twilio.
Only the hotline's and the inbound SMS webhooks can be signed: never a general oracle.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from twilio.request_validator import RequestValidator

from vecinos.errors import Forbidden, NotFound
from vecinos.hotline.voice import BASE
from vecinos.i18n import N_
from vecinos.web.deps import ContextDep, LanguageDep
from vecinos.web.policy import SignedInMember
from vecinos.web.templating import render

router = APIRouter(include_in_schema=False)
SIGNABLE = ("/api/alerts/sms/inbound", f"{BASE}/")


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    path: str = Field(min_length=1, max_length=300)
    form: dict[str, str] = Field(max_length=20)


class Signed(BaseModel):
    signature: str


def _only_in_the_demo(context: ContextDep) -> None:
    if not context.settings.demo_inbox:
        raise NotFound(N_("There is nothing at this address."), code="not_found")


@router.get("/demo/phone")
def phone_page(
    request: Request, caller: SignedInMember, context: ContextDep, language: LanguageDep
) -> Response:
    _only_in_the_demo(context)
    return render(request, "phone.html", language, csrf_token=caller.csrf_token)


@router.post("/demo/phone/sign")
def sign(body: SignIn, caller: SignedInMember, context: ContextDep) -> Signed:
    """The provider's signature over our public URL, the path and the fields."""
    _only_in_the_demo(context)
    if not body.path.startswith(SIGNABLE) or ".." in body.path:
        raise Forbidden(
            N_("The phone simulator signs only the hotline's webhooks."), code="not_signable"
        )
    token = context.settings.twilio_auth_token.get_secret_value()
    url = context.settings.public_url.rstrip("/") + body.path
    return Signed(signature=RequestValidator(token).compute_signature(url, body.form))
