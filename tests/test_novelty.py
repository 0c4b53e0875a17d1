"""Tests of helpers.novelty: known answers on click trains, each step, validation, properties."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from helpers.errors import ParameterError
from helpers.novelty import (
    GAMMA,
    LOW_BAND_CUTOFF_HZ,
    Novelty,
    band_differences,
    energy_novelty,
    log_compress,
    low_band_weights,
    balanced_low_band_weights,
    normalize_max,
    pick_onsets,
    spectral_flux,
    subtract_local_average,
    sum_bands,
)

from .builders import click_spectrogram

SR, HOP = 22050, 1024
FR = SR / HOP


# --------------------------------------------------------------------------- known answers
def test_flux_peaks_exactly_at_clicks():
    clicks = np.arange(7, 600, 11)
    nov = spectral_flux(click_spectrogram(640, click_frames=clicks).S, sr=SR, hop_length=HOP)
    assert isinstance(nov, Novelty)
    assert nov.frame_rate_hz == pytest.approx(FR)
    np.testing.assert_array_equal(np.flatnonzero(nov.values > 0.5), clicks)
    assert nov.values.max() == pytest.approx(1.0)


def test_flux_is_aligned_with_frames_for_a_step():
    # A sound that starts at frame 50 and is held: the increase arrives at frame 50.
    S = np.full((10, 100), 1e-4)
    S[:, 50:] = 1.0
    nov = spectral_flux(S, sr=SR, hop_length=HOP)
    assert int(np.argmax(nov.values)) == 50
    assert np.count_nonzero(nov.values) == 1


def test_times_follow_the_frame_convention():
    nov = Novelty(np.zeros(5), FR)
    np.testing.assert_allclose(nov.times_s, np.arange(5) * HOP / SR)
    assert nov.duration_s == pytest.approx(4 * HOP / SR)
    assert len(nov) == 5


def test_log_compress_is_the_textbook_formula_bit_for_bit():
    rng = np.random.default_rng(0)
    S = (rng.random((80, 50)) ** 4 * 1e4).astype(np.float32)
    for gamma in (1.0, 1000.0, GAMMA):
        manual = np.log1p(gamma * S / S.max())          # what a learner writes
        np.testing.assert_array_equal(log_compress(S, gamma=gamma), manual)
    assert not np.any(log_compress(np.zeros((3, 4)), gamma=10.0))


def test_log_compress_does_not_depend_on_the_level():
    rng = np.random.default_rng(1)
    S = rng.random((8, 30))
    np.testing.assert_allclose(log_compress(S * 1e4), log_compress(S), rtol=1e-12)


def test_band_differences_rectify_and_keep_alignment():
    L = np.array([[0.0, 2.0, 1.0, 4.0, 4.0]])
    np.testing.assert_array_equal(band_differences(L, lag=1), [[0, 2, 0, 3, 0]])
    np.testing.assert_array_equal(band_differences(L, lag=2), [[0, 0, 1, 2, 3]])
    assert band_differences(L, lag=9).shape == L.shape


def test_sum_bands_plain_and_weighted():
    D = np.arange(12, dtype=float).reshape(3, 4)
    np.testing.assert_array_equal(sum_bands(D), D.sum(axis=0))
    np.testing.assert_allclose(sum_bands(D, weights=[1, 0, 2]), D[0] + 2 * D[2])
    with pytest.raises(ParameterError, match="one per band"):
        sum_bands(D, weights=[1, 2])


def test_low_band_weights_on_harmonix_bands():
    from helpers.data import HARMONIX_PARAMS

    f = HARMONIX_PARAMS.mel_frequencies_hz()
    w = low_band_weights(80, band_frequencies_hz=f, gain=4.0)
    assert LOW_BAND_CUTOFF_HZ == 250.0
    np.testing.assert_array_equal(np.flatnonzero(w == 4.0), np.arange(6))   # centres 41..246 Hz
    assert np.all(w[6:] == 1.0)


def test_balanced_weights_give_the_low_bands_the_asked_share():
    from helpers.data import HARMONIX_PARAMS

    f = HARMONIX_PARAMS.mel_frequencies_hz()
    low = f < LOW_BAND_CUTOFF_HZ
    rng = np.random.default_rng(0)
    D = rng.random((80, 500))
    D[low] *= 0.1                                       # a thin mix: little flux in the bass
    for share in (0.25, 0.5, 0.75):
        w = balanced_low_band_weights(D, band_frequencies_hz=f, share=share)
        weighted = w[:, None] * D
        assert weighted[low].sum() / weighted.sum() == pytest.approx(share)
        np.testing.assert_array_equal(w[~low], 1.0)
    louder = balanced_low_band_weights(D * 7.0, band_frequencies_hz=f)
    np.testing.assert_allclose(louder, balanced_low_band_weights(D, band_frequencies_hz=f))
    D[low] = 0.0                                        # no bass at all: plain weights
    np.testing.assert_array_equal(balanced_low_band_weights(D, band_frequencies_hz=f), 1.0)
    with pytest.raises(ParameterError, match="share"):
        balanced_low_band_weights(D, band_frequencies_hz=f, share=1.0)


def test_band_weighted_flux_prefers_low_band_onsets():
    # Two onsets of equal size, one in the bass bands and one in high bands.
    from helpers.data import HARMONIX_PARAMS

    S = np.full((80, 60), 1e-4)
    S[:6, 20:] = 1.0          # a bass note starts at frame 20
    S[40:46, 40:] = 1.0       # a high note starts at frame 40
    w = low_band_weights(80, band_frequencies_hz=HARMONIX_PARAMS.mel_frequencies_hz(), gain=4.0)
    plain = spectral_flux(S, sr=SR, hop_length=HOP).values
    weighted = spectral_flux(S, sr=SR, hop_length=HOP, band_weights=w).values
    assert plain[20] == pytest.approx(plain[40])
    assert weighted[20] == pytest.approx(4 * weighted[40])


def test_local_average_removes_slow_changes_but_keeps_onsets():
    x = np.linspace(0.0, 5.0, 200)          # slow crescendo
    x[100] += 3.0                            # one onset
    y = subtract_local_average(x, frame_rate_hz=FR, window_s=0.5)
    assert int(np.argmax(y)) == 100
    assert np.all(y >= 0)
    assert np.max(np.delete(y, 100)) < 0.5
    assert not np.any(subtract_local_average(np.full(50, 3.0), frame_rate_hz=FR, window_s=1.0))


def test_normalize_max():
    np.testing.assert_allclose(normalize_max(np.array([0.0, 2.0, 4.0])), [0, 0.5, 1])
    assert not np.any(normalize_max(np.zeros(3)))


def test_energy_novelty_misses_a_timbre_change_that_flux_sees():
    # Same total energy before and after frame 30, but the energy moves to other bands.
    S = np.full((20, 60), 1e-4)
    S[:10, :30] = 1.0
    S[10:, 30:] = 1.0
    S[:, 10] *= 3.0   # plus one louder frame, which both curves see
    energy = energy_novelty(S, sr=SR, hop_length=HOP).values
    flux = spectral_flux(S, sr=SR, hop_length=HOP).values
    assert energy[30] < 0.01 and energy[10] == pytest.approx(1.0)
    assert flux[30] > 0.5


def test_pick_onsets_finds_every_click_and_eighth_notes_are_onsets_not_beats():
    beats = np.arange(10, 600, 22)
    eighths = beats[:-1] + 11
    S = click_spectrogram(620, click_frames=beats).S
    S[:, eighths] = 0.3                       # softer off-beat eighth notes
    nov = spectral_flux(S, sr=SR, hop_length=HOP)
    onsets = pick_onsets(nov)
    expected = np.sort(np.concatenate([beats, eighths])) / FR
    np.testing.assert_allclose(onsets, expected)       # twice as many onsets as beats
    assert pick_onsets(nov, threshold=0.9).size == beats.size


def test_pick_onsets_on_silence():
    assert pick_onsets(Novelty(np.zeros(100), FR)).size == 0


# --------------------------------------------------------------------------- validation
@pytest.mark.parametrize(
    "S, match",
    [
        (np.ones(10), r"2-D.*np.newaxis"),
        (np.ones((2, 3, 4)), "2-D"),
        (-np.ones((4, 10)), "dB"),
        (np.full((4, 10), np.nan), "NaN"),
        (np.full((4, 10), np.inf), "NaN or infinite"),
        (np.ones((4, 0)), "no data"),
        (np.array([["a"]]), "numeric"),
    ],
)
def test_bad_spectrogram_is_refused_with_the_fix(S, match):
    with pytest.raises(ParameterError, match=match):
        spectral_flux(S, sr=SR, hop_length=HOP)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(sr=0, hop_length=HOP), "sr=0"),
        (dict(sr=-22050, hop_length=HOP), r"sr=-22050 must be a number of samples per second > 0"),
        (dict(sr=SR, hop_length=0), "hop_length=0"),
        (dict(sr=SR, hop_length=512.5), r"hop_length=512.5 must be a whole number of samples >= 1, not a float"),
        (dict(sr=SR, hop_length=True), "hop_length=True"),
        (dict(sr=SR), "required"),
        (dict(), "required"),
    ],
)
def test_bad_rate_is_refused(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        spectral_flux(np.ones((4, 10)), **kwargs)


def test_mel_params_instead_of_sr_and_hop():
    from helpers.data import HARMONIX_PARAMS

    S = click_spectrogram(30, click_frames=[5, 20]).S
    a = spectral_flux(S, mel_params=HARMONIX_PARAMS)
    b = spectral_flux(S, sr=SR, hop_length=HOP)
    np.testing.assert_array_equal(a.values, b.values)
    with pytest.raises(ParameterError, match="not both"):
        spectral_flux(S, sr=SR, hop_length=HOP, mel_params=HARMONIX_PARAMS)
    with pytest.raises(ParameterError, match="no .sr"):
        spectral_flux(S, mel_params="22050")


def test_novelty_is_validated_and_frozen():
    with pytest.raises(ParameterError, match="1-D"):
        Novelty(np.ones((2, 2)), FR)
    with pytest.raises(ParameterError, match="frame_rate_hz"):
        Novelty(np.ones(3), 0.0)
    with pytest.raises(ParameterError, match="NaN"):
        Novelty(np.array([1.0, np.nan]), FR)
    nov = Novelty(np.ones(3), FR)
    with pytest.raises(dataclasses.FrozenInstanceError):
        nov.frame_rate_hz = 10.0
    with pytest.raises(ValueError):
        nov.values[0] = 5.0
    assert Novelty.from_rate(np.ones(3), sr=SR, hop_length=HOP).frame_rate_hz == pytest.approx(FR)


@pytest.mark.parametrize("gamma", [0, -1, np.nan, "10"])
def test_bad_gamma(gamma):
    with pytest.raises(ParameterError, match="gamma"):
        log_compress(np.ones((2, 2)), gamma=gamma)


def test_bad_lag_and_window():
    with pytest.raises(ParameterError, match="lag"):
        band_differences(np.ones((2, 5)), lag=0)
    with pytest.raises(ParameterError, match="window_s"):
        subtract_local_average(np.ones(5), frame_rate_hz=FR, window_s=0)
    with pytest.raises(ParameterError, match="Novelty"):
        pick_onsets(np.ones(10))


# --------------------------------------------------------------------------- properties
# Power values are 0 or normal floats. A subnormal power (< 2.2e-308) is not a level a
# recording has, and it is where level-invariance fails by arithmetic, not by design:
# 5e-324 * 0.5 rounds to 0, so the scaled spectrogram really is another one.
power_values = st.one_of(st.just(0.0), st.floats(1e-30, 1e6, allow_nan=False, allow_infinity=False))
power_arrays = arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 120)), elements=power_values)


@settings(max_examples=60)
@given(S=power_arrays)
def test_flux_is_bounded_and_aligned_for_any_power_input(S):
    nov = spectral_flux(S, sr=SR, hop_length=HOP)
    assert nov.values.shape == (S.shape[1],)
    assert np.all(np.isfinite(nov.values))
    assert np.all(nov.values >= 0) and np.all(nov.values <= 1 + 1e-12)
    assert nov.values[0] == 0.0            # nothing to compare frame 0 with


@settings(max_examples=40)
@given(S=power_arrays, scale=st.floats(1e-3, 1e3))
def test_flux_does_not_depend_on_the_recording_level(S, scale):
    """Any level change of a spectrogram of 0s and normal floats leaves the flux unchanged (to 1e-9)."""
    a = spectral_flux(S, sr=SR, hop_length=HOP).values
    b = spectral_flux(S * scale, sr=SR, hop_length=HOP).values
    np.testing.assert_allclose(a, b, atol=1e-9)


def test_check_curve_is_the_one_check_of_a_curve():
    from helpers.novelty import check_curve

    np.testing.assert_array_equal(check_curve([0, 1, 2], name="x"), [0.0, 1.0, 2.0])
    with pytest.raises(ParameterError, match="local_score must be 1-D"):
        check_curve(np.ones((2, 2)), name="local_score")
    with pytest.raises(ParameterError, match="evidence has NaN"):
        check_curve([0.0, np.nan], name="evidence")
