"""Initialisation: fill parameters with random numbers from a ``numpy.random.Generator``.

Each function is named for the distribution it draws from. The seed notebook's
``init_weights`` says "Normal Gaussian" in its comment but calls ``np.random.rand``:
that is ``uniform_(w, 0.0, 1.0)`` here, and ``normal_`` is the Gaussian.

>>> import numpy as np
>>> from nn import Parameter, init
>>> w = Parameter(np.zeros((2, 3)))
>>> init.uniform_(w, 0.0, 1.0, rng=np.random.default_rng(0)).shape
(2, 3)
"""

from __future__ import annotations

import math

import numpy as np

from autograd import Tensor, no_grad

__all__ = ["make_rng", "uniform_", "normal_", "default_uniform_"]

RandomSource = np.random.Generator | int | None


def make_rng(rng: RandomSource = None) -> np.random.Generator:
    """A Generator from a Generator (used as is), a seed (int), or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, (int, np.integer)) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy.random.Generator, an int seed or None, not {type(rng).__name__}")


def _fill(tensor: Tensor, values: np.ndarray) -> Tensor:
    with no_grad():
        tensor.data[...] = values  # (counts as a change of the tensor)
    return tensor


def uniform_(tensor: Tensor, low: float = 0.0, high: float = 1.0, *, rng: RandomSource = None) -> Tensor:
    """Fill in place with draws from the uniform distribution on [low, high)."""
    if not low < high:
        raise ValueError(f"uniform_ needs low < high, got low={low}, high={high}")
    return _fill(tensor, make_rng(rng).uniform(low, high, size=tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, *, rng: RandomSource = None) -> Tensor:
    """Fill in place with draws from the Gaussian N(mean, std**2)."""
    if std < 0:
        raise ValueError(f"normal_ needs std >= 0, got {std}")
    return _fill(tensor, make_rng(rng).normal(mean, std, size=tensor.shape))


def default_uniform_(tensor: Tensor, fan_in: int, *, rng: RandomSource = None) -> Tensor:
    """PyTorch's default for Linear layers: uniform on [-1/sqrt(fan_in), 1/sqrt(fan_in))."""
    bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
    return _fill(tensor, make_rng(rng).uniform(-bound, bound, size=tensor.shape))
