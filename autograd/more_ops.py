"""Every operation beyond the seed notebook's, defined exactly as in ``ops.py``: the
forward computation, one rule per input, a formula for people, the examples the tests
try. Defining one here is all it takes: ``Value`` and ``Tensor`` get the method, and the
test suite its cases (``tests/cases.py`` reads ``ops.OPS``).

The two operations at the end are internal (``internal=True``): the rules themselves use
them when they run on graph nodes, and they are not in the user-facing op list.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .examples import BROADCASTING, UNARY, Example
from .numeric import (
    IntegersFirst,
    expand_reduced,
    normalize_axes,
    numbers,
    reduce_with,
    reduced_count,
    reduction_arguments,
    scatter_add,
    shape_argument,
    zero_where,
)
from .ops import Op

NEG = Op("neg", forward=operator.neg, scalar=operator.neg, method="__neg__",
         rules=[lambda grad, out, x: -grad],
         formulas=["d(-x)/dx = -1"], examples=(UNARY,))

DIV = Op("/", forward=operator.truediv, scalar=operator.truediv, broadcasts=True, method="__truediv__",
         rules=[lambda grad, out, a, b: grad / b,
                lambda grad, out, a, b: -grad * ((a / b) / b)],  # as PyTorch: b*b, or grad/b, can overflow
         formulas=["d(a/b)/da = 1/b", "d(a/b)/db = -a/b^2"],
         examples=(Example(BROADCASTING.shapes, away_from_zero=0.5),))

# (math.exp, not np.e**x: a power of the rounded e is off by about |x| * 5e-17, 300 ulp at 700)
EXP = Op("exp", forward=np.exp, scalar=lambda x: math.exp(x) if x <= 709 else float(np.exp(x)), method="exp",
         rules=[lambda grad, out, x: grad * out],
         formulas=["d(e^x)/dx = e^x"], examples=(UNARY,))

LOG = Op("log", forward=np.log, scalar=lambda x: float(np.log(np.float64(x))), method="log",
         rules=[lambda grad, out, x: grad / x],
         formulas=["d(ln x)/dx = 1/x"], examples=(Example(UNARY.shapes, low=0.2, high=3.0),))

TANH = Op("tanh", forward=np.tanh, scalar=lambda x: float(np.tanh(x)), method="tanh",
          rules=[lambda grad, out, x: grad * (1 - out * out)],
          formulas=["d(tanh x)/dx = 1 - tanh(x)^2"], examples=(UNARY,))

RELU = Op("relu", forward=lambda x: np.maximum(x, np.zeros((), x.dtype)),
          scalar=lambda x: 0.0 if x < 0 else x,  # nan stays nan, as in NumPy and PyTorch
          method="relu",
          rules=[lambda grad, out, x: zero_where(numbers(out) <= 0, grad)],  # a nan passes its gradient on
          formulas=["d(relu x)/dx = 1 if x > 0 else 0"], examples=(Example(UNARY.shapes, away_from_zero=0.1),))

# ---- arrays only: reductions, shapes, indexing, products

MEAN = Op("mean", forward=lambda x, axis, keepdims: reduce_with(np.mean, x, axis, keepdims), method="mean",
          rules=[lambda grad, out, x, axis, keepdims:
                 expand_reduced(grad, x.shape, axis, keepdims)
                 / reduced_count(x.shape, normalize_axes(axis, x.ndim) if x.ndim else None)],
          formulas=["d(mean x)/dx_i = 1/n"], arguments=reduction_arguments,
          examples=(Example(((2, 3),)), Example(((4, 3),), call=lambda x: x.mean(axis=0, keepdims=True)),
                    Example(((2, 3, 4),), call=lambda x: x.mean(axis=(-1, 0)))))

RESHAPE = Op("reshape", forward=lambda x, shape: np.reshape(x, shape), method="reshape",
             rules=[lambda grad, out, x, shape: grad.reshape(x.shape)],
             formulas=["reshape the gradient back"], arguments=lambda *shape: (shape_argument(shape),),
             examples=(Example(((2, 3), (6, 1)), call=lambda x: x.reshape(3, -1)),))


def permute(x: Any, axes: tuple[int, ...]) -> Any:
    """The axes of an array or a Tensor in the order ``axes``."""
    if isinstance(x, np.ndarray):
        return x.transpose(axes)  # (the method: np.transpose adds a layer of Python)
    return np.transpose(x, axes) if isinstance(x, np.generic) else x.permute(*axes)


def _inverse_permutation(axes: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    inverse = [0] * ndim
    for position, axis in enumerate(axes):
        inverse[axis % ndim] = position  # negative axes count from the end
    return tuple(inverse)


PERMUTE = Op("permute", forward=permute, method="permute",
             rules=[lambda grad, out, x, axes: permute(grad, _inverse_permutation(axes, x.ndim))],
             formulas=["permute the gradient back"], arguments=lambda *axes: (shape_argument(axes),),
             examples=(Example(((2, 3, 4),), call=lambda x: x.permute(2, 0, 1)),
                       Example(((2, 3, 4),), call=lambda x: x.permute(0, -1, 1)),
                       Example(((2, 3),), call=lambda x: x.permute(-1, -2))))


def _broadcast_to(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    if -1 in shape:  # PyTorch's "keep this axis's size"
        new = len(shape) - np.ndim(x)
        if any(n == -1 for n in shape[:new]):
            raise ValueError(f"broadcast_to {shape}: -1 keeps an axis's size, and a new leading axis has none")
        shape = tuple(np.shape(x)[i - new] if n == -1 else n for i, n in enumerate(shape))
    return np.broadcast_to(x, shape)


BROADCAST_TO = Op("broadcast_to", forward=_broadcast_to, method="broadcast_to",
                  rules=[lambda grad, out, x, shape: _sum_to(grad, x.shape)],
                  formulas=["sum the gradient over the repeated axes"],
                  arguments=lambda *shape: (shape_argument(shape),),
                  examples=(Example(((4, 1), (3,)), call=lambda x: x.broadcast_to((2, 4, 3))),))


def _sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    from .core import sum_to

    return sum_to(grad, shape)


def _index_argument(index: Any) -> tuple:
    from .tensor import normalize_index

    return (normalize_index(index),)


def _pick(x: Any, index: Any) -> Any:
    return index.pick(x) if index.__class__ is IntegersFirst else x[index]


def _index_rule(grad: Any, out: Any, x: Any, index: Any) -> Any:
    if index.__class__ is IntegersFirst:  # x[0, :, [0, 1]]: integers first, as in PyTorch
        return index.scatter(grad, x.shape)
    return scatter_add(grad, index, x.shape)


INDEX = Op("[]", forward=_pick, method="__getitem__", rules=[_index_rule],
           formulas=["scatter the gradient back to the picked positions"], arguments=_index_argument,
           examples=(Example(((3, 4),), call=lambda x: x[1]), Example(((3, 4),), call=lambda x: x[:, 1:3]),
                     Example(((3, 4),), call=lambda x: x[..., None, ::2]),
                     Example(((3, 2),), call=lambda x: x[[0, 2, 0, 0]]),  # repeated: the gradients add up
                     Example(((2, 3),), call=lambda x: x[[0, 1, 1], [2, 0, 0]]),
                     Example(((3, 4),), call=lambda x: x[-1, [-1, 0]]),
                     Example(((2, 3, 4),), call=lambda x: x[0, :, [2, 0, 2]])))  # integers first, as PyTorch


def _linear_rule_weight(grad: Any, out: Any, x: Any, w: Any) -> Any:
    if x.ndim == 2:
        return grad.T @ x
    # a single input, or a batch with several axes: view both as rows, (n, in) and (n, out)
    rows = math.prod(x.shape[:-1])  # (not -1: that cannot be inferred when a row is empty)
    return grad.reshape((rows, grad.shape[-1])).T @ x.reshape((rows, x.shape[-1]))


def _linear(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    if (w.ndim if w.__class__ is np.ndarray else np.ndim(w)) != 2:
        raise ValueError("the weight must have two axes")
    return x @ w.T


LINEAR = Op("linear", forward=_linear, method="linear",
            rules=[lambda grad, out, x, w: grad @ w,
                   _linear_rule_weight],
            formulas=["d(x@w.T)/dx: grad @ w", "d(x@w.T)/dw: grad.T @ x"],
            examples=(Example((((5, 3), (4, 3)), ((3,), (2, 3)), ((2, 5, 3), (4, 3))), torch=lambda x, w: x @ w.T),))

# ---- internal: how the rules mask and scatter when they run on graph nodes

ZERO_WHERE = Op("zero_where", forward=lambda x, mask: np.where(mask, np.zeros((), np.result_type(x)), x),
                scalar=lambda x, mask: 0.0 if mask else x, broadcasts=True, internal=True,
                rules=[lambda grad, out, x, mask: zero_where(mask, grad),
                       lambda grad, out, x, mask: None],  # the mask is a constant: never asked
                formulas=["0 where masked, else the gradient", "none: the mask is a constant"])

# ---- internal: PyTorch's type promotion where NumPy's differs (tensor.promoted)

TO_DTYPE: Op = Op("to", forward=lambda x, dtype: np.asarray(x, dtype=dtype), internal=True,
              rules=[lambda grad, out, x, dtype: TO_DTYPE(grad, np.result_type(numbers(x)))],
              formulas=["the gradient, in the input's dtype"])

SCATTER_ADD = Op("scatter_add", forward=lambda x, index, shape: scatter_add(x, index, shape), internal=True,
                 rules=[lambda grad, out, x, index, shape: grad[index]],
                 formulas=["pick the gradient at the scattered positions"])
