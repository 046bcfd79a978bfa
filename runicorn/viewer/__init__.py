"""The viewer: a read-only FastAPI app over one storage root (docs/viewer.md, docs/api.md).

``create_app(settings)`` builds the app; ``runicorn viewer`` serves it with uvicorn
(:mod:`runicorn.viewer.server`). Nothing here writes into the storage root.
"""

from runicorn.viewer.app import create_app

__all__ = ["create_app"]
