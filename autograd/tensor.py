"""``Tensor``: a NumPy array that records the operations applied to it.

The same engine as ``Value`` backpropagates through it; the operations' forward
computations and derivative rules live in ``ops.py``. What is particular to arrays:

* Broadcasting. ``(4, 3) + (3,)`` works as in NumPy, and in the backward pass the
  engine sums each gradient back to its input's shape.
* dtypes. float64 unless float32 data is given; a plain number or an integer array
  in an expression takes the other operand's dtype, so float32 stays float32.
* ``data`` is an ndarray, except that a 0-d result of an operation (a sum, a loss)
  keeps the NumPy scalar NumPy returned (``np.float64``): arithmetic on those is several
  times faster than on 0-d arrays, and they behave the same. ``numpy()`` is always an
  ndarray.
* Names follow NumPy where rules must run on both ndarrays and Tensors
  (``transpose(*axes)`` permutes, ``sum(axis, keepdims)``), and PyTorch elsewhere
  (``requires_grad``, ``backward``, ``detach``, ``item``, ``permute``).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .engine import _ONE_INPUT, Node, SharedNumbers, _grad_mode, anomaly_mode, check_forward
from .ops import Op

__all__ = ["Tensor", "as_tensor"]

_new = object.__new__
_KEPT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


class Tensor(Node):
    """An n-dimensional array (float64 by default) with automatic gradients.

    >>> import numpy as np
    >>> from autograd import Tensor
    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x = Tensor([1.0, -1.0])
    >>> loss = (W @ x).sigmoid().sum()
    >>> loss.backward()
    >>> W.grad.shape
    (2, 2)
    """

    __slots__ = ("args",)
    _reduces_broadcast = True

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        label: str = "",
        *,
        dtype: Any = None,
    ) -> None:
        self.data = _as_array(data, dtype)
        self.grad = None
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, not {type(label).__name__}")
        self.label = label
        self.op = self.a = self.b = None
        self.args = ()
        self.requires_grad = bool(requires_grad)

    # ---- what the array holds
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def numel(self) -> int:
        """Number of elements."""
        return self.data.size

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        """The single number of a one-element tensor, as a Python float."""
        data = self.data
        if data.__class__ is not np.ndarray:  # a NumPy scalar
            return float(data)
        if data.size != 1:
            raise ValueError(
                f"item() needs a tensor with exactly one element, this one has shape {self.shape}"
            )
        return float(data.reshape(()))

    def __float__(self) -> float:
        return self.item()

    def __bool__(self) -> bool:
        return bool(self.item() != 0.0)

    def numpy(self) -> np.ndarray:
        """The data as an ndarray (shared, not copied)."""
        return np.asarray(self.data)

    def tolist(self) -> Any:
        return self.data.tolist()

    def detach(self) -> Tensor:
        """The same data in a new leaf tensor cut off from the graph (no gradient flows)."""
        tensor = _new(Tensor)
        tensor.data, tensor.grad, tensor.label = self.data, None, self.label
        tensor.op = tensor.a = tensor.b = None
        tensor.args, tensor.requires_grad = (), False
        return tensor

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` of this leaf in place and return it, as in PyTorch."""
        if self.op is not None:
            raise RuntimeError("requires_grad can only be changed on leaf tensors")
        self.requires_grad = bool(requires_grad)
        return self

    # ---- elementwise arithmetic with broadcasting
    def __add__(self, other: Any) -> Tensor:
        return _apply(ops.ADD, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return _apply(ops.ADD, _as_tensor(other, self), self)

    def __sub__(self, other: Any) -> Tensor:
        return _apply(ops.SUB, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return _apply(ops.SUB, _as_tensor(other, self), self)

    def __mul__(self, other: Any) -> Tensor:
        return _apply(ops.MUL, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return _apply(ops.MUL, _as_tensor(other, self), self)

    def __truediv__(self, other: Any) -> Tensor:
        return _apply(ops.DIV, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return _apply(ops.DIV, _as_tensor(other, self), self)

    def __pow__(self, exponent: Any) -> Tensor:
        return _apply(ops.POW, self, exponent)

    def __rpow__(self, base: Any) -> Tensor:
        return _apply(ops.POW, _as_tensor(base, self), self)

    def __neg__(self) -> Tensor:
        return _apply(ops.NEG, self)

    def exp(self) -> Tensor:
        return _apply(ops.EXP, self)

    def log(self) -> Tensor:
        """Natural logarithm (-inf at 0 and nan below, with NumPy's warning)."""
        return _apply(ops.LOG, self)

    def tanh(self) -> Tensor:
        return _apply(ops.TANH, self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x) elementwise, without overflow for any input."""
        return _apply(ops.SIGMOID, self)

    def relu(self) -> Tensor:
        """max(x, 0) elementwise; derivative 0 at 0, as in PyTorch."""
        return _apply(ops.RELU, self)

    # ---- comparisons give plain boolean arrays: they have no gradient
    def __lt__(self, other: Any) -> np.ndarray:
        return self.data < _data_of(other)

    def __le__(self, other: Any) -> np.ndarray:
        return self.data <= _data_of(other)

    def __gt__(self, other: Any) -> np.ndarray:
        return self.data > _data_of(other)

    def __ge__(self, other: Any) -> np.ndarray:
        return self.data >= _data_of(other)

    # NumPy hands `ndarray + Tensor` back to Tensor.__radd__ (instead of building an
    # object array of Tensors).
    __array_ufunc__ = None

    # ---- products and reductions
    def __matmul__(self, other: Any) -> Tensor:
        return _matmul(self, _as_tensor(other, self))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _matmul(_as_tensor(other, self), self)

    def linear(self, weight: Tensor) -> Tensor:
        """``self @ weight.T`` as one operation, what ``nn.Linear`` computes (PyTorch's
        ``F.linear`` without the bias): weight has shape (out_features, in_features)."""
        weight = _as_tensor(weight, self)
        if weight.data.ndim == 2:
            try:
                return _apply(ops.LINEAR, self, weight)
            except ValueError:
                pass
        raise ValueError(
            f"linear needs a weight of shape (out, in) whose in matches the input's last axis; "
            f"got input {self.shape} and weight {weight.shape}"
        )

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Sum over ``axis`` (all axes by default), as ``numpy.sum``."""
        return _apply(ops.SUM, self, args=(_normalize_axis(axis), bool(keepdims)))

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False) -> Tensor:
        """Mean over ``axis`` (all axes by default), as ``numpy.mean``."""
        return _apply(ops.MEAN, self, args=(_normalize_axis(axis), bool(keepdims)))

    # ---- shapes
    def reshape(self, *shape: Any) -> Tensor:
        """Same data, new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``; one -1 allowed."""
        return _apply(ops.RESHAPE, self, args=(_shape_argument(shape),))

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes as ``numpy.transpose``: reversed when no axes are given."""
        permutation = _shape_argument(axes) if axes and axes != (None,) else None
        return _apply(ops.TRANSPOSE, self, args=(permutation,))

    def permute(self, *dims: Any) -> Tensor:
        """PyTorch's name for ``transpose`` with explicit axes."""
        return self.transpose(*dims)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes (PyTorch's ``transpose(dim0, dim1)``)."""
        permutation = list(range(self.ndim))
        permutation[axis1], permutation[axis2] = permutation[axis2], permutation[axis1]
        return self.transpose(tuple(permutation))

    @property
    def T(self) -> Tensor:
        """The axes reversed (the transpose, for a matrix)."""
        return self.transpose()

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Repeat along new or size-1 axes to ``shape``, as ``numpy.broadcast_to``."""
        return _apply(ops.BROADCAST_TO, self, args=(_shape_argument((shape,)),))

    def __getitem__(self, index: Any) -> Tensor:
        """Basic and integer-array indexing, as in NumPy. In the backward pass the
        gradient is scattered back, adding up where an index repeats."""
        return _apply(ops.INDEX, self, args=(_normalize_index(index),))

    def _zero_where(self, mask: Any) -> Tensor:
        return _apply(ops.ZERO_WHERE, self, _constant(np.asarray(mask)))

    def _scatter_add(self, index: Any, shape: tuple[int, ...]) -> Tensor:
        return _apply(ops.SCATTER_ADD, self, args=(index, shape))

    # ---- display
    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = []
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        if self.requires_grad:
            extras.append("requires_grad=True")
        if self.label:
            extras.append(f"label={self.label!r}")
        return "Tensor(" + ", ".join([body] + extras) + ")"

    # ---- what the engine asks of a node type
    def _seed(self, grad: Any) -> Any:
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without a gradient needs a tensor with one element, but "
                    f"this one has shape {self.shape}; reduce it first (e.g. .sum()) or "
                    f"pass grad= an array of shape {self.shape}"
                )
            if not self.data.shape:  # a 0-d root (a loss): a NumPy scalar, fast to compute on
                return self.data.dtype.type(1.0)
            seed = np.empty(self.data.shape, self.data.dtype)
            seed.fill(1.0)  # (faster than np.ones_like on small arrays)
            return seed
        if isinstance(grad, Tensor):
            seed: Any = grad
        else:
            seed = _as_array(grad, self.dtype)
        if seed.shape != self.shape:
            raise ValueError(
                f"backward() got a gradient of shape {seed.shape}, expected the tensor's "
                f"shape {self.shape}"
            )
        return seed

    def _accumulate_into_leaf(self, grad: Any, shared: bool = False) -> None:
        if grad.__class__ is not np.ndarray:
            if isinstance(grad, Tensor):  # create_graph: keep the gradient a graph node
                self.grad = grad if self.grad is None else self.grad + grad
                return
            grad = np.array(grad)  # a NumPy scalar (a 0-d gradient): the leaf gets an array
        dtype = self.data.dtype
        if grad.dtype is not dtype and grad.dtype != dtype:
            grad = grad.astype(dtype)
        elif shared or grad.base is not None:
            grad = grad.copy()  # a view or another node's array: the leaf gets its own
        if self.grad is None:
            self.grad = grad  # a fresh array the engine computed: kept without copying
        elif self.grad.shape == grad.shape and self.grad.flags.writeable:
            self.grad += grad  # accumulate in place, as PyTorch does
        else:
            self.grad = self.grad + grad


# --------------------------------------------------------------------------- helpers


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` as a Tensor that needs no gradient, sharing memory with it when it is
    already a float32/float64 ndarray (PyTorch's ``as_tensor``; ``Tensor(data)`` copies).

    >>> import numpy as np
    >>> x = np.ones(3)
    >>> as_tensor(x).data is x
    True
    """
    if isinstance(data, Tensor):
        return data
    array = _as_array(data, dtype, copy=False)
    tensor = _new(Tensor)
    tensor.data, tensor.grad, tensor.label = array, None, ""
    tensor.op = tensor.a = tensor.b = None
    tensor.args, tensor.requires_grad = (), False
    return tensor



def _as_array(data: Any, dtype: Any = None, *, copy: bool = True) -> np.ndarray:
    """Tensor data: a float ndarray (a fresh one unless ``copy`` is False), or a clear error."""
    if data.__class__ is np.ndarray and data.dtype in _KEPT_DTYPES and (dtype is None or data.dtype == dtype):
        return data.copy() if copy else data  # the common case, without the checks below
    if isinstance(data, Tensor):
        data = data.data
    elif isinstance(data, Node):
        raise TypeError(
            f"Tensor data cannot be a {type(data).__name__}: Value and Tensor cannot be "
            "combined; use its .data"
        )
    try:
        array = np.array(data) if copy else np.asarray(data)
    except ValueError as error:
        raise ValueError(f"Tensor data must be a rectangular array of numbers: {error}") from None
    kind = array.dtype.kind
    if kind not in "biuf":
        found = "complex numbers" if kind == "c" else f"{type(data).__name__} of dtype {array.dtype}"
        if kind == "O":
            types = sorted({type(x).__name__ for x in array.flat})
            found = f"objects of type {', '.join(types)}"
        raise TypeError(f"Tensor data must be real numbers, got {found}")
    if dtype is not None:
        wanted = np.dtype(dtype)
        if wanted not in _KEPT_DTYPES:
            raise TypeError(f"Tensor dtype must be float32 or float64, not {wanted}")
    else:
        wanted = array.dtype if array.dtype in _KEPT_DTYPES else np.dtype(np.float64)
    return array.astype(wanted, copy=False)


class _Constant(Tensor):
    """An array or number in an expression that needs no gradient (the 0.5 in
    ``0.5 * t``). Its fixed attributes live on the class, so making one only stores
    its data. A plain Python number is kept as it is: NumPy then gives the result the
    other operand's dtype (float32 stays float32), and skips making a 0-d array."""

    __slots__ = ()
    grad = None
    label = ""
    op = a = b = None
    args = ()
    requires_grad = False

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.data)

    @property
    def ndim(self) -> int:
        return np.ndim(self.data)

    @property
    def dtype(self) -> np.dtype:
        return np.asarray(self.data).dtype


def _constant(data: Any) -> Tensor:
    tensor = _new(_Constant)
    tensor.data = data
    return tensor


_number = SharedNumbers(_constant)


def _as_tensor(x: Any, like: Tensor) -> Tensor:
    """The other operand of an operation with ``like``, as a Tensor."""
    if isinstance(x, Tensor):
        return x
    if x.__class__ is float or x.__class__ is int:  # the common cases first: they are on every step
        return _number(x)  # a plain number: NumPy gives the result our dtype
    if x.__class__ is np.ndarray:
        if x.dtype.kind == "f" and x.dtype in _KEPT_DTYPES:
            return _constant(x)
        if x.dtype.kind in "biu":
            return _constant(x.astype(like.dtype))
    if isinstance(x, Node):
        raise TypeError(
            f"cannot combine a Tensor with a {type(x).__name__} in one operation; "
            "use Tensor(value.data) to make it a tensor"
        )
    if isinstance(x, numbers.Real) and not isinstance(x, np.generic):
        return _constant(x)
    # Arrays are used as they are (no copy); integer or boolean ones take our dtype.
    try:
        kind = np.asarray(x).dtype.kind
    except ValueError:
        kind = "f"  # ragged: _as_array says what is wrong
    try:
        array = _as_array(x, like.dtype if kind in "biu" else None, copy=False)
    except TypeError as error:
        raise TypeError(f"unsupported operand for Tensor: {type(x).__name__} ({error})") from None
    return _constant(array)


def _data_of(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, Node):
        raise TypeError(f"cannot compare a Tensor with a {type(x).__name__}")
    return x


def _normalize_axis(axis: Any) -> Any:
    if axis is None or isinstance(axis, (int, np.integer)):
        return None if axis is None else int(axis)
    return tuple(int(a) for a in axis)


def _shape_argument(shape: tuple) -> tuple[int, ...]:
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        shape = tuple(shape[0])
    return tuple(int(n) for n in shape)


def _normalize_index(index: Any) -> Any:
    """An index NumPy understands: Tensors become their data, lists become arrays."""
    if isinstance(index, tuple):
        return tuple(_normalize_index_item(i) for i in index)
    return _normalize_index_item(index)


def _normalize_index_item(item: Any) -> Any:
    if isinstance(item, Tensor):
        item = item.data
        if item.dtype.kind == "f":
            if not np.all(item == np.round(item)):
                raise IndexError("a Tensor used as an index must hold whole numbers")
            item = item.astype(np.intp)
        return item
    if isinstance(item, list):
        return np.asarray(item)
    return item


def _apply(op: Op, a: Tensor, b: Any = _ONE_INPUT, args: tuple = ()) -> Tensor:
    """Compute ``op`` on the inputs' data and record it, unless nothing needs a gradient.
    ``b`` may be a number or an array: it becomes a constant."""
    if b is _ONE_INPUT:
        b = None
    elif not isinstance(b, Tensor):
        b = _as_tensor(b, a)
    try:
        if b is not None:
            data = op.array(a.data, b.data)
        else:  # (a call without *args is markedly cheaper)
            data = op.array(a.data, *args) if args else op.array(a.data)
    except ValueError as error:
        if b is not None and op.broadcasts:
            raise ValueError(
                f"cannot broadcast shapes {a.shape} and {b.shape} together for '{op.name}'"
            ) from None
        raise ValueError(f"{op.name} of a tensor of shape {a.shape}: {error}") from None
    if data.__class__ is not np.ndarray and not isinstance(data, np.generic):
        data = np.asarray(data)  # (a 0-d result stays a NumPy scalar: far faster to compute on)
    out = _new(Tensor)
    out.data = data
    out.grad = None
    out.label = ""
    if (a.requires_grad or (b is not None and b.requires_grad)) and _grad_mode.enabled:
        out.op = op
        out.a = a
        out.b = b
        out.args = args
        out.requires_grad = True
    else:
        out.op = out.a = out.b = None
        out.args = ()
        out.requires_grad = False
    if anomaly_mode.enabled:
        check_forward(op, out, (a,) if b is None else (a, b))
    return out


def _matmul(a: Tensor, b: Tensor) -> Tensor:
    try:
        return _apply(ops.MATMUL, a, b)
    except ValueError:
        pass
    # NumPy refused: say why, in terms of the two shapes
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul needs tensors with at least one axis, got shapes {a.shape} and {b.shape} "
            "(use * to multiply by a scalar)"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if inner_a != inner_b:
        raise ValueError(
            f"matmul shapes {a.shape} and {b.shape} do not fit: the last axis of the left "
            f"({inner_a}) must equal the "
            + ("only" if b.ndim == 1 else "second-to-last")
            + f" axis of the right ({inner_b})"
        )
    raise ValueError(
        f"matmul shapes {a.shape} and {b.shape} do not fit: their batch axes "
        f"{a.shape[:-2]} and {b.shape[:-2]} cannot be broadcast together"
    )
