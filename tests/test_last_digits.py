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
