"""Optimizers: SGD (with momentum), Adam and AdamW, as in ``torch.optim``.

An optimizer holds the parameters; ``step()`` moves each one against its gradient,
in place and without recording a graph; ``zero_grad()`` clears the gradients before
the next backward pass (they accumulate otherwise). Parameters whose gradient is
None (never reached by a backward pass) are left alone, as in PyTorch. A Value's
gradient is a number, 0.0 after ``zero_grad()``, so a Value no pass reached is still
stepped (with momentum or Adam it moves on its running averages), as PyTorch steps a
tensor after ``zero_grad(set_to_none=False)``.

>>> from nn import Linear, SGD
>>> layer = Linear(2, 1, rng=0)
>>> optimizer = SGD(layer.parameters(), lr=0.1)
>>> loss = (layer([[1.0, 2.0]]) ** 2).sum()
>>> loss.backward()
>>> optimizer.step()
>>> optimizer.zero_grad()
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value
from autograd.inplace import count_write
from autograd.numeric import is_whole_number

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]


def _check_number(name: str, value: Any, low: float = 0.0, high: float = math.inf,
                  high_inclusive: bool = True) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    inside = low <= value <= high if high_inclusive else low <= value < high
    if not inside:
        upper = f"{high}]" if high_inclusive else f"{high})"
        raise ValueError(f"{name} must be in [{low}, {upper}, got {value}")
    return float(value)


def _check_betas(value: Any) -> tuple[float, float]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(f"betas must be a pair of numbers, got {value!r}")
    first, second = (_check_number(f"betas[{i}]", b, 0.0, 1.0, high_inclusive=False) for i, b in enumerate(value))
    return first, second


def _checked_setting(name: str, value: Any) -> Any:
    """A setting as the constructors check it (betas a pair in [0, 1), the rest numbers)."""
    return _check_betas(value) if name == "betas" else _check_number(name, value)


class Optimizer:
    """Holds the parameters; subclasses define ``_update(index, parameter, gradient)``."""

    def __init__(self, params: Iterable[Node], lr: float) -> None:
        if isinstance(params, Node):  # (list(W) would be W's rows: none of them a parameter)
            raise TypeError("the optimizer takes a list of parameters (or model.parameters()), not one "
                            f"{type(params).__name__}: write [{params.label or 'w'}]")
        if callable(getattr(params, "parameters", None)):  # (a module: "'Linear' object is not iterable")
            raise TypeError(f"the optimizer takes the parameters, not the {type(params).__name__} itself: "
                            "pass model.parameters()")
        params = list(params)
        if not params:
            raise ValueError("the optimizer got an empty parameter list")
        from .module import Parameter  # (module.py imports this module)

        for i, p in enumerate(params):
            # a Parameter frozen with requires_grad_(False) is taken and left alone while it has
            # no gradient, as in PyTorch; any other tensor that needs no gradient is a slip
            if not isinstance(p, (Tensor, Value)) or not (p.requires_grad or isinstance(p, Parameter)):
                raise TypeError(
                    f"parameter {i} must be a Tensor or Value that requires grad, got {p!r:.60} (a tensor made "
                    "without requires_grad=True? an nn.Parameter, or Tensor(..., requires_grad=True), trains)"
                )
            if p.op is not None:  # stepping it would change a result, not the leaf it came from
                raise ValueError(f"parameter {i} is not a leaf: an operation ({p.op.name}) made it, so stepping "
                                 "it would not change what it was made from; give the optimizer that leaf")
        # A parameter listed twice (a layer shared by two modules whose parameters were
        # added up) would be stepped twice per step(); keep it once and say so (PyTorch
        # warns too, then steps it once per listing).
        self.params = list({id(p): p for p in params}.values())
        if len(self.params) < len(params):
            warnings.warn(
                f"the optimizer got {len(params) - len(self.params)} duplicate parameter(s) "
                "(the same parameter listed more than once, e.g. a shared layer); each is "
                "kept once and stepped once per step()", UserWarning, stacklevel=3)
        self.lr = _check_number("lr", lr)
        self.state: list[dict[str, Any]] = [{} for _ in self.params]

    @property
    def param_groups(self) -> list[ParamGroup]:
        """PyTorch's ``param_groups``: here one group, whose settings are the optimizer's
        own (``optimizer.param_groups[0]["lr"] = 0.01`` is ``optimizer.lr = 0.01``, checked
        as the constructor checks it), and whose ``"params"`` are its parameters.

        >>> from nn import Parameter
        >>> optimizer = SGD([Parameter([1.0])], lr=0.1)
        >>> optimizer.param_groups[0]["lr"] = 0.01
        >>> optimizer.lr
        0.01
        """
        return [ParamGroup(self)]

    def state_dict(self) -> dict[str, Any]:
        """What the optimizer holds besides the parameters, to resume training, in
        PyTorch's form: ``state`` by parameter position (momentum buffers, Adam's averages
        and step counts; copies) and ``param_groups`` (one group: the settings, and the
        positions of its parameters).

        >>> from nn import Parameter
        >>> w = Parameter([1.0])
        >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward(); optimizer.step()
        >>> optimizer.state_dict()["state"][0]["momentum_buffer"]
        array([2.])
        """
        settings = {name: value for name, value in vars(self).items() if name not in ("params", "state")}
        return {
            "state": {i: {key: np.array(value, copy=True) if isinstance(value, np.ndarray) else value
                          for key, value in state.items()} for i, state in enumerate(self.state) if state},
            "param_groups": [{**settings, "params": list(range(len(self.params)))}],
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume from ``state_dict()`` of an optimizer of the same kind over parameters of
        the same shapes in the same order (PyTorch's rule). Refused, with nothing changed,
        where the groups, positions or shapes do not fit: a momentum buffer of another
        shape would otherwise move every row alike."""
        groups = state_dict.get("param_groups") if isinstance(state_dict, Mapping) else None
        if not isinstance(groups, (list, tuple)) or len(groups) != 1 or "state" not in state_dict:
            raise ValueError("load_state_dict takes what state_dict() gives: 'state' and one of 'param_groups'")
        group = dict(groups[0])
        positions = list(group.pop("params", []))
        if positions != list(range(len(self.params))):
            raise ValueError(f"the state dict is of an optimizer over {len(positions)} parameter(s), this one has "
                             f"{len(self.params)}")
        unknown = sorted(set(group) - set(vars(self)) | ({"params", "state"} & set(group)))
        if unknown:
            raise ValueError(f"the state dict has settings this {type(self).__name__} does not: {unknown}")
        states: list[dict[str, Any]] = [{} for _ in self.params]
        for position, state in dict(state_dict["state"]).items():
            if not isinstance(position, int) or not 0 <= position < len(self.params):
                raise ValueError(f"the state dict holds state for parameter {position!r}, which this one lacks")
            states[position] = self._checked_state(position, dict(state))
        for name, value in group.items():  # (the settings checked as the constructor checks them)
            group[name] = _checked_setting(name, value)
        for name, value in group.items():
            setattr(self, name, value)
        self.state = states

    # What each parameter's state holds, once it has any: its buffers (a float array of the
    # parameter's shape, or a float for a Value) and counts (a whole number, at least 1).
    STATE_BUFFERS: tuple[str, ...] = ()
    STATE_COUNTS: tuple[str, ...] = ()

    def _checked_state(self, position: int, state: dict[str, Any]) -> dict[str, Any]:
        """One parameter's loaded state, checked: the next step would fail on a buffer of
        strings, and compute a wrong update from a step of 2.5 or an average left out."""
        if not state:
            return {}
        expected = set(self.STATE_BUFFERS) | set(self.STATE_COUNTS)
        if set(state) != expected:
            raise ValueError(f"parameter {position}'s state has {sorted(state)}; {type(self).__name__} keeps "
                             f"{sorted(expected)}")
        shape = np.shape(self.params[position].data)
        checked: dict[str, Any] = {}
        for key in self.STATE_COUNTS:
            count = state[key]
            if not is_whole_number(count) or count < 1:
                raise ValueError(f"parameter {position}'s {key} must be a whole number, at least 1, got {count!r}")
            checked[key] = int(count)
        for key in self.STATE_BUFFERS:
            buffer = state[key]
            if not isinstance(buffer, (np.ndarray, np.floating, float)) or np.asarray(buffer).dtype.kind != "f":
                raise ValueError(f"parameter {position}'s {key} must be a float array of shape {shape}, got "
                                 f"{type(buffer).__name__} {getattr(buffer, 'dtype', '')} {buffer!r:.40}")
            if np.shape(buffer) != shape:
                raise ValueError(f"parameter {position}'s {key} has shape {np.shape(buffer)}, but the parameter "
                                 f"has shape {shape}")
            parameter = self.params[position]  # (a Value's state is float64 whatever its number's type)
            wanted = np.dtype(np.float64) if isinstance(parameter, Value) else np.result_type(parameter.data)
            if (got := np.asarray(buffer).dtype) != wanted:
                raise ValueError(f"parameter {position}'s {key} is {got}, but the parameter is {wanted}: the state "
                                 f"keeps the parameter's dtype (cast it first: buffer.astype(np.{wanted}))")
            if key.endswith("_sq") and not np.all(np.asarray(buffer) >= 0):  # (a mean of squares: sqrt gives nan)
                raise ValueError(f"parameter {position}'s {key} is a mean of squares: it cannot be negative")
            checked[key] = np.array(buffer, copy=True) if isinstance(buffer, np.ndarray) else buffer
        return checked

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: None for Tensors, 0.0 for Values. With
        ``set_to_none=False`` (PyTorch's option) a Tensor's gradient becomes zeros instead,
        so the next step still moves it (momentum, Adam's averages) if no pass reaches it."""
        for p in self.params:
            clear_gradient(p, set_to_none)

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        for i, p in enumerate(self.params):  # first, so that a refused step moves nothing and changes no state
            gradient = p.grad
            if (gradient.__class__ is np.ndarray and gradient.shape == p._data.shape and gradient.dtype.kind == "f") \
                    or gradient is None or gradient.__class__ is float:  # (the usual cases first)
                continue
            numbers = gradient.data if isinstance(gradient, Node) else gradient
            kind = np.asarray(numbers).dtype.kind if isinstance(numbers, (np.ndarray, np.generic, float, int)) else "O"
            if kind not in "biuf":  # (a str buffer broke every later step; Adam counted a step it refused)
                raise TypeError(f"parameter {i} has a gradient of {type(numbers).__name__} "
                                f"{getattr(numbers, 'dtype', '')}: a gradient must be real numbers")
            if p.__class__ is Value:
                continue
            if getattr(numbers, "shape", None) != p.shape:  # (broadcast, it would move every row alike)
                got = getattr(numbers, "shape", type(numbers).__name__)
                raise ValueError(f"parameter {i} has a gradient of shape {got} for a parameter of shape "
                                 f"{p.shape}: a gradient assigned to .grad must have its parameter's shape")
        # The update computes on the numbers (.data), never on graph nodes, so nothing is
        # recorded and no no_grad() is needed.
        for i, p in enumerate(self.params):
            gradient = p.grad
            if gradient is None:
                continue
            if isinstance(gradient, Node):  # a create_graph gradient: use its numbers
                gradient = gradient.data
            if isinstance(p, Value):
                p.data = float(p.data + self._update(i, np.float64(p.data), np.float64(gradient)))
            else:
                data = p._data  # the plain array (p.data is a watched view of it: inplace.py)
                if (gradient.__class__ is not np.ndarray or gradient.dtype is not data.dtype) and \
                        np.result_type(gradient) != np.result_type(data):  # (one set by hand: cast, as the engine casts
                    gradient = np.asarray(gradient).astype(np.result_type(data))  # a share: the state keeps the dtype)
                change = self._update(i, data, gradient)
                if change.dtype is not data.dtype and change.dtype != data.dtype:
                    change = change.astype(data.dtype)  # float32 parameters stay float32
                p._data += change  # in place for arrays (rebinds a NumPy scalar)
                count_write(p)  # a change (of p and of views of p), as p.data += change would count it

    def _update(self, index: int, data: Any, gradient: Any) -> Any:
        """The change to add to a parameter."""
        raise NotImplementedError


def clear_gradient(p: Node, set_to_none: bool = True) -> None:
    """``zero_grad(set_to_none)`` for one parameter (the optimizers' and the modules'):
    ``p.zero_grad()`` (None for a Tensor, 0.0 for a Value), or with ``set_to_none=False``
    zeros in place of a Tensor's gradient (its own array: the engine never shares a
    leaf's; a NumPy scalar or a read-only array is replaced); ``p.zero_grad()`` then for
    the rest too (none yet, a Value, a graph)."""
    grad = p.grad
    if not set_to_none and isinstance(grad, Node) and not isinstance(p, Value):  # (a create_graph gradient:
        p.grad = np.zeros(np.shape(grad.data), np.result_type(grad.data))  # zeros, as PyTorch detaches and zeroes it)
    elif set_to_none or grad is None or isinstance(p, Value) or isinstance(grad, Node):
        p.zero_grad()
    elif grad.__class__ is np.ndarray and grad.flags.writeable:
        grad[...] = 0
    else:
        p.grad = np.zeros_like(grad)


class _FixedParams(list):
    """A group's parameters, as a list that refuses to change: one appended here was never
    stepped (the optimizer keeps its own list), where PyTorch's group would step it."""

    def _refuse(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("an optimizer's parameters are given when the optimizer is made: make a new one with "
                        "the parameters you want (this engine has no add_param_group)")

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


class ParamGroup(MutableMapping):
    """The one parameter group of an optimizer, as a dict of its settings (a view: reading
    and writing go to the optimizer's attributes); settings cannot be added or removed."""

    def __init__(self, optimizer: Optimizer) -> None:
        self._optimizer = optimizer

    def _names(self) -> list[str]:
        return ["params"] + [name for name in vars(self._optimizer) if name not in ("params", "state")]

    def __getitem__(self, name: str) -> Any:
        if name not in self._names():
            raise KeyError(name)
        return _FixedParams(self._optimizer.params) if name == "params" else getattr(self._optimizer, name)

    def __setitem__(self, name: str, value: Any) -> None:
        if name == "params" or name not in self._names():
            raise KeyError(f"{type(self._optimizer).__name__}'s group has the settings {self._names()[1:]}: "
                           f"{name!r} cannot be set here")
        setattr(self._optimizer, name, _checked_setting(name, value))

    def __delitem__(self, name: str) -> None:
        raise KeyError(f"the settings of an optimizer cannot be removed ({name!r})")

    def __iter__(self) -> Iterator[str]:
        return iter(self._names())

    def __len__(self) -> int:
        return len(self._names())


class SGD(Optimizer):
    """Stochastic gradient descent: p -= lr * g, or with momentum (PyTorch's form)
    b = momentum * b + g (b = g at the first step); p -= lr * b."""

    STATE_BUFFERS = ("momentum_buffer",)

    def __init__(self, params: Iterable[Node], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number("momentum", momentum)

    def _update(self, index: int, data: Any, gradient: Any) -> Any:
        if self.momentum:
            state = self.state[index]
            buffer = state.get("momentum_buffer")
            buffer = np.array(gradient) if buffer is None else self.momentum * buffer + gradient  # (in its dtype)
            state["momentum_buffer"] = buffer
            gradient = buffer
        return -self.lr * gradient


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's defaults and arithmetic:
    m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
    p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)."""

    STATE_BUFFERS, STATE_COUNTS = ("exp_avg", "exp_avg_sq"), ("step",)

    def __init__(self, params: Iterable[Node], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        self.betas = _check_betas(betas)
        self.eps = _check_number("eps", eps)

    def _update(self, index: int, data: Any, gradient: Any) -> Any:
        beta1, beta2 = self.betas
        state = self.state[index]
        step = state["step"] = state.get("step", 0) + 1
        m = state.get("exp_avg", 0.0) * beta1 + (1 - beta1) * gradient
        v = state.get("exp_avg_sq", 0.0) * beta2 + (1 - beta2) * gradient * gradient
        state["exp_avg"], state["exp_avg_sq"] = m, v
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        denominator = np.sqrt(v) / math.sqrt(bias_correction2) + self.eps
        return -(self.lr / bias_correction1) * m / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter), as ``torch.optim.AdamW``:
    first p -= lr * weight_decay * p, then Adam's step on the gradient alone (the decay
    never enters m and v, unlike an L2 term added to the loss).

    >>> from nn import Parameter
    >>> w = Parameter([1.0])
    >>> optimizer = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * 0.0).sum().backward()  # a zero gradient: only the decay moves w
    >>> optimizer.step()
    >>> w.data.tolist()
    [0.95]
    """

    def __init__(self, params: Iterable[Node], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2) -> None:
        super().__init__(params, lr, betas, eps)
        self.weight_decay = _check_number("weight_decay", weight_decay)

    def _update(self, index: int, data: Any, gradient: Any) -> Any:
        # The decay reads the parameter before this step's change, as torch's does.
        return super()._update(index, data, gradient) - (self.lr * self.weight_decay) * data
