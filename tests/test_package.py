"""Packaging promises: `import autograd` stays light; the public names are there."""

from __future__ import annotations

import subprocess
import sys

import autograd


def test_import_autograd_does_not_import_graphviz_or_matplotlib():
    code = (
        "import sys, autograd, autograd.gradcheck, nn; "
        "print(sorted(m for m in ('graphviz', 'matplotlib', 'torch', 'PIL') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_public_names():
    for name in ("Value", "Tensor", "no_grad", "enable_grad", "grad", "backward_order", "draw_graph",
                 "render_graph", "backward_walkthrough", "GraphvizNotFoundError"):
        assert name in autograd.__all__ and hasattr(autograd, name)


def test_importing_autograd_after_torch_warns_nothing():
    # Our import looks for nodes made before it among all of Python's objects; isinstance()
    # on each touched torch's deprecated module attributes, so `import torch; import autograd`
    # printed a FutureWarning about torch.distributed.reduce_op from autograd/fast.py.
    import pytest

    pytest.importorskip("torch")
    done = subprocess.run([sys.executable, "-W", "error", "-c", "import torch; import autograd"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-1500:]
