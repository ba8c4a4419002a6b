"""The mutation run (tools/mutants.py) must be able to report a survivor: a mutant counts
as killed only when a test fails on it, never when the tests could not run at all.
Until 2026-12-07 planting raised (tools/mutants.py's dataclass, executed without being in
sys.modules), pytest stopped with a usage error, and every mutant was "killed" in a second."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _mutants_module():
    spec = importlib.util.spec_from_file_location("mutants", ROOT / "tools" / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("mutants", module)
    spec.loader.exec_module(module)
    return module


def _pytest(mutant: str | None, *tests: str) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "AUTOGRAD_MUTANT"}
    env = dict(env, AUTOGRAD_NO_SPEED_TRICKS="1", **({"AUTOGRAD_MUTANT": mutant} if mutant else {}))
    return subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)


def test_a_planted_mutant_is_caught_by_a_failing_test_not_by_an_error():
    done = _pytest("flip a sign: d(a-b)/db = +1", "tests/test_engine.py")
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]  # (1: tests failed; 2-4: errors)
    assert "FAILED tests/test_engine.py::" in done.stdout


def test_the_same_tests_pass_without_the_mutant():
    done = _pytest(None, "tests/test_engine.py")
    assert done.returncode == 0, done.stdout[-2000:]


def test_the_run_refuses_to_count_a_mutant_it_could_not_plant_as_killed():
    mutants = _mutants_module()
    unplantable = mutants.Mutant("no mutant has this name", "nowhere", lambda: None)
    with pytest.raises(SystemExit, match="the tests did not run"):
        mutants.run_mutant(unplantable)
