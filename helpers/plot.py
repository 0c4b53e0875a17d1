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
    "signed_error_histogram",
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



def signed_error_histogram(errors_s, *, ax=None, window_s: float = 0.07, bin_ms: float = 5.0,
                           frame_s: float | None = None):
    """Histograms of signed timing errors (estimated - nearest reference beat) of several systems, in ms.

    Each system's histogram is a share of its beats (each sums to 1), drawn as a step
    line, with its median in the legend; a lag shows as a peak off zero. Pass the errors
    of the beats near a reference beat (e.g. ``|error| <= window_s``), as
    :func:`helpers.analysis.pooled_beat_errors_s` returns them.

    Parameters
    ----------
    errors_s : dict
        ``{system: errors in seconds}`` (e.g. :func:`helpers.analysis.beat_errors_s`).
    ax : matplotlib Axes, optional
    window_s : float > 0
        The x range, ±``window_s`` (default: the F-measure window, 70 ms).
    bin_ms : float > 0
        Bin width in milliseconds.
    frame_s : float, optional
        One frame (s): a dotted line at one frame late (a one-frame lag sits there).

    Returns
    -------
    dict
        ``{system: StepPatch}``.
    """
    if not errors_s:
        raise ParameterError("errors_s is empty: pass {system: errors in seconds}.")
    if not (window_s > 0 and bin_ms > 0):
        raise ParameterError(f"window_s={window_s!r} and bin_ms={bin_ms!r} must be > 0.")
    ax = _axes(ax)
    half = 1000.0 * window_s
    edges = np.arange(-half, half + bin_ms / 2, bin_ms)
    if edges[-1] < half:
        edges = np.append(edges, half)
    drawn = {}
    for k, (system, errors) in enumerate(errors_s.items()):
        ms = 1000.0 * np.asarray(errors, dtype=float).ravel()
        if not np.all(np.isfinite(ms)):
            raise ParameterError(f"errors_s[{system!r}] holds NaN or inf: pass signed errors in seconds.")
        counts, _ = np.histogram(ms, bins=edges)
        median = f"median {np.median(ms):+.0f} ms" if ms.size else "no beats"
        drawn[system] = ax.stairs(counts / max(ms.size, 1), edges, color=f"C{k % 10}", linewidth=1.6,
                                  label=f"{system} ({median})")
    ax.axvline(0.0, color="k", linewidth=0.8)
    if frame_s is not None:
        ax.axvline(1000.0 * frame_s, color="grey", linestyle=":", label=f"one frame late ({1000 * frame_s:.1f} ms)")
    ax.set_xlim(-half, half)
    ax.set_xlabel("estimated beat - nearest reference beat (ms; positive = late)")
    ax.set_ylabel(f"share of the beats within ±{half:.0f} ms")
    ax.legend(fontsize=7, loc="upper left")
    return drawn
