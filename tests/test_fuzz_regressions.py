"""What the widened fuzzer found (issue 12), each as its smallest reproducer.

While the engine still gets one wrong, its test is a strict xfail whose reason is the
reproducer: the fix makes it pass, and strict turns that into a failure, so the marker is
removed in the same change. The fuzzer holds the same forms back while they fail
(``fuzz_graphs.KNOWN_BUGS``, each checked by a probe), and draws them again by itself
once the probe passes: ``test_every_held_back_form_has_a_failing_probe`` keeps the two
lists in step.

The expected numbers come from NumPy (the engine's own forward is NumPy's) or from the
numbers at forward time, and from PyTorch where the question is PyTorch's semantics.
"""

from __future__ import annotations

import math

import fuzz_graphs as fuzz
import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

# ---- indices


def test_a_boolean_tensor_index_selects_like_a_numpy_mask():
    values, mask = np.array([10.0, 20.0, 30.0]), np.array([True, False, True])
    x = Tensor(values, requires_grad=True)
    picked = x[Tensor(mask)]
    np.testing.assert_array_equal(picked.data, values[mask])
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, mask.astype(float))


def test_an_empty_list_index_selects_nothing():
    x = Tensor(np.arange(3.0), requires_grad=True)
    picked = x[[]]
    assert picked.shape == np.arange(3.0)[[]].shape == (0,)
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))


# ---- dtypes: NumPy scalars are numbers, as in PyTorch


@pytest.mark.parametrize("combine", [lambda t: t * np.float64(2.0), lambda t: np.float64(2.0) * t,
                                     lambda t: t + Tensor([2.0]).sum().data, lambda t: t / np.sqrt(3.0)],
                         ids=["t*np.float64", "np.float64*t", "t+loss.data", "t/np.sqrt(3)"])
def test_float32_stays_float32_with_a_numpy_float64_scalar(combine):
    t = Tensor(np.array([1.5, -2.0], np.float32), requires_grad=True)
    out = combine(t)
    assert out.dtype == np.float32
    out.sum().backward()
    assert t.grad.dtype == np.float32


def test_a_zero_dimensional_float64_array_keeps_float32_as_in_pytorch():
    torch = pytest.importorskip("torch")
    t = np.array([1.5, -2.0], np.float32)
    theirs = torch.from_numpy(t) * torch.from_numpy(np.array(2.0))
    assert (Tensor(t) * np.array(2.0)).dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    assert (Tensor(t) * Tensor(2.0)).dtype == np.float32


def test_a_recorded_backward_pass_keeps_float32():
    # the rule of x ** 3 computes 3 - 1 on nodes, an integer 0-d array, which NumPy lets raise float32
    x = Tensor(np.array([0.5, 1.5], np.float32), requires_grad=True)
    (first,) = autograd.grad((x**3).sum(), [x], create_graph=True)
    assert first.dtype == np.float32
    first.sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, 6 * np.array([0.5, 1.5]), rtol=1e-6)


PROMOTIONS = [((2,), np.float32, (), np.float64), ((), np.float64, (2, 3), np.float32),
              ((2,), np.float64, (), np.float32), ((), np.float32, (), np.float64),
              ((2,), np.float32, (2,), np.float64), ((), np.float64, (1,), np.float32)]


@pytest.mark.parametrize("op", ["*", "+", "/", "**", "maximum"])
@pytest.mark.parametrize("shapes_and_dtypes", PROMOTIONS, ids=lambda p: f"{p[0]}{p[1].__name__}-{p[2]}{p[3].__name__}")
def test_mixed_dtypes_promote_and_differentiate_as_in_pytorch(op, shapes_and_dtypes):
    torch = pytest.importorskip("torch")
    shape_a, dtype_a, shape_b, dtype_b = shapes_and_dtypes
    rng = np.random.default_rng(0)
    a, b = (rng.uniform(0.5, 2.0, shape).astype(dtype) for shape, dtype in ((shape_a, dtype_a), (shape_b, dtype_b)))
    combine = {"*": lambda x, y: x * y, "+": lambda x, y: x + y, "/": lambda x, y: x / y, "**": lambda x, y: x**y}
    ours = [Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)]
    theirs = [torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)]
    out = autograd.maximum(*ours) if op == "maximum" else combine[op](*ours)
    expected = torch.maximum(*theirs) if op == "maximum" else combine[op](*theirs)
    assert out.dtype == np.dtype(str(expected.dtype).removeprefix("torch."))
    out.sum().backward()
    expected.sum().backward()
    for x, y in zip(ours, theirs):
        assert x.grad.dtype == x.dtype
        np.testing.assert_allclose(x.grad, y.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("base", [np.float32(0.7), np.array([0.7], np.float32), Tensor(np.array([0.7], np.float32))],
                         ids=["scalar", "array", "tensor"])
def test_a_float32_base_in_a_float64_power_is_differentiated_in_float64(base):
    x = Tensor([1.0], requires_grad=True)
    (base**x).sum().backward()
    a = float(np.asarray(base.numpy() if isinstance(base, Tensor) else base).ravel()[0])
    assert abs(x.grad[0] - a * math.log(a)) <= 1e-15 * abs(a * math.log(a))


# ---- shapes


@pytest.mark.parametrize("x_shape", [(1, 2, 0), (0,)])
def test_linear_of_an_input_without_features_backpropagates(x_shape):
    x, w = Tensor(np.zeros(x_shape), requires_grad=True), Tensor(np.zeros((3, 0)), requires_grad=True)
    x.linear(w).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(x_shape))
    np.testing.assert_array_equal(w.grad, np.zeros((3, 0)))


# ---- buffers changed between forward and backward: the forward-time gradient, or a clear error


def backward_or_refusal(out):
    """Run backward; True if it refused a change made after the forward pass, clearly."""
    try:
        out.backward()
    except RuntimeError as error:
        assert any(word in str(error).lower() for word in fuzz.REFUSAL_WORDS), str(error)
        return True
    return False


def test_an_ndarray_operand_refilled_before_backward():
    buffer = np.ones(3)
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * buffer).sum()
    buffer.fill(5.0)  # a data loader reusing its batch buffer
    if not backward_or_refusal(y):
        np.testing.assert_array_equal(x.grad, np.ones(3))


def test_an_index_array_refilled_before_backward():
    positions = np.array([0, 0])
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[positions].sum()
    positions.fill(2)
    if not backward_or_refusal(y):
        np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])


def test_a_constant_tensor_changed_in_place_before_backward():
    c = Tensor([1.0, 1.0, 1.0])
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * c).sum()
    c.data[...] = 5.0
    if not backward_or_refusal(y):
        np.testing.assert_array_equal(x.grad, np.ones(3))


def test_a_leaf_changed_in_place_before_backward():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    x.data[...] = 10.0  # as optimizer.step() between a forward pass and its backward would
    if not backward_or_refusal(y):
        np.testing.assert_array_equal(x.grad, [2.0, 4.0, 6.0])


def test_nn_linear_on_an_ndarray_batch_refilled_before_backward():
    layer = nn.Linear(2, 1, rng=0)
    batch = np.ones((1, 2))
    loss = layer(batch).sum()
    batch[...] = 3.0
    if not backward_or_refusal(loss):
        np.testing.assert_array_equal(layer.weight.grad, [[1.0, 1.0]])


# ---- the fuzzer's list of held-back forms


def test_every_held_back_form_has_a_failing_probe():
    """A form is held back only while its probe fails, and every probe names a real form
    of the generator (so fixing the engine brings the form back into the fuzzer)."""
    for form, (probe, why) in fuzz.KNOWN_BUGS.items():
        assert (form in fuzz.HELD_BACK) == (not fuzz._probe(probe)), form
        assert why
    assert fuzz.HELD_BACK <= set(fuzz.KNOWN_BUGS)


def test_the_probes_can_pass():
    """Each probe passes on an engine without the bug: here, on our engine with the
    buggy form replaced by one it gets right (so a probe is not simply always False)."""
    x = Tensor([10.0, 20.0, 30.0])
    assert x[np.array([True, False, True])].data.tolist() == [10.0, 30.0]
    assert (Tensor(np.ones(2, np.float32)) * 2.0).dtype == np.float32
    assert fuzz._gradient_after_change(lambda x: (x * 1.0, lambda: None), [1.0, 1.0, 1.0])
