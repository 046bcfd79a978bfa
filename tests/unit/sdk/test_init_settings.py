"""rn.init refuses intervals and sizes that would stop the writer, naming the setting and its
environment variable, instead of starting a run whose writer thread dies."""

from __future__ import annotations

from pathlib import Path

import pytest

import runicorn as rn
from runicorn.errors import ConfigError
from runicorn.settings import SETTINGS_TABLE

POSITIVE = [
    (s.name, s.env)
    for s in SETTINGS_TABLE
    if s.name in ("flush_interval_s", "system_interval_s", "max_pending_bytes")
]


@pytest.mark.parametrize("name,env", POSITIVE)
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "fast"])
def test_a_bad_interval_or_size_is_a_config_error_from_init(
    storage_root: Path, monkeypatch: pytest.MonkeyPatch, name: str, env: str, value: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as caught:
        rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    assert name in caught.value.message and env in (caught.value.hint or "")
    assert list(storage_root.iterdir()) == []


def test_the_rule_is_in_the_settings_table() -> None:
    assert len(POSITIVE) == 3
    assert all(s.positive for s in SETTINGS_TABLE if s.name in dict(POSITIVE))


def test_a_small_positive_interval_is_accepted(storage_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNICORN_FLUSH_INTERVAL_S", "0.01")
    run = rn.init(storage=storage_root, capture_console=False, system_metrics=False)
    run.log({"a": 1.0})
    run.finish()
