"""The seed notebook's own NumPy code ("Backprop from Scratch", June 3, 2022, cells [3]
to [9]), ported as written, and the numbers it printed: kept in one place for the demos
(its hand-derived gradients, its weights), the tests (a reference) and the benchmarks
(the baseline to beat)."""

import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def loss(y, out):
    L = 0
    for i in range(y.size):
        L += (1 / 2) * (y[i] - out[i]) ** 2
    return L


def forward(x, W1, W2):
    z = np.dot(W1, x)  # h*1
    h = sigmoid(z)  # h*1
    out = np.dot(W2, h)  # o*1
    return out


def W2_grad(x, y, out, W1):
    h = sigmoid(np.dot(W1, x))
    dL_dW2 = np.dot((-y + out), h.T)
    return dL_dW2


def W1_grad(x, y, out, W1, W2):
    z = np.dot(W1, x)
    a = (-y + out).T
    b = np.dot(a, W2)
    c = sigmoid(z) * (1 - sigmoid(z))
    d = b.T * c
    dL_dW1 = d * x.T
    return dL_dW1


def update_weights(x, y, out, W1, W2, stepsize):
    new_W1 = W1 - stepsize * W1_grad(x, y, out, W1, W2)
    new_W2 = W2 - stepsize * W2_grad(x, y, out, W1)
    return new_W1, new_W2


# ---- what the notebook printed (cells [6] to [9]), a reference table. It never printed
# its initial weights; they are the printed post-step weights plus stepsize times the
# printed gradients.

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

