"""Minimal reproducers of what the differential fuzzer (tests/fuzz_graphs.py) found,
kept as ordinary tests. Each states the convention PyTorch follows, with the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value

# NumPy's warnings for 0 ** -1 and log(0) are expected here.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_relu_passes_the_gradient_where_its_output_is_nan():
    # PyTorch's relu backward zeroes the gradient only where the output is <= 0.
    for x in (Value(float("nan")), Tensor([np.nan, -1.0, 2.0], requires_grad=True)):
        out = x.relu()
        (out * 3.0).backward() if isinstance(x, Value) else (out * 3.0).sum().backward()
        expected = 3.0 if isinstance(x, Value) else [3.0, 0.0, 3.0]
        np.testing.assert_array_equal(x.grad, expected)


def test_pow_with_a_zero_exponent_has_zero_base_gradient_even_at_zero():
    # 0 ** 0 = 1 is constant in the base: PyTorch gives 0, not 0 * 0 ** -1 = nan.
    a, b = Value(0.0), Value(0.0)
    (a**b).backward()
    assert a.grad == 0.0
    t = Tensor([0.0, 2.0], requires_grad=True)
    (t ** np.array([0.0, 0.0])).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])


def test_pow_at_a_zero_base_has_zero_exponent_gradient():
    # d(a**b)/db = a**b ln a; at a = 0, b >= 0 PyTorch takes it as 0 (not 0 * -inf).
    a, b = Value(0.0), Value(1.5)
    (a**b).backward()
    assert b.grad == 0.0


def test_pow_exponent_gradient_times_an_infinite_upstream_is_nan():
    # PyTorch masks the local derivative, then multiplies by the upstream gradient:
    # inf * 0 = nan. Graph found by the fuzzer: log(0 ** b).
    a, b = Value(0.0), Value(1.0104241744008577)
    (a**b).log().backward()
    assert np.isnan(b.grad)


def test_ndarray_minus_tensor_is_a_tensor_not_an_object_array():
    # Found while profiling: NumPy broadcast the Tensor as an object.
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([10.0, 10.0]) - t
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [-1.0, -1.0])


def test_the_same_conventions_as_pytorch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda x: x.relu(), [np.nan, -1.0, 0.0, 2.0]),
        (lambda x: x ** 0.0, [0.0, 1.0, -2.0]),
        (lambda x: (x * 0.0) ** x, [0.0, 1.5, 2.0]),
        (lambda x: ((x * 0.0) ** x).log(), [1.0104241744008577, 2.0]),
    ]
    for function, values in cases:
        ours = Tensor(values, requires_grad=True)
        theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        function(ours).sum().backward()
        function(theirs).sum().backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
