"""Whether this viewer serves the research endpoints (``/api/runs/columns``, ``/api/runs/table``,
``/api/metrics/grouped``): the research view's browser tests and bench need them.

A plain module, not part of conftest, so test modules import it by a name no other test folder uses.
"""

from __future__ import annotations

from pathlib import Path

VIEWER = Path(__file__).resolve().parents[2] / "runicorn" / "viewer"
ROUTES = ("/runs/columns", "/runs/table", "/metrics/grouped")


def research_api_present() -> bool:
    source = "".join(p.read_text(encoding="utf-8") for p in VIEWER.glob("*.py"))
    return all(route in source for route in ROUTES)


MISSING_REASON = "the viewer does not serve /api/runs/columns, /api/runs/table and /api/metrics/grouped yet"
