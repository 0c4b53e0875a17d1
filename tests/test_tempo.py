"""Tests of helpers.tempo: tempograms and the global tempo on click trains with known tempo."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.errors import ParameterError
from helpers.novelty import Novelty
from helpers.tempo import (
    BPM_STEPS_PER_OCTAVE,
    PRIOR_CENTER_BPM,
    PRIOR_WIDTH_OCTAVES,
    TempoEstimate,
    Tempogram,
    autocorrelation_tempogram,
    bpm_grid,
    bpm_to_period_s,
    estimate_tempo,
    fit_tempo_prior,
    fourier_tempogram,
    tempo_prior,
    tempo_salience,
)

from .builders import click_spectrogram
from .conftest import HARMONIX, requires_harmonix

SR, HOP = 22050, 1024
FR = SR / HOP


def click_novelty(bpm, *, duration_s=60.0, phase_s=0.3, accents=(1.0,)):
    """A novelty that is 0 except for a click (at the nearest frame) on every beat; accents cycle over
    the beats: tests.builders.click_spectrogram with one band and no floor."""
    S = click_spectrogram(duration_s=duration_s, tempo_bpm=bpm, phase_s=phase_s, level=accents, floor=0.0,
                          n_mels=1, dtype=np.float64).S
    return Novelty(S[0], FR)


def peak_bpm(tg: Tempogram, lo, hi):
    """Strongest tempo of the time-averaged tempogram between lo and hi BPM."""
    s = tg.values.mean(axis=1)
    sel = (tg.bpm >= lo) & (tg.bpm <= hi)
    return tg.bpm[sel][np.argmax(s[sel])], s[sel].max() / s.max()


# --------------------------------------------------------------------------- global tempo
@pytest.mark.parametrize("bpm", [62.0, 87.0, 100.0, 117.45, 120.0, 143.7, 175.0])
def test_tempo_of_a_click_train_within_2_percent(bpm):
    est = estimate_tempo(click_novelty(bpm))
    assert isinstance(est, TempoEstimate)
    assert est.tempo_bpm == pytest.approx(bpm, rel=0.02)


def test_very_fast_tempo_needs_a_wider_prior():
    # At 198 BPM (6.5 frames per beat) the clicks fall alternately 6 and 7 frames apart,
    # so the pattern also repeats at 99 BPM, where the Harmonix prior is 25x higher.
    nov = click_novelty(198.0)
    assert estimate_tempo(nov).tempo_bpm == pytest.approx(99.0, rel=0.06)   # about half
    assert estimate_tempo(nov, prior_width_octaves=np.inf).tempo_bpm == pytest.approx(198.0, rel=0.02)
    assert estimate_tempo(click_novelty(222.0), prior_width_octaves=np.inf).tempo_bpm == pytest.approx(222.0, rel=0.02)


@pytest.mark.parametrize("method", ["acf", "fourier", "product"])
def test_every_method_finds_a_plain_click_train(method):
    est = estimate_tempo(click_novelty(128.0), method=method)
    assert est.tempo_bpm == pytest.approx(128.0, rel=0.02 if method != "acf" else 0.05)


def test_the_prior_moves_the_octave_choice():
    # Strong-weak accents at 120 BPM: the music repeats at 120 and at 60 BPM.
    nov = click_novelty(120.0, accents=(1.0, 0.5))
    slow = estimate_tempo(nov, prior_center_bpm=60.0)
    fast = estimate_tempo(nov, prior_center_bpm=120.0)
    assert slow.tempo_bpm == pytest.approx(60.0, rel=0.02)
    assert fast.tempo_bpm == pytest.approx(120.0, rel=0.02)
    # The salience itself (no prior) shows both candidates: the ambiguity a notebook plots.
    assert fast.salience_at(60.0) > 0.2 and fast.salience_at(120.0) > 0.2
    np.testing.assert_allclose(fast.weighted, (fast.salience + 1e-3) * fast.prior)


def test_the_product_removes_the_double_tempo_of_the_fourier_tempogram():
    # A plain click train at 70 BPM: Fourier alone sees 140 as strongly as 70; with a
    # prior centred at 120, Fourier picks 140 but the product stays at 70.
    nov = click_novelty(70.0)
    assert estimate_tempo(nov, method="fourier").tempo_bpm == pytest.approx(140.0, rel=0.02)
    assert estimate_tempo(nov, method="product").tempo_bpm == pytest.approx(70.0, rel=0.02)


def test_tempo_of_silence_is_the_prior_centre():
    est = estimate_tempo(Novelty(np.zeros(500), FR))
    assert est.tempo_bpm == PRIOR_CENTER_BPM
    assert not np.any(est.salience)


def test_short_novelty_still_gives_a_tempo():
    est = estimate_tempo(click_novelty(120.0, duration_s=3.0))
    assert 30 <= est.tempo_bpm <= 300


# --------------------------------------------------------------------------- tempograms
def test_autocorrelation_sees_subharmonics_fourier_sees_harmonics():
    nov = click_novelty(120.0)
    acf = autocorrelation_tempogram(nov)
    fou = fourier_tempogram(nov)
    assert acf.kind == "autocorrelation" and fou.kind == "fourier"
    # Both peak at the tempo.
    assert peak_bpm(acf, 100, 140)[0] == pytest.approx(120, rel=0.03)
    assert peak_bpm(fou, 100, 140)[0] == pytest.approx(120, rel=0.02)
    # Autocorrelation: strong at half the tempo (lag 2P), nothing at double (lag P/2).
    assert peak_bpm(acf, 55, 65)[1] > 0.5
    assert peak_bpm(acf, 225, 255)[1] < 0.1
    # Fourier: strong at double the tempo, nothing at half.
    assert peak_bpm(fou, 225, 255)[1] > 0.5
    assert peak_bpm(fou, 55, 65)[1] < 0.1


def test_autocorrelation_tempogram_at_whole_frame_lags_is_np_correlate():
    # One analysis window, rows at whole-frame lags: compare with the formula by hand.
    rng = np.random.default_rng(3)
    n = 200
    nov = Novelty(rng.random(n), FR)
    lags = np.array([40, 25, 10, 7])                   # decreasing lag = increasing BPM
    tg = autocorrelation_tempogram(nov, window_s=n / FR, hop_s=1.0, bpm=60 * FR / lags)
    assert tg.values.shape == (4, 1)
    w = np.hanning(n + 2)[1:-1]
    x = (nov.values - nov.values.mean()) * w
    acf = np.correlate(x, x, "full")[n - 1 :]
    acf_w = np.correlate(w, w, "full")[n - 1 :]
    manual = np.clip(acf[lags] / (acf_w[lags] / acf_w[0]) / acf[0], 0, 1)
    np.testing.assert_allclose(tg.values[:, 0], manual, atol=1e-9)


def test_tempogram_axes_and_range():
    nov = click_novelty(100.0, duration_s=30.0)
    for tg in (autocorrelation_tempogram(nov, window_s=8.0, hop_s=0.5), fourier_tempogram(nov, window_s=8.0, hop_s=0.5)):
        assert tg.values.shape == (tg.bpm.size, tg.times_s.size)
        assert np.all(np.diff(tg.bpm) > 0) and np.all(np.diff(tg.times_s) > 0)
        assert tg.times_s[0] == pytest.approx(4.0, abs=0.1)          # centre of the first 8 s window
        np.testing.assert_allclose(np.diff(tg.times_s), 0.5, atol=0.03)
        assert np.all(tg.values >= 0) and np.all(tg.values <= 1 + 1e-9)
        assert tg.salience().max() == pytest.approx(1.0)


def test_tempogram_of_a_tempo_change_follows_it():
    a = click_novelty(90.0, duration_s=30.0).values
    b = click_novelty(150.0, duration_s=30.0).values
    tg = fourier_tempogram(Novelty(np.concatenate([a, b]), FR), window_s=8.0)
    first = tg.bpm[np.argmax(tg.values[:, tg.times_s < 20].mean(axis=1))]
    last = tg.bpm[np.argmax(tg.values[:, tg.times_s > 40].mean(axis=1))]
    assert first == pytest.approx(90, rel=0.03) and last == pytest.approx(150, rel=0.03)


def test_salience_methods():
    nov = click_novelty(120.0)
    for method in ("acf", "fourier", "product"):
        bpm, s = tempo_salience(nov, method=method)
        assert bpm.shape == s.shape and s.max() == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="method"):
        tempo_salience(nov, method="wavelet")


# --------------------------------------------------------------------------- prior, grid
def test_prior_values():
    bpm = np.array([55.0, 110.0, 220.0])
    p = tempo_prior(bpm, center_bpm=110.0, width_octaves=0.5)
    np.testing.assert_allclose(p, [np.exp(-2), 1.0, np.exp(-2)])
    np.testing.assert_array_equal(tempo_prior(bpm, width_octaves=np.inf), 1.0)
    with pytest.raises(ParameterError, match="width_octaves"):
        tempo_prior(bpm, width_octaves=0)
    with pytest.raises(ParameterError, match="center_bpm"):
        tempo_prior(bpm, center_bpm=-1)


def test_bpm_grid():
    g = bpm_grid(min_bpm=30, max_bpm=240)
    assert g[0] == 30 and g[-1] == pytest.approx(240)
    assert g.size == 3 * BPM_STEPS_PER_OCTAVE + 1
    np.testing.assert_allclose(np.diff(np.log2(g)), 1 / BPM_STEPS_PER_OCTAVE)
    with pytest.raises(ParameterError):
        bpm_grid(min_bpm=200, max_bpm=100)
    assert bpm_to_period_s(120.0) == 0.5
    with pytest.raises(ParameterError, match="tempo_bpm"):
        bpm_to_period_s(0)


def test_bad_inputs():
    with pytest.raises(ParameterError, match="Novelty"):
        estimate_tempo(np.ones(100))
    with pytest.raises(ParameterError, match="too short"):
        estimate_tempo(Novelty(np.ones(2), FR))
    with pytest.raises(ParameterError, match="window_s"):
        fourier_tempogram(click_novelty(100), window_s=-1)
    with pytest.raises(ParameterError, match="bpm"):
        autocorrelation_tempogram(click_novelty(100), bpm=[120, 60])


# --------------------------------------------------------------------------- properties
@settings(max_examples=25, deadline=None)
@given(bpm=st.floats(60, 190), phase_s=st.floats(0, 1.5))
def test_tempo_is_found_for_any_tempo_and_phase(bpm, phase_s):
    # Plain click trains between 60 and 190 BPM: within 2 % (no octave error).
    est = estimate_tempo(click_novelty(bpm, duration_s=40.0, phase_s=phase_s))
    assert est.tempo_bpm == pytest.approx(bpm, rel=0.02)


# --------------------------------------------------------------------------- the prior's constants
def test_fit_tempo_prior_known_answers():
    c, w = fit_tempo_prior([60.0, 120.0, 240.0])
    assert c == pytest.approx(120.0) and w == pytest.approx(np.sqrt(2 / 3))
    c, w = fit_tempo_prior([100.0, 100.0, 200.0, 200.0])      # log2 mean log2(100) + 0.5, std 0.5
    assert c == pytest.approx(100 * np.sqrt(2)) and w == pytest.approx(0.5)
    # The fitted prior is the log-normal density's shape: 1 at the centre, exp(-1/2) one width away.
    np.testing.assert_allclose(tempo_prior([c, c * 2**w], center_bpm=c, width_octaves=w), [1.0, np.exp(-0.5)])


@pytest.mark.parametrize("tempi, match", [([120.0], "at least 2"), ([120.0, -60.0], "positive"),
                                          ([120.0, np.nan], "positive"), ([90.0, 90.0], "all equal")])
def test_fit_tempo_prior_refuses_bad_input(tempi, match):
    with pytest.raises(ParameterError, match=match):
        fit_tempo_prior(tempi)


@requires_harmonix
def test_prior_constants_are_the_fit_to_the_harmonix_dev_annotations():
    # The prior is a choice: it is fitted to the DEV split only (no test track), to the tempo
    # of each beat annotation (what the scores use), and rounded to 113 BPM / 0.32 octave.
    from helpers.data import load_beats, load_metadata
    from helpers.evaluate import reference_tempo_bpm
    from helpers.splits import HARMONIX_COUNTS, select_split

    root = HARMONIX / "dataset"
    dev = select_split(sorted(load_metadata(root / "metadata.csv")), "dev")
    assert len(dev) == HARMONIX_COUNTS["dev"]
    tempi = [reference_tempo_bpm(load_beats(root / "beats_and_downbeats" / f"{t}.txt")) for t in dev]
    center_bpm, width_octaves = fit_tempo_prior(tempi)
    assert round(center_bpm) == PRIOR_CENTER_BPM
    assert round(width_octaves, 2) == PRIOR_WIDTH_OCTAVES


def test_the_prior_decides_the_octave_of_a_two_level_novelty():
    # Constructed novelty with a known answer: clicks at 140 BPM, every other one at 0.3, so
    # the curve repeats at 70 and at 140 BPM about equally (salience > 0.9 at both). Then the
    # prior decides: the default (113 BPM, 0.32 octave) has prior(140) = 0.63 and
    # prior(70) = 0.10, so 140; a prior centred at 70 says 70.
    nov = click_novelty(140.0, accents=(1.0, 0.3))
    est = estimate_tempo(nov)
    assert est.salience_at(70.0) > 0.9 and est.salience_at(140.0) > 0.9
    np.testing.assert_allclose(tempo_prior([140.0, 70.0]), [0.63, 0.10], atol=0.01)
    assert est.tempo_bpm == pytest.approx(140.0, rel=0.02)
    assert estimate_tempo(nov, prior_center_bpm=70.0).tempo_bpm == pytest.approx(70.0, rel=0.02)
