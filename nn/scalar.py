"""The same kind of network at scalar granularity, in the spirit of micrograd:
a Neuron is a list of weight Values, a bias Value and an activation; a Layer is a list
of Neurons; an MLP a list of Layers. Slow, but every multiplication is a node you can
see in a graph.

>>> from nn import MLP
>>> model = MLP(3, [4, 2], activation="sigmoid", rng=0)
>>> out = model([0.5, -1.0, 2.0])
>>> len(out), len(model.parameters())
(2, 26)
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd import Value

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
    """Layers of Neurons; ``activation`` on the hidden layers, ``output_activation``
    (linear by default, as in micrograd) on the last."""

    def __init__(self, n_inputs: int, layer_sizes: Sequence[int], activation: str = "tanh", *,
                 output_activation: str = "linear", bias: bool = True, rng: RandomSource = None) -> None:
        _check_activation(activation)
        _check_activation(output_activation)
        generator = make_rng(rng)
        sizes = [n_inputs, *layer_sizes]
        self.layers = [
            Layer(sizes[i], sizes[i + 1],
                  activation if i < len(layer_sizes) - 1 else output_activation,
                  bias=bias, rng=generator, name=f"L{i + 1}.")
            for i in range(len(layer_sizes))
        ]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x
