"""TensorBoard ``TensorProto`` values as numpy arrays, checked before anything is expanded.

A tensor in an event file names its shape and type and carries its values packed
(``tensor_content``) or as a list (``float_val``, ``int64_val``...; one value stands for all of
them). A few bytes can therefore ask for a huge array (shape ``[1e9, 1e9]`` with one value). Here
the shape is checked first (no negative dimension, at most :data:`MAX_TENSOR_ELEMENTS` values),
then the type (numbers only), then that the values given match the shape; only then is an array
made. Anything else raises :class:`BadValue` saying why.
"""

from __future__ import annotations

import math
from typing import Any

MAX_TENSOR_ELEMENTS = 10_000_000

# DataType enum of tensorflow/core/framework/types.proto -> (numpy dtype, the list field)
_NUMBER_TYPES: dict[int, tuple[str, str]] = {
    1: ("<f4", "float_val"),
    2: ("<f8", "double_val"),
    3: ("<i4", "int_val"),
    4: ("u1", "int_val"),
    5: ("<i2", "int_val"),
    6: ("i1", "int_val"),
    9: ("<i8", "int64_val"),
    10: ("?", "bool_val"),
    17: ("<u2", "int_val"),
    19: ("<f2", "half_val"),
}


class BadValue(ValueError):
    """A value of an event file that cannot be read as what it claims to be; the text says why."""


def tensor_shape(tensor: Any) -> tuple[int, ...]:
    """The tensor's shape, checked: no negative (unknown) dimension, at most MAX_TENSOR_ELEMENTS."""
    dims = tuple(int(d.size) for d in tensor.tensor_shape.dim)
    if any(d < 0 for d in dims):
        raise BadValue(f"a tensor of shape {list(dims)} (a negative dimension)")
    count = math.prod(dims)
    if count > MAX_TENSOR_ELEMENTS:
        raise BadValue(
            f"a tensor whose shape {list(dims)} asks for {count} values, more than {MAX_TENSOR_ELEMENTS}"
        )
    return dims


def tensor_array(tensor: Any) -> Any:
    """The tensor as a numpy array of its shape; BadValue when it is not a sound number tensor."""
    import numpy as np

    dims = tensor_shape(tensor)
    count = math.prod(dims)
    kind = _NUMBER_TYPES.get(int(tensor.dtype))
    if kind is None:
        raise BadValue(f"a tensor of type {int(tensor.dtype)}, not a number type")
    dtype, field = np.dtype(kind[0]), kind[1]
    content = tensor.tensor_content
    if content:
        if len(content) != count * dtype.itemsize:
            raise BadValue(
                f"a tensor of shape {list(dims)} whose {len(content)} bytes are not "
                f"{count} values of {dtype.itemsize} bytes"
            )
        return np.frombuffer(content, dtype=dtype).reshape(dims)
    values = getattr(tensor, field)
    if len(values) not in (count, 1):
        raise BadValue(f"a tensor of shape {list(dims)} with {len(values)} values")
    if field == "half_val":  # each float16 stored as its 16 bits in an int
        array = _ints(values, np.dtype(np.uint16)).view(np.float16)
    elif dtype.kind in "iu":
        array = _ints(values, dtype)
    else:
        array = np.array(values, dtype=dtype)
    if len(values) == count:
        return array.reshape(dims)
    return np.full(dims, array[0], dtype=array.dtype)  # one value stands for all (count is bounded)


def _ints(values: Any, dtype: Any) -> Any:
    """``values`` (Python ints of a protobuf list) as ``dtype``; BadValue when one does not fit."""
    import numpy as np

    wide = np.array(values, dtype=np.int64)
    limits = np.iinfo(dtype)
    if wide.size and (wide.min() < limits.min or wide.max() > limits.max):
        raise BadValue(f"a tensor of type {dtype} with values that do not fit it")
    return wide.astype(dtype)
