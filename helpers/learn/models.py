"""Two small models of P(beat at frame t | features), their losses with hand-written gradients.

Both take the standardised feature matrix ``X`` (one row per frame, see
:mod:`helpers.learn.features`) and give a logit ``z`` per frame; the probability is
``sigmoid(z)``. The loss is the weighted mean binary cross-entropy with soft targets plus
an L2 penalty on the weights (not on the biases)::

    loss = sum_t w_t * (log(1 + exp(z_t)) - y_t * z_t) / sum_t w_t + l2 / 2 * ||weights||^2

and ``d loss / d z_t = w_t * (sigmoid(z_t) - y_t) / sum_t w_t`` -- the residual ``r`` that
every gradient below starts from.

- **logistic regression**: ``z = X @ w + b``. Gradients ``X.T @ r + l2 * w`` and ``sum(r)``.
  Fitted with scipy's L-BFGS (full batch, deterministic).
- **one-hidden-layer MLP**: ``h = tanh(X @ W1 + b1)``, ``z = h @ w2 + b2``. Backpropagation:
  ``g_w2 = h.T @ r``, ``d = (r[:, None] * w2) * (1 - h**2)``, ``g_W1 = X.T @ d``, ``g_b1 = sum(d)``.
  Fitted with Adam on mini-batches, a fixed seed and a fixed number of epochs.

Because the rows of ``X`` are context windows, both models are 1-D convolutions over time:
the logistic regression is one filter of ``n_groups x (2c + 1)`` weights, the MLP ``hidden``
such filters, a tanh and a weighted sum. The fitting code uses that to train on hundreds of
tracks without building ``X`` (:class:`FrameStream`); the tests check it equals the explicit
formulas.

Parameters are plain dicts of numpy arrays (``{"w": ..., "b": ...}``), so a learner can
write the loss by hand and compare with :func:`logistic_loss` / :func:`mlp_loss`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.special import expit
from threadpoolctl import threadpool_limits

from ..checks import check_choice, check_int_at_least, check_nonnegative, check_positive
from ..errors import ParameterError

__all__ = [
    "KINDS",
    "L2",
    "HIDDEN_UNITS",
    "EPOCHS",
    "BATCH_SIZE",
    "LEARNING_RATE",
    "SEED",
    "MAX_ITERATIONS",
    "sigmoid",
    "logistic_loss",
    "mlp_loss",
    "init_params",
    "predict_logit",
    "FrameStream",
    "fit_logistic",
    "fit_mlp",
]

#: The two model kinds.
KINDS = ("logistic", "mlp")
#: L2 penalty per kind (in units of the mean per-frame loss), chosen by 5-fold cross-validation
#: on realmel + demo (criterion on the real tracks; docs/learn.md, `bench_learn.py --select`)
#: over 1e-4, 1e-3, 1e-2, 1e-1. With +-8 frames of context the MLP has 10 900 weights for
#: 46 tracks and needs the stronger penalty (1e-3 -> 1e-2 gained 0.045).
L2 = {"logistic": 1e-2, "mlp": 1e-2}
#: Hidden units of the MLP: 32, chosen by the same cross-validation over 16, 32, 64.
HIDDEN_UNITS = 32
#: Passes over the training frames for the MLP, chosen by the same cross-validation over 10,
#: 20, 40 (with 44 tracks: about 5 800 Adam steps). On the 60 times larger Harmonix set one
#: or two epochs already give more steps than that (docs/learn.md).
EPOCHS = 20
#: Frames per Adam step.
BATCH_SIZE = 256
#: Adam's step size (Kingma & Ba's default).
LEARNING_RATE = 1e-3
#: Seed of the MLP's initial weights and of the order of its mini-batches.
SEED = 0
#: L-BFGS iterations at most (it usually converges in 100-300).
MAX_ITERATIONS = 1000
#: Adam's other constants (Kingma & Ba 2015, their defaults).
_ADAM_BETAS = (0.9, 0.999)
_ADAM_EPS = 1e-8
#: Frames per block in the streamed (convolution) form of the logistic regression.
_BLOCK_FRAMES = 1 << 16

_PARAM_SHAPES = {"logistic": ("w", "b"), "mlp": ("W1", "b1", "w2", "b2")}


def sigmoid(z):
    """``1 / (1 + exp(-z))``, without overflow for large ``|z|``."""
    return expit(z)


def _check_kind(kind) -> str:
    return check_choice(kind, KINDS, name="kind")


def _check_l2(l2) -> float:
    return check_nonnegative(l2, name="l2", hint="try 1e-4 to 1e-2")


def _check_data(X, targets, weights):
    X = np.asarray(X)
    y = np.asarray(targets, dtype=float)
    w = np.asarray(weights, dtype=float)
    if X.ndim != 2:
        raise ParameterError(f"X must be 2-D (n_frames, n_features), got shape {X.shape}.")
    if y.shape != (X.shape[0],) or w.shape != (X.shape[0],):
        raise ParameterError(
            f"targets and weights need one value per row of X ({X.shape[0]}), got shapes {y.shape} and {w.shape}."
        )
    total = w.sum()
    if not total > 0:
        raise ParameterError("the weights sum to 0: no frame counts in the loss.")
    return X, y, w, total


def _cross_entropy(z, y, w, total) -> float:
    return float(np.dot(w, np.logaddexp(0.0, z) - y * z) / total)


def logistic_loss(params, X, targets, weights, *, l2: float) -> tuple[float, dict]:
    """Loss and gradients of the logistic regression ``p = sigmoid(X @ w + b)``.

    Parameters
    ----------
    params : dict
        ``{"w": array (n_features,), "b": float}``.
    X : np.ndarray [shape=(n_frames, n_features)]
        Standardised features.
    targets, weights : np.ndarray [shape=(n_frames,)]
        Soft targets in [0, 1] and loss weights (:func:`helpers.learn.beat_targets`).
    l2 : float >= 0
        Penalty ``l2 / 2 * ||w||^2``.

    Returns
    -------
    (loss, grads) : float, dict with the keys of ``params``
    """
    X, y, wt, total = _check_data(X, targets, weights)
    l2 = _check_l2(l2)
    w, b = np.asarray(params["w"], dtype=float), float(params["b"])
    z = X @ w + b
    r = wt * (sigmoid(z) - y) / total
    loss = _cross_entropy(z, y, wt, total) + 0.5 * l2 * float(w @ w)
    return loss, {"w": X.T @ r + l2 * w, "b": np.float64(r.sum())}


def mlp_loss(params, X, targets, weights, *, l2: float) -> tuple[float, dict]:
    """Loss and gradients of the MLP ``p = sigmoid(tanh(X @ W1 + b1) @ w2 + b2)``.

    Parameters
    ----------
    params : dict
        ``{"W1": (n_features, hidden), "b1": (hidden,), "w2": (hidden,), "b2": float}``.
    X, targets, weights, l2
        As for :func:`logistic_loss`; the penalty is ``l2 / 2 * (||W1||^2 + ||w2||^2)``.

    Returns
    -------
    (loss, grads) : float, dict with the keys of ``params``
    """
    X, y, wt, total = _check_data(X, targets, weights)
    l2 = _check_l2(l2)
    # Computed in the precision of X and W1 (float64 for checks; training uses float32).
    W1, b1, w2 = (np.asarray(params[k]) for k in ("W1", "b1", "w2"))
    b2 = float(params["b2"])
    h = np.tanh(X @ W1 + b1)
    z = (h @ w2 + b2).astype(np.float64)
    r = wt * (sigmoid(z) - y) / total
    d = (r[:, None] * w2).astype(h.dtype) * (1 - h * h)
    loss = _cross_entropy(z, y, wt, total) + 0.5 * l2 * (float(np.sum(W1 * W1)) + float(w2 @ w2))
    grads = {"W1": (d.T @ X).T + l2 * W1,          # = X.T @ d, twice as fast in OpenBLAS
             "b1": d.sum(axis=0), "w2": h.T @ r.astype(h.dtype) + l2 * w2, "b2": np.float64(r.sum())}
    return loss, grads


def predict_logit(kind: str, params, X) -> np.ndarray:
    """The logit ``z`` per row of the standardised feature matrix ``X`` (no BLAS threads: einsum)."""
    X = np.asarray(X, dtype=float)
    if _check_kind(kind) == "logistic":
        return np.einsum("nf,f->n", X, params["w"]) + float(params["b"])
    h = np.tanh(np.einsum("nf,fh->nh", X, params["W1"]) + params["b1"])
    return np.einsum("nh,h->n", h, params["w2"]) + float(params["b2"])


def _prior_logit(mean_target: float) -> float:
    p = min(max(mean_target, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def init_params(kind: str, n_features: int, *, hidden: int = HIDDEN_UNITS, seed: int = SEED,
                mean_target: float = 0.5) -> dict:
    """Starting parameters: zeros for the logistic regression; for the MLP, seeded random weights.

    The MLP's ``W1`` is normal with standard deviation ``1 / sqrt(n_features)`` and ``w2`` with
    ``1 / sqrt(hidden)`` (so every tanh starts in its linear range); both output biases start
    at the logit of ``mean_target`` (the share of beat frames), so the first steps learn
    which frames are beats, not how rare beats are.
    """
    kind = _check_kind(kind)
    b = np.float64(_prior_logit(mean_target))
    if kind == "logistic":
        return {"w": np.zeros(n_features), "b": b}
    hidden = _check_positive_int(hidden, "hidden")
    rng = np.random.default_rng(_check_seed(seed))
    return {
        "W1": rng.normal(0.0, 1.0 / np.sqrt(n_features), size=(n_features, hidden)),
        "b1": np.zeros(hidden),
        "w2": rng.normal(0.0, 1.0 / np.sqrt(hidden), size=hidden),
        "b2": b,
    }


def _check_positive_int(value, name: str) -> int:
    return check_int_at_least(value, 1, name=name)


def _check_seed(seed) -> int:
    return check_int_at_least(seed, 0, name="seed", hint="the same seed gives the same weights")


# --------------------------------------------------------------------------- training data, streamed
@dataclass(frozen=True)
class FrameStream:
    """Many tracks' band flux side by side, for training without building the feature matrix.

    ``flux`` is every track's :func:`helpers.learn.band_flux` (unstandardised), each preceded
    by ``context_frames`` columns of zeros, with ``context_frames`` zeros at the end, so the
    context window of every track frame is a plain slice and sees zeros outside its track
    (exactly :func:`helpers.learn.context_windows`). Pad columns have weight 0.

    Attributes
    ----------
    flux : np.ndarray [shape=(n_groups, n_columns)], float32
    targets, weights : np.ndarray [shape=(n_columns,)], float32
    context_frames : int
    mean, std : np.ndarray [shape=(n_groups,)]
        Standardisation per band group (applied on the fly, to every offset alike).
    """

    flux: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    context_frames: int
    mean: np.ndarray
    std: np.ndarray

    @property
    def n_offsets(self) -> int:
        return 2 * self.context_frames + 1

    @property
    def n_features(self) -> int:
        return self.flux.shape[0] * self.n_offsets

    def window_rows(self, columns: np.ndarray) -> np.ndarray:
        """Standardised feature rows (as :func:`helpers.learn.context_windows`) centred on ``columns``."""
        c = self.context_frames
        idx = np.asarray(columns)[:, None] + np.arange(-c, c + 1)[None, :]
        rows = self.flux[:, idx]                                    # (g, n, 2c+1), float32
        rows -= self.mean.astype(np.float32)[:, None, None]
        rows /= self.std.astype(np.float32)[:, None, None]
        return rows.transpose(1, 0, 2).reshape(len(columns), self.n_features)

    def row_table(self) -> np.ndarray:
        """The standardised flux transposed, ``(n_columns, n_groups)`` float32 (pads standardised too).

        :meth:`rows_from_table` cuts feature rows from it faster than :meth:`window_rows`
        (each frame's groups lie side by side in memory); it costs one more copy of the flux.
        """
        table = np.empty((self.flux.shape[1], self.flux.shape[0]), dtype=np.float32)
        mean, std = self.mean.astype(np.float32), self.std.astype(np.float32)
        for start in range(0, self.flux.shape[1], _BLOCK_FRAMES):
            block = self.flux[:, start:start + _BLOCK_FRAMES]
            table[start:start + block.shape[1]] = ((block - mean[:, None]) / std[:, None]).T
        return table

    def rows_from_table(self, table: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """:meth:`window_rows` from a :meth:`row_table`: the same rows, float32."""
        c = self.context_frames
        rows = table[np.asarray(columns)[:, None] + np.arange(-c, c + 1)[None, :]]   # (n, 2c+1, g)
        return rows.transpose(0, 2, 1).reshape(len(columns), self.n_features)

    def blocks(self):
        """Yield ``(start, stop, flux[:, start - c : stop + c])`` (unstandardised views) over all centre columns."""
        c, n = self.context_frames, self.flux.shape[1]
        for start in range(c, n - c, _BLOCK_FRAMES):
            stop = min(start + _BLOCK_FRAMES, n - c)
            yield start, stop, self.flux[:, start - c:stop + c]


def _stream_logistic(theta, stream: FrameStream, l2: float, total: float) -> tuple[float, np.ndarray]:
    """:func:`logistic_loss` over a whole :class:`FrameStream`, as a correlation over time.

    ``theta = [w (group-major), b]`` for standardised features. The standardisation is
    folded into the weights (``w / std`` on the raw flux, ``b - sum(w * mean / std)``), so
    the raw float32 flux is used as it is, without a copy. Per block of frames:
    ``Y = W.T @ block``, ``z[t] = b + sum_o Y[o, t + o]``; gradient
    ``block @ R`` with ``R[s, o] = r[s - o]`` (two matrix products, one pass each).
    """
    c, n_off = stream.context_frames, stream.n_offsets
    n_groups = stream.flux.shape[0]
    W = theta[:-1].reshape(n_groups, n_off)
    W_raw = W / stream.std[:, None]
    b_raw = theta[-1] - float(np.sum(W_raw * stream.mean[:, None]))
    Wt = np.ascontiguousarray(W_raw.T, dtype=np.float32)
    loss = 0.0
    g_raw = np.zeros((n_groups, n_off))
    r_sum = 0.0
    for start, stop, block in stream.blocks():
        m = stop - start
        Y = Wt @ block                                  # (n_off, m + 2c)
        z = np.full(m, b_raw)
        for o in range(n_off):
            z += Y[o, o:o + m]
        y = stream.targets[start:stop]
        wt = stream.weights[start:stop]
        loss += float(np.dot(wt, np.logaddexp(0.0, z) - y * z))
        r = wt * (sigmoid(z) - y) / total
        padded = np.zeros(m + 4 * c, dtype=np.float32)
        padded[2 * c:2 * c + m] = r
        R = np.lib.stride_tricks.sliding_window_view(padded, n_off)[:m + 2 * c, ::-1]
        g_raw += block @ np.ascontiguousarray(R)
        r_sum += float(r.sum())
    gW = (g_raw - stream.mean[:, None] * r_sum) / stream.std[:, None]
    w = theta[:-1]
    loss = loss / total + 0.5 * l2 * float(w @ w)
    return loss, np.concatenate([gW.ravel() + l2 * w, [r_sum]])


def one_blas_thread(fit):
    """Decorator: run ``fit`` with BLAS on one thread. The models' matrix products and the tracker's
    are small, and OpenBLAS's extra threads only wait for each other, above all on a busy machine
    (logistic + MLP on the demo set's dev tracks: 9.0 s with the default threads, 3.6 s with one;
    docs/learn.md, "Speed"). Used on the fits and on cross_validate / score_tracks."""
    @functools.wraps(fit)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return fit(*args, **kwargs)
    return wrapper


@one_blas_thread
def fit_logistic(stream: FrameStream, *, l2: float = L2["logistic"], max_iterations: int = MAX_ITERATIONS,
                 progress: bool = False) -> dict:
    """Fit the logistic regression on a :class:`FrameStream` with scipy's L-BFGS (deterministic).

    Parameters
    ----------
    stream : FrameStream
        Training frames (:meth:`helpers.learn.TrainingSet.stream`).
    l2 : float >= 0
        L2 penalty on the weights.
    max_iterations : int
        L-BFGS iterations at most.
    progress : bool
        A progress bar over the iterations.

    Returns
    -------
    params : dict
        ``{"w": (n_features,), "b": float}``, for standardised features.
    """
    from scipy.optimize import minimize
    from tqdm.auto import tqdm

    l2 = _check_l2(l2)
    max_iterations = _check_positive_int(max_iterations, "max_iterations")
    total = float(stream.weights.sum(dtype=np.float64))
    if not total > 0:
        raise ParameterError("no training frame has a weight > 0 (are there beats in the annotations?).")
    mean_target = float(np.dot(stream.weights, stream.targets) / total)
    start = init_params("logistic", stream.n_features, mean_target=mean_target)
    theta0 = np.concatenate([start["w"], [start["b"]]])
    with tqdm(total=max_iterations, desc="L-BFGS", unit="it", disable=not progress, leave=False) as bar:
        result = minimize(_stream_logistic, theta0, args=(stream, l2, total), jac=True, method="L-BFGS-B",
                          options={"maxiter": max_iterations}, callback=lambda _x: bar.update())
    return {"w": result.x[:-1].copy(), "b": np.float64(result.x[-1])}


@one_blas_thread
def fit_mlp(stream: FrameStream, *, hidden: int = HIDDEN_UNITS, l2: float = L2["mlp"], epochs: int = EPOCHS,
            batch_size: int = BATCH_SIZE, learning_rate: float = LEARNING_RATE, seed: int = SEED,
            progress: bool = False) -> dict:
    """Fit the MLP with Adam on shuffled mini-batches of frames; the same seed gives the same weights.

    Every epoch visits each frame with weight > 0 once, in an order drawn from
    ``numpy.random.default_rng([seed, 1])`` (the initial weights come from
    ``default_rng(seed)``). Computed in float32; the weights are returned as float64.

    Parameters
    ----------
    stream : FrameStream
    hidden : int
        Hidden units.
    l2 : float >= 0
        L2 penalty on ``W1`` and ``w2``.
    epochs : int
        Passes over the training frames.
    batch_size : int
        Frames per Adam step.
    learning_rate : float
        Adam's step size.
    seed : int
        The same seed gives the same weights (on the same machine and numpy).
    progress : bool
        A progress bar over the epochs.

    Returns
    -------
    params : dict
        ``{"W1", "b1", "w2", "b2"}``, for standardised features.
    """
    from tqdm.auto import tqdm

    l2 = _check_l2(l2)
    epochs = _check_positive_int(epochs, "epochs")
    batch_size = _check_positive_int(batch_size, "batch_size")
    learning_rate = check_positive(learning_rate, name="learning_rate", hint="try 1e-3")
    pool = np.flatnonzero(stream.weights > 0)
    if pool.size == 0:
        raise ParameterError("no training frame has a weight > 0 (are there beats in the annotations?).")
    mean_target = float(np.dot(stream.weights[pool], stream.targets[pool]) / stream.weights[pool].sum())
    params = init_params("mlp", stream.n_features, hidden=hidden, seed=seed, mean_target=mean_target)
    params = {k: np.asarray(val, dtype=np.float32) for k, val in params.items()}   # float32: twice as fast
    rng = np.random.default_rng([_check_seed(seed), 1])
    table = stream.row_table()
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(v) for k, v in params.items()}
    beta1, beta2 = _ADAM_BETAS
    step = 0
    for _ in tqdm(range(epochs), desc="epochs", unit="epoch", disable=not progress, leave=False):
        order = rng.permutation(pool)
        for first in range(0, order.size, batch_size):
            columns = order[first:first + batch_size]
            X = stream.rows_from_table(table, columns)
            _, grads = mlp_loss(params, X, stream.targets[columns], stream.weights[columns], l2=l2)
            step += 1
            scale1, scale2 = 1 - beta1**step, 1 - beta2**step
            for k in params:
                g = np.asarray(grads[k], dtype=np.float32)
                m[k] = beta1 * m[k] + (1 - beta1) * g
                v[k] = beta2 * v[k] + (1 - beta2) * g * g
                params[k] = (params[k] - learning_rate * (m[k] / scale1) / (np.sqrt(v[k] / scale2) + _ADAM_EPS)
                             ).astype(np.float32)
    return {k: np.asarray(val, dtype=np.float64) for k, val in params.items()}
