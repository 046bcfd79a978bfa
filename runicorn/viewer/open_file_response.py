"""An HTTP answer streamed from a file already open: the file that was checked is the file sent.

Starlette's ``FileResponse`` takes a path and opens it again when it sends; between a check and
that open, a file of a run can be swapped for a link to anything the viewer may read. Here the
caller hands over an open file (see :func:`runicorn.files.open_run_file_walked`) and
every byte is read from its descriptor with ``os.pread`` in a worker thread; the descriptor is
closed when the answer ends, however it ends.

Ranges work as browsers use them for audio and video: ``Range: bytes=a-b``, ``bytes=a-`` and
``bytes=-n`` answer 206 with ``Content-Range``; a range that starts past the end answers 416 with
``Content-Range: bytes */size``; several ranges, another unit or a malformed header are ignored
(the whole file, 200, as RFC 9110 allows). ``ETag`` and ``Last-Modified`` are sent (the same
values ``FileResponse`` sent), and ``If-Range`` holding either keeps the range; anything else in
it sends the whole file. ``HEAD`` answers the same headers without a body.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import AsyncIterator, Mapping
from email.utils import formatdate
from typing import BinaryIO

import anyio
from starlette.datastructures import Headers
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

CHUNK_BYTES = 64 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _validators(st: os.stat_result) -> tuple[str, str]:
    """(ETag, Last-Modified) of a file, as Starlette's FileResponse makes them."""
    tag = hashlib.md5(f"{st.st_mtime}-{st.st_size}".encode(), usedforsecurity=False).hexdigest()
    return f'"{tag}"', formatdate(st.st_mtime, usegmt=True)


def requested_range(header: str | None, size: int) -> tuple[int, int] | None | str:
    """The one byte range ``header`` asks of a file of ``size`` bytes as ``(start, end)``
    (end excluded); None to send the whole file (no header, several ranges, not understood);
    ``"unsatisfiable"`` for a range that starts past the end."""
    if header is None:
        return None
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        count = int(last)
        if count == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - count), size
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = size if not last else int(last) + 1
    if end <= start:
        return None  # a range that ends before it starts is malformed: ignored
    return start, min(end, size)


class OpenFileResponse(StreamingResponse):
    """The content of ``file`` (open for reading; closed when the answer is over) for ``request``'s
    method and headers. Build it with :func:`open_file_response`."""

    def __init__(
        self,
        file: BinaryIO,
        status_code: int,
        span: tuple[int, int],
        headers: Mapping[str, str],
        media_type: str | None,
        send_body: bool,
    ) -> None:
        self.file = file
        self._span = span
        super().__init__(self._chunks() if send_body else _nothing(), status_code, dict(headers), media_type)

    async def _chunks(self) -> AsyncIterator[bytes]:
        fd = self.file.fileno()
        position, end = self._span
        while position < end:
            chunk = await anyio.to_thread.run_sync(os.pread, fd, min(CHUNK_BYTES, end - position), position)
            if not chunk:
                return  # the file shrank while it was sent: what there was
            position += len(chunk)
            yield chunk

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.file.close()  # a worker thread is never reading it now: to_thread waits for it


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""  # an async generator that yields nothing


def open_file_response(
    file: BinaryIO,
    request_headers: Headers,
    method: str,
    media_type: str | None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The answer to a GET or HEAD of ``file``: 200, 206 for a range, 416 for one past the end."""
    st = os.fstat(file.fileno())
    size = st.st_size
    etag, last_modified = _validators(st)
    out = {**(headers or {}), "accept-ranges": "bytes", "etag": etag, "last-modified": last_modified}
    wanted = requested_range(request_headers.get("range"), size)
    if_range = request_headers.get("if-range")
    if wanted is not None and if_range is not None and if_range.strip() not in (etag, last_modified):
        wanted = None  # the file changed since the client's copy: all of it
    if wanted == "unsatisfiable":
        file.close()
        return Response(status_code=416, headers={**out, "content-range": f"bytes */{size}"})
    head = method.upper() == "HEAD"
    if wanted is None:
        out["content-length"] = str(size)
        return OpenFileResponse(file, 200, (0, size), out, media_type, send_body=not head)
    assert not isinstance(wanted, str)
    start, end = wanted
    out["content-range"] = f"bytes {start}-{end - 1}/{size}"
    out["content-length"] = str(end - start)
    return OpenFileResponse(file, 206, (start, end), out, media_type, send_body=not head)
