"""Offer operations of the JSON API (mounted at /api/v1/offers): the catalogue with free places,
filtered as the new-intervention form filters it (step, age, code, free places), one offer, and
the availability per step. Needs ``offer``/``view`` (403 otherwise); an unknown offer is 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router

from trappen.web.offers import selectors as sel
from trappen.web.offers.availability import step_availability
from trappen.web.offers.services import require

router = Router(tags=["offers"])


def _out(choice: sel.OfferChoice) -> dict[str, object]:
    o = choice.offer
    return {"id": choice.pk, "offer_id": o.offer_id, "name": o.name, "provider_kind": o.provider_kind,
            "steps": list(o.steps), "intervention_codes": list(o.intervention_codes),
            "age_min_years": o.age_min_years, "age_max_years": o.age_max_years, "places": o.places,
            "occupied": choice.occupied, "free": choice.free, "status": choice.status}


@router.get("")
def offer_list(request: HttpRequest, step: int | None = None, age: int | None = None, code: str | None = None,
               free: bool = False, include_closed: bool = False) -> list[dict[str, object]]:
    """Offers today (open ones unless ``include_closed``), with ``free`` places; ``free=true``
    keeps only offers with a free place. Pass an offer's ``id`` as ``offer`` to POST
    /interventions; a full one needs ``overbooking: true``."""
    require(request.auth, "view")  # type: ignore[attr-defined]
    rows = sel.offer_choices(on=timezone.localdate(), step=step, age_years=age, code=code,
                             include_closed=include_closed)
    return [_out(c) for c in rows if not free or not c.full]


@router.get("/availability")
def availability(request: HttpRequest) -> list[dict[str, object]]:
    """Each step's availability today: places, children, free places, waiting, median wait, red."""
    require(request.auth, "view")  # type: ignore[attr-defined]
    return [s.__dict__ | {"reasons": list(s.reasons)} for s in step_availability(on=timezone.localdate())]


@router.get("/{offer_id}")
def offer_get(request: HttpRequest, offer_id: str) -> dict[str, object]:
    require(request.auth, "view")  # type: ignore[attr-defined]
    for choice in sel.offer_choices(on=timezone.localdate(), include_closed=True):
        if choice.offer.offer_id == offer_id:
            return _out(choice)
    raise Http404("no such offer")
