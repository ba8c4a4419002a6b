"""The explorer: the page's data is the engine's, and in a real browser (Debian's
Chromium driven by Playwright) stepping with the keys shows the engine's numbers,
nothing is fetched from the network and the console stays free of errors.

The browser tests skip when Playwright or Chromium is missing; CI installs both."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import Recorder, Tensor, Value, backward_walkthrough, explore
from autograd.draw import AGREE, DISAGREE, format_array

DEMOS = Path(__file__).resolve().parent.parent / "demos"
sys.path.insert(0, str(DEMOS))
import backprop_from_scratch as demo  # noqa: E402
import explore_seed  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot is not installed")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]


def expression():
    """y = x*x + x: x is used three times, so its gradient accumulates."""
    x = Value(3.0, label="x")
    square = x * x
    y = square + x
    y.label = "y"
    return x, y


def page_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="explorer-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


def numbers(text: str) -> np.ndarray:
    return np.array([float(t) for t in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|inf|nan)", text)])


# ---- the page's data, without a browser


def test_the_page_holds_the_engines_backward_pass(tmp_path):
    x, y = expression()
    page = explore(y)
    data = page_data(page.save(tmp_path / "y.html").read_text())
    assert data == json.loads(json.dumps(page.data))
    walk = backward_walkthrough(y)
    assert [step["node"] for step in data["backward"]] == [f"v{walk.nodes.index(s.node)}" for s in walk]
    assert x.grad == 0.0  # the explorer, like the walkthrough, leaves .grad alone
    y.backward()
    last = {step["node"]: step["upstream"]["values"] for step in data["backward"]}
    assert last["v0"] == [x.grad] == [7.0]
    reused = [c for step in data["backward"] for c in step["contributions"] if c["reused"]]
    assert [c["total"]["values"] for c in reused] == [[4.0], [7.0]]


def test_the_seed_network_pages_numbers_are_the_engines():
    page = explore_seed.seed_explorer()
    model = explore_seed.seed_model()
    L = demo.seed_graph(model, explore_seed.seed.X, explore_seed.seed.Y)
    L.backward()
    by_name = {node["name"]: node for node in page.data["nodes"]}
    upstream = {step["node"]: step["upstream"] for step in page.data["backward"]}
    for name, parameter in (("W1", model[0].weight), ("W2", model[2].weight)):
        got = upstream[by_name[name]["id"]]
        assert got["shape"] == list(parameter.grad.shape)
        np.testing.assert_array_equal(np.reshape(got["values"], got["shape"]), parameter.grad)
        comparison = page.data["comparisons"][by_name[name]["id"]]
        assert comparison["passed"] and {p["second"] for p in comparison["pairs"]} == {"hand-written", "numerical"}
    assert by_name["x"]["data"]["shape"] == [3, 1]
    np.testing.assert_array_equal(by_name["L"]["data"]["values"], [L.item()])


def test_a_wrong_hand_written_gradient_is_flagged_with_its_worst_element():
    W = Tensor(np.array([[1.0, 2.0]]), requires_grad=True, label="W")
    x = Tensor(np.array([[3.0], [4.0]]), label="x")
    loss = ((W @ x) ** 2).sum()
    wrong = np.array([[66.0, 80.0]])  # the right one is [[66, 88]]
    data = explore(loss, hand_written={W: wrong}).data
    comparison = data["comparisons"][next(n["id"] for n in data["nodes"] if n["name"] == "W")]
    assert not comparison["passed"]
    assert comparison["worst_index"] == [0, 1]
    assert comparison["at_worst"] == {"automatic": 88.0, "hand-written": 80.0}


def test_bad_arguments_say_what_is_wrong(tmp_path):
    x, y = expression()
    with pytest.raises(TypeError, match="Value or Tensor"):
        explore(3.0)
    with pytest.raises(TypeError, match="keyed by the nodes themselves"):
        explore(y, hand_written={"x": 7.0})
    with pytest.raises(ValueError, match="not in this graph"):
        explore(y, numerical={Value(1.0): 1.0})
    with pytest.raises(ValueError, match="ending in .html"):
        explore(y).save(tmp_path / "y.txt")
    with pytest.raises(ValueError, match="at least 1"):
        Recorder(every=0)
    with pytest.raises(RuntimeError, match="nothing recorded"):
        Recorder().explorer()


@pytest.mark.filterwarnings("ignore:record.step:RuntimeWarning")  # (no backward: not what is tested)
def test_the_recorder_refuses_a_graph_of_another_shape():
    recorder = Recorder(every=1)
    w = Value(1.0, label="w")
    recorder.record(0, w * 2.0)
    with pytest.raises(ValueError, match="not shaped like the first one"):
        recorder.record(1, (w * 2.0).tanh())


def test_hostile_labels_stay_text(tmp_path):
    a = Value(1.0, label="</script><script>alert(1)</script>")
    b = Value(2.0, label="{{SVG}}")
    c = a * b
    text = explore(c).save(tmp_path / "c.html").read_text()
    names = [node["name"] for node in page_data(text)["nodes"]]
    assert a.label in names and b.label in names
    assert text.count("<script") == 2  # the data and the page's own script, nothing injected
    assert "alert(1)" in text and "<script>alert" not in text


def test_jupyter_shows_the_page_in_a_frame():
    _, y = expression()
    frame = explore(y)._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and "explorer-data" in frame
    assert "object at 0x" not in repr(explore(y))


# ---- in a real browser


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install playwright)")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=...)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


class Page:
    """A browser tab on a saved explorer page that notes console errors and every
    request that is not the file itself (and refuses them)."""

    def __init__(self, browser, path: Path) -> None:
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.tab = browser.new_page(viewport={"width": 1400, "height": 800})
        self.tab.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.tab.on("pageerror", lambda e: self.errors.append(str(e)))
        url = path.resolve().as_uri()

        def guard(route):
            if route.request.url != url:
                self.requests.append(route.request.url)
                return route.abort()
            return route.continue_()

        self.tab.route("**/*", guard)
        self.tab.goto(url)

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.tab.keyboard.press(key)

    def text(self, selector: str) -> str:
        return self.tab.text_content(selector)

    def position(self) -> int:
        return self.tab.evaluate("window.explorer.position")

    def cell(self, node_id: str, part: str) -> str:
        return self.tab.evaluate(f"""Array.from(document.querySelectorAll('#a_{node_id}-{part} text'))
                                     .map(t => t.textContent).join(' ').trim()""")

    def click_node(self, node_id: str) -> None:
        self.tab.locator(f"#{node_id} text").first.click()

    def clean(self) -> None:
        assert self.requests == [], f"the page asked the network for {self.requests}"
        assert self.errors == [], f"console errors: {self.errors}"
        self.tab.close()


def test_stepping_with_the_keys_shows_the_engines_numbers(browser, tmp_path):
    x, y = expression()
    page = explore(y)
    walk = backward_walkthrough(y)
    tab = Page(browser, page.save(tmp_path / "y.html"))
    forward, backward = len(page.data["forward"]), len(page.data["backward"])
    assert tab.position() == 0 and tab.text("#position") == "start"  # opens at the start: step through it
    tab.press("End")
    assert tab.position() == forward + backward
    tab.press("Home")
    assert tab.position() == 0 and tab.cell("v0", "grad") == "?" and tab.cell("v2", "data") == "?"
    tab.press("ArrowRight", forward)
    assert tab.cell("v2", "data") == format_array(y.data)  # the forward pass has computed y
    for k, step in enumerate(walk):
        tab.press("ArrowRight")
        assert tab.text("#position") == f"backward {k + 1} of {backward}"
        np.testing.assert_array_equal(numbers(tab.text("#step-upstream")), np.ravel(step.upstream))
        values = [numbers(t) for t in tab.tab.locator(".contribution-value").all_text_contents()]
        assert values == [np.ravel(c.value) for c in step.contributions]
    totals = numbers(" ".join(tab.tab.locator(".contribution-total").all_text_contents()))
    assert "+=" in tab.text("#step") or totals.size == 0
    y.backward()
    assert tab.cell("v0", "grad") == format_array(x.grad)
    tab.click_node("v0")
    np.testing.assert_array_equal(numbers(tab.text("#info-grad")), [x.grad])
    tab.press("ArrowLeft", backward)  # back to where only the forward pass has run
    assert tab.position() == forward and tab.cell("v0", "grad") == "?"
    assert "pending" in tab.text("#info-grad")
    tab.clean()


def test_the_node_panel_shows_each_number_in_its_own_dtypes_shortest_exact_digits(browser, tmp_path):
    # float32 0.1 showed as 0.10000000149011612 (float64's digits), and -0.0 as 0
    w = Tensor(np.array([0.1, 1.7, -0.0], np.float32), requires_grad=True, label="w")
    z = Value(-0.0, label="z")
    for root, name, expected in (((w * w).sum(), "w", "[0.1, 1.7, -0.0]"), (z * 2.0, "z", "-0.0")):
        page = explore(root)
        node = next(n for n in page.data["nodes"] if n["name"] == name)
        tab = Page(browser, page.save(tmp_path / f"{name}.html"))
        tab.click_node(node["id"])
        assert tab.text("#info-data").strip() == expected
        tab.clean()


def test_the_playback_page_writes_a_float32_loss_in_float32s_digits(browser, tmp_path):
    # the step's loss of a float32 model showed as 0.10000000149011612 (float64's digits)
    w = Tensor(np.array([0.1], np.float32), requires_grad=True, label="w")
    recorder = Recorder(every=1)
    for step, value in enumerate((np.float32(0.1), np.float32(-0.0), np.float64(0.1))):
        loss = (w * 1.0).sum()
        loss.backward()
        recorder.record(step, loss, loss=value)
    tab = Page(browser, recorder.save(tmp_path / "float32.html"))
    shown = []
    for _ in range(3):
        shown.append(tab.text("#step-loss").strip())
        tab.press("ArrowRight", 1)
    assert shown == ["0.1", "-0.0", "0.1"]  # (float64's 0.1 is 0.1 too)
    tab.clean()


def test_a_wide_graph_opens_with_its_first_operation_in_sight(browser, tmp_path):
    # a sum of 28 tanh(w * x): the page opened on the graph's empty top left corner, no box in view
    rng = np.random.default_rng(5)
    total = None
    for i in range(28):
        term = (Value(float(rng.normal()), label=f"w{i}") * Value(float(rng.normal()), label=f"x{i}")).tanh()
        total = term if total is None else total + term
    page = explore(total)
    tab = Page(browser, page.save(tmp_path / "wide.html"))
    first = page.data["forward"][0]  # (the first operation's result)
    in_view = tab.tab.evaluate(f"""() => {{ const a = document.querySelector('#graph').getBoundingClientRect();
        const b = document.getElementById('{first}').getBoundingClientRect();
        return b.left >= a.left && b.right <= a.right && b.top >= a.top && b.bottom <= a.bottom; }}""")
    assert in_view
    tab.clean()


def test_a_reused_node_shows_its_partial_sum_as_pending(browser, tmp_path):
    x, y = expression()
    page = explore(y)
    tab = Page(browser, page.save(tmp_path / "y.html"))
    tab.press("Home")
    tab.press("ArrowRight", len(page.data["forward"]) + 1)  # y = n1 + x sends 1 to x: x's sum so far
    assert tab.cell("v0", "grad") == "1"
    assert tab.tab.evaluate("document.querySelector('#a_v0-grad text').classList.contains('pending-text')")
    tab.press("ArrowRight")  # n1 = x * x: x += 3, += 3
    assert "x is used more than once" in tab.text("#step")
    assert [numbers(t)[0] for t in tab.tab.locator(".contribution-total").all_text_contents()] == [4.0, 7.0]
    tab.clean()


def test_the_seed_network_page_compares_gradients_and_zooms(browser, tmp_path):
    page = explore_seed.seed_explorer()
    tab = Page(browser, page.save(tmp_path / "seed.html"))
    W1 = next(node["id"] for node in page.data["nodes"] if node["name"] == "W1")
    tab.tab.locator(f"#{W1} text").first.hover()
    tip = tab.text("#tooltip")
    assert "W1: gradients agree" in tip and "hand-written" in tip and "numerical" in tip
    model = explore_seed.seed_model()
    L = demo.seed_graph(model, explore_seed.seed.X, explore_seed.seed.Y)
    L.backward()
    tab.press("End")  # the page opens at the start, before the backward pass
    tab.click_node(W1)
    np.testing.assert_array_equal(numbers(tab.text("#info-grad")), model[0].weight.grad.ravel())
    assert "shape (4, 3), float64" in tab.text("#node-info")
    view = "document.querySelector('#graph svg').getAttribute('viewBox').split(' ').map(Number)"
    before = tab.tab.evaluate(view)
    tab.tab.mouse.move(500, 400)
    tab.tab.mouse.wheel(0, -300)
    assert tab.tab.evaluate(view)[2] < before[2]  # zoomed in: a narrower view
    tab.tab.mouse.move(600, 400)
    tab.tab.mouse.down()
    tab.tab.mouse.move(700, 450)
    tab.tab.mouse.up()
    panned = tab.tab.evaluate(view)
    tab.tab.click("#fit")
    whole = [float(v) for v in re.search(r'<svg[^>]*viewBox="([^"]+)"', page.html()).group(1).split()]
    assert tab.tab.evaluate(view) == whole != panned  # fit: the whole graph
    tab.clean()


def test_the_seed_page_opens_at_the_start_with_readable_text_and_follows_the_steps(browser, tmp_path):
    """At 1400x1000 the whole seed graph fitted into the window drew its text about 5 px
    high: the page opens zoomed so that the smallest text is at least 10 px, and as the
    steps go on the view moves to keep the node being handled in sight."""
    page = explore_seed.seed_explorer()
    tab = Page(browser, page.save(tmp_path / "seed.html"))
    tab.tab.set_viewport_size({"width": 1400, "height": 1000})
    tab.tab.reload()
    assert tab.position() == 0 and tab.text("#position") == "start"
    smallest = """(() => {
        const heights = Array.from(document.querySelectorAll('#graph svg g.node text'))
            .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
        return Math.min(...heights) })()"""
    assert tab.tab.evaluate(smallest) >= 10
    in_sight = """(id) => {
        const area = document.querySelector('#graph').getBoundingClientRect();
        const box = document.getElementById(id).getBoundingClientRect();
        return box.left >= area.left && box.right <= area.right && box.top >= area.top && box.bottom <= area.bottom }"""
    steps = [("forward", id) for id in page.data["forward"]] + [("backward", s["node"]) for s in page.data["backward"]]
    for _kind, node in steps:
        tab.press("ArrowRight")
        assert tab.tab.evaluate(in_sight, node), (tab.text("#position"), node)
    assert tab.tab.evaluate(smallest) >= 10  # following the steps does not zoom out
    tab.clean()


def test_a_numerical_disagreement_colours_the_node_red(browser, tmp_path):
    W = Tensor(np.array([[1.0, 2.0]]), requires_grad=True, label="W")
    x = Tensor(np.array([[3.0], [4.0]]), label="x")
    loss = ((W @ x) ** 2).sum()
    right = np.array([[66.0, 88.0]])
    page = explore(loss, hand_written={W: right}, numerical={W: right + [[0.0, 1.0]]})
    node = next(n["id"] for n in page.data["nodes"] if n["name"] == "W")
    tab = Page(browser, page.save(tmp_path / "w.html"))
    fills = tab.tab.evaluate(f"Array.from(document.querySelectorAll('#{node} polygon'))"
                             ".map(p => p.getAttribute('fill')).filter(f => f !== 'none')")
    assert fills and set(fills) == {DISAGREE}
    tab.tab.locator(f"#{node} text").first.hover()
    assert "W: gradients DISAGREE; worst element [0, 1]" in tab.text("#tooltip")
    tab.clean()


def test_a_trained_classifier_page_works(browser, tmp_path):
    page, recorder, accuracy = explore_seed.classifier(steps=60, every=20)
    assert accuracy > 0.5
    tab = Page(browser, page.save(tmp_path / "classifier.html"))
    tab.press("Home")
    tab.press("ArrowRight", len(page.data["forward"]) + len(page.data["backward"]))
    assert tab.text("#position").startswith("backward")
    tab.clean()


def test_the_playback_loss_curve_says_what_it_cannot_draw(browser, tmp_path):
    # losses near 1.7e308 summed to Infinity and froze the page; an inf loss, zeros and a
    # single step were left out without a word, the curve stretched over the whole width
    w = Value(1.0, label="w")
    loss = w * 2.0
    loss.backward()
    cases = {"huge": [1.7e308] * 400, "diverged": [5.0] * 300 + [float("inf")] + [7.0] * 99,
             "zeros": [3.0] * 50 + [0.0] * 50, "single": [2.5]}
    expected = {"huge": "each point the mean of 2 recorded losses",
                "diverged": "the loss was inf at step 300: the curve stops there",
                "zeros": "of 0 or less not drawn (log scale)", "single": "each point a recorded loss"}
    for name, losses in cases.items():
        recorder = Recorder(every=len(losses))
        for step, value in enumerate(losses):
            recorder.record(step, loss, run=name, loss=value)
        tab = Page(browser, recorder.save(tmp_path / f"{name}.html"))
        caption = tab.text("#loss-caption")
        assert expected[name] in caption, caption
        assert tab.tab.locator(".loss-step").all_text_contents() == sorted({"0", str(len(losses) - 1)}, key=int)
        tab.clean()


def test_training_playback_plays_pauses_and_steps(browser, tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    x, target = np.array([[0.5, -1.0]]), np.array([[1.0]])
    recorder = Recorder(every=5)
    weights = []
    for step in range(30):
        optimizer.zero_grad()
        loss = nn.mse_loss(model(Tensor(x, label="x")), target)
        loss.backward()
        if recorder.record(step, loss, run="lr=0.1"):
            weights.append(model[0].weight.grad.copy())
        optimizer.step()
    tab = Page(browser, recorder.save(tmp_path / "training.html"))
    assert tab.text("#position") == "step 0 (1 of 6 recorded)"
    tab.press("ArrowRight", 2)
    run = recorder.runs["lr=0.1"]
    assert numbers(tab.text("#step-loss"))[0] == run["losses"][10]
    weight = next(n["id"] for n in recorder.explorer().data["nodes"] if n["data"]["shape"] == [3, 2])
    tab.click_node(weight)
    np.testing.assert_array_equal(numbers(tab.text("#info-grad")), weights[2].ravel())
    tab.tab.click("#play")
    assert tab.text("#play") == "pause"
    seen = set()
    for _ in range(100):  # the page's CSP forbids eval, so poll instead of wait_for_function
        seen.add(tab.position())
        if tab.text("#play") == "play":
            break
        tab.tab.wait_for_timeout(100)
    assert tab.position() == 5 and seen >= {3, 4, 5}  # played on, then stopped at the last snapshot
    assert tab.tab.locator("#loss-marker").count() == 1
    tab.clean()


def test_pause_stops_the_playback(browser, tmp_path):
    recorder = Recorder(every=1)
    w = Value(0.0, label="w")
    for step in range(50):
        w.grad = 0.0
        loss = (w - 1.0) ** 2
        loss.backward()
        recorder.record(step, loss)
        w.data -= 0.1 * w.grad
    tab = Page(browser, recorder.save(tmp_path / "training.html"))
    tab.press(" ")  # space plays
    tab.tab.wait_for_timeout(800)
    tab.tab.click("#play")  # and the button pauses
    stopped = tab.position()
    tab.tab.wait_for_timeout(800)
    assert 0 < stopped == tab.position() < 49 and tab.text("#play") == "play"
    tab.clean()


def test_one_command_writes_the_seed_explorer(tmp_path):
    import subprocess

    result = subprocess.run([sys.executable, str(DEMOS / "explore_seed.py")], cwd=tmp_path,
                            capture_output=True, text=True, check=True)
    path = Path(result.stdout.strip())
    assert path == (tmp_path / "out" / "explorer.html").resolve() and path.exists()
    names = {node["name"] for node in page_data(path.read_text())["nodes"]}
    assert {"x", "W1", "z", "h", "W2", "out", "y", "L"} <= names


def test_the_public_names():
    import autograd

    for name in ("explore", "Explorer", "Recorder"):
        assert name in autograd.__all__ and hasattr(autograd, name)
    assert autograd.explore.Recorder is Recorder  # autograd.explore is the function; Recorder hangs off it too


def test_jupyter_displays_the_page_inline(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from autograd import Value, explore\nx = Value(3.0, label='x')\nexplore(x * x + x)")])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    shown = notebook.cells[0].outputs[0]["data"]
    assert shown["text/html"].startswith("<iframe srcdoc=") and "explorer-data" in shown["text/html"]
    assert shown["text/plain"].startswith("<Explorer (graph explorer)")


def test_the_jupyter_frame_runs_in_a_browser(browser, tmp_path):
    _, y = expression()
    notebook_page = tmp_path / "notebook.html"
    notebook_page.write_text(f"<html><body>{explore(y)._repr_html_()}</body></html>")
    tab = Page(browser, notebook_page)
    frame = tab.tab.frames[1]
    assert frame.text_content("#position") == "start"
    frame.locator("#last").click()
    assert frame.text_content("#position") == "backward 3 of 3"
    frame.locator("#prev").click()
    assert frame.text_content("#position") == "backward 2 of 3"
    tab.requests = [url for url in tab.requests if url != "about:srcdoc"]
    tab.clean()


def test_recording_the_sweep_leaves_its_numbers_alone():
    rates, iterations = [1e-3, 1.0], 30
    plain, _ = demo.sweep(rates, iterations, np.random.default_rng(0), show_progress=False)
    recorder = Recorder(every=10)
    recorded, _ = demo.sweep(rates, iterations, np.random.default_rng(0), show_progress=False, recorder=recorder)
    assert [run.losses for run in recorded] == [run.losses for run in plain]
    runs = recorder.explorer().data["runs"]
    assert [run["name"] for run in runs] == ["lr=0.001", "lr=1"]
    for run, trained in zip(runs, plain):
        assert [s["step"] for s in run["snapshots"]] == [0, 10, 20]
        np.testing.assert_allclose(run["losses"], trained.losses, rtol=1e-12)  # the seed-shaped graph's L
    names = [node["name"] for node in recorder.explorer().data["nodes"]]
    assert {"x", "W1", "z", "h", "W2", "out", "L"} <= set(names)
    # each snapshot's gradients are that step's alone, recomputed from its own W1, W2 and x
    # (the last step's were still in .grad: at step 10 of lr=1, dL/dW2 25 times too big, the sign flipped)
    position = {name: names.index(name) for name in ("x", "W1", "W2")}
    for run in runs:
        for snapshot in run["snapshots"]:
            numbers = {name: np.reshape(snapshot["data"][i]["values"], snapshot["data"][i]["shape"])
                       for name, i in position.items()}
            model = demo.init_weights(np.random.default_rng(0))
            model.load_state_dict({"0.weight": numbers["W1"], "2.weight": numbers["W2"]})
            demo.seed_graph(model, numbers["x"], demo.LABEL).backward()
            for name, parameter in (("W1", model[0].weight), ("W2", model[2].weight)):
                shown = np.reshape(snapshot["grad"][position[name]]["values"], parameter.shape)
                np.testing.assert_allclose(shown, parameter.grad, rtol=1e-12, atol=1e-15)


def test_a_result_that_needs_no_gradient_is_shown_without_a_backward_pass():
    t = Tensor(np.arange(3.0), label="t")  # needs no gradient, so the engine records no graph
    page = explore((t * 2).sum())
    assert page.data["backward"] == [] == page.data["forward"] and page.data["comparisons"] == {}
    assert [node["data"]["values"] for node in page.data["nodes"]] == [[6.0]]


def test_the_pages_legend_explains_the_colours_its_boxes_show():
    """hand-written agrees but numerical does not: the page's script coloured W red while
    dot's legend, drawn from automatic vs hand-written alone, listed only green (and a
    blue parameter no box showed). The SVG itself now colours by every pair compared."""
    import xml.etree.ElementTree as ET

    svg = "{http://www.w3.org/2000/svg}"
    W = Tensor(np.array([[1.0, 2.0]]), requires_grad=True, label="W")
    b = Tensor(np.array([[0.5]]), requires_grad=True, label="b")
    x = Tensor(np.array([[3.0], [4.0]]), label="x")
    loss = ((W @ x + b) ** 2).sum()
    right = 2 * (W.data @ x.data + b.data) @ x.data.T
    for hand_written, numerical, W_colour in (({W: right}, {W: right + [[0.0, 1.0]]}, DISAGREE),
                                             (None, {W: right}, AGREE), ({W: right}, None, AGREE)):
        page = explore(loss, hand_written=hand_written, numerical=numerical)
        W_id = next(n["id"] for n in page.data["nodes"] if n["name"] == "W")
        fills: dict[str, set] = {}
        for group in ET.fromstring(page.svg).iter(f"{svg}g"):
            if group.get("class") == "node" and group.find(f"{svg}polygon") is not None:
                fills[group.find(f"{svg}title").text] = {p.get("fill") for p in group.iter(f"{svg}polygon")} - {"none"}
        legend = fills.pop("legend")
        assert fills[W_id] == {W_colour}, (hand_written, numerical)
        assert legend == set().union(*fills.values()), (hand_written, numerical)


def test_a_recorder_refuses_a_graph_whose_shapes_or_dtypes_changed():
    # the same ops on another shape were taken, and the page kept the first step's
    # "(3,) float64" beside numbers of shape (3, 5) (docs/explorer.md says refused)
    W = Tensor(np.ones((2, 3)), requires_grad=True, label="W")
    recorder = Recorder(every=1)
    for step, x in enumerate([np.ones(3), np.ones((3, 5))]):
        loss = (W @ Tensor(x)).sum()
        loss.backward()
        if step == 0:
            recorder.record(step, loss)
        else:
            with pytest.raises(ValueError, match="not shaped like the first one"):
                recorder.record(step, loss)


@pytest.mark.filterwarnings("ignore:record.step:RuntimeWarning")  # (no backward: not what is tested)
def test_a_recorder_refuses_a_step_number_that_does_not_increase():
    # per-epoch counters (0, 1, 0, 1) made the page look the loss up by step number and show
    # the first epoch's loss beside the second epoch's graph
    v = Value(1.0, label="v")
    recorder = Recorder(every=1)
    recorder.record(0, v * 2.0)
    recorder.record(1, v * 2.0)
    with pytest.raises(ValueError, match="increase"):
        recorder.record(0, v * 2.0)
    recorder.record(0, v * 2.0, run="another run")  # each run counts on its own


def test_a_run_with_no_snapshot_is_said_to_be_left_out():
    w = Value(1.0, label="w")
    loss = w * 2.0
    loss.backward()
    recorder = Recorder(every=10)
    recorder.record(0, loss, run="kept")
    recorder.record(1, loss, run="short")  # step 1 is not due: no snapshot
    with pytest.warns(RuntimeWarning, match="'short' has no snapshot"):
        page = recorder.explorer()
    assert [run["name"] for run in page.data["runs"]] == ["kept"]
