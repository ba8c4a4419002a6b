"""Every operation the engine knows, each defined in one place: how it computes its
result, and its local derivative with respect to each input, side by side.

A derivative rule is called as ``rule(grad, out, *inputs, *args)`` where ``grad`` is
d(root)/d(out), ``out`` is the operation's result and ``inputs`` its operands; it
returns ``grad * d(out)/d(input)``, the chain rule's contribution to that input.

The rules use only ordinary operators and methods (``*``, ``@``, ``.sum``,
``.reshape``), plus the three small helpers below that work on every kind of operand.
So one rule serves twice: on plain floats and ndarrays in the fast path, and on
``Value``/``Tensor`` nodes when the backward pass itself is recorded as a graph
(``create_graph=True``), which is how gradients of gradients work.

Adding an operation: define its ``Op`` here, then give ``Value`` and/or ``Tensor`` a
one-line method that applies it. The tests loop over this table, so a new op is
checked against finite differences the moment it exists.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Op", "SCALAR_OPS", "TENSOR_OPS"]


class Op:
    """One operation: its forward computation and its local derivatives.

    ``scalar`` computes on Python floats (it may raise ArithmeticError or ValueError
    outside its domain, and is then rerun through ``array`` to get NumPy's inf/nan).
    ``array`` computes on ndarrays. ``derivatives`` has one rule per input;
    ``formulas`` states each rule for people (the backward walkthrough prints them).
    ``broadcasts``: elementwise with NumPy broadcasting, so array gradients are summed
    back to each input's shape by the engine.
    """

    __slots__ = ("name", "scalar", "array", "derivatives", "formulas", "broadcasts")

    def __init__(
        self,
        name: str,
        *,
        scalar: Callable[..., float] | None = None,
        array: Callable[..., np.ndarray],
        derivatives: tuple[Callable[..., Any], ...],
        formulas: tuple[str, ...],
        broadcasts: bool = False,
    ) -> None:
        self.name = name
        self.scalar = scalar
        self.array = array
        self.derivatives = derivatives
        self.formulas = formulas
        self.broadcasts = broadcasts

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# --------------------------------------------------------------------------- helpers
# Rules call these instead of math/np functions so that they run on floats, ndarrays
# and graph nodes alike. NumPy scalars (np.float64(2.0)) count as arrays: NumPy
# returns them for 0-d results.

ARRAY_TYPES = (np.ndarray, np.generic)


def log(x: Any) -> Any:
    """Natural logarithm of a float, an ndarray or a node."""
    if isinstance(x, (float, int)):
        return math.log(x) if x > 0 else float(np.log(np.float64(x)))
    if isinstance(x, ARRAY_TYPES):
        return np.log(x)
    return x.log()


def power(x: Any, exponent: Any) -> Any:
    """x ** exponent with NumPy's answers (nan, inf) where Python would raise or go complex."""
    if isinstance(x, float) and isinstance(exponent, (float, int)):
        return scalar_power(x, exponent)
    if isinstance(x, ARRAY_TYPES):
        return x if exponent.__class__ is int and exponent == 1 else np.power(x, exponent)
    return x**exponent


def scalar_power(x: float, exponent: float) -> float:
    # math.pow raises, where ** would return a complex number (negative base, fractional
    # exponent) or raise ZeroDivisionError (0 ** -1); NumPy gives nan or inf and warns.
    try:
        return math.pow(x, exponent)
    except (ValueError, OverflowError):
        return float(np.power(np.float64(x), exponent))


def _raw(x: Any) -> Any:
    """The numbers of a node, or the numbers themselves."""
    return x if isinstance(x, (float, int) + ARRAY_TYPES) else x.data


def zero_where(condition: Any, x: Any) -> Any:
    """x, with 0 where ``condition`` holds. A selection, not a product: an inf or nan in
    x where the condition holds does not leak through (0 * inf would be nan)."""
    if x.__class__ is float:  # the scalar fast path
        return 0.0 if condition else x
    if isinstance(x, ARRAY_TYPES):
        # A product is several times faster than np.where on a scattered mask, and the
        # same wherever x is finite; where it is not (inf * 0 = nan), select instead.
        product = x * np.logical_not(condition)
        if np.isnan(product).any():
            return np.where(condition, 0.0, x)
        return product
    return x._zero_where(condition)  # a node: an operation, differentiable again


def sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """Sum a gradient over the axes that broadcasting added or stretched, so that it
    has ``shape`` again (the backward of broadcasting)."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """x repeated along new or size-1 axes to ``shape``."""
    if isinstance(x, ARRAY_TYPES):
        # A fresh array filled by assignment: several times faster than np.broadcast_to
        # on small arrays, and writable.
        full = np.empty(shape, dtype=x.dtype)
        full[...] = x
        return full
    return x.broadcast_to(shape)


def scatter_add(grad: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """A zero array of ``shape`` with ``grad`` added at ``index``: repeated indices add up."""
    if isinstance(grad, ARRAY_TYPES):
        full = np.zeros(shape, dtype=grad.dtype)
        np.add.at(full, index, grad)
        return full
    return grad._scatter_add(index, shape)


# --------------------------------------------------------------------------- forward helpers


def _scalar_sigmoid(x: float) -> float:
    # Two forms so that exp never overflows: e^-x for x >= 0, e^x for x < 0.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _array_sigmoid(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-x) = exp(-log(1 + e^-x)); logaddexp computes log(e^0 + e^-x) without
    # overflow and to full precision, even where the result underflows towards 0.
    return np.exp(-np.logaddexp(0.0, -x))


def _scalar_relu(x: float) -> float:
    return 0.0 if x < 0 else x  # nan stays nan, as in NumPy and PyTorch


def _array_relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0).astype(x.dtype, copy=False)


def _sum(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    return np.add.reduce(x, axis, None, None, keepdims)  # x.sum(...), without its Python layer


def _array_power(x: np.ndarray, exponent: Any) -> np.ndarray:
    # x ** 2 takes NumPy's squaring fast path: the same numbers as np.power, twice as fast
    if (exponent.__class__ is int or exponent.__class__ is float) and exponent == 2:
        return np.square(x)
    return np.power(x, exponent)


def _mean(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    return x.mean(axis=axis, keepdims=keepdims)


def _expand_reduced(grad: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """Undo a reduction over ``axis`` for the gradient: put back the reduced axes (size 1)
    and repeat the gradient along them, to the input's ``shape``."""
    if not keepdims and axis is not None:
        axes = (axis,) if isinstance(axis, int) else axis
        kept = list(grad.shape)
        for ax in sorted(a % len(shape) for a in axes):
            kept.insert(ax, 1)
        grad = grad.reshape(tuple(kept))
    return broadcast_to(grad, shape)


def _reduced_count(shape: tuple[int, ...], axis: Any) -> int:
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if isinstance(axis, int) else axis
    return math.prod(shape[a] for a in axes)


def _inverse_permutation(axes: Any, ndim: int) -> Any:
    if axes is None:  # a full reversal is its own inverse
        return None
    return tuple(np.argsort(axes))


def _matrix_operands(grad: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    """Treat a 1-D left operand as a row (1, k) and a 1-D right operand as a column
    (k, 1), and give grad the matching unit axes, so both gradients are plain (batched)
    matrix products."""
    if a.ndim == 1:
        a = a.reshape((1, a.shape[0]))
        grad = grad.reshape(grad.shape[:-1] + (1,) + grad.shape[-1:]) if b.ndim > 1 else grad
    if b.ndim == 1:
        b = b.reshape((b.shape[0], 1))
        grad = grad.reshape(grad.shape + (1,))
    if grad.ndim < 2:  # both were vectors: the result was a 0-d dot product
        grad = grad.reshape((1, 1))
    return grad, a, b


def _matmul_grad_a(grad: Any, out: Any, a: Any, b: Any) -> Any:
    if a.ndim == 2 and b.ndim == 2:  # the common case, spelled out
        return grad @ b.T
    grad, a2, b2 = _matrix_operands(grad, a, b)
    return sum_to(grad @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)


def _matmul_grad_b(grad: Any, out: Any, a: Any, b: Any) -> Any:
    if a.ndim == 2 and b.ndim == 2:
        return a.T @ grad
    grad, a2, b2 = _matrix_operands(grad, a, b)
    return sum_to(a2.swapaxes(-1, -2) @ grad, b2.shape).reshape(b.shape)


def _linear_grad_weight(grad: Any, out: Any, x: Any, w: Any) -> Any:
    if x.ndim == 2:  # the common case, spelled out
        return grad.T @ x
    # Every batch axis sums: view x as rows (n, in) and grad as rows (n, out).
    return grad.reshape((-1, grad.shape[-1])).T @ x.reshape((-1, x.shape[-1]))


# --------------------------------------------------------------------------- the table
# Elementwise, for Value and Tensor alike.

ADD = Op(
    "+", scalar=operator.add, array=operator.add, broadcasts=True,
    derivatives=(lambda grad, out, a, b: grad,
                 lambda grad, out, a, b: grad),
    formulas=("d(a+b)/da = 1", "d(a+b)/db = 1"),
)
SUB = Op(
    "-", scalar=operator.sub, array=operator.sub, broadcasts=True,
    derivatives=(lambda grad, out, a, b: grad,
                 lambda grad, out, a, b: -grad),
    formulas=("d(a-b)/da = 1", "d(a-b)/db = -1"),
)
MUL = Op(
    "*", scalar=operator.mul, array=operator.mul, broadcasts=True,
    derivatives=(lambda grad, out, a, b: grad * b,
                 lambda grad, out, a, b: grad * a),
    formulas=("d(a*b)/da = b", "d(a*b)/db = a"),
)
DIV = Op(
    "/", scalar=operator.truediv, array=operator.truediv, broadcasts=True,
    derivatives=(lambda grad, out, a, b: grad / b,
                 lambda grad, out, a, b: -grad * a / (b * b)),
    formulas=("d(a/b)/da = 1/b", "d(a/b)/db = -a/b^2"),
)
def _pow_grad_base(grad: Any, out: Any, a: Any, b: Any) -> Any:
    # 0 where b == 0 (a ** 0 is the constant 1, even at a = 0 where b * a ** (b-1) would be
    # 0 * inf), as PyTorch does. The usual case, a nonzero constant exponent, goes straight.
    exponent_is_zero = _raw(b) == 0
    if exponent_is_zero is False or (exponent_is_zero is not True and not np.any(exponent_is_zero)):
        return grad * b * power(a, b - 1)
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 where it is masked anyway
        return zero_where(exponent_is_zero, grad * b * power(a, b - 1))


def _pow_grad_exponent(grad: Any, out: Any, a: Any, b: Any) -> Any:
    # a ** b * ln(a), taken as 0 where a == 0 and b >= 0 (ln 0 is -inf, but a ** b stays
    # 0 or 1 there), as PyTorch does; then times grad.
    with np.errstate(divide="ignore", invalid="ignore"):
        return grad * zero_where(np.logical_and(_raw(a) == 0, _raw(b) >= 0), out * log(a))


POW = Op(
    "**", scalar=scalar_power, array=_array_power, broadcasts=True,
    derivatives=(_pow_grad_base, _pow_grad_exponent),
    formulas=("d(a^b)/da = b*a^(b-1)", "d(a^b)/db = a^b*ln(a)"),
)
NEG = Op(
    "neg", scalar=operator.neg, array=operator.neg,
    derivatives=(lambda grad, out, x: -grad,),
    formulas=("d(-x)/dx = -1",),
)
EXP = Op(
    "exp", scalar=math.exp, array=np.exp,
    derivatives=(lambda grad, out, x: grad * out,),
    formulas=("d(e^x)/dx = e^x",),
)
LOG = Op(
    "log", scalar=math.log, array=np.log,
    derivatives=(lambda grad, out, x: grad / x,),
    formulas=("d(ln x)/dx = 1/x",),
)
TANH = Op(
    "tanh", scalar=math.tanh, array=np.tanh,
    derivatives=(lambda grad, out, x: grad * (1 - out * out),),
    formulas=("d(tanh x)/dx = 1 - tanh(x)^2",),
)
SIGMOID = Op(
    "sigmoid", scalar=_scalar_sigmoid, array=_array_sigmoid,
    derivatives=(lambda grad, out, x: grad * out * (1 - out),),
    formulas=("d(s)/dx = s*(1-s)",),
)
RELU = Op(
    "relu", scalar=_scalar_relu, array=_array_relu,
    # 0 where out <= 0; a nan passes its gradient on, as in PyTorch
    derivatives=(lambda grad, out, x: zero_where(_raw(out) <= 0, grad),),
    formulas=("d(relu x)/dx = 1 if x > 0 else 0",),
)

# Array-only: shapes, reductions, products, indexing.

MATMUL = Op(
    "matmul", array=np.matmul,
    derivatives=(_matmul_grad_a, _matmul_grad_b),
    formulas=("d(a@b)/da: grad @ b.T", "d(a@b)/db: a.T @ grad"),
)
LINEAR = Op(
    "linear", array=lambda x, w: x @ w.T,
    derivatives=(lambda grad, out, x, w: grad @ w,
                 _linear_grad_weight),
    formulas=("d(x@w.T)/dx: grad @ w", "d(x@w.T)/dw: grad.T @ x"),
)
SUM = Op(
    "sum", array=_sum,
    derivatives=(lambda grad, out, x, axis, keepdims:
                 _expand_reduced(grad, x.shape, axis, keepdims),),
    formulas=("d(sum x)/dx_i = 1",),
)
MEAN = Op(
    "mean", array=_mean,
    derivatives=(lambda grad, out, x, axis, keepdims:
                 _expand_reduced(grad, x.shape, axis, keepdims) / _reduced_count(x.shape, axis),),
    formulas=("d(mean x)/dx_i = 1/n",),
)
RESHAPE = Op(
    "reshape", array=lambda x, shape: x.reshape(shape),  # (the methods skip a Python layer)
    derivatives=(lambda grad, out, x, shape: grad.reshape(x.shape),),
    formulas=("reshape the gradient back",),
)
TRANSPOSE = Op(
    "transpose", array=lambda x, axes: x.transpose(axes),
    derivatives=(lambda grad, out, x, axes: grad.transpose(_inverse_permutation(axes, x.ndim)),),
    formulas=("transpose the gradient back",),
)
BROADCAST_TO = Op(
    "broadcast_to", array=np.broadcast_to,
    derivatives=(lambda grad, out, x, shape: sum_to(grad, x.shape),),
    formulas=("sum the gradient over the repeated axes",),
)
INDEX = Op(
    "[]", array=operator.getitem,
    derivatives=(lambda grad, out, x, index: scatter_add(grad, index, x.shape),),
    formulas=("scatter the gradient back to the picked positions",),
)
SCATTER_ADD = Op(
    "scatter_add", array=lambda x, index, shape: scatter_add(x, index, shape),
    derivatives=(lambda grad, out, x, index, shape: grad[index],),
    formulas=("pick the gradient at the scattered positions",),
)


ZERO_WHERE = Op(
    # x with 0 where the mask (a constant second input) holds: how the rules above mask
    # when they run on graph nodes, so that gradients of gradients flow the same way
    "zero_where", scalar=lambda x, mask: 0.0 if mask else x, array=lambda x, mask: np.where(mask, 0.0, x),
    broadcasts=True,
    derivatives=(lambda grad, out, x, mask: zero_where(_raw(mask), grad),
                 lambda grad, out, x, mask: None),  # the mask is a constant: never asked
    formulas=("0 where masked, else the gradient", "none: the mask is a constant"),
)


SCALAR_OPS = (ADD, SUB, MUL, DIV, POW, NEG, EXP, LOG, TANH, SIGMOID, RELU, ZERO_WHERE)
TENSOR_OPS = SCALAR_OPS + (MATMUL, LINEAR, SUM, MEAN, RESHAPE, TRANSPOSE, BROADCAST_TO, INDEX, SCATTER_ADD)
