"""Running the microsimulation's chunks on a dask.distributed cluster."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from trappen.forecast._model import Scenario, TransitionModel


def _task(model: TransitionModel, months: int, scenario: Scenario, seed: int, replicate: int, chunk: int,
          start_keys: NDArray[np.int32], arrival_keys: list[NDArray[np.int32]],
          draw_parameters: bool, caps: dict[int, int]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    from trappen.forecast._engines import _simulate_chunk

    return _simulate_chunk(model, months=months, scenario=scenario, seed=seed, replicate=replicate,
                           chunk=chunk, start_keys=start_keys, arrival_keys=arrival_keys,
                           draw_parameters=draw_parameters, caps=caps)


def run_on_dask(client: object, model: TransitionModel, *, months: int, scenario: Scenario, seed: int,
                replicates: int, plan: object,
                progress: Callable[[int], None] | None = None,
                draw_parameters: bool = True) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Submit one task per (replicate, chunk); sum chunks per replicate.

    Each task seeds itself from (seed, replicate, chunk), so the result equals the one-process
    run for the same seed and chunking.
    """
    from dask.distributed import as_completed

    c = client  # a dask.distributed.Client
    model_f = c.scatter(model, broadcast=True)  # type: ignore[attr-defined]
    chunks = [(c.scatter(sk), c.scatter(ak), cap) for sk, ak, cap in  # type: ignore[attr-defined]
              zip(plan.start_keys, plan.arrival_keys, plan.caps, strict=True)]  # type: ignore[attr-defined]
    futures = {}
    for r in range(replicates):
        for ci, (sk, ak, cap) in enumerate(chunks):
            f = c.submit(_task, model_f, months, scenario, seed, r, ci, sk, ak, draw_parameters, cap,
                         pure=False)  # type: ignore[attr-defined]
            futures[f] = r
    s_n = model.states.size
    runs = np.zeros((replicates, months + 1, s_n), dtype=np.int64)
    red = np.zeros_like(runs)
    left = np.full(replicates, len(chunks))
    done = 0
    for fut in as_completed(list(futures)):
        r = futures[fut]
        a, b = fut.result()
        runs[r] += a
        red[r] += b
        left[r] -= 1
        if left[r] == 0:
            done += 1
            if progress is not None:
                progress(done)
    return runs, red


def connect(address: str) -> tuple[object, object | None]:
    """A Client for ``local:N`` (starts a LocalCluster of N workers) or ``tcp://HOST:PORT``.

    Returns:
        (client, cluster) - close both when done (cluster is None for a remote address).
    """
    from dask.distributed import Client, LocalCluster

    from trappen.errors import InvalidInput, Problem

    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise InvalidInput(Problem(field="dask", value=address, message="use local:N with N >= 1"))
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None)
        return Client(cluster), cluster
    if address.startswith("tcp://"):
        return Client(address), None
    raise InvalidInput(Problem(field="dask", value=address, message="use local:N or tcp://HOST:PORT"))
