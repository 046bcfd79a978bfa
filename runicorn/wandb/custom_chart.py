"""W&B's custom chart (``wandb.plot_table``): a table and the Vega spec that draws it; the
presets of ``wandb.plot`` are made of it (docs/wandb.md#data-types).

``wandb.log`` records a chart through the SDK's ``log_table`` with its chart (a
:class:`runicorn.format.ChartSpec`: kind, the columns it draws, titles), which the viewer draws
above the table. ``spec`` keeps W&B's own description (``spec_name``, ``fields``,
``string_fields``) for code that reads it. A chart of a Vega spec that is not one of W&B's
presets is recorded as its table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runicorn.wandb.errors import Error
from runicorn.wandb.table import Table
from runicorn.wandb.wbvalue import WBValue

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["CustomChart", "CustomChartSpec", "plot_table"]


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
