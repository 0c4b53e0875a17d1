"""The whole course at Harmonix scale, on a stand-in installed through the real ``data`` commands.

The real Harmonix mel-spectrograms are not on this machine. This script builds the closest
thing and runs the course on it, end to end, the way a learner with the real data would:

1. an annotations archive laid out as GitHub's tarball of the pinned upstream commit, built
   from ``../shared/harmonix`` (the real 912 beat, segment and metadata files and the five
   published systems' estimates), and a ``Harmonix_melspecs.tgz`` of 912 synthetic POWER
   mel-spectrograms with the real track ids and durations (80 bands, hop 1024, float32,
   about 1.3 GB): a noise floor, a click on every *annotated* beat, a bass note on every
   annotated downbeat and a held chord that changes on it, so the trackers, the bar stage
   and the scores have real work to do;
2. both served from a local HTTP server and installed with ``python -m helpers data fetch
   annotations --url`` and ``python -m helpers data fetch melspecs --url`` into a fresh
   ``HELPERS_DATA_DIR`` (verification, safe extraction, markers: everything a learner's
   install does);
3. every notebook executed headless against it (``helpers.course.execute_notebook``; the
   notebooks open the Harmonix set when it is installed), one fresh kernel each, timed.

It prints the install times and one line per notebook. The figures in docs/testing.md come
from it. Run from the repository root on a quiet machine (about 20-40 minutes; 4 GB of disk
under ``--work-dir``, removed at the end unless ``--keep``)::

    .venv/bin/python benchmarks/bench_standin.py
    .venv/bin/python benchmarks/bench_standin.py --notebooks 03 04       # only these

It is not music: the scores the notebooks print are meaningless; the times are the point.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "harmonix"
INFO = {"librosa_version": "0.7.0", "numpy_version": "1.17.2", "SR": 22050, "N_MELS": 80, "N_FFT": 2048,
        "HOP_LENGTH": 1024, "MEL_FMIN": 0, "MEL_FMAX": None}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    tar.addfile(info, io.BytesIO(data))


def _add_dir(tar: tarfile.TarFile, name: str) -> None:
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    tar.addfile(info)


def annotations_archive(out: Path, track_ids: list[str]) -> Path:
    """GitHub's tarball layout (one top folder ``harmonixset-<commit>/``) of the upstream files the course installs."""
    from helpers.fetch import load_manifest

    source = load_manifest()["datasets"]["annotations"]["source"]
    prefix = source["archive_root"]
    with tarfile.open(out, "w:gz", compresslevel=1, format=tarfile.PAX_FORMAT,
                      pax_headers={"comment": source["commit"]}) as tar:
        _add_dir(tar, prefix)
        for path in sorted(SHARED.rglob("*")):
            rel = path.relative_to(SHARED).as_posix()
            if path.is_dir():
                _add_dir(tar, f"{prefix}/{rel}")
            elif rel != "SOURCE.md":
                _add_bytes(tar, f"{prefix}/{rel}", path.read_bytes())
    return out


def standin_melspec(n_frames: int, beats, rng) -> np.ndarray:
    """A POWER mel-spectrogram with a click on every annotated beat, bass and a new chord on every downbeat."""
    from helpers.data import HARMONIX_PARAMS as p

    S = (1e-3 * rng.random((p.n_mels, n_frames)) ** 2).astype(np.float32)
    frames = np.clip(np.rint(beats.times_s * p.frame_rate_hz).astype(int), 0, n_frames - 1)
    down = beats.positions == 1 if beats.positions is not None else np.zeros(frames.size, bool)
    chords = ((10, 20), (20, 30), (12, 26), (22, 34))
    starts = np.flatnonzero(down)
    for k, start in enumerate(starts):
        stop = frames[starts[k + 1]] if k + 1 < starts.size else n_frames
        lo, hi = chords[k % len(chords)]
        S[lo:hi, frames[start]:stop] += 0.05
    S[40:, frames] += 0.5 * (0.6 + 0.4 * rng.random(frames.size)).astype(np.float32)
    S[:6, frames[down]] += 2.0
    return S


def melspecs_archive(out: Path, track_ids: list[str], seed: int = 912) -> tuple[Path, float]:
    """``melspecs/info.json`` + one synthetic ``<id>-mel.npy`` per track, with its real duration; returns (path, GB)."""
    from helpers.data import load_beats, load_metadata

    meta = load_metadata(SHARED / "dataset" / "metadata.csv")
    rng = np.random.default_rng(seed)
    total = 0
    with tarfile.open(out, "w:gz", compresslevel=1) as tar:
        _add_dir(tar, "melspecs")
        _add_bytes(tar, "melspecs/info.json", json.dumps(INFO).encode())
        for i, tid in enumerate(track_ids):
            n_frames = 1 + int(meta[tid].duration_s * INFO["SR"] // INFO["HOP_LENGTH"])
            beats = load_beats(SHARED / "dataset" / "beats_and_downbeats" / f"{tid}.txt")
            buf = io.BytesIO()
            np.save(buf, standin_melspec(n_frames, beats, rng), allow_pickle=False)
            total += buf.tell()
            _add_bytes(tar, f"melspecs/{tid}-mel.npy", buf.getvalue())
            if (i + 1) % 100 == 0:
                print(f"  {i + 1} arrays ({total / 1e9:.2f} GB)", flush=True)
    return out, total / 1e9


@contextlib.contextmanager
def serve(folder: Path):
    """A local HTTP server (127.0.0.1, a free port) serving ``folder``; yields its base URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def run(cmd: list[str], env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, cwd=REPO)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", default=str(REPO / "build" / "bench_standin"))
    parser.add_argument("--notebooks", nargs="*", help="notebook prefixes (default: all), e.g. 03 04")
    parser.add_argument("--keep", action="store_true", help="keep the archives and the installed data")
    args = parser.parse_args()
    if not (SHARED / "dataset" / "metadata.csv").is_file():
        sys.exit(f"{SHARED}: the Harmonix annotations are needed (../shared/harmonix beside the repository)")

    from helpers.course import check_statuses, execute_notebook, notebook_paths
    from helpers.fetch import load_manifest

    work = Path(args.work_dir)
    shutil.rmtree(work, ignore_errors=True)
    (work / "www").mkdir(parents=True)
    ids = sorted(p.stem for p in (SHARED / "dataset" / "beats_and_downbeats").glob("*.txt"))
    print(f"load average {os.getloadavg()[0]:.1f}; building the stand-in for {len(ids)} tracks in {work}")
    t0 = time.perf_counter()
    commit = load_manifest()["datasets"]["annotations"]["source"]["commit"]
    annotations_archive(work / "www" / f"{commit}.tar.gz", ids)
    _, gigabytes = melspecs_archive(work / "www" / "Harmonix_melspecs.tgz", ids)
    print(f"archives built in {time.perf_counter() - t0:.0f} s ({gigabytes:.2f} GB of arrays)")

    env = {**os.environ, "HELPERS_DATA_DIR": str(work / "data")}
    py = sys.executable
    with serve(work / "www") as url:
        t_ann = run([py, "-m", "helpers", "data", "--quiet", "fetch", "annotations", "--url",
                     f"{url}/{commit}.tar.gz"], env)
        t_mel = run([py, "-m", "helpers", "data", "--quiet", "fetch", "melspecs", "--url",
                     f"{url}/Harmonix_melspecs.tgz"], env)
    print(f"data fetch annotations: {t_ann:.1f} s; data fetch melspecs (download + verify + install): {t_mel:.1f} s")
    if not args.keep:
        shutil.rmtree(work / "www")

    os.environ["HELPERS_DATA_DIR"] = env["HELPERS_DATA_DIR"]      # the kernels inherit it
    shutil.rmtree(REPO / "build" / "results" / "harmonix", ignore_errors=True)   # start with empty caches
    rows = []
    for path in notebook_paths(REPO / "notebooks"):
        if args.notebooks and path.name.split("_")[0] not in args.notebooks:
            continue
        print(f"running {path.name} on the stand-in ...", flush=True)
        nb, seconds = execute_notebook(path, timeout_s=3600)
        first = next(o for c in nb.cells if c.cell_type == "code" for o in c.outputs if "text" in o)
        assert "harmonix" in first["text"], f"{path.name} did not open the stand-in: {first['text'][:200]}"
        statuses = set(check_statuses(nb).values())
        rows.append((path.name, seconds, statuses))
        print(f"  {seconds:.1f} s", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}; the course on the Harmonix stand-in (912 tracks, "
          f"{gigabytes:.2f} GB), each notebook in a fresh kernel, caches empty at the start:")
    for name, seconds, statuses in rows:
        print(f"  {name:45s} {seconds:7.1f} s   checks: {', '.join(sorted(statuses)) or '-'}")
    print(f"  {'all':45s} {sum(r[1] for r in rows):7.1f} s")
    if not args.keep:
        shutil.rmtree(work / "data", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
