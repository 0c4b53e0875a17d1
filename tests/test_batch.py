"""Tests of helpers.batch: known answers on click trains, failures, cache, interruption,
concurrency, crashes, the command line, and the published Harmonix systems.

The tiny data set is built in tmp_path: click-train mel-spectrograms whose beats sit
exactly on frames, so an "oracle" tracker (which reads the clicks back) reproduces the
reference exactly.  Trackers used here are module-level functions, so they can be sent
to worker processes; the ones that count calls append to a log file (works across
processes).
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import multiprocessing
import os
import signal
import time
import warnings
from pathlib import Path

import mir_eval.beat
import numpy as np
import pytest

import helpers.batch as batch
import helpers.results as results
from helpers.batch import (
    BatchResult,
    compare,
    evaluate_directory,
    evaluate_published,
    format_table,
    load_estimate,
    load_results,
    run_batch,
    track_directory,
)
from helpers.data import Dataset
from helpers.beat import TrackerParams
from helpers.errors import DataMissingError, HelpersError, ParameterError
from helpers.evaluate import METRIC_NAMES

from .builders import click_spectrogram, write_beats, write_info
from .conftest import HARMONIX, PUBLISHED_MEANS, requires_fork, requires_published

SR, HOP = 22050, 1024

# (track id, beat period in frames, number of frames): 10-13 frames = 129-99 BPM, 20-30 s.
TRACKS = [("t1_p10", 10, 500), ("t2_p11", 11, 560), ("t3_p12", 12, 600), ("t4_p13", 13, 650), ("t5_p11", 11, 450)]


# --------------------------------------------------------------------------- fixtures
@pytest.fixture
def tiny(tmp_path) -> Dataset:
    """Five click-train tracks with exact 3-column reference beats."""
    mel = tmp_path / "set" / "melspecs"
    beats = tmp_path / "set" / "dataset" / "beats_and_downbeats"
    write_info(mel)
    beats.mkdir(parents=True)
    for tid, period, n in TRACKS:
        S, _, times = click_spectrogram(n, period_frames=period, decay=0.3)   # a click and a short decay
        np.save(mel / f"{tid}-mel.npy", S)
        write_beats(beats / f"{tid}.txt", times)
    return Dataset.from_root(tmp_path / "set", name="tiny")


def reference_of(ds: Dataset, tid: str) -> np.ndarray:
    return ds.load_beats(tid).times_s


# --------------------------------------------------------------------------- trackers
def oracle(S_power, *, sr, hop_length, shift_s=0.0, log=None, stop_file=None, stop_after=None):
    """Reads the clicks back: frames whose loudest band is > 0.5 are beats (+ an optional shift)."""
    if log is not None:
        if stop_file is not None and Path(stop_file).exists():
            n_done = len(Path(log).read_text().splitlines()) if Path(log).exists() else 0
            if n_done >= stop_after:
                raise KeyboardInterrupt
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\n")
    frames = np.flatnonzero(S_power.max(axis=0) > 0.5)
    return frames * hop_length / sr + shift_s


def crash_on_long_tracks(S_power, *, sr, hop_length, min_frames=640):
    """Dies like a segfault in native code on tracks of at least ``min_frames`` frames."""
    if S_power.shape[1] >= min_frames:
        faulthandler.disable()          # (pytest's handler would print a traceback)
        os.kill(os.getpid(), signal.SIGSEGV)
    return oracle(S_power, sr=sr, hop_length=hop_length)


def returns_frames(S_power, *, sr, hop_length):
    """A classic mistake: frame indices instead of seconds."""
    return np.flatnonzero(S_power.max(axis=0) > 0.5).astype(float)


def n_calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def read_csv(path: Path) -> list[dict]:
    import csv

    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def no_temp_files(*dirs: Path) -> bool:
    return not [p for d in dirs if d.exists() for p in d.rglob("*.tmp")]


# --------------------------------------------------------------------------- known answers
def test_oracle_gives_perfect_scores_equal_to_mir_eval(tiny, tmp_path):
    out = tmp_path / "out"
    result = run_batch(tiny, tracker=oracle, out_dir=out, jobs=2, progress=False)
    assert isinstance(result, BatchResult) and len(result) == len(TRACKS) and result.n_failed == 0

    rows = read_csv(out / "results.csv")
    assert list(rows[0]) == ["track_id", *METRIC_NAMES, "Acc1", "Acc2", "Downbeat F-measure", "estimated BPM",
                             "reference BPM", "meter", "error"]
    assert [r["track_id"] for r in rows] == sorted(t for t, _, _ in TRACKS)
    for row in rows:
        assert row["error"] == ""
        assert float(row["F-measure"]) == 1.0
        assert float(row["Correct Metric Level Total"]) == 1.0
        assert float(row["Any Metric Level Total"]) == 1.0
        ref = reference_of(tiny, row["track_id"])
        expected = mir_eval.beat.evaluate(ref, ref)      # the oracle returns the reference exactly
        for m in METRIC_NAMES:
            assert float(row[m]) == pytest.approx(expected[m], abs=1e-9), m


def test_reference_tracker_finds_click_trains(tiny):
    result = run_batch(tiny, tracker="reference", jobs=1, progress=False)
    assert result.n_failed == 0
    assert result.mean()["F-measure"] > 0.95
    assert min(result.scores("CMLt")) > 0.9


def test_estimate_files_round_trip_and_reproduce_the_scores(tiny, tmp_path):
    out = tmp_path / "out"
    result = run_batch(tiny, tracker=oracle, tracker_params={"shift_s": 0.0123456789}, out_dir=out,
                       jobs=1, progress=False)
    for r in result.tracks:
        text = (out / "estimates" / f"{r.track_id}.txt").read_text()
        assert all(len(line.split(".")[1]) == 6 for line in text.splitlines())      # %.6f
        np.testing.assert_array_equal(load_estimate(out / "estimates" / f"{r.track_id}.txt"), r.beat_times_s)
        np.testing.assert_allclose(r.beat_times_s, reference_of(tiny, r.track_id) + 0.0123456789, atol=1.01e-6)
    again = evaluate_directory(tiny.beats_dir, out / "estimates", jobs=1, progress=False)
    assert again.rows() == result.rows()      # exactly: the files hold what was scored


def test_scores_are_plain_floats_and_the_json_is_strict(tiny, tmp_path):
    out = tmp_path / "out"
    result = run_batch(tiny, tracker=oracle, out_dir=out, jobs=1, progress=False)
    for r in result.tracks:
        assert all(type(v) is float for v in r.scores.values())
    assert all(type(v) is float for v in result.mean().values() if v is not None)
    assert all(type(result.mean()[m]) is float for m in METRIC_NAMES)

    def reject(constant):
        raise AssertionError(f"non-JSON constant {constant}")

    data = json.loads((out / "results.json").read_text(), parse_constant=reject)
    assert data["summary"]["n_tracks"] == len(TRACKS) and data["summary"]["mean"]["F-measure"] == 1.0
    assert data["summary"]["median"]["Cemgil"] == pytest.approx(1.0)
    assert data["evaluation"]["trim_s"] == 5.0 and data["evaluation"]["fmeasure_window_s"] == 0.07
    assert set(data["versions"]) >= {"python", "numpy", "librosa", "mir_eval", "helpers"}
    assert data["tracker"]["tracker"].endswith("test_batch.oracle")
    assert [r["track_id"] for r in data["rows"]] == result.track_ids
    json.dumps(result.to_json(), allow_nan=False)
    back = load_results(out)
    assert back.rows() == result.rows()


def test_reference_tracker_params_are_complete_in_the_config(tiny):
    result = run_batch(tiny, tracker="reference", tracker_params={"tightness": 200.0}, jobs=1, progress=False)
    params = result.config["tracker"]["params"]
    assert params["tightness"] == 200.0 and "gamma" in params and "refine" in params


# --------------------------------------------------------------------------- failures
def test_a_corrupt_track_is_recorded_and_the_others_finish(tiny, tmp_path):
    (tiny.melspec_dir / "t3_p12-mel.npy").write_bytes(b"\x93NUMPY garbage, not an array")
    out = tmp_path / "out"
    result = run_batch(tiny, tracker=oracle, out_dir=out, jobs=2, progress=False)
    assert result.n_failed == 1 and list(result.failures()) == ["t3_p12"]
    assert "t3_p12-mel.npy" in result.failures()["t3_p12"]
    rows = {r["track_id"]: r for r in read_csv(out / "results.csv")}
    assert rows["t3_p12"]["error"] and rows["t3_p12"]["F-measure"] == ""
    assert all(float(r["F-measure"]) == 1.0 for t, r in rows.items() if t != "t3_p12")
    assert not (out / "estimates" / "t3_p12.txt").exists()
    data = json.loads((out / "results.json").read_text())
    assert data["summary"]["n_failed"] == 1 and data["summary"]["mean"]["F-measure"] == 1.0


def test_a_tracker_returning_frames_is_a_readable_track_error(tiny):
    result = run_batch(tiny, tracker=returns_frames, jobs=1, progress=False)
    assert result.n_failed == len(TRACKS)
    assert "frame" in next(iter(result.failures().values()))


def test_a_crashing_worker_is_reported_per_track_and_the_run_survives(tiny):
    # t4_p13 (650 frames) kills its worker with SIGSEGV; the tracks in flight with it
    # are retried alone in fresh processes and succeed.
    result = run_batch(tiny, tracker=crash_on_long_tracks, jobs=2, progress=False)
    assert list(result.failures()) == ["t4_p13"]
    assert result.failures()["t4_p13"].startswith("WorkerCrashed")
    assert all(r.scores["F-measure"] == 1.0 for r in result.tracks if r.ok)
    assert len(result) == len(TRACKS)


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="needs forkserver")
@pytest.mark.parametrize("tracker", ["reference", "librosa"])
def test_in_jupyter_the_workers_start_from_a_forkserver(tiny, monkeypatch, tracker):
    # A Jupyter kernel runs threads; forking it can deadlock a worker. There (no __main__
    # file) the built-in trackers run in workers started by a clean forkserver.
    import helpers.pool as pool

    monkeypatch.setattr(pool, "_interactive_main", lambda: True)
    assert pool.choose_context(tracker).get_start_method() == "forkserver"
    assert pool.choose_context(oracle).get_start_method() == "forkserver"
    monkeypatch.setattr(pool, "_interactive_main", lambda: False)
    assert pool.choose_context(tracker).get_start_method() == multiprocessing.get_start_method()
    monkeypatch.setattr(pool, "_interactive_main", lambda: True)
    result = run_batch(tiny, tracker=tracker, jobs=2, progress=False)
    assert result.n_failed == 0, result.failures()
    assert result.mean()["Any Metric Level Total"] > 0.5


def test_librosa_runs_in_worker_processes(tiny):
    # librosa.beat.beat_track (numba) in forked workers: the path that once segfaulted here.
    result = run_batch(tiny, tracker="librosa", jobs=2, progress=False)
    assert result.n_failed == 0, result.failures()
    assert all(len(r.beat_times_s) > 10 for r in result.tracks)
    assert result.mean()["Any Metric Level Total"] > 0.5


# --------------------------------------------------------------------------- cache
def test_the_cache_skips_tracking_and_a_parameter_change_invalidates_it(tiny, tmp_path):
    out, log = tmp_path / "out", tmp_path / "calls.log"
    first = run_batch(tiny, tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, jobs=2, progress=False)
    assert n_calls(log) == len(TRACKS) and first.n_tracked == len(TRACKS)

    second = run_batch(tiny, tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, jobs=2, progress=False)
    assert n_calls(log) == len(TRACKS)                    # no tracking at all
    assert second.n_from_cache == len(TRACKS) and second.rows() == first.rows()

    run_batch(tiny, tracker=oracle, tracker_params={"log": str(log), "shift_s": 0.01}, out_dir=out, jobs=2,
              progress=False)
    assert n_calls(log) == 2 * len(TRACKS)                # new parameter: everything tracked again

    run_batch(tiny, tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, use_cache=False, jobs=1,
              progress=False)
    assert n_calls(log) == 3 * len(TRACKS)                # --no-cache


def test_the_cache_follows_content_not_timestamps(tiny, tmp_path):
    out, log = tmp_path / "out", tmp_path / "calls.log"
    kw = dict(tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, jobs=1, progress=False)
    run_batch(tiny, **kw)
    os.utime(tiny.melspec_path("t1_p10"), (1e9, 1e9))     # touched, same bytes: still cached
    S = click_spectrogram(560, period_frames=11, first_frame=4, decay=0.3).S   # rewritten with other content
    np.save(tiny.melspec_path("t2_p11"), S)
    result = run_batch(tiny, **kw)
    assert n_calls(log) == len(TRACKS) + 1
    assert result["t2_p11"].source == "tracked" and result["t1_p10"].source == "cache"


def test_new_references_or_trim_rescore_without_retracking(tiny, tmp_path):
    out, log = tmp_path / "out", tmp_path / "calls.log"
    kw = dict(tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, jobs=1, progress=False)
    run_batch(tiny, **kw)
    result = run_batch(tiny, trim_s=0.0, **kw)
    assert n_calls(log) == len(TRACKS)
    assert {r.source for r in result.tracks} == {"cache-beats"}
    ref = reference_of(tiny, "t1_p10")
    write_beats(tiny.beats_path("t1_p10"), ref[::2])       # new annotation: half tempo
    result = run_batch(tiny, **kw)
    assert n_calls(log) == len(TRACKS)
    assert result["t1_p10"].source == "cache-beats" and result["t1_p10"].scores["F-measure"] < 0.7


# --------------------------------------------------------------------------- tracking without scoring
def test_track_directory_writes_the_estimates_that_run_batch_scores(tiny, tmp_path):
    out, cache, log = tmp_path / "est", tmp_path / "cache", tmp_path / "calls.log"
    kw = dict(tracker=oracle, tracker_params={"log": str(log), "shift_s": 0.0123456789}, cache_dir=cache, jobs=2,
              progress=False)
    tracks = track_directory(tiny.melspec_dir, out, **kw)
    assert [r.track_id for r in tracks] == sorted(t for t, _, _ in TRACKS)
    assert all(r.error is None and r.scores is None and r.source == "tracked" for r in tracks)
    pids = set(log.read_text().split())
    assert n_calls(log) == len(TRACKS) and str(os.getpid()) not in pids and len(pids) <= 2   # in 2 workers
    assert sorted(p.name for p in out.iterdir()) == [f"{t}.txt" for t, _, _ in sorted(TRACKS)]   # nothing else
    scored = run_batch(tiny, tracker=oracle, tracker_params={"log": str(log), "shift_s": 0.0123456789},
                       out_dir=tmp_path / "val", jobs=1, progress=False)
    for r in scored.tracks:      # the same files as validate writes, byte for byte
        assert (out / f"{r.track_id}.txt").read_bytes() == (tmp_path / "val" / "estimates" / f"{r.track_id}.txt").read_bytes()

    again = track_directory(tiny.melspec_dir, out, **kw)
    assert {r.source for r in again} == {"cache"} and n_calls(log) == 2 * len(TRACKS)   # validate's 5, no more
    for first, second in zip(tracks, again):
        np.testing.assert_array_equal(first.beat_times_s, second.beat_times_s)


def test_track_directory_skips_bad_files_and_caches_by_output_folder(tiny, tmp_path):
    (tiny.melspec_dir / "t3_p12-mel.npy").write_bytes(b"\x93NUMPY garbage")
    out, log = tmp_path / "est", tmp_path / "calls.log"
    kw = dict(tracker=oracle, tracker_params={"log": str(log)}, jobs=2, progress=False)
    tracks = {r.track_id: r for r in track_directory(tiny.melspec_dir, out, **kw)}
    assert "t3_p12-mel.npy" in tracks["t3_p12"].error and tracks["t3_p12"].beat_times_s is None
    assert sorted(p.stem for p in out.iterdir()) == sorted(t for t, _, _ in TRACKS if t != "t3_p12")
    cache = batch.default_track_cache_dir(out)
    assert len(list(cache.glob("*.json"))) == len(TRACKS) - 1                     # failures are not cached
    assert cache.name.startswith("est-") and out not in cache.parents            # outside the output folder
    track_directory(tiny.melspec_dir, out, **kw)
    assert n_calls(log) == len(TRACKS) - 1                                        # re-run: all from the cache
    track_directory(tiny.melspec_dir, tmp_path / "other", use_cache=False, **kw)
    assert n_calls(log) == 2 * (len(TRACKS) - 1)
    assert batch.default_track_cache_dir(tmp_path / "other") != cache


def test_track_directory_writes_in_track_order_and_stops_on_a_write_error(tiny, tmp_path, monkeypatch):
    """A write error (a full disk) stops the run; the files before it, in track-id order, are complete."""
    from helpers.errors import OutputError

    written = []
    real = batch.write_text_atomic

    def write(path, text):
        if path.stem == "t3_p12":
            raise OutputError(f"cannot write {path}: the disk is full")
        written.append(path.stem)
        real(path, text)

    monkeypatch.setattr(batch, "write_text_atomic", write)
    with pytest.raises(OutputError, match="t3_p12"):
        track_directory(tiny.melspec_dir, tmp_path / "est", tracker=oracle, use_cache=False, jobs=2, progress=False)
    assert written == ["t1_p10", "t2_p11"]
    assert sorted(p.stem for p in (tmp_path / "est").iterdir()) == written


# --------------------------------------------------------------------------- interruption
@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupted_run_leaves_valid_cache_and_no_outputs_then_resumes(tiny, tmp_path, jobs):
    out, log, stop = tmp_path / "out", tmp_path / "calls.log", tmp_path / "stop"
    params = {"log": str(log), "stop_file": str(stop), "stop_after": 2}
    stop.touch()
    with pytest.raises(KeyboardInterrupt):
        run_batch(tiny, tracker=oracle, tracker_params=params, out_dir=out, jobs=jobs, progress=False)
    done = n_calls(log)
    assert 2 <= done < len(TRACKS)
    assert not (out / "results.csv").exists() and not (out / "results.json").exists()
    assert not (out / "estimates").exists()
    entries = list((out / "cache").glob("*.json"))
    assert len(entries) == done                          # every finished track, complete
    for e in entries:
        entry = json.loads(e.read_text())
        assert entry["scores"]["F-measure"] == 1.0
    assert no_temp_files(out)

    stop.unlink()
    result = run_batch(tiny, tracker=oracle, tracker_params=params, out_dir=out, jobs=jobs, progress=False)
    assert n_calls(log) == len(TRACKS)                   # only the remaining tracks were tracked
    assert result.n_from_cache == done and result.n_failed == 0
    assert len(read_csv(out / "results.csv")) == len(TRACKS)


# --------------------------------------------------------------------------- concurrency
def _publish_three_times(ds, out, shift):
    for _ in range(3):
        run_batch(ds, tracker=oracle, tracker_params={"shift_s": shift}, out_dir=out, jobs=1, progress=False)


@requires_fork
def test_two_concurrent_runs_on_one_out_dir_do_not_corrupt_it(tiny, tmp_path, monkeypatch):
    # Two processes (forked after the patches below) publish 3 times each into one folder.
    out, held_log = tmp_path / "out", tmp_path / "held.log"
    real_lock, real_write = results.exclusive_lock, results.write_texts_atomic

    def slow_write(files):            # widen the window in which a mix-up could happen
        time.sleep(0.005)
        real_write(files)

    @contextlib.contextmanager
    def recorded_lock(path):
        with real_lock(path):
            start = time.monotonic()
            yield
            with open(held_log, "a") as f:
                f.write(f"{start!r} {time.monotonic()!r}\n")

    monkeypatch.setattr(results, "write_texts_atomic", slow_write)
    monkeypatch.setattr(results, "exclusive_lock", recorded_lock)
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_publish_three_times, args=(tiny, out, s)) for s in (0.0, 0.5)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0]
    held = sorted(tuple(map(float, line.split())) for line in held_log.read_text().splitlines())
    assert len(held) == 6
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in zip(held, held[1:])), "publishing overlapped"

    data = json.loads((out / "results.json").read_text())       # one run's complete output
    shift = data["tracker"]["params"]["shift_s"]
    csv_rows = read_csv(out / "results.csv")
    assert [float(r["F-measure"]) for r in csv_rows] == [r["F-measure"] for r in data["rows"]]
    for r in data["rows"]:
        est = load_estimate(out / "estimates" / f"{r['track_id']}.txt")
        np.testing.assert_allclose(est, reference_of(tiny, r["track_id"]) + shift, atol=1e-6)
    assert no_temp_files(out)


# --------------------------------------------------------------------------- inputs
def test_parameter_errors(tiny):
    with pytest.raises(ParameterError, match="tracker"):
        run_batch(tiny, tracker="madmom", progress=False)
    with pytest.raises(ParameterError, match="jobs"):
        run_batch(tiny, jobs=0, progress=False)
    with pytest.raises(ParameterError, match="trim_s"):
        run_batch(tiny, trim_s=-1, progress=False)
    with pytest.raises(ParameterError, match="tightnes"):
        run_batch(tiny, tracker_params={"tightnes": 3}, progress=False)
    with pytest.raises(ParameterError, match="no parameters"):
        run_batch(tiny, tracker="librosa", tracker_params={"x": 1}, progress=False)
    with pytest.raises(ParameterError, match="unknown track"):
        run_batch(tiny, track_ids=["nope"], progress=False)
    with pytest.raises(DataMissingError):
        evaluate_directory(tiny.beats_dir, tiny.root_dir / "missing", progress=False)


def test_a_lambda_falls_back_to_one_process_with_a_warning(tiny):
    with pytest.warns(UserWarning, match="jobs=1"):
        result = run_batch(tiny, tracker=lambda S, sr, hop_length: oracle(S, sr=sr, hop_length=hop_length),
                           track_ids=["t1_p10", "t2_p11"], jobs=2, progress=False)
    assert result.n_failed == 0 and result.config["jobs"] == 1


def test_missing_estimates_and_unpaired_files_are_reported(tiny, tmp_path):
    est = tmp_path / "est"
    est.mkdir()
    for tid, period, n in TRACKS[:3]:
        (est / f"{tid}.txt").write_text("".join(f"{t:.6f}\n" for t in click_spectrogram(n, period_frames=period).beat_times_s))
    (est / "stray.txt").write_text("1.0\n")
    (est / "t3_p12.txt").write_text("")                  # a tracker that found no beat
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate_directory(tiny.beats_dir, est, jobs=1, progress=False)
    assert set(result.failures()) == {"t4_p13", "t5_p11"}
    assert "no estimate file" in result.failures()["t4_p13"]
    assert result["t3_p12"].ok and result["t3_p12"].scores["F-measure"] == 0.0 and result["t3_p12"].warnings
    assert result.config["data"]["unpaired"]["estimate_only"] == ["stray"]


def test_compare_uses_the_same_tracks_for_every_system(tiny):
    good = run_batch(tiny, tracker=oracle, jobs=1, progress=False)
    late = run_batch(tiny, tracker=oracle, tracker_params={"shift_s": 0.1}, track_ids=["t1_p10", "t2_p11"],
                     jobs=1, progress=False)
    rows = compare({"oracle": good, "late": late}, metrics=("F", "AMLt"))
    assert [r["n_tracks"] for r in rows] == [2, 2]
    assert rows[0]["F-measure"] == 1.0 and rows[1]["F-measure"] == 0.0
    text = format_table(rows)
    assert "oracle" in text and "AMLt" in text


# --------------------------------------------------------------------------- command line
def cli(argv: list[str]) -> int:
    """Run a command without main()'s error handling, so a test sees the exception itself."""
    from helpers.cli import build_parser

    args = build_parser().parse_args(argv)
    return args.func(args)


def test_cli_validate_and_evaluate(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    status = cli(["validate", "--melspec-dir", str(tiny.melspec_dir), "--reference_dir", str(tiny.beats_dir),
                  "--out-dir", str(out), "--tracker", "reference", "--jobs", "2", "--quiet"])
    assert status == 0
    rows = read_csv(out / "results.csv")
    assert len(rows) == len(TRACKS) and all(float(r["F-measure"]) > 0.9 for r in rows)
    assert "mean F-measure" in capsys.readouterr().out

    status = cli(["evaluate", "--reference_dir", str(tiny.beats_dir), "--estimate_dir", str(out / "estimates"),
                  "--out_csv", str(tmp_path / "e.csv"), "--out_json", str(tmp_path / "e.json"), "--quiet"])
    assert status == 0
    # Scoring the estimate files again gives the same scores. The files hold the beats and their bar positions,
    # not the tracker's tempo estimate: evaluate takes the tempo from the beats (60 / median interval), and
    # knows no meter, so those columns may differ.
    same = ["track_id", *METRIC_NAMES, "Downbeat F-measure", "reference BPM", "error"]
    assert [{k: r[k] for k in same} for r in read_csv(tmp_path / "e.csv")] == [{k: r[k] for k in same} for r in rows]
    assert all(r["meter"] in ("3", "4") for r in rows) and all(r["Downbeat F-measure"] for r in rows)
    assert json.loads((tmp_path / "e.json").read_text())["summary"]["n_tracks"] == len(TRACKS)

    published = tmp_path / "published"
    (published / "Perfect").mkdir(parents=True)
    for tid, period, n in TRACKS:
        (published / "Perfect" / f"{tid}.txt").write_text("".join(f"{t:.6f}\n" for t in click_spectrogram(n, period_frames=period).beat_times_s))
    status = cli(["validate", "--melspec-dir", str(tiny.melspec_dir), "--reference_dir", str(tiny.beats_dir),
                  "--out-dir", str(out), "--baselines", "--published-dir", str(published), "--quiet"])
    assert status == 0
    summary = {r["system"]: r for r in read_csv(out / "summary.csv")}
    assert set(summary) == {"reference", "librosa", "librosa-aligned", "Perfect"}
    assert float(summary["Perfect"]["F-measure"]) == 1.0 and summary["librosa"]["n_tracks"] == str(len(TRACKS))
    # Stock librosa is one frame (46 ms) late on clicks: the timing-sensitive Cemgil shows it, the aligned one not.
    assert float(summary["librosa"]["Cemgil"]) < 0.7 < 0.9 < float(summary["librosa-aligned"]["Cemgil"])
    for baseline in ("librosa", "librosa-aligned"):
        assert len(read_csv(out / "baselines" / baseline / "results.csv")) == len(TRACKS)
    assert (out / "baselines" / "Perfect" / "results.json").is_file()

    from helpers.splits import split_of

    status = cli(["validate", "--melspec-dir", str(tiny.melspec_dir), "--reference_dir", str(tiny.beats_dir),
                  "--out-dir", str(tmp_path / "dev"), "--split", "dev", "--quiet"])
    assert status == 0
    assert sorted(r["track_id"] for r in read_csv(tmp_path / "dev" / "results.csv")) == \
        sorted(t for t, _, _ in TRACKS if split_of(t) == "dev")
    assert json.loads((tmp_path / "dev" / "results.json").read_text())["split"] == "dev"
    assert "(dev split)" in capsys.readouterr().out

    (tiny.melspec_dir / "t1_p10-mel.npy").write_bytes(b"broken")
    status = cli(["validate", "--melspec-dir", str(tiny.melspec_dir), "--reference_dir", str(tiny.beats_dir),
                  "--out-dir", str(out), "--no-cache", "--quiet"])
    assert status == 1 and "t1_p10" in capsys.readouterr().err

    with pytest.raises(HelpersError):
        cli(["validate", "--melspec-dir", str(tmp_path / "nowhere"), "--reference_dir", str(tiny.beats_dir),
             "--out-dir", str(out)])


def test_cli_validate_takes_the_same_tracker_options_as_track(tiny, tmp_path):
    out = tmp_path / "out"
    status = cli(["validate", "--melspec-dir", str(tiny.melspec_dir), "--reference_dir", str(tiny.beats_dir),
                  "--out-dir", str(out), "--tightness", "250", "--no-phase-lock", "--low-band-share", "none",
                  "--quiet"])
    assert status == 0
    params = json.loads((out / "results.json").read_text())["tracker"]["params"]
    assert params["tightness"] == 250.0 and params["phase_lock"] is False and params["low_band_share"] is None
    assert params["gamma"] == TrackerParams().gamma                   # the others keep their defaults
    with pytest.raises(ParameterError, match="--tightness.*not to --tracker librosa"):
        cli(["validate", "--melspec-dir", str(tiny.melspec_dir), "--reference_dir", str(tiny.beats_dir),
             "--out-dir", str(out), "--tracker", "librosa", "--tightness", "250"])


# --------------------------------------------------------------------------- the real annotations
@requires_published
def test_published_systems_means_match_the_harmonix_paper(tmp_path):
    """All five systems x 912 tracks through the `evaluate` command: SOURCE.md's means to 3 decimals."""
    reference_dir = HARMONIX / "dataset" / "beats_and_downbeats"
    for system, (f, cmlt, amlt) in PUBLISHED_MEANS.items():
        csv_path, json_path = tmp_path / f"{system}.csv", tmp_path / f"{system}.json"
        status = cli(["evaluate", "--reference_dir", str(reference_dir),
                      "--estimate_dir", str(HARMONIX / "results" / "beats" / system),
                      "--out_csv", str(csv_path), "--out_json", str(json_path), "--quiet"])
        assert status == 0
        data = json.loads(json_path.read_text())
        assert data["summary"]["n_tracks"] == 912 and data["summary"]["n_failed"] == 0
        mean = data["summary"]["mean"]
        got = (mean["F-measure"], mean["Correct Metric Level Total"], mean["Any Metric Level Total"])
        assert tuple(round(v, 3) for v in got) == (f, cmlt, amlt), system
        assert len(read_csv(csv_path)) == 912


@requires_published
def test_published_rows_equal_mir_eval_on_the_shortest_tracks():
    # (tests/test_evaluate.py compares published estimates with mir_eval itself; this checks the batch path,
    # on the 3 shortest tracks because mir_eval's P-score is quadratic in the duration)
    from helpers.data import load_metadata

    reference_dir = HARMONIX / "dataset" / "beats_and_downbeats"
    meta = load_metadata(HARMONIX / "dataset" / "metadata.csv")
    shortest = sorted(meta, key=lambda t: meta[t].duration_s)[:3]
    results = evaluate_published(HARMONIX / "results" / "beats", reference_dir, systems=["Ellis", "Krebs"],
                                 track_ids=shortest, progress=False)
    for system, res in results.items():
        assert res.track_ids == sorted(shortest)
        for r in res.tracks:
            ref = np.loadtxt(reference_dir / f"{r.track_id}.txt")[:, 0]
            est = np.loadtxt(HARMONIX / "results" / "beats" / system / f"{r.track_id}.txt", ndmin=1)
            expected = mir_eval.beat.evaluate(ref, est)
            for m in METRIC_NAMES:
                assert r.scores[m] == pytest.approx(expected[m], abs=1e-9), (system, r.track_id, m)
