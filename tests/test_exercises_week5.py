"""helpers.exercises.week5 (bars and downbeats): every reference solution passes its check, typical
wrong answers get the intended hint, stubs say "not done yet", the known answers agree with
helpers.downbeat, and every exercise sits in notebook 05 (the fill-ins in its body, the others in
its Exercises section)."""

from __future__ import annotations

import importlib.util

import numpy as np

from helpers.data import HARMONIX_PARAMS
from helpers.exercises import EXERCISES, exercises

from .conftest import REPO

WEEK5 = [ex.id for ex in exercises(5)]
#: Written in the body of the notebook where their idea is introduced, in this order.
FILL_INS = ("w5.bass", "w5.change", "w5.phase")


def _solutions():
    spec = importlib.util.spec_from_file_location("solutions_week5", REPO / "solutions" / "week5.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(exercise_id: str):
    return getattr(_solutions(), exercise_id.replace(".", "_"))


# =========================================================================== typical wrong answers
# ---- w5.bass
def _flux(S_power, gamma, *, rectify=True, normalise=True):
    L = np.log1p(gamma * S_power / (S_power.max() if normalise else 1.0))
    D = np.zeros_like(L)
    D[:, 1:] = L[:, 1:] - L[:, :-1]
    return np.maximum(D, 0.0) if rectify else D


def _at_beats(bass, beat_frames):
    padded = np.concatenate([[0.0], bass, [0.0]])
    f = np.asarray(beat_frames)
    return np.maximum(np.maximum(padded[f], padded[f + 1]), padded[f + 2])


def bass_all_bands(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    return _at_beats(_flux(S_power, gamma).sum(axis=0), beat_frames)


def bass_only_the_beat_frame(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    return _flux(S_power, gamma)[np.asarray(band_hz) < cutoff_hz].sum(axis=0)[beat_frames]


def bass_wraps_around(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    bass = _flux(S_power, gamma)[np.asarray(band_hz) < cutoff_hz].sum(axis=0)
    f = np.asarray(beat_frames)
    return np.maximum(np.maximum(bass[f - 1], bass[f]), bass[np.minimum(f + 1, bass.size - 1)])


def bass_not_rectified(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    return _at_beats(_flux(S_power, gamma, rectify=False)[np.asarray(band_hz) < cutoff_hz].sum(axis=0), beat_frames)


def bass_no_max(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    return _at_beats(_flux(S_power, gamma, normalise=False)[np.asarray(band_hz) < cutoff_hz].sum(axis=0), beat_frames)


def bass_fixed_cutoff(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    return reference("w5.bass")(S_power, beat_frames, band_hz, 250.0, gamma)


def bass_index_error(S_power, beat_frames, band_hz, cutoff_hz, gamma):
    bass = _flux(S_power, gamma)[np.asarray(band_hz) < cutoff_hz].sum(axis=0)
    return np.array([max(bass[f - 1 if f else 0], bass[f], bass[f + 1]) for f in beat_frames])


# ---- w5.change
def _change(spectra, window_beats, *, centre=True, start=0, distance=lambda b, a: 1.0 - _cos(b, a), first=None):
    X = np.asarray(spectra, dtype=float)
    if centre:
        X = X - X.mean(axis=0)
    n = X.shape[0]
    change = np.zeros(n)
    for i in range(1, n):
        before = X[max(0, i - window_beats + start):i + start].mean(axis=0)
        after = X[i + start:i + start + window_beats]
        after = after.mean(axis=0) if after.size else np.zeros(X.shape[1])
        change[i] = distance(before, after)
    change[0] = change[1:].mean() if first is None else first
    return change


def _cos(a, b):
    n = np.linalg.norm(a) * np.linalg.norm(b)
    return a @ b / n if n > 0 else 1.0


def change_not_centred(spectra, window_beats):
    return _change(spectra, window_beats, centre=False)


def change_before_includes_the_beat(spectra, window_beats):
    return _change(spectra, window_beats, start=1)


def change_euclidean(spectra, window_beats):
    return _change(spectra, window_beats, distance=lambda b, a: float(np.linalg.norm(a - b)))


def change_similarity(spectra, window_beats):
    return _change(spectra, window_beats, distance=_cos)


def change_first_zero(spectra, window_beats):
    return _change(spectra, window_beats, first=0.0)


# ---- w5.phase
def _phase(evidence, meter, pick=np.argmax):
    e = np.asarray(evidence, dtype=float)
    return int(pick([e[p::meter].sum() for p in range(meter)]))


def phase_from_zero(evidence, meter):
    return (np.arange(len(evidence)) - _phase(evidence, meter)) % meter


def phase_wrong_direction(evidence, meter):
    return (np.arange(len(evidence)) + _phase(evidence, meter)) % meter + 1


def phase_argmin(evidence, meter):
    return (np.arange(len(evidence)) - _phase(evidence, meter, np.argmin)) % meter + 1


def phase_returns_the_phase(evidence, meter):
    return _phase(evidence, meter)


def phase_fixed_meter(evidence, meter):
    return reference("w5.phase")(evidence, 4)


def phase_mask(evidence, meter):
    return reference("w5.phase")(evidence, meter) == 1


# ---- w5.meter
def _sim(features, max_lag, shift=0):
    X = np.asarray(features, dtype=float)
    X = X - X.mean(axis=0)
    n = X.shape[0]
    sim = [1.0]
    for k in range(1, max_lag + 1):
        a, b = X[:n - k - shift], X[k + shift:]
        sim.append(np.mean((a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))))
    return sim


def meter_raw_similarity(features, meters):
    sim = _sim(features, max(meters) + 1)
    return max(meters, key=lambda m: sim[m])


def meter_lags_one_too_far(features, meters):
    sim = _sim(features, max(meters) + 1, shift=1)
    return max(meters, key=lambda m: sim[m] - (sim[m - 1] + sim[m + 1]) / 2)


def meter_returns_index(features, meters):
    return list(meters).index(reference("w5.meter")(features, meters))


def meter_fixed_candidates(features, meters):
    return reference("w5.meter")(features, (3, 4))


# ---- w5.offset
def offset_unwrapped(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    result = reference("w5.offset")(reference_times_s, reference_positions, estimated_downbeats_s, meter)
    return None if result is None else result % meter


def offset_sign_flipped(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    result = reference("w5.offset")(reference_times_s, reference_positions, estimated_downbeats_s, meter)
    return None if result is None else -result


def offset_no_window(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    return reference("w5.offset")(reference_times_s, reference_positions, estimated_downbeats_s + 0.0, meter) \
        if _near_any(reference_times_s, estimated_downbeats_s) else 0


def _near_any(reference_times_s, estimated_downbeats_s):
    d = np.abs(np.asarray(estimated_downbeats_s)[:, None] - np.asarray(reference_times_s)[None, :]).min(axis=1)
    return bool(np.any(d <= 0.07))


def offset_mean_position(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    ref, pos = np.asarray(reference_times_s), np.asarray(reference_positions)
    j = np.abs(np.asarray(estimated_downbeats_s)[:, None] - ref[None, :]).argmin(axis=1)
    near = np.abs(np.asarray(estimated_downbeats_s) - ref[j]) <= 0.07
    if not near.any():
        return None
    offset = int(round(float(pos[j[near]].mean()))) - 1
    return offset - meter if offset > meter // 2 else offset


def offset_fixed_meter(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    return reference("w5.offset")(reference_times_s, reference_positions, estimated_downbeats_s, 4)


def offset_returns_position(reference_times_s, reference_positions, estimated_downbeats_s, meter):
    result = reference("w5.offset")(reference_times_s, reference_positions, estimated_downbeats_s, meter)
    return None if result is None else result % meter + 1


WRONG = {
    "w5.bass": [(bass_all_bands, "only the bass bands count"), (bass_only_the_beat_frame, "f-1, f and f+1"),
                (bass_wraps_around, "the LAST frame"), (bass_not_rectified, "keep only increases"),
                (bass_no_max, "divide by S_power.max()"), (bass_fixed_cutoff, "use the cutoff_hz argument"),
                (bass_index_error, "pad the bass curve with a 0")],
    "w5.change": [(change_not_centred, "subtract the track's mean spectrum"),
                  (change_before_includes_the_beat, "the window BEFORE beat i"),
                  (change_euclidean, "not the Euclidean distance"),
                  (change_similarity, "that is the cosine similarity"),
                  (change_first_zero, "beat 0 has nothing before it")],
    "w5.phase": [(phase_from_zero, "count the positions from 1"), (phase_wrong_direction, "with + phase"),
                 (phase_argmin, "LARGEST total evidence"), (phase_returns_the_phase, "not the phase itself"),
                 (phase_fixed_meter, "use the meter argument"), (phase_mask, "not a True/False downbeat mask")],
    "w5.meter": [(meter_raw_similarity, "look for a PEAK"), (meter_lags_one_too_far, "one beat too far"),
                 (meter_returns_index, "not its index"), (meter_fixed_candidates, "use the meters argument")],
    "w5.offset": [(offset_unwrapped, "ONE BEAT EARLY, -1, not M - 1"), (offset_sign_flipped, "the wrong way round"),
                  (offset_no_window, "only count the estimated downbeats within 70 ms"),
                  (offset_mean_position, "MOST COMMON position"), (offset_fixed_meter, "use the meter argument"),
                  (offset_returns_position, "the offset is p - 1")],
}


# =========================================================================== the registry
def test_week5_has_three_fill_ins_and_two_variations_with_unique_names():
    assert WEEK5 == ["w5.bass", "w5.change", "w5.phase", "w5.meter", "w5.offset"]
    assert [ex.id for ex in exercises(5) if ex.inline] == list(FILL_INS)
    names = [ex.function_name for ex in EXERCISES.values()]
    assert len(set(names)) == len(names)


def test_every_week5_exercise_has_wrong_answers_here():
    assert set(WRONG) == set(WEEK5)
    assert all(len(v) >= 2 for v in WRONG.values())


# The checks every exercise shares (the reference solution passes, each WRONG answer here gets its
# hint, a stub is "not done", a learner's exception names the case and the line, the solution is
# shown) run over all weeks in tests/test_exercises.py, with the WRONG answers of this file.


# =========================================================================== known answers
def test_bass_cases_equal_the_public_helper_on_the_harmonix_layout():
    from helpers.downbeat import bass_onset_at_beats

    p = HARMONIX_PARAMS
    for case in EXERCISES["w5.bass"].cases():
        S, frames, hz = case.args
        if S.shape[0] != p.n_mels:
            continue
        ours = bass_onset_at_beats(S, beat_times_s=p.frames_to_time(frames), mel_params=p,
                                   cutoff_hz=case.kwargs["cutoff_hz"], gamma=case.kwargs["gamma"])
        np.testing.assert_allclose(ours, case.expected, rtol=1e-12)


def test_bass_case_with_a_beat_one_frame_early_still_sees_the_bass():
    cases = EXERCISES["w5.bass"].cases()
    np.testing.assert_allclose(cases[1].expected, cases[0].expected)
    assert np.all(cases[0].expected > 0)


def test_change_first_case_is_the_docstring_example():
    case = EXERCISES["w5.change"].cases()[0]
    np.testing.assert_allclose(np.round(case.expected, 2),
                               [0.27, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0])


def test_phase_cases_have_their_constructed_downbeats():
    four, pickup, waltz = EXERCISES["w5.phase"].cases()[:3]
    assert np.flatnonzero(four.expected == 1).tolist() == [0, 4, 8, 12]
    assert pickup.expected[:2].tolist() == [4, 1]
    assert np.flatnonzero(waltz.expected == 1).tolist() == list(range(2, 15, 3))


def test_meter_cases_are_the_constructed_periods_and_agree_with_choose_meter():
    from helpers.downbeat import choose_meter, lag_similarity

    periods = [4, 3, 4, 3, 2, 6]
    for case, period in zip(EXERCISES["w5.meter"].cases(), periods, strict=True):
        X, meters = case.args[0], case.kwargs["meters"]
        assert case.expected == period, case.name
        assert choose_meter(lag_similarity(X, max_lag=max(meters) + 1), meters=meters).meter == period, case.name


def test_the_drift_case_fools_the_raw_similarity():
    """The case exists to catch the raw comparison: without the peak test it says 3."""
    case = EXERCISES["w5.meter"].cases()[2]
    assert meter_raw_similarity(*case.args, **case.kwargs) == 3 and case.expected == 4


def test_offset_cases_agree_with_the_learners_loop():
    expected = [-1, 0, -1, 1, None, -1]
    solve = reference("w5.offset")
    for case, e in zip(EXERCISES["w5.offset"].cases(), expected, strict=True):
        assert case.expected == e, case.name
        assert solve(*case.args, **case.kwargs) == e, case.name


# Where the fill-ins and the end-of-week exercises sit in notebook 05, that the learner's version is
# used once it passes, and that the solutions are not imported: tests/test_exercises.py, for every notebook.
