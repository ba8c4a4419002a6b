"""The notebook "Backprop from Scratch" (June 3, 2022), rebuilt on our engine, cell by cell.

The seed notebook built a 3-4-2 network in NumPy (W1 (4,3), sigmoid, W2 (2,4)), derived
the gradients of its loss 0.5*sum((y-out)^2) by hand, took one SGD step, swept the
learning rate over six decades while fitting the fixed label y = [10, -2], and ran an
inference. Here the network is an ``nn.Sequential`` on ``autograd`` Tensors; the
notebook's hand-derived gradients are kept (ported faithfully, in NumPy) and checked
against the automatic and the numerical ones.

    python demos/backprop_from_scratch.py [--seed 0] [--iterations 2000]
        [--learning-rates 1e-5,1e-4,1e-3,1e-2,1e-1,1] [--out out/] [--show]
        [--record-every 100]

Besides the figures it writes training.html, an explorer page that plays the sweep back:
the loss curve and, every --record-every iterations, the network's data and gradients.

The Jupyter notebook next to this file follows the same cells, written with the engine
directly; both number them as the seed notebook did ([1] to [11]).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import nn
from autograd import GraphvizNotFoundError, Recorder, Tensor, draw_graph, render_graph
from autograd.draw import INSTALL_GRAPHVIZ
from autograd.files import replacing
from autograd.gradcheck import GradientReport, check_gradients
from seed_notebook import W1_grad, W2_grad

STEPSIZE = 1e-4  # cell [2]
LABEL = np.array([10, -2])[:, None]  # the fixed label y, a column as in the notebook
LEARNING_RATES = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0)  # cell [10]
ITERATIONS = 2000
ZERO_OUTPUT_LOSS = 0.5 * float(np.sum(LABEL**2))  # 52: what a network stuck at out = 0 scores
RECORD_EVERY = 100  # iterations between the explorer's snapshots of the network
CELL_NUMBERS = ("The numbers in brackets are the seed notebook's cells, numbered as in "
                "demos/backprop_from_scratch.ipynb;\n[1]-[4] (imports, stepsize, sigmoid, loss) print nothing.\n")
LOSS_WINDOWS = 50  # the loss plot shows the mean loss over this many stretches of each run


# ---- cell [5]: the network, x -> W1 x = z -> sigmoid(z) = h -> W2 h = out


def init_weights(rng: np.random.Generator) -> nn.Sequential:
    """The 3-4-2 network. The notebook's comment says "Normal Gaussian" but it called
    np.random.rand, i.e. uniform on [0, 1): that is what we draw."""
    model = nn.Sequential(
        nn.Linear(3, 4, bias=False, rng=rng),  # weight = W1, shape (4, 3)
        nn.Sigmoid(),
        nn.Linear(4, 2, bias=False, rng=rng),  # weight = W2, shape (2, 4)
    )
    nn.init.uniform_(model[0].weight, 0.0, 1.0, rng=rng)
    nn.init.uniform_(model[2].weight, 0.0, 1.0, rng=rng)
    model[0].weight.label, model[2].weight.label = "W1", "W2"
    return model


def forward(model: nn.Sequential, x: np.ndarray) -> Tensor:
    """out for a column x of shape (3, 1), as a column (2, 1) like the notebook's.
    nn.Linear works on rows (x @ W.T), so the column goes in transposed."""
    return model(Tensor(x.T, label="x")).T


def loss(y: np.ndarray, out: Tensor) -> Tensor:
    """Cell [4]: 0.5 * sum((y - out)**2)."""
    return nn.squared_error(out, y)


def seed_graph(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> Tensor:
    """The loss as the notebook wrote it, for pictures: the column x (3, 1),
    z = W1 x, h = sigmoid(z), out = W2 h, L = 0.5 * sum((y - out)**2), each node
    labelled with the notebook's name. Same numbers as loss(y, forward(model, x))."""
    W1, W2 = model[0].weight, model[2].weight
    z = W1 @ Tensor(x, label="x")
    z.label = "z"
    h = z.sigmoid()
    h.label = "h"
    out = W2 @ h
    out.label = "out"
    L = loss(Tensor(y, label="y"), out)
    L.label = "L"
    return L


# ---- cells [7] and [8]: the notebook's hand-derived gradients, ported faithfully,
# live in seed_notebook.py with the rest of its NumPy code.

def compare_gradients(model: nn.Sequential, x: np.ndarray, y: np.ndarray) -> GradientReport:
    """Automatic vs hand-derived vs numerical gradients of the loss, for W1 and W2."""
    W1, W2 = model[0].weight, model[2].weight
    out = forward(model, x).data
    hand = [W1_grad(x, y, out, W1.data, W2.data), W2_grad(x, y, out, W1.data)]
    return check_gradients(lambda W1, W2: loss(y, forward(model, x)), [W1, W2], hand_written=hand)


def draw_network(model: nn.Sequential, x: np.ndarray, y: np.ndarray, out_dir: Path) -> list[Path]:
    """The network's graph after backward(), W1 and W2 coloured by whether the
    hand-derived gradients agree with the automatic ones. Without Graphviz's dot, the
    DOT source is written instead and one line says what to install."""
    W1, W2 = model[0].weight, model[2].weight
    L = seed_graph(model, x, y)
    out = forward(model, x).data
    model.zero_grad()
    L.backward()
    hand = {W1: W1_grad(x, y, out, W1.data, W2.data), W2: W2_grad(x, y, out, W1.data)}
    graph = draw_graph(L, hand_written=hand, title="The 3-4-2 network after backward(); "
                       "W1 and W2 checked against the notebook's hand-derived gradients")
    model.zero_grad()
    try:  # the DOT source too: the tests compare it with the README's committed picture
        return [render_graph(graph, out_dir / f"network_graph.{ext}") for ext in ("gv", "svg", "png")]
    except GraphvizNotFoundError as error:
        print(f"(no graph picture: Graphviz's dot is not installed; {INSTALL_GRAPHVIZ})", file=sys.stderr)
        return [error.source_path]


# ---- cell [10]: the learning-rate sweep


@dataclass
class Run:
    """One learning rate's training: its losses, and how it went."""

    learning_rate: float
    losses: list[float] = field(default_factory=list)
    diverged_at: int | None = None  # iteration where the loss stopped being finite

    @property
    def status(self) -> str:
        if self.diverged_at is not None:
            return f"DIVERGED at iteration {self.diverged_at} (loss overflowed to inf/nan)"
        # the same stretches as the loss plot, so these are its first and last points
        size = window_size(len(self.losses))
        means = window_means(self.losses, size)[1]
        first, last = means[0], means[-1]
        end = len(self.losses) - 1
        last_stretch = f"iterations {end // size * size}-{end}"
        peak = int(np.argmax(self.losses))
        if self.losses[peak] > 10 * self.losses[0]:
            return (f"UNSTABLE: the loss jumped to {self.losses[peak]:.4g} at iteration {peak} "
                    f"(from {self.losses[0]:.4g}); mean over {last_stretch} {last:.4g}")
        if abs(last - ZERO_OUTPUT_LOSS) < 0.01 * ZERO_OUTPUT_LOSS:
            return (f"UNSTABLE: stuck at loss {last:.4g} (mean over {last_stretch}), the loss of "
                    "predicting [0, 0]: the hidden sigmoids saturated and passed no gradient back")
        if len(means) < 2:
            return f"mean loss {first:.4g} over iterations 0-{end}: too few iterations to see a change"
        change = (f"mean loss {first:.4g} (iterations 0-{min(size, end + 1) - 1}) -> {last:.4g} "
                  f"({last_stretch.removeprefix('iterations ')})")
        if last > first:
            return f"got worse: {change}"
        if last >= 0.9 * first:
            return f"barely improved: {change}"
        return change

    @property
    def stable(self) -> bool:
        return not self.status.startswith(("DIVERGED", "UNSTABLE"))


def train(model: nn.Sequential, learning_rate: float, iterations: int, rng: np.random.Generator,
          progress: Callable[[int, float], None] | None = None, recorder: Recorder | None = None) -> Run:
    """Per-sample SGD on random x in [0, 1)^3 with the fixed label, as the notebook did.
    A run whose loss overflows stops there and says so, instead of filling the plot
    (and the terminal) with nan. ``recorder`` (optional) records each iteration's loss
    and, every ``recorder.every`` iterations, the network's graph for that iteration's x."""
    optimizer = nn.SGD(model.parameters(), lr=learning_rate)
    run = Run(learning_rate)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        for i in range(iterations):
            x = rng.random((3, 1))
            L = loss(LABEL, forward(model, x))
            value = L.item()
            if not math.isfinite(value):
                run.diverged_at = i
                break
            run.losses.append(value)
            if recorder is not None:
                _record(recorder, model, x, L, i, f"lr={learning_rate:g}")
            optimizer.zero_grad()
            L.backward()
            optimizer.step()
            if progress is not None:
                progress(i + 1, value)
    return run


def _record(recorder: Recorder, model: nn.Sequential, x: np.ndarray, L: Tensor, step: int, run: str) -> None:
    """The loss, and at snapshot steps the seed-shaped graph of this x with its
    gradients (a separate graph: its backward fills .grad, which the training step's
    zero_grad clears before its own backward). Its gradients start from zero: the last
    step's were still in .grad (zero_grad comes after this), and the page showed their sum."""
    if recorder.due(step):
        model.zero_grad()
        L = seed_graph(model, x, LABEL)
        L.backward()
    recorder.record(step, L, run=run)


def sweep(learning_rates: Sequence[float], iterations: int, rng: np.random.Generator,
          show_progress: bool = True, recorder: Recorder | None = None) -> tuple[list[Run], nn.Sequential]:
    """Fresh weights for each learning rate, then train. Returns the runs and the last
    model (the notebook's inference used the weights left by the last run)."""
    runs, model = [], None
    for k, lr in enumerate(learning_rates):
        model = init_weights(rng)
        progress = _progress_bar(f"[{k + 1}/{len(learning_rates)}] lr={lr:g}", iterations) if show_progress else None
        run = train(model, lr, iterations, rng, progress, recorder)
        if show_progress:
            _finish_progress(f"[{k + 1}/{len(learning_rates)}] lr={lr:g}", run)
        runs.append(run)
    return runs, model


def _progress_bar(title: str, total: int) -> Callable[[int, float], None]:
    interactive = sys.stderr.isatty()
    step = max(1, total // 20)

    def report(done: int, value: float) -> None:
        if interactive and (done % step == 0 or done == total):
            filled = 20 * done // total
            sys.stderr.write(f"\r  {title:<22} [{'#' * filled}{'.' * (20 - filled)}] "
                             f"{done}/{total}  loss {value:.4g}   ")
            sys.stderr.flush()

    return report


def _finish_progress(title: str, run: Run) -> None:
    prefix = "\r" if sys.stderr.isatty() else ""
    count = f"{len(run.losses)} iteration" + ("s" if len(run.losses) != 1 else "")
    sys.stderr.write(f"{prefix}  {title:<22} {count}: {run.status}" + " " * 20 + "\n")
    sys.stderr.flush()


def plot_losses(runs: Sequence[Run], out_dir: Path, show: bool = False) -> list[Path]:
    """The notebook's figure: one loss curve per learning rate, on a log scale (the
    losses span many decades). Saved as PNG and SVG; returns the files written."""
    import matplotlib

    if not show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with np.errstate(over="ignore"):  # log-scale arithmetic on the losses of a diverging run
        return _draw_losses(plt, runs, out_dir, show)


def _draw_losses(plt, runs: Sequence[Run], out_dir: Path, show: bool) -> list[Path]:
    figure = loss_figure(plt, runs)
    written = [_save_figure(figure, out_dir / f"loss_curves.{ext}") for ext in ("png", "svg")]
    if show:
        plt.show()
    plt.close(figure)
    return written


def loss_figure(plt, runs: Sequence[Run]):
    """One line per learning rate: the mean loss over each of LOSS_WINDOWS equal
    stretches of the run, on a log scale. Per-sample losses jump by decades from one
    random x to the next; plotting them (or a trailing running mean, which turns one
    spike into a plateau as wide as its window) draws noise a learner reads as events.
    A stretch's mean moves only at that stretch, and the y range is the means' range."""
    figure, axes = plt.subplots(figsize=(10, 6))
    size = window_size(max((len(run.losses) for run in runs), default=1))
    axes.set_title(f"Training loss: the mean over each {size} iterations" if size > 1 else
                   "Training loss at each iteration")
    means = np.concatenate([window_means(run.losses, size)[1] for run in runs if run.losses] or [np.ones(1)])
    positive = means[np.isfinite(means) & (means > 0)]
    starts = [run.losses[0] for run in runs if run.losses]
    top = positive.max() * 2 if positive.size else None
    if top is not None and starts and top > 1e3 * max(starts):
        # A diverging run climbs towards 1e308 and would squash every other curve flat.
        top = 1e3 * max(starts)
    crosses_cut = False
    for run in runs:
        label = f"lr={run.learning_rate:g}"
        if run.diverged_at is not None:
            label += f" (diverged at {run.diverged_at})"
        centres, run_means = window_means(run.losses, size)
        (line,) = axes.plot(centres, run_means, linewidth=1.8, marker="o", markersize=2.5, label=label)
        if run.diverged_at is not None and run.losses:
            # the cross at the last finite loss, or at the top edge where that is above it (the note says so)
            height = run.losses[-1] if top is None else min(run.losses[-1], top / 1.2)
            crosses_cut |= height != run.losses[-1]
            axes.plot(len(run.losses) - 1, height, "x", color=line.get_color(), markersize=12, markeredgewidth=2)
    axes.set_yscale("log")
    if top is not None:
        if crosses_cut or positive.max() > top:
            axes.annotate(f"curves above {top:.3g} cut off", xy=(0.99, 0.98), xycoords="axes fraction",
                          ha="right", va="top", fontsize=9, color="dimgray")
        axes.set_ylim(bottom=positive.min() / 2, top=top)
    axes.set_xlabel("Iteration")
    axes.set_ylabel("Mean loss (log scale)" if size > 1 else "Loss (log scale)")
    axes.legend(loc="lower left", title="stepsize (learning rate)", ncol=2, framealpha=0.9)
    figure.tight_layout()
    return figure


def window_size(length: int, windows: int = LOSS_WINDOWS) -> int:
    """Iterations per stretch so that a run of ``length`` has about ``windows`` stretches."""
    return max(1, math.ceil(length / windows))


def window_means(losses: Sequence[float], size: int) -> tuple[np.ndarray, np.ndarray]:
    """The mean of each stretch of ``size`` consecutive losses (the last may be shorter)
    and the iteration at each stretch's middle."""
    values = np.asarray(losses, dtype=float)
    if values.size == 0:
        return np.zeros(0), np.zeros(0)
    starts = np.arange(0, values.size, size)
    counts = np.diff(np.append(starts, values.size))
    return starts + (counts - 1) / 2, np.add.reduceat(values, starts) / counts


def _save_figure(figure, path: Path) -> Path:
    with replacing(path) as temporary:
        figure.savefig(temporary, format=path.suffix[1:], dpi=120)
    return path


def save_losses(runs: Sequence[Run], out_dir: Path) -> Path:
    """The recorded losses as CSV: one column per learning rate (empty after divergence)."""
    path = out_dir / "losses.csv"
    length = max((len(r.losses) for r in runs), default=0)
    lines = ["iteration," + ",".join(f"lr={r.learning_rate:g}" for r in runs)]
    for i in range(length):
        cells = [repr(r.losses[i]) if i < len(r.losses) else "" for r in runs]
        lines.append(f"{i}," + ",".join(cells))
    with replacing(path) as temporary:
        temporary.write_text("\n".join(lines) + "\n")
    return path


def save_playback(recorder: Recorder, out_dir: Path) -> list[Path]:
    """training.html: the sweep played back in the explorer. Its layout needs Graphviz's
    dot too; the network picture has already said what to install when it is missing."""
    try:
        return [recorder.save(out_dir / "training.html")]
    except GraphvizNotFoundError:
        print("(no training.html: it is laid out by dot as well)", file=sys.stderr)
        return []


# ---- the command line


def _learning_rates(text: str) -> list[float]:
    rates = []
    for item in text.replace(",", " ").split():
        try:
            rate = float(item)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {item!r}") from None
        if not math.isfinite(rate) or rate <= 0:
            raise argparse.ArgumentTypeError(f"a learning rate must be a positive finite number, got {item!r}")
        rates.append(rate)
    if not rates:
        raise argparse.ArgumentTypeError("give at least one learning rate")
    labels = [f"lr={rate:g}" for rate in rates]  # (each run's name, legend entry and CSV column)
    for k, label in enumerate(labels):
        if label in labels[:k]:
            raise argparse.ArgumentTypeError(f"the learning rates {rates[labels.index(label)]!r} and {rates[k]!r} "
                                             f"would share the label {label}: give each rate once, differing in "
                                             "its first 6 digits")
    return rates


def _integer_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number no smaller than ``minimum``."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _output_folder_problem(folder: Path) -> str | None:
    """None when files can be written into ``folder`` (made if missing), else why not:
    checked before the run, so that it does not end in a traceback after the training."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return f"cannot create the output folder {folder}: {error}"
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return f"cannot write into the output folder {folder}: {error.strerror or error}"
    return None


def output_folder(text: str) -> Path:
    """``--out`` of every demo: the folder, made if missing, or argparse's clear error
    before any work (moons trained for 20 s, then ended in a traceback)."""
    folder = Path(text)
    problem = _output_folder_problem(folder)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return folder


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=_integer_at_least(0), default=0,
                        help="random seed, 0 or more (default 0): same seed, same numbers")
    parser.add_argument("--iterations", type=_integer_at_least(1), default=ITERATIONS,
                        help=f"training iterations per learning rate (default {ITERATIONS})")
    parser.add_argument("--learning-rates", type=_learning_rates, default=list(LEARNING_RATES),
                        metavar="LR[,LR...]",
                        help="comma-separated learning rates (default 1e-5,1e-4,1e-3,1e-2,1e-1,1)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="folder for the figures (default out/)")
    parser.add_argument("--show", action="store_true", help="also open the plot in a window")
    parser.add_argument("--record-every", type=_integer_at_least(1), default=RECORD_EVERY, metavar="K",
                        help=f"training.html's snapshots of the network: every K iterations (default {RECORD_EVERY})")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    problem = _output_folder_problem(args.out)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    np.set_printoptions(precision=8)
    rng = np.random.default_rng(args.seed)
    written: list[Path] = []

    print(CELL_NUMBERS)
    print("[5] the network: x -> W1 x = z -> sigmoid(z) = h -> W2 h = out")
    model = init_weights(rng)
    print(model, "\n")

    print("[6] forward on a random x with the label y")
    x = rng.random((3, 1))
    out = forward(model, x)
    L = loss(LABEL, out)
    print("x:\n", x, "\ny:\n", LABEL, "\nout:\n", out.data, "\nloss:", L.item(), "\n")

    print("[7][8] the hand-derived W2_grad and W1_grad against the automatic and numerical ones")
    report = compare_gradients(model, x, LABEL)
    print(report, "\n")
    written += draw_network(model, x, LABEL, args.out)

    print(f"[9] one SGD step with stepsize {STEPSIZE:g}")
    L.backward()
    nn.SGD(model.parameters(), lr=STEPSIZE).step()
    print("W1:\n", model[0].weight.data, "\nW2:\n", model[2].weight.data, "\n")

    print(f"[10] training: fitting the fixed label y = [10, -2], {args.iterations} iterations per learning rate")
    recorder = Recorder(every=args.record_every, title="The seed's learning-rate sweep: the network for "
                        f"each iteration's x, every {args.record_every} iterations")
    runs, model = sweep(args.learning_rates, args.iterations, rng, recorder=recorder)
    written += plot_losses(runs, args.out, show=args.show)
    written.append(save_losses(runs, args.out))
    written += save_playback(recorder, args.out)
    print()

    last = args.learning_rates[-1]
    print(f"[11] inference with the weights trained at lr={last:g}")
    x = rng.random((3, 1))
    prediction = forward(model, x)
    with np.errstate(over="ignore", invalid="ignore"):
        print("input x:\n", x, "\n")
        print("label y:\n", LABEL, "\n")
        print("prediction:\n", prediction.data, "\n")
        print("Loss:", loss(LABEL, prediction).item(), "\n")

    print("Summary (each mean loss is a point of the loss plot: its first and last stretch)")
    for run in runs:
        print(f"  lr={run.learning_rate:<8g} {run.status}")
    unstable = [run for run in runs if not run.stable]
    if unstable:
        rates = ", ".join(f"{run.learning_rate:g}" for run in unstable)
        print(f"  Too large a step for this network: lr={rates}.")
    print(f"  gradient check: {'passed' if report.passed else 'FAILED'}")
    print("Files written:")
    for path in written:
        print(f"  {path}")
    return 0 if report.passed else 1


if __name__ == "__main__":
    sys.exit(main())
