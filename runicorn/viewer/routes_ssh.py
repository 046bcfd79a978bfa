"""``/api/ssh/*``: connect to a server, browse it, start / list / stop mirrors (docs/remote.md#api).

These are the only endpoints that write, and only into run folders a mirror created. Errors use
the one JSON shape ``{"error": "...", "status": N}`` (plus ``hint`` when there is one). An unknown
host key is not an error: ``connect`` answers ``{"session": null, "host_key": "unknown",
"fingerprint": "SHA256:..."}`` and a second call with ``trust: true`` and that ``fingerprint``
accepts it.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from runicorn.errors import ConfigError, HostKeyChanged, HostKeyUnknown, RunicornError
from runicorn.gate.error_shape import runicorn_error_response
from runicorn.remote.registry import Registry
from runicorn.settings import Settings

if TYPE_CHECKING:
    from runicorn.remote.tasks import MirrorTasks


class ConnectBody(BaseModel):
    host: str = Field(min_length=1, max_length=255)
    port: int = Field(default=22, ge=1, le=65535)
    user: str = Field(min_length=1, max_length=64)
    password: str | None = None
    key_path: str | None = None
    key_text: str | None = None
    passphrase: str | None = None
    agent: bool = True
    trust: bool = False
    fingerprint: str | None = None


class StartBody(BaseModel):
    session: str
    path: str = Field(min_length=1, max_length=4096)
    interval_s: float | None = Field(default=None, gt=0.1, le=3600)


class StopBody(BaseModel):
    id: str


class LazyMirrorTasks:
    """The viewer's :class:`MirrorTasks`, made on first use.

    The SSH library costs a noticeable share of the viewer's start, and most starts never touch
    SSH: it is imported when a mirror resumes from the mirror file or an SSH endpoint is called.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._tasks: MirrorTasks | None = None
        self._lock = threading.Lock()

    def get(self) -> MirrorTasks:
        with self._lock:
            if self._tasks is None:
                from runicorn.remote.tasks import MirrorTasks

                self._tasks = MirrorTasks(self.settings.storage)
            return self._tasks

    def resume(self) -> None:
        """Restart the mirrors named in the mirror file (none: nothing is imported)."""
        if Registry(self.settings.storage).mirrors():
            self.get().resume()

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            tasks = self._tasks
        return [] if tasks is None else tasks.list()

    def close(self) -> None:
        with self._lock:
            tasks = self._tasks
        if tasks is not None:
            tasks.close()


def _status_of(err: RunicornError) -> int:
    from runicorn.remote.tasks import MirrorNotFound, SessionNotFound  # loaded: the error came from there

    if isinstance(err, (SessionNotFound, MirrorNotFound)):
        return 404
    if isinstance(err, ConfigError):
        return 400
    if isinstance(err, HostKeyChanged):
        return 409
    return 502  # the server could not be reached or refused us


def router(settings: Settings, resume_mirrors: bool = False) -> APIRouter:
    """The SSH routes over one :class:`MirrorTasks`, made on first use (``app.state.mirror_tasks``
    while serving).

    With ``resume_mirrors`` (``runicorn viewer --resume-mirrors``), the mirrors named in the
    mirror file resume when the server starts; otherwise the viewer connects nowhere until asked.
    When it stops, running mirrors stop (and stay in the file for next time).
    """
    lazy = LazyMirrorTasks(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.mirror_tasks = lazy
        if resume_mirrors:
            lazy.resume()
        try:
            yield
        finally:
            await run_in_threadpool(lazy.close)

    api = APIRouter(prefix="/api/ssh", tags=["ssh"], lifespan=lifespan)

    @api.post("/connect")
    def connect(body: ConnectBody) -> Any:
        if body.trust and not body.fingerprint:
            return runicorn_error_response(
                ConfigError(
                    "trust needs the fingerprint you confirmed",
                    "send the fingerprint from the first answer with trust: true",
                ),
                400,
            )
        from runicorn.remote.connect import Credentials

        creds = Credentials(
            password=body.password,
            key_path=body.key_path,
            key_text=body.key_text,
            passphrase=body.passphrase,
            use_agent=body.agent,
        )
        try:
            session = lazy.get().connect(
                body.host,
                body.port,
                body.user,
                creds,
                trust_fingerprint=body.fingerprint if body.trust else None,
            )
        except HostKeyUnknown as err:
            if body.trust:
                return runicorn_error_response(err, 409)
            return {
                "session": None,
                "host_key": "unknown",
                "fingerprint": err.fingerprint,
                "message": err.message,
            }
        except RunicornError as err:
            return runicorn_error_response(err, _status_of(err))
        return {"session": session, "host_key": "known"}

    @api.get("/listdir")
    def listdir(session: str, path: str = ".") -> Any:
        try:
            return lazy.get().listdir(session, path)
        except RunicornError as err:
            return runicorn_error_response(err, _status_of(err))

    @api.post("/mirror/start")
    def start(body: StartBody) -> Any:
        try:
            return {"id": lazy.get().start(body.session, body.path, body.interval_s)}
        except RunicornError as err:
            return runicorn_error_response(err, _status_of(err))

    @api.get("/mirror/list")
    def mirror_list() -> Any:
        return {"mirrors": lazy.list()}

    @api.post("/mirror/stop")
    def stop(body: StopBody) -> Any:
        try:
            lazy.get().stop(body.id)
        except RunicornError as err:
            return runicorn_error_response(err, _status_of(err))
        return {"stopped": body.id}

    return api
