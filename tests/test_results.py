"""Tests of helpers.results: per-track rows, results.csv/json, and tables of several systems.

The results are built by hand (no tracking), with scores chosen so that every mean,
median and table cell has a known answer.
"""

from __future__ import annotations

import csv
import doctest
import json

import numpy as np
import pytest

import helpers.results
from helpers.errors import DataError, DataMissingError, ParameterError
from helpers.evaluate import METRIC_NAMES
from helpers.results import RESULT_METRIC_NAMES, BatchResult, TrackResult, compare, format_table, load_results, versions, write_table_csv


def track(tid: str, f: float | None, *, beats=(1.0, 1.5, 2.0), error: str | None = None) -> TrackResult:
    """A track whose every metric is ``f`` (or a failed track: ``f=None`` and an error)."""
    scores = None if f is None else {m: f for m in METRIC_NAMES}
    return TrackResult(tid, scores, None if beats is None else np.array(beats), error, (), 3, "tracked", 0.0)


def system(name: str, scores: dict) -> BatchResult:
    tracks = [track(t, f, error=None if f is not None else "DataError: broken") for t, f in scores.items()]
    return BatchResult(tracks, {"system": name, "evaluation": {"trim_s": 5.0}}, 1.5)


def test_docstring_examples_run():
    failures, tried = doctest.testmod(helpers.results)
    assert failures == 0 and tried >= 4


# --------------------------------------------------------------------------- one system
def test_means_and_medians_are_over_the_successful_tracks():
    res = system("A", {"t3": 0.2, "t1": 0.5, "t2": None, "t4": 0.8})
    assert res.track_ids == ["t1", "t2", "t3", "t4"]                 # sorted by id
    assert (len(res), res.n_failed, res.failures()) == (4, 1, {"t2": "DataError: broken"})
    assert res.mean()["F-measure"] == pytest.approx(0.5) and res.median()["Goto"] == 0.5
    np.testing.assert_array_equal(res.scores("F"), [0.5, 0.2, 0.8])  # short names work
    assert res["t3"].scores["Goto"] == 0.2
    with pytest.raises(ParameterError, match="no track 'nope'"):
        res["nope"]
    with pytest.raises(ParameterError, match="Unknown metric 'Fmeasure'"):
        res.scores("Fmeasure")
    empty = system("E", {"t1": None})
    assert empty.mean()["F-measure"] is None and empty.summary()["n_ok"] == 0


def test_save_and_load_round_trip_with_a_failed_track(tmp_path):
    res = system("A", {"t1": 0.5, "t2": None})
    paths = res.save(tmp_path / "out")
    assert set(paths) == {"csv", "json", "estimates"}
    rows = list(csv.DictReader(open(tmp_path / "out" / "results.csv", newline="")))
    assert list(rows[0]) == ["track_id", *RESULT_METRIC_NAMES, "estimated BPM", "reference BPM", "meter", "error"]
    assert rows[0]["F-measure"] == "0.5" and rows[1]["F-measure"] == "" and rows[1]["error"] == "DataError: broken"
    assert (tmp_path / "out" / "estimates" / "t1.txt").read_text() == "1.000000\n1.500000\n2.000000\n"
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    assert data["summary"]["n_failed"] == 1 and data["run"]["seconds"] == 1.5
    back = load_results(tmp_path / "out")
    assert back.rows() == res.rows() and back.name == "A" and back.config["evaluation"]["trim_s"] == 5.0
    np.testing.assert_array_equal(back["t1"].beat_times_s, [1.0, 1.5, 2.0])


def test_saving_removes_the_estimates_of_an_earlier_run_on_other_tracks(tmp_path):
    system("A", {"t1": 0.5, "t2": 0.6}).save(tmp_path)
    system("A", {"t2": 0.6, "t3": 0.7}).save(tmp_path)
    assert sorted(p.name for p in (tmp_path / "estimates").iterdir()) == ["t2.txt", "t3.txt"]


def test_load_results_refuses_what_it_did_not_write(tmp_path):
    with pytest.raises(DataMissingError, match="run the batch first"):
        load_results(tmp_path)
    (tmp_path / "results.json").write_text("{not json")
    with pytest.raises(DataError, match="not a valid results file"):
        load_results(tmp_path)
    (tmp_path / "results.json").write_text(json.dumps({"format": "something else", "rows": []}))
    with pytest.raises(DataError, match="format 'something else'"):
        load_results(tmp_path)


def test_versions_name_the_packages_that_change_a_score():
    v = versions()
    assert set(v) == {"python", "numpy", "scipy", "librosa", "numba", "mir_eval", "helpers"}
    assert v["numpy"] == np.__version__


# --------------------------------------------------------------------------- several systems
def test_compare_averages_every_system_over_the_same_tracks():
    a = system("A", {"t1": 1.0, "t2": 0.0, "t3": 0.5})
    b = system("B", {"t1": 0.5, "t2": None, "t3": 0.25})          # t2 failed: compared on t1 and t3
    rows = compare([a, b], metrics=("F", "Any Metric Level Total"))
    assert rows == [
        {"system": "A", "n_tracks": 2, "n_failed": 0, "F-measure": 0.75, "Any Metric Level Total": 0.75},
        {"system": "B", "n_tracks": 2, "n_failed": 1, "F-measure": 0.375, "Any Metric Level Total": 0.375},
    ]
    median = compare({"mine": a}, metrics=["CMLt"], statistic="median")
    assert median[0]["Correct Metric Level Total"] == 0.5
    with pytest.raises(ParameterError, match=r"statistic='max' must be one of \('mean', 'median'\)"):
        compare([a], statistic="max")
    with pytest.raises(ParameterError, match="Unknown metric 'accuracy'"):
        compare([a], metrics=["accuracy"])
    none_in_common = compare([system("A", {"t1": 1.0}), system("B", {"t2": 1.0})], metrics=["F"])
    assert none_in_common[0]["n_tracks"] == 0 and none_in_common[0]["F-measure"] is None


def test_format_table_aligns_columns_and_uses_short_names():
    rows = [{"system": "ours", "n_tracks": 2, "F-measure": 0.75, "Any Metric Level Total": None},
            {"system": "librosa-aligned", "n_tracks": 2, "F-measure": 0.5, "Any Metric Level Total": 0.125}]
    assert format_table(rows).splitlines() == [
        "system           n_tracks      F   AMLt",
        "---------------  --------  -----  -----",
        "ours                    2  0.750      -",
        "librosa-aligned         2  0.500  0.125",
    ]
    assert format_table(rows, digits=1, short_names=False).splitlines()[0].endswith("F-measure  Any Metric Level Total")
    assert format_table([]) == "(no rows)"


def test_write_table_csv_keeps_full_precision_and_empty_cells(tmp_path):
    rows = [{"system": "A", "F-measure": 1 / 3, "AMLt": None}, {"system": "B, quoted", "F-measure": 0.5, "AMLt": 1.0}]
    path = write_table_csv(rows, tmp_path / "sub" / "summary.csv")
    assert path.read_text() == f"system,F-measure,AMLt\nA,{1 / 3!r},\n\"B, quoted\",0.5,1.0\n"
    assert float(next(csv.DictReader(open(path)))["F-measure"]) == 1 / 3
    with pytest.raises(ParameterError, match="no rows"):
        write_table_csv([], tmp_path / "x.csv")


# =========================================================================== results_from_rows (notebook 06)
def _score_row(track_id, f, **extra):
    return {"track_id": track_id, "source": "demo", **{m: f for m in METRIC_NAMES}, "tempo_bpm": 120.0, **extra}


def test_results_from_rows_keeps_each_tracks_scores_and_feeds_the_comparisons():
    """Cross-validated rows (helpers.learn.CVResult.rows) become a BatchResult like a batch run's."""
    from helpers.analysis import paired_comparison, split_result
    from helpers.results import results_from_rows

    rows = [_score_row("b", 0.5, fold=0), _score_row("a", 1.0, fold=1), _score_row("c", 0.0, fold=0)]
    result = results_from_rows(rows, system="logistic, 2-fold CV", split="dev", trim_s=5.0)
    assert result.name == "logistic, 2-fold CV" and result.track_ids == ["a", "b", "c"]
    assert result.config == {"system": "logistic, 2-fold CV", "split": "dev", "trim_s": 5.0}
    np.testing.assert_allclose(result.scores("F"), [1.0, 0.5, 0.0])
    assert result.mean()["F-measure"] == pytest.approx(0.5) and result.mean()["Acc1"] is None
    assert result["a"].tempo_bpm == 120.0 and result["a"].beat_times_s is None and result.n_failed == 0
    other = results_from_rows([_score_row("a", 0.0), _score_row("b", 0.5), {"track_id": "c", "F": 0.5}],
                              system="other")
    assert other["c"].scores == {"F-measure": 0.5}                  # short names are read too
    cmp = paired_comparison(result, other, metric="F", n_boot=50)
    assert (cmp.wins, cmp.losses, cmp.ties) == (1, 1, 1)
    assert compare({"x": result, "y": other}, metrics=("F-measure",))[0]["n_tracks"] == 3
    assert len(split_result(result, "dev")) + len(split_result(result, "test")) == 3


def test_results_from_rows_refuses_what_it_cannot_read():
    from helpers.results import results_from_rows

    with pytest.raises(ParameterError, match="no rows"):
        results_from_rows([], system="x")
    with pytest.raises(ParameterError, match="track_id"):
        results_from_rows([{"F-measure": 1.0}], system="x")
    with pytest.raises(ParameterError, match="has no score"):
        results_from_rows([{"track_id": "a", "tempo_bpm": 100.0}], system="x")
    with pytest.raises(ParameterError, match="twice"):
        results_from_rows([_score_row("a", 1.0), _score_row("a", 0.5)], system="x")
