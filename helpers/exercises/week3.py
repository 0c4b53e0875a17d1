"""Week 3 (validate on the whole data set): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.

Registered in :mod:`helpers.exercises` (``check("w3.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week3.py``.
"""

from __future__ import annotations

import numpy as np

from .model import (Case, Exercise, Wrong, as_float_array, describe, silenced_warnings, verdict)


def _cases_w3_trim():
    from ..evaluate import trim_beats

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
    return verdict(got, case.expected, mistakes, "keep the beats at or after min_time_s: beats_s[beats_s >= "
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
        with silenced_warnings():
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
    return verdict(got, f, mistakes, "hit = an estimate within ±window_s of a reference beat not used yet; "
                                      "P = hits / len(estimated), R = hits / len(reference), F = 2PR / (P + R).",
                    rtol=1e-9, atol=1e-9)


def _error_hint_w3_fmeasure(exc, case):
    if isinstance(exc, ZeroDivisionError):
        return "when a sequence is empty (or nothing is hit) return 0.0 before dividing."
    return None


_FAILED = "DataError: {}-mel.npy: has negative values; power cannot be negative"


def _batch_of(values: dict):
    """A BatchResult with one track per value (None: the track failed), like Week 3's."""
    from ..batch import BatchResult, TrackResult
    from ..evaluate import METRIC_NAMES

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
        a = as_float_array(got)
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
    return verdict(got, e, mistakes, "the mean of row[metric] over the rows where it is not None.",
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


#: This week's exercises, in course order.
EXERCISES = (
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
)
