"""Statistics of per-track scores: bootstrap means, shares above thresholds, breakdowns, paired comparisons.

Everything random (the bootstrap) takes a ``seed``: same seed, same numbers. Failed
tracks are left out (a result's ``ok`` tracks); a metric may be named by its mir_eval
name or its short name (:func:`helpers.results.result_metric_name`: the beat metrics, Acc1, Acc2, DbF).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..checks import check_choice, check_int_at_least, check_nonnegative, check_number, check_positive
from ..data import TrackMeta
from ..errors import ParameterError
from ..evaluate import SHORT_NAMES
from ..results import result_metric_name

__all__ = [
    "TEMPO_BAND_EDGES_BPM",
    "SCORE_THRESHOLDS",
    "N_BOOTSTRAP",
    "CONFIDENCE",
    "TIE_TOLERANCE",
    "FAIL_THRESHOLD",
    "MeanCI",
    "bootstrap_mean_ci",
    "share_above",
    "GroupStats",
    "tempo_band",
    "breakdown",
    "score_matrix",
    "PairedComparison",
    "paired_comparison",
    "everyone_fails",
]

#: Edges of the tempo bands of :func:`tempo_band` (BPM); Harmonix spans 57-237, median 119.
TEMPO_BAND_EDGES_BPM = (90.0, 110.0, 130.0, 160.0)
#: Default thresholds of :func:`share_above`.
SCORE_THRESHOLDS = (0.5, 0.8, 0.95)
#: Default number of bootstrap resamples.
N_BOOTSTRAP = 2000
#: Default confidence level of the intervals.
CONFIDENCE = 0.95
#: Two scores closer than this are a tie in :func:`paired_comparison`.
TIE_TOLERANCE = 0.01
#: A track "fails" for a system when its score is below this (:func:`everyone_fails`).
FAIL_THRESHOLD = 0.5


def _values(values) -> np.ndarray:
    """Per-track scores as a 1-D float array; failed tracks (None/NaN) must be dropped first."""
    x = np.asarray(values, dtype=float)
    if x.ndim != 1 or not np.all(np.isfinite(x)):
        raise ParameterError(f"values must be a 1-D sequence of finite numbers (drop failed tracks first), "
                             f"got shape {x.shape} with {int(np.sum(~np.isfinite(x)))} non-finite.")
    return x


def _check_confidence(confidence) -> float:
    return check_number(confidence, name="confidence", low=0, high=1, low_inclusive=False, high_inclusive=False,
                        hint=f"e.g. {CONFIDENCE}")


# =========================================================================== distributions
class MeanCI(NamedTuple):
    """A mean with its confidence interval (``low <= mean <= high``) over ``n`` values."""

    mean: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.mean:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"


def bootstrap_mean_ci(values, *, n_boot: int = N_BOOTSTRAP, confidence: float = CONFIDENCE,
                      seed: int = 0) -> MeanCI:
    """The mean of ``values`` and its percentile-bootstrap confidence interval.

    Resample the values with replacement ``n_boot`` times, take the mean of each
    resample; the interval holds the central ``confidence`` share of those means.

    Parameters
    ----------
    values : array_like [shape=(n,)]
        Per-track scores (finite numbers).
    n_boot : int >= 1
        Number of resamples.
    confidence : float in (0, 1)
    seed : int
        Seed of the resampling.

    Returns
    -------
    MeanCI
        ``(mean, low, high, n)``; one value gives ``low == high == mean``.

    Raises
    ------
    ParameterError
        No values, non-finite values, or a bad ``n_boot``/``confidence``.

    Examples
    --------
    >>> bootstrap_mean_ci([0.0, 1.0] * 50, seed=0).mean
    0.5
    """
    x = _values(values)
    if x.size == 0:
        raise ParameterError("bootstrap_mean_ci needs at least one value.")
    n_boot = check_int_at_least(n_boot, 1, name="n_boot", unit="resamples", hint=f"e.g. {N_BOOTSTRAP}")
    confidence = _check_confidence(confidence)
    rng = np.random.default_rng(seed)
    means = np.empty(n_boot)
    rows = max(1, 2_000_000 // x.size)          # bounded memory for large data sets
    for start in range(0, n_boot, rows):
        stop = min(n_boot, start + rows)
        means[start:stop] = x[rng.integers(0, x.size, size=(stop - start, x.size))].mean(axis=1)
    alpha = (1.0 - confidence) / 2.0
    low, high = np.quantile(means, [alpha, 1.0 - alpha])
    mean = float(x.mean())
    return MeanCI(mean, float(min(low, mean)), float(max(high, mean)), int(x.size))


def share_above(values, thresholds=SCORE_THRESHOLDS) -> dict[float, float]:
    """The share of values at or above each threshold (``{threshold: share}``, shares in [0, 1])."""
    x = _values(values)
    if x.size == 0:
        raise ParameterError("share_above needs at least one value.")
    return {float(t): float(np.mean(x >= t)) for t in np.atleast_1d(np.asarray(thresholds, dtype=float))}


# =========================================================================== breakdowns
@dataclass(frozen=True)
class GroupStats:
    """One group of a :func:`breakdown`.

    Attributes
    ----------
    group : str
    n : int
        Tracks in the group.
    mean, low, high : float
        Mean score and its bootstrap confidence interval.
    difference : float
        ``mean`` minus the mean over all tracks (negative = harder than average).
    track_ids : tuple of str
    """

    group: str
    n: int
    mean: float
    low: float
    high: float
    difference: float
    track_ids: tuple = field(repr=False, default=())

    def row(self) -> dict:
        """A flat dict for :func:`helpers.batch.format_table`."""
        return {"group": self.group, "n": self.n, "mean": self.mean, "ci_low": self.low, "ci_high": self.high,
                "vs_all": self.difference}


def tempo_band(bpm: float, *, edges_bpm=TEMPO_BAND_EDGES_BPM) -> str:
    """The tempo band of a tempo, e.g. ``"90-110 BPM"``, ``"< 90 BPM"``, ``">= 160 BPM"``."""
    edges = [float(e) for e in edges_bpm]
    if not edges or any(b <= a for a, b in zip(edges, edges[1:])):
        raise ParameterError(f"edges_bpm={edges_bpm!r} must be increasing tempi (BPM).")
    check_positive(bpm, name="bpm", unit="beats per minute")
    if bpm < edges[0]:
        return f"< {edges[0]:g} BPM"
    for lo, hi in zip(edges, edges[1:]):
        if bpm < hi:
            return f"{lo:g}-{hi:g} BPM"
    return f">= {edges[-1]:g} BPM"


_GROUPINGS: dict[str, Callable[[TrackMeta], str]] = {
    "genre": lambda m: m.genre or "(no genre)",
    "tempo_band": lambda m: tempo_band(m.bpm),
    "time_signature": lambda m: m.time_signature or "(no time signature)",
}


def breakdown(result, metadata: Mapping[str, TrackMeta], *, by="genre", metric: str = "F-measure",
              n_boot: int = N_BOOTSTRAP, confidence: float = CONFIDENCE, seed: int = 0) -> list[GroupStats]:
    """Mean score per group of tracks (genre, tempo band, time signature ...), with CIs.

    Parameters
    ----------
    result : helpers.batch.BatchResult
        Per-track scores (failed tracks are left out).
    metadata : dict[str, TrackMeta]
        ``Dataset.metadata`` (metadata.csv).  Tracks without a row form the group
        ``"(no metadata)"``.
    by : {"genre", "tempo_band", "time_signature"} or callable
        How to group; a function ``TrackMeta -> str`` works too.
    metric : str
    n_boot, confidence, seed
        As :func:`bootstrap_mean_ci`.

    Returns
    -------
    list of GroupStats
        Hardest group (lowest mean) first.
    """
    if isinstance(by, str):
        key = _GROUPINGS[check_choice(by, tuple(sorted(_GROUPINGS)), name="by", hint="or a function TrackMeta -> str")]
    elif callable(by):
        key = by
    else:
        raise ParameterError(f"by must be a name {sorted(_GROUPINGS)} or a function, got {by!r}.")
    metric = result_metric_name(metric)
    ok = [r for r in result.tracks if r.ok and r.scores.get(metric) is not None]
    if not ok:
        raise ParameterError(f"{result.name}: no successfully scored track with {metric!r} to break down.")
    groups: dict[str, list] = {}
    for r in ok:
        meta = metadata.get(r.track_id)
        name = "(no metadata)" if meta is None else str(key(meta))
        groups.setdefault(name, []).append(r)
    overall = float(np.mean([r.scores[metric] for r in ok]))
    rows = []
    for name, members in groups.items():
        ci = bootstrap_mean_ci([r.scores[metric] for r in members], n_boot=n_boot, confidence=confidence, seed=seed)
        rows.append(GroupStats(name, ci.n, ci.mean, ci.low, ci.high, ci.mean - overall,
                               tuple(r.track_id for r in members)))
    return sorted(rows, key=lambda g: (g.mean, g.group))


# =========================================================================== paired comparisons
def score_matrix(results: Mapping, *, metric: str = "F-measure") -> tuple[list[str], list[str], np.ndarray]:
    """Per-track scores of several systems on the tracks that every one scored.

    Returns
    -------
    track_ids : list of str
    systems : list of str
    scores : np.ndarray [shape=(n_tracks, n_systems)]
    """
    if not isinstance(results, Mapping) or not results:
        raise ParameterError("results must be a non-empty dict system name -> BatchResult.")
    metric = result_metric_name(metric)
    common = None
    for res in results.values():
        ok = {r.track_id for r in res.tracks if r.ok and r.scores.get(metric) is not None}
        common = ok if common is None else common & ok
    ids = sorted(common)
    systems = list(results)
    scores = np.array([[results[s][t].scores[metric] for s in systems] for t in ids], dtype=float).reshape(len(ids),
                                                                                                        len(systems))
    return ids, systems, scores


@dataclass(frozen=True)
class PairedComparison:
    """System A vs system B on the same tracks (:func:`paired_comparison`).

    Attributes
    ----------
    system_a, system_b, metric : str
    track_ids : tuple of str
    scores_a, scores_b : np.ndarray
    wins, losses, ties : int
        Tracks where A scores more than B by more than the tie tolerance, less, or about the same.
    difference : MeanCI
        Mean of A - B with its bootstrap confidence interval.
    """

    system_a: str
    system_b: str
    metric: str
    track_ids: tuple
    scores_a: np.ndarray = field(repr=False)
    scores_b: np.ndarray = field(repr=False)
    wins: int
    losses: int
    ties: int
    difference: MeanCI

    @property
    def n(self) -> int:
        return len(self.track_ids)

    def __str__(self) -> str:
        d = self.difference
        return (f"{self.system_a} vs {self.system_b} on {self.n} tracks ({SHORT_NAMES.get(self.metric, self.metric)}): "
                f"{self.wins} wins, {self.losses} losses, {self.ties} ties; mean difference "
                f"{d.mean:+.3f} [{d.low:+.3f}, {d.high:+.3f}]")


def paired_comparison(a, b, *, metric: str = "F-measure", tie_tolerance: float = TIE_TOLERANCE,
                      n_boot: int = N_BOOTSTRAP, confidence: float = CONFIDENCE, seed: int = 0) -> PairedComparison:
    """Compare two systems track by track on the tracks both scored.

    Parameters
    ----------
    a, b : helpers.batch.BatchResult
    metric : str
    tie_tolerance : float >= 0
        ``|A - B| <= tie_tolerance`` is a tie.
    n_boot, confidence, seed
        For the confidence interval of the mean difference (:func:`bootstrap_mean_ci`).

    Returns
    -------
    PairedComparison
    """
    check_nonnegative(tie_tolerance, name="tie_tolerance", hint="|A - B| up to it is a tie")
    ids, _, scores = score_matrix({"a": a, "b": b}, metric=metric)
    if not ids:
        raise ParameterError(f"{a.name} and {b.name} have no successfully scored track in common.")
    diff = scores[:, 0] - scores[:, 1]
    return PairedComparison(a.name, b.name, result_metric_name(metric), tuple(ids), scores[:, 0], scores[:, 1],
                            int(np.sum(diff > tie_tolerance)), int(np.sum(diff < -tie_tolerance)),
                            int(np.sum(np.abs(diff) <= tie_tolerance)),
                            bootstrap_mean_ci(diff, n_boot=n_boot, confidence=confidence, seed=seed))


def everyone_fails(results: Mapping, *, metric: str = "F-measure", threshold: float = FAIL_THRESHOLD) -> list[str]:
    """Tracks on which every system scores below ``threshold`` (over the tracks all of them scored)."""
    ids, _, scores = score_matrix(results, metric=metric)
    return [t for t, row in zip(ids, scores) if np.all(row < threshold)]
