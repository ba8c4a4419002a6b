"""Threads (issue 12, items 5-7): training loops running at once, sharing nothing, give
exactly what they give alone; backward passes in several threads through shared
parameters add up exactly; ``@no_grad()`` on a function two threads run at once leaves
both recording; the cycle collector is on after concurrent backward passes.

Races are made likely, not left to luck: every thread waits at a barrier before its
work, and the interpreter switches threads every microsecond while a test runs.
"""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from seed_reference import X, Y, initial_weights

import nn
from autograd import Tensor, Value, is_grad_enabled, no_grad


@pytest.fixture(autouse=True)
def switch_threads_often() -> Iterator[None]:
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(interval)


def run_in_threads(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each function in its own thread, all released at once; their results in order
    (an exception in a thread is raised here)."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(k: int) -> None:
        try:
            barrier.wait()
            results[k] = work[k]()
        except BaseException as error:  # noqa: BLE001 - reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread did not finish"
    if errors:
        raise errors[0]
    return results


# ---- training loops, sharing nothing


def train_seed_network(steps: int, lr: float) -> tuple[list[float], list[np.ndarray]]:
    """The seed notebook's 3-4-2 sigmoid network on nn, per-sample SGD on its one sample."""
    w1, w2 = initial_weights()
    model = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Sigmoid(), nn.Linear(4, 2, bias=False), nn.Sigmoid())
    model[0].weight.data[...], model[2].weight.data[...] = w1, w2
    optimizer = nn.SGD(model.parameters(), lr=lr)
    x, y = Tensor(np.ravel(X)), Tensor(np.ravel(Y))
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = 0.5 * ((y - model(x)) ** 2).sum()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.data))
    return losses, [p.data.copy() for p in model.parameters()]


def train_scalar_mlp(seed: int, steps: int, lr: float = 0.05) -> tuple[list[float], list[float]]:
    """A scalar-Value MLP (micrograd's), squared error on four points, plain SGD."""
    model = nn.MLP(3, [4, 4, 1], rng=seed)
    points = np.random.default_rng(seed).uniform(-1, 1, size=(4, 3))
    targets = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(steps):
        loss = sum(((model(list(p)) - t) ** 2 for p, t in zip(points, targets)), Value(0.0))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p.data -= lr * p.grad
        losses.append(loss.data)
    return losses, [p.data for p in model.parameters()]


def test_training_loops_in_threads_equal_their_single_threaded_runs():
    work = [lambda: train_seed_network(60, 0.5), lambda: train_seed_network(60, 2.0),
            lambda: train_scalar_mlp(0, 25), lambda: train_scalar_mlp(1, 25)]
    alone = [job() for job in work]
    together = run_in_threads(work)
    for (losses, params), (their_losses, their_params) in zip(alone, together):
        assert losses == their_losses  # exactly: the same operations on the same numbers
        for p, q in zip(params, their_params):
            np.testing.assert_array_equal(p, q)
    assert alone[0][0][-1] < alone[0][0][0] and alone[2][0][-1] < alone[2][0][0]  # they did train


# ---- backward passes through shared parameters


def test_concurrent_backward_through_shared_parameters_adds_up_exactly():
    # many leaves per pass, so that adding to them from several threads at once has every
    # chance to interleave; the sums are of small integers, exact in any order
    values = [Value(0.0) for _ in range(300)]
    w = Tensor(np.zeros(3), requires_grad=True)
    factors = [float(k + 1) for k in range(6)]
    passes = 40

    def work(c: float) -> Callable[[], None]:
        def run() -> None:
            for _ in range(passes):
                sum((v * c for v in values), Value(0.0)).backward()  # d/dv = c for each shared v
                (w * Tensor([c, 2 * c, 4 * c])).sum().backward()
        return run

    run_in_threads([work(c) for c in factors])
    assert [v.grad for v in values] == [passes * sum(factors)] * len(values)
    np.testing.assert_array_equal(w.grad, passes * sum(factors) * np.array([1.0, 2.0, 4.0]))


def test_concurrent_backward_into_a_shared_layer_of_two_models():
    shared = nn.Linear(2, 2, rng=0)
    heads = [nn.Sequential(shared, nn.Linear(2, 1, rng=k)) for k in range(4)]
    x = Tensor([[1.0, -2.0]])
    alone = []
    for head in heads:
        shared.zero_grad()
        head(x).sum().backward()
        alone.append(shared.weight.grad.copy())
    shared.zero_grad()
    run_in_threads([lambda head=head: head(x).sum().backward() for head in heads])
    np.testing.assert_allclose(shared.weight.grad, sum(alone), rtol=1e-15)


def test_concurrent_backward_through_a_shared_intermediate_node_adds_up_exactly():
    # A node both threads' graphs use: the fused pass sums a node's gradient in its .grad
    # slot, so two passes through it at once added into each other's sums (the leaf's
    # gradient was off by thousands, silently). The sums are of small integers.
    w = Tensor(np.ones((8, 8)), requires_grad=True)
    x = np.arange(64.0).reshape(8, 8) % 5
    shared = w * 2.0 + 1.0
    passes = 400

    def run() -> None:
        for _ in range(passes):
            (shared * x).sum().backward()

    run_in_threads([run, run])
    np.testing.assert_array_equal(w.grad, 2 * passes * 2.0 * x)


# ---- no_grad as a decorator, in two threads at once


@pytest.mark.parametrize("first_out", [0, 1])
def test_no_grad_as_a_decorator_in_two_threads_leaves_each_as_it_was(first_out):
    # thread 0 calls the decorated function from inside its own `with no_grad()`, thread 1
    # while recording; whichever leaves first, each must get back its own state (a saved
    # state shared between the calls handed thread 0's "off" to thread 1 for good)
    inside = threading.Barrier(2)
    left = [threading.Event(), threading.Event()]
    w = Tensor([1.0], requires_grad=True)

    @no_grad()
    def evaluate(k: int) -> bool:
        inside.wait(timeout=60)  # both threads are inside the decorated function now
        if k != first_out:
            left[first_out].wait(timeout=60)  # leave in the chosen order
        return (w * 2).requires_grad

    def call(k: int) -> tuple[bool, bool, bool]:
        if k == 0:
            with no_grad():
                recorded = evaluate(k)
                left[k].set()
                still_off = not is_grad_enabled()
            return still_off, recorded, is_grad_enabled() and (w * 2).requires_grad
        recorded = evaluate(k)
        left[k].set()
        return True, recorded, is_grad_enabled() and (w * 2).requires_grad

    for state_restored, recorded_inside, recording_after in run_in_threads([lambda: call(0), lambda: call(1)]):
        assert state_restored and not recorded_inside and recording_after
    assert is_grad_enabled()


def test_no_grad_in_one_thread_leaves_another_recording():
    entered, done = threading.Event(), threading.Event()
    w = Tensor([1.0], requires_grad=True)

    def quiet() -> None:
        with no_grad():
            entered.set()
            done.wait(timeout=60)

    def busy() -> bool:
        entered.wait(timeout=60)
        recorded = (w * 2).requires_grad
        done.set()
        return recorded

    _, recorded = run_in_threads([quiet, busy])
    assert recorded


# ---- the cycle collector


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_cycle_collector_is_as_before_after_concurrent_backward_calls(enabled_before):
    was = gc.isenabled()
    (gc.enable if enabled_before else gc.disable)()
    try:
        def work() -> None:
            x = Tensor(np.ones(50), requires_grad=True)
            for _ in range(30):
                y = x
                for _ in range(20):
                    y = (y * 1.01).tanh()
                y.sum().backward()
        run_in_threads([work] * 6)
        assert gc.isenabled() is enabled_before
    finally:
        (gc.enable if was else gc.disable)()


def _write_from_another_thread(w: Tensor) -> None:
    def write() -> None:
        with no_grad():
            w.data[...] = 5.0
    thread = threading.Thread(target=write)
    thread.start()
    thread.join()


@pytest.mark.xfail(strict=True, reason="a write into a tensor's numbers from another thread, landing after the "
                   "backward pass checked a node's versions and before its rule read them, is not seen (as in "
                   "PyTorch, where concurrent in-place changes are a data race): w.grad [10, 10] for a forward "
                   "pass that used w = 1. Not built: closing every window needs versions read before each "
                   "forward operation, each write counted before and after, and a second check after each rule "
                   "(docs/engine.md, Threads)")
def test_a_write_from_another_thread_during_backward_is_refused_or_unseen_by_the_pass():
    w = Tensor([1.0, 1.0], requires_grad=True)
    fired = []

    def rule_after_a_pause(grad: Any, out: Any, x: Any) -> Any:
        if not fired:  # (the scheduler may pause a pass at any point: here, between check and read)
            fired.append(True)
            _write_from_another_thread(w)
        return 2 * grad * x

    from autograd import Op

    square = Op("square", forward=lambda x: x * x, rules=[rule_after_a_pause], formulas=["2x"], internal=True)
    loss = square(w).sum()
    try:
        loss.backward()
    except RuntimeError:
        return  # refused: right
    np.testing.assert_array_equal(w.grad, [2.0, 2.0])  # the numbers the forward pass used
