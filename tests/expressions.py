"""Random expression graphs for property tests, built by hypothesis.

A program is a list of leaves and a list of steps; each step applies one expression
to earlier nodes (any earlier node, so nodes get reused and graphs have diamonds).
Every expression is written with operators and method names that our Value/Tensor
and torch tensors share, so one program runs on both and the results can be compared.
Domain-sensitive ops are guarded (log of x*x + 1, division by b*b + 1) so most graphs
stay finite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from hypothesis import strategies as st

# name -> (number of operands, expression)
ELEMENTWISE: dict[str, tuple[int, Callable[..., Any]]] = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "div": (2, lambda a, b: a / (b * b + 1)),
    "rdiv": (1, lambda a: 2.0 / (a * a + 0.5)),
    "square": (1, lambda a: a**2),
    "cube": (1, lambda a: a**3),
    "pow": (2, lambda a, b: (a * a + 1) ** b.tanh()),
    "rpow": (1, lambda a: 1.5 ** a.tanh()),
    "neg": (1, lambda a: -a),
    "exp": (1, lambda a: a.exp()),
    "log": (1, lambda a: (a * a + 1).log()),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "relu": (1, lambda a: a.relu()),
    "scale": (1, lambda a: 0.5 * a - 1.0),
}
REDUCTIONS: dict[str, tuple[int, Callable[..., Any]]] = {
    "sum_last": (1, lambda a: a.sum(axis=-1, keepdims=True) if a.ndim else a),
    "mean_last": (1, lambda a: a.mean(axis=-1, keepdims=True) if a.ndim else a),
    "sum_all": (1, lambda a: a.sum()),
    "mean_all": (1, lambda a: a.mean()),
}
# Any two of these broadcast together, and reductions with keepdims stay inside.
SHAPES = [(), (4,), (1, 4), (3, 1), (3, 4), (2, 1, 1), (2, 3, 4), (2, 1, 4)]


@dataclass
class Program:
    leaves: list[Any]  # floats (Value programs) or arrays (Tensor programs)
    steps: list[tuple[str, tuple[int, ...]]]
    weights: list[float]

    def run(self, leaves: list[Any], table: dict[str, tuple[int, Callable]]) -> tuple[list[Any], Any]:
        """All nodes, and the loss: a weighted sum over every node (so each matters)."""
        nodes = list(leaves)
        for name, operands in self.steps:
            nodes.append(table[name][1](*(nodes[i] for i in operands)))
        loss = None
        for weight, node in zip(self.weights, nodes):
            term = (node.sum() if hasattr(node, "sum") else node) * weight
            loss = term if loss is None else loss + term
        return nodes, loss


@st.composite
def programs(draw, tensor: bool, max_leaves: int = 3, max_steps: int = 8) -> Program:
    table = {**ELEMENTWISE, **(REDUCTIONS if tensor else {})}
    n_leaves = draw(st.integers(1, max_leaves))
    numbers = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
    if tensor:
        leaves = []
        for _ in range(n_leaves):
            shape = draw(st.sampled_from(SHAPES))
            seed = draw(st.integers(0, 2**32 - 1))
            leaves.append(np.random.default_rng(seed).uniform(-2, 2, size=shape))
    else:
        leaves = [draw(numbers) for _ in range(n_leaves)]
    steps = []
    for k in range(draw(st.integers(1, max_steps))):
        name = draw(st.sampled_from(sorted(table)))
        available = n_leaves + k
        operands = tuple(draw(st.integers(0, available - 1)) for _ in range(table[name][0]))
        steps.append((name, operands))
    weights = [draw(st.floats(0.5, 1.5)) for _ in range(n_leaves + len(steps))]
    return Program(leaves, steps, weights)


def table_for(tensor: bool) -> dict[str, tuple[int, Callable[..., Any]]]:
    return {**ELEMENTWISE, **(REDUCTIONS if tensor else {})}
