"""The options several commands share, each defined once: ``--storage``, ``--host``/``--port`` and
``--cors-origin``."""

from __future__ import annotations

import argparse


def add_storage(p: argparse.ArgumentParser, purpose: str = "", *, help: str | None = None) -> None:
    """``--storage ROOT``: "storage root <purpose> (default: the configured one)", or ``help``."""
    words = f"storage root {purpose}" if purpose else "storage root"
    p.add_argument("--storage", metavar="ROOT", help=help or f"{words} (default: the configured one)")


def add_bind(p: argparse.ArgumentParser, port: int, host_note: str = "") -> None:
    """``--host`` (default 127.0.0.1, then ``host_note`` in its help) and ``--port`` (0: a free one)."""
    p.add_argument("--host", default="127.0.0.1", help=f"address to bind (default 127.0.0.1{host_note})")
    p.add_argument(
        "--port", type=int, default=port, help=f"port to bind (default {port}; 0 picks a free one)"
    )


def add_cors_origin(p: argparse.ArgumentParser, help: str) -> None:
    """``--cors-origin ORIGIN`` (repeatable; none by default)."""
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN", help=help)
