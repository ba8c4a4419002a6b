"""The gradient comparison at the edges: infinities and nan decide exactly, never by a
tolerance; and the gradient check warns where the function has a kink."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.gradcheck import check_gradients, compare_gradients

inf, nan = math.inf, math.nan


@pytest.mark.parametrize("automatic, numerical, agree", [
    (-inf, inf, False),  # rtol * |inf| once made the tolerance infinite
    (inf, -inf, False),
    (123.0, inf, False),
    (inf, 123.0, False),
    (inf, inf, True),
    (-inf, -inf, True),
    (nan, nan, True),  # the documented policy: nan agrees with nan only
    (nan, 1.0, False),
    (1.0, nan, False),
    (nan, inf, False),
    (1.0, 1.0 + 1e-9, True),  # finite numbers still go by the tolerance
])
def test_non_finite_gradients_agree_only_with_the_same_value(automatic, numerical, agree):
    comparison = compare_gradients([automatic], [numerical]).inputs[0].comparisons[0]
    assert comparison.passed is agree
    if not (math.isfinite(automatic) and math.isfinite(numerical)):
        assert comparison.max_abs_error == (0.0 if agree else inf)


def test_one_wrong_infinity_in_an_array_fails_the_check_and_is_the_worst_index():
    automatic = np.array([1.0, -inf, 2.0])
    numerical = np.array([1.0, inf, 2.0])
    comparison = compare_gradients([automatic], [numerical]).inputs[0].comparisons[0]
    assert not comparison.passed
    assert comparison.worst_index == (1,) and comparison.max_abs_error == inf
    assert compare_gradients([automatic], [automatic.copy()]).passed


def test_hand_written_infinity_against_a_number_is_a_mismatch():
    x = Value(2.0, label="x")
    report = check_gradients(lambda x: x * x, [x], hand_written=[inf])
    assert not report.passed
    assert [c.passed for c in report["x"].comparisons] == [True, False, False]


@pytest.mark.parametrize("f, at, kinked", [
    (lambda x: x.relu(), 0.0, True),
    (lambda x: x.relu() + (-x).relu(), 0.0, True),  # |x|
    (lambda x: x.relu(), 1.0, False),
    (lambda x: x.tanh(), 0.0, False),
    # smooth, with a large second derivative: the one-sided slopes differ by h f'', which
    # shrinks with h (a kink's jump does not); these were warned of as kinks
    (lambda x: 1 / x, 5e-4, False),
    (lambda x: (x * 1e4).sin(), 0.3, False),
])
def test_the_gradient_check_warns_at_a_kink_and_only_there(f, at, kinked):
    x = Value(at, label="x")
    report = check_gradients(f, [x])
    kink_warnings = [w for w in report.warnings if "not differentiable" in w]
    if kinked:
        assert len(kink_warnings) == 1 and kink_warnings[0].startswith("x: ")
        assert "Warnings:" in str(report) and "kink" in str(report)
    else:
        assert report.warnings == [] and "Warnings:" not in str(report)


def test_the_kink_warning_names_the_kinked_elements_of_a_tensor():
    x = Tensor([0.0, 1.0, -1.0, 0.0], requires_grad=True, label="x")
    report = check_gradients(lambda x: (x.relu() + (-x).relu()).sum(), [x])
    (warning,) = report.warnings
    assert "index (0,), (3,):" in warning
    assert "slope -1 from the left, 1 from the right" in warning


def test_the_worst_element_is_the_one_furthest_outside_its_tolerance_not_the_largest_difference():
    # element 0 differs by 0.5 at a scale of 1000 (inside rtol), element 1 by 0.01 at a scale
    # of 1 (outside): the report named (0,) as the worst, with values that agree, and never
    # showed the element that fails
    w = Tensor([1000.0, 0.0], requires_grad=True, label="w")
    report = check_gradients(lambda w: (w * w * 0.5 + w).sum(), [w], hand_written=[np.array([1001.5, 1.01])])
    assert not report.passed
    failing = [c for c in report["w"].comparisons if not c.passed]
    assert failing and all(c.worst_index == (1,) for c in failing)
    assert "Gradients at each input's worst element" in str(report)
    worst_row = str(report).split("Gradients at each input's worst element:")[1]
    assert "(1,)" in worst_row and "1.01" in worst_row
