"""Pausing Python's cycle collector while the corpus is loaded and the pages are made.

Those steps allocate millions of objects that live until the step returns and form
almost no reference cycles: reference counting frees them. The collector's full passes
over them were a sixth of validation and generation time at 100x (bench/README.md).
It resumes when the step returns and collects the few cycles left then.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused() -> Iterator[None]:
    """Also a decorator: @paused()."""
    if not gc.isenabled():  # already paused by a caller
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
