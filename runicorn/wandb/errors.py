"""``wandb.Error``: what W&B raises for a misuse (a call before ``init``, a changed config value)."""

from __future__ import annotations

from runicorn.errors import RunicornError


class Error(RunicornError):
    """A W&B-style error; also a :class:`~runicorn.errors.RunicornError` (``err.hint`` may say more)."""


class UsageError(Error):
    """A call made the wrong way (W&B's ``wandb.errors.UsageError``)."""


class CommError(Error):
    """Talking to a W&B server failed: raised by the cloud-only calls Runicorn does not have."""
