"""Three spirals in the plane, classified by a Tensor MLP with cross-entropy and AdamW.

The CS231n exercise: 3 arms of a spiral, 100 points each (made with NumPy), and a
network Linear(2, 64) -> ReLU -> Linear(64, 64) -> ReLU -> Linear(64, 3) trained on the
whole set at each step with

    loss = nn.cross_entropy(model(X), y)          # mean over the points
    optimizer = nn.AdamW(model.parameters(), lr=0.01, weight_decay=1e-4)

A straight line cannot separate the arms; two hidden layers bend the boundaries around
them. Pictures: the loss and accuracy curves, and the plane coloured by the predicted class.

    python demos/classify.py [--out out/] [--seed 0] [--steps 1000] [--hidden 64]
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import exercises  # noqa: E402

import nn  # noqa: E402
from autograd import Tensor, no_grad  # noqa: E402

COLORS = ["#d62728", "#2ca02c", "#1f77b4"]
LR, WEIGHT_DECAY = 0.01, 1e-4


def make_spirals(per_class: int, classes: int, rng: np.random.Generator,
                 noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """CS231n's spiral data: ``classes`` arms of ``per_class`` points, radius 0 to 1, the
    angle noisy by ``noise`` radians. Points (n, 2) and integer classes (n,)."""
    radius = np.tile(np.linspace(0.0, 1.0, per_class), classes)
    k = np.repeat(np.arange(classes), per_class)
    angle = np.linspace(0.0, 4.0, per_class)[None, :] + 4.0 * np.arange(classes)[:, None]
    angle = angle.ravel() + rng.normal(scale=noise, size=per_class * classes)
    return np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]), k


def make_model(hidden: int, classes: int, rng: np.random.Generator) -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, hidden, rng=rng), nn.ReLU(),
                         nn.Linear(hidden, hidden, rng=rng), nn.ReLU(),
                         nn.Linear(hidden, classes, rng=rng))


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, steps: int) -> list[tuple[float, float]]:
    """Full-batch AdamW on the cross-entropy; (loss, accuracy) before each update."""
    optimizer = nn.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    inputs = Tensor(X)
    history = []
    for _ in range(steps):
        logits = model(inputs)
        loss = nn.cross_entropy(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history.append((loss.item(), float(np.mean(logits.data.argmax(axis=1) == y))))
    return history


def predict(model: nn.Module, points: np.ndarray) -> np.ndarray:
    with no_grad():
        return model(Tensor(points)).data.argmax(axis=1)


def main(argv: Sequence[str] | None = None) -> int:
    options = exercises.parser(__doc__, steps=1000)
    options.add_argument("--per-class", type=int, default=100, help="points in each arm (default 100)")
    options.add_argument("--hidden", type=int, default=64, help="units in each hidden layer (default 64)")
    options.add_argument("--grid", type=int, default=300, help="grid points per side of the picture (default 300)")
    args = options.parse_args(argv)
    exercises.positive(options, args, "steps", "per_class", "hidden", "grid")

    rng = np.random.default_rng(args.seed)
    X, y = make_spirals(args.per_class, len(COLORS), rng)
    model = make_model(args.hidden, len(COLORS), rng)
    print(f"{len(X)} points in {len(COLORS)} spiral arms; {model}".replace("\n", "\n  "))
    started = time.perf_counter()
    history = train(model, X, y, args.steps)
    seconds = time.perf_counter() - started
    for k in sorted({0, args.steps // 4, args.steps // 2, args.steps - 1}):
        print(f"step {k:5d}  loss {history[k][0]:.6f}  accuracy {history[k][1]:.1%}")
    accuracy = float(np.mean(predict(model, X) == y))
    print(f"After {args.steps} AdamW steps ({seconds:.1f} s): training accuracy {accuracy:.1%}")

    plt = exercises.pyplot()
    losses, accuracies = np.array(history).T
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    left.semilogy(losses)
    left.set(title="cross-entropy (mean over the points)", xlabel="step")
    right.plot(100 * accuracies, color="C2")
    right.set(title="training accuracy (%)", xlabel="step", ylim=(0, 101))
    figure.tight_layout()
    written = [exercises.save(figure, args.out / "classify_curves.png")]

    figure, axis = plt.subplots(figsize=(5.6, 5.6))
    exercises.plot_regions(axis, X, y, lambda points: predict(model, points), args.grid, COLORS)
    axis.set_title(f"Decision regions after {args.steps} steps: accuracy {accuracy:.1%}")
    written.append(exercises.save(figure, args.out / "classify_regions.png"))
    exercises.print_files(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
