"""nn: modules, losses, initialisation and optimizers on top of ``autograd``.

>>> import numpy as np
>>> from nn import Sequential, Linear, Sigmoid, SGD, squared_error
>>> model = Sequential(Linear(3, 4, bias=False, rng=0), Sigmoid(), Linear(4, 2, bias=False, rng=1))
>>> loss = squared_error(model(np.ones((1, 3))), [[10.0, -2.0]])
>>> loss.backward()
>>> SGD(model.parameters(), lr=1e-4).step()
"""

from . import init
from .losses import (
    CrossEntropyLoss,
    MSELoss,
    NLLLoss,
    SquaredError,
    cross_entropy,
    log_softmax,
    mse_loss,
    nll_loss,
    squared_error,
)
from .module import Dropout, Linear, Module, Parameter, ParameterFileError, ReLU, Sequential, Sigmoid, Tanh
from .optim import SGD, Adam, AdamW, Optimizer
from .scalar import MLP, Layer, Neuron

__all__ = [
    "init",
    "Module",
    "Parameter",
    "ParameterFileError",
    "Linear",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "Dropout",
    "Neuron",
    "Layer",
    "MLP",
    "squared_error",
    "mse_loss",
    "SquaredError",
    "MSELoss",
    "log_softmax",
    "nll_loss",
    "cross_entropy",
    "NLLLoss",
    "CrossEntropyLoss",
    "Optimizer",
    "SGD",
    "Adam",
    "AdamW",
]
