"""helpers.listen: mel inversion and click tracks, with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.data import HARMONIX_PARAMS as P
from helpers.errors import DataError, ParameterError
from helpers.listen import MAX_EXCERPT_S, click_track, excerpt_with_clicks, mel_to_audio, mix


@pytest.fixture(scope="module")
def sine_mel():
    """Mel power spectrogram of a 440 Hz sine (4 s), computed like the Harmonix files."""
    import librosa
    t = np.arange(4 * P.sr) / P.sr
    y = 0.5 * np.sin(2 * np.pi * 440.0 * t)
    return librosa.feature.melspectrogram(y=y, sr=P.sr, n_fft=P.n_fft, hop_length=P.hop_length, n_mels=P.n_mels, power=2.0)


def test_inversion_keeps_the_pitch(sine_mel):
    y = mel_to_audio(sine_mel, params=P, start_s=0.5, duration_s=2.0, n_iter=16)
    n_frames = int(P.time_to_frames(2.5)) - int(P.time_to_frames(0.5))
    assert y.shape == ((n_frames - 1) * P.hop_length,) and y.dtype == np.float32
    spectrum = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    peak_hz = np.argmax(spectrum) * P.sr / len(y)
    # One mel band around 440 Hz is ~30 Hz wide: the pitch comes back to within a band.
    assert abs(peak_hz - 440.0) < 30.0
    assert np.max(np.abs(y)) == pytest.approx(0.5)


def test_inversion_is_deterministic(sine_mel):
    a = mel_to_audio(sine_mel, params=P, duration_s=1.0, n_iter=4, seed=1)
    b = mel_to_audio(sine_mel, params=P, duration_s=1.0, n_iter=4, seed=1)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    ({"duration_s": MAX_EXCERPT_S + 1}, "quick"),
    ({"duration_s": 0}, "duration_s"),
    ({"start_s": -1}, "start_s"),
    ({"start_s": 100.0}, "past the end"),
])
def test_inversion_bounds(sine_mel, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        mel_to_audio(sine_mel, params=P, **kwargs)


def test_inversion_checks_the_spectrogram(sine_mel):
    with pytest.raises(DataError, match="transposed"):
        mel_to_audio(sine_mel.T.copy(), params=P, duration_s=1.0)


def test_clicks_sit_at_the_beats():
    sr, n = 22050, 22050 * 3
    clicks = click_track([0.5, 1.25, 2.0, 5.0], sr=sr, n_samples=n)
    assert clicks.shape == (n,)
    onsets = np.flatnonzero(np.abs(clicks) > 0.01)
    starts = onsets[np.concatenate([[True], np.diff(onsets) > 100])] / sr
    np.testing.assert_allclose(starts, [0.5, 1.25, 2.0], atol=0.002)


def test_clicks_relative_to_excerpt_start():
    clicks = click_track([10.5], sr=22050, n_samples=22050, start_s=10.0)
    assert np.flatnonzero(np.abs(clicks) > 0.01)[0] == pytest.approx(11025, abs=20)
    assert not click_track([1.0], sr=22050, n_samples=500, start_s=10.0).any()


def test_mix_normalises_and_checks_lengths():
    out = mix(np.ones(10), 2 * np.ones(10), gains=[1.0, 1.0])
    np.testing.assert_allclose(out, 0.9)
    with pytest.raises(ParameterError, match="equal lengths"):
        mix(np.ones(3), np.ones(4))


def test_excerpt_with_clicks_stereo(sine_mel):
    out = excerpt_with_clicks(sine_mel, [1.0, 1.5], params=P, start_s=0.0, duration_s=2.0,
                              right_beat_times_s=[1.2], n_iter=4)
    assert out.shape[0] == 2
    # The channels differ only where their clicks differ.
    assert not np.allclose(out[0], out[1])
