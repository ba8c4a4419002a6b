"""``Value``: one number in a computation graph, micrograd-style.

Every operation on Values makes a new Value that remembers the operation and its
inputs, so ``backward()`` can apply the chain rule through them. Each operation of
``ops.py`` gives ``Value`` its method (``give_methods``, at the end), so this file only
says how a Value is made. Outside an operation's domain the numbers follow NumPy, not
Python: ``Value(0).log()`` is ``-inf`` and ``Value(1) / 0`` is ``inf``, with a warning.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import ops
from .core import Node, record
from .methods import give_methods


class Value(Node):
    """A scalar that records the operations applied to it, for backpropagation.

    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + a          # c = a*b + a
    >>> c.backward()
    >>> a.grad, b.grad          # dc/da = b + 1, dc/db = a
    (-2.0, 2.0)
    """

    __slots__ = ()
    initial_grad = 0.0
    shape = ()  # one number: no axes

    def __init__(self, data: Any, label: str = "", *, requires_grad: bool = True) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, not {type(label).__name__}")
        self.data, self.grad, self.label = as_float(data), 0.0, label
        self.op, self.inputs, self.requires_grad = None, (), bool(requires_grad)

    @classmethod
    def apply(cls, op: ops.Op, inputs: tuple, args: tuple = ()) -> Value:
        """Compute ``op`` on the inputs' numbers (numbers become constants) and record it."""
        inputs = tuple(x if isinstance(x, Value) else constant(x) for x in inputs)
        out = Value.__new__(Value)
        try:
            out.data = op.scalar(*[x.data for x in inputs], *args)  # type: ignore[misc]  # (Value ops have one)
        except (ArithmeticError, ValueError):  # Python raises for 1/0, log(0), exp(1000):
            out.data = float(op.forward(*[np.float64(x.data) for x in inputs], *args))  # NumPy says inf/nan
        out.grad, out.label = 0.0, ""
        return record(out, op, inputs, args)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        grad = f"{self.grad:.6g}" if isinstance(self.grad, float) else repr(self.grad)
        return f"Value(data={self.data:.6g}, grad={grad}{label})"


def constant(x: Any) -> Value:
    """A plain number in an expression (the 2 in ``2 * x``): a Value needing no gradient."""
    try:
        return Value(x, requires_grad=False)
    except TypeError as error:
        raise TypeError(f"unsupported operand for Value: {type(x).__name__} ({error})") from None


def as_float(data: Any) -> float:
    """A Value's number as a Python float, or a clear error."""
    if isinstance(data, (numbers.Real, np.bool_)) or (isinstance(data, np.ndarray) and data.shape == ()
                                          and data.dtype.kind in "biuf"):
        return float(data)
    if isinstance(data, np.ndarray):
        raise TypeError(f"Value holds one number, not an ndarray of shape {data.shape}; use Tensor for arrays")
    raise TypeError(f"Value data must be a real number, not {type(data).__name__}: {data!r}"
                    + (" (Value and Tensor cannot be mixed in one operation; use Tensor(value.data) or "
                       "tensor.item())" if isinstance(data, Node) else ""))


give_methods(Value, scalar_only=True)  # x + y, x * 2, x.sigmoid(), ... from the op table
