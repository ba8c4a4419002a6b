"""Semantics people rely on: anomaly mode, graphs freed when dropped, memory flat over
a long training run and proportional to the graph in a deep backward pass."""

from __future__ import annotations

import gc
import sys
import tracemalloc
import weakref
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import AnomalyError, Tensor, Value, detect_anomaly

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "demos"))
import backprop_from_scratch as demo  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


# ---- anomaly mode


def test_anomaly_mode_names_the_first_forward_op_and_the_users_line():
    x = Value(0.5)
    with detect_anomaly():
        y = x * 2  # finite: fine
        with pytest.raises(AnomalyError) as caught:
            (y - 1).log()  # log(0): the first non-finite value
    message = str(caught.value)
    assert "forward pass" in message and "'log'" in message and "-inf" in message
    assert "test_hardening.py" in message and "(y - 1).log()" in message


def test_anomaly_mode_names_the_backward_rule_that_made_an_infinity():
    x = Tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        root = x**0.5  # finite forward: sqrt(0) = 0
        root.label = "root"
        loss = root.sum()
        with pytest.raises(AnomalyError) as caught:
            loss.backward()
    message = str(caught.value)
    assert "backward pass" in message and "'**' ('root')" in message and "d(a^b)/da" in message
    assert "inf" in message and "root = x**0.5" in message


def test_non_finite_inputs_are_not_blamed_on_later_ops():
    with detect_anomaly():
        y = Value(float("inf")) * 2  # inf in, inf out: not this op's doing
    assert y.data == float("inf")


def test_without_anomaly_mode_nan_flows_silently_as_in_numpy():
    x = Value(-1.0)
    y = x.log()
    y.backward()
    assert np.isnan(y.data) and x.grad == -1.0


def test_non_finite_values_behave_as_numpy_and_gradients_as_pytorch():
    torch = pytest.importorskip("torch")
    cases = {  # name: (our op, NumPy's, inputs)
        "log(0)": (lambda t: t.log(), np.log, [0.0, 1.0]),
        "0 ** -1": (lambda t: t ** -1.0, lambda a: a ** -1.0, [0.0, 2.0]),
        "exp(1000)": (lambda t: t.exp(), np.exp, [1000.0, 1.0]),
        "sqrt of a negative": (lambda t: t ** 0.5, lambda a: a ** 0.5, [-4.0, 4.0]),
        "1 / 0": (lambda t: 1.0 / t, lambda a: 1.0 / a, [0.0, -0.5]),
    }
    for name, (function, numpy_function, values) in cases.items():
        with np.errstate(all="ignore"):
            expected_values = numpy_function(np.array(values))
        ours = Tensor(values, requires_grad=True)
        theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        out = function(ours)
        np.testing.assert_array_equal(out.data, expected_values, err_msg=name)
        out.sum().backward()
        function(theirs).sum().backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy(), err_msg=name)


def test_numpy_warns_where_numpy_would():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        Tensor([0.0]).log()
    with pytest.warns(RuntimeWarning, match="overflow"):
        Value(1000.0).exp()


# ---- memory


def test_nodes_die_when_the_graph_is_dropped():
    gc.collect()
    gc.disable()  # freed by reference counting alone: there are no cycles to collect
    try:
        W = nn.Parameter(np.ones((4, 3)))
        x = Tensor(np.ones((3, 1)))
        hidden = (W @ x).sigmoid()
        loss = (hidden * hidden).sum()
        loss.backward()
        watched = [weakref.ref(n) for n in (hidden, loss)]
        scalar = Value(2.0) * Value(3.0)
        scalar.backward()
        watched.append(weakref.ref(scalar))
        del hidden, loss, scalar
        assert [w() for w in watched] == [None, None, None]
    finally:
        gc.enable()


def test_memory_stays_flat_over_ten_thousand_training_steps():
    rng = np.random.default_rng(0)
    model = demo.init_weights(rng)
    optimizer = nn.SGD(model.parameters(), lr=1e-3)

    def train(steps: int) -> None:
        for _ in range(steps):
            loss = demo.loss(demo.LABEL, demo.forward(model, rng.random((3, 1))))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    train(200)  # warm up caches
    tracemalloc.start()
    try:
        # A full collection first empties Python's free lists (of tuples, floats...): memory
        # they hold is bounded and reused, not leaked, but tracemalloc counts it as in use,
        # and how full they are depends on which tests ran before. A leak survives it.
        train(1000)
        gc.collect()
        after_first = tracemalloc.get_traced_memory()[0]
        train(9000)
        gc.collect()
        after_all = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after_all - after_first < 20_000, f"grew by {after_all - after_first} bytes over 9,000 steps"


def test_backward_memory_is_proportional_to_the_graph():
    def peak_bytes_per_node(length: int) -> float:
        x = Value(1.0)
        y = x
        for _ in range(length):
            y = y * 1.0
        gc.collect()
        tracemalloc.start()
        try:
            y.backward()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert x.grad == 1.0
        return peak / length

    small, large = peak_bytes_per_node(100_000), peak_bytes_per_node(1_000_000)
    assert large < 1.3 * small, (small, large)  # linear: no per-node recursion, nothing quadratic
    assert large < 250  # the sort's list, its visited set and the gradients: a few words a node
