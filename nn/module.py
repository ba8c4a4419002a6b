"""Modules: the PyTorch way to bundle parameters with the computation that uses them.

A ``Module`` finds its parameters and submodules by looking at its own attributes (in
the order they were set), so there is nothing to register: assign a ``Parameter``, a
``Value`` or a ``Module`` to ``self.something`` (or a list of them) and it is found.

Parameters save to and load from ``.npz`` files (plain arrays, never pickle).
"""

from __future__ import annotations

import os
import zipfile
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, as_tensor, no_grad
from autograd.files import replacing

from . import init
from .init import RandomSource

__all__ = [
    "Parameter",
    "Module",
    "Linear",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "Dropout",
    "ParameterFileError",
]


class Parameter(Tensor):
    """A Tensor that is a model's parameter: it requires grad.

    >>> import numpy as np
    >>> Parameter(np.zeros(3)).requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data: Any, label: str = "", *, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=True, label=label, dtype=dtype)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor"):]


class ParameterFileError(ValueError):
    """A parameter file or state dict that does not fit the model; nothing was loaded."""


def _is_parameter(x: Any) -> bool:
    return isinstance(x, Parameter) or (isinstance(x, Value) and x.requires_grad and x.is_leaf)


class Module:
    """Base class: subclasses set parameters and submodules in ``__init__`` and
    compute in ``forward``; calling the module calls ``forward``.

    >>> import numpy as np
    >>> from nn import Linear
    >>> layer = Linear(3, 2, rng=0)
    >>> [name for name, _ in layer.named_parameters()]
    ['weight', 'bias']
    """

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- what the module holds
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names, in the order they were assigned."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def _own_parameters(self) -> Iterator[tuple[str, Node]]:
        for name, value in vars(self).items():
            if _is_parameter(value):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if _is_parameter(item):
                        yield f"{name}.{i}", item

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """Every parameter with its dotted name (``0.weight``), each once."""
        seen: set[int] = set()
        for name, parameter in self._named_parameters_with_repeats(prefix):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def _named_parameters_with_repeats(self, prefix: str) -> Iterator[tuple[str, Node]]:
        for name, parameter in self._own_parameters():
            yield prefix + name, parameter
        for name, child in self.named_children():
            yield from child._named_parameters_with_repeats(prefix + name + ".")

    def parameters(self) -> list[Node]:
        """Every parameter, each once, in a list (for an optimizer)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Forget the gradients accumulated in every parameter."""
        for parameter in self.parameters():
            parameter.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Set training mode here and in every submodule; returns self."""
        self.training = mode
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``training`` False) everywhere; returns self."""
        return self.train(False)

    # ---- parameters as arrays, and as files
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """A copy of every parameter's data, by dotted name."""
        return OrderedDict((name, np.array(p.data, copy=True)) for name, p in self.named_parameters())

    def load_state_dict(self, state: Any, *, source: str = "state dict") -> None:
        """Copy arrays into the parameters. Every key must match a parameter and every
        shape must fit; otherwise ``ParameterFileError`` lists all the problems and no
        parameter is changed."""
        own = dict(self.named_parameters())
        keys = list(state.keys())
        problems = []
        missing = [k for k in own if k not in state]
        unexpected = [k for k in keys if k not in own]
        if missing:
            problems.append(f"missing keys: {missing}")
        if unexpected:
            problems.append(f"unexpected keys: {unexpected}")
        arrays = {}
        for name, parameter in own.items():
            if name not in state:
                continue
            array = np.asarray(state[name])
            if array.dtype.kind not in "biuf":
                problems.append(f"{name}: expected numbers, found dtype {array.dtype}")
            elif array.shape != np.shape(parameter.data):
                problems.append(
                    f"{name}: shape {array.shape} in the {source}, "
                    f"but the model's parameter has shape {np.shape(parameter.data)}"
                )
            else:
                arrays[name] = array
        if problems:
            raise ParameterFileError(
                f"cannot load the {source}; the model is unchanged:\n  " + "\n  ".join(problems)
            )
        with no_grad():
            for name, array in arrays.items():
                parameter = own[name]
                if isinstance(parameter, Value):
                    parameter.data = float(array)
                else:
                    parameter.data[...] = array

    def save(self, path: str | os.PathLike) -> Path:
        """Write the parameters to an ``.npz`` file (written to a temporary file, then
        renamed into place, so an existing file is never left half-written)."""
        path = Path(path)
        state = self.state_dict()
        with replacing(path) as temporary, open(temporary, "wb") as file:
            np.savez(file, **state)
        return path

    def load(self, path: str | os.PathLike) -> None:
        """Load parameters saved by ``save``. A missing, corrupt or non-npz file, or one
        whose keys or shapes do not fit, raises an error naming it; the model is then
        unchanged."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no parameter file at {path}")
        try:
            loaded = np.load(path, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise ParameterFileError(f"{path} holds a single array, not named parameters (.npz)")
            with loaded:
                state = {key: loaded[key] for key in loaded.files}
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError) as error:
            if isinstance(error, ParameterFileError):
                raise
            raise ParameterFileError(
                f"{path} is not a readable .npz parameter file ({type(error).__name__}: {error})"
            ) from None
        self.load_state_dict(state, source=f"file {path}")

    # ---- display
    def extra_repr(self) -> str:
        """What goes between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as in PyTorch, uniform on ±1/sqrt(in_features); use ``nn.init`` for
    anything else.

    >>> layer = Linear(3, 4, bias=False, rng=0)
    >>> layer.weight.shape
    (4, 3)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 rng: RandomSource = None, dtype: Any = None) -> None:
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"{name} must be a positive integer, got {n!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        generator = init.make_rng(rng)
        self.weight = Parameter(np.zeros((out_features, in_features)), label="weight", dtype=dtype)
        init.default_uniform_(self.weight, in_features, rng=generator)
        self.bias = None
        if bias:
            self.bias = Parameter(np.zeros(out_features), label="bias", dtype=dtype)
            init.default_uniform_(self.bias, in_features, rng=generator)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = as_tensor(x, dtype=self.weight.dtype)  # no copy: the input is only read
        shape = x.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects inputs whose last "
                f"axis has {self.in_features} features, got shape {shape}"
            )
        y = x.linear(self.weight)  # x @ weight.T in one graph node
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}; weight {self.weight.shape}")


class Sequential(Module):
    """Modules applied one after another; ``seq[i]`` is the i-th, ``len(seq)`` their count.

    >>> model = Sequential(Linear(3, 4, bias=False, rng=0), Sigmoid(), Linear(4, 2, bias=False, rng=1))
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '2.weight']
    """

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules; item {i} is a {type(module).__name__}")
        self.layers = list(modules)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for i, module in enumerate(self.layers):
            yield str(i), module

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def forward(self, x: Any) -> Any:
        for module in self.layers:
            x = module(x)
        return x


class Sigmoid(Module):
    """Elementwise 1 / (1 + e**-x)."""

    def forward(self, x: Node) -> Node:
        return x.sigmoid()


class Tanh(Module):
    """Elementwise tanh."""

    def forward(self, x: Node) -> Node:
        return x.tanh()


class ReLU(Module):
    """Elementwise max(x, 0)."""

    def forward(self, x: Node) -> Node:
        return x.relu()


class Dropout(Module):
    """Inverted dropout, as ``torch.nn.Dropout``: in training mode each element is zeroed
    with probability ``p`` and the survivors are scaled by 1 / (1 - p), so the expected
    output equals the input; in evaluation mode (``model.eval()``) it is the identity.
    ``p=1`` zeroes everything, as in PyTorch. ``rng`` (a Generator or an int seed, as
    ``nn.init`` takes) makes the masks reproducible.

    >>> import numpy as np
    >>> drop = Dropout(0.5, rng=0)
    >>> drop(np.ones(6)).data.tolist()
    [2.0, 0.0, 0.0, 0.0, 2.0, 2.0]
    >>> drop.eval()(np.ones(3)).data.tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, *, rng: RandomSource = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
        self.p = float(p)
        self.generator = init.make_rng(rng)

    def forward(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            x = as_tensor(x)
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * np.zeros(x.shape, dtype=x.dtype)  # still a node: the gradient is zeros
        keep = self.generator.random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p)).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"
