"""The core of the engine: graph nodes, the order to visit them, and the backward pass.
Read it first, then ``ops.py`` and ``value.py``: those three files are the whole idea.

Every operation on nodes makes a new node that remembers the operation (``node.op``)
and its inputs (``node.inputs``). Backpropagation is the chain rule applied to that
graph: d(root)/d(input) is the sum, over every node that uses the input, of
d(root)/d(node) * d(node)/d(input).

Why a topological order: a node may pass its gradient on only once it is complete,
that is, after *every* node that uses it has sent back its share. So we list the nodes
so that each comes before the nodes it depends on, and walk that list.

Why ``+=``: a node used twice (``a`` in ``b = a * a``) influences the root along two
paths, and the multivariate chain rule *adds* the contributions of all paths.

Both loops below are iterative, never recursive, so a chain of a million nodes
backpropagates without hitting Python's recursion limit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .methods import ComparesNumbers, refuse_cut_off

__all__ = ["Node", "backward_order", "backpropagate", "chain_rule", "sum_to"]


class Node(ComparesNumbers):
    """A number (a ``Value``) or an array of numbers (a ``Tensor``) in a computation graph."""

    __slots__ = ("data", "grad", "label", "op", "inputs", "requires_grad", "__weakref__")
    data: Any  # the number(s)
    grad: Any  # d(root)/d(this node) after a backward pass
    label: str  # a name for pictures and messages ("" for none)
    op: Any  # the operation (an ``Op``) that made this node, None for a leaf (a node you created)
    inputs: tuple[Node, ...]  # that operation's inputs (empty for a leaf)
    requires_grad: bool  # whether gradients flow into this node
    args: tuple = ()  # extra, non-node arguments of the operation (an axis, a shape)
    initial_grad: Any = None  # what .grad holds before any backward pass reaches the node

    parents = property(lambda self: self.inputs, doc="The inputs of the operation that made this node.")
    is_leaf = property(lambda self: self.op is None, doc="True for nodes you created, not made by an operation.")

    def zero_grad(self) -> None:
        """Forget the gradient accumulated in this node."""
        self.grad = self.initial_grad

    def accumulate_grad(self, grad: Any) -> None:
        """A leaf sums the gradients of every backward pass (``+=``) until ``zero_grad()``."""
        empty = self.grad is None or (self.grad.__class__ is float and self.grad == 0.0)  # (no `0 + grad` node)
        self.grad = grad if empty else self.grad + grad

    def backward(self, grad: Any = None, *, create_graph: bool = False, intermediate_grads: bool = True) -> None:
        """Backpropagate from this node: fill ``.grad`` of every node it depends on. Leaves
        accumulate (``+=``) across calls, as in PyTorch; other nodes show the latest pass
        (none with ``intermediate_grads=False``). ``create_graph=True`` records the pass.

        >>> from autograd import Value
        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward()
        >>> x.grad, y.grad
        (6.0, 1.0)
        """
        from .modes import run_backward  # the modes and speed tricks around the plain pass below

        run_backward([self], [grad], create_graph=create_graph, intermediate_grads=intermediate_grads)


# --------------------------------------------------------------------------- recording


class _Recording(threading.local):
    enabled = True  # one flag per thread: one thread's no_grad() leaves the others recording


recording = _Recording()
forward_watchers: list[Callable[[Node, Any, tuple], None]] = []  # debugging modes; usually none
N = TypeVar("N", bound=Node)  # record() gives back the node it was given: a Value stays a Value
Node._data = Node.data  # type: ignore[misc]  # the numbers as the engine reads them (Tensor: inplace.py)


def record(out: N, op: Any, inputs: tuple[Node, ...], args: tuple) -> N:
    """Remember how ``out`` was made, if any input needs a gradient and we are recording."""
    if recording.enabled and any(x.requires_grad for x in inputs):
        out.op, out.inputs, out.requires_grad = op, inputs, True
        if args:
            out.args = args
    else:
        out.op, out.inputs, out.requires_grad = None, (), False
    for watch in forward_watchers:  # (anomaly mode checks every result)
        watch(out, op, inputs)
    return out


# --------------------------------------------------------------------------- the graph walk


def backward_order(roots: Node | Iterable[Node], *, every_input: bool = False) -> list[Node]:
    """Every node the roots depend on (through nodes that require grad), each listed
    before the nodes it depends on: the order in which the backward pass visits them.
    ``every_input=True`` also lists constants and data inputs (for drawing).

    A depth-first search with a stack: a node is pushed once to expand its inputs and
    once more beneath them, so it is written out only after all of them; the list of
    "inputs before users" is then reversed.
    """
    roots = [roots] if isinstance(roots, Node) else list(roots)
    inputs_first: list[Node] = []
    visited: set[Node] = set()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            inputs_first.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))
            for parent in node.inputs:
                if (parent.requires_grad or every_input or refuse_cut_off(parent)) and parent not in visited:
                    stack.append((parent, False))
    return inputs_first[::-1]


# --------------------------------------------------------------------------- the backward pass


def sum_to(grad: Any, shape: tuple[int, ...]) -> Any:
    """The backward of broadcasting: sum ``grad`` over the axes that broadcasting added
    or stretched, so it has ``shape`` again. ``(4, 3) + (3,)`` used the (3,) row four
    times, so its gradient is the sum of the four rows' gradients."""
    if getattr(grad, "shape", ()) == shape:  # (a plain float has no axes to sum)
        return grad
    added = grad.ndim - len(shape)
    if added:
        grad = grad.sum(axis=tuple(range(added)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(axis=stretched, keepdims=True)
    return grad


def chain_rule(node: Node, grad: Any, numbers: bool = True) -> list[Any]:
    """The chain rule at one node: each input's share of the gradient, ``grad *
    d(node)/d(input)``, from the operation's rule (None where the input needs no
    gradient), summed back to the input's shape where the operation broadcast.
    ``numbers=False`` runs the rules on the nodes themselves, recording the pass as a
    graph (for gradients of gradients)."""
    op = node.op
    out, inputs = (node._data, [x._data for x in node.inputs]) if numbers else (node, node.inputs)
    shares = []
    for rule, parent in zip(op.rules, node.inputs):
        share = rule(grad, out, *inputs, *node.args) if parent.requires_grad else None
        if op.broadcasts and share is not None:
            share = sum_to(share, parent.shape)
        shares.append(share)
    return shares


def backpropagate(roots: list[Node], seeds: list[Any], step: Callable[[Node, Any], list[Any]] = chain_rule,
                  keep: Callable[[Node, Any], None] = lambda node, grad: None) -> dict[Node, Any]:
    """The backward pass: visit the nodes in ``backward_order``, each with its complete
    gradient, and send each input its share. Returns the leaves' gradients; writes nothing.
    ``step(node, grad)`` computes the shares (``chain_rule`` unless a mode chose another);
    ``keep(node, grad)`` sees each intermediate node's complete gradient before it is let
    go (``Node.backward`` stores it in ``.grad``)."""
    grads: dict[Node, Any] = {}  # d(root)/d(node), summed over the node's users so far
    for root, seed in zip(roots, seeds):
        grads[root] = accumulate(grads.get(root), seed)
    for node in backward_order(roots):
        if node.op is None:
            continue  # a leaf: nothing further back; its gradient is returned at the end
        grad = grads.pop(node, None)
        if grad is None:
            continue  # no path from the roots brought a gradient here
        keep(node, grad)
        for parent, share in zip(node.inputs, step(node, grad)):
            if share is not None:
                grads[parent] = accumulate(grads.get(parent), share)
    return grads


def accumulate(total: Any, share: Any) -> Any:
    """``total += share``: a node used several times sums what each use sends back."""
    return share if total is None else total + share
