"""Shared fixtures. Real data lives in ../shared beside the repository (CI and developers);
tests that need it are marked `shared` and skip cleanly in a user's clone without it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

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

requires_harmonix = pytest.mark.skipif(
    not (HARMONIX / "dataset" / "metadata.csv").is_file(), reason="../shared/harmonix is not here"
)
requires_realmel = pytest.mark.skipif(
    not (REALMEL / "melspecs" / "info.json").is_file(), reason="../shared/realmel is not here"
)

HARMONIX_INFO = {
    "SR": 22050, "N_MELS": 80, "N_FFT": 2048, "HOP_LENGTH": 1024, "MEL_FMIN": 0, "MEL_FMAX": None,
}


def write_info(directory: Path, **overrides) -> Path:
    """Write an info.json (Harmonix parameters unless overridden) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    info = {**HARMONIX_INFO, **overrides}
    path = directory / "info.json"
    path.write_text(json.dumps(info))
    return path


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


def power_spectrogram(n_mels=80, n_frames=200, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return (rng.random((n_mels, n_frames)) ** 4 * 100).astype(np.float32)
