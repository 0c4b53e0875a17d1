"""Exercises that check themselves: write a small function, call ``check``, read the feedback.

Two kinds: *fill-ins*, in the body of a notebook where an idea is introduced (you write
the piece first; the worked version and the course's helper follow), and the end-of-week
"Exercises" section, variations on what the week taught. Each exercise has an id
(``"w2.flux"``: week 2, spectral flux), a title, instructions and the signature of the
function you write. ``check("w2.flux", half_wave_flux)`` runs your function on cases with known
answers and says, for each case it gets wrong, what was expected and what came back
(shape, dtype, a few values, units), with a hint aimed at the usual mistake ("your flux
has negative values: did you half-wave rectify?"). It never raises: an exception in your
code is reported with the case and the line, and a function that is still the stub
(``...``, ``raise NotImplementedError`` or no ``return``) gets "not done yet", so a
notebook runs top to bottom before you have written anything.

Where do the known answers come from? From the course's own tested functions where they
exist (:func:`helpers.data.frames_to_time`, :func:`helpers.novelty.band_differences`,
:func:`helpers.beat.dp_beat_frames`, :func:`helpers.beat.refine_beat_times`,
:class:`helpers.batch.BatchResult`), from mir_eval, or from signals built to have them
(a click every 12 frames at 22050/1024 frames per second is 107.7 BPM).

The reference solutions live outside the notebooks, in ``solutions/week1.py`` ...
``week6.py`` of the course repository (one function per exercise, named by its id:
``w2.flux`` -> ``w2_flux``); :func:`solution` shows one.

Examples
--------
>>> from helpers.exercises import check
>>> def frames_to_seconds(frames, sr, hop_length):
...     return frames * 512 / sr
>>> result = check("w1.seconds", frames_to_seconds)
>>> result.passed
False
>>> "you used hop 512" in str(result)
True
"""

from __future__ import annotations

import ast
import traceback
from dataclasses import dataclass

from ..data import repo_root
from ..errors import ParameterError
from . import week1, week2, week3, week4, week5, week6
from .model import (_MAX_DETAILED, _NOT_DONE, Case, CheckResult, Exercise, Feedback, Wrong, describe, shorten,
                    silenced_warnings)

__all__ = [
    "Case",
    "Exercise",
    "Feedback",
    "CheckResult",
    "EXERCISES",
    "check",
    "exercises",
    "get_exercise",
    "solution",
    "notebook_cells",
    "fill_in_cells",
    "describe",
]

WEEKS = (1, 2, 3, 4, 5, 6)

# =========================================================================== the registry
#: All exercises by id, in course order (each week's module holds its own as data).
EXERCISES: dict[str, Exercise] = {ex.id: ex for module in (week1, week2, week3, week4, week5, week6)
                                   for ex in module.EXERCISES}


def exercises(week: int | None = None) -> list[Exercise]:
    """The exercises of one week (1-6), or all of them, in course order."""
    if week is not None and week not in WEEKS:
        raise ParameterError(f"week={week!r} must be one of {', '.join(map(str, WEEKS))} (or None for all).")
    return [ex for ex in EXERCISES.values() if week is None or ex.week == week]


def get_exercise(exercise_id: str) -> Exercise:
    """The exercise with this id; the error lists the valid ids."""
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        raise ParameterError(
            f"no exercise {exercise_id!r}; the exercises are: {', '.join(EXERCISES)}."
        ) from None


# =========================================================================== checking
def _where(exc: BaseException, fn) -> str:
    """' (line 3 of frames_to_seconds: `...`)' for the deepest frame of the learner's code."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == code.co_filename]
    if not frames:
        return ""
    f = frames[-1]
    line = (f.line or "").strip()
    text = f" at `{line}`" if line else ""
    if f.name == code.co_name:
        return f" (line {f.lineno - code.co_firstlineno + 1} of {f.name}{text})"
    return f" (in {f.name}{text})"


def check(exercise_id: str, fn) -> CheckResult:
    """Run the learner's function on every case of an exercise and say what is wrong and why.

    Parameters
    ----------
    exercise_id : str
        E.g. ``"w2.flux"`` (see :data:`EXERCISES`).
    fn : callable
        The learner's function (the function itself, not its result).

    Returns
    -------
    CheckResult
        ``.passed``, ``.status`` (``"passed"``, ``"failed"``, ``"not done"``) and ``.messages``;
        shows as Markdown in Jupyter, as text with ``print``.

    Raises
    ------
    ParameterError
        Only for an unknown exercise id. The learner's code never makes ``check`` raise.
    """
    ex = get_exercise(exercise_id)
    if not callable(fn):
        return CheckResult(ex.id, ex.title, "failed", 0, 0, (Feedback(
            None, f'pass the function itself: check("{ex.id}", {ex.function_name}), with no brackets after '
                  f"the name (got {describe(fn)})."),))
    cases = ex.cases()
    wrong: list[tuple[str, Wrong]] = []
    for i, case in enumerate(cases, start=1):
        verdict = _run_case(ex, fn, case)
        if verdict is _NOT_DONE and i == 1:
            return CheckResult(ex.id, ex.title, _NOT_DONE, len(cases), 0, (Feedback(
                None, f"write the body of `{ex.function_name}` (it still returns None), then run the cell "
                      "again. If you have written it: did you forget `return`?"),))
        if verdict is _NOT_DONE:
            verdict = Wrong("your function returned None (or raised NotImplementedError)", "did you forget `return`?")
        if verdict is not None:
            wrong.append((f"case {i} ({case.name})", verdict))
    feedback, hints_given = [], set()
    for label, verdict in wrong[:_MAX_DETAILED]:
        hint = None if verdict.hint in hints_given else verdict.hint
        hints_given.add(verdict.hint)
        feedback.append(Feedback(label, verdict.problem, hint))
    if len(wrong) > _MAX_DETAILED:
        rest = [label.split(" (")[0] for label, _ in wrong[_MAX_DETAILED:]]
        feedback.append(Feedback(None, f"also wrong: {', '.join(rest)} (fix the cases above first)."))
    n_right = len(cases) - len(wrong)
    status = "passed" if not wrong else "failed"
    return CheckResult(ex.id, ex.title, status, len(cases), n_right, tuple(feedback),
                       ex.on_pass if status == "passed" else "")


def _run_case(ex: Exercise, fn, case: Case):
    """None if the learner's function is right on this case, _NOT_DONE for a stub, else a Wrong."""
    try:
        with silenced_warnings():
            got = case.call(fn)
    except NotImplementedError:
        return _NOT_DONE
    except Exception as exc:  # the learner's code: report it, never raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return Wrong(f"your function raised {type(exc).__name__}{': ' + shorten(message, 200) if message else ''}"
                     f"{_where(exc, fn)}", ex.error_hint(exc, case) if ex.error_hint else None)
    if got is None and case.expected is not None:
        return _NOT_DONE
    try:
        return ex.judge(got, case)
    except Exception as exc:  # a value the judge cannot read: say so plainly
        return Wrong(f"could not compare your result, {describe(got)}, with the expected "
                     f"{describe(case.expected)} ({type(exc).__name__}: {exc})")


# =========================================================================== solutions and cells
@dataclass(frozen=True)
class _Text:
    """Source code that shows as a code block in Jupyter and as plain text elsewhere."""

    text: str
    language: str = "python"

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        return f"```{self.language}\n{self.text}\n```" if self.language else self.text


def solution(exercise_id: str) -> _Text:
    """The reference solution of an exercise, read from ``solutions/week<N>.py`` of the course repository.

    Try the exercise first: the hints of :func:`check` usually suffice. The solutions
    come with the repository, not with the installed package.
    """
    ex = get_exercise(exercise_id)
    root = repo_root()
    path = None if root is None else root / "solutions" / f"week{ex.week}.py"
    if path is None or not path.is_file():
        return _Text(f"The solutions are not here: they come with the course repository "
                     f"(solutions/week{ex.week}.py, function {ex.id.replace('.', '_')}).", language="")
    source = path.read_text(encoding="utf-8")
    name = ex.id.replace(".", "_")
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return _Text(f"# {path.name}: {name} (your function: {ex.function_name})\n"
                         + ast.get_source_segment(source, node))
    return _Text(f"{path}: no function {name}; the solutions file is out of date.", language="")


_INTRO = (
    "## Exercises\n\n"
    "Short functions that use what this week taught. Write the body, run the cell: `check` tries your "
    "function on cases with known answers and says which case is wrong, what it expected, what it got, "
    "and a hint for the usual mistake. Until you write it, a function only says *not done yet*, so the "
    "notebook still runs top to bottom.\n\n"
    "Stuck? The reference solutions are in `solutions/week{week}.py` in the course folder, and "
    "`helpers.exercises.solution(\"{first}\")` shows one. Try first: the hints usually suffice."
)
def notebook_cells(week: int, *, part: str = "") -> list[dict]:
    """The "Exercises" section of a week's notebook: ``[{"cell_type", "source"}, ...]``.

    One introduction, then per end-of-week exercise (``inline=False``) a Markdown cell
    (the task) and a code cell (the stub and the check call). The fill-ins
    (``inline=True``) sit in the body of the notebook instead: :func:`fill_in_cells`.
    ``part`` picks one notebook of a week that has two (``"a"`` for ``02a_*``, ``"b"`` for
    ``02b_*``; see ``Exercise.part``).
    """
    chosen = [ex for ex in exercises(week) if not ex.inline and ex.part == part]
    if not chosen:
        return []
    cells = [{"cell_type": "markdown", "source": _INTRO.format(week=week, first=chosen[0].id)}]
    for k, ex in enumerate(chosen, start=1):
        cells.append({"cell_type": "markdown",
                      "source": f"### Exercise {k}: {ex.title} (`{ex.id}`)\n\n{ex.instructions}"})
        cells.append({"cell_type": "code", "source": _stub_cell(ex)})
    return cells


def _stub_cell(ex: Exercise) -> str:
    return f'from helpers.exercises import check\n\n{ex.stub}\n\ncheck("{ex.id}", {ex.function_name})'


def fill_in_cells(exercise_id: str) -> list[dict]:
    """The two cells of a fill-in in the body of a notebook: the task (Markdown) and the stub with its check.

    A fill-in (``Exercise.inline``) is written where its idea is introduced, before the
    worked version; with the stub left blank the check says *not done yet* and the
    notebook goes on with the course's helper.
    """
    ex = get_exercise(exercise_id)
    return [{"cell_type": "markdown", "source": f"### Your turn: {ex.title} (`{ex.id}`)\n\n{ex.instructions}"},
            {"cell_type": "code", "source": _stub_cell(ex)}]
