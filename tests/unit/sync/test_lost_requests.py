"""When the object store goes away mid-request, the user sees the one error the call raises (with
its hint), not tracebacks of the HTTP library's abandoned background tasks."""

from __future__ import annotations

import asyncio
import gc
import logging

import pytest

pytest.importorskip("s3fs")

import fsspec.asyn  # noqa: E402

from runicorn.sync.bucket import _open_fs  # noqa: E402


def test_an_abandoned_request_task_prints_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    _open_fs("http://127.0.0.1:9")  # what every Bucket does: s3fs's requests run on fsspec's loop

    async def request_cut_off() -> None:
        raise ConnectionResetError("Cannot write to closing transport")

    async def abandon() -> None:
        task = asyncio.ensure_future(request_cut_off())
        await asyncio.sleep(0.05)  # it failed; nobody asks for its result
        del task
        gc.collect()  # asyncio reports a dropped task's unread error now

    with caplog.at_level(logging.DEBUG):
        asyncio.run_coroutine_threadsafe(abandon(), fsspec.asyn.get_loop()).result(10)
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert loud == [], [r.getMessage() for r in loud]
    assert any("ended without a reader" in r.getMessage() for r in caplog.records)
