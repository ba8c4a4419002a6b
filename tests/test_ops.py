"""Every op in the table: its gradient against central differences, for Value and
Tensor, and against PyTorch when it is installed."""

from __future__ import annotations

import numpy as np
import pytest
from cases import CASES, Case, is_tested, sample

from autograd import Tensor, Value, grad, ops
from autograd.gradcheck import check_gradients

TENSOR_PARAMS = [
    pytest.param(case, shapes, id=f"{case.op.name}-{i}-{'x'.join(map(str, shapes))}")
    for i, case in enumerate(CASES)
    for shapes in case.shapes
]
SCALAR_PARAMS = [pytest.param(case, id=case.op.name) for case in CASES if case.scalar]


def test_every_user_facing_op_has_a_method_and_examples():
    for op in ops.OPS:
        assert is_tested(op) and op.examples, f"{op.name}: no method (or calls) or no examples to test it on"
        assert any(case.op is op for case in CASES)


def test_every_op_states_its_rules():
    for op in ops.OPS:
        assert len(op.rules) == len(op.formulas) == op.arity >= 1, op


def test_internal_ops_are_not_in_the_user_facing_list():
    from autograd import more_ops

    assert more_ops.ZERO_WHERE not in ops.OPS and more_ops.SCATTER_ADD not in ops.OPS


def weighted_sum(out: Tensor, rng: np.random.Generator) -> Tensor:
    """Reduce to one number with distinct weights, so every element's gradient differs."""
    return (out * Tensor(rng.uniform(0.5, 1.5, size=out.shape))).sum()


@pytest.mark.parametrize("case", SCALAR_PARAMS)
def test_value_gradient_matches_central_differences(case: Case, rng):
    for _ in range(5):
        inputs = [Value(float(sample(rng, case, ())), label=f"x{i}") for i in range(case.arity)]
        report = check_gradients(case.call, inputs)
        assert report.passed, str(report)


@pytest.mark.parametrize("case, shapes", TENSOR_PARAMS)
def test_tensor_gradient_matches_central_differences(case: Case, shapes, rng):
    inputs = [Tensor(sample(rng, case, s), requires_grad=True) for s in shapes]
    weights = rng.uniform(0.5, 1.5, size=case.call(*inputs).shape)
    report = check_gradients(lambda *xs: (case.call(*xs) * weights).sum(), inputs)
    assert report.passed, str(report)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case, shapes", TENSOR_PARAMS)
def test_float32_inputs_get_float32_gradients(case: Case, shapes, create_graph, rng):
    # autograd.grad shows a rule's own dtype (backward() casts .grad to the leaf's): a tie's
    # halves, a std of 0's zeros or abs's sign, made as float64 masks, made float32 float64
    inputs = [Tensor(sample(rng, case, s).astype(np.float32), requires_grad=True) for s in shapes]
    out = case.call(*inputs)
    assert out.dtype == np.float32
    gradients = grad([out], inputs, grad_outputs=[np.ones(out.shape, np.float32)], allow_unused=True,
                     create_graph=create_graph)
    for gradient in gradients:
        if gradient is not None:
            assert np.result_type(gradient.data if isinstance(gradient, Tensor) else gradient) == np.float32


@pytest.mark.parametrize("case, shapes", TENSOR_PARAMS)
def test_tensor_matches_pytorch(case: Case, shapes, rng):
    torch = pytest.importorskip("torch")
    if not case.torch:
        pytest.skip("no PyTorch counterpart")
    arrays = [sample(rng, case, s) for s in shapes]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = case.call(*ours), (case.torch_call or case.call)(*theirs)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    weights = rng.uniform(0.5, 1.5, size=out.shape)
    (out * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours, theirs):
        assert mine.grad.shape == mine.shape
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", SCALAR_PARAMS)
def test_value_matches_pytorch(case: Case, rng):
    torch = pytest.importorskip("torch")
    if not case.torch:
        pytest.skip("no PyTorch counterpart")
    for _ in range(5):
        numbers = [float(sample(rng, case, ())) for _ in range(case.arity)]
        ours = [Value(x) for x in numbers]
        theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in numbers]
        out, expected = case.call(*ours), (case.torch_call or case.call)(*theirs)
        assert out.data == pytest.approx(expected.item(), rel=1e-13, abs=1e-15)
        out.backward()
        expected.backward()
        for mine, reference in zip(ours, theirs):
            assert mine.grad == pytest.approx(reference.grad.item(), rel=1e-12, abs=1e-15)


# ---- closed forms: derivatives we know by hand, independent of the rules in ops.py

CLOSED_FORMS = {
    "exp": (lambda x: x.exp(), np.exp),
    "log": (lambda x: x.log(), lambda x: 1 / x),
    "tanh": (lambda x: x.tanh(), lambda x: 1 / np.cosh(x) ** 2),
    "sigmoid": (lambda x: x.sigmoid(), lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    "relu": (lambda x: x.relu(), lambda x: np.heaviside(x, 0.0)),
    "square": (lambda x: x**2, lambda x: 2 * x),
    "cube": (lambda x: x**3, lambda x: 3 * x**2),
    "sqrt": (lambda x: x**0.5, lambda x: 0.5 / np.sqrt(x)),
    "reciprocal": (lambda x: 1 / x, lambda x: -1 / x**2),
    "two-to-the-x": (lambda x: 2**x, lambda x: np.log(2) * 2**x),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_unary_gradients_match_closed_forms(name):
    call, derivative = CLOSED_FORMS[name]
    points = np.array([0.3, 0.9, 1.7, 2.5])
    t = Tensor(points, requires_grad=True)
    call(t).sum().backward()
    np.testing.assert_allclose(t.grad, derivative(points), rtol=1e-12)
    for x in points:
        v = Value(x)
        call(v).backward()
        assert v.grad == pytest.approx(derivative(x), rel=1e-12)


def test_matmul_gradients_match_closed_forms(rng):
    A, B = rng.normal(size=(4, 3)), rng.normal(size=(3, 2))
    G = rng.normal(size=(4, 2))
    a, b = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    (a @ b).backward(G)
    np.testing.assert_allclose(a.grad, G @ B.T, rtol=1e-12)
    np.testing.assert_allclose(b.grad, A.T @ G, rtol=1e-12)


@pytest.mark.parametrize(
    "shape_a, shape_b",
    [((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((4, 3), (3,)), ((1, 3), (2, 1, 3))],
)
def test_broadcast_gradients_are_summed_to_each_shape(shape_a, shape_b, rng):
    A, B = rng.normal(size=shape_a), rng.normal(size=shape_b)
    a, b = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    out = a * b
    G = rng.normal(size=out.shape)
    out.backward(G)
    assert a.grad.shape == shape_a and b.grad.shape == shape_b
    # d(sum G*a*b)/da: G*b summed over the broadcast axes, done here with explicit loops
    expected_a = np.zeros(shape_a)
    expected_b = np.zeros(shape_b)
    A_full, B_full = np.broadcast_to(A, out.shape), np.broadcast_to(B, out.shape)
    for index in np.ndindex(*out.shape):
        a_index = tuple(0 if n == 1 else i for i, n in zip(index[len(index) - len(shape_a):], shape_a))
        b_index = tuple(0 if n == 1 else i for i, n in zip(index[len(index) - len(shape_b):], shape_b))
        expected_a[a_index] += G[index] * B_full[index]
        expected_b[b_index] += G[index] * A_full[index]
    np.testing.assert_allclose(a.grad, expected_a, rtol=1e-12)
    np.testing.assert_allclose(b.grad, expected_b, rtol=1e-12)
