"""Frame features and frame labels for learning a novelty function (notebook 06).

The features are the learner's own spectral flux from notebook 02, kept per band group
instead of summed, with a few frames of context on each side::

    L = log_compress(S_power, gamma=GAMMA)           # helpers.novelty, step 1
    D = band_differences(L, lag=LAG_FRAMES)          # helpers.novelty, steps 2+3
    G = band_groups(D, n_groups=N_GROUPS)            # mean of adjacent mel bands
    G = scale_flux(G, scaling=SCALING)               # relative to the track's own flux, log
    X = context_windows(G, context_frames=CONTEXT)   # one row per frame

Row ``t`` of ``X`` holds ``G[g, t + j]`` for every group ``g`` and offset ``j`` in
``-CONTEXT..+CONTEXT``, ordered group-major: column ``g * (2 * CONTEXT + 1) + (j + CONTEXT)``.
A weight vector over the columns reshapes to a ``(n_groups, 2 * CONTEXT + 1)`` image: which
bands, how long before and after the frame, push the frame towards "beat".

The labels say, for each frame, how much of a beat falls on it (:func:`beat_targets`), and
how much the frame counts in the loss (frames far outside the annotated beats count 0).

Conventions: ``S_power[band, frame]`` is a POWER mel spectrogram; frame ``k`` is at
``k / frame_rate_hz`` seconds (librosa, ``center=True``); beat times are in seconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..checks import check_choice, check_int_at_least, check_positive
from ..errors import ParameterError
from ..data import check_power_spectrogram
from ..novelty import GAMMA, LAG_FRAMES, band_differences, log_compress

__all__ = [
    "N_GROUPS",
    "CONTEXT_FRAMES",
    "LABELS",
    "DEFAULT_LABELS",
    "SCALINGS",
    "SCALING",
    "FeatureSettings",
    "band_groups",
    "scale_flux",
    "band_flux",
    "context_windows",
    "frame_features",
    "beat_targets",
]

#: Number of band groups: 80 Harmonix mel bands in groups of 4 adjacent bands. Fewer,
#: wider groups than bands keep the logistic regression at 20 x 17 = 340 weights, few
#: enough for 46 training tracks; 4 bands are still narrower than a third of an octave
#: above 1 kHz, so kick, snare and hi-hat land in different groups.
N_GROUPS = 20
#: Frames of context on each side: +-8 frames = +-372 ms at 21.53 frames/s, three quarters of
#: a beat at 120 BPM. The model sees whether there is an onset half a beat away (is this frame
#: a beat or the "and" between two?) and, at fast tempi, the neighbouring beats; periodicity
#: over the whole track is still left to tempo + DP. Chosen by cross-validation over 4, 8, 12
#: (docs/learn.md): +-4 frames (the rise and decay of one drum hit) tracked real music it had
#: not seen no better than the hand-made flux.
CONTEXT_FRAMES = 8
#: How the band flux is scaled per track before the model sees it (see :func:`scale_flux`).
SCALINGS = ("log_track", "track", "log", "none")
#: The default: each group's flux relative to its mean over the track, then log1p. The
#: learned counterpart of the hand-made tracker's per-track band balance
#: (:func:`helpers.novelty.balanced_low_band_weights`): a band counts by how much it stands
#: out from its own usual level, whatever the mix. Chosen by cross-validation (docs/learn.md).
SCALING = "log_track"
#: Floor of a group's mean flux in "track" scaling (log units): a group without flux stays ~0.
_MIN_GROUP_MEAN = 1e-3
#: How a beat between two frames becomes targets (see :func:`beat_targets`).
LABELS = ("split", "nearest", "widened")
#: The default, chosen by cross-validation on realmel + demo (docs/learn.md): "split" gives
#: each of the two frames around a beat its share, so the probability curve keeps the
#: sub-frame position that the tracker's centroid refinement reads back.
DEFAULT_LABELS = "split"


@dataclass(frozen=True)
class FeatureSettings:
    """How frame features are computed; a trained model carries its own copy.

    Attributes
    ----------
    gamma : float
        Log compression (:func:`helpers.novelty.log_compress`), default ``GAMMA``.
    lag : int
        Frame difference lag (:func:`helpers.novelty.band_differences`), default 1.
    n_groups : int
        Number of band groups (:func:`band_groups`), default :data:`N_GROUPS`.
    context_frames : int
        Frames of context on each side (:func:`context_windows`), default :data:`CONTEXT_FRAMES`.
    scaling : str
        Per-track scaling of the band flux (:func:`scale_flux`), default :data:`SCALING`.
    """

    gamma: float = GAMMA
    lag: int = LAG_FRAMES
    n_groups: int = N_GROUPS
    context_frames: int = CONTEXT_FRAMES
    scaling: str = SCALING

    def __post_init__(self):
        object.__setattr__(self, "gamma", check_positive(self.gamma, name="FeatureSettings.gamma"))
        object.__setattr__(self, "lag", check_int_at_least(self.lag, 1, name="FeatureSettings.lag"))
        object.__setattr__(self, "n_groups", check_int_at_least(self.n_groups, 1, name="FeatureSettings.n_groups"))
        object.__setattr__(self, "context_frames",
                           check_int_at_least(self.context_frames, 0, name="FeatureSettings.context_frames"))
        check_choice(self.scaling, SCALINGS, name="FeatureSettings.scaling")

    @property
    def n_offsets(self) -> int:
        """Frames per context window, ``2 * context_frames + 1``."""
        return 2 * self.context_frames + 1

    @property
    def n_features(self) -> int:
        """Columns of the feature matrix, ``n_groups * n_offsets``."""
        return self.n_groups * self.n_offsets

    def to_dict(self) -> dict:
        return asdict(self)


def _group_edges(n_bands: int, n_groups: int) -> np.ndarray:
    """Band index edges of ``n_groups`` groups of adjacent bands, as equal in size as possible."""
    return np.round(np.linspace(0, n_bands, n_groups + 1)).astype(int)


def band_groups(D, *, n_groups: int = N_GROUPS) -> np.ndarray:
    """Mean over groups of adjacent bands: ``G[g] = mean(D[edges[g]:edges[g+1]])``.

    With 80 bands and 20 groups each group is 4 bands (``D.reshape(20, 4, -1).mean(1)``);
    otherwise the edges are ``round(linspace(0, n_bands, n_groups + 1))``.

    Parameters
    ----------
    D : np.ndarray [shape=(n_bands, n_frames)]
        Per-band values, e.g. :func:`helpers.novelty.band_differences`.
    n_groups : int, 1 <= n_groups <= n_bands

    Returns
    -------
    G : np.ndarray [shape=(n_groups, n_frames)], float64
    """
    D = np.asarray(D, dtype=np.float64)
    if D.ndim != 2:
        raise ParameterError(f"D must be 2-D (n_bands, n_frames), got shape {D.shape}.")
    n_groups = check_int_at_least(n_groups, 1, name="n_groups")
    if n_groups > D.shape[0]:
        raise ParameterError(f"n_groups={n_groups} is more than the {D.shape[0]} bands of D.")
    edges = _group_edges(D.shape[0], n_groups)
    sums = np.add.reduceat(D, edges[:-1], axis=0)
    return sums / np.diff(edges)[:, None]


def scale_flux(G, *, scaling: str = SCALING) -> np.ndarray:
    """Scale a track's band flux ``G`` (``>= 0``) so that tracks are comparable.

    - ``"track"``: ``G[g] / max(mean(G[g]), 1e-3)``, each group relative to its own mean over
      the track (1 = a usual frame of this band in this track);
    - ``"log"``: ``log1p(G)``, compresses the rare very large values (a linear model on
      heavy-tailed features is dominated by its outliers);
    - ``"log_track"`` (default): ``log1p`` of ``"track"``;
    - ``"none"``: ``G`` unchanged.

    Parameters
    ----------
    G : np.ndarray [shape=(n_groups, n_frames)]
    scaling : {"log_track", "track", "log", "none"}

    Returns
    -------
    np.ndarray [shape=(n_groups, n_frames)], float64, ``>= 0``
    """
    check_choice(scaling, SCALINGS, name="scaling")
    G = np.asarray(G, dtype=np.float64)
    if G.ndim != 2:
        raise ParameterError(f"G must be 2-D (n_groups, n_frames), got shape {G.shape}.")
    if scaling in ("track", "log_track") and G.shape[1]:
        G = G / np.maximum(G.mean(axis=1, keepdims=True), _MIN_GROUP_MEAN)
    if scaling in ("log", "log_track"):
        G = np.log1p(G)
    return G


def band_flux(S_power, *, settings: FeatureSettings | None = None) -> np.ndarray:
    """Half-wave rectified log-flux per band group, scaled per track: the per-frame part of the features.

    ``scale_flux(band_groups(band_differences(log_compress(S_power, gamma), lag), n_groups), scaling)``:
    the spectral flux of notebook 02 before the sum over bands, made comparable across tracks.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram, non-negative and finite.
    settings : FeatureSettings, optional

    Returns
    -------
    G : np.ndarray [shape=(n_groups, n_frames)], float64, ``>= 0``
    """
    s = _check_settings(settings)
    S = check_power_spectrogram(S_power)
    D = band_differences(log_compress(S, gamma=s.gamma), lag=s.lag)
    return scale_flux(band_groups(D, n_groups=s.n_groups), scaling=s.scaling)


def context_windows(G, *, context_frames: int = CONTEXT_FRAMES) -> np.ndarray:
    """One row per frame: the frame and its ``context_frames`` neighbours on each side.

    ``X[t, g * n_offsets + (j + c)] = G[g, t + j]`` for ``j = -c..c`` (``c = context_frames``,
    ``n_offsets = 2c + 1``), with ``G`` taken as 0 outside the track.

    Parameters
    ----------
    G : np.ndarray [shape=(n_groups, n_frames)]
    context_frames : int >= 0

    Returns
    -------
    X : np.ndarray [shape=(n_frames, n_groups * (2 * context_frames + 1))]

    Examples
    --------
    >>> G = np.array([[1.0, 2.0, 3.0]])
    >>> context_windows(G, context_frames=1)
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 0.]])
    """
    G = np.asarray(G)
    if G.ndim != 2:
        raise ParameterError(f"G must be 2-D (n_groups, n_frames), got shape {G.shape}.")
    c = check_int_at_least(context_frames, 0, name="context_frames")
    n_groups, n = G.shape
    padded = np.zeros((n_groups, n + 2 * c), dtype=G.dtype if np.issubdtype(G.dtype, np.floating) else float)
    padded[:, c:c + n] = G
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * c + 1, axis=1)   # (g, n, 2c+1)
    return np.ascontiguousarray(windows.transpose(1, 0, 2)).reshape(n, n_groups * (2 * c + 1))


def frame_features(S_power, *, settings: FeatureSettings | None = None) -> np.ndarray:
    """The feature matrix of a track: :func:`context_windows` of :func:`band_flux`.

    (Unstandardised: a model subtracts its training mean and divides by its standard
    deviation per band group first, :meth:`helpers.learn.LearnedModel.standardize`.)

    Returns
    -------
    X : np.ndarray [shape=(n_frames, settings.n_features)]
    """
    s = _check_settings(settings)
    return context_windows(band_flux(S_power, settings=s), context_frames=s.context_frames)


def _check_settings(settings) -> FeatureSettings:
    if settings is None:
        return FeatureSettings()
    if not isinstance(settings, FeatureSettings):
        raise ParameterError(f"settings must be a FeatureSettings, got {type(settings).__name__}.")
    return settings


def beat_targets(beat_times_s, *, n_frames: int, frame_rate_hz: float,
                 labels: str = DEFAULT_LABELS) -> tuple[np.ndarray, np.ndarray]:
    """Frame targets (how much of a beat is at each frame) and loss weights from beat times.

    A beat at time ``t`` lies at the fractional frame ``u = t * frame_rate_hz``, between
    frames ``k = floor(u)`` and ``k + 1``. The choices for the frames around it:

    - ``"split"`` (default): frame ``k`` gets ``1 - (u - k)`` and frame ``k + 1`` gets
      ``u - k`` (linear interpolation). A beat on a frame gives that frame 1; a beat halfway
      gives both 0.5. The model learns to share its probability the same way, so the
      centroid of the curve around a peak is the beat's sub-frame position
      (:func:`helpers.beat.refine_beat_times`).
    - ``"nearest"``: the nearest frame ``round(u)`` gets 1, every other frame 0 (a frame
      next to a beat counts as "no beat", although it is only 46 ms away).
    - ``"widened"``: the nearest frame 1, its two neighbours 0.5 (the "target widening" of
      Böck et al.'s beat trackers): a miss by one frame is punished less.

    Targets are clipped to 1 where beats crowd. The weights are 1, except 0 for frames more
    than one beat interval (the median) before the first or after the last annotated beat:
    an annotation that starts late does not say there is no beat in the intro.

    Parameters
    ----------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Annotated beat times in seconds, increasing.
    n_frames : int
        Frames of the spectrogram.
    frame_rate_hz : float
        ``sr / hop_length`` from the data's info.json.
    labels : {"split", "nearest", "widened"}

    Returns
    -------
    (targets, weights) : two np.ndarray [shape=(n_frames,)], values in [0, 1]

    Examples
    --------
    >>> y, w = beat_targets([0.25 / 21.5, 3.0 / 21.5], n_frames=5, frame_rate_hz=21.5)
    >>> y.round(2).tolist()
    [0.75, 0.25, 0.0, 1.0, 0.0]
    """
    check_choice(labels, LABELS, name="labels")
    n_frames = check_int_at_least(n_frames, 0, name="n_frames")
    frame_rate_hz = check_positive(frame_rate_hz, name="frame_rate_hz", unit="frames per second",
                                   hint="sr / hop_length from info.json")
    b = np.asarray(beat_times_s, dtype=float)
    if b.ndim != 1 or not np.all(np.isfinite(b)) or np.any(b < 0) or np.any(np.diff(b) <= 0):
        raise ParameterError("beat_times_s must be a 1-D array of increasing, non-negative times in seconds.")
    y = np.zeros(n_frames)
    w = np.ones(n_frames)
    u = b * frame_rate_hz
    u = u[u <= n_frames - 1]
    if labels == "split":
        k = np.floor(u).astype(int)
        a = u - k
        np.add.at(y, k, 1.0 - a)
        inside = k + 1 < n_frames
        np.add.at(y, k[inside] + 1, a[inside])
    else:
        k = np.round(u).astype(int)
        if labels == "widened":
            for side in (-1, 1):
                j = k + side
                j = j[(j >= 0) & (j < n_frames)]
                y[j] = np.maximum(y[j], 0.5)
        y[k] = 1.0
    np.minimum(y, 1.0, out=y)
    if b.size >= 2:
        period = float(np.median(np.diff(b))) * frame_rate_hz
        t = np.arange(n_frames)
        w[(t < b[0] * frame_rate_hz - period) | (t > b[-1] * frame_rate_hz + period)] = 0.0
    return y, w
