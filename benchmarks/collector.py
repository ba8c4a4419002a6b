"""What Python's cycle collector costs each engine on the workloads that build big graphs:
each workload timed with the collector on and off, and, with it on, how many collections
of each generation ran and how long they took (``gc.callbacks``).

A node the collector tracks is visited by every collection that runs while it is alive;
a graph of N nodes built in a forward pass triggers collections in proportion to the
objects it allocates, and the full ones walk the whole graph. So an engine whose node is
two tracked objects (the node and its ``inputs`` tuple) pays about four times what an
engine whose node is one object pays: twice the collections, each walking twice the
objects. This script measures that, ours beside the old engine in one process.

    python benchmarks/collector.py --baseline /tmp/baseline-fc573f7 [--rounds N] [--no-write]
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_moons  # noqa: E402
import bench_scalar  # noqa: E402
import bench_scaling  # noqa: E402
import harness  # noqa: E402

WORKLOADS = {  # name: (make a run for an engine, what one run is)
    "micrograd's moons demo, 5 steps and a collection": (lambda engine: bench_moons.ours(engine, 0), "run"),
    "scalar MLP(3, [16, 16, 1]) x 32, forward + backward": (lambda engine: bench_scalar.ours(engine, 0), "run"),
    "chain of 100,000 Tensor ops": (lambda engine: bench_scaling.ours(100_000)(engine, 0), "run"),
}


class Collections:
    """Counts and times the collections of each generation while it is installed."""

    def __init__(self) -> None:
        self.count, self.seconds, self._started = [0, 0, 0], [0.0, 0.0, 0.0], 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            generation = info["generation"]
            self.count[generation] += 1
            self.seconds[generation] += time.perf_counter() - self._started


def timed(run, collector_on: bool, collections: Collections | None = None) -> float:
    gc.collect()
    (gc.enable if collector_on else gc.disable)()
    if collections is not None:
        gc.callbacks.append(collections)
    try:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started
    finally:
        if collections is not None:
            gc.callbacks.remove(collections)
        gc.enable()


def main() -> None:
    args = harness.arguments(__doc__.splitlines()[0])
    rounds = args.rounds or (1 if args.quick else 7)
    engines = harness.engines(args)
    lines = ["| workload | engine | collector on | collector off | on / off | collections per run "
             "(young, middle, full) | time in them per run |", "|---|---|---|---|---|---|---|"]
    for name, (make, _) in WORKLOADS.items():
        if args.quick and "100,000" in name:
            continue
        runs = {engine.label or "ours": make(engine) for engine in engines}
        for run in runs.values():
            run()  # warm-up
        on: dict[str, list[float]] = {label: [] for label in runs}
        off: dict[str, list[float]] = {label: [] for label in runs}
        counted = {label: Collections() for label in runs}
        for _ in range(rounds):  # interleaved: drift hits every engine alike
            for label, run in runs.items():
                on[label].append(timed(run, True, counted[label]))
                off[label].append(timed(run, False))
        for label in runs:
            seen = counted[label]
            median_on, median_off = statistics.median(on[label]), statistics.median(off[label])
            per_run = ", ".join(f"{n / rounds:.1f}" for n in seen.count)
            lines.append(f"| {name} | {label} | {harness.format_seconds(median_on)} | "
                         f"{harness.format_seconds(median_off)} | {median_on / median_off:.2f} | {per_run} | "
                         f"{harness.format_seconds(sum(seen.seconds) / rounds)} |")
    body = "\n".join(lines) + (
        f"\n\nMedians of {rounds} interleaved rounds per engine, each run from a collected heap; the collections "
        "are counted and timed with gc.callbacks in the rounds with the collector on.")
    if args.baseline:
        body += f" Old engine: the project copy in `{args.baseline}`."
    print(body)
    if not args.no_write and not args.quick:
        command = "python benchmarks/collector.py" + (f" --baseline {args.baseline}" if args.baseline else "")
        harness.write_section("collector", "The cycle collector's share (timed with it on and off)", body, command)


if __name__ == "__main__":
    main()
