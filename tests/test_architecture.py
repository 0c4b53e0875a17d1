"""The package's layers (docs/architecture.md) hold: no module imports from a layer above its own.

The table in docs/architecture.md is the single source: this test reads it, finds every
module of helpers (sub-packages included), and checks every ``import``/``from ... import``
of a helpers module (at module level or inside a function) against it. It also checks that
no module takes a private name (``_name``) from another module of the package: what
another module needs is public where it belongs.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import helpers

from .conftest import REPO

DOC = REPO / "docs" / "architecture.md"
PACKAGE_DIR = Path(helpers.__file__).parent

#: Private imports across modules that are known and waiting for their owner's change:
#: helpers.baseline (the lead's) still imports novelty's old name of
#: helpers.data.check_power_spectrogram. Remove the entry with that import.
KNOWN_PRIVATE_IMPORTS: set = set()


def _layers() -> dict[str, int]:
    """{top-level module name: layer number} from the doc's table."""
    layers = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\|\s*(\d+)\s*\|[^|]*\|([^|]*)\|", line)
        if m:
            for name in re.findall(r"`([\w.]+)`", m.group(2)):
                layers[name] = int(m.group(1))
    return layers


def _modules() -> dict[str, Path]:
    """{dotted name relative to helpers: file} for every module of the package, sub-packages included."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts:                       # helpers/__init__.py itself imports nothing
            found[".".join(parts)] = path
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _imports(module: str, path: Path) -> list[tuple[str, tuple[str, ...]]]:
    """``(imported helpers module, names taken from it)`` for every import in the file, lazy ones too.

    ``import helpers.x`` gives ``("x", ())``; ``from .x import a`` gives ``("x", ("a",))``;
    ``from . import x`` and ``from helpers import x`` give ``("x", ())`` (x is a module).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(a.name[len("helpers."):], ()) for a in node.names if a.name.startswith("helpers.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module == "helpers" or (node.module or "").startswith("helpers."):
                target = node.module[len("helpers."):]
            else:
                continue
            if node.module is None or node.module == "helpers":     # from . import x: x is a module
                out += [(f"{target}.{a.name}" if target else a.name, ()) for a in node.names]
            else:
                out.append((target, tuple(a.name for a in node.names)))
    return out


def _imported(module: str, path: Path) -> set[str]:
    """The helpers modules (dotted, relative to helpers) that a module imports."""
    return {target for target, _ in _imports(module, path)}


def test_every_module_has_a_layer():
    layers = _layers()
    assert layers, f"{DOC}: no layer table found"
    missing = sorted({_top(m) for m in _modules()} - set(layers))
    assert not missing, f"modules without a layer in docs/architecture.md: {missing}; add them to the table"
    stale = sorted(set(layers) - {_top(m) for m in _modules()})
    assert not stale, f"docs/architecture.md lists modules that do not exist: {stale}"


def test_no_module_imports_from_a_layer_above_its_own():
    layers = _layers()
    upward = []
    for module, path in _modules().items():
        own = layers.get(_top(module))
        if own is None:
            continue
        for target in _imported(module, path):
            top = _top(target)
            if top in layers and layers[top] > own:
                upward.append(f"{module} (layer {own}) imports {target} (layer {layers[top]})")
    assert not upward, "imports against the layering of docs/architecture.md:\n" + "\n".join(sorted(upward))


def test_no_module_takes_a_private_name_from_another():
    found = []
    for module, path in _modules().items():
        for target, names in _imports(module, path):
            for name in names:
                private = name.startswith("_") and not name.startswith("__")
                if private and _top(target) != _top(module) and (_top(module), _top(target), name) not in \
                        KNOWN_PRIVATE_IMPORTS:
                    found.append(f"{module} imports {name} from {target}")
    assert not found, ("private names imported across modules (make them public where they belong):\n"
                       + "\n".join(sorted(found)))


def test_the_checker_sees_relative_and_lazy_imports(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("from .beat import x\nfrom ..data import y\ndef f():\n    from helpers.cli import main\n"
                   "    import helpers.batch\n")
    assert _imported("evaluate.inner", src) == {"evaluate.beat", "data", "cli", "batch"}
    assert ("data", ("y",)) in _imports("evaluate.inner", src)


def test_the_checker_sees_every_module_of_the_sub_packages(tmp_path):
    modules = _modules()
    assert {"data", "data.params", "evaluate.metrics", "downbeat.evidence", "fetch.download"} <= set(modules)
    assert all(path.is_file() for path in modules.values())
    init = tmp_path / "__init__.py"
    init.write_text("from .params import x\nfrom ..files import y\nfrom . import melspec\nfrom helpers import plot\n")
    assert _imported("data", init) == {"data.params", "files", "data.melspec", "plot"}


def test_the_package_docstring_lists_every_module():
    listed = set(re.findall(r":mod:`helpers\.(\w+)`", helpers.__doc__))
    modules = {_top(m) for m in _modules()} - {"__main__"}
    assert modules <= listed, f"helpers/__init__.py's docstring does not list {sorted(modules - listed)}"
    assert listed <= modules, f"helpers/__init__.py's docstring lists modules that do not exist: {sorted(listed - modules)}"
