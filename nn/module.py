"""Modules: the PyTorch way to bundle parameters with the computation that uses them.

A ``Module`` finds its parameters and submodules by looking at its own attributes (in
the order they were set), so there is nothing to register: assign a ``Parameter``, a
``Value`` or a ``Module`` to ``self.something`` (or a list of them) and it is found.

Parameters save to and load from ``.npz`` files (plain arrays, never pickle).
"""

from __future__ import annotations

import io
import math
import os
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from autograd import Node, Tensor, Value, as_tensor, no_grad
from autograd.files import replacing
from autograd.numeric import flag

from . import init
from .init import RandomSource
from .optim import clear_gradient

__all__ = [
    "Parameter",
    "Module",
    "Linear",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "ReLU",
    "Dropout",
    "ParameterFileError",
]


class Parameter(Tensor):
    """A Tensor that is a model's parameter: it requires grad.

    >>> import numpy as np
    >>> Parameter(np.zeros(3)).requires_grad
    True
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, label: str = "", *, dtype: Any = None) -> None:
        super().__init__(data, requires_grad=requires_grad, label=label, dtype=dtype)  # (PyTorch's order)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor"):]


class ParameterFileError(ValueError):
    """A parameter file or state dict that does not fit the model; nothing was loaded."""


def _is_parameter(x: Any) -> bool:
    return isinstance(x, Parameter) or (isinstance(x, Value) and x.requires_grad and x.is_leaf)


class Module:
    """Base class: subclasses set parameters and submodules in ``__init__`` and
    compute in ``forward``; calling the module calls ``forward``.

    >>> import numpy as np
    >>> from nn import Linear
    >>> layer = Linear(3, 2, rng=0)
    >>> [name for name, _ in layer.named_parameters()]
    ['weight', 'bias']
    """

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # ---- what the module holds
    def named_children(self) -> Iterator[tuple[str, Module]]:
        """Direct submodules with their names, in the order they were assigned."""
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def children(self) -> Iterator[Module]:
        """Direct submodules, in order (PyTorch's ``children``)."""
        for _, child in self.named_children():
            yield child

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """This module (named ``prefix``) and every submodule below it, depth first, each
        once even if it appears twice, with its dotted name, as PyTorch's ``named_modules``.

        >>> from nn import Linear, Sequential, Tanh
        >>> model = Sequential(Sequential(Linear(2, 3, rng=0), Tanh()), Linear(3, 1, rng=1))
        >>> [name for name, _ in model.named_modules()]
        ['', '0', '0.0', '0.1', '1']
        """
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]  # (a stack, not recursion: any depth)
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            below = [(f"{name}.{child_name}" if name else child_name, child)
                     for child_name, child in module.named_children()]
            stack.extend(reversed(below))

    def modules(self) -> Iterator[Module]:
        """This module and every submodule, each once (PyTorch's ``modules``)."""
        for _, module in self.named_modules():
            yield module

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (``False``) or unfreeze every parameter of the Tensor kind, as PyTorch's
        ``requires_grad_``; returns the module. Value parameters cannot be frozen: a Value
        that needs no gradient is no longer found as a parameter, so nothing could unfreeze it.

        >>> from nn import Linear
        >>> [p.requires_grad for p in Linear(2, 1, rng=0).requires_grad_(False).parameters()]
        [False, False]
        """
        parameters = self.parameters()
        if not flag("requires_grad", requires_grad) and any(isinstance(p, Value) for p in parameters):
            raise TypeError("requires_grad_(False) cannot freeze Value parameters (a Value that needs no gradient "
                            "is no longer a parameter, so nothing could unfreeze it); leave them out of the "
                            "optimizer instead")
        for parameter in parameters:
            if isinstance(parameter, Tensor):
                parameter.requires_grad_(requires_grad)
        return self

    def _own_parameters(self) -> Iterator[tuple[str, Node]]:
        for name, value in vars(self).items():
            if _is_parameter(value):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if _is_parameter(item):
                        yield f"{name}.{i}", item

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """Every parameter with its dotted name (``0.weight``; after ``prefix`` and a dot,
        if given, as in PyTorch), each once."""
        seen: set[int] = set()
        for name, parameter in self._named_parameters_with_repeats(prefix + "." if prefix else ""):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def _named_parameters_with_repeats(self, prefix: str) -> Iterator[tuple[str, Node]]:
        for name, parameter in self._own_parameters():
            yield prefix + name, parameter
        for name, child in self.named_children():
            yield from child._named_parameters_with_repeats(prefix + name + ".")

    def parameters(self) -> list[Node]:
        """Every parameter, each once, in a list (for an optimizer)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients accumulated in every parameter (``set_to_none=False``:
        zeros instead of None, as in PyTorch; see ``Optimizer.zero_grad``)."""
        for parameter in self.parameters():
            clear_gradient(parameter, set_to_none)

    def train(self, mode: bool = True) -> Module:
        """Set training mode here and in every submodule; returns self."""
        self.training = flag("mode", mode)
        for _, child in self.named_children():
            child.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``training`` False) everywhere; returns self."""
        return self.train(False)

    # ---- parameters as arrays, and as files
    def state_dict(self) -> OrderedDict[str, np.ndarray]:
        """A copy of every parameter's data, by dotted name."""
        return OrderedDict((name, np.array(p.data, copy=True)) for name, p in self.named_parameters())

    def load_state_dict(self, state: Any, strict: bool = True, *, source: str = "state dict") -> IncompatibleKeys:
        """Copy arrays into the parameters (never keeping the caller's arrays: a float32
        parameter stays float32). Every key must match a parameter (``strict=False``:
        those that match are loaded, the rest named in the result, as in PyTorch) and every
        shape must fit; otherwise ``ParameterFileError`` lists all the problems and no
        parameter is changed. Returns the missing and unexpected keys.

        >>> from nn import Linear
        >>> layer = Linear(2, 1, rng=0)
        >>> layer.load_state_dict({"weight": [[1.0, 2.0]], "bias": [0.5]})
        <All keys matched successfully>
        >>> layer.weight.data
        array([[1., 2.]])
        >>> layer.load_state_dict({"weight": [[3.0, 4.0]]}, strict=False)
        IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict takes a mapping of names to arrays, such as state_dict() gives, "
                            f"not a {type(state).__name__}")
        own = dict(self.named_parameters())
        state = self._under_first_names(state, source)
        arrays, unreadable = {}, []
        for name in own:
            if name in state:
                value = state[name]
                try:  # (a Tensor's numbers, as PyTorch's state dicts hold tensors)
                    arrays[name] = np.asarray(value._data if isinstance(value, Tensor) else value)
                except (TypeError, ValueError) as error:  # a ragged list, a Value
                    unreadable.append(f"{name}: not an array of numbers ({error})")
        unmatched = _refuse_what_does_not_fit(own, list(state.keys()), arrays, source, unreadable=unreadable,
                                              strict=strict)
        with no_grad():
            for name, array in arrays.items():
                parameter = own[name]
                if isinstance(parameter, Value):
                    parameter.data = float(array)
                else:
                    parameter.data[...] = array  # (counts as a change of the parameter)
        return unmatched

    def _under_first_names(self, state: Mapping[str, Any], source: str) -> Mapping[str, Any]:
        """``state`` with a shared parameter's other names (a layer used twice: ``2.weight``
        for ``0.weight``, which ``state_dict`` lists once) read as the name ``state_dict``
        gives it, as PyTorch loads a shared parameter by any of its names; one parameter
        under two names with different numbers is refused."""
        first: dict[int, str] = {}
        renamed = {name: first.setdefault(id(p), name) for name, p in self._named_parameters_with_repeats("")}
        if all(renamed.get(key, key) == key for key in state):
            return state
        result: dict[str, Any] = {}
        for key, value in state.items():
            name = renamed.get(key, key)
            if name in result and not np.array_equal(np.asarray(result[name]), np.asarray(value)):
                raise ParameterFileError(f"cannot load the {source}: it gives the shared parameter {name!r} "
                                         f"twice, as {key!r} too, with other numbers; the model is unchanged")
            result.setdefault(name, value)
        return result

    def save(self, path: str | os.PathLike) -> Path:
        """Write the parameters to an ``.npz`` file (written to a temporary file, then
        renamed into place, so an existing file is never left half-written). An existing
        file keeps its permissions; through a symbolic link, the file it points to is
        replaced (see ``autograd.files.replacing``)."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"save takes a file name, such as 'model.npz', not {type(path).__name__}")
        path = Path(path)
        if path.is_dir():  # (the error named a hidden temporary file, after writing it whole)
            raise IsADirectoryError(f"cannot save to {path}: it is a folder; give a file name such as "
                                    f"{path / 'model.npz'}")
        state = self.state_dict()
        # (np.savez's format, written by name: np.savez(file, **state) takes a parameter
        # named allow_pickle as its own keyword, and leaves it out of the file)
        with replacing(path) as temporary, zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as archive:
            for name, array in state.items():
                with archive.open(name + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)
        return path

    def load(self, path: str | os.PathLike) -> None:
        """Load parameters saved by ``save``. A missing, corrupt or non-npz file, or one
        whose keys or shapes do not fit, raises an error naming it; the model is then
        unchanged. Every key and every array's header is checked before any array is
        read, so a file can make you allocate no more than the model's own parameters."""
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no parameter file at {path}")
        own = dict(self.named_parameters())
        source = f"file {path}"
        try:
            with open(path, "rb") as file:
                if file.read(len(_NPY_MAGIC)) == _NPY_MAGIC:
                    raise ParameterFileError(f"{path} holds a single array, not named parameters (.npz)")
            with zipfile.ZipFile(path) as archive:
                members: dict[str, zipfile.ZipInfo] = {}
                for info in archive.infolist():
                    key = info.filename.removesuffix(".npy")
                    if key in members:
                        raise ParameterFileError(f"{path} holds {key!r} twice")
                    members[key] = info
                headers = {name: _npy_header(archive, members[name], path) for name in own if name in members}
                _refuse_what_does_not_fit(own, list(members), headers, source, sizes={
                    name: members[name].file_size - header.offset for name, header in headers.items()})
                state = {name: _read_npy(archive, members[name]) for name in headers}
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError,
                NotImplementedError, RuntimeError) as error:
            if isinstance(error, ParameterFileError):
                raise
            raise ParameterFileError(
                f"{path} is not a readable .npz parameter file ({type(error).__name__}: {error})"
            ) from None
        self.load_state_dict(state, source=source)

    # ---- display
    def extra_repr(self) -> str:
        """What goes between the parentheses of this module's repr."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        lines.append(")")
        return "\n".join(lines)


# ---- checking a state dict or a parameter file against the model


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` could not match: parameters the state dict did not hold, and
    keys of it that are no parameter (both empty when ``strict``, or it raises)."""

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"  # (PyTorch's words)
        return f"IncompatibleKeys(missing_keys={self.missing_keys}, unexpected_keys={self.unexpected_keys})"


def _refuse_what_does_not_fit(own: dict[str, Node], keys: list[str], found: Mapping[str, Any],
                              source: str, sizes: Mapping[str, int] | None = None,
                              unreadable: list[str] | None = None, strict: bool = True) -> IncompatibleKeys:
    """Raise ``ParameterFileError`` listing every problem: missing and unexpected keys (if ``strict``),
    arrays (``found``: by name, anything with a ``.shape`` and a ``.dtype``, an array or
    a file's header) that are not numbers or do not have their parameter's shape, and,
    for a file, arrays whose data (``sizes``, in bytes) is not what their header says.
    Otherwise return the missing and unexpected keys (none if ``strict``)."""
    problems = []
    missing = [k for k in own if k not in keys]
    unexpected = [k for k in keys if k not in own]
    if missing and strict:
        problems.append(f"missing keys: {missing}")
    if unexpected and strict:
        problems.append(f"unexpected keys: {unexpected}")
    problems += unreadable or []
    for name, array in found.items():
        shape, dtype = array.shape, array.dtype
        expected = np.shape(own[name].data)
        if dtype.kind not in "biuf":
            problems.append(f"{name}: expected numbers, found dtype {dtype}")
        elif shape != expected:
            problems.append(f"{name}: shape {shape} in the {source}, but the model's parameter has shape {expected}")
        elif sizes is not None and sizes[name] != math.prod(shape) * dtype.itemsize:
            problems.append(f"{name}: {sizes[name]} bytes of data in the {source}, but a {shape} "
                            f"{dtype} array has {math.prod(shape) * dtype.itemsize}")
    if problems:
        raise ParameterFileError(f"cannot load the {source}; the model is unchanged:\n  " + "\n  ".join(problems))
    return IncompatibleKeys(missing, unexpected)


_NPY_MAGIC = b"\x93NUMPY"
# What np.savez and np.savez_compressed write (stored, deflated), and what zipfile can
# also read; anything else (AES, PPMd, ...) is refused before zipfile is asked.
_COMPRESSIONS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated",
                 zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma"}
_HEADER_BYTES = 64 * 1024  # more than any .npy header numpy will read (10,000 characters)


class _Header(NamedTuple):
    shape: tuple[int, ...]
    dtype: np.dtype
    offset: int  # where the array's data starts in the member


def _npy_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> _Header:
    """The shape and dtype of one .npy member, from its header alone: at most
    ``_HEADER_BYTES`` are decompressed, whatever the header claims."""
    member = f"{path}: the member {info.filename!r}"
    if info.flag_bits & 0x1:
        raise ParameterFileError(f"{member} is encrypted; a parameter file is a plain np.savez archive")
    if info.compress_type not in _COMPRESSIONS:
        raise ParameterFileError(f"{member} uses compression method {info.compress_type}, which cannot be "
                                 f"read; use one of {', '.join(_COMPRESSIONS.values())} (np.savez writes stored)")
    with archive.open(info) as file:
        start = io.BytesIO(file.read(_HEADER_BYTES))
    version = np.lib.format.read_magic(start)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(start)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(start)
    else:
        raise ParameterFileError(f"{member} is a .npy file of version {version}, not 1.0 or 2.0")
    return _Header(shape, dtype, start.tell())


def _read_npy(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """One member's array, once its header has been checked (so its size is known)."""
    with archive.open(info) as file:
        array = np.lib.format.read_array(file, allow_pickle=False)
        if file.read(1):  # reading to the end also checks the member's CRC
            raise ValueError(f"the member {info.filename!r} holds more data than its header says")
    return array


class Linear(Module):
    """y = x @ weight.T + bias, with weight of shape (out_features, in_features).

    Initialised as in PyTorch, uniform on ±1/sqrt(in_features); use ``nn.init`` for
    anything else.

    >>> layer = Linear(3, 4, bias=False, rng=0)
    >>> layer.weight.shape
    (4, 3)
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, *,
                 rng: RandomSource = None, dtype: Any = None) -> None:
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"{name} must be a positive integer, got {n!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        generator = init.make_rng(rng)
        self.weight = Parameter(np.zeros((out_features, in_features)), label="weight", dtype=dtype)
        init.default_uniform_(self.weight, in_features, rng=generator)
        self.bias = None
        if bias:
            self.bias = Parameter(np.zeros(out_features), label="bias", dtype=dtype)
            init.default_uniform_(self.bias, in_features, rng=generator)

    def forward(self, x: Tensor) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x, dtype=self.weight.dtype)  # a copy: refilling the caller's buffer changes nothing
        shape = x.shape
        if not shape or shape[-1] != self.in_features:
            raise ValueError(
                f"Linear({self.in_features}, {self.out_features}) expects inputs whose last "
                f"axis has {self.in_features} features, got shape {shape}"
            )
        if (given := x._data.dtype) is not (wanted := self.weight._data.dtype) and given != wanted:
            # (as PyTorch: the model would run on in the input's dtype without a word)
            raise TypeError(f"Linear's weight is {wanted} but the input tensor is {given}; make the input "
                            f"{wanted} (Tensor(array, dtype=np.{wanted}), or pass the array itself, which the "
                            "layer converts)")
        y = x.linear(self.weight)  # x @ weight.T in one graph node
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}; weight {self.weight.shape}")


class Sequential(Module):
    """Modules applied one after another; ``seq[i]`` is the i-th, ``len(seq)`` their count.

    >>> model = Sequential(Linear(3, 4, bias=False, rng=0), Sigmoid(), Linear(4, 2, bias=False, rng=1))
    >>> [name for name, _ in model.named_parameters()]
    ['0.weight', '2.weight']
    """

    def __init__(self, *modules: Module) -> None:
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential takes Modules; item {i} is a {type(module).__name__}")
        self.layers = list(modules)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """The layers, as ``"0"``, ``"1"``, ...; then any other submodule a subclass holds
        (trained, saved and switched by train()/eval() with the rest, as in PyTorch)."""
        for i, module in enumerate(self.layers):
            yield str(i), module
        for name, module in super().named_children():
            if not name.startswith("layers."):
                yield name, module

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, Module) and type(self).forward is Sequential.forward:
            # (PyTorch's Sequential would run it after the layers; this one runs its layers only)
            raise AttributeError(f"a Sequential runs its layers, not {name!r}: add a layer with "
                                 f"append({type(value).__name__}(...)), or keep it in a subclass that defines "
                                 "forward()")
        super().__setattr__(name, value)

    def __getitem__(self, index: int | slice) -> Module:
        """A layer, or for a slice the layers as a Sequential (as PyTorch's), callable."""
        if isinstance(index, slice):
            return Sequential(*self.layers[index])
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def append(self, module: Module) -> Sequential:
        """Add a layer at the end; returns the Sequential (as PyTorch's)."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential takes Modules, not a {type(module).__name__}")
        self.layers.append(module)
        return self

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def forward(self, x: Any) -> Any:
        for module in self.layers:
            x = module(x)
        return x


def _node(x: Any) -> Node:
    """An activation's input: a Value or Tensor as it is; numbers, lists and arrays as a
    Tensor that needs no gradient (as ``Linear`` and ``Dropout`` take them)."""
    return x if isinstance(x, Node) else as_tensor(x)


class Sigmoid(Module):
    """Elementwise 1 / (1 + e**-x)."""

    def forward(self, x: Any) -> Node:
        return _node(x).sigmoid()


class Tanh(Module):
    """Elementwise tanh."""

    def forward(self, x: Any) -> Node:
        return _node(x).tanh()


class ReLU(Module):
    """Elementwise max(x, 0)."""

    def forward(self, x: Any) -> Node:
        return _node(x).relu()


class Dropout(Module):
    """Inverted dropout, as ``torch.nn.Dropout``: in training mode each element is zeroed
    with probability ``p`` and the survivors are scaled by 1 / (1 - p), so the expected
    output equals the input; in evaluation mode (``model.eval()``) it is the identity.
    ``p=1`` zeroes everything, as in PyTorch. ``rng`` (a Generator or an int seed, as
    ``nn.init`` takes) makes the masks reproducible.

    >>> import numpy as np
    >>> drop = Dropout(0.5, rng=0)
    >>> drop(np.ones(6)).data.tolist()
    [2.0, 0.0, 0.0, 0.0, 2.0, 2.0]
    >>> drop.eval()(np.ones(3)).data.tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5, *, rng: RandomSource = None) -> None:
        if isinstance(p, bool) or not isinstance(p, (int, float, np.number)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability p must be a number in [0, 1], got {p!r}")
        self.p = float(p)
        self.generator = init.make_rng(rng)

    def forward(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            x = Tensor(x)  # a copy, as Linear makes: passed on as it is, a refilled batch buffer
            # would change the next layer's gradients
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * np.zeros(x.shape, dtype=x.dtype)  # still a node: the gradient is zeros
        keep = self.generator.random(x.shape) >= self.p
        return x * (keep / (1.0 - self.p)).astype(x.dtype)

    def extra_repr(self) -> str:
        return f"p={self.p}"
