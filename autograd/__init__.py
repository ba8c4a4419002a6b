"""backprop-from-scratch: a small, readable autograd engine.

``Value`` is a scalar node, ``Tensor`` a NumPy-backed array node; both use one
backward engine (``engine.py``) and one table of operations (``ops.py``).
``draw_graph`` and ``backward_walkthrough`` make pictures of graphs and of the backward
pass (Graphviz and Pillow are imported only when a picture is made); ``explore`` makes
an interactive page of a graph, and ``Recorder`` one of a training run.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0
"""

from .draw import GraphvizNotFoundError, draw_graph, render_graph
from .engine import (
    AnomalyError,
    Node,
    backward_order,
    detect_anomaly,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
)
from .explore import Explorer, Recorder, explore
from .tensor import Tensor, as_tensor
from .value import Value
from .walkthrough import backward_walkthrough

__all__ = [
    "AnomalyError",
    "Explorer",
    "GraphvizNotFoundError",
    "Node",
    "Recorder",
    "Tensor",
    "Value",
    "as_tensor",
    "backward_order",
    "backward_walkthrough",
    "detect_anomaly",
    "draw_graph",
    "explore",
    "render_graph",
    "enable_grad",
    "grad",
    "is_grad_enabled",
    "no_grad",
]

# autograd.explore is the function; its module's Recorder is reachable from it too
explore.Recorder = Recorder

__version__ = "0.1.0"
