"""A run's ``logs.txt``: paged reads and the live tail WebSocket (docs/api.md#logs).

The WebSocket looks at the file every ``poll_interval_s`` (0.2 s) per connection (with a
:class:`~runicorn.store.follower.Follower`: device, inode, size, mtime) and sends the complete
lines appended since the last send, so a line written by a training process reaches the browser
within half a second. Reads go through :meth:`runicorn.store.StoreReader.read_logs_at` from the
byte offset where the last one stopped, in a worker thread (the stat too: a shared disk may be
slow), never on the event loop; each read keeps a bounded number of bytes and cuts over-long lines
(docs/viewer.md#live-tail).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from fastapi import APIRouter, Query, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from runicorn.errors import RunNotFound
from runicorn.store import StoreReader
from runicorn.store.follower import Follower, Look

MAX_LINES = 100_000
WS_BATCH_LINES = 1000
WS_UNKNOWN_RUN_CODE = 4404


def router(reader: StoreReader, poll_interval_s: float = 0.2) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["logs"])

    @api.get("/runs/{key}/logs")
    def logs(
        key: str,
        offset: int = Query(0, ge=0),
        limit: int = Query(1000, ge=1, le=MAX_LINES),
    ) -> dict[str, Any]:
        answer = reader.logs(key, offset=offset, limit=limit)
        warnings = []
        if answer["malformed"]:
            warnings.append(
                f"{answer['malformed']} lines of logs.txt are not valid UTF-8 (shown with replacements)"
            )
        return {**answer, "warnings": warnings}

    @api.websocket("/runs/{key}/logs/ws")
    async def logs_ws(websocket: WebSocket, key: str, offset: int = 0) -> None:
        await websocket.accept()
        try:
            path = reader.logs_path(key)
        except RunNotFound as err:
            await websocket.send_json({"error": err.message, "status": 404, "hint": err.hint})
            await websocket.close(WS_UNKNOWN_RUN_CODE)
            return
        receiving = asyncio.ensure_future(websocket.receive())
        position = max(0, offset)
        # Only says whether the file changed since the last look; where to read on is ``position``
        # (read_logs_at finds a cut or rewritten file itself and says ``restarted``).
        follower = Follower()
        try:
            while True:
                look = await asyncio.to_thread(follower.look_at, path.parent, path.name)
                if look in (Look.CHANGED, Look.RESTARTED):
                    chunk = await asyncio.to_thread(reader.read_logs_at, path, position, WS_BATCH_LINES)
                    if chunk.lines or chunk.restarted:
                        await websocket.send_json(
                            {
                                "lines": chunk.lines,
                                "start": chunk.start,
                                "offset": chunk.offset,
                                "restarted": chunk.restarted,
                            }
                        )
                    position = chunk.offset
                    if chunk.more:
                        follower.interrupted()  # the next look reads on
                        continue  # send the next batch right away
                done, _ = await asyncio.wait({receiving}, timeout=poll_interval_s)
                if done:
                    message = receiving.result()
                    if message["type"] == "websocket.disconnect":
                        return
                    receiving = asyncio.ensure_future(websocket.receive())  # clients send nothing; ignore
        except (WebSocketDisconnect, RuntimeError, OSError):
            return
        finally:
            receiving.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await receiving
            if websocket.application_state == WebSocketState.CONNECTED and websocket.client_state not in (
                WebSocketState.DISCONNECTED,
            ):
                with contextlib.suppress(Exception):
                    await websocket.close()

    return api
