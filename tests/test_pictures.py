"""Pictures that never mislead (issue 14): each way a picture or a printout told a new
user something untrue has a test here that failed before it was fixed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograd import Tensor, Value, backward_order, backward_walkthrough, draw_graph
from autograd.draw import graph_nodes, node_names

ROOT = Path(__file__).resolve().parent.parent
DEMOS = ROOT / "demos"
IMAGES = ROOT / "docs" / "images"
sys.path.insert(0, str(DEMOS))
import backprop_from_scratch as demo  # noqa: E402

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")


def column_times_constants() -> Tensor:
    t = Tensor(np.ones((2, 1)), requires_grad=True, label="t")
    y = (t**2 * 0.5).sum()
    y.label = "y"
    y.backward()
    return y


def test_constant_operands_get_no_gradient_summed_label():
    source = draw_graph(column_times_constants()).source
    assert "grad summed" not in source  # 2 and 0.5 were stretched to (2, 1), but get no gradient
    W = Tensor(np.ones((4, 3)), requires_grad=True, label="W")
    b = Tensor(np.ones(3), requires_grad=True, label="b")
    loss = (W + b * 2).sum()
    loss.backward()
    source = draw_graph(loss).source
    assert source.count("grad summed") == 1  # b's edge; not the constant 2's
    assert "grad summed over axis 0: (4, 3) -&gt; (3,)" in source


def test_constants_show_what_their_data_really_is():
    source = draw_graph(column_times_constants()).source
    assert "int64" not in source
    assert "constant (Python int)" in source and "constant (Python float)" in source
    integers = Tensor([1, 2], requires_grad=True, label="i")  # integer data becomes float64
    total = (integers * 3).sum()
    total.backward()
    assert "(2,) float64" in draw_graph(total).source


def test_unlabelled_nodes_are_numbered_without_gaps():
    names = list(node_names(graph_nodes(column_times_constants(), 100)).values())
    numbered = [n for n in names if re.fullmatch(r"n\d+", n)]
    assert numbered == [f"n{k}" for k in range(1, len(numbered) + 1)]
    assert "2" in names and "0.5" in names  # constants by their value
    x = Value(2.0, label="x")
    y = (x * 3 + 1).tanh()
    assert [n for n in node_names(graph_nodes(y, 100)).values() if n.startswith("n")] == ["n1", "n2", "n3"]


def seed_model_and_x():
    rng = np.random.default_rng(0)
    model = demo.init_weights(rng)
    return model, rng.random((3, 1))


def test_the_seed_network_picture_uses_the_seeds_names_and_column_x():
    model, x = seed_model_and_x()
    L = demo.seed_graph(model, x, demo.LABEL)
    names = node_names(graph_nodes(L, 100))
    by_name = {name: node for node, name in names.items()}
    for name in ("x", "W1", "z", "h", "W2", "out", "y", "L"):
        assert name in by_name, name
    assert np.shape(by_name["x"].data) == (3, 1)
    assert "(3, 1) float64" in draw_graph(L).source
    # the same numbers as the training loop's nn.Sequential formulation
    np.testing.assert_allclose(L.item(), demo.loss(demo.LABEL, demo.forward(model, x)).item(), rtol=1e-14)


@needs_dot
def test_committed_pictures_match_what_the_code_draws(tmp_path):
    committed = sorted(IMAGES.glob("*.gv"))
    names = {path.stem for path in committed}
    assert {"tour", "expression", "network_values", "network_tensors", "comparison", "network_graph"} <= names
    # as `make figures` draws them: with the speed tricks, whose scalar graphs have fewer nodes
    env = {k: v for k, v in os.environ.items() if k != "AUTOGRAD_NO_SPEED_TRICKS"}
    subprocess.run([sys.executable, str(DEMOS / "gallery.py"), "--out", str(tmp_path), "--format", "gv"],
                   check=True, capture_output=True, cwd=tmp_path, env=env)
    subprocess.run([sys.executable, str(DEMOS / "backprop_from_scratch.py"), "--out", str(tmp_path),
                    "--iterations", "1", "--learning-rates", "1"], check=True, capture_output=True, cwd=tmp_path,
                   env=env)
    stale = [path.name for path in committed if (tmp_path / path.name).read_text() != path.read_text()]
    assert not stale, f"docs/images is stale for {stale}: run `make figures` and commit the result"


def test_hand_written_keyed_by_a_label_or_a_foreign_node_is_an_error():
    w1 = Value(2.0, label="w1")
    y = w1 * w1
    y.backward()
    with pytest.raises(TypeError, match="keyed by the nodes themselves.*labelled 'w1': use that node"):
        draw_graph(y, hand_written={"w1": 123.0})
    stranger = Value(1.0, label="w9")
    with pytest.raises(ValueError, match="labelled 'w9' that is not in this graph"):
        draw_graph(y, hand_written={stranger: 1.0})
    assert "hand-written agrees" in draw_graph(y, hand_written={w1: 4.0}).source


def test_walkthrough_and_picture_say_something_useful_at_a_prompt():
    x = Value(3.0, label="x")
    y = x * x + x
    y.label = "y"
    walk = backward_walkthrough(y)
    assert repr(walk) == str(walk) and repr(walk).startswith("Backward pass from y: 3 steps")
    picture = repr(draw_graph(y))
    assert "object at 0x" not in picture
    assert "3 nodes (2 operations) ending at y" in picture and "render_graph(picture, 'graph.svg')" in picture


def test_the_walkthrough_text_about_leaves_is_true():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    text = str(backward_walkthrough(y))
    assert x.grad == 0.0
    leaf = next(line for line in text.splitlines() if "x is a leaf" in line)
    assert "added to its .grad" not in leaf
    assert "backward() would add this to its .grad; the walkthrough leaves .grad as it was" in leaf


def test_backward_order_accepts_a_single_node():
    x = Value(3.0, label="x")
    y = x * x
    assert backward_order(y) == backward_order([y])


# ---- the demo's loss plot


def synthetic_run(spike_at: int | None = None) -> demo.Run:
    """2000 per-sample losses that fall from 50 to 0.01 while single samples jump by
    decades (down to 1e-13), as the seed's per-sample training does."""
    rng = np.random.default_rng(1)
    trend = 50 * np.exp(-np.arange(2000) / 300) + 0.01
    losses = trend * rng.choice([1e-11, 0.3, 1.0, 1.7], size=2000, p=[0.05, 0.3, 0.4, 0.25])
    if spike_at is not None:
        losses[spike_at] = 1e4
    return demo.Run(0.1, list(losses))


@pytest.fixture
def plt():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def plotted(plt, runs) -> tuple[list, tuple[float, float]]:
    figure = demo.loss_figure(plt, runs)
    axes = figure.axes[0]
    return [line for line in axes.get_lines() if line.get_label().startswith("lr=")], axes.get_ylim()


def test_loss_plot_draws_one_mean_per_stretch_and_no_per_sample_noise(plt):
    run = synthetic_run()
    lines, (bottom, top) = plotted(plt, [run])
    assert len(lines) == 1 and all(line.get_alpha() in (None, 1.0) for line in lines)
    means = np.asarray(run.losses).reshape(demo.LOSS_WINDOWS, -1).mean(axis=1)  # 50 stretches of 40
    np.testing.assert_allclose(lines[0].get_ydata(), means)
    np.testing.assert_allclose(lines[0].get_xdata(), np.arange(demo.LOSS_WINDOWS) * 40 + 19.5)
    # the y range is the means' range: per-sample dips to 1e-13 do not stretch it
    assert means.min() / 2 <= bottom * (1 + 1e-9) and bottom >= 1e-3
    assert top >= means.max()


def test_a_single_spike_moves_one_point_not_a_staircase(plt):
    calm, = plotted(plt, [synthetic_run()])[0]
    spiky, = plotted(plt, [synthetic_run(spike_at=1000)])[0]
    changed = np.flatnonzero(calm.get_ydata() != spiky.get_ydata())
    assert changed.tolist() == [1000 // 40]


def test_a_diverged_run_still_ends_with_a_cross_and_is_cut_off(plt):
    runs = [synthetic_run(), demo.Run(1.0, [40.0, 1e3, 1e8, 1e30], diverged_at=4)]
    figure = demo.loss_figure(plt, runs)
    axes = figure.axes[0]
    assert any(line.get_marker() == "x" for line in axes.get_lines())
    assert axes.get_ylim()[1] == pytest.approx(1e3 * max(run.losses[0] for run in runs))
    assert any("cut off" in text.get_text() for text in axes.texts)


def boxes_and_operations(dot_source: str) -> tuple[list[str], list[str]]:
    """A graph picture's box names (the bold first row) and operation names, in order."""
    boxes = re.findall(r"<B>([^<]*)</B>", dot_source)
    operations = re.findall(r"shape=ellipse|label=<([^<>]*)> ", dot_source)
    return boxes, [op for op in operations if op]


def test_the_readme_top_picture_is_the_graph_the_demo_draws():
    # a newcomer compares the README's first picture with out/network_graph.png: same
    # nodes, same names (x a column, y named y), same operations, the same numbers
    readme = (ROOT / "README.md").read_text()
    top = re.search(r"!\[[^\]]*\]\(docs/images/([\w-]+)\.png\)", readme).group(1)
    drawn = (IMAGES / f"{top}.gv").read_text()
    demo_picture = (IMAGES / "network_graph.gv").read_text()
    assert boxes_and_operations(drawn) == boxes_and_operations(demo_picture)
    assert "(3, 1) float64" in drawn and "permute" not in drawn and "linear" not in drawn
    data = re.findall(r'data</TD><TD ALIGN="LEFT">([^/]*)</TD>', drawn)
    assert data and data == re.findall(r'data</TD><TD ALIGN="LEFT">([^/]*)</TD>', demo_picture)


def test_the_summary_numbers_are_the_loss_plots_first_and_last_points(plt):
    # the demo printed "mean loss 5.845 -> ..." over the first and last 200 iterations
    # while the plot's first point, the mean of the first 40, was ~29: a learner comparing
    # them saw two different numbers for "the loss at the start"
    rng = np.random.default_rng(1)
    losses = list(np.geomspace(30.0, 0.01, 2000) * rng.uniform(0.2, 5.0, 2000))
    losses[:10] = [200.0] * 10  # a bad start that a wider window would dilute
    run = demo.Run(1.0, losses)
    figure = demo.loss_figure(plt, [run])
    (line,) = [line for line in figure.axes[0].get_lines() if len(line.get_xdata()) > 1]
    first, last = line.get_ydata()[0], line.get_ydata()[-1]
    size = demo.window_size(len(losses))
    assert f"{first:.4g}" in run.status and f"{last:.4g}" in run.status, run.status
    assert f"iterations 0-{size - 1}" in run.status and f"{2000 - size}-1999" in run.status, run.status
    assert "a point of the loss plot" in (DEMOS / "backprop_from_scratch.py").read_text()  # the summary says so


# ---- a truth sweep of the demos' plots and summaries (2026-12-08)

def test_a_run_whose_loss_rose_is_said_to_have_got_worse_not_barely_improved():
    assert demo.Run(1e-6, [30.0] * 100 + [40.0] * 100).status.startswith("got worse")
    assert demo.Run(1e-6, [30.0] * 100 + [29.0] * 100).status.startswith("barely improved")
    one = demo.Run(1e-6, [30.0]).status  # one iteration: no change to speak of ("barely improved 30 -> 30")
    assert "improved" not in one and "worse" not in one and "30" in one


def test_the_cut_off_note_appears_only_when_something_is_cut_off_and_says_where(plt):
    # "curves above 5e+04 cut off" with the axis at 4.756e4 and nothing above it
    runs = [demo.Run(0.1, [47.56] * 40), demo.Run(4.0, [40.0, 4.5e4, 4.645e4, 3e4])]
    figure = demo.loss_figure(plt, runs)  # (the axis stops at 1e3 x the largest first loss, above every point)
    assert figure.axes[0].get_ylim()[1] > 4.645e4
    assert not [t for t in figure.axes[0].texts if "cut off" in t.get_text()]
    runs = [demo.Run(0.1, [40.0] * 40), demo.Run(1.0, [40.0, 1e3, 1e8, 1e30], diverged_at=4)]
    axes = demo.loss_figure(plt, runs).axes[0]
    note = [t.get_text() for t in axes.texts if "cut off" in t.get_text()]
    assert note == [f"curves above {axes.get_ylim()[1]:.3g} cut off"]


def test_a_diverged_runs_cross_is_drawn_inside_the_axes(plt):
    # every point and the cross of a run diverging at 1e300 lay above the y-limit: invisible
    runs = [demo.Run(0.1, [40.0] * 40), demo.Run(1000.0, [40.0, 1e100, 1e300], diverged_at=3)]
    axes = demo.loss_figure(plt, runs).axes[0]
    bottom, top = axes.get_ylim()
    crosses = [line for line in axes.get_lines() if line.get_marker() == "x"]
    assert crosses and all(bottom <= y <= top for line in crosses for y in line.get_ydata())


def test_a_loss_plot_of_single_iterations_does_not_call_them_means(plt):
    axes = demo.loss_figure(plt, [demo.Run(0.1, [40.0, 30.0, 20.0])]).axes[0]
    assert "mean" not in axes.get_title().lower() and "mean" not in axes.get_ylabel().lower()


def test_learning_rates_that_would_share_a_label_are_refused_up_front():
    # 0.1,0.1 crashed after the first run with a recorder error about counting across epochs
    import argparse

    for given in ("0.1,0.1", "0.1,0.1000001"):
        with pytest.raises(argparse.ArgumentTypeError, match="label"):
            demo._learning_rates(given)
