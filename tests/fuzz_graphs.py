"""Differential fuzzing: random computation graphs, run on our engine and on PyTorch
(float64), compared value by value and gradient by gradient.

A graph is a list of leaves and a list of steps, each applying one operation to earlier
nodes (so nodes are reused: diamonds, long chains). Every operation the engine has can
appear, and two defined as a user defines one (``USER_BROADCAST``, ``USER_SCALED_ADD``),
on tensors from 0-d to 4-d with size-1 axes; the operands of binary operations are picked,
or made, to broadcast together. Leaves sometimes hold exact 0s and 1s, where the
conventions of relu, pow, log and division are tested.

Every argument form the README documents is drawn, because the forms never drawn are
where bugs hid (negative permute axes, boolean Tensor masks, NumPy operands kept by
reference, float32 promoted by NumPy scalars): negative and tuple axes, ``keepdims`` and
PyTorch's ``dim=``/``keepdim=``, ``permute``/``transpose(d0, d1)``/``swapaxes``/``.T``;
indices of ints, negative ints, slices, ``None``, ``...``, integer lists, arrays and
Tensors, boolean masks as lists, arrays and Tensors; constants as operands on either
side (Python numbers, ``np.float64``/``np.float32`` scalars, arrays, Tensors, masks: bool
Tensors in ``+`` and ``*``, and float maths of a mask, ``mask.exp()``); reductions' negative
axes and every spelling (``unbiased`` by place and name, ``correction=`` 0-2); clip bounds as
numbers, NumPy scalars and 0-d Tensors, spelled ``clip``/``clamp``/keywords; ``where`` with a
condition given as an array, list or Tensor (broadcast, flipped in place after the forward
pass), a number as a branch, in its three spellings; ``cat`` of 1-3 nodes and array or list
pieces; ``reshape`` with -1 inside, varargs and ``view``; matmul with batch axes broadcast
and a constant on the left; in-place ``+= -= *= /= **= @=``; steps under ``no_grad`` and
``detach()`` inside a graph; backward called twice (the leaves' gradients add up); float32
graphs (PyTorch keeps float32 with float64 scalars, so the dtype of every node is
compared too); 0-d and size-0 leaves; and NumPy buffers (operands, index arrays, a
constant Tensor's data) changed in place between the forward and the backward pass, and
views of a node made after the forward pass (``VIEW_FORMS``) and written into: the
gradient must be the one of the numbers at forward time, or a clear error.

Values and gradients agree within 1e-8 of the magnitudes involved: a node's own and its
inputs' for values, the largest gradient in the graph for a leaf's gradient (it is a sum
of terms that large, and where they cancel only their rounding is left; both engines
are right then, differently).

The generator takes its decisions from a ``Chooser``: hypothesis in the test suite (so
failures shrink to a minimal graph), a seeded ``random.Random`` in the long run
(``make fuzz``, ``python tests/fuzz_graphs.py --graphs 20000``).

``--second-order`` compares second derivatives (the gradient of a weighted sum of the
first gradients, taken with ``create_graph=True``) with PyTorch's, on the float64 graphs.

``--threads`` runs the graphs 8 at a time, each in a thread of its own, and compares every
value and gradient, bit for bit, with a run one by one: no state of one thread's pass may
reach another's.

The same graphs also hold the engine to itself: ``--tricks`` runs them with the speed
tricks of ``autograd/fast.py`` on and off (in two processes) and compares every value and
gradient bit for bit, since each trick promises the plain engine's numbers exactly (no
PyTorch needed).
"""

from __future__ import annotations

import argparse
import math
import os
import pickle
import random
import subprocess
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

import autograd
from autograd import Tensor, Value

Shape = tuple[int, ...]


class Chooser:
    """Where the generator's decisions come from."""

    def integer(self, low: int, high: int) -> int:  # inclusive
        raise NotImplementedError

    def choice(self, options: Sequence[Any]) -> Any:
        return options[self.integer(0, len(options) - 1)]

    def chance(self, percent: int) -> bool:
        return self.integer(1, 100) <= percent


class RandomChooser(Chooser):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)


class HypothesisChooser(Chooser):
    def __init__(self, data: Any) -> None:
        from hypothesis import strategies as st

        self.data, self.st = data, st

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(self.st.integers(low, high))


@dataclass
class Constant:
    """An operand that is not a node, made afresh for each run from ``values``: a Python
    number, a NumPy scalar, an ndarray or a Tensor that needs no gradient. ``mutate``:
    our run changes it in place after the forward pass (PyTorch gets a copy, so its
    gradient is the one of the numbers at forward time)."""

    form: str  # "float", "int", "np.float64", "np.float32", "ndarray", "tensor", "mask" (a bool Tensor)
    values: np.ndarray
    mutate: bool = False

    def make(self, torch: bool, changed: list | None = None) -> Any:
        v = self.values
        if self.form == "mask":
            return _torch().from_numpy(v.copy()) if torch else Tensor(v)
        if self.form.startswith("mask."):  # float maths on a mask: ours reads it as float64 0s and 1s
            method = self.form[5:]
            return getattr(_torch().from_numpy(v.copy()).double(), method)() if torch else getattr(Tensor(v), method)()
        if self.form == "int":
            return int(v)
        if self.form in ("float", "np.float64", "np.float32"):
            # PyTorch treats NumPy scalars as Python numbers; that is the expected semantics
            scalar = float(v) if self.form == "float" else getattr(np, self.form[3:])(v)
            return float(scalar) if torch else scalar
        if torch:
            import torch as t

            return t.from_numpy(np.array(v)) if self.form == "ndarray" else t.tensor(v)
        made = np.array(v) if self.form == "ndarray" else Tensor(v)  # np.array: a 0-d array stays an array
        if self.mutate and changed is not None:
            changed.append((made, "numbers"))
        return made

    def __repr__(self) -> str:
        shown = np.array2string(np.asarray(self.values), precision=17, separator=", ")
        dtype = self.values.dtype
        text = {"float": "{}", "int": "{}", "np.float64": "np.float64({})", "np.float32": "np.float32({})",
                "ndarray": f"np.array({{}}, dtype=np.{dtype})",
                "tensor": f"Tensor(np.array({{}}, dtype=np.{dtype}))",
                "mask": "Tensor(np.array({}))"}.get(self.form,
                                                    f"Tensor(np.array({{}})).{self.form[5:]}()").format(shown)
        return text + (" mutated before backward" if self.mutate else "")


@dataclass
class Index:
    """An index, as a tuple of items (or one bare item); arrays, lists and Tensors are
    made afresh for each run. ``mutate``: our run changes its arrays in place after the
    forward pass."""

    items: tuple  # each: an int, a slice, None, Ellipsis, or (form, ndarray)
    bare: bool = False
    mutate: bool = False

    def make(self, torch: bool, changed: list | None = None) -> Any:
        made = []
        for item in self.items:
            if not isinstance(item, tuple):
                made.append(item)
                continue
            form, values = item
            if torch:  # (PyTorch reads a nested list as a tuple of indices: give it the tensor NumPy means)
                import torch as t

                made.append(t.from_numpy(values.copy()))
            elif form in ("list", "bool_list"):
                made.append(values.tolist())  # lists are copied by their nature
            else:
                array = values.copy()
                made.append(Tensor(array) if form in ("tensor", "bool_tensor") else array)
                if self.mutate and changed is not None:
                    changed.append((made[-1], "positions"))
        return made[0] if self.bare else tuple(made)

    def __repr__(self) -> str:
        def show(item: Any) -> str:
            if isinstance(item, tuple):
                form, values = item
                text = repr(values.tolist())
                return {"list": text, "bool_list": text, "array": f"np.array({text})",
                        "bool_array": f"np.array({text})", "tensor": f"Tensor({text})",
                        "bool_tensor": f"Tensor({text})"}[form]
            return {None: "None", Ellipsis: "..."}.get(item, repr(item)) if not isinstance(item, slice) else \
                f"{'' if item.start is None else item.start}:{'' if item.stop is None else item.stop}" + \
                (f":{item.step}" if item.step not in (None, 1) else "")
        inner = ", ".join(show(i) for i in self.items)
        return f"[{inner}]" + (" (its arrays mutated before backward)" if self.mutate else "")


@dataclass
class Condition:
    """where's condition as a user gives it (a bool ndarray, list or Tensor), made afresh for
    each run; ``mutate``: our run flips its array in place after the forward pass."""

    form: str  # "ndarray", "list", "tensor"
    values: np.ndarray
    mutate: bool = False

    def make(self, torch: bool, changed: list | None = None) -> Any:
        if torch:
            import torch as t

            return t.from_numpy(self.values.copy())
        if self.form == "list":
            return self.values.tolist()
        made = self.values.copy() if self.form == "ndarray" else Tensor(self.values.copy())
        if self.mutate and changed is not None:
            changed.append((made, "positions"))
        return made

    def __repr__(self) -> str:
        return f"{self.form}({self.values.tolist()})" + (" mutated before backward" if self.mutate else "")


# Views of a node's numbers a user makes after the forward pass to look at them, and writes
# into: each shares the node's memory (reshape(-1) of a scattered array copies instead).
VIEW_FORMS: dict[str, Callable[[Tensor], Any]] = {  # a tensor (written through its .data) or an array
    "reshape(-1)": lambda t: t.reshape(-1),
    "t[...]": lambda t: t[...],
    "t[None]": lambda t: t[None],
    ".T": lambda t: t.T,
    "detach()": lambda t: t.detach(),
    "as_tensor(t.data)": lambda t: autograd.as_tensor(t.data),
    "t.numpy()": lambda t: t.numpy(),
    "t.detach().numpy()": lambda t: t.detach().numpy(),
    "a.data = t": lambda t: _given_as_data(t),
}


def _given_as_data(node: Tensor) -> Tensor:
    holder = Tensor(0.0)
    holder.data = node  # (holder then shares node's numbers, as in PyTorch)
    return holder


def _write_into_a_view(node: Tensor, form: str) -> bool:
    """Make the view and write into it; whether anything was written."""
    view = VIEW_FORMS[form](node)
    array = view.data if isinstance(view, Tensor) else view
    if not isinstance(array, np.ndarray) or not array.flags.writeable:  # (a 0-d number, a broadcast)
        return False
    _change_in_place(array, "numbers")
    return True


def _change_in_place(x: Any, kind: str) -> None:
    """Refill a buffer in place, as a data loader reusing its batch buffer would: numbers
    change; positions move (staying in range) and masks flip."""
    array = x.data if isinstance(x, Tensor) else x
    if kind == "positions" and array.dtype == bool:
        np.logical_not(array, out=array)
    elif kind == "positions" or array.dtype.kind in "iu":
        if array.ndim:
            array[...] = array[::-1].copy()
    else:
        array *= -2.0
        array += 0.25


@dataclass
class Step:
    op: str
    operands: tuple[int, ...]
    args: tuple = ()


@dataclass
class Graph:
    """Steps in order; a step ("leaf", (), (k,)) makes a node of ``leaves[k]``."""

    leaves: list[np.ndarray] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    # (node, form): after the forward pass our run makes a view of that node (VIEW_FORMS),
    # outside the graph, and writes into it
    written_view: tuple[int, str] | None = None
    # the nodes the loss sums (``_weighted_sum``): all of them, or these. A loss of some
    # nodes leaves others with no gradient, and some leaves unreached
    loss_nodes: tuple[int, ...] | None = None
    # backward() run twice on the loss (retain_graph=True in torch): the leaves' .grad add up
    twice: bool = False

    def add_leaf(self, values: np.ndarray) -> None:
        self.steps.append(Step("leaf", (), (len(self.leaves),)))
        self.leaves.append(values)

    @property
    def operations(self) -> int:
        return sum(1 for s in self.steps if s.op != "leaf")

    @property
    def mutates(self) -> bool:
        return self.written_view is not None or any(getattr(a, "mutate", False) for s in self.steps for a in s.args)

    def __str__(self) -> str:
        lines = []
        for k, s in enumerate(self.steps):
            if s.op == "leaf":
                leaf = self.leaves[s.args[0]]
                lines.append(f"node {k}: leaf {leaf.shape} {leaf.dtype} = {np.array2string(leaf, precision=17)}")
            else:
                lines.append(f"node {k}: {s.op}{s.operands} {s.args if s.args else ''}")
        if self.written_view is not None:
            lines.append(f"then: a view of node {self.written_view[0]} ({self.written_view[1]}) written into")
        if self.loss_nodes is not None:
            lines.append(f"loss: the weighted sum of nodes {list(self.loss_nodes)}")
        if self.twice:
            lines.append("backward() called twice")
        return "\n".join(lines)


# ---- the operations, each written once for both engines where the spelling agrees

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": lambda a, b: a.maximum(b),  # ties (exact 0s and 1s) split the gradient in halves
    "minimum": lambda a, b: a.minimum(b),
}
MASK_MATH = ("exp", "tanh", "sigmoid", "sin", "cos", "abs", "relu", "__neg__", "sqrt")
SINGULAR_AT_ZERO = {"log", "sqrt", "sqrt()", "reciprocal"}
UNARY = {
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "square": lambda x: x**2,
    "sqrt": lambda x: x**0.5,
    "scale": lambda x: 0.5 * x - 1.5,
    "reciprocal": lambda x: 1.0 / x,
    "sqrt()": lambda x: x.sqrt(),
    "abs": lambda x: abs(x),  # abs'(0) = 0
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "gelu": lambda x: x.gelu() if isinstance(x, (Tensor, Value)) else _functional().gelu(x),
}


# A change to numbers a rule needs, made after the forward pass, may be refused at
# backward (PyTorch's "modified by an inplace operation"): a clear error, not a wrong number.
REFUSAL_WORDS = ("in place", "in-place", "inplace", "modified", "changed")

def _functional() -> Any:
    import torch

    return torch.nn.functional


def _all_axes(reduce: Callable[..., Any]) -> Callable[..., Any]:
    """torch's spelling of a reduction with our axis=None: every axis (a 0-d tensor has none)."""
    def call(x: Any, axis: Any, keep: bool, *more: Any) -> Any:
        if axis is not None:
            return reduce(x, axis, keep, *more)
        out = reduce(x.reshape(-1), 0, False, *more)
        return out.reshape((1,) * x.ndim) if keep else out
    return call




def _supports_dim_keyword() -> bool:
    """Whether reductions take PyTorch's dim=/keepdim= (drawn only where they do)."""
    try:
        Tensor(np.ones((2, 1))).sum(dim=-1, keepdim=True)
    except TypeError:
        return False
    return True


DIM_KEYWORD = _supports_dim_keyword()


# ---- forms held back while the engine gets them wrong
#
# Each probe is the smallest case of a known engine bug, checked against the numbers
# NumPy and PyTorch give; while it fails, the fuzzer does not draw that form (so the test
# suite's fuzz tests stay green and find the *next* bug), and the strict xfail test in
# tests/test_fuzz_regressions.py holds the reproducer. When the engine is fixed, the
# probe passes and the form is drawn again, by itself. ``--all-forms`` draws them anyway.


def _probe(check: Callable[[], bool]) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return bool(check())
    except Exception:
        return False


def _gradient_after_change(make: Callable[[Tensor], tuple[Any, Callable[[], None]]], expected: list) -> bool:
    """The gradient of a graph whose buffer is changed before backward: the one of the
    numbers at forward time, or a clear refusal (a RuntimeError saying so)."""
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    out, change = make(x)
    change()
    try:
        out.sum().backward()
    except RuntimeError as error:
        return any(word in str(error).lower() for word in REFUSAL_WORDS)
    return x.grad.tolist() == expected


def _bool_tensor_index() -> bool:
    return Tensor([10.0, 20.0, 30.0])[Tensor([True, False, True])].data.tolist() == [10.0, 30.0]


def _float32_with_numpy_float64() -> bool:
    return (Tensor(np.ones(2, np.float32)) * np.float64(2.0)).dtype == np.float32


def _pow_gradient_in_float64(base: Any) -> bool:
    # PyTorch turns a float32 NumPy scalar into the tensor's dtype, and promotes a float32
    # array, before its rules run; ln(a) of a float32 base taken in float32 loses 7 digits
    # of d(a**x)/dx in a float64 graph
    x = Tensor([1.0], requires_grad=True)
    (base**x).sum().backward()
    a = float(np.ravel(base)[0])
    return abs(x.grad[0] - a * math.log(a)) <= 1e-15


def _empty_list_index() -> bool:
    return Tensor(np.zeros(3))[[]].shape == (0,)  # NumPy and PyTorch: an empty selection


def _ndarray_operand_copied() -> bool:
    buffer = np.ones(3)
    return _gradient_after_change(lambda x: (x * buffer, lambda: buffer.fill(5.0)), [1.0, 1.0, 1.0])


def _index_array_copied() -> bool:
    positions = np.array([0, 0])
    return _gradient_after_change(lambda x: (x[positions], lambda: positions.fill(2)), [2.0, 0.0, 0.0])


def _linear_with_no_features() -> bool:
    x, w = Tensor(np.zeros((1, 2, 0)), requires_grad=True), Tensor(np.zeros((1, 0)), requires_grad=True)
    x.linear(w).sum().backward()
    return x.grad.shape == (1, 2, 0) and w.grad.shape == (1, 0)


KNOWN_BUGS = {  # form: (probe, what goes wrong)
    "bool_tensor_index": (_bool_tensor_index, "a boolean Tensor index is read as integer positions"),
    "float32_with_numpy_float64": (_float32_with_numpy_float64, "float32 * np.float64 becomes float64"),
    "float64_with_numpy_float32": (lambda: _pow_gradient_in_float64(np.float32(0.7)),
                                   "np.float32(0.7) ** x (float64) has a gradient computed in float32"),
    "float32_array_base_in_float64_pow": (lambda: _pow_gradient_in_float64(np.array([0.7], np.float32)),
                                          "np.array([0.7], np.float32) ** x (float64) has a gradient computed in "
                                          "float32"),
    "empty_list_index": (_empty_list_index, "t[[]] raises IndexError (NumPy reads [] as no positions)"),
    "mutated_ndarray_operand": (_ndarray_operand_copied, "an ndarray operand is kept by reference"),
    "mutated_index_array": (_index_array_copied, "an index array is kept by reference"),
    "linear_with_no_features": (_linear_with_no_features, "linear of a (.., 0) input with a (k, 0) weight "
                                "fails in backward (reshape of size 0 into (-1, 0))"),
}
HELD_BACK = {form for form, (probe, _) in KNOWN_BUGS.items() if not _probe(probe)}


def draws(form: str) -> bool:
    """Whether the fuzzer draws ``form`` (every form, unless a known engine bug holds it back)."""
    return form not in HELD_BACK


def _reduce(name: str, torch: bool) -> Callable[..., Any]:
    def ours(x: Any, axis: Any, keep: bool, spelling: str = "axis") -> Any:
        method = getattr(x, name)
        if spelling == "dim":
            return method(dim=axis, keepdim=keep)
        if spelling == "positional":
            return method(axis, keep)
        return method(axis=axis, keepdims=keep)

    def theirs(x: Any, axis: Any, keep: bool, spelling: str = "axis") -> Any:
        if axis is None:
            whole = getattr(x, name)()
            return whole.reshape((1,) * x.ndim) if keep else whole
        return getattr(x, name)(dim=axis, keepdim=keep)

    return theirs if torch else ours


def _transpose(torch: bool) -> Callable[..., Any]:
    def ours(x: Any, axes: tuple, spelling: str = "permute") -> Any:
        if spelling == "transpose":  # PyTorch's two axes
            return x.transpose(*axes)
        if spelling == "swapaxes":
            return x.swapaxes(*axes)
        if spelling == "T":
            return x.T
        return x.permute(*axes)

    def theirs(x: Any, axes: tuple, spelling: str = "permute") -> Any:
        if spelling in ("transpose", "swapaxes"):
            return x.transpose(*axes)
        if spelling == "T":
            return x.permute(*reversed(range(x.ndim)))
        return x.permute(axes)

    return theirs if torch else ours


# Operations as a user defines them (``autograd.Op``), not the built-in ones: the engine
# runs a user's rules through paths of its own (the fused loop's general branch, the sum
# back over broadcast axes for one input or two, extra arguments). A one-input op that
# broadcasts was never drawn, and its gradient came back unsummed with the tricks on.
USER_BROADCAST = autograd.Op("user_broadcast", forward=lambda x, shape: x + np.zeros(shape, np.result_type(x)),
                             rules=[lambda grad, out, x, shape: grad], formulas=["d(x broadcast)/dx = 1"],
                             broadcasts=True, internal=True)
# the same without broadcasts=True: its share, of the broadcast shape, is summed back by the
# checks a user's op runs under (autograd/user_ops.py), as PyTorch sums a Function's
USER_BROADCAST_UNMARKED = autograd.Op("user_broadcast_unmarked",
                                      forward=lambda x, shape: x + np.zeros(shape, np.result_type(x)),
                                      rules=[lambda grad, out, x, shape: grad], formulas=["d(x broadcast)/dx = 1"],
                                      internal=True)
USER_SCALED_ADD = autograd.Op("user_scaled_add", forward=lambda a, b, k: a + b * k,
                              rules=[lambda grad, out, a, b, k: grad, lambda grad, out, a, b, k: grad * k],
                              formulas=["d(a + k b)/da = 1", "d(a + k b)/db = k"], broadcasts=True, internal=True)

def _updated_in_place(a: Any, b: Any, how: str) -> Any:
    """t += b (or -=, *=, /=, **=, @=) on a fresh node t made of a: recorded as an operation, in both
    engines (PyTorch has no in-place @=: t @= b makes a new node there, as it does here while recording)."""
    t = a * 1.0 if how == "@=" else \
        a.broadcast_to(np.broadcast_shapes(tuple(a.shape), tuple(b.shape))) * 1.0  # (b may broadcast a up)
    if how == "+=":
        t += b
    elif how == "-=":
        t -= b
    elif how == "/=":
        t /= b
    elif how == "**=":
        t **= b
    elif how == "@=":
        t @= b
    else:
        t *= b
    return t


def _where(torch: bool) -> Callable[..., Any]:
    """where in its spellings: a.where(cond, b), autograd.where(cond, a, b), with the condition
    a comparison of a or a given Condition, and either branch possibly a number."""
    def call(a: Any, b: Any, condition: Any = None, spelling: str = "method", number: Any = None) -> Any:
        cond = a > 0 if condition is None else condition
        if torch and not hasattr(cond, "shape"):
            cond = _torch().as_tensor(cond)
        if number is not None:
            b = number
        if spelling == "swapped":
            return _torch().where(cond, b, a) if torch else autograd.where(cond, b, a)
        if spelling == "function":
            return _torch().where(cond, a, b) if torch else autograd.where(cond, a, b)
        return a.where(cond, b)
    return call


def _no_grad_unary(torch: bool) -> Callable[..., Any]:
    """An elementwise step computed under no_grad (a constant in the graph), or detached."""
    def call(x: Any, op: str, how: str) -> Any:
        if how == "detach":
            return UNARY[op](x).detach()
        with (_torch().no_grad() if torch else autograd.no_grad()):
            return UNARY[op](x)
    return call


SHAPED = {  # operations whose spelling differs between the engines: (ours, torch)
    "in_place": (_updated_in_place, _updated_in_place),
    "user_broadcast": (lambda x, shape: USER_BROADCAST(x, shape), lambda x, shape: x.broadcast_to(shape)),
    "user_broadcast_unmarked": (lambda x, shape: USER_BROADCAST_UNMARKED(x, shape),
                                lambda x, shape: x.broadcast_to(shape)),
    "user_scaled_add": (lambda a, b, k: USER_SCALED_ADD(a, b, k), lambda a, b, k: a + b * k),
    "sum": (_reduce("sum", False), _reduce("sum", True)),
    "mean": (_reduce("mean", False), _reduce("mean", True)),
    "reshape": (lambda x, shape, spelling="tuple": x.reshape(shape) if spelling == "tuple" else
                x.reshape(*shape) if spelling == "varargs" else x.view(*shape),
                lambda x, shape, spelling="tuple": x.reshape(shape)),
    "transpose": (_transpose(False), _transpose(True)),
    "broadcast_to": (lambda x, shape: x.broadcast_to(shape), lambda x, shape: x.broadcast_to(shape)),
    "index": (lambda x, index: x[index], lambda x, index: x[index]),
    "matmul": (lambda a, b: a @ b, lambda a, b: _promoted(a, b, lambda a, b: a @ b)),
    "linear": (lambda x, w: x.linear(w), lambda x, w: _promoted(x, w, lambda x, w: x @ w.T)),
    "max": (_reduce("max", False), _all_axes(lambda x, axis, keep, *_: x.amax(dim=axis, keepdim=keep))),
    "min": (_reduce("min", False), _all_axes(lambda x, axis, keep, *_: x.amin(dim=axis, keepdim=keep))),
    "var": (lambda x, axis, keep, c, form="correction": _spread("var", x, axis, keep, c, form),
            _all_axes(lambda x, axis, keep, c, *_: x.var(dim=axis, keepdim=keep, correction=c))),
    "std": (lambda x, axis, keep, c, form="unbiased": _spread("std", x, axis, keep, c, form),
            _all_axes(lambda x, axis, keep, c, *_: x.std(dim=axis, keepdim=keep, correction=c))),
    "logsumexp": (_reduce("logsumexp", False),
                  _all_axes(lambda x, axis, keep, *_: x.logsumexp(dim=axis, keepdim=keep))),
    "no_grad": (_no_grad_unary(False), _no_grad_unary(True)),
    "softmax": (lambda x, axis: x.softmax(axis), lambda x, axis: x.softmax(axis)),
    "log_softmax": (lambda x, axis: x.log_softmax(dim=axis), lambda x, axis: x.log_softmax(dim=axis)),
    "clip": (lambda x, low, high, spelling="clip": x.clip(min=low, max=high) if spelling == "keywords" else
             getattr(x, spelling)(low, high),
             lambda x, low, high, spelling="clip": x.clamp(_bound(low), _bound(high))),
    "leaky_relu": (lambda x, slope: x.leaky_relu(slope), lambda x, slope: _functional().leaky_relu(x, slope)),
    "softplus": (lambda x, beta, threshold: x.softplus(beta, threshold),
                 lambda x, beta, threshold: _functional().softplus(x, beta, threshold)),
    "where": (_where(False), _where(True)),
    "flatten": (lambda x, start, end: x.flatten(start, end), lambda x, start, end: x.flatten(start, end)),
    "squeeze": (lambda x, dim: x.squeeze(dim), lambda x, dim: x.squeeze() if dim is None else x.squeeze(dim)),
    "unsqueeze": (lambda x, dim: x.unsqueeze(dim), lambda x, dim: x.unsqueeze(dim)),
    "cat": (lambda *xs: _cat(False, *xs), lambda *xs: _cat(True, *xs)),
    "stack": (lambda a, b, dim: autograd.stack([a, b], dim), lambda a, b, dim: _torch().stack([a, b], dim)),
}


def _torch() -> Any:
    import torch

    return torch


def _spread(name: str, x: Any, axis: Any, keep: bool, c: int, form: str) -> Any:
    """var/std in PyTorch's forms: (axis, unbiased, keepdims) by place or by name, or correction=."""
    method = getattr(x, name)
    if form == "unbiased" and c in (0, 1):
        return method(axis, c == 1, keep)
    if form == "unbiased=" and c in (0, 1):
        return method(dim=axis, unbiased=c == 1, keepdim=keep)
    return method(axis=axis, keepdims=keep, correction=c)


def _bound(bound: Any) -> Any:
    """A clip bound for torch: a number (torch's clamp takes a 0-d tensor too, but not mixed with a number)."""
    return None if bound is None else float(np.asarray(getattr(bound, "data", bound)))


def _cat(torch: bool, *given: Any) -> Any:
    """cat of the operand nodes and, maybe, a constant piece (an ndarray or a list), as a list or a tuple."""
    *nodes, dim, piece, container, as_list = given
    if piece is not None:  # (an ndarray, or its list, last; made for this run as every Constant is)
        nodes.append(piece.tolist() if as_list and piece.size and not torch else piece)  # ([] loses axes)
    pieces = tuple(nodes) if container == "tuple" else list(nodes)
    if torch:
        return _torch().cat(pieces, 0 if dim is None else dim)
    return autograd.cat(pieces) if dim is None else autograd.cat(pieces, dim)



def _promoted(a: Any, b: Any, function: Callable[[Any, Any], Any]) -> Any:
    """PyTorch's @ refuses two dtypes; NumPy (and so our engine) promotes, as PyTorch's
    elementwise operations do: compare with that."""
    import torch

    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)) or a.dtype == b.dtype:
        return function(a, b)
    dtype = torch.promote_types(a.dtype, b.dtype)
    return function(a.to(dtype), b.to(dtype))
# "const_<op>": a node and a Constant (the constant of @ has the graph's dtype)
# (maximum and minimum take nodes on both sides, as torch.maximum does: no constants)
CONSTANT_OPS = {**{k: f for k, f in BINARY.items() if k not in ("maximum", "minimum")}, "matmul": lambda a, b: a @ b}


def _operation(step: Step, torch: bool, changed: list | None = None) -> Callable[..., Any]:
    """The step as a function of its operand nodes; Constants and Indices are made here,
    afresh for this run (``changed`` collects what our run changes after its forward)."""
    if step.op in BINARY:
        return BINARY[step.op]
    if step.op in UNARY:
        return UNARY[step.op]
    args = tuple(a.make(torch, changed) if isinstance(a, (Constant, Index, Condition)) else a for a in step.args)
    if step.op.startswith("const_"):
        name, (constant, side) = step.op[6:], args
        function = CONSTANT_OPS[name]
        if torch and name == "matmul":
            function = lambda a, b, plain=function: _promoted(a, b, plain)  # noqa: E731
        return (lambda x: function(x, constant)) if side == "right" else (lambda x: function(constant, x))
    ours, theirs = SHAPED[step.op]
    function = theirs if torch else ours
    return lambda *nodes: function(*nodes, *args)


# ---- building a random graph


def _leaf_values(chooser: Chooser, shape: Shape, dtype: Any = np.float64) -> np.ndarray:
    rng = np.random.default_rng(chooser.integer(0, 2**31))
    values = rng.uniform(-2.0, 2.0, size=shape)
    if chooser.chance(30):  # exact zeros and ones: where the conventions differ
        special = rng.random(size=shape) < 0.3
        values = np.where(special, rng.choice([0.0, 1.0, -1.0], size=shape), values)
    return values.astype(dtype)


def _random_shape(chooser: Chooser, max_ndim: int = 4) -> Shape:
    shape = tuple(chooser.integer(1, 3) for _ in range(chooser.integer(0, max_ndim)))
    if shape and chooser.chance(4):  # size 0: an empty batch
        k = chooser.integer(0, len(shape) - 1)
        shape = shape[:k] + (0,) + shape[k + 1:]
    return shape


def _broadcastable_to(chooser: Chooser, shape: Shape) -> Shape:
    """A shape that broadcasts against ``shape``: some leading axes dropped, some axes 1."""
    kept = shape[chooser.integer(0, len(shape)):]
    return tuple(1 if chooser.chance(30) else n for n in kept)


def _broadcasts(a: Shape, b: Shape) -> bool:
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _distinct_axes(chooser: Chooser, ndim: int, count: int) -> tuple[int, ...]:
    """``count`` different axes, each written as a positive or a negative number."""
    axes = list(range(ndim))
    chosen = []
    for _ in range(min(count, ndim)):
        axis = axes.pop(chooser.integer(0, len(axes) - 1))
        chosen.append(axis - ndim if chooser.chance(50) else axis)
    return tuple(chosen)


class Builder:
    """Builds a graph step by step, running our engine alongside to know every shape."""

    def __init__(self, chooser: Chooser, dtype: Any = np.float64) -> None:
        self.chooser = chooser
        self.dtype = np.dtype(dtype)
        self.graph = Graph()
        self.nodes: list[Tensor] = []

    def leaf(self, shape: Shape) -> int:
        values = _leaf_values(self.chooser, shape, self.dtype)
        self.graph.add_leaf(values)
        self.nodes.append(Tensor(values, requires_grad=True))
        return len(self.nodes) - 1

    def apply(self, step: Step) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = _operation(step, torch=False)(*(self.nodes[i] for i in step.operands))
        self.graph.steps.append(step)
        self.nodes.append(out)

    def partner(self, shape: Shape) -> int:
        """A node whose shape broadcasts with ``shape`` (an existing one, or a new leaf)."""
        fitting = [i for i, node in enumerate(self.nodes) if _broadcasts(node.shape, shape)]
        if fitting and self.chooser.chance(70):
            return self.chooser.choice(fitting)
        return self.leaf(_broadcastable_to(self.chooser, shape))

    def random_step(self) -> None:
        c = self.chooser
        x = c.integer(0, len(self.nodes) - 1)
        shape = self.nodes[x].shape
        kind = c.choice(["binary", "binary", "unary", "unary", "shaped", "constant"])
        if kind == "binary":
            operands = (x, self.partner(shape)) if c.chance(50) else (self.partner(shape), x)
            op = c.choice(sorted(BINARY))
            if op in ("div", "pow") and self.has_zero(operands[1 if op == "div" else 0]):
                op = "mul"
            self.apply(Step(op, operands))
        elif kind == "unary":
            self.unary_step(x)
        elif kind == "constant":
            self.constant_step(x, shape)
        else:
            self.shaped_step(x, shape)

    def unary_step(self, x: int) -> None:
        op = self.chooser.choice(sorted(UNARY))
        if op in SINGULAR_AT_ZERO and self.has_zero(x):
            op = "neg"
        self.apply(Step(op, (x,)))

    def has_zero(self, i: int) -> bool:
        # At an exact zero these ops answer +-inf, and the sign comes from the sign of the
        # zero, which depends on how a kernel summed (BLAS turns -0.0 into 0.0, PyTorch
        # may not): both engines are right, differently. Exact zeros still meet relu,
        # pow's exponent, multiplication and every other op.
        return bool(np.any(self.nodes[i].data == 0))

    def constant(self, shape: Shape, positive: bool, mask: bool = False) -> Constant:
        """A constant operand that broadcasts with ``shape``, in one of the forms a user
        may write; away from 0 (it may divide), and positive where it may be a base.
        ``mask``: it may be a mask (a bool Tensor, whose False is a 0), which + and * take as
        NumPy and PyTorch do (PyTorch refuses a mask in -, which ours reads as 1.0 and 0.0:
        ``tensor.masks_as_numbers``, tested in test_exact_input_types.py)."""
        c = self.chooser
        rng = np.random.default_rng(c.integer(0, 2**31))
        if mask and c.chance(15):
            return Constant("mask", np.array(rng.random(_broadcastable_to(c, shape)) < 0.5))
        if mask and c.chance(5):  # (float maths of a mask, 0 where False: not where it may divide or be a base)
            return Constant("mask." + c.choice(MASK_MATH), np.array(rng.random(_broadcastable_to(c, shape)) < 0.5))
        form = c.choice(["float", "int", "np.float64", "np.float32", "ndarray", "ndarray", "tensor"])
        if form == "np.float64" and self.dtype == np.float32 and not draws("float32_with_numpy_float64"):
            form = "float"
        if form == "np.float32" and self.dtype == np.float64 and not draws("float64_with_numpy_float32"):
            form = "float"
        if form in ("ndarray", "tensor"):
            dims = _broadcastable_to(c, shape)
            dtype = c.choice([np.float64, np.float32, np.int64] if form == "ndarray" else [np.float64, np.float32])
            values = rng.uniform(0.5, 2.0, size=dims) * (1 if positive else rng.choice([-1, 1], size=dims))
            if dtype is np.int64:
                values = np.where(np.round(values) == 0, 1, np.round(values))
            if dtype is np.float32 and self.dtype == np.float64 and positive and \
                    not draws("float32_array_base_in_float64_pow"):
                dtype = np.float64
            if dims == () and dtype is np.float64 and self.dtype == np.float32 and not draws("float32_with_0d_float64"):
                dtype = np.float32
            values = values.astype(dtype)
            return Constant(form, values, mutate=c.chance(30) and draws(f"mutated_{form}_operand"
                                                                       if form == "ndarray" else
                                                                       "mutated_constant_tensor"))
        value = float(c.integer(1, 3)) if form == "int" else float(rng.uniform(0.5, 2.0))
        return Constant(form, np.float64(value if positive or c.chance(50) else -value))

    def constant_step(self, x: int, shape: Shape) -> None:
        c = self.chooser
        side = c.choice(["left", "right"])
        op = c.choice(sorted(CONSTANT_OPS.keys() - {"matmul"}))
        if op == "div" and side == "left" and self.has_zero(x):
            op = "mul"
        if op == "pow" and side == "right" and self.has_zero(x):
            op = "add"
        self.apply(Step("const_" + op, (x,), (self.constant(shape, positive=op == "pow",
                                                             mask=op in ("add", "mul")), side)))

    def reduction_step(self, x: int, op: str, ndim: int) -> None:
        c = self.chooser
        if ndim == 0 or c.chance(20):
            axis: Any = None
        else:
            axes = _distinct_axes(c, ndim, c.integer(1, ndim))
            axis = axes[0] if len(axes) == 1 and c.chance(50) else axes
        spellings = ["axis", "positional"] + (["dim"] if DIM_KEYWORD else [])
        self.apply(Step(op, (x,), (axis, c.chance(50), c.choice(spellings))))

    def transpose_step(self, x: int, ndim: int) -> None:
        c = self.chooser
        spelling = c.choice(["permute", "permute", "transpose", "swapaxes"] + (["T"] if ndim == 2 else []))
        if spelling in ("transpose", "swapaxes"):
            axes = tuple(c.integer(-ndim, ndim - 1) for _ in range(2))
        else:
            axes = _distinct_axes(c, ndim, ndim)
        self.apply(Step("transpose", (x,), (axes, spelling)))

    def index_step(self, x: int, shape: Shape) -> None:
        self.apply(Step("index", (x,), (self.index(shape),)))

    def index(self, shape: Shape) -> Index:
        """An index into ``shape``: a whole boolean mask, or basic items (ints, slices,
        None, ...) with at most one advanced item (an integer list, array or Tensor, or a
        boolean mask of one axis), where an int and the advanced item may be apart."""
        c = self.chooser
        rng = np.random.default_rng(c.integer(0, 2**31))
        ndim = len(shape)
        mutate = c.chance(25) and draws("mutated_index_array")
        masks = ["bool_list", "bool_array"] + (["bool_tensor"] if draws("bool_tensor_index") else [])
        if ndim and c.chance(20):
            mask = rng.random(shape) < 0.5
            # (an empty mask of two or more axes has no list form: [[]] is a list of lists,
            # which NumPy refuses as a float index and PyTorch reads as a tuple of indices)
            empty_as_list = mask.ndim == 1 and draws("empty_list_index")
            forms = masks if mask.size or empty_as_list else [m for m in masks if m != "bool_list"]
            form = c.choice(forms)
            # (a bare list of lists is refused: PyTorch reads it as a tuple of indices, NumPy as a mask)
            bare = c.chance(50) and not (form == "bool_list" and mask.ndim > 1)
            return Index(((form, mask),), bare=bare, mutate=mutate)
        count = c.integer(0, ndim)
        advanced = c.integer(0, count - 1) if count and c.chance(50) else None
        apart = [] if advanced is None else [a for a in range(count) if abs(a - advanced) >= 2 and shape[a]]
        # an int with a slice between it and the advanced item: NumPy moves the picked axes
        # first, PyTorch applies the int first (x[0, :, [1, 2]] is (2, 3) or (3, 2))
        int_apart = c.choice(apart) if apart and c.chance(50) else None
        items: list[Any] = []
        for axis in range(count):
            n = shape[axis]
            if axis == advanced:
                if c.chance(30):
                    forms = masks if n or draws("empty_list_index") else [m for m in masks if m != "bool_list"]
                    items.append((c.choice(forms), rng.random(n) < 0.5))
                else:
                    length = c.integer(1 if n else 0, 4) if n else 0
                    positions = np.array([c.integer(-n, n - 1) for _ in range(length)], dtype=np.int64)
                    forms = ["list", "array", "tensor"] if length or draws("empty_list_index") else ["array"]
                    items.append((c.choice(forms), positions))
            elif axis == int_apart or (n and c.chance(40)):  # (integers are applied first, as in PyTorch)
                items.append(c.integer(-n, n - 1))
            else:
                start = c.choice([None, c.integer(-n, n) if n else 0])
                stop = c.choice([None, c.integer(-n, n) if n else 0])
                items.append(slice(start, stop, c.choice([None, 1, 2])))
        if count < ndim and c.chance(30):
            items.append(Ellipsis)
        for _ in range(c.integer(0, 2) if c.chance(30) else 0):
            items.insert(c.integer(0, len(items)), None)
        if not items:
            items = [Ellipsis]
        has_array = any(isinstance(i, tuple) for i in items)
        return Index(tuple(items), bare=len(items) == 1 and c.chance(50), mutate=mutate and has_array)

    def shaped_step(self, x: int, shape: Shape) -> None:
        c = self.chooser
        ndim = len(shape)
        op = c.choice(sorted(SHAPED))
        if op in ("max", "min", "logsumexp", "var", "std") and 0 in shape:
            op = "sum"  # over no numbers these refuse (max and min as in torch; var, std, logsumexp: ours)
        if op in ("sum", "mean"):
            self.reduction_step(x, op, ndim)
        elif op in ("max", "min", "logsumexp", "var", "std"):
            if ndim == 0:
                axis = c.choice([None, 0, -1, (0,)])  # a 0-d tensor takes axis 0 or -1, as in PyTorch
            elif c.chance(25):
                axis = None
            else:
                axes = _distinct_axes(c, ndim, c.integer(1, ndim))  # negative ones too
                axis = axes[0] if len(axes) == 1 and c.chance(50) else axes
            args: tuple = (axis, c.chance(50))
            if op in ("var", "std"):  # correction c needs c + 1 numbers or more
                reduced = shape if axis is None or not ndim else [shape[a] for a in np.atleast_1d(axis)]
                count = math.prod(reduced)
                args += (c.choice([k for k in (0, 1, 2) if count > k]),
                         c.choice(["unbiased", "unbiased=", "correction"]))
            else:
                args += (c.choice(["axis", "positional"] + (["dim"] if DIM_KEYWORD else [])),)
            self.apply(Step(op, (x,), args))
        elif op in ("softmax", "log_softmax"):
            self.apply(Step(op, (x,), (c.integer(-ndim, ndim - 1) if ndim else 0,)))
        elif op == "clip":
            low, high = c.choice([(-1.0, 1.0), (0.0, None), (None, 0.5), (-0.5, 0.0)])  # exact 0s and 1s on the edges
            form = c.choice(["float", "int", "np.float64", "np.float32", "tensor"])
            make = {"float": float, "int": lambda b: int(b) if b == int(b) else b, "np.float64": np.float64,
                    "np.float32": np.float32, "tensor": lambda b: Tensor(np.array(b, self.dtype))}[form]
            low, high = (None if b is None else make(b) for b in (low, high))
            self.apply(Step(op, (x,), (low, high, c.choice(["clip", "clamp", "keywords"]))))
        elif op == "leaky_relu":
            self.apply(Step(op, (x,), (c.choice([0.01, 0.2, -0.5]),)))
        elif op == "softplus":
            self.apply(Step(op, (x,), c.choice([(1.0, 20.0), (2.0, 1.0), (0.5, 0.25)])))  # past the threshold too
        elif op == "where":
            operands = (x, self.partner(shape)) if c.chance(50) else (self.partner(shape), x)
            condition = None
            if c.chance(50):  # a given condition (broadcasting against both), not a comparison
                rng = np.random.default_rng(c.integer(0, 2**31))
                values = np.asarray(rng.random(_broadcastable_to(c, shape)) < 0.5)
                forms = ["ndarray", "list", "tensor"] if values.size else ["ndarray", "tensor"]  # ([[], []] is (2, 0))
                condition = Condition(c.choice(forms), values, mutate=c.chance(30))
            number = c.choice([None, None, 0.0, -1.5])  # the other branch a Python number
            self.apply(Step(op, operands, (condition, c.choice(["method", "function", "swapped"]), number)))
        elif op == "flatten":
            start = c.integer(0, max(0, ndim - 1))
            self.apply(Step(op, (x,), (start, c.integer(start, max(start, ndim - 1)) - (ndim if c.chance(30) else 0))))
        elif op == "squeeze":
            dim: Any = None if ndim == 0 or c.chance(30) else c.integer(-ndim, ndim - 1)
            if ndim and c.chance(30):
                dim = _distinct_axes(c, ndim, c.integer(1, ndim))
            self.apply(Step(op, (x,), (dim,)))
        elif op == "unsqueeze":
            self.apply(Step(op, (x,), (c.integer(-ndim - 1, ndim),)))
        elif op == "cat" and ndim >= 1:
            axis = c.integer(-ndim, ndim - 1)
            dim = None if axis in (0, -ndim) and c.chance(30) else axis  # None: cat's default, dim 0
            def piece_shape() -> Shape:
                other = list(shape)
                other[axis] = c.integer(1, 3)
                return tuple(other)
            operands = [self.leaf(piece_shape()) for _ in range(c.integer(0, 2))]
            operands.insert(c.integer(0, len(operands)), x)
            piece = None
            if c.chance(25):  # an ndarray or a list among the tensors
                rng = np.random.default_rng(c.integer(0, 2**31))
                piece = Constant("ndarray", rng.uniform(-2, 2, piece_shape()).astype(self.dtype))
            self.apply(Step(op, tuple(operands), (dim, piece, c.choice(["list", "tuple"]), c.chance(50))))
        elif op == "stack":
            same = [i for i, node in enumerate(self.nodes) if node.shape == shape]
            self.apply(Step(op, (x, c.choice(same)), (c.integer(-ndim - 1, ndim),)))
        elif op == "reshape":
            size = math.prod(shape)
            options = [(size,), (1, size), (size, 1), shape + (1,), (1,) + shape, (-1,)]
            if size == 1:
                options.append(())
            if size and ndim >= 2:  # -1 for one axis of several
                options += [(-1,) + shape[1:], shape[:-1] + (-1,), (shape[0], -1)]
            target = c.choice(options)
            self.apply(Step(op, (x,), (target, c.choice(["tuple", "varargs", "view"]))))
        elif op == "transpose" and ndim >= 1:
            self.transpose_step(x, ndim)
        elif op in ("broadcast_to", "user_broadcast", "user_broadcast_unmarked"):
            target = tuple(n if n != 1 else c.integer(1, 3) for n in shape)
            target = tuple(c.integer(1, 2) for _ in range(c.integer(0, max(0, 4 - ndim)))) + target
            if op == "broadcast_to" and ndim and c.chance(25):  # -1: keep that axis's size, as PyTorch
                keep = len(target) - ndim + c.integer(0, ndim - 1)
                target = target[:keep] + (-1,) + target[keep + 1:] if target[keep] == shape[keep - len(target) + ndim] \
                    else target
            self.apply(Step(op, (x,), (target,)))
        elif op == "user_scaled_add":
            operands = (x, self.partner(shape)) if c.chance(50) else (self.partner(shape), x)
            self.apply(Step(op, operands, (c.choice([2.0, -0.5]),)))
        elif op == "in_place":
            how = c.choice(["+=", "-=", "*=", "/=", "**=", "@="])
            if how == "@=" and ndim:
                k = shape[-1]
                self.apply(Step(op, (x, self.leaf((k, k))), (how,)))
                return
            operands = (x, self.partner(shape)) if c.chance(50) else (self.partner(shape), x)
            if how in ("/=", "**=") and (self.has_zero(operands[1]) or self.has_zero(operands[0])):
                how = "*="
            self.apply(Step(op, operands, (how if how != "@=" else "+=",)))
        elif op == "index":
            self.index_step(x, shape)
        elif op == "no_grad":  # a unary step computed under no_grad, or detached: a constant from there
            unary = c.choice(sorted(set(UNARY) - SINGULAR_AT_ZERO))
            self.apply(Step(op, (x,), (unary, c.choice(["no_grad", "detach"]))))
        elif op == "matmul" and ndim >= 1:
            if ndim == 2 and min(shape) > 1 and c.chance(60):  # x stored by columns, as in x.T @ b
                self.apply(Step("transpose", (x,), ((1, 0), "T")))
                x, shape = len(self.nodes) - 1, shape[::-1]
            k = shape[-1]
            if ndim == 1:
                other = c.choice([(k,), (k, c.integer(1, 3)), (c.integer(1, 2), k, c.integer(1, 3))])
            else:
                other = c.choice([(k,), (k, c.integer(1, 3)), shape[:-2] + (k, c.integer(1, 3)),
                                  tuple(c.choice([1, n]) for n in shape[:-2]) + (k, c.integer(1, 3)),  # broadcast
                                  (c.integer(1, 2),) + shape[:-2] + (k, c.integer(1, 3))])  # more batch axes
            if c.chance(25):  # an array or a constant Tensor as the other factor
                rng = np.random.default_rng(c.integer(0, 2**31))
                values = rng.uniform(-2, 2, size=other).astype(self.dtype)  # torch's @ wants one dtype
                form = c.choice(["ndarray", "tensor"])
                mutate = c.chance(30) and draws("mutated_ndarray_operand" if form == "ndarray" else
                                                "mutated_constant_tensor")
                if ndim >= 2 and c.chance(30):  # on the left: an array or Tensor @ the node
                    values = rng.uniform(-2, 2, size=(c.integer(1, 3), shape[-2])).astype(self.dtype)
                    self.apply(Step("const_matmul", (x,), (Constant(form, values, mutate), "left")))
                    return
                self.apply(Step("const_matmul", (x,), (Constant(form, values, mutate), "right")))
                return
            if len(other) == 2 and k > 1 and c.chance(60):  # a matrix stored by columns, as in h @ W.T
                self.apply(Step("transpose", (self.leaf((c.integer(2, 3), k)),), ((1, 0), "T")))
                w = len(self.nodes) - 1
            else:
                w = self.leaf(other)
            self.apply(Step(op, (x, w)))
        elif op == "linear" and ndim >= 1 and (shape[-1] or ndim == 2 or draws("linear_with_no_features")):
            w = self.leaf((c.integer(1, 3), shape[-1]))
            self.apply(Step(op, (x, w)))
        else:
            self.unary_step(x)


def tensor_graph(chooser: Chooser, max_steps: int = 10, dtypes: Sequence[Any] = (np.float64, np.float32)) -> Graph:
    """A random Tensor graph; a float32 one (short: float32 rounding adds up) a quarter
    of the time when ``dtypes`` allows it."""
    dtype = np.float32 if np.float32 in dtypes and (len(dtypes) == 1 or chooser.chance(25)) else np.float64
    builder = Builder(chooser, dtype)
    for _ in range(chooser.integer(1, 3)):
        builder.leaf(_random_shape(chooser))
    steps = chooser.integer(1, max_steps if dtype == np.float64 else min(max_steps, 6))
    if dtype == np.float64 and chooser.chance(10):  # now and then a long chain
        steps = chooser.integer(20, 60)
    for _ in range(steps):
        builder.random_step()
    if chooser.chance(15) and draws("written_view"):
        builder.graph.written_view = (chooser.integer(0, len(builder.graph.steps) - 1),
                                      chooser.choice(sorted(VIEW_FORMS)))
    builder.graph.loss_nodes = _some_nodes(chooser, len(builder.graph.steps))
    builder.graph.twice = chooser.chance(10)
    return builder.graph


def _some_nodes(chooser: Chooser, count: int) -> tuple[int, ...] | None:
    """Now and then a loss of only some nodes: the last, and each other one in three."""
    if not chooser.chance(30):
        return None
    return tuple(k for k in range(count - 1) if chooser.chance(33)) + (count - 1,)


SCALAR_CONSTANT_FORMS = ("float", "int", "np.float64", "np.float32")


def value_graph(chooser: Chooser, max_steps: int = 12) -> Graph:
    graph = Graph()
    values: list[Value] = []
    for _ in range(chooser.integer(1, 3)):
        graph.add_leaf(_leaf_values(chooser, ()))
        values.append(Value(float(graph.leaves[-1])))
    for _ in range(chooser.integer(1, max_steps)):
        count = len(graph.steps)
        kind = chooser.integer(1, 100)
        if kind <= 40:
            op = chooser.choice(sorted(BINARY))
            operands = (chooser.integer(0, count - 1), chooser.integer(0, count - 1))
            if op in ("div", "pow") and values[operands[1 if op == "div" else 0]].data == 0:
                op = "mul"  # see Builder.has_zero
            step = Step(op, operands)
        elif kind <= 60:  # a number on either side: Python's or NumPy's
            op, side = chooser.choice(sorted(CONSTANT_OPS.keys() - {"matmul"})), chooser.choice(["left", "right"])
            operands = (chooser.integer(0, count - 1),)
            if values[operands[0]].data == 0 and (op, side) in (("div", "left"), ("pow", "right")):
                op = "mul"
            number = float(chooser.integer(1, 3)) if chooser.chance(30) else chooser.integer(5, 20) / 10
            form = chooser.choice(SCALAR_CONSTANT_FORMS[1:] if number == int(number) else SCALAR_CONSTANT_FORMS[::2])
            number = -number if op != "pow" and chooser.chance(50) else number
            step = Step("const_" + op, operands, (Constant(form, np.float64(number)), side))
        else:
            op = chooser.choice(sorted(UNARY))
            operands = (chooser.integer(0, count - 1),)
            if op in SINGULAR_AT_ZERO and values[operands[0]].data == 0:
                op = "neg"
            step = Step(op, operands)
        graph.steps.append(step)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            values.append(_operation(step, torch=False)(*(values[i] for i in operands)))
    graph.loss_nodes = _some_nodes(chooser, len(graph.steps))
    return graph


# ---- running and comparing


def _weights(graph: Graph, shapes: list[Shape]) -> list[np.ndarray]:
    rng = np.random.default_rng(len(graph.steps) * 7919 + len(graph.leaves))
    return [rng.uniform(0.5, 1.5, size=shape) for shape in shapes]


def _run(graph: Graph, make_leaf: Callable[[np.ndarray], Any], torch: bool,
         changed: list | None = None) -> tuple[list[Any], list[Any], Any]:
    leaves: list[Any] = []
    nodes: list[Any] = []
    for step in graph.steps:
        if step.op == "leaf":
            leaves.append(make_leaf(graph.leaves[step.args[0]]))
            nodes.append(leaves[-1])
        else:
            nodes.append(_operation(step, torch, changed)(*(nodes[i] for i in step.operands)))
    return leaves, nodes, None


def _weighted_sum(graph: Graph, nodes: list[Any], scalar: bool, to_weight: Callable[[np.ndarray], Any]) -> Any:
    if graph.loss_nodes is not None:
        nodes = [nodes[k] for k in graph.loss_nodes]
    loss = None
    for node, weight in zip(nodes, _weights(graph, [tuple(np.shape(n.data)) for n in nodes])):
        if not scalar:  # weights in the node's own dtype, so a float32 graph stays float32
            weight = np.asarray(weight, dtype=str(node.dtype).replace("torch.", ""))
        term = node * float(weight) if scalar else (node * to_weight(weight)).sum()
        loss = term if loss is None else loss + term
    return loss


def run_ours(graph: Graph, scalar: bool) -> tuple[list[Any], list[Any], float]:
    """Every node's value and every leaf's gradient, from our engine; and the largest
    gradient anywhere in the graph (a leaf's gradient sums terms of up to that size).
    Buffers marked to change are changed between the forward and the backward pass; if
    the backward pass refuses that clearly, the gradients are None."""
    changed: list = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        leaves, nodes, _ = _run(graph, (lambda x: Value(float(x))) if scalar else
                                (lambda x: Tensor(x, requires_grad=True)), torch=False, changed=changed)
        values = [np.array(n.data) for n in nodes]  # copies: a view of a changed buffer must not change them
        loss = _weighted_sum(graph, nodes, scalar, lambda w: w)
        for buffer, kind in changed:
            _change_in_place(buffer, kind)
        if graph.written_view is not None and _write_into_a_view(nodes[graph.written_view[0]], graph.written_view[1]):
            changed.append(graph.written_view)
        try:
            for _ in range((2 if graph.twice else 1) if getattr(loss, "requires_grad", True) else 0):
                loss.backward()  # (a loss of no_grad nodes only has no graph: no gradients, as in torch)
        except RuntimeError as error:
            if changed and any(word in str(error).lower() for word in REFUSAL_WORDS):
                return values, None, 0.0
            raise
    grads = [np.asarray(n.grad, dtype=float) for n in nodes if n.grad is not None]
    largest = max((float(np.max(np.abs(g[np.isfinite(g)]), initial=0.0)) for g in grads), default=0.0)
    return values, [np.zeros(np.shape(x.data), np.result_type(x.data)) if x.grad is None else np.asarray(x.grad)
                    for x in leaves], largest  # (a leaf the loss does not reach has no gradient: zeros, as torch's)


def float64_gradient(graph: Graph) -> str | None:
    """Where autograd.grad gives a node of a float32 graph a float64 gradient, or None:
    plain, and recorded (create_graph, whose rules run on graph nodes and constants).
    (backward() casts a leaf's .grad to its dtype, which hides a rule's float64 mask.)"""
    for create_graph in (False, True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            _, nodes, _ = _run(graph, lambda x: Tensor(x, requires_grad=True), torch=False, changed=[])
            wanted = [(k, n) for k, n in enumerate(nodes) if isinstance(n, Tensor) and n.requires_grad]
            loss = _weighted_sum(graph, nodes, False, lambda w: w)
            if not loss.requires_grad:  # (every node it sums computed under no_grad)
                return None
            grads = autograd.grad([loss], [n for _, n in wanted], allow_unused=True, create_graph=create_graph)
        for (k, node), gradient in zip(wanted, grads):
            dtype = gradient.dtype if isinstance(gradient, Tensor) else np.result_type(gradient)
            if gradient is not None and dtype != node.dtype:
                return (f"node {k} ({node.dtype}) gets a {dtype} gradient from autograd.grad"
                        f"{' with create_graph' if create_graph else ''}")
    return None


def run_torch(graph: Graph, scalar: bool) -> tuple[list[Any], list[Any]]:
    import torch

    dtype = torch.float32 if graph.leaves and graph.leaves[0].dtype == np.float32 else torch.float64
    leaves, nodes, _ = _run(graph, lambda x: torch.tensor(x, dtype=dtype, requires_grad=True), torch=True)
    loss = _weighted_sum(graph, nodes, scalar, torch.from_numpy)
    if loss.requires_grad:
        loss.backward(retain_graph=graph.twice)
        if graph.twice:
            loss.backward()
    grads = [x.grad.numpy() if x.grad is not None else np.zeros(tuple(x.shape), x.detach().numpy().dtype)
             for x in leaves]
    return [n.detach().numpy() for n in nodes], grads


def close(ours: np.ndarray, theirs: np.ndarray, rtol: float = 1e-8, scale: float = 1.0) -> bool:
    """Equal within rtol of the magnitudes involved (the largest in the array, or
    ``scale`` if larger: sums of large terms that cancel keep only their rounding), with
    nan matching nan and inf matching the same inf."""
    if ours.shape != theirs.shape:
        return False
    both_nan = np.isnan(ours) & np.isnan(theirs)
    finite = np.isfinite(ours) & np.isfinite(theirs)
    same_inf = np.isinf(ours) & (ours == theirs)
    if not np.all(both_nan | finite | same_inf):
        return False
    if not np.any(finite):
        return True
    scale = max(1.0, scale, float(np.max(np.abs(np.where(finite, theirs, 0.0)))))
    difference = np.abs(np.where(finite, ours, 0.0) - np.where(finite, theirs, 0.0))
    return bool(np.all(difference <= rtol * scale))


@dataclass
class Tally:
    graphs: int = 0
    operations: int = 0
    values: int = 0
    gradients: int = 0
    dtypes: int = 0
    float32_graphs: int = 0
    mutated_graphs: int = 0
    refused: int = 0
    ill_conditioned: int = 0
    mismatches: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"{self.graphs:,} graphs ({self.float32_graphs:,} float32, {self.mutated_graphs:,} with buffers "
                f"changed before backward, {self.refused:,} of those refused clearly; {self.ill_conditioned:,} "
                f"with gradients not compared, see ILL_CONDITIONED), {self.operations:,} "
                f"operations, {self.values:,} values, {self.dtypes:,} dtypes and {self.gradients:,} gradient "
                f"elements compared; {len(self.mismatches)} mismatches")


FLOAT32_RTOL = 1e-4  # float32 rounding (eps 1.2e-7) carried through a few ops by two different kernels
# sin and cos of a number this large turn one ulp of their input (which two libraries' pow or
# exp may differ by) into a different answer: 1.9e-9 of it at 1e7, percents at 1e12, as in
# d(cos(x**y))/dx at x**y = 5.8e12. Their gradients there measure the libraries, not the rules.
ILL_CONDITIONED = 1e7
ILL_CONDITIONED_FLOAT32 = 1e3  # the same for float32 (an ulp of 1.2e-7 of the input, against FLOAT32_RTOL)
# The std of equal numbers whose mean rounds off (twelve copies of -1.8089...: std 2.2e-16):
# its gradient (x - mean) / (n std) is +-1/n by the sign of that rounding, which two
# libraries' sums may differ in (graph 15342 of --graphs 20000 --seed 6: -0.083 vs +0.083),
# and what follows from it may differ as much (the var 1.2e-32 or 0 of graph 1626 of
# --graphs 3000 --seed 14, and its reciprocal: 8e31 or inf). Neither is compared.
SPREAD_OF_ROUNDING = 1e-12


def compare_with_torch(graph: Graph, scalar: bool, tally: Tally | None = None) -> str | None:
    """None when our engine and PyTorch agree on every value, dtype and gradient; else why not."""
    ours_values, ours_grads, largest_gradient = run_ours(graph, scalar)
    torch_values, torch_grads = run_torch(graph, scalar)
    float32 = bool(graph.leaves) and graph.leaves[0].dtype == np.float32
    rtol = FLOAT32_RTOL if float32 else 1e-8
    if tally is not None:
        tally.graphs += 1
        tally.operations += graph.operations
        tally.values += sum(v.size for v in ours_values)
        tally.dtypes += 0 if scalar else len(ours_values)
        tally.gradients += sum(g.size for g in ours_grads or [])
        tally.float32_graphs += float32
        tally.mutated_graphs += graph.mutates
        tally.refused += ours_grads is None
    if float32 and not scalar and (leak := float64_gradient(graph)):
        return leak
    ill_conditioned = False
    for k, (mine, theirs) in enumerate(zip(ours_values, torch_values)):
        if not scalar and mine.dtype != theirs.dtype:
            return f"node {k} dtype differs: ours {mine.dtype}, torch {theirs.dtype}"
        step = graph.steps[k]
        inputs = max((float(np.max(np.abs(ours_values[i][np.isfinite(ours_values[i])]), initial=0.0))
                      for i in step.operands), default=0.0)
        if not close(mine.astype(float), theirs.astype(float), rtol=rtol, scale=inputs):
            return f"node {k} value differs:\n{_differences(mine, theirs)}"
        ill_conditioned = ill_conditioned or (step.op in ("sin", "cos") and
                                              inputs > (ILL_CONDITIONED_FLOAT32 if float32 else ILL_CONDITIONED))
        if step.op in ("std", "var"):
            spread = np.maximum(mine, theirs).astype(float) ** (0.5 if step.op == "var" else 1.0)
            if np.any((spread > 0) & (spread < SPREAD_OF_ROUNDING * inputs)):
                ill_conditioned = True  # and what is computed from it: 1 / var is 8e31 or inf
                break
    if ill_conditioned and ours_grads:
        if tally is not None:
            tally.ill_conditioned += 1
            tally.gradients -= sum(g.size for g in ours_grads)
        return None
    for k, (mine, theirs) in enumerate(zip(ours_grads or [], torch_grads)):
        if not scalar and mine.dtype != theirs.dtype:
            return f"gradient of leaf {k} dtype differs: ours {mine.dtype}, torch {theirs.dtype}"
        if not close(mine.astype(float), theirs.astype(float), rtol=rtol, scale=largest_gradient):
            return f"gradient of leaf {k} differs:\n{_differences(mine, theirs)}"
    return None


def _differences(ours: np.ndarray, theirs: np.ndarray) -> str:
    if ours.shape != theirs.shape:
        return f"shapes {ours.shape} and {theirs.shape}"
    with np.errstate(invalid="ignore"):
        differ = ~((ours == theirs) | (np.isnan(ours) & np.isnan(theirs)) | np.isclose(ours, theirs, rtol=1e-8))
    rows = [f"  at {tuple(int(i) for i in index)}: ours {ours[tuple(index)]!r}, torch {theirs[tuple(index)]!r}"
            for index in np.argwhere(differ)[:5]] if ours.ndim else [f"  ours {ours!r}, torch {theirs!r}"]
    return "\n".join(rows)


def _float32_constants(graph: Graph) -> bool:
    return any(isinstance(arg, Constant) and np.asarray(arg.values).dtype == np.float32
               for step in graph.steps for arg in step.args)


def second_order_mismatch(graph: Graph, scalar: bool) -> str | None:
    """Second derivatives of a random graph, ours and PyTorch's (float64): the gradient of
    a weighted sum of the first gradients (taken with ``create_graph=True``), or None when
    they agree within 1e-7 of the largest."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        make = (lambda v: Value(float(v))) if scalar else (lambda v: Tensor(v, requires_grad=True))
        leaves, nodes, _ = _run(graph, make, torch=False)
        loss = _weighted_sum(graph, nodes, scalar, lambda w: w)
        if not getattr(loss, "requires_grad", True):  # (a loss of no_grad nodes only: no graph, as in torch)
            return None
        firsts = autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
        second_loss = None
        for k, g in enumerate(firsts):
            if isinstance(g, autograd.Node) and g.requires_grad:
                term = (g * (1.0 + k)) if scalar else (g * (1.0 + k)).sum()
                second_loss = term if second_loss is None else second_loss + term
        ours = [np.zeros(np.shape(x.data)) for x in leaves]
        if second_loss is not None:
            found = autograd.grad(second_loss, leaves, allow_unused=True)
            ours = [np.zeros(np.shape(x.data)) if g is None else np.asarray(g, dtype=float)
                    for x, g in zip(leaves, found)]
    t_leaves, t_nodes, _ = _run(graph, lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True),
                                     torch=True)
    t_loss = _weighted_sum(graph, t_nodes, scalar, torch.from_numpy)
    t_firsts = torch.autograd.grad(t_loss, t_leaves, create_graph=True, allow_unused=True)
    t_second = sum(((g * (1.0 + k)).sum() for k, g in enumerate(t_firsts) if g is not None and g.requires_grad),
                   torch.zeros((), dtype=torch.float64))
    theirs = [np.zeros(tuple(x.shape)) for x in t_leaves]
    if t_second.requires_grad:
        found = torch.autograd.grad(t_second, t_leaves, allow_unused=True)
        theirs = [np.zeros(tuple(x.shape)) if g is None else g.numpy(force=True)  # (force: torch's ZeroTensor)
                  for x, g in zip(t_leaves, found)]
    scale = max([1.0] + [float(np.max(np.abs(o[np.isfinite(o)]), initial=0)) for o in ours])
    for k, (mine, reference) in enumerate(zip(ours, theirs)):
        if not close(mine, reference, rtol=1e-7, scale=scale):
            return f"{graph}\nleaf {k}: ours {mine}, torch {reference}"
    return None


def fingerprints(graphs: int, seed: int) -> list[Any]:
    """For each random graph (``graphs`` Tensor graphs, then as many scalar ones): every
    node's value and every leaf's gradient as (dtype, shape, bytes), or the error raised."""
    return [_fingerprint(graph, scalar) for graph, scalar in _drawn(graphs, seed)]


def _drawn(graphs: int, seed: int) -> list[tuple[Any, bool]]:
    """``graphs`` Tensor graphs, then as many scalar ones (or the error drawing one raised)."""
    drawn: list[tuple[Any, bool]] = []
    for scalar in (False, True):
        rng = random.Random(seed)
        for _ in range(graphs):
            chooser = RandomChooser(rng)
            try:
                drawn.append((value_graph(chooser) if scalar else tensor_graph(chooser), scalar))
            except Exception as error:
                drawn.append((error, scalar))
    return drawn


def _fingerprint(graph: Any, scalar: bool) -> Any:
    if isinstance(graph, Exception):
        return f"raised {type(graph).__name__}: {graph}"
    try:
        values, grads, _ = run_ours(graph, scalar)
    except Exception as error:
        return f"raised {type(error).__name__}: {error}"
    return [_bits(v) for v in values] + (["refused"] if grads is None else [_bits(g) for g in grads])


def compare_threads(graphs: int, seed: int, threads: int = 8) -> list[str]:
    """The graphs of ``fingerprints`` run one by one, then again ``threads`` at a time, each
    in a thread of its own started together, with the interpreter switching threads every
    microsecond: the graphs whose bits differ (a state one thread's pass, ``no_grad()`` or
    in-place write leaves for another's: recording, the running passes, the shared
    constants, the leaves' sums, version counts)."""
    import threading

    drawn = _drawn(graphs, seed)
    interval = sys.getswitchinterval()
    with warnings.catch_warnings():  # (the warnings filters are global: no thread's catch_warnings may race)
        warnings.simplefilter("ignore")
        serial = [_fingerprint(graph, scalar) for graph, scalar in drawn]
        together: list[Any] = [None] * len(drawn)
        sys.setswitchinterval(1e-6)
        try:
            for start in range(0, len(drawn), threads):
                batch = range(start, min(start + threads, len(drawn)))
                barrier = threading.Barrier(len(batch))

                def run(k: int, barrier: threading.Barrier = barrier) -> None:
                    barrier.wait()
                    together[k] = _fingerprint(*drawn[k])
                workers = [threading.Thread(target=run, args=(k,)) for k in batch]
                for worker in workers:
                    worker.start()
                for worker in workers:
                    worker.join()
        finally:
            sys.setswitchinterval(interval)
    return [f"{'scalar' if k >= graphs else 'Tensor'} graph {k % graphs} (seed {seed}): in threads {got!r:.300}, "
            f"one by one {alone!r:.300}" for k, (got, alone) in enumerate(zip(together, serial)) if got != alone]


def _bits(x: Any) -> tuple[str, Shape, bytes]:
    """An array's dtype, shape and bytes, every nan as one: a nan's sign and payload are
    not a number's, and not even CPython keeps them (``a + b`` of two nans gives a's or
    b's, depending on whether the interpreter has specialized that addition yet)."""
    array = np.asarray(x)
    if array.dtype.kind == "f" and np.isnan(array).any():
        array = np.where(np.isnan(array), np.array(np.nan, array.dtype), array)
    return array.dtype.str, array.shape, array.tobytes()


def compare_tricks(graphs: int, seed: int, folder: str) -> list[str]:
    """``fingerprints`` with the speed tricks on and with them off, each in a process of
    its own (the switch is read at import): the graphs whose bits differ."""
    runs = []
    for off in ("", "1"):
        out = os.path.join(folder, f"fingerprints{off or '0'}.pickle")
        subprocess.run([sys.executable, __file__, "--fingerprints", out, "--graphs", str(graphs), "--seed", str(seed)],
                       env=dict(os.environ, AUTOGRAD_NO_SPEED_TRICKS=off), check=True)
        with open(out, "rb") as file:
            runs.append(pickle.load(file))
    return [f"{'scalar' if k >= graphs else 'Tensor'} graph {k % graphs} (seed {seed}): tricks on {on!r:.300}, "
            f"off {off!r:.300}" for k, (on, off) in enumerate(zip(*runs)) if on != off]


def main() -> None:
    parser = argparse.ArgumentParser(description="Long differential fuzzing run against PyTorch.")
    parser.add_argument("--graphs", type=int, default=20_000, help="tensor graphs (and as many scalar ones)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--all-forms", action="store_true",
                        help="also draw the forms held back by known engine bugs")
    parser.add_argument("--tricks", action="store_true",
                        help="compare the engine with its speed tricks on and off, bit for bit, instead")
    parser.add_argument("--second-order", action="store_true",
                        help="compare second derivatives (create_graph=True) with PyTorch's instead")
    parser.add_argument("--threads", action="store_true",
                        help="run the graphs 8 at a time in threads and compare with one by one, bit for bit, instead")
    parser.add_argument("--fingerprints", metavar="FILE", help=argparse.SUPPRESS)  # (one side of --tricks)
    args = parser.parse_args()
    if args.fingerprints:
        with open(args.fingerprints, "wb") as file:
            pickle.dump(fingerprints(args.graphs, args.seed), file)
        return
    if args.second_order:
        started, compared, failures = time.perf_counter(), 0, []
        for graph, scalar in _drawn(args.graphs, args.seed):
            if isinstance(graph, Exception) or graph.mutates or any(np.asarray(v).dtype != np.float64
                                                                    for v in graph.leaves) or _float32_constants(graph):
                # (buffers changed after the forward pass, and float32, are other questions; and PyTorch's
                # second derivative of x ** c with a float32 array c is float32-rounded: 1.7e-7 off its own
                # answer for c in float64, which ours gives for both: --seed 37, 2026-12-08)
                continue
            try:
                mismatch = second_order_mismatch(graph, scalar)
            except Exception as error:  # noqa: BLE001 (each graph's failure is reported, the run goes on)
                mismatch = f"{graph}\nraised {type(error).__name__}: {error}"
            compared += 1
            if mismatch is not None:
                failures.append(mismatch)
        print("\n\n".join(failures[:5]))
        print(f"{compared:,} graphs' second derivatives compared with PyTorch's: {len(failures)} mismatches "
              f"({time.perf_counter() - started:.0f} s)")
        sys.exit(1 if failures else 0)
    if args.threads:
        started = time.perf_counter()
        differ = compare_threads(args.graphs, args.seed)
        print("\n".join(differ))
        print(f"{args.graphs:,} Tensor and {args.graphs:,} scalar graphs, 8 at a time in threads and one by one: "
              f"{len(differ)} differ in a bit ({time.perf_counter() - started:.0f} s)")
        sys.exit(1 if differ else 0)
    if args.tricks:
        import tempfile

        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            differ = compare_tricks(args.graphs, args.seed, folder)
        print("\n".join(differ))
        print(f"{args.graphs:,} Tensor and {args.graphs:,} scalar graphs, speed tricks on and off: "
              f"{len(differ)} differ in a bit ({time.perf_counter() - started:.0f} s)")
        sys.exit(1 if differ else 0)
    try:  # the oracle: without it every graph would "fail" (20,000 times), so say it once
        import torch  # noqa: F401
    except ImportError:
        sys.exit("the fuzzer compares our gradients with PyTorch's, which is not installed here: "
                 "pip install torch==2.13.0 (or make torch), then run it again")
    if args.all_forms:
        HELD_BACK.clear()
    for form in sorted(HELD_BACK):
        print(f"held back (known engine bug, see tests/test_fuzz_regressions.py): {form}: {KNOWN_BUGS[form][1]}")
    started = time.perf_counter()
    failed = False
    for scalar in (False, True):
        tally = Tally()
        rng = random.Random(args.seed)
        for n in range(args.graphs):
            chooser = RandomChooser(rng)
            try:
                graph = value_graph(chooser) if scalar else tensor_graph(chooser)
            except Exception as error:  # our engine refused a form PyTorch accepts
                tally.mismatches.append(f"graph {n}: building it raised {type(error).__name__}: {error}")
                print(tally.mismatches[-1], file=sys.stderr)
                continue
            try:
                problem = compare_with_torch(graph, scalar, tally)
            except Exception as error:
                problem = f"running it raised {type(error).__name__}: {error}"
            if problem:
                tally.mismatches.append(f"graph {n}:\n{graph}\n{problem}")
                print(tally.mismatches[-1], file=sys.stderr)
        kind = "scalar Value" if scalar else "Tensor"
        print(f"{kind} graphs: {tally}  ({time.perf_counter() - started:.0f} s so far)")
        failed = failed or bool(tally.mismatches)
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
