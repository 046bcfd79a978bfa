"""Summaries parsed in one process, taken by another: :func:`encode_parsed`, :func:`apply_parsed`.

The viewer's columns warmer (:mod:`runicorn.store.query.columns_warmer`) parses every run's
summary.json in its own process; the viewer needs the same summaries for the research view's
table and queries, and parsing them again (82 MB for 1,500 runs of 1,500 metrics) is a quarter
of a second of its busiest core. So the warmer hands over what it parsed: for each run whose
summary holds only floats (none NaN, no nested object; others are parsed where they are needed),
its relative path, the ``(size, mtime_ns)`` stamp of the summary.json it parsed, its key set
and note, and the floats' 8 bytes each. A run takes them only when its own scan stamped its
summary.json the same (the rule the index reads files again by) and it has not parsed it yet:
what it holds is what it would have parsed.

The encoding: an 8-byte little-endian header length, the header (JSON: ``key_sets``, lists of
keys; ``runs``, ``[relpath, size, mtime_ns, key set, count, note]``), then every run's floats in
the order of ``runs`` (native byte order: both processes run on the same machine).
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Iterable, Mapping
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.store.index.run_info import RunInfo
from runicorn.store.index.summary_values import SummaryValues, key_set

__all__ = ["apply_parsed", "encode_parsed"]

_LENGTH = struct.Struct("<Q")


def encode_parsed(runs: Iterable[RunInfo]) -> bytes:
    """What ``runs`` parsed of their summary.json files, for :func:`apply_parsed`."""
    key_set_index: dict[tuple[str, ...], int] = {}
    entries: list[list[Any]] = []
    floats: list[bytes] = []
    for run in runs:
        parsed = run.parsed_summary()
        stamp = run._stamps.get(fmt.SUMMARY_FILE)
        if parsed is None or stamp is None:
            continue
        values, note = parsed
        if not values.floats:
            continue
        keys = values.key_set.keys
        index = key_set_index.setdefault(keys, len(key_set_index))
        entries.append([run.relpath, stamp[0], stamp[1], index, len(keys), note])
        floats.append(values.ordered_values.tobytes())  # type: ignore[union-attr]  # floats: an array
    header = orjson.dumps({"key_sets": list(key_set_index), "runs": entries})
    return _LENGTH.pack(len(header)) + header + b"".join(floats)


def apply_parsed(data: bytes, runs: Mapping[str, RunInfo]) -> int:
    """Give each of ``runs`` (by relative path) the summary parsed for it in ``data`` (from
    :func:`encode_parsed`), where its summary.json has the same stamp and is not parsed yet; how
    many took theirs. Data that does not decode gives nothing."""
    try:
        (length,) = _LENGTH.unpack_from(data)
        header = orjson.loads(data[_LENGTH.size : _LENGTH.size + length])
        key_sets = [key_set(tuple(keys)) for keys in header["key_sets"]]
        entries = header["runs"]
    except (struct.error, orjson.JSONDecodeError, KeyError, TypeError):
        return 0
    view = memoryview(data)
    at = _LENGTH.size + length
    taken = 0
    for relpath, size, mtime_ns, index, count, note in entries:
        start, at = at, at + 8 * count
        run = runs.get(relpath)
        if run is None or at > len(data):
            continue
        values = array("d")
        values.frombytes(view[start:at])
        summary = SummaryValues(key_sets[index], values, False)
        parsed_note = fmt.summary_note({fmt.SUMMARY_NOTE_KEY: note})
        taken += run.take_parsed_summary((size, mtime_ns), summary, parsed_note)
    return taken
