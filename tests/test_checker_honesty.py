"""The gradient checker never says more than it knows: a wrong gradient fails, a right one
is not failed without saying why, and every label and number in its report is true. Each
test failed on the checker before (2026-12-08); the verdicts are compared with
torch.autograd.gradcheck where PyTorch has one."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Op, Tensor, Value
from autograd.gradcheck import (
    NUMERICAL_OF_GRADIENT,
    check_gradients,
    check_second_derivatives,
    compare_arrays,
)


def _cube(rule) -> Op:
    return Op("cube", forward=lambda x: x**3, scalar=lambda x: x**3, rules=[rule], formulas=["3x^2"],
              internal=True)


def test_a_rule_that_ignores_its_incoming_gradient_fails_even_under_a_sum():
    # .sum() hands every element a 1, so `3 * x * x` for `grad * 3 * x * x` matched the
    # numerical gradient; the second pass from -2 does not scale (torch: "backward not
    # multiplied by grad_output")
    forgetful = _cube(lambda grad, out, x: 3 * x * x)
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True, label="x")
    report = check_gradients(lambda x: forgetful(x).sum(), [x])
    assert not report.passed
    assert any("does not scale with the incoming one" in c.note for c in report["x"].comparisons)
    v = Value(1.5, label="v")
    assert not check_gradients(lambda v: forgetful(v), [v]).passed
    right = _cube(lambda grad, out, x: grad * 3 * x * x)
    report = check_gradients(lambda x: right(x).sum(), [x])
    assert report.passed and len(report["x"].comparisons) == 1  # (a passed scaling check adds no row)


def test_the_scaling_check_agrees_with_pytorchs_verdict():
    torch = pytest.importorskip("torch")

    class Forgetful(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x * x

    t = torch.tensor([0.5, -1.0, 2.0], dtype=torch.float64, requires_grad=True)
    assert not torch.autograd.gradcheck(lambda t: Forgetful.apply(t).sum(), (t,), raise_exception=False)
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    assert not check_gradients(lambda x: _cube(lambda g, out, x: 3 * x * x)(x).sum(), [x]).passed


def test_hand_written_gradients_keyed_by_label_or_position_are_compared_and_other_keys_refused():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True, label="x")
    wrong = np.zeros(3)  # (the truth is 2x)
    for key in ("x", 0, x):
        report = check_gradients(lambda x: (x * x).sum(), [x], hand_written={key: wrong})
        assert not report.passed, key  # (keyed "x" or 0, it used to be dropped silently: PASSED)
        assert "automatic vs hand-written" in str(report)
    with pytest.raises(ValueError, match="hand_written has the key 'y'"):
        check_gradients(lambda x: (x * x).sum(), [x], hand_written={"y": wrong})
    with pytest.raises(ValueError, match="hand_written has the key 3"):
        check_gradients(lambda x: (x * x).sum(), [x], hand_written={3: wrong})


def test_a_hand_written_gradient_must_be_real_numbers():
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="real numbers, not ndarray of dtype complex128"):
        check_gradients(lambda x: (x * x).sum(), [x], hand_written=[2 * x.data + 5j])  # (it PASSED)
    v = Value(1.5)
    with pytest.raises(TypeError, match="real numbers"):
        check_gradients(lambda v: v * 2.0, [v], hand_written=["2"])


def test_second_derivatives_say_they_are_checked_against_the_differenced_gradient():
    # a first-order rule 2x^2 for x^3: its Hessian 6x differences to 6x too; the report said
    # "numerical" and "ok", as if the second derivative of f had been measured
    slip = _cube(lambda grad, out, x: grad * 2 * x * x)
    w = Value(1.5, label="w")
    report = check_second_derivatives(lambda w: slip(w), [w])
    assert NUMERICAL_OF_GRADIENT in report.inputs[0].gradients and "numerical" not in report.inputs[0].gradients
    assert "automatic vs differenced gradient" in str(report)
    both = check_gradients(lambda w: slip(w), [w], second_order=True)
    assert not both.passed  # (the first order catches the slip)


def test_a_float32_second_derivative_uses_a_float32_step_and_is_warned_of():
    x = Tensor(np.array([0.3, -1.2, 2.5], np.float32), requires_grad=True, label="x")
    report = check_second_derivatives(lambda x: (x**3).sum(), [x])
    assert report.passed  # (a fixed step of 1e-5 failed the right Hessian: 14.99 against 15)
    assert any("float32" in w for w in report.warnings)
    assert check_gradients(lambda x: (x**3).sum(), [x], second_order=True).passed


def test_a_function_that_draws_random_numbers_is_refused_not_called_a_kink():
    rng = np.random.default_rng(0)
    x = Tensor([0.5, -1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match="different numbers at the same point"):
        check_gradients(lambda x: (x * Tensor((rng.random(3) > 0.5) * 1.0)).sum(), [x])


def test_gradients_all_below_atol_pass_with_a_note_saying_so():
    z = Tensor([0.3, -0.4], requires_grad=True, label="z")
    true = 1e-6 * (1 - np.tanh(z.data) ** 2)
    report = check_gradients(lambda z: (z.tanh() * 1e-6).sum(), [z], hand_written=[-true])  # the wrong sign
    assert report.passed  # (as torch's gradcheck with the same atol: a design, not a bug)
    notes = [c.note for c in report["z"].comparisons if c.first == "automatic" and c.second == "hand-written"]
    assert notes and "within atol only" in notes[0]
    assert not check_gradients(lambda z: (z.tanh() * 1e-6).sum(), [z], hand_written=[-true], atol=1e-9).passed


def test_a_kink_near_the_point_but_not_at_it_is_warned_of():
    x = Tensor([5e-7], requires_grad=True, label="x")
    report = check_gradients(lambda x: x.relu().sum(), [x])
    assert not report.passed  # (the step h = 1e-6 straddles relu's kink at 0, 5e-7 away)
    assert any("a kink near index (0,)" in w for w in report.warnings)
    smooth = Tensor([1e-3], requires_grad=True)  # (1/x: a large f'' shrinks at h/10, and is no kink)
    assert check_gradients(lambda x: (1 / x).sum(), [smooth]).warnings == []


def test_an_infinite_difference_has_an_infinite_relative_error_and_a_note_on_either_side():
    inf_first = compare_arrays("automatic", np.array([1.0, np.inf]), "numerical", np.array([1.0, 5.0]), 1e-5, 1e-3)
    assert inf_first.max_rel_error == np.inf  # (it printed nan)
    nan_second = compare_arrays("automatic", np.array([1.0, 3.0]), "numerical", np.array([1.0, np.nan]), 1e-5, 1e-3)
    assert nan_second.note == "non-finite values" and not nan_second.passed  # (no note before)


def test_an_input_with_no_elements_is_said_to_have_had_nothing_compared():
    # a (0, 3) input passed "ok" with "max abs error 0.000e+00" at "worst index ()", an index
    # it does not have, and draw_graph drew a hand-written gradient of it green ("agrees")
    from autograd import Tensor, draw_graph
    from autograd.gradcheck import check_gradients

    x = Tensor(np.zeros((0, 3)), requires_grad=True, label="x")
    report = check_gradients(lambda t: (t * 2.0).sum(), [x])
    assert report.passed  # (as PyTorch's gradcheck: nothing disagrees)
    text = str(report)
    assert "nothing to compare" in text and "()" not in text, text
    y = (x * 2.0).sum()
    y.backward()
    source = draw_graph(y, hand_written={x: np.zeros((0, 3))}).source
    assert "hand-written agrees" not in source and "nothing to compare" in source
    assert "agree</TD>" not in source  # (no legend entry for a colour no box is drawn in)


def test_the_explorer_colours_an_input_with_no_elements_neither_way():
    # explore(numerical=...) painted it green ("agree") though nothing was compared
    from autograd import Tensor, explore
    from autograd.draw import AGREE

    x = Tensor(np.zeros((0, 3)), requires_grad=True, label="x")
    page = explore((x * 2.0).sum(), numerical={x: np.zeros((0, 3))})
    (comparison,) = page.data["comparisons"].values()
    assert comparison["pairs"][0]["note"].startswith("nothing to compare")
    assert AGREE.lower() not in page.svg.lower()
