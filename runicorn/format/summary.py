"""``summary.json``: a run's final numbers, and what its writer says about them.

A metric's summary is its last logged value unless the program sets it (``rn.summary``,
``wandb.summary``, a ``define_metric`` summary): W&B's rule. A later log of a key replaces a value
set earlier; a value set after the logs wins. Written by this SDK, ``summary.json`` holds that
merged summary, flat or nested as given, plus one reserved key, :data:`SUMMARY_NOTE_KEY`:

    {"val/acc": 0.91, "loss": 0.12, "best_acc": 0.93,
     "_runicorn": {"last_values": true, "explicit": ["best_acc"]}}

``last_values`` says that every logged metric's last value is in the file (up to its last write,
at most :data:`SUMMARY_SAVE_INTERVAL_S` before the run's end); ``explicit`` lists the keys the
program set that no log replaced since. A ``summary.json`` without the note (older versions, the
PyPI package, other writers, or none at all) holds only what the program set: a reader adds each
metric's last value from ``events.jsonl`` under it (:func:`shown_summary`). Additive: a reader that
does not know the note sees one more key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

__all__ = [
    "SUMMARY_NOTE_KEY",
    "SUMMARY_SAVE_INTERVAL_S",
    "SummaryNote",
    "has_last_values",
    "shown_summary",
    "split_summary",
    "summary_file",
]

SUMMARY_NOTE_KEY = "_runicorn"  # in summary.json: a SummaryNote, not a value
SUMMARY_SAVE_INTERVAL_S = 10.0  # while logging, summary.json is rewritten at most this often


class SummaryNote(TypedDict, total=False):
    last_values: bool  # every logged metric's last value is in the file (unless set after)
    explicit: list[
        str
    ]  # keys the program set (rn.summary, wandb.summary, define_metric) since their last log


def summary_file(last: Mapping[str, Any], explicit: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON object to write: the last logged values, the explicit ones over them, the note."""
    out = {**last, **explicit}
    out.pop(SUMMARY_NOTE_KEY, None)
    out[SUMMARY_NOTE_KEY] = SummaryNote(last_values=True, explicit=list(explicit))
    return out


def split_summary(raw: Mapping[str, Any]) -> tuple[dict[str, Any], SummaryNote | None]:
    """``summary.json`` as read -> (its values, its note or None when it has none)."""
    note = raw.get(SUMMARY_NOTE_KEY)
    values = dict(raw)
    if SUMMARY_NOTE_KEY in values:
        del values[SUMMARY_NOTE_KEY]
    return values, SummaryNote(**note) if isinstance(note, dict) else None


def has_last_values(note: SummaryNote | None) -> bool:
    """Whether a summary with ``note`` already holds the metrics' last logged values."""
    return bool(note and note.get("last_values") is True)


def shown_summary(
    values: Mapping[str, Any], note: SummaryNote | None, last_logged: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The one summary a reader shows: the file's values when they hold the last logged values,
    else each metric's last value in ``events.jsonl`` (``last_logged``) with the file's values
    over them (what a program wrote in summary.json wins)."""
    if has_last_values(note) or not last_logged:
        return dict(values)
    return {**last_logged, **values}
