"""The benchmark scripts run (in their tiny --quick mode: a smoke test, no timing
assertions), and their variants agree on the numbers before anything is timed; the
old-engine loader (benchmarks/baseline.py) runs an old copy of the project beside ours."""

from __future__ import annotations

import functools
import importlib.util
import io
import itertools
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Tensor, Value

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
OLD_COMMIT = "fc573f7"  # main before the core redesign (issue 11)
SCRIPTS = ["bench_scalar.py", "bench_notebook.py", "bench_mlp.py", "bench_scaling.py", "bench_moons.py"]


def quick(script: str, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCHMARKS / script), "--quick", "--no-write", *options],
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("script", SCRIPTS)
def test_benchmark_runs_in_quick_mode(script):
    result = quick(script)
    assert result.returncode == 0, result.stderr
    assert "| autograd" in result.stdout  # our engine was timed
    assert "computes different numbers" not in result.stdout + result.stderr
    goals = result.stdout[result.stdout.index("| goal | this run | |"):].splitlines()[2:]
    rows = list(itertools.takewhile(lambda line: line.startswith("| "), goals))  # what the README copies
    assert rows and all(line.rstrip().endswith(("| met |", "| **not met** |", "| not measured |")) for line in rows)


@pytest.fixture
def harness(monkeypatch, tmp_path):
    """benchmarks/harness.py, writing into a RESULTS.md and a README.md under tmp_path."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    monkeypatch.setenv("OMP_WAIT_POLICY", "PASSIVE")  # what importing harness sets, undone after the test
    import harness

    monkeypatch.setattr(harness, "RESULTS", tmp_path / "RESULTS.md")
    monkeypatch.setattr(harness, "README", tmp_path / "README.md")
    return harness


def test_the_readme_gets_the_goals_of_every_benchmark_and_none_of_the_tables(harness, capsys):
    readme = ("# Project\n\n## Performance\n\nSummary:\n\n<!-- begin goals -->\nby hand\n<!-- end goals -->\n\n"
              "Full tables: benchmarks/RESULTS.md.\n")
    harness.README.write_text(readme)
    for i, name in enumerate(harness.GOAL_SECTIONS):
        body = "| variant | median |\n|---|---|\n| autograd | 1 ms |\n\n" + harness.goals(
            [(f"{name} goal", f"{i}.5x", i % 2 == 0), (f"{name} second goal", "absent", None)])
        harness.write_section(name, f"{i}. {name}", body, f"python benchmarks/bench_{name}.py")
        if name != harness.GOAL_SECTIONS[-1]:  # until every benchmark has goals, the README keeps its table
            assert harness.README.read_text() == readme
            assert "left as it was" in capsys.readouterr().err
    harness.write_section("tricks", "Speed tricks", "| setting | time |\n|---|---|\n| all | 1 |", "python x.py")
    text = harness.README.read_text()
    table = text[text.index("<!-- begin goals -->"):text.index("<!-- end goals -->")].splitlines()[1:]
    assert table[:2] == ["| goal | this run | |", "|---|---|---|"]
    assert table[2:] == [row for i, name in enumerate(harness.GOAL_SECTIONS) for row in (
        f"| {name} goal | {i}.5x | {'met' if i % 2 == 0 else '**not met**'} |",
        f"| {name} second goal | absent | not measured |")]
    assert text.replace("\n".join(table) + "\n", "by hand\n") == readme  # nothing else changed
    assert "| variant |" not in text and "| setting |" not in text  # the full tables stay in RESULTS.md
    assert harness.RESULTS.read_text().count("| variant | median |") == len(harness.GOAL_SECTIONS)


def test_a_goal_is_met_as_the_number_beside_it_reads(harness):
    assert harness.at_most(1.0549, 1.05) and not harness.at_most(1.0551, 1.05)


def test_the_readme_has_the_goals_table_the_scripts_rewrite():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("<!-- begin goals -->"):readme.index("<!-- end goals -->")]
    assert "| goal | this run | |" in section
    assert "<!-- begin benchmark results -->" not in readme  # the full tables are RESULTS.md's


@functools.cache
def load_baseline_module():
    """benchmarks/baseline.py by its path (benchmarks/ is not a package), once."""
    spec = importlib.util.spec_from_file_location("bench_baseline", BENCHMARKS / "baseline.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def old_tree(tmp_path_factory) -> Path:
    """The project as of OLD_COMMIT, exported with git archive outside the repository."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", OLD_COMMIT], capture_output=True)
    if archive.returncode != 0:
        pytest.skip(f"commit {OLD_COMMIT} is not in this checkout: {archive.stderr.decode().strip()}")
    tree = tmp_path_factory.mktemp(f"baseline-{OLD_COMMIT}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        try:
            tar.extractall(tree, filter="data")
        except TypeError:  # Python before 3.10.12 has no filter; the archive is this repository's own
            tar.extractall(tree)
    return tree


def tiny_graphs(autograd_module, nn_module) -> list[np.ndarray]:
    """A Value graph, a Tensor graph and an nn step, through one engine's public API."""
    Value_, Tensor_ = autograd_module.Value, autograd_module.Tensor
    x, y = Value_(0.5), Value_(-1.5)
    z = (x * y + x ** 2).tanh() * y.sigmoid() + (x - y).relu() / (1 + y.exp())
    z.backward()
    rng = np.random.default_rng(3)
    W = Tensor_(rng.normal(size=(3, 2)), requires_grad=True)
    loss = ((Tensor_(rng.normal(size=(4, 3))) @ W).sigmoid() * 2 - 1).sum()
    loss.backward()
    linear = nn_module.Linear(3, 2, rng=0)
    linear.load_state_dict({"weight": rng.normal(size=(2, 3)), "bias": rng.normal(size=2)})
    model = nn_module.Sequential(linear, nn_module.Sigmoid())
    optimizer = nn_module.SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad()
    nn_module.mse_loss(model(rng.normal(size=(5, 3))), rng.normal(size=(5, 2))).backward()
    optimizer.step()
    return [np.array([z.data, x.grad, y.grad]), np.asarray(loss.data), W.grad, linear.weight.data, linear.bias.data]


def test_baseline_loads_an_old_tree_under_its_own_names_and_computes_our_numbers(old_tree):
    baseline = load_baseline_module()
    old = baseline.load(old_tree, suffix="_test_old")
    assert old.autograd.__name__ == "autograd_test_old" and old.nn.__name__ == "nn_test_old"
    assert not Path(old.autograd.__file__).resolve().is_relative_to(ROOT)  # a copy, not this tree
    assert old.autograd.Tensor is not Tensor and old.autograd.Value is not Value
    # the old nn's imports were renamed: it builds the old engine's nodes, not ours
    weight = old.nn.Linear(3, 2, rng=0).weight
    assert isinstance(weight, old.autograd.Tensor) and not isinstance(weight, Tensor)
    assert not isinstance(nn.Linear(3, 2, rng=0).weight, old.autograd.Tensor)
    assert old.module("backprop_from_scratch").nn is old.nn  # the old demo runs on the old engine
    assert old.module("autograd.draw").__name__ == "autograd_test_old.draw"
    assert baseline.load(old_tree, suffix="_test_old").autograd is old.autograd  # loaded once
    for theirs, ours in zip(tiny_graphs(old.autograd, old.nn), tiny_graphs(baseline.CURRENT.autograd, nn)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)  # the benchmarks' own agreement check


def test_baseline_refuses_a_folder_that_is_not_the_project(tmp_path):
    baseline = load_baseline_module()
    with pytest.raises(ValueError, match=r"no autograd/__init__.py and nn/__init__.py there.*git archive"):
        baseline.load(tmp_path)


def test_rename_imports_keeps_the_bound_names_and_refuses_what_it_cannot_rename():
    rename = load_baseline_module().rename_imports
    source = ("import nn\nimport nn as torchless  # why\nfrom autograd.files import replacing\n"
              "def f():\n    from nn import Linear\nimport nnx\nfrom autograd_extra import y\n")
    assert rename(source, ["autograd", "nn"], "_old") == (
        "import nn_old as nn\nimport nn_old as torchless  # why\nfrom autograd_old.files import replacing\n"
        "def f():\n    from nn_old import Linear\nimport nnx\nfrom autograd_extra import y\n")
    for unrenamable in ("import autograd.draw\n", "import nn, autograd\n"):
        with pytest.raises(ValueError, match="cannot rename the import"):
            rename(unrenamable, ["autograd", "nn"], "_old")


def test_benchmark_runs_the_old_engine_beside_ours(old_tree):
    result = quick("bench_moons.py", "--baseline", str(old_tree))  # the quickest script without PyTorch
    assert result.returncode == 0, result.stderr
    assert "| autograd.Value (old engine) |" in result.stdout
    assert "× old engine |" in result.stdout  # our time over the old engine's, beside ours
    assert "computes different numbers" not in result.stdout + result.stderr


def test_a_wrong_baseline_folder_is_a_clear_error(tmp_path):
    result = quick("bench_scaling.py", "--baseline", str(tmp_path))
    assert result.returncode != 0
    assert "--baseline:" in result.stderr and "git archive" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_workload_the_instruction_counter_names_runs(monkeypatch):
    """benchmarks/instructions.py runs each workload under valgrind (not in the suite: slow,
    and valgrind is a developer's tool); here each child script runs once without it, small."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    import instructions

    for name, (module, factory, _, per) in {**instructions.WORKLOADS, **instructions.MLP_WORKLOADS}.items():
        if "100,000" in name or "MLP" in name:
            continue  # the same code as the 1,000-op chain and bench_mlp's quick test
        script = instructions.CHILD.format(here=str(BENCHMARKS), module=module, tree="", factory=factory, runs=0,
                                           per=f"bench.{per}" if per.isidentifier() else per)
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{name}: {done.stderr[-2000:]}"
        assert int(done.stdout.split("per-run")[1]) >= 1


def test_the_collector_script_times_each_workload_with_the_collector_on_and_off():
    result = quick("collector.py")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ") and "| ours |" in line]
    assert len(rows) == 2  # moons and the scalar MLP (the long chain is left out of --quick)
    for row in rows:
        on_over_off = float(row.split("|")[5])
        assert on_over_off > 0
