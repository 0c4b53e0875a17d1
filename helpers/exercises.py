"""Exercises that check themselves: write a small function, call ``check``, read the feedback.

Every notebook ends with an "Exercises" section. Each exercise has an id (``"w2.flux"``:
week 2, spectral flux), a title, instructions and the signature of the function you
write. ``check("w2.flux", half_wave_flux)`` runs your function on cases with known
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
``week4.py`` of the course repository (one function per exercise, named by its id:
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
import copy
import numbers
import traceback
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .data import HARMONIX_PARAMS, repo_root
from .errors import ParameterError

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
    "describe",
]

#: Harmonix frame rate (22050 / 1024 = 21.53 frames/s), to recognise a hard-coded one.
_HARMONIX_FR = HARMONIX_PARAMS.frame_rate_hz
_NOT_DONE = "not done"
#: Wrong cases explained in full; the others are listed by number.
_MAX_DETAILED = 3

_HINT_HOP_512 = (
    "you used hop 512 (the value in the course's original brief); the Harmonix hop is 1024. "
    "Use the hop_length argument, read from info.json (`p.hop_length`)."
)
_HINT_FIXED_RATE = (
    "your answer is right for Harmonix (sr 22050, hop 1024) only: use the arguments "
    "you are given, not fixed numbers."
)
_HINT_20LOG = "power is already a squared magnitude: use 10·log10 (20·log10 is for amplitudes)."
_HINT_LN = "np.log is the natural logarithm: decibels need np.log10."


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

    @property
    def week(self) -> int:
        return int(self.id[1])

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
def _num(x) -> str:
    """A number, readably: 5, 0.04644, 107.7, -inf."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return _short(repr(x))
    if np.isfinite(v) and v == round(v) and abs(v) < 1e15:
        return str(int(v)) if v != 0 else "0"
    return f"{v:.4g}"


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _preview(a: np.ndarray, k: int = 6) -> str:
    flat = a.ravel()
    if a.dtype.kind in "biuf":
        items = [_num(v) for v in flat[:k]]
    else:
        items = [_short(repr(v), 20) for v in flat[:k]]
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
        return _num(value)
    if isinstance(value, (np.ndarray, list, tuple)):
        kind = "array" if isinstance(value, np.ndarray) else f"a {type(value).__name__}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = np.asarray(value)
        except (ValueError, TypeError):
            a = None
        if a is None or a.dtype == object:
            return f"{kind} of {len(value)} items: {_short(repr(value))}"
        return f"{kind} of shape {a.shape}, dtype {a.dtype}: {_preview(a)}"
    if isinstance(value, dict):
        return f"a dict with keys {_short(repr(list(value)))}"
    return f"a {type(value).__name__}: {_short(repr(value))}"


# =========================================================================== comparing
def _array(value) -> np.ndarray | None:
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


def _same(got, candidate, *, rtol: float = 1e-6, atol: float = 1e-9) -> bool:
    """got equals candidate: same shape, values close (inf and nan match themselves)."""
    a, c = _array(got), _array(candidate)
    if a is None or c is None or a.shape != c.shape:
        return False
    return bool(np.allclose(a, c, rtol=rtol, atol=atol, equal_nan=True))


def _compare(got, expected, *, rtol: float = 1e-6, atol: float = 1e-9, unit: str = "",
             first_index: int = 0) -> str | None:
    """None when got equals expected (shape and values); otherwise what differs, plainly.

    ``first_index`` is the index of the first element (when comparing a slice of a longer curve).
    """
    e = np.asarray(expected, dtype=float)
    a = _array(got)
    u = f" {unit}" if unit else ""
    if a is None:
        return f"expected {describe(expected)}{u}; got {describe(got)}"
    if a.shape != e.shape:
        if e.ndim == 0:
            return f"expected one number ({_num(e)}{u}); got {describe(got)}"
        return f"expected shape {e.shape}; got shape {a.shape}: {describe(got)}"
    if np.allclose(a, e, rtol=rtol, atol=atol, equal_nan=True):
        return None
    if e.ndim == 0:
        return f"expected {_num(e)}{u}; got {_num(a)}{u}"
    bad = ~np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=True)
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = f"index {first[0] + first_index}" if len(first) == 1 else f"index {list(first)}"
    return (
        f"{int(bad.sum())} of {e.size} values differ, the first at {where}: expected {_num(e[first])}{u}, "
        f"got {_num(a[first])}{u}. Expected {describe(expected)}; got {describe(got)}"
    )


def _diagnose(got, mistakes, *, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """The hint of the first typical mistake that got matches.

    ``mistakes`` holds ``(candidate, hint)`` pairs: a candidate is what the mistake
    produces (an array or number, compared with :func:`_same`), a string (compared with
    ``==``) or a predicate ``candidate(got) -> bool``.
    """
    for candidate, hint in mistakes:
        try:
            if callable(candidate):
                hit = bool(candidate(got))
            elif isinstance(candidate, str):
                hit = isinstance(got, str) and got == candidate
            else:
                hit = _same(got, candidate, rtol=rtol, atol=atol)
        except Exception:  # a predicate that cannot judge this value does not match it
            hit = False
        if hit:
            return hint
    return None


def _verdict(got, expected, mistakes, default: str | None, *, rtol=1e-6, atol=1e-9, unit="",
             mistake_rtol=None) -> Wrong | None:
    problem = _compare(got, expected, rtol=rtol, atol=atol, unit=unit)
    if problem is None:
        return None
    r = rtol if mistake_rtol is None else mistake_rtol
    return Wrong(problem, _diagnose(got, mistakes, rtol=r, atol=atol) or default)


def _has_negative(got) -> bool:
    a = _array(got)
    return a is not None and bool(np.any(a < -1e-12))


def _has_nonfinite(got) -> bool:
    a = _array(got)
    return a is not None and not bool(np.all(np.isfinite(a)))


def _shape_is(shape) -> Callable:
    return lambda got: _array(got) is not None and _array(got).shape == tuple(shape)


@contextmanager
def _quiet():
    """Silence numpy's and Python's warnings while the learner's code runs (the feedback says more)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


# =========================================================================== week 1
def _cases_w1_seconds():
    from .data import frames_to_time

    specs = [
        ("Harmonix: sr=22050 Hz, hop_length=1024", [0, 1, 2, 10, 21.5, 100], 22050, 1024),
        ("sr=44100 Hz, hop_length=512", [0, 5, 86, 1000], 44100, 512),
        ("sr=16000 Hz, hop_length=160 (a 10 ms hop)", [0, 1, 100, 250.5], 16000, 160),
    ]
    return [
        Case(name, (np.array(frames, dtype=float),), {"sr": sr, "hop_length": hop},
             frames_to_time(frames, sr=sr, hop_length=hop))
        for name, frames, sr, hop in specs
    ]


def _judge_w1_seconds(got, case):
    frames, sr, hop = case.args[0], case.kwargs["sr"], case.kwargs["hop_length"]
    mistakes = [
        (frames, "seconds expected, got frame numbers: multiply the frames by hop_length / sr."),
        (frames * sr / hop, "the conversion is the wrong way round: seconds = frames × hop_length / sr "
                            "(frames divided by the frame rate sr / hop_length)."),
        (frames * hop / sr * 1000, "these are milliseconds: return seconds (no × 1000)."),
        ((frames + 0.5) * hop / sr, "you added half a frame: with center=True frame k is centred on sample "
                                    "k × hop_length, so it sits at exactly k × hop_length / sr."),
        (np.floor(frames * hop / sr), "the times were rounded down to whole seconds: use true division `/`, "
                                      "not `//`, and do not round."),
    ]
    if hop != 512:
        mistakes.append((frames * 512 / sr, _HINT_HOP_512))
    if (sr, hop) != (22050, 1024):
        mistakes.append((frames * 1024 / 22050, _HINT_FIXED_RATE))
    return _verdict(got, case.expected, mistakes,
                    "frame k sits at k × hop_length / sr seconds (librosa's center=True).",
                    rtol=1e-9, atol=1e-12, unit="s")


def _cases_w1_db():
    from .data import power_to_db

    rng = np.random.default_rng(1)
    hand = np.array([[100.0, 10.0, 1.0], [0.01, 1e-7, 0.0]])
    loud = rng.random((80, 50)) ** 4 * 1e4
    quiet = rng.random((10, 30)) ** 6 * 0.002
    quiet[:, :3] = 0.0
    specs = [
        ("by hand: powers 100, 10, 1, 0.01, 1e-7 and 0", hand),
        ("80 bands × 50 frames, values up to 1e4 like the Harmonix files", loud),
        ("a quiet track (loudest bin 0.002) with 3 silent frames", quiet),
    ]
    return [Case(name, (S,), {}, power_to_db(S, ref=float(S.max()), amin=1e-10, top_db=80.0))
            for name, S in specs]


def _judge_w1_db(got, case):
    S = case.args[0]
    with np.errstate(all="ignore"):
        rel = 10 * np.log10(np.maximum(S, 1e-10) / S.max())
        absolute = 10 * np.log10(np.maximum(S, 1e-10))
        unfloored = 10 * np.log10(S / S.max())
        silent_db = 10 * np.log10(1e-10 / S.max())
        mistakes = [
            (_has_nonfinite, "log10(0) = -inf: floor the power first, np.maximum(S, 1e-10), then take the log."),
            (np.maximum(unfloored, unfloored.max() - 80), "floor the power at 1e-10 before the log "
                                                          "(np.maximum(S, 1e-10)): a silent bin is then "
                                                          f"10·log10(1e-10 / S.max()) = {silent_db:.1f} dB here."),
            (np.maximum(2 * rel, -80.0), _HINT_20LOG),
            (2 * rel, _HINT_20LOG),
            (np.maximum(10 * np.log(np.maximum(S, 1e-10) / S.max()), -80.0), _HINT_LN),
            (rel, "keep 80 dB of range: values more than 80 dB below the maximum become max - 80 "
                  "(np.maximum(S_db, S_db.max() - 80))."),
            (np.maximum(absolute, absolute.max() - 80), "0 dB should be the loudest bin: divide the power by "
                                                          "S.max() (the reference) before the log."),
            (absolute, "0 dB should be the loudest bin: divide the power by S.max() (the reference), "
                       "and keep 80 dB of range."),
        ]
    return _verdict(got, case.expected, mistakes,
                    "10·log10(max(S, 1e-10) / S.max()), then nothing below -80 dB.",
                    rtol=1e-6, atol=1e-5, unit="dB")


def _cases_w1_tolerance():
    from .data import frames_to_time

    specs = [
        ("±70 ms at Harmonix's sr=22050 Hz, hop_length=1024", 0.07, 22050, 1024),
        ("±70 ms at sr=44100 Hz, hop_length=512", 0.07, 44100, 512),
        ("±17.5 ms at sr=22050 Hz, hop_length=1024", 0.0175, 22050, 1024),
        ("one second at sr=22050 Hz, hop_length=1024", 1.0, 22050, 1024),
    ]
    return [
        Case(name, (tol,), {"sr": sr, "hop_length": hop},
             tol / float(frames_to_time(1.0, sr=sr, hop_length=hop)))
        for name, tol, sr, hop in specs
    ]


def _judge_w1_tolerance(got, case):
    tol, sr, hop = case.args[0], case.kwargs["sr"], case.kwargs["hop_length"]
    e = case.expected
    mistakes = [
        (tol * hop / sr, "the conversion is the wrong way round: frames = seconds × frame rate = "
                         "tolerance_s × sr / hop_length."),
        (2 * e, "±70 ms means 70 ms on each side: return the half-width, not the whole window."),
        (1000 * e, "the tolerance is already in seconds (0.07 s): do not multiply by 1000."),
        (lambda g: float(g) != e and float(g) in (np.round(e), np.floor(e), np.ceil(e)),
         f"don't round: the answer is {e:.3g} frames, and the fraction matters (beat times are refined "
         "below one frame)."),
    ]
    if hop != 512:
        mistakes.append((tol * sr / 512, _HINT_HOP_512))
    if (sr, hop) != (22050, 1024):
        mistakes.append((tol * 22050 / 1024, _HINT_FIXED_RATE))
    return _verdict(got, e, mistakes, "frames = seconds × sr / hop_length.", rtol=1e-6, unit="frames")


def _cases_w1_energy():
    from .data import power_to_db

    rng = np.random.default_rng(2)
    hand = np.array([[1.0, 5.0, 50.0, 0.0, 0.0005],
                     [0.0, 3.0, 50.0, 0.0, 0.0005],
                     [0.0, 2.0, 0.0, 0.0, 0.0]])
    fade = np.outer([1.0, 0.5, 0.25, 0.1], 0.7 ** np.arange(40))
    specs = [
        ("by hand: frames with total power 1, 10, 100, 0 and 0.001", hand),
        ("80 bands × 60 frames, values up to 1e4 like the Harmonix files", rng.random((80, 60)) ** 4 * 1e4),
        ("a fade-out: 4 bands × 40 frames, -1.5 dB per frame", fade),
    ]
    return [Case(name, (S,), {}, power_to_db(S.sum(axis=0), ref=1.0, amin=1e-10, top_db=None))
            for name, S in specs]


def _judge_w1_energy(got, case):
    S = case.args[0]
    with np.errstate(all="ignore"):
        e = S.sum(axis=0)
        right = case.expected
        mistakes = [
            (_shape_is((S.shape[0],)), "one value per frame: sum over the bands, axis=0 "
                                       "(S has shape (bands, frames))."),
            (_has_nonfinite, "a silent frame has energy 0 and log10(0) = -inf: floor it first, "
                             "np.maximum(e, 1e-10)."),
            (10 * np.log10(np.maximum(S.mean(axis=0), 1e-10)), "you averaged the bands: the energy of a frame "
                                                                "is their sum (the mean is 10·log10(n_bands) "
                                                                "dB lower)."),
            ((10 * np.log10(np.maximum(S, 1e-10))).sum(axis=0), "add the powers first, then convert to dB: a sum "
                                                                "of dB values is not a level."),
            (20 * np.log10(np.maximum(e, 1e-10)), _HINT_20LOG),
            (10 * np.log(np.maximum(e, 1e-10)), _HINT_LN),
            (np.maximum(right, right.max() - 80), "no 80 dB floor here: a silent frame is -100 dB (the 1e-10 "
                                                  "floor). helpers.data.power_to_db clips at 80 dB unless "
                                                  "top_db=None."),
            (right - right.max(), "absolute levels here (dB re. power 1), not relative to the loudest frame."),
        ]
    return _verdict(got, right, mistakes, "e = S.sum(axis=0), then 10·log10(max(e, 1e-10)).",
                    rtol=1e-6, atol=1e-5, unit="dB")


# =========================================================================== week 2
def _cases_w2_flux():
    from . import novelty as nov

    rng = np.random.default_rng(3)
    clicks = np.full((8, 40), 1e-3)
    clicks[:, 5::10] = 1.0
    rand = rng.random((80, 60)) ** 4 * 1e4
    swell = np.concatenate([np.arange(1, 16), np.arange(15, 0, -1)]).astype(float)[None, :] ** 2
    specs = [
        ("a click every 10 frames (8 bands × 40 frames), gamma=1000", clicks, 1000.0),
        ("random power, 80 bands × 60 frames, gamma=1000", rand, 1000.0),
        ("the same power, gamma=10", rand, 10.0),
        ("one band swelling then fading (1 × 30), gamma=100", swell, 100.0),
    ]
    return [Case(name, (S,), {"gamma": g},
                 nov.sum_bands(nov.band_differences(nov.log_compress(S, gamma=g), lag=1)))
            for name, S, g in specs]


def _judge_w2_flux(got, case):
    S, gamma = case.args[0], case.kwargs["gamma"]
    n_bands, n = S.shape
    e = case.expected
    L = np.log1p(gamma * S / S.max())
    D = np.diff(L, axis=1, prepend=L[:, :1])
    early = np.append(e[1:], 0.0)
    late = np.concatenate([[0.0], e[:-1]])
    mistakes = [
        (_shape_is((n - 1,)), "np.diff gives n_frames - 1 values: put a 0 at frame 0 so that flux[n] belongs "
                              "to frame n (np.diff(L, axis=1, prepend=L[:, :1]))."),
        (_shape_is((n_bands,)), "one value per frame: sum over the bands, axis=0."),
        (_shape_is((n_bands, n)), "sum over the bands (axis=0) to get one value per frame."),
        (np.maximum(D.sum(axis=0), 0.0), "rectify each band before summing: np.maximum(D, 0).sum(axis=0). "
                                         "Rectifying the sum lets a band that gets quieter cancel one that "
                                         "gets louder."),
        (_has_negative, "your flux has negative values: did you half-wave rectify? Keep only increases, "
                        "np.maximum(D, 0), before summing the bands."),
        (np.abs(D).sum(axis=0), "you took the absolute value: decreases (notes fading) count too. Keep only "
                                "increases: np.maximum(D, 0)."),
        (early, "your result is off by one frame: the difference of frame n is L[:, n] - L[:, n-1], put it at "
                "frame n."),
        (late, "your result is one frame late: the difference L[:, n] - L[:, n-1] belongs to frame n, not n+1."),
        (np.maximum(np.diff(S, axis=1, prepend=S[:, :1]), 0).sum(axis=0),
         "compress first: L = np.log1p(gamma * S / S.max()), then take the differences of L."),
        (lambda g: _same(g, _flux_of(np.log1p(gamma * S)), rtol=1e-5),
         "divide by S.max() inside the log: np.log1p(gamma * S / S.max()) makes gamma independent of the level."),
        (e / e.max() if e.max() > 0 else e, "don't normalise: return the plain sum over the bands."),
    ]
    if gamma != 1000.0:
        mistakes.append((lambda g: _same(g, _flux_of(np.log1p(1000.0 * S / S.max())), rtol=1e-5),
                         f"use the gamma argument (this case has gamma={gamma:g}), not a fixed 1000."))
    return _verdict(got, e, mistakes, "flux[n] = sum over bands of max(0, L[b, n] - L[b, n-1]), flux[0] = 0, "
                                      "with L = np.log1p(gamma * S / S.max()).",
                    rtol=1e-5, atol=1e-6 * max(1.0, float(e.max())), mistake_rtol=1e-5)


def _flux_of(L: np.ndarray) -> np.ndarray:
    return np.maximum(np.diff(L, axis=1, prepend=L[:, :1]), 0).sum(axis=0)


def _cases_w2_local_average():
    from . import novelty as nov

    rng = np.random.default_rng(4)
    spikes = np.zeros(30)
    spikes[[5, 15, 24]] = 1.0
    ramp = np.linspace(0.0, 2.0, 100)
    ramp[4::8] += 1.0
    specs = [
        ("three spikes on zeros, n=5", spikes, 5),
        ("spikes every 8 frames on a rising ramp, n=11", ramp, 11),
        ("a random curve of 200 frames, n=21", rng.random(200) ** 3, 21),
    ]
    return [Case(name, (x,), {"n": n}, nov.subtract_local_average(x, frame_rate_hz=1.0, window_s=float(n)))
            for name, x, n in specs]


def _judge_w2_local_average(got, case):
    x, n = case.args[0], case.kwargs["n"]
    h = n // 2
    a = _array(got)
    if a is None or a.shape != x.shape:
        return Wrong(f"expected an array of the same shape as x, {x.shape}; got {describe(got)}",
                     "return one value per frame of x.")
    inner, core = slice(h, x.size - h), slice(n, x.size - n)
    avg = np.convolve(x, np.ones(n) / n, mode="same")
    trailing = np.convolve(x, np.ones(n) / n, mode="full")[: x.size]
    wide = np.convolve(x, np.ones(2 * n + 1) / (2 * n + 1), mode="same")
    e = case.expected
    problem = _compare(a[inner], e[inner], rtol=1e-6, atol=1e-9, first_index=h)
    if problem is None:
        return None
    problem = f"in frames {h} to {x.size - h - 1} (the edges are not checked), " + problem

    def core_is(candidate):
        return lambda g: _same(_array(g)[core], candidate[core])

    mistakes = [
        (lambda g: np.any(_array(g)[inner] < -1e-12), "set negative values to 0 (np.maximum(..., 0)): only "
                                                      "what stands out above its neighbourhood is kept."),
        (core_is(avg), "you returned the local average itself: subtract it from x (and keep what is above 0)."),
        (core_is(np.maximum(x - trailing, 0)), "your average lags behind: it uses frames k-n+1 … k. Centre it "
                                               "on k, frames k - n//2 … k + n//2 (np.convolve(x, np.ones(n) / n, "
                                               "mode='same'))."),
        (core_is(np.maximum(x - np.convolve(x, np.ones(n), mode="same"), 0)),
         "divide by n: the local average is the mean of the n frames, not their sum."),
        (core_is(np.maximum(x - wide, 0)), "n is the whole window (n//2 frames on each side), not its "
                                           "half-width: your window has 2n+1 frames."),
        (core_is(e / e.max()), "don't normalise here: return x minus its local average, above 0."),
    ]
    return Wrong(problem, _diagnose(got, mistakes) or "y[k] = max(0, x[k] - mean(x[k - n//2 … k + n//2])).")


def _click_train(n_frames: int, period: int, *, offset: int = 3, weak: float = 0.0) -> np.ndarray:
    """A novelty with a click every ``period`` frames (and weaker clicks half-way, if ``weak``)."""
    x = np.zeros(n_frames)
    x[offset::period] = 1.0
    if weak:
        x[offset + period // 2::period] = weak
    return x


def _cases_w2_tempo():
    fr = _HARMONIX_FR
    fr512 = 22050 / 512
    specs = [
        # name, novelty, frame rate, period (frames), prior centre, prior width
        ("a click every 12 frames (40 s at 21.53 frames/s), prior 110 BPM ± 1 octave",
         _click_train(861, 12), fr, 12, 110.0, 1.0),
        ("a click every 7 frames (184.6 BPM), prior 100 BPM ± 0.5 octave: the prior picks 92.3 BPM",
         _click_train(861, 7), fr, 14, 100.0, 0.5),
        ("a click every 24 frames at 43.07 frames/s (hop 512), prior 110 BPM ± 1 octave",
         _click_train(1723, 24), fr512, 24, 110.0, 1.0),
        ("strong beats every 10 frames with weak clicks between, prior 120 BPM ± 1 octave",
         _click_train(861, 10, weak=0.3), fr, 10, 120.0, 1.0),
    ]
    return [
        Case(name, (x,), {"frame_rate_hz": rate, "prior_center_bpm": c, "prior_width_octaves": w},
             60.0 * rate / period)
        for name, x, rate, period, c, w in specs
    ]


def _judge_w2_tempo(got, case):
    e = case.expected
    fr = case.kwargs["frame_rate_hz"]
    c, w = case.kwargs["prior_center_bpm"], case.kwargs["prior_width_octaves"]
    a = _array(got)
    if a is None or a.size != 1:
        return Wrong(f"expected one number (a tempo in BPM, here {_num(e)}); got {describe(got)}",
                     "return the tempo of the best lag: 60 × frame_rate_hz / lag.")
    g = float(a.ravel()[0])
    if abs(g / e - 1) <= 0.02:
        return None
    problem = f"expected {e:.1f} BPM (within 2 %); got {describe(got)}"
    prior_hint = (f"the autocorrelation peaks at the beat period and at its multiples; the prior (centred at "
                  f"{c:g} BPM, {w:g} octave wide) decides between them. Multiply the autocorrelation by "
                  "exp(-½ (log2(bpm / prior_center_bpm) / prior_width_octaves)²) and take the best lag.")
    mistakes = [
        (lambda v: not np.isfinite(float(v)), "skip lag 0: its tempo is infinite (and a curve always matches "
                                              "itself best there). Start at lag 1."),
        (60.0 * fr / e, "you returned a lag in frames: the tempo is 60 × frame_rate_hz / lag BPM."),
        (60.0 / e, "you returned the beat period in seconds: the tempo is 60 / period BPM."),
        (e / 60.0, "you returned beats per second: multiply by 60 for BPM."),
    ]
    if abs(fr - _HARMONIX_FR) > 1e-6:
        mistakes.append((e * _HARMONIX_FR / fr, f"right at 21.53 frames/s, but this case has {fr:.2f} "
                                                "frames/s: use the frame_rate_hz argument."))
    mistakes += [
        (2 * e, "twice the expected tempo: " + prior_hint),
        (e / 2, "half the expected tempo: " + prior_hint),
        (lambda v: not 30 <= float(v) <= 300, "keep only the lags whose tempo is between 30 and 300 BPM."),
    ]
    return Wrong(problem, _diagnose(g, mistakes, rtol=0.02) or prior_hint)


def _dp_step(O, C, period, tightness, *, lags=None, sign=-1.0, square=True, with_onset=True,
             before_start="penalised"):
    """One pass of Ellis's recursion on the learner's C: what C[t] and back[t] should be given C[:t].

    The variants (``sign``, ``square``, ``with_onset``, ``before_start`` in
    {"penalised", "free", "none"}, other ``lags``) are the typical mistakes.
    """
    n = O.size
    from .beat import dp_lags

    lags = dp_lags(period) if lags is None else lags
    dist = np.log(lags / period)
    penalty = sign * tightness * (dist**2 if square else np.abs(dist))
    s = np.arange(n)[:, None] - lags[None, :]                  # (n, n_lags): candidate previous beats
    prev = np.where(s >= 0, C[np.maximum(s, 0)], 0.0)
    score = prev + penalty
    if before_start == "none":
        score = np.where(s >= 0, score, -np.inf)
    elif before_start == "free":
        score = np.where(s >= 0, score, 0.0)
    j = np.argmax(score, axis=1)
    best = score[np.arange(n), j]
    best = np.where(np.isfinite(best), best, 0.0)
    back = np.where(s[np.arange(n), j] >= 0, s[np.arange(n), j], -1)
    if before_start == "none":
        back = np.where(np.isfinite(score[np.arange(n), j]), back, -1)
    return (O if with_onset else 0.0) + best, back


def _backtrack(C: np.ndarray, back: np.ndarray, period: float) -> np.ndarray:
    tail = max(0, C.size - int(np.ceil(period)))
    frames = [tail + int(np.argmax(C[tail:]))]
    while back[frames[-1]] >= 0 and len(frames) <= C.size:
        frames.append(int(back[frames[-1]]))
    return np.array(frames[::-1])


def _cases_w2_dp():
    from .beat import dp_beat_frames

    rng = np.random.default_rng(5)
    four = 0.01 * rng.random(20)
    four[[2, 7, 12, 17]] += 1.0
    missing = 0.01 * rng.random(60)
    missing[[3, 9, 15, 27, 34, 40, 46, 52]] += rng.uniform(0.5, 1.5, 8)
    specs = [
        ("4 clicks 5 frames apart on a quiet floor, period 5, tightness 100", four, 5.0, 100.0),
        ("clicks about 6 frames apart, one missing, period 6.2, tightness 400", missing, 6.2, 400.0),
        ("a random novelty of 120 frames, period 7.3, tightness 100", rng.random(120) ** 2, 7.3, 100.0),
        ("a random novelty of 200 frames, period 11.6, tightness 10", rng.random(200) ** 2, 11.6, 10.0),
    ]
    return [Case(name, (O,), {"period_frames": P, "tightness": t},
                 dp_beat_frames(O, period_frames=P, tightness=t))
            for name, O, P, t in specs]


def _judge_w2_dp(got, case):
    O = case.args[0]
    P, tight = case.kwargs["period_frames"], case.kwargs["tightness"]
    n = O.size
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        a = _array(got)
        looks_like_beats = a is not None and a.ndim == 1 and a.size < n and np.all(a == np.round(a))
        return Wrong(f"expected two arrays (C, back), each of {n} values; got {describe(got)}",
                     "this looks like beat frames: return C and back from the forward pass "
                     "(`return C, back`); the backtracking is done for you." if looks_like_beats
                     else "end the function with `return C, back`.")
    C, back = _array(got[0]), _array(got[1])
    for name, arr, value in (("C", C, got[0]), ("back", back, got[1])):
        if arr is None or arr.shape != (n,):
            return Wrong(f"expected {name} with {n} values, one per frame; got {describe(value)}",
                         f"{name} needs one value per frame of O.")
    exp_C, exp_back = _dp_step(O, C, P, tight)
    bad = ~np.isclose(C, exp_C, rtol=1e-9, atol=1e-9)
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        problem = (f"C[{t}] is wrong (C[0] … C[{t - 1}] are right): expected {exp_C[t]:.5g} = O[{t}] + the best "
                   f"previous score, got {C[t]:.5g}" if t else
                   f"C[0] is wrong: expected {exp_C[0]:.5g}, got {C[0]:.5g}")
        before_hint = ("before the track there is silence with C = 0, but the spacing penalty still applies: for "
                       "s < 0 the candidate is 0 - tightness·log(lag/P)², and back[t] = -1.")
        variants = [
            (dict(sign=+1.0), "the penalty must lower the score: -tightness·log(lag/P)², with a minus sign."),
            (dict(with_onset=False), "C[t] includes the onset strength of frame t itself: O[t] + the best "
                                     "previous score."),
            (dict(square=False), "square the log: -tightness·log(lag/P)², not its absolute value."),
            (dict(before_start="free"), before_hint),
            (dict(before_start="none"), before_hint),
        ]
        hint = None
        for kwargs, text in variants:
            alt, _ = _dp_step(O, C, P, tight, **kwargs)
            if np.isclose(C[t], alt[t], rtol=1e-9, atol=1e-9):
                hint = text
                break
        return Wrong(problem, hint or "C[t] = O[t] + max over lags from max(1, floor(P/2)) to ceil(2P) of "
                                      "(C[t - lag], or 0 before the track) - tightness·log(lag/P)².")
    wrong_back = np.flatnonzero(back != exp_back)
    if wrong_back.size:
        t = int(wrong_back[0])
        problem = f"C is right, but back[{t}] = {_num(back[t])}; expected {exp_back[t]}"
        if exp_back[t] >= 0 and back[t] == t - exp_back[t]:
            hint = "back[t] is the frame s of the previous beat, not the lag t - s."
        elif exp_back[t] < 0:
            hint = "when the best previous beat is before the track (s < 0), back[t] = -1: t is the first beat."
        else:
            hint = "back[t] is the frame s that gave the best score (np.argmax over the lags, the first best)."
        return Wrong(problem, hint)
    beats = _backtrack(C, back.astype(int), P)
    if not np.array_equal(beats, case.expected):
        return Wrong(f"your C and back follow the recursion, but backtracking them gives the beats "
                     f"{describe(beats)} while helpers.beat.dp_beat_frames gives {describe(case.expected)}: "
                     "the course's helper and this exercise disagree; please report it.")
    return None


def _cases_w2_refine():
    from .beat import refine_beat_times
    from .novelty import Novelty

    rng = np.random.default_rng(6)
    split = np.zeros(20)
    split[[5, 6]] = [0.7, 0.3]
    split[[12, 13, 14]] = [0.2, 1.0, 0.2]
    edges = 0.05 + 0.05 * rng.random(25)
    edges[[0, 1]] = [1.0, 0.4]
    edges[[11, 12, 13]] = [0.3, 0.8, 0.1]
    edges[[23, 24]] = [0.5, 0.9]
    peaky = rng.random(300) ** 4 + 0.01
    peaks = 1 + np.flatnonzero((peaky[1:-1] > peaky[:-2]) & (peaky[1:-1] >= peaky[2:]))   # local maxima
    peaks = peaks[np.concatenate([[True], np.diff(peaks) >= 3])]                        # >= 3 frames apart
    specs = [
        ("an onset split 70/30 over frames 5 and 6, a clean peak at 13", split, [5, 13], _HARMONIX_FR),
        ("beats at the first and the last frame (and at 12)", edges, [0, 12, 24], _HARMONIX_FR),
        ("peaks of a random novelty at 43.07 frames/s (hop 512)", peaky, peaks[:40], 22050 / 512),
    ]
    return [
        Case(name, (y, np.asarray(frames, dtype=int)), {"frame_rate_hz": fr},
             refine_beat_times(Novelty(y, fr), np.asarray(frames, dtype=int), method="centroid"))
        for name, y, frames, fr in specs
    ]


def _judge_w2_refine(got, case):
    y, f = case.args
    fr = case.kwargs["frame_rate_hz"]
    p = np.concatenate([[0.0], y, [0.0]])
    a, b, c = p[f], p[f + 1], p[f + 2]
    shift = (c - a) / (a + b + c)
    wrapped = np.where(f == 0, y[-1], a)
    den = a - 2 * b + c
    parabola = np.where(den < 0, 0.5 * (a - c) / np.where(den < 0, den, -1.0), 0.0)
    mistakes = [
        (f + shift, "seconds expected, got frame numbers: divide by frame_rate_hz."),
        (f / fr, "these are the frame times, not refined: add the shift (y[f+1] - y[f-1]) / "
                 "(y[f-1] + y[f] + y[f+1]) to f first."),
        ((f - shift) / fr, "your shift goes the wrong way: more novelty after the beat (y[f+1]) moves it later, "
                           "f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])."),
        ((f + parabola) / fr, "that is the parabola's vertex (section 4); this exercise asks for the centroid, "
                              "f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])."),
        ((f + (c - wrapped) / (wrapped + b + c)) / fr,
         "at frame 0, y[f - 1] is y[-1], the LAST value of the curve: treat values outside the curve as 0 "
         "(pad y with a 0 at each end)."),
    ]
    if abs(fr - _HARMONIX_FR) > 1e-6:
        mistakes.append(((f + shift) / _HARMONIX_FR, f"this case has {fr:.2f} frames/s: divide by the "
                                                     "frame_rate_hz argument, not 21.53."))
    return _verdict(got, case.expected, mistakes,
                    "t = (f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])) / frame_rate_hz, with y = 0 outside "
                    "the curve.", rtol=1e-9, atol=1e-9, unit="s")


def _error_hint_w2_refine(exc, case):
    if isinstance(exc, IndexError):
        return ("at the last frame, y[f + 1] does not exist: pad y with a 0 at each end "
                "(np.concatenate([[0.0], y, [0.0]])) and shift the indices by one.")
    return None


# =========================================================================== week 3
def _cases_w3_trim():
    from .evaluate import trim_beats

    specs = [
        ("beats around 5 s, one exactly at 5.0 s", [1.0, 2.5, 4.99, 5.0, 5.5, 6.0], 5.0),
        ("120 BPM from 0.3 s to 30 s", np.arange(0.3, 30.0, 0.5), 5.0),
        ("every beat before 5 s", [0.5, 1.0, 1.5, 2.0], 5.0),
        ("76 BPM from 0.3 s, min_time_s=10", np.arange(0.3, 30.0, 0.79), 10.0),
        ("min_time_s=0 keeps every beat", [0.25, 0.75, 1.25], 0.0),
    ]
    return [Case(name, (np.asarray(b, dtype=float),), {"min_time_s": m},
                 trim_beats(np.asarray(b, dtype=float), trim_s=m))
            for name, b, m in specs]


def _judge_w3_trim(got, case):
    b, m = case.args[0], case.kwargs["min_time_s"]
    mistakes = [
        (lambda g: np.asarray(g).dtype == bool, "you returned a True/False mask: return the beats themselves, "
                                                "beats_s[mask]."),
        (b[b > m], f"a beat at exactly {m:g} s stays: keep beats_s >= min_time_s (as mir_eval does)."),
    ]
    if m != 5.0:
        mistakes.append((b[b >= 5.0], f"use the min_time_s argument (this case: {m:g} s), not a fixed 5 s."))
    if np.any(b < m):
        mistakes.append((b[b < m], "you kept the beats before min_time_s: keep those at or after it."))
    mistakes += [
        (b[b >= m] - m, "keep the times as they are: do not subtract min_time_s."),
        (b[int(m):], f"you removed the first {int(m)} beats: remove the beats before {m:g} SECONDS."),
    ]
    return _verdict(got, case.expected, mistakes, "keep the beats at or after min_time_s: beats_s[beats_s >= "
                                                  "min_time_s].", rtol=0, atol=1e-12, unit="s")


def _cases_w3_fmeasure():
    import mir_eval

    ref = np.arange(5.0, 20.0, 0.5)
    early = np.arange(1.0, 10.0, 0.5)
    specs = [
        ("the estimate is the reference", ref, ref.copy(), 0.07),
        ("every beat 40 ms late", ref, ref + 0.04, 0.07),
        ("every beat 100 ms late", ref, ref + 0.10, 0.07),
        ("double tempo: a beat between every two", ref, np.sort(np.concatenate([ref, ref[:-1] + 0.25])), 0.07),
        ("two estimates near the same reference beat", ref[:8], np.sort(np.append(ref[:8], ref[0] + 0.03)), 0.07),
        ("no estimated beat", ref, np.zeros(0), 0.07),
        ("window_s=0.1, every beat 85 ms late", ref, ref + 0.085, 0.1),
        ("beats from 1 s, estimated only before 5 s (no trimming here)", early, early[early < 5.0], 0.07),
    ]
    cases = []
    for name, r, e, w in specs:
        with _quiet():
            f = mir_eval.beat.f_measure(r, e, f_measure_threshold=w)
        cases.append(Case(name, (r, e), {"window_s": w}, float(f)))
    return cases


def _judge_w3_fmeasure(got, case):
    ref, est = case.args
    w = case.kwargs["window_s"]
    f = case.expected
    hits = round(f * (ref.size + est.size) / 2)         # F = 2 hits / (n_ref + n_est)
    precision = hits / est.size if est.size else 0.0
    recall = hits / ref.size if ref.size else 0.0
    mistakes = [
        (lambda g: not np.isfinite(float(g)), "when a sequence is empty there is no hit: return 0.0 before "
                                              "dividing (0 / 0 is nan)."),
    ]
    if "same reference" in case.name:
        mistakes.append((1.0, "each reference beat can be matched once: after a hit, mark it used, so a second "
                              "estimate near it is not a hit."))
    if "trimming" in case.name:
        mistakes.append((0.0, "no trimming inside f_measure: mir_eval.beat.f_measure counts every beat (it is "
                              "mir_eval.beat.evaluate that trims the first 5 s)."))
    if "40 ms" in case.name:
        mistakes.append((0.0, "±window_s is window_s on each side: a hit is |estimate - reference| <= window_s "
                              "(70 ms here)."))
    if w != 0.07:
        mistakes.append((0.0, f"use the window_s argument (this case: {w:g} s), not a fixed 0.07."))
    mistakes.append((100 * f, "return a fraction in [0, 1], not a percentage."))
    if precision != f:
        mistakes.append((precision, "that is the precision (hits / estimated beats); F = 2·P·R / (P + R)."))
    if recall != f:
        mistakes.append((recall, "that is the recall (hits / reference beats); F = 2·P·R / (P + R)."))
    if precision + recall > 0:
        mistakes.append(((precision + recall) / 2, "F is the harmonic mean 2·P·R / (P + R), not the plain average."))
    return _verdict(got, f, mistakes, "hit = an estimate within ±window_s of a reference beat not used yet; "
                                      "P = hits / len(estimated), R = hits / len(reference), F = 2PR / (P + R).",
                    rtol=1e-9, atol=1e-9)


def _error_hint_w3_fmeasure(exc, case):
    if isinstance(exc, ZeroDivisionError):
        return "when a sequence is empty (or nothing is hit) return 0.0 before dividing."
    return None


_FAILED = "DataError: {}-mel.npy: has negative values; power cannot be negative"


def _batch_of(values: dict):
    """A BatchResult with one track per value (None: the track failed), like Week 3's."""
    from .batch import BatchResult, TrackResult
    from .evaluate import METRIC_NAMES

    tracks = []
    for tid, f in values.items():
        if f is None:
            tracks.append(TrackResult(tid, None, error=_FAILED.format(tid), source="failed"))
        else:
            scores = {m: round(f * (1.0 - 0.05 * k), 6) for k, m in enumerate(METRIC_NAMES)}
            tracks.append(TrackResult(tid, scores))
    return BatchResult(tracks, config={"system": "exercise"})


def _cases_w3_mean():
    specs = [
        ("4 tracks, 1 failed; metric 'F-measure'", {"t01": 0.8, "t02": None, "t03": 0.6, "t04": 1.0}, "F-measure"),
        ("3 tracks, none failed; metric 'F-measure'", {"t01": 0.5, "t02": 0.75, "t03": 0.9}, "F-measure"),
        ("5 tracks, 2 failed; metric 'Correct Metric Level Total'",
         {"a": 0.9, "b": None, "c": 0.4, "d": None, "e": 0.7}, "Correct Metric Level Total"),
        ("every track failed", {"t01": None, "t02": None}, "F-measure"),
    ]
    cases = []
    for name, values, metric in specs:
        result = _batch_of(values)
        cases.append(Case(name, (result.rows(),), {"metric": metric}, result.mean()[metric]))
    return cases


def _judge_w3_mean(got, case):
    rows, metric = case.args[0], case.kwargs["metric"]
    e = case.expected
    if e is None:
        if got is None:
            return None
        a = _array(got)
        hint = ("np.mean of an empty list is nan (with a warning): check for no scores first and return None."
                if a is not None and a.size == 1 and np.isnan(a).all() else
                "with no successful track there is no mean (0 would be a score): return None.")
        return Wrong(f"expected None (no track has a score); got {describe(got)}", hint)
    scores = [r[metric] for r in rows]
    ok = [s for s in scores if s is not None]
    mistakes = [
        (sum(ok) / len(scores), "you counted the failed tracks as 0: skip the rows whose score is None (a crash "
                                "is not a score of 0)."),
        (float(np.median(ok)), "that is the median; the exercise asks for the mean."),
    ]
    if metric != "F-measure":
        f = [r["F-measure"] for r in rows if r["F-measure"] is not None]
        mistakes.append((sum(f) / len(f), f"use the metric argument (this case: {metric!r}), not 'F-measure'."))
    return _verdict(got, e, mistakes, "the mean of row[metric] over the rows where it is not None.",
                    rtol=1e-9, atol=1e-12)


def _error_hint_w3_mean(exc, case):
    if isinstance(exc, TypeError) and "NoneType" in str(exc):
        return "a failed track has None instead of a score: skip it (`if row[metric] is not None`)."
    if isinstance(exc, KeyError):
        return ("each row is a dict whose keys are 'track_id', the metric names ('F-measure', ...) and "
                "'error'; the metric to average is the metric argument.")
    if isinstance(exc, ZeroDivisionError):
        return "with no successful track there is no mean: return None before dividing."
    return None


# =========================================================================== week 4
_OCTAVE_LABELS = ("correct", "double-tempo", "half-tempo", "other")
_SWAP = {"double-tempo": "half-tempo", "half-tempo": "double-tempo"}


def _octave_rule(est, ref, tol, *, absolute=False):
    """The rule of w4.octave; ``absolute=True`` is the typical mistake |ratio - target| <= tol."""
    r = est / ref
    for target, label in ((1.0, "correct"), (2.0, "double-tempo"), (0.5, "half-tempo")):
        off = abs(r - target) if absolute else abs(r / target - 1.0)
        if off <= tol:
            return label
    return "other"


def _cases_w4_octave():
    specs = [
        ("120 vs 120 BPM", 120.0, 120.0, 0.04),
        ("240 vs 120 BPM", 240.0, 120.0, 0.04),
        ("60 vs 120 BPM", 60.0, 120.0, 0.04),
        ("123 vs 120 BPM (2.5 % fast)", 123.0, 120.0, 0.04),
        ("127 vs 120 BPM (5.8 % fast)", 127.0, 120.0, 0.04),
        ("247 vs 120 BPM (2.9 % above double)", 247.0, 120.0, 0.04),
        ("62.5 vs 120 BPM (4.2 % above half)", 62.5, 120.0, 0.04),
        ("90 vs 120 BPM (3:4)", 90.0, 120.0, 0.04),
        ("129 vs 120 BPM with tolerance=0.08", 129.0, 120.0, 0.08),
    ]
    return [Case(name, (est,), {"reference_bpm": ref, "tolerance": tol}, _octave_rule(est, ref, tol))
            for name, est, ref, tol in specs]


def _judge_label(got, expected, labels, mistakes, default):
    if isinstance(got, str) and got == expected:
        return None
    problem = f"expected {expected!r}; got {describe(got)}"
    if not isinstance(got, str) or got not in labels:
        return Wrong(problem, "return exactly one of " + ", ".join(repr(x) for x in labels) + ".")
    return Wrong(problem, _diagnose(got, mistakes) or default)


def _judge_w4_octave(got, case):
    est = case.args[0]
    ref, tol = case.kwargs["reference_bpm"], case.kwargs["tolerance"]
    e = case.expected
    mistakes = []
    if e in _SWAP:
        mistakes.append((_SWAP[e], "'double-tempo' means the estimate is twice the reference (estimated / reference "
                                   "≈ 2, e.g. 240 BPM for a 120 BPM song); 'half-tempo' means ≈ 1/2."))
    mistakes.append((_octave_rule(est, ref, tol, absolute=True),
                     "the tolerance is relative to the target: |ratio / 2 - 1| <= tolerance for double, "
                     "|ratio / 0.5 - 1| <= tolerance for half (4 % around 2 is ±0.08)."))
    if tol != 0.04:
        mistakes.append((_octave_rule(est, ref, 0.04), f"use the tolerance argument (this case: {tol:g})."))
    return _judge_label(got, e, _OCTAVE_LABELS, mistakes,
                        "ratio = estimated / reference; 'correct' if |ratio - 1| <= tolerance, 'double-tempo' if "
                        "|ratio / 2 - 1| <= tolerance, 'half-tempo' if |ratio / 0.5 - 1| <= tolerance, else "
                        "'other'.")


_FAILURE_LABELS = ("correct", "double-tempo", "half-tempo", "off-beat", "other")


def _cases_w4_classify():
    rng = np.random.default_rng(7)
    ref = np.arange(0.5, 40.0, 0.5) + rng.uniform(-0.005, 0.005, 79)
    mid = (ref[:-1] + ref[1:]) / 2
    slow = np.arange(0.4, 40.0, 60 / 95)
    specs = [
        ("120 BPM, estimate 20 ms late", ref, ref + 0.02, "correct"),
        ("120 BPM, estimate at twice the tempo", ref, np.sort(np.concatenate([ref, mid])) + 0.01, "double-tempo"),
        ("120 BPM, every other beat from the second", ref, ref[1::2], "half-tempo"),
        ("120 BPM, estimate between the beats", ref, mid, "off-beat"),
        ("120 BPM, 80 random beats", ref, np.sort(rng.uniform(0.5, 40.0, 80)), "other"),
        ("95 BPM, every other beat from the first", slow, slow[::2], "half-tempo"),
        ("120 BPM, estimate at 1.5 × the tempo", ref, np.arange(0.5, 40.0, 1 / 3), "other"),
    ]
    return [Case(name, (r, e), {}, label) for name, r, e, label in specs]


def _judge_w4_classify(got, case):
    e = case.expected
    mistakes = []
    if e in _SWAP:
        mistakes.append((_SWAP[e], "'double-tempo' = the estimate taps twice as fast: it matches the reference "
                                   "plus the midpoints. 'half-tempo' = half as fast: it matches every other "
                                   "reference beat."))
    if "from the second" in case.name:
        mistakes.append(("other", "half tempo has two phases: every other beat from the first (ref[::2]) or from "
                                  "the second (ref[1::2]); score both and keep the better."))
    if e == "off-beat":
        mistakes.append(("other", "the off-beats are the midpoints between neighbouring reference beats, "
                                  "(ref[:-1] + ref[1:]) / 2."))
    if e == "other":
        mistakes.append((lambda g: g != "other", "below 0.8 on every version of the reference, the answer is "
                                                 "'other'."))
    return _judge_label(got, e, _FAILURE_LABELS, mistakes,
                        "score the estimate against the reference, its double-tempo version, both half-tempo "
                        "versions and the off-beats; return the label of the best one if its F >= 0.8, else "
                        "'other'.")


def _call_twice(fn, args, kwargs):
    return fn(*args, **kwargs), fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))


def _cases_w4_bootstrap():
    rng = np.random.default_rng(8)
    uniform = rng.uniform(0.0, 1.0, 400)
    skewed = np.array([1.0] * 17 + [0.0] * 3)
    specs = [
        ("400 scores between 0 and 1, n_boot=2000, seed=0", uniform, 2000, 0, None),
        ("20 scores, all 0.7, n_boot=500, seed=0", np.full(20, 0.7), 500, 0, None),
        ("20 scores, 17 ones and 3 zeros, n_boot=2000, seed=1", skewed, 2000, 1, None),
        ("400 scores, called twice with seed=3", uniform, 1000, 3, _call_twice),
    ]
    cases = []
    for name, x, n_boot, seed, run in specs:
        se = float(np.std(x) / np.sqrt(x.size)) if x.max() > x.min() else 0.0
        expected = {"mean": float(np.mean(x)), "se": se, "min": float(x.min()), "max": float(x.max())}
        cases.append(Case(name, (x,), {"n_boot": n_boot, "seed": seed}, expected, run=run))
    return cases


def _pair(value) -> tuple[float, float] | None:
    a = _array(value)
    if a is None or a.shape != (2,) or not np.all(np.isfinite(a)):
        return None
    return float(a[0]), float(a[1])


def _judge_w4_bootstrap(got, case):
    e = case.expected
    mean, se = e["mean"], e["se"]
    if case.run is _call_twice:
        first, second = got
        if first is None or second is None or _pair(first) is None:
            return _judge_w4_bootstrap(first, Case(case.name, case.args, case.kwargs, e))
        if not _same(first, second, rtol=0, atol=0):
            return Wrong(f"two calls with seed={case.kwargs['seed']} gave {describe(first)} and {describe(second)}",
                         "make the generator from the seed argument, inside the function: "
                         "rng = np.random.default_rng(seed).")
        return None
    pair = _pair(got)
    if pair is None:
        return Wrong(f"expected two finite numbers (low, high); got {describe(got)}", "return low, high.")
    low, high = pair
    if se == 0:
        if abs(low - mean) <= 1e-9 and abs(high - mean) <= 1e-9:
            return None
        return Wrong(f"every score is {_num(mean)}, so every resampled mean is too: expected ({_num(mean)}, "
                     f"{_num(mean)}); got ({_num(low)}, {_num(high)})", "take the percentiles of the means of "
                                                                          "the resamples.")
    if low > high:
        return Wrong(f"low {_num(low)} > high {_num(high)}", "return (low, high), the lower bound first.")
    width, expected_width = high - low, 2 * 1.96 * se
    about = (f"an interval about {expected_width:.3g} wide around the mean {mean:.4g} (± 1.96 standard errors of "
             f"{se:.3g}), inside [{_num(e['min'])}, {_num(e['max'])}]")
    problem = f"expected {about}; got ({low:.4g}, {high:.4g}), {width:.3g} wide"
    normal_case = case.args[0].size >= 100
    if high < mean - 2 * se or low > mean + 2 * se:
        return Wrong(problem, "np.percentile takes percentages (2.5, 97.5); np.quantile takes fractions (0.025, "
                              "0.975).")
    if width < 1e-12:
        return Wrong(problem, "every resample equals the data: draw WITH replacement, rng.choice(scores, "
                              "size=len(scores), replace=True) (or scores[rng.integers(0, n, n)]).")
    if not (e["min"] - 1e-12 <= low <= mean + 1e-12 and mean - 1e-12 <= high <= e["max"] + 1e-12):
        return Wrong(problem, "the interval must contain the mean and stay within the scores' range: take the "
                              "percentiles of the resampled MEANS.")
    ratio = width / expected_width
    if normal_case and ratio > 3:
        return Wrong(problem, "far too wide: take the percentiles of the n_boot resampled MEANS, not of the "
                              "scores themselves.")
    if normal_case and abs(ratio - 0.84) < 0.06:
        return Wrong(problem, "that is a 90 % interval: a 95 % interval runs from the 2.5th to the 97.5th "
                              "percentile of the means.")
    if normal_case and abs(ratio - 0.51) < 0.06:
        return Wrong(problem, "that is ± 1 standard error (about 68 %): use the 2.5th and 97.5th percentiles of "
                              "the means.")
    if normal_case and not 0.88 <= ratio <= 1.12:
        return Wrong(problem, "resample len(scores) values with replacement, n_boot times; take the mean of each; "
                              "return the 2.5th and 97.5th percentiles of those means.")
    if normal_case and abs((low + high) / 2 - mean) > 0.25 * se:
        return Wrong(problem, "the interval should be centred near the mean of the scores.")
    return None


# =========================================================================== the registry
def _exercise_list() -> list[Exercise]:
    return [
        # ------------------------------------------------------------------ week 1
        Exercise(
            "w1.seconds", "Frames to seconds", "frames_to_seconds", "frames, sr, hop_length",
            "Frame `k` of a mel-spectrogram is centred on sample `k * hop_length` (librosa's `center=True`), so it "
            "sits at `k * hop_length / sr` seconds.\n\n"
            "**You get** an array of frame indices (whole, or fractional like 21.5 after sub-frame refinement), "
            "the sample rate `sr` (Hz) and the hop `hop_length` (samples), as read from `info.json` (`p.sr`, "
            "`p.hop_length`).\n\n"
            "**Return** the times in seconds: a float array of the same shape.",
            _cases_w1_seconds, _judge_w1_seconds,
            on_pass="`helpers.data.frames_to_time(frames, sr=..., hop_length=...)` does the same; the course uses "
                    "it from now on.",
        ),
        Exercise(
            "w1.db", "Power to decibels", "to_db", "S_power",
            "Convert a power mel-spectrogram to decibels relative to its loudest bin, the way the histogram in "
            "section 1 did: `10 * np.log10(power / S.max())`, with the power floored at `1e-10` first (so `log(0)` "
            "never happens), and 80 dB of range kept (nothing below `max - 80` dB).\n\n"
            "**You get** `S_power`, a 2-D array of power values (bands × frames).\n\n"
            "**Return** an array of the same shape, in dB: 0 at the loudest bin, nothing below -80.",
            _cases_w1_db, _judge_w1_db,
            on_pass="Same as `helpers.data.power_to_db(S, ref=S.max(), top_db=80)`.",
        ),
        Exercise(
            "w1.tolerance", "The tolerance in frames", "tolerance_in_frames", "tolerance_s, sr, hop_length",
            "The F-measure counts an estimated beat as right when it is within ±70 ms of a reference beat. How "
            "many frames is that?\n\n"
            "**You get** a tolerance in seconds (e.g. `0.07`), `sr` and `hop_length`.\n\n"
            "**Return** the tolerance in frames, as a float (do not round).",
            _cases_w1_tolerance, _judge_w1_tolerance,
            on_pass="At 21.53 frames/s, ±70 ms is only ±1.51 frames: a beat one frame off has already used two "
                    "thirds of the window.",
        ),
        Exercise(
            "w1.energy", "An energy curve in dB", "frame_energy_db", "S_power",
            "The energy of a frame is its total power, the sum over the bands.\n\n"
            "**You get** `S_power`, a 2-D array of power values (bands × frames).\n\n"
            "**Return** one value per frame: `10 * np.log10(energy)` in dB (re. power 1, no clipping), with the "
            "energy floored at `1e-10` before the log (a silent frame gives -100 dB).",
            _cases_w1_energy, _judge_w1_energy,
            on_pass="Loud passages show as plateaus, single drum hits hardly: that is why Week 2 builds on the "
                    "flux.",
        ),
        # ------------------------------------------------------------------ week 2
        Exercise(
            "w2.flux", "Half-wave rectified log flux", "half_wave_flux", "S_power, gamma",
            "Steps 1-4 of section 1, as one function: log compression `L = np.log1p(gamma * S / S.max())`, the "
            "difference of each band from the previous frame, half-wave rectification (keep increases only), "
            "and the sum over the bands. No band weights, no local average, no normalisation.\n\n"
            "**You get** `S_power` (bands × frames) and `gamma`.\n\n"
            "**Return** one value per frame: `flux[n]` is the increase arriving at frame `n` "
            "(`L[:, n] - L[:, n-1]`), and `flux[0] = 0`.",
            _cases_w2_flux, _judge_w2_flux,
            on_pass="Same as `nov.sum_bands(nov.band_differences(nov.log_compress(S, gamma=gamma)))`.",
        ),
        Exercise(
            "w2.local_average", "Subtract a local average", "above_local_average", "x, n",
            "Step 5 of section 1: keep only what stands out from its neighbourhood.\n\n"
            "**You get** a curve `x` (one value per frame) and an odd window length `n` in frames.\n\n"
            "**Return** `y[k] = max(0, x[k] - mean of x over the n frames centred on k)`, one value per frame. "
            "Near the ends, where the window sticks out of the curve, any sensible choice is fine: the check "
            "looks only at frames at least `n // 2` from either end.",
            _cases_w2_local_average, _judge_w2_local_average,
            on_pass="`helpers.novelty.subtract_local_average` does the same (it averages fewer frames at the "
                    "edges).",
        ),
        Exercise(
            "w2.tempo", "Tempo from the autocorrelation, with a prior", "acf_tempo",
            "novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves",
            "Section 3 by hand, for a whole curve.\n\n"
            "1. Remove the mean of the novelty; take its autocorrelation `r[lag]` for lags `1` to `len(x) - 1` "
            "(`np.correlate(x, x, mode=\"full\")[len(x) - 1:]`).\n"
            "2. The tempo of a lag is `60 * frame_rate_hz / lag` BPM; keep the lags between 30 and 300 BPM.\n"
            "3. Weight each lag by the prior "
            "`np.exp(-0.5 * (np.log2(bpm / prior_center_bpm) / prior_width_octaves) ** 2)`.\n\n"
            "**You get** the novelty values (1-D), the frame rate and the prior's centre and width.\n\n"
            "**Return** the tempo in BPM of the lag with the largest weighted autocorrelation.",
            _cases_w2_tempo, _judge_w2_tempo,
            on_pass="`helpers.tempo.estimate_tempo` does this better: two tempograms over sliding windows, and a "
                    "tempo between whole-frame lags.",
        ),
        Exercise(
            "w2.dp", "The dynamic-programming recursion", "dp_forward", "O, period_frames, tightness",
            "The forward pass of section 4 (Ellis 2007), in your own words. For every frame `t`, in order: every "
            "lag from `max(1, floor(P/2))` to `ceil(2P)` (both included) proposes a previous beat `s = t - lag`, "
            "scored `C[s] - tightness * np.log(lag / P) ** 2` (with `C = 0` for `s < 0`: silence before the track). "
            "`C[t] = O[t] +` the best proposal, and `back[t]` is its `s` (`-1` if `s < 0`). Take the first best "
            "lag if two tie (as `np.argmax` does).\n\n"
            "**You get** the local score `O` (1-D), the period `P` in frames and the tightness.\n\n"
            "**Return** `C` (floats) and `back` (integers), each with one value per frame: `return C, back`. "
            "The check follows `back` from the best final beat and compares with `helpers.beat.dp_beat_frames`.",
            _cases_w2_dp, _judge_w2_dp,
            on_pass="Backtracking your `back` gives exactly the beats of `helpers.beat.dp_beat_frames`.",
        ),
        Exercise(
            "w2.refine", "Sub-frame refinement: the centroid", "centroid_refine",
            "novelty, beat_frames, frame_rate_hz",
            "The tracker's default refinement (section 4): move each beat frame `f` to the novelty-weighted mean "
            "position of frames `f-1, f, f+1`: `f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])`. Values "
            "outside the curve count as 0.\n\n"
            "**You get** the novelty values `y` (1-D), the beat frames (integers) and the frame rate.\n\n"
            "**Return** the refined beat times in seconds.",
            _cases_w2_refine, _judge_w2_refine, _error_hint_w2_refine,
            on_pass="Same as `helpers.beat.refine_beat_times(novelty, beat_frames, method=\"centroid\")`.",
        ),
        # ------------------------------------------------------------------ week 3
        Exercise(
            "w3.trim", "Trim the first seconds", "trim_early_beats", "beats_s, min_time_s",
            "`mir_eval.beat.evaluate` first removes the beats before 5 s from both sequences. Write that step.\n\n"
            "**You get** beat times in seconds (increasing) and `min_time_s`.\n\n"
            "**Return** the beats at or after `min_time_s`, unchanged, as an array (possibly empty).",
            _cases_w3_trim, _judge_w3_trim,
            on_pass="Same as `mir_eval.beat.trim_beats` and `helpers.evaluate.trim_beats`.",
        ),
        Exercise(
            "w3.fmeasure", "The F-measure by hand", "f_measure", "reference_s, estimated_s, window_s",
            "An estimated beat is a *hit* if a reference beat lies within ±`window_s` of it; each reference beat "
            "can be hit only once. Precision = hits / estimated beats, recall = hits / reference beats, "
            "F = 2·P·R / (P + R), and F = 0 when there is no hit or a sequence is empty. No trimming here.\n\n"
            "**You get** the reference and estimated beat times (s, increasing) and the window (s).\n\n"
            "**Return** F, a number in [0, 1]. The check compares with `mir_eval.beat.f_measure`.",
            _cases_w3_fmeasure, _judge_w3_fmeasure, _error_hint_w3_fmeasure,
            on_pass="Same as `mir_eval.beat.f_measure` (which does not trim: `mir_eval.beat.evaluate` does).",
        ),
        Exercise(
            "w3.mean", "A mean that skips failed tracks", "mean_score", "rows, metric",
            "`ours.rows()` gives one dict per track: `track_id`, one entry per metric name, and `error`. A "
            "track that failed (a bad file, a crash) has `None` for every score.\n\n"
            "**You get** such a list of rows and a metric name (e.g. `\"F-measure\"`).\n\n"
            "**Return** the mean of that metric over the tracks that have a score, or `None` if none has.",
            _cases_w3_mean, _judge_w3_mean, _error_hint_w3_mean,
            on_pass="Same as `ours.mean()[metric]`. Always say how many tracks failed next to such a mean.",
        ),
        # ------------------------------------------------------------------ week 4
        Exercise(
            "w4.octave", "A tempo-octave check", "tempo_octave", "estimated_bpm, reference_bpm, tolerance",
            "Is an estimated tempo right, or off by an octave? With `ratio = estimated_bpm / reference_bpm`: "
            "`\"correct\"` if `|ratio - 1| <= tolerance`, `\"double-tempo\"` if `|ratio / 2 - 1| <= tolerance`, "
            "`\"half-tempo\"` if `|ratio / 0.5 - 1| <= tolerance`, else `\"other\"`.\n\n"
            "**You get** the two tempi (BPM) and a relative tolerance (e.g. `0.04` for 4 %).\n\n"
            "**Return** one of the four labels.",
            _cases_w4_octave, _judge_w4_octave,
            on_pass="Octave errors are the most common failure: the periodicity is there at both levels, the "
                    "prior chose one.",
        ),
        Exercise(
            "w4.classify", "A failure classifier", "classify_failure", "reference_s, estimated_s",
            "Which metrical level did a tracker tap? Build versions of the reference: itself (`\"correct\"`); "
            "at double tempo, the beats plus the midpoints between neighbours (`\"double-tempo\"`); at half "
            "tempo, every other beat, `ref[::2]` and `ref[1::2]` (`\"half-tempo\"`); the off-beats, the "
            "midpoints only (`\"off-beat\"`). Score the estimate against each with "
            "`evaluate_beats(version, estimated_s, metrics=(\"F-measure\",))[\"F-measure\"]`.\n\n"
            "**You get** reference and estimated beat times (s).\n\n"
            "**Return** the label of the best-scoring version if its F is at least 0.8, else `\"other\"`.",
            _cases_w4_classify, _judge_w4_classify,
            on_pass="A tracker with a low F but a high score on one of these versions found the pulse, at the "
                    "wrong level: a different fix than a tracker that found nothing.",
        ),
        Exercise(
            "w4.bootstrap", "A bootstrap confidence interval", "bootstrap_ci", "scores, n_boot, seed",
            "How sure is a mean over tracks? Resample: `rng = np.random.default_rng(seed)`; `n_boot` times, draw "
            "`len(scores)` scores *with replacement* and take their mean; the 95 % interval runs from the 2.5th "
            "to the 97.5th percentile of those means.\n\n"
            "**You get** per-track scores (1-D), `n_boot` and `seed`.\n\n"
            "**Return** `(low, high)`. The same seed must give the same interval.",
            _cases_w4_bootstrap, _judge_w4_bootstrap,
            on_pass="With 912 tracks the interval of a mean F-measure is a few hundredths wide: differences "
                    "between trackers smaller than that need a paired comparison.",
        ),
    ]


#: All exercises by id, in course order.
EXERCISES: dict[str, Exercise] = {ex.id: ex for ex in _exercise_list()}


def exercises(week: int | None = None) -> list[Exercise]:
    """The exercises of one week (1-4), or all of them, in course order."""
    if week is not None and week not in (1, 2, 3, 4):
        raise ParameterError(f"week={week!r} must be 1, 2, 3 or 4 (or None for all).")
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
        with _quiet():
            got = case.call(fn)
    except NotImplementedError:
        return _NOT_DONE
    except Exception as exc:  # the learner's code: report it, never raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return Wrong(f"your function raised {type(exc).__name__}{': ' + _short(message, 200) if message else ''}"
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


def notebook_cells(week: int) -> list[dict]:
    """The "Exercises" section of a week's notebook: ``[{"cell_type", "source"}, ...]``.

    One introduction, then per exercise a Markdown cell (the task) and a code cell
    (the stub and the check call).
    """
    chosen = exercises(week)
    cells = [{"cell_type": "markdown", "source": _INTRO.format(week=week, first=chosen[0].id)}]
    for k, ex in enumerate(chosen, start=1):
        cells.append({"cell_type": "markdown",
                      "source": f"### Exercise {k}: {ex.title} (`{ex.id}`)\n\n{ex.instructions}"})
        cells.append({"cell_type": "code",
                      "source": f"from helpers.exercises import check\n\n{ex.stub}\n\n"
                                f'check("{ex.id}", {ex.function_name})'})
    return cells
