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

from .builders import power_spectrogram  # noqa: E402


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
    with_bars = track_overview(S, params=P, reference=beats, estimate_s=np.arange(0.55, 13, 0.5),
                               estimate_downbeats_s=np.arange(0.55, 13, 2.0), start_s=2.0, end_s=8.0)
    segments = with_bars["lines"]["estimated downbeat0"].get_segments()
    np.testing.assert_allclose([seg[0][0] for seg in segments], [2.55, 4.55, 6.55])   # only those in the window
    assert with_bars["lines"]["estimated downbeat0"].get_label() == "estimated downbeats"


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


# --------------------------------------------------------------------------- Weeks 3-4: many tracks
def test_score_scatter_draws_every_track_on_0_1_axes_with_the_diagonal():
    from helpers.plot import score_scatter

    fig, ax = plt.subplots()
    out = score_scatter([0.2, 0.9, 1.0], [0.5, 0.8, 1.0], ax=ax, xlabel="F, librosa (0-1)", ylabel="F, ours (0-1)")
    np.testing.assert_array_equal(out["points"][None].get_offsets(), [[0.2, 0.5], [0.9, 0.8], [1.0, 1.0]])
    np.testing.assert_array_equal(out["diagonal"].get_xydata(), [[0, 0], [1, 1]])
    assert ax.get_xlim() == ax.get_ylim() == (-0.03, 1.03)
    assert ax.get_xlabel() == "F, librosa (0-1)" and ax.get_ylabel() == "F, ours (0-1)"


def test_score_scatter_groups_get_one_colour_and_a_counted_legend_entry():
    from helpers.plot import CLASS_COLORS, score_scatter

    out = score_scatter([0.1, 0.2, 0.3], [0.3, 0.2, 0.1], xlabel="x", ylabel="y",
                        groups=["half-tempo", "correct", "correct"])
    assert list(out["points"]) == ["correct", "half-tempo"]          # the course's class order, not first-seen
    assert len(out["points"]["correct"].get_offsets()) == 2
    assert out["points"]["correct"].get_label() == "correct (2)"
    np.testing.assert_allclose(out["points"]["half-tempo"].get_facecolor()[0][:3],
                               matplotlib.colors.to_rgb(CLASS_COLORS["half-tempo"]))
    with pytest.raises(ParameterError, match="same tracks"):
        score_scatter([0.1], [0.1, 0.2], xlabel="x", ylabel="y")
    with pytest.raises(ParameterError, match="one label per track"):
        score_scatter([0.1], [0.2], xlabel="x", ylabel="y", groups=["a", "b"])


def test_mean_ci_bars_draw_each_interval_where_it_is():
    from helpers.analysis import MeanCI
    from helpers.plot import mean_ci_bars

    fig, ax = plt.subplots()
    cis = {"ours": {"F": MeanCI(0.8, 0.7, 0.85, 10), "CMLt": MeanCI(0.6, 0.5, 0.7, 10)},
           "librosa": {"F": MeanCI(0.5, 0.4, 0.6, 10), "CMLt": MeanCI(0.4, 0.3, 0.5, 10)}}
    drawn = mean_ci_bars(cis, ax=ax)
    line, _, (bars,) = drawn["ours"]
    np.testing.assert_allclose(line.get_ydata(), [0.8, 0.6])
    segments = bars.get_segments()                      # one vertical segment per metric: low .. high
    np.testing.assert_allclose([s[:, 1] for s in segments], [[0.7, 0.85], [0.5, 0.7]])
    assert line.get_xdata()[0] < drawn["librosa"][0].get_xdata()[0]          # side by side, not on top
    assert [t.get_text() for t in ax.get_xticklabels()] == ["F", "CMLt"]
    assert "95 % CI" in ax.get_ylabel() and "0-1" in ax.get_ylabel()
    with pytest.raises(ParameterError, match="same metrics"):
        mean_ci_bars({"a": {"F": MeanCI(0.5, 0.4, 0.6, 3)}, "b": {"CMLt": MeanCI(0.5, 0.4, 0.6, 3)}})


def test_breakdown_chart_puts_the_first_group_on_top_with_its_size():
    from helpers.analysis import GroupStats
    from helpers.plot import breakdown_chart

    fig, ax = plt.subplots()
    groups = [GroupStats("Rock", 3, 0.4, 0.2, 0.6, -0.3), GroupStats("Pop", 20, 0.8, 0.75, 0.85, 0.1)]
    drawn = breakdown_chart(groups, ax=ax, overall=0.7)
    np.testing.assert_allclose(drawn[0].get_xdata(), [0.4, 0.8])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Rock (n=3)", "Pop (n=20)"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]              # inverted: group 0 at the top
    assert "0-1" in ax.get_xlabel()
    with pytest.raises(ParameterError):
        breakdown_chart([])


def test_class_counts_and_metric_bars_have_the_given_heights():
    from helpers.plot import class_counts_bars, metric_bars

    fig, (a1, a2) = plt.subplots(1, 2)
    drawn = class_counts_bars({"ours": {"correct": 5, "half-tempo": 2}, "librosa": {"correct": 3, "half-tempo": 4}},
                              ax=a1)
    assert [b.get_height() for b in drawn["librosa"]] == [3, 4]
    assert a1.get_ylabel() == "number of tracks" and a1.get_xlabel() == "failure class"
    rows = [{"system": "ours", "F-measure": 0.8, "Cemgil": 0.6}, {"system": "grid", "F-measure": 1.0, "Cemgil": None}]
    bars = metric_bars(rows, metrics=("F-measure", "Cemgil"), labels=("F", "Cemgil"), ax=a2)
    assert [b.get_height() for b in bars["ours"]] == [0.8, 0.6]
    assert np.isnan(bars["grid"][1].get_height())            # a missing value is a gap, not a zero
    assert [t.get_text() for t in a2.get_xticklabels()] == ["F", "Cemgil"] and "0-1" in a2.get_ylabel()
    with pytest.raises(ParameterError, match="lack"):
        metric_bars(rows, metrics=("CMLt",))


def test_signed_error_histogram_is_a_share_in_ms_with_the_lag_visible():
    from helpers.plot import signed_error_histogram

    fig, ax = plt.subplots()
    late = np.full(100, 0.0464)                                  # every beat one frame late
    drawn = signed_error_histogram({"librosa": late, "ours": np.zeros(50)}, ax=ax, bin_ms=5.0,
                                   frame_s=P.frame_duration_s)
    values, edges = drawn["librosa"].get_data()[:2]
    assert values.sum() == pytest.approx(1.0) and edges[0] == -70 and edges[-1] == 70
    assert edges[np.argmax(values)] <= 46.4 < edges[np.argmax(values) + 1]    # the peak is at +46 ms
    assert "median +46 ms" in drawn["librosa"].get_label()
    assert ax.get_xlim() == (-70.0, 70.0) and "ms" in ax.get_xlabel() and "late" in ax.get_xlabel()
    with pytest.raises(ParameterError):
        signed_error_histogram({})


def test_sweep_heatmap_shows_the_means_of_a_two_parameter_sweep():
    from helpers.analysis import SweepResult
    from helpers.batch import BatchResult, TrackResult
    from helpers.evaluate import METRIC_NAMES
    from helpers.plot import sweep_heatmap

    def result(f):
        return BatchResult([TrackResult("t", {m: f for m in METRIC_NAMES})], {"system": "x"})

    values = ((70.0, 110.0), (30.0, 100.0, 300.0))
    results = {(a, b): result(0.1 * i + 0.01 * j) for i, a in enumerate(values[0]) for j, b in enumerate(values[1])}
    sweep = SweepResult(("prior_center_bpm", "tightness"), values, "F-measure",
                        np.array([[0.0, 0.01, 0.02], [0.1, 0.11, 0.12]]), results)
    fig, ax = plt.subplots()
    out = sweep_heatmap(sweep, metric="F", ax=ax, labels={"prior_center_bpm": "tempo prior centre (BPM)"})
    np.testing.assert_allclose(out["image"].get_array(), [[0.0, 0.01, 0.02], [0.1, 0.11, 0.12]])
    assert [t.get_text() for t in out["texts"]][:2] == ["0.00", "0.01"]
    assert ax.get_ylabel() == "tempo prior centre (BPM)" and ax.get_xlabel() == "tightness"
    one = SweepResult(("tightness",), ((1.0,),), "F-measure", np.zeros(1), {(1.0,): result(0.5)})
    with pytest.raises(ParameterError, match="exactly 2"):
        sweep_heatmap(one, metric="F")


def test_tempo_phase_plane_puts_each_track_at_its_phase_and_ratio():
    from helpers.analysis import classify_track
    from helpers.plot import tempo_phase_plane

    ref = np.arange(5.0, 65.0, 0.5)
    diagnoses = {"half": classify_track(ref, ref[::2]), "off": classify_track(ref, ref[:-1] + 0.25),
                 "ok": classify_track(ref, ref + 0.01)}
    fig, ax = plt.subplots()
    drawn = tempo_phase_plane(diagnoses, ax=ax)
    assert list(drawn) == ["correct", "half-tempo", "off-beat"]
    np.testing.assert_allclose(drawn["half-tempo"].get_offsets()[0], [0.0, 0.5], atol=0.01)
    np.testing.assert_allclose(abs(drawn["off-beat"].get_offsets()[0][0]), 0.5, atol=0.01)
    assert ax.get_yscale() == "log" and "1/2" in [t.get_text() for t in ax.get_yticklabels()]
    assert "tempo ratio" in ax.get_ylabel() and "(beats)" in ax.get_xlabel()
