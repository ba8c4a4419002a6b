"""Speed tricks: optional replacements for steps of the plain engine, each measured.

Nothing here changes a number: each trick computes exactly what the plain code of
``core.py``, ``value.py`` and ``tensor.py`` computes, only with less Python per
operation. ``AUTOGRAD_NO_SPEED_TRICKS=1`` in the environment switches them all off, and
the test suite passes either way (``make test`` runs the engine's tests both ways).
Gains measured with ``benchmarks/`` and ``python benchmarks/tricks.py`` on the
project's 2-core machine, old against new in one run:

1. ``fused_backpropagate``: the backward loop with the rule step written inline,
   unary and binary operations spelled out, and gradients summed in the nodes' ``.grad``
   slots instead of a dictionary. Used when no mode needs the plain loop (``modes.py``).
   Without it: scalar MLP step 1.64x slower, notebook step 1.17x, 10,000-op chain 1.27x.
2. Method bodies specialized by arity (``install``): ``a * b`` converts its operand,
   computes and records in one function, without the plain path's tuples, generators
   and ``*args`` calls. Without it: 1.68x, 1.34x, 1.66x.
3. Shared constant nodes for recurring plain numbers (the 2 in ``x ** 2``, a learning
   rate): fewer objects for Python's garbage collector to track. Without it: 1.07x,
   1.05x, 1.24x.

All three off (the plain engine): 2.19x, 1.55x, 1.87x. Measured by
``python benchmarks/tricks.py`` (2026-12-01, the "Speed tricks" table of RESULTS.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np

from . import core, ops
from .core import Node, forward_watchers, recording, sum_to
from .tensor import FLOAT32_MADE, Tensor
from .tensor import constant as tensor_constant
from .value import Value
from .value import constant as value_constant

# AUTOGRAD_NO_SPEED_TRICKS=1 switches every trick off; a comma-separated list of trick
# names (fused, methods, constants) switches off just those (benchmarks/tricks.py).
_OFF = {name.strip() for name in os.environ.get("AUTOGRAD_NO_SPEED_TRICKS", "").split(",") if name.strip()}
ENABLED = "1" not in _OFF
FUSED_LOOP = ENABLED and "fused" not in _OFF
SPECIALIZED_METHODS = ENABLED and "methods" not in _OFF
SHARED_CONSTANTS = ENABLED and "constants" not in _OFF

__all__ = ["ENABLED", "fused_backpropagate", "install"]

_new = object.__new__
_F64, _F32 = np.dtype(np.float64), np.dtype(np.float32)


# --------------------------------------------------------------------------- 1. the fused backward loop


def fused_backpropagate(roots: list[Node], seeds: list[Any], keep_intermediate: bool) -> dict[Node, Any]:
    """``core.backpropagate`` with ``core.chain_rule`` and the gradient bookkeeping
    written inline: the same shares, in the same order, summed the same way."""
    order = core.backward_order(roots)
    leaves: dict[Node, Any] = {}
    for node in order:
        if node.op is not None:
            node.grad = None  # the slot sums this pass's gradient
    for root, seed in zip(roots, seeds):
        if root.op is None:
            leaves[root] = core.accumulate(leaves.get(root), seed)
        else:
            root.grad = core.accumulate(root.grad, seed)
    for node in order:
        op = node.op
        grad = node.grad
        if op is None or grad is None:
            continue
        inputs = node.inputs
        rules = op.rules
        out = node._data
        if node.__class__ is Tensor:  # numbers changed since the forward pass? (see modes.refuse_changed_inputs)
            versions = node.versions
            if versions[0] != inputs[0]._version or len(inputs) > 1 and (  # (no tuple built per node)
                    versions[1] != inputs[1]._version or len(inputs) > 2 and versions != node._version_of_inputs):
                from .modes import refuse_changed_inputs

                refuse_changed_inputs(node)
        try:
            if len(inputs) == 2:
                a, b = inputs
                x, y = a._data, b._data
                args = node.args
                if args:
                    shares = (rules[0](grad, out, x, y, *args) if a.requires_grad else None,
                              rules[1](grad, out, x, y, *args) if b.requires_grad else None)
                else:
                    shares = (rules[0](grad, out, x, y) if a.requires_grad else None,
                              rules[1](grad, out, x, y) if b.requires_grad else None)
            elif len(inputs) == 1 and node.args:
                shares = (rules[0](grad, out, inputs[0]._data, *node.args),)
            elif len(inputs) == 1:
                shares = (rules[0](grad, out, inputs[0]._data),)
            else:
                shares = core.chain_rule(node, grad)
        except ArithmeticError:  # Python floats raise where NumPy answers inf or nan
            from .modes import _on_numpy_scalars

            shares = _on_numpy_scalars(node, grad)
        if not keep_intermediate:
            node.grad = node.initial_grad
        for parent, share in zip(inputs, shares):
            if share is None:
                continue
            if op.broadcasts and share.__class__ is not float and share.shape != parent._data.shape:
                share = sum_to(share, parent._data.shape)
            if parent.op is None:
                if share is grad and share.__class__ is np.ndarray:
                    share = share.copy()  # passed on as it is (a + b): the leaf gets its own array
                previous = leaves.get(parent)
                leaves[parent] = share if previous is None else previous + share
            else:
                previous = parent.grad
                parent.grad = share if previous is None else previous + share
    return leaves


# --------------------------------------------------------------------------- 3. shared constants


class SharedNumbers:
    """Constant nodes for plain numbers, one per value: the same numbers recur (the 2 in
    x ** 2, 0.5 in a loss), and sharing halves the objects an operation leaves behind.
    Zero (whose sign matters) and nan (never equal to itself) get a fresh node each
    time; the table is bounded."""

    def __init__(self, make: Callable[[Any], Node], size: int = 1024) -> None:
        self._make, self._size, self._nodes = make, size, {}

    def __call__(self, number: float | int) -> Node:
        key = (number.__class__, number)
        node = self._nodes.get(key)
        if node is None:
            node = self._make(number)
            if number and number == number:
                if len(self._nodes) >= self._size:
                    self._nodes.clear()
                self._nodes[key] = node
        return node


_value_number = SharedNumbers(value_constant)
_tensor_number = SharedNumbers(lambda number: tensor_constant(number, None))


# --------------------------------------------------------------------------- 2. specialized method bodies


def _value_operand(x: Any) -> Value:
    if x.__class__ is Value:
        return x
    if (x.__class__ is float or x.__class__ is int) and SHARED_CONSTANTS:
        return _value_number(x)
    return x if isinstance(x, Value) else value_constant(x)


def _tensor_operand(x: Any, like: Tensor) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if (x.__class__ is float or x.__class__ is int) and SHARED_CONSTANTS:
        return _tensor_number(x)
    return tensor_constant(x, like)


def _finish(out: Node, op: ops.Op, inputs: tuple, args: tuple) -> Node:
    # core.record for one or two inputs, without its generator (half its cost)
    needed = recording.enabled and (inputs[0].requires_grad or len(inputs) == 2 and inputs[1].requires_grad)
    out.op, out.inputs, out.requires_grad = (op, inputs, True) if needed else (None, (), False)
    if needed and args:
        out.args = args
    if forward_watchers:
        core.record(out, op, inputs, args)  # (let anomaly mode watch it, through the plain path)
    return out


def _value_apply(op: ops.Op, a: Value, b: Value | None) -> Value:
    out = _new(Value)
    try:
        out.data = op.scalar(a.data) if b is None else op.scalar(a.data, b.data)
    except (ArithmeticError, ValueError):
        return Value.apply(op, (a,) if b is None else (a, b))
    out.grad, out.label = 0.0, ""
    return _finish(out, op, (a,) if b is None else (a, b), ())


def _tensor_apply(op: ops.Op, a: Tensor, b: Tensor | None, args: tuple) -> Tensor:
    try:
        data = op.forward(a._data, *args) if b is None else op.forward(a._data, b._data)
    except ValueError:
        return Tensor.apply(op, (a,) if b is None else (a, b), args)
    if data.__class__ is not np.ndarray and not isinstance(data, np.generic):
        data = np.asarray(data)
    if FLOAT32_MADE[0] and b is not None and data.dtype is _F64 and (
            getattr(a._data, "dtype", None) is _F32 or getattr(b._data, "dtype", None) is _F32):
        return Tensor.apply(op, (a, b), args)  # float32 meets float64: PyTorch's promotion (tensor.promoted)
    out = _new(Tensor)
    out._data, out._version, out.grad, out.label, out.args = data, 0, None, "", ()
    _finish(out, op, (a,) if b is None else (a, b), args)
    out.versions = (a._version,) if b is None else (a._version, b._version)
    return out


def _give_fast_method(op: ops.Op, node_type: type) -> None:
    if op.method is None or op.arity > 2 or (node_type is Value and op.scalar is None):
        return
    name = op.method
    if node_type is Value:
        if op.arity == 2 and name.startswith("__"):
            setattr(Value, name, lambda a, b: _value_apply(op, a, _value_operand(b)))
            setattr(Value, "__r" + name[2:], lambda b, a: _value_apply(op, _value_operand(a), b))
        elif op.arity == 1 and op.arguments is None:
            setattr(Value, name, lambda a: _value_apply(op, a, None))
    elif op.arity == 2 and name.startswith("__"):
        setattr(Tensor, name, lambda a, b: _tensor_apply(op, a, _tensor_operand(b, a), ()))
        setattr(Tensor, "__r" + name[2:], lambda b, a: _tensor_apply(op, _tensor_operand(a, b), b, ()))
    elif op.arity == 1 and op.arguments is None:
        setattr(Tensor, name, lambda a: _tensor_apply(op, a, None, ()))
    elif op.arity == 1:
        arguments = op.arguments
        setattr(Tensor, name, lambda a, *given, **named: _tensor_apply(op, a, None, arguments(*given, **named)))


def install() -> None:
    """Give ``Value`` and ``Tensor`` the specialized method bodies (trick 2, with 3)."""
    if not SPECIALIZED_METHODS:
        return
    for op in ops.OPS:
        _give_fast_method(op, Value)
        _give_fast_method(op, Tensor)
