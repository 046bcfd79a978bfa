"""Images for ``log_image``: a cheap copy taken on the caller's thread (:func:`snapshot`), encoded
and written under ``media/`` by the writer thread (:class:`MediaWriter`).

Accepted: a PIL image, a numpy array (H×W, H×W×1, H×W×3 or H×W×4, or channels first as PyTorch
lays them out: 1×H×W, 3×H×W, 4×H×W; floats in [0, 1] or uint8), a torch tensor (through numpy),
encoded bytes (PNG, JPEG, GIF, WebP), or a path to an image file. Pillow is needed only for arrays
and PIL images.

What waits to be written is capped at :data:`MAX_PENDING_IMAGE_BYTES`: past it an image is dropped
and counted like a bad value (one warning per key). An image's record reaches ``events.jsonl``
after its file is written.
"""

from __future__ import annotations

import io
import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from runicorn import format as fmt

MAX_PENDING_IMAGE_BYTES = 256 * 1024 * 1024
# Array copies kept for reuse once their image is written: a fresh multi-MB buffer costs the
# caller a page fault per 4 KiB page (1.4 ms for 1024×1024×3), a reused one a plain memcpy.
MAX_POOLED_ARRAY_BYTES = 64 * 1024 * 1024
_MAGIC = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}
_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg"}
_CHANNELS = (1, 3, 4)


class ImageError(ValueError):
    """The value cannot be turned into an image; the message says why."""


@dataclass
class ImageSnapshot:
    """What the caller handed over, copied so that it may change it at once: encoded bytes, a
    file's path, a PIL image or a numpy array (H×W or H×W×C)."""

    value: Any
    suffix: str
    nbytes: int
    buffer: Any = None  # the pooled array ``value`` views, handed back once encoded

    def release(self) -> None:
        """The image is written: its array copy may serve the next snapshot."""
        if self.buffer is not None:
            _POOL.give(self.buffer)
            self.buffer = None

    def encode(self) -> bytes:
        """The image file's bytes (the slow part: PNG encoding, file reading)."""
        value = self.value
        if isinstance(value, bytes):
            return value
        if isinstance(value, Path):
            return value.read_bytes()
        if hasattr(value, "save") and hasattr(value, "mode"):
            return _png(value)
        return _png(_array_to_pil(value))

    def record_fields(self) -> dict[str, Any]:
        """What the record gains once encoded: nothing for an image."""
        return {}


def is_tensor(value: Any) -> bool:
    return hasattr(value, "detach") and hasattr(value, "cpu")  # torch.Tensor, without importing torch


def tensor_array(tensor: Any) -> tuple[Any, bool]:
    """A torch tensor as a numpy array, and whether that array is already a copy of its own (the
    tensor was on a GPU, or bfloat16, which numpy lacks) rather than a view of the tensor's memory
    that the caller would go on changing."""
    tensor = tensor.detach()
    fresh = tensor.device.type != "cpu"
    if str(tensor.dtype) == "torch.bfloat16":
        tensor, fresh = tensor.float(), True
    return tensor.cpu().numpy(), fresh


def snapshot(image: Any) -> ImageSnapshot:
    """A copy of ``image`` cheap enough for the training thread (a memcpy, no encoding)."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
        return ImageSnapshot(data, _sniff(data), len(data))
    if isinstance(image, (str, Path)):
        path = Path(image)
        suffix = path.suffix.lower()
        if suffix not in _SUFFIXES:
            raise ImageError(f"{path} is not an image file (expected one of {sorted(_SUFFIXES)})")
        return ImageSnapshot(path.absolute(), ".jpg" if suffix == ".jpeg" else suffix, 0)
    if hasattr(image, "save") and hasattr(image, "mode"):  # PIL.Image.Image
        copy = image.copy()
        return ImageSnapshot(copy, ".png", len(copy.getbands()) * copy.width * copy.height)
    if is_tensor(image):
        array, fresh = tensor_array(image)
        return _array_snapshot(array) if fresh else _array_snapshot(*_POOL.copy(array, _copy_dtype(array)))
    if hasattr(image, "__array_interface__") or hasattr(image, "__array__"):
        try:
            import numpy as np
        except ImportError as exc:
            raise ImageError("logging arrays as images needs numpy: pip install 'runicorn[images]'") from exc
        array = np.asarray(image)
        return _array_snapshot(*_POOL.copy(array, _copy_dtype(array)))
    raise ImageError(f"cannot log a {type(image).__name__} as an image")


class ArrayPool:
    """Array buffers of images already written, reused for the next copies of the same shape
    and type (a training loop logs the same shape again and again). Thread-safe; at most
    :data:`MAX_POOLED_ARRAY_BYTES` are kept."""

    def __init__(self, max_bytes: int = MAX_POOLED_ARRAY_BYTES) -> None:
        self.max_bytes = max_bytes
        self._free: list[Any] = []
        self._bytes = 0
        self._lock = threading.Lock()

    def copy(self, a: Any, dtype: Any = None) -> tuple[Any, Any]:
        """(a copy of ``a``, as ``dtype`` when given, and the pooled buffer it lives in, or None
        when ``a`` is not a plain array)."""
        import numpy as np

        if not isinstance(a, np.ndarray) or a.dtype.hasobject:
            return np.array(a, copy=True), None
        dtype = a.dtype if dtype is None else np.dtype(dtype)
        buffer = None
        with self._lock:
            for i, free in enumerate(self._free):
                if free.shape == a.shape and free.dtype == dtype:
                    buffer = self._free.pop(i)
                    self._bytes -= buffer.nbytes
                    break
        if buffer is None:
            buffer = np.empty(a.shape, dtype)
        np.copyto(buffer, a, casting="unsafe")
        return buffer, buffer

    def give(self, buffer: Any) -> None:
        with self._lock:
            if self._bytes + buffer.nbytes <= self.max_bytes:
                self._free.append(buffer)
                self._bytes += buffer.nbytes

    def after_fork(self) -> None:
        """In a forked process: a lock of its own (the parent's writer thread may have held it)."""
        self._lock = threading.Lock()


_POOL = ArrayPool()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_POOL.after_fork)


def _array_snapshot(a: Any, buffer: Any = None) -> ImageSnapshot:
    """``a`` (a copy the caller no longer sees) as H×W or H×W×C, checked."""
    if a.ndim == 3 and a.shape[0] in _CHANNELS and a.shape[-1] not in _CHANNELS:
        a = a.transpose(1, 2, 0)  # channels first (PyTorch): a view, made contiguous by PIL
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise ImageError(f"an image array must be H×W, H×W×C or C×H×W (C = 1, 3 or 4), got shape {a.shape}")
    return ImageSnapshot(a, ".png", int(a.nbytes), buffer)


def _sniff(data: bytes) -> str:
    for magic, suffix in _MAGIC.items():
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    raise ImageError("bytes are not a PNG, JPEG, GIF or WebP image")


def _copy_dtype(a: Any) -> Any:
    """What an image array is copied as: numbers wider than 4 bytes (float64, int64) as float32,
    half the bytes to copy and keep, and all that 8 bits a channel need; others as they are."""
    kind = getattr(a.dtype, "kind", "")
    return "float32" if kind in "fiu" and a.dtype.itemsize > 4 else None


def _array_to_pil(a: Any) -> Any:
    """The image of ``a``, a copy no one else sees (converted in place: no more big buffers)."""
    try:
        import numpy as np
        from PIL import Image
    except ImportError as exc:
        raise ImageError(
            "logging arrays as images needs Pillow and numpy: pip install 'runicorn[images]'"
        ) from exc
    if a.dtype != np.uint8:
        if a.dtype.kind != "f":
            a = a.astype(np.float32)
        np.nan_to_num(a, copy=False)
        if a.max(initial=0) <= 1.0:
            a *= 255.0
        a = np.clip(a, 0, 255, out=a).astype(np.uint8)
    return Image.fromarray(np.ascontiguousarray(a))


def _png(pil_image: Any) -> bytes:
    buf = io.BytesIO()
    pil_image.save(buf, format="PNG")
    return buf.getvalue()


class MediaSnapshot(Protocol):
    """A value copied on the caller's thread, turned into its file (and record fields) by the
    writer thread: :class:`ImageSnapshot` and those of :mod:`runicorn.sdk.media_kinds`."""

    value: Any
    nbytes: int

    def encode(self) -> bytes:
        """The file's bytes (empty for a kind written inline, without a file)."""
        ...

    def record_fields(self) -> dict[str, Any]:
        """Fields added to the record after :meth:`encode` (a histogram's edges and counts)."""
        ...


@dataclass
class _Pending:
    image: MediaSnapshot
    record: dict[str, Any]
    ts: float
    kind: str


class MediaWriter:
    """Images (and the other media kinds) waiting to be encoded and written under the run folder,
    by the writer thread.

    ``events`` is the events queue each image's record is appended to once its file is written;
    ``on_drop(key, value, why)`` counts an image that is not saved.
    """

    def __init__(
        self,
        run_dir: Path,
        events: deque[bytes],
        on_drop: Callable[[str, Any, str], None],
        max_pending_bytes: int = MAX_PENDING_IMAGE_BYTES,
    ) -> None:
        self.run_dir = run_dir
        self.max_pending_bytes = max_pending_bytes
        self._events = events
        self._on_drop = on_drop
        self._pending: deque[_Pending] = deque()
        self._pending_bytes = 0
        self._lock = threading.Lock()

    def put(self, image: MediaSnapshot, record: Mapping[str, Any], ts: float, kind: str = fmt.IMAGE) -> None:
        """Queue an image, or another ``kind`` of media (the caller's thread); dropped and counted
        past the cap. ``record`` gets the snapshot's :meth:`~MediaSnapshot.record_fields`; its
        ``path``, when it has one, is where the snapshot's bytes are written."""
        with self._lock:
            full = bool(self._pending) and self._pending_bytes + image.nbytes > self.max_pending_bytes
            if not full:
                self._pending_bytes += image.nbytes
                self._pending.append(_Pending(image, dict(record), ts, kind))
        if full:
            mb = self.max_pending_bytes // (1024 * 1024)
            why = f"{mb} MB of media are already waiting to be written (the disk or the encoder is behind)"
            self._on_drop(record["key"], image.value, why)

    def write_pending(self) -> None:
        """Encode and write every queued image, then append its record (the writer thread)."""
        while self._pending:
            item = self._pending.popleft()
            try:
                data = item.image.encode()
                if "path" in item.record:
                    path = self.run_dir / item.record["path"]
                    path.parent.mkdir(exist_ok=True)
                    path.write_bytes(data)
                item.record.update(item.image.record_fields())
                self._events.append(fmt.encode_event(item.kind, item.record, item.ts))
            except Exception as exc:  # noqa: BLE001 - media must never stop the writer
                why = f"not saved as {'an' if item.kind[0] in 'aeiou' else 'a'} {item.kind}: {exc}"
                self._on_drop(item.record["key"], item.image.value, why)
            finally:
                if isinstance(item.image, ImageSnapshot):
                    item.image.release()  # its array buffer may serve the next image's copy
                with self._lock:
                    self._pending_bytes -= item.image.nbytes
