"""Speed tricks: optional replacements for steps of the plain engine, each measured.

Nothing here changes a number: each trick computes exactly what the plain code of
``core.py``, ``value.py`` and ``tensor.py`` computes, only with less Python per
operation (trick 10: with fewer fresh pages of memory). ``AUTOGRAD_NO_SPEED_TRICKS=1``
in the environment switches them all off, and the test suite passes either way (``make
test`` runs the engine's tests both ways; ``tests/test_tricks_agree.py`` keeps what a
one-off run of 6,563 cases compared bit for bit, both ways, found;
``tests/fuzz_graphs.py --tricks`` compares random graphs so).
What may differ, and only this: a warning's wording or order (noted at tricks 1 and 7),
``t.data is t.data`` (6), a recurring number drawn as one node (3), and two misuses of
``Value``: one handed an array as its gradient (by a rule of the user's, or an array put
in its ``.data``) keeps the array, where the plain pass sums it to one number at the next
``+`` or ``*``; and a subclass that makes ``data`` a property is read through it in the
backward pass too (1, 9).
Gains measured with ``benchmarks/`` and ``python benchmarks/tricks.py`` on the
project's 2-core machine, old against new in one run:

1. ``fused_backpropagate``: the backward loop with the rule step written inline: nodes
   of one or two inputs spelled out, each share sent on at once (no list of shares, no
   loop over them), gradients summed in the nodes' ``.grad`` slots instead of a
   dictionary, inputs' numbers read past the ``data`` property. Its topological walk puts
   a marker on the stack in place of (node, expanded) pairs and tests one or two inputs
   one by one (no tuple of them per node: 2,400 instructions less on the notebook's
   pass), in a loop CPython 3.11 specializes on the first call (``while True``, see the
   walk: 4,520 -> 2,540 instructions per node of a new 1,000-op chain), and the loop tells
   the usual node (a Tensor of one or two inputs) by one test first (670 instructions less
   on the notebook's step); at the end the usual leaf (a Tensor's first gradient, a new
   array of its dtype that nothing else holds) takes it without ``accumulate_grad``
   (``add_to_leaves`` below, with the reference count in place of a check at each leaf's
   first share: 280,598 -> 275,553 instructions a notebook step, callgrind): 2.6x faster than
   ``core.backward_order`` on the scalar MLP's graph (12.4 ms against 4.7 ms). The cycle
   collector is paused only for graphs of 1,000 nodes or more (for a small graph the
   pause costs 9,000 instructions, a sixth of a 3-4-2 network's pass). ``backward()``
   itself (``backward`` below) goes straight to it when no mode needs the plain loop
   (``modes.py``): 17,000 instructions less per call.
   Without it: scalar MLP step 2.78x slower, notebook step 1.93x, 10,000-op chain 2.22x.
   (A node's two rules run before its two sums over broadcast axes, where the plain
   pass sums each share as it comes: the same numbers; NumPy's warnings, if any, in
   another order.)
2. Method bodies specialized by arity (``install``): ``a * b`` converts its operand,
   computes and records in two calls, without the plain path's tuples, generators and
   ``*args`` calls; versions that are all 0 share one constant tuple. A method that takes
   no arguments takes none (``x.sigmoid(3)`` is a TypeError); a reduction called with none
   (``x.sum()``) reads them once, at install (18.2k -> 16.7k instructions); ``t.T`` is
   ``permute`` recorded at once with the axes reversed (18.6k -> 6.8k), and ``permute``'s
   rule remembers its inverse permutations. Without it: 2.44x, 1.84x, 2.37x.
3. Shared constant nodes for recurring plain numbers (the 2 in ``x ** 2``, a learning
   rate): fewer objects for Python's garbage collector to track; a number met before is
   found in the table with no Python call (``y * 1.0001``: 14.3k -> 13.0k instructions).
   A picture (``draw_graph``) then shows a number that recurs in one graph as one node.
   Without it: 1.08x, 1.22x, 1.45x.
4. ``sigmoid`` on arrays silences its overflow through the context variable that
   ``np.errstate`` sets, without making an errstate object: 1.3 us less per call on the
   notebook's (4, 1) layer. Without it: 1.03x, 1.09x, 1.00x.
5. A node's inputs in two slots of their own (``_first_input``, ``_second_input``, room
   for them made in ``methods.ComparesNumbers``), not in a tuple; ``node.inputs`` becomes
   a property that gives the same tuple (operations of three or more inputs keep theirs
   in the plain slot). A node is then one object for the cycle collector, not two, and
   the collector's work on a graph being built falls to a quarter (half the collections,
   each walking half the objects): 164 -> 126 bytes per node on the scalar MLP; five of
   micrograd's moons steps run 424 young and 4 full collections instead of 829 and 7,
   and spend half the time in them (``python benchmarks/collector.py --baseline``).
   Without it (the engine as it was just before, loaded beside in one run:
   ``bench_scalar.py``, ``bench_moons.py``, ``bench_scaling.py --baseline``):
   scalar MLP 1.11x slower in clean-heap rounds and 1.28x in a training loop, moons step
   1.38x, 100,000-op chain 1.33x. It comes with tricks 1 and 2 (they read and write the
   slots) and goes only with all tricks off; with trick 1 off, the plain loop reads
   ``inputs`` through the property, which is part of what "no fused loop" costs.

6. ``t.data`` hands out the same watched view while it is still of the tensor's numbers,
   kept in the tensor (``_view``; the view refers back to it weakly, so no reference
   cycle), instead of making a view per read; the setter knows it at once. ``W.data -= g``
   on a (4, 3) weight: 10,600 -> 9,000 instructions (the plain attribute of the old engine:
   3,600). Without it: 1.02x, 1.04x, 1.00x. (So ``t.data is t.data``; a flag set on the
   view, ``t.data.flags.writeable = False``, is that view's: the tensor lets it go.)

7. ``x ** 2`` by ``np.square`` (``squaring_power``, the forward of ``**``): the numbers of
   ``np.power`` (checked bit for bit in the tests), 0.87 us -> 0.67 us on a (2, 1) array,
   1,350 instructions less on the notebook's step (the loss squares its error). An
   overflow's warning (or, under ``np.errstate``, its error) says "square", not "power".
   Without it (timed): notebook step 1.00-1.02x, the rest within noise.

8. ``zero_where`` on a float array by bits (``select_zero_by_bits``): x's bits ANDed with
   a mask, not ``np.where``, which mispredicts a branch per element on a scattered mask:
   the same bits, 260 us -> 50 us on the ReLU mask of a 256x256 layer (C-ordered arrays
   of one shape only: ``np.where``'s result takes its layout from both). Without it: the
   784-256-256-10 ReLU MLP step 1.10x slower (``tricks.py``'s fourth workload).

9. The rules of ``+`` and ``*`` on Values (94% of the nodes of micrograd's moons step)
   written inline in the fused loop: ``grad`` and ``grad * y``, no Python call of the
   rule. Only the stock rules, known by identity (``ops.ADD.rules``): a rule replaced with
   ``op.rules = ...`` runs as given. Moons step 853.4M -> 776.2M instructions (-9.0%,
   ``benchmarks/instructions.py``'s workload, callgrind); timed 0.92x the commit before,
   same run (``bench_moons.py --baseline``, 2026-12-07, a quiet machine): 10.4x micrograd,
   against 9.5x for the commit before. Off by name: ``inline``.

10. Freed memory kept for reuse (``keep_freed_memory``): on glibc, arrays up to 32 MB come
   from the heap and up to 64 MB of freed heap is kept, what glibc's own adaptive
   thresholds reach once it has seen a 32 MB array freed. A training step lets its graph's
   arrays go at once, and with glibc's starting thresholds the freed top of the heap goes
   back to the system, to come back at the next step as fresh pages zeroed one page fault
   at a time. The 784-256-256-10 ReLU MLP through nn, each alone in a new process
   (``bench_mlp.py``'s last table, 2026-12-08 06:57): 7.57 ms and 3,089 page faults a
   step without it, 4.24 ms and none with it; the hand-written NumPy step 5.87 ms in a
   script of its own (3.83 ms with autograd imported beside it). Changes nothing where the
   user set any of glibc's ``MALLOC_*`` variables or malloc tunables, nor elsewhere than
   glibc (nor where Python has no ctypes). The cost: each of malloc's heaps (one per
   thread that allocates, up to glibc's arena limit) keeps up to 64 MB it has freed,
   rather than handing it back; and a program's own ``mallopt`` thresholds, set before
   the import, are replaced. It changes no number. Without it: the ReLU MLP step 1.72x
   (``tricks.py``, 2026-12-08 07:00), the other workloads within noise. Off by name:
   ``memory``.

All tricks off (the plain engine): 4.32x, 2.54x, 3.33x, and the ReLU MLP step 1.86x (1.08x
before trick 10). Measured by ``python benchmarks/tricks.py`` (2026-12-08 07:00, the
"Speed tricks" table of RESULTS.md; best of several interleaved rounds on a 2-core
machine; the figures of each trick above are from 2026-12-03, on another 2-core machine
shared with other work, and trick 5's from the benchmarks named there). Timed in separate
processes, a ratio within about 5% of 1 is noise: the small tricks' gains are given in
instructions.
"""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import numpy as np

from . import core, more_ops, numeric, ops
from .core import Node, forward_watchers, recording, sum_to
from .inplace import WatchedArray, share_count_with_inputs
from .methods import refuse_cut_off, set_method
from .tensor import OTHER_DTYPES_MADE, PLAIN_NUMBERS, Tensor, masks_as_numbers, promoted, result_number
from .tensor import constant as tensor_constant
from .value import Value
from .value import constant as value_constant

# AUTOGRAD_NO_SPEED_TRICKS=1 switches every trick off; a comma-separated list of trick names
# (fused, methods, constants, sigmoid, view, square, mask, inline, memory) switches off just those
# (benchmarks/tricks.py).
_OFF = {name.strip() for name in os.environ.get("AUTOGRAD_NO_SPEED_TRICKS", "").split(",") if name.strip()}
ENABLED = "1" not in _OFF
FUSED_LOOP = ENABLED and "fused" not in _OFF
SPECIALIZED_METHODS = ENABLED and "methods" not in _OFF
SHARED_CONSTANTS = ENABLED and "constants" not in _OFF
SIGMOID_STATE = ENABLED and "sigmoid" not in _OFF
KEPT_VIEW = ENABLED and "view" not in _OFF
SQUARING = ENABLED and "square" not in _OFF
MASKING = ENABLED and "mask" not in _OFF
INLINE_RULES = FUSED_LOOP and "inline" not in _OFF
KEPT_MEMORY = ENABLED and "memory" not in _OFF

__all__ = ["ENABLED", "fused_backpropagate", "install"]

_new = object.__new__
PERMUTE = more_ops.PERMUTE
_PLAIN_T: Any = Tensor.__dict__["T"].fget  # (t.T as tensor.py defines it)
N = TypeVar("N", bound=Node)
_F64, _F32 = np.dtype(np.float64), np.dtype(np.float32)


# --------------------------------------------------------------------------- 1. the fused backward loop


def backward_order(roots: list[Node]) -> list[Node]:
    """``core.backward_order``'s nodes, with a marker on the stack in place of the (node,
    expanded) pairs: ``None`` on top of a node says "its inputs are all written out: write
    it". No pair is made per node, which makes the walk 2.6x faster. A leaf is written out
    as soon as it comes off the stack (it waits for no inputs); the nodes that apply rules
    come in the plain walk's order. Reads the inputs from trick 5's slots."""
    inputs_first: list[Node] = []
    visited: set[Node] = set()
    write, visit = inputs_first.append, visited.add
    stack: list[Any] = list(reversed(roots))
    push, pop = stack.append, stack.pop
    # `while True` with the test inside, not `while stack:`. CPython 3.11 specializes a
    # function's bytecode once it has been entered or has jumped back unconditionally 8
    # times; `while stack:` jumps back on a condition, which does not count, so a walk
    # called fewer than 8 times in a process ran unspecialized: 4,520 instructions per node
    # of a new 1,000-op chain, against 2,540 this way (callgrind, the walk alone).
    while True:
        if not stack:
            break
        node = pop()
        if node is None:
            write(pop())
        elif node not in visited:
            visit(node)
            if node.op is None:  # a leaf waits for no inputs: written out at once
                write(node)
                continue
            push(node)
            push(None)
            first = node._first_input  # (trick 5's layout: up to two inputs in slots)
            if first is _MANY:
                for parent in node.inputs:
                    if parent.requires_grad:
                        if parent not in visited:
                            push(parent)
                    elif parent.op is not None:  # (a node whose requires_grad was set False: refused)
                        refuse_cut_off(parent)
                continue
            # one or two inputs, each spelled out: no tuple of them, no loop (see trick 1's figure)
            if first is not None:
                if first.requires_grad:
                    if first not in visited:
                        push(first)
                elif first.op is not None:
                    refuse_cut_off(first)
            second = node._second_input
            if second is not None:
                if second.requires_grad:
                    if second not in visited:
                        push(second)
                elif second.op is not None:
                    refuse_cut_off(second)
    inputs_first.reverse()
    return inputs_first


PAUSE_FROM = 1000  # nodes: a smaller pass cannot trigger a collection worth pausing for


def fused_backpropagate(roots: list[Node], seeds: list[Any], keep_intermediate: bool,
                        collector_paused: Any) -> dict[Node, Any]:
    """``_fused_pass`` over the nodes in backward order, with the cycle collector paused
    (``collector_paused``, a context manager) only for a graph of ``PAUSE_FROM`` nodes or
    more: for a small one the pause costs more than any collection it could prevent
    (about 9,000 instructions, a sixth of a 3-4-2 network's backward pass). Finding the
    order allocates nothing the collector counts, so it runs before the pause."""
    order = backward_order(roots)
    running = _modes.running_passes
    if running:  # (a rule runs this pass: not through the running pass's nodes, whose slots hold its sums)
        _modes.refuse_overlapping_pass(order)
    running.append(order)
    recorded, recording.enabled = recording.enabled, False  # (rules run unrecorded, as in the plain pass)
    try:
        if len(order) < PAUSE_FROM:
            return _fused_pass(order, roots, seeds, keep_intermediate)
        with collector_paused:
            return _fused_pass(order, roots, seeds, keep_intermediate)
    finally:
        recording.enabled = recorded
        running.pop()


def _fused_pass(order: list[Node], roots: list[Node], seeds: list[Any], keep_intermediate: bool) -> dict[Node, Any]:
    """``core.backpropagate`` with ``core.chain_rule`` and the gradient bookkeeping
    written inline: the same shares, in the same order, summed the same way. Nodes of
    one or two inputs (nearly all) are spelled out, each input's share sent on at once:
    no list of shares, no loop over them. A Value's rule reads its inputs' numbers from
    the ``data`` slot, a Tensor's from ``_data`` (past the property), after checking that
    they were not changed since the forward pass (``modes.refuse_changed_inputs``).
    Intermediate nodes sum their gradient in their ``.grad`` slot; leaves in a
    dictionary of this pass (two threads may share a leaf). Reads the inputs from trick
    5's slots."""
    leaves: dict[Node, Any] = {}
    node: Any  # a Value or a Tensor (each has the slots read below)
    a: Any
    b: Any
    da: Any  # (each input's share)
    db: Any
    y: Any  # (the second input's numbers, or None)
    for node in order:
        if node.op is not None:
            node.grad = None  # the slot sums this pass's gradient
    for root, seed in zip(roots, seeds):
        if root.op is None:
            leaves[root] = core.accumulate(leaves.get(root), seed)
        else:
            root.grad = core.accumulate(root.grad, seed)
    try:
        for node in order:
            op = node.op
            if op is None:
                continue
            grad = node.grad
            if grad is None:  # no share reached it: it shows none (a Value: 0.0)
                node.grad = node.initial_grad
                continue
            if not keep_intermediate:
                node.grad = node.initial_grad
            a, b, kind = node._first_input, node._second_input, node.__class__  # (trick 5's layout)
            if kind is Tensor and a is not _MANY:  # (the usual node first: one test)
                versions = node.versions
                if versions[0] != a._version or (b is not None and versions[1] != b._version) or node._version:
                    _refuse(node)  # (an input, or the node's own numbers, changed since the forward pass)
                x, out, args, rules = a._data, node._data, node.args, op.rules
                if b is None:  # one input (it may have stopped requiring grad since the forward pass)
                    if a.requires_grad:
                        da = rules[0](grad, out, x, *args) if args else rules[0](grad, out, x)
                    else:
                        da = None
                    db = None
                else:
                    y = b._data
                    if args:
                        da = rules[0](grad, out, x, y, *args) if a.requires_grad else None
                        db = rules[1](grad, out, x, y, *args) if b.requires_grad else None
                    else:
                        da = rules[0](grad, out, x, y) if a.requires_grad else None
                        db = rules[1](grad, out, x, y) if b.requires_grad else None
                if op.broadcasts:  # sum back over the axes broadcasting added (one input or two)
                    if da is not None and da.__class__ is not float and da.shape != (shape := getattr(x, "shape", ())):
                        da = sum_to(da, shape)
                    if db is not None and db.__class__ is not float and db.shape != (shape := getattr(y, "shape", ())):
                        db = sum_to(db, shape)
            elif kind is Value and a is not _MANY:  # (no extra arguments, no broadcasting)
                x, rules = a.data, op.rules
                try:
                    if b is None:
                        da, db = rules[0](grad, node.data, x) if a.requires_grad else None, None
                    elif rules is _ADD_RULES:  # (trick 9: the rules of + and *, nearly every scalar node, inline)
                        da = grad if a.requires_grad else None
                        db = grad if b.requires_grad else None
                    elif rules is _MUL_RULES:
                        da = grad * b.data if a.requires_grad else None
                        db = grad * x if b.requires_grad else None
                    else:
                        y = b.data
                        da = rules[0](grad, node.data, x, y) if a.requires_grad else None
                        db = rules[1](grad, node.data, x, y) if b.requires_grad else None
                except ArithmeticError:  # Python floats raise where NumPy answers inf or nan
                    shares = _on_numpy_scalars(node, grad)  # (one share per input)
                    da, db = shares[0], None if b is None else shares[1]
            else:
                _send_shares(node, grad, leaves)
                continue
            if da is not None:
                if a.op is None:  # (a share another node holds, as a + b passes grad on, is copied at the end)
                    leaves[a] = da if (total := leaves.get(a)) is None else total + da
                else:
                    a.grad = da if (total := a.grad) is None else total + da
            if db is not None:
                if b.op is None:
                    leaves[b] = db if (total := leaves.get(b)) is None else total + db
                else:
                    b.grad = db if (total := b.grad) is None else total + db
    except BaseException:  # (a refused input, an interrupt): the nodes not reached hold partial sums
        _forget_partial_sums(order, node)
        raise
    return leaves


def _forget_partial_sums(order: list[Node], stopped_at: Node) -> None:
    """After a pass that raised at ``stopped_at``: each node it had not reached shows no
    gradient, as after the plain pass, not the part of one sent before the pass stopped.
    The nodes it had reached show theirs, complete."""
    position = next(i for i, node in enumerate(order) if node is stopped_at)  # (not index(): == compares numbers)
    for node in order[position + 1:]:
        if node.op is not None:
            node.grad = node.initial_grad


def _send_shares(node: Node, grad: Any, leaves: dict[Node, Any]) -> None:
    """The fused loop's step for the rare node of three or more inputs (or of a node
    type of the user's): ``core.chain_rule``, then the shares sent on in a loop."""
    if isinstance(node, Tensor) and _modes.changed_since_forward(node):
        _refuse(node)
    try:
        shares = core.chain_rule(node, grad)
    except ArithmeticError:
        if not isinstance(node, Value):
            raise
        shares = _on_numpy_scalars(node, grad)
    for parent, share in zip(node.inputs, shares):  # (a share another node holds is copied at the end)
        if share is None:
            continue
        if parent.op is None:
            leaves[parent] = share if (total := leaves.get(parent)) is None else total + share
        else:
            parent.grad = share if (total := parent.grad) is None else total + share


def add_to_leaves(leaves: dict[Node, Any]) -> None:
    """``modes.add_to_leaves(leaves, set())`` with the usual leaf written inline: a Tensor's
    first gradient since ``zero_grad()``, a new array of its dtype that nothing else holds,
    is taken as it is (what ``accumulate_grad`` does with it); an array held elsewhere too
    (by another leaf, a node's ``.grad``, a rule, an input) is copied first, as there; the
    rest go to ``accumulate_grad``. Called with ``modes._pass_lock`` held."""
    held_elsewhere = _modes.held_elsewhere
    for leaf in leaves:
        share = leaves[leaf]
        if share.__class__ is np.ndarray:
            if held_elsewhere(share):
                share = share.copy()
            elif ((leaf.__class__ is Tensor or leaf.__class__.accumulate_grad is _TENSOR_ACCUMULATE)  # (nn's Parameter)
                  and leaf.grad is None and share.base is None and share.dtype is leaf._data.dtype
                  and share.flags.writeable):
                leaf.grad = share
                continue
        leaf.accumulate_grad(share)


_TENSOR_ACCUMULATE = Tensor.accumulate_grad  # (a subclass that keeps it, as nn's Parameter does, is taken inline too)


def _on_numpy_scalars(node: Node, grad: Any) -> Any:
    from .modes import _on_numpy_scalars as on_numpy_scalars

    return on_numpy_scalars(node, grad)


def _refuse(node: Any) -> None:
    from .modes import refuse_changed_inputs

    refuse_changed_inputs(node)


# Node.backward, which imports modes.run_backward at each call and lets it choose the
# pass: the usual call (no create_graph, no anomaly mode) goes to the fused pass at once.
def backward(self: Node, grad: Any = None, *, create_graph: bool = False, intermediate_grads: bool = True) -> None:
    if create_graph or _modes._anomaly_depth[0] or not self.requires_grad:
        return _modes.run_backward([self], [grad], create_graph=create_graph, intermediate_grads=intermediate_grads)
    seed = _modes.make_seed(self, grad, as_node=False)
    with _modes._pass_lock:  # (one pass at a time writes .grad: see modes._pass_lock)
        add_to_leaves(fused_backpropagate([self], [seed], intermediate_grads, _modes._collector_paused))


backward.__doc__ = Node.backward.__doc__  # (the method it stands in for: help() shows the same)
_modes: Any = None  # autograd.modes, which imports this module (set by install())


# --------------------------------------------------------------------------- 3. shared constants


class SharedNumbers(Generic[N]):
    """Constant nodes for plain numbers, one per value: the same numbers recur (the 2 in
    x ** 2, 0.5 in a loss), and sharing halves the objects an operation leaves behind.
    Zero (whose sign matters) and nan (never equal to itself) get a fresh node each
    time; the table is bounded."""

    def __init__(self, make: Callable[[Any], N], size: int = 1024) -> None:
        self._make, self._size = make, size
        self._nodes: dict[tuple[type, float | int], N] = {}

    def __call__(self, number: float | int) -> N:
        key = (number.__class__, number)
        node = self._nodes.get(key)
        if node is None:
            node = self._make(number)
            if number and number == number:
                if len(self._nodes) >= self._size:
                    self._nodes.clear()
                self._nodes[key] = node
        return node


_value_number = SharedNumbers(value_constant)
_tensor_number = SharedNumbers(lambda number: tensor_constant(number, None))
# their tables, read in place by the operand functions below: a number met before costs
# no Python call (y * 1.0001: 14.3k -> 13.0k instructions); SharedNumbers clears, never replaces, them
_VALUE_NUMBERS, _TENSOR_NUMBERS = _value_number._nodes, _tensor_number._nodes


# --------------------------------------------------------------------------- 2. specialized method bodies


def _value_operand(x: Any) -> Value:
    if x.__class__ is Value:
        return x
    if (x.__class__ is float or x.__class__ is int) and SHARED_CONSTANTS:
        shared = _VALUE_NUMBERS.get((x.__class__, x))
        return _value_number(x) if shared is None else shared
    return x if isinstance(x, Value) else value_constant(x)


def _tensor_operand(x: Any, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if (x.__class__ is float or x.__class__ is int) and SHARED_CONSTANTS:
        shared = _TENSOR_NUMBERS.get((x.__class__, x))
        return _tensor_number(x) if shared is None else shared
    return tensor_constant(x, like)


def _value_result(op: ops.Op, number: float, a: Value, b: Value | None) -> Value:
    # Value.apply's node, with core.record written inline for one or two inputs
    out = _new(Value)
    out.data = number
    out.grad = 0.0
    out.label = ""
    if recording.enabled and (a.requires_grad or (b is not None and b.requires_grad)):
        out.op = op
        out._first_input, out._second_input = a, b
        out.requires_grad = True
    else:
        out.op = None
        out._first_input = out._second_input = None
        out.requires_grad = False
    if forward_watchers:
        core.record(out, op, (a,) if b is None else (a, b), ())  # (anomaly mode watches the plain path)
    return out


def _tensor_result(op: ops.Op, data: Any, a: Tensor, b: Tensor | None, args: tuple) -> Tensor:
    # Tensor.apply's node, with core.record and the inputs' versions written inline
    array = True  # (whether it could be a view of an input's numbers)
    if data.__class__ is not np.ndarray:
        if not isinstance(data, np.generic) or (
                a._data.__class__ in PLAIN_NUMBERS and (b is None or b._data.__class__ in PLAIN_NUMBERS)):
            data = result_number(data, (a, b))  # (a number from plain numbers stays one: tensor.py)
        array = False
    out = _new(Tensor)
    out._data = data
    out._version = 0
    out._aliases = None
    out.grad = None
    out.label = ""
    out.args = ()
    if recording.enabled and (a.requires_grad or (b is not None and b.requires_grad)):
        out.op = op
        out.requires_grad = True
        # (versions that are all 0, as nearly all are, share one constant tuple: one object
        # less per node for the cycle collector)
        out._first_input, out._second_input = a, b
        if b is None:
            out.versions = (a._version,) if a._version else (0,)
        else:
            out.versions = (a._version, b._version) if a._version or b._version else (0, 0)
        if args:
            out.args = args
    else:
        out.op = None
        out._first_input = out._second_input = None
        out.versions = ()
        out.requires_grad = False
    if array and (data.base is not None or data is a._data or (b is not None and data is b._data)):
        share_count_with_inputs(out, (a, b))  # a view, or an input's array itself: of its numbers? (inplace.py)
    if forward_watchers:
        core.record(out, op, (a,) if b is None else (a, b), args)
    return out


def _value_binary(op: ops.Op, reflected: bool) -> Callable[[Any, Any], Value]:
    scalar: Any = op.scalar  # (not None: _give_fast_method gives Value only ops with one)

    def method(a: Any, b: Any) -> Value:
        if reflected:  # b (self) op a
            a, b = _value_operand(b), a
        elif b.__class__ is not Value:
            b = _value_operand(b)
        try:
            number = scalar(a.data, b.data)
        except (ArithmeticError, ValueError):  # NumPy's inf or nan, through the plain path
            return Value.apply(op, (a, b))
        return _value_result(op, number, a, b)
    return method


def _value_unary(op: ops.Op) -> Callable[[Value], Value]:
    scalar: Any = op.scalar  # (not None: _give_fast_method gives Value only ops with one)

    def method(a: Value) -> Value:
        try:
            number = scalar(a.data)
        except (ArithmeticError, ValueError):
            return Value.apply(op, (a,))
        return _value_result(op, number, a, None)
    return method


def _tensor_binary(op: ops.Op, reflected: bool) -> Callable[[Any, Any], Tensor]:
    forward = op.forward

    def method(a: Any, b: Any) -> Tensor:
        if reflected:
            a, b = _tensor_operand(b, a), a
        elif not isinstance(b, Tensor):
            b = _tensor_operand(b, a)
        if OTHER_DTYPES_MADE[0]:  # float32 may meet float64, or a mask a number: PyTorch's promotion, first
            a, b = promoted(masks_as_numbers(op, (a, b)))  # (tensor.py)
        try:
            data = forward(a._data, b._data)
        except ValueError:  # the plain path explains it
            return Tensor.apply(op, (a, b), ())
        return _tensor_result(op, data, a, b, ())
    return method


def _tensor_unary(op: ops.Op) -> Callable[..., Tensor]:
    forward, arguments = op.forward, op.arguments
    if arguments is None:  # x.sigmoid(): no arguments taken, so any given is Python's TypeError
        def method(a: Tensor) -> Tensor:
            if OTHER_DTYPES_MADE[0]:  # (a mask is read as numbers: tensor.masks_as_numbers)
                a, = masks_as_numbers(op, (a,))
            try:
                data = forward(a._data)
            except ValueError:
                return Tensor.apply(op, (a,), ())
            return _tensor_result(op, data, a, None, ())
        return method
    try:  # a call with no arguments (x.sum()): what they read as, worked out once (a built-in
        # op's arguments depend on nothing else): 1,600 instructions less per call
        bare = arguments()
    except (TypeError, ValueError):  # (one that needs arguments: the call explains)
        bare = None

    def method_with_arguments(a: Tensor, *given: Any, **named: Any) -> Tensor:
        args = bare if bare is not None and not given and not named else arguments(*given, **named)
        if OTHER_DTYPES_MADE[0]:
            a, = masks_as_numbers(op, (a,))
        try:
            data = forward(a._data, *args) if args else forward(a._data)
        except ValueError:
            return Tensor.apply(op, (a,), args)
        return _tensor_result(op, data, a, None, args)
    return method_with_arguments


_REVERSED_AXES = [tuple(range(ndim - 1, -1, -1)) for ndim in range(65)]  # (NumPy: at most 64 axes)


def _transposed(a: Tensor) -> Tensor:
    """``t.T``: ``permute`` with the axes reversed, recorded at once, without reading them
    as ``permute``'s arguments (they are right by construction): on a (2, 1) tensor 18,600
    instructions -> 6,800 (callgrind)."""
    data = a._data
    if data.__class__ is not np.ndarray:  # (a NumPy scalar or a constant's number: the plain path)
        return _PLAIN_T(a)
    return _tensor_result(PERMUTE, data.transpose(), a, None, (_REVERSED_AXES[data.ndim],))


def _give_fast_method(op: ops.Op, node_type: type) -> None:
    if op.method is None or op.arity > 2 or (node_type is Value and op.scalar is None):
        return
    name = op.method
    binary, unary = (_value_binary, _value_unary) if node_type is Value else (_tensor_binary, _tensor_unary)
    if op.arity == 2 and name.startswith("__"):
        set_method(node_type, name, binary(op, False))
        set_method(node_type, "__r" + name[2:], binary(op, True))
    elif op.arity == 2 and op.arguments is None:  # x.linear(w), x.maximum(y)
        set_method(node_type, name, binary(op, False))
    elif op.arity == 1 and (node_type is Tensor or op.arguments is None):
        set_method(node_type, name, unary(op))


# --------------------------------------------------------------------------- 4. sigmoid's silenced overflow


def _sigmoid_with_context_variable() -> Callable[[Any], Any] | None:
    """``numeric.sigmoid`` with the overflow warning silenced through the context variable
    that ``np.errstate`` sets, without making an errstate object: 1.3 us less per call
    (2.3 us against 3.6 on a 3-4-2 layer). None where NumPy has no such variable (1.x)."""
    try:
        from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj  # type: ignore[attr-defined]
    except ImportError:
        return None
    get_state, set_state, reset_state = _extobj_contextvar.get, _extobj_contextvar.set, _extobj_contextvar.reset
    # The state made from the last state found, kept with it: a state is never changed,
    # only replaced (np.seterr and np.errstate set a new one), so the same state found
    # again gives the same state made, without making it again (a further 900 instructions).
    last: list[tuple[Any, Any]] = [(None, None)]

    def sigmoid(x: Any) -> Any:
        found, made = last[0]
        if (state := get_state()) is not found:
            made = _make_extobj(over="ignore", under="ignore")  # (what numeric.sigmoid's np.errstate does on entry)
            last[0] = (state, made)
        token = set_state(made)
        try:
            return numeric.overflowing_sigmoid(x)
        finally:
            reset_state(token)
    sigmoid.__doc__ = numeric.sigmoid.__doc__
    return sigmoid


# --------------------------------------------------------------------------- 6. t.data's view kept


_PLAIN_DATA: Any = Tensor.__dict__["data"]  # (the property as tensor.py defines it)


def _kept_view(tensor: Tensor) -> Any:
    """``t.data``, handing out the same watched view each time while it is still of the
    tensor's numbers, rather than making one per read (1,600 instructions)."""
    try:
        view = tensor._view
        if view.base is tensor._data and view._owner() is tensor:  # (a copy of the tensor has its own)
            return view
    except AttributeError:  # none kept yet
        pass
    view = _PLAIN_DATA.fget(tensor)
    if view.__class__ is WatchedArray:
        tensor._view = view
    return view


def _set_data(tensor: Tensor, value: Any) -> None:
    """``t.data = ...``, with the kept view (``t.data -= g`` hands it back) known at once."""
    try:
        if value is tensor._view and value.base is tensor._data:
            tensor._version += 1
            return
    except AttributeError:
        pass
    _PLAIN_DATA.fset(tensor, value)


def _setflags_forgetting(view: WatchedArray, *args: Any, **kwargs: Any) -> None:
    """``t.data.setflags(...)`` (also what ``t.data.flags.writeable = False`` calls): a flag
    set on a view is that view's, so the tensor forgets it as its kept view and the next
    read of ``t.data`` makes another, as the plain property does for every read."""
    reference = getattr(view, "_owner", None)
    tensor = reference() if reference is not None else None
    if tensor is not None and getattr(tensor, "_view", None) is view:
        del tensor._view
    np.ndarray.setflags(view, *args, **kwargs)


# --------------------------------------------------------------------------- 7. x ** 2 squares


def squaring_power(x: Any, exponent: Any) -> Any:
    """``np.power``, with a plain 2 as the exponent taken by ``np.square``: the same numbers
    (NumPy's power loop squares for an exponent of 2; checked bit for bit, in both float
    dtypes, at the extremes, in the tests), faster on a small array (0.87 us -> 0.67 us
    with this call included, np.square alone 0.44 us, on the notebook's (2, 1) error: the
    loss squares it each step)."""
    if exponent.__class__ is int or exponent.__class__ is float:  # (a float base only: np.square
        # makes int8 of a bool mask, where np.power makes int64 or float64)
        if exponent == 2 and (x.__class__ is np.ndarray or x.__class__ is np.float64 or x.__class__ is np.float32) and (
                (dtype := x.dtype) is _F64 or dtype is _F32):  # (.dtype last: it costs 60 ns)
            return np.square(x)
    return np.power(x, exponent)


# --------------------------------------------------------------------------- 8. masks by bits


_plain_select_zero = numeric.select_zero  # (what install() replaces)
_BOOL = np.dtype(bool)
_SAME_WIDTH_INTEGER: dict[Any, Any] = {np.dtype(np.float64): np.dtype(np.int64),
                                       np.dtype(np.float32): np.dtype(np.int32),
                                       np.dtype(np.float16): np.dtype(np.int16)}


def select_zero_by_bits(condition: Any, x: Any) -> Any:
    """``numeric.select_zero`` (``np.where(condition, 0, x)``) for a float array, as x's
    bits ANDed with a mask of all ones where x is kept and all zeros where it is not. The
    same bits as ``np.where`` everywhere (kept numbers as they are, -0.0 and nan's payload
    included; masked ones +0.0, inf and nan too: checked in the tests), with no branch per
    element: ``np.where`` on a scattered mask mispredicts one in two, 260 us -> 50 us on
    the ReLU mask of a 256x256 layer (the MLP benchmark's backward runs two)."""
    integer = _SAME_WIDTH_INTEGER.get(x.dtype) if x.__class__ is np.ndarray and x.ndim else None
    if (integer is None or condition.__class__ is not np.ndarray or condition.dtype != _BOOL
            or condition.shape != x.shape or not (x.flags.c_contiguous and condition.flags.c_contiguous)):
        # (another dtype, a list, a 0-d array, broadcasting, or another layout: np.where's result
        # takes its layout from both, and a sum over it later adds in that order)
        return _plain_select_zero(condition, x)
    mask = np.subtract(condition, 1, dtype=integer)  # True -> 0, False -> -1 (every bit set)
    return np.bitwise_and(x.view(integer), mask, out=mask).view(x.dtype)  # (C order, as np.where's)


# --------------------------------------------------------------------------- 5. inputs in two slots


_TUPLE_INPUTS: Any = Node.__dict__["inputs"]  # the plain layout: the slot holding the inputs tuple
# trick 9: the rules the fused loop writes inline for a Value, known by identity: a rule
# replaced (op.rules = ...), or the trick off, matches neither tuple and runs as given
_ADD_RULES, _MUL_RULES = (ops.ADD.rules, ops.MUL.rules) if INLINE_RULES else (object(), object())
_MANY: Any = object()  # in _first_input: three or more inputs, kept as a tuple in the plain slot


def _inputs(node: Node) -> tuple[Node, ...]:
    first = node._first_input  # (nodes made before install() are laid out by it)
    if first is None:
        return ()
    if first is _MANY:
        return _TUPLE_INPUTS.__get__(node)
    second = node._second_input
    return (first,) if second is None else (first, second)


def _set_inputs(node: Node, inputs: tuple[Node, ...]) -> None:
    if inputs == ():  # a leaf or a constant (each Tensor() made): the usual case, first
        node._first_input = node._second_input = None
        return
    inputs = tuple(inputs)
    if len(inputs) > 2:
        node._first_input, node._second_input = _MANY, None
        _TUPLE_INPUTS.__set__(node, inputs)
    else:
        node._first_input = inputs[0] if inputs else None
        node._second_input = inputs[1] if len(inputs) == 2 else None


# --------------------------------------------------------------------------- 10. freed memory kept


HEAP_UP_TO = 32 << 20  # bytes: arrays up to this size come from the heap (glibc's M_MMAP_THRESHOLD)
KEPT_FREE = 64 << 20  # bytes of freed heap kept for the next allocations (glibc's M_TRIM_THRESHOLD)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # (mallopt's parameter numbers, from glibc's malloc.h)


def _glibc() -> Any:
    """This process's C library when it is glibc (whose ``mallopt`` trick 10 calls), else None."""
    try:
        import ctypes

        library = ctypes.CDLL(None)
    except (ImportError, OSError, TypeError):  # (no ctypes in this Python; Windows: no CDLL(None))
        return None
    return library if hasattr(library, "gnu_get_libc_version") else None


def on_glibc() -> bool:
    """Whether this process's C library is glibc."""
    return _glibc() is not None


def keep_freed_memory() -> bool:
    """glibc's malloc set to what its own adaptive thresholds reach after a 32 MB array:
    arrays up to ``HEAP_UP_TO`` from the heap, and up to ``KEPT_FREE`` of freed memory kept
    in each of malloc's heaps (one per thread that allocates, up to glibc's arena limit)
    rather than given back to the system. A training step lets go of its graph's arrays
    all at once; glibc's defaults (a 128 KiB mmap threshold that rises to the largest array
    freed, a trim threshold of twice that) then give the freed top of the heap back, and
    the next step takes fresh pages again, each zeroed by the system at a page fault. Not
    done where the user set any of glibc's ``MALLOC_*`` variables or malloc tunables, nor
    on another C library. (A program that called ``mallopt`` itself before importing
    autograd has its two thresholds replaced: ``AUTOGRAD_NO_SPEED_TRICKS=memory`` keeps
    them.) Returns whether the settings were made."""
    if any(name.startswith("MALLOC_") for name in os.environ) or \
            "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    library = _glibc()
    if library is None:
        return False
    import ctypes

    mallopt = library.mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, HEAP_UP_TO)) and bool(mallopt(_M_TRIM_THRESHOLD, KEPT_FREE))


def install() -> None:
    """Switch the tricks on: the inputs' layout (5), ``backward()``'s entry to the fused
    loop (1), the kept view (6), sigmoid's error state (4), squaring (7), masks by bits
    (8), freed memory kept (10), and the specialized method bodies (2, with 3)."""
    global _modes
    from . import modes

    _modes = modes
    Node.inputs = property(_inputs, _set_inputs, doc=_TUPLE_INPUTS.__doc__)  # type: ignore[misc, assignment]
    # (type(), not isinstance(): that reads __class__, which some modules' objects answer with a warning)
    made_before = [x for x in gc.get_objects() if issubclass(type(x), Node) and not hasattr(x, "_first_input")]
    for node in made_before:  # (while the package was imported: none, so far)
        _set_inputs(node, _TUPLE_INPUTS.__get__(node))
    if FUSED_LOOP:
        Node.backward = backward  # type: ignore[method-assign]
    if KEPT_VIEW:
        Tensor.data = property(_kept_view, _set_data, doc=_PLAIN_DATA.__doc__)  # type: ignore[method-assign, assignment, misc]
        WatchedArray.setflags = _setflags_forgetting  # type: ignore[method-assign, assignment]
    if SIGMOID_STATE and (sigmoid := _sigmoid_with_context_variable()) is not None:
        ops.SIGMOID.forward = sigmoid
    if SQUARING:
        ops.POW.forward = squaring_power
    if MASKING:
        numeric.select_zero = select_zero_by_bits
    if KEPT_MEMORY:
        keep_freed_memory()
    if not SPECIALIZED_METHODS:
        return
    for op in ops.OPS:
        _give_fast_method(op, Value)
        _give_fast_method(op, Tensor)
    Tensor.T = property(_transposed, doc=_PLAIN_T.__doc__)  # type: ignore[assignment, method-assign]
    # permute's rule inverts its axes on each pass: the same few permutations, remembered
    # (a C cache: 3,500 instructions -> 1,200 for a matrix's)
    more_ops._inverse_permutation = functools.lru_cache(maxsize=256)(more_ops._inverse_permutation)
