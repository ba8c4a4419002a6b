"""The shared engine: order of the backward pass, accumulation, depth, no_grad, grad()."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, backward_order, no_grad


def test_diamond_sums_both_paths():
    a = Value(3.0)
    b = a * 2  # a feeds c along two paths
    c = a * b  # c = 2a^2, dc/da = 4a
    c.backward()
    assert a.grad == 12.0


def test_reused_node_b_is_a_plus_a():
    a = Value(1.5)
    b = a + a
    c = b + b  # c = 4a
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_same_input_twice_in_one_op():
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad, [2.0, 4.0])


def test_second_backward_doubles_leaf_gradients_exactly():
    # micrograd accumulates into intermediate nodes too, so a second call counts the
    # first pass's gradients again: leaves end up with more than twice.
    a, b = Value(2.0), Value(-3.0)
    e = a * b
    d = e + a
    loss = d * d
    loss.backward()
    first = (a.grad, b.grad)
    loss.backward()
    assert (a.grad, b.grad) == (2 * first[0], 2 * first[1])
    # intermediate nodes show the gradient of the latest pass only
    assert d.grad == 2 * d.data
    assert e.grad == 2 * d.data


def test_second_backward_doubles_tensor_leaf_gradients():
    W = Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True)
    x = Tensor([1.0, -2.0, 0.5])
    h = (W @ x).sigmoid()
    loss = (h * h).sum()
    loss.backward()
    first = W.grad.copy()
    first_h = h.grad.copy()
    loss.backward()
    np.testing.assert_array_equal(W.grad, 2 * first)
    np.testing.assert_array_equal(h.grad, first_h)


def test_zero_grad_resets_leaves():
    a = Value(2.0)
    (a * a).backward()
    a.zero_grad()
    assert a.grad == 0.0
    (a * 3).backward()
    assert a.grad == 3.0
    t = Tensor([1.0], requires_grad=True)
    (t * 2).backward()
    t.zero_grad()
    assert t.grad is None


def test_grad_is_none_or_zero_until_reached():
    assert Value(1.0).grad == 0.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    unused = Tensor([3.0], requires_grad=True)
    assert t.grad is None
    (t * 2).sum().backward()
    assert unused.grad is None
    assert t.grad.shape == t.shape and t.grad.dtype == t.dtype


def test_constants_and_non_grad_tensors_get_no_gradient():
    x = Tensor([1.0, 2.0])  # requires_grad=False by default, as in PyTorch
    w = Tensor([3.0, 4.0], requires_grad=True)
    (w * x).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [1.0, 2.0])


def test_backward_order_visits_each_node_once_after_its_users():
    a = Value(1.0, "a")
    b = a * a
    c = b + a
    d = c * b
    order = backward_order([d])
    assert order[0] is d and order[-1] is a
    assert len(order) == len({id(n) for n in order}) == 4
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] > position[id(node)]


def test_a_million_node_value_chain_backpropagates():
    assert sys.getrecursionlimit() < 1_000_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0


def test_a_hundred_thousand_node_tensor_chain_backpropagates():
    x = Tensor(np.ones(3), requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones(3))


def test_no_grad_records_nothing_and_restores():
    w = Value(2.0)
    with no_grad():
        y = w * 3
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    assert not y.requires_grad and y.is_leaf
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_nests_restores_on_error_and_works_as_decorator():
    with no_grad():
        with no_grad():
            pass
        assert not autograd.is_grad_enabled()
        with autograd.enable_grad():
            assert autograd.is_grad_enabled()
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    with pytest.raises(KeyError):
        with no_grad():
            raise KeyError("boom")
    assert autograd.is_grad_enabled()

    @no_grad()
    def infer(v):
        return v * 2

    assert not infer(Value(1.0)).requires_grad
    assert autograd.is_grad_enabled()


def test_no_grad_is_per_thread():
    seen = []
    inside, release = threading.Event(), threading.Event()

    def worker():
        with no_grad():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    seen.append(autograd.is_grad_enabled())
    release.set()
    thread.join()
    assert seen == [True]


def test_grad_function_returns_gradients_without_touching_grad():
    x, y = Value(2.0), Value(5.0)
    z = x * y + x
    gx, gy = autograd.grad(z, [x, y])
    assert (gx, gy) == (6.0, 2.0)
    assert x.grad == 0.0 and y.grad == 0.0
    unused = Value(1.0, label="unused")
    with pytest.raises(RuntimeError, match="unused"):
        autograd.grad(z, [x, unused])
    assert autograd.grad(z, [x, unused], allow_unused=True) == (6.0, None)


def test_create_graph_gives_differentiable_gradients():
    x = Value(3.0)
    (dy,) = autograd.grad(x**3, x, create_graph=True)
    assert isinstance(dy, Value) and dy.data == 27.0
    (d2y,) = autograd.grad(dy, x)
    assert d2y == pytest.approx(18.0)
    t = Tensor([1.0, 2.0], requires_grad=True)
    (g,) = autograd.grad((t.sigmoid() * t).sum(), t, create_graph=True)
    (h,) = autograd.grad(g.sum(), t)
    s = 1 / (1 + np.exp(-t.data))
    # d/dt [s + t s (1-s)] = s(1-s) + s(1-s) + t s(1-s)(1-2s)
    np.testing.assert_allclose(h, 2 * s * (1 - s) + t.data * s * (1 - s) * (1 - 2 * s))


def test_backward_of_a_leaf_seeds_itself():
    x = Value(4.0)
    x.backward()
    assert x.grad == 1.0


def test_nodes_are_freed_when_dropped():
    import gc
    import weakref

    gc.collect()
    w = Tensor(np.ones(3), requires_grad=True)
    h = (w * 2).sigmoid()
    loss = h.sum()
    loss.backward()
    refs = [weakref.ref(h), weakref.ref(loss)]
    gc.disable()  # freed by reference counting alone: no cycles between nodes
    try:
        del h, loss
        assert [r() for r in refs] == [None, None]
    finally:
        gc.enable()


def test_leaf_gradients_never_share_memory_with_intermediate_gradients():
    W = Tensor(np.ones((2, 3)), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    y = W + b  # the rule for + passes the upstream gradient on as it is
    y.sum().backward()
    assert not np.shares_memory(W.grad, y.grad)
    W.grad *= 0  # changing a leaf's gradient in place leaves the picture of y alone
    np.testing.assert_array_equal(y.grad, np.ones((2, 3)))
    t = Tensor(np.arange(6.0), requires_grad=True)
    r = t.reshape(2, 3)  # reshape's rule returns a view of the upstream gradient
    (r * 2).sum().backward()
    assert not np.shares_memory(t.grad, r.grad)


def test_leaf_gradients_accumulate_in_place_with_the_leafs_dtype():
    w = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    (w * np.float64(2.0)).sum().backward()
    first = w.grad
    (w * 3.0).sum().backward()
    assert w.grad is first and w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad, [5.0, 5.0, 5.0])


def test_backward_pauses_and_restores_the_garbage_collector():
    import gc

    x = Tensor([1.0], requires_grad=True)
    assert gc.isenabled()
    (x * 2).backward()
    assert gc.isenabled()
    gc.disable()
    try:
        (x * 2).backward()
        assert not gc.isenabled()  # a user's choice is kept
    finally:
        gc.enable()


def _mlp_loss(rng):
    import nn

    model = nn.Sequential(nn.Linear(6, 5, rng=rng), nn.ReLU(), nn.Linear(5, 5, rng=rng), nn.Tanh(),
                          nn.Linear(5, 3, rng=rng))
    x = rng.normal(size=(4, 6))
    out = model(x)
    return model, out, nn.mse_loss(out, rng.normal(size=(4, 3))) + (out * out).sum()  # out used twice


def test_intermediate_grads_false_same_leaf_gradients_intermediates_cleared():
    results = []
    for keep in (True, False):
        model, out, loss = _mlp_loss(np.random.default_rng(7))
        loss.backward(intermediate_grads=keep)
        loss.backward(intermediate_grads=keep)  # leaves accumulate the same way
        results.append([p.grad.copy() for p in model.parameters()])
        if keep:
            assert out.grad is not None and loss.grad is not None
        else:
            order = backward_order([loss])
            assert all(node.grad is None for node in order if not node.is_leaf)
    for kept, cleared in zip(*results):
        np.testing.assert_array_equal(kept, cleared)  # exactly: the same arithmetic in the same order
    x = Value(2.0)
    h = x * x
    y = h * x + h
    y.backward(intermediate_grads=False)
    assert x.grad == 3 * 4.0 + 2 * 2.0 and h.grad == 0.0 and y.grad == 0.0


def test_intermediate_grads_false_holds_less_memory():
    import tracemalloc

    import nn

    def peak(keep: bool) -> int:
        rng = np.random.default_rng(0)
        layers = [nn.Linear(128, 128, rng=rng) for _ in range(4)]
        model = nn.Sequential(*[m for layer in layers for m in (layer, nn.ReLU())])
        loss = nn.mse_loss(model(rng.normal(size=(64, 128))), np.zeros((64, 128)))
        tracemalloc.start()
        loss.backward(intermediate_grads=keep)
        held = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return held

    kept, cleared = peak(True), peak(False)
    # Kept: every node's 64x128 gradient to the end (about 20 of 64 kB each); cleared:
    # a handful at a time, plus the weight gradients.
    assert cleared < 0.6 * kept, (kept, cleared)
