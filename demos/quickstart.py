"""A first look at the engine: a scalar expression and a small Tensor network, their
gradients, and a three-way gradient check (automatic / hand-written / numerical).

Run with `make demo` (or `python demos/quickstart.py` inside the project's venv).
"""

import numpy as np

from autograd import Tensor, Value
from autograd.gradcheck import check_gradients


def scalar_example() -> None:
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + b**2  # c = ab + b^2
    c.backward()
    print("c = a*b + b**2 at a=2, b=-3:", c.data)
    print(f"dc/da = b = {a.grad},  dc/db = a + 2b = {b.grad}\n")


def tensor_example() -> None:
    rng = np.random.default_rng(0)
    W1 = Tensor(rng.random((4, 3)), requires_grad=True, label="W1")
    W2 = Tensor(rng.random((2, 4)), requires_grad=True, label="W2")
    x, y = Tensor(rng.random((3, 1))), Tensor([[10.0], [-2.0]])

    def loss(W1: Tensor, W2: Tensor) -> Tensor:
        out = W2 @ (W1 @ x).sigmoid()
        return (0.5 * (y - out) ** 2).sum()

    # the notebook's hand-derived gradients
    h = 1 / (1 + np.exp(-(W1.data @ x.data)))
    delta = W2.data @ h - y.data
    hand_W2 = delta @ h.T
    hand_W1 = (W2.data.T @ delta) * h * (1 - h) @ x.data.T

    report = check_gradients(loss, [W1, W2], hand_written=[hand_W1, hand_W2])
    print(report)


if __name__ == "__main__":
    scalar_example()
    tensor_example()
