"""Running the microsimulation's chunks on a dask.distributed cluster."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from trappen.forecast._model import Scenario, TransitionModel


def _task(model: TransitionModel, months: int, scenario: Scenario, seed: int, block: int, replicates: range,
          chunk: int, start: NDArray[np.int64], arrivals: list[NDArray[np.int64]], caps: dict[int, int],
          draw_parameters: bool, law: object) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    from trappen.forecast._engines import simulate_unit

    return simulate_unit(model, months=months, scenario=scenario, seed=seed, replicates=replicates, block=block,
                         chunk=chunk, start=start, arrivals=arrivals, caps=caps, draw_parameters=draw_parameters,
                         law=law)  # type: ignore[arg-type]


def run_on_dask(client: object, model: TransitionModel, *, months: int, scenario: Scenario, seed: int,
                plan: object, units: list[tuple[int, range, int]], draw_parameters: bool = True,
                ) -> Iterator[tuple[tuple[int, range, int], tuple[NDArray[np.int64], NDArray[np.int64]]]]:
    """Submit one task per unit (block of replicates, chunk of children); yield each unit with
    its result as it completes.

    Each task seeds itself from (seed, block, chunk), so the result equals the one-process run
    for the same seed and split.
    """
    from dask.distributed import as_completed

    c = client  # a dask.distributed.Client
    model_f = c.scatter(model, broadcast=True)  # type: ignore[attr-defined]
    # on every worker, so that the scheduler places units by load, not by where data sits
    chunks = [(c.scatter(st, broadcast=True), c.scatter(ar, broadcast=True), cap)  # type: ignore[attr-defined]
              for st, ar, cap in zip(plan.start, plan.arrivals, plan.caps, strict=True)]  # type: ignore[attr-defined]
    futures = {}
    for unit in units:
        b, reps, ci = unit
        st, ar, cap = chunks[ci]
        f = c.submit(_task, model_f, months, scenario, seed, b, reps, ci, st, ar, cap, draw_parameters,
                     plan.law, pure=False)  # type: ignore[attr-defined]
        futures[f] = unit
    for fut in as_completed(list(futures)):
        yield futures[fut], fut.result()


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
