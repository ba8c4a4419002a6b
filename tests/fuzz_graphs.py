"""Differential fuzzing: random computation graphs, run on our engine and on PyTorch
(float64), compared value by value and gradient by gradient.

A graph is a list of leaves and a list of steps, each applying one operation to earlier
nodes (so nodes are reused: diamonds, long chains). Every operation the engine has can
appear, on tensors from 0-d to 4-d with size-1 axes; the operands of binary operations
are picked, or made, to broadcast together. Leaves sometimes hold exact 0s and 1s, where
the conventions of relu, pow, log and division are tested.

Values and gradients agree within 1e-8 of the magnitudes involved: a node's own and its
inputs' for values, the largest gradient in the graph for a leaf's gradient (it is a sum
of terms that large, and where they cancel only their rounding is left; both engines
are right then, differently).

The generator takes its decisions from a ``Chooser``: hypothesis in the test suite (so
failures shrink to a minimal graph), a seeded ``random.Random`` in the long run
(``make fuzz``, ``python tests/fuzz_graphs.py --graphs 20000``).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, Value

Shape = tuple[int, ...]


class Chooser:
    """Where the generator's decisions come from."""

    def integer(self, low: int, high: int) -> int:  # inclusive
        raise NotImplementedError

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        return self.integer(1, 100) <= percent


class RandomChooser(Chooser):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class HypothesisChooser(Chooser):
    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))


@dataclass
class Step:
    op: str
    operands: tuple[int, ...]
    args: tuple = ()


@dataclass
class Graph:
    """Steps in order; a step ("leaf", (), (k,)) makes a node of ``leaves[k]``."""

    leaves: list[np.ndarray] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    def add_leaf(self, values: np.ndarray) -> None:
        self.steps.append(Step("leaf", (), (len(self.leaves),)))
        self.leaves.append(values)

    @property
    def operations(self) -> int:
        return sum(1 for s in self.steps if s.op != "leaf")

    def __str__(self) -> str:
        lines = []
        for k, s in enumerate(self.steps):
            if s.op == "leaf":
                leaf = self.leaves[s.args[0]]
                lines.append(f"node {k}: leaf {leaf.shape} = {np.array2string(leaf, precision=17)}")
            else:
                lines.append(f"node {k}: {s.op}{s.operands} {s.args if s.args else ''}")
        return "\n".join(lines)


# ---- the operations, each written once for both engines where the spelling agrees

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: a.maximum(b),  # ties (exact 0s and 1s) split the gradient in halves
    "minimum": lambda a, b: a.minimum(b),
}
SINGULAR_AT_ZERO = {"log", "sqrt", "sqrt()", "reciprocal"}
UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "square": lambda x: x**2,
    "sqrt": lambda x: x**0.5,
    "scale": lambda x: 0.5 * x - 1.5,
    "reciprocal": lambda x: 1.0 / x,
    "sqrt()": lambda x: x.sqrt(),
    "abs": lambda x: abs(x),  # abs'(0) = 0
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "gelu": lambda x: x.gelu() if isinstance(x, (Tensor, Value)) else _functional().gelu(x),
}


def _functional() -> Any:
    import torch

    return torch.nn.functional


def _all_axes(reduce: Callable[..., Any]) -> Callable[..., Any]:
    """torch's spelling of a reduction with our axis=None: every axis (a 0-d tensor has none)."""
    def call(x: Any, axis: Any, keep: bool, *more: Any) -> Any:
        if axis is not None:
            return reduce(x, axis, keep, *more)
        out = reduce(x.reshape(-1), 0, False, *more)
        return out.reshape((1,) * x.ndim) if keep else out
    return call


def _torch_index(index: Any) -> Any:
    import torch

    if isinstance(index, np.ndarray):
        return torch.from_numpy(index)
    return index


SHAPED = {  # operations whose spelling differs between the engines: (ours, torch)
    "sum": (lambda x, axis, keep: x.sum(axis=axis, keepdims=keep),
            lambda x, axis, keep: x.sum(dim=axis, keepdim=keep) if axis is not None else
            (x.sum().reshape((1,) * x.ndim) if keep else x.sum())),
    "mean": (lambda x, axis, keep: x.mean(axis=axis, keepdims=keep),
             lambda x, axis, keep: x.mean(dim=axis, keepdim=keep) if axis is not None else
             (x.mean().reshape((1,) * x.ndim) if keep else x.mean())),
    "reshape": (lambda x, shape: x.reshape(shape), lambda x, shape: x.reshape(shape)),
    "transpose": (lambda x, axes: x.permute(*axes), lambda x, axes: x.permute(axes)),
    "broadcast_to": (lambda x, shape: x.broadcast_to(shape), lambda x, shape: x.broadcast_to(shape)),
    "index": (lambda x, index: x[index], lambda x, index: x[_torch_index(index)]),
    "matmul": (lambda a, b: a @ b, lambda a, b: a @ b),
    "linear": (lambda x, w: x.linear(w), lambda x, w: x @ w.T),
    "max": (lambda x, axis, keep: x.max(axis=axis, keepdims=keep),
            _all_axes(lambda x, axis, keep: x.amax(dim=axis, keepdim=keep))),
    "min": (lambda x, axis, keep: x.min(dim=axis, keepdim=keep),
            _all_axes(lambda x, axis, keep: x.amin(dim=axis, keepdim=keep))),
    "var": (lambda x, axis, keep, c: x.var(axis=axis, keepdims=keep, correction=c),
            _all_axes(lambda x, axis, keep, c: x.var(dim=axis, keepdim=keep, correction=c))),
    "std": (lambda x, axis, keep, c: x.std(dim=axis, keepdim=keep, correction=c),
            _all_axes(lambda x, axis, keep, c: x.std(dim=axis, keepdim=keep, correction=c))),
    "logsumexp": (lambda x, axis, keep: x.logsumexp(axis=axis, keepdims=keep),
                  _all_axes(lambda x, axis, keep: x.logsumexp(dim=axis, keepdim=keep))),
    "softmax": (lambda x, axis: x.softmax(axis), lambda x, axis: x.softmax(axis)),
    "log_softmax": (lambda x, axis: x.log_softmax(dim=axis), lambda x, axis: x.log_softmax(dim=axis)),
    "clip": (lambda x, low, high: x.clip(low, high), lambda x, low, high: x.clamp(low, high)),
    "leaky_relu": (lambda x, slope: x.leaky_relu(slope), lambda x, slope: _functional().leaky_relu(x, slope)),
    "softplus": (lambda x, beta, threshold: x.softplus(beta, threshold),
                 lambda x, beta, threshold: _functional().softplus(x, beta, threshold)),
    "where": (lambda a, b: a.where(a > 0, b), lambda a, b: a.where(a > 0, b)),
    "flatten": (lambda x, start, end: x.flatten(start, end), lambda x, start, end: x.flatten(start, end)),
    "squeeze": (lambda x, dim: x.squeeze(dim), lambda x, dim: x.squeeze() if dim is None else x.squeeze(dim)),
    "unsqueeze": (lambda x, dim: x.unsqueeze(dim), lambda x, dim: x.unsqueeze(dim)),
    "cat": (lambda a, b, dim: autograd.cat([a, b], dim), lambda a, b, dim: _torch().cat([a, b], dim)),
    "stack": (lambda a, b, dim: autograd.stack([a, b], dim), lambda a, b, dim: _torch().stack([a, b], dim)),
}


def _torch() -> Any:
    import torch

    return torch


def _operation(step: Step, torch: bool) -> Callable[..., Any]:
    if step.op in BINARY:
        return BINARY[step.op]
    if step.op in UNARY:
        return UNARY[step.op]
    ours, theirs = SHAPED[step.op]
    function = theirs if torch else ours
    return lambda *nodes: function(*nodes, *step.args)


# ---- building a random graph


def _leaf_values(chooser: Chooser, shape: Shape) -> np.ndarray:
    rng = np.random.default_rng(chooser.integer(0, 2**31))
    values = rng.uniform(-2.0, 2.0, size=shape)
    if chooser.chance(30):  # exact zeros and ones: where the conventions differ
        special = rng.random(size=shape) < 0.3
        values = np.where(special, rng.choice([0.0, 1.0, -1.0], size=shape), values)
    return values


def _random_shape(chooser: Chooser, max_ndim: int = 4) -> Shape:
    return tuple(chooser.integer(1, 3) for _ in range(chooser.integer(0, max_ndim)))


def _broadcastable_to(chooser: Chooser, shape: Shape) -> Shape:
    """A shape that broadcasts against ``shape``: some leading axes dropped, some axes 1."""
    kept = shape[chooser.integer(0, len(shape)):]
    return tuple(1 if chooser.chance(30) else n for n in kept)


def _broadcasts(a: Shape, b: Shape) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


class Builder:
    """Builds a graph step by step, running our engine alongside to know every shape."""

    def __init__(self, chooser: Chooser) -> None:
        self.chooser = chooser
        self.graph = Graph()
        self.nodes: list[Tensor] = []

    def leaf(self, shape: Shape) -> int:
        values = _leaf_values(self.chooser, shape)
        self.graph.add_leaf(values)
        self.nodes.append(Tensor(values, requires_grad=True))
        return len(self.nodes) - 1

    def apply(self, step: Step) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = _operation(step, torch=False)(*(self.nodes[i] for i in step.operands))
        self.graph.steps.append(step)
        self.nodes.append(out)

    def partner(self, shape: Shape) -> int:
        """A node whose shape broadcasts with ``shape`` (an existing one, or a new leaf)."""
        fitting = [i for i, node in enumerate(self.nodes) if _broadcasts(node.shape, shape)]
        if fitting and self.chooser.chance(70):
            return self.chooser.choice(fitting)
        return self.leaf(_broadcastable_to(self.chooser, shape))

    def random_step(self) -> None:
        c = self.chooser
        x = c.integer(0, len(self.nodes) - 1)
        shape = self.nodes[x].shape
        kind = c.choice(["binary", "binary", "unary", "unary", "shaped"])
        if kind == "binary":
            operands = (x, self.partner(shape)) if c.chance(50) else (self.partner(shape), x)
            op = c.choice(sorted(BINARY))
            if op in ("div", "pow") and self.has_zero(operands[1 if op == "div" else 0]):
                op = "mul"
            self.apply(Step(op, operands))
        elif kind == "unary":
            self.unary_step(x)
        else:
            self.shaped_step(x, shape)

    def unary_step(self, x: int) -> None:
        op = self.chooser.choice(sorted(UNARY))
        if op in SINGULAR_AT_ZERO and self.has_zero(x):
            op = "neg"
        self.apply(Step(op, (x,)))

    def has_zero(self, i: int) -> bool:
        # At an exact zero these ops answer +-inf, and the sign comes from the sign of the
        # zero, which depends on how a kernel summed (BLAS turns -0.0 into 0.0, PyTorch
        # may not): both engines are right, differently. Exact zeros still meet relu,
        # pow's exponent, multiplication and every other op.
        return bool(np.any(self.nodes[i].data == 0))

    def shaped_step(self, x: int, shape: Shape) -> None:
        c = self.chooser
        ndim = len(shape)
        op = c.choice(sorted(SHAPED))
        if op in ("sum", "mean", "max", "min", "logsumexp", "var", "std"):
            if ndim == 0 or c.chance(25):
                axis = None
            else:
                axes = tuple(sorted({c.integer(-ndim, ndim - 1) % ndim for _ in range(c.integer(1, ndim))}))
                axis = axes[0] if len(axes) == 1 and c.chance(50) else axes
            args = (axis, c.chance(50))
            if op in ("var", "std"):  # correction 1 needs two numbers or more
                count = math.prod(shape) if axis is None else math.prod(shape[a] for a in np.atleast_1d(axis))
                args += (c.choice([0, 1]) if count > 1 else 0,)
            self.apply(Step(op, (x,), args))
        elif op in ("softmax", "log_softmax"):
            self.apply(Step(op, (x,), (c.integer(-ndim, ndim - 1) if ndim else 0,)))
        elif op == "clip":
            low, high = c.choice([(-1.0, 1.0), (0.0, None), (None, 0.5), (-0.5, 0.0)])  # exact 0s and 1s on the edges
            self.apply(Step(op, (x,), (low, high)))
        elif op == "leaky_relu":
            self.apply(Step(op, (x,), (c.choice([0.01, 0.2, -0.5]),)))
        elif op == "softplus":
            self.apply(Step(op, (x,), c.choice([(1.0, 20.0), (2.0, 1.0), (0.5, 0.25)])))  # past the threshold too
        elif op == "where":
            self.apply(Step(op, (x, self.partner(shape)) if c.chance(50) else (self.partner(shape), x)))
        elif op == "flatten":
            start = c.integer(0, max(0, ndim - 1))
            self.apply(Step(op, (x,), (start, c.integer(start, max(start, ndim - 1)) - (ndim if c.chance(30) else 0))))
        elif op == "squeeze":
            self.apply(Step(op, (x,), (None if ndim == 0 or c.chance(30) else c.integer(-ndim, ndim - 1),)))
        elif op == "unsqueeze":
            self.apply(Step(op, (x,), (c.integer(-ndim - 1, ndim),)))
        elif op == "cat" and ndim >= 1:
            axis = c.integer(-ndim, ndim - 1)
            other = list(shape)
            other[axis] = c.integer(1, 3)
            self.apply(Step(op, (x, self.leaf(tuple(other))) if c.chance(50) else (self.leaf(tuple(other)), x),
                            (axis,)))
        elif op == "stack":
            same = [i for i, node in enumerate(self.nodes) if node.shape == shape]
            self.apply(Step(op, (x, c.choice(same)), (c.integer(-ndim - 1, ndim),)))
        elif op == "reshape":
            size = math.prod(shape)
            options = [(size,), (1, size), (size, 1), shape + (1,), (1,) + shape]
            if size == 1:
                options.append(())
            self.apply(Step(op, (x,), (c.choice(options),)))
        elif op == "transpose" and ndim >= 2:
            axes = list(range(ndim))
            for i in range(ndim - 1, 0, -1):
                j = c.integer(0, i)
                axes[i], axes[j] = axes[j], axes[i]
            self.apply(Step(op, (x,), (tuple(axes),)))
        elif op == "broadcast_to":
            target = tuple(n if n != 1 else c.integer(1, 3) for n in shape)
            target = tuple(c.integer(1, 2) for _ in range(c.integer(0, max(0, 4 - ndim)))) + target
            self.apply(Step(op, (x,), (target,)))
        elif op == "index" and ndim >= 1:
            first = shape[0]
            if c.chance(50):
                index = np.array([c.integer(0, first - 1) for _ in range(c.integer(1, 4))])  # repeats add up
            elif c.chance(50):
                index = c.integer(-first, first - 1)
            else:
                index = slice(c.integer(0, first - 1), None, c.choice([1, 2]))
            self.apply(Step(op, (x,), (index,)))
        elif op == "matmul" and ndim >= 1:
            k = shape[-1]
            if ndim == 1:
                other = c.choice([(k,), (k, c.integer(1, 3)), (c.integer(1, 2), k, c.integer(1, 3))])
            else:
                other = c.choice([(k,), (k, c.integer(1, 3)), shape[:-2] + (k, c.integer(1, 3))])
            w = self.leaf(other)
            self.apply(Step(op, (x, w)))
        elif op == "linear" and ndim >= 1:
            w = self.leaf((c.integer(1, 3), shape[-1]))
            self.apply(Step(op, (x, w)))
        else:
            self.unary_step(x)


def tensor_graph(chooser: Chooser, max_steps: int = 10) -> Graph:
    builder = Builder(chooser)
    for _ in range(chooser.integer(1, 3)):
        builder.leaf(_random_shape(chooser))
    steps = chooser.integer(1, max_steps)
    if chooser.chance(10):  # now and then a long chain
        steps = chooser.integer(20, 60)
    for _ in range(steps):
        builder.random_step()
    return builder.graph


def value_graph(chooser: Chooser, max_steps: int = 12) -> Graph:
    graph = Graph()
    values: list[Value] = []
    for _ in range(chooser.integer(1, 3)):
        graph.add_leaf(_leaf_values(chooser, ()))
        values.append(Value(float(graph.leaves[-1])))
    for _ in range(chooser.integer(1, max_steps)):
        count = len(graph.steps)
        if chooser.chance(50):
            op = chooser.choice(sorted(BINARY))
            operands = (chooser.integer(0, count - 1), chooser.integer(0, count - 1))
            if op in ("div", "pow") and values[operands[1 if op == "div" else 0]].data == 0:
                op = "mul"  # see Builder.has_zero
        else:
            op = chooser.choice(sorted(UNARY))
            operands = (chooser.integer(0, count - 1),)
            if op in SINGULAR_AT_ZERO and values[operands[0]].data == 0:
                op = "neg"
        step = Step(op, operands)
        graph.steps.append(step)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            values.append(_operation(step, torch=False)(*(values[i] for i in operands)))
    return graph


# ---- running and comparing


def _weights(graph: Graph, shapes: list[Shape]) -> list[np.ndarray]:
    rng = np.random.default_rng(len(graph.steps) * 7919 + len(graph.leaves))
    return [rng.uniform(0.5, 1.5, size=shape) for shape in shapes]


def _run(graph: Graph, make_leaf: Callable[[np.ndarray], Any], torch: bool) -> tuple[list[Any], list[Any], Any]:
    leaves: list[Any] = []
    nodes: list[Any] = []
    for step in graph.steps:
        if step.op == "leaf":
            leaves.append(make_leaf(graph.leaves[step.args[0]]))
            nodes.append(leaves[-1])
        else:
            nodes.append(_operation(step, torch)(*(nodes[i] for i in step.operands)))
    return leaves, nodes, None


def _weighted_sum(graph: Graph, nodes: list[Any], scalar: bool, to_weight: Callable[[np.ndarray], Any]) -> Any:
    loss = None
    for node, weight in zip(nodes, _weights(graph, [tuple(np.shape(n.data)) for n in nodes])):
        term = node * float(weight) if scalar else (node * to_weight(weight)).sum()
        loss = term if loss is None else loss + term
    return loss


def run_ours(graph: Graph, scalar: bool) -> tuple[list[Any], list[Any], float]:
    """Every node's value and every leaf's gradient, from our engine; and the largest
    gradient anywhere in the graph (a leaf's gradient sums terms of up to that size)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leaves, nodes, _ = _run(graph, (lambda x: Value(float(x))) if scalar else
                                (lambda x: Tensor(x, requires_grad=True)), torch=False)
        _weighted_sum(graph, nodes, scalar, lambda w: w).backward()
    grads = [np.asarray(n.grad, dtype=float) for n in nodes if n.grad is not None]
    largest = max((float(np.max(np.abs(g[np.isfinite(g)]), initial=0.0)) for g in grads), default=0.0)
    return [np.asarray(n.data, dtype=float) for n in nodes], [np.asarray(x.grad, dtype=float) for x in leaves], largest


def run_torch(graph: Graph, scalar: bool) -> tuple[list[Any], list[Any]]:
    import torch

    leaves, nodes, _ = _run(graph, lambda x: torch.tensor(x, dtype=torch.float64, requires_grad=True), torch=True)
    for node in nodes:
        node.data_for_weights = node  # torch tensors have .data too; shapes are what count
    _weighted_sum(graph, nodes, scalar, torch.from_numpy).backward()
    grads = [x.grad.numpy() if x.grad is not None else np.zeros(tuple(x.shape)) for x in leaves]
    return [n.detach().numpy() for n in nodes], grads


def close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-8, scale: float = 1.0) -> bool:
    """Equal within rtol of the magnitudes involved (the largest in the array, or
    ``scale`` if larger: sums of large terms that cancel keep only their rounding), with
    nan matching nan and inf matching the same inf."""
    if ours.shape != theirs.shape:
        return False
    both_nan = np.isnan(ours) & np.isnan(theirs)
    finite = np.isfinite(ours) & np.isfinite(theirs)
    same_inf = np.isinf(ours) & (ours == theirs)
    if not np.all(both_nan | finite | same_inf):
        return False
    if not np.any(finite):
        return True
    scale = max(1.0, scale, float(np.max(np.abs(np.where(finite, theirs, 0.0)))))
    difference = np.abs(np.where(finite, ours, 0.0) - np.where(finite, theirs, 0.0))
    return bool(np.all(difference <= rtol * scale))


@dataclass
class Tally:
    graphs: int = 0
    operations: int = 0
    values: int = 0
    gradients: int = 0
    mismatches: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.graphs:,} graphs, {self.operations:,} operations, {self.values:,} values and "
                f"{self.gradients:,} gradient elements compared; {len(self.mismatches)} mismatches")


def compare_with_torch(graph: Graph, scalar: bool, tally: Tally | None = None) -> str | None:
    """None when our engine and PyTorch agree on every value and gradient; else why not."""
    ours_values, ours_grads, largest_gradient = run_ours(graph, scalar)
    torch_values, torch_grads = run_torch(graph, scalar)
    if tally is not None:
        tally.graphs += 1
        tally.operations += graph.operations
        tally.values += sum(v.size for v in ours_values)
        tally.gradients += sum(g.size for g in ours_grads)
    for k, (mine, theirs) in enumerate(zip(ours_values, torch_values)):
        step = graph.steps[k]
        inputs = max((float(np.max(np.abs(ours_values[i][np.isfinite(ours_values[i])]), initial=0.0))
                      for i in step.operands), default=0.0)
        if not close(mine, theirs, scale=inputs):
            return f"node {k} value differs:\n{_differences(mine, theirs)}"
    for k, (mine, theirs) in enumerate(zip(ours_grads, torch_grads)):
        if not close(mine, theirs, scale=largest_gradient):
            return f"gradient of leaf {k} differs:\n{_differences(mine, theirs)}"
    return None


def _differences(ours: np.ndarray, theirs: np.ndarray) -> str:
    if ours.shape != theirs.shape:
        return f"shapes {ours.shape} and {theirs.shape}"
    with np.errstate(invalid="ignore"):
        differ = ~((ours == theirs) | (np.isnan(ours) & np.isnan(theirs)) | np.isclose(ours, theirs, rtol=1e-8))
    rows = [f"  at {tuple(int(i) for i in index)}: ours {ours[tuple(index)]!r}, torch {theirs[tuple(index)]!r}"
            for index in np.argwhere(differ)[:5]] if ours.ndim else [f"  ours {ours!r}, torch {theirs!r}"]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description="Long differential fuzzing run against PyTorch.")
    parser.add_argument("--graphs", type=int, default=20_000, help="tensor graphs (and as many scalar ones)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    started = time.perf_counter()
    for scalar in (False, True):
        tally = Tally()
        rng = random.Random(args.seed)
        for n in range(args.graphs):
            chooser = RandomChooser(rng)
            graph = value_graph(chooser) if scalar else tensor_graph(chooser)
            problem = compare_with_torch(graph, scalar, tally)
            if problem:
                tally.mismatches.append(f"graph {n}:\n{graph}\n{problem}")
                print(tally.mismatches[-1], file=sys.stderr)
        kind = "scalar Value" if scalar else "Tensor"
        print(f"{kind} graphs: {tally}  ({time.perf_counter() - started:.0f} s so far)")
        if tally.mismatches:
            sys.exit(1)


if __name__ == "__main__":
    main()
