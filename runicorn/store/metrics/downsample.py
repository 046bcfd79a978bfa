"""Downsampling that keeps spikes: per bucket, the minimum, the maximum and the last point.

Random or stride sampling drops the one step where the loss exploded; LTTB on one column (what
the PyPI package does) drops spikes of every other column. Here each metric column is reduced on
its own: its points are cut into equal buckets of consecutive points and each bucket keeps the
indexes of its minimum, its maximum and its last point, in order. NaN and infinities are never
a bucket's min or max; a bucket that holds one keeps the first of them as well, so a chart can
still show that the run went NaN there.

Works on ``array('d')`` with C-level ``min``/``max`` over slices; a long column (at least
:data:`NUMPY_FROM` values) is reduced with numpy when it is installed (an optional dependency of
the viewer: the same indexes, a few times faster: a million values in a few ms rather than 50).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence

try:
    import numpy as np
except ImportError:  # pragma: no cover - numpy is installed wherever the tests run
    np = None  # type: ignore[assignment]

POINTS_PER_BUCKET = 3
NUMPY_FROM = 20_000  # values; shorter columns are quicker without the arrays numpy makes


def bucket_count(max_points: int) -> int:
    """How many buckets fit in ``max_points`` output points (at least 1)."""
    return max(1, max_points // POINTS_PER_BUCKET)


def keep_indexes(values: array, max_points: int, nonfinite: Sequence[int] = ()) -> list[int]:
    """Sorted indexes into ``values`` to draw, at most about ``max_points`` of them.

    ``nonfinite`` lists (sorted) the indexes of NaN/Inf values, so buckets without any take the
    fast path. All indexes are kept when ``len(values) <= max_points``.
    """
    n = len(values)
    if max_points <= 0:
        raise ValueError("max_points must be positive")
    if n <= max_points:
        return list(range(n))
    buckets = bucket_count(max_points)
    if np is not None and n >= NUMPY_FROM:
        return _keep_indexes_numpy(values, buckets, nonfinite)
    keep: list[int] = []
    for b in range(buckets):
        start = b * n // buckets
        end = (b + 1) * n // buckets
        if end <= start:
            continue
        seg = values[start:end]
        bad_from = bisect_left(nonfinite, start) if nonfinite else 0
        has_bad = bool(nonfinite) and bad_from < len(nonfinite) and nonfinite[bad_from] < end
        if has_bad:
            picks = _bucket_slow(seg, start)
        else:
            lo = min(seg)
            hi = max(seg)
            i_lo = seg.index(lo)
            i_hi = seg.index(hi)
            picks = sorted({start + i_lo, start + i_hi, end - 1})
        keep.extend(picks)
    return keep


def _keep_indexes_numpy(values: array, buckets: int, nonfinite: Sequence[int]) -> list[int]:
    """:func:`keep_indexes` of ``values`` (more than ``buckets`` of them) with numpy: each
    bucket's minimum and maximum at once (``reduceat``), the first index holding each (as
    ``array.index`` finds it: 0.0 and -0.0 are equal), and the buckets holding a NaN or an
    infinity by :func:`_bucket_slow`."""
    n = len(values)
    column = np.frombuffer(values, dtype=np.float64)
    bounds = np.arange(buckets + 1, dtype=np.int64) * n // buckets
    starts, sizes = bounds[:-1], np.diff(bounds)  # every size > 0: n > buckets
    bucket_of = np.repeat(np.arange(buckets), sizes)
    firsts = []
    for reduced in (np.minimum.reduceat(column, starts), np.maximum.reduceat(column, starts)):
        at = np.flatnonzero(column == np.repeat(reduced, sizes))
        _, first = np.unique(bucket_of[at], return_index=True)  # a bucket without (NaN) is slow anyway
        found = np.full(buckets, -1, dtype=np.int64)
        found[bucket_of[at[first]]] = at[first]
        firsts.append(found.tolist())
    bad_at = np.asarray(nonfinite, dtype=np.int64)
    bad = set((np.searchsorted(bounds, bad_at, "right") - 1).tolist())  # buckets holding NaN or Inf
    ends = bounds[1:].tolist()
    keep: list[int] = []
    for b, (start, end, i_lo, i_hi) in enumerate(zip(bounds[:-1].tolist(), ends, *firsts, strict=True)):
        if b in bad:
            keep.extend(_bucket_slow(values[start:end], start))
        else:
            keep.extend(sorted({i_lo, i_hi, end - 1}))
    return keep


def _bucket_slow(seg: array, start: int) -> list[int]:
    best_lo = best_hi = first_bad = -1
    lo = hi = 0.0
    for i, v in enumerate(seg):
        if not math.isfinite(v):
            if first_bad < 0:
                first_bad = i
            continue
        if best_lo < 0 or v < lo:
            lo, best_lo = v, i
        if best_hi < 0 or v > hi:
            hi, best_hi = v, i
    picks = {len(seg) - 1}
    for i in (best_lo, best_hi, first_bad):
        if i >= 0:
            picks.add(i)
    return sorted(start + i for i in picks)
