"""Instruction counts of the learners' workloads, ours against the old engine: the same
comparison as the timed benchmarks' "× old engine" column, but deterministic.

Timings on a shared 2-core machine drift by up to 2x between runs; the number of
instructions a workload executes does not (``valgrind --tool=callgrind`` with one BLAS
thread and a fixed hash seed gives the same count twice, whatever else the machine is
doing). Each workload runs in a child process under callgrind once with one timed run and
once with three, so the difference is two runs' worth with the start-up taken out.
Instructions are not time (a cache miss costs more than an add), so this complements the
timed benchmarks rather than replacing them; where the two disagree, say so.

    python benchmarks/instructions.py --baseline /tmp/baseline-fc573f7 [--mlp] [--no-write]

Needs valgrind (Debian: ``apt-get install valgrind``). About 12 minutes on 2 cores (the 100,000-op
chain is most of it), 18 with ``--mlp``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

# name: (benchmark module, how its factory is called, what one run is, how many of those a run holds)
WORKLOADS = {
    "notebook step, raw Tensors": ("bench_notebook", "raw_tensors(engine, 0)", "step", "STEPS"),
    "notebook step, through nn": ("bench_notebook", "through_nn(engine, 0)", "step", "STEPS"),
    "scalar MLP(3, [16, 16, 1]) x 32, forward + backward": ("bench_scalar", "ours(engine, 0)", "run", "1"),
    "micrograd's moons demo step": ("bench_moons", "ours(engine, 0)", "step", "STEPS"),
    "chain of 1,000 Tensor ops": ("bench_scaling", "ours(1_000)(engine, 0)", "op", "1_000"),
    "chain of 100,000 Tensor ops": ("bench_scaling", "ours(100_000)(engine, 0)", "op", "100_000"),
}
MLP_WORKLOADS = {
    f"784-256-256-10 MLP step, {activation}, {how}": ("bench_mlp", f"{factory}(engine, 0, {activation!r})", "step", "1")
    for activation in ("relu", "sigmoid")
    for how, factory in (("through nn", "through_nn"), ("raw Tensors", "raw_tensors"))
}
MLP_WORKLOADS["784-256-256-10 MLP step, hand-written NumPy (for scale)"] = (
    "bench_mlp", "numpy_by_hand(0, 'relu')", "step", "1")

CHILD = """
import sys
sys.path.insert(0, {here!r})
import baseline, {module} as bench
engine = baseline.CURRENT if {tree!r} == "" else baseline.load({tree!r})
run = bench.{factory}
run()  # warm-up: imports, caches
for _ in range({runs}):
    run()
print("per-run", {per})
"""


def count(module: str, factory: str, per: str, tree: str, runs: int) -> tuple[int, int]:
    """Instructions of the child process that makes the workload and runs it ``runs``
    times (after one warm-up), and how many units (steps, ops) one run holds."""
    script = CHILD.format(here=str(HERE), module=module, tree=tree, factory=factory, runs=runs,
                          per=f"bench.{per}" if per.isidentifier() else per)
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONHASHSEED="0")
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           sys.executable, "-c", script], env=env, capture_output=True, text=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if done.returncode or not found:
        raise RuntimeError(f"{module}.{factory} under callgrind failed:\n{done.stderr[-2000:]}")
    units = int(re.search(r"per-run (\d+)", done.stdout).group(1))
    return int(found.group(1)), units


def per_unit(module: str, factory: str, per: str, tree: str) -> float:
    """Instructions per unit of the workload: (three runs - one run) / 2, per unit."""
    (one, units), (three, _) = count(module, factory, per, tree, 1), count(module, factory, per, tree, 3)
    return (three - one) / 2 / units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default=os.environ.get("BENCH_BASELINE"),
                        help="an old copy of the project (e.g. from git archive) to count beside ours")
    parser.add_argument("--mlp", action="store_true", help="also the 784-256-256-10 MLP (slow under valgrind)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave RESULTS.md alone")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("instructions.py needs valgrind (Debian: apt-get install valgrind)")
    workloads = dict(WORKLOADS, **(MLP_WORKLOADS if args.mlp else {}))
    trees = [""] + ([str(Path(args.baseline).resolve())] if args.baseline else [])
    jobs = {(name, tree): (spec, tree) for name, spec in workloads.items() for tree in trees
            if tree == "" or spec[1].startswith(("ours", "raw_tensors", "through_nn"))}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two valgrinds at a time: one per core
        futures = {key: pool.submit(per_unit, spec[0], spec[1], spec[3], tree) for key, (spec, tree) in jobs.items()}
        counts = {key: future.result() for key, future in futures.items()}
    lines = ["| workload | ours: instructions per unit | old engine | × old engine |", "|---|---|---|---|"]
    for name, (_, _, unit, _) in workloads.items():
        ours = counts[(name, "")]
        old = counts.get((name, trees[-1])) if len(trees) > 1 else None
        ratio = f"{ours / old:.3f}" if old else ""
        lines.append(f"| {name} | {ours:,.0f} per {unit} | {f'{old:,.0f}' if old else ''} | {ratio} |")
    body = "\n".join(lines) + (
        "\n\nInstructions counted by `valgrind --tool=callgrind` (one BLAS thread, PYTHONHASHSEED=0): "
        "the same count on every run, unlike timings; × old engine is our count over its count.")
    if args.baseline:
        body += f" Old engine: the project copy in `{args.baseline}`."
    print(body)
    if not args.no_write:
        import harness

        command = "python benchmarks/instructions.py" + (f" --baseline {args.baseline}" if args.baseline else "") + \
            (" --mlp" if args.mlp else "")
        harness.write_section("instructions", "Instruction counts, ours against the old engine (deterministic)",
                              body, command)


if __name__ == "__main__":
    main()
