"""Sharing a list of jobs (data files to parse, record pages to render) with one forked
child process, where there are two cores.

The child is forked, so it inherits what is already in memory (the corpus, the
templates): jobs are handed over by index, never pickled, and only results travel back
(they must pickle). Small job lists stay in one process, where a fork would cost more
than it saves.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")

_inherited: Sequence[Callable[[], object]] = ()  # the jobs, as the forked child sees them


def _run_odd() -> list:
    return [job() for job in _inherited[1::2]]


def can_fork() -> bool:
    return (os.cpu_count() or 1) >= 2 and "fork" in mp.get_all_start_methods()


def run_halves(jobs: Sequence[Callable[[], T]], threshold: int) -> list[T]:
    """[job() for job in jobs], in order; past `threshold` jobs a child runs every other one
    (alternate jobs, not halves: a few big jobs listed together would unbalance them)."""
    global _inherited
    if len(jobs) < threshold or not can_fork():
        return [job() for job in jobs]
    _inherited = jobs
    # Objects alive now are shared with the child copy-on-write; frozen, the collector in
    # either process leaves them alone instead of touching (and so copying) every one.
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=mp.get_context("fork")) as pool:
            other = pool.submit(_run_odd)  # forks now, with _inherited set
            mine = [job() for job in jobs[0::2]]
            try:
                theirs = other.result()
            except Exception:
                # Run the child's share here: a real error (a template typo, say) is then
                # raised as itself, with its traceback, rather than as a broken pool.
                theirs = [job() for job in jobs[1::2]]
    finally:
        gc.unfreeze()
        _inherited = ()
    out = [None] * len(jobs)
    out[0::2], out[1::2] = mine, theirs
    return out

