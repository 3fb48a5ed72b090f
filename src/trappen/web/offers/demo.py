"""The demo's offer catalogue: the synthetic catalogue (``trappen.synthetic.synthetic_offers``),
its offers linked to the demo register's episodes, places scaled to the demo's size, decision
dates (waits) and a waiting list. Vectorised: one pass over the episodes in NumPy."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db import transaction
from django.utils import timezone

from trappen.offers import OfferCatalogue
from trappen.offers._capacity import occupancy
from trappen.synthetic import is_tight, synthetic_offers
from trappen.web.offers import models as om
from trappen.web.offers.convert import row_values
from trappen.web.register import models as m

FAR = dt.date(9999, 12, 31).toordinal()
HEADROOM = (1.05, 1.3)
"""Places of an offer that is not tight: its peak occupancy over the last year times a factor
drawn in this range; a tight offer's places are its peak (it is full at its busiest)."""
PEAK_DAYS = 365
TIGHT_WAIT_DAYS, USUAL_WAIT_DAYS = 45.0, 10.0
"""Mean days from decision to start (geometric) in a tight offer and in the others."""


def _eligible(catalogue: OfferCatalogue, *, step: np.ndarray, code: np.ndarray, age: np.ndarray,
              start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """(episodes, offers): the offer serves the step, the code and the age, was open at the start
    (not closing), and an episode in a closed offer ended by its closing day."""
    cols = []
    for offer in catalogue.offers:
        last_new = (offer.closing_on or offer.closed_on)
        ok = np.isin(step, offer.steps) & np.isin(code, offer.intervention_codes)
        ok &= (age >= offer.age_min_years) & (age <= offer.age_max_years)
        ok &= start >= offer.opened_on.toordinal()
        if last_new is not None:
            ok &= start < last_new.toordinal()
        if offer.closed_on is not None:
            ok &= end <= offer.closed_on.toordinal()
        cols.append(ok)
    return np.stack(cols, axis=1) if cols else np.zeros((len(step), 0), dtype=bool)


@transaction.atomic
def demo_offers_load(*, seed: int, today: dt.date | None = None) -> dict[str, int]:
    """Replace the offers with the synthetic catalogue and link the register's episodes to them.

    Returns:
        Counts: offers, episodes linked, waiting entries.
    """
    today = today or timezone.localdate()
    rng = np.random.default_rng(seed + 17)
    m.Episode.objects.exclude(offer=None).update(offer=None, decided_on=None, overbooking=False)
    om.WaitingEntry.objects.all().delete()
    om.Offer.objects.all().delete()
    catalogue = synthetic_offers(seed=seed)
    rows = list(m.Episode.objects.values_list("pk", "step", "intervention_code", "start_date", "end_date",
                                              "child__birth_date", "child_id"))
    if not rows:
        return {"offers": 0, "episodes": 0, "waiting": 0}
    pk = np.array([r[0] for r in rows], dtype=np.int64)
    step = np.array([r[1] for r in rows], dtype=np.int64)
    code = np.array([r[2] for r in rows], dtype=object)
    start = np.array([r[3].toordinal() for r in rows], dtype=np.int64)
    end = np.array([r[4].toordinal() if r[4] else FAR for r in rows], dtype=np.int64)
    birth = np.array([r[5].toordinal() for r in rows], dtype=np.int64)
    age = ((start - birth) // 365.25).astype(np.int64)
    ok = _eligible(catalogue, step=step, code=code, age=age, start=start, end=end)
    weight = np.array([max(o.places, 1) for o in catalogue.offers], dtype=float)
    score = np.where(ok, rng.random(ok.shape) ** (1.0 / weight), -1.0)
    pick = score.argmax(axis=1)
    has = ok.any(axis=1)
    offers_n = len(catalogue.offers)
    days = np.arange(today.toordinal() - PEAK_DAYS, today.toordinal() + 1, dtype=np.int64)
    occ = occupancy(pick[has], start[has], end[has], offers=offers_n, days=days)
    peak = occ.max(axis=1) if occ.size else np.zeros(offers_n, dtype=np.int64)
    made = []
    for i, offer in enumerate(catalogue.offers):
        factor = 1.0 if is_tight(offer) else float(rng.uniform(*HEADROOM))
        places = int(np.ceil(peak[i] * factor)) + (0 if is_tight(offer) else 1)
        values = row_values(offer)
        values["places"] = max(places, 1)
        made.append(om.Offer(**values))
    om.Offer.objects.bulk_create(made)
    saved = {o.offer_id: o for o in om.Offer.objects.all()}
    om.OfferPrice.objects.bulk_create([
        om.OfferPrice(offer=saved[o.offer_id], valid_from=p.valid_from, valid_to=p.valid_to,
                      price_dkk_per_day=p.price_dkk_per_day, price_year=p.price_year, source=p.source)
        for o in catalogue.offers for p in o.prices])
    tight = np.array([is_tight(o) for o in catalogue.offers])
    mean_wait = np.where(tight[pick], TIGHT_WAIT_DAYS, USUAL_WAIT_DAYS)
    wait = rng.geometric(1.0 / mean_wait) - 1
    decided = start - wait
    linked = 0
    for i, offer in enumerate(catalogue.offers):
        chosen = np.flatnonzero(has & (pick == i))
        for lo in range(0, len(chosen), 500):
            part = chosen[lo:lo + 500]
            with_wait = {int(pk[j]): dt.date.fromordinal(int(decided[j])) for j in part}
            cases = [m.Episode(pk=k, offer_id=saved[offer.offer_id].pk, decided_on=v) for k, v in with_wait.items()]
            m.Episode.objects.bulk_update(cases, ["offer", "decided_on"], batch_size=500)
            linked += len(part)
    _demo_step_up_reasons(rng=rng)
    waiting = _demo_waiting(catalogue, saved=saved, rng=rng, today=today,
                            children=np.unique(np.array([r[6] for r in rows], dtype=np.int64)))
    return {"offers": len(made), "episodes": linked, "waiting": waiting}


def _demo_waiting(catalogue: OfferCatalogue, *, saved: dict[str, om.Offer], rng: np.random.Generator,
                  today: dt.date, children: np.ndarray) -> int:
    """A few children waiting for each tight open offer, decided 1-60 days ago."""
    entries = []
    for offer in catalogue.offers:
        if not is_tight(offer) or offer.status_on(today) != "open":
            continue
        for child in rng.choice(children, size=min(int(rng.poisson(2)), len(children)), replace=False):
            entries.append(om.WaitingEntry(child_id=int(child), step=min(offer.steps),
                                           intervention_code=offer.intervention_codes[0], offer=saved[offer.offer_id],
                                           decided_on=today - dt.timedelta(days=int(rng.integers(1, 61)))))
    om.WaitingEntry.objects.bulk_create(entries)
    return len(entries)


NO_PLACE_SHARE = 0.15
"""Share of the demo's step-ups whose reason for a lower step is "no free place" (an
assumption of the demo, so the panel's count has something to show)."""


def _demo_step_up_reasons(*, rng: np.random.Generator) -> int:
    """Reasons for the register's step-ups (an episode starting the day the child's lower one
    ended with ``moved_up``): each lower step passed over gets "does not meet the need", or,
    for :data:`NO_PLACE_SHARE` of them, "no free place". Returns the episodes given reasons."""
    from trappen.offers import NO_FREE_PLACE_REASON

    ended = {(c, d): s for c, d, s in m.Episode.objects.filter(end_reason="moved_up")
             .values_list("child_id", "end_date", "step")}
    if not ended:
        return 0
    changed = []
    for pk, child, start, step in m.Episode.objects.filter(start_date__in={d for _, d in ended}).values_list(
            "pk", "child_id", "start_date", "step"):
        lower = ended.get((child, start))
        if lower is None or lower >= step:
            continue
        reasons = {}
        for passed in range(lower, step):
            reasons[str(passed)] = (NO_FREE_PLACE_REASON if rng.random() < NO_PLACE_SHARE
                                    else "syntetisk: trinnet dækker ikke barnets behov")
        changed.append(m.Episode(pk=pk, justification=reasons))
    m.Episode.objects.bulk_update(changed, ["justification"], batch_size=500)
    return len(changed)
