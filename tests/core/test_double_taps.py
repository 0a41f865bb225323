"""A message sent twice before it was answered is handled once; a real second answer never."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.limits import DoubleTaps
from bot.core.types import Incoming

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _tap(text: str, sent_at: datetime) -> Incoming:
    return Incoming(channel="zalo", chat_id="c1", user_id="u1", text=text, sent_at=sent_at)


def test_a_number_sent_twice_before_the_answer_counts_once() -> None:
    taps = DoubleTaps()
    first, second = _tap("3", NOW), _tap("3", NOW + timedelta(milliseconds=200))
    assert not taps.arrived(first, NOW + timedelta(milliseconds=300))
    taps.answered(first, NOW + timedelta(milliseconds=400))
    # Both sent before the first answer left: the second is the same tap.
    assert taps.arrived(second, NOW + timedelta(milliseconds=450))


def test_the_same_answer_typed_after_the_reply_is_handled() -> None:
    taps = DoubleTaps()
    first, second = _tap("Đồng ý", NOW), _tap("Đồng ý", NOW + timedelta(milliseconds=700))
    assert not taps.arrived(first, NOW + timedelta(milliseconds=50))
    taps.answered(first, NOW + timedelta(milliseconds=300))
    assert not taps.arrived(second, NOW + timedelta(milliseconds=750))


def test_a_platform_clock_far_from_ours_never_drops_an_answer() -> None:
    # The platform's (or a test's) clock is a year behind ours: its times cannot be compared
    # with when we answered, so two "Đồng ý" for two consent steps are both handled.
    taps = DoubleTaps()
    behind = NOW - timedelta(days=365)
    first, second = _tap("Đồng ý", behind), _tap("Đồng ý", behind)
    assert not taps.arrived(first, NOW)
    taps.answered(first, NOW + timedelta(milliseconds=100))
    assert not taps.arrived(second, NOW + timedelta(milliseconds=200))
