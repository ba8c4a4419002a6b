"""The checks can fail: inject known faults into copies of the engine and of op rules,
and show that the gradient check catches each one (and passes without the fault)."""

from __future__ import annotations

import inspect
import textwrap

import numpy as np
import pytest

from autograd import Tensor, Value, core, fast, ops
from autograd.gradcheck import check_gradients


def mutated(module, function_name: str, old: str, new: str):
    """A copy of ``module.function_name`` with ``old`` replaced by ``new`` in its source
    (the function may have been imported into ``module`` from elsewhere)."""
    source = textwrap.dedent(inspect.getsource(getattr(module, function_name)))
    assert source.count(old) == 1, f"{old!r} must occur exactly once in {function_name}"
    namespace = dict(vars(module))
    exec(compile(source.replace(old, new), f"<mutated {function_name}>", "exec"), namespace)
    return namespace[function_name]


def reused_node_check():
    """b = a + a; c = b + b, plus a diamond: the gradient needs every path summed."""
    a = Value(1.5, label="a")
    return check_gradients(lambda a: (a + a) + (a + a) * a, [a])


def broadcast_check():
    b = Tensor(np.array([[1.0, -2.0, 0.5, 3.0]]), requires_grad=True, label="b")  # (1, 4)
    x = Tensor(np.arange(12.0).reshape(3, 4) / 7)
    return check_gradients(lambda b: ((x + b) * x).sum(), [b])


def subtraction_check():
    a, b = Value(2.0, label="a"), Value(0.7, label="b")
    return check_gradients(lambda a, b: (a - b) * (a - b * b), [a, b])


def division_check():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, -1.5], requires_grad=True)
    return check_gradients(lambda a, b: (a / b).sum(), [a, b])


FAULTS = {
    "assignment instead of accumulation": (
        core, "accumulate",
        "return share if total is None else total + share",
        "return share",
        reused_node_check,
    ),
    "the second path to a reused input dropped (b = a + a)": (
        core, "chain_rule",
        "if parent.requires_grad else None",
        "if parent.requires_grad and parent not in node.inputs[:len(shares)] else None",
        reused_node_check,
    ),
    "broadcast sum skipped": (
        core, "chain_rule",
        "            share = sum_to(share, parent.shape)",
        "            pass",
        broadcast_check,
    ),
    "stretched axes not summed": (
        core, "sum_to",
        "grad = grad.sum(axis=stretched, keepdims=True)",
        "grad = grad[tuple(slice(0, 1) if i in stretched else slice(None) for i in range(grad.ndim))]",
        broadcast_check,
    ),
}


@pytest.mark.parametrize("name", FAULTS)
def test_engine_fault_is_caught(name, monkeypatch):
    module, function, old, new, check = FAULTS[name]
    monkeypatch.setattr(fast, "FUSED_LOOP", False)  # the faults are in the plain engine
    assert check().passed, "without the fault the check must pass"
    monkeypatch.setattr(module, function, mutated(module, function, old, new))
    report = check()
    assert not report.passed, f"the fault '{name}' went unnoticed:\n{report}"


def with_rule(op: ops.Op, index: int, rule) -> tuple:
    """The rules of ``op`` with one replaced."""
    rules = list(op.rules)
    rules[index] = rule
    return tuple(rules)


RULE_FAULTS = {
    "flipped sign in d(a-b)/db": ("-", 1, lambda grad, out, a, b: grad, subtraction_check),
    "dropped term in d(a/b)/db": ("/", 1, lambda grad, out, a, b: -grad / (b * b), division_check),
    "sigmoid derivative without (1 - s)": ("sigmoid", 0, lambda grad, out, x: grad * out,
                                           lambda: check_gradients(lambda x: x.sigmoid(), [Value(0.3)])),
}


@pytest.mark.parametrize("name", RULE_FAULTS)
def test_rule_fault_is_caught(name, monkeypatch):
    op_name, index, rule, check = RULE_FAULTS[name]
    assert check().passed
    op = next(op for op in ops.OPS if op.name == op_name)
    monkeypatch.setattr(op, "rules", with_rule(op, index, rule))
    assert not check().passed, f"the fault '{name}' went unnoticed"
