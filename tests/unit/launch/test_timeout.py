"""Durations for ``runicorn run --timeout`` (runicorn/launch/timeout.py, docs/run.md#timeout)."""

from __future__ import annotations

import pytest

from runicorn.errors import ConfigError
from runicorn.launch.timeout import describe_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("90s", 90.0), ("1.5", 1.5), ("5m", 300.0), ("5h", 18000.0), ("2d", 172800.0)],
)
def test_durations_in_every_unit(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "0s", "0h"])
def test_zero_means_no_limit(text: str) -> None:
    assert parse_duration(text) is None


@pytest.mark.parametrize("text", ["", "-5", "5x", "five", "5 m s", "1e3"])
def test_anything_else_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_duration(text, "--timeout")
    assert "--timeout" in caught.value.message and "5h" in (caught.value.hint or "")


def test_durations_read_well_in_messages() -> None:
    assert [describe_duration(s) for s in (3, 1.5, 300, 90, 7200, 9000)] == [
        "3 s",
        "1.5 s",
        "5 min",
        "1.5 min",
        "2 h",
        "2 h 30 min",
    ]
