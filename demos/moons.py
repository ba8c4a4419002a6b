"""micrograd's demo.ipynb on our scalar nn.MLP: two moons, a max-margin loss, SGD.

The same exercise as micrograd's notebook, step for step: 100 points on two
interleaving half circles (made with NumPy here, not scikit-learn), labels -1 and +1,
an MLP(2, [16, 16, 1]) with ReLU on the hidden layers and a linear output, the SVM
"max-margin" loss

    loss = sum_i relu(1 - y_i * score_i) / n  +  1e-4 * sum_p p * p

and 100 steps of plain SGD whose learning rate decays from 1.0 to 0.1:
lr_k = 1.0 - 0.9 * k / steps. Every number is a Value, as in micrograd, so it is slow
(0.1-0.2 s a step on a 2-core machine) and every multiplication is a node in the graph.

    python demos/moons.py [--out out/] [--seed 0] [--steps 100] [--samples 100]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import exercises  # noqa: E402

import nn  # noqa: E402
from autograd import Value, no_grad  # noqa: E402

ALPHA = 1e-4  # the L2 weight of micrograd's demo


def make_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, as scikit-learn's make_moons draws them: points (n, 2)
    and labels (n,) in {-1, +1}, with Gaussian noise of standard deviation ``noise``."""
    n_outer = n // 2
    outer = np.linspace(0, np.pi, n_outer)
    inner = np.linspace(0, np.pi, n - n_outer)
    X = np.vstack([np.column_stack([np.cos(outer), np.sin(outer)]),
                   np.column_stack([1 - np.cos(inner), 0.5 - np.sin(inner)])])
    y = np.hstack([-np.ones(n_outer), np.ones(n - n_outer)])
    order = rng.permutation(n)
    return X[order] + rng.normal(scale=noise, size=(n, 2)), y[order]


def max_margin_loss(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> tuple[Value, float]:
    """micrograd's loss(): the mean hinge loss plus 1e-4 L2 on every parameter, and the accuracy."""
    inputs = [[Value(float(x)) for x in row] for row in X]
    scores = [model(row) for row in inputs]
    losses = [(1 + -float(yi) * score).relu() for yi, score in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    accuracy = [(yi > 0) == (score.data > 0) for yi, score in zip(y, scores)]
    return data_loss + reg_loss, sum(accuracy) / len(accuracy)


def train(model: nn.MLP, X: np.ndarray, y: np.ndarray, steps: int,
          log: Callable[[str], None] | None = None) -> list[tuple[float, float]]:
    """micrograd's training loop: forward, zero the gradients, backward, SGD with the
    decaying learning rate. Returns (loss, accuracy) before each step's update."""
    history = []
    for k in range(steps):
        total_loss, accuracy = max_margin_loss(model, X, y)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / steps
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((float(total_loss.data), float(accuracy)))
        if log:
            log(f"step {k} loss {total_loss.data}, accuracy {accuracy * 100}%")
    return history


def predict(model: nn.MLP, points: np.ndarray) -> np.ndarray:
    """Class 0 (label -1) or 1 (label +1) for each point, from the sign of the score."""
    with no_grad():
        return np.array([int(model([float(a), float(b)]).data > 0) for a, b in points])


def main(argv: Sequence[str] | None = None) -> int:
    options = exercises.parser(__doc__, steps=100)
    options.add_argument("--samples", type=int, default=100, help="points in the data set (default 100)")
    options.add_argument("--noise", type=float, default=0.1, help="noise on the moons (default 0.1)")
    options.add_argument("--grid", type=int, default=60, help="grid points per side of the picture (default 60)")
    args = options.parse_args(argv)
    exercises.positive(options, args, "steps", "samples", "grid")
    if args.grid < 2:  # (a picture of regions needs two points a side; matplotlib's error came after training)
        options.error(f"--grid must be at least 2, got {args.grid}")
    if not args.noise >= 0:
        options.error(f"--noise is a standard deviation, 0 or more, got {args.noise}")

    rng = np.random.default_rng(args.seed)
    X, y = make_moons(args.samples, args.noise, rng)
    model = nn.MLP(2, [16, 16, 1], activation="relu", rng=rng)
    print(f"MLP(2, [16, 16, 1]) with ReLU: {len(model.parameters())} parameters; {args.samples} points, "
          f"{args.steps} SGD steps")
    started = time.perf_counter()
    train(model, X, y, args.steps, log=print)
    seconds = time.perf_counter() - started
    with no_grad():  # (the weights the picture shows: after the last update, which history[-1] was before)
        final_loss, accuracy = max_margin_loss(model, X, y)
    print(f"After the last step: loss {final_loss.data:.6f}, accuracy {accuracy:.0%} ({seconds:.1f} s, "
          f"{seconds / args.steps:.2f} s/step)")

    plt = exercises.pyplot()
    figure, axis = plt.subplots(figsize=(6, 4.8))
    labels = (y > 0).astype(int)
    exercises.plot_regions(axis, X, labels, lambda points: predict(model, points), args.grid,
                           colors=["#d62728", "#1f77b4"])
    steps = f"{args.steps} SGD step" + ("s" if args.steps != 1 else "")
    axis.set_title(f"Two moons: scalar MLP(2, [16, 16, 1]), {steps}, accuracy {accuracy:.0%}",
                   fontsize=10)
    written = [exercises.save(figure, args.out / "moons_boundary.png")]
    exercises.print_files(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
