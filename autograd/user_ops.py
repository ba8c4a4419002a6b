"""A user's operation is checked where the package's own are trusted.

The built-in operations' rules are held to their formulas by the tests and the fuzzer;
an ``Op`` you define is checked as it runs, as PyTorch checks what a
``torch.autograd.Function`` returns. Without the checks a slip in a rule is a silently
wrong gradient: a (3,) share for a (1, 3) input, added to another share, broadcasts to
a (3,) gradient of the wrong numbers; a list share added to another joins the lists.

* Each rule's share must be an array or a number (or a graph node, in a recorded pass)
  of its input's shape. A share of a shape broadcasting made from the input's (more
  leading axes, or a size-1 axis stretched) is summed back to it, as PyTorch does; any
  other shape is refused, naming the op, the input and both shapes. A float share in
  another float dtype than its input's is cast to the input's (PyTorch casts too).
* In the usual pass (numbers, not graph nodes), a share that is a Tensor or a Value,
  made by a rule from a node it closed over, gives its numbers.
* The forward must compute real numbers: None, strings or complex numbers are refused
  (they would make a Tensor of objects, or one whose gradient has no meaning here); the
  scalar forward one real number, which a Value holds as a Python float.

An op counts as a user's when it is defined after the package's own (``autograd``'s
import ends by calling ``package_defined``); the built-in ones pay nothing.

>>> import numpy as np
>>> from autograd import Op, Tensor
>>> bad = Op("bad", forward=lambda x: x * 2, rules=[lambda grad, out, x: (grad * 2).ravel()],
...          formulas=["2"], internal=True)
>>> x = Tensor(np.ones((1, 3)), requires_grad=True)
>>> (bad(x) + x).sum().backward()
Traceback (most recent call last):
ValueError: rule 0 of op 'bad' gave a share of shape (3,) for input 0 of shape (1, 3): ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Node, recording, sum_to

__all__ = ["check_user_op", "package_defined"]

_PACKAGE_DEFINED = [False]  # (True once autograd's own operations are all defined)


def package_defined() -> None:
    """Called at the end of ``autograd``'s import: every op defined from now on is a user's."""
    _PACKAGE_DEFINED[0] = True


def check_user_op(op: Any) -> None:
    """Give ``op`` (a new ``Op``) checked rules and a checked forward, if it is a user's."""
    if not _PACKAGE_DEFINED[0]:
        return
    op.rules = tuple(_checked_rule(op, position, rule) for position, rule in enumerate(op.rules))
    op.forward = _checked_forward(op, op.forward)
    if op.scalar is not None:
        op.scalar = _checked_scalar(op, op.scalar)


def _checked_rule(op: Any, position: int, rule: Callable[..., Any]) -> Callable[..., Any]:
    def checked_rule(grad: Any, out: Any, *operands: Any) -> Any:
        return _share(op, position, rule(grad, out, *operands), operands[position])
    checked_rule.__wrapped__ = rule  # type: ignore[attr-defined]  # (inspect and the pictures find the user's own)
    return checked_rule


def _share(op: Any, position: int, share: Any, x: Any) -> Any:
    if share is None:
        return None
    if isinstance(share, Node) and not recording.enabled:  # (a usual pass: its numbers)
        share = share._data  # (a Value's too: core.py gives Node its _data)
    if not isinstance(share, (Node, np.ndarray, np.generic, float, int)):
        raise TypeError(f"rule {position} of op {op.name!r} gave a share of type {type(share).__name__}; "
                        "a rule returns an array or a number (or None), as grad * d(out)/d(input)")
    if isinstance(share, np.ndarray) and share.dtype.kind not in "biuf":
        raise TypeError(f"rule {position} of op {op.name!r} gave a share of dtype {share.dtype}; a rule "
                        "returns real numbers")
    shape, wanted = tuple(getattr(share, "shape", ())), tuple(getattr(x, "shape", ()))
    if shape != wanted:
        if not _made_by_broadcasting(shape, wanted):
            raise ValueError(f"rule {position} of op {op.name!r} gave a share of shape {shape} for input "
                             f"{position} of shape {wanted}: a share has its input's shape (one that "
                             "broadcasting made from it is summed back)")
        share = sum_to(share, wanted)
    dtype = getattr(x, "dtype", None)
    if isinstance(share, (np.ndarray, np.generic)) and dtype is not None and dtype.kind == "f" and share.dtype != dtype:
        share = share.astype(dtype)
    elif x.__class__ is float and isinstance(share, (np.ndarray, np.generic)):  # (a Value's: a Python float,
        share = float(share)  # as its .grad is)
    return share


def _made_by_broadcasting(shape: tuple[int, ...], wanted: tuple[int, ...]) -> bool:
    """Whether broadcasting an array of shape ``wanted`` can give ``shape``."""
    if len(shape) < len(wanted):
        return False
    return all(w in (s, 1) for w, s in zip(reversed(wanted), reversed(shape)))


def _checked_forward(op: Any, forward: Callable[..., Any]) -> Callable[..., Any]:
    def checked_forward(*operands: Any) -> Any:
        result = forward(*operands)
        if result.__class__ is not float and result.__class__ is not int:
            numbers = result if isinstance(result, (np.ndarray, np.generic)) else np.asarray(result)
            if numbers.dtype.kind not in "biuf":  # (None and strings read as objects)
                raise TypeError(f"the forward of op {op.name!r} gave {type(result).__name__} of dtype "
                                f"{numbers.dtype}; it must compute real numbers")
        return result
    checked_forward.__wrapped__ = forward  # type: ignore[attr-defined]
    return checked_forward


def _checked_scalar(op: Any, scalar: Callable[..., Any]) -> Callable[..., float]:
    def checked_scalar(*operands: Any) -> float:
        result = scalar(*operands)
        if result.__class__ is float:
            return result
        if isinstance(result, (int, np.integer, np.floating, np.bool_)) or (
                isinstance(result, np.ndarray) and result.shape == () and result.dtype.kind in "biuf"):
            return float(result)  # (a Value holds a Python float)
        raise TypeError(f"the scalar forward of op {op.name!r} gave {type(result).__name__}; it must "
                        "compute one real number")
    checked_scalar.__wrapped__ = scalar  # type: ignore[attr-defined]
    return checked_scalar
