"""Tests of helpers.baseline (librosa's tracker on our mel-spectrograms).

Only one test calls librosa's beat tracker (its numba compilation takes 20-50 s when
the cache is cold); the input checks run before librosa is imported.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from helpers.baseline import librosa_beats, librosa_onset_strength, librosa_tempo_bpm
from helpers.errors import ParameterError

from .builders import click_spectrogram

SR, HOP = 22050, 1024
FRAME_S = HOP / SR


@pytest.mark.parametrize(
    "S, kwargs, match",
    [
        (np.ones(50), dict(sr=SR, hop_length=HOP), "2-D"),
        (-np.ones((80, 50)), dict(sr=SR, hop_length=HOP), "dB"),
        (np.ones((80, 50)), dict(sr=0, hop_length=HOP), "sr=0"),
        (np.ones((80, 50)), dict(sr=SR, hop_length=0), "hop_length=0"),
    ],
)
@pytest.mark.parametrize("func", [librosa_beats, librosa_onset_strength, librosa_tempo_bpm])
def test_bad_input_is_refused_before_librosa_is_needed(func, S, kwargs, match):
    with pytest.raises(ParameterError, match=match):
        func(S, **kwargs)


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        librosa_beats(np.ones((80, 50)), SR, HOP)


def test_importing_the_module_does_not_import_librosa():
    import subprocess

    code = "import sys, helpers.baseline, helpers.beat; print('librosa' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.slow
def test_librosa_tracks_a_click_train_in_seconds_with_the_data_hop(monkeypatch):
    """The one librosa test: beats in seconds at hop 1024 (not librosa's default 512),
    and the tempo from librosa.feature.tempo, not the removed librosa.beat.tempo."""
    import librosa
    monkeypatch.delattr(librosa.beat, "tempo", raising=False)     # gone in librosa 1.0
    bpm = 120.0
    n_frames = 900
    S, _, beat_times = click_spectrogram(n_frames, tempo_bpm=bpm, phase_s=2.0, end_s=(n_frames - 1) * FRAME_S - 1)
    beats = librosa_beats(S, sr=SR, hop_length=HOP)
    assert beats.dtype == float and np.all(np.diff(beats) > 0)
    assert np.median(np.diff(beats)) == pytest.approx(60.0 / bpm, abs=FRAME_S)
    # librosa's onset envelope lags one frame (46 ms) behind the clicks: it pads by
    # lag + n_fft // (2 * hop_length) = 2 frames; the course's tracker does not.
    click_s = np.round(beat_times / FRAME_S) * FRAME_S
    d = beats[:, None] - click_s[None, :]
    offset = d[np.arange(beats.size), np.abs(d).argmin(axis=1)]
    assert np.median(offset) == pytest.approx(FRAME_S, abs=0.1 * FRAME_S)
    assert np.flatnonzero(librosa_onset_strength(S, sr=SR, hop_length=HOP) > 0.5)[0] == np.round(beat_times[0] / FRAME_S) + 1
    assert librosa_tempo_bpm(S, sr=SR, hop_length=HOP) == pytest.approx(bpm, rel=0.03)
    assert librosa_onset_strength(S, sr=SR, hop_length=HOP).shape == (n_frames,)


@pytest.mark.slow
def test_the_aligned_baseline_puts_its_beats_on_the_clicks():
    """librosa without the lag (onset_strength(center=False)): beats within +-10 ms of the clicks."""
    from helpers.baseline import librosa_aligned_beats

    n_frames = 900
    for bpm in (96.0, 120.0, 143.0):
        S, click_frames, _ = click_spectrogram(n_frames, tempo_bpm=bpm, phase_s=2.0, end_s=(n_frames - 1) * FRAME_S - 1)
        click_s = click_frames * FRAME_S
        beats = librosa_aligned_beats(S, sr=SR, hop_length=HOP)
        assert beats.size >= 0.9 * click_s.size
        err = np.abs(beats[:, None] - click_s[None, :]).min(axis=1)
        assert np.all(err <= 0.010), (bpm, err.max())
        stock = librosa_beats(S, sr=SR, hop_length=HOP)
        lag = stock[:, None] - click_s[None, :]
        signed = lag[np.arange(stock.size), np.abs(lag).argmin(axis=1)]
        assert np.median(signed) == pytest.approx(FRAME_S, abs=0.002)   # the stock one: one frame late


def test_center_must_be_a_bool():
    with pytest.raises(ParameterError, match="center"):
        librosa_onset_strength(np.ones((80, 50)), sr=SR, hop_length=HOP, center="no")
