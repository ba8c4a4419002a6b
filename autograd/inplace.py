"""Writing into ``t.data`` counts as a change of ``t``.

A backward pass uses the numbers its operations recorded in the forward pass; if they
changed in between, the gradient would silently mix old and new numbers. So each Tensor
has a version counter (``_version``, as in PyTorch), every operation records its inputs'
versions, and the backward pass refuses an operation whose input has moved on
(``modes.refuse_changed_inputs``). Assigning ``t.data = ...`` moves it (the setter); so
does writing *into* the array, because ``t.data`` is a ``WatchedArray``: a view of the
tensor's numbers that is an ndarray in every way, except that it tells its tensor before
each write (``t.data[0] = 5``, ``t.data += 1``, ``np.add(a, 1, out=t.data)``,
``np.dot(a, b, t.data)``, ``t.data.fill(0)``, ``np.copyto(t.data, b)``,
``u.data.take(i, out=t.data)``, through any view
of it, at any later time). ``t.numpy()`` is that view too; ``np.asarray(t)`` is read-only.

Reading costs nothing extra and never counts: printing, ``t.data.copy()``, ``t.data.sum()``,
``np.asarray(t.data)``. What you compute from it, and every copy, is a plain ndarray. The
engine itself reads the unwatched array, ``t._data``.

Tensors that share memory share the count (PyTorch's views share their base's counter):
an operation whose result is a view of its input's numbers (``reshape``, ``t[0]``,
``t.T``, ``squeeze``, ...), ``t.detach()`` and ``as_tensor(t.data)`` put the new tensor in
the old one's ``Aliases``, and a write into any of them moves the version of all of them
(``count_write``). So a write into ``e[:2].data`` after a forward pass that used ``e`` is
refused as a write into ``e.data`` is. Assigning a new array (``t.data = a``)
takes a tensor out of its aliases.

Not seen: writes through a plain ndarray that shares the memory (``np.asarray(t.data)``,
``t.data.view(np.ndarray)``, ``as_strided``, the array given to ``as_tensor``; NumPy turns
a subclass into a plain view without asking it), through another array's method
(``a.dot(b, out=t.data)`` with ``a`` a plain array) or an ndarray method called on the class
(``np.ndarray.fill(t.data, 0)``), through a memoryview or ctypes, by C code that writes
without asking NumPy (``rng.random(out=t.data)``, ``rng.shuffle``), and by two
tensors made of one plain array (``as_tensor(a)`` twice: each has its own counter, as in
PyTorch; ``copy.copy(t)`` shares ``t``'s).
"""

from __future__ import annotations

import functools
import inspect
import threading
import weakref
from typing import Any

import numpy as np

__all__ = ["Aliases", "WatchedArray", "count_write", "share_count", "share_count_with_inputs"]

_may_share_memory = np.may_share_memory._implementation  # type: ignore[attr-defined]  # (no dispatch to us)
# NumPy functions that write into their first argument
_WRITE_INTO_FIRST = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal, np.put_along_axis}


@functools.cache
def _positional_names(func: Any) -> tuple[str, ...]:
    """The names of the parameters a NumPy function takes by position (``np.dot``: a, b,
    out), read from its signature once; none if it has no signature to read."""
    try:
        parameters = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):
        return ()
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = []
    for parameter in parameters:
        if parameter.kind not in positional:
            break  # (*operands, or keyword-only from here on)
        names.append(parameter.name)
    return tuple(names)


def _argument(func: Any, args: Any, kwargs: Any, name: str) -> Any:
    """The argument a call ``func(*args, **kwargs)`` gives the parameter ``name``, by
    position or by name (``np.dot(a, b, t.data)``, ``np.copyto(src=b, dst=t.data)``)."""
    names = _positional_names(func)
    if name in names and names.index(name) < len(args):
        return args[names.index(name)]
    return kwargs.get(name)


class WatchedArray(np.ndarray):
    """A view of a Tensor's numbers (``t.data``) that counts each write into it as a change
    of the tensor, so a backward pass can refuse numbers changed after the forward pass.

    >>> from autograd import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> x.data[0] = 5.0            # after the forward pass, before the backward pass
    >>> y.backward()
    Traceback (most recent call last):
    RuntimeError: input 0 (of shape (2,)) of '*' was changed after the forward pass used it ...
    """

    __slots__ = ("_owner", "_aliases")
    # A weak reference to the tensor, set by ``t.data`` on the view it hands out (weak, so
    # that a tensor keeping its view, as fast.py's does, makes no reference cycle); unset
    # on views of that view. And the tensor's ``_aliases``, which outlive it: a write into
    # ``e[:1].data`` comes after the temporary ``e[:1]`` is gone, and is still ``e``'s.
    _owner: Any
    _aliases: Any

    # No __array_finalize__: NumPy would call it for every view made, in Python (the view
    # ``t.data`` makes: 4,700 instructions with it, 1,400 without). A view of the view finds the
    # tensor instead when it is written into: its ``base`` is the view ``t.data`` gave
    # (NumPy stops collapsing a chain of bases where the type changes), and a new array
    # made from the numbers (a copy, fancy indexing, astype) has no such base.
    def _tensor(self) -> Any:
        """A tensor whose numbers this array is a view of, or None."""
        array: Any = self
        while array.__class__ is WatchedArray:
            reference = getattr(array, "_owner", None)
            if reference is not None:
                owner = reference()
                if owner is not None and (self.base is (numbers := owner._data) or _may_share_memory(self, numbers)):
                    return owner
                # gone, or given other numbers since: a tensor that shared its memory may still
                aliases = getattr(array, "_aliases", None)
                return next((tensor for tensor in aliases.current().tensors()
                             if _may_share_memory(self, tensor._data)), None) if aliases is not None else None
            array = array.base
        return None

    def _changing(self) -> None:
        owner = self._tensor()
        if owner is not None:
            count_write(owner)

    # ---- computing with it: plain ndarrays in, plain results out
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, out: Any = None, **kwargs: Any) -> Any:
        if method == "at" and isinstance(inputs[0], WatchedArray):  # np.add.at(t.data, index, 1)
            inputs[0]._changing()
        plain = [x.view(np.ndarray) if isinstance(x, WatchedArray) else x for x in inputs]
        if "where" in kwargs:
            kwargs["where"] = _plain(kwargs["where"])
        if out is None:
            return getattr(ufunc, method)(*plain, **kwargs)
        for array in out:  # np.add(a, b, out=t.data), t.data += 1, t.data @= w
            if isinstance(array, WatchedArray):
                array._changing()
        kwargs["out"] = tuple([x.view(np.ndarray) if isinstance(x, WatchedArray) else x for x in out])
        result = getattr(ufunc, method)(*plain, **kwargs)
        if len(out) == 1:
            return out[0] if out[0] is not None else result  # the array written, as given
        return tuple([got if given is None else given for given, got in zip(out, result)])

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if func in _WRITE_INTO_FIRST:
            names = _positional_names(func)
            target = args[0] if args else kwargs.get(names[0]) if names else None
            if isinstance(target, WatchedArray):
                target._changing()
        out = _argument(func, args, kwargs, "out")
        for array in out if isinstance(out, tuple) else (out,):
            if isinstance(array, WatchedArray):
                array._changing()
        return _unowned_plain(func._implementation(*args, **kwargs))

    # ---- the writing methods (``__setitem__``, ``fill``, ``sort``, ...: see ``_counted`` below)
    def byteswap(self, inplace: bool = False) -> Any:
        if inplace:
            self._changing()
        return _unowned_plain(np.ndarray.byteswap(self, inplace))

    @property
    def flat(self) -> _WatchedFlat:  # type: ignore[override]
        return _WatchedFlat(self)

    # ---- reading: a new array made from it is a plain ndarray
    def __getitem__(self, index: Any) -> Any:
        return _unowned_plain(np.ndarray.__getitem__(self, _plain(index)))

    def copy(self, order: Any = "C") -> np.ndarray:
        return np.ndarray.copy(_plain(self), order)

    def astype(self, *args: Any, **kwargs: Any) -> Any:
        return _unowned_plain(np.ndarray.astype(self, *args, **kwargs))  # (copy=False may give itself)

    def flatten(self, order: Any = "C") -> np.ndarray:
        return np.ndarray.flatten(_plain(self), order)

    def __copy__(self) -> np.ndarray:
        return np.ndarray.copy(_plain(self))

    def __deepcopy__(self, memo: Any) -> np.ndarray:
        return np.ndarray.copy(_plain(self))

    def __reduce__(self) -> Any:  # pickles as a plain ndarray
        return _plain(self).__reduce__()

    def __reduce_ex__(self, protocol: Any) -> Any:
        return _plain(self).__reduce_ex__(protocol)

    def __repr__(self) -> str:
        return repr(_plain(self))

    def __str__(self) -> str:
        return str(_plain(self))


def _counted(write: Any) -> Any:
    def counted_write(self: WatchedArray, *args: Any, **kwargs: Any) -> Any:
        self._changing()
        return write(self, *args, **kwargs)
    return counted_write


for _name in ("__setitem__", "fill", "sort", "partition", "put", "setfield"):  # the ndarray methods that write
    setattr(WatchedArray, _name, _counted(getattr(np.ndarray, _name)))


def _counted_out(method: Any) -> Any:
    def writes_into_out(self: WatchedArray, *args: Any, **kwargs: Any) -> Any:
        out = _argument(method, (self, *args), kwargs, "out")
        if isinstance(out, WatchedArray):
            out._changing()
        return _unowned_plain(method(self, *args, **kwargs))
    return writes_into_out


# the ndarray methods that write into out= without NumPy's dispatch (the others call ufuncs,
# which ask us: x.data.sum(0, out=t.data) is seen by __array_ufunc__)
for _name in ("take", "compress", "choose", "dot"):
    setattr(WatchedArray, _name, _counted_out(getattr(np.ndarray, _name)))


class _WatchedFlat:
    """``t.data.flat``: NumPy's flat iterator, with writes counted."""

    def __init__(self, array: WatchedArray) -> None:
        self._array, self._flat = array, np.ndarray.flat.__get__(array)

    def __setitem__(self, index: Any, value: Any) -> None:
        self._array._changing()
        self._flat[index] = value

    def __getitem__(self, index: Any) -> Any:
        return _unowned_plain(self._flat[index])

    def __iter__(self) -> Any:
        return iter(self._flat)

    def __len__(self) -> int:
        return len(self._flat)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return np.array(self._flat, dtype=dtype)

    def __getattr__(self, name: str) -> Any:  # base, coords, index, copy()
        return getattr(self._flat, name)


def _in_place(update: Any) -> Any:
    def update_in_place(self: WatchedArray, other: Any) -> Any:
        try:
            owner = self._owner()
        except AttributeError:  # a view of the view: _changing finds the tensor
            owner = None
        if owner is not None and self.base is (numbers := owner._data):  # ``t.data -= ...``: (_changing, inline)
            aliases = owner._aliases  # and the view is the tensor's whole array (see _fixed_layout): update that
            if aliases is not None and len(aliases) == 1:  # (count_write, inline: no tensor shares its memory)
                owner._version += 1
            else:
                count_write(owner)
        else:
            self._changing()
            numbers = self.view(np.ndarray)
        done = update(numbers, other.view(np.ndarray) if other.__class__ is WatchedArray else other)
        return self if done is not NotImplemented else NotImplemented
    return update_in_place


# the usual in-place updates (an optimizer's, a user's ``w.data -= lr * w.grad``), written
# out: the same as through __array_ufunc__, four times faster
for _name in ("__iadd__", "__isub__", "__imul__", "__itruediv__"):
    setattr(WatchedArray, _name, _in_place(getattr(np.ndarray, _name)))


def _fixed_layout(name: str) -> property:
    """``t.data.shape = ...`` (or ``strides``, ``dtype``) refused with a clear error: it would
    change a view of the numbers, not the tensor (PyTorch has no such setter either). So
    the view ``t.data`` gives always covers the tensor's whole array as it is, which lets
    ``t.data -= ...`` and the ``data`` setter know it by its owner and base alone."""
    attribute = getattr(np.ndarray, name)

    def set_layout(self: WatchedArray, value: Any) -> None:
        if getattr(self, "_owner", None) is not None:
            raise AttributeError(f"cannot set t.data.{name}: it would change this view of the tensor's numbers, "
                                 f"not the tensor; assign a new array instead (t.data = t.data.reshape(...), "
                                 f".astype(...))")
        attribute.__set__(self, value)
    return property(attribute.__get__, set_layout, doc=f"NumPy's ``{name}``; setting it on ``t.data`` is refused.")


for _name in ("shape", "strides", "dtype"):
    setattr(WatchedArray, _name, _fixed_layout(_name))


def _plain(x: Any) -> Any:
    return x.view(np.ndarray) if isinstance(x, WatchedArray) else x


def _unowned_plain(x: Any) -> Any:
    """A result as a plain ndarray, unless it is a view of the tensor's numbers (then
    writes into it are still the tensor's)."""
    if isinstance(x, WatchedArray):
        return x if x._tensor() is not None else x.view(np.ndarray)
    if isinstance(x, (tuple, list)) and any(isinstance(item, WatchedArray) for item in x):
        items = [_unowned_plain(item) for item in x]
        return type(x)(*items) if hasattr(x, "_fields") else type(x)(items)  # (a named tuple: svd's, qr's)
    return x


# ---- tensors that share memory share the count


class Aliases(list):
    """The tensors whose numbers are views of one block of memory: a list of weak
    references (a view going away leaves no cost behind it but its dead reference,
    dropped every ``PRUNE_EVERY`` joins), each member's ``_aliases`` the same list, and
    so is that of each view ``t.data`` handed out (made by the first read of it). Known
    by identity, not ``==`` (which compares a Tensor's numbers: why no ``WeakSet``). A
    deep copy of a tensor, or a pickled one, starts with none (``__reduce__``). Joins and
    leaves take a lock (a prune rewrites the list: another thread's join would be lost; two
    threads' first views would make two lists); a write goes through a copy of the list (a
    prune would move members past it)."""

    __slots__ = ("_merged_into",)  # (set when the list became part of another: see share_count)
    PRUNE_EVERY = 64
    _lock = threading.RLock()

    def current(self) -> Aliases:
        """This list, or the one it was merged into (a view handed out before holds this one)."""
        aliases = self
        while (merged := getattr(aliases, "_merged_into", None)) is not None:
            aliases = merged
        return aliases

    def tensors(self) -> list[Any]:
        return [tensor for reference in tuple(self) if (tensor := reference()) is not None]

    def join(self, tensor: Any) -> None:
        with self._lock:
            self.append(weakref.ref(tensor))
            if len(self) % self.PRUNE_EVERY == 0:  # (a weight's list gains a view per step: W.T)
                self[:] = [reference for reference in self if reference() is not None]

    def leave(self, tensor: Any) -> None:
        with self._lock:
            self[:] = [reference for reference in self if reference() is not tensor]

    def __reduce__(self) -> Any:
        return (type(None), ())


def count_write(tensor: Any) -> None:
    """A write into ``tensor``'s numbers: its version moves on, and so does that of every
    tensor sharing its memory, whose numbers moved with them.

    >>> from autograd import Tensor
    >>> e = Tensor([1.0, 2.0], requires_grad=True).exp()
    >>> y = e.sum()
    >>> e[:1].data[...] = 5.0      # a view of e's numbers: a change of e
    >>> e._version
    1
    """
    tensor._version += 1
    aliases = tensor._aliases
    if aliases is not None:
        for reference in tuple(aliases):
            other = reference()
            if other is not None and other is not tensor:
                other._version += 1


def share_count(tensor: Any, other: Any) -> None:
    """Count writes into ``tensor`` and ``other`` together: one's numbers are a view of
    the other's. Two lists of aliases become one (rare: tensors on one memory are in one
    list from the start, unless made of one array twice); the old list then points to it."""
    with Aliases._lock:
        aliases, own = other._aliases, tensor._aliases
        if aliases is None and own is None:  # (the usual case, a first view)
            if tensor is not other:
                tensor._aliases = other._aliases = Aliases((weakref.ref(other), weakref.ref(tensor)))
            return
        if tensor is other or own is aliases:
            return
        if aliases is None:
            aliases = other._aliases = Aliases((weakref.ref(other),))
        for member in own.tensors() if own is not None else (tensor,):
            aliases.join(member)
            member._aliases = aliases
        if own is not None:
            own._merged_into = aliases


def share_count_with_inputs(out: Any, inputs: Any) -> None:
    """For an operation's result that is a view (its array has a ``base``): share the count
    of each input whose numbers are in the same memory. The result of ``reshape``, ``t[0]``
    or ``t.T`` is one; a result made from a temporary array is not."""
    memory = _memory(out._data)
    for x in inputs:
        if x is not None and (data := x._data).__class__ is np.ndarray and _memory(data) is memory:
            share_count(out, x)


def leave_aliases(tensor: Any, new: Any) -> None:
    """``tensor.data = new``: a tensor given numbers in other memory stops sharing a count."""
    aliases = tensor._aliases
    if aliases is not None and _memory(new) is not _memory(tensor._data):
        aliases.leave(tensor)
        tensor._aliases = None


def _memory(array: Any) -> Any:
    """The object that owns an array's memory: the end of its chain of bases (through
    what NumPy's stride tricks put in it too, which is not an array but has a ``base``)."""
    while (base := getattr(array, "base", None)) is not None:
        array = base
    return array
