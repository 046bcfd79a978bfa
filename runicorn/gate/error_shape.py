"""The one JSON error shape of the API: ``{"error": "...", "status": N}`` (plus ``hint``).

:func:`install_error_handlers` registers the handlers that turn every failure into that shape:
unknown routes and wrong methods (Starlette's HTTPException), invalid query parameters (422),
unknown runs (:class:`~runicorn.errors.RunNotFound`, 404), bad arguments and every other
:class:`~runicorn.errors.RunicornError` (:class:`~runicorn.errors.BadArgument` and the rest, 400;
a query that does not parse adds its ``column``), and anything unexpected, a ``ValueError``
included (500, logged, never a traceback to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from runicorn.errors import QueryError, RunicornError, RunNotFound

log = logging.getLogger("runicorn.viewer")


def error_response(message: str, status: int, hint: str | None = None, **extra: Any) -> JSONResponse:
    """The one shape; ``extra`` adds fields (a query error's ``column``)."""
    body: dict[str, Any] = {"error": message, "status": status}
    if hint:
        body["hint"] = hint
    body.update(extra)
    return JSONResponse(body, status_code=status)


def runicorn_error_response(err: RunicornError, status: int) -> JSONResponse:
    """A RunicornError in the one shape: its message, and its hint (what to do next)."""
    return error_response(err.message, status, err.hint)


def _describe_validation(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
        parts.append(f"{where or 'request'}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts) if parts else "invalid request"


def install_error_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such endpoint: {request.url.path}"
        response = error_response(message, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        return error_response(_describe_validation(exc), 422)

    async def run_not_found(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RunNotFound)
        return runicorn_error_response(exc, 404)

    async def runicorn_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RunicornError)
        return runicorn_error_response(exc, 400)

    async def query_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, QueryError)
        return error_response(exc.message, 400, exc.hint, column=exc.column)

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error answering %s", request.url.path)
        return error_response(f"internal error: {type(exc).__name__}", 500)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(RunNotFound, run_not_found)
    app.add_exception_handler(RunicornError, runicorn_error)
    app.add_exception_handler(QueryError, query_error)
    app.add_exception_handler(Exception, unexpected)
