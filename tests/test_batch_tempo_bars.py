"""The tempo and bar columns of the batch results (issue 13): Acc1/Acc2 for every system, the downbeat
F-measure when both sides have bar positions, `track --with-bars` / `--tempo-csv`, `evaluate` of
time<TAB>position files. Known answers from synthetic bars: high clicks on every beat, a chord that changes
on every downbeat, a bass note on the downbeats."""

from __future__ import annotations

import csv
from pathlib import Path
import json

import numpy as np
import pytest

from helpers.batch import evaluate_directory, run_batch, track_directory
from helpers.cli import main
from helpers.data import HARMONIX_PARAMS as P
from helpers.data import Dataset, load_beats
from helpers.results import load_results

from .builders import bars_spectrogram, write_beats, write_info

PERIOD, FIRST, METER = 11, 5, 4          # 11 frames at 21.53 frames/s = 117.45 BPM


@pytest.fixture
def bar_set(tmp_path) -> Dataset:
    """Three tracks of 4/4 bars (tests.builders.bars_spectrogram) over a slightly noisy floor, with 0, 1
    and 3 beats of pickup, and their 3-column annotations."""
    mel, ann = tmp_path / "set" / "melspecs", tmp_path / "set" / "dataset" / "beats_and_downbeats"
    write_info(mel)
    ann.mkdir(parents=True)
    for tid, n_frames, pickup in (("b1", 1400, 0), ("b2", 1300, 1), ("b3", 1500, 3)):
        S, _, times, positions = bars_spectrogram(n_frames, period_frames=PERIOD, first_frame=FIRST, meter=METER,
                                                  pickup=pickup, noise=1e-5, seed=len(tid) + n_frames)
        np.save(mel / f"{tid}-mel.npy", S)
        write_beats(ann / f"{tid}.txt", times, positions)
    return Dataset.from_root(tmp_path / "set")


TRUE_BPM = 60 * P.frame_rate_hz / PERIOD


def test_the_reference_tracker_reports_tempo_and_bars_scored_against_the_annotation(bar_set, tmp_path):
    result = run_batch(bar_set, out_dir=tmp_path / "out", jobs=1, progress=False)
    assert result.n_failed == 0
    for r in result.tracks:
        assert r.tempo_bpm == pytest.approx(TRUE_BPM, rel=0.01)
        assert r.reference_tempo_bpm == pytest.approx(TRUE_BPM, rel=1e-3)
        assert r.scores["Acc1"] == r.scores["Acc2"] == 1.0
        assert r.meter == 4 and r.positions.shape == r.beat_times_s.shape
        assert r.scores["Downbeat F-measure"] > 0.9, r.track_id          # the one: chord change + bass
    mean = result.mean()
    assert mean["Acc1"] == 1.0 and mean["Downbeat F-measure"] > 0.9
    # the files: estimates with their positions, the CSV columns, results.json and load_results
    est = load_beats(tmp_path / "out" / "estimates" / "b2.txt")
    np.testing.assert_array_equal(est.positions, result["b2"].positions)
    rows = list(csv.DictReader(open(tmp_path / "out" / "results.csv", newline="")))
    assert float(rows[0]["estimated BPM"]) == pytest.approx(result["b1"].tempo_bpm) and rows[0]["meter"] == "4"
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["format"] == "helpers.batch results v2" and data["summary"]["mean"]["Acc2"] == 1.0
    back = load_results(tmp_path / "out")
    assert back.mean() == result.mean() and back["b3"].meter == 4
    np.testing.assert_array_equal(back["b3"].positions, result["b3"].positions)


def test_bars_off_and_other_trackers_have_tempo_but_no_downbeats(bar_set):
    plain = run_batch(bar_set, bars=False, jobs=1, progress=False)
    assert all(r.positions is None and "Downbeat F-measure" not in r.scores for r in plain.tracks)
    assert plain.mean()["Downbeat F-measure"] is None and plain.mean()["Acc1"] == 1.0

    def every_beat(S_power, *, sr, hop_length):              # a tracker of yours: beats only
        return P.frames_to_time(np.arange(FIRST, S_power.shape[1] - 2, PERIOD))

    mine = run_batch(bar_set, tracker=every_beat, jobs=1, progress=False)
    assert all(r.tempo_bpm == pytest.approx(TRUE_BPM, rel=1e-3) for r in mine.tracks)   # from the beats
    assert mine.mean()["Acc1"] == 1.0 and mine.mean()["Downbeat F-measure"] is None
    with pytest.raises(Exception, match="bars"):
        run_batch(bar_set, bars="yes", jobs=1, progress=False)


@pytest.mark.slow
def test_librosa_reports_its_own_tempo(bar_set):
    lib = run_batch(bar_set, tracker="librosa-aligned", jobs=1, progress=False)
    assert all(r.tempo_bpm == pytest.approx(TRUE_BPM, rel=0.04) for r in lib.tracks)
    assert all(r.positions is None for r in lib.tracks)


def test_track_with_bars_and_tempo_csv_then_evaluate_scores_the_downbeats(bar_set, tmp_path, capsys):
    out, tempo_csv = tmp_path / "est", tmp_path / "tempi" / "tempo.csv"
    assert main(["track", "--melspec-dir", str(bar_set.melspec_dir), "--out-dir", str(out), "--with-bars",
                 "--tempo-csv", str(tempo_csv), "--quiet", "--jobs", "1"]) == 0
    assert "tempi in" in capsys.readouterr().out
    lines = (out / "b1.txt").read_text().splitlines()
    assert all(len(line.split("\t")) == 2 for line in lines) and {line.split("\t")[1] for line in lines} == {"1", "2", "3", "4"}
    rows = list(csv.DictReader(open(tempo_csv, newline="")))
    assert [r["track_id"] for r in rows] == ["b1", "b2", "b3"]
    assert all(float(r["tempo_bpm"]) == pytest.approx(TRUE_BPM, rel=0.01) for r in rows)

    scored = evaluate_directory(bar_set.beats_dir, out, jobs=1, progress=False)
    assert scored.mean()["Downbeat F-measure"] > 0.9 and scored.mean()["Acc1"] == 1.0

    plain = tmp_path / "plain"                                   # one column: no downbeats to score
    assert main(["track", "--melspec-dir", str(bar_set.melspec_dir), "--out-dir", str(plain), "--quiet",
                 "--jobs", "1"]) == 0
    assert all(len(line.split()) == 1 for line in (plain / "b1.txt").read_text().splitlines())
    assert evaluate_directory(bar_set.beats_dir, plain, jobs=1, progress=False).mean()["Downbeat F-measure"] is None


def test_validate_reports_tempo_and_downbeats_and_no_bars_turns_them_off(bar_set, tmp_path, capsys):
    argv = ["validate", "--melspec-dir", str(bar_set.melspec_dir), "--reference_dir", str(bar_set.beats_dir),
            "--quiet", "--jobs", "1"]
    assert main([*argv, "--out-dir", str(tmp_path / "a")]) == 0
    out = capsys.readouterr().out
    assert "tempo Acc1 1.000" in out and "downbeat F" in out
    assert main([*argv, "--out-dir", str(tmp_path / "b"), "--no-bars"]) == 0
    out = capsys.readouterr().out
    assert "tempo Acc1 1.000" in out and "downbeat F" not in out


def test_track_directory_tempo_without_bars(bar_set, tmp_path):
    tracks = track_directory(bar_set.melspec_dir, tmp_path / "o", jobs=1, progress=False)
    assert all(r.tempo_bpm == pytest.approx(TRUE_BPM, rel=0.01) and r.positions is None for r in tracks)


def test_an_unwritable_tempo_csv_is_refused_before_any_tracking(bar_set, tmp_path, capsys, monkeypatch):
    from helpers import files

    blocked = tmp_path / "read-only"
    real = files._write_file

    def denied(path, content):                  # as root chmod does not stop writes: simulate the folder
        if Path(path).parent == blocked:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, content)

    monkeypatch.setattr(files, "_write_file", denied)
    out = tmp_path / "est"
    code = main(["track", "--melspec-dir", str(bar_set.melspec_dir), "--out-dir", str(out), "--quiet", "--jobs", "1",
                 "--tempo-csv", str(blocked / "tempo.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "read-only" in err and str(blocked) in err
    assert not out.exists() or not any(out.iterdir())          # nothing was tracked
