"""The benchmark scripts run (in their tiny --quick mode: a smoke test, no timing
assertions), and their variants agree on the numbers before anything is timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize("script", ["bench_scalar.py", "bench_notebook.py", "bench_mlp.py", "bench_scaling.py"])
def test_benchmark_runs_in_quick_mode(script):
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--quick", "--no-write"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "| autograd" in result.stdout  # our engine was timed
    assert "computes different numbers" not in result.stdout + result.stderr
