"""The speed tricks of autograd/fast.py compute exactly what the plain code computes.

The whole suite runs with the tricks on and the engine's tests again with them off
(``make test``); these tests compare a trick with the plain code it stands in for
directly, so they hold whichever way the suite runs.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pytest

from autograd import Tensor, Value, fast, modes, numeric, ops

SIGMOID = fast._sigmoid_with_context_variable()
needs_context_variable = pytest.mark.skipif(SIGMOID is None, reason="this NumPy has no error-state context variable")


@needs_context_variable
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_sigmoid_trick_gives_the_plain_sigmoids_numbers_bit_for_bit(dtype):
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(scale=30, size=200), [-1000.0, -745.0, -709.9, -88.8, 0.0, 88.8, 1000.0]])
    x = x.astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning may escape either
        ours, plain = SIGMOID(x), numeric.sigmoid(x)
    assert ours.dtype == plain.dtype == dtype
    assert np.array_equal(ours, plain)
    assert ours[x == -1000][0] == 0.0 and ours[x == 1000][0] == 1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("exponent", [2, 2.0, 3, 0.5, -1, 0])
def test_the_squaring_trick_gives_np_powers_numbers_bit_for_bit(dtype, exponent):
    # every magnitude (each binade, subnormals, values whose square overflows), signed
    # zeros, inf and nan; as arrays of each shape, as 0-d arrays and as NumPy scalars
    rng = np.random.default_rng(2)
    finfo = np.finfo(dtype)
    magnitudes = np.exp(rng.uniform(np.log(float(finfo.smallest_subnormal)), np.log(float(finfo.max)), 5000))
    x = np.concatenate([magnitudes * rng.choice([-1, 1], 5000), [0.0, -0.0, np.inf, -np.inf, np.nan]]).astype(dtype)
    with np.errstate(all="ignore"):
        for given in [x, x.reshape(-1, 1), x[:0], np.array(x[7]), x[7], x[-1], x[-5]]:
            ours, plain = fast.squaring_power(given, exponent), np.power(given, exponent)
            assert type(ours) is type(plain) and ours.dtype == plain.dtype and np.shape(ours) == np.shape(plain)
            assert np.array_equal(ours, plain, equal_nan=True)
            assert np.array_equal(np.signbit(ours), np.signbit(plain))


@pytest.mark.parametrize("exponent", [2, 2.0])
def test_the_squaring_trick_gives_np_powers_dtype_on_bool_and_integer_bases(exponent):
    # np.square turns bool into int8 where np.power gives int64 (or float64 for 2.0); a bool
    # Tensor is legal (a mask), and constant arithmetic makes integer 0-d arrays
    for given in [np.array([True, False, True]), np.array(True), np.array([3, -2]), np.array(3, np.int64),
                  np.array([1, 2], np.uint8)]:
        ours, plain = fast.squaring_power(given, exponent), np.power(given, exponent)
        assert type(ours) is type(plain) and ours.dtype == plain.dtype and np.array_equal(ours, plain)
    mask = Tensor([True, False, True])  # (a mask is read as numbers: tensor.masks_as_numbers)
    assert np.array_equal((mask ** exponent).data, np.power(np.array([1.0, 0.0, 1.0]), exponent))


def test_x_squared_is_the_squaring_trick_when_tricks_are_on():
    assert (ops.POW.forward is fast.squaring_power) == fast.SQUARING
    x = Tensor([-3.0, 0.5], requires_grad=True)
    (x ** 2).sum().backward()
    assert np.array_equal(x.grad, [-6.0, 1.0])


def _bits(array):
    array = np.asarray(array)
    return array.view(f"u{array.dtype.itemsize}") if array.dtype.kind == "f" else array


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_masks_by_bits_give_np_wheres_bits(dtype):
    # kept numbers as they are (-0.0, nan with a payload, inf, subnormals), masked ones
    # +0.0, whatever the layout: equal shapes, a mask or an x that broadcasts, 0-d, size 0,
    # a transposed or strided x, a mask that is one NumPy bool
    rng = np.random.default_rng(3)
    finfo = np.finfo(dtype)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, float(finfo.smallest_subnormal), -1.5], dtype)
    payload = np.array([np.nan], dtype)
    payload.view(f"u{payload.itemsize}")[0] |= 1  # a nan with another payload
    x = np.concatenate([rng.normal(size=40).astype(dtype), special, payload]).reshape(7, 7)
    mask = rng.random((7, 7)) < 0.5
    cases = [(mask, x), (mask[:1], x), (mask[:, :1], x), (mask, x[:1]), (mask, x.T), (mask[:, ::2], x[:, ::2]),
             (np.array(True), np.array(dtype(-2.0))), (np.array(False), np.array(dtype(-0.0))),
             (np.zeros((0, 7), bool), x[:0]), (np.True_, x), (mask, x[::-1]), (mask.T, x), (mask.T, x.T),
             (np.asfortranarray(mask), x)]
    for condition, given in cases:
        ours = fast.select_zero_by_bits(condition, given)
        plain = np.where(condition, np.zeros((), given.dtype), given)
        assert type(ours) is type(plain) and ours.dtype == plain.dtype and ours.shape == plain.shape
        assert np.array_equal(_bits(ours), _bits(plain))
        assert ours.strides == plain.strides  # (the layout too: a later sum over it adds in that order)
        assert not np.shares_memory(ours, given)


def test_masks_by_bits_leave_what_they_do_not_know_to_np_where():
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    for condition, given in [(np.array([[1, 0], [0, 2]]), x), ([[True, False], [False, True]], x),
                             (np.array([[True, False], [False, True]]), x.astype(">f8")),
                             (np.array([True, False]), np.array([-1, 2])), (np.array([True]), np.float64(-3.0))]:
        ours = fast.select_zero_by_bits(condition, given)
        plain = np.where(condition, np.zeros((), given.dtype), given)
        assert ours.dtype == plain.dtype and np.array_equal(_bits(ours), _bits(plain))


def test_relus_gradient_is_the_same_with_masks_by_bits_and_with_np_where(monkeypatch):
    assert (numeric.select_zero is fast.select_zero_by_bits) == fast.MASKING  # (installed when on)
    rng = np.random.default_rng(4)
    data, upstream = rng.normal(size=(64, 32)), rng.normal(size=(64, 32))
    data[0, :4] = [0.0, -0.0, np.inf, -np.inf]
    upstream[0, 4] = np.nan
    grads = []
    for select in (fast.select_zero_by_bits, fast._plain_select_zero):
        monkeypatch.setattr(numeric, "select_zero", select)
        x = Tensor(data, requires_grad=True)
        (x.relu() * Tensor(upstream)).sum().backward()
        grads.append(x.grad)
    assert np.array_equal(_bits(grads[0]), _bits(grads[1]))


EXTREMES = [-1000.0, -745.0, -709.9, -88.8, -1e-300, 0.0, 5e-324, 88.8, 1000.0]
SIGMOID_INPUTS = {"column": np.concatenate([np.random.default_rng(1).normal(scale=20, size=200), EXTREMES])[:, None],
                  "0-d": [np.array(v) for v in EXTREMES], "size 0": [np.zeros(0), np.zeros((0, 3))]}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", SIGMOID_INPUTS)
def test_sigmoid_gives_the_seed_notebooks_formula_bit_for_bit(dtype, kind):
    # numeric.sigmoid adds 1 and takes the reciprocal in place: the same numbers as the
    # seed's 1 / (1 + np.exp(-x)), whatever the shape and however the engine runs
    inputs = SIGMOID_INPUTS[kind]
    for x in inputs if isinstance(inputs, list) else [inputs]:
        x = x.astype(dtype)
        with np.errstate(over="ignore"):
            seed = 1 / (1 + np.exp(-x))
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # and no overflow warning
            ours, by_tensor = numeric.sigmoid(x), Tensor(x).sigmoid().numpy()
        assert np.asarray(ours).dtype == by_tensor.dtype == np.asarray(seed).dtype == dtype
        assert np.shape(ours) == by_tensor.shape == x.shape
        assert np.array_equal(ours, seed) and np.array_equal(by_tensor, seed)


@needs_context_variable
def test_the_sigmoid_trick_leaves_the_error_state_as_it_found_it_even_after_an_error():
    before = np.geterr()
    with np.errstate(divide="raise", under="warn"):
        inside = np.geterr()
        SIGMOID(np.array([-1000.0]))
        assert np.geterr() == inside  # the caller's settings, not ours
        with pytest.raises(TypeError):
            SIGMOID(np.array(["a"]))
        assert np.geterr() == inside
    assert np.geterr() == before


@needs_context_variable
def test_the_sigmoid_trick_keeps_the_callers_other_settings_when_they_change_between_calls():
    # the trick reuses the state it made while the caller's state stays the same object;
    # a new setting makes a new state, which the next call must follow (seen from inside:
    # the error settings in force when sigmoid's first ufunc runs)
    seen = []

    class Spy(np.ndarray):
        def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
            seen.append(np.geterr())
            return getattr(ufunc, method)(*[np.asarray(x) for x in inputs], **kwargs)

    x = np.array([1.0]).view(Spy)
    SIGMOID(x)
    for setting in ({"divide": "raise", "invalid": "warn"}, {"divide": "ignore", "invalid": "raise"}):
        with np.errstate(**setting):
            for sigmoid in (numeric.sigmoid, SIGMOID):
                seen.clear()
                sigmoid(x)
                assert seen[0] == {**np.geterr(), "over": "ignore", "under": "ignore"}, (sigmoid, seen[0])
    assert np.geterr()["divide"] == "warn"  # (and back to the default afterwards)


@needs_context_variable
def test_the_sigmoid_trick_in_two_threads_at_once_restores_each_threads_own_state():
    both_inside = threading.Barrier(2, timeout=5)

    class Meeting(np.ndarray):  # -x waits until the other thread is inside the trick too
        def __neg__(self):  # type: ignore[override]
            both_inside.wait()
            return np.negative(self.view(np.ndarray))

    results: dict[str, object] = {}

    def run(name: str, setting: str) -> None:
        try:
            with np.errstate(over=setting):
                out = SIGMOID(np.array([-1000.0, 0.0]).view(Meeting))
                results[name] = (out.tolist(), np.geterr()["over"])
        except Exception as error:  # a token or state shared between threads fails here
            results[name] = error

    threads = [threading.Thread(target=run, args=(name, setting)) for name, setting in (("a", "warn"), ("b", "raise"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert results == {"a": ([0.0, 0.5], "warn"), "b": ([0.0, 0.5], "raise")}


def test_backward_through_the_fast_entry_fills_the_same_gradients_as_the_plain_pass():
    rng = np.random.default_rng(1)
    w = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    x = Tensor(rng.normal(size=(4, 3)))
    loss = ((x @ w).sigmoid() * (x @ w)).sum()
    loss.backward()
    fast_grad = w.grad.copy()
    w.grad = None
    modes.run_backward([loss], [None])  # the plain way in, same pass underneath
    assert np.array_equal(w.grad, fast_grad)
    a = Value(2.0)
    y = a * a + a
    y.backward()
    y.backward()  # leaves add up across calls, as in PyTorch
    assert a.grad == 10.0


PLAIN_T = fast._PLAIN_T  # t.T as tensor.py defines it (the trick stands in for it when on)


@pytest.mark.parametrize("shape", [(), (3,), (2, 1), (2, 3, 4)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("requires_grad", [True, False])
def test_t_dot_T_records_what_the_plain_definition_records(shape, dtype, requires_grad):
    x = Tensor(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape).astype(dtype), requires_grad=requires_grad)
    weights = np.linspace(-1.0, 2.0, int(np.prod(shape))).reshape(shape[::-1])
    seen = []
    for transpose in (lambda t: t.T, PLAIN_T):
        out = transpose(x)
        plain = PLAIN_T(x)
        assert (out.op, out.args, out.requires_grad, out.inputs) == (plain.op, plain.args, requires_grad,
                                                                     (x,) if requires_grad else ())
        assert out.dtype == dtype and out.versions == PLAIN_T(x).versions
        assert np.array_equal(out.data, np.asarray(x.data).T)
        if requires_grad:
            x.grad = None
            (out * weights).sum().backward()
            assert np.array_equal(x.grad, weights.T.astype(dtype))
        seen.append(out.op)
    assert seen[0] is seen[1] and (seen[0] is not None) == requires_grad


def test_t_dot_T_of_a_number_a_loss_or_under_no_grad_is_the_plain_one():
    from autograd import no_grad

    x = Tensor([[1.0, 2.0]], requires_grad=True)
    loss = (x * x).sum()  # its data: a NumPy scalar
    assert loss.T.op is PLAIN_T(loss).op and float(loss.T.data) == 5.0
    with no_grad():
        assert x.T.op is None and not x.T.requires_grad and x.T.shape == (2, 1)


@pytest.mark.skipif(not fast.ENABLED, reason="the fast walk reads the layout the tricks give nodes")
def test_the_fast_walk_lists_the_same_nodes_as_the_plain_walk_in_an_order_the_pass_can_use():
    from autograd import core

    rng = np.random.default_rng(2)
    w, b = Tensor(rng.normal(size=(3, 2)), requires_grad=True), Tensor(rng.normal(size=2), requires_grad=True)
    x = Tensor(rng.normal(size=(4, 3)))
    h = (x @ w + b).tanh()
    loss = (h * h + h * w.sum() + b.sum()).sum()  # leaves reached from several nodes, a reused node
    plain, ours = core.backward_order([loss]), fast.backward_order([loss])
    assert len(ours) == len(set(ours)) and set(ours) == set(plain)
    position = {node: i for i, node in enumerate(ours)}
    for node in ours:  # every node comes before the inputs it sends gradients to
        assert all(position[node] < position[p] for p in node.inputs if p.requires_grad)
    # the nodes that apply rules come in the plain walk's order (leaves only collect gradients)
    assert [n for n in ours if n.op is not None] == [n for n in plain if n.op is not None]


def _graph_of_every_arity():
    from autograd import Op

    # (internal: kept out of the op list the other tests loop over)
    fma = Op("fma", forward=lambda a, b, c: a * b + c, scalar=lambda a, b, c: a * b + c, internal=True,
             rules=[lambda g, o, a, b, c: g * b, lambda g, o, a, b, c: g * a, lambda g, o, a, b, c: g],
             formulas=["b", "a", "1"])
    total4 = Op("total4", forward=lambda a, b, c, d: a + b + c + d, internal=True,
                rules=[lambda g, o, a, b, c, d: g] * 4, formulas=["1"] * 4)
    x = Tensor([1.0, -2.0, 3.0], requires_grad=True, label="x")
    one = x.sigmoid()
    two = one * x
    three = fma(two, one, x)
    four = total4(three, two, one, x)
    return fma, x, one, two, three, four


def test_every_node_shows_its_inputs_as_the_tuple_its_operation_was_given():
    fma, x, one, two, three, four = _graph_of_every_arity()
    assert (x.inputs, one.inputs, two.inputs) == ((), (x,), (one, x))
    assert three.inputs == (two, one, x) and four.inputs == (three, two, one, x)
    four.sum().backward()  # the pass reads them all: d(four)/dx summed over every path
    s = 1 / (1 + np.exp(-x.data))
    ds = s * (1 - s)
    two_ = s * x.data
    d_two = ds * x.data + s
    expected = (d_two * s + two_ * ds + 1) + d_two + ds + 1
    assert np.allclose(x.grad, expected, rtol=1e-12)
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    y = fma(a, b, c)
    assert y.inputs == (a, b, c) and y.parents == y.inputs
    y.backward()
    assert (a.grad, b.grad, c.grad) == (3.0, 2.0, 1.0)


@pytest.mark.skipif(not fast.ENABLED, reason="the plain engine keeps its inputs in a tuple")
def test_with_the_tricks_a_node_and_its_inputs_are_one_object_for_the_collector():
    import gc

    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c.inputs == (a, b)
    referents = gc.get_referents(c)
    assert not any(isinstance(r, tuple) and any(i is a for i in r) for r in referents)  # no tuple of inputs
    assert any(r is a for r in referents) and any(r is b for r in referents)  # a and b directly
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    assert not any(isinstance(r, tuple) and any(i is x for i in r) for r in gc.get_referents(y))


def test_a_node_copies_with_its_inputs():
    import copy

    a = Value(2.0, label="a")
    b = a * a
    twin = copy.deepcopy(b)
    assert twin.data == 4.0 and len(twin.inputs) == 2 and twin.inputs[0] is twin.inputs[1] is not a
    assert twin.inputs[0].label == "a"
    twin.backward()
    assert twin.inputs[0].grad == 4.0 and a.grad == 0.0


# numbers that a table keyed by (type, number) could mix up: the two zeros (equal, with
# different signs), nan (never equal to itself), an int and the float equal to it, a bool
# (an int subclass), and more distinct numbers than the table holds
CONSTANT_SEQUENCES = {
    "zeros": [0.0, -0.0, 0.0, -0.0],
    "nan and inf": [float("nan"), float("nan"), float("inf"), -float("inf"), float("inf")],
    "int and float": [1, 1.0, 1, 2.0, 2, True, 1],
    "past the table's size": [float(k) for k in range(1100)] + [3.0, 1099.0, 0.5],
}


@pytest.mark.parametrize("name", CONSTANT_SEQUENCES)
@pytest.mark.parametrize("node", ["Tensor", "Value"])
def test_shared_constants_give_each_number_its_own_result(name, node):
    """Trick 3 hands out one constant node per number: each op must still see its own
    number, whatever came before it (a stale or mixed-up entry would be a silent wrong
    number), and the gradient must be the right number too."""
    for number in CONSTANT_SEQUENCES[name]:
        start = np.array([1.5, -2.0]) if node == "Tensor" else 1.5
        x = Tensor(start, requires_grad=True) if node == "Tensor" else Value(start)
        for y, expected in ((x * number, start * number), (number * x, number * start), (x + number, start + number)):
            got = np.asarray(y.data)
            assert np.array_equal(got, expected, equal_nan=True), (number, got, expected)
            assert np.array_equal(np.signbit(got), np.signbit(expected))  # 1.5 * -0.0 is -0.0
        (x * number).backward(np.ones(2) if node == "Tensor" else None)  # (not via sum: inf - inf warns)
        expected_grad = np.broadcast_to(number, np.shape(start)).astype(float)
        assert np.array_equal(np.asarray(x.grad), expected_grad, equal_nan=True)


@pytest.mark.skipif(not fast.FUSED_LOOP, reason="part of the fused loop (trick 1): installed with it")
def test_the_fast_leaf_addition_leaves_the_leaves_as_the_plain_one_does():
    # fast.add_to_leaves takes a Tensor's first gradient as it is when it may (a new array
    # of its dtype, writable, that nothing else holds); the rest as modes.add_to_leaves does
    held = np.array([9.0, 9.0])  # an array the caller keeps (as a rule's constant would be)
    results = []
    for add in (fast.add_to_leaves, lambda leaves: modes.add_to_leaves(leaves, set())):
        dtypes = [np.float64, np.float64, np.float64, np.float32, np.float64, np.float64, np.float64]
        leaves = [Tensor([0.0, 0.0], dtype=dtype, requires_grad=True) for dtype in dtypes]
        leaves[-1].grad = np.array([1.0, 1.0])  # one that already holds a gradient
        read_only, two = np.array([3.0, 4.0]), np.array([1.0, 2.0])
        read_only.setflags(write=False)
        shares = {leaves[0]: np.array([5.0, 6.0]), leaves[1]: two, leaves[2]: two, leaves[3]: np.array([5.0, 6.0]),
                  leaves[4]: read_only, leaves[5]: np.arange(4.0)[:2], leaves[6]: held}
        fresh = id(shares[leaves[0]])
        del read_only, two
        add(shares)
        del shares
        assert id(leaves[0].grad) == fresh  # taken as it is: nothing else held it
        results.append([leaf.grad for leaf in leaves])
    for fast_grad, plain_grad in zip(*results):
        assert fast_grad.dtype == plain_grad.dtype and np.array_equal(fast_grad, plain_grad)
        assert fast_grad.flags.writeable and fast_grad.base is None
    for grads in results:
        assert not np.shares_memory(grads[1], grads[2])  # two leaves given one array: each its own
        assert not any(np.shares_memory(grad, held) for grad in grads)
    np.testing.assert_array_equal(held, [9.0, 9.0])


def test_held_elsewhere_tells_one_more_holder_from_none():
    # read as the leaf additions read it (share = leaves[leaf]): the dictionary's
    # reference and the caller's name are the pass's own; one more is somebody else's
    keeper = np.zeros(2)
    leaves = {"fresh": np.zeros(2), "held": keeper}
    seen = {}
    for leaf in leaves:
        share = leaves[leaf]
        seen[leaf] = modes.held_elsewhere(share)
    assert seen == {"fresh": False, "held": True}


# ---- trick 10: freed memory kept for reuse (glibc's malloc settings)

# A training step's arrays, a few MB, made and then all let go at once, as a step's graph is:
# each step then gets fresh pages from the system (a page fault per 4 KiB) unless the freed
# memory is kept. The script counts the page faults of 20 steps after 5 to warm up.
_STEPS_OF_BIG_ARRAYS = r"""
import resource, sys
import numpy as np
import autograd
def step():
    arrays = [np.ones((256, 784)) for _ in range(6)]  # 1.6 MB each
    return sum(float(a[0, 0]) for a in arrays)
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    step()
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 20)
"""


def _page_faults_per_step(**environment: str) -> float:
    import os
    import subprocess
    import sys

    env = {name: value for name, value in os.environ.items()  # (glibc as it starts: none of a user's settings)
           if name != "AUTOGRAD_NO_SPEED_TRICKS" and not name.startswith("MALLOC_") and name != "GLIBC_TUNABLES"}
    out = subprocess.run([sys.executable, "-c", _STEPS_OF_BIG_ARRAYS], env={**env, **environment},
                         capture_output=True, text=True, check=True)
    return float(out.stdout)


needs_glibc = pytest.mark.skipif(not fast.on_glibc(), reason="the malloc settings are glibc's")


@needs_glibc
@pytest.mark.skipif(not fast.KEPT_MEMORY, reason="the trick is switched off")
def test_with_the_tricks_a_step_of_big_arrays_reuses_the_memory_the_last_step_let_go():
    without = _page_faults_per_step(AUTOGRAD_NO_SPEED_TRICKS="memory")
    with_trick = _page_faults_per_step()
    assert without > 1000  # (the steps' 9.6 MB, fresh each time: 2,350 pages)
    assert with_trick < 50, f"{with_trick} page faults a step with the trick, {without} without"


@needs_glibc
@pytest.mark.skipif(not fast.KEPT_MEMORY, reason="the trick is switched off")
def test_the_users_own_malloc_settings_are_left_as_they_are():
    # a trim threshold of 0 returns all freed memory at once: the user's choice is kept
    assert _page_faults_per_step(MALLOC_TRIM_THRESHOLD_="0", MALLOC_MMAP_THRESHOLD_="131072") > 1000


def test_without_ctypes_the_import_stands_and_the_trick_stays_out(monkeypatch):
    # a Python built without ctypes (or a sandbox that blocks it) could not import autograd
    import sys

    monkeypatch.setitem(sys.modules, "ctypes", None)  # (what a missing module looks like to import)
    assert fast.on_glibc() is False and fast.keep_freed_memory() is False


@pytest.mark.parametrize("setting", [("MALLOC_ARENA_MAX", "2"), ("MALLOC_PERTURB_", "7"),
                                     ("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")])
def test_any_malloc_setting_of_the_users_leaves_glibc_to_it(monkeypatch, setting):
    monkeypatch.setenv(*setting)
    assert fast.keep_freed_memory() is False
