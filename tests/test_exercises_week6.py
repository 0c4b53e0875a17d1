"""helpers.exercises.week6 (learn the novelty function): every reference solution passes its check,
typical wrong answers get the intended hint, stubs say "not done yet", the known answers agree
with helpers.learn, and every exercise sits in notebook 06 (the fill-ins in its body, the others
in its Exercises section)."""

from __future__ import annotations

import hashlib
import importlib.util
import json

import numpy as np
import pytest

from helpers.exercises import EXERCISES, exercises

from .conftest import REPO

NOTEBOOK = REPO / "notebooks" / "06_learn_the_novelty.ipynb"
WEEK6 = [ex.id for ex in exercises(6)]
#: Written in the body of the notebook where their idea is introduced, in this order.
FILL_INS = ("w6.features", "w6.targets", "w6.loss")


def _solutions():
    spec = importlib.util.spec_from_file_location("solutions_week6", REPO / "solutions" / "week6.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference(exercise_id: str):
    return getattr(_solutions(), exercise_id.replace(".", "_"))


# =========================================================================== typical wrong answers
# ---- w6.features
def _groups(D, n_groups, reduce=np.mean):
    D = np.asarray(D, dtype=float)
    return reduce(D.reshape(n_groups, -1, D.shape[1]), axis=1)


def _windows(G, c, pad=lambda G, c: np.pad(G, ((0, 0), (c, c)))):
    n = G.shape[1]
    padded = pad(G, c)
    return np.array([padded[:, t:t + 2 * c + 1].ravel() for t in range(n)])


def features_sum(D, n_groups, context_frames):
    return _windows(_groups(D, n_groups, np.sum), context_frames)


def features_interleaved(D, n_groups, context_frames):
    D = np.asarray(D, dtype=float)
    G = D.reshape(-1, n_groups, D.shape[1]).mean(axis=0)
    return _windows(G, context_frames)


def features_offset_major(D, n_groups, context_frames):
    G, c = _groups(D, n_groups), context_frames
    padded = np.pad(G, ((0, 0), (c, c)))
    return np.array([padded[:, t:t + 2 * c + 1].T.ravel() for t in range(G.shape[1])])


def features_wrap(D, n_groups, context_frames):
    G, c = _groups(D, n_groups), context_frames
    return np.concatenate([np.stack([np.roll(G[g], -j) for j in range(-c, c + 1)], axis=1)
                           for g in range(n_groups)], axis=1)


def features_edge_copies(D, n_groups, context_frames):
    return _windows(_groups(D, n_groups), context_frames, pad=lambda G, c: np.pad(G, ((0, 0), (c, c)), mode="edge"))


def features_reversed(D, n_groups, context_frames):
    G, c = _groups(D, n_groups), context_frames
    padded = np.pad(G, ((0, 0), (c, c)))
    return np.array([padded[:, t:t + 2 * c + 1][:, ::-1].ravel() for t in range(G.shape[1])])


def features_transposed(D, n_groups, context_frames):
    return reference("w6.features")(D, n_groups, context_frames).T


def features_index_error(D, n_groups, context_frames):
    G, c = _groups(D, n_groups), context_frames
    n = G.shape[1]
    X = np.zeros((n, n_groups * (2 * c + 1)))
    for t in range(n):
        for g in range(n_groups):
            for j in range(-c, c + 1):
                X[t, g * (2 * c + 1) + j + c] = G[g, t + j] if t + j >= 0 else 0.0   # forgets the end
    return X


# ---- w6.targets
def _shares(beat_times_s, n_frames, rate, swap=False, clip=True):
    y = np.zeros(n_frames)
    for u in np.asarray(beat_times_s) * rate:
        if u > n_frames - 1:
            continue
        k = int(np.floor(u))
        a = u - k
        left, right = (a, 1 - a) if swap else (1 - a, a)
        y[k] += left
        if k + 1 < n_frames:
            y[k + 1] += right
    return np.minimum(y, 1.0) if clip else y


def targets_nearest(beat_times_s, n_frames, frame_rate_hz):
    y = np.zeros(n_frames)
    u = np.asarray(beat_times_s) * frame_rate_hz
    y[np.round(u[u <= n_frames - 1]).astype(int)] = 1.0
    return y


def targets_swapped(beat_times_s, n_frames, frame_rate_hz):
    return _shares(beat_times_s, n_frames, frame_rate_hz, swap=True)


def targets_not_clipped(beat_times_s, n_frames, frame_rate_hz):
    return _shares(beat_times_s, n_frames, frame_rate_hz, clip=False)


def targets_fixed_rate(beat_times_s, n_frames, frame_rate_hz):
    return _shares(beat_times_s, n_frames, 22050 / 1024)


def targets_hop_512(beat_times_s, n_frames, frame_rate_hz):
    return _shares(beat_times_s, n_frames, 22050 / 512)


def targets_divided(beat_times_s, n_frames, frame_rate_hz):
    y = np.zeros(n_frames)
    for u in np.asarray(beat_times_s) / frame_rate_hz:
        k = int(np.floor(u))
        y[k] += 1 - (u - k)
        y[k + 1] += u - k
    return np.minimum(y, 1.0)


def targets_with_weights(beat_times_s, n_frames, frame_rate_hz):
    y = reference("w6.targets")(beat_times_s, n_frames, frame_rate_hz)
    return y, np.ones_like(y)


def targets_index_error(beat_times_s, n_frames, frame_rate_hz):
    y = np.zeros(n_frames)
    for u in np.asarray(beat_times_s) * frame_rate_hz:
        k = int(np.floor(u))
        y[k] += 1 - (u - k)
        y[k + 1] += u - k
    return np.minimum(y, 1.0)


# ---- w6.loss
def _loss(w, b, X, y, wt, l2, *, use_weights=True, divide="weights", penalise_b=False, half=True, sign=1.0):
    z = X @ w + b
    wt = wt if use_weights else np.ones_like(wt)
    total = {"weights": wt.sum(), "frames": len(y), "none": 1.0}[divide]
    f = 0.5 if half else 1.0
    loss = np.sum(wt * (np.logaddexp(0, z) - y * z)) / total + f * l2 * w @ w
    r = sign * wt * (1 / (1 + np.exp(-z)) - y) / total
    gw, gb = X.T @ r + 2 * f * l2 * w, r.sum()
    if penalise_b:
        loss, gb = loss + f * l2 * b * b, gb + 2 * f * l2 * b
    return loss, gw, gb


def loss_unweighted(w, b, X, targets, weights, l2):
    return _loss(w, b, X, targets, weights, l2, use_weights=False)


def loss_per_frame(w, b, X, targets, weights, l2):
    return _loss(w, b, X, targets, weights, l2, divide="frames")


def loss_summed(w, b, X, targets, weights, l2):
    return _loss(w, b, X, targets, weights, l2, divide="none")


def loss_penalises_bias(w, b, X, targets, weights, l2):
    return _loss(w, b, X, targets, weights, l2, penalise_b=True)


def loss_no_half(w, b, X, targets, weights, l2):
    return _loss(w, b, X, targets, weights, l2, half=False)


def loss_residual_flipped(w, b, X, targets, weights, l2):
    return _loss(w, b, X, targets, weights, l2, sign=-1.0)


def loss_naive_log(w, b, X, targets, weights, l2):
    z = X @ w + b
    p = 1 / (1 + np.exp(-z))
    per_frame = -(targets * np.log(p) + (1 - targets) * np.log(1 - p))
    _, gw, gb = _loss(w, b, X, targets, weights, l2)
    return np.sum(weights * per_frame) / weights.sum() + 0.5 * l2 * w @ w, gw, gb


def loss_gradient_without_penalty(w, b, X, targets, weights, l2):
    loss, gw, gb = _loss(w, b, X, targets, weights, l2)
    return loss, gw - l2 * w, gb


def loss_returns_dict(w, b, X, targets, weights, l2):
    loss, gw, gb = _loss(w, b, X, targets, weights, l2)
    return loss, {"w": gw, "b": gb}


# ---- w6.gradcheck
def gradcheck_forward(f, x, eps):
    x = np.asarray(x, dtype=float)
    return np.array([(f(x + eps * np.eye(x.size)[i]) - f(x)) / eps for i in range(x.size)])


def gradcheck_no_half(f, x, eps):
    return 2 * reference("w6.gradcheck")(f, x, eps)


def gradcheck_all_at_once(f, x, eps):
    x = np.asarray(x, dtype=float)
    return np.full_like(x, (f(x + eps) - f(x - eps)) / (2 * eps))


def gradcheck_one_number(f, x, eps):
    return float(np.sum(reference("w6.gradcheck")(f, x, eps)))


# ---- w6.folds
def _keys(track_ids, salt):
    return [hashlib.sha256((salt + t).encode("utf-8")).hexdigest() for t in track_ids]


def folds_by_position(track_ids, n_folds, salt):
    return [i % n_folds for i in range(len(track_ids))]


def folds_hash_modulo(track_ids, n_folds, salt):
    return [int(k, 16) % n_folds for k in _keys(track_ids, salt)]


def folds_without_salt(track_ids, n_folds, salt):
    return reference("w6.folds")(track_ids, n_folds, "")


def folds_in_sorted_order(track_ids, n_folds, salt):
    """The folds listed in hash order instead of the order of track_ids (= 0, 1, 2, 0, 1, ...)."""
    keys = _keys(track_ids, salt)
    return [r % n_folds for r, _ in enumerate(sorted(range(len(track_ids)), key=keys.__getitem__))]


def folds_from_one(track_ids, n_folds, salt):
    keys = _keys(track_ids, salt)
    folds = [0] * len(track_ids)
    for rank, i in enumerate(sorted(range(len(track_ids)), key=keys.__getitem__), start=1):
        folds[i] = rank % n_folds
    return folds


def folds_bytes_needed(track_ids, n_folds, salt):
    return [int(hashlib.sha256(salt + t).hexdigest(), 16) % n_folds for t in track_ids]


WRONG = {
    "w6.features": [(features_sum, "MEAN of its bands"), (features_interleaved, "ADJACENT bands"),
                    (features_offset_major, "group by group"), (features_wrap, "np.roll wraps"),
                    (features_edge_copies, "not as a copy of the first or last frame"),
                    (features_reversed, "negative offsets are BEFORE the frame"),
                    (features_transposed, "one ROW per frame"), (features_index_error, "pad G with c zero columns")],
    "w6.targets": [(targets_nearest, "that is the nearest frame only"), (targets_swapped, "the wrong way round"),
                   (targets_not_clipped, "clip the targets at 1"), (targets_fixed_rate, "use the arguments"),
                   (targets_hop_512, "you used hop 512"), (targets_divided, "not t / frame_rate_hz"),
                   (targets_with_weights, "not (targets, weights)"), (targets_index_error, "no frame k + 1")],
    "w6.loss": [(loss_unweighted, "use the weights"), (loss_per_frame, "SUM OF THE WEIGHTS"),
                (loss_summed, "weighted MEAN"), (loss_penalises_bias, "do not penalise the bias"),
                (loss_no_half, "l2 / 2 * ||w||^2, whose gradient is l2 * w"),
                (loss_residual_flipped, "the residual is p - y"), (loss_naive_log, "np.logaddexp(0, z) - y * z"),
                (loss_gradient_without_penalty, "the loss is right, the gradient is not"),
                (loss_returns_dict, "a tuple of three")],
    "w6.gradcheck": [(gradcheck_forward, "forward difference"), (gradcheck_no_half, "divide by 2 * eps"),
                     (gradcheck_all_at_once, "ONE coordinate at a time"), (gradcheck_one_number, "not one number")],
    "w6.folds": [(folds_by_position, "that is the position in a list"), (folds_hash_modulo, "folds of unequal size"),
                 (folds_without_salt, "hash salt + track_id"), (folds_in_sorted_order, "in the order of track_ids"),
                 (folds_from_one, "ranks from 0"), (folds_bytes_needed, "sha256 hashes bytes")],
}


# =========================================================================== the registry
def test_week6_has_three_fill_ins_and_two_variations_with_unique_names():
    assert WEEK6 == ["w6.features", "w6.targets", "w6.loss", "w6.gradcheck", "w6.folds"]
    assert [ex.id for ex in exercises(6) if ex.inline] == list(FILL_INS)
    names = [ex.function_name for ex in EXERCISES.values()]
    assert len(set(names)) == len(names)


def test_every_week6_exercise_has_wrong_answers_here():
    assert set(WRONG) == set(WEEK6)
    assert all(len(v) >= 4 for v in WRONG.values())


# The checks every exercise shares (the reference solution passes, each WRONG answer here gets its
# hint, a stub is "not done", a learner's exception names the case and the line, the solution is
# shown) run over all weeks in tests/test_exercises.py, with the WRONG answers of this file.


# =========================================================================== known answers
def test_features_cases_equal_frame_features_steps_and_a_click_moves_across_offsets():
    from helpers.learn import band_groups, context_windows

    cases = EXERCISES["w6.features"].cases()
    for case in cases:
        D = case.args[0]
        g, c = case.kwargs["n_groups"], case.kwargs["context_frames"]
        np.testing.assert_allclose(case.expected, context_windows(band_groups(D, n_groups=g), context_frames=c))
    click = cases[1]                                  # bands 0-1 (group 0) click at frame 4; 4 groups, c = 2
    X = click.expected
    assert X.shape == (10, 4 * 5)
    # group 0's columns 0..4 are offsets -2..+2: frame 4 sees the click at offset 0, frame 2 at offset +2
    assert X[4, 2] == 1.0 and X[2, 4] == 1.0 and X[6, 0] == 1.0 and X[4, [0, 1, 3, 4]].sum() == 0.0


def test_targets_cases_have_their_constructed_shares():
    cases = EXERCISES["w6.targets"].cases()
    np.testing.assert_allclose(cases[0].expected, [0, 0, 1, 0, 0, 0, 1, 0, 0, 0])
    np.testing.assert_allclose(cases[1].expected, [0, 0.75, 0.25, 0, 0, 0.5, 0.5, 0, 0, 0], atol=1e-12)
    assert cases[2].expected.max() == 1.0                          # clipped where two beats crowd
    last = cases[4].expected
    assert last[-1] == 1.0 and last.size == 10                     # a beat exactly on the last frame, none after


def test_loss_cases_agree_with_a_direct_formula_and_the_first_is_log_2():
    case = EXERCISES["w6.loss"].cases()[0]
    assert case.expected[0] == pytest.approx(np.log(2.0))
    for case in EXERCISES["w6.loss"].cases():
        w, b, X, y, wt = case.args
        loss, gw, gb = reference("w6.loss")(w, b, X, y, wt, case.kwargs["l2"])
        np.testing.assert_allclose(np.concatenate([[loss], gw, [gb]]), case.expected, rtol=1e-9, atol=1e-12)
        assert np.all(np.isfinite(case.expected)), case.name


def test_gradcheck_cases_are_close_to_the_analytic_gradient():
    cases = EXERCISES["w6.gradcheck"].cases()
    np.testing.assert_allclose(cases[0].expected, [2.0, -4.0, 6.0], rtol=1e-8)
    x = cases[1].args[1]
    np.testing.assert_allclose(cases[1].expected, 3 * x**2 + np.array([x[1], x[0], 0.0]), atol=1e-3)


def test_folds_cases_equal_assign_folds_and_do_not_depend_on_the_order():
    from helpers.learn import FOLD_SALT, assign_folds

    cases = EXERCISES["w6.folds"].cases()
    forwards, backwards = cases[0], cases[1]
    by_id = dict(zip(forwards.args[0], forwards.expected.tolist()))
    assert [by_id[t] for t in backwards.args[0]] == backwards.expected.tolist()
    for case in cases:
        if case.kwargs["salt"] == FOLD_SALT:
            ids, k = case.args[0], case.kwargs["n_folds"]
            assert case.expected.tolist() == assign_folds(ids, n_folds=k).tolist()
            assert np.bincount(case.expected).max() - np.bincount(case.expected).min() <= 1


# =========================================================================== the notebook
def _cells():
    nb = json.loads(NOTEBOOK.read_text())
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


# Where the fill-ins and the end-of-week exercises sit, that the learner's version is used once it
# passes, and that the solutions are not imported: tests/test_exercises.py, for every notebook.


def test_the_notebook_evaluates_honestly():
    """Folds by track id, the number that lies shown beside CV, the split and the trim named, the helpers used."""
    code = "\n".join(src for kind, src in _cells() if kind == "code")
    for name in ("assign_folds", "cross_validate", "score_tracks", "split_result", "paired_comparison",
                 "weight_image", "learned_novelty", "tracker_novelty", "evaluate_published", "PUBLISHED_SYSTEMS"):
        assert name in code, name
    text = "\n".join(src for _, src in _cells())
    assert "5 s" in text and "dev" in text and "test" in text
