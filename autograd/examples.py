"""What the test suite tries each operation on: its ``examples``, part of its definition.

An ``Example`` gives the input shapes (for ``Tensor``; a ``Value`` operation is also
tried on single numbers), the input domain (``log`` needs positive numbers, ``relu``
stays away from its kink) and, where the method call alone would not do, how to call
it. ``tests/cases.py`` turns every op's examples into test cases, so a new operation is
tested against finite differences and PyTorch the moment it is defined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Example:
    """Inputs the test suite tries an operation on (its input domain and shapes)."""

    shapes: tuple = (((),), ((5,),), ((2, 3),))  # Tensor input shapes, one tuple per try
    call: Callable[..., Any] | None = None  # how to call it; default: the op's method or operator
    low: float = -2.0
    high: float = 2.0
    away_from_zero: float = 0.0  # keep inputs this far from 0 (a kink, a pole)
    torch: Callable[..., Any] | bool = True  # PyTorch's spelling if it differs; False: none

    def tries(self) -> list[tuple[tuple[int, ...], ...]]:
        """The input shapes of each try (a bare shape is a try with one input)."""
        return [(t,) if all(isinstance(n, int) for n in t) else t for t in self.shapes]


UNARY = Example(shapes=(((),), ((5,),), ((2, 3),), ((2, 1, 3),)))
BROADCASTING = Example(shapes=(((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3), (3,)), ((), (2, 3)), ((2, 3), ())))
