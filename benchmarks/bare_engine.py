"""A yardstick, not an engine: the least work a node-per-op autograd engine in pure
Python has to do, to show how fast any such engine can be on this machine.

No checks, no errors, no broadcasting, no grad modes, no gradient accumulation across
passes, only the operations the benchmarks use, each hard-wired. Whatever ``autograd``
spends beyond this is the price of what it offers; what this spends, every engine that
builds one Python object per operation pays too. It takes autograd's own speed tricks
where they apply (the walk with a marker, the cycle collector paused over a large graph:
``autograd/fast.py``, trick 1), so that it is no slower than it need be.
"""

from __future__ import annotations

import gc

import numpy as np

# ---- the graph walk both node types share: inputs before the nodes that use them


def _order(root):
    # a marker (None) on the stack above a node whose inputs are all written out, as
    # autograd's fused walk does: no (node, expanded) pair to make per node
    topological, visited, stack = [], set(), [root]
    while True:  # (not `while stack:`: CPython 3.11 specializes this loop on its first call)
        if not stack:
            break
        node = stack.pop()
        if node is None:
            topological.append(stack.pop())
        elif node not in visited:
            visited.add(node)
            stack.append(node)
            stack.append(None)
            for parent in (node.a, node.b):
                if parent is not None and parent.trainable and parent not in visited:
                    stack.append(parent)
    return topological[::-1]


def _run_rules(rules, root, order) -> None:
    """``rules(root, order)`` with the cycle collector paused over a large graph, as autograd
    pauses it (from 1,000 nodes: below that the pause costs more than it saves)."""
    pausing = len(order) >= 1000 and gc.isenabled()
    if pausing:
        gc.disable()
    try:
        rules(root, order)
    finally:
        if pausing:
            gc.enable()


# ---- scalars: micrograd's operations, the backward rules in one chain of ifs

ADD, MUL, SUB, SQUARE, RELU = range(5)


class BareValue:
    __slots__ = ("data", "grad", "a", "b", "op", "trainable")

    def __init__(self, data: float, trainable: bool = True) -> None:
        self.data, self.grad, self.a, self.b, self.op, self.trainable = data, 0.0, None, None, None, trainable


def _scalar(data, a, b, op):
    node = BareValue.__new__(BareValue)
    node.data, node.grad, node.a, node.b, node.op, node.trainable = data, 0.0, a, b, op, True
    return node


def _constant(x):
    return x if isinstance(x, BareValue) else BareValue(float(x), trainable=False)


def _add(self, other):
    other = _constant(other)
    return _scalar(self.data + other.data, self, other, ADD)


def _mul(self, other):
    other = _constant(other)
    return _scalar(self.data * other.data, self, other, MUL)


def _sub(self, other):
    other = _constant(other)
    return _scalar(self.data - other.data, self, other, SUB)


def _square(self, exponent):  # only ** 2
    return _scalar(self.data * self.data, self, None, SQUARE)


def _relu(self):
    return _scalar(self.data if self.data > 0 else 0.0, self, None, RELU)


def _scalar_backward(self):
    _run_rules(_scalar_rules, self, _order(self))


def _scalar_rules(self, order):
    self.grad = 1.0
    for node in order:
        op, grad, a, b = node.op, node.grad, node.a, node.b
        if op == ADD:
            a.grad += grad
            b.grad += grad
        elif op == MUL:
            a.grad += grad * b.data
            b.grad += grad * a.data
        elif op == SUB:
            a.grad += grad
            b.grad -= grad
        elif op == SQUARE:
            a.grad += grad * 2 * a.data
        elif op == RELU:
            a.grad += grad if node.data > 0 else 0.0


BareValue.__add__ = BareValue.__radd__ = _add
BareValue.__mul__ = BareValue.__rmul__ = _mul
BareValue.__sub__ = _sub
BareValue.__pow__ = _square
BareValue.relu = _relu
BareValue.backward = _scalar_backward


class BareMLP:
    """micrograd's MLP: per neuron relu(sum(w * x) + b), linear output layer."""

    def __init__(self, weights: list[list[list[float]]]) -> None:
        self.layers = [[([BareValue(w) for w in row], BareValue(0.0)) for row in layer] for layer in weights]

    def __call__(self, x):
        for k, layer in enumerate(self.layers):
            outputs = []
            for w, b in layer:
                total = b
                for wi, xi in zip(w, x):
                    total = total + wi * xi
                outputs.append(total.relu() if k < len(self.layers) - 1 else total)
            x = outputs
        return x

    def parameters(self):
        return [p for layer in self.layers for w, b in layer for p in (*w, b)]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0


# ---- arrays: the notebook's six operations, each with its rule beside it


class BareTensor:
    __slots__ = ("data", "grad", "a", "b", "rule", "trainable")

    def __init__(self, data: np.ndarray, trainable: bool = False) -> None:
        self.data, self.grad, self.a, self.b, self.rule, self.trainable = data, None, None, None, None, trainable


def _tensor(data, a, b, rule):
    node = BareTensor.__new__(BareTensor)
    node.data, node.grad, node.a, node.b, node.rule, node.trainable = data, None, a, b, rule, True
    return node


def _matmul_rule(grad, out, a, b):
    return grad @ b.T, a.T @ grad


def _sigmoid_rule(grad, out, a, b):
    return grad * out * (1 - out), None


def _sub_rule(grad, out, a, b):
    return grad, -grad


def _square_rule(grad, out, a, b):
    return grad * 2 * a, None


def _sum_rule(grad, out, a, b):
    return np.full(a.shape, grad), None


def _half_rule(grad, out, a, b):
    return grad * 0.5, None


def _times_rule(grad, out, a, b):
    return grad * b, None


def _plus_rule(grad, out, a, b):
    return grad, None


_NUMBERS: dict[float, BareTensor] = {}  # one constant node per number, as our engine shares them


def _number(x: float) -> BareTensor:
    node = _NUMBERS.get(x)
    if node is None:
        node = _NUMBERS[x] = BareTensor(np.float64(x))
    return node


def times(a, number):  # a * number (the scaling benchmark's chain)
    return _tensor(a.data * number, a, _number(number), _times_rule)


def plus(a, number):  # a + number
    return _tensor(a.data + number, a, _number(number), _plus_rule)


def matmul(a, b):
    return _tensor(a.data @ b.data, a, b, _matmul_rule)


def sigmoid(a):
    return _tensor(np.exp(-np.logaddexp(0.0, -a.data)), a, None, _sigmoid_rule)


def sub(a, b):
    return _tensor(a.data - b.data, a, b, _sub_rule)


def square(a):
    return _tensor(a.data**2, a, None, _square_rule)


def total(a):
    return _tensor(a.data.sum(), a, None, _sum_rule)


def half(a):
    return _tensor(0.5 * a.data, a, None, _half_rule)


def tensor_backward(root) -> None:
    _run_rules(_tensor_rules, root, _order(root))


def _tensor_rules(root, order) -> None:
    for node in order:
        node.grad = None
    root.grad = 1.0
    for node in order:
        if node.rule is None:
            continue
        a, b = node.a, node.b
        da, db = node.rule(node.grad, node.data, a.data, None if b is None else b.data)
        if a.trainable:
            a.grad = da if a.grad is None else a.grad + da
        if b is not None and b.trainable:
            b.grad = db if b.grad is None else b.grad + db
