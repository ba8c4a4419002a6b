"""The exact type of what a user hands in: bool masks, byte order, and arrays given
through the ``data`` setter. Each case here once gave a silently wrong number (found by a
sweep against PyTorch over input layouts and dtypes, 2026-12-08)."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, no_grad

MASK = np.array([True, False, True])
AS_NUMBERS = MASK.astype(np.float64)


@pytest.mark.parametrize("method", ["exp", "log", "tanh", "sin", "cos", "sqrt", "sigmoid", "relu", "abs",
                                    "softplus", "gelu", "var", "std", "mean", "softmax", "log_softmax",
                                    "logsumexp", "__neg__"])
def test_float_math_on_a_mask_reads_it_as_zeros_and_ones(method):
    given = (0,) if "softmax" in method else ()
    # NumPy computes exp of a bool array in float16 (tanh(True) = 0.76171875), var and std
    # were cast back to bool (True), relu and abs stayed bool, neg and sigmoid raised NumPy's
    # "boolean negative" error. PyTorch promotes a bool tensor to its float dtype; ours is float64.
    with np.errstate(divide="ignore"):
        got = getattr(Tensor(MASK), method)(*given)
        expected = getattr(Tensor(AS_NUMBERS), method)(*given)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got.data, expected.data)


def test_a_matrix_product_of_masks_counts_not_ors():
    m = Tensor(np.array([[True, True]]))
    assert (m @ m.T).data.tolist() == [[2.0]]  # NumPy's logical dot said True
    assert (m - m).data.tolist() == [[0.0, 0.0]]  # NumPy refuses bool - bool


def test_logical_operations_and_selection_keep_a_mask():
    m = Tensor(MASK)
    assert (m + m).dtype == np.bool_ and (m * m).dtype == np.bool_  # as in NumPy and PyTorch
    assert m[1:].dtype == np.bool_ and m.reshape(3, 1).dtype == np.bool_
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * m).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 1.0]


def test_a_float32_tensor_times_a_mask_stays_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = x * Tensor(MASK)
    assert y.dtype == np.float32


@pytest.mark.parametrize("code", [">f4", ">f8", ">f2", "<f4"])
def test_byte_order_does_not_change_the_dtype(code):
    numbers = np.array([1.5, -2.0, 3.25], dtype=code)
    native = numbers.astype(numbers.dtype.newbyteorder("="))
    expected = np.float32 if native.dtype.itemsize <= 4 else np.float64  # (float16 is held as float32)
    t = Tensor(numbers, requires_grad=True)
    assert t.dtype == expected and t.dtype.isnative
    assert (Tensor(np.ones(3, np.float32)) * numbers).dtype == (np.float64 if code == ">f8" else np.float32)
    (t * t).sum().backward()
    np.testing.assert_array_equal(t.grad, 2 * native.astype(expected))


def test_setting_data_to_a_mask_on_a_tensor_that_requires_grad_is_refused():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        t.data = MASK  # the gradient came back bool: [True, True, True] for 3 * t
    assert t.data.dtype == np.float64
    u = Tensor([1.0, 2.0, 3.0])
    u.data = MASK  # a tensor that needs no gradient may hold a mask, as Tensor(mask) does
    assert u.dtype == np.bool_


def test_setting_data_copies_the_callers_array():
    numbers = np.array([1.0, 2.0, 3.0])
    t = Tensor(np.zeros(3), requires_grad=True)
    t.data = numbers
    y = (t * t).sum()
    numbers[0] = 100.0  # refilling the caller's buffer after the forward pass
    y.backward()
    assert t.grad.tolist() == [2.0, 4.0, 6.0]  # was [200, 4, 6]: the setter kept the caller's array
    assert t.data[0] == 1.0


def test_setting_data_to_a_read_only_or_broadcast_array_can_be_updated_after():
    read_only = np.ones(3)
    read_only.flags.writeable = False
    for numbers in (np.broadcast_to(np.ones(1), (3,)), read_only):
        t = Tensor(np.zeros(3), requires_grad=True)
        t.data = numbers
        with no_grad():
            t -= 0.5 * np.ones(3)  # NumPy's "assignment destination is read-only" before
        assert t.data.tolist() == [0.5, 0.5, 0.5]


@pytest.mark.parametrize("dtype, held", [(np.float16, np.float32), (np.longdouble, np.float64)])
def test_setting_data_takes_the_dtypes_a_tensor_holds(dtype, held):
    t = Tensor(np.zeros(2))
    t.data = np.ones(2, dtype)
    assert t.dtype == held  # as Tensor(np.ones(2, dtype)) holds it


def test_a_list_too_large_for_float32_gives_float64_without_a_warning(recwarn):
    y = Tensor(np.float32([1.0])) + [1e300]  # NumPy's "overflow encountered in cast" leaked out
    assert y.dtype == np.float64 and y.data[0] == 1e300
    assert not [w for w in recwarn if "overflow" in str(w.message)]


def test_matmul_assignment_makes_a_new_tensor_as_in_pytorch():
    # PyTorch has no in-place @=: `t @= m` is `t = t @ m`, and the old tensor and its views
    # keep their numbers. Ours wrote into t's memory, so a detach() of a leaf changed the leaf
    x = Tensor([1.0, 2.0], requires_grad=True)
    v = x.detach()
    v @= np.array([[0.0, 1.0], [1.0, 0.0]])
    assert v.data.tolist() == [2.0, 1.0] and x.data.tolist() == [1.0, 2.0]
    (x * x).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    w = Tensor(np.eye(2), requires_grad=True)
    w @= np.array([[2.0, 0.0], [0.0, 2.0]])  # recorded: a new node (it was refused as a leaf changed in place)
    assert w.op is not None


def test_where_takes_an_empty_list_as_an_empty_condition():
    # NumPy makes [] float64, and where refused it: "the condition must be booleans" (the fuzzer drew it)
    import autograd

    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    for condition in ([], [[], []]):
        y = autograd.where(condition, x, 1.0)
        assert y.shape == (2, 0)
        y.sum().backward()
        assert x.grad.shape == (2, 0)


def test_tensors_unpickled_in_a_fresh_process_follow_pytorchs_promotion_and_read_masks_as_numbers():
    # a process whose only float32 tensors and masks came from pickle.loads (a worker, a cache)
    # skipped the checks: float32 * Tensor(2.0) was float64, mask.exp() float16, mask.var() True
    import pickle
    import subprocess
    import sys

    blob = pickle.dumps((Tensor(np.array([1.5, 0.1], np.float32), requires_grad=True),
                         Tensor(np.array([True, False]))))
    child = ("import pickle, sys\n"
             "from autograd import Tensor\n"
             "t, mask = pickle.loads(sys.stdin.buffer.read())\n"
             "print((t * Tensor(2.0)).dtype, mask.exp().dtype, float(mask.var().item()))\n")
    out = subprocess.run([sys.executable, "-c", child], input=blob, capture_output=True, check=True)
    assert out.stdout.decode().split() == ["float32", "float64", "0.5"]


def test_a_view_of_other_numbers_in_another_dtype_given_as_data_is_noted_as_tensor_makes_it():
    # t.data = other.data.view(np.float32) skipped the note float32 and masks switch on: in a
    # fresh process float32 * a 0-d float64 was float64, and a mask's exp() float16
    import subprocess
    import sys

    child = ("import numpy as np\n"
             "from autograd import Tensor\n"
             "src = Tensor([1.0, 2.0])\n"
             "a = Tensor([5.0]); a.data = src.data.view(np.float32)\n"
             "b = Tensor([5.0]); b.data = src.data.view(np.uint8).view(bool)[4:8]\n"
             "print((a * np.array(0.1)).dtype, b.exp().dtype)\n"
             "try:\n"
             "    Tensor([5.0]).data = src.data.view(np.float16)\n"
             "except TypeError as error:\n"
             "    print('refused', 'float16' in str(error))\n")
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["float32", "float64", "refused", "True"], out.stdout


def test_sigmoid_at_the_extremes_is_exact_whatever_the_users_numpy_error_settings():
    # after np.seterr(under="raise"), sigmoid(800) raised "underflow encountered in exp"
    # inside sigmoid's own e^-x (PyTorch: 1.0); overflow was already silenced
    x = Tensor([800.0, -800.0, 1000.0, -1000.0], requires_grad=True)
    with np.errstate(all="raise"):
        s = x.sigmoid()
        s.sum().backward()
    assert s.data.tolist() == [1.0, 0.0, 1.0, 0.0] and x.grad.tolist() == [0.0, 0.0, 0.0, 0.0]
