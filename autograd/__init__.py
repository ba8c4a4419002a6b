"""backprop-from-scratch: a small, readable autograd engine.

``Value`` is a scalar node, ``Tensor`` a NumPy-backed array node; both use one backward
pass (``core.py``) and one table of operations (``ops.py``, ``more_ops.py``), each an
``Op`` you can also define yourself. ``draw_graph`` and ``backward_walkthrough`` make
pictures of graphs and of the backward pass (Graphviz and Pillow are imported only when
a picture is made); ``explore`` makes an interactive page of a graph, and
``Recorder`` one of a training run.

>>> from autograd import Value
>>> x = Value(3.0)
>>> y = x * x + 2 * x
>>> y.backward()
>>> x.grad
8.0
"""

from . import (
    fast,  # noqa: E402  (last: the speed tricks replace method bodies once everything exists)
    more_ops,  # noqa: F401  (defines the operations beyond the seed's)
    user_ops,
)
from .core import Node, backward_order
from .creation import ones, randn, tensor, zeros
from .draw import GraphvizNotFoundError, draw_graph, render_graph
from .explore import Explorer, Recorder, explore
from .modes import AnomalyError, detect_anomaly, enable_grad, grad, is_grad_enabled, no_grad
from .more_ops import EXP as exp
from .more_ops import LOG as log
from .more_ops import RELU as relu
from .more_ops import TANH as tanh
from .ops import MATMUL as matmul
from .ops import SIGMOID as sigmoid
from .ops import Op
from .tensor import Tensor, as_tensor
from .toolbox_ops import cat, maximum, minimum, stack, where  # issue 13's ops
from .value import Value
from .walkthrough import backward_walkthrough

if fast.ENABLED:
    fast.install()
user_ops.package_defined()  # (every op defined from now on is a user's, and is checked: user_ops.py)

__all__ = [
    "AnomalyError",
    "Explorer",
    "GraphvizNotFoundError",
    "Node",
    "Op",
    "Recorder",
    "Tensor",
    "Value",
    "as_tensor",
    "cat",
    "maximum",
    "minimum",
    "ones",
    "randn",
    "stack",
    "tensor",
    "where",
    "zeros",
    "backward_order",
    "backward_walkthrough",
    "detect_anomaly",
    "draw_graph",
    "explore",
    "render_graph",
    "enable_grad",
    "exp",
    "log",
    "matmul",
    "relu",
    "sigmoid",
    "tanh",
    "grad",
    "is_grad_enabled",
    "no_grad",
]

# autograd.explore is the function; its module's Recorder is reachable from it too
explore.Recorder = Recorder  # type: ignore[attr-defined]  # (a function attribute: no way to declare one)

__version__ = "0.1.0"
