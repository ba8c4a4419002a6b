"""Helpers the derivative rules call instead of ``math``/``numpy`` functions, so that one
rule runs on every kind of operand: Python floats, NumPy arrays and scalars (the usual
backward pass) and graph nodes (a recorded pass, for gradients of gradients).

Also the forward computations that need care at the extremes (sigmoid without
overflow, powers with NumPy's answers where Python raises), and the argument handling
shared by the reductions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, overload

import numpy as np

ARRAY_TYPES = (np.ndarray, np.generic)  # NumPy scalars count as arrays: NumPy returns them for 0-d results


def numbers(x: Any) -> Any:
    """The numbers of a node, or the numbers themselves."""
    return x if isinstance(x, (float, int, bool) + ARRAY_TYPES) else x._data


def log(x: Any) -> Any:
    """Natural logarithm of a float, an array or a node (NumPy's -inf and nan outside the domain)."""
    if isinstance(x, (float, int)):
        return math.log(x) if x > 0 else float(np.log(np.float64(x)))
    if isinstance(x, ARRAY_TYPES):
        return np.log(x)
    return x.log()


def scalar_power(x: float, exponent: float) -> float:
    """x ** exponent on floats, with NumPy's nan or inf (and warning) where Python would
    raise or return a complex number (a negative base, a fractional exponent, 0 ** -1)."""
    if x < 0 and exponent != int(exponent) if math.isfinite(exponent) else False:
        return float(np.power(np.float64(x), exponent))  # nan, as NumPy and PyTorch (math.pow(-inf, 0.5) is inf)
    try:
        return math.pow(x, exponent)
    except (ValueError, OverflowError, ZeroDivisionError):
        return float(np.power(np.float64(x), exponent))


def power(x: Any, exponent: Any) -> Any:
    """x ** exponent for floats, arrays and nodes, with NumPy's answers at the edges."""
    if isinstance(x, float) and isinstance(exponent, (float, int)):
        return scalar_power(x, exponent)
    if isinstance(x, ARRAY_TYPES):  # (x ** 1 is x: the rule of x ** 2 asks for it)
        return x if exponent.__class__ is int and exponent == 1 else np.power(x, exponent)
    return x**exponent


def sigmoid(x: Any) -> Any:
    """1 / (1 + e^-x) on arrays, as the seed notebook writes it. Below x = -709 e^-x
    overflows to inf, and 1 / (1 + inf) is the right answer, 0: the warning is silenced
    (and above x = 745 e^-x underflows to 0, and 1 / (1 + 0) is 1: whatever ``np.seterr`` says).
    (Three passes over the data; exp(-logaddexp(0, -x)), which never overflows, is 3.9x
    slower on a 256x256 array.)"""
    with np.errstate(over="ignore", under="ignore"):
        return overflowing_sigmoid(x)


def overflowing_sigmoid(x: Any) -> Any:
    """``sigmoid`` without the warning silenced: e^-x overflows below x = -709. The same
    numbers as ``1 / (1 + np.exp(-x))``, in place in one new array (``reciprocal`` divides
    1 by each element): a fifth fewer instructions on the notebook's (4, 1) layer."""
    denominator = np.exp(-x)
    if denominator.__class__ is not np.ndarray:  # a NumPy scalar, from a 0-d array
        return 1 / (1 + denominator)
    denominator += 1.0
    return np.reciprocal(denominator, denominator)  # (out given by position: 550 instructions less)


def scalar_sigmoid(x: float) -> float:
    """1 / (1 + e^-x) on a float, in the form whose exp cannot overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def select_zero(condition: Any, x: Any) -> Any:
    """``zero_where`` on arrays: 0 where ``condition`` holds, else x (x's dtype)."""
    return np.where(condition, np.zeros((), x.dtype), x)


def zero_where(condition: Any, x: Any) -> Any:
    """x, with 0 where ``condition`` holds. A selection, not a product: an inf or nan in x
    where the condition holds does not leak through (0 * inf would be nan). On a node it
    is an operation, so a masked gradient can be differentiated again."""
    if condition is False or condition is np.False_:  # (a scalar comparison: nothing to mask)
        return x
    condition = numbers(condition)
    if isinstance(x, ARRAY_TYPES):  # (first: np.float64 is a float too, and must stay a NumPy number)
        if not np.any(condition):
            return x
        return select_zero(condition, x)
    if isinstance(x, (float, int)):
        return 0.0 if condition else x
    from .more_ops import ZERO_WHERE

    return ZERO_WHERE(x, np.asarray(condition))


def broadcast_to(x: Any, shape: tuple[int, ...]) -> Any:
    """x repeated along new or size-1 axes to ``shape`` (a fresh, writable array)."""
    if isinstance(x, ARRAY_TYPES):
        full = np.empty(shape, dtype=x.dtype)
        full[...] = x
        return full
    return x.broadcast_to(shape)


def scatter_add(grad: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``grad`` added at ``index``: repeated indices add up."""
    if isinstance(grad, ARRAY_TYPES):
        full = np.zeros(shape, dtype=grad.dtype)
        np.add.at(full, index, grad)
        return full
    from .more_ops import SCATTER_ADD

    return SCATTER_ADD(grad, index, shape)


class IntegersFirst:
    """An index read as PyTorch reads it: the integers first (``select``), then the rest.
    NumPy counts an integer as an index array when there is one, and puts the axes they
    pick first when a slice separates them: ``x[0, :, [0, 1]]`` of a (2, 3, 4) array is
    (2, 3) in NumPy, (3, 2) in PyTorch, with the numbers transposed."""

    # (not a tuple: NumPy would read a tuple subclass as an index of two items)
    __slots__ = ("select", "rest")

    def __init__(self, select: tuple, rest: tuple) -> None:
        self.select = select  # the integers, each other item a whole-axis slice (None dropped)
        self.rest = rest  # everything but the integers

    def __repr__(self) -> str:
        return f"IntegersFirst(select={self.select!r}, rest={self.rest!r})"

    @staticmethod
    def split(items: tuple) -> IntegersFirst | None:
        integers = [_is_integer(i) for i in items]
        if not any(integers) or not any(isinstance(i, np.ndarray) and i.ndim for i in items):
            return None  # no integer, or no index array: NumPy reads it as PyTorch does
        select: list[Any] = []
        for item, integer in zip(items, integers):
            if integer or item is Ellipsis:
                select.append(item)
            elif isinstance(item, np.ndarray) and item.dtype == bool:
                select.extend([slice(None)] * item.ndim)  # a mask spans its axes; a 0-d one, none
            elif item is not None and not isinstance(item, (bool, np.bool_)):  # (None, True: no axis)
                select.append(slice(None))
        return IntegersFirst(tuple(select), tuple(i for i, integer in zip(items, integers) if not integer))

    def pick(self, x: Any) -> Any:
        return x[self.select][self.rest]

    def scatter(self, grad: Any, shape: tuple[int, ...]) -> Any:
        selected = np.broadcast_to(np.zeros((), bool), shape)[self.select].shape  # (no copy made)
        return scatter_add(scatter_add(grad, self.rest, selected), self.select, shape)


def _is_integer(item: Any) -> bool:
    if isinstance(item, np.ndarray):
        return item.ndim == 0 and item.dtype.kind in "iu"  # (a 0-d Tensor index, as PyTorch reads it)
    return is_whole_number(item)


def reduce_with(reduce: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """``reduce(x, axis, keepdims)``, where a 0-d array takes axis 0 or -1 as PyTorch does."""
    return reduce(x, axis=axis_for(x, axis), keepdims=keepdims)


def axis_for(x: Any, axis: Any) -> Any:
    """The axis to give NumPy for reducing ``x``: ``axis``, but None (all) for a 0-d array,
    which takes axis 0 or -1 as PyTorch does and has no axis NumPy would take."""
    if axis is not None and (x.ndim if x.__class__ is np.ndarray else np.ndim(numbers(x))) == 0:
        normalize_axes(axis, 0)  # (checks it)
        return None
    return axis


def expand_reduced(grad: Any, shape: tuple[int, ...], axis: Any, keepdims: bool) -> Any:
    """Undo a reduction over ``axis`` for the gradient: put the reduced axes back (size 1)
    and repeat the gradient along them, to the input's ``shape``."""
    if not keepdims and axis is not None and shape:
        kept = list(np.shape(numbers(grad)))
        for ax in normalize_axes(axis, len(shape)):
            kept.insert(ax, 1)
        grad = grad.reshape(tuple(kept))
    return broadcast_to(grad, shape)


def reduced_count(shape: tuple[int, ...], axis: Any) -> int:
    """How many numbers a reduction over ``axis`` of an array of ``shape`` combines."""
    return math.prod(shape) if axis is None else math.prod(shape[a] for a in axis)


@overload
def normalize_axes(axis: None, ndim: int) -> None: ...
@overload
def normalize_axes(axis: int | np.integer | Sequence[int | np.integer], ndim: int) -> tuple[int, ...]: ...


def normalize_axes(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """An axis argument (None, an int, or a sequence; negative counts from the end) as a
    sorted tuple of non-negative axes, or None for all; a clear error when out of range."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    result = []
    for a in axes:
        if not is_whole_number(a):
            raise TypeError(f"an axis must be a whole number (an int), not {type(a).__name__}")
        low, high = (-1, 1) if ndim == 0 else (-ndim, ndim)  # a 0-d array takes 0 or -1, as in PyTorch
        if not low <= a < high:
            raise np.exceptions.AxisError(f"axis {a} is out of range for a tensor of {ndim} "
                                          f"ax{'i' if ndim == 1 else 'e'}s: give one from {low} to {high - 1}")
        result.append(int(a) % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise ValueError(f"repeated axis in {axis!r}")
    return tuple(sorted(result))


def flag(name: str, value: Any) -> bool:
    """``value`` as a bool, if it is one (a NumPy bool too); else a clear TypeError, as
    PyTorch gives: keepdims="False" kept the axis, requires_grad_("no") froze nothing."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False, not {value!r}")


def reduction_arguments(axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                        keepdim: bool | None = None) -> tuple:
    """A reduction's arguments, accepting NumPy's ``axis``/``keepdims`` and PyTorch's
    ``dim``/``keepdim`` spellings (checked against the array in the operation)."""
    if dim is not None:
        if axis is not None:
            raise TypeError("give axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = flag("keepdim", keepdim)
    if axis is not None and not is_whole_number(axis):
        if not isinstance(axis, (tuple, list, range, np.ndarray)):  # (sum(1.0): 'float' object is not iterable)
            raise TypeError(f"an axis must be a whole number (an int) or a tuple of them, not {axis!r}")
        axis = tuple(axis)
        if not axis:
            raise ValueError("an empty tuple of axes reduces no axis in NumPy and every axis in PyTorch; "
                             "pass axis=None (dim=None) to reduce them all, or leave the reduction out")
    return (axis, flag("keepdims", keepdims))


def _matrix_operands(grad: Any, a: Any, b: Any) -> tuple[Any, Any, Any]:
    # Treat a 1-D left operand as a row (1, k) and a 1-D right one as a column (k, 1), and
    # give grad the matching unit axes, so both gradients are (batched) matrix products.
    if a.ndim == 1:
        a = a.reshape((1, a.shape[0]))
        grad = grad.reshape(grad.shape[:-1] + (1,) + grad.shape[-1:]) if b.ndim > 1 else grad
    if b.ndim == 1:
        b = b.reshape((b.shape[0], 1))
        grad = grad.reshape(grad.shape + (1,))
    if grad.ndim < 2:  # both were vectors: the result was a 0-d dot product
        grad = grad.reshape((1, 1))
    return grad, a, b


def by_rows(m: Any, other: Any) -> bool:
    """Whether matmul's rule for the matrix ``m`` (times ``other``) is the plain matrix
    formula: both are matrices and ``m`` is not stored by columns, as ``W.T`` of a
    row-ordered ``W`` is ((n, 1) and (1, n) arrays are stored both ways). Under
    ``create_graph`` the rule runs on graph nodes, which take the plain formula."""
    if m.ndim != 2 or other.ndim != 2:
        return False
    if m.__class__ is not np.ndarray:
        return True
    flags = m.flags
    return flags.c_contiguous or not flags.f_contiguous


def matmul_rule(grad: Any, a: Any, b: Any, position: int) -> Any:
    """matmul's rule for vectors and stacks of matrices: as for matrices, then summed over
    the batch axes that broadcasting shared (the ``position``-th input's gradient).

    A matrix stored by columns (``W.T``) gets its gradient computed transposed, so that it
    is stored by columns too, as PyTorch's mm backward does: the transpose's rule then
    hands ``W`` an array by rows, which a leaf copies at memory speed, where NumPy copies
    a transposed 784x256 array element by element, ten times slower (540 against 44 µs).
    The same products, summed in BLAS's other order: equal to the last bit or nearly."""
    from .core import sum_to

    if a.ndim == b.ndim == 2:  # (by_rows said no: the input is stored by columns)
        return (b @ grad.T).T if position == 0 else (grad.T @ a).T
    grad, a2, b2 = _matrix_operands(grad, a, b)
    if position == 0:
        return sum_to(grad @ b2.swapaxes(-1, -2), a2.shape).reshape(a.shape)
    return sum_to(a2.swapaxes(-1, -2) @ grad, b2.shape).reshape(b.shape)


def shape_argument(shape: Sequence[Any]) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` as the shape (2, 3)."""
    if len(shape) == 1 and hasattr(shape[0], "__iter__"):
        shape = tuple(shape[0])
    return tuple(whole_number(n, "a size or an axis") for n in shape)


def is_whole_number(x: Any) -> bool:
    """An int or a NumPy integer, but not a bool (True is an int to Python, not to a shape)."""
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def whole_number(x: Any, what: str) -> int:
    """``x`` as an int, or a clear error: int() would truncate 2.9 to 2, and read True as 1."""
    if is_whole_number(x):
        return int(x)
    raise TypeError(f"{what} must be a whole number (an int), not {x!r}")
