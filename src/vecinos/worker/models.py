"""The worker's schedule: when each periodic job is next due, kept in the database.

Keeping `next_run_at` here (rather than in a process's memory) makes the schedule survive
restarts and lets several workers share it: whoever claims the row runs the job this time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vecinos.db import Base, UTCDateTime


class WorkerJob(Base):
    __tablename__ = "worker_jobs"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_count: Mapped[int] = mapped_column(Integer, default=0)
    # The exception's type only: a message could carry a report's or a person's data.
    last_error: Mapped[str | None] = mapped_column(String(120))
