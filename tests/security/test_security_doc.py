"""SECURITY.md's table of stored personal data stays true: every field it lists exists, and
every column that looks like it holds something about a person is listed (or, below, said
not to be, with why)."""

from __future__ import annotations

import re
from pathlib import Path

import vecinos.models  # noqa: F401 - every model registers its table
from vecinos.db import Base

DOC = Path(__file__).resolve().parents[2] / "SECURITY.md"
ROW = re.compile(r"^\| `([a-z0-9_]+)\.([a-z0-9_]+)` \|", re.MULTILINE)
# Names that say "a person's": contacts, names, free text, places, who did what.
PERSONAL = re.compile(
    r"email|phone|contact|display_name|description|cross_streets|note|reason|password|"
    r"totp_secret|^lat$|^lon$|h3_cell|home_cell|source_hash|idempotency_(hash|fingerprint)|"
    r"payload|^detail$|storage_key|radio_channel$|hotline|^member_id$|uploaded_by_id|actor_id|"
    r"entered_by_id|subscription_id|provider_id|message_encrypted|^language$"
)
# Matched by name, not about a person, and why.
NOT_PERSONAL = {
    "role_grants.member_id": "which role a member holds (the roster of members.email)",
    "recovery_codes.member_id": "hashed single-use codes of an account",
    "api_tokens.member_id": "who a token acts for (listed: api_tokens.name)",
    "alert_subscription_cells.subscription_id": "zone cells of a subscription (its area)",
    "alert_deliveries.language": "the language an alert was sent in",
    "alert_approvals.reason": "why an alert needs a second person (unconfirmed, recipients)",
    "delivery_holds.reason": "why coordinators stopped outgoing alerts (a kind, not a person)",
    "landmarks.lat": "a public landmark of the gazetteer, never a home",
    "landmarks.lon": "as above",
}


def documented() -> set[str]:
    return {f"{table}.{column}" for table, column in ROW.findall(DOC.read_text())}


def columns() -> dict[str, set[str]]:
    return {t.name: {c.name for c in t.columns} for t in Base.metadata.sorted_tables}


def test_every_field_the_document_lists_exists() -> None:
    tables = columns()
    listed = documented()
    assert len(listed) > 30
    missing = sorted(f for f in listed if f.split(".")[1] not in tables.get(f.split(".")[0], ()))
    assert missing == [], "SECURITY.md names fields the models no longer have"


def test_every_personal_looking_column_is_documented() -> None:
    listed = documented()
    found = {
        f"{table}.{column}"
        for table, names in columns().items()
        for column in names
        if PERSONAL.search(column)
    }
    undocumented = sorted(found - listed - set(NOT_PERSONAL))
    assert undocumented == [], "add these to SECURITY.md's table, with their retention"
