"""Tensor and Value basics: dtypes, properties, conversions, numerics at the edges."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd import Tensor, Value


def test_dtype_float64_by_default_float32_kept():
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(np.array([1, 2], dtype=np.int32)).dtype == np.float64
    assert Tensor([True, False]).dtype == np.bool_  # a mask, as in PyTorch (issue 12)
    f32 = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    assert f32.dtype == np.float32
    out = ((f32 * 2 + 1) / 3).sigmoid().tanh().exp() ** 2
    out = out + np.array([1, 2, 3])  # an integer array takes our dtype
    assert out.dtype == np.float32
    out.sum().backward()
    assert f32.grad.dtype == np.float32
    assert Tensor([1.0], dtype="float32").dtype == np.float32


def test_properties_and_conversions():
    data = np.arange(6.0).reshape(2, 3)
    t = Tensor(data, requires_grad=True, label="t")
    assert t.shape == (2, 3) and t.ndim == 2 and len(t) == 2 and t.numel() == 6
    assert t.T.shape == (3, 2)
    np.testing.assert_array_equal(t.numpy(), data)
    assert Tensor([[4.0]]).item() == 4.0 and isinstance(Tensor([[4.0]]).item(), float)
    d = t.detach()
    assert not d.requires_grad and d.is_leaf and np.shares_memory(d.numpy(), t.numpy())  # the same numbers, shared
    data[0, 0] = 99.0  # Tensor copies its input: the user's array is not aliased
    assert t.data[0, 0] == 0.0
    assert "requires_grad=True" in repr(t) and "label='t'" in repr(t)
    assert repr(Value(2.0, label="x")) == "Value(data=2, grad=0, label='x')"


def test_reshape_transpose_swapaxes_forms():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert t.reshape(6, 4).shape == t.reshape((6, 4)).shape == (6, 4)
    assert t.T.shape == (4, 3, 2)
    assert t.permute(1, 0, 2).shape == t.permute((1, 0, 2)).shape == (3, 2, 4)
    assert t.transpose(0, 2).shape == t.swapaxes(0, 2).shape == (4, 3, 2)  # PyTorch's transpose swaps two
    np.testing.assert_array_equal(t.transpose(-1, 0).data, t.data.swapaxes(-1, 0))
    np.testing.assert_array_equal(t.swapaxes(0, 2).data, t.data.swapaxes(0, 2))


def test_indexing_gradient_scatters_with_accumulation():
    t = Tensor(np.arange(4.0), requires_grad=True)
    picked = t[np.array([0, 0, 3, 0])]
    picked.sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 0.0, 0.0, 1.0])
    m = Tensor(np.ones((3, 3)), requires_grad=True)
    m[Tensor([0.0, 2.0])].sum().backward()  # a Tensor as an index
    np.testing.assert_array_equal(m.grad, [[1, 1, 1], [0, 0, 0], [1, 1, 1]])
    b = Tensor(np.arange(6.0), requires_grad=True)
    b[b > 2.5].sum().backward()  # comparisons give boolean masks
    np.testing.assert_array_equal(b.grad, [0, 0, 0, 1, 1, 1])


def test_ndarray_on_the_left_gives_a_tensor():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for out in (np.ones(2) - t, np.ones(2) * t, np.ones(2) / t, np.ones(2) + t, np.eye(2) @ t, np.ones(2) ** t):
        assert isinstance(out, Tensor) and out.requires_grad


def test_operands_on_either_side():
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = 1 - t + 2 * t / 4 + np.array([1.0, 1.0]) - 3 / t + 2**t
    out.sum().backward()
    expected = -1 + 0.5 + 3 / t.data**2 + np.log(2) * 2**t.data
    np.testing.assert_allclose(t.grad, expected)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 745.0, -745.0, 1e308, -1e308])
def test_sigmoid_and_tanh_saturate_without_warnings(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for node in (Value(x), Tensor([x], requires_grad=True)):
            s = node.sigmoid()
            th = node.tanh()
            expected = 1.0 if x > 0 else 0.0
            assert float(s.data if isinstance(s, Value) else s.data[0]) == pytest.approx(expected, abs=1e-300)
            assert abs(float(np.ravel(th.data)[0])) == 1.0
            (s + th).backward() if isinstance(s, Value) else (s + th).sum().backward()
            assert np.isfinite(node.grad).all()


def test_log_and_pow_follow_numpy_outside_their_domain():
    with pytest.warns(RuntimeWarning):
        assert Value(0.0).log().data == -np.inf
    with pytest.warns(RuntimeWarning):
        assert np.isnan(Value(-1.0).log().data)
    with pytest.warns(RuntimeWarning):
        assert np.isnan((Value(-8.0) ** 0.5).data)
    with pytest.warns(RuntimeWarning):
        assert (Value(0.0) ** -1).data == np.inf
    with pytest.warns(RuntimeWarning):
        assert (Value(1.0) / 0).data == np.inf
    with pytest.warns(RuntimeWarning):
        assert Value(1000.0).exp().data == np.inf
    with pytest.warns(RuntimeWarning):
        out = Tensor([0.0, -1.0]).log()
    assert out.data[0] == -np.inf and np.isnan(out.data[1])
    # gradients follow IEEE arithmetic as NumPy does: 1/0 = inf
    x = Value(0.0)
    with pytest.warns(RuntimeWarning):
        x.log().backward()
    assert x.grad == np.inf


def test_relu_of_nan_stays_nan():
    assert np.isnan(Value(float("nan")).relu().data)
    assert np.isnan(Tensor([np.nan]).relu().data[0])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_zero_d_results_numpy_and_leaf_gradients_are_arrays(dtype):
    # A 0-d result keeps NumPy's scalar internally (for speed); what users get out
    # must still be arrays of the right dtype.
    w = Tensor(np.array(1.5, dtype=dtype), requires_grad=True)
    v = Tensor(np.array([1.0, 2.0], dtype=dtype), requires_grad=True)
    loss = 0.5 * (w * w) + (v * v).sum() * w
    assert isinstance(loss.numpy(), np.ndarray) and loss.numpy().shape == ()
    assert loss.dtype == dtype and loss.shape == () and loss.ndim == 0
    loss.backward()
    for leaf in (w, v):
        assert isinstance(leaf.grad, np.ndarray) and leaf.grad.dtype == dtype
        assert leaf.grad.shape == leaf.shape
    np.testing.assert_allclose(w.grad, 1.5 + 5.0)
    np.testing.assert_allclose(v.grad, 2 * np.array([1.0, 2.0]) * 1.5)
    loss.backward()  # accumulates into the 0-d leaf's array
    np.testing.assert_allclose(w.grad, 2 * (1.5 + 5.0))


def test_pytorchs_spellings_of_backward_no_grad_and_conversions():
    # refused before: backward(gradient=...), backward(retain_graph=True), @no_grad without
    # parentheses, float() and int() of a one-element tensor that is not 0-d
    from autograd import no_grad

    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).backward(gradient=np.array([1.0, 1.0]), retain_graph=True)
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    (x * x).backward(np.array([1.0, 0.0]), True)  # PyTorch's order: gradient, retain_graph
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])

    @no_grad
    def doubled(t):
        return t * 2

    assert not doubled(x).requires_grad and doubled.__name__ == "doubled"
    assert float(Tensor([2.5])) == 2.5 and int(Tensor([2.7])) == 2 and int(Tensor(-2.7)) == -2
    with pytest.raises(TypeError):
        int(x[0])  # requires grad: cut out of the graph, as float() refuses


def test_the_truth_of_a_node_is_the_truth_of_its_number_as_in_pytorch():
    # bool(Value(0.0)) was True (any object's), so `if loss:` ran for a loss of 0
    from autograd import Value

    assert [bool(Value(0.0)), bool(Value(-0.0)), bool(Value(2.0)), bool(Tensor(0.0)), bool(Tensor([3.0]))] == \
        [False, False, True, False, True]
    with pytest.raises(ValueError, match="one element"):
        bool(Tensor([1.0, 2.0]))  # (as NumPy and PyTorch: which element?)
