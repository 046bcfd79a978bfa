"""Every runicorn.wandb test starts with no WANDB_* variable set and no current W&B run."""

from wandb_runs import clean_session  # noqa: F401
