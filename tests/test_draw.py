"""Graph pictures: real rendering with dot, escaping, missing Graphviz, size limits,
gradient comparison, and the backward walkthrough."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import nn
from autograd import (
    GraphvizNotFoundError,
    Tensor,
    Value,
    backward_order,
    backward_walkthrough,
    draw_graph,
    render_graph,
)
from autograd.draw import AGREE, DISAGREE, GraphTooLargeError

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(path) -> list[str]:
    return [t.text for t in ET.parse(path).iter(f"{SVG}text") if t.text]


def svg_groups(path, kind: str) -> int:
    return sum(1 for g in ET.parse(path).iter(f"{SVG}g") if g.get("class") == kind)


def expression():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = (c + a).tanh()
    d.label = "d"
    return a, b, c, d


@needs_dot
def test_svg_shows_labels_ops_and_gradients_with_matching_counts(tmp_path):
    a, b, c, d = expression()
    d.backward()
    path = render_graph(draw_graph(d), tmp_path / "graph.svg")
    texts = svg_texts(path)
    for expected in ("a", "b", "c", "d", "*", "+", "tanh", "grad", f"{a.grad:.4g}"):
        assert expected in texts, expected
    nodes = backward_order([d], every_input=True)
    operations = [n for n in nodes if n.op is not None]
    legend = 1
    assert svg_groups(path, "node") == len(nodes) + len(operations) + legend
    assert svg_groups(path, "edge") == sum(len(n.parents) for n in nodes) + len(operations)


@needs_dot
@pytest.mark.parametrize("suffix, signature", [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF")])
def test_png_and_pdf_files(suffix, signature, tmp_path):
    *_, d = expression()
    d.backward()
    path = render_graph(draw_graph(d), tmp_path / f"graph{suffix}")
    assert path.read_bytes().startswith(signature)


@needs_dot
def test_hostile_labels_render_as_written(tmp_path):
    hostile = ['say "hi"', "<b>bold</b>", "{a|b}", "back\\slash", "two\nlines", "&amp; ]; node [", "\\N"]
    values = [Value(float(i), label=label) for i, label in enumerate(hostile)]
    total = values[0]
    for v in values[1:]:
        total = total + v
    total.label = '"}];digraph{'
    total.backward()
    graph = draw_graph(total)
    path = render_graph(graph, tmp_path / "hostile.svg")  # dot accepts the source
    texts = svg_texts(path)
    for label in hostile + [total.label]:
        for line in label.split("\n"):
            assert line in texts, line
    additions = len(values) - 1  # each one a result node and an operation node
    assert svg_groups(path, "node") == len(values) + 2 * additions + 1  # + legend: nothing injected


def test_tensor_nodes_show_shape_dtype_and_summaries():
    big = Tensor(np.arange(100.0).reshape(10, 10), requires_grad=True, label="big")
    out = (big * 2).sum()
    out.backward()
    source = draw_graph(out).source
    assert "(10, 10) float64" in source
    assert "min 0  mean 49.5  max 99" in source
    assert "[[0, 1, 2" not in source


def test_broadcast_edges_say_what_was_summed():
    W = Tensor(np.ones((4, 3)), requires_grad=True, label="W")
    b = Tensor(np.ones(3), requires_grad=True, label="b")
    (W + b).sum().backward()
    source = draw_graph((W + b).sum()).source
    assert "grad summed over axis 0: (4, 3) -&gt; (3,)" in source


def test_a_graph_before_backward_says_so():
    *_, d = expression()
    source = draw_graph(d).source
    assert "backward() has not run yet" in source
    assert ">grad<" not in source
    d.backward()
    assert "backward() has not run yet" not in draw_graph(d).source
    assert ">grad<" in draw_graph(d).source


def test_large_graphs_are_refused_with_the_node_count():
    x = Value(1.0)
    y = x
    for _ in range(50):
        y = y * 1.0
    count = len(backward_order([y], every_input=True))  # 51 products and their constants 1.0
    assert count > 51
    with pytest.raises(GraphTooLargeError, match=f"has {count} nodes, more than max_nodes=20"):
        draw_graph(y, max_nodes=20)


def test_bad_arguments():
    with pytest.raises(TypeError, match="Value or Tensor"):
        draw_graph(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(Value(1.0), rankdir="sideways")
    with pytest.raises(ValueError, match="format"):
        render_graph(draw_graph(Value(1.0)), "graph.jpeg")


def test_hand_written_gradients_colour_the_nodes():
    W = Tensor(np.array([[1.0, 2.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.5]), requires_grad=True, label="b")
    x = Tensor(np.array([[3.0], [4.0]]))
    loss = ((W @ x + b) ** 2).sum()
    loss.backward()
    right = 2 * (W.data @ x.data + b.data) @ x.data.T
    wrong = -2 * (W.data @ x.data + b.data).ravel()
    source = draw_graph(loss, hand_written={W: right, b: wrong}).source
    assert source.count(f'BGCOLOR="{AGREE}"') == 2  # the node and its legend entry
    assert source.count(f'BGCOLOR="{DISAGREE}"') == 2
    assert "hand-written agrees: max |auto - hand| = 0" in source
    assert "hand-written DISAGREES: max |auto - hand| = 46" in source


def test_missing_dot_gives_install_instructions_and_keeps_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    *_, d = expression()
    d.backward()
    graph = draw_graph(d)
    with pytest.raises(GraphvizNotFoundError) as caught:
        render_graph(graph, tmp_path / "graph.png")
    message = str(caught.value)
    for expected in ("dot", "apt-get install graphviz", "brew install graphviz", "conda install", "graph.gv"):
        assert expected in message
    assert (tmp_path / "graph.gv").read_text() == graph.source == caught.value.source
    assert not (tmp_path / "graph.png").exists()
    assert "apt-get install graphviz" in graph._repr_mimebundle_()["text/plain"]


@needs_dot
def test_jupyter_display_is_svg():
    *_, d = expression()
    bundle = draw_graph(d)._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


# ---- the backward walkthrough


def test_walkthrough_numbers_are_the_engines_gradients():
    a, b, c, d = expression()
    walk = backward_walkthrough(d)
    assert a.grad == 0.0  # the walkthrough writes no .grad
    d.backward()
    gradients = walk.gradients()
    for node in (a, b, c, d):
        assert gradients[node] == node.grad
    assert len(walk) == len(backward_order([d]))
    assert [step.node for step in walk] == backward_order([d])


def test_walkthrough_on_tensors_matches_backward():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Sigmoid(), nn.Linear(4, 2, rng=1))
    loss = nn.squared_error(model(np.ones((2, 3))), np.zeros((2, 2)))
    walk = backward_walkthrough(loss)
    loss.backward()
    for name, parameter in model.named_parameters():
        np.testing.assert_array_equal(walk.gradients()[parameter], parameter.grad, err_msg=name)
    assert len(walk) == len(backward_order([loss]))


def test_walkthrough_text_reads_like_a_derivation():
    x = Value(3.0, label="x")
    square = x * x
    square.label = "x*x"
    y = square + x
    y.label = "y"
    text = str(backward_walkthrough(y))
    assert "Step 1. y = x*x + x" in text
    assert "d(a*b)/da = b = 3" in text
    assert "∂y/∂x += 1 × 3 = 3   (x is used again: its gradient is now 4)" in text
    assert "Step 3. x is a leaf: ∂y/∂x = 7" in text


@needs_dot
def test_walkthrough_frames_and_gif(tmp_path):
    from PIL import Image

    *_, d = expression()
    walk = backward_walkthrough(d)
    frames = walk.render_frames(tmp_path / "frames")
    assert len(frames) == len(walk) and all(f.read_bytes()[:4] == b"\x89PNG" for f in frames)
    gif = walk.render_gif(tmp_path / "walk.gif")
    assert gif.read_bytes()[:6] == b"GIF89a"
    with Image.open(gif) as image:
        assert image.n_frames == len(walk)
    # the reused node a is marked where its second contribution arrives
    marked = [k for k, picture in enumerate(walk.frames()) if "+= accumulated" in picture.source]
    assert marked == [2]


def legend_and_node_colours(source: str) -> tuple[set[str], set[str]]:
    """The fill colours the legend explains, and those the graph's boxes are drawn in."""
    import re

    legend_line = next(line for line in source.splitlines() if line.lstrip().startswith("legend ["))
    legend = set(re.findall(r'<TD BGCOLOR="(#[0-9a-f]{6})"', legend_line))
    boxes = {colour for line in source.splitlines() if not line.lstrip().startswith("legend [")
             for colour in re.findall(r'<TABLE [^>]*BGCOLOR="(#[0-9a-f]{6})"', line)}
    return legend, boxes


def test_the_legend_lists_only_colours_the_picture_uses():
    # W is a parameter, but checked against a hand-written gradient it is drawn green:
    # the legend must not promise a blue parameter that no box shows (the demo's picture did)
    W = Tensor(np.array([[1.0, 2.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([0.5]), requires_grad=True, label="b")
    x = Tensor(np.array([[3.0], [4.0]]), label="x")
    loss = ((W @ x + b) ** 2).sum()
    loss.backward()
    right = 2 * (W.data @ x.data + b.data) @ x.data.T
    for hand_written in ({W: right}, {W: right, b: 2 * (W.data @ x.data + b.data).ravel()}, None):
        legend, boxes = legend_and_node_colours(draw_graph(loss, hand_written=hand_written).source)
        assert legend == boxes, hand_written


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
def test_a_chain_reusing_one_input_is_laid_out_in_seconds_not_minutes(tmp_path):
    # an input used by every step of a recurrence: 153 nodes kept dot busy past its 120 s
    # limit (explore() raised); dot's network simplex is now bounded (nslimit)
    v = Value(0.3, label="v")
    acc = v
    for i in range(60):
        acc = (acc * 0.9 + v).tanh() if i % 2 else acc + v * 0.01
    acc.backward()
    render_graph(draw_graph(acc), tmp_path / "chain.svg", timeout=60)  # (raises if dot is still busy at 60 s)
    assert (tmp_path / "chain.svg").stat().st_size > 0
