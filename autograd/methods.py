"""How the operations become methods, and what nodes do besides operations.

Every ``Op`` with a ``method`` name becomes a method of ``Value`` (if it has a scalar
forward) and of ``Tensor``: an operator like ``"__mul__"`` gives ``a * b`` and its
reflected form ``2 * b``; an op with ``arguments`` turns the method's extra arguments
(``t.sum(axis=0)``) into the op's ``args``. ``give_methods(Value, scalar_only=True)`` at
the end of ``value.py`` (and ``tensor.py``) does this for every op, including ops
defined later. Type checkers cannot see methods made at run time, so each class declares
the ones it gets in an ``if TYPE_CHECKING:`` block (the operations of ``Value`` and
``Tensor`` in ``ComparesNumbers`` below, the array-only ones in ``Tensor``);
``tests/test_type_stubs.py`` holds those blocks to the op table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self  # (typing.Self from Python 3.11; only type checkers import this)

    from .ops import Op
    from .tensor import Tensor
    from .value import Value

_node_types: list[tuple[type[Value] | type[Tensor], bool]] = []  # (Value or Tensor, takes only scalar ops)


def give_method(op: Op, node_type: type[Value] | type[Tensor], scalar_only: bool) -> None:
    """Make ``op`` a method of ``node_type`` (if it has a method name)."""
    if op.method is None or (scalar_only and op.scalar is None):
        return
    apply, name = node_type.apply, op.method
    if op.arity == 2 and name.startswith("__"):  # an operator: a + b, and 2 + b
        set_method(node_type, name, lambda a, b: apply(op, (a, b), ()))
        set_method(node_type, "__r" + name[2:], lambda b, a: apply(op, (a, b), ()))
    elif op.arguments is not None:
        set_method(node_type, name, lambda a, *given, **named: apply(op, (a,), op.arguments(*given, **named)))
    elif op.arity == 1:  # (each input a parameter: one too many is Python's TypeError, never NumPy's `out=`)
        set_method(node_type, name, lambda a: apply(op, (a,), ()))
    elif op.arity == 2:
        set_method(node_type, name, lambda a, b: apply(op, (a, b), ()))  # (the names the fast methods use)
    else:
        def with_inputs(*inputs: Any) -> Any:
            if len(inputs) != op.arity:
                raise TypeError(f"{node_type.__name__}.{name}() takes {op.arity} positional arguments "
                                f"but {len(inputs)} were given")
            return apply(op, inputs, ())
        set_method(node_type, name, with_inputs)


def set_method(node_type: type, name: str, method: Any) -> None:
    """``node_type.name = method``, named so that its errors say ``Tensor.relu()``."""
    method.__name__, method.__qualname__ = name, f"{node_type.__name__}.{name}"
    setattr(node_type, name, method)


def give_methods(node_type: type[Value] | type[Tensor], *, scalar_only: bool) -> None:
    """Give ``node_type`` a method for every operation, now and defined later."""
    from .ops import OPS

    _node_types.append((node_type, scalar_only))
    for op in OPS:
        give_method(op, node_type, scalar_only)


def introduce(op: Op, internal: bool) -> None:
    """A new operation becomes a method of every node type that exists already (unless it
    is internal); a user's, defined after the package's own, is checked as it runs."""
    from .user_ops import check_user_op  # (which imports core: not before ops.py's import)

    check_user_op(op)
    if not internal:
        for node_type, scalar_only in _node_types:
            give_method(op, node_type, scalar_only)


def refuse_cut_off(node: Any) -> bool:
    """The graph walk's test of an input that does not require grad: False for a leaf (a
    constant, data). A node an operation made, whose ``requires_grad`` was set False after,
    is refused, as PyTorch refuses it: the path through it would silently drop out of its
    inputs' gradients (``y.detach()`` is the node cut off from the graph)."""
    if node.op is None:
        return False
    name = f" {node.label!r}" if getattr(node, "label", "") else ""
    raise RuntimeError(f"the result{name} of {node.op.name!r} had its requires_grad set to False after the "
                       "forward pass: the gradients of its inputs would silently lose the path through it. "
                       "requires_grad can only be changed on leaves, as in PyTorch; use .detach() for a copy "
                       "cut off from the graph, before using it")


def _numbers(x: Any) -> Any:
    return getattr(x, "_data", x) if hasattr(x, "apply") else x


class ComparesNumbers:
    """Comparisons look at the numbers (a bool, or an array of them) and have no
    gradient, as in NumPy and PyTorch; nodes stay hashable by identity, so they can be
    dictionary keys."""

    # room for fast.py's layout of a node's inputs (trick 5): up to two in slots of their
    # own, not in a tuple: one object less per node for the cycle collector
    __slots__ = ("_first_input", "_second_input")
    _first_input: Any
    _second_input: Any
    data: Any
    _data: Any
    __hash__ = object.__hash__

    # ---- pickling: a graph node pickles as a leaf of its numbers, as PyTorch's does (an
    # operation's rules are functions pickle cannot name, and another process has no use
    # for the graph); copy.deepcopy copies the graph (its leaves too), so it keeps it
    _AS_A_LEAF = {"op": None, "inputs": (), "_first_input": None, "_second_input": None, "versions": (), "args": ()}

    def __reduce_ex__(self, protocol: Any) -> Any:
        reduced = object.__reduce_ex__(self, protocol)
        if getattr(self, "op", None) is None or not isinstance(reduced, tuple) or len(reduced) < 3:
            return reduced
        state = reduced[2]
        own, slots = state if isinstance(state, tuple) else (state, None)  # (a __dict__'s, and the slots')
        for names in (own, slots):
            if isinstance(names, dict):
                names.update({name: value for name, value in self._AS_A_LEAF.items() if name in names})
        return reduced

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        import copy

        twin = type(self).__new__(type(self))
        memo[id(self)] = twin
        state = copy.deepcopy(object.__reduce_ex__(self, 4)[2], memo)
        if hasattr(twin, "__setstate__"):
            twin.__setstate__(state)
            return twin
        own, slots = state if isinstance(state, tuple) else (state, None)
        for name, value in {**(own or {}), **(slots or {})}.items():
            setattr(twin, name, value)
        return twin

    def __bool__(self) -> bool:
        """The truth of the number (``if loss:`` of a Value), as in PyTorch (Tensor has its own)."""
        return bool(self._data)

    def _compared(self, other: Any) -> tuple[Any, Any]:
        """The numbers a comparison compares (a Tensor's: in the dtype arithmetic would use)."""
        return self._data, _numbers(other)

    def __eq__(self, other: object) -> Any:
        a, b = self._compared(other)
        return a == b

    def __ne__(self, other: object) -> Any:
        a, b = self._compared(other)
        return a != b

    def __lt__(self, other: Any) -> Any:
        a, b = self._compared(other)
        return a < b

    def __le__(self, other: Any) -> Any:
        a, b = self._compared(other)
        return a <= b

    def __gt__(self, other: Any) -> Any:
        a, b = self._compared(other)
        return a > b

    def __ge__(self, other: Any) -> Any:
        a, b = self._compared(other)
        return a >= b

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

    if TYPE_CHECKING:  # the operations that give_methods() attaches to Value and Tensor (those with a
        # scalar forward), as type checkers see them; each returns a node of the same type. ``other``
        # is a node of the same type or a number (for a Tensor also an array), hence Any.
        @property
        def shape(self) -> tuple[int, ...]: ...  # () for a Value (a class attribute), a Tensor's property

        def __add__(self, other: Any) -> Self: ...
        def __radd__(self, other: Any) -> Self: ...
        def __sub__(self, other: Any) -> Self: ...
        def __rsub__(self, other: Any) -> Self: ...
        def __mul__(self, other: Any) -> Self: ...
        def __rmul__(self, other: Any) -> Self: ...
        def __truediv__(self, other: Any) -> Self: ...
        def __rtruediv__(self, other: Any) -> Self: ...
        def __pow__(self, other: Any) -> Self: ...
        def __rpow__(self, other: Any) -> Self: ...
        def __neg__(self) -> Self: ...
        def __abs__(self) -> Self: ...  # (toolbox_ops: abs(x) is x.abs())
        def sigmoid(self) -> Self: ...
        def exp(self) -> Self: ...
        def log(self) -> Self: ...
        def tanh(self) -> Self: ...
        def relu(self) -> Self: ...
        def sqrt(self) -> Self: ...
        def abs(self) -> Self: ...
        def sin(self) -> Self: ...
        def cos(self) -> Self: ...
        def gelu(self, approximate: str = "none") -> Self: ...
        def maximum(self, other: Any) -> Self: ...
        def minimum(self, other: Any) -> Self: ...
