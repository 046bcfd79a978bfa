"""Turning what a user passes to ``log_image`` into an image file's bytes and suffix.

Accepted: a PIL image, a numpy array (H×W, H×W×3 or H×W×4; floats in [0, 1] or uint8), a torch
tensor (converted through numpy; C×H×W is transposed), encoded bytes (PNG, JPEG, GIF, WebP), or a
path to an image file. Pillow is needed only for arrays and PIL images.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

_MAGIC = {
    b"\x89PNG\r\n\x1a\n": ".png",
    b"\xff\xd8\xff": ".jpg",
    b"GIF87a": ".gif",
    b"GIF89a": ".gif",
}
_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".svg"}


class ImageError(ValueError):
    """The value cannot be turned into an image; the message says why."""


def image_bytes(image: Any) -> tuple[bytes, str]:
    """(encoded bytes, file suffix) for ``image``."""
    if isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
        return data, _sniff(data)
    if isinstance(image, (str, Path)):
        path = Path(image)
        suffix = path.suffix.lower()
        if suffix not in _SUFFIXES:
            raise ImageError(f"{path} is not an image file (expected one of {sorted(_SUFFIXES)})")
        return path.read_bytes(), ".jpg" if suffix == ".jpeg" else suffix
    if hasattr(image, "save") and hasattr(image, "mode"):  # PIL.Image.Image
        return _png(image), ".png"
    if hasattr(image, "detach") and hasattr(image, "cpu"):  # torch.Tensor
        image = image.detach().cpu().numpy()
        if image.ndim == 3 and image.shape[0] in (1, 3, 4) and image.shape[-1] not in (1, 3, 4):
            image = image.transpose(1, 2, 0)
    if hasattr(image, "__array_interface__") or hasattr(image, "__array__"):
        return _png(_array_to_pil(image)), ".png"
    raise ImageError(f"cannot log a {type(image).__name__} as an image")


def _sniff(data: bytes) -> str:
    for magic, suffix in _MAGIC.items():
        if data.startswith(magic):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    raise ImageError("bytes are not a PNG, JPEG, GIF or WebP image")


def _array_to_pil(array: Any) -> Any:
    try:
        import numpy as np
        from PIL import Image
    except ImportError as exc:
        raise ImageError(
            "logging arrays as images needs Pillow and numpy: pip install 'runicorn[images]'"
        ) from exc
    a = np.asarray(array)
    if a.ndim == 3 and a.shape[-1] == 1:
        a = a[..., 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[-1] not in (3, 4)):
        raise ImageError(f"an image array must be H×W, H×W×3 or H×W×4, got shape {a.shape}")
    if a.dtype != np.uint8:
        a = np.nan_to_num(a.astype(np.float64))
        if a.max(initial=0) <= 1.0:
            a = a * 255.0
        a = np.clip(a, 0, 255).astype(np.uint8)
    return Image.fromarray(a)


def _png(pil_image: Any) -> bytes:
    buf = io.BytesIO()
    pil_image.save(buf, format="PNG")
    return buf.getvalue()
