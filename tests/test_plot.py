"""helpers.plot: axes in seconds and Hz, beats where they belong."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.data import HARMONIX_PARAMS as P  # noqa: E402
from helpers.data import Beats, MelParams  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402
from helpers.plot import beat_lines, curve, specshow_db, track_overview  # noqa: E402

from .conftest import power_spectrogram  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_specshow_time_axis_in_seconds():
    S = power_spectrogram(n_frames=431)  # 20 s
    fig, ax = plt.subplots()
    mesh = specshow_db(S, params=P, ax=ax, start_s=5.0, end_s=10.0)
    lo, hi = ax.get_xlim()
    # The window keeps the track's own time; half a frame of margin either side.
    assert lo == pytest.approx(5.0, abs=P.frame_duration_s)
    assert hi == pytest.approx(10.0, abs=P.frame_duration_s)
    assert ax.get_xlabel() == "Time (s)" and "Hz" in ax.get_ylabel()
    # dB with 0 at the loudest bin, 80 dB range.
    data = mesh.get_array()
    assert data.max() <= 1e-6 and data.min() >= -80.01


def test_specshow_uses_the_datas_own_hop():
    """A 50 frames/s data set (hop 480 at 24 kHz) must span 2 s for 100 frames, not 100*512/22050."""
    p = MelParams(sr=24000, hop_length=480, n_fft=1024, n_mels=64)
    fig, ax = plt.subplots()
    specshow_db(power_spectrogram(n_mels=64, n_frames=101), params=p, ax=ax, colorbar=False)
    assert ax.get_xlim()[1] == pytest.approx(2.0, abs=0.02)
    # The top band is centred just below sr/2; its cell reaches a little above.
    assert 12000 <= ax.get_ylim()[1] < 12000 * 1.05


def test_beat_lines_clip_to_window_and_style():
    fig, ax = plt.subplots()
    ax.set_xlim(1.0, 3.0)
    lines = beat_lines([0.5, 1.5, 2.5, 3.5], ax=ax, kind="estimate")
    assert len(lines.get_segments()) == 2
    with pytest.raises(ParameterError, match="kind"):
        beat_lines([1.0], ax=ax, kind="nonsense")


def test_curve_time_axis():
    line = curve(np.arange(100.0), frame_rate_hz=50.0)
    np.testing.assert_allclose(line.get_xdata()[[0, -1]], [0.0, 99 / 50])
    with pytest.raises(ParameterError):
        curve(np.arange(3.0), frame_rate_hz=0)


def test_track_overview_layout():
    S = power_spectrogram(n_frames=300)
    beats = Beats(times_s=np.arange(0.5, 13, 0.5), positions=np.tile([1, 2, 3, 4], 7)[:25])
    out = track_overview(S, params=P, reference=beats, estimate_s=np.arange(0.55, 13, 0.5),
                         novelty=np.random.default_rng(0).random(300), start_s=2.0, end_s=8.0, title="t")
    top, bottom = out["axes"]
    assert top.get_xlim() == (2.0, 8.0) and bottom.get_xlabel() == "Time (s)"
    assert {"reference0", "downbeat0", "estimate0", "reference1", "novelty"} <= set(out["lines"])
    # 12 reference beats fall in [2, 8].
    assert len(out["lines"]["reference0"].get_segments()) == 13


def test_bpm_axis_is_log_with_plain_labels():
    from helpers.plot import BPM_TICKS, bpm_axis

    fig, ax = plt.subplots()
    ax.plot([40, 250], [0, 1])
    bpm_axis(ax)
    fig.canvas.draw()
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "tempo (BPM)"
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels and all(label.isdigit() for label in labels)
    assert {int(x) for x in labels} <= set(BPM_TICKS)
    with pytest.raises(ParameterError):
        bpm_axis(ax, axis="z")


def test_takeaway_wraps_between_words(capsys):
    from helpers.plot import takeaway

    text = "the prior centre moves mean CMLt by up to 0.26, tightness by up to 0.01; " * 3
    assert takeaway(text, width=60) is None              # a cell ending with it shows the text once
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Takeaway: the prior") and len(lines) > 2
    assert all(len(line) <= 60 for line in lines) and all(line.startswith("  ") for line in lines[1:])
    assert " ".join(line.strip() for line in lines) == f"Takeaway: {text}".strip()



def test_signed_error_histogram_is_a_share_in_ms_with_the_lag_visible():
    from helpers.plot import signed_error_histogram

    fig, ax = plt.subplots()
    late = np.full(100, 0.0464)                                  # every beat one frame late
    drawn = signed_error_histogram({"librosa": late, "ours": np.zeros(50)}, ax=ax, bin_ms=5.0,
                                   frame_s=P.frame_duration_s)
    values, edges = drawn["librosa"].get_data()[:2]
    assert values.sum() == pytest.approx(1.0) and edges[0] == -70 and edges[-1] == 70
    assert edges[np.argmax(values)] <= 46.4 < edges[np.argmax(values) + 1]    # the peak is at +46 ms
    assert "median +46 ms" in drawn["librosa"].get_label() and "median +0 ms" in drawn["ours"].get_label()
    assert ax.get_xlim() == (-70.0, 70.0) and "ms" in ax.get_xlabel() and "late" in ax.get_xlabel()
    for bad in ({}, {"x": np.array([np.nan])}):
        with pytest.raises(ParameterError):
            signed_error_histogram(bad, ax=ax)
    plt.close("all")
