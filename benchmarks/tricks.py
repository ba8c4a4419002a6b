"""What each speed trick of autograd/fast.py buys: the learners' workloads timed with all
tricks on, with each trick off in turn, and with none, in one run (interleaved
subprocesses, best of several rounds). Writes the "Speed tricks" table of RESULTS.md.

    python benchmarks/tricks.py [--rounds N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = {"all tricks": "", "no fused loop": "fused", "no specialized methods": "methods",
            "no shared constants": "constants", "no sigmoid state": "sigmoid", "no kept view": "view",
            "no squaring": "square", "no masks by bits": "mask",
            "no inline scalar rules": "inline", "no kept memory": "memory",
            "no tricks (plain engine)": "1"}

WORKLOADS = r'''
import json, random, sys, time
import numpy as np
import nn
from autograd import Tensor

def best(f, n):
    times = []
    for _ in range(n):
        t = time.perf_counter(); f(); times.append(time.perf_counter() - t)
    return min(times)

random.seed(0)
model = nn.MLP(3, [16, 16, 1], activation="relu")
xs = [[random.uniform(-1, 1) for _ in range(3)] for _ in range(32)]
def scalar_step():
    loss = sum(((model(x) - 1.0) ** 2 for x in xs), start=0.0)
    model.zero_grad(); loss.backward()

rng = np.random.default_rng(0)
W1 = Tensor(rng.normal(size=(4, 3)), requires_grad=True); W2 = Tensor(rng.normal(size=(2, 4)), requires_grad=True)
x, y = Tensor(rng.normal(size=(3, 1))), Tensor(rng.normal(size=(2, 1)))
def notebook_steps():
    for _ in range(100):
        out = (W2 @ (W1 @ x).sigmoid()).sigmoid()
        loss = 0.5 * ((y - out) ** 2).sum()
        W1.grad = W2.grad = None
        loss.backward()
        W1.data -= 0.1 * W1.grad; W2.data -= 0.1 * W2.grad

c = Tensor(rng.normal(size=8), requires_grad=True)
def chain():
    z = c
    for _ in range(5000):
        z = (z * 1.0001).tanh()
    z.sum().backward()

batch, target = Tensor(rng.normal(size=(256, 784))), Tensor(rng.normal(size=(256, 10)))
big = nn.Sequential(nn.Linear(784, 256, rng=0), nn.ReLU(), nn.Linear(256, 256, rng=1), nn.ReLU(),
                    nn.Linear(256, 10, rng=2))
def relu_mlp_step():
    big.zero_grad()
    nn.mse_loss(big(batch), target).backward()

n = int(sys.argv[1])
print(json.dumps({"scalar MLP step (ms)": best(scalar_step, n) * 1e3,
                  "notebook step (us)": best(notebook_steps, n) * 1e4,
                  "10,000-op Tensor chain (ms)": best(chain, n) * 1e3,
                  "784-256-256-10 ReLU MLP step (ms)": best(relu_mlp_step, n) * 1e3}))
'''


# Each setting runs in processes of its own, and two processes of the same code differ by a
# few percent (where their memory landed), more on a busy machine: a trick switched off that
# cannot touch a workload (the scalar rules on Tensors) read 0.90x-1.18x across four runs of
# this table on 2026-12-07.
NOISE = ("A ratio within 10-20% of 1.00 may be this table's noise: a setting that cannot touch a workload "
         "(no inline scalar rules, on the Tensor workloads) read 0.90x-1.18x across four runs of 2026-12-07. "
         "The small tricks' gains are measured in instructions, which do not drift (the figures at the "
         "top of autograd/fast.py, benchmarks/instructions.py); this table shows the large ones.")


def measure(disabled: str, rounds: int) -> dict[str, float]:
    env = dict(os.environ, AUTOGRAD_NO_SPEED_TRICKS=disabled)
    out = subprocess.run([sys.executable, "-c", WORKLOADS, str(rounds)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=7, help="interleaved repeats of every setting")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    for _ in range(args.repeats):  # interleaved, so drift hits every setting alike
        for name, disabled in SETTINGS.items():
            for key, value in measure(disabled, args.rounds).items():
                results.setdefault(name, {}).setdefault(key, value)
                results[name][key] = min(results[name][key], value)
    keys = list(results["all tricks"])
    lines = ["| setting | " + " | ".join(keys) + " |", "|---|" + "---|" * len(keys)]
    for name, row in results.items():
        cells = [f"{row[k]:.3g} ({row[k] / results['all tricks'][k]:.2f}x)" for k in keys]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    if not args.no_write:
        sys.path.insert(0, str(Path(__file__).parent))
        import harness

        harness.write_section("tricks", "Speed tricks: what each trick of autograd/fast.py buys",
                              "Time per workload, and its ratio to all tricks on (best of "
                              f"{args.rounds} rounds x {args.repeats} interleaved repeats).\n\n" + table
                              + "\n\n" + NOISE,
                              "python benchmarks/tricks.py")


if __name__ == "__main__":
    main()
