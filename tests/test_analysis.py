"""Tests of helpers.analysis: known answers for the bootstrap, breakdowns, the error
taxonomy (constructed cases of every class), the frame-rate ceiling, paired comparisons
and the sensitivity sweep; and the demo set's results spread over the taxonomy.

The small data sets are the click trains of tests/test_batch.py (beats exactly on
frames, so an oracle tracker reproduces the reference).  Trackers are module-level
functions, so they can be sent to worker processes.
"""

from __future__ import annotations

import doctest
import itertools
import math
import warnings

import numpy as np
import pytest

from helpers import analysis as an
from helpers.batch import BatchResult, TrackResult, run_batch
from helpers.data import TrackMeta, data_root, open_dataset
from helpers.errors import ParameterError
from helpers.evaluate import CEMGIL_SIGMA_S, METRIC_NAMES, evaluate_beats

from .builders import click_spectrogram, write_beats, write_info
from .test_batch import HOP, SR, TRACKS, oracle, tiny  # noqa: F401 (tiny: a fixture)

BEAT_S = 0.5                                   # 120 BPM
REFERENCE = np.arange(0.5, 60.0, BEAT_S)       # a steady 60-s reference


# --------------------------------------------------------------------------- helpers
def half_oracle(S_power, *, sr, hop_length):
    """Every other click: half tempo."""
    return oracle(S_power, sr=sr, hop_length=hop_length)[::2]


def offbeat_oracle(S_power, *, sr, hop_length):
    """Half-way between the clicks: the off-beat."""
    b = oracle(S_power, sr=sr, hop_length=hop_length)
    return 0.5 * (b[:-1] + b[1:])


def fake_result(name: str, scores: dict, *, failed=()) -> BatchResult:
    """A BatchResult whose tracks have the given F-measure (other metrics equal to it)."""
    tracks = [TrackResult(t, {m: float(v) for m in METRIC_NAMES}, np.arange(5.0, 10.0, 0.5)) for t, v in scores.items()]
    tracks += [TrackResult(t, None, None, "DataError: broken", source="failed") for t in failed]
    return BatchResult(tracks, {"system": name})


def meta(track_id: str, *, genre="Pop", bpm=120.0, signature="4/4") -> TrackMeta:
    return TrackMeta(track_id, 200.0, bpm, signature, int(signature[0]), genre)


def test_docstring_examples_run():
    import importlib
    import pkgutil

    tried = 0
    for info in pkgutil.iter_modules(an.__path__, an.__name__ + "."):
        result = doctest.testmod(importlib.import_module(info.name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, info.name
        tried += result.attempted
    assert tried >= 3


# --------------------------------------------------------------------------- distributions
def test_bootstrap_of_a_constant_is_the_constant():
    ci = an.bootstrap_mean_ci([0.7] * 30, n_boot=200)
    assert ci == an.MeanCI(pytest.approx(0.7), pytest.approx(0.7), pytest.approx(0.7), 30)


def test_bootstrap_interval_matches_the_normal_approximation_on_known_data():
    # 100 values, half 0 and half 1: mean 0.5, standard error 0.05 -> 95 % CI about 0.5 +- 0.098.
    ci = an.bootstrap_mean_ci([0.0, 1.0] * 50, n_boot=4000, seed=1)
    assert ci.mean == 0.5 and ci.n == 100
    assert ci.low == pytest.approx(0.5 - 1.96 * 0.05, abs=0.015)
    assert ci.high == pytest.approx(0.5 + 1.96 * 0.05, abs=0.015)
    assert an.bootstrap_mean_ci([0.0, 1.0] * 50, n_boot=500, seed=3) == an.bootstrap_mean_ci(
        [0.0, 1.0] * 50, n_boot=500, seed=3)                       # same seed, same interval


def test_bootstrap_intervals_cover_the_true_mean_about_as_often_as_promised():
    rng = np.random.default_rng(0)
    hits = 0
    for i in range(200):
        sample = rng.normal(0.6, 0.2, size=40)
        ci = an.bootstrap_mean_ci(sample, n_boot=500, confidence=0.9, seed=i)
        hits += ci.low <= 0.6 <= ci.high
    assert 0.82 <= hits / 200 <= 0.96         # nominal 0.90 (percentile intervals run a little narrow)


@pytest.mark.parametrize("bad, kwargs", [([], {}), ([0.5, math.nan], {}), ([0.5], {"confidence": 1.0}),
                                          ([0.5], {"n_boot": 0}), ([[0.5]], {})])
def test_bootstrap_rejects_bad_input(bad, kwargs):
    with pytest.raises(ParameterError):
        an.bootstrap_mean_ci(bad, **kwargs)


def test_share_above_counts_values_at_or_above_each_threshold():
    assert an.share_above([0.2, 0.5, 0.9, 1.0], (0.5, 0.95)) == {0.5: 0.75, 0.95: 0.25}
    assert list(an.share_above([1.0])) == list(an.SCORE_THRESHOLDS)


# --------------------------------------------------------------------------- breakdowns
@pytest.mark.parametrize("bpm, band", [(57, "< 90 BPM"), (90, "90-110 BPM"), (129.9, "110-130 BPM"),
                                       (130, "130-160 BPM"), (237, ">= 160 BPM")])
def test_tempo_bands(bpm, band):
    assert an.tempo_band(bpm) == band


def test_breakdown_by_genre_gives_n_mean_ci_and_hardest_first():
    result = fake_result("ours", {"a": 1.0, "b": 0.8, "c": 0.2, "d": 0.4, "e": 0.95}, failed=("f",))
    metadata = {"a": meta("a", genre="Pop"), "b": meta("b", genre="Pop"), "c": meta("c", genre="Rock"),
                "d": meta("d", genre="Rock"), "f": meta("f", genre="Jazz")}     # "e" has no metadata row
    rows = an.breakdown(result, metadata, by="genre", n_boot=300)
    assert [g.group for g in rows] == ["Rock", "Pop", "(no metadata)"]       # hardest first; Jazz only failed
    rock = rows[0]
    assert rock.n == 2 and rock.mean == pytest.approx(0.3) and rock.track_ids == ("c", "d")
    assert rock.low <= rock.mean <= rock.high and rock.low >= 0.2 and rock.high <= 0.4
    assert rock.difference == pytest.approx(0.3 - np.mean([1.0, 0.8, 0.2, 0.4, 0.95]))
    assert rows[-1].n == 1 and rows[-1].low == rows[-1].high == 0.95
    assert set(rock.row()) == {"group", "n", "mean", "ci_low", "ci_high", "vs_all"}


def test_breakdown_by_tempo_band_time_signature_or_a_function():
    result = fake_result("ours", {"a": 1.0, "b": 0.0, "c": 0.5})
    metadata = {"a": meta("a", bpm=100), "b": meta("b", bpm=180, signature="3/4"), "c": meta("c", bpm=105)}
    bands = {g.group: g for g in an.breakdown(result, metadata, by="tempo_band", n_boot=100)}
    assert bands[">= 160 BPM"].mean == 0.0 and bands["90-110 BPM"].n == 2
    assert [g.group for g in an.breakdown(result, metadata, by="time_signature", n_boot=100)] == ["3/4", "4/4"]
    fast = an.breakdown(result, metadata, by=lambda m: "fast" if m.bpm > 150 else "slow", n_boot=100)
    assert [(g.group, g.n) for g in fast] == [("fast", 1), ("slow", 2)]
    with pytest.raises(ParameterError, match="genre"):
        an.breakdown(result, metadata, by="mood")


# --------------------------------------------------------------------------- taxonomy: constructed cases
def classify(estimate):
    return an.classify_track(REFERENCE, np.asarray(estimate)[np.asarray(estimate) < 60.0])


def test_an_estimate_on_the_reference_is_correct():
    jitter = np.random.default_rng(0).normal(0.0, 0.01, REFERENCE.size)       # 10 ms of timing noise
    d = classify(REFERENCE + jitter)
    assert d.label == "correct"
    assert d.tempo_ratio == pytest.approx(1.0, abs=0.02) and abs(d.phase_beats) < 0.05
    assert d.reference_tempo_bpm == pytest.approx(120.0) and d.reference_tempo_spread == pytest.approx(1.0)


@pytest.mark.parametrize("start", [0, 1])
def test_every_other_beat_is_half_tempo(start):
    d = classify(REFERENCE[start::2])
    assert d.label == "half-tempo" and d.tempo_ratio == pytest.approx(0.5)
    assert d.amlt > an.LOCKED_THRESHOLD > d.cmlt and "1/2" in d.reason


def test_a_beat_between_every_two_is_double_tempo():
    d = classify(np.sort(np.concatenate([REFERENCE, REFERENCE[:-1] + BEAT_S / 2])))
    assert d.label == "double-tempo" and d.tempo_ratio == pytest.approx(2.0)
    assert d.f_measure == pytest.approx(2 / 3, abs=0.01)      # every beat found, half the estimates extra


def test_shifted_by_half_a_beat_is_off_beat():
    d = classify(REFERENCE[:-1] + BEAT_S / 2)
    assert d.label == "off-beat" and d.f_measure == 0.0
    assert d.tempo_ratio == pytest.approx(1.0) and abs(d.phase_beats) == pytest.approx(0.5)
    assert d.phase_consistency == pytest.approx(1.0)


def test_a_quarter_beat_shift_is_not_off_beat():
    d = classify(REFERENCE + BEAT_S / 4)          # 125 ms late: outside every tolerance, at no metrical level
    assert d.label == "other" and d.phase_beats == pytest.approx(0.25)


def test_losing_the_beat_half_way_is_lost_lock():
    # Right for 30 s, then 10 % too slow: locked for about half the track.
    estimate = np.concatenate([REFERENCE[REFERENCE < 30], 30 + np.arange(1, 60) * BEAT_S * 1.1])
    d = classify(estimate)
    assert d.label == "lost-lock" and an.LOST_LOCK_MIN_AMLT <= d.amlt < an.LOCKED_THRESHOLD
    assert "tempo changes" not in d.reason          # the reference is steady: the tracker lost it


def test_a_reference_that_speeds_up_under_a_steady_estimate_is_lost_lock_with_a_tempo_change():
    intervals = np.concatenate([np.full(60, 0.6), 60.0 / np.linspace(100, 130, 60)])     # 100 BPM, then up to 130
    reference = 0.5 + np.concatenate([[0.0], np.cumsum(intervals)])
    estimate = np.arange(0.5, reference[-1], 0.6)                                         # stays at 100 BPM
    d = an.classify_track(reference, estimate)
    assert d.label == "lost-lock" and "tempo changes" in d.reason
    assert d.reference_tempo_spread > 1.2


@pytest.mark.parametrize("estimate", [
    np.arange(0.5, 60.0, BEAT_S / 1.5),                                   # 3:2 -- a ratio AML does not know
    REFERENCE[::3],                                                       # a third of the tempo
    np.sort(np.random.default_rng(1).uniform(0.0, 60.0, 120)),            # random
    np.zeros(0),                                                          # nothing
])
def test_never_locked_is_other(estimate):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = classify(estimate)
    assert d.label == "other" and d.amlt < an.LOST_LOCK_MIN_AMLT


def test_given_scores_are_used_and_must_be_complete():
    est = REFERENCE[::2]
    scores = evaluate_beats(REFERENCE, est)
    assert an.classify_track(REFERENCE, est, scores=scores) == an.classify_track(REFERENCE, est)
    with pytest.raises(ParameterError, match="scores lack"):
        an.classify_track(REFERENCE, est, scores={"F-measure": 0.6})


def test_the_evidence_is_measured_after_the_trim():
    d = an.classify_track(REFERENCE, REFERENCE + 0.02)
    assert d.n_reference_beats == np.sum(REFERENCE >= 5.0) and d.timing_error_s == pytest.approx(0.02)
    assert d.label == "correct" and set(d.row()) >= {"label", "tempo_ratio", "phase_beats", "reason"}


def test_count_classes_keeps_the_order_and_the_zeros():
    ds = [classify(REFERENCE[::2]), classify(REFERENCE), classify(REFERENCE[1::2])]
    assert an.count_classes(ds) == {"correct": 1, "half-tempo": 2, "double-tempo": 0, "off-beat": 0,
                                    "lost-lock": 0, "other": 0}
    assert tuple(an.count_classes({})) == an.FAILURE_CLASSES


def test_classify_results_on_a_batch(tiny):
    for tracker, label in ((oracle, "correct"), (half_oracle, "half-tempo"), (offbeat_oracle, "off-beat")):
        result = run_batch(tiny, tracker=tracker, jobs=1, progress=False)
        diagnoses = an.classify_results(result, tiny)
        assert list(diagnoses) == result.track_ids
        assert {d.label for d in diagnoses.values()} == {label}, tracker.__name__
        assert all(d.track_id == t for t, d in diagnoses.items())


def test_classify_results_skips_failed_tracks_with_a_warning():
    result = fake_result("x", {"a": 1.0}, failed=("b",))
    with pytest.warns(UserWarning, match="1 track"):
        diagnoses = an.classify_results(result, {"a": np.arange(5.0, 10.0, 0.5)})
    assert list(diagnoses) == ["a"] and diagnoses["a"].label == "correct"


# --------------------------------------------------------------------------- where it fails, timing errors
def test_failure_window_finds_the_stretch_with_the_missed_beats():
    estimate = REFERENCE[REFERENCE < 40.0]                     # stops tracking at 40 s
    start, end = an.failure_window(REFERENCE, estimate, window_s=10.0)
    assert end - start == 10.0 and 39.9 <= start <= 40.5
    assert an.failure_window(REFERENCE, np.zeros(0)) == (5.0, 15.0)     # all missed: the earliest window


def test_beat_errors_are_signed_and_trimmed():
    errors = an.beat_errors_s(REFERENCE, REFERENCE[5:20] + 0.03)
    assert errors.size == np.sum(REFERENCE[5:20] >= 5.0)
    np.testing.assert_allclose(errors, 0.03)
    result = fake_result("x", {"a": 1.0})                       # its beats: 5.0, 5.5, ..., 9.5
    pooled = an.pooled_beat_errors_s(result, {"a": np.arange(5.02, 10.0, 0.5)}, max_error_s=0.05)
    np.testing.assert_allclose(pooled, -0.02)
    assert an.pooled_beat_errors_s(result, {"a": np.arange(5.1, 10.0, 0.5)}, max_error_s=0.05).size == 0


# --------------------------------------------------------------------------- frame-rate ceiling
def test_quantize_to_frames_moves_each_beat_by_at_most_half_a_frame(tiny):
    p = tiny.params
    times = 0.3 + 0.37 * np.arange(80) + np.random.default_rng(2).uniform(-0.1, 0.1, 80)   # any sub-frame position
    q = an.quantize_to_frames(times, params=p)
    assert q.size == times.size
    assert np.max(np.abs(q - times)) <= 0.5 * p.frame_duration_s + 1e-12
    np.testing.assert_allclose(q * p.frame_rate_hz, np.round(q * p.frame_rate_hz), atol=1e-9)   # on the grid


def test_ceiling_is_perfect_when_the_beats_are_on_the_frames(tiny):
    ceiling = an.frame_rate_ceiling(tiny, progress=False)
    assert list(ceiling) == ["frame grid", "frame grid + refinement"]
    for res in ceiling.values():
        assert len(res) == len(TRACKS) and res.n_failed == 0
        assert res.mean()["F-measure"] == 1.0 and res.mean()["Cemgil"] == pytest.approx(1.0, abs=1e-6)


def test_ceiling_of_beats_half_a_frame_off_the_grid_has_the_known_cemgil(tmp_path):
    # Reference beats 0.49 frame after each click: on the grid each is 0.49 frame = 22.8 ms early.
    mel = tmp_path / "set" / "melspecs"
    beats = tmp_path / "set" / "dataset" / "beats_and_downbeats"
    write_info(mel)
    beats.mkdir(parents=True)
    S, _, times = click_spectrogram(600, period_frames=12, decay=0.3)
    np.save(mel / "off-mel.npy", S)
    write_beats(beats / "off.txt", times + 0.49 * HOP / SR)
    ds = open_dataset(tmp_path / "set")
    ceiling = an.frame_rate_ceiling(ds, progress=False)
    grid = ceiling["frame grid"]["off"].scores
    error_s = 0.49 * HOP / SR
    assert grid["F-measure"] == 1.0                       # 22.8 ms is well inside +-70 ms
    assert grid["Cemgil"] == pytest.approx(math.exp(-error_s**2 / (2 * CEMGIL_SIGMA_S**2)), abs=1e-4)
    refined = ceiling["frame grid + refinement"]["off"]
    assert np.max(np.abs(refined.beat_times_s - ceiling["frame grid"]["off"].beat_times_s)) <= 0.5 * HOP / SR + 1e-9
    assert an.frame_rate_ceiling(ds, refine=False, progress=False).keys() == {"frame grid"}


# --------------------------------------------------------------------------- paired comparisons
def test_paired_comparison_counts_wins_losses_and_ties_on_common_tracks():
    a = fake_result("ours", {"t1": 0.9, "t2": 0.5, "t3": 0.7, "t4": 0.1, "t5": 1.0})
    b = fake_result("theirs", {"t1": 0.6, "t2": 0.8, "t3": 0.705, "t4": 0.2}, failed=("t5",))
    cmp = an.paired_comparison(a, b, n_boot=500)
    assert cmp.n == 4 and cmp.track_ids == ("t1", "t2", "t3", "t4")
    assert (cmp.wins, cmp.losses, cmp.ties) == (1, 2, 1)
    assert cmp.difference.mean == pytest.approx(np.mean([0.3, -0.3, -0.005, -0.1]))
    assert cmp.difference.low <= cmp.difference.mean <= cmp.difference.high
    assert "1 wins, 2 losses, 1 ties" in str(cmp)
    np.testing.assert_allclose(cmp.scores_b, [0.6, 0.8, 0.705, 0.2])


def test_score_matrix_and_everyone_fails():
    results = {"A": fake_result("A", {"t1": 0.9, "t2": 0.3, "t3": 0.1}),
               "B": fake_result("B", {"t1": 0.2, "t2": 0.4, "t3": 0.6}),
               "C": fake_result("C", {"t1": 0.1, "t2": 0.49}, failed=("t3",))}
    ids, systems, scores = an.score_matrix(results, metric="F")
    assert ids == ["t1", "t2"] and systems == ["A", "B", "C"] and scores.shape == (2, 3)
    assert an.everyone_fails(results) == ["t2"]
    assert an.everyone_fails(results, threshold=0.3) == []
    with pytest.raises(ParameterError, match="unknown metric"):
        an.score_matrix(results, metric="accuracy")


# --------------------------------------------------------------------------- sensitivity sweep
def test_sweep_runs_every_combination_through_the_cache(tiny, tmp_path):
    grid = {"tightness": [50.0, 200.0], "prior_center_bpm": [60.0, 120.0, 300.0]}
    sweep = an.sensitivity_sweep(tiny, grid, cache_dir=tmp_path / "cache", jobs=2, progress=False)
    assert sweep.names == ("tightness", "prior_center_bpm") and sweep.means.shape == (2, 3)
    assert len(sweep.results) == 6 and all(len(r) == len(TRACKS) for r in sweep.results.values())
    for (i, tightness), (j, prior) in itertools.product(enumerate(grid["tightness"]),
                                                         enumerate(grid["prior_center_bpm"])):
        r = sweep.results[(tightness, prior)]
        params = r.config["tracker"]["params"]
        assert (params["tightness"], params["prior_center_bpm"]) == (tightness, prior)
        assert sweep.means[i, j] == pytest.approx(r.mean()["F-measure"])
        assert sweep.means_of("CMLt")[i, j] == pytest.approx(r.mean()["Correct Metric Level Total"])
    assert sweep.means_of("CMLt")[:, 1].min() > 0.9          # click trains at 99-129 BPM, prior at 120: found
    best, value = sweep.best()
    assert value == sweep.means.max() and sweep.means[grid["tightness"].index(best["tightness"]),
                                                      grid["prior_center_bpm"].index(best["prior_center_bpm"])] == value
    assert len(sweep.rows()) == 6 and "mean F" in sweep.rows()[0]
    again = an.sensitivity_sweep(tiny, grid, cache_dir=tmp_path / "cache", progress=False)
    assert all(res.n_from_cache == len(TRACKS) for res in again.results.values())
    np.testing.assert_array_equal(again.means, sweep.means)


@pytest.mark.parametrize("grid", [{}, {"speed": [1]}, {"tightness": []},
                                  {"tightness": [1], "gamma": [1], "refine": ["none"], "trim": [True]},
                                  {"tightness": [-5.0]}])
def test_sweep_rejects_bad_grids(tiny, grid):
    with pytest.raises(ParameterError):
        an.sensitivity_sweep(tiny, grid, progress=False)



def test_sweep_on_dev_sees_only_dev_tracks_and_names_its_best_params(tiny, tmp_path):
    from helpers.splits import split_of

    grid = {"prior_center_bpm": [60.0, 120.0]}
    sweep = an.sensitivity_sweep(tiny, grid, split="dev", cache_dir=tmp_path / "cache", progress=False)
    dev = [t for t, _, _ in TRACKS if split_of(t) == "dev"]
    assert sweep.split == "dev" and 0 < len(dev) < len(TRACKS)        # the fixture has both splits
    assert all(r.track_ids == sorted(dev) for r in sweep.results.values())
    assert all(r.config["jobs"] == 1 for r in sweep.results.values())   # few tracks: one process
    best, value = sweep.best()
    params = sweep.best_params()
    assert params.prior_center_bpm == best["prior_center_bpm"] and params.tightness == sweep.base_params.tightness
    with pytest.raises(ParameterError, match="split"):
        an.sensitivity_sweep(tiny, grid, split="train", progress=False)
    with pytest.raises(ParameterError, match="no track"):
        an.sensitivity_sweep(tiny, grid, split="test", track_ids=dev, progress=False)


# --------------------------------------------------------------------------- honest reporting
def test_split_result_keeps_exactly_the_tracks_of_the_split():
    from helpers.splits import split_of

    ids = ["0001_12step", "0005_again", "t1_p10", "t2_p11"]
    result = fake_result("A", dict.fromkeys(ids, 0.5), failed=("t3_p12",))
    test = an.split_result(result, "test")
    dev = an.split_result(result, "dev")
    assert test.track_ids == sorted(t for t in result.track_ids if split_of(t) == "test")
    assert sorted(test.track_ids + dev.track_ids) == result.track_ids          # a partition
    assert test.config["split"] == "test" and test.name == "A" and result.config.get("split") is None
    assert an.split_result(result, "all") is result
    with pytest.raises(ParameterError, match="split"):
        an.split_result(result, "validation")


def test_small_sample_note_warns_below_the_threshold_only():
    assert an.small_sample_note(4).startswith("Only 4 tracks in the test split")
    assert "1 track in" in an.small_sample_note(1, what="this group")
    assert an.small_sample_note(an.SMALL_SAMPLE_TRACKS) == ""
    with pytest.raises(ParameterError):
        an.small_sample_note(-1)


def test_rescore_without_the_trim_counts_the_first_five_seconds():
    ref = np.arange(0.5, 30.0, 0.5)
    est = np.concatenate([ref[ref < 5.0] + 0.2, ref[ref >= 5.0]])    # wrong before 5 s, right after
    result = BatchResult([TrackResult("a", evaluate_beats(ref, est), est)], {"system": "x",
                                                                             "evaluation": {"trim_s": 5.0}})
    assert result["a"].scores["F-measure"] == 1.0
    untrimmed = an.rescore(result, {"a": ref}, trim_s=0.0, metrics=("F-measure",))
    n_wrong = int(np.sum(ref < 5.0))
    assert untrimmed["a"].scores == {"F-measure": pytest.approx((ref.size - n_wrong) / ref.size)}
    assert untrimmed.config["evaluation"]["trim_s"] == 0.0 and result.config["evaluation"]["trim_s"] == 5.0
    assert an.rescore(result, {"a": ref}, trim_s=5.0)["a"].scores == result["a"].scores
    with pytest.raises(ParameterError, match="trim_s"):
        an.rescore(result, {"a": ref}, trim_s=-1)


def test_constructed_estimates_score_as_the_metrics_promise():
    ref = np.arange(5.0, 65.0, 0.5)                                          # 120 BPM, after the trim
    est = an.constructed_estimates(ref)
    assert tuple(est) == an.CONSTRUCTED_ESTIMATES
    score = {k: evaluate_beats(ref, v, trim_s=0.0) for k, v in est.items()}
    alt = score["69 ms alternating"]
    assert alt["F-measure"] == 1.0 and alt["Correct Metric Level Total"] == 0.0   # inside the window, never steady
    late = score["60 ms late"]
    assert late["F-measure"] == 1.0 and late["Cemgil"] == pytest.approx(np.exp(-0.06 ** 2 / (2 * CEMGIL_SIGMA_S ** 2)))
    for level in ("half tempo", "double tempo", "off-beat"):
        assert score[level]["Correct Metric Level Total"] == 0.0 and score[level]["Any Metric Level Total"] > 0.95
    assert score["double tempo"]["F-measure"] == pytest.approx(2 * ref.size / (ref.size + 2 * ref.size - 1))
    with pytest.raises(ParameterError, match="at least 2"):
        an.constructed_estimates([1.0])
    with pytest.raises(ParameterError, match="negative"):
        an.constructed_estimates([0.0, 0.05, 0.5])


# --------------------------------------------------------------------------- the demo set
@pytest.fixture(scope="module")
def demo():
    from helpers.synth import generate_demo

    root = data_root() / "demo"
    if not (root / ".complete").is_file():
        generate_demo(root)
    return open_dataset("demo")


def test_the_demo_set_lands_in_at_least_four_classes(demo, tmp_path):
    result = run_batch(demo, tracker="reference", cache_dir=tmp_path / "cache", progress=False)
    assert result.n_failed == 0
    counts = an.count_classes(an.classify_results(result, demo))
    assert sum(counts.values()) == len(demo.track_ids)
    assert sum(n > 0 for n in counts.values()) >= 4, counts


# --------------------------------------------------------------------------- tempo vs beats
def test_tempo_verdicts_from_acc1_and_acc2():
    from helpers.analysis import TEMPO_VERDICTS, tempo_verdict

    assert [tempo_verdict({"Acc1": a, "Acc2": b}) for a, b in ((1.0, 1.0), (0.0, 1.0), (0.0, 0.0))] == \
        list(TEMPO_VERDICTS)
    assert tempo_verdict(None) is None and tempo_verdict({"F-measure": 1.0}) is None


def test_tempo_by_class_separates_tempo_errors_from_phase_errors():
    """An off-beat track with the right tempo failed in phase; a half-tempo one with Acc2 only, in the tempo."""
    from helpers.analysis import classify_track, tempo_by_class
    from helpers.results import BatchResult, TrackResult

    ref = np.arange(5.0, 65.0, 0.5)
    cases = {"off": (ref[:-1] + 0.25, {"Acc1": 1.0, "Acc2": 1.0}),         # tempo right, phase wrong
             "half": (ref[::2], {"Acc1": 0.0, "Acc2": 1.0}),               # the tempo an octave off
             "ok": (ref + 0.01, {"Acc1": 1.0, "Acc2": 1.0}),
             "nt": (ref + 0.01, {})}                                        # no tempo scores: left out
    diagnoses = {t: classify_track(ref, est, track_id=t) for t, (est, _) in cases.items()}
    result = BatchResult([TrackResult(t, {"F-measure": 0.0, **acc}, est) for t, (est, acc) in cases.items()],
                         {"system": "x"})
    table = tempo_by_class(diagnoses, result)
    assert table["off-beat"] == {"tempo right": 1, "tempo octave": 0, "tempo wrong": 0}
    assert table["half-tempo"] == {"tempo right": 0, "tempo octave": 1, "tempo wrong": 0}
    assert table["correct"]["tempo right"] == 1 and sum(sum(v.values()) for v in table.values()) == 3
