"""Every notebook runs top to bottom on the demo set, within its time budget, and is
committed without outputs."""

from __future__ import annotations

import json

import pytest

from helpers.course import execute_notebook, notebook_paths
from helpers.data import data_root

from .conftest import REPO

NOTEBOOKS = notebook_paths(REPO / "notebooks")
#: Seconds per notebook on the demo set (README); Week 4 has a larger budget.
BUDGET_S = {"04": 90.0}
DEFAULT_BUDGET_S = 60.0


@pytest.fixture(scope="module")
def demo_data():
    """make test generates the demo set first; generate it here too if someone runs pytest alone."""
    from helpers.synth import generate_demo

    demo = data_root() / "demo"
    if not (demo / ".complete").is_file():
        generate_demo(demo)
    return demo


def test_four_numbered_notebooks():
    assert [p.name[:2] for p in NOTEBOOKS] == ["01", "02", "03", "04"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{path.name} cell {i} has outputs: run `python -m helpers strip-notebooks`"
            )
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_within_budget(path, demo_data):
    nb, seconds = execute_notebook(path)
    budget = BUDGET_S.get(path.name[:2], DEFAULT_BUDGET_S)
    assert seconds < budget, f"{path.name} took {seconds:.1f} s (budget {budget:.0f} s)"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
