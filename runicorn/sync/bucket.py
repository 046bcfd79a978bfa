"""A bucket prefix reached through fsspec + s3fs: list, get, put, with errors that say what to do.

``s3://bucket/prefix`` names the place; credentials come from where the AWS tools look for them
(``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE`` and the shared files, an
instance role), the endpoint of a non-AWS store from ``endpoint_url`` (the ``sync_endpoint_url``
setting, ``--endpoint-url``) or ``AWS_ENDPOINT_URL``. Nothing here keeps or prints a secret: every
error is rebuilt as a :class:`BucketError` whose text has any known secret blanked out.

fsspec and s3fs are imported here only, when a bucket is opened (the ``[s3]`` extra).

A bucket is not trusted: every read names the most bytes it takes (the size a manifest declares, or
a bound for manifests and the run index). Small objects are fetched with a ranged GET of one byte
more than that, large ones streamed to disk after the store's own size was checked, so an object
larger than declared is refused by key (:func:`too_large`) without being read whole.
"""

from __future__ import annotations

import errno
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runicorn.errors import RunicornError

log = logging.getLogger("runicorn")

SCHEME = "s3://"
# Objects are fetched this many at a time (s3fs runs them concurrently).
BATCH = 64
STREAM_CHUNK_BYTES = 4 * 1024 * 1024  # a large object is streamed to disk this much at a time


class BucketError(RunicornError):
    """The object store refused or could not be reached; the message names the bucket and key.
    ``fatal``: no other key would fare better (no such bucket, credentials refused)."""

    fatal = False


class BucketRefused(BucketError):
    """A missing bucket or refused credentials: stop, nothing else will work either."""

    fatal = True


class BucketUnreachable(BucketError):
    """The store did not answer (network cut, store down): stop; the next sync resumes."""

    fatal = True


def wrong_bytes(where: str) -> BucketError:
    """The error for an object whose bytes are not the ones its manifest names (``where``: its URL)."""
    return BucketError(
        f"{where} does not hold the bytes its manifest names",
        "sync the run again from its storage root to repair it",
    )


def too_large(where: str, max_bytes: int) -> BucketError:
    """The error for an object larger than the bytes its manifest (or a bound) allows it."""
    return BucketError(
        f"{where} holds more than the {max_bytes} bytes its manifest names; refused, nothing of it kept",
        "sync the run again from its storage root to repair it",
    )


@dataclass(frozen=True)
class BucketUrl:
    bucket: str
    prefix: str  # no leading or trailing "/"; "" for the whole bucket

    @property
    def url(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.prefix}".rstrip("/")

    def key(self, relpath: str) -> str:
        """``bucket/prefix/relpath``, as s3fs names objects."""
        return "/".join(p for p in (self.bucket, self.prefix, relpath) if p)


def is_bucket_url(text: str) -> bool:
    return text.startswith(SCHEME)


def parse_bucket_url(text: str) -> BucketUrl:
    if not is_bucket_url(text):
        raise BucketError(f"{text} is not an s3:// URL", "write s3://BUCKET/PREFIX")
    rest = text[len(SCHEME) :].strip("/")
    bucket, _, prefix = rest.partition("/")
    parts = [p for p in prefix.split("/") if p]
    if not bucket or any(p in (".", "..") for p in parts):
        raise BucketError(f"{text} names no bucket", "write s3://BUCKET/PREFIX")
    return BucketUrl(bucket, "/".join(parts))


@dataclass(frozen=True)
class Listed:
    size: int
    etag: str  # without quotes; the MD5 of the bytes for a single PUT on S3 and most stores


class Bucket:
    """The objects under one ``s3://bucket/prefix``, by key relative to the prefix."""

    def __init__(self, url: BucketUrl, endpoint_url: str = "", fs: Any = None) -> None:
        self.url = url
        self.endpoint_url = endpoint_url
        self.fs = fs if fs is not None else _open_fs(endpoint_url)
        self._secrets = _known_secrets(self.fs)
        self.requests = 0  # calls to the store (a listing page counts once)
        self.bytes_sent = 0
        self._counting = threading.Lock()  # get_many may run in two threads at once

    # --- reads ------------------------------------------------------------------------------
    def listing(self, under: str = "") -> dict[str, Listed]:
        """Every object below ``under`` (relative to the prefix): key relative to the prefix -> size, etag."""
        top = self.url.key(under)
        self._count(requests=1)
        found = self._call(self.fs.find, top, detail=True, withdirs=False)
        base = self.url.key("")
        out: dict[str, Listed] = {}
        for name, info in found.items():
            if info.get("type") == "directory":
                continue
            rel = name[len(base) :].lstrip("/") if base else name
            out[rel] = Listed(int(info.get("size") or 0), str(info.get("ETag") or "").strip('"'))
        return out

    def get(self, relpath: str, max_bytes: int) -> bytes:
        """One object of at most ``max_bytes`` (BucketError when missing or larger)."""
        got = self.get_many({relpath: max_bytes})[relpath]
        if isinstance(got, BucketError):
            raise got
        return got

    def get_many(self, wanted: dict[str, int]) -> dict[str, bytes | BucketError]:
        """Several objects fetched concurrently, each of at most the bytes given for it (one byte
        more is asked for: an object that has it is refused, :func:`too_large`); a missing,
        refused or too large one maps to its error."""
        relpaths = list(wanted)
        out: dict[str, bytes | BucketError] = {}
        for i in range(0, len(relpaths), BATCH):
            chunk = relpaths[i : i + BATCH]
            keys = [self.url.key(r) for r in chunk]
            ends = [max(0, wanted[r]) + 1 for r in chunk]
            got = self._call(self.fs.cat_ranges, keys, 0, ends, on_error="return")
            self._count(requests=len(chunk))
            for rel, key, value in zip(chunk, keys, got, strict=True):
                if isinstance(value, OSError) and value.errno == errno.EINVAL:
                    value = b""  # a range from byte 0 of an empty object: InvalidRange
                if isinstance(value, bytes) and len(value) > wanted[rel]:
                    out[rel] = too_large(f"{SCHEME}{key}", wanted[rel])
                elif isinstance(value, bytes):
                    out[rel] = value
                else:
                    exc = value if isinstance(value, BaseException) else FileNotFoundError(key)
                    error = self._error(exc, key)
                    if error.fatal:  # the store is gone or refuses us: no other key fares better
                        raise error
                    out[rel] = error
        return out

    def get_file(self, relpath: str, local: Path, max_bytes: int) -> None:
        """A large object streamed into the new file ``local`` (made 0o666 less the umask, never
        through a link), refused (:func:`too_large`) when the store says it is larger than
        ``max_bytes`` or it turns out so while streaming; the caller removes ``local`` then."""

        def stream(key: str) -> None:
            with self.fs.open(key, "rb", block_size=STREAM_CHUNK_BYTES, cache_type="none") as src:
                if int(getattr(src, "size", 0) or 0) > max_bytes:
                    raise too_large(f"{SCHEME}{key}", max_bytes)
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
                with open(os.open(local, flags, 0o666), "wb") as out:
                    written = 0
                    while chunk := src.read(STREAM_CHUNK_BYTES):
                        written += len(chunk)
                        if written > max_bytes:
                            raise too_large(f"{SCHEME}{key}", max_bytes)
                        out.write(chunk)

        self._call(stream, self.url.key(relpath))
        self._count(requests=1)

    # --- writes -----------------------------------------------------------------------------
    def put(self, relpath: str, data: bytes) -> None:
        self._call(self.fs.pipe_file, self.url.key(relpath), data)
        self._count(requests=1, sent=len(data))

    def put_file(self, relpath: str, local: Path) -> None:
        """A large file streamed from disk (multipart where the store needs it)."""
        self._call(self.fs.put_file, str(local), self.url.key(relpath))
        self._count(requests=1, sent=local.stat().st_size)

    def check_reachable(self) -> None:
        """Fail early, by name, on a missing bucket or credentials the store refuses (one listing
        of a key that does not exist)."""
        self.listing(".runicorn-check")

    def _count(self, requests: int = 0, sent: int = 0) -> None:
        with self._counting:
            self.requests += requests
            self.bytes_sent += sent

    # --- errors -----------------------------------------------------------------------------
    def _call(self, func: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except BucketError:
            raise
        except Exception as exc:  # noqa: BLE001 - every store error becomes a BucketError
            raise self._error(exc, args[0] if args and isinstance(args[0], str) else self.url.url) from None

    def _error(self, exc: BaseException, key: str | list[str]) -> BucketError:
        where = f"{SCHEME}{key}" if isinstance(key, str) else self.url.url
        text = self.redact(str(exc) or type(exc).__name__)
        lowered = text.lower()
        if "bucket does not exist" in lowered or "nosuchbucket" in lowered:
            return BucketRefused(
                f"bucket {self.url.bucket} does not exist ({where})",
                "create it first, or check the bucket name and the endpoint URL",
            )
        if _no_credentials(exc):
            return BucketRefused(
                f"no credentials for {where}: the S3 client found no access key",
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE with a credentials file) "
                "in the environment of this command",
            )
        if isinstance(exc, PermissionError) or "signature" in lowered or "access key" in lowered:
            return BucketRefused(
                f"the object store refused the credentials for {where}: {text}",
                "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or AWS_PROFILE, and the endpoint URL",
            )
        if isinstance(exc, FileNotFoundError):
            return BucketError(f"{where} is missing from the bucket", "sync the run again to repair it")
        return BucketUnreachable(
            f"cannot reach {where}: {text}",
            "check the network and the endpoint URL (sync_endpoint_url, --endpoint-url, AWS_ENDPOINT_URL); "
            "running the command again resumes where it stopped",
        )

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


def _no_credentials(exc: BaseException) -> bool:
    """botocore's NoCredentialsError (``Unable to locate credentials``), also when s3fs wraps it."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            return False
        if type(seen).__name__ in ("NoCredentialsError", "PartialCredentialsError"):
            return True
        if "unable to locate credentials" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _open_fs(endpoint_url: str) -> Any:
    try:
        import s3fs
    except ImportError as exc:
        raise BucketError(
            "reading or writing s3:// needs the s3fs package", "pip install 'runicorn[s3]'"
        ) from exc
    _quiet_lost_requests()
    client_kwargs = {"endpoint_url": endpoint_url} if endpoint_url else {}
    return s3fs.S3FileSystem(
        client_kwargs=client_kwargs,
        use_listings_cache=False,
        skip_instance_cache=True,
        config_kwargs={"connect_timeout": 10, "read_timeout": 60, "retries": {"max_attempts": 2}},
    )


def _quiet_lost_requests() -> None:
    """s3fs runs its requests on fsspec's event loop. When the store goes away mid-request, the
    HTTP library leaves tasks whose error nobody collects, and asyncio prints each one's traceback
    to the terminal when it is dropped. What the user needs is the error the call itself raises
    (reported once, with a hint); those leftovers are logged at debug level instead."""
    import fsspec.asyn

    loop = fsspec.asyn.get_loop()

    def handler(loop: Any, context: dict[str, Any]) -> None:
        if str(context.get("message", "")).startswith("Task exception was never retrieved"):
            log.debug("a request to the object store ended without a reader: %r", context.get("exception"))
            return
        loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _known_secrets(fs: Any) -> list[str]:
    found = [os.environ.get("AWS_SECRET_ACCESS_KEY", ""), os.environ.get("AWS_SESSION_TOKEN", "")]
    found.append(str(getattr(fs, "secret", "") or ""))
    return [s for s in found if len(s) >= 4]
