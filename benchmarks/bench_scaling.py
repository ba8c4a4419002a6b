"""Benchmark 4: scaling. A chain of N elementwise Tensor operations on a small tensor
(shape (8,), alternately * 1.0001 and + 0.0001), then ``sum().backward()``, for N =
1,000, 10,000 and 100,000: our engine against PyTorch on the CPU.

The cost per node should not grow with N (the engine is linear: an iterative sort, no
per-node recursion, no quadratic structure).

    python benchmarks/bench_scaling.py [--quick] [--rounds N] [--no-write] [--baseline DIR]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
BARE = "bare engine (yardstick)"


def chain(length: int, make, seed: int):
    start = np.random.default_rng(seed).normal(size=8)

    def run():
        x = make(start)
        y = x
        for i in range(length):
            y = y * 1.0001 if i % 2 == 0 else y + 0.0001
        y.sum().backward()
        return np.asarray(x.grad)

    return run


def ours(length: int) -> Callable[[harness.Engine, int], harness.Run]:
    return lambda engine, seed: chain(length, lambda a: engine.autograd.Tensor(a, requires_grad=True), seed)


def bare(length: int):
    """The yardstick (bare_engine.py): the same chain on an engine with no checks and no
    features, so that the growth with N any engine of this design pays is measured."""
    def prepare(seed: int):
        from bare_engine import BareTensor, plus, tensor_backward, times, total

        start = np.random.default_rng(seed).normal(size=8)

        def run():
            x = BareTensor(start.copy(), trainable=True)
            y = x
            for i in range(length):
                y = times(y, 1.0001) if i % 2 == 0 else plus(y, 0.0001)
            tensor_backward(total(y))
            return np.asarray(x.grad)
        return run
    return prepare


def torch_cpu(length: int):
    def prepare(seed: int):
        torch = harness.optional("torch", "pip install torch")
        return chain(length, lambda a: torch.tensor(a, requires_grad=True), seed)

    return prepare


def cells(mine: harness.Timing, theirs: harness.Timing, n: int) -> list[str]:
    """An engine's cost per node and its ratio to PyTorch's."""
    return [harness.format_seconds(mine.median / n), "" if theirs.absent else f"{mine.median / theirs.median:.2f}"]


def main() -> None:
    args = harness.arguments(__doc__.splitlines()[0])
    sizes = (100, 1_000) if args.quick else SIZES
    engines = harness.engines(args)
    old = harness.old_name("autograd")
    header = ["N", "autograd per node", "PyTorch per node", "autograd × PyTorch"]
    if len(engines) > 1:
        header += [f"{old} per node", f"{old} × PyTorch", f"autograd × {harness.OLD_LABEL}"]
    header += ["bare yardstick per node", "bare yardstick × PyTorch"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    per_node: dict[str, dict[int, float]] = {}
    per_node_torch: dict[str, dict[int, float]] = {}  # an engine's time over PyTorch's, per N
    for n in sizes:
        rounds = args.rounds or (3 if args.quick else max(5, 2_000_000 // (n * 40)))
        variants = [*harness.on_engines(engines, "autograd", ours(n)), harness.Variant("PyTorch CPU", torch_cpu(n)),
                    harness.Variant(BARE, bare(n))]
        timings = {t.name: t for t in harness.measure(variants, rounds=rounds, warmup=1, rtol=1e-12, atol=1e-15)}
        theirs = timings.pop("PyTorch CPU")
        yardstick = timings.pop(BARE)
        per_node.setdefault(BARE, {})[n] = yardstick.median / n
        if not theirs.absent:
            per_node_torch.setdefault(BARE, {})[n] = yardstick.median / theirs.median
        for name, mine in timings.items():
            per_node.setdefault(name, {})[n] = mine.median / n
        mine = timings["autograd"]
        if not theirs.absent:
            per_node_torch.setdefault("autograd", {})[n] = mine.median / theirs.median
        row = [f"{n:,}", *cells(mine, theirs, n)]
        row.insert(2, "absent" if theirs.absent else harness.format_seconds(theirs.median / n))
        if old in timings:
            row += [*cells(timings[old], theirs, n), f"{mine.median / timings[old].median:.2f}"]
        row += cells(yardstick, theirs, n)
        lines.append("| " + " | ".join(row) + " |")
    body = "\n".join(lines) + "\n"
    for name, costs in per_node.items():
        body += (f"\n{name}: cost per node at N={sizes[-1]:,} is {costs[sizes[-1]] / costs[sizes[0]]:.2f}x "
                 f"the cost at N={sizes[0]:,}.")
    body += ("\n\nGoals: the cost per node at the largest N at most 1.2x the cost at the smallest (linear), "
             "and at most half of PyTorch's per-node cost (a ratio of 0.5 or less).")
    body += ("\n\nThe bare yardstick (bare_engine.py: no checks, no features) is the least an engine "
             "of one Python object per operation can cost; what it pays for a larger N, every such engine pays.")
    growth, floor = (per_node[name][sizes[-1]] / per_node[name][sizes[0]] for name in ("autograd", BARE))
    versus_torch, floor_torch = (per_node_torch.get(name, {}).get(sizes[-1]) for name in ("autograd", BARE))
    body += "\n\n" + harness.goals([
        (f"chains of N elementwise ops: cost per node at N = {sizes[-1]:,} at most 1.2x that at N = {sizes[0]:,}",
         f"{growth:.2f}x (the bare yardstick: {floor:.2f}x)", harness.at_most(growth, 1.2)),
        (f"the same: at most 0.5x PyTorch's cost per node (at N = {sizes[-1]:,})",
         "PyTorch absent" if versus_torch is None else f"{versus_torch:.2f}x (the bare yardstick: {floor_torch:.2f}x)",
         None if versus_torch is None else harness.at_most(versus_torch, 0.5)),
    ])
    harness.report(args, "scaling", "4. Scaling: chains of N elementwise Tensor ops, forward + backward", body)


if __name__ == "__main__":
    main()
