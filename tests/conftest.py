import os
import sys

import numpy as np
import pytest
from hypothesis import settings

# Keep hypothesis quick and repeatable in CI (the same examples every run: a failure is
# a regression, not luck); HYPOTHESIS_PROFILE=thorough for a longer, random run.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def op_table():
    """Put the op table and the node types' methods back as they were after the test
    (for tests, and README examples, that define operations of their own)."""
    from autograd import Tensor, Value, ops

    before, methods = list(ops.OPS), {cls: dict(vars(cls)) for cls in (Value, Tensor)}
    yield
    ops.OPS[:] = before
    for cls, old in methods.items():
        for name in set(vars(cls)) - set(old):
            delattr(cls, name)
        for name, attribute in old.items():  # a test's `softplus` replaced the built-in one's method
            if vars(cls).get(name) is not attribute:
                setattr(cls, name, attribute)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20220603)  # the seed notebook's date


if os.environ.get("AUTOGRAD_MUTANT"):  # the mutation run (tools/mutants.py) plants one fault
    import importlib.util
    from pathlib import Path

    _spec = importlib.util.spec_from_file_location("mutants", Path(__file__).parent.parent / "tools" / "mutants.py")
    _mutants = importlib.util.module_from_spec(_spec)
    sys.modules["mutants"] = _mutants  # (before it runs: its dataclass looks its module up there)
    _spec.loader.exec_module(_mutants)
    _mutants.plant(os.environ["AUTOGRAD_MUTANT"])
