"""Learn the novelty function from the annotations, then track with the same tempo + DP (notebook 06).

The manual-first ML step of the course. Each piece is small enough to write by hand in a
notebook and check against the helper with ``np.testing.assert_allclose``:

1. **features** (:mod:`.features`): the spectral flux of notebook 02 kept per band group,
   relative to the track's own level, with +-8 frames of context:
   ``X = frame_features(S_power)``, one row per frame.
2. **labels**: ``targets, weights = beat_targets(beat_times_s, n_frames=..., frame_rate_hz=...)``:
   how much of a beat falls on each frame (a beat between two frames is shared, "split").
3. **a logistic regression** (:mod:`.models`): ``p = sigmoid(X @ w + b)``, cross-entropy + L2,
   gradients by hand (:func:`logistic_loss`), fitted with scipy's L-BFGS. Its weights,
   reshaped to band group x time offset (``model.weight_image``), show what it learned.
4. **a small non-linear model**: one hidden tanh layer (:func:`mlp_loss`), Adam, fixed seed.
5. **the learned curve in the old tracker**: :func:`learned_novelty` gives a
   :class:`~helpers.novelty.Novelty`; :func:`track_beats_with_model` runs the course's tempo,
   DP, phase lock and refinement on it, exactly as on the hand-made flux.
6. **honest evaluation**: :func:`cross_validate` scores every track with a model trained
   without it (fixed folds by track id, :func:`assign_folds`); :func:`score_tracks` on the
   training tracks shows how much that flatters.

Models are ``.npz`` files (:func:`save_model`, :func:`load_model`) that carry their feature
settings and the mel-spectrogram parameters (info.json) they were trained on; data with
another info.json is refused. Command line: ``python -m helpers train``. Design, choices
and measured numbers: docs/learn.md.

numpy and scipy only; no deep-learning framework.

Examples
--------
>>> from helpers.learn import load_training_set, train_model, track_beats_with_model  # doctest: +SKIP
>>> ts = load_training_set([("data/demo/melspecs", "data/demo/dataset/beats_and_downbeats")])  # doctest: +SKIP
>>> model = train_model(ts, kind="logistic")                                          # doctest: +SKIP
>>> beats_s = track_beats_with_model(S, model=model, mel_params=ts.mel_params)         # doctest: +SKIP
"""

from __future__ import annotations

from .features import (CONTEXT_FRAMES, DEFAULT_LABELS, LABELS, N_GROUPS, SCALING, SCALINGS, FeatureSettings, band_flux,
                       band_groups, beat_targets, context_windows, frame_features, scale_flux)
from .modelfile import (MODEL_FORMAT, MODEL_VERSION, LearnedModel, check_model_params, load_model, model_identity,
                        save_model)
from .models import (BATCH_SIZE, EPOCHS, HIDDEN_UNITS, KINDS, L2, LEARNING_RATE, SEED, FrameStream, fit_logistic,
                     fit_mlp, init_params, logistic_loss, mlp_loss, predict_logit, sigmoid)
from .tracking import learned_novelty, run_tracker_with_model, track_beats_with_model
from .training import (FOLD_SALT, N_FOLDS, CVResult, TrainingSet, assign_folds, build_training_set, cross_validate,
                       load_training_set, score_tracks, train_model)

__all__ = [
    # features and labels
    "N_GROUPS", "CONTEXT_FRAMES", "SCALINGS", "SCALING", "LABELS", "DEFAULT_LABELS", "FeatureSettings",
    "band_groups", "scale_flux", "band_flux", "context_windows", "frame_features", "beat_targets",
    # models
    "KINDS", "L2", "HIDDEN_UNITS", "EPOCHS", "BATCH_SIZE", "LEARNING_RATE", "SEED", "sigmoid", "logistic_loss",
    "mlp_loss", "init_params", "predict_logit", "FrameStream", "fit_logistic", "fit_mlp",
    # training and evaluation
    "N_FOLDS", "FOLD_SALT", "TrainingSet", "build_training_set", "load_training_set", "assign_folds", "train_model",
    "CVResult", "cross_validate", "score_tracks",
    # model files
    "MODEL_FORMAT", "MODEL_VERSION", "LearnedModel", "save_model", "load_model", "model_identity",
    "check_model_params",
    # tracking
    "learned_novelty", "run_tracker_with_model", "track_beats_with_model",
]
