"""Tests of helpers.synth: the generated demo data set has exact, known answers.

The full 24-track set is generated once per module (``demo`` fixture); the
tests that regenerate use a few tracks only.
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
from helpers.errors import ParameterError
from helpers.synth import (
    DEMO_SEED,
    DEMO_TRACKS,
    DESIGNED_FOR,
    METADATA_COLUMNS,
    demo_track,
    generate_demo,
    render_track,
)

SR, HOP, N_MELS = 22050, 1024, 80        # the Harmonix parameters, written out on purpose
SHARED = Path(__file__).resolve().parents[2] / "shared" / "harmonix" / "dataset"


# ---------------------------------------------------------------------------------------
# Fixtures and small helpers
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The full demo set, generated once; returns (root, seconds it took)."""
    root = tmp_path_factory.mktemp("full") / "demo"
    t0 = time.perf_counter()
    out = generate_demo(root, progress=False)
    elapsed = time.perf_counter() - t0
    assert out == root.absolute()
    return root, elapsed


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
    assert len(ids) == 24 and len(set(ids)) == 24
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
                   "noise", "offbeat-accents", "fast-hats", "sparse"):
        assert needed in features, needed
    assert sum(t.tempo_change == "drift" for t in DEMO_TRACKS) == 1
    assert sum(t.tempo_change == "step" for t in DEMO_TRACKS) == 1


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


# ---------------------------------------------------------------------------------------
# Mel-spectrograms and info.json
# ---------------------------------------------------------------------------------------


def test_melspecs_have_harmonix_shape_and_values(demo):
    root, _ = demo
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
    root, _ = demo
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

    root, _ = demo
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
    root, _ = demo
    a = generate_demo(tmp_path / "a", n_tracks=3, progress=False)
    b = generate_demo(tmp_path / "b", n_tracks=3, progress=False)
    ha, hb = sha256_tree(a, "**/*"), sha256_tree(b, "**/*")
    assert len(ha) == 3 * 3 + 3 and ha == hb      # 3 tracks x 3 files, metadata, info, marker
    # each track is the same whatever n_tracks is: compare with the full set
    full = sha256_tree(root, "**/d0[123]_*")
    assert full == {k: v for k, v in ha.items() if "d0" in k}


def test_other_seed_changes_audio_not_annotations(demo, tmp_path):
    root, _ = demo
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
    root, _ = demo
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
        k = np.arange(len(times))
        np.testing.assert_array_equal(pos, k % spec.meter + 1)      # cycles 1..meter
        np.testing.assert_array_equal(bar, k // spec.meter + 1)     # bars from 1
        assert pos[-1] == 1                                          # ends on a downbeat
        # every bar starts with a downbeat at position 1
        first_of_bar = np.r_[True, np.diff(bar) > 0]
        assert np.all(pos[first_of_bar] == 1)


def test_steady_tracks_have_the_declared_tempo(demo):
    root, _ = demo
    for spec in DEMO_TRACKS:
        if spec.tempo_change != "steady":
            continue
        ibi = np.diff(load_beat_file(root, spec.track_id)[:, 0])
        # each time is rounded to 6 decimals, so an interval is off by at most 1e-6
        np.testing.assert_allclose(ibi, 60.0 / spec.tempo_bpm, rtol=0, atol=1e-6 + 1e-9,
                                   err_msg=spec.track_id)


def test_drift_follows_the_closed_form_tempo_curve(demo):
    """Tempo linear in the beat index: t(k) = t0 + 60/s * ln(1 + s k / b0), s = (b1 - b0) / N."""
    root, _ = demo
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
    root, _ = demo
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
    tmap = synth._TimeMap(first_s, [(n_beats, b0, b1)])
    t = tmap(np.arange(n_beats + 1.0))
    ibi = np.diff(t)
    assert t[0] == pytest.approx(first_s)
    assert np.all(ibi > 0)
    lo, hi = sorted((60.0 / b0, 60.0 / b1))
    assert np.all(ibi >= lo * (1 - 1e-9)) and np.all(ibi <= hi * (1 + 1e-9))


# ---------------------------------------------------------------------------------------
# The spectral content is where the renderer put it
# ---------------------------------------------------------------------------------------


def test_flux_peaks_at_the_beats_of_the_drum_track(demo):
    root, _ = demo
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
    root, _ = demo
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
    root, _ = demo
    flux = log_flux(load_mel(root, track_id))
    beats_s = load_beat_file(root, track_id)[:, 0]
    off_s = (beats_s[:-1] + beats_s[1:]) / 2
    assert window_max(flux, frames(off_s)).mean() > 1.3 * window_max(flux, frames(beats_s[:-1])).mean()


def test_intro_without_drums_is_quiet_in_flux(demo):
    root, _ = demo
    spec = demo_track("d18_intro_110")
    flux = log_flux(load_mel(root, spec.track_id))
    b = load_beat_file(root, spec.track_id)
    band_in = b[b[:, 2] == spec.intro_bars_without_drums + 1, 0][0]     # first downbeat with drums
    split = frames([band_in])[0]
    assert flux[5 : split - 1].mean() < 0.25 * flux[split:].mean()


# ---------------------------------------------------------------------------------------
# Metadata and segments
# ---------------------------------------------------------------------------------------


def test_metadata_has_harmonix_columns_and_one_row_per_track(demo):
    root, _ = demo
    with open(root / "dataset" / "metadata.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert tuple(rows[0]) == METADATA_COLUMNS
    if (SHARED / "metadata.csv").is_file():
        with open(SHARED / "metadata.csv", newline="") as fh:
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
    root, _ = demo
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
    data = pytest.importorskip("helpers.data")
    root, _ = demo
    ds = data.Dataset.from_root(root, name="demo")
    assert ds.track_ids == [t.track_id for t in DEMO_TRACKS] and ds.unpaired == ((), ())
    assert ds.params == data.HARMONIX_PARAMS
    beats = ds.load_beats("d07_waltz_96")
    assert beats.positions.max() == 3 and len(beats.downbeats_s) == beats.bar_numbers.max()
    assert ds.load_melspec("d07_waltz_96").shape[0] == 80
    assert ds.metadata["d08_sixeight_156"].beats_per_bar == 6


# ---------------------------------------------------------------------------------------
# Completeness marker, no-op, overwrite, crash safety
# ---------------------------------------------------------------------------------------


def test_complete_marker_and_noop(demo):
    root, _ = demo
    marker = json.loads((root / ".complete").read_text())
    assert marker["generator"] == "helpers.synth" and marker["seed"] == DEMO_SEED
    assert marker["n_tracks"] == 24
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*")}
    t0 = time.perf_counter()
    assert generate_demo(root, progress=False) == root.absolute()        # same settings: no-op
    assert time.perf_counter() - t0 < 1.0
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*")} == before
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
    real = synth.render_track

    def render(spec, *, seed):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise RuntimeError("disk on fire")
        return real(spec, seed=seed)

    return render


def test_failure_midway_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(synth, "render_track", _failing_render(2))
    out = tmp_path / "demo"
    with pytest.raises(RuntimeError, match="disk on fire"):
        generate_demo(out, n_tracks=3, progress=False)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []                                  # no .partial dir either


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
    assert len(leftovers) == 1 and leftovers[0].startswith(".demo.partial-")
    assert not list(tmp_path.rglob(".complete"))


def test_failure_during_overwrite_keeps_the_old_set(tmp_path, monkeypatch):
    out = generate_demo(tmp_path / "demo", n_tracks=2, progress=False)
    before = sha256_tree(out, "**/*") | sha256_tree(out, ".complete")
    monkeypatch.setattr(synth, "render_track", _failing_render(2))
    with pytest.raises(RuntimeError):
        generate_demo(out, n_tracks=2, seed=3, overwrite=True, progress=False)
    assert sha256_tree(out, "**/*") | sha256_tree(out, ".complete") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]


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
    [{"n_tracks": 0}, {"n_tracks": 25}, {"n_tracks": True}, {"n_tracks": 2.0},
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


def test_generation_time_is_reasonable(demo):
    """Loose bound only (the real timing is reported elsewhere): a few seconds expected."""
    _, elapsed = demo
    assert elapsed < 60.0


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
