"""A run's ``manifest.json`` in a bucket (format.BucketManifest): build, encode, read back checked.

A manifest from a newer bucket format is refused by name (never misread); one that does not hold
what this module writes (a hand edit, a foreign file) is refused too, naming the key. Paths in it
are checked so that no manifest can make a reader write outside the run folder, and every number
is checked against a bound before anything is fetched or written by it: counts and sizes are
whole numbers in range (a segment at most :data:`MAX_SEGMENT_BYTES`, a file at most
:data:`MAX_OBJECT_BYTES`), mtimes are times, a run holds at most :data:`MAX_OBJECTS` files. A
manifest that fails is refused by key and the other runs go on.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from typing import Any

import orjson

from runicorn import format as fmt
from runicorn.sync.bucket import BucketError

MAX_SEGMENTS = 1_000_000  # per append-only file
MAX_OBJECTS = 200_000  # whole files of one run
MAX_SEGMENT_BYTES = 256 * 1024 * 1024  # a segment is read into memory whole
MAX_OBJECT_BYTES = 1 << 40  # 1 TiB; a file over LARGE_OBJECT_BYTES is streamed to disk
MAX_MANIFEST_BYTES = 256 * 1024 * 1024
MAX_MTIME = 95_000_000_000.0  # an mtime lies within this many seconds of 1970 (about 3,000 years)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def empty_manifest(path: str, run_id: str) -> fmt.BucketManifest:
    return fmt.BucketManifest(
        format_version=fmt.BUCKET_FORMAT_VERSION,
        path=path,
        run_id=run_id,
        synced_at=0.0,
        segments={},
        objects={},
    )


def encode_manifest(manifest: fmt.BucketManifest) -> bytes:
    manifest["synced_at"] = time.time()
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS)


def covered(segments: list[fmt.BucketSegment]) -> int:
    """How many bytes of the file the segments hold (they are contiguous from 0)."""
    return segments[-1]["offset"] + segments[-1]["size"] if segments else 0


def inline_copy(relpath: str, content: bytes) -> str | None:
    """The text a manifest carries for this file, or None (not a small JSON file of the run)."""
    if relpath not in fmt.REWRITTEN_FILES or len(content) > fmt.BUCKET_INLINE_MAX_BYTES:
        return None
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return None


def inline_bytes(obj: fmt.BucketObject) -> bytes | None:
    """The file's bytes from the manifest's own copy, when it has one that matches its sha256."""
    text = obj.get("inline")
    if text is None:
        return None
    data = text.encode("utf-8")
    return data if hashlib.sha256(data).hexdigest() == obj["sha256"] else None


def has_ended(manifest: fmt.BucketManifest) -> bool:
    """Whether the manifest's own copy of status.json says the run has ended (a live run's
    manifest carries no copies: it changes every cycle)."""
    obj = manifest["objects"].get(fmt.STATUS_FILE)
    data = inline_bytes(obj) if obj is not None else None
    status = fmt.loads_json_object(data) if data is not None else None
    value = status.get(fmt.STATUS_KEY) if status is not None else None
    return value in fmt.ALL_STATUSES and value != fmt.RUNNING


def decode_manifest(data: bytes, where: str) -> fmt.BucketManifest:
    """The manifest in ``data`` (read from ``where``), checked; BucketError otherwise."""
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise _bad(where, "not JSON") from None
    return check_manifest(value, where)


def check_manifest(value: Any, where: str) -> fmt.BucketManifest:
    """``value`` (decoded JSON read from ``where``) as a manifest, checked; BucketError otherwise."""
    if not isinstance(value, dict):
        raise _bad(where, "not a JSON object")
    version = value.get(fmt.BUCKET_VERSION_KEY)
    if not isinstance(version, int) or isinstance(version, bool):
        raise _bad(where, f"no {fmt.BUCKET_VERSION_KEY}")
    if version > fmt.BUCKET_FORMAT_VERSION:
        raise BucketError(
            f"{where} is bucket format {version}; this Runicorn reads up to {fmt.BUCKET_FORMAT_VERSION}",
            "upgrade Runicorn (pip install -U 'runicorn[s3]') to read or sync this run",
        )
    try:
        return _checked(value)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(where, str(exc)) from None


def _bad(where: str, why: str) -> BucketError:
    return BucketError(
        f"{where} is not a run manifest Runicorn can read: {why}",
        "sync the run again from its storage root to write a fresh one",
    )


def _checked(value: dict[str, Any]) -> fmt.BucketManifest:
    path, run_id = value["path"], value["run_id"]
    if not isinstance(path, str) or not fmt.is_safe_artifact_path(path) or not isinstance(run_id, str):
        raise ValueError("bad run path")
    segments: dict[str, list[fmt.BucketSegment]] = {}
    for name, items in _mapping(value["segments"], "segments").items():
        if name not in fmt.APPEND_ONLY_FILES or not isinstance(items, list):
            raise ValueError(f"bad segments of {name!r}")
        if len(items) > MAX_SEGMENTS:
            raise ValueError(f"{name} has {len(items)} segments, more than {MAX_SEGMENTS}")
        offset = 0
        checked: list[fmt.BucketSegment] = []
        for item in items:
            item = _mapping(item, f"a segment of {name}")
            seg = fmt.BucketSegment(
                n=_count(item["n"], MAX_SEGMENTS, f"a segment number of {name}"),
                offset=_count(item["offset"], None, f"a segment offset of {name}"),
                size=_count(item["size"], MAX_SEGMENT_BYTES, f"a segment size of {name}"),
                sha256=_sha(item["sha256"]),
            )
            if seg["offset"] != offset:
                raise ValueError(f"segments of {name} are not contiguous")
            offset += seg["size"]
            checked.append(seg)
        segments[name] = checked
    objects: dict[str, fmt.BucketObject] = {}
    listed = _mapping(value["objects"], "objects")
    if len(listed) > MAX_OBJECTS:
        raise ValueError(f"it lists {len(listed)} files, more than {MAX_OBJECTS}")
    for relpath, item in listed.items():
        if (
            not isinstance(relpath, str)
            or not fmt.is_safe_artifact_path(relpath)
            or relpath in fmt.APPEND_ONLY_FILES
        ):
            raise ValueError(f"bad object path {relpath!r}")
        item = _mapping(item, relpath)
        obj = fmt.BucketObject(
            size=_count(item["size"], MAX_OBJECT_BYTES, f"the size of {relpath!r}"),
            sha256=_sha(item["sha256"]),
            mtime=_time(item.get("mtime", 0.0), f"the mtime of {relpath!r}"),
        )
        inline = item.get(fmt.BUCKET_INLINE_KEY)
        if isinstance(inline, str) and relpath in fmt.REWRITTEN_FILES:
            obj["inline"] = inline
        objects[relpath] = obj
    synced_at = value.get("synced_at", 0.0)
    return fmt.BucketManifest(
        format_version=fmt.BUCKET_FORMAT_VERSION,
        path=path,
        run_id=run_id,
        synced_at=float(synced_at) if _is_number(synced_at) and math.isfinite(synced_at) else 0.0,
        segments=segments,
        objects=objects,
    )


def _mapping(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{what} is not a JSON object")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _count(value: Any, most: int | None = None, what: str = "a count") -> int:
    if type(value) is not int or value < 0:
        raise ValueError(f"{what} is {value!r}, not a whole number of 0 or more")
    if most is not None and value > most:
        raise ValueError(f"{what} is {value}, more than {most}")
    return value


def _time(value: Any, what: str) -> float:
    if not _is_number(value) or not abs(value) < MAX_MTIME:  # NaN fails too
        raise ValueError(f"{what} is {value!r}, not a time")
    return float(value)


def _sha(value: Any) -> str:
    if not isinstance(value, str) or not _SHA256.match(value):
        raise ValueError("bad sha256")
    return value
