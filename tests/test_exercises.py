"""helpers.exercises: every reference solution passes its check, typical wrong answers get the
intended hint, stubs say "not done yet" without raising, and every exercise is in a notebook
and in solutions/."""

from __future__ import annotations

import importlib.util
import json
import re
import warnings

import numpy as np
import pytest

from helpers.errors import ParameterError
from helpers.evaluate import evaluate_beats
from helpers.exercises import EXERCISES, CheckResult, check, exercises, notebook_cells, solution

from .conftest import REPO

SOLUTIONS = REPO / "solutions"
NOTEBOOKS = {int(p.name[1]): p for p in sorted((REPO / "notebooks").glob("0[1-4]_*.ipynb"))}


def _solutions(week: int):
    spec = importlib.util.spec_from_file_location(f"solutions_week{week}", SOLUTIONS / f"week{week}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(exercise_id: str):
    return getattr(_solutions(int(exercise_id[1])), exercise_id.replace(".", "_"))


# =========================================================================== typical wrong answers
# ---- week 1
def seconds_hop_512(frames, sr, hop_length):
    return frames * 512 / sr


def seconds_returns_frames(frames, sr, hop_length):
    return frames


def seconds_wrong_way(frames, sr, hop_length):
    return frames * sr / hop_length


def seconds_fixed_harmonix(frames, sr, hop_length):
    return frames * 1024 / 22050


def db_20log(S_power):
    S_db = 20 * np.log10(np.maximum(S_power, 1e-10) / S_power.max())
    return np.maximum(S_db, S_db.max() - 80)


def db_no_floor(S_power):
    S_db = 10 * np.log10(S_power / S_power.max())
    return np.maximum(S_db, S_db.max() - 80)


def db_log_of_zero(S_power):
    return 10 * np.log10(S_power / S_power.max())


def db_no_top(S_power):
    return 10 * np.log10(np.maximum(S_power, 1e-10) / S_power.max())


def tolerance_rounded(tolerance_s, sr, hop_length):
    return round(tolerance_s * sr / hop_length)


def tolerance_wrong_way(tolerance_s, sr, hop_length):
    return tolerance_s * hop_length / sr


def tolerance_whole_window(tolerance_s, sr, hop_length):
    return 2 * tolerance_s * sr / hop_length


def energy_wrong_axis(S_power):
    return 10 * np.log10(np.maximum(S_power.sum(axis=1), 1e-10))


def energy_mean(S_power):
    return 10 * np.log10(np.maximum(S_power.mean(axis=0), 1e-10))


def energy_sum_of_db(S_power):
    return (10 * np.log10(np.maximum(S_power, 1e-10))).sum(axis=0)


def energy_helper_default(S_power):
    from helpers.data import power_to_db

    return power_to_db(S_power.sum(axis=0))      # top_db=80 by default


# ---- week 2
def flux_not_rectified(S_power, gamma):
    L = np.log1p(gamma * S_power / S_power.max())
    return np.diff(L, axis=1, prepend=L[:, :1]).sum(axis=0)


def flux_short(S_power, gamma):
    L = np.log1p(gamma * S_power / S_power.max())
    return np.maximum(np.diff(L, axis=1), 0).sum(axis=0)


def flux_one_frame_early(S_power, gamma):
    L = np.log1p(gamma * S_power / S_power.max())
    D = np.zeros_like(L)
    D[:, :-1] = L[:, 1:] - L[:, :-1]
    return np.maximum(D, 0).sum(axis=0)


def flux_abs(S_power, gamma):
    L = np.log1p(gamma * S_power / S_power.max())
    return np.abs(np.diff(L, axis=1, prepend=L[:, :1])).sum(axis=0)


def flux_fixed_gamma(S_power, gamma):
    L = np.log1p(1000 * S_power / S_power.max())
    return np.maximum(np.diff(L, axis=1, prepend=L[:, :1]), 0).sum(axis=0)


def local_average_not_rectified(x, n):
    return x - np.convolve(x, np.ones(n) / n, mode="same")


def local_average_trailing(x, n):
    return np.maximum(x - np.convolve(x, np.ones(n) / n, mode="full")[: len(x)], 0)


def local_average_sum(x, n):
    return np.maximum(x - np.convolve(x, np.ones(n), mode="same"), 0)


def _acf_bpm(novelty, frame_rate_hz):
    x = novelty - np.mean(novelty)
    acf = np.correlate(x, x, mode="full")[x.size - 1:]
    lags = np.arange(1, x.size)
    return acf, lags, 60.0 * frame_rate_hz / lags


def tempo_no_prior(novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves):
    acf, _, bpm = _acf_bpm(novelty, frame_rate_hz)
    score = np.where((bpm >= 30) & (bpm <= 300), acf[1:], -np.inf)
    return float(bpm[np.argmax(score)])


def tempo_returns_lag(novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves):
    acf, lags, bpm = _acf_bpm(novelty, frame_rate_hz)
    prior = np.exp(-0.5 * (np.log2(bpm / prior_center_bpm) / prior_width_octaves) ** 2)
    score = np.where((bpm >= 30) & (bpm <= 300), acf[1:] * prior, -np.inf)
    return int(lags[np.argmax(score)])


def tempo_fixed_rate(novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves):
    acf, _, bpm = _acf_bpm(novelty, 22050 / 1024)
    prior = np.exp(-0.5 * (np.log2(bpm / prior_center_bpm) / prior_width_octaves) ** 2)
    score = np.where((bpm >= 30) & (bpm <= 300), acf[1:] * prior, -np.inf)
    return float(bpm[np.argmax(score)])


def tempo_lag_zero(novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves):
    x = novelty - np.mean(novelty)
    acf = np.correlate(x, x, mode="full")[x.size - 1:]
    bpm = 60.0 * frame_rate_hz / np.arange(x.size)
    return float(bpm[np.argmax(acf)])


def _dp(O, P, tightness, *, sign=-1.0, power=2, back_as_lag=False, free_start=False):
    n = len(O)
    lags = np.arange(max(1, int(np.floor(P / 2))), int(np.ceil(2 * P)) + 1)
    penalty = sign * tightness * np.abs(np.log(lags / P)) ** power
    C, back = np.zeros(n), np.full(n, -1)
    for t in range(n):
        s = t - lags
        if free_start:
            score = np.where(s >= 0, C[np.maximum(s, 0)] + penalty, 0.0)
        else:
            score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) + penalty
        j = int(np.argmax(score))
        C[t] = O[t] + score[j]
        back[t] = (lags[j] if back_as_lag else s[j]) if s[j] >= 0 else -1
    return C, back


def dp_plus_penalty(O, period_frames, tightness):
    return _dp(O, period_frames, tightness, sign=+1.0)


def dp_back_is_lag(O, period_frames, tightness):
    return _dp(O, period_frames, tightness, back_as_lag=True)


def dp_without_onset(O, period_frames, tightness):
    return _dp(np.zeros(len(O)), period_frames, tightness)


def dp_log_not_squared(O, period_frames, tightness):
    return _dp(O, period_frames, tightness, power=1)


def dp_free_start(O, period_frames, tightness):
    return _dp(O, period_frames, tightness, free_start=True)


def dp_returns_beats(O, period_frames, tightness):
    from helpers.beat import dp_beat_frames

    return dp_beat_frames(O, period_frames=period_frames, tightness=tightness)


def refine_in_frames(novelty, beat_frames, frame_rate_hz):
    y = np.concatenate([[0.0], novelty, [0.0]])
    f = np.asarray(beat_frames)
    return f + (y[f + 2] - y[f]) / (y[f] + y[f + 1] + y[f + 2])


def refine_wraps_around(novelty, beat_frames, frame_rate_hz):
    y = np.asarray(novelty)
    f = np.asarray(beat_frames)
    before, at, after = y[f - 1], y[f], np.append(y, 0.0)[f + 1]   # y[-1] at frame 0
    return (f + (after - before) / (before + at + after)) / frame_rate_hz


def refine_index_error(novelty, beat_frames, frame_rate_hz):
    y = np.asarray(novelty)
    times = []
    for f in beat_frames:
        a, b, c = y[f - 1], y[f], y[f + 1]
        times.append((f + (c - a) / (a + b + c)) / frame_rate_hz)
    return np.array(times)


def refine_sign_flipped(novelty, beat_frames, frame_rate_hz):
    y = np.concatenate([[0.0], novelty, [0.0]])
    f = np.asarray(beat_frames)
    return (f - (y[f + 2] - y[f]) / (y[f] + y[f + 1] + y[f + 2])) / frame_rate_hz


# ---- week 3
def trim_strict(beats_s, min_time_s):
    return beats_s[beats_s > min_time_s]


def trim_first_beats(beats_s, min_time_s):
    return beats_s[5:]


def trim_mask(beats_s, min_time_s):
    return beats_s >= min_time_s


def trim_fixed_five(beats_s, min_time_s):
    return beats_s[beats_s >= 5]


def _hits_greedy(ref, est, window_s, *, reuse=False):
    used = np.zeros(ref.size, dtype=bool)
    hits = 0
    for t in est:
        free = np.flatnonzero((reuse | ~used) & (np.abs(ref - t) <= window_s))
        if free.size:
            used[free[0]] = True
            hits += 1
    return hits


def fmeasure_reuses_references(reference_s, estimated_s, window_s):
    if len(estimated_s) == 0:
        return 0.0
    hits = _hits_greedy(reference_s, estimated_s, window_s, reuse=True)
    p, r = hits / len(estimated_s), min(1.0, hits / len(reference_s))
    return 2 * p * r / (p + r) if hits else 0.0


def fmeasure_precision(reference_s, estimated_s, window_s):
    if len(estimated_s) == 0:
        return 0.0
    return _hits_greedy(reference_s, estimated_s, window_s) / len(estimated_s)


def fmeasure_trims(reference_s, estimated_s, window_s):
    ref, est = reference_s[reference_s >= 5], estimated_s[estimated_s >= 5]
    if len(ref) == 0 or len(est) == 0:
        return 0.0
    hits = _hits_greedy(ref, est, window_s)
    p, r = hits / len(est), hits / len(ref)
    return 2 * p * r / (p + r) if hits else 0.0


def fmeasure_divides_by_zero(reference_s, estimated_s, window_s):
    hits = _hits_greedy(reference_s, estimated_s, window_s)
    p, r = hits / len(estimated_s), hits / len(reference_s)
    return 2 * p * r / (p + r) if hits else 0.0


def mean_none_as_zero(rows, metric):
    return sum(row[metric] or 0.0 for row in rows) / len(rows)


def mean_sums_none(rows, metric):
    return sum(row[metric] for row in rows) / len(rows)


def mean_nan_when_empty(rows, metric):
    return float(np.mean([row[metric] for row in rows if row[metric] is not None]))


def mean_fixed_metric(rows, metric):
    scores = [row["F-measure"] for row in rows if row["F-measure"] is not None]
    return sum(scores) / len(scores) if scores else None


# ---- week 4
def octave_swapped(estimated_bpm, reference_bpm, tolerance):
    return reference("w4.octave")(reference_bpm, estimated_bpm, tolerance)     # ratio upside down


def octave_absolute(estimated_bpm, reference_bpm, tolerance):
    ratio = estimated_bpm / reference_bpm
    for target, label in ((1.0, "correct"), (2.0, "double-tempo"), (0.5, "half-tempo")):
        if abs(ratio - target) <= tolerance:
            return label
    return "other"


def octave_fixed_tolerance(estimated_bpm, reference_bpm, tolerance):
    return reference("w4.octave")(estimated_bpm, reference_bpm, 0.04)


def octave_short_labels(estimated_bpm, reference_bpm, tolerance):
    return reference("w4.octave")(estimated_bpm, reference_bpm, tolerance).replace("-tempo", "")


def _classify(reference_s, estimated_s, *, both_halves=True, swap=False, threshold=0.8):
    ref = np.asarray(reference_s)
    mid = (ref[:-1] + ref[1:]) / 2
    double, half = ("half-tempo", "double-tempo") if swap else ("double-tempo", "half-tempo")
    versions = [("correct", ref), (double, np.sort(np.concatenate([ref, mid]))), (half, ref[::2]), ("off-beat", mid)]
    if both_halves:
        versions.append((half, ref[1::2]))
    scores = [(evaluate_beats(v, estimated_s, metrics=("F-measure",))["F-measure"], label) for label, v in versions]
    f, label = max(scores, key=lambda s: s[0])
    return label if f >= threshold else "other"


def classify_one_half(reference_s, estimated_s):
    return _classify(reference_s, estimated_s, both_halves=False)


def classify_swapped(reference_s, estimated_s):
    return _classify(reference_s, estimated_s, swap=True)


def classify_no_threshold(reference_s, estimated_s):
    return _classify(reference_s, estimated_s, threshold=0.0)


def _means(scores, n_boot, rng, *, replace=True):
    return np.array([rng.choice(scores, size=len(scores), replace=replace).mean() for _ in range(n_boot)])


def bootstrap_no_replacement(scores, n_boot, seed):
    means = _means(scores, n_boot, np.random.default_rng(seed), replace=False)
    return tuple(np.percentile(means, [2.5, 97.5]))


def bootstrap_of_scores(scores, n_boot, seed):
    return tuple(np.percentile(scores, [2.5, 97.5]))


def bootstrap_90(scores, n_boot, seed):
    return tuple(np.percentile(_means(scores, n_boot, np.random.default_rng(seed)), [5, 95]))


def bootstrap_fractions(scores, n_boot, seed):
    return tuple(np.percentile(_means(scores, n_boot, np.random.default_rng(seed)), [0.025, 0.975]))


def bootstrap_unseeded(scores, n_boot, seed):
    return tuple(np.percentile(_means(scores, n_boot, np.random.default_rng()), [2.5, 97.5]))


WRONG = {
    "w1.seconds": [(seconds_hop_512, "you used hop 512"), (seconds_returns_frames, "got frame numbers"),
                   (seconds_wrong_way, "wrong way round"), (seconds_fixed_harmonix, "right for Harmonix")],
    "w1.db": [(db_20log, "use 10·log10"), (db_no_floor, "floor the power at 1e-10 before the log"),
              (db_log_of_zero, "log10(0) = -inf"), (db_no_top, "keep 80 dB of range")],
    "w1.tolerance": [(tolerance_rounded, "don't round"), (tolerance_wrong_way, "wrong way round"),
                     (tolerance_whole_window, "half-width")],
    "w1.energy": [(energy_wrong_axis, "sum over the bands, axis=0"), (energy_mean, "you averaged the bands"),
                  (energy_sum_of_db, "add the powers first"), (energy_helper_default, "no 80 dB floor")],
    "w2.flux": [(flux_not_rectified, "did you half-wave rectify?"), (flux_short, "np.diff gives n_frames - 1"),
                (flux_one_frame_early, "off by one frame"), (flux_abs, "absolute value"),
                (flux_fixed_gamma, "use the gamma argument")],
    "w2.local_average": [(local_average_not_rectified, "set negative values to 0"),
                         (local_average_trailing, "your average lags behind"), (local_average_sum, "divide by n")],
    "w2.tempo": [(tempo_no_prior, "twice the expected tempo"), (tempo_returns_lag, "a lag in frames"),
                 (tempo_fixed_rate, "use the frame_rate_hz argument"), (tempo_lag_zero, "skip lag 0")],
    "w2.dp": [(dp_plus_penalty, "must lower the score"), (dp_back_is_lag, "not the lag t - s"),
              (dp_without_onset, "includes the onset strength of frame t"),
              (dp_log_not_squared, "square the log"), (dp_free_start, "silence with C = 0"),
              (dp_returns_beats, "this looks like beat frames")],
    "w2.refine": [(refine_in_frames, "got frame numbers"), (refine_wraps_around, "y[-1], the LAST value"),
                  (refine_index_error, "y[f + 1] does not exist"), (refine_sign_flipped, "goes the wrong way")],
    "w3.trim": [(trim_strict, "exactly 5 s stays"), (trim_first_beats, "removed the first 5 beats"),
                (trim_mask, "True/False mask"), (trim_fixed_five, "use the min_time_s argument")],
    "w3.fmeasure": [(fmeasure_reuses_references, "each reference beat can be matched once"),
                    (fmeasure_precision, "that is the precision"), (fmeasure_trims, "no trimming inside"),
                    (fmeasure_divides_by_zero, "return 0.0 before dividing")],
    "w3.mean": [(mean_none_as_zero, "counted the failed tracks as 0"), (mean_sums_none, "has None instead"),
                (mean_nan_when_empty, "is nan"), (mean_fixed_metric, "use the metric argument")],
    "w4.octave": [(octave_swapped, "'double-tempo' means the estimate is twice"),
                  (octave_absolute, "relative to the target"), (octave_fixed_tolerance, "use the tolerance argument"),
                  (octave_short_labels, "return exactly one of")],
    "w4.classify": [(classify_one_half, "half tempo has two phases"), (classify_swapped, "taps twice as fast"),
                    (classify_no_threshold, "below 0.8 on every version")],
    "w4.bootstrap": [(bootstrap_no_replacement, "WITH replacement"), (bootstrap_of_scores, "far too wide"),
                     (bootstrap_90, "90 % interval"), (bootstrap_fractions, "np.percentile takes percentages"),
                     (bootstrap_unseeded, "from the seed argument")],
}



# ---- weeks 3 and 4: the fill-ins and variations added with the inline exercises
def _cmlt(reference_s, estimated_s, **mistake):
    from helpers.exercises.week3 import _cmlt_rule

    return _cmlt_rule(reference_s, estimated_s, **mistake)


def cmlt_phase_in_seconds(reference_s, estimated_s):
    return _cmlt(reference_s, estimated_s, phase_in_seconds=True)


def cmlt_no_period(reference_s, estimated_s):
    return _cmlt(reference_s, estimated_s, period=False)


def cmlt_first_wraps(reference_s, estimated_s):
    return _cmlt(reference_s, estimated_s, first_rule=False)


def cmlt_over_estimates(reference_s, estimated_s):
    return _cmlt(reference_s, estimated_s, denominator="estimated")


def cmlt_longest_run(reference_s, estimated_s):
    return _cmlt(reference_s, estimated_s, continuous=True)


def cmlt_runs_past_the_end(reference_s, estimated_s):
    ref, est = np.asarray(reference_s), np.asarray(estimated_s)
    if ref.size < 2 or est.size < 2:
        return 0.0
    used, correct = set(), 0
    for m, e in enumerate(est):
        j = int(np.argmin(np.abs(ref - e)))
        first = m == 0 or j == 0
        ref_interval = ref[j + 1] - ref[j] if first else ref[j] - ref[j - 1]       # no guard at the last beat
        est_interval = est[m + 1] - est[m] if first else est[m] - est[m - 1]
        if j not in used and abs(e - ref[j]) < 0.175 * ref_interval and abs(1 - est_interval / ref_interval) < 0.175:
            used.add(j)
            correct += 1
    return correct / max(ref.size, est.size)


def _playground(reference_s, **changes):
    from helpers.analysis import constructed_estimates

    estimates = constructed_estimates(reference_s)
    for key, fn in changes.items():
        estimates[key.replace("_", " ")] = fn(np.asarray(reference_s))
    return estimates


def playground_half_from_second(reference_s):
    return _playground(reference_s, half_tempo=lambda r: r[1::2])


def playground_early(reference_s):
    return {**_playground(reference_s), "60 ms late": np.asarray(reference_s) - 0.06}


def playground_unsorted_double(reference_s):
    r = np.asarray(reference_s)
    return {**_playground(reference_s), "double tempo": np.concatenate([r, (r[:-1] + r[1:]) / 2])}


def playground_offbeat_by_median(reference_s):
    r = np.asarray(reference_s)
    return {**_playground(reference_s), "off-beat": r + np.median(np.diff(r)) / 2}


def playground_other_names(reference_s):
    estimates = _playground(reference_s)
    return {"half": estimates["half tempo"], **{k: v for k, v in estimates.items() if k != "half tempo"}}


def playground_alternating_minus_first(reference_s):
    r = np.asarray(reference_s)
    return {**_playground(reference_s), "69 ms alternating": r - 0.069 * (-1.0) ** np.arange(r.size)}


def wins_swapped(scores_a, scores_b, tie_tolerance):
    wins, losses, ties = reference("w4.wins")(scores_a, scores_b, tie_tolerance)
    return losses, wins, ties


def wins_failed_as_zero(scores_a, scores_b, tie_tolerance):
    a = {t: v or 0.0 for t, v in scores_a.items()}
    b = {t: v or 0.0 for t, v in scores_b.items()}
    return reference("w4.wins")(a, b, tie_tolerance)


def wins_by_position(scores_a, scores_b, tie_tolerance):
    pairs = [(x, y) for x, y in zip(scores_a.values(), scores_b.values()) if x is not None and y is not None]
    d = np.array([x - y for x, y in pairs])
    return int(np.sum(d > tie_tolerance)), int(np.sum(d < -tie_tolerance)), int(np.sum(np.abs(d) <= tie_tolerance))


def wins_no_tolerance(scores_a, scores_b, tie_tolerance):
    return reference("w4.wins")(scores_a, scores_b, 0.0)


def wins_fixed_tolerance(scores_a, scores_b, tie_tolerance):
    return reference("w4.wins")(scores_a, scores_b, 0.01)


def wins_crashes_on_none(scores_a, scores_b, tie_tolerance):
    d = np.array([scores_a[t] - scores_b[t] for t in scores_a if t in scores_b])
    return int(np.sum(d > tie_tolerance)), int(np.sum(d < -tie_tolerance)), int(np.sum(np.abs(d) <= tie_tolerance))


def wins_every_track_of_a(scores_a, scores_b, tie_tolerance):
    d = np.array([(scores_a[t] or 0.0) - (scores_b[t] or 0.0) for t in scores_a])
    return int(np.sum(d > tie_tolerance)), int(np.sum(d < -tie_tolerance)), int(np.sum(np.abs(d) <= tie_tolerance))


def paired_unpaired(scores_a, scores_b, n_boot, seed):
    rng = np.random.default_rng(seed)
    a, b = np.asarray(scores_a), np.asarray(scores_b)
    means = [a[rng.integers(0, a.size, a.size)].mean() - b[rng.integers(0, b.size, b.size)].mean()
             for _ in range(n_boot)]
    return tuple(np.percentile(means, [2.5, 97.5]))


def paired_b_minus_a(scores_a, scores_b, n_boot, seed):
    return reference("w4.paired_bootstrap")(scores_b, scores_a, n_boot, seed)


def paired_unseeded(scores_a, scores_b, n_boot, seed):
    return reference("w4.paired_bootstrap")(scores_a, scores_b, n_boot, int(np.random.default_rng().integers(1 << 30)))


def paired_fractions(scores_a, scores_b, n_boot, seed):
    d = np.asarray(scores_a) - np.asarray(scores_b)
    rng = np.random.default_rng(seed)
    means = [d[rng.integers(0, d.size, d.size)].mean() for _ in range(n_boot)]
    return tuple(np.percentile(means, [0.025, 0.975]))


WRONG.update({
    "w3.cmlt": [(cmlt_phase_in_seconds, "a FRACTION of the reference beat interval"),
                (cmlt_no_period, "also needs the right INTERVAL"),
                (cmlt_first_wraps, "the first beat has no interval before it"),
                (cmlt_over_estimates, "not by the number of estimated beats"),
                (cmlt_longest_run, "that is CMLc"),
                (cmlt_runs_past_the_end, "an index ran past an end")],
    "w3.playground": [(playground_half_from_second, "start from the FIRST beat"),
                      (playground_early, "late means later"),
                      (playground_unsorted_double, "sort the beats"),
                      (playground_offbeat_by_median, "the midpoints between NEIGHBOURS"),
                      (playground_other_names, "use exactly these keys"),
                      (playground_alternating_minus_first, "start with +69 ms")],
    "w4.wins": [(wins_swapped, "you counted B's wins"), (wins_failed_as_zero, "is not a score of 0"),
                (wins_by_position, "pair the scores by TRACK ID"), (wins_no_tolerance, "are TIES"),
                (wins_fixed_tolerance, "use the tie_tolerance argument"),
                (wins_crashes_on_none, "has None instead of a score"),
                (wins_every_track_of_a, "compare only the tracks both have")],
    "w4.paired_bootstrap": [(paired_unpaired, "resampled A and B independently"),
                            (paired_b_minus_a, "the difference is A - B"),
                            (paired_unseeded, "from the seed argument"),
                            (paired_fractions, "np.percentile takes percentages")],
})


# =========================================================================== the registry
def test_three_to_five_exercises_a_week_with_unique_names():
    for week in (1, 2, 3, 4):
        assert 3 <= len(exercises(week)) <= 5, week
    assert all(re.fullmatch(r"w[1-4]\.[a-z_]+", ex_id) for ex_id in EXERCISES)
    names = [ex.function_name for ex in EXERCISES.values()]
    assert len(set(names)) == len(names)


def test_every_exercise_has_wrong_answers_in_this_file():
    assert set(WRONG) == set(EXERCISES)
    assert all(len(v) >= 2 for v in WRONG.values())


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_reference_solution_passes(exercise_id):
    result = check(exercise_id, reference(exercise_id))
    assert result.passed, str(result)
    assert result.n_right == result.n_cases >= 3
    assert result.feedback == ()


@pytest.mark.parametrize(
    "exercise_id, wrong, hint",
    [(ex_id, fn, hint) for ex_id, answers in WRONG.items() for fn, hint in answers],
    ids=lambda v: v.__name__ if callable(v) else (v if isinstance(v, str) and v[:1] == "w" and "." in v else ""),
)
def test_typical_wrong_answer_gets_its_hint(exercise_id, wrong, hint):
    result = check(exercise_id, wrong)
    assert not result.passed and result.status == "failed"
    text = str(result)
    assert hint in text, text
    assert "case " in text and result.feedback[0].case.startswith("case ")


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_stub_is_not_done_without_raising(exercise_id):
    def stub(*args, **kwargs):
        ...

    def unimplemented(*args, **kwargs):
        raise NotImplementedError

    for fn in (stub, unimplemented):
        result = check(exercise_id, fn)
        assert result.status == "not done" and not result.passed
        assert "not done yet" in str(result) and "not done yet" in result._repr_markdown_()


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_learner_exception_is_reported_with_case_and_line(exercise_id):
    def broken(*args, **kwargs):
        x = 1
        return x / 0 + args[99]

    result = check(exercise_id, broken)
    assert result.status == "failed" and result.n_right == 0
    first = result.feedback[0]
    assert first.case.startswith("case 1 (")
    assert "ZeroDivisionError: division by zero" in first.problem
    assert "line 3 of broken" in first.problem and "return x / 0" in first.problem
    assert "Traceback" not in str(result)


def test_docstring_examples_run():
    import doctest

    import helpers.exercises as module

    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried >= 4 and failures == 0


# =========================================================================== the result object
def test_result_shows_expected_got_and_hint_as_text_and_markdown():
    result = check("w2.flux", flux_not_rectified)
    assert isinstance(result, CheckResult)
    text, md = str(result), result._repr_markdown_()
    assert text.startswith("✗ w2.flux (Half-wave rectified log flux): ")
    assert "expected" in text and "got" in text and "shape (40,)" in text
    assert "hint: your flux has negative values" in text
    assert md.startswith("**✗ w2.flux") and "*Hint:* your flux has negative values" in md
    assert result.messages[0] == text.splitlines()[0]
    assert repr(result) == text


def test_a_hint_is_given_once():
    result = check("w1.seconds", seconds_hop_512)
    assert sum("you used hop 512" in m for m in result.messages) == 1


def test_only_the_first_three_wrong_cases_are_explained():
    result = check("w1.tolerance", tolerance_wrong_way)      # wrong on all 4 cases
    assert result.n_right == 0 and len(result.feedback) == 4
    assert [f.case.split(" (")[0] for f in result.feedback[:3]] == ["case 1", "case 2", "case 3"]
    assert result.feedback[3].problem.startswith("also wrong: case 4")


def test_passed_result_says_what_to_use_next():
    result = check("w1.seconds", reference("w1.seconds"))
    assert result.passed and "helpers.data.frames_to_time" in str(result)


def test_wrong_type_is_described_not_raised():
    result = check("w1.energy", lambda S_power: "a string")
    assert result.status == "failed"
    assert "got 'a string'" in result.feedback[0].problem


def test_none_after_the_first_case_asks_for_return():
    calls = []

    def sometimes(frames, sr, hop_length):
        calls.append(1)
        return None if len(calls) > 1 else frames * hop_length / sr

    result = check("w1.seconds", sometimes)
    assert result.status == "failed" and "did you forget `return`?" in str(result)


def test_passing_the_result_instead_of_the_function():
    result = check("w1.seconds", 3.0)
    assert result.status == "failed" and "pass the function itself" in str(result)


def test_the_learners_inputs_may_be_modified():
    def in_place(S_power):
        S_power *= 0
        return reference("w1.db")(S_power)

    check("w1.db", in_place)
    assert check("w1.db", reference("w1.db")).passed


def test_unknown_exercise_id_names_the_valid_ones():
    with pytest.raises(ParameterError, match="w1.seconds"):
        check("w9.nothing", print)
    with pytest.raises(ParameterError, match="week"):
        exercises(7)


# =========================================================================== known answers
def test_tempo_cases_agree_with_the_acf_tempogram_of_helpers():
    """The click-train answers hold for helpers.tempo too (autocorrelation, same prior)."""
    from helpers.novelty import Novelty
    from helpers.tempo import estimate_tempo

    for case in EXERCISES["w2.tempo"].cases():
        k = case.kwargs
        est = estimate_tempo(Novelty(case.args[0], k["frame_rate_hz"]), method="acf",
                             prior_center_bpm=k["prior_center_bpm"], prior_width_octaves=k["prior_width_octaves"],
                             window_s=10.0, hop_s=1.0)
        assert est.tempo_bpm == pytest.approx(case.expected, rel=0.03), case.name


def test_fmeasure_cases_agree_with_helpers_evaluate():
    for case in EXERCISES["w3.fmeasure"].cases():
        if case.kwargs["window_s"] != 0.07:       # evaluate_beats always uses mir_eval's 0.07 s
            continue
        ref, est = case.args
        with pytest.warns() if est.size == 0 else _nothing():
            ours = evaluate_beats(ref, est, trim_s=0.0, metrics=("F-measure",))["F-measure"]
        assert ours == pytest.approx(case.expected, abs=1e-12), case.name


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_trim_cases_agree_with_mir_eval():
    import mir_eval

    for case in EXERCISES["w3.trim"].cases():
        kept = mir_eval.beat.trim_beats(case.args[0], min_beat_time=case.kwargs["min_time_s"])
        np.testing.assert_array_equal(case.expected, kept)


def test_dp_reference_backtracks_to_helpers_beats():
    from helpers.exercises.week2 import _backtrack

    solve = reference("w2.dp")
    for case in EXERCISES["w2.dp"].cases():
        C, back = solve(*case.args, **case.kwargs)
        np.testing.assert_array_equal(_backtrack(C, back, case.kwargs["period_frames"]), case.expected)


def test_bootstrap_reference_is_close_to_helpers_analysis_when_present():
    analysis = pytest.importorskip("helpers.analysis")
    if not hasattr(analysis, "bootstrap_mean_ci"):
        pytest.skip("helpers.analysis has no bootstrap_mean_ci")
    case = EXERCISES["w4.bootstrap"].cases()[0]
    low, high = reference("w4.bootstrap")(*case.args, **case.kwargs)
    ci = analysis.bootstrap_mean_ci(case.args[0], n_boot=2000, seed=0)
    assert low == pytest.approx(ci.low, abs=0.01) and high == pytest.approx(ci.high, abs=0.01)


# =========================================================================== notebooks and solutions
def _code_cells(path) -> list[str]:
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _in_notebook(ex) -> bool:
    return any(f'check("{ex.id}", {ex.function_name})' in src and ex.signature in src
               for src in _code_cells(NOTEBOOKS[ex.week]))


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_every_exercise_is_in_its_notebook(exercise_id):
    assert _in_notebook(EXERCISES[exercise_id])


@pytest.mark.parametrize("week", [1, 2, 3, 4])
def test_notebook_exercise_cells_match_the_registry(week):
    """The Exercises section of a notebook is notebook_cells(week), in order, before the summary."""
    nb = json.loads(NOTEBOOKS[week].read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    wanted = [c["source"] for c in notebook_cells(week)]
    start = sources.index(wanted[0])
    assert sources[start:start + len(wanted)] == wanted
    assert [c["cell_type"] for c in nb["cells"][start:start + len(wanted)]] == [c["cell_type"] for c in
                                                                                 notebook_cells(week)]
    assert sources[-1].startswith("## What you ")


@pytest.mark.parametrize("exercise_id", [ex_id for ex_id, ex in EXERCISES.items() if ex.inline])
def test_a_fill_in_sits_in_the_body_of_its_notebook_as_the_registry_writes_it(exercise_id):
    """The task and the stub of a fill-in are fill_in_cells(id), together, before the end-of-week Exercises."""
    from helpers.exercises import fill_in_cells

    ex = EXERCISES[exercise_id]
    nb = json.loads(NOTEBOOKS[ex.week].read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    wanted = [c["source"] for c in fill_in_cells(exercise_id)]
    assert wanted[0] in sources, f"{exercise_id}: its fill-in cells are not in {NOTEBOOKS[ex.week].name}"
    start = sources.index(wanted[0])
    assert sources[start:start + 2] == wanted
    assert [c["cell_type"] for c in nb["cells"][start:start + 2]] == ["markdown", "code"]
    end_of_week = [c["source"] for c in notebook_cells(ex.week)]
    if end_of_week:
        assert start < sources.index(end_of_week[0]), f"{exercise_id} must come before the Exercises section"
    # the worked version follows: a later cell uses the learner's function once its check passes
    later = "\n".join(sources[start + 2:])
    assert f'check("{exercise_id}", {ex.function_name}).passed' in later


@pytest.mark.parametrize("week", [3, 4])
def test_three_fill_ins_a_week_the_first_in_the_first_half(week):
    """Weeks 3-4 (issue 11): the learner writes at least three key pieces where they are introduced."""
    nb = json.loads(NOTEBOOKS[week].read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    fill_ins = [ex for ex in exercises(week) if ex.inline]
    assert len(fill_ins) >= 3
    positions = [next(i for i, src in enumerate(sources) if f'check("{ex.id}", {ex.function_name})' in src
                      and ex.stub in src) for ex in fill_ins]
    assert positions == sorted(positions), "the fill-ins appear in course order"
    assert positions[0] < len(sources) / 2, f"the first fill-in is cell {positions[0]} of {len(sources)}"
    assert len([ex for ex in exercises(week) if not ex.inline]) >= 1       # and variations at the end


def test_notebook_cells_hold_the_end_of_week_exercises_only():
    from helpers.exercises import fill_in_cells

    for week in (1, 2, 3, 4):
        text = "\n".join(c["source"] for c in notebook_cells(week))
        for ex in exercises(week):
            assert (f'check("{ex.id}"' in text) == (not ex.inline), ex.id
    cells = fill_in_cells("w3.fmeasure")
    assert cells[0]["source"].startswith("### Your turn: The F-measure by hand (`w3.fmeasure`)")
    assert EXERCISES["w3.fmeasure"].stub in cells[1]["source"] and cells[1]["source"].endswith(
        'check("w3.fmeasure", f_measure)')
    with pytest.raises(ParameterError, match="no exercise"):
        fill_in_cells("w3.nothing")


def test_cmlt_cases_agree_with_helpers_evaluate_and_the_mistake_rules_with_mir_eval():
    """w3.cmlt's known answers are mir_eval's; the exercise's own rule reproduces them (so its mistakes are honest)."""
    from helpers.exercises.week3 import _cmlt_rule

    for case in EXERCISES["w3.cmlt"].cases():
        ref, est = case.args
        assert _cmlt_rule(ref, est) == pytest.approx(case.expected, abs=1e-12), case.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ours = evaluate_beats(ref, est, trim_s=0.0, metrics=("CMLt",))["Correct Metric Level Total"]
        assert ours == pytest.approx(case.expected, abs=1e-12), case.name


def test_wins_reference_matches_helpers_paired_comparison():
    from helpers.analysis import paired_comparison
    from helpers.batch import BatchResult, TrackResult
    from helpers.evaluate import METRIC_NAMES

    def result(scores):
        return BatchResult([TrackResult(t, None if v is None else {m: v for m in METRIC_NAMES},
                                        error=None if v is not None else "DataError: x") for t, v in scores.items()],
                           {"system": "x"})

    for case in EXERCISES["w4.wins"].cases():
        a, b = case.args
        if case.kwargs["tie_tolerance"] != 0.01:
            continue
        cmp = paired_comparison(result(a), result(b), metric="F")
        assert (cmp.wins, cmp.losses, cmp.ties) == case.expected == reference("w4.wins")(a, b, 0.01), case.name


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_every_exercise_has_a_solution_that_reveal_shows(exercise_id):
    ex = EXERCISES[exercise_id]
    source = (SOLUTIONS / f"week{ex.week}.py").read_text()
    name = exercise_id.replace(".", "_")
    assert f"def {name}(" in source
    shown = solution(exercise_id)
    assert f"def {name}({ex.parameters}):" in str(shown)
    assert shown._repr_markdown_().startswith("```python\n")


def test_notebooks_do_not_import_the_solutions():
    for path in NOTEBOOKS.values():
        assert not any("solutions" in src and "import" in src for src in _code_cells(path)), path.name


def test_solution_without_the_repository_says_where_to_look(monkeypatch):
    import helpers.exercises as exercises_module

    monkeypatch.setattr(exercises_module, "repo_root", lambda: None)
    text = str(solution("w2.flux"))
    assert "solutions/week2.py" in text and "w2_flux" in text
