"""Plots with axes in seconds and Hz, taken from the data's own parameters.

Every function draws into ``ax`` (a new one if None) and returns what it drew, so a
notebook can restyle it or update it in place (the widgets do).
"""

from __future__ import annotations

import textwrap

import numpy as np

from .data import MelParams, power_to_db
from .checks import check_choice, check_int_at_least, check_positive
from .errors import ParameterError

__all__ = [
    "takeaway",
    "BEAT_STYLES",
    "specshow_db",
    "beat_lines",
    "curve",
    "track_overview",
    "bpm_axis",
    "SYSTEM_COLORS",
    "CLASS_COLORS",
    "score_scatter",
    "mean_ci_bars",
    "breakdown_chart",
    "class_counts_bars",
    "metric_bars",
    "signed_error_histogram",
    "sweep_heatmap",
    "tempo_phase_plane",
    "bar_grid",
    "downbeat_overview",
    "weight_image",
]

#: Tempo ticks (BPM) for log-scaled tempo axes.
BPM_TICKS = (30, 60, 90, 120, 180, 240, 300)

#: How each kind of beat marker looks, everywhere in the course.
BEAT_STYLES = {
    "reference": dict(color="white", linestyle="--", linewidth=1.0, alpha=0.9),
    "downbeat": dict(color="cyan", linestyle="-", linewidth=1.6, alpha=0.9),
    "estimate": dict(color="lime", linestyle=":", linewidth=1.6, alpha=1.0),
    "estimated downbeat": dict(color="magenta", linestyle=":", linewidth=2.4, alpha=1.0),
    "onset": dict(color="orange", linestyle="-", linewidth=0.8, alpha=0.8),
}
#: On a white background (curves), the white reference lines become dark grey.
_CURVE_OVERRIDES = {"reference": dict(color="0.35"), "downbeat": dict(color="tab:blue"), "estimate": dict(color="tab:green"),
                    "estimated downbeat": dict(color="tab:purple")}


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
    check_choice(kind, tuple(sorted(BEAT_STYLES)), name="kind")
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
    check_positive(frame_rate_hz, name="frame_rate_hz", fix="It is sr / hop_length (21.53 for Harmonix).")
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
                   start_s: float | None = None, end_s: float | None = None, title: str | None = None, axes=None,
                   estimate_downbeats_s=None):
    """Spectrogram with beats on top, and (optionally) a novelty curve with the same beats below.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
    params : MelParams
    reference : helpers.data.Beats, optional
        Reference beats; downbeats are drawn too when known.
    estimate_s : np.ndarray, optional
        Estimated beat times in seconds.
    estimate_downbeats_s : np.ndarray, optional
        Estimated downbeats in seconds (e.g. a :class:`helpers.results.TrackResult`'s
        ``downbeat_times_s``), drawn thicker in magenta.
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
        if estimate_downbeats_s is not None:
            lines[f"estimated downbeat{i}"] = beat_lines(estimate_downbeats_s, ax=ax, kind="estimated downbeat",
                                                         on_curve=on_curve, label="estimated downbeats",
                                                         start_s=start, end_s=end)
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

    check_choice(axis, ("x", "y"), name="axis")
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


# =========================================================================== Weeks 3-4: results of many tracks
#: One colour per system, everywhere in Weeks 3-4 (other names get matplotlib's cycle).
SYSTEM_COLORS = {"ours": "tab:green", "librosa-aligned": "tab:blue", "librosa": "tab:orange",
                 "frame grid": "0.55", "frame grid + refinement": "0.25"}
#: One colour per failure class (helpers.analysis.FAILURE_CLASSES).
CLASS_COLORS = {"correct": "tab:green", "half-tempo": "tab:orange", "double-tempo": "tab:purple",
                "off-beat": "tab:red", "lost-lock": "tab:brown", "other": "tab:grey"}
#: Score axes (0-1) get this margin so points at 0 and 1 are not cut in half.
_SCORE_MARGIN = 0.03


def _color(name, k: int):
    return SYSTEM_COLORS.get(name, f"C{k % 10}")


def _scores_1d(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=float)
    if x.ndim != 1:
        raise ParameterError(f"{name} must be a 1-D sequence of per-track scores, got shape {x.shape}.")
    return x


def score_scatter(x_scores, y_scores, *, ax=None, xlabel: str, ylabel: str, groups=None, colors=None,
                  title: str | None = None, size: float = 24.0):
    """Per-track scores of two systems against each other, with the diagonal (points above it: y wins).

    Parameters
    ----------
    x_scores, y_scores : array_like [shape=(n_tracks,)]
        Scores in [0, 1], the same tracks in the same order.
    ax : matplotlib Axes, optional
    xlabel, ylabel : str
        Say which system and metric, e.g. ``"F-measure, librosa-aligned (per track, 0-1)"``.
    groups : sequence of str [shape=(n_tracks,)], optional
        A label per track (e.g. its failure class): one colour and legend entry per label.
    colors : dict, optional
        Label -> colour (default :data:`CLASS_COLORS`, then matplotlib's cycle).
    title : str, optional
    size : float
        Marker size (points²).

    Returns
    -------
    dict
        ``{"diagonal": Line2D, "points": {label: PathCollection}}`` (label ``None`` without groups).
    """
    x, y = _scores_1d(x_scores, "x_scores"), _scores_1d(y_scores, "y_scores")
    if x.shape != y.shape:
        raise ParameterError(f"x_scores and y_scores must hold the same tracks: {x.size} vs {y.size} values.")
    ax = _axes(ax)
    lo, hi = -_SCORE_MARGIN, 1 + _SCORE_MARGIN
    (diagonal,) = ax.plot([0, 1], [0, 1], color="grey", linewidth=0.8, zorder=1)
    points = {}
    if groups is None:
        points[None] = ax.scatter(x, y, s=size, alpha=0.7, zorder=2)
    else:
        groups = list(groups)
        if len(groups) != x.size:
            raise ParameterError(f"groups needs one label per track ({x.size}), got {len(groups)}.")
        palette = {**CLASS_COLORS, **(colors or {})}
        present = set(groups)
        order = [c for c in palette if c in present] + [g for g in dict.fromkeys(groups) if g not in palette]
        for k, label in enumerate(order):                  # the palette's order (failure classes as the course lists them)
            idx = [i for i, g in enumerate(groups) if g == label]
            points[label] = ax.scatter(x[idx], y[idx], s=size, alpha=0.8, color=palette.get(label, f"C{k % 10}"),
                                       label=f"{label} ({len(idx)})", zorder=2)
        ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_aspect("equal")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    return {"diagonal": diagonal, "points": points}


def mean_ci_bars(intervals, *, ax=None, ylabel: str = "mean over tracks (0-1), 95 % CI", title: str | None = None):
    """Means with their confidence intervals: one group per metric, one marker per system.

    Parameters
    ----------
    intervals : dict
        ``{system: {metric label: MeanCI}}`` (:func:`helpers.analysis.bootstrap_mean_ci`; any
        object with ``mean``, ``low`` and ``high``), every system with the same metrics.
    ax : matplotlib Axes, optional
    ylabel, title : str

    Returns
    -------
    dict
        ``{system: ErrorbarContainer}``.
    """
    if not intervals:
        raise ParameterError("intervals is empty: pass {system: {metric: MeanCI}}.")
    metrics = list(next(iter(intervals.values())))
    if any(list(cis) != metrics for cis in intervals.values()):
        raise ParameterError(f"every system needs the same metrics in the same order ({metrics}).")
    ax = _axes(ax)
    n = len(intervals)
    width = 0.7 / max(n, 1)
    x = np.arange(len(metrics), dtype=float)
    drawn = {}
    for k, (system, cis) in enumerate(intervals.items()):
        means = np.array([cis[m].mean for m in metrics])
        err = np.array([[cis[m].mean - cis[m].low for m in metrics], [cis[m].high - cis[m].mean for m in metrics]])
        drawn[system] = ax.errorbar(x + (k - (n - 1) / 2) * width, means, yerr=err, fmt="o", capsize=4,
                                    color=_color(system, k), label=system)
    ax.set_xticks(x, metrics)
    ax.set_xlabel("metric")
    ax.set_ylabel(ylabel)
    ax.set_ylim(-_SCORE_MARGIN, 1 + _SCORE_MARGIN)
    ax.legend(fontsize=8, loc="lower left")
    if title:
        ax.set_title(title, fontsize=10)
    return drawn


def breakdown_chart(groups, *, ax=None, overall: float | None = None, xlabel: str = "mean F-measure (0-1), 95 % CI",
                    ylabel: str = "group"):
    """A breakdown (:func:`helpers.analysis.breakdown`) as horizontal intervals, the first group on top.

    Parameters
    ----------
    groups : sequence of GroupStats
        Each with ``group``, ``n``, ``mean``, ``low`` and ``high`` (hardest first, as ``breakdown`` orders them).
    ax : matplotlib Axes, optional
    overall : float, optional
        The mean over all tracks: a dashed reference line.
    xlabel, ylabel : str

    Returns
    -------
    ErrorbarContainer
    """
    groups = list(groups)
    if not groups:
        raise ParameterError("groups is empty: nothing to draw.")
    ax = _axes(ax)
    y = np.arange(len(groups))
    means = np.array([g.mean for g in groups])
    err = np.array([[g.mean - g.low for g in groups], [g.high - g.mean for g in groups]])
    drawn = ax.errorbar(means, y, xerr=err, fmt="o", capsize=3, color="tab:green")
    if overall is not None:
        ax.axvline(overall, color="grey", linestyle="--", linewidth=1, label=f"all tracks {overall:.2f}")
        ax.legend(fontsize=8, loc="best")
    ax.set_yticks(y, [f"{g.group} (n={g.n})" for g in groups])
    ax.set_xlim(-_SCORE_MARGIN, 1 + _SCORE_MARGIN)
    ax.set_ylim(len(groups) - 0.5, -0.5)            # the first (hardest) group on top
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return drawn


def class_counts_bars(counts, *, ax=None, classes=None, ylabel: str = "number of tracks"):
    """Failure-class counts of one or more systems as grouped bars, each bar labelled with its count.

    Parameters
    ----------
    counts : dict
        ``{system: {class: n}}`` (:func:`helpers.analysis.count_classes` per system).
    ax : matplotlib Axes, optional
    classes : sequence of str, optional
        The classes in order (default: those of the first system).
    ylabel : str

    Returns
    -------
    dict
        ``{system: BarContainer}``.
    """
    if not counts:
        raise ParameterError("counts is empty: pass {system: {class: n}}.")
    classes = list(classes or next(iter(counts.values())))
    ax = _axes(ax)
    n = len(counts)
    width = 0.8 / n
    x = np.arange(len(classes), dtype=float)
    drawn = {}
    for k, (system, c) in enumerate(counts.items()):
        bars = ax.bar(x + (k - (n - 1) / 2) * width, [c.get(label, 0) for label in classes], width=width,
                      color=_color(system, k), label=system)
        ax.bar_label(bars, fontsize=7)
        drawn[system] = bars
    ax.set_xticks(x, classes)
    ax.set_xlabel("failure class")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    return drawn


def metric_bars(rows, *, metrics, ax=None, labels=None, ylabel: str = "mean over tracks (0-1)"):
    """Rows of :func:`helpers.batch.compare` as grouped bars: one group per metric, one bar per system.

    Parameters
    ----------
    rows : sequence of dict
        Each with ``"system"`` and one value per metric.
    metrics : sequence of str
        The row keys to draw (mir_eval names, as ``compare`` writes them).
    ax : matplotlib Axes, optional
    labels : sequence of str, optional
        Tick labels (default: the metric names).
    ylabel : str

    Returns
    -------
    dict
        ``{system: BarContainer}``.
    """
    rows, metrics = list(rows), list(metrics)
    if not rows or not metrics:
        raise ParameterError("metric_bars needs at least one row and one metric.")
    missing = [m for m in metrics if any(m not in r for r in rows)]
    if missing:
        raise ParameterError(f"rows lack the metric(s) {missing}: pass compare(..., metrics=...) with them.")
    ax = _axes(ax)
    n = len(rows)
    width = 0.8 / n
    x = np.arange(len(metrics), dtype=float)
    drawn = {}
    for k, row in enumerate(rows):
        values = [np.nan if row[m] is None else row[m] for m in metrics]
        drawn[row["system"]] = ax.bar(x + (k - (n - 1) / 2) * width, values, width=width,
                                      color=_color(row["system"], k), label=row["system"])
    ax.set_xticks(x, list(labels) if labels is not None else metrics)
    ax.set_xlabel("metric")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1 + _SCORE_MARGIN)
    ax.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return drawn


def signed_error_histogram(errors_s, *, ax=None, window_s: float = 0.07, bin_ms: float = 5.0,
                           frame_s: float | None = None):
    """Histograms of signed timing errors (estimated - nearest reference beat) of several systems, in ms.

    Each system's histogram is a share of its beats (each sums to 1), drawn as a step
    line, with its median in the legend; a lag shows as a peak off zero.

    Parameters
    ----------
    errors_s : dict
        ``{system: errors in seconds}`` (e.g. :func:`helpers.analysis.pooled_beat_errors_s`).
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
        counts, _ = np.histogram(ms, bins=edges)
        share = counts / max(ms.size, 1)
        median = f"median {np.median(ms):+.0f} ms" if ms.size else "no beats"
        drawn[system] = ax.stairs(share, edges, color=_color(system, k), linewidth=1.6,
                                  label=f"{system} ({median})")
    ax.axvline(0.0, color="k", linewidth=0.8)
    if frame_s is not None:
        ax.axvline(1000.0 * frame_s, color="grey", linestyle=":", label=f"one frame late ({1000 * frame_s:.1f} ms)")
    ax.set_xlim(-half, half)
    ax.set_xlabel("estimated beat - nearest reference beat (ms; positive = late)")
    ax.set_ylabel(f"share of the beats within ±{half:.0f} ms")
    ax.legend(fontsize=7, loc="upper left")
    return drawn


def sweep_heatmap(sweep, *, metric: str, ax=None, labels=None, colorbar_label: str | None = None):
    """A 2-parameter sweep (:func:`helpers.analysis.sensitivity_sweep`) as an annotated heat map.

    Parameters
    ----------
    sweep : helpers.analysis.SweepResult
        Exactly two swept parameters: the first on the y axis, the second on x.
    metric : str
        The mean shown (``sweep.means_of(metric)``), a 0-1 score.
    ax : matplotlib Axes, optional
    labels : dict, optional
        Parameter name -> axis label (default: the name).
    colorbar_label : str, optional

    Returns
    -------
    dict
        ``{"image": AxesImage, "colorbar": Colorbar, "texts": [Text, ...]}``.
    """
    if len(sweep.names) != 2:
        raise ParameterError(f"sweep_heatmap needs a sweep of exactly 2 parameters, got {sweep.names}.")
    values = sweep.means_of(metric)
    labels = labels or {}
    ax = _axes(ax)
    image = ax.imshow(values, origin="lower", cmap="viridis", vmin=0, vmax=1, aspect="auto")
    texts = [ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="white" if v < 0.6 else "black", fontsize=9)
             for (i, j), v in np.ndenumerate(values)]
    (rows_name, cols_name), (rows, cols) = sweep.names, sweep.values
    ax.set_yticks(range(len(rows)), [f"{v:g}" for v in rows])
    ax.set_xticks(range(len(cols)), [f"{v:g}" for v in cols])
    ax.set_ylabel(labels.get(rows_name, rows_name))
    ax.set_xlabel(labels.get(cols_name, cols_name))
    colorbar = ax.figure.colorbar(image, ax=ax, label=colorbar_label or f"mean {metric} (0-1)")
    return {"image": image, "colorbar": colorbar, "texts": texts}


#: Tempo ratios marked on the y axis of :func:`tempo_phase_plane` (the metrical levels, and 3:2 and 3).
_RATIO_TICKS = ((1 / 3, "1/3"), (0.5, "1/2"), (1.0, "1"), (1.5, "3/2"), (2.0, "2"), (3.0, "3"))


def tempo_phase_plane(diagnoses, *, ax=None):
    """Each track's tempo ratio against its phase, one colour per failure class.

    Half and double tempo are horizontal bands at 1/2 and 2, the off-beat sits at phase
    ±0.5 on the line ratio = 1, correct tracks at (0, 1). A track without a finite ratio
    (too few beats) is left out; a track without a finite phase is drawn at phase 0.

    Parameters
    ----------
    diagnoses : dict or iterable of helpers.analysis.Diagnosis
        From :func:`helpers.analysis.classify_results` (``label``, ``tempo_ratio``, ``phase_beats``).
    ax : matplotlib Axes, optional

    Returns
    -------
    dict
        ``{class: PathCollection}`` for the classes present, in :data:`CLASS_COLORS` order.
    """
    items = list(diagnoses.values() if hasattr(diagnoses, "values") else diagnoses)
    ax = _axes(ax)
    labels = [c for c in CLASS_COLORS if any(d.label == c for d in items)]
    labels += [c for c in dict.fromkeys(d.label for d in items) if c not in labels]
    drawn = {}
    for k, label in enumerate(labels):
        pts = [d for d in items if d.label == label and np.isfinite(d.tempo_ratio)]
        if pts:
            drawn[label] = ax.scatter([d.phase_beats if np.isfinite(d.phase_beats) else 0.0 for d in pts],
                                      [d.tempo_ratio for d in pts], s=30, alpha=0.8,
                                      color=CLASS_COLORS.get(label, f"C{k % 10}"), label=f"{label} ({len(pts)})")
    ax.set_yscale("log", base=2)
    ax.set_yticks([v for v, _ in _RATIO_TICKS], [t for _, t in _RATIO_TICKS])
    ax.minorticks_off()
    ax.set_ylim(0.25, 4.0)
    ax.set_xlim(-0.55, 0.55)
    ax.set_xlabel("phase of the estimated beats in the reference beat (beats)")
    ax.set_ylabel("tempo ratio, estimated / reference")
    if drawn:
        ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return drawn



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
    check_int_at_least(tatums_per_beat, 1, name="tatums_per_beat", hint="4 = sixteenths in 4/4")
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


# =========================================================================== Week 6: what a model learned
#: Band-group ticks on the y axis of :func:`weight_image` (at most this many, evenly spaced).
_MAX_GROUP_TICKS = 8


def weight_image(weights, *, frame_rate_hz: float, group_hz=None, ax=None, title: str | None = None,
                 colorbar: bool = True, colorbar_label: str = "weight", vmax: float | None = None) -> dict:
    """Weights over band group x time offset as an image: offsets in ms, band groups labelled in Hz, 0 white.

    The picture of a linear filter over the learner's features (notebook 06): row ``g``,
    column ``j + c`` is the weight of band group ``g`` at ``j`` frames from the frame
    (``j = -c .. c``; negative = before it). Red pushes a frame towards "beat", blue away;
    the colour scale is symmetric around 0 so that white is 0. A dashed line marks offset 0.

    Parameters
    ----------
    weights : np.ndarray [shape=(n_groups, 2 * c + 1)]
        E.g. ``helpers.learn.LearnedModel.weight_image``.
    frame_rate_hz : float
        Frames per second (``sr / hop_length``): sets the offsets in ms.
    group_hz : np.ndarray [shape=(n_groups,)], optional
        A frequency per band group (e.g. the mean centre of its mel bands), for the y tick
        labels; without it the groups are numbered.
    ax : matplotlib Axes, optional
    title : str, optional
    colorbar : bool
        Draw a colour bar labelled ``colorbar_label``.
    vmax : float, optional
        The colour scale runs from -vmax to vmax (default: the largest ``|weight|``).

    Returns
    -------
    dict
        ``{"mesh": QuadMesh, "colorbar": Colorbar or None, "offsets_ms": np.ndarray}``
        (``offsets_ms``: the centre of each column).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> _, ax = plt.subplots()
    >>> w = np.zeros((20, 17)); w[0, 8] = 1.0                  # the bass group, at the frame itself
    >>> drawn = weight_image(w, frame_rate_hz=22050 / 1024, ax=ax, colorbar=False)
    >>> drawn["offsets_ms"][[0, 8, 16]].round(1).tolist()
    [-371.5, 0.0, 371.5]
    """
    W = np.asarray(weights, dtype=float)
    if W.ndim != 2 or W.shape[1] % 2 != 1:
        raise ParameterError(f"weights must be 2-D (n_groups, 2 * context + 1 offsets), got shape {W.shape}: "
                             "reshape a flat weight vector with .reshape(n_groups, -1) (group-major).")
    if not np.all(np.isfinite(W)):
        raise ParameterError("weights has NaN or infinite values.")
    fr = check_positive(frame_rate_hz, name="frame_rate_hz", fix="It is sr / hop_length (21.53 for Harmonix).")
    n_groups, n_offsets = W.shape
    c = n_offsets // 2
    if group_hz is not None:
        group_hz = np.asarray(group_hz, dtype=float)
        if group_hz.shape != (n_groups,):
            raise ParameterError(f"group_hz has shape {group_hz.shape}, expected ({n_groups},): one value per group.")
    if vmax is None:
        vmax = float(np.max(np.abs(W))) or 1.0
    else:
        vmax = check_positive(vmax, name="vmax")
    ax = _axes(ax)
    ms_per_frame = 1000.0 / fr
    x_edges = (np.arange(-c, c + 2) - 0.5) * ms_per_frame
    y_edges = np.arange(n_groups + 1) - 0.5
    mesh = ax.pcolormesh(x_edges, y_edges, W, cmap="RdBu_r", vmin=-vmax, vmax=vmax, shading="flat")
    ax.axvline(0.0, color="0.3", linestyle="--", linewidth=0.8)
    ticks = np.unique(np.linspace(0, n_groups - 1, min(n_groups, _MAX_GROUP_TICKS)).round().astype(int))
    if group_hz is not None:
        ax.set_yticks(ticks, [f"{group_hz[g]:.0f}" for g in ticks])
        ax.set_ylabel("band group (mean centre, Hz)")
    else:
        ax.set_yticks(ticks, [str(g) for g in ticks])
        ax.set_ylabel("band group (0 = lowest)")
    ax.set_xlabel("time offset from the frame (ms)")
    if title:
        ax.set_title(title, fontsize=10)
    bar = ax.figure.colorbar(mesh, ax=ax, label=colorbar_label) if colorbar else None
    return {"mesh": mesh, "colorbar": bar, "offsets_ms": np.arange(-c, c + 1) * ms_per_frame}
