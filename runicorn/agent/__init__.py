"""``runicorn agent``: a persistent job queue for GPU boxes (docs/agent.md)."""
