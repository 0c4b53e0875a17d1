"""Execute the course notebooks headless, and write HTML copies for handouts.

Used by ``make course`` (``python -m helpers course``) and by the test suite, so
the notebooks a teacher hands out are exactly the ones the tests ran.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import HelpersError, ParameterError
from .files import write_text_atomic

__all__ = ["NotebookRun", "notebook_paths", "execute_notebook", "build_course", "strip_outputs", "NotebookFailed"]

#: Per-notebook limit for one headless run (the course's budget is far lower; see README).
DEFAULT_TIMEOUT_S = 600


class NotebookFailed(HelpersError, RuntimeError):
    """A notebook raised an error while executing; the message names the cell."""


@dataclass(frozen=True)
class NotebookRun:
    path: Path
    seconds: float
    html_path: Path | None = None


def notebook_paths(notebook_dir: str | os.PathLike) -> list[Path]:
    """The numbered course notebooks (``NN_*.ipynb``) in order."""
    notebook_dir = Path(notebook_dir)
    paths = sorted(p for p in notebook_dir.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ParameterError(f"{notebook_dir}: no numbered notebooks (NN_name.ipynb) found.")
    return paths


def execute_notebook(path: str | os.PathLike, *, timeout_s: float = DEFAULT_TIMEOUT_S):
    """Run every cell of a notebook in a fresh kernel, in the notebook's own folder.

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


def build_course(notebook_dir: str | os.PathLike, out_dir: str | os.PathLike, *, timeout_s: float = DEFAULT_TIMEOUT_S, log=print) -> list[NotebookRun]:
    """Execute every numbered notebook; write the executed .ipynb and an .html beside it.

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
            nb, seconds = execute_notebook(path, timeout_s=timeout_s)
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
