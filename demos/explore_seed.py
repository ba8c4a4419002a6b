"""Open the explorer on the seed notebook's 3-4-2 network: one command, one HTML file.

    python demos/explore_seed.py [--out out/] [--classifier]

Writes out/explorer.html and prints its path; open it in any browser (it needs no server
and fetches nothing). The network has the notebook's own weights and input x, so the page
shows the numbers the notebook printed (out = [1.5666, 1.0014], loss 40.065); W1 and W2
are coloured by whether the automatic gradients agree with the notebook's hand-derived
ones and with central differences. Step with the arrow keys: first the forward pass,
then the backward pass node by node.

--classifier also writes classifier.html (a small MLP trained on 2-D points: its loss
graph after training) and classifier_training.html (that training played back).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import backprop_from_scratch as notebook  # noqa: E402

import nn  # noqa: E402
import seed_notebook as seed  # noqa: E402
from autograd import Explorer, Recorder, Tensor, explore  # noqa: E402
from autograd.gradcheck import numerical_gradients  # noqa: E402


def seed_model() -> nn.Sequential:
    """The 3-4-2 network with the notebook's weights (before its SGD step)."""
    model = notebook.init_weights(np.random.default_rng(0))
    W1, W2 = seed.initial_weights()
    model.load_state_dict({"0.weight": W1, "2.weight": W2})
    return model


def seed_explorer() -> Explorer:
    model = seed_model()
    W1, W2 = model[0].weight, model[2].weight
    x, y = seed.X, seed.Y
    L = notebook.seed_graph(model, x, y)
    out = seed.forward(x, W1.data, W2.data)
    hand = {W1: seed.W1_grad(x, y, out, W1.data, W2.data), W2: seed.W2_grad(x, y, out, W1.data)}
    numerical = numerical_gradients(lambda W1, W2: notebook.seed_graph(model, x, y), [W1, W2])
    return explore(L, hand_written=hand, numerical=dict(zip([W1, W2], numerical)),
                   title="The seed's 3-4-2 network: x -> z = W1 x -> h = sigmoid(z) -> out = W2 h -> "
                         "L = 0.5 sum((y - out)^2)")


def two_moons(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points on two interleaved half circles, labelled -1 and +1."""
    angles = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    points = np.where(upper[:, None], np.c_[np.cos(angles), np.sin(angles)],
                      np.c_[1 - np.cos(angles), 0.5 - np.sin(angles)])
    return points + rng.normal(0, 0.1, points.shape), np.where(upper, -1.0, 1.0)[:, None]


def classifier(steps: int = 300, batch: int = 8, every: int = 10, seed_value: int = 0
               ) -> tuple[Explorer, Recorder, float]:
    """A 2-8-1 tanh MLP trained with SGD on two moons; the explorer of its loss on one
    batch after training, the recording of the training (that batch's graph), and the
    training accuracy."""
    rng = np.random.default_rng(seed_value)
    points, labels = two_moons(200, rng)
    model = nn.Sequential(nn.Linear(2, 8, rng=rng), nn.Tanh(), nn.Linear(8, 1, rng=rng))
    for name, parameter in model.named_parameters():
        parameter.label = name
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    recorder = Recorder(every=every, title="A 2-8-1 MLP learning two moons (the first 8 points' loss)")
    shown = slice(0, batch)

    def batch_loss(rows: slice) -> Tensor:
        x = Tensor(points[rows], label="points")
        L = nn.mse_loss(model(x), Tensor(labels[rows], label="labels"))
        L.label = "loss"
        return L

    for step in range(steps):
        rows = slice((step * batch) % len(points), (step * batch) % len(points) + batch)
        optimizer.zero_grad()
        L = batch_loss(rows)
        L.backward()
        if recorder.due(step):  # the same batch every time, so the page compares like with like
            optimizer.zero_grad()
            shown_loss = batch_loss(shown)
            shown_loss.backward()
            recorder.record(step, shown_loss)
            optimizer.zero_grad()
            L = batch_loss(rows)
            L.backward()
        optimizer.step()
    accuracy = float(np.mean(np.sign(model(Tensor(points)).data) == labels))
    final = batch_loss(shown)
    return explore(final, title=f"The trained two-moons classifier (training accuracy {accuracy:.0%})"), \
        recorder, accuracy


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("out"), help="output folder (default out/)")
    parser.add_argument("--classifier", action="store_true", help="also the trained two-moons classifier")
    args = parser.parse_args(argv)
    written = [seed_explorer().save(args.out / "explorer.html")]
    if args.classifier:
        page, recorder, _ = classifier()
        written += [page.save(args.out / "classifier.html"), recorder.save(args.out / "classifier_training.html")]
    for path in written:
        print(path.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
