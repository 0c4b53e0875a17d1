"""Week 6 (learn the novelty function): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.
The first three are fill-ins, written in the body of notebook 06 where their idea is
introduced (the feature matrix, the frame targets, the logistic loss and its gradient); the
last two are the end-of-week variations (a gradient check by finite differences, folds fixed
by track id).

Registered in :mod:`helpers.exercises` (``check("w6.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week6.py``. The known answers come from
:mod:`helpers.learn` (``band_groups`` + ``context_windows``, ``beat_targets``,
``logistic_loss``, ``assign_folds``) or from functions whose derivative is known.
"""

from __future__ import annotations

import hashlib

import numpy as np

from ..data import HARMONIX_PARAMS
from .model import (HINT_FIXED_RATE, HINT_HOP_512, Case, Exercise, Wrong, as_float_array, describe, diagnose,
                    has_nonfinite, shape_is, verdict)

#: Harmonix frames per second (22050 / 1024), to recognise a hard-coded frame rate.
_HARMONIX_RATE = HARMONIX_PARAMS.frame_rate_hz
#: The frame rate the original brief's hop 512 would give at 22050 Hz (its typical mistake).
_HOP_512_RATE = HARMONIX_PARAMS.sr / 512


# =========================================================================== w6.features (fill-in)
def _features_rule(D, n_groups, c, *, reduce="mean", interleaved=False, order="group", edges="zeros",
                   reverse=False, transpose=False):
    """w6.features and its typical mistakes (each keyword switched is one)."""
    D = np.asarray(D, dtype=float)
    n_bands, n = D.shape
    m = n_bands // n_groups
    blocks = D.reshape(m, n_groups, n).transpose(1, 0, 2) if interleaved else D.reshape(n_groups, m, n)
    G = blocks.sum(axis=1) if reduce == "sum" else blocks.mean(axis=1)
    offsets = np.arange(-c, c + 1)
    if reverse:
        offsets = -offsets
    idx = np.arange(n)[:, None] + offsets[None, :]                      # (n, 2c+1)
    if edges == "wrap":
        W = G[:, idx % n]
    elif edges == "clip":
        W = G[:, np.clip(idx, 0, n - 1)]
    else:
        inside = (idx >= 0) & (idx < n)
        W = np.where(inside[None], G[:, np.clip(idx, 0, n - 1)], 0.0)   # (g, n, 2c+1)
    X = W.transpose(1, 2, 0).reshape(n, -1) if order == "offset" else W.transpose(1, 0, 2).reshape(n, -1)
    return X.T if transpose else X


def _cases_w6_features():
    from ..learn import band_groups, context_windows

    rng = np.random.default_rng(61)
    ramp = np.arange(24, dtype=float).reshape(4, 6)                 # every value different
    click = np.zeros((8, 10))
    click[0:2, 4] = 1.0                                             # a click in the two lowest bands at frame 4
    click[6:8, 5] = 0.5                                             # and a smaller one up high, a frame later
    edge = np.zeros((4, 9))
    edge[:, 0] = [1.0, 2.0, 3.0, 4.0]                               # something in the first frame
    edge[:, 8] = [0.5, 0.5, 1.0, 1.0]                               # and in the last
    specs = [
        ("4 bands x 6 frames (values 0 ... 23), 2 groups, 1 frame of context", ramp, 2, 1),
        ("8 bands x 10 frames: a click in bands 0-1 at frame 4, a smaller one in bands 6-7 at frame 5; "
         "4 groups, 2 frames of context", click, 4, 2),
        ("4 bands x 9 frames, something in the first and the last frame; 2 groups, 3 frames of context "
         "(frames outside the track are 0)", edge, 2, 3),
        ("random flux, 80 bands x 40 frames (the Harmonix layout), 20 groups, 8 frames of context",
         rng.random((80, 40)), 20, 8),
        ("random flux, 12 bands x 15 frames, 3 groups, no context", rng.random((12, 15)), 3, 0),
    ]
    return [Case(name, (D,), {"n_groups": g, "context_frames": c},
                 context_windows(band_groups(D, n_groups=g), context_frames=c)) for name, D, g, c in specs]


def _judge_w6_features(got, case):
    D = case.args[0]
    g, c = case.kwargs["n_groups"], case.kwargs["context_frames"]
    e = case.expected

    def rule(**mistake):
        return _features_rule(D, g, c, **mistake)

    mistakes = [
        (rule(transpose=True), "one ROW per frame: X has shape (n_frames, n_groups * (2c + 1)); yours is "
                               "transposed."),
        (shape_is((D.shape[1], D.shape[0] * (2 * c + 1))), "group the bands first: n_groups rows of G, each "
                                                           "the mean of n_bands / n_groups adjacent bands."),
        (rule(reduce="sum"), "a group is the MEAN of its bands, not their sum (D.reshape(n_groups, -1, "
                             "n_frames).mean(axis=1))."),
        (rule(interleaved=True), "a group is made of ADJACENT bands: rows g*m ... g*m + m - 1 "
                                 "(D.reshape(n_groups, m, n_frames)), not every n_groups-th band."),
        (rule(order="offset"), "order the columns group by group: column g * (2c + 1) + (j + c) is group g at "
                               "offset j (all offsets of group 0 first), not offset by offset."),
        (rule(reverse=True), "offset j means the frame t + j: negative offsets are BEFORE the frame "
                             "(X[t, g * (2c + 1) + (j + c)] = G[g, t + j])."),
        (rule(edges="wrap"), "frames outside the track count as 0: np.roll wraps the end of the track round "
                             "to its start. Pad G with c zero columns on each side instead."),
        (rule(edges="clip"), "frames outside the track count as 0, not as a copy of the first or last frame: "
                             "pad G with c zero columns on each side."),
    ]
    if (g, c) != (20, 8):
        mistakes.append((shape_is((D.shape[1], 20 * 17)), f"use the arguments (this case: {g} groups, {c} frames "
                                                          "of context), not the course's defaults 20 and 8."))
    return verdict(got, e, mistakes, "G = D.reshape(n_groups, -1, n_frames).mean(axis=1); pad G with c zero "
                                     "columns on each side; row t = [G[0, t-c ... t+c], G[1, t-c ... t+c], ...].",
                   rtol=1e-9, atol=1e-12)


def _error_hint_w6_features(exc, case):
    if isinstance(exc, IndexError):
        return ("near the ends of the track t + j falls outside 0 ... n_frames - 1: pad G with c zero columns "
                "on each side (np.pad(G, ((0, 0), (c, c)))) and read columns t ... t + 2c of the padded G.")
    if isinstance(exc, ValueError) and "reshape" in str(exc):
        return "the cases' numbers of bands are multiples of n_groups: D.reshape(n_groups, -1, D.shape[1])."
    return None


# =========================================================================== w6.targets (fill-in)
def _targets_rule(beat_times_s, n_frames, rate, *, labels="split", swap=False, clip=True, divide=False):
    """w6.targets and its typical mistakes."""
    u = np.asarray(beat_times_s, dtype=float)
    u = u / rate if divide else u * rate
    u = u[u <= n_frames - 1]
    y = np.zeros(n_frames)
    if labels == "nearest":
        y[np.round(u).astype(int)] = 1.0
    else:
        k = np.floor(u).astype(int)
        a = u - k
        left, right = (a, 1.0 - a) if swap else (1.0 - a, a)
        np.add.at(y, k, left)
        inside = k + 1 < n_frames
        np.add.at(y, k[inside] + 1, right[inside])
    return np.minimum(y, 1.0) if clip else y


def _cases_w6_targets():
    from ..learn import beat_targets

    harmonix_beats = 0.013 + 0.5 * np.arange(20)                  # 120 BPM, the first beat 13 ms in
    specs = [
        ("beats exactly on frames 2 and 6 (10 frames, 10 frames/s)", np.array([0.2, 0.6]), 10, 10.0),
        ("a beat a quarter of a frame after frame 1, one halfway between frames 5 and 6 (10 frames/s)",
         np.array([0.125, 0.55]), 10, 10.0),
        ("two beats 0.2 frames apart, just after frame 3 (their shares add up; a frame holds at most 1)",
         np.array([0.31, 0.33]), 8, 10.0),
        ("120 BPM from 0.013 s, 10 s at the Harmonix rate (22050 / 1024 = 21.53 frames/s)",
         harmonix_beats, 216, _HARMONIX_RATE),
        ("16 frames/s, 10 frames: a beat exactly on the last frame (0.5625 s) and one after the track",
         np.array([0.1, 0.3, 0.5625, 0.7]), 10, 16.0),
    ]
    cases = []
    for name, beats, n, rate in specs:
        expected = beat_targets(beats, n_frames=n, frame_rate_hz=rate)[0]
        cases.append(Case(name, (beats,), {"n_frames": n, "frame_rate_hz": rate}, expected))
    return cases


def _judge_w6_targets(got, case):
    beats = case.args[0]
    n, rate = case.kwargs["n_frames"], case.kwargs["frame_rate_hz"]
    e = case.expected

    def rule(**mistake):
        return _targets_rule(beats, n, rate, **mistake)

    a = as_float_array(got)
    if isinstance(got, tuple) and len(got) == 2:
        return Wrong(f"expected one target per frame ({describe(e)}); got a pair: {describe(got)}",
                     "return the targets only (one array of n_frames values), not (targets, weights).")
    mistakes = [
        (shape_is((len(beats),)), "one target per FRAME (n_frames values), not one per beat."),
        (rule(labels="nearest"), "that is the nearest frame only: a beat between frames k and k + 1 gives frame k "
                                 "1 - (u - k) and frame k + 1 u - k (u = t * frame_rate_hz, k = floor(u))."),
        (rule(swap=True), "the shares are the wrong way round: the frame NEARER the beat gets more. Frame "
                          "k = floor(u) gets 1 - (u - k), frame k + 1 gets u - k."),
        (rule(clip=False), "beats closer than a frame add up to more than 1 on a frame: clip the targets at 1 "
                           "(np.minimum(y, 1.0))."),
        (rule(divide=True), "a time in seconds times frames per second is a frame: u = t * frame_rate_hz, "
                            "not t / frame_rate_hz."),
        (lambda g: a is not None and bool(np.any(a > 1.0 + 1e-9)), "a target is at most 1: clip the sum of the "
                                                                   "shares (np.minimum(y, 1.0))."),
    ]
    mistakes.append((_targets_rule(beats, n, _HOP_512_RATE), HINT_HOP_512))
    if rate != _HARMONIX_RATE:
        mistakes.append((_targets_rule(beats, n, _HARMONIX_RATE), HINT_FIXED_RATE))
    return verdict(got, e, mistakes, "u = beat_times_s * frame_rate_hz, keep u <= n_frames - 1; k = floor(u), "
                                     "a = u - k; y[k] += 1 - a; y[k + 1] += a where k + 1 < n_frames; "
                                     "y = np.minimum(y, 1).", rtol=1e-9, atol=1e-12)


def _error_hint_w6_targets(exc, case):
    if isinstance(exc, IndexError):
        return ("a beat on the last frame (or after it) has no frame k + 1 in the track: keep only beats with "
                "u <= n_frames - 1, and add the share of frame k + 1 only where k + 1 < n_frames.")
    return None


# =========================================================================== w6.loss (fill-in)
def _loss_rule(w, b, X, y, wt, l2, *, weighted=True, denominator="weights", bias_penalty=False, half=True,
               sign=1.0):
    """(loss, grad_w, grad_b) of w6.loss and of its typical mistakes, flattened into one vector."""
    w, X, y, wt = (np.asarray(v, dtype=float) for v in (w, X, y, wt))
    z = X @ w + b
    wt_used = wt if weighted else np.ones_like(wt)
    total = {"weights": wt_used.sum(), "frames": float(len(y)), "none": 1.0}[denominator]
    with np.errstate(all="ignore"):
        per_frame = np.logaddexp(0.0, z) - y * z
        r = sign * wt_used * (1.0 / (1.0 + np.exp(-z)) - y) / total
    factor = 0.5 if half else 1.0
    loss = float(np.dot(wt_used, per_frame) / total) + factor * l2 * float(w @ w)
    grad_w = X.T @ r + 2 * factor * l2 * w
    grad_b = float(r.sum())
    if bias_penalty:
        loss += factor * l2 * b * b
        grad_b += 2 * factor * l2 * b
    return np.concatenate([[loss], grad_w, [grad_b]])


def _flatten_loss_answer(got):
    """(loss, grad_w, grad_b) as one float vector, or None if it is not that shape."""
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        return None
    loss, gw, gb = (as_float_array(v) for v in got)
    if loss is None or gw is None or gb is None or loss.size != 1 or gb.size != 1 or gw.ndim != 1:
        return None
    return np.concatenate([loss.ravel(), gw, gb.ravel()])


def _cases_w6_loss():
    from ..learn import logistic_loss

    rng = np.random.default_rng(63)
    X2 = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    X20 = rng.normal(size=(20, 5))
    y20 = np.clip(rng.random(20) * 1.2 - 0.1, 0.0, 1.0)            # soft targets, some exactly 0 or 1
    wt20 = (rng.random(20) > 0.25).astype(float)                   # some frames do not count
    Xbig = rng.normal(size=(12, 3)) * 300.0                        # logits in the hundreds
    X50 = rng.normal(size=(50, 17))
    specs = [
        ("3 frames x 2 features, w = 0, b = 0, targets (1, 0, 0.5), all weights 1, l2 = 0",
         np.zeros(2), 0.0, X2, np.array([1.0, 0.0, 0.5]), np.ones(3), 0.0),
        ("20 frames x 5 features, soft targets, a quarter of the frames with weight 0, l2 = 0.1",
         rng.normal(size=5), 0.3, X20, y20, wt20, 0.1),
        ("the same frames, another w and b = -2, l2 = 0.01", rng.normal(size=5), -2.0, X20, y20, wt20, 0.01),
        ("12 frames with logits in the hundreds (a confident model), targets 0 or 1, l2 = 0.001",
         np.array([1.0, -2.0, 0.5]), 0.0, Xbig, (rng.random(12) > 0.5).astype(float), np.ones(12), 1e-3),
        ("50 frames x 17 features (one band group's context window), weights 0 or 1, l2 = 0.01",
         rng.normal(size=17) * 0.3, 0.5, X50, rng.random(50), (rng.random(50) > 0.1).astype(float), 0.01),
    ]
    cases = []
    for name, w, b, X, y, wt, l2 in specs:
        loss, grads = logistic_loss({"w": w, "b": b}, X, y, wt, l2=l2)
        expected = np.concatenate([[loss], grads["w"], [float(grads["b"])]])
        cases.append(Case(name, (w, b, X, y, wt), {"l2": l2}, expected))
    return cases


def _judge_w6_loss(got, case):
    w, b, X, y, wt = case.args
    l2 = case.kwargs["l2"]
    e = case.expected
    flat = _flatten_loss_answer(got)
    if flat is None:
        return Wrong(f"expected (loss, grad_w, grad_b): a number, an array of {len(w)} values and a number; got "
                     f"{describe(got)}", "return loss, grad_w, grad_b (a tuple of three), in that order.")
    if flat.size != e.size:
        return Wrong(f"expected grad_w with {len(w)} values (one per feature); got {flat.size - 2}",
                     "grad_w = X.T @ r + l2 * w has one value per column of X.")

    def rule(**mistake):
        return _loss_rule(w, b, X, y, wt, l2, **mistake)

    mistakes = [
        (has_nonfinite, "log(p) or log(1 - p) is -inf when the model is very sure: write the cross-entropy "
                        "as np.logaddexp(0, z) - y * z, which never takes the log of 0."),
        (rule(weighted=False), "use the weights: frames with weight 0 (outside the annotated beats) must not "
                               "count, in the loss and in the residual r = weights * (p - y) / sum(weights)."),
        (rule(denominator="frames"), "divide by the SUM OF THE WEIGHTS (the frames that count), not by the number "
                                     "of frames."),
        (rule(denominator="none"), "the loss is a weighted MEAN: divide the weighted sum by sum(weights) "
                                   "(and the residual too)."),
        (rule(bias_penalty=True), "do not penalise the bias b: the L2 term is l2 / 2 * ||w||^2 (w only), and "
                                  "grad_b = sum(r)."),
        (rule(half=False), "the penalty is l2 / 2 * ||w||^2, whose gradient is l2 * w (you used l2 * ||w||^2)."),
        (rule(sign=-1.0), "the residual is p - y (prediction minus target): with y - p every gradient points "
                          "the wrong way."),
        (lambda g: np.isclose(g[0], e[0], rtol=1e-6, atol=1e-12) and not np.allclose(g[1:], e[1:], rtol=1e-6,
                                                                                      atol=1e-12),
         "the loss is right, the gradient is not: r = weights * (sigmoid(z) - y) / sum(weights); "
         "grad_w = X.T @ r + l2 * w; grad_b = r.sum()."),
    ]
    problem = _loss_problem(flat, e)
    if problem is None:
        return None
    return Wrong(problem, diagnose(flat, mistakes, rtol=1e-6, atol=1e-12)
                 or "loss = sum(weights * (np.logaddexp(0, z) - y * z)) / sum(weights) + l2 / 2 * w @ w with "
                    "z = X @ w + b; r = weights * (sigmoid(z) - y) / sum(weights); grad_w = X.T @ r + l2 * w; "
                    "grad_b = r.sum().")


def _loss_problem(flat, e) -> str | None:
    """What differs between (loss, grad_w, grad_b) and the expected, part by part (None: right)."""
    if np.allclose(flat, e, rtol=1e-6, atol=1e-12):
        return None
    if not np.isclose(flat[0], e[0], rtol=1e-6, atol=1e-12):
        return f"loss: expected {e[0]:.6g}; got {flat[0]:.6g}"
    if not np.allclose(flat[1:-1], e[1:-1], rtol=1e-6, atol=1e-12):
        i = int(np.argmax(~np.isclose(flat[1:-1], e[1:-1], rtol=1e-6, atol=1e-12)))
        return f"the loss is right; grad_w[{i}]: expected {e[1 + i]:.6g}, got {flat[1 + i]:.6g}"
    return f"the loss and grad_w are right; grad_b: expected {e[-1]:.6g}, got {flat[-1]:.6g}"


# =========================================================================== w6.gradcheck (end of week)
def _central(f, x, eps, *, kind="central"):
    x = np.asarray(x, dtype=float)
    g = np.zeros_like(x)
    if kind == "together":
        step = np.full_like(x, eps)
        return np.full_like(x, (f(x + step) - f(x - step)) / (2 * eps))
    for i in range(x.size):
        e = np.zeros_like(x)
        e.flat[i] = eps
        if kind == "forward":
            g.flat[i] = (f(x + e) - f(x)) / eps
        elif kind == "no_half":
            g.flat[i] = (f(x + e) - f(x - e)) / eps
        else:
            g.flat[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


def _square_sum(x):
    return float(np.sum(x ** 2))


def _cubic(x):
    return float(np.sum(x ** 3) + x[0] * x[1])


def _sine_sum(x):
    return float(np.sum(np.sin(x)))


def _cases_w6_gradcheck():
    from ..learn import logistic_loss

    rng = np.random.default_rng(64)
    X, y, wt = rng.normal(size=(30, 4)), rng.random(30), np.ones(30)

    def logistic(v):
        return logistic_loss({"w": v[:-1], "b": v[-1]}, X, y, wt, l2=0.01)[0]

    specs = [
        ("f(x) = sum(x**2) at x = (1, -2, 3), eps = 1e-4 (the gradient is 2x)", _square_sum,
         np.array([1.0, -2.0, 3.0]), 1e-4),
        ("f(x) = sum(x**3) + x[0] * x[1] at x = (0.5, 1, -1), eps = 0.01", _cubic, np.array([0.5, 1.0, -1.0]), 1e-2),
        ("the same f at x = (2, 0, 1, -3), eps = 0.05", _cubic, np.array([2.0, 0.0, 1.0, -3.0]), 5e-2),
        ("the logistic loss (30 frames, 4 features, l2 = 0.01) as a function of (w, b), eps = 1e-5", logistic,
         rng.normal(size=5), 1e-5),
        ("f(x) = sum(sin(x)) at x = (0, 1, 2), eps = 1e-3 (the gradient is about cos(x))", _sine_sum,
         np.array([0.0, 1.0, 2.0]), 1e-3),
    ]
    return [Case(name, (f, x), {"eps": eps}, _central(f, x, eps)) for name, f, x, eps in specs]


def _judge_w6_gradcheck(got, case):
    f, x = case.args
    eps = case.kwargs["eps"]
    e = case.expected
    mistakes = [
        (shape_is(()), "return one derivative per coordinate of x (an array shaped like x), not one number."),
        (_central(f, x, eps, kind="forward"), "that is the forward difference (f(x + eps) - f(x)) / eps: its error "
                                              "shrinks like eps. The central one, (f(x + eps e_i) - f(x - eps e_i)) "
                                              "/ (2 eps), is exact for quadratics and far more accurate."),
        (_central(f, x, eps, kind="no_half"), "divide by 2 * eps: the two points x + eps e_i and x - eps e_i are "
                                              "2 eps apart."),
        (_central(f, x, eps, kind="together"), "move ONE coordinate at a time (x + eps * e_i, e_i the i-th unit "
                                               "vector), not all of them at once."),
    ]
    return verdict(got, e, mistakes, "for each i: e = zeros_like(x); e[i] = eps; g[i] = (f(x + e) - f(x - e)) / "
                                     "(2 * eps).", rtol=1e-6, atol=1e-9)


# =========================================================================== w6.folds (end of week)
def _folds_rule(track_ids, n_folds, salt, *, use_salt=True, by="rank", start=0):
    ids = list(track_ids)
    keys = [hashlib.sha256(((salt if use_salt else "") + t).encode("utf-8")).hexdigest() for t in ids]
    if by == "position":
        return [(i + start) % n_folds for i in range(len(ids))]
    if by == "hash":
        return [int(k, 16) % n_folds for k in keys]
    ranked = sorted(range(len(ids)), key=keys.__getitem__)
    folds = [0] * len(ids)
    for rank, i in enumerate(ranked):
        folds[i] = (rank + start) % n_folds
    return folds


def _cases_w6_folds():
    from ..learn import FOLD_SALT, assign_folds

    demo = [f"d{i:02d}" for i in range(1, 13)]
    harmonixish = ["0001_12step", "0005_again", "0010_andiamo", "0012_aroundtheworld", "0015_beatit",
                   "0018_bestfriend", "0021_bigfan", "0024_blackwater", "0027_blue"]
    specs = [
        ("12 ids d01 ... d12, 3 folds, the course's salt", demo, 3, FOLD_SALT),
        ("the same 12 ids listed backwards (a track's fold must not depend on the order)", demo[::-1], 3, FOLD_SALT),
        ("9 Harmonix-like ids, 5 folds, the course's salt", harmonixish, 5, FOLD_SALT),
        ("the same 9 ids, 2 folds, another salt ('another split:')", harmonixish, 2, "another split:"),
        ("the 12 ids d01 ... d12, 4 folds, the course's salt", demo, 4, FOLD_SALT),
    ]
    cases = []
    for name, ids, k, salt in specs:
        expected = (assign_folds(ids, n_folds=k).tolist() if salt == FOLD_SALT
                    else _folds_rule(ids, k, salt))
        cases.append(Case(name, (ids,), {"n_folds": k, "salt": salt}, np.array(expected)))
    return cases


def _judge_w6_folds(got, case):
    ids = case.args[0]
    k, salt = case.kwargs["n_folds"], case.kwargs["salt"]
    e = case.expected

    def rule(**mistake):
        return np.array(_folds_rule(ids, k, salt, **mistake))

    mistakes = [
        (shape_is(()), "return one fold per track id (a list aligned with track_ids), not one number."),
        (rule(by="position"), "that is the position in a list (i % n_folds), of track_ids or of the sorted ids: "
                              "give each id ITS fold, in the order of track_ids (folds[order[r]] = r % n_folds), "
                              "so that it does not change when the tracks are listed in another order."),
        (rule(by="hash"), "int(hash) % n_folds gives folds of unequal size; sort the ids by their hash and give "
                          "the i-th fold i % n_folds (sizes then differ by at most one)."),
        (rule(use_salt=False), "hash salt + track_id (the salt given), not the id alone: another salt is another "
                               "set of folds."),
        (rule(start=1), "the first id in hash order gets fold 0: rank % n_folds with ranks from 0."),
    ]
    return verdict(got, e, mistakes, "keys = [sha256((salt + t).encode()).hexdigest() for t in track_ids]; "
                                     "order = sorted(range(n), key=keys.__getitem__); folds[order[r]] = r % "
                                     "n_folds.", rtol=0, atol=0)


def _error_hint_w6_folds(exc, case):
    if isinstance(exc, TypeError) and "encode" in str(exc).lower():
        return "sha256 hashes bytes: hashlib.sha256((salt + track_id).encode('utf-8')).hexdigest()."
    return None


#: This week's exercises, in course order: three fill-ins (in the body of notebook 06), then two variations.
EXERCISES = (
    Exercise(
        "w6.features", "The feature matrix: band flux with context", "frame_matrix", "D, n_groups, context_frames",
        "A model weighs numbers; give it one row of numbers per frame. Start from the per-band flux of Week 2 "
        "(`D`, bands × frames, half-wave rectified differences of the log spectrogram).\n\n"
        "1. Group the bands: `G[g]` = the mean of the `m = n_bands / n_groups` ADJACENT bands `g·m … g·m + m - 1` "
        "(the cases' `n_bands` are multiples of `n_groups`).\n"
        "2. For each frame `t`, row `X[t]` holds `G[g, t + j]` for every group `g` and every offset "
        "`j = -c … c` (`c = context_frames`), group by group: column `g·(2c + 1) + (j + c)`. Frames outside the "
        "track count as 0.\n\n"
        "**You get** `D` (n_bands × n_frames), `n_groups` and `context_frames`.\n\n"
        "**Return** `X`, shape (n_frames, n_groups·(2c + 1)).",
        _cases_w6_features, _judge_w6_features, error_hint=_error_hint_w6_features,
        on_pass="From here on: helpers.learn.frame_features(S, settings=...) (band_groups, scale_flux, "
                "context_windows).",
        inline=True,
    ),
    Exercise(
        "w6.targets", "Frame targets from the annotated beats", "frame_targets",
        "beat_times_s, n_frames, frame_rate_hz",
        "How much of a beat falls on each frame? A beat at `t` seconds lies at the fractional frame "
        "`u = t · frame_rate_hz`, between frames `k = floor(u)` and `k + 1`.\n\n"
        "1. Give frame `k` the share `1 - (u - k)` and frame `k + 1` the share `u - k` (a beat on a frame gives "
        "it 1; a beat halfway gives both 0.5). Beats after the last frame (`u > n_frames - 1`) are ignored, "
        "and so is a share that would fall on frame `n_frames`.\n"
        "2. Add up the shares of all beats, and clip at 1 (two beats closer than a frame).\n\n"
        "**You get** the annotated beat times (s), the number of frames and the frame rate (frames/s).\n\n"
        "**Return** one target per frame, between 0 and 1.",
        _cases_w6_targets, _judge_w6_targets, error_hint=_error_hint_w6_targets,
        on_pass="From here on: helpers.learn.beat_targets(beat_times_s, n_frames=..., frame_rate_hz=...), which "
                "also gives each frame its loss weight.",
        inline=True,
    ),
    Exercise(
        "w6.loss", "The logistic loss and its gradient", "loss_and_gradient", "w, b, X, targets, weights, l2",
        "The logistic regression gives frame `t` the probability `p = sigmoid(z)`, `z = X @ w + b`. Its loss is "
        "the weighted mean cross-entropy with the soft targets `y`, plus an L2 penalty on `w` (not on `b`):\n\n"
        "`loss = sum(weights · (log(1 + exp(z)) - y · z)) / sum(weights) + l2 / 2 · ||w||²`\n\n"
        "(`log(1 + exp(z)) - y·z` is `-[y log p + (1 - y) log(1 - p)]` written so that it never takes the log "
        "of 0: `np.logaddexp(0, z)`). The gradient starts from the residual "
        "`r = weights · (sigmoid(z) - y) / sum(weights)`: `grad_w = X.T @ r + l2 · w`, `grad_b = sum(r)`.\n\n"
        "**You get** `w` (n_features), `b`, `X` (n_frames × n_features), the targets and weights (n_frames) "
        "and `l2`.\n\n"
        "**Return** `(loss, grad_w, grad_b)`.",
        _cases_w6_loss, _judge_w6_loss,
        on_pass="From here on: helpers.learn.logistic_loss(params, X, targets, weights, l2=...) and "
                "scipy.optimize.minimize(..., jac=True, method='L-BFGS-B') inside helpers.learn.train_model.",
        inline=True,
    ),
    Exercise(
        "w6.gradcheck", "Check a gradient by finite differences", "numerical_gradient", "f, x, eps",
        "A gradient written by hand is easy to get subtly wrong; a finite-difference estimate is slow but "
        "hard to get wrong. Compare the two before you trust the first.\n\n"
        "For each coordinate `i`: move `x` by `eps` along that coordinate only, up and down, and take the "
        "central difference `(f(x + eps·e_i) - f(x - eps·e_i)) / (2·eps)` (`e_i`: the i-th unit vector).\n\n"
        "**You get** a function `f` (a 1-D array -> a number), the point `x` (1-D array) and `eps`.\n\n"
        "**Return** the estimated gradient, an array shaped like `x`.",
        _cases_w6_gradcheck, _judge_w6_gradcheck,
        on_pass="tests/test_learn.py checks helpers.learn.logistic_loss and mlp_loss with central differences "
                "like these; notebook 06 does it for a few weights of the logistic regression.",
    ),
    Exercise(
        "w6.folds", "Folds fixed by track id", "folds_by_id", "track_ids, n_folds, salt",
        "Cross-validation by track needs folds that do not depend on how the tracks are listed, on a random "
        "seed or on the machine:\n\n"
        "1. The key of each id: `hashlib.sha256((salt + track_id).encode('utf-8')).hexdigest()`.\n"
        "2. Sort the ids by their key; the id at rank `r` (from 0) gets fold `r % n_folds`.\n\n"
        "**You get** the track ids (a list of strings), `n_folds` and the `salt` (a string).\n\n"
        "**Return** the fold of each id, in the order of `track_ids`.",
        _cases_w6_folds, _judge_w6_folds, error_hint=_error_hint_w6_folds,
        on_pass="helpers.learn.assign_folds(track_ids, n_folds=k) is this rule with salt "
                "helpers.learn.FOLD_SALT; cross_validate uses it.",
    ),
)
