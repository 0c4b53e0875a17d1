"""Property-based tests (hypothesis) of the loaders, the time conversions and the evaluation,
and a short deterministic fuzz run of the .npy and beat-file loaders.

Every hypothesis test is derandomized (the same examples on every run, no example
database), so CI is reproducible; the fuzz runs use a fixed seed. Together they take a
few seconds (docs/FAULTS.md, "Properties and fuzzing").
"""

from __future__ import annotations

import io
import json
import random
import warnings

import mir_eval.beat
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from helpers.data import (
    MelParams,
    frames_to_time,
    load_beats,
    load_melspec,
    looks_like_frame_indices,
    time_to_frames,
)
from helpers.errors import HelpersError
from helpers.evaluate import METRIC_NAMES, BeatEvaluationWarning, evaluate_beats



# =========================================================================== loaders
@st.composite
def power_spectrograms(draw):
    """(info.json dict, array): any valid analysis parameters and a valid power array."""
    sr = draw(st.sampled_from([8000, 16000, 22050, 24000, 44100, 48000])) if draw(st.booleans()) \
        else draw(st.integers(1000, 96000))
    hop = draw(st.integers(1, 4096))
    n_mels = draw(st.integers(1, 300))
    n_frames = draw(st.integers(1, 400))
    fmax = draw(st.one_of(st.none(), st.floats(1.0, sr / 2)))
    info = {"SR": sr, "N_MELS": n_mels, "N_FFT": draw(st.integers(1, 8192)), "HOP_LENGTH": hop,
            "MEL_FMIN": 0, "MEL_FMAX": fmax, "librosa_version": "0.7.0"}
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["uniform", "heavy", "zeros", "sparse", "huge", "tiny"]))
    S = {"uniform": lambda: rng.random((n_mels, n_frames)),
         "heavy": lambda: rng.pareto(0.8, (n_mels, n_frames)),
         "zeros": lambda: np.zeros((n_mels, n_frames)),
         "sparse": lambda: rng.random((n_mels, n_frames)) * (rng.random((n_mels, n_frames)) < 0.05),
         "huge": lambda: rng.random((n_mels, n_frames)) * 1e30,
         "tiny": lambda: rng.random((n_mels, n_frames)) * 1e-30}[kind]()
    dtype = draw(st.sampled_from(["<f4", "<f4", ">f4", "<f8", "<f2"]))
    with np.errstate(over="ignore"):
        S = S.astype(dtype)
    S[~np.isfinite(S)] = np.finfo(S.dtype).max            # float16 overflow of "huge"
    if draw(st.booleans()):
        S = np.asfortranarray(S)
    return info, S


@settings(max_examples=60)
@given(case=power_spectrograms(), mmap=st.booleans())
def test_load_melspec_round_trips_any_valid_file(tmp_path_factory, case, mmap):
    info, S = case
    d = tmp_path_factory.mktemp("melspec")
    (d / "info.json").write_text(json.dumps(info))
    np.save(d / "x-mel.npy", S)
    out = load_melspec(d / "x-mel.npy", mmap=mmap)
    assert out.dtype == S.dtype and out.shape == (info["N_MELS"], S.shape[1])
    np.testing.assert_array_equal(out, S)


@st.composite
def beat_files(draw):
    """(text, times, positions or None, bars or None) of a valid beat file in any layout."""
    n = draw(st.integers(1, 120))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    start = draw(st.floats(0.0, 30.0))
    steps = rng.uniform(draw(st.floats(0.001, 0.5)), draw(st.floats(0.5, 3.0)), n - 1)
    times = np.round(np.concatenate([[start], start + np.cumsum(steps)]), 6)
    times = np.unique(times)
    assume(not looks_like_frame_indices(times))
    n = times.size
    n_cols = draw(st.sampled_from([1, 2, 3]))
    beats_per_bar = draw(st.integers(1, 12))
    positions = np.arange(n) % beats_per_bar + 1
    bars = np.arange(n) // beats_per_bar + draw(st.integers(-5, 5))
    number = draw(st.sampled_from(["{:.6f}", "{!r}", "{:.6e}", "{}"]))
    sep = draw(st.sampled_from(["\t", " ", "   ", " \t "]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = []
    for i, t in enumerate(times.tolist()):
        cols = [number.format(t), str(positions[i]), str(bars[i])][:n_cols]
        lines.append(draw(st.sampled_from(["", " ", "\t"])) + sep.join(cols))
        if draw(st.integers(0, 20)) == 0:
            lines.append(draw(st.sampled_from(["", "  ", "\t"])))   # blank lines are skipped
    text = newline.join(lines) + draw(st.sampled_from(["", newline, newline * 3]))
    expected = np.array([float(number.format(t)) for t in times.tolist()])
    assume(np.all(np.diff(expected) > 0) and not looks_like_frame_indices(expected))
    return (text, expected, positions if n_cols >= 2 else None, bars if n_cols == 3 else None)


@settings(max_examples=150)
@given(case=beat_files())
def test_load_beats_round_trips_any_valid_layout(tmp_path_factory, case):
    text, times, positions, bars = case
    path = tmp_path_factory.mktemp("beats") / "beats ü.txt"
    path.write_bytes(text.encode("utf-8"))
    beats = load_beats(path)
    np.testing.assert_array_equal(beats.times_s, times)
    for got, want in ((beats.positions, positions), (beats.bar_numbers, bars)):
        if want is None:
            assert got is None
        else:
            np.testing.assert_array_equal(got, want)
    if positions is not None:
        np.testing.assert_array_equal(beats.downbeats_s, times[positions == 1])


# =========================================================================== time conversions
rates = st.tuples(st.one_of(st.integers(1000, 192000), st.floats(1000.0, 192000.0)), st.integers(1, 8192))


@settings(max_examples=200)
@given(rate=rates, frames=st.lists(st.integers(0, 10**7), min_size=1, max_size=50))
def test_time_to_frames_inverts_frames_to_time(rate, frames):
    sr, hop = rate
    frames = np.asarray(frames)
    times = frames_to_time(frames, sr=sr, hop_length=hop)
    np.testing.assert_array_equal(time_to_frames(times, sr=sr, hop_length=hop), frames)
    np.testing.assert_allclose(times, frames * hop / sr, rtol=1e-15)


@settings(max_examples=200)
@given(rate=rates, times=st.lists(st.floats(0.0, 3600.0), min_size=1, max_size=50))
def test_time_to_frames_is_monotone_and_nearest(rate, times):
    sr, hop = rate
    times = np.sort(np.asarray(times))
    frames = time_to_frames(times, sr=sr, hop_length=hop)
    assert np.all(np.diff(frames) >= 0)                        # monotone
    back = frames_to_time(frames, sr=sr, hop_length=hop)
    half_frame = hop / (2 * sr)
    assert np.all(np.abs(back - times) <= half_frame * (1 + 1e-9) + 1e-12)   # the nearest frame
    p = MelParams(sr=int(round(sr)), hop_length=hop, n_fft=2048, n_mels=80)
    np.testing.assert_array_equal(p.time_to_frames(times), time_to_frames(times, sr=p.sr, hop_length=hop))
    assert p.duration_s(int(frames[-1])) == pytest.approx(frames_to_time(frames[-1], sr=p.sr, hop_length=hop))


# =========================================================================== evaluation
@st.composite
def sensible_pairs(draw):
    """A jittered regular reference (>= 10 s) and an estimate derived from it, as trackers make.

    "Sensible": no two beats of a sequence closer than 45 % of the reference beat interval,
    so no tolerance window holds two beats (where Cemgil and P-score may exceed 1).
    """
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    period = 60.0 / draw(st.floats(50.0, 200.0))
    duration = draw(st.floats(10.0, 45.0))
    ref = draw(st.floats(0.0, 3.0)) + np.arange(0.0, duration, period)
    ref = ref + rng.uniform(-0.05, 0.05, ref.size) * period
    kind = draw(st.sampled_from(["copy", "shifted", "double", "half", "offbeat", "scaled", "random"]))
    if kind == "double":
        est = np.sort(np.concatenate([ref, (ref[:-1] + ref[1:]) / 2]))
    elif kind == "half":
        est = ref[draw(st.integers(0, 1))::2]
    elif kind == "offbeat":
        est = ref + period / 2
    elif kind == "scaled":
        est = ref[0] + (ref - ref[0]) * draw(st.floats(0.6, 1.6))
    elif kind == "random":
        est = np.sort(rng.uniform(0.0, duration + 3.0, rng.integers(2, 3 * ref.size)))
    else:
        est = ref.copy()
    if kind != "copy":
        est = est + draw(st.floats(-0.2, 0.2)) + rng.normal(0.0, draw(st.floats(0.0, 0.04)), est.size)
    est = est[rng.random(est.size) >= draw(st.floats(0.0, 0.3))]
    est = np.round(np.sort(est[est >= 0]), 6)

    def spaced(x):   # drop beats closer than 45 % of a period to the previous kept one
        kept = []
        for t in x:
            if not kept or t - kept[-1] >= 0.45 * period:
                kept.append(t)
        return np.asarray(kept)

    ref, est = spaced(np.round(ref[ref >= 0], 6)), spaced(est)
    assume((ref >= 5).sum() >= 3 and (est >= 5).sum() >= 2)
    return ref, est


@settings(max_examples=120)
@given(pair=sensible_pairs())
def test_scores_lie_in_zero_one_and_f_measure_is_symmetric(pair):
    ref, est = pair
    scores = evaluate_beats(ref, est)
    assert list(scores) == list(METRIC_NAMES)
    for name, value in scores.items():
        assert isinstance(value, float) and -1e-12 <= value <= 1 + 1e-9, (name, value)
    assert scores["Goto"] in (0.0, 1.0)
    assert evaluate_beats(est, ref, metrics=["F"])["F-measure"] == pytest.approx(scores["F-measure"], abs=1e-12)
    assert scores["Any Metric Level Total"] >= scores["Correct Metric Level Total"] - 1e-12
    assert scores["Correct Metric Level Total"] >= scores["Correct Metric Level Continuous"] - 1e-12


@settings(max_examples=80)
@given(pair=sensible_pairs(), offset_s=st.floats(-0.06, 0.06))
def test_a_perfect_estimate_scores_one(pair, offset_s):
    ref, _ = pair
    perfect = evaluate_beats(ref, ref)
    assert perfect["F-measure"] == perfect["Correct Metric Level Total"] == perfect["Any Metric Level Total"] == 1.0
    assert perfect["Cemgil"] == pytest.approx(1.0) and perfect["Correct Metric Level Continuous"] == 1.0
    # every beat within the +-70 ms window (the same offset for all): still a perfect F-measure
    shifted = np.round(ref + offset_s, 9)
    assume(shifted[0] >= 0 and (shifted >= 5).sum() == (ref >= 5).sum())
    assert evaluate_beats(ref, shifted, metrics=["F"])["F-measure"] == 1.0


@settings(max_examples=40)
@given(pair=sensible_pairs())
def test_evaluate_beats_agrees_with_mir_eval(pair):
    ref, est = pair
    ours = evaluate_beats(ref, est)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = mir_eval.beat.evaluate(ref, est)
    assert list(ours) == list(theirs)
    for name in METRIC_NAMES:
        assert ours[name] == pytest.approx(float(theirs[name]), abs=1e-9), name


@settings(max_examples=40)
@given(ref=st.lists(st.floats(0.0, 4.99), max_size=5, unique=True).map(sorted),
       est=st.lists(st.floats(0.0, 30.0), max_size=5, unique=True).map(sorted))
def test_nothing_left_after_the_trim_gives_zeros_and_a_warning(ref, est):
    assume(not looks_like_frame_indices(est))
    with pytest.warns(BeatEvaluationWarning, match="empty"):
        scores = evaluate_beats(np.asarray(ref, dtype=float), np.asarray(est, dtype=float))
    assert set(scores.values()) == {0.0}


# =========================================================================== fuzzing
def _mutate(data: bytes, rng: random.Random, tokens: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(6)
        if op == 0 and b:                                   # flip a bit
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif op == 1 and b:                                 # overwrite a byte
            b[rng.randrange(len(b))] = rng.randrange(256)
        elif op == 2:                                       # truncate
            del b[rng.randrange(len(b) + 1):]
        elif op == 3:                                       # insert random bytes
            i = rng.randrange(len(b) + 1)
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 4 and b:                                 # delete a run
            i = rng.randrange(len(b))
            del b[i:i + rng.randint(1, 16)]
        else:                                               # insert a nasty token
            i = rng.randrange(len(b) + 1)
            b[i:i] = rng.choice(tokens)
    return bytes(b)


NPY_TOKENS = [b"'<f8'", b"'|O'", b"'>f4'", b"'<i4'", b"(80, 2000000000000)", b"(80, -20)", b"()", b"True",
              b"{", b"}", b"\x00", b"\xff\xfe", b"9" * 30, b"nan", b"'descr'", b"'shape': (3,),"]
BEAT_TOKENS = [b"-", b"nan", b"inf", b"1e400", b"1e300", b",", b";", b"\n", b"\r", b"\x00", b" ", b"\t",
               b"9" * 30, b"0x1p3", b"\xef\xbc\x91", b"\xff\xfe", b"1_0", b"\xe2\x80\xa8", b"time\tbeat\tbar\n"]


@pytest.mark.timeout(60)
def test_fuzz_npy_loader_returns_a_valid_array_or_a_helpers_error(tmp_path):
    rng = random.Random(20261122)
    S = (np.random.default_rng(0).random((8, 40)) ** 2).astype(np.float32)
    buf = io.BytesIO()
    np.save(buf, S)
    seed_file = buf.getvalue()
    d = tmp_path
    (d / "info.json").write_text(json.dumps({"SR": 22050, "N_MELS": 8, "N_FFT": 2048, "HOP_LENGTH": 1024,
                                             "MEL_FMIN": 0, "MEL_FMAX": None}))
    path = d / "x-mel.npy"
    outcomes = {"valid": 0, "refused": 0}
    for i in range(400):
        path.write_bytes(_mutate(seed_file, rng, NPY_TOKENS))
        try:
            out = load_melspec(path, mmap=bool(i % 2))
        except HelpersError:
            outcomes["refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001 -- this is what the fuzz run looks for
            pytest.fail(f"mutation {i}: {type(exc).__name__}: {exc} (not a HelpersError)")
        arr = np.asarray(out)
        assert arr.dtype.kind == "f" and arr.ndim == 2 and arr.shape[0] == 8 and arr.shape[1] > 0
        assert np.isfinite(arr).all() and (arr >= 0).all()
        outcomes["valid"] += 1
    assert outcomes["refused"] > 200 and outcomes["valid"] > 0    # the run explored both sides


@pytest.mark.timeout(60)
def test_fuzz_beat_loader_returns_valid_beats_or_a_helpers_error(tmp_path):
    rng = random.Random(20261122)
    seed_file = "".join(f"{0.5 * k + 0.25:.6f}\t{k % 4 + 1}\t{k // 4 + 1}\n" for k in range(40)).encode()
    one_column = "".join(f"{0.43 * k + 0.11:.3f}\n" for k in range(30)).encode()
    path = tmp_path / "b.txt"
    outcomes = {"valid": 0, "refused": 0}
    for i in range(600):
        path.write_bytes(_mutate(seed_file if i % 3 else one_column, rng, BEAT_TOKENS))
        try:
            beats = load_beats(path)
        except HelpersError:
            outcomes["refused"] += 1
            continue
        except Exception as exc:  # noqa: BLE001
            pytest.fail(f"mutation {i}: {type(exc).__name__}: {exc} (not a HelpersError)")
        t = beats.times_s
        assert t.ndim == 1 and t.size >= 1 and np.isfinite(t).all() and (t >= 0).all()
        assert np.all(np.diff(t) > 0)
        if beats.positions is not None:
            assert beats.positions.shape == t.shape and (beats.positions >= 1).all()
        outcomes["valid"] += 1
    assert outcomes["refused"] > 200 and outcomes["valid"] > 20
