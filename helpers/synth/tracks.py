"""The demo tracks: what each one is (tempo, meter, style) and what it is designed to provoke.

:data:`DEMO_TRACKS` is the list; :class:`DemoTrack` one entry; :func:`demo_track`
looks one up by id. Nothing here makes sound: :mod:`helpers.synth.render` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checks import check_choice, check_int_at_least
from ..errors import ParameterError
from .styles import STYLES

__all__ = ["DESIGNED_FOR", "DemoTrack", "DEMO_TRACKS", "demo_track"]

#: The behaviours of a beat tracker the tracks are designed to provoke.
DESIGNED_FOR = ("correct", "half-tempo", "double-tempo", "off-beat", "lost-lock")


@dataclass(frozen=True)
class DemoTrack:
    """What one demo track is and what it is meant to exercise.

    Attributes
    ----------
    number : int
        1-based index; seeds the track's random generator together with the seed.
    track_id : str
        ``d<NN>_<style>_<tempo>``: sortable, ASCII, descriptive.
    title, genre : str
        For metadata.csv.
    style : str
        Name of the arrangement (drum, bass and chord patterns) used to render it.
    tempo_bpm : float
        Tempo of the annotated beat at the start, in beats per minute.
    meter : int
        Annotated beats per bar (4, 3, or 6 for 6/8).
    time_signature : str
        As in metadata.csv: ``"4|4"``, ``"3|4"``, ``"6|8"``.
    duration_s : float
        Length of the rendered audio in seconds (the last downbeat is about 2 s earlier).
    designed_for : str
        One of :data:`DESIGNED_FOR`: what a tempo + dynamic-programming tracker is
        expected to do on it.
    description : str
        One sentence for a table in the notebooks.
    features : tuple of str
        Tags: ``steady``, ``swing``, ``syncopation``, ``tempo-drift``, ``tempo-step``,
        ``no-drum-intro``, ``break``, ``noise``, ``sparse``, ``offbeat-accents``,
        ``fast-hats``, ``slow``, ``fast``, ``triple-meter``, ``compound-meter``,
        ``pickup``, ``drum-fills``, ...
    tempo_change : str
        ``"steady"``, ``"drift"`` (tempo linear in the beat index from ``tempo_bpm``
        at the first beat to ``tempo_end_bpm`` at the final downbeat) or ``"step"``
        (``tempo_end_bpm`` from bar ``change_bar`` on).
    tempo_end_bpm : float or None
        Final tempo for ``drift`` and ``step``.
    change_bar : int or None
        First bar at the new tempo for ``step``.
    swing : float
        Position of the off-beat subdivision within its pair: 0.5 is straight,
        2/3 is triplet swing.
    swing_unit_beats : float
        The swung subdivision in beats (0.5 = eighth notes, 0.25 = sixteenths).
    first_beat_s : float
        Time of the first annotated beat, in seconds: the first downbeat (bar 1,
        position 1), or the first beat of the pickup when ``pickup_beats > 0``.
    pickup_beats : int
        Beats of a pickup (anacrusis) before the first downbeat, 0 to ``meter - 1``.
        They are annotated as the end of an incomplete bar 1 (a one-beat 4/4 pickup:
        position 4, bar 1), so the first full bar is bar 2.
    intro_bars_without_drums : int
        Full bars at the start with only sustained chords (no drums, no bass).
    break_bars : tuple of (int, int) or None
        ``(first_bar, n_bars)`` where drums and bass stop (full bars counted from 1
        at the first downbeat; ``change_bar`` counts the same way).
    noise : str or None
        ``"white"``, ``"pink"`` or ``"pink+bursts"`` noise added at ``snr_db``.
    snr_db : float or None
        Music-to-noise power ratio of the added noise, in dB.
    key_midi : int
        Root of the key as a MIDI note number (57 = A3).
    minor : bool
        Minor-key chord progression.
    """

    number: int
    track_id: str
    title: str
    genre: str
    style: str
    tempo_bpm: float
    meter: int
    time_signature: str
    duration_s: float
    designed_for: str
    description: str
    features: tuple[str, ...] = ()
    tempo_change: str = "steady"
    tempo_end_bpm: float | None = None
    change_bar: int | None = None
    swing: float = 0.5
    swing_unit_beats: float = 0.5
    first_beat_s: float = 0.5
    pickup_beats: int = 0
    intro_bars_without_drums: int = 0
    break_bars: tuple[int, int] | None = None
    noise: str | None = None
    snr_db: float | None = None
    key_midi: int = 57
    minor: bool = False

    def __post_init__(self):
        check_choice(self.meter, (3, 4, 6), name="DemoTrack.meter")
        check_choice(self.designed_for, DESIGNED_FOR, name="DemoTrack.designed_for")
        check_choice(self.tempo_change, ("steady", "drift", "step"), name="DemoTrack.tempo_change")
        if (self.tempo_change == "steady") != (self.tempo_end_bpm is None):
            raise ParameterError("DemoTrack.tempo_end_bpm is needed for drift/step, and only then")
        if (self.tempo_change == "step") != (self.change_bar is not None):
            raise ParameterError("DemoTrack.change_bar is needed for step, and only then")
        if not (30.0 <= self.duration_s <= 600.0 and 30.0 <= self.tempo_bpm <= 300.0):
            raise ParameterError(
                f"DemoTrack {self.track_id!r}: duration_s {self.duration_s} or tempo_bpm "
                f"{self.tempo_bpm} out of range"
            )
        if self.noise is not None and self.snr_db is None:
            raise ParameterError("DemoTrack.snr_db is needed when noise is set")
        check_choice(self.style, tuple(sorted(STYLES)), name="DemoTrack.style")
        check_int_at_least(self.pickup_beats, 0, maximum=self.meter - 1, name="DemoTrack.pickup_beats",
                           hint="at most meter - 1")


def _t(number, name, bpm, meter, duration_s, genre, title, designed_for, description, features, **kw):
    return DemoTrack(
        number=number,
        track_id=f"d{number:02d}_{name}",
        title=title,
        genre=genre,
        style=kw.pop("style", name.split("_")[0]),
        tempo_bpm=float(bpm),
        meter=meter,
        time_signature={4: "4|4", 3: "3|4", 6: "6|8"}[meter],
        duration_s=float(duration_s),
        designed_for=designed_for,
        description=description,
        features=tuple(features),
        **kw,
    )


#: The demo tracks, in order (``number`` = position + 1).
DEMO_TRACKS: tuple[DemoTrack, ...] = (
    _t(1, "pop_120", 120, 4, 45, "Pop", "Plain Pop", "correct",
       "Kick on 1 and 3, snare on 2 and 4, eighth-note hats, bass and chords: the easy case.",
       ["steady"], first_beat_s=0.5),
    _t(2, "drums_100", 100, 4, 30, "Pop", "Drums Only", "correct",
       "Kick, snare and hats only at a steady 100 BPM: the click-track of the set.",
       ["steady", "drums-only"], first_beat_s=0.5),
    _t(3, "dance_128", 128, 4, 45, "Dance/Electronic", "Four on the Floor", "correct",
       "A kick on every beat, off-beat open hats and bass.", ["steady"], first_beat_s=0.3),
    _t(4, "rock_124", 124, 4, 45, "Rock", "Straight Rock", "correct",
       "Driving eighth-note rock with a crash every four bars.", ["steady"], first_beat_s=0.7,
       key_midi=52),
    _t(5, "hiphop_90", 90, 4, 50, "Hip-Hop", "Swung Sixteenths", "correct",
       "Hip-hop groove with swung sixteenth-note hats and a syncopated kick.",
       ["steady", "swing", "syncopation"], swing=0.62, swing_unit_beats=0.25, first_beat_s=0.4,
       minor=True),
    _t(6, "funk_105", 105, 4, 45, "Funk/Disco", "Syncopated Funk", "lost-lock",
       "Kick and bass on the sixteenths between the beats, off-beat chord stabs: no "
       "stable pulse for the tracker.",
       ["steady", "syncopation"], first_beat_s=0.6, key_midi=52, minor=True),
    _t(7, "waltz_96", 96, 3, 45, "Pop", "Waltz", "correct",
       "Oom-pah-pah in 3/4: bass on 1, chords on 2 and 3.", ["steady", "triple-meter"],
       first_beat_s=0.5, key_midi=55),
    _t(8, "sixeight_156", 156, 6, 45, "Alternative", "Six Eight", "correct",
       "6/8 annotated at the eighth note (positions 1-6), accents on 1 and 4: the beat is "
       "easy, the downbeat (every sixth beat) is not.", ["steady", "compound-meter"], first_beat_s=0.4, minor=True),
    _t(9, "ballad_64", 64, 4, 60, "Pop", "Slow Ballad", "double-tempo",
       "Slow ballad whose eighth-note hats and arpeggio are stronger than the beat.",
       ["steady", "slow"], first_beat_s=0.8, key_midi=60),
    _t(10, "punk_196", 196, 4, 40, "Punk", "Too Fast", "half-tempo",
       "Very fast punk beat; a tempo prior centred near 120 BPM prefers half of it.",
       ["steady", "fast"], first_beat_s=0.3, key_midi=52),
    _t(11, "trap_140", 140, 4, 45, "Hip-Hop", "Half-Time Trap", "half-tempo",
       "Trap at 140 with a half-time feel: one snare per bar on beat 3, quiet hats.",
       ["steady", "half-time-feel"], first_beat_s=0.5, minor=True, key_midi=53),
    _t(12, "dnb_174", 174, 4, 40, "Dance/Electronic", "Drum and Bass", "half-tempo",
       "Drum and bass at 174 BPM; most trackers report 87.", ["steady", "fast"],
       first_beat_s=0.4, minor=True),
    _t(13, "reggae_76", 76, 4, 60, "World", "One Drop", "off-beat",
       "Reggae one-drop: loud skank chords on the off-beats, kick only on beat 3.",
       ["steady", "offbeat-accents", "slow"], first_beat_s=0.9, key_midi=55),
    _t(14, "ska_120", 120, 4, 45, "World", "Upstroke Ska", "off-beat",
       "Ska: loud upstroke chords on every off-beat, quiet drums on the beats.",
       ["steady", "offbeat-accents"], first_beat_s=0.5, key_midi=55),
    _t(15, "hats_72", 72, 4, 50, "Hip-Hop", "Busy Hats", "double-tempo",
       "Loud eighth-note shaker and sixteenth hats dominate soft kick and snare.", ["steady", "fast-hats"],
       first_beat_s=0.6, minor=True),
    _t(16, "drift_84to132", 84, 4, 70, "Rock", "Accelerando", "lost-lock",
       "Tempo rises smoothly from 84 to 132 BPM over the track.", ["tempo-drift"],
       style="pop", tempo_change="drift", tempo_end_bpm=132.0, first_beat_s=0.5),
    _t(17, "step_100to140", 100, 4, 60, "Rock", "Double Time Chorus", "lost-lock",
       "Tempo jumps from 100 to 140 BPM at bar 17.", ["tempo-step"], style="rock",
       tempo_change="step", tempo_end_bpm=140.0, change_bar=17, first_beat_s=0.5, key_midi=52),
    _t(18, "intro_110", 110, 4, 55, "Pop", "Slow Fade In", "lost-lock",
       "Eight bars of sustained chords with no drums before the band comes in.",
       ["steady", "no-drum-intro"], style="pop", intro_bars_without_drums=8, first_beat_s=0.5),
    _t(19, "break_116", 116, 4, 60, "Dance/Electronic", "The Drop", "correct",
       "Drums and bass stop for four bars (dotted-eighth arpeggio, noise riser); a "
       "global-tempo tracker bridges the gap, a purely local one loses it.",
       ["steady", "break"], style="dance", break_bars=(13, 4), first_beat_s=0.5),
    _t(20, "noise_122", 122, 4, 45, "Pop", "Static", "correct",
       "The plain pop groove under white noise at 0 dB SNR.", ["steady", "noise"],
       style="pop", noise="white", snr_db=0.0, first_beat_s=0.5),
    _t(21, "noisy_96", 96, 4, 45, "Rock", "Storm", "lost-lock",
       "Rock groove buried in pink noise with random bursts at -10 dB SNR.",
       ["steady", "noise"], style="rock", noise="pink+bursts", snr_db=-10.0, first_beat_s=0.5,
       key_midi=52),
    _t(22, "ambient_62", 62, 4, 70, "Dance/Electronic", "Drift Away", "lost-lock",
       "No drums: slow pads, a drone and a few bells at random triplet positions.", ["steady", "sparse", "slow"],
       first_beat_s=1.0, key_midi=60),
    _t(23, "latin_100", 100, 4, 45, "World", "Son Clave", "off-beat",
       "Son clave 3-2, conga tumbao and anticipated bass: few strong onsets on the beat.",
       ["steady", "syncopation"], first_beat_s=0.5, key_midi=55, minor=True),
    _t(24, "jazzwaltz_120", 120, 3, 40, "Blues", "Jazz Waltz", "correct",
       "Swung ride cymbal and walking bass in 3/4.",
       ["steady", "swing", "triple-meter"], swing=2 / 3, first_beat_s=0.4, key_midi=53),
    # -- added for downbeat tracking (issue 13); the beat itself is meant to be easy
    _t(25, "pickup_108", 108, 4, 32, "Pop", "Pickup", "correct",
       "The plain pop groove entered from a one-beat pickup (a snare run and a bass "
       "lead-in): the first annotated beat is position 4 of bar 1, the first downbeat "
       "starts bar 2.", ["steady", "pickup"], style="pop", pickup_beats=1, first_beat_s=0.6),
    _t(26, "fills_118", 118, 4, 36, "Rock", "Push and Fill", "correct",
       "Pop in 4-bar phrases, each closed by a snare-and-tom fill whose crash and kick "
       "land on the 'and' of 4, half a beat before the downbeat, which gets no kick.",
       ["steady", "drum-fills"], first_beat_s=0.5, key_midi=52),
)


def demo_track(track_id: str) -> DemoTrack:
    """The spec of one demo track by id.

    Raises
    ------
    ParameterError
        Unknown id; the message lists the ids.
    """
    for spec in DEMO_TRACKS:
        if spec.track_id == track_id:
            return spec
    raise ParameterError(
        f"no demo track {track_id!r}; the ids are {[t.track_id for t in DEMO_TRACKS]}"
    )
