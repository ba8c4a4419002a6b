"""Making tensors, in PyTorch's spelling: ``tensor``, ``zeros``, ``ones``, ``randn``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .numeric import shape_argument
from .tensor import Tensor

__all__ = ["tensor", "zeros", "ones", "randn"]


def tensor(data: Any, requires_grad: bool = False, *, dtype: Any = None) -> Tensor:
    """A Tensor holding a copy of ``data``, as ``torch.tensor``.

    >>> import autograd
    >>> autograd.tensor([1.0, 2.0], requires_grad=True).requires_grad
    True
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def zeros(*shape: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A Tensor of zeros: ``zeros(2, 3)`` or ``zeros((2, 3))``, as ``torch.zeros``.

    >>> import autograd
    >>> autograd.zeros(2, 3).shape
    (2, 3)
    """
    return Tensor(np.zeros(shape_argument(shape)), requires_grad=requires_grad, dtype=dtype)


def ones(*shape: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A Tensor of ones: ``ones(2, 3)`` or ``ones((2, 3))``, as ``torch.ones``.

    >>> import autograd
    >>> autograd.ones(2).data.tolist()
    [1.0, 1.0]
    """
    return Tensor(np.ones(shape_argument(shape)), requires_grad=requires_grad, dtype=dtype)


def randn(*shape: Any, rng: np.random.Generator | int | None = None, requires_grad: bool = False,
          dtype: Any = None) -> Tensor:
    """Standard normal numbers, as ``torch.randn``; ``rng`` is a ``np.random.Generator``
    or a seed (the same seed gives the same numbers), None for a fresh generator.

    >>> import autograd
    >>> bool((autograd.randn(3, rng=0).data == autograd.randn(3, rng=0).data).all())
    True
    """
    if rng is not None and not isinstance(rng, (np.random.Generator, int, np.integer)) or isinstance(rng, bool):
        raise TypeError(f"rng must be a numpy.random.Generator or an integer seed, not {type(rng).__name__}")
    generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    return Tensor(generator.standard_normal(shape_argument(shape)), requires_grad=requires_grad, dtype=dtype)
