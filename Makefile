# One command for the demo, one for the tests. Each creates .venv on first use and
# installs the project into it (editable), so a fresh clone needs only python3 >= 3.10.
# The demos need only the runtime dependencies (numpy, graphviz, matplotlib, pillow);
# the tests add the test extra (pytest, hypothesis, Jupyter's runner, Playwright, mypy).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# pip's own progress, minus the "new pip available" notice
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: demo quickstart gallery test typecheck torch lint clean figures bench fuzz mutants screenshot explore

$(VENV)/.runtime: pyproject.toml
	@echo "==> creating $(VENV) (a virtual environment just for this project)"
	$(PYTHON) -m venv $(VENV)
	@echo "==> installing the project and what the demos need: numpy, graphviz, matplotlib, pillow"
	$(PIP) install -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	@echo "==> installing the test extra: pytest, hypothesis, nbclient, playwright, mypy"
	$(PIP) install -e '.[test]'
	touch $@

demo: $(VENV)/.runtime
	@tools/ensure-graphviz
	$(BIN)/python demos/backprop_from_scratch.py $(ARGS)

# The nine-line first look: one gradient by the engine, by hand and numerically.
quickstart: $(VENV)/.runtime
	$(BIN)/python demos/quickstart.py

gallery: $(VENV)/.runtime
	@tools/ensure-graphviz
	$(BIN)/python demos/gallery.py $(ARGS)

# The whole suite, then the engine's tests again with the speed tricks of autograd/fast.py
# switched off: every trick is optional, and the plain engine must give the same answers.
PLAIN_ENGINE_TESTS := tests/test_ops.py tests/test_engine.py tests/test_regressions.py tests/test_silent_errors.py \
	tests/test_random_graphs.py tests/test_fuzz.py tests/test_higher_order.py tests/test_tensor_api.py \
	tests/test_seed_notebook.py tests/test_custom_ops.py tests/test_hardening.py tests/test_nn.py \
	tests/test_in_place.py tests/test_fuzz_regressions.py tests/test_speed_tricks.py tests/test_tricks_agree.py \
	tests/test_argument_meanings.py tests/test_last_digits.py tests/test_checker_honesty.py \
	tests/test_exact_input_types.py

test: $(VENV)/.installed
	$(BIN)/python -m pytest
	AUTOGRAD_NO_SPEED_TRICKS=1 $(BIN)/python -m pytest -q $(PLAIN_ENGINE_TESTS)

# The type checker on both packages (they ship py.typed, so users' checkers read our hints).
typecheck: $(VENV)/.installed
	$(BIN)/python -m mypy autograd nn

# The benchmarks (each also runnable alone: python benchmarks/bench_<name>.py); they
# rewrite benchmarks/RESULTS.md. micrograd 0.1.0 and PyTorch (make torch) are the competitors.
# BENCH_BASELINE=DIR (an old copy of the project) adds the old engine to every benchmark.
bench: torch
	$(BIN)/python -m pip install --quiet micrograd==0.1.0
	$(BIN)/python benchmarks/bench_scalar.py
	$(BIN)/python benchmarks/bench_notebook.py
	$(BIN)/python benchmarks/bench_mlp.py
	$(BIN)/python benchmarks/bench_scaling.py
	$(BIN)/python benchmarks/bench_moons.py

# Differential fuzzing against PyTorch: 20,000 random Tensor graphs and as many scalar
# ones (needs `make torch`); prints how many graphs, ops and gradients were compared.
# Then the same graphs with the speed tricks on and off, compared bit for bit.
fuzz: torch
	$(BIN)/python tests/fuzz_graphs.py --graphs 20000
	$(BIN)/python tests/fuzz_graphs.py --tricks --graphs 20000
	$(BIN)/python tests/fuzz_graphs.py --threads --graphs 20000
	$(BIN)/python tests/fuzz_graphs.py --second-order --graphs 20000

# Mutation run: deliberate faults in the engine and the rules must make the tests fail;
# writes docs/mutants.md with the kill rate (a few minutes; not part of `make test`).
mutants: $(VENV)/.installed
	$(BIN)/python tools/mutants.py

# PyTorch is the oracle for the gradient tests (they skip without it). On this project's
# machines torch 2.13.0 (CPU) is a local wheel; elsewhere this is a large download.
torch: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet torch==2.13.0

lint: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache .hypothesis .mypy_cache .packaging/build .packaging/*.egg-info

# Regenerate the images shown in the README (docs/images/) from the demos; the graphs'
# DOT sources (.gv) are kept beside them so a test can tell when a picture is stale.
figures: $(VENV)/.installed
	$(BIN)/python demos/backprop_from_scratch.py --out docs/images > /dev/null
	$(BIN)/python demos/gallery.py --out docs/images --format png,gv > /dev/null
	$(BIN)/python demos/second_order.py --out docs/images > /dev/null
	$(BIN)/python -m pip install --quiet -e '.[digits]'
	$(BIN)/python demos/moons.py --out docs/images --grid 100 > /dev/null
	$(BIN)/python demos/classify.py --out docs/images > /dev/null
	$(BIN)/python demos/digits.py --out docs/images --no-progress > /dev/null
	rm -f docs/images/losses.csv docs/images/*.svg docs/images/walkthrough.txt docs/images/training.html

# The README's screenshot of the explorer (docs/images/explorer.png): drives Debian's
# Chromium through Playwright (the test extra installs it; no browser is downloaded).
screenshot: $(VENV)/.installed
	$(BIN)/python tools/explorer_screenshot.py docs/images/explorer.png

# The explorer on the seed notebook's network: writes out/explorer.html and prints its path
# (the demos' dependencies only, as `make demo`: the tour of the README runs it).
explore: $(VENV)/.runtime
	@tools/ensure-graphviz
	$(BIN)/python demos/explore_seed.py $(ARGS)
