"""A gallery of pictures: computation graphs and the backward pass, drawn with Graphviz.

    python demos/gallery.py [--out out/] [--format svg,png]   (also pdf, and gv: the DOT source)

Writes into the output folder:
  tour.*                 the README's first expression, y = tanh(x*w), after backward()
  expression.*           a small scalar expression (a neuron: tanh(x1*w1 + x2*w2 + b))
  network_values.*       the notebook's 3-4-2 network at scalar granularity (nn.MLP over Values)
  network_tensors.*      the same network as a Tensor graph (nn.Sequential)
  comparison.*           the README's first picture: the demo's graph of the network
                         (out/network_graph.png, the notebook's names) with hand-written
                         gradients: W1 as the notebook derived it (agrees), W2 with a sign
                         slip (disagrees)
  walkthrough.gif        the backward pass of y = x*x + x, one frame per step
  walkthrough.txt        the same walkthrough as a worked chain-rule derivation
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

import nn
from autograd import GraphvizNotFoundError, Tensor, Value, backward_walkthrough, draw_graph, render_graph
from autograd.draw import INSTALL_GRAPHVIZ
from autograd.files import replacing

sys.path.insert(0, str(Path(__file__).resolve().parent))
import backprop_from_scratch as notebook  # noqa: E402  (the seed's hand-derived gradients)


def tour() -> Value:
    """The README's five-minute tour starts here: tanh in its responsive range, so the
    gradients are of order one."""
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    y = (x * w).tanh()
    y.label = "y"
    y.backward()
    return y


def neuron() -> Value:
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    out = n.tanh()
    out.label = "out"
    out.backward()
    return out


def network_values(rng: np.random.Generator) -> Value:
    model = nn.MLP(3, [4, 2], activation="sigmoid", bias=False, rng=rng)
    x = [float(v) for v in rng.random(3)]
    loss = nn.squared_error(model(x), [10.0, -2.0])
    loss.label = "loss"
    loss.backward()
    return loss


def network_tensors(rng: np.random.Generator) -> tuple[Tensor, nn.Sequential, np.ndarray]:
    model = notebook.init_weights(rng)
    x = rng.random((3, 1))
    out = notebook.forward(model, x)
    out.label = "out"
    loss = notebook.loss(notebook.LABEL, out)
    loss.label = "loss"
    loss.backward()
    return loss, model, x


def seed_comparison(model: nn.Sequential, x: np.ndarray) -> tuple[Tensor, dict[Tensor, np.ndarray]]:
    """The graph `make demo` draws (x -> z -> h -> out -> L, as the notebook named
    them), after backward(), with the notebook's W1_grad and a W2_grad whose sign slipped."""
    W1, W2 = model[0].weight, model[2].weight
    model.zero_grad()  # the Tensor picture's backward() filled .grad already
    L = notebook.seed_graph(model, x, notebook.LABEL)
    L.backward()
    out = notebook.forward(model, x).data
    hand_W1 = notebook.W1_grad(x, notebook.LABEL, out, W1.data, W2.data)
    slipped_W2 = -notebook.W2_grad(x, notebook.LABEL, out, W1.data)  # (y - out) h^T: the sign slipped
    return L, {W1: hand_W1, W2: slipped_W2}


def walkthrough_example():
    x = Value(3.0, label="x")
    square = x * x
    square.label = "x*x"
    y = square + x
    y.label = "y"
    return backward_walkthrough(y)


def render(graph, out_dir: Path, name: str, formats: Sequence[str]) -> list[Path]:
    return [render_graph(graph, out_dir / f"{name}.{fmt}") for fmt in formats]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the gallery of graph pictures.")
    parser.add_argument("--out", type=notebook.output_folder, default="out", help="output folder (default out/)")
    parser.add_argument("--format", default="svg,png",
                        help="comma-separated: svg, png, pdf, gv (the DOT source) (default svg,png)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("svg", "png", "pdf", "gv")]
    if bad or not formats:
        parser.error(f"unknown format(s) {', '.join(bad)}: choose from svg, png, pdf, gv" if bad else
                     "give at least one format: svg, png, pdf, gv")
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(args.seed)

    loss, model, x = network_tensors(rng)
    pictures = {
        "tour": draw_graph(tour(), title="y = tanh(x*w), after backward()"),
        "expression": draw_graph(neuron(), title="tanh(x1*w1 + x2*w2 + b), after backward()"),
        "network_values": draw_graph(network_values(rng), rankdir="LR",
                                     title="The 3-4-2 network as scalar Values (nn.MLP)"),
        "network_tensors": draw_graph(loss, title="The 3-4-2 network as Tensors (nn.Sequential)"),
    }
    L, hand_written = seed_comparison(model, x)  # after the Tensor picture has read its gradients
    pictures["comparison"] = draw_graph(L, hand_written=hand_written, title="The 3-4-2 network as make demo "
                                        "draws it; hand-written gradients: W1 as the notebook derived it, "
                                        "W2 with a sign slip")
    walk = walkthrough_example()
    written: list[Path] = []
    try:
        for name, picture in pictures.items():
            written += render(picture, args.out, name, formats)
        written.append(walk.render_gif(args.out / "walkthrough.gif"))
    except GraphvizNotFoundError as error:
        for name, picture in pictures.items():
            written.append(render_graph(picture, args.out / f"{name}.gv"))
        print(f"Graphviz's dot is not installed, so only the DOT sources were written; {INSTALL_GRAPHVIZ}.",
              file=sys.stderr)
        del error
    text = args.out / "walkthrough.txt"
    with replacing(text) as temporary:
        temporary.write_text(str(walk) + "\n", encoding="utf-8")
    written.append(text)
    print(walk)
    print("\nFiles written:")
    for path in written:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
