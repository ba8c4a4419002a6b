"""A parameter listed twice in an optimizer is stepped once, with a warning (as torch)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn


def two_models_sharing_a_layer():
    shared = nn.Linear(3, 4, rng=0)
    first = nn.Sequential(shared, nn.Tanh(), nn.Linear(4, 1, rng=1))
    second = nn.Sequential(shared, nn.Tanh(), nn.Linear(4, 1, rng=2))
    return shared, first, second


def train_one_step(make_optimizer, params, first, second):
    optimizer = make_optimizer(params)
    x = np.random.default_rng(3).random((5, 3))
    for _ in range(3):
        optimizer.zero_grad()
        (first(x).sum() + (second(x) ** 2).sum()).backward()
        optimizer.step()


@pytest.mark.parametrize("make_optimizer", [
    lambda params: nn.SGD(params, lr=0.1),
    lambda params: nn.SGD(params, lr=0.1, momentum=0.9),
    lambda params: nn.Adam(params, lr=0.01),
], ids=["SGD", "SGD-momentum", "Adam"])
def test_a_shared_parameter_listed_twice_is_stepped_once_with_a_warning(make_optimizer):
    shared, first, second = two_models_sharing_a_layer()
    listed_twice = first.parameters() + second.parameters()
    assert sum(p is shared.weight for p in listed_twice) == 2
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_one_step(make_optimizer, listed_twice, first, second)

    # The same training with each parameter listed once, no warning: the same numbers.
    shared_once, first_once, second_once = two_models_sharing_a_layer()
    unique = first_once.parameters() + second_once.parameters()[2:]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train_one_step(make_optimizer, unique, first_once, second_once)
    for name, (p, q) in enumerate(zip(first.parameters() + second.parameters(),
                                      first_once.parameters() + second_once.parameters())):
        np.testing.assert_array_equal(p.data, q.data, err_msg=str(name))
    assert [str(w.message) for w in caught if w.category is UserWarning] == [
        "the optimizer got 2 duplicate parameter(s) (the same parameter listed more than once, "
        "e.g. a shared layer); each is kept once and stepped once per step()"]


def test_the_warning_points_at_the_callers_line():
    shared, first, second = two_models_sharing_a_layer()
    with pytest.warns(UserWarning) as record:
        nn.SGD(first.parameters() + second.parameters(), lr=0.1)
    assert record[0].filename == __file__
