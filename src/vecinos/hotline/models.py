"""What a text conversation needs between two messages, and whom to tell how it ended.

Neither table holds a number in clear: a conversation is found by a keyed blind index of the
sender, and the number a status line goes to is sealed and erased once it is sent or purged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class Step(StrEnum):
    WHAT = "what"
    WHERE = "where"
    PICK_PLACE = "pick_place"  # several places matched: the sender picks one by number
    WHEN = "when"


class TextConversation(Base):
    """A REPORT conversation in progress: short-lived, purged by the worker once expired."""

    __tablename__ = "hotline_text_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_index: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))  # sms | whatsapp
    language: Mapped[str] = mapped_column(String(8))
    step: Mapped[Step] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)  # menu choices only, never free text
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class TextFollowUp(Base):
    """Someone who texted a report gets one line once volunteers settle it."""

    __tablename__ = "hotline_text_followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8))
    contact_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    purge_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
