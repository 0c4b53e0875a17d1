"""Week 5 (bars and downbeats): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.
The first three are fill-ins, written in the body of notebook 05 where their idea is
introduced (bass onsets at the beats, the harmonic change between beats, the bar phase);
the last two are the end-of-week variations (the meter from a constructed pattern, an
off-by-one downbeat file).

Registered in :mod:`helpers.exercises` (``check("w5.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week5.py``. The known answers come from
:mod:`helpers.downbeat` (``bass_onset_at_beats``' steps, ``harmonic_change``,
``phase_scores`` + ``positions_from_phase``, ``downbeat_offset``) or from patterns built
to have them (a pattern of 4 vectors repeated is in 4).
"""

from __future__ import annotations

import numpy as np

from ..data import HARMONIX_PARAMS
from .model import Case, Exercise, Wrong, as_float_array, describe, diagnose, shape_is, verdict

# =========================================================================== w5.bass (fill-in)
#: Band centres (Hz) of the small 8-band cases: three bass bands below 250 Hz.
_EIGHT_BANDS_HZ = np.array([60.0, 120.0, 200.0, 400.0, 800.0, 1600.0, 3200.0, 6400.0])


def _bass_rule(S, frames, band_hz, cutoff_hz, gamma, *, low=True, window=True, wrap=False, rectify=True,
               compress=True, normalise=True):
    """w5.bass and its typical mistakes (each keyword switched off or on is one)."""
    S = np.asarray(S, dtype=float)
    if compress:
        L = np.log1p(gamma * S / S.max()) if normalise else np.log1p(gamma * S)
    else:
        L = S
    D = np.zeros_like(L)
    D[:, 1:] = L[:, 1:] - L[:, :-1]
    if rectify:
        D = np.maximum(D, 0.0)
    bass = D[np.asarray(band_hz) < cutoff_hz].sum(axis=0) if low else D.sum(axis=0)
    f = np.asarray(frames, dtype=int)
    if not window:
        return bass[f]
    if wrap:
        return np.maximum(np.maximum(bass[f - 1], bass[f]), bass[np.minimum(f + 1, bass.size - 1)])
    padded = np.concatenate([[0.0], bass, [0.0]])
    return np.maximum(np.maximum(padded[f], padded[f + 1]), padded[f + 2])


def _cases_w5_bass():
    from ..downbeat import bass_onset_at_frames
    from ..novelty import log_compress

    rng = np.random.default_rng(51)
    groove = np.full((8, 64), 1e-3)
    groove[:3, 4::8] = 1.0                  # bass + kick every 8 frames (the beats)
    groove[5:, 2::2] = 0.5                  # hi-hats every 2 frames (sixteenths)
    edge = np.full((8, 40), 1e-3)
    edge[:3, [0, 10, 20, 30]] = 0.3
    edge[:3, 39] = 1.0                      # a loud bass note in the very last frame
    harmonix_hz = HARMONIX_PARAMS.mel_frequencies_hz()
    noise = rng.random((80, 100)) ** 4 * 1e3
    specs = [
        ("8 bands (3 below 250 Hz): bass every 8 frames, hi-hats every 2; beats on the bass, gamma=1000",
         groove, np.arange(4, 64, 8), _EIGHT_BANDS_HZ, 250.0, 1000.0),
        ("the same, beats one frame before the bass notes (a beat time is only known to a frame)",
         groove, np.arange(3, 64, 8), _EIGHT_BANDS_HZ, 250.0, 1000.0),
        ("beats at frames 0, 10, 20, 30 and the last frame 39; a loud bass note in frame 39",
         edge, np.array([0, 10, 20, 30, 39]), _EIGHT_BANDS_HZ, 250.0, 1000.0),
        ("random power, 80 bands at the Harmonix centres, a beat every 7 frames, cutoff 250 Hz, gamma=1e7",
         noise, np.arange(2, 100, 7), harmonix_hz, 250.0, 1e7),
        ("the same power and beats, cutoff 500 Hz, gamma=100",
         noise, np.arange(2, 100, 7), harmonix_hz, 500.0, 100.0),
    ]
    cases = []
    for name, S, frames, hz, cutoff, gamma in specs:
        expected = bass_onset_at_frames(log_compress(S, gamma=gamma)[hz < cutoff], frames)
        cases.append(Case(name, (S, frames, hz), {"cutoff_hz": cutoff, "gamma": gamma}, expected))
    return cases


def _judge_w5_bass(got, case):
    S, frames, hz = case.args
    cutoff, gamma = case.kwargs["cutoff_hz"], case.kwargs["gamma"]
    e = case.expected

    def rule(**mistake):
        return _bass_rule(S, frames, hz, cutoff, gamma, **mistake)

    mistakes = [
        (shape_is((S.shape[1],)), "one value per BEAT, not per frame: read the bass flux at the beat frames."),
        (rule(low=False), "only the bass bands count: keep the rows whose centre is below cutoff_hz "
                          "(band_hz < cutoff_hz) before summing."),
        (rule(window=False), "a beat time is only known to about a frame (46 ms): take the largest of the bass "
                             "flux at frames f-1, f and f+1, not only at f."),
        (rule(wrap=True), "frames outside the track count as 0: bass[f - 1] at f = 0 is bass[-1], the LAST frame. "
                          "Pad the curve with a 0 at each end: np.concatenate([[0.0], bass, [0.0]])."),
        (rule(rectify=False), "keep only increases (notes starting): np.maximum(difference, 0) in each band "
                              "before summing the bands."),
        (rule(compress=False), "compress first: L = np.log1p(gamma * S_power / S_power.max()), then take the "
                               "differences of L."),
        (rule(normalise=False), "divide by S_power.max() inside the log: np.log1p(gamma * S_power / S_power.max())."),
    ]
    if cutoff != 250.0:
        mistakes.append((_bass_rule(S, frames, hz, 250.0, gamma), f"use the cutoff_hz argument (this case: "
                                                                  f"{cutoff:g} Hz), not a fixed 250."))
    if gamma != 1e7:
        mistakes.append((_bass_rule(S, frames, hz, cutoff, 1e7), f"use the gamma argument (this case: {gamma:g})."))
    return verdict(got, e, mistakes, "L = log1p(gamma·S/max S); D = max(0, L[:, n] - L[:, n-1]) (0 at frame 0); "
                                     "bass = D[band_hz < cutoff_hz].sum(axis=0); per beat frame f: "
                                     "max(bass[f-1], bass[f], bass[f+1]), 0 outside the track.",
                   rtol=1e-6, atol=1e-9 * max(1.0, float(np.max(e))))


def _error_hint_w5_bass(exc, case):
    if isinstance(exc, IndexError):
        return ("a beat in the first or last frame has no neighbour on one side: pad the bass curve with a 0 at "
                "each end (np.concatenate([[0.0], bass, [0.0]])) and read frames f, f+1, f+2 of the padded curve.")
    return None


# =========================================================================== w5.change (fill-in)
def _change_rule(spectra, window, *, centre=True, before_includes_beat=False, after_skips_beat=False,
                 measure="cosine", first="mean"):
    """w5.change and its typical mistakes."""
    X = np.asarray(spectra, dtype=float)
    n = X.shape[0]
    if centre:
        X = X - X.mean(axis=0)
    change = np.zeros(n)
    for i in range(1, n):
        if before_includes_beat:
            before = X[max(0, i - window + 1): i + 1].mean(axis=0)
            after = X[i + 1: min(n, i + 1 + window)]
            after = after.mean(axis=0) if after.size else np.zeros(X.shape[1])
        elif after_skips_beat:
            before = X[max(0, i - window): i].mean(axis=0)
            after = X[i + 1: min(n, i + 1 + window)]
            after = after.mean(axis=0) if after.size else np.zeros(X.shape[1])
        else:
            before = X[max(0, i - window): i].mean(axis=0)
            after = X[i: min(n, i + window)].mean(axis=0)
        if measure == "euclidean":
            change[i] = np.linalg.norm(after - before)
            continue
        den = np.linalg.norm(before) * np.linalg.norm(after)
        cos = before @ after / den if den > 0 else (1.0 if measure == "similarity" else 1.0)
        change[i] = cos if measure == "similarity" else max(1.0 - cos, 0.0)
    if n > 1 and first == "mean":
        change[0] = change[1:].mean()
    return change


def _cases_w5_change():
    from ..downbeat import harmonic_change

    rng = np.random.default_rng(52)
    three = np.repeat(np.eye(3), 4, axis=0)                       # three "chords", four beats each
    chords = rng.random((5, 10)) * 4.0
    song = chords[np.repeat(np.arange(5), 4)] + 0.3 * rng.random((20, 10))   # a chord every 4 beats, a little noise
    level = 10.0 + song                                           # the same with a large level every beat shares
    specs = [
        ("three chords, four beats each (12 beats × 3 bands), window_beats=1", three, 1),
        ("the same, window_beats=2", three, 2),
        ("a new chord every 4 beats with a little noise (20 beats × 10 bands), window_beats=2", song, 2),
        ("the same plus 10 in every band (what every beat shares), window_beats=2", level, 2),
        ("random spectra (30 beats × 6 bands), window_beats=3", rng.random((30, 6)), 3),
    ]
    return [Case(name, (X,), {"window_beats": w}, harmonic_change(X, window_beats=w)) for name, X, w in specs]


def _judge_w5_change(got, case):
    X, w = case.args[0], case.kwargs["window_beats"]
    e = case.expected

    def rule(**mistake):
        return _change_rule(X, w, **mistake)

    rest = slice(1, None)

    def rest_is(candidate):
        return lambda g: as_float_array(g).shape == e.shape and np.allclose(as_float_array(g)[rest],
                                                                          candidate[rest], atol=1e-9)

    mistakes = [
        (shape_is((X.shape[0] - 1,)), "one value per beat, the first included: give beat 0 (nothing before it) "
                                      "the mean of the other beats' values."),
        (shape_is((X.shape[1],)), "one value per BEAT (row), not per band: compare the rows before and after "
                                  "each beat."),
        (rest_is(rule(centre=False)), "subtract the track's mean spectrum (spectra.mean(axis=0)) from every beat "
                                      "first: what all beats share says nothing about change, and it makes every "
                                      "pair of beats look alike."),
        (rest_is(rule(before_includes_beat=True)), "the window BEFORE beat i is beats i-w … i-1 (not i itself); "
                                                   "the window AFTER is beats i … i+w-1, from the beat on."),
        (rest_is(rule(after_skips_beat=True)), "the window after beat i starts AT beat i (beats i … i+w-1): a "
                                               "chord changes on the beat."),
        (rest_is(rule(measure="similarity")), "that is the cosine similarity: the change is 1 - cos."),
        (rest_is(rule(measure="euclidean")), "use the cosine distance 1 - cos(before, after), not the Euclidean "
                                             "distance: a louder chord is not a new chord."),
        (rest_is(e), "beat 0 has nothing before it: give it the mean of the other beats' values (neutral "
                     "evidence), not 0 or its neighbour's."),
    ]
    return verdict(got, e, mistakes, "X = spectra - spectra.mean(axis=0); for i >= 1: before = X[max(0, i-w):i]"
                                     ".mean(axis=0), after = X[i:i+w].mean(axis=0), change[i] = 1 - cos(before, "
                                     "after) (0 if one is all zeros); change[0] = change[1:].mean().",
                   rtol=1e-6, atol=1e-9)


# =========================================================================== w5.phase (fill-in)
def _positions(evidence, meter, *, pick=np.argmax, base=1, sign=-1):
    e = np.asarray(evidence, dtype=float)
    scores = np.array([e[p::meter].sum() for p in range(meter)])
    phase = int(pick(scores))
    return (np.arange(e.size) + sign * phase) % meter + base


def _cases_w5_phase():
    from ..downbeat import phase_scores, positions_from_phase

    rng = np.random.default_rng(53)
    four = np.zeros(16)
    four[0::4] = 1.0
    pickup = np.zeros(18)
    pickup[1::4] = 1.0
    waltz = np.zeros(15)
    waltz[2::3] = 1.0
    noisy = rng.normal(0.0, 1.0, 40)
    noisy[3::4] += 1.5
    specs = [
        ("16 beats, evidence 1 on beats 0, 4, 8, 12, meter 4", four, 4),
        ("a one-beat pickup: evidence on beats 1, 5, 9, … (18 beats), meter 4", pickup, 4),
        ("a waltz: evidence on beats 2, 5, 8, … (15 beats), meter 3", waltz, 3),
        ("noisy evidence, every 4th beat from beat 3 a little larger (40 beats), meter 4", noisy, 4),
        ("random evidence, 37 beats, meter 3", rng.normal(0.0, 1.0, 37), 3),
    ]
    cases = []
    for name, e, m in specs:
        phase = int(np.argmax(phase_scores(e, meter=m)))
        cases.append(Case(name, (e,), {"meter": m}, positions_from_phase(e.size, meter=m, phase=phase)))
    return cases


def _judge_w5_phase(got, case):
    e_in, m = case.args[0], case.kwargs["meter"]
    e = case.expected
    a = as_float_array(got)
    if a is not None and a.ndim == 0:
        return Wrong(f"expected one position per beat ({describe(e)}); got {describe(got)}",
                     "return the bar position of EVERY beat, (i - phase) % meter + 1, not the phase itself.")
    mistakes = [
        (lambda g: as_float_array(g).dtype == bool or set(np.unique(as_float_array(g))) <= {0.0, 1.0} and m > 2,
         "return positions 1 … meter for every beat (1 = downbeat), not a True/False downbeat mask."),
        (_positions(e_in, m, base=0), "count the positions from 1 (1 = downbeat, as in the annotations), not 0: "
                                      "(i - phase) % meter + 1."),
        (_positions(e_in, m, sign=+1), "the beats p, p + meter, … are the ones, so beat i is at position "
                                       "(i - phase) % meter + 1; with + phase the ones land elsewhere."),
        (_positions(e_in, m, pick=np.argmin), "the best phase has the LARGEST total evidence: np.argmax."),
    ]
    if m != 4:
        mistakes.append((_positions(e_in, 4), f"use the meter argument (this case: {m} beats per bar)."))
    return verdict(got, e, mistakes, "scores[p] = evidence[p::meter].sum() for p = 0 … meter-1; phase = "
                                     "np.argmax(scores); positions = (np.arange(n) - phase) % meter + 1.")


# =========================================================================== w5.meter (end of week)
def _lag_similarity_means(X, max_lag, *, centre=True, shift=0):
    """Mean cosine similarity of beats k apart, k = 0 … max_lag (``shift``: the off-by-one mistake)."""
    X = np.asarray(X, dtype=float)
    if centre:
        X = X - X.mean(axis=0)
    n = X.shape[0]
    sim = [1.0]
    for k in range(1, max_lag + 1):
        kk = k + shift
        a, b = X[: n - kk], X[kk:]
        den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
        sim.append(float(np.mean(np.where(den > 0, np.einsum("ij,ij->i", a, b) / np.where(den > 0, den, 1.0), 0.0))))
    return np.array(sim)


def _meter_rule(X, meters, *, raw=False, shift=0, centre=True):
    meters = tuple(meters)
    sim = _lag_similarity_means(X, max(meters) + 1, centre=centre, shift=shift)
    if raw:
        return max(meters, key=lambda m: sim[m])
    return max(meters, key=lambda m: sim[m] - (sim[m - 1] + sim[m + 1]) / 2)


def _pattern(period, n_beats, n_features, rng, *, amplitude=1.0, drift=0.0, noise=0.05, offset=0.0):
    """Beat vectors: ``period`` random vectors repeated (+ a slow random walk, noise, a shared level)."""
    pattern = rng.normal(size=(period, n_features)) * amplitude
    X = pattern[np.arange(n_beats) % period] + noise * rng.normal(size=(n_beats, n_features)) + offset
    if drift:
        X = X + drift * np.cumsum(rng.normal(size=(n_beats, n_features)), axis=0)
    return X


def _cases_w5_meter():
    rng = np.random.default_rng(54)
    specs = [
        ("a pattern of 4 beat vectors repeated 12 times (48 beats × 20 features), meters (3, 4)",
         _pattern(4, 48, 20, rng), (3, 4)),
        ("a pattern of 3 repeated 16 times, meters (3, 4)", _pattern(3, 48, 20, rng), (3, 4)),
        ("a weak pattern of 4 on a slow drift (nearby beats alike: similarity falls with the lag), meters (3, 4)",
         _pattern(4, 48, 24, np.random.default_rng(0), amplitude=0.5, drift=1.0, noise=0.0), (3, 4)),
        ("a pattern of 3 on a shared level of 5 in every feature, meters (3, 4)",
         _pattern(3, 48, 20, rng, offset=5.0), (3, 4)),
        ("a pattern of 2 (a march), meters (2, 3)", _pattern(2, 40, 16, rng), (2, 3)),
        ("a pattern of 6 (6/8 counted in eighths), meters (3, 4, 6)", _pattern(6, 60, 20, rng), (3, 4, 6)),
    ]
    return [Case(name, (X,), {"meters": m}, _meter_rule(X, m)) for name, X, m in specs]


def _judge_w5_meter(got, case):
    X, meters = case.args[0], case.kwargs["meters"]
    e = case.expected
    a = as_float_array(got)
    if a is None or a.size != 1:
        return Wrong(f"expected one meter ({e}); got {describe(got)}", "return one of the meters, e.g. 4.")
    g = float(a.ravel()[0])
    if g == e:
        return None
    problem = f"expected {e} beats per bar; got {describe(got)}"
    mistakes = [
        (lambda v: float(v) == meters.index(e) and float(v) not in meters,
         "return the meter itself (a number of beats, e.g. 4), not its index in meters."),
        (float(_meter_rule(X, meters, raw=True)),
         "similarity falls off with the lag in most music, so the raw similarity favours the shorter bar: look "
         "for a PEAK, salience = sim[M] - (sim[M-1] + sim[M+1]) / 2."),
        (float(_meter_rule(X, meters, shift=1)),
         "lag k compares beat i with beat i + k (X[:-k] with X[k:]): your lags look one beat too far."),
        (lambda v: float(v) in (3.0, 4.0) and not set(meters) <= {3, 4},
         f"use the meters argument (this case: {meters}), not a fixed (3, 4)."),
    ]
    hint = diagnose(g, [(c, h) for c, h in mistakes if callable(c) or c != e])
    return Wrong(problem, hint or "X = X - X.mean(axis=0); sim[k] = mean of cos(X[i], X[i + k]); the meter is "
                                  "the M of meters with the largest sim[M] - (sim[M-1] + sim[M+1]) / 2.")


# =========================================================================== w5.offset (end of week)
def _offset_rule(reference_s, positions, estimated_s, meter, *, window_s=0.07, wrap=True, sign=+1,
                 statistic="mode", return_position=False):
    """w5.offset and its typical mistakes."""
    ref = np.asarray(reference_s, dtype=float)
    pos = np.asarray(positions, dtype=int)
    est = np.asarray(estimated_s, dtype=float)
    if est.size == 0 or ref.size == 0:
        return None
    nearest = np.abs(est[:, None] - ref[None, :]).argmin(axis=1)
    near = np.abs(est - ref[nearest]) <= window_s
    if not near.any():
        return None
    p_all = pos[nearest[near]]
    p = int(np.argmax(np.bincount(p_all))) if statistic == "mode" else int(round(float(np.mean(p_all))))
    if return_position:
        return p
    offset = sign * (p - 1)
    if wrap:
        offset %= meter
        if offset > meter // 2:
            offset -= meter
    return offset


def _cases_w5_offset():
    from ..downbeat import downbeat_offset

    rng = np.random.default_rng(55)
    beats = np.arange(0.5, 40.0, 0.5)                               # 79 beats at 120 BPM
    four = np.arange(beats.size) % 4 + 1
    waltz_beats = np.arange(0.6, 30.0, 0.625)                       # 96 BPM
    waltz = np.arange(waltz_beats.size) % 3 + 1
    pickup = (np.arange(beats.size) + 3) % 4 + 1                    # starts on position 4
    jitter = rng.uniform(-0.04, 0.04, beats.size)
    last = beats[pickup == 4]
    strays = beats[pickup == 1][[1, 3, 5, 7, 9, 11, 13, 15]]
    specs = [
        ("4/4 at 120 BPM: the estimate marks the LAST beat of each bar", beats, four, beats[four == 4], 4),
        ("4/4: the estimate on the annotated downbeats, 30 ms late", beats, four, beats[four == 1] + 0.03, 4),
        ("3/4 at 96 BPM: the estimate on beat 3 of each bar", waltz_beats, waltz, waltz_beats[waltz == 3], 3),
        ("4/4: the estimate on beat 2, from its own beats (±40 ms from the annotation)", beats, four,
         (beats + jitter)[four == 2], 4),
        ("4/4: the estimate between the beats (on the off-beats): nothing within 70 ms", beats, four,
         beats[four == 1] + 0.25, 4),
        ("4/4 starting with a pickup: the last beats of the bars, plus 8 on the annotated downbeats", beats, pickup,
         np.sort(np.concatenate([last, strays])), 4),
    ]
    cases = []
    for name, ref, pos, est, meter in specs:
        cases.append(Case(name, (ref, pos, est), {"meter": meter}, downbeat_offset(ref, pos, est)))
    return cases


def _judge_w5_offset(got, case):
    ref, pos, est = case.args
    meter = case.kwargs["meter"]
    e = case.expected

    def rule(**mistake):
        return _offset_rule(ref, pos, est, meter, **mistake)

    if e is None:
        if got is None:
            return None
        return Wrong(f"expected None (no estimated downbeat is within 70 ms of an annotated beat); got {describe(got)}",
                     "only count the estimated downbeats within 70 ms (0.07 s) of their nearest reference beat; "
                     "if there are none, return None: the estimate is off the beats, not off by whole beats.")
    a = as_float_array(got)
    if got is None or a is None or a.size != 1:
        return Wrong(f"expected one whole number of beats ({e}); got {describe(got)}",
                     "return the offset in beats: 0 aligned, -1 one beat early (the last beat of the bar), "
                     "+1 one beat late.")
    g = float(a.ravel()[0])
    if g == e:
        return None
    problem = f"expected an offset of {e:+d} beat{'s' if abs(e) != 1 else ''}; got {describe(got)}"
    candidates = [
        (_offset_rule(ref, pos, est, 4), f"use the meter argument (this case: {meter} beats per bar)."),
        (rule(wrap=False), "a downbeat on the last beat of the bar (position M) is ONE BEAT EARLY, -1, not M - 1: "
                           "take p - 1, and subtract the meter when that is more than meter // 2."),
        (rule(sign=-1), "the sign is the wrong way round: estimated downbeats on annotated position 2 are one beat "
                        "LATE (+1); on the last position, one beat early (-1)."),
        (rule(return_position=True), "you returned the annotated position p under the estimated downbeats: the "
                                     "offset is p - 1 (wrapped to -meter/2 … meter/2)."),
        (rule(statistic="mean"), "take the MOST COMMON position (np.bincount(...).argmax()), not the mean: a few "
                                 "stray downbeats must not move the answer."),
    ]
    mistakes = [(float(c), h) for c, h in candidates if c is not None and c != e]
    return Wrong(problem, diagnose(g, mistakes) or "for each estimated downbeat within 70 ms of a reference beat, "
                                                   "read that beat's position p; take the most common p; the offset "
                                                   "is p - 1, minus the meter if that is more than meter // 2.")


#: This week's exercises, in course order: three fill-ins (in the body of notebook 05), then two variations.
EXERCISES = (
    Exercise(
        "w5.bass", "Bass onsets at the beats", "bass_at_beats", "S_power, beat_frames, band_hz, cutoff_hz, gamma",
        "How strongly does a bass note (or a kick) start on each beat? Week 2's flux, in the bass bands only, "
        "read at the beats.\n\n"
        "1. `L = np.log1p(gamma * S_power / S_power.max())`; the increase of each band from the previous "
        "frame, negative values set to 0 (0 at frame 0).\n"
        "2. Sum it over the bass bands: the rows whose centre frequency `band_hz` is below `cutoff_hz`.\n"
        "3. For each beat frame `f`, the largest value at frames `f - 1`, `f`, `f + 1` (a beat time is only "
        "known to about a frame); frames outside the track count as 0.\n\n"
        "**You get** the POWER spectrogram (bands × frames), the beat frames (integers), the band centres (Hz), "
        "the cutoff (Hz) and `gamma`.\n\n"
        "**Return** one value per beat.",
        _cases_w5_bass, _judge_w5_bass, error_hint=_error_hint_w5_bass,
        on_pass="From here on: helpers.downbeat.bass_onset_at_beats(S, beat_times_s=..., mel_params=p) (250 Hz, "
                "gamma 1e7).",
        inline=True,
    ),
    Exercise(
        "w5.change", "Harmonic change between beats", "chord_change", "spectra, window_beats",
        "Chords change on the bar line. Given one spectrum per beat (rows: beats, columns: bands), how much "
        "does the sound change at each beat?\n\n"
        "1. Subtract the mean spectrum over all beats from every row (what every beat shares says nothing "
        "about change).\n"
        "2. For each beat `i >= 1`: `before` = the mean of rows `i - window_beats … i - 1`, `after` = the mean "
        "of rows `i … i + window_beats - 1` (shorter near the ends).\n"
        "3. `change[i] = 1 - cos(before, after)` (0 if one of them is all zeros); beat 0, with nothing before it, "
        "gets the mean of the other beats' values.\n\n"
        "**You get** `spectra` (n_beats × n_bands) and `window_beats`.\n\n"
        "**Return** one value per beat.",
        _cases_w5_change, _judge_w5_change,
        on_pass="From here on: helpers.downbeat.harmonic_change(beat_spectra(S, beat_times_s=..., mel_params=p)).",
        inline=True,
    ),
    Exercise(
        "w5.phase", "Which beat is 'one'?", "bar_positions", "evidence, meter",
        "With `meter` beats per bar there are `meter` ways to lay the bars over the beats: phase `p` makes "
        "beats `p, p + meter, p + 2·meter, …` the downbeats. Score each phase by the total evidence on its "
        "downbeats, `evidence[p::meter].sum()`, keep the best, and give every beat its position in the bar.\n\n"
        "**You get** the downbeat evidence of each beat (1-D) and the meter.\n\n"
        "**Return** the position of every beat, 1 … meter (1 = downbeat): `(i - phase) % meter + 1` for beat `i`.",
        _cases_w5_phase, _judge_w5_phase,
        on_pass="From here on: helpers.downbeat.phase_scores and positions_from_phase (inside track_downbeats).",
        inline=True,
    ),
    Exercise(
        "w5.meter", "3 or 4? The meter from bar-to-bar repetition", "meter_from_lags", "features, meters",
        "A rhythm pattern comes back every bar, so a beat resembles the beat one bar later. Given one "
        "feature vector per beat (e.g. a beat tile):\n\n"
        "1. Subtract the mean vector over all beats.\n"
        "2. For each lag `k = 1 … max(meters) + 1`: `sim[k]` = the mean over `i` of the cosine similarity of "
        "beat `i` and beat `i + k` (0 where a vector is all zeros); `sim[0] = 1`.\n"
        "3. Similarity falls off with the lag, so look for a peak: `salience[M] = sim[M] - (sim[M-1] + "
        "sim[M+1]) / 2`.\n\n"
        "**You get** `features` (n_beats × n_features) and the candidate `meters` (e.g. `(3, 4)`).\n\n"
        "**Return** the meter with the largest salience.",
        _cases_w5_meter, _judge_w5_meter,
        on_pass="helpers.downbeat.lag_similarity + choose_meter do this per beat, and add a confidence: how far "
                "the winner stands above the runner-up from bar to bar.",
    ),
    Exercise(
        "w5.offset", "Is this downbeat file off by one?", "find_downbeat_offset",
        "reference_times_s, reference_positions, estimated_downbeats_s, meter",
        "Upstream's downbeat estimates of published systems are reported to mark the LAST beat of each bar. "
        "Before scoring any downbeat file, find where its downbeats fall in the annotated bars:\n\n"
        "1. For each estimated downbeat, find the nearest reference beat; keep it only if it is within 70 ms.\n"
        "2. Read the annotated position `p` of the kept beats; take the most common one.\n"
        "3. The offset is `p - 1` beats, taken between `-meter/2` and `meter/2` (subtract `meter` when it is "
        "more than `meter // 2`): 0 = aligned, -1 = the last beat of the bar, +1 = the second beat.\n\n"
        "**You get** the reference beat times (s) and positions, the estimated downbeat times (s) and the meter.\n\n"
        "**Return** the offset (an integer), or `None` if no estimated downbeat is within 70 ms of a reference beat.",
        _cases_w5_offset, _judge_w5_offset,
        on_pass="helpers.downbeat.downbeat_offset does the same (with the bar length read from the annotation). "
                "Shift a file only after this check, and say that you did.",
    ),
)
