"""Minimal reproducers of what the differential fuzzer (tests/fuzz_graphs.py) found,
kept as ordinary tests. Each states the convention PyTorch follows, with the numbers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from autograd import Op, Tensor, Value, enable_grad, grad, is_grad_enabled

# NumPy's warnings for 0 ** -1 and log(0) are expected here.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def test_relu_passes_the_gradient_where_its_output_is_nan():
    # PyTorch's relu backward zeroes the gradient only where the output is <= 0.
    for x in (Value(float("nan")), Tensor([np.nan, -1.0, 2.0], requires_grad=True)):
        out = x.relu()
        (out * 3.0).backward() if isinstance(x, Value) else (out * 3.0).sum().backward()
        expected = 3.0 if isinstance(x, Value) else [3.0, 0.0, 3.0]
        np.testing.assert_array_equal(x.grad, expected)


def test_pow_with_a_zero_exponent_has_zero_base_gradient_even_at_zero():
    # 0 ** 0 = 1 is constant in the base: PyTorch gives 0, not 0 * 0 ** -1 = nan.
    a, b = Value(0.0), Value(0.0)
    (a**b).backward()
    assert a.grad == 0.0
    t = Tensor([0.0, 2.0], requires_grad=True)
    (t ** np.array([0.0, 0.0])).sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0])


def test_pow_at_a_zero_base_has_zero_exponent_gradient():
    # d(a**b)/db = a**b ln a; at a = 0, b >= 0 PyTorch takes it as 0 (not 0 * -inf).
    a, b = Value(0.0), Value(1.5)
    (a**b).backward()
    assert b.grad == 0.0


def test_pow_exponent_gradient_times_an_infinite_upstream_is_nan():
    # PyTorch masks the local derivative, then multiplies by the upstream gradient:
    # inf * 0 = nan. Graph found by the fuzzer: log(0 ** b).
    a, b = Value(0.0), Value(1.0104241744008577)
    (a**b).log().backward()
    assert np.isnan(b.grad)


def test_ndarray_minus_tensor_is_a_tensor_not_an_object_array():
    # Found while profiling: NumPy broadcast the Tensor as an object.
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = np.array([10.0, 10.0]) - t
    assert isinstance(out, Tensor)
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, [-1.0, -1.0])


def test_the_same_conventions_as_pytorch():
    torch = pytest.importorskip("torch")
    cases = [
        (lambda x: x.relu(), [np.nan, -1.0, 0.0, 2.0]),
        (lambda x: x ** 0.0, [0.0, 1.0, -2.0]),
        (lambda x: (x * 0.0) ** x, [0.0, 1.5, 2.0]),
        (lambda x: ((x * 0.0) ** x).log(), [1.0104241744008577, 2.0]),
    ]
    for function, values in cases:
        ours = Tensor(values, requires_grad=True)
        theirs = torch.tensor(values, dtype=torch.float64, requires_grad=True)
        function(ours).sum().backward()
        function(theirs).sum().backward()
        np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


# ---- a backward pass run by a rule, inside another pass (modes._pass_lock is reentrant)


def _op_whose_rule_runs(inner: Callable[[], object]) -> Op:
    """The identity, whose rule first calls ``inner()``."""
    def rule(grad, out, x):
        inner()
        return grad
    return Op("identity_running_a_pass", forward=lambda x: x, scalar=lambda x: x, rules=[rule],
              formulas=["d(x)/dx = 1"], internal=True)


@pytest.mark.parametrize("kind", ["Value", "Tensor"])
def test_a_pass_a_rule_runs_through_the_running_pass_s_nodes_is_refused_not_mixed_in(kind):
    # The fused loop sums each node's gradient in its .grad slot; the inner pass reset and
    # summed into the same slots, and the outer pass went on from the mixture: a.grad 76.0
    # and b.grad 50.0 where the two passes give 43.0 and 28.0, silently (tricks on only).
    make = Value if kind == "Value" else (lambda v: Tensor([v], requires_grad=True))
    a, b = make(2.0), make(3.0)
    m = a * b
    inner = m * m if kind == "Value" else (m * m).sum()
    outer = _op_whose_rule_runs(inner.backward)(m + a) + m
    with pytest.raises(RuntimeError, match="inside a rule of another backward pass"):
        (outer if kind == "Value" else outer.sum()).backward()
    for leaf in (a, b):  # neither pass added anything
        assert leaf.grad is None if kind == "Tensor" else leaf.grad == 0.0
    outer_again = _op_whose_rule_runs(lambda: None)(m + a) + m  # and the engine is not left in a pass
    (outer_again if kind == "Value" else outer_again.sum()).backward()
    assert float(np.sum(a.grad)) == 7.0 and float(np.sum(b.grad)) == 4.0


def test_a_rule_may_run_a_backward_pass_over_a_graph_of_its_own():
    # (rules run with recording off, as in PyTorch: a graph of the rule's own needs enable_grad)
    p, q = Value(2.0), Value(5.0)

    def inner():
        with enable_grad():
            (p * q).backward()
    a = Value(3.0)
    (_op_whose_rule_runs(inner)(a * a) * 2.0).backward()
    assert (a.grad, p.grad, q.grad) == (12.0, 5.0, 2.0)


def test_rules_run_with_recording_off_with_either_engine():
    # The plain pass switched recording off while rules ran, the fused loop did not: a node
    # a rule built was recorded with the tricks on (and a backward() through it ran) only.
    seen = []
    op = _op_whose_rule_runs(lambda: seen.append(is_grad_enabled()))
    for x in (Value(1.0), Tensor([1.0], requires_grad=True)):
        y = op(x * 2.0)
        (y if isinstance(y, Value) else y.sum()).backward()
    assert seen == [False, False] and is_grad_enabled()


# ---- found by a sweep of the leaves' end of the pass (2026-12-07)


@pytest.mark.parametrize("op", ["exp", "T", "sum", "two inputs"])
def test_a_leaf_switched_off_after_the_forward_pass_gets_no_gradient(op):
    # Freezing a weight between the forward and the backward pass: the plain pass skips it
    # (as PyTorch does); the fused loop's one-input step did not look, and gave it one.
    x = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    w = Tensor(np.array([[3.0, 4.0]]), requires_grad=True)
    y = {"exp": lambda: x.exp(), "T": lambda: x.T, "sum": lambda: x.sum(), "two inputs": lambda: x * w}[op]()
    x.requires_grad_(False)
    y.sum().backward()
    assert x.grad is None
    v = Value(2.0)
    u = v.exp()
    v.requires_grad = False
    u.backward()
    assert v.grad == 0.0


def test_a_leaf_gradient_of_another_shape_is_refused_not_broadcast_into():
    # x.data given a new shape between two passes (no zero_grad): the old (3,) gradient was
    # added to each row of the new (2, 3) one, silently; PyTorch refuses the mismatch.
    x = Tensor(np.ones(3), requires_grad=True)
    (x * 2).sum().backward()
    x.data = np.ones((2, 3))
    with pytest.raises(ValueError, match=r"\.grad has shape \(3,\).*shape \(2, 3\)"):
        (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])  # as it was
    y = Tensor(np.ones(3), requires_grad=True)
    y.grad = np.array([5.0])  # assigned by hand, of another shape
    with pytest.raises(ValueError, match="shape"):
        (y * 2).sum().backward()


@pytest.mark.parametrize("make, expected", [
    (lambda x: x.sum().maximum((x * 3.0).sum()), [3.0, 3.0, 3.0]),  # (PyTorch's numbers)
    (lambda x: (x * 2.0).sum().maximum(100.0), [0.0, 0.0, 0.0]),
    (lambda x: (x * 2.0).sum().minimum(100.0), [2.0, 2.0, 2.0]),
    (lambda x: (-x.sum()).relu(), [0.0, 0.0, 0.0]),
    (lambda x: x.sum().clip(0.0, 1.0), [0.0, 0.0, 0.0]),
])
def test_a_rule_that_masks_a_reductions_number_keeps_it_a_numpy_number(make, expected):
    # A full reduction gives np.float64, a subclass of float: the masking rules took it for
    # a Value's Python float and answered 0.0, and sum's rule then failed to expand it
    # ('float' object has no attribute 'broadcast_to').
    for dtype in (np.float64, np.float32):
        x = Tensor(np.array([1.0, 2.0, 3.0], dtype=dtype), requires_grad=True)
        make(x).backward()
        np.testing.assert_array_equal(x.grad, expected)
        assert x.grad.dtype == dtype


@pytest.mark.parametrize("spelling", ["function", "method", "bool Tensor"])
def test_where_s_condition_is_the_one_at_forward_time(spelling):
    # The condition array was kept by reference: changed after the forward pass, it sent
    # the gradient where the new condition pointed, silently (x.grad [1, 1] for [1, 0]).
    import autograd

    condition = np.array([True, False])
    given = Tensor(condition) if spelling == "bool Tensor" else condition
    x = Tensor([1.0, 2.0], requires_grad=True)
    z = (x.where(given, 0.0) if spelling == "method" else autograd.where(given, x, 0.0)).sum()
    if spelling == "bool Tensor":
        given.data[1] = True
    else:
        condition[1] = True
    z.backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0])


@pytest.mark.parametrize("op", ["sigmoid", "exp", "tanh", "times two"])
def test_an_operations_result_changed_before_the_next_one_uses_it_is_refused(op):
    # sigmoid's and exp's rules compute from their result: written into before any other
    # operation recorded it, it gave x.grad [0.09, 0.197] for [0.25, 0.197], silently.
    # (PyTorch refuses where the rule needs the result; here every result is held to it.)
    x = Tensor([0.0, 1.0], requires_grad=True)
    y = {"sigmoid": x.sigmoid, "exp": x.exp, "tanh": x.tanh, "times two": lambda: x * 2.0}[op]()
    y.data[0] = 0.9
    with pytest.raises(RuntimeError, match="changed after the forward pass"):
        y.sum().backward()
    assert x.grad is None


def test_a_list_operand_keeps_a_float32_tensor_float32_unless_a_number_does_not_fit():
    # (a helper's comparison with torch.nn, 2026-12-07: nn.mse_loss(float32, [0., 0.]) was float64;
    # an array target, a Python number and PyTorch's torch.tensor([...]) keep float32)
    import nn

    p = Tensor(np.float32([1.0, 2.0]))
    for target in ([0.0, 0.5], [0, 1], (0.0, 0.5)):
        assert (p + target).dtype == np.float32
        assert nn.mse_loss(p, target).dtype == np.float32
    np.testing.assert_array_equal((p * [0.1, 3.0]).data, np.float32([1.0, 2.0]) * np.float32([0.1, 3.0]))
    too_large = p + [1e300, 0.0]  # float32 would make it inf
    assert too_large.dtype == np.float64 and too_large.data[0] == 1e300


@pytest.mark.parametrize("make", [abs, lambda x: x.max(), lambda x: x.min(axis=0), lambda x: x.leaky_relu(0.1),
                                  lambda x: x.max(dim=1, keepdim=True)])
def test_a_rules_mask_keeps_a_float32_gradient_float32(make):
    # a bool mask times 1.0, or ties counted with an integer sum, is float64 in NumPy: grad()
    # of a float32 input came back float64 (backward() cast it back into .grad, hiding it)
    x = Tensor(np.array([[1.0, -2.0, 3.0], [3.0, 0.5, -1.0]], np.float32), requires_grad=True)
    y = make(x)
    (g,) = grad([y], [x], grad_outputs=[np.ones(y.shape, np.float32)])
    assert g.dtype == np.float32
    (g,) = grad([y], [x], grad_outputs=[np.ones(y.shape, np.float32)], create_graph=True)
    assert g.dtype == np.float32


def test_float32_stays_float32_with_an_empty_logsumexp_and_a_float16_operand():
    # PyTorch: logsumexp of no float32 numbers is float32 -inf; float32 * float16 is float32
    assert Tensor(np.zeros(0, np.float32)).logsumexp().dtype == np.float32
    assert (Tensor(np.ones(2, np.float32)) * np.ones(2, np.float16)).dtype == np.float32
    assert (Tensor(np.ones(2)) * np.ones(2, np.float16)).dtype == np.float64


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_row_with_plus_infinity_is_all_nan_as_in_pytorch(name):
    # inf / inf is nan, and with it the whole row: ours gave [nan, 0] (softmax) and [nan, -inf]
    rows = Tensor([[np.inf, 0.0], [-np.inf, 0.0], [1.0, 2.0]])
    out = getattr(rows, name)(1).data
    assert np.isnan(out[0]).all()
    expected = np.array([[0.0, 1.0], [np.exp(-1) / (1 + np.exp(-1)), 1 / (1 + np.exp(-1))]])
    np.testing.assert_allclose(out[1:], expected if name == "softmax" else np.log(expected))


@pytest.mark.parametrize("other", [np.float64(0.1), Tensor(0.1), [0.1, 0.2], 0.1, np.array(0.1)])
def test_a_float32_tensor_is_compared_in_float32_as_arithmetic_would_promote(other):
    # comparisons ran on the raw arrays, in float64 against a NumPy float64 scalar, a 0-d
    # tensor or a list: float32(0.1) == 0.1 came out False where PyTorch says True, and
    # where(x > np.float64(0.1), ...) routed the gradient by the wrong mask
    t = Tensor(np.float32([0.1, 0.2]))
    expected_equal = [True, True] if isinstance(other, list) else [True, False]
    np.testing.assert_array_equal(t == other, expected_equal)
    np.testing.assert_array_equal(t != other, np.logical_not(expected_equal))
    np.testing.assert_array_equal(t > other, [False, not isinstance(other, list)])
    np.testing.assert_array_equal(t <= other, [True, isinstance(other, list)])


def test_comparing_with_a_float64_array_compares_in_float64_as_pytorch_does():
    t = Tensor(np.float32([0.1, 0.2]))
    np.testing.assert_array_equal(t == np.array([0.1, 0.2]), [False, False])  # float32(0.1) != 0.1 in float64
    assert not np.any(t == None)  # noqa: E711  (other objects: compared as NumPy compares them)


@pytest.mark.parametrize("create_graph", [False, True])
def test_a_tensor_seed_takes_the_outputs_dtype_and_a_plain_pass_gives_arrays(create_graph):
    # a Tensor given as grad_outputs was used as it was: float64 gradients for a float32
    # input, and Tensors from a pass that records nothing
    x = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    (g,) = grad([x * x], [x], grad_outputs=[Tensor([1.0, 1.0])], create_graph=create_graph)
    assert np.result_type(g.data if isinstance(g, Tensor) else g) == np.float32
    assert isinstance(g, Tensor) == create_graph
    np.testing.assert_array_equal(g.data if isinstance(g, Tensor) else g, [2.0, 4.0])
    y = Tensor(np.float32([3.0]), requires_grad=True)
    (y * y).sum().backward(Tensor(1.0), create_graph=create_graph)
    assert np.result_type(y.grad.data if isinstance(y.grad, Tensor) else y.grad) == np.float32


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_cat_and_stack_take_other_pieces_as_arithmetic_does_so_float32_stays(join):
    # a list or an integer array among the pieces became a float64 tensor first, so
    # cat([t32, [3.0]]) was float64, where t32 * [3.0] (and PyTorch's cat) is float32
    import autograd

    t = Tensor(np.float32([1.0, 2.0]))
    for piece in ([3.0, 4.0], np.array([3, 4])):
        assert getattr(autograd, join)([t, piece]).dtype == np.float32
    assert getattr(autograd, join)([t, np.array([3.0, 4.0])]).dtype == np.float64  # float64 data: promoted


def test_jacobian_hessian_and_hvp_of_float32_inputs_are_float32_as_in_pytorch():
    from autograd.functional import hessian, hvp, jacobian

    x = Tensor(np.float32([1.0, 2.0]), requires_grad=True)
    assert jacobian(lambda t: t * t, x).dtype == np.float32
    assert hessian(lambda t: (t**3).sum(), x).dtype == np.float32
    assert hvp(lambda t: (t**3).sum(), x, np.array([1.0, 1.0]))[1].dtype == np.float32
    np.testing.assert_array_equal(hvp(lambda t: (t**3).sum(), x, np.array([1.0, 1.0]))[1], [6.0, 12.0])
    assert jacobian(lambda t: t * t, Tensor([1.0, 2.0], requires_grad=True)).dtype == np.float64
