"""Mutation run: prove that the test suite fails for deliberate faults in the engine and
the op rules.

Each mutant is one small edit (a dropped term of a derivative, a flipped sign, `=` where
`+=` belongs, a skipped broadcast reduction, a node visited twice, a node skipped...).
For each, the project is copied to a temporary folder, the edit applied, and the fast
part of the test suite run there; the mutant is *killed* when the tests fail. Writes
docs/mutants.md with the kill rate (goal: 100%).

    python tools/mutants.py            (or: make mutants; takes a few minutes)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograd.files import replacing  # noqa: E402

REPORT = ROOT / "docs" / "mutants.md"
FAST_TESTS = [
    "tests/test_ops.py", "tests/test_engine.py", "tests/test_regressions.py", "tests/test_seed_notebook.py",
    "tests/test_random_graphs.py", "tests/test_fuzz.py", "tests/test_tensor_api.py", "tests/test_nn.py",
    "tests/test_draw.py",
]


@dataclass
class Mutant:
    what: str
    file: str
    old: str
    new: str


MUTANTS = [
    # derivative rules (autograd/ops.py)
    Mutant("drop a term: sigmoid' = s instead of s(1-s)", "autograd/ops.py",
           "lambda grad, out, x: grad * out * (1 - out)", "lambda grad, out, x: grad * out"),
    Mutant("drop a term: d(a/b)/db = -1/b^2 instead of -a/b^2", "autograd/ops.py",
           "-grad * a / (b * b)", "-grad / (b * b)"),
    Mutant("drop a term: d(a^b)/da = b*a^b instead of b*a^(b-1)", "autograd/ops.py",
           "        return grad * b * power(a, b - 1)\n", "        return grad * b * power(a, b)\n"),
    Mutant("drop a term: mean's gradient not divided by n", "autograd/ops.py",
           "_expand_reduced(grad, x.shape, axis, keepdims) / _reduced_count(x.shape, axis)",
           "_expand_reduced(grad, x.shape, axis, keepdims)"),
    Mutant("flip a sign: d(a-b)/db = +1", "autograd/ops.py",
           "lambda grad, out, a, b: -grad),", "lambda grad, out, a, b: grad),"),
    Mutant("flip a sign: d(-x)/dx = +1", "autograd/ops.py",
           "derivatives=(lambda grad, out, x: -grad,),", "derivatives=(lambda grad, out, x: grad,),"),
    Mutant("flip a sign: tanh' = 1 + tanh^2", "autograd/ops.py", "grad * (1 - out * out)", "grad * (1 + out * out)"),
    Mutant("wrong rule: exp' = 1", "autograd/ops.py",
           "derivatives=(lambda grad, out, x: grad * out,),", "derivatives=(lambda grad, out, x: grad,),"),
    Mutant("wrong rule: log' = x instead of 1/x", "autograd/ops.py", "lambda grad, out, x: grad / x,",
           "lambda grad, out, x: grad * x,"),
    Mutant("wrong rule: d(a*b)/da = a", "autograd/ops.py", "derivatives=(lambda grad, out, a, b: grad * b,",
           "derivatives=(lambda grad, out, a, b: grad * a,"),
    Mutant("wrong rule: relu passes the gradient at 0", "autograd/ops.py", "zero_where(_raw(out) <= 0, grad)",
           "zero_where(_raw(out) < 0, grad)"),
    Mutant("wrong rule: linear's weight gradient not transposed (2-D inputs)", "autograd/ops.py",
           "        return grad.T @ x\n", "        return (grad.T @ x).T.reshape(w.shape)\n"),
    Mutant("wrong rule: linear's weight gradient not transposed (batched inputs)", "autograd/ops.py",
           "grad.reshape((-1, grad.shape[-1])).T @ x.reshape((-1, x.shape[-1]))",
           "(grad.reshape((-1, grad.shape[-1])).T @ x.reshape((-1, x.shape[-1]))).T.reshape(w.shape)"),
    Mutant("assignment instead of accumulation: indexing's scatter", "autograd/ops.py",
           "np.add.at(full, index, grad)", "full[index] = grad"),
    Mutant("skip a broadcast reduction: stretched axes not summed", "autograd/ops.py",
           "grad = grad.sum(axis=stretched, keepdims=True)", "pass"),
    Mutant("skip a broadcast reduction: batched matmul", "autograd/ops.py",
           "return sum_to(a2.swapaxes(-1, -2) @ grad, b2.shape).reshape(b.shape)",
           "return (a2.swapaxes(-1, -2) @ grad).reshape(b.shape)"),
    # the engine (autograd/engine.py)
    Mutant("assignment instead of accumulation (first input)", "autograd/engine.py",
           "a.grad = da if previous is None else previous + da", "a.grad = da"),
    Mutant("assignment instead of accumulation (second input)", "autograd/engine.py",
           "b.grad = db if previous is None else previous + db", "b.grad = db"),
    Mutant("skip the broadcast reduction in the engine", "autograd/engine.py",
           "                    db = sum_to(db, y.shape)", "                    pass"),
    Mutant("visit a node twice: no visited check in the sort", "autograd/engine.py",
           "        if node in visited:\n            continue\n", ""),
    Mutant("skip a node: the second in backward order", "autograd/engine.py",
           "        for node in order:\n            grad = node.grad",
           "        for node in order[:1] + order[2:]:\n            grad = node.grad"),
    Mutant("drop the path to a reused input (b = a + a)", "autograd/engine.py",
           "db = rules[1](grad, out, x, y) if b.requires_grad else None",
           "db = rules[1](grad, out, x, y) if b.requires_grad and b is not a else None"),
    Mutant("intermediate gradients not reset between passes", "autograd/engine.py",
           "            before.append((node, node.grad))\n        node.grad = None\n",
           "            before.append((node, node.grad))\n"),
    Mutant("intermediate gradients kept although backward(intermediate_grads=False)", "autograd/engine.py",
           "node.grad = node._grad_before_backward  # used: let it go now", "pass  # used: let it go now"),
    Mutant("leaves overwrite instead of accumulating across backward calls", "autograd/tensor.py",
           "            self.grad += grad  # accumulate in place, as PyTorch does", "            self.grad = grad"),
]


def run_mutant(mutant: Mutant, workdir: Path) -> tuple[bool, float, str]:
    target = workdir / mutant.file
    source = target.read_text()
    if source.count(mutant.old) != 1:
        raise SystemExit(f"mutant '{mutant.what}': the text to replace occurs {source.count(mutant.old)} times "
                         f"in {mutant.file}; update tools/mutants.py")
    target.write_text(source.replace(mutant.old, mutant.new))
    started = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--no-header", *FAST_TESTS],
            cwd=workdir, capture_output=True, text=True, timeout=900,
        )
        killed = result.returncode != 0
        first_failure = next((line for line in result.stdout.splitlines() if line.startswith("FAILED")), "")
    except subprocess.TimeoutExpired:
        killed, first_failure = True, "timed out"
    finally:
        target.write_text(source)
    return killed, time.perf_counter() - started, first_failure


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary) / "project"
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
        for name in listed.stdout.splitlines():
            (workdir / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, workdir / name)
        baseline = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *FAST_TESTS],
                                  cwd=workdir, capture_output=True, text=True)
        if baseline.returncode != 0:
            raise SystemExit("the tests fail without any mutant; fix that first:\n" + baseline.stdout[-2000:])
        rows, killed_count = [], 0
        for mutant in MUTANTS:
            killed, seconds, failure = run_mutant(mutant, workdir)
            killed_count += killed
            verdict = "killed" if killed else "SURVIVED"
            print(f"{verdict:8s} {seconds:5.1f} s  {mutant.what}", flush=True)
            rows.append(f"| {mutant.what} | `{mutant.file}` | {verdict} | {failure.removeprefix('FAILED ')[:90]} |")
    rate = killed_count / len(MUTANTS)
    report = "\n".join([
        "# Mutation run", "",
        f"Written by `python tools/mutants.py` (`make mutants`). {killed_count} of {len(MUTANTS)} deliberate "
        f"faults were caught by the tests: kill rate {rate:.0%} (goal: 100%).", "",
        "| fault | file | result | first failing test |", "|---|---|---|---|", *rows, "",
    ])
    REPORT.parent.mkdir(exist_ok=True)
    with replacing(REPORT) as temporary:  # whole or not at all
        temporary.write_text(report)
    print(f"kill rate {rate:.0%} ({killed_count}/{len(MUTANTS)}); report in {REPORT.relative_to(ROOT)}")
    if killed_count < len(MUTANTS):
        sys.exit(1)


if __name__ == "__main__":
    main()
