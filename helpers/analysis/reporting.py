"""Honest reporting: one part of the fixed dev/test split, a warning for few tracks, the same beats under another trim.

:func:`split_result` keeps the tracks of one part of :mod:`helpers.splits`;
:func:`small_sample_note` says when a mean over few tracks says little; :func:`rescore`
scores the same estimated beats again under another trim (``mir_eval.beat.f_measure``
alone does not trim, ``mir_eval.beat.evaluate`` does).
"""

from __future__ import annotations

import warnings

from ..checks import check_int_at_least
from ..evaluate import METRIC_NAMES, check_trim_s, evaluate_beats
from ..splits import check_split, select_split
from .taxonomy import _reference_getter

__all__ = ["SMALL_SAMPLE_TRACKS", "split_result", "small_sample_note", "rescore"]

#: Fewer tracks than this and :func:`small_sample_note` warns: with per-track F spread
#: about 0.3 (typical of beat trackers), a 95 % interval of the mean is then wider than +-0.1
#: (1.96 * 0.3 / sqrt(30) = 0.107).
SMALL_SAMPLE_TRACKS = 30


# =========================================================================== honest reporting
def split_result(result, split: str):
    """The tracks of one part of the fixed dev/test split, as a BatchResult of their own.

    Parameters
    ----------
    result : helpers.batch.BatchResult
    split : {"all", "dev", "test"}
        See :mod:`helpers.splits` (decided by each track id alone).

    Returns
    -------
    helpers.batch.BatchResult
        The same track results (failed ones included) and configuration, with
        ``config["split"]`` set; ``split="all"`` returns ``result`` itself.

    Examples
    --------
    >>> from helpers.batch import BatchResult, TrackResult
    >>> r = BatchResult([TrackResult("0001_12step", {"F-measure": 1.0}),
    ...                  TrackResult("0005_again", {"F-measure": 0.5})], {"system": "demo"})
    >>> split_result(r, "test").track_ids
    ['0001_12step']
    """
    from ..batch import BatchResult

    split = check_split(split)
    if split == "all":
        return result
    keep = set(select_split(result.track_ids, split))
    return BatchResult([r for r in result.tracks if r.track_id in keep], {**result.config, "split": split},
                       result.seconds)


def small_sample_note(n_tracks: int, *, what: str = "the test split") -> str:
    """A warning to print beside a figure computed on few tracks ('' when there are enough).

    Fewer than :data:`SMALL_SAMPLE_TRACKS` tracks: a mean's 95 % interval is wider than
    about +-0.1, so differences between systems of a few hundredths mean nothing.

    Examples
    --------
    >>> small_sample_note(4)[:40]
    'Only 4 tracks in the test split: too few'
    >>> small_sample_note(261)
    ''
    """
    check_int_at_least(n_tracks, 0, name="n_tracks")
    if n_tracks >= SMALL_SAMPLE_TRACKS:
        return ""
    return (f"Only {n_tracks} track{'s' if n_tracks != 1 else ''} in {what}: too few for its means to say much "
            f"(below {SMALL_SAMPLE_TRACKS} tracks a 95 % interval of a mean F is wider than about +-0.1); "
            "read them as a demonstration of the method, not as a result.")


def rescore(result, reference, *, trim_s: float, metrics=METRIC_NAMES):
    """The same estimated beats scored again under another trim (e.g. ``trim_s=0``: no trim).

    ``mir_eval.beat.f_measure`` on its own does not trim; ``mir_eval.beat.evaluate``
    removes the beats before 5 s first.  Re-scoring one run both ways shows what that
    choice alone changes (upstream's Harmonix results quote the untrimmed F-measure).

    Parameters
    ----------
    result : helpers.batch.BatchResult
        Its estimated beats must be available (``TrackResult.beat_times_s``).
    reference : helpers.data.Dataset or dict
        Where the reference beats come from (as :func:`classify_results`).
    trim_s : float >= 0
    metrics : sequence of str
        The metrics to compute (the others are left out of the new scores).

    Returns
    -------
    helpers.batch.BatchResult
        One track per scored track of ``result`` with beats; ``config["evaluation"]["trim_s"]``
        says the new trim.
    """
    from ..batch import BatchResult, TrackResult

    trim_s = check_trim_s(trim_s)
    get_reference = _reference_getter(reference)
    tracks = []
    for r in result.tracks:
        if not r.ok or r.beat_times_s is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")        # degenerate tracks get their defined zeros
            scores = evaluate_beats(get_reference(r.track_id), r.beat_times_s, trim_s=float(trim_s), metrics=metrics)
        tracks.append(TrackResult(r.track_id, scores, r.beat_times_s, None, (), r.n_reference_beats, "file"))
    config = {**result.config, "evaluation": {**result.config.get("evaluation", {}), "trim_s": float(trim_s)}}
    return BatchResult(tracks, config, 0.0)
