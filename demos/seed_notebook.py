"""The seed notebook's own NumPy code ("Backprop from Scratch", June 3, 2022, cells [3]
to [9]), ported as written: kept in one place for the demo (its hand-derived
gradients), the tests (a reference) and the benchmarks (the baseline to beat)."""

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
