"""The agent's token, as the agent and its clients agree on it (docs/agent.md#security-model):
``--token``, else the ``agent_token`` setting, else the owner's token file in the user's config
folder, made on first use (runicorn/gate/owner_token.py). Light to import: ``runicorn agent
token`` runs inside scripts (``$(runicorn agent token)``)."""

from __future__ import annotations

from runicorn.gate.listen import checked_token
from runicorn.gate.owner_token import agent_token_path, owner_token
from runicorn.settings import Settings


def agent_token(settings: Settings, given: str | None = None) -> tuple[str, str]:
    """The agent's token and where it comes from: ``given`` (``--token``), else the
    ``agent_token`` setting, else the owner's token file (made on first use)."""
    if given:
        return checked_token(given), "the one given with --token"
    if settings.agent_token:
        return checked_token(settings.agent_token, "the agent_token setting"), "the agent_token setting"
    path = agent_token_path()
    return owner_token(path), f"{path} (`runicorn agent token` prints it)"
