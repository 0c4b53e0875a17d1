"""Tests of helpers.beat: the DP tracker on click trains and simulated framing, validation,
properties, a whole song, and (with ../shared) a regression test on real music."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers.beat import (
    TEMPO_SOURCES,
    TIGHTNESS,
    TrackerParams,
    TrackerResult,
    beat_tempo_bpm,
    dp_beat_frames,
    fit_beat_grid,
    lock_phase,
    phase_comb,
    refine_beat_times,
    run_tracker,
    track_beats,
    track_beats_from_novelty,
    tracker_novelty,
    trim_beat_frames,
)
from helpers.errors import ParameterError
from helpers.novelty import Novelty

from .builders import click_spectrogram
from .conftest import REALMEL, requires_realmel

SR, HOP, N_FFT = 22050, 1024, 2048
FR = SR / HOP
FRAME_S = HOP / SR


def framed_bursts(onset_times_s, duration_s, *, decay_s=0.05, floor=1e-3, n_mels=8):
    """Expected frame power of noise bursts, framed like librosa (Hann 2048, hop 1024, center=True).

    Each burst starts at its exact (sub-frame) time and decays exponentially; the frame
    power is the burst's power envelope weighted by the squared window around each
    frame centre k * hop. This is how a real onset between two frame centres spreads
    over the frames of a Harmonix mel-spectrogram.
    """
    n = int(duration_s * SR)
    env = np.full(n, floor)
    t = np.arange(int(6 * decay_s * SR)) / SR
    for onset in onset_times_s:
        k = int(round(onset * SR))
        m = min(t.size, n - k)
        env[k : k + m] += np.exp(-2 * t[:m] / decay_s)
    w2 = np.hanning(N_FFT + 1)[:-1] ** 2
    padded = np.concatenate([np.zeros(N_FFT // 2), env, np.zeros(N_FFT // 2)])
    n_frames = 1 + n // HOP
    power = np.array([padded[i * HOP : i * HOP + N_FFT] @ w2 for i in range(n_frames)])
    return np.tile(power, (n_mels, 1))


def nearest_errors(estimated_s, reference_s):
    d = np.asarray(estimated_s)[:, None] - np.asarray(reference_s)[None, :]
    return d[np.arange(d.shape[0]), np.abs(d).argmin(axis=1)]


# --------------------------------------------------------------------------- known answers
@pytest.mark.parametrize("bpm, phase_s", [(120.0, 0.5), (97.0, 0.21), (143.7, 1.0), (75.0, 0.05)])
def test_beats_of_a_click_train_within_one_frame(bpm, phase_s):
    S, frames, _ = click_spectrogram(1300, tempo_bpm=bpm, phase_s=phase_s)
    r = run_tracker(S, sr=SR, hop_length=HOP)
    assert isinstance(r, TrackerResult)
    assert r.tempo_bpm == pytest.approx(bpm, rel=0.02)
    np.testing.assert_array_equal(r.beat_frames, frames)                 # every click, nothing else
    assert np.max(np.abs(r.beat_times_s - frames * FRAME_S)) <= FRAME_S
    np.testing.assert_array_equal(track_beats(S, sr=SR, hop_length=HOP), r.beat_times_s)


def test_dp_prefers_the_regular_sequence_over_stronger_offbeats():
    # Beats every 11 frames with weak onsets; a few loud off-beat hits in between.
    x = np.zeros(400)
    beats = np.arange(5, 400, 11)
    x[beats] = 1.0
    x[beats[3:30:7] + 5] = 3.0
    np.testing.assert_array_equal(dp_beat_frames(x, period_frames=11.0, tightness=TIGHTNESS), beats)


def test_tightness_trades_regularity_against_onsets():
    # A click is missing and a loud onset sits 3 frames after where it should be.
    x = np.zeros(300)
    beats = np.arange(10, 300, 12)
    x[beats] = 1.0
    k = 12
    x[beats[k]] = 0.0
    x[beats[k] + 3] = 4.0
    loose = dp_beat_frames(x, period_frames=12.0, tightness=1.0)
    tight = dp_beat_frames(x, period_frames=12.0, tightness=1000.0)
    assert beats[k] + 3 in loose and beats[k] not in loose
    np.testing.assert_array_equal(tight, beats)


def test_centroid_refinement_recovers_a_split_onset_exactly():
    # Each onset's flux is split (1 - a, a) over frames f, f + 1: the true time is f + a.
    frames = np.arange(10, 400, 13)
    a = np.linspace(0.05, 0.95, frames.size)
    x = np.zeros(420)
    x[frames] = 1 - a
    x[frames + 1] = a
    nov = Novelty(x, FR)
    beat_frames = np.where(a < 0.5, frames, frames + 1)      # the DP picks the larger frame
    true_s = (frames + a) * FRAME_S
    centroid = refine_beat_times(nov, beat_frames, method="centroid")
    parabolic = refine_beat_times(nov, beat_frames, method="parabolic")
    none = refine_beat_times(nov, beat_frames, method="none")
    assert np.max(np.abs(centroid - true_s)) < 1e-9
    assert np.max(np.abs(parabolic - true_s)) < 0.45 * FRAME_S
    assert np.max(np.abs(none - true_s)) > 0.4 * FRAME_S


def test_refined_times_within_10_ms_of_sub_frame_onsets_in_simulated_framing():
    # Bursts at 118 BPM starting at random sub-frame positions, framed like the data.
    rng = np.random.default_rng(7)
    onsets = np.arange(0.5, 29.5, 60 / 118.0) + rng.uniform(0, FRAME_S, 1)[0]
    onsets = onsets + rng.uniform(-0.004, 0.004, onsets.size)
    S = framed_bursts(onsets, 30.0)
    refined = nearest_errors(track_beats(S, sr=SR, hop_length=HOP), onsets)
    frames_only = nearest_errors(
        track_beats(S, sr=SR, hop_length=HOP, tracker_params=TrackerParams(refine="none")), onsets
    )
    assert refined.size >= 0.95 * onsets.size
    assert np.mean(np.abs(refined)) < 0.010
    assert np.sqrt(np.mean(refined**2)) < np.sqrt(np.mean(frames_only**2))


def test_given_tempo_is_used():
    S = click_spectrogram(600, tempo_bpm=120.0).S
    r = run_tracker(S, sr=SR, hop_length=HOP, tempo_bpm=60.0)
    assert r.tempo_bpm == 60.0 and r.tempo_source == "given"
    np.testing.assert_allclose(np.diff(r.beat_times_s), 1.0, atol=2 * FRAME_S)


def test_start_from_a_novelty_curve():
    S, frames, _ = click_spectrogram(900, tempo_bpm=110.0)
    nov = tracker_novelty(S, sr=SR, hop_length=HOP)
    np.testing.assert_array_equal(track_beats_from_novelty(nov), track_beats(S, sr=SR, hop_length=HOP))
    np.testing.assert_array_equal(run_tracker(S, sr=SR, hop_length=HOP).novelty.values, nov.values)


def test_silence_gives_no_beats():
    assert track_beats(np.zeros((80, 500)), sr=SR, hop_length=HOP).size == 0
    assert track_beats(np.ones((80, 500)), sr=SR, hop_length=HOP).size == 0


def test_trim_drops_beats_tracked_through_silence_at_the_edges():
    S, frames, _ = click_spectrogram(1200, tempo_bpm=120.0, phase_s=0.5)
    S[:, :300] = 1e-4          # music starts after 14 s ...
    S[:, 1000:] = 1e-4         # ... and stops at 46 s
    kept = frames[(frames >= 300) & (frames < 1000)]
    r = run_tracker(S, sr=SR, hop_length=HOP)
    np.testing.assert_array_equal(r.beat_frames, kept)
    untrimmed = run_tracker(S, sr=SR, hop_length=HOP, tracker_params=TrackerParams(trim=False))
    assert untrimmed.beat_frames.size > kept.size + 20
    np.testing.assert_array_equal(trim_beat_frames(untrimmed.beat_frames, untrimmed.novelty.values), kept)


def test_mel_params_and_tracker_params():
    from helpers.data import HARMONIX_PARAMS

    S = click_spectrogram(600, tempo_bpm=120.0).S
    a = track_beats(S, mel_params=HARMONIX_PARAMS)
    b = track_beats(S, sr=SR, hop_length=HOP)
    np.testing.assert_array_equal(a, b)
    p = dataclasses.replace(TrackerParams(), tightness=50.0)
    assert p.to_dict()["tightness"] == 50.0
    assert track_beats(S, sr=SR, hop_length=HOP, tracker_params=p).size == b.size


def test_novelty_delay_moves_beats_earlier():
    S, frames, _ = click_spectrogram(600, tempo_bpm=100.0, phase_s=1.0)
    base = track_beats(S, sr=SR, hop_length=HOP)
    early = track_beats(S, sr=SR, hop_length=HOP, tracker_params=TrackerParams(novelty_delay_s=0.02))
    np.testing.assert_allclose(early, base - 0.02)


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "S, kwargs, match",
    [
        (np.ones(100), dict(sr=SR, hop_length=HOP), "2-D"),
        (-np.ones((80, 100)), dict(sr=SR, hop_length=HOP), r"negative values \(min -1"),
        (np.full((80, 100), np.nan), dict(sr=SR, hop_length=HOP), "NaN"),
        (np.ones((80, 100)), dict(sr=0, hop_length=HOP), "sr=0"),
        (np.ones((80, 100)), dict(sr=SR, hop_length=-1024), "hop_length=-1024"),
        (np.ones((80, 100)), dict(sr=SR), "required"),
        (np.ones((80, 100)), dict(sr=SR, hop_length=HOP, tracker_params={"tightness": 1}), "TrackerParams"),
        (np.ones((80, 100)), dict(sr=SR, hop_length=HOP, tempo_bpm=-5), "tempo_bpm"),
    ],
)
def test_bad_input_is_refused_with_the_fix(S, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        track_beats(S, **kwargs)


@pytest.mark.parametrize(
    "field, value",
    [("tightness", 0.0), ("gamma", -1.0), ("refine", "cubic"), ("tempo_method", "x"),
     ("trim", "yes"), ("novelty_delay_s", 1.0), ("local_average_s", 0.0), ("prior_width_octaves", -1.0),
     ("low_band_share", 1.0), ("low_band_share", -0.1), ("phase_lock", 1), ("phase_lock_steadiness", 1.5)],
)
def test_bad_tracker_params(field, value):
    with pytest.raises(ParameterError, match=field):
        TrackerParams(**{field: value})


def test_bad_dp_and_refine_inputs():
    with pytest.raises(ParameterError, match="period_frames"):
        dp_beat_frames(np.ones(10), period_frames=0.0)
    with pytest.raises(ParameterError, match="too fast"):
        dp_beat_frames(np.ones(10), period_frames=1.5)
    with pytest.raises(ParameterError, match=">= 0"):
        dp_beat_frames(-np.ones(10), period_frames=5.0)
    with pytest.raises(ParameterError, match="seconds instead of frames"):
        refine_beat_times(Novelty(np.ones(10), FR), [2, 50])
    with pytest.raises(ParameterError, match="Novelty"):
        track_beats_from_novelty(np.ones(100))
    with pytest.raises(ParameterError, match=">= 0"):
        track_beats_from_novelty(Novelty(-np.ones(100), FR))


# --------------------------------------------------------------------------- one phase per track
def test_fit_beat_grid_recovers_period_offset_and_phase_switches():
    period, offset = 10.37, 3.2
    beats = offset + period * np.arange(400)
    beats[150:260] += period / 2                     # a section on the off-beat
    grid = fit_beat_grid(beats, period_frames=period * 1.02)   # tempo estimate 2 % off
    assert grid.period_frames == pytest.approx(period, rel=5e-5)
    assert grid.steadiness == pytest.approx(1.0, abs=1e-3)      # a switch of half a beat is on the grid
    half = period / 2
    distance = np.mod(grid.offset_frames - offset + half / 2, half) - half / 2   # to the half-beat grid
    assert abs(distance) < 0.05
    off = grid.off_phase
    assert off[150:260].all() != off[:150].any() and (off[:150] == off[0]).all() and (off[260:] == off[0]).all()


def test_fit_beat_grid_sees_an_unsteady_tempo():
    rng = np.random.default_rng(1)
    steady = 5.0 + 10.0 * np.arange(300) + rng.normal(0, 0.3, 300)
    drifting = 5.0 + np.cumsum(np.linspace(14.0, 9.0, 300))            # 84 -> 132 BPM-like drift
    assert fit_beat_grid(steady, period_frames=10.0).steadiness > 0.9
    assert fit_beat_grid(drifting, period_frames=11.0).steadiness < 0.5


def test_phase_comb_is_one_on_the_grid_and_zero_half_way():
    c = phase_comb(100, period_frames=10.0, offset_frames=3.0)
    np.testing.assert_allclose(c[3::10], 1.0)
    np.testing.assert_allclose(c[8::10], 0.0, atol=1e-12)
    assert c.min() >= 0 and c.max() <= 1


def test_phase_lock_keeps_one_phase_through_a_section_with_louder_offbeats():
    """Beats (strength 1) everywhere; in the middle third the off-beats are louder (1.4).
    The plain DP follows the off-beats there; the phase lock keeps the beat phase,
    which carries more novelty over the whole track."""
    period, n = 10, 3000
    O = np.zeros(n)
    O[5::period] = 1.0
    O[1000:2000][(np.arange(1000) % period) == 0] = 0.0
    O[1005:2005:period] = 1.0
    O[1000 + 0 : 2000 : period] = 1.4                      # off-beats, half a period earlier
    plain = dp_beat_frames(O, period_frames=period)
    assert np.any(np.mod(plain - 5, period) != 0), "the test needs the plain DP to switch phase"
    frames, lock = lock_phase(O, plain.astype(float), period_frames=period)
    assert lock.applied and lock.grid.steadiness > 0.9
    assert 0.2 < np.mean(lock.grid.off_phase != bool(lock.phase)) < 0.5
    assert lock.off_phase_share == pytest.approx(np.mean(lock.grid.off_phase != bool(lock.phase)))
    assert np.all(np.mod(frames - 5, period) == 0) and frames.size >= n // period - 2


def test_phase_lock_leaves_an_unsteady_track_alone():
    intervals = np.linspace(14, 9, 250)
    O = np.zeros(int(intervals.sum()) + 20)
    frames_true = np.round(5 + np.concatenate([[0], np.cumsum(intervals)[:-1]])).astype(int)
    O[frames_true] = 1.0
    frames, lock = lock_phase(O, frames_true.astype(float), period_frames=11.0)
    assert frames is None and not lock.applied and lock.grid.steadiness < 0.5
    short, lock = lock_phase(O, frames_true[:5].astype(float), period_frames=11.0)
    assert short is None and lock.grid is None and lock.off_phase_share == 0.0
    with pytest.raises(ParameterError, match="no phase"):
        lock.comb(10)


def test_phase_lock_can_be_switched_off_and_changes_nothing_on_a_clean_click_train():
    S, frames, _ = click_spectrogram(1500, tempo_bpm=117.0, phase_s=0.3)
    on = run_tracker(S, sr=SR, hop_length=HOP)
    off = run_tracker(S, sr=SR, hop_length=HOP, tracker_params=TrackerParams(phase_lock=False))
    assert on.phase_lock is not None and on.phase_lock.applied and on.phase_lock.off_phase_share == 0.0
    assert off.phase_lock is None
    np.testing.assert_array_equal(on.beat_times_s, off.beat_times_s)


# --------------------------------------------------------------------------- properties
power_arrays = arrays(
    np.float64,
    st.tuples(st.integers(1, 8), st.integers(1, 400)),
    elements=st.one_of(st.just(0.0), st.floats(0, 1e4, allow_nan=False, allow_infinity=False)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(S=power_arrays, hop=st.sampled_from([256, 512, 1024, 2048]))
def test_beats_are_increasing_and_inside_the_track_for_any_input(S, hop):
    beats = track_beats(S, sr=SR, hop_length=hop)
    assert beats.ndim == 1 and np.all(np.isfinite(beats))
    assert np.all(np.diff(beats) > 0)
    if beats.size:
        assert beats[0] >= 0 and beats[-1] <= (S.shape[1] - 1) * hop / SR


@settings(max_examples=20, deadline=None)
@given(bpm=st.floats(80, 160), phase_s=st.floats(0.1, 1.0), shift=st.integers(1, 40))
def test_shifting_the_input_shifts_the_beats(bpm, phase_s, shift):
    S = click_spectrogram(900, tempo_bpm=bpm, phase_s=phase_s).S
    shifted = np.concatenate([np.full((S.shape[0], shift), 1e-4, dtype=S.dtype), S], axis=1)
    a = track_beats(S, sr=SR, hop_length=HOP)
    b = track_beats(shifted, sr=SR, hop_length=HOP)
    assert a.size == b.size
    np.testing.assert_allclose(b, a + shift * FRAME_S, atol=1e-9)


# --------------------------------------------------------------------------- a whole song
def test_a_four_minute_noisy_click_train_gets_every_click():
    # A Harmonix-length track (5168 frames = 4 min) under uniform noise of 5 % of a click.
    # How long this takes is measured by `python benchmarks/bench_tracker.py --timing`
    # (budget 0.25 s), not asserted here.
    S, frames, _ = click_spectrogram(5168, tempo_bpm=123.0, noise=0.05)
    r = run_tracker(S, sr=SR, hop_length=HOP)
    np.testing.assert_array_equal(r.beat_frames, frames)
    assert r.tempo_bpm == pytest.approx(123.0, rel=5e-4)


# --------------------------------------------------------------------------- real music
# librosa's beat_track on the same 20 mel-spectrograms (onset_strength of power_to_db(S),
# sr 22050, hop 1024; mir_eval.beat.evaluate): ../shared/realmel/SOURCE.md, reproduced by
# benchmarks/bench_tracker.py. Stored here so this test needs no librosa (no 20-50 s JIT).
LIBROSA_REALMEL = {"F": 0.623, "CMLt": 0.575, "AMLt": 0.630}
# librosa's tempo (helpers.baseline.librosa_tempo_bpm) on the same tracks, scored against
# 60 / median annotated interval with helpers.evaluate.tempo_accuracy: benchmarks/bench_tempo.py.
LIBROSA_REALMEL_TEMPO = {"Acc1": 0.70, "Acc2": 0.75}


@requires_realmel
def test_beats_librosa_by_at_least_0_10_on_real_music():
    import mir_eval

    from helpers.data import load_beats, load_melspec, read_params

    from helpers.evaluate import reference_tempo_bpm, tempo_accuracy

    params = read_params(REALMEL / "melspecs")
    scores, tempo_scores = [], []
    for path in sorted((REALMEL / "melspecs").glob("*-mel.npy")):
        track_id = path.name[: -len("-mel.npy")]
        S = load_melspec(path, params=params)
        reference = load_beats(REALMEL / "beats" / f"{track_id}.txt").times_s
        result = run_tracker(S, mel_params=params)
        estimated = result.beat_times_s
        tempo_scores.append(list(tempo_accuracy(reference_tempo_bpm(reference), result.tempo_bpm).values()))
        assert np.all(np.diff(estimated) > 0)
        assert estimated[-1] <= params.duration_s(S.shape[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref, est = mir_eval.beat.trim_beats(reference), mir_eval.beat.trim_beats(estimated)
            _, cmlt, _, amlt = mir_eval.beat.continuity(ref, est)
            scores.append((mir_eval.beat.f_measure(ref, est), cmlt, amlt))
    assert len(scores) == 20
    f, cmlt, amlt = np.mean(scores, axis=0)
    assert f >= LIBROSA_REALMEL["F"] + 0.10, f"mean F {f:.3f}"
    assert cmlt >= LIBROSA_REALMEL["CMLt"] + 0.10, f"mean CMLt {cmlt:.3f}"
    assert amlt >= LIBROSA_REALMEL["AMLt"], f"mean AMLt {amlt:.3f}"
    acc1, acc2 = np.mean(tempo_scores, axis=0)
    assert acc1 >= LIBROSA_REALMEL_TEMPO["Acc1"] + 0.10, f"tempo Acc1 {acc1:.3f}"
    assert acc2 >= LIBROSA_REALMEL_TEMPO["Acc2"] + 0.10, f"tempo Acc2 {acc2:.3f}"


# --------------------------------------------------------------------------- the reported tempo
def test_beat_tempo_of_a_steady_sequence_is_the_grid_period():
    # 120 BPM with every other beat 20 ms late: the median interval says 115.4 BPM (0.52 s),
    # the grid says 120 whatever the tracked tempo it starts from (within 3 %).
    beats = np.arange(40) * 0.5 + np.tile([0.0, 0.02], 20)
    for start_bpm in (117.0, 120.0, 123.0):
        tempo, source = beat_tempo_bpm(beats, tempo_bpm=start_bpm)
        assert source == "grid" and tempo == pytest.approx(120.0, rel=1e-4)
    assert 60 / np.median(np.diff(beats)) == pytest.approx(115.38, abs=0.01)


def test_beat_tempo_of_an_unsteady_or_short_sequence_is_the_median_interval():
    rng = np.random.default_rng(0)
    intervals = 0.5 * (1 + 0.2 * rng.standard_normal(60))      # rubato: 20 % jitter per beat
    beats = np.cumsum(intervals)
    tempo, source = beat_tempo_bpm(beats, tempo_bpm=120.0)
    assert source == "median" and tempo == pytest.approx(60 / np.median(intervals[1:]))
    tempo, source = beat_tempo_bpm([1.0, 1.5, 2.1, 2.6], tempo_bpm=120.0)     # under 8 beats
    assert source == "median" and tempo == pytest.approx(120.0)
    # min_steadiness=1 accepts only a perfect grid; 0 always takes the grid.
    assert beat_tempo_bpm(beats, tempo_bpm=120.0, min_steadiness=0.0)[1] == "grid"


@pytest.mark.parametrize("beats, kwargs, match", [
    ([1.0], {"tempo_bpm": 120.0}, "at least 2"), ([1.0, 0.5, 2.0], {"tempo_bpm": 120.0}, "increasing"),
    ([1.0, np.nan], {"tempo_bpm": 120.0}, "finite"), ([1.0, 1.5], {"tempo_bpm": 0.0}, "tempo_bpm"),
    ([1.0, 1.5], {"tempo_bpm": 120.0, "min_steadiness": 2.0}, "min_steadiness"),
])
def test_beat_tempo_refuses_bad_input(beats, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        beat_tempo_bpm(beats, **kwargs)


@pytest.mark.parametrize("bpm", [75.0, 97.0, 117.45, 143.7])
def test_tempo_of_a_click_track_is_reported_from_its_beat_grid(bpm):
    # Clicks rounded to whole frames (46 ms): intervals alternate between two frame counts,
    # yet the grid that fits the beats has the clicks' tempo to 0.05 %.
    S = click_spectrogram(1300, tempo_bpm=bpm).S
    r = run_tracker(S, sr=SR, hop_length=HOP)
    assert r.tempo_source == "grid" and r.tempo_source in TEMPO_SOURCES
    assert r.tempo_bpm == pytest.approx(bpm, rel=5e-4)
    off = run_tracker(S, sr=SR, hop_length=HOP, tracker_params=TrackerParams(tempo_from_beats=False))
    assert off.tempo_source == "estimate" and off.tempo_bpm == r.tempo.tempo_bpm
    np.testing.assert_array_equal(off.beat_times_s, r.beat_times_s)       # the beats do not change


def test_tempo_after_a_tempo_step_is_the_median_of_the_beats():
    # 30 s at 100 BPM, then 31 s at 108 BPM: the reference tempo (60 / median interval) is
    # 108, the tempogram's global peak lies between the two (104); the beats follow the step.
    t1 = np.arange(0.3, 30.0, 0.6)
    t2 = np.arange(t1[-1] + 60 / 108, 61.0, 60 / 108)
    times = np.concatenate([t1, t2])
    n = int(61.0 / FRAME_S) + 1
    S = click_spectrogram(n, beat_times_s=times).S
    r = run_tracker(S, sr=SR, hop_length=HOP)
    assert 60 / np.median(np.diff(times)) == pytest.approx(108.0)
    assert r.tempo_source == "median"
    assert r.tempo_bpm == pytest.approx(108.0, rel=0.01)
    assert abs(r.tempo.tempo_bpm / 108.0 - 1) > 0.03


def test_silence_reports_the_estimate():
    r = run_tracker(np.full((80, 300), 1e-4, dtype=np.float32), sr=SR, hop_length=HOP)
    assert r.beat_times_s.size == 0 and r.tempo_source == "estimate" and r.tempo_bpm == r.tempo.tempo_bpm
