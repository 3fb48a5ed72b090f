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

import time

from _demo import demo_arguments, demo_build, demo_line, django_start, ms, timed


def main() -> None:
    args = demo_arguments()
    django_start("trappen-offers-")
    from django.contrib.auth import get_user_model
    from django.test import Client

    from trappen.web.offers.availability import availability
    from trappen.web.offers.closing import closing_analysis
    from trappen.web.offers.models import Offer, WaitingEntry
    from trappen.web.offers.selectors import occupancy_on
    from trappen.web.register.models import Episode

    today, counts, _logins, seconds = demo_build(children=args.children, years=args.years)
    print(f"{demo_line(today, counts, seconds)}; {Offer.objects.count()} offers, "
          f"{Episode.objects.exclude(offer=None).count():,} episodes in an offer, "
          f"{WaitingEntry.objects.count()} children waiting", flush=True)
    times, cpu, panel = timed(lambda: availability(on=today), args.repeats)
    red = [s.step for s in panel.steps if s.red]  # type: ignore[attr-defined]
    print(f"availability(): {ms(times, cpu, unit='runs')}; red steps {red}", flush=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(get_user_model().objects.get(username="economist"))
    times, cpu, resp = timed(lambda: client.get("/offers/availability/"), args.repeats)
    assert resp.status_code == 200  # type: ignore[attr-defined]
    print(f"GET /offers/availability/: {ms(times, cpu, unit='runs')}", flush=True)
    occupied = occupancy_on(today)
    biggest = Offer.objects.get(pk=max(occupied, key=lambda k: occupied[k]))
    t, c = time.perf_counter(), time.process_time()
    analysis = closing_analysis(biggest, on=today)
    print(f"closing_analysis() cold (forecast model estimated first): {time.perf_counter() - t:.2f} s, "
          f"CPU {time.process_time() - c:.2f} s; offer {biggest.offer_id} with {analysis.result.children} children: "
          f"{analysis.result.same_step} same step, {analysis.result.step_up} up a step, {analysis.result.waiting} "
          f"waiting; cost change {analysis.result.cost_change_dkk_per_year:,.0f} DKK per year", flush=True)
    times, cpu, _ = timed(lambda: closing_analysis(biggest, on=today), max(3, args.repeats // 3))
    print(f"closing_analysis() warm: {ms(times, cpu, unit='runs')}", flush=True)
    times, cpu, resp = timed(lambda: client.get(f"/offers/{biggest.offer_id}/closing/"), max(3, args.repeats // 3))
    assert resp.status_code == 200  # type: ignore[attr-defined]
    print(f"GET /offers/{biggest.offer_id}/closing/ warm: {ms(times, cpu, unit='runs')}", flush=True)


if __name__ == "__main__":
    main()
