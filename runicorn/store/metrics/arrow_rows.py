"""A table Arrow's JSON reader made of whole ``events.jsonl`` lines, turned into a
:class:`~runicorn.codec.blocks.Block`: the same columns :func:`~runicorn.codec.blocks.decode_block`
gives for those lines.

The rules are the codec's, applied to Arrow arrays instead of Python dicts: a record's ``type``
picks its kind (``metrics`` and ``system`` become rows, ``image`` records are kept, other kinds
are ignored); in ``data`` every key whose values are numbers (booleans as 0 / 1) is a column,
other values (strings, lists, objects, null) are left out; a row without a step counts on from
the row before, a row without a time takes the record's ``ts``, else the row before's; the
stage is a string or nothing. :func:`block_from_table` answers None for anything it cannot
match exactly (the caller decodes those lines with the codec instead).

Only :mod:`runicorn.store.metrics.native_reader` imports this module, once ``pyarrow`` was found.
"""

from __future__ import annotations

import itertools
import operator
from array import array
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from runicorn import format as fmt
from runicorn.codec.blocks import Block, Rows

_EXACT_STEP_LIMIT = 2.0**52  # below it, step + k is exact: counting on in one go equals one by one


def block_from_table(table: pa.Table, data: bytes | memoryview) -> Block | None:
    """The block of ``data`` (whole lines: one table row per line starting with ``{``, the
    others blank); None when it cannot be made
    exactly as the codec would make it."""
    block = Block(len(data))
    names = table.schema.names
    if "data" not in names or not table.num_rows:
        return None
    records = table.column("data").combine_chunks()
    if not pa.types.is_struct(records.type) or records.null_count:
        return None  # a record without a data object: the codec counts it as malformed
    if "type" not in names or not pa.types.is_string(table.schema.field("type").type):
        return block if "type" not in names or pa.types.is_null(table.schema.field("type").type) else None
    kinds = table.column("type").combine_chunks()
    ts = table.column("ts").combine_chunks() if "ts" in names else None
    for kind in (fmt.METRICS, fmt.SYSTEM):
        mask = pc.fill_null(pc.equal(kinds, kind), False)
        count = pc.sum(mask).as_py() or 0
        if not count:
            continue
        if count == len(kinds):
            rows = _rows(records, ts)
        else:
            rows = _rows(records.filter(mask), ts.filter(mask) if ts is not None else None)
        if rows is None:
            return None
        if kind == fmt.METRICS:
            block.metrics = rows
        else:
            block.system = rows
    image_rows = pc.indices_nonzero(pc.fill_null(pc.equal(kinds, fmt.IMAGE), False)).to_pylist()
    if image_rows:
        lines = [line for line in bytes(data).split(b"\n") if line[:1] == b"{"]  # one per row
        for i in image_rows:
            record = fmt.decode_event(lines[i])
            if record is None:
                return None
            image = dict(record["data"])
            image.setdefault("ts", record.get("ts"))
            block.images.append(image)
    return block


def _rows(records: pa.StructArray, ts: pa.Array | None) -> Rows | None:
    count = len(records)
    fields = dict(zip((f.name for f in records.type), records.flatten(), strict=True))
    stage = fields.pop(fmt.STAGE_KEY, None)
    step = _numbers(fields.pop(fmt.STEP_KEY, None))
    time = _numbers(fields.pop(fmt.TIME_KEY, None))
    columns: dict[str, tuple[array | None, array]] = {}
    nonfinite: dict[str, list[int]] = {}
    for key, values in fields.items():
        numbers = _numbers(values)
        if numbers is None:
            continue  # strings, lists, objects, nulls: not a metric
        if numbers.null_count == 0:
            columns[key] = (None, _doubles(numbers))
        else:
            present = pc.indices_nonzero(pc.is_valid(numbers))
            if not len(present):
                continue
            numbers = pc.drop_null(numbers)
            columns[key] = (_int64s(present), _doubles(numbers))
        bad = _nonfinite(numbers)
        if bad:
            nonfinite[key] = bad
    steps = _steps(step, count)
    if steps is None:
        return None
    times, times_lead = _times(time, _numbers(ts), count)
    return Rows(count, steps[0], times, _stage_runs(stage, count), columns, nonfinite, steps[1], times_lead)


def _numbers(values: pa.Array | None) -> pa.Array | None:
    """``values`` as float64 when they are numbers (or booleans); None otherwise."""
    if values is None:
        return None
    t = values.type
    if pa.types.is_floating(t) or pa.types.is_integer(t) or pa.types.is_boolean(t):
        return values if pa.types.is_float64(t) else pc.cast(values, pa.float64(), safe=False)
    return None


def _doubles(values: pa.Array) -> array:
    """A float64 array without nulls as ``array('d')`` (one copy)."""
    out = array("d")
    buffer = values.buffers()[1]
    if buffer is not None:
        start = values.offset * 8
        out.frombytes(memoryview(buffer)[start : start + len(values) * 8])
    return out


def _int64s(values: pa.Array) -> array:
    out = array("q")
    values = pc.cast(values, pa.int64())
    buffer = values.buffers()[1]
    if buffer is not None:
        start = values.offset * 8
        out.frombytes(memoryview(buffer)[start : start + len(values) * 8])
    return out


def _nonfinite(values: pa.Array) -> list[int]:
    finite = pc.is_finite(values)
    if pc.all(finite).as_py():
        return []
    return list(pc.indices_nonzero(pc.invert(finite)).to_pylist())


def _steps(step: pa.Array | None, count: int) -> tuple[array, int] | None:
    """Each row's step and how many first rows have none (the codec's ``_steps``)."""
    if step is None or step.null_count == count:
        return array("d", bytes(8 * count)), count
    if step.null_count == 0:
        return _doubles(step), 0
    present = pc.drop_null(step)
    lo, hi = pc.min_max(present).values()
    whole = pc.all(pc.equal(pc.floor(present), present)).as_py()
    if whole and max(abs(lo.as_py()), abs(hi.as_py())) < _EXACT_STEP_LIMIT:
        index = pa.array(range(count), pa.float64())
        last_index = pc.fill_null_forward(pc.if_else(pc.is_valid(step), index, None))
        counted = pc.add(pc.fill_null_forward(step), pc.subtract(index, last_index))
        lead = pc.indices_nonzero(pc.is_valid(step))[0].as_py()
        return _doubles(pc.fill_null(counted, 0.0)), lead
    return _steps_one_by_one(step.to_pylist())


def _steps_one_by_one(values: list[Any]) -> tuple[array, int]:
    out = array("d")
    lead = 0
    prev: float | None = None
    for v in values:
        if v is None:
            if prev is None:
                lead += 1
                out.append(0.0)
                continue
            v = prev + 1
        prev = v
        out.append(v)
    return out, lead


def _times(time: pa.Array | None, ts: pa.Array | None, count: int) -> tuple[array, int]:
    """Each row's ``data.time``, else its record's ``ts``, else the row before's; and how many
    first rows have none of them."""
    if time is not None and time.null_count == 0:
        return _doubles(time), 0
    parts = [a for a in (time, ts) if a is not None]
    if not parts:
        return array("d", bytes(8 * count)), count
    either = pc.coalesce(*parts) if len(parts) > 1 else parts[0]
    if either.null_count == 0:
        return _doubles(either), 0
    if either.null_count == count:
        return array("d", bytes(8 * count)), count
    lead = pc.indices_nonzero(pc.is_valid(either))[0].as_py()
    return _doubles(pc.fill_null(pc.fill_null_forward(either), 0.0)), lead


def _stage_runs(stage: pa.Array | None, count: int) -> list[tuple[str | None, int]]:
    if stage is None or not pa.types.is_string(stage.type):
        return [(None, count)]  # a stage that is not a string is no stage
    encoded = pc.run_end_encode(stage)
    ends = encoded.run_ends.to_pylist()
    values = encoded.values.to_pylist()
    lengths = map(operator.sub, ends, itertools.chain((0,), ends))
    return [(s if s else None, n) for s, n in zip(values, lengths, strict=True)]
