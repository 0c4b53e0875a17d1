"""Tests of helpers.synth: the generated demo data set has exact, known answers.

The full set is generated once per module (``demo`` fixture); the tests that
regenerate use a few tracks only. Each layer of the renderer (grid, drums, bass,
harmony, break, noise) is checked on its own against what it planned.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import synth
from helpers.data import HARMONIX_PARAMS, Dataset
from helpers.errors import ParameterError
from helpers.synth import (
    DEMO_SEED,
    DEMO_TRACKS,
    DESIGNED_FOR,
    METADATA_COLUMNS,
    demo_track,
    generate_demo,
    melspec_params,
    render_track,
    track_melspec,
)
from helpers.synth import writer
from helpers.synth.grid import TimeMap, plan_grid
from helpers.synth.render import (
    Performance,
    add_riser,
    background_noise,
    bass_notes,
    break_arpeggio,
    chord_plan,
    drum_hits,
    harmony_notes,
)
from helpers.synth.sound import DRUM_LEVEL, SR as SYNTH_SR, drum_sound, midi_hz, mix_hits, mix_notes
from helpers.synth.styles import STYLES, Arrangement

from .conftest import HARMONIX

SR, HOP, N_MELS = 22050, 1024, 80        # the Harmonix parameters, written out on purpose


# ---------------------------------------------------------------------------------------
# Fixtures and small helpers
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The full demo set, generated once; returns its root. (How long generating it takes is
    measured by benchmarks/bench_synth.py, not asserted here.)"""
    root = tmp_path_factory.mktemp("full") / "demo"
    out = generate_demo(root, progress=False)
    assert out == root.absolute()
    return root


def n_samples(spec) -> int:
    return int(round(spec.duration_s * SR))


def load_beat_file(root: Path, track_id: str) -> np.ndarray:
    return np.loadtxt(root / "dataset" / "beats_and_downbeats" / f"{track_id}.txt", ndmin=2)


def load_mel(root: Path, track_id: str) -> np.ndarray:
    return np.load(root / "melspecs" / f"{track_id}-mel.npy")


def sha256_tree(root: Path, pattern: str) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.glob(pattern))
        if p.is_file()
    }


def log_flux(S: np.ndarray) -> np.ndarray:
    """Half-wave rectified spectral flux of the dB mel spectrogram, one value per frame."""
    L = 10 * np.log10(np.maximum(S, 1e-10))
    L = np.maximum(L, L.max() - 80)
    flux = np.zeros(S.shape[1])
    flux[1:] = np.maximum(0.0, np.diff(L, axis=1)).sum(axis=0)
    return flux


def frames(times_s) -> np.ndarray:
    return np.rint(np.asarray(times_s) * SR / HOP).astype(int)


def window_max(x: np.ndarray, centres: np.ndarray, half: int = 1) -> np.ndarray:
    return np.array([x[max(c - half, 0) : c + half + 1].max() for c in centres])


# ---------------------------------------------------------------------------------------
# The track list
# ---------------------------------------------------------------------------------------


def test_track_list_covers_the_design():
    ids = [t.track_id for t in DEMO_TRACKS]
    assert len(ids) == 26 and len(set(ids)) == 26
    assert ids == sorted(ids)
    for number, spec in enumerate(DEMO_TRACKS, start=1):
        assert spec.number == number
        assert re.fullmatch(r"d\d\d_[a-z0-9]+_[a-z0-9]+", spec.track_id), spec.track_id
        assert spec.track_id.startswith(f"d{number:02d}_")
        assert 30 <= spec.duration_s <= 90
        assert spec.genre and spec.title and spec.description
    tempi = [t.tempo_bpm for t in DEMO_TRACKS]
    assert min(tempi) <= 65 and max(tempi) >= 190
    assert {t.meter for t in DEMO_TRACKS} == {3, 4, 6}
    assert {t.time_signature for t in DEMO_TRACKS} == {"4|4", "3|4", "6|8"}
    assert {t.designed_for for t in DEMO_TRACKS} == set(DESIGNED_FOR)
    features = {f for t in DEMO_TRACKS for f in t.features}
    for needed in ("swing", "syncopation", "tempo-drift", "tempo-step", "no-drum-intro", "break",
                   "noise", "offbeat-accents", "fast-hats", "sparse", "triple-meter", "compound-meter",
                   "pickup", "drum-fills"):
        assert needed in features, needed
    assert sum(t.tempo_change == "drift" for t in DEMO_TRACKS) == 1
    assert sum(t.tempo_change == "step" for t in DEMO_TRACKS) == 1


@pytest.mark.parametrize("module", ["", ".grid", ".render", ".melspec", ".writer"])
def test_docstring_examples_run(module):
    import doctest
    import importlib

    mod = importlib.import_module("helpers.synth" + module)
    failures, tried = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert tried >= 1 and failures == 0


def test_demo_track_lookup():
    assert demo_track("d01_pop_120") is DEMO_TRACKS[0]
    with pytest.raises(ParameterError, match="d01_pop_120"):
        demo_track("d01_pop")


def test_spec_validation():
    with pytest.raises(ParameterError, match="meter"):
        synth.DemoTrack(99, "x", "x", "Pop", "pop", 120.0, 5, "5|4", 40.0, "correct", "x")
    with pytest.raises(ParameterError, match="designed_for"):
        synth.DemoTrack(99, "x", "x", "Pop", "pop", 120.0, 4, "4|4", 40.0, "perfect", "x")
    with pytest.raises(ParameterError, match="tempo_end_bpm"):
        synth.DemoTrack(99, "x", "x", "Pop", "pop", 120.0, 4, "4|4", 40.0, "correct", "x",
                        tempo_change="drift")
    for bad in (3, -1, 1.0, True):
        with pytest.raises(ParameterError, match="pickup_beats"):
            synth.DemoTrack(99, "x", "x", "Pop", "pop", 120.0, 3, "3|4", 40.0, "correct", "x", pickup_beats=bad)


# ---------------------------------------------------------------------------------------
# Mel-spectrograms and info.json
# ---------------------------------------------------------------------------------------


def test_melspecs_have_harmonix_shape_and_values(demo):
    root = demo
    files = sorted((root / "melspecs").glob("*-mel.npy"))
    assert [f.name for f in files] == [f"{t.track_id}-mel.npy" for t in DEMO_TRACKS]
    for spec in DEMO_TRACKS:
        S = load_mel(root, spec.track_id)
        assert S.dtype == np.float32
        # librosa center=True: 1 + floor(n_samples / hop) frames (hop 512 would double it)
        assert S.shape == (N_MELS, 1 + n_samples(spec) // HOP), spec.track_id
        assert np.all(np.isfinite(S)) and S.min() >= 0.0
        assert S.max() > 1.0          # power, not dB in [-80, 0], not normalised to tiny values


def test_info_json_has_harmonix_parameters(demo):
    root = demo
    info = json.loads((root / "melspecs" / "info.json").read_text())
    assert {k: info[k] for k in ("SR", "N_MELS", "N_FFT", "HOP_LENGTH", "MEL_FMIN", "MEL_FMAX")} == {
        "SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": 1024, "MEL_FMIN": 0, "MEL_FMAX": None,
    }
    assert info["generator"] == "helpers.synth" and info["seed"] == DEMO_SEED
    assert info["POWER"] == 2.0 and info["CENTER"] is True and info["PAD_MODE"] == "constant"
    import librosa

    assert info["librosa_version"] == librosa.__version__ and info["numpy_version"] == np.__version__


def test_melspec_is_librosa_with_explicit_harmonix_parameters(demo):
    """The file equals an independent librosa call on the rendered audio, bit for bit."""
    import librosa

    root = demo
    track = render_track(demo_track("d02_drums_100"))
    S = librosa.feature.melspectrogram(
        y=track.audio, sr=22050, n_fft=2048, hop_length=1024, window="hann", center=True,
        pad_mode="constant", power=2.0, n_mels=80, fmin=0.0, fmax=None,
    )
    np.testing.assert_array_equal(load_mel(root, "d02_drums_100"), S.astype(np.float32))


def test_pad_mode_is_librosa_default():
    """info.json records pad_mode "constant": check that it is what librosa itself uses."""
    import inspect

    import librosa

    default = inspect.signature(librosa.feature.melspectrogram).parameters["pad_mode"].default
    assert synth.MEL_KWARGS["pad_mode"] == default == "constant"


# ---------------------------------------------------------------------------------------
# Determinism
# ---------------------------------------------------------------------------------------


def test_same_seed_gives_bit_identical_files(demo, tmp_path):
    root = demo
    a = generate_demo(tmp_path / "a", n_tracks=3, progress=False)
    b = generate_demo(tmp_path / "b", n_tracks=3, progress=False)
    ha, hb = sha256_tree(a, "**/*"), sha256_tree(b, "**/*")
    assert len(ha) == 3 * 3 + 3 and ha == hb      # 3 tracks x 3 files, metadata, info, marker
    # each track is the same whatever n_tracks is: compare with the full set
    full = sha256_tree(root, "**/d0[123]_*")
    assert full == {k: v for k, v in ha.items() if "d0" in k}


def test_other_seed_changes_audio_not_annotations(demo, tmp_path):
    root = demo
    other = generate_demo(tmp_path / "s1", seed=1, n_tracks=1, progress=False)
    tid = DEMO_TRACKS[0].track_id
    S0, S1 = load_mel(root, tid), load_mel(other, tid)
    assert S0.shape == S1.shape and not np.array_equal(S0, S1)
    beats = f"dataset/beats_and_downbeats/{tid}.txt"
    assert (root / beats).read_bytes() == (other / beats).read_bytes()
    a0 = render_track(DEMO_TRACKS[0]).audio
    a1 = render_track(DEMO_TRACKS[0], seed=1).audio
    assert a0.shape == a1.shape and np.abs(a0 - a1).max() > 0.01


def test_render_track_is_deterministic():
    spec = demo_track("d21_noisy_96")        # uses the most random numbers
    a, b = render_track(spec), render_track(spec)
    assert a.audio.tobytes() == b.audio.tobytes()


# ---------------------------------------------------------------------------------------
# Beat annotations
# ---------------------------------------------------------------------------------------


def test_beat_files_are_harmonix_format(demo):
    root = demo
    line_re = re.compile(r"\d+\.\d{6}\t[1-9]\d*\t[1-9]\d*")
    for spec in DEMO_TRACKS:
        path = root / "dataset" / "beats_and_downbeats" / f"{spec.track_id}.txt"
        lines = path.read_text().splitlines()
        assert all(line_re.fullmatch(line) for line in lines), spec.track_id
        b = load_beat_file(root, spec.track_id)
        times, pos, bar = b[:, 0], b[:, 1].astype(int), b[:, 2].astype(int)
        assert b.shape[1] == 3
        assert np.all(np.diff(times) > 0)
        assert times[0] == pytest.approx(spec.first_beat_s, abs=1e-6)
        assert 0 < times[0] and times[-1] < spec.duration_s - 1.0
        k = np.arange(len(times)) - spec.pickup_beats                # 0 at the first downbeat
        np.testing.assert_array_equal(pos, k % spec.meter + 1)      # cycles 1..meter
        first_bar = 2 if spec.pickup_beats else 1                    # a pickup is bar 1
        np.testing.assert_array_equal(bar, k // spec.meter + first_bar)
        assert pos[-1] == 1                                          # ends on a downbeat
        # every bar but a pickup starts with a downbeat at position 1
        first_of_bar = np.r_[spec.pickup_beats == 0, np.diff(bar) > 0]
        assert np.all(pos[first_of_bar] == 1)


def test_a_pickup_is_the_end_of_bar_1(demo):
    """d25: one pickup beat, annotated position 4 of bar 1; the first downbeat opens bar 2."""
    root = demo
    spec = demo_track("d25_pickup_108")
    assert spec.pickup_beats == 1 and spec.meter == 4
    lines = (root / "dataset" / "beats_and_downbeats" / f"{spec.track_id}.txt").read_text().splitlines()
    beat_s = 60.0 / spec.tempo_bpm
    assert lines[0] == f"{spec.first_beat_s:.6f}\t4\t1"
    assert lines[1] == f"{spec.first_beat_s + beat_s:.6f}\t1\t2"
    assert lines[2].endswith("\t2\t2") and lines[4].endswith("\t4\t2") and lines[5].endswith("\t1\t3")
    track = render_track(spec)
    # the pickup is played: a snare on the pickup beat and on its "and", a bass lead-in
    for t in (spec.first_beat_s, spec.first_beat_s + beat_s / 2):
        assert np.isclose(track.onsets_s["snare"], t, rtol=0, atol=1e-9).any()
    assert track.onsets_s["bass"][0] == pytest.approx(spec.first_beat_s, abs=1e-9)
    # ... and the first kick is on the first downbeat, not before
    assert track.onsets_s["kick"][0] == pytest.approx(track.beat_times_s[1], abs=1e-9)


def test_steady_tracks_have_the_declared_tempo(demo):
    root = demo
    for spec in DEMO_TRACKS:
        if spec.tempo_change != "steady":
            continue
        ibi = np.diff(load_beat_file(root, spec.track_id)[:, 0])
        # each time is rounded to 6 decimals, so an interval is off by at most 1e-6
        np.testing.assert_allclose(ibi, 60.0 / spec.tempo_bpm, rtol=0, atol=1e-6 + 1e-9,
                                   err_msg=spec.track_id)


def test_drift_follows_the_closed_form_tempo_curve(demo):
    """Tempo linear in the beat index: t(k) = t0 + 60/s * ln(1 + s k / b0), s = (b1 - b0) / N."""
    root = demo
    spec = next(t for t in DEMO_TRACKS if t.tempo_change == "drift")
    times = load_beat_file(root, spec.track_id)[:, 0]
    n = len(times) - 1
    b0, b1 = spec.tempo_bpm, spec.tempo_end_bpm
    s = (b1 - b0) / n
    expected = spec.first_beat_s + 60.0 / s * np.log1p(s * np.arange(n + 1) / b0)
    np.testing.assert_allclose(times, expected, rtol=0, atol=5e-7 + 1e-9)
    local_bpm = 60.0 / np.diff(times)
    assert np.all(np.diff(local_bpm) > 0)                         # accelerates throughout
    assert local_bpm[0] == pytest.approx(b0, abs=0.5) and local_bpm[-1] == pytest.approx(b1, abs=0.5)


def test_step_changes_tempo_at_the_declared_bar(demo):
    root = demo
    spec = next(t for t in DEMO_TRACKS if t.tempo_change == "step")
    b = load_beat_file(root, spec.track_id)
    ibi = np.diff(b[:, 0])
    k = (spec.change_bar - 1) * spec.meter           # index of the first beat at the new tempo
    assert b[k, 1] == 1 and b[k, 2] == spec.change_bar
    np.testing.assert_allclose(ibi[:k], 60.0 / spec.tempo_bpm, atol=1e-6 + 1e-9)
    np.testing.assert_allclose(ibi[k:], 60.0 / spec.tempo_end_bpm, atol=1e-6 + 1e-9)


def test_annotations_are_the_rendered_beat_times():
    """The beats are where the renderer put the hits: d02's kicks on 1 and 3 are beats exactly."""
    track = render_track(demo_track("d02_drums_100"))
    expected = 0.5 + 0.6 * np.arange(track.beat_times_s.size)
    np.testing.assert_allclose(track.beat_times_s, expected, rtol=0, atol=1e-12)
    on_1_and_3 = track.beat_times_s[np.isin(track.beat_positions, (1, 3))]
    assert set(on_1_and_3) <= set(track.onsets_s["kick"])                 # exact equality
    on_2_and_4 = track.beat_times_s[np.isin(track.beat_positions, (2, 4))]
    assert set(on_2_and_4) <= set(track.onsets_s["snare"])


def test_swing_delays_the_second_sixteenth():
    spec = demo_track("d05_hiphop_90")
    track = render_track(spec)
    beat_s = 60.0 / spec.tempo_bpm
    hats = track.onsets_s["hat"]
    within = np.round((hats - spec.first_beat_s) / beat_s % 1.0, 6) % 1.0
    # straight sixteenths would be {0, .25, .5, .75}; swing 0.62 moves .25 -> .31, .75 -> .81
    assert set(np.unique(within)) == {0.0, 0.31, 0.5, 0.81}


@settings(max_examples=60, deadline=None)
@given(
    b0=st.floats(40, 300), b1=st.floats(40, 300), n_beats=st.integers(4, 400),
    first_s=st.floats(0, 5),
)
def test_time_map_is_monotonic_with_bounded_intervals(b0, b1, n_beats, first_s):
    tmap = TimeMap(first_s, [(n_beats, b0, b1)])
    t = tmap(np.arange(n_beats + 1.0))
    ibi = np.diff(t)
    assert t[0] == pytest.approx(first_s)
    assert np.all(ibi > 0)
    lo, hi = sorted((60.0 / b0, 60.0 / b1))
    assert np.all(ibi >= lo * (1 - 1e-9)) and np.all(ibi <= hi * (1 + 1e-9))
    # a pickup (phi < 0) continues at the first tempo
    np.testing.assert_allclose(tmap(np.array([-2.0, -1.0])), first_s - np.array([2, 1]) * 60.0 / b0)


# ---------------------------------------------------------------------------------------
# The spectral content is where the renderer put it
# ---------------------------------------------------------------------------------------


def test_flux_peaks_at_the_beats_of_the_drum_track(demo):
    root = demo
    spec = demo_track("d02_drums_100")
    flux = log_flux(load_mel(root, spec.track_id))
    beats_s = load_beat_file(root, spec.track_id)[:, 0]
    threshold = 0.25 * np.percentile(flux, 95)
    at_beats = window_max(flux, frames(beats_s))                 # +-1 frame
    assert np.all(at_beats > threshold)
    # ... and each is a local peak: larger than the flux 3 frames before and after
    f = frames(beats_s[1:-1])
    assert np.all(at_beats[1:-1] > np.maximum(flux[f - 3], flux[f + 3]))
    # control: a sixteenth note after each beat nothing is played, so no peak there
    sixteenth = frames(beats_s[:-1] + 0.25 * 60.0 / spec.tempo_bpm)
    assert np.mean(window_max(flux, sixteenth) > threshold) < 0.1


def test_low_band_energy_rises_at_kicks_and_high_band_at_hats(demo):
    root = demo
    spec = demo_track("d02_drums_100")
    S = load_mel(root, spec.track_id)
    track = render_track(spec)
    low_db = 10 * np.log10(S[:4].mean(axis=0) + 1e-10)          # below ~170 Hz
    high_db = 10 * np.log10(S[-12:].mean(axis=0) + 1e-10)       # above ~6.5 kHz
    kick_s = track.onsets_s["kick"]
    isolated = kick_s[np.r_[True, np.diff(kick_s) > 0.4]]      # not in the tail of another kick
    kicks = frames(isolated)
    kicks = kicks[(kicks >= 1) & (kicks < S.shape[1] - 1)]
    assert kicks.size > 20
    assert np.all(low_db[kicks + 1] - low_db[kicks - 1] > 6.0)
    hats = frames(track.onsets_s["hat"])
    hats = hats[(hats >= 1) & (hats < S.shape[1] - 1)]
    assert np.mean(window_max(high_db, hats) - high_db[hats - 1]) > 3.0
    # between the hits of the last bar and the end, the kick band has decayed by > 20 dB
    assert low_db[-3:].max() < low_db.max() - 20


@pytest.mark.parametrize("track_id", ["d13_reggae_76", "d14_ska_120"])
def test_offbeat_tracks_have_stronger_onsets_off_the_beat(demo, track_id):
    root = demo
    flux = log_flux(load_mel(root, track_id))
    beats_s = load_beat_file(root, track_id)[:, 0]
    off_s = (beats_s[:-1] + beats_s[1:]) / 2
    assert window_max(flux, frames(off_s)).mean() > 1.3 * window_max(flux, frames(beats_s[:-1])).mean()


def test_intro_without_drums_is_quiet_in_flux(demo):
    root = demo
    spec = demo_track("d18_intro_110")
    flux = log_flux(load_mel(root, spec.track_id))
    b = load_beat_file(root, spec.track_id)
    band_in = b[b[:, 2] == spec.intro_bars_without_drums + 1, 0][0]     # first downbeat with drums
    split = frames([band_in])[0]
    assert flux[5 : split - 1].mean() < 0.25 * flux[split:].mean()


def test_fills_push_the_loudest_hits_before_the_downbeat(demo):
    """d26: each 4-bar phrase ends with kick + crash on the "and" of 4, and the next downbeat has no kick."""
    root = demo
    spec = demo_track("d26_fills_118")
    track = render_track(spec)
    beat_s = 60.0 / spec.tempo_bpm
    downbeats = track.beat_times_s[track.beat_positions == 1]          # bar 1 .. final downbeat
    phrase_starts = downbeats[4:-1:4]                                  # bars 5, 9, 13
    assert phrase_starts.size == 3
    pushes = phrase_starts - beat_s / 2
    kicks, crashes = track.onsets_s["kick"], track.onsets_s["crash"]
    for t in pushes:
        assert np.isclose(kicks, t, rtol=0, atol=1e-9).any() and np.isclose(crashes, t, rtol=0, atol=1e-9).any()
    for t in phrase_starts:
        assert not np.isclose(kicks, t, rtol=0, atol=1e-3).any()     # pushed: no kick on the downbeat
    inside = np.setdiff1d(np.arange(1, downbeats.size - 1), np.arange(4, downbeats.size - 1, 4))
    assert all(np.isclose(kicks, downbeats[b], rtol=0, atol=1e-9).any() for b in inside)
    # in the mel-spectrogram, the push is a stronger onset than the downbeat after it
    flux = log_flux(load_mel(root, spec.track_id))
    assert np.all(window_max(flux, frames(pushes)) > window_max(flux, frames(phrase_starts)))


# ---------------------------------------------------------------------------------------
# The layers, each on its own: the grid, drums, bass, harmony, break and noise
# ---------------------------------------------------------------------------------------


def test_grid_puts_beats_at_the_planned_times():
    spec = demo_track("d01_pop_120")                  # 120 BPM from 0.5 s, 45 s of audio
    g = plan_grid(spec)
    n_bars = int((45.0 - 0.5 - 2.0) // 2.0)          # 2 s bars before the 2 s ring-out
    assert g.n_bars == n_bars == 21 and g.pickup_beats == 0
    k = np.arange(4 * n_bars + 1)
    np.testing.assert_allclose(g.beat_times_s, 0.5 + 0.5 * k, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(g.beat_positions, k % 4 + 1)
    np.testing.assert_array_equal(g.bar_numbers, k // 4 + 1)
    assert g.band_bars.all() and g.end_phi == 4 * n_bars


def test_grid_with_pickup_intro_and_break():
    spec = synth.DemoTrack(99, "d99_x_90", "x", "Pop", "pop", 90.0, 3, "3|4", 40.0, "correct", "x",
                           first_beat_s=1.0, pickup_beats=2, intro_bars_without_drums=2, break_bars=(5, 2))
    g = plan_grid(spec)
    beat_s = 60.0 / 90.0
    assert g.n_bars == int((40.0 - (1.0 + 2 * beat_s) - 2.0) // (3 * beat_s)) == 17
    np.testing.assert_allclose(g.beat_times_s, 1.0 + beat_s * np.arange(2 + 3 * 17 + 1), rtol=0, atol=1e-12)
    assert g.beat_positions[:7].tolist() == [2, 3, 1, 2, 3, 1, 2]
    assert g.bar_numbers[:7].tolist() == [1, 1, 2, 2, 2, 3, 3]
    assert g.bar_numbers[-1] == 17 + 2 and g.beat_positions[-1] == 1
    # full bars 1-2: intro, 5-6: break (counted from the first downbeat)
    assert np.flatnonzero(~g.band_bars).tolist() == [0, 1, 4, 5]
    assert np.flatnonzero(~g.after_intro).tolist() == [0, 1]


def test_drums_put_each_planned_kick_at_its_time_and_level():
    spec = demo_track("d02_drums_100")                # 100 BPM: beats 0.6 s apart
    g = plan_grid(spec)
    arr = Arrangement(drums={"kick": [(0, 1.0), (2, 0.5)]})
    perf = Performance.start(spec, DEMO_SEED)
    hits = drum_hits(g, arr, perf)
    assert [h.name for h in hits] == ["kick", "crash"]            # the ending hit adds a crash
    kick = hits[0]
    planned_phi = np.arange(0, 4 * g.n_bars + 1, 2.0)             # beats 1 and 3, then the final downbeat
    planned_vel = np.where(planned_phi % 4 == 0, 1.0, 0.5)
    np.testing.assert_array_equal(kick.onsets_s, g.time_map(planned_phi))
    humanised = kick.gains / (planned_vel * DRUM_LEVEL["kick"])
    assert np.all((humanised >= 0.6) & (humanised <= 1.4)) and humanised.std() > 0.01
    y = np.zeros(int(round(spec.duration_s * SYNTH_SR)))
    mix_hits(y, kick, perf.noise)
    n_kick = int(np.ceil(0.6 * SYNTH_SR))
    starts = np.ceil(kick.onsets_s * SYNTH_SR).astype(int)
    assert np.all(y[: starts[0]] == 0)
    for t, s0, gain in zip(kick.onsets_s, starts, kick.gains):
        assert y[s0 - 1] == 0 and y[s0 + n_kick] == 0            # 1.2 s apart, 0.6 s long: isolated
        tau_s = np.arange(s0, s0 + n_kick)[None, :] / SYNTH_SR - t    # float64, from the exact onset
        expected = gain * drum_sound("kick", tau_s, None)[0]
        np.testing.assert_allclose(y[s0 : s0 + n_kick], expected, rtol=0, atol=2e-4 * gain)


def test_bass_follows_the_planned_chord_roots():
    spec = demo_track("d01_pop_120")                  # A major (key 57), I V vi IV, one chord a bar
    g = plan_grid(spec)
    arr = STYLES["pop"](4)
    chords = chord_plan(g, arr, minor=False)
    np.testing.assert_array_equal(chords[:5], [[0, 4, 7], [7, 11, 14], [9, 12, 16], [5, 9, 12], [0, 4, 7]])
    [bass] = bass_notes(g, arr, chords, Performance.start(spec, DEMO_SEED), key_midi=57)
    downbeats = g.beat_times_s[::4]
    bar = np.searchsorted(downbeats, bass.onsets_s + 1e-9, side="right") - 1
    root_hz = midi_hz(57 - 24 + chords[bar, 0] % 12)
    assert set(np.round(bass.freq_hz / root_hz, 9)) == {1.0, 2.0}      # the root, or its octave on "2 and"
    y = np.zeros(int(round(spec.duration_s * SYNTH_SR)))
    mix_notes(y, bass)
    roots_hz = midi_hz(33 + np.unique(chords[:, 0] % 12))              # A1, D2, E2, F#2
    for b in range(8):                 # the strongest low partial of each bar is nearest to its root
        seg = y[int(downbeats[b] * SYNTH_SR) : int(downbeats[b + 1] * SYNTH_SR)]
        f = np.fft.rfftfreq(seg.size, 1 / SYNTH_SR)
        spectrum = np.abs(np.fft.rfft(seg * np.hanning(seg.size)))
        low = (f > 30) & (f < 200)
        peak_hz = f[low][np.argmax(spectrum[low])]
        nearest = roots_hz[np.argmin(np.abs(roots_hz - peak_hz))]
        assert nearest == midi_hz(33 + chords[b, 0] % 12), (b, peak_hz)


def test_chords_change_on_the_planned_downbeats():
    spec = demo_track("d23_latin_100")                # minor key 55, two-bar patterns
    g = plan_grid(spec)
    arr = STYLES["latin"](4)
    chords = chord_plan(g, arr, minor=True)
    perf = Performance.start(spec, DEMO_SEED)
    notes = harmony_notes(g, arr, chords, perf, key_midi=55, has_break=False)
    parts = [n.name for n in notes]
    assert parts == ["chords", "chords"]                            # the pattern, then the ending chord
    downbeats = g.beat_times_s[::4]
    pattern, ending = notes
    midi = np.rint(12 * np.log2(pattern.freq_hz / 440.0) + 69).astype(int)
    bar = np.searchsorted(downbeats, pattern.onsets_s + 1e-9, side="right") - 1
    for t in np.unique(pattern.onsets_s):
        at = pattern.onsets_s == t
        assert set(midi[at]) == set(chords[bar[at][0]] + 55 + 12)    # chord_octave 12 in this style
    assert np.all(ending.onsets_s == downbeats[-1])
    assert set(np.rint(12 * np.log2(ending.freq_hz / 440.0) + 69).astype(int)) == set(chords[g.n_bars] + 55)


def test_the_break_is_silent_where_planned():
    spec = demo_track("d19_break_116")                # dance; no drums, no bass in bars 13-16
    g = plan_grid(spec)
    arr = STYLES["dance"](4)
    assert np.flatnonzero(~g.band_bars).tolist() == [12, 13, 14, 15]
    perf = Performance.start(spec, DEMO_SEED)
    hits = drum_hits(g, arr, perf)
    chords = chord_plan(g, arr, minor=False)
    [bass] = bass_notes(g, arr, chords, perf, key_midi=spec.key_midi)
    y = np.zeros(int(round(spec.duration_s * SYNTH_SR)))
    for h in hits:
        mix_hits(y, h, perf.noise)
    mix_notes(y, bass)
    t_a, t_b = g.time_map(np.array([12 * 4.0, 16 * 4.0]))
    ring_s = 0.7                                      # the longest drum of the style (kick, 0.6 s) has ended
    assert np.all(y[int(np.ceil((t_a + ring_s) * SYNTH_SR)) : int(np.ceil(t_b * SYNTH_SR))] == 0)
    assert np.abs(y[int(np.ceil(t_b * SYNTH_SR)) :][: SYNTH_SR // 10]).max() > 0.1     # back on the downbeat
    # what fills the break: a dotted-eighth arpeggio, only there
    _, mask = break_arpeggio(g, arr)
    np.testing.assert_array_equal(mask, ~g.band_bars & g.after_intro)
    [arp] = [n for n in harmony_notes(g, arr, chords, perf, key_midi=spec.key_midi, has_break=True)
             if n.name == "arp"]
    assert arp.onsets_s.min() == pytest.approx(t_a) and arp.onsets_s.max() < t_b
    in_bar_beats = np.round((arp.onsets_s - t_a) / (60.0 / spec.tempo_bpm), 9) % 4   # restarts each bar
    np.testing.assert_array_equal(np.unique(in_bar_beats), [0, 0.75, 1.5, 2.25, 3.0])
    # ... and a riser over its last bar, growing to the downbeat
    riser = np.zeros_like(y)
    add_riser(riser, g, spec.break_bars, perf.noise)
    i_a, i_b = np.ceil(g.time_map(np.array([15 * 4.0, 16 * 4.0])) * SYNTH_SR).astype(int)
    assert np.all(riser[:i_a] == 0) and np.all(riser[i_b:] == 0)
    quarter = (i_b - i_a) // 4
    assert np.std(riser[i_b - quarter : i_b]) > 10 * np.std(riser[i_a : i_a + quarter])


@pytest.mark.parametrize("track_id", ["d20_noise_122", "d21_noisy_96"])
def test_noise_has_the_planned_level(track_id):
    from scipy import signal

    spec = demo_track(track_id)
    music = 0.3 * np.sin(2 * np.pi * 220.0 * np.arange(int(spec.duration_s * SYNTH_SR)) / SYNTH_SR)
    noise = background_noise(spec, music, np.random.default_rng(1))
    assert 10 * np.log10(np.mean(music**2) / np.mean(noise**2)) == pytest.approx(spec.snr_db, abs=1e-9)
    f, psd = signal.welch(noise, fs=SYNTH_SR, nperseg=4096)
    drop_db = 10 * np.log10(psd[(f > 200) & (f < 400)].mean() / psd[(f > 3200) & (f < 6400)].mean())
    if spec.noise == "white":
        assert abs(drop_db) < 1.0
    else:                                             # pink: -3 dB per octave, 4 octaves
        assert drop_db == pytest.approx(12.0, abs=1.5)
    if spec.noise.endswith("bursts"):
        rms = np.sqrt(np.convolve(noise**2, np.ones(1102) / 1102, mode="valid"))
        assert rms.max() > 3 * np.median(rms)


@pytest.mark.parametrize("track_id", ["d25_pickup_108", "d26_fills_118"])
def test_the_new_tracks_land_in_their_designed_class(demo, track_id):
    """Both trackers (the reference and librosa-aligned) get the beat of the downbeat tracks right."""
    from helpers.analysis import classify_track
    from helpers.baseline import librosa_aligned_beats
    from helpers.beat import track_beats

    root = demo
    S = load_mel(root, track_id)
    reference = load_beat_file(root, track_id)[:, 0]
    for estimate in (track_beats(S, sr=SR, hop_length=HOP), librosa_aligned_beats(S, sr=SR, hop_length=HOP)):
        assert classify_track(reference, estimate).label == demo_track(track_id).designed_for


# ---------------------------------------------------------------------------------------
# Mel-spectrograms at other hops
# ---------------------------------------------------------------------------------------


def test_other_hops_sample_the_same_windows(demo):
    """Only the hop changes: every 2nd (4th) frame at hop 512 (256) is the hop-1024 frame."""
    root = demo
    track = render_track(demo_track("d02_drums_100"))
    S1024 = track_melspec(track)
    np.testing.assert_array_equal(S1024, load_mel(root, "d02_drums_100"))     # the file, bit for bit
    for hop in (512, 256):
        p = melspec_params(hop_length=hop)
        assert (p.sr, p.n_fft, p.n_mels, p.fmin, p.fmax) == (22050, 2048, 80, 0.0, None)
        S = track_melspec(track, mel_params=p)
        assert S.dtype == np.float32 and S.shape == (N_MELS, 1 + n_samples(track.spec) // hop)
        np.testing.assert_allclose(S[:, :: HOP // hop], S1024, rtol=1e-4, atol=1e-6 * S1024.max())
    # a window scaled with the hop is another analysis: same frame count, other values, no empty band
    p = melspec_params(hop_length=256, n_fft=512)
    S = track_melspec(track, mel_params=p)
    assert S.shape == (N_MELS, 1 + n_samples(track.spec) // 256) and S.max(axis=1).min() > 0
    assert not np.allclose(S[:, ::4], S1024, rtol=0.1)


def test_melspec_params_reject_bad_input():
    from helpers.data import MelParams

    for bad in (0, 4096, 512.0, True, None):
        with pytest.raises(ParameterError, match="hop_length"):
            melspec_params(hop_length=bad)
    for bad in (256, 16384, 1024.0):
        with pytest.raises(ParameterError, match="n_fft"):
            melspec_params(hop_length=128, n_fft=bad)
    track = render_track(demo_track("d02_drums_100"))
    with pytest.raises(ParameterError, match="44100"):
        track_melspec(track, mel_params=MelParams(sr=44100, hop_length=512, n_fft=2048, n_mels=80))
    with pytest.raises(ParameterError, match="MelParams"):
        track_melspec(track, mel_params={"hop_length": 512})


# ---------------------------------------------------------------------------------------
# Metadata and segments
# ---------------------------------------------------------------------------------------


def test_metadata_has_harmonix_columns_and_one_row_per_track(demo):
    root = demo
    with open(root / "dataset" / "metadata.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == METADATA_COLUMNS
    if (HARMONIX / "dataset" / "metadata.csv").is_file():
        with open(HARMONIX / "dataset" / "metadata.csv", newline="") as fh:
            assert tuple(next(csv.reader(fh))) == METADATA_COLUMNS
    records = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert [r["File"] for r in records] == [t.track_id for t in DEMO_TRACKS]
    for spec, r in zip(DEMO_TRACKS, records):
        n_frames = load_mel(root, spec.track_id).shape[1]
        assert abs(float(r["Duration"]) - n_frames * HOP / SR) <= HOP / SR
        assert r["Time Signature"] == spec.time_signature and re.fullmatch(r"\d\|\d", r["Time Signature"])
        assert r["Genre"] == spec.genre
        if spec.tempo_change == "steady":
            assert int(r["BPM"]) == round(spec.tempo_bpm)
        else:
            assert min(spec.tempo_bpm, spec.tempo_end_bpm) <= int(r["BPM"]) <= max(spec.tempo_bpm, spec.tempo_end_bpm)
        assert float(r["Ratio Bars in 4"]) == (100.0 if spec.meter == 4 else 0.0)


def test_segments_start_at_zero_and_end_at_the_last_beat(demo):
    root = demo
    for spec in DEMO_TRACKS:
        lines = (root / "dataset" / "segments" / f"{spec.track_id}.txt").read_text().splitlines()
        times = [float(line.split(" ", 1)[0]) for line in lines]
        labels = [line.split(" ", 1)[1] for line in lines]
        assert times[0] == 0.0 and labels[-1] == "end"
        assert times[-1] == load_beat_file(root, spec.track_id)[-1, 0]
        assert np.all(np.diff(times) > 0)
        assert set(labels) <= {"intro", "verse", "chorus", "break", "end"}
        assert ("break" in labels) == (spec.break_bars is not None)


def test_helpers_data_reads_the_demo_set(demo):
    """The contract: helpers.data opens what helpers.synth writes."""
    ds = Dataset.from_root(demo, name="demo")
    assert ds.track_ids == [t.track_id for t in DEMO_TRACKS] and ds.unpaired == ((), ())
    assert ds.params == HARMONIX_PARAMS
    beats = ds.load_beats("d07_waltz_96")
    assert beats.positions.max() == 3 and len(beats.downbeats_s) == beats.bar_numbers.max()
    assert ds.load_melspec("d07_waltz_96").shape[0] == 80
    assert ds.metadata["d08_sixeight_156"].beats_per_bar == 6


# ---------------------------------------------------------------------------------------
# Completeness marker, no-op, overwrite, crash safety
# ---------------------------------------------------------------------------------------


def test_complete_marker_and_noop(demo):
    root = demo
    marker = json.loads((root / ".complete").read_text())
    assert marker["generator"] == "helpers.synth" and marker["seed"] == DEMO_SEED
    assert marker["n_tracks"] == len(DEMO_TRACKS)
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(writer, "render_track", _failing_render(1))        # renders nothing ...
        assert generate_demo(root, progress=False) == root.absolute()    # same settings: no-op
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before   # ... and writes nothing
    with pytest.raises(ParameterError, match="overwrite=True"):
        generate_demo(root, seed=7, progress=False)                       # other settings


def test_overwrite_replaces_a_set(tmp_path):
    out = generate_demo(tmp_path / "demo", n_tracks=1, progress=False)
    generate_demo(out, n_tracks=1, seed=5, overwrite=True, progress=False)
    assert json.loads((out / "melspecs" / "info.json").read_text())["seed"] == 5
    assert json.loads((out / ".complete").read_text())["seed"] == 5
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]          # no leftovers


def _failing_render(fail_at: int):
    calls = {"n": 0}
    real = writer.render_track

    def render(spec, *, seed):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise RuntimeError("disk on fire")
        return real(spec, seed=seed)

    return render


def test_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(writer, "render_track", _failing_render(2))
    out = tmp_path / "demo"
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate_demo(out, n_tracks=3, progress=False)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []                                  # no staging dir either


def test_hard_kill_midway_leaves_no_out_dir(tmp_path):
    """SIGKILL cannot be caught: only the write-aside-then-rename design protects out_dir."""
    out = tmp_path / "demo"
    code = f"from helpers.synth import generate_demo; generate_demo({str(out)!r}, progress=False)"
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 120
        while not list(tmp_path.rglob("*-mel.npy")):          # wait for the first track
            assert proc.poll() is None, "generation ended before it could be interrupted"
            assert time.monotonic() < deadline
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    assert not out.exists()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert len(leftovers) == 1 and leftovers[0].startswith(".staging-demo-")
    assert not list(tmp_path.rglob(".complete"))


def test_failure_during_overwrite_keeps_the_old_set(tmp_path, monkeypatch):
    out = generate_demo(tmp_path / "demo", n_tracks=2, progress=False)
    before = sha256_tree(out, "**/*") | sha256_tree(out, ".complete")
    monkeypatch.setattr(writer, "render_track", _failing_render(2))
    with pytest.raises(RuntimeError):
        generate_demo(out, n_tracks=2, seed=3, overwrite=True, progress=False)
    assert sha256_tree(out, "**/*") | sha256_tree(out, ".complete") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


def test_a_smaller_set_with_the_same_seed_is_extended(tmp_path):
    """An older version's set (fewer tracks, same seed) is regenerated without overwrite=True."""
    out = generate_demo(tmp_path / "demo", n_tracks=1, progress=False)
    generate_demo(out, n_tracks=2, progress=False)
    marker = json.loads((out / ".complete").read_text())
    assert marker["n_tracks"] == 2 and marker["track_ids"] == [t.track_id for t in DEMO_TRACKS[:2]]
    assert len(list((out / "melspecs").glob("*-mel.npy"))) == 2
    with pytest.raises(ParameterError, match="overwrite=True"):
        generate_demo(out, n_tracks=1, progress=False)                     # fewer: not without overwrite
    with pytest.raises(ParameterError, match="overwrite=True"):
        generate_demo(out, n_tracks=3, seed=1, progress=False)             # another seed: neither


def test_incomplete_set_is_regenerated(tmp_path):
    out = generate_demo(tmp_path / "demo", n_tracks=1, progress=False)
    (out / ".complete").unlink()                       # as if killed before the marker
    (out / "melspecs" / f"{DEMO_TRACKS[0].track_id}-mel.npy").unlink()
    generate_demo(out, n_tracks=1, progress=False)     # no overwrite needed: it was incomplete
    assert (out / ".complete").is_file()
    assert (out / "melspecs" / f"{DEMO_TRACKS[0].track_id}-mel.npy").is_file()


def test_refuses_to_replace_foreign_directories(tmp_path):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    for overwrite in (False, True):
        with pytest.raises(ParameterError, match="not made by helpers.synth"):
            generate_demo(foreign, n_tracks=1, overwrite=overwrite, progress=False)
    assert (foreign / "thesis.tex").read_text() == "precious"
    a_file = tmp_path / "file"
    a_file.write_text("x")
    with pytest.raises(ParameterError, match="not a directory"):
        generate_demo(a_file, n_tracks=1, progress=False)


@pytest.mark.parametrize(
    "kwargs",
    [{"n_tracks": 0}, {"n_tracks": len(DEMO_TRACKS) + 1}, {"n_tracks": True}, {"n_tracks": 2.0},
     {"seed": -1}, {"seed": "1"}, {"seed": 1.5}],
)
def test_bad_arguments_raise_parameter_error(tmp_path, kwargs):
    with pytest.raises(ParameterError):
        generate_demo(tmp_path / "demo", progress=False, **kwargs)
    assert not (tmp_path / "demo").exists()


def test_render_track_rejects_bad_input():
    with pytest.raises(ParameterError, match="DemoTrack"):
        render_track("d01_pop_120")
    with pytest.raises(ParameterError, match="seed"):
        render_track(DEMO_TRACKS[0], seed=-3)


def test_a_read_only_data_folder_is_reported_with_the_fix(tmp_path, monkeypatch):
    import errno

    import helpers.files as files
    from helpers.errors import OutputError

    def refuse(path, text):
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(files, "_write_file", refuse)
    with pytest.raises(OutputError, match="HELPERS_DATA_DIR") as info:
        generate_demo(tmp_path / "shared" / "demo", n_tracks=1, progress=False)
    assert "read-only" in str(info.value) and str(tmp_path / "shared") in str(info.value)
    assert not (tmp_path / "shared" / "demo").exists()
    assert [p.name for p in (tmp_path / "shared").iterdir()] == []
