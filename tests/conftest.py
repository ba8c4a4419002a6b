import os

import numpy as np
import pytest
from hypothesis import settings

# Keep hypothesis quick and repeatable in CI (the same examples every run: a failure is
# a regression, not luck); HYPOTHESIS_PROFILE=thorough for a longer, random run.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20220603)  # the seed notebook's date
