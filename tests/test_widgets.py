"""helpers.widgets: the explorer and the browser, driven as a slider would drive them."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.data import HARMONIX_PARAMS as P  # noqa: E402
from helpers.data import Beats, Dataset  # noqa: E402
from helpers.errors import ParameterError  # noqa: E402
from helpers.widgets import EXPLORER_SLIDERS, TrackBrowser, TrackerExplorer  # noqa: E402

from .builders import click_spectrogram, write_beats, write_info  # noqa: E402

TEMPO_BPM = 120.0


def click_track(tempo_bpm=TEMPO_BPM, duration_s=40.0, seed=0):
    """A click and a short decay on every beat from 1 s to ``duration_s - 1`` s, over faint noise
    (tests.builders.click_spectrogram), and the reference beats."""
    S, _, times = click_spectrogram(duration_s=duration_s, tempo_bpm=tempo_bpm, phase_s=1.0, end_s=duration_s - 1,
                                    decay=0.3, floor=0.0, noise=1e-4, seed=seed)
    return S, Beats(times_s=times)


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_explorer_tracks_the_click_train():
    S, ref = click_track()
    ex = TrackerExplorer(S, ref, params=P, start_s=5, window_s=10)
    assert ex.tempo_bpm == pytest.approx(TEMPO_BPM, rel=0.02)
    assert ex.scores["F-measure"] > 0.95 and ex.scores["Correct Metric Level Total"] > 0.9
    import re

    assert re.match(r"F [01]\.\d{3}  \|  CMLt [01]\.\d{3}  \|  AMLt [01]\.\d{3}  \|  tempo 1[12]\d\.\d BPM", ex.readout(plain=True))


def test_explorer_prior_moves_the_metrical_level():
    """A narrow prior at double the tempo makes the tracker tap twice per beat: CMLt drops, AMLt stays."""
    S, ref = click_track()
    ex = TrackerExplorer(S, ref, params=P)
    before = ex._png
    scores = ex.update(prior_center_bpm=2 * TEMPO_BPM, prior_width_octaves=0.1)
    assert ex.tempo_bpm == pytest.approx(2 * TEMPO_BPM, rel=0.03)
    assert scores["Correct Metric Level Total"] < 0.1
    assert scores["Any Metric Level Total"] > 0.9
    assert ex._png != before  # the plot changed


def test_explorer_widget_sliders_drive_updates():
    S, ref = click_track()
    ex = TrackerExplorer(S, ref, params=P)
    box = ex.widget()
    sliders = [c for row in box.children[0].children for c in row.children]
    assert [s.description for s in sliders] == [v[0] for v in EXPLORER_SLIDERS.values()]
    image, readout = ex._widget_parts
    old_image, old_readout = image.value, readout.value
    prior = sliders[2]
    assert prior.description.startswith("prior centre")
    sliders[3].value = 0.2  # a narrow prior ...
    prior.value = 220.0     # ... near double tempo: what a learner's drags do
    assert ex.tracker_params.prior_center_bpm == 220.0
    # A click train has no periodicity at 220 BPM; only the narrow prior puts the tempo there.
    assert ex.tempo_bpm == pytest.approx(220.0, rel=0.02)
    assert ex.scores["Correct Metric Level Total"] < 0.1
    assert bytes(image.value) != bytes(old_image) and readout.value != old_readout
    assert "updated in" in readout.value
    assert ex.last_update_ms > 0


def test_explorer_local_average_slider_zero_means_off():
    S, ref = click_track(duration_s=15)
    ex = TrackerExplorer(S, ref, params=P)
    ex.update(local_average_s=0.0)
    assert ex.tracker_params.local_average_s is None
    ex.update(local_average_s=0.5)
    assert ex.tracker_params.local_average_s == 0.5


def test_explorer_rejects_unknown_parameters():
    S, ref = click_track(duration_s=15)
    ex = TrackerExplorer(S, ref, params=P)
    with pytest.raises(ParameterError, match="unknown tracker parameter"):
        ex.update(tempo=3)


@pytest.fixture
def small_set(tmp_path):
    mel = tmp_path / "melspecs"
    write_info(mel)
    beats_dir = tmp_path / "dataset" / "beats_and_downbeats"
    beats_dir.mkdir(parents=True)
    for i, tempo in enumerate((100.0, 130.0)):
        S, ref = click_track(tempo_bpm=tempo, duration_s=20, seed=i)
        np.save(mel / f"t{i}-mel.npy", S)
        write_beats(beats_dir / f"t{i}.txt", ref.times_s)
    return Dataset.from_root(tmp_path, name="small")


def test_browser_windows_and_tracks(small_set):
    tb = TrackBrowser(small_set, window_s=5.0)
    assert tb.track_id == "t0"
    top, bottom = tb._axes
    assert top.get_xlim() == pytest.approx((0.0, 5.0))
    tb.update(start_s=8.0)
    assert top.get_xlim() == pytest.approx((8.0, 13.0))
    assert bottom.get_xlabel() == "Time (s)"
    tb.update(track_id="t1")
    assert tb.track_id == "t1" and tb.beats.times_s[1] - tb.beats.times_s[0] == pytest.approx(60 / 130, abs=1e-6)
    with pytest.raises(ParameterError, match="unknown track"):
        tb.update(track_id="nope")
    box = tb.widget()
    dropdown = box.children[0].children[0]
    assert list(dropdown.options) == ["t0", "t1"]


def test_browser_audio_has_the_datas_rate(small_set):
    tb = TrackBrowser(small_set, window_s=3.0)
    audio = tb.audio()
    assert f"rate={P.sr}" in repr(audio) or audio.data[:4] == b"RIFF"



def test_explorer_bass_share_slider_weighs_the_bass_bands():
    """Bass-only hits on the off-beats: their flux grows with the bass share; at share 0 only noise is left."""
    S, ref = click_track()
    low = P.mel_frequencies_hz() < 250.0
    off_frames = P.time_to_frames(ref.times_s[:-1] + 30.0 / TEMPO_BPM)
    S[np.ix_(low, off_frames)] += 1.0
    ex = TrackerExplorer(S, ref, params=P)

    def offbeat_flux():
        nov = ex._novelty(tuple((n, getattr(ex.tracker_params, n)) for n in ("gamma", "local_average_s",
                                                                               "low_band_share", "low_band_cutoff_hz")))
        return float(np.mean(nov.values[off_frames]))

    shares = {}
    for share in (0.0, 0.25, 0.5, 0.75):
        ex.update(low_band_share=share)
        shares[share] = offbeat_flux()
    assert shares[0.0] < 0.1 < shares[0.25] < shares[0.5] < shares[0.75]   # at 0: only faint noise
