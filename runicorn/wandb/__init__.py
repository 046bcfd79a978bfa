"""``import runicorn.wandb as wandb``: W&B's logging API, offline, into Runicorn runs (docs/wandb.md)."""
