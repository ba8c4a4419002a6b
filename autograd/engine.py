"""The backward engine: one topological sort and one backward loop for every node type.

Backpropagation is the chain rule applied to a graph. Each node knows the operation
that made it (``node.op``) and that operation's inputs (``node.a`` and ``node.b``).
To get d(root)/d(node) for every node we must visit a node only after every node that
*uses* it has sent back its share of the gradient, so we first sort the graph
topologically and then walk it from the root backwards.

Why ``+=`` (accumulate) and not ``=``: a node used twice, as ``a`` in ``b = a * a``,
influences the root along two paths, and the multivariate chain rule *adds* the
contributions of all paths.

The loop is iterative, never recursive, so a chain of a million nodes backpropagates
without hitting Python's recursion limit.

Scalar ``Value`` and array ``Tensor`` both subclass ``Node`` and share this engine;
they differ only in how a gradient is stored (a float, or an ndarray that may need
summing over broadcast axes).
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import threading
import traceback
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .ops import sum_to

__all__ = [
    "Node",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "backward_order",
    "backpropagate",
    "grad",
    "detect_anomaly",
    "AnomalyError",
]


# --------------------------------------------------------------------------- grad mode


class _GradMode(threading.local):
    # threading.local: one thread's `with no_grad()` must not switch recording off in another.
    enabled = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when new operations are recorded in the graph (the default)."""
    return _grad_mode.enabled


class _SetGradMode(contextlib.ContextDecorator):
    """Context manager (and decorator) that switches recording on or off, then restores it."""

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._previous: list[bool] = []  # a stack, so one instance can be nested in itself

    def __enter__(self) -> None:
        self._previous.append(_grad_mode.enabled)
        _grad_mode.enabled = self._enabled

    def __exit__(self, *exc_info: object) -> None:
        _grad_mode.enabled = self._previous.pop()


def no_grad() -> contextlib.ContextDecorator:
    """Inside ``with no_grad():`` nothing is recorded, so no graph is built and nothing
    can be backpropagated. Use it for parameter updates and inference.

    >>> from autograd import Value, no_grad
    >>> w = Value(2.0)
    >>> with no_grad():
    ...     y = w * 3
    >>> y.requires_grad
    False
    """
    return _SetGradMode(False)


def enable_grad() -> contextlib.ContextDecorator:
    """Switch recording back on inside a ``no_grad`` block."""
    return _SetGradMode(True)


# --------------------------------------------------------------------------- anomaly mode


class AnomalyError(FloatingPointError):
    """An operation turned finite numbers into nan or inf (raised in anomaly mode)."""


class _AnomalyMode:
    # One switch for the whole process, as in PyTorch: it is a debugging aid.
    enabled = False


anomaly_mode = _AnomalyMode()
_created_at: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside ``with detect_anomaly():`` every operation checks its result: the first
    one that turns finite numbers into nan or inf, in the forward or the backward pass,
    raises ``AnomalyError`` naming the operation and the line of your code that made it.
    Slower; for finding where a nan comes from.

    >>> from autograd import Value, detect_anomaly
    >>> with detect_anomaly():
    ...     Value(1e308) * 10
    Traceback (most recent call last):
    ...
    autograd.engine.AnomalyError: anomaly in the forward pass: '*' turned finite inputs into inf ...
    """
    previous = anomaly_mode.enabled
    anomaly_mode.enabled = True
    try:
        yield
    finally:
        anomaly_mode.enabled = previous


def _all_finite(x: Any) -> bool:
    x = x.data if isinstance(x, Node) else x
    if isinstance(x, (float, int)):
        return math.isfinite(x)
    return bool(np.all(np.isfinite(x)))


def _describe_non_finite(x: Any) -> str:
    x = np.asarray(x.data if isinstance(x, Node) else x, dtype=float)
    kinds = [name for name, present in (("nan", np.isnan(x).any()), ("inf", np.isposinf(x).any()),
                                        ("-inf", np.isneginf(x).any())) if present]
    return "/".join(kinds)


def _user_frame() -> str:
    """Where in the user's code (outside this package) the current operation was called."""
    package = os.path.dirname(os.path.abspath(__file__))
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not os.path.abspath(frame.filename).startswith(package):
            return f"{frame.filename}:{frame.lineno} ({frame.line})"
    return "an unknown place"


def check_forward(op: Any, out: Node, inputs: tuple) -> None:
    """Anomaly mode, forward pass: remember where ``out`` was made, and raise if ``op``
    turned finite inputs into nan or inf."""
    site = _user_frame()
    _created_at[out] = site
    if not _all_finite(out) and all(_all_finite(x) for x in inputs):
        raise AnomalyError(
            f"anomaly in the forward pass: '{op.name}' turned finite inputs into "
            f"{_describe_non_finite(out)} at {site}"
        )


def _check_backward(node: Node, grad: Any, contributions: tuple) -> None:
    if not _all_finite(grad):
        return  # it came in non-finite: an earlier step was the first
    for position, contribution in enumerate(contributions):
        if contribution is not None and not _all_finite(contribution):
            label = f" ({node.label!r})" if node.label else ""
            raise AnomalyError(
                f"anomaly in the backward pass: the derivative rule of '{node.op.name}'{label} "
                f"({node.op.formulas[position]}) turned a finite gradient into "
                f"{_describe_non_finite(contribution)} for its input {position}; the operation was "
                f"made at {_created_at.get(node, 'a place not recorded (anomaly mode was off)')}"
            )


# --------------------------------------------------------------------------- nodes


class Node:
    """What the engine needs from a graph node; ``Value`` and ``Tensor`` fill it in.

    ``data``: the number(s) this node holds.  ``grad``: d(root)/d(this node) after a
    backward pass.  ``op``: the operation that produced the node, None for a leaf (a
    node the user created).  ``a``, ``b``: the operation's inputs (``b`` is None for
    one-input operations).  ``requires_grad``: whether gradients flow into this node.
    """

    __slots__ = ("data", "grad", "label", "op", "a", "b", "requires_grad", "__weakref__")

    # Extra, non-node arguments of the operation (an axis, a shape, an index).
    # Tensor stores them per node; scalar operations have none.
    args: tuple = ()
    # The value of `.grad` before any backward pass reaches the node.
    _grad_before_backward: Any = None
    # Whether gradients must be summed back over broadcast axes (arrays do, scalars don't).
    _reduces_broadcast = False

    @property
    def parents(self) -> tuple[Node, ...]:
        """The inputs of the operation that produced this node (empty for a leaf)."""
        if self.a is None:
            return ()
        return (self.a,) if self.b is None else (self.a, self.b)

    @property
    def is_leaf(self) -> bool:
        """True for nodes the user created (not produced by an operation)."""
        return self.op is None

    def zero_grad(self) -> None:
        """Forget the gradient accumulated in this node."""
        self.grad = self._grad_before_backward

    def _seed(self, grad: Any) -> Any:
        raise NotImplementedError

    def backward(self, grad: Any = None, *, create_graph: bool = False,
                 intermediate_grads: bool = True) -> None:
        """Backpropagate from this node: fill ``.grad`` of every node it depends on.

        Leaves accumulate (``+=``) across calls, as in PyTorch; call ``zero_grad`` to
        reset them. Intermediate nodes show the gradient of the most recent pass; with
        ``intermediate_grads=False`` they are cleared as soon as the pass has used them
        (PyTorch's default), which lowers the memory a training step holds.
        With ``create_graph=True`` the gradients are themselves graph nodes, so they
        can be differentiated again.

        >>> from autograd import Value
        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(intermediate_grads=False)
        >>> x.grad, y.grad
        (6.0, 0.0)
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward() on a {type(self).__name__} that does not require grad: it is a "
                "constant, or was computed under no_grad(), so no graph leads to it"
            )
        backpropagate([self], [self._seed(grad)], create_graph=create_graph,
                      intermediate_grads=intermediate_grads)

    def _accumulate_into_leaf(self, grad: Any, shared: bool = False) -> None:
        """Add one backward pass's gradient to this leaf's ``.grad``; ``shared``: the
        gradient object is also another node's, so it must not be kept as it is."""
        raise NotImplementedError


_ONE_INPUT: Any = object()  # for _apply: marks a one-input op (None would hide `x * None`)


class SharedNumbers:
    """Constant nodes for plain numbers, shared: the same numbers recur (the 2 in x ** 2,
    0.5 in a loss, a learning rate), and one node per value halves the objects such an
    operation leaves for Python's garbage collector to track. Zero (whose sign matters)
    and nan (never equal to itself) get a fresh node each time; the table is bounded."""

    def __init__(self, make: Callable[[Any], Node], size: int = 1024) -> None:
        self._make, self._size, self._nodes = make, size, {}

    def __call__(self, number: float | int) -> Node:
        key = (number.__class__, number)
        node = self._nodes.get(key)
        if node is None:
            node = self._make(number)
            if number and number == number:
                if len(self._nodes) >= self._size:
                    self._nodes.clear()
                self._nodes[key] = node
        return node


# --------------------------------------------------------------------------- the engine


def backward_order(roots: Iterable[Node], *, every_input: bool = False) -> list[Node]:
    """Every node the roots depend on (through nodes that require grad), each listed
    before all the nodes it depends on: the order in which the engine visits them.
    With ``every_input`` the constants and data inputs are included too (for drawing).

    An iterative depth-first search: a node is emitted after all its inputs, and the
    list is reversed at the end.
    """
    topological: list[Node] = []  # inputs before the nodes that use them
    visited: set[Node] = set()
    # (node, expanded): a node is pushed once to expand its inputs, and once more
    # beneath them so that it is emitted only after all of them.
    stack: list[tuple[Node, bool]] = []
    for root in reversed(list(roots)):  # (a loop: cheaper than a comprehension for one root)
        stack.append((root, False))
    while stack:
        node, expanded = stack.pop()
        if expanded:
            topological.append(node)
            continue
        if node in visited:
            continue
        visited.add(node)
        stack.append((node, True))
        a, b = node.a, node.b
        if a is not None and (a.requires_grad or every_input) and a not in visited:
            if a.a is None:  # a leaf or a constant: no inputs to wait for, so emit it now
                visited.add(a)
                topological.append(a)
            else:
                stack.append((a, False))
        if b is not None and (b.requires_grad or every_input) and b not in visited:
            if b.a is None:
                visited.add(b)
                topological.append(b)
            else:
                stack.append((b, False))
    topological.reverse()
    return topological


def _rules_on_numpy_scalars(node: Node, grad: float) -> tuple[Any, Any]:
    """The local gradients of a scalar node, computed with NumPy scalars: Python floats
    raise on 1/0 or overflow, where NumPy answers inf or nan with a warning (as the
    forward pass does)."""
    numbers = [np.float64(v) for v in (grad, node.data) + tuple(p.data for p in node.parents)]
    rules = node.op.derivatives
    a, b = node.a, node.b
    da = float(rules[0](*numbers)) if a.requires_grad else None
    db = float(rules[1](*numbers)) if b is not None and b.requires_grad else None
    return da, db


def backpropagate(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    *,
    create_graph: bool = False,
    inputs: Sequence[Node] | None = None,
    on_step: Callable[[Node, Any, list[tuple[Node, Any]]], None] | None = None,
    intermediate_grads: bool = True,
) -> list[Any] | None:
    """The backward pass. Starting from ``roots`` with gradients ``seeds``, visit every
    node in ``backward_order`` and apply the chain rule: each input that requires grad
    receives ``grad * d(node)/d(input)``, computed by the operation's own rule.

    In the fast path the rules run on plain floats and ndarrays; with ``create_graph``
    they run on the graph nodes themselves, so the gradients can be differentiated
    again. Gradients of broadcast inputs are summed back to the input's shape.

    Without ``inputs``: write ``.grad`` (leaves accumulate, intermediate nodes show this
    pass's gradient, unless ``intermediate_grads`` is False: then each is cleared once
    used) and return None. With ``inputs``: write nothing, return the gradient of each
    input (None where the roots do not depend on it).
    ``on_step(node, grad, contributions)``, if given, watches each node as it is handled
    (the backward walkthrough uses it).
    """
    # The pass makes no reference cycles, so there is nothing for Python's cycle
    # collector to find; but it allocates enough (sort entries, gradients) to trigger it,
    # and each full collection walks every node of a large graph. Pause it meanwhile.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _backpropagate(roots, seeds, create_graph, inputs, on_step,
                              intermediate_grads or inputs is not None)
    finally:
        if collecting:
            gc.enable()


def _backpropagate(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    create_graph: bool,
    inputs: Sequence[Node] | None,
    on_step: Callable[[Node, Any, list[tuple[Node, Any]]], None] | None,
    keep_intermediate: bool,
) -> list[Any] | None:
    order = backward_order(roots)
    # While the pass runs, each node's .grad slot sums the gradient flowing into it
    # (cheaper than a dictionary). What the leaves held before is kept aside, to add
    # this pass to at the end; with `inputs`, every slot is borrowed and given back.
    borrowing = inputs is not None
    before: list[tuple[Node, Any]] = []
    for node in order:
        if borrowing or node.op is None:
            before.append((node, node.grad))
        node.grad = None
    for root, seed in zip(roots, seeds):
        root.grad = seed if root.grad is None else root.grad + seed
    # Leaves handed a node's own gradient object (the rule for + passes it on as it
    # is): they must copy it, not share it with the node that shows it.
    passed_through: set[Node] = set()
    finished = False
    anomaly = anomaly_mode.enabled
    watching = anomaly or on_step is not None
    recording = _grad_mode.enabled
    # Record the pass itself only for gradients of gradients.
    _grad_mode.enabled = create_graph
    try:
        for node in order:
            grad = node.grad
            op = node.op
            if op is None or grad is None:  # a leaf: nothing further back
                if on_step is not None and grad is not None:
                    on_step(node, grad, [])
                continue
            a, b = node.a, node.b
            rules = op.derivatives
            if create_graph:
                out, x, y = node, a, b
            else:
                out, x, y = node.data, a.data, None if b is None else b.data
            # da = grad * d(node)/da, db = grad * d(node)/db, for inputs that need them
            try:
                if b is not None:
                    da = rules[0](grad, out, x, y) if a.requires_grad else None
                    db = rules[1](grad, out, x, y) if b.requires_grad else None
                elif not a.requires_grad:
                    da = db = None
                elif node.args:  # one input with extra arguments (an axis, a shape)
                    da, db = rules[0](grad, out, x, *node.args), None
                else:  # (a call without *args is markedly cheaper: this is most nodes)
                    da, db = rules[0](grad, out, x), None
            except ArithmeticError:
                da, db = _rules_on_numpy_scalars(node, grad)
            if op.broadcasts and node._reduces_broadcast:  # sum over the axes broadcasting added
                if da is not None and da.shape != x.shape:
                    da = sum_to(da, x.shape)
                if db is not None and db.shape != y.shape:
                    db = sum_to(db, y.shape)
            if watching:
                if anomaly:
                    _check_backward(node, grad, (da, db))
                if on_step is not None:
                    on_step(node, grad, [(p, g) for p, g in ((a, da), (b, db)) if g is not None])
            if not keep_intermediate:
                node.grad = node._grad_before_backward  # used: let it go now, as PyTorch does
            # += : an input used by several nodes sums what each sends back
            if da is not None:
                previous = a.grad
                a.grad = da if previous is None else previous + da
                if da is grad and a.op is None:
                    passed_through.add(a)
            if db is not None:
                previous = b.grad
                b.grad = db if previous is None else previous + db
                if db is grad and b.op is None:
                    passed_through.add(b)
        finished = True
        if inputs is not None:
            visited = set(order)
            return [node.grad if node in visited else None for node in inputs]
        return None
    finally:
        _grad_mode.enabled = recording
        for node, old in before:
            if borrowing or not finished:
                node.grad = old  # borrowed slots go back as they were
            else:  # a leaf: add this pass to what it had
                new, node.grad = node.grad, old
                if new is not None:
                    node._accumulate_into_leaf(new, node in passed_through)


def grad(
    outputs: Node | Sequence[Node],
    inputs: Node | Sequence[Node],
    grad_outputs: Any = None,
    *,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.

    >>> from autograd import Value, grad
    >>> x = Value(3.0)
    >>> grad(x * x, x)
    (6.0,)
    """
    outputs = [outputs] if isinstance(outputs, Node) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Node) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Node, np.ndarray, float, int)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"grad_outputs has {len(grad_outputs)} entries for {len(outputs)} outputs"
        )
    for i, output in enumerate(outputs):
        if not output.requires_grad:
            raise RuntimeError(f"output {i} does not require grad: no graph leads to it")
    seeds = [output._seed(g) for output, g in zip(outputs, grad_outputs)]
    results = backpropagate(outputs, seeds, create_graph=create_graph, inputs=inputs)
    for i, (node, result) in enumerate(zip(inputs, results)):
        if result is None and not allow_unused:
            name = f" ({node.label!r})" if node.label else ""
            raise RuntimeError(
                f"input {i}{name} was not used to compute the outputs, so it has no "
                "gradient; pass allow_unused=True to get None for it"
            )
    return tuple(results)
