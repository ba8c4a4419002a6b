"""The demo's command line: every bad option or unusable output folder ends the same
way, with exit status 2 and one clear line, never a traceback. Runs the real script."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "demos" / "backprop_from_scratch.py"


def run_demo(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    return [line for line in result.stderr.splitlines() if "error:" in line]


@pytest.mark.parametrize("seed", ["-1", "-100"])
def test_a_negative_seed_exits_2_with_one_line(seed, tmp_path):
    result = run_demo("--seed", seed, "--iterations", "5", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert error_lines(result) == [
        f"backprop_from_scratch.py: error: argument --seed: must be at least 0, got {seed}"]
    assert not (tmp_path / "out").exists()


def test_seed_zero_and_large_seeds_are_accepted():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from backprop_from_scratch import parse_args
    finally:
        sys.path.remove(str(SCRIPT.parent))
    assert parse_args(["--seed", "0"]).seed == 0
    assert parse_args(["--seed", str(2**70)]).seed == 2**70


def unwritable_folder(tmp_path: Path) -> Path:
    """An existing folder this process cannot create a file in: a read-only folder, or
    for root (whom permissions do not stop) a folder of a virtual file system."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    for candidate in (locked, Path("/sys"), Path("/proc")):
        try:
            with tempfile.TemporaryFile(dir=candidate):
                pass
        except OSError:
            return candidate
    pytest.skip("no folder here refuses new files to this user")


def test_an_existing_folder_that_cannot_be_written_into_exits_2_with_one_line(tmp_path):
    folder = unwritable_folder(tmp_path)
    try:
        result = run_demo("--iterations", "5", "--out", str(folder), cwd=tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.splitlines()  # one line, no traceback, nothing run before it
    assert line.startswith(f"error: cannot write into the output folder {folder}: ")
    assert result.stdout == ""
    assert os.listdir(tmp_path) == ["locked"]


@pytest.mark.parametrize("demo", ["moons.py", "classify.py", "second_order.py", "gallery.py"])
def test_every_demo_refuses_an_output_folder_it_cannot_make_before_any_work(demo, tmp_path):
    # moons and classify trained first and then ended in a traceback; second_order and
    # gallery ended in mkdir's traceback
    (tmp_path / "a file").write_text("")
    result = subprocess.run([sys.executable, str(SCRIPT.parent / demo), "--out", str(tmp_path / "a file" / "x")],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "cannot create the output folder" in error_lines(result)[0]
    assert result.stdout == ""
