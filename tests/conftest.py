"""Shared fixtures, markers and constants. Real data lives in ../shared beside the repository
(CI and developers); tests that need it carry `requires_harmonix`, `requires_published` or
`requires_realmel`, which mark them `shared` and skip them cleanly in a user's clone without it.

The test data builders (click trains, bars, info.json and beat files) are in tests/builders.py."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from .builders import write_info

# One hypothesis profile for the whole suite. "course" (the default, and what CI runs) is
# derandomised: the same examples on every run, no example database, so a submission can
# never pass or fail by luck. A developer who wants random search runs
# HYPOTHESIS_PROFILE=explore python -m pytest ...; whatever it finds becomes a fixed example.
_QUIET = [HealthCheck.too_slow, HealthCheck.filter_too_much]
settings.register_profile("course", derandomize=True, database=None, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("explore", deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
HARMONIX = SHARED / "harmonix"
REALMEL = SHARED / "realmel"


def _needs_shared(missing: bool, reason: str):
    """A decorator: mark the test `shared` and skip it, with the reason, when the data is missing."""
    skip = pytest.mark.skipif(missing, reason=reason)

    def mark(test):
        return pytest.mark.shared(skip(test))

    return mark


# Tests of the real data: marked `shared` (so -m 'not shared' leaves them out) and skipped
# with the reason in a clone without ../shared.
requires_harmonix = _needs_shared(
    not (HARMONIX / "dataset" / "metadata.csv").is_file(), "../shared/harmonix is not here"
)
requires_published = _needs_shared(    # the annotations and the five published systems' estimates
    not (HARMONIX / "dataset" / "beats_and_downbeats").is_dir() or not (HARMONIX / "results" / "beats").is_dir(),
    f"the real Harmonix annotations and published estimates are not in {HARMONIX}",
)
requires_realmel = _needs_shared(
    not (REALMEL / "melspecs" / "info.json").is_file(), "../shared/realmel is not here"
)
requires_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")

# The published systems' means on the 912 Harmonix tracks (F-measure, CMLt, AMLt):
# shared/harmonix/SOURCE.md, mir_eval 0.8.2, beats trimmed at 5 s, 70 ms window.
PUBLISHED_MEANS = {
    "Ellis": (0.696, 0.636, 0.807),
    "Bock_1": (0.857, 0.694, 0.934),
    "Korzeniowski": (0.906, 0.804, 0.940),
    "Krebs": (0.911, 0.806, 0.931),
    "Bock_2": (0.919, 0.827, 0.892),
}


@pytest.fixture
def melspec_dir(tmp_path) -> Path:
    """An empty mel-spectrogram directory with a Harmonix info.json."""
    d = tmp_path / "melspecs"
    write_info(d)
    return d


@pytest.fixture
def data_root_env(tmp_path, monkeypatch) -> Path:
    """Point helpers.data.data_root() at a fresh temporary folder."""
    root = tmp_path / "data"
    root.mkdir()
    monkeypatch.setenv("HELPERS_DATA_DIR", str(root))
    return root
