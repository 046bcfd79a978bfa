"""The rate limit walks a minute on an injected clock: no test waits one."""

from __future__ import annotations

from runicorn.notify.ratelimit import RateLimit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_25_messages_to_dingtalk_send_at_most_20_in_the_first_minute() -> None:
    clock = Clock()
    limit = RateLimit(20, 60.0, clock)
    sent_at: list[float] = []
    waiting = 25
    while waiting:
        if limit.try_acquire():
            sent_at.append(clock.now)
            waiting -= 1
        else:
            clock.now += limit.wait_s()
    first_minute = [t for t in sent_at if t < 1000.0 + 60.0]
    assert len(first_minute) == 20
    assert len(sent_at) == 25 and sent_at[20] == 1060.0


def test_the_window_slides_rather_than_resetting_on_the_minute() -> None:
    clock = Clock()
    limit = RateLimit(2, 60.0, clock)
    assert limit.try_acquire()
    clock.now += 30
    assert limit.try_acquire()
    assert not limit.try_acquire() and limit.wait_s() == 30.0
    clock.now += 30  # the first send leaves the window, the second is still in it
    assert limit.try_acquire()
    assert not limit.try_acquire() and limit.wait_s() == 30.0


def test_a_refused_try_takes_nothing() -> None:
    clock = Clock()
    limit = RateLimit(1, 60.0, clock)
    assert limit.try_acquire()
    for _ in range(5):
        assert not limit.try_acquire()
    clock.now += 60
    assert limit.try_acquire()
