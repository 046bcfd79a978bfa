"""``wandb.sdk.wandb_summary``: W&B's ``Summary`` and its nested views."""

from __future__ import annotations

from runicorn.wandb.summary import Summary, SummaryDict, SummaryRecord, SummarySubDict

__all__ = ["Summary", "SummaryDict", "SummaryRecord", "SummarySubDict"]
