"""The methods made at import time are declared for type checkers, and truly: every method
the op table gives ``Value`` and ``Tensor`` is declared in an ``if TYPE_CHECKING:`` block
(``methods.ComparesNumbers`` for both, ``Tensor`` for the array-only ones) with the
arguments the op takes, no block declares a method its class lacks, and a learner's own
code checked by mypy sees the right types."""

from __future__ import annotations

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograd import Tensor, Value
from autograd.ops import OPS

ROOT = Path(__file__).resolve().parent.parent
ALIASES = {"clamp": "clip", "view": "reshape"}  # toolbox_ops: PyTorch's other names, same arguments
EXTRAS = {"__abs__", "where", "clamp", "view"}  # attached by toolbox_ops, not by the op table
NO_DEFAULT = object()


def declared(path: str, class_name: str) -> dict[str, ast.FunctionDef]:
    """The functions in the ``if TYPE_CHECKING:`` block of a class body."""
    tree = ast.parse((ROOT / path).read_text())
    body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == class_name).body
    blocks = [n for n in body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    assert len(blocks) == 1, f"{class_name} in {path} has {len(blocks)} TYPE_CHECKING blocks"
    return {f.name: f for f in blocks[0].body if isinstance(f, ast.FunctionDef)}


BOTH = declared("autograd/methods.py", "ComparesNumbers")  # Value's and Tensor's
ARRAY_ONLY = declared("autograd/tensor.py", "Tensor")


def generated_names(op) -> list[str]:
    """The method names methods.give_method attaches for ``op``."""
    if op.method is None:
        return []
    reflected = op.arity == 2 and op.method.startswith("__")
    return [op.method] + (["__r" + op.method[2:]] if reflected else [])


def parameters_of_stub(function: ast.FunctionDef) -> list[tuple]:
    """(name, kind, default) of each parameter after ``self``."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults = [NO_DEFAULT] * (len(positional) - len(args.defaults)) + [ast.literal_eval(d) for d in args.defaults]
    result = [(a.arg, "positional", d) for a, d in zip(positional, defaults)][1:]
    if args.vararg:
        result.append((args.vararg.arg, "*", NO_DEFAULT))
    result += [(a.arg, "keyword", NO_DEFAULT if d is None else ast.literal_eval(d))
               for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    if args.kwarg:
        result.append((args.kwarg.arg, "**", NO_DEFAULT))
    return result


def parameters_of(function) -> list[tuple]:
    kinds = {inspect.Parameter.POSITIONAL_OR_KEYWORD: "positional", inspect.Parameter.POSITIONAL_ONLY: "positional",
             inspect.Parameter.VAR_POSITIONAL: "*", inspect.Parameter.KEYWORD_ONLY: "keyword",
             inspect.Parameter.VAR_KEYWORD: "**"}
    return [(p.name, kinds[p.kind], NO_DEFAULT if p.default is inspect.Parameter.empty else p.default)
            for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("op", [op for op in OPS if op.method], ids=lambda op: op.method)
def test_each_generated_method_is_declared_for_the_classes_that_get_it(op):
    for name in generated_names(op):
        if op.scalar is not None:  # Value and Tensor both get it
            assert name in BOTH, f"{name} ({op.name!r}) is not declared in methods.ComparesNumbers"
        else:  # only Tensor
            assert name in ARRAY_ONLY, f"{name} ({op.name!r}) is not declared in Tensor's TYPE_CHECKING block"
            assert name not in BOTH, f"{name} is declared for Value too, which has no {op.name!r}"


@pytest.mark.parametrize("op", [op for op in OPS if op.method], ids=lambda op: op.method)
def test_each_declared_method_takes_the_arguments_of_its_op(op):
    stub = {**BOTH, **ARRAY_ONLY}[op.method]
    if op.arguments is not None:
        expected = parameters_of(op.arguments)
    else:  # the other operand, if any: x.maximum(y), a + b
        expected = [("other", "positional", NO_DEFAULT)] if op.arity == 2 else []
    assert parameters_of_stub(stub) == expected, ast.unparse(stub.args)


def test_no_block_declares_a_method_its_class_lacks():
    ops_by_method = {op.method: op for op in OPS if op.method}
    for name in BOTH:
        assert hasattr(Value, name) and hasattr(Tensor, name), f"{name} is declared for both but missing"
    for name, stub in ARRAY_ONLY.items():
        assert hasattr(Tensor, name), f"Tensor declares {name} but has none"
        assert not hasattr(Value, name), f"{name} is on Value too: declare it in methods.ComparesNumbers"
        if name in ALIASES:
            assert parameters_of_stub(stub) == parameters_of(ops_by_method[ALIASES[name]].arguments)
    generated = {name for op in OPS for name in generated_names(op)}
    assert set(BOTH) | set(ARRAY_ONLY) <= generated | EXTRAS | {"shape"}


LEARNERS_CODE = '''
import numpy as np
from typing_extensions import assert_type

from autograd import Tensor, Value

v = Value(2.0)
assert_type(v.tanh() * 2 + 1, Value)
assert_type(1 - (-v) ** 2 / v, Value)
assert_type(abs(v.gelu()).maximum(0.5), Value)
t = Tensor(np.ones((2, 3)), requires_grad=True)
assert_type((t @ t.T).sum(axis=0).mean(), Tensor)
assert_type(2 * t[0].relu().reshape(3, 1), Tensor)
assert_type(t.softmax(dim=1).log().clamp(min=0.0).var(correction=0), Tensor)
assert_type(t.shape, tuple[int, ...])
v.sum()  # error: a Value has no sum
t.sum(axs=0)  # error: no such keyword
'''


def test_a_learners_code_checked_by_mypy_sees_the_methods_and_their_types(tmp_path):
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    script = tmp_path / "learner.py"
    script.write_text(LEARNERS_CODE)
    result = subprocess.run([sys.executable, "-m", "mypy", "--python-version", "3.10", str(script)],
                            cwd=ROOT, capture_output=True, text=True, timeout=600,
                            env={**os.environ, "MYPYPATH": str(ROOT)})
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    lines = LEARNERS_CODE.splitlines()
    expected = [i for i, line in enumerate(lines, start=1) if "# error:" in line]
    found = [int(re.search(r":(\d+): error:", line).group(1)) for line in errors]
    assert found == expected, result.stdout
    assert '"Value" has no attribute "sum"' in errors[0] and '"axs"' in errors[1], result.stdout
