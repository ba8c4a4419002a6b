"""The same kind of network at scalar granularity, in the spirit of micrograd:
a Neuron is a list of weight Values, a bias Value and an activation; a Layer is a list
of Neurons; an MLP a list of Layers. Slow, but every multiplication is a node you can
see in a graph.

>>> from nn import MLP
>>> model = MLP(3, [4, 2], activation="sigmoid", rng=0)
>>> out = model([0.5, -1.0, 2.0])
>>> len(out), len(model.parameters())
(2, 26)
>>> type(MLP(3, [4, 1], rng=0)([0.5, -1.0, 2.0])).__name__  # one output: one Value, as in micrograd
'Value'
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from autograd import Value
from autograd.numeric import is_whole_number

from .init import RandomSource, make_rng
from .module import Module

__all__ = ["Neuron", "Layer", "MLP"]

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


def _check_activation(activation: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    return activation


class Neuron(Module):
    """activation(sum_i w_i * x_i + b) over Values; weights uniform on [-1, 1)."""

    def __init__(self, n_inputs: int, activation: str = "tanh", *, bias: bool = True,
                 rng: RandomSource = None) -> None:
        generator = make_rng(rng)
        self.w = [Value(float(generator.uniform(-1, 1)), label=f"w[{i}]") for i in range(n_inputs)]
        self.b = Value(0.0, label="b") if bias else None
        self.activation = _check_activation(activation)

    def forward(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron with {len(self.w)} inputs got {len(x)} values")
        total = self.b if self.b is not None else Value(0.0, requires_grad=False)
        for w, xi in zip(self.w, x):
            total = total + w * xi
        return total if self.activation == "linear" else getattr(total, self.activation)()

    def extra_repr(self) -> str:
        return f"{len(self.w)} inputs, {self.activation}"


class Layer(Module):
    """n_outputs Neurons reading the same inputs."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "tanh", *,
                 bias: bool = True, rng: RandomSource = None, name: str = "") -> None:
        generator = make_rng(rng)
        self.neurons = [Neuron(n_inputs, activation, bias=bias, rng=generator) for _ in range(n_outputs)]
        # label the Values as entries of a weight matrix: w[j,i] joins input i to neuron j
        for j, neuron in enumerate(self.neurons):
            for i, w in enumerate(neuron.w):
                w.label = f"{name}w[{j},{i}]"
            if neuron.b is not None:
                neuron.b.label = f"{name}b[{j}]"

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)} -> {len(self.neurons)}, {first.activation})"


class MLP(Module):
    """Layers of Neurons; ``activation`` (tanh by default) on the hidden layers,
    ``output_activation`` (linear by default, as in micrograd) on the last. With one
    output the model returns that Value itself, as micrograd's does, so
    ``(model(x) - y) ** 2`` works; with several, a list of Values.

    >>> model = MLP(2, [3, 1], activation="relu", rng=0)
    >>> round(model([1.0, -1.0]).data, 6)
    0.179057
    """

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int], activation: str | None = None, *,
                 output_activation: str = "linear", bias: bool = True, rng: RandomSource = None) -> None:
        if isinstance(layer_sizes, (int, np.integer)) or not layer_sizes:
            raise ValueError(f"layer_sizes must list at least one layer, e.g. [16, 16, 1], not {layer_sizes!r}")
        for size in (n_inputs, *layer_sizes):  # (0 gave an IndexError from inside a layer)
            if not is_whole_number(size) or size < 1:
                raise ValueError(f"MLP({n_inputs}, {list(layer_sizes)}): every size must be a whole number, at "
                                 f"least 1, not {size!r}")
        _check_activation(output_activation)
        if activation is None:
            activation = "tanh"  # the default: only a setting the caller chose deserves a warning
        elif _check_activation(activation) and len(layer_sizes) == 1:
            # with no hidden layer the activation would be silently unused
            warnings.warn(
                f"MLP({n_inputs}, {list(layer_sizes)}) has no hidden layer, so activation={activation!r} "
                f"has no effect; its only layer uses output_activation={output_activation!r} "
                "(set that instead, or add a hidden layer)",
                UserWarning, stacklevel=2,
            )
        generator = make_rng(rng)
        sizes = [n_inputs, *layer_sizes]
        self.layers = [
            Layer(sizes[i], sizes[i + 1],
                  activation if i < len(layer_sizes) - 1 else output_activation,
                  bias=bias, rng=generator, name=f"L{i + 1}.")
            for i in range(len(layer_sizes))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
        values = list(x)  # every layer returns Values
        return values[0] if len(values) == 1 else values  # type: ignore[return-value]
