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

import numpy as np

# The printed numbers and the seed's own code live in seed_notebook.py (installed with the project).
from seed_notebook import (
    HALF_UNIT,
    LOSS,
    OUT,
    STEPSIZE,
    W1_AFTER,
    W1_GRAD,
    W2_AFTER,
    W2_GRAD,
    W1_grad,
    W2_grad,
    X,
    Y,
    forward,
    initial_weights,
    loss,
    sigmoid,
    update_weights,
)

__all__ = [
    "HALF_UNIT", "LOSS", "OUT", "STEPSIZE", "W1_AFTER", "W1_GRAD", "W2_AFTER", "W2_GRAD", "W1_grad", "W2_grad",
    "X", "Y", "forward", "initial_weights", "loss", "sigmoid", "update_weights", "tolerances",
]

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
