"""Tests of helpers.data: parameters, time conversion, loaders, data sets.

Known answers come from the Harmonix facts (COURSE.md) and from librosa itself.
"""

from __future__ import annotations

import csv
import json
import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import data
from helpers.data import (
    HARMONIX_PARAMS,
    Dataset,
    MelParams,
    frames_to_time,
    load_beats,
    load_melspec,
    load_metadata,
    load_segments,
    open_dataset,
    power_to_db,
    read_params,
    time_to_frames,
)
from helpers.errors import DataError, DataMissingError, HelpersError, ParameterError

from .builders import power_spectrogram, write_info
from .conftest import HARMONIX, REALMEL, requires_harmonix, requires_realmel

# ----------------------------------------------------------------------------------------
# Parameters and time
# ----------------------------------------------------------------------------------------


def test_harmonix_frame_rate_facts():
    p = HARMONIX_PARAMS
    assert p.frame_rate_hz == pytest.approx(21.533, abs=1e-3)
    assert 1000 * p.frame_duration_s == pytest.approx(46.44, abs=0.01)
    # The +-70 ms F-measure window is about +-1.5 frames.
    assert 0.070 / p.frame_duration_s == pytest.approx(1.507, abs=1e-3)
    # Duration with the real hop, not the brief's 512.
    assert p.duration_s(1234) == pytest.approx(1234 * 1024 / 22050)


def test_read_params_harmonix_info(melspec_dir):
    assert read_params(melspec_dir) == HARMONIX_PARAMS
    assert read_params(melspec_dir / "info.json") == HARMONIX_PARAMS


def test_read_params_tolerates_extra_keys(tmp_path):
    write_info(tmp_path, librosa_version="0.7.0", power=2.0, center=True)
    assert read_params(tmp_path) == HARMONIX_PARAMS


def test_read_params_other_valid_parameters(tmp_path):
    write_info(tmp_path, SR=24000, N_MELS=256, HOP_LENGTH=480, MEL_FMAX=8000)
    p = read_params(tmp_path)
    assert (p.sr, p.n_mels, p.hop_length, p.fmax) == (24000, 256, 480, 8000.0)
    assert p.frame_rate_hz == 50.0


def test_read_params_missing_file(tmp_path):
    with pytest.raises(DataMissingError, match="no info.json"):
        read_params(tmp_path)


@pytest.mark.parametrize(
    "content, match",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({"SR": 22050}), "missing key 'N_MELS'"),
        (json.dumps({"SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": "1024", "MEL_FMIN": 0, "MEL_FMAX": None}), "HOP_LENGTH"),
        (json.dumps({"SR": 22050, "N_MELS": 80.5, "N_FFT": 2048, "HOP_LENGTH": 1024, "MEL_FMIN": 0, "MEL_FMAX": None}), "N_MELS"),
        (json.dumps({"SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": 0, "MEL_FMIN": 0, "MEL_FMAX": None}), "impossible"),
    ],
)
def test_read_params_malformed(tmp_path, content, match):
    (tmp_path / "info.json").write_text(content)
    with pytest.raises(DataError, match=match) as info:
        read_params(tmp_path)
    assert "info.json" in str(info.value)


def test_frames_to_time_known_values():
    np.testing.assert_allclose(
        frames_to_time([0, 1, 2, 21.5], sr=22050, hop_length=1024),
        [0.0, 1024 / 22050, 2048 / 22050, 21.5 * 1024 / 22050],
    )
    np.testing.assert_array_equal(time_to_frames([0.0, 0.0232, 0.0233, 1.0], sr=22050, hop_length=1024), [0, 0, 1, 22])


def test_frames_to_time_matches_librosa():
    import librosa
    frames = np.arange(0, 5000, 37)
    np.testing.assert_allclose(
        frames_to_time(frames, sr=22050, hop_length=1024),
        librosa.frames_to_time(frames, sr=22050, hop_length=1024),
    )


@pytest.mark.parametrize("kwargs", [{"sr": 0, "hop_length": 1024}, {"sr": 22050, "hop_length": -1}, {"sr": None, "hop_length": 1024}])
def test_time_conversion_rejects_bad_rates(kwargs):
    with pytest.raises(ParameterError, match=r"^(sr|hop_length)=.* must be .*(> 0|>= 1).* Read it from the data"):
        frames_to_time([1], **kwargs)


@given(st.lists(st.integers(min_value=0, max_value=10**6), max_size=50), st.sampled_from([(22050, 1024), (22050, 512), (44100, 441), (24000, 480)]))
def test_time_frame_round_trip(frames, rate):
    sr, hop = rate
    frames = np.asarray(frames, dtype=np.int64)
    np.testing.assert_array_equal(time_to_frames(frames_to_time(frames, sr=sr, hop_length=hop), sr=sr, hop_length=hop), frames)


@given(st.floats(min_value=0, max_value=3600))
def test_time_to_frames_is_nearest(t):
    frame = int(time_to_frames(t, sr=22050, hop_length=1024))
    step = 1024 / 22050
    assert abs(frame * step - t) <= step / 2 + 1e-9


def test_mel_frequencies_match_librosa():
    import librosa
    for n, fmin, fmax in [(82, 0.0, 11025.0), (130, 20.0, 8000.0), (10, 500.0, 3000.0)]:
        np.testing.assert_allclose(data.mel_frequencies_hz(n, fmin=fmin, fmax=fmax), librosa.mel_frequencies(n_mels=n, fmin=fmin, fmax=fmax), rtol=1e-10)
    centres = HARMONIX_PARAMS.mel_frequencies_hz()
    assert centres.shape == (80,)
    assert 0 < centres[0] < centres[-1] < 11025


def test_power_to_db_matches_librosa():
    import librosa
    S = power_spectrogram()
    S[0, :5] = 0.0
    for kwargs in [{}, {"ref": float(S.max())}, {"top_db": None}, {"top_db": 40.0, "amin": 1e-5}]:
        np.testing.assert_allclose(power_to_db(S, **kwargs), librosa.power_to_db(S, **kwargs), rtol=1e-6, atol=1e-4)


def test_power_to_db_known_values():
    np.testing.assert_allclose(power_to_db(np.array([1.0, 10.0, 100.0]), top_db=None), [0.0, 10.0, 20.0])
    np.testing.assert_allclose(power_to_db(np.array([1.0, 1e-12, 100.0]), top_db=80.0), [0.0, -60.0, 20.0])


def test_power_to_db_refuses_db_input():
    with pytest.raises(ParameterError, match="already in dB"):
        power_to_db(np.array([-10.0, -20.0]))


# ----------------------------------------------------------------------------------------
# Mel-spectrograms
# ----------------------------------------------------------------------------------------


def test_load_melspec_valid(melspec_dir):
    S = power_spectrogram()
    np.save(melspec_dir / "t1-mel.npy", S)
    out = load_melspec(melspec_dir / "t1-mel.npy")
    np.testing.assert_array_equal(out, S)
    mm = load_melspec(melspec_dir / "t1-mel.npy", mmap=True)
    assert isinstance(mm, np.memmap)
    np.testing.assert_array_equal(mm, S)


def _save_raw(path, array):
    np.save(path, array)
    return path


def _bad_melspecs(melspec_dir):
    S = power_spectrogram()
    good = _save_raw(melspec_dir / "good-mel.npy", S)
    raw = good.read_bytes()
    cases = {}
    p = melspec_dir / "truncated-mel.npy"
    p.write_bytes(raw[: len(raw) // 2])
    cases["truncated"] = (p, "truncated")
    p = melspec_dir / "garbage-mel.npy"
    p.write_bytes(b"this is not numpy at all")
    cases["garbage"] = (p, "not a .npy file")
    p = melspec_dir / "pickled-mel.npy"
    np.save(p, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    cases["pickle"] = (p, "pickled Python object")
    bad = S.copy()
    bad[3, 7] = np.nan
    cases["nan"] = (_save_raw(melspec_dir / "nan-mel.npy", bad), "NaN/Inf values .first at band 3, frame 7")
    bad = S.copy()
    bad[0, 0] = np.inf
    cases["inf"] = (_save_raw(melspec_dir / "inf-mel.npy", bad), "NaN/Inf")
    bad = S.copy()
    bad[5, 5] = -1.0
    cases["negative"] = (_save_raw(melspec_dir / "neg-mel.npy", bad), "negative values")
    cases["db"] = (_save_raw(melspec_dir / "db-mel.npy", power_to_db(S, ref=float(S.max())).astype(np.float32)), "looks like a spectrogram in dB")
    cases["transposed"] = (_save_raw(melspec_dir / "T-mel.npy", S.T.copy()), "looks transposed")
    cases["n_mels"] = (_save_raw(melspec_dir / "128-mel.npy", power_spectrogram(n_mels=128)), "128 mel bands but info.json says N_MELS=80")
    cases["empty"] = (_save_raw(melspec_dir / "empty-mel.npy", np.zeros((80, 0), np.float32)), "empty")
    cases["1d"] = (_save_raw(melspec_dir / "1d-mel.npy", S[0]), "2-D")
    cases["3d"] = (_save_raw(melspec_dir / "3d-mel.npy", S[None]), "2-D")
    cases["int"] = (_save_raw(melspec_dir / "int-mel.npy", S.astype(np.int32)), "floating-point")
    return cases


CASES = ["truncated", "garbage", "pickle", "nan", "inf", "negative", "db", "transposed", "n_mels", "empty", "1d", "3d", "int"]


@pytest.mark.parametrize("case", CASES)
def test_load_melspec_bad_input_names_file_and_fix(melspec_dir, case):
    path, match = _bad_melspecs(melspec_dir)[case]
    with pytest.raises(DataError, match=match) as info:
        load_melspec(path)
    assert str(path) in str(info.value)
    assert info.value.path == path


def test_pickle_is_never_executed(melspec_dir, tmp_path):
    """A .npy holding a pickle that would create a file when unpickled must not run."""
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    path = melspec_dir / "evil-mel.npy"
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, {"descr": "|O", "fortran_order": False, "shape": (1,)})
        pickle.dump(np.array([Evil()], dtype=object), f, protocol=3)
    with pytest.raises(DataError, match="pickled"):
        load_melspec(path)
    assert not marker.exists()


def test_load_melspec_missing_file_and_info(tmp_path):
    with pytest.raises(DataMissingError, match="no info.json"):
        load_melspec(tmp_path / "x-mel.npy")
    write_info(tmp_path)
    with pytest.raises(DataMissingError, match="no such mel-spectrogram"):
        load_melspec(tmp_path / "x-mel.npy")


def test_load_melspec_with_other_valid_parameters(tmp_path):
    write_info(tmp_path, SR=24000, N_MELS=256)
    S = power_spectrogram(n_mels=256, n_frames=50)
    np.save(tmp_path / "a-mel.npy", S)
    assert load_melspec(tmp_path / "a-mel.npy").shape == (256, 50)


def test_errors_are_one_family():
    for cls in (DataError, DataMissingError, ParameterError):
        assert issubclass(cls, HelpersError)
    assert issubclass(DataError, ValueError) and issubclass(DataMissingError, FileNotFoundError)


# ----------------------------------------------------------------------------------------
# Beats, segments, metadata
# ----------------------------------------------------------------------------------------


def test_load_beats_three_columns(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text("0.5\t1\t1\n1.0\t2\t1\n1.5\t3\t1\n2.0\t1\t2\n2.5\t2\t2\n")
    b = load_beats(p)
    np.testing.assert_allclose(b.times_s, [0.5, 1.0, 1.5, 2.0, 2.5])
    np.testing.assert_array_equal(b.positions, [1, 2, 3, 1, 2])
    np.testing.assert_array_equal(b.bar_numbers, [1, 1, 1, 2, 2])
    np.testing.assert_allclose(b.downbeats_s, [0.5, 2.0])
    assert len(b) == 5 and b.has_downbeats


def test_load_beats_one_and_two_columns(tmp_path):
    p = tmp_path / "one.txt"
    p.write_text("0.1\n0.6\n1.1\n\n")
    b = load_beats(p)
    np.testing.assert_allclose(b.times_s, [0.1, 0.6, 1.1])
    assert b.positions is None and b.downbeats_s.size == 0
    p = tmp_path / "two.txt"
    p.write_text("0.1 3\n0.6 4\n1.1 1\n")
    b = load_beats(p)
    np.testing.assert_allclose(b.downbeats_s, [1.1])
    assert b.bar_numbers is None


@pytest.mark.parametrize(
    "text, match, line",
    [
        ("", "is empty", None),
        ("\n\n", "is empty", None),
        ("time\tbeat\tbar\n0.5\t1\t1\n", "header", 1),
        ("0.5,1,1\n1.0,2,1\n", "commas", 1),
        ("0.5\n1.0\n0.9\n", "earlier than the previous", 3),
        ("0.5\n1.0\n1.0\n", "duplicates the previous", 3),
        ("-0.5\n1.0\n", "negative beat time", 1),
        ("0.5 1 1\n1.0 2\n", "has 2 columns where earlier lines have 3", 2),
        ("0.5 1 1 9\n", "has 4 columns", 1),
        ("0.5 1.5 1\n", "not a whole number", 1),
        ("0.5 0 1\n", "positions count from 1", 1),
        ("0.5\nnan\n", "not finite", 2),
        ("11\n22\n33\n44\n55\n", "frame indices", None),
        ("# a comment\ntime\n0.5\n", "header", 2),                      # a header after a comment
        ("0,5\n1,0\n", "decimal commas", 1),
        ("500\n1000\n1500\n2000\n", "milliseconds", None),              # whole milliseconds
        ("512.5\n1012.5\n35012.5\n", "milliseconds", 3),                 # past 8 hours: milliseconds
        ("0.5\n  # indented comment\n1.0\n", "beginning of its line", 2),
    ],
)
def test_load_beats_bad_files(tmp_path, text, match, line):
    p = tmp_path / "bad beats ü.txt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=match) as info:
        load_beats(p)
    assert str(p) in str(info.value)
    assert info.value.line == line


MIR_EVAL_SHAPED_FILES = {
    # what mir_eval.io.load_events reads (whitespace-separated, '#' comment lines), in files we write
    "a comment first, scientific notation": "# A comment\n3.572970521541950273e+00\n4.040272108843537602e+00\n"
                                            "4.495963718820862098e+00\n4.879092970521542227e+00\n",
    "comments between the beats": "0.5\n# verse\n1.0\n1.5\n#chorus\n2.0\n",
    "tabs, several spaces, trailing space": "0.5\t\n  1.0\n1.5   \n\t2.0\n",
    "Windows line ends": "0.5\r\n1.0\r\n1.5\r\n",
}


@pytest.mark.parametrize("name", MIR_EVAL_SHAPED_FILES)
def test_load_beats_reads_what_mir_eval_reads_the_way_it_reads_it(tmp_path, name):
    import mir_eval

    p = tmp_path / "events.txt"
    p.write_bytes(MIR_EVAL_SHAPED_FILES[name].encode())
    np.testing.assert_array_equal(load_beats(p).times_s, mir_eval.io.load_events(str(p)))


def test_a_commented_estimate_scores_exactly_as_mir_eval_scores_it(tmp_path):
    import mir_eval

    from helpers.evaluate import evaluate_beats

    rng = np.random.default_rng(3)
    ref = np.cumsum(rng.uniform(0.45, 0.55, 60))
    est = np.sort(ref + rng.normal(0, 0.03, ref.size))
    (tmp_path / "ref.txt").write_text("".join(f"{t:.18e}\n" for t in ref))
    (tmp_path / "est.txt").write_text("# estimated by a tracker\n" + "".join(f"{t:.18e}\n" for t in est))
    ours = evaluate_beats(load_beats(tmp_path / "ref.txt").times_s, load_beats(tmp_path / "est.txt").times_s)
    theirs = mir_eval.beat.evaluate(mir_eval.io.load_events(str(tmp_path / "ref.txt")),
                                    mir_eval.io.load_events(str(tmp_path / "est.txt")))
    for metric, value in theirs.items():
        assert ours[metric] == pytest.approx(value, abs=1e-12), metric


def test_load_beats_integer_seconds_are_not_mistaken_for_frames(tmp_path):
    p = tmp_path / "b.txt"
    p.write_text("1\n2\n3\n4\n")  # 60 BPM in whole seconds
    np.testing.assert_allclose(load_beats(p).times_s, [1, 2, 3, 4])


@settings(max_examples=50)
@given(st.lists(st.floats(min_value=0, max_value=600, allow_nan=False), min_size=1, max_size=200, unique=True))
def test_load_beats_round_trip(tmp_path_factory, times):
    times = np.sort(np.round(np.asarray(times), 6))
    times = times[np.concatenate([[True], np.diff(times) > 0])]
    if len(times) >= 3 and np.all(times == np.round(times)) and np.median(np.diff(times)) >= 5:
        return  # would be (correctly) flagged as frame indices
    p = tmp_path_factory.mktemp("beats") / "b.txt"
    p.write_text("".join(f"{t:.6f}\n" for t in times))
    np.testing.assert_allclose(load_beats(p).times_s, times)


def test_load_segments(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("0.0 intro\n8.5 verse\n25.4 chorus part\n")
    s = load_segments(p)
    np.testing.assert_allclose(s.times_s, [0.0, 8.5, 25.4])
    assert s.labels == ("intro", "verse", "chorus part")


METADATA_HEADER = ["File", "Title", "Artist", "Release", "Duration", "BPM", "Ratio Bars in 4", "Time Signature", "Genre", "MusicBrainz Id", "Acoustid Id"]


def _write_metadata(path, rows, header=METADATA_HEADER):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_load_metadata(tmp_path):
    p = _write_metadata(tmp_path / "m.csv", [["a", "Song, A", "X", "", "100.5", "120", "100", "4|4", "Pop", "", ""], ["b", "B", "Y", "", "60", "93.5", "0", "6|8", "Rock", "", ""]])
    m = load_metadata(p)
    assert list(m) == ["a", "b"]
    assert m["a"].title == "Song, A" and m["a"].duration_s == 100.5 and m["a"].bpm == 120
    assert m["b"].time_signature == "6/8" and m["b"].beats_per_bar == 6 and m["b"].genre == "Rock"


@pytest.mark.parametrize(
    "header, rows, match, line",
    [
        (["File", "Duration", "BPM", "Genre"], [["a", "1", "2", "Pop"]], "missing column.*Time Signature", 1),
        (METADATA_HEADER, [["a", "", "", "", "abc", "120", "", "4|4", "Pop", "", ""]], "Duration 'abc' is not a number", 2),
        (METADATA_HEADER, [["a", "", "", "", "100", "", "", "4|4", "Pop", "", ""]], "BPM '' is not a number", 2),
        (METADATA_HEADER, [["a", "", "", "", "100", "-3", "", "4|4", "Pop", "", ""]], "must be positive", 2),
        (METADATA_HEADER, [["a", "", "", "", "100", "90", "", "4|4", "Pop", "", ""]] * 2, "appears twice", 3),
    ],
)
def test_load_metadata_bad(tmp_path, header, rows, match, line):
    p = _write_metadata(tmp_path / "m.csv", rows, header)
    with pytest.raises(DataError, match=match) as info:
        load_metadata(p)
    assert info.value.line == line


# ----------------------------------------------------------------------------------------
# Data sets
# ----------------------------------------------------------------------------------------


def _make_set(root, mel_ids, beat_ids, complete=True):
    mel = root / "melspecs"
    write_info(mel)
    for i, tid in enumerate(mel_ids):
        np.save(mel / f"{tid}-mel.npy", power_spectrogram(n_frames=100 + i, seed=i))
    beats = root / "dataset" / "beats_and_downbeats"
    beats.mkdir(parents=True)
    for tid in beat_ids:
        (beats / f"{tid}.txt").write_text("0.5\t1\t1\n1.0\t2\t1\n")
    if complete:
        (root / ".complete").write_text("")
    return Dataset.from_root(root)


def test_dataset_pairs_and_reports_unpaired(tmp_path):
    ds = _make_set(tmp_path / "set", ["a", "b", "only mel ü"], ["a", "b", "only_beats"])
    assert ds.track_ids == ["a", "b"]
    assert ds.unpaired.melspec_only == ("only mel ü",)
    assert ds.unpaired.annotation_only == ("only_beats",)
    tracks = list(ds.iter_tracks())
    assert [t for t, _, _ in tracks] == ["a", "b"]
    assert tracks[1][1].shape == (80, 101)
    assert ds.duration_s("b") == pytest.approx(101 * 1024 / 22050)
    assert ds.metadata == {}
    assert "2 tracks" in ds.describe() and "21.53 frames/s" in ds.describe()


def test_open_dataset_prefers_harmonix_then_demo(data_root_env):
    with pytest.raises(DataMissingError, match="make demo"):
        open_dataset()
    _make_set(data_root_env / "demo", ["d1"], ["d1"])
    assert open_dataset().name == "demo"
    with pytest.raises(DataMissingError, match="fetch annotations"):
        open_dataset("harmonix")
    h = _make_set(data_root_env / "harmonix", ["h1"], ["h1"], complete=False)
    (h.annotation_dir / ".complete").write_text("")
    assert open_dataset().name == "demo"  # mel-spectrograms not installed yet
    (h.melspec_dir / ".complete").write_text("")
    assert open_dataset().name == "harmonix"
    assert open_dataset("demo").name == "demo"
    assert open_dataset(data_root_env / "demo").track_ids == ["d1"]
    with pytest.raises(DataMissingError, match="not a data set name"):
        open_dataset("nonsense")


# ----------------------------------------------------------------------------------------
# The real data
# ----------------------------------------------------------------------------------------


@requires_harmonix
def test_all_912_harmonix_annotations_load():
    beat_files = sorted((HARMONIX / "dataset" / "beats_and_downbeats").glob("*.txt"))
    assert len(beat_files) == 912
    meta = load_metadata(HARMONIX / "dataset" / "metadata.csv")
    assert len(meta) == 912 and set(meta) == {p.stem for p in beat_files}
    n_beats = 0
    for path in beat_files:
        b = load_beats(path)
        assert b.positions is not None and b.bar_numbers is not None
        assert len(b.downbeats_s) >= 1
        # Annotated beats lie within the track (metadata duration, 1 s tolerance).
        assert b.times_s[-1] <= meta[path.stem].duration_s + 1.0
        n_beats += len(b)
    assert n_beats == 379_065  # at upstream commit e35da7a
    bpms = np.array([m.bpm for m in meta.values()])
    assert bpms.min() == pytest.approx(57, abs=1) and bpms.max() == pytest.approx(237, abs=1)
    assert np.median(bpms) == pytest.approx(119, abs=1)
    assert sum(m.time_signature == "4/4" for m in meta.values()) == 890
    durations = np.array([m.duration_s for m in meta.values()])
    assert durations.sum() / 3600 == pytest.approx(56, abs=1)


@requires_harmonix
def test_all_harmonix_segments_and_published_estimates_load():
    seg_files = sorted((HARMONIX / "dataset" / "segments").glob("*.txt"))
    assert len(seg_files) == 912
    for path in seg_files:
        s = load_segments(path)
        assert len(s.labels) >= 1
    systems = sorted(p.name for p in (HARMONIX / "results" / "beats").iterdir())
    assert systems == ["Bock_1", "Bock_2", "Ellis", "Korzeniowski", "Krebs"]
    for system in systems:
        files = sorted((HARMONIX / "results" / "beats" / system).glob("*.txt"))
        assert len(files) == 912
        for path in files[::50]:
            assert load_beats(path).positions is None


@requires_realmel
def test_realmel_loads_with_its_own_parameters():
    ds = Dataset(REALMEL / "melspecs", REALMEL, name="realmel", beats_dir=REALMEL / "beats")
    assert ds.params == HARMONIX_PARAMS
    assert len(ds.track_ids) == 20 and ds.unpaired == ((), ())
    with open(REALMEL / "manifest.csv", newline="") as f:
        manifest = {row["id"]: row for row in csv.DictReader(f)}
    for track_id, S, beats in ds.iter_tracks():
        row = manifest[track_id]
        assert S.shape == (80, int(row["n_frames"])) and S.dtype == np.float32
        # centre=True framing: 1 + floor(n_samples / hop) frames (the manifest's duration
        # is rounded to 1 ms, so allow one frame).
        assert abs(S.shape[1] - (1 + float(row["duration_s"]) * 22050 // 1024)) <= 1
        assert len(beats) == int(row["n_beats"])
        assert beats.has_downbeats == (row["beats_format"] != "time")
        assert beats.times_s[-1] <= ds.duration_s(track_id) + 0.1


@pytest.mark.parametrize(
    "times, expected",
    [
        ([11, 22, 33, 44], True),       # frames at ~2 beats/s (hop 1024)
        ([1, 2, 3, 4], False),          # whole seconds at 60 BPM
        ([0.5, 1.0, 1.5], False),       # seconds
        ([5, 10, 15], True),            # spacing of 5: frames
        ([3001], True),                 # beyond any track length in seconds
        ([], False),
    ],
)
def test_looks_like_frame_indices_is_shared_by_loader_and_evaluation(times, expected):
    from helpers.data import looks_like_frame_indices
    from helpers.evaluate import evaluate_beats

    assert looks_like_frame_indices(times) is expected
    if expected and len(times) >= 2:
        with pytest.raises(ParameterError, match="frame indices"):
            evaluate_beats(times, times)


def test_docstring_examples_run():
    import doctest
    import importlib
    import pkgutil

    tried = 0
    for info in pkgutil.iter_modules(data.__path__, data.__name__ + "."):
        result = doctest.testmod(importlib.import_module(info.name), optionflags=doctest.ELLIPSIS)
        assert result.failed == 0, info.name
        tried += result.attempted
    assert tried >= 8


def test_band_centers_come_from_the_params_or_the_harmonix_layout():
    from helpers.data import HARMONIX_PARAMS, band_centers_hz

    np.testing.assert_allclose(band_centers_hz(80, sr=22050), HARMONIX_PARAMS.mel_frequencies_hz(), rtol=1e-12)
    other = MelParams(sr=22050, hop_length=512, n_fft=2048, n_mels=40, fmin=30.0, fmax=8000.0)
    np.testing.assert_array_equal(band_centers_hz(40, sr=1.0, mel_params=other), other.mel_frequencies_hz())
    with pytest.raises(ParameterError, match="S_power has 80 mel bands but mel_params describes 40"):
        band_centers_hz(80, sr=22050, mel_params=other)


def test_a_power_spectrogram_argument_is_checked_once_and_not_copied():
    from helpers.data import check_power_spectrogram

    S = np.ones((3, 4), dtype=np.float32)
    assert check_power_spectrogram(S) is S
    assert check_power_spectrogram(np.ones((3, 4), dtype=np.int16)).dtype == np.float64
    for bad, match in ((-np.ones((3, 4)), "looks like dB"), (np.ones(4), "2-D"), (np.ones((3, 0)), "no data"),
                       (np.full((2, 2), np.nan), "NaN"), (np.array([["a"]]), "numeric")):
        with pytest.raises(ParameterError, match=match):
            check_power_spectrogram(bad)
