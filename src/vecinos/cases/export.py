"""A case for a partner lawyer: a JSON file encrypted to their age (X25519) public key.

Only the holder of the matching private key reads it; vecinos keeps no copy. `age -d -i
key.txt case-12.json.age` (or any age implementation) opens it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pyrage

from vecinos.cases.partners import Directory, parse_recipient
from vecinos.cases.schemas import CaseOut, ExportIn
from vecinos.errors import InvalidInput
from vecinos.i18n import N_

FORMAT = "vecinos-followup-case/1"


def recipient_for(body: ExportIn, directory: Directory) -> tuple[pyrage.x25519.Recipient, str]:
    """The key to encrypt to, and how the audit log names it."""
    if (body.partner is None) == (body.recipient is None):
        raise InvalidInput(
            N_("Choose a partner or paste a public key (one of the two)."),
            code="recipient_required",
        )
    if body.partner is not None:
        partner = directory.partners.get(body.partner)
        if partner is None:
            raise InvalidInput(
                N_("Unknown referral; pick one of the coalition's partners."),
                code="unknown_partner",
            )
        if partner.age_recipient is None:
            raise InvalidInput(
                N_("This partner has no public key configured; paste theirs."),
                code="partner_has_no_key",
            )
        return parse_recipient(partner.age_recipient), f"partner:{partner.key}"
    assert body.recipient is not None
    try:
        return parse_recipient(body.recipient), "pasted key"
    except ValueError:
        raise InvalidInput(
            N_("That is not a valid public key; it should start with “age1”."),
            code="invalid_public_key",
        ) from None


def document(case: CaseOut, *, organization: str, now: datetime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "exported_at": now.isoformat(timespec="seconds"),
        "organization": organization,
        "case": case.model_dump(mode="json", exclude={"organization_id", "purge_at"}),
    }


def encrypt(content: dict[str, Any], recipient: pyrage.x25519.Recipient) -> bytes:
    plain = json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True).encode()
    encrypted: bytes = pyrage.encrypt(plain, [recipient])
    return encrypted
