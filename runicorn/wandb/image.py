"""``wandb.Image`` with W&B's overlays: bounding boxes (:class:`BoundingBoxes2D`), segmentation
masks (:class:`ImageMask`) and their class labels (docs/wandb.md#data-types).

``wandb.log`` records the image through the SDK's ``log_image``; each mask as a further image
under ``<key>/mask/<name>`` (its pixels are class ids), each box set as a table under
``<key>/boxes/<name>`` (one row per box), and the class labels of a mask as a table under
``<key>/mask/<name>/classes``: plain run files that the viewer lists, that archives and mirrors
carry. ``bind_to_run`` and ``to_json`` write them as W&B does under the run's files folder.
numpy and Pillow are imported when an image is made, not with ``runicorn.wandb``.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from runicorn.wandb.media_file import Media

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["BoundingBoxes2D", "Classes", "Image", "ImageMask"]

_log = logging.getLogger("runicorn")


def _palette() -> list[int]:
    """256 colours for class ids: 0 black, then hues spread by the golden ratio."""
    import colorsys

    colours = [0, 0, 0]
    for i in range(1, 256):
        r, g, b = colorsys.hsv_to_rgb((i * 0.618034) % 1.0, 0.75, 1.0)
        colours += [int(r * 255), int(g * 255), int(b * 255)]
    return colours


_MASK_PALETTE = _palette()
_BOX_COLUMNS = ["minX", "maxX", "minY", "maxY", "domain", "class_id", "label", "box_caption", "scores"]


class Image(Media):
    """An image: a numpy array (H×W, H×W×C), a torch tensor (C×H×W), a PIL image, another
    ``wandb.Image``, a matplotlib figure, or a path; with optional ``boxes`` and ``masks``."""

    MAX_ITEMS = 108
    MAX_DIMENSION = 65500
    _log_type: ClassVar[str] = "image-file"
    subdir: ClassVar[str] = "images"

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: str | None = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: Mapping[str, Any] | None = None,
        masks: Mapping[str, Any] | None = None,
        file_type: str | None = None,
        normalize: bool = True,
    ) -> None:
        self._caption = None if caption is None else str(caption)
        self._grouping = grouping
        self._file_type = file_type
        self._image: Any = None
        self._source: Any = None  # a path, or data the SDK takes as it is
        if isinstance(data_or_path, Image):
            self.__dict__.update({k: v for k, v in data_or_path.__dict__.items() if k not in ("_run",)})
            self._caption = data_or_path._caption if caption is None else self._caption
            return
        if isinstance(data_or_path, (str, os.PathLike)):
            path = os.fspath(data_or_path)
            if not os.path.isfile(path):
                raise ValueError(f"wandb.Image: no file {path!r}")
            self._set_file(path)
            self._source = path
        else:
            self._image = _to_pil(data_or_path, mode, normalize, file_type)
        self._classes = classes if classes is None or isinstance(classes, Classes) else Classes(classes)
        self._boxes = {str(k): _boxes(k, v) for k, v in (boxes or {}).items()}
        self._masks = {str(k): _mask(k, v) for k, v in (masks or {}).items()}

    @property
    def image(self) -> Any:
        """The image as a PIL image."""
        if self._image is None and self._source is not None:
            from PIL import Image as PILImage

            with PILImage.open(self._source) as opened:
                opened.load()
                self._image = opened
        return self._image

    @property
    def format(self) -> str:
        """The file type the image is saved as (``png`` unless ``file_type=`` said otherwise)."""
        return self._file_type or "png"

    @property
    def caption(self) -> str | None:
        return self._caption

    def to_data_array(self) -> list[list[Any]]:
        """The pixels, row by row."""
        pil = self.image
        flat = getattr(pil, "get_flattened_data", None) or pil.getdata
        data = list(flat())
        return [data[i * pil.width : (i + 1) * pil.width] for i in range(pil.height)]

    def _write_file(self) -> None:
        ext = "." + (self._file_type or "png").lower()
        path = self._scratch_path(ext)
        pil = self.image
        if ext in (".jpg", ".jpeg") and pil.mode in ("RGBA", "LA", "P"):
            pil = pil.convert("RGB")
        pil.save(path)
        self._set_file(path, is_tmp=True)

    @classmethod
    def all_captions(cls, images: Sequence[Image]) -> list[str] | bool:
        return cls.captions(images)

    def _bind_parts(
        self, run: Any, key: int | str, step: int | str, id_: int | str | None, ignore_copy_err: bool | None
    ) -> None:
        for name, box in self._boxes.items():
            box.bind_to_run(run, f"{key}_{name}", step, id_, ignore_copy_err)
        for name, mask in self._masks.items():
            mask.bind_to_run(run, f"{key}_{name}", step, id_, ignore_copy_err)

    def to_json(self, run_or_artifact: Any) -> dict[str, Any]:
        out = super().to_json(run_or_artifact)
        pil = self.image
        out.update(
            format=os.path.splitext(str(self._path))[1].lstrip("."), width=pil.width, height=pil.height
        )
        if self._grouping:
            out["grouping"] = self._grouping
        if self._boxes:
            out["boxes"] = {k: b.to_json(run_or_artifact) for k, b in self._boxes.items()}
        if self._masks:
            out["masks"] = {k: m.to_json(run_or_artifact) for k, m in self._masks.items()}
        return out

    @classmethod
    def seq_to_json(cls, seq: Sequence[Any], run: Any, key: str, step: int | str) -> dict[str, Any]:
        out = super().seq_to_json(seq, run, key, step)
        first = seq[0].image
        out.update(_type="images/separated", width=first.width, height=first.height)
        captions = cls.all_captions(seq)
        if captions:
            out["captions"] = captions
        return out

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        run.log_image(
            key, self._source if self._source is not None else self.image, step=step, caption=self._caption
        )
        for name, box in self._boxes.items():
            run.log_table(f"{key}/boxes/{name}", _BOX_COLUMNS, box.rows(self._classes), step=step)
        for name, mask in self._masks.items():
            run.log_image(f"{key}/mask/{name}", mask.image(), step=step)
            labels = mask.class_labels or (self._classes.labels() if self._classes else {})
            if labels:
                run.log_table(
                    f"{key}/mask/{name}/classes", ["id", "label"], sorted(labels.items()), step=step
                )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Image):
            return False
        if self._image is not None and other._image is not None:
            return (
                self._caption == other._caption
                and self._image.size == other._image.size
                and self._image.tobytes() == other._image.tobytes()
            )
        return super().__eq__(other)

    __hash__ = Media.__hash__


def _to_pil(data: Any, mode: str | None, normalize: bool, file_type: str | None) -> Any:
    from PIL import Image as PILImage

    if isinstance(data, PILImage.Image):
        return data.convert(mode) if mode else data
    if is_matplotlib(data):
        return _matplotlib_to_pil(data)
    import numpy as np

    if hasattr(data, "detach"):  # a torch tensor: C×H×W
        data = tensor_to_numpy(data)
        if data.ndim == 3:
            data = data.transpose(1, 2, 0)
    a = np.asarray(data)
    if a.ndim > 2:
        a = a.squeeze()
    if a.ndim == 3 and a.shape[0] in (1, 3, 4) and a.shape[-1] not in (1, 3, 4):
        a = a.transpose(1, 2, 0)
    if normalize:
        low, high = float(a.min(initial=0)), float(a.max(initial=0))
        if 0 <= low and high <= 1:
            a = (a * 255).astype(np.uint8)
        elif -1 <= low and high <= 1:
            a = (255 * 0.5 * (a + 1)).astype(np.uint8)
        else:
            a = a.clip(0, 255).astype(np.uint8)
    else:
        a = a.astype(np.uint8)
    pil = PILImage.fromarray(a)
    wanted = mode or _guess_mode(a, file_type)
    return pil if pil.mode == wanted else pil.convert(wanted)


def _guess_mode(a: Any, file_type: str | None) -> str:
    channels = a.shape[-1]
    if a.ndim == 2 or channels == 1:
        return "L"
    if channels == 3:
        return "RGB"
    if channels == 4:
        if file_type in ("jpg", "jpeg"):
            _log.warning("JPEG format does not support transparency. Ignoring alpha channel.")
            return "RGB"
        return "RGBA"
    raise ValueError(f"Un-supported shape for image conversion {list(a.shape)}")


def is_matplotlib(data: Any) -> bool:
    name = type(data).__module__ + "." + type(data).__name__
    return name.startswith("matplotlib.") or getattr(data, "__name__", "") == "matplotlib.pyplot"


def matplotlib_figure(data: Any) -> Any:
    """The figure of ``data``: a matplotlib figure, or ``pyplot`` (its current figure)."""
    return data.gcf() if hasattr(data, "gcf") else data


def _matplotlib_to_pil(data: Any) -> Any:
    import io

    from PIL import Image as PILImage

    figure = matplotlib_figure(data)
    buf = io.BytesIO()
    figure.savefig(buf, format="png")
    buf.seek(0)
    with PILImage.open(buf) as opened:
        opened.load()
        return opened


class Classes:
    """W&B's class set: ``[{"id": 1, "name": "car"}, ...]``."""

    def __init__(self, class_set: Sequence[Mapping[str, Any]]) -> None:
        self._class_set = [dict(c) for c in class_set]

    def labels(self) -> dict[int, str]:
        return {int(c["id"]): str(c.get("name", c["id"])) for c in self._class_set}

    def to_json(self, run_or_artifact: Any = None) -> dict[str, Any]:
        return {"_type": "classes", "class_set": self._class_set}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Classes) and self._class_set == other._class_set

    __hash__ = None  # type: ignore[assignment]


class _JSONFile(Media):
    """A JSON side file of an image (its boxes)."""

    def _write_json(self, body: Any, extension: str) -> None:
        path = self._scratch_path(extension)
        with open(path, "w") as f:
            json.dump(body, f, default=_plain)
        self._set_file(path, is_tmp=True, extension=extension)


class BoundingBoxes2D(_JSONFile):
    """A named set of boxes on an image: ``{"box_data": [...], "class_labels": {id: name}}``;
    each box has a ``position`` (``minX``/``maxX``/``minY``/``maxY``, or ``middle``, ``width``,
    ``height``), a ``class_id`` and optionally ``box_caption``, ``scores`` and ``domain``."""

    _log_type: ClassVar[str] = "boxes2D"
    subdir: ClassVar[str] = os.path.join("metadata", "boxes2D")

    def __init__(self, val: Mapping[str, Any], key: str) -> None:
        if not isinstance(val, Mapping) or "box_data" not in val:
            raise TypeError(f"boxes {key!r}: a dict with box_data is needed")
        self.key = key
        self.box_data = [_box(b) for b in val["box_data"]]
        self.class_labels = {int(k): str(v) for k, v in (val.get("class_labels") or {}).items()}

    def _write_file(self) -> None:
        self._write_json({"box_data": self.box_data, "class_labels": self.class_labels}, ".boxes2D.json")

    def rows(self, classes: Classes | None) -> list[list[Any]]:
        labels = self.class_labels or (classes.labels() if classes else {})
        out = []
        for b in self.box_data:
            p = b["position"]
            if "middle" in p:
                (mx, my), w, h = p["middle"], p["width"], p["height"]
                p = {"minX": mx - w / 2, "maxX": mx + w / 2, "minY": my - h / 2, "maxY": my + h / 2}
            cls_id = b.get("class_id")
            scores = json.dumps(b["scores"]) if b.get("scores") else None
            out.append(
                [p["minX"], p["maxX"], p["minY"], p["maxY"], b.get("domain"), cls_id]
                + [labels.get(cls_id), b.get("box_caption"), scores]  # type: ignore[arg-type]
            )
        return out


class ImageMask(Media):
    """A segmentation mask: ``{"mask_data": 2-D ints, "class_labels": {id: name}}``."""

    _log_type: ClassVar[str] = "mask"
    subdir: ClassVar[str] = os.path.join("images", "mask")

    def __init__(self, val: Mapping[str, Any], key: str) -> None:
        if not isinstance(val, Mapping) or ("mask_data" not in val and "path" not in val):
            raise TypeError(f"mask {key!r}: a dict with mask_data is needed")
        self.key = key
        self.class_labels = {int(k): str(v) for k, v in (val.get("class_labels") or {}).items()}
        self._data = val.get("mask_data")
        if self._data is None:
            self._set_file(os.fspath(val["path"]))
        else:
            self._data = _plain_array(self._data)
            if self._data.ndim != 2:
                raise ValueError(f"mask {key!r}: mask_data must be 2-D, got shape {self._data.shape}")

    def image(self) -> Any:
        """The mask as a palette PNG: each pixel's value is its class id (what numpy reads back),
        shown in a colour of its own (0 black)."""
        from PIL import Image as PILImage

        if self._data is None:
            return PILImage.open(self._file())
        mask = PILImage.fromarray(self._data.astype("uint8")).convert("P")
        mask.putpalette(_MASK_PALETTE)
        return mask

    def _write_file(self) -> None:
        path = self._scratch_path(".mask.png")
        self.image().save(path, format="PNG")
        self._set_file(path, is_tmp=True, extension=".mask.png")


def _boxes(key: Any, val: Any) -> BoundingBoxes2D:
    return val if isinstance(val, BoundingBoxes2D) else BoundingBoxes2D(val, str(key))


def _mask(key: Any, val: Any) -> ImageMask:
    return val if isinstance(val, ImageMask) else ImageMask(val, str(key))


def _box(b: Mapping[str, Any]) -> dict[str, Any]:
    p = b.get("position")
    if not isinstance(p, Mapping):
        raise TypeError(f"a box needs a position, got {b!r}")
    if not ({"minX", "maxX", "minY", "maxY"} <= set(p) or {"middle", "width", "height"} <= set(p)):
        raise TypeError(f"a box position needs minX, maxX, minY, maxY or middle, width, height: {dict(p)!r}")
    if "class_id" not in b:
        raise TypeError(f"a box needs a class_id: {dict(b)!r}")
    return _plain(dict(b))


def _plain_array(value: Any) -> Any:
    import numpy as np

    if hasattr(value, "detach"):
        value = tensor_to_numpy(value)
    return np.asarray(value)


def _plain(value: Any) -> Any:
    """Tensors and arrays in ``value`` as plain lists and numbers (for JSON)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "detach"):
        value = tensor_to_numpy(value)
    if hasattr(value, "tolist"):
        return value.tolist()
    return value


def tensor_to_numpy(tensor: Any) -> Any:
    """A torch tensor (on any device, of any float type) as a numpy array."""
    t = tensor.detach().cpu()
    if str(t.dtype) in ("torch.bfloat16", "torch.float16"):
        t = t.float()
    return t.numpy()
