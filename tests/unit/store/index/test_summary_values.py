"""A run's summary as the index keeps it (runicorn/store/index/summary_values.py): a read-only
mapping equal to the summary read, runs with the same keys sharing them."""

from __future__ import annotations

import pytest

from runicorn.store.index.summary_values import SummaryValues


def test_a_summary_reads_as_the_mapping_it_was_made_of_without_the_left_out_key() -> None:
    read = {"loss": 0.5, "acc": 0.9, "_note": {"x": 1}, "step": 3}
    summary = SummaryValues.of(read, leave_out="_note")
    assert summary == {"loss": 0.5, "acc": 0.9, "step": 3} and list(summary) == ["loss", "acc", "step"]
    assert summary.to_dict() == {"loss": 0.5, "acc": 0.9, "step": 3} and type(summary["step"]) is int
    assert summary.get("missing", "default") == "default" and "acc" in summary and len(summary) == 3
    assert list(summary.values()) == [0.5, 0.9, 3] and dict(summary.items())["loss"] == 0.5
    with pytest.raises(KeyError):
        summary["missing"]


def test_summaries_with_the_same_keys_share_them_and_floats_are_kept_compact() -> None:
    a = SummaryValues.of({"x/loss": 0.5, "x/acc": 0.9})
    b = SummaryValues.of({"x/loss": 0.25, "x/acc": 0.8})
    assert a.key_set is b.key_set and a.floats and b == {"x/loss": 0.25, "x/acc": 0.8}
    assert not SummaryValues.of({"x/loss": float("nan"), "x/acc": 0.8}).floats  # NaN: kept as read
    assert not SummaryValues.of({"x/loss": 1, "x/acc": 0.8}).floats  # an int stays an int
    assert SummaryValues.of({"best": {"epoch": 1}}).nested and not a.nested
    assert SummaryValues.of({}) == {} and SummaryValues.of({"_note": 1}, leave_out="_note") == {}
