"""Mutation run: prove that the test suite fails for deliberate faults in the engine and
the op rules.

Each mutant is one small, plausible fault (a dropped term of a derivative, a flipped
sign, `=` where `+=` belongs, a skipped broadcast reduction, a node skipped...). A
mutant is anchored on what survives refactoring: an operation by its name and the
position of its rule, or an engine function by its name, replaced or wrapped at run
time, never a line of source text. ``tests/conftest.py`` applies the mutant named in
``AUTOGRAD_MUTANT`` before the tests import anything else; the mutant is *killed* when
the tests then fail. Engine mutants run with the speed tricks off (they are faults in
the plain engine); the fused loop of ``fast.py`` has its own mutants. Writes
docs/mutants.md with the kill rate (goal: 100%).

    python tools/mutants.py            (or: make mutants; takes several minutes)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "mutants.md"
FAST_TESTS = [
    "tests/test_ops.py", "tests/test_engine.py", "tests/test_regressions.py", "tests/test_seed_notebook.py",
    "tests/test_random_graphs.py", "tests/test_fuzz.py", "tests/test_tensor_api.py", "tests/test_nn.py",
    "tests/test_draw.py", "tests/test_higher_order.py", "tests/test_rule_gradients.py",
    "tests/test_backward_failures.py",
]


@dataclass
class Mutant:
    what: str
    where: str  # the object the fault is planted in
    plant: Callable[[], None]
    speed_tricks: bool = False  # run with the speed tricks on (a fault in fast.py)


def _op(name: str):
    from autograd import ops

    return next(op for op in ops.OPS + [_internal(name)] if op is not None and op.name == name)


def _internal(name: str):
    from autograd import more_ops

    return {"zero_where": more_ops.ZERO_WHERE, "scatter_add": more_ops.SCATTER_ADD}.get(name)


def rule(op_name: str, position: int, faulty: Callable) -> Callable[[], None]:
    """Plant: the ``position``-th rule of the op called ``op_name`` replaced by ``faulty``."""
    def plant() -> None:
        op = _op(op_name)
        rules = list(op.rules)
        rules[position] = faulty
        op.rules = tuple(rules)
    return plant


def replace(module_name: str, attribute: str, make: Callable[[Callable], Callable]) -> Callable[[], None]:
    """Plant: ``module.attribute`` replaced by ``make(original)``."""
    def plant() -> None:
        import importlib

        module = importlib.import_module(module_name)
        setattr(module, attribute, make(getattr(module, attribute)))
    return plant


def _index_assignment(grad, out, x, index):
    import numpy as np

    full = np.zeros(x.shape)
    full[index] = grad  # assignment: repeated indices keep only one gradient
    return full


def _stretched_not_summed(sum_to):
    def faulty(grad, shape):
        import numpy as np

        grad = np.asarray(grad)
        added = grad.ndim - len(shape)
        return grad.sum(axis=tuple(range(added))) if added > 0 else grad
    return faulty


def _drop_reused_path(chain_rule):
    def faulty(node, grad, numbers=True):
        shares = chain_rule(node, grad, numbers)
        return [None if p in node.inputs[:i] else s for i, (p, s) in enumerate(zip(node.inputs, shares))]
    return faulty


def _partial_gradients_on_failure(backpropagate):
    """A pass that raises midway still adds the shares its leaves had received so far."""
    def faulty(roots, seeds, step=None, keep=lambda node, grad: None):
        from autograd import core

        step = step or core.chain_rule
        reached = {}

        def watching(node, grad):
            shares = step(node, grad)
            for parent, share in zip(node.inputs, shares):
                if share is not None and parent.op is None:
                    reached[parent] = core.accumulate(reached.get(parent), share)
            return shares
        try:
            return backpropagate(roots, seeds, watching, keep)
        except BaseException:
            for leaf, share in reached.items():
                leaf.accumulate_grad(share)
            raise
    return faulty


def _fused_rewritten(pattern: str, replacement: str, what: str) -> Callable:
    """A mutant of the fused pass: its source with ``pattern`` (a regular expression)
    replaced, compiled in ``fast``'s namespace. Refuses (rather than plant nothing) if the
    loop no longer reads that way."""
    def mutate(fused_pass):
        import inspect
        import re
        import textwrap

        import autograd.fast as fast

        source = textwrap.dedent(inspect.getsource(fused_pass))
        mutated, count = re.subn(pattern, replacement, source)
        if not count:
            raise RuntimeError(f"the fused loop's {what} was not found: update this mutant")
        namespace = dict(vars(fast))
        exec(compile(mutated, "<mutant>", "exec"), namespace)
        return namespace[fused_pass.__name__]
    return mutate


# every ``node.grad = share if (total := node.grad) is None else total + share`` as ``node.grad = share``
_fused_assignment = _fused_rewritten(r"(\w+)\.grad = (\w+) if \(total := \1\.grad\) is None else total \+ \2",
                                     r"\1.grad = \2", "accumulation into .grad")
# trick 9's inline rule of a * b sends each input its own number instead of the other's
_fused_inline_product = _fused_rewritten(r"da = grad \* b\.data", "da = grad * x", "inline rule of *")
# a one-input op's share not summed back over broadcast axes (the bug e35573d fixed)
_fused_unary_unsummed = _fused_rewritten(r"if da is not None and da\.__class__ is not float",
                                         "if b is not None and da is not None and da.__class__ is not float",
                                         "broadcast sum-back of the first input")


def _overwriting_leaves(tensor_class):
    tensor_class.accumulate_grad = lambda self, grad: setattr(self, "grad", grad)
    return tensor_class


def _mutants() -> list[Mutant]:
    from autograd.numeric import expand_reduced, power

    return [
        # derivative rules, by op name and rule position
        Mutant("drop a term: sigmoid' = s instead of s(1-s)", "op sigmoid", rule("sigmoid", 0, lambda g, o, x: g * o)),
        Mutant("drop a term: d(a/b)/db = -1/b^2 instead of -a/b^2", "op /",
               rule("/", 1, lambda g, o, a, b: -g / (b * b))),
        Mutant("drop a term: d(a^b)/da = b*a^b instead of b*a^(b-1)", "op **",
               rule("**", 0, lambda g, o, a, b: g * b * power(a, b))),
        Mutant("drop a term: mean's gradient not divided by n", "op mean",
               rule("mean", 0, lambda g, o, x, axis, keepdims: expand_reduced(g, x.shape, axis, keepdims))),
        Mutant("flip a sign: d(a-b)/db = +1", "op -", rule("-", 1, lambda g, o, a, b: g)),
        Mutant("flip a sign: d(-x)/dx = +1", "op neg", rule("neg", 0, lambda g, o, x: g)),
        Mutant("flip a sign: tanh' = 1 + tanh^2", "op tanh", rule("tanh", 0, lambda g, o, x: g * (1 + o * o))),
        Mutant("wrong rule: exp' = 1", "op exp", rule("exp", 0, lambda g, o, x: g)),
        Mutant("wrong rule: log' = x instead of 1/x", "op log", rule("log", 0, lambda g, o, x: g * x)),
        Mutant("wrong rule: d(a*b)/da = a", "op *", rule("*", 0, lambda g, o, a, b: g * a)),
        Mutant("wrong rule: relu passes the gradient at 0", "op relu",
               rule("relu", 0, lambda g, o, x: g * (x >= 0))),
        Mutant("wrong rule: matmul's left gradient not transposed", "op matmul",
               rule("matmul", 0, lambda g, o, a, b: (g @ b.T).T.reshape(a.shape) if a.ndim == 2 else g)),
        Mutant("wrong rule: linear's weight gradient not transposed", "op linear",
               rule("linear", 1, lambda g, o, x, w: (g.reshape((-1, g.shape[-1])).T
                                                     @ x.reshape((-1, x.shape[-1]))).T.reshape(w.shape))),
        Mutant("assignment instead of accumulation: indexing's scatter", "op []", rule("[]", 0, _index_assignment)),
        # the plain engine, by function name
        Mutant("assignment instead of accumulation", "core.accumulate",
               replace("autograd.core", "accumulate", lambda original: lambda total, share: share)),
        Mutant("skip the broadcast reduction", "core.sum_to",
               replace("autograd.core", "sum_to", lambda original: lambda grad, shape: grad)),
        Mutant("stretched axes not summed", "core.sum_to", replace("autograd.core", "sum_to", _stretched_not_summed)),
        Mutant("skip a node: the second in backward order", "core.backward_order",
               replace("autograd.core", "backward_order",
                       lambda original: lambda roots, **kw: (lambda o: o[:1] + o[2:])(original(roots, **kw)))),
        Mutant("visit in the wrong order: inputs before their users", "core.backward_order",
               replace("autograd.core", "backward_order",
                       lambda original: lambda roots, **kw: original(roots, **kw)[::-1])),
        Mutant("a backward pass that raises midway adds its partial gradients to the leaves", "core.backpropagate",
               replace("autograd.core", "backpropagate", _partial_gradients_on_failure)),
        Mutant("drop the path to a reused input (b = a + a)", "core.chain_rule",
               replace("autograd.core", "chain_rule", _drop_reused_path)),
        Mutant("intermediate gradients kept although backward(intermediate_grads=False)", "modes._forget_gradient",
               # (it used to do nothing instead, which changed nothing: every node's .grad is reset
               # before the pass, so that mutant survived once the run could report survivors)
               replace("autograd.modes", "_forget_gradient",
                       lambda original: lambda node, grad: setattr(node, "grad", grad))),
        Mutant("leaves overwrite instead of accumulating across backward calls", "Tensor.accumulate_grad",
               replace("autograd.tensor", "Tensor", _overwriting_leaves)),
        # the fused loop of the speed tricks
        Mutant("fused loop: assignment instead of accumulation", "fast._fused_pass",
               replace("autograd.fast", "_fused_pass", _fused_assignment), speed_tricks=True),
        Mutant("fused loop: skip the broadcast reduction", "fast.sum_to",
               replace("autograd.fast", "sum_to", lambda original: lambda grad, shape: grad), speed_tricks=True),
        Mutant("fused loop: the inline rule of a * b gives a its own number", "fast._fused_pass",
               replace("autograd.fast", "_fused_pass", _fused_inline_product), speed_tricks=True),
        Mutant("fused loop: a one-input op that broadcasts is not summed back", "fast._fused_pass",
               replace("autograd.fast", "_fused_pass", _fused_unary_unsummed), speed_tricks=True),
    ]


def plant(name: str) -> None:
    """Plant the mutant called ``name`` (tests/conftest.py calls this)."""
    for mutant in _mutants():
        if mutant.what == name:
            mutant.plant()
            return
    raise SystemExit(f"no mutant called {name!r}")


def run_mutant(mutant: Mutant) -> tuple[bool, float, str]:
    env = dict(os.environ, AUTOGRAD_MUTANT=mutant.what)
    if not mutant.speed_tricks:
        env["AUTOGRAD_NO_SPEED_TRICKS"] = "1"
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *FAST_TESTS],
            cwd=ROOT, capture_output=True, text=True, timeout=900, env=env,
        )
    except subprocess.TimeoutExpired:
        return True, time.perf_counter() - started, "timed out"
    # Killed means a test failed (pytest's exit code 1, a FAILED line). Any other failure
    # (a collection error, a mutant that could not be planted) says nothing about the
    # tests: until 2026-12-07 such an error, raised while planting, counted every mutant
    # as killed in under a second.
    first_failure = next((line for line in result.stdout.splitlines() if line.startswith("FAILED")), "")
    if result.returncode not in (0, 1) or (result.returncode == 1 and not first_failure):
        raise SystemExit(f"mutant {mutant.what!r}: the tests did not run (pytest exit code "
                         f"{result.returncode}):\n{(result.stdout + result.stderr)[-3000:]}")
    return result.returncode == 1, time.perf_counter() - started, first_failure


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from autograd.files import replacing

    for tricks in () if "--skip-baseline" in sys.argv else ("", "1"):  # (when the suite just passed both ways)
        env = dict(os.environ, AUTOGRAD_NO_SPEED_TRICKS=tricks)
        baseline = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *FAST_TESTS],
                                  cwd=ROOT, capture_output=True, text=True, env=env)
        if baseline.returncode != 0:
            raise SystemExit("the tests fail without any mutant; fix that first:\n" + baseline.stdout[-2000:])
    rows, killed_count = [], 0
    mutants = _mutants()
    for mutant in mutants:
        killed, seconds, failure = run_mutant(mutant)
        killed_count += killed
        verdict = "killed" if killed else "SURVIVED"
        print(f"{verdict:8s} {seconds:5.1f} s  {mutant.what}", flush=True)
        rows.append(f"| {mutant.what} | `{mutant.where}` | {verdict} | {failure.removeprefix('FAILED ')[:90]} |")
    rate = killed_count / len(mutants)
    report = "\n".join([
        "# Mutation run", "",
        f"Written by `python tools/mutants.py` (`make mutants`). {killed_count} of {len(mutants)} deliberate "
        f"faults were caught by the tests: kill rate {rate:.0%} (goal: 100%). Each fault is planted at run time "
        "in an operation's rule (by the op's name) or an engine function (by its name), not by editing files, "
        "so the run survives refactoring; the fused loop's are rewrites of its source, which refuse to run if "
        "the text they change is not found. A mutant counts as killed only when a test fails on it: an error "
        "before the tests run stops the run instead (tests/test_mutation_run.py).", "",
        "| fault | planted in | result | first failing test |", "|---|---|---|---|", *rows, "",
    ])
    with replacing(REPORT) as temporary:  # whole or not at all
        temporary.write_text(report)
    print(f"kill rate {rate:.0%} ({killed_count}/{len(mutants)}); report in {REPORT.relative_to(ROOT)}")
    if killed_count < len(mutants):
        sys.exit(1)


if __name__ == "__main__":
    main()
