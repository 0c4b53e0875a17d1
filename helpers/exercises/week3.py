"""Week 3 (validate on the whole data set): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.

Registered in :mod:`helpers.exercises` (``check("w3.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week3.py``.
"""

from __future__ import annotations

import numpy as np

from .model import (Case, Exercise, Wrong, as_float_array, compare_values, describe, diagnose,
                    silenced_warnings, verdict)


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



# --------------------------------------------------------------------------- w3.cmlt
#: mir_eval's continuity tolerances (phase and period), as fractions of the reference beat interval.
_CONTINUITY_TOLERANCE = 0.175


def _cmlt_rule(reference_s, estimated_s, *, first_rule=True, phase_in_seconds=False, period=True,
               denominator="max", continuous=False):
    """mir_eval's CMLt (or CMLc), with switches that reproduce the typical mistakes."""
    ref, est = np.asarray(reference_s, dtype=float), np.asarray(estimated_s, dtype=float)
    if ref.size < 2 or est.size < 2:
        return 0.0
    used = np.zeros(ref.size, dtype=bool)
    correct = np.zeros(est.size, dtype=bool)
    for m, e in enumerate(est):
        j = int(np.argmin(np.abs(ref - e)))
        if used[j]:
            continue
        if first_rule and (m == 0 or j == 0):          # no interval before: use the one after
            ref_interval = ref[j + 1] - ref[j] if j + 1 < ref.size else ref[j] - ref[j - 1]
            est_interval = est[m + 1] - est[m] if m + 1 < est.size else est[m] - est[m - 1]
        else:
            ref_interval, est_interval = ref[j] - ref[j - 1], est[m] - est[m - 1]
        phase = abs(e - ref[j]) / (1.0 if phase_in_seconds else ref_interval)
        period_error = abs(1.0 - est_interval / ref_interval)
        if phase < _CONTINUITY_TOLERANCE and (period_error < _CONTINUITY_TOLERANCE or not period):
            used[j] = correct[m] = True
    n = {"max": max(ref.size, est.size), "estimated": est.size, "reference": ref.size}[denominator]
    if continuous:                                      # CMLc: the longest unbroken run of correct beats
        best = run = 0
        for ok in correct:
            run = run + 1 if ok else 0
            best = max(best, run)
        return float(best / n)
    return float(correct.sum() / n)


def _cases_w3_cmlt():
    import mir_eval

    ref = np.arange(5.0, 20.0, 0.5)                               # 120 BPM
    fast = np.arange(5.0, 20.0, 60 / 180)                         # 180 BPM
    mid = (ref[:-1] + ref[1:]) / 2
    stumble = ref.copy()
    stumble[12:15] += 0.15                                        # three beats 150 ms late in the middle
    lost = np.concatenate([ref[:12], np.arange(ref[12] + 0.3, 20.0, 0.61)])
    specs = [
        ("the estimate is the reference (120 BPM)", ref, ref.copy()),
        ("every beat 40 ms late", ref, ref + 0.04),
        ("180 BPM, every beat 80 ms late", fast, fast + 0.08),
        ("only the first 20 of 30 beats", ref, ref[:20]),
        ("5 extra beats after the last reference beat", ref, np.concatenate([ref, ref[-1] + 0.5 * np.arange(1, 6)])),
        ("three beats 150 ms late in the middle", ref, stumble),
        ("double tempo", ref, np.sort(np.concatenate([ref, mid]))),
        ("half tempo", ref, ref[::2]),
        ("off-beat", ref, mid),
        ("+-69 ms alternating", ref, ref + 0.069 * (-1.0) ** np.arange(ref.size)),
        ("right for 6 s, then 0.61 s apart", ref, lost),
        ("three beats from the last reference beat on", ref, ref[-1] + np.array([0.0, 0.5, 1.0])),
        ("a single estimated beat", ref, np.array([6.0])),
    ]
    cases = []
    for name, r, e in specs:
        with silenced_warnings():
            expected = float(mir_eval.beat.continuity(r, e)[1])
        cases.append(Case(name, (r, e), {}, expected))
    return cases


def _judge_w3_cmlt(got, case):
    ref, est = case.args
    e = case.expected
    mistakes = [
        (lambda g: not np.isfinite(float(g)), "with fewer than 2 beats on either side there are no intervals: "
                                              "return 0.0 first."),
        (_cmlt_rule(ref, est, phase_in_seconds=True), "the phase tolerance is a FRACTION of the reference beat "
                                                      "interval: |e - r| < 0.175 * I_ref (at 180 BPM that is 58 ms, "
                                                      "not 175 ms)."),
        (_cmlt_rule(ref, est, period=False), "a beat also needs the right INTERVAL: |1 - I_est / I_ref| < 0.175 "
                                             "(at double or half tempo every phase can be right, no interval is)."),
        (_cmlt_rule(ref, est, first_rule=False), "the first beat has no interval before it (e[m - 1] with m = 0 "
                                                 "is e[-1], the LAST beat): use the interval after it, "
                                                 "e[1] - e[0] (and r[j + 1] - r[j] when j = 0)."),
        (_cmlt_rule(ref, est, denominator="estimated"), "divide by max(len(reference_s), len(estimated_s)), not by "
                                                        "the number of estimated beats (missing beats must cost)."),
        (_cmlt_rule(ref, est, denominator="reference"), "divide by max(len(reference_s), len(estimated_s)), not by "
                                                        "the number of reference beats (extra beats must cost)."),
        (_cmlt_rule(ref, est, continuous=True), "that is CMLc, the longest unbroken run; CMLt counts every "
                                                "correct beat."),
        (100 * e, "return a fraction in [0, 1], not a percentage."),
    ]
    return verdict(got, e, mistakes, "for each estimated beat: nearest reference beat j (not used yet), phase "
                                     "|e - r_j| / I_ref < 0.175 and period |1 - I_est / I_ref| < 0.175; CMLt = "
                                     "correct / max(n_ref, n_est).", rtol=1e-9, atol=1e-12)


def _error_hint_w3_cmlt(exc, case):
    if isinstance(exc, IndexError):
        return ("an index ran past an end: the first beat (m = 0 or j = 0) uses the interval AFTER it, and the "
                "last reference beat (j = len - 1) has none after: use the one before.")
    if isinstance(exc, ZeroDivisionError):
        return "with fewer than 2 beats on either side return 0.0 before dividing."
    return None


# --------------------------------------------------------------------------- w3.playground
def _cases_w3_playground():
    steady = np.arange(0.5, 12.0, 0.5)                                       # 120 BPM
    rng = np.random.default_rng(11)
    drifting = np.cumsum(np.linspace(0.6, 0.45, 30)) + rng.uniform(-0.004, 0.004, 30)   # 100 -> 133 BPM
    odd = np.arange(1.0, 8.0, 0.6)                                           # 100 BPM, an odd number of beats
    specs = [("120 BPM, 23 beats from 0.5 s", steady), ("accelerating from 100 to 133 BPM, 30 beats", drifting),
             ("100 BPM, 12 beats from 1 s", odd)]
    from ..analysis import constructed_estimates

    return [Case(name, (r,), {}, constructed_estimates(r)) for name, r in specs]


def _judge_w3_playground(got, case):
    from ..analysis import CONSTRUCTED_ESTIMATES as PLAYGROUND_KEYS

    ref = case.args[0]
    expected = case.expected
    keys = ", ".join(repr(k) for k in PLAYGROUND_KEYS)
    if not isinstance(got, dict):
        return Wrong(f"expected a dict with the keys {keys}; got {describe(got)}",
                     "return {\"half tempo\": ..., \"double tempo\": ..., ...}: one array of beat times per key.")
    missing = [k for k in PLAYGROUND_KEYS if k not in got]
    if missing:
        return Wrong(f"your dict has no {', '.join(repr(k) for k in missing)} (its keys: {list(got)})",
                     f"use exactly these keys: {keys}.")
    mid = (ref[:-1] + ref[1:]) / 2
    step = float(np.median(np.diff(ref)))
    per_key = {
        "half tempo": [(ref[1::2], "start from the FIRST beat: reference_s[::2].")],
        "double tempo": [(mid, "double tempo keeps the reference beats AND adds the midpoints."),
                         (np.concatenate([ref, mid]), "sort the beats: np.sort(np.concatenate([...])).")],
        "off-beat": [(ref + step / 2, "the midpoints between NEIGHBOURS, (r[:-1] + r[1:]) / 2: with a changing "
                                      "tempo half the median interval is not half of each interval."),
                     (ref[:-1] + step / 2, "the midpoints between NEIGHBOURS, (r[:-1] + r[1:]) / 2."),
                     (np.sort(np.concatenate([ref, mid])), "off-beat is the midpoints ONLY, without the beats.")],
        "60 ms late": [(ref - 0.06, "late means later: ADD 0.060 s."), (ref + 60, "times are in seconds: 60 ms is "
                                                                                "0.060 s."),
                       (ref + 0.6, "60 ms is 0.060 s, not 0.6 s.")],
        "69 ms alternating": [(ref - 0.069 * (-1.0) ** np.arange(ref.size), "start with +69 ms on the first beat "
                                                                           "(index 0), then -69 ms, ..."),
                              (ref + 69 * (-1.0) ** np.arange(ref.size), "times are in seconds: 69 ms is 0.069 s.")],
    }
    for key in PLAYGROUND_KEYS:
        problem = compare_values(got[key], expected[key], rtol=0, atol=1e-9, unit="s")
        if problem is not None:
            hint = diagnose(got[key], per_key[key], rtol=0, atol=1e-9) or {
                "half tempo": "every other beat, from the first: reference_s[::2].",
                "double tempo": "np.sort(np.concatenate([reference_s, midpoints])).",
                "off-beat": "(reference_s[:-1] + reference_s[1:]) / 2.",
                "60 ms late": "reference_s + 0.060.",
                "69 ms alternating": "reference_s + 0.069 * (-1.0) ** np.arange(len(reference_s)).",
            }[key]
            return Wrong(f"{key!r}: {problem}", hint)
    return None


#: This week's exercises, in course order: three fill-ins in the notebook's body, two at the end.
EXERCISES = (
    Exercise(
        "w3.fmeasure", "The F-measure by hand", "f_measure", "reference_s, estimated_s, window_s",
        "An estimated beat is a *hit* if a reference beat lies within ±`window_s` of it; each reference beat "
        "can be hit only once (one-to-one: after a hit, that reference beat is used). Precision = hits / "
        "estimated beats, recall = hits / reference beats, F = 2·P·R / (P + R), and F = 0 when there is no "
        "hit or a sequence is empty. No trimming here.\n\n"
        "**You get** the reference and estimated beat times (s, increasing) and the window (s).\n\n"
        "**Return** F, a number in [0, 1]. The check compares with `mir_eval.beat.f_measure`.",
        _cases_w3_fmeasure, _judge_w3_fmeasure, _error_hint_w3_fmeasure,
        on_pass="Same as `mir_eval.beat.f_measure` (which does not trim: `mir_eval.beat.evaluate` does).",
        inline=True,
    ),
    Exercise(
        "w3.trim", "Trim the first seconds", "trim_early_beats", "beats_s, min_time_s",
        "`mir_eval.beat.evaluate` first removes the beats before 5 s from both sequences. Write that step.\n\n"
        "**You get** beat times in seconds (increasing) and `min_time_s`.\n\n"
        "**Return** the beats at or after `min_time_s`, unchanged, as an array (possibly empty).",
        _cases_w3_trim, _judge_w3_trim,
        on_pass="Same as `mir_eval.beat.trim_beats` and `helpers.evaluate.trim_beats`.",
        inline=True,
    ),
    Exercise(
        "w3.cmlt", "CMLt for one track", "cmlt", "reference_s, estimated_s",
        "CMLt (*correct metric level, total*) counts the estimated beats that are right in **phase and "
        "tempo**. Go through the estimated beats `e` in order. For beat `m`, find the nearest reference beat "
        "`j` (`np.argmin(np.abs(reference_s - e[m]))`). Beat `m` is correct when `j` has not been used by an "
        "earlier correct beat and both\n\n"
        "- **phase**: `|e[m] - r[j]| < 0.175 * I_ref`, and\n"
        "- **period**: `|1 - I_est / I_ref| < 0.175`,\n\n"
        "where `I_ref = r[j] - r[j-1]` and `I_est = e[m] - e[m-1]` are the intervals that *end* at the two "
        "beats. The first estimated beat (`m == 0`) and the first reference beat (`j == 0`) have no interval "
        "before them: then use the intervals that *start* there, `r[j+1] - r[j]` and `e[m+1] - e[m]` (or, "
        "for the last beat of a sequence, the interval before it). A correct beat marks `j` as used.\n\n"
        "**You get** reference and estimated beat times (s, increasing). No trimming here.\n\n"
        "**Return** CMLt = correct beats / `max(len(reference_s), len(estimated_s))`, or 0.0 when either "
        "side has fewer than 2 beats. The check compares with `mir_eval.beat.continuity` (its second value).",
        _cases_w3_cmlt, _judge_w3_cmlt, _error_hint_w3_cmlt,
        on_pass="Same as CMLt of `mir_eval.beat.continuity`. AMLt is the same count, maximised over the "
                "reference and its double-tempo, half-tempo and off-beat versions.",
        inline=True,
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
    Exercise(
        "w3.playground", "Five ways to miss: a metric playground", "make_estimates", "reference_s",
        "Build five estimates from a reference, each wrong in one known way, then read all ten metrics side "
        "by side (the cell after this one).\n\n"
        "- `\"half tempo\"`: every other beat, from the first;\n"
        "- `\"double tempo\"`: the beats *and* the midpoints between neighbours, sorted;\n"
        "- `\"off-beat\"`: the midpoints only;\n"
        "- `\"60 ms late\"`: every beat 60 ms late;\n"
        "- `\"69 ms alternating\"`: +69 ms, −69 ms, +69 ms, ... starting with the first beat.\n\n"
        "**You get** reference beat times (s, increasing; the tempo may change).\n\n"
        "**Return** a dict with exactly these five keys, each an array of beat times in seconds.",
        _cases_w3_playground, _judge_w3_playground,
        on_pass="Now predict before you read the table: which metrics forgive 60 ms, which punish it; which "
                "give the ±69 ms alternation full marks, which give it nothing?",
    ),
)
