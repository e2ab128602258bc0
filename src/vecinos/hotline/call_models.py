"""Hotline operators and the call log. No number is stored in clear: an operator's phone is
sealed (shown to nobody, opened only to ring it), a caller is a keyed blind index (for limits
and bans) and a sealed number kept only as long as callback contacts are."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class CallStatus(StrEnum):
    MENU = "menu"  # choosing a language or an option
    RINGING = "ringing"  # on-shift operators are being rung
    ANSWERED = "answered"  # an operator pressed the key and took it
    RECORDING = "recording"  # leaving a message
    MESSAGE = "message"  # a message was left
    ENDED = "ended"  # hung up without a message (or after hearing the rights)


class HotlineOperator(Base):
    __tablename__ = "hotline_operators"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), unique=True
    )
    phone_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    duty_since: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HotlineCall(Base):
    __tablename__ = "hotline_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    caller_index: Mapped[str | None] = mapped_column(String(64), index=True)  # None: withheld
    caller_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    caller_purge_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    language: Mapped[str | None] = mapped_column(String(8))
    choice: Mapped[str | None] = mapped_column(String(16))  # now | message | rights
    status: Mapped[CallStatus] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    rung_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recording_sid: Mapped[str | None] = mapped_column(String(64))
    recording_seconds: Mapped[int | None] = mapped_column(Integer)
    # A message's way home: at_provider → stored (in evidence storage) → deleted (at provider).
    recording_state: Mapped[str | None] = mapped_column(String(16))
    recording_next_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    recording_key: Mapped[str | None] = mapped_column(String(120))
    recording_sha256: Mapped[str | None] = mapped_column(String(64))
    captcha_hash: Mapped[str | None] = mapped_column(String(64))  # set while the test is owed
    # The report a dispatcher wrote from this call or its message (a voicemail leaves the board).
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"))


class HotlineBan(Base):
    """A caller a coordinator banned from the call log: only the blind index, never a number."""

    __tablename__ = "hotline_bans"

    id: Mapped[int] = mapped_column(primary_key=True)
    caller_index: Mapped[str] = mapped_column(String(64), unique=True)
    banned_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    banned_at: Mapped[datetime] = mapped_column(UTCDateTime)
