"""``Tensor``: a NumPy array that records the operations applied to it.

The same engine as ``Value`` backpropagates through it, with the same operations (each
gives ``Tensor`` its method). What is particular to arrays:

* Broadcasting. ``(4, 3) + (3,)`` works as in NumPy; the backward pass sums each
  gradient back to its input's shape (``core.sum_to``).
* dtypes. float64 unless float32 data is given; a plain number, a NumPy scalar, an
  integer array or a 0-d float64 array or tensor in an expression takes the other
  operand's dtype, so float32 stays float32 (as in PyTorch; ``promoted``).
* ``data`` is an ndarray (a view whose writes count as changes: ``inplace.py``), except
  that a 0-d result of an operation (a sum, a loss) keeps the NumPy scalar NumPy returned
  (``np.float64``): arithmetic on those is several times faster than on 0-d arrays.
  ``numpy()`` is always an ndarray.
* Names follow PyTorch (``requires_grad``, ``backward``, ``detach``, ``item``,
  ``permute``, ``transpose(dim0, dim1)``) and NumPy where PyTorch has none.
"""

from __future__ import annotations

import numbers
import operator
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from . import ops
from .core import Node, record, recording
from .inplace import Aliases, WatchedArray, leave_aliases, share_count, share_count_with_inputs
from .methods import give_methods
from .numeric import IntegersFirst, flag, normalize_axes, whole_number

__all__ = ["Tensor", "as_tensor"]

FLOAT64, FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)
FLOAT_DTYPES = (FLOAT64, FLOAT32)
# whether a float32 tensor or a mask (a bool tensor) was ever made: until then no operation
# can mix float32 with a 0-d float64 (see ``promoted``) or meet a mask (``masks_as_numbers``),
# and a float64-only program pays nothing for the checks
OTHER_DTYPES_MADE = [False]


def _note_dtype(dtype: Any) -> None:
    """Note the dtype of numbers a tensor now holds: anything but float64 (float32, a mask)
    switches on the checks ``OTHER_DTYPES_MADE`` gates (every way numbers get into a tensor
    calls this: float_array, the data setter's view of another tensor's numbers, unpickling)."""
    if dtype != FLOAT64:
        OTHER_DTYPES_MADE[0] = True


_NOT_COPIED = {"data", "_view", "_aliases", "__weakref__"}  # (Tensor.__getstate__)


class Tensor(Node):
    """An n-dimensional array (float64 by default) with automatic gradients.

    >>> from autograd import Tensor
    >>> W = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x = Tensor([1.0, -1.0])
    >>> loss = (W @ x).sigmoid().sum()
    >>> loss.backward()
    >>> W.grad.shape
    (2, 2)
    """

    __slots__ = ("args", "versions", "_data", "_version", "_aliases", "_view")
    inputs: tuple[Tensor, ...]
    args: tuple  # (per tensor: Node's is a class-wide default)
    versions: tuple[int, ...]  # the inputs' versions when the operation used them
    _data: Any  # the numbers behind ``data``
    _version: int  # how many times ``data`` was assigned or written into
    _aliases: Any  # None, or the tensors sharing this one's memory and count (inplace.Aliases)
    _view: Any  # room for the view ``data`` handed out, kept by fast.py's trick 6 (unset otherwise)

    def __init__(self, data: Any, requires_grad: bool = False, label: str = "", *, dtype: Any = None) -> None:
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, not {type(label).__name__}")
        self._data, self._version, self._aliases = float_array(data, dtype), 0, None
        self.grad, self.label = None, label
        self.op, self.inputs, self.args, self.requires_grad = None, (), (), False
        if flag("requires_grad", requires_grad):
            self.requires_grad_()

    # ---- the numbers, with a version counter (as PyTorch's): assigning ``.data``, and
    # writing into the array it returns (``t.data[0] = 5``, ``t.data += 1``), count as a
    # change, so a backward pass can refuse numbers changed after an operation recorded
    # them (``inplace.py``). The engine reads ``_data``, the plain array.
    @property
    def data(self) -> Any:
        array = self._data
        if array.__class__ is not np.ndarray:  # a NumPy scalar or a number cannot be written into
            return array
        view, reference = array.view(WatchedArray), weakref.ref(self)
        aliases = self._aliases
        if aliases is None:  # (made now, so that the view sees views made of the tensor later: inplace.Aliases)
            with Aliases._lock:
                if (aliases := self._aliases) is None:
                    aliases = self._aliases = Aliases((reference,))
        view._owner, view._aliases = reference, aliases
        return view

    @data.setter
    def data(self, value: Any) -> None:
        current, viewed = self._data, None
        if isinstance(value, Tensor):  # ``a.data = t``: t's numbers, shared as PyTorch shares them, so
            value = value.data  # their count too (through the watched view, below)
        if isinstance(value, WatchedArray):  # plain numbers are stored, never a watched view
            reference = getattr(value, "_owner", None)
            if value.base is current and reference is not None and reference() is self:
                self._version += 1  # ``t.data += 1`` hands back the view ``t.data`` gave: the array stays
                return
            viewed = value._tensor()  # (another tensor's numbers: the two then share a count)
            value = value.view(np.ndarray)
            if value.dtype != FLOAT64:  # (seen in another dtype, t.data.view(np.float32): as float_array notes it)
                if value.dtype not in FLOAT_DTYPES and value.dtype.kind != "b":
                    raise TypeError(f"a Tensor holds float32 or float64 numbers (or a mask) in this machine's byte "
                                    f"order, not {value.dtype.name if value.dtype.isnative else value.dtype.str}: "
                                    "assign a copy, .astype(np.float64)")
                _note_dtype(value.dtype)
        if viewed is None and value is not current:  # a copy, as Tensor() makes (and numbers, lists, ints as
            value = float_array(value)  # it takes them): refilling the caller's buffer after forward changes nothing
        if self.requires_grad and getattr(value, "dtype", FLOAT64).kind != "f":
            raise TypeError(f"a tensor that requires grad holds floating-point numbers, not {value.dtype} "
                            "(PyTorch refuses this too): its gradient would be computed in that dtype")
        leave_aliases(self, value)
        self._data = value
        self._version += 1
        if viewed is not None:
            share_count(self, viewed)

    # ---- copies and pickles: the numbers once (not also through the ``data`` property,
    # whose setter would count the copy's making as a change), no watched view, no aliases;
    # a shallow copy has the same numbers, and so shares their count
    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = {}
        for cls in type(self).__mro__:
            names = cls.__dict__.get("__slots__", ())
            for name in (names,) if isinstance(names, str) else names:
                if name not in _NOT_COPIED and name not in state and hasattr(self, name):  # (set slots only)
                    state[name] = getattr(self, name)
        state.update(getattr(self, "__dict__", {}))  # (a subclass's own attributes, if it has them)
        return state

    def __setstate__(self, state: Any) -> None:
        self._restore(state)
        if self._data.__class__ is np.ndarray:  # its own numbers: pickle's memo hands tensors that shared
            self._data = self._data.copy(order="K")  # memory (t and t.detach()) one array, whose count they no
            # longer share (order "K": a parameter stored by columns stays so)

    def _restore(self, state: Any) -> None:
        for name, value in state.items():
            setattr(self, name, value)
        self._aliases = None
        _note_dtype(np.result_type(self._data))  # (a float32 tensor or a mask, unpickled)

    def __copy__(self) -> Tensor:
        twin = type(self).__new__(type(self))
        twin._restore(self.__getstate__())
        twin.grad = None  # (as PyTorch's copy: a pass through the twin must not add into this one's array)
        if twin._data.__class__ is np.ndarray:
            share_count(twin, self)
        return twin

    @property
    def _version_of_inputs(self) -> tuple[int, ...]:
        return tuple([x._version for x in self.inputs])

    @classmethod
    def apply(cls, op: ops.Op, inputs: tuple, args: tuple = ()) -> Tensor:
        """Compute ``op`` on the inputs' arrays (numbers and arrays become constants) and
        record it in the graph."""
        if args and isinstance(op.forward, np.ufunc):  # (NumPy would read one operand too many as `out=`)
            raise TypeError(f"{op.name}() takes {op.arity} input(s) and no other arguments, got {op.arity + len(args)}")
        like = next(x for x in inputs if isinstance(x, Tensor))
        inputs = tuple(x if isinstance(x, Tensor) else constant(x, like) for x in inputs)
        if OTHER_DTYPES_MADE[0]:
            inputs = masks_as_numbers(op, inputs)
        if len(inputs) > 1:
            inputs = promoted(inputs)
        try:
            data = op.forward(*[x._data for x in inputs], *args)
        except ValueError as error:
            raise ValueError(explain(op, inputs, error, args)) from None
        if data.__class__ is not np.ndarray:
            data = result_number(data, inputs)
        out = Tensor.__new__(Tensor)
        out._data, out._version, out._aliases, out.grad, out.label, out.args = data, 0, None, None, "", ()
        record(out, op, inputs, args)
        out.versions = out._version_of_inputs if out.op is not None else ()
        if data.__class__ is np.ndarray and (data.base is not None or any(data is x._data for x in inputs)):
            share_count_with_inputs(out, inputs)  # a view (reshape, t[0], t.T), or an input's array itself
        return out

    # ---- what the array holds
    # (an array or a NumPy scalar answers these itself; a constant's plain number goes through NumPy)
    @property
    def shape(self) -> tuple[int, ...]:
        return getattr(self._data, "shape", ())

    @property
    def ndim(self) -> int:
        return getattr(self._data, "ndim", 0)

    @property
    def dtype(self) -> np.dtype:
        data = self._data
        return data.dtype if isinstance(data, (np.ndarray, np.generic)) else np.result_type(data)

    def numel(self) -> int:
        """Number of elements."""
        data = self._data
        return data.size if data.__class__ is np.ndarray else int(np.size(data))

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Any:
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def backward(self, gradient: Any = None, retain_graph: bool | None = None,  # type: ignore[override]
                 create_graph: bool = False, *, grad: Any = None, intermediate_grads: bool = True) -> None:
        # (PyTorch's names and order; Node.backward's grad= still works)
        """Backpropagate from this tensor (``Node.backward``), in PyTorch's spelling too:
        ``gradient`` (or ``grad``) for a tensor of more than one number, and
        ``retain_graph``, accepted for PyTorch's code: the graph is always kept, and a
        second ``backward()`` adds to the leaves' ``.grad`` again."""
        if gradient is not None and grad is not None:
            raise TypeError("give gradient= or grad=, not both")
        Node.backward(self, gradient if grad is None else grad, create_graph=create_graph,
                      intermediate_grads=intermediate_grads)

    def __float__(self) -> float:
        if self.requires_grad:
            return Node.__float__(self)  # (which refuses it, saying why)
        return self.item()  # one number, of any shape, as PyTorch's float(t)

    def __int__(self) -> int:
        return int(float(self))  # toward 0, as PyTorch's int(t)

    def item(self) -> float:
        """The single number of a one-element tensor, as a Python float."""
        data = self._data
        if data.__class__ is np.float64 or data.__class__ is np.float32:  # a loss: the usual case
            return float(data)
        try:
            return float(data.item())
        except ValueError:
            raise ValueError(f"item() needs a tensor with exactly one element, this one has shape "
                             f"{self.shape}") from None

    def __bool__(self) -> bool:
        return bool(self.item() != 0.0)

    def numpy(self) -> np.ndarray:
        """The numbers as an ndarray, shared, not copied, as PyTorch's ``numpy()``; a write
        into it is the tensor's, and counted (it is the watched ``t.data``), so a backward
        pass refuses numbers changed after its forward pass used them.

        >>> Tensor([1.0, 2.0]).numpy()
        array([1., 2.])
        """
        return self.data if self._data.__class__ is np.ndarray else np.asarray(self._data)

    def tolist(self) -> Any:
        return np.asarray(self._data).tolist()

    def detach(self) -> Tensor:
        """The same data in a new leaf tensor cut off from the graph (no gradient flows),
        sharing its memory and its version count, as in PyTorch."""
        detached = as_tensor(self._data)
        if detached._data is self._data:  # (a NumPy scalar goes into a new array)
            share_count(detached, self)
        return detached

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` of this leaf in place and return it, as in PyTorch."""
        if self.op is not None:
            raise RuntimeError("requires_grad can only be changed on leaf tensors")
        wanted = flag("requires_grad", requires_grad)
        if wanted and np.result_type(self._data).kind == "b":
            raise TypeError("a bool tensor cannot require grad: only float tensors have gradients")
        self.requires_grad = wanted
        return self

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """``np.asarray(t)``: the numbers of a tensor that needs no gradient (PyTorch
        refuses the others, since NumPy would cut them out of the graph), read-only where
        they are shared: NumPy makes a plain array of whatever this returns, so a write
        into it could not be counted (write through ``t.data`` or ``t.numpy()``). A copy
        (``np.array(t)``) is the caller's own."""
        if self.requires_grad:
            raise TypeError("this tensor requires grad: NumPy would cut it out of the graph; use "
                            "t.detach().numpy() (or t.numpy()) for its numbers")
        numbers = np.array(self._data, dtype=dtype, copy=copy)  # (copy=False: a copy needed is an error)
        if numbers is self._data:  # (shared: seen, but not written, through this one)
            numbers = numbers.view()
            numbers.flags.writeable = False
        return numbers

    # ---- comparisons (methods.ComparesNumbers): a mask of the numbers, in the dtype arithmetic would use
    def _compared(self, other: Any) -> tuple[Any, Any]:
        return _compared(self, other)

    # ---- t += x, -=, *=, /=, **=: the tensor itself changes, as in PyTorch (t @= m is t = t @ m, as there)
    def _update_in_place(self, other: Any, operation: Any) -> Tensor:
        """An update (under no_grad, or where nothing needs a gradient) writes the result
        into t's numbers, so every name and view of t sees it, and counts the write. While
        gradients are recorded, t += x is an operation: the name gets its result (a leaf
        that requires grad is refused, as in PyTorch; so is a tensor sharing its memory,
        whose other tensors would not get the new history)."""
        recorded = recording.enabled and (self.requires_grad or getattr(other, "requires_grad", False))
        if recorded and self.op is None and self.requires_grad:
            raise RuntimeError("a leaf tensor that requires grad cannot be changed in place while gradients are "
                               "recorded (PyTorch refuses it too): update it under `with autograd.no_grad():`")
        if recorded and self._aliases is not None and len(self._aliases.current().tensors()) > 1:
            raise RuntimeError("this tensor shares its memory with others (a view, or a tensor with views): "
                               "changing it in place while gradients are recorded is not supported; "
                               "write t = t + x (a new tensor)")
        if recorded:
            result = operation(self, other)
        else:
            from .modes import no_grad

            with no_grad():
                result = operation(self, other)
        if result.shape != self.shape:
            raise RuntimeError(f"an in-place result of shape {result.shape} does not fit in a tensor of shape "
                               f"{self.shape} (broadcasting may not grow the tensor changed in place)")
        if result.dtype != self.dtype:  # float32 stays float32, as PyTorch's in-place operations keep it
            from .more_ops import TO_DTYPE

            result = TO_DTYPE(result, self.dtype) if recorded else result._data.astype(self.dtype)
        if recorded:
            return result
        numbers = result._data if isinstance(result, Tensor) else result
        if self._data.__class__ is np.ndarray:
            self.data[...] = numbers  # (through the watched view: a counted write)
        else:
            self.data = numbers  # a NumPy scalar (a 0-d result) cannot be written into: replaced, counted
        return self

    # ---- shapes, in PyTorch's spelling, built on the ops' permute
    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two axes, as PyTorch's ``transpose`` (``permute`` reorders them all)."""
        first, second = (normalize_axes(whole_number(d, "a dim"), self.ndim)[0] for d in (dim0, dim1))
        order = list(range(self.ndim))
        if order:  # (a 0-d tensor takes dims 0 and -1, as in PyTorch, and stays as it is)
            order[first], order[second] = order[second], order[first]
        return self.permute(*order)

    swapaxes = transpose

    @property
    def T(self) -> Tensor:
        """The axes reversed (the transpose, for a matrix)."""
        return self.permute(*reversed(range(self.ndim)))

    # ---- what the engine asks of a node type
    def accumulate_grad(self, grad: Any) -> None:
        """Add one backward pass's gradient to this leaf's ``.grad`` (in its dtype)."""
        if grad.__class__ is not np.ndarray:
            if isinstance(grad, Node):  # create_graph: the gradient stays a graph node
                self.grad = grad if self.grad is None else self.grad + grad
                return
            grad = np.asarray(grad)
        if grad.dtype != self._data.dtype:
            grad = grad.astype(self._data.dtype)
        current = self.grad
        if current is None:
            self.grad = grad if grad.base is None and grad.flags.writeable else grad.copy()  # its own array
        elif isinstance(current, Node):  # a graph from backward(create_graph=True): keep its numbers
            self.grad = np.asarray(current._data) + grad
        elif np.shape(current) != grad.shape:  # (data given a new shape, or .grad assigned one): no broadcasting
            raise ValueError(f"this tensor's .grad has shape {np.shape(current)}, but the gradient to add to it has "
                             f"shape {grad.shape} (the tensor's own): zero_grad() first, or assign .grad its shape")
        elif current.flags.writeable:
            self.grad += grad  # accumulate in place, as PyTorch does
        else:
            self.grad = current + grad

    def __repr__(self) -> str:
        body = np.array2string(np.asarray(self._data), separator=", ", prefix="Tensor(")
        extras = [f"shape={self.shape}"] if np.size(self._data) == 0 and np.ndim(self._data) > 1 else []  # (as NumPy)
        extras += [] if self.dtype == np.float64 else [f"dtype={self.dtype}"]
        extras += ["requires_grad=True"] if self.requires_grad else []
        extras += [f"label={self.label!r}"] if self.label else []
        return "Tensor(" + ", ".join([body] + extras) + ")"

    if TYPE_CHECKING:  # the array operations give_methods() attaches, as type checkers see them (those
        # of Value too are declared in methods.ComparesNumbers); each returns a Tensor.
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def sum(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                keepdim: bool | None = None) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                 keepdim: bool | None = None) -> Tensor: ...
        def max(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                keepdim: bool | None = None) -> Tensor: ...
        def min(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                keepdim: bool | None = None) -> Tensor: ...
        def logsumexp(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
                      keepdim: bool | None = None) -> Tensor: ...
        def var(self, axis: Any = None, unbiased: bool | None = None, keepdims: bool = False, *,
                correction: float | None = None, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def std(self, axis: Any = None, unbiased: bool | None = None, keepdims: bool = False, *,
                correction: float | None = None, dim: Any = None, keepdim: bool | None = None) -> Tensor: ...
        def softmax(self, axis: int | None = None, *, dim: int | None = None) -> Tensor: ...
        def log_softmax(self, axis: int | None = None, *, dim: int | None = None) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...  # t.reshape(2, 3) or t.reshape((2, 3))
        def view(self, *shape: Any) -> Tensor: ...  # (toolbox_ops: PyTorch's name for reshape)
        def permute(self, *axes: Any) -> Tensor: ...
        def broadcast_to(self, *shape: Any) -> Tensor: ...
        def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: ...
        def squeeze(self, dim: Any = None, *, axis: Any = None) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def linear(self, other: Any) -> Tensor: ...  # x @ weight.T
        def clip(self, min: float | None = None, max: float | None = None) -> Tensor: ...
        def clamp(self, min: float | None = None, max: float | None = None) -> Tensor: ...  # (toolbox_ops)
        def leaky_relu(self, negative_slope: float = 0.01) -> Tensor: ...
        def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor: ...
        def where(self, condition: Any, other: Any) -> Tensor: ...  # (toolbox_ops: self where condition, else other)


# --------------------------------------------------------------------------- making tensors


def as_tensor(data: Any, dtype: Any = None) -> Tensor:
    """``data`` as a Tensor that needs no gradient, sharing memory with it when it is
    already a float32/float64 ndarray (PyTorch's ``as_tensor``; ``Tensor(data)`` copies).

    >>> import numpy as np
    >>> x = np.ones(3)
    >>> np.shares_memory(as_tensor(x).numpy(), x)
    True
    """
    if isinstance(data, Tensor) and (dtype is None or _tensor_dtype(dtype) == data.dtype):
        return data
    tensor = Tensor.__new__(Tensor)
    tensor._data, tensor._version, tensor._aliases = float_array(data, dtype, copy=False), 0, None
    tensor.grad, tensor.label = None, ""
    tensor.op, tensor.inputs, tensor.args, tensor.requires_grad = None, (), (), False
    if (isinstance(data, WatchedArray) and (viewed := data._tensor()) is not None  # as_tensor(t.data), not
            and np.may_share_memory(tensor._data, viewed._data)):  # converted to another dtype (a copy)
        share_count(tensor, viewed)
    return tensor


def _tensor_dtype(dtype: Any) -> np.dtype:
    """A ``dtype=`` argument as the NumPy dtype it names: float32 or float64, else a clear error."""
    try:
        wanted = np.dtype(dtype)
    except TypeError:  # (NumPy's words: "Cannot interpret 'torch.float32' as a data type")
        wanted = None
    if wanted is None or wanted not in FLOAT_DTYPES:  # (not `in` alone: np.dtype("float64") == None is True)
        raise TypeError(f"Tensor dtype must be float32 or float64 (np.float32, np.float64, 'float32'), "
                        f"not {wanted if wanted is not None else repr(dtype)}")
    return wanted


def float_array(data: Any, dtype: Any = None, *, copy: bool = True) -> np.ndarray:
    """Tensor data: a float ndarray (a fresh one unless ``copy`` is False), or a clear error."""
    if data.__class__ is np.ndarray and dtype is None and data.dtype is FLOAT64:  # the usual case, checked first
        return np.array(data) if copy else data
    if isinstance(data, Tensor):
        data = data._data
    elif isinstance(data, Node):
        raise TypeError(f"Tensor data cannot be a {type(data).__name__}: Value and Tensor cannot be "
                        "combined; use its .data")
    try:
        array = np.array(data) if copy else np.asarray(data)
    except ValueError as error:
        raise ValueError(f"Tensor data must be a rectangular array of numbers: {error}") from None
    kind = array.dtype.kind
    if kind == "O" and array.size and all(type(x) is int for x in array.flat):  # (ints past int64: 2**70)
        try:
            array, kind = array.astype(FLOAT64), "f"
        except OverflowError:
            raise ValueError("Tensor data has an integer too large for float64 (above 1.8e308)") from None
    if kind not in "biuf":
        found = "complex numbers" if kind == "c" else f"{type(data).__name__} of dtype {array.dtype}"
        if kind == "O":
            found = f"objects of type {', '.join(sorted({type(x).__name__ for x in array.flat}))}"
        raise TypeError(f"Tensor data must be real numbers, got {found}")
    if dtype is not None:
        wanted = _tensor_dtype(dtype)
    elif kind == "b":
        _note_dtype(array.dtype)
        return array  # a mask, as in PyTorch (it cannot require grad; see masks_as_numbers)
    else:
        native = array.dtype.newbyteorder("=")  # ('>f4' is float32 too: astype gives it the machine's byte order)
        wanted = native if native in FLOAT_DTYPES else FLOAT32 if native == np.float16 else FLOAT64
        # (float16, which a Tensor cannot hold, as float32: exact, and PyTorch's float32 * float16 is float32)
    _note_dtype(wanted)
    return array.astype(wanted, copy=False)


def _as_float32_if_it_fits(data: np.ndarray) -> np.ndarray:
    """A list's numbers for a float32 operation: float32, as PyTorch makes ``torch.tensor([...])``,
    unless one of them is too large for float32 (then float64, and the result with it: an
    overflow to inf would be a silently wrong number)."""
    with np.errstate(over="ignore"):  # (the overflow is found below, not warned of)
        narrowed = data.astype(FLOAT32)
    return narrowed if np.array_equal(np.isinf(narrowed), np.isinf(data)) else data


PLAIN_NUMBERS = (float, int)  # a constant's numbers, when a plain number was given (see constant)


def result_number(data: Any, inputs: tuple) -> Any:
    """An operation's result that is not an array. From constants that are all plain
    numbers, a plain number, as they are: a rule's step on a constant base or exponent
    (``log(2.0)``, ``b - 1``) in a recorded pass then meets a float32 tensor as a number
    does, not as a float64 array would (PyTorch's wrapped numbers). A NumPy scalar
    otherwise stays one; anything else becomes an array."""
    if all(x is None or x._data.__class__ in PLAIN_NUMBERS for x in inputs):
        if data.__class__ in PLAIN_NUMBERS:
            return data
        if data.__class__ is np.float64 or data.__class__ is np.int64:
            return data.item()
    return data if isinstance(data, np.generic) else np.asarray(data)


def constant(x: Any, like: Tensor | None) -> Tensor:
    """The other operand of an operation with ``like``, as a Tensor that needs no gradient.
    A plain number stays a number, so NumPy gives the result ``like``'s dtype."""
    data: Any
    if x.__class__ is np.ndarray and x.dtype.kind == "f":  # the usual case, checked first
        data = float_array(x)  # a copy: refilling the caller's buffer must not change the graph
    elif isinstance(x, Node):
        raise TypeError(f"cannot combine a Tensor with a {type(x).__name__} in one operation; "
                        "use Tensor(value.data) to make it a tensor")
    elif isinstance(x, (np.ndarray, np.bool_)) and x.dtype.kind in "biu":  # (before the slower test of an ABC)
        data = np.array(x, dtype=like.dtype if like is not None else np.float64)
    elif (isinstance(x, (numbers.Real, np.floating))  # (NumPy's stubs leave numbers.Real out of what np.ndim takes)
            and np.ndim(x) == 0 and not isinstance(x, np.ndarray)):  # type: ignore[arg-type]
        data = x if x.__class__ is float or x.__class__ is int else float(x)  # NumPy scalars as numbers,
        # so float32 stays float32 (as in PyTorch)
    else:
        try:
            data = float_array(x)  # a copy: refilling the caller's buffer must not change the graph
        except TypeError as error:
            raise TypeError(f"unsupported operand for Tensor: {type(x).__name__} ({error})") from None
        # (float32 arrays with float64, or a 0-d float64 array with float32: see promoted)
        if isinstance(x, (list, tuple)) and like is not None and like.dtype == FLOAT32 and data.dtype == FLOAT64:
            data = _as_float32_if_it_fits(data)  # numbers in a list, as plain numbers, keep float32 float32
    tensor = Tensor.__new__(Tensor)
    tensor._data, tensor._version, tensor._aliases, tensor.grad, tensor.label = data, 0, None, None, ""
    tensor.op, tensor.inputs, tensor.args, tensor.requires_grad = None, (), (), False
    return tensor


# Operations that compute with a mask (a bool tensor) as NumPy and PyTorch do: logical + and *,
# the larger or the smaller, selection, shape changes, joining, counting.
KEEPS_MASKS = frozenset({"+", "*", "maximum", "minimum", "max", "min", "where", "[]", "reshape", "permute",
                         "broadcast_to", "flatten", "squeeze", "unsqueeze", "cat", "sum"})


def masks_as_numbers(op: ops.Op, inputs: tuple) -> tuple:
    """The inputs of ``op``, with a mask read as 1.0 and 0.0 unless ``op`` keeps masks, as
    PyTorch promotes a bool tensor to a float dtype: the other inputs' (float32 if all theirs
    are), else float64, ours by default. NumPy would take a mask's exp in float16 (tanh(True)
    = 0.76171875), its matrix product as a logical one, and its variance cast back to bool.

    >>> import numpy as np
    >>> Tensor(np.array([True, False])).var().item()  # (NumPy: True)
    0.5
    """
    if op.name in KEEPS_MASKS:
        return inputs
    dtypes = _dtypes(inputs)
    if not any(dtype is not None and dtype.kind == "b" for dtype in dtypes):
        return inputs
    floats = {dtype for dtype in dtypes if dtype is not None and dtype.kind == "f"}
    wanted = FLOAT32 if floats == {FLOAT32} else FLOAT64
    return tuple(constant(x._data.astype(wanted), None) if dtype is not None and dtype.kind == "b" else x
                 for x, dtype in zip(inputs, dtypes))


def promoted(inputs: tuple) -> tuple:
    """The inputs of an operation mixing float32 and float64, cast to one dtype as PyTorch
    does. Its rule differs from NumPy's where a 0-d tensor meets a dimensioned one: the 0-d
    one does not raise the dtype (float32 * Tensor(2.0) is float32; NumPy says float64).
    And PyTorch casts before the operation, so a float32 base in a float64 power has its
    log taken in float64. The casts are recorded operations: the rules see the numbers the
    forward pass used, and each input's gradient comes back in its own dtype."""
    if not OTHER_DTYPES_MADE[0]:
        return inputs
    dtypes = _dtypes(inputs)
    wanted = _promoted_dtype(inputs, dtypes)
    if wanted is None:
        return inputs
    from .more_ops import TO_DTYPE

    return tuple(TO_DTYPE(x, wanted) if dtype is not None and dtype != wanted and dtype.kind in "iuf" else x
                 for x, dtype in zip(inputs, dtypes))


def _dtypes(inputs: tuple) -> list[Any]:
    return [x._data.dtype if isinstance(x._data, (np.ndarray, np.generic)) else None for x in inputs]


def _promoted_dtype(inputs: tuple, dtypes: list[Any]) -> Any:
    """The dtype PyTorch computes ``inputs`` in, where some must be cast to it; else None."""
    floats = {dtype for dtype in dtypes if dtype is not None and dtype in FLOAT_DTYPES}
    integers = any(dtype is not None and dtype.kind in "iu" for dtype in dtypes)  # (a 2 - 1 computed on nodes)
    if not floats or (len(floats) == 1 and not integers):
        return None  # one float dtype (plain numbers take it): nothing to cast
    dimensioned = {dtype for x, dtype in zip(inputs, dtypes) if dtype in floats and np.ndim(x._data)}
    return FLOAT32 if dimensioned == {FLOAT32} or floats == {FLOAT32} else FLOAT64


def _compared(a: Tensor, other: Any) -> tuple[Any, Any]:
    """The numbers of ``a`` and ``other`` to compare: the other operand as arithmetic takes
    it, both in the dtype arithmetic would compute in (float32 == np.float64(0.1) compares
    in float32, as PyTorch does; NumPy alone would compare in float64)."""
    try:  # (a float array as it is: constant() would copy it, to protect a graph a comparison does not make)
        b = other if isinstance(other, Tensor) else as_tensor(other) if (
            other.__class__ is np.ndarray and other.dtype.kind == "f") else constant(other, a)
    except TypeError:  # (None, a string, ...: as NumPy compares them)
        return a._data, getattr(other, "_data", other)
    dtypes = _dtypes((a, b))
    wanted = _promoted_dtype((a, b), dtypes) if OTHER_DTYPES_MADE[0] else None
    if wanted is None:
        return a._data, b._data
    return tuple(x._data.astype(wanted) if dtype is not None and dtype != wanted else x._data
                 for x, dtype in zip((a, b), dtypes))


def normalize_index(index: Any) -> Any:
    """An index NumPy understands: Tensors become their data, lists become arrays; one that
    mixes integers with index arrays becomes an ``IntegersFirst``, to be read as PyTorch does."""
    if not isinstance(index, tuple):
        if isinstance(index, list) and any(isinstance(i, (list, tuple, np.ndarray, Tensor, slice)) or i is None
                                           or i is Ellipsis for i in index):
            raise IndexError("x[[...]] with sequences or slices in the list is read as a tuple of indices by "
                             "PyTorch (which will change that) and as one index array by NumPy; write "
                             "x[tuple(seq)] for the first, or x[np.array(seq)] for the second")
        return _index_item(index)
    items = tuple(_index_item(i) for i in index)
    return IntegersFirst.split(items) or items


def _index_item(item: Any) -> Any:
    if isinstance(item, np.ndarray):
        return item.copy()  # refilling the caller's index array must not change the graph
    if isinstance(item, Tensor):
        item = np.array(item._data)
        if item.dtype.kind == "f":
            if not np.all(item == np.round(item)):
                raise IndexError("a Tensor used as an index must hold whole numbers")
            item = item.astype(np.intp)
        return item
    if isinstance(item, list):
        return np.asarray(item, dtype=np.intp) if not item else np.asarray(item)  # [] picks no positions
    return item


# --------------------------------------------------------------------------- errors that say why


def explain(op: ops.Op, inputs: tuple, error: Exception, args: tuple = ()) -> str:
    """NumPy refused an operation: say why, in terms of the operands' shapes."""
    shapes = [x.shape for x in inputs]
    if op.name == "where" and args:  # (the condition is an argument, and may be the one that does not fit)
        return (f"where: cannot broadcast the condition of shape {np.shape(args[0])} with the branches of "
                f"shapes {shapes[0]} and {shapes[1]}")
    if op.name == "matmul":
        a, b = shapes
        if not a or not b:
            return (f"matmul needs tensors with at least one axis, got shapes {a} and {b} "
                    "(use * to multiply by a scalar)")
        inner_b = b[0] if len(b) == 1 else b[-2]
        if a[-1] != inner_b:
            which = "only" if len(b) == 1 else "second-to-last"
            return (f"matmul shapes {a} and {b} do not fit: the last axis of the left ({a[-1]}) must equal the "
                    f"{which} axis of the right ({inner_b})")
        return (f"matmul shapes {a} and {b} do not fit: their batch axes {a[:-2]} and {b[:-2]} cannot be "
                "broadcast together")
    if op.name == "linear":
        return (f"linear needs a weight of shape (out, in) whose in matches the input's last axis; "
                f"got input {shapes[0]} and weight {shapes[1]}")
    if op.broadcasts and len(shapes) == 2:
        return f"cannot broadcast shapes {shapes[0]} and {shapes[1]} together for '{op.name}'"
    return f"{op.name} of a tensor of shape {shapes[0]}: {error}"


give_methods(Tensor, scalar_only=False)  # t + u, t @ W, t.sum(axis=0), ... from the op table


def _in_place_operator(operation: Any) -> Any:
    def update(self: Tensor, other: Any) -> Tensor:
        return self._update_in_place(other, operation)
    return update


# (no @=: PyTorch has no in-place matrix product, so `t @= m` is `t = t @ m` there, and here)
for _name, _operation in (("__iadd__", operator.add), ("__isub__", operator.sub), ("__imul__", operator.mul),
                          ("__itruediv__", operator.truediv), ("__ipow__", operator.pow)):  # Tensor._update_in_place
    setattr(Tensor, _name, _in_place_operator(_operation))
