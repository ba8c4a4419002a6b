"""Gradients of gradients: three demos of the engine differentiating its own backward pass.

1. Second derivatives of sigmoid and tanh, from the engine, plotted against their
   closed forms: s'' = s(1-s)(1-2s) and tanh'' = -2 tanh (1 - tanh^2).

2. Newton's method against gradient descent on Rosenbrock's banana,
   f(x, y) = (1 - x)^2 + 100 (y - x^2)^2, from (-1.2, 1). Newton steps by -H^-1 g with
   the Hessian H from the engine; both paths are plotted on the contours.

3. The Hessian of the notebook network's loss with respect to W2, at the seed's
   weights, against its closed form. With h = sigmoid(W1 x) and out = W2 h,

       L = 1/2 sum_i (y_i - out_i)^2,     dL/dW2[i,j] = (out_i - y_i) h_j,

   and differentiating once more,

       d2L / dW2[i,j] dW2[k,l] = d(out_i)/dW2[k,l] h_j = delta_ik h_l h_j.

   Seen as an 8 x 8 matrix (W2 flattened row by row) it is block diagonal,
   I_2 (x) h h^T: one 4 x 4 block h h^T per output, the same for both, no coupling between
   the rows of W2, and independent of y and of W2 itself (L is quadratic in W2).

    python demos/second_order.py [--out out/] [--show]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import backprop_from_scratch as notebook  # noqa: E402

import seed_notebook  # noqa: E402
from autograd import Tensor, Value, grad  # noqa: E402
from autograd.functional import hessian  # noqa: E402


def second_derivatives(points: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The engine's second derivative and the closed form, for sigmoid and tanh."""
    results = {}
    closed = {
        "sigmoid": lambda s: s * (1 - s) * (1 - 2 * s),
        "tanh": lambda t: -2 * t * (1 - t * t),
    }
    for name, closed_form in closed.items():
        x = Tensor(points, requires_grad=True)
        y = getattr(x, name)()
        (slope,) = grad(y.sum(), x, create_graph=True)  # elementwise: the sum keeps them apart
        (curvature,) = grad(slope.sum(), x)
        results[name] = (curvature, closed_form(y.data))
    return results


def rosenbrock(x: Value, y: Value) -> Value:
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def newton(start: Sequence[float], steps: int) -> list[tuple[float, float]]:
    path = [tuple(start)]
    for _ in range(steps):
        x, y = Value(path[-1][0]), Value(path[-1][1])
        g = np.array(grad(rosenbrock(x, y), [x, y]), dtype=float)
        if np.linalg.norm(g) < 1e-10:  # (before the step: a step at gradient 0 moves nothing, and was counted)
            break
        H = np.array(hessian(rosenbrock, [x, y]), dtype=float)
        path.append(tuple(np.array(path[-1]) - np.linalg.solve(H, g)))
    return path


def gradient_descent(start: Sequence[float], steps: int, lr: float) -> list[tuple[float, float]]:
    path = [tuple(start)]
    for _ in range(steps):
        x, y = Value(path[-1][0]), Value(path[-1][1])
        g = np.array(grad(rosenbrock(x, y), [x, y]), dtype=float)
        path.append(tuple(np.array(path[-1]) - lr * g))
    return path


def hessian_of_the_notebook_loss() -> tuple[np.ndarray, np.ndarray]:
    """(engine, closed form): d2L/dW2 dW2 as (2, 4, 2, 4) arrays, at the seed's weights."""
    W1, W2 = seed_notebook.initial_weights()
    x, y = seed_notebook.X, seed_notebook.Y

    def loss(W2: Tensor) -> Tensor:
        h = (Tensor(W1) @ Tensor(x)).sigmoid()
        return notebook.loss(y, W2 @ h)

    engine = hessian(loss, Tensor(W2))
    h = seed_notebook.sigmoid(W1 @ x).ravel()
    closed = np.einsum("ik,j,l->ijkl", np.eye(2), h, h)  # delta_ik h_j h_l
    return engine, closed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=notebook.output_folder, default="out",
                        help="folder for the figures (default out/)")
    parser.add_argument("--show", action="store_true", help="also open the plots in windows")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    import matplotlib

    if not args.show:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []

    print("1. Second derivatives from the engine against their closed forms")
    points = np.linspace(-6, 6, 241)
    figure, axes = plt.subplots(1, 2, figsize=(11, 4))
    for axis, (name, (engine, closed)) in zip(axes, second_derivatives(points).items()):
        print(f"   {name}'': largest difference {np.max(np.abs(engine - closed)):.2e} over {len(points)} points")
        axis.plot(points, closed, color="lightgray", linewidth=6, label="closed form")
        axis.plot(points, engine, color="C0", linewidth=1.5, label="engine (grad of grad)")
        axis.set_title(f"{name}''(x)")
        axis.set_xlabel("x")
        axis.legend()
    figure.tight_layout()
    written.append(notebook._save_figure(figure, args.out / "second_derivatives.png"))

    print("2. Newton's method against gradient descent on Rosenbrock's function, from (-1.2, 1)")
    start = (-1.2, 1.0)
    newton_path = newton(start, 20)
    descent_path = gradient_descent(start, 2000, lr=1e-3)
    for name, path in (("Newton", newton_path), ("gradient descent (lr 1e-3)", descent_path)):
        end = path[-1]
        value = rosenbrock(Value(end[0]), Value(end[1])).data
        print(f"   {name}: {len(path) - 1} steps, ends at ({end[0]:.6f}, {end[1]:.6f}), f = {value:.3g}")
    figure, axis = plt.subplots(figsize=(7, 5.5))
    everywhere = np.array(newton_path + descent_path)
    low, high = everywhere.min(axis=0) - 0.3, everywhere.max(axis=0) + 0.3
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    surface = (1 - grid_x) ** 2 + 100 * (grid_y - grid_x**2) ** 2
    axis.contour(grid_x, grid_y, np.log10(surface + 1e-3), levels=25, cmap="Greys", linewidths=0.6)
    for path, style, label in ((descent_path, "C1.-", "gradient descent"), (newton_path, "C0o-", "Newton")):
        xs, ys = zip(*path)
        axis.plot(xs, ys, style, markersize=3, linewidth=1, label=f"{label} ({len(path) - 1} steps)")
    axis.plot(1, 1, "k*", markersize=12, label="minimum (1, 1)")
    axis.set_title("Rosenbrock's function: Newton (Hessian from the engine) vs gradient descent")
    axis.legend(loc="lower right")
    figure.tight_layout()
    written.append(notebook._save_figure(figure, args.out / "newton_vs_gd.png"))

    print("3. The Hessian of the notebook's loss with respect to W2, at the seed's weights")
    engine, closed = hessian_of_the_notebook_loss()
    print(f"   shape {engine.shape}; largest difference from the closed form delta_ik h_j h_l: "
          f"{np.max(np.abs(engine - closed)):.2e}")
    matrix = engine.reshape(8, 8)
    with np.printoptions(precision=4, suppress=True, linewidth=120):
        print("   as an 8 x 8 matrix (W2 flattened row by row): two equal blocks h h^T, zeros elsewhere")
        print("   " + str(matrix).replace("\n", "\n   "))
    figure, axis = plt.subplots(figsize=(5, 4.5))
    image = axis.imshow(matrix, cmap="viridis")
    axis.set_title("d²L / dW2 dW2 (8 x 8): I₂ ⊗ h hᵀ")
    figure.colorbar(image)
    figure.tight_layout()
    written.append(notebook._save_figure(figure, args.out / "hessian_W2.png"))
    if args.show:
        plt.show()
    plt.close("all")

    print("Files written:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
