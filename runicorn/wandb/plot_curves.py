"""``wandb.plot.confusion_matrix``, ``pr_curve`` and ``roc_curve``: the table W&B computes for
each (same rows, same rounding), drawn by the viewer (docs/wandb.md#data-types). numpy, pandas and
scikit-learn (for the curves, as in W&B) are imported when one is made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runicorn.wandb.custom_chart import CustomChart

__all__ = ["confusion_matrix", "pr_curve", "roc_curve"]

_log = logging.getLogger("runicorn")


def confusion_matrix(
    probs: Sequence[Sequence[float]] | None = None,
    y_true: Sequence[Any] | None = None,
    preds: Sequence[Any] | None = None,
    class_names: Sequence[str] | None = None,
    title: str = "Confusion Matrix Curve",
    split_table: bool = False,
) -> CustomChart:
    """Counts of (actual, predicted) class pairs, from ``preds`` or the argmax of ``probs``."""
    import numpy as np

    from runicorn.wandb.custom_chart import plot_table
    from runicorn.wandb.table import Table

    if probs is not None and preds is not None:
        raise ValueError("Only one of `probs` or `preds` should be provided, not both.")
    if probs is not None:
        preds = np.argmax(probs, axis=1).tolist()
    if preds is None or y_true is None:
        raise ValueError("confusion_matrix needs y_true and one of preds or probs")
    if len(preds) != len(y_true):
        raise ValueError("The number of predictions and true labels must be equal.")
    if class_names is not None:
        n_classes = len(class_names)
        class_idx: Any = list(range(n_classes))
        if len(set(preds)) > n_classes:
            raise ValueError("The number of unique predicted classes exceeds the number of class names.")
        if len(set(y_true)) > n_classes:
            raise ValueError("The number of unique true labels exceeds the number of class names.")
    else:
        class_idx = set(preds).union(set(y_true))
        n_classes = len(class_idx)
        class_names = [f"Class_{i + 1}" for i in range(n_classes)]
    mapping = {val: i for i, val in enumerate(sorted(class_idx))}
    counts = np.zeros((n_classes, n_classes))
    for actual, predicted in zip(y_true, preds, strict=True):
        counts[mapping[actual], mapping[predicted]] += 1
    data = [
        [class_names[i], class_names[j], counts[i, j]] for i in range(n_classes) for j in range(n_classes)
    ]
    fields = {"Actual": "Actual", "Predicted": "Predicted", "nPredictions": "nPredictions"}
    table = Table(columns=["Actual", "Predicted", "nPredictions"], data=data)
    return plot_table("wandb/confusion_matrix/v1", table, fields, {"title": title}, split_table)


def pr_curve(
    y_true: Sequence[Any] | None = None,
    y_probas: Sequence[Any] | None = None,
    labels: list[str] | None = None,
    classes_to_plot: list[Any] | None = None,
    interp_size: int = 21,
    title: str = "Precision-Recall Curve",
    split_table: bool = False,
) -> CustomChart | None:
    """Precision against recall for each class, interpolated at ``interp_size`` recalls."""
    import numpy as np
    from sklearn import metrics

    if y_true is None or y_probas is None:
        _log.error("wandb: y_true and y_probas are needed for pr_curve")
        return None
    truth, probas = np.array(y_true), np.array(y_probas)
    recall_points = np.linspace(0, 1, interp_size)[::-1]
    precision: dict[Any, Any] = {}
    for label, i, positive in _classes_to_plot(truth, classes_to_plot, labels):
        precisions, recalls, _ = metrics.precision_recall_curve(truth, probas[:, i], pos_label=positive)
        for j in range(1, len(precisions)):  # smoothed: monotonically increasing
            precisions[j] = max(precisions[j], precisions[j - 1])
        precisions, recalls = precisions[::-1], recalls[::-1]
        precision[label] = precisions[np.searchsorted(recalls, recall_points, side="left")]
    columns = {
        "class": np.hstack([[k] * len(v) for k, v in precision.items()]),
        "precision": np.hstack(list(precision.values())),
        "recall": np.tile(recall_points, len(precision)),
    }
    strings = {"title": title, "x-axis-title": "Recall", "y-axis-title": "Precision"}
    return _curve(columns, {"x": "recall", "y": "precision", "class": "class"}, strings, split_table)


def roc_curve(
    y_true: Sequence[Any],
    y_probas: Sequence[Sequence[float]] | None = None,
    labels: list[str] | None = None,
    classes_to_plot: list[Any] | None = None,
    title: str = "ROC Curve",
    split_table: bool = False,
) -> CustomChart | None:
    """True positive rate against false positive rate for each class."""
    import numpy as np
    from sklearn import metrics

    if y_true is None or y_probas is None:
        _log.error("wandb: y_true and y_probas are needed for roc_curve")
        return None
    truth, probas = np.array(y_true), np.array(y_probas)
    fpr: dict[Any, Any] = {}
    tpr: dict[Any, Any] = {}
    for label, i, positive in _classes_to_plot(truth, classes_to_plot, labels):
        fpr[label], tpr[label], _ = metrics.roc_curve(truth, probas[..., i], pos_label=positive)
    columns = {
        "class": np.hstack([[k] * len(v) for k, v in fpr.items()]),
        "fpr": np.hstack(list(fpr.values())),
        "tpr": np.hstack(list(tpr.values())),
    }
    strings = {"title": title, "x-axis-title": "False positive rate", "y-axis-title": "True positive rate"}
    return _curve(columns, {"x": "fpr", "y": "tpr", "class": "class"}, strings, split_table)


def _classes_to_plot(
    truth: Any, classes_to_plot: list[Any] | None, labels: list[str] | None
) -> Iterator[tuple[Any, int, Any]]:
    """``(label, column, class)`` for each class of ``truth`` to plot (all when ``classes_to_plot``
    is None): its name on the chart, its column of the scores and the class itself (scikit-learn's
    ``pos_label``)."""
    import numpy as np

    classes = np.unique(truth)
    wanted = classes if classes_to_plot is None else classes_to_plot
    for i in np.where(np.isin(classes, wanted))[0]:
        if labels is not None and isinstance(classes[i], (int, np.integer)):
            yield labels[classes[i]], i, classes[i]
        else:
            yield classes[i], i, classes[i]


def _curve(
    columns: dict[str, Any], fields: dict[str, str], strings: dict[str, str], split_table: bool
) -> CustomChart:
    import pandas as pd

    from runicorn.wandb.custom_chart import plot_table
    from runicorn.wandb.table import Table

    df = pd.DataFrame(columns).round(3)
    if len(df) > Table.MAX_ROWS:
        _log.warning("wandb: a curve's table keeps %d of its %d points", Table.MAX_ROWS, len(df))
        df = df.sample(n=Table.MAX_ROWS, random_state=42).sort_values([fields["x"], fields["y"], "class"])
    return plot_table("wandb/area-under-curve/v0", Table(dataframe=df), fields, strings, split_table)
