"""The one JSON error shape: a bad argument is the caller's 400, any other ValueError a bug's 500."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from runicorn.errors import BadArgument
from runicorn.gate.error_shape import install_error_handlers


def _client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/bad")
    def bad() -> None:
        raise BadArgument("unknown sort field 'colour'")

    @app.get("/bug")
    def bug() -> None:
        int("not a number")  # a ValueError no caller asked for

    return TestClient(app, raise_server_exceptions=False)


def test_a_bad_argument_is_a_400_naming_it() -> None:
    answer = _client().get("/bad")
    assert answer.status_code == 400
    assert answer.json() == {"error": "unknown sort field 'colour'", "status": 400}


def test_a_valueerror_from_a_bug_is_a_500_without_its_message() -> None:
    answer = _client().get("/bug")
    assert answer.status_code == 500
    assert answer.json() == {"error": "internal error: ValueError", "status": 500}
