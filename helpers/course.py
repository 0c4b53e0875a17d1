"""Execute the course notebooks headless (as handed out, or with the reference solutions filled in).

Used by ``make course`` (``python -m helpers course``) and by the test suite, so
the notebooks a teacher hands out are exactly the ones the tests ran. HTML copies are
written for handouts; ``--with-solutions`` gives a teacher's answer key: every fill-in
stub replaced by its reference solution from ``solutions/weekN.py``.

A fill-in is a code cell that defines the learner's function as a stub and checks it::

    def to_db(S_power):
        ...  # your code here

    check("w1.db", to_db)

:func:`fill_in_solutions` finds each ``check("<id>", <name>)`` call, and replaces the
stub ``def <name>(...)`` of that cell with the reference solution of ``<id>`` (the
function ``<id with . replaced by _>`` of ``solutions/week<N>.py``, renamed).
"""

from __future__ import annotations

import ast
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import HelpersError, ParameterError
from .files import write_text_atomic

__all__ = ["NotebookRun", "notebook_paths", "execute_notebook", "build_course", "strip_outputs", "NotebookFailed",
           "fill_in_solutions", "check_statuses", "STUB_BODY"]

#: Per-notebook limit for one headless run (the course's budget is far lower; see README).
DEFAULT_TIMEOUT_S = 600
#: The body of a function the learner has not written yet.
STUB_BODY = "...  # your code here"
#: ``check("w1.db", to_db)``: the exercise id and the learner's function.
_CHECK_CALL = re.compile(r"""\bcheck\(\s*["']([\w.]+)["']\s*,\s*([A-Za-z_]\w*)\s*[,)]""")
#: The first line of a CheckResult as shown in a notebook: ✓ / ✗ / … then the id.
_CHECK_HEADLINE = re.compile(r"([✓✗…]) (w\d+[a-z]?\.[\w.]+) \(")
_STATUS_OF_MARK = {"✓": "passed", "✗": "failed", "…": "not done"}


class NotebookFailed(HelpersError, RuntimeError):
    """A notebook raised an error while executing; the message names the cell."""


@dataclass(frozen=True)
class NotebookRun:
    path: Path
    seconds: float
    html_path: Path | None = None


#: A course notebook's name: two digits, an optional letter for a week in two parts (02a, 02b), "_", a name.
_NOTEBOOK_NAME = re.compile(r"[0-9]{2}[a-z]?_.+\.ipynb")


def notebook_paths(notebook_dir: str | os.PathLike) -> list[Path]:
    """The numbered course notebooks (``NN_*.ipynb``, or ``NNa_*`` / ``NNb_*`` for a week in two parts) in order."""
    notebook_dir = Path(notebook_dir)
    paths = sorted(p for p in notebook_dir.glob("[0-9][0-9]*_*.ipynb") if _NOTEBOOK_NAME.fullmatch(p.name))
    if not paths:
        raise ParameterError(f"{notebook_dir}: no numbered notebooks (NN_name.ipynb) found.")
    return paths


def _solution_source(exercise_id: str, name: str, solutions_dir: Path) -> str:
    """The reference solution of ``exercise_id`` as source code defining ``name`` (with its file's imports)."""
    from .exercises import get_exercise

    week = get_exercise(exercise_id).week
    path = solutions_dir / f"week{week}.py"
    if not path.is_file():
        raise ParameterError(f"{path}: no solutions file for {exercise_id!r}; fill-ins need the course repository.")
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    wanted = exercise_id.replace(".", "_")
    imports = [ast.get_source_segment(source, n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == wanted:
            segment = ast.get_source_segment(source, node)
            segment = re.sub(rf"^def {wanted}\(", f"def {name}(", segment, count=1)
            return "\n".join([*imports, segment])
    raise ParameterError(f"{path}: no function {wanted} (the solution of {exercise_id!r}).")


def _replace_stub(cell_source: str, name: str, replacement: str) -> str | None:
    """``cell_source`` with the stub ``def name(...)`` block replaced, or None if there is no such stub."""
    lines = cell_source.split("\n")
    start = next((i for i, line in enumerate(lines) if re.match(rf"def {name}\(", line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][:1] in (" ", "\t")):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1          # keep the blank lines after the block
    block = "\n".join(lines[start:end])
    if STUB_BODY not in block:
        return None       # not a stub (a worked example): leave it alone
    return "\n".join(lines[:start] + replacement.split("\n") + lines[end:])


def fill_in_solutions(nb, *, solutions_dir: str | os.PathLike | None = None):
    """A copy of a notebook with every fill-in stub replaced by its reference solution.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A course notebook (as read by ``nbformat.read``).
    solutions_dir : str or Path, optional
        Folder of ``week1.py`` ... (default: the repository's ``solutions/``).

    Returns
    -------
    filled : nbformat.NotebookNode
    ids : list of str
        The exercise ids whose stub was replaced, in notebook order.

    Raises
    ------
    ParameterError
        A ``check`` names an exercise with no reference solution.
    """
    import copy

    from .data import repo_root

    if solutions_dir is None:
        root = repo_root()
        if root is None:
            raise ParameterError("no course repository here: pass solutions_dir= (the folder of week1.py ...).")
        solutions_dir = root / "solutions"
    solutions_dir = Path(solutions_dir)
    filled = copy.deepcopy(nb)
    ids = []
    for cell in filled.cells:
        if cell.cell_type != "code":
            continue
        for exercise_id, name in _CHECK_CALL.findall(cell.source):
            new = _replace_stub(cell.source, name, _solution_source(exercise_id, name, solutions_dir))
            if new is not None:
                cell.source = new
                ids.append(exercise_id)
    return filled, ids


def check_statuses(nb) -> dict[str, str]:
    """``{exercise id: "passed" | "failed" | "not done"}`` from the outputs of an executed notebook."""
    statuses = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")] + [str(v) for v in output.get("data", {}).values()]
            for text in texts:
                for mark, exercise_id in _CHECK_HEADLINE.findall("".join(text) if isinstance(text, list) else text):
                    statuses[exercise_id] = _STATUS_OF_MARK[mark]
    return statuses


def execute_notebook(path: str | os.PathLike, *, timeout_s: float = DEFAULT_TIMEOUT_S, with_solutions: bool = False):
    """Run every cell of a notebook in a fresh kernel, in the notebook's own folder.

    With ``with_solutions=True`` every fill-in stub is first replaced by its reference
    solution (:func:`fill_in_solutions`): the teacher's answer key, and the test that the
    notebook also runs when the learner's code is in place.

    Returns
    -------
    nb : nbformat.NotebookNode
        The executed notebook, with outputs.
    seconds : float
        Wall time of the run, kernel start included.

    Raises
    ------
    NotebookFailed
        A cell raised; the message names the notebook, the cell and the error.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if with_solutions:
        nb, _ = fill_in_solutions(nb)
    client = NotebookClient(
        nb,
        timeout=timeout_s,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    try:
        client.execute()
    except CellExecutionError as exc:
        raise NotebookFailed(f"{path.name} failed:\n{exc}") from None
    return nb, time.perf_counter() - start


def build_course(notebook_dir: str | os.PathLike, out_dir: str | os.PathLike, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                 with_solutions: bool = False, log=print) -> list[NotebookRun]:
    """Execute every numbered notebook; write the executed .ipynb and an .html beside it.

    ``with_solutions=True`` fills in every exercise with its reference solution first
    (a teacher's answer key; see :func:`fill_in_solutions`).

    Files are written atomically (temporary name, then rename). A failing notebook is
    reported and the others still run; :class:`NotebookFailed` is raised at the end
    listing the failures.
    """
    import nbformat
    from nbconvert import HTMLExporter

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs, failures = [], []
    exporter = HTMLExporter()
    for path in notebook_paths(notebook_dir):
        log(f"running {path.name} ...")
        try:
            nb, seconds = execute_notebook(path, timeout_s=timeout_s, with_solutions=with_solutions)
        except NotebookFailed as exc:
            failures.append(str(exc))
            log(f"  FAILED: {str(exc).splitlines()[0]}")
            continue
        html, _ = exporter.from_notebook_node(nb)
        html_path = out_dir / (path.stem + ".html")
        write_text_atomic(out_dir / path.name, nbformat.writes(nb))
        write_text_atomic(html_path, html)
        runs.append(NotebookRun(path, seconds, html_path))
        log(f"  {seconds:.1f} s -> {html_path}")
    if failures:
        raise NotebookFailed(f"{len(failures)} notebook(s) failed:\n" + "\n".join(failures))
    return runs


def strip_outputs(path: str | os.PathLike) -> bool:
    """Remove outputs and execution counts from a notebook in place; True if it changed.

    Notebooks are committed without outputs (the tests enforce it); run
    ``python -m helpers strip-notebooks`` before committing.
    """
    import nbformat

    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    changed = False
    for cell in nb.cells:
        if cell.cell_type == "code":
            if cell.get("outputs") or cell.get("execution_count") is not None:
                changed = True
            cell["outputs"] = []
            cell["execution_count"] = None
        if cell.get("metadata", {}).pop("execution", None) is not None:
            changed = True
    if nb.metadata.pop("widgets", None) is not None:   # saved widget state (JupyterLab "Save Widget State")
        changed = True
    if changed:
        text = nbformat.writes(nb)
        write_text_atomic(path, text if text.endswith("\n") else text + "\n")  # as nbformat.write does
    return changed
