"""Video frames encoded as mp4 or webm for ``wandb.Video(frames, format="mp4")``
(docs/wandb.md#data-types).

W&B encodes through moviepy; here it is ffmpeg as shipped by ``imageio-ffmpeg`` (an optional
dependency, imported only when an mp4/webm is asked for: GIFs, the default, need only Pillow).
Frames are T×C×H×W (C 1, 3 or 4), uint8 or floats in [0, 1]; odd sizes are padded with black to
even ones, which the H.264 and VP8 pixel format (yuv420p) needs.
"""

from __future__ import annotations

from typing import Any

# format -> ffmpeg codec
_CODECS = {"mp4": "libx264", "webm": "libvpx"}
ENCODED_FORMATS = tuple(_CODECS)


def encode_video(frames: Any, fps: float, format: str, path: str) -> None:  # noqa: A002 - W&B's word
    """Write ``frames`` to ``path`` as a ``format`` video at ``fps`` frames per second."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:
        raise ImportError(
            f"wandb.Video(frames, format={format!r}) needs ffmpeg\n"
            "hint: pip install 'runicorn[video]' (imageio-ffmpeg), or log the frames as a GIF "
            "(format='gif', the default)"
        ) from exc
    rgb = _rgb_frames(frames)
    height, width = rgb.shape[1:3]
    writer = imageio_ffmpeg.write_frames(
        path,
        (width, height),
        fps=float(fps),
        codec=_CODECS[format],
        pix_fmt_out="yuv420p",
        macro_block_size=1,
        output_params=["-loglevel", "error"],
    )
    writer.send(None)  # starts ffmpeg
    try:
        for frame in rgb:
            writer.send(frame)
    finally:
        writer.close()


def _rgb_frames(frames: Any) -> Any:
    """T×H×W×3 uint8, each side even."""
    import numpy as np

    a = np.asarray(frames)
    if a.dtype != np.uint8:
        a = np.nan_to_num(a.astype(np.float64))
        if a.max(initial=0) <= 1.0:
            a = a * 255.0
        a = np.clip(a, 0, 255).astype(np.uint8)
    a = np.repeat(a, 3, axis=1) if a.shape[1] == 1 else a[:, :3]
    a = a.transpose(0, 2, 3, 1)
    pad_h, pad_w = a.shape[1] % 2, a.shape[2] % 2
    if pad_h or pad_w:
        a = np.pad(a, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)))
    return np.ascontiguousarray(a)
