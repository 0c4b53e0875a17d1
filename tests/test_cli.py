"""The command line (python -m helpers ...): the track command, error handling, --debug."""

from __future__ import annotations

import os

import numpy as np
import pytest

from helpers.__main__ import main

from .builders import click_spectrogram, write_info
from .conftest import requires_fork

# 30 s with a click on every beat from 1 s to 29 s, over faint noise (no constant floor)
CLICK_TRACK = dict(duration_s=30.0, phase_s=1.0, end_s=29.0, floor=0.0, noise=1e-4)


@pytest.fixture
def melspec_folder(tmp_path):
    d = tmp_path / "mels with spaces"
    write_info(d)
    truth = {}
    for name, tempo in (("a", 100.0), ("b ü", 128.0)):
        S, _, beats = click_spectrogram(tempo_bpm=tempo, **CLICK_TRACK)
        np.save(d / f"{name}-mel.npy", S)
        truth[name] = beats
    (d / "broken-mel.npy").write_bytes(b"\x93NUMPY truncated")
    return d, truth


def test_track_writes_one_file_per_track_and_skips_bad_ones(melspec_folder, tmp_path, capsys):
    d, truth = melspec_folder
    out = tmp_path / "out"
    assert main(["track", "--melspec-dir", str(d), "--out-dir", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "skipped broken" in err and "broken-mel.npy" in err
    assert sorted(p.name for p in out.iterdir()) == ["a.txt", "b ü.txt"]
    for name, beats in truth.items():
        est = np.loadtxt(out / f"{name}.txt")
        # One beat time in seconds per line, on the clicks.
        inside = est[(est > 2) & (est < 27)]
        assert np.min(np.abs(inside[:, None] - beats[None, :]), axis=1).max() < 0.05


def test_track_options_reach_the_tracker(melspec_folder, tmp_path):
    d, _ = melspec_folder
    (d / "broken-mel.npy").unlink()
    main(["track", "--melspec-dir", str(d), "--out-dir", str(tmp_path / "x"), "--quiet"])
    main(["track", "--melspec-dir", str(d), "--out-dir", str(tmp_path / "y"), "--quiet",
          "--prior-center-bpm", "200", "--prior-width-octaves", "0.1"])
    default = np.loadtxt(tmp_path / "x" / "a.txt")
    forced = np.loadtxt(tmp_path / "y" / "a.txt")
    assert len(forced) > 1.6 * len(default)  # the narrow prior at 200 BPM doubles the beat rate


@requires_fork   # the patched tracker reaches the workers by fork
def test_track_runs_on_two_workers_and_a_rerun_comes_from_the_cache(melspec_folder, tmp_path, capsys, monkeypatch):
    import helpers.beat

    d, _ = melspec_folder
    (d / "broken-mel.npy").unlink()
    log, real = tmp_path / "calls.log", helpers.beat.run_tracker

    def logged(S_power, **kwargs):      # runs in the (forked) workers: appends their process id
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(S_power, **kwargs)

    monkeypatch.setattr(helpers.beat, "run_tracker", logged)
    argv = ["track", "--melspec-dir", str(d), "--out-dir", str(tmp_path / "out"), "--jobs", "2", "--quiet"]
    assert main(argv) == 0
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    pids = log.read_text().split()
    assert len(pids) == 2 and str(os.getpid()) not in pids                 # tracked in worker processes
    assert "tracked 2 of 2 tracks -> " in (out := capsys.readouterr().out) and "from the cache" not in out

    assert main(argv) == 0
    assert "tracked 2 of 2 tracks -> " in (out := capsys.readouterr().out) and "(2 taken from the cache)" in out
    assert len(log.read_text().split()) == 2                               # nothing tracked again
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == first

    assert main([*argv, "--no-cache"]) == 0
    assert len(log.read_text().split()) == 4


def test_user_errors_are_one_line_and_debug_shows_the_traceback(tmp_path, capsys):
    assert main(["track", "--melspec-dir", str(tmp_path), "--out-dir", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "info.json" in err and "Traceback" not in err
    write_info(tmp_path)
    np.save(tmp_path / "a-mel.npy", click_spectrogram(tempo_bpm=100.0, **CLICK_TRACK).S)
    assert main(["track", "--melspec-dir", str(tmp_path), "--out-dir", str(tmp_path / "o"), "--refine", "magic"]) == 2
    assert "refine" in capsys.readouterr().err
    with pytest.raises(Exception, match="refine"):
        main(["--debug", "track", "--melspec-dir", str(tmp_path), "--out-dir", str(tmp_path / "o"), "--refine", "magic"])


def test_demo_command_into_a_folder(tmp_path, monkeypatch):
    import helpers.synth as synth

    calls = {}

    def fake_generate(out_dir, *, overwrite=False):
        calls["args"] = (out_dir, overwrite)
        return out_dir

    monkeypatch.setattr(synth, "generate_demo", fake_generate)
    assert main(["demo", "--out-dir", str(tmp_path / "d"), "--force"]) == 0
    assert calls["args"] == (tmp_path / "d", True)
