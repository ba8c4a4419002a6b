"""What a newcomer meets first: `make demo` installs only what the demos need and says
what it is doing; the quickstart is a ten-line first look that runs as its docstring
says; the README's examples teach (no saturated tanh) and leave `git status` clean;
`pip install .` leaves no build folders in the tree; the packages ship their type
hints (py.typed) and mypy finds no error in them."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def dry_run(target: str, tmp_path: Path) -> str:
    """The commands `make <target>` would run on a fresh clone (no .venv yet)."""
    if not shutil.which("make"):
        pytest.skip("make is not installed")
    result = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'venv'}"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_make_demo_installs_only_the_runtime_dependencies_and_says_what_it_installs(tmp_path):
    commands = dry_run("demo", tmp_path)
    installs = [line for line in commands.splitlines() if " install " in line and "pip" in line]
    assert installs and all(line.rstrip().endswith("install -e .") for line in installs), installs
    assert "--quiet" not in commands and "-q " not in commands  # pip's own progress shows
    assert "echo \"==> installing the project and what the demos need" in commands
    assert "demos/backprop_from_scratch.py" in commands


def test_make_explore_installs_only_the_runtime_dependencies_too(tmp_path):
    """The README's tour runs `make explore` right after `make demo`: no test extra."""
    commands = dry_run("explore", tmp_path)
    installs = [line for line in commands.splitlines() if " install " in line and "pip" in line]
    assert installs and all(line.rstrip().endswith("install -e .") for line in installs), installs
    assert "demos/explore_seed.py" in commands


def test_make_test_still_installs_the_test_extra(tmp_path):
    commands = dry_run("test", tmp_path)
    assert "install -e '.[test]'" in commands and "pytest" in commands


def test_quickstart_is_a_ten_line_first_look_with_the_right_run_command(tmp_path):
    script = ROOT / "demos" / "quickstart.py"
    lines = script.read_text().splitlines()
    assert len(lines) <= 12, len(lines)
    command = re.search(r"`(make \w+)`", lines[0])
    assert command, "the docstring names the command that runs it"
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index(f"\n{command.group(1).split()[1]}:"):].split("\n\n")[0]
    assert "demos/quickstart.py" in recipe, recipe
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "dc/da = -3.0" in result.stdout and "dc/db = -4.0" in result.stdout
    assert result.stdout.count(" ok") == 6 and "Gradient check PASSED" in result.stdout


def test_the_readme_walkthrough_example_has_gradients_that_teach(tmp_path, monkeypatch, capsys):
    """tanh(-6) saturates: every gradient would be about 2.5e-05 times something, and the
    walkthrough would teach that gradients vanish. The example's tanh must be in its
    responsive range, with gradients of order one."""
    block = next(b for b in re.findall(r"```python\n(.*?)```", README, flags=re.S) if "backward_walkthrough(y)" in b)
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(block, "README walkthrough example", "exec"), names)
    x, w, y = names["x"], names["w"], names["y"]
    assert abs(y.data) < 0.9  # 1 - tanh^2 > 0.19
    assert all(0.1 < abs(node.grad) < 10 for node in (x, w)), (x.grad, w.grad)
    assert f"{x.grad:.4g}" in capsys.readouterr().out  # the walkthrough prints those numbers


def test_readme_examples_write_only_into_gitignored_folders():
    """The README's examples, and those of the pages under docs/ it links to."""
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    pages = [README, *(page.read_text() for page in sorted((ROOT / "docs").glob("*.md")))]
    code = "".join(block for page in pages for block in re.findall(r"```(?:sh|python)\n(.*?)```", page, flags=re.S))
    folders = set(re.findall(r"--out[ =]([a-z][\w./-]*)", code)) | set(re.findall(r"\"(\w+)/[\w.]+\.\w+\"", code))
    assert folders
    for folder in folders:
        top = folder.strip("/").split("/")[0]
        assert f"{top}/" in ignored, f"the README writes into {folder}, which git status would show"


def test_pip_install_dot_leaves_no_build_folders_in_the_tree(tmp_path):
    """`pip install .` on a copy of the project (with git's view of it): afterwards the
    tree holds no new folder (setuptools' build/ and *.egg-info go under .packaging/,
    setup.cfg), `git status` is clean, and the installed packages carry py.typed."""
    if importlib.util.find_spec("setuptools") is None:
        pytest.skip("setuptools is not installed in this environment (pip builds with it)")
    if not shutil.which("git"):
        pytest.skip("git is not installed")
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "out", "*.egg-info", "build",
                                                              "__pycache__", ".*_cache", ".hypothesis"))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run(git + ["init", "-q"], cwd=copy, check=True)
    subprocess.run(git + ["add", "-A"], cwd=copy, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "copy"], cwd=copy, check=True)
    before = {p.name for p in copy.iterdir()}
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--target", str(tmp_path / "site"), "."], cwd=copy, check=True, capture_output=True)
    assert {p.name for p in copy.iterdir()} == before
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=copy,
                            capture_output=True, text=True, check=True).stdout
    assert status == ""
    assert list((copy / ".packaging").glob("*.egg-info"))  # where setuptools did write
    for package in ("autograd", "nn"):
        assert (tmp_path / "site" / package / "py.typed").exists()


def test_both_packages_ship_a_py_typed_marker():
    pyproject = (ROOT / "pyproject.toml").read_text()
    section = pyproject[pyproject.index("[tool.setuptools.package-data]"):].split("\n\n")[0]
    for package in ("autograd", "nn"):
        assert (ROOT / package / "py.typed").exists()
        assert re.search(rf'^{package} = \[.*"py.typed"', section, flags=re.M), section


def test_mypy_finds_no_error_in_autograd_and_nn():
    """`make typecheck`: the configuration in pyproject.toml, cache in .mypy_cache."""
    pytest.importorskip("mypy", reason="mypy is in the test extra: pip install -e '.[test]'")
    result = subprocess.run([sys.executable, "-m", "mypy", "autograd", "nn"],
                            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:]
