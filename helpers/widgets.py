"""Interactive widgets for the notebooks (ipywidgets).

- :class:`TrackBrowser` (notebook 01): pick a track and a time window; see the
  spectrogram with the reference beats and the spectral flux; hear the excerpt rebuilt
  from the mel-spectrogram with clicks on the beats.
- :class:`TrackerExplorer` (notebook 02): sliders for the tracker's main parameters;
  the beats, the plot and the F-measure / CMLt readout update live.

Both keep their state in plain attributes and expose ``update()`` so tests (and
curious learners) can drive them without a browser. Each redraw reuses one figure and
measures itself (``last_update_ms``), so responsiveness is visible, not assumed.
"""

from __future__ import annotations

import dataclasses
import io
import time
from functools import lru_cache

import numpy as np

from .beat import TrackerParams, run_tracker_from_novelty, tracker_novelty
from .data import Beats, Dataset, MelParams
from .errors import ParameterError
from .evaluate import SHORT_NAMES, evaluate_beats
from .novelty import spectral_flux
from .plot import beat_lines, curve, specshow_db

__all__ = ["TrackBrowser", "TrackerExplorer", "EXPLORER_SLIDERS"]

#: The explorer's sliders: TrackerParams field -> (label, min, max, step, log scale).
EXPLORER_SLIDERS = {
    "gamma": ("compression γ", 0.0, 8.0, 0.5, True),               # 10**0 .. 10**8
    "local_average_s": ("local avg (s, 0=off)", 0.0, 3.0, 0.1, False),
    "prior_center_bpm": ("prior centre (BPM)", 50.0, 220.0, 5.0, False),
    "prior_width_octaves": ("prior width (oct)", 0.1, 2.0, 0.05, False),
    "tightness": ("DP tightness", 0.0, 4.0, 0.25, True),            # 10**0 .. 10**4
    "low_band_share": ("bass share of flux", 0.0, 0.9, 0.05, False),  # < 250 Hz; 0 = bass ignored
}
#: TrackerParams fields that change the novelty curve (the rest only change tempo/DP).
_NOVELTY_FIELDS = ("gamma", "local_average_s", "low_band_share", "low_band_cutoff_hz")
#: Metrics shown live (the cheap ones; Week 3 computes them all).
EXPLORER_METRICS = ("F-measure", "Correct Metric Level Total", "Any Metric Level Total")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80)
    return buffer.getvalue()


class TrackerExplorer:
    """Sliders for the reference tracker on one track, with a live plot and metrics.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        The track's POWER mel-spectrogram.
    reference : helpers.data.Beats
        Reference beats (for the plot and the metrics).
    params : MelParams
        The data set's parameters (``ds.params``).
    start_s, window_s : float
        The part of the track shown (the whole track is tracked and scored).
    title : str

    Examples
    --------
    >>> explorer = TrackerExplorer(S, ds.load_beats(tid), params=ds.params)   # doctest: +SKIP
    >>> explorer.show()                                                       # doctest: +SKIP
    >>> explorer.update(tightness=400)   # what a slider does                  # doctest: +SKIP
    """

    def __init__(self, S_power, reference: Beats, *, params: MelParams, start_s: float = 10.0,
                 window_s: float = 12.0, title: str = "", tracker_params: TrackerParams | None = None):
        import matplotlib.pyplot as plt

        self.S_power = np.asarray(S_power)
        self.reference = reference
        self.params = params
        self.tracker_params = tracker_params or TrackerParams()
        duration_s = params.duration_s(self.S_power.shape[1])
        self.start_s = float(min(start_s, max(duration_s - window_s, 0.0)))
        self.end_s = float(min(self.start_s + window_s, duration_s))
        self.title = title
        self.last_update_ms = float("nan")
        self.scores: dict[str, float] = {}
        self.beat_times_s = np.empty(0)
        self.tempo_bpm = float("nan")

        # One figure, reused: the spectrogram is drawn once; only curves and lines change.
        plt.ioff()
        # A fixed layout: a layout engine would re-solve on every redraw (~100 ms).
        self.figure, (self._ax_spec, self._ax_nov) = plt.subplots(2, 1, figsize=(10, 4.6), sharex=True)
        self.figure.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.1, hspace=0.08)
        plt.ion()
        specshow_db(self.S_power, params=params, ax=self._ax_spec, start_s=self.start_s, end_s=self.end_s,
                    colorbar=False)
        self._ax_spec.set_xlabel("")
        self._ax_spec.set_xlim(self.start_s, self.end_s)
        for ax in (self._ax_spec, self._ax_nov):
            beat_lines(reference.times_s, ax=ax, kind="reference", on_curve=ax is self._ax_nov,
                       label="reference beats", start_s=self.start_s, end_s=self.end_s)
        self._novelty_line = None
        self._estimate_lines = []
        self._widget = None
        self._compute_and_draw()

    # -- computation ---------------------------------------------------------------------
    @lru_cache(maxsize=32)
    def _novelty(self, novelty_fields: tuple):
        """The tracker's novelty for these novelty parameters (cached: tempo/DP sliders reuse it)."""
        return tracker_novelty(self.S_power, mel_params=self.params,
                               tracker_params=dataclasses.replace(self.tracker_params, **dict(novelty_fields)))

    def _compute_and_draw(self) -> None:
        start = time.perf_counter()
        p = self.tracker_params
        novelty = self._novelty(tuple((name, getattr(p, name)) for name in _NOVELTY_FIELDS))
        result = run_tracker_from_novelty(novelty, tracker_params=p)
        self.beat_times_s = result.beat_times_s
        self.tempo_bpm = float(result.tempo_bpm)
        self.scores = evaluate_beats(self.reference.times_s, self.beat_times_s, metrics=EXPLORER_METRICS)

        if self._novelty_line is not None:
            self._novelty_line.remove()
        self._novelty_line = curve(novelty.values, frame_rate_hz=novelty.frame_rate_hz, ax=self._ax_nov,
                                   start_s=self.start_s, end_s=self.end_s, label="spectral flux")
        self._ax_nov.relim()
        self._ax_nov.autoscale_view(scalex=False)
        for lines in self._estimate_lines:
            lines.remove()
        self._estimate_lines = [
            beat_lines(self.beat_times_s, ax=ax, kind="estimate", on_curve=ax is self._ax_nov,
                       label="estimated beats", start_s=self.start_s, end_s=self.end_s)
            for ax in (self._ax_spec, self._ax_nov)
        ]
        self._ax_nov.legend(loc="upper right", fontsize=8, ncol=3)
        self._ax_spec.set_title(self.title + ("  —  " if self.title else "") + self.readout(plain=True))
        self._png = _png(self.figure)
        self.last_update_ms = 1000 * (time.perf_counter() - start)

    def readout(self, *, plain: bool = False) -> str:
        """The metrics line shown above the plot."""
        parts = [f"{SHORT_NAMES[name]} {self.scores[name]:.3f}" for name in EXPLORER_METRICS]
        parts.append(f"tempo {self.tempo_bpm:.1f} BPM")
        return "  |  ".join(parts) if plain else " &nbsp;|&nbsp; ".join(f"<b>{p}</b>" for p in parts)

    def update(self, **changes) -> dict[str, float]:
        """Change tracker parameters (TrackerParams field names), recompute, redraw.

        Returns the new scores. This is exactly what moving a slider does.
        """
        unknown = set(changes) - {f.name for f in dataclasses.fields(TrackerParams)}
        if unknown:
            raise ParameterError(f"unknown tracker parameter(s) {sorted(unknown)}; see TrackerParams.")
        if changes.get("local_average_s") == 0:
            changes["local_average_s"] = None   # the slider's 0 means: no local average
        self.tracker_params = dataclasses.replace(self.tracker_params, **changes)
        self._compute_and_draw()
        if self._widget is not None:
            self._refresh_widget()
        return self.scores

    # -- the widget --------------------------------------------------------------------
    def _refresh_widget(self) -> None:
        image, readout = self._widget_parts
        image.value = self._png
        readout.value = f"{self.readout()} &nbsp; <small>(updated in {self.last_update_ms:.0f} ms)</small>"

    def widget(self):
        """The ipywidgets box: sliders, readout and the plot."""
        import ipywidgets as w

        if self._widget is not None:
            return self._widget
        sliders = []
        for name, (label, lo, hi, step, log) in EXPLORER_SLIDERS.items():
            value = getattr(self.tracker_params, name)
            value = 0.0 if value is None else value
            cls = w.FloatLogSlider if log else w.FloatSlider
            kwargs = dict(min=lo, max=hi, step=step, value=value, description=label, continuous_update=False,
                          style={"description_width": "130px"}, layout=w.Layout(width="420px"))
            if log:
                kwargs["base"] = 10
            slider = cls(**kwargs)
            slider.observe(lambda change, name=name: self.update(**{name: change["new"]}), names="value")
            sliders.append(slider)
        image = w.Image(value=self._png, format="png", layout=w.Layout(width="100%"))
        readout = w.HTML()
        self._widget_parts = (image, readout)
        self._widget = w.VBox([w.HBox([w.VBox(sliders[:3]), w.VBox(sliders[3:])]), readout, image])
        # Stable hooks for the browser test (tests/test_browser.py).
        for part, css in ((self._widget, "tracker-explorer"), (readout, "tracker-explorer-readout"),
                          (image, "tracker-explorer-plot")):
            part.add_class(css)
        self._refresh_widget()
        return self._widget

    def show(self):
        from IPython.display import display

        display(self.widget())


class TrackBrowser:
    """Pick a track and a window; see spectrogram + beats + flux; listen with clicks.

    Parameters
    ----------
    dataset : helpers.data.Dataset
    track_id : str, optional
        The track shown first (default: the first one).
    start_s, window_s : float
        The window shown first.
    """

    def __init__(self, dataset: Dataset, *, track_id: str | None = None, start_s: float = 0.0, window_s: float = 10.0):
        import matplotlib.pyplot as plt

        if not dataset.track_ids:
            raise ParameterError(f"data set {dataset.name!r} has no track with both a mel-spectrogram and beats.")
        self.dataset = dataset
        self.track_id = track_id or dataset.track_ids[0]
        self.start_s = float(start_s)
        self.window_s = float(window_s)
        self.last_update_ms = float("nan")
        plt.ioff()
        self.figure, self._axes = plt.subplots(2, 1, figsize=(10, 4.6), sharex=True)
        self.figure.subplots_adjust(left=0.08, right=0.98, top=0.92, bottom=0.1, hspace=0.08)
        plt.ion()
        self._load(self.track_id)
        self._widget = None
        self._draw()

    def _load(self, track_id: str) -> None:
        self.track_id = track_id
        self.S_power = self.dataset.load_melspec(track_id)
        self.beats = self.dataset.load_beats(track_id)
        self.flux = spectral_flux(self.S_power, mel_params=self.dataset.params)
        self.duration_s = self.dataset.params.duration_s(self.S_power.shape[1])

    def _draw(self) -> None:
        start = time.perf_counter()
        params = self.dataset.params
        self.start_s = float(np.clip(self.start_s, 0.0, max(self.duration_s - 1.0, 0.0)))
        end_s = min(self.start_s + self.window_s, self.duration_s)
        for ax in self._axes:
            ax.clear()
        specshow_db(self.S_power, params=params, ax=self._axes[0], start_s=self.start_s, end_s=end_s, colorbar=False)
        curve(self.flux.values, frame_rate_hz=self.flux.frame_rate_hz, ax=self._axes[1], start_s=self.start_s,
              end_s=end_s, label="spectral flux")
        for i, ax in enumerate(self._axes):
            beat_lines(self.beats.times_s, ax=ax, kind="reference", on_curve=i == 1, label="beats",
                       start_s=self.start_s, end_s=end_s)
            if self.beats.has_downbeats:
                beat_lines(self.beats.downbeats_s, ax=ax, kind="downbeat", on_curve=i == 1, label="downbeats",
                           start_s=self.start_s, end_s=end_s)
        self._axes[0].set_xlabel("")
        self._axes[0].set_xlim(self.start_s, end_s)
        self._axes[1].legend(loc="upper right", fontsize=8, ncol=3)
        meta = self.dataset.metadata.get(self.track_id)
        extra = f" — {meta.genre}, {meta.bpm:g} BPM, {meta.time_signature}" if meta else ""
        self._axes[0].set_title(f"{self.track_id}{extra}")
        self._png = _png(self.figure)
        self.last_update_ms = 1000 * (time.perf_counter() - start)

    def update(self, *, track_id: str | None = None, start_s: float | None = None, window_s: float | None = None):
        """Show another track or window (what the controls do)."""
        if track_id is not None and track_id != self.track_id:
            if track_id not in self.dataset.track_ids:
                raise ParameterError(f"unknown track {track_id!r} in data set {self.dataset.name!r}.")
            self._load(track_id)
        if start_s is not None:
            self.start_s = float(start_s)
        if window_s is not None:
            self.window_s = float(window_s)
        self._draw()
        if self._widget is not None:
            self._image.value = self._png
            self._start.max = max(self.duration_s - 1.0, 0.0)

    def audio(self):
        """The current window rebuilt from the mel-spectrogram, with clicks on the beats."""
        from IPython.display import Audio

        from .listen import MAX_EXCERPT_S, excerpt_with_clicks

        duration_s = min(self.window_s, MAX_EXCERPT_S, self.duration_s - self.start_s)
        y = excerpt_with_clicks(self.S_power, self.beats.times_s, params=self.dataset.params,
                                start_s=self.start_s, duration_s=duration_s)
        return Audio(y, rate=self.dataset.params.sr)

    def widget(self):
        import ipywidgets as w

        if self._widget is not None:
            return self._widget
        track = w.Dropdown(options=self.dataset.track_ids, value=self.track_id, description="track")
        self._start = w.FloatSlider(value=self.start_s, min=0.0, max=max(self.duration_s - 1.0, 0.0), step=0.5,
                                    description="start (s)", continuous_update=False)
        window = w.FloatSlider(value=self.window_s, min=2.0, max=30.0, step=1.0, description="window (s)",
                               continuous_update=False)
        listen = w.Button(description="Listen (rebuild + clicks)", icon="play", layout=w.Layout(width="220px"))
        self._image = w.Image(value=self._png, format="png", layout=w.Layout(width="100%"))
        player = w.Output()
        track.observe(lambda c: self.update(track_id=c["new"], start_s=0.0), names="value")
        self._start.observe(lambda c: self.update(start_s=c["new"]), names="value")
        window.observe(lambda c: self.update(window_s=c["new"]), names="value")

        def on_listen(_):
            from IPython.display import display

            with player:
                player.clear_output()
                print("rebuilding audio from the mel-spectrogram (a few seconds) ...")
                audio = self.audio()
                player.clear_output()
                display(audio)

        listen.on_click(on_listen)
        self._widget = w.VBox([w.HBox([track, self._start, window]), self._image, w.HBox([listen, player])])
        return self._widget

    def show(self):
        from IPython.display import display

        display(self.widget())
