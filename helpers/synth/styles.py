"""The arrangements of the demo tracks: drum, bass and chord patterns of each style.

A pattern lists ``(position_in_beats, velocity)`` over ``bars`` bars; bass notes are
``(position, duration_beats, interval_semitones, velocity)``; chord hits are
``(position, duration_beats, velocity)``; arpeggio notes ``(position, duration_beats,
chord_tone_index, velocity)``. Levels scale whole instruments. A style is a function
of the meter returning an :class:`Arrangement`; :data:`STYLES` names them.

:func:`pickup_fill` is what any track with a pickup (anacrusis) plays before its
first downbeat.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Arrangement", "STYLES", "every", "pickup_fill"]


def every(step, meter, vel_on=1.0, vel_off=None):
    """Hits every `step` beats in one bar; on-beat hits get vel_on, others vel_off."""
    vel_off = vel_on if vel_off is None else vel_off
    pos = np.arange(0.0, meter, step)
    return [(float(p), vel_on if float(p).is_integer() else vel_off) for p in pos]


@dataclass(frozen=True)
class Arrangement:
    """The patterns of one style (positions in beats from the start of a `bars`-bar cycle)."""

    drums: dict = field(default_factory=dict)      # instrument -> [(pos, vel)]
    bass: tuple = ()                               # [(pos, dur, interval, vel)]
    bass_timbre: str = "bass"
    chords: tuple = ()                             # [(pos, dur, vel)]
    chord_timbre: str = "pluck"
    chord_octave: int = 0
    arp: tuple = ()                                # [(pos, dur, chord_tone_index, vel)]
    pad: bool = False                              # sustained pad under everything
    bells: float = 0.0                             # probability of a bell per triplet-grid point
    bars: int = 1                                  # pattern length in bars
    chord_bars: int = 1                            # bars per chord
    levels: dict = field(default_factory=dict)


def _style_pop(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (2, 0.9), (2.5, 0.5)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": every(0.5, 4, 0.8, 0.55)},
        bass=[(p, 0.45, 12 if p == 1.5 else 0, 0.9 if p.is_integer() else 0.6)
              for p in np.arange(0, 4, 0.5)],
        chords=[(0, 1.45, 1.0), (1.5, 0.45, 0.6), (2, 1.9, 0.9)],
    )


def _style_drums(meter):
    return Arrangement(drums=_style_pop(meter).drums)


def _style_dance(meter):
    return Arrangement(
        drums={"kick": every(1, 4), "snare": [(1, 0.8), (3, 0.8)],
               "ohat": [(p, 0.8) for p in (0.5, 1.5, 2.5, 3.5)],
               "hat": [(p, 0.35) for p in (0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75)]},
        bass=[(p, 0.4, 0, 0.9) for p in (0.5, 1.5, 2.5, 3.5)],
        pad=True,
        chords=[(0, 0.3, 0.7), (2.5, 0.3, 0.6)], chord_timbre="stab",
        levels={"chords": 0.5},
    )


def _style_rock(meter):
    bar = {"kick": [(0, 1.0), (2, 1.0), (2.5, 0.7)], "snare": [(1, 1.0), (3, 1.0)],
           "hat": every(0.5, 4, 0.8, 0.7)}
    drums = {k: [(p + 4 * b, v) for b in range(4) for p, v in pats] for k, pats in bar.items()}
    drums["crash"] = [(0, 0.8)]
    return Arrangement(
        drums=drums, bars=4,
        bass=[(p + 4 * b, 0.45, 0, 0.8) for b in range(4) for p in np.arange(0, 4, 0.5)],
        chords=[(p + 4 * b, 0.45, 0.8) for b in range(4) for p in np.arange(0, 4, 0.5)],
        chord_timbre="power",
    )


def _style_hiphop(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (0.75, 0.6), (2.5, 0.9)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": [(p, (0.7, 0.3, 0.5, 0.3)[i % 4]) for i, p in enumerate(np.arange(0, 4, 0.25))]},
        bass=[(0, 0.7, 0, 1.0), (0.75, 0.5, 0, 0.6), (2.5, 1.2, 0, 0.9)],
        chords=[(0, 3.9, 0.8)], chord_timbre="epiano",
    )


def _style_funk(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (0.75, 0.7), (1.5, 0.6), (2.75, 0.8)],
               "snare": [(1, 1.0), (3, 1.0), (1.75, 0.25), (2.25, 0.25), (3.5, 0.2)],
               "hat": [(p, (0.6, 0.35)[i % 2]) for i, p in enumerate(np.arange(0, 4, 0.25))]},
        bass=[(0, 0.2, 0, 1.0), (0.75, 0.2, 12, 0.8), (1.5, 0.2, 0, 0.8),
              (2.25, 0.2, 7, 0.7), (2.75, 0.2, 0, 0.9), (3.5, 0.2, 10, 0.7)],
        chords=[(0.5, 0.2, 0.8), (1.75, 0.2, 0.9), (2.5, 0.2, 0.8), (3.75, 0.2, 0.9)],
        chord_timbre="stab", levels={"chords": 0.6},
    )


def _style_waltz(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (3, 0.9)], "snare": [(1, 0.35), (2, 0.35), (4, 0.35), (5, 0.35)],
               "hat": [(p, 0.6) for p in range(6)]},
        bars=2,
        bass=[(0, 0.9, 0, 1.0), (3, 0.9, 7, 0.9)],
        chords=[(p, 0.8, 0.8) for p in (1, 2, 4, 5)],
    )


def _style_jazzwaltz(meter):
    return Arrangement(
        drums={"ride": [(0, 1.0), (1, 0.8), (1.5, 0.6), (2, 0.8)], "hat": [(1, 0.4)],
               "kick": [(0, 0.4)]},
        bass=[(0, 0.9, 0, 0.9), (1, 0.9, 4, 0.8), (2, 0.9, 7, 0.8)],
        chords=[(0, 0.4, 0.6), (1.5, 0.8, 0.7)], chord_timbre="epiano",
    )


def _style_sixeight(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (3, 0.7)], "snare": [(3, 0.9)],
               "hat": [(p, 0.8 if p in (0, 3) else 0.45) for p in range(6)]},
        bass=[(0, 2.8, 0, 1.0), (3, 2.8, 7, 0.8)],
        arp=[(p, 0.9, (0, 1, 2, 1, 2, 1)[p], 0.6) for p in range(6)],
        pad=True,
    )


def _style_ballad(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (2.5, 0.6)], "snare": [(1, 0.8), (3, 0.8)],
               "hat": every(0.5, 4, 0.8, 0.7)},
        bass=[(0, 1.9, 0, 0.9), (2, 1.9, 7, 0.8)],
        arp=[(p, 0.45, (0, 1, 2, 1)[i % 4], 0.7) for i, p in enumerate(np.arange(0, 4, 0.5))],
        pad=True, levels={"hat": 1.6, "arp": 1.3},
    )


def _style_punk(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (2, 1.0)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": every(1, 4, 0.7)},
        bass=[(p, 0.45, 0, 0.8) for p in np.arange(0, 4, 0.5)],
        chords=[(0, 1.9, 0.9), (2, 1.9, 0.9)], chord_timbre="power",
    )


def _style_trap(meter):
    hats = every(0.5, 4, 0.6, 0.5) + [(p, 0.35) for p in (3.25, 3.75, 3.875)]
    return Arrangement(
        drums={"kick": [(0, 1.0), (1.75, 0.7), (3.0, 0.6)], "snare": [(2, 1.0)], "hat": hats},
        levels={"hat": 0.5},
        bass=[(0, 1.6, 0, 1.0), (1.75, 1.2, 0, 0.8), (3.0, 0.9, -2, 0.7)], bass_timbre="sub",
        pad=True,
    )


def _style_dnb(meter):
    return Arrangement(
        drums={"kick": [(0, 1.0), (2.5, 0.9)], "snare": [(1, 1.0), (3, 1.0)],
               "hat": every(0.5, 4, 0.5, 0.4)},
        bass=[(0, 3.9, 0, 1.0)], bass_timbre="sub", pad=True,
    )


def _style_reggae(meter):
    return Arrangement(
        drums={"kick": [(2, 0.7)], "rim": [(2, 0.8)], "hat": every(0.5, 4, 0.2, 0.2)},
        bass=[(1, 0.45, 0, 0.6), (1.5, 0.4, 7, 0.5), (3, 0.9, 0, 0.6)],
        chords=[(p, 0.2, 1.0) for p in (0.5, 1.5, 2.5, 3.5)], chord_timbre="skank", chord_octave=12,
        levels={"chords": 1.6, "bass": 0.6},
    )


def _style_ska(meter):
    return Arrangement(
        drums={"kick": [(0, 0.5), (2, 0.5)], "snare": [(1, 0.4), (3, 0.4)],
               "ohat": [(p, 0.5) for p in (0.5, 1.5, 2.5, 3.5)]},
        bass=[(p, 0.9, (0, 4, 7, 4)[p], 0.5) for p in range(4)],
        chords=[(p, 0.2, 1.0) for p in (0.5, 1.5, 2.5, 3.5)], chord_timbre="skank", chord_octave=12,
        levels={"chords": 2.0, "bass": 0.4, "kick": 0.5, "snare": 0.5},
    )


def _style_hats(meter):
    return Arrangement(
        drums={"kick": [(0, 0.5), (2, 0.4)], "snare": [(1, 0.4), (3, 0.4)],
               "hat": [(p, (1.0, 0.35)[i % 2]) for i, p in enumerate(np.arange(0, 4, 0.25))],
               "shaker": [(p, 1.0) for p in np.arange(0, 4, 0.5)]},
        bass=[(0, 3.9, 0, 0.6)], pad=True,
        levels={"hat": 3.0, "kick": 0.5, "snare": 0.5},
    )


def _style_latin(meter):
    # son clave 3-2 over two bars, conga tumbao, anticipated bass, montuno stabs
    conga = [(0.5, 0.3), (1, 0.8), (1.5, 0.3), (2.5, 0.3), (3, 0.4), (3.5, 1.0)]
    return Arrangement(
        drums={"clave": [(p, 1.0) for p in (0, 1.5, 3, 5, 6)],
               "conga": conga + [(p + 4, v) for p, v in conga],
               "kick": [(0, 0.3), (4, 0.3)], "shaker": [(p, 0.4) for p in np.arange(0, 8, 0.5)]},
        bars=2,
        bass=[(1.5, 1.4, 7, 0.9), (3, 1.0, 0, 0.9), (5.5, 1.4, 7, 0.9), (7, 1.0, 0, 0.9)],
        chords=[(p, 0.25, 0.8) for p in (0.5, 1.5, 2, 3, 3.5, 4.5, 5.5, 6, 7, 7.5)],
        chord_timbre="stab", chord_octave=12, levels={"clave": 1.4, "chords": 0.7},
    )


def _style_ambient(meter):
    return Arrangement(bass=[(0, 7.8, 0, 0.5)], bass_timbre="sub", pad=True, bells=0.1,
                        bars=2, chord_bars=2)


def _style_fills(meter):
    """Pop in 4-bar phrases; the fourth bar ends with a fill and a push into the next phrase.

    Beats 3-4 of the fourth bar: a snare run in sixteenths, accented on the "and" of 3,
    two floor-tom hits (loudest on the "e" of 4), then kick, crash and bass together on
    the "and" of 4 -- half a beat *before* the downbeat, which itself gets no kick, no
    hat and no bass (the push is held over it). Chords still change on the downbeat.
    """
    pop = _style_pop(meter)
    drums = {name: [(p + 4 * b, v) for b in range(3) for p, v in hits] for name, hits in pop.drums.items()}
    drums["kick"] = [(p, v) for p, v in drums["kick"] if p != 0]          # pushed: no kick on 1,
    drums["hat"] = [(p, v) for p, v in drums["hat"] if p != 0]            # no hat (the crash rings)
    drums["kick"] += [(12, 1.0), (15.5, 1.0)]
    drums["snare"] += [(13, 1.0), (14, 0.5), (14.25, 0.6), (14.5, 1.0), (14.75, 0.6)]
    drums["hat"] += [(12 + p, v) for p, v in pop.drums["hat"] if p < 2]
    drums["tom"] = [(15, 0.8), (15.25, 1.0)]
    drums["crash"] = [(15.5, 1.0)]
    bass = [(p + 4 * b, d, i, v) for b in range(4) for p, d, i, v in pop.bass
            if not (b == 0 and p == 0) and not (b == 3 and p >= 2)]
    bass.append((15.5, 0.95, 0, 1.0))
    chords = [(p + 4 * b, d, v) for b in range(4) for p, d, v in pop.chords]
    return Arrangement(drums=drums, bass=bass, chords=chords, bars=4, levels={"crash": 1.5})


def pickup_fill(n_beats):
    """Drums and bass of a pickup of `n_beats` beats (positions < 0, before the first downbeat).

    A snare on every eighth note, growing louder, and a bass note on each beat: the
    dominant (a fourth below the key root) on the last beat, the subdominant (a fifth
    below) on any earlier one, leading into the root on the downbeat.

    Returns
    -------
    drums : dict of str to list of (position, velocity)
    bass : list of (position, duration_beats, interval_semitones, velocity)
        Intervals are relative to the key root (the chord of the first bar).
    """
    eighths = np.arange(-n_beats, 0, 0.5)
    drums = {"snare": [(float(p), 0.6 + 0.4 * (i + 1) / eighths.size) for i, p in enumerate(eighths)]}
    bass = [(float(p), 0.9, -5 if p == -1 else -7, 0.9) for p in range(-n_beats, 0)]
    return drums, bass


STYLES = {
    "pop": _style_pop, "drums": _style_drums, "dance": _style_dance, "rock": _style_rock,
    "hiphop": _style_hiphop, "funk": _style_funk, "waltz": _style_waltz,
    "jazzwaltz": _style_jazzwaltz, "sixeight": _style_sixeight, "ballad": _style_ballad,
    "punk": _style_punk, "trap": _style_trap, "dnb": _style_dnb, "reggae": _style_reggae,
    "ska": _style_ska, "hats": _style_hats, "latin": _style_latin, "ambient": _style_ambient,
    "fills": _style_fills,
}
