"""What a differential run of the engine with its speed tricks on and off found (every
result compared bit for bit: numbers, layouts, exceptions, warnings, state left behind).
Each case states what both engines must do; ``make test`` runs this file both ways."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
from autograd import Op, Tensor, Value, ops


def caught(action) -> list[str]:
    """The warnings ``action()`` gives, as text."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in seen]


# ---- an op method takes its inputs and no more


def test_a_binary_op_method_given_a_third_input_raises_and_writes_into_nothing():
    # The plain method took any number of inputs and handed them all to NumPy, which read
    # the third as `out=`: z's numbers were silently overwritten, and the graph kept them.
    z = Tensor([0.0, 0.0])
    with pytest.raises(TypeError, match=r"Tensor\.maximum\(\) takes 2 positional arguments but 3 were given"):
        Tensor([1.0, 5.0]).maximum(Tensor([3.0, 2.0]), z)
    np.testing.assert_array_equal(z.data, [0.0, 0.0])


@pytest.mark.parametrize("call, name", [(lambda x: x.exp(1), "Tensor.exp"), (lambda x: x.relu(3), "Tensor.relu"),
                                        (lambda x: x.sigmoid(3), "Tensor.sigmoid"),
                                        (lambda x: Value(1.0).relu(3), "Value.relu"),
                                        (lambda x: Value(1.0).exp(2), "Value.exp")])
def test_a_unary_op_method_given_an_argument_is_a_type_error_naming_the_method(call, name):
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=rf"^{name}\(\) takes 1 positional argument but 2 were given"):
        call(x)


# ---- a Tensor's rule that raises under np.errstate raises as it is


def test_a_tensor_rule_overflowing_under_errstate_raise_raises_floating_point_error():
    # Only Python floats raise where NumPy answers inf: the plain pass retried every node
    # on NumPy scalars, and for a Tensor that failed with an unrelated TypeError.
    x = Tensor(np.float32([1e-20]), requires_grad=True)
    w = Tensor(np.float32([1e20]), requires_grad=True)
    y = x * w
    with np.errstate(over="raise"), pytest.raises(FloatingPointError, match="overflow encountered in multiply"):
        y.backward(np.float32([1e30]))
    assert x.grad is None and w.grad is None


def test_a_tensor_rule_dividing_by_zero_under_errstate_raise_names_the_array_divide():
    x = Tensor(0.0, requires_grad=True)
    y = x.sqrt()
    with np.errstate(all="raise"), pytest.raises(FloatingPointError, match="divide by zero encountered in divide"):
        y.backward(np.array(1.0))


# ---- intermediate nodes show this pass's gradient, or none


def test_after_a_refused_backward_the_nodes_it_did_not_reach_show_no_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], requires_grad=True)
    u = w * 3
    z = (x * 2 * u).sum()
    x.data[0] = 10  # after the forward pass: backward refuses the node that used x
    with pytest.raises(RuntimeError, match="changed after the forward pass"):
        z.backward()
    assert u.grad is None  # not the share it was sent before the pass stopped
    assert x.grad is None and w.grad is None


def test_after_a_refused_backward_a_value_it_did_not_reach_shows_zero(op_table):
    a, b = Value(2.0), Value(3.0)
    u = a * b
    stopped = Op("stop", forward=lambda x: x, scalar=lambda x: x,
                 rules=[lambda grad, out, x: 1.0 / 0.0], formulas=["d stop(x)/dx: raises"])
    z = stopped(u) * 2.0
    with pytest.raises(ZeroDivisionError):
        z.backward()
    assert u.grad == 0.0 and u.grad.__class__ is float
    assert a.grad == 0.0 and b.grad == 0.0


def test_a_node_no_share_reached_shows_no_gradient_from_an_earlier_pass(op_table):
    # A rule may send an input no share (None). Such a node shows that this pass gave it
    # nothing, not the gradient of an earlier pass as if it were this one's.
    _blocked = Op("blocked", forward=lambda x: x, scalar=lambda x: x, rules=[lambda grad, out, x: None],
                 formulas=["d blocked(x)/dx: none"], method="blocked_identity")
    for x in (Value(2.0), Tensor([2.0, 3.0], requires_grad=True)):
        u = x * 3
        first = (u * u) if isinstance(x, Value) else (u * u).sum()
        first.backward()
        assert np.all(np.asarray(u.grad) != 0)
        second = u.blocked_identity() * 5 if isinstance(x, Value) else (u.blocked_identity() * 5).sum()
        second.backward()
        if isinstance(x, Value):
            assert u.grad == 0.0 and u.grad.__class__ is float
        else:
            assert u.grad is None


# ---- float32 meeting float64: computed once


def test_float32_meeting_a_float64_tensor_is_computed_once_with_one_warning():
    # The fast method computed in float64 first, then again with PyTorch's promotion:
    # two warnings (the first from a product the result never used) where one is right.
    seen = caught(lambda: Tensor(np.float32([1e10])) * Tensor(1e300))
    assert seen == ["overflow encountered in cast"]


# ---- masks keep np.where's layout


def test_relu_of_a_transposed_array_sums_its_gradient_back_in_the_same_order():
    # The masked gradient had the mask's layout (F-ordered after a transpose), so summing
    # it back over a broadcast axis added the same numbers in another order: a last bit
    # differed between the engine with its tricks and without.
    rng = np.random.default_rng(0)
    u = Tensor(rng.standard_normal((7, 1)), requires_grad=True)
    v, c = Tensor(rng.standard_normal((7, 300))), Tensor(rng.standard_normal((300, 7)))
    ((u + v).T.relu() * c).sum().backward()
    mask = ((u.data + v.data).T > 0)
    expected = np.where(~mask, 0.0, c.data).T.sum(axis=1, keepdims=True)
    assert u.grad.tobytes() == expected.tobytes()


# ---- t.data: a flag set on one view is that view's


def test_making_one_view_of_t_data_read_only_leaves_the_next_view_writable():
    t = Tensor([1.0, 2.0])
    view = t.data
    view.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        view[0] = 5.0
    t.data[0] = 7.0  # a new read of t.data, as without the kept view
    np.testing.assert_array_equal(t.data, [7.0, 2.0])
    t.data.setflags(write=False)
    t.data[1] = 8.0
    np.testing.assert_array_equal(t.data, [7.0, 8.0])


# ---- a leaf's .grad is its own array


def test_a_leaf_never_takes_an_array_a_rule_keeps_or_another_node_shows(op_table):
    # A rule may hand back an array it holds on to (a constant, a cache). Taken as the
    # leaf's .grad, the next pass's in-place += changed the rule's array, and from then on
    # every gradient through it, silently. Same for one array sent to a leaf and to an
    # intermediate node: zeroing the leaf's .grad in place zeroed the node's.
    kept_by_the_rule = np.array([1.0, 1.0])
    _constant = Op("constant_rule", forward=lambda x, y: x + y, formulas=["1", "1"], method="constant_rule_add",
                  rules=[lambda g, o, x, y: kept_by_the_rule, lambda g, o, x, y: kept_by_the_rule])
    a, b = Tensor([0.0, 0.0], requires_grad=True), Tensor([0.0, 0.0], requires_grad=True)
    for _ in range(2):
        a.constant_rule_add(b).backward(np.ones(2))
    np.testing.assert_array_equal(kept_by_the_rule, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])

    shared: dict[str, np.ndarray] = {}

    def first(g, o, x, y):
        shared["share"] = g * 2.0
        return shared["share"]

    _one_array = Op("one_array", forward=lambda x, y: x + y, formulas=["2", "2"], method="one_array_add",
                   rules=[first, lambda g, o, x, y: shared["share"]])
    a, w = Tensor([1.0, 2.0], requires_grad=True), Tensor([1.0, 1.0], requires_grad=True)
    u = w * 1.0
    a.one_array_add(u).backward(np.ones(2))
    shared.clear()
    assert not np.shares_memory(a.grad, u.grad)
    a.grad *= 0  # as an optimizer's in-place zero_grad would
    np.testing.assert_array_equal(u.grad, [2.0, 2.0])


@pytest.mark.parametrize("call", [lambda x, buf: autograd.exp(x, buf), lambda x, buf: autograd.tanh(x, buf),
                                  lambda x, buf: autograd.maximum(x, x, buf)])
def test_an_op_called_with_one_input_too_many_raises_and_writes_into_nothing(call):
    # The op's own call handed an extra input to NumPy as `out=`: the result shared buf's
    # memory, and refilling buf changed it and the gradient through it.
    x, buf = Tensor([1.0, 2.0], requires_grad=True), np.zeros(2)
    with pytest.raises(TypeError, match=r"takes \d (input\(s\) and no other|positional) arguments"):
        call(x, buf)
    np.testing.assert_array_equal(buf, [0.0, 0.0])


def test_t_data_given_a_number_a_list_or_ints_holds_a_float_array():
    # t.data = 2.0 stored the Python float itself, and the next backward() failed inside
    # the engine ('float' object has no attribute 'dtype')
    t = Tensor([1.0, 2.0], requires_grad=True)
    for value, expected in [(2.0, np.array(2.0)), ([1, 2], np.array([1.0, 2.0])),
                            (np.array([3, 4]), np.array([3.0, 4.0]))]:
        t.data = value
        assert t.data.dtype == np.float64 and np.array_equal(t.data, expected)
        t.grad = None
        (t * 3.0).sum().backward()
        np.testing.assert_array_equal(t.grad, np.full(np.shape(expected), 3.0))
    given = np.array([5.0, 6.0])
    t.data = given
    assert not np.shares_memory(t.data, given)  # a copy, as Tensor() makes (tests/test_exact_input_types.py)


# ---- h @ W.T: the weight's gradient is computed by columns, the same bits both ways


def test_a_transposed_weights_gradient_has_the_same_bits_with_and_without_the_tricks():
    # (grad.T @ h) and (h.T @ grad).T differ in the last bit at this shape; both engines
    # must take the first (numeric.matmul_rule), or they would disagree.
    rng = np.random.default_rng(3)
    h = Tensor(rng.normal(size=(8, 3)), requires_grad=True)
    W = Tensor(rng.normal(size=(4, 3)), requires_grad=True)
    g = rng.normal(size=(8, 4))
    (h @ W.T).backward(g)
    assert np.array_equal(W.grad, g.T @ h.data) and W.grad.flags.c_contiguous
    assert np.array_equal(h.grad, g @ W.data)


# ---- the rules of + and * on Values (trick 9 writes them inline in the fused loop)


@pytest.mark.parametrize("op_name, position", [("+", 0), ("+", 1), ("*", 0), ("*", 1)])
def test_a_replaced_rule_of_plus_or_times_on_values_is_the_rule_used(monkeypatch, op_name, position):
    # A teacher who swaps in a wrong rule must see its wrong gradient, with the tricks on
    # as with them off: the fused loop writes only the stock rules inline.
    op = next(op for op in ops.OPS if op.name == op_name)
    rules = list(op.rules)
    stock = rules[position]
    rules[position] = lambda grad, out, a, b: 3.0 * stock(grad, out, a, b)
    monkeypatch.setattr(op, "rules", tuple(rules))
    x, y = Value(2.0), Value(5.0)
    (x + y if op_name == "+" else x * y).backward()
    expected = {"+": (1.0, 1.0), "*": (5.0, 2.0)}[op_name]
    assert (x.grad, y.grad)[position] == 3.0 * expected[position]
    assert (x.grad, y.grad)[1 - position] == expected[1 - position]


def test_plus_and_times_on_values_send_each_input_its_share_and_none_to_a_constant():
    x, c = Value(3.0), Value(4.0, requires_grad=False)
    z = x * x + x * c + c * x + x + c + c * c  # x used on both sides, a constant on either side
    z.backward()
    assert x.grad == 2 * 3.0 + 4.0 + 4.0 + 1.0
    assert c.grad == 0.0
    big, ten = Value(1e308), Value(10.0)
    (big * ten).backward()  # the product overflows to inf; the shares do not
    assert (big.grad, ten.grad) == (10.0, 1e308)


def test_a_users_one_input_op_that_broadcasts_sums_its_gradient_back_to_the_input():
    # Op(broadcasts=True) sums each share back to its input's shape, one input or two:
    # the fused loop once did so only for two, and handed x a (3, 2) gradient
    tile = Op("tile3", forward=lambda x: np.broadcast_to(x, (3,) + x.shape).copy(),
              rules=[lambda grad, out, x: grad], formulas=["d(tile x)/dx = 1"], broadcasts=True, internal=True)
    x = Tensor([1.0, 2.0], requires_grad=True)
    (tile(x) * Tensor([[1.0, 1.0], [2.0, 2.0], [4.0, 4.0]])).sum().backward()
    assert x.grad.shape == (2,)
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])
