"""Hypothesis-generated expression graphs (reused nodes, diamonds, broadcasting),
checked against central differences and against PyTorch when it is installed."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from expressions import Program, programs, table_for
from hypothesis import assume, given

from autograd import Tensor, Value
from autograd.gradcheck import check_gradients


def finite(*arrays) -> bool:
    return all(np.all(np.isfinite(np.asarray(a, dtype=float))) and np.all(np.abs(a) < 1e6) for a in arrays)


def run_ours(program: Program, tensor: bool):
    make = (lambda x: Tensor(x, requires_grad=True)) if tensor else Value
    leaves = [make(x) for x in program.leaves]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        nodes, loss = program.run(leaves, table_for(tensor))
        loss.backward() if not tensor else loss.backward()
    return leaves, nodes, loss


@given(programs(tensor=False))
def test_value_graphs_match_central_differences(program):
    leaves, nodes, loss = run_ours(program, tensor=False)
    assume(finite([n.data for n in nodes], [v.grad for v in leaves]))
    report = check_gradients(lambda *xs: program.run(list(xs), table_for(False))[1],
                             [Value(x) for x in program.leaves])
    assume(not report.warnings)  # a kink (relu at 0) makes central differences meaningless
    assert report.passed, str(report)


@given(programs(tensor=True, max_steps=6))
def test_tensor_graphs_match_central_differences(program):
    leaves, nodes, loss = run_ours(program, tensor=True)
    assume(finite(*[n.data for n in nodes], *[t.grad for t in leaves]))
    report = check_gradients(lambda *xs: program.run(list(xs), table_for(True))[1],
                             [Tensor(x, requires_grad=True) for x in program.leaves])
    assume(not report.warnings)
    assert report.passed, str(report)


def compare_with_torch(program: Program, tensor: bool):
    torch = pytest.importorskip("torch")
    leaves, nodes, loss = run_ours(program, tensor)
    theirs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in program.leaves]
    their_nodes, their_loss = program.run(theirs, table_for(tensor))
    their_loss.backward()
    for mine, reference in zip(nodes, their_nodes):
        np.testing.assert_allclose(
            mine.data, reference.detach().numpy(), rtol=1e-10, atol=1e-12, equal_nan=True
        )
    for mine, reference in zip(leaves, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-12, equal_nan=True)


@given(programs(tensor=False))
def test_value_graphs_match_pytorch(program):
    compare_with_torch(program, tensor=False)


@given(programs(tensor=True))
def test_tensor_graphs_match_pytorch(program):
    compare_with_torch(program, tensor=True)
