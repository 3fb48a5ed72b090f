"""Offers on the 20,000-child demo: the availability panel (target under 200 ms) and the closing
analysis with its capacity-limited forecast (target under 5 s).

Builds the demo municipality (synthetic, seeded, history up to today) with its offer catalogue
(``demo_database_replace``: the synthetic catalogue linked to the episodes) in a throw-away
SQLite database, then times:

- ``availability()``: the panel's data (occupancy per offer and step by day over 91 days, free
  places, waiting, median waits, the district table with disclosure control);
- GET /offers/availability/ as the economist (the page: queries, NumPy, template);
- ``closing_analysis()`` of the offer with the most children, cold (the forecast model is
  estimated from the register first) and warm (the model cached, as on a running server), and
  GET /offers/<id>/closing/ warm.

Prints wall-clock and CPU time; asserts nothing on time.

    .venv/bin/python benchmarks/offers.py [--children 20000] [--years 10] [--repeats 9]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable


def _timed(fn: Callable[[], object], repeats: int) -> tuple[list[float], list[float], object]:
    out = fn()  # warm-up, not timed
    times, cpu = [], []
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return times, cpu, out


def _ms(times: list[float], cpu: list[float]) -> str:
    return (f"median {statistics.median(times) * 1000:.0f} ms (min {min(times) * 1000:.0f}, max "
            f"{max(times) * 1000:.0f}) over {len(times)} runs; CPU median {statistics.median(cpu) * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="trappen-offers-")
    os.environ["TRAPPEN_DEMO"] = "1"
    os.environ["TRAPPEN_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trappen.web.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from trappen.synthetic import generate
    from trappen.web.accounts.services import demo_database_replace
    from trappen.web.offers.availability import availability
    from trappen.web.offers.closing import closing_analysis
    from trappen.web.offers.models import Offer, WaitingEntry
    from trappen.web.offers.selectors import occupancy_on
    from trappen.web.register.models import Episode

    call_command("migrate", interactive=False, verbosity=0)
    today = timezone.localdate()
    t = time.perf_counter()
    register = generate(children=args.children, years=args.years, seed=1, end_date=today,
                        pilot_districts=3, pilot_from=2021)
    counts, _logins = demo_database_replace(register, seed=1)
    print(f"demo built: {counts['children']:,} children, {counts['episodes']:,} episodes up to {today} in "
          f"{time.perf_counter() - t:.1f} s; {Offer.objects.count()} offers, "
          f"{Episode.objects.exclude(offer=None).count():,} episodes in an offer, "
          f"{WaitingEntry.objects.count()} children waiting", flush=True)
    times, cpu, panel = _timed(lambda: availability(on=today), args.repeats)
    red = [s.step for s in panel.steps if s.red]  # type: ignore[attr-defined]
    print(f"availability(): {_ms(times, cpu)}; red steps {red}", flush=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="economist"))
    times, cpu, resp = _timed(lambda: client.get("/offers/availability/"), args.repeats)
    assert resp.status_code == 200  # type: ignore[attr-defined]
    print(f"GET /offers/availability/: {_ms(times, cpu)}", flush=True)
    occupied = occupancy_on(today)
    biggest = Offer.objects.get(pk=max(occupied, key=lambda k: occupied[k]))
    t, c = time.perf_counter(), time.process_time()
    analysis = closing_analysis(biggest, on=today)
    print(f"closing_analysis() cold (forecast model estimated first): {time.perf_counter() - t:.2f} s, "
          f"CPU {time.process_time() - c:.2f} s; offer {biggest.offer_id} with {analysis.result.children} children: "
          f"{analysis.result.same_step} same step, {analysis.result.step_up} up a step, {analysis.result.waiting} "
          f"waiting; cost change {analysis.result.cost_change_dkk_per_year:,.0f} DKK per year", flush=True)
    times, cpu, _ = _timed(lambda: closing_analysis(biggest, on=today), max(3, args.repeats // 3))
    print(f"closing_analysis() warm: {_ms(times, cpu)}", flush=True)
    times, cpu, resp = _timed(lambda: client.get(f"/offers/{biggest.offer_id}/closing/"), max(3, args.repeats // 3))
    assert resp.status_code == 200  # type: ignore[attr-defined]
    print(f"GET /offers/{biggest.offer_id}/closing/ warm: {_ms(times, cpu)}", flush=True)


if __name__ == "__main__":
    main()
