"""Week 2 (build a flux beat tracker; notebooks 02a and 02b): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.

Registered in :mod:`helpers.exercises` (``check("w2.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week2.py``.
"""

from __future__ import annotations

import numpy as np

from .model import (HARMONIX_FRAME_RATE_HZ, Case, Exercise, Wrong, as_float_array, compare_values, describe, diagnose,
                    format_number, has_negative, has_nonfinite, same_values, shape_is, verdict)


def _cases_w2_flux():
    from .. import novelty as nov

    rng = np.random.default_rng(3)
    clicks = np.full((8, 40), 1e-3)
    clicks[:, 5::10] = 1.0
    rand = rng.random((80, 60)) ** 4 * 1e4
    swell = np.concatenate([np.arange(1, 16), np.arange(15, 0, -1)]).astype(float)[None, :] ** 2
    specs = [
        ("a click every 10 frames (8 bands × 40 frames), gamma=1000", clicks, 1000.0),
        ("random power, 80 bands × 60 frames, gamma=1000", rand, 1000.0),
        ("the same power, gamma=10", rand, 10.0),
        ("one band swelling then fading (1 × 30), gamma=100", swell, 100.0),
    ]
    return [Case(name, (S,), {"gamma": g},
                 nov.sum_bands(nov.band_differences(nov.log_compress(S, gamma=g), lag=1)))
            for name, S, g in specs]


def _judge_w2_flux(got, case):
    S, gamma = case.args[0], case.kwargs["gamma"]
    n_bands, n = S.shape
    e = case.expected
    L = np.log1p(gamma * S / S.max())
    D = np.diff(L, axis=1, prepend=L[:, :1])
    early = np.append(e[1:], 0.0)
    late = np.concatenate([[0.0], e[:-1]])
    mistakes = [
        (shape_is((n - 1,)), "np.diff gives n_frames - 1 values: put a 0 at frame 0 so that flux[n] belongs "
                              "to frame n (np.diff(L, axis=1, prepend=L[:, :1]))."),
        (shape_is((n_bands,)), "one value per frame: sum over the bands, axis=0."),
        (shape_is((n_bands, n)), "sum over the bands (axis=0) to get one value per frame."),
        (np.maximum(D.sum(axis=0), 0.0), "rectify each band before summing: np.maximum(D, 0).sum(axis=0). "
                                         "Rectifying the sum lets a band that gets quieter cancel one that "
                                         "gets louder."),
        (has_negative, "your flux has negative values: did you half-wave rectify? Keep only increases, "
                        "np.maximum(D, 0), before summing the bands."),
        (np.abs(D).sum(axis=0), "you took the absolute value: decreases (notes fading) count too. Keep only "
                                "increases: np.maximum(D, 0)."),
        (early, "your result is off by one frame: the difference of frame n is L[:, n] - L[:, n-1], put it at "
                "frame n."),
        (late, "your result is one frame late: the difference L[:, n] - L[:, n-1] belongs to frame n, not n+1."),
        (np.maximum(np.diff(S, axis=1, prepend=S[:, :1]), 0).sum(axis=0),
         "compress first: L = np.log1p(gamma * S / S.max()), then take the differences of L."),
        (lambda g: same_values(g, _flux_of(np.log1p(gamma * S)), rtol=1e-5),
         "divide by S.max() inside the log: np.log1p(gamma * S / S.max()) makes gamma independent of the level."),
        (e / e.max() if e.max() > 0 else e, "don't normalise: return the plain sum over the bands."),
    ]
    if gamma != 1000.0:
        mistakes.append((lambda g: same_values(g, _flux_of(np.log1p(1000.0 * S / S.max())), rtol=1e-5),
                         f"use the gamma argument (this case has gamma={gamma:g}), not a fixed 1000."))
    return verdict(got, e, mistakes, "flux[n] = sum over bands of max(0, L[b, n] - L[b, n-1]), flux[0] = 0, "
                                      "with L = np.log1p(gamma * S / S.max()).",
                    rtol=1e-5, atol=1e-6 * max(1.0, float(e.max())), mistake_rtol=1e-5)


def _flux_of(L: np.ndarray) -> np.ndarray:
    return np.maximum(np.diff(L, axis=1, prepend=L[:, :1]), 0).sum(axis=0)


def _cases_w2_local_average():
    from .. import novelty as nov

    rng = np.random.default_rng(4)
    spikes = np.zeros(30)
    spikes[[5, 15, 24]] = 1.0
    ramp = np.linspace(0.0, 2.0, 100)
    ramp[4::8] += 1.0
    specs = [
        ("three spikes on zeros, n=5", spikes, 5),
        ("spikes every 8 frames on a rising ramp, n=11", ramp, 11),
        ("a random curve of 200 frames, n=21", rng.random(200) ** 3, 21),
    ]
    return [Case(name, (x,), {"n": n}, nov.subtract_local_average(x, frame_rate_hz=1.0, window_s=float(n)))
            for name, x, n in specs]


def _judge_w2_local_average(got, case):
    x, n = case.args[0], case.kwargs["n"]
    h = n // 2
    a = as_float_array(got)
    if a is None or a.shape != x.shape:
        return Wrong(f"expected an array of the same shape as x, {x.shape}; got {describe(got)}",
                     "return one value per frame of x.")
    inner, core = slice(h, x.size - h), slice(n, x.size - n)
    avg = np.convolve(x, np.ones(n) / n, mode="same")
    trailing = np.convolve(x, np.ones(n) / n, mode="full")[: x.size]
    wide = np.convolve(x, np.ones(2 * n + 1) / (2 * n + 1), mode="same")
    e = case.expected
    problem = compare_values(a[inner], e[inner], rtol=1e-6, atol=1e-9, first_index=h)
    if problem is None:
        return None
    problem = f"in frames {h} to {x.size - h - 1} (the edges are not checked), " + problem

    def core_is(candidate):
        return lambda g: same_values(as_float_array(g)[core], candidate[core])

    mistakes = [
        (lambda g: np.any(as_float_array(g)[inner] < -1e-12), "set negative values to 0 (np.maximum(..., 0)): only "
                                                      "what stands out above its neighbourhood is kept."),
        (core_is(avg), "you returned the local average itself: subtract it from x (and keep what is above 0)."),
        (core_is(np.maximum(x - trailing, 0)), "your average lags behind: it uses frames k-n+1 … k. Centre it "
                                               "on k, frames k - n//2 … k + n//2 (np.convolve(x, np.ones(n) / n, "
                                               "mode='same'))."),
        (core_is(np.maximum(x - np.convolve(x, np.ones(n), mode="same"), 0)),
         "divide by n: the local average is the mean of the n frames, not their sum."),
        (core_is(np.maximum(x - wide, 0)), "n is the whole window (n//2 frames on each side), not its "
                                           "half-width: your window has 2n+1 frames."),
        (core_is(e / e.max()), "don't normalise here: return x minus its local average, above 0."),
    ]
    return Wrong(problem, diagnose(got, mistakes) or "y[k] = max(0, x[k] - mean(x[k - n//2 … k + n//2])).")


def _click_train(n_frames: int, period: int, *, offset: int = 3, weak: float = 0.0) -> np.ndarray:
    """A novelty with a click every ``period`` frames (and weaker clicks half-way, if ``weak``)."""
    x = np.zeros(n_frames)
    x[offset::period] = 1.0
    if weak:
        x[offset + period // 2::period] = weak
    return x


def _cases_w2_tempo():
    fr = HARMONIX_FRAME_RATE_HZ
    fr512 = 22050 / 512
    specs = [
        # name, novelty, frame rate, period (frames), prior centre, prior width
        ("a click every 12 frames (40 s at 21.53 frames/s), prior 110 BPM ± 1 octave",
         _click_train(861, 12), fr, 12, 110.0, 1.0),
        ("a click every 7 frames (184.6 BPM), prior 100 BPM ± 0.5 octave: the prior picks 92.3 BPM",
         _click_train(861, 7), fr, 14, 100.0, 0.5),
        ("a click every 24 frames at 43.07 frames/s (hop 512), prior 110 BPM ± 1 octave",
         _click_train(1723, 24), fr512, 24, 110.0, 1.0),
        ("strong beats every 10 frames with weak clicks between, prior 120 BPM ± 1 octave",
         _click_train(861, 10, weak=0.3), fr, 10, 120.0, 1.0),
    ]
    return [
        Case(name, (x,), {"frame_rate_hz": rate, "prior_center_bpm": c, "prior_width_octaves": w},
             60.0 * rate / period)
        for name, x, rate, period, c, w in specs
    ]


def _judge_w2_tempo(got, case):
    e = case.expected
    fr = case.kwargs["frame_rate_hz"]
    c, w = case.kwargs["prior_center_bpm"], case.kwargs["prior_width_octaves"]
    a = as_float_array(got)
    if a is None or a.size != 1:
        return Wrong(f"expected one number (a tempo in BPM, here {format_number(e)}); got {describe(got)}",
                     "return the tempo of the best lag: 60 × frame_rate_hz / lag.")
    g = float(a.ravel()[0])
    if abs(g / e - 1) <= 0.02:
        return None
    problem = f"expected {e:.1f} BPM (within 2 %); got {describe(got)}"
    prior_hint = (f"the autocorrelation peaks at the beat period and at its multiples; the prior (centred at "
                  f"{c:g} BPM, {w:g} octave wide) decides between them. Multiply the autocorrelation by "
                  "exp(-½ (log2(bpm / prior_center_bpm) / prior_width_octaves)²) and take the best lag.")
    mistakes = [
        (lambda v: not np.isfinite(float(v)), "skip lag 0: its tempo is infinite (and a curve always matches "
                                              "itself best there). Start at lag 1."),
        (60.0 * fr / e, "you returned a lag in frames: the tempo is 60 × frame_rate_hz / lag BPM."),
        (60.0 / e, "you returned the beat period in seconds: the tempo is 60 / period BPM."),
        (e / 60.0, "you returned beats per second: multiply by 60 for BPM."),
    ]
    if abs(fr - HARMONIX_FRAME_RATE_HZ) > 1e-6:
        mistakes.append((e * HARMONIX_FRAME_RATE_HZ / fr, f"right at 21.53 frames/s, but this case has {fr:.2f} "
                                                "frames/s: use the frame_rate_hz argument."))
    mistakes += [
        (2 * e, "twice the expected tempo: " + prior_hint),
        (e / 2, "half the expected tempo: " + prior_hint),
        (lambda v: not 30 <= float(v) <= 300, "keep only the lags whose tempo is between 30 and 300 BPM."),
    ]
    return Wrong(problem, diagnose(g, mistakes, rtol=0.02) or prior_hint)


def _dp_step(O, C, period, tightness, *, lags=None, sign=-1.0, square=True, with_onset=True,
             before_start="penalised"):
    """One pass of Ellis's recursion on the learner's C: what C[t] and back[t] should be given C[:t].

    The variants (``sign``, ``square``, ``with_onset``, ``before_start`` in
    {"penalised", "free", "none"}, other ``lags``) are the typical mistakes.
    """
    n = O.size
    from ..beat import dp_lags

    lags = dp_lags(period) if lags is None else lags
    dist = np.log(lags / period)
    penalty = sign * tightness * (dist**2 if square else np.abs(dist))
    s = np.arange(n)[:, None] - lags[None, :]                  # (n, n_lags): candidate previous beats
    prev = np.where(s >= 0, C[np.maximum(s, 0)], 0.0)
    score = prev + penalty
    if before_start == "none":
        score = np.where(s >= 0, score, -np.inf)
    elif before_start == "free":
        score = np.where(s >= 0, score, 0.0)
    j = np.argmax(score, axis=1)
    best = score[np.arange(n), j]
    best = np.where(np.isfinite(best), best, 0.0)
    back = np.where(s[np.arange(n), j] >= 0, s[np.arange(n), j], -1)
    if before_start == "none":
        back = np.where(np.isfinite(score[np.arange(n), j]), back, -1)
    return (O if with_onset else 0.0) + best, back


def _backtrack(C: np.ndarray, back: np.ndarray, period: float) -> np.ndarray:
    tail = max(0, C.size - int(np.ceil(period)))
    frames = [tail + int(np.argmax(C[tail:]))]
    while back[frames[-1]] >= 0 and len(frames) <= C.size:
        frames.append(int(back[frames[-1]]))
    return np.array(frames[::-1])


def _cases_w2_dp():
    from ..beat import dp_beat_frames

    rng = np.random.default_rng(5)
    four = 0.01 * rng.random(20)
    four[[2, 7, 12, 17]] += 1.0
    missing = 0.01 * rng.random(60)
    missing[[3, 9, 15, 27, 34, 40, 46, 52]] += rng.uniform(0.5, 1.5, 8)
    specs = [
        ("4 clicks 5 frames apart on a quiet floor, period 5, tightness 100", four, 5.0, 100.0),
        ("clicks about 6 frames apart, one missing, period 6.2, tightness 400", missing, 6.2, 400.0),
        ("a random novelty of 120 frames, period 7.3, tightness 100", rng.random(120) ** 2, 7.3, 100.0),
        ("a random novelty of 200 frames, period 11.6, tightness 10", rng.random(200) ** 2, 11.6, 10.0),
    ]
    return [Case(name, (O,), {"period_frames": P, "tightness": t},
                 dp_beat_frames(O, period_frames=P, tightness=t))
            for name, O, P, t in specs]


def _judge_w2_dp(got, case):
    O = case.args[0]
    P, tight = case.kwargs["period_frames"], case.kwargs["tightness"]
    n = O.size
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        a = as_float_array(got)
        looks_like_beats = a is not None and a.ndim == 1 and a.size < n and np.all(a == np.round(a))
        return Wrong(f"expected two arrays (C, back), each of {n} values; got {describe(got)}",
                     "this looks like beat frames: return C and back from the forward pass "
                     "(`return C, back`); the backtracking is done for you." if looks_like_beats
                     else "end the function with `return C, back`.")
    C, back = as_float_array(got[0]), as_float_array(got[1])
    for name, arr, value in (("C", C, got[0]), ("back", back, got[1])):
        if arr is None or arr.shape != (n,):
            return Wrong(f"expected {name} with {n} values, one per frame; got {describe(value)}",
                         f"{name} needs one value per frame of O.")
    exp_C, exp_back = _dp_step(O, C, P, tight)
    bad = ~np.isclose(C, exp_C, rtol=1e-9, atol=1e-9)
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        problem = (f"C[{t}] is wrong (C[0] … C[{t - 1}] are right): expected {exp_C[t]:.5g} = O[{t}] + the best "
                   f"previous score, got {C[t]:.5g}" if t else
                   f"C[0] is wrong: expected {exp_C[0]:.5g}, got {C[0]:.5g}")
        before_hint = ("before the track there is silence with C = 0, but the spacing penalty still applies: for "
                       "s < 0 the candidate is 0 - tightness·log(lag/P)², and back[t] = -1.")
        variants = [
            (dict(sign=+1.0), "the penalty must lower the score: -tightness·log(lag/P)², with a minus sign."),
            (dict(with_onset=False), "C[t] includes the onset strength of frame t itself: O[t] + the best "
                                     "previous score."),
            (dict(square=False), "square the log: -tightness·log(lag/P)², not its absolute value."),
            (dict(before_start="free"), before_hint),
            (dict(before_start="none"), before_hint),
        ]
        hint = None
        for kwargs, text in variants:
            alt, _ = _dp_step(O, C, P, tight, **kwargs)
            if np.isclose(C[t], alt[t], rtol=1e-9, atol=1e-9):
                hint = text
                break
        return Wrong(problem, hint or "C[t] = O[t] + max over lags from max(1, floor(P/2)) to ceil(2P) of "
                                      "(C[t - lag], or 0 before the track) - tightness·log(lag/P)².")
    wrong_back = np.flatnonzero(back != exp_back)
    if wrong_back.size:
        t = int(wrong_back[0])
        problem = f"C is right, but back[{t}] = {format_number(back[t])}; expected {exp_back[t]}"
        if exp_back[t] >= 0 and back[t] == t - exp_back[t]:
            hint = "back[t] is the frame s of the previous beat, not the lag t - s."
        elif exp_back[t] < 0:
            hint = "when the best previous beat is before the track (s < 0), back[t] = -1: t is the first beat."
        else:
            hint = "back[t] is the frame s that gave the best score (np.argmax over the lags, the first best)."
        return Wrong(problem, hint)
    beats = _backtrack(C, back.astype(int), P)
    if not np.array_equal(beats, case.expected):
        return Wrong(f"your C and back follow the recursion, but backtracking them gives the beats "
                     f"{describe(beats)} while helpers.beat.dp_beat_frames gives {describe(case.expected)}: "
                     "the course's helper and this exercise disagree; please report it.")
    return None


def _cases_w2_refine():
    from ..beat import refine_beat_times
    from ..novelty import Novelty

    rng = np.random.default_rng(6)
    split = np.zeros(20)
    split[[5, 6]] = [0.7, 0.3]
    split[[12, 13, 14]] = [0.2, 1.0, 0.2]
    edges = 0.05 + 0.05 * rng.random(25)
    edges[[0, 1]] = [1.0, 0.4]
    edges[[11, 12, 13]] = [0.3, 0.8, 0.1]
    edges[[23, 24]] = [0.5, 0.9]
    peaky = rng.random(300) ** 4 + 0.01
    peaks = 1 + np.flatnonzero((peaky[1:-1] > peaky[:-2]) & (peaky[1:-1] >= peaky[2:]))   # local maxima
    peaks = peaks[np.concatenate([[True], np.diff(peaks) >= 3])]                        # >= 3 frames apart
    quiet = np.zeros(30)
    quiet[[9, 10, 11]] = [0.1, 0.3, 1.0]          # frame 10 is on the rise of the onset at 11
    quiet[[21]] = 0.8
    specs = [
        ("an onset split 70/30 over frames 5 and 6, a clean peak at 13", split, [5, 13], HARMONIX_FRAME_RATE_HZ),
        ("beats at the first and the last frame (and at 12)", edges, [0, 12, 24], HARMONIX_FRAME_RATE_HZ),
        ("peaks of a random novelty at 43.07 frames/s (hop 512)", peaky, peaks[:40], 22050 / 512),
        ("a beat in silence (frame 3), one on a rising edge (frame 10), one on a peak (frame 21)", quiet,
         [3, 10, 21], HARMONIX_FRAME_RATE_HZ),
    ]
    return [
        Case(name, (y, np.asarray(frames, dtype=int)), {"frame_rate_hz": fr},
             refine_beat_times(Novelty(y, fr), np.asarray(frames, dtype=int), method="centroid"))
        for name, y, frames, fr in specs
    ]


def _judge_w2_refine(got, case):
    y, f = case.args
    fr = case.kwargs["frame_rate_hz"]
    p = np.concatenate([[0.0], y, [0.0]])
    a, b, c = p[f], p[f + 1], p[f + 2]
    total = a + b + c
    raw = np.where(total > 0, (c - a) / np.where(total > 0, total, 1.0), 0.0)
    shift = np.clip(raw, -0.5, 0.5)
    wrapped = np.where(f == 0, y[-1], a)
    den = a - 2 * b + c
    parabola = np.where(den < 0, 0.5 * (a - c) / np.where(den < 0, den, -1.0), 0.0)
    mistakes = [
        (has_nonfinite, "nan where y[f-1] + y[f] + y[f+1] = 0 (a beat in silence): there is nothing to weigh, so "
                        "keep f there (shift 0)."),
        ((f + raw) / fr, "the shift is at most half a frame either way: np.clip(shift, -0.5, 0.5). Further than "
                         "that, the onset belongs to the next frame's beat, not this one."),
        (f + shift, "seconds expected, got frame numbers: divide by frame_rate_hz."),
        (f / fr, "these are the frame times, not refined: add the shift (y[f+1] - y[f-1]) / "
                 "(y[f-1] + y[f] + y[f+1]) to f first."),
        ((f - shift) / fr, "your shift goes the wrong way: more novelty after the beat (y[f+1]) moves it later, "
                           "f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])."),
        ((f + parabola) / fr, "that is the parabola's vertex (section 4); this exercise asks for the centroid, "
                              "f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])."),
        ((f + np.clip((c - wrapped) / np.where(wrapped + b + c > 0, wrapped + b + c, 1.0), -0.5, 0.5)) / fr,
         "at frame 0, y[f - 1] is y[-1], the LAST value of the curve: treat values outside the curve as 0 "
         "(pad y with a 0 at each end)."),
    ]
    if abs(fr - HARMONIX_FRAME_RATE_HZ) > 1e-6:
        mistakes.append(((f + shift) / HARMONIX_FRAME_RATE_HZ, f"this case has {fr:.2f} frames/s: divide by the "
                                                     "frame_rate_hz argument, not 21.53."))
    return verdict(got, case.expected, mistakes,
                    "t = (f + shift) / frame_rate_hz, shift = (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1]) clipped to "
                    "±0.5 (0 where the sum is 0), with y = 0 outside the curve.", rtol=1e-9, atol=1e-9, unit="s")


def _error_hint_w2_refine(exc, case):
    if isinstance(exc, IndexError):
        return ("at the last frame, y[f + 1] does not exist: pad y with a 0 at each end "
                "(np.concatenate([[0.0], y, [0.0]])) and shift the indices by one.")
    return None


# --------------------------------------------------------------------------- 02a: variations
def _cases_w2_low_flux():
    from .. import novelty as nov
    from ..data import HARMONIX_PARAMS

    rng = np.random.default_rng(7)
    harmonix_f = HARMONIX_PARAMS.mel_frequencies_hz()
    kick = np.full((80, 40), 1e-3)
    kick[:4, 3::8] = 1.0                  # a kick in the lowest bands every 8 frames
    kick[40:, 7::8] = 0.5                 # a hi-hat half-way between
    hand_f = np.array([50.0, 100.0, 250.0, 500.0, 1000.0])
    specs = [
        ("a kick every 8 frames and a hi-hat between (Harmonix's 80 bands), cutoff 250 Hz, gamma=1000",
         kick, 1000.0, harmonix_f, 250.0),
        ("random power, 80 bands × 60 frames, cutoff 500 Hz, gamma=100", rng.random((80, 60)) ** 4 * 1e4, 100.0,
         harmonix_f, 500.0),
        ("5 bands centred at 50, 100, 250, 500, 1000 Hz; cutoff exactly 250 Hz, gamma=10",
         rng.random((5, 30)) ** 2 * 10, 10.0, hand_f, 250.0),
    ]
    return [Case(name, (S,), {"gamma": g, "band_centres_hz": f, "cutoff_hz": c},
                 nov.sum_bands(nov.band_differences(nov.log_compress(S, gamma=g)), weights=(f < c).astype(float)))
            for name, S, g, f, c in specs]


def _judge_w2_low_flux(got, case):
    S, g = case.args[0], case.kwargs["gamma"]
    f, c = case.kwargs["band_centres_hz"], case.kwargs["cutoff_hz"]
    low = f < c

    def flux(L, rows, *, rectify=True):
        D = np.diff(L, axis=1, prepend=L[:, :1])
        return (np.maximum(D, 0.0) if rectify else D)[rows].sum(axis=0)

    L = np.log1p(g * S / S.max())
    L_low = np.log1p(g * S[low] / S[low].max()) if low.any() and S[low].max() > 0 else L[low]
    mistakes = [
        (flux(L, slice(None)), "you summed all the bands: keep only those whose centre is below cutoff_hz "
                               "(band_centres_hz < cutoff_hz)."),
        (flux(L, ~low), "those are the bands ABOVE the cut-off: keep band_centres_hz < cutoff_hz."),
        (flux(L, f <= c), "strictly below the cut-off: a band centred exactly at cutoff_hz is not a low band "
                          "(band_centres_hz < cutoff_hz, as helpers.novelty.low_band_weights does)."),
        (flux(L_low, slice(None)), "compress with the maximum of the WHOLE spectrogram, S.max(): the low bands "
                                   "alone would be lifted as if they were the loudest part of the mix."),
        (flux(L, low, rectify=False), "half-wave rectify each band's difference (np.maximum(D, 0)) before "
                                      "summing."),
    ]
    return verdict(got, case.expected, mistakes,
                   "the flux of the inline exercise, with the sum over the bands with centre < cutoff_hz only.",
                   rtol=1e-6, atol=1e-9)


def _cases_w2_fourier():
    from ..novelty import Novelty
    from ..tempo import fourier_tempogram

    fr = HARMONIX_FRAME_RATE_HZ
    rng = np.random.default_rng(8)
    n = int(round(10 * fr))
    t = np.arange(n) / fr
    bpm = np.array([60.0, 90.0, 120.0, 180.0, 240.0])
    specs = [
        ("a cosine at 120 BPM, 10 s at 21.53 frames/s", 1.0 + np.cos(2 * np.pi * 2.0 * t), fr, bpm),
        ("a click every 12 frames (107.7 BPM), 10 s", _click_train(n, 12), fr,
         np.array([53.8, 80.0, 107.7, 161.5, 215.3])),
        ("a random novelty, 8 s at 43.07 frames/s (hop 512)", rng.random(int(8 * 22050 / 512)) ** 3, 22050 / 512,
         np.arange(40.0, 300.0, 20.0)),
    ]
    cases = []
    for name, x, rate, b in specs:
        tg = fourier_tempogram(Novelty(x, rate), window_s=x.size / rate, hop_s=1.0, bpm=b)
        cases.append(Case(name, (x,), {"frame_rate_hz": rate, "bpm": b}, tg.values[:, 0]))
    return cases


def _fourier_variant(x, fr, bpm, *, demean=True, window="hann", per_minute=True, per_frame_rate=True,
                     part="abs", normalise=True):
    x = np.asarray(x, dtype=float)
    n = x.size
    x = x - x.mean() if demean else x
    w = {"hann": np.hanning(n + 2)[1:-1], "hanning_n": np.hanning(n), "none": np.ones(n)}[window]
    xw = x * w
    f = bpm / 60.0 if per_minute else bpm
    k = np.arange(n) / fr if per_frame_rate else np.arange(n)
    z = (xw[None, :] * np.exp(-2j * np.pi * f[:, None] * k[None, :])).sum(axis=1)
    mag = {"abs": np.abs(z), "real": np.abs(z.real)}[part]
    energy = np.sqrt(n * np.sum(xw**2) / 2.0)
    return mag / energy if normalise and energy > 0 else mag


def _judge_w2_fourier(got, case):
    x, fr, b = case.args[0], case.kwargs["frame_rate_hz"], case.kwargs["bpm"]

    def variant(**kw):
        return _fourier_variant(x, fr, b, **kw)

    mistakes = [
        (shape_is((x.size,)), f"one value per tempo of bpm ({b.size} here), not one per frame."),
        (variant(normalise=False), "divide by sqrt(N · sum((x·w)²) / 2), so the level of the novelty does not "
                                   "matter."),
        (variant(demean=False), "remove the mean of the window first (x - x.mean()): otherwise its constant part "
                                "leaks into the slow tempi."),
        (variant(window="none"), "multiply by the Hann window w = np.hanning(N + 2)[1:-1] before the sum."),
        (variant(window="hanning_n"), "the Hann window here is np.hanning(N + 2)[1:-1] (np.hanning(N) has zeros at "
                                      "both ends)."),
        (variant(per_minute=False), "bpm are beats per MINUTE: the frequency in Hz is bpm / 60."),
        (variant(per_frame_rate=False), "frame n is at n / frame_rate_hz seconds: the phase is "
                                        "2π · (bpm / 60) · n / frame_rate_hz."),
        (variant(part="real"), "take the magnitude of the complex sum (np.abs of the sum with np.exp(-2j·π·…), or "
                               "the hypotenuse of the cosine and sine sums), not the cosine part alone."),
    ]
    return verdict(got, case.expected, mistakes,
                   "x = window - mean; xw = x · np.hanning(N + 2)[1:-1]; |sum_n xw[n] exp(-2πi (bpm/60) n / "
                   "frame_rate_hz)| / sqrt(N · sum(xw²) / 2).", rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------- 02b: backtracking
def _hand_backtrack_cases():
    # P = 4: the best C of the whole track (frame 6) is not in the final period (frames 8-11).
    C1 = np.array([1.0, 0.0, 3.0, 0.5, 1.0, 0.0, 9.0, 0.2, 4.0, 0.0, 5.0, 2.0])
    back1 = np.array([-1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7])
    # P = 4.5: the final period is the last ceil(4.5) = 5 frames (7-11); the first beat is frame 0.
    C2 = np.array([2.0, 0.0, 0.0, 4.0, 1.0, 0.0, 1.0, 8.0, 6.0, 0.0, 7.0, 0.0])
    back2 = np.array([-1, -1, -1, 0, -1, 1, 2, 3, 4, 5, 6, 7])
    return [
        ("by hand: P = 4, the largest C (frame 6) before the final period", C1, back1, 4.0,
         np.array([2, 6, 10])),
        ("by hand: P = 4.5, the best final beat at the start of the final period, first beat at frame 0",
         C2, back2, 4.5, np.array([0, 3, 7])),
    ]


def _cases_w2_backtrack():
    from ..beat import dp_beat_frames

    cases = [Case(name, (C, back), {"period_frames": P}, expected)
             for name, C, back, P, expected in _hand_backtrack_cases()]
    for dp_case in _cases_w2_dp()[1:]:
        O, P, tight = dp_case.args[0], dp_case.kwargs["period_frames"], dp_case.kwargs["tightness"]
        C, back = _dp_forward_reference(O, P, tight)
        cases.append(Case(f"C and back of the forward pass: {dp_case.name}", (C, back), {"period_frames": P},
                          dp_beat_frames(O, period_frames=P, tightness=tight)))
    return cases


def _dp_forward_reference(O, P, tightness):
    """The forward pass (C, back) as the w2.dp exercise defines it (frame by frame, like the solution)."""
    from ..beat import dp_lags

    lags = dp_lags(P)
    penalty = -tightness * np.log(lags / P) ** 2
    C, back = np.zeros(O.size), np.full(O.size, -1)
    for t in range(O.size):
        s = t - lags
        score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) + penalty
        j = int(np.argmax(score))
        C[t] = O[t] + score[j]
        back[t] = s[j] if s[j] >= 0 else -1
    return C, back


def _backtrack_variant(C, back, P, *, start="final", stop=-1, reverse=True, keep_minus_one=False, tail=None):
    n = C.size
    if start == "final":
        t0 = max(0, n - (int(np.ceil(P)) if tail is None else tail))
        b = t0 + int(np.argmax(C[t0:]))
    elif start == "global":
        b = int(np.argmax(C))
    else:
        b = n - 1
    frames = [b]
    while back[b] > stop and len(frames) <= n:
        b = int(back[b])
        frames.append(b)
    if keep_minus_one and back[b] == -1:
        frames.append(-1)
    return np.array(frames[::-1] if reverse else frames)


def _judge_w2_backtrack(got, case):
    C, back = case.args
    P = case.kwargs["period_frames"]

    def variant(**kw):
        return _backtrack_variant(C, back, P, **kw)

    final_hint = ("the last beat is the frame with the best C in the final period, the last ceil(P) frames "
                  "(C[n - ceil(P):]): ")
    mistakes = [
        (variant(reverse=False), "your beats run backwards: reverse the list (beats in increasing order)."),
        (variant(keep_minus_one=True), "stop at -1: it means 'no previous beat' and is not a frame."),
        (variant(stop=0), "frame 0 can be a beat: follow back while it is >= 0 (`while back[b] >= 0`), and stop "
                          "only at -1."),
        (variant(start="global"), final_hint + "the best C of the whole track need not be there, and a beat "
                                  "sequence must reach the end of the track."),
        (variant(start="last"), final_hint + "the very last frame need not be a beat."),
        (variant(tail=int(np.floor(P))), final_hint + f"here ceil({P:g}) = {int(np.ceil(P))} frames, not "
                                         f"{int(np.floor(P))}."),
        (variant(tail=int(np.round(P))), final_hint + f"here ceil({P:g}) = {int(np.ceil(P))} frames."),
    ]
    return verdict(got, case.expected, mistakes,
                   "start at the best C among the last ceil(P) frames, follow back until -1, reverse.",
                   rtol=0, atol=0)


# --------------------------------------------------------------------------- 02b: variations
def _dp_all_step(O, C, P, tightness, *, window_only=False, before_track=True, sign=-1.0, with_onset=True):
    """What C[t], back[t] should be for every t given the learner's C[:t] (a DP over all predecessors).

    Real predecessors: every earlier frame (lags 1 … t); before the track: the lags of
    :func:`helpers.beat.dp_lags` that reach before frame 0 (C = 0 there), as in ``w2.dp``.
    The variants (``window_only``, ``before_track=False``, ``sign``, ``with_onset``) are the typical mistakes.
    """
    from ..beat import dp_lags

    window = dp_lags(P)
    n = O.size
    exp_C, exp_back = np.zeros(n), np.full(n, -1)
    for t in range(n):
        real = window[window <= t] if window_only else np.arange(1, t + 1)
        lags = np.concatenate([real, window[window > t]]) if before_track else real
        if lags.size == 0:
            exp_C[t] = O[t] if with_onset else 0.0
            continue
        s = t - lags
        score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) + sign * tightness * np.log(lags / P) ** 2
        j = int(np.argmax(score))
        exp_C[t] = (O[t] if with_onset else 0.0) + score[j]
        exp_back[t] = s[j] if s[j] >= 0 else -1
    return exp_C, exp_back


def _cases_w2_dp_all():
    rng = np.random.default_rng(9)
    clicks = 0.01 * rng.random(25)
    clicks[[2, 7, 12, 17, 22]] += 1.0
    specs = [
        ("a click every 5 frames (25 frames), period 5, tightness 100", clicks, 5.0, 100.0),
        ("a random novelty of 80 frames, period 6.2, tightness 1 (intervals shorter than P/2 can win)",
         3 * rng.random(80) ** 2, 6.2, 1.0),
        ("a random novelty of 150 frames, period 9.5, tightness 30", rng.random(150) ** 3, 9.5, 30.0),
    ]
    return [Case(name, (O,), {"period_frames": P, "tightness": tight}, _dp_all_forward(O, P, tight))
            for name, O, P, tight in specs]


def _dp_all_forward(O, P, tightness):
    """(C, back) of the DP over all predecessors, frame by frame (the definition of ``w2.dp_all``)."""
    from ..beat import dp_lags

    window = dp_lags(P)
    C, back = np.zeros(O.size), np.full(O.size, -1)
    for t in range(O.size):
        lags = np.concatenate([np.arange(1, t + 1), window[window > t]])
        s = t - lags
        score = np.where(s >= 0, C[np.maximum(s, 0)], 0.0) - tightness * np.log(lags / P) ** 2
        j = int(np.argmax(score))
        C[t] = O[t] + score[j]
        back[t] = s[j] if s[j] >= 0 else -1
    return C, back


def _judge_w2_dp_all(got, case):
    O = case.args[0]
    P, tight = case.kwargs["period_frames"], case.kwargs["tightness"]
    n = O.size
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return Wrong(f"expected two arrays (C, back), each of {n} values; got {describe(got)}",
                     "end the function with `return C, back`.")
    C, back = as_float_array(got[0]), as_float_array(got[1])
    for name, arr, value in (("C", C, got[0]), ("back", back, got[1])):
        if arr is None or arr.shape != (n,):
            return Wrong(f"expected {name} with {n} values, one per frame; got {describe(value)}",
                         f"{name} needs one value per frame of O.")
    exp_C, exp_back = _dp_all_step(O, C, P, tight)
    bad = ~np.isclose(C, exp_C, rtol=1e-9, atol=1e-9)
    if bad.any():
        t = int(np.flatnonzero(bad)[0])
        problem = (f"C[{t}] is wrong (C[0] … C[{t - 1}] are right): expected {exp_C[t]:.5g}, got {C[t]:.5g}" if t
                   else f"C[0] is wrong: expected {exp_C[0]:.5g}, got {C[0]:.5g}")
        variants = [
            (dict(window_only=True), "this variant looks at ALL earlier frames s = 0 … t-1 (lags 1 … t), not only "
                                     "the lags floor(P/2) … ceil(2P) of dp_forward."),
            (dict(before_track=False), "frames before the track still count, as in dp_forward: the lags "
                                       "floor(P/2) … ceil(2P) that reach before frame 0 propose s < 0 with C = 0 "
                                       "(and back[t] = -1)."),
            (dict(sign=+1.0), "the penalty must lower the score: -tightness·log(lag/P)², with a minus sign."),
            (dict(with_onset=False), "C[t] includes the onset strength of frame t itself: O[t] + the best score."),
        ]
        hint = None
        for kwargs, text in variants:
            alt, _ = _dp_all_step(O, C, P, tight, **kwargs)
            if np.isclose(C[t], alt[t], rtol=1e-9, atol=1e-9):
                hint = text
                break
        return Wrong(problem, hint or "C[t] = O[t] + max over lags 1 … t (and the window's lags beyond t, C = 0) of "
                                      "C[t - lag] - tightness·log(lag/P)².")
    wrong_back = np.flatnonzero(back != exp_back)
    if wrong_back.size:
        t = int(wrong_back[0])
        problem = f"C is right, but back[{t}] = {format_number(back[t])}; expected {exp_back[t]}"
        if exp_back[t] >= 0 and back[t] == t - exp_back[t]:
            hint = "back[t] is the frame s of the previous beat, not the lag t - s."
        elif exp_back[t] < 0:
            hint = "when the best predecessor is before the track (s < 0), back[t] = -1: t is the first beat."
        else:
            hint = "back[t] is the frame s that gave the best score (the first best in order of increasing lag)."
        return Wrong(problem, hint)
    return None


def _cases_w2_parabolic():
    cases = _cases_w2_refine()
    from ..beat import refine_beat_times
    from ..novelty import Novelty

    rising = np.array([0.1, 0.2, 0.4, 0.7, 1.0, 0.6, 0.3, 0.2, 0.5, 0.9, 0.4, 0.1])
    frames = np.array([3, 9])            # frame 3 is on a rising slope (no peak): no shift
    fr = HARMONIX_FRAME_RATE_HZ
    out = [Case(c.name, c.args, c.kwargs,
                refine_beat_times(Novelty(c.args[0], c.kwargs["frame_rate_hz"]), c.args[1], method="parabolic"))
           for c in cases]
    out.append(Case("a beat on a rising slope (frame 3, not a peak) and one on a peak (frame 9)", (rising, frames),
                    {"frame_rate_hz": fr}, refine_beat_times(Novelty(rising, fr), frames, method="parabolic")))
    return out


def _judge_w2_parabolic(got, case):
    y, f = case.args
    fr = case.kwargs["frame_rate_hz"]
    p = np.concatenate([[0.0], y, [0.0]])
    a, b, c = p[f], p[f + 1], p[f + 2]
    den = a - 2 * b + c
    peak = (b >= a) & (b >= c) & (den < 0)
    vertex = np.where(den != 0, 0.5 * (a - c) / np.where(den != 0, den, 1.0), 0.0)
    shift = np.where(peak, vertex, 0.0)
    total = a + b + c
    centroid = np.where(total > 0, (c - a) / np.where(total > 0, total, 1.0), 0.0)
    wrapped = np.where(f == 0, y[-1], a)
    den_w = wrapped - 2 * b + c
    peak_w = (b >= wrapped) & (b >= c) & (den_w < 0)
    shift_w = np.where(peak_w, 0.5 * (wrapped - c) / np.where(peak_w, den_w, -1.0), 0.0)
    mistakes = [
        (f + shift, "seconds expected, got frame numbers: divide by frame_rate_hz."),
        ((f - shift) / fr, "your shift goes the wrong way: the vertex is at f + 0.5·(y[f-1] - y[f+1]) / "
                           "(y[f-1] - 2·y[f] + y[f+1])."),
        ((f + vertex) / fr, "move a beat only where f is a local maximum (y[f] >= both neighbours, and the "
                            "denominator < 0); elsewhere the parabola opens upwards or its vertex is far away: "
                            "keep f."),
        ((f + centroid) / fr, "that is the centroid (the inline fill-in); here the vertex of the parabola through "
                              "y[f-1], y[f], y[f+1]."),
        ((f + shift_w) / fr, "at frame 0, y[f - 1] is y[-1], the LAST value of the curve: treat values outside "
                             "the curve as 0 (pad y with a 0 at each end)."),
        (f / fr, "these are the frame times, not refined: add the vertex's shift to f first."),
    ]
    return verdict(got, case.expected, mistakes,
                   "t = (f + 0.5·(y[f-1] - y[f+1]) / (y[f-1] - 2·y[f] + y[f+1])) / frame_rate_hz at a local "
                   "maximum, f / frame_rate_hz elsewhere; y = 0 outside the curve.", rtol=1e-9, atol=1e-9, unit="s")


#: This week's exercises, in course order. Week 2 has two notebooks: 02a (novelty and tempo) and 02b (beats
#: and evaluation), each with three fill-ins (written where the idea is introduced) and two end-of-week variations.
EXERCISES = (
    # ------------------------------------------------------------------ 02a: novelty and tempo
    Exercise(
        "w2.flux", "Half-wave rectified log flux", "half_wave_flux", "S_power, gamma",
        "Four steps, as one function:\n\n"
        "1. log compression, `L = np.log1p(gamma * S / S.max())`;\n"
        "2. the difference of each band from the previous frame;\n"
        "3. half-wave rectification: keep increases only (negative differences become 0);\n"
        "4. the sum over the bands.\n\n"
        "No band weights, no local average, no normalisation.\n\n"
        "**You get** `S_power` (bands × frames) and `gamma`.\n\n"
        "**Return** one value per frame: `flux[n]` is the increase arriving at frame `n` "
        "(`L[:, n] - L[:, n-1]`), and `flux[0] = 0`.",
        _cases_w2_flux, _judge_w2_flux,
        on_pass="Same as `nov.sum_bands(nov.band_differences(nov.log_compress(S, gamma=gamma)))`, which the "
                "notebook uses from here on.",
        inline=True, part="a",
    ),
    Exercise(
        "w2.local_average", "Subtract a local average", "above_local_average", "x, n",
        "Keep only what stands out from its neighbourhood: a loud chorus raises the whole flux curve, but an "
        "onset is a peak above its surroundings.\n\n"
        "**You get** a curve `x` (one value per frame) and an odd window length `n` in frames.\n\n"
        "**Return** `y[k] = max(0, x[k] - mean of x over the n frames centred on k)`, one value per frame. "
        "Near the ends, where the window sticks out of the curve, any sensible choice is fine: the check "
        "looks only at frames at least `n // 2` from either end.",
        _cases_w2_local_average, _judge_w2_local_average,
        on_pass="`helpers.novelty.subtract_local_average` does the same (it averages fewer frames at the "
                "edges).",
        inline=True, part="a",
    ),
    Exercise(
        "w2.tempo", "Tempo of one window from the autocorrelation, with a prior", "acf_tempo",
        "novelty, frame_rate_hz, prior_center_bpm, prior_width_octaves",
        "The tempo of one window of the novelty (the whole array you get is the window):\n\n"
        "1. Remove the mean; take the autocorrelation `r[lag]` for lags `1` to `len(x) - 1` "
        "(`np.correlate(x, x, mode=\"full\")[len(x) - 1:]` holds lags 0, 1, 2, ...).\n"
        "2. The tempo of a lag is `60 * frame_rate_hz / lag` BPM; keep the lags between 30 and 300 BPM.\n"
        "3. Weight each lag by the prior "
        "`np.exp(-0.5 * (np.log2(bpm / prior_center_bpm) / prior_width_octaves) ** 2)`.\n\n"
        "**You get** the novelty values of the window (1-D), the frame rate and the prior's centre and width.\n\n"
        "**Return** the tempo in BPM of the lag with the largest weighted autocorrelation.",
        _cases_w2_tempo, _judge_w2_tempo,
        on_pass="`helpers.tempo.estimate_tempo` does this over sliding windows (a tempogram), multiplies it with a "
                "Fourier tempogram, and finds the tempo between whole-frame lags.",
        inline=True, part="a",
    ),
    Exercise(
        "w2.low_flux", "The flux of the low bands only", "low_band_flux", "S_power, gamma, band_centres_hz, cutoff_hz",
        "Your `half_wave_flux`, listening only to the kick drum and the bass: sum the rectified differences over "
        "the bands whose centre frequency is below `cutoff_hz` (Week 1's mel band centres say which rows those "
        "are). Compress with the maximum of the whole spectrogram, as before.\n\n"
        "**You get** `S_power` (bands × frames), `gamma`, the centre frequency of every band in Hz "
        "(`p.mel_frequencies_hz()`) and the cut-off in Hz.\n\n"
        "**Return** one value per frame (`flux[0] = 0`).",
        _cases_w2_low_flux, _judge_w2_low_flux,
        on_pass="With `weights = (band_centres_hz < cutoff_hz).astype(float)` this is "
                "`nov.sum_bands(nov.band_differences(nov.log_compress(S, gamma=gamma)), weights=weights)`. The "
                "tracker gives these bands half of each track's flux (`low_band_share=0.5`).",
        part="a",
    ),
    Exercise(
        "w2.fourier", "One window of a Fourier tempogram", "fourier_salience", "window, frame_rate_hz, bpm",
        "The autocorrelation asked *does the curve repeat after this lag?*; the Fourier tempogram asks *how well "
        "does a sinusoid at this tempo fit?* For one window of `N` frames:\n\n"
        "1. remove the mean, `x = window - window.mean()`, and multiply by a Hann window, "
        "`xw = x * np.hanning(N + 2)[1:-1]`;\n"
        "2. for each tempo, the frequency is `bpm / 60` Hz and frame `n` is at `n / frame_rate_hz` s: take the "
        "magnitude of `sum_n xw[n] * np.exp(-2j * np.pi * (bpm / 60) * n / frame_rate_hz)`;\n"
        "3. divide by `np.sqrt(N * np.sum(xw ** 2) / 2)`, so that the level of the novelty does not matter "
        "(a cosine at exactly that tempo then scores about 0.82 with this window).\n\n"
        "**You get** the window (1-D), the frame rate and an array of tempi in BPM.\n\n"
        "**Return** one salience per tempo.",
        _cases_w2_fourier, _judge_w2_fourier,
        on_pass="One column of `helpers.tempo.fourier_tempogram`. A click train scores at its tempo AND at its "
                "multiples (a pulse has harmonics): the opposite octave error of the autocorrelation's.",
        part="a",
    ),
    # ------------------------------------------------------------------ 02b: beats and evaluation
    Exercise(
        "w2.dp", "The dynamic-programming recursion", "dp_forward", "O, period_frames, tightness",
        "The forward pass (Ellis 2007). For every frame `t`, in order: every lag from `max(1, floor(P/2))` to "
        "`ceil(2P)` (both included) proposes a previous beat `s = t - lag`, scored "
        "`C[s] - tightness * np.log(lag / P) ** 2` (with `C = 0` for `s < 0`: silence before the track). "
        "`C[t] = O[t] +` the best proposal, and `back[t]` is its `s` (`-1` if `s < 0`). Take the first best "
        "lag if two tie (as `np.argmax` does).\n\n"
        "**You get** the local score `O` (1-D), the period `P` in frames and the tightness.\n\n"
        "**Return** `C` (floats) and `back` (integers), each with one value per frame: `return C, back`. "
        "The check follows `back` from the best final beat and compares with `helpers.beat.dp_beat_frames`.",
        _cases_w2_dp, _judge_w2_dp,
        on_pass="Backtracking your `back` gives exactly the beats of `helpers.beat.dp_beat_frames`.",
        inline=True, part="b",
    ),
    Exercise(
        "w2.backtrack", "Backtracking: from C and back to the beats", "backtrack", "C, back, period_frames",
        "The last beat is the frame with the best `C` in the final period, the last `ceil(P)` frames "
        "(`C[n - ceil(P):]`; the first best if two tie). From there follow `back`: `back[t]` is the frame of "
        "the beat before `t`, and `-1` means `t` was the first beat.\n\n"
        "**You get** `C` and `back` from the forward pass and the period `P` in frames.\n\n"
        "**Return** the beat frames in increasing order, as integers.",
        _cases_w2_backtrack, _judge_w2_backtrack,
        on_pass="With your `dp_forward` this is the whole of `helpers.beat.dp_beat_frames`.",
        inline=True, part="b",
    ),
    Exercise(
        "w2.refine", "Sub-frame refinement: the centroid", "centroid_refine",
        "novelty, beat_frames, frame_rate_hz",
        "Move each beat frame `f` to the novelty-weighted mean position of frames `f-1, f, f+1`: "
        "`f + (y[f+1] - y[f-1]) / (y[f-1] + y[f] + y[f+1])`. Values outside the curve count as 0. Two details "
        "make it safe on a whole track: where the three values sum to 0 (a beat in silence) keep `f`, and never "
        "move a beat by more than half a frame (`np.clip(shift, -0.5, 0.5)`).\n\n"
        "**You get** the novelty values `y` (1-D), the beat frames (integers) and the frame rate.\n\n"
        "**Return** the refined beat times in seconds.",
        _cases_w2_refine, _judge_w2_refine, _error_hint_w2_refine,
        on_pass="Same as `helpers.beat.refine_beat_times(novelty, beat_frames, method=\"centroid\")`, the "
                "tracker's default.",
        inline=True, part="b",
    ),
    Exercise(
        "w2.dp_all", "A DP over all predecessors", "dp_all_predecessors", "O, period_frames, tightness",
        "Your `dp_forward` only looked back `floor(P/2)` to `ceil(2P)` frames. Change one thing: a previous beat "
        "inside the track may be ANY earlier frame, `s = t - lag` for every lag from 1 to `t`, scored "
        "`C[s] - tightness * np.log(lag / P) ** 2` as before. Before the track nothing changes: the lags of the "
        "window that reach before frame 0 still propose `s < 0` with `C = 0` (and `back[t] = -1`). Try the "
        "lags in increasing order and take the first best.\n\n"
        "**You get** `O` (1-D), `P` in frames and the tightness.\n\n"
        "**Return** `C, back`, one value per frame each.",
        _cases_w2_dp_all, _judge_w2_dp_all,
        on_pass="Does the window matter? At tightness 100 an interval of P/2 or 2P already costs 100·log(2)² = 48, "
                "and C grows along the track, so a recent predecessor near one period back wins: backtrack your C "
                "and back and compare with `helpers.beat.dp_beat_frames` on a track. The window is a shortcut "
                "(about 1.5·P candidates per frame instead of t). With a loose tightness (1 here) intervals "
                "shorter than P/2 win and the beats chase every onset.",
        part="b",
    ),
    Exercise(
        "w2.parabolic", "Sub-frame refinement: the parabola", "parabolic_refine",
        "novelty, beat_frames, frame_rate_hz",
        "The classic alternative to your centroid: fit a parabola through `y[f-1], y[f], y[f+1]` and move the beat "
        "to its vertex, `f + 0.5 * (y[f-1] - y[f+1]) / (y[f-1] - 2 * y[f] + y[f+1])`, but only where `f` is a "
        "local maximum (`y[f] >= y[f-1]`, `y[f] >= y[f+1]`, and the denominator `< 0`); elsewhere keep `f`. "
        "Values outside the curve count as 0.\n\n"
        "**You get** the novelty values `y` (1-D), the beat frames (integers) and the frame rate.\n\n"
        "**Return** the refined beat times in seconds.",
        _cases_w2_parabolic, _judge_w2_parabolic,
        on_pass="Same as `helpers.beat.refine_beat_times(novelty, beat_frames, method=\"parabolic\")`. For a flux "
                "split 70/30 over two frames it moves the beat by 0.14 frame where the centroid moves it by "
                "0.3: the parabola assumes a smooth peak.",
        part="b",
    ),
)
