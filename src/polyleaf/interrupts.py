"""Stopping a run: Ctrl-C or SIGTERM ends a build or batch promptly.

* In the main process SIGTERM is raised as :class:`Terminated`, a kind of
  KeyboardInterrupt, so both stop the run the same way: no further document
  is handed out, the command prints one line and exits 130 (Ctrl-C) or 143
  (SIGTERM). Files finished before stay; a temporary file being written is
  removed (:mod:`polyleaf.atomic`), and the next run finishes the rest.
* The rendering processes of :func:`process_pool` ignore Ctrl-C (a terminal
  sends it to the whole process group; the main process decides) and are
  terminated by the main process when it stops. On SIGTERM a worker removes
  the temporary file it is writing and exits at once.
* A worker also dies with its parent, even one killed with SIGKILL: on Linux
  the kernel sends it SIGTERM (``prctl(PR_SET_PDEATHSIG)``), and everywhere a
  watchdog thread notices that its parent is gone within a second.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType

from polyleaf import atomic

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
#: How long terminated workers get to remove their temporary files before SIGKILL.
GRACE_SECONDS = 5.0


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread where Ctrl-C raises KeyboardInterrupt."""


def describe(interrupt: KeyboardInterrupt) -> tuple[str, int]:
    """The one line a command prints when stopped, and its exit status."""
    what, code = (
        ("terminated (SIGTERM)", 143)
        if isinstance(interrupt, Terminated)
        else (
            "interrupted (Ctrl-C)",
            130,
        )
    )
    return (
        f"{what}: stopped; finished files are kept, no partial file is left; "
        "run the same command again to finish the rest",
        code,
    )


@contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(_signum: int, _frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _exit_now(signum: int, _frame: FrameType | None = None) -> None:
    atomic.remove_partial()
    os._exit(128 + signum)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:
            _exit_now(signal.SIGTERM)


def worker_started(parent: int) -> None:
    """Initializer of every rendering process (see the module docstring)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_now)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        except (OSError, AttributeError):
            pass  # the watchdog below still does it
    if os.getppid() != parent:  # the parent died before prctl took effect
        _exit_now(signal.SIGTERM)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers end when the block ends, however it ends.

    Unlike ``with ProcessPoolExecutor()``, which on Ctrl-C still waits for
    every queued document, an exception (KeyboardInterrupt, Terminated, a bug)
    cancels what is queued and terminates the workers before it propagates.
    """
    executor = ProcessPoolExecutor(
        max_workers=workers, initializer=worker_started, initargs=(os.getpid(),)
    )
    try:
        yield executor
    except BaseException:
        stop(executor)
        raise
    executor.shutdown(wait=True)


def stop(executor: ProcessPoolExecutor) -> None:
    """Cancel queued work and end the workers now: SIGTERM, then SIGKILL after a grace."""
    # _processes is private, but the only handle on the workers that the pool gives.
    processes = list(getattr(executor, "_processes", {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + GRACE_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(1.0)
