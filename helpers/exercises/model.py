"""The machinery of the self-checking exercises: cases, verdicts, feedback, and how values are described and compared.

Each week's exercises (:mod:`helpers.exercises.week1` ... ``week4``) are data built from
these pieces: an :class:`Exercise` names the function the learner writes, gives its
instructions, builds :class:`Case` objects with known answers and judges an answer
(``judge(got, case) -> Wrong | None``), with a hint for each typical mistake.
"""

from __future__ import annotations

import copy
import numbers
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..data import HARMONIX_PARAMS

#: Harmonix frame rate (22050 / 1024 = 21.53 frames/s), to recognise a hard-coded one.
HARMONIX_FRAME_RATE_HZ = HARMONIX_PARAMS.frame_rate_hz
_NOT_DONE = "not done"
#: Wrong cases explained in full; the others are listed by number.
_MAX_DETAILED = 3

HINT_HOP_512 = (
    "you used hop 512 (the value in the course's original brief); the Harmonix hop is 1024. "
    "Use the hop_length argument, read from info.json (`p.hop_length`)."
)
HINT_FIXED_RATE = (
    "your answer is right for Harmonix (sr 22050, hop 1024) only: use the arguments "
    "you are given, not fixed numbers."
)
HINT_20LOG = "power is already a squared magnitude: use 10·log10 (20·log10 is for amplitudes)."
HINT_LN = "np.log is the natural logarithm: decibels need np.log10."


# =========================================================================== data model
@dataclass(frozen=True)
class Case:
    """One input with its known answer.

    Attributes
    ----------
    name : str
        What the learner sees ("a click every 10 frames, gamma=1000").
    args, kwargs : tuple, dict
        The call: ``fn(*args, **kwargs)`` (deep-copied, so your function may change them).
    expected : object
        The known answer (the judge of the exercise knows how to compare).
    run : callable, optional
        ``run(fn, args, kwargs) -> got`` for a case that is not one plain call
        (e.g. calling twice with the same seed).
    """

    name: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    expected: Any = None
    run: Callable | None = field(default=None, repr=False)

    def call(self, fn):
        args, kwargs = copy.deepcopy(self.args), copy.deepcopy(self.kwargs)
        if self.run is not None:
            return self.run(fn, args, kwargs)
        return fn(*args, **kwargs)


class Wrong(NamedTuple):
    """A judge's verdict on a wrong answer: what is wrong (expected vs got) and a hint."""

    problem: str
    hint: str | None = None


@dataclass(frozen=True)
class Exercise:
    """One exercise of the registry.

    Attributes
    ----------
    id : str
        ``"w<week>.<name>"``, e.g. ``"w2.flux"``.
    title : str
    function_name : str
        The name of the function the learner writes.
    parameters : str
        Its parameter list, as written in the stub (``"frames, sr, hop_length"``).
    instructions : str
        Markdown: the task, what you get, what to return.
    cases : callable
        ``cases() -> list[Case]`` (built when checking, so importing this module is cheap).
    judge : callable
        ``judge(got, case) -> Wrong | None`` (None: right).
    error_hint : callable, optional
        ``error_hint(exc, case) -> str | None``: a hint for an exception in the learner's code.
    on_pass : str
        Shown when every case is right (what to use from now on, what it means).
    inline : bool
        ``True``: a fill-in, written in the body of the notebook where its idea is
        introduced, before the worked version (the notebook goes on with the helper
        either way). ``False``: an end-of-week exercise, in the notebook's "Exercises"
        section (:func:`helpers.exercises.notebook_cells`).
    part : str
        ``"a"`` or ``"b"`` when a week has two notebooks (``02a_*``, ``02b_*``); ``""`` when it has one.
    """

    id: str
    title: str
    function_name: str
    parameters: str
    instructions: str
    cases: Callable[[], list] = field(repr=False)
    judge: Callable[[Any, Case], Wrong | None] = field(repr=False)
    error_hint: Callable[[BaseException, Case], str | None] | None = field(default=None, repr=False)
    on_pass: str = ""
    inline: bool = False
    part: str = ""

    @property
    def week(self) -> int:
        return int(self.id[1])

    @property
    def notebook(self) -> str:
        """The prefix of the notebook that holds it: ``"01"``, ``"02a"``, ..."""
        return f"{self.week:02d}{self.part}"

    @property
    def signature(self) -> str:
        return f"def {self.function_name}({self.parameters}):"

    @property
    def stub(self) -> str:
        """The function as the learner starts it."""
        return f"{self.signature}\n    ...  # your code here"


@dataclass(frozen=True)
class Feedback:
    """One remark of a check: which case, what is wrong, and a hint (or None)."""

    case: str | None
    problem: str
    hint: str | None = None

    def text(self) -> str:
        head = f"{self.case}: {self.problem}" if self.case else self.problem
        return head + (f"\n    hint: {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class CheckResult:
    """What :func:`check` found. Shows as Markdown in Jupyter and as plain text in a terminal.

    Attributes
    ----------
    exercise_id, title : str
    status : str
        ``"passed"``, ``"failed"`` or ``"not done"``.
    n_cases, n_right : int
        How many cases were tried and how many were right.
    feedback : list of Feedback
        One entry per wrong case (empty when passed).
    note : str
        A closing remark (on success: what to use from now on).
    """

    exercise_id: str
    title: str
    status: str
    n_cases: int
    n_right: int
    feedback: tuple = ()
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    @property
    def messages(self) -> list[str]:
        """The feedback as plain-text lines (the headline first)."""
        return [self._headline()] + [f.text() for f in self.feedback] + ([self.note] if self.note else [])

    def _headline(self) -> str:
        name = f"{self.exercise_id} ({self.title})"
        if self.status == "passed":
            return f"✓ {name}: all {self.n_cases} cases right."
        if self.status == _NOT_DONE:
            return f"… {name}: not done yet."
        wrong = self.n_cases - self.n_right
        return f"✗ {name}: {wrong} of {self.n_cases} case{'s' if self.n_cases != 1 else ''} wrong."

    def __str__(self) -> str:
        lines = [self._headline()]
        lines += ["  - " + f.text().replace("\n", "\n  ") for f in self.feedback]
        if self.note:
            lines.append("  " + self.note)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        parts = [f"**{self._headline()}**"]
        items = []
        for f in self.feedback:
            item = f"- **{f.case}**: {f.problem}" if f.case else f"- {f.problem}"
            if f.hint:
                item += f"  \n  *Hint:* {f.hint}"
            items.append(item)
        if items:
            parts.append("\n".join(items))
        if self.note:
            parts.append(self.note)
        return "\n\n".join(parts)


# =========================================================================== describing values
def format_number(x) -> str:
    """A number, readably: 5, 0.04644, 107.7, -inf."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return shorten(repr(x))
    if np.isfinite(v) and v == round(v) and abs(v) < 1e15:
        return str(int(v)) if v != 0 else "0"
    return f"{v:.4g}"


def shorten(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _preview(a: np.ndarray, k: int = 6) -> str:
    flat = a.ravel()
    if a.dtype.kind in "biuf":
        items = [format_number(v) for v in flat[:k]]
    else:
        items = [shorten(repr(v), 20) for v in flat[:k]]
    tail = ", ..." if flat.size > k else ""
    flat_note = " (flattened)" if a.ndim > 1 and flat.size > k else ""
    return "[" + ", ".join(items) + tail + "]" + flat_note


def describe(value) -> str:
    """A short description of a value for feedback: type, shape, dtype, first values."""
    if value is None:
        return "None"
    if isinstance(value, (str, bytes)):
        return repr(value)
    if isinstance(value, (bool, np.bool_)):
        return f"{value} (a bool)"
    if isinstance(value, numbers.Number) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return format_number(value)
    if isinstance(value, (np.ndarray, list, tuple)):
        kind = "array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = np.asarray(value)
        except (ValueError, TypeError):
            a = None
        if a is None or a.dtype == object:
            return f"{kind} of {len(value)} items: {shorten(repr(value))}"
        return f"{kind} of shape {a.shape}, dtype {a.dtype}: {_preview(a)}"
    if isinstance(value, dict):
        return f"a dict with keys {shorten(repr(list(value)))}"
    return f"a {type(value).__name__}: {shorten(repr(value))}"


# =========================================================================== comparing
def as_float_array(value) -> np.ndarray | None:
    """value as a float array, or None if it is not numbers."""
    if value is None or isinstance(value, (str, bytes, dict)):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return a


def same_values(got, candidate, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """got equals candidate: same shape, values close (inf and nan match themselves)."""
    a, c = as_float_array(got), as_float_array(candidate)
    if a is None or c is None or a.shape != c.shape:
        return False
    return bool(np.allclose(a, c, rtol=rtol, atol=atol, equal_nan=True))


def compare_values(got, expected, *, rtol: float = 1e-6, atol: float = 1e-9, unit: str = "",
             first_index: int = 0) -> str | None:
    """None when got equals expected (shape and values); otherwise what differs, plainly.

    ``first_index`` is the index of the first element (when comparing a slice of a longer curve).
    """
    e = np.asarray(expected, dtype=float)
    a = as_float_array(got)
    u = f" {unit}" if unit else ""
    if a is None:
        return f"expected {describe(expected)}{u}; got {describe(got)}"
    if a.shape != e.shape:
        if e.ndim == 0:
            return f"expected one number ({format_number(e)}{u}); got {describe(got)}"
        return f"expected shape {e.shape}; got shape {a.shape}: {describe(got)}"
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if e.ndim == 0:
        return f"expected {format_number(e)}{u}; got {format_number(a)}{u}"
    bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f"index {first[0] + first_index}" if len(first) == 1 else f"index {list(first)}"
    return (
        f"{int(bad.sum())} of {e.size} values differ, the first at {where}: expected {format_number(e[first])}{u}, "
        f"got {format_number(a[first])}{u}. Expected {describe(expected)}; got {describe(got)}"
    )


def diagnose(got, mistakes, *, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """The hint of the first typical mistake that got matches.

    ``mistakes`` holds ``(candidate, hint)`` pairs: a candidate is what the mistake
    produces (an array or number, compared with :func:`same_values`), a string (compared with
    ``==``) or a predicate ``candidate(got) -> bool``.
    """
    for candidate, hint in mistakes:
        try:
            if callable(candidate):
                hit = bool(candidate(got))
            elif isinstance(candidate, str):
                hit = isinstance(got, str) and got == candidate
            else:
                hit = same_values(got, candidate, rtol=rtol, atol=atol)
        except Exception:  # a predicate that cannot judge this value does not match it
            hit = False
        if hit:
            return hint
    return None


def verdict(got, expected, mistakes, default: str | None, *, rtol=1e-6, atol=1e-9, unit="",
             mistake_rtol=None) -> Wrong | None:
    problem = compare_values(got, expected, rtol=rtol, atol=atol, unit=unit)
    if problem is None:
        return None
    r = rtol if mistake_rtol is None else mistake_rtol
    return Wrong(problem, diagnose(got, mistakes, rtol=r, atol=atol) or default)


def has_negative(got) -> bool:
    a = as_float_array(got)
    return a is not None and bool(np.any(a < -1e-12))


def has_nonfinite(got) -> bool:
    a = as_float_array(got)
    return a is not None and not bool(np.all(np.isfinite(a)))


def shape_is(shape) -> Callable:
    return lambda got: as_float_array(got) is not None and as_float_array(got).shape == tuple(shape)


@contextmanager
def silenced_warnings():
    """Silence numpy's and Python's warnings while the learner's code runs (the feedback says more)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield
