"""Batch runs on a Dask cluster: ``polyleaf batch --scheduler tcp://HOST:PORT``.

Optional (``pip install polyleaf[dask]``). The batch runner takes any
:class:`concurrent.futures.Executor`; this gives it the cluster's. Workers must
see the leaflet project and the output folder at the same paths (a shared
file system, or one machine). Each worker process keeps one Builder per
project (see :mod:`polyleaf.build`), so fonts, catalogs and templates are
loaded once per worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from polyleaf.errors import PolyleafError


@contextmanager
def dask_executor(scheduler: str) -> Iterator[Executor]:
    try:
        from distributed import Client
    except ImportError:
        raise PolyleafError("--scheduler needs Dask: pip install 'polyleaf[dask]'") from None
    try:
        client = Client(scheduler, timeout="10s")
    except OSError as error:
        raise PolyleafError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
