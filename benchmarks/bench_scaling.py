"""Benchmark 4: scaling. A chain of N elementwise Tensor operations on a small tensor
(shape (8,), alternately * 1.0001 and + 0.0001), then ``sum().backward()``, for N =
1,000, 10,000 and 100,000: our engine against PyTorch on the CPU.

The cost per node should not grow with N (the engine is linear: an iterative sort, no
per-node recursion, no quadratic structure).

    python benchmarks/bench_scaling.py [--quick] [--rounds N] [--no-write]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

from autograd import Tensor  # noqa: E402

SIZES = (1_000, 10_000, 100_000)


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


def ours(length: int):
    return lambda seed: chain(length, lambda a: Tensor(a, requires_grad=True), seed)


def torch_cpu(length: int):
    def prepare(seed: int):
        torch = harness.optional("torch", "pip install torch")
        return chain(length, lambda a: torch.tensor(a, requires_grad=True), seed)

    return prepare


def main() -> None:
    args = harness.arguments(__doc__.splitlines()[0])
    sizes = (100, 1_000) if args.quick else SIZES
    lines = ["| N | autograd per node | PyTorch per node | autograd × PyTorch |", "|---|---|---|---|"]
    per_node = {}
    for n in sizes:
        rounds = args.rounds or (3 if args.quick else max(5, 2_000_000 // (n * 40)))
        timings = harness.measure([harness.Variant("autograd", ours(n)), harness.Variant("PyTorch CPU", torch_cpu(n))],
                                  rounds=rounds, warmup=1, rtol=1e-12, atol=1e-15)
        mine, theirs = timings
        per_node[n] = mine.median / n
        torch_cell = "absent" if theirs.absent else harness.format_seconds(theirs.median / n)
        ratio = "" if theirs.absent else f"{mine.median / theirs.median:.2f}"
        lines.append(f"| {n:,} | {harness.format_seconds(mine.median / n)} | {torch_cell} | {ratio} |")
    growth = per_node[sizes[-1]] / per_node[sizes[0]]
    body = "\n".join(lines)
    body += (f"\n\nCost per node at N={sizes[-1]:,} is {growth:.2f}x the cost at N={sizes[0]:,} "
             "(goal: at most 1.2x, i.e. linear). Goal: at most half of PyTorch's per-node cost "
             "(a ratio of 0.5 or less).")
    harness.report(args, "scaling", "4. Scaling: chains of N elementwise Tensor ops, forward + backward", body)


if __name__ == "__main__":
    main()
