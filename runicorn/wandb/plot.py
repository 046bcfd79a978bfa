"""``wandb.plot``: W&B's preset charts, each a table and the chart drawn from it
(docs/wandb.md#charts).

``wandb.log({"pr": wandb.plot.line(table, "x", "y")})`` records the table through the SDK's
``log_table`` with its chart (a :class:`runicorn.format.ChartSpec`: kind, the columns it draws,
titles), which the viewer draws above the table. ``spec`` keeps W&B's own description
(``spec_name``, ``fields``, ``string_fields``) for code that reads it. A chart of a Vega spec
that is not one of W&B's presets (``plot_table`` with a custom spec) is recorded as its table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runicorn.wandb.errors import Error
from runicorn.wandb.plot_curves import confusion_matrix, pr_curve, roc_curve
from runicorn.wandb.table import Table
from runicorn.wandb.wbvalue import WBValue

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

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


@dataclass
class CustomChartSpec:
    """W&B's description of a chart: the Vega spec's name and which columns fill its fields."""

    spec_name: str
    fields: dict[str, Any]
    string_fields: dict[str, Any]
    key: str = ""
    panel_type: str = "Vega2"
    split_table: bool = False

    @property
    def table_key(self) -> str:
        if not self.key:
            raise Error("Key for the custom chart spec is not set.")
        return f"Custom Chart Tables/{self.key}_table" if self.split_table else f"{self.key}_table"

    def chart(self) -> dict[str, Any] | None:
        """The chart the viewer draws (a ChartSpec), or None for a Vega spec it does not know."""
        f, s = self.fields, self.string_fields
        kind = _PRESETS.get(self.spec_name)
        if kind is None:
            return None
        spec: dict[str, Any] = {"kind": kind, "vega_spec": self.spec_name, "title": s.get("title") or None}
        if kind in ("line", "scatter"):
            spec.update(x=f.get("x"), y=f.get("y"), series=f.get("stroke") or f.get("class"))
        if self.spec_name == "wandb/lineseries/v0":
            spec.update(x=f["step"], y=f["lineVal"], series=f["lineKey"], x_title=s.get("xname"))
        elif kind == "bar":
            spec.update(x=f.get("label"), y=f.get("value"))
        elif kind == "histogram":
            spec.update(value=f.get("value"))
        elif kind == "confusion_matrix":
            spec.update(x=f["Predicted"], y=f["Actual"], value=f["nPredictions"])
        spec.update(x_title=spec.get("x_title") or s.get("x-axis-title"), y_title=s.get("y-axis-title"))
        return {k: v for k, v in spec.items() if v}


_PRESETS = {
    "wandb/line/v0": "line",
    "wandb/lineseries/v0": "line",
    "wandb/area-under-curve/v0": "line",
    "wandb/scatter/v0": "scatter",
    "wandb/bar/v0": "bar",
    "wandb/histogram/v0": "histogram",
    "wandb/confusion_matrix/v1": "confusion_matrix",
}


@dataclass
class CustomChart(WBValue):
    """A table and the chart drawn from it; ``wandb.log`` records both."""

    table: Table
    spec: CustomChartSpec = field(default_factory=lambda: CustomChartSpec("", {}, {}))

    def set_key(self, key: str) -> None:
        self.spec.key = key

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        self.set_key(key)
        self.table.log_into(run, key, step, chart=self.spec.chart())


def plot_table(
    vega_spec_name: str,
    data_table: Table,
    fields: dict[str, Any],
    string_fields: dict[str, Any] | None = None,
    split_table: bool = False,
) -> CustomChart:
    """A chart of ``data_table`` drawn by the Vega spec ``vega_spec_name``."""
    if not isinstance(data_table, Table):
        raise Error(
            f"Expected `data_table` to be `wandb.Table` type, instead got {type(data_table).__name__}"
        )
    spec = CustomChartSpec(vega_spec_name, fields, string_fields or {}, split_table=split_table)
    return CustomChart(table=data_table, spec=spec)


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
    ys = list(ys)  # type: ignore[call-overload]
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
