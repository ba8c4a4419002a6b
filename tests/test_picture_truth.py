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
