"""The test data builders (tests/builders.py) put the clicks, bars and files where they say."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.data import HARMONIX_PARAMS, load_beats

from .builders import (
    BASS_BANDS,
    CHORD_LEVEL,
    CHORDS,
    DRUM_BANDS,
    FLOOR,
    HOP,
    SR,
    bars_spectrogram,
    beat_grid,
    click_spectrogram,
    write_beats,
)


def test_the_written_out_rate_is_the_harmonix_one():
    assert (SR, HOP) == (HARMONIX_PARAMS.sr, HARMONIX_PARAMS.hop_length)


def test_clicks_every_period_frames_sit_exactly_on_their_beats():
    S, frames, times = click_spectrogram(40, period_frames=11, decay=0.3)
    np.testing.assert_array_equal(frames, [3, 14, 25, 36])
    np.testing.assert_array_equal(times, frames * 1024 / 22050)
    assert S.shape == (80, 40) and S.dtype == np.float32
    assert np.all(S[:, frames] == 1.0) and np.all(S[:, frames + 1] == np.float32(0.3))
    rest = np.setdiff1d(np.arange(40), np.r_[frames, frames + 1])
    assert np.all(S[:, rest] == np.float32(FLOOR))
    # the last frame stays free for a decay: no click there
    assert click_spectrogram(37, period_frames=11).beat_frames.tolist() == [3, 14, 25]


def test_clicks_at_a_tempo_go_to_the_nearest_frame_and_keep_their_beat_times():
    S, frames, times = click_spectrogram(100, tempo_bpm=120.0, phase_s=0.5)
    np.testing.assert_allclose(times, 0.5 + 0.5 * np.arange(times.size))
    assert times[-1] < 99 * HOP / SR <= times[-1] + 0.5                 # stops before the last frame
    np.testing.assert_array_equal(frames, np.rint(times * SR / HOP))
    assert np.all(np.abs(frames * HOP / SR - times) <= 0.5 * HOP / SR)   # within half a frame
    assert np.array_equal(np.flatnonzero(S.max(axis=0) == 1.0), frames)


def test_beat_times_accents_floor_noise_and_dtype():
    S, frames, times = click_spectrogram(duration_s=2.0, beat_times_s=[0.1, 0.6, 1.1], level=(1.0, 0.5),
                                         floor=0.0, noise=1e-3, seed=4, n_mels=3, dtype=np.float64)
    assert S.shape == (3, int(2.0 * SR / HOP)) and S.dtype == np.float64
    np.testing.assert_array_equal(times, [0.1, 0.6, 1.1])
    np.testing.assert_array_equal(S[:, frames].max(axis=0) >= [1.0, 0.5, 1.0], True)      # accents cycle
    assert np.all(S[:, frames] < np.array([1.0, 0.5, 1.0]) + 1e-3)
    quiet = np.delete(S, frames, axis=1)
    assert 0 <= quiet.min() and quiet.max() < 1e-3 and np.ptp(quiet) > 0                   # the noise
    again = click_spectrogram(duration_s=2.0, beat_times_s=[0.1, 0.6, 1.1], level=(1.0, 0.5), floor=0.0,
                              noise=1e-3, seed=4, n_mels=3, dtype=np.float64).S
    np.testing.assert_array_equal(S, again)                                                 # seeded


@pytest.mark.parametrize("kwargs", [{}, {"tempo_bpm": 120.0, "click_frames": [1]}])
def test_exactly_one_way_to_place_the_beats(kwargs):
    with pytest.raises(TypeError, match="exactly one"):
        beat_grid(100, **kwargs)
    with pytest.raises(TypeError, match="n_frames or duration_s"):
        click_spectrogram(tempo_bpm=120.0)


def test_bars_have_their_positions_drums_bass_and_chords():
    S, frames, times, positions = bars_spectrogram(n_bars=2, tempo_bpm=120.0, meter=3, pickup=1)
    np.testing.assert_array_equal(positions, [3, 1, 2, 3, 1, 2, 3])
    np.testing.assert_allclose(times, 0.5 + 0.5 * np.arange(7))
    assert S.shape[1] == int(np.ceil((times[-1] + 1.0) * SR / HOP)) + 1      # two beats after the last
    assert np.all(S[DRUM_BANDS][:, frames] == 1.0)
    bass = S[BASS_BANDS].max(axis=0)
    np.testing.assert_array_equal(np.flatnonzero(bass == 1.0), frames[positions == 1])
    # the chord of each bar is held from its first beat to the next bar's, and changes on the one
    for k, (start, stop) in enumerate(zip(frames[positions == 1], [frames[4], S.shape[1]])):
        assert np.allclose(S[CHORDS[k], start:stop], FLOOR + CHORD_LEVEL)
    assert np.allclose(S[CHORDS[-1], frames[0]:frames[1]], FLOOR + CHORD_LEVEL)   # the pickup is bar -1


def test_bars_on_a_frame_grid_with_options_off():
    S, frames, _, positions = bars_spectrogram(60, period_frames=11, first_frame=5, bass_positions=(),
                                               chords=False, drums=False)
    np.testing.assert_array_equal(frames, [5, 16, 27, 38, 49])
    np.testing.assert_array_equal(positions, [1, 2, 3, 4, 1])
    assert np.all(S == np.float32(FLOOR))


def test_write_beats_numbers_the_bars(tmp_path):
    write_beats(tmp_path / "a.txt", [0.5, 1.0, 1.5, 2.0, 2.5])
    assert (tmp_path / "a.txt").read_text().splitlines()[-1] == "2.500000\t1\t2"
    write_beats(tmp_path / "b.txt", [0.5, 1.0, 1.5], positions=[4, 1, 2])           # a pickup: bar 1
    beats = load_beats(tmp_path / "b.txt")
    np.testing.assert_array_equal(beats.positions, [4, 1, 2])
    np.testing.assert_array_equal(beats.bar_numbers, [1, 2, 2])
