"""A backward pass that raises midway (an anomaly error, a rule that fails, an interrupt)
leaves every leaf's ``.grad`` exactly as it was before the call (issue 12: a fault that
added the partial gradients to the leaves went uncaught, because no test looked).

Each graph has leaves the pass reaches before the failure and leaves it would reach
after; all hold gradients from an earlier pass (and one holds none), which must come out
bit for bit the same, in the same arrays.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import AnomalyError, Op, Tensor, Value, detect_anomaly


class Interrupted(Exception):
    pass


def _raise(exception: BaseException):
    def rule(grad, out, x):
        raise exception
    return rule


def failing_op(exception: BaseException) -> Op:
    """The identity, whose derivative rule raises ``exception``."""
    return Op("fails_in_backward", forward=lambda x: x * 1.0, scalar=lambda x: x * 1.0, rules=[_raise(exception)],
              formulas=["raises"], internal=True)


def tensor_graph(middle):
    """early * (middle(late) + 1): the pass reaches ``early`` before ``middle``'s rule and
    ``late`` only through it. ``fresh`` is also used early, and has no gradient yet."""
    early = Tensor([1.0, 2.0], requires_grad=True)
    late = Tensor([0.0, 3.0], requires_grad=True)
    fresh = Tensor([4.0, 5.0], requires_grad=True)
    (early * late + fresh).sum().backward()  # gradients from an earlier pass
    fresh.grad = None
    root = (early * (middle(late) + 1.0) + fresh * early).sum()
    return root, [early, late, fresh]


def snapshot(nodes):
    return [(node.grad, None if node.grad is None else np.array(node.grad, copy=True)) for node in nodes]


def assert_unchanged(nodes, before):
    for node, (array, values) in zip(nodes, before):
        if values is None:
            assert node.grad is None, "a leaf with no gradient got a partial one"
        else:
            assert node.grad is array, "a leaf's gradient array was replaced"
            np.testing.assert_array_equal(node.grad, values)


def test_an_anomaly_in_the_backward_pass_leaves_the_leaves_gradients_as_before():
    with detect_anomaly():
        root, nodes = tensor_graph(lambda late: late**0.5)  # d sqrt at 0 is inf: raised in backward
        before = snapshot(nodes)
        with pytest.raises(AnomalyError):
            root.backward()
    assert_unchanged(nodes, before)


@pytest.mark.parametrize("exception", [RuntimeError("a rule failed"), Interrupted(), KeyboardInterrupt()],
                         ids=["RuntimeError", "an exception of the user's", "KeyboardInterrupt"])
def test_a_rule_that_raises_leaves_the_leaves_gradients_as_before(exception):
    op = failing_op(exception)
    root, nodes = tensor_graph(op)
    before = snapshot(nodes)
    with pytest.raises(type(exception)):
        root.backward()
    assert_unchanged(nodes, before)
    early, late, fresh = nodes  # after the failure, a working pass adds as usual
    ok_root = (early * late).sum()
    ok_root.backward()
    np.testing.assert_array_equal(early.grad, before[0][1] + late.data)


def test_a_failed_value_pass_leaves_scalar_gradients_as_before():
    op = failing_op(RuntimeError("a rule failed"))
    a, b = Value(2.0), Value(-3.0)
    (a * b).backward()
    before = (a.grad, b.grad)
    root = a * op(b) + a * a
    with pytest.raises(RuntimeError):
        root.backward()
    assert (a.grad, b.grad) == before


def test_a_failed_pass_with_create_graph_leaves_the_gradients_as_before():
    op = failing_op(RuntimeError("a rule failed"))
    root, nodes = tensor_graph(op)
    before = snapshot(nodes)
    with pytest.raises(RuntimeError):
        root.backward(create_graph=True)
    assert_unchanged(nodes, before)
