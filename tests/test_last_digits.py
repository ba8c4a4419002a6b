"""Numbers right to the last digit, and at the ends of the float range: where a formula
that is right on paper loses digits, overflows or gives nan in floating point, compared
with the correctly rounded answer and with PyTorch's formula."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, Value

# exp's argument near the ends of its range: a power of the rounded constant e loses
# about |x| * 5e-17 of relative accuracy (hundreds of ulp at 700); math.exp does not
EXP_POINTS = [10.3, 100.7, 697.9857373640209, -700.25, 709.5, -745.0, 0.0, -0.0, 1e-300]


@pytest.mark.parametrize("x", EXP_POINTS)
def test_a_values_exp_is_the_correctly_rounded_exp_and_so_is_its_gradient(x):
    v = Value(x)
    y = v.exp()
    y.backward()
    assert y.data == math.exp(x)  # (glibc's exp: correctly rounded on these points, as torch's)
    assert v.grad == math.exp(x)


def test_a_values_exp_agrees_with_pytorch_to_the_last_bit():
    torch = pytest.importorskip("torch")
    for x in EXP_POINTS:
        assert Value(x).exp().data == torch.exp(torch.tensor(x, dtype=torch.float64)).item(), x


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # (NumPy's, as for a Tensor)
def test_a_values_exp_at_the_edges_of_its_range():
    assert Value(710.0).exp().data == math.inf  # (NumPy's answer, as a Tensor's: no OverflowError)
    assert Value(-math.inf).exp().data == 0.0
    assert math.isnan(Value(math.nan).exp().data)


# (a, b, upstream gradient s) where -s * a / b^2 is a finite number (or -0.0) but
# -(s / b) * (a / b) overflows on the way: s / b is inf, and inf * 0 is nan
DIVISION_EXTREMES = [
    (0.0, 1e-10, 1e300),
    (0.0, 1e-320, 1.0),
    (1e-250, 1e-100, 1e300),
    (1e-200, 1e-150, 1e200),
    (1e300, 1e100, 1e-300),
]


def _divisor_gradient_as_pytorch_computes_it(a: float, b: float, s: float) -> float:
    return -s * ((a / b) / b)  # (torch's div_tensor_other_backward)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")  # (the dividend's gradient s / b: inf, rightly)
@pytest.mark.parametrize("a, b, s", DIVISION_EXTREMES)
def test_the_divisors_gradient_stays_finite_where_the_answer_is(a, b, s):
    expected = _divisor_gradient_as_pytorch_computes_it(a, b, s)
    assert math.isfinite(expected)
    x, y = Value(a), Value(b)
    ((x / y) * s).backward()
    assert y.grad == expected
    assert math.copysign(1.0, y.grad) == math.copysign(1.0, expected)  # (-0.0 where a is 0)
    t, u = Tensor([a], requires_grad=True), Tensor([b], requires_grad=True)
    ((t / u) * s).sum().backward()
    np.testing.assert_array_equal(u.grad, [expected])


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")
def test_the_divisors_gradient_agrees_with_pytorch_at_the_extremes():
    torch = pytest.importorskip("torch")
    for a, b, s in DIVISION_EXTREMES:
        ta = torch.tensor(a, dtype=torch.float64)
        tb = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        ((ta / tb) * s).backward()
        y = Value(b)
        ((Value(a) / y) * s).backward()
        assert y.grad == tb.grad.item(), (a, b, s)


def test_softplus_gradient_is_the_sigmoid_to_the_last_ulps_for_negative_inputs():
    # its gradient is sigmoid(beta x); exp(-logaddexp(0, -x)) was 31 ulp off at x = -33.28
    points = np.array([-33.28, -20.5, -14.5586, -5.25, 0.5, 3.0])
    for dtype in (np.float64, np.float32):
        for beta in (1.0, 2.0):
            x = Tensor(points.astype(dtype), requires_grad=True)
            x.softplus(beta=beta).sum().backward()
            z = points.astype(dtype).astype(np.float64) * beta  # (the float32 points as rounded)
            exact = (1.0 / (1.0 + np.exp(-z))).astype(dtype)  # (correctly rounded to within 1 ulp)
            assert x.grad.dtype == dtype
            np.testing.assert_array_max_ulp(x.grad, exact, maxulp=2)


def test_softplus_gradient_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    points = np.linspace(-37.0, 20.0, 401)
    for dtype, torch_dtype in ((np.float64, torch.float64), (np.float32, torch.float32)):
        x = Tensor(points.astype(dtype), requires_grad=True)
        x.softplus().sum().backward()
        t = torch.tensor(points.astype(dtype), dtype=torch_dtype, requires_grad=True)
        torch.nn.functional.softplus(t).sum().backward()
        np.testing.assert_array_max_ulp(x.grad, t.grad.numpy(), maxulp=3)


@pytest.mark.filterwarnings("ignore:underflow:RuntimeWarning")
def test_the_power_rule_multiplies_the_exponent_into_the_power_first():
    # grad * (b * a^(b-1)), as PyTorch: (grad * b) * a^(b-1) overflows to inf, and inf * 0 is nan
    for data, dtype in (([0.5], np.float64), ([0.5], np.float32)):
        x = Tensor(np.array(data, dtype), requires_grad=True)
        exponent, upstream = (1e20, 1e300) if dtype == np.float64 else (1e10, 1e30)
        ((x**exponent) * upstream).sum().backward()
        np.testing.assert_array_equal(x.grad, [0.0])  # b * 0.5^(b-1) underflows to 0: so does the share
    v = Value(0.5)
    ((v**1e20) * 1e300).backward()
    assert v.grad == 0.0


def test_a_float32_std_is_computed_as_pytorch_computes_it_in_float64():
    # np.var squares float32 deviations in float32: numbers near 1e20 gave std inf, near
    # 1e-25 std 0, and a gradient of 0, where the std is an ordinary float32 number
    for scale in (1e20, 1e-25):
        data = np.array([1.0, -1.0, 3.0, 2.0], np.float32) * np.float32(scale)
        x = Tensor(data, requires_grad=True)
        s = x.std()
        s.backward()
        wide = data.astype(np.float64)
        expected = np.float32(np.std(wide, ddof=1))
        assert s.dtype == np.float32 and np.isfinite(s.item()) and s.item() > 0
        np.testing.assert_array_max_ulp(s.data, expected, maxulp=1)
        gradient = ((wide - wide.mean()) / (3 * np.std(wide, ddof=1))).astype(np.float32)
        assert x.grad.dtype == np.float32
        np.testing.assert_array_max_ulp(x.grad, gradient, maxulp=4)
    small = Tensor(np.array([1.0, 2.0, 4.0], np.float32))
    np.testing.assert_array_max_ulp(small.var().data, np.float32(np.var([1.0, 2.0, 4.0], ddof=1)), maxulp=1)


@pytest.mark.parametrize("dtype, points", [(np.float64, [-745.0, -720.0, -709.9]),
                                           (np.float32, [-103.0, -100.0, -89.0])])
def test_softplus_gradient_keeps_a_subnormal_as_pytorch_does(dtype, points):
    # 1 / (1 + e^-x) gave 0 below x = -710 (-89 in float32), where the gradient is subnormal
    x = Tensor(np.array(points, dtype), requires_grad=True)
    x.softplus().sum().backward()
    wide = np.array(points, dtype).astype(np.float64)
    exact = np.exp(wide) / (1.0 + np.exp(wide))  # (e^x / (1 + e^x): no cancellation, no overflow here)
    assert np.all(x.grad > 0)
    np.testing.assert_array_max_ulp(x.grad, exact.astype(dtype), maxulp=2)
