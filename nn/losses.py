"""Losses: the seed notebook's squared error, and mean squared error.

Both insist that prediction and target have the same shape: broadcasting a (2, 1)
prediction against a (2,) target would silently compare every output with every label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value

from .module import Module

__all__ = ["squared_error", "mse_loss", "SquaredError", "MSELoss"]


def _difference(prediction: Any, target: Any) -> tuple[Any, int]:
    """target - prediction, as one Tensor or a list of Values, and the element count."""
    if isinstance(prediction, Tensor):
        target_shape = target.shape if isinstance(target, (Node, np.ndarray)) else np.shape(target)
        if target_shape != prediction.shape:
            raise ValueError(
                f"prediction has shape {prediction.shape} but target has shape {target_shape}; "
                "they must match (reshape one of them)"
            )
        return target - prediction, prediction.numel()  # an array target becomes a constant
    if isinstance(prediction, Value) or (isinstance(prediction, Sequence) and prediction
                                         and all(isinstance(p, Value) for p in prediction)):
        predictions = [prediction] if isinstance(prediction, Value) else list(prediction)
        targets = [target] if not isinstance(target, Sequence) else list(target)
        if len(targets) != len(predictions):
            raise ValueError(f"{len(predictions)} predictions but {len(targets)} targets")
        return [t - p for p, t in zip(predictions, targets)], len(predictions)
    raise TypeError(f"prediction must be a Tensor or Value(s), not {type(prediction).__name__}")


def squared_error(prediction: Any, target: Any) -> Node:
    """The notebook's loss: 0.5 * sum((target - prediction)**2).

    >>> squared_error(Tensor([[1.5], [1.0]]), [[10.0], [-2.0]]).item()
    40.625
    """
    difference, _ = _difference(prediction, target)
    if isinstance(difference, list):
        return sum((0.5 * d * d for d in difference[1:]), 0.5 * difference[0] * difference[0])
    return 0.5 * (difference**2).sum()  # as the notebook wrote it


def mse_loss(prediction: Any, target: Any) -> Node:
    """Mean squared error: mean((target - prediction)**2), as PyTorch's ``mse_loss``.

    >>> mse_loss(Tensor([1.0, 3.0]), [2.0, 1.0]).item()
    2.5
    """
    difference, count = _difference(prediction, target)
    if isinstance(difference, list):
        return sum((d * d for d in difference[1:]), difference[0] * difference[0]) / count
    return (difference**2).mean()


class SquaredError(Module):
    """Module form of ``squared_error``."""

    def forward(self, prediction: Any, target: Any) -> Node:
        return squared_error(prediction, target)


class MSELoss(Module):
    """Module form of ``mse_loss`` (PyTorch's name)."""

    def forward(self, prediction: Any, target: Any) -> Node:
        return mse_loss(prediction, target)
