"""Run many independent jobs on worker processes: a bounded queue, survives crashed workers, stops on Ctrl-C.

The engine under :mod:`helpers.batch` (one job = one track). :func:`run_jobs` calls
``worker(job)`` for every job, in this process (``n_jobs=1``) or in a pool of worker
processes, and returns every ``(job, result)`` pair in the order they finished.

- **Bounded.** At most :data:`IN_FLIGHT_PER_JOB` jobs per worker are submitted at a time,
  so memory stays flat whatever the number of jobs. Jobs should be small (paths, not
  arrays): the worker loads its own data.
- **Crashes are data.** If a worker process dies (a segfault in native code, running out
  of memory), every job that was in flight is retried alone in a fresh one-worker pool:
  the innocent ones succeed, and the culprit gets the result ``failed(job, message)``;
  the other jobs go on.
- **Ctrl-C.** Workers ignore SIGINT; the main process cancels the jobs that have not
  started, lets the running ones finish (so they can write their cache entries), then
  re-raises ``KeyboardInterrupt``.
- **How workers start** (:func:`choose_context`): fork for a function defined in
  ``__main__``; a clean ``forkserver`` in Jupyter, whose kernel runs threads (forking a
  multi-threaded process can deadlock the child); otherwise the platform's default.

A worker returns results with an ``error`` attribute (``None`` when the job succeeded),
which the progress bar counts.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool

__all__ = ["run_jobs", "choose_context", "error_text", "DEFAULT_JOBS", "IN_FLIGHT_PER_JOB", "FORKSERVER_PRELOAD"]

#: Worker processes by default: both cores of the course's reference machine.
DEFAULT_JOBS = max(1, min(2, os.cpu_count() or 1))
#: Jobs submitted per worker at a time: enough to keep every worker busy, few enough that
#: memory does not grow with the number of jobs.
IN_FLIGHT_PER_JOB = 4
#: Modules the forkserver imports once, so that each worker starts in milliseconds.
FORKSERVER_PRELOAD = ["helpers.batch", "helpers.beat", "helpers.evaluate"]


def error_text(exc: BaseException) -> str:
    """How a failed job records its exception: ``"ExceptionType: message"``."""
    return f"{type(exc).__name__}: {exc}"


def _ignore_sigint() -> None:
    # Workers ignore Ctrl-C: the main process decides (cancel what has not started, let the
    # running jobs finish and write their cache entries, then stop).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _interactive_main() -> bool:
    """True in Jupyter/IPython (``__main__`` is not a file), where the process runs threads."""
    main = sys.modules.get("__main__")
    return main is None or not hasattr(main, "__file__")


def choose_context(fn):
    """How worker processes start for the function ``fn``; ``None`` if they cannot run it.

    - A function defined in ``__main__`` (a notebook or a script) can be found by a
      worker only if the worker is a fork of the process that defined it: ``fork``
      (``None`` where there is no fork: run it in this process).
    - Other functions in Jupyter/IPython: ``forkserver``. A kernel always runs several
      threads, and forking a multi-threaded process can deadlock the child (Python 3.12
      warns; 3.14 no longer forks by default). The forkserver is a clean single-threaded
      process that imports helpers once (:data:`FORKSERVER_PRELOAD`); workers fork from it.
    - Otherwise (a script, ``python -m helpers``): the platform's default (``fork`` on
      Linux up to Python 3.13: scripts need no ``if __name__ == "__main__":`` guard, and
      workers inherit everything already loaded; spawn on Windows and macOS).

    Parameters
    ----------
    fn : callable or str
        The function the workers will run (a ``functools.partial`` is looked through);
        a name (a built-in tracker) counts as an importable function.
    """
    fn = fn.func if isinstance(fn, functools.partial) else fn
    methods = multiprocessing.get_all_start_methods()
    if callable(fn) and getattr(fn, "__module__", None) == "__main__":
        return multiprocessing.get_context("fork") if "fork" in methods else None
    if _interactive_main() and "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(FORKSERVER_PRELOAD)
        return ctx
    return multiprocessing.get_context()


class _Collector:
    """Receives each finished job: keeps it, advances the progress bar, calls ``on_result``."""

    def __init__(self, n_jobs_total: int, *, progress: bool, desc: str, on_result):
        from tqdm.auto import tqdm

        self.results: list = []
        self.n_failed = 0
        self.on_result = on_result
        self.bar = tqdm(total=n_jobs_total, desc=desc, unit="track", disable=not progress, dynamic_ncols=True)

    def __call__(self, job, result) -> None:
        self.results.append((job, result))
        self.bar.update(1)
        if getattr(result, "error", None) is not None:
            self.n_failed += 1
            self.bar.set_postfix(failed=self.n_failed, refresh=False)
        if self.on_result is not None:
            self.on_result(job, result)


def run_jobs(jobs: Sequence, worker: Callable, *, n_jobs: int, mp_context, failed: Callable,
             progress: bool = True, desc: str = "", on_result: Callable | None = None) -> list:
    """Run ``worker(job)`` for every job; return ``[(job, result)]`` in the order they finished.

    Parameters
    ----------
    jobs : sequence
        Picklable job descriptions (paths and settings, not arrays).
    worker : callable
        A module-level function ``worker(job) -> result`` that records its own failures
        in the result (it should not raise).
    n_jobs : int
        Worker processes; ``1`` runs every job in this process (easiest to debug; no
        protection against crashes in native code).
    mp_context : multiprocessing context or None
        From :func:`choose_context`; ``None`` runs in this process too.
    failed : callable
        ``failed(job, message) -> result``: the result of a job whose worker died twice,
        or that could not be sent to a worker.
    progress : bool
        Show a tqdm progress bar (terminal or notebook widget).
    desc : str
        The progress bar's label.
    on_result : callable, optional
        ``on_result(job, result)``, called in this process as each job finishes. An
        exception it raises stops the run (the running jobs finish first).

    Returns
    -------
    done : list of (job, result)

    Raises
    ------
    KeyboardInterrupt
        Ctrl-C: after the jobs already running have finished.
    """
    collect = _Collector(len(jobs), progress=progress, desc=desc, on_result=on_result)
    try:
        if n_jobs == 1 or len(jobs) <= 1 or mp_context is None:
            for job in jobs:
                collect(job, worker(job))
        else:
            suspects = _run_in_pools(jobs, worker, n_jobs=n_jobs, mp_context=mp_context, failed=failed,
                                     collect=collect)
            # Retry each suspect alone in a fresh process: the innocent ones succeed, the
            # culprit is identified exactly and cannot take other jobs down with it.
            for job in suspects:
                collect(job, _run_alone(job, worker, mp_context=mp_context, failed=failed))
        return collect.results
    finally:
        collect.bar.close()


def _run_in_pools(jobs, worker, *, n_jobs, mp_context, failed, collect) -> list:
    """Run the jobs in a pool, a new pool after each crash; return the jobs in flight at a crash."""
    todo = deque(jobs)
    suspects: list = []
    while todo:
        pool = ProcessPoolExecutor(max_workers=min(n_jobs, len(todo)), mp_context=mp_context,
                                   initializer=_ignore_sigint)
        try:
            suspects += _drain(pool, todo, worker, n_jobs=n_jobs, failed=failed, collect=collect)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    return suspects


def _drain(pool, todo: deque, worker, *, n_jobs, failed, collect) -> list:
    """Feed ``todo`` to ``pool`` until both are empty or the pool breaks; return the suspects of a break."""
    inflight: dict = {}
    suspects: list = []
    broken = False
    while (todo or inflight) and not broken:
        while todo and len(inflight) < n_jobs * IN_FLIGHT_PER_JOB:
            job = todo.popleft()
            try:
                inflight[pool.submit(worker, job)] = job
            except BrokenProcessPool:
                todo.appendleft(job)
                broken = True
                break
        if not inflight:
            break
        finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
        for fut in finished:
            job = inflight.pop(fut)
            try:
                result = fut.result()
            except BrokenProcessPool:
                suspects.append(job)
                broken = True
                continue
            except Exception as exc:  # noqa: BLE001 -- e.g. the job could not be sent
                result = failed(job, error_text(exc))
            collect(job, result)
    if broken:     # every job in flight when a worker died is a suspect
        suspects.extend(inflight.values())
    return suspects


def _run_alone(job, worker, *, mp_context, failed):
    with ProcessPoolExecutor(max_workers=1, mp_context=mp_context, initializer=_ignore_sigint) as solo:
        try:
            return solo.submit(worker, job).result()
        except BrokenProcessPool as exc:
            return failed(job, f"WorkerCrashed: the worker process died while processing this track "
                               f"({str(exc) or 'BrokenProcessPool'}); retried alone in a fresh process, it died "
                               "again. A crash in native code (e.g. a segfault in numba-compiled code) or "
                               "running out of memory does this.")
