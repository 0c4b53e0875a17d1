"""helpers.plot's bar and downbeat figures (notebook 05): bar lines, beats and tatums where they belong."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.data import HARMONIX_PARAMS as P  # noqa: E402
from helpers.data import Beats  # noqa: E402
from helpers.downbeat import track_downbeats  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402
from helpers.plot import BEAT_STYLES, bar_grid, downbeat_overview  # noqa: E402

from .builders import bars_spectrogram  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _xs(lines) -> np.ndarray:
    """The x position of each vertical line of a LineCollection."""
    return np.array([seg[0, 0] for seg in lines.get_segments()])


def test_bar_grid_puts_bar_lines_on_ones_beats_between_and_tatums_inside():
    times = np.arange(0.5, 6.5, 0.5)                  # 12 beats, 3 bars of 4
    positions = np.tile([1, 2, 3, 4], 3)
    fig, ax = plt.subplots()
    lines = bar_grid(times, positions, ax=ax, start_s=0.0, end_s=7.0)
    np.testing.assert_allclose(_xs(lines["bars"]), [0.5, 2.5, 4.5])
    np.testing.assert_allclose(_xs(lines["beats"]), times[positions != 1])
    # 11 beat intervals, 3 ticks inside each: 0.125 s apart at 120 BPM, never on a beat.
    tatums = _xs(lines["tatums"])
    assert tatums.size == 33
    np.testing.assert_allclose(np.sort(tatums)[:3], [0.625, 0.75, 0.875])
    assert not np.any(np.isclose(tatums[:, None], times[None, :]).any(axis=1))


def test_bar_grid_follows_the_beats_when_the_tempo_changes():
    times = np.array([0.0, 1.0, 1.5, 3.5])
    fig, ax = plt.subplots()
    lines = bar_grid(times, [1, 2, 3, 1], ax=ax, tatums_per_beat=2, start_s=-1.0, end_s=5.0)
    np.testing.assert_allclose(np.sort(_xs(lines["tatums"])), [0.5, 1.25, 2.5])


def test_bar_grid_window_styles_and_legend():
    times = np.arange(0.0, 10.0, 0.5)
    positions = np.arange(times.size) % 3 + 1        # a waltz
    fig, ax = plt.subplots()
    lines = bar_grid(times, positions, ax=ax, start_s=2.0, end_s=4.0, on_curve=True)
    assert np.all((_xs(lines["bars"]) >= 2.0) & (_xs(lines["bars"]) <= 4.0))
    np.testing.assert_allclose(_xs(lines["bars"]), [3.0])
    assert np.all((_xs(lines["tatums"]) >= 2.0) & (_xs(lines["tatums"]) <= 4.0))
    labels = [t.get_text() for t in ax.legend().get_texts()]
    assert labels == ["tatums (1/4 beat)", "beats", "downbeats (bar lines)"]
    # on a curve the downbeats are dark blue, not the spectrogram's cyan
    to_hex = matplotlib.colors.to_hex
    assert to_hex(lines["bars"].get_color()[0]) != to_hex(BEAT_STYLES["downbeat"]["color"])


def test_bar_grid_without_tatums_or_labels():
    fig, ax = plt.subplots()
    lines = bar_grid([0.0, 0.5, 1.0], [1, 2, 1], ax=ax, tatums_per_beat=1, labels=False, start_s=0.0, end_s=2.0)
    assert len(lines["tatums"].get_segments()) == 0
    assert not ax.get_legend_handles_labels()[1]


@pytest.mark.parametrize("kwargs, match", [
    (dict(beat_times_s=[0.0, 0.5], positions=[1]), "one value per beat"),
    (dict(beat_times_s=[0.0, 0.5], positions=[1, 2], tatums_per_beat=0), "tatums_per_beat"),
    (dict(beat_times_s=[0.0, 0.5], positions=[1, 2], tatums_per_beat=2.5), "tatums_per_beat"),
])
def test_bar_grid_refuses_bad_input(kwargs, match):
    fig, ax = plt.subplots()
    beat_times_s = kwargs.pop("beat_times_s")
    positions = kwargs.pop("positions")
    with pytest.raises(ParameterError, match=match):
        bar_grid(beat_times_s, positions, ax=ax, **kwargs)


def test_downbeat_overview_draws_the_estimate_the_reference_and_the_evidence():
    # 4/4 at 120 BPM from 0.5 s to 29.5 s: drums on every beat, the bass on one, a chord per bar
    S, _, beats_s, positions = bars_spectrogram(int(29.5 * P.frame_rate_hz) + 30, tempo_bpm=120.0, end_s=30.0)
    result = track_downbeats(S, beat_times_s=beats_s, mel_params=P)
    reference = Beats(times_s=beats_s, positions=positions)
    out = downbeat_overview(S, params=P, result=result, reference=reference, start_s=4.0, end_s=12.0, title="t")
    top, bottom = out["axes"]
    assert top.get_xlim() == (4.0, 12.0) and bottom.get_xlabel() == "Time (s)" and top.get_title() == "t"
    assert "Hz" in top.get_ylabel()
    ones_in_view = beats_s[(positions == 1) & (beats_s >= 4.0) & (beats_s <= 12.0)]
    np.testing.assert_allclose(_xs(out["lines"]["reference0"]), ones_in_view)
    np.testing.assert_allclose(_xs(out["lines"]["estimate0"]), result.downbeat_times_s[
        (result.downbeat_times_s >= 4.0) & (result.downbeat_times_s <= 12.0)])
    # one stem per beat in view, the beats called 'one' filled in green
    in_view = (beats_s >= 4.0) & (beats_s <= 12.0)
    assert len(out["lines"]["evidence"].get_segments()) == int(in_view.sum())
    np.testing.assert_allclose(out["lines"]["ones"].get_offsets()[:, 0], beats_s[in_view & (result.positions == 1)])


def test_downbeat_overview_without_reference_and_bad_result():
    S, _, beats_s, positions = bars_spectrogram(int(19.5 * P.frame_rate_hz) + 30, tempo_bpm=120.0, end_s=20.0)
    result = track_downbeats(S, beat_times_s=beats_s, mel_params=P)
    out = downbeat_overview(S, params=P, result=result)
    assert "reference0" not in out["lines"] and out["axes"][0].get_xlim()[0] == 0.0
    with pytest.raises(ParameterError, match="DownbeatResult"):
        downbeat_overview(S, params=P, result=beats_s)
