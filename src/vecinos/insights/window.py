"""The period a dashboard covers, and how instants fall into local days and hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_DAYS = 28
MAX_DAYS = 90


@dataclass(frozen=True)
class Window:
    """The `days` local days up to `until`; days and hours are those of `tz` (the coalition's)."""

    until: datetime
    days: int
    tz: ZoneInfo

    @classmethod
    def ending(cls, until: datetime, days: int, timezone: str) -> Window:
        return cls(until=until, days=max(1, min(days, MAX_DAYS)), tz=ZoneInfo(timezone))

    @property
    def since(self) -> datetime:
        return self.until - timedelta(days=self.days)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)

    def day_of(self, moment: datetime) -> date:
        return self.local(moment).date()

    def day_list(self) -> list[date]:
        """Every local day the window touches, oldest first."""
        first, last = self.day_of(self.since), self.day_of(self.until)
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]
