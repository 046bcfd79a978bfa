"""The mirror's idea of the server's clock and the racy-timestamp rule (docs/remote.md)."""

from __future__ import annotations

from runicorn.remote.clock import ServerClock


class LocalTime:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_nothing_is_settled_before_the_server_reported_an_mtime() -> None:
    clock = ServerClock(LocalTime(10.0))
    assert not clock.settled(5, read_at=10.0)
    assert clock.settled(None, read_at=10.0)  # no mtime: nothing to wait for


def test_a_read_within_a_second_of_the_mtime_is_not_settled_on_the_server_clock() -> None:
    local = LocalTime(50.0)  # the server's clock is 1,000 s ahead of the local one
    clock = ServerClock(local)
    clock.saw([1_040, 1_050, None])
    assert not clock.settled(1_050, read_at=50.0)  # read in the second the file was written
    assert not clock.settled(1_050, read_at=50.9)
    assert clock.settled(1_050, read_at=51.0)
    assert clock.settled(1_040, read_at=50.0)


def test_the_bound_only_rises_and_judges_earlier_reads_too() -> None:
    local = LocalTime(100.0)
    clock = ServerClock(local)
    read_at = local.now
    clock.saw([90])  # an old file: the server's time is at least 90 now
    assert not clock.settled(95, read_at)
    local.now = 101.0
    clock.saw([80])  # older mtimes teach nothing
    assert not clock.settled(95, read_at)
    clock.saw([99])  # a file written just now: at that read the server time was at least 98
    assert clock.settled(95, read_at) and clock.settled(97, read_at)
    assert not clock.settled(98, read_at)
