"""Pictures of computation graphs, drawn with Graphviz.

``draw_graph(root)`` returns a ``graphviz.Digraph``: one box per node (its label, data
and gradient), a small oval per operation, arrows in the forward direction. In
Jupyter it displays itself; ``render_graph(graph, "graph.svg")`` writes SVG, PNG, PDF
or the DOT source (``.gv``).

The ``graphviz`` package is imported only when a graph is drawn, so ``import
autograd`` stays light. Rendering runs Graphviz's ``dot`` program; when it is missing,
``GraphvizNotFoundError`` says how to install it and the DOT source is still written.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .core import Node, backward_order
from .files import replacing
from .gradcheck import AUTOMATIC, HAND_WRITTEN, NOTHING_COMPARED, as_gradient_array, compare_arrays
from .numeric import is_whole_number
from .tensor import Tensor
from .value import Value

__all__ = [
    "draw_graph",
    "render_graph",
    "node_names",
    "GraphvizNotFoundError",
    "GraphTooLargeError",
    "INSTALL_GRAPHVIZ",
]

INSTALL_GRAPHVIZ = (
    "install it with: sudo apt-get install graphviz (Debian/Ubuntu), "
    "brew install graphviz (macOS), or conda install -c conda-forge graphviz (conda)"
)
FORMATS = ("svg", "png", "pdf", "gv")

# The look of each kind of node, explained by the legend.
KINDS = {
    "input": ("#eeeeee", "input or constant (needs no gradient)"),
    "parameter": ("#cfe3ff", "parameter (a leaf that requires grad)"),
    "intermediate": ("#ffffff", "intermediate result"),
    "output": ("#ffd98a", "output (where backward starts)"),
}
AGREE, DISAGREE = "#bfe8bf", "#ffb3b3"
WITHIN_ATOL = "#fff0b3"  # agrees only because every gradient compared is below atol: a sign flip would pass
HIGHLIGHT = "#d62728"


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program is not installed; ``.source`` holds the DOT text and
    ``.source_path`` the ``.gv`` file it was written to (if a file was asked for)."""

    def __init__(self, message: str, source: str, source_path: Path | None) -> None:
        super().__init__(message)
        self.source = source
        self.source_path = source_path


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes``; drawing it would take ``dot`` ages."""


# --------------------------------------------------------------------------- naming and formatting


def node_names(nodes: Iterable[Node]) -> dict[Node, str]:
    """A name for every node: its label (a label that several nodes share, as nn's layers
    share ``weight``, with ``#2``, ``#3`` after it from its second node on); for an
    unlabelled constant (the 2 in ``x ** 2``) its value; otherwise n1, n2, ... in the given
    order, without gaps.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x ** 2 + x
    >>> sorted(node_names([x, y.parents[0].parents[1], y.parents[0], y]).values())
    ['2', 'n1', 'n2', 'x']
    """
    nodes = list(nodes)
    labels = {node.label for node in nodes if node.label}
    names: dict[Node, str] = {}
    numbered = 0
    seen: dict[str, int] = {}  # a label given to several nodes (nn's weight, bias): weight, weight#2, ...
    for node in nodes:
        if node.label:
            seen[node.label] = count = seen.get(node.label, 0) + 1
            names[node] = node.label if count == 1 else f"{node.label}#{count}"
        elif is_constant(node) and np.ndim(node.data) == 0:
            names[node] = constant_name(node.data)
        else:
            numbered += 1
            while f"n{numbered}" in labels:  # (a label "n1" of the user's: the next free number)
                numbered += 1
            names[node] = f"n{numbered}"
    return names


def constant_name(x: Any) -> str:
    """A constant's value as written, when it has at most 6 significant digits (0.99999,
    123456: rounded to 4, "a * 1" would name another expression); else rounded, and
    marked so (``≈0.672``)."""
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    value = float(x)
    exact = f"{value:.6g}"
    return exact if float(exact) == value or np.float32(exact) == x else f"≈{value:.4g}"


def is_constant(node: Node) -> bool:
    """A number written into an expression (the 0.5 in ``t * 0.5``): a leaf made by an
    operation's second operand, needing no gradient. Inputs the user created from arrays
    (``Tensor(x)``) are not constants."""
    return node.op is None and not node.requires_grad and not isinstance(node.data, (np.ndarray, list))


def type_note(node: Node) -> str | None:
    """What a Tensor node's data really is: "(2, 1) float64", or "constant (Python int)" for a
    constant kept as written (the 2 in ``t ** 2`` stays an exact integer exponent).
    None for scalar Values, whose data is always a float."""
    if not isinstance(node, Tensor):
        return None
    data = node.data
    if isinstance(data, (np.ndarray, np.generic)):
        return f"{np.shape(data)} {data.dtype}"
    return f"constant (Python {type(data).__name__})"


INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "matmul": "@"}


def expression(node: Node, names: Mapping[Node, str]) -> str:
    """How ``node`` was computed, in its inputs' names: "a * b", "W1 @ x", "-a", "tanh(n)"."""
    args = [names[p] for p in node.parents]
    if len(args) == 2 and node.op.name in INFIX:
        return f"{args[0]} {INFIX[node.op.name]} {args[1]}"
    if node.op.name == "neg":
        return f"-{args[0]}"
    return f"{node.op.name}({', '.join(args)})"


def _kind(node: Node, root: Node) -> str:
    if node is root:
        return "output"
    if node.op is None:
        return "parameter" if node.requires_grad else "input"
    return "intermediate"


def format_number(x: float) -> str:
    return f"{x:.4g}"


def format_array(x: Any, max_elements: int = 12) -> str:
    """Small arrays in full (4 significant digits), large ones as min/mean/max."""
    if isinstance(x, Node):
        x = x.data
    if np.ndim(x) == 0:
        return format_number(float(x))
    x = np.asarray(x)
    if x.size == 0 and x.ndim > 1:  # ("[]" for (0, 3), (3, 0) and (2, 0, 4) alike)
        return f"[] (shape {x.shape})"
    if x.size <= max_elements:  # (each number as format_number writes it: precision= gives 4 decimals, not digits)
        return np.array2string(x, separator=", ", max_line_width=60, threshold=max_elements,
                               formatter={"float_kind": format_number})  # type: ignore[arg-type]
    return f"min {format_number(x.min())}  mean {format_number(x.mean())}  max {format_number(x.max())}"


MAX_TEXT = 500  # characters of one label, note or caption shown in a picture
# What XML does not allow, so neither does dot in an HTML-like label: control
# characters other than tab, newline and carriage return, lone surrogates (they have no
# UTF-8 form at all), and the non-characters U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff\ufffe\uffff]")  # (and tab, CR: dot drops them)


def _visible(text: str) -> str:
    r"""``text`` as dot can take it: shortened to ``MAX_TEXT`` characters with an
    ellipsis (dot refuses an HTML label of 16 KB or more, and no picture can show that
    much), and every character XML does not allow (or dot would drop: a tab, a carriage
    return) written as its Python escape.

    >>> _visible("bell\x07, lone \udc80")
    'bell\\x07, lone \\udc80'
    >>> len(_visible("x" * 20_000)), _visible("x" * 20_000)[-1]
    (500, '…')
    """
    if len(text) > MAX_TEXT:
        text = text[:MAX_TEXT - 1] + "\u2026"
    return _NOT_XML.sub(lambda match: ascii(match.group())[1:-1], text)


def _html(text: str) -> str:
    """Text for an HTML-like Graphviz label: every special character escaped, so a
    name can never break or inject into the DOT source; newlines become line breaks.
    dot reads backslash escapes even inside HTML labels (\\N is the node's name), so a
    backslash is doubled to stand for itself."""
    escaped = html.escape(_visible(text), quote=True).replace("\\", "\\\\")
    return "<BR/>".join(escaped.split("\n")) if escaped else " "


def _summed_axes(out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> tuple[int, ...]:
    extra = len(out_shape) - len(in_shape)
    stretched = [extra + i for i, n in enumerate(in_shape) if n == 1 and out_shape[extra + i] != 1]
    return tuple(range(extra)) + tuple(stretched)


def broadcast_note(node: Node, parent: Node) -> str | None:
    """What the backward pass does on the edge parent -> node when broadcasting
    stretched the parent: e.g. "grad summed over axis 0: (4, 3) -> (3,)"."""
    if node.op is None or not isinstance(node, Tensor) or not parent.requires_grad:
        return None  # (a constant or an input: no gradient is summed for it)
    if node.op.name == "matmul":  # the batch axes broadcast: an operand's per-batch gradients summed
        return _matmul_batch_note(node, parent)
    if not node.op.broadcasts:
        return None
    out_shape, in_shape = np.shape(node.data), np.shape(parent.data)
    return _summed_note(out_shape, in_shape)


def _summed_note(out_shape: tuple[int, ...], in_shape: tuple[int, ...]) -> str | None:
    if in_shape == out_shape:
        return None
    axes = _summed_axes(out_shape, in_shape)
    word = "axis" if len(axes) == 1 else "axes"
    return f"grad summed over {word} {', '.join(map(str, axes))}: {out_shape} -> {in_shape}"


def _matmul_batch_note(node: Node, parent: Node) -> str | None:
    in_shape = np.shape(parent.data)
    if len(in_shape) < 2:
        return None
    batch = np.broadcast_shapes(*[np.shape(p.data)[:-2] for p in node.parents])
    return _summed_note(tuple(batch) + tuple(in_shape[-2:]), in_shape)


def _is_seed(grad: Any) -> bool:
    """Whether a root's gradient is the one backward() starts from: 1 (ones)."""
    numbers = np.asarray(grad.data if isinstance(grad, Node) else grad)
    return bool(numbers.size) and bool(np.all(numbers == 1))


def _gradient_available(root: Node) -> bool:
    grad = root.grad
    return grad is not None and not (isinstance(grad, float) and grad == 0.0)


def changed_since_forward(nodes: list[Node]) -> list[Node]:
    """The tensors whose numbers changed after an operation of this graph used them (their
    version counters moved: what makes ``backward()`` refuse the graph); and the Values an
    operation made that no longer equal it on their inputs' numbers now (a Value has no
    counter: an input's ``.data``, or the node's, was set since)."""
    changed: list[Node] = []
    for node in nodes:
        if isinstance(node, Value) and node.op is not None and _not_what_its_operation_gives(node):
            changed.append(node)
        elif isinstance(node, Tensor) and node.op is not None:
            used = [x for x, then in zip(node.inputs, node.versions) if x._version != then]
            for x in used + ([node] if node._version else []):
                if not any(x is seen for seen in changed):  # (not `in`: == compares numbers)
                    changed.append(x)
    return changed


def _not_what_its_operation_gives(node: Value) -> bool:
    from .modes import no_grad

    with no_grad(), np.errstate(all="ignore"):
        try:
            again = Value.apply(node.op, tuple(node.inputs)).data  # (as the forward pass computed it)
        except Exception:  # (an operation that needs more than its inputs: nothing to tell)
            return False
    return not (again == node.data or (again != again and node.data != node.data))


def refuse_changed(nodes: list[Node], tool: str) -> None:
    """Raise, as ``backward()`` raises for a tensor, when a number of the graph changed after
    the forward pass (for a Value, which ``backward()`` cannot tell: see changed_since_forward)."""
    changed = changed_since_forward(nodes)
    if changed:
        raise RuntimeError(f"{tool}: {_changed_text(changed, node_names(nodes))}, so its steps would mix old and "
                           "new numbers; run the forward pass again")


def _changed_text(changed: list[Node], names: Mapping[Node, str]) -> str:
    tensors = [node for node in changed if not isinstance(node, Value)]
    values: list[Node] = [node for node in changed if isinstance(node, Value)]
    said = [f"{_listed(tensors, names)} changed after the forward pass"] if tensors else []
    if values:
        said.append(f"{_listed(values, names)} is no longer what its operation gives on its inputs' numbers: "
                    "a Value's .data changed after the forward pass")
    return "; ".join(said)


def _not_of_one_pass(root: Node, leaves: list[Node]) -> list[Node]:
    """The leaves whose ``.grad`` is not what one backward pass from ``root`` gives them
    (two passes added up, a ``zero_grad()`` since), found by running that pass again
    through ``autograd.grad``, which touches no ``.grad``."""
    from .modes import grad

    if not leaves:
        return []
    with np.errstate(all="ignore"):
        try:
            one_pass = grad(root, leaves, allow_unused=True)
        except (RuntimeError, ValueError):  # (a pass from here fails: backward() says why; nothing to compare)
            return []
        return [leaf for leaf, expected in zip(leaves, one_pass)
                if not _same_gradient(leaf.grad, expected)]


def _same_gradient(shown: Any, expected: Any) -> bool:
    if expected is None:  # (no path from the root to it)
        return shown is None or not np.any(shown)
    if shown is None:
        return False
    shown, expected = np.asarray(shown, dtype=float), np.asarray(expected, dtype=float)
    # (the same numbers summed in another order may differ in the last digits)
    return shown.shape == expected.shape and bool(np.allclose(shown, expected, rtol=1e-9, atol=0.0, equal_nan=True))


def _listed(nodes: list[Node], names: Mapping[Node, str]) -> str:
    shown = [names[node] for node in nodes[:4]]
    return ", ".join(shown) + (f" and {len(nodes) - 4} more" if len(nodes) > 4 else "")


def check_hand_written(hand_written: Mapping[Node, Any] | None, nodes: list[Node]) -> dict[Node, Any]:
    """``hand_written`` as a dict, after checking that every key is a node of this graph
    (a label or a node from another graph would otherwise be ignored without a word)."""
    if hand_written is None:
        return {}
    if not isinstance(hand_written, Mapping):
        raise TypeError(f"hand_written must be a dict {{node: gradient}}, not {type(hand_written).__name__}")
    in_graph = {id(node) for node in nodes}
    labelled = {node.label for node in nodes if node.label}
    for key in hand_written:
        if not isinstance(key, Node):
            hint = (f"; the graph has a node labelled {key!r}: use that node itself as the key"
                    if isinstance(key, str) and key in labelled else "")
            raise TypeError(f"hand_written is keyed by the nodes themselves (Value or Tensor objects), "
                            f"not by {type(key).__name__} {key!r}{hint}")
        if id(key) not in in_graph:
            name = f"labelled {key.label!r}" if key.label else "without a label"
            raise ValueError(f"hand_written has a gradient for a node {name} that is not in this graph; "
                             "give gradients only for nodes the drawn root depends on (a node from an "
                             "earlier forward pass is a different node)")
    return dict(hand_written)


# --------------------------------------------------------------------------- building the graph


def graph_nodes(root: Node, max_nodes: int) -> list[Node]:
    """Every node the root depends on, inputs first, or a clear refusal if too many."""
    if not isinstance(root, Node):
        raise TypeError(f"draw_graph needs a Value or Tensor, not {type(root).__name__}")
    if not is_whole_number(max_nodes) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a whole number, at least 1, not {max_nodes!r}")
    nodes = backward_order([root], every_input=True)
    if len(nodes) > max_nodes:
        raise GraphTooLargeError(
            f"this graph has {len(nodes)} nodes, more than max_nodes={max_nodes}; Graphviz would "
            "take very long to lay it out. Draw a smaller part (call draw_graph on an "
            "intermediate node) or pass a larger max_nodes."
        )
    nodes.reverse()
    return nodes


def _digraph_class() -> type:
    """graphviz.Digraph, with a Jupyter display that falls back to the DOT source and
    install instructions when ``dot`` is missing."""
    global _GraphPicture
    if _GraphPicture is None:
        import graphviz

        class GraphPicture(graphviz.Digraph):
            summary = "a computation graph"

            def __repr__(self) -> str:
                return (f"<GraphPicture: {self.summary}. In Jupyter it displays itself; "
                        "render_graph(picture, 'graph.svg') writes .svg/.png/.pdf; .source is the DOT text>")

            def _repr_mimebundle_(self, include=None, exclude=None, **kwargs):
                try:
                    return super()._repr_mimebundle_(include, exclude, **kwargs)
                except graphviz.ExecutableNotFound:
                    return {"text/plain": f"Graphviz's dot program is not installed; {INSTALL_GRAPHVIZ}."
                            f"\n\nDOT source:\n{self.source}"}

        _GraphPicture = GraphPicture
    return _GraphPicture


_GraphPicture: type | None = None


def build_digraph(
    root: Node,
    nodes: list[Node],
    *,
    grads: Mapping[Node, Any] | None,
    rankdir: str = "LR",
    show_data: bool = True,
    hand_written: Mapping[Node, Any] | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    highlight: Node | None = None,
    notes: Mapping[Node, str] | None = None,
    caption: str | None = None,
    element_ids: bool = False,
    verdicts: Mapping[Node, bool] | None = None,
    started_here: bool = True,
) -> Any:
    """The Digraph for ``nodes`` (inputs first, ending at ``root``), showing ``grads``
    (a mapping node -> gradient; None shows no gradients). Used by ``draw_graph``, by
    the walkthrough frames, which pass partial gradients and a highlighted node, and by
    the explorer, whose ``element_ids`` give every node, data cell, gradient cell and
    edge an SVG id (``v3``, ``v3-data``, ``v3-grad``, ``op3``, ``op3-in0``, ``op3-out``)
    for its script to update, and whose ``verdicts`` (node -> whether every pair of
    automatic, hand-written and numerical gradients agrees) colour the compared nodes."""
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"rankdir must be one of LR, RL, TB, BT, not {rankdir!r}")
    graph = _digraph_class()(
        "computation_graph",
        # nslimit, nslimit1: dot's network simplex stops after 5 passes per node. Without a
        # limit an input used by every step of a chain (a recurrence's x) kept dot busy for
        # minutes: 153 nodes over 120 s, now 1.4 s; 378 nodes 27 s. Every committed picture's
        # layout is the same with the limit as without (dot -Tsvg, byte for byte).
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "fontsize": "12",
                    "labelloc": "t", "nodesep": "0.25", "ranksep": "0.35", "nslimit": "5", "nslimit1": "5"},
        node_attr={"fontname": "Helvetica", "fontsize": "11"},
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "color": "#555555"},
    )
    names = node_names(nodes)
    ids = {node: f"v{i}" for i, node in enumerate(nodes)}
    hand_written = check_hand_written(hand_written, nodes)
    graph.summary = (f"{len(nodes)} nodes ({sum(n.op is not None for n in nodes)} operations) "
                     f"ending at {names[root]}")

    def cell(node: Node, part: str) -> str:
        """A data or gradient cell, with an SVG id when the explorer asks for one."""
        if not element_ids:
            return '<TD ALIGN="LEFT">'
        return f'<TD ALIGN="LEFT" ID="{ids[node]}-{part}" HREF="#" TITLE="{part}">'
    notes = notes or {}
    used_kinds: set[str] = set()
    compared = {"agree": False, "within atol": False, "disagree": False}

    for node in nodes:
        kind = _kind(node, root)
        fill = KINDS[kind][0]
        rows = [f'<TR><TD COLSPAN="2"><B>{_html(names[node])}</B></TD></TR>']
        note = type_note(node)
        if note:  # a Tensor: its shape and dtype, as its data has them
            rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="9">{_html(note)}</FONT></TD></TR>')
        if show_data:
            rows.append(f'<TR><TD ALIGN="LEFT">data</TD>{cell(node, "data")}{_html(format_array(node.data))}</TD></TR>')
        if grads is not None and node.requires_grad:
            grad = grads.get(node)
            text = "?" if grad is None else format_array(grad)
            rows.append(f'<TR><TD ALIGN="LEFT">grad</TD>{cell(node, "grad")}{_html(text)}</TD></TR>')
        automatic = grads.get(node) if grads is not None else node.grad
        if node in hand_written and automatic is not None:
            # the gradient check's own comparison: agree when |auto - hand| <= atol + rtol*|hand|
            check = compare_arrays(AUTOMATIC, as_gradient_array(automatic), HAND_WRITTEN,
                                   as_gradient_array(hand_written[node]), atol, rtol)
            within_atol = check.passed and check.note.startswith("all within atol only")
            outcome = "within atol" if within_atol else "agree" if check.passed else "disagree"
            if check.note == NOTHING_COMPARED:  # (no colour: nothing agreed or disagreed)
                text = f"hand-written: {NOTHING_COMPARED}"
            else:
                fill = {"within atol": WITHIN_ATOL, "agree": AGREE, "disagree": DISAGREE}[outcome]
                if verdicts is None:
                    compared[outcome] = True
                verdict = "agrees only within atol" if within_atol else "agrees" if check.passed else "DISAGREES"
                detail = (check.note if check.note.startswith("shapes")
                          else f"max |auto - hand| = {check.max_abs_error:.2g}")
                if within_atol:
                    detail += f"; every gradient here is below atol={atol:g}: pass a smaller atol to compare them"
                text = f"hand-written {verdict}: {detail}"
            rows.append(f'<TR><TD COLSPAN="2"><FONT POINT-SIZE="9">{_html(text)}</FONT></TD></TR>')
        if verdicts is not None and node in verdicts:  # every pair compared, not this one alone
            fill = AGREE if verdicts[node] else DISAGREE
            compared["agree" if verdicts[node] else "disagree"] = True
        if fill == KINDS[kind][0]:  # the legend explains only the colours some box is drawn in
            used_kinds.add(kind)
        if node in notes:
            rows.append(f'<TR><TD COLSPAN="2"><FONT COLOR="{HIGHLIGHT}">{_html(notes[node])}</FONT></TD></TR>')
        border = f'BORDER="3" COLOR="{HIGHLIGHT}"' if node is highlight else 'BORDER="1"'
        table = (f'<<TABLE {border} CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{fill}">'
                 + "".join(rows) + "</TABLE>>")
        graph.node(ids[node], label=table, shape="plain", **({"id": ids[node]} if element_ids else {}))

        if node.op is not None:
            op_id = f"op{ids[node][1:]}"
            op_attributes = {"shape": "ellipse", "style": "filled", "fillcolor": "#f4f4f4",
                             "fontsize": "10", "height": "0.3", "margin": "0.05"}
            if node is highlight:
                op_attributes.update(color=HIGHLIGHT, penwidth="2.5")
            if element_ids:
                op_attributes["id"] = op_id
            graph.node(op_id, label=_html(node.op.name).join("<>"), **op_attributes)
            graph.edge(op_id, ids[node], **({"id": f"{op_id}-out"} if element_ids else {}))
            for position, parent in enumerate(node.parents):
                edge = {"id": f"{op_id}-in{position}"} if element_ids else {}
                note = broadcast_note(node, parent)
                if note:
                    edge.update(label=_html(note).join("<>"), fontcolor="#8a4b00", color="#c07000")
                if node is highlight and parent.requires_grad:
                    edge.update(color=HIGHLIGHT, penwidth="2.5")
                graph.edge(ids[parent], op_id, **edge)

    _add_legend(graph, used_kinds, compared, every_pair=verdicts is not None, started_here=started_here)
    if caption:
        graph.attr(label=_html(caption).join("<>"))
    return graph


def _add_legend(graph: Any, used_kinds: set[str], compared: dict[str, bool], every_pair: bool = False,
                started_here: bool = True) -> None:
    entries = [(KINDS[k][0], KINDS[k][1] if started_here or k != "output" else "output (the node drawn last)")
               for k in KINDS if k in used_kinds]
    which = "the gradients compared (automatic, hand-written, numerical)" if every_pair else \
        "automatic and hand-written gradients"
    if compared["agree"]:
        entries.append((AGREE, f"{which} agree"))
    if compared["within atol"]:
        entries.append((WITHIN_ATOL, f"{which} agree only within atol: too small to compare"))
    if compared["disagree"]:
        entries.append((DISAGREE, f"{which} DISAGREE" if not every_pair else f"{which}: some pair DISAGREES"))
    rows = "".join(f'<TR><TD BGCOLOR="{color}" BORDER="1" WIDTH="18"> </TD><TD ALIGN="LEFT">{_html(text)}</TD></TR>'
                   for color, text in entries)
    rows += '<TR><TD>( )</TD><TD ALIGN="LEFT">operation; arrows point forward, gradients flow back</TD></TR>'
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", fontsize="10", color="#bbbbbb", style="rounded")
        legend.node("legend", label=f'<<TABLE BORDER="0" CELLSPACING="2" CELLPADDING="2">{rows}</TABLE>>',
                    shape="plain", fontsize="9")


def draw_graph(
    root: Node,
    *,
    rankdir: str = "LR",
    show_data: bool = True,
    show_grad: bool = True,
    max_nodes: int = 400,
    hand_written: Mapping[Node, Any] | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    title: str | None = None,
) -> Any:
    """A picture of the graph that computed ``root``, as a ``graphviz.Digraph``.

    Each node is a box with its label, data and gradient (for Tensors also shape and
    dtype; values in full when small, min/mean/max when large); each operation a small
    oval. Colours tell inputs, parameters, intermediate results and the output apart,
    explained by a legend. Where broadcasting stretched an input, its edge says over
    which axes the backward pass sums the gradient. ``hand_written`` (a mapping from
    node to gradient) colours those nodes by whether the automatic gradient agrees
    within ``atol + rtol * |hand|``, and shows the largest difference.

    >>> from autograd import Value, draw_graph
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b
    >>> c.label = "c"
    >>> c.backward()
    >>> "c" in draw_graph(c).source
    True
    """
    nodes = graph_nodes(root, max_nodes)
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str, not {type(title).__name__}")
    captions = [title] if title else []
    names = node_names(nodes)
    changed = changed_since_forward(nodes)
    if changed:  # (backward() refuses this graph: the picture says why its numbers do not belong together)
        captions.append(f"{_changed_text(changed, names)} (an optimizer step, a write into .data): the numbers "
                        "shown are the new ones, not those the nodes after them were computed from; run the "
                        "forward pass again to draw one pass")
    grads = None
    available = _gradient_available(root)
    leaves = [node for node in nodes if node.op is None and node.requires_grad]
    leaves_have_grads = any(_gradient_available(leaf) for leaf in leaves)
    if show_grad and available:
        grads = {node: node.grad for node in nodes if node.requires_grad}
        if not changed and _is_seed(root.grad) and (off := _not_of_one_pass(root, leaves)):
            captions.append(f"the .grad of {_listed(off, names)} is not what one backward pass from here gives (a "
                            "leaf's gradient adds up over backward passes until zero_grad() resets it): shown as it is")
    elif show_grad and not changed and leaves_have_grads and np.size(root.data) == 1 \
            and not _not_of_one_pass(root, leaves):
        grads = {leaf: leaf.grad for leaf in leaves}
        captions.append("only the leaves kept their gradients: backward(intermediate_grads=False) lets the others go")
    elif show_grad:
        captions.append("no backward pass from here left its gradients: none to show" if leaves_have_grads else
                        "backward() has not run yet: no gradients to show")
    if grads is not None and any(grads[node] is None for node in grads):
        captions.append("grad ?: no gradient (its .grad is None)")
    if hand_written and not available:  # a .grad left from another graph, or 0, is not this one's
        check_hand_written(hand_written, nodes)
        captions.append("the hand-written gradients are not compared: backward() has not run from here")
        hand_written = None
    started_here = not available or _is_seed(root.grad)
    if not started_here:
        captions.append("this node's gradient is not 1: the gradients shown are of a backward pass that started "
                        "at a later node, or from a gradient given to backward()")
    return build_digraph(root, nodes, grads=grads, rankdir=rankdir, show_data=show_data,
                         hand_written=hand_written, atol=atol, rtol=rtol,
                         caption="\n".join(captions) or None, started_here=started_here)


# --------------------------------------------------------------------------- rendering


def _dot_program() -> str | None:
    return shutil.which("dot")


def render_graph(graph: Any, path: str | os.PathLike, *, timeout: float = 120) -> Path:
    """Render ``graph`` (from ``draw_graph``) to ``path``: the format comes from the
    suffix, ``.svg``, ``.png``, ``.pdf`` or ``.gv`` (the DOT source). Missing folders
    are created; the file is written whole or not at all. Without Graphviz's ``dot``, the DOT source is written
    next to it as ``.gv`` and ``GraphvizNotFoundError`` says how to install Graphviz."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"cannot tell the format of {path}: use one of " + ", ".join(f".{f}" for f in FORMATS))
    if not isinstance(getattr(graph, "source", None), str):
        raise TypeError(f"render_graph draws a picture from draw_graph (or a walkthrough's frames), not "
                        f"{type(graph).__name__}")
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout is the seconds dot may take, above 0, not {timeout!r}")
    source = graph.source
    if fmt == "gv":
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as temporary:
            temporary.write_text(source, encoding="utf-8")
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    output = render_bytes(source, fmt, timeout=timeout, source_path=path.with_suffix(".gv"))
    with replacing(path) as temporary:
        temporary.write_bytes(output)
    return path


def render_bytes(source: str, fmt: str, *, timeout: float = 120, source_path: Path | None = None) -> bytes:
    """Run ``dot -T<fmt>`` on DOT source and return its output."""
    program = _dot_program()
    if program is None:
        if source_path is not None:
            with replacing(source_path) as temporary:
                temporary.write_text(source, encoding="utf-8")
        where = f" The DOT source was written to {source_path}." if source_path else ""
        raise GraphvizNotFoundError(
            f"Graphviz's dot program was not found on PATH, so the graph cannot be rendered to "
            f"{fmt.upper()}; {INSTALL_GRAPHVIZ}.{where} The source is also in the graph's .source.",
            source, source_path)
    try:
        result = subprocess.run([program, f"-T{fmt}"], input=source.encode("utf-8"),
                                capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"dot took more than {timeout:g} s to lay out the graph; draw a smaller graph") from None
    if result.returncode != 0:
        raise RuntimeError(f"dot failed ({result.returncode}): {result.stderr.decode(errors='replace').strip()}")
    return result.stdout
