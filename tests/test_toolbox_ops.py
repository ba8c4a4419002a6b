"""Issue 13's operations beyond what the op table's examples try (``test_ops.py``): second
derivatives of every op against PyTorch, PyTorch's ``dim=``/``keepdim=`` on every
reduction, its conventions at ties and kinks, stability at +-1000, the constructors and
aliases, the errors, and the table of every operation (docs/ops.md, linked from the README)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from cases import CASES, Case, sample

import autograd
from autograd import Tensor, Value, grad, ops, toolbox_ops

OPS_PAGE = Path(__file__).resolve().parent.parent / "docs" / "ops.md"
SECOND_ORDER_PARAMS = [
    pytest.param(case, shapes, id=f"{case.op.name}-{i}-{'x'.join(map(str, shapes))}")
    for i, case in enumerate(CASES) if case.torch
    for shapes in case.shapes
]


@pytest.mark.parametrize("case, shapes", SECOND_ORDER_PARAMS)
def test_second_derivatives_of_every_op_match_pytorch(case: Case, shapes, rng):
    """d/dx of (weighted first derivatives), through create_graph, against torch's double backward."""
    torch = pytest.importorskip("torch")
    arrays = [sample(rng, case, s) for s in shapes]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = case.call(*ours), (case.torch_call or case.call)(*theirs)
    weights = rng.uniform(0.5, 1.5, size=out.shape)
    firsts = grad((out * out * weights).sum(), ours, create_graph=True, allow_unused=True)
    t_firsts = torch.autograd.grad((expected * expected * torch.tensor(weights)).sum(), theirs, create_graph=True)
    second_weights = [rng.uniform(0.5, 1.5, size=a.shape) for a in arrays]
    ours_second = grad(sum(((g * w).sum() for g, w in zip(firsts, second_weights)), Tensor(0.0)), ours,
                       allow_unused=True)
    t_second = torch.autograd.grad(sum((g * torch.tensor(w)).sum() for g, w in zip(t_firsts, second_weights)),
                                   theirs, allow_unused=True)
    for mine, reference, x in zip(ours_second, t_second, ours):
        mine = np.zeros(x.shape) if mine is None else mine
        reference = np.zeros(x.shape) if reference is None else reference.numpy()
        np.testing.assert_allclose(mine, reference, rtol=1e-10, atol=1e-12)


REDUCTIONS = {  # ours (method name): torch's name for the same numbers
    "sum": "sum", "mean": "mean", "max": "amax", "min": "amin", "var": "var", "std": "std",
    "logsumexp": "logsumexp",
}


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("dim, keepdim", [(1, True), (-1, False), ((0, 2), True), ((0, 2), False)])
def test_every_reduction_takes_pytorchs_dim_and_keepdim(name, dim, keepdim, rng):
    x = rng.normal(size=(2, 3, 4))
    ours_dim = getattr(Tensor(x, requires_grad=True), name)(dim=dim, keepdim=keepdim)
    ours_axis = getattr(Tensor(x), name)(axis=dim, keepdims=keepdim)
    np.testing.assert_array_equal(ours_dim.data, ours_axis.data)
    assert ours_dim.requires_grad
    torch = pytest.importorskip("torch")
    t = torch.tensor(x, requires_grad=True)
    expected = getattr(t, REDUCTIONS[name])(dim=dim, keepdim=keepdim)
    np.testing.assert_allclose(ours_dim.data, expected.detach().numpy(), rtol=1e-13)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_a_reduction_refuses_axis_and_dim_together(name):
    with pytest.raises(TypeError, match="axis= or dim="):
        getattr(Tensor(np.ones((2, 3))), name)(axis=0, dim=1)


def test_ties_split_the_gradient_evenly_as_torch_amax_and_maximum():
    x = Tensor([[1.0, 3.0, 3.0], [3.0, 0.0, -1.0]], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1 / 3, 1 / 3], [1 / 3, 0, 0]])
    x.zero_grad()
    x.max(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 0.5, 0.5], [1, 0, 0]])
    a, b = Value(2.0), Value(2.0)
    autograd.maximum(a, b).backward()
    assert (a.grad, b.grad) == (0.5, 0.5)


def test_kinks_follow_pytorch_abs_clip_leaky_relu():
    x = Tensor([0.0, -1.0, 1.0, 2.0], requires_grad=True)
    abs(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [0, -1, 1, 1])  # abs'(0) = 0
    x.zero_grad()
    x.clamp(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 1, 1, 0])  # boundaries included
    x.zero_grad()
    x.leaky_relu(0.1).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.1, 0.1, 1, 1])  # the slope at 0
    v = Value(-3.0)
    abs(v).backward()
    assert abs(v).data == 3.0 and v.grad == -1.0


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_family_is_stable_at_a_thousand_with_no_warnings(name):
    x = Tensor([[1000.0, -1000.0, 999.0], [-1000.0, -1000.0, -1000.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = getattr(x, name)(dim=1)
        (out * Tensor(np.arange(out.data.size).reshape(out.shape) + 1.0)).sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))
    expected = {"softmax": [[1 / (1 + np.exp(-1.0)), 0.0, 1 / (1 + np.exp(1.0))], [1 / 3] * 3],
                "log_softmax": [[-np.log1p(np.exp(-1.0)), -2000 - np.log1p(np.exp(-1.0)), -1 - np.log1p(np.exp(-1.0))],
                                [-np.log(3.0)] * 3],
                "logsumexp": [1000 + np.log1p(np.exp(-1.0)), -1000 + np.log(3.0)]}[name]
    np.testing.assert_allclose(out.data, expected, rtol=1e-15)


def test_nn_log_softmax_is_one_op():
    import nn

    out = nn.log_softmax(Tensor(np.zeros((2, 3)), requires_grad=True), dim=1)
    assert out.op is toolbox_ops.LOG_SOFTMAX


def test_cat_and_stack_join_and_send_each_input_its_slice():
    a, b, c = (Tensor(np.full((2, k), float(k)), requires_grad=True) for k in (1, 2, 3))
    joined = autograd.cat([a, b, c], dim=1)
    assert joined.shape == (2, 6)
    (joined * Tensor(np.arange(6.0))).sum().backward()
    np.testing.assert_array_equal(b.grad, [[1, 2], [1, 2]])
    np.testing.assert_array_equal(c.grad, [[3, 4, 5], [3, 4, 5]])
    stacked = autograd.stack([a, a], dim=0)
    assert stacked.shape == (2, 2, 1)


def test_where_selects_and_its_gradient_follows_the_condition():
    x = Tensor([-1.0, 2.0, 3.0], requires_grad=True)
    y = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    out = autograd.where(x > 0, x, y)
    assert out.data.tolist() == [10.0, 2.0, 3.0]
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 1.0] and y.grad.tolist() == [1.0, 0.0, 0.0]
    assert x.where(x > 0, 0.0).data.tolist() == [0.0, 2.0, 3.0]


def test_shapes_follow_pytorch():
    x = Tensor(np.zeros((2, 1, 3, 1)))
    assert x.squeeze().shape == (2, 3) and x.squeeze(0).shape == (2, 1, 3, 1) and x.squeeze(1).shape == (2, 3, 1)
    assert x.unsqueeze(-1).shape == (2, 1, 3, 1, 1) and x.unsqueeze(0).shape == (1, 2, 1, 3, 1)
    assert x.flatten().shape == (6,) and x.flatten(1).shape == (2, 3) and Tensor(1.0).flatten().shape == (1,)
    assert x.view(3, 2).shape == (3, 2) and x.view(-1).shape == (6,)


def test_constructors():
    t = autograd.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.shape == (2,)
    assert autograd.zeros(2, 3).shape == autograd.ones((2, 3)).shape == (2, 3)
    assert not autograd.zeros(2).data.any() and autograd.ones(2).data.all()
    np.testing.assert_array_equal(autograd.randn(4, rng=7).data, np.random.default_rng(7).standard_normal(4))
    generator = np.random.default_rng(3)
    first, second = autograd.randn(2, 2, rng=generator), autograd.randn(2, 2, rng=generator)
    assert first.shape == (2, 2) and not np.array_equal(first.data, second.data)  # the generator moves on
    assert autograd.randn(3, requires_grad=True).requires_grad


@pytest.mark.parametrize("call, error, message", [
    (lambda: Tensor([1.0]).clip(), ValueError, "min=, max="),
    (lambda: Tensor([1.0]).var(), ValueError, "correction=0"),
    (lambda: Tensor(np.ones((2, 3))).std(dim=0, correction=2), ValueError, "divides by 0"),
    (lambda: Tensor([1.0]).softmax(), TypeError, "one integer dim"),
    (lambda: Tensor([1.0]).gelu(approximate="tanh"), ValueError, "approximate='none'"),
    (lambda: autograd.where(np.ones(2), Tensor([1.0, 2.0]), 0.0), TypeError, "booleans"),
    (lambda: autograd.cat([Tensor(1.0), Tensor(2.0)]), ValueError, "use stack"),
    (lambda: autograd.cat([]), ValueError, "at least one"),
    (lambda: autograd.stack([Tensor([1.0]), Tensor([1.0, 2.0])]), ValueError, "one shape"),
    (lambda: Tensor(np.ones((2, 3, 4))).flatten(2, 1), ValueError, "comes after"),
    (lambda: Tensor(np.ones(2)).unsqueeze(3), ValueError, "out of range"),
    (lambda: autograd.randn(2, rng="seed"), TypeError, "Generator"),
])
def test_bad_arguments_get_a_clear_error(call, error, message):
    with pytest.raises(error, match=re.escape(message)):
        call()


def _table_ops() -> dict[str, str]:
    """docs/ops.md's table (the README links to it): each op's name and its PyTorch cell."""
    text = OPS_PAGE.read_text()
    section = text[text.index("# Operations: ours beside PyTorch's"):]
    rows = re.finditer(r"^\| `([^`]+)` \|[^|\n]*\|([^|\n]*)\|", section, flags=re.M)
    return {m.group(1): m.group(2).strip() for m in rows}


def test_every_op_is_in_the_ops_table_with_its_pytorch_name():
    table = _table_ops()
    missing = [op.name for op in ops.OPS if not table.get(op.name)]
    assert not missing, f"docs/ops.md 'Operations: ours beside PyTorch's' has no row (or no PyTorch name) for {missing}"


def test_the_table_check_notices_a_missing_op(op_table):
    autograd.Op("not_in_the_table", forward=np.negative, rules=[lambda grad, out, x: -grad], formulas=["-1"],
                method="not_in_the_table")
    with pytest.raises(AssertionError, match="not_in_the_table"):
        test_every_op_is_in_the_ops_table_with_its_pytorch_name()
