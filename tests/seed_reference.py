"""The seed notebook's printed numbers ("Backprop from Scratch", ../shared/seeds/), and
its own NumPy code, as a reference table.

The notebook printed x, out, the loss, the gradients at the initial weights, and the
weights *after* one SGD step (stepsize 1e-4). It never printed the initial weights,
so we reconstruct them: W = W_after + stepsize * printed gradient.

Every printed number is rounded to its last digit, so the reconstruction carries that
rounding into everything computed from it. `tolerances` bounds the effect to first
order: half a unit of the last printed digit on each printed input, times the
sensitivity of each quantity to that input, plus half a unit of the quantity's own
last printed digit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

STEPSIZE = 1e-4
HALF_UNIT = 0.5e-8  # every number below is printed with 8 decimals

X = np.array([[0.64939334], [0.7704799], [0.66021291]])
Y = np.array([10, -2])[:, None]
OUT = np.array([[1.56664067], [1.00139225]])
LOSS = np.array([40.06495249])
W2_GRAD = np.array([
    [-5.82016268, -4.9195419, -5.69856975, -5.99530692],
    [2.07136806, 1.75084143, 2.02809372, 2.13370106],
])
W1_GRAD = np.array([
    [0.0231634, 0.02748247, 0.02354933],
    [-0.92055436, -1.09220188, -0.93589175],
    [-0.8262928, -0.98036421, -0.84005969],
    [-0.5623849, -0.66724777, -0.57175481],
])
W1_AFTER = np.array([
    [0.39648036, 0.37602858, 0.38404979],
    [0.18591119, 0.04167148, 0.2785186],
    [0.19024909, 0.06115962, 0.8537801],
    [0.0545512, 0.43444166, 0.80239174],
])
W2_AFTER = np.array([
    [0.15106017, 0.73649631, 0.82716617, 0.66862462],
    [0.47818199, 0.12466736, 0.38767533, 0.47286998],
])


def initial_weights(w1_after=W1_AFTER, w2_after=W2_AFTER, w1_grad=W1_GRAD, w2_grad=W2_GRAD):
    """The weights before the notebook's SGD step, reconstructed from what it printed."""
    return w1_after + STEPSIZE * w1_grad, w2_after + STEPSIZE * w2_grad


# ---- the seed's own code, ported faithfully: demos/seed_notebook.py

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "demos"))
from seed_notebook import W1_grad, W2_grad, forward, loss, sigmoid, update_weights  # noqa: E402,F401

# ---- how far the printed rounding can move each quantity


def _quantities(w1_after, w2_after, w1_grad, w2_grad, x):
    W1, W2 = initial_weights(w1_after, w2_after, w1_grad, w2_grad)
    out = forward(x, W1, W2)
    return {
        "out": out,
        "loss": loss(Y, out),
        "W1_grad": W1_grad(x, Y, out, W1, W2),
        "W2_grad": W2_grad(x, Y, out, W1),
    }


def tolerances() -> dict[str, np.ndarray]:
    """Per element of out, loss, W1_grad and W2_grad: the largest difference from the
    printed value that the rounding of the printed inputs can explain (first order,
    by central differences of the seed's own code)."""
    printed_inputs = [W1_AFTER, W2_AFTER, W1_GRAD, W2_GRAD, X]
    base = _quantities(*printed_inputs)
    bound = {name: np.full(q.shape, HALF_UNIT) for name, q in base.items()}
    h = 1e-6
    for k, array in enumerate(printed_inputs):
        for index in np.ndindex(*array.shape):
            plus = [a.copy() for a in printed_inputs]
            minus = [a.copy() for a in printed_inputs]
            plus[k][index] += h
            minus[k][index] -= h
            up, down = _quantities(*plus), _quantities(*minus)
            for name in bound:
                sensitivity = (up[name] - down[name]) / (2 * h)
                bound[name] += np.abs(sensitivity) * HALF_UNIT
    return bound
