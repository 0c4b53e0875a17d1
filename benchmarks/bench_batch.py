"""Full-scale benchmark of helpers.batch: 912 Harmonix-length tracks, tracked AND scored.

What it measures, in one run (targets from issue 7 in brackets):

(a) ``run_batch`` with the course's reference tracker, all 10 metrics, empty cache,
    ``--jobs`` worker processes                                             [< 60 s]
(a') the same runner with librosa's tracker (the naive loop's tracker: same work,
    so this is the like-for-like speed-up)
(b) the naive loop -- ``np.load`` + ``librosa.onset.onset_strength`` +
    ``librosa.beat.beat_track`` + ``mir_eval.beat.evaluate``, one track at a time in
    one process -- timed on an evenly spaced subset (``--naive-tracks``, default 80;
    0 = all) and extrapolated to all tracks in proportion to their number of frames
    (the cost of every step grows with the track's length); speed-up = (b) / (a) [>= 3x]
(c) the cached re-run of (a)                                                 [< 5 s]
(d) the peak memory of the whole process tree during (a), (a') and (c), sampled every
    50 ms with psutil: the sum of the proportional set sizes (PSS: the tree's real
    footprint) and the sum of the resident sizes (RSS: an over-estimate, pages shared by
    forked workers count once per process); and getrusage's peak of this process + that
    of its largest child times the number of workers, over the whole benchmark   [< 1 GB]

The data: one float32 (80, n_frames) POWER mel-spectrogram per Harmonix track, with the
track's real duration (metadata.csv: 912 tracks, 56 h, about 1.3 GB) and a click-like
onset on every beat at the track's real BPM (louder on downbeats, weaker off-beats
and a noise floor), plus exact reference beats.  It is written once under
``--dir`` (default build/bench_batch/data) and reused; it is not music, but it gives
the tracker the same amount of work as real data.  librosa's numba functions are
loaded before any timing (compilation is not counted; ``make warm`` caches it).

Run from the repository root, on a quiet machine (the script prints the load)::

    NUMBA_CACHE_DIR=build/numba .venv/bin/python benchmarks/bench_batch.py
    .venv/bin/python benchmarks/bench_batch.py --naive-tracks 0      # the whole naive loop (~3 min)
"""

from __future__ import annotations

import os

# One BLAS thread per process, for every phase, set before numpy loads OpenBLAS. The runner
# gets its parallelism from processes; and in the naive loop, mir_eval's P-score calls
# np.correlate, whose threaded dot products stall when the other core is busy (we measured
# one call taking 30 s instead of 0.1 s on a loaded machine). Pinning makes the naive loop
# faster and steadier, so the speed-up we report is conservative.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import hashlib
import json
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

from helpers.batch import run_batch
from helpers.data import HARMONIX_PARAMS, Dataset, load_metadata

REPO = Path(__file__).resolve().parents[1]
METADATA_CANDIDATES = (
    REPO / "data" / "harmonix" / "dataset" / "metadata.csv",
    REPO.parent / "shared" / "harmonix" / "dataset" / "metadata.csv",
)
GENERATOR = "bench_batch v1"
SEED = 912


# --------------------------------------------------------------------------- the data
def find_metadata(path: str | None) -> Path:
    candidates = [Path(path)] if path else METADATA_CANDIDATES
    for p in candidates:
        if p.is_file():
            return p
    sys.exit(f"no Harmonix metadata.csv found (tried {', '.join(map(str, candidates))}); pass --metadata PATH")


def synth_track(n_frames: int, bpm: float, beats_per_bar: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """A POWER mel spectrogram with an onset on every beat, and the exact beat times."""
    p = HARMONIX_PARAMS
    fps = p.sr / p.hop_length
    S = rng.random((p.n_mels, n_frames), dtype=np.float32)
    S *= S
    S *= 1e-3                                                   # noise floor
    period_s = 60.0 / bpm
    offset_s = rng.uniform(0.2, period_s + 0.2)
    times = np.arange(offset_s, (n_frames - 2) / fps, period_s)
    frames = np.rint(times * fps).astype(int)
    bands = np.linspace(1.0, 0.1, p.n_mels, dtype=np.float32)[:, None]   # more energy low
    gains = np.where(np.arange(frames.size) % beats_per_bar == 0, 1.0, 0.5).astype(np.float32)
    S[:, frames] += bands * gains
    S[:, frames + 1] += 0.3 * bands * gains                     # decay
    half = np.rint((times + period_s / 2) * fps).astype(int)
    half = half[half < n_frames]
    S[p.n_mels // 2:, half] += 0.15                             # off-beat hats
    return S, times


def generate(directory: Path, metadata_csv: Path, *, force: bool = False) -> Dataset:
    """Write the full-scale set once (reused while the marker matches)."""
    marker = directory / ".complete"
    fingerprint = f"{GENERATOR} {hashlib.sha256(metadata_csv.read_bytes()).hexdigest()}"
    if not force and marker.is_file() and marker.read_text() == fingerprint:
        return Dataset.from_root(directory, name="bench")
    if directory.exists():
        shutil.rmtree(directory)
    mel_dir = directory / "melspecs"
    beat_dir = directory / "dataset" / "beats_and_downbeats"
    mel_dir.mkdir(parents=True)
    beat_dir.mkdir(parents=True)
    (mel_dir / "info.json").write_text(json.dumps(HARMONIX_PARAMS.to_info_json()))
    meta = load_metadata(metadata_csv)
    rng = np.random.default_rng(SEED)
    p = HARMONIX_PARAMS
    start = time.perf_counter()
    n_bytes = 0
    for i, (tid, m) in enumerate(sorted(meta.items())):
        n_frames = int(m.duration_s * p.sr / p.hop_length) + 1
        S, times = synth_track(n_frames, m.bpm, m.beats_per_bar or 4, rng)
        np.save(mel_dir / f"{tid}-mel.npy", S)
        n_bytes += S.nbytes
        bpb = m.beats_per_bar or 4
        (beat_dir / f"{tid}.txt").write_text(
            "".join(f"{t:.6f}\t{k % bpb + 1}\t{k // bpb + 1}\n" for k, t in enumerate(times)))
        if (i + 1) % 100 == 0:
            print(f"  generated {i + 1}/{len(meta)} tracks ({n_bytes / 1e9:.2f} GB)", file=sys.stderr)
    marker.write_text(fingerprint)
    print(f"generated {len(meta)} tracks, {n_bytes / 1e9:.2f} GB, in {time.perf_counter() - start:.1f} s",
          file=sys.stderr)
    return Dataset.from_root(directory, name="bench")


# --------------------------------------------------------------------------- memory
class TreeMemory:
    """Peak memory of this process + all its descendants, sampled in a thread (psutil).

    ``peak_bytes``: peak of the sum of resident sizes (RSS; counts pages shared by forked
    workers once per process, so it over-states the total).  ``peak_pss_bytes``: peak of
    the sum of proportional set sizes (PSS; shared pages divided among the processes that
    share them: the tree's real footprint).
    """

    def __init__(self, interval_s: float = 0.05):
        try:
            import psutil
        except ImportError:
            psutil = None
        self.psutil = psutil
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.peak_pss_bytes = 0
        self._stop = threading.Event()
        self._thread = None

    def _sample(self) -> tuple[int, int]:
        me = self.psutil.Process()
        rss = pss = 0
        for proc in [me, *me.children(recursive=True)]:
            try:
                info = proc.memory_full_info()
            except self.psutil.Error:
                continue
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
        return rss, pss

    def _loop(self):
        while not self._stop.is_set():
            try:
                rss, pss = self._sample()
                self.peak_bytes = max(self.peak_bytes, rss)
                self.peak_pss_bytes = max(self.peak_pss_bytes, pss)
            except Exception:  # noqa: BLE001 -- a process vanished between listing and reading
                pass
            self._stop.wait(self.interval_s)

    def __enter__(self):
        if self.psutil is not None:
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def rusage_peak_bytes(jobs: int) -> int:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return own + jobs * child


# --------------------------------------------------------------------------- the naive loop
def naive_loop(ds: Dataset, track_ids) -> float:
    import librosa
    import mir_eval

    p = ds.params
    start = time.perf_counter()
    for tid in track_ids:
        S = np.load(ds.melspec_path(tid))
        onset = librosa.onset.onset_strength(S=librosa.power_to_db(S), sr=p.sr, hop_length=p.hop_length)
        _, beats = librosa.beat.beat_track(onset_envelope=onset, sr=p.sr, hop_length=p.hop_length, units="time")
        reference = np.loadtxt(ds.beats_path(tid), ndmin=2)[:, 0]
        mir_eval.beat.evaluate(reference, beats)
    return time.perf_counter() - start


def n_frames(ds: Dataset, tid: str) -> int:
    return int(np.load(ds.melspec_path(tid), mmap_mode="r").shape[1])


# --------------------------------------------------------------------------- main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", default=str(REPO / "build" / "bench_batch"), help="data and outputs (default build/bench_batch)")
    parser.add_argument("--metadata", help="Harmonix metadata.csv (default: data/harmonix or ../shared/harmonix)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--naive-tracks", type=int, default=80, help="tracks for the naive loop (0 = all)")
    parser.add_argument("--skip-librosa-runner", action="store_true", help="skip (a')")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args(argv)

    root = Path(args.dir)
    load_before = os.getloadavg()
    ds = generate(root / "data", find_metadata(args.metadata), force=args.regenerate)
    ids = ds.track_ids
    total_gb = sum(ds.melspec_path(t).stat().st_size for t in ids) / 1e9
    print(f"data: {len(ids)} tracks, {total_gb:.2f} GB in {ds.melspec_dir}; "
          f"load average before: {load_before[0]:.2f} (1 min) {load_before[1]:.2f} (5 min), "
          f"{os.cpu_count()} CPUs", file=sys.stderr)

    rows = []
    out_ref, out_lib = root / "out_reference", root / "out_librosa"
    for d in (out_ref, out_lib):
        shutil.rmtree(d, ignore_errors=True)

    with TreeMemory() as mem_a:
        t = time.perf_counter()
        res = run_batch(ds, tracker="reference", out_dir=out_ref, jobs=args.jobs)
        wall_a = time.perf_counter() - t
    assert res.n_failed == 0, res.failures()
    rows.append(("(a) runner, reference tracker, all metrics", wall_a, mem_a, f"mean F {res.mean()['F-measure']:.3f}"))

    with TreeMemory() as mem_c:
        t = time.perf_counter()
        res_c = run_batch(ds, tracker="reference", out_dir=out_ref, jobs=args.jobs)
        wall_c = time.perf_counter() - t
    assert res_c.n_from_cache == len(ids) and res_c.rows() == res.rows()
    rows.append(("(c) runner, cached re-run", wall_c, mem_c, "all from the cache, same rows"))

    wall_l = None
    if not args.skip_librosa_runner:
        with TreeMemory() as mem_l:
            t = time.perf_counter()
            res_l = run_batch(ds, tracker="librosa", out_dir=out_lib, jobs=args.jobs)
            wall_l = time.perf_counter() - t
        assert res_l.n_failed == 0, res_l.failures()
        rows.append(("(a') runner, librosa tracker, all metrics", wall_l, mem_l,
                     f"mean F {res_l.mean()['F-measure']:.3f}; includes loading librosa's numba cache"))

    # (b) the naive loop (librosa already loaded and compiled: not timed)
    from helpers.baseline import librosa_beats

    librosa_beats(np.ones((80, 64), dtype=np.float32), sr=22050, hop_length=1024)
    subset = ids if args.naive_tracks <= 0 or args.naive_tracks >= len(ids) else \
        [ids[i] for i in np.linspace(0, len(ids) - 1, args.naive_tracks).round().astype(int)]
    wall_sub = naive_loop(ds, subset)
    frames_all = sum(n_frames(ds, t) for t in ids)
    frames_sub = sum(n_frames(ds, t) for t in subset)
    wall_b = wall_sub * frames_all / frames_sub
    note = ("measured on all tracks" if len(subset) == len(ids) else
            f"measured {wall_sub:.1f} s on {len(subset)} tracks, x {frames_all / frames_sub:.2f} (frames)")
    rows.append(("(b) naive loop, one track at a time", wall_b, None, note))

    load_after = os.getloadavg()
    peak_rusage = rusage_peak_bytes(args.jobs)
    print()
    print(f"{'what':46s} {'wall s':>8s} {'RSS MB':>7s} {'PSS MB':>7s}  notes")
    for what, wall, mem, note in rows:
        rss = "-" if mem is None else f"{mem.peak_bytes / 2**20:.0f}"
        pss = "-" if mem is None else f"{mem.peak_pss_bytes / 2**20:.0f}"
        print(f"{what:46s} {wall:8.1f} {rss:>7s} {pss:>7s}  {note}")
    print()
    print(f"speed-up of (a) over (b): {wall_b / wall_a:.1f}x   (target >= 3x, (a) < 60 s)")
    if wall_l is not None:
        print(f"speed-up of (a') over (b), same tracker: {wall_b / wall_l:.1f}x")
    print(f"cached re-run (c): {wall_c:.2f} s   (target < 5 s)")
    peak_tree = max(r[2].peak_bytes for r in rows if r[2] is not None)
    peak_pss = max(r[2].peak_pss_bytes for r in rows if r[2] is not None)
    print(f"peak memory of the process tree (runner phases): {peak_pss / 2**20:.0f} MB PSS sum, "
          f"{peak_tree / 2**20:.0f} MB RSS sum (shared pages counted per process); getrusage bound of the "
          f"whole benchmark (self + {args.jobs} x largest child): {peak_rusage / 2**20:.0f} MB   (target < 1024 MB)")
    print(f"load average: before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min); "
          f"{os.cpu_count()} CPUs; data {total_gb:.2f} GB, {len(ids)} tracks (warm page cache); "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}")
    summary = {"wall_a_s": wall_a, "wall_a_librosa_s": wall_l, "wall_b_s": wall_b, "wall_b_measured_s": wall_sub,
               "naive_tracks": len(subset), "wall_c_s": wall_c, "speedup": wall_b / wall_a,
               "peak_tree_bytes": peak_tree, "peak_tree_pss_bytes": peak_pss, "peak_rusage_bytes": peak_rusage,
               "load_before": load_before, "load_after": load_after, "n_tracks": len(ids), "data_gb": total_gb}
    (root / "bench_results.json").write_text(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
