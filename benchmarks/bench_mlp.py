"""Benchmark 3: a BLAS-bound MLP, 784-256-256-10 with ReLU, batch 256, float64, mean
squared error; one step = forward + backward + SGD update (lr 0.01).

Variants: hand-written NumPy (the backward pass derived by hand), PyTorch on the CPU,
our engine through nn: by default, which keeps every node's gradient for display, and with
``backward(intermediate_grads=False)``, which lets each go once used, as PyTorch and the
hand-written code do. The matrix products are the floor; everything else is overhead.
All start from the same weights and must take the same step.

    python benchmarks/bench_mlp.py [--quick] [--rounds N] [--no-write]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402

import nn  # noqa: E402

SIZES = [784, 256, 256, 10]
BATCH = 256
LR = 0.01
REPEAT = 5  # steps per timed run: a training loop's steady state, and less noise


def problem(seed: int, sizes=None, batch=None):
    sizes, batch = sizes or SIZES, batch or BATCH
    rng = np.random.default_rng(seed)
    layers = [(rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)), rng.normal(0, 0.1, n_out))
              for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    x = rng.normal(size=(batch, sizes[0]))
    y = rng.normal(size=(batch, sizes[-1]))
    return layers, x, y


def numpy_by_hand(seed: int):
    layers, x, y = problem(seed)
    params = [(W.copy(), b.copy()) for W, b in layers]

    def run():
        # forward, keeping what the backward pass needs
        activations, pre = [x], []
        h = x
        for k, (W, b) in enumerate(params):
            z = h @ W.T + b
            pre.append(z)
            h = np.maximum(z, 0) if k < len(params) - 1 else z
            activations.append(h)
        loss = np.mean((h - y) ** 2)
        # backward: d loss / d out = 2 (out - y) / size
        grad = 2 * (h - y) / h.size
        for k in reversed(range(len(params))):
            W, b = params[k]
            if k < len(params) - 1:
                grad = grad * (pre[k] > 0)
            grad_W = grad.T @ activations[k]
            grad_b = grad.sum(axis=0)
            if k > 0:
                grad = grad @ W
            W -= LR * grad_W
            b -= LR * grad_b
        return [loss] + [p for pair in params for p in pair]

    return run


def torch_cpu(seed: int):
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
            modules.append(torch.nn.ReLU())
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


def ours(seed: int, intermediate_grads: bool = True):
    layers, x, y = problem(seed)
    modules = []
    for k, (W, b) in enumerate(layers):
        linear = nn.Linear(W.shape[1], W.shape[0], rng=0)
        linear.load_state_dict({"weight": W, "bias": b})
        modules.append(linear)
        if k < len(layers) - 1:
            modules.append(nn.ReLU())
    model = nn.Sequential(*modules)
    optimizer = nn.SGD(model.parameters(), lr=LR)

    def run():
        optimizer.zero_grad()
        loss = nn.mse_loss(model(x), y)
        loss.backward(intermediate_grads=intermediate_grads)
        optimizer.step()
        return [loss.item()] + [p.data for p in model.parameters()]

    return run


def main() -> None:
    global SIZES, BATCH, REPEAT
    args = harness.arguments(__doc__.splitlines()[0])
    if args.quick:
        SIZES, BATCH, REPEAT = [32, 16, 16, 4], 8, 1
    rounds = args.rounds or (3 if args.quick else 30)
    variants = [
        harness.Variant("NumPy by hand", numpy_by_hand),
        harness.Variant("PyTorch CPU", torch_cpu),
        harness.Variant("autograd through nn", ours),
        harness.Variant("autograd through nn, intermediate_grads=False",
                        lambda seed: ours(seed, intermediate_grads=False)),
    ]
    # The check compares the loss and the weights after one step.
    timings = harness.measure(variants, rounds=rounds, warmup=3, repeat=REPEAT, rtol=1e-9, atol=1e-12)
    body = harness.table(timings, "NumPy by hand", per_label="per step")
    body += (f"\n\n{REPEAT} steps per timed run, {rounds} interleaved rounds. "
             "Goal: our engine at most 1.05x hand-written NumPy.")
    harness.report(args, "mlp", "3. BLAS-bound MLP: 784-256-256-10, batch 256, float64", body)


if __name__ == "__main__":
    main()
