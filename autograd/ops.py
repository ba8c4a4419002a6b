"""Operations, each defined once: its forward computation beside its derivative rules.

A rule is called as ``rule(grad, out, *inputs, *args)``, with ``grad`` = d(root)/d(out),
and returns this input's share of the gradient: ``grad * d(out)/d(input)``. Rules use
only operators, methods and ``numeric.py``'s helpers, so one rule runs on numbers and
arrays (the usual pass) and on graph nodes (a recorded pass, for gradients of gradients).

Here are the operations of the seed notebook's network, ``0.5 * sum((y - sigmoid(W2 @
sigmoid(W1 @ x)))**2)``; ``more_ops.py`` defines the rest the same way. Defining an
``Op`` is all it takes: it is callable (``SIGMOID(x)``), ``Value`` and ``Tensor`` get its
method (``x.sigmoid()``), and the tests try it on its ``examples``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import numeric
from .examples import BROADCASTING, Example
from .methods import introduce
from .numeric import expand_reduced, log, power, reduce_with, scalar_power, scalar_sigmoid, zero_where

__all__ = ["Op", "OPS"]

OPS: list[Op] = []  # every user-facing operation, in the order defined


class Op:
    """One operation: ``forward`` computes it on arrays (``scalar`` on Python floats, which
    makes it a ``Value`` operation too); ``rules`` has one derivative rule per input and
    ``formulas`` says each for people. ``broadcasts``: elementwise with broadcasting, so
    each input's gradient is summed back to its shape. ``method``: its name on ``Value``
    and ``Tensor``; ``arguments`` makes the method's extra arguments ``args``.

    >>> from autograd import Op, Value
    >>> cube = Op("cube", forward=lambda x: x**3, scalar=lambda x: x**3,
    ...           rules=[lambda grad, out, x: grad * 3 * x * x], formulas=["d(x^3)/dx = 3x^2"])
    >>> x = Value(2.0)
    >>> cube(x).backward(); x.grad
    12.0
    """

    def __init__(self, name: str, *, forward: Callable[..., Any], rules: list | tuple, formulas: list | tuple,
                 scalar: Callable[..., float] | None = None, broadcasts: bool = False, method: str | None = None,
                 arguments: Callable[..., tuple] | None = None, examples: tuple = (Example(),),
                 internal: bool = False) -> None:
        if len(rules) != len(formulas):
            raise ValueError(f"op {name!r}: one formula per rule, got {len(formulas)} for {len(rules)} rules")
        self.name, self.forward, self.scalar, self.broadcasts = name, forward, scalar, broadcasts
        self.rules, self.formulas, self.arity = tuple(rules), tuple(formulas), len(rules)
        self.method, self.arguments, self.examples = method, arguments, examples
        if not internal:
            OPS.append(self)
        introduce(self, internal)  # its methods; and a user's op is checked as it runs (user_ops.py)

    def __call__(self, *operands: Any, **options: Any) -> Any:
        """Apply the operation: on nodes it records it; on plain numbers it just computes."""
        inputs, args = operands[: self.arity], operands[self.arity:]
        if self.arguments is not None:
            args = self.arguments(*args, **options)
        for x in inputs:
            if hasattr(x, "apply"):  # a Value or a Tensor: its type makes the result
                return x.apply(self, inputs, args)
        if self.scalar is not None and all(isinstance(x, (float, int)) for x in inputs):
            return self.scalar(*inputs, *args)
        return self.forward(*inputs, *args)

    def __repr__(self) -> str:
        return f"Op({self.name!r})"


# --------------------------------------------------------------------------- the seed's operations

ADD = Op("+", forward=operator.add, scalar=operator.add, broadcasts=True, method="__add__",
         rules=[lambda grad, out, a, b: grad,
                lambda grad, out, a, b: grad],
         formulas=["d(a+b)/da = 1", "d(a+b)/db = 1"], examples=(BROADCASTING,))

SUB = Op("-", forward=operator.sub, scalar=operator.sub, broadcasts=True, method="__sub__",
         rules=[lambda grad, out, a, b: grad,
                lambda grad, out, a, b: -grad],
         formulas=["d(a-b)/da = 1", "d(a-b)/db = -1"], examples=(BROADCASTING,))

MUL = Op("*", forward=operator.mul, scalar=operator.mul, broadcasts=True, method="__mul__",
         rules=[lambda grad, out, a, b: grad * b,
                lambda grad, out, a, b: grad * a],
         formulas=["d(a*b)/da = b", "d(a*b)/db = a"], examples=(BROADCASTING,))


def _pow_rule_base(grad: Any, out: Any, a: Any, b: Any) -> Any:
    # b * a^(b-1), and 0 where b == 0 (a^0 is the constant 1), as in PyTorch; a^0 stands in
    # for a^-1 there, so that no 0 * inf appears in a second derivative at a = 0
    return zero_where(b == 0, grad * (b * power(a, zero_where(b == 0, b - 1))))  # (grad * b may overflow)


def _pow_rule_exponent(grad: Any, out: Any, a: Any, b: Any) -> Any:
    # a^b * ln(a), taken as 0 where a == 0 and b >= 0 (ln 0 = -inf, but a^b stays 0 or 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return grad * zero_where(np.logical_and(a == 0, b >= 0), out * log(a))


POW = Op("**", forward=np.power, scalar=scalar_power, broadcasts=True, method="__pow__",
         rules=[_pow_rule_base, _pow_rule_exponent],
         formulas=["d(a^b)/da = b*a^(b-1)", "d(a^b)/db = a^b*ln(a)"],
         examples=(Example(BROADCASTING.shapes, low=0.5, high=2.0),))

SIGMOID = Op("sigmoid", forward=numeric.sigmoid, scalar=scalar_sigmoid, method="sigmoid",  # 1 / (1 + e^-x)
             rules=[lambda grad, out, x: grad * out * (1.0 - out)],
             formulas=["d(s)/dx = s*(1-s)"])

MATMUL = Op("matmul", forward=np.matmul, method="__matmul__",
            # matrices: (m, n) @ (n, k) -> (m, k), the shape of a; (k, m) @ (m, n) -> (k, n), that of b.
            # Vectors, stacks of matrices and a matrix stored by columns (W.T): numeric.matmul_rule.
            rules=[lambda grad, out, a, b: grad @ b.T if numeric.by_rows(a, b) else numeric.matmul_rule(grad, a, b, 0),
                   lambda grad, out, a, b: a.T @ grad if numeric.by_rows(b, a) else numeric.matmul_rule(grad, a, b, 1)],
            formulas=["d(a@b)/da: grad @ b.T", "d(a@b)/db: a.T @ grad"],
            examples=(Example(shapes=(((4, 3), (3, 2)), ((3,), (3, 2)), ((4, 3), (3,)), ((3,), (3,)),
                                      ((2, 4, 3), (2, 3, 5)), ((2, 4, 3), (3, 5)), ((3,), (2, 3, 4)),
                                      ((2, 1, 4, 3), (5, 3, 2)))),))

SUM = Op("sum", forward=lambda x, axis, keepdims: reduce_with(np.add.reduce, x, axis, keepdims), method="sum",
         rules=[lambda grad, out, x, axis, keepdims: expand_reduced(grad, x.shape, axis, keepdims)],
         formulas=["d(sum x)/dx_i = 1"], arguments=numeric.reduction_arguments,
         examples=(Example(shapes=(((2, 3),), ((),))),
                   Example(shapes=(((2, 3, 4),),), call=lambda x: x.sum(axis=1)),
                   Example(shapes=(((2, 3, 4),),), call=lambda x: x.sum(axis=(0, -1), keepdims=True))))
