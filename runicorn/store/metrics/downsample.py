"""Downsampling that keeps spikes: per bucket, the minimum, the maximum and the last point.

Random or stride sampling drops the one step where the loss exploded; LTTB on one column (what
the PyPI package does) drops spikes of every other column. Here each metric column is reduced on
its own: its points are cut into equal buckets of consecutive points and each bucket keeps the
indexes of its minimum, its maximum and its last point, in order. NaN and infinities are never
a bucket's min or max; a bucket that holds one keeps the first of them as well, so a chart can
still show that the run went NaN there.

Works on ``array('d')`` with C-level ``min``/``max`` over slices: no numpy needed.
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_left
from collections.abc import Sequence

POINTS_PER_BUCKET = 3


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
