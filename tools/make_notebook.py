"""Writes demos/backprop_from_scratch.ipynb (run from the repository root): the notebook
calls the functions of demos/backprop_from_scratch.py, cell by cell."""
import nbformat as nbf

nb = nbf.v4.new_notebook()
md, code = nbf.v4.new_markdown_cell, nbf.v4.new_code_cell
cells = [
 md("# Backprop from Scratch, on our autograd engine\n\n"
    "The notebook of June 3, 2022 built a 3-4-2 network in NumPy and derived its gradients by hand. "
    "Here the same network runs on `autograd` Tensors through `nn`, and the hand-derived gradients are "
    "checked against the automatic and the numerical ones. The functions live in "
    "`backprop_from_scratch.py` next to this notebook (the script runs the same cells from the command line)."),
 code("import os\nfrom pathlib import Path\n\nimport backprop_from_scratch as demo\nimport numpy as np\n"
      "from IPython.display import Image\n\nimport nn\n\n"
      "# The tests run this notebook with fewer iterations and another output folder.\n"
      "ITERATIONS = int(os.environ.get('BACKPROP_ITERATIONS', demo.ITERATIONS))\n"
      "OUT = os.environ.get('BACKPROP_OUT', 'out')\n"
      "os.makedirs(OUT, exist_ok=True)\n"
      "rng = np.random.default_rng(0)\n"
      "np.set_printoptions(precision=8)"),
 md("**[2]** Hyperparameters"),
 code("stepsize = demo.STEPSIZE\nstepsize"),
 md("**[3]-[5]** The network: x → W1·x = z → sigmoid(z) = h → W2·h = out, with W1 (4,3) and W2 (2,4). "
    "The notebook's comment says the weights are Gaussian, but `np.random.rand` draws uniformly from [0, 1), "
    "and so do we. The loss is 0.5·Σ(y − out)²."),
 code("model = demo.init_weights(rng)\nmodel"),
 md("**[6]** Forward on a random x with the label y = [10, −2]"),
 code("x = rng.random((3, 1))\ny = demo.LABEL\nout = demo.forward(model, x)\nL = demo.loss(y, out)\n"
      "print(x)\nprint(y)\nprint(out.data)\nL.item()"),
 md("**[7], [8]** The notebook's hand-derived gradients (`demo.W2_grad`, `demo.W1_grad`, ported as written) "
    "against the automatic ones and central differences"),
 code("report = demo.compare_gradients(model, x, y)\nprint(report)\nassert report.passed"),
 md("The network's graph after `backward()`, with W1 and W2 coloured by whether the hand-derived "
    "gradients agree with the automatic ones (needs Graphviz's `dot`; without it the DOT source is written)."),
 code("graph_files = demo.draw_network(model, x, y, Path(OUT))\n"
      "Image(filename=str(graph_files[-1])) if graph_files[-1].suffix == '.png' else graph_files"),
 md("**[9]** One SGD step with the stepsize"),
 code("L.backward()\nnn.SGD(model.parameters(), lr=stepsize).step()\n"
      "model[0].weight.data, model[2].weight.data"),
 md("**[10]** Fitting the fixed label: for each learning rate, fresh weights and per-sample SGD on random x"),
 code("runs, model = demo.sweep(demo.LEARNING_RATES, ITERATIONS, rng)\n"
      "files = demo.plot_losses(runs, Path(OUT))\n"
      "Image(filename=str(files[0]))"),
 md("**[11]** Inference with the weights of the last run, as the notebook did"),
 code("x = rng.random((3, 1))\nprint('input x:\\n', x, '\\n')\nprint('label y:\\n', y, '\\n')\n"
      "pred = demo.forward(model, x)\nprint('prediction:\\n', pred.data, '\\n')\n"
      "print('Loss:', demo.loss(y, pred).item())"),
 code("for run in runs:\n    print(f'lr={run.learning_rate:<8g} {run.status}')"),
]
for number, cell in enumerate(cells):
    cell["id"] = f"cell-{number:02d}"  # stable ids: regenerating changes nothing
nb["cells"] = cells
nb["metadata"] = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                  "language_info": {"name": "python"}}
nbf.write(nb, "demos/backprop_from_scratch.ipynb")
