"""The seed notebook's printed numbers, reproduced by our engine: with Tensors, and
with a network of scalar Values."""

from __future__ import annotations

import numpy as np
import pytest
import seed_reference as seed

from autograd import Tensor, Value
from autograd.gradcheck import check_gradients

TOLERANCE = seed.tolerances()


def network_loss(W1, W2, x):
    out = W2 @ (W1 @ x).sigmoid()
    loss = (0.5 * (Tensor(seed.Y, label="y") - out) ** 2).sum(axis=0)  # shape (1,), as the notebook's
    return out, loss


def tensor_network(W1_data, W2_data, x_data):
    W1 = Tensor(W1_data, requires_grad=True, label="W1")
    W2 = Tensor(W2_data, requires_grad=True, label="W2")
    out, loss = network_loss(W1, W2, Tensor(x_data, label="x"))
    return W1, W2, out, loss


def assert_matches_printed(name, ours):
    printed = {"out": seed.OUT, "loss": seed.LOSS, "W1_grad": seed.W1_GRAD, "W2_grad": seed.W2_GRAD}[name]
    difference = np.abs(np.asarray(ours, dtype=float).reshape(printed.shape) - printed)
    assert np.all(difference <= TOLERANCE[name]), (name, difference.max(), TOLERANCE[name].max())


def test_tolerances_are_tight():
    # The allowance for printed rounding must stay near the printed precision, or the
    # comparisons below would prove little.
    assert TOLERANCE["out"].max() < 5e-8
    assert TOLERANCE["W1_grad"].max() < 1e-7 and TOLERANCE["W2_grad"].max() < 1e-7
    assert TOLERANCE["loss"].max() < 1e-6


def test_tensor_network_reproduces_the_printed_numbers():
    W1_0, W2_0 = seed.initial_weights()
    W1, W2, out, loss = tensor_network(W1_0, W2_0, seed.X)
    assert loss.shape == (1,)
    loss.backward()
    assert_matches_printed("out", out.data)
    assert_matches_printed("loss", loss.data)
    assert_matches_printed("W1_grad", W1.grad)
    assert_matches_printed("W2_grad", W2.grad)
    # one SGD step lands on the printed weights
    np.testing.assert_allclose(W1.data - seed.STEPSIZE * W1.grad, seed.W1_AFTER, atol=seed.HALF_UNIT)
    np.testing.assert_allclose(W2.data - seed.STEPSIZE * W2.grad, seed.W2_AFTER, atol=seed.HALF_UNIT)


def test_tensor_network_equals_the_seed_code_to_machine_precision(rng):
    for _ in range(5):
        W1_0, W2_0, x = rng.random((4, 3)), rng.random((2, 4)), rng.random((3, 1))
        W1, W2, out, loss = tensor_network(W1_0, W2_0, x)
        loss.backward()
        seed_out = seed.forward(x, W1_0, W2_0)
        np.testing.assert_allclose(out.data, seed_out, rtol=1e-13)
        np.testing.assert_allclose(loss.data, seed.loss(seed.Y, seed_out), rtol=1e-13)
        np.testing.assert_allclose(W1.grad, seed.W1_grad(x, seed.Y, seed_out, W1_0, W2_0), rtol=1e-11)
        np.testing.assert_allclose(W2.grad, seed.W2_grad(x, seed.Y, seed_out, W1_0), rtol=1e-12)


def test_hand_derived_gradients_pass_the_three_way_check():
    W1_0, W2_0 = seed.initial_weights()
    W1 = Tensor(W1_0, requires_grad=True, label="W1")
    W2 = Tensor(W2_0, requires_grad=True, label="W2")
    out = seed.forward(seed.X, W1_0, W2_0)
    hand = [seed.W1_grad(seed.X, seed.Y, out, W1_0, W2_0), seed.W2_grad(seed.X, seed.Y, out, W1_0)]
    x = Tensor(seed.X)
    report = check_gradients(lambda W1, W2: network_loss(W1, W2, x)[1], [W1, W2], hand_written=hand)
    assert report.passed, str(report)
    assert [c.first + "/" + c.second for c in report["W1"].comparisons] == [
        "automatic/numerical", "automatic/hand-written", "hand-written/numerical"]


def value_network(W1_data, W2_data, x_data):
    """The same 3-4-2 network at scalar granularity: one Value per weight."""
    W1 = [[Value(w, label=f"W1[{i},{j}]") for j, w in enumerate(row)] for i, row in enumerate(W1_data)]
    W2 = [[Value(w, label=f"W2[{i},{j}]") for j, w in enumerate(row)] for i, row in enumerate(W2_data)]
    x = [float(v) for v in np.ravel(x_data)]
    h = [sum((w * xj for w, xj in zip(row, x)), Value(0.0)).sigmoid() for row in W1]
    out = [sum((w * hj for w, hj in zip(row, h)), Value(0.0)) for row in W2]
    loss = sum((0.5 * (float(yi) - oi) ** 2 for yi, oi in zip(np.ravel(seed.Y), out)), Value(0.0))
    return W1, W2, out, loss


def test_value_network_reproduces_the_printed_numbers():
    W1_0, W2_0 = seed.initial_weights()
    W1, W2, out, loss = value_network(W1_0, W2_0, seed.X)
    loss.backward()
    assert_matches_printed("out", [o.data for o in out])
    assert_matches_printed("loss", loss.data)
    assert_matches_printed("W1_grad", [[w.grad for w in row] for row in W1])
    assert_matches_printed("W2_grad", [[w.grad for w in row] for row in W2])


def test_value_and_tensor_networks_agree(rng):
    W1_0, W2_0, x = rng.random((4, 3)), rng.random((2, 4)), rng.random((3, 1))
    V1, V2, _, vloss = value_network(W1_0, W2_0, x)
    T1, T2, _, tloss = tensor_network(W1_0, W2_0, x)
    vloss.backward()
    tloss.backward()
    assert vloss.data == pytest.approx(tloss.item(), rel=1e-14)
    np.testing.assert_allclose([[w.grad for w in row] for row in V1], T1.grad, rtol=1e-12)
    np.testing.assert_allclose([[w.grad for w in row] for row in V2], T2.grad, rtol=1e-12)
