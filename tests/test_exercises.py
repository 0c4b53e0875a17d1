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

from helpers.analysis import bootstrap_mean_ci
from helpers.course import notebook_paths
from helpers.errors import ParameterError
from helpers.evaluate import evaluate_beats
from helpers.exercises import EXERCISES, CheckResult, check, exercises, notebook_cells, solution

from .conftest import REPO
from .test_exercises_week5 import WRONG as WRONG_WEEK5
from .test_exercises_week6 import WRONG as WRONG_WEEK6

SOLUTIONS = REPO / "solutions"
#: Every course notebook by its prefix ("01", "02a", "02b", "03", ...): an exercise's ``.notebook``.
NOTEBOOKS = {p.name.split("_")[0]: p for p in notebook_paths(REPO / "notebooks")}


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


# ---- weeks 1-2: the fill-ins and variations added with the 02a/02b split (merged into WRONG below)
def _hz_to_mel(f):
    f = np.asarray(f, dtype=float)
    return np.where(f < 1000, 3 * f / 200, 15 + 27 * np.log(np.maximum(f, 1000) / 1000) / np.log(6.4))


def _mel_to_hz(m):
    m = np.asarray(m, dtype=float)
    return np.where(m < 15, 200 * m / 3, 1000 * np.exp((m - 15) * np.log(6.4) / 27))


def mel_htk(n_mels, fmin_hz, fmax_hz):
    m = np.linspace(2595 * np.log10(1 + fmin_hz / 700), 2595 * np.log10(1 + fmax_hz / 700), n_mels + 2)
    return (700 * (10 ** (m / 2595) - 1))[1:-1]


def mel_edges(n_mels, fmin_hz, fmax_hz):
    return _mel_to_hz(np.linspace(_hz_to_mel(fmin_hz), _hz_to_mel(fmax_hz), n_mels + 2))


def mel_n_points(n_mels, fmin_hz, fmax_hz):
    return _mel_to_hz(np.linspace(_hz_to_mel(fmin_hz), _hz_to_mel(fmax_hz), n_mels))


def mel_linear_hz(n_mels, fmin_hz, fmax_hz):
    return np.linspace(fmin_hz, fmax_hz, n_mels + 2)[1:-1]


def mel_log_everywhere(n_mels, fmin_hz, fmax_hz):
    to_mel = lambda f: 15 + 27 * np.log(np.asarray(f, dtype=float) / 1000) / np.log(6.4)
    to_hz = lambda m: 1000 * np.exp((m - 15) * np.log(6.4) / 27)
    return to_hz(np.linspace(to_mel(fmin_hz), to_mel(fmax_hz), n_mels + 2))[1:-1]


def mel_returns_mels(n_mels, fmin_hz, fmax_hz):
    return np.linspace(_hz_to_mel(fmin_hz), _hz_to_mel(fmax_hz), n_mels + 2)[1:-1]


def mel_ignores_fmin(n_mels, fmin_hz, fmax_hz):
    return _mel_to_hz(np.linspace(0.0, _hz_to_mel(fmax_hz), n_mels + 2))[1:-1]


def _centres_mel(n_mels, fmin_hz, fmax_hz):
    return np.linspace(_hz_to_mel(fmin_hz), _hz_to_mel(fmax_hz), n_mels + 2)[1:-1]


def band_nearest_in_hz(freq_hz, n_mels, fmin_hz, fmax_hz):
    centres = _mel_to_hz(_centres_mel(n_mels, fmin_hz, fmax_hz))
    return np.argmin(np.abs(np.asarray(freq_hz)[:, None] - centres[None, :]), axis=1)


def band_not_clipped(freq_hz, n_mels, fmin_hz, fmax_hz):
    lo, hi = _hz_to_mel(fmin_hz), _hz_to_mel(fmax_hz)
    step = (hi - lo) / (n_mels + 1)
    return (np.round((_hz_to_mel(freq_hz) - lo) / step) - 1).astype(int)


def band_off_by_one(freq_hz, n_mels, fmin_hz, fmax_hz):
    lo, hi = _hz_to_mel(fmin_hz), _hz_to_mel(fmax_hz)
    step = (hi - lo) / (n_mels + 1)
    return np.clip(np.round((_hz_to_mel(freq_hz) - lo) / step), 0, n_mels - 1).astype(int)


def band_returns_centre_hz(freq_hz, n_mels, fmin_hz, fmax_hz):
    centres = _mel_to_hz(_centres_mel(n_mels, fmin_hz, fmax_hz))
    d = np.abs(_hz_to_mel(freq_hz)[:, None] - _centres_mel(n_mels, fmin_hz, fmax_hz)[None, :])
    return centres[np.argmin(d, axis=1)]


def _flux_parts(S_power, gamma):
    L = np.log1p(gamma * S_power / S_power.max())
    D = np.zeros_like(L)
    D[:, 1:] = L[:, 1:] - L[:, :-1]
    return L, D


def low_flux_all_bands(S_power, gamma, band_centres_hz, cutoff_hz):
    _, D = _flux_parts(S_power, gamma)
    return np.maximum(D, 0).sum(axis=0)


def low_flux_own_max(S_power, gamma, band_centres_hz, cutoff_hz):
    low = np.asarray(band_centres_hz) < cutoff_hz
    _, D = _flux_parts(S_power[low], gamma)
    return np.maximum(D, 0).sum(axis=0)


def low_flux_inclusive(S_power, gamma, band_centres_hz, cutoff_hz):
    _, D = _flux_parts(S_power, gamma)
    return np.maximum(D[np.asarray(band_centres_hz) <= cutoff_hz], 0).sum(axis=0)


def low_flux_high_bands(S_power, gamma, band_centres_hz, cutoff_hz):
    _, D = _flux_parts(S_power, gamma)
    return np.maximum(D[np.asarray(band_centres_hz) >= cutoff_hz], 0).sum(axis=0)


def _fourier(window, frame_rate_hz, bpm, *, demean=True, hann=True, per_minute=True, cos_only=False, norm=True):
    x = np.asarray(window, dtype=float)
    n = x.size
    x = x - x.mean() if demean else x
    xw = x * (np.hanning(n + 2)[1:-1] if hann else 1.0)
    f = np.asarray(bpm, dtype=float)[:, None] / (60.0 if per_minute else 1.0)
    arg = 2 * np.pi * f * np.arange(n) / frame_rate_hz
    z = (xw * np.cos(arg)).sum(axis=1) if cos_only else (xw * np.exp(-1j * arg)).sum(axis=1)
    mag = np.abs(z)
    return mag / np.sqrt(n * np.sum(xw**2) / 2) if norm else mag


def fourier_unnormalised(window, frame_rate_hz, bpm):
    return _fourier(window, frame_rate_hz, bpm, norm=False)


def fourier_no_demean(window, frame_rate_hz, bpm):
    return _fourier(window, frame_rate_hz, bpm, demean=False)


def fourier_no_window(window, frame_rate_hz, bpm):
    return _fourier(window, frame_rate_hz, bpm, hann=False)


def fourier_bpm_as_hz(window, frame_rate_hz, bpm):
    return _fourier(window, frame_rate_hz, bpm, per_minute=False)


def fourier_cos_only(window, frame_rate_hz, bpm):
    return _fourier(window, frame_rate_hz, bpm, cos_only=True)


def _wrong_backtrack(C, back, period_frames, *, start="final", reverse=True, stop_at_zero=False, keep_minus_one=False):
    n = len(C)
    if start == "final":
        tail = max(0, n - int(np.ceil(period_frames)))
        b = tail + int(np.argmax(C[tail:]))
    elif start == "global":
        b = int(np.argmax(C))
    else:
        b = n - 1
    frames = [b]
    while (back[b] > 0) if stop_at_zero else (back[b] >= 0):
        b = int(back[b])
        frames.append(b)
    if keep_minus_one:
        frames.append(-1)
    return np.array(frames[::-1] if reverse else frames)


def backtrack_global_max(C, back, period_frames):
    return _wrong_backtrack(C, back, period_frames, start="global")


def backtrack_from_last_frame(C, back, period_frames):
    return _wrong_backtrack(C, back, period_frames, start="last")


def backtrack_not_reversed(C, back, period_frames):
    return _wrong_backtrack(C, back, period_frames, reverse=False)


def backtrack_stops_at_zero(C, back, period_frames):
    return _wrong_backtrack(C, back, period_frames, stop_at_zero=True)


def backtrack_keeps_minus_one(C, back, period_frames):
    return _wrong_backtrack(C, back, period_frames, keep_minus_one=True)


def backtrack_floor_period(C, back, period_frames):
    n = len(C)
    tail = max(0, n - int(period_frames))
    b = tail + int(np.argmax(C[tail:]))
    frames = [b]
    while back[b] >= 0:
        b = int(back[b])
        frames.append(b)
    return np.array(frames[::-1])


def _dp_all(O, P, tightness, *, window_only=False, before_track=True, sign=-1.0, back_as_lag=False):
    n = len(O)
    window = np.arange(max(1, int(np.floor(P / 2))), int(np.ceil(2 * P)) + 1)
    C = np.zeros(n)
    back = np.full(n, -1)
    for t in range(n):
        real = window[window <= t] if window_only else np.arange(1, t + 1)
        lags = np.concatenate([real, window[window > t]]) if before_track else real
        if lags.size == 0:
            C[t] = O[t]
            continue
        s = t - lags
        score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) + sign * tightness * np.log(lags / P) ** 2
        j = int(np.argmax(score))
        C[t] = O[t] + score[j]
        back[t] = (t - s[j] if back_as_lag else s[j]) if s[j] >= 0 else -1
    return C, back


def dp_all_windowed(O, period_frames, tightness):
    return _dp_all(O, period_frames, tightness, window_only=True)


def dp_all_no_silence_before(O, period_frames, tightness):
    return _dp_all(O, period_frames, tightness, before_track=False)


def dp_all_plus_penalty(O, period_frames, tightness):
    return _dp_all(O, period_frames, tightness, sign=+1.0)


def dp_all_back_is_lag(O, period_frames, tightness):
    return _dp_all(O, period_frames, tightness, back_as_lag=True)


def _parabolic(novelty, beat_frames, frame_rate_hz, *, need_peak=True, sign=1.0, seconds=True):
    y = np.concatenate([[0.0], np.asarray(novelty, dtype=float), [0.0]])
    f = np.asarray(beat_frames, dtype=int)
    a, b, c = y[f], y[f + 1], y[f + 2]
    den = a - 2 * b + c
    ok = ((b >= a) & (b >= c) & (den < 0)) if need_peak else (den != 0)
    shift = np.where(ok, 0.5 * (a - c) / np.where(ok, den, -1.0), 0.0)
    out = f + sign * shift
    return out / frame_rate_hz if seconds else out


def parabolic_everywhere(novelty, beat_frames, frame_rate_hz):
    return _parabolic(novelty, beat_frames, frame_rate_hz, need_peak=False)


def parabolic_sign_flipped(novelty, beat_frames, frame_rate_hz):
    return _parabolic(novelty, beat_frames, frame_rate_hz, sign=-1.0)


def parabolic_in_frames(novelty, beat_frames, frame_rate_hz):
    return _parabolic(novelty, beat_frames, frame_rate_hz, seconds=False)


def parabolic_is_centroid(novelty, beat_frames, frame_rate_hz):
    y = np.concatenate([[0.0], np.asarray(novelty, dtype=float), [0.0]])
    f = np.asarray(beat_frames, dtype=int)
    a, b, c = y[f], y[f + 1], y[f + 2]
    return (f + (c - a) / (a + b + c)) / frame_rate_hz


def refine_nan_in_silence(novelty, beat_frames, frame_rate_hz):
    y = np.concatenate([[0.0], np.asarray(novelty, dtype=float), [0.0]])
    f = np.asarray(beat_frames, dtype=int)
    a, b, c = y[f], y[f + 1], y[f + 2]
    return (f + np.clip((c - a) / (a + b + c), -0.5, 0.5)) / frame_rate_hz


def refine_not_clipped(novelty, beat_frames, frame_rate_hz):
    y = np.concatenate([[0.0], np.asarray(novelty, dtype=float), [0.0]])
    f = np.asarray(beat_frames, dtype=int)
    a, b, c = y[f], y[f + 1], y[f + 2]
    total = a + b + c
    return (f + np.where(total > 0, (c - a) / np.where(total > 0, total, 1.0), 0.0)) / frame_rate_hz


WRONG.update({
    "w1.mel": [(mel_htk, "HTK mel scale"), (mel_edges, "band edges"), (mel_n_points, "outer EDGES"),
               (mel_linear_hz, "equally spaced in Hz"), (mel_log_everywhere, "the logarithm is only for f >= 1000"),
               (mel_returns_mels, "these are mels"), (mel_ignores_fmin, "use the fmin_hz argument")],
    "w1.band_of": [(band_nearest_in_hz, "nearest centre in Hz"), (band_not_clipped, "clip the index"),
                   (band_off_by_one, "off by one"), (band_returns_centre_hz, "not frequencies")],
    "w2.low_flux": [(low_flux_all_bands, "you summed all the bands"), (low_flux_own_max, "the WHOLE spectrogram"),
                    (low_flux_inclusive, "strictly below the cut-off"), (low_flux_high_bands, "ABOVE the cut-off")],
    "w2.fourier": [(fourier_unnormalised, "divide by sqrt(N"), (fourier_no_demean, "remove the mean"),
                   (fourier_no_window, "Hann window"), (fourier_bpm_as_hz, "beats per MINUTE"),
                   (fourier_cos_only, "magnitude of the complex sum")],
    "w2.backtrack": [(backtrack_global_max, "need not be there"), (backtrack_from_last_frame, "very last frame"),
                     (backtrack_not_reversed, "run backwards"), (backtrack_stops_at_zero, "frame 0 can be a beat"),
                     (backtrack_keeps_minus_one, "stop at -1"), (backtrack_floor_period, "ceil(4.5) = 5 frames")],
    "w2.dp_all": [(dp_all_windowed, "ALL earlier frames"), (dp_all_no_silence_before, "before the track still count"),
                  (dp_all_plus_penalty, "must lower the score"), (dp_all_back_is_lag, "not the lag t - s")],
    "w2.refine": WRONG["w2.refine"] + [(refine_nan_in_silence, "a beat in silence"),
                                       (refine_not_clipped, "at most half a frame")],
    "w2.parabolic": [(parabolic_everywhere, "only where f is a local maximum"),
                     (parabolic_sign_flipped, "goes the wrong way"), (parabolic_in_frames, "got frame numbers"),
                     (parabolic_is_centroid, "that is the centroid")],
})


# =========================================================================== the registry
def test_each_notebook_has_a_few_exercises_with_unique_names():
    """Each notebook ends with 2-5 end-of-week exercises; one with fill-ins has at least three of them."""
    assert {ex.notebook for ex in EXERCISES.values()} == set(NOTEBOOKS)
    for prefix in NOTEBOOKS:
        chosen = [ex for ex in EXERCISES.values() if ex.notebook == prefix]
        inline = [ex for ex in chosen if ex.inline]
        assert 2 <= len(chosen) - len(inline) <= 5, prefix
        assert not inline or len(inline) >= 3, prefix
    assert all(re.fullmatch(r"w[1-6]\.[a-z_]+", ex_id) for ex_id in EXERCISES)
    assert all(ex.part in ("", "a", "b") for ex in EXERCISES.values())
    names = [ex.function_name for ex in EXERCISES.values()]
    assert len(set(names)) == len(names)


#: Every exercise's typical wrong answers: weeks 1-4 here, weeks 5 and 6 in their own files.
ALL_WRONG = {**WRONG, **WRONG_WEEK5, **WRONG_WEEK6}


def test_every_exercise_has_wrong_answers():
    """Weeks 1-4 here; weeks 5 and 6 have theirs in tests/test_exercises_week5.py and test_exercises_week6.py."""
    assert set(WRONG) == {ex_id for ex_id, ex in EXERCISES.items() if ex.week <= 4}
    assert set(ALL_WRONG) == set(EXERCISES) and len(ALL_WRONG) == len(WRONG) + len(WRONG_WEEK5) + len(WRONG_WEEK6)
    assert all(len(v) >= 2 for v in ALL_WRONG.values())


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_reference_solution_passes(exercise_id):
    result = check(exercise_id, reference(exercise_id))
    assert result.passed, str(result)
    assert result.n_right == result.n_cases >= 3
    assert result.feedback == ()


@pytest.mark.parametrize(
    "exercise_id, wrong, hint",
    [(ex_id, fn, hint) for ex_id, answers in ALL_WRONG.items() for fn, hint in answers],
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


def test_mel_cases_agree_with_librosa():
    import librosa

    for case in EXERCISES["w1.mel"].cases():
        n, k = case.args[0], case.kwargs
        np.testing.assert_allclose(case.expected, librosa.mel_frequencies(n_mels=n + 2, fmin=k["fmin_hz"],
                                                                          fmax=k["fmax_hz"])[1:-1], rtol=1e-9)


def test_band_of_cases_agree_with_librosa_and_by_hand():
    import librosa

    cases = EXERCISES["w1.band_of"].cases()
    np.testing.assert_array_equal(cases[0].expected, [0, 4, 23, 72])      # 60 Hz, 200 Hz, 1 kHz, 8 kHz
    np.testing.assert_array_equal(cases[2].expected, [0, 0, 39, 39])      # below the first, above the last centre
    for case in cases:
        f, k = case.args[0], case.kwargs
        centres = librosa.mel_frequencies(n_mels=k["n_mels"] + 2, fmin=k["fmin_hz"], fmax=k["fmax_hz"])[1:-1]
        d = np.abs(librosa.hz_to_mel(f)[:, None] - librosa.hz_to_mel(centres)[None, :])
        np.testing.assert_array_equal(case.expected, np.argmin(d, axis=1))
    # case 2 holds frequencies whose nearest centre in Hz is the band BELOW the nearest in mel
    f, k = cases[1].args[0], cases[1].kwargs
    centres = librosa.mel_frequencies(n_mels=k["n_mels"] + 2, fmin=k["fmin_hz"], fmax=k["fmax_hz"])[1:-1]
    np.testing.assert_array_equal(np.argmin(np.abs(f[:, None] - centres), axis=1), cases[1].expected - 1)


def test_fourier_cases_are_one_window_of_the_helpers_tempogram():
    from helpers.novelty import Novelty
    from helpers.tempo import fourier_tempogram

    cases = EXERCISES["w2.fourier"].cases()
    cosine = cases[0]                      # a cosine at 120 BPM: the 120 BPM row stands out (0.82 with a Hann window)
    assert np.argmax(cosine.expected) == list(cosine.kwargs["bpm"]).index(120.0)
    assert cosine.expected.max() == pytest.approx(0.82, abs=0.01)
    for case in cases:
        x, fr = case.args[0], case.kwargs["frame_rate_hz"]
        tg = fourier_tempogram(Novelty(x, fr), window_s=x.size / fr, hop_s=1.0, bpm=case.kwargs["bpm"])
        assert tg.values.shape[1] == 1
        np.testing.assert_allclose(reference("w2.fourier")(x, fr, case.kwargs["bpm"]), tg.values[:, 0], atol=1e-9)


def test_low_flux_cases_agree_with_helpers_novelty():
    from helpers import novelty as nov

    for case in EXERCISES["w2.low_flux"].cases():
        S, k = case.args[0], case.kwargs
        weights = nov.low_band_weights(S.shape[0], band_frequencies_hz=k["band_centres_hz"], cutoff_hz=k["cutoff_hz"],
                                       gain=1.0) * (k["band_centres_hz"] < k["cutoff_hz"])
        np.testing.assert_allclose(case.expected, nov.sum_bands(nov.band_differences(nov.log_compress(
            S, gamma=k["gamma"])), weights=weights), rtol=1e-12)


def test_backtrack_of_the_forward_pass_is_helpers_dp():
    """The plain recursion, one frame at a time (the reference solutions), equals helpers.beat's
    vectorised DP (blocks of floor(P/2) frames read through a sliding-window view), ties included."""
    forward, backtrack = reference("w2.dp"), reference("w2.backtrack")
    rng = np.random.default_rng(0)
    from helpers.beat import dp_beat_frames

    for P, tight in ((4.0, 100.0), (7.3, 30.0), (12.6, 400.0)):
        O = rng.random(300) ** 3
        C, back = forward(O, P, tight)
        np.testing.assert_array_equal(backtrack(C, back, P), dp_beat_frames(O, period_frames=P, tightness=tight))
    for trial in range(120):
        n, P, tight = int(rng.integers(1, 300)), float(rng.uniform(2.0, 40.0)), float(10 ** rng.uniform(-1, 3))
        O = rng.random(n) ** 3
        if trial % 3 == 0:
            O = np.round(O, 1)           # many equal scores: the tie-breaking must agree too
        C, back = forward(O, P, tight)
        np.testing.assert_array_equal(backtrack(C, back, P), dp_beat_frames(O, period_frames=P, tightness=tight),
                                      err_msg=f"trial {trial}")


def test_dp_over_all_predecessors_equals_the_windowed_dp_unless_the_tightness_is_loose():
    """What w2.dp_all's on_pass says: at tightness >= 10 the window of dp_forward changes nothing on a
    noisy click train; at tightness 1 intervals shorter than P/2 win."""
    from helpers.beat import dp_beat_frames

    dp_all, backtrack = reference("w2.dp_all"), reference("w2.backtrack")
    rng = np.random.default_rng(1)
    O = 0.2 * rng.random(400)
    O[5::9] += 1.0 + rng.random(O[5::9].size)
    for tight in (10.0, 100.0, 400.0):
        C, back = dp_all(O, 9.0, tight)
        np.testing.assert_array_equal(backtrack(C, back, 9.0), dp_beat_frames(O, period_frames=9.0, tightness=tight))
    C, back = dp_all(3 * rng.random(200) ** 2, 9.0, 1.0)
    lags = np.arange(200)[back >= 0] - back[back >= 0]
    assert lags.min() < 4                      # intervals shorter than floor(P/2): outside the window


def test_parabolic_cases_agree_with_helpers_refine():
    from helpers.beat import refine_beat_times
    from helpers.novelty import Novelty

    for case in EXERCISES["w2.parabolic"].cases():
        y, f = case.args
        t = refine_beat_times(Novelty(y, case.kwargs["frame_rate_hz"]), f, method="parabolic")
        np.testing.assert_allclose(case.expected, t, atol=1e-12)
    split = EXERCISES["w2.parabolic"].cases()[0]          # a flux split 70/30: the vertex moves 0.136 frame
    assert split.expected[0] * split.kwargs["frame_rate_hz"] == pytest.approx(5 + 0.3 / 2.2, abs=1e-9)


def test_bootstrap_reference_is_close_to_helpers_analysis():
    case = EXERCISES["w4.bootstrap"].cases()[0]
    low, high = reference("w4.bootstrap")(*case.args, **case.kwargs)
    ci = bootstrap_mean_ci(case.args[0], n_boot=2000, seed=0)
    assert low == pytest.approx(ci.low, abs=0.01) and high == pytest.approx(ci.high, abs=0.01)


# =========================================================================== notebooks and solutions
def _code_cells(path) -> list[str]:
    nb = json.loads(path.read_text())
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _in_notebook(ex) -> bool:
    return any(f'check("{ex.id}", {ex.function_name})' in src and ex.signature in src
               for src in _code_cells(NOTEBOOKS[ex.notebook]))


@pytest.mark.parametrize("exercise_id", list(EXERCISES))
def test_every_exercise_is_in_its_notebook(exercise_id):
    assert _in_notebook(EXERCISES[exercise_id])


@pytest.mark.parametrize("prefix", list(NOTEBOOKS))
def test_notebook_exercise_cells_match_the_registry(prefix):
    """The Exercises section of a notebook is notebook_cells(week, part=...), in order, before the summary."""
    week, part = int(prefix[:2]), prefix[2:]
    nb = json.loads(NOTEBOOKS[prefix].read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    wanted = [c["source"] for c in notebook_cells(week, part=part)]
    start = sources.index(wanted[0])
    assert sources[start:start + len(wanted)] == wanted
    assert [c["cell_type"] for c in nb["cells"][start:start + len(wanted)]] == [
        c["cell_type"] for c in notebook_cells(week, part=part)]
    assert sources[-1].startswith("## What you ")


@pytest.mark.parametrize("exercise_id", [ex.id for ex in EXERCISES.values() if ex.inline])
def test_fill_in_sits_where_its_idea_is_introduced(exercise_id):
    """A fill-in is fill_in_cells(id) (the task, then the stub with its check), once, before the
    end-of-week Exercises; a later cell shows the learner's version once the check passes."""
    from helpers.exercises import fill_in_cells

    ex = EXERCISES[exercise_id]
    nb = json.loads(NOTEBOOKS[ex.notebook].read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    wanted = [c["source"] for c in fill_in_cells(exercise_id)]
    at = [i for i in range(len(sources) - 1) if sources[i:i + 2] == wanted]
    assert len(at) == 1, f"{exercise_id}: its two fill-in cells must appear once, together, in {NOTEBOOKS[ex.notebook].name}"
    start = at[0]
    assert [c["cell_type"] for c in nb["cells"][start:start + 2]] == ["markdown", "code"]
    block = notebook_cells(ex.week, part=ex.part)
    assert start < sources.index(block[0]["source"]), f"{exercise_id} must come before the Exercises section"
    later = "\n".join(sources[start + 2:])
    assert f'check("{exercise_id}", {ex.function_name}).passed' in later


@pytest.mark.parametrize("prefix", list(NOTEBOOKS))
def test_three_fill_ins_a_notebook_the_first_in_the_first_half(prefix):
    """Issue 11: the learner writes at least three key pieces where they are introduced, in course order."""
    nb = json.loads(NOTEBOOKS[prefix].read_text())
    sources = ["".join(c["source"]) for c in nb["cells"]]
    chosen = [ex for ex in EXERCISES.values() if ex.notebook == prefix]
    fill_ins = [ex for ex in chosen if ex.inline]
    assert len(fill_ins) >= 3
    positions = []
    for ex in fill_ins:
        hits = [i for i, src in enumerate(sources) if f'check("{ex.id}", {ex.function_name})' in src and ex.stub in src]
        assert len(hits) == 1, f"{ex.id}: want exactly one cell with its stub and check, found {len(hits)}"
        positions.append(hits[0])
        task = sources[hits[0] - 1]
        assert nb["cells"][hits[0] - 1]["cell_type"] == "markdown" and f"(`{ex.id}`)" in task and ex.instructions in task
    assert positions == sorted(positions), "the fill-ins appear in course order"
    assert positions[0] < len(sources) / 2, f"the first fill-in is cell {positions[0]} of {len(sources)}"
    assert len([ex for ex in chosen if not ex.inline]) >= 1       # and variations at the end


def test_notebook_cells_hold_the_end_of_week_exercises_only():
    from helpers.exercises import fill_in_cells

    for week in (1, 2, 3, 4):
        parts = ("a", "b") if week == 2 else ("",)
        text = "\n".join(c["source"] for part in parts for c in notebook_cells(week, part=part))
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


def test_notebook_cells_leave_out_the_fill_ins_and_pick_the_part():
    week2a = "".join(c["source"] for c in notebook_cells(2, part="a"))
    week2b = "".join(c["source"] for c in notebook_cells(2, part="b"))
    assert "w2.fourier" in week2a and "w2.dp_all" in week2b and "w2.fourier" not in week2b
    assert not any(f'check("{ex.id}"' in week2a + week2b for ex in exercises(2) if ex.inline)
    assert notebook_cells(2) == [] and notebook_cells(2, part="c") == []    # week 2 is in two parts


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
