"""Week 1 (look at the data): its self-checking exercises, as data.

Each exercise: cases with known answers and a judge that gives a hint for each typical mistake.

Registered in :mod:`helpers.exercises` (``check("w1.<name>", fn)``); the reference
solutions are in the repository's ``solutions/week1.py``.
"""

from __future__ import annotations

import numpy as np

from .model import (HINT_20LOG, HINT_FIXED_RATE, HINT_HOP_512, HINT_LN, Case, Exercise, as_float_array,
                    has_nonfinite, shape_is, verdict)


def _cases_w1_seconds():
    from ..data import frames_to_time

    specs = [
        ("Harmonix: sr=22050 Hz, hop_length=1024", [0, 1, 2, 10, 21.5, 100], 22050, 1024),
        ("sr=44100 Hz, hop_length=512", [0, 5, 86, 1000], 44100, 512),
        ("sr=16000 Hz, hop_length=160 (a 10 ms hop)", [0, 1, 100, 250.5], 16000, 160),
    ]
    return [
        Case(name, (np.array(frames, dtype=float),), {"sr": sr, "hop_length": hop},
             frames_to_time(frames, sr=sr, hop_length=hop))
        for name, frames, sr, hop in specs
    ]


def _judge_w1_seconds(got, case):
    frames, sr, hop = case.args[0], case.kwargs["sr"], case.kwargs["hop_length"]
    mistakes = [
        (frames, "seconds expected, got frame numbers: multiply the frames by hop_length / sr."),
        (frames * sr / hop, "the conversion is the wrong way round: seconds = frames × hop_length / sr "
                            "(frames divided by the frame rate sr / hop_length)."),
        (frames * hop / sr * 1000, "these are milliseconds: return seconds (no × 1000)."),
        ((frames + 0.5) * hop / sr, "you added half a frame: with center=True frame k is centred on sample "
                                    "k × hop_length, so it sits at exactly k × hop_length / sr."),
        (np.floor(frames * hop / sr), "the times were rounded down to whole seconds: use true division `/`, "
                                      "not `//`, and do not round."),
    ]
    if hop != 512:
        mistakes.append((frames * 512 / sr, HINT_HOP_512))
    if (sr, hop) != (22050, 1024):
        mistakes.append((frames * 1024 / 22050, HINT_FIXED_RATE))
    return verdict(got, case.expected, mistakes,
                    "frame k sits at k × hop_length / sr seconds (librosa's center=True).",
                    rtol=1e-9, atol=1e-12, unit="s")


def _cases_w1_db():
    from ..data import power_to_db

    rng = np.random.default_rng(1)
    hand = np.array([[100.0, 10.0, 1.0], [0.01, 1e-7, 0.0]])
    loud = rng.random((80, 50)) ** 4 * 1e4
    quiet = rng.random((10, 30)) ** 6 * 0.002
    quiet[:, :3] = 0.0
    specs = [
        ("by hand: powers 100, 10, 1, 0.01, 1e-7 and 0", hand),
        ("80 bands × 50 frames, values up to 1e4 like the Harmonix files", loud),
        ("a quiet track (loudest bin 0.002) with 3 silent frames", quiet),
    ]
    return [Case(name, (S,), {}, power_to_db(S, ref=float(S.max()), amin=1e-10, top_db=80.0))
            for name, S in specs]


def _judge_w1_db(got, case):
    S = case.args[0]
    with np.errstate(all="ignore"):
        rel = 10 * np.log10(np.maximum(S, 1e-10) / S.max())
        absolute = 10 * np.log10(np.maximum(S, 1e-10))
        unfloored = 10 * np.log10(S / S.max())
        silent_db = 10 * np.log10(1e-10 / S.max())
        mistakes = [
            (has_nonfinite, "log10(0) = -inf: floor the power first, np.maximum(S, 1e-10), then take the log."),
            (np.maximum(unfloored, unfloored.max() - 80), "floor the power at 1e-10 before the log "
                                                          "(np.maximum(S, 1e-10)): a silent bin is then "
                                                          f"10·log10(1e-10 / S.max()) = {silent_db:.1f} dB here."),
            (np.maximum(2 * rel, -80.0), HINT_20LOG),
            (2 * rel, HINT_20LOG),
            (np.maximum(10 * np.log(np.maximum(S, 1e-10) / S.max()), -80.0), HINT_LN),
            (rel, "keep 80 dB of range: values more than 80 dB below the maximum become max - 80 "
                  "(np.maximum(S_db, S_db.max() - 80))."),
            (np.maximum(absolute, absolute.max() - 80), "0 dB should be the loudest bin: divide the power by "
                                                          "S.max() (the reference) before the log."),
            (absolute, "0 dB should be the loudest bin: divide the power by S.max() (the reference), "
                       "and keep 80 dB of range."),
        ]
    return verdict(got, case.expected, mistakes,
                    "10·log10(max(S, 1e-10) / S.max()), then nothing below -80 dB.",
                    rtol=1e-6, atol=1e-5, unit="dB")


def _cases_w1_tolerance():
    from ..data import frames_to_time

    specs = [
        ("±70 ms at Harmonix's sr=22050 Hz, hop_length=1024", 0.07, 22050, 1024),
        ("±70 ms at sr=44100 Hz, hop_length=512", 0.07, 44100, 512),
        ("±17.5 ms at sr=22050 Hz, hop_length=1024", 0.0175, 22050, 1024),
        ("one second at sr=22050 Hz, hop_length=1024", 1.0, 22050, 1024),
    ]
    return [
        Case(name, (tol,), {"sr": sr, "hop_length": hop},
             tol / float(frames_to_time(1.0, sr=sr, hop_length=hop)))
        for name, tol, sr, hop in specs
    ]


def _judge_w1_tolerance(got, case):
    tol, sr, hop = case.args[0], case.kwargs["sr"], case.kwargs["hop_length"]
    e = case.expected
    mistakes = [
        (tol * hop / sr, "the conversion is the wrong way round: frames = seconds × frame rate = "
                         "tolerance_s × sr / hop_length."),
        (2 * e, "±70 ms means 70 ms on each side: return the half-width, not the whole window."),
        (1000 * e, "the tolerance is already in seconds (0.07 s): do not multiply by 1000."),
        (lambda g: float(g) != e and float(g) in (np.round(e), np.floor(e), np.ceil(e)),
         f"don't round: the answer is {e:.3g} frames, and the fraction matters (beat times are refined "
         "below one frame)."),
    ]
    if hop != 512:
        mistakes.append((tol * sr / 512, HINT_HOP_512))
    if (sr, hop) != (22050, 1024):
        mistakes.append((tol * 22050 / 1024, HINT_FIXED_RATE))
    return verdict(got, e, mistakes, "frames = seconds × sr / hop_length.", rtol=1e-6, unit="frames")


def _cases_w1_energy():
    from ..data import power_to_db

    rng = np.random.default_rng(2)
    hand = np.array([[1.0, 5.0, 50.0, 0.0, 0.0005],
                     [0.0, 3.0, 50.0, 0.0, 0.0005],
                     [0.0, 2.0, 0.0, 0.0, 0.0]])
    fade = np.outer([1.0, 0.5, 0.25, 0.1], 0.7 ** np.arange(40))
    specs = [
        ("by hand: frames with total power 1, 10, 100, 0 and 0.001", hand),
        ("80 bands × 60 frames, values up to 1e4 like the Harmonix files", rng.random((80, 60)) ** 4 * 1e4),
        ("a fade-out: 4 bands × 40 frames, -1.5 dB per frame", fade),
    ]
    return [Case(name, (S,), {}, power_to_db(S.sum(axis=0), ref=1.0, amin=1e-10, top_db=None))
            for name, S in specs]


def _judge_w1_energy(got, case):
    S = case.args[0]
    with np.errstate(all="ignore"):
        e = S.sum(axis=0)
        right = case.expected
        mistakes = [
            (shape_is((S.shape[0],)), "one value per frame: sum over the bands, axis=0 "
                                       "(S has shape (bands, frames))."),
            (has_nonfinite, "a silent frame has energy 0 and log10(0) = -inf: floor it first, "
                             "np.maximum(e, 1e-10)."),
            (10 * np.log10(np.maximum(S.mean(axis=0), 1e-10)), "you averaged the bands: the energy of a frame "
                                                                "is their sum (the mean is 10·log10(n_bands) "
                                                                "dB lower)."),
            ((10 * np.log10(np.maximum(S, 1e-10))).sum(axis=0), "add the powers first, then convert to dB: a sum "
                                                                "of dB values is not a level."),
            (20 * np.log10(np.maximum(e, 1e-10)), HINT_20LOG),
            (10 * np.log(np.maximum(e, 1e-10)), HINT_LN),
            (np.maximum(right, right.max() - 80), "no 80 dB floor here: a silent frame is -100 dB (the 1e-10 "
                                                  "floor). helpers.data.power_to_db clips at 80 dB unless "
                                                  "top_db=None."),
            (right - right.max(), "absolute levels here (dB re. power 1), not relative to the loudest frame."),
        ]
    return verdict(got, right, mistakes, "e = S.sum(axis=0), then 10·log10(max(e, 1e-10)).",
                    rtol=1e-6, atol=1e-5, unit="dB")


# --------------------------------------------------------------------------- the mel scale
def _slaney_mel(f_hz):
    """librosa's default (Slaney) mel scale: linear below 1000 Hz, logarithmic above."""
    f = np.asarray(f_hz, dtype=float)
    return np.where(f < 1000.0, 3.0 * f / 200.0, 15.0 + 27.0 * np.log(np.maximum(f, 1000.0) / 1000.0) / np.log(6.4))


def _slaney_hz(m):
    m = np.asarray(m, dtype=float)
    return np.where(m < 15.0, 200.0 * m / 3.0, 1000.0 * np.exp((m - 15.0) * np.log(6.4) / 27.0))


def _htk_mel(f_hz):
    return 2595.0 * np.log10(1.0 + np.asarray(f_hz, dtype=float) / 700.0)


def _htk_hz(m):
    return 700.0 * (10 ** (np.asarray(m, dtype=float) / 2595.0) - 1.0)


def _cases_w1_mel():
    from ..data import mel_frequencies_hz

    specs = [
        ("Harmonix: 80 bands from 0 to 11025 Hz (sr 22050, fmax None)", 80, 0.0, 11025.0),
        ("40 bands from 0 to 8000 Hz (sr 16000)", 40, 0.0, 8000.0),
        ("128 bands from 30 Hz to 16000 Hz", 128, 30.0, 16000.0),
        ("10 bands from 500 Hz to 4000 Hz", 10, 500.0, 4000.0),
    ]
    return [Case(name, (n,), {"fmin_hz": lo, "fmax_hz": hi}, mel_frequencies_hz(n + 2, fmin=lo, fmax=hi)[1:-1])
            for name, n, lo, hi in specs]


def _judge_w1_mel(got, case):
    n, lo, hi = case.args[0], case.kwargs["fmin_hz"], case.kwargs["fmax_hz"]

    def centres(to_mel, to_hz, *, n_points=n + 2, inner=True, fmin=lo):
        edges = to_hz(np.linspace(to_mel(fmin), to_mel(hi), n_points))
        return edges[1:-1] if inner else edges

    mistakes = [
        (shape_is((n + 2,)), f"you returned the n_mels + 2 = {n + 2} band edges: the centres are the inner "
                             "n_mels values (drop the first and the last)."),
        (centres(_htk_mel, _htk_hz), "that is the HTK mel scale, 2595·log10(1 + f/700) (librosa's htk=True). "
                                     "The files were made with librosa's default, Slaney's scale: linear below "
                                     "1000 Hz (3f/200), logarithmic above."),
        (centres(_slaney_mel, _slaney_hz, n_points=n, inner=False),
         "the first centre is not fmin: fmin and fmax are the outer EDGES of the first and last bands. Space "
         "n_mels + 2 points evenly in mel and keep the inner n_mels."),
        (has_nonfinite, "nan or inf: the logarithm is only for f >= 1000 Hz (log(0) = -inf). Below 1000 Hz the "
                        "scale is linear, mel = 3f/200: choose with np.where (and the same in the inverse, "
                        "below 15 mel)."),
        (np.linspace(lo, hi, n + 2)[1:-1], "these are equally spaced in Hz: space them equally in MEL (convert "
                                           "fmin and fmax to mel, np.linspace there, convert back to Hz)."),
        (_slaney_mel(np.asarray(centres(_slaney_mel, _slaney_hz))), "these are mels: convert the centres back "
                                                                    "to Hz with the inverse formula."),
    ]
    if lo != 0.0:
        mistakes.append((centres(_slaney_mel, _slaney_hz, fmin=0.0), f"use the fmin_hz argument (this case "
                                                                      f"starts at {lo:g} Hz), not 0."))
    return verdict(got, case.expected, mistakes,
                   "edges: n_mels + 2 points evenly spaced in mel from mel(fmin_hz) to mel(fmax_hz), back to Hz; "
                   "the centres are the inner n_mels.", rtol=1e-6, atol=1e-6, unit="Hz")


def _cases_w1_band_of():
    from ..data import mel_frequencies_hz

    specs = [
        ("a kick (60 Hz), a snare (200 Hz), a voice (1 kHz), a hi-hat (8 kHz): Harmonix's 80 bands",
         [60.0, 200.0, 1000.0, 8000.0], 80, 0.0, 11025.0),
        ("between two centres above 1 kHz (nearer in mel than in Hz), 10 bands 500-4000 Hz",
         None, 10, 500.0, 4000.0),
        ("below the first and above the last centre, 40 bands 0-8000 Hz", [0.0, 10.0, 7900.0, 8000.0], 40, 0.0,
         8000.0),
    ]
    cases = []
    for name, freqs, n, lo, hi in specs:
        centres = mel_frequencies_hz(n + 2, fmin=lo, fmax=hi)[1:-1]
        if freqs is None:   # between centres k and k+1, above their geometric mean (the midpoint in mel up here)
            k = np.arange(n - 1)                     # and below their arithmetic mean (the midpoint in Hz)
            geometric, arithmetic = np.sqrt(centres[k] * centres[k + 1]), 0.5 * (centres[k] + centres[k + 1])
            freqs = np.sqrt(geometric * arithmetic)[centres[k] > 1000.0]
        f = np.asarray(freqs, dtype=float)
        expected = np.argmin(np.abs(_slaney_mel(f)[:, None] - _slaney_mel(centres)[None, :]), axis=1)
        cases.append(Case(name, (f,), {"n_mels": n, "fmin_hz": lo, "fmax_hz": hi}, expected))
    return cases


def _judge_w1_band_of(got, case):
    f = case.args[0]
    n, lo, hi = case.kwargs["n_mels"], case.kwargs["fmin_hz"], case.kwargs["fmax_hz"]
    m_lo, m_hi = _slaney_mel(lo), _slaney_mel(hi)
    step = (m_hi - m_lo) / (n + 1)
    raw = np.round((_slaney_mel(f) - m_lo) / step) - 1            # centre k sits at m_lo + (k + 1) step
    centres_hz = _slaney_hz(m_lo + step * np.arange(1, n + 1))
    mistakes = [
        (raw, "a frequency below the first centre belongs to band 0 and one above the last to band "
              f"{n - 1}: clip the index to 0 … n_mels - 1."),
        (np.clip(raw + 1, 0, n - 1), "off by one: the first CENTRE is one mel step above mel(fmin_hz) (fmin is an "
                                     "edge), so band k is centred at mel(fmin) + (k + 1)·step."),
        (np.argmin(np.abs(f[:, None] - centres_hz[None, :]), axis=1),
         "you took the nearest centre in Hz: measure the distance on the mel scale (the bands are equally "
         "wide there, not in Hz)."),
        (lambda g: as_float_array(g) is not None and as_float_array(g).shape == f.shape
         and np.all((as_float_array(g) >= 20) | (as_float_array(g) == 0)) and np.any(as_float_array(g) > n),
         "return band indices (0 … n_mels - 1), not frequencies."),
    ]
    return verdict(got, case.expected, mistakes,
                   "the band whose centre is nearest in mel: argmin over k of |mel(f) - mel(centre_k)|.",
                   rtol=0, atol=1e-9)


#: This week's exercises, in course order: four fill-ins (written where the idea is introduced), then
#: two end-of-week variations.
EXERCISES = (
    Exercise(
        "w1.db", "Power to decibels", "to_db", "S_power",
        "Convert a power mel-spectrogram to decibels relative to its loudest bin: `10 * np.log10(power / S.max())`. "
        "Two details make it safe to plot: floor the power at `1e-10` first (so `log(0)` never happens), and keep "
        "80 dB of range (nothing below `max - 80` dB).\n\n"
        "**You get** `S_power`, a 2-D array of power values (bands × frames).\n\n"
        "**Return** an array of the same shape, in dB: 0 at the loudest bin, nothing below -80.",
        _cases_w1_db, _judge_w1_db,
        on_pass="Same as `helpers.data.power_to_db(S, ref=S.max(), top_db=80)`, which the course uses from now on.",
        inline=True,
    ),
    Exercise(
        "w1.seconds", "Frames to seconds", "frames_to_seconds", "frames, sr, hop_length",
        "Frame `k` of a mel-spectrogram is centred on sample `k * hop_length` (librosa's `center=True`), so it "
        "sits at `k * hop_length / sr` seconds.\n\n"
        "**You get** an array of frame indices (whole, or fractional like 21.5 after sub-frame refinement), "
        "the sample rate `sr` (Hz) and the hop `hop_length` (samples), as read from `info.json` (`p.sr`, "
        "`p.hop_length`).\n\n"
        "**Return** the times in seconds: a float array of the same shape.",
        _cases_w1_seconds, _judge_w1_seconds,
        on_pass="`helpers.data.frames_to_time(frames, sr=..., hop_length=...)` (or `p.frames_to_time(frames)`) does "
                "the same; the course uses it from now on.",
        inline=True,
    ),
    Exercise(
        "w1.mel", "The centre frequencies of the mel bands", "mel_band_centres_hz", "n_mels, fmin_hz, fmax_hz",
        "librosa's mel scale (Slaney's, librosa's default `htk=False`) is linear below 1000 Hz and logarithmic "
        "above:\n\n"
        "- `mel = 3 * f / 200` for `f < 1000` Hz (so 1000 Hz is 15 mel),\n"
        "- `mel = 15 + 27 * np.log(f / 1000) / np.log(6.4)` for `f >= 1000` Hz,\n\n"
        "and the inverse: `f = 200 * mel / 3` below 15 mel, `f = 1000 * np.exp((mel - 15) * np.log(6.4) / 27)` "
        "above. The `n_mels` triangular filters have their edges at `n_mels + 2` frequencies equally spaced in "
        "mel from `mel(fmin_hz)` to `mel(fmax_hz)`; band `k`'s centre is the inner point `k + 1`.\n\n"
        "**You get** the number of bands and the lowest and highest edge in Hz (`p.n_mels`, `p.fmin`, "
        "`p.fmax_hz` from `info.json`).\n\n"
        "**Return** the `n_mels` centre frequencies in Hz, increasing.",
        _cases_w1_mel, _judge_w1_mel,
        on_pass="Same as `p.mel_frequencies_hz()` (and `librosa.mel_frequencies(n_mels + 2, fmin=..., fmax=...)[1:-1]`).",
        inline=True,
    ),
    Exercise(
        "w1.energy", "An energy curve in dB", "frame_energy_db", "S_power",
        "The energy of a frame is its total power, the sum over the bands.\n\n"
        "**You get** `S_power`, a 2-D array of power values (bands × frames).\n\n"
        "**Return** one value per frame: `10 * np.log10(energy)` in dB (re. power 1, no clipping), with the "
        "energy floored at `1e-10` before the log (a silent frame gives -100 dB).",
        _cases_w1_energy, _judge_w1_energy,
        on_pass="Same as `helpers.data.power_to_db(S.sum(axis=0), ref=1.0, top_db=None)`. Loud passages show as "
                "plateaus, single drum hits hardly: that is why Week 2 builds on the flux.",
        inline=True,
    ),
    Exercise(
        "w1.tolerance", "The tolerance in frames", "tolerance_in_frames", "tolerance_s, sr, hop_length",
        "The F-measure counts an estimated beat as right when it is within ±70 ms of a reference beat. How "
        "many frames is that? (The conversion you wrote in section 3, the other way round.)\n\n"
        "**You get** a tolerance in seconds (e.g. `0.07`), `sr` and `hop_length`.\n\n"
        "**Return** the tolerance in frames, as a float (do not round).",
        _cases_w1_tolerance, _judge_w1_tolerance,
        on_pass="At 21.53 frames/s, ±70 ms is only ±1.51 frames: a beat one frame off has already used two "
                "thirds of the window.",
    ),
    Exercise(
        "w1.band_of", "Which band holds this frequency?", "band_of_frequency", "freq_hz, n_mels, fmin_hz, fmax_hz",
        "The mel scale of section 4, the other way round: a kick drum sits around 60 Hz, a hi-hat around "
        "8 kHz; which rows of the mel-spectrogram hold them?\n\n"
        "**You get** an array of frequencies in Hz and the band layout (`n_mels`, `fmin_hz`, `fmax_hz`).\n\n"
        "**Return** for each frequency the index (0 … `n_mels - 1`) of the band whose centre is nearest to it "
        "**on the mel scale**, as an integer array. A frequency below the first centre belongs to band 0, one "
        "above the last to the last band.",
        _cases_w1_band_of, _judge_w1_band_of,
        on_pass="On Harmonix's 80 bands a 60 Hz kick is in band 0 and an 8 kHz hi-hat in band 72: the low "
                "bands are narrow in Hz (41 Hz apart below 1 kHz), the high ones wide (over 400 Hz at the top). "
                "Week 2 gives the bands below 250 Hz (kick and bass) extra weight.",
    ),
)
