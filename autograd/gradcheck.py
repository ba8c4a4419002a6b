"""Gradient checking: compare automatic gradients with numerical ones (central
differences) and, where you derived them, with hand-written formulas.

The numerical gradient of f at x, element by element, is
``(f(x + h) - f(x - h)) / 2h``: its error shrinks with h**2, so it agrees with a
correct automatic gradient to many digits, and disagrees loudly with a wrong one.

>>> from autograd import Value
>>> from autograd.gradcheck import check_gradients
>>> x = Value(0.5, label="x")
>>> check_gradients(lambda x: x * x, [x], hand_written=[2 * 0.5]).passed
True
>>> check_gradients(lambda x: x * x, [x], hand_written=[0.5]).passed  # a wrong derivation
False
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .core import Node
from .modes import grad, no_grad
from .tensor import Tensor
from .value import Value

__all__ = [
    "as_gradient_array",
    "compare_arrays",
    "numerical_gradients",
    "compare_gradients",
    "check_gradients",
    "gradcheck",
    "check_second_derivatives",
    "GradientReport",
    "InputReport",
    "Comparison",
    "GradientCheckError",
]

AUTOMATIC, HAND_WRITTEN, NUMERICAL = "automatic", "hand-written", "numerical"
# a second derivative's "numerical" side: central differences of the automatic gradient,
# not of f (which checks the second pass against the first; check the first on its own)
NUMERICAL_OF_GRADIENT = "differenced gradient"


class GradientCheckError(AssertionError):
    """Raised by ``gradcheck`` when gradients disagree; carries the report."""

    def __init__(self, report: GradientReport) -> None:
        super().__init__("gradients disagree:\n" + str(report))
        self.report = report


# --------------------------------------------------------------------------- numerical


def _scalar_output(result: Any) -> float:
    if isinstance(result, Value):
        return result.data
    if isinstance(result, Tensor):
        if result.data.size != 1:
            raise ValueError(
                f"the function must return one number to be checked, but it returned a "
                f"Tensor of shape {result.shape}; reduce it (e.g. .sum())"
            )
        return float(result.data.reshape(()))
    if isinstance(result, (int, float, np.number)):
        return float(result)
    raise TypeError(
        "the function must return a Value, a one-element Tensor or a number, "
        f"not {type(result).__name__}"
    )


def _default_step(node: Node) -> float:
    return 1e-3 if isinstance(node, Tensor) and node.dtype == np.float32 else 1e-6


@dataclass
class _Differences:
    central: list[Any]
    left: list[Any]  # (f(x) - f(x - h)) / h
    right: list[Any]  # (f(x + h) - f(x)) / h
    at: float  # f(x)


def _on_both_sides(node: Node, eps: float | None, evaluate: Callable[[], Any]) -> Iterator[tuple]:
    """For each element of ``node``: (index, h, evaluate() at x + h, evaluate() at x - h),
    the element put back afterwards. h = eps * max(1, |x|)."""
    step = eps if eps is not None else _default_step(node)
    if not isinstance(node, (Value, Tensor)):
        raise TypeError(f"inputs must be Values or Tensors, not {type(node).__name__}")
    for index in np.ndindex(*np.shape(node.data)):
        yield (index, *_at_both_sides(node, index, step, evaluate))


def _at_both_sides(node: Node, index: tuple, step: float, evaluate: Callable[[], Any]) -> tuple[float, Any, Any]:
    """(h, evaluate() at x + h, evaluate() at x - h) for one element, put back afterwards."""
    original = float(node.data) if isinstance(node, Value) else float(node.data[index])
    h = step * max(1.0, abs(original))
    try:
        _set(node, index, original + h)
        plus = evaluate()
        _set(node, index, original - h)
        minus = evaluate()
    finally:
        _set(node, index, original)
    return h, plus, minus


_KINK_RECHECKS = 20  # elements whose apparent kink is measured again (two more calls of f each)


def _one_sided_jump(f: Callable[..., Any], inputs: Sequence[Node], differences: _Differences, node: Node,
                    index: tuple, scale: float, *, eps: float | None) -> float:
    """|right slope - left slope| of f at one element of ``node``, with h times ``scale``."""
    step = (eps if eps is not None else _default_step(node)) * scale
    h, plus, minus = _at_both_sides(node, index, step, _evaluator(f, inputs))
    return abs((plus - differences.at) / h - (differences.at - minus) / h)


def _evaluator(f: Callable[..., Any], inputs: Sequence[Node]) -> Callable[[], float]:
    """f at the inputs as they are now, as one number, recording nothing."""
    def evaluate() -> float:
        with no_grad():
            return _scalar_output(f(*inputs))
    return evaluate


def _set(node: Node, index: tuple, value: float) -> None:
    if isinstance(node, Value):
        node.data = value
    else:  # into the plain array: a change always put back exactly, which a graph built
        node._data[index] = value  # before the check may still backpropagate through


def _positive(name: str, value: Any, zero: bool = False) -> None:
    """A setting of the check: a finite number above 0 (or 0 itself, where ``zero``); eps=0
    divided by zero, eps=nan gave nan gradients and atol=-1 failed every check, silently."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or \
            not math.isfinite(value) or value < 0 or (value == 0 and not zero):
        raise ValueError(f"{name} must be a finite number {'of 0 or more' if zero else 'above 0'}, not {value!r}")


def _node_list(inputs: Any) -> list[Node]:
    # (one node alone, as PyTorch's gradcheck takes one tensor: list(x) would be its rows)
    return [inputs] if isinstance(inputs, Node) else list(inputs)


def _differences(f: Callable[..., Any], inputs: Sequence[Node], eps: float | None) -> _Differences:
    if eps is not None:
        _positive("eps", eps)
    evaluate = _evaluator(f, inputs)
    f0 = evaluate()
    again = evaluate()
    if not (again == f0 or (math.isnan(again) and math.isnan(f0))):  # (a random f: its differences mean nothing)
        raise ValueError(f"f gives different numbers at the same point ({f0!r}, then {again!r}): it draws "
                         "random numbers (dropout in training mode?). Check the gradients of a function that "
                         "gives the same number each call: fix its draws (a seeded generator inside it) or "
                         "switch it to eval mode")
    central, left, right = [], [], []
    for node in inputs:
        shape = np.shape(node.data) if isinstance(node, (Value, Tensor)) else ()
        c, lft, rgt = (np.zeros(shape, dtype=np.float64) for _ in range(3))
        for index, h, f_plus, f_minus in _on_both_sides(node, eps, evaluate):
            c[index] = (f_plus - f_minus) / (2 * h)
            lft[index] = (f0 - f_minus) / h
            rgt[index] = (f_plus - f0) / h
        as_output = (lambda a: float(a)) if isinstance(node, Value) else (lambda a: a)
        central.append(as_output(c))
        left.append(as_output(lft))
        right.append(as_output(rgt))
    return _Differences(central, left, right, f0)


def numerical_gradients(
    f: Callable[..., Any], inputs: Sequence[Node], eps: float | None = None
) -> list[Any]:
    """Central-difference gradient of ``f(*inputs)`` with respect to each input: a float
    for a Value, a float64 array of the input's shape for a Tensor.

    ``f`` must rebuild its result from the inputs each call (it is called twice per
    element, with that element nudged by ±h, where h = eps * max(1, |x|); eps defaults
    to 1e-6, or 1e-3 for float32 tensors).

    >>> from autograd import Value
    >>> x = Value(3.0)
    >>> round(numerical_gradients(lambda x: x * x, [x])[0], 6)
    6.0
    """
    return _differences(f, _node_list(inputs), eps).central


# --------------------------------------------------------------------------- the report


@dataclass
class Comparison:
    """One pair of gradients for one input, e.g. automatic vs numerical."""

    first: str
    second: str
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]  # the element furthest outside its tolerance (nearest it, if all agree)
    passed: bool
    note: str = ""


@dataclass
class InputReport:
    """Everything the check found for one input."""

    name: str
    shape: tuple[int, ...]
    gradients: dict[str, np.ndarray]  # by source: automatic / hand-written / numerical
    comparisons: list[Comparison]
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.comparisons)


@dataclass
class GradientReport:
    """The result of a gradient check: per input, every pair compared.

    ``passed`` is True when every comparison is within ``atol + rtol * |reference|``.
    ``str(report)`` is a table meant for people.
    """

    inputs: list[InputReport]
    atol: float
    rtol: float

    @property
    def passed(self) -> bool:
        return all(i.passed for i in self.inputs)

    @property
    def warnings(self) -> list[str]:
        return [f"{i.name}: {w}" for i in self.inputs for w in i.warnings]

    def __getitem__(self, name: str) -> InputReport:
        for item in self.inputs:
            if item.name == name:
                return item
        raise KeyError(name)

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [
            f"Gradient check {verdict}  (agree when |a - b| <= atol + rtol*|b|, "
            f"atol={self.atol:g}, rtol={self.rtol:g}; worst index: the furthest outside it)",
            "",
        ]
        header = ("input", "shape", "compared", "max abs error", "max rel error", "worst index", "result")
        rows = []
        for item in self.inputs:
            for k, c in enumerate(item.comparisons):
                rows.append((
                    item.name if k == 0 else "",
                    str(item.shape) if k == 0 else "",
                    f"{c.first} vs {c.second}",
                    f"{c.max_abs_error:.3e}",
                    f"{c.max_rel_error:.3e}",
                    "-" if c.note == NOTHING_COMPARED else str(c.worst_index),  # (() is no index of it)
                    ("ok" if c.passed else "MISMATCH") + (f" ({c.note})" if c.note else ""),
                ))
        lines += _table(header, rows)
        lines += ["", "Gradients at each input's worst element:"]
        named = [key for item in self.inputs for key in item.gradients if key not in (AUTOMATIC, HAND_WRITTEN)]
        sources = (AUTOMATIC, HAND_WRITTEN, *dict.fromkeys(named or [NUMERICAL]))
        worst_rows: list[tuple[str, ...]] = []
        for item in self.inputs:
            worst = max(item.comparisons, key=lambda c: (not c.passed, c.max_abs_error)).worst_index
            row = [item.name, str(worst) if math.prod(item.shape) else "-"]
            for source in sources:
                g = item.gradients.get(source)
                usable = g is not None and g.shape == item.shape and len(worst) == g.ndim
                row.append(f"{float(g[worst]):.10g}" if usable and g is not None else "-")
            worst_rows.append(tuple(row))
        lines += _table(("input", "index") + sources, worst_rows)
        if self.warnings:
            lines += ["", "Warnings:"] + [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip(), fmt.format(*("-" * w for w in widths)).rstrip()] + [
        fmt.format(*row).rstrip() for row in rows
    ]


def as_gradient_array(g: Any) -> np.ndarray:
    """A gradient (a number, an array or a node) as a float64 array, for comparing. Real
    numbers only: a complex gradient's imaginary part, or the text "3", is not compared
    but refused (float64 would drop the one and read the other)."""
    if isinstance(g, Node):
        g = g.data
    numbers = np.asarray(g)
    if numbers.dtype.kind not in "biuf":
        raise TypeError(f"a gradient must be real numbers, not {type(g).__name__} of dtype {numbers.dtype}")
    return np.asarray(numbers, dtype=np.float64)


NOTHING_COMPARED = "nothing to compare: no elements"


def compare_arrays(first: str, a: np.ndarray, second: str, b: np.ndarray, atol: float, rtol: float) -> Comparison:
    """Compare two gradients of one input, element by element: the worst difference and where."""
    _positive("atol", atol, zero=True)
    _positive("rtol", rtol, zero=True)
    if a.shape != b.shape:
        return Comparison(first, second, math.inf, math.inf, (), False,
                          f"shapes differ: {a.shape} vs {b.shape}")
    if a.size == 0:  # (it passes, as PyTorch's gradcheck does, but says why)
        return Comparison(first, second, 0.0, 0.0, (), True, NOTHING_COMPARED)
    # A non-finite value agrees only with itself: an infinity with the same infinity, nan
    # with nan (neither side has a number there). No tolerance can decide it, since
    # rtol * |inf| is inf and would accept any number, even the opposite infinity.
    both_nan = np.isnan(a) & np.isnan(b)
    same = (a == b) | both_nan
    finite = np.isfinite(a) & np.isfinite(b)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(same, 0.0, np.where(finite, np.abs(a - b), np.inf))
    scale = np.maximum(np.abs(a), np.abs(b))
    tolerance = atol + rtol * np.abs(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(diff == 0, 0.0, np.where(np.isinf(diff), np.inf, diff / scale))  # (inf / inf: inf, not nan)
        # the worst: furthest outside its tolerance (not the largest difference, which may be inside it)
        excess = np.where(diff == 0, 0.0, diff / tolerance)
    worst = np.unravel_index(int(np.argmax(excess)), a.shape) if a.ndim else ()
    passed = bool(np.all(same | (finite & (diff <= tolerance))))
    note = "" if np.all((np.isfinite(a) & np.isfinite(b)) | both_nan) else "non-finite values"
    if passed and not note and float(np.max(scale)) < atol and float(np.max(rel)) > rtol:
        # (a sign flip of gradients smaller than atol passes: say so, rather than "ok" alone)
        note = (f"all within atol only: every gradient here is below atol={atol:g} (the largest "
                f"{float(np.max(scale)):.1e}); pass a smaller atol to compare them")
    return Comparison(first, second, float(diff.max()), float(np.max(rel)),
                      tuple(int(i) for i in worst), passed, note)


def compare_gradients(
    automatic: Sequence[Any],
    numerical: Sequence[Any],
    hand_written: Sequence[Any] | None = None,
    *,
    names: Sequence[str] | None = None,
    inputs: Sequence[Node] | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    numerical_name: str = NUMERICAL,
) -> GradientReport:
    """Compare automatic, numerical and (optionally) hand-written gradients, input by
    input: automatic vs numerical, and where a hand-written gradient is given (not
    None), automatic vs hand-written and hand-written vs numerical.

    Two gradients agree where ``|a - b| <= atol + rtol * |b|``. Infinities agree only
    with the same infinity (-inf never with +inf, a number never with inf), and nan
    only with nan at the same index. ``inputs`` (optional) lets the report name the
    inputs by their labels and warn about float32 data; ``numerical_name`` is what the
    report calls the numerical gradients (the second derivatives' are differences of the
    automatic gradient, and say so).

    >>> import math
    >>> compare_gradients([-math.inf], [math.inf]).passed
    False
    """
    count = len(automatic)
    if len(numerical) != count:
        raise ValueError(f"{count} automatic gradients but {len(numerical)} numerical ones")
    if hand_written is None:
        hand_written = [None] * count
    if len(hand_written) != count:
        raise ValueError(f"{count} automatic gradients but {len(hand_written)} hand-written ones")
    if names is None:
        names = [
            (inputs[i].label if inputs is not None and inputs[i].label else f"input {i}")
            for i in range(count)
        ]
    reports = []
    for i in range(count):
        gradients = {AUTOMATIC: as_gradient_array(automatic[i]), numerical_name: as_gradient_array(numerical[i])}
        if hand_written[i] is not None:
            gradients[HAND_WRITTEN] = as_gradient_array(hand_written[i])
        pairs = [(AUTOMATIC, numerical_name)]
        if HAND_WRITTEN in gradients:
            pairs += [(AUTOMATIC, HAND_WRITTEN), (HAND_WRITTEN, numerical_name)]
        comparisons = [compare_arrays(x, gradients[x], y, gradients[y], atol, rtol) for x, y in pairs]
        shape = gradients[numerical_name].shape
        item = InputReport(names[i], shape, gradients, comparisons)
        given = inputs[i] if inputs is not None else None
        if isinstance(given, Tensor) and given.dtype == np.float32:
            item.warnings.append(
                "float32 data: central differences carry only ~3 significant digits here; "
                "check in float64 for a reliable answer"
            )
        reports.append(item)
    return GradientReport(reports, atol, rtol)


def _kink_warnings(differences: _Differences, i: int, jump_at: Callable[[tuple, float], float]) -> list[str]:
    """Where the slopes left and right of a point differ, f is not differentiable
    there (relu at 0, say) and no single gradient can match the numerical one."""
    left = np.asarray(differences.left[i], dtype=np.float64)
    right = np.asarray(differences.right[i], dtype=np.float64)
    # For a smooth f the two one-sided slopes differ by about h * f''; at a kink, by the
    # jump in slope. A large f'' (1/x near 0) can look like a kink at one h, so a jump is
    # measured again with h / 10 (``jump_at``): a smooth f's shrinks tenfold, a kink's stays.
    # And a kink h/10 to h away from the point (relu at 5e-7, h = 1e-6) leaves no jump at
    # all at h / 10 (a smooth f's shrinks about tenfold): the central difference at h
    # straddles it, and no gradient can match it either.
    jump = np.abs(right - left)
    kinked = np.asarray(jump > 1e-3 * (1.0 + np.abs(left) + np.abs(right)))
    near = np.zeros_like(kinked)
    for index in [tuple(int(j) for j in row) for row in np.argwhere(kinked)[:_KINK_RECHECKS]]:
        smaller = jump_at(index, 0.1)
        if smaller < 0.5 * jump[index]:
            kinked[index] = False
            near[index] = smaller < 0.02 * jump[index]
    warnings = []
    if np.any(kinked):
        where, listed = _where(kinked)
        warnings.append(
            f"not differentiable at index {listed}: slope {float(left[where]):.4g} from the left, "
            f"{float(right[where]):.4g} from the right (a kink, like relu at 0); the comparison there "
            "is unreliable")
    if np.any(near):
        warnings.append(
            f"a kink near index {_where(near)[1]}: within the finite difference's step h of the point but "
            "not at it (the one-sided slopes differ over h, not over h/10), so the numerical gradient there "
            "straddles it and is unreliable; a smaller eps moves the step off the kink")
    return warnings


def _where(mask: np.ndarray) -> tuple[tuple[int, ...], str]:
    """The first index where ``mask`` holds, and the first three as text ("(0,), (2,) and more")."""
    where = [tuple(int(j) for j in idx) for idx in np.argwhere(mask)[:3]] if mask.ndim else [()]
    return where[0], ", ".join(map(str, where)) + (" and more" if np.count_nonzero(mask) > len(where) else "")


def check_gradients(
    f: Callable[..., Any],
    inputs: Sequence[Node],
    hand_written: Sequence[Any] | Mapping[Any, Any] | None = None,
    *,
    names: Sequence[str] | None = None,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    second_order: bool = False,
) -> GradientReport:
    """Run ``f(*inputs)``, backpropagate, and compare the automatic gradients with
    central differences and with ``hand_written`` ones (a list aligned with ``inputs``,
    or a mapping from input to gradient; None entries are skipped). ``.grad`` of the
    inputs is left untouched. ``second_order=True`` adds the second derivatives
    (``check_second_derivatives``) to the report.

    >>> from autograd import Tensor
    >>> W = Tensor([[1.0, 2.0]], requires_grad=True, label="W")
    >>> x = Tensor([[3.0], [4.0]])
    >>> report = check_gradients(lambda W: (W @ x).sum(), [W], hand_written=[x.data.T])
    >>> report.passed
    True
    """
    inputs = _node_list(inputs)
    for i, node in enumerate(inputs):
        if not isinstance(node, Node):
            raise TypeError(f"input {i} must be a Value or a Tensor, not {type(node).__name__}")
        if not node.requires_grad:
            raise ValueError(f"input {i} does not require grad, so it has no automatic gradient")
    if isinstance(hand_written, Mapping):
        hand_written = _aligned(hand_written, inputs)
    output = f(*inputs)
    if not isinstance(output, Node):
        raise TypeError(f"the function must return a Value or a Tensor, not {type(output).__name__}")
    _scalar_output(output)  # one number, or a clear error
    automatic: list[Any] = [
        np.zeros(node.data.shape) if g is None and isinstance(node, Tensor) else (0.0 if g is None else g)
        for node, g in zip(inputs, grad(output, inputs, allow_unused=True))
    ]
    differences = _differences(f, inputs, eps)
    report = compare_gradients(
        automatic, differences.central, hand_written, names=names, inputs=inputs, atol=atol, rtol=rtol
    )
    for i, item in enumerate(report.inputs):
        jump_at = functools.partial(_one_sided_jump, f, inputs, differences, inputs[i], eps=eps)
        item.warnings.extend(_kink_warnings(differences, i, jump_at))
    _check_scaling(output, inputs, automatic, report, atol, rtol)
    if second_order:  # the Hessian blocks too (see check_second_derivatives)
        report.inputs.extend(check_second_derivatives(f, inputs, names=names, eps=eps, atol=atol, rtol=rtol).inputs)
    return report


SCALE = -2.0  # the seed of the second backward pass (exact in binary: a correct pass scales exactly)


def _check_scaling(output: Node, inputs: list[Node], automatic: list[Any], report: GradientReport,
                   atol: float, rtol: float) -> None:
    """A second backward pass, from -2 instead of 1: every correct rule is linear in its
    incoming gradient, so every gradient comes back times -2. A rule that ignores it
    (``3 * x * x`` for ``grad * 3 * x * x``) or uses it other than as a factor passes
    the first comparison whenever f ends in ``.sum()`` (which hands every element a 1),
    but not this one: a failed one is added to the report (a passed one adds nothing)."""
    seed = np.full(output.shape, SCALE, output.dtype) if isinstance(output, Tensor) else SCALE
    scaled = grad(output, inputs, grad_outputs=seed, allow_unused=True)
    for item, once, twice in zip(report.inputs, automatic, scaled):
        expected = SCALE * as_gradient_array(once)
        got = np.zeros(np.shape(expected)) if twice is None else as_gradient_array(twice)
        comparison = compare_arrays("automatic from -2", got, "-2 x automatic", expected, atol, rtol)
        if not comparison.passed:
            comparison.note = ("the gradient does not scale with the incoming one: a rule ignores its grad, "
                               "or uses it other than as a factor")
            item.comparisons.append(comparison)


def _aligned(hand_written: Mapping[Any, Any], inputs: list[Node]) -> list[Any]:
    """A mapping of hand-written gradients as a list aligned with ``inputs``. Its keys are
    inputs, or their labels, or their positions; any other key is refused (a gradient
    under a key that matches nothing would silently never be compared)."""
    aligned: list[Any] = [None] * len(inputs)
    for key, gradient in hand_written.items():
        if isinstance(key, Node):
            found = [i for i, node in enumerate(inputs) if node is key]
        elif isinstance(key, str):
            found = [i for i, node in enumerate(inputs) if node.label == key]
        elif isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(inputs):
            found = [key]
        else:
            found = []
        if len(found) != 1:
            labels = [node.label for node in inputs if node.label]
            raise ValueError(f"hand_written has the key {key!r}, which is {'more than one' if found else 'none'} "
                             f"of the inputs: key it by the input itself, its label (here: {labels}) or its "
                             "position, or give a list in the inputs' order")
        aligned[found[0]] = gradient
    return aligned


def _numerical_hessian(f: Callable[..., Any], inputs: list[Node], eps: float | None) -> list[list[np.ndarray]]:
    """Central differences of the automatic gradient: block [i][j] = d(grad_i)/d(input_j)."""
    def gradients() -> list[np.ndarray]:
        found = grad(f(*inputs), inputs, allow_unused=True)
        return [np.zeros(np.shape(n.data)) if g is None else np.asarray(g, dtype=np.float64)
                for n, g in zip(inputs, found)]

    blocks = [[np.zeros(np.shape(a.data) + np.shape(b.data)) for b in inputs] for a in inputs]
    for j, node in enumerate(inputs):  # (differences of a gradient: 10x f's step, 1e-5, or 1e-2 in float32)
        for index, h, plus, minus in _on_both_sides(node, 10 * _default_step(node) if eps is None else eps, gradients):
            for i in range(len(inputs)):
                blocks[i][j][(Ellipsis,) + index] = (plus[i] - minus[i]) / (2 * h)
    return blocks


def check_second_derivatives(
    f: Callable[..., Any],
    inputs: Sequence[Node],
    hand_written: Sequence[Sequence[Any]] | None = None,
    *,
    names: Sequence[str] | None = None,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> GradientReport:
    """Second derivatives: the automatic Hessian (the engine differentiating its own
    backward pass) against central differences of the automatic gradient (the report's
    "differenced gradient": it checks the second pass against the first, so a wrong
    first-order rule passes here; ``check_gradients(..., second_order=True)`` checks
    both), and against
    ``hand_written[i][j]`` = d2 f / d input_i d input_j where given. One report entry per
    block (i, j), of shape ``input_i.shape + input_j.shape``.

    >>> from autograd import Value
    >>> x = Value(0.5, label="x")
    >>> check_second_derivatives(lambda x: x.tanh(), [x]).passed
    True
    """
    from .functional import hessian

    inputs = _node_list(inputs)
    for i, node in enumerate(inputs):
        if not isinstance(node, Node) or not node.requires_grad:
            raise ValueError(f"input {i} must be a Value or Tensor that requires grad")
    labels = list(names) if names is not None else [n.label or f"input {i}" for i, n in enumerate(inputs)]
    automatic = hessian(f, inputs)  # a list of inputs: blocks [i][j]
    numerical = _numerical_hessian(f, inputs, eps)
    pairs = [(i, j) for i in range(len(inputs)) for j in range(len(inputs))]
    return compare_gradients(
        [automatic[i][j] for i, j in pairs],
        [numerical[i][j] for i, j in pairs],
        None if hand_written is None else [hand_written[i][j] for i, j in pairs],
        names=[f"d2f/d{labels[i]} d{labels[j]}" for i, j in pairs],
        inputs=[inputs[j] for i, j in pairs],  # (the input differenced: float32 is warned of)
        atol=atol, rtol=rtol, numerical_name=NUMERICAL_OF_GRADIENT,
    )


def gradcheck(f: Callable[..., Any], inputs: Sequence[Node], **options: Any) -> bool:
    """PyTorch-style: True when the gradients agree, else raise ``GradientCheckError``
    whose message is the full report. Options as for ``check_gradients``."""
    report = check_gradients(f, inputs, **options)
    if not report.passed:
        raise GradientCheckError(report)
    return True
