"""Tests of helpers.fetch.manifest: data_manifest.yaml holds the facts; schema errors name file and key.

Everything runs offline (see tests/test_fetch.py); tests that need ../shared are marked
``shared`` and skip when it is absent.
"""

from __future__ import annotations


import pytest
import yaml

from helpers import fetch
from helpers.errors import DataError, DataMissingError
from helpers.fetch import load_manifest

from .test_fetch import (  # the local HTTP server, archive builders and fixtures
    _fast_and_isolated,  # noqa: F401  (a fixture)
    COMMIT,
    PARAMS,
)


def test_manifest_holds_the_facts_the_course_relies_on():
    m = load_manifest()
    ann, mel, demo = (m["datasets"][k] for k in ("annotations", "melspecs", "demo"))
    assert ann["source"]["url"] == f"https://github.com/urinieto/harmonixset/archive/{COMMIT}.tar.gz"
    assert ann["source"]["commit"] == COMMIT and ann["licence"] == "MIT"
    assert "Nieto" in ann["citation"] and "Egozy" in ann["citation"] and "2019" in ann["citation"]
    assert ann["source"]["sha256"] is None and "GitHub" in ann["source"]["sha256_reason"]
    assert [t["count"] for t in ann["trees"]] == [912] * 7
    systems = {t["from"].rsplit("/", 1)[-1] for t in ann["trees"] if t["from"].startswith("results/")}
    assert systems == {"Ellis", "Korzeniowski", "Krebs", "Bock_1", "Bock_2"}
    assert {f["to"]: f.get("rows") for f in ann["files"]}["dataset/metadata.csv"] == 912
    assert mel["parameters"] == PARAMS
    assert mel["expected"]["arrays"] == 912 and mel["source"]["sha256"] is None
    assert mel["source"]["sha256_reason"] and mel["source"]["file_name"] == "Harmonix_melspecs.tgz"
    assert 1 <= mel["frames_tolerance"] <= 5
    assert demo["kind"] == "generated" and "helpers demo" in demo["get"]


@pytest.mark.parametrize("mutate, key", [
    (lambda m: m["datasets"]["annotations"]["trees"][0].pop("digest"),
     "datasets.annotations.trees[0].digest"),
    (lambda m: m["datasets"]["annotations"]["trees"][1].__setitem__("count", "912"),
     "datasets.annotations.trees[1].count"),
    (lambda m: m["datasets"]["annotations"]["trees"][0].__setitem__("to", "../escape"),
     "datasets.annotations.trees[0].to"),
    (lambda m: m["datasets"]["melspecs"]["parameters"].pop("HOP_LENGTH"),
     "datasets.melspecs.parameters.HOP_LENGTH"),
    (lambda m: m["datasets"]["annotations"]["source"].pop("sha256"),
     "datasets.annotations.source.sha256"),
    (lambda m: m["datasets"]["demo"].__setitem__("kind", "magic"), "datasets.demo.kind"),
    (lambda m: m.pop("marker"), "manifest.marker"),
])
def test_manifest_schema_errors_name_the_file_and_key(tmp_path, mutate, key):
    m = yaml.safe_load(fetch.MANIFEST_PATH.read_text())
    mutate(m)
    path = tmp_path / "bad_manifest.yaml"
    path.write_text(yaml.safe_dump(m))
    with pytest.raises(DataError) as err:
        load_manifest(path)
    assert str(path) in str(err.value) and key in str(err.value)


def test_manifest_missing_or_not_yaml(tmp_path):
    with pytest.raises(DataMissingError, match="not found"):
        load_manifest(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("datasets: [unclosed\n")
    with pytest.raises(DataError, match="not valid YAML"):
        load_manifest(bad)
