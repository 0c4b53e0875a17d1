"""Instrument sounds of the demo tracks, and mixing planned notes and hits into audio.

Every sound is a function of ``tau = n / sr - onset_s`` (seconds since its onset,
float32), so a hit can start between two samples: :func:`add_events` starts hit
``k`` at sample ``ceil(onset_k * sr)`` and evaluates it at the exact offset of that
sample. :func:`mix_hits` and :func:`mix_notes` add the planned :class:`Hits` and
:class:`Notes` of one instrument into a float64 buffer (in place); they draw no
random numbers (the performance is decided when the events are planned).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import HARMONIX_PARAMS
from ..errors import ParameterError

__all__ = ["SR", "TIMBRES", "DRUM_LEVEL", "DRUM_LENGTH_S", "NoiseBank", "Hits", "Notes",
           "drum_sound", "add_events", "midi_hz", "mix_hits", "mix_notes"]

#: Sample rate of the rendered audio in Hz: the Harmonix one, so that the mel-spectrograms
#: are computed exactly as the published ones (helpers.data.HARMONIX_PARAMS).
SR = HARMONIX_PARAMS.sr

_NYQ = SR / 2.0


def _attack(tau, a):
    return 1.0 - np.exp(tau * np.float32(-1.0 / a))


def _sines(tau, freq_hz, partials):
    """Sum of amp * sin(2 pi r f tau) over the (ratio r, amp) partials below Nyquist.

    tau (m, L) float32 seconds, freq_hz (m, 1). Whole-number ratios 1..R come from one
    sin/cos pair by the recurrence sin((h+1)x) = 2 cos(x) sin(hx) - sin((h-1)x).
    """
    freq_hz = np.asarray(freq_hz, dtype=np.float32)
    out = np.zeros(tau.shape, dtype=np.float32)
    whole = {int(r): a for r, a in partials if float(r).is_integer() and 1 <= r <= 16}
    if whole:
        x = (np.float32(2 * np.pi) * freq_hz) * tau
        s_prev, s_cur = np.zeros_like(x), np.sin(x)
        two_cos = 2 * np.cos(x)
        for h in range(1, max(whole) + 1):
            if h in whole:
                out += np.float32(whole[h]) * (h * freq_hz < _NYQ).astype(np.float32) * s_cur
            s_prev, s_cur = s_cur, two_cos * s_cur - s_prev
    for ratio, amp in partials:
        if int(ratio) in whole and float(ratio).is_integer():
            continue
        f = np.float32(ratio) * freq_hz
        out += (np.float32(amp) * (f < _NYQ)) * np.sin(np.float32(2 * np.pi) * f * tau)
    return out


TIMBRES = {  # partials (ratio, amp), attack_s, decay_s, level
    "bass": (((1, 1.0), (2, 0.5), (3, 0.3), (4, 0.2), (5, 0.1)), 0.004, 0.5, 0.45),
    "sub": (((1, 1.0), (2, 0.15)), 0.01, 3.0, 0.6),
    "pluck": (((1, 1.0), (2, 0.4), (3, 0.2), (4, 0.1)), 0.004, 0.7, 0.10),
    "epiano": (((1, 1.0), (2, 0.25), (4, 0.1), (7, 0.05)), 0.003, 1.0, 0.10),
    "power": (((1, 1.0), (2, 0.7), (3, 0.5), (4, 0.4), (5, 0.3), (6, 0.2), (8, 0.1)), 0.003, 0.4, 0.07),
    "stab": (((1, 1.0), (2, 0.6), (3, 0.5), (4, 0.4), (5, 0.3), (6, 0.25)), 0.002, 0.15, 0.10),
    "skank": (((1, 1.0), (2, 0.8), (3, 0.6), (4, 0.5), (5, 0.4), (6, 0.3), (8, 0.2)), 0.0015, 0.08, 0.12),
    "pad": (((1, 1.0), (2, 0.3), (3, 0.1)), 0.6, 12.0, 0.05),
    "bell": (((1, 1.0), (2.76, 0.5), (5.4, 0.25), (8.93, 0.1)), 0.002, 1.5, 0.12),
    "arp": (((1, 1.0), (2, 0.3), (3, 0.1)), 0.003, 0.5, 0.08),
}

DRUM_LEVEL = {"kick": 0.9, "snare": 0.45, "hat": 0.10, "ohat": 0.09, "ride": 0.08, "crash": 0.12,
               "rim": 0.25, "clave": 0.22, "conga": 0.35, "shaker": 0.05, "riser": 0.08,
              "tom": 0.6}
DRUM_LENGTH_S = {"kick": 0.6, "snare": 0.4, "hat": 0.15, "ohat": 0.5, "ride": 1.2, "crash": 2.0,
                  "rim": 0.1, "clave": 0.15, "conga": 0.4, "shaker": 0.12, "tom": 0.5}


def _release(tau, dur_s, release_s=0.04):
    return np.clip((dur_s + release_s - tau) / release_s, 0.0, 1.0)


class NoiseBank:
    """Filtered noise buffers; each hit reads its own random slice (one rng, fixed order)."""

    def __init__(self, rng):
        from scipy import signal

        white = rng.standard_normal(3 * SR)
        bands = {
            "hp": signal.butter(4, 7000.0, btype="highpass", fs=SR, output="sos"),
            "mid": signal.butter(2, [1500.0, 6000.0], btype="bandpass", fs=SR, output="sos"),
            "shaker": signal.butter(2, [5000.0, 10000.0], btype="bandpass", fs=SR, output="sos"),
        }
        self.buf = {}
        for name, sos in bands.items():
            x = signal.sosfilt(sos, white)
            self.buf[name] = (x / np.sqrt(np.mean(x**2))).astype(np.float32)

    def slices(self, name, starts, length):
        return self.buf[name][starts[:, None] + np.arange(length)]


def drum_sound(name, tau, noise):
    """Waveform of drum `name` at times tau (m, L) after onset; `noise(band)` gives (m, L) noise."""
    if name == "kick":
        sweep_s = 0.03
        phase = 2 * np.pi * (50.0 * tau + 110.0 * sweep_s * (1.0 - np.exp(-tau / sweep_s)))
        return (np.sin(phase) * _attack(tau, 0.001) * np.exp(-tau / 0.22)
                + 0.3 * np.sin(2 * np.pi * 1800.0 * tau) * np.exp(-tau / 0.003))
    if name == "snare":
        body = (np.sin(2 * np.pi * 185.0 * tau) * np.exp(-tau / 0.05)
                + 0.5 * np.sin(2 * np.pi * 330.0 * tau) * np.exp(-tau / 0.04))
        return _attack(tau, 0.001) * (0.6 * body + noise("mid") * np.exp(-tau / 0.10))
    if name in ("hat", "ohat", "crash"):
        decay = {"hat": 0.03, "ohat": 0.18, "crash": 0.8}[name]
        return _attack(tau, 0.0005) * noise("hp") * np.exp(-tau / decay)
    if name == "ride":
        bell = _sines(tau, np.array([[1.0]]), ((3150, 0.3), (4470, 0.25), (5920, 0.2), (7340, 0.1)))
        return _attack(tau, 0.0005) * (0.6 * noise("hp") * np.exp(-tau / 0.35) + bell * np.exp(-tau / 0.5))
    if name == "rim":
        return _sines(tau, np.array([[1.0]]), ((1700, 1.0), (2900, 0.6))) * np.exp(-tau / 0.012)
    if name == "clave":
        return _sines(tau, np.array([[1.0]]), ((2500, 1.0), (5000, 0.2))) * np.exp(-tau / 0.03)
    if name == "conga":
        phase = 2 * np.pi * (300.0 * tau + 80.0 * 0.01 * (1.0 - np.exp(-tau / 0.01)))
        return _attack(tau, 0.001) * np.sin(phase) * np.exp(-tau / 0.12)
    if name == "tom":
        # a floor tom: 95 Hz with a short downward sweep from 150 Hz, some stick noise
        phase = 2 * np.pi * (95.0 * tau + 55.0 * 0.02 * (1.0 - np.exp(-tau / 0.02)))
        return _attack(tau, 0.001) * (np.sin(phase) * np.exp(-tau / 0.25)
                                      + 0.15 * noise("mid") * np.exp(-tau / 0.03))
    if name == "shaker":
        return np.sin(np.pi * np.clip(tau / 0.06, 0, 1)) * noise("shaker")
    raise ParameterError(f"unknown drum {name!r}")


def add_events(y, onsets_s, gains, length_s, render, *, max_block=2_000_000):
    """Add one sound per onset into y (in place), vectorised in blocks of hits.

    Hit k starts at sample ``ceil(onset_k * sr)``; ``render(tau, sel)`` returns the
    (m, L) waveforms of hits ``sel`` (a slice) at ``tau = n / sr - onset_k`` seconds
    (float32, computed from the exact float64 offset of the first sample).
    """
    onsets_s = np.asarray(onsets_s, dtype=np.float64)
    gains = np.broadcast_to(np.asarray(gains, dtype=np.float64), onsets_s.shape)
    if onsets_s.size == 0:
        return
    n_len = int(np.ceil(length_s * SR))
    offsets_s = (np.arange(n_len) / SR).astype(np.float32)
    per = max(1, max_block // n_len)
    for a in range(0, onsets_s.size, per):
        sel = slice(a, a + per)
        o = onsets_s[sel]
        start = np.ceil(o * SR).astype(np.int64)
        delta_s = (start / SR - o).astype(np.float32)          # in [0, 1/sr)
        tau = offsets_s[None, :] + delta_s[:, None]
        vals = render(tau, sel) * gains[sel, None].astype(np.float32)
        for k, s0 in enumerate(start):                         # one slice per hit
            s1 = min(s0 + n_len, y.size)
            if s1 > s0:
                y[s0:s1] += vals[k, : s1 - s0]


def midi_hz(m):
    """MIDI note number(s) to Hz (A4 = 69 = 440 Hz), float64."""
    return 440.0 * 2.0 ** ((np.asarray(m, dtype=np.float64) - 69.0) / 12.0)


# ---------------------------------------------------------------------------------------
# Planned events and their mixing
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Hits:
    """The planned hits of one drum.

    Attributes
    ----------
    name : str
        Drum (a key of :data:`DRUM_LEVEL`).
    onsets_s : np.ndarray [shape=(n,)], float64
        Onset of each hit in seconds.
    gains : np.ndarray [shape=(n,)], float64
        Linear gain of each hit (velocity x drum level x the style's level).
    noise_starts : np.ndarray [shape=(n,)], int64
        Where each hit reads its slice of the :class:`NoiseBank` buffers.
    """

    name: str
    onsets_s: np.ndarray
    gains: np.ndarray
    noise_starts: np.ndarray


@dataclass(frozen=True, eq=False)
class Notes:
    """The planned notes of one tonal instrument.

    Attributes
    ----------
    name : str
        Instrument part (``"bass"``, ``"chords"``, ``"pad"``, ``"arp"``, ``"bells"``).
    timbre : str
        A key of :data:`TIMBRES`.
    onsets_s, durations_s : np.ndarray [shape=(n,)], float64
        Onset and held duration of each note in seconds.
    freq_hz : np.ndarray [shape=(n,)], float64
        Fundamental frequency of each note.
    gains : np.ndarray [shape=(n,)], float64
        Linear gain of each note (velocity x timbre level x the style's level).
    """

    name: str
    timbre: str
    onsets_s: np.ndarray
    durations_s: np.ndarray
    freq_hz: np.ndarray
    gains: np.ndarray


def mix_hits(y, hits: Hits, noise: NoiseBank) -> None:
    """Add the hits of one drum into ``y`` (float64 samples at :data:`SR`, in place)."""
    if hits.onsets_s.size == 0:
        return
    name, starts = hits.name, hits.noise_starts

    def render(tau, sel):
        return drum_sound(name, tau, lambda band: noise.slices(band, starts[sel], tau.shape[1]))

    add_events(y, hits.onsets_s, hits.gains, DRUM_LENGTH_S[name], render)


def mix_notes(y, notes: Notes) -> None:
    """Add the notes of one instrument into ``y`` (float64 samples at :data:`SR`, in place).

    Notes of similar length share a block length (bins 25 % wide), so a long pad
    does not make every short note's block long.
    """
    if notes.onsets_s.size == 0:
        return
    partials, attack_s, decay_s, _ = TIMBRES[notes.timbre]
    dur_s, freq = notes.durations_s, notes.freq_hz

    def render(tau, sel):
        d = dur_s[sel, None].astype(np.float32)
        env = _attack(tau, attack_s) * np.exp(-tau / decay_s) * _release(tau, d)
        return env * _sines(tau, freq[sel, None], partials)

    length_bin = np.ceil(np.log(dur_s + 0.05) / np.log(1.25))
    for b in np.unique(length_bin):
        idx = np.flatnonzero(length_bin == b)
        add_events(y, notes.onsets_s[idx], notes.gains[idx], float(dur_s[idx].max()) + 0.05,
                   lambda tau, sel, idx=idx: render(tau, idx[sel]))
