"""``wandb.plot``: W&B's preset charts (line, scatter, bar, histogram, line_series here;
confusion_matrix, pr_curve, roc_curve in plot_curves.py), each a table and the chart drawn from
it: a :class:`~runicorn.wandb.custom_chart.CustomChart` (docs/wandb.md#data-types).

``wandb.log({"acc": wandb.plot.line(table, "epoch", "acc")})`` records the table and its chart;
the viewer draws the chart above the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from runicorn.wandb.custom_chart import CustomChart, CustomChartSpec, plot_table
from runicorn.wandb.plot_curves import confusion_matrix, pr_curve, roc_curve
from runicorn.wandb.table import Table

__all__ = [
    "CustomChart",
    "CustomChartSpec",
    "bar",
    "confusion_matrix",
    "histogram",
    "line",
    "line_series",
    "plot_table",
    "pr_curve",
    "roc_curve",
    "scatter",
]


def line(
    table: Table, x: str, y: str, stroke: str | None = None, title: str = "", split_table: bool = False
) -> CustomChart:
    """Points (``x``, ``y``) joined in order; one line per value of ``stroke``."""
    fields = {"x": x, "y": y, "stroke": stroke}
    return plot_table("wandb/line/v0", table, fields, {"title": title}, split_table)


def scatter(table: Table, x: str, y: str, title: str = "", split_table: bool = False) -> CustomChart:
    """Points (``x``, ``y``)."""
    return plot_table("wandb/scatter/v0", table, {"x": x, "y": y}, {"title": title}, split_table)


def bar(table: Table, label: str, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """One bar per row: its ``label`` and its ``value``."""
    return plot_table("wandb/bar/v0", table, {"label": label, "value": value}, {"title": title}, split_table)


def histogram(table: Table, value: str, title: str = "", split_table: bool = False) -> CustomChart:
    """The distribution of column ``value``."""
    return plot_table("wandb/histogram/v0", table, {"value": value}, {"title": title}, split_table)


def line_series(
    xs: Iterable[Iterable[Any]] | Iterable[Any],
    ys: Iterable[Iterable[Any]],
    keys: Iterable[str] | None = None,
    title: str = "",
    xname: str = "x",
    split_table: bool = False,
) -> CustomChart:
    """Several lines: ``ys[i]`` against ``xs`` (or ``xs[i]``), named ``keys[i]`` (``line_i``)."""
    if not isinstance(xs, Sequence) or isinstance(xs, (str, bytes)):
        raise TypeError(f"xs must be a list of x values or of x-series, got {type(xs).__name__}")
    ys = list(ys)
    xs_list: list[Any] = list(xs)
    if xs_list and not _is_series(xs_list[0]):
        xs_list = [xs_list] * len(ys)
    if len(xs_list) != len(ys):
        raise ValueError(f"Number of x-series ({len(xs_list)}) must match y-series ({len(ys)}).")
    names = [f"line_{i}" for i in range(len(ys))] if keys is None else list(keys)
    if len(names) != len(ys):
        raise ValueError(f"Number of keys ({len(names)}) must match y-series ({len(ys)}).")
    if not all(_is_series(y) for y in ys):
        raise TypeError("ys must be a list of y-series (lists)")
    data = [
        [x, names[i], y]
        for i, (xx, yy) in enumerate(zip(xs_list, ys, strict=True))
        for x, y in zip(xx, yy, strict=False)
    ]
    table = Table(data=data, columns=["step", "lineKey", "lineVal"], allow_mixed_types=True)
    fields = {"step": "step", "lineKey": "lineKey", "lineVal": "lineVal"}
    return plot_table("wandb/lineseries/v0", table, fields, {"title": title, "xname": xname}, split_table)


def _is_series(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes))
