"""Server time of the KPI dashboards for the 20,000-child demo municipality.

Builds the demo (synthetic, seeded) in a throw-away SQLite database through the real bulk-load
service, then times GET /dashboards/<key>/ through Django's test client (no network: this is
server time — version queries, KPI engine, disclosure control, template):

* the first request of the process (snapshot of the analytic register from the database),
* each dashboard with the register cached but the table computed (the case after any write
  or filter change), as teamleader (unsuppressed) and analyst (disclosure control),
* the same request again (table cached), and a filtered request (district + age band + sex).

    TRAPPEN_DEMO=1 .venv/bin/python benchmarks/dashboard.py [--children 20000] [--years 10]
"""

from __future__ import annotations

import resource
import statistics
import time

from _demo import demo_arguments, django_start


def main() -> None:
    args = demo_arguments(repeats=5)
    django_start("trappen-dash-")
    from django.conf import settings
    from django.test import Client

    from trappen.synthetic import generate
    from trappen.web.accounts.services import user_create
    from trappen.web.dashboards import selectors as sel
    from trappen.web.register.services import register_bulk_load

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    t = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=1)
    register_bulk_load(register, seed=1)
    print(f"demo built: {args.children:,} children, {register.episodes.height:,} episodes "
          f"in {time.perf_counter() - t:.1f} s", flush=True)
    codes = sorted(register.districts["district_code"].to_list())
    clients = {}
    for role in ("teamleader", "analyst"):
        user = user_create(username=f"bench_{role}", role=role, password="not-used-here",
                           district_codes=codes if role == "teamleader" else [], validate=False)
        client = Client()
        client.force_login(user)
        clients[role] = client

    def get(client: Client, key: str, query: dict[str, str] | None = None) -> float:
        t0 = time.perf_counter()
        response = client.get(f"/dashboards/{key}/", query or {})
        ms = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (key, response.status_code)
        return ms

    sel.cache_clear()
    print(f"first request (register snapshot + steps page): {get(clients['analyst'], 'steps'):.0f} ms")
    t0 = time.perf_counter()
    sel.analytic_register()
    print(f"cached register lookup (version queries): {(time.perf_counter() - t0) * 1000:.1f} ms")
    print(f"{'page':<10} {'role':<11} {'computed ms (median)':>21} {'max':>6} {'cached ms':>10}")
    for key in sel.DASHBOARDS:
        for role, client in clients.items():
            cold = []
            for _ in range(args.repeats):
                with sel._lock:
                    sel._table_cache.clear()
                cold.append(get(client, key))
            warm = statistics.median(get(client, key) for _ in range(args.repeats))
            print(f"{key:<10} {role:<11} {statistics.median(cold):>21.0f} {max(cold):>6.0f} {warm:>10.1f}")
    query = {"district": codes[0], "age_band": "6-11", "sex": "F"}
    for key in ("steps", "flows"):
        with sel._lock:
            sel._table_cache.clear()
        print(f"filtered {key} (district, age band, sex), analyst: {get(clients['analyst'], key, query):.0f} ms")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
