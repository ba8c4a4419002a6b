import os

import numpy as np
import pytest
from hypothesis import settings

# Keep hypothesis quick in CI; HYPOTHESIS_PROFILE=thorough for a longer run.
settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("thorough", max_examples=2000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20220603)  # the seed notebook's date
