"""Benchmark 5: micrograd's moons demo (its demo.ipynb), one full training step.

MLP(2, [16, 16, 1]) with ReLU on the two-moons data (100 samples, noise 0.1, labels
-1/+1); one step = forward over all samples, the max-margin loss
mean(relu(1 - y * score)) plus 1e-4 times the sum of the squared parameters, zero_grad,
backward, and the SGD update with the demo's learning rate 1.0 - 0.9 k / 100 at step k.
Our ``Value`` against micrograd 0.1.0 (``pip install micrograd==0.1.0``) and the bare
yardstick engine (bare_engine.py), identical weights and data, written once for all as the
notebook writes it.

The cycle collector stays on, as in the demo: each timed run is a few consecutive steps
ending with a collection, so each engine pays for collecting its own garbage (micrograd's
closures leave reference cycles behind; ours leaves none).

    python benchmarks/bench_moons.py [--quick] [--rounds N] [--no-write] [--baseline DIR]
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from bench_scalar import BARE, MICROGRAD, OURS, set_weights, single_output  # noqa: E402

SIZES = (2, [16, 16, 1])
SAMPLES = 100
ALPHA = 1e-4  # the demo's L2 coefficient
STEPS = 5  # consecutive steps per timed run (then one collection)


def moons(samples: int, noise: float, rng: np.random.Generator) -> tuple[list[list[float]], list[int]]:
    """Two interleaved half circles, as sklearn.datasets.make_moons draws them (not
    imported: the benchmark needs no scikit-learn), with labels -1 and +1 as in the demo."""
    outer, inner = samples // 2 + samples % 2, samples // 2
    t_outer, t_inner = np.linspace(0, np.pi, outer), np.linspace(0, np.pi, inner)
    X = np.concatenate([np.stack([np.cos(t_outer), np.sin(t_outer)], axis=1),
                        np.stack([1 - np.cos(t_inner), 1 - np.sin(t_inner) - 0.5], axis=1)])
    X += rng.normal(scale=noise, size=X.shape)
    y = [-1] * outer + [1] * inner
    return X.tolist(), y


def problem(seed: int):
    rng = np.random.default_rng(seed)
    X, y = moons(SAMPLES, 0.1, rng)
    sizes = [SIZES[0], *SIZES[1]]
    weights = [rng.uniform(-1, 1, (sizes[k + 1], sizes[k])).tolist() for k in range(len(SIZES[1]))]
    return X, y, weights


def demo_steps(model, Value, X, y):
    """run(): STEPS steps of the demo's training loop on ``model``, written as demo.ipynb
    writes them, then a collection; returns the last loss and every parameter."""
    k = 0

    def step():
        nonlocal k
        inputs = [list(map(Value, row)) for row in X]
        scores = [single_output(model(x)) for x in inputs]
        losses = [(1 + -yi * score).relu() for yi, score in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * (k % 100) / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        k += 1
        return total_loss.data

    def run():
        for _ in range(STEPS):
            loss = step()
        gc.collect()  # the garbage these steps left is theirs to collect
        return [loss] + [p.data for p in model.parameters()]

    return run


def ours(engine: harness.Engine, seed: int):
    X, y, weights = problem(seed)
    model = engine.nn.MLP(SIZES[0], SIZES[1], activation="relu")
    set_weights(model, weights)
    return demo_steps(model, engine.autograd.Value, X, y)


def micrograd(seed: int):
    micrograd_nn = harness.optional("micrograd.nn", "pip install micrograd==0.1.0")
    X, y, weights = problem(seed)
    model = micrograd_nn.MLP(SIZES[0], SIZES[1])
    set_weights(model, weights)
    return demo_steps(model, micrograd_nn.Value, X, y)


def bare(seed: int):
    """The yardstick (bare_engine.py): the same steps on an engine with no checks and no
    features, the least any engine of one Python object per operation can cost."""
    from bare_engine import BareMLP, BareValue

    X, y, weights = problem(seed)
    return demo_steps(BareMLP(weights), BareValue, X, y)


def main() -> None:
    global SAMPLES, STEPS
    args = harness.arguments(__doc__.splitlines()[0])
    if args.quick:
        SAMPLES, STEPS = 20, 2
    rounds = args.rounds or (3 if args.quick else 10)
    variants = [harness.Variant(MICROGRAD, micrograd), *harness.on_engines(harness.engines(args), OURS, ours),
                harness.Variant(BARE, bare)]
    timings = harness.measure(variants, rounds=rounds, warmup=1, rtol=1e-12, atol=1e-12)
    body = harness.table(timings, MICROGRAD, per=STEPS, per_label="per step")
    median = {t.name: t.median for t in timings if not t.absent}
    if MICROGRAD in median:
        body += "\n\n" + " ".join(f"{name}: {median[MICROGRAD] / median[name]:.1f}x faster than micrograd."
                                  for name in median if name != MICROGRAD)
    body += (f"\n\n{SAMPLES} samples; {STEPS} consecutive steps and a collection per timed run, {rounds} "
             "interleaved rounds. Goal: at least 10x faster than micrograd.")
    faster = median[MICROGRAD] / median[OURS] if MICROGRAD in median else None
    floor = median[MICROGRAD] / median[BARE] if MICROGRAD in median else None
    body += "\n\n" + harness.goals([
        ("micrograd's moons demo, one full step: at least 10x faster than micrograd 0.1.0",
         "micrograd absent" if faster is None else f"{faster:.1f}x (the bare yardstick: {floor:.1f}x)",
         None if faster is None else round(faster, 1) >= 10),  # as printed
    ])
    harness.report(args, "moons", f"5. micrograd's moons demo: MLP(2, [16, 16, 1]), {SAMPLES} samples, one step",
                   body)


if __name__ == "__main__":
    main()
