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
import threading
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

    def backward(self, grad: Any = None, *, create_graph: bool = False) -> None:
        """Backpropagate from this node: fill ``.grad`` of every node it depends on.

        Leaves accumulate (``+=``) across calls, as in PyTorch; call ``zero_grad`` to
        reset them. Intermediate nodes show the gradient of the most recent pass.
        With ``create_graph=True`` the gradients are themselves graph nodes, so they
        can be differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                f"backward() on a {type(self).__name__} that does not require grad: it is a "
                "constant, or was computed under no_grad(), so no graph leads to it"
            )
        backpropagate([self], [self._seed(grad)], create_graph=create_graph)

    def _accumulate_into_leaf(self, grad: Any) -> None:
        """Add one backward pass's gradient to this leaf's ``.grad``."""
        raise NotImplementedError


# --------------------------------------------------------------------------- the engine


def _inputs_needing_grad(node: Node) -> Iterator[Node]:
    a, b = node.a, node.b
    if a is not None and a.requires_grad:
        yield a
    if b is not None and b.requires_grad:
        yield b


def _all_inputs(node: Node) -> Iterator[Node]:
    if node.a is not None:
        yield node.a
        if node.b is not None:
            yield node.b


def backward_order(roots: Iterable[Node], *, every_input: bool = False) -> list[Node]:
    """Every node the roots depend on (through nodes that require grad), each listed
    before all the nodes it depends on: the order in which the engine visits them.
    With ``every_input`` the constants and data inputs are included too (for drawing).

    An iterative depth-first search: a node is emitted after all its inputs, and the
    list is reversed at the end.
    """
    inputs_of = _all_inputs if every_input else _inputs_needing_grad
    topological: list[Node] = []  # inputs before the nodes that use them
    visited: set[Node] = set()
    for root in roots:
        if root in visited:
            continue
        # (node, expanded): a node is pushed once to expand its inputs, and once more
        # beneath them so that it is emitted only after all of them.
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                topological.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for parent in inputs_of(node):
                if parent not in visited:
                    stack.append((parent, False))
    topological.reverse()
    return topological


def local_gradients(node: Node, grad: Any, create_graph: bool = False) -> list[tuple[Node, Any]]:
    """Apply the chain rule at one node: for each input that requires grad, the
    contribution ``grad * d(node)/d(input)``, computed by the operation's own rule.

    In the fast path the rules run on plain floats and ndarrays; with ``create_graph``
    they run on the graph nodes themselves, so the result is differentiable again.
    """
    op = node.op
    inputs = (node.a,) if node.b is None else (node.a, node.b)
    if create_graph:
        out, operands = node, inputs
    else:
        out, operands = node.data, tuple(p.data for p in inputs)
    contributions = []
    for parent, derivative in zip(inputs, op.derivatives):
        if not parent.requires_grad:
            continue
        try:
            contribution = derivative(grad, out, *operands, *node.args)
        except ArithmeticError:
            # Python floats raise on 1/0 or overflow; NumPy answers inf or nan with a
            # warning. Follow NumPy, as the rest of the engine does.
            contribution = float(
                derivative(np.float64(grad), np.float64(out), *map(np.float64, operands), *node.args)
            )
        if node._reduces_broadcast and op.broadcasts:
            contribution = sum_to(contribution, parent.shape)
        contributions.append((parent, contribution))
    return contributions


def backpropagate(
    roots: Sequence[Node],
    seeds: Sequence[Any],
    *,
    create_graph: bool = False,
    inputs: Sequence[Node] | None = None,
    on_step: Callable[[Node, Any, list[tuple[Node, Any]]], None] | None = None,
) -> list[Any] | None:
    """The backward pass. Starting from ``roots`` with gradients ``seeds``, send every
    node's gradient to its inputs, in ``backward_order``.

    Without ``inputs``: write ``.grad`` (leaves accumulate, intermediate nodes show this
    pass's gradient) and return None. With ``inputs``: write nothing, return the
    gradient of each input (None where the roots do not depend on it).
    ``on_step(node, grad, contributions)``, if given, watches each node as it is handled
    (the backward walkthrough uses it).
    """
    order = backward_order(roots)
    pending: dict[Node, Any] = {}  # gradients still being summed, keyed by node
    for root, seed in zip(roots, seeds):
        pending[root] = pending[root] + seed if root in pending else seed
    wanted = None if inputs is None else set(inputs)
    found: dict[Node, Any] = {}
    mode = enable_grad() if create_graph else no_grad()
    with mode:
        for node in order:
            grad = pending.pop(node, None)
            if grad is None:
                continue
            if wanted is not None:
                if node in wanted:
                    found[node] = grad
            elif node.op is None:
                node._accumulate_into_leaf(grad)
            else:
                node.grad = grad
            if node.op is None:
                if on_step is not None:
                    on_step(node, grad, [])
                continue
            contributions = local_gradients(node, grad, create_graph)
            if on_step is not None:
                on_step(node, grad, contributions)
            for parent, contribution in contributions:
                previous = pending.get(parent)
                pending[parent] = contribution if previous is None else previous + contribution
    if inputs is None:
        return None
    return [found.get(node) for node in inputs]


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
