"""Week 4 (where and why it fails): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.

Registered in :mod:`helpers.exercises` (``check("w4.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week4.py``.
"""

from __future__ import annotations

import copy

import numpy as np

from .model import (Case, Exercise, Wrong, as_float_array, describe, diagnose, format_number, same_values)


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
    return Wrong(problem, diagnose(got, mistakes) or default)


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
    a = as_float_array(value)
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
        if not same_values(first, second, rtol=0, atol=0):
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
        return Wrong(f"every score is {format_number(mean)}, so every resampled mean is too: expected ({format_number(mean)}, "
                     f"{format_number(mean)}); got ({format_number(low)}, {format_number(high)})", "take the percentiles of the means of "
                                                                          "the resamples.")
    if low > high:
        return Wrong(f"low {format_number(low)} > high {format_number(high)}", "return (low, high), the lower bound first.")
    width, expected_width = high - low, 2 * 1.96 * se
    about = (f"an interval about {expected_width:.3g} wide around the mean {mean:.4g} (± 1.96 standard errors of "
             f"{se:.3g}), inside [{format_number(e['min'])}, {format_number(e['max'])}]")
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


# --------------------------------------------------------------------------- w4.wins
def _win_loss_tie(scores_a, scores_b, tolerance, *, swap=False, strict=False, none_as_zero=False,
                  by_position=False):
    """The rule of w4.wins; the keyword switches reproduce the typical mistakes (None: not applicable)."""
    if by_position:                                   # zip(a.values(), b.values()): the order of the dicts
        if len(scores_a) != len(scores_b):
            return None
        pairs = list(zip(scores_a.values(), scores_b.values()))
    else:
        pairs = [(scores_a[t], scores_b[t]) for t in scores_a if t in scores_b]
    if none_as_zero:
        pairs = [(x or 0.0, y or 0.0) for x, y in pairs]
    pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
    diff = np.array([x - y for x, y in pairs], dtype=float)
    tol = 0.0 if strict else tolerance
    wins, losses = int(np.sum(diff > tol)), int(np.sum(diff < -tol))
    result = (wins, losses, len(diff) - wins - losses)
    return (result[1], result[0], result[2]) if swap else result


def _cases_w4_wins():
    specs = [
        ("4 tracks, same order, tolerance 0.01",
         {"t1": 0.90, "t2": 0.50, "t3": 0.70, "t4": 0.30}, {"t1": 0.60, "t2": 0.80, "t3": 0.705, "t4": 0.30}, 0.01),
        ("5 tracks, B's dict in another order",
         {"a": 0.90, "b": 0.20, "c": 0.60, "d": 0.95, "e": 0.40},
         {"e": 0.10, "d": 0.955, "c": 0.90, "b": 0.20, "a": 0.50}, 0.01),
        ("B failed on one track (None)", {"x": 0.80, "y": 0.70, "z": 0.90}, {"x": 0.50, "y": None, "z": 0.95}, 0.01),
        ("A failed on one track (None)", {"m": None, "n": 0.40, "o": 0.50}, {"m": 0.90, "n": 0.10, "o": 0.50}, 0.01),
        ("a track that only A has", {"u": 0.60, "v": 0.90, "w": 0.90}, {"u": 0.70, "v": 0.30}, 0.01),
        ("tolerance 0.1", {"p": 0.80, "q": 0.50, "r": 0.60, "s": 0.505}, {"p": 0.75, "q": 0.70, "r": 0.30, "s": 0.50},
         0.1),
    ]
    return [Case(name, (a, b), {"tie_tolerance": tol}, _win_loss_tie(a, b, tol)) for name, a, b, tol in specs]


def _judge_w4_wins(got, case):
    a, b = case.args
    tol = case.kwargs["tie_tolerance"]
    e = case.expected
    values = as_float_array(got)
    if values is None or values.shape != (3,):
        return Wrong(f"expected three counts (wins, losses, ties) = {e}; got {describe(got)}",
                     "return wins, losses, ties: three whole numbers.")
    if same_values(values, e, rtol=0, atol=0):
        return None
    mistakes = [] if tol == 0.01 else [(_win_loss_tie(a, b, 0.01), f"use the tie_tolerance argument (this case: "
                                                                    f"{tol:g}), not a fixed 0.01.")]
    mistakes += [
        (_win_loss_tie(a, b, tol, swap=True), "a WIN is a track where A scores more than B (scores_a[t] - "
                                              "scores_b[t] > tie_tolerance); you counted B's wins."),
        (_win_loss_tie(a, b, tol, none_as_zero=True), "a failed track (None) is not a score of 0: skip the tracks "
                                                      "where either system has None."),
        (_win_loss_tie(a, b, tol, by_position=True), "pair the scores by TRACK ID, not by position: the two dicts "
                                                     "need not list the tracks in the same order."),
        (_win_loss_tie(a, b, tol, strict=True), "differences within ±tie_tolerance are TIES: a win needs A - B > "
                                                "tie_tolerance."),
    ]
    mistakes = [(c, h) for c, h in mistakes if c is not None]
    return Wrong(f"expected (wins, losses, ties) = {e}; got {tuple(int(v) if v == int(v) else v for v in values)}",
                 diagnose(values, mistakes, rtol=0, atol=0) or "over the tracks both systems scored (both not None): "
                 "win if A - B > tie_tolerance, loss if A - B < -tie_tolerance, else tie.")


def _error_hint_w4_wins(exc, case):
    if isinstance(exc, TypeError) and "NoneType" in str(exc):
        return "a failed track has None instead of a score: skip the tracks where either score is None."
    if isinstance(exc, KeyError):
        return ("a track may be missing from one system: compare only the tracks both have "
                "(`for t in scores_a: if t in scores_b ...`).")
    return None


# --------------------------------------------------------------------------- w4.paired_bootstrap
def _cases_w4_paired_bootstrap():
    rng = np.random.default_rng(21)
    a = rng.uniform(0.0, 1.0, 300)                                  # track difficulty, shared by both systems
    b = np.clip(a - 0.03 + rng.normal(0.0, 0.05, a.size), 0.0, 1.0)
    c = rng.uniform(0.2, 1.0, 200)
    d = np.clip(c + 0.05 + rng.normal(0.0, 0.04, c.size), 0.0, 1.0)   # B better than A
    same = rng.uniform(0.0, 1.0, 20)
    specs = [
        ("300 tracks, A about 0.03 above B, n_boot=2000, seed=0", a, b, 2000, 0, None),
        ("200 tracks, A about 0.05 below B, n_boot=2000, seed=1", c, d, 2000, 1, None),
        ("20 tracks, A equals B on every track, n_boot=500, seed=0", same, same.copy(), 500, 0, None),
        ("300 tracks, called twice with seed=3", a, b, 1000, 3, _call_twice),
    ]
    cases = []
    for name, x, y, n_boot, seed, run in specs:
        diff = x - y
        n = diff.size
        se = float(np.std(diff) / np.sqrt(n)) if diff.max() > diff.min() else 0.0
        expected = {"mean": float(diff.mean()), "se": se, "min": float(diff.min()), "max": float(diff.max()),
                    "unpaired_se": float(np.sqrt(np.var(x) / n + np.var(y) / n))}
        cases.append(Case(name, (x, y), {"n_boot": n_boot, "seed": seed}, expected, run=run))
    return cases


def _judge_w4_paired_bootstrap(got, case):
    a, b = case.args
    e = case.expected
    pair = None if case.run is _call_twice else _pair(got)
    if pair is not None and e["se"] > 0:
        low, high = pair
        centre, width = (low + high) / 2, high - low
        if abs(e["mean"]) > 4 * e["se"] and abs(centre + e["mean"]) < 3 * e["se"]:
            return Wrong(f"expected an interval around the mean difference {e['mean']:+.4g}; got ({low:.4g}, "
                         f"{high:.4g})", "the difference is A - B: scores_a[idx] - scores_b[idx].")
        unpaired = 2 * 1.96 * e["unpaired_se"]
        if abs(width / unpaired - 1.0) < 0.2:
            return Wrong(f"expected an interval about {2 * 1.96 * e['se']:.3g} wide; got ({low:.4g}, {high:.4g}), "
                         f"{width:.3g} wide", "you resampled A and B independently: draw ONE set of track indices "
                                              "per resample and use it for both systems (that is the pairing).")
    diff_case = Case(case.name, (a - b,), case.kwargs, {k: e[k] for k in ("mean", "se", "min", "max")}, run=case.run)
    return _judge_w4_bootstrap(got, diff_case)


#: This week's exercises, in course order: three fill-ins in the notebook's body, two at the end.
EXERCISES = (
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
        inline=True,
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
        inline=True,
    ),
    Exercise(
        "w4.wins", "Wins, losses and ties", "win_loss_tie", "scores_a, scores_b, tie_tolerance",
        "Two systems, track by track. Each gets a dict `{track_id: score}`; a track the system failed on has "
        "`None`, and a dict may lack a track. Over the tracks **both** scored: a *win* for A is a track where "
        "`A - B > tie_tolerance`, a *loss* where `A - B < -tie_tolerance`, and a *tie* otherwise.\n\n"
        "**You get** the two dicts and `tie_tolerance` (e.g. `0.01`).\n\n"
        "**Return** `(wins, losses, ties)`, three whole numbers.",
        _cases_w4_wins, _judge_w4_wins, _error_hint_w4_wins,
        on_pass="Same counts as `helpers.analysis.paired_comparison` (its `wins`, `losses`, `ties`).",
        inline=True,
    ),
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
        "w4.paired_bootstrap", "A paired bootstrap of a difference", "paired_bootstrap_ci",
        "scores_a, scores_b, n_boot, seed",
        "Two systems on the **same** tracks: `scores_a[i]` and `scores_b[i]` belong to track `i`. How sure is "
        "the mean difference A − B? Resample *tracks*: `rng = np.random.default_rng(seed)`; `n_boot` times, "
        "draw `len(scores_a)` track indices with replacement and take the mean of `scores_a[idx] - "
        "scores_b[idx]`; return the 2.5th and 97.5th percentiles of those means.\n\n"
        "**You get** two 1-D arrays of the same length, `n_boot` and `seed`.\n\n"
        "**Return** `(low, high)`. The same seed must give the same interval.",
        _cases_w4_paired_bootstrap, _judge_w4_paired_bootstrap,
        on_pass="Same idea as the interval of `helpers.analysis.paired_comparison` (`.difference`). Try it "
                "unpaired too (independent indices for A and B): the interval grows several times wider, "
                "because it no longer cancels what the two systems share: which tracks are hard.",
    ),
)
