"""One test case per entry of the op table (autograd/ops.py), shared by the tests.

Each case says how to call the op on our nodes (the same call works on torch
tensors, whose method names we share), which input shapes to try, and which domain
the inputs come from (log needs positive numbers; relu stays away from its kink).
`test_every_op_has_a_case` fails the moment an op is added to the table without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd import ops

Shape = tuple[int, ...]


@dataclass
class Case:
    op: ops.Op
    call: Callable[..., Any]
    arity: int
    low: float = -2.0
    high: float = 2.0
    # Tensor shapes to try: one tuple of input shapes per sub-case
    shapes: list[tuple[Shape, ...]] = field(default_factory=list)
    scalar: bool = True  # also defined on Value
    # inputs must stay this far from 0 (relu's kink, division by ~0)
    away_from_zero: float = 0.0
    torch: bool = True  # has a PyTorch counterpart called the same way
    torch_call: Callable[..., Any] | None = None  # when PyTorch spells it differently


BROADCAST_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),  # both stretched
    ((2, 3), (3,)),  # new leading axis
    ((), (2, 3)),  # scalar tensor
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
]
UNARY_SHAPES = [((),), ((5,),), ((2, 3),), ((2, 1, 3),)]

CASES: list[Case] = [
    Case(ops.ADD, lambda a, b: a + b, 2, shapes=BROADCAST_SHAPES),
    Case(ops.SUB, lambda a, b: a - b, 2, shapes=BROADCAST_SHAPES),
    Case(ops.MUL, lambda a, b: a * b, 2, shapes=BROADCAST_SHAPES),
    Case(ops.DIV, lambda a, b: a / b, 2, shapes=BROADCAST_SHAPES, away_from_zero=0.5),
    Case(ops.POW, lambda a, b: a**b, 2, low=0.5, high=2.0, shapes=BROADCAST_SHAPES),
    Case(ops.NEG, lambda x: -x, 1, shapes=UNARY_SHAPES),
    Case(ops.EXP, lambda x: x.exp(), 1, shapes=UNARY_SHAPES),
    Case(ops.LOG, lambda x: x.log(), 1, low=0.2, high=3.0, shapes=UNARY_SHAPES),
    Case(ops.TANH, lambda x: x.tanh(), 1, shapes=UNARY_SHAPES),
    Case(ops.SIGMOID, lambda x: x.sigmoid(), 1, shapes=UNARY_SHAPES),
    Case(ops.RELU, lambda x: x.relu(), 1, shapes=UNARY_SHAPES, away_from_zero=0.1),
    Case(
        ops.MATMUL, lambda a, b: a @ b, 2, scalar=False,
        shapes=[
            ((4, 3), (3, 2)),  # (m,k) @ (k,n)
            ((3,), (3, 2)),  # (k,) @ (k,n)
            ((4, 3), (3,)),  # (m,k) @ (k,)
            ((3,), (3,)),  # dot product
            ((2, 4, 3), (2, 3, 5)),  # batched
            ((2, 4, 3), (3, 5)),  # batched @ shared matrix
            ((3,), (2, 3, 4)),  # vector @ batch
            ((2, 1, 4, 3), (5, 3, 2)),  # broadcast batch axes
        ],
    ),
    Case(
        ops.LINEAR, lambda x, w: x.linear(w), 2, scalar=False, torch_call=lambda x, w: x @ w.T,
        shapes=[((5, 3), (4, 3)), ((3,), (2, 3)), ((2, 5, 3), (4, 3))],
    ),
    Case(ops.SUM, lambda x: x.sum(), 1, scalar=False, shapes=[((2, 3),), ((4,),), ((),)]),
    Case(ops.SUM, lambda x: x.sum(axis=1), 1, scalar=False, shapes=[((2, 3),), ((2, 3, 4),)]),
    Case(ops.SUM, lambda x: x.sum(axis=(0, 2), keepdims=True), 1, scalar=False, shapes=[((2, 3, 4),)]),
    Case(ops.SUM, lambda x: x.sum(axis=-1), 1, scalar=False, shapes=[((2, 3, 4),)]),
    Case(ops.MEAN, lambda x: x.mean(), 1, scalar=False, shapes=[((2, 3),)]),
    Case(ops.MEAN, lambda x: x.mean(axis=0, keepdims=True), 1, scalar=False, shapes=[((4, 3),)]),
    Case(ops.RESHAPE, lambda x: x.reshape(3, -1), 1, scalar=False, shapes=[((2, 3),), ((6, 1),)]),
    Case(ops.TRANSPOSE, lambda x: x.T, 1, scalar=False, shapes=[((2, 3),)]),
    Case(ops.TRANSPOSE, lambda x: x.T, 1, scalar=False, torch=False, shapes=[((4,),)]),
    Case(ops.TRANSPOSE, lambda x: x.transpose(), 1, scalar=False, torch=False, shapes=[((2, 3, 4),)]),
    Case(ops.TRANSPOSE, lambda x: x.permute(2, 0, 1), 1, scalar=False, shapes=[((2, 3, 4),)]),
    Case(ops.BROADCAST_TO, lambda x: x.broadcast_to((2, 4, 3)), 1, scalar=False,
         shapes=[((4, 1),), ((3,),)]),
    Case(ops.INDEX, lambda x: x[1], 1, scalar=False, shapes=[((3, 4),)]),
    Case(ops.INDEX, lambda x: x[:, 1:3], 1, scalar=False, shapes=[((3, 4),)]),
    Case(ops.INDEX, lambda x: x[..., None, ::2], 1, scalar=False, shapes=[((3, 4),)]),
    # integer-array indexing with a repeated index: gradients must add up
    Case(ops.INDEX, lambda x: x[[0, 2, 0, 0]], 1, scalar=False, shapes=[((3, 2),)]),
    Case(ops.INDEX, lambda x: x[[0, 1, 1], [2, 0, 0]], 1, scalar=False, shapes=[((2, 3),)]),
    Case(ops.ZERO_WHERE, lambda x: x._zero_where(np.array([True, False, False])), 1, scalar=False,
         shapes=[((3,),), ((2, 3),)], torch=False),
    Case(ops.ZERO_WHERE, lambda x: x._zero_where(x.data > 0.5 if isinstance(x.data, float) else False), 1,
         scalar=True, shapes=[((),)], torch=False),
    Case(ops.SCATTER_ADD, lambda x: x._scatter_add(([0, 2, 0],), (4,)), 1, scalar=False,
         shapes=[((3,),)], torch=False),
]


def sample(rng: np.random.Generator, case: Case, shape: Shape) -> np.ndarray:
    """Random inputs from the case's domain, kept `away_from_zero` from 0."""
    x = rng.uniform(case.low, case.high, size=shape)
    if case.away_from_zero:
        x = np.where(np.abs(x) < case.away_from_zero, np.sign(x + 1e-12) * case.away_from_zero + x, x)
    return x
