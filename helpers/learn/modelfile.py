"""A trained model and its file: a ``.npz`` of plain arrays, never a pickle.

A :class:`LearnedModel` carries everything needed to use it on new data and to refuse data
it does not fit: its kind and parameters, the feature settings and the standardisation it
was trained with, the mel-spectrogram parameters (info.json) of its training data, and a
description of the training (labels, L2, seed, the training track ids ...).

The file (:func:`save_model`, :func:`load_model`) is an ``np.savez`` archive:

- ``header``: a JSON string (a 0-d unicode array): ``{"format": "helpers.learn model",
  "version": 1, "kind": ..., "feature_settings": {...}, "mel_params": {...info.json keys...},
  "training": {...}}``;
- ``feature_mean``, ``feature_std``: float64 ``(n_groups,)``;
- ``param_<name>``: the model's parameters (``param_w``, ``param_b`` or ``param_W1`` ...).

It is read with ``np.load(..., allow_pickle=False)``: a file holding Python objects is
refused, as are a truncated file, a foreign ``.npz`` and a newer version, each with a
:class:`~helpers.errors.DataError` that names the file. It is written through a temporary
file in the same folder and ``os.replace`` (as :mod:`helpers.files`), so Ctrl-C or a full
disk leaves the previous file (or none), never half a model.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..data import MelParams
from ..checks import check_choice
from ..errors import DataError, DataMissingError, ParameterError
from ..files import write_bytes_atomic
from .features import FeatureSettings
from .models import KINDS, _PARAM_SHAPES, predict_logit, sigmoid

__all__ = [
    "MODEL_FORMAT",
    "MODEL_VERSION",
    "LearnedModel",
    "save_model",
    "load_model",
    "model_identity",
    "check_model_params",
]

#: The format tag in every model file's header.
MODEL_FORMAT = "helpers.learn model"
#: The file format's version; a file with a higher version is refused (update helpers).
MODEL_VERSION = 1


def _mel_params_dict(p: MelParams) -> dict:
    return p.to_info_json()


def _describe_params(p: MelParams) -> str:
    return (f"sr {p.sr} Hz, hop {p.hop_length}, n_fft {p.n_fft}, {p.n_mels} mel bands, "
            f"fmin {p.fmin:g} Hz, fmax {'none' if p.fmax is None else format(p.fmax, 'g')}")


@dataclass(frozen=True, eq=False)
class LearnedModel:
    """A trained model of P(beat at frame | band flux around it), with what it was trained on.

    Attributes
    ----------
    kind : {"logistic", "mlp"}
    params : dict of np.ndarray
        ``{"w", "b"}`` (logistic) or ``{"W1", "b1", "w2", "b2"}`` (MLP), for standardised features.
    feature_settings : FeatureSettings
    feature_mean, feature_std : np.ndarray [shape=(n_groups,)]
        Standardisation per band group, from the training frames (same for every offset).
    mel_params : helpers.data.MelParams
        The info.json of the training data; :func:`check_model_params` refuses other data.
    training : dict
        JSON-able description of the training (labels, l2, epochs, seed, track ids, ...).
    path : Path or None
        The file it was loaded from (for messages); not part of its identity.
    """

    kind: str
    params: dict
    feature_settings: FeatureSettings
    feature_mean: np.ndarray = field(repr=False)
    feature_std: np.ndarray = field(repr=False)
    mel_params: MelParams
    training: dict = field(default_factory=dict, repr=False)
    path: Path | None = field(default=None, repr=False)

    def __post_init__(self):
        check_choice(self.kind, KINDS, name="kind")
        if not isinstance(self.feature_settings, FeatureSettings):
            raise ParameterError("feature_settings must be a FeatureSettings.")
        if not isinstance(self.mel_params, MelParams):
            raise ParameterError("mel_params must be a helpers.data.MelParams (e.g. read_params(melspec_dir)).")
        s = self.feature_settings
        if s.n_groups > self.mel_params.n_mels:
            raise ParameterError(f"{s.n_groups} band groups but only {self.mel_params.n_mels} mel bands.")
        params = {k: np.array(v, dtype=np.float64) for k, v in dict(self.params).items()}
        expected = _expected_shapes(self.kind, s.n_features, params)
        if sorted(params) != sorted(expected):
            raise ParameterError(f"a {self.kind} model has parameters {sorted(expected)}, got {sorted(params)}.")
        for name, shape in expected.items():
            if params[name].shape != shape:
                raise ParameterError(f"parameter {name!r} has shape {params[name].shape}, expected {shape}.")
        for name, arr in (("feature_mean", self.feature_mean), ("feature_std", self.feature_std)):
            arr = np.array(arr, dtype=np.float64)
            if arr.shape != (s.n_groups,):
                raise ParameterError(f"{name} has shape {arr.shape}, expected ({s.n_groups},).")
            object.__setattr__(self, name, arr)
        if np.any(self.feature_std <= 0):
            raise ParameterError("feature_std must be > 0 for every band group.")
        for name, arr in [*params.items(), ("feature_mean", self.feature_mean), ("feature_std", self.feature_std)]:
            if not np.all(np.isfinite(arr)):
                raise ParameterError(f"{name} has NaN or infinite values.")
            arr.setflags(write=False)
        object.__setattr__(self, "params", params)
        try:
            object.__setattr__(self, "training", json.loads(json.dumps(dict(self.training))))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"training must be a dict of JSON values (it goes into the file): {exc}") from None

    # -- using it ------------------------------------------------------------------------
    @property
    def column_mean(self) -> np.ndarray:
        """Per-column mean of the feature matrix: each group's mean repeated over the offsets."""
        return np.repeat(self.feature_mean, self.feature_settings.n_offsets)

    @property
    def column_std(self) -> np.ndarray:
        return np.repeat(self.feature_std, self.feature_settings.n_offsets)

    def standardize(self, X) -> np.ndarray:
        """``(X - column_mean) / column_std`` for a feature matrix from :func:`helpers.learn.frame_features`."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.feature_settings.n_features:
            raise ParameterError(
                f"X must have shape (n_frames, {self.feature_settings.n_features}) for this model "
                f"({self.feature_settings}), got {X.shape}."
            )
        return (X - self.column_mean) / self.column_std

    def predict_proba(self, X) -> np.ndarray:
        """P(beat) per row of an (unstandardised) feature matrix, shape ``(n_frames,)``."""
        return sigmoid(predict_logit(self.kind, self.params, self.standardize(X)))

    def activation_from_flux(self, G) -> np.ndarray:
        """P(beat) per frame from a track's :func:`helpers.learn.band_flux` ``(n_groups, n_frames)``.

        Equal to ``predict_proba(context_windows(G))``, computed faster: the flux is
        standardised before the context windows are cut (the padding then holds the
        standardised zero, ``-mean / std``), and the MLP's first layer is one matrix product.
        """
        s = self.feature_settings
        G = np.asarray(G, dtype=np.float64)
        if G.ndim != 2 or G.shape[0] != s.n_groups:
            raise ParameterError(f"G must have shape ({s.n_groups}, n_frames), got {G.shape}.")
        c, n = s.context_frames, G.shape[1]
        # the MLP works in float32 (as in training: twice as fast, far more precise than a
        # probability needs); the logistic regression in float64
        dtype = np.float64 if self.kind == "logistic" else np.float32
        zero = (-self.feature_mean / self.feature_std)[:, None]
        padded = np.empty((s.n_groups, n + 2 * c), dtype=dtype)
        padded[:, :c] = zero
        padded[:, n + c:] = zero
        padded[:, c:n + c] = (G - self.feature_mean[:, None]) / self.feature_std[:, None]
        X = np.lib.stride_tricks.sliding_window_view(padded, s.n_offsets, axis=1).transpose(1, 0, 2)
        X = X.reshape(n, s.n_features)                     # (n_frames, n_features), standardised
        if self.kind == "logistic":
            z = np.einsum("nf,f->n", X, self.params["w"]) + float(self.params["b"])
        else:
            h = np.tanh(X @ self.params["W1"].astype(dtype) + self.params["b1"].astype(dtype))
            z = np.einsum("nh,h->n", h, self.params["w2"].astype(dtype)).astype(np.float64) + float(self.params["b2"])
        return sigmoid(z)

    @property
    def weight_image(self) -> np.ndarray:
        """The logistic regression's weights as ``(n_groups, 2 * context_frames + 1)``: band x time offset.

        Row ``g``, column ``j + context_frames``: how much flux in group ``g`` at ``j`` frames
        from the frame raises its log-odds of being a beat (standardised units).
        """
        if self.kind != "logistic":
            raise ParameterError(f"weight_image is for the logistic regression; this model is {self.kind!r}.")
        s = self.feature_settings
        return self.params["w"].reshape(s.n_groups, s.n_offsets).copy()

    @property
    def n_parameters(self) -> int:
        return int(sum(v.size for v in self.params.values()))

    @property
    def identity(self) -> str:
        """SHA-256 (hex) of the model's content: header and arrays, not the file's bytes or path.

        Two trainings with the same data and settings give the same identity, so it can key
        a cache of results.
        """
        h = hashlib.sha256(_header_text(self).encode("utf-8"))
        for name, arr in sorted(_arrays(self).items()):
            a = np.ascontiguousarray(arr, dtype=np.float64)
            h.update(f"{name}:{a.shape}".encode())
            h.update(a.tobytes())
        return h.hexdigest()

    def describe(self) -> str:
        """One line for a report."""
        t = self.training
        return (f"{self.kind} model, {self.n_parameters} parameters, features {self.feature_settings.n_groups} "
                f"band groups x {self.feature_settings.n_offsets} frames; trained on {t.get('n_tracks', '?')} "
                f"tracks ({_describe_params(self.mel_params)})")


def _expected_shapes(kind: str, n_features: int, params: dict) -> dict:
    if kind == "logistic":
        return {"w": (n_features,), "b": ()}
    hidden = params["W1"].shape[1] if "W1" in params and params["W1"].ndim == 2 else -1
    return {"W1": (n_features, hidden), "b1": (hidden,), "w2": (hidden,), "b2": ()}


def _header(model: LearnedModel) -> dict:
    return {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "kind": model.kind,
        "feature_settings": model.feature_settings.to_dict(),
        "mel_params": _mel_params_dict(model.mel_params),
        "training": model.training,
    }


def _header_text(model: LearnedModel) -> str:
    return json.dumps(_header(model), sort_keys=True, separators=(",", ":"))


def _arrays(model: LearnedModel) -> dict:
    arrays = {f"param_{k}": v for k, v in model.params.items()}
    arrays["feature_mean"] = model.feature_mean
    arrays["feature_std"] = model.feature_std
    return arrays


def check_model_params(model: LearnedModel, mel_params: MelParams, *, data_source=None) -> None:
    """Refuse data whose info.json differs from the one the model was trained on.

    Parameters
    ----------
    model : LearnedModel
    mel_params : helpers.data.MelParams
        The data's parameters (``helpers.data.read_params(melspec_dir)``).
    data_source : str or Path, optional
        Where ``mel_params`` came from (the info.json or its folder), named in the message.

    Raises
    ------
    DataError
        The parameters differ; the message names both sides and the differing fields.
    """
    if not isinstance(mel_params, MelParams):
        raise ParameterError(
            f"mel_params must be a helpers.data.MelParams, got {type(mel_params).__name__}; "
            "use helpers.data.read_params(melspec_dir)."
        )
    if mel_params == model.mel_params:
        return
    differ = [f"{name} {getattr(model.mel_params, name)!r} vs {getattr(mel_params, name)!r}"
              for name in ("sr", "hop_length", "n_fft", "n_mels", "fmin", "fmax")
              if getattr(model.mel_params, name) != getattr(mel_params, name)]
    where = f"the data ({data_source})" if data_source is not None else "the data"
    raise DataError(
        f"the model {model.path or '(in memory)'} was trained on mel-spectrograms with "
        f"{_describe_params(model.mel_params)}, but {where} has {_describe_params(mel_params)} "
        f"({'; '.join(differ)}). Its features would mean something else: train a model on this data "
        "(python -m helpers train) or use the hand-made tracker.",
        path=data_source,
    )


# --------------------------------------------------------------------------- files
def save_model(model: LearnedModel, path) -> Path:
    """Write a model to ``path`` (``.npz``), all-or-nothing.

    Raises
    ------
    OutputError
        The file cannot be written (read-only folder, disk full); nothing half-written is left
        and a previous file at ``path`` is unchanged.
    """
    if not isinstance(model, LearnedModel):
        raise ParameterError(f"model must be a LearnedModel, got {type(model).__name__}.")
    path = Path(path)
    if path.suffix != ".npz":
        raise ParameterError(f"{path}: a model file must end in .npz (np.savez adds it otherwise).")
    buffer = io.BytesIO()
    np.savez(buffer, header=np.array(_header_text(model)), **_arrays(model))
    write_bytes_atomic(path, buffer.getvalue())
    return path


_RETRAIN = "train it again with `python -m helpers train ... --out MODEL.npz`"


def load_model(path) -> LearnedModel:
    """Read a model written by :func:`save_model` (never unpickles anything).

    Raises
    ------
    DataMissingError
        No such file.
    DataError
        Not a readable ``.npz`` (truncated, corrupt), pickled objects, a foreign ``.npz``, a
        newer format version or inconsistent arrays; the message names the file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataMissingError(f"{path}: no such model file; {_RETRAIN}.")
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except OSError as exc:
        raise DataError(f"cannot be read ({exc.strerror or exc}).", path=path) from None
    if magic[:1] == b"\x80":                       # a pickle's protocol marker
        raise DataError(f"is a Python pickle, which can run code, so it is refused; {_RETRAIN}.", path=path)
    if not magic.startswith((b"PK\x03\x04", b"\x93NUMPY")):
        what = "is empty" if not magic else "is not a .npz file (truncated or corrupt)"
        raise DataError(f"{what}; {_RETRAIN}.", path=path)
    try:
        loaded = np.load(path, allow_pickle=False)
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise DataError(f"is a single .npy array, not a model (.npz); {_RETRAIN}.", path=path)
        with loaded as npz:
            names = list(npz.files)
            if "header" not in names:
                raise DataError(
                    f"is a .npz but not a helpers.learn model (its arrays: {', '.join(names[:8]) or 'none'}); "
                    f"give a file written by `python -m helpers train`, or {_RETRAIN}.", path=path)
            arrays = {name: npz[name] for name in names}
    except DataError:
        raise
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "object arrays" in str(exc).lower():
            raise DataError(f"holds pickled Python objects, which can run code, so it is refused; {_RETRAIN}.",
                            path=path) from None
        raise DataError(f"not a readable model file ({exc}); {_RETRAIN}.", path=path) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as exc:
        raise DataError(f"not a readable model file (truncated or corrupt: {type(exc).__name__}: {exc}); "
                        f"{_RETRAIN}.", path=path) from None
    return _model_from_arrays(arrays, path)


def _model_from_arrays(arrays: dict, path: Path) -> LearnedModel:
    header_arr = arrays.pop("header")
    try:
        if header_arr.dtype.kind != "U" or header_arr.ndim != 0:
            raise ValueError("the header is not a text")
        header = json.loads(str(header_arr))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except ValueError as exc:
        raise DataError(f"not a helpers.learn model ({exc}); {_RETRAIN}.", path=path) from None
    if header.get("format") != MODEL_FORMAT:
        raise DataError(f"not a helpers.learn model (format {header.get('format')!r}, expected "
                        f"{MODEL_FORMAT!r}); {_RETRAIN}.", path=path)
    version = header.get("version")
    if not isinstance(version, int) or version > MODEL_VERSION or version < 1:
        raise DataError(f"model file version {version!r}; this helpers reads version {MODEL_VERSION} "
                        "(update the course's code, or train the model again with this one).", path=path)
    try:
        kind = header["kind"]
        if kind not in _PARAM_SHAPES:
            raise ValueError(f"unknown kind {kind!r}")
        settings = FeatureSettings(**header["feature_settings"])
        mp = header["mel_params"]
        mel_params = MelParams(sr=mp["SR"], hop_length=mp["HOP_LENGTH"], n_fft=mp["N_FFT"], n_mels=mp["N_MELS"],
                               fmin=mp["MEL_FMIN"], fmax=mp["MEL_FMAX"])
        params = {name: arrays[f"param_{name}"] for name in _PARAM_SHAPES[kind]}
        for name, arr in [*params.items(), ("feature_mean", arrays["feature_mean"]),
                          ("feature_std", arrays["feature_std"])]:
            if arr.dtype.kind != "f":
                raise ValueError(f"{name} has dtype {arr.dtype}, expected floats")
        return LearnedModel(kind=kind, params=params, feature_settings=settings,
                            feature_mean=arrays["feature_mean"], feature_std=arrays["feature_std"],
                            mel_params=mel_params, training=header.get("training") or {}, path=path)
    except (KeyError, TypeError, ValueError) as exc:   # ParameterError is a ValueError
        what = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise DataError(f"a damaged helpers.learn model ({what}); {_RETRAIN}.", path=path) from None


def model_identity(model) -> str:
    """A content identity (SHA-256 hex) of a model or model file, for cache keys.

    It depends on the parameters, settings, standardisation, mel parameters and training
    description, not on the file's name, timestamps or zip layout.
    """
    if isinstance(model, LearnedModel):
        return model.identity
    return load_model(model).identity
