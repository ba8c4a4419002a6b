"""What the classic exercises (moons.py, classify.py, digits.py) share: their command-line
options, matplotlib without a window, the decision-region picture and the summary of
files written. Not a demo itself."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from backprop_from_scratch import output_folder  # (demos/ is on the path of every demo)

from autograd.files import replacing


def parser(doc: str, steps: int, seed: int = 0) -> argparse.ArgumentParser:
    """The options every exercise takes: --out, --seed, --steps."""
    options = argparse.ArgumentParser(description=doc.split("\n\n")[0],
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
    options.add_argument("--out", type=output_folder, default="out", help="folder for the pictures (default out/)")
    options.add_argument("--seed", type=int, default=seed, help=f"random seed for data and weights (default {seed})")
    options.add_argument("--steps", type=int, default=steps, help=f"optimizer steps (default {steps})")
    return options


def positive(options: argparse.ArgumentParser, args: argparse.Namespace, *names: str) -> None:
    """Refuse a count below 1 with the option's name, before any work."""
    for name in names:
        if getattr(args, name) < 1:
            options.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")


def pyplot():
    """matplotlib.pyplot drawing to files only (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(figure, path: Path) -> Path:
    """Write a figure whole or not at all (a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as temporary:
        figure.savefig(temporary, format=path.suffix[1:], dpi=110, bbox_inches="tight")
    pyplot().close(figure)
    return path


def plot_regions(axis, X: np.ndarray, y: np.ndarray, predict: Callable[[np.ndarray], np.ndarray],
                 resolution: int, colors: Sequence[str]) -> None:
    """The plane coloured by the class ``predict`` gives each point of a resolution x
    resolution grid, with the data on top in the same colours."""
    low, high = X.min(axis=0) - 0.5, X.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    classes = np.asarray(predict(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(gx.shape)
    from matplotlib.colors import ListedColormap

    levels = np.arange(len(colors) + 1) - 0.5
    axis.contourf(gx, gy, classes, levels=levels, cmap=ListedColormap(colors), alpha=0.35)
    for k, color in enumerate(colors):
        axis.scatter(*X[y == k].T, s=14, color=color, edgecolors="black", linewidths=0.4)
    axis.set_xlim(low[0], high[0])
    axis.set_ylim(low[1], high[1])
    axis.set_aspect("equal")


def print_files(paths: Sequence[Path]) -> None:
    print("Files written:")
    for path in paths:
        print(f"  {path}")
