"""Histograms of TensorBoard event files become ``histogram`` records (runicorn/archive/tensorboard.py,
docs/integrations.md#tensorboard-event-files): edges span the data, counts are kept, at most 512 bins."""

from __future__ import annotations

import sys

import pytest

from runicorn import format as fmt
from runicorn.archive.tensorboard import histogram_of_buckets, histogram_of_proto, merge_bins

summary_pb2 = pytest.importorskip("tensorboard.compat.proto.summary_pb2")


def test_tensorflow_limits_reaching_the_largest_double_end_at_the_data_max() -> None:
    # TensorFlow's own histograms: limits from -DBL_MAX to DBL_MAX, most buckets empty.
    big = sys.float_info.max
    histo = summary_pb2.HistogramProto(
        min=-1.5, max=2.0, num=6, bucket_limit=[-big, -1.0, 0.0, 1.0, 3.0, big], bucket=[0, 2, 0, 3, 1, 0]
    )
    edges, counts = histogram_of_proto(histo)
    assert edges == [-1.5, -1.0, 0.0, 1.0, 2.0]  # left edge raised to min, right edge lowered to max
    assert counts == [2.0, 0.0, 3.0, 1.0]


def test_the_left_edge_of_the_first_bucket_is_min() -> None:
    histo = summary_pb2.HistogramProto(min=0.25, max=0.75, num=3, bucket_limit=[0.5, 0.75], bucket=[1, 2])
    assert histogram_of_proto(histo) == ([0.25, 0.5, 0.75], [1.0, 2.0])


def test_tensor_histogram_buckets_drop_empty_ends() -> None:
    rows = [[0.0, 1.0, 0.0], [1.0, 2.0, 4.0], [2.0, 3.0, 0.0], [3.0, 4.0, 1.0], [4.0, 5.0, 0.0]]
    assert histogram_of_buckets(rows) == ([1.0, 2.0, 3.0, 4.0], [4.0, 0.0, 1.0])


def test_more_than_512_bins_are_merged_keeping_the_total_and_span() -> None:
    n = 1549  # the bucket count of TensorFlow's default histogram
    edges, counts = merge_bins([float(i) for i in range(n + 1)], [1.0] * n)
    assert len(counts) <= fmt.MAX_HISTOGRAM_BINS and len(edges) == len(counts) + 1
    assert sum(counts) == n and (edges[0], edges[-1]) == (0.0, float(n))
    assert edges == sorted(edges)
