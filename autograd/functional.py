"""Derivatives of whole functions, built on ``grad(..., create_graph=True)``: Jacobians,
Hessians and Hessian-vector products, with PyTorch's names and shapes
(``torch.autograd.functional``).

A Hessian is the Jacobian of the gradient: the engine records the backward pass as a
graph (``create_graph=True``) and differentiates it again, once per entry of the
gradient. A Hessian-vector product needs only one such second pass.

>>> import numpy as np
>>> from autograd import Tensor
>>> from autograd.functional import hessian
>>> hessian(lambda x: (x ** 3).sum(), Tensor([1.0, 2.0]))    # diag(6 x)
array([[ 6.,  0.],
       [ 0., 12.]])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .core import Node
from .modes import enable_grad, grad, make_seed
from .tensor import Tensor
from .value import Value

__all__ = ["jacobian", "hessian", "hvp"]

Inputs = Node | Sequence[Node]


def _as_list(inputs: Inputs) -> tuple[list[Node], bool]:
    """Fresh leaves holding the inputs' numbers (as PyTorch does): ``func`` is called on
    them, so the inputs may be any tensors, and their own ``.grad`` is left alone."""
    single = isinstance(inputs, Node)
    given: list[Node] = [inputs] if isinstance(inputs, Node) else list(inputs)
    leaves: list[Node] = []
    for i, node in enumerate(given):
        if isinstance(node, Tensor):
            leaves.append(node.detach().requires_grad_())
        elif isinstance(node, Value):
            leaves.append(Value(node.data, label=node.label))
        else:
            raise TypeError(f"input {i} must be a Tensor or a Value, not {type(node).__name__}")
    return leaves, single


def _shape(x: Any) -> tuple[int, ...]:
    return tuple(np.shape(x.data if isinstance(x, Node) else x))


def _size(x: Any) -> int:
    return int(np.prod(_shape(x)))


def _check_size(what: str, shape: tuple[int, ...], max_elements: int) -> None:
    count = int(np.prod(shape)) if shape else 1
    if count > max_elements:
        raise ValueError(
            f"the {what} would have shape {shape}: {count:,} numbers ({count * 8 / 1e6:,.0f} MB in float64), "
            f"more than max_elements={max_elements:,}; use hvp() for Hessian-vector products, or pass a "
            "larger max_elements"
        )


def _gradients(output: Any, nodes: list[Node], seed: Any = None, create_graph: bool = False) -> list[np.ndarray | Any]:
    """d output / d node for each node (zeros where output does not depend on it)."""
    if not isinstance(output, Node) or not output.requires_grad:
        return [np.zeros(_shape(n)) for n in nodes]
    found = grad(output, nodes, seed, create_graph=create_graph, allow_unused=True)
    return [np.zeros(_shape(n)) if g is None else g for n, g in zip(nodes, found)]


def _numbers(x: Any, dtype: Any = np.float64) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Node) else x, dtype=dtype)


def _dtype(node: Any) -> Any:
    """The dtype of a derivative with respect to ``node``: its own (float32 for a float32
    tensor, whatever the output's dtype), as PyTorch's gradients have."""
    return node.dtype if isinstance(node, Tensor) else np.dtype(np.float64)


@enable_grad  # (as PyTorch's: under no_grad the function ran unrecorded, and every derivative read 0)
def jacobian(func: Callable[..., Any], inputs: Inputs, *, max_elements: int = 10_000_000) -> Any:
    """d func(inputs) / d inputs, of shape ``output.shape + input.shape`` (a tuple of
    those for several inputs). One backward pass per output element.

    >>> from autograd import Tensor
    >>> jacobian(lambda x: x * x, Tensor([1.0, 3.0]))
    array([[2., 0.],
           [0., 6.]])
    """
    nodes, single = _as_list(inputs)
    output = func(*nodes)
    if not isinstance(output, Node):
        raise TypeError(f"func must return a Tensor or a Value, not {type(output).__name__}")
    out_shape = _shape(output)
    for node in nodes:
        _check_size("Jacobian", out_shape + _shape(node), max_elements)
    blocks = [np.zeros((_size(output),) + _shape(node), _dtype(node)) for node in nodes]
    for k in range(_size(output)):
        seed = np.zeros(out_shape)
        seed[np.unravel_index(k, out_shape) if out_shape else ()] = 1.0
        for block, row in zip(blocks, _gradients(output, nodes, make_seed(output, seed if out_shape else 1.0))):
            block[k] = _numbers(row)
    blocks = [block.reshape(out_shape + _shape(node)) for block, node in zip(blocks, nodes)]
    return blocks[0] if single else tuple(blocks)


@enable_grad  # (as PyTorch's: under no_grad the function ran unrecorded, and every derivative read 0)
def hessian(func: Callable[..., Any], inputs: Inputs, *, max_elements: int = 10_000_000) -> Any:
    """The matrix of second derivatives of a function with one-number output, of shape
    ``input.shape + input.shape`` (for several inputs, a tuple of tuples: block [i][j]
    is d2 f / d input_i d input_j). One second backward pass per input element.

    >>> from autograd import Value
    >>> hessian(lambda x, y: x * x * y, [Value(1.0), Value(2.0)])
    ((array(4.), array(2.)), (array(2.), array(0.)))
    """
    nodes, single = _as_list(inputs)
    output = func(*nodes)
    if not isinstance(output, Node) or _size(output) != 1:
        raise ValueError("hessian needs a function that returns one number (a Value or a one-element Tensor)")
    total = sum(_size(n) for n in nodes)
    _check_size("Hessian", (total, total), max_elements)
    first = _gradients(output, nodes, create_graph=True)
    blocks = [[np.zeros(_shape(a) + _shape(b), _dtype(b)) for b in nodes] for a in nodes]
    for i, (node_i, g) in enumerate(zip(nodes, first)):
        for k in range(_size(node_i)):
            entry = g.reshape(-1)[k] if isinstance(g, Tensor) else g
            index = np.unravel_index(k, _shape(node_i)) if _shape(node_i) else ()
            for j, row in enumerate(_gradients(entry, nodes)):
                blocks[i][j][index] = _numbers(row)
    if single:
        return blocks[0][0]
    return tuple(tuple(row) for row in blocks)


@enable_grad  # (as PyTorch's: under no_grad the function ran unrecorded, and every derivative read 0)
def hvp(func: Callable[..., Any], inputs: Inputs, v: Any) -> tuple[Any, Any]:
    """``(func(inputs), H v)``: the Hessian times a vector ``v`` (shaped like the inputs;
    a sequence for several inputs), in one second backward pass, without forming H.

    >>> from autograd import Tensor
    >>> hvp(lambda x: (x ** 3).sum(), Tensor([1.0, 2.0]), np.array([1.0, 1.0]))[1]
    array([ 6., 12.])
    """
    nodes, single = _as_list(inputs)
    vectors = [v] if single else list(v)
    if len(vectors) != len(nodes):
        raise ValueError(f"v has {len(vectors)} parts for {len(nodes)} inputs")
    for i, (node, vector) in enumerate(zip(nodes, vectors)):
        if _shape(vector) != _shape(node):
            raise ValueError(f"v[{i}] has shape {_shape(vector)}, but input {i} has shape {_shape(node)}")
    output = func(*nodes)
    if not isinstance(output, Node) or _size(output) != 1:
        raise ValueError("hvp needs a function that returns one number (a Value or a one-element Tensor)")
    first = _gradients(output, nodes, create_graph=True)
    directional = None  # g . v, whose gradient is H v
    for g, vector in zip(first, vectors):
        if isinstance(g, Node):
            term = (g * np.asarray(vector, dtype=g.dtype)).sum() if isinstance(g, Tensor) else g * float(vector)
            directional = term if directional is None else directional + term
    products = [_numbers(h, _dtype(node)) for h, node in zip(_gradients(directional, nodes), nodes)]
    return output, products[0] if single else tuple(products)
