"""Bad input gets a clear error naming the shapes or types, never a silent wrong number."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value


def test_matmul_with_incompatible_shapes_names_both():
    a, b = Tensor(np.ones((4, 3))), Tensor(np.ones((4, 1)))
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 1\)"):
        a @ b
    with pytest.raises(ValueError, match=r"\(2, 4, 3\).*\(5, 3, 2\)"):
        Tensor(np.ones((2, 4, 3))) @ Tensor(np.ones((5, 3, 2)))
    with pytest.raises(ValueError, match=r"\(\).*\(3,\)"):
        Tensor(2.0) @ Tensor(np.ones(3))


def test_refused_broadcasting_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(3,\)"):
        Tensor(np.ones((3, 2))) * np.ones(3)


def test_backward_without_grad_on_many_elements_says_what_is_expected():
    t = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"one element.*\(2, 3\)"):
        t.backward()


def test_backward_with_wrong_grad_shape_says_expected_shape():
    t = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"\(3, 2\).*expected.*\(2, 3\)"):
        t.backward(np.ones((3, 2)))


def test_one_element_tensor_backward_needs_no_grad():
    w = Tensor([[1.0, 2.0]], requires_grad=True)
    loss = (w * w).sum(axis=1)  # shape (1,), like the notebook's loss
    assert loss.shape == (1,)
    loss.backward()
    np.testing.assert_array_equal(w.grad, [[2.0, 4.0]])


@pytest.mark.parametrize("data", ["three", None, [1, "a"], {"a": 1}, 1 + 2j])
def test_non_numeric_tensor_data_is_a_type_error(data):
    with pytest.raises(TypeError, match="real numbers|Tensor data"):
        Tensor(data)


def test_object_array_names_the_element_types():
    with pytest.raises(TypeError, match="str"):
        Tensor(np.array([1.0, "x"], dtype=object))


@pytest.mark.parametrize("data", ["three", None, [1.0], 1 + 2j, np.ones(2)])
def test_non_numeric_value_data_is_a_type_error(data):
    with pytest.raises(TypeError, match=type(data).__name__):
        Value(data)


def test_ragged_data_is_a_value_error():
    with pytest.raises(ValueError, match="rectangular"):
        Tensor([[1.0, 2.0], [3.0]])


def test_mixing_value_and_tensor_names_both_types():
    v, t = Value(1.0), Tensor([1.0, 2.0])
    for op in (lambda: v + t, lambda: t + v, lambda: v * t, lambda: t @ v, lambda: v ** t):
        with pytest.raises(TypeError, match=r"Value.*Tensor|Tensor.*Value"):
            op()
    with pytest.raises(TypeError, match="Value"):
        Tensor(v)
    with pytest.raises(TypeError, match="Tensor"):
        Value(t)


def test_ndarray_with_value_is_refused_not_turned_into_an_object_array():
    with pytest.raises(TypeError, match="ndarray"):
        np.ones(3) + Value(1.0)


def test_strings_and_none_as_operands():
    for bad in ("2", None, [1, "x"]):
        with pytest.raises(TypeError, match="unsupported operand"):
            Value(1.0) * bad
        with pytest.raises(TypeError, match="unsupported operand"):
            Tensor([1.0]) * bad


def test_value_and_tensor_exponents_are_supported():
    x, n = Value(2.0), Value(3.0)
    y = x**n
    y.backward()
    assert y.data == 8.0
    assert x.grad == pytest.approx(12.0) and n.grad == pytest.approx(8.0 * np.log(2.0))
    t, e = Tensor([2.0, 3.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    (t**e).sum().backward()
    np.testing.assert_allclose(t.grad, [4.0, 6.0])
    np.testing.assert_allclose(e.grad, [4 * np.log(2) + 9 * np.log(3)])


def test_bad_labels_and_dtypes():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)
    with pytest.raises(TypeError, match="float32 or float64"):
        Tensor([1, 2], dtype=np.int64)


def test_item_on_many_elements():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        Tensor([1.0, 2.0]).item()


def test_gradient_check_refuses_what_it_cannot_check():
    from autograd.gradcheck import check_gradients

    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"one number.*shape \(2,\)"):
        check_gradients(lambda w: w * 2, [w])
    with pytest.raises(ValueError, match="does not require grad"):
        check_gradients(lambda x: x.sum(), [Tensor([1.0])])
    with pytest.raises(TypeError, match="Value or a Tensor"):
        check_gradients(lambda x: x, [3.0])
    report = check_gradients(lambda w: (w * w).sum(), [w], hand_written=[np.ones(3)])
    assert not report.passed and "shapes differ" in str(report)


def test_a_values_seed_must_be_one_real_number():
    # float() reads the string "2" as 2.0: backward("2") used to double every gradient
    x = Value(3.0)
    with pytest.raises(TypeError, match="must be a number, not str"):
        (x * x).backward("2")
    with pytest.raises(ValueError, match=r"one number, got shape \(1,\)"):
        (x * x).backward(np.array([2.0]))
    assert x.grad == 0.0
    (x * x).backward(np.float32(2.0))
    assert x.grad == 12.0


def test_a_numpy_bool_is_a_number_for_a_value_as_a_python_bool_is():
    # (PyTorch takes both; we took True and refused np.True_ with "not bool")
    assert (Value(1.5) * np.True_).data == (Value(1.5) * True).data == 1.5
    assert (np.False_ + Value(2.0)).data == 2.0


def test_a_where_condition_that_does_not_broadcast_is_named():
    # it said "cannot broadcast shapes (3, 3) and () together for 'where'": both branches fit
    import autograd
    with pytest.raises(ValueError, match=r"condition of shape \(3, 2\) with the branches of shapes \(3, 3\) and \(\)"):
        autograd.where(np.zeros((3, 2), bool), Tensor(np.zeros((3, 3))), 1.0)
