"""``Value``: a scalar graph node, micrograd-style.

Every arithmetic operation on Values returns a new Value that remembers the
operation and its inputs; ``backward()`` then applies the chain rule through that
graph. The operations themselves (forward and derivative) live in ``ops.py``; this
file only says which operator applies which op.

Numbers outside an operation's domain follow NumPy: ``Value(0).log()`` is ``-inf``
and ``Value(1) / 0`` is ``inf``, each with NumPy's RuntimeWarning, where plain
Python would raise.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from . import ops
from .engine import _ONE_INPUT, Node, SharedNumbers, _grad_mode, anomaly_mode, check_forward
from .ops import Op

__all__ = ["Value"]

Number = int | float
_new = object.__new__


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
    _grad_before_backward = 0.0

    def __init__(self, data: Number, label: str = "", *, requires_grad: bool = True) -> None:
        self.data = _as_float(data)
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, not {type(label).__name__}")
        self.label = label
        self.op = None
        self.a = None
        self.b = None
        self.requires_grad = bool(requires_grad)

    # ---- arithmetic: each applies one op from ops.py
    def __add__(self, other: Value | Number) -> Value:
        return _apply(ops.ADD, self, other)

    def __radd__(self, other: Number) -> Value:
        return _apply(ops.ADD, _as_value(other), self)

    def __sub__(self, other: Value | Number) -> Value:
        return _apply(ops.SUB, self, other)

    def __rsub__(self, other: Number) -> Value:
        return _apply(ops.SUB, _as_value(other), self)

    def __mul__(self, other: Value | Number) -> Value:
        return _apply(ops.MUL, self, other)

    def __rmul__(self, other: Number) -> Value:
        return _apply(ops.MUL, _as_value(other), self)

    def __truediv__(self, other: Value | Number) -> Value:
        return _apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return _apply(ops.DIV, _as_value(other), self)

    def __pow__(self, exponent: Value | Number) -> Value:
        return _apply(ops.POW, self, exponent)

    def __rpow__(self, base: Number) -> Value:
        return _apply(ops.POW, _as_value(base), self)

    def __neg__(self) -> Value:
        return _apply(ops.NEG, self)

    def exp(self) -> Value:
        """e ** self."""
        return _apply(ops.EXP, self)

    def log(self) -> Value:
        """Natural logarithm (-inf at 0 and nan below, with NumPy's warning)."""
        return _apply(ops.LOG, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return _apply(ops.TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-self), computed without overflow for any input."""
        return _apply(ops.SIGMOID, self)

    def relu(self) -> Value:
        """max(self, 0); its derivative at 0 is taken as 0, as in PyTorch."""
        return _apply(ops.RELU, self)

    def _zero_where(self, mask: Any) -> Value:
        return _apply(ops.ZERO_WHERE, self, _constant(bool(mask)))

    # ---- comparisons look at the data only (and keep Values hashable by identity)
    def __lt__(self, other: Value | Number) -> bool:
        return self.data < _data_of(other)

    def __le__(self, other: Value | Number) -> bool:
        return self.data <= _data_of(other)

    def __gt__(self, other: Value | Number) -> bool:
        return self.data > _data_of(other)

    def __ge__(self, other: Value | Number) -> bool:
        return self.data >= _data_of(other)

    def __float__(self) -> float:
        return self.data

    # Make NumPy hand `ndarray + Value` back to us, which refuses it clearly,
    # instead of silently building an array of Values.
    __array_ufunc__ = None

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={_format_grad(self.grad)}{label})"

    # ---- what the engine asks of a node type
    def _seed(self, grad: Any) -> Any:
        if grad is None:
            return 1.0
        if isinstance(grad, Value):
            return grad
        return _as_float(grad)

    def _accumulate_into_leaf(self, grad: Any, shared: bool = False) -> None:
        if isinstance(self.grad, float) and self.grad == 0.0:
            self.grad = grad  # also keeps a graph-node gradient free of a useless `0 +`
        else:
            self.grad = self.grad + grad


def _format_grad(grad: Any) -> str:
    return f"{grad:.6g}" if isinstance(grad, float) else repr(grad)


def _as_float(data: Any) -> float:
    if isinstance(data, float):
        return float(data)
    if isinstance(data, numbers.Real) or (
        isinstance(data, np.ndarray) and data.ndim == 0 and data.dtype.kind in "biuf"
    ):
        return float(data)
    if isinstance(data, Node):
        raise TypeError(
            f"Value data must be a number, not a {type(data).__name__}; "
            "Value and Tensor cannot be combined (use .data or .item() to take the number out)"
        )
    if isinstance(data, np.ndarray):
        raise TypeError(
            f"Value holds one number, not an ndarray of shape {data.shape} and dtype "
            f"{data.dtype}; use Tensor for arrays"
        )
    raise TypeError(f"Value data must be a real number, not {type(data).__name__}: {data!r}")


class _Constant(Value):
    """A plain number in an expression (the 2 in ``2 * x``): a Value that needs no
    gradient. Its fixed attributes live on the class, so making one only stores its data."""

    __slots__ = ()
    grad = 0.0
    label = ""
    op = a = b = None
    requires_grad = False


def _constant(data: float) -> Value:
    value = _new(_Constant)
    value.data = data
    return value


_number = SharedNumbers(lambda number: _constant(float(number)))  # Value data is a float


def _as_value(x: Any) -> Value:
    if isinstance(x, Value):
        return x
    if x.__class__ is float or x.__class__ is int:
        return _number(x)
    try:
        return _constant(_as_float(x))
    except TypeError:
        raise TypeError(
            f"unsupported operand for Value: {type(x).__name__}"
            + (
                " (Value and Tensor cannot be mixed in one operation; use Tensor(value.data))"
                if isinstance(x, Node)
                else ""
            )
        ) from None


def _data_of(x: Any) -> float:
    return x.data if isinstance(x, Value) else _as_value(x).data


def _apply(op: Op, a: Value, b: Any = _ONE_INPUT) -> Value:
    """Compute ``op`` on the inputs' data and record it, unless nothing needs a gradient.
    ``b`` may be a plain number: it becomes a constant."""
    if b is _ONE_INPUT:
        b = None
    elif b.__class__ is not Value:
        b = _as_value(b)
    try:
        data = op.scalar(a.data) if b is None else op.scalar(a.data, b.data)
    except (ArithmeticError, ValueError):
        # Python raises for 1/0, log(0) or exp(1000); NumPy answers inf or nan and warns.
        operands = (a.data,) if b is None else (a.data, b.data)
        data = float(op.array(*map(np.float64, operands)))
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _grad_mode.enabled and (a.requires_grad or (b is not None and b.requires_grad)):
        out.op = op
        out.a = a
        out.b = b
        out.requires_grad = True
    else:
        out.op = out.a = out.b = None
        out.requires_grad = False
    if anomaly_mode.enabled:
        check_forward(op, out, (a,) if b is None else (a, b))
    return out
