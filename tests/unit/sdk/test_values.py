"""What counts as a metric value, for libraries that may not be installed here."""

from __future__ import annotations

import decimal
import fractions

from runicorn.sdk.values import DROP, to_number


class TensorLike:
    """torch.Tensor's scalar protocol: ``size()`` is a method, ``numel()`` the count, ``item()``."""

    def __init__(self, values: list[float]) -> None:
        self._values = values

    def size(self) -> tuple[int, ...]:
        return () if len(self._values) == 1 else (len(self._values),)

    def numel(self) -> int:
        return len(self._values)

    def item(self) -> float:
        if len(self._values) != 1:
            raise RuntimeError("a Tensor with 3 elements cannot be converted to Scalar")
        return self._values[0]


def test_one_element_tensors_become_numbers_and_bigger_ones_are_dropped() -> None:
    assert to_number(TensorLike([0.5])) == 0.5
    assert to_number(TensorLike([1.0, 2.0, 3.0])) is DROP


def test_other_real_numbers_are_accepted() -> None:
    assert to_number(decimal.Decimal("1.5")) == 1.5
    assert to_number(fractions.Fraction(1, 4)) == 0.25
    assert to_number(True) == 1


def test_text_and_containers_are_dropped() -> None:
    for value in ("1.0", b"1", None, [1.0], {"a": 1}, object()):
        assert to_number(value) is DROP


def test_int_and_float_subclasses_become_plain_python_numbers() -> None:
    class Score(float):  # numpy.float64 is such a subclass, and orjson refuses it
        pass

    assert type(to_number(Score(0.5))) is float
    assert type(to_number(True)) is int
