"""An interactive explorer of a computation graph, as one self-contained HTML page.

``explore(root)`` lays the graph out with Graphviz (the same boxes as ``draw_graph``),
runs the engine's own backward pass while watching it (``backward_walkthrough``), and
returns an ``Explorer``: ``.save("graph.html")`` writes one HTML file with everything
inline (no server, no network: it works opened from disk), and in Jupyter it shows
itself. On the page a learner can

* click or hover a node: its data and gradient in full (shape, dtype), the operation
  that made it and its derivative rules, its inputs and users;
* step through the forward pass and then the backward pass (buttons, slider, the left
  and right arrow keys): the node being handled is highlighted, each chain-rule
  contribution to each input is shown with its numbers, ``+=`` marks a node used more
  than once, and gradients not yet complete show as pending;
* compare automatic, hand-written and numerical gradients (``hand_written=``,
  ``numerical=``): nodes coloured as in ``draw_graph``, the worst element on hover;
* zoom (mouse wheel) and pan (drag).

``Recorder`` records a graph's numbers every k steps of a training loop; its page plays,
pauses and steps through training with the loss curve beside the graph.

The page keeps everything it shows in ``<script type="application/json" id="explorer-data">``,
so tests (ours and anyone's) can read it. Why Graphviz's SVG rather than a JavaScript
layout library: the page must work offline, and the layout should match the pictures.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .core import Node
from .draw import (
    AGREE,
    DISAGREE,
    build_digraph,
    check_hand_written,
    expression,
    format_array,
    graph_nodes,
    node_names,
    refuse_changed,
    render_bytes,
    type_note,
)
from .files import replacing
from .gradcheck import AUTOMATIC, HAND_WRITTEN, NOTHING_COMPARED, NUMERICAL, as_gradient_array, compare_arrays
from .modes import grad
from .numeric import is_whole_number
from .value import Value
from .walkthrough import backward_walkthrough

__all__ = ["explore", "Explorer", "Recorder"]

TEMPLATE = Path(__file__).with_name("explore.html")
DATA_ID = "explorer-data"


# --------------------------------------------------------------------------- numbers as JSON


def array_json(x: Any) -> dict[str, Any] | None:
    """A number or array for the page: flat values (repr-exact; nan and inf as strings,
    which JSON has no numbers for), each as written in its own dtype's shortest exact
    digits (float32's 0.1 is 0.1, not float64's 0.10000000149011612; -0.0 keeps its sign,
    which JavaScript's String drops), shape, dtype, and the short text the graph shows."""
    if x is None:
        return None
    if isinstance(x, Node):
        x = x.data
    array = np.asarray(x)
    dtype = str(array.dtype) if isinstance(x, (np.ndarray, np.generic)) else type(x).__name__
    values = [v if math.isfinite(v) else str(v) for v in np.asarray(array, dtype=np.float64).ravel().tolist()]
    return {"shape": list(array.shape), "dtype": dtype, "values": values, "digits": shortest_digits(array),
            "text": format_array(x)}


def shortest_digits(array: np.ndarray) -> list[str]:
    """Each number of ``array`` in its dtype's shortest digits that read back exactly."""
    return [repr(float(v)) if array.dtype.kind == "f" and array.dtype.itemsize == 8 else str(v)
            for v in array.ravel()]  # (NumPy's str of a float32 is its shortest round-trip digits)


# --------------------------------------------------------------------------- the graph's payload


class _Layout:
    """The graph's nodes, names and SVG (laid out once by dot), shared by ``explore``
    and ``Recorder``."""

    def __init__(self, root: Node, nodes: list[Node], grads: Mapping[Node, Any], *, rankdir: str,
                 hand_written: Mapping[Node, Any] | None, atol: float, rtol: float, title: str | None) -> None:
        # ``grads``: the gradients to lay the cells out for (the complete ones), so that
        # the script's numbers fit the boxes dot drew
        self.root, self.nodes = root, nodes
        self.hand_written = check_hand_written(hand_written, self.nodes)
        self.ids = {node: f"v{i}" for i, node in enumerate(self.nodes)}
        self._draw = lambda verdicts: build_digraph(
            root, self.nodes, grads=grads, rankdir=rankdir, hand_written=self.hand_written, atol=atol, rtol=rtol,
            caption=title, element_ids=True, verdicts=verdicts).source
        self.names = node_names(self.nodes)  # the picture's own names, so page and picture agree
        self.source = self._draw(None)
        self._svg: str | None = None

    def colour_by(self, verdicts: Mapping[Node, bool]) -> None:
        """Colour the compared nodes, and the legend, by whether every pair compared
        agrees (dot alone would colour them by automatic vs hand-written)."""
        self.source, self._svg = self._draw(verdicts), None

    @property
    def svg(self) -> str:
        """The layout, run by dot when first asked for (a training loop records without it)."""
        if self._svg is None:
            svg = render_bytes(self.source, "svg").decode("utf-8")
            self._svg = svg[svg.index("<svg"):]  # without the XML prologue: the page inlines it
        return self._svg

    def nodes_json(self, rules: Mapping[Node, list[str]]) -> list[dict[str, Any]]:
        """Every node for the page; ``rules``: the derivative rules the backward pass
        applied at each node (from the walkthrough), for the node panel."""
        users: dict[Node, list[str]] = {node: [] for node in self.nodes}
        for node in self.nodes:
            for parent in dict.fromkeys(node.parents):
                users[parent].append(self.ids[node])
        items = []
        for node in self.nodes:
            kind = ("output" if node is self.root else "intermediate" if node.op is not None
                    else "parameter" if node.requires_grad else "input")
            items.append({
                "id": self.ids[node],
                "name": self.names[node],
                "kind": kind,
                "type": type_note(node) or "Value (a Python float)",
                "op": node.op.name if node.op is not None else None,
                "formulas": rules.get(node, []),
                "expression": f"{self.names[node]} = {expression(node, self.names)}" if node.op is not None else None,
                "inputs": [self.ids[p] for p in node.parents],
                "users": users[node],
                "requires_grad": bool(node.requires_grad),
                "data": array_json(node.data),
            })
        return items


def _comparisons(layout: _Layout, automatic: Mapping[Node, Any], numerical: Mapping[Node, Any],
                 atol: float, rtol: float) -> dict[str, Any]:
    """Per compared node: every available pair (automatic, hand-written, numerical)
    compared by the gradient check's own rule, and the values at the worst element."""
    result = {}
    for node in layout.nodes:
        sources = {}
        if node in automatic:
            sources[AUTOMATIC] = as_gradient_array(automatic[node])
        if node in layout.hand_written:
            sources[HAND_WRITTEN] = as_gradient_array(layout.hand_written[node])
        if node in numerical:
            sources[NUMERICAL] = as_gradient_array(numerical[node])
        if len(sources) < 2:
            continue
        pairs = [(a, b) for a, b in ((AUTOMATIC, HAND_WRITTEN), (AUTOMATIC, NUMERICAL), (HAND_WRITTEN, NUMERICAL))
                 if a in sources and b in sources]
        checks = [compare_arrays(a, sources[a], b, sources[b], atol, rtol) for a, b in pairs]
        worst = max(checks, key=lambda c: c.max_abs_error)
        at_worst = {name: (float(g[worst.worst_index]) if g.shape and len(worst.worst_index) == g.ndim
                           else float(g) if not g.shape else None)
                    for name, g in sources.items()}
        result[layout.ids[node]] = {
            "passed": all(c.passed for c in checks),
            "pairs": [{"first": c.first, "second": c.second, "passed": c.passed, "note": c.note,
                       "max_abs_error": c.max_abs_error if math.isfinite(c.max_abs_error) else str(c.max_abs_error)}
                      for c in checks],
            "worst_index": list(worst.worst_index),
            "at_worst": {k: (v if v is None or math.isfinite(v) else str(v)) for k, v in at_worst.items()},
        }
    return result


# --------------------------------------------------------------------------- the page


class Explorer:
    """One explorer page: ``.save(path)`` writes it, Jupyter shows it inline, and
    ``.data`` is what the page shows (the JSON in its ``explorer-data`` script)."""

    def __init__(self, data: dict[str, Any], svg: str) -> None:
        self.data, self.svg = data, svg

    def html(self) -> str:
        """The whole page as text: template, SVG and data, all inline."""
        payload = json.dumps(self.data, allow_nan=False, separators=(",", ":"))
        # "</script>" inside a script element would end it, and "<!--" or "<script" change how
        # the browser reads what follows: "<" as a JSON escape keeps any label plain text
        payload = payload.replace("<", "\\u003c")
        fields = {"TITLE": html.escape(self.data["title"]), "DATA_ID": DATA_ID, "DATA": payload, "SVG": self.svg}
        # one pass, so a label that happens to read "{{SVG}}" stays a label
        return re.sub(r"\{\{(TITLE|DATA_ID|DATA|SVG)\}\}", lambda m: fields[m.group(1)],
                      TEMPLATE.read_text(encoding="utf-8"))

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (folders created; written whole or not at all)."""
        path = Path(path)
        if path.suffix.lower() not in (".html", ".htm"):
            raise ValueError(f"an explorer page is HTML: give a path ending in .html, not {path.name!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as temporary:
            temporary.write_text(self.html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        # Jupyter sanitises nothing inside an iframe's srcdoc, and the page's ids and
        # keyboard handling stay its own: one explorer per frame.
        return (f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" '
                'style="width: 100%; height: 640px; border: 1px solid #ccc"></iframe>')

    def __repr__(self) -> str:
        what = "training playback" if self.data["mode"] == "training" else "graph explorer"
        return (f"<Explorer ({what}): {self.data['title']}, {len(self.data['nodes'])} nodes. "
                "In Jupyter it displays itself; .save('graph.html') writes one self-contained page>")


def explore(
    root: Node,
    *,
    hand_written: Mapping[Node, Any] | None = None,
    numerical: Mapping[Node, Any] | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    title: str | None = None,
    rankdir: str = "LR",
    max_nodes: int = 400,
) -> Explorer:
    """An interactive page for the graph that computed ``root``.

    The backward pass shown is the engine's own, run by ``backward_walkthrough``
    (``.grad`` is left as it was, so calling ``backward()`` first is not needed).
    ``hand_written`` and ``numerical`` map nodes to gradients to compare with the
    automatic ones, agreeing within ``atol + rtol * |reference|`` as in ``gradcheck``.

    >>> from autograd import Value, explore
    >>> x = Value(3.0, label="x")
    >>> y = x * x + x
    >>> page = explore(y)
    >>> len(page.data["backward"]), page.data["nodes"][-1]["expression"]
    (3, 'n2 = n1 + x')
    """
    if not isinstance(root, Node):
        raise TypeError(f"explore needs a Value or Tensor, not {type(root).__name__}")
    numerical = dict(numerical or {})
    nodes = graph_nodes(root, max_nodes)
    check_hand_written(numerical, nodes)
    refuse_changed(nodes, "explore")
    if root.requires_grad and np.size(root.data) != 1:
        raise ValueError(f"explore shows the backward pass from a one-number root (a loss), and this one has shape "
                         f"{np.shape(root.data)}: explore its sum (root.sum()) or the loss computed from it")
    walk = backward_walkthrough(root, max_nodes=max_nodes) if root.requires_grad else None
    gradients = walk.gradients() if walk is not None else {}
    layout = _Layout(root, nodes, gradients, rankdir=rankdir, hand_written=hand_written,
                     atol=atol, rtol=rtol, title=title)
    data: dict[str, Any] = {
        "mode": "graph",
        "title": title or f"The graph of {layout.names[root]}",
        "root": layout.ids[root],
        "nodes": layout.nodes_json({step.node: [c.rule for c in step.contributions] for step in walk or []}),
        "forward": [layout.ids[node] for node in layout.nodes if node.op is not None],
        "backward": [],
        "comparisons": {},
        "colours": {"agree": AGREE, "disagree": DISAGREE},
    }
    if walk is not None:
        data["backward"] = [{
            "node": layout.ids[step.node],
            "upstream": array_json(step.upstream),
            "contributions": [{
                "input": layout.ids[c.input],
                "rule": c.rule,
                "local": array_json(c.local),
                "value": array_json(c.value),
                "total": array_json(c.total),
                "reused": c.reused,
            } for c in step.contributions],
        } for step in walk.steps]
        data["comparisons"] = _comparisons(layout, gradients, numerical, atol, rtol)
        if numerical:
            compared = {layout.ids[node]: node for node in layout.nodes if layout.ids[node] in data["comparisons"]}
            layout.colour_by({node: data["comparisons"][key]["passed"] for key, node in compared.items()
                              if not all(pair["note"] == NOTHING_COMPARED  # (no elements: neither colour)
                                         for pair in data["comparisons"][key]["pairs"])})
    return Explorer(data, layout.svg)


# --------------------------------------------------------------------------- training playback


class Recorder:
    """Records a training loop for playback: the loss at every ``record`` call, and
    every ``every`` steps the data and gradients of every node of the graph given (the
    same example's graph each time, so the layout stays put).

    Call ``record`` after ``backward()`` and before the optimizer's step, so the
    gradients recorded are the ones the step uses. ``run=`` names a run (one per
    learning rate, say); the page lets you choose between runs.

    >>> from autograd import Value
    >>> from autograd.explore import Recorder
    >>> w = Value(1.0, label="w")
    >>> recorder = Recorder(every=2)
    >>> for step in range(5):
    ...     loss = (w * 3.0 - 6.0) ** 2
    ...     w.grad = 0.0
    ...     loss.backward()
    ...     taken = recorder.record(step, loss)
    ...     w.data -= 0.01 * w.grad
    >>> [snapshot["step"] for snapshot in recorder.runs["run"]["snapshots"]]
    [0, 2, 4]
    """

    def __init__(self, every: int = 10, *, title: str = "Training", max_nodes: int = 400) -> None:
        if not isinstance(every, int) or every < 1:
            raise ValueError(f"every must be a whole number of steps, at least 1, not {every!r}")
        self.every, self.title, self.max_nodes = every, title, max_nodes
        self.runs: dict[str, dict[str, Any]] = {}
        self._layout: _Layout | None = None
        self._structure: list[tuple[Any, ...]] = []  # the first snapshot's (_structure), which all must keep

    def due(self, step: int) -> bool:
        """Whether ``record`` takes a snapshot of the graph at this step (every ``every``
        steps, from 0): build the graph you want shown then."""
        return step % self.every == 0

    def record(self, step: int, root: Node, *, run: str = "run", loss: float | None = None) -> bool:
        """Note the loss (``root``'s value unless ``loss`` is given) and, when ``due(step)``,
        the numbers of every node of ``root``'s graph. Returns True when a snapshot was taken."""
        if not isinstance(root, Node):
            raise TypeError(f"record needs the graph's root (a Value or Tensor), not {type(root).__name__}")
        if not is_whole_number(step):
            raise TypeError(f"record's step is a whole number (the iteration), not {step!r}")  # (1.5 became 1)
        number = root.data if loss is None else loss
        if isinstance(number, (str, bytes, bool, np.bool_)) or np.asarray(number).dtype.kind not in "iuf":
            raise TypeError(f"record's loss is a number, not {number!r}")  # ("0.5" was read as 0.5)
        if np.size(number) != 1:
            raise ValueError(f"record needs a one-number loss, not shape {np.shape(number)}: "
                             "pass loss= when the root is not the loss")
        value = float(np.asarray(number, dtype=np.float64).reshape(-1)[0])
        entry = self.runs.setdefault(run, {"name": run, "steps": [], "losses": [], "snapshots": []})
        if entry["steps"] and int(step) <= entry["steps"][-1]:  # (the page finds a step's loss by its number)
            raise ValueError(f"step {step} of run {run!r} comes after step {entry['steps'][-1]}: steps must "
                             "increase within a run (count across epochs: epoch * steps_per_epoch + i)")
        entry["steps"].append(int(step))
        entry["losses"].append(value if math.isfinite(value) else str(value))
        if not self.due(step):
            return False
        nodes = graph_nodes(root, self.max_nodes)
        if root.requires_grad and not any(node.grad is not None and not (isinstance(node, Value) and node.grad == 0.0)
                                          for node in nodes if node.requires_grad):
            warnings.warn(f"record(step {step}): no node of this graph has a gradient yet, so the snapshot shows "
                          "none; call loss.backward() before record()", RuntimeWarning, stacklevel=2)
        if self._layout is None:
            grads = {node: node.grad for node in nodes if node.requires_grad}
            self._layout = _Layout(root, nodes, grads, rankdir="LR", hand_written=None,
                                   atol=0.0, rtol=0.0, title=None)
            self._structure = _structure(nodes)
        elif (now := _structure(nodes)) != self._structure:
            first = self._structure
            differ = next((i for i, (a, b) in enumerate(zip(now, first)) if a != b), None)
            what = (f"{len(now)} nodes vs {len(first)}" if differ is None else
                    f"node {differ} is {now[differ]}, was {first[differ]} (op, inputs, type)")
            raise ValueError(
                f"the graph recorded at step {step} (run {run!r}) is not shaped like the first one "
                f"({what}): record the same example's graph, built the same way, at every step")
        entry["snapshots"].append({
            "step": int(step),
            "loss": shortest_digits(np.asarray(number))[0],  # (a float32 loss in float32's digits)
            "data": [array_json(node.data) for node in nodes],
            "grad": [array_json(g) if node.requires_grad else None for node, g in zip(nodes, _grads(root, nodes))],
        })
        return True

    def explorer(self) -> Explorer:
        """The playback page."""
        if self._layout is None:
            raise RuntimeError("nothing recorded yet: call record(step, loss) in the training loop first")
        layout = self._layout
        for run in self.runs.values():
            if not run["snapshots"]:  # (its losses were recorded, and it was left out of the chooser without a word)
                warnings.warn(f"run {run['name']!r} has no snapshot (none of its {len(run['steps'])} steps was due: "
                              f"every={self.every}), so the page leaves it out", RuntimeWarning, stacklevel=2)
        data = {
            "mode": "training",
            "title": self.title,
            "root": layout.ids[layout.root],
            "nodes": layout.nodes_json({}),
            "forward": [], "backward": [], "comparisons": {},
            "runs": [run for run in self.runs.values() if run["snapshots"]],
            "every": self.every,
        }
        return Explorer(data, layout.svg)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the playback page (see ``Explorer.save``)."""
        return self.explorer().save(path)

    def _repr_html_(self) -> str:
        return self.explorer()._repr_html_()


def _grads(root: Node, nodes: list[Node]) -> list[Any]:
    """Each node's ``.grad``; after ``backward(intermediate_grads=False)``, which lets the
    intermediate ones go (the root's shows none), theirs from that pass again, through
    ``autograd.grad`` (which touches no ``.grad``): the page showed 0 or "none" for them."""
    grads = [node.grad for node in nodes]
    let_go = root.op is not None and (root.grad is None or (isinstance(root, Value) and root.grad == 0.0))
    if not let_go or np.size(root.data) != 1 or not any(node.op is None and node.requires_grad and
                                                          node.grad is not None for node in nodes):
        return grads
    intermediate = [node for node in nodes if node.op is not None and node.requires_grad]
    again = {id(node): g for node, g in zip(intermediate, grad(root, intermediate, allow_unused=True))}
    return [again.get(id(node), g) if node.op is not None else g for node, g in zip(nodes, grads)]


def _structure(nodes: list[Node]) -> list[tuple[Any, ...]]:
    """What must stay the same between recorded steps: each node's op, inputs, shape and
    dtype (the picture's boxes show the first step's)."""
    position = {node: i for i, node in enumerate(nodes)}
    return [(node.op.name if node.op else None, tuple(position[p] for p in node.parents), type_note(node))
            for node in nodes]
