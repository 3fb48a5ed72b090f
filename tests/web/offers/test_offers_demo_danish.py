"""The demo speaks Danish: the free texts the synthetic catalogue and the demo's step-up reasons
put on Danish pages (a price's source, an evidence or effect source, why a lower step did not
meet the child's need) are Danish (found walking the demo: "synthetic: contract price" on an
offer page, "synthetic: the step does not meet the child's need" on a case page)."""

from __future__ import annotations

import datetime as dt
import re

ENGLISH = re.compile(r"\b(synthetic|the|contract|price|after|illustrative|from|study|does|not|need)\b")


def test_synthetic_offer_sources_are_danish():
    from trappen.synthetic import synthetic_offers

    texts = set()
    for offer in synthetic_offers(seed=1).offers:
        texts |= {offer.evidence_source, offer.effect_source, *(p.source for p in offer.prices)}
    texts.discard("")
    assert texts and [t for t in texts if ENGLISH.search(t)] == []


def test_demo_step_up_reasons_are_danish(districts, make_child):
    import numpy as np

    from trappen.offers import NO_FREE_PLACE_REASON
    from trappen.web.offers.demo import _demo_step_up_reasons
    from trappen.web.register.models import Episode

    for k in range(12):  # a step-up from 2 to 5: reasons for steps 2, 3 and 4
        child = make_child("N", name=f"Barn {k}")
        Episode.objects.create(child=child, intervention_code="FAMILY_TREATMENT", step=2,
                               start_date=dt.date(2025, 1, 1), end_date=dt.date(2025, 6, 1), end_reason="moved_up")
        Episode.objects.create(child=child, intervention_code="FOSTER_GENERAL", step=5, start_date=dt.date(2025, 6, 1))
    assert _demo_step_up_reasons(rng=np.random.default_rng(1)) == 12
    reasons = {r for j in Episode.objects.exclude(justification={}).values_list("justification", flat=True)
               for r in j.values()} - {NO_FREE_PLACE_REASON}  # a marker the counts read (its display: the case page)
    assert reasons and [r for r in reasons if ENGLISH.search(r)] == []
