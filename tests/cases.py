"""The test cases of every operation, read from the op table itself (``autograd.ops.OPS``).

Each ``Op`` carries its ``examples`` (input shapes, input domain, how to call it), so a
new operation is tested, against finite differences and PyTorch, the moment it is
defined: there is no list here to extend.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd  # noqa: F401  (defines every operation)
from autograd import ops
from autograd.examples import Example
from autograd.ops import Op

Shape = tuple[int, ...]


def default_call(op: Op) -> Callable[..., Any]:
    """How to call an operation when its example does not say: its operator or method.
    The same call works on PyTorch tensors, whose names we share."""
    if op.method.startswith("__") and hasattr(operator, op.method.strip("_")):
        return getattr(operator, op.method.strip("_"))
    return lambda x, *others: getattr(x, op.method)(*others)


@dataclass
class Case:
    op: Op
    example: Example
    call: Callable[..., Any]
    arity: int
    scalar: bool  # also a Value operation

    @property
    def low(self) -> float:
        return self.example.low

    @property
    def high(self) -> float:
        return self.example.high

    @property
    def away_from_zero(self) -> float:
        return self.example.away_from_zero

    @property
    def shapes(self) -> list[tuple[Shape, ...]]:
        return self.example.tries()

    @property
    def torch(self) -> bool:
        return self.example.torch is not False

    @property
    def torch_call(self) -> Callable[..., Any] | None:
        return self.example.torch if callable(self.example.torch) else None


def cases_of(op: Op) -> list[Case]:
    """The test cases of one operation, one per example."""
    return [Case(op, example, example.call or default_call(op), op.arity, op.scalar is not None)
            for example in op.examples]


def is_tested(op: Op) -> bool:
    """An op is tried through its method, or (a module function such as ``cat``) through
    the calls its examples give."""
    return op.method is not None or all(example.call is not None for example in op.examples)


CASES: list[Case] = [case for op in ops.OPS if is_tested(op) for case in cases_of(op)]


def sample(rng: np.random.Generator, case: Case, shape: Shape) -> np.ndarray:
    """Random inputs from the case's domain, kept `away_from_zero` from 0."""
    x = rng.uniform(case.low, case.high, size=shape)
    if case.away_from_zero:
        x = np.where(np.abs(x) < case.away_from_zero, np.sign(x + 1e-12) * case.away_from_zero + x, x)
    return x
