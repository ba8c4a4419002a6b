"""The matmul, linear, broadcast sum-back and ordering rules against hand-derived formulas
(issue 12: faults there were first caught by the benchmarks' agreement check, not by a
gradient test).

Each test seeds the backward pass with a random upstream gradient G (``backward(grad=G)``),
so every element of the result carries a different weight, and compares the leaves'
gradients with the formula written out in NumPy, loop by loop where that is the plainest.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor, Value
from autograd.core import backward_order


def leaves(rng, *shapes):
    return [Tensor(rng.uniform(-1, 1, size=s), requires_grad=True) for s in shapes]


# ---- matmul: every shape class, by the rule written out per batch element


def batched_formula(a, b, g):
    """d(a@b) for any matmul shapes, from first principles: treat a 1-D a as a row and a
    1-D b as a column, broadcast the batch axes, then for each batch element
    dA = G B^T and dB = A^T G, summed over the batch positions each operand was reused at."""
    A = a.reshape(1, -1) if a.ndim == 1 else a
    B = b.reshape(-1, 1) if b.ndim == 1 else b
    batch = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    G = g.reshape(batch + (A.shape[-2], B.shape[-1]))
    dA, dB = np.zeros(A.shape), np.zeros(B.shape)
    for position in np.ndindex(*batch):
        ia = tuple(p if n != 1 else 0 for p, n in zip(position[len(batch) - (A.ndim - 2):], A.shape[:-2]))
        ib = tuple(p if n != 1 else 0 for p, n in zip(position[len(batch) - (B.ndim - 2):], B.shape[:-2]))
        Ab, Bb, Gb = A[ia], B[ib], G[position]
        dA[ia] += Gb @ Bb.T
        dB[ib] += Ab.T @ Gb
    return dA.reshape(a.shape), dB.reshape(b.shape)


@pytest.mark.parametrize("a_shape, b_shape", [
    ((4, 3), (3, 2)), ((3,), (3, 2)), ((4, 3), (3,)), ((3,), (3,)),
    ((2, 4, 3), (2, 3, 5)), ((2, 4, 3), (3, 5)), ((3,), (2, 3, 4)), ((2, 4, 3), (3,)),
    ((2, 1, 4, 3), (5, 3, 2)), ((1, 4, 3), (2, 3, 2)),
], ids=str)
def test_matmul_gradients_match_the_rule_per_batch_element(rng, a_shape, b_shape):
    a, b = leaves(rng, a_shape, b_shape)
    out = a @ b
    g = rng.uniform(-1, 1, size=out.shape)
    out.backward(grad=g)
    da, db = batched_formula(a.data, b.data, np.asarray(g))
    np.testing.assert_allclose(a.grad, da, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.grad, db, rtol=1e-12, atol=1e-14)


def test_matrix_matmul_gradient_element_by_element(rng):
    """dL/dA[i, k] = sum_j G[i, j] B[k, j]; dL/dB[k, j] = sum_i A[i, k] G[i, j], as sums."""
    a, b = leaves(rng, (3, 4), (4, 2))
    g = rng.uniform(-1, 1, size=(3, 2))
    (a @ b).backward(grad=g)
    for i in range(3):
        for k in range(4):
            assert a.grad[i, k] == pytest.approx(sum(g[i, j] * b.data[k, j] for j in range(2)), rel=1e-12)
    for k in range(4):
        for j in range(2):
            assert b.grad[k, j] == pytest.approx(sum(a.data[i, k] * g[i, j] for i in range(3)), rel=1e-12)


# ---- linear: y = x @ w.T for inputs with one, two and three axes


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 5, 3)], ids=str)
def test_linear_gradients_match_the_rule_per_row(rng, x_shape):
    x, w = leaves(rng, x_shape, (4, 3))
    out = x.linear(w)
    assert out.shape == x_shape[:-1] + (4,)
    g = rng.uniform(-1, 1, size=out.shape)
    out.backward(grad=g)
    rows, grads = x.data.reshape(-1, 3), np.asarray(g).reshape(-1, 4)
    dw = sum(np.outer(grads[r], rows[r]) for r in range(len(rows)))  # each row's y_o = sum_i w[o, i] x_i
    dx = np.stack([w.data.T @ grads[r] for r in range(len(rows))]).reshape(x_shape)
    np.testing.assert_allclose(w.grad, dw, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, dx, rtol=1e-12, atol=1e-14)


# ---- broadcasting: each gradient summed back over the axes its operand was reused along


@pytest.mark.parametrize("a_shape, b_shape", [
    ((2, 1, 4), (3, 1)), ((1, 3, 1), (2, 1, 4)), ((), (2, 3)), ((2, 3), (3,)), ((4, 1, 1), (1, 2, 3)),
], ids=str)
def test_broadcast_gradients_are_summed_back_over_every_reused_axis(rng, a_shape, b_shape):
    a, b = leaves(rng, a_shape, b_shape)
    out = a * b + a
    g = rng.uniform(-1, 1, size=out.shape)
    out.backward(grad=g)
    full_a, full_b = np.broadcast_to(a.data, out.shape), np.broadcast_to(b.data, out.shape)
    da_full, db_full = g * (full_b + 1), g * full_a  # elementwise, before summing back
    da, db = np.zeros(a_shape), np.zeros(b_shape)
    for position in np.ndindex(*out.shape):  # each output element adds to the operand element it read
        da[tuple(p if n != 1 else 0 for p, n in zip(position[len(out.shape) - len(a_shape):], a_shape))] += \
            da_full[position]
        db[tuple(p if n != 1 else 0 for p, n in zip(position[len(out.shape) - len(b_shape):], b_shape))] += \
            db_full[position]
    np.testing.assert_allclose(a.grad, da, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(b.grad, db, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("axis, keepdims", [(None, False), (1, False), ((0, -1), True), ((-1, 0, 1), False)])
def test_sum_and_mean_send_each_element_its_share(rng, axis, keepdims):
    (x,) = leaves(rng, (2, 3, 4))
    total, average = x.sum(axis=axis, keepdims=keepdims), x.mean(axis=axis, keepdims=keepdims)
    g1, g2 = rng.uniform(-1, 1, size=total.shape), rng.uniform(-1, 1, size=average.shape)
    total.backward(grad=g1)
    average.backward(grad=g2)
    axes = tuple(range(3)) if axis is None else tuple(a % 3 for a in np.atleast_1d(axis))
    count = np.prod([x.shape[a] for a in axes])
    kept = lambda g: np.expand_dims(g, axes) if not keepdims else g  # noqa: E731
    expected = np.broadcast_to(kept(g1) + kept(g2) / count, x.shape)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12, atol=1e-14)


# ---- ordering: a node passes its gradient on only once every user has sent its share


def test_a_diamond_with_paths_of_different_lengths_has_the_hand_derived_gradient():
    x = Value(0.3)
    a = x.exp()  # a is used by b, c and d: three paths of different lengths back to x
    b = a * x
    c = b + a
    d = c * a  # d = e^{2x} (x + 1), so dd/dx = e^{2x} (2x + 3)
    d.backward()
    assert x.grad == pytest.approx(np.exp(0.6) * (2 * 0.3 + 3), rel=1e-14)
    assert a.grad == pytest.approx(c.data + a.data * (x.data + 1), rel=1e-14)  # dd/da with b, c, d's shares


def test_the_backward_order_lists_every_node_once_after_all_its_users(rng):
    (x,) = leaves(rng, (3,))
    a = x.tanh()
    b = a * x
    paths = [a]
    for _ in range(4):  # a long path and short ones meeting again at the root
        paths.append(paths[-1].sigmoid())
    root = (paths[-1] + b + a * a).sum()
    order = backward_order(root)
    assert len(order) == len(set(order))
    position = {node: k for k, node in enumerate(order)}
    for node in order:
        for parent in node.inputs:
            if parent.requires_grad:
                assert position[parent] > position[node], "an input is visited before one of its users"
    root.backward()
    s = [np.tanh(x.data)]
    for _ in range(4):
        s.append(1 / (1 + np.exp(-s[-1])))
    chain = np.ones(3)
    for k in range(4, 0, -1):
        chain = chain * s[k] * (1 - s[k])
    da = chain + x.data + 2 * s[0]  # the long path, b = a * x, and a * a
    expected = da * (1 - s[0] ** 2) + s[0]  # through a, and b's direct use of x
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


def test_a_wide_diamond_of_tensors_sums_every_branch(rng):
    (x,) = leaves(rng, (2, 3))
    shared = x * 2.0
    branches = [shared * float(k) for k in range(1, 6)]
    root = branches[0]
    for branch in branches[1:]:
        root = root + branch
    root.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((2, 3), 2.0 * sum(range(1, 6))))


# ---- matmul of a matrix stored by columns (W.T): its gradient is computed in its layout


@pytest.mark.parametrize("position", [0, 1])
def test_a_transposed_matrix_gets_its_gradient_in_its_own_layout(rng, position):
    """As PyTorch's mm backward does: for ``h @ W.T`` the share of ``W.T`` is computed as
    ``(grad.T @ h).T``, stored by columns like ``W.T``, so the transpose's rule hands ``W``
    a row-ordered array (copied fast) instead of one NumPy copies element by element."""
    from autograd.ops import MATMUL

    stored = rng.uniform(-1, 1, size=(5, 6))  # W, by rows; the operand is W.T, by columns
    other = rng.uniform(-1, 1, size=(5, 4) if position == 0 else (4, 6))
    a, b = (stored.T, other) if position == 0 else (other, stored.T)
    grad = rng.uniform(-1, 1, size=(a.shape[0], b.shape[1]))
    share = MATMUL.rules[position](grad, a @ b, a, b)
    assert share.flags.f_contiguous and not share.flags.c_contiguous
    expected = grad @ b.T if position == 0 else a.T @ grad
    np.testing.assert_allclose(share, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("shape", [(3, 1), (1, 3), (1, 1), (4, 3)])
def test_row_ordered_and_vector_like_matrices_keep_the_plain_formula(rng, shape):
    # (n, 1) and (1, n) arrays are stored both ways: they are no transposed matrix.
    from autograd.ops import MATMUL

    a, b = rng.uniform(-1, 1, size=(2, shape[0])), rng.uniform(-1, 1, size=shape)
    grad = rng.uniform(-1, 1, size=(2, shape[1]))
    assert np.array_equal(MATMUL.rules[1](grad, a @ b, a, b), a.T @ grad)
    assert np.array_equal(MATMUL.rules[0](grad, a @ b, a, b), grad @ b.T)


def test_gradients_through_transposed_operands_match_the_formula(rng):
    x, w, v = leaves(rng, (4, 6), (5, 6), (4, 3))
    g = rng.uniform(-1, 1, size=(5, 3))
    (w @ x.T @ v).backward(grad=g)  # x.T is stored by columns
    xt_grad = w.data.T @ g @ v.data.T
    np.testing.assert_allclose(x.grad, xt_grad.T, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(w.grad, g @ (x.data.T @ v.data).T, rtol=1e-12, atol=1e-14)
    assert x.grad.flags.c_contiguous and w.grad.flags.c_contiguous
