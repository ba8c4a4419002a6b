"""Losses: the seed notebook's squared error, mean squared error, and the classifier's
cross-entropy (``log_softmax`` then ``nll_loss``), in PyTorch's spelling.

The regression losses insist that prediction and target have the same shape: broadcasting
a (2, 1) prediction against a (2,) target would silently compare every output with every
label. The classification losses insist on integer class targets, one per row, in range.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, as_tensor

from .module import Module

__all__ = [
    "squared_error",
    "mse_loss",
    "SquaredError",
    "MSELoss",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "NLLLoss",
    "CrossEntropyLoss",
]

REDUCTIONS = ("mean", "sum", "none")


def _difference(prediction: Any, target: Any) -> tuple[Any, int]:
    """target - prediction, as one Tensor or a list of Values, and the element count."""
    if isinstance(prediction, Tensor):
        if isinstance(target, (str, bytes)) or target is None:  # (it said "target has shape ()")
            raise TypeError(f"target must be numbers (an array, a list, a Tensor), not {type(target).__name__}")
        target_shape = target.shape if isinstance(target, (Tensor, np.ndarray)) else np.shape(target)
        if target_shape != prediction.shape:
            raise ValueError(
                f"prediction has shape {prediction.shape} but target has shape {target_shape}; "
                "they must match (reshape one of them)"
            )
        return target - prediction, prediction.numel()  # an array target becomes a constant
    if isinstance(prediction, Value) or (isinstance(prediction, Sequence) and prediction
                                         and all(isinstance(p, Value) for p in prediction)):
        predictions = [prediction] if isinstance(prediction, Value) else list(prediction)
        if isinstance(target, Node):
            raise TypeError("Value predictions take numbers as targets, not a "
                            f"{type(target).__name__} (Value and Tensor cannot be combined)")
        if isinstance(target, np.ndarray):
            target = target.reshape(-1).tolist() if target.ndim else target.item()
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


# ---- classification: log_softmax, nll_loss, cross_entropy


def log_softmax(logits: Any, dim: int | None = None) -> Tensor:
    """log(softmax(logits)) along ``dim``, as ``torch.nn.functional.log_softmax``:
    logits - logsumexp(logits), stable for logits of any size (±1000 included). Without
    ``dim``, the last axis of a 1-d or 2-d input (where PyTorch's implicit choice is the
    same); from 3 axes on ``dim`` must be given (PyTorch's implicit one, 0 or 1, is deprecated).

    >>> log_softmax(Tensor([[0.0, 0.0]])).data.tolist()
    [[-0.6931471805599453, -0.6931471805599453]]
    """
    logits = logits if isinstance(logits, Tensor) else as_tensor(logits)
    if logits.ndim == 0:
        raise ValueError("log_softmax needs at least one axis of classes, got a 0-d tensor")
    if dim is None:
        if logits.ndim > 2:
            raise TypeError(f"log_softmax of a {logits.ndim}-d input needs dim= (PyTorch's implicit dim, "
                            f"{0 if logits.ndim == 3 else 1} here, is deprecated; ours would be -1)")
        dim = -1
    return logits.log_softmax(dim)  # one op: the shift by the maximum is inside it


def _check_reduction(reduction: str) -> str:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def _score_rows(scores: Any, reduction: str = "mean") -> Tensor:
    """The input of a classification loss as a Tensor of shape (N, C), or an error (no rows:
    only for the mean, which is undefined; a sum of no rows is 0, as in PyTorch)."""
    scores = scores if isinstance(scores, Tensor) else as_tensor(scores)
    if scores.ndim != 2:
        raise ValueError(
            f"the input must have shape (N, C): one row of C class scores per example, "
            f"got shape {scores.shape} (reshape it, e.g. x.reshape(1, -1) for one example)"
        )
    if scores.shape[0] == 0 and reduction == "mean":
        raise ValueError("the input has no rows (shape (0, C)): the mean loss of no examples is undefined "
                         "(PyTorch gives nan); reduction='sum' gives 0 and 'none' an empty array")
    return scores


def _class_targets(targets: Any, n_rows: int, n_classes: int) -> np.ndarray:
    """The targets as an int array of shape (n_rows,), each in [0, n_classes), or an error
    that says which target is wrong and how."""
    array = np.asarray(targets.data if isinstance(targets, Node) else targets)
    if array.dtype == bool or array.dtype.kind not in "iuf":
        raise TypeError(
            f"targets must be integer class indices, got dtype {array.dtype} "
            "(convert labels to 0, 1, ..., C-1 first)"
        )
    if array.shape != (n_rows,):
        raise ValueError(
            f"targets must have shape ({n_rows},), one class index per row of the input, "
            f"got shape {array.shape}"
        )
    if array.dtype.kind == "f":
        bad = ~np.isfinite(array) | (array != np.round(array))
        if bad.any():
            i = int(np.argmax(bad))
            raise TypeError(
                f"targets must be integer class indices, but targets[{i}] = {float(array[i])} is not a whole "
                "number (class probabilities are not supported; pass the class of each row)"
            )
    if n_classes == 0:  # (it said targets "must be in [0, -1]")
        raise ValueError("the input has no classes: its last axis (the classes) has size 0")
    outside = (array < 0) | (array >= n_classes)  # (checked before the cast, which would wrap 2**63 round)
    if outside.any():
        i = int(np.argmax(outside))
        shown = str(int(array[i])) if array.dtype.kind in "iu" else f"{float(array[i]):.0f}"  # (whole numbers)
        raise ValueError(
            f"targets[{i}] = {shown} is not a class index: with {n_classes} classes "
            f"(the input's last axis) targets must be in [0, {n_classes - 1}]"
        )
    return array.astype(np.int64)


def nll_loss(log_probs: Any, targets: Any, weight: Any = None, *, reduction: str = "mean") -> Tensor:
    """Negative log likelihood: -log_probs[i, targets[i]], averaged over the rows
    (``reduction="mean"``), summed (``"sum"``) or one per row (``"none"``), as
    ``torch.nn.functional.nll_loss``. ``log_probs`` has shape (N, C).

    >>> nll_loss(Tensor([[-0.5, -1.0], [-2.0, -0.1]]), [0, 1]).item()
    0.3
    """
    _no_class_weights(weight)
    _check_reduction(reduction)
    log_probs = _score_rows(log_probs, reduction)
    n_rows, n_classes = log_probs.shape
    picked = log_probs[np.arange(n_rows), _class_targets(targets, n_rows, n_classes)]
    losses = -picked  # (negated before the sum, as PyTorch sums: a total of nothing is +0.0, not -0.0)
    if reduction == "none":
        return losses
    return losses.mean() if reduction == "mean" else losses.sum()


def cross_entropy(logits: Any, targets: Any, weight: Any = None, *, reduction: str = "mean") -> Tensor:
    """Cross-entropy of raw scores (N, C) against integer classes (N,):
    ``nll_loss(log_softmax(logits, dim=1), targets)``, as
    ``torch.nn.functional.cross_entropy``. Stable at logits of ±1000.

    >>> round(cross_entropy(Tensor([[2.0, 0.0, -1.0]]), [0]).item(), 6)
    0.169846
    """
    _no_class_weights(weight)
    _check_reduction(reduction)  # before any work, so a typo is named first
    return nll_loss(log_softmax(_score_rows(logits, reduction), dim=1), targets, reduction=reduction)


def _no_class_weights(weight: Any) -> None:
    # PyTorch's place for class weights: given there, a reduction would be misread (and
    # weights silently ignored), so it is refused
    if weight is not None:
        raise TypeError(f"class weights (weight=, PyTorch's third argument) are not supported, got {weight!r}; "
                        "give the reduction by name: reduction='sum'")


class _ReducedLoss(Module):
    """A loss module that holds its ``reduction`` (checked when it is made)."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        _no_class_weights(weight)  # (PyTorch's first argument)
        self.reduction = _check_reduction(reduction)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class NLLLoss(_ReducedLoss):
    """Module form of ``nll_loss`` (PyTorch's name)."""

    def forward(self, log_probs: Any, targets: Any) -> Tensor:
        return nll_loss(log_probs, targets, reduction=self.reduction)


class CrossEntropyLoss(_ReducedLoss):
    """Module form of ``cross_entropy`` (PyTorch's name).

    >>> loss_fn = CrossEntropyLoss()
    >>> round(loss_fn(Tensor([[2.0, 0.0, -1.0]]), [0]).item(), 6)
    0.169846
    """

    def forward(self, logits: Any, targets: Any) -> Tensor:
        return cross_entropy(logits, targets, reduction=self.reduction)
