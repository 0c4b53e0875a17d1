"""The fault catalogue (docs/FAULTS.md): what every tool does on bad input or a fault.

Each test checks the parts of the contract that apply to its case, at the level a user
meets it (the Python API, ``run_batch``/``evaluate_directory``, ``python -m helpers ...``):

- the message says what is wrong, which file, and how to fix it;
- the command line exits with status 2 and prints one line (no traceback) for a user
  error, shows the traceback with ``--debug``, and exits with status 1 when some tracks
  failed but the others were processed;
- nothing partial or corrupt is left behind (no ``*.tmp``, previous outputs intact);
- in a batch run every other track is still processed and the failures are listed in
  results.csv / results.json.

The last test reads docs/FAULTS.md and checks that every test it cites exists, so the
catalogue cannot drift from the tests.
"""

from __future__ import annotations

import csv
import errno
import importlib
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import yaml

import helpers.beat
from helpers import fetch, files
from helpers.__main__ import main
from helpers.batch import evaluate_directory, load_results, run_batch
from helpers.data import (
    BEATS_PAST_END_TOLERANCE_S,
    Dataset,
    MelParams,
    load_beats,
    load_melspec,
    load_metadata,
    power_to_db,
    read_params,
)
from helpers.errors import DataError, DataMissingError, DownloadError, HelpersError, OutputError, ParameterError
from helpers.evaluate import evaluate_beats
from helpers.fetch import install_melspecs, load_manifest

from .builders import click_spectrogram, write_beats, write_info
from .conftest import REPO
from .test_fetch import (  # archive builders and the local HTTP server of the fetch tests
    MINI_DURATIONS,
    FileServer,
    _file_member,
    _special,
    build_melspec_tgz,
    mini,  # noqa: F401  (a fixture)
    small_arrays,
)

SR, HOP = 22050, 1024
GOOD = {"g1": (10, 300), "g2": (11, 330), "g3": (12, 360)}   # id: (beat period in frames, n_frames)


# =========================================================================== helpers
def oracle(S_power, *, sr, hop_length, shift_s=0.0, log=None):
    """Reads the clicks back (frames whose loudest band is > 0.5), optionally shifted; logs calls."""
    if log is not None:
        with open(log, "a") as f:
            f.write("call\n")
    return np.flatnonzero(S_power.max(axis=0) > 0.5) * hop_length / sr + shift_s


def fails_on(S_power, *, sr, hop_length, n_frames=330):
    """A tracker with a bug that shows on one track only."""
    if S_power.shape[1] == n_frames:
        raise RuntimeError("index 7 is out of bounds (a bug in the tracker)")
    return oracle(S_power, sr=sr, hop_length=hop_length)


def make_set(root: Path, tracks=GOOD, *, sr=SR, hop=HOP, n_mels=80, **info) -> Dataset:
    """melspecs/ + dataset/beats_and_downbeats/ with click-train tracks and their exact beats."""
    mel, beats = root / "melspecs", root / "dataset" / "beats_and_downbeats"
    write_info(mel, SR=sr, HOP_LENGTH=hop, N_MELS=n_mels, **info)
    beats.mkdir(parents=True, exist_ok=True)
    for tid, (period, n) in tracks.items():
        S, _, times = click_spectrogram(n, period_frames=period, decay=0.3, n_mels=n_mels, sr=sr, hop_length=hop)
        np.save(mel / f"{tid}-mel.npy", S)
        write_beats(beats / f"{tid}.txt", times)
    return Dataset.from_root(root, name=root.name)


@pytest.fixture
def small_set(tmp_path) -> Dataset:
    return make_set(tmp_path / "set")


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_user_error(code: int, err: str, *needles: str) -> None:
    """Exit status 2, exactly one line on stderr, no traceback, and every needle in it."""
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def temp_files(*dirs: Path) -> list[Path]:
    return [p for d in dirs if d.exists() for p in d.rglob("*") if p.name.endswith(".tmp")]


def snapshot(directory: Path, *, skip=("cache", ".lock")) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and not set(p.relative_to(directory).parts) & set(skip)}


def npy_bytes(array, **kwargs) -> bytes:
    import io

    buf = io.BytesIO()
    np.save(buf, array, **kwargs)
    return buf.getvalue()


# =========================================================================== mel-spectrogram files
def _bad_melspecs():
    """case -> (bytes of the file given a good S, what is wrong (regex), the fix (regex))."""
    S = click_spectrogram(300, period_frames=10, decay=0.3).S
    good = npy_bytes(S)
    bad_header = good[:10] + b"{'descr': '<f4', 'fortran_order': False, 'shape': (80, " + b" " * 50
    return {
        "truncated": (good[: len(good) // 2], r"is truncated: \d+ bytes, but its header promises", "download or install it again"),
        "header_only": (good[:128], r"is truncated", "download or install it again"),
        "zero_bytes": (b"", r"is not a \.npy file", "download or install it again"),
        "not_npy": (b"<html>429 Too Many Requests</html>", r"is not a \.npy file", "download or install it again"),
        "corrupt_header": (bad_header, r"is not a readable \.npy file", "download or install it again"),
        "pickle": (npy_bytes(np.array([{"evil": 1}], dtype=object), allow_pickle=True), r"pickled Python object.*refused", r"np\.save\(path, np\.asarray"),
        "nan": (npy_bytes(np.where(np.arange(300) == 7, np.float32(np.nan), S)), r"NaN/Inf values \(first at band 0, frame 7\)", r"Re-compute it|nan_to_num"),
        "inf": (npy_bytes(np.where(np.arange(300) == 9, np.float32(np.inf), S)), r"NaN/Inf", r"Re-compute it|nan_to_num"),
        "negative": (npy_bytes(np.where(np.arange(300) == 5, np.float32(-1.0), S)), r"negative values \(min -1\)", "re-compute or re-install it"),
        "db_ref_max": (npy_bytes(power_to_db(S, ref=float(S.max())).astype(np.float32)), r"looks like a spectrogram in dB", r"librosa\.db_to_power"),
        "db_ref_one": (npy_bytes(power_to_db(100 * S, top_db=None).astype(np.float32)), r"\[-20\.0, 20\.0\].*looks like a spectrogram in dB", r"librosa\.db_to_power"),
        "transposed": (npy_bytes(S.T.copy()), r"shape \(300, 80\) looks transposed", r"Use S\.T"),
        "n_mels": (npy_bytes(click_spectrogram(300, period_frames=10, decay=0.3, n_mels=128).S), r"128 mel bands but info\.json says N_MELS=80", "its own info.json"),
        "empty": (npy_bytes(np.zeros((80, 0), np.float32)), r"is empty \(0 frames\)", "re-create or remove it"),
        "one_d": (npy_bytes(S[0]), r"expected a 2-D array", r"S\.shape == \(n_mels, n_frames\)"),
        "integer": (npy_bytes(S.astype(np.int32)), r"expected floating-point power values, got dtype int32", r"astype\(np\.float32\)"),
    }


BAD_MELSPECS = list(_bad_melspecs())


@pytest.mark.parametrize("case", BAD_MELSPECS)
def test_bad_melspec_is_refused_naming_file_and_fix(small_set, case):
    data, what, fix = _bad_melspecs()[case]
    path = small_set.melspec_dir / f"bad-{case}-mel.npy"
    path.write_bytes(data)
    with pytest.raises(DataError) as info:
        load_melspec(path)        # also what Dataset.load_melspec, track and validate call
    message = str(info.value)
    assert message.startswith(f"{path}: ") and info.value.path == path
    assert re.search(what, message), message
    assert re.search(fix, message), message
    assert isinstance(info.value, ValueError) and isinstance(info.value, HelpersError)


@pytest.mark.parametrize("case", BAD_MELSPECS)
def test_bad_melspec_fails_one_track_and_the_batch_and_cli_go_on(small_set, tmp_path, capsys, case):
    data, what, _ = _bad_melspecs()[case]
    (small_set.melspec_dir / "bad-mel.npy").write_bytes(data)
    write_beats(small_set.beats_path("bad"), [0.5, 1.0, 1.5])
    out = tmp_path / "out"

    result = run_batch(small_set, tracker=oracle, out_dir=out, jobs=1, progress=False)
    assert list(result.failures()) == ["bad"]
    assert "bad-mel.npy" in result.failures()["bad"] and re.search(what, result.failures()["bad"])
    assert all(r.scores["F-measure"] == 1.0 for r in result.tracks if r.track_id != "bad")
    rows = {r["track_id"]: r for r in read_csv(out / "results.csv")}
    assert set(rows) == {"bad", *GOOD} and rows["bad"]["error"].startswith("DataError: ")
    assert rows["bad"]["F-measure"] == "" and all(rows[t]["F-measure"] == "1.0" for t in GOOD)
    summary = json.loads((out / "results.json").read_text())["summary"]
    assert (summary["n_failed"], summary["n_ok"]) == (1, len(GOOD))
    assert sorted(p.name for p in (out / "estimates").iterdir()) == [f"{t}.txt" for t in GOOD]
    assert temp_files(out) == []

    code, _, err = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                       small_set.beats_dir, "--out-dir", tmp_path / "cli", "--jobs", 1, "--quiet")
    assert code == 1 and "failed: bad: DataError: " in err and "bad-mel.npy" in err and "Traceback" not in err
    assert len(read_csv(tmp_path / "cli" / "results.csv")) == len(GOOD) + 1

    code, out_text, err = cli(capsys, "track", "--melspec-dir", small_set.melspec_dir, "--out-dir",
                              tmp_path / "est", "--quiet")
    assert code == 1 and "Traceback" not in err
    assert f"tracked {len(GOOD)} of {len(GOOD) + 1} tracks" in out_text
    assert re.search(r"skipped bad: .*bad-mel\.npy", err)
    assert sorted(p.name for p in (tmp_path / "est").iterdir()) == [f"{t}.txt" for t in GOOD]


def test_pickled_npy_is_never_unpickled_anywhere(small_set, monkeypatch):
    """np.load(allow_pickle=True) appears nowhere in the package, and no loader calls pickle."""
    import pickle

    for source in (REPO / "helpers").rglob("*.py"):          # sub-packages too (helpers/data/)
        assert "allow_pickle=True" not in source.read_text(encoding="utf-8"), source
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    path = small_set.melspec_path("g1")
    path.write_bytes(npy_bytes(np.array([object()], dtype=object), allow_pickle=True))
    for load in (lambda: load_melspec(path), lambda: load_melspec(path, mmap=True),
                 lambda: small_set.load_melspec("g1"), lambda: small_set.duration_s("g1")):
        with pytest.raises(DataError, match="pickled"):
            load()


# =========================================================================== info.json
def test_missing_info_json_is_a_clear_error_everywhere(small_set, tmp_path, capsys):
    (small_set.melspec_dir / "info.json").unlink()
    with pytest.raises(DataMissingError, match=r"no info\.json.*SR, N_MELS.*python -m helpers data status"):
        read_params(small_set.melspec_dir)
    with pytest.raises(DataMissingError, match="no info.json"):
        load_melspec(small_set.melspec_path("g1"))
    with pytest.raises(DataMissingError, match="no info.json"):
        run_batch(small_set, tracker=oracle, jobs=1, progress=False)
    for command in (["track", "--melspec-dir", small_set.melspec_dir, "--out-dir", tmp_path / "o", "--quiet"],
                    ["validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir", small_set.beats_dir,
                     "--out-dir", tmp_path / "o", "--quiet"]):
        code, _, err = cli(capsys, *command)
        assert_user_error(code, err, str(small_set.melspec_dir), "no info.json")
        with pytest.raises(DataMissingError):
            main(["--debug", *map(str, command)])
    assert not (tmp_path / "o").exists()          # nothing written
    code, _, err = cli(capsys, "track", "--melspec-dir", tmp_path / "nowhere", "--out-dir", tmp_path / "o")
    assert_user_error(code, err, str(tmp_path / "nowhere"), "no such folder")


@pytest.mark.parametrize("content, what, fix", [
    ("{not json", "not valid JSON", "restore the original info.json"),
    ("[22050, 80]", r"expected a JSON object with keys \['HOP_LENGTH'.*got list", "restore the original info.json"),
    (json.dumps({"SR": 22050, "N_MELS": 80}), "missing key 'N_FFT'", "the Harmonix file has SR 22050"),
    (json.dumps({"SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": "1024", "MEL_FMIN": 0, "MEL_FMAX": None}),
     "'HOP_LENGTH' must be an integer, got '1024'", "plain JSON number"),
    (json.dumps({"SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": 0, "MEL_FMIN": 0, "MEL_FMAX": None}),
     "impossible parameters.*hop_length", "restore the original info.json"),
    (json.dumps({"SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": 1024, "MEL_FMIN": 0, "MEL_FMAX": 30000}),
     "impossible parameters.*fmax", "restore the original info.json"),
], ids=["not_json", "not_object", "missing_key", "string_number", "zero_hop", "fmax_above_nyquist"])
def test_malformed_info_json_names_the_file_key_and_fix(small_set, tmp_path, capsys, content, what, fix):
    info = small_set.melspec_dir / "info.json"
    info.write_text(content)
    with pytest.raises(DataError) as err:
        read_params(small_set.melspec_dir)
    assert str(err.value).startswith(f"{info}: ") and re.search(what, str(err.value))
    assert re.search(fix, str(err.value))
    code, _, err_text = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                            small_set.beats_dir, "--out-dir", tmp_path / "o", "--quiet")
    assert_user_error(code, err_text, str(info))
    with pytest.raises(DataError):
        main(["--debug", "track", "--melspec-dir", str(small_set.melspec_dir), "--out-dir", str(tmp_path / "o")])


def test_other_valid_parameters_just_work(tmp_path, capsys):
    """256 bands, sr 24000, hop 512 (46.875 frames/s): every tool reads them from info.json."""
    sr, hop = 24000, 512
    tracks = {"a": (24, 1400), "b": (20, 1200)}   # 117 and 141 BPM, 30 and 26 s
    ds = make_set(tmp_path / "other", tracks, sr=sr, hop=hop, n_mels=256, N_FFT=1024, MEL_FMAX=12000)
    assert ds.params == MelParams(sr=sr, hop_length=hop, n_fft=1024, n_mels=256, fmin=0.0, fmax=12000.0)
    assert "256 mel bands" in ds.describe() and "46.88 frames/s" in ds.describe()
    assert ds.load_melspec("a").shape == (256, 1400)
    assert ds.duration_s("a") == pytest.approx(1400 * hop / sr)

    result = run_batch(ds, tracker=oracle, jobs=1, progress=False)
    assert result.n_failed == 0 and all(r.scores["F-measure"] == 1.0 for r in result.tracks)
    assert result.config["data"]["mel_params"]["SR"] == sr

    code, _, err = cli(capsys, "track", "--melspec-dir", ds.melspec_dir, "--out-dir", tmp_path / "est", "--quiet")
    assert code == 0, err
    for tid, (period, n) in tracks.items():
        truth = click_spectrogram(n, period_frames=period, sr=sr, hop_length=hop).beat_times_s   # with THESE parameters
        est = load_beats(tmp_path / "est" / f"{tid}.txt").times_s
        inner = est[(est > 3) & (est < truth[-1] - 2)]
        assert inner.size > 10 and np.abs(inner[:, None] - truth[None, :]).min(axis=1).max() < 0.03

    code, _, err = cli(capsys, "validate", "--melspec-dir", ds.melspec_dir, "--reference_dir", ds.beats_dir,
                       "--out-dir", tmp_path / "val", "--jobs", 1, "--quiet")
    assert code == 0, err
    assert all(float(r["F-measure"]) > 0.9 for r in read_csv(tmp_path / "val" / "results.csv"))


# =========================================================================== short tracks
def test_tracks_shorter_than_the_trim_are_scored_zero_with_a_warning(small_set, tmp_path, capsys):
    for tid, n_frames, beats in (("short_3s", 65, [0.5, 1.0, 1.5, 2.0, 2.5]), ("one_frame", 1, [0.02])):
        S = click_spectrogram(n_frames, click_frames=[0]).S
        np.save(small_set.melspec_path(tid), S)
        write_beats(small_set.beats_path(tid), beats)
    with warnings.catch_warnings():
        warnings.simplefilter("error")       # the batch records the warnings, it does not emit them
        result = run_batch(small_set, tracker=oracle, out_dir=tmp_path / "out", jobs=1, progress=False)
    assert result.n_failed == 0
    for tid in ("short_3s", "one_frame"):
        r = result[tid]
        assert r.ok and set(r.scores.values()) == {0.0}
        assert any("reference beats are empty after trimming beats before trim_s=5 s" in w for w in r.warnings)
    rows = {r["track_id"]: r for r in json.loads((tmp_path / "out" / "results.json").read_text())["rows"]}
    assert rows["short_3s"]["warnings"] and rows["short_3s"]["error"] is None
    code, _, err = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                       small_set.beats_dir, "--out-dir", tmp_path / "cli", "--jobs", 1, "--quiet")
    assert code == 0 and "warning: one_frame: Degenerate beat sequences" in err and "Traceback" not in err


# =========================================================================== beat files
BAD_BEATS = {
    # case: (file content, what is wrong, the fix, line or None)
    "empty": (b"", "is empty", "one beat per line", None),
    "blank_lines": (b"\n \n\t\n", "is empty", "one beat per line", None),
    "header": (b"time\tbeat\tbar\n0.5\t1\t1\n", "'time' is not a number", "header line.*Remove it", 1),
    "commas": (b"0.5,1,1\n1.0,2,1\n", "'0.5,1,1' is not a number", "replace the commas", 1),
    "not_increasing": (b"0.5\n1.0\n0.9\n", "0.9 is earlier than the previous one", "Sort the file", 3),
    "duplicates": (b"0.5\n1.0\n1.0\n", "duplicates the previous time", "remove duplicates", 3),
    "negative": (b"-0.5\n1.0\n", "negative beat time -0.5", "remove that line", 1),
    "frame_numbers": (b"11\n22\n33\n44\n55\n", "look like frame indices, not seconds", r"frames_to_time\(frames", None),
    "ragged": (b"0.5 1 1\n1.0 2\n", "has 2 columns where earlier lines have 3", "same columns", 2),
    "nan": (b"0.5\nnan\n", "'nan' is not finite", "Remove or correct that line", 2),
    "fractional_position": (b"0.5 1.5 1\n", "'1.5' is not a whole number", "count 1, 2, 3", 1),
    "not_utf8": (b"0.5\n\xff\xfe1.0\n", "is not UTF-8 text", "save the beat annotation file as UTF-8", None),
}


@pytest.mark.parametrize("case", list(BAD_BEATS))
def test_bad_beat_file_is_refused_naming_file_line_and_fix(tmp_path, case):
    data, what, fix, line = BAD_BEATS[case]
    path = tmp_path / "beats ü" / f"{case}.txt"
    path.parent.mkdir()
    path.write_bytes(data)
    with pytest.raises(DataError) as info:
        load_beats(path)
    message = str(info.value)
    where = f"{path}, line {line}: " if line else f"{path}: "
    assert message.startswith(where), message
    assert info.value.line == line and info.value.path == path
    assert re.search(what, message) and re.search(fix, message), message


@pytest.mark.parametrize("case", list(BAD_BEATS))
def test_bad_reference_or_estimate_file_fails_one_track_only(small_set, tmp_path, capsys, case):
    data, what, _, _ = BAD_BEATS[case]
    S = click_spectrogram(300, period_frames=10, decay=0.3).S
    np.save(small_set.melspec_path("bad"), S)
    small_set.beats_path("bad").write_bytes(data)
    result = run_batch(small_set, tracker=oracle, out_dir=tmp_path / "out", jobs=1, progress=False)
    assert list(result.failures()) == ["bad"] and re.search(what, result.failures()["bad"])
    assert f"{small_set.beats_path('bad')}" in result.failures()["bad"]
    assert result.n_failed == 1 and all(r.scores["F-measure"] == 1.0 for r in result.tracks if r.ok)
    assert read_csv(tmp_path / "out" / "results.csv")[0]["error"].startswith("DataError: ")

    # the same file as an ESTIMATE: evaluate lists it and scores the others
    references, estimates = tmp_path / "ref", tmp_path / "est"
    references.mkdir()
    estimates.mkdir()
    for tid in [*GOOD, "bad"]:
        times = small_set.load_beats(tid if tid != "bad" else "g1").times_s
        write_beats(references / f"{tid}.txt", times)
        (estimates / f"{tid}.txt").write_text("".join(f"{t:.6f}\n" for t in times))
    (estimates / "bad.txt").write_bytes(data)
    code, _, err = cli(capsys, "evaluate", "--reference_dir", references, "--estimate_dir", estimates,
                       "--out_csv", tmp_path / "e.csv", "--out_json", tmp_path / "e.json", "--quiet")
    rows = {r["track_id"]: r for r in read_csv(tmp_path / "e.csv")}
    assert all(rows[t]["F-measure"] == "1.0" for t in GOOD)
    if case in ("empty", "blank_lines"):   # an empty estimate = "found no beat": scored 0, with a warning
        assert code == 0 and rows["bad"]["F-measure"] == "0.0" and "warning: bad: Degenerate" in err
    else:
        assert code == 1 and "failed: bad: DataError: " in err and "bad.txt" in err and "Traceback" not in err


def test_beats_running_past_the_end_of_the_track(small_set, tmp_path, capsys):
    period, n = GOOD["g2"]
    duration_s = small_set.duration_s("g2")
    write_beats(small_set.beats_path("g2"), np.arange(0.5, duration_s + 20, 0.5))   # another, longer track's beats
    with pytest.raises(DataError) as info:
        small_set.load_beats("g2")
    message = str(info.value)
    assert message.startswith(f"{small_set.beats_path('g2')}: ") and "after the end of the track" in message
    assert str(small_set.melspec_path("g2")) in message and f"lasts {duration_s:.3f} s" in message
    assert "check that both are the same track" in message
    assert len(load_beats(small_set.beats_path("g2"))) > 0   # the file alone is fine: only the pair is wrong

    result = run_batch(small_set, tracker=oracle, out_dir=tmp_path / "out", jobs=1, progress=False)
    assert list(result.failures()) == ["g2"] and "after the end of the track" in result.failures()["g2"]
    code, _, err = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                       small_set.beats_dir, "--out-dir", tmp_path / "cli", "--jobs", 1, "--quiet")
    assert code == 1 and "failed: g2: DataError" in err

    # within the tolerance (rounding, codec padding) it is accepted
    write_beats(small_set.beats_path("g2"), [1.0, duration_s + BEATS_PAST_END_TOLERANCE_S - 0.1])
    assert len(small_set.load_beats("g2")) == 2


def test_frame_numbers_instead_of_seconds_are_caught_at_every_door(tmp_path):
    frames = np.arange(108, 2000, 11)          # 120 BPM at 21.5 frames/s, as frame numbers
    with pytest.raises(ParameterError, match=r"did you pass frame indices instead of seconds\?.*frames_to_time"):
        evaluate_beats(frames * HOP / SR, frames)
    path = tmp_path / "frames.txt"
    path.write_text("".join(f"{f}\n" for f in frames))
    with pytest.raises(DataError, match="frame indices"):
        load_beats(path)
    single = tmp_path / "one.txt"
    single.write_text("5000\n")                # one value: still named, no crash while reporting it
    with pytest.raises(DataError, match=r"whole numbers 5000, up to 5000"):
        load_beats(single)


# =========================================================================== metadata.csv
META_HEADER = "File,Title,Artist,Release,Duration,BPM,Ratio Bars in 4,Time Signature,Genre,MusicBrainz Id,Acoustid Id\n"
BAD_METADATA = {
    "missing_columns": ("File,Duration,BPM\ng1,14.0,120\n", r"missing column\(s\) \['Time Signature', 'Genre'\]", "fetch annotations --force", 1),
    "semicolons": (META_HEADER.replace(",", ";") + "g1;T;A;R;14.0;120;1;4|4;Pop;;\n", "missing column", "comma-separated", 1),
    "bad_number": (META_HEADER + "g1,T,A,R,14.0 s,120,1,4|4,Pop,,\n", "Duration '14.0 s' is not a number", "Correct that cell", 2),
    "empty_bpm": (META_HEADER + "g1,T,A,R,14.0,,1,4|4,Pop,,\n", "BPM '' is not a number", "Correct that cell", 2),
    "negative_bpm": (META_HEADER + "g1,T,A,R,14.0,-120,1,4|4,Pop,,\n", "must be positive", "Correct that cell", 2),
    "infinite": (META_HEADER + "g1,T,A,R,inf,120,1,4|4,Pop,,\n", "'inf' is not finite", "Correct that cell", 2),
    "duplicate_id": (META_HEADER + "g1,T,A,R,14.0,120,1,4|4,Pop,,\n" * 2, "appears twice", "remove one of the rows", 3),
    "unquoted_comma": (META_HEADER + "g1,Hello, World,A,R,14.0,120,1,4|4,Pop,,\n", "has 12 fields where the header has 11", "unquoted comma", 2),
}


@pytest.mark.parametrize("case", list(BAD_METADATA))
def test_bad_metadata_csv_names_the_line_and_fix(small_set, tmp_path, case):
    text, what, fix, line = BAD_METADATA[case]
    path = small_set.annotation_dir / "metadata.csv"
    path.write_text(text, encoding="utf-8")
    for load in (lambda: load_metadata(path), lambda: Dataset.from_root(small_set.root_dir).metadata):
        with pytest.raises(DataError) as info:
            load()
        assert str(info.value).startswith(f"{path}, line {line}: ") and info.value.line == line
        assert re.search(what, str(info.value)) and re.search(fix, str(info.value)), str(info.value)
    # the batch does not need metadata: a broken metadata.csv does not stop it
    assert run_batch(small_set, tracker=oracle, jobs=1, progress=False).n_failed == 0


# =========================================================================== pairing and names
def test_unpaired_melspecs_and_beats_are_listed_not_dropped(small_set, tmp_path, capsys):
    np.save(small_set.melspec_path("mel_only"), click_spectrogram(300, period_frames=10, decay=0.3).S)
    write_beats(small_set.beats_path("beats_only"), [0.5, 1.0])
    assert small_set.track_ids == sorted(GOOD)
    assert small_set.unpaired.melspec_only == ("mel_only",) and small_set.unpaired.annotation_only == ("beats_only",)

    result = run_batch(small_set, tracker=oracle, out_dir=tmp_path / "out", jobs=1, progress=False)
    unpaired = json.loads((tmp_path / "out" / "results.json").read_text())["data"]["unpaired"]
    assert unpaired == {"melspec_only": ["mel_only"], "annotation_only": ["beats_only"]}
    assert result.n_failed == 0 and len(result) == len(GOOD)
    code, _, err = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                       small_set.beats_dir, "--out-dir", tmp_path / "cli", "--jobs", 1, "--quiet")
    assert code == 0
    assert "1 mel-spectrogram(s) without a beat file, not evaluated: mel_only" in err
    assert "1 beat file(s) without a mel-spectrogram, not evaluated: beats_only" in err

    estimates = tmp_path / "est"           # evaluate: a reference without an estimate is a failed track
    estimates.mkdir()
    for tid in ["g1", "g2", "stray"]:
        (estimates / f"{tid}.txt").write_text("1.0\n2.0\n")
    code, _, err = cli(capsys, "evaluate", "--reference_dir", small_set.beats_dir, "--estimate_dir", estimates,
                       "--out_csv", tmp_path / "e.csv", "--out_json", tmp_path / "e.json", "--quiet")
    rows = {r["track_id"]: r["error"] for r in read_csv(tmp_path / "e.csv")}
    assert code == 1 and "no estimate file" in rows["g3"] and "no estimate file" in rows["beats_only"]
    assert "1 estimate file(s) without a reference, not evaluated: stray" in err


def test_names_with_spaces_and_non_ascii_work_everywhere(tmp_path, capsys):
    tracks = {"0001 Beyoncé – Halo": (10, 300), "0002 日本語の曲": (11, 330), "0003 it's (live)": (12, 360)}
    ds = make_set(tmp_path / "données et espaces", tracks)
    assert ds.track_ids == sorted(tracks)
    result = run_batch(ds, tracker=oracle, out_dir=tmp_path / "out ü", jobs=2, progress=False)
    assert result.n_failed == 0 and load_results(tmp_path / "out ü").track_ids == sorted(tracks)
    assert [r["track_id"] for r in read_csv(tmp_path / "out ü" / "results.csv")] == sorted(tracks)

    code, _, err = cli(capsys, "validate", "--melspec-dir", ds.melspec_dir, "--reference_dir", ds.beats_dir,
                       "--out-dir", tmp_path / "val ü", "--jobs", 1, "--quiet")
    assert code == 0, err
    code, _, err = cli(capsys, "track", "--melspec-dir", ds.melspec_dir, "--out-dir", tmp_path / "trk ü", "--quiet")
    assert code == 0 and sorted(p.stem for p in (tmp_path / "trk ü").iterdir()) == sorted(tracks)
    code, _, err = cli(capsys, "evaluate", "--reference_dir", ds.beats_dir, "--estimate_dir",
                       tmp_path / "out ü" / "estimates", "--out_csv", tmp_path / "é.csv", "--out_json",
                       tmp_path / "é.json", "--quiet")
    assert code == 0 and {r["track_id"] for r in read_csv(tmp_path / "é.csv")} == set(tracks)


# =========================================================================== archives, checksums, downloads
def _evil(kind: str, outside: Path):
    if kind == "dotdot":
        return _file_member("melspecs/../../outside/evil.txt", 4), b"evil", "'..' in path"
    if kind == "absolute":
        return _file_member(str(outside / "abs.txt"), 4), b"evil", "absolute path"
    if kind == "symlink":
        return _special("melspecs/0004_x-mel.npy", tarfile.SYMTYPE, "/etc/passwd"), None, "symbolic link"
    if kind == "hardlink":
        return _special("melspecs/0004_x-mel.npy", tarfile.LNKTYPE, "melspecs/0001_alpha-mel.npy"), None, "hard link"
    if kind == "device":
        return _special("melspecs/null", tarfile.CHRTYPE), None, "device, FIFO"
    return _special("melspecs/pipe", tarfile.FIFOTYPE), None, "device, FIFO"


@pytest.mark.parametrize("kind", ["dotdot", "absolute", "symlink", "hardlink", "device", "fifo"])
def test_unsafe_archive_is_refused_at_the_command_line(tmp_path, capsys, kind):
    outside = tmp_path / "outside"
    member, data, what = _evil(kind, outside)
    tgz = build_melspec_tgz(tmp_path / "evil ü.tgz", small_arrays(), extra_members=[(member, data)])
    root = tmp_path / "data"
    code, _, err = cli(capsys, "data", "--root", root, "--quiet", "install-melspecs", tgz)
    assert_user_error(code, err, str(tgz), member.name, what, "Nothing was installed")
    assert not root.exists() or list(root.rglob("*")) == []
    assert not outside.exists()
    with pytest.raises(DownloadError):
        main(["--debug", "data", "--root", str(root), "--quiet", "install-melspecs", str(tgz)])


def _manifest_with(tmp_path, monkeypatch, *, melspec_sha256=None, annotations=None):
    manifest = annotations if annotations is not None else load_manifest()
    manifest = json.loads(json.dumps({k: v for k, v in manifest.items() if k != "_path"}))
    manifest["datasets"]["melspecs"]["expected"]["arrays"] = 3
    manifest["datasets"]["melspecs"]["source"]["sha256"] = melspec_sha256
    path = tmp_path / "manifest.yaml"
    path.write_text(yaml.safe_dump(manifest))
    monkeypatch.setattr(fetch.manifest, "MANIFEST_PATH", path)
    return load_manifest(path)


def test_checksum_mismatch_is_refused_and_installs_nothing(tmp_path, capsys, monkeypatch, mini):
    tgz = build_melspec_tgz(tmp_path / "Harmonix_melspecs.tgz", small_arrays())
    right = fetch.file_sha256(tgz)
    wrong = "0" * 64
    manifest = _manifest_with(tmp_path, monkeypatch, melspec_sha256=wrong)
    root = tmp_path / "data"
    with pytest.raises(DownloadError) as info:
        install_melspecs(tgz, root=root, manifest=manifest, durations=MINI_DURATIONS, progress=False)
    message = str(info.value)
    assert str(tgz) in message and right in message and wrong in message and "Download it again" in message
    assert not root.exists() or list(root.rglob("*")) == []
    code, _, err = cli(capsys, "data", "--root", root, "--quiet", "install-melspecs", tgz)
    assert_user_error(code, err, str(tgz), "differs from the manifest")

    manifest = _manifest_with(tmp_path, monkeypatch, melspec_sha256=right)    # the right one installs
    install_melspecs(tgz, root=root, manifest=manifest, durations=MINI_DURATIONS, progress=False)
    assert len(list((root / "harmonix" / "melspecs").glob("*-mel.npy"))) == 3

    bad = load_manifest()                                    # a malformed checksum in the manifest
    bad["datasets"]["melspecs"]["source"]["sha256"] = "not-a-digest"
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump({k: v for k, v in bad.items() if k != "_path"}))
    with pytest.raises(DataError, match=r"datasets\.melspecs\.source\.sha256.*64 hex"):
        load_manifest(tmp_path / "bad.yaml")

    # the annotation archive, when its sha256 is recorded: refused, and no partial download kept
    ann_manifest, body, _ = mini
    ann_manifest["datasets"]["annotations"]["source"]["sha256"] = wrong
    with FileServer({"/a.tgz": body}) as srv:
        with pytest.raises(DownloadError, match=f"sha256 .* differs from the manifest's {wrong}"):
            fetch.fetch_annotations(url=srv.url("/a.tgz"), root=tmp_path / "ann", manifest=ann_manifest,
                                    progress=False)
    assert not (tmp_path / "ann" / "harmonix" / "dataset").exists()
    assert [p.name for p in (tmp_path / "ann").rglob("*") if p.is_file()] == []


def test_interrupted_download_at_the_command_line(tmp_path, capsys, monkeypatch, mini):
    """The server drops every connection half-way: one line, exit 2, nothing installed, the
    partial file kept (the server supports resuming); the next run resumes and installs."""
    manifest, body, _ = mini
    _manifest_with(tmp_path, monkeypatch, annotations=manifest)
    monkeypatch.setattr(fetch.download, "RETRY_BACKOFF_S", (0.0,))
    root = tmp_path / "data"
    with FileServer({"/a.tgz": body}, cut=-1) as srv:
        code, _, err = cli(capsys, "data", "--root", root, "--quiet", "fetch", "annotations", "--url", srv.url("/a.tgz"))
        port = srv.httpd.server_address[1]
    assert_user_error(code, err, "failed after 4 attempts", "Nothing was installed", "running the command again resumes it")
    assert not (root / "harmonix" / "dataset").exists()
    assert [p.name for p in (root / "harmonix").glob(".download-*.part")]
    with FileServer({"/a.tgz": body}, port=port) as srv:
        code, out, err = cli(capsys, "data", "--root", root, "--quiet", "fetch", "annotations", "--url", srv.url("/a.tgz"))
    assert code == 0, err
    assert srv.requests[0][1] is not None and srv.requests[0][1].startswith("bytes=")   # resumed
    assert list((root / "harmonix").glob(".download-*")) == []


# =========================================================================== Ctrl-C
SLOW_CLI = """
import sys, time
import helpers.batch as batch
real = batch._call_tracker
def slow(*args, **kwargs):
    time.sleep(0.3)
    return real(*args, **kwargs)
batch._call_tracker = slow      # module level: worker processes that import this script patch too
if __name__ == "__main__":
    from helpers.__main__ import main
    sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGINT are POSIX")
def test_ctrl_c_in_the_middle_of_validate_keeps_the_cache_and_the_next_run_resumes(tmp_path, capsys):
    tracks = {f"t{i:02d}": (10 + i % 3, 300 + 10 * i) for i in range(10)}
    ds = make_set(tmp_path / "set", tracks)
    out = tmp_path / "out"
    script = tmp_path / "slow_cli.py"
    script.write_text(SLOW_CLI)
    argv = ["validate", "--melspec-dir", ds.melspec_dir, "--reference_dir", ds.beats_dir, "--out-dir", out,
            "--jobs", 2, "--quiet"]
    proc = subprocess.Popen([sys.executable, str(script), *map(str, argv)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(list((out / "cache").glob("*.json"))) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)     # what Ctrl-C in a terminal does: the whole group
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "run again to resume" in err and "interrupted" in err and "Traceback" not in err
    assert not (out / "results.csv").exists() and not (out / "results.json").exists()
    entries = list((out / "cache").glob("*.json"))
    assert 2 <= len(entries) < len(tracks)
    assert all(json.loads(e.read_text())["scores"]["F-measure"] > 0.9 for e in entries)   # complete entries
    assert temp_files(out) == []

    code, _, err = cli(capsys, "validate", *map(str, argv[1:]))
    assert code == 0, err
    data = json.loads((out / "results.json").read_text())
    assert data["run"]["n_from_cache"] == len(entries) and data["run"]["n_tracked"] == len(tracks) - len(entries)


# =========================================================================== unwritable outputs
@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only: chmod, and where that does not stop writes (root), a simulated
    PermissionError for every file written into it through helpers.files."""
    made = []

    def make(directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o555)
        made.append(directory)
        probe = directory / "probe"
        try:
            probe.write_text("x")
        except PermissionError:
            return directory                       # chmod is enough
        probe.unlink()
        real = files._write_file

        def denied(path, text):
            if directory == Path(path).parent or directory in Path(path).parents:
                raise PermissionError(errno.EACCES, "Permission denied", str(path))
            return real(path, text)

        monkeypatch.setattr(files, "_write_file", denied)
        return directory

    yield make
    for d in made:
        os.chmod(d, 0o755)


def test_read_only_output_folder_is_reported_before_any_work(small_set, tmp_path, capsys, read_only):
    out = read_only(tmp_path / "results")
    log = tmp_path / "calls.log"
    with pytest.raises(OutputError) as info:
        run_batch(small_set, tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, jobs=1, progress=False)
    message = str(info.value)
    assert str(out) in message and "Permission denied" in message and "--out-dir" in message
    assert info.value.errno == errno.EACCES and isinstance(info.value, OSError)
    assert not log.exists()                      # nothing was tracked
    assert list(out.iterdir()) == []

    result = run_batch(small_set, tracker=oracle, jobs=1, progress=False)
    with pytest.raises(OutputError, match="Permission denied"):
        result.save(out)
    assert list(out.iterdir()) == []

    for command in (["track", "--melspec-dir", small_set.melspec_dir, "--out-dir", out, "--quiet"],
                    ["validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir", small_set.beats_dir,
                     "--out-dir", out, "--jobs", 1, "--quiet"],
                    ["evaluate", "--reference_dir", small_set.beats_dir, "--estimate_dir", small_set.beats_dir,
                     "--out_csv", out / "e.csv", "--out_json", out / "e.json", "--quiet"]):
        code, _, err = cli(capsys, *command)
        assert_user_error(code, err, str(out), "Permission denied", "writable")
        with pytest.raises(OutputError):
            main(["--debug", *map(str, command)])
    assert list(out.iterdir()) == []


def test_a_file_in_the_way_of_the_output_folder(small_set, tmp_path, capsys):
    blocker = tmp_path / "results"
    blocker.write_text("not a folder")
    code, _, err = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                       small_set.beats_dir, "--out-dir", blocker / "run1", "--quiet")
    assert_user_error(code, err, str(blocker / "run1"), "another output folder")
    assert blocker.read_text() == "not a folder"


def _fill_disk(monkeypatch, when):
    """Simulate a full disk: writing a file whose path matches ``when`` writes half, then ENOSPC."""
    real = files._write_file

    def full(path, text):
        if when(Path(path)):
            with open(path, "x", encoding="utf-8") as f:
                f.write(text[: len(text) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, text)

    monkeypatch.setattr(files, "_write_file", full)


def test_disk_full_while_writing_a_file_keeps_the_old_one(tmp_path, monkeypatch):
    target = tmp_path / "results ü.csv"
    files.write_text_atomic(target, "complete old results\n")
    _fill_disk(monkeypatch, lambda p: True)
    with pytest.raises(OutputError) as info:
        files.write_text_atomic(target, "new results\n" * 1000)
    assert str(target) in str(info.value) and "the disk is full" in str(info.value)
    assert "Free some space" in str(info.value) and info.value.errno == errno.ENOSPC
    assert target.read_text() == "complete old results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["results ü.csv"]


@pytest.mark.parametrize("fails_on", ["estimate", "results.csv", "results.json"])
def test_disk_full_while_publishing_batch_results_leaves_the_previous_run_intact(
        small_set, tmp_path, capsys, monkeypatch, fails_on):
    out = tmp_path / "out"
    run_batch(small_set, tracker=oracle, out_dir=out, jobs=1, progress=False)
    before = snapshot(out)
    assert set(before) == {"results.csv", "results.json", *(f"estimates/{t}.txt" for t in GOOD)}
    match = {"estimate": lambda p: p.parent.name == "estimates" and "g2.txt" in p.name,
             "results.csv": lambda p: "results.csv" in p.name,
             "results.json": lambda p: "results.json" in p.name}[fails_on]
    _fill_disk(monkeypatch, match)
    new_run = dict(tracker=oracle, tracker_params={"shift_s": 0.02}, out_dir=out, jobs=1, progress=False)
    with pytest.raises(OutputError) as info:
        run_batch(small_set, **new_run)
    assert "the disk is full" in str(info.value)
    name = "g2.txt" if fails_on == "estimate" else fails_on
    assert name in str(info.value)
    assert snapshot(out) == before                 # the previous run's outputs, untouched
    assert temp_files(out) == []

    code, _, err = cli(capsys, "validate", "--melspec-dir", small_set.melspec_dir, "--reference_dir",
                       small_set.beats_dir, "--out-dir", out, "--jobs", 1, "--quiet")
    assert_user_error(code, err, name, "the disk is full")
    assert snapshot(out) == before and temp_files(out) == []

    monkeypatch.undo()                            # space freed: the run completes from its cache
    again = run_batch(small_set, **new_run)
    assert again.n_from_cache == len(GOOD) and snapshot(out) != before


def test_disk_full_in_the_track_command_stops_with_one_line(small_set, tmp_path, capsys, monkeypatch):
    out = tmp_path / "est"
    _fill_disk(monkeypatch, lambda p: "g2.txt" in p.name)
    code, _, err = cli(capsys, "track", "--melspec-dir", small_set.melspec_dir, "--out-dir", out, "--quiet")
    assert_user_error(code, err, str(out / "g2.txt"), "the disk is full")
    assert [p.name for p in out.iterdir()] == ["g1.txt"]        # complete files only, no temporary
    assert load_beats(out / "g1.txt").times_s.size > 10


def test_disk_full_while_writing_the_cache_keeps_the_results(small_set, tmp_path, monkeypatch):
    _fill_disk(monkeypatch, lambda p: p.parent.name == "cache" and ".json." in p.name)   # entries only
    result = run_batch(small_set, tracker=oracle, out_dir=tmp_path / "out", jobs=1, progress=False)
    assert result.n_failed == 0 and all(r.scores["F-measure"] == 1.0 for r in result.tracks)
    assert all(any(w.startswith("not cached: ") and "the disk is full" in w for w in r.warnings) for r in result.tracks)
    assert list((tmp_path / "out" / "cache").iterdir()) == []
    assert len(read_csv(tmp_path / "out" / "results.csv")) == len(GOOD)


# =========================================================================== the cache and the trackers
def test_a_damaged_cache_entry_is_ignored_and_rewritten(small_set, tmp_path):
    out, log = tmp_path / "out", tmp_path / "calls.log"
    kw = dict(tracker=oracle, tracker_params={"log": str(log)}, out_dir=out, jobs=1, progress=False)
    first = run_batch(small_set, **kw)
    entries = sorted((out / "cache").glob("*.json"))
    entries[0].write_text(entries[0].read_text()[:40])      # truncated by a crash of another tool
    entries[1].write_bytes(b"\x00\xff garbage")
    again = run_batch(small_set, **kw)
    assert sorted(r.source for r in again.tracks) == ["cache", "tracked", "tracked"]
    assert again.rows() == first.rows()
    for e in entries:
        json.loads(e.read_text())                           # rewritten, valid
    assert len(log.read_text().splitlines()) == len(GOOD) + 2


def test_a_tracker_that_raises_fails_its_track_only(small_set, tmp_path, capsys, monkeypatch):
    result = run_batch(small_set, tracker=fails_on, out_dir=tmp_path / "out", jobs=2, progress=False)
    assert list(result.failures()) == ["g2"] and result.failures()["g2"].startswith("RuntimeError: index 7")
    assert read_csv(tmp_path / "out" / "results.csv")[1]["error"].startswith("RuntimeError")

    real = helpers.beat.run_tracker

    def buggy(S_power, **kwargs):
        if S_power.shape[1] == GOOD["g2"][1]:
            raise IndexError("index 7 is out of bounds")
        return real(S_power, **kwargs)

    monkeypatch.setattr(helpers.beat, "run_tracker", buggy)
    code, _, err = cli(capsys, "track", "--melspec-dir", small_set.melspec_dir, "--out-dir", tmp_path / "est", "--quiet")
    assert code == 1 and re.search(r"skipped g2: .*g2-mel\.npy: IndexError: index 7", err) and "Traceback" not in err
    assert sorted(p.name for p in (tmp_path / "est").iterdir()) == ["g1.txt", "g3.txt"]
    with pytest.raises(IndexError):
        main(["--debug", "track", "--melspec-dir", str(small_set.melspec_dir), "--out-dir", str(tmp_path / "e2"), "--quiet"])


def test_missing_data_and_folders_say_how_to_get_them(small_set, tmp_path, capsys):
    code, _, err = cli(capsys, "validate", "--melspec-dir", tmp_path / "nowhere", "--reference_dir",
                       small_set.beats_dir, "--out-dir", tmp_path / "o", "--quiet")
    assert_user_error(code, err, str(tmp_path / "nowhere"))
    code, _, err = cli(capsys, "evaluate", "--reference_dir", tmp_path / "no refs", "--estimate_dir",
                       small_set.beats_dir, "--out_csv", tmp_path / "e.csv", "--out_json", tmp_path / "e.json")
    assert_user_error(code, err, str(tmp_path / "no refs"), "no such reference directory")
    empty = tmp_path / "empty"
    write_info(empty)
    code, _, err = cli(capsys, "track", "--melspec-dir", empty, "--out-dir", tmp_path / "o")
    assert_user_error(code, err, "no *-mel.npy files")
    with pytest.raises(DataMissingError):
        evaluate_directory(tmp_path / "no refs", small_set.beats_dir, progress=False)
    assert not (tmp_path / "o").exists() and not (tmp_path / "e.csv").exists()


def test_debug_flag_shows_the_traceback_in_a_real_process(tmp_path):
    argv = [sys.executable, "-m", "helpers", "track", "--melspec-dir", str(tmp_path / "nowhere"),
            "--out-dir", str(tmp_path / "o")]
    plain = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 2 and plain.stderr.count("\n") == 1 and "Traceback" not in plain.stderr
    assert plain.stderr.startswith("error: ") and "nowhere" in plain.stderr
    debug = subprocess.run(argv[:3] + ["--debug"] + argv[3:], capture_output=True, text=True, timeout=120)
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
    assert "helpers.errors.DataMissingError" in debug.stderr


# =========================================================================== the catalogue itself
def _catalogue_rows() -> list[tuple[str, list[str]]]:
    """(case number, cited tests) for every row of the table in docs/FAULTS.md."""
    rows = []
    for line in (REPO / "docs" / "FAULTS.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*(F\d+)\s*\|", line)
        if m:
            rows.append((m.group(1), re.findall(r"`(tests/test_\w+\.py::[\w\[\]-]+)`", line)))
    return rows


def test_the_catalogue_cites_only_tests_that_exist():
    rows = _catalogue_rows()
    assert len(rows) >= 25 and len({n for n, _ in rows}) == len(rows)
    cited = set()
    for number, tests in rows:
        assert tests, f"{number} cites no test"
        for ref in tests:
            module_path, name = ref.split("::")
            function, _, param = name.partition("[")
            module = importlib.import_module("tests." + Path(module_path).stem)
            func = getattr(module, function, None)
            assert callable(func), f"{number}: {ref} does not exist"
            if param:
                param = param.rstrip("]")
                ids = set()
                for mark in getattr(func, "pytestmark", []):
                    if mark.name == "parametrize":
                        ids |= {str(v) for v in (mark.kwargs.get("ids") or mark.args[1])}
                assert param in ids, f"{number}: {ref}: no parameter {param!r}"
            cited.add(function)
    mine = {n for n in globals() if n.startswith("test_")} - {"test_the_catalogue_cites_only_tests_that_exist"}
    assert mine <= cited, f"tests of this module missing from docs/FAULTS.md: {sorted(mine - cited)}"
