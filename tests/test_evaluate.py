"""Tests of helpers.evaluate: known answers, input checks, and exact equality with mir_eval.

The fast back-end is a re-implementation of mir_eval 0.8.2, so most tests compare
it with mir_eval itself: on hand-made sequences with known answers, on random
sequences (hypothesis), and on every published Harmonix estimate (the slow test).

Tests marked ``shared`` read the real Harmonix annotations in the ``shared``
folder beside the repository and are skipped when it is absent.
"""

from __future__ import annotations

import doctest
import functools
import importlib
import inspect
import json
import multiprocessing
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import mir_eval.beat as mb
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers.evaluate as ev
from helpers.evaluate import config, metrics
from helpers.errors import HelpersError, ParameterError
from helpers.evaluate import (
    METRIC_NAMES,
    SHORT_NAMES,
    BeatEvaluationWarning,
    evaluate_beats,
    trim_beats,
    validate_beats,
)

from .conftest import HARMONIX, PUBLISHED_MEANS, requires_published

SYSTEMS = ("Bock_1", "Bock_2", "Ellis", "Korzeniowski", "Krebs")
TOL = 1e-9

# 120 BPM click track, 60 s: the known-answer fixture.
REF = np.arange(0.0, 60.0, 0.5)
IGNORE_DEGENERATE = pytest.mark.filterwarnings("ignore::helpers.evaluate.BeatEvaluationWarning")


def both_backends(ref, est, **kwargs):
    """Scores of both back-ends, after checking that they agree."""
    fast = evaluate_beats(ref, est, backend="fast", **kwargs)
    slow = evaluate_beats(ref, est, backend="mir_eval", **kwargs)
    assert_scores_equal(fast, slow)
    return fast


def assert_scores_equal(fast, reference, tol=TOL):
    assert list(fast) == list(reference)
    bad = {n: (fast[n], float(reference[n])) for n in fast if not abs(fast[n] - reference[n]) <= tol}
    assert not bad, f"fast != mir_eval: {bad}"


# ---------------------------------------------------------------------------
# Names and constants
# ---------------------------------------------------------------------------
def test_metric_names_are_mir_evals_keys_in_order():
    est = REF + 0.01
    assert tuple(mb.evaluate(REF, est).keys()) == METRIC_NAMES
    assert tuple(evaluate_beats(REF, est).keys()) == METRIC_NAMES


def test_short_names_cover_every_metric_and_are_unique():
    assert tuple(SHORT_NAMES) == METRIC_NAMES
    assert len(set(SHORT_NAMES.values())) == len(METRIC_NAMES)
    assert SHORT_NAMES["F-measure"] == "F"
    assert SHORT_NAMES["Correct Metric Level Total"] == "CMLt"
    assert SHORT_NAMES["Any Metric Level Total"] == "AMLt"
    assert set(ev.METRIC_DESCRIPTIONS) == set(METRIC_NAMES)


def test_constants_are_mir_eval_defaults():
    def default(func, name):
        return inspect.signature(func).parameters[name].default

    assert ev.FMEASURE_WINDOW_S == 0.07 == default(mb.f_measure, "f_measure_threshold")
    assert ev.TRIM_S == 5.0 == default(mb.trim_beats, "min_beat_time")
    assert ev.CEMGIL_SIGMA_S == default(mb.cemgil, "cemgil_sigma")
    assert ev.GOTO_THRESHOLD == default(mb.goto, "goto_threshold")
    assert ev.GOTO_MU == default(mb.goto, "goto_mu")
    assert ev.GOTO_SIGMA == default(mb.goto, "goto_sigma")
    assert ev.P_SCORE_THRESHOLD == default(mb.p_score, "p_score_threshold")
    assert ev.CONTINUITY_PHASE_THRESHOLD == default(mb.continuity, "continuity_phase_threshold")
    assert ev.CONTINUITY_PERIOD_THRESHOLD == default(mb.continuity, "continuity_period_threshold")
    assert ev.INFORMATION_GAIN_BINS == default(mb.information_gain, "bins")
    assert ev.MAX_TIME_S == mb.MAX_TIME


def test_docstring_examples_run():
    import pkgutil

    attempted = 0
    for info in pkgutil.iter_modules(ev.__path__, ev.__name__ + "."):
        result = doctest.testmod(importlib.import_module(info.name),
                                 optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, info.name
        attempted += result.attempted
    assert attempted >= 10


# ---------------------------------------------------------------------------
# Known answers
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["fast", "mir_eval"])
def test_identical_beats_score_one_everywhere(backend):
    scores = evaluate_beats(REF, REF, backend=backend)
    assert scores == dict.fromkeys(METRIC_NAMES, 1.0)


def test_results_are_plain_floats_and_json_safe():
    scores = evaluate_beats(REF, REF + 0.03)
    assert all(type(v) is float for v in scores.values())
    assert json.loads(json.dumps(scores)) == scores


def test_shift_beyond_the_70ms_window_gives_f_zero():
    assert both_backends(REF, REF + 0.1)["F-measure"] == 0.0
    assert both_backends(REF, REF[1:] - 0.1)["F-measure"] == 0.0
    # ... and within it, every estimate is a hit.
    assert both_backends(REF, REF + 0.06)["F-measure"] == 1.0


def test_off_beat_estimate_is_any_level_but_not_correct_level():
    scores = both_backends(REF, REF + 0.25)  # half a beat late: tapping on the off-beat
    assert scores["F-measure"] == 0.0
    assert scores["Correct Metric Level Total"] == 0.0
    assert scores["Correct Metric Level Continuous"] == 0.0
    assert scores["Any Metric Level Total"] > 0.95
    # mir_eval's off-beat variation has one beat fewer: without the extra last beat, exactly 1.
    assert both_backends(REF, REF[:-1] + 0.25)["Any Metric Level Total"] == 1.0


def test_double_tempo_estimate():
    double = np.arange(0.0, REF[-1] + 0.1, 0.25)  # ends on the last reference beat
    scores = both_backends(REF, double)
    assert scores["Correct Metric Level Total"] == 0.0
    assert scores["Any Metric Level Total"] == 1.0
    assert scores["Any Metric Level Continuous"] == 1.0
    # after trimming: 110 reference beats, 219 estimates, all references found
    assert scores["F-measure"] == pytest.approx(2 * 110 / (110 + 219))


@pytest.mark.parametrize("half", [REF[::2], REF[1::2]], ids=["odd", "even"])
def test_half_tempo_estimate(half):
    scores = both_backends(REF, half)
    assert scores["Correct Metric Level Total"] == 0.0
    assert scores["Any Metric Level Total"] == 1.0


def test_trim_s_ignores_early_beats_and_zero_disables_it():
    est = REF.copy()
    est[REF < 5.0] += 0.25  # the 10 beats before 5 s are wrong
    trimmed = both_backends(REF, est, trim_s=5.0)
    assert trimmed["F-measure"] == 1.0
    assert evaluate_beats(REF, est) == trimmed  # 5 s is the default
    untrimmed = both_backends(REF, est, trim_s=0)
    assert untrimmed["F-measure"] == pytest.approx(110 / 120)
    # the pitfall: mir_eval.beat.evaluate trims, mir_eval.beat.f_measure alone does not
    assert trimmed["F-measure"] == mb.evaluate(REF, est)["F-measure"]
    assert untrimmed["F-measure"] == mb.f_measure(REF, est)


def test_trim_beats_is_mir_evals():
    beats = np.array([0.0, 4.99, 5.0, 7.5])
    np.testing.assert_array_equal(trim_beats(beats), mb.trim_beats(beats))
    np.testing.assert_array_equal(trim_beats(beats, trim_s=0), beats)
    np.testing.assert_array_equal(trim_beats(beats, trim_s=7.5), [7.5])


def test_metrics_subset_in_canonical_order_with_same_values():
    est = REF[5:] + 0.02
    full = evaluate_beats(REF, est)
    sub = evaluate_beats(REF, est, metrics=("AMLt", "F-measure", "CMLt"))
    assert list(sub) == ["F-measure", "Correct Metric Level Total", "Any Metric Level Total"]
    assert all(sub[n] == full[n] for n in sub)
    assert evaluate_beats(REF, est, metrics="P") == {"P-score": full["P-score"]}
    full_mir_eval = evaluate_beats(REF, est, backend="mir_eval")
    assert evaluate_beats(REF, est, metrics=["CemgilBML"], backend="mir_eval") == {
        "Cemgil Best Metric Level": full_mir_eval["Cemgil Best Metric Level"]
    }


def test_accepts_lists_ints_and_beats_objects():
    beats = SimpleNamespace(times_s=REF)  # like helpers.data.Beats
    assert evaluate_beats(beats, list(REF), metrics="F") == {"F-measure": 1.0}
    assert evaluate_beats(np.arange(6, 60), np.arange(6, 60), metrics="F") == {"F-measure": 1.0}


# ---------------------------------------------------------------------------
# Degenerate input: a warning and defined scores
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", ["fast", "mir_eval"])
def test_empty_estimate_warns_and_scores_zero(backend):
    with pytest.warns(BeatEvaluationWarning, match="estimated beats are empty"):
        scores = evaluate_beats(REF, [], backend=backend)
    assert scores == dict.fromkeys(METRIC_NAMES, 0.0)
    with pytest.warns(BeatEvaluationWarning, match="reference beats are empty"):
        scores = evaluate_beats(np.array([]), REF, backend=backend)
    assert scores == dict.fromkeys(METRIC_NAMES, 0.0)


@pytest.mark.parametrize("backend", ["fast", "mir_eval"])
def test_estimate_trimmed_away_warns_and_names_trim_s(backend):
    early = np.array([1.0, 1.5, 2.0, 2.5])
    with pytest.warns(BeatEvaluationWarning, match=r"trim_s=5 s \(4 removed\)"):
        scores = evaluate_beats(REF, early, backend=backend)
    assert scores == dict.fromkeys(METRIC_NAMES, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate_beats(REF, early, trim_s=0, backend=backend)["F-measure"] > 0


@pytest.mark.parametrize("backend", ["fast", "mir_eval"])
def test_single_beat_estimate_warns_and_interval_metrics_are_zero(backend):
    with pytest.warns(BeatEvaluationWarning, match="only one estimated beat"):
        scores = evaluate_beats(REF, [10.0], backend=backend)
    assert scores["F-measure"] == pytest.approx(2 * (1 / 110) / (1 + 1 / 110))
    for name in config._INTERVAL_NAMES:
        assert scores[name] == 0.0
    # no warning when the metrics that need intervals are not asked for
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        evaluate_beats(REF, [10.0], metrics=("F", "Cemgil"), backend=backend)


def test_p_score_when_the_reference_fits_in_one_10ms_slot():
    ref, est = np.array([5.001, 5.004]), np.array([5.0, 6.0])
    with pytest.raises(ValueError), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mb.p_score(ref, est)  # mir_eval itself cannot compute it: int(nan)
    for backend in ("fast", "mir_eval"):
        with pytest.warns(BeatEvaluationWarning, match="one 10-ms slot"):
            assert evaluate_beats(ref, est, metrics="P", backend=backend) == {"P-score": 0.0}


def test_fast_path_emits_no_numpy_warnings_on_tiny_input():
    # Goto's stretch is empty for a 2-beat reference: mir_eval lets numpy warn, we do not.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scores = both_backends(np.array([6.0, 6.5]), REF)
    assert scores["Goto"] == 0.0


# ---------------------------------------------------------------------------
# Input validation: named errors that say how to fix the input
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "beats, match",
    [
        (np.column_stack([REF, np.ones_like(REF), np.ones_like(REF)]), r"\[:, 0\]"),
        (REF[:, None], r"np\.ravel"),
        (np.float64(5.0), "1-D"),
        (np.array([215, 236, 258, 279, 301]), "did you pass frame indices instead of seconds"),
        (np.arange(100.0, 5000.0, 11.0), "did you pass frame indices instead of seconds"),
        (np.arange(5000.0, 60000.0, 500.3), "milliseconds"),
        (np.array([5.0, 7.0, 6.0]), r"increasing order.*np\.sort"),
        (np.array([5.0, 6.0, 6.0]), r"repeated.*np\.unique"),
        (np.array([5.0, np.nan, 6.0]), r"nan at index 1.*isfinite"),
        (np.array([5.0, 6.0, np.inf]), "inf at index 2"),
        (np.array([-0.5, 6.0]), "negative time"),
        (np.array(["5.0", "6.0"]), "must be numbers"),
        (np.array([True, False]), "must be numbers"),
        (None, "None"),
    ],
    ids=[
        "annotation-table",
        "column",
        "scalar",
        "frames",
        "frames-large",
        "milliseconds",
        "not-increasing",
        "duplicate",
        "nan",
        "inf",
        "negative",
        "strings",
        "bool",
        "none",
    ],
)
def test_bad_beats_raise_parameter_error_with_a_fix(beats, match):
    with pytest.raises(ParameterError, match=match):
        evaluate_beats(beats, REF)
    with pytest.raises(ParameterError, match="estimated_beats_s"):
        evaluate_beats(REF, beats)


def test_validation_errors_belong_to_the_family_and_to_value_error():
    with pytest.raises(ValueError):
        validate_beats([3.0, 2.0])
    with pytest.raises(HelpersError):
        validate_beats([3.0, 2.0])


def test_plausible_beats_are_not_mistaken_for_frames():
    for beats in ([0.0, 1.0, 2.0, 3.0], [6.0, 30.0], [10.0, 20.5, 31.0], np.arange(5.0, 600.0, 0.5)):
        validate_beats(beats)


@pytest.mark.parametrize("trim_s", [-1.0, float("nan"), float("inf"), "5", None, True])
def test_bad_trim_s(trim_s):
    with pytest.raises(ParameterError, match="trim_s"):
        evaluate_beats(REF, REF, trim_s=trim_s)


def test_bad_metrics_and_backend():
    with pytest.raises(ParameterError, match="Unknown metric 'CMLx'.*CMLt"):
        evaluate_beats(REF, REF, metrics=("F", "CMLx"))
    with pytest.raises(ParameterError, match="empty"):
        evaluate_beats(REF, REF, metrics=())
    with pytest.raises(ParameterError, match="backend"):
        evaluate_beats(REF, REF, backend="madmom")


# ---------------------------------------------------------------------------
# The fast path is mir_eval: hand-made cases and property-based tests
# ---------------------------------------------------------------------------
def test_nearest_ties_resolve_like_argmin():
    values = np.array([1.0, 2.0, 3.0, 3.0 + 2**-51, 3.0 + 2**-50, 7.0])
    queries = np.array([0.0, 1.5, 2.5, 3.0, 3.0 + 2**-51, 5.0, 9.0, 3.0 + 2**-52])
    idx, dist = metrics._nearest(values, queries)
    expected = [int(np.argmin(np.abs(q - values))) for q in queries]
    assert idx.tolist() == expected
    np.testing.assert_array_equal(dist, [np.min(np.abs(q - values)) for q in queries])


def test_f_measure_with_crowded_windows_matches_mir_eval():
    # several candidates per window: the greedy matching must still be maximum
    ref = np.arange(5.0, 12.0, 0.05)
    for est in (np.arange(5.01, 12.0, 0.03), np.arange(5.0, 12.0, 0.11), ref[::3] + 0.049):
        both_backends(ref, est)


finite_times = st.floats(0.0, 40.0, allow_nan=False, allow_infinity=False)


def _valid(beats):
    try:
        validate_beats(beats)
    except ParameterError:  # e.g. integer "times" 10 s apart look like frame indices
        return False
    return True


def _unique_sorted(xs):
    return np.unique(np.asarray(xs, dtype=np.float64))


random_beats = st.lists(finite_times, max_size=30).map(_unique_sorted).filter(_valid)
crowded_beats = (
    st.lists(st.floats(4.0, 8.0, allow_nan=False), max_size=60).map(_unique_sorted).filter(_valid)
)


@st.composite
def related_pairs(draw):
    """A jittered reference and a transformed, jittered, edited copy as the estimate."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    period_s = 60.0 / draw(st.floats(50.0, 220.0))
    start_s = draw(st.floats(0.0, 8.0))
    duration_s = draw(st.floats(0.0, 40.0))
    ref = start_s + np.arange(0.0, duration_s, period_s)
    ref = ref + rng.normal(0.0, draw(st.floats(0.0, 0.03)), ref.size)
    kind = draw(st.sampled_from(["copy", "double", "half", "offbeat", "scaled", "third"]))
    if kind == "double":
        est = np.interp(np.arange(0, ref.size - 0.5, 0.5), np.arange(ref.size), ref) if ref.size else ref
    elif kind == "half":
        est = ref[draw(st.integers(0, 1)) :: 2]
    elif kind == "offbeat":
        est = ref + 0.5 * period_s
    elif kind == "third":
        est = ref[::3]
    elif kind == "scaled":
        est = ref * draw(st.floats(0.45, 2.2))
    else:
        est = ref.copy()
    est = est + draw(st.floats(-0.5, 0.5)) + rng.normal(0.0, draw(st.floats(0.0, 0.1)), est.size)
    est = est[rng.random(est.size) >= draw(st.floats(0.0, 0.3))]  # deletions
    est = np.concatenate([est, rng.uniform(0.0, 45.0, draw(st.integers(0, 5)))])  # insertions
    ref, est = _unique_sorted(ref[ref >= 0]), _unique_sorted(est[est >= 0])
    return ref, est


def _assert_fast_equals_mir_eval(ref, est, trim_s):
    fast = evaluate_beats(ref, est, trim_s=trim_s)
    slow = evaluate_beats(ref, est, trim_s=trim_s, backend="mir_eval")
    assert_scores_equal(fast, slow)
    assert fast["Goto"] == slow["Goto"]  # binary: must be identical
    assert all(v >= 0.0 for v in fast.values())  # Cemgil and P can exceed 1, as in mir_eval


@IGNORE_DEGENERATE
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(ref=random_beats, est=random_beats, trim_s=st.sampled_from([0.0, 5.0]))
def test_fast_equals_mir_eval_on_random_sequences(ref, est, trim_s):
    _assert_fast_equals_mir_eval(ref, est, trim_s)


@IGNORE_DEGENERATE
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(ref=crowded_beats, est=crowded_beats, trim_s=st.sampled_from([0.0, 5.0]))
def test_fast_equals_mir_eval_on_crowded_sequences(ref, est, trim_s):
    _assert_fast_equals_mir_eval(ref, est, trim_s)


@IGNORE_DEGENERATE
@settings(max_examples=400, deadline=None)
@given(pair=related_pairs(), trim_s=st.sampled_from([0.0, 5.0]))
def test_fast_equals_mir_eval_on_edited_copies(pair, trim_s):
    _assert_fast_equals_mir_eval(*pair, trim_s)


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=20),
    queries=st.lists(st.floats(0.0, 10.0, allow_nan=False), min_size=1, max_size=20),
)
def test_nearest_is_argmin(values, queries):
    values, queries = np.sort(values), np.asarray(queries)
    idx, dist = metrics._nearest(values, queries)
    diffs = np.abs(queries[:, None] - values[None, :])
    np.testing.assert_array_equal(idx, np.argmin(diffs, axis=1))
    np.testing.assert_array_equal(dist, np.min(diffs, axis=1))


# ---------------------------------------------------------------------------
# The real data: published means, and exactness on every published estimate
# ---------------------------------------------------------------------------
def _read_times(path: Path, n_columns: int) -> np.ndarray:
    values = np.array(path.read_text().split(), dtype=np.float64)
    return values.reshape(-1, n_columns)[:, 0]


@functools.lru_cache(maxsize=1)
def _harmonix():
    """(track_ids, {id: reference}, {system: {id: estimate}}) from shared/harmonix."""
    ref_dir = HARMONIX / "dataset" / "beats_and_downbeats"
    track_ids = sorted(p.stem for p in ref_dir.glob("*.txt"))
    refs = {t: _read_times(ref_dir / f"{t}.txt", 3) for t in track_ids}
    ests = {
        s: {t: _read_times(HARMONIX / "results" / "beats" / s / f"{t}.txt", 1) for t in track_ids}
        for s in SYSTEMS
    }
    return track_ids, refs, ests


@requires_published
def test_harmonix_files_are_complete():
    track_ids, refs, ests = _harmonix()
    assert len(track_ids) == 912
    assert all(len(ests[s]) == 912 for s in SYSTEMS)


@requires_published
@pytest.mark.parametrize("system", SYSTEMS)
def test_published_means_are_reproduced(system):
    track_ids, refs, ests = _harmonix()
    scores = [
        evaluate_beats(refs[t], ests[system][t], metrics=("F", "CMLt", "AMLt")) for t in track_ids
    ]
    means = tuple(
        round(float(np.mean([s[n] for s in scores])), 3)
        for n in ("F-measure", "Correct Metric Level Total", "Any Metric Level Total")
    )
    assert means == PUBLISHED_MEANS[system]


# mir_eval's P-score calls np.correlate, which OpenBLAS may run on several spinning
# threads: on a busy machine one call can then take seconds instead of ~0.1 s.  The
# mir_eval workers are therefore started with one BLAS thread each.
_ONE_THREAD = {v: "1" for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}


#: The share of the 4560 published (system, track) pairs the suite compares with mir_eval: one in
#: PUBLISHED_STRIDE, chosen so that every track's reference is used and each system gets other
#: tracks (pair (i, j) of system i and track j is kept when (i + j) % PUBLISHED_STRIDE == 0).
#: mir_eval costs ~0.18 s a pair (P-score), so all 4560 take ~7 minutes on 2 cores, a third of
#: CI's time; HELPERS_ALL_PUBLISHED=1 compares them all, and so does
#: `python benchmarks/bench_metrics.py --systems all`.
PUBLISHED_STRIDE = 1 if os.environ.get("HELPERS_ALL_PUBLISHED") == "1" else 4


@pytest.fixture(scope="module")
def all_published_pairs():
    """Scores of both implementations on 1 in PUBLISHED_STRIDE of the 5 systems x 912 tracks, computed once.

    The mir_eval side is mir_eval.beat.evaluate itself (not a stored table),
    spread over the available cores.
    """
    track_ids, refs, ests = _harmonix()
    keys = [(s, t) for i, s in enumerate(SYSTEMS) for j, t in enumerate(track_ids) if (i + j) % PUBLISHED_STRIDE == 0]
    references = [refs[t] for s, t in keys]
    estimates = [ests[s][t] for s, t in keys]
    fast = [evaluate_beats(ref, est) for ref, est in zip(references, estimates)]
    n_workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    saved = {v: os.environ.get(v) for v in _ONE_THREAD}
    os.environ.update(_ONE_THREAD)  # inherited by the spawned workers
    try:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=n_workers or 1, mp_context=context) as pool:
            slow = list(pool.map(mb.evaluate, references, estimates, chunksize=40))
    finally:
        for v, value in saved.items():
            if value is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = value
    return keys, fast, slow


@pytest.mark.slow
@requires_published
@pytest.mark.parametrize("metric", METRIC_NAMES)
def test_fast_equals_mir_eval_on_the_published_estimates(all_published_pairs, metric):
    keys, fast, slow = all_published_pairs
    assert len(keys) == 4560 // PUBLISHED_STRIDE
    assert len({t for _, t in keys}) == 912        # every track's reference beats are compared
    diffs = np.array([abs(f[metric] - float(s[metric])) for f, s in zip(fast, slow)])
    worst = int(np.argmax(diffs))
    print(f"{metric}: max |fast - mir_eval| over {len(keys)} pairs = {diffs[worst]:.3g}")
    assert diffs[worst] <= TOL, f"{metric}: {keys[worst]} differs by {diffs[worst]}"
    assert all(list(f) == list(s) for f, s in zip(fast, slow))


# ---------------------------------------------------------------------------
# Tempo accuracies (Acc1, Acc2) and the metadata vs annotation comparison
# ---------------------------------------------------------------------------
def test_reference_tempo_is_60_over_the_median_interval():
    assert ev.reference_tempo_bpm(np.arange(0.0, 30.0, 0.5)) == pytest.approx(120.0)
    # A missing beat and a doubled one move the mean interval, not the median.
    beats = np.array([1.0, 1.6, 2.2, 3.4, 4.0, 4.3, 4.6, 5.2])
    assert ev.reference_tempo_bpm(beats) == pytest.approx(100.0)
    assert ev.reference_tempo_bpm([2.0, 2.75]) == pytest.approx(80.0)   # two beats: one interval


@pytest.mark.parametrize("beats, match", [
    ([], "0 beat"), ([3.0], "1 beat"), ([1.0, 0.5], "increasing"), ([100, 121, 142, 163], "frame indices"),
])
def test_reference_tempo_refuses_bad_beats(beats, match):
    with pytest.raises(ParameterError, match=match):
        ev.reference_tempo_bpm(beats)


@pytest.mark.parametrize("estimate, acc1, acc2", [
    (100.0, 1.0, 1.0),
    (104.0, 1.0, 1.0), (96.0, 1.0, 1.0),              # exactly 4 %: inside
    (104.0001, 0.0, 0.0), (95.9999, 0.0, 0.0),        # just outside, and no other level there
    (200.0, 0.0, 1.0), (208.0, 0.0, 1.0), (208.01, 0.0, 0.0),   # double, 4 % of the double
    (50.0, 0.0, 1.0), (48.0, 0.0, 1.0), (47.99, 0.0, 0.0),      # half
    (300.0, 0.0, 1.0), (312.0, 0.0, 1.0), (288.0, 0.0, 1.0),    # triple
    (25.0, 0.0, 0.0),                                  # a quarter is not accepted
    (150.0, 0.0, 0.0), (200.0 / 3, 0.0, 0.0),          # 3:2 and 2:3 are not metrical levels
])
def test_tempo_accuracy_known_answers(estimate, acc1, acc2):
    assert ev.tempo_accuracy(100.0, estimate) == {"Acc1": acc1, "Acc2": acc2}


def test_tempo_accuracy_third_and_order_and_types():
    out = ev.tempo_accuracy(90.0, 30.0)
    assert list(out) == list(ev.TEMPO_METRIC_NAMES) == ["Acc1", "Acc2"]
    assert out == {"Acc1": 0.0, "Acc2": 1.0} and all(type(v) is float for v in out.values())
    assert ev.tempo_accuracy(90.0, 31.2) == {"Acc1": 0.0, "Acc2": 1.0}    # 30 * 1.04
    assert ev.tempo_accuracy(90.0, 31.3)["Acc2"] == 0.0
    assert ev.tempo_factor(90.0, 30.0) == pytest.approx(1 / 3)
    assert ev.tempo_factor(120.0, 360.0) == 3.0 and ev.tempo_factor(120.0, 61.0) == 0.5
    assert ev.TEMPO_TOLERANCE == 0.04
    assert ev.TEMPO_FACTORS == ((2, 1), (1, 2), (3, 1), (1, 3))


def test_tempo_accuracy_tolerance_is_relative_and_checked():
    assert ev.tempo_accuracy(100.0, 108.0, tolerance=0.08)["Acc1"] == 1.0
    assert ev.tempo_accuracy(100.0, 100.0, tolerance=0.0)["Acc1"] == 1.0
    assert ev.tempo_accuracy(100.0, 100.5, tolerance=0.0)["Acc1"] == 0.0
    with pytest.raises(ParameterError, match="not a percentage"):
        ev.tempo_accuracy(100.0, 100.0, tolerance=4)


@pytest.mark.parametrize("ref, est, match", [
    (0.0, 100.0, "reference_bpm"), (100.0, -1.0, "estimated_bpm"), (np.nan, 100.0, "reference_bpm"),
    (100.0, np.inf, "estimated_bpm"), ("120", 100.0, "reference_bpm"), (100.0, None, "estimated_bpm"),
    (True, 100.0, "reference_bpm"),
])
def test_tempo_accuracy_refuses_bad_tempi(ref, est, match):
    with pytest.raises(ParameterError, match=match):
        ev.tempo_accuracy(ref, est)


def test_compare_tempi_counts_and_disagreements():
    ref = {"a": 100.0, "b": 120.0, "c": 90.0, "d": 60.0, "e": 140.0}
    other = {"a": 103.0, "b": 60.0, "c": 135.0, "d": 180.0, "f": 100.0}
    c = ev.compare_tempi(ref, other)
    assert c.counts == {"agree": 1, "octave": 2, "other": 1}
    assert c.missing == ("e", "f")
    assert c.accuracy == {"Acc1": 0.25, "Acc2": 0.75}
    rows = c.disagreements()
    assert [(r["track_id"], r["relation"]) for r in rows] == [("b", "x1/2"), ("d", "x3"), ("c", "other")]
    assert rows[0]["ratio"] == 0.5 and rows[0]["reference_bpm"] == 120.0 and rows[0]["other_bpm"] == 60.0
    with pytest.raises(ParameterError, match="dict"):
        ev.compare_tempi([100.0], other)


def test_compare_metadata_tempo_on_synthetic_tracks():
    meta = {t: SimpleNamespace(bpm=b) for t, b in (("x", 120.0), ("y", 50.0), ("z", 100.0))}
    beats = {"x": np.arange(0, 20, 0.5), "y": np.arange(0, 20, 0.6), "z": np.arange(0, 20, 0.4)}
    c = ev.compare_metadata_tempo(meta, beats)
    # annotation tempi: x 120 (agrees), y 100 (metadata says half), z 150 (2:3)
    assert c.counts == {"agree": 1, "octave": 1, "other": 1}
    assert c.reference_bpm["z"] == pytest.approx(150.0) and c.other_bpm["z"] == 100.0
    with pytest.raises(ParameterError, match="'y'.*1 beat"):
        ev.compare_metadata_tempo(meta, {**beats, "y": np.array([3.0])})
# Downbeats: evaluate_downbeats = mir_eval's F-measure on trimmed downbeat times
# ---------------------------------------------------------------------------
def _mir_eval_downbeat_f(ref, est, trim_s=5.0):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # mir_eval warns on empty input
        return mb.f_measure(mb.trim_beats(np.asarray(ref, dtype=float), min_beat_time=trim_s),
                            mb.trim_beats(np.asarray(est, dtype=float), min_beat_time=trim_s))


DOWNBEATS = np.arange(0.0, 60.0, 2.0)   # 4/4 at 120 BPM: a bar every 2 s


def test_downbeat_score_known_answers():
    from helpers.evaluate import DOWNBEAT_METRIC_NAMES, evaluate_downbeats

    assert DOWNBEAT_METRIC_NAMES == ("Downbeat F-measure",)
    assert evaluate_downbeats(DOWNBEATS, DOWNBEATS + 0.05) == {"Downbeat F-measure": 1.0}
    assert evaluate_downbeats(DOWNBEATS, DOWNBEATS + 0.08) == {"Downbeat F-measure": 0.0}   # 80 ms: out
    assert evaluate_downbeats(DOWNBEATS, DOWNBEATS + 1.0) == {"Downbeat F-measure": 0.0}    # beat 3
    # after the 5 s trim: 27 reference downbeats (6 ... 58 s)
    # every beat called a downbeat: 110 estimates (5.0 ... 59.5 s), 27 right -> F = 2 * 27 / (110 + 27)
    beats = np.arange(0.0, 60.0, 0.5)
    assert evaluate_downbeats(DOWNBEATS, beats)["Downbeat F-measure"] == pytest.approx(54 / 137)
    # every other bar (a meter of 8): 13 estimates (8 ... 56 s), all right -> F = 2 * 13 / (13 + 27)
    assert evaluate_downbeats(DOWNBEATS, DOWNBEATS[::2])["Downbeat F-measure"] == pytest.approx(26 / 40)


def test_downbeat_score_trims_like_the_beat_scores():
    from helpers.evaluate import evaluate_downbeats

    early_wrong = np.concatenate([[0.7, 1.3, 3.1], DOWNBEATS[DOWNBEATS >= 5]])
    assert evaluate_downbeats(DOWNBEATS, early_wrong)["Downbeat F-measure"] == 1.0
    assert evaluate_downbeats(DOWNBEATS, early_wrong, trim_s=0)["Downbeat F-measure"] < 1.0
    assert evaluate_downbeats(DOWNBEATS, early_wrong, trim_s=0)["Downbeat F-measure"] == pytest.approx(
        _mir_eval_downbeat_f(DOWNBEATS, early_wrong, trim_s=0))
    assert evaluate_downbeats(DOWNBEATS, early_wrong, trim_s=5)["Downbeat F-measure"] == evaluate_beats(
        DOWNBEATS, early_wrong, metrics="F")["F-measure"]


def test_empty_downbeats_warn_and_score_zero():
    from helpers.evaluate import evaluate_downbeats

    with pytest.warns(BeatEvaluationWarning, match="estimated downbeats are empty"):
        assert evaluate_downbeats(DOWNBEATS, []) == {"Downbeat F-measure": 0.0}
    with pytest.warns(BeatEvaluationWarning, match="reference downbeats are empty"):
        assert evaluate_downbeats(np.zeros(0), DOWNBEATS) == {"Downbeat F-measure": 0.0}
    with pytest.warns(BeatEvaluationWarning, match=r"trim_s=5 s \(2 removed\)"):
        assert evaluate_downbeats(DOWNBEATS, [1.0, 3.0]) == {"Downbeat F-measure": 0.0}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evaluate_downbeats(DOWNBEATS, [10.0])["Downbeat F-measure"] == pytest.approx(2 / 28)


@pytest.mark.parametrize("ref, est, match", [
    (DOWNBEATS, np.arange(10, 500, 43), "frame indices"),
    (DOWNBEATS, DOWNBEATS[::-1], "increasing order"),
    (np.stack([DOWNBEATS, np.ones_like(DOWNBEATS), np.arange(DOWNBEATS.size)], axis=1), DOWNBEATS,
     "annotation table"),
    (DOWNBEATS, [np.nan, 6.0], "contains nan"),
])
def test_bad_downbeats_are_refused(ref, est, match):
    from helpers.evaluate import evaluate_downbeats

    with pytest.raises(ParameterError, match=match):
        evaluate_downbeats(ref, est)
    with pytest.raises(ParameterError, match="trim_s"):
        evaluate_downbeats(DOWNBEATS, DOWNBEATS, trim_s=-1)


@IGNORE_DEGENERATE
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(pair=related_pairs(), trim_s=st.sampled_from([0.0, 5.0]))
def test_downbeat_score_equals_mir_eval(pair, trim_s):
    from helpers.evaluate import evaluate_downbeats

    ref, est = pair
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = evaluate_downbeats(ref[::4], est[1::3], trim_s=trim_s)["Downbeat F-measure"]
    assert got == _mir_eval_downbeat_f(ref[::4], est[1::3], trim_s=trim_s)


@requires_published
def test_harmonix_metadata_bpm_against_the_annotations():
    from helpers.data import load_beats, load_metadata

    root = HARMONIX / "dataset"
    meta = load_metadata(root / "metadata.csv")
    beats = {t: load_beats(root / "beats_and_downbeats" / f"{t}.txt") for t in meta}
    c = ev.compare_metadata_tempo(meta, beats)
    assert len(c.factors) == 912 and c.missing == ()
    # COURSE.md's counts. One track sits on the boundary: 0460_numb, metadata 130 BPM, annotation
    # 125 BPM from beat times rounded in the file (60 / 0.48000000000000043 s), so the relative
    # error is 0.0400000000000001 > 0.04: outside, as mir_eval.tempo would count it.
    assert c.counts == {"agree": 877, "octave": 26, "other": 9}
    rows = c.disagreements()
    assert len(rows) == 35 and sum(r["relation"] == "other" for r in rows) == 9

@requires_published
def test_downbeat_score_equals_mir_eval_on_the_harmonix_annotations():
    """Every Harmonix track: the annotated downbeats against "every 4th annotated beat from the first"."""
    from helpers.data import load_beats
    from helpers.evaluate import evaluate_downbeats

    paths = sorted((HARMONIX / "dataset" / "beats_and_downbeats").glob("*.txt"))
    assert len(paths) == 912
    scores = []
    for path in paths:
        beats = load_beats(path)
        got = evaluate_downbeats(beats.downbeats_s, beats.times_s[::4])["Downbeat F-measure"]
        assert got == _mir_eval_downbeat_f(beats.downbeats_s, beats.times_s[::4]), path.name
        scores.append(got)
    assert 0.0 < np.mean(scores) < 1.0
