"""The learner's toolbox in nn (issue 13): cross-entropy and its parts, AdamW, Dropout,
and the scalar MLP's single output. PyTorch is the oracle where it is installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from autograd.gradcheck import check_gradients

REDUCTIONS = ["mean", "sum", "none"]


def batch(rng, n=5, classes=4, scale=1.0):
    return scale * rng.normal(size=(n, classes)), rng.integers(0, classes, size=n)


def loss_and_gradient(function, logits, targets, reduction):
    x = Tensor(logits.copy(), requires_grad=True)
    loss = function(x, targets, reduction=reduction)
    loss.sum().backward()  # "none" gives one loss per row: their sum has the same gradients
    return loss.data, x.grad


# ---- cross_entropy, log_softmax, nll_loss


def test_log_softmax_is_logits_minus_logsumexp(rng):
    logits, _ = batch(rng)
    expected = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(nn.log_softmax(Tensor(logits), dim=1).data, expected, rtol=1e-13)
    np.testing.assert_allclose(nn.log_softmax(Tensor(logits), dim=0).data,
                               logits - np.log(np.exp(logits).sum(axis=0, keepdims=True)), rtol=1e-13)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_and_nll_match_pytorch(reduction, rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    logits, targets = batch(rng, n=6, classes=5, scale=3.0)
    log_probs = F.log_softmax(torch.tensor(logits), dim=1).numpy()
    for ours, theirs, inputs in ((nn.cross_entropy, F.cross_entropy, logits), (nn.nll_loss, F.nll_loss, log_probs)):
        their_inputs = torch.tensor(inputs, requires_grad=True)
        expected = theirs(their_inputs, torch.tensor(targets), reduction=reduction)
        expected.sum().backward()
        value, gradient = loss_and_gradient(ours, inputs, targets, reduction)
        np.testing.assert_allclose(value, expected.detach().numpy(), rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(gradient, their_inputs.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradients_match_central_differences(reduction, rng):
    logits, targets = batch(rng)
    x = Tensor(logits, requires_grad=True)
    report = check_gradients(lambda x: nn.cross_entropy(x, targets, reduction=reduction).sum(), [x])
    assert report.passed, str(report)


def test_cross_entropy_is_stable_at_logits_of_1000():
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1000.0], [1000.0, 1000.0, -1000.0]])
    targets = [1, 2, 0]
    value, gradient = loss_and_gradient(nn.cross_entropy, logits, targets, "none")
    # by hand: loss = logsumexp(row) - row[target], softmax - onehot
    np.testing.assert_allclose(value, [2000.0, 0.0, np.log(2.0)], rtol=1e-15)
    np.testing.assert_allclose(gradient, [[1.0, -1.0, 0.0], [0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]], atol=1e-300)
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(theirs, torch.tensor(targets), reduction="none")
    expected.sum().backward()
    np.testing.assert_allclose(value, expected.detach().numpy(), rtol=1e-15)
    np.testing.assert_allclose(gradient, theirs.grad.numpy(), atol=1e-300)


def test_cross_entropy_module_and_whole_number_float_targets(rng):
    logits, targets = batch(rng)
    expected = nn.cross_entropy(Tensor(logits), targets).item()
    assert nn.CrossEntropyLoss()(Tensor(logits), targets.astype(float)).item() == expected
    assert nn.CrossEntropyLoss(reduction="sum")(Tensor(logits), Tensor(targets)).item() == pytest.approx(
        expected * len(targets), rel=1e-14)
    log_probs = nn.log_softmax(Tensor(logits))
    assert nn.NLLLoss()(log_probs, list(targets)).item() == expected
    assert "reduction='sum'" in repr(nn.NLLLoss(reduction="sum"))


@pytest.mark.parametrize("targets, error, message", [
    ([0, 1, 4], ValueError, r"targets\[2\] = 4 is not a class index: with 4 classes.*\[0, 3\]"),
    ([0, -1, 2], ValueError, r"targets\[1\] = -1 is not a class index"),
    ([0.0, 1.5, 2.0], TypeError, r"targets\[1\] = 1.5 is not a whole number"),
    ([0.0, np.nan, 2.0], TypeError, r"targets\[1\] = nan is not a whole number"),
    ([True, False, True], TypeError, "integer class indices, got dtype bool"),
    (["a", "b", "c"], TypeError, "integer class indices, got dtype <U1"),
    ([0, 1], ValueError, r"targets must have shape \(3,\).*got shape \(2,\)"),
    ([[0], [1], [2]], ValueError, r"targets must have shape \(3,\).*got shape \(3, 1\)"),
])
def test_bad_targets_are_named(targets, error, message, rng):
    logits = Tensor(rng.normal(size=(3, 4)))
    with pytest.raises(error, match=message):
        nn.cross_entropy(logits, targets)
    with pytest.raises(error, match=message):
        nn.nll_loss(logits, targets)


def test_bad_shapes_and_reductions_are_named():
    with pytest.raises(ValueError, match=r"shape \(N, C\).*got shape \(4,\).*reshape\(1, -1\)"):
        nn.cross_entropy(Tensor(np.zeros(4)), [1])
    with pytest.raises(ValueError, match=r"got shape \(2, 3, 4\)"):
        nn.nll_loss(Tensor(np.zeros((2, 3, 4))), [0, 1])
    with pytest.raises(ValueError, match=r"no rows \(shape \(0, C\)\)"):
        nn.cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match="0-d"):
        nn.log_softmax(Tensor(1.0))
    with pytest.raises(ValueError, match=r"reduction must be one of \('mean', 'sum', 'none'\), got 'avg'"):
        nn.cross_entropy(Tensor(np.zeros((1, 2))), [0], reduction="avg")
    with pytest.raises(ValueError, match="reduction"):
        nn.CrossEntropyLoss(reduction="elementwise_mean")


# ---- AdamW


# (step by step against torch.optim.AdamW: tests/test_nn.py::test_optimizers_match_pytorch_step_by_step)


def test_adamw_decay_is_decoupled_from_the_moments():
    # By hand (Loshchilov & Hutter, PyTorch's arithmetic): w <- w(1 - lr wd) - lr m_hat/(sqrt(v_hat)+eps),
    # with m and v built from the gradient alone. Adam with an L2 term would differ.
    w, v0 = nn.Parameter([2.0]), Value(2.0)
    lr, wd = 0.1, 0.5
    optimizer = nn.AdamW([w, v0], lr=lr, weight_decay=wd)
    expected, m, v = 2.0, 0.0, 0.0
    for t in range(1, 4):
        optimizer.zero_grad()
        (w * w).sum().backward()
        (v0 * v0).backward()
        g = 2 * expected
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        expected = expected * (1 - lr * wd) - lr * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
        optimizer.step()
        assert w.data[0] == pytest.approx(expected, rel=1e-14)
        assert v0.data == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ValueError, match="weight_decay"):
        nn.AdamW([w], weight_decay=-0.1)


# ---- Dropout


def test_dropout_zeroes_with_probability_p_and_scales_the_rest(rng):
    drop = nn.Dropout(0.25, rng=rng)
    x = Tensor(np.full((200, 100), 3.0), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert set(np.unique(y.data)) == {0.0, 3.0 / 0.75}
    # 20,000 draws: the kept fraction is within 5 standard errors of 0.75
    assert abs(kept.mean() - 0.75) < 5 * np.sqrt(0.75 * 0.25 / kept.size)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, kept / 0.75)  # the gradient goes through the same mask


def test_dropout_is_the_identity_in_eval_mode_and_reproducible_with_a_seed():
    model = nn.Sequential(nn.Linear(4, 8, rng=0), nn.ReLU(), nn.Dropout(0.5, rng=1), nn.Linear(8, 2, rng=2))
    x = np.ones((3, 4))
    model.eval()
    assert model(x).data.tolist() == model(x).data.tolist()
    x_tensor = Tensor(x)
    assert nn.Dropout(0.5).eval()(x_tensor) is x_tensor
    model.train()
    first = nn.Dropout(0.5, rng=7)(np.ones(50)).data
    np.testing.assert_array_equal(first, nn.Dropout(0.5, rng=np.random.default_rng(7))(np.ones(50)).data)
    assert np.any(first == 0) and np.any(first == 2.0)


def test_dropout_edge_probabilities_and_bad_input():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = nn.Dropout(1.0)(x)  # PyTorch's p=1: all zeros, gradient zeros
    assert not y.data.any()
    y.sum().backward()
    assert not x.grad.any()
    assert nn.Dropout(0.0)(x) is x
    for p in (-0.1, 1.5, float("nan"), "0.5", True):
        with pytest.raises(ValueError, match=r"p must be a number in \[0, 1\]"):
            nn.Dropout(p)
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2)"


# ---- the scalar MLP


def test_scalar_mlp_with_one_output_returns_a_value_for_the_lecture_loop():
    model = nn.MLP(3, [4, 4, 1], rng=0)
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    ypred = [model(x) for x in xs]
    assert all(isinstance(y, Value) for y in ypred)
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))  # the micrograd lecture's loss
    loss.backward()
    assert all(p.grad != 0 for p in model.layers[-1].neurons[0].w)
    assert isinstance(nn.MLP(3, [4, 2], rng=0)(xs[0]), list)


def test_scalar_mlp_warns_about_an_activation_it_cannot_use():
    with pytest.warns(UserWarning, match=r"MLP\(3, \[2\]\) has no hidden layer, so activation='sigmoid' has no effect"):
        nn.MLP(3, [2], activation="sigmoid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.MLP(3, [2])  # the default is not a choice the caller made
        nn.MLP(3, [2], output_activation="sigmoid")
        nn.MLP(3, [4, 2], activation="sigmoid")
    with pytest.raises(ValueError, match="at least one layer"):
        nn.MLP(3, [])
