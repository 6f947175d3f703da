"""The sender's pace: evenly spaced below Slack's rate, and time lost to a slow call made up in a short burst
(without it, 2% of 429s kept a 5,000-person reminder at 89% of the limit)."""

from __future__ import annotations

import pytest

from bot.core.retry import Pace


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr("bot.core.retry.time.monotonic", fake.monotonic)
    monkeypatch.setattr("bot.core.retry.time.sleep", fake.sleep)
    return fake


def test_calls_in_a_row_are_spaced_by_the_interval(clock: Clock) -> None:
    pace = Pace(100)
    for _ in range(6):
        pace.wait()
    assert clock.slept == pytest.approx([0.01] * 5)  # the first goes at once, each next one 10 ms later


def test_time_lost_to_a_slow_call_is_made_up_by_at_most_catch_up_calls(clock: Clock) -> None:
    pace = Pace(100)
    for _ in range(Pace.CATCH_UP + 3):
        pace.wait()  # settled: now each call waits its slot
    clock.slept.clear()
    clock.now += 1.0  # one call took a second (a slow answer)
    for _ in range(Pace.CATCH_UP + 3):
        pace.wait()
    # The next call and CATCH_UP lost slots go at once (a burst Slack's limits allow), then 10 ms apart again:
    # a second's 100 slots are not all made up.
    assert clock.slept == pytest.approx([0.01, 0.01])
