"""``runicorn agent``: serves :func:`create_agent_app` with uvicorn (docs/agent.md, docs/cli.md#agent).

Takes the root's agent lock first (a second agent on the same root is refused), reconciles the
jobs an earlier agent left running, then binds like the viewer: 127.0.0.1 by default. Every
request needs the owner's token (runicorn/agent/agent_token.py), on loopback too. Ctrl-C and
SIGTERM stop the service; running attempts go on and the next agent re-attaches them.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from runicorn.agent.agent_token import agent_token
from runicorn.agent.app import create_agent_app
from runicorn.agent.service import Agent, AgentOptions
from runicorn.gate.listen import bind, check_port, serve_app
from runicorn.gate.origin import OriginRule
from runicorn.settings import Settings

DEFAULT_PORT = 8100


def serve(
    settings: Settings,
    options: AgentOptions,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    token: str | None = None,
    cors_origins: Sequence[str] = (),
    nvml: ModuleType | Any | None = None,
) -> int:
    check_port(port)
    OriginRule(cors_origins)  # a bad --cors-origin is refused before anything starts
    token, token_source = agent_token(settings, token)
    agent = Agent.open(settings.storage, options, nvml=nvml)
    try:
        app = create_agent_app(agent, token=token, cors_origins=cors_origins)
        sock = bind(host, port)
        bound = sock.getsockname()[1]
        shown = f"[{host}]" if ":" in host else host
        print(f"Runicorn agent: http://{shown}:{bound}/", flush=True)
        print(f"token          : required on every request; {token_source}", flush=True)
        print(f"storage root   : {agent.root}", flush=True)
        gpus = ", ".join(map(str, agent.census.indices)) or "none"
        print(f"GPUs           : {gpus}", flush=True)
        pending = agent.queue.stats()["counts"]
        print(f"queue          : {pending['running']} running, {pending['pending']} pending", flush=True)
        print("press Ctrl-C to stop (running jobs go on; the next agent re-attaches them)", flush=True)
        logging.getLogger("runicorn.agent").setLevel(logging.INFO)
        serve_app(app, sock)
    finally:
        agent.close()
    print("agent stopped", file=sys.stderr, flush=True)
    return 0
