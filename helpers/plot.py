"""Plots with axes in seconds and Hz, taken from the data's own parameters.

Every function draws into ``ax`` (a new one if None) and returns what it drew, so a
notebook can restyle it or update it in place (the widgets do).
"""

from __future__ import annotations

import textwrap

import numpy as np

from .data import MelParams, power_to_db
from .errors import ParameterError

__all__ = [
    "takeaway",
    "BEAT_STYLES",
    "specshow_db",
    "beat_lines",
    "curve",
    "track_overview",
    "bpm_axis",
    "bar_grid",
    "downbeat_overview",
]

#: Tempo ticks (BPM) for log-scaled tempo axes.
BPM_TICKS = (30, 60, 90, 120, 180, 240, 300)

#: How each kind of beat marker looks, everywhere in the course.
BEAT_STYLES = {
    "reference": dict(color="white", linestyle="--", linewidth=1.0, alpha=0.9),
    "downbeat": dict(color="cyan", linestyle="-", linewidth=1.6, alpha=0.9),
    "estimate": dict(color="lime", linestyle=":", linewidth=1.6, alpha=1.0),
    "onset": dict(color="orange", linestyle="-", linewidth=0.8, alpha=0.8),
}
#: On a white background (curves), the white reference lines become dark grey.
_CURVE_OVERRIDES = {"reference": dict(color="0.35"), "downbeat": dict(color="tab:blue"), "estimate": dict(color="tab:green")}


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(10, 3.5))
    return ax


def _window(n_frames: int, params: MelParams, start_s, end_s) -> slice:
    start = 0 if start_s is None else max(int(params.time_to_frames(start_s)), 0)
    stop = n_frames if end_s is None else min(int(params.time_to_frames(end_s)) + 1, n_frames)
    if stop <= start:
        raise ParameterError(f"empty time window: start_s={start_s!r}, end_s={end_s!r}")
    return slice(start, stop)


def specshow_db(S_power, *, params: MelParams, ax=None, start_s: float | None = None,
                end_s: float | None = None, top_db: float = 80.0, colorbar: bool = True):
    """Show a POWER mel-spectrogram in dB (0 dB = loudest bin), time in s, frequency in Hz.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
    params : MelParams
        The data set's parameters (``ds.params``): they set both axes.
    ax : matplotlib Axes, optional
    start_s, end_s : float, optional
        Show only this time window (the axis keeps the track's own time).
    top_db : float
        Dynamic range shown.
    colorbar : bool

    Returns
    -------
    matplotlib.collections.QuadMesh
    """
    import librosa.display

    ax = _axes(ax)
    frames = _window(S_power.shape[1], params, start_s, end_s)
    S_db = power_to_db(S_power[:, frames], ref=float(np.max(S_power)), top_db=top_db)
    n = S_db.shape[1]
    # Frame k is centred at k*hop/sr (center=True): pass the centres, in the track's own time.
    centres_s = params.frames_to_time(np.arange(frames.start, frames.start + n))
    kwargs = params.specshow_kwargs()
    kwargs.pop("x_axis")
    mesh = librosa.display.specshow(S_db, x_coords=centres_s, x_axis="s", ax=ax, cmap="magma", **kwargs)
    ax.set_xlabel("Time (s)")
    ax.set_ylabel("Frequency (Hz, mel scale)")
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, format="%+2.0f dB", pad=0.01)
    return mesh


def beat_lines(times_s, *, ax, kind: str = "reference", on_curve: bool = False, label: str | None = None,
               start_s: float | None = None, end_s: float | None = None):
    """Vertical lines at beat times (seconds), styled by ``kind`` (see :data:`BEAT_STYLES`).

    Returns
    -------
    matplotlib.collections.LineCollection
    """
    if kind not in BEAT_STYLES:
        raise ParameterError(f"kind must be one of {sorted(BEAT_STYLES)}, got {kind!r}")
    times_s = np.asarray(times_s, dtype=float)
    lo, hi = ax.get_xlim() if (start_s is None and end_s is None) else (start_s, end_s)
    if lo is not None and hi is not None:
        times_s = times_s[(times_s >= lo) & (times_s <= hi)]
    style = dict(BEAT_STYLES[kind])
    if on_curve:
        style.update(_CURVE_OVERRIDES.get(kind, {}))
    return ax.vlines(times_s, 0, 1, transform=ax.get_xaxis_transform(), label=label or kind, **style)


def curve(values, *, frame_rate_hz: float, ax=None, start_s: float | None = None, end_s: float | None = None,
          label: str | None = None, ylabel: str = "novelty", **style):
    """Plot a frame-wise curve (novelty, energy) against time in seconds.

    Returns
    -------
    matplotlib.lines.Line2D
    """
    if not frame_rate_hz > 0:
        raise ParameterError(f"frame_rate_hz must be > 0, got {frame_rate_hz!r}")
    ax = _axes(ax)
    values = np.asarray(values, dtype=float)
    times_s = np.arange(len(values)) / frame_rate_hz
    keep = np.ones(len(values), bool)
    if start_s is not None:
        keep &= times_s >= start_s
    if end_s is not None:
        keep &= times_s <= end_s
    (line,) = ax.plot(times_s[keep], values[keep], label=label, **({"color": "k", "linewidth": 1.0} | style))
    ax.set_xlabel("Time (s)")
    ax.set_ylabel(ylabel)
    if start_s is not None or end_s is not None:
        ax.set_xlim(start_s if start_s is not None else 0, end_s if end_s is not None else times_s[-1])
    return line


def track_overview(S_power, *, params: MelParams, reference=None, estimate_s=None, novelty=None,
                   start_s: float | None = None, end_s: float | None = None, title: str | None = None, axes=None):
    """Spectrogram with beats on top, and (optionally) a novelty curve with the same beats below.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
    params : MelParams
    reference : helpers.data.Beats, optional
        Reference beats; downbeats are drawn too when known.
    estimate_s : np.ndarray, optional
        Estimated beat times in seconds.
    novelty : np.ndarray [shape=(n_frames,)], optional
        A frame-wise curve at ``params.frame_rate_hz``.
    start_s, end_s : float, optional
        Time window.
    axes : sequence of Axes, optional
        One axis (no novelty) or two.

    Returns
    -------
    dict
        ``{"figure", "axes", "mesh", "lines"}``.
    """
    import matplotlib.pyplot as plt

    rows = 2 if novelty is not None else 1
    if axes is None:
        fig, axes = plt.subplots(rows, 1, figsize=(11, 3.2 * rows), sharex=True, squeeze=False,
                                 constrained_layout=True)
        axes = list(axes[:, 0])
    fig = axes[0].figure
    end = end_s if end_s is not None else params.duration_s(S_power.shape[1])
    start = start_s if start_s is not None else 0.0
    mesh = specshow_db(S_power, params=params, ax=axes[0], start_s=start_s, end_s=end_s)
    lines = {}
    for i, ax in enumerate(axes):
        on_curve = i > 0
        if reference is not None:
            lines[f"reference{i}"] = beat_lines(reference.times_s, ax=ax, kind="reference", on_curve=on_curve,
                                                label="reference beats", start_s=start, end_s=end)
            if reference.has_downbeats:
                lines[f"downbeat{i}"] = beat_lines(reference.downbeats_s, ax=ax, kind="downbeat", on_curve=on_curve,
                                                   label="reference downbeats", start_s=start, end_s=end)
        if estimate_s is not None:
            lines[f"estimate{i}"] = beat_lines(estimate_s, ax=ax, kind="estimate", on_curve=on_curve,
                                               label="estimated beats", start_s=start, end_s=end)
    if novelty is not None:
        lines["novelty"] = curve(novelty, frame_rate_hz=params.frame_rate_hz, ax=axes[1], start_s=start, end_s=end)
        axes[1].legend(loc="upper right", fontsize=8, ncol=4)
        axes[0].set_xlabel("")
    axes[0].set_xlim(start, end)
    if title:
        axes[0].set_title(title)
    return {"figure": fig, "axes": axes, "mesh": mesh, "lines": lines}


def bpm_axis(ax, *, axis: str = "x", label: str = "tempo (BPM)"):
    """Make ``ax``'s x (or y) axis a log tempo axis with plain BPM tick labels.

    Octaves (half/double tempo) are equal distances on it.
    """
    from matplotlib.ticker import FixedLocator, NullFormatter, NullLocator

    if axis not in ("x", "y"):
        raise ParameterError(f"axis must be 'x' or 'y', got {axis!r}")
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(FixedLocator(BPM_TICKS))
    target.set_major_formatter(lambda value, _pos: f"{value:g}")
    target.set_minor_locator(NullLocator())
    target.set_minor_formatter(NullFormatter())
    (ax.set_xlabel if axis == "x" else ax.set_ylabel)(label)
    return target


def takeaway(text: str, *, width: int = 100) -> None:
    """Print the one-line lesson under a figure as ``Takeaway: ...``, wrapped between words.

    Notebook front ends wrap long output lines anywhere, even inside a word; this wraps
    at ``width`` characters on spaces. Returns nothing (so a notebook cell ending with
    it shows the text once).
    """
    print(textwrap.fill(f"Takeaway: {text}", width=width, subsequent_indent="  ",
                        break_long_words=False, break_on_hyphens=False))


# --------------------------------------------------------------------------- bars and downbeats (notebook 05)
#: Tatum (subdivision) ticks of :func:`bar_grid`: thin and faint, so the beats and bars stand out.
TATUM_STYLE = dict(color="white", linestyle=":", linewidth=0.6, alpha=0.55)
_TATUM_ON_CURVE = dict(color="0.6")


def _tatum_times(beat_times_s: np.ndarray, tatums_per_beat: int) -> np.ndarray:
    """The times that split each beat interval into ``tatums_per_beat`` equal parts (the beats excluded)."""
    if beat_times_s.size < 2 or tatums_per_beat < 2:
        return np.empty(0)
    fractions = np.arange(1, tatums_per_beat) / tatums_per_beat
    gaps = np.diff(beat_times_s)
    return (beat_times_s[:-1, None] + gaps[:, None] * fractions[None, :]).ravel()


def bar_grid(beat_times_s, positions, *, ax, tatums_per_beat: int = 4, on_curve: bool = False,
             start_s: float | None = None, end_s: float | None = None, labels: bool = True) -> dict:
    """The metrical hierarchy as vertical lines: bar lines (downbeats), beats, and tatum ticks between beats.

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Beat times in seconds, increasing.
    positions : np.ndarray [shape=(n_beats,)], int
        Position of each beat in its bar, 1 = downbeat (e.g. ``Beats.positions`` or
        ``DownbeatResult.positions``).
    ax : matplotlib Axes
    tatums_per_beat : int >= 1
        Equal subdivisions of each beat interval drawn as ticks (4: sixteenth notes in
        4/4; 1: none).
    on_curve : bool
        Dark lines for a white background (a curve) instead of light ones (a spectrogram).
    start_s, end_s : float, optional
        Only lines inside this window.
    labels : bool
        Legend labels ("downbeats (bar lines)", "beats", "tatums (1/4 beat)").

    Returns
    -------
    dict
        ``{"bars", "beats", "tatums"}``: the three LineCollections.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> lines = bar_grid([0.5, 1.0, 1.5, 2.0, 2.5], [1, 2, 3, 4, 1], ax=ax, start_s=0.0, end_s=3.0)
    >>> [len(lines[k].get_segments()) for k in ("bars", "beats", "tatums")]
    [2, 3, 12]
    """
    times = np.asarray(beat_times_s, dtype=float)
    pos = np.asarray(positions)
    if times.ndim != 1 or pos.shape != times.shape:
        raise ParameterError(
            f"beat_times_s and positions need one value per beat, got shapes {times.shape} and {pos.shape}."
        )
    if isinstance(tatums_per_beat, bool) or not isinstance(tatums_per_beat, (int, np.integer)) or tatums_per_beat < 1:
        raise ParameterError(f"tatums_per_beat={tatums_per_beat!r} must be an integer >= 1 (4 = sixteenths in 4/4).")
    window = dict(start_s=start_s, end_s=end_s)
    is_one = pos == 1
    tatums = _tatum_times(times, int(tatums_per_beat))
    lo, hi = ax.get_xlim() if (start_s is None and end_s is None) else (start_s, end_s)
    if lo is not None and hi is not None:
        tatums = tatums[(tatums >= lo) & (tatums <= hi)]
    style = dict(TATUM_STYLE) | (_TATUM_ON_CURVE if on_curve else {})
    tatum_lines = ax.vlines(tatums, 0, 1, transform=ax.get_xaxis_transform(),
                            label=f"tatums (1/{tatums_per_beat} beat)" if labels and tatums_per_beat > 1 else None,
                            **style)
    beat = beat_lines(times[~is_one], ax=ax, kind="reference", on_curve=on_curve,
                      label="beats" if labels else "_nolegend_", **window)
    bars = beat_lines(times[is_one], ax=ax, kind="downbeat", on_curve=on_curve,
                      label="downbeats (bar lines)" if labels else "_nolegend_", **window)
    return {"bars": bars, "beats": beat, "tatums": tatum_lines}


def downbeat_overview(S_power, *, params: MelParams, result, reference=None, start_s: float | None = None,
                      end_s: float | None = None, title: str | None = None, axes=None) -> dict:
    """A bar-tracking result on its spectrogram, with the per-beat evidence it was decided from.

    Top: the spectrogram (dB) with the reference's bar lines (cyan) and the estimated
    downbeats (green, dotted). Bottom: the downbeat evidence of every beat as stems
    (``result.evidence``, standardized units), the beats called "one" filled, the
    reference downbeats as lines.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram.
    params : MelParams
    result : helpers.downbeat.DownbeatResult
    reference : helpers.data.Beats, optional
        With positions: its downbeats are drawn in both panels.
    start_s, end_s : float, optional
        Time window (default: the whole track).
    title : str, optional
    axes : sequence of two Axes, optional

    Returns
    -------
    dict
        ``{"figure", "axes", "mesh", "lines"}``.
    """
    import matplotlib.pyplot as plt

    if not hasattr(result, "evidence") or not hasattr(result, "positions"):
        raise ParameterError(f"result must be a helpers.downbeat.DownbeatResult, got {type(result).__name__}.")
    if axes is None:
        fig, axes = plt.subplots(2, 1, figsize=(11, 4.6), sharex=True, height_ratios=(3, 2), constrained_layout=True)
    axes = list(axes)
    fig = axes[0].figure
    start = 0.0 if start_s is None else start_s
    end = params.duration_s(S_power.shape[1]) if end_s is None else end_s
    mesh = specshow_db(S_power, params=params, ax=axes[0], start_s=start, end_s=end, colorbar=False)
    lines = {}
    t = np.asarray(result.beat_times_s)
    keep = (t >= start) & (t <= end)
    one = np.asarray(result.positions) == 1
    if reference is not None and reference.has_downbeats:
        for i, ax in enumerate(axes):
            lines[f"reference{i}"] = beat_lines(reference.downbeats_s, ax=ax, kind="downbeat", on_curve=i > 0,
                                                label="reference downbeats", start_s=start, end_s=end)
    lines["estimate0"] = beat_lines(t[one], ax=axes[0], kind="estimate", label="estimated downbeats",
                                    start_s=start, end_s=end)
    ev = np.asarray(result.evidence)
    ax = axes[1]
    ax.axhline(0.0, color="0.7", linewidth=0.8)
    lines["evidence"] = ax.vlines(t[keep], 0.0, ev[keep], color="0.45", linewidth=1.2)
    lines["other"] = ax.scatter(t[keep & ~one], ev[keep & ~one], s=14, facecolors="white", edgecolors="0.3",
                                zorder=3, label="other beats")
    lines["ones"] = ax.scatter(t[keep & one], ev[keep & one], s=22, color="tab:green", zorder=3,
                               label="beats called 'one'")
    ax.set_ylabel("downbeat evidence\n(std. units)")
    ax.set_xlabel("Time (s)")
    axes[0].set_xlabel("")
    axes[0].set_xlim(start, end)
    axes[0].legend(loc="upper right", fontsize=7, ncol=2, framealpha=0.6)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, frameon=False)
    if title:
        axes[0].set_title(title)
    return {"figure": fig, "axes": axes, "mesh": mesh, "lines": lines}
