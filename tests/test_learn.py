"""Tests of helpers.learn: features and labels with known answers, gradient checks, planted
weights, determinism, folds, model files (round trip, refusals, atomic writes), tracking with a
model, and the `train` command."""

from __future__ import annotations

import doctest
import errno
import json
import pickle
from pathlib import Path

import numpy as np
import pytest

from helpers import learn
from helpers.__main__ import main
from helpers.beat import TrackerParams
from helpers.data import HARMONIX_PARAMS as P
from helpers.data import MelParams
from helpers.errors import DataError, DataMissingError, OutputError, ParameterError
from helpers.learn import (FeatureSettings, FrameStream, LearnedModel, assign_folds, band_flux, band_groups,
                           beat_targets, build_training_set, context_windows, cross_validate, fit_logistic,
                           frame_features, learned_novelty, load_model, logistic_loss, mlp_loss, model_identity,
                           save_model, scale_flux, score_tracks, track_beats_with_model, train_model)
from helpers import files
from helpers.novelty import Novelty, band_differences, log_compress
from helpers.splits import split_of

from .conftest import REALMEL, requires_realmel, write_info

FR = P.frame_rate_hz


# --------------------------------------------------------------------------- synthetic music
def click_track(tempo_bpm, n_frames=700, *, seed=0, offbeats=True):
    """Kick-like clicks on the beats (low bands loud, all bands), hi-hat clicks on the off-beats
    (high bands only), on a quiet noise floor. Beats fall exactly on frames."""
    rng = np.random.default_rng(seed)
    S = 1e-4 * rng.random((P.n_mels, n_frames))
    period = 60.0 * FR / tempo_bpm
    beat_frames = np.round(np.arange(3.0, n_frames - 2, period)).astype(int)
    S[:20, beat_frames] += 2.0
    S[:, beat_frames] += 0.5
    if offbeats:
        off = np.round(beat_frames[:-1] + period / 2).astype(int)
        S[50:, off] += 1.0
    return S.astype(np.float32), beat_frames / FR


def click_tracks(n=4, *, n_frames=700, first_seed=0):
    tempi = (100.0, 120.0, 135.0, 90.0, 110.0, 128.0, 95.0, 140.0)
    return [(f"t{i}", *click_track(tempi[i % len(tempi)], n_frames, seed=first_seed + i)) for i in range(n)]


@pytest.fixture(scope="module")
def clicks_set():
    return build_training_set(click_tracks(4), mel_params=P)


@pytest.fixture(scope="module")
def logistic_model(clicks_set):
    return train_model(clicks_set, kind="logistic")


def numeric_gradient(f, x, eps=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        g[i] = (up - down) / (2 * eps)
    return g


def test_docstring_examples():
    import numpy

    for module in (learn.features, learn.training, learn.modelfile, learn.models, learn.tracking):
        result = doctest.testmod(module, extraglobs={"np": numpy}, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, module.__name__


# --------------------------------------------------------------------------- features
def test_band_groups_are_means_of_adjacent_bands():
    D = np.repeat(np.arange(20.0), 4)[:, None] * np.ones((1, 3))     # band b has value b // 4
    np.testing.assert_array_equal(band_groups(D, n_groups=20), np.arange(20.0)[:, None] * np.ones((1, 3)))
    D = np.arange(10.0)[:, None]                                      # 10 bands in 4 groups: edges 0 2 5 8 10
    np.testing.assert_allclose(band_groups(D, n_groups=4)[:, 0], [0.5, 3.0, 6.0, 8.5])
    with pytest.raises(ParameterError, match="more than the 10 bands"):
        band_groups(D, n_groups=11)


def test_scale_flux_known_answers():
    G = np.array([[0.0, 2.0, 4.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(scale_flux(G, scaling="none"), G)
    np.testing.assert_allclose(scale_flux(G, scaling="log"), np.log1p(G))
    np.testing.assert_allclose(scale_flux(G, scaling="track"), [[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(scale_flux(G, scaling="log_track"), np.log1p([[0.0, 1.0, 2.0], [0.0, 0.0, 0.0]]))
    # "track" does not depend on the level of a band in a track
    np.testing.assert_allclose(scale_flux(7 * G, scaling="track"), scale_flux(G, scaling="track"))
    with pytest.raises(ParameterError, match="scaling"):
        scale_flux(G, scaling="dB")


def test_band_flux_is_the_notebook_pipeline():
    S, _ = click_track(120.0, 200)
    for scaling in ("none", "log_track"):
        s = FeatureSettings(scaling=scaling)
        D = band_differences(log_compress(S, gamma=s.gamma), lag=1)     # what a learner writes
        G = D.reshape(20, 4, -1).mean(axis=1)
        if scaling == "log_track":
            G = np.log1p(G / np.maximum(G.mean(axis=1, keepdims=True), 1e-3))
        np.testing.assert_allclose(band_flux(S, settings=s), G, rtol=1e-6, atol=1e-6)   # float32 input


def test_context_windows_order_and_padding():
    G = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    X = context_windows(G, context_frames=1)
    # row t: group 0 at t-1, t, t+1, then group 1 at t-1, t, t+1; zeros outside the track
    np.testing.assert_array_equal(X[0], [0, 1, 2, 0, 10, 20])
    np.testing.assert_array_equal(X[2], [2, 3, 4, 20, 30, 40])
    np.testing.assert_array_equal(X[3], [3, 4, 0, 30, 40, 0])
    np.testing.assert_array_equal(context_windows(G, context_frames=0), G.T)
    # a weight vector reshapes to a (group, offset) image
    w = np.zeros(6)
    w[1 * 3 + 2] = 1.0                       # group 1, one frame later
    np.testing.assert_array_equal(X @ w, [20, 30, 40, 0])


def test_frame_features_shape():
    S, _ = click_track(120.0, 100)
    X = frame_features(S)
    c = learn.CONTEXT_FRAMES
    assert X.shape == (100, 20 * (2 * c + 1)) == (100, FeatureSettings().n_features)
    np.testing.assert_array_equal(X, context_windows(band_flux(S), context_frames=c))


def test_feature_settings_are_checked():
    for bad in ({"n_groups": 0}, {"context_frames": -1}, {"lag": 1.5}, {"gamma": -1.0}, {"scaling": "x"}):
        with pytest.raises(ParameterError):
            FeatureSettings(**bad)


# --------------------------------------------------------------------------- labels
def test_split_labels_share_a_beat_between_two_frames():
    y, w = beat_targets(np.array([2.0, 5.25, 9.5]) / FR, n_frames=12, frame_rate_hz=FR)
    expected = np.zeros(12)
    expected[2] = 1.0
    expected[5], expected[6] = 0.75, 0.25
    expected[9], expected[10] = 0.5, 0.5
    np.testing.assert_allclose(y, expected, atol=1e-12)
    np.testing.assert_array_equal(w, np.ones(12))
    # the centroid over three frames around the peak gives back the sub-frame position
    assert 5 + (y[6] - y[4]) / y[4:7].sum() == pytest.approx(5.25)      # helpers.beat.refine_beat_times


def test_nearest_and_widened_labels():
    beats = np.array([2.0, 5.25]) / FR
    y, _ = beat_targets(beats, n_frames=8, frame_rate_hz=FR, labels="nearest")
    np.testing.assert_array_equal(y, [0, 0, 1, 0, 0, 1, 0, 0])
    y, _ = beat_targets(beats, n_frames=8, frame_rate_hz=FR, labels="widened")
    np.testing.assert_array_equal(y, [0, 0.5, 1, 0.5, 0.5, 1, 0.5, 0])


def test_frames_far_outside_the_annotation_do_not_count():
    beats = np.arange(20.0, 40.0, 5.0) / FR          # period 5 frames, beats at 20 .. 35
    _, w = beat_targets(beats, n_frames=60, frame_rate_hz=FR)
    assert np.all(w[15:41] == 1) and np.all(w[:15] == 0) and np.all(w[41:] == 0)
    # beats past the end of the spectrogram are ignored, targets stay in [0, 1]
    y, _ = beat_targets(np.array([1.0, 1.02, 100.0]) / FR, n_frames=10, frame_rate_hz=FR)
    np.testing.assert_allclose(y, [0, 1, 0.02, 0, 0, 0, 0, 0, 0, 0], atol=1e-12)


def test_bad_labels_are_refused():
    with pytest.raises(ParameterError, match="labels"):
        beat_targets([1.0], n_frames=10, frame_rate_hz=FR, labels="soft")
    with pytest.raises(ParameterError, match="increasing"):
        beat_targets([2.0, 1.0], n_frames=10, frame_rate_hz=FR)


# --------------------------------------------------------------------------- gradients
def _random_problem(n=40, n_features=7, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_features))
    y = rng.random(n)                              # soft targets
    w = rng.random(n) * (rng.random(n) > 0.2)      # some frames do not count
    return X, y, w


def test_logistic_gradient_matches_finite_differences():
    X, y, wt = _random_problem()
    rng = np.random.default_rng(1)
    params = {"w": rng.normal(size=7), "b": np.array(0.3)}
    _, grads = logistic_loss(params, X, y, wt, l2=0.05)
    for name in params:
        numeric = numeric_gradient(lambda: logistic_loss(params, X, y, wt, l2=0.05)[0], params[name])
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-6, atol=1e-9)


def test_mlp_gradient_matches_finite_differences():
    X, y, wt = _random_problem()
    params = learn.init_params("mlp", 7, hidden=5, seed=3)
    params["b2"] = np.array(float(params["b2"]))
    _, grads = mlp_loss(params, X, y, wt, l2=0.05)
    for name in params:
        numeric = numeric_gradient(lambda: mlp_loss(params, X, y, wt, l2=0.05)[0], params[name])
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-9)


def test_losses_are_the_textbook_formulas():
    X, y, wt = _random_problem()
    w, b = np.linspace(-1, 1, 7), -0.2
    p = 1 / (1 + np.exp(-(X @ w + b)))
    manual = -np.sum(wt * (y * np.log(p) + (1 - y) * np.log(1 - p))) / wt.sum() + 0.5 * 0.1 * w @ w
    assert logistic_loss({"w": w, "b": b}, X, y, wt, l2=0.1)[0] == pytest.approx(manual, rel=1e-12)


def _stream_of(tracks_G, c, rng):
    """A FrameStream and the explicit (X standardised, y, w) it stands for."""
    parts, Xs, ys, ws = [], [], [], []
    for G in tracks_G:
        y = rng.random(G.shape[1])
        w = (rng.random(G.shape[1]) > 0.1).astype(float)
        parts.append((G, y, w))
    from helpers.learn.training import _concatenate

    flux, targets, weights, _ = _concatenate(parts, c, tracks_G[0].shape[0])
    mean, std = rng.random(tracks_G[0].shape[0]), 0.5 + rng.random(tracks_G[0].shape[0])
    stream = FrameStream(flux, targets, weights, c, mean, std)
    for G, y, w in parts:
        X = context_windows(G, context_frames=c)
        Xs.append((X - np.repeat(mean, 2 * c + 1)) / np.repeat(std, 2 * c + 1))
        ys.append(y)
        ws.append(w)
    return stream, np.vstack(Xs), np.concatenate(ys), np.concatenate(ws)


def test_streamed_logistic_equals_the_explicit_formula():
    from helpers.learn.models import _stream_logistic

    rng = np.random.default_rng(0)
    tracks_G = [rng.random((3, n)).astype(np.float32) for n in (30, 1, 17)]
    stream, X, y, w = _stream_of(tracks_G, 2, rng)
    theta = rng.normal(size=X.shape[1] + 1)
    loss, grad = _stream_logistic(theta, stream, 0.01, float(w.sum()))
    loss_x, grads_x = logistic_loss({"w": theta[:-1], "b": theta[-1]}, X, y, w, l2=0.01)
    assert loss == pytest.approx(loss_x, rel=1e-6)
    np.testing.assert_allclose(grad[:-1], grads_x["w"], rtol=1e-5, atol=1e-7)
    assert grad[-1] == pytest.approx(grads_x["b"], rel=1e-5, abs=1e-8)
    # and the MLP's mini-batch rows are the same rows
    columns = np.flatnonzero(stream.weights > 0)
    np.testing.assert_allclose(stream.window_rows(columns), X[w > 0], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(stream.rows_from_table(stream.row_table(), columns), X[w > 0], rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- fitting
def test_logistic_regression_recovers_planted_weights():
    rng = np.random.default_rng(5)
    c, n_groups = 2, 4
    G = rng.exponential(size=(n_groups, 3000))
    planted = np.zeros((n_groups, 2 * c + 1))
    planted[0, c] = 2.0                        # flux in group 0 at the frame itself: beat
    planted[3, c + 1] = -1.5                   # flux in group 3 one frame later: not a beat
    planted[1, 0] = 0.7
    stream, X, _, _ = _stream_of([G], c, rng)
    truth = 1 / (1 + np.exp(-(X @ planted.ravel() - 1.0)))
    stream = FrameStream(stream.flux, np.concatenate([np.zeros(c), truth, np.zeros(c)]).astype(np.float32),
                         np.concatenate([np.zeros(c), np.ones(3000), np.zeros(c)]).astype(np.float32), c,
                         stream.mean, stream.std)
    params = fit_logistic(stream, l2=0.0)
    # soft targets equal to the true probabilities: the truth is the exact minimum
    np.testing.assert_allclose(params["w"].reshape(n_groups, -1), planted, atol=2e-3)
    assert float(params["b"]) == pytest.approx(-1.0, abs=2e-3)


def test_learned_curve_peaks_on_the_beats_not_on_the_offbeats(logistic_model):
    S, beats_s = click_track(117.0, 700, seed=42)          # a tempo and a track it never saw
    nov = learned_novelty(S, model=logistic_model, mel_params=P)
    assert isinstance(nov, Novelty) and nov.frame_rate_hz == pytest.approx(FR)
    beat_frames = np.round(beats_s * FR).astype(int)
    off = np.round(beat_frames[:-1] + 60 * FR / 117.0 / 2).astype(int)
    inner = slice(2, -2)
    assert nov.values[beat_frames[inner]].min() > 0.5
    assert nov.values[off[inner]].max() < 0.1
    assert np.median(nov.values) < 0.05
    beats = track_beats_with_model(S, model=logistic_model, mel_params=P)
    inside = beats[(beats > 1) & (beats < beats_s[-1] - 1)]
    assert np.abs(inside[:, None] - beats_s[None, :]).min(axis=1).max() < 0.03


def test_activation_from_flux_equals_the_explicit_feature_matrix(logistic_model, clicks_set):
    mlp = train_model(clicks_set, kind="mlp", hidden=5, epochs=1)
    S, _ = click_track(100.0, 300, seed=3)
    for model in (logistic_model, mlp):
        X = frame_features(S)                                     # by hand: features, standardise, model
        n_off = model.feature_settings.n_offsets
        Xs = (X - np.repeat(model.feature_mean, n_off)) / np.repeat(model.feature_std, n_off)
        p = learn.sigmoid(learn.predict_logit(model.kind, model.params, Xs))
        np.testing.assert_allclose(model.activation_from_flux(band_flux(S)), p, rtol=1e-5, atol=1e-7)  # float32
        np.testing.assert_allclose(model.predict_proba(X), p, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(model.standardize(X), Xs)


def test_weight_image_puts_the_beat_evidence_in_the_low_bands_at_offset_zero(logistic_model):
    image = logistic_model.weight_image
    c = learn.CONTEXT_FRAMES
    assert image.shape == (20, 2 * c + 1)
    assert image[:5, c].mean() > 0                # kick bands at the frame: for a beat
    assert image[:5, c].mean() > image[:5, [0, 1, 2 * c - 1, 2 * c]].mean()   # more than far from it
    with pytest.raises(ParameterError, match="logistic"):
        LearnedModel(kind="mlp", params=learn.init_params("mlp", FeatureSettings().n_features, hidden=2), feature_settings=FeatureSettings(),
                     feature_mean=np.zeros(20), feature_std=np.ones(20), mel_params=P).weight_image


def test_mlp_is_deterministic_and_learns_the_clicks(clicks_set):
    a = train_model(clicks_set, kind="mlp", hidden=8, epochs=3, seed=7)
    b = train_model(clicks_set, kind="mlp", hidden=8, epochs=3, seed=7)
    c = train_model(clicks_set, kind="mlp", hidden=8, epochs=3, seed=8)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    assert a.identity == b.identity != c.identity
    S, beats_s = click_track(117.0, 700, seed=42)
    beats = track_beats_with_model(S, model=a, mel_params=P)
    inside = beats[(beats > 1) & (beats < beats_s[-1] - 1)]
    assert np.abs(inside[:, None] - beats_s[None, :]).min(axis=1).max() < 0.03


def test_logistic_training_is_deterministic(clicks_set, logistic_model):
    again = train_model(clicks_set, kind="logistic")
    np.testing.assert_array_equal(again.params["w"], logistic_model.params["w"])
    assert again.identity == logistic_model.identity


def test_training_records_what_it_was_trained_on(clicks_set, logistic_model):
    t = logistic_model.training
    assert t["track_ids"] == ["t0", "t1", "t2", "t3"] and t["n_tracks"] == 4 and t["labels"] == "split"
    assert t["n_frames"] == 4 * 700 and t["l2"] == learn.L2["logistic"]
    mean, std = clicks_set.standardization()
    G = np.concatenate([band_flux(S) for _, S, _ in click_tracks(4)], axis=1)
    np.testing.assert_allclose(mean, G.mean(axis=1), rtol=1e-5)
    np.testing.assert_allclose(std, G.std(axis=1), rtol=1e-4)


def test_bad_training_arguments(clicks_set):
    with pytest.raises(ParameterError, match="kind"):
        train_model(clicks_set, kind="transformer")
    with pytest.raises(ParameterError, match="l2"):
        train_model(clicks_set, l2=-1.0)
    with pytest.raises(ParameterError, match="epochs"):
        train_model(clicks_set, kind="mlp", epochs=0)
    with pytest.raises(ParameterError, match="same id|two training tracks"):
        build_training_set(click_tracks(2) + click_tracks(1), mel_params=P)
    with pytest.raises(ParameterError, match="shape"):
        build_training_set([("a", np.ones((40, 50)), np.array([1.0]))], mel_params=P)
    with pytest.raises(ParameterError, match="no training track"):
        build_training_set([], mel_params=P)


# --------------------------------------------------------------------------- folds and CV
def test_folds_are_balanced_fixed_and_order_free():
    ids = [f"track{i:03d}" for i in range(23)]
    folds = assign_folds(ids, n_folds=5)
    assert sorted(np.bincount(folds).tolist()) == [4, 4, 5, 5, 5]
    shuffled = ids[::-1]
    again = dict(zip(shuffled, assign_folds(shuffled, n_folds=5)))
    assert all(again[t] == f for t, f in zip(ids, folds))
    with pytest.raises(ParameterError, match="n_folds"):
        assign_folds(ids, n_folds=1)
    with pytest.raises(ParameterError, match="more than"):
        assign_folds(ids[:3], n_folds=4)


def test_cross_validation_never_scores_a_track_with_a_model_that_saw_it(monkeypatch):
    ts = build_training_set(click_tracks(6, n_frames=400), mel_params=P)
    trained_on = []
    real_train = learn.training.train_model

    def spy(training_set, **kwargs):
        trained_on.append(set(training_set.track_ids))
        return real_train(training_set, **kwargs)

    monkeypatch.setattr(learn.training, "train_model", spy)
    cv = cross_validate(ts, n_folds=3)
    assert [r["track_id"] for r in cv.rows] == list(ts.track_ids)       # every track scored once
    folds = assign_folds(ts.track_ids, n_folds=3)
    for row, fold in zip(cv.rows, folds):
        assert row["fold"] == fold
        assert row["track_id"] not in trained_on[fold]
        assert trained_on[fold] == {t for t, f in zip(ts.track_ids, folds) if f != fold}
    assert cv.mean("F-measure") > 0.9            # clicks are easy, even for a model that never saw them
    assert 0 <= cv.mean("Correct Metric Level Total", source="") <= 1


def test_score_tracks_on_training_tracks(clicks_set, logistic_model):
    rows = score_tracks(logistic_model, clicks_set, tracker_params=TrackerParams(tightness=200))
    assert [r["track_id"] for r in rows] == ["t0", "t1", "t2", "t3"]
    assert min(r["F-measure"] for r in rows) > 0.95
    assert all(r["tempo_bpm"] > 0 for r in rows)


def test_subset_is_a_copy_of_the_chosen_tracks(clicks_set):
    sub = clicks_set.subset([2, 0])
    assert sub.track_ids == ("t2", "t0")
    np.testing.assert_array_equal(sub.track_flux(0), clicks_set.track_flux(2))
    assert sub.n_frames == 1400 and sub.flux.shape[1] == 1400 + 3 * learn.CONTEXT_FRAMES


# --------------------------------------------------------------------------- model files
def test_model_file_round_trip(tmp_path, logistic_model):
    path = save_model(logistic_model, tmp_path / "model ü.npz")
    loaded = load_model(path)
    assert loaded.kind == "logistic" and loaded.path == path
    assert loaded.mel_params == P and loaded.feature_settings == logistic_model.feature_settings
    for k in logistic_model.params:
        np.testing.assert_array_equal(loaded.params[k], logistic_model.params[k])
    assert loaded.training == logistic_model.training
    assert loaded.identity == logistic_model.identity == model_identity(path)
    S, _ = click_track(100.0, 300, seed=9)
    np.testing.assert_array_equal(learned_novelty(S, model=loaded, mel_params=P).values,
                                  learned_novelty(S, model=logistic_model, mel_params=P).values)
    with np.load(path, allow_pickle=False) as npz:              # plain arrays and a JSON header
        header = json.loads(str(npz["header"]))
    assert header["format"] == "helpers.learn model" and header["mel_params"]["HOP_LENGTH"] == 1024
    assert header["feature_settings"]["context_frames"] == learn.CONTEXT_FRAMES


def test_mlp_round_trip(tmp_path, clicks_set):
    model = train_model(clicks_set, kind="mlp", hidden=4, epochs=1)
    loaded = load_model(save_model(model, tmp_path / "mlp.npz"))
    assert loaded.identity == model.identity and loaded.training["hidden"] == 4


def test_identity_changes_with_any_weight(logistic_model):
    params = dict(logistic_model.params)
    params["w"] = params["w"].copy()
    params["w"][7] += 1e-9
    other = LearnedModel(kind="logistic", params=params, feature_settings=logistic_model.feature_settings,
                         feature_mean=logistic_model.feature_mean, feature_std=logistic_model.feature_std,
                         mel_params=logistic_model.mel_params, training=logistic_model.training)
    assert other.identity != logistic_model.identity


def test_data_with_another_info_json_is_refused(tmp_path, logistic_model):
    path = save_model(logistic_model, tmp_path / "m.npz")
    model = load_model(path)
    S, _ = click_track(100.0, 300)
    other = MelParams(sr=22050, hop_length=512, n_fft=2048, n_mels=80)
    with pytest.raises(DataError) as info:
        learned_novelty(S, model=model, mel_params=other)
    message = str(info.value)
    assert str(path) in message and "hop 1024" in message and "hop 512" in message and "train" in message
    with pytest.raises(DataError, match="data/info.json"):
        learn.check_model_params(model, other, data_source="data/info.json")
    with pytest.raises(ParameterError, match="transposed"):
        learned_novelty(S[:40], model=model, mel_params=P)
    with pytest.raises(ParameterError, match="load_model"):
        track_beats_with_model(S, model=str(path), mel_params=P)


def _bad_files(tmp_path, good: Path) -> dict:
    data = good.read_bytes()
    files = {}
    files["truncated"] = tmp_path / "truncated.npz"
    files["truncated"].write_bytes(data[: len(data) // 2])
    files["garbage"] = tmp_path / "garbage.npz"
    files["garbage"].write_bytes(b"this is not a zip file at all")
    files["empty"] = tmp_path / "empty.npz"
    files["empty"].write_bytes(b"")
    files["pickled"] = tmp_path / "pickled.npz"
    np.savez(files["pickled"], header=np.array([{"format": "helpers.learn model"}], dtype=object))
    files["plain pickle"] = tmp_path / "plain.npz"
    files["plain pickle"].write_bytes(pickle.dumps({"w": [1, 2, 3]}))
    files["foreign"] = tmp_path / "foreign.npz"
    np.savez(files["foreign"], weights=np.ones(3), bias=np.zeros(1))
    files["npy"] = tmp_path / "array.npz"
    with open(files["npy"], "wb") as f:
        np.save(f, np.ones(3))
    with np.load(good, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(str(arrays["header"]))

    def variant(name, **changes):
        h = {**header, **changes.pop("header", {})}
        a = {**arrays, "header": np.array(json.dumps(h)), **changes}
        a = {k: v for k, v in a.items() if v is not None}
        files[name] = tmp_path / f"{name}.npz"
        np.savez(files[name], **a)

    variant("other format", header={"format": "some other model"})
    variant("newer version", header={"version": 99})
    variant("missing weights", param_w=None)
    variant("wrong shape", param_w=np.ones(5))
    variant("unknown kind", header={"kind": "forest"})
    variant("NaN weights", param_w=np.full(FeatureSettings().n_features, np.nan))
    variant("bad settings", header={"feature_settings": {"n_groups": -3}})
    variant("text weights", param_w=np.array(["a"] * FeatureSettings().n_features))
    files["bad header"] = tmp_path / "badheader.npz"
    np.savez(files["bad header"], **{**arrays, "header": np.array("{not json")})
    return files


def test_corrupt_truncated_pickled_and_foreign_files_are_refused(tmp_path, logistic_model):
    good = save_model(logistic_model, tmp_path / "good.npz")
    expected = {"pickled": "pickled", "plain pickle": "pickled", "foreign": "not a helpers.learn model",
                "other format": "not a helpers.learn model", "newer version": "version 99",
                "npy": "single .npy", "truncated": "truncated or corrupt", "garbage": "truncated or corrupt",
                "empty": "is empty"}
    for name, path in _bad_files(tmp_path, good).items():
        with pytest.raises(DataError) as info:
            load_model(path)
        message = str(info.value)
        assert str(path) in message, name
        assert "python -m helpers train" in message or "version" in message, name
        if name in expected:
            assert expected[name] in message, (name, message)
    with pytest.raises(DataMissingError, match="no such model file"):
        load_model(tmp_path / "missing.npz")


def test_model_file_is_written_all_or_nothing(tmp_path, monkeypatch, logistic_model, clicks_set):
    path = save_model(logistic_model, tmp_path / "m.npz")
    before = path.read_bytes()
    other = train_model(clicks_set, kind="logistic", l2=0.5)

    def half_then(exc):
        def write(p, data):
            with open(p, "xb") as f:
                f.write(data[: len(data) // 2])
            raise exc
        return write

    monkeypatch.setattr(files, "_write_file", half_then(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OutputError, match="disk is full") as info:
        save_model(other, path)
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]

    monkeypatch.setattr(files, "_write_file", half_then(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        save_model(other, path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]

    monkeypatch.setattr(files, "_write_file", half_then(PermissionError(errno.EACCES, "Permission denied")))
    with pytest.raises(OutputError, match="read-only"):
        save_model(other, tmp_path / "new.npz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.npz"]
    with pytest.raises(ParameterError, match=".npz"):
        save_model(other, tmp_path / "model.pkl")


# --------------------------------------------------------------------------- real data
@requires_realmel
def test_training_set_from_realmel_reads_both_beat_formats():
    ts = learn.load_training_set([(REALMEL / "melspecs", REALMEL / "beats")], split="all")
    assert len(ts) == 20 and set(ts.sources) == {"realmel"}
    assert ts.flux.dtype == np.float32 and ts.flux.shape[0] == 20
    for i in range(len(ts)):
        y = ts.targets[ts.starts[i]:ts.starts[i] + ts.lengths[i]]
        beats = ts.beat_times_s[i]
        n_beats = np.sum(beats <= (ts.lengths[i] - 1) / FR)
        assert y.max() <= 1 and y.sum() <= n_beats + 1e-3
        if np.min(np.diff(beats)) * FR > 2:           # no two beats share a frame: nothing is clipped
            assert y.sum() == pytest.approx(n_beats, abs=1e-3)
    dev = learn.load_training_set([(REALMEL / "melspecs", REALMEL / "beats")], split="dev")
    assert all(split_of(t) == "dev" for t in dev.track_ids) and len(dev) < 20


# --------------------------------------------------------------------------- command line
def _folder(root: Path, name: str, tracks, **info) -> tuple[Path, Path]:
    mel, ref = root / name / "melspecs", root / name / "beats"
    write_info(mel, **info)
    ref.mkdir(parents=True)
    for tid, S, beats_s in tracks:
        np.save(mel / f"{tid}-mel.npy", S)
        np.savetxt(ref / f"{tid}.txt", beats_s, fmt="%.6f")
    return mel, ref


def _ids_in(split, n=40):
    return [t for t in (f"song{i:02d}" for i in range(n)) if split_of(t) == split]


def test_train_command_with_two_data_sets(tmp_path, capsys):
    dev_ids, test_ids = _ids_in("dev"), _ids_in("test")
    tracks = click_tracks(6, n_frames=400)
    a = _folder(tmp_path, "a", [(dev_ids[i], S, b) for i, (_, S, b) in enumerate(tracks[:3])])
    b = _folder(tmp_path, "b", [(t, S, b) for t, (_, S, b) in zip([dev_ids[3], dev_ids[4], test_ids[0]], tracks[3:])])
    out = tmp_path / "models" / "m.npz"
    code = main(["train", "--melspec-dir", str(a[0]), "--reference_dir", str(a[1]), "--melspec-dir", str(b[0]),
                 "--reference-dir", str(b[1]), "--out", str(out), "--folds", "2", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "training set: 5 tracks (a 3, b 2; split dev)" in captured.out
    assert "2-fold cross-validation" in captured.out and "hand-made flux" in captured.out
    model = load_model(out)
    assert sorted(model.training["track_ids"]) == sorted(dev_ids[:5])        # the test track stayed out
    assert model.training["split"] == "dev" and model.kind == "logistic"
    assert f"wrote {out}" in captured.out

    code = main(["train", "--melspec-dir", str(a[0]), "--reference_dir", str(a[1]), "--out", str(out),
                 "--kind", "mlp", "--hidden", "3", "--epochs", "1", "--seed", "2", "--split", "all", "--quiet"])
    assert code == 0
    model = load_model(out)
    assert model.kind == "mlp" and model.training["hidden"] == 3 and model.training["seed"] == 2


def test_train_command_user_errors(tmp_path, capsys, monkeypatch):
    tracks = click_tracks(2, n_frames=300)
    a = _folder(tmp_path, "a", tracks)
    b = _folder(tmp_path, "b", [("other", *click_track(100.0, 300))], HOP_LENGTH=512)
    out = tmp_path / "m.npz"

    def run(*argv):
        code = main(["train", *map(str, argv), "--quiet", "--split", "all"])
        return code, capsys.readouterr().err

    code, err = run("--melspec-dir", a[0], "--reference_dir", a[1], "--melspec-dir", b[0], "--out", out)
    assert code == 2 and "in pairs" in err
    code, err = run("--melspec-dir", a[0], "--reference_dir", a[1], "--melspec-dir", b[0], "--reference_dir", b[1],
                    "--out", out)
    assert code == 2 and "info.json" in err and "differ" in err
    code, err = run("--melspec-dir", a[0], "--reference_dir", a[1], "--out", tmp_path / "m.pkl")
    assert code == 2 and ".npz" in err
    code, err = run("--melspec-dir", tmp_path / "nowhere", "--reference_dir", a[1], "--out", out)
    assert code == 2 and err.startswith("error: ")
    assert not out.exists()

    from helpers import files

    def denied(path, data):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(files, "_write_file", denied)
    code, err = run("--melspec-dir", a[0], "--reference_dir", a[1], "--out", tmp_path / "ro" / "m.npz")
    assert code == 2 and "Permission denied" in err and str(tmp_path / "ro") in err


def test_train_command_interrupted_leaves_no_model(tmp_path, capsys, monkeypatch):
    a = _folder(tmp_path, "a", click_tracks(2, n_frames=300))
    out = tmp_path / "m.npz"

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(learn.training, "fit_logistic", interrupted)
    code = main(["train", "--melspec-dir", str(a[0]), "--reference_dir", str(a[1]), "--out", str(out), "--quiet",
                 "--split", "all"])
    assert code == 130 and "no model file was written" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


# --------------------------------------------------------------------------- --model for track and validate
def test_validate_and_track_with_a_model_use_the_learned_tracker_cached_by_the_models_content(tmp_path, capsys,
                                                                                              logistic_model):
    import json

    from helpers.batch import run_batch
    from helpers.data import Dataset

    tracks = click_tracks(3, n_frames=500, first_seed=10)
    mel, ref = _folder(tmp_path, "set", tracks)
    model_path = save_model(logistic_model, tmp_path / "m.npz")
    out = tmp_path / "out"
    argv = ["validate", "--melspec-dir", str(mel), "--reference_dir", str(ref), "--out-dir", str(out),
            "--model", str(model_path), "--quiet", "--jobs", "1"]
    assert main(argv) == 0
    assert "learned" in capsys.readouterr().out
    info = json.loads((out / "results.json").read_text())
    assert info["tracker"]["tracker"] == "learned" and info["tracker"]["model_sha256"] == logistic_model.identity
    rows = {r["track_id"]: r for r in info["rows"]}
    assert all(rows[t]["F-measure"] > 0.9 for t, _, _ in tracks)            # the clicks, found with the model

    ds = Dataset(mel, ref.parent, beats_dir=ref)
    again = run_batch(ds, tracker="learned", tracker_params={"model": model_path}, out_dir=out, jobs=1, progress=False)
    assert again.n_from_cache == len(tracks)                                  # same model content: cached
    other = save_model(train_model(clicks_set_of(tracks), kind="logistic", l2=0.5), tmp_path / "m.npz")
    changed = run_batch(ds, tracker="learned", tracker_params={"model": other}, out_dir=out, jobs=1, progress=False)
    assert changed.n_from_cache == 0                                           # another model: tracked again

    est = tmp_path / "est"
    assert main(["track", "--melspec-dir", str(mel), "--out-dir", str(est), "--model", str(model_path), "--quiet",
                 "--jobs", "1"]) == 0
    assert sorted(p.name for p in est.iterdir()) == sorted(f"{t}.txt" for t, _, _ in tracks)
    assert main(["track", "--melspec-dir", str(mel), "--out-dir", str(est), "--model", str(model_path),
                 "--tracker", "librosa"]) == 2
    assert "--model" in capsys.readouterr().err
    assert main(["track", "--melspec-dir", str(mel), "--out-dir", str(est), "--model", str(tmp_path / "no.npz")]) == 2
    assert "no such model file" in capsys.readouterr().err


def clicks_set_of(tracks):
    return build_training_set(tracks, mel_params=P)
