"""W&B's file-backed data types (``Image``, ``Audio``, ``Video``, ``Html``, ``Object3D``,
``Molecule``): a value with a file behind it that W&B code can bind to a run and describe as JSON.

``wandb.log`` records such a value through the SDK (:meth:`WBValue.log_into`); this base keeps
W&B's lower-level calls that libraries and W&B's own tests use: ``bind_to_run(run, key, step)``
copies the value's file into the run's files folder as W&B names it
(``<run.dir>/media/<subdir>/<key>_<step>_<id><ext>``) and ``to_json(run)`` describes it
(``{"_type", "path", "sha256", "size"}``, the path relative to ``run.dir``). A value's file is
written only when one of these asks for it (:meth:`Media._file`), so ``wandb.log`` never pays
for it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from runicorn.wandb.wbvalue import WBValue

if TYPE_CHECKING:
    from runicorn.sdk.run_like import RunLike

__all__ = ["FileMedia", "Media", "file_type_of", "media_scratch_dir"]

_UNSAFE_NAME = re.compile(r"[^\w.\-/]")


def media_scratch_dir() -> str:
    """A folder for files written before a value is bound to a run (removed with the process's
    temporary files, as W&B's are)."""
    path = os.path.join(tempfile.gettempdir(), f"runicorn-wandb-media-{os.getpid()}")
    os.makedirs(path, exist_ok=True)
    return path


class Media(WBValue):
    """A data type with a file. Subclasses set ``_log_type`` (W&B's ``_type``), ``subdir`` and
    either call :meth:`_set_file` or override :meth:`_write_file`."""

    _log_type: ClassVar[str] = "file"
    subdir: ClassVar[str] = "media"

    _path: str | None = None
    _sha256: str | None = None
    _size: int | None = None
    _is_tmp: bool = False
    _extension: str | None = None
    _run: Any = None
    _caption: str | None = None

    # --- the file ---------------------------------------------------------------------------
    def _set_file(self, path: str, is_tmp: bool = False, extension: str | None = None) -> None:
        """The value's file is ``path`` (``is_tmp``: a scratch copy this value may move)."""
        self._path = str(path)
        self._is_tmp = is_tmp
        self._extension = extension
        with open(self._path, "rb") as f:
            self._sha256 = hashlib.sha256(f.read()).hexdigest()
        self._size = os.path.getsize(self._path)

    def _write_file(self) -> None:
        """Write the value's file (for values built from data); files given by path are set at
        construction."""
        raise ValueError(f"{type(self).__name__} has no file")

    def _file(self) -> str:
        """The value's file, written now if it was not yet."""
        if self._path is None:
            self._write_file()
        assert self._path is not None
        return self._path

    def _scratch_path(self, extension: str) -> str:
        return os.path.join(media_scratch_dir(), f"{os.urandom(10).hex()}{extension}")

    def file_is_set(self) -> bool:
        return self._path is not None or type(self)._write_file is not Media._write_file

    @classmethod
    def get_media_subdir(cls) -> str:
        return os.path.join("media", cls.subdir)

    # --- W&B's binding --------------------------------------------------------------------------
    def bind_to_run(
        self,
        run: Any,
        key: int | str,
        step: int | str,
        id_: int | str | None = None,
        ignore_copy_err: bool | None = None,
    ) -> None:
        """Copy the value's file into ``run.dir`` as W&B names it
        (``media/<subdir>/<key>_<step>_<id><ext>``)."""
        self._before_binding()
        source = self._file()
        assert run is not None, 'Argument "run" must not be None.'
        run_dir = getattr(run, "dir", None)
        if not run_dir:
            raise ValueError("the run has no folder to hold media (a disabled run?)")
        extension = self._extension or os.path.splitext(os.path.basename(source))[1]
        if self._extension is None and source.endswith(".pts.json"):
            extension = ".pts.json"
        if id_ is None:
            id_ = (self._sha256 or "")[:20]
        name = _UNSAFE_NAME.sub("_", f"{key}_{step}_{id_}{extension}").lstrip("/")
        new_path = os.path.join(run_dir, self.get_media_subdir(), name)
        os.makedirs(os.path.dirname(new_path), exist_ok=True)
        if self._is_tmp:
            shutil.move(source, new_path)
            self._is_tmp = False
        else:
            try:
                shutil.copy(source, new_path)
            except shutil.SameFileError:
                if not ignore_copy_err:
                    raise
        self._path = new_path
        self._run = run
        self._bind_parts(run, key, step, id_, ignore_copy_err)

    def _before_binding(self) -> None:
        """What a kind of value does before :meth:`bind_to_run` copies its file (nothing here)."""

    def _bind_parts(
        self, run: Any, key: int | str, step: int | str, id_: int | str | None, ignore_copy_err: bool | None
    ) -> None:
        """Bind the values this one carries (an image's boxes and masks) with it (none here)."""

    def is_bound(self) -> bool:
        return self._run is not None

    def to_json(self, run_or_artifact: Any) -> dict[str, Any]:
        """W&B's description of the value: ``_type``, ``sha256``, ``size``, ``path`` (relative
        to ``run.dir``; for an artifact, the name it is added under) and ``caption``."""
        self._file()
        out: dict[str, Any] = {"_type": self._log_type, "sha256": self._sha256, "size": self._size}
        if self._caption is not None:
            out["caption"] = self._caption
        run_dir = getattr(run_or_artifact, "dir", None)
        if self._run is not None and run_dir:
            out["path"] = os.path.relpath(str(self._path), run_dir)
        else:
            out["path"] = os.path.join(self.get_media_subdir(), os.path.basename(str(self._path)))
        return out

    @classmethod
    def seq_to_json(cls, seq: Sequence[Any], run: Any, key: str, step: int | str) -> dict[str, Any]:
        """W&B's description of several values logged under one key (each bound first)."""
        jsons = []
        for i, item in enumerate(seq):
            if not item.is_bound():
                item.bind_to_run(run, key, step, id_=i)
            jsons.append(item.to_json(run))
        return {"_type": f"{cls._log_type}s", "count": len(jsons), "filenames": [j["path"] for j in jsons]}

    @classmethod
    def captions(cls, media_items: Sequence[Media]) -> list[str] | bool:
        """The captions of ``media_items`` ("" for none), or False when none has one."""
        if not any(m._caption is not None for m in media_items):
            return False
        return [m._caption or "" for m in media_items]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, type(self)):
            return False
        try:
            self._file()
            other._file()
        except Exception:  # noqa: BLE001 - values without a file compare as different
            return self is other
        return self._sha256 == other._sha256 and self._caption == other._caption

    def __hash__(self) -> int:
        return id(self)


class FileMedia(Media):
    """A data type stored as one file in the run's files folder."""

    def _from_file(self, data_or_path: Any, file_type: str | None, allowed: Sequence[str]) -> bool:
        """Take an open file or a path of one of the ``allowed`` types (True); anything else is
        left to the caller (False)."""
        if hasattr(data_or_path, "read"):
            self._from_stream(data_or_path, file_type, allowed)
        elif isinstance(data_or_path, (str, os.PathLike)):
            self._from_path(os.fspath(data_or_path), allowed)
        else:
            return False
        return True

    def _from_stream(self, stream: Any, file_type: str | None, allowed: Sequence[str]) -> None:
        if file_type is None and hasattr(stream, "name"):
            file_type = file_type_of(str(stream.name))
        if file_type is None or file_type not in allowed:
            raise ValueError(f"file_type must be one of {list(allowed)}, got {file_type!r}")
        if hasattr(stream, "seek"):
            stream.seek(0)
        body = stream.read()
        path = self._scratch_path("." + file_type)
        with open(path, "wb" if isinstance(body, bytes) else "w") as f:
            f.write(body)
        self._set_file(path, is_tmp=True, extension="." + file_type)

    def _from_path(self, path: str, allowed: Sequence[str]) -> None:
        file_type = file_type_of(path)
        if file_type not in allowed:
            raise ValueError(f"{path}: a file of type {list(allowed)} is needed, got {file_type!r}")
        self._set_file(path, extension="." + file_type)

    def log_into(self, run: RunLike, key: str, step: int) -> None:
        if run.dir is not None:  # a disabled run keeps nothing
            self.bind_to_run(_RunFolder(str(run.dir)), key.replace("/", "_"), step)

    def _before_binding(self) -> None:
        if self._run is not None:  # bound already: a copy for this run
            path = self._scratch_path(self._extension or "")
            shutil.copy(self._file(), path)
            self._path, self._is_tmp = path, True


class _RunFolder:
    """A run as :meth:`Media.bind_to_run` sees it: its folder."""

    def __init__(self, path: str) -> None:
        self.dir = path


def _prune_max_seq(seq: Sequence[Any]) -> Sequence[Any]:
    """At most ``MAX_ITEMS`` of ``seq`` (W&B's limit for one key's list of media)."""
    items = list(seq)
    limit = getattr(items[0], "MAX_ITEMS", len(items)) if items else 0
    return items[:limit]


def _numpy_arrays_to_lists(payload: Any) -> Any:
    """``payload`` with numpy arrays (and arrays inside dicts and lists) as lists."""
    if isinstance(payload, dict):
        return {k: _numpy_arrays_to_lists(v) for k, v in payload.items()}
    if hasattr(payload, "ndim") and hasattr(payload, "tolist"):
        if payload.ndim == 0:
            return [payload.tolist()]
        if payload.dtype == object:
            return [_numpy_arrays_to_lists(v) for v in payload]
        return payload.tolist()
    if isinstance(payload, (list, tuple)):
        return [_numpy_arrays_to_lists(v) for v in payload]
    return payload


def file_type_of(path: str) -> str:
    """A file's type by its name: ``pts.json`` for a point cloud, else its extension."""
    name = os.path.basename(path).lower()
    return "pts.json" if name.endswith(".pts.json") else os.path.splitext(name)[1].lstrip(".")
