"""``POST /api/import``: upload an archive, import its runs, answer one result per run.

The multipart body is parsed as it streams in (python-multipart) and the file part is written to
a staging file inside the storage root, never held in memory; past ``max_upload_bytes`` the
upload is refused with 413 and the staging file removed. The import itself is
:func:`runicorn.archive.import_archive`: the same checks and results as ``runicorn import``.
Errors use the one JSON shape ``{"error": "...", "status": N}`` (plus ``hint``). An upload from
another site's page never gets here: the access gate refuses it (:mod:`.origin`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from runicorn import archive
from runicorn import format as fmt
from runicorn.errors import ArchiveError, RunicornError
from runicorn.gate.error_shape import runicorn_error_response
from runicorn.settings import Settings

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

FILE_FIELD = "file"
# Room for the multipart boundaries and part headers around the file itself.
_ENVELOPE_BYTES = 64 * 1024


class UploadTooLarge(RunicornError):
    """The upload is over ``max_upload_bytes``."""


class BadUpload(RunicornError):
    """The request is not a multipart form with one archive in field ``file``."""


class _FilePart:
    """Receives multipart callbacks; writes the ``file`` part to ``sink``, counting its bytes."""

    def __init__(self, sink: IO[bytes], max_bytes: int) -> None:
        self.sink, self.max_bytes = sink, max_bytes
        self.filename: str | None = None
        self.bytes = 0
        self.files = 0
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._in_file = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._field,
            "on_header_value": self._value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
            "on_part_data": self._data,
        }

    def _part_begin(self) -> None:
        self._headers, self._in_file = {}, False

    def _field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _kind, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name") == FILE_FIELD.encode():
            self.files += 1
            if self.files > 1:
                raise BadUpload("the upload holds more than one file", "send one archive per request")
            self._in_file = True
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace") or "upload"

    def _data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file:
            return
        self.bytes += end - start
        if self.bytes > self.max_bytes:
            raise UploadTooLarge(
                f"the upload is larger than {self.max_bytes} bytes",
                "import it with `runicorn import FILE`, or raise RUNICORN_MAX_UPLOAD_BYTES",
            )
        self.sink.write(data[start:end])


async def _drain(request: Request) -> None:
    """Read the rest of a refused body so the client gets the answer instead of a broken pipe."""
    try:
        async for _chunk in request.stream():
            pass
    except Exception:  # the client went away: nothing left to answer
        pass


def router(settings: Settings) -> APIRouter:
    r = APIRouter()
    limits = archive.ArchiveLimits.from_settings(settings)

    @r.post("/api/import")
    async def import_upload(request: Request) -> Any:
        cap = settings.max_upload_bytes
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > cap + _ENVELOPE_BYTES:
            await _drain(request)
            return runicorn_error_response(
                UploadTooLarge(
                    f"the upload is larger than {cap} bytes",
                    "import it with `runicorn import FILE`, or raise RUNICORN_MAX_UPLOAD_BYTES",
                ),
                413,
            )
        kind, options = parse_options_header(request.headers.get("content-type", ""))
        if kind != b"multipart/form-data" or b"boundary" not in options:
            await _drain(request)
            return runicorn_error_response(
                BadUpload(
                    "the upload is not multipart/form-data", f"send the archive as form field '{FILE_FIELD}'"
                ),
                400,
            )
        staging = Path(settings.storage) / fmt.IMPORT_STAGING_DIR
        try:
            staging.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=".part", dir=staging)
        except OSError as exc:
            await _drain(request)
            return runicorn_error_response(
                ArchiveError(
                    f"cannot write into the storage root {settings.storage}: {exc.strerror or exc}",
                    "check that it is writable",
                ),
                500,
            )
        upload = Path(name)
        try:
            with os.fdopen(fd, "wb") as sink:
                part = _FilePart(sink, cap)
                parser = MultipartParser(options[b"boundary"], part.callbacks())
                try:
                    async for chunk in request.stream():
                        parser.write(chunk)
                    parser.finalize()
                except UploadTooLarge as err:
                    await _drain(request)
                    return runicorn_error_response(err, 413)
                except BadUpload as err:
                    await _drain(request)
                    return runicorn_error_response(err, 400)
                except Exception as exc:  # malformed multipart or a client that went away
                    return runicorn_error_response(
                        BadUpload(
                            f"the upload could not be read: {exc}",
                            f"send the archive as form field '{FILE_FIELD}'",
                        ),
                        400,
                    )
            if not part.files:
                return runicorn_error_response(
                    BadUpload(
                        f"the upload has no '{FILE_FIELD}' field",
                        f"send the archive as form field '{FILE_FIELD}'",
                    ),
                    400,
                )
            try:
                results = await run_in_threadpool(
                    archive.import_archive, upload, settings.storage, limits, None, part.filename
                )
            except ArchiveError as err:
                err.message = err.message.replace(str(upload), part.filename or "the upload")
                return runicorn_error_response(err, 422)
            reader = getattr(request.app.state, "reader", None)
            if reader is not None:  # the runs list shows the imported runs on its next fetch
                await run_in_threadpool(reader.rescan)
            return {"archive": part.filename, "results": [result.as_dict() for result in results]}
        finally:
            upload.unlink(missing_ok=True)
            try:
                staging.rmdir()
            except OSError:
                pass  # another import is staging too

    return r
