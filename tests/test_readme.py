"""The README's Python examples, and those of the reference pages in docs/ it links to,
run as written; every bad-input row names a test that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
BLOCKS = [(page, block) for page in PAGES for block in re.findall(r"```python\n(.*?)```", page.read_text(), flags=re.S)]


IDS = [f"{page.relative_to(ROOT)}-{[p for p, _ in BLOCKS[:i]].count(page)}" for i, (page, _) in enumerate(BLOCKS)]


@pytest.mark.parametrize("page, block", BLOCKS, ids=IDS)
def test_example_runs(page, block, capsys, tmp_path, monkeypatch, op_table):
    monkeypatch.chdir(tmp_path)  # examples may write files
    exec(compile(block, f"{page.name} example", "exec"), {})


def test_the_readme_and_the_pages_it_links_to_have_examples_that_run():
    pages = {page for page, _ in BLOCKS}
    assert README in pages and len([b for p, b in BLOCKS if p == README]) >= 5
    for page in ("engine", "nn", "pictures", "explorer", "checking-gradients", "second-order"):
        assert ROOT / "docs" / f"{page}.md" in pages, page


def test_every_file_the_readme_and_its_pages_link_to_exists():
    assert len(re.findall(r"\]\(docs/[\w-]+\.md\)", README.read_text())) >= 10  # the reference is linked
    for page in PAGES:
        for link in re.findall(r"\]\(([^)#\s]+)", page.read_text()):
            if not link.startswith(("http://", "https://")):
                assert (page.parent / link).exists(), f"{page.relative_to(ROOT)} links to {link}"


def test_readme_names_the_commands_ci_runs():
    text = README.read_text()
    assert "make test" in text and "make demo" in text
    ci = (README.parent / ".ci" / "run").read_text()
    assert "make test" in ci


def test_every_bad_input_row_names_a_test_that_exists():
    text = (ROOT / "docs" / "bad-input.md").read_text()
    section = text[text.index("# Bad input"):]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 30
    for row in rows:
        for reference in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", row):
            path, name = reference
            assert f"def {name}(" in (ROOT / path).read_text(), f"{path}::{name} (row: {row[:60]}...)"


def test_the_tours_walkthrough_output_is_what_the_walkthrough_prints():
    # the README's copy had lost the "(in the rules: ...)" lines the walkthrough prints
    from autograd import Value, backward_walkthrough

    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    y = (x * w).tanh()
    y.label = "y"
    y.backward()
    printed = str(backward_walkthrough(y))
    text = README.read_text()
    start = text.index("Step 1. y = tanh(n1)")
    quoted = text[start:text.index("```", start)].rstrip("\n")
    assert quoted in printed, quoted
