"""Handwritten digits: the 8x8 images scikit-learn ships, classified by a Tensor MLP.

The step after the moons (MNIST-style classification, small enough for a laptop):
1,797 grey 8x8 digits from ``sklearn.datasets.load_digits`` (in the package, no
download), 80% to train on and 20% held out. A network Linear(64, 128) -> ReLU ->
Dropout(0.1) -> Linear(128, 10) learns from mini-batches of 64 with
``nn.cross_entropy`` and ``nn.AdamW``; dropout is on while training (``model.train()``)
and off while testing (``model.eval()``). Pictures: the confusion matrix on the test
set, and the test digits it gets wrong.

scikit-learn is an optional extra, for this demo only:
    pip install -e '.[digits]'        (or: pip install scikit-learn)

    python demos/digits.py [--out out/] [--seed 0] [--steps 2000] [--batch-size 64]
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

INSTALL = "pip install -e '.[digits]'   (or: pip install scikit-learn)"
LR, WEIGHT_DECAY, DROPOUT = 3e-3, 1e-2, 0.1


def load_digits() -> tuple[np.ndarray, np.ndarray] | None:
    """Images (1797, 64) scaled to [0, 1] and their digits (1797,), or None without scikit-learn."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError:
        return None
    digits = sklearn_load_digits()
    return digits.data / 16.0, digits.target.astype(np.int64)  # pixels are 0..16


def split(X: np.ndarray, y: np.ndarray, test_fraction: float, rng: np.random.Generator):
    """A shuffled train/test split: (X_train, y_train, X_test, y_test)."""
    order = rng.permutation(len(X))
    n_test = int(round(test_fraction * len(X)))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


def make_model(hidden: int, rng: np.random.Generator) -> nn.Sequential:
    return nn.Sequential(nn.Linear(64, hidden, rng=rng), nn.ReLU(), nn.Dropout(DROPOUT, rng=rng),
                         nn.Linear(hidden, 10, rng=rng))


def progress(step: int, steps: int, loss: float, width: int = 30) -> None:
    """A one-line progress bar on stderr, redrawn in place."""
    done = int(width * step / steps)
    sys.stderr.write(f"\r[{'#' * done}{'.' * (width - done)}] step {step}/{steps}  loss {loss:.4f}")
    if step == steps:
        sys.stderr.write("\n")
    sys.stderr.flush()


def train(model: nn.Module, X: np.ndarray, y: np.ndarray, steps: int, batch_size: int,
          rng: np.random.Generator, show_progress: bool = True) -> list[float]:
    """Mini-batch AdamW on the cross-entropy, reshuffling at each pass over the data;
    returns the loss of every step."""
    optimizer = nn.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    model.train()
    losses: list[float] = []
    order = np.array([], dtype=np.int64)
    for step in range(1, steps + 1):
        if len(order) < batch_size:  # a new pass (epoch): a fresh shuffle
            order = rng.permutation(len(X))
        batch, order = order[:batch_size], order[batch_size:]
        loss = nn.cross_entropy(model(Tensor(X[batch])), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if show_progress and (step % max(1, steps // 100) == 0 or step == steps):
            progress(step, steps, float(np.mean(losses[-20:])))
    return losses


def predict(model: nn.Module, X: np.ndarray) -> np.ndarray:
    model.eval()  # dropout off
    with no_grad():
        return model(Tensor(X)).data.argmax(axis=1)


def confusion_matrix(y: np.ndarray, predicted: np.ndarray, classes: int = 10) -> np.ndarray:
    """counts[i, j]: how many digits i were read as j."""
    counts = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(counts, (y, predicted), 1)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    options = exercises.parser(__doc__, steps=2000)
    options.add_argument("--batch-size", type=int, default=64, help="examples per step (default 64)")
    options.add_argument("--hidden", type=int, default=128, help="units in the hidden layer (default 128)")
    options.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    args = options.parse_args(argv)
    exercises.positive(options, args, "steps", "batch_size", "hidden")

    data = load_digits()
    if data is None:
        print(f"This demo needs scikit-learn, for its 8x8 digits data set. Install it with\n    {INSTALL}",
              file=sys.stderr)
        return 2
    rng = np.random.default_rng(args.seed)
    X_train, y_train, X_test, y_test = split(*data, test_fraction=0.2, rng=rng)
    model = make_model(args.hidden, rng)
    print(f"{len(X_train)} training and {len(X_test)} test digits; {model}".replace("\n", "\n  "))
    started = time.perf_counter()
    losses = train(model, X_train, y_train, args.steps, args.batch_size, rng, not args.no_progress)
    seconds = time.perf_counter() - started
    predicted = predict(model, X_test)
    accuracy = float(np.mean(predicted == y_test))
    train_accuracy = float(np.mean(predict(model, X_train) == y_train))
    epochs = args.steps * args.batch_size / len(X_train)
    print(f"{args.steps} steps of {args.batch_size} ({epochs:.0f} passes over the data) in {seconds:.1f} s; "
          f"final loss {np.mean(losses[-20:]):.4f}")
    print(f"Test accuracy {accuracy:.1%} ({np.sum(predicted == y_test)} of {len(y_test)}); "
          f"training accuracy {train_accuracy:.1%}")

    plt = exercises.pyplot()
    counts = confusion_matrix(y_test, predicted)
    figure, axis = plt.subplots(figsize=(5.8, 5))
    image = axis.imshow(counts, cmap="Blues")
    for (i, j), count in np.ndenumerate(counts):
        if count:
            axis.text(j, i, str(count), ha="center", va="center", fontsize=8,
                      color="white" if count > counts.max() / 2 else "black")
    axis.set(xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit",
             title=f"Confusion matrix on {len(y_test)} test digits ({accuracy:.1%} right)")
    figure.colorbar(image)
    figure.tight_layout()
    written = [exercises.save(figure, args.out / "digits_confusion.png")]

    wrong = np.flatnonzero(predicted != y_test)[:32]
    columns = max(1, min(8, len(wrong)))
    rows = max(1, -(-len(wrong) // columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.2 * columns, 1.45 * rows), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, i in zip(axes.ravel(), wrong):
        axis.imshow(X_test[i].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axis.set_title(f"{y_test[i]} read as {predicted[i]}", fontsize=8)
    figure.suptitle(f"The {len(np.flatnonzero(predicted != y_test))} test digits it gets wrong"
                    + (" (the first 32)" if len(wrong) == 32 else ""), fontsize=10)
    figure.tight_layout()
    written.append(exercises.save(figure, args.out / "digits_mistakes.png"))
    exercises.print_files(written)
    return 0


if __name__ == "__main__":
    sys.exit(main())
