"""Writes demos/backprop_from_scratch.ipynb and executes it, so that it is stored with
its outputs (it reads on a code host without running it). Run from anywhere:

    .venv/bin/python tools/make_notebook.py

Each code cell follows the seed notebook's cell of the same number ("Backprop from
Scratch", June 3, 2022), written with the engine itself: Tensors, backward(), .grad,
check_gradients, draw_graph. tests/test_notebook_demo.py executes the stored notebook
from another folder and fails when its stored outputs are no longer what it prints."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat as nbf

NOTEBOOK = Path(__file__).resolve().parent.parent / "demos" / "backprop_from_scratch.ipynb"

md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
CELLS = [
    md("# Backprop from Scratch, on our autograd engine\n\n"
       "The notebook of June 3, 2022 built a 3-4-2 network in NumPy and derived its gradients by hand. "
       "Here the same cells run on `autograd` Tensors: the engine computes the gradients with `backward()`, "
       "and the notebook's hand-derived ones are checked against them and against numerical ones. "
       "The numbers in brackets are the seed notebook's cell numbers (`make demo` prints the same ones). "
       "The cells are the same as `make demo`'s, but not the numbers (the x and the loss of [6], for one): "
       "the demo builds its layers with `nn.Linear`, which draws PyTorch-style initial weights from the "
       "same seeded generator before they are replaced by the notebook's uniform ones, so every later "
       "random draw (the weights, each x) comes from a different place in the stream. "
       "It needs the project installed (`make demo` or `pip install -e .` in the repository)."),
    md("**[1]** Imports: the engine (`Tensor`) instead of hand-written derivatives"),
    code("import matplotlib.pyplot as plt\nimport numpy as np\nfrom IPython.display import Image\n\n"
         "from autograd import Tensor, draw_graph\nfrom autograd.draw import render_bytes\n"
         "from autograd.gradcheck import check_gradients\n\n"
         "np.set_printoptions(precision=6)\n"
         "rng = np.random.default_rng(0)  # seeded: the stored outputs are reproducible"),
    md("**[2]** Hyperparameters"),
    code("stepsize = 1e-4"),
    md("**[3]** sigmoid is an operation of the engine: `t.sigmoid()`, with its derivative "
       "s·(1 − s) as the backward rule"),
    code("Tensor([-2.0, 0.0, 2.0]).sigmoid()"),
    md("**[4]** The loss 0.5·Σ(y − out)², written with Tensor operations so the engine can differentiate it"),
    code("def loss(y, out):\n    return 0.5 * ((y - out) ** 2).sum()"),
    md("**[5]** The network x → W1·x = z → sigmoid(z) = h → W2·h = out, with W1 (4,3) and W2 (2,4). "
       "The seed's comment says the weights are Gaussian, but `np.random.rand` draws uniformly from [0, 1), "
       "and so do we. `requires_grad=True` asks the engine for their gradients."),
    code("def init_weights():\n"
         "    W1 = Tensor(rng.random((4, 3)), requires_grad=True, label='W1')\n"
         "    W2 = Tensor(rng.random((2, 4)), requires_grad=True, label='W2')\n"
         "    return W1, W2\n\n\n"
         "def forward(x, W1, W2):\n"
         "    z = W1 @ x          # (4, 1)\n"
         "    h = z.sigmoid()     # (4, 1)\n"
         "    out = W2 @ h        # (2, 1)\n"
         "    z.label, h.label, out.label = 'z', 'h', 'out'  # names for the picture\n"
         "    return out"),
    md("**[6]** Forward on a random x with the label y = [10, −2]: every result is a node of a graph"),
    code("W1, W2 = init_weights()\nx = Tensor(rng.random((3, 1)), label='x')\ny = Tensor([[10.0], [-2.0]], label='y')\n"
         "out = forward(x, W1, W2)\nL = loss(y, out)\nL.label = 'L'\n"
         "print(x.data)\nprint(y.data)\nprint(out.data)\nL.item()"),
    md("**[7], [8]** One `backward()` fills `W1.grad` and `W2.grad`. The seed derived them by hand; "
       "here are its two functions, as written, in NumPy:"),
    code("def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n\n"
         "def W2_grad(x, y, out, W1):\n"
         "    h = sigmoid(np.dot(W1, x))\n"
         "    dL_dW2 = np.dot((-y + out), h.T)\n"
         "    return dL_dW2\n\n\n"
         "def W1_grad(x, y, out, W1, W2):\n"
         "    z = np.dot(W1, x)\n"
         "    a = (-y + out).T\n"
         "    b = np.dot(a, W2)\n"
         "    c = sigmoid(z) * (1 - sigmoid(z))\n"
         "    d = b.T * c\n"
         "    dL_dW1 = d * x.T\n"
         "    return dL_dW1\n\n\n"
         "L.backward()\n"
         "hand_W1 = W1_grad(x.data, y.data, out.data, W1.data, W2.data)\n"
         "hand_W2 = W2_grad(x.data, y.data, out.data, W1.data)\n"
         "print('W2.grad (the engine):\\n', W2.grad)\nprint('W2_grad (by hand):\\n', hand_W2)\n"
         "print('W1.grad (the engine):\\n', W1.grad)\nprint('W1_grad (by hand):\\n', hand_W1)"),
    md("Three ways at once: automatic, hand-derived and numerical (central differences) gradients"),
    code("report = check_gradients(lambda W1, W2: loss(y, forward(x, W1, W2)), [W1, W2],\n"
         "                         hand_written=[hand_W1, hand_W2])\nprint(report)"),
    md("The graph the engine built, after `backward()`: each box shows its data and gradient, and W1 and W2 "
       "are coloured by whether the hand-derived gradients agree (needs Graphviz's `dot`)"),
    code("picture = draw_graph(L, hand_written={W1: hand_W1, W2: hand_W2})\n"
         "Image(render_bytes(picture.source, 'png'))"),
    md("**[9]** One gradient-descent step with the stepsize (the seed's `update_weights`)"),
    code("W1.data -= stepsize * W1.grad\nW2.data -= stepsize * W2.grad\nprint(W1.data)\nprint(W2.data)"),
    md("**[10]** Fitting the fixed label y = [10, −2]: for each learning rate, fresh weights and 2,000 "
       "per-sample steps on random x. Each step builds the graph again, backpropagates, and updates; the "
       "gradients are zeroed first because backward() adds to `.grad`."),
    code("plt.figure(figsize=(8, 4.5), dpi=100)\nplt.title('Training loss: the mean over each 40 iterations')\n"
         "learning_rates = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e+0]\n"
         "for stepsize in learning_rates:\n"
         "    W1, W2 = init_weights()\n"
         "    losses = []\n"
         "    for _ in range(2_000):\n"
         "        x = Tensor(rng.random((3, 1)))\n"
         "        L = loss(y, forward(x, W1, W2))\n"
         "        losses.append(L.item())\n"
         "        W1.zero_grad()\n"
         "        W2.zero_grad()\n"
         "        L.backward()\n"
         "        W1.data -= stepsize * W1.grad\n"
         "        W2.data -= stepsize * W2.grad\n"
         "    # one random x to the next moves the loss by decades: plot the mean of each 40 steps\n"
         "    means = np.mean(np.reshape(losses, (50, 40)), axis=1)\n"
         "    print(f'lr={stepsize:<6g} mean loss {means[0]:9.4g} (iterations 0-39) -> {means[-1]:9.4g} (1960-1999)')\n"
         "    plt.plot(np.arange(50) * 40 + 19.5, means, marker='o', markersize=2.5, label=f'lr={stepsize:g}')\n"
         "plt.yscale('log')\nplt.xlabel('Iteration')\nplt.ylabel('Mean loss (log scale)')\n"
         "plt.legend(loc='lower left', title='stepsize (learning rate)', ncol=2)\nplt.show()"),
    md("**[11]** Inference with the weights left by the last run, as the seed did"),
    code("x = Tensor(rng.random((3, 1)))\nprint('input x:\\n', x.data, '\\n')\nprint('label y:\\n', y.data, '\\n')\n"
         "pred = forward(x, W1, W2)\nprint('prediction:\\n', pred.data, '\\n')\nprint('Loss:', loss(y, pred).item())"),
]


def build() -> nbf.NotebookNode:
    notebook = nbf.v4.new_notebook()
    for number, cell in enumerate(CELLS):
        cell["id"] = f"cell-{number:02d}"  # stable ids: regenerating changes nothing
    notebook["cells"] = CELLS
    notebook["metadata"] = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                            "language_info": {"name": "python"}}
    return notebook


def execute(notebook: nbf.NotebookNode, folder: Path) -> nbf.NotebookNode:
    """Run every cell in a fresh kernel with ``folder`` as the working folder; no
    timings are recorded, so that re-running changes only what the cells print."""
    import nbclient

    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(folder)}}).execute()
    for cell in notebook.cells:  # libraries' warnings (a font fallback) depend on the machine: not stored
        if "outputs" in cell:
            cell.outputs = _joined([o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")])
    return notebook


def _joined(outputs: list) -> list:
    """One stream output per run of prints: the kernel splits them where its buffer
    happened to flush, and a code host shows each piece as its own block."""
    joined: list = []
    for output in outputs:
        if output.output_type == "stream" and joined and joined[-1].output_type == "stream" \
                and joined[-1].name == output.name:
            joined[-1].text += output.text
        else:
            joined.append(output)
    return joined


def main() -> int:
    notebook = execute(build(), NOTEBOOK.parent)
    nbf.write(notebook, NOTEBOOK)
    print(f"wrote {NOTEBOOK} ({NOTEBOOK.stat().st_size // 1024} KiB, executed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
