"""The ways to run the backward pass, around the plain one in ``core.py``.

``core.backpropagate`` is the chain rule and nothing else. Everything a user can ask
for on top of it is chosen here, once per call, and handed to it as its ``step``
(how each node's shares are computed) and ``keep`` (what happens to each intermediate
gradient):

* ``create_graph=True``: the rules run on the nodes themselves, so the gradients are
  graph nodes that can be differentiated again.
* ``intermediate_grads=False``: intermediate gradients are let go once used.
* ``grad(outputs, inputs)``: the gradients are returned; no ``.grad`` is written.
* ``detect_anomaly()``: every operation and every rule is checked for a new nan or inf.
* ``watch_backward``: an observer sees each node's shares (the walkthrough uses it).
* the speed tricks of ``fast.py``, used when no mode needs the plain pass.

Also here: recording on and off (``no_grad``), and what a backward pass does around
the loop: checking the seed, pausing the cycle collector, adding each pass's gradients
to the leaves only once the pass has finished (an error midway leaves them untouched).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import inspect
import math
import os
import sys
import threading
import traceback
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from . import core, fast
from .core import Node, recording
from .tensor import Tensor, float_array

__all__ = ["no_grad", "enable_grad", "is_grad_enabled", "run_backward", "grad", "watch_backward",
           "detect_anomaly", "AnomalyError"]



def is_grad_enabled() -> bool:
    """True when new operations are recorded in the graph (the default)."""
    return recording.enabled


# --------------------------------------------------------------------------- recording on and off


class _GradMode:
    """A context manager and decorator that switches recording on or off, then restores it.
    Each ``with`` keeps what it restores on its own thread; as a decorator each call gets a
    fresh one, and a generator function records (or not) at each of its steps."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._saved = threading.local()

    def __enter__(self) -> None:
        stack = self._saved.__dict__.setdefault("stack", [])
        stack.append(recording.enabled)
        recording.enabled = self.enabled

    def __exit__(self, *exc_info: object) -> None:
        recording.enabled = self._saved.stack.pop()

    def __call__(self, function: Callable) -> Callable:
        enabled = self.enabled
        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator(*args: Any, **kwargs: Any) -> Any:
                with _GradMode(enabled):
                    steps = function(*args, **kwargs)
                    sent = None
                while True:
                    with _GradMode(enabled):
                        try:
                            item = steps.send(sent)
                        except StopIteration as stop:
                            return stop.value
                    sent = yield item
            return generator

        @functools.wraps(function)
        def call(*args: Any, **kwargs: Any) -> Any:
            with _GradMode(enabled):
                return function(*args, **kwargs)
        return call


def no_grad(function: Callable | None = None) -> Any:
    """Inside ``with no_grad():`` nothing is recorded, so no graph is built. Use it for
    parameter updates and inference. Also a decorator (``@no_grad()`` or ``@no_grad``).

    >>> from autograd import Value, no_grad
    >>> w = Value(2.0)
    >>> with no_grad():
    ...     y = w * 3
    >>> y.requires_grad
    False
    """
    return _GradMode(False) if function is None else _GradMode(False)(function)


def enable_grad(function: Callable | None = None) -> Any:
    """Switch recording back on inside a ``no_grad`` block (also a decorator, with or
    without parentheses)."""
    return _GradMode(True) if function is None else _GradMode(True)(function)


# --------------------------------------------------------------------------- anomaly mode


class AnomalyError(FloatingPointError):
    """An operation turned finite numbers into nan or inf (raised in anomaly mode)."""


# where each node was made, by id (a WeakKeyDictionary would compare nodes with ==,
# which compares their numbers); an entry goes when its node does
_created_at: dict[int, tuple[weakref.ref[Node], str]] = {}
_anomaly_depth = [0]  # one switch for the whole process, as in PyTorch: a debugging aid


def _all_finite(x: Any) -> bool:
    x = x.data if isinstance(x, Node) else x
    if isinstance(x, (float, int)):
        return math.isfinite(x)
    return bool(np.all(np.isfinite(x)))


def _describe_non_finite(x: Any) -> str:
    x = np.asarray(x.data if isinstance(x, Node) else x, dtype=float)
    kinds = [("nan", np.isnan(x).any()), ("inf", np.isposinf(x).any()), ("-inf", np.isneginf(x).any())]
    return "/".join(name for name, present in kinds if present)


def _user_frame() -> str:
    """Where in the user's code (outside this package) the current operation was called."""
    package = os.path.dirname(os.path.abspath(__file__))
    for frame in reversed(traceback.extract_stack()[:-1]):
        if not os.path.abspath(frame.filename).startswith(package):
            return f"{frame.filename}:{frame.lineno} ({frame.line})"
    return "an unknown place"


def _check_forward(out: Node, op: Any, inputs: tuple) -> None:
    site = _user_frame()
    key = id(out)
    _created_at[key] = (weakref.ref(out, lambda _: _created_at.pop(key, None)), site)
    if not _all_finite(out) and all(_all_finite(x) for x in inputs):
        raise AnomalyError(f"anomaly in the forward pass: '{op.name}' turned finite inputs into "
                           f"{_describe_non_finite(out)} at {site}")


def _check_backward(node: Node, grad: Any, shares: list[Any]) -> None:
    if not _all_finite(grad):
        return  # it came in non-finite: an earlier step was the first
    for position, share in enumerate(shares):
        if share is not None and not _all_finite(share):
            label = f" ({node.label!r})" if node.label else ""
            raise AnomalyError(
                f"anomaly in the backward pass: the derivative rule of '{node.op.name}'{label} "
                f"({node.op.formulas[position]}) turned a finite gradient into {_describe_non_finite(share)} "
                f"for its input {position}; the operation was made at "
                f"{_made_at(node)}")


def _made_at(node: Node) -> str:
    reference, site = _created_at.get(id(node), (None, ""))
    return site if reference is not None and reference() is node else "a place not recorded (anomaly mode was off)"


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside ``with detect_anomaly():`` every operation checks its result: the first one
    that turns finite numbers into nan or inf, in the forward or the backward pass, raises
    ``AnomalyError`` naming the operation and the line of your code that made it.

    >>> from autograd import Value, detect_anomaly
    >>> with detect_anomaly():
    ...     Value(1e308) * 10
    Traceback (most recent call last):
    ...
    autograd.modes.AnomalyError: anomaly in the forward pass: '*' turned finite inputs into inf ...
    """
    if _anomaly_depth[0] == 0:
        core.forward_watchers.append(_check_forward)
    _anomaly_depth[0] += 1
    try:
        yield
    finally:
        _anomaly_depth[0] -= 1
        if _anomaly_depth[0] == 0:
            core.forward_watchers.remove(_check_forward)


# --------------------------------------------------------------------------- running a pass


def make_seed(root: Node, grad: Any, as_node: bool = True) -> Any:
    """The gradient the pass starts from at ``root``: 1 for one number, else ``grad``
    (its numbers, unless ``as_node``: a recorded pass may start from a node)."""
    if grad is None and root.__class__ is Tensor and isinstance(root._data, np.generic) and not as_node:
        return root._data.dtype.type(1.0)  # a loss: the usual case
    if isinstance(grad, Node) and not as_node:
        grad = np.array(grad._data)
    if not isinstance(root, Tensor):
        return 1.0 if grad is None else grad if isinstance(grad, Node) else _one_number(grad)
    if grad is None:
        if np.size(root._data) != 1:
            raise ValueError(f"backward() without a gradient needs a tensor with one element, but this one has "
                             f"shape {root.shape}; reduce it first (e.g. .sum()) or pass grad= an array of shape "
                             f"{root.shape}")
        # (a recorded pass gets a 0-d array: a NumPy scalar meeting a constant reads as a plain
        # number, so 3.0 * x of a float32 x would come back float64)
        ones = np.ones(root.shape, root.dtype)
        return ones[()] if not root.shape and not as_node else ones
    seed = grad if isinstance(grad, Tensor) else float_array(grad, root.dtype)
    if seed.dtype != root.dtype and isinstance(seed, Tensor):  # (a recorded pass: the cast recorded too)
        from .more_ops import TO_DTYPE

        seed = TO_DTYPE(seed, root.dtype)
    if seed.shape != root.shape:
        raise ValueError(f"backward() got a gradient of shape {seed.shape}, expected the tensor's shape {root.shape}")
    return seed


def _one_number(grad: Any) -> float:
    """A Value's seed: one real number (``float()`` would also read the string "2")."""
    array = np.asarray(grad)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"the gradient to start from at a Value must be a number, not {type(grad).__name__}: {grad!r}")
    if array.shape != ():
        raise ValueError(f"the gradient to start from at a Value must be one number, got shape {array.shape}")
    return float(array)


class _CollectorPause:
    """The cycle collector paused while any thread runs a backward pass: the pass makes
    no reference cycles, but allocates enough to trigger full collections, each of which
    walks every node of a large graph. Counted, so that threads never leave it off."""

    def __init__(self) -> None:
        self._lock, self._running, self._was_enabled = threading.Lock(), 0, False

    def __enter__(self) -> None:
        with self._lock:
            if self._running == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._running += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._running -= 1
            if self._running == 0 and self._was_enabled:
                gc.enable()


_collector_paused = _CollectorPause()
# One backward pass at a time writes .grad (each is held under this lock, with its adding
# to the leaves): two passes in two threads may add to the same leaf, and the fused pass
# (fast.py) sums each node's gradient in its .grad slot, so two passes through a node both
# graphs use would add into each other's sums. Reentrant: a rule may run a pass of its own.
_pass_lock = threading.RLock()
# The nodes of each pass under way (held under _pass_lock, so only the thread in a pass
# sees them): a pass a rule runs may not go through them. The fused pass keeps its running
# sums in their .grad slots, and the plain pass shows each node its gradient there.
running_passes: list[list[Node]] = []


def refuse_overlapping_pass(order: list[Node]) -> None:
    """Called by a pass that starts while another of this thread's is under way (a rule
    ran ``backward()``): refuse it if it goes through that pass's nodes, whose gradients
    it would mix into the running sums. A graph of its own is fine."""
    running = {node for nodes in running_passes for node in nodes if node.op is not None}
    if any(node.op is not None and node in running for node in order):
        raise RuntimeError("backward() was called inside a rule of another backward pass, through nodes of "
                           "that pass's graph: its gradients would mix into the running pass's. Inside a "
                           "rule, compute what it needs with autograd.grad(outputs, inputs), which writes no .grad")


def _pass(roots: list[Node], seeds: list[Any], step_function: Callable, keep: Callable | None,
          create_graph: bool) -> dict[Node, Any]:
    previous = recording.enabled
    recording.enabled = create_graph  # record the pass itself only for gradients of gradients
    try:
        with _collector_paused:
            return core.backpropagate(roots, seeds, step_function, keep or (lambda node, grad: None))
    finally:
        recording.enabled = previous


def _on_numpy_scalars(node: Node, grad: Any) -> list[Any]:
    """A Value's shares computed on NumPy scalars: where Python raises (1/0, overflow),
    NumPy answers inf or nan with a warning, as the forward pass does."""
    values, out = [np.float64(x.data) for x in node.inputs], np.float64(node.data)
    return [float(rule(np.float64(grad), out, *values, *node.args)) if x.requires_grad else None
            for rule, x in zip(node.op.rules, node.inputs)]


def changed_since_forward(node: Tensor) -> bool:
    """Whether an input's numbers, or the node's own, were changed since the operation
    recorded them (their version counters moved)."""
    return node.versions != node._version_of_inputs or node._version != 0


def refuse_changed_inputs(node: Tensor) -> None:
    """Raise: numbers this node's rule needs were changed after the operation recorded them."""
    for position, (x, then) in enumerate(zip(node.inputs, node.versions)):
        if x._version != then:
            name = f"{x.label!r}" if x.label else f"of shape {x.shape}"
            raise RuntimeError(
                f"input {position} ({name}) of '{node.op.name}' was changed after the forward pass used it (its "
                f"version is {x._version}, it was {then}), so its gradient would mix old and new numbers; run the "
                "forward pass again after changing it (e.g. optimizer.step() after backward(), not between)")
    if node._version:  # its own numbers: rules such as sigmoid's and exp's compute from them
        raise RuntimeError(
            f"the result of '{node.op.name}' was changed after the forward pass computed it (its version is "
            f"{node._version}, it was 0), and its gradient may be computed from those numbers; change a copy "
            "(t.detach().numpy().copy()), or run the forward pass again")


def _version_checked(step: Callable) -> Callable:
    def step_on_unchanged_numbers(node: Node, grad: Any) -> list[Any]:
        if node.__class__ is Tensor and changed_since_forward(node):
            refuse_changed_inputs(node)
        return step(node, grad)
    return step_on_unchanged_numbers


def _numpy_answers(step: Callable) -> Callable:
    def step_or_numpy(node: Node, grad: Any) -> list[Any]:
        try:
            return step(node, grad)
        except ArithmeticError:  # only Python floats raise (Values); a Tensor's NumPy raised as told
            if isinstance(node, Tensor):  # (by np.errstate): that stands
                raise
            return _on_numpy_scalars(node, grad)
    return step_or_numpy


def _step_function(create_graph: bool, observer: Callable | None = None) -> Callable:
    """The function that computes each node's shares, chosen once per pass."""

    if create_graph:
        step: Callable = _version_checked(functools.partial(core.chain_rule, numbers=False))
    else:
        step = _version_checked(_numpy_answers(core.chain_rule))
    if observer is None and not _anomaly_depth[0]:
        return step

    def watched(node: Node, grad: Any) -> list[Any]:
        shares = step(node, grad)
        if _anomaly_depth[0]:
            _check_backward(node, grad, shares)
        if observer is not None:
            observer(node, grad, shares)
        return shares
    return watched


def _forget_gradient(node: Node, grad: Any) -> None:
    node.grad = node.initial_grad


def run_backward(roots: Sequence[Node], grads: Sequence[Any], *, create_graph: bool = False,
                 intermediate_grads: bool = True) -> None:
    """``backward()`` from each root (with its gradient, None for the default): fill ``.grad``."""
    for root in roots:
        if not root.requires_grad:
            raise RuntimeError(f"backward() on a {type(root).__name__} that does not require grad: it is a "
                               "constant, or was computed under no_grad(), so no graph leads to it")
    seeds = [make_seed(root, g, as_node=create_graph) for root, g in zip(roots, grads)]
    kept: set[int] = set()  # the gradient objects that intermediate nodes show
    with _pass_lock:
        if fast.FUSED_LOOP and not create_graph and not _anomaly_depth[0]:
            leaves = fast.fused_backpropagate(list(roots), seeds, intermediate_grads, _collector_paused)
        else:
            def show_gradient(node: Node, grad: Any) -> None:
                node.grad = grad
                kept.add(id(grad))

            keep = show_gradient if intermediate_grads else _forget_gradient
            order = core.backward_order(roots)
            if running_passes:  # (a rule runs this pass)
                refuse_overlapping_pass(order)
            for node in order:  # each shows this pass's gradient: none until it comes
                if node.op is not None:  # (a node no share reaches, or one a pass that raised never reached)
                    node.grad = node.initial_grad
            running_passes.append(order)
            try:
                leaves = _pass(list(roots), seeds, _step_function(create_graph), keep, create_graph)
            finally:
                running_passes.pop()
        add_to_leaves(leaves, kept, create_graph)


def held_elsewhere(share: Any) -> bool:
    """Whether an array in a pass's dictionary of leaf gradients, read as ``share =
    leaves[leaf]`` by the caller, is referred to by anything else too. The references
    counted are the dictionary's, the caller's name for it, this call's, and
    ``getrefcount``'s own (CPython's reference counts)."""
    return share.__class__ is np.ndarray and sys.getrefcount(share) > 4


def add_to_leaves(leaves: dict[Node, Any], kept: set[int], create_graph: bool = False) -> None:
    """The end of a pass: add each leaf's gradient to its ``.grad`` (only now, so a pass that
    raised midway has changed nothing; called with ``_pass_lock`` held). A leaf never shares
    its array: with another node's ``.grad`` (``kept``, the ids of those gradients), nor with
    anything else that holds it (a rule's constant or cache, an input's numbers): it gets a
    copy then, as PyTorch steals a gradient only when nothing else refers to it."""
    cycles = False
    for leaf in leaves:
        leaf_grad = leaves[leaf]
        if leaf.op is None:
            if (kept and id(leaf_grad) in kept) or held_elsewhere(leaf_grad):  # the leaf gets its own
                leaf_grad = leaf_grad.copy() if hasattr(leaf_grad, "copy") else leaf_grad
            kept.add(id(leaf_grad))
            leaf.accumulate_grad(leaf_grad)
            if create_graph and isinstance(leaf_grad, Node):
                cycles = True
    if create_graph and cycles:
        warnings.warn("backward(create_graph=True) makes a reference cycle: each leaf's .grad is now a graph "
                      "that refers back to the leaf, so the graph is freed only by Python's cycle collector. "
                      "Use autograd.grad(outputs, inputs, create_graph=True) instead, or set .grad = None when "
                      "done (PyTorch warns the same).", UserWarning, stacklevel=4)


def grad(outputs: Node | Sequence[Node], inputs: Node | Sequence[Node], grad_outputs: Any = None, *,
         retain_graph: bool | None = None, create_graph: bool = False, allow_unused: bool = False) -> tuple[Any, ...]:
    """The gradients of ``outputs`` with respect to ``inputs``, without touching ``.grad``.
    ``retain_graph`` is accepted for PyTorch's code: the graph is always kept.

    >>> from autograd import Value, grad
    >>> x = Value(3.0)
    >>> grad(x * x, x)
    (6.0,)
    """
    outputs = [outputs] if isinstance(outputs, Node) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Node) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Node, np.ndarray, np.generic, float, int)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad_outputs has {len(grad_outputs)} entries for {len(outputs)} outputs")
    for i, output in enumerate(outputs):
        if not output.requires_grad:
            raise RuntimeError(f"output {i} does not require grad: no graph leads to it")
    for i, x in enumerate(inputs):
        if not isinstance(x, Node):  # (an array: "unhashable type")
            raise TypeError(f"input {i} of grad must be a Value or Tensor of the graph, not {type(x).__name__}")
    wanted = {id(x) for x in inputs}
    found: dict[Node, Any] = {}

    def keep(node: Node, g: Any) -> None:
        if id(node) in wanted:
            found[node] = g

    seeds = [make_seed(output, g, as_node=create_graph) for output, g in zip(outputs, grad_outputs)]
    leaves = _pass(outputs, seeds, _step_function(create_graph), keep, create_graph)
    results = [found.get(x, leaves.get(x)) for x in inputs]
    for i, (node, result) in enumerate(zip(inputs, results)):
        if result is None and not allow_unused:
            name = f" ({node.label!r})" if node.label else ""
            why = ("it does not require grad" if not node.requires_grad
                   else "it was not used to compute the outputs")
            raise RuntimeError(f"input {i}{name} has no gradient: {why}; pass allow_unused=True to get None for it")
    return tuple(results)


def watch_backward(root: Node, grad: Any, observer: Callable[[Node, Any, list[Any]], None]) -> dict[Node, Any]:
    """Run the backward pass from ``root`` with ``observer(node, grad, shares)`` called at
    each node that applies a rule (``shares[i]`` goes to ``node.inputs[i]``, None where that
    input needs no gradient). Writes nothing; returns the leaves' gradients."""
    if not root.requires_grad:
        raise RuntimeError("no graph leads to this node: it does not require grad")
    return _pass([root], [make_seed(root, grad)], _step_function(False, observer), None, False)
