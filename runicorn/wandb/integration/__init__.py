"""``wandb.integration``: the framework callbacks W&B ships with its SDK, written over
``runicorn.wandb`` (docs/wandb.md#integrations).

Only ``wandb.integration.keras`` is here; the other frameworks (Lightning, transformers,
accelerate) carry their W&B integration themselves and work against ``runicorn.wandb`` unchanged
once it is installed as ``wandb``. Importing this package imports no framework.
"""
