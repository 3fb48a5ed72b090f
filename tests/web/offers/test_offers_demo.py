"""The demo's catalogue: the synthetic offers linked to the register's episodes, occupancy never
above the places over the last year, decision dates, a waiting list, step-up reasons."""

from __future__ import annotations

import datetime as dt

import numpy as np


def test_demo_catalogue_keeps_occupancy_within_places(loaded):
    from trappen.offers._capacity import occupancy
    from trappen.synthetic import synthetic_offers
    from trappen.web.offers.demo import FAR, PEAK_DAYS, demo_offers_load
    from trappen.web.offers.models import Offer
    from trappen.web.register.models import Episode

    today = dt.date(2026, 12, 1)
    counts = demo_offers_load(seed=1, today=today)
    assert counts["offers"] == len(synthetic_offers(seed=1)) and 30 <= counts["offers"] <= 60
    assert counts["episodes"] == Episode.objects.exclude(offer=None).count() > 0
    rows = list(Offer.objects.order_by("pk"))
    index = {r.pk: i for i, r in enumerate(rows)}
    eps = list(Episode.objects.exclude(offer=None).values_list("offer_id", "start_date", "end_date", "decided_on",
                                                               "overbooking"))
    assert not any(e[4] for e in eps)
    days = np.arange(today.toordinal() - PEAK_DAYS, today.toordinal() + 1)
    occ = occupancy(np.array([index[e[0]] for e in eps]), np.array([e[1].toordinal() for e in eps]),
                    np.array([e[2].toordinal() if e[2] else FAR for e in eps]), offers=len(rows), days=days)
    places = np.array([r.places for r in rows])
    assert (occ <= places[:, None]).all()  # never above the places (no overbooking in the demo)
    assert all(d is not None and d <= s for _, s, _, d, _ in eps)  # decided on or before the start
    again = demo_offers_load(seed=1, today=today)
    assert again == counts  # the same seed, the same catalogue and links
