"""The classic exercises (demos/moons.py, classify.py, digits.py) run in small sizes, and
agree with their oracles step by step: micrograd for the moons, PyTorch for the spirals.
Each oracle is optional and skips cleanly when it is not installed."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest

import nn

DEMOS = Path(__file__).resolve().parent.parent / "demos"
sys.path.insert(0, str(DEMOS))
import classify  # noqa: E402
import digits  # noqa: E402
import moons  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_pngs(out: Path, names: list[str], printed: str) -> None:
    for name in names:
        path = out / name
        assert path.read_bytes()[:8] == PNG_SIGNATURE, name
        assert str(path) in printed  # the summary names every file it wrote


# ---- moons: micrograd's demo.ipynb


def micrograd_notebook(model, X, y, steps, Value):
    """The training cells of micrograd's demo.ipynb, kept as written there (with its
    100 steps as ``steps``): the oracle, independent of demos/moons.py's own loop."""
    history = []
    for k in range(steps):
        inputs = [list(map(Value, xrow)) for xrow in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi*scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        alpha = 1e-4
        reg_loss = alpha * sum(p*p for p in model.parameters())
        total_loss = data_loss + reg_loss
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
        acc = sum(accuracy) / len(accuracy)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9*k/steps
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total_loss.data, acc))
    return history


def test_moons_matches_micrograd_step_by_step():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    from micrograd.engine import Value as MicrogradValue

    X, y = moons.make_moons(16, 0.1, np.random.default_rng(3))
    random.seed(1337)  # micrograd draws its weights from Python's random module
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    ours = nn.MLP(2, [16, 16, 1], activation="relu", rng=0)
    our_parameters, their_parameters = ours.parameters(), theirs.parameters()
    assert len(our_parameters) == len(their_parameters) == 337
    for mine, micrograd_parameter in zip(our_parameters, their_parameters):
        mine.data = float(micrograd_parameter.data)  # the same order: each neuron's w, then b
    assert isinstance(ours([0.5, 0.5]), type(our_parameters[0]))  # one output: one Value, as micrograd's

    steps = 10
    expected = micrograd_notebook(theirs, X, y.tolist(), steps, MicrogradValue)
    got = moons.train(ours, X, y, steps)
    assert len({accuracy for _, accuracy in expected}) > 1  # the run goes somewhere
    for k, ((loss, accuracy), (their_loss, their_accuracy)) in enumerate(zip(got, expected)):
        assert accuracy == their_accuracy, f"step {k}"
        assert loss == pytest.approx(their_loss, rel=1e-13, abs=0), f"step {k}"
    for mine, micrograd_parameter in zip(our_parameters, their_parameters):
        assert mine.data == pytest.approx(micrograd_parameter.data, rel=1e-12, abs=1e-15)


def test_moons_demo_runs_and_draws_the_boundary(tmp_path, capsys):
    assert moons.main(["--out", str(tmp_path), "--steps", "3", "--samples", "16", "--grid", "8"]) == 0
    printed = capsys.readouterr().out
    assert "step 2 loss" in printed and "337 parameters" in printed
    assert_pngs(tmp_path, ["moons_boundary.png"], printed)


def test_moons_accuracy_printed_and_in_the_title_is_that_of_the_boundary_drawn(tmp_path, capsys, monkeypatch):
    # it was the accuracy before the last update (history[-1]), the boundary's after it:
    # "1 SGD steps, accuracy 23%" over a boundary that classifies 67% right
    trained, titles = [], []
    real_train = moons.train
    monkeypatch.setattr(moons, "train", lambda model, *a, **k: trained.append(model) or real_train(model, *a, **k))
    real_plot = moons.exercises.plot_regions
    monkeypatch.setattr(moons.exercises, "plot_regions",
                        lambda axis, *a, **k: titles.append(axis) or real_plot(axis, *a, **k))
    assert moons.main(["--out", str(tmp_path), "--steps", "1", "--samples", "30", "--grid", "5", "--seed", "2"]) == 0
    X, y = moons.make_moons(30, 0.1, np.random.default_rng(2))
    drawn = np.mean(moons.predict(trained[0], X) == (y > 0))
    printed = capsys.readouterr().out
    assert f"accuracy {drawn:.0%}" in printed.split("After the last step")[1]
    assert f"accuracy {drawn:.0%}" in titles[0].get_title()


def test_moons_data_has_two_balanced_labelled_half_circles():
    X, y = moons.make_moons(101, 0.0, np.random.default_rng(0))
    assert X.shape == (101, 2) and sorted(set(y)) == [-1.0, 1.0] and (y == -1).sum() == 50
    outer, inner = X[y == -1], X[y == 1]
    np.testing.assert_allclose(np.hypot(*outer.T), 1.0)  # on the unit circle
    np.testing.assert_allclose(np.hypot(inner[:, 0] - 1, inner[:, 1] - 0.5), 1.0)  # centred at (1, 0.5)


# ---- classify: three spirals, cross-entropy and AdamW


def torch_copy(model: nn.Sequential, torch):
    """The same network in torch.nn, float64, from our weights (the names match: 0.weight, ...)."""
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            layers.append(torch.nn.Linear(module.in_features, module.out_features, dtype=torch.float64))
        else:
            layers.append({"ReLU": torch.nn.ReLU, "Tanh": torch.nn.Tanh}[type(module).__name__]())
    theirs = torch.nn.Sequential(*layers)
    theirs.load_state_dict({name: torch.tensor(array) for name, array in model.state_dict().items()})
    return theirs


def test_classify_matches_torch_nn_and_adamw_step_by_step():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    X, y = classify.make_spirals(20, 3, rng)
    model = classify.make_model(16, 3, rng)
    theirs = torch_copy(model, torch)
    steps = 40
    optimizer = torch.optim.AdamW(theirs.parameters(), lr=classify.LR, weight_decay=classify.WEIGHT_DECAY)
    inputs, targets = torch.tensor(X), torch.tensor(y)
    expected = []
    for _ in range(steps):
        logits = theirs(inputs)
        loss = torch.nn.functional.cross_entropy(logits, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        expected.append((loss.item(), (logits.argmax(dim=1) == targets).double().mean().item()))
    got = classify.train(model, X, y, steps)
    assert expected[-1][0] < 0.7 * expected[0][0]  # it learns something in 40 steps
    for k, ((loss, accuracy), (their_loss, their_accuracy)) in enumerate(zip(got, expected)):
        assert loss == pytest.approx(their_loss, rel=1e-10, abs=0), f"step {k}"
        assert accuracy == their_accuracy, f"step {k}"
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(model.state_dict()[name], parameter.detach().numpy(), rtol=1e-9, atol=1e-12)


def test_classify_demo_runs_and_draws_curves_and_regions(tmp_path, capsys):
    arguments = ["--out", str(tmp_path), "--steps", "5", "--per-class", "10", "--hidden", "8", "--grid", "10"]
    assert classify.main(arguments) == 0
    printed = capsys.readouterr().out
    assert "30 points in 3 spiral arms" in printed and "step     4" in printed
    assert_pngs(tmp_path, ["classify_curves.png", "classify_regions.png"], printed)


def test_spirals_have_three_arms_of_equal_size():
    X, y = classify.make_spirals(50, 3, np.random.default_rng(0), noise=0.0)
    assert X.shape == (150, 2) and np.bincount(y).tolist() == [50, 50, 50]
    radius = np.hypot(*X.T)
    np.testing.assert_allclose(radius[:50], np.linspace(0, 1, 50), atol=1e-15)


# ---- digits: scikit-learn's 8x8 digits


def test_digits_demo_trains_and_draws_its_pictures(tmp_path, capsys):
    pytest.importorskip("sklearn")
    arguments = ["--out", str(tmp_path), "--steps", "150", "--no-progress", "--seed", "1"]
    assert digits.main(arguments) == 0
    printed = capsys.readouterr().out
    assert "1438 training and 359 test digits" in printed
    accuracy = float(printed.split("Test accuracy ")[1].split("%")[0])
    assert accuracy > 90.0  # 150 steps (7 passes) already read most digits (95.8% here); 2000 reach 97-99%
    assert_pngs(tmp_path, ["digits_confusion.png", "digits_mistakes.png"], printed)


def test_digits_without_scikit_learn_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now raises ImportError
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    assert digits.main(["--out", str(tmp_path)]) == 2
    message = capsys.readouterr().err
    assert "needs scikit-learn" in message and "pip install -e '.[digits]'" in message
    assert not list(tmp_path.iterdir())


def test_digits_progress_bar_and_confusion_matrix(capsys):
    digits.progress(15, 30, 0.25, width=10)
    assert capsys.readouterr().err == "\r[#####.....] step 15/30  loss 0.2500"
    counts = digits.confusion_matrix(np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), classes=3)
    assert counts.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]


@pytest.mark.parametrize("demo, option", [(moons, "--steps"), (classify, "--hidden"), (digits, "--batch-size")])
def test_demos_refuse_counts_below_one(demo, option, capsys):
    with pytest.raises(SystemExit) as exit_info:
        demo.main([option, "0"])
    assert exit_info.value.code == 2
    assert f"{option} must be at least 1, got 0" in capsys.readouterr().err
