"""Token buckets in the database: what `take` hands out, and what `give_back` returns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from vecinos import limits

NOW = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)


def take(db: Session, want: int, at: datetime = NOW) -> tuple[int, float]:
    return limits.take(db, "test:bucket", rate=1.0, burst=10, want=want, now=at)


def test_a_new_bucket_is_full_and_hands_out_no_more_than_it_holds(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as db:
        assert take(db, 4) == (4, 0.0)
        granted, wait = take(db, 10)
    assert granted == 6 and wait == 1.0  # empty: the next token in one second at 1/s


def test_a_bucket_refills_at_its_rate_up_to_its_burst(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as db:
        assert take(db, 10) == (10, 0.0)
        assert take(db, 10, NOW + timedelta(seconds=3))[0] == 3
        assert take(db, 20, NOW + timedelta(hours=1))[0] == 10


def test_tokens_given_back_can_be_taken_again_but_never_past_the_burst(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as db:
        assert take(db, 5) == (5, 0.0)
        limits.give_back(db, "test:bucket", 3, burst=10)
        assert take(db, 10)[0] == 8
        limits.give_back(db, "test:bucket", 50, burst=10)
        assert take(db, 20)[0] == 10
