"""The backward pass, step by step, as a worked chain-rule derivation.

``backward_walkthrough(root)`` runs the engine's own backward pass (the same order, the
same derivative rules) while watching it, and records for every node it visits: the
gradient arriving from above, the local derivative rule applied, and the contribution
sent to each input. It writes nothing into ``.grad``.

``str()`` of the result reads like a derivation; ``render_frames`` draws one picture
per step (the node whose rule runs highlighted, gradients filling in, accumulation
into reused nodes marked) and ``render_gif`` puts them in one animated GIF.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .core import Node, backward_order
from .draw import (
    broadcast_note,
    build_digraph,
    expression,
    format_array,
    graph_nodes,
    node_names,
    refuse_changed,
    render_bytes,
)
from .files import replacing
from .modes import watch_backward
from .tensor import Tensor

__all__ = ["backward_walkthrough", "Walkthrough", "Step", "Contribution"]


@dataclass
class Contribution:
    """What one step sends to one input: ``upstream * local derivative``."""

    input: Node
    input_name: str
    rule: str  # e.g. "d(a*b)/da = b"
    local: Any  # the local derivative's value (scalars only; None for arrays)
    value: Any  # the contribution
    total: Any  # the input's gradient so far, this contribution included
    reused: bool  # the input had received a contribution before (accumulation: +=)
    summed: str | None = None  # what broadcasting made the pass sum, e.g. "grad summed over axis 0: (4, 3) -> (3,)"


@dataclass
class Step:
    """The engine handling one node."""

    index: int
    node: Node
    name: str
    upstream: Any  # d(root)/d(node), complete when the node is handled
    operation: str | None  # None for a leaf
    contributions: list[Contribution] = field(default_factory=list)
    # every node's gradient as known after this step (partial sums for pending nodes)
    known: dict[Node, Any] = field(default_factory=dict, repr=False)


class Walkthrough:
    """The steps of one backward pass, in the order the engine runs them."""

    def __init__(self, root: Node, steps: list[Step], nodes: list[Node], names: dict[Node, str]) -> None:
        self.root, self.steps, self.nodes, self.names = root, steps, nodes, names

    def __len__(self) -> int:
        return len(self.steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self.steps)

    def __getitem__(self, index: int) -> Step:
        return self.steps[index]

    def gradients(self) -> dict[Node, Any]:
        """d(root)/d(node) for every node visited, as the walkthrough computed it."""
        return {step.node: step.upstream for step in self.steps}

    def __str__(self) -> str:
        root = self.names[self.root]
        lines = [f"Backward pass from {root}: {len(self.steps)} steps, in the engine's order.",
                 f"Each node receives ∂{root}/∂(node) from the nodes that use it, then applies the",
                 "chain rule: input gradient += upstream gradient × local derivative.", ""]
        for step in self.steps:
            d = f"∂{root}/∂{step.name}"
            if step.operation is None:
                lines.append(f"Step {step.index + 1}. {step.name} is a leaf: {d} = {_number(step.upstream)}"
                             + ("  (backward() would add this to its .grad; the walkthrough leaves .grad as it was)"
                                if step.node.requires_grad else ""))
                continue
            lines.append(f"Step {step.index + 1}. {step.name} = {expression(step.node, self.names)}"
                         f"      upstream {d} = {_number(step.upstream)}")
            letters = _rule_letters(step.node, self.names)
            if letters:  # (a rule's a may not be the node labelled a)
                lines.append(f"    (in the rules: {letters})")
            for c in step.contributions:
                target = f"∂{root}/∂{c.input_name}"
                rule = c.rule
                if c.local is not None:
                    stated = rule.rsplit("=", 1)[-1].strip()
                    if not _is_number(stated):
                        rule += f" = {_number(c.local)}"
                    product = f"{_number(step.upstream)} × {_number(c.local)} = "
                else:
                    product = ""
                line = f"    {rule:<34} →  {target} += {product}{_number(c.value)}"
                if c.summed:
                    line += f"   ({c.summed})"
                if c.reused:
                    line += f"   ({c.input_name} is used again: its gradient is now {_number(c.total)})"
                lines.append(line)
        return "\n".join(lines)

    def __repr__(self) -> str:
        # at a prompt, the derivation itself rather than <Walkthrough object at 0x...>
        return str(self)

    # ---- pictures
    def frames(self, **options: Any) -> list[Any]:
        """One ``graphviz.Digraph`` per step."""
        pictures = []
        for step in self.steps:
            notes = {}
            for c in step.contributions:
                notes[c.input] = ("+= accumulated: now " + format_array(c.total)) if c.reused \
                    else ("receives " + format_array(c.value))
            caption = (f"step {step.index + 1} of {len(self.steps)}: "
                       + (f"{step.name} = {expression(step.node, self.names)} sends its gradient to its inputs"
                          if step.operation else f"{step.name} is a leaf; its gradient is complete"))
            pictures.append(build_digraph(self.root, self.nodes, grads=step.known, highlight=step.node,
                                          notes=notes, caption=caption, **options))
        return pictures

    def render_frames(self, directory: str | os.PathLike, fmt: str = "png", **options: Any) -> list[Path]:
        """Write one image per step, ``step_01.png`` ... into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        width = len(str(len(self.steps)))
        for k, picture in enumerate(self.frames(**options)):
            path = directory / f"step_{k + 1:0{width}d}.{fmt}"
            data = render_bytes(picture.source, fmt, source_path=path.with_suffix(".gv"))
            with replacing(path) as temporary:
                temporary.write_bytes(data)
            paths.append(path)
        return paths

    def render_gif(self, path: str | os.PathLike, seconds_per_step: float = 1.5, **options: Any) -> Path:
        """All steps as one animated GIF (frames padded to one size, looping)."""
        from PIL import Image

        path = Path(path)
        if path.suffix.lower() != ".gif":  # (GIF bytes under a .png name)
            raise ValueError(f"render_gif writes a GIF: give a path ending in .gif, not {path.name!r}")
        images = [Image.open(io.BytesIO(render_bytes(picture.source, "png", source_path=path.with_suffix(".gv"))))
                  .convert("RGB") for picture in self.frames(**options)]
        width = max(image.width for image in images)
        height = max(image.height for image in images)
        padded = []
        for image in images:
            canvas = Image.new("RGB", (width, height), "white")
            canvas.paste(image, ((width - image.width) // 2, 0))
            padded.append(canvas)
        with replacing(path) as temporary:
            padded[0].save(temporary, format="GIF", save_all=True, append_images=padded[1:],
                           duration=int(seconds_per_step * 1000), loop=0)
        return path


def _rule_letters(node: Node, names: dict[Node, str]) -> str:
    """Which input each letter of the node's rules stands for ("a is n1, b is a"), or ""
    where every letter is its input's name."""
    pairs = []
    for parent, formula in zip(node.inputs, node.op.formulas):
        found = re.search(r"\)/d(\w+)", formula)  # d(a*b)/db: the rule of the input b
        if found is not None:
            pairs.append((found.group(1), names[parent]))
    if all(letter == name for letter, name in pairs):
        return ""
    return ", ".join(f"{letter} is {name}" for letter, name in pairs)


def _number(x: Any) -> str:
    return format_array(x).replace("\n", " ")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def backward_walkthrough(root: Node, grad: Any = None, *, max_nodes: int = 400) -> Walkthrough:
    """Walk the backward pass from ``root`` in the engine's order, recording each step
    (without touching ``.grad``).

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.label = "y"
    >>> walk = backward_walkthrough(y)
    >>> len(walk), walk.gradients()[x]
    (2, 6.0)
    """
    if not isinstance(root, Node):
        raise TypeError(f"backward_walkthrough needs a Value or Tensor, not {type(root).__name__}")
    if not root.requires_grad:
        raise RuntimeError("the walkthrough needs a node that requires grad (a graph leads to it)")
    nodes = graph_nodes(root, max_nodes)
    refuse_changed(nodes, "backward_walkthrough")  # (a Value's change, which backward() cannot see)
    names = node_names(nodes)
    handled: dict[Node, tuple[Any, list[Any]]] = {}  # node -> (its gradient, its shares), from the engine

    def observe(node: Node, upstream: Any, shares: list[Any]) -> None:
        handled[node] = (upstream, shares)

    leaf_grads = watch_backward(root, grad, observe)
    # Replay the pass in the engine's own order: a node's step, then its shares sent on.
    known: dict[Node, Any] = {}
    steps: list[Step] = []
    for node in backward_order(root):
        if node.op is None:
            if node not in leaf_grads:
                continue
            upstream, shares = leaf_grads[node], list[Any]()
        elif node in handled:
            upstream, shares = handled[node]
        else:
            continue
        known[node] = upstream
        step = Step(len(steps), node, names[node], upstream, node.op.name if node.op is not None else None)
        for position, (parent, value) in enumerate(zip(node.inputs, shares)):
            if value is None:
                continue
            reused = parent in known
            total = value if not reused else known[parent] + value
            known[parent] = total
            step.contributions.append(Contribution(
                parent, names[parent], node.op.formulas[position],
                _local_derivative(node, position), value, total, reused, broadcast_note(node, parent)))
        step.known = dict(known)
        steps.append(step)
    return Walkthrough(root, steps, nodes, names)


def _local_derivative(node: Node, position: int) -> float | None:
    """d(node)/d(input) as a number, for scalar nodes (the rule applied to grad = 1)."""
    if isinstance(node, Tensor):  # arrays: a local derivative is a Jacobian, not shown
        return None
    operands = [p.data for p in node.parents]
    with np.errstate(all="ignore"):
        try:
            return float(node.op.rules[position](1.0, node.data, *operands))
        except ArithmeticError:
            return float(node.op.rules[position](np.float64(1.0), np.float64(node.data),
                                                       *map(np.float64, operands)))
