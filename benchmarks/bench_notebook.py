"""Benchmark 2: the seed notebook's training loop. The 3-4-2 sigmoid network, the label
y = [10, -2], per-sample SGD (lr 1e-3) on the same sequence of random x.

Variants: the seed's own hand-written NumPy code (forward, its loop-based loss,
W1_grad, W2_grad, update_weights); the same with the loss vectorised; PyTorch on the
CPU in float64; our engine with raw Tensors; our engine through nn (Sequential, SGD,
squared_error); and a bare yardstick engine (bare_engine.py: no checks, no features),
the least a node-per-operation engine in pure Python does. All start from the same
weights and must end on the same weights.

    python benchmarks/bench_notebook.py [--quick] [--rounds N] [--no-write] [--baseline DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "demos"))

import harness  # noqa: E402

import seed_notebook  # noqa: E402  (the seed notebook's own NumPy code)

LR = 1e-3
STEPS = 200  # per timed run
Y = np.array([10, -2])[:, None]


def problem(seed: int):
    rng = np.random.default_rng(seed)
    W1, W2 = rng.random((4, 3)), rng.random((2, 4))
    xs = [rng.random((3, 1)) for _ in range(STEPS)]
    return W1, W2, xs


def seed_numpy(seed: int, vectorised_loss: bool = False):
    W1_0, W2_0, xs = problem(seed)

    def run():
        W1, W2 = W1_0.copy(), W2_0.copy()
        for x in xs:
            out = seed_notebook.forward(x, W1, W2)
            if vectorised_loss:
                float(0.5 * np.sum((Y - out) ** 2))
            else:
                seed_notebook.loss(Y, out).item()
            W1, W2 = seed_notebook.update_weights(x, Y, out, W1, W2, LR)
        return W1, W2

    return run


def torch_cpu(seed: int):
    torch = harness.optional("torch", "pip install torch")
    W1_0, W2_0, xs = problem(seed)
    y = torch.tensor(Y, dtype=torch.float64)

    def run():
        W1 = torch.tensor(W1_0, requires_grad=True)
        W2 = torch.tensor(W2_0, requires_grad=True)
        for x in xs:
            out = W2 @ torch.sigmoid(W1 @ torch.from_numpy(x))
            loss = 0.5 * ((y - out) ** 2).sum()
            loss.item()
            W1.grad = W2.grad = None
            loss.backward()
            with torch.no_grad():
                W1 -= LR * W1.grad
                W2 -= LR * W2.grad
        return W1.detach().numpy(), W2.detach().numpy()

    return run


def raw_tensors(engine: harness.Engine, seed: int):
    Tensor = engine.autograd.Tensor
    W1_0, W2_0, xs = problem(seed)
    y = Tensor(Y)

    def run():
        W1 = Tensor(W1_0, requires_grad=True)
        W2 = Tensor(W2_0, requires_grad=True)
        for x in xs:
            out = W2 @ (W1 @ Tensor(x)).sigmoid()
            loss = 0.5 * ((y - out) ** 2).sum()
            loss.item()
            W1.grad = W2.grad = None
            loss.backward()
            W1.data -= LR * W1.grad
            W2.data -= LR * W2.grad
        return W1.data, W2.data

    return run


def bare(seed: int):
    """The yardstick (bare_engine.py): the same loop on an engine with no checks and no features."""
    from bare_engine import BareTensor, half, matmul, sigmoid, square, sub, tensor_backward, total

    W1_0, W2_0, xs = problem(seed)
    y = BareTensor(Y)

    def run():
        W1 = BareTensor(W1_0.copy(), trainable=True)
        W2 = BareTensor(W2_0.copy(), trainable=True)
        for x in xs:
            out = matmul(W2, sigmoid(matmul(W1, BareTensor(x.copy()))))
            loss = half(total(square(sub(y, out))))
            float(loss.data)
            tensor_backward(loss)
            W1.data -= LR * W1.grad
            W2.data -= LR * W2.grad
        return W1.data, W2.data

    return run


def through_nn(engine: harness.Engine, seed: int):
    """The demo's own code (each engine's copy of backprop_from_scratch.py)."""
    demo = engine.module("backprop_from_scratch")
    W1_0, W2_0, xs = problem(seed)

    def run():
        model = demo.init_weights(np.random.default_rng(0))
        model.load_state_dict({"0.weight": W1_0, "2.weight": W2_0})
        optimizer = engine.nn.SGD(model.parameters(), lr=LR)
        for x in xs:
            loss = demo.loss(Y, demo.forward(model, x))
            loss.item()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return model[0].weight.data, model[2].weight.data

    return run


def main() -> None:
    global STEPS
    args = harness.arguments(__doc__.splitlines()[0])
    if args.quick:
        STEPS = 20
    rounds = args.rounds or (3 if args.quick else 20)
    engines = harness.engines(args)
    variants = [
        harness.Variant("seed NumPy (hand-written)", seed_numpy),
        harness.Variant("seed NumPy, loss vectorised", lambda s: seed_numpy(s, vectorised_loss=True)),
        harness.Variant("PyTorch CPU float64", torch_cpu),
        *harness.on_engines(engines, "autograd Tensors", raw_tensors),
        *harness.on_engines(engines, "autograd through nn", through_nn),
        harness.Variant("bare engine (yardstick)", bare),
    ]
    timings = harness.measure(variants, rounds=rounds, warmup=2, rtol=1e-10, atol=1e-12)
    body = harness.table(timings, "seed NumPy (hand-written)", per=STEPS, per_label="per step")
    body += (f"\n\n{STEPS} steps per timed run, {rounds} interleaved rounds. "
             "Goal: our engine at most 1.3x the hand-written NumPy time per step.")
    ratio = {t.name: t.median / timings[0].median for t in timings if not t.absent}  # over the seed's NumPy
    body += "\n\n" + harness.goals([
        (f"the seed's training loop (3-4-2, per-sample SGD), {how}: at most 1.3x the seed's NumPy",
         f"{ratio[name]:.2f}x (the bare yardstick: {ratio['bare engine (yardstick)']:.2f}x)",
         harness.at_most(ratio[name], 1.3))
        for how, name in (("raw Tensors", "autograd Tensors"), ("through nn", "autograd through nn"))
    ])
    harness.report(args, "notebook", "2. The notebook's training loop (3-4-2 sigmoid network, per-sample SGD)", body)


if __name__ == "__main__":
    main()
