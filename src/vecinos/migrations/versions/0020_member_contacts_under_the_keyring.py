"""members' own reminder contacts under the keyring (issue 17)

`coverage_member_contacts.contact_key` names the member-contact data key a contact is sealed
under (`vecinos.keyring.member_contacts`), so ended keys can be destroyed and a removed contact
is crypto-shredded. Rows written before this revision were sealed under the deployment secret
(purpose `member-contact`) and keep NULL here: the keys live in files outside the database, so
the worker's `coverage.rotate_contact_keys` job moves them (it re-seals every row whose key is
NULL or over, within a minute of starting); until then they still open.

Revision ID: 0020
Revises: 0016
Create Date: 2026-12-02 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coverage_member_contacts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_key", sa.String(length=40), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_coverage_member_contacts_contact_key"), ["contact_key"], unique=False
        )


def downgrade() -> None:
    # Contacts sealed under data keys do not open with the deployment secret: they go, and
    # members leave them again (better than keeping ones nothing can read).
    op.execute(sa.text("DELETE FROM coverage_member_contacts WHERE contact_key IS NOT NULL"))
    with op.batch_alter_table("coverage_member_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_member_contacts_contact_key"))
        batch_op.drop_column("contact_key")
