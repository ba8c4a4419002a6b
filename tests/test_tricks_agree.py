"""What a differential run of the engine with its speed tricks on and off found (every
result compared bit for bit: numbers, layouts, exceptions, warnings, state left behind).
Each case states what both engines must do; ``make test`` runs this file both ways."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from autograd import Op, Tensor, Value


def caught(action) -> list[str]:
    """The warnings ``action()`` gives, as text."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        action()
    return [str(w.message) for w in seen]


# ---- an op method takes its inputs and no more


def test_a_binary_op_method_given_a_third_input_raises_and_writes_into_nothing():
    # The plain method took any number of inputs and handed them all to NumPy, which read
    # the third as `out=`: z's numbers were silently overwritten, and the graph kept them.
    z = Tensor([0.0, 0.0])
    with pytest.raises(TypeError, match=r"Tensor\.maximum\(\) takes 2 positional arguments but 3 were given"):
        Tensor([1.0, 5.0]).maximum(Tensor([3.0, 2.0]), z)
    np.testing.assert_array_equal(z.data, [0.0, 0.0])


@pytest.mark.parametrize("call, name", [(lambda x: x.exp(1), "Tensor.exp"), (lambda x: x.relu(3), "Tensor.relu"),
                                        (lambda x: x.sigmoid(3), "Tensor.sigmoid"),
                                        (lambda x: Value(1.0).relu(3), "Value.relu"),
                                        (lambda x: Value(1.0).exp(2), "Value.exp")])
def test_a_unary_op_method_given_an_argument_is_a_type_error_naming_the_method(call, name):
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=rf"^{name}\(\) takes 1 positional argument but 2 were given"):
        call(x)
