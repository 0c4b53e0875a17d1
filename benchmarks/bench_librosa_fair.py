"""Is the librosa baseline at its fair best? librosa's beat_track (aligned: onset_strength with
center=False) with its defaults and with the settings a fair opponent might get instead: the course's
tempo-prior centre (113 BPM, fitted to the Harmonix dev annotations) and other tightness values.

Run from the repository root::

    .venv/bin/python benchmarks/bench_librosa_fair.py

Scores: helpers.evaluate.evaluate_beats (5 s trim), means over tracks, on ../shared/realmel (20
real excerpts) and the demo set (26 synthetic tracks). Nothing here is chosen for the course: the
baseline keeps librosa's defaults; this script checks that no listed alternative beats them by more
than noise (docs/tracker.md, "Measurements").
"""

from __future__ import annotations

import warnings
from pathlib import Path

import librosa
import numpy as np

from helpers.baseline import librosa_onset_strength
from helpers.data import data_root, load_beats, load_melspec, read_params
from helpers.evaluate import evaluate_beats

REPO = Path(__file__).resolve().parents[1]
DATA_SETS = {
    "realmel": (REPO.parent / "shared" / "realmel" / "melspecs", REPO.parent / "shared" / "realmel" / "beats"),
    "demo": (data_root() / "demo" / "melspecs", data_root() / "demo" / "dataset" / "beats_and_downbeats"),
}
VARIANTS = ({}, {"start_bpm": 113.0}, {"tightness": 400.0}, {"tightness": 50.0})
METRICS = ("F-measure", "Correct Metric Level Total", "Any Metric Level Total")


def mean_scores(melspec_dir: Path, beats_dir: Path, **beat_track_kwargs) -> tuple[np.ndarray, int]:
    params = read_params(melspec_dir / "info.json")
    rows = []
    for path in sorted(melspec_dir.glob("*-mel.npy")):
        beat_file = beats_dir / f"{path.name[:-len('-mel.npy')]}.txt"
        if not beat_file.is_file():
            continue
        S = load_melspec(path, params=params)
        env = librosa_onset_strength(S, sr=params.sr, hop_length=params.hop_length, center=False)
        _, beats_s = librosa.beat.beat_track(onset_envelope=env, sr=params.sr, hop_length=params.hop_length,
                                             units="time", **beat_track_kwargs)
        scores = evaluate_beats(load_beats(beat_file).times_s, beats_s, metrics=("F", "CMLt", "AMLt"))
        rows.append([scores[m] for m in METRICS])
    return np.mean(rows, axis=0), len(rows)


def main() -> None:
    warnings.simplefilter("ignore")     # mir_eval's warnings on empty trimmed beats
    print("librosa beat_track, aligned (center=False); F / CMLt / AMLt, 5 s trim, mean over tracks")
    for name, (melspec_dir, beats_dir) in DATA_SETS.items():
        if not melspec_dir.is_dir():
            print(f"{name}: not here ({melspec_dir})")
            continue
        for kwargs in VARIANTS:
            means, n = mean_scores(melspec_dir, beats_dir, **kwargs)
            label = ", ".join(f"{k}={v:g}" for k, v in kwargs.items()) or "librosa's defaults"
            print(f"  {name:8s} ({n:2d} tracks)  {label:22s} {' / '.join(f'{m:.3f}' for m in means)}")


if __name__ == "__main__":
    main()
