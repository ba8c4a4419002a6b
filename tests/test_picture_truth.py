"""Every label on a picture is true, and the picture as a whole says when its numbers are
not of one forward and one backward pass. Each case once drew a misleading picture (found
by a truth audit of the docs and pictures, 2026-12-08). Reads the DOT source: no dot needed."""

from __future__ import annotations

import re

import numpy as np

import nn
from autograd import Tensor, Value, draw_graph
from autograd.draw import format_array


def caption(graph) -> str:
    found = re.search(r'^\s*label=<(.*)>$', graph.source, re.M)
    return "" if found is None else re.sub(r"<[^>]+>", " ", found.group(1))


def box(graph, label: str) -> str:
    """The text of the box whose first row is ``label``."""
    for line in graph.source.splitlines():
        if f"<B>{label}</B>" in line:
            return " ".join(re.sub(r"<[^>]+>", " ", line).split())
    raise AssertionError(f"no box labelled {label!r}")


def tanh_graph():
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    y = (x * w).tanh()
    y.label = "y"
    return x, w, y


def tensor_graph():
    x = Tensor([0.5, -1.0], label="x", requires_grad=True)
    y = (x * x).sum()
    y.label = "y"
    return x, y


def test_arrays_are_shown_to_four_significant_digits():
    # np.array2string(precision=4) gave four decimals: 0.000149 showed as 0.0001 (33% off)
    assert format_array(np.array([0.09, 0.000149])) == "[0.09, 0.000149]"
    assert format_array(np.array([0.041556, 12345.678, -2.0])) == "[0.04156, 1.235e+04, -2]"
    assert format_array(np.array([[1.0, 2.5]])) == "[[1, 2.5]]"


def test_a_graph_whose_input_changed_after_the_forward_pass_says_so():
    model = nn.Linear(2, 1, rng=0)
    x = Tensor([[1.0, -1.0]], label="x")
    loss = (model(x) ** 2).sum()
    loss.backward()
    nn.SGD(model.parameters(), lr=0.5).step()
    text = caption(draw_graph(loss))
    assert "changed after the forward pass" in text  # it showed the new weights beside the old results
    assert "run the forward pass again" in text


def test_a_hand_written_gradient_that_agrees_only_within_atol_is_not_called_agreeing():
    x = Value(1e-6, label="x")
    y = 0.5 * x * x
    y.backward()
    picture = draw_graph(y, hand_written={x: -x.grad})  # the wrong sign, far below atol
    assert "agrees only within atol" in box(picture, "x")
    assert "gradients agree</TD>" not in picture.source  # the legend's green entry


def test_gradients_kept_only_by_the_leaves_are_shown_and_said_to_be_so():
    for make in (tanh_graph, tensor_graph):
        y = make()[-1]
        y.backward(intermediate_grads=False)
        picture = draw_graph(y)
        assert "has not run" not in caption(picture)  # it said so, with x.grad set
        assert "intermediate_grads=False" in caption(picture)


def test_a_second_backward_pass_or_a_zero_grad_is_said_when_the_leaves_show_it():
    x, w, y = tanh_graph()
    y.backward()
    assert caption(draw_graph(y)) == ""  # one pass: nothing to say
    y.backward()  # the leaves now hold the sum of two passes, the others the last one's
    assert "not what one backward pass from here gives" in caption(draw_graph(y))
    assert "x" in caption(draw_graph(y)) and "w" in caption(draw_graph(y))
    x.zero_grad()
    w.zero_grad()
    assert "not what one backward pass from here gives" in caption(draw_graph(y))


def test_a_gradient_shown_as_a_question_mark_is_explained():
    w = Tensor([1.0, 2.0], label="w", requires_grad=True)
    y = (w * w).sum()
    y.backward()
    w.grad = None  # optimizer.zero_grad()
    picture = draw_graph(y)
    assert "?" in box(picture, "w")
    assert "? : no gradient" in caption(picture) or "?: no gradient" in caption(picture)


# ---- the walkthrough, the explorer and the recorder (a truth sweep of the teaching tools, 2026-12-08)

def test_the_recorder_shows_the_passs_gradients_when_intermediate_ones_were_let_go():
    # after backward(intermediate_grads=False) every intermediate box showed 0 (Values),
    # the loss's own gradient included, or "none" (Tensors)
    from autograd import Recorder

    snapshots = []
    for keep in (True, False):
        w = Value(0.5, label="w")
        recorder = Recorder(every=1)
        h = (w * 3.0).tanh()
        loss = (h - 1.0) ** 2
        loss.backward(intermediate_grads=keep)
        recorder.record(0, loss)
        snapshots.append(recorder.runs["run"]["snapshots"][0]["grad"])
    assert snapshots[1] == snapshots[0]


def test_a_value_changed_after_the_forward_pass_is_refused_by_the_walkthrough_and_said_by_the_picture():
    # a Value has no version counter; the picture showed a = 10 beside c = a * b = 6, and the
    # walkthrough said dc/db = 10 (at the forward pass's numbers: 2)
    import pytest

    from autograd import backward_walkthrough, explore

    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    c = a * b
    c.label = "c"
    a.data = 10.0
    for tool in (backward_walkthrough, explore):
        with pytest.raises(RuntimeError, match="changed after the forward pass"):
            tool(c)
    assert "c is no longer what its operation gives" in caption(draw_graph(c))


def test_the_walkthrough_says_which_input_each_rule_letter_is():
    # "d(a*b)/db = a = 0.9526" read as the node labelled a, which is 0.7: a there is n1
    from autograd import backward_walkthrough

    c, a = Value(3.0, label="c"), Value(0.7, label="a")
    z = c.sigmoid() * a
    z.label = "z"
    text = str(backward_walkthrough(z))
    assert "(in the rules: a is n1, b is a)" in text


def test_the_walkthrough_says_where_broadcasting_summed_a_gradient():
    from autograd import backward_walkthrough

    A = Tensor(np.ones((2, 2)), requires_grad=True, label="A")
    c = Tensor(np.array(0.5), requires_grad=True, label="c")
    L = (A + c).sum()
    L.label = "L"
    line = next(line for line in str(backward_walkthrough(L)).split("\n") if "∂L/∂c +=" in line)
    assert "grad summed over axes 0, 1: (2, 2) -> ()" in line


def test_two_nodes_with_one_label_get_two_names():
    # nn's layers label their parameters weight and bias: the walkthrough said "∂n9/∂weight" twice
    from autograd.draw import graph_nodes, node_names

    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    loss = nn.mse_loss(model(Tensor(np.array([[0.5, -1.0]]), label="x")), np.array([[1.0]]))
    names = list(node_names(graph_nodes(loss, 400)).values())
    assert len(names) == len(set(names))
    assert "weight" in names and "weight#2" in names


def test_explore_on_a_root_of_many_numbers_gives_advice_it_can_take():
    import pytest

    from autograd import explore

    with pytest.raises(ValueError) as refused:
        explore(Tensor(np.ones((2, 2)), requires_grad=True) * 2)
    assert "grad=" not in str(refused.value) and ".sum()" in str(refused.value)


def test_an_empty_array_is_written_with_its_shape():
    # (0,), (0, 3), (3, 0) and (2, 0, 4) all read "[]", in the walkthrough and a Tensor's repr
    from autograd import Tensor, backward_walkthrough
    from autograd.draw import format_array

    assert [format_array(np.zeros(s)) for s in [(0,), (0, 3), (2, 0, 4)]] == ["[]", "[] (shape (0, 3))",
                                                                          "[] (shape (2, 0, 4))"]
    assert [repr(Tensor(np.zeros(s))) for s in [(0,), (3, 0)]] == ["Tensor([])", "Tensor([], shape=(3, 0))"]
    x = Tensor(np.zeros((3, 0)), requires_grad=True, label="x")
    w = Tensor(np.zeros((0, 2)), requires_grad=True, label="W")
    y = (x @ w).sum()
    y.label = "y"
    lines = [line for line in str(backward_walkthrough(y)).splitlines() if "+= [" in line and "W" in line]
    assert lines and all("(0, 2)" in line for line in lines), lines
