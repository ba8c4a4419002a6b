"""Custom operations are public: an ``Op`` defined by a user works like a built-in one,
on Value and Tensor, in pictures, in the walkthrough, in the gradient report and for
gradients of gradients. And adding an op is one definition."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Op, Tensor, Value, backward_walkthrough, draw_graph, grad, sigmoid
from autograd.gradcheck import check_gradients


def softplus_op(rule) -> Op:
    return Op("softplus", forward=lambda x: np.logaddexp(0.0, x), scalar=lambda x: float(np.logaddexp(0.0, x)),
              rules=[rule], formulas=["d softplus(x)/dx = sigmoid(x)"], method="softplus")


RIGHT = lambda grad, out, x: grad * sigmoid(x)  # noqa: E731
SLIP = lambda grad, out, x: grad * sigmoid(x) * (1 - sigmoid(x))  # noqa: E731  (sigmoid's own derivative)


def test_a_custom_op_works_on_values_and_tensors(op_table):
    softplus = softplus_op(RIGHT)
    v = Value(0.5)
    softplus(v).backward()
    assert v.grad == pytest.approx(1 / (1 + np.exp(-0.5)), rel=1e-15)
    t = Tensor([-1.0, 0.5, 2.0], requires_grad=True)
    t.softplus().sum().backward()  # the method comes from the same definition
    np.testing.assert_allclose(t.grad, 1 / (1 + np.exp(-t.data)), rtol=1e-15)
    assert softplus(2.0) == pytest.approx(np.log1p(np.exp(2.0)))  # on plain numbers it just computes


def test_the_gradient_report_catches_the_slip_names_the_worst_element_and_passes_the_fix(op_table):
    x = Tensor([-1.0, 0.5, 2.0], requires_grad=True, label="x")
    wrong = check_gradients(lambda x: softplus_op(SLIP)(x).sum(), [x])
    assert not wrong.passed
    automatic, numerical = wrong["x"].gradients["automatic"], wrong["x"].gradients["numerical"]
    assert wrong["x"].comparisons[0].worst_index == (int(np.argmax(np.abs(automatic - numerical))),)
    assert "MISMATCH" in str(wrong)
    assert check_gradients(lambda x: softplus_op(RIGHT)(x).sum(), [x]).passed


def test_a_custom_op_is_drawn_with_its_name_and_walked_through_with_its_formula(op_table):
    softplus = softplus_op(RIGHT)
    x = Value(0.5, label="x")
    y = softplus(x) * 2
    y.label = "y"
    assert "softplus" in draw_graph(y).source
    walk = backward_walkthrough(y)
    assert "d softplus(x)/dx = sigmoid(x)" in str(walk)
    assert walk.gradients()[x] == pytest.approx(2 / (1 + np.exp(-0.5)), rel=1e-15)


def test_a_custom_op_whose_rule_uses_our_ops_has_second_derivatives(op_table):
    softplus = softplus_op(RIGHT)
    for x in (Value(0.7), Tensor([0.7, -1.3], requires_grad=True)):
        (first,) = grad(softplus(x) if isinstance(x, Value) else softplus(x).sum(), x, create_graph=True)
        (second,) = grad(first if isinstance(x, Value) else first.sum(), x)
        s = 1 / (1 + np.exp(-np.asarray(x.data)))
        np.testing.assert_allclose(second, s * (1 - s), rtol=1e-14)  # softplus'' = sigmoid' = s(1-s)


def test_adding_sqrt_is_one_definition_giving_methods_and_test_cases(op_table):
    import cases

    sqrt = Op("sqrt", forward=np.sqrt, scalar=lambda x: float(np.sqrt(x)), method="sqrt",
              rules=[lambda grad, out, x: grad / (2 * out)], formulas=["d(sqrt x)/dx = 1/(2 sqrt x)"])
    v = Value(9.0)
    v.sqrt().backward()
    assert v.grad == pytest.approx(1 / 6)
    np.testing.assert_array_equal(Tensor([4.0, 16.0]).sqrt().data, [2.0, 4.0])
    new_cases = [case for case in cases.cases_of(sqrt)]
    assert new_cases and all(case.scalar for case in new_cases)  # tried on Values too


def test_an_op_needs_one_formula_per_rule():
    with pytest.raises(ValueError, match="one formula per rule"):
        Op("bad", forward=np.exp, rules=[lambda grad, out, x: grad], formulas=[], internal=True)


# A rule that hands back one of the arrays it was given (here the slip of forgetting
# ``grad *``: d(x*y)/dx "= y") must not make a leaf's .grad that very array: the next
# x.grad += ... (or an optimizer's update of y) would then change the other silently.
GIVEN_BACK = {  # what the rule for input i gives back, from (grad, out, inputs)
    "another input": lambda i: lambda grad, out, *inputs: inputs[(i + 1) % len(inputs)],
    "the output": lambda i: lambda grad, out, *inputs: out,
    "the gradient": lambda i: lambda grad, out, *inputs: grad,
}


@pytest.mark.parametrize("given_back", GIVEN_BACK, ids=list(GIVEN_BACK))
@pytest.mark.parametrize("how", ["backward", "intermediate_grads=False", "three inputs"])
def test_a_leafs_gradient_never_is_an_array_the_rule_was_given(given_back, how, op_table):
    arity = 3 if how == "three inputs" else 2
    op = Op("forgetful", forward=lambda *inputs: np.prod(inputs, axis=0),
            rules=[GIVEN_BACK[given_back](i) for i in range(arity)], formulas=["the others' product"] * arity)
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = Tensor([3.0, 4.0], requires_grad=True, label="y")
    z = Tensor([5.0, 6.0], requires_grad=True, label="z")
    out = op(x, y, z) if arity == 3 else op(x, y)
    seed = np.array([1.0, 1.0])
    out.backward(seed, intermediate_grads=how != "intermediate_grads=False")
    graph_arrays = [x._data, y._data, z._data, out._data]
    leaves = [t for t in (x, y, z) if t.grad is not None]
    for leaf in leaves:
        assert not any(np.shares_memory(leaf.grad, a) for a in graph_arrays), leaf.label
        assert not any(np.shares_memory(leaf.grad, other.grad) for other in leaves if other is not leaf), leaf.label
    before = [t.data.copy() for t in (x, y, z)] + [out.data.copy()]
    for leaf in leaves:
        leaf.grad += 100.0  # in place, as a second backward pass would add to it
    assert all(np.array_equal(b, t.data) for b, t in zip(before, (x, y, z, out)))


# ---- a user's op is checked as it runs (autograd/user_ops.py), as PyTorch checks a Function:
# each of these gave a silently wrong gradient before


def _op_with_rule(rule, broadcasts: bool = False) -> Op:
    return Op("custom", forward=lambda x: x * 2.0, scalar=lambda x: x * 2.0, rules=[rule], formulas=["2"],
              broadcasts=broadcasts, internal=True)


def test_a_rules_share_of_another_shape_than_its_inputs_is_refused():
    flat = _op_with_rule(lambda grad, out, x: (grad * 2.0).ravel())  # (3,) for a (1, 3) input
    x = Tensor(np.ones((1, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"rule 0 of op 'custom' gave a share of shape \(3,\) for input 0 "
                                         r"of shape \(1, 3\)"):
        (flat(x) + x).sum().backward()  # (before: x.grad of shape (1,), the (3,) share summed into one number)
    column = _op_with_rule(lambda grad, out, x: (grad * 2.0).reshape(-1, 1))  # (3, 1) for a (3,) input
    y = Tensor([0.0, 1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"shape \(3, 1\) for input 0 of shape \(3,\)"):
        (column(y * 1.0) + y).sum().backward()  # (before: the two shares broadcast to (3, 3): 3x the gradient)
    scalar = _op_with_rule(lambda grad, out, x: 2.0)  # one number for three
    with pytest.raises(ValueError, match=r"shape \(\) for input 0 of shape \(3,\)"):
        scalar(y).sum().backward()
    assert y.grad is None  # (a refused pass changes nothing)


def test_a_rules_share_that_is_a_list_is_refused():
    listed = _op_with_rule(lambda grad, out, x: [2.0 * g for g in np.atleast_1d(grad)])
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="gave a share of type list"):
        (listed(x) + listed(x)).sum().backward()  # (before: the lists joined, x.grad [2, 2, 2, 2])
    v = Value(1.0)
    with pytest.raises(TypeError, match="gave a share of type list"):
        (listed(v) + listed(v)).backward()


def test_a_share_broadcasting_made_is_summed_back_as_pytorch_sums_it():
    # a rule of an op not marked broadcasts=True, given broadcast inputs: PyTorch sums
    # the share back to the input's shape; ours gave the (3,) leaf a (2, 3) gradient
    both = Op("both", forward=lambda a, b: a * b, rules=[lambda g, out, a, b: g * b, lambda g, out, a, b: g * a],
              formulas=["b", "a"], internal=True)
    a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = Tensor([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]], requires_grad=True)
    both(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [3.0, 3.0, 3.0])
    np.testing.assert_array_equal(b.grad, [[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])


def test_a_share_made_from_a_tensor_the_rule_closed_over_gives_its_numbers():
    scale = Tensor([2.0, 3.0])
    scaled = _op_with_rule(lambda grad, out, x: grad * scale)
    x = Tensor([1.0, 1.0], requires_grad=True)
    scaled(x).sum().backward()
    assert type(x.grad) is np.ndarray  # (before: a Tensor in .grad)
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])


def test_a_float64_share_for_a_float32_input_comes_back_float32():
    wide = _op_with_rule(lambda grad, out, x: np.asarray(grad, np.float64) * 2.0)
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    h = x * 1.0
    (gradient,) = grad(wide(h).sum(), h)
    assert gradient.dtype == np.float32


def test_a_forward_must_compute_real_numbers():
    for name, forward in (("none", lambda x: None), ("complex", lambda x: x + 1j), ("text", lambda x: "x")):
        op = Op(name, forward=forward, rules=[lambda g, out, x: g], formulas=["1"], internal=True)
        with pytest.raises(TypeError, match="it must compute real numbers"):
            op(Tensor([1.0], requires_grad=True))
    listed = Op("listed", forward=lambda x: [2.0 * v for v in x], rules=[lambda g, out, x: 2.0 * g],
                formulas=["2"], internal=True)
    x = Tensor([1.0, 2.0], requires_grad=True)
    listed(x).sum().backward()  # (a list of numbers is numbers: as NumPy reads it)
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_a_scalar_forward_gives_a_value_a_python_float():
    op = Op("single", forward=lambda x: x * 2.0, scalar=lambda x: np.float32(x * 2.0),
            rules=[lambda g, out, x: 2.0 * g], formulas=["2"], internal=True)
    assert type(op(Value(1.5)).data) is float
    bad = Op("many", forward=lambda x: x, scalar=lambda x: [x, x], rules=[lambda g, out, x: g], formulas=["1"],
             internal=True)
    with pytest.raises(TypeError, match="one real number"):
        bad(Value(1.5))


def test_the_built_in_operations_are_not_checked_so_they_pay_nothing():
    from autograd import ops

    assert all(not hasattr(rule, "__wrapped__") for op in ops.OPS for rule in op.rules)
    assert hasattr(_op_with_rule(lambda g, out, x: g).rules[0], "__wrapped__")


def test_a_values_share_from_a_rule_of_numpy_numbers_is_a_python_float():
    op = Op("twice", forward=lambda x: x * 2.0, scalar=lambda x: x * 2.0,
            rules=[lambda g, out, x: np.asarray(g * 2.0)], formulas=["2"], internal=True)
    v = Value(1.0)
    (op(v) + v).backward()
    assert type(v.grad) is float and v.grad == 3.0  # (it was a NumPy float64)
