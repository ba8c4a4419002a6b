"""Gradients of gradients: create_graph, the functional helpers (Jacobian, Hessian,
Hessian-vector product), second-order gradient checks, against closed forms, finite
differences and PyTorch."""

from __future__ import annotations

import math
import shutil

import fuzz_graphs as fuzz
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd import Node, Tensor, Value, draw_graph, grad, render_graph
from autograd.functional import hessian, hvp, jacobian
from autograd.gradcheck import check_gradients, check_second_derivatives

LN2 = np.log(2.0)


def _tanh3(t):
    return -2 * (1 - t * t) * (1 - 3 * t * t)


def _sigmoid3(s):
    return s * (1 - s) * (1 - 6 * s + 6 * s * s)


# name: (function, first, second, third derivative as closed forms, domain)
CLOSED_FORMS = {
    "exp": (lambda x: x.exp(), np.exp, np.exp, np.exp, (-2, 2)),
    "log": (lambda x: x.log(), lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3, (0.3, 3)),
    "tanh": (lambda x: x.tanh(), lambda x: 1 - np.tanh(x) ** 2,
             lambda x: -2 * np.tanh(x) * (1 - np.tanh(x) ** 2), lambda x: _tanh3(np.tanh(x)), (-2, 2)),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s),
                lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s),
                lambda x: _sigmoid3(1 / (1 + np.exp(-x))), (-3, 3)),
    "relu": (lambda x: x.relu(), lambda x: (x > 0) * 1.0, lambda x: 0 * x, lambda x: 0 * x, (0.2, 2)),
    "neg": (lambda x: -x, lambda x: -1 + 0 * x, lambda x: 0 * x, lambda x: 0 * x, (-2, 2)),
    "cube": (lambda x: x**3, lambda x: 3 * x**2, lambda x: 6 * x, lambda x: 6 + 0 * x, (-2, 2)),
    "sqrt": (lambda x: x**0.5, lambda x: 0.5 * x**-0.5, lambda x: -0.25 * x**-1.5,
             lambda x: 0.375 * x**-2.5, (0.3, 3)),
    "reciprocal": (lambda x: 1 / x, lambda x: -1 / x**2, lambda x: 2 / x**3, lambda x: -6 / x**4, (0.3, 3)),
    "two-to-the-x": (lambda x: 2**x, lambda x: LN2 * 2**x, lambda x: LN2**2 * 2**x,
                     lambda x: LN2**3 * 2**x, (-2, 2)),
    "sqrt()": (lambda x: x.sqrt(), lambda x: 0.5 * x**-0.5, lambda x: -0.25 * x**-1.5,
               lambda x: 0.375 * x**-2.5, (0.3, 3)),
    "abs": (lambda x: abs(x), lambda x: np.sign(x), lambda x: 0 * x, lambda x: 0 * x, (-2, -0.3)),
    "sin": (lambda x: x.sin(), np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), (-3, 3)),
    "cos": (lambda x: x.cos(), lambda x: -np.sin(x), lambda x: -np.cos(x), np.sin, (-3, 3)),
    "gelu": (lambda x: x.gelu(), lambda x: _normal_cdf(x) + x * _normal_pdf(x),
             lambda x: _normal_pdf(x) * (2 - x * x), lambda x: _normal_pdf(x) * (x**3 - 4 * x), (-3, 3)),
    "softplus": (lambda x: x.softplus(), lambda x: 1 / (1 + np.exp(-x)),
                 lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s),
                 lambda x: (s := 1 / (1 + np.exp(-x))) * (1 - s) * (1 - 2 * s), (-3, 3)),
    "leaky_relu": (lambda x: x.leaky_relu(0.2), lambda x: np.where(x > 0, 1.0, 0.2), lambda x: 0 * x,
                   lambda x: 0 * x, (-2, 2)),
    "clip": (lambda x: x.clip(-1.0, 1.5), lambda x: ((x >= -1) & (x <= 1.5)) * 1.0, lambda x: 0 * x,
             lambda x: 0 * x, (-2, 2)),
}
TENSOR_ONLY = {"softplus", "leaky_relu", "clip"}  # ops with arguments, which a Value cannot record yet


def _normal_pdf(x):
    return np.exp(-x * x / 2) / np.sqrt(2 * np.pi)


def _normal_cdf(x):
    return 0.5 * (1 + np.vectorize(math.erf)(x / np.sqrt(2)))


def derivative(y, x, create_graph=True):
    """dy/dx of an elementwise function, summed (so elementwise), or 0 if y is constant."""
    if not isinstance(y, Node) or not y.requires_grad:
        return np.zeros(np.shape(x.data))
    total = y.sum() if isinstance(y, Tensor) else y
    (g,) = grad(total, x, create_graph=create_graph, allow_unused=True)
    return np.zeros(np.shape(x.data)) if g is None else g


def numbers(x):
    return np.asarray(x.data if isinstance(x, Node) else x, dtype=float)


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_first_second_and_third_derivatives_match_closed_forms(name):
    function, *closed, (low, high) = CLOSED_FORMS[name]
    points = np.linspace(low, high, 7)
    makers = [lambda p: Tensor(p, requires_grad=True)] + ([] if name in TENSOR_ONLY else [lambda p: Value(float(p[2]))])
    for make in makers:
        x = make(points)
        at = numbers(x)
        y = function(x)
        for order, expected in enumerate(closed, start=1):
            y = derivative(y, x)
            np.testing.assert_allclose(numbers(y), expected(at), rtol=1e-12, atol=1e-12,
                                       err_msg=f"{name}: derivative {order}")


def test_backward_create_graph_puts_a_differentiable_gradient_in_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    np.testing.assert_allclose(x.grad.data, [3.0, 12.0])
    (second,) = grad(x.grad.sum(), x)
    np.testing.assert_allclose(second, [6.0, 12.0])
    v = Value(2.0)
    (v**3).backward(create_graph=True)
    assert isinstance(v.grad, Value) and v.grad.data == 12.0


def test_hessians_of_polynomials():
    rng = np.random.default_rng(0)
    A, b = rng.normal(size=(4, 4)), rng.normal(size=4)
    x = Tensor(rng.normal(size=4))
    H = hessian(lambda x: (x @ (Tensor(A) @ x)) + (x * b).sum(), x)
    np.testing.assert_allclose(H, A + A.T, rtol=1e-12)
    xv, yv = 1.5, -0.5
    blocks = hessian(lambda x, y: x * x * y + y**3, [Value(xv), Value(yv)])
    np.testing.assert_allclose(np.array(blocks, dtype=float), [[2 * yv, 2 * xv], [2 * xv, 6 * yv]], rtol=1e-12)
    # two tensor inputs: f(W, v) = v . (W v): d2f/dW dv and friends
    W, v = Tensor(rng.normal(size=(3, 3))), Tensor(rng.normal(size=3))
    (HWW, HWv), (HvW, Hvv) = hessian(lambda W, v: (v * (W @ v)).sum(), [W, v])
    assert HWW.shape == (3, 3, 3, 3) and HWv.shape == (3, 3, 3) and HvW.shape == (3, 3, 3)
    np.testing.assert_allclose(HWW, 0)
    np.testing.assert_allclose(Hvv, W.data + W.data.T, rtol=1e-12)
    expected = np.einsum("ik,j->ijk", np.eye(3), v.data) + np.einsum("jk,i->ijk", np.eye(3), v.data)
    np.testing.assert_allclose(HWv, expected, rtol=1e-12)
    np.testing.assert_allclose(HvW, np.transpose(expected, (2, 0, 1)), rtol=1e-12)


def test_hessian_vector_products_match_finite_differences_of_gradients():
    rng = np.random.default_rng(1)
    W = rng.normal(size=(3, 4))

    def f(x):
        return ((Tensor(W) @ x).tanh() ** 2).sum() + (x.sigmoid() * x).sum()

    x0, v = rng.normal(size=4), rng.normal(size=4)
    _, product = hvp(f, Tensor(x0), v)

    def gradient(at):
        t = Tensor(at, requires_grad=True)
        return grad(f(t), t)[0]

    h = 1e-5
    numerical = (gradient(x0 + h * v) - gradient(x0 - h * v)) / (2 * h)
    np.testing.assert_allclose(product, numerical, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(product, hessian(f, Tensor(x0)) @ v, rtol=1e-10)


def test_jacobian_shapes_and_values():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]])
    J = jacobian(lambda x: x.sum(axis=0) * x[0], x)
    assert J.shape == (2, 2, 2)
    np.testing.assert_allclose(J[0], [[1 + 4, 0], [1, 0]])
    np.testing.assert_allclose(J[1], [[0, 2 + 6], [0, 2]])
    Ja, Jb = jacobian(lambda a, b: a * b, [Tensor([1.0, 2.0]), Tensor([3.0, 4.0])])
    np.testing.assert_allclose(Ja, np.diag([3.0, 4.0]))
    np.testing.assert_allclose(Jb, np.diag([1.0, 2.0]))


def test_functional_helpers_refuse_what_would_not_fit_or_does_not_match():
    with pytest.raises(ValueError, match=r"Hessian would have shape \(5000, 5000\).*max_elements=1,000,000"):
        hessian(lambda x: x.sum(), Tensor(np.ones(5000)), max_elements=1_000_000)
    with pytest.raises(ValueError, match="Jacobian would have shape"):
        jacobian(lambda x: x * 2, Tensor(np.ones(2000)), max_elements=1_000_000)
    with pytest.raises(ValueError, match="one number"):
        hessian(lambda x: x * 2, Tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"v\[0\] has shape \(3,\), but input 0 has shape \(2,\)"):
        hvp(lambda x: x.sum(), Tensor([1.0, 2.0]), np.ones(3))
    x = Value(1.0, label="x")
    with pytest.raises(RuntimeError, match="'x'.*allow_unused"):
        grad(Value(2.0) * 3, [x])
    assert grad(Value(2.0) * 3, [x], allow_unused=True) == (None,)


def test_functions_linear_in_an_input_have_zero_second_derivatives():
    np.testing.assert_array_equal(hessian(lambda x: (x * 3).sum(), Tensor([1.0, 2.0])), np.zeros((2, 2)))
    assert hessian(lambda x: x * 2, Value(1.0)) == 0.0


def test_second_order_gradient_check():
    W = Tensor(np.random.default_rng(2).normal(size=(2, 3)), requires_grad=True, label="W")
    x = Tensor(np.ones((3, 1)))
    report = check_gradients(lambda W: ((W @ x).sigmoid() ** 2).sum(), [W], second_order=True)
    assert report.passed and [i.name for i in report.inputs] == ["W", "d2f/dW dW"]
    assert report.inputs[1].shape == (2, 3, 2, 3)
    a = Value(0.4, label="a")
    hand = [[-2 * np.tanh(0.4) * (1 - np.tanh(0.4) ** 2)]]
    assert check_second_derivatives(lambda a: a.tanh(), [a], hand_written=hand).passed
    wrong = [[1 - np.tanh(0.4) ** 2]]  # the first derivative given as the second
    assert not check_second_derivatives(lambda a: a.tanh(), [a], hand_written=wrong).passed


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_graphs_of_the_backward_pass_can_be_drawn(tmp_path):
    x = Value(0.5, label="x")
    (slope,) = grad(x.tanh() * x, x, create_graph=True)
    slope.label = "dy/dx"
    slope.backward()
    path = render_graph(draw_graph(slope, title="the backward pass of y = tanh(x) * x"), tmp_path / "g.svg")
    text = path.read_text()
    assert "dy/dx" in text and "tanh" in text and "x" in text


def compare_second_order_with_torch(graph, scalar):
    """Second derivatives of a random graph, ours against PyTorch's (fuzz_graphs.second_order_mismatch)."""
    mismatch = fuzz.second_order_mismatch(graph, scalar)
    assert mismatch is None, mismatch


second_order_settings = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@second_order_settings
@given(st.data())
def test_second_derivatives_of_random_tensor_graphs_match_pytorch(data):
    pytest.importorskip("torch")
    compare_second_order_with_torch(fuzz.tensor_graph(fuzz.HypothesisChooser(data), max_steps=6, dtypes=(np.float64,)),
                                    scalar=False)


@second_order_settings
@given(st.data())
def test_second_derivatives_of_random_value_graphs_match_pytorch(data):
    pytest.importorskip("torch")
    compare_second_order_with_torch(fuzz.value_graph(fuzz.HypothesisChooser(data), max_steps=8), scalar=True)


def test_second_order_demo_runs_and_agrees_with_the_closed_forms(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "demos" / "second_order.py"
    result = subprocess.run([sys.executable, str(script), "--out", str(tmp_path)], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ("second_derivatives.png", "newton_vs_gd.png", "hessian_W2.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    differences = [float(line.split("largest difference ")[1].split()[0]) for line in result.stdout.splitlines()
                   if "largest difference" in line and "over" in line]
    assert len(differences) == 2 and max(differences) < 1e-12
    assert "Newton: 7 steps, ends at (1.000000, 1.000000), f = 0" in result.stdout  # (it counted an 8th, at gradient 0)


def test_hessian_of_the_notebook_loss_is_block_diagonal_h_h_transposed():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "demos"))
    import second_order

    engine, closed = second_order.hessian_of_the_notebook_loss()
    np.testing.assert_allclose(engine, closed, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(engine[0, :, 1, :], 0)  # no coupling between the rows of W2
    np.testing.assert_allclose(engine[0, :, 0, :], engine[1, :, 1, :], rtol=1e-14)


# A recorded pass (create_graph) runs the rules on graph nodes and on constants. A 0-d
# float32 output's seed, and a rule's step on a constant base or exponent (log(2.0),
# b - 1), were a NumPy scalar and a float64 array there: 3.0 * x, x ** c and c ** x of a
# 0-d float32 x came back float64 (PyTorch: float32), and so did the second derivative
ZERO_D_FLOAT32_FUNCTIONS = {
    "3.0 * x": lambda x: 3.0 * x,
    "x / 4.0": lambda x: x / 4.0,
    "x ** 2": lambda x: x**2,
    "x ** 1.06": lambda x: x ** np.float32(1.06),
    "1.06 ** x": lambda x: np.float32(1.06) ** x,
    "2.0 ** x": lambda x: 2.0**x,
    "exp(x)": lambda x: x.exp(),
}


@pytest.mark.parametrize("name", ZERO_D_FLOAT32_FUNCTIONS)
def test_a_recorded_pass_keeps_a_0d_float32_tensor_float32(name):
    f = ZERO_D_FLOAT32_FUNCTIONS[name]
    x = Tensor(np.array(0.7, np.float32), requires_grad=True)
    (first,) = grad(f(x), x, create_graph=True)
    assert first.dtype == np.float32
    if first.requires_grad:
        (second,) = grad(first, x, create_graph=True)
        assert second.dtype == np.float32
    x.grad = None
    f(x).backward(create_graph=True)
    assert x.grad.dtype == np.float32


def test_the_functional_helpers_give_each_block_its_inputs_dtype():
    # PyTorch's gradients come in the dtype of the input they are taken with respect to,
    # whatever the output's; ours took the dtype of output and inputs together (float64)
    scale = Tensor(np.array([1.5, -2.0]))  # float64
    x32 = Tensor(np.array([0.3, 0.7], np.float32))
    assert jacobian(lambda x: (x * scale).exp(), x32).dtype == np.float32
    assert hessian(lambda x: ((x * scale) ** 3).sum(), x32).dtype == np.float32
    assert hvp(lambda x: ((x * scale) ** 3).sum(), x32, np.ones(2))[1].dtype == np.float32
    y64 = Tensor(np.array([0.2, 0.4, 0.6]))

    def f(a, b):
        return (a.sum() * b).sum() ** 2

    blocks = hessian(f, [x32, y64])
    assert [[block.dtype for block in row] for row in blocks] == [[np.float32, np.float64], [np.float32, np.float64]]
    assert [block.dtype for block in jacobian(lambda a, b: a.sum() * b, [x32, y64])] == [np.float32, np.float64]


def test_grad_takes_pytorchs_retain_graph_and_keeps_the_graph_anyway():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x**3).sum()
    (first,) = grad(y, x, retain_graph=True)
    (again,) = grad(y, x, retain_graph=False)  # (PyTorch would free the graph here; ours stays)
    np.testing.assert_array_equal(first, [3.0, 12.0])
    np.testing.assert_array_equal(again, first)


def test_the_functional_derivatives_are_right_inside_no_grad():
    # inside no_grad() the function ran unrecorded, its output needed no gradient, and
    # jacobian, hessian and hvp took that for "does not depend on the inputs": all zeros
    from autograd import Tensor, Value, is_grad_enabled, no_grad
    from autograd.functional import hessian, hvp, jacobian

    with no_grad():
        np.testing.assert_array_equal(jacobian(lambda x: x * x, Tensor([1.0, 2.0])), [[2.0, 0.0], [0.0, 4.0]])
        np.testing.assert_array_equal(hessian(lambda x: (x ** 3).sum(), Tensor([1.0, 2.0])), np.diag([6.0, 12.0]))
        np.testing.assert_array_equal(hvp(lambda x: (x ** 3).sum(), Tensor([1.0, 2.0]), np.ones(2))[1], [6.0, 12.0])
        assert float(hessian(lambda v: v * v * v, Value(2.0))) == 12.0
        assert not is_grad_enabled()  # (the caller's mode, as it was)
