"""The three descriptions of the environment agree: pyproject.toml (ranges),
environment.yml (conda, same ranges) and requirements/py3XX.txt (exact pins)."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.version import Version

from .conftest import REPO


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject_requirements() -> dict[str, Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {_norm(r.name): r for r in map(Requirement, reqs)}


#: conda-forge names that differ from the PyPI names in pyproject.toml.
CONDA_TO_PYPI = {"playwright-python": "playwright"}


def _conda_requirements() -> dict[str, Requirement]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _norm(dep.split("=")[0].split(">")[0].split("<")[0]) not in ("python", "pip"):
            r = Requirement(dep)
            out[_norm(CONDA_TO_PYPI.get(_norm(r.name), r.name))] = r
    return out


def _locked(pyver: str) -> dict[str, Version]:
    lines = (REPO / "requirements" / f"py{pyver}.txt").read_text().splitlines()
    pins = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_norm(name)] = Version(version)
    return pins


def test_environment_yml_matches_pyproject():
    pyproject, conda = _pyproject_requirements(), _conda_requirements()
    assert set(conda) == set(pyproject), f"only in one of them: {set(conda) ^ set(pyproject)}"
    for name, req in pyproject.items():
        assert conda[name].specifier == req.specifier, f"{name}: {conda[name].specifier} != {req.specifier}"


def test_environment_yml_python_and_package():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python>=3.11" in deps
    pip_block = next(d for d in deps if isinstance(d, dict))
    assert any(line.startswith("-e .") for line in pip_block["pip"])


@pytest.mark.parametrize("pyver", ["311", "312"])
def test_lock_files_satisfy_pyproject(pyver):
    pins = _locked(pyver)
    for name, req in _pyproject_requirements().items():
        assert name in pins, f"requirements/py{pyver}.txt does not pin {name}"
        assert pins[name] in req.specifier, f"{name}=={pins[name]} outside {req.specifier}"


def test_lock_files_pin_the_librosa_generations_we_support():
    assert _locked("311")["librosa"].major == 0
    assert _locked("312")["librosa"] >= Version("1.0")


def test_running_environment_is_the_locked_one():
    """make test installs from the lock file: what runs is what is pinned (for the key packages)."""
    pins = _locked(f"{sys.version_info[0]}{sys.version_info[1]}")
    for name in ("numpy", "scipy", "librosa", "mir-eval", "numba", "matplotlib"):
        assert Version(metadata.version(name)) == pins[name], name


def test_mir_eval_is_the_version_the_fast_metrics_are_proven_equal_to():
    """helpers.evaluate re-implements mir_eval's beat metrics and is checked equal to mir_eval 0.8.x on every
    published Harmonix estimate; pyproject keeps users on that series, and this test fails on another one."""
    req = _pyproject_requirements()["mir-eval"]
    installed = Version(metadata.version("mir_eval"))
    assert installed in req.specifier and Version("0.9") not in req.specifier
    assert (installed.major, installed.minor) == (0, 8)
