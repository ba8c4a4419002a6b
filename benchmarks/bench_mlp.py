"""Benchmark 3: a BLAS-bound MLP, 784-256-256-10, batch 256, float64, mean squared
error; one step = forward + backward + SGD update (lr 0.01). Measured twice: with ReLU,
and with sigmoid (the seed notebook's activation, whose exp costs more than the
matrix products' overhead hides).

Variants: hand-written NumPy (the backward pass derived by hand), PyTorch on the CPU,
our engine through nn: by default, which keeps every node's gradient for display, and with
``backward(intermediate_grads=False)``, which lets each go once used, as PyTorch and the
hand-written code do; and our engine with raw Tensors (the same step written with ``@``,
the activation and ``mean``, no modules). The matrix products are the floor; everything
else is overhead. All start from the same weights and must take the same step.

    python benchmarks/bench_mlp.py [--quick] [--rounds N] [--no-write] [--baseline DIR]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

SIZES = [784, 256, 256, 10]
BATCH = 256
LR = 0.01
REPEAT = 5  # steps per timed run: a training loop's steady state, and less noise
ACTIVATIONS = ("relu", "sigmoid")


def numpy_activation(z: np.ndarray, activation: str) -> np.ndarray:
    """The hidden layers' activation, by hand."""
    if activation == "relu":
        return np.maximum(z, 0)
    return 1 / (1 + np.exp(-z))  # the seed notebook's sigmoid


def numpy_derivative(z: np.ndarray, h: np.ndarray, activation: str) -> np.ndarray:
    """Its derivative at z, from z or from its output h (sigmoid' = h (1 - h))."""
    return z > 0 if activation == "relu" else h * (1 - h)


def problem(seed: int, sizes=None, batch=None):
    sizes, batch = sizes or SIZES, batch or BATCH
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)), rng.normal(0, 0.1, n_out))
              for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(batch, sizes[0]))
    y = rng.normal(size=(batch, sizes[-1]))
    return layers, x, y


def numpy_by_hand(seed: int, activation: str):
    layers, x, y = problem(seed)
    params = [(W.copy(), b.copy()) for W, b in layers]

    def run():
        # forward, keeping what the backward pass needs
        activations, pre = [x], []
        h = x
        for k, (W, b) in enumerate(params):
            z = h @ W.T + b
            pre.append(z)
            h = numpy_activation(z, activation) if k < len(params) - 1 else z
            activations.append(h)
        loss = np.mean((h - y) ** 2)
        # backward: d loss / d out = 2 (out - y) / size
        grad = 2 * (h - y) / h.size
        for k in reversed(range(len(params))):
            W, b = params[k]
            if k < len(params) - 1:
                grad = grad * numpy_derivative(pre[k], activations[k + 1], activation)
            grad_W = grad.T @ activations[k]
            grad_b = grad.sum(axis=0)
            if k > 0:
                grad = grad @ W
            W -= LR * grad_W
            b -= LR * grad_b
        return [loss] + [p for pair in params for p in pair]

    return run


def torch_cpu(seed: int, activation: str):
    torch = harness.optional("torch", "pip install torch")
    layers, x, y = problem(seed)
    modules = []
    for k, (W, b) in enumerate(layers):
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        modules.append(linear)
        if k < len(layers) - 1:
            modules.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Sigmoid())
    model = torch.nn.Sequential(*modules)
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    def run():
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(tx), ty)
        loss.backward()
        optimizer.step()
        return [loss.item()] + [p.detach().numpy() for p in model.parameters()]

    return run


def through_nn(engine: harness.Engine, seed: int, activation: str, intermediate_grads: bool = True):
    nn = engine.nn
    layers, x, y = problem(seed)
    modules = []
    for k, (W, b) in enumerate(layers):
        linear = nn.Linear(W.shape[1], W.shape[0], rng=0)
        linear.load_state_dict({"weight": W, "bias": b})
        modules.append(linear)
        if k < len(layers) - 1:
            modules.append(nn.ReLU() if activation == "relu" else nn.Sigmoid())
    model = nn.Sequential(*modules)
    optimizer = nn.SGD(model.parameters(), lr=LR)

    def run():
        optimizer.zero_grad()
        loss = nn.mse_loss(model(x), y)
        loss.backward(intermediate_grads=intermediate_grads)
        optimizer.step()
        return [loss.item()] + [p.data for p in model.parameters()]

    return run


def raw_tensors(engine: harness.Engine, seed: int, activation: str):
    Tensor = engine.autograd.Tensor
    layers, x, y = problem(seed)
    params = [(Tensor(W.copy(), requires_grad=True), Tensor(b.copy(), requires_grad=True)) for W, b in layers]
    x, y = Tensor(x), Tensor(y)

    def run():
        h = x
        for k, (W, b) in enumerate(params):
            h = h @ W.T + b
            if k < len(params) - 1:
                h = h.relu() if activation == "relu" else h.sigmoid()
        loss = ((h - y) ** 2).mean()
        for p in (p for pair in params for p in pair):
            p.grad = None
        loss.backward()
        for p in (p for pair in params for p in pair):
            p.data -= LR * p.grad
        return [loss.item()] + [p.data for pair in params for p in pair]

    return run


# ---- each alone in a new process, as a learner's own script runs

# In one process the variants share glibc's malloc state: after one has freed a big array,
# glibc keeps more freed memory for everyone (its thresholds only rise), and the table above
# counts no page faults. A script of its own starts from glibc's defaults, and a step that
# lets its arrays go at once gets fresh, zeroed pages for the next one. So each variant
# also runs alone in a new process here; the hand-written NumPy twice, with glibc's
# defaults and with the settings importing autograd makes (fast.py's trick 10).
ALONE = r"""
import json, resource, statistics, sys, time
sys.path.insert(0, sys.argv[1])
import bench_mlp, harness
from baseline import CURRENT
kind, activation, steps = sys.argv[2], sys.argv[3], int(sys.argv[4])
bench_mlp.SIZES, bench_mlp.BATCH = json.loads(sys.argv[5])  # (--quick's small network, else the full one)
try:
    run = {"hand": lambda: bench_mlp.numpy_by_hand(0, activation), "torch": lambda: bench_mlp.torch_cpu(0, activation),
           "nn": lambda: bench_mlp.through_nn(CURRENT, 0, activation)}[kind]()
except harness.Absent:
    print(json.dumps(None)); sys.exit()
for _ in range(3):
    run()
times, faults = [], resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(steps):
    start = time.perf_counter(); run(); times.append(time.perf_counter() - start)
faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / steps
print(json.dumps({"median": statistics.median(times), "faults": faults}))
"""
# (name, what runs, AUTOGRAD_NO_SPEED_TRICKS): "memory" leaves glibc's malloc as it starts
ALONE_VARIANTS = (("NumPy by hand, glibc's defaults", "hand", "memory"),
                  ("NumPy by hand, with autograd imported", "hand", ""),
                  ("PyTorch CPU", "torch", "memory"),
                  ("autograd through nn", "nn", ""),
                  ("autograd through nn, without trick 10", "nn", "memory"))


def alone_in_new_processes(activation: str, rounds: int, steps: int) -> str:
    """The ``ALONE_VARIANTS`` table: each variant in new processes (``rounds`` of them,
    interleaved), its median step and minor page faults per step, over the hand-written
    NumPy's with glibc's defaults."""
    try:
        import resource  # noqa: F401  (the page faults' count: not on Windows)
    except ImportError:
        return "Not measured here: this system has no getrusage (Python's resource module)."
    from autograd import fast

    if not fast.on_glibc():  # (the rows compare glibc's settings)
        return "Not measured here: the C library is not glibc, whose malloc settings these rows compare."
    env = {name: value for name, value in os.environ.items()  # (glibc's defaults: none of the user's settings)
           if not name.startswith("MALLOC_") and name != "GLIBC_TUNABLES"}
    got: dict[str, list[dict]] = {name: [] for name, _, _ in ALONE_VARIANTS}
    for _ in range(rounds):
        for name, kind, disabled in ALONE_VARIANTS:
            command = [sys.executable, "-c", ALONE, str(Path(__file__).resolve().parent), kind, activation,
                       str(steps), json.dumps([SIZES, BATCH])]
            out = subprocess.run(command, env={**env, "AUTOGRAD_NO_SPEED_TRICKS": disabled},
                                 capture_output=True, text=True, check=True)
            if (result := json.loads(out.stdout)) is not None:
                got[name].append(result)
    medians = {name: statistics.median(r["median"] for r in results) for name, results in got.items() if results}
    (defaults, *_), (imported, *_) = ALONE_VARIANTS[:2]  # (the two hand-written runs: the two columns' bases)
    lines = [f"| variant (alone in a new process) | median per step | × {defaults} | × {imported} | "
             "minor page faults per step |", "|---|---|---|---|---|"]
    for name, results in got.items():
        if not results:
            lines.append(f"| {name} | not installed | | | |")
            continue
        median, faults = medians[name], statistics.median(r["faults"] for r in results)
        lines.append(f"| {name} | {harness.format_seconds(median)} | {median / medians[defaults]:.2f} | "
                     f"{median / medians[imported]:.2f} | {faults:,.0f} |")
    return "\n".join(lines)


def variants(engines: list[harness.Engine], activation: str) -> list[harness.Variant]:
    ours = [
        ("autograd through nn", lambda e, s: through_nn(e, s, activation)),
        ("autograd through nn, intermediate_grads=False",
         lambda e, s: through_nn(e, s, activation, intermediate_grads=False)),
        ("autograd raw Tensors", lambda e, s: raw_tensors(e, s, activation)),
    ]
    return [harness.Variant("NumPy by hand", lambda s: numpy_by_hand(s, activation)),
            harness.Variant("PyTorch CPU", lambda s: torch_cpu(s, activation))] + [
        variant for name, make in ours for variant in harness.on_engines(engines, name, make)]


def main() -> None:
    global SIZES, BATCH, REPEAT
    args = harness.arguments(__doc__.splitlines()[0])
    if args.quick:
        SIZES, BATCH, REPEAT = [32, 16, 16, 4], 8, 1
    rounds = args.rounds or (3 if args.quick else 30)
    engines = harness.engines(args)
    tables, goal_rows = [], []
    for activation in ACTIVATIONS:
        # The check compares the loss and the weights after one step.
        timings = harness.measure(variants(engines, activation), rounds=rounds, warmup=3, repeat=REPEAT,
                                  rtol=1e-9, atol=1e-12)
        name = "ReLU" if activation == "relu" else "sigmoid (the seed notebook's activation)"
        # Fresh memory costs a page fault per 4 KiB, which a loop that reuses freed memory
        # does not pay: counted, so that the table says whether a ratio comes from it.
        faults = {t.name: {"minor page faults per step": f"{t.median_faults:,.0f}"} for t in timings if t.faults}
        tables.append(f"**{name}**\n\n" + harness.table(timings, "NumPy by hand", per_label="per step",
                                                         extra=faults))
        ratio = {t.name: t.median / timings[0].median for t in timings if not t.absent}  # over NumPy by hand
        nn_ratio, raw_ratio = ratio["autograd through nn"], ratio["autograd raw Tensors"]
        torch_cell = f"; PyTorch {ratio['PyTorch CPU']:.2f}x" if "PyTorch CPU" in ratio else ""
        goal_rows.append((f"{'-'.join(map(str, SIZES))} MLP, batch {BATCH}, "
                          f"{'ReLU' if activation == 'relu' else 'sigmoid'}: "
                          "at most 1.05x hand-written NumPy, through nn and raw Tensors",
                          f"through nn {nn_ratio:.2f}x, raw Tensors {raw_ratio:.2f}x{torch_cell}",
                          harness.at_most(nn_ratio, 1.05) and harness.at_most(raw_ratio, 1.05)))
    body = "\n\n".join(tables)
    body += (f"\n\n{REPEAT} steps per timed run, {rounds} interleaved rounds per activation. "
             "Goal: our engine at most 1.05x hand-written NumPy, with either activation.")
    body += "\n\n" + harness.goals(goal_rows)
    processes, steps = (1, 5) if args.quick else (3, 20)
    alone = "\n\n".join(f"**{'ReLU' if activation == 'relu' else 'sigmoid'}**\n\n"
                         + alone_in_new_processes(activation, processes, steps) for activation in ACTIVATIONS)
    body += ("\n\n**Each alone in a new process**, as a learner's own script runs (" f"{processes} processes "
             f"each, interleaved, {steps} steps after 3): in one process the variants above share glibc's "
             "malloc state, which after the first big array freed keeps freed memory for all of them, so "
             "none pays page faults. A script of its own starts from glibc's defaults and, when a step lets "
             "its arrays go at once, takes fresh pages for the next step. Importing autograd sets glibc to "
             "keep them (trick 10 of autograd/fast.py; `AUTOGRAD_NO_SPEED_TRICKS=memory` leaves it). So the "
             "first ratio is what a learner's script sees against a NumPy script of its own, and the second "
             "compares like with like (the same malloc settings). The goal rows come from the shared process "
             "above, where every variant has the same malloc state.\n\n"
             + alone)
    harness.report(args, "mlp", "3. BLAS-bound MLP: 784-256-256-10, batch 256, float64, ReLU and sigmoid", body)


if __name__ == "__main__":
    main()
