"""A run's method as a module-level function: ``rn.log`` is ``Run.log`` on the current run, and
``wandb.log`` is the W&B run's ``log`` on the current W&B run. Written once, so each module-level
call keeps its method's signature and docstring (for ``help()``, IDEs and mypy) without
repeating them.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")


def module_function(
    method: Callable[Concatenate[Any, P], R], target: Callable[[str], Any]
) -> Callable[P, R | None]:
    """``method`` called on ``target(name)`` (the method's name); where that is None nothing is
    called and None is returned (``target`` warns or raises as its module does)."""
    name = method.__name__

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> R | None:
        obj = target(name)
        return None if obj is None else getattr(obj, name)(*args, **kwargs)

    signature = inspect.signature(method)
    without_self = list(signature.parameters.values())[1:]
    call.__signature__ = signature.replace(parameters=without_self)  # type: ignore[attr-defined]
    return call
