"""The learner's toolbox (issue 13): the operations of the classic exercises, in PyTorch's
spelling and with PyTorch's gradients at ties and kinks, each one ``Op`` as in ``ops.py``.

Rules use operators, methods and the helpers below (a float, an array or a node in, the
same kind out), so every rule also runs on graph nodes: ``create_graph=True`` works.
Module functions (``cat``, ``stack``, ``where``, ``maximum``, ``minimum``) and aliases
(``abs(x)``, ``clamp``, ``view``) are at the end.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Node
from .examples import BROADCASTING, UNARY, Example
from .more_ops import RESHAPE
from .numeric import (
    ARRAY_TYPES,
    axis_for,
    expand_reduced,
    is_whole_number,
    normalize_axes,
    numbers,
    reduce_with,
    reduced_count,
    reduction_arguments,
    whole_number,
    zero_where,
)
from .ops import Op
from .tensor import Tensor, as_tensor, constant
from .value import Value

__all__ = ["cat", "stack", "where", "maximum", "minimum"]


def _elementwise(method: str, array_function: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A function of floats, arrays and nodes: NumPy on numbers (its inf and nan where
    ``math`` would raise), the node's method on nodes (recorded, for create_graph)."""
    def function(x: Any) -> Any:
        if isinstance(x, (float, int)):
            return float(array_function(np.float64(x)))
        if isinstance(x, ARRAY_TYPES):
            return array_function(x)
        return getattr(x, method)()
    return function


_exp, _sin, _cos = _elementwise("exp", np.exp), _elementwise("sin", np.sin), _elementwise("cos", np.cos)
_sign = _elementwise("sign", lambda x: (x > 0).astype(x.dtype) - (x < 0))  # PyTorch's: 0 at 0 and at nan
# (in x's dtype: a mask times 1.0 would be float64, and a float32 gradient with it)
def _sigmoid_of_numbers(x: Any) -> Any:
    """The logistic function on arrays, split by sign so that e^-|x| never overflows:
    1 / (1 + e) for x >= 0, e / (1 + e) below (a subnormal result stays one, as in
    PyTorch's softplus rule, where 1 / (1 + e^-x) gives 0 from x = -710). Within about
    1.5 ulp; exp(-logaddexp(0, -x)) turned logaddexp's rounding of about |x| into an
    error |x| times larger: 31 ulp at x = -33. (On graph nodes: the SIGMOID op.)"""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


_sigmoid = _elementwise("sigmoid", _sigmoid_of_numbers)


def _select(condition: Any, a: Any, b: Any) -> Any:
    """a where ``condition`` holds, else b: a selection (an inf on the unused side stays out)."""
    condition = numbers(condition)
    if isinstance(a, ARRAY_TYPES + (float, int)) and isinstance(b, ARRAY_TYPES + (float, int)):
        return np.where(condition, a, b) if np.ndim(condition) else (a if condition else b)
    return zero_where(np.logical_not(condition), a) + zero_where(condition, b)


_erf_float64 = np.vectorize(math.erf, otypes=[float])  # NumPy has no erf; math's is exact to an ulp


def _erf_array(x: Any) -> Any:
    """erf elementwise, in x's own dtype (float32 stays float32)."""
    return _erf_float64(x).astype(np.result_type(x), copy=False)

# internal: gelu's rule calls erf, and must be able to record it on nodes
ERF = Op("erf", forward=_erf_array, scalar=math.erf, internal=True,
         rules=[lambda grad, out, x: grad * (2 / math.sqrt(math.pi)) * _exp(-(x * x))],
         formulas=["d(erf x)/dx = 2/sqrt(pi) * e^(-x^2)"])

# --------------------------------------------------------------------------- elementwise

SQRT = Op("sqrt", forward=np.sqrt, scalar=math.sqrt, method="sqrt",
          rules=[lambda grad, out, x: grad / (2 * out)],
          formulas=["d(sqrt x)/dx = 1/(2 sqrt x)"], examples=(Example(UNARY.shapes, low=0.2, high=3.0),))

ABS = Op("abs", forward=np.abs, scalar=abs, method="abs",
         rules=[lambda grad, out, x: grad * _sign(numbers(x))],  # sign(0) = 0: abs'(0) = 0, as PyTorch
         formulas=["d|x|/dx = sign(x) (0 at 0)"], examples=(Example(UNARY.shapes, away_from_zero=0.1),))

SIN = Op("sin", forward=np.sin, scalar=lambda x: float(np.sin(x)), method="sin",
         rules=[lambda grad, out, x: grad * _cos(x)], formulas=["d(sin x)/dx = cos x"], examples=(UNARY,))

COS = Op("cos", forward=np.cos, scalar=lambda x: float(np.cos(x)), method="cos",
         rules=[lambda grad, out, x: grad * -_sin(x)], formulas=["d(cos x)/dx = -sin x"], examples=(UNARY,))


def _clip_arguments(min: float | None = None, max: float | None = None) -> tuple:
    if min is None and max is None:
        raise ValueError("clip/clamp needs min=, max= or both (with neither it would change nothing)")
    elementwise = "; for bounds with gradients, or elementwise, use autograd.maximum and autograd.minimum"
    return (-math.inf if min is None else _constant_number(min, "a clip bound", elementwise),
            math.inf if max is None else _constant_number(max, "a clip bound", elementwise))


def _constant_number(value: Any, what: str, hint: str = "") -> float:
    """An operation's number argument (a clip bound, a slope): one number, and a constant,
    which the rules give no gradient; float() would silently cut a node out of the graph."""
    if isinstance(value, Value) or getattr(value, "requires_grad", False):
        raise TypeError(f"{what} is a constant here: one that requires grad would get no gradient{hint}")
    if not isinstance(value, (int, float, np.number, np.ndarray, Node)):  # ('0.1' and None reached an internal name)
        raise TypeError(f"{what} must be a number, not {type(value).__name__} {value!r}{hint}")
    if np.ndim(numbers(value)) != 0:
        raise TypeError(f"{what} is one number, not {np.shape(numbers(value))} of them{hint}")
    return float(numbers(value))


# clip, leaky_relu and softplus take arguments, which a Value cannot record yet (its
# __slots__ have no `args`): they are Tensor operations until value.py gives it one.
CLIP = Op("clip", forward=lambda x, low, high: np.minimum(np.maximum(x, low), high),
          method="clip", arguments=_clip_arguments,
          # PyTorch's clamp: the gradient passes where low <= x <= high, boundaries included
          rules=[lambda grad, out, x, low, high:
                 zero_where(np.logical_not((numbers(x) >= low) & (numbers(x) <= high)), grad)],
          formulas=["d(clip x)/dx = 1 if min <= x <= max else 0"],
          examples=(Example(UNARY.shapes, call=lambda x: x.clip(-0.5, 1.0)),
                    Example(UNARY.shapes, call=lambda x: x.clip(min=0.25)),
                    Example(((5,),), call=lambda x: x.clip(max=-0.5))))


def _slope_argument(negative_slope: float = 0.01) -> tuple:
    return (_constant_number(negative_slope, "negative_slope"),)


LEAKY_RELU = Op("leaky_relu", forward=lambda x, slope: np.where(x > 0, x, x * slope),
                method="leaky_relu", arguments=_slope_argument,
                rules=[lambda grad, out, x, slope:
                       grad * np.where(numbers(x) > 0, 1.0, slope).astype(np.result_type(numbers(x)))[()]],
                formulas=["d(leaky_relu x)/dx = 1 if x > 0 else negative_slope"],
                examples=(Example(UNARY.shapes, away_from_zero=0.1,
                                  torch=lambda x: __import__("torch").nn.functional.leaky_relu(x)),
                          Example(((2, 3),), away_from_zero=0.1, call=lambda x: x.leaky_relu(0.2),
                                  torch=lambda x: __import__("torch").nn.functional.leaky_relu(x, 0.2))))


def _softplus_arguments(beta: float = 1.0, threshold: float = 20.0) -> tuple:
    return (_constant_number(beta, "beta"), _constant_number(threshold, "threshold"))


def _softplus(x: Any, beta: float, threshold: float) -> Any:
    with np.errstate(over="ignore"):  # exp overflows only where x*beta > threshold, which is not used
        return np.where(x * beta > threshold, x, np.log1p(np.exp(x * beta)) / beta)


SOFTPLUS = Op("softplus", forward=_softplus, method="softplus", arguments=_softplus_arguments,
              # PyTorch's: linear above the threshold, where log(1 + e^x) = x to double precision
              rules=[lambda grad, out, x, beta, threshold:
                     _select(numbers(x) * beta > threshold, grad, grad * _sigmoid(x * beta))],
              formulas=["d(softplus x)/dx = sigmoid(beta x) (1 above the threshold)"],
              examples=(Example(UNARY.shapes, torch=lambda x: __import__("torch").nn.functional.softplus(x)),
                        Example(((5,),), low=-3, high=25, call=lambda x: x.softplus(beta=2.0, threshold=10.0),
                                torch=lambda x: __import__("torch").nn.functional.softplus(x, 2.0, 10.0))))

SQRT1_2, GELU_PDF = math.sqrt(0.5), 0.5 * (2 / math.sqrt(math.pi)) * math.sqrt(0.5)  # PyTorch's kBeta


def _gelu_argument(approximate: str = "none") -> tuple:
    if approximate != "none":
        raise ValueError(f"gelu: only approximate='none' (the exact erf form) is supported, got {approximate!r}")
    return ()


GELU = Op("gelu", forward=lambda x: x * 0.5 * (1.0 + _erf_array(x * SQRT1_2)),
          scalar=lambda x: x * 0.5 * (1.0 + math.erf(x * SQRT1_2)), method="gelu", arguments=_gelu_argument,
          rules=[lambda grad, out, x: grad * (0.5 * (1 + ERF(x * SQRT1_2)) + x * _exp(-0.5 * x * x) * GELU_PDF)],
          formulas=["d(x Phi(x))/dx = Phi(x) + x phi(x)"],
          examples=(Example(UNARY.shapes, low=-3, high=3,
                            torch=lambda x: __import__("torch").nn.functional.gelu(x)),))


_PYTHON_NUMBERS = (float, int)


def _tie_share(grad: Any, a: Any, b: Any, loses: Callable[[Any, Any], Any]) -> Any:
    """grad, but 0 where ``a`` loses and half on a tie, as PyTorch (where a nan is
    compared, both inputs get it all). A selection, as PyTorch's masked_fill: an inf or
    nan gradient does not leak to the loser as 0 * inf."""
    a, b = numbers(a), numbers(b)
    if a.__class__ in _PYTHON_NUMBERS and b.__class__ in _PYTHON_NUMBERS:  # a Value's: Python floats (not
        # np.float64, a float too: a 0-d Tensor's, whose share must stay an array for a rule like sum's)
        return 0.0 if loses(a, b) else grad * 0.5 if a == b else grad
    tie = a == b
    halves = np.where(tie, 0.5, 1.0).astype(np.result_type(a, b)) if tie.any() else None  # (float32 stays)
    return zero_where(loses(a, b), grad if halves is None else grad * halves)


def _extremum(name: str, forward: Callable[[Any, Any], Any], loses: Callable[[Any, Any], Any]) -> Op:
    return Op(name, forward=forward, scalar=lambda a, b: float(forward(np.float64(a), np.float64(b))),
              broadcasts=True, method=name,
              rules=[lambda grad, out, a, b: _tie_share(grad, a, b, loses),
                     lambda grad, out, a, b: _tie_share(grad, b, a, loses)],
              formulas=[f"1 where a is the {name}, 1/2 on a tie", f"1 where b is the {name}, 1/2 on a tie"],
              examples=(BROADCASTING,  # and ties everywhere (b is there with no effect, 0 * b):
                        Example((((2, 3), (2, 3)),), call=lambda a, b: getattr(a, name)(a + 0.0 * b))))


MAXIMUM = _extremum("maximum", np.maximum, lambda a, b: a < b)
MINIMUM = _extremum("minimum", np.minimum, lambda a, b: a > b)


def _where_forward(a: Any, b: Any, condition: Any) -> Any:
    return np.where(condition, a, b)


WHERE = Op("where", forward=_where_forward, broadcasts=True,  # the condition is a constant argument
           rules=[lambda grad, out, a, b, condition: zero_where(np.logical_not(condition), grad),
                  lambda grad, out, a, b, condition: zero_where(condition, grad)],
           formulas=["1 where the condition holds, else 0", "0 where the condition holds, else 1"],
           examples=(Example((((3, 4), (3, 4)),), call=lambda a, b: a.where(a > 0, b), away_from_zero=0.1),
                     Example((((3, 1), (4,)),), call=lambda a, b: a.where(b > 0, b), away_from_zero=0.1)))

# --------------------------------------------------------------------------- reductions


def _extreme_rule(grad: Any, out: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    # the gradient goes to the maximum (minimum), split evenly among ties, as torch.amax
    axes = normalize_axes(axis_for(x, axis), np.ndim(numbers(x)))
    winners = numbers(x) == expand_reduced(numbers(out), np.shape(numbers(x)), axes, keepdims)
    with np.errstate(invalid="ignore", divide="ignore"):  # a nan maximum: no winner, a nan gradient
        share = (winners / np.sum(winners, axis=axes, keepdims=True)).astype(np.result_type(numbers(x)))
    return expand_reduced(grad, np.shape(numbers(x)), axes, keepdims) * share


def _reduction_examples(name: str, torch_name: str) -> tuple:
    return (Example(((5,), (2, 3)), call=lambda x: getattr(x, name)(),
                    torch=lambda x: getattr(x, torch_name)(dim=tuple(range(x.ndim)))),
            Example(((2, 3, 4),), call=lambda x: getattr(x, name)(axis=1),
                    torch=lambda x: getattr(x, torch_name)(dim=1)),
            Example(((2, 3, 4),), call=lambda x: getattr(x, name)(dim=(0, -1), keepdim=True),
                    torch=lambda x: getattr(x, torch_name)(dim=(0, -1), keepdim=True)))


def _extreme(reduce: Callable[..., Any], name: str) -> Callable[..., Any]:
    """max or min over ``axis``: refused, in our words, where an axis reduced has no numbers."""
    def forward(x: Any, axis: Any, keepdims: bool) -> Any:
        if np.size(x) == 0 and reduced_count(np.shape(x), normalize_axes(axis_for(x, axis), np.ndim(x))) == 0:
            raise ValueError(f"{name} of no numbers: the axes reduced have none, so there is no {name} "
                             "(PyTorch refuses it too)")
        return reduce_with(reduce, x, axis, keepdims)
    return forward


MAX = Op("max", forward=_extreme(np.max, "max"), method="max",
         rules=[_extreme_rule], formulas=["1/(number of ties) at the maximum, else 0"],
         arguments=reduction_arguments, examples=_reduction_examples("max", "amax"))
MIN = Op("min", forward=_extreme(np.min, "min"), method="min",
         rules=[_extreme_rule], formulas=["1/(number of ties) at the minimum, else 0"],
         arguments=reduction_arguments, examples=_reduction_examples("min", "amin"))


def _var_arguments(axis: Any = None, unbiased: bool | None = None, keepdims: bool = False, *,
                   correction: float | None = None, dim: Any = None, keepdim: bool | None = None) -> tuple:
    # PyTorch's three forms: var(dim, unbiased, keepdim), var(dim, *, correction, keepdim) and
    # var(unbiased). The second place is unbiased there, so it is here: x.var(0, False) taken as
    # keepdims would silently give the corrected variance to someone expecting the population one.
    if isinstance(axis, (bool, np.bool_)) and unbiased is None and dim is None:
        axis, unbiased = None, axis
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"var/std's second argument is unbiased (True or False), as in PyTorch, not "
                            f"{unbiased!r}; give keepdims third or by name")
        if correction is not None:
            raise TypeError("give unbiased= or correction=, not both (unbiased=False is correction=0)")
        correction = 1 if unbiased else 0
    if correction is not None and (isinstance(correction, (bool, np.bool_)) or
                                   not isinstance(correction, (int, float, np.integer, np.floating))):
        raise TypeError(f"correction is a number (1: the sample variance, 0: the population's), not {correction!r}")
    return (*reduction_arguments(axis, keepdims, dim=dim, keepdim=keepdim),
            float(1 if correction is None else correction))


def _var(x: np.ndarray, axis: Any, keepdims: bool, correction: float, root: bool = False) -> np.ndarray:
    """The variance over ``axis`` (its square root, the std, with ``root``)."""
    axis = axis_for(x, axis)
    n = reduced_count(np.shape(x), normalize_axes(axis, np.ndim(x)))
    if n - correction <= 0:
        advice = "reduce over more numbers" + (", or pass correction=0 (the population variance)"
                                               if correction and n else "")  # (0 numbers: no correction helps)
        raise ValueError(f"var/std of {n} number(s) with correction={correction:g} divides by {n - correction:g}: "
                         f"{advice}")
    # in float64, as PyTorch computes float32 too: the squares of float32 numbers near 1e20 (or
    # 1e-25) overflow (underflow) float32, where the variance's root, the std, is a float32 number
    spread = np.var(x, axis=axis, keepdims=keepdims, ddof=correction, dtype=np.float64)
    return (np.sqrt(spread) if root else spread).astype(x.dtype, copy=False)


def _var_rule(grad: Any, out: Any, x: Any, axis: Any, keepdims: bool, correction: float) -> Any:
    axes = normalize_axes(axis_for(x, axis), np.ndim(numbers(x)))
    n = reduced_count(np.shape(numbers(x)), axes)
    centred = x - x.mean(axis=axes, keepdims=True)
    return expand_reduced(grad, np.shape(numbers(x)), axes, keepdims) * centred * (2 / (n - correction))


def _std_rule(grad: Any, out: Any, x: Any, axis: Any, keepdims: bool, correction: float) -> Any:
    with np.errstate(divide="ignore", invalid="ignore"):  # std 0: PyTorch's gradient is 0 there
        grad_var = _select(numbers(out) == 0, np.zeros(np.shape(numbers(out)), np.result_type(numbers(out))),
                           grad / (2 * out))
        return _var_rule(grad_var, out, x, axis, keepdims, correction)


def _spread_examples(name: str) -> tuple:
    return (Example(((5,), (2, 3))),
            Example(((2, 3, 4),), call=lambda x: getattr(x, name)(axis=(0, 2), correction=0)),
            Example(((2, 3, 4),), call=lambda x: getattr(x, name)(dim=1, keepdim=True)),
            Example(((4, 3),), call=lambda x: getattr(x, name)(0, keepdims=True, correction=2),
                    torch=lambda x: getattr(x, name)(0, keepdim=True, correction=2)),
            Example(((4, 3),), call=lambda x: getattr(x, name)(1, False, True)))


VAR = Op("var", forward=_var, method="var", arguments=_var_arguments, rules=[_var_rule],
         formulas=["d(var x)/dx_i = 2 (x_i - mean) / (n - correction)"], examples=_spread_examples("var"))
STD = Op("std", forward=lambda x, axis, keepdims, correction: _var(x, axis, keepdims, correction, root=True),
         method="std", arguments=_var_arguments, rules=[_std_rule],
         formulas=["d(std x)/dx_i = (x_i - mean) / ((n - correction) std)"], examples=_spread_examples("std"))


def _logsumexp(x: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
    # PyTorch's form: shift by the maximum (0 where it is infinite), so exp never overflows
    axis = axis_for(x, axis)
    shift = np.max(x, axis=axis, keepdims=True) if x.size else np.zeros((1,) * x.ndim, x.dtype)
    shift = np.where(np.isinf(shift), 0.0, shift)
    with np.errstate(divide="ignore"):  # log(0) = -inf: every number was -inf
        total = np.log(np.sum(np.exp(x - shift), axis=axis, keepdims=True)) + shift
    return total if keepdims else np.squeeze(total, axis=axis) if axis is not None else total.reshape(())


LOGSUMEXP = Op("logsumexp", forward=_logsumexp, method="logsumexp", arguments=reduction_arguments,
               rules=[lambda grad, out, x, axis, keepdims:
                      expand_reduced(grad, np.shape(numbers(x)), axis, keepdims)
                      * _exp(x - expand_reduced(out, np.shape(numbers(x)), axis, keepdims))],
               formulas=["d(logsumexp x)/dx_i = softmax(x)_i"],
               examples=(Example(((5,), (2, 3)), torch=lambda x: x.reshape(-1).logsumexp(0)),
                         Example(((2, 3, 4),), call=lambda x: x.logsumexp(axis=1), torch=lambda x: x.logsumexp(1)),
                         Example(((2, 3, 4),), call=lambda x: x.logsumexp(dim=(0, 2), keepdim=True))))


def _one_axis(axis: int | None = None, *, dim: int | None = None) -> tuple:
    return _an_axis(axis, dim, "softmax/log_softmax need one integer dim (the axis of the classes)")


def _an_axis(axis: Any, dim: Any, needs: str) -> tuple:
    if dim is not None:
        if axis is not None:
            raise TypeError("give axis= or dim=, not both")
        axis = dim
    if axis is None or not is_whole_number(axis):
        raise TypeError(f"{needs}, got {axis!r}")
    return (int(axis),)


def _normalized_axis(x: Any, axis: int) -> int | None:
    axes = normalize_axes(axis, np.ndim(numbers(x)))
    return None if np.ndim(numbers(x)) == 0 else axes[0]  # a 0-d tensor: the one number is its own class


def _shifted(x: np.ndarray, axis: int) -> tuple[np.ndarray, int | None]:
    # x minus its maximum along the axis, as PyTorch: exp of it never overflows, and
    # (x - max) - log(sum) keeps digits that x - logsumexp(x) loses. A row whose maximum is
    # infinite becomes nan (inf - inf), all of it, as in PyTorch
    along = _normalized_axis(x, axis)  # (None for a 0-d x)
    if not x.size:
        return x, along  # no numbers, no maximum: an empty softmax, as in PyTorch
    with np.errstate(invalid="ignore"):
        return x - np.max(x, axis=along, keepdims=True), along


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted, along = _shifted(x, axis)
    e = np.exp(shifted)
    with np.errstate(invalid="ignore"):  # (a row of nan: nan, no warning, as PyTorch)
        return e / np.sum(e, axis=along, keepdims=True)


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted, along = _shifted(x, axis)
    with np.errstate(divide="ignore"):  # log(0) = -inf: every number was -inf
        return shifted - np.log(np.sum(np.exp(shifted), axis=along, keepdims=True))


SOFTMAX = Op("softmax", forward=_softmax, method="softmax", arguments=_one_axis,
             rules=[lambda grad, out, x, axis:
                    out * (grad - (grad * out).sum(axis=_normalized_axis(x, axis), keepdims=True))],
             formulas=["d(softmax x)_j/dx_i = s_j (delta_ij - s_i)"],
             examples=(Example(((5,), (2, 3)), call=lambda x: x.softmax(-1)),
                       Example(((2, 3, 4),), call=lambda x: x.softmax(dim=1)),
                       Example(((2, 3),), low=-1000, high=1000, call=lambda x: x.softmax(0))))

LOG_SOFTMAX = Op("log_softmax", forward=_log_softmax, method="log_softmax", arguments=_one_axis,
                 rules=[lambda grad, out, x, axis:
                        grad - _exp(out) * grad.sum(axis=_normalized_axis(x, axis), keepdims=True)],
                 formulas=["d(log_softmax x)_j/dx_i = delta_ij - softmax(x)_i"],
                 examples=(Example(((5,), (2, 3)), call=lambda x: x.log_softmax(-1)),
                           Example(((2, 3, 4),), call=lambda x: x.log_softmax(dim=0)),
                           Example(((2, 3),), low=-1000, high=1000, call=lambda x: x.log_softmax(1))))

# --------------------------------------------------------------------------- shapes and joining


def _back_to_input_shape(grad: Any, out: Any, x: Any, *args: Any) -> Any:
    return grad.reshape(np.shape(numbers(x)))


def _flatten_arguments(start_dim: int = 0, end_dim: int = -1) -> tuple:
    return (whole_number(start_dim, "start_dim"), whole_number(end_dim, "end_dim"))


def _flatten(x: np.ndarray, start: int, end: int) -> np.ndarray:
    if x.ndim == 0:  # as PyTorch: a 0-d tensor flattens to one axis (its axes are 0 and -1)
        normalize_axes(start, 0), normalize_axes(end, 0)
        return x.reshape((1,))
    first, last = normalize_axes(start, x.ndim)[0], normalize_axes(end, x.ndim)[0]
    if first > last:
        raise ValueError(f"flatten: start_dim {start} comes after end_dim {end}")
    merged = math.prod(x.shape[first:last + 1])  # (not -1: it cannot be inferred for an empty array)
    return x.reshape(x.shape[:first] + (merged,) + x.shape[last + 1:])


FLATTEN = Op("flatten", forward=_flatten, method="flatten", arguments=_flatten_arguments,
             rules=[_back_to_input_shape], formulas=["reshape the gradient back"],
             examples=(Example(((), (2, 3, 4))), Example(((2, 3, 4, 5),), call=lambda x: x.flatten(1, 2)),
                       Example(((2, 3, 4),), call=lambda x: x.flatten(start_dim=1))))


def _squeeze_arguments(dim: Any = None, *, axis: Any = None) -> tuple:
    return reduction_arguments(axis, dim=dim)[:1]


def _squeeze(x: np.ndarray, dim: Any) -> np.ndarray:
    axes = range(x.ndim) if dim is None else normalize_axes(dim, x.ndim)  # (a 0-d tensor's axes: 0 and -1)
    # PyTorch's rule: a named axis of a size other than 1 stays (NumPy would raise)
    return x.reshape(tuple(n for i, n in enumerate(x.shape) if not (i in axes and n == 1)))


SQUEEZE = Op("squeeze", forward=_squeeze, method="squeeze", arguments=_squeeze_arguments,
             rules=[_back_to_input_shape], formulas=["reshape the gradient back"],
             examples=(Example(((1, 3, 1, 2), ())), Example(((2, 1, 3),), call=lambda x: x.squeeze(1)),
                       Example(((2, 1, 3),), call=lambda x: x.squeeze(0)),
                       Example(((1, 2, 1),), call=lambda x: x.squeeze((0, -1)))))


def _unsqueeze(x: np.ndarray, dim: int) -> np.ndarray:
    if not -x.ndim - 1 <= dim <= x.ndim:
        raise np.exceptions.AxisError(f"unsqueeze: dim {dim} is out of range [{-x.ndim - 1}, {x.ndim}]")
    return np.expand_dims(x, dim % (x.ndim + 1))


UNSQUEEZE = Op("unsqueeze", forward=_unsqueeze, method="unsqueeze", arguments=lambda dim: (whole_number(dim, "dim"),),
               rules=[_back_to_input_shape], formulas=["reshape the gradient back"],
               examples=(Example(((), (2, 3)), call=lambda x: x.unsqueeze(0)),
                         Example(((2, 3),), call=lambda x: x.unsqueeze(-1)),
                         Example(((2, 3),), call=lambda x: x.unsqueeze(1))))


def _cat_slice(grad: Any, a: Any, b: Any, axis: int, first: bool) -> Any:
    n = np.shape(numbers(a))[axis]
    index = (slice(None),) * axis + ((slice(None, n) if first else slice(n, None)),)
    return grad[index]


# Two inputs: ``cat`` of many tensors folds over it. (An Op with a variable number of
# inputs would need fast.py's fused loop to pass its arguments to every input's rule.)
CAT = Op("cat", forward=lambda a, b, axis: np.concatenate((a, b), axis=axis),
         rules=[lambda grad, out, a, b, axis: _cat_slice(grad, a, b, axis, True),
                lambda grad, out, a, b, axis: _cat_slice(grad, a, b, axis, False)],
         formulas=["the gradient's slice where a was", "the gradient's slice where b was"],
         examples=(Example((((2, 3), (4, 3)),), call=lambda *xs: cat(xs),
                           torch=lambda *xs: __import__("torch").cat(xs)),
                   Example((((2, 3), (2, 1), (2, 2)),), call=lambda *xs: cat(xs, dim=-1),
                           torch=lambda *xs: __import__("torch").cat(xs, dim=-1)),
                   Example(((3,),), call=lambda *xs: cat(xs, 0), torch=lambda *xs: __import__("torch").cat(xs, 0))))


def cat(tensors: Sequence[Any], axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis, as ``torch.cat`` (``dim=0`` by default).

    >>> import autograd
    >>> autograd.cat([autograd.zeros(2), autograd.ones(1)]).data.tolist()
    [0.0, 0.0, 1.0]
    """
    axis, tensors = _joined("cat", tensors, axis, dim)
    if any(x.ndim == 0 for x in tensors):
        raise ValueError("cat joins along an existing axis: a 0-d tensor has none (use stack)")
    axis = normalize_axes(axis, tensors[0].ndim)[0]
    joined = tensors[0] if len(tensors) > 1 else RESHAPE(tensors[0], tensors[0].shape)  # (a new node, as torch)
    for x in tensors[1:]:
        joined = CAT(joined, x, axis)
    return joined


def _joined(name: str, tensors: Any, axis: Any, dim: Any) -> tuple[int, list[Tensor]]:
    """cat's and stack's arguments: the axis (0 by default) and at least one piece, or an
    error naming ``name``."""
    axis = _an_axis(axis, dim, f"{name} joins along one integer dim")[0] if axis is not None or dim is not None else 0
    pieces = _pieces(tensors, name)
    if not pieces:
        raise ValueError(f"{name} needs at least one tensor")
    return axis, pieces


def _pieces(pieces: Sequence[Any], name: str) -> list[Tensor]:
    # lists and arrays among tensors, taken as arithmetic takes an operand (a list or ints
    # join a float32 tensor as float32), each a tensor with at least its numbers' axes
    if isinstance(pieces, (Node, np.ndarray)):  # (its rows would be the pieces: cat(x) joined them into one)
        raise TypeError(f"{name} takes a list or tuple of tensors, not one {type(pieces).__name__}: "
                        f"{name}([a, b])")
    pieces = list(pieces)  # (a generator, read once: the search for a tensor below took its first)
    like = next((x for x in pieces if isinstance(x, Tensor)), None)
    return [x if isinstance(x, Tensor) else as_tensor(constant(x, like)._data) for x in pieces]


def stack(tensors: Sequence[Any], axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Join tensors of one shape along a new axis, as ``torch.stack`` (``dim=0`` by default).

    >>> import autograd
    >>> autograd.stack([autograd.zeros(2), autograd.ones(2)], dim=1).shape
    (2, 2)
    """
    axis, tensors = _joined("stack", tensors, axis, dim)
    if len({x.shape for x in tensors}) > 1:
        raise ValueError(f"stack needs tensors of one shape, got {[x.shape for x in tensors]}")
    return cat([x.unsqueeze(axis) for x in tensors], axis)


# stack is cat of unsqueezed tensors: its examples join CAT's, so the op table tests it too
CAT.examples += (Example((((2, 3), (2, 3), (2, 3)),), call=lambda *xs: stack(xs, 1),
                         torch=lambda *xs: __import__("torch").stack(xs, 1)),
                 Example((((), ()),), call=lambda *xs: stack(xs), torch=lambda *xs: __import__("torch").stack(xs)))

# --------------------------------------------------------------------------- module functions and aliases


def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` holds, else ``b`` (broadcast), as ``torch.where``; the
    condition is a constant (a bool array, or a comparison such as ``x > 0``).

    >>> import autograd
    >>> x = autograd.tensor([-1.0, 2.0])
    >>> autograd.where(x > 0, x, 0.0).data.tolist()
    [0.0, 2.0]
    """
    # a copy: the condition as it is now, whatever is later written into the caller's array
    condition = np.array(numbers(condition) if hasattr(condition, "apply") else condition)
    if condition.size == 0:  # ([] is float64 to NumPy: with no element, no number is misread)
        condition = condition.astype(bool)
    if condition.dtype != bool:
        raise TypeError(f"where: the condition must be booleans (such as x > 0), not {condition.dtype}")
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        a = Tensor(a)
    return WHERE(a, b, condition)


def maximum(a: Any, b: Any) -> Any:
    """The elementwise maximum, as ``torch.maximum`` (a tie splits the gradient evenly).

    >>> import autograd
    >>> autograd.maximum(autograd.tensor([1.0, 5.0]), 3.0).data.tolist()
    [3.0, 5.0]
    """
    return MAXIMUM(a, b)


def minimum(a: Any, b: Any) -> Any:
    """The elementwise minimum, as ``torch.minimum`` (a tie splits the gradient evenly).

    >>> import autograd
    >>> autograd.minimum(autograd.tensor([1.0, 5.0]), 3.0).data.tolist()
    [1.0, 3.0]
    """
    return MINIMUM(a, b)


# PyTorch's other spellings of the same operations (attached as methods.give_method attaches the
# ops' methods, with setattr, which type checkers allow on a class whose TYPE_CHECKING blocks
# declare them: Tensor's and ComparesNumbers')
setattr(Tensor, "where", lambda self, condition, other: where(condition, self, other))  # noqa: B010
setattr(Tensor, "clamp", lambda self, *given, **named: self.clip(*given, **named))  # noqa: B010
setattr(Tensor, "view", lambda self, *shape: self.reshape(*shape))  # noqa: B010
setattr(Value, "__abs__", lambda self: self.abs())  # noqa: B010
setattr(Tensor, "__abs__", Value.__abs__)  # noqa: B010
