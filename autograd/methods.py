"""How the operations become methods, and what nodes do besides operations.

Every ``Op`` with a ``method`` name becomes a method of ``Value`` (if it has a scalar
forward) and of ``Tensor``: an operator like ``"__mul__"`` gives ``a * b`` and its
reflected form ``2 * b``; an op with ``arguments`` turns the method's extra arguments
(``t.sum(axis=0)``) into the op's ``args``. ``give_methods(Value, scalar_only=True)`` at
the end of ``value.py`` (and ``tensor.py``) does this for every op, including ops
defined later.
"""

from __future__ import annotations

from typing import Any

_node_types: list[tuple[type, bool]] = []  # (Value or Tensor, takes only scalar ops)


def give_method(op: Any, node_type: type, scalar_only: bool) -> None:
    """Make ``op`` a method of ``node_type`` (if it has a method name)."""
    if op.method is None or (scalar_only and op.scalar is None):
        return
    apply = node_type.apply
    if op.arity == 2 and op.method.startswith("__"):  # an operator: a + b, and 2 + b
        setattr(node_type, op.method, lambda a, b: apply(op, (a, b), ()))
        setattr(node_type, "__r" + op.method[2:], lambda b, a: apply(op, (a, b), ()))
    elif op.arguments is not None:
        setattr(node_type, op.method, lambda x, *given, **named: apply(op, (x,), op.arguments(*given, **named)))
    else:
        setattr(node_type, op.method, lambda *inputs: apply(op, inputs, ()))


def give_methods(node_type: type, *, scalar_only: bool) -> None:
    """Give ``node_type`` a method for every operation, now and defined later."""
    from .ops import OPS

    _node_types.append((node_type, scalar_only))
    for op in OPS:
        give_method(op, node_type, scalar_only)


def give_to_every_node_type(op: Any) -> None:
    """A new operation becomes a method of every node type that exists already."""
    for node_type, scalar_only in _node_types:
        give_method(op, node_type, scalar_only)


def _numbers(x: Any) -> Any:
    return getattr(x, "_data", x) if hasattr(x, "apply") else x


class ComparesNumbers:
    """Comparisons look at the numbers (a bool, or an array of them) and have no
    gradient, as in NumPy and PyTorch; nodes stay hashable by identity, so they can be
    dictionary keys."""

    __slots__ = ()
    data: Any
    _data: Any
    __hash__ = object.__hash__

    def __eq__(self, other: object) -> Any:
        return self._data == _numbers(other)

    def __ne__(self, other: object) -> Any:
        return self._data != _numbers(other)

    def __lt__(self, other: Any) -> Any:
        return self._data < _numbers(other)

    def __le__(self, other: Any) -> Any:
        return self._data <= _numbers(other)

    def __gt__(self, other: Any) -> Any:
        return self._data > _numbers(other)

    def __ge__(self, other: Any) -> Any:
        return self._data >= _numbers(other)

    __array_ufunc__ = None  # `array + node` comes to the node's __radd__, not to NumPy's object arrays

    def __float__(self) -> float:
        if getattr(self, "requires_grad", False):  # math.exp(v) would silently cut v out of the graph
            raise TypeError(f"float() of a {type(self).__name__} that requires grad would cut it out of the graph "
                            "(math.exp(v) is not recorded): use v.exp() to stay in the graph, or v.item() for "
                            "the number")
        return float(self.data)

    def item(self) -> float:
        """The number, as a Python float (for printing and logging: not recorded)."""
        return float(self.data)
