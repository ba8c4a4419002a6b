"""Arguments a learner brings from PyTorch mean here what they mean there, or are refused.

Each test failed on the engine before its fix: the call ran and gave other numbers than
PyTorch, with no error. Expected numbers are worked by hand; PyTorch, where installed,
is a second oracle."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value

try:
    import torch  # type: ignore[no-redef]
except ImportError:  # pragma: no cover - torch is optional
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")

ROWS = np.array([[1.0, 2.0, 4.0], [3.0, 6.0, 12.0]])  # column-wise: means 2, 4, 8


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_and_std_take_unbiased_second_as_pytorch_does(name):
    # population variance of each column is 1, 4, 16; the corrected (n - 1) one is 2, 8, 32
    population, corrected = np.array([1.0, 4.0, 16.0]), np.array([2.0, 8.0, 32.0])
    if name == "std":
        population, corrected = np.sqrt(population), np.sqrt(corrected)
    x = Tensor(ROWS, requires_grad=True)
    spread = getattr(x, name)
    np.testing.assert_allclose(spread(0, False).data, population)
    np.testing.assert_allclose(spread(0, True).data, corrected)
    np.testing.assert_allclose(spread(0, False, True).data, population[None, :])  # keepdim third
    np.testing.assert_allclose(spread(dim=0, unbiased=False).data, population)
    np.testing.assert_allclose(spread(False).data, getattr(np, name)(ROWS))  # var(unbiased) of all
    spread(0, False).sum().backward()
    centred = ROWS - ROWS.mean(axis=0)
    expected = centred if name == "var" else centred / (2 * population)  # d var/dx = 2(x - m)/n, n = 2
    np.testing.assert_allclose(x.grad, expected)


@pytest.mark.parametrize("call, match", [
    (lambda x: x.var(0, 1), "unbiased"),  # an int is not a flag: PyTorch refuses it too
    (lambda x: x.var(0, False, correction=0), "not both"),
    (lambda x: x.std(unbiased=True, correction=1), "not both"),
])
def test_var_arguments_that_pytorch_refuses_are_refused(call, match):
    with pytest.raises(TypeError, match=match):
        call(Tensor(ROWS))


@needs_torch
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("args, kwargs", [((0, False), {}), ((1, True), {}), ((0, False, True), {}),
                                          ((False,), {}), ((), {"dim": 1, "unbiased": False}),
                                          ((1,), {"correction": 0, "keepdim": True})])
def test_var_and_std_agree_with_pytorch(name, args, kwargs):
    ours = getattr(Tensor(ROWS), name)(*args, **kwargs).data
    theirs = getattr(torch.tensor(ROWS), name)(*args, **kwargs).numpy()
    np.testing.assert_allclose(ours, theirs)


CUBE = np.arange(24.0).reshape(2, 3, 4)
# (index, the same picked out in two steps by hand: the integers first, then the rest)
MIXED_INDICES = [
    ((0, slice(None), [0, 1]), lambda x: x[0][:, [0, 1]]),             # NumPy would give (2, 3)
    ((0, Ellipsis, [1, 2]), lambda x: x[0][..., [1, 2]]),
    ((slice(None), 1, slice(None), None), lambda x: x[:, 1][:, :, None]),  # no array: NumPy's is PyTorch's
    ((0, None, slice(None), [0, 3]), lambda x: x[0][None, :, [0, 3]]),
    ((0, slice(None), [True, False, True, False]), lambda x: x[0][:, [True, False, True, False]]),
    ((-1, slice(1, None), np.array([[0, 1], [2, 3]])), lambda x: x[-1][1:, np.array([[0, 1], [2, 3]])]),
]


@pytest.mark.parametrize("index, by_hand", MIXED_INDICES)
def test_integers_mixed_with_index_arrays_select_first_as_in_pytorch(index, by_hand):
    # PyTorch applies integers before index arrays; NumPy counts an integer as an index array,
    # which moves the picked axis to the front: x[0, :, [0, 1]] came out (2, 3), transposed
    x = Tensor(CUBE, requires_grad=True)
    picked = x[index]
    expected = by_hand(CUBE)
    np.testing.assert_array_equal(picked.data, expected)
    weights = np.arange(expected.size, dtype=float).reshape(expected.shape)
    (picked * weights).sum().backward()
    positions = by_hand(np.arange(CUBE.size).reshape(CUBE.shape))  # which element each output is
    expected_grad = np.zeros(CUBE.size)
    np.add.at(expected_grad, positions.reshape(-1), weights.reshape(-1))
    np.testing.assert_array_equal(x.grad, expected_grad.reshape(CUBE.shape))


@needs_torch
@pytest.mark.parametrize("index, by_hand", MIXED_INDICES)
def test_integers_mixed_with_index_arrays_agree_with_pytorch(index, by_hand):
    theirs = torch.tensor(CUBE)[tuple(torch.tensor(i) if isinstance(i, np.ndarray) else i for i in index)]
    np.testing.assert_array_equal(Tensor(CUBE)[index].data, theirs.numpy())


@pytest.mark.parametrize("call", [
    lambda x: x.sum(dim=()), lambda x: x.sum(()), lambda x: x.mean(dim=[]), lambda x: x.max(axis=()),
    lambda x: x.min(dim=()), lambda x: x.logsumexp(dim=()), lambda x: x.var(dim=()),
    lambda x: x.std(dim=(), correction=0),
])
def test_an_empty_tuple_of_axes_is_refused_since_numpy_and_pytorch_read_it_oppositely(call):
    # x.sum(dim=()) is the sum of every number in PyTorch 2.13, and no sum at all in NumPy
    # (which we followed: the (2, 3) tensor itself came back where PyTorch gives a number)
    with pytest.raises(ValueError, match="axis=None"):
        call(Tensor(ROWS, requires_grad=True))


@pytest.mark.parametrize("call", [
    lambda x: x.reshape(2.9, 3), lambda x: x.reshape((2, 3.0)), lambda x: x.view(True, 6),
    lambda x: x.unsqueeze(True), lambda x: x.unsqueeze(0.5), lambda x: x.flatten(0.7),
    lambda x: x.permute(1.0, 0), lambda x: x.broadcast_to((2.0, 2, 3)), lambda x: x.transpose(0, 1.2),
])
def test_a_shape_or_axis_that_is_not_a_whole_number_is_refused_not_truncated(call):
    # int() truncated them: x.reshape(2.9, 3) gave a (2, 3) tensor, where PyTorch refuses
    with pytest.raises(TypeError, match="whole number"):
        call(Tensor(ROWS))


@pytest.mark.parametrize("call, value, gradient", [
    (lambda z: z.max(0), 1.5, 1.0), (lambda z: z.min((0,)), 1.5, 1.0), (lambda z: z.max(-1, True), 1.5, 1.0),
    (lambda z: z.logsumexp((0,)), 1.5, 1.0), (lambda z: z.logsumexp(-1), 1.5, 1.0),
    (lambda z: z.var(0, correction=0), 0.0, 0.0), (lambda z: z.std(dim=-1, unbiased=False), 0.0, 0.0),
    (lambda z: z.sum(0), 1.5, 1.0), (lambda z: z.mean((-1,)), 1.5, 1.0), (lambda z: z.transpose(0, -1), 1.5, 1.0),
])
def test_a_0d_tensor_takes_axis_0_and_minus_1_in_every_reduction_as_in_pytorch(call, value, gradient):
    # sum and mean did; max, min, logsumexp, var and std raised AxisError or IndexError, some
    # only in the backward pass
    z = Tensor(1.5, requires_grad=True)
    out = call(z)
    assert out.shape == () and out.data == value
    out.backward()
    assert z.grad == gradient


@pytest.mark.parametrize("call", [lambda z: z.max(1), lambda z: z.logsumexp(-2), lambda z: z.var(1, correction=0),
                                  lambda z: z.transpose(0, 1)])
def test_a_0d_tensor_refuses_other_axes(call):
    with pytest.raises(ValueError, match="out of range for a tensor of 0 axes"):  # (AxisError is a ValueError)
        call(Tensor(1.5, requires_grad=True))


def test_number_arguments_refuse_a_node_that_would_silently_get_no_gradient_or_several_numbers():
    # float(bound) dropped a bound that requires grad out of the graph: PyTorch gives it a
    # gradient, ours left its .grad None; an array bound failed with NumPy's cryptic message
    x = Tensor([0.5, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match="requires grad.*maximum"):
        x.clip(Tensor(1.0, requires_grad=True), None)
    with pytest.raises(TypeError, match="one number.*maximum"):
        x.clip(np.zeros(2), None)
    for call in (lambda: x.leaky_relu(Tensor(0.1, requires_grad=True)), lambda: x.softplus(Value(2.0)),
                 lambda: x.softplus(1.0, Tensor(20.0, requires_grad=True))):
        with pytest.raises(TypeError, match="constant"):
            call()
    np.testing.assert_array_equal(x.clip(Tensor(1.0), np.float32(1.5)).data, [1.0, 1.5])  # 0-d constants are numbers


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_an_empty_tensor_is_empty_as_in_pytorch(name):
    for dim in (0, 1):
        x = Tensor(np.zeros((2, 0)), requires_grad=True)
        out = getattr(x, name)(dim)
        assert out.shape == (2, 0)
        out.sum().backward()
        assert x.grad.shape == (2, 0)


def test_broadcast_to_keeps_an_axis_given_as_minus_1_as_in_pytorch():
    x = Tensor(np.arange(3.0).reshape(3, 1), requires_grad=True)
    out = x.broadcast_to((2, -1, 4))
    assert out.shape == (2, 3, 4)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((3, 1), 8.0))
    with pytest.raises(ValueError, match="-1"):
        x.broadcast_to((-1, 3, 1))  # a new leading axis has no size to keep


@pytest.mark.parametrize("index", [[[0, 1]], [[0, 1], [1, 2]], [0, [1, 2]], [np.array([0, 1])], [slice(0, 2)],
                                   [Tensor([0.0, 1.0])]])
def test_a_list_holding_sequences_as_the_whole_index_is_refused_as_ambiguous(index):
    # PyTorch 2.13 reads x[[[0, 1], [1, 2]]] as x[[0, 1], [1, 2]] (two numbers), NumPy (and
    # PyTorch's announced change) as one index array ((2, 2, 4)): we gave NumPy's, silently
    x = Tensor(np.arange(12.0).reshape(3, 4))
    with pytest.raises(IndexError, match="tuple"):
        x[index]


def test_lists_inside_a_tuple_index_and_flat_lists_still_index():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    assert x[[[0, 1]], :].shape == (1, 2, 4)  # inside a tuple: an index array, in NumPy and PyTorch
    assert x[[0, 2]].shape == (2, 4) and x[[True, False, True]].shape == (2, 4)
    assert x[tuple([[0, 1], [1, 2]])].data.tolist() == [1.0, 6.0]  # what the refusal suggests
