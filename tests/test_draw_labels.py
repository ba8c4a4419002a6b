"""Labels dot cannot take as they are (control characters, lone surrogates, 16 KB and
more) are rendered readably: escaped, or shortened with an ellipsis. Real dot runs."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from autograd import Value, draw_graph, render_graph
from autograd.draw import MAX_TEXT

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"

# label -> the text the picture shows
ESCAPED = {
    "nul\x00byte": "nul\\x00byte",
    "bell\x07and\x1bescape": "bell\\x07and\\x1bescape",
    "lone \udc80 surrogate": "lone \\udc80 surrogate",
    "high \ud83d alone": "high \\ud83d alone",
    "not\ufffea character": "not\\ufffea character",
    "tab\there": "tab\\there",  # dot drops a tab: the label "tabhere" named another node
    "carriage\rreturn": "carriage\\rreturn",
}


def svg_texts(path) -> list[str]:
    return [t.text for t in ET.parse(path).iter(f"{SVG}text") if t.text]


def summed(labels):
    values = [Value(float(i), label=label) for i, label in enumerate(labels)]
    total = values[0]
    for v in values[1:]:
        total = total + v
    total.backward()
    return total


@needs_dot
@pytest.mark.parametrize("suffix", [".svg", ".png", ".gv"])
def test_control_characters_and_lone_surrogates_render_escaped(suffix, tmp_path):
    graph = draw_graph(summed(list(ESCAPED)), title="title with \x00 and \udc80")
    path = render_graph(graph, tmp_path / f"labels{suffix}")
    assert path.stat().st_size > 0
    if suffix == ".svg":
        texts = svg_texts(path)
        for shown in ESCAPED.values():
            assert any(shown in text for text in texts), shown
        assert "title with \\x00 and \\udc80" in texts


@needs_dot
@pytest.mark.parametrize("length", [16_383, 20_000, 1_000_000])
def test_a_label_of_16_kb_or_more_is_shortened_with_an_ellipsis(length, tmp_path):
    long_label = "x" * (length - 5) + "&<>\\"  # escaping makes the DOT text longer still
    total = summed([long_label, "b"])
    total.label = "y" * length
    path = render_graph(draw_graph(total, title="t" * length), tmp_path / "long.svg")
    texts = svg_texts(path)
    for letter in "xyt":
        shortened = [text for text in texts if text.startswith(letter * 10)]
        assert shortened == [letter * (MAX_TEXT - 1) + "\u2026"], letter


@needs_dot
def test_a_short_label_is_shown_whole(tmp_path):
    label = "z" * MAX_TEXT  # exactly at the limit: nothing cut
    path = render_graph(draw_graph(summed([label, "b"])), tmp_path / "whole.svg")
    assert label in svg_texts(path)


def test_hand_written_gradients_get_no_verdict_before_backward_has_run():
    # the verdict compared against a zero or leftover .grad: a correct 3.0 was drawn red
    # ("DISAGREES"), and a wrong gradient green, with the caption saying backward() had not run
    from autograd import Tensor

    x = Value(0.5, label="x")
    source = draw_graph(x * 3.0, hand_written={x: 3.0}).source
    assert "DISAGREES" not in source and "agrees" not in source and "not compared" in source
    t = Tensor([1.0, 2.0], requires_grad=True, label="t")
    (t * 2).sum().backward()  # a leftover gradient from another graph
    source = draw_graph((t * 3).sum(), hand_written={t: np.array([2.0, 2.0])}).source
    assert "agrees" not in source and "not compared" in source


def test_a_graph_drawn_from_a_node_backward_did_not_start_at_does_not_say_it_started_there():
    # after L.backward() with L = 10 h, draw_graph(h) said h was "where backward starts",
    # beside gradients that are dL/dh = 10 and dL/dx = 40 (dh/dx is 4)
    x = Value(2.0, label="x")
    h = x * x
    h.label = "h"
    (h * 10.0).backward()
    source = draw_graph(h).source
    assert "where backward starts" not in source and "not 1" in source
    x2 = Value(2.0, label="x")
    h2 = x2 * x2
    h2.backward()
    assert "where backward starts" in draw_graph(h2).source


def test_a_constants_name_is_its_value_unrounded_and_automatic_names_avoid_labels():
    # a * 0.99999 was drawn and walked through as "a * 1", and T * 123456 as "1.235e+05";
    # a user's label "n1" and the first automatic name were both n1
    from autograd import Tensor, backward_walkthrough
    from autograd.draw import graph_nodes, node_names

    a = Value(0.7, label="a")
    y = a * 0.99999
    assert "0.99999" in node_names(graph_nodes(y, 400)).values()
    t = Tensor([1.0], requires_grad=True, label="T")
    assert "123456" in node_names(graph_nodes((t * 123456).sum(), 400)).values()
    y = Value(2.0, label="n1") * Value(3.0)
    names = list(node_names(graph_nodes(y, 400)).values())
    assert len(names) == len(set(names))
    assert "n1 * n1" not in str(backward_walkthrough(y))


def test_a_batched_matmul_that_broadcasts_an_operand_notes_the_summed_gradient():
    # (5, 2, 3) @ (3, 4): M's gradient is summed over the batch axis, and its edge said nothing
    # (docs/pictures.md: such edges say over which axes the gradient is summed)
    from autograd import Tensor
    from autograd.draw import broadcast_note

    B = Tensor(np.ones((5, 2, 3)), requires_grad=True, label="B")
    M = Tensor(np.ones((3, 4)), requires_grad=True, label="M")
    product = B @ M
    assert broadcast_note(product, M) == "grad summed over axis 0: (5, 3, 4) -> (3, 4)"
    assert broadcast_note(product, B) is None
    assert broadcast_note(B @ Tensor(np.ones(3), requires_grad=True), B) is None  # a vector: no batch
    P = Tensor(np.ones((1, 2, 3)), requires_grad=True)
    assert broadcast_note(P @ Tensor(np.ones((4, 3, 2)), requires_grad=True), P) == \
        "grad summed over axis 0: (4, 2, 3) -> (1, 2, 3)"
