"""The same seed gives identical results in one process and on a local Dask cluster."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from trappen.forecast import Scenario, estimate, simulate

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def test_local_cluster_equals_single_process(synthetic):
    from dask.distributed import Client, LocalCluster

    model = estimate(synthetic, cutoff=date(2023, 12, 31))
    sc = Scenario(closed_steps=(4,))
    # small chunks so the run is split by children as well as by replicates
    one = simulate(model, months=12, replicates=3, seed=42, scenario=sc, chunk_children=1000)
    # worker processes, as on a real cluster (in-process workers share this process's event loop
    # and have hung here now and then under load)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        many = simulate(model, months=12, replicates=3, seed=42, scenario=sc, chunk_children=1000, client=client)
    for name in ("mean", "p10", "p50", "p90", "redirected", "total_cost_dkk_p50"):
        np.testing.assert_array_equal(getattr(one, name), getattr(many, name))
