"""``wandb.Object3D`` and ``wandb.Molecule``: 3-D scenes and molecules, stored as files
(docs/wandb.md#data-types).

An ``Object3D`` is a point cloud (a numpy array N×3 ``x y z``, N×4 ``x y z category`` or N×6
``x y z r g b``; or W&B's ``{"type": "lidar/beta", "points", "boxes", "vectors"}`` scene),
written as W&B's ``.pts.json``; or a mesh file (obj, gltf, glb, babylon, stl). A ``Molecule`` is a
structure file (pdb, pqr, mmcif, mcif, cif, sdf, sd, gro, mol2, mmtf), or made from SMILES or an
rdkit molecule (rdkit needed). ``wandb.log`` writes the file into the run's files folder as W&B
names it (``media/object3D/<key>_<step>_<hash><ext>``, ``media/molecule/...``): the file survives
in the run, its archives and mirrors; the viewer lists it with the run's files, it does not draw it.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from runicorn.wandb.media_file import FileMedia, file_type_of

if TYPE_CHECKING:
    pass

__all__ = ["Molecule", "Object3D", "box3d"]

_POINT_CLOUD_TYPES = ("lidar/beta",)
_OBJECT_FILE_TYPES = ("obj", "gltf", "glb", "babylon", "stl", "pts.json")
_MOLECULE_FILE_TYPES = ("pdb", "pqr", "mmcif", "mcif", "cif", "sdf", "sd", "gro", "mol2", "mmtf")


class Object3D(FileMedia):
    """A 3-D point cloud, scene or mesh file (see the module's docstring)."""

    SUPPORTED_TYPES: ClassVar[set[str]] = set(_OBJECT_FILE_TYPES)
    SUPPORTED_POINT_CLOUD_TYPES: ClassVar[set[str]] = set(_POINT_CLOUD_TYPES)
    _log_type: ClassVar[str] = "object3D-file"
    subdir: ClassVar[str] = "object3D"

    def __init__(self, data_or_path: Any, caption: str | None = None, **kwargs: Any) -> None:
        self._caption = caption
        if isinstance(data_or_path, (str, os.PathLike)) and not os.path.isfile(data_or_path):
            raise ValueError(
                f"wandb.Object3D: no file {os.fspath(data_or_path)!r} "
                "(hint: pass a path, a file, an array or a scene)"
            )
        if self._from_file(data_or_path, kwargs.get("file_type"), _OBJECT_FILE_TYPES):
            return
        if isinstance(data_or_path, dict):
            if data_or_path.get("type") not in _POINT_CLOUD_TYPES:
                raise ValueError(
                    f"a scene's type is one of {_POINT_CLOUD_TYPES}, got {data_or_path.get('type')!r}"
                )
            self._write_points(data_or_path)
        elif hasattr(data_or_path, "ndim") and hasattr(data_or_path, "shape"):
            if data_or_path.ndim != 2 or data_or_path.shape[1] not in (3, 4, 6):
                raise ValueError(f"a point cloud is N×3, N×4 or N×6, got shape {tuple(data_or_path.shape)}")
            self._write_points(data_or_path.tolist())
        else:
            raise ValueError("wandb.Object3D takes a numpy array, a scene dict, a path or an open file")

    def _write_points(self, body: Any) -> None:
        path = self._scratch_path(".pts.json")
        with open(path, "w") as f:
            json.dump(body, f, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
        self._set_file(path, is_tmp=True, extension=".pts.json")

    @classmethod
    def from_file(cls, data_or_path: Any, file_type: str | None = None) -> Object3D:
        if hasattr(data_or_path, "read") and file_type is None and not hasattr(data_or_path, "name"):
            raise ValueError("an in-memory file needs file_type=")
        return cls(data_or_path, file_type=file_type)

    @classmethod
    def from_numpy(cls, data: Any) -> Object3D:
        if not hasattr(data, "ndim"):
            raise ValueError("Object3D.from_numpy takes a numpy array")
        return cls(data)

    @classmethod
    def from_point_cloud(
        cls,
        points: Sequence[Any],
        boxes: Sequence[Any],
        vectors: Sequence[Any] | None = None,
        point_cloud_type: str = "lidar/beta",
    ) -> Object3D:
        if point_cloud_type not in _POINT_CLOUD_TYPES:
            raise ValueError(f"point_cloud_type is one of {_POINT_CLOUD_TYPES}, got {point_cloud_type!r}")
        scene = {"type": point_cloud_type, "points": points, "boxes": boxes, "vectors": vectors or []}
        return cls(scene)

    @classmethod
    def seq_to_json(cls, seq: Sequence[Any], run: Any, key: str, step: int | str) -> dict[str, Any]:
        out = super().seq_to_json(seq, run, key, step)
        out["_type"] = "object3D"
        out["filenames"] = [
            os.path.relpath(str(o._path), os.path.join(run.dir, cls.get_media_subdir())) for o in seq
        ]
        return out


class Molecule(FileMedia):
    """A molecule: a structure file, or ``from_smiles`` / ``from_rdkit`` (rdkit needed)."""

    SUPPORTED_TYPES: ClassVar[set[str]] = set(_MOLECULE_FILE_TYPES)
    SUPPORTED_RDKIT_TYPES: ClassVar[set[str]] = {"mol", "sdf"}
    _log_type: ClassVar[str] = "molecule-file"
    subdir: ClassVar[str] = "molecule"

    def __init__(self, data_or_path: Any, caption: str | None = None, **kwargs: Any) -> None:
        self._caption = caption
        if not self._from_file(data_or_path, kwargs.get("file_type"), _MOLECULE_FILE_TYPES):
            raise ValueError("wandb.Molecule takes a path or an open file")

    @classmethod
    def from_rdkit(
        cls,
        data_or_path: Any,
        caption: str | None = None,
        convert_to_3d_and_optimize: bool = True,
        mmff_optimize_molecule_max_iterations: int = 200,
    ) -> Molecule:
        Chem, AllChem = _rdkit()
        if isinstance(data_or_path, str):
            if file_type_of(data_or_path) not in cls.SUPPORTED_RDKIT_TYPES or not os.path.isfile(
                data_or_path
            ):
                raise ValueError(
                    f"from_rdkit takes a .mol or .sdf file or an rdkit molecule, got {data_or_path!r}"
                )
            molecule = Chem.MolFromMolFile(data_or_path, sanitize=True)
        elif isinstance(data_or_path, Chem.rdchem.Mol):
            molecule = data_or_path
        else:
            raise ValueError("from_rdkit takes a .mol or .sdf file or an rdkit molecule")
        if convert_to_3d_and_optimize:
            molecule = Chem.AddHs(molecule)
            AllChem.EmbedMolecule(molecule)
            AllChem.MMFFOptimizeMolecule(molecule, maxIters=mmff_optimize_molecule_max_iterations)
        return cls(io.StringIO(Chem.MolToPDBBlock(molecule)), caption=caption, file_type="pdb")

    @classmethod
    def from_smiles(
        cls,
        data: str,
        caption: str | None = None,
        sanitize: bool = True,
        convert_to_3d_and_optimize: bool = True,
        mmff_optimize_molecule_max_iterations: int = 200,
    ) -> Molecule:
        Chem, _ = _rdkit()
        molecule = Chem.MolFromSmiles(data, sanitize=sanitize)
        if molecule is None:
            raise ValueError("Unable to parse the SMILES string.")
        return cls.from_rdkit(
            molecule, caption, convert_to_3d_and_optimize, mmff_optimize_molecule_max_iterations
        )


def _rdkit() -> tuple[Any, Any]:
    try:
        from rdkit import Chem
        from rdkit.Chem import AllChem
    except ImportError as exc:
        raise ValueError("wandb.Molecule from SMILES or rdkit needs rdkit: pip install rdkit") from exc
    return Chem, AllChem


def box3d(
    *,
    center: Sequence[float],
    size: Sequence[float],
    orientation: Sequence[float],
    color: Sequence[float],
    label: str | None = None,
    score: float | None = None,
) -> dict[str, Any]:
    """W&B's 3-D box for ``Object3D.from_point_cloud(boxes=...)``: its 8 ``corners`` from its
    ``center``, ``size`` (x, y, z) and ``orientation``, the quaternion ``(r, x, y, z)`` (not all
    zero) that turns global coordinates into the box's own."""
    import itertools

    import numpy as np

    c = np.asarray(center, dtype=np.float64)
    s = np.asarray(size, dtype=np.float64)
    q = np.asarray(orientation, dtype=np.float64)
    if c.shape != (3,) or s.shape != (3,) or q.shape != (4,):
        raise ValueError("box3d takes center and size of 3 numbers, orientation of 4 (r, x, y, z)")
    largest = np.abs(q).max()
    if largest == 0:
        raise ValueError("Unexpected zero quaternion.")
    q = q / largest  # scaled first: steadier than dividing by the norm at once
    r, i, j, k = q / np.linalg.norm(q)
    rotation = np.array(
        (
            (1 - 2 * (j * j + k * k), 2 * (i * j + k * r), 2 * (i * k - j * r)),
            (2 * (i * j - k * r), 1 - 2 * (i * i + k * k), 2 * (j * k + i * r)),
            (2 * (i * k + j * r), 2 * (j * k - i * r), 1 - 2 * (i * i + j * j)),
        )
    )
    unit = np.array(list(itertools.product((-1, 1), (-1, 1), (-1, 1))), dtype=np.float64)
    corners = c + (0.5 * s * unit) @ rotation
    return {
        "corners": tuple(tuple(float(v) for v in pt) for pt in corners),
        "color": tuple(color),
        "label": label,
        "score": score,
    }
