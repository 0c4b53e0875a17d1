"""Training data, training, and honest evaluation by cross-validation over tracks.

- :class:`TrainingSet` holds every training track's band flux, targets and loss weights
  (compactly: ``n_groups`` float32 values per frame, 333 MB for the 56 hours of Harmonix)
  and its reference beats. :func:`build_training_set` makes one from any iterable of
  ``(track_id, S_power, beat_times_s)`` (one track in memory at a time);
  :func:`load_training_set` from folders of ``<id>-mel.npy`` + ``<id>.txt``.
- :func:`train_model` fits a logistic regression or an MLP and returns a
  :class:`~helpers.learn.LearnedModel`.
- :func:`assign_folds` splits track ids into ``k`` folds by a fixed rule;
  :func:`cross_validate` scores every track with a model trained on the other folds only.
  :func:`score_tracks` scores tracks with one given model (on its own training tracks that
  is the number that lies: compare it with the cross-validated one).

Folds (:func:`assign_folds`): sort the track ids by ``sha256(FOLD_SALT + track_id)`` and give
the i-th id fold ``i mod k``. Folds differ in size by at most one track, do not depend on
the order in which tracks are listed or on a random seed, and are the same on every machine.
(Unlike :mod:`helpers.splits`, a track's fold can change when tracks are added; the folds
are fixed for a given set of tracks.) A track is never in the training set of the model
that scores it.

The dev/test split (:mod:`helpers.splits`): :func:`load_training_set` takes ``split`` and
``python -m helpers train`` uses the dev tracks by default, so a model that is later scored
on ``--split test`` has never seen a test track; the model records its training track ids.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import numpy as np

from ..beat import TrackerParams, run_tracker_from_novelty
from ..data import Dataset, MelParams
from ..checks import check_choice
from ..errors import DataError, DataMissingError, ParameterError
from ..evaluate import BeatEvaluationWarning, evaluate_beats
from ..novelty import Novelty
from ..splits import select_split
from .features import DEFAULT_LABELS, LABELS, FeatureSettings, band_flux, beat_targets
from .modelfile import LearnedModel
from .models import (BATCH_SIZE, EPOCHS, HIDDEN_UNITS, KINDS, L2, LEARNING_RATE, MAX_ITERATIONS, SEED, FrameStream,
                     fit_logistic, fit_mlp, one_blas_thread)

__all__ = [
    "N_FOLDS",
    "FOLD_SALT",
    "TrainingSet",
    "build_training_set",
    "load_training_set",
    "assign_folds",
    "train_model",
    "CVResult",
    "cross_validate",
    "score_tracks",
]

#: Folds of the cross-validation: 5, so each model trains on 80 % of the tracks (with 44
#: tracks: 35, close to all 44) and every track is scored once.
N_FOLDS = 5
#: Prefixed to the track id before hashing (:func:`assign_folds`); another salt = other folds.
FOLD_SALT = "beat-course folds v1:"
#: A standard deviation below this (a band group that never changes) is taken as 1.
_MIN_STD = 1e-8


@dataclass(frozen=True, eq=False)
class TrainingSet:
    """Training tracks side by side: band flux (with zero pads between tracks), targets, weights, beats.

    Build it with :func:`build_training_set` or :func:`load_training_set`.

    Attributes
    ----------
    track_ids : tuple of str
    sources : tuple of str
        Where each track came from (a data set name), for per-source reports.
    flux : np.ndarray [shape=(n_groups, n_columns)], float32
        Every track's :func:`helpers.learn.band_flux`, each preceded by ``context_frames``
        zero columns, plus ``context_frames`` at the end.
    targets, weights : np.ndarray [shape=(n_columns,)], float32
        :func:`helpers.learn.beat_targets` per track; 0 in the pads.
    starts, lengths : np.ndarray [shape=(n_tracks,)], int
        Column of each track's first frame, and its number of frames.
    beat_times_s : tuple of np.ndarray
        Each track's reference beats (s), for scoring.
    feature_settings : FeatureSettings
    labels : str
    mel_params : helpers.data.MelParams
    """

    track_ids: tuple
    sources: tuple
    flux: np.ndarray = field(repr=False)
    targets: np.ndarray = field(repr=False)
    weights: np.ndarray = field(repr=False)
    starts: np.ndarray = field(repr=False)
    lengths: np.ndarray = field(repr=False)
    beat_times_s: tuple = field(repr=False)
    feature_settings: FeatureSettings
    labels: str
    mel_params: MelParams

    def __len__(self) -> int:
        return len(self.track_ids)

    @property
    def n_frames(self) -> int:
        return int(self.lengths.sum())

    def track_flux(self, i: int) -> np.ndarray:
        """Track ``i``'s band flux ``(n_groups, n_frames)`` (a view)."""
        return self.flux[:, self.starts[i]:self.starts[i] + self.lengths[i]]

    def subset(self, indices: Sequence[int]) -> "TrainingSet":
        """The tracks ``indices`` (in that order) as a new set (a copy)."""
        idx = [int(i) for i in indices]
        c = self.feature_settings.context_frames
        parts = [(self.track_flux(i), *self._track_labels(i)) for i in idx]
        flux, targets, weights, starts = _concatenate(parts, c, self.flux.shape[0])
        return TrainingSet(tuple(self.track_ids[i] for i in idx), tuple(self.sources[i] for i in idx), flux, targets,
                           weights, starts, self.lengths[idx].copy(), tuple(self.beat_times_s[i] for i in idx),
                           self.feature_settings, self.labels, self.mel_params)

    def _track_labels(self, i: int):
        sl = slice(self.starts[i], self.starts[i] + self.lengths[i])
        return self.targets[sl], self.weights[sl]

    def standardization(self) -> tuple[np.ndarray, np.ndarray]:
        """Mean and standard deviation of each band group over every frame of the set's tracks.

        The pads are zeros, so they add nothing to the sums: ``mean = sum / n_frames``.
        """
        n = max(self.n_frames, 1)
        total = np.zeros(self.flux.shape[0])
        squares = np.zeros(self.flux.shape[0])
        for start in range(0, self.flux.shape[1], 1 << 18):
            block = self.flux[:, start:start + (1 << 18)].astype(np.float64)
            total += block.sum(axis=1)
            squares += np.einsum("gn,gn->g", block, block)
        mean = total / n
        std = np.sqrt(np.maximum(squares / n - mean**2, 0.0))
        return mean, np.where(std > _MIN_STD, std, 1.0)

    def stream(self) -> FrameStream:
        """The set as a :class:`~helpers.learn.models.FrameStream`, standardised by its own statistics."""
        mean, std = self.standardization()
        return FrameStream(self.flux, self.targets, self.weights, self.feature_settings.context_frames, mean, std)


def _concatenate(parts, c: int, n_groups: int):
    """(flux, targets, weights) per track -> padded side-by-side arrays and each track's start column."""
    lengths = [p[0].shape[1] for p in parts]
    n_columns = sum(lengths) + c * (len(parts) + 1)
    flux = np.zeros((n_groups, n_columns), dtype=np.float32)
    targets = np.zeros(n_columns, dtype=np.float32)
    weights = np.zeros(n_columns, dtype=np.float32)
    starts = np.zeros(len(parts), dtype=np.int64)
    col = c
    for i, (G, y, w) in enumerate(parts):
        n = G.shape[1]
        starts[i] = col
        flux[:, col:col + n] = G
        targets[col:col + n] = y
        weights[col:col + n] = w
        col += n + c
    return flux, targets, weights, starts


def _check_labels_and_settings(feature_settings, labels):
    settings = FeatureSettings() if feature_settings is None else feature_settings
    if not isinstance(settings, FeatureSettings):
        raise ParameterError(f"feature_settings must be a FeatureSettings, got {type(settings).__name__}.")
    check_choice(labels, LABELS, name="labels")
    return settings


def build_training_set(tracks: Iterable, *, mel_params: MelParams, feature_settings: FeatureSettings | None = None,
                       labels: str = DEFAULT_LABELS, source: str = "", progress: bool = False,
                       total: int | None = None) -> TrainingSet:
    """A :class:`TrainingSet` from ``(track_id, S_power, beat_times_s)`` items, one track in memory at a time.

    Parameters
    ----------
    tracks : iterable of (str, np.ndarray [shape=(n_mels, n_frames)], np.ndarray [shape=(n_beats,)])
        Track id, POWER mel spectrogram, reference beat times in seconds. A 4th item, if
        present, names the track's source (data set); else ``source``.
    mel_params : helpers.data.MelParams
        The data's info.json.
    feature_settings : FeatureSettings, optional
    labels : {"split", "nearest", "widened"}
        See :func:`helpers.learn.beat_targets`.
    source : str
        Default source name of the tracks.
    progress : bool
        Show a progress bar; ``total`` is its length if ``tracks`` has none.

    Raises
    ------
    ParameterError
        Two tracks with one id, a spectrogram with another number of bands, no track.
    """
    from tqdm.auto import tqdm

    settings = _check_labels_and_settings(feature_settings, labels)
    if not isinstance(mel_params, MelParams):
        raise ParameterError("mel_params must be a helpers.data.MelParams (helpers.data.read_params(melspec_dir)).")
    if settings.n_groups > mel_params.n_mels:
        raise ParameterError(f"{settings.n_groups} band groups but the data has {mel_params.n_mels} mel bands.")
    ids, sources, parts, beats = [], [], [], []
    seen = set()
    for item in tqdm(tracks, total=total, desc="features", unit="track", disable=not progress, leave=False):
        track_id, S, beat_times_s = item[:3]
        if track_id in seen:
            raise ParameterError(f"two training tracks have the id {track_id!r}; folds are by id, so ids must be "
                                 "unique (rename one, or leave one data set out).")
        seen.add(track_id)
        S = np.asarray(S)
        if S.ndim != 2 or S.shape[0] != mel_params.n_mels:
            raise ParameterError(f"track {track_id!r}: shape {S.shape}, expected ({mel_params.n_mels}, n_frames).")
        G = band_flux(S, settings=settings).astype(np.float32)
        y, w = beat_targets(beat_times_s, n_frames=S.shape[1], frame_rate_hz=mel_params.frame_rate_hz, labels=labels)
        ids.append(str(track_id))
        sources.append(str(item[3]) if len(item) > 3 else source)
        parts.append((G, y, w))
        beats.append(np.asarray(beat_times_s, dtype=float))
    if not parts:
        raise ParameterError("no training track: give at least one (track_id, S_power, beat_times_s).")
    flux, targets, weights, starts = _concatenate(parts, settings.context_frames, settings.n_groups)
    lengths = np.array([p[0].shape[1] for p in parts], dtype=np.int64)
    del parts
    return TrainingSet(tuple(ids), tuple(sources), flux, targets, weights, starts, lengths, tuple(beats), settings,
                       labels, mel_params)


def load_training_set(folders: Sequence, *, feature_settings: FeatureSettings | None = None,
                      labels: str = DEFAULT_LABELS, split: str = "all", progress: bool = False) -> TrainingSet:
    """A :class:`TrainingSet` from one or more ``(melspec_dir, reference_dir)`` folder pairs.

    Every track with both ``melspec_dir/<id>-mel.npy`` and ``reference_dir/<id>.txt`` (1 or 3
    columns) is used, restricted to ``split`` of :mod:`helpers.splits`. All folders must have
    the same info.json parameters (the model carries one set).

    Parameters
    ----------
    folders : sequence of (path, path)
    split : {"all", "dev", "test"}
        Only the tracks of this part of the fixed dev/test split.

    Raises
    ------
    DataMissingError
        A folder or info.json is missing, or no track is found.
    DataError
        Two folders' info.json differ, or a file cannot be read (the message names it).
    """
    pairs = [(Path(m), Path(r)) for m, r in folders]
    if not pairs:
        raise ParameterError("give at least one (melspec_dir, reference_dir) pair.")
    datasets = [Dataset(m, r.parent, name=m.parent.name or m.name, beats_dir=r) for m, r in pairs]
    params = datasets[0].params
    for ds in datasets[1:]:
        if ds.params != params:
            raise DataError(
                f"its parameters ({ds.params}) differ from those of {datasets[0].melspec_dir / 'info.json'} "
                f"({params}); one model is trained on one kind of mel-spectrogram: train separate models.",
                path=ds.melspec_dir / "info.json")
    items = [(ds, tid) for ds in datasets for tid in select_split(ds.track_ids, split)]
    if not items:
        where = ", ".join(f"{m} + {r}" for m, r in pairs)
        raise DataMissingError(f"no track with both <id>-mel.npy and <id>.txt (split {split!r}) in {where}.")

    def tracks():
        for ds, tid in items:
            yield tid, ds.load_melspec(tid), ds.load_beats(tid).times_s, ds.name

    return build_training_set(tracks(), mel_params=params, feature_settings=feature_settings, labels=labels,
                              progress=progress, total=len(items))


# --------------------------------------------------------------------------- folds
def assign_folds(track_ids: Sequence[str], *, n_folds: int = N_FOLDS) -> np.ndarray:
    """The fold (0 .. n_folds-1) of each track id, by the fixed rule of the module docstring.

    Returns
    -------
    folds : np.ndarray [shape=(n_tracks,)], int, aligned with ``track_ids``

    Examples
    --------
    >>> assign_folds(["a", "b", "c", "d", "e"], n_folds=2).tolist()
    [0, 0, 1, 0, 1]
    """
    ids = list(track_ids)
    if isinstance(n_folds, bool) or not isinstance(n_folds, Integral) or n_folds < 2:
        raise ParameterError(f"n_folds={n_folds!r} must be an integer >= 2.")
    if n_folds > len(ids):
        raise ParameterError(f"n_folds={n_folds} is more than the {len(ids)} tracks: every fold needs a track.")
    if len(set(ids)) != len(ids):
        raise ParameterError("track ids must be unique to be assigned to folds.")
    keys = [hashlib.sha256((FOLD_SALT + str(t)).encode("utf-8")).hexdigest() for t in ids]
    folds = np.empty(len(ids), dtype=int)
    for rank, i in enumerate(sorted(range(len(ids)), key=keys.__getitem__)):
        folds[i] = rank % n_folds
    return folds


# --------------------------------------------------------------------------- training
def train_model(training_set: TrainingSet, *, kind: str = "logistic", l2: float | None = None,
                hidden: int = HIDDEN_UNITS, epochs: int = EPOCHS, seed: int = SEED, batch_size: int = BATCH_SIZE,
                learning_rate: float = LEARNING_RATE, max_iterations: int = MAX_ITERATIONS,
                progress: bool = False, notes: dict | None = None) -> LearnedModel:
    """Fit a model on every track of ``training_set``.

    Parameters
    ----------
    training_set : TrainingSet
    kind : {"logistic", "mlp"}
    l2 : float, optional
        L2 penalty; default ``helpers.learn.L2[kind]``.
    hidden, epochs, seed, batch_size, learning_rate
        MLP only (see :func:`helpers.learn.models.fit_mlp`).
    max_iterations : int
        Logistic regression only: L-BFGS iterations at most.
    progress : bool
        Progress bars.
    notes : dict, optional
        Extra JSON-able facts stored in the model's ``training`` record (e.g. the split).

    Returns
    -------
    LearnedModel
    """
    if not isinstance(training_set, TrainingSet):
        raise ParameterError(f"training_set must be a TrainingSet, got {type(training_set).__name__}.")
    check_choice(kind, KINDS, name="kind")
    l2 = L2[kind] if l2 is None else l2
    stream = training_set.stream()
    if kind == "logistic":
        params = fit_logistic(stream, l2=l2, max_iterations=max_iterations, progress=progress)
        settings = {"l2": l2, "max_iterations": max_iterations}
    else:
        params = fit_mlp(stream, hidden=hidden, l2=l2, epochs=epochs, batch_size=batch_size,
                         learning_rate=learning_rate, seed=seed, progress=progress)
        settings = {"l2": l2, "hidden": hidden, "epochs": epochs, "seed": seed, "batch_size": batch_size,
                    "learning_rate": learning_rate}
    training = {"labels": training_set.labels, **settings, "n_tracks": len(training_set),
                "n_frames": training_set.n_frames, "track_ids": list(training_set.track_ids), **(notes or {})}
    return LearnedModel(kind=kind, params=params, feature_settings=training_set.feature_settings,
                        feature_mean=stream.mean, feature_std=stream.std, mel_params=training_set.mel_params,
                        training=training)


# --------------------------------------------------------------------------- evaluation
def _score_one(model: LearnedModel, training_set: TrainingSet, i: int, tracker_params) -> dict:
    p = model.activation_from_flux(training_set.track_flux(i))
    result = run_tracker_from_novelty(Novelty(p, training_set.mel_params.frame_rate_hz),
                                      tracker_params=tracker_params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BeatEvaluationWarning)   # a degenerate estimate scores 0, defined
        scores = evaluate_beats(training_set.beat_times_s[i], result.beat_times_s)
    return {"track_id": training_set.track_ids[i], "source": training_set.sources[i], **scores,
            "tempo_bpm": result.tempo_bpm}


@one_blas_thread
def score_tracks(model: LearnedModel, training_set: TrainingSet, *, indices: Sequence[int] | None = None,
                 tracker_params: TrackerParams | None = None) -> list[dict]:
    """Track and score tracks of ``training_set`` with one model (learned curve -> tempo + DP).

    Scored on the model's own training tracks this is optimistic -- the number that lies.

    Returns
    -------
    rows : list of dict
        One per track: ``track_id``, ``source``, every metric of
        :func:`helpers.evaluate.evaluate_beats` (5 s trim), ``tempo_bpm``.
    """
    if model.mel_params != training_set.mel_params or model.feature_settings != training_set.feature_settings:
        raise ParameterError("the model's mel parameters or feature settings differ from the training set's.")
    indices = range(len(training_set)) if indices is None else indices
    return [_score_one(model, training_set, int(i), tracker_params) for i in indices]


@dataclass(frozen=True)
class CVResult:
    """Per-track scores of held-out tracks from :func:`cross_validate`.

    Attributes
    ----------
    rows : list of dict
        One per track, in the training set's order: ``track_id``, ``source``, ``fold``, every
        metric of :func:`helpers.evaluate.evaluate_beats`, ``tempo_bpm``.
    n_folds : int
    settings : dict
        The model kind and training settings.
    """

    rows: list
    n_folds: int
    settings: dict

    def mean(self, metric: str = "F-measure", *, source: str | None = None) -> float:
        """Mean of ``metric`` over the held-out tracks (of one ``source`` if given)."""
        values = [r[metric] for r in self.rows if source is None or r["source"] == source]
        return float(np.mean(values)) if values else float("nan")


@one_blas_thread
def cross_validate(training_set: TrainingSet, *, n_folds: int = N_FOLDS, kind: str = "logistic",
                   tracker_params: TrackerParams | None = None, progress: bool = False, **train_options) -> CVResult:
    """k-fold cross-validation by track: every track scored by a model that never saw it.

    Folds come from :func:`assign_folds`. For each fold a model is trained
    (:func:`train_model`, with ``kind`` and ``train_options``) on the other folds' tracks
    only -- including the standardisation -- and the fold's tracks are tracked with the
    learned curve through the course's tempo + DP and scored.

    Returns
    -------
    CVResult
    """
    from tqdm.auto import tqdm

    folds = assign_folds(training_set.track_ids, n_folds=n_folds)
    rows: list = [None] * len(training_set)
    for k in tqdm(range(n_folds), desc="cross-validation", unit="fold", disable=not progress):
        held_out = np.flatnonzero(folds == k)
        train = np.flatnonzero(folds != k)
        model = train_model(training_set.subset(train), kind=kind, **train_options)
        for i in held_out:
            rows[i] = {**_score_one(model, training_set, int(i), tracker_params), "fold": k}
    return CVResult(rows, n_folds, {"kind": kind, **train_options})
