"""``wandb.integration.keras``: W&B's Keras 3 callbacks, logging through ``runicorn.wandb``.

    import wandb
    from wandb.integration.keras import WandbMetricsLogger, WandbModelCheckpoint

    wandb.init(project="demo")
    model.fit(x, y, epochs=5, callbacks=[WandbMetricsLogger(), WandbModelCheckpoint("model.keras")])

Each callback needs a run (``wandb.init()`` before it is made) and logs with ``wandb.log``,
``wandb.run.summary`` and ``wandb.log_artifact``, as W&B's do. Importing this module imports
``keras`` (the callbacks subclass Keras' own); any Keras 3 backend works.
"""

from runicorn.wandb.integration.keras.callback import WandbCallback
from runicorn.wandb.integration.keras.eval_callback import WandbEvalCallback
from runicorn.wandb.integration.keras.metrics_logger import WandbMetricsLogger
from runicorn.wandb.integration.keras.model_checkpoint import WandbModelCheckpoint

__all__ = ["WandbCallback", "WandbEvalCallback", "WandbMetricsLogger", "WandbModelCheckpoint"]
