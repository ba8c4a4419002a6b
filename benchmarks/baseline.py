"""The engine as it was, loaded beside the current one so both run in the same process.

A core rewrite must leave every benchmark ratio no worse than before, and timings on a
shared machine drift between runs, so "before" has to be measured in the same run. Give
a benchmark ``--baseline DIR`` (or set ``BENCH_BASELINE=DIR``), where DIR holds an old
copy of the project, for example::

    mkdir -p /tmp/baseline-fc573f7
    git archive fc573f7 | tar -x -C /tmp/baseline-fc573f7
    python benchmarks/bench_mlp.py --baseline /tmp/baseline-fc573f7

Both trees use the import names ``autograd`` and ``nn``, and a process holds one module
per name. So the old tree's packages (every top-level folder with an ``__init__.py``)
and the modules of its ``demos/`` folder are copied into a temporary folder under new
names (``autograd`` -> ``autograd_baseline``, ``backprop_from_scratch`` ->
``backprop_from_scratch_baseline``, ...), and every import of one of those names in the
copies is rewritten to the new name. Relative imports need nothing; an import form the
rewriting cannot keep correct is refused with the line that has it, never half-renamed.

>>> current = CURRENT
>>> current.autograd.Value(2.0).data
2.0
"""

from __future__ import annotations

import atexit
import importlib
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import autograd
import nn

SUFFIX = "_baseline"
MODULE_FOLDERS = ("demos",)  # folders whose .py files are loaded as top-level modules
MAKE_ONE = "make one with: git archive <commit> | tar -x -C DIR"


@dataclass(frozen=True)
class Engine:
    """One engine's modules: ``autograd``, ``nn``, and its tree's demo modules by their
    usual names through ``module(name)``.

    >>> CURRENT.module("autograd.draw").__name__
    'autograd.draw'
    """

    label: str  # "" for the current engine; shown after a variant's name otherwise
    autograd: ModuleType
    nn: ModuleType
    suffix: str = ""
    tree: Path | None = None

    def module(self, name: str) -> ModuleType:
        """This engine's copy of module ``name`` ("backprop_from_scratch", "autograd.draw")."""
        top, dot, rest = name.partition(".")  # only the top-level name was renamed
        return importlib.import_module(top + self.suffix + dot + rest)


CURRENT = Engine("", autograd, nn)
OLD_LABEL = "old engine"
_loaded: dict[str, tuple[Path, Path]] = {}  # suffix -> (the tree loaded under it, its renamed copy)


def load(tree: str | Path, suffix: str = SUFFIX) -> Engine:
    """Load the project copy in ``tree`` under renamed modules and return its engine.
    Loading the same tree twice returns the modules already loaded."""
    tree = Path(tree).expanduser().resolve()
    if not (tree / "autograd" / "__init__.py").is_file() or not (tree / "nn" / "__init__.py").is_file():
        raise ValueError(f"baseline {tree}: no autograd/__init__.py and nn/__init__.py there; "
                         f"it must be a copy of the whole project ({MAKE_ONE})")
    if suffix in _loaded and _loaded[suffix][0] != tree:
        raise ValueError(f"baseline {tree}: suffix {suffix!r} already holds {_loaded[suffix][0]}; "
                         f"pass another suffix to load a second tree")
    if suffix not in _loaded:
        _loaded[suffix] = tree, _copy_renamed(tree, suffix)
    engine = Engine(OLD_LABEL, importlib.import_module("autograd" + suffix),
                    importlib.import_module("nn" + suffix), suffix, tree)
    for module in (engine.autograd, engine.nn):  # a stray module of the same name would time the wrong code
        if not Path(module.__file__).resolve().is_relative_to(_loaded[suffix][1]):
            raise RuntimeError(f"{module.__name__} was imported from {module.__file__}, not from the copy of {tree}")
    return engine


def _copy_renamed(tree: Path, suffix: str) -> Path:
    """Copy the tree's packages and demo modules, renamed, into a new temporary folder
    on sys.path (removed at exit); return the folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-baseline-")).resolve()
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    packages = sorted(p.name for p in tree.iterdir() if (p / "__init__.py").is_file())
    modules = sorted(f for name in MODULE_FOLDERS for f in (tree / name).glob("*.py"))
    names = packages + [f.stem for f in modules]
    copies = []
    for name in packages:
        shutil.copytree(tree / name, folder / (name + suffix), ignore=shutil.ignore_patterns("__pycache__"))
        copies += (folder / (name + suffix)).rglob("*.py")
    for source in modules:
        shutil.copyfile(source, folder / (source.stem + suffix + ".py"))
        copies.append(folder / (source.stem + suffix + ".py"))
    for copy in copies:
        copy.write_text(rename_imports(copy.read_text(), names, suffix, where=copy.name))
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    return folder


def rename_imports(source: str, names: list[str], suffix: str, where: str = "source") -> str:
    """Rewrite the imports of ``names`` in ``source`` to ``name + suffix``, keeping the
    names the code binds: ``from nn.init import x`` -> ``from nn_baseline.init import x``,
    ``import nn`` -> ``import nn_baseline as nn``.

    >>> rename_imports("import nn\\nfrom autograd.files import replacing\\n", ["autograd", "nn"], "_old")
    'import nn_old as nn\\nfrom autograd_old.files import replacing\\n'
    """
    alternatives = "|".join(map(re.escape, names))
    pattern = re.compile(rf"^(?P<indent>[ \t]*)(?P<kind>from|import)[ \t]+(?P<name>{alternatives})"
                         rf"(?P<rest>(?:\.\w+)*)(?P<tail>[^\n]*)$", re.M)

    def rewrite(match: re.Match) -> str:
        indent, kind, name, rest, tail = match.group("indent", "kind", "name", "rest", "tail")
        if kind == "from":
            return f"{indent}from {name}{suffix}{rest}{tail}"
        alias = re.fullmatch(r"[ \t]+as[ \t]+(\w+)([ \t]*(#.*)?)", tail)
        bare = re.fullmatch(r"[ \t]*(#.*)?", tail)
        if rest or not (alias or bare):  # import a.b binds a; import a, b binds both
            raise ValueError(f"{where}: cannot rename the import {match.group(0).strip()!r}; "
                             f"write it as 'from {name}{rest} import ...' or 'import {name} as ...'")
        bound = alias.group(1) if alias else name
        comment = alias.group(2) if alias else tail
        return f"{indent}import {name}{suffix} as {bound}{comment}"

    # the pattern's name must end at a word boundary: "import nnx" is not "import nn"
    return pattern.sub(lambda m: rewrite(m) if not re.match(r"\w", m.group("rest") + m.group("tail"))
                       else m.group(0), source)
