"""The reading path: the files a learner reads to understand the engine stay within
their line budget, the backward loop stays the plain chain rule, and the README's
"How it works" names each file with its true length."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from autograd import core

ROOT = Path(__file__).resolve().parent.parent
# file -> budget in lines (docstrings and comments included); 400 in all
READING_PATH = {"autograd/core.py": 189, "autograd/ops.py": 130, "autograd/value.py": 81}


def lines(path: str) -> int:
    return len((ROOT / path).read_text().splitlines())


def test_each_reading_path_file_stays_within_its_budget():
    assert sum(READING_PATH.values()) <= 400
    for path, budget in READING_PATH.items():
        assert lines(path) <= budget, f"{path} has {lines(path)} lines, over its budget of {budget}"


def test_the_backward_loop_is_the_chain_rule_in_at_most_40_lines():
    # order, seed, then per node: local rule, sum back over broadcast axes, accumulate
    pieces = [core.backpropagate, core.chain_rule, core.accumulate]
    count = sum(len(inspect.getsource(f).splitlines()) for f in pieces)
    assert count <= 40, f"the backward loop and its rule step take {count} lines"


def test_the_backward_loop_has_no_branch_for_a_mode_or_a_speed_trick():
    words = {"anomaly", "observer", "watch", "fast", "create_graph", "intermediate", "gc", "speed", "inputs_wanted"}
    for function in (core.backpropagate, core.chain_rule):
        names = {node.id for node in ast.walk(ast.parse(inspect.getsource(function))) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(ast.parse(inspect.getsource(function)))
                      if isinstance(node, ast.Attribute)}
        assert not (names | attributes) & words, f"{function.__name__} mentions {(names | attributes) & words}"


def test_the_reading_path_imports_nothing_outside_it_but_helpers():
    allowed = {"core", "ops", "value", "methods", "numeric", "examples"}
    for path in READING_PATH:
        tree = ast.parse((ROOT / path).read_text())
        for node in tree.body:  # (Node.backward hands over to modes.run_backward when called)
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                module = node.module or node.names[0].name
                assert module in allowed, f"{path} imports .{module} (modes and speed stay outside)"


def test_the_readme_names_the_reading_path_with_each_files_length():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How it works", 1)[1].split("\n## ", 1)[0]
    for path in READING_PATH:
        match = re.search(rf"`{re.escape(path)}`[^\n|]*\|\s*(\d+)", section)
        assert match, f"How it works does not list {path} with its line count"
        said, has = int(match.group(1)), lines(path)
        assert said == has, f"README says {said} lines for {path}, it has {has}"
