"""Bad input gets a clear error naming the shapes or types, never a silent wrong number."""

from __future__ import annotations

import re

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


# ---- a bad-input audit across the public API (2026-12-08): each case gave a wrong number,
# or left state that changed or broke later steps, with no error

def test_cat_and_stack_take_a_generator_whole_and_refuse_a_bare_tensor():
    import autograd
    v = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    stacked = autograd.stack(t for t in [v, v * 2])  # the generator's first tensor was dropped: shape (1, 3)
    assert stacked.shape == (2, 3)
    stacked.sum().backward()
    assert v.grad.tolist() == [3.0, 3.0, 3.0]
    assert autograd.cat(iter([v, v])).shape == (6,)
    with pytest.raises(TypeError, match="list or tuple of tensors"):
        autograd.cat(Tensor(np.ones((2, 3))))  # it joined the rows into a (6,) tensor
    with pytest.raises(ValueError, match="stack needs at least one tensor"):
        autograd.stack([])
    with pytest.raises(TypeError, match="cat.*dim"):
        autograd.cat([v, v], 1.0)  # it said "softmax/log_softmax need one integer dim"


@pytest.mark.parametrize("make", ["SGD momentum", "Adam", "AdamW"])
def test_a_step_refused_for_its_gradients_changes_no_state(make):
    import nn
    w = nn.Parameter([1.0, 2.0])
    optimizer = {"SGD momentum": lambda: nn.SGD([w], lr=0.1, momentum=0.9), "Adam": lambda: nn.Adam([w], lr=0.1),
                 "AdamW": lambda: nn.AdamW([w], lr=0.1)}[make]()
    for bad in (np.array(["a", "b"]), np.array([1 + 1j, 2.0]), np.array([object(), object()])):
        w.grad = bad
        with pytest.raises(TypeError, match="real numbers"):
            optimizer.step()
        assert w.data.tolist() == [1.0, 2.0] and optimizer.state[0] == {}  # (Adam's step had gone up)
    w.grad = np.array([1.0, 1.0])
    optimizer.step()  # as a fresh optimizer's first step (SGD could never step again: a str buffer)
    fresh = nn.Parameter([1.0, 2.0])
    fresh.grad = np.array([1.0, 1.0])
    type(optimizer)([fresh], **{k: v for k, v in optimizer.state_dict()["param_groups"][0].items()
                                if k != "params"}).step()
    assert w.data.tolist() == fresh.data.tolist()


@pytest.mark.parametrize("change, match", [
    (lambda s: s.update(exp_avg="abc"), "exp_avg must be a float array"),
    (lambda s: s.update(exp_avg=[0.1, 0.2]), "exp_avg must be a float array"),
    (lambda s: s.update(exp_avg=np.array([1j, 0.0])), "exp_avg must be a float array"),
    (lambda s: s.update(step="x"), "step must be a whole number"),
    (lambda s: s.update(step=2.5), "step must be a whole number"),
    (lambda s: s.update(step=-3), "step must be a whole number"),
    (lambda s: s.pop("exp_avg"), "exp_avg"),
    (lambda s: s.update(extra=np.zeros(2)), "extra"),
    (lambda s: s.update(exp_avg_sq=-np.ones(2)), "exp_avg_sq"),
])
def test_an_adam_state_that_would_break_or_change_later_steps_is_refused_at_load(change, match):
    import nn
    w = nn.Parameter([1.0, 2.0])
    adam = nn.Adam([w], lr=0.1)
    w.grad = np.array([0.5, -0.5])
    adam.step()
    saved = adam.state_dict()
    change(saved["state"][0])
    other = nn.Adam([nn.Parameter([1.0, 2.0])], lr=0.1)
    with pytest.raises(ValueError, match=match):
        other.load_state_dict(saved)
    assert other.state == [{}]  # nothing loaded


def test_a_momentum_buffer_of_strings_is_refused_at_load():
    import nn
    w = nn.Parameter([1.0, 2.0])
    sgd = nn.SGD([w], lr=0.1, momentum=0.9)
    saved = sgd.state_dict()
    saved["state"][0] = {"momentum_buffer": np.array(["a", "b"])}
    with pytest.raises(ValueError, match="momentum_buffer must be a float array"):
        sgd.load_state_dict(saved)


def test_the_recorder_checks_a_step_and_a_loss_before_keeping_either():
    from autograd import Recorder
    w = Value(1.0, label="w")
    loss = (w * 3.0 - 6.0) ** 2
    loss.backward()
    recorder = Recorder(every=1)
    for step, given in (("3", None), (float("nan"), None), (1.5, None), (True, None), (0, "0.5")):
        with pytest.raises(TypeError):
            recorder.record(step, loss, loss=given)  # '3' was kept, then a format error; 1.5 became 1
    assert recorder.runs == {}
    assert recorder.record(0, loss) and recorder.runs["run"]["steps"] == [0]


@pytest.mark.parametrize("call", [lambda x: x.sum(0, keepdims="False"), lambda x: x.mean(0, keepdim=1),
                                  lambda x: x.max(0, keepdims="no")])
def test_keepdims_must_be_a_bool(call):
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="keepdims? must be True or False"):
        call(x)  # keepdims="False" kept the axis: shape (1, 3)  (the message names keepdims or keepdim)


def test_requires_grad_and_train_flags_must_be_bools():
    import autograd
    import nn
    model = nn.Linear(2, 1, rng=0)
    for call in (lambda: model.requires_grad_("no"), lambda: model.train("no"),
                 lambda: Tensor([1.0], requires_grad="yes"), lambda: autograd.tensor(1.0, 2)):
        with pytest.raises(TypeError, match="True or False"):
            call()  # requires_grad_('no') left the model trainable; tensor(1.0, 2) required grad
    assert model.weight.requires_grad and model.training


def test_a_gradient_set_by_hand_in_another_dtype_leaves_the_optimizers_state_in_the_parameters():
    # a float64 .grad on a float32 parameter made the momentum and Adam's averages float64
    # for the rest of training (found by a sweep against PyTorch, which refuses the assignment)
    import nn
    for make in (lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9), lambda ps: nn.Adam(ps, lr=0.1)):
        w = nn.Parameter(np.array([1.0, 2.0], np.float32))
        optimizer = make([w])
        for given in (np.array([0.1, 0.2]), np.array([1, 2])):
            w.grad = given
            optimizer.step()
        assert {value.dtype for value in optimizer.state[0].values() if isinstance(value, np.ndarray)} == {
            np.dtype(np.float32)}
        assert w.data.dtype == np.float32


def test_the_gradient_checks_settings_must_be_finite_positive_numbers():
    from autograd.gradcheck import check_gradients, gradcheck, numerical_gradients
    x = Tensor([0.5, 1.5], requires_grad=True)
    f = lambda x: (x * x).sum()  # noqa: E731
    for call in (lambda: numerical_gradients(f, [x], eps=0), lambda: numerical_gradients(f, [x], eps=float("nan")),
                 lambda: check_gradients(f, [x], eps=float("inf")), lambda: gradcheck(f, [x], eps="1e-6"),
                 lambda: check_gradients(f, [x], atol=-1), lambda: check_gradients(f, [x], rtol=float("nan"))):
        with pytest.raises(ValueError, match="must be a finite number"):
            call()  # eps=0 divided by zero; nan gave nan gradients; atol=-1 failed every check
    assert check_gradients(f, x).passed  # one tensor alone, as PyTorch's gradcheck takes it (its rows were inputs)


@pytest.mark.parametrize("call", [lambda x: x.leaky_relu("0.1"), lambda x: x.clip("1"), lambda x: x.leaky_relu(None),
                                  lambda x: x.softplus("1")])
def test_a_number_argument_given_as_a_string_or_none_is_named(call):
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match="must be a number"):
        call(x)  # AttributeError: 'str' object has no attribute '_data'


def test_the_picture_tools_and_the_scalar_mlp_name_a_bad_argument():
    import nn
    from autograd import backward_walkthrough, draw_graph, render_graph
    y = Value(2.0, label="x") * 3.0
    y.backward()
    cases = [(lambda: backward_walkthrough(3), TypeError, "needs a Value or Tensor"),  # AttributeError before
             (lambda: render_graph("digraph{}", "y.svg"), TypeError, "picture from draw_graph"),
             (lambda: render_graph(draw_graph(y), "y.svg", timeout=-1), ValueError, "timeout"),
             (lambda: draw_graph(y, max_nodes=None), ValueError, "max_nodes"),
             (lambda: draw_graph(y, title=5), TypeError, "title"),
             (lambda: backward_walkthrough(y).render_gif("w.png"), ValueError, ".gif"),
             (lambda: nn.MLP(3, [0]), ValueError, "at least 1"), (lambda: nn.MLP(3, 4), ValueError, "list"),
             (lambda: nn.SGD(nn.Linear(2, 1, rng=0), lr=0.1), TypeError, "model.parameters()")]
    for call, error, words in cases:
        with pytest.raises(error, match=re.escape(words)):
            call()


def test_axes_out_of_range_or_not_whole_and_grad_of_an_array_are_named():
    import autograd
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    for call, error, words in [(lambda: x.sum(1.0), TypeError, "an axis must be a whole number"),  # ('float' ...)
                               (lambda: x.transpose(0, 2), np.exceptions.AxisError, "tensor of 2 axes"),
                               (lambda: autograd.cat([x, x], 5), np.exceptions.AxisError, "from -2 to 1"),
                               (lambda: autograd.grad((x * x).sum(), [np.ones(2)]), TypeError, "input 0 of grad")]:
        with pytest.raises(error, match=words):
            call()
    assert Tensor([2**70]).data[0] == 2.0**70  # ("must be real numbers, got objects of type int")


def test_saving_onto_a_folder_a_correction_as_a_string_and_recording_before_backward_are_said(tmp_path):
    import nn
    from autograd import Recorder
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        nn.Linear(2, 1, rng=0).save(tmp_path)  # the error named a hidden temporary file
    with pytest.raises(TypeError, match="file name"):
        nn.Linear(2, 1, rng=0).save(5)
    with pytest.raises(TypeError, match="correction is a number"):
        Tensor([1.0, 2.0, 4.0]).var(correction="1")  # read as 1
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(RuntimeWarning, match="before record"):
        Recorder(every=1).record(0, (w * w).sum())  # a snapshot of no gradients, without a word


def test_a_loss_given_a_string_target_or_no_classes_says_so():
    import nn
    p = Tensor(np.ones((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="target must be numbers"):
        nn.mse_loss(p, "a")  # "target has shape ()"
    with pytest.raises(ValueError, match="no classes"):
        nn.cross_entropy(Tensor(np.ones((2, 0)), requires_grad=True), np.array([0, 0]))  # "in [0, -1]"


def test_the_variance_of_no_numbers_gives_no_advice_that_cannot_help():
    # with correction=0 already, it said "or pass correction=0"; with no numbers, no correction helps
    for correction in (0, 1):
        with pytest.raises(ValueError, match="divides by") as error:
            Tensor(np.zeros((0, 3))).var(0, correction=correction)
        assert "pass correction=0" not in str(error.value)
    with pytest.raises(ValueError, match="or pass correction=0"):  # (one number: the population's variance helps)
        Tensor(np.zeros((1, 3))).var(0)


def test_a_zero_dimensional_tensor_refuses_axes_it_does_not_have_when_squeezed_or_flattened():
    # squeeze(1) gave the tensor back and flatten(1) gave shape (1,) (PyTorch: dimension out of range)
    x = Tensor(3.0, requires_grad=True)
    for call in (lambda: x.squeeze(1), lambda: x.squeeze(-2), lambda: x.flatten(1), lambda: x.flatten(0, 2)):
        with pytest.raises(ValueError, match="out of range"):  # (as a (1,) tensor's squeeze(1) is refused)
            call()
    assert [x.squeeze(0).shape, x.squeeze(-1).shape, x.flatten().shape, x.flatten(0, -1).shape] == [(), (), (1,), (1,)]


def test_a_dtype_numpy_cannot_read_is_named_with_the_ones_a_tensor_takes():
    # dtype=torch.float32 gave NumPy's "Cannot interpret 'torch.float32' as a data type"
    class NotADtype:
        def __repr__(self) -> str:
            return "torch.float32"

    from autograd import as_tensor

    for make in (lambda d: Tensor([1.0], dtype=d), lambda d: as_tensor([1.0], dtype=d)):
        with pytest.raises(TypeError, match=r"np\.float32.*not torch\.float32"):
            make(NotADtype())


def test_the_largest_of_no_numbers_is_refused_in_our_words():
    # max over an empty axis gave NumPy's "zero-size array to reduction operation maximum
    # which has no identity" (PyTorch refuses it too); an empty result over a full axis stays
    for name in ("max", "min"):
        with pytest.raises(ValueError, match=f"{name} of no numbers"):
            getattr(Tensor(np.zeros((0, 3))), name)(0)
        assert getattr(Tensor(np.zeros((0, 3))), name)(1).shape == (0,)
