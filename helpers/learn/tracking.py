"""The learned curve in the course's tracker: same tempo, DP, phase lock and refinement.

``learned_novelty`` replaces :func:`helpers.beat.tracker_novelty` (the hand-made flux) by a
model's beat probability per frame; everything after it is
:func:`helpers.beat.run_tracker_from_novelty`, unchanged. The novelty fields of
:class:`~helpers.beat.TrackerParams` (``gamma``, ``low_band_share`` ...) do not apply: the
model has its own feature settings.
"""

from __future__ import annotations

import numpy as np

from ..beat import TrackerParams, TrackerResult, run_tracker_from_novelty
from ..data import MelParams
from ..errors import ParameterError
from ..data import check_power_spectrogram
from ..novelty import Novelty
from .features import band_flux
from .modelfile import LearnedModel, check_model_params

__all__ = ["learned_novelty", "run_tracker_with_model", "track_beats_with_model"]


def _check_model(model) -> LearnedModel:
    if not isinstance(model, LearnedModel):
        raise ParameterError(
            f"model must be a helpers.learn.LearnedModel, got {type(model).__name__}; "
            "read a file with helpers.learn.load_model(path)."
        )
    return model


def learned_novelty(S_power, *, model: LearnedModel, mel_params: MelParams) -> Novelty:
    """A model's beat probability per frame, as a :class:`~helpers.novelty.Novelty`.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
        POWER mel spectrogram, non-negative and finite.
    model : LearnedModel
        From :func:`helpers.learn.train_model` or :func:`helpers.learn.load_model`.
    mel_params : helpers.data.MelParams
        The data's info.json (``helpers.data.read_params(melspec_dir)``); must equal the
        model's training data's.

    Returns
    -------
    Novelty
        ``values[k]`` = P(beat at frame k), in (0, 1).

    Raises
    ------
    DataError
        The data's parameters differ from the model's (:func:`helpers.learn.check_model_params`).
    ParameterError
        A bad spectrogram (not 2-D, negative, NaN) or one with another number of bands.
    """
    model = _check_model(model)
    check_model_params(model, mel_params)
    S = check_power_spectrogram(S_power)
    if S.shape[0] != mel_params.n_mels:
        raise ParameterError(
            f"S_power has {S.shape[0]} bands but info.json says {mel_params.n_mels} (shape {S.shape}); "
            "is it transposed?"
        )
    p = model.activation_from_flux(band_flux(S, settings=model.feature_settings))
    return Novelty(p, mel_params.frame_rate_hz)


def run_tracker_with_model(S_power, *, model: LearnedModel, mel_params: MelParams,
                           tracker_params: TrackerParams | None = None,
                           tempo_bpm: float | None = None) -> TrackerResult:
    """:func:`learned_novelty` then :func:`helpers.beat.run_tracker_from_novelty`; keeps every result."""
    novelty = learned_novelty(S_power, model=model, mel_params=mel_params)
    return run_tracker_from_novelty(novelty, tracker_params=tracker_params, tempo_bpm=tempo_bpm)


def track_beats_with_model(S_power, *, model: LearnedModel, mel_params: MelParams,
                           tracker_params: TrackerParams | None = None,
                           tempo_bpm: float | None = None) -> np.ndarray:
    """Beat times (s) of a POWER mel spectrogram, with a learned novelty instead of the hand-made flux.

    Parameters
    ----------
    S_power : np.ndarray [shape=(n_mels, n_frames)]
    model : LearnedModel
    mel_params : helpers.data.MelParams
        The data's info.json; another than the model's training data's is refused.
    tracker_params : helpers.beat.TrackerParams, optional
        Tempo, DP, phase-lock and refinement settings (its novelty fields are not used).
    tempo_bpm : float, optional
        Use this tempo instead of estimating it.

    Returns
    -------
    beat_times_s : np.ndarray [shape=(n_beats,)]
        Strictly increasing, in seconds.

    Examples
    --------
    >>> from functools import partial                       # doctest: +SKIP
    >>> tracker = partial(track_beats_with_model, model=load_model("model.npz"))  # doctest: +SKIP
    >>> tracker(S, mel_params=read_params(melspec_dir))      # doctest: +SKIP
    """
    return run_tracker_with_model(S_power, model=model, mel_params=mel_params, tracker_params=tracker_params,
                                  tempo_bpm=tempo_bpm).beat_times_s
