"""Tests of helpers.pool: every job runs once, in workers, bounded, and a dying worker fails one job only.

The workers here are module-level functions of toy jobs, so that they can be sent to
worker processes; each result records the process that computed it.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pytest

import helpers.pool as pool
from helpers.pool import IN_FLIGHT_PER_JOB, choose_context, run_jobs

from .conftest import requires_fork


@dataclass(frozen=True)
class Job:
    track_id: str
    die: bool = False


@dataclass(frozen=True)
class Result:
    track_id: str
    pid: int
    error: str | None = None


def work(job: Job) -> Result:
    if job.die:
        os.kill(os.getpid(), signal.SIGKILL)      # like a segfault or the OOM killer
    return Result(job.track_id, os.getpid())


def failed(job: Job, message: str) -> Result:
    return Result(job.track_id, 0, message)


def jobs(n: int, *, die=()) -> list[Job]:
    return [Job(f"t{i:02d}", die=i in die) for i in range(n)]


def test_in_this_process_every_job_runs_once_in_order():
    seen = []
    done = run_jobs(jobs(5), work, n_jobs=1, mp_context=None, failed=failed, progress=False,
                    on_result=lambda job, res: seen.append(job.track_id))
    assert [j.track_id for j, _ in done] == seen == [f"t{i:02d}" for i in range(5)]
    assert {r.pid for _, r in done} == {os.getpid()}


@requires_fork
def test_in_workers_every_job_runs_once_and_results_come_back_here():
    callers = set()
    done = run_jobs(jobs(12), work, n_jobs=2, mp_context=multiprocessing.get_context("fork"), failed=failed,
                    progress=False, on_result=lambda job, res: callers.add(os.getpid()))
    assert sorted(j.track_id for j, _ in done) == [f"t{i:02d}" for i in range(12)]
    assert all(j.track_id == r.track_id and r.error is None for j, r in done)
    pids = {r.pid for _, r in done}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert callers == {os.getpid()}                    # on_result runs in this process


@requires_fork
def test_a_dying_worker_fails_its_job_only():
    done = dict((j.track_id, r) for j, r in run_jobs(jobs(8, die={3}), work, n_jobs=2,
                                                     mp_context=multiprocessing.get_context("fork"),
                                                     failed=failed, progress=False))
    assert sorted(done) == [f"t{i:02d}" for i in range(8)]
    assert done["t03"].error.startswith("WorkerCrashed: the worker process died while processing this track")
    assert "retried alone in a fresh process" in done["t03"].error
    assert all(r.error is None for t, r in done.items() if t != "t03")


@requires_fork
def test_no_more_than_a_few_jobs_per_worker_are_in_flight(monkeypatch):
    most = []

    class Counting(ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.futures = []

        def submit(self, *args, **kwargs):
            self.futures.append(super().submit(*args, **kwargs))
            most.append(sum(not f.done() for f in self.futures))
            return self.futures[-1]

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Counting)
    done = run_jobs(jobs(40), work, n_jobs=2, mp_context=multiprocessing.get_context("fork"), failed=failed,
                    progress=False)
    assert len(done) == 40 and max(most) <= 2 * IN_FLIGHT_PER_JOB


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_error_in_on_result_stops_the_run(n_jobs):
    def stop(job, res):
        if job.track_id == "t02":
            raise OSError("disk full")

    context = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    with pytest.raises(OSError, match="disk full"):
        run_jobs(jobs(30), work, n_jobs=n_jobs, mp_context=context, failed=failed, progress=False, on_result=stop)


def test_how_workers_start(monkeypatch):
    def in_main(x):
        return x

    in_main.__module__ = "__main__"        # as if defined in a notebook or a script
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        assert choose_context(in_main).get_start_method() == "fork"
    monkeypatch.setattr(pool, "_interactive_main", lambda: False)
    assert choose_context(work).get_start_method() == multiprocessing.get_start_method()
    assert choose_context("reference").get_start_method() == multiprocessing.get_start_method()
    if "forkserver" in methods:
        monkeypatch.setattr(pool, "_interactive_main", lambda: True)
        assert choose_context(work).get_start_method() == "forkserver"
