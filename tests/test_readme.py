"""The README's Python examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_runs(index, capsys, tmp_path, monkeypatch, op_table):
    monkeypatch.chdir(tmp_path)  # examples may write files
    exec(compile(BLOCKS[index], f"README block {index}", "exec"), {})


def test_readme_names_the_commands_ci_runs():
    text = README.read_text()
    assert "make test" in text and "make demo" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci


def test_every_bad_input_row_names_a_test_that_exists():
    text = README.read_text()
    section = text[text.index("## Bad input"):]
    section = section[: section.index("\n## ", 1)]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 30
    root = README.parent
    for row in rows:
        for reference in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row):
            path, name = reference
            assert f"def {name}(" in (root / path).read_text(), f"{path}::{name} (row: {row[:60]}...)"
