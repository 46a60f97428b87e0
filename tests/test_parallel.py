"""Work shared with a forked process gives what one process gives, and fails the same way;
the cycle collector paused during a build runs again after it."""
from __future__ import annotations

import pytest

from atlas import corpus, parallel, render
from atlas.build import prepare
from conftest import ROOT, need


def forking() -> None:
    need(parallel.can_fork(), "sharing work needs fork() and two cores")


def _fail(kind: type[Exception]) -> None:
    raise kind("raised in the job")


def test_shared_jobs_come_back_in_order():
    forking()
    jobs = [lambda n=n: n * n for n in range(101)]  # closures: fork shares them, nothing is pickled
    assert parallel.run_halves(jobs, threshold=2) == [n * n for n in range(101)]


def test_an_error_in_the_childs_share_is_raised_as_itself():
    forking()
    jobs = [lambda: 1, lambda: _fail(KeyError)]  # the second job is the child's
    with pytest.raises(KeyError, match="raised in the job"):
        parallel.run_halves(jobs, threshold=2)


def test_pages_prepared_in_two_processes_equal_pages_prepared_in_one(monkeypatch):
    forking()
    monkeypatch.setattr(render, "PARALLEL_PAGES", 10**9)
    monkeypatch.setattr(corpus, "PARALLEL_FILES", 10**9)
    one = prepare(ROOT, site_url="https://example.org/atlas/")
    monkeypatch.setattr(render, "PARALLEL_PAGES", 2)
    monkeypatch.setattr(corpus, "PARALLEL_FILES", 2)
    forks = []

    class Counted(parallel.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            forks.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parallel, "ProcessPoolExecutor", Counted)
    two = prepare(ROOT, site_url="https://example.org/atlas/")
    assert len(forks) == 2, "files were parsed and pages rendered in two processes"
    assert list(two.pages) == list(one.pages), "same pages, in the same order"
    assert two.pages == one.pages
    assert two.assets == one.assets
    assert two.sources == one.sources and two.hand_written == one.hand_written


def test_the_cycle_collector_resumes_after_a_build():
    import gc
    from atlas.gcpause import paused
    prepare(ROOT)
    assert gc.isenabled(), "prepare() pauses the collector only while it runs"
    with paused():
        prepare(ROOT)
        assert not gc.isenabled(), "a caller's pause is left as it was"
    assert gc.isenabled()
